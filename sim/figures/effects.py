"""Figures of effects: paired differences between strategies, and the map of a sweep."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from sim.analysis import (
    FOREST_METRICS,
    Results,
    followup_horizon,
    forest_effects,
    level_text,
    metric_title,
    parameter_name,
    replication_metrics,
    stranger_followup,
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


def effects_forest(results: Results) -> Figure:
    """Paired effects against the first variant, one panel per `FOREST_METRICS` metric."""
    colours = variant_colours(results.variants)
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    metrics = replication_metrics(
        results.posts, results.connections, results.ties, results.duration_days, horizon
    )
    effects = forest_effects(metrics, results.variants)
    reference, others = results.variants[0], results.variants[1:]
    reference_rows = metrics[metrics["variant"] == reference]
    levels = {m.name: float(reference_rows[m.name].mean()) for m in FOREST_METRICS}
    # a metric without any paired difference (e.g. no new stranger ties in the reference)
    # gets no panel; the report's table still lists it
    shown = [
        m for m in FOREST_METRICS if effects.loc[effects["metric"] == m.name, "mean"].notna().any()
    ]
    ncols = min(4, max(len(shown), 1))
    nrows = math.ceil(max(len(shown), 1) / ncols)
    fig = figure(3.75 * ncols, 1.5 + nrows * (1.2 + 0.42 * len(others)))
    names = arm_names(results)
    grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ys = np.arange(len(others))[::-1]
    if not shown:
        no_data(grid[0][0], "paired differences")
    for ax, metric in zip([a for row in grid for a in row], shown, strict=False):
        e = effects[effects["metric"] == metric.name].set_index("b").reindex(others)
        scale = 100.0 if metric.percent else 1.0
        ax.axvline(0, color=DASH_GREY, linewidth=1)
        for y, variant in zip(ys, others, strict=True):
            row = e.loc[variant, ["mean", "lo", "hi"]].to_numpy(dtype=float)
            mean, lo, hi = (scale * float(x) for x in row)
            if math.isnan(mean):
                ax.annotate("no data", (0, y), **{**ABOVE, "ha": "left"})
                continue
            if not math.isnan(lo):
                ax.hlines(y, lo, hi, color=colours[variant], linewidth=2.5)
            ax.plot(mean, y, "D", color=colours[variant], markersize=7)
            ax.annotate(
                f"{mean:+.1f}" if abs(mean) >= 1 or mean == 0 else f"{mean:+.2f}",
                (mean, y),
                **ABOVE,
            )
        level = levels.get(metric.name, math.nan)
        title = wrap(metric_title(metric, horizon), 34)
        ax.set_title(f"{title}\n{names[reference]}: {level_text(metric, level)}", fontsize=font(10))
        ax.set_xlabel(f"difference ({metric.difference_unit})")
        ax.margins(x=0.15)
        ax.grid(axis="y", visible=False)
    for ax in [a for row in grid for a in row][max(len(shown), 1) :]:
        ax.set_visible(False)
    for row in grid:
        row[0].set_yticks(ys, [contrast_names(results, v, reference) for v in others])
        row[0].set_ylim(-0.6, len(others) - 0.25)
    figure_titles(
        fig,
        f"Effects of each strategy against {arm_labels(results)[reference]}, paired by replication",
        results,
        "diamond: mean paired difference over replications; bar: 95% confidence interval;"
        " under each title: the reference's mean",
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
