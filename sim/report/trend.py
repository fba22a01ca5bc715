"""What the report says about the trend as a population process: how far it spreads in
each arm, whether its curves are S-shaped, whether clustering helps it spread (the
direction of Centola 2010), and whether it lowers everyone's reach and engagement per
impression, including the reach of those who never adopted it.

Every number comes from `sim.analysis.trend`, the functions the trend figures draw, and
says what it rests on (members, posts, impressions, creators, replications).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.analysis import (
    AUTHOR_LABELS,
    REFERENCE_BASES,
    REFERENCE_METRICS,
    S_END_DAYS,
    S_LEVEL_OFF,
    TREND_FIGURES,
    TREND_PERIODS,
    Metric,
    Results,
    TrendArm,
    adopter_authors,
    against_reference,
    complete_weeks,
    final_adoption,
    final_adoption_summary,
    gini_summary,
    heading,
    list_text,
    non_adopter_sources,
    post_life_days,
    reach_by_author,
    reference_effects,
    rewiring_differences,
    s_shape,
    s_shape_summary,
    similarity_last_week,
    summarise,
    trend_arms,
    trend_periods,
    trend_windows,
    window_changes,
)
from sim.report.blocks import (
    Block,
    Estimate,
    FigureBlock,
    Heading,
    Items,
    Paragraph,
    Table,
    estimate_text,
    estimates,
    per_variant,
)

#: Centola 2010 and the theory it tests, in one sentence.
_CENTOLA = (
    "Centola (2010) found that a behaviour spread further and faster through clustered "
    "networks than through random ones with the same degrees; the theory behind it "
    "(Centola & Macy 2007) expects this of complex contagion, which needs reinforcement "
    "from several adopters, while simple contagion should spread at least as far in the "
    "random network, whose long ties shorten the paths."
)


def _count(x: float) -> str:
    """A count to the unit with thousands separators (``1,240``)."""
    return "no" if math.isnan(x) else f"{x:,.0f}"


def _row_estimate(row: pd.Series) -> Estimate:
    """The ``mean, lo, hi, n`` of a summary row."""
    return Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))


def _metric_text(metric: Metric, est: Estimate, difference: bool, label_ci: bool) -> str:
    """A level or a paired difference in the metric's display unit (pp for a share's
    difference; two decimals below 10, one above, three for a similarity or a Gini)."""
    if metric.percent:
        unit = " pp" if difference else "%"
        return estimate_text(
            est, unit=unit, signed=difference, label_ci=label_ci, decimals=2 if difference else 1
        )
    small = metric.name in ("feed_similarity", "gini")
    decimals = 3 if small else 2 if abs(est.mean) < 10 else 1
    return estimate_text(
        est, scale=1.0, unit="", signed=difference, label_ci=label_ci, decimals=decimals
    )


def _level_text(metric: Metric, value: float) -> str:
    """A mean level without an interval, as `_metric_text` writes it."""
    return _metric_text(metric, Estimate(float(value), math.nan, math.nan, 1), False, False)


def _direction(est: Estimate) -> str:
    """``higher`` or ``lower`` (the 95% interval excludes 0), ``undecided`` (it includes 0),
    with one replication ``no interval, lower`` or ``no interval, not lower``, and ``no
    data`` without an estimate."""
    if math.isnan(est.mean):
        return "no data"
    if math.isnan(est.lo) or math.isnan(est.hi):
        return "no interval, lower" if est.mean < 0 else "no interval, not lower"
    return "higher" if est.lo > 0 else "lower" if est.hi < 0 else "undecided"


def _replications_text(n: int) -> str:
    """``3 paired replications``; one says that it gives no interval."""
    if n == 1:
        return "one paired replication, so no interval"
    return f"{n} paired replications"


# ------------------------------------------------------------------ arms and spread


def _shape_rows(results: Results) -> dict[str, dict[str, Any]]:
    """`s_shape_summary` of the results, a row per arm."""
    rows = s_shape_summary(results.adoption).to_dict("records")
    return {str(r["variant"]): {str(k): v for k, v in r.items()} for r in rows}


def _arms_table(results: Results, arms: Sequence[TrendArm]) -> Table:
    """Each arm: what it is, its final share and how many of its runs were S-shaped."""
    final = estimates(final_adoption_summary(results.adoption), ["variant"])
    shapes = _shape_rows(results)
    rows = []
    for arm in arms:
        est = final.get((arm.name,))
        share = "no data" if est is None else estimate_text(est, label_ci=False)
        s = shapes.get(arm.name)
        if s is not None and s["grew"] > 0:
            shape = f"{int(s['s_shaped'])} of {int(s['n'])}"
        else:
            shape = "did not grow"
        rows.append([arm.name, arm.description, share, shape])
    header = [
        "arm",
        "what it is",
        f"members following the trend at the end of day {results.last_day} (95% CI)",
        "replications with an S-shaped curve",
    ]
    return Table(header, rows)


def _shape_reasons(runs: pd.DataFrame, last_day: int) -> str:
    """Why the runs that grew but were not S-shaped failed the check, counted."""
    failed = runs[runs["peak_day"].notna() & ~runs["s_shaped"].astype(bool)]
    reasons: list[str] = []
    at_end = int((failed["peak_day"] >= last_day + 1).sum())
    at_start = int((failed["peak_day"] <= 1).sum())
    inside = failed[failed["inside"].astype(bool)]
    flat_end = int((inside["end_ratio"] > S_LEVEL_OFF).sum())
    bent = len(inside) - flat_end
    if at_end:
        reasons.append(f"{at_end} grew fastest on the last day (still speeding up)")
    if at_start:
        reasons.append(f"{at_start} grew fastest on the first day")
    if flat_end:
        reasons.append(
            f"{flat_end} had not levelled off (growth over the last {S_END_DAYS} days above "
            f"{100 * S_LEVEL_OFF:g}% of the peak)"
        )
    if bent:
        reasons.append(f"{bent} did not speed up before the peak or slow down after it")
    return list_text(reasons)


def _shape_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """Whether the adoption curves are S-shaped, arm by arm, with the reasons for those
    that are not."""
    runs = s_shape(results.adoption)
    summary = _shape_rows(results)
    parts: list[str] = []
    for arm in arms:
        s = summary.get(arm.name)
        if not arm.has_trend or s is None:
            continue
        if s["grew"] == 0:
            parts.append(f"under {arm.name} the trend never grew")
            continue
        peak = estimate_text(
            Estimate(float(s["peak_day"]), float(s["peak_lo"]), float(s["peak_hi"]), s["grew"]),
            scale=1.0,
            unit="",
            label_ci=not parts,
        )
        text = (
            f"{int(s['s_shaped'])} of {int(s['n'])} under {arm.name} "
            f"(fastest growth on day {peak}; growth over the last {S_END_DAYS} days "
            f"{100 * s['end_ratio']:.0f}% of the peak)"
        )
        reasons = _shape_reasons(runs[runs["variant"] == arm.name], results.last_day)
        if reasons:
            text += f"; not S-shaped: {reasons}"
        parts.append(text)
    if not parts:
        return ""
    return (
        "A curve counts as S-shaped when its fastest daily growth (adopters gained a day) "
        "falls strictly inside the run, the daily growth rises before that day and falls "
        "after it (least-squares slopes: convex, then concave) and growth over the last "
        f"{S_END_DAYS} days is at most {100 * S_LEVEL_OFF:g}% of the peak (it levelled "
        f"off). S-shaped replications: {'; '.join(parts)}."
    )


def _spread_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """How far the trend spread in each arm with it, out of how many members."""
    final = final_adoption(results.adoption)
    shares = summarise(final, "adopter_share", ["variant"], share=True)
    ests = estimates(shares, ["variant"])
    spread = [a.name for a in arms if a.has_trend and (a.name,) in ests]
    parts = [(v, estimate_text(ests[(v,)], label_ci=i == 0)) for i, v in enumerate(spread)]
    members = sorted({int(m) for m in final["members"]})
    count = list_text([_count(m) for m in members])
    text = (
        "The share of members following the trend, day by day (left), and the members it "
        f"gained each day (right): at the end of day {results.last_day} it was "
        f"{per_variant(parts) if parts else 'nowhere above 0'}, of {count} members in "
        + (
            f"each of its {results.replications} replications"
            if results.replications > 1
            else "its one replication (so no interval)"
        )
    )
    without = [a.name for a in arms if not a.has_trend]
    if without:
        text += f"; nobody follows it under {list_text(without)}"
    if (final["ever_share"] > final["adopter_share"] + 1e-12).any():
        ever = estimates(summarise(final, "ever_share", ["variant"], share=True), ["variant"])
        ever_parts = [(v, estimate_text(ever[(v,)], label_ci=False)) for v in spread]
        text += f" (ever followed it, counting those who dropped it: {per_variant(ever_parts)})"
    return text + "."


def _rewiring_verdicts(
    results: Results, arms: Sequence[TrendArm]
) -> list[tuple[str, str, str, Estimate, str]]:
    """Clustered minus rewired final adoption of each pair (`rewiring_differences`), judged
    against the direction of Centola 2010, whatever it shows: ``(contagion, rewired arm,
    clustered arm, difference, verdict)``."""
    diffs = rewiring_differences(results.adoption, arms)
    kinds = {a.name: a.contagion for a in arms}
    out = []
    for row in diffs.to_dict("records"):
        est = Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))
        kind = kinds.get(str(row["b"]), "none")
        direction = _direction(est)
        if direction == "no data":
            verdict = "no data"
        elif direction == "undecided":
            verdict = "no difference its 95% interval can tell from zero"
        elif direction.startswith("no interval"):
            verdict = "one replication, no interval, so no direction can be claimed"
        elif kind == "complex":
            verdict = (
                "complex contagion spread further in the clustered network, the direction "
                "of Centola 2010"
                if direction == "higher"
                else "complex contagion spread further in the rewired network, the opposite "
                "of Centola 2010"
            )
        elif kind == "simple":
            verdict = (
                "simple contagion spread further in the clustered network, which the theory "
                "does not expect of simple contagion"
                if direction == "higher"
                else "simple contagion spread further in the rewired network, as the theory "
                "expects of simple contagion"
            )
        else:
            verdict = "further in the " + (
                "clustered network" if direction == "higher" else "rewired network"
            )
        out.append((kind, str(row["a"]), str(row["b"]), est, verdict))
    return out


def _centola_paragraph(results: Results, arms: Sequence[TrendArm]) -> str:
    """Clustered against rewired final adoption for each contagion (`_rewiring_verdicts`)."""
    verdicts = _rewiring_verdicts(results, arms)
    if not verdicts:
        return ""
    sentences = [
        f"{kind.capitalize()} contagion, {b} minus {a}: "
        f"{_with_note(estimate_text(est, unit=' pp', signed=True), _replications_text(est.n))}"
        f" in the final share of members: {verdict}."
        for kind, a, b, est, verdict in verdicts
    ]
    return (
        f"{_CENTOLA} The clustered network minus its rewired copy (every member keeps its "
        f"number of connections), paired by replication (the same members, only the edges "
        f"moved): {' '.join(sentences)}"
    )


# ------------------------------------------------------------------ reach and engagement


def _reach_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """Viewers per post of adopters' and non-adopters' posts over the whole run, per arm,
    with the posts behind each."""
    life = post_life_days(results.manifest)
    whole = reach_by_author(results.posts, results.duration_days, life, results.duration_days)
    ests = estimates(
        summarise(whole, "impressions", ["variant", "author_group"]), ["variant", "author_group"]
    )
    posts = whole.groupby(["variant", "author_group"], sort=False)["posts"].mean()
    authors = (  # adopters a replication, over the replications that had any
        adopter_authors(results.posts)
        .groupby(["variant", "replication"], sort=False)
        .size()
        .groupby(level="variant", sort=False)
        .mean()
    )
    parts: list[str] = []
    for arm in arms:
        groups: list[str] = []
        for group in ("adopter", "non_adopter"):
            est = ests.get((arm.name, group))
            if est is None:
                continue
            n_posts = _count(float(posts.get((arm.name, group), math.nan)))
            value = estimate_text(est, scale=1.0, unit="", label_ci=not parts and not groups)
            groups.append(f"{value} for {AUTHOR_LABELS[group]}' posts ({n_posts} a replication)")
        if not groups:
            continue
        adopters = (
            f", {_count(float(authors[arm.name]))} adopters a replication"
            if arm.name in authors.index
            else ""
        )
        parts.append(f"under {arm.name} {list_text(groups)}{adopters}")
    return (
        "Viewers per post, by the week a post was created, for posts of the replication's "
        "adopters (authors with a post written while following the trend; all their posts) "
        "and of everyone else; only posts created at least "
        f"{life:g} days (a post's life in the feed) before the end. Over the whole run: "
        f"{'; '.join(parts)}."
    )


def _with_note(text: str, note: str) -> str:
    """``text`` with ``note`` added inside its closing parenthesis (after an interval), or
    in parentheses of its own."""
    return f"{text[:-1]}; {note})" if text.endswith(")") else f"{text} ({note})"


def _effect_phrase(metric: Metric, row: pd.Series, label_ci: bool) -> str:
    """``-4.8 viewers per post (95% CI ...; 42 posts a replication against 44)``."""
    est = _row_estimate(row)
    unit = REFERENCE_BASES[metric.name]
    base = f"{_count(row['base'])} {unit} a replication against {_count(row['reference_base'])}"
    text = _metric_text(metric, est, True, label_ci)
    if not metric.percent:
        number, _, rest = text.partition(" ")
        text = f"{number} {metric.unit} {rest}".strip()
    return _with_note(text, base)


#: Words of `_verdicts` for an effect against the arm without the trend.
_EFFECT_WORDS = {
    "lower": "lower under {}",
    "higher": "higher under {}",
    "undecided": "not distinguishable from no change under {}",
    "no interval, lower": "lower under {} in one replication (no interval)",
    "no interval, not lower": "not lower under {} in one replication (no interval)",
    "no data": "no data under {}",
}
#: Words of `_verdicts` for a change from the first to the last week.
_CHANGE_WORDS = {
    "lower": "fell under {}",
    "higher": "rose under {}",
    "undecided": "no change the 95% interval can tell under {}",
    "no interval, lower": "fell under {} in one replication (no interval)",
    "no interval, not lower": "did not fall under {} in one replication (no interval)",
    "no data": "no data under {}",
}


def _verdicts(rows: pd.DataFrame, words: dict[str, str] = _EFFECT_WORDS) -> str:
    """Which arms (``variant``) an estimate (``mean, lo, hi, n``) puts lower, higher or
    undecided (`_direction`), in ``words``: ``lower under a and b; higher under c``."""
    groups: dict[str, list[str]] = {k: [] for k in words}
    for _, row in rows.iterrows():
        groups[_direction(_row_estimate(row))].append(str(row["variant"]))
    return "; ".join(words[k].format(list_text(v)) for k, v in groups.items() if v)


def _reference_effects(results: Results, arms: Sequence[TrendArm]) -> pd.DataFrame:
    """`reference_effects` of the results: every arm with the trend against its reference."""
    life = post_life_days(results.manifest)
    per_rep = against_reference(
        results.posts, results.population, results.adoption, arms, results.duration_days, life
    )
    return reference_effects(per_rep)


def _window_changes(results: Results) -> pd.DataFrame:
    """`window_changes` of the results: first against last complete week, per arm."""
    life = post_life_days(results.manifest)
    windows = trend_windows(
        results.posts, results.population, results.adoption, results.duration_days, life
    )
    return window_changes(windows)


def _windows_sentence(results: Results, arms: Sequence[TrendArm], changes: pd.DataFrame) -> str:
    """Everyone's reach and engagement per impression in the first and in the last complete
    week of each arm, as the share following the trend rose (`_window_changes`)."""
    life = post_life_days(results.manifest)
    rows = {(str(r["variant"]), str(r["measure"])): r for r in changes.to_dict("records")}
    (f0, f1), (l0, l1) = complete_weeks(results.duration_days, life).values()
    if l0 <= f1:
        return (
            f"The run is too short to compare a first and a last week of complete posts: "
            f"with a {life:g}-day post life in {results.duration_days} days they would "
            f"overlap (days {f0}–{f1} and {l0}–{l1})."
        )
    parts: list[str] = []
    for arm in arms:
        share, reach = rows.get((arm.name, "adopter_share")), rows.get((arm.name, "reach"))
        rate = rows.get((arm.name, "engagement_rate"))
        if share is None or reach is None or rate is None:
            continue
        first = not parts
        reach_change = estimate_text(
            Estimate(reach["mean"], reach["lo"], reach["hi"], reach["n"]),
            scale=1.0,
            unit=" viewers per post",
            signed=True,
            label_ci=first,
        )
        rate_change = estimate_text(
            Estimate(rate["mean"], rate["lo"], rate["hi"], rate["n"]),
            unit=" pp",
            signed=True,
            label_ci=False,
            decimals=2,
        )
        posts = f"{_count(reach['first_base'])} → {_count(reach['last_base'])} posts a replication"
        views = (
            f"{_count(rate['first_base'])} → {_count(rate['last_base'])} impressions a replication"
        )
        when = (
            f"as the share following the trend went from {100 * share['first']:.1f}% to "
            f"{100 * share['last']:.1f}%"
            if arm.has_trend
            else "without the trend"
        )
        parts.append(
            f"under {arm.name}, {when}, viewers per post went from {reach['first']:.1f} to "
            f"{reach['last']:.1f}, {_with_note(reach_change, posts)}, and engagements per "
            f"impression from {100 * rate['first']:.2f}% to {100 * rate['last']:.2f}%, "
            f"{_with_note(rate_change, views)}"
        )
    if not parts:
        return ""
    baseline = (
        " The arms without the trend show how much of a change the passing of time alone makes."
        if any(not a.has_trend for a in arms)
        else ""
    )
    return (
        f"Between the first week (days {f0}–{f1}) and the last week whose posts' whole "
        f"{life:g}-day life lies inside the run (days {l0}–{l1}), everyone's posts and "
        f"impressions, last minus first paired within each replication: {'; '.join(parts)}."
        + baseline
    )


def _effects_blocks(
    results: Results,
    arms: Sequence[TrendArm],
    effects: pd.DataFrame,
    changes: pd.DataFrame,
    drawn: bool,
) -> list[Block]:
    """What the trend does to everyone: how reach and engagement per impression moved as
    it spread (the caption of ``trend_reach_vs_adoption`` when it is ``drawn``), and every
    paired difference against the arm without the trend, with a table."""
    life = post_life_days(results.manifest)
    over_time = _windows_sentence(results, arms, changes)
    blocks: list[Block] = []
    if drawn:
        blocks.append(
            FigureBlock(
                "trend_reach_vs_adoption",
                heading("trend_reach_vs_adoption", results),
                "Everyone's viewers per post and engagements per impression day by day, "
                "against the share of members following the trend that day (arms without "
                f"the trend: their mean over days, dotted). {over_time}".strip(),
            )
        )
    elif over_time:
        blocks.append(Paragraph(over_time))
    if effects.empty:
        return [
            *blocks,
            Paragraph(
                "No arm with the trend has an arm without it on the same network (the same "
                "scenario but for its trend section, e.g. `trend: {groups: [], contagion: "
                "{kind: none}}`), so the trend's effect on reach and engagement is not "
                "estimated against a run without it."
            ),
        ]
    by_metric = {m.name: m for m in REFERENCE_METRICS}
    sentences = []
    for name, what in (
        ("reach_everyone", "Everyone's viewers per post"),
        ("reach_non_adopters", "Viewers per post of the posts by members who never adopted it"),
        ("engagement_everyone", "Engagements per impression of all viewers"),
        ("engagement_non_adopters", "Engagements per impression of non-adopter viewers"),
    ):
        rows = effects[effects["metric"] == name]
        phrases = [
            f"{_effect_phrase(by_metric[name], row, label_ci=i == 0)} under {row['variant']}"
            for i, (_, row) in enumerate(rows.iterrows())
        ]
        sentences.append(f"{what}: {'; '.join(phrases)}; that is, {_verdicts(rows)}.")
    references = list_text([f"{a.name} against {a.reference}" for a in arms if a.reference])
    alone = [a.name for a in arms if a.has_trend and a.reference is None]
    if alone:
        references += (
            f"; {list_text(alone)} {'has' if len(alone) == 1 else 'have'} no arm without the "
            "trend on the same network, so "
            f"{'it is' if len(alone) == 1 else 'they are'} not compared"
        )
    n = int(effects["n"].max())
    intro = (
        "Against the same network without the trend, paired by replication "
        f"({references}; {_replications_text(n)}), the arm with the trend minus the arm "
        "without it. "
    )
    caveat = (
        "How to read these: the posts of members who never adopted are those of the authors "
        "who are not adopters of the trend arm's replication, compared with the posts of the "
        "same members in the arm without the trend. Everyone's posts include the adopters' "
        "calls to connect, so their mean mixes a change in reach with more posts sharing the "
        "same attention. Non-adopter viewers are the viewers not following the trend at the "
        "impression; without the trend that is everyone, so their engagement per impression "
        "compares a shrinking group of members with all members. Reach counts only posts "
        f"whose {life:g}-day life lies inside the run; engagement per impression counts every "
        "impression of the run."
    )
    return [
        *blocks,
        Paragraph(intro + " ".join(sentences)),
        _effects_table(effects),
        Paragraph(caveat),
    ]


def _effects_table(effects: pd.DataFrame) -> Table:
    """Every `REFERENCE_METRICS` difference: levels, difference, base and replications."""
    rows = []
    for metric in REFERENCE_METRICS:
        for _, row in effects[effects["metric"] == metric.name].iterrows():
            unit = REFERENCE_BASES[metric.name]
            rows.append(
                [
                    metric.title,
                    metric.unit,
                    f"{row['variant']} minus {row['reference']}",
                    _level_text(metric, row["value"]),
                    _level_text(metric, row["reference_value"]),
                    _metric_text(metric, _row_estimate(row), True, False),
                    f"{_count(row['base'])} against {_count(row['reference_base'])} {unit}",
                    str(int(row["n"])),
                ]
            )
    header = [
        "measure",
        "unit",
        "comparison",
        "with the trend (mean)",
        "without (mean)",
        "difference (95% CI)",
        "rests on, per replication",
        "paired replications",
    ]
    return Table(header, rows)


# ------------------------------------------------------------------ feeds


def _sources_sentence(results: Results) -> str:
    """The peer and stranger shares of non-adopters' feeds, first against last week."""
    shares = non_adopter_sources(results.population, results.duration_days)
    ests = estimates(shares, ["variant", "period", "group"])
    base = shares.groupby(["variant", "period"], sort=False)["impressions"].first()
    first, last = TREND_PERIODS
    periods = trend_periods(results.duration_days)
    parts: list[str] = []
    for v in results.variants:
        texts: list[str] = []
        for group, word in (("peer", "peers"), ("stranger", "strangers")):
            a, b = ests.get((v, first, group)), ests.get((v, last, group))
            if a is None or b is None:
                continue
            label = not parts and not texts
            texts.append(
                f"{word} {estimate_text(a, label_ci=label)} → {estimate_text(b, label_ci=False)}"
            )
        if texts:
            counts = (
                f"{_count(float(base.get((v, first), math.nan)))} → "
                f"{_count(float(base.get((v, last), math.nan)))} impressions a replication"
            )
            parts.append(f"under {v} {list_text(texts)} ({counts})")
    (f0, f1), (l0, l1) = periods[first], periods[last]
    overlap = (
        f" (in a run of {results.duration_days} days the two weeks overlap)" if l0 <= f1 else ""
    )
    return (
        "Shares of the feed impressions of members not following the trend (at the "
        f"impression) by source group, in the first week (days {f0}–{f1}) and the last "
        f"(days {l0}–{l1}){overlap}; without the trend, every member. First → last week: "
        f"{'; '.join(parts)}."
    )


def _similarity_sentence(results: Results, effects: pd.DataFrame) -> str:
    """Feed similarity over the last week and the Gini of engagements per creator, with
    their paired differences against the arm without the trend (`_reference_effects`)."""
    by_metric = {m.name: m for m in REFERENCE_METRICS}
    ginis = gini_summary(results.posts)
    gini_parts = [
        f"{estimate_text(_row_estimate(r), scale=1.0, unit='', decimals=3, label_ci=i == 0)} "
        f"under {r['variant']} ({_count(r['creators'])} creators a replication)"
        for i, (_, r) in enumerate(ginis.iterrows())
    ]
    first, last = trend_periods(results.duration_days)[TREND_PERIODS[1]]
    similarity = estimates(
        summarise(
            similarity_last_week(results.adoption, results.duration_days),
            "feed_similarity",
            ["variant"],
        ),
        ["variant"],
    )
    similarity_parts = [
        f"{estimate_text(similarity[(v,)], scale=1.0, unit='', decimals=3, label_ci=i == 0)} "
        f"under {v}"
        for i, v in enumerate([v for v in results.variants if (v,) in similarity])
    ]
    text = (
        "Feed similarity is the mean pairwise cosine similarity of the topic mixes of the "
        "feeds of every member shown an item that day (1: everyone sees the same mix), the "
        "homogenisation "
        "Chaney, Stewart & Engelhardt (2018) measure; its mean over the last week (days "
        f"{first}–{last}) was {list_text(similarity_parts)}. Concentration: the Gini "
        "coefficient of the engagements (likes, comments, shares) each creator's posts "
        f"received, {list_text(gini_parts)}."
    )
    for name in ("feed_similarity", "gini"):
        rows = effects[effects["metric"] == name]
        if rows.empty:
            continue
        metric = by_metric[name]
        phrases = [
            f"{_metric_text(metric, _row_estimate(r), True, i == 0)} under {r['variant']} "
            f"({_level_text(metric, r['value'])} against "
            f"{_level_text(metric, r['reference_value'])})"
            for i, (_, r) in enumerate(rows.iterrows())
        ]
        text += (
            f" {metric.title}, with the trend minus without: {'; '.join(phrases)}; that is, "
            f"{_verdicts(rows)}."
        )
    return text


# ------------------------------------------------------------------ the section


def _change_verdicts(changes: pd.DataFrame, measure: str, arms: Sequence[TrendArm]) -> str:
    """How ``measure`` moved from the first to the last complete week in the arms with the
    trend (`_verdicts` in `_CHANGE_WORDS`)."""
    having = {a.name for a in arms if a.has_trend}
    rows = changes[(changes["measure"] == measure) & changes["variant"].isin(having)]
    return _verdicts(rows, _CHANGE_WORDS)


def _summary_items(
    results: Results, arms: Sequence[TrendArm], effects: pd.DataFrame, changes: pd.DataFrame
) -> Items:
    """The section's answers in one line each; the sections below give the numbers."""
    final = estimates(final_adoption_summary(results.adoption), ["variant"])
    spread = [
        (a.name, estimate_text(final[(a.name,)], label_ci=False))
        for a in arms
        if a.has_trend and (a.name,) in final
    ]
    items = [
        (
            f"members following the trend at the end of day {results.last_day}",
            per_variant(spread) if spread else "none in any arm",
        )
    ]
    shapes = _shape_rows(results)
    shape_parts = [
        f"{int(shapes[a.name]['s_shaped'])} of {int(shapes[a.name]['n'])} under {a.name}"
        for a in arms
        if a.has_trend and a.name in shapes
    ]
    if shape_parts:
        items.append(("S-shaped curves (replications)", list_text(shape_parts)))
    centola = [
        f"{b} minus {a} {estimate_text(est, unit=' pp', signed=True)}: {verdict}"
        for _, a, b, est, verdict in _rewiring_verdicts(results, arms)
    ]
    if centola:
        items.append(("clustered against rewired network (Centola 2010)", "; ".join(centola)))
    if not effects.empty:
        for name, term in (
            ("reach_everyone", "everyone's viewers per post, against no trend"),
            ("reach_non_adopters", "viewers per post of those who never adopted, against no trend"),
            ("engagement_everyone", "engagements per impression, all viewers, against no trend"),
            (
                "engagement_non_adopters",
                "engagements per impression, non-adopter viewers, against no trend",
            ),
        ):
            items.append((term, _verdicts(effects[effects["metric"] == name])))
    else:
        for measure, term in (
            ("reach", "everyone's viewers per post, last week against first"),
            ("engagement_rate", "engagements per impression, last week against first"),
        ):
            verdict = _change_verdicts(changes, measure, arms)
            if verdict:
                items.append((term, f"{verdict} (no arm without the trend to compare with)"))
    return Items(items)


def trend_blocks(results: Results, figures: Sequence[str]) -> list[Block]:
    """The section "The trend": the arms, the spread, the comparison with the rewired
    network, and what the trend does to reach, engagement and feeds; the drawn ``figures``
    of `TREND_FIGURES` placed in it (a figure not drawn is left out: the report names it)."""
    if not results.has_trend:
        return []
    arms = trend_arms(results.manifest, results.variants)
    drawn = [n for n in TREND_FIGURES if n in figures]
    blocks: list[Block] = [
        Heading("The trend", 2),
        Paragraph(
            "The “link with everyone” trend as a population process: at day 0 some members "
            "follow it (they invite members every day, accept every invitation and post "
            "calls to connect), and others adopt it from the calls they see in their feeds. "
            "The arms of this study:"
        ),
        _arms_table(results, arms),
    ]
    effects = _reference_effects(results, arms)
    changes = _window_changes(results)
    blocks += [
        Paragraph(
            "In short (the sections below give every number with its 95% interval and what "
            "it rests on):"
        ),
        _summary_items(results, arms, effects, changes),
    ]
    if "trend_adoption" in drawn:
        sentences = (_spread_sentence(results, arms), _shape_sentence(results, arms))
        caption = " ".join(s for s in sentences if s)
        blocks += [
            Heading(heading("trend_adoption", results), 3),
            FigureBlock("trend_adoption", heading("trend_adoption", results), caption),
        ]
    centola = _centola_paragraph(results, arms)
    if centola:
        blocks.append(Paragraph(centola))
    if "trend_reach" in drawn:
        blocks += [
            Heading(heading("trend_reach", results), 3),
            FigureBlock(
                "trend_reach", heading("trend_reach", results), _reach_sentence(results, arms)
            ),
        ]
    blocks.append(Heading(heading("trend_reach_vs_adoption", results), 3))
    blocks += _effects_blocks(results, arms, effects, changes, "trend_reach_vs_adoption" in drawn)
    if "trend_feed_sources" in drawn:
        blocks += [
            Heading(heading("trend_feed_sources", results), 3),
            FigureBlock(
                "trend_feed_sources",
                heading("trend_feed_sources", results),
                _sources_sentence(results),
            ),
        ]
    if "trend_feed_similarity" in drawn:
        blocks += [
            Heading(heading("trend_feed_similarity", results), 3),
            FigureBlock(
                "trend_feed_similarity",
                heading("trend_feed_similarity", results),
                _similarity_sentence(results, effects),
            ),
        ]
    return blocks
