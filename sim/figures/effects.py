"""Figures of effects: paired differences between strategies, and the map of a sweep."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from sim.analysis import (
    FOREST_METRICS,
    Metric,
    Results,
    compare,
    first_against_others,
    level_text,
    metric_title,
    parameter_name,
    shown_pairs,
    sweep_reach_difference,
    who,
)
from sim.figures.style import (
    ABOVE,
    DASH_GREY,
    arm_labels,
    arm_names,
    contrast_names,
    figure,
    figure_titles,
    font,
    no_data,
    variant_colours,
    wrap,
)
from sim.params import axis_label


def _horizon_title(metric: Metric, days: list[float]) -> str:
    """A panel's title; the never-heard share names the days after acceptance it is read
    at (one horizon, or the range over the pairs, each read at its arms' common horizon)."""
    known = sorted({d for d in days if not math.isnan(d)})
    if metric.name != "never_heard" or len(known) < 2:
        return metric_title(metric, known[0] if known else math.nan)
    return f"{metric.title} within {known[0]:g}–{known[-1]:g} days (by pair)"


def effects_forest(results: Results) -> Figure:
    """Paired effects, one panel per `FOREST_METRICS` metric: the scenario's comparisons
    (arm minus reference), or every variant against the first when it lists none; with
    ``--all-pairs`` the other pairs too (`shown_pairs`). The numbers are `compare`'s."""
    pairs = shown_pairs(results, first_against_others(results.variants))
    colours = variant_colours(results.variants)
    effects = compare(results, pairs)
    effects = effects[effects["outcome"].isin([m.name for m in FOREST_METRICS])]
    references = list(dict.fromkeys(a for a, _ in pairs))
    # a metric without any paired difference (e.g. no new stranger ties in the reference)
    # gets no panel; the report's table says why
    shown = [
        m for m in FOREST_METRICS if effects.loc[effects["outcome"] == m.name, "mean"].notna().any()
    ]
    ncols = min(4, max(len(shown), 1))
    nrows = math.ceil(max(len(shown), 1) / ncols)
    fig = figure(3.75 * ncols, 1.5 + nrows * (1.2 + 0.42 * len(pairs)))
    names = arm_names(results)
    grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ys = np.arange(len(pairs))[::-1]
    if not shown:
        no_data(grid[0][0], "paired differences")
    for ax, metric in zip([a for row in grid for a in row], shown, strict=False):
        e = effects[effects["outcome"] == metric.name].reset_index(drop=True)
        scale = 100.0 if metric.percent else 1.0
        ax.axvline(0, color=DASH_GREY, linewidth=1)
        for y, (_, row) in zip(ys, e.iterrows(), strict=True):
            mean, lo, hi = (scale * float(row[k]) for k in ("mean", "lo", "hi"))
            if math.isnan(mean):
                ax.annotate("no data", (0, y), **{**ABOVE, "ha": "left"})
                continue
            if not math.isnan(lo):
                ax.hlines(y, lo, hi, color=colours[str(row["b"])], linewidth=2.5)
            ax.plot(mean, y, "D", color=colours[str(row["b"])], markersize=7)
            ax.annotate(
                f"{mean:+.1f}" if abs(mean) >= 1 or mean == 0 else f"{mean:+.2f}",
                (mean, y),
                **ABOVE,
            )
        title = wrap(_horizon_title(metric, list(e["day"])), 34)
        levels = set(e["level"].dropna())
        if len(references) == 1 and len(levels) <= 1:  # one reference read at one horizon
            level = level_text(metric, levels.pop() if levels else math.nan)
            title = f"{title}\n{names[references[0]]}: {level}"
        ax.set_title(title, fontsize=font(10))
        ax.set_xlabel(f"difference ({metric.difference_unit})")
        ax.margins(x=0.15)
        ax.grid(axis="y", visible=False)
    for ax in [a for row in grid for a in row][max(len(shown), 1) :]:
        ax.set_visible(False)
    for row in grid:
        row[0].set_yticks(ys, [contrast_names(results, b, a) for a, b in pairs])
        row[0].set_ylim(-0.6, len(pairs) - 0.25)
    if results.comparisons:
        what = "The scenario's comparisons, arm minus reference"
    else:
        what = f"Effects of each strategy against {arm_labels(results)[results.variants[0]]}"
    under = "; under each title: the reference's mean" if len(references) == 1 else ""
    figure_titles(
        fig,
        f"{what}, paired by replication",
        results,
        "diamond: mean paired difference over replications; bar: 95% confidence interval" + under,
    )
    return fig


def reach_region(results: Results) -> Figure:
    """Heatmap over two swept parameters of the paired difference in viewers per post.

    Raises:
        ValueError: the folder is not a sweep of two parameters with two variants.
    """
    if len(results.sweep_parameters) != 2 or len(results.variants) < 2:
        raise ValueError("reach_region needs a sweep of two parameters and two variants")
    a, b = results.variants[0], results.variants[1]
    px, py = results.sweep_parameters
    diff = sweep_reach_difference(results.posts, [px, py], a, b)
    xs = sorted(diff[px].unique())
    ys = sorted(diff[py].unique())
    grid = diff.pivot_table(index=py, columns=px, values="mean", aggfunc="first").reindex(
        index=ys, columns=xs
    )
    lo = diff.pivot_table(index=py, columns=px, values="lo", aggfunc="first").reindex(
        index=ys, columns=xs
    )
    hi = diff.pivot_table(index=py, columns=px, values="hi", aggfunc="first").reindex(
        index=ys, columns=xs
    )
    values = grid.to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(values), initial=0.0)) or 1.0
    fig = figure(max(8.0, 3.5 + 1.1 * len(xs)), 2.6 + 0.8 * len(ys))
    names = arm_labels(results)
    ax = fig.subplots()
    mesh = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
    fig.colorbar(mesh, ax=ax, label=f"{names[b]} minus {names[a]}: viewers per post")
    significant = (lo.to_numpy(dtype=float) > 0) | (hi.to_numpy(dtype=float) < 0)
    for (j, i), value in np.ndenumerate(values):
        if math.isnan(value):
            ax.text(i, j, "no data", ha="center", va="center", fontsize=font(8))
            continue
        mark = " *" if significant[j, i] else ""
        ax.text(
            i,
            j,
            f"{value:+.1f}{mark}",
            ha="center",
            va="center",
            fontsize=font(9),
            color="white" if abs(value) > 0.6 * limit else "0.1",
        )
    if len(xs) > 1 and len(ys) > 1 and np.nanmin(values) < 0 < np.nanmax(values):
        ax.contour(
            np.arange(len(xs)),
            np.arange(len(ys)),
            values,
            levels=[0.0],
            colors="0.1",
            linewidths=1.5,
            linestyles="--",
        )
    ax.set_xticks(range(len(xs)), [f"{x:g}" if isinstance(x, float) else str(x) for x in xs])
    ax.set_yticks(range(len(ys)), [f"{y:g}" if isinstance(y, float) else str(y) for y in ys])
    ax.set_xlabel(axis_label(parameter_name(px)))
    ax.set_ylabel(axis_label(parameter_name(py)))
    ax.grid(visible=False)
    figure_titles(
        fig,
        f"Where {names[b]} reaches more than {names[a]}: viewers per post of {who(results)}",
        results,
        "mean paired difference over replications; *: 95% confidence interval excludes 0;"
        " dashed: zero",
    )
    return fig
