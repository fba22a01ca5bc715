"""Figures of the "link with everyone" trend as a population process: how far it spreads,
what it does to reach, engagement and where feeds come from, and how alike feeds become.

Every arm keeps its colour (`variant_colours`); lines are means over replications and
shaded bands their 95% confidence intervals.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    AUTHOR_GROUPS,
    AUTHOR_LABELS,
    SOURCE_GROUPS,
    SOURCE_LABELS,
    TREND_PERIODS,
    TREND_REACH_MEASURES,
    WEEK_DAYS,
    Results,
    adoption_curves,
    daily_trend_bands,
    day_text,
    growth_bands,
    non_adopter_sources,
    post_life_days,
    reach_by_author_bands,
    similarity_bands,
    trend_arms,
    trend_periods,
)
from sim.figures.style import (
    arm_labels,
    arm_names,
    draw_band,
    figure,
    figure_legend,
    figure_titles,
    font,
    identical_handles,
    legend_rows,
    line_with_band,
    no_data,
    panels,
    row_starts,
    source_colours,
    stacked_width,
    uncertainty_note,
    variant_colours,
    variant_handles,
)

#: Line style of each author group in `trend_reach`.
_GROUP_STYLE: dict[str, Literal["-", "--"]] = {"adopter": "-", "non_adopter": "--"}


def _line_note(results: Results) -> str:
    """`uncertainty_note` for line figures: ``line: mean of n replications; ...``."""
    return uncertainty_note(results).replace("mean of", "line: mean of")


def trend_adoption(results: Results) -> Figure:
    """The share of members following the trend, and the members adopting it each day, one
    line per arm over the snapshot days (mean over replications, 95% band)."""
    colours = variant_colours(results.variants)
    curves = adoption_curves(results.adoption)
    daily = growth_bands(results.adoption)
    fig = figure(12.5, 5.4)
    left, right = fig.subplots(1, 2)
    n = len(results.variants)
    for i, variant in enumerate(results.variants):
        width = stacked_width(i, n)
        curve = curves[curves["variant"] == variant]
        line_with_band(left, curve, colours[variant], linewidth=width)
        d = daily[daily["variant"] == variant]
        draw_band(right, d["day"], d, colours[variant], linewidth=width)
    left.set_title("Share of members following the trend")
    left.set_xlabel("simulated day (end-of-day snapshot; day 0: the seeded start)")
    left.set_ylabel("members following the trend (%)")
    left.set_ylim(0, 100)
    right.set_title("Members adopting it each day")
    right.set_xlabel("simulated day (end-of-day snapshot)")
    right.set_ylabel("adopters gained that day (members;\nnew adopters minus those who dropped)")
    right.set_ylim(bottom=0)
    for ax in (left, right):
        ax.set_xlim(0, results.duration_days)
    figure_titles(fig, "How far the trend spreads", results, _line_note(results))
    same = identical_handles(curves, results.variants, names=arm_labels(results))
    legend_rows(fig, [variant_handles(results, results.variants, colours), same])
    return fig


def _measure_colours() -> dict[str, tuple[float, float, float]]:
    """A colour per `TREND_REACH_MEASURES` measure (the colorblind palette's first three)."""
    palette = sns.color_palette("colorblind", 3)
    return {m: tuple(palette[i]) for i, m in enumerate(TREND_REACH_MEASURES)}


def trend_reach(results: Results) -> Figure:
    """Viewers per post by week of creation, for adopters' and non-adopters' posts, one
    panel per arm (complete posts only: their whole life lies inside the run)."""
    life = post_life_days(results.manifest)
    bands = reach_by_author_bands(results.posts, results.duration_days, life)
    colours = _measure_colours()
    fig, axes = panels(len(results.variants), 4.6)
    names = arm_names(results)
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = bands[bands["variant"] == variant]
        if sub.empty:
            no_data(ax, "complete posts")
        for group in AUTHOR_GROUPS:
            for measure in TREND_REACH_MEASURES:
                b = sub[(sub["author_group"] == group) & (sub["measure"] == measure)]
                draw_band(
                    ax,
                    b["day"],
                    b,
                    colours[measure],
                    linestyle=_GROUP_STYLE[group],
                    linewidth=1.8,
                    marker="o",
                    markersize=3,
                )
        ax.set_title(names[variant])
        ax.set_xlabel(f"simulated day the post was created ({WEEK_DAYS}-day bins)")
        ax.set_xlim(0, max(results.duration_days - life, 1.0))
    top = float(bands["mean"].max()) if not bands.empty else 0.0
    if top > 0:  # shared by the panels; a wide interval of few replications is cut so that
        axes[0].set_ylim(0, 1.25 * top)  # the means stay readable
    else:
        axes[0].set_ylim(bottom=0)
    for ax in row_starts(axes):
        ax.set_ylabel("viewers per post")
    figure_titles(
        fig,
        "Reach per post of adopters' and non-adopters' posts, by week of creation",
        results,
        "adopters: authors with a post written while following the trend (all their posts); "
        f"posts created at least {day_text(life)} days (a post's life in the feed) before "
        "the end; " + _line_note(results),
    )
    handles: list[Artist] = [
        Line2D([], [], color=colours[m], linewidth=2, label=label)
        for m, label in TREND_REACH_MEASURES.items()
    ]
    styles: list[Artist] = [
        Line2D(
            [],
            [],
            color="0.3",
            linestyle=_GROUP_STYLE[g],
            linewidth=2,
            label=f"posts by {AUTHOR_LABELS[g]}",
        )
        for g in AUTHOR_GROUPS
    ]
    legend_rows(fig, [handles, styles])
    return fig


#: Panels of `trend_reach_vs_adoption`: measure, title, y label and scale.
_DAILY_PANELS = (
    ("reach", "Viewers per post (posts of the day)", "viewers per post", 1.0),
    (
        "engagement_rate",
        "Engagements per impression (all viewers)",
        "engagements per impression (%)",
        100.0,
    ),
)


def trend_reach_vs_adoption(results: Results) -> Figure:
    """Everyone's viewers per post and engagements per impression day by day, against the
    share of members following the trend that day, one line per arm (error bars: 95%
    intervals over replications); arms without the trend as a level."""
    life = post_life_days(results.manifest)
    colours = variant_colours(results.variants)
    bands = daily_trend_bands(
        results.posts, results.population, results.adoption, results.duration_days, life
    )
    with_trend = {a.name: a.has_trend for a in trend_arms(results.manifest, results.variants)}
    labels = arm_labels(results)
    fig = figure(12.5, 5.6)
    axes = list(fig.subplots(1, 2))
    levels: list[Artist] = []
    for ax, (measure, title, label, scale) in zip(axes, _DAILY_PANELS, strict=True):
        sub = bands[bands["measure"] == measure]
        if sub.empty:
            no_data(ax, "days with complete posts" if measure == "reach" else "impressions")
        for variant in results.variants:
            b = sub[sub["variant"] == variant].sort_values("day")
            if b.empty:
                continue
            x = 100 * b["adopter_share"].to_numpy(dtype=float)
            y = scale * b["mean"].to_numpy(dtype=float)
            if not with_trend.get(variant, True):
                level = float(np.nanmean(y))
                line = ax.axhline(level, color=colours[variant], linestyle=":", linewidth=2)
                if measure == _DAILY_PANELS[0][0]:
                    line.set_label(f"{labels[variant]} (no adopters): mean over its days")
                    levels.append(line)
                continue
            lo = scale * b["lo"].to_numpy(dtype=float)
            hi = scale * b["hi"].to_numpy(dtype=float)
            err = np.vstack([y - lo, hi - y])
            ax.errorbar(
                x,
                y,
                yerr=np.nan_to_num(np.clip(err, 0, None)),
                color=colours[variant],
                marker="o",
                markersize=3.5,
                linewidth=1.6,
                elinewidth=0.8,
                alpha=0.9,
            )
        ax.set_title(title)
        ax.set_xlabel("members following the trend that day (%)")
        ax.set_ylabel(label)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    figure_titles(
        fig,
        "Everyone's reach and engagement as the trend spreads",
        results,
        "one point per day; viewers per post: posts created that day, only days whose posts' "
        f"whole {day_text(life)}-day life lies inside the run; "
        + uncertainty_note(results, "error bar"),
    )
    shown = [v for v in results.variants if with_trend.get(v, True)]
    legend_rows(fig, [variant_handles(results, shown, colours), levels])
    return fig


def trend_feed_sources(results: Results) -> Figure:
    """Share of non-adopters' feed impressions by source group in the first and the last
    week, one panel per arm (in an arm without the trend, everyone is a non-adopter)."""
    colours = source_colours()
    shares = non_adopter_sources(results.population, results.duration_days)
    periods = trend_periods(results.duration_days)
    fig, axes = panels(len(results.variants), 5.0)
    names = arm_names(results)
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = shares[shares["variant"] == variant]
        if sub.empty or sub["mean"].isna().all():
            no_data(ax, "non-adopter impressions")
        bottom = np.zeros(len(TREND_PERIODS))
        for group in SOURCE_GROUPS:
            g = sub[sub["group"] == group].set_index("period")["mean"]
            height = 100 * g.reindex(list(TREND_PERIODS)).fillna(0).to_numpy(dtype=float)
            ax.bar(range(len(TREND_PERIODS)), height, 0.6, bottom=bottom, color=colours[group])
            for x, (h, b) in enumerate(zip(height, bottom, strict=True)):
                if h >= 5:
                    ax.text(x, b + h / 2, f"{h:.0f}%", ha="center", va="center", fontsize=font(9))
            bottom += height
        base = sub.groupby("period", sort=False)["impressions"].first()
        labels = []
        for period in TREND_PERIODS:
            first, last = periods[period]
            count = float(base.get(period, np.nan))
            impressions = "no impressions" if np.isnan(count) else f"{count:,.0f} impressions"
            labels.append(f"{period}\n(days {first}–{last})\n{impressions}")
        ax.set_xticks(range(len(TREND_PERIODS)), labels)
        ax.set_title(names[variant])
        ax.set_ylim(0, 100)
        ax.grid(axis="x", visible=False)
    for ax in row_starts(axes):
        ax.set_ylabel("share of non-adopters' feed impressions (%)")
    note = (
        "one replication"
        if results.replications < 2
        else f"mean of {results.replications} replications; impressions: mean per replication"
    )
    figure_titles(
        fig,
        "Where the feeds of members not following the trend come from, first and last week",
        results,
        "non-adopters: viewers not following the trend at the impression; " + note,
    )
    handles = [Patch(color=colours[g], label=SOURCE_LABELS[g]) for g in SOURCE_GROUPS]
    figure_legend(fig, handles, 2)
    return fig


def trend_feed_similarity(results: Results) -> Figure:
    """Mean pairwise cosine similarity of members' daily topic mixes, one line per arm."""
    colours = variant_colours(results.variants)
    bands = similarity_bands(results.adoption)
    fig = figure(9.0, 5.4)
    ax = fig.subplots()
    n = len(results.variants)
    for i, variant in enumerate(results.variants):
        b = bands[bands["variant"] == variant]
        draw_band(ax, b["day"], b, colours[variant], top=1.0, linewidth=stacked_width(i, n))
    if bands.empty:
        no_data(ax, "feed similarity recorded")
    ax.set_xlabel("simulated day (feed day)")
    ax.set_ylabel("feed similarity (mean pairwise cosine of\nmembers' topic mixes; 1: all alike)")
    ax.set_xlim(0, results.last_day)
    ax.set_ylim(0, 1)
    figure_titles(fig, "How alike members' feeds are", results, _line_note(results))
    same = identical_handles(bands, results.variants, names=arm_labels(results))
    legend_rows(fig, [variant_handles(results, results.variants, colours), same])
    return fig
