"""Figures of the focal member's ties: new strangers never heard from, connections by kind."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    BLOG_NEVER_HEARD,
    KIND_LABELS,
    NEVER_HEARD_DAYS,
    Results,
    band_over_days,
    connections_by_kind,
    followup_horizon,
    never_heard_curves,
    never_heard_levels,
    reached_share,
    sentence_case,
    stranger_followup,
    whose,
)
from sim.figures.style import (
    DASH_GREY,
    arm_labels,
    arm_names,
    draw_band,
    event_legend_handles,
    figure,
    figure_titles,
    font,
    identical_handles,
    kind_colours,
    legend_rows,
    mark_variant_events,
    no_data,
    panels,
    row_starts,
    stacked_width,
    uncertainty_note,
    variant_colours,
    variant_handles,
)

_INTRO_STYLE: dict[bool, Literal["-", "-."]] = {False: "-", True: "-."}
_INTRO_LABELS = {False: "accepted without an intro message", True: "with an intro message"}


def ties_never_heard(results: Results) -> Figure:
    """Kaplan-Meier share of new stranger ties never heard from, by days since acceptance.

    The value written on each curve, where it is defined in every replication (or at 90
    days), is `never_heard_levels`, the number the report's sentence gives.
    """
    colours = variant_colours(results.variants)
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    curves = never_heard_curves(followup, horizon, step=0.5)
    bands = band_over_days(curves, "share", ["variant", "intro_message"], share=True)
    levels = {
        (str(row["variant"]), bool(row["intro_message"])): (float(row["mean"]), float(row["day"]))
        for _, row in never_heard_levels(followup).iterrows()
    }
    fig = figure(10.5, 6.2)
    ax = fig.subplots()
    blog = ax.axhline(BLOG_NEVER_HEARD, color=DASH_GREY, linestyle="--", linewidth=1.2)
    blog.set_label(f"the blog post: {BLOG_NEVER_HEARD:g}% never heard from")
    shown: list[str] = []
    styles = set()
    labelled: list[float] = []
    n = len(results.variants)
    for i, variant in enumerate(results.variants):
        for intro in (False, True):
            b = bands[(bands["variant"] == variant) & (bands["intro_message"] == intro)]
            if b.empty:
                continue
            draw_band(
                ax,
                b["day"],
                b,
                colours[variant],
                scale=100.0,
                top=100.0,
                drawstyle="steps-post",
                linewidth=stacked_width(i, n),
                linestyle=_INTRO_STYLE[intro],
            )
            share, day = levels.get((variant, intro), (math.nan, math.nan))
            value = 100 * share
            if not math.isnan(value) and all(abs(value - v) >= 3 for v in labelled):
                labelled.append(value)  # one label per level
                ax.annotate(
                    f"{value:.0f}%",
                    (day, value),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=font(9),
                    color="0.2",
                )
            styles.add(intro)
            if variant not in shown:
                shown.append(variant)
    if not shown:
        no_data(ax, "new stranger ties")
    span = horizon * 1.07 if not math.isnan(horizon) else NEVER_HEARD_DAYS
    ax.set_xlim(0, max(span, 1.0))  # ties made on the last day have no follow-up: a day's axis
    ax.set_ylim(-2, 104)  # a curve at 0% stays visible above the axis
    ax.set_xlabel("days since the tie was accepted")
    ax.set_ylabel("new stranger ties with no interaction yet (%)")
    figure_titles(
        fig,
        "How many new stranger connections are never heard from",
        results,
        "Kaplan-Meier estimate per replication (censored at the run's end and when pruned); "
        + uncertainty_note(results).replace("mean of", "line: mean of"),
    )
    style_handles: list[Artist] = [
        Line2D([], [], color="0.3", linestyle=_INTRO_STYLE[i], linewidth=2, label=_INTRO_LABELS[i])
        for i in sorted(styles)
    ]
    legend_rows(fig, [variant_handles(results, shown, colours), [*style_handles, blog]])
    return fig


def connections_over_time(results: Results) -> Figure:
    """Connections by kind over time per variant, and the share ever reached by the posts."""
    colours = kind_colours()
    vcolours = variant_colours(results.variants)
    by_kind = connections_by_kind(results.connections)
    means = by_kind.pivot_table(
        index=["variant", "day"], columns="kind", values="connections", aggfunc="mean"
    )
    shares = band_over_days(reached_share(results.connections), "share", ["variant"], True)
    kinds = [k for k in KIND_LABELS if k in set(by_kind["kind"])]
    fig, axes = panels(len(results.variants) + 1, 4.6, sharey=False)
    days = np.arange(0, int(by_kind["day"].max()) + 1) if not by_kind.empty else np.arange(1)
    marked: dict[str, Artist] = {}
    names = arm_names(results)
    top = 0.0
    for ax, variant in zip(axes, results.variants, strict=False):
        if variant in means.index.get_level_values("variant"):
            part = means[means.index.get_level_values("variant") == variant]
            wide = part.droplevel("variant").reindex(index=days, columns=kinds)
        else:
            wide = pd.DataFrame(0.0, index=days, columns=kinds)
            no_data(ax, "connections recorded")
        stack = np.nan_to_num(wide.to_numpy(dtype=float).T)
        ax.stackplot(days, stack, colors=[colours[k] for k in kinds], linewidth=0)
        top = max(top, float(stack.sum(axis=0).max(initial=0.0)))
        mark_variant_events(ax, results, variant, marked)
        ax.set_title(names[variant])
        ax.set_xlabel("simulated day (end-of-day snapshot)")
        ax.set_xlim(0, results.duration_days)
    for ax in axes[: len(results.variants)]:
        ax.set_ylim(0, 1.05 * top if top > 0 else 1)
    for ax in row_starts(axes):
        if ax in axes[: len(results.variants)]:
            ax.set_ylabel(f"{whose(results)} connections\n(mean over replications)")
    ax = axes[-1]
    for i, variant in enumerate(results.variants):
        b = shares[shares["variant"] == variant]
        width = stacked_width(i, len(results.variants))
        draw_band(ax, b["day"], b, vcolours[variant], scale=100.0, top=100.0, linewidth=width)
    ax.set_title("Connections who ever saw a post")
    ax.set_xlabel("simulated day (end-of-day snapshot)")
    ax.set_ylabel("share of connections (%)")
    ax.set_xlim(0, results.duration_days)
    ax.set_ylim(0, 100)
    figure_titles(
        fig,
        f"{sentence_case(whose(results))} connections by kind, and how many the posts ever reach",
        results,
        "areas: mean over replications; last panel: "
        + uncertainty_note(results).replace("mean of", "line: mean of"),
    )
    kind_handles: list[Artist] = [Patch(color=colours[k], label=KIND_LABELS[k]) for k in kinds]
    events = event_legend_handles(marked, results)
    same = identical_handles(shares, results.variants, names=arm_labels(results))
    arms = variant_handles(results, results.variants, vcolours)
    legend_rows(fig, [kind_handles, arms, events, same])
    return fig
