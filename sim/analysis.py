"""Summary statistics over a saved results folder (pure pandas and numpy, no plotting).

`figures.py` and `report.py` both draw their numbers from here, so a figure and the sentence
that describes it always agree. Every function takes tidy tables as written by the experiment
runner (one row per scenario, variant, replication, seed and whatever the table is about) and
returns tidy tables. Shares are fractions in [0, 1]; callers multiply by 100 for display.

Uncertainty is always across replications: a replication is one independent run of the
model, so the replication means are independent draws and a Student t interval over them is
the 95% confidence interval of the mean. Paired differences pair the variants of one
replication, which share their random numbers (common random numbers).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError

#: Columns that identify one replication of one variant.
REP_KEYS = ["scenario", "variant", "replication"]

#: Feed sources grouped as the figures and the report show them.
SOURCE_GROUP = {
    "colleague": "peer",
    "field_peer": "peer",
    "offline": "peer",
    "client": "peer",
    "stranger": "stranger",
    "follow": "follow",
    "second_degree": "second_degree",
    "out_of_network": "out_of_network",
}

#: Source groups in display order.
SOURCE_GROUPS = ("peer", "follow", "second_degree", "stranger", "out_of_network")

#: Confidence level of every interval in this module.
CONFIDENCE = 0.95

_TABLE_COLUMNS = {
    "posts": [
        *REP_KEYS,
        "focal",
        "primary_viewers",
        "author_connections",
        "impressions",
        "likes",
        "comments",
        "shares",
    ],
    "feed": [*REP_KEYS, "member_id", "day", "topic", "source", "impressions"],
    "beliefs": [*REP_KEYS, "member_id", "day", "topic", "inferred_weight", "true_weight"],
}

#: Tables a results folder may lack (older runs): read when present with these columns,
#: else empty, and the figures that need them are not drawn.
_OPTIONAL_TABLE_COLUMNS = {
    "ties": [
        *REP_KEYS,
        "member_id",
        "kind",
        "created_day",
        "intro_message",
        "first_interaction_day",
        "removed_day",
    ],
    "connections": [*REP_KEYS, "member_id", "day", "kind", "connections", "reached"],
}


@dataclass(frozen=True)
class Results:
    """A results folder read into memory.

    Attributes:
        manifest: ``manifest.json`` as written by the runner.
        variants: variant names in the order the scenario lists them.
        topics: topic names in the scenario's order.
        duration_days: simulated days; feed days run from 0 to ``duration_days - 1``.
        replications: replications per variant.
        description: what the scenario studies (may be empty).
        focus_topic: the topic a scripted burst of connections is about, or None.
        event_days: days of scripted events, ascending (may be empty).
        events: the scripted events of all variants, as dicts with at least ``day`` and
            ``action``.
        posts: the ``posts`` table.
        feed: the ``feed`` table.
        beliefs: the ``beliefs`` table.
        ties: the ``ties`` table (the focal members' ties), empty when the folder lacks it.
        connections: the ``connections`` table, empty when the folder lacks it.
        sweep_parameters: for a parameter sweep (``feedsim sweep``), the table columns of
            the swept parameters present in ``posts``; empty otherwise.
    """

    manifest: dict[str, Any]
    variants: list[str]
    topics: list[str]
    duration_days: int
    replications: int
    description: str
    focus_topic: str | None
    event_days: list[float]
    events: list[dict[str, Any]]
    posts: pd.DataFrame
    feed: pd.DataFrame
    beliefs: pd.DataFrame
    ties: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    connections: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    sweep_parameters: list[str] = dataclass_field(default_factory=list)

    @property
    def is_sweep(self) -> bool:
        """Whether the folder holds a parameter sweep (a ``point`` column or manifest points).

        A sweep repeats every replication at every point, so the per-variant summaries,
        which take one row per variant and replication, do not apply to it.
        """
        return "point" in self.posts.columns or bool(self.manifest.get("points"))

    @property
    def after_start(self) -> int | None:
        """First whole day on or after the first scripted event, or None without events."""
        return event_start(self.event_days)

    @property
    def last_day(self) -> int:
        """Last simulated day (0-based)."""
        return self.duration_days - 1

    @property
    def focus_window(self) -> tuple[int, int]:
        """First and last day of the focus-topic comparison: the first event (or 0) to the end."""
        return self.after_start or 0, self.last_day


def load_results(results_dir: Path) -> Results:
    """Read ``manifest.json`` and the tables that the figures and the report use.

    The description is the manifest's ``description``, else the scenario's. The events are
    the manifest's ``events`` (a list, or lists by variant), else the scenario's ``events``.
    The ``ties`` and ``connections`` tables are optional: a folder without them (or with
    an older layout lacking a column) reads them as empty tables.

    Args:
        results_dir: a folder written by the experiment runner.

    Returns:
        The manifest's key fields and the ``posts``, ``feed`` and ``beliefs`` tables.

    Raises:
        InputError: a file or a manifest field is missing or a table lacks a column.
    """
    manifest_path = results_dir / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(manifest_path, "", "no such file: is this a feedsim results folder?")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(manifest_path, f"line {exc.lineno}", exc.msg) from exc
    for field in ("variants", "topics", "duration_days", "replications"):
        if field not in manifest:
            raise InputError(manifest_path, field, "missing")
    tables = {}
    for name, columns in _TABLE_COLUMNS.items():
        path = results_dir / "tables" / f"{name}.parquet"
        if not path.is_file():
            raise InputError(path, "", "no such file")
        table = pd.read_parquet(path)
        missing = [c for c in columns if c not in table.columns]
        if missing:
            raise InputError(path, ", ".join(missing), "column missing")
        tables[name] = table
    for name, columns in _OPTIONAL_TABLE_COLUMNS.items():
        path = results_dir / "tables" / f"{name}.parquet"
        table = pd.read_parquet(path) if path.is_file() else pd.DataFrame(columns=columns)
        complete = set(columns) <= set(table.columns)
        tables[name] = table if complete else pd.DataFrame(columns=columns)
    sweep_columns = [
        str(p.get("column", str(p.get("path", "")).replace(".", "__")))
        for p in manifest.get("parameters") or []
        if isinstance(p, dict)
    ]
    scenario = manifest.get("scenario") or {}
    events = manifest.get("events", scenario.get("events")) or []
    if isinstance(events, dict):
        events = [e for variant_events in events.values() for e in variant_events]
    return Results(
        manifest=manifest,
        variants=[str(v) for v in manifest["variants"]],
        topics=[str(t) for t in manifest["topics"]],
        duration_days=int(manifest["duration_days"]),
        replications=int(manifest["replications"]),
        description=str(manifest.get("description") or scenario.get("description") or ""),
        focus_topic=manifest.get("focus_topic"),
        event_days=sorted(float(d) for d in manifest.get("event_days") or []),
        events=[e for e in events if isinstance(e, dict)],
        posts=tables["posts"],
        feed=tables["feed"],
        beliefs=tables["beliefs"],
        ties=tables["ties"],
        connections=tables["connections"],
        sweep_parameters=[c for c in sweep_columns if c in tables["posts"].columns],
    )


def event_start(event_days: Sequence[float]) -> int | None:
    """First whole simulated day at or after the first event: ``ceil(min(event_days))``.

    Day ``d`` covers simulated time ``[d, d + 1)``, so an event at time 30.0 makes day 30 the
    first day "after" it, and an event at 30.5 makes it day 31 (day 30 counts as before).

    Args:
        event_days: event times in days.

    Returns:
        The day, or None when there are no events.
    """
    return math.ceil(min(event_days)) if event_days else None


def _t_central_probability(t: float, df: int) -> float:
    """P(|T| < t) for Student's t with integer ``df``, exact (Abramowitz & Stegun 26.7.3-4).

    With theta = atan(t / sqrt(df)):
    odd df:  A = 2/pi * (theta + sin(theta) * [cos + 2/3 cos^3 + (2*4)/(3*5) cos^5 + ...
    + (2*4...(df-3))/(3*5...(df-2)) cos^(df-2)]), the bracket empty for df = 1;
    even df: A = sin(theta) * [1 + 1/2 cos^2 + (1*3)/(2*4) cos^4 + ...
    + (1*3...(df-3))/(2*4...(df-2)) cos^(df-2)].
    """
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 0:
        term = total = 1.0
        for j in range(1, (df - 2) // 2 + 1):
            term *= (2 * j - 1) / (2 * j) * cos2
            total += term
        return math.sin(theta) * total
    total = 0.0
    if df > 1:
        term = total = math.cos(theta)
        for j in range(2, (df - 1) // 2 + 1):
            term *= (2 * j - 2) / (2 * j - 1) * cos2
            total += term
    return 2.0 / math.pi * (theta + math.sin(theta) * total)


@lru_cache(maxsize=256)
def t_quantile(p: float, df: int) -> float:
    """Quantile function of Student's t distribution with ``df`` degrees of freedom.

    Inverts the exact closed-form CDF for integer degrees of freedom
    (Abramowitz & Stegun 26.7.3-4, see `_t_central_probability`) by bisection to 1e-12, so
    it needs no scipy: ``t_quantile(0.975, 9) == 2.2622...``.

    Args:
        p: probability in (0, 1).
        df: degrees of freedom, a positive integer.

    Returns:
        t such that P(T <= t) = p.

    Raises:
        ValueError: p is outside (0, 1) or df < 1.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p}")
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    target = 2.0 * p - 1.0  # P(|T| < t) for the upper quantile t
    lo, hi = 0.0, 1.0
    while _t_central_probability(hi, df) < target:
        lo, hi = hi, 2.0 * hi
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        if _t_central_probability(mid, df) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _half_width(std: float, n: int) -> float:
    """Half-width of the t interval: ``t(1 - alpha/2, n - 1) * std / sqrt(n)``; NaN if n < 2."""
    if n < 2:
        return math.nan
    return t_quantile(0.5 + CONFIDENCE / 2.0, n - 1) * std / math.sqrt(n)


def mean_ci(values: Iterable[float]) -> tuple[float, float, float]:
    """Mean and 95% Student t confidence interval of replication values.

    ``mean ± t(0.975, n - 1) * s / sqrt(n)`` with ``s`` the sample standard deviation
    (ddof 1). NaN values (a replication where the quantity is undefined) are left out.

    Args:
        values: one value per replication.

    Returns:
        ``(mean, lo, hi)``; lo and hi are NaN for fewer than two values, all three NaN for
        none.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    half = _half_width(float(x.std(ddof=1)) if x.size > 1 else math.nan, int(x.size))
    return mean, mean - half, mean + half


def summarise(df: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """Mean and 95% t interval of ``value`` per group, one row of ``df`` per replication.

    The same formula as `mean_ci`, applied per group of ``by``; NaN values are left out.

    Args:
        df: one row per replication and group.
        value: column to summarise.
        by: grouping columns.

    Returns:
        Columns ``by + [mean, lo, hi, n]``, groups in order of appearance.
    """
    stats = df.groupby(by, sort=False)[value].agg(["mean", "std", "count"]).reset_index()
    half = [_half_width(s, int(n)) for s, n in zip(stats["std"], stats["count"], strict=True)]
    stats["lo"] = stats["mean"] - half
    stats["hi"] = stats["mean"] + half
    stats = stats.rename(columns={"count": "n"})
    return stats[[*by, "mean", "lo", "hi", "n"]]


def band_over_days(df: pd.DataFrame, value: str, by: list[str]) -> pd.DataFrame:
    """Mean and 95% t interval across replications per group and day, for figure bands.

    For each group of ``by`` and each ``day``: ``mean ± t(0.975, n - 1) * s / sqrt(n)`` over
    the n replications that have a value that day (see `summarise`).

    Args:
        df: one row per replication, group and day (a ``day`` column is required).
        value: column to summarise.
        by: grouping columns besides ``day``.

    Returns:
        Columns ``by + [day, mean, lo, hi, n]`` sorted by group and day.
    """
    return summarise(df, value, [*by, "day"]).sort_values([*by, "day"], ignore_index=True)


def feed_topic_share(feed: pd.DataFrame, topics: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of each topic in a focal member's impressions of one day.

    ``share(topic) = impressions(topic) / sum over topics of impressions`` per scenario,
    variant, replication, member and day, summed over sources. Topics without impressions
    that day get share 0; days without any impressions have no rows.

    Args:
        feed: the ``feed`` table.
        topics: every topic to report; defaults to the topics present in ``feed``.

    Returns:
        Columns ``scenario, variant, replication, member_id, day, topic, impressions, share``.
    """
    keys = [*REP_KEYS, "member_id", "day"]
    topic_list = list(topics) if topics is not None else sorted(feed["topic"].unique())
    wide = feed.pivot_table(
        index=keys, columns="topic", values="impressions", aggfunc="sum", fill_value=0
    ).reindex(columns=topic_list, fill_value=0)
    totals = wide.sum(axis=1)
    wide = wide[totals > 0]
    long = wide.reset_index().melt(id_vars=keys, var_name="topic", value_name="impressions")
    day_totals = long.groupby(keys, sort=False)["impressions"].transform("sum")
    long["share"] = long["impressions"] / day_totals
    return long[[*keys, "topic", "impressions", "share"]]


def rolling_topic_share(
    feed: pd.DataFrame, topics: Sequence[str], n_days: int, window: int = 7
) -> pd.DataFrame:
    """Trailing rolling mean of daily topic shares, per replication, averaged over members.

    For member m and day d: ``mean(share(m, d') for d' in d-window+1..d)`` over the days that
    had impressions (see `feed_topic_share`), then the mean over the replication's focal
    members. Smoothing per replication before averaging keeps the replications independent.

    Args:
        feed: the ``feed`` table.
        topics: every topic to report.
        n_days: days to cover, 0..n_days-1.
        window: days in the trailing window.

    Returns:
        Columns ``scenario, variant, replication, topic, day, share``.
    """
    columns = [*REP_KEYS, "topic", "day", "share"]
    shares = feed_topic_share(feed, topics)
    if shares.empty:
        return pd.DataFrame(columns=columns)
    wide = shares.pivot(index=[*REP_KEYS, "member_id", "topic"], columns="day", values="share")
    wide = wide.reindex(columns=range(n_days))
    rolled = wide.T.rolling(window, min_periods=1).mean().T
    per_rep = rolled.groupby(level=[*REP_KEYS, "topic"], sort=False).mean().reset_index()
    long = per_rep.melt(id_vars=[*REP_KEYS, "topic"], var_name="day", value_name="share")
    long["day"] = long["day"].astype(int)
    return long.dropna(subset=["share"]).reset_index(drop=True)[columns]


def topic_share_window(
    feed: pd.DataFrame, topic: str, first_day: int, last_day: int
) -> pd.DataFrame:
    """A topic's share of all feed impressions over a window of days, per replication.

    ``share = sum(impressions of topic, days first..last) / sum(impressions, days first..last)``
    over all focal members and sources of the replication: a ratio of sums, not a mean of
    daily shares. NaN when the replication had no impressions in the window.

    Args:
        feed: the ``feed`` table.
        topic: the topic.
        first_day: first day of the window.
        last_day: last day of the window (inclusive).

    Returns:
        Columns ``scenario, variant, replication, topic_impressions, impressions, share``,
        one row per replication present in ``feed``.
    """
    in_window = feed[feed["day"].between(first_day, last_day)]
    totals = in_window.groupby(REP_KEYS)["impressions"].sum()
    on_topic = in_window[in_window["topic"] == topic].groupby(REP_KEYS)["impressions"].sum()
    index = pd.MultiIndex.from_frame(feed[REP_KEYS].drop_duplicates())
    out = pd.DataFrame(
        {
            "topic_impressions": on_topic.reindex(index, fill_value=0),
            "impressions": totals.reindex(index, fill_value=0),
        }
    )
    out["share"] = out["topic_impressions"] / out["impressions"].where(out["impressions"] > 0)
    return out.reset_index()


def default_pairs(variants: Sequence[str]) -> list[tuple[str, str]]:
    """Variant pairs ``(a, b)`` to compare as ``b - a``.

    Every variant against the first (the baseline), then each later variant against each
    earlier non-baseline one, reversed: ``earlier - later``. Scenarios list a baseline, then
    interventions, then ablations of them, so the last kind of pair reads "what the ablated
    mechanism adds" (e.g. accept-100-it minus accept-100-it-no-connection-term).

    Args:
        variants: variant names in scenario order.

    Returns:
        The pairs.
    """
    pairs = [(variants[0], b) for b in variants[1:]]
    rest = variants[1:]
    pairs += [(rest[j], rest[i]) for i in range(len(rest)) for j in range(i + 1, len(rest))]
    return pairs


def paired_differences(
    per_rep: pd.DataFrame, value: str, pairs: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """Mean paired difference ``b - a`` across replications, with a 95% t interval.

    For each pair, ``d_r = value(b, r) - value(a, r)`` for every replication r in which both
    variants have a value; then `mean_ci` of the ``d_r``. Pairing by replication removes the
    variation that both variants share through common random numbers.

    Args:
        per_rep: one row per variant and replication (columns ``variant``, ``replication``
            and ``value``) of a single scenario.
        value: column to compare.
        pairs: ``(a, b)`` variant pairs.

    Returns:
        Columns ``a, b, mean, lo, hi, n``, one row per pair.

    Raises:
        ValueError: a variant has two rows for one replication.
    """
    rows = []
    for a, b in pairs:
        side = []
        for v in (a, b):
            rows_v = per_rep[per_rep["variant"] == v]
            if rows_v["replication"].duplicated().any():
                raise ValueError(f"variant {v} has more than one row for a replication")
            side.append(rows_v.set_index("replication")[value])
        diff = (side[1] - side[0]).dropna()
        mean, lo, hi = mean_ci(diff)
        rows.append({"a": a, "b": b, "mean": mean, "lo": lo, "hi": hi, "n": int(diff.size)})
    return pd.DataFrame(rows, columns=["a", "b", "mean", "lo", "hi", "n"])


def period_names(before_day: int | None) -> list[str]:
    """Periods of `source_shares` in time order: before and after, or the whole run."""
    return ["whole run"] if before_day is None else ["before", "after"]


def source_shares(feed: pd.DataFrame, before_day: int | None) -> pd.DataFrame:
    """Share of feed impressions by source group, per variant and period.

    Sources are grouped by `SOURCE_GROUP` (peer = colleague + field_peer + offline + client).
    Per replication and period: ``share(group) = impressions(group) / impressions``, zero for
    a group without impressions; then `summarise` across replications. The periods are
    ``before`` (days < before_day) and ``after`` (days >= before_day), or ``whole run`` when
    ``before_day`` is None. The mean shares of a variant and period add up to 1.

    Args:
        feed: the ``feed`` table.
        before_day: first day of the ``after`` period, or None.

    Returns:
        Columns ``variant, period, group, mean, lo, hi, n``, periods in time order.

    Raises:
        ValueError: the feed has a source that `SOURCE_GROUP` does not know.
    """
    unknown = sorted(set(feed["source"]) - set(SOURCE_GROUP))
    if unknown:
        raise ValueError(f"unknown feed source(s): {', '.join(unknown)}")
    df = feed.assign(group=feed["source"].map(SOURCE_GROUP))
    if before_day is None:
        df["period"] = period_names(None)[0]
    else:
        df["period"] = np.where(df["day"] < before_day, *period_names(before_day))
    wide = df.pivot_table(
        index=[*REP_KEYS, "period"],
        columns="group",
        values="impressions",
        aggfunc="sum",
        fill_value=0,
    ).reindex(columns=list(SOURCE_GROUPS), fill_value=0)
    shares = (
        wide.div(wide.sum(axis=1), axis=0)
        .reset_index()
        .melt(id_vars=[*REP_KEYS, "period"], var_name="group", value_name="share")
    )
    order = {name: i for i, name in enumerate(period_names(before_day))}
    shares = shares.sort_values("period", key=lambda p: p.map(order), kind="stable")
    return summarise(shares, "share", ["variant", "period", "group"])


def belief_series(beliefs: pd.DataFrame) -> pd.DataFrame:
    """Inferred and true topic weights per replication, day and topic, averaged over members.

    Args:
        beliefs: the ``beliefs`` table.

    Returns:
        Columns ``scenario, variant, replication, day, topic, inferred_weight, true_weight``.
    """
    return (
        beliefs.groupby([*REP_KEYS, "day", "topic"], sort=False)[["inferred_weight", "true_weight"]]
        .mean()
        .reset_index()
    )


def belief_gap(beliefs: pd.DataFrame, day: int) -> pd.DataFrame:
    """Distance between the platform's belief and a member's true interests on one day.

    Total variation distance ``gap = 1/2 * sum over topics |inferred - true|`` (0 = the
    platform knows the member's interests, 1 = disjoint), averaged over the replication's
    members.

    Args:
        beliefs: the ``beliefs`` table.
        day: snapshot day.

    Returns:
        Columns ``scenario, variant, replication, gap``.
    """
    snap = beliefs[beliefs["day"] == day]
    abs_diff = (snap["inferred_weight"] - snap["true_weight"]).abs() / 2.0
    per_member = abs_diff.groupby([snap[k] for k in [*REP_KEYS, "member_id"]]).sum()
    return per_member.groupby(level=REP_KEYS).mean().rename("gap").reset_index()


#: Metrics of `posts_summary`, in display order.
POST_METRICS = ("posts", "primary_reach", "impressions", "engagements")


def posts_summary(posts: pd.DataFrame) -> pd.DataFrame:
    """What the focal members' posts achieved, per variant (mean and 95% t interval).

    Per replication, over the posts with ``focal`` true:
    ``posts`` = number of posts;
    ``primary_reach`` = mean of ``primary_viewers / author_connections`` (posts whose author
    had no connections left out);
    ``impressions`` = mean impressions per post;
    ``engagements`` = mean ``likes + comments + shares`` per post.
    Then `summarise` across replications. Replications in ``posts`` without a focal post
    count 0 posts and no value for the per-post metrics.

    Args:
        posts: the ``posts`` table.

    Returns:
        Columns ``variant, metric, mean, lo, hi, n``.
    """
    focal = posts[posts["focal"].astype(bool)]
    connections = focal["author_connections"].where(focal["author_connections"] > 0)
    per_post = pd.DataFrame(
        {
            "primary_reach": focal["primary_viewers"] / connections,
            "impressions": focal["impressions"].astype(float),
            "engagements": (focal["likes"] + focal["comments"] + focal["shares"]).astype(float),
        }
    )
    groups = per_post.groupby([focal[k] for k in REP_KEYS])
    per_rep = groups.mean().assign(posts=groups.size())
    index = pd.MultiIndex.from_frame(posts[REP_KEYS].drop_duplicates())
    per_rep = per_rep.reindex(index)
    per_rep["posts"] = per_rep["posts"].fillna(0)
    long = per_rep.reset_index().melt(
        id_vars=REP_KEYS, value_vars=list(POST_METRICS), var_name="metric"
    )
    return summarise(long, "value", ["variant", "metric"])


# ------------------------------------------------------------------ the focal member's posts

#: Relationship groups of the posts table's ``viewers_*`` and ``engagements_*`` columns, in
#: display order. They add up to impressions and engagements; ``tag`` (those who came
#: through a tag notification) is counted in addition to them.
TAG = "tag"


def has_source_columns(posts: pd.DataFrame) -> bool:
    """Whether ``posts`` has viewers and engagements by relationship group (and tag)."""
    return all(
        f"{measure}_{group}" in posts.columns
        for measure in ("viewers", "engagements")
        for group in (*SOURCE_GROUPS, TAG)
    )


def _rep_index(table: pd.DataFrame) -> pd.MultiIndex:
    """Every replication of every variant present in ``table``, in order of appearance."""
    return pd.MultiIndex.from_frame(table[REP_KEYS].drop_duplicates())


def focal_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """The focal members' posts with the per-post quantities the figures use.

    ``primary_reach = primary_viewers / author_connections`` (NaN when the author had no
    connections); ``engagement_driven = impressions - primary_viewers`` (viewers the post
    reached beyond its test audience: the expansion, second degree, out of network, tags);
    ``engagements = likes + comments + shares``.

    Args:
        posts: the ``posts`` table.

    Returns:
        The rows with ``focal`` true and the three columns added (floats).
    """
    focal = posts[posts["focal"].astype(bool)].copy()
    connections = focal["author_connections"].where(focal["author_connections"] > 0)
    focal["primary_reach"] = focal["primary_viewers"] / connections
    focal["engagement_driven"] = (focal["impressions"] - focal["primary_viewers"]).astype(float)
    focal["engagements"] = (focal["likes"] + focal["comments"] + focal["shares"]).astype(float)
    return focal


#: Measures of `weekly_reach`, in display order.
REACH_MEASURES = ("primary", "engagement_driven")


def weekly_reach(posts: pd.DataFrame, duration_days: int, week_days: int = 7) -> pd.DataFrame:
    """Mean viewers per focal post by week of creation, split by route, per replication.

    Week w holds the posts created in ``[w * week_days, (w + 1) * week_days)``; its ``day``
    is the middle of the days it covers within the run (the last week may be shorter). Per
    replication and week with a focal post: ``primary`` = mean ``primary_viewers``,
    ``engagement_driven`` = mean ``impressions - primary_viewers``. Weeks without a focal
    post in a replication have no row for it.

    Args:
        posts: the ``posts`` table (with ``created_day``).
        duration_days: simulated days of the run.
        week_days: days per bin.

    Returns:
        Columns ``scenario, variant, replication, week, day, measure, viewers``.
    """
    columns = [*REP_KEYS, "week", "day", "measure", "viewers"]
    focal = focal_posts(posts)
    if focal.empty:
        return pd.DataFrame(columns=columns)
    focal["week"] = (focal["created_day"] // week_days).astype(np.int64)
    focal["primary"] = focal["primary_viewers"].astype(float)
    per_rep = focal.groupby([*REP_KEYS, "week"], sort=False)[list(REACH_MEASURES)].mean()
    long = per_rep.reset_index().melt(
        id_vars=[*REP_KEYS, "week"], var_name="measure", value_name="viewers"
    )
    start = long["week"] * week_days
    long["day"] = (start + np.minimum(start + week_days, duration_days)) / 2.0
    return long[columns]


def weekly_reach_bands(posts: pd.DataFrame, duration_days: int, week_days: int = 7) -> pd.DataFrame:
    """`weekly_reach` summarised across replications: mean and 95% t interval per week.

    Returns:
        Columns ``variant, measure, day, mean, lo, hi, n`` (``day``: middle of the week).
    """
    return band_over_days(
        weekly_reach(posts, duration_days, week_days), "viewers", ["variant", "measure"]
    )


def primary_reach_medians(posts: pd.DataFrame) -> pd.DataFrame:
    """Median and mean primary reach of the focal posts of each replication.

    ``primary_reach = primary_viewers / author_connections`` per post (see `focal_posts`);
    replications without a focal post with connections are left out.

    Returns:
        Columns ``scenario, variant, replication, median, mean, posts``.
    """
    focal = focal_posts(posts).dropna(subset=["primary_reach"])
    stats = focal.groupby(REP_KEYS, sort=False)["primary_reach"].agg(["median", "mean", "size"])
    return stats.rename(columns={"size": "posts"}).reset_index()


def posts_by_source(posts: pd.DataFrame) -> pd.DataFrame:
    """Viewers and engagements per focal post by relationship group, per replication.

    For each replication and group g in peer, second degree, stranger, out of network and
    tag: ``viewers = mean viewers_g`` and ``engagements = mean engagements_g`` over the
    focal posts. The four relationship groups add up to impressions and engagements per
    post; ``tag`` counts those who came through a tag notification, who are also in one of
    the groups.

    Args:
        posts: the ``posts`` table with the ``viewers_*`` and ``engagements_*`` columns.

    Returns:
        Columns ``scenario, variant, replication, measure, group, per_post``;
        ``measure`` is ``viewers`` or ``engagements``.
    """
    columns = [*REP_KEYS, "measure", "group", "per_post"]
    focal = focal_posts(posts)
    if focal.empty:
        return pd.DataFrame(columns=columns)
    value_columns = [f"{m}_{g}" for m in ("viewers", "engagements") for g in (*SOURCE_GROUPS, TAG)]
    per_rep = focal.groupby(REP_KEYS, sort=False)[value_columns].mean().reset_index()
    long = per_rep.melt(id_vars=REP_KEYS, var_name="column", value_name="per_post")
    parts = long["column"].str.split("_", n=1, expand=True)
    long["measure"], long["group"] = parts[0], parts[1]
    return long[columns]


# ------------------------------------------------------------------ survival of new ties


def kaplan_meier(
    durations: Iterable[float],
    observed: Iterable[bool],
) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival function from right-censored durations.

    At each distinct time t_j at which a duration ends: n_j = durations >= t_j (at risk;
    those censored at t_j count as at risk then), d_j = events at t_j, and
    ``S(t_j) = prod over i <= j of (1 - d_i / n_i)``. The standard error is Greenwood's:
    ``S(t_j) * sqrt(sum over i <= j of d_i / (n_i (n_i - d_i)))`` (0 once S is 0).

    Args:
        durations: time to the event, or to censoring, per subject (>= 0).
        observed: True where the event happened, False where the subject was censored.

    Returns:
        Columns ``time, at_risk, events, censored, survival, std_err``, one row per
        distinct time, ascending; empty without subjects.

    Raises:
        ValueError: the two have different lengths or a duration is negative or NaN.
    """
    t = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(observed), dtype=bool)
    if t.shape != e.shape:
        raise ValueError("durations and observed differ in length")
    if np.isnan(t).any() or (t < 0).any():
        raise ValueError("durations must be non-negative numbers")
    columns = ["time", "at_risk", "events", "censored", "survival", "std_err"]
    if t.size == 0:
        return pd.DataFrame(columns=columns)
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e.astype(float), minlength=times.size)
    ended = np.bincount(inverse, minlength=times.size).astype(float)
    at_risk = t.size - np.concatenate([[0.0], np.cumsum(ended)[:-1]])
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
    std_err = np.where(survival > 0, survival * np.sqrt(np.cumsum(terms)), 0.0)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk.astype(np.int64),
            "events": events.astype(np.int64),
            "censored": (ended - events).astype(np.int64),
            "survival": survival,
            "std_err": std_err,
        }
    )


def survival_at(
    curve: pd.DataFrame, times: Iterable[float] | np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """A `kaplan_meier` curve evaluated at ``times`` (a right-continuous step function).

    ``S(t) = 1`` before the first time; beyond the last observed time the estimate is
    undefined (NaN) unless it has reached 0.

    Args:
        curve: the output of `kaplan_meier`.
        times: where to evaluate it.

    Returns:
        S at each time (floats).
    """
    t = np.asarray(list(times), dtype=float)
    if curve.empty:
        return np.full(t.shape, np.nan)
    knots = curve["time"].to_numpy(dtype=float)
    values = np.concatenate([[1.0], curve["survival"].to_numpy(dtype=float)])
    out = values[np.searchsorted(knots, t, side="right")]
    beyond = (t > knots[-1]) & (values[-1] > 0)
    return np.where(beyond, np.nan, out)


def stranger_followup(
    ties: pd.DataFrame, duration_days: float, connections: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Time from acceptance to the first interaction of each new stranger tie, censored.

    A tie is a new stranger tie when its ``kind`` is stranger and it did not exist at the
    start: ``created_day > 0``, or ``created_day == 0`` for a member who had no stranger
    connection at the start (``connections`` on day 0). ``created_day`` 0 holds both the
    ties of the initial network and those accepted on day 0 (invitations are answered at
    the start of each day), so without the day-0 count only ``created_day > 0`` is used.

    Follow-up ends at the run's end, or at ``removed_day`` for a pruned tie (censored
    there: an interaction scheduled after the removal never happens). ``duration`` is
    ``first_interaction_day - created_day`` when the interaction came within the
    follow-up (``observed`` true), else ``end - created_day`` (censored).

    Args:
        ties: the ``ties`` table.
        duration_days: simulated days of the run.
        connections: the ``connections`` table, or None.

    Returns:
        Columns ``scenario, variant, replication, member_id, intro_message, created_day,
        followup, duration, observed`` (``followup``: days from acceptance to the run's end).
    """
    columns = [
        *REP_KEYS,
        "member_id",
        "intro_message",
        "created_day",
        "followup",
        "duration",
        "observed",
    ]
    strangers = ties[ties["kind"] == "stranger"]
    new = strangers["created_day"] > 0
    if connections is not None and not connections.empty:
        start = connections[(connections["day"] == 0) & (connections["kind"] == "stranger")]
        initial = start.groupby([*REP_KEYS, "member_id"])["connections"].sum()
        keys = pd.MultiIndex.from_frame(strangers[[*REP_KEYS, "member_id"]])
        had_none = initial.reindex(keys).to_numpy() == 0
        new = new | ((strangers["created_day"] == 0) & had_none)
    strangers = strangers[new]
    if strangers.empty:
        return pd.DataFrame(columns=columns)
    created = strangers["created_day"].to_numpy(dtype=float)
    removed = strangers["removed_day"].to_numpy(dtype=float)
    end = np.fmin(np.full(created.size, float(duration_days)), removed)
    first = strangers["first_interaction_day"].to_numpy(dtype=float)
    observed = ~np.isnan(first) & (first <= end)
    out = strangers[[*REP_KEYS, "member_id", "intro_message", "created_day"]].copy()
    out["intro_message"] = out["intro_message"].astype(bool)
    out["followup"] = float(duration_days) - created
    out["duration"] = np.maximum(np.where(observed, first, end) - created, 0.0)
    out["observed"] = observed
    return out.reset_index(drop=True)[columns]


#: Days after acceptance at which the seed counts new connections never heard from.
NEVER_HEARD_DAYS = 90


def followup_horizon(followup: pd.DataFrame, max_days: float = NEVER_HEARD_DAYS) -> float:
    """Days after acceptance to read the survival at: ``max_days``, or less if the run is short.

    ``min(max_days, longest follow-up)``, where a tie's follow-up runs from its acceptance
    to the run's end; NaN without ties.
    """
    if followup.empty:
        return math.nan
    return float(min(max_days, followup["followup"].max()))


def _km_by(followup: pd.DataFrame, by: list[str], times: np.ndarray[Any, Any]) -> pd.DataFrame:
    """`survival_at` of a `kaplan_meier` curve per group of ``by``, at ``times``."""
    rows = []
    for key, group in followup.groupby(by, sort=False):
        curve = kaplan_meier(group["duration"].to_numpy(), group["observed"].to_numpy())
        values = survival_at(curve, times)
        key_values = key if isinstance(key, tuple) else (key,)
        rows += [
            (*key_values, day, share, len(group)) for day, share in zip(times, values, strict=True)
        ]
    return pd.DataFrame(rows, columns=[*by, "day", "share", "ties"])


def never_heard_curves(followup: pd.DataFrame, horizon: float, step: float = 1.0) -> pd.DataFrame:
    """Share of new stranger ties with no interaction yet, by days since acceptance.

    Per replication, and separately for ties with and without an intro message: the
    Kaplan-Meier estimate (`kaplan_meier`) of the share never heard from, at days
    0, step, 2 step, ... up to ``horizon`` (censoring at the run's end and at pruning).

    Args:
        followup: the output of `stranger_followup`.
        horizon: last day after acceptance.
        step: spacing of the days.

    Returns:
        Columns ``scenario, variant, replication, intro_message, day, share, ties``.
    """
    by = [*REP_KEYS, "intro_message"]
    if followup.empty or math.isnan(horizon):
        return pd.DataFrame(columns=[*by, "day", "share", "ties"])
    times = np.arange(0.0, horizon + step / 2, step)
    times[-1] = min(times[-1], horizon)
    return _km_by(followup, by, times)


def never_heard_at(followup: pd.DataFrame, horizon: float, by_intro: bool = False) -> pd.DataFrame:
    """Kaplan-Meier share of new stranger ties never heard from ``horizon`` days after acceptance.

    Per replication (and intro message, when ``by_intro``); NaN when a replication's
    follow-up ends before the horizon with ties still silent.

    Returns:
        Columns ``scenario, variant, replication, [intro_message,] day, share, ties``.
    """
    by = [*REP_KEYS, "intro_message"] if by_intro else list(REP_KEYS)
    if followup.empty or math.isnan(horizon):
        return pd.DataFrame(columns=[*by, "day", "share", "ties"])
    return _km_by(followup, by, np.array([horizon]))


# ------------------------------------------------------------------ connections


def connections_by_kind(connections: pd.DataFrame) -> pd.DataFrame:
    """Connections by kind after each day, summed over the focal members of a replication.

    Returns:
        Columns ``scenario, variant, replication, day, kind, connections, reached``.
    """
    return (
        connections.groupby([*REP_KEYS, "day", "kind"], sort=False)[["connections", "reached"]]
        .sum()
        .reset_index()
    )


def reached_share(connections: pd.DataFrame) -> pd.DataFrame:
    """Share of the focal members' connections that ever saw one of their posts, by day.

    ``share = sum of reached / sum of connections`` over kinds and focal members (a ratio
    of sums); NaN on a day without connections.

    Returns:
        Columns ``scenario, variant, replication, day, connections, reached, share``.
    """
    totals = connections.groupby([*REP_KEYS, "day"], sort=False)[["connections", "reached"]].sum()
    totals["share"] = totals["reached"] / totals["connections"].where(totals["connections"] > 0)
    return totals.reset_index()


# ------------------------------------------------------------------ effects


@dataclass(frozen=True)
class Metric:
    """A per-replication metric of `replication_metrics`.

    Attributes:
        name: column name.
        title: what it is, for a panel title or a table row.
        unit: unit of its values as displayed (``%`` for shares, shown times 100).
        percent: whether the values are fractions shown in percent (differences then in
            percentage points).
    """

    name: str
    title: str
    unit: str
    percent: bool

    @property
    def difference_unit(self) -> str:
        """Unit of a difference: percentage points for shares, else the metric's unit."""
        return "percentage points" if self.percent else self.unit


#: The metrics of the forest plot and the effects table, in display order.
FOREST_METRICS = (
    Metric("primary_reach", "Primary reach", "% of her connections", True),
    Metric("viewers_per_post", "Viewers per post", "viewers per post", False),
    Metric("peer_viewers_per_post", "Peer viewers per post", "viewers per post", False),
    Metric("peer_share", "Peer share of viewers", "% of viewers", True),
    Metric("engagement_rate", "Engagements per impression", "% of impressions", True),
    Metric("engagements_per_post", "Engagements per post", "engagements per post", False),
    Metric("reached_share", "Connections ever reached, end of run", "% of connections", True),
    Metric("never_heard", "New stranger ties never heard from", "% of new stranger ties", True),
)


def replication_metrics(
    posts: pd.DataFrame,
    connections: pd.DataFrame | None = None,
    ties: pd.DataFrame | None = None,
    duration_days: int | None = None,
    horizon: float | None = None,
) -> pd.DataFrame:
    """The `FOREST_METRICS` of the focal members, one row per variant and replication.

    Over the focal posts of the replication:
    ``primary_reach`` = mean of ``primary_viewers / author_connections`` (posts whose author
    had no connections left out); ``viewers_per_post`` = mean impressions;
    ``peer_viewers_per_post`` = mean ``viewers_peer``; ``peer_share`` = sum ``viewers_peer``
    / sum impressions; ``engagement_rate`` = sum engagements / sum impressions;
    ``engagements_per_post`` = mean likes + comments + shares.
    From the other tables: ``reached_share`` = `reached_share` on the last day;
    ``never_heard`` = `never_heard_at` the horizon, all new stranger ties (with and without
    intro message) together. A metric is NaN where its data is missing (e.g. no new
    stranger ties, or no ``viewers_peer`` column).

    Args:
        posts: the ``posts`` table.
        connections: the ``connections`` table, or None.
        ties: the ``ties`` table, or None.
        duration_days: simulated days (needed for ``never_heard``).
        horizon: days after acceptance for ``never_heard``; default `followup_horizon`.

    Returns:
        Columns ``scenario, variant, replication`` and one per metric, one row per
        replication in ``posts``.
    """
    index = _rep_index(posts)
    out = pd.DataFrame(index=index, columns=[m.name for m in FOREST_METRICS], dtype=float)
    focal = focal_posts(posts)
    if not focal.empty:
        groups = focal.groupby(REP_KEYS, sort=False)
        sums = groups[["impressions", "engagements"]].sum()
        impressions = sums["impressions"].where(sums["impressions"] > 0)
        out["primary_reach"] = groups["primary_reach"].mean()
        out["viewers_per_post"] = groups["impressions"].mean()
        out["engagement_rate"] = sums["engagements"] / impressions
        out["engagements_per_post"] = groups["engagements"].mean()
        if "viewers_peer" in focal.columns:
            out["peer_viewers_per_post"] = groups["viewers_peer"].mean()
            out["peer_share"] = groups["viewers_peer"].sum() / impressions
    if connections is not None and not connections.empty:
        shares = reached_share(connections)
        last = shares[shares["day"] == shares["day"].max()]
        out["reached_share"] = last.set_index(REP_KEYS)["share"]
    if ties is not None and not ties.empty and duration_days is not None:
        followup = stranger_followup(ties, duration_days, connections)
        h = followup_horizon(followup) if horizon is None else horizon
        never = never_heard_at(followup, h)
        if not never.empty:
            out["never_heard"] = never.set_index(REP_KEYS)["share"]
    return out.astype(float).reset_index()


def forest_effects(metrics: pd.DataFrame, variants: Sequence[str]) -> pd.DataFrame:
    """Paired differences of every `FOREST_METRICS` metric against the first variant.

    For each metric and each later variant b: `paired_differences` of ``b - first`` over
    the replications where both have a value.

    Args:
        metrics: the output of `replication_metrics` (one scenario).
        variants: variant names in scenario order; the first is the reference.

    Returns:
        Columns ``metric, a, b, mean, lo, hi, n``, metrics in `FOREST_METRICS` order.
    """
    pairs = [(variants[0], b) for b in variants[1:]]
    parts = [
        paired_differences(metrics, m.name, pairs).assign(metric=m.name) for m in FOREST_METRICS
    ]
    if not parts or not pairs:
        return pd.DataFrame(columns=["metric", "a", "b", "mean", "lo", "hi", "n"])
    return pd.concat(parts, ignore_index=True)[["metric", "a", "b", "mean", "lo", "hi", "n"]]


# ------------------------------------------------------------------ parameter sweeps


def sweep_reach_difference(
    posts: pd.DataFrame, parameters: Sequence[str], a: str, b: str
) -> pd.DataFrame:
    """Paired difference ``b - a`` in mean viewers per focal post at each sweep point.

    Per point: `paired_differences` of the replications' mean impressions per focal post
    (replication r of both variants at one point share their seed).

    Args:
        posts: the ``posts`` table of a sweep (``point`` and the parameter columns).
        parameters: the swept parameters' columns.
        a: the reference variant.
        b: the compared variant.

    Returns:
        Columns ``point``, the parameters, ``mean, lo, hi, n``, one row per point.
    """
    focal = posts[posts["focal"].astype(bool)]
    keys = ["point", *parameters]
    per_rep = (
        focal.groupby([*keys, "variant", "replication"], sort=False)["impressions"]
        .mean()
        .rename("viewers")
        .reset_index()
    )
    rows = []
    for key, group in per_rep.groupby(keys, sort=False):
        diff = paired_differences(group, "viewers", [(a, b)]).iloc[0]
        rows.append({**dict(zip(keys, key, strict=True)), **diff[["mean", "lo", "hi", "n"]]})
    return pd.DataFrame(rows, columns=[*keys, "mean", "lo", "hi", "n"])
