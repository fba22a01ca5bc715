"""Figures of a sensitivity analysis (``feedsim sensitivity``), drawn from its tables.

* ``figures/morris.png``: per outcome, Morris ``mu*`` (importance) against ``sigma``
  (non-linearity or interaction) with ``mu*_conf`` error bars, the most influential
  parameters labelled;
  or ``figures/sobol.png``: per outcome, bars of ``S1`` and ``ST`` with 95% intervals.
* ``figures/claim_map.png``: per claim outcome, the share of sampled points where the claim
  holds, in 4 x 4 cells over its two most influential parameters (largest ``mu*`` or
  ``ST``; the ``claims`` table, :func:`sim.sensitivity.outcomes.claim_map`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.figures.style import wrap
from sim.params import axis_label
from sim.sensitivity.outcomes import Outcome
from sim.sensitivity.plan import PlanView

LABELLED = 6
"""Parameters labelled in each Morris panel (those with the largest mu*)."""


def draw_sensitivity_figures(
    folder: Path, plan: PlanView, tables: dict[str, pd.DataFrame]
) -> list[str]:
    """Draw the method's figure and the claim map into ``folder/figures/`` as PNG.

    Returns:
        The names of the figures drawn (``figures/NAME.png``), in the order the report
        shows them.
    """
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    outcomes = list(plan.outcomes)
    method = plan.design.method
    if method == "morris":
        morris_figure(tables["sensitivity"], outcomes, figures_dir / f"{method}.png")
    else:
        sobol_figure(tables["sensitivity"], outcomes, figures_dir / f"{method}.png")
    claim_figure(plan, tables["points"], tables["claims"], figures_dir / "claim_map.png")
    return [method, "claim_map"]


def _grid(n: int) -> tuple[Any, Any]:
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig: Any, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def _label(path: str, width: int = 28) -> str:
    """A parameter's readable name with its unit (:func:`sim.params.axis_label`), wrapped."""
    return wrap(axis_label(path), width)


def morris_figure(indices: pd.DataFrame, outcomes: list[Outcome], path: Path) -> None:
    """mu* against sigma per outcome, mu*_conf as horizontal error bars."""
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=3)
        labelled = rows.nlargest(LABELLED, "mu_star")  # the rest would only overlap
        for _, row in labelled.iterrows():
            if not math.isnan(row["mu_star"]):
                ax.annotate(
                    _label(row["parameter"]),
                    (row["mu_star"], row["sigma"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        top = float(np.nanmax([*rows["mu_star"], *rows["sigma"], 0.0]))
        if top > 0:  # sigma = mu*: above it, the effect depends on the other parameters
            ax.plot([0, top], [0, top], ls="--", lw=0.8, c="grey", label="sigma = mu*")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xlabel(wrap(f"mu*: change in {outcome.unit} over the parameter's range", 50))
        ax.set_ylabel(f"sigma ({outcome.unit})")
        ax.set_title(wrap(f"{outcome.claim}: {outcome.title}", 52), fontsize=9)
    fig.suptitle(
        "Morris screening: importance (mu*, bars: 95% bootstrap interval) and"
        " non-linearity or interaction (sigma); the six largest mu* labelled"
    )
    _save(fig, path)


def sobol_figure(indices: pd.DataFrame, outcomes: list[Outcome], path: Path) -> None:
    """S1 and ST bars with 95% intervals per outcome."""
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        at = np.arange(len(rows))
        ax.barh(at - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], label="S1 (first order)")
        ax.barh(at + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="ST (total)")
        ax.set_yticks(at, [_label(p, 34) for p in rows["parameter"]], fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel("share of the outcome's variance")
        ax.set_title(wrap(f"{outcome.claim}: {outcome.title}", 52), fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Sobol indices with 95% bootstrap intervals")
    _save(fig, path)


BINS = 4
"""Cells per parameter in the claim map: a Morris grid of 4 levels puts one level in each."""


def _cells(plan: PlanView, path: str) -> tuple[NDArray[np.int64], list[str]]:
    """Each point's cell along one parameter (``BINS`` equal parts of its sampled range, on
    the sampling scale) and each cell's tick label (the parameter values in it)."""
    j = [p.path for p in plan.parameters].index(path)
    parameter = plan.parameters[j]
    lo, hi = parameter.bounds
    share = (plan.x[:, j] - lo) / (hi - lo)
    cells = np.minimum((share * BINS).astype(np.int64), BINS - 1)
    values = np.array([parameter.value(float(v)) for v in plan.x[:, j]], dtype=np.float64)
    ticks = []
    for c in range(BINS):
        inside = values[cells == c]
        if inside.size == 0:
            ticks.append("")
        elif inside.min() == inside.max():
            ticks.append(f"{inside.min():.3g}")
        else:
            ticks.append(f"{inside.min():.3g}-\n{inside.max():.3g}")
    return cells, ticks


def claim_figure(plan: PlanView, points: pd.DataFrame, claims: pd.DataFrame, path: Path) -> None:
    """Per claim outcome, the share of sampled points where the claim holds, in cells over
    its two most influential parameters (largest ``mu*`` or ``ST``): green where it holds
    everywhere, red where it never does, the border between them where it flips. Each cell
    says its share and its number of points; the other parameters vary within a cell."""
    fig, axes = _grid(len(plan.outcomes))
    for ax, outcome in zip(axes, plan.outcomes, strict=False):
        row = claims[claims["outcome"] == outcome.name].iloc[0]
        values = points[outcome.name].to_numpy(dtype=np.float64)
        holds = outcome.holds_at(values).astype(np.float64)
        defined = ~np.isnan(values)
        x_cells, x_ticks = _cells(plan, row["first"])
        if row["second"]:
            y_cells, y_ticks = _cells(plan, row["second"])
        else:
            y_cells, y_ticks = np.zeros(len(values), dtype=np.int64), [""]
        count = np.zeros((len(y_ticks), BINS))
        held = np.zeros((len(y_ticks), BINS))
        np.add.at(count, (y_cells[defined], x_cells[defined]), 1.0)
        np.add.at(held, (y_cells[defined], x_cells[defined]), holds[defined])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(count > 0, held / count, np.nan)
        ax.imshow(100 * share, cmap="RdYlGn", vmin=0, vmax=100, origin="lower", aspect="auto")
        for (j, i), n in np.ndenumerate(count):
            text = "no points" if n == 0 else f"{100 * share[j, i]:.0f}%\nn={n:.0f}"
            dark = n > 0 and not 0.2 <= share[j, i] <= 0.8  # the colour map's dark ends
            colour = "white" if dark else "0.1"
            ax.text(i, j, text, ha="center", va="center", fontsize=7, color=colour)
        ax.set_xticks(range(BINS), x_ticks, fontsize=7)
        ax.set_yticks(range(len(y_ticks)), y_ticks, fontsize=7)
        ax.set_xlabel(_label(row["first"], 44), fontsize=8)
        ax.set_ylabel(_label(row["second"], 30) if row["second"] else "", fontsize=8)
        ax.grid(visible=False)
        total = row["share"]
        total_text = "no points" if math.isnan(total) else f"{100 * total:.0f}% of points"
        op, threshold = outcome.holds
        claim = f"{outcome.claim}: {outcome.title} {op} {threshold:g}"
        ax.set_title(wrap(f"{claim}: holds at {total_text}", 56), fontsize=9)
    fig.suptitle(
        "Claim map: share of sampled points where each claim holds (green 100%, red 0%),"
        " over its two most influential parameters"
    )
    _save(fig, path)
