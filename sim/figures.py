"""Figures drawn from a saved results folder (never from a running simulation).

`draw_figures` writes every figure as PNG (150 dpi) and SVG into ``RESULTS_DIR/figures/``.
All figures share one style: seaborn's ``whitegrid`` with the ``colorblind`` palette, a topic
keeps its colour in every figure (`topic_colours`), lines are means over replications and
shaded bands their 95% confidence intervals. SVG text stays text (``svg.fonttype = none``), so
labels can be searched and the files stay small.

With `report.py`, this is the only module of the package that imports matplotlib or seaborn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    FOREST_METRICS,
    NEVER_HEARD_DAYS,
    REACH_MEASURES,
    SOURCE_GROUPS,
    TAG,
    Metric,
    Results,
    band_over_days,
    belief_series,
    connections_by_kind,
    default_pairs,
    focal_posts,
    followup_horizon,
    forest_effects,
    has_source_columns,
    load_results,
    never_heard_curves,
    paired_differences,
    period_names,
    posts_by_source,
    reached_share,
    replication_metrics,
    rolling_topic_share,
    source_shares,
    stranger_followup,
    summarise,
    sweep_reach_difference,
    topic_share_window,
    weekly_reach_bands,
)

Colour = tuple[float, float, float]

#: Legend text of each source group.
SOURCE_LABELS = {
    "peer": "peers (colleagues, field peers, offline, clients)",
    "second_degree": "second degree (a connection engaged)",
    "stranger": "strangers (accepted without knowing them)",
    "out_of_network": "out of network (recommended)",
}

#: Source group colours, from the end of the colorblind palette so they differ from the
#: first topics' colours.
_SOURCE_PALETTE_INDEX = {"peer": 9, "second_degree": 8, "stranger": 5, "out_of_network": 7}

ROLLING_DAYS = 7
DPI = 150
_BAND_ALPHA = 0.2
_PANEL_WIDTH = 4.6
_DASH_GREY = "0.35"
#: Keyword arguments of `Axes.annotate` for a value printed just above its point.
_ABOVE: dict[str, Any] = {
    "xytext": (0, 7),
    "textcoords": "offset points",
    "ha": "center",
    "va": "bottom",
    "fontsize": 9,
}


def topic_colours(topics: Sequence[str]) -> dict[str, Colour]:
    """Fixed colour of each topic: the colorblind palette in the scenario's topic order.

    Args:
        topics: topic names in scenario order.

    Returns:
        Topic name to RGB colour.
    """
    palette = sns.color_palette("colorblind", len(topics))
    return {topic: tuple(palette[i]) for i, topic in enumerate(topics)}


def source_colours() -> dict[str, Colour]:
    """Fixed colour of each source group (see `SOURCE_LABELS`)."""
    palette = sns.color_palette("colorblind", 10)
    return {group: tuple(palette[i]) for group, i in _SOURCE_PALETTE_INDEX.items()}


def _day_text(day: float) -> str:
    """A day as a reader writes it: ``30`` rather than ``30.0``."""
    return str(int(day)) if float(day).is_integer() else f"{day:g}"


#: Wording of known event actions, filled from the event's keys; the member goes in front.
_EVENT_PHRASES = {
    "accept_invitations": "accepts {count} invitations from {field}",
    "prune": "removes the {kinds} connections never heard from",
}


def _describe_event(event: dict[str, Any]) -> str:
    """An event in words, e.g. ``recruiter accepts 100 invitations from it``.

    Known actions use `_EVENT_PHRASES`. Any other action (or one lacking a key its phrase
    needs) reads as its words, a count after the first word and the field in brackets:
    ``recruiter: tag 3 peers (field: it)``.
    """
    action = str(event.get("action", "scripted event"))
    member = event.get("member")
    fields = {
        k: " and ".join(str(x).replace("_", " ") for x in v) if isinstance(v, list) else v
        for k, v in event.items()
    }
    try:
        text = _EVENT_PHRASES[action].format_map(fields)
        return f"{member} {text}" if member else text
    except KeyError:
        words = action.replace("_", " ").split()
        if event.get("count") is not None:
            words.insert(1, str(event["count"]))
        text = " ".join(words)
        if event.get("field"):
            text += f" (field: {event['field']})"
        return f"{member}: {text}" if member else text


def event_labels(results: Results) -> list[tuple[float, str]]:
    """Label of each event day, e.g. ``day 30: recruiter accepts 100 invitations from it``.

    The words come from the events of the manifest (see `Results.events`); different events
    on one day are joined with ``;``, the same event in several variants is named once. A
    day without a matching event reads ``day D: scripted event``.

    Args:
        results: the results folder.

    Returns:
        ``(day, label)`` per event day, ascending.
    """
    labels = []
    for day in results.event_days:
        texts = dict.fromkeys(
            _describe_event(e)
            for e in results.events
            if e.get("day") is not None and float(e["day"]) == day
        )
        labels.append((day, f"day {_day_text(day)}: {'; '.join(texts) or 'scripted event'}"))
    return labels


def _period_label(period: str, results: Results) -> str:
    """A period of `source_shares` with its days, e.g. ``after (days 30-89)``."""
    start = results.after_start
    if period == "before" and start is not None:
        return f"before (days 0–{start - 1})"
    if period == "after" and start is not None:
        return f"after (days {start}–{results.last_day})"
    return f"whole run (days 0–{results.last_day})"


def _uncertainty_note(results: Results) -> str:
    """What lines and bands mean, for a subtitle."""
    if results.replications < 2:
        return "one replication, so no confidence band"
    return f"mean of {results.replications} replications; shaded band: 95% confidence interval"


@contextmanager
def _style() -> Iterator[None]:
    """The one plot style of the project, for the duration of a ``with`` block."""
    rc = {
        **sns.axes_style("whitegrid"),
        **sns.plotting_context("notebook", font_scale=0.9),
        "svg.fonttype": "none",
        "svg.hashsalt": "feedsim",
        "axes.titleweight": "bold",
        "figure.titleweight": "bold",
        "legend.frameon": False,
    }
    with matplotlib.rc_context(rc):
        yield


def _grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns for n panels: one row up to three, else two or more rows of three."""
    ncols = n if n <= 3 else 3
    return math.ceil(n / ncols), ncols


def _panels(n: int, height: float, sharey: bool = True) -> tuple[Figure, list[Axes]]:
    """A figure with one panel per variant, in rows of at most three, sharing the y axis.

    ``height`` is the height of one row. Panels left over in the last row are hidden; every
    panel shows its x tick labels, as the rows may end at different panels.
    """
    nrows, ncols = _grid_shape(n)
    fig = Figure(
        figsize=(_PANEL_WIDTH * ncols + 0.8, height * nrows - 0.6 * (nrows - 1)),
        layout="constrained",
    )
    grid = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False)
    axes = [ax for row in grid for ax in row]
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.tick_params(labelbottom=True)
    return fig, axes[:n]


def _row_starts(axes: Sequence[Axes]) -> list[Axes]:
    """The first panel of each row of `_panels`."""
    ncols = _grid_shape(len(axes))[1]
    return list(axes[::ncols])


#: Colours of variants, in the manifest's variant order: Paul Tol's colour-blind safe
#: "muted" scheme, a different set from the topics' so that a variant is not taken for a
#: topic.
_VARIANT_HEX = (
    "#332288",
    "#CC6677",
    "#117733",
    "#DDCC77",
    "#882255",
    "#88CCEE",
    "#44AA99",
    "#999933",
    "#AA4499",
)


def variant_colours(variants: Sequence[str]) -> dict[str, Colour]:
    """Fixed colour of each variant, by its position in the manifest (see `_VARIANT_HEX`)."""
    rgb = [matplotlib.colors.to_rgb(h) for h in _VARIANT_HEX]
    return {v: rgb[i % len(rgb)] for i, v in enumerate(variants)}


def _variant_events(results: Results, variant: str) -> list[tuple[float, str]]:
    """`event_labels` of the days on which ``variant`` has an event.

    When the manifest lists events by variant, a variant sees only its own; otherwise
    every event applies to every variant.
    """
    labels = event_labels(results)
    by_variant = results.manifest.get("events")
    if not isinstance(by_variant, dict):
        return labels
    days = {
        float(e["day"])
        for e in by_variant.get(variant) or []
        if isinstance(e, dict) and e.get("day") is not None
    }
    return [(day, label) for day, label in labels if day in days]


def _events_with_variants(results: Results) -> list[tuple[float, str]]:
    """`event_labels` for a figure of all variants: each names its variants unless all."""
    out = []
    for day, label in event_labels(results):
        having = [v for v in results.variants if day in dict(_variant_events(results, v))]
        if having and len(having) < len(results.variants):
            label += f" (in {', '.join(having)})"
        out.append((day, label))
    return out


def _no_data(ax: Axes, what: str) -> None:
    """Say in the panel that there is nothing to show."""
    ax.text(0.5, 0.5, f"no {what}", transform=ax.transAxes, ha="center", va="center")


def _mark_events(ax: Axes, labels: list[tuple[float, str]]) -> list[Artist]:
    """A dashed vertical line per event day; returns the legend handles."""
    return [
        ax.axvline(day, color=_DASH_GREY, linestyle="--", linewidth=1.2, label=label)
        for day, label in labels
    ]


def _mark_variant_events(
    ax: Axes, results: Results, variant: str, handles: dict[str, Artist]
) -> None:
    """`_mark_events` for one variant's panel; adds new legend handles to ``handles``."""
    for handle in _mark_events(ax, _variant_events(results, variant)):
        handles.setdefault(str(handle.get_label()), handle)


def _event_handles(handles: dict[str, Artist], results: Results) -> list[Artist]:
    """The event legend handles in the order of the event days."""
    order = [label for _, label in event_labels(results)]
    return sorted(handles.values(), key=lambda h: order.index(str(h.get_label())))


def _titles(fig: Figure, title: str, results: Results, note: str) -> None:
    """Figure title with the scenario name and a note on what lines and bands mean."""
    fig.suptitle(f"{title}\n{results.manifest.get('scenario_name', '')}: {note}")


def _legend(fig: Figure, handles: Sequence[Artist], ncol: int) -> None:
    """One legend for the whole figure, below the panels."""
    fig.legend(handles=list(handles), loc="outside lower center", ncol=max(1, ncol))


def _topic_handles(results: Results, colours: dict[str, Colour]) -> list[Artist]:
    return [Line2D([], [], color=colours[t], linewidth=2, label=t) for t in results.topics]


def _line_with_band(ax: Axes, band: pd.DataFrame, colour: Colour, **kwargs: Any) -> None:
    """The mean in percent as a line and its 95% interval as a shaded band.

    The band is clipped to 0-100%: with few replications a t interval of a share can reach
    past the values a share can take. Nothing is drawn for an empty ``band``.
    """
    if band.empty:
        return
    ax.plot(band["day"], 100 * band["mean"], color=colour, **kwargs)
    ax.fill_between(
        band["day"],
        np.clip(100 * band["lo"], 0, 100),
        np.clip(100 * band["hi"], 0, 100),
        color=colour,
        alpha=_BAND_ALPHA,
        linewidth=0,
    )


def feed_by_topic(results: Results) -> Figure:
    """Focal member's feed by topic over time, one panel per variant."""
    colours = topic_colours(results.topics)
    rolled = rolling_topic_share(results.feed, results.topics, results.duration_days, ROLLING_DAYS)
    band = band_over_days(rolled, "share", ["variant", "topic"])
    fig, axes = _panels(len(results.variants), 4.8)
    marked: dict[str, Artist] = {}
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = band[band["variant"] == variant]
        if sub.empty:
            _no_data(ax, "feed impressions recorded")
        for topic in results.topics:
            _line_with_band(ax, sub[sub["topic"] == topic], colours[topic], linewidth=1.8)
        _mark_variant_events(ax, results, variant, marked)
        ax.set_title(variant)
        ax.set_xlabel("simulated day")
        ax.set_xlim(0, results.last_day)
        ax.set_ylim(bottom=0)
    for ax in _row_starts(axes):
        ax.set_ylabel(f"share of feed impressions (%)\ntrailing {ROLLING_DAYS}-day mean")
    _titles(
        fig, "What the focal member's feed shows, by topic", results, _uncertainty_note(results)
    )
    event_handles = _event_handles(marked, results)
    handles = _topic_handles(results, colours) + event_handles
    _legend(fig, handles, len(results.topics) + len(event_handles))
    return fig


def beliefs_vs_truth(results: Results) -> Figure:
    """Platform's inferred topic weights against the true interests, one panel per variant."""
    colours = topic_colours(results.topics)
    series = belief_series(results.beliefs)
    inferred = band_over_days(series, "inferred_weight", ["variant", "topic"])
    truth = band_over_days(series, "true_weight", ["variant", "topic"])
    fig, axes = _panels(len(results.variants), 4.8)
    marked: dict[str, Artist] = {}
    for ax, variant in zip(axes, results.variants, strict=True):
        inf_v = inferred[inferred["variant"] == variant]
        true_v = truth[truth["variant"] == variant]
        if inf_v.empty:
            _no_data(ax, "beliefs recorded")
        for topic in results.topics:
            _line_with_band(ax, inf_v[inf_v["topic"] == topic], colours[topic], linewidth=1.8)
            t = true_v[true_v["topic"] == topic]
            ax.plot(t["day"], 100 * t["mean"], color=colours[topic], linestyle=":", linewidth=2)
        _mark_variant_events(ax, results, variant, marked)
        ax.set_title(variant)
        ax.set_xlabel("simulated day (end-of-day snapshot)")
        ax.set_xlim(0, results.duration_days)
        ax.set_ylim(bottom=0)
    for ax in _row_starts(axes):
        ax.set_ylabel("topic weight (% of the member's total)")
    _titles(
        fig,
        "What the platform believes the focal member cares about, against the truth",
        results,
        _uncertainty_note(results),
    )
    style_handles: list[Artist] = [
        Line2D([], [], color="0.2", linewidth=1.8, label="inferred by the platform"),
        Line2D([], [], color="0.2", linestyle=":", linewidth=2, label="true interest"),
    ]
    handles = _topic_handles(results, colours) + style_handles + _event_handles(marked, results)
    _legend(fig, handles, min(len(handles), 8))
    return fig


def feed_by_source(results: Results) -> Figure:
    """Share of the focal member's feed by source group, before and after the first event."""
    colours = source_colours()
    shares = source_shares(results.feed, results.after_start)
    periods = period_names(results.after_start)
    fig, axes = _panels(len(results.variants), 5.0)
    for ax, variant in zip(axes, results.variants, strict=True):
        sub = shares[shares["variant"] == variant]
        if sub.empty:
            _no_data(ax, "feed impressions recorded")
        bottom = np.zeros(len(periods))
        for group in SOURCE_GROUPS:
            g = sub[sub["group"] == group].set_index("period")["mean"]
            height = 100 * g.reindex(periods).fillna(0).to_numpy(dtype=float)
            ax.bar(range(len(periods)), height, 0.6, bottom=bottom, color=colours[group])
            for x, (h, b) in enumerate(zip(height, bottom, strict=True)):
                if h >= 5:
                    ax.text(x, b + h / 2, f"{h:.0f}%", ha="center", va="center", fontsize=9)
            bottom += height
        ax.set_xticks(range(len(periods)), [_period_label(p, results) for p in periods])
        ax.set_title(variant)
        ax.set_ylim(0, 100)
        ax.grid(axis="x", visible=False)
    for ax in _row_starts(axes):
        ax.set_ylabel("share of feed impressions (%)")
    note = (
        "one replication"
        if results.replications < 2
        else f"mean of {results.replications} replications"
    )
    _titles(fig, "Where the focal member's feed comes from", results, note)
    handles = [Patch(color=colours[g], label=SOURCE_LABELS[g]) for g in SOURCE_GROUPS]
    _legend(fig, handles, 2)
    return fig


def focus_effect(results: Results) -> Figure:
    """The focus topic's share of the feed after the first event: levels and paired contrasts.

    Raises:
        ValueError: the scenario has no focus topic.
    """
    if results.focus_topic is None:
        raise ValueError("focus_effect needs a focus topic")
    first, last = results.focus_window
    per_rep = topic_share_window(results.feed, results.focus_topic, first, last)
    levels = summarise(per_rep, "share", ["variant"]).set_index("variant")
    diffs = paired_differences(per_rep, "share", default_pairs(results.variants))
    colour = topic_colours(results.topics)[results.focus_topic]
    fig = Figure(
        figsize=(11, 2.2 + 0.7 * max(len(results.variants), len(diffs))), layout="constrained"
    )
    fig.get_layout_engine().set(wspace=0.1)  # type: ignore[union-attr, call-arg]
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.2])

    ys = np.arange(len(results.variants))[::-1]
    lv = levels.reindex(results.variants)
    left.hlines(ys, 100 * lv["lo"], 100 * lv["hi"], color=colour, linewidth=2.5)
    left.plot(100 * lv["mean"], ys, "o", color=colour, markersize=8)
    for y, mean in zip(ys, lv["mean"], strict=True):
        if math.isnan(mean):
            left.annotate("no feed data", (0, y), **{**_ABOVE, "ha": "left"})
        else:
            left.annotate(f"{100 * mean:.1f}%", (100 * mean, y), **_ABOVE)
    left.set_yticks(ys, results.variants)
    left.set_ylim(-0.5, len(ys) - 0.2)  # room for the value above the top point
    left.margins(x=0.1)
    left.set_xlim(left=0)
    left.set_xlabel(f"share of {results.focus_topic} in feed impressions (%)")
    left.set_title(f"{results.focus_topic} share, days {first}–{last}")

    yd = np.arange(len(diffs))[::-1]
    right.axvline(0, color=_DASH_GREY, linewidth=1)
    right.hlines(yd, 100 * diffs["lo"], 100 * diffs["hi"], color="0.2", linewidth=2.5)
    right.plot(100 * diffs["mean"], yd, "D", color="0.2", markersize=7)
    for y, mean in zip(yd, diffs["mean"], strict=True):
        if not math.isnan(mean):
            right.annotate(f"{100 * mean:+.1f} pp", (100 * mean, y), **_ABOVE)
    right.set_yticks(yd, [f"{b}\nminus {a}" for a, b in zip(diffs["a"], diffs["b"], strict=True)])
    right.yaxis.tick_right()
    right.set_ylim(-0.5, len(yd) - 0.2)
    right.margins(x=0.1)
    right.set_xlabel("paired difference (percentage points)")
    right.set_title("Differences, paired by replication")
    _titles(
        fig,
        f"Share of {results.focus_topic} in the focal member's feed after the first event",
        results,
        "points: mean over replications; bars: 95% confidence interval",
    )
    handles: list[Artist] = [
        Line2D([], [], marker="o", linestyle="", color=colour, label="mean share"),
        Line2D([], [], marker="D", linestyle="", color="0.2", label="mean paired difference"),
        Line2D([], [], color="0.4", linewidth=2.5, label="95% confidence interval"),
    ]
    _legend(fig, handles, 3)
    return fig


#: Every figure by name, in drawing order.
_DRAW: dict[str, Callable[[Results], Figure]] = {
    "feed_by_topic": feed_by_topic,
    "beliefs_vs_truth": beliefs_vs_truth,
    "feed_by_source": feed_by_source,
    "focus_effect": focus_effect,
}


def figure_names(results: Results) -> list[str]:
    """Names of the figures drawn for a results folder, in order.

    ``focus_effect`` is drawn only when the scenario has a focus topic.
    """
    return [n for n in _DRAW if n != "focus_effect" or results.focus_topic is not None]


def draw_figures(results_dir: Path) -> list[Path]:
    """Draw every figure of a results folder into ``results_dir/figures/``.

    Args:
        results_dir: a folder written by the experiment runner.

    Returns:
        The written files, a PNG (150 dpi) and an SVG per figure.

    Raises:
        InputError: the folder lacks the manifest or a table (see `load_results`).
    """
    results = load_results(results_dir)
    out = results_dir / "figures"
    out.mkdir(exist_ok=True)
    paths = []
    with _style():
        for name in figure_names(results):
            fig = _DRAW[name](results)
            png, svg = out / f"{name}.png", out / f"{name}.svg"
            fig.savefig(png, dpi=DPI, metadata={"Software": None})
            fig.set_layout_engine("none")  # laid out by the first save: the SVG reuses it
            fig.savefig(svg, metadata={"Date": None})
            paths += [png, svg]
    return paths
