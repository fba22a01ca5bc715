"""Figures drawn from a saved results folder (never from a running simulation).

`draw_figures` writes every figure as PNG (150 dpi) and SVG into ``RESULTS_DIR/figures/``.
All figures share one style: seaborn's ``whitegrid`` with the ``colorblind`` palette, a topic
keeps its colour in every figure (`topic_colours`), and so does a variant (`variant_colours`,
in the manifest's order); lines are means over replications and shaded bands their 95%
confidence intervals. A figure is drawn only when its data is there (`figure_names`). SVG
text stays text (``svg.fonttype = none``), so labels can be searched and the files stay small.

With `report.py`, this is the only module of the package that imports matplotlib or seaborn.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
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
    "follow": "followed accounts (not connected)",
    "second_degree": "second degree (a connection engaged)",
    "stranger": "strangers (connections without a prior relationship)",
    "out_of_network": "out of network (recommended)",
}

#: Source group colours, from the end of the colorblind palette so they differ from the
#: first topics' colours.
_SOURCE_PALETTE_INDEX = {
    "peer": 9,
    "follow": 6,
    "second_degree": 8,
    "stranger": 5,
    "out_of_network": 7,
}

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
    """Rows and columns for n panels: one row up to three, two by two for four, else rows of
    three."""
    ncols = n if n <= 3 else 2 if n == 4 else 3
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
    rgb = [to_rgb(h) for h in _VARIANT_HEX]
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


def _wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken at spaces only."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False)


def _titles(fig: Figure, title: str, results: Results, note: str) -> None:
    """Figure title with the scenario name and a note on what lines and bands mean.

    The note is wrapped to the figure's width.
    """
    line = f"{results.manifest.get('scenario_name', '')}: {note}"
    width = max(60, int(fig.get_figwidth() * 8))
    fig.suptitle(f"{_wrap(title, width)}\n{_wrap(line, width)}")


def _legend(fig: Figure, handles: Sequence[Artist], ncol: int) -> None:
    """One legend for the whole figure, below the panels, read row by row."""
    entries = list(handles)
    ncol = max(1, min(ncol, len(entries)))
    nrows = math.ceil(len(entries) / ncol)
    # matplotlib fills the columns one after the other: order the entries so rows read
    # left to right
    ordered = [
        entries[r * ncol + c]
        for c in range(ncol)
        for r in range(nrows)
        if r * ncol + c < len(entries)
    ]
    fig.legend(handles=ordered, loc="outside lower center", ncol=ncol)


def _legend_rows(fig: Figure, rows: Sequence[Sequence[Artist]]) -> None:
    """A figure legend with each group of handles on rows of its own."""
    rows = [r for r in rows if r]
    if not rows:
        return
    ncol = max(len(r) for r in rows)
    blank: list[Artist] = [Line2D([], [], linestyle="none", label="") for _ in range(ncol)]
    handles = [h for r in rows[:-1] for h in [*r, *blank[len(r) :]]] + list(rows[-1])
    _legend(fig, handles, ncol)


def _axes_legend(ax: Axes, handles: Sequence[Artist], width: int = 42) -> None:
    """A legend inside a panel, where it hides least, its long labels wrapped.

    The handles are copied, so a figure legend may still use the originals' labels.
    """
    if not handles:
        return
    proxies: list[Artist] = [
        Line2D(
            [],
            [],
            color=h.get_color(),
            linestyle=h.get_linestyle(),
            linewidth=h.get_linewidth(),
            label=_wrap(str(h.get_label()), width),
        )
        if isinstance(h, Line2D)
        else h
        for h in handles
    ]
    ax.legend(handles=proxies, loc="best", fontsize=8.5, frameon=True, framealpha=0.9)


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


# ------------------------------------------------------------------ the focal member's posts

#: Shaded reference bands of primary reach (%): the seed's claim and practitioners' range.
SEED_REACH_BAND = (4.0, 5.0)
PRACTITIONER_REACH_BAND = (5.0, 10.0)
#: Share of new connections never heard from, as the seed claims it (%).
SEED_NEVER_HEARD = 90.0

#: Legend text of the two routes of `weekly_reach`.
REACH_LABELS = {
    "primary": "Primary: her test audience (network route)",
    "engagement_driven": "Engagement-driven: everyone else (viewers - primary)",
}

#: Colours of tie kinds: peers in cool colours, strangers in orange (colorblind palette).
_KIND_PALETTE_INDEX = {"colleague": 0, "field_peer": 2, "client": 9, "offline": 4, "stranger": 1}
KIND_LABELS = {
    "colleague": "colleagues",
    "field_peer": "field peers",
    "offline": "offline acquaintances",
    "client": "clients",
    "stranger": "strangers",
}

_INTRO_STYLE: dict[bool, Literal["-", "-."]] = {False: "-", True: "-."}
_INTRO_LABELS = {False: "accepted without an intro message", True: "with an intro message"}


def kind_colours() -> dict[str, Colour]:
    """Fixed colour of each tie kind (see `KIND_LABELS`)."""
    palette = sns.color_palette("colorblind", 10)
    return {kind: tuple(palette[i]) for kind, i in _KIND_PALETTE_INDEX.items()}


def _band(
    ax: Axes,
    x: Any,
    band: pd.DataFrame,
    colour: Colour,
    scale: float = 1.0,
    top: float | None = None,
    **kwargs: Any,
) -> None:
    """Mean as a line, its 95% interval as a band clipped to [0, top]; nothing if empty."""
    if band.empty:
        return
    ax.plot(x, scale * band["mean"], color=colour, **kwargs)
    lo = np.clip(scale * band["lo"].to_numpy(dtype=float), 0, top)
    hi = np.clip(scale * band["hi"].to_numpy(dtype=float), 0, top)
    if kwargs.get("drawstyle") == "steps-post":
        ax.fill_between(x, lo, hi, color=colour, alpha=_BAND_ALPHA, linewidth=0, step="post")
    else:
        ax.fill_between(x, lo, hi, color=colour, alpha=_BAND_ALPHA, linewidth=0)


def _stacked_width(i: int, n: int) -> float:
    """Line width of the i-th of n variants: earlier variants are drawn first and wider, so
    that a variant whose line coincides with a later one still shows as its outline."""
    return 1.5 + 0.45 * (n - 1 - i)


def _variant_handles(variants: Sequence[str], colours: dict[str, Colour]) -> list[Artist]:
    return [Line2D([], [], color=colours[v], linewidth=2.2, label=v) for v in variants]


def _focal_note(results: Results) -> str:
    """Subtitle: what lines and bands mean, for figures of the focal member's posts."""
    return _uncertainty_note(results)


def reach_over_time(results: Results) -> Figure:
    """Viewers per focal post by week of creation, primary and engagement-driven, per variant."""
    colours = variant_colours(results.variants)
    bands = weekly_reach_bands(results.posts, results.duration_days)
    fig = Figure(figsize=(12.5, 5.4), layout="constrained")
    axes = list(fig.subplots(1, 2))
    marked: dict[str, Artist] = {}
    for ax, measure in zip(axes, REACH_MEASURES, strict=True):
        sub = bands[bands["measure"] == measure]
        n = len(results.variants)
        for i, variant in enumerate(results.variants):
            b = sub[sub["variant"] == variant]
            width = _stacked_width(i, n)
            _band(ax, b["day"], b, colours[variant], linewidth=width, marker="o", markersize=3)
        means = sub["mean"].dropna()
        if means.empty:
            _no_data(ax, "focal posts")
        else:  # an interval of two replications can be very wide: keep the means readable
            ax.set_ylim(0, 1.6 * float(means.max()))
        for handle in _mark_events(ax, _events_with_variants(results)):
            marked.setdefault(str(handle.get_label()), handle)
        ax.set_title(REACH_LABELS[measure])
        ax.set_xlabel("simulated day the post was created (weekly bins)")
        ax.set_ylabel("viewers per post")
        ax.set_xlim(0, results.duration_days)
    _titles(
        fig,
        "Reach of the focal member's posts over time",
        results,
        _focal_note(results).replace("mean of", "weekly mean per post, mean of"),
    )
    _axes_legend(axes[-1], list(marked.values()))
    _legend(fig, _variant_handles(results.variants, colours), len(results.variants))
    return fig


def primary_reach(results: Results) -> Figure:
    """Distribution of the primary reach of the focal posts per variant, against the claims."""
    colours = variant_colours(results.variants)
    focal = focal_posts(results.posts).dropna(subset=["primary_reach"])
    n = len(results.variants)
    fig = Figure(figsize=(max(7.0, 1.5 * n + 4.0), 5.6), layout="constrained")
    ax = fig.subplots()
    seed = ax.axhspan(*SEED_REACH_BAND, color="0.55", alpha=0.45, linewidth=0, zorder=0)
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
            ax.text(i, 0.5, "no focal posts", ha="center", va="bottom", fontsize=9)
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
            fontsize=9,
        )
    ax.set_xticks(range(n), results.variants)
    ax.set_xlim(-0.6, n - 0.1)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("primary reach (% of her connections)\nprimary viewers / connections")
    ax.grid(axis="x", visible=False)
    seed.set_label(
        f"seed's claim: {SEED_REACH_BAND[0]:g}–{SEED_REACH_BAND[1]:g}% of connections see a post"
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
    _titles(fig, "Primary reach of the focal member's posts", results, reps)
    _legend(fig, [seed, practice, box, dots], 2)
    return fig


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
    peer = summarise(metrics, "peer_share", ["variant"]).set_index("variant")
    n = len(results.variants)
    fig = Figure(figsize=(14, 2.4 + 0.55 * n), layout="constrained")
    axes = list(fig.subplots(1, 3, sharey=True, width_ratios=[1.2, 1.2, 0.8]))
    ys = np.arange(n)[::-1]
    tagged = False
    titles = {"viewers": "Viewers per post", "engagements": "Engagements per post"}
    units = {"viewers": "viewers per post", "engagements": "likes + comments + shares per post"}
    for ax, measure in zip(axes[:2], ("viewers", "engagements"), strict=True):
        left = np.zeros(n)
        for group in SOURCE_GROUPS:
            width = np.array(
                [means.get((v, measure, group), 0.0) for v in results.variants], dtype=float
            )
            ax.barh(ys, width, 0.6, left=left, color=colours[group])
            left += np.nan_to_num(width)
        tag = np.array([means.get((v, measure, TAG), 0.0) for v in results.variants], float)
        if np.nansum(tag) > 0:
            tagged = True
            ax.barh(ys, tag, 0.6, fill=False, hatch="///", edgecolor="0.15", linewidth=0)
        t = totals[measure].reindex(results.variants)
        err = np.vstack([t["mean"] - t["lo"], t["hi"] - t["mean"]])
        ax.errorbar(
            t["mean"],
            ys,
            xerr=np.nan_to_num(err),
            fmt="none",
            ecolor="0.1",
            capsize=3,
            linewidth=1.2,
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
                    fontsize=9,
                )
        ax.margins(x=0.15)
        ax.set_xlim(left=0)
        ax.set_title(titles[measure])
        ax.set_xlabel(units[measure])
        ax.grid(axis="y", visible=False)
    ax = axes[2]
    p = peer.reindex(results.variants)
    ax.hlines(ys, 100 * p["lo"], 100 * p["hi"], color="0.2", linewidth=2.5)
    ax.scatter(100 * p["mean"], ys, c=[colours["peer"]], s=60, zorder=3, edgecolors="0.1")
    for y, mean in zip(ys, p["mean"], strict=True):
        if not math.isnan(mean):
            ax.annotate(f"{100 * mean:.1f}%", (100 * mean, y), **_ABOVE)
    ax.set_xlim(0, max(100.0, float(np.nanmax(100 * p["hi"].to_numpy(float), initial=0))))
    ax.set_title("Peer share of viewers")
    ax.set_xlabel("peer viewers / all viewers (%)")
    ax.grid(axis="y", visible=False)
    axes[0].set_yticks(ys, results.variants)
    axes[0].set_ylim(-0.6, n - 0.3)
    _titles(
        fig,
        "Who sees and engages with the focal member's posts",
        results,
        "bars: mean per post over replications, split by the viewer's relationship to her;"
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
    _legend(fig, handles, 3)
    return fig


# ------------------------------------------------------------------ ties and connections


def ties_never_heard(results: Results) -> Figure:
    """Kaplan-Meier share of new stranger ties never heard from, by days since acceptance."""
    colours = variant_colours(results.variants)
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    curves = never_heard_curves(followup, horizon, step=0.5)
    bands = band_over_days(curves, "share", ["variant", "intro_message"])
    fig = Figure(figsize=(10.5, 6.2), layout="constrained")
    ax = fig.subplots()
    seed = ax.axhline(SEED_NEVER_HEARD, color=_DASH_GREY, linestyle="--", linewidth=1.2)
    seed.set_label(f"seed: {SEED_NEVER_HEARD:g}% never heard from")
    shown: list[str] = []
    styles = set()
    labelled: list[float] = []
    n = len(results.variants)
    for i, variant in enumerate(results.variants):
        for intro in (False, True):
            b = bands[(bands["variant"] == variant) & (bands["intro_message"] == intro)]
            if b.empty:
                continue
            _band(
                ax,
                b["day"],
                b,
                colours[variant],
                scale=100.0,
                top=100.0,
                drawstyle="steps-post",
                linewidth=_stacked_width(i, n),
                linestyle=_INTRO_STYLE[intro],
            )
            last = b.dropna(subset=["mean"]).iloc[-1]
            value = 100 * float(last["mean"])
            if all(abs(value - v) >= 3 for v in labelled):  # one label per level
                labelled.append(value)
                ax.annotate(
                    f"{value:.0f}%",
                    (float(last["day"]), value),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=9,
                    color="0.2",
                )
            styles.add(intro)
            if variant not in shown:
                shown.append(variant)
    if not shown:
        _no_data(ax, "new stranger ties")
    ax.set_xlim(0, horizon * 1.07 if not math.isnan(horizon) else NEVER_HEARD_DAYS)
    ax.set_ylim(-2, 104)  # a curve at 0% stays visible above the axis
    ax.set_xlabel("days since the tie was accepted")
    ax.set_ylabel("new stranger ties with no interaction yet (%)")
    _titles(
        fig,
        "How many new stranger connections are never heard from",
        results,
        "Kaplan-Meier estimate per replication (censored at the run's end and when pruned); "
        + _uncertainty_note(results).replace("mean of", "line: mean of"),
    )
    style_handles: list[Artist] = [
        Line2D([], [], color="0.3", linestyle=_INTRO_STYLE[i], linewidth=2, label=_INTRO_LABELS[i])
        for i in sorted(styles)
    ]
    _axes_legend(ax, [*style_handles, seed])
    _legend(fig, _variant_handles(shown, colours), len(shown))
    return fig


def connections_over_time(results: Results) -> Figure:
    """Connections by kind over time per variant, and the share ever reached by her posts."""
    colours = kind_colours()
    vcolours = variant_colours(results.variants)
    by_kind = connections_by_kind(results.connections)
    means = by_kind.pivot_table(
        index=["variant", "day"], columns="kind", values="connections", aggfunc="mean"
    )
    shares = band_over_days(reached_share(results.connections), "share", ["variant"])
    kinds = [k for k in KIND_LABELS if k in set(by_kind["kind"])]
    fig, axes = _panels(len(results.variants) + 1, 4.6, sharey=False)
    days = np.arange(0, int(by_kind["day"].max()) + 1) if not by_kind.empty else np.arange(1)
    marked: dict[str, Artist] = {}
    top = 0.0
    for ax, variant in zip(axes, results.variants, strict=False):
        if variant in means.index.get_level_values("variant"):
            part = means[means.index.get_level_values("variant") == variant]
            wide = part.droplevel("variant").reindex(index=days, columns=kinds)
        else:
            wide = pd.DataFrame(0.0, index=days, columns=kinds)
            _no_data(ax, "connections recorded")
        stack = np.nan_to_num(wide.to_numpy(dtype=float).T)
        ax.stackplot(days, stack, colors=[colours[k] for k in kinds], linewidth=0)
        top = max(top, float(stack.sum(axis=0).max(initial=0.0)))
        _mark_variant_events(ax, results, variant, marked)
        ax.set_title(variant)
        ax.set_xlabel("simulated day (end-of-day snapshot)")
        ax.set_xlim(0, results.duration_days)
    for ax in axes[: len(results.variants)]:
        ax.set_ylim(0, 1.05 * top if top > 0 else 1)
    for ax in _row_starts(axes):
        if ax in axes[: len(results.variants)]:
            ax.set_ylabel("her connections (mean over replications)")
    ax = axes[-1]
    for i, variant in enumerate(results.variants):
        b = shares[shares["variant"] == variant]
        width = _stacked_width(i, len(results.variants))
        _band(ax, b["day"], b, vcolours[variant], scale=100.0, top=100.0, linewidth=width)
    ax.set_title("Connections who ever saw one of her posts")
    ax.set_xlabel("simulated day (end-of-day snapshot)")
    ax.set_ylabel("share of her connections (%)")
    ax.set_xlim(0, results.duration_days)
    ax.set_ylim(0, 100)
    _titles(
        fig,
        "The focal member's connections by kind, and how many her posts ever reach",
        results,
        "areas: mean over replications; last panel: "
        + _uncertainty_note(results).replace("mean of", "line: mean of"),
    )
    kind_handles: list[Artist] = [Patch(color=colours[k], label=KIND_LABELS[k]) for k in kinds]
    for ax, variant in zip(axes, results.variants, strict=False):
        own = {label for _, label in _variant_events(results, variant)}
        _axes_legend(ax, [h for h in _event_handles(marked, results) if h.get_label() in own])
    _legend_rows(fig, [kind_handles, _variant_handles(results.variants, vcolours)])
    return fig


# ------------------------------------------------------------------ effects


def _metric_title(metric: Metric, horizon: float) -> str:
    """Panel title of a forest metric (the never-heard share names its horizon)."""
    if metric.name == "never_heard" and not math.isnan(horizon):
        return f"{metric.title} within {_day_text(round(horizon, 1))} days"
    return metric.title


def level_text(metric: Metric, value: float) -> str:
    """A metric's value with its unit: ``3.1% of her connections``, ``36.2 viewers per post``."""
    if math.isnan(value):
        return "no data"
    if metric.percent:
        return f"{100 * value:.1f}{metric.unit}"
    return f"{value:.2f} {metric.unit}" if abs(value) < 10 else f"{value:.1f} {metric.unit}"


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
    fig = Figure(
        figsize=(3.75 * ncols, 1.5 + nrows * (1.2 + 0.42 * len(others))), layout="constrained"
    )
    grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    ys = np.arange(len(others))[::-1]
    if not shown:
        _no_data(grid[0][0], "paired differences")
    for ax, metric in zip([a for row in grid for a in row], shown, strict=False):
        e = effects[effects["metric"] == metric.name].set_index("b").reindex(others)
        scale = 100.0 if metric.percent else 1.0
        ax.axvline(0, color=_DASH_GREY, linewidth=1)
        for y, variant in zip(ys, others, strict=True):
            row = e.loc[variant, ["mean", "lo", "hi"]].to_numpy(dtype=float)
            mean, lo, hi = (scale * float(x) for x in row)
            if math.isnan(mean):
                ax.annotate("no data", (0, y), **{**_ABOVE, "ha": "left"})
                continue
            if not math.isnan(lo):
                ax.hlines(y, lo, hi, color=colours[variant], linewidth=2.5)
            ax.plot(mean, y, "D", color=colours[variant], markersize=7)
            ax.annotate(
                f"{mean:+.1f}" if abs(mean) >= 1 or mean == 0 else f"{mean:+.2f}",
                (mean, y),
                **_ABOVE,
            )
        level = levels.get(metric.name, math.nan)
        title = _wrap(_metric_title(metric, horizon), 34)
        ax.set_title(f"{title}\n{reference}: {level_text(metric, level)}", fontsize=10)
        ax.set_xlabel(f"difference ({metric.difference_unit})")
        ax.margins(x=0.15)
        ax.grid(axis="y", visible=False)
    for ax in [a for row in grid for a in row][max(len(shown), 1) :]:
        ax.set_visible(False)
    for row in grid:
        row[0].set_yticks(ys, [f"{v}\nminus {reference}" for v in others])
        row[0].set_ylim(-0.6, len(others) - 0.25)
    _titles(
        fig,
        f"Effects of each strategy against {reference}, paired by replication",
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
    fig = Figure(figsize=(max(8.0, 3.5 + 1.1 * len(xs)), 2.6 + 0.8 * len(ys)), layout="constrained")
    ax = fig.subplots()
    mesh = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, origin="lower", aspect="auto")
    fig.colorbar(mesh, ax=ax, label=f"{b} minus {a}: viewers per post")
    significant = (lo.to_numpy(dtype=float) > 0) | (hi.to_numpy(dtype=float) < 0)
    for (j, i), value in np.ndenumerate(values):
        if math.isnan(value):
            ax.text(i, j, "no data", ha="center", va="center", fontsize=8)
            continue
        mark = " *" if significant[j, i] else ""
        ax.text(
            i,
            j,
            f"{value:+.1f}{mark}",
            ha="center",
            va="center",
            fontsize=9,
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
    ax.set_xlabel(px.replace("__", "."))
    ax.set_ylabel(py.replace("__", "."))
    ax.grid(visible=False)
    _titles(
        fig,
        f"Where {b} reaches more than {a}: viewers per post of the focal member",
        results,
        "mean paired difference over replications; *: 95% confidence interval excludes 0;"
        " dashed: zero",
    )
    return fig


#: Every figure by name, in drawing order.
_DRAW: dict[str, Callable[[Results], Figure]] = {
    "feed_by_topic": feed_by_topic,
    "beliefs_vs_truth": beliefs_vs_truth,
    "feed_by_source": feed_by_source,
    "focus_effect": focus_effect,
    "reach_over_time": reach_over_time,
    "primary_reach": primary_reach,
    "engagement_by_source": engagement_by_source,
    "ties_never_heard": ties_never_heard,
    "connections_over_time": connections_over_time,
    "effects_forest": effects_forest,
    "reach_region": reach_region,
}


def _available(results: Results) -> dict[str, bool]:
    """Whether each figure has the data it needs."""
    focal = focal_posts(results.posts)
    has_ties = (
        not results.ties.empty
        and not stranger_followup(results.ties, results.duration_days, results.connections).empty
    )
    return {
        "feed_by_topic": True,
        "beliefs_vs_truth": True,
        "feed_by_source": True,
        "focus_effect": results.focus_topic is not None,
        "reach_over_time": not focal.empty and "created_day" in focal.columns,
        "primary_reach": bool(focal["primary_reach"].notna().any()),
        "engagement_by_source": not focal.empty and has_source_columns(results.posts),
        "ties_never_heard": has_ties,
        "connections_over_time": not results.connections.empty,
        "effects_forest": len(results.variants) > 1 and not focal.empty,
    }


def figure_names(results: Results) -> list[str]:
    """Names of the figures drawn for a results folder, in order.

    Each figure is drawn only when its data is there: ``focus_effect`` needs a focus topic;
    the figures of the focal member's posts need focal posts (and the by-source columns);
    ``ties_never_heard`` new stranger ties; ``connections_over_time`` the connections table;
    ``effects_forest`` two variants. A parameter sweep (`Results.is_sweep`) gets only
    ``reach_region``, and only when two parameters were swept and there are two variants:
    the other figures take one row per variant and replication.
    """
    if results.is_sweep:
        ok = len(results.sweep_parameters) == 2 and len(results.variants) > 1
        return ["reach_region"] if ok and not results.posts.empty else []
    available = _available(results)
    return [n for n in _DRAW if available.get(n, False)]


def draw_figures(results_dir: Path, names: Sequence[str] | None = None) -> list[Path]:
    """Draw the figures of a results folder into ``results_dir/figures/``.

    Args:
        results_dir: a folder written by the experiment runner.
        names: draw only these of `figure_names` (in that order); default all of them.

    Returns:
        The written files, a PNG (150 dpi) and an SVG per figure.

    Raises:
        InputError: the folder lacks the manifest or a table (see `load_results`).
        ValueError: a name in ``names`` is not a figure this folder has data for.
    """
    results = load_results(results_dir)
    available = figure_names(results)
    if names is not None:
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(f"no data for figure(s) {', '.join(unknown)}: have {available}")
    out = results_dir / "figures"
    out.mkdir(exist_ok=True)
    paths = []
    with _style():
        for name in available if names is None else [n for n in available if n in names]:
            fig = _DRAW[name](results)
            png, svg = out / f"{name}.png", out / f"{name}.svg"
            fig.savefig(png, dpi=DPI, metadata={"Software": None})
            fig.set_layout_engine("none")  # laid out by the first save: the SVG reuses it
            fig.savefig(svg, metadata={"Date": None})
            paths += [png, svg]
    return paths
