"""Figures of a sensitivity analysis (``feedsim sensitivity``), drawn from its tables.

* ``figures/morris.png``: per outcome, Morris ``mu*`` (importance) against ``sigma``
  (non-linearity or interaction) with ``mu*_conf`` error bars, the most influential
  parameters labelled;
  or ``figures/sobol.png``: per outcome, bars of ``S1`` and ``ST`` with 95% intervals.
* ``figures/claim_map.png``: per claim outcome, the sampled points over its two most
  influential parameters (largest ``mu*`` or ``ST``), coloured by whether the claim holds
  (the ``claims`` table, :func:`sim.sensitivity.outcomes.claim_map`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.sensitivity.outcomes import Outcome
from sim.sensitivity.run import Plan

HOLDS_COLOUR = "#1b7837"
FAILS_COLOUR = "#b2182b"
LABELLED = 6
"""Parameters labelled in each Morris panel (those with the largest mu*)."""


def draw_sensitivity_figures(
    folder: Path, plan: Plan, tables: dict[str, pd.DataFrame]
) -> list[str]:
    """Draw the method's figure and the claim map into ``folder/figures/``.

    Returns:
        The file names drawn, in the order the report shows them.
    """
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    outcomes = list(plan.outcomes)
    method_figure = f"{plan.design.method}.png"
    if plan.design.method == "morris":
        morris_figure(tables["sensitivity"], outcomes, figures_dir / method_figure)
    else:
        sobol_figure(tables["sensitivity"], outcomes, figures_dir / method_figure)
    claim_figure(plan, tables["points"], tables["claims"], figures_dir / "claim_map.png")
    return [method_figure, "claim_map.png"]


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


def _short(path: str) -> str:
    """The last two segments of a path, for labels."""
    return ".".join(path.split(".")[-2:])


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
                    _short(row["parameter"]),
                    (row["mu_star"], row["sigma"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        top = float(np.nanmax([*rows["mu_star"], *rows["sigma"], 0.0]))
        if top > 0:  # sigma = mu*: above it, the effect depends on the other parameters
            ax.plot([0, top], [0, top], ls="--", lw=0.8, c="grey", label="sigma = mu*")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xlabel(f"mu* ({outcome.unit} over the whole range)")
        ax.set_ylabel("sigma")
        ax.set_title(f"{outcome.claim}: {outcome.name}", fontsize=9)
    fig.suptitle("Morris screening: importance (mu*) and non-linearity or interaction (sigma)")
    _save(fig, path)


def sobol_figure(indices: pd.DataFrame, outcomes: list[Outcome], path: Path) -> None:
    """S1 and ST bars with 95% intervals per outcome."""
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        at = np.arange(len(rows))
        ax.barh(at - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], label="S1 (first order)")
        ax.barh(at + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="ST (total)")
        ax.set_yticks(at, [_short(p) for p in rows["parameter"]], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("share of the outcome's variance")
        ax.set_title(f"{outcome.claim}: {outcome.name}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Sobol indices with 95% bootstrap intervals")
    _save(fig, path)


def claim_figure(plan: Plan, points: pd.DataFrame, claims: pd.DataFrame, path: Path) -> None:
    """Sampled points over each outcome's two most influential parameters, coloured by
    whether its claim holds there (with one parameter: against the outcome's value)."""
    fig, axes = _grid(len(plan.outcomes))
    by_path = {p.path: p for p in plan.parameters}
    for ax, outcome in zip(axes, plan.outcomes, strict=False):
        row = claims[claims["outcome"] == outcome.name].iloc[0]
        first = by_path[row["first"]]
        x = points[first.column]
        if row["second"]:
            second = by_path[row["second"]]
            y, ylabel = points[second.column], second.path
            if second.scale == "log":
                ax.set_yscale("log")
        else:
            y, ylabel = points[outcome.name], outcome.name
        holds = outcome.holds_at(points[outcome.name])
        ax.scatter(x[holds], y[holds], s=14, c=HOLDS_COLOUR, label="claim holds")
        ax.scatter(x[~holds], y[~holds], s=14, c=FAILS_COLOUR, marker="x", label="does not")
        if first.scale == "log":
            ax.set_xscale("log")
        ax.set_xlabel(first.path, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        share = row["share"]
        share_text = "n/a" if math.isnan(share) else f"{100 * share:.0f}%"
        ax.set_title(f"{outcome.claim}: {outcome.holds_text} at {share_text}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Claim map: where in the sampled space each claim holds")
    _save(fig, path)
