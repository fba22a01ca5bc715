"""The report of a results folder: ``report.md`` and a self-contained ``report.html``.

Both are rendered from one list of blocks (headings, paragraphs, figures, tables, a
collapsible manifest), so they always say the same. The HTML embeds the PNG figures as
base64 ``data:`` URIs and carries its own CSS: it opens in any browser, offline, on its own.
The Markdown refers to the figures as ``figures/NAME.png`` beside it.

Every number is computed by `sim.analysis`, the same functions the figures use. Draw the
figures first (`sim.figures.draw_figures`).
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from sim.analysis import (
    FOREST_METRICS,
    POST_METRICS,
    REACH_MEASURES,
    Metric,
    Results,
    belief_gap,
    belief_series,
    default_pairs,
    focal_posts,
    followup_horizon,
    forest_effects,
    load_results,
    never_heard_at,
    paired_differences,
    period_names,
    posts_by_source,
    posts_summary,
    primary_reach_medians,
    reached_share,
    replication_metrics,
    source_shares,
    stranger_followup,
    summarise,
    sweep_reach_difference,
    topic_share_window,
)
from sim.errors import InputError
from sim.figures import (
    PRACTITIONER_REACH_BAND,
    ROLLING_DAYS,
    SEED_NEVER_HEARD,
    SEED_REACH_BAND,
    SOURCE_LABELS,
    event_labels,
    figure_names,
    level_text,
)


@dataclass(frozen=True)
class _Heading:
    """A section title; level 1 is the report's title."""

    text: str
    level: int


@dataclass(frozen=True)
class _Paragraph:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class _Items:
    """A bulleted list of ``(term, text)`` pairs."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class _Figure:
    """A figure of ``figures/`` by name, with its one-sentence caption."""

    name: str
    caption: str


@dataclass(frozen=True)
class _Table:
    """A table of text cells."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class _Details:
    """Collapsible preformatted text."""

    summary: str
    text: str


_Block = _Heading | _Paragraph | _Items | _Figure | _Table | _Details

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: 0.3rem; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.5rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; margin-top: 0.4rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
pre { background: #f7f7f7; padding: 1rem; overflow-x: auto; font-size: 0.85rem; }
summary { cursor: pointer; font-weight: 600; }
"""

_FIGURE_HEADINGS = {
    "feed_by_topic": "The focal member's feed by topic",
    "beliefs_vs_truth": "What the platform believes, against the truth",
    "feed_by_source": "Where the feed comes from",
    "focus_effect": "Effect on the focus topic",
    "reach_over_time": "Reach of her posts over time",
    "primary_reach": "Primary reach of her posts",
    "engagement_by_source": "Who sees and engages with her posts",
    "ties_never_heard": "New stranger connections never heard from",
    "connections_over_time": "Her connections, and how many her posts reach",
    "effects_forest": "Effects against the reference strategy",
    "reach_region": "Where the second variant reaches more: the sweep",
}


class _Est(NamedTuple):
    """A mean with its 95% interval and the number of replications behind it."""

    mean: float
    lo: float
    hi: float
    n: int


def _estimates(summary: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], _Est]:
    """Rows of a `summarise`-shaped table (``mean, lo, hi, n``) keyed by ``keys``."""
    out = {}
    for row in summary[[*keys, "mean", "lo", "hi", "n"]].itertuples(index=False, name=None):
        *key, mean, lo, hi, n = row
        out[tuple(str(k) for k in key)] = _Est(float(mean), float(lo), float(hi), int(n))
    return out


def _number(x: float, signed: bool, decimals: int = 1) -> str:
    """``decimals`` decimals (one by default), with a sign when ``signed``."""
    return f"{x:+.{decimals}f}" if signed else f"{x:.{decimals}f}"


def _estimate(
    est: _Est,
    scale: float = 100.0,
    unit: str = "%",
    label_ci: bool = True,
    signed: bool = False,
    decimals: int = 1,
) -> str:
    """``12.3% (95% CI 11.0–13.6)``: the estimate times ``scale``.

    The range reads ``a to b`` when a bound is negative, so a minus sign is never taken for a
    dash; without an interval (one replication) only the mean is given.
    """
    mean, lo, hi = scale * est.mean, scale * est.lo, scale * est.hi
    if math.isnan(mean):
        return "no data"
    text = _number(mean, signed, decimals) + unit
    if math.isnan(lo):
        return text
    sep = " to " if lo < 0 or signed else "–"
    ci = f"{_number(lo, signed, decimals)}{sep}{_number(hi, signed, decimals)}"
    return f"{text} (95% CI {ci})" if label_ci else f"{text} ({ci})"


def _per_variant(estimates: Sequence[tuple[str, str]]) -> str:
    """``A under v1, B under v2 and C under v3``."""
    parts = [f"{value} under {variant}" for variant, value in estimates]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _variant_estimates(summary: pd.DataFrame, variants: Sequence[str]) -> list[tuple[str, str]]:
    """Each variant's share in percent with its interval (rows of `summarise` by ``variant``).

    Only the first names its interval "95% CI", as in a sentence.
    """
    by_variant = _estimates(summary, ["variant"])
    return [
        (v, _estimate(by_variant[(v,)], label_ci=i == 0) if (v,) in by_variant else "no data")
        for i, v in enumerate(variants)
    ]


def _feed_sentence(results: Results) -> str:
    """What `feed_by_topic` shows, with the share of one topic per variant."""
    first, last = results.focus_window
    topic = results.focus_topic
    if topic is None:  # the topic the first variant saw most of
        totals = results.feed[results.feed["variant"] == results.variants[0]]
        by_topic = totals.groupby("topic")["impressions"].sum()
        topic = str(by_topic.idxmax()) if not by_topic.empty else results.topics[0]
    shares = summarise(topic_share_window(results.feed, topic, first, last), "share", ["variant"])
    return (
        f"The topic mix of the focal member's daily feed, as a trailing {ROLLING_DAYS}-day "
        f"mean per variant: over days {first}–{last} the {topic} share of the feed was "
        f"{_per_variant(_variant_estimates(shares, results.variants))}."
    )


def _beliefs_sentence(results: Results) -> str:
    """What `beliefs_vs_truth` shows, with the final day's belief per variant."""
    intro = "The platform's inferred topic weights (solid) against the true interests (dotted)"
    if results.beliefs.empty:
        return f"{intro}: no beliefs were recorded."
    day = int(results.beliefs["day"].max())
    if results.focus_topic is None:
        gaps = summarise(belief_gap(results.beliefs, day), "gap", ["variant"])
        return (
            f"{intro}: on day {day} the two differed by "
            f"{_per_variant(_variant_estimates(gaps, results.variants))} "
            "(total variation distance: the share of weight in the wrong place)."
        )
    series = belief_series(results.beliefs)
    final = series[(series["day"] == day) & (series["topic"] == results.focus_topic)]
    inferred = _per_variant(
        _variant_estimates(summarise(final, "inferred_weight", ["variant"]), results.variants)
    )
    truth = final.groupby("variant", sort=False)["true_weight"].mean()
    truth_texts = [f"{100 * t:.1f}%" for t in truth]
    if len(set(truth_texts)) == 1:
        truth_text = f"a true interest of {truth_texts[0]}"
    else:
        truth_text = "true interests of " + _per_variant(
            list(zip(truth.index.astype(str), truth_texts, strict=True))
        )
    return (
        f"{intro}: at the last snapshot (day {day}) the platform's weight on "
        f"{results.focus_topic} was {inferred}, against {truth_text}."
    )


def _source_sentence(results: Results) -> str:
    """What `feed_by_source` shows, with the peer share per variant and period."""
    shares = source_shares(results.feed, results.after_start)
    peer = shares[shares["group"] == "peer"]
    start = results.after_start
    phrases = {
        "before": f"before day {start} (days 0–{(start or 0) - 1})",
        "after": f"from day {start} on (days {start}–{results.last_day})",
        "whole run": f"over the whole run (days 0–{results.last_day})",
    }
    parts = [
        f"{_per_variant(_variant_estimates(peer[peer['period'] == period], results.variants))} "
        f"{phrases[period]}"
        for period in period_names(start)
    ]
    return (
        f"The focal member's feed impressions by source group: {SOURCE_LABELS['peer']} supplied "
        + ", and ".join(parts)
        + "."
    )


def _list(parts: Sequence[str]) -> str:
    """``a, b and c``."""
    parts = list(parts)
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _horizon_and_metrics(results: Results) -> tuple[float, pd.DataFrame]:
    """The never-heard horizon and `replication_metrics` of the results."""
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    metrics = replication_metrics(
        results.posts, results.connections, results.ties, results.duration_days, horizon
    )
    return horizon, metrics


def _days(days: float) -> str:
    """Days as a reader writes them: ``90`` rather than ``90.0``."""
    return str(int(days)) if float(days).is_integer() else f"{days:.1f}"


def _reach_sentence(results: Results) -> str:
    """What `reach_over_time` shows, with the run's viewers per post by route."""
    focal = focal_posts(results.posts)
    focal["primary"] = focal["primary_viewers"].astype(float)
    per_rep = focal.groupby(["variant", "replication"], sort=False)[list(REACH_MEASURES)].mean()
    ests = {
        m: _estimates(summarise(per_rep.reset_index(), m, ["variant"]), ["variant"])
        for m in REACH_MEASURES
    }
    parts: list[str] = []
    for v in results.variants:
        if (v,) not in ests["primary"]:
            continue
        primary = _estimate(ests["primary"][(v,)], scale=1.0, unit="", label_ci=not parts)
        driven = _estimate(ests["engagement_driven"][(v,)], scale=1.0, unit="", label_ci=False)
        if parts:
            parts.append(f"{primary} and {driven} under {v}")
        else:
            parts.append(f"{primary} primary and {driven} engagement-driven viewers under {v}")
    return (
        "Weekly mean viewers per post of the focal member, by the day the post was created, "
        "split into her test audience (primary) and everyone reached beyond it "
        f"(engagement-driven): over the whole run a post had {_list(parts)}."
    )


def _primary_reach_sentence(results: Results) -> str:
    """What `primary_reach` shows, with the median post's primary reach per variant."""
    medians = summarise(primary_reach_medians(results.posts), "median", ["variant"])
    seed, practice = SEED_REACH_BAND, PRACTITIONER_REACH_BAND
    return (
        "Primary reach of each of her posts (viewers from her test audience / her "
        "connections): the median post's primary reach was "
        f"{_per_variant(_variant_estimates(medians, results.variants))} "
        f"(median per replication, mean over replications), against the seed's "
        f"{seed[0]:g}–{seed[1]:g}% and practitioners' {practice[0]:g}–{practice[1]:g}%."
    )


def _source_posts_sentence(results: Results) -> str:
    """What `engagement_by_source` shows, with the peer share and engagements per variant."""
    _, metrics = _horizon_and_metrics(results)
    peer = summarise(metrics, "peer_share", ["variant"])
    engagements = _estimates(summarise(metrics, "engagements_per_post", ["variant"]), ["variant"])
    eng_parts = [
        (v, _estimate(engagements[(v,)], scale=1.0, unit="", label_ci=i == 0, decimals=2))
        for i, v in enumerate(results.variants)
        if (v,) in engagements
    ]
    by_source = posts_by_source(results.posts)
    tags = by_source[(by_source["measure"] == "engagements") & (by_source["group"] == "tag")]
    tag_ests = _estimates(summarise(tags, "per_post", ["variant"]), ["variant"])
    tag_parts = [
        f"{_estimate(est, scale=1.0, unit='', label_ci=False, decimals=2)} under {v}"
        for (v,), est in tag_ests.items()
        if est.mean > 0
    ]
    tagged = f"; of these, {_list(tag_parts)} came from tagged peers" if tag_parts else ""
    return (
        "Viewers and engagements per post of the focal member by the viewer's relationship "
        "to her: peers were "
        f"{_per_variant(_variant_estimates(peer, results.variants))} of her viewers, and "
        f"engagements per post were {_per_variant(eng_parts)}{tagged}."
    )


def _ties_sentence(results: Results) -> str:
    """What `ties_never_heard` shows, with the share never heard from by intro message."""
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    at = never_heard_at(followup, horizon, by_intro=True)
    ests = _estimates(
        summarise(at, "share", ["variant", "intro_message"]), ["variant", "intro_message"]
    )
    counts = (
        followup.groupby(["variant", "intro_message"]).size()
        / followup.groupby("variant")["replication"].nunique()
    )
    clauses: list[str] = []
    for intro, phrase in ((False, "without an intro message"), (True, "with one")):
        having = [v for v in results.variants if (v, str(intro)) in ests]
        parts = [
            (v, _estimate(ests[(v, str(intro))], label_ci=not clauses and i == 0))
            for i, v in enumerate(having)
        ]
        if parts:
            clauses.append(f"{phrase}, {_per_variant(parts)}")
    n_parts = [
        f"{counts.get((v, False), 0) + counts.get((v, True), 0):.0f} under {v}"
        for v in results.variants
        if (v, False) in counts.index or (v, True) in counts.index
    ]
    return (
        f"Share of new stranger connections never heard from within {_days(horizon)} days of "
        "accepting them (Kaplan-Meier, censored at the run's end and when pruned): "
        + "; ".join(clauses)
        + f" (new stranger ties per replication: {_list(n_parts)}; the seed says "
        f"{SEED_NEVER_HEARD:g}%)."
    )


def _connections_sentence(results: Results) -> str:
    """What `connections_over_time` shows, with the final connections and share reached."""
    last_day = int(results.connections["day"].max())
    last = results.connections[results.connections["day"] == last_day]
    totals = last.groupby(["variant", "replication"], sort=False)["connections"].sum()
    strangers = (
        last[last["kind"] == "stranger"]
        .groupby(["variant", "replication"], sort=False)["connections"]
        .sum()
    )
    per_variant = totals.groupby(level="variant", sort=False).mean()
    per_variant_strangers = strangers.groupby(level="variant", sort=False).mean()
    count_parts = [
        f"{per_variant[v]:.0f} ({per_variant_strangers.get(v, 0.0):.0f} strangers) under {v}"
        for v in results.variants
        if v in per_variant.index
    ]
    shares = reached_share(results.connections)
    reached = summarise(shares[shares["day"] == last_day], "share", ["variant"])
    return (
        f"The focal member's connections by kind, day by day: on day {last_day} she had "
        f"{_list(count_parts)} on average, and "
        f"{_per_variant(_variant_estimates(reached, results.variants))} of her connections "
        "had ever seen one of her posts."
    )


def _effect_text(metric: Metric, est: _Est, label_ci: bool) -> str:
    """A paired difference in the metric's display unit."""
    scale = 100.0 if metric.percent else 1.0
    decimals = 2 if abs(scale * est.mean) < (1 if metric.percent else 10) else 1
    unit = " pp" if metric.percent else ""
    return _estimate(est, scale=scale, unit=unit, signed=True, label_ci=label_ci, decimals=decimals)


def _forest_blocks(results: Results) -> list[_Block]:
    """Sentence and table of every effect of `effects_forest`.

    A metric without any paired difference (no replication with a value for the reference
    and another variant) gets no rows; a note names it.
    """
    horizon, metrics = _horizon_and_metrics(results)
    effects = forest_effects(metrics, results.variants)
    ests = _estimates(effects, ["metric", "b"])
    reference = results.variants[0]
    ref_rows = metrics[metrics["variant"] == reference]
    rows, missing = [], []
    for metric in FOREST_METRICS:
        title = metric.title
        if metric.name == "never_heard" and not math.isnan(horizon):
            title += f" within {_days(horizon)} days"
        found = [
            (b, ests[(metric.name, b)]) for b in results.variants[1:] if (metric.name, b) in ests
        ]
        if all(math.isnan(est.mean) for _, est in found):
            missing.append(title[0].lower() + title[1:])
            continue
        level = level_text(metric, float(ref_rows[metric.name].mean()))
        rows += [
            [
                title,
                metric.difference_unit,
                f"{b} minus {reference}",
                level,
                _effect_text(metric, est, label_ci=False),
                str(est.n),
            ]
            for b, est in found
        ]
    examples: list[str] = []
    if len(results.variants) > 1:
        b = results.variants[1]
        for name in ("viewers_per_post", "peer_share", "engagement_rate"):
            metric = next(m for m in FOREST_METRICS if m.name == name)
            est = ests.get((name, b))
            if est is not None and not math.isnan(est.mean):
                unit = "" if metric.percent else f" {metric.unit}"
                examples.append(
                    f"{metric.title.lower()} by {_effect_text(metric, est, not examples)}{unit}"
                )
    sentence = (
        f"Each strategy against {reference}, paired by replication, for eight metrics of the "
        "focal member's posts, connections and new ties"
    )
    if examples:
        sentence += f": {results.variants[1]} changed {_list(examples)}"
    sentence += "; the table lists every effect."
    table = _Table(
        [
            "metric",
            "unit of the difference",
            "comparison",
            f"{reference} (mean)",
            "mean difference (95% CI)",
            "paired replications",
        ],
        rows,
    )
    blocks: list[_Block] = [_Figure("effects_forest", sentence), table]
    if missing:
        blocks.append(
            _Paragraph(
                f"No paired difference for {_list(missing)}: no replication has a value for "
                f"both {reference} and another variant."
            )
        )
    return blocks


def _sweep_sentence(results: Results) -> str:
    """What `reach_region` shows, with the range of the difference over the grid."""
    a, b = results.variants[0], results.variants[1]
    px, py = results.sweep_parameters
    diff = sweep_reach_difference(results.posts, [px, py], a, b).dropna(subset=["mean"])
    names = f"{px.replace('__', '.')} and {py.replace('__', '.')}"
    if diff.empty:
        return f"The paired difference in viewers per post over {names}: no data."
    ordered = diff.sort_values("mean", kind="stable").reset_index(drop=True)
    decided = int(((diff["lo"] > 0) | (diff["hi"] < 0)).sum())

    means = ordered["mean"].to_numpy(dtype=float)
    xs, ys = ordered[px].tolist(), ordered[py].tolist()

    def at(i: int) -> str:
        return (
            f"{means[i]:+.1f} at {px.replace('__', '.')} = {xs[i]}, "
            f"{py.replace('__', '.')} = {ys[i]}"
        )

    return (
        f"Mean paired difference in viewers per post of the focal member, {b} minus {a}, at "
        f"each point of the sweep over {names}: from {at(0)} to {at(len(ordered) - 1)}; "
        f"at {decided} of {len(diff)} points the 95% confidence interval excludes 0."
    )


def _effect_blocks(results: Results) -> list[_Block]:
    """Sentence and table of the paired focus-topic differences."""
    topic = results.focus_topic
    first, last = results.focus_window
    per_rep = topic_share_window(results.feed, str(topic), first, last)
    diffs = paired_differences(per_rep, "share", default_pairs(results.variants))
    ests = _estimates(diffs, ["a", "b"])
    rows = [
        [f"{b} minus {a}", _estimate(est, unit=" pp", label_ci=False, signed=True), str(est.n)]
        for (a, b), est in ests.items()
    ]
    sentence = (
        f"The {topic} share of the focal member's feed over days {first}–{last} per "
        "variant (left) and the differences between variants paired by replication (right)"
    )
    if ests:
        (a, b), est = next(iter(ests.items()))
        effect = _estimate(est, unit=" pp", signed=True)
        sentence += f": {b} minus {a} was {effect} over {est.n} paired replications"
    sentence += "."
    table = _Table(
        [
            f"difference in {topic} share, days {first}–{last}",
            "percentage points (95% CI)",
            "paired replications",
        ],
        rows,
    )
    return [_Figure("focus_effect", sentence), table]


def _posts_table(results: Results) -> _Table:
    """Focal posts per variant: mean (95% CI) of each `posts_summary` metric."""
    summary = _estimates(posts_summary(results.posts), ["variant", "metric"])
    rows = []
    for variant in results.variants:
        row = [variant]
        for metric in POST_METRICS:
            est = summary.get((variant, metric))
            if est is None:
                row.append("no data")
            elif metric == "primary_reach":
                row.append(_estimate(est, label_ci=False))
            else:
                row.append(_estimate(est, scale=1.0, unit="", label_ci=False))
        rows.append(row)
    header = [
        "variant",
        "focal posts per replication",
        "primary reach (% of the author's connections)",
        "impressions per post",
        "engagements per post (likes + comments + shares)",
    ]
    return _Table(header, rows)


def _seeds_text(seeds: Any) -> str:
    """The manifest's seeds (by replication), shortened when there are many."""
    values = [str(s) for s in (seeds.values() if isinstance(seeds, dict) else seeds or [])]
    if not values:
        return "not recorded"
    shown = values if len(values) <= 6 else [*values[:3], "…", values[-1]]
    return f"{', '.join(shown)} ({len(values)} in all, one per replication, shared by variants)"


def _wall_text(seconds: Any) -> str:
    """Wall time in minutes and seconds."""
    if not isinstance(seconds, int | float):
        return "not recorded"
    minutes, secs = divmod(float(seconds), 60.0)
    return f"{int(minutes)} min {secs:.0f} s" if minutes else f"{secs:.1f} s"


def _run_blocks(results: Results) -> list[_Block]:
    """The "What was run" section."""
    m = results.manifest
    descriptions = m.get("variant_descriptions") or {}
    variants = _Table(
        ["variant", "what it does"],
        [[v, str(descriptions.get(v, ""))] for v in results.variants],
    )
    events = "; ".join(label for _, label in event_labels(results)) or "none"
    items = [
        ("replications", f"{results.replications} per variant"),
        ("duration", f"{results.duration_days} simulated days (days 0–{results.last_day})"),
        ("topics", ", ".join(results.topics)),
        ("focus topic", results.focus_topic or "none"),
        ("scripted events", events),
        ("seeds", _seeds_text(m.get("seeds"))),
        ("feedsim version", str(m.get("version", "not recorded"))),
        ("git commit", str(m.get("git_commit", "not recorded"))),
        ("run", f"{m.get('started', '?')} to {m.get('finished', '?')}"),
        ("wall time", _wall_text(m.get("wall_seconds"))),
        ("platform", str(m.get("platform", "not recorded"))),
    ]
    note = (
        "Numbers are means over replications with 95% Student t confidence intervals; "
        "differences between variants are paired by replication, as the variants of one "
        "replication share their random numbers."
    )
    return [_Heading("What was run", 2), variants, _Items(items), _Paragraph(note)]


_SWEEP_NOTE = (
    "This folder is a parameter sweep: every replication was run at every point of the "
    "grid. The per-variant figures take one run per variant and replication, so they are "
    "not drawn here; with two swept parameters and two variants, a map of the difference in "
    "reach between them is."
)


def _blocks(results: Results) -> list[_Block]:
    """The whole report, in order."""
    m = results.manifest
    blocks: list[_Block] = [_Heading(str(m.get("scenario_name", "feedsim results")), 1)]
    if results.description.strip():
        blocks.append(_Paragraph(results.description.strip()))
    blocks += _run_blocks(results)
    blocks.append(_Heading("Results", 2))
    sentences = {
        "feed_by_topic": _feed_sentence,
        "beliefs_vs_truth": _beliefs_sentence,
        "feed_by_source": _source_sentence,
        "reach_over_time": _reach_sentence,
        "primary_reach": _primary_reach_sentence,
        "engagement_by_source": _source_posts_sentence,
        "ties_never_heard": _ties_sentence,
        "connections_over_time": _connections_sentence,
        "reach_region": _sweep_sentence,
    }
    if results.is_sweep:
        blocks.append(_Paragraph(_SWEEP_NOTE))
    for name in figure_names(results):
        heading = _FIGURE_HEADINGS[name]
        if name == "focus_effect":
            blocks += [_Heading(f"{heading}: {results.focus_topic}", 3), *_effect_blocks(results)]
        elif name == "effects_forest":
            blocks += [_Heading(heading, 3), *_forest_blocks(results)]
        else:
            blocks += [_Heading(heading, 3), _Figure(name, sentences[name](results))]
    if not results.is_sweep:
        blocks += [
            _Heading("The focal member's posts", 2),
            _Paragraph("Per focal post, mean over replications (95% CI)."),
            _posts_table(results),
        ]
    blocks += [
        _Heading("Manifest", 2),
        _Details("manifest.json", json.dumps(m, indent=2, ensure_ascii=False)),
    ]
    return blocks


def _md_escape(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for char in "\\`*_[]<|":
        text = text.replace(char, "\\" + char)
    return text


def _markdown(blocks: Sequence[_Block]) -> str:
    """The report as Markdown; figures are linked as ``figures/NAME.png``."""
    out = []
    for b in blocks:
        match b:
            case _Heading(text, level):
                out.append(f"{'#' * level} {_md_escape(text)}")
            case _Paragraph(text):
                out.append(_md_escape(text))
            case _Items(items):
                out.append("\n".join(f"- **{_md_escape(k)}**: {_md_escape(v)}" for k, v in items))
            case _Figure(name, caption):
                alt = _md_escape(_FIGURE_HEADINGS[name])
                out.append(f"![{alt}](figures/{name}.png)\n\n{_md_escape(caption)}")
            case _Table(header, rows):
                lines = [header, ["---"] * len(header), *rows]
                out.append("\n".join("| " + " | ".join(map(_md_escape, r)) + " |" for r in lines))
            case _Details(summary, text):
                out.append(
                    f"<details><summary>{html.escape(summary)}</summary>\n\n"
                    f"```json\n{text}\n```\n\n</details>"
                )
    return "\n\n".join(out) + "\n"


def _html(blocks: Sequence[_Block], figures_dir: Path) -> str:
    """The report as one HTML page, figures embedded as base64 PNG, all text escaped."""
    e = html.escape
    title = next((b.text for b in blocks if isinstance(b, _Heading)), "feedsim report")
    body = []
    for b in blocks:
        match b:
            case _Heading(text, level):
                body.append(f"<h{level}>{e(text)}</h{level}>")
            case _Paragraph(text):
                body.append(f"<p>{e(text)}</p>")
            case _Items(items):
                lis = "".join(f"<li><strong>{e(k)}</strong>: {e(v)}</li>" for k, v in items)
                body.append(f"<ul>{lis}</ul>")
            case _Figure(name, caption):
                data = base64.b64encode((figures_dir / f"{name}.png").read_bytes()).decode()
                alt = e(_FIGURE_HEADINGS[name])
                body.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
                    f"<figcaption>{e(caption)}</figcaption></figure>"
                )
            case _Table(header, rows):
                head = "".join(f"<th>{e(h)}</th>" for h in header)
                trs = "".join(
                    "<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
            case _Details(summary, text):
                body.append(
                    f"<details><summary>{e(summary)}</summary><pre>{e(text)}</pre></details>"
                )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def report_markdown(results: Results) -> str:
    """The report as Markdown (what ``report.md`` holds), without reading any figure."""
    return _markdown(_blocks(results))


def write_report(results_dir: Path) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into a results folder.

    Args:
        results_dir: a folder written by the experiment runner, with its figures drawn.

    Returns:
        The paths of ``report.md`` and ``report.html``.

    Raises:
        InputError: the manifest, a table or a figure is missing.
    """
    results = load_results(results_dir)
    figures_dir = results_dir / "figures"
    for name in figure_names(results):
        png = figures_dir / f"{name}.png"
        if not png.is_file():
            raise InputError(png, "", "no such file: draw the figures first (feedsim figures)")
    blocks = _blocks(results)
    md_path, html_path = results_dir / "report.md", results_dir / "report.html"
    md_path.write_text(_markdown(blocks), encoding="utf-8")  # = report_markdown(results)
    html_path.write_text(_html(blocks, figures_dir), encoding="utf-8")
    return md_path, html_path
