"""The figure of a parameter sweep: every outcome against the swept values, with 95% bands.

One swept parameter: a row per outcome, the variants' levels on the left and the paired
differences between variants on the right, against the swept value (log axis when the
values span more than 10x). Values that are not numbers (a ranker preset, an option) are
categories in the order they were given, each series a point with its 95% interval as an
error bar, side by side: no line joins categories. Two: a row per outcome, a column per
paired difference (or per variant when there is one), the first parameter on the x axis and
one line per value of the second (small multiples). More than two: no figure, the report
has a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis import (
    RUN_OUTCOMES,
    Metric,
    Results,
    identical_groups,
    list_text,
    log_axis,
    numeric_values,
    parameter_name,
    runs_range,
    runs_text,
    sweep_life_days,
    sweep_outcome_list,
    sweep_outcomes,
)
from sim.figures.style import (
    DASH_GREY,
    Colour,
    draw_band,
    figure,
    figure_legend,
    figure_titles,
    font,
    no_data,
    uncertainty_note,
    variant_colours,
    wrap,
)
from sim.params import axis_label

_ROW_HEIGHT = 2.6


PAIR_COLOURS = 5
"""Paired differences up to this many are drawn in the colour-blind palette's last five
colours (the first five are the variants'); with more, only each variant against the first
is drawn, in as many evenly spaced hues when they too are more than five."""


def _x_axis(ax: Axes, values: Sequence[Any], column: str) -> dict[Any, float]:
    """Set up the x axis of a swept parameter; returns the x position of each value."""
    if numeric_values(values):
        ordered = sorted(values)
        positions = {v: float(v) for v in ordered}
        if log_axis(ordered):
            ax.set_xscale("log")
        ax.set_xticks([positions[v] for v in ordered], [f"{v:g}" for v in ordered])
        ax.minorticks_off()
    else:
        positions = {v: float(i) for i, v in enumerate(values)}
        ax.set_xticks(list(positions.values()), [str(v) for v in values])
        ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_xlabel(wrap(axis_label(parameter_name(column)), 40))
    return positions


def _series(
    ax: Axes,
    rows: pd.DataFrame,
    column: str,
    positions: dict[object, float],
    colour: Colour,
    outcome: Metric,
    label: str,
    width: float = 2.0,
    dodge: float | None = None,
) -> Artist:
    """One series as points joined by a line, with its 95% band; returns its legend handle.

    With ``dodge`` (categories on the x axis), points with 95% error bars, shifted by
    ``dodge`` so that series at one category stand side by side.
    """
    rows = rows.assign(_x=rows[column].map(positions)).sort_values("_x")
    scale = 100.0 if outcome.percent else 1.0
    band = rows[["mean", "lo", "hi"]].reset_index(drop=True)
    top = 100.0 if outcome.percent and rows["kind"].eq("variant").all() else None
    marker = "s" if rows["kind"].eq("difference").all() else "o"
    if dodge is not None:
        mean, lo, hi = (scale * band[c].to_numpy() for c in ("mean", "lo", "hi"))
        errors = [mean - lo, hi - mean] if band["lo"].notna().any() else None
        ax.errorbar(
            rows["_x"].to_numpy() + dodge,
            mean,
            yerr=errors,
            color=colour,
            fmt=marker,
            ms=5,
            capsize=3,
            linewidth=1.5,
        )
    elif rows["kind"].eq("difference").all():
        x = rows["_x"].to_numpy()
        ax.plot(x, scale * band["mean"], color=colour, linewidth=width, marker="s", ms=4)
        ax.fill_between(x, scale * band["lo"], scale * band["hi"], color=colour, alpha=0.2, lw=0)
    else:
        draw_band(ax, rows["_x"].to_numpy(), band, colour, scale, top, lw=width, marker="o", ms=4)
    return Line2D(
        [],
        [],
        color=colour,
        linewidth=2.2,
        linestyle="none" if dodge is not None else "-",
        marker=marker,
        ms=5,
        label=label,
    )


def _dodge(values: Sequence[Any], i: int, n: int) -> float | None:
    """Shift of series ``i`` of ``n`` on a category axis (None when the values are numbers)."""
    if numeric_values(values):
        return None
    return (i - (n - 1) / 2) * min(0.15, 0.7 / n)


def _identical_note(frame: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """Notes naming the series among ``names`` drawn on top of each other (identical)."""
    rows = frame[frame["series"].isin(names)].sort_values(["series", "outcome", "point"])
    notes = []
    for group in identical_groups(rows, "series", ["mean", "lo", "hi"]):
        notes.append(f"{list_text(group)} are identical (their lines coincide)")
    return notes


def _one_parameter(results: Results, frame: pd.DataFrame, outcomes: list[Metric]) -> Figure:
    """Levels per variant (left) and paired differences (right), a row per outcome."""
    column = results.sweep_parameters[0]
    values = list(pd.unique(frame[column]))
    contrasts = list(pd.unique(frame.loc[frame["kind"] == "difference", "series"]))
    against = ""
    if len(contrasts) > PAIR_COLOURS:  # too many to read: each variant against the first
        reference = results.variants[0]
        contrasts = [c for c in contrasts if c.endswith(f" minus {reference}")]
        against = f" against {reference} (the report gives every pair)"
    ncols = 2 if contrasts else 1
    fig = figure(5.2 * ncols + 0.6, 1.6 + _ROW_HEIGHT * len(outcomes))
    grid = fig.subplots(len(outcomes), ncols, squeeze=False)
    colours = variant_colours(results.variants)
    palette = (
        sns.color_palette("colorblind", 10)[5:]
        if len(contrasts) <= PAIR_COLOURS
        else sns.color_palette("husl", len(contrasts))
    )
    pair_colours = dict(zip(contrasts, palette, strict=False))
    handles: dict[str, Artist] = {}
    for row, outcome in zip(grid, outcomes, strict=True):
        mine = frame[frame["outcome"] == outcome.name]
        ax = row[0]
        positions = _x_axis(ax, values, column)
        for i, variant in enumerate(results.variants):
            rows = mine[(mine["kind"] == "variant") & (mine["series"] == variant)]
            if rows["mean"].notna().any():
                width = 1.5 + 0.6 * (len(results.variants) - 1 - i)
                handles[variant] = _series(
                    ax,
                    rows,
                    column,
                    positions,
                    colours[variant],
                    outcome,
                    variant,
                    width,
                    _dodge(values, i, len(results.variants)),
                )
        ax.set_title(wrap(outcome.title, 48), fontsize=font(10))
        ax.set_ylabel(outcome.unit)
        if ncols == 2:
            ax = row[1]
            positions = _x_axis(ax, values, column)
            ax.axhline(0, color=DASH_GREY, linestyle="--", linewidth=1)
            drawn = False
            for j, contrast in enumerate(contrasts):
                rows = mine[(mine["kind"] == "difference") & (mine["series"] == contrast)]
                if rows["mean"].notna().any():
                    colour = tuple(pair_colours[contrast])
                    handles[contrast] = _series(
                        ax,
                        rows,
                        column,
                        positions,
                        colour,
                        outcome,
                        contrast,
                        dodge=_dodge(values, j, len(contrasts)),
                    )
                    drawn = True
            if not drawn:
                no_data(ax, "paired difference")
            title = wrap(f"{outcome.title}: paired differences{against}", 48)
            ax.set_title(title, fontsize=font(10))
            ax.set_ylabel(outcome.difference_unit)
    notes = _identical_note(frame, results.variants)
    legend = [
        *[Line2D([], [], linestyle="none", label=wrap(n, 60)) for n in notes],
        *handles.values(),
    ]
    against = "against" if numeric_values(values) else "by"
    title = f"Outcomes {against} {axis_label(parameter_name(column))}"
    _finish(fig, results, frame, outcomes, legend, title, values)
    return fig


def _two_parameters(results: Results, frame: pd.DataFrame, outcomes: list[Metric]) -> Figure:
    """Small multiples: a column per paired difference (or variant), a line per second value."""
    px, py = results.sweep_parameters[:2]
    kind = "difference" if (frame["kind"] == "difference").any() else "variant"
    columns = list(pd.unique(frame.loc[frame["kind"] == kind, "series"]))
    xs = list(pd.unique(frame[px]))
    ys = list(pd.unique(frame[py]))
    ys = sorted(ys) if numeric_values(ys) else ys
    palette = sns.color_palette("viridis", len(ys))
    fig = figure(max(8.0, 4.6 * len(columns) + 0.6), 1.6 + _ROW_HEIGHT * len(outcomes))
    grid = fig.subplots(len(outcomes), len(columns), squeeze=False)
    handles: dict[str, Artist] = {}
    for row, outcome in zip(grid, outcomes, strict=True):
        mine = frame[(frame["outcome"] == outcome.name) & (frame["kind"] == kind)]
        for ax, series in zip(row, columns, strict=True):
            positions = _x_axis(ax, xs, px)
            if kind == "difference":
                ax.axhline(0, color=DASH_GREY, linestyle="--", linewidth=1)
            for k, (colour, y) in enumerate(zip(palette, ys, strict=True)):
                rows = mine[(mine["series"] == series) & (mine[py] == y)]
                if rows["mean"].notna().any():
                    label = f"{axis_label(parameter_name(py))} = {y}"
                    handles[label] = _series(
                        ax,
                        rows,
                        px,
                        positions,
                        tuple(colour),
                        outcome,
                        label,
                        dodge=_dodge(xs, k, len(ys)),
                    )
            ax.set_title(wrap(f"{outcome.title}: {series}", 48), fontsize=font(10))
            unit = outcome.difference_unit if kind == "difference" else outcome.unit
            ax.set_ylabel(unit)
    notes = _identical_note(frame, results.variants)
    legend = [
        *[Line2D([], [], linestyle="none", label=wrap(n, 60)) for n in notes],
        *handles.values(),
    ]
    title = (
        f"Outcomes against {axis_label(parameter_name(px))} and {axis_label(parameter_name(py))}"
    )
    _finish(fig, results, frame, outcomes, legend, title, xs)
    return fig


def _runs_note(results: Results, frame: pd.DataFrame, interval: str) -> str:
    """What each point rests on and what its interval is, for the subtitle: the
    replications when every value has them all, else the runs each value rests on."""
    lo, hi = runs_range(frame)
    if lo == hi == results.replications or hi == 0:
        return uncertainty_note(results, interval)
    runs = runs_text(frame)
    if hi < 2:
        return f"each point: {runs} per variant, so no confidence {interval}"
    return f"each point: mean of {runs} per variant; {interval}: 95% confidence interval"


def _trend_note(results: Results, outcomes: Sequence[Metric]) -> str:
    """The words of the trend's outcomes (`RUN_OUTCOMES`), when they are drawn."""
    if not any(o in RUN_OUTCOMES for o in outcomes):
        return ""
    life = sweep_life_days(results)
    return (
        f"; viewers per post: posts whose life in the feed ({life:g} days) lies inside the "
        "run; non-adopters: authors with no post written while following the trend"
    )


def _finish(
    fig: Figure,
    results: Results,
    frame: pd.DataFrame,
    outcomes: Sequence[Metric],
    handles: Sequence[Artist],
    title: str,
    xs: Sequence[Any],
) -> None:
    """Titles and one legend below the panels (never over the data)."""
    runs = _runs_note(results, frame, "shaded band" if numeric_values(xs) else "error bar")
    note = f"{runs}; paired differences on common random numbers; dashed: zero"
    figure_titles(fig, title, results, note + _trend_note(results, outcomes))
    if handles:
        figure_legend(fig, handles, 2)


def sweep_figure(results: Results) -> Figure:
    """The outcomes of a sweep of one or two parameters (see the module docstring).

    Raises:
        ValueError: the folder is not a sweep, or sweeps more than two parameters.
    """
    if not results.is_sweep or not 1 <= len(results.sweep_parameters) <= 2:
        raise ValueError("sweep_outcomes needs a sweep of one or two parameters")
    frame = sweep_outcomes(results)
    outcomes = [
        o
        for o in sweep_outcome_list(results)
        if frame.loc[frame["outcome"] == o.name, "mean"].notna().any()
    ]
    if not outcomes:
        fig = figure(6, 3)
        no_data(fig.subplots(), "outcomes")
        return fig
    if len(results.sweep_parameters) == 1:
        return _one_parameter(results, frame, outcomes)
    return _two_parameters(results, frame, outcomes)
