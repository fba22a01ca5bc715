"""Figures of the focal member's posts: reach over time, primary reach, who engages."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    BLOG_REACH_BAND,
    PRACTITIONER_REACH_BAND,
    REACH_LABELS,
    REACH_MEASURES,
    SOURCE_GROUPS,
    SOURCE_LABELS,
    TAG,
    Results,
    focal_posts,
    posts_by_source,
    replication_metrics,
    summarise,
    weekly_reach_bands,
    whose,
)
from sim.figures.style import (
    ABOVE,
    arm_labels,
    arm_names,
    draw_band,
    events_with_variants,
    figure,
    figure_legend,
    figure_titles,
    font,
    identical_handles,
    legend_rows,
    mark_events,
    no_data,
    source_colours,
    stacked_width,
    uncertainty_note,
    variant_colours,
    variant_handles,
)


def reach_over_time(results: Results) -> Figure:
    """Viewers per focal post by week of creation, primary and engagement-driven, per variant."""
    colours = variant_colours(results.variants)
    bands = weekly_reach_bands(results.posts, results.duration_days)
    fig = figure(12.5, 5.4)
    axes = list(fig.subplots(1, 2))
    marked: dict[str, Artist] = {}
    for ax, measure in zip(axes, REACH_MEASURES, strict=True):
        sub = bands[bands["measure"] == measure]
        n = len(results.variants)
        for i, variant in enumerate(results.variants):
            b = sub[sub["variant"] == variant]
            width = stacked_width(i, n)
            draw_band(ax, b["day"], b, colours[variant], linewidth=width, marker="o", markersize=3)
        means = sub["mean"].dropna()
        if means.empty:
            no_data(ax, "focal posts")
        elif means.max() > 0:  # an interval of few replications can be very wide: keep the
            ax.set_ylim(0, 1.6 * float(means.max()))  # means readable
        for handle in mark_events(ax, events_with_variants(results)):
            marked.setdefault(str(handle.get_label()), handle)
        ax.set_title(REACH_LABELS[measure])
        ax.set_xlabel("simulated day the post was created (weekly bins)")
        ax.set_ylabel("viewers per post")
        ax.set_xlim(0, results.duration_days)
    figure_titles(
        fig,
        f"Reach of {whose(results)} posts over time",
        results,
        uncertainty_note(results).replace("mean of", "weekly mean per post, mean of"),
    )
    short = {m: REACH_LABELS[m].split(":")[0].lower() + " reach" for m in REACH_MEASURES}
    same = identical_handles(
        bands, results.variants, panel="measure", panel_names=short, names=arm_labels(results)
    )
    legend_rows(
        fig, [variant_handles(results, results.variants, colours), list(marked.values()), same]
    )
    return fig


def primary_reach(results: Results) -> Figure:
    """Distribution of the primary reach of the focal posts per variant, against the claims."""
    colours = variant_colours(results.variants)
    focal = focal_posts(results.posts).dropna(subset=["primary_reach"])
    n = len(results.variants)
    fig = figure(max(7.0, 1.5 * n + 4.0), 5.6)
    ax = fig.subplots()
    blog = ax.axhspan(*BLOG_REACH_BAND, color="0.55", alpha=0.45, linewidth=0, zorder=0)
    practice = ax.axhspan(*PRACTITIONER_REACH_BAND, color="0.75", alpha=0.3, linewidth=0, zorder=0)
    rng = np.random.default_rng(0)  # jitter only: the same figure every time
    data = [
        100 * focal.loc[focal["variant"] == v, "primary_reach"].to_numpy() for v in results.variants
    ]
    ax.boxplot(
        data,
        positions=range(n),
        widths=0.5,
        showfliers=False,
        medianprops={"color": "0.1", "linewidth": 2},
        boxprops={"color": "0.2"},
        whiskerprops={"color": "0.2"},
        capprops={"color": "0.2"},
    )
    for i, (variant, values) in enumerate(zip(results.variants, data, strict=True)):
        if values.size == 0:
            ax.text(i, 0.5, "no focal posts", ha="center", va="bottom", fontsize=font(9))
            continue
        ax.scatter(
            i + rng.uniform(-0.18, 0.18, values.size),
            values,
            s=9,
            color=colours[variant],
            alpha=0.55,
            linewidths=0,
            zorder=3,
        )
        median = float(np.median(values))
        ax.annotate(
            f"median {median:.1f}%",
            (i + 0.27, median),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=font(9),
        )
    names = arm_names(results)
    ax.set_xticks(range(n), [names[v] for v in results.variants])
    ax.set_xlim(-0.6, n - 0.1)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("primary reach (% of the author's connections)\nprimary viewers / connections")
    ax.grid(axis="x", visible=False)
    blog.set_label(
        f"the blog post's claim: {BLOG_REACH_BAND[0]:g}–{BLOG_REACH_BAND[1]:g}%"
        " of connections see a post"
    )
    practice.set_label(
        f"practitioners: {PRACTITIONER_REACH_BAND[0]:g}–{PRACTITIONER_REACH_BAND[1]:g}%"
        " (test audience)"
    )
    box = Line2D([], [], color="0.1", linewidth=2, label="box: median and quartiles of posts")
    dots = Line2D([], [], marker="o", linestyle="", color="0.4", label="dot: one post")
    reps = (
        "one replication"
        if results.replications < 2
        else (f"posts of all {results.replications} replications")
    )
    figure_titles(fig, f"Primary reach of {whose(results)} posts", results, reps)
    figure_legend(fig, [blog, practice, box, dots], 2)
    return fig


def _per_post_bars(
    ax: Axes, results: Results, measure: str, means: pd.Series, totals: pd.DataFrame
) -> bool:
    """Bars of ``measure`` per post stacked by relationship group, one row per variant,
    the total's 95% interval as whiskers; returns whether tag notifications are hatched."""
    colours = source_colours()
    n = len(results.variants)
    ys = np.arange(n)[::-1]
    left = np.zeros(n)
    for group in SOURCE_GROUPS:
        width = np.array([means.get((v, measure, group), 0.0) for v in results.variants], float)
        ax.barh(ys, width, 0.6, left=left, color=colours[group])
        left += np.nan_to_num(width)
    tag = np.array([means.get((v, measure, TAG), 0.0) for v in results.variants], float)
    tagged = bool(np.nansum(tag) > 0)
    if tagged:
        ax.barh(ys, tag, 0.6, fill=False, hatch="///", edgecolor="0.15", linewidth=0)
    t = totals.reindex(results.variants)
    err = np.vstack([t["mean"] - t["lo"], t["hi"] - t["mean"]])
    ax.errorbar(
        t["mean"], ys, xerr=np.nan_to_num(err), fmt="none", ecolor="0.1", capsize=3, linewidth=1.2
    )
    for y, total in zip(ys, t["mean"], strict=True):
        if not math.isnan(total):
            hi = t["hi"].fillna(t["mean"]).to_numpy()[n - 1 - y]
            ax.annotate(
                f"{total:.1f}" if measure == "viewers" else f"{total:.2f}",
                (max(total, hi), y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=font(9),
            )
    ax.margins(x=0.15)
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    return tagged


def engagement_by_source(results: Results) -> Figure:
    """Viewers and engagements per focal post by relationship group, and the peer share."""
    colours = source_colours()
    per_rep = posts_by_source(results.posts)
    means = per_rep.groupby(["variant", "measure", "group"], sort=False)["per_post"].mean()
    metrics = replication_metrics(results.posts)
    totals = {
        "viewers": summarise(metrics, "viewers_per_post", ["variant"]).set_index("variant"),
        "engagements": summarise(metrics, "engagements_per_post", ["variant"]).set_index("variant"),
    }
    peer = summarise(metrics, "peer_share", ["variant"], share=True).set_index("variant")
    n = len(results.variants)
    fig = figure(14, 2.4 + 0.55 * n)
    axes = list(fig.subplots(1, 3, sharey=True, width_ratios=[1.2, 1.2, 0.8]))
    ys = np.arange(n)[::-1]
    titles = {"viewers": "Viewers per post", "engagements": "Engagements per post"}
    units = {"viewers": "viewers per post", "engagements": "likes + comments + shares per post"}
    tagged = False
    for ax, measure in zip(axes[:2], ("viewers", "engagements"), strict=True):
        tagged |= _per_post_bars(ax, results, measure, means, totals[measure])
        ax.set_title(titles[measure])
        ax.set_xlabel(units[measure])
    ax = axes[2]
    p = peer.reindex(results.variants)
    ax.hlines(ys, 100 * p["lo"], 100 * p["hi"], color="0.2", linewidth=2.5)
    ax.scatter(100 * p["mean"], ys, c=[colours["peer"]], s=60, zorder=3, edgecolors="0.1")
    for y, mean in zip(ys, p["mean"], strict=True):
        if not math.isnan(mean):
            ax.annotate(f"{100 * mean:.1f}%", (100 * mean, y), **ABOVE)
    ax.set_xlim(0, max(100.0, float(np.nanmax(100 * p["hi"].to_numpy(float), initial=0))))
    ax.set_title("Peer share of viewers")
    ax.set_xlabel("peer viewers / all viewers (%)")
    ax.grid(axis="y", visible=False)
    axes[0].set_yticks(ys, [arm_names(results)[v] for v in results.variants])
    axes[0].set_ylim(-0.6, n - 0.3)
    figure_titles(
        fig,
        f"Who sees and engages with {whose(results)} posts",
        results,
        "bars: mean per post over replications, split by the viewer's relationship to the author;"
        " whiskers: 95% confidence interval",
    )
    handles: list[Artist] = [Patch(color=colours[g], label=SOURCE_LABELS[g]) for g in SOURCE_GROUPS]
    if tagged:
        handles.append(
            Patch(
                fill=False,
                hatch="///",
                edgecolor="0.15",
                label="of them, through a tag notification",
            )
        )
    figure_legend(fig, handles, 3)
    return fig
