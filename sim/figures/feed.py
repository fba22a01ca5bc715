"""Figures of the focal member's feed and of what the platform believes about them."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    ROLLING_DAYS,
    SOURCE_GROUPS,
    SOURCE_LABELS,
    Results,
    band_over_days,
    belief_series,
    default_pairs,
    display_topics,
    group_topics,
    paired_differences,
    period_names,
    rolling_topic_share,
    shown_pairs,
    source_shares,
    summarise,
    topic_share_window,
    who,
    whose,
    window_note,
)
from sim.figures.style import (
    ABOVE,
    DASH_GREY,
    OTHER_GREY,
    arm_names,
    contrast_names,
    event_legend_handles,
    figure,
    figure_legend,
    figure_titles,
    font,
    legend_columns,
    line_with_band,
    mark_variant_events,
    no_data,
    panels,
    row_starts,
    source_colours,
    topic_colours,
    topic_handles,
    uncertainty_note,
)


def _period_label(period: str, results: Results) -> str:
    """A period of `source_shares` with its days, e.g. ``after (days 30-89)``."""
    start = results.after_start
    if period == "before" and start is not None:
        return f"before (days 0–{start - 1})"
    if period == "after" and start is not None:
        return f"after (days {start}–{results.last_day})"
    return f"whole run (days 0–{results.last_day})"


def feed_by_topic(results: Results) -> Figure:
    """Focal member's feed by topic over time, one panel per variant.

    With many fields, the largest few are named and the rest summed as "other"
    (`display_topics`).
    """
    topics = display_topics(results)
    colours = topic_colours(topics)
    feed = group_topics(results.feed, topics, ["impressions"])
    rolled = rolling_topic_share(feed, topics, results.duration_days, ROLLING_DAYS)
    band = band_over_days(rolled, "share", ["variant", "topic"], share=True)
    fig, axes = panels(len(results.variants), 4.8)
    names = arm_names(results)
    marked: dict[str, Artist] = {}
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = band[band["variant"] == variant]
        if sub.empty:
            no_data(ax, "feed impressions recorded")
        for topic in topics:
            line_with_band(ax, sub[sub["topic"] == topic], colours[topic], linewidth=1.8)
        mark_variant_events(ax, results, variant, marked)
        ax.set_title(names[variant])
        ax.set_xlabel("simulated day")
        ax.set_xlim(0, results.last_day)
        ax.set_ylim(bottom=0)
    for ax in row_starts(axes):
        ax.set_ylabel(f"share of feed impressions (%)\ntrailing {ROLLING_DAYS}-day mean")
    figure_titles(
        fig, f"What {whose(results)} feed shows, by topic", results, uncertainty_note(results)
    )
    event_handles = event_legend_handles(marked, results)
    handles = topic_handles(topics, colours) + event_handles
    figure_legend(fig, handles, legend_columns(len(handles)))
    return fig


def beliefs_vs_truth(results: Results) -> Figure:
    """Platform's inferred topic weights against the true interests, one panel per variant.

    Topics as in `feed_by_topic`; the weights of the topics not named are summed as "other".
    """
    topics = display_topics(results)
    colours = topic_colours(topics)
    weights = ["inferred_weight", "true_weight"]
    series = belief_series(group_topics(results.beliefs, topics, weights))
    inferred = band_over_days(series, "inferred_weight", ["variant", "topic"], share=True)
    truth = band_over_days(series, "true_weight", ["variant", "topic"], share=True)
    fig, axes = panels(len(results.variants), 4.8)
    names = arm_names(results)
    marked: dict[str, Artist] = {}
    for ax, variant in zip(axes, results.variants, strict=True):
        inf_v = inferred[inferred["variant"] == variant]
        true_v = truth[truth["variant"] == variant]
        if inf_v.empty:
            no_data(ax, "beliefs recorded")
        for topic in topics:
            line_with_band(ax, inf_v[inf_v["topic"] == topic], colours[topic], linewidth=1.8)
            t = true_v[true_v["topic"] == topic]
            ax.plot(t["day"], 100 * t["mean"], color=colours[topic], linestyle=":", linewidth=2)
        mark_variant_events(ax, results, variant, marked)
        ax.set_title(names[variant])
        ax.set_xlabel("simulated day (end-of-day snapshot)")
        ax.set_xlim(0, results.duration_days)
        ax.set_ylim(bottom=0)
    for ax in row_starts(axes):
        ax.set_ylabel("topic weight (% of the member's total)")
    figure_titles(
        fig,
        f"What the platform believes {who(results)} cares about, against the truth",
        results,
        uncertainty_note(results),
    )
    style_handles: list[Artist] = [
        Line2D([], [], color="0.2", linewidth=1.8, label="inferred by the platform"),
        Line2D([], [], color="0.2", linestyle=":", linewidth=2, label="true interest"),
    ]
    handles = topic_handles(topics, colours) + style_handles + event_legend_handles(marked, results)
    figure_legend(fig, handles, legend_columns(len(handles)))
    return fig


def feed_by_source(results: Results) -> Figure:
    """Share of the focal member's feed by source group, before and after the first event."""
    colours = source_colours()
    shares = source_shares(results.feed, results.after_start)
    periods = period_names(results.after_start)
    fig, axes = panels(len(results.variants), 5.0)
    names = arm_names(results)
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = shares[shares["variant"] == variant]
        if sub.empty:
            no_data(ax, "feed impressions recorded")
        bottom = np.zeros(len(periods))
        for group in SOURCE_GROUPS:
            g = sub[sub["group"] == group].set_index("period")["mean"]
            height = 100 * g.reindex(periods).fillna(0).to_numpy(dtype=float)
            ax.bar(range(len(periods)), height, 0.6, bottom=bottom, color=colours[group])
            for x, (h, b) in enumerate(zip(height, bottom, strict=True)):
                if h >= 5:
                    ax.text(x, b + h / 2, f"{h:.0f}%", ha="center", va="center", fontsize=font(9))
            bottom += height
        ax.set_xticks(range(len(periods)), [_period_label(p, results) for p in periods])
        ax.set_title(names[variant])
        ax.set_ylim(0, 100)
        ax.grid(axis="x", visible=False)
    for ax in row_starts(axes):
        ax.set_ylabel("share of feed impressions (%)")
    note = (
        "one replication"
        if results.replications < 2
        else f"mean of {results.replications} replications"
    )
    figure_titles(fig, f"Where {whose(results)} feed comes from", results, note)
    handles = [Patch(color=colours[g], label=SOURCE_LABELS[g]) for g in SOURCE_GROUPS]
    figure_legend(fig, handles, 2)
    return fig


_POINTS_NOTE = "points: mean over replications; bars: 95% confidence interval"


def focus_effect(results: Results) -> Figure:
    """The focus topic's share of the feed after the first event: levels and paired contrasts.

    The contrasts are the scenario's comparisons (arm minus reference), or every pair of
    `default_pairs` when it lists none or with ``--all-pairs`` (`shown_pairs`).

    Raises:
        ValueError: the scenario has no focus topic.
    """
    if results.focus_topic is None:
        raise ValueError("focus_effect needs a focus topic")
    first, last = results.focus_window
    per_rep = topic_share_window(results.feed, results.focus_topic, first, last)
    levels = summarise(per_rep, "share", ["variant"], share=True).set_index("variant")
    diffs = paired_differences(
        per_rep, "share", shown_pairs(results, default_pairs(results.variants))
    )
    colour = topic_colours(display_topics(results)).get(results.focus_topic, OTHER_GREY)
    fig = figure(11, 2.2 + 0.7 * max(len(results.variants), len(diffs)))
    fig.get_layout_engine().set(wspace=0.1)  # type: ignore[union-attr, call-arg]
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])

    ys = np.arange(len(results.variants))[::-1]
    lv = levels.reindex(results.variants)
    left.hlines(ys, 100 * lv["lo"], 100 * lv["hi"], color=colour, linewidth=2.5)
    left.plot(100 * lv["mean"], ys, "o", color=colour, markersize=8)
    for y, mean in zip(ys, lv["mean"], strict=True):
        if math.isnan(mean):
            left.annotate("no feed data", (0, y), **{**ABOVE, "ha": "left"})
        else:
            left.annotate(f"{100 * mean:.1f}%", (100 * mean, y), **ABOVE)
    left.set_yticks(ys, [arm_names(results)[v] for v in results.variants])
    left.set_ylim(-0.5, len(ys) - 0.2)  # room for the value above the top point
    left.margins(x=0.1)
    left.set_xlim(left=0)
    left.set_xlabel(f"share of {results.focus_topic} in feed impressions (%)")
    left.set_title(f"{results.focus_topic} share, days {first}–{last}")

    yd = np.arange(len(diffs))[::-1]
    right.axvline(0, color=DASH_GREY, linewidth=1)
    right.hlines(yd, 100 * diffs["lo"], 100 * diffs["hi"], color="0.2", linewidth=2.5)
    right.plot(100 * diffs["mean"], yd, "D", color="0.2", markersize=7)
    for y, mean in zip(yd, diffs["mean"], strict=True):
        if not math.isnan(mean):
            right.annotate(f"{100 * mean:+.1f} pp", (100 * mean, y), **ABOVE)
    right.set_yticks(
        yd, [contrast_names(results, b, a) for a, b in zip(diffs["a"], diffs["b"], strict=True)]
    )
    right.yaxis.tick_right()
    right.set_ylim(-0.5, len(yd) - 0.2)
    right.margins(x=0.1)
    right.set_xlabel("paired difference (percentage points)")
    right.set_title("Differences, paired by replication")
    figure_titles(
        fig,
        f"Share of {results.focus_topic} in {whose(results)} feed after the first event",
        results,
        "; ".join(
            n
            for n in (
                "points: mean over replications; bars: 95% confidence interval",
                window_note(results),
            )
            if n
        ),
    )
    handles: list[Artist] = [
        Line2D([], [], marker="o", linestyle="", color=colour, label="mean share"),
        Line2D([], [], marker="D", linestyle="", color="0.2", label="mean paired difference"),
        Line2D([], [], color="0.4", linewidth=2.5, label="95% confidence interval"),
    ]
    figure_legend(fig, handles, 3)
    return fig
