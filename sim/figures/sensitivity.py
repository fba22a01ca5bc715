"""Figures of a sensitivity analysis (``feedsim sensitivity``), drawn from its tables.

* ``figures/morris.png``: per outcome, Morris ``mu*`` (importance) against ``sigma``
  (non-linearity or interaction) with ``mu*_conf`` error bars, the most influential
  parameters labelled;
  or ``figures/sobol.png``: per outcome, bars of ``S1`` and ``ST`` with 95% intervals.
* ``figures/noise.png`` (the noise method, alone): per outcome, the runs at the scenario's
  values beside the points of the analysis they are set against, the claim's threshold
  dashed;
* ``figures/claim_map.png``: per claim outcome, the share of sampled points where the claim
  holds, in 4 x 4 cells over its two most influential parameters (largest ``mu*`` or
  ``ST``; the ``claims`` table, :func:`sim.sensitivity.outcomes.claim_map`).

Units as in every other figure: an outcome that is a share (``Outcome.percent``) is shown
in %, its differences and changes (``mu*``, ``sigma``) in percentage points; Sobol indices,
shares of the outcome's variance, in %. Drawn in the look of `sim.figures.style` (the
slides' look into ``figures/slides/``); the figure's title is wrapped to its width.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import matplotlib.font_manager
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

from sim.figures.style import (
    REPORT,
    FigureStyle,
    figure,
    font,
    plot_style,
    text_width,
    title_width,
    wrap,
)
from sim.params import axis_label
from sim.sensitivity.outcomes import NOISE, Outcome, noise_floor
from sim.sensitivity.plan import PlanView

LABELLED = 6
"""Parameters labelled in each Morris panel (those with the largest mu*)."""

_DPI = 110
#: The share of a panel's width its plot takes (the rest: tick labels and the y label).
_PLOT_SHARE = 0.7


def draw_sensitivity_figures(
    folder: Path, plan: PlanView, tables: dict[str, pd.DataFrame], style: FigureStyle = REPORT
) -> list[str]:
    """Draw the method's figure and the claim map as PNG into ``folder/figures/`` (the
    folder of ``style``: ``figures/slides/`` for slides).

    Returns:
        The names of the figures drawn (``figures/NAME.png``), in the order the report
        shows them.
    """
    figures_dir = folder / style.folder
    figures_dir.mkdir(parents=True, exist_ok=True)
    outcomes = list(plan.outcomes)
    method = plan.design.method
    with plot_style(style):
        if method == "noise":
            fig = noise_figure(tables["points"], tables.get("against"), tables["noise"], outcomes)
            _save(fig, figures_dir / "noise.png")
            return ["noise"]
        if method == "morris":
            fig = morris_figure(tables["sensitivity"], outcomes)
        else:
            fig = sobol_figure(tables["sensitivity"], outcomes, method)
        _save(fig, figures_dir / f"{method}.png")
        _save(claim_figure(plan, tables["points"], tables["claims"]), figures_dir / "claim_map.png")
        if "convergence" not in tables:
            return [method, "claim_map"]
        _save(
            convergence_figure(tables["convergence"], outcomes, method),
            figures_dir / "convergence.png",
        )
    return [method, "convergence", "claim_map"]


def _grid(n: int) -> tuple[Figure, list[Axes]]:
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig = figure(5.2 * cols, 4.2 * rows)
    axes = list(fig.subplots(rows, cols, squeeze=False).flat)
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes


def _save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=_DPI, metadata={"Software": None})


def _suptitle(fig: Figure, title: str) -> None:
    """The figure's title, wrapped to the figure's width (never cut at its edges)."""
    fig.suptitle(wrap(title, title_width(fig)))


def _panel_title(ax: Axes, fig: Figure, title: str, width: int, columns: int) -> None:
    """A panel's title at 9 pt (in the look in force), wrapped to ``width`` characters or
    fewer when the panel's plot is narrower."""
    size = font(9)
    fit = text_width(_PLOT_SHARE * fig.get_figwidth() / columns, size, 0.62)
    ax.set_title(wrap(title, min(width, fit)), fontsize=size)


def _panel_label(fig: Figure, text: str, width: int, columns: int) -> str:
    """An axis label wrapped to ``width`` characters, or fewer when the panel's plot is
    narrower."""
    size = matplotlib.rcParams["axes.labelsize"]
    points = matplotlib.font_manager.FontProperties(size=size).get_size_in_points()
    return wrap(text, min(width, text_width(_PLOT_SHARE * fig.get_figwidth() / columns, points)))


NOISE_LABEL = "noise floor (re-drawn random numbers)"


def _label(path: str, width: int = 28) -> str:
    """A parameter's readable name with its unit (:func:`sim.params.axis_label`), wrapped."""
    return wrap(NOISE_LABEL if path == NOISE else axis_label(path), width)


def change_unit(outcome: Outcome) -> tuple[float, str]:
    """The factor and unit of a change in ``outcome`` (a difference, ``mu*``, ``sigma``):
    percentage points for a share, else the outcome's unit."""
    return (100.0, "percentage points") if outcome.percent else (1.0, outcome.unit)


def threshold_text(outcome: Outcome) -> str:
    """When the claim holds, in the figures' units: ``<= 10%`` for a share, ``< 0 pp`` for a
    difference of shares, else the number itself."""
    op, threshold = outcome.holds
    if not outcome.percent:
        return f"{op} {threshold:g}"
    unit = "%" if outcome.reference is None else " pp"
    return f"{op} {100 * threshold:g}{unit}"


def _noise_line(ax: Axes, at: float) -> None:
    """The noise floor (the noise parameter's index) as a dotted red line, if there is one:
    a parameter left of it does not move the outcome more than re-drawn random numbers."""
    if not math.isnan(at):
        ax.axvline(at, ls=":", lw=1.2, c="tab:red", label=NOISE_LABEL)


def morris_figure(indices: pd.DataFrame, outcomes: list[Outcome]) -> Figure:
    """mu* against sigma per outcome, mu*_conf as horizontal error bars, in the outcome's
    units of change (`change_unit`)."""
    fig, axes = _grid(len(outcomes))
    columns = min(len(outcomes), 3)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        scale, unit = change_unit(outcome)
        mu, sigma = scale * rows["mu_star"], scale * rows["sigma"]
        ax.errorbar(mu, sigma, xerr=scale * rows["mu_star_conf"], fmt="o", capsize=3)
        labelled = rows.nlargest(LABELLED, "mu_star")  # the rest would only overlap
        for _, row in labelled.iterrows():
            if not math.isnan(row["mu_star"]):
                ax.annotate(
                    _label(row["parameter"]),
                    (scale * row["mu_star"], scale * row["sigma"]),
                    fontsize=font(7),
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        top = float(np.nanmax([*mu, *sigma, 0.0]))
        if top > 0:  # sigma = mu*: above it, the effect depends on the other parameters
            ax.plot([0, top], [0, top], ls="--", lw=0.8, c="grey", label="sigma = mu*")
        _noise_line(ax, scale * noise_floor(indices, outcome.name, "morris"))
        if top > 0:
            ax.legend(fontsize=font(7), loc="lower right")
        label = f"mu*: change over the parameter's range ({unit})"
        ax.set_xlabel(_panel_label(fig, label, 50, columns))
        ax.set_ylabel(f"sigma ({unit})")
        _panel_title(ax, fig, f"{outcome.claim}: {outcome.title}", 52, columns)
    _suptitle(
        fig,
        "Morris screening: importance (mu*, bars: 95% bootstrap interval) and"
        " non-linearity or interaction (sigma); the six largest mu* labelled",
    )
    return fig


def noise_figure(
    runs: pd.DataFrame,
    against: pd.DataFrame | None,
    noise: pd.DataFrame,
    outcomes: list[Outcome],
) -> Figure:
    """Per outcome, the runs at the scenario's values beside the points of the analysis
    they are set against (``against``, if any), in the outcome's units, with the claim's
    threshold dashed: where the two strips are as wide, one run's chance moves the outcome
    as much as every sampled parameter together."""
    fig, axes = _grid(len(outcomes))
    columns = min(len(outcomes), 3)
    jitter = np.random.default_rng(0)  # fixed: the same figure from the same tables
    for ax, outcome in zip(axes, outcomes, strict=False):
        scale = 100.0 if outcome.percent else 1.0
        unit = outcome.unit
        if outcome.percent:
            unit = "%" if outcome.reference is None else "percentage points"
        row = noise[noise["outcome"] == outcome.name].iloc[0]
        strips = [(f"{int(row['runs'])} runs at the\nscenario's values", runs[outcome.name])]
        if against is not None and outcome.name in against.columns:
            each = int(row["against_replications"])
            runs_each = f"{each} run{'s' if each > 1 else ''} each"
            label = f"{int(row['against_points'])} sampled points\n({runs_each})"
            strips.append((label, against[outcome.name]))
        for at, (_, values) in enumerate(strips):
            y = scale * values.dropna().to_numpy(dtype=np.float64)
            ax.scatter(at + jitter.uniform(-0.18, 0.18, y.size), y, s=12, alpha=0.6)
        ax.set_xticks(range(len(strips)), [label for label, _ in strips], fontsize=font(7))
        ax.set_xlim(-0.5, len(strips) - 0.5)
        ax.axhline(
            scale * outcome.holds[1],
            ls="--",
            lw=1,
            c="grey",
            label=f"claim holds where {threshold_text(outcome)}",
        )
        ax.legend(fontsize=font(7), loc="best")
        ax.set_ylabel(_panel_label(fig, f"{outcome.title} ({unit})", 40, columns))
        share = row["noise_share"]
        note = "" if math.isnan(share) else f" (noise share {100 * share:.0f}%)"
        _panel_title(ax, fig, f"{outcome.claim}: {outcome.title}{note}", 52, columns)
    _suptitle(
        fig,
        "Run-to-run noise: the scenario run again with new random numbers (left), against"
        " the spread over the sampled parameters (right); dashed: the claim's threshold",
    )
    return fig


def sobol_figure(indices: pd.DataFrame, outcomes: list[Outcome], method: str = "sobol") -> Figure:
    """S1 and ST bars with 95% intervals per outcome, in % of the outcome's variance (of
    the emulator's mean for the emulator method)."""
    fig, axes = _grid(len(outcomes))
    columns = min(len(outcomes), 3)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        at = np.arange(len(rows))
        s1, st = 100 * rows["S1"], 100 * rows["ST"]
        ax.barh(at - 0.2, s1, 0.4, xerr=100 * rows["S1_conf"], label="S1 (first order)")
        ax.barh(at + 0.2, st, 0.4, xerr=100 * rows["ST_conf"], label="ST (total)")
        ax.set_yticks(at, [_label(p, 34) for p in rows["parameter"]], fontsize=font(7))
        ax.invert_yaxis()
        ax.axvline(0, color="grey", lw=0.8)
        _noise_line(ax, 100 * noise_floor(indices, outcome.name, method))
        ax.set_xlabel("share of the outcome's variance (%)")
        _panel_title(ax, fig, f"{outcome.claim}: {outcome.title}", 52, columns)
        ax.legend(fontsize=font(7))
    _suptitle(
        fig,
        "Sobol indices with 95% bootstrap intervals"
        if method == "sobol"
        else "Sobol indices of the emulator (a Gaussian process fitted to the runs), with 95%"
        " intervals over its posterior",
    )
    return fig


def convergence_figure(
    table: pd.DataFrame, outcomes: list[Outcome], method: str = "sobol"
) -> Figure:
    """Total Sobol indices against the base sample they are estimated from (the emulator's
    training points for the emulator method), one line per
    parameter with its 95% bootstrap band, the noise parameter's in dotted red: converged
    where the lines have settled and the bands have narrowed (at most ``LABELLED``
    parameters, those with the largest ST at the full sample, are drawn)."""
    fig, axes = _grid(len(outcomes))
    columns = min(len(outcomes), 3)
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = table[table["outcome"] == outcome.name]
        full = rows[rows["samples"] == rows["samples"].max()]
        drawn = [*full.nlargest(LABELLED, "ST")["parameter"]]
        if NOISE not in drawn and NOISE in set(rows["parameter"]):
            drawn.append(NOISE)
        for parameter in drawn:
            line = rows[rows["parameter"] == parameter].sort_values("samples")
            n = line["samples"].to_numpy()
            st, half = 100 * line["ST"].to_numpy(), 100 * line["ST_conf"].to_numpy()
            noise = parameter == NOISE
            (drawn_line,) = ax.plot(
                n,
                st,
                marker="o",
                ms=3,
                label=_label(str(parameter)),
                color="tab:red" if noise else None,
                ls=":" if noise else "-",
            )
            ax.fill_between(n, st - half, st + half, color=drawn_line.get_color(), alpha=0.15)
        sizes = sorted(set(table["samples"]))
        ax.set_xlim(sizes[0] / 1.2, sizes[-1] * 1.2)
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes, [str(n) for n in sizes])
        if rows["ST"].isna().all():
            note = str(rows["note"].iloc[0]) if len(rows) else ""
            ax.text(0.5, 0.5, f"no index: {note}", ha="center", transform=ax.transAxes)
        ax.axhline(0, color="grey", lw=0.8)
        ax.set_xlabel(
            "Sobol base sample N (points: N x (parameters + 2))"
            if method == "sobol"
            else "points the emulator is fitted to (N)"
        )
        ax.set_ylabel("total index ST (% of variance)")
        _panel_title(ax, fig, f"{outcome.claim}: {outcome.title}", 52, columns)
        if not rows["ST"].isna().all():
            ax.legend(fontsize=font(6))
    _suptitle(
        fig,
        "Convergence: total Sobol indices estimated from the first N base samples,"
        " with 95% bootstrap bands"
        if method == "sobol"
        else "Convergence: total Sobol indices of the emulator fitted to the first N points,"
        " with 95% bands over its posterior",
    )
    return fig


BINS = 4
"""Cells per parameter in the claim map: a Morris grid of 4 levels puts one level in each."""


def _cells(plan: PlanView, path: str) -> tuple[NDArray[np.int64], list[str]]:
    """Each point's cell along one parameter (``BINS`` equal parts of its sampled range, on
    the sampling scale; one cell per level of a categorical parameter) and each cell's tick
    label (the parameter values in it)."""
    j = [p.path for p in plan.parameters].index(path)
    parameter = plan.parameters[j]
    if parameter.categorical:
        cells = np.array([parameter.level(float(v)) for v in plan.x[:, j]], dtype=np.int64)
        return cells, [str(level) for level in parameter.levels]
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


def claim_figure(plan: PlanView, points: pd.DataFrame, claims: pd.DataFrame) -> Figure:
    """Per claim outcome, the share of sampled points where the claim holds, in cells over
    its two most influential parameters (largest ``mu*`` or ``ST``): green where it holds
    everywhere, red where it never does, the border between them where it flips. Each cell
    says its share and its number of points; the other parameters vary within a cell."""
    fig, axes = _grid(len(plan.outcomes))
    columns = min(len(plan.outcomes), 3)
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
        count = np.zeros((len(y_ticks), len(x_ticks)))
        held = np.zeros((len(y_ticks), len(x_ticks)))
        np.add.at(count, (y_cells[defined], x_cells[defined]), 1.0)
        np.add.at(held, (y_cells[defined], x_cells[defined]), holds[defined])
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(count > 0, held / count, np.nan)
        ax.imshow(100 * share, cmap="RdYlGn", vmin=0, vmax=100, origin="lower", aspect="auto")
        for (j, i), n in np.ndenumerate(count):
            text = "no points" if n == 0 else f"{100 * share[j, i]:.0f}%\nn={n:.0f}"
            dark = n > 0 and not 0.2 <= share[j, i] <= 0.8  # the colour map's dark ends
            colour = "white" if dark else "0.1"
            ax.text(i, j, text, ha="center", va="center", fontsize=font(7), color=colour)
        ax.set_xticks(range(len(x_ticks)), x_ticks, fontsize=font(7))
        ax.set_yticks(range(len(y_ticks)), y_ticks, fontsize=font(7))
        ax.set_xlabel(_label(row["first"], 44), fontsize=font(8))
        ax.set_ylabel(_label(row["second"], 30) if row["second"] else "", fontsize=font(8))
        ax.grid(visible=False)
        total = row["share"]
        total_text = "no points" if math.isnan(total) else f"{100 * total:.0f}% of points"
        claim = f"{outcome.claim}: {outcome.title} {threshold_text(outcome)}"
        _panel_title(ax, fig, f"{claim}: holds at {total_text}", 56, columns)
    _suptitle(
        fig,
        "Claim map: share of sampled points where each claim holds (green 100%, red 0%),"
        " over its two most influential parameters",
    )
    return fig
