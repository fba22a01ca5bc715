"""The outcomes of a parameter sweep against the swept values, per variant and paired.

A sweep (``feedsim sweep``) runs every replication of every variant at every point of a
grid; replication r uses the same seed at every point and in every variant (common random
numbers). `sweep_replications` computes the outcomes of each run, `sweep_outcomes` their
means per point with 95% intervals, for each variant and for each pair of variants
(`sim.analysis.statistics.default_pairs`, differences paired by replication). The figure
``sweep_outcomes`` and the report's sentences both read `sweep_outcomes`.

The outcomes are those of the focal members (`SWEEP_METRICS`, and the focus topic's share)
when the runs have focal members, and those of the trend as a population process
(`sim.analysis.trend.RUN_OUTCOMES`) when they have a trend (`sweep_has_trend`); a trend
study without focal members gets the trend's outcomes only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.effects import Metric, replication_metrics
from sim.analysis.feed import topic_share_window
from sim.analysis.results import REP_KEYS, Results
from sim.analysis.statistics import default_pairs, paired_differences, summarise, with_needed
from sim.analysis.survival import followup_horizon, stranger_followup
from sim.analysis.trend import RUN_OUTCOMES, post_life_days, run_outcomes

#: The outcomes every sweep reports besides the focus-topic share, in display order.
SWEEP_METRICS = (
    Metric("viewers_per_post", "Reach: viewers per focal post", "viewers", False),
    Metric("peer_viewers_per_post", "Peers reached: peer viewers per focal post", "viewers", False),
    Metric("peer_share", "Peer share of viewers", "%", True),
    Metric("engagement_rate", "Engagements per impression", "%", True),
    Metric("never_heard", "New stranger ties never heard from", "%", True),
)

#: Name of the focus-topic outcome (present when the scenario has a focus topic).
FOCUS_SHARE = "focus_share"


def sweep_has_trend(results: Results) -> bool:
    """Whether a sweep's runs had the trend as a population process: its ``adoption``
    table has rows (`Results.has_trend` is False for every sweep)."""
    return not results.adoption.empty


def sweep_outcome_list(results: Results) -> list[Metric]:
    """The outcomes of a sweep, in display order.

    With focal members (`Results.has_focal`): the focus-topic share (with a focus topic),
    then `SWEEP_METRICS`. With the trend (`sweep_has_trend`): then the trend's
    `RUN_OUTCOMES`. Without either, `SWEEP_METRICS` (they have no data).
    """
    out = []
    trend = sweep_has_trend(results)
    if results.focus_topic is not None:
        first, last = results.focus_window
        title = f"{results.focus_topic} share of the feed, days {first}–{last}"
        out.append(Metric(FOCUS_SHARE, title, "%", True))
    if results.has_focal or not trend:
        out += SWEEP_METRICS
    return [*out, *(RUN_OUTCOMES if trend else ())]


def sweep_life_days(results: Results) -> float:
    """The post life of a sweep's complete posts (`sim.analysis.trend.complete_posts`), the
    same at every point: the longest of `post_life_days` and of any swept value of a
    ``platform.max_age_days`` path."""
    swept = [
        float(value)
        for point in results.manifest.get("points") or []
        if isinstance(point, dict)
        for path, value in (point.get("parameters") or {}).items()
        if str(path).endswith("platform.max_age_days") and numeric_values([value])
    ]
    return max([post_life_days(results.manifest), *swept])


def _points(results: Results) -> pd.DataFrame:
    """Each point of the sweep with its parameter values, in grid order."""
    keys = ["point", *results.sweep_parameters]
    return results.posts[keys].drop_duplicates().sort_values("point", ignore_index=True)


def _at(table: pd.DataFrame, point: int) -> pd.DataFrame | None:
    """The rows of one point of a table, or None when the table is empty or lacks points."""
    if table.empty or "point" not in table.columns:
        return None
    return table[table["point"] == point]


def _duration(results: Results, point: int) -> int:
    """Simulated days at a point: the swept ``duration_days`` there, else the study's."""
    for entry in results.manifest.get("points") or []:
        if isinstance(entry, dict) and entry.get("point") == point:
            value = (entry.get("parameters") or {}).get("duration_days")
            if isinstance(value, int | float) and not isinstance(value, bool):
                return int(value)
    return results.duration_days


def _rows(table: pd.DataFrame, point: int) -> pd.DataFrame:
    """The rows of one point of a table (empty when the table is empty or lacks points)."""
    mine = _at(table, point)
    return table.iloc[0:0] if mine is None else mine


def sweep_replications(results: Results) -> pd.DataFrame:
    """The outcomes of every run of a sweep: one row per point, variant and replication.

    At each point: ``focus_share`` = `topic_share_window` of the focus topic over
    `Results.focus_window` (impressions of the topic over all impressions of the focal
    members in the window); ``viewers_per_post``, ``peer_viewers_per_post``, ``peer_share``,
    ``engagement_rate`` and ``never_heard`` as in `replication_metrics`, with one horizon
    for ``never_heard`` at every point (`followup_horizon` of all the sweep's new stranger
    ties). With the trend: its
    outcomes as in `sim.analysis.trend.run_outcomes`, complete posts taken with one post
    life at every point (`sweep_life_days`), with the ``<outcome>_base`` columns (what each
    value rests on).

    Returns:
        Columns ``point``, the swept parameters, ``scenario, variant, replication``, one
        column per outcome of `sweep_outcome_list`, then the trend's ``_base`` columns.
    """
    followup = stranger_followup(results.ties, results.duration_days, results.connections)
    horizon = followup_horizon(followup) if not followup.empty else None
    trend = [o.name for o in RUN_OUTCOMES] if sweep_has_trend(results) else []
    bases = [f"{name}_base" for name in trend]
    life = sweep_life_days(results) if trend else 0.0
    names = [o.name for o in sweep_outcome_list(results)] + bases
    parts = []
    for row in _points(results).itertuples(index=False):
        point = int(row[0])
        posts = results.posts[results.posts["point"] == point]
        metrics = replication_metrics(
            posts,
            _at(results.connections, point),
            _at(results.ties, point),
            results.duration_days,
            horizon,
        )
        if results.focus_topic is not None:
            feed = results.feed[results.feed["point"] == point]
            first, last = results.focus_window
            share = topic_share_window(feed, results.focus_topic, first, last)
            metrics = metrics.merge(
                share[[*REP_KEYS, "share"]].rename(columns={"share": FOCUS_SHARE}),
                on=REP_KEYS,
                how="left",
            )
        if trend:
            runs = run_outcomes(
                posts,
                _rows(results.population, point),
                _rows(results.adoption, point),
                _duration(results, point),
                life,
            )
            metrics = metrics.merge(runs[[*REP_KEYS, *trend, *bases]], on=REP_KEYS, how="left")
        metrics = metrics.assign(
            **dict(zip(["point", *results.sweep_parameters], row, strict=True))
        )
        parts.append(metrics[["point", *results.sweep_parameters, *REP_KEYS, *names]])
    columns = ["point", *results.sweep_parameters, *REP_KEYS, *names]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def contrast_label(a: str, b: str) -> str:
    """The name of the paired difference ``b - a``."""
    return f"{b} minus {a}"


def sweep_outcomes(
    results: Results, per_rep: pd.DataFrame | None = None, pairs: Sequence[tuple[str, str]] = ()
) -> pd.DataFrame:
    """Mean and 95% interval of every outcome at every point, per variant and paired.

    ``kind == "variant"``: `summarise` of the outcome over the variant's replications at the
    point (a share's interval on the logit scale), and ``base``: the mean over those runs
    of what a trend outcome rests on (its ``_base`` column of `sweep_replications`; NaN
    for the other outcomes). ``kind == "difference"``: `paired_differences` ``b - a`` over
    the replications where both variants have a value, for the ``pairs`` (default: the
    scenario's comparisons, else `default_pairs` of the variants); ``n`` counts those
    pairs; ``sd``, ``target`` and ``needed`` as `with_needed` (the reference's mean at the
    point scales a count's target; NaN for a variant's rows).

    Args:
        results: a sweep's results.
        per_rep: `sweep_replications` of it (computed when not given).
        pairs: the variant pairs to difference.

    Returns:
        Columns ``outcome, kind, series, a, b, point``, the swept parameters, ``mean, lo,
        hi, n, base, sd, target, needed``; ``series`` is the variant or `contrast_label`;
        ``a`` and ``b`` are empty for a variant's rows. Shares are fractions (differences of
        shares too).
    """
    per_rep = sweep_replications(results) if per_rep is None else per_rep
    params = results.sweep_parameters
    keys = ["point", *params]
    chosen = list(pairs) or results.comparisons or default_pairs(results.variants)
    columns = ["outcome", "kind", "series", "a", "b", *keys, "mean", "lo", "hi", "n", "base"]
    columns += ["sd", "target", "needed"]
    parts = []
    for outcome in sweep_outcome_list(results):
        levels = summarise(per_rep, outcome.name, [*keys, "variant"], share=outcome.percent)
        levels = levels.assign(outcome=outcome.name, kind="variant", a="", b="")
        base = f"{outcome.name}_base"
        if base in per_rep.columns:
            rested = per_rep[per_rep[outcome.name].notna()]
            means = rested.groupby([*keys, "variant"], sort=False)[base].mean()
            index = pd.MultiIndex.from_frame(levels[[*keys, "variant"]])
            levels["base"] = means.reindex(index).to_numpy(dtype=float)
        order = {v: i for i, v in enumerate(results.variants)}
        levels = levels.assign(_series=levels["variant"].map(order))
        parts.append(levels.rename(columns={"variant": "series"}))
        for values, group in per_rep.groupby(keys, sort=False):
            diffs = paired_differences(group, outcome.name, chosen)
            reference = [group.loc[group["variant"] == a, outcome.name].mean() for a in diffs["a"]]
            diffs = with_needed(diffs, outcome.percent, reference)
            diffs = diffs.assign(outcome=outcome.name, kind="difference")
            at: tuple[Any, ...] = tuple(values)
            for key, value in zip(keys, at, strict=True):
                diffs[key] = value
            pairs_ = zip(diffs["a"], diffs["b"], strict=True)
            diffs["series"] = [contrast_label(a, b) for a, b in pairs_]
            parts.append(diffs.assign(_series=len(order) + np.arange(len(diffs))))
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True).reindex(columns=[*columns, "_series"])
    out["base"] = out["base"].astype(float)
    out["needed"] = out["needed"].astype("Float64").astype("Int64")
    rank = {name: i for i, name in enumerate(o.name for o in sweep_outcome_list(results))}
    out["_outcome"] = out["outcome"].map(rank)
    out = out.sort_values(["_outcome", "_series", "point"], kind="stable")
    return out[columns].reset_index(drop=True)


def runs_range(frame: pd.DataFrame, kind: str = "variant") -> tuple[int, int]:
    """Fewest and most runs a value of `sweep_outcomes` rests on: the least and the largest
    ``n`` of its ``kind`` rows with a value (0, 0 without one)."""
    rows = frame[(frame["kind"] == kind) & frame["mean"].notna()]
    if rows.empty:
        return 0, 0
    return int(rows["n"].min()), int(rows["n"].max())


def runs_text(frame: pd.DataFrame, kind: str = "variant") -> str:
    """`runs_range` in words: ``2 runs``, ``1–2 runs``, or ``paired runs`` for differences
    (``2 paired runs``)."""
    lo, hi = runs_range(frame, kind)
    count = f"{lo}" if lo == hi else f"{lo}–{hi}"
    noun = "run" if hi == 1 else "runs"
    return f"{count} {'paired ' if kind == 'difference' else ''}{noun}"


def numeric_values(values: Sequence[object]) -> bool:
    """Whether swept values are all numbers (not booleans), so they can be an x axis."""
    return all(isinstance(v, int | float | np.integer | np.floating) for v in values) and not any(
        isinstance(v, bool | np.bool_) for v in values
    )


def log_axis(values: Sequence[object]) -> bool:
    """Whether swept values are drawn on a log axis: all positive numbers spanning over 10x."""
    if not numeric_values(values) or not values:
        return False
    numbers = np.asarray(values, dtype=float)
    return bool(numbers.min() > 0 and numbers.max() / numbers.min() > 10.0)


def parameter_name(column: str) -> str:
    """A swept parameter's path as typed (``variants.x.events.0.count``) from its column."""
    return column.replace("__", ".")


def identical_groups(table: pd.DataFrame, series: str, values: Sequence[str]) -> list[list[str]]:
    """Groups of two or more series whose ``values`` are equal at every row, in first order.

    Rows are matched by their order within each series (the caller sorts them alike); a
    series equals another when its rows have the same length and the same values (NaN
    equal to NaN). Lines of identical series are drawn on top of each other, so a figure
    says which they are.
    """
    names = list(pd.unique(table[series]))
    arrays = {n: table.loc[table[series] == n, list(values)].to_numpy(dtype=float) for n in names}
    groups: list[list[str]] = []
    placed: set[str] = set()
    for i, a in enumerate(names):
        if a in placed:
            continue
        same = [
            b
            for b in names[i + 1 :]
            if b not in placed
            and arrays[a].shape == arrays[b].shape
            and np.array_equal(arrays[a], arrays[b], equal_nan=True)
        ]
        if same:
            groups.append([a, *same])
            placed.update(same)
    return groups
