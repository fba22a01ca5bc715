"""The focal members' feed and beliefs: topic shares, source groups, belief gaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS, Results
from sim.analysis.statistics import summarise

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


def period_names(before_day: int | None) -> list[str]:
    """Periods of `source_shares` in time order: before and after, or the whole run."""
    return ["whole run"] if before_day is None else ["before", "after"]


def source_shares(feed: pd.DataFrame, before_day: int | None) -> pd.DataFrame:
    """Share of feed impressions by source group, per variant and period.

    Sources are grouped by `SOURCE_GROUP` (peer = colleague + field_peer + offline + client).
    Per replication and period: ``share(group) = impressions(group) / impressions``, zero for
    a group without impressions; then `summarise` across replications (intervals inside
    [0, 1]). The periods are
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
    return summarise(shares, "share", ["variant", "period", "group"], share=True)


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


#: Most topics a figure names when a network has many fields; the rest are one group.
SHOWN_TOPICS = 7
#: Name of the group of the topics a figure does not name.
OTHER = "other"


def shown_topics(
    feed: pd.DataFrame,
    topics: Sequence[str],
    keep: Sequence[str | None] = (),
    limit: int = SHOWN_TOPICS,
) -> list[str]:
    """The topics figures and the report name, in the scenario's order.

    All of ``topics`` when there are at most ``limit``. Otherwise the topics of ``keep``
    (the focus topic, the focal members' fields) and then the largest topics by feed
    impressions over all variants, ``limit`` in all (ties broken by the scenario's order),
    followed by `OTHER`, which stands for the rest (see `group_topics`).

    Args:
        feed: the ``feed`` table.
        topics: every topic, in the scenario's order.
        keep: topics always named when they are in ``topics`` (None is ignored).
        limit: most topics named.
    """
    if len(topics) <= limit:
        return list(topics)
    order = {t: i for i, t in enumerate(topics)}
    size = feed.groupby("topic", observed=True)["impressions"].sum()
    kept = [t for t in dict.fromkeys(keep) if t in order]
    ranked = sorted(topics, key=lambda t: (-float(size.get(t, 0)), order[t]))
    chosen = set(kept) | set([t for t in ranked if t not in kept][: max(limit - len(kept), 0)])
    named = [t for t in topics if t in chosen and t != OTHER]
    return [*named, OTHER]


def group_topics(table: pd.DataFrame, shown: Sequence[str], values: Sequence[str]) -> pd.DataFrame:
    """``table`` with every topic not in ``shown`` renamed `OTHER` and its ``values`` summed.

    Rows are summed over the topics that fall into one group, keeping every other column;
    the table is returned unchanged when ``shown`` names all its topics.
    """
    topic = table["topic"].astype(str)
    if topic.isin(shown).all():
        return table
    keys = [c for c in table.columns if c not in ("topic", *values)]
    grouped = table.assign(topic=topic.where(topic.isin(shown), OTHER))
    return (
        grouped.groupby([*keys, "topic"], sort=False, observed=True, dropna=False)[list(values)]
        .sum()
        .reset_index()
    )


def display_topics(results: Results, limit: int = SHOWN_TOPICS) -> list[str]:
    """The topics the figures name for a results folder (`shown_topics`).

    The focus topic and the focal members' fields are always named; with more than
    ``limit`` topics the rest are `OTHER`.
    """
    keep = [results.focus_topic, *(str(f.get("field")) for f in results.focal_members)]
    return shown_topics(results.feed, results.topics, keep, limit)
