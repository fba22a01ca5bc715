"""The comparisons a study asks for: which pairs of variants, their paired differences in
every outcome the report names, why a difference is missing, and how many replications a
useful interval would take.

A scenario's ``comparisons`` (`Results.comparisons`) name the pairs that matter, each as an
arm and its reference; every difference reads arm minus reference (`paired_differences`
with ``(a, b) = (reference, arm)``). Without them the figures and the report keep their
own pairs (`default_pairs`, or every variant against the first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.analysis.effects import FOREST_METRICS, Metric, replication_metrics
from sim.analysis.feed import topic_share_window
from sim.analysis.results import REP_KEYS, Results
from sim.analysis.statistics import (
    default_pairs,
    paired_differences,
    with_needed,
)
from sim.analysis.survival import (
    arm_horizons,
    followup_horizon,
    never_heard_by_arm,
    stranger_followup,
)
from sim.analysis.sweeps import FOCUS_SHARE

Pair = tuple[str, str]

#: Columns of `compare`.
COLUMNS = [
    "outcome",
    "a",
    "b",
    "mean",
    "lo",
    "hi",
    "n",
    "sd",
    "level",
    "day",
    "target",
    "needed",
    "reason",
    "a_has",
    "b_has",
]


def _unordered(pairs: Sequence[Pair]) -> set[frozenset[str]]:
    return {frozenset(p) for p in pairs}


def other_pairs(results: Results) -> list[Pair]:
    """The pairs of `default_pairs` that no scenario comparison names (in either order)."""
    chosen = _unordered(results.comparisons)
    return [p for p in default_pairs(results.variants) if frozenset(p) not in chosen]


def shown_pairs(results: Results, fallback: Sequence[Pair]) -> list[Pair]:
    """The pairs a figure or a table shows, each ``(a, b)`` read as ``b - a``.

    The scenario's comparisons when it lists some, followed by `other_pairs` with
    `Results.all_pairs`; without comparisons, ``fallback`` (the figure's own pairs), or
    every pair of `default_pairs` with `Results.all_pairs`.
    """
    if results.comparisons:
        return [*results.comparisons, *(other_pairs(results) if results.all_pairs else [])]
    if results.all_pairs:
        extra = [
            p for p in default_pairs(results.variants) if frozenset(p) not in _unordered(fallback)
        ]
        return [*fallback, *extra]
    return list(fallback)


def first_against_others(variants: Sequence[str]) -> list[Pair]:
    """Every later variant against the first: ``(first, b)``."""
    return [(variants[0], b) for b in variants[1:]]


def comparison_outcomes(results: Results) -> list[Metric]:
    """The outcomes the report names for the focal members, in display order: the focus
    topic's share of the feed (with a focus topic and a feed), then `FOREST_METRICS`."""
    out: list[Metric] = []
    if results.focus_topic is not None and not results.feed.empty:
        first, last = results.focus_window
        title = f"{results.focus_topic} share of the feed, days {first}–{last}"
        needs = "focal feed impressions in the window"
        out.append(Metric(FOCUS_SHARE, title, "% of feed impressions", True, needs))
    return [*out, *FOREST_METRICS]


def outcome_replications(results: Results) -> pd.DataFrame:
    """Every outcome of `comparison_outcomes` per variant and replication.

    `replication_metrics` (``never_heard`` at `followup_horizon` of all new stranger ties;
    `compare` reads it per pair instead) and ``focus_share`` = `topic_share_window`.

    Returns:
        Columns ``scenario, variant, replication`` and one per outcome.
    """
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    metrics = replication_metrics(
        results.posts,
        results.connections,
        results.ties,
        results.duration_days,
        followup_horizon(followup),
    )
    if results.focus_topic is not None and not results.feed.empty:
        first, last = results.focus_window
        share = topic_share_window(results.feed, results.focus_topic, first, last)
        share = share[[*REP_KEYS, "share"]].rename(columns={"share": FOCUS_SHARE})
        metrics = metrics.merge(share, on=REP_KEYS, how="outer")
    return metrics


def _has(per_rep: pd.DataFrame, column: str, variant: str) -> bool:
    """Whether some replication of ``variant`` has a value of ``column``."""
    return bool(per_rep.loc[per_rep["variant"] == variant, column].notna().any())


def missing_reason(outcome: Metric, per_rep: pd.DataFrame, a: str, b: str) -> str:
    """Why ``b - a`` has no value: which arm lacks what the outcome needs.

    ``per_rep``: the outcome's values (column ``outcome.name``) by variant and replication.
    """
    has = {v: _has(per_rep, outcome.name, v) for v in (a, b)}
    head = f"no replication has {outcome.needs} in both arms"
    if not has[a] and not has[b]:
        return f"{head}: neither {a} nor {b} has any"
    if not has[a]:
        return f"{head}: the reference arm {a} has none"
    if not has[b]:
        return f"{head}: {b} has none"
    return head


def never_heard_pair(followup: pd.DataFrame, a: str, b: str) -> tuple[pd.DataFrame, float]:
    """Both arms' never-heard shares per replication at their common horizon.

    The horizon is ``min(h_a, h_b)`` of `arm_horizons`, so the two arms are read at the
    same day after acceptance, each within its own follow-up (an arm whose burst came late
    is followed for less); NaN when an arm has no new stranger ties.

    Args:
        followup: `stranger_followup` of the results.
        a: the reference variant.
        b: the compared variant.

    Returns:
        Columns ``scenario, variant, replication, day, never_heard, ties``, and the horizon
        (NaN, and only the arm that has ties, when one of them has none).
    """
    horizons = arm_horizons(followup)
    if a in horizons and b in horizons:
        day = min(horizons[a], horizons[b])
        at = never_heard_by_arm(followup, {a: day, b: day})
    else:  # nothing to pair: the arm that has ties, read at its own horizon
        day = math.nan
        at = never_heard_by_arm(followup, {v: horizons[v] for v in (a, b) if v in horizons})
    return at.rename(columns={"share": "never_heard"}), day


def compare(results: Results, pairs: Sequence[Pair]) -> pd.DataFrame:
    """Paired differences ``b - a`` of every outcome of `comparison_outcomes` for ``pairs``.

    Per pair and outcome: `paired_differences` over the replications where both variants
    have a value; ``level`` = the mean of ``a`` (the reference) over its replications;
    ``never_heard`` read at the pair's common horizon (`never_heard_pair`; ``day``, NaN for
    the other outcomes), so an arm whose ties came late is compared where both are followed. Where
    the mean is missing, ``reason`` says why (`missing_reason`). ``target`` and ``needed``:
    `target_width` (5 pp for shares, 10% of the reference's mean for counts) and
    `replications_needed` at the spread ``sd`` of the ``d_r``. ``a_has`` and ``b_has``:
    whether some replication of the arm has a value of the outcome.

    Returns:
        `COLUMNS`, outcomes in display order, pairs in the given order within each.
    """
    per_rep = outcome_replications(results)
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    rows = []
    for outcome in comparison_outcomes(results):
        for a, b in pairs:
            day = math.nan
            values = per_rep
            if outcome.name == "never_heard":
                values, day = never_heard_pair(followup, a, b)
            if outcome.name not in values.columns:
                values = values.assign(**{outcome.name: math.nan})
            level = float(values.loc[values["variant"] == a, outcome.name].mean())
            diffs = paired_differences(values, outcome.name, [(a, b)])
            diff = with_needed(diffs, outcome.percent, [level]).iloc[0]
            nan = math.isnan(float(diff["mean"]))
            rows.append(
                {
                    **{k: diff[k] for k in ("a", "b", "mean", "lo", "hi", "n", "sd")},
                    **{k: diff[k] for k in ("target", "needed")},
                    "outcome": outcome.name,
                    "level": level,
                    "day": day,
                    "reason": missing_reason(outcome, values, a, b) if nan else "",
                    "a_has": _has(values, outcome.name, a),
                    "b_has": _has(values, outcome.name, b),
                }
            )
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["needed"] = out["needed"].astype("Int64")
    return out


def short_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a `compare`-shaped frame (``n`` and ``needed``) whose interval is wider
    than its target: more replications are needed than were run."""
    needed = frame["needed"].astype("Int64")
    return frame[needed.notna() & (needed > frame["n"])].copy()
