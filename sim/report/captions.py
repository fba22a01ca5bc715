"""What the report says under each figure: a caption with the numbers behind it.

`CAPTIONS` attaches to every figure the report places in its results section (the figures
declared in `sim.analysis.catalogue`, but the trend's, which `sim.report.trend` places) the
sentence of its caption, or the blocks of its heading, figure and table. Every number comes
from `sim.analysis`, the same functions the figures use. The focal member is named as the
scenario names it ("the recruiter").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from sim.analysis import (
    BLOG_NEVER_HEARD,
    BLOG_REACH_BAND,
    PRACTITIONER_REACH_BAND,
    REACH_MEASURES,
    ROLLING_DAYS,
    SOURCE_LABELS,
    Results,
    belief_gap,
    belief_series,
    day_text,
    default_pairs,
    focal_posts,
    followup_horizon,
    heading,
    impressions_range,
    list_text,
    never_heard_levels,
    paired_differences,
    period_names,
    posts_by_source,
    primary_reach_medians,
    reached_share,
    replication_metrics,
    sentence_case,
    shown_pairs,
    source_shares,
    stranger_followup,
    summarise,
    sweep_reach_difference,
    topic_share_window,
    volume_per_replication,
    who,
    whose,
    window_impressions,
    window_note,
)
from sim.analysis.assumptions import ASSUMPTIONS
from sim.report.blocks import (
    Block,
    FigureBlock,
    Heading,
    Table,
    estimate_text,
    estimates,
    median_session_sentence,
    per_variant,
    variant_estimates,
)
from sim.report.comparisons import focus_precision, forest_blocks
from sim.report.funnel import funnel_sentence
from sim.report.sweeps import sweep_blocks


def _count_text(x: float) -> str:
    """A count with thousands separators, to the unit (``1,240``)."""
    return f"{x:,.0f}"


def _base_text(per_rep: pd.DataFrame, variants: Sequence[str]) -> str:
    """How many impressions a share rests on, per replication and variant: the mean and,
    with several replications, the least and the most (the first variant names the unit).

    ``per_rep``: one row per replication with ``variant`` and ``impressions``, as
    `window_impressions` and `topic_share_window` give them.
    """
    stats = impressions_range(per_rep).set_index("variant").to_dict("index")
    parts: list[str] = []
    for v in variants:
        if v not in stats:
            continue
        row = stats[v]
        unit = "" if parts else " impressions per replication"
        spread = f"{_count_text(row['min'])}–{_count_text(row['max'])}"
        spread = "" if row["n"] < 2 else f" (min–max {spread})" if not parts else f" ({spread})"
        parts.append(f"{_count_text(row['mean'])}{unit}{spread} under {v}")
    return list_text(parts) if parts else "no impressions"


def _feed_sentence(results: Results) -> str:
    """What `feed_by_topic` shows, with the share of one topic per variant."""
    first, last = results.focus_window
    topic = results.focus_topic
    if topic is None:  # the topic the first variant saw most of
        totals = results.feed[results.feed["variant"] == results.variants[0]]
        by_topic = totals.groupby("topic")["impressions"].sum()
        topic = str(by_topic.idxmax()) if not by_topic.empty else results.topics[0]
    per_rep = topic_share_window(results.feed, topic, first, last)
    shares = summarise(per_rep, "share", ["variant"], share=True)
    return (
        f"The topic mix of {whose(results)} daily feed, as a trailing {ROLLING_DAYS}-day "
        f"mean per variant: over days {first}–{last} the {topic} share of the feed was "
        f"{per_variant(variant_estimates(shares, results.variants))}; these shares rest on "
        f"{_base_text(per_rep, results.variants)}."
    )


def _beliefs_sentence(results: Results) -> str:
    """What `beliefs_vs_truth` shows, with the final day's belief per variant."""
    intro = "The platform's inferred topic weights (solid) against the true interests (dotted)"
    if results.beliefs.empty:
        return f"{intro}: no beliefs were recorded."
    day = int(results.beliefs["day"].max())
    if results.focus_topic is None:
        gaps = summarise(belief_gap(results.beliefs, day), "gap", ["variant"], share=True)
        return (
            f"{intro}: on day {day} the two differed by "
            f"{per_variant(variant_estimates(gaps, results.variants))} "
            "(total variation distance: the share of weight in the wrong place)."
        )
    series = belief_series(results.beliefs)
    final = series[(series["day"] == day) & (series["topic"] == results.focus_topic)]
    inferred = per_variant(
        variant_estimates(summarise(final, "inferred_weight", ["variant"], True), results.variants)
    )
    truth = final.groupby("variant", sort=False)["true_weight"].mean()
    truth_texts = [f"{100 * t:.1f}%" for t in truth]
    if len(set(truth_texts)) == 1:
        truth_text = f"a true interest of {truth_texts[0]}"
    else:
        truth_text = "true interests of " + per_variant(
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
        f"{per_variant(variant_estimates(peer[peer['period'] == period], results.variants))} "
        f"{phrases[period]}"
        for period in period_names(start)
    ]
    windows = {
        "before": (0, (start or 0) - 1),
        "after": (start or 0, results.last_day),
        "whole run": (0, results.last_day),
    }
    bases = []
    for period in period_names(start):
        first, last = windows[period]
        base = _base_text(window_impressions(results.feed, first, last), results.variants)
        bases.append(f"{base} over days {first}–{last}")
    reference = results.variants[0]
    latest = period_names(start)[-1]
    mix = shares[(shares["variant"] == reference) & (shares["period"] == latest)]
    return (
        f"{sentence_case(whose(results))} feed impressions by source group: "
        f"{SOURCE_LABELS['peer']} supplied "
        + ", and ".join(parts)
        + f". The whole mix under {reference} {phrases[latest]}: "
        + source_mix_text(mix, "mean")
        + ". The shares rest on "
        + "; and ".join(bases)
        + "."
    )


MIX_NAMES = {
    "peer": "peers",
    "stranger": "strangers",
    "follow": "followed accounts",
    "second_degree": "second degree",
    "out_of_network": "out of network",
}
"""Short names of the source groups for a mix listed in one sentence."""


def source_mix_text(mix: pd.DataFrame, column: str) -> str:
    """``peers 20.2%, strangers 3.1%, ...``: each source group's share of `column`'s total,
    in the order of :data:`MIX_NAMES` (groups absent from `mix` are left out)."""
    values = mix.groupby("group")[column].sum()
    total = float(values.sum())
    if total <= 0:
        return "nothing"
    return ", ".join(
        f"{name} {100 * float(values[group]) / total:.1f}%"
        for group, name in MIX_NAMES.items()
        if group in values.index
    )


def _volume_sentence(results: Results) -> str:
    """What `feed_volume` shows, with the volume per variant over the focus window.

    Per replication over the window (the first event, or day 0, to the end, as the focus
    share): items read and candidates per session (ratios of sums), sessions and
    impressions; then the mean over replications with its 95% interval, and the least and
    most impressions of a replication.
    """
    first, last = results.focus_window
    per_rep = volume_per_replication(results.volume, first, last)
    measures = ("items_per_session", "candidates_per_session", "sessions", "impressions")
    ests = {m: estimates(summarise(per_rep, m, ["variant"]), ["variant"]) for m in measures}
    spread = impressions_range(per_rep).set_index("variant").to_dict("index")
    sentences: list[str] = []
    for v in results.variants:
        if (v,) not in ests["impressions"]:
            continue
        first_one = not sentences
        items, candidates, sessions, impressions = (
            estimate_text(
                ests[m][(v,)],
                scale=1.0,
                unit="",
                label_ci=first_one and m == measures[0],
                decimals=1 if m == "items_per_session" else 0,
            )
            for m in measures
        )
        least, most = _count_text(spread[v]["min"]), _count_text(spread[v]["max"])
        sentences.append(
            f"Under {v}, over days {first}–{last} {who(results)} read {items} items per "
            f"session, chosen from {candidates} candidates per session, in {sessions} "
            f"sessions: {impressions} impressions per replication (min–max {least}–{most})."
        )
    intro = (
        f"How much {whose(results)} feed held, as a trailing {ROLLING_DAYS}-day window per "
        "variant: impressions a day, and per session the candidates the ranking chose from "
        "and the items read. Every feed share in this report is a share of these impressions."
    )
    return " ".join([intro, *sentences, median_session_sentence(results.manifest)]).strip()


def _horizon_and_metrics(results: Results) -> tuple[float, pd.DataFrame]:
    """The never-heard horizon and `replication_metrics` of the results."""
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup)
    metrics = replication_metrics(
        results.posts, results.connections, results.ties, results.duration_days, horizon
    )
    return horizon, metrics


def _reach_sentence(results: Results) -> str:
    """What `reach_over_time` shows, with the run's viewers per post by route."""
    focal = focal_posts(results.posts)
    focal["primary"] = focal["primary_viewers"].astype(float)
    per_rep = focal.groupby(["variant", "replication"], sort=False)[list(REACH_MEASURES)].mean()
    ests = {
        m: estimates(summarise(per_rep.reset_index(), m, ["variant"]), ["variant"])
        for m in REACH_MEASURES
    }
    parts: list[str] = []
    for v in results.variants:
        if (v,) not in ests["primary"]:
            continue
        primary = estimate_text(ests["primary"][(v,)], scale=1.0, unit="", label_ci=not parts)
        driven = estimate_text(ests["engagement_driven"][(v,)], scale=1.0, unit="", label_ci=False)
        if parts:
            parts.append(f"{primary} and {driven} under {v}")
        else:
            parts.append(f"{primary} primary and {driven} engagement-driven viewers under {v}")
    return (
        f"Weekly mean viewers per post of {who(results)}, by the day the post was created, "
        "split into the post's test audience (primary) and everyone reached beyond it "
        f"(engagement-driven): over the whole run a post had {list_text(parts)}."
    )


def _primary_reach_sentence(results: Results) -> str:
    """What `primary_reach` shows, with the median post's primary reach per variant."""
    medians = summarise(primary_reach_medians(results.posts), "median", ["variant"], True)
    blog, practice = BLOG_REACH_BAND, PRACTITIONER_REACH_BAND
    return (
        f"Primary reach of each of {whose(results)} posts (viewers from the test audience / the "
        "connections): the median post's primary reach was "
        f"{per_variant(variant_estimates(medians, results.variants))} "
        f"(median per replication, mean over replications), against the blog post's "
        f"{blog[0]:g}–{blog[1]:g}% and practitioners' {practice[0]:g}–{practice[1]:g}%. "
        f"{ASSUMPTIONS['C1'].label}"
    )


def _source_posts_sentence(results: Results) -> str:
    """What `engagement_by_source` shows, with the peer share and engagements per variant."""
    _, metrics = _horizon_and_metrics(results)
    peer = summarise(metrics, "peer_share", ["variant"], share=True)
    engagements = estimates(summarise(metrics, "engagements_per_post", ["variant"]), ["variant"])
    eng_parts = [
        (v, estimate_text(engagements[(v,)], scale=1.0, unit="", label_ci=i == 0, decimals=2))
        for i, v in enumerate(results.variants)
        if (v,) in engagements
    ]
    by_source = posts_by_source(results.posts)
    tags = by_source[(by_source["measure"] == "engagements") & (by_source["group"] == "tag")]
    tag_ests = estimates(summarise(tags, "per_post", ["variant"]), ["variant"])
    tag_parts = [
        f"{estimate_text(est, scale=1.0, unit='', label_ci=False, decimals=2)} under {v}"
        for (v,), est in tag_ests.items()
        if est.mean > 0
    ]
    tagged = f"; of these, {list_text(tag_parts)} came from tagged peers" if tag_parts else ""
    reference = results.variants[0]
    viewers = by_source[(by_source["measure"] == "viewers") & (by_source["variant"] == reference)]
    return (
        f"Viewers and engagements per post of {who(results)} by the viewer's relationship "
        "to the author: peers were "
        f"{per_variant(variant_estimates(peer, results.variants))} of the viewers, and "
        f"engagements per post were {per_variant(eng_parts)}{tagged}. The whole mix of the"
        f" viewers under {reference}: {source_mix_text(viewers, 'per_post')}. "
        f"{ASSUMPTIONS['C3'].label} {ASSUMPTIONS['C4'].label}"
    )


def _ties_sentence(results: Results) -> str:
    """What `ties_never_heard` shows, with the share never heard from by intro message.

    The shares are `never_heard_levels`, the numbers written on the figure's curves: each
    variant (and intro message) read at 90 days after acceptance, or sooner where its
    follow-up ends (a burst late in the run), so a curve the figure draws has a number
    here too.
    """
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    levels = never_heard_levels(followup)
    ests = estimates(levels, ["variant", "intro_message"])
    days = {
        (str(v), str(bool(i))): float(d)
        for v, i, d in zip(levels["variant"], levels["intro_message"], levels["day"], strict=True)
    }
    one_day = len(set(days.values())) <= 1
    horizon = next(iter(days.values()), followup_horizon(followup))
    counts = (
        followup.groupby(["variant", "intro_message"]).size()
        / followup.groupby("variant")["replication"].nunique()
    )
    clauses: list[str] = []
    for intro, phrase in ((False, "without an intro message"), (True, "with one")):
        having = [v for v in results.variants if (v, str(intro)) in ests]
        parts = [
            (
                v,
                estimate_text(ests[(v, str(intro))], label_ci=not clauses and i == 0)
                + ("" if one_day else f" at {day_text(round(days[(v, str(intro))], 1))} days"),
            )
            for i, v in enumerate(having)
        ]
        if parts:
            clauses.append(f"{phrase}, {per_variant(parts)}")
    n_parts = [
        f"{counts.get((v, False), 0) + counts.get((v, True), 0):.0f} under {v}"
        for v in results.variants
        if (v, False) in counts.index or (v, True) in counts.index
    ]
    when = (
        f"within {day_text(round(horizon, 1))} days of accepting them (Kaplan-Meier, "
        if one_day
        else "by the day after acceptance given with each share (90, or sooner where the "
        "ties' follow-up ends; Kaplan-Meier, "
    )
    return (
        f"Share of new stranger connections never heard from {when}"
        "censored at the run's end and when pruned): "
        + ("; ".join(clauses) or "no new stranger ties")
        + f" (new stranger ties per replication: {list_text(n_parts)}; the blog post says "
        f"{BLOG_NEVER_HEARD:g}%). {ASSUMPTIONS['C8'].label}"
        + (f" {ASSUMPTIONS['tip 2'].label}" if len(clauses) > 1 else "")
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
    mean_connections = totals.groupby(level="variant", sort=False).mean()
    per_variant_strangers = strangers.groupby(level="variant", sort=False).mean()
    count_parts = [
        f"{mean_connections[v]:.0f} ({per_variant_strangers.get(v, 0.0):.0f} strangers) under {v}"
        for v in results.variants
        if v in mean_connections.index
    ]
    shares = reached_share(results.connections)
    reached = summarise(shares[shares["day"] == last_day], "share", ["variant"], share=True)
    return (
        f"{sentence_case(whose(results))} connections by kind, day by day: on day {last_day} "
        f"{who(results)} had "
        f"{list_text(count_parts)} on average, and "
        f"{per_variant(variant_estimates(reached, results.variants))} of the connections "
        "had ever seen one of the posts."
    )


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
        f"Mean paired difference in viewers per post of {who(results)}, {b} minus {a}, at "
        f"each point of the sweep over {names}: from {at(0)} to {at(len(ordered) - 1)}; "
        f"at {decided} of {len(diff)} points the 95% confidence interval excludes 0."
    )


def _effect_blocks(results: Results) -> list[Block]:
    """Heading, figure, sentence and table of the paired focus-topic differences: the
    figure's pairs (`shown_pairs`: the scenario's comparisons, else `default_pairs`)."""
    topic = results.focus_topic
    first, last = results.focus_window
    per_rep = topic_share_window(results.feed, str(topic), first, last)
    diffs = paired_differences(
        per_rep, "share", shown_pairs(results, default_pairs(results.variants))
    )
    ests = estimates(diffs, ["a", "b"])
    needed, precision = focus_precision(results, diffs)
    rows = [
        [
            f"{b} minus {a}",
            estimate_text(est, unit=" pp", label_ci=False, signed=True),
            str(est.n),
            needed[i],
        ]
        for i, ((a, b), est) in enumerate(ests.items())
    ]
    sentence = (
        f"The {topic} share of {whose(results)} feed over days {first}–{last} per "
        "variant (left) and the differences between variants paired by replication (right)"
    )
    if ests:
        (a, b), est = next(iter(ests.items()))
        effect = estimate_text(est, unit=" pp", signed=True)
        sentence += f": {b} minus {a} was {effect} over {est.n} paired replications"
    sentence += f". The shares rest on {_base_text(per_rep, results.variants)}."
    if window_note(results):
        sentence += f" The window: {window_note(results)}."
    table = Table(
        [
            f"difference in {topic} share, days {first}–{last}",
            "percentage points (95% CI)",
            "paired replications",
            "replications for a useful interval",
        ],
        rows,
    )
    title = heading("focus_effect", results)
    blocks: list[Block] = [Heading(title, 3), FigureBlock("focus_effect", title, sentence), table]
    return blocks + precision


def _sweep_outcome_blocks(results: Results) -> list[Block]:
    """The caption and sentences of `sweep_outcomes` (`sweep_blocks`)."""
    return sweep_blocks(results, drawn=True)


#: What the report says under each figure of its results section, by the figure's name: the
#: sentence of its caption, or its heading, figure and table as blocks
#: (tests/test_registries.py checks the names against `sim.analysis.catalogue.FIGURES`).
CAPTIONS: dict[str, Callable[[Results], str | list[Block]]] = {
    "feed_by_topic": _feed_sentence,
    "beliefs_vs_truth": _beliefs_sentence,
    "feed_by_source": _source_sentence,
    "feed_volume": _volume_sentence,
    "focus_effect": _effect_blocks,
    "reach_over_time": _reach_sentence,
    "primary_reach": _primary_reach_sentence,
    "engagement_by_source": _source_posts_sentence,
    "ties_never_heard": _ties_sentence,
    "connections_over_time": _connections_sentence,
    "exposure_funnel": funnel_sentence,
    "effects_forest": forest_blocks,
    "reach_region": _sweep_sentence,
    "sweep_outcomes": _sweep_outcome_blocks,
}
