"""What the trend does to feeds: how alike they are and where non-adopters' feeds come from."""

from __future__ import annotations

import pandas as pd

from sim.analysis.feed import SOURCE_GROUPS
from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days, summarise
from sim.analysis.trend.periods import last_week, trend_periods


def similarity_by_day(adoption: pd.DataFrame) -> pd.DataFrame:
    """Feed similarity by feed day, per run: snapshot d + 1's ``feed_similarity`` is that
    of the feeds of day d (days 0..D - 1).

    Returns:
        Columns ``scenario, variant, replication, day, feed_similarity`` (days with a value).
    """
    out = adoption[[*REP_KEYS, "day", "feed_similarity"]].dropna(subset=["feed_similarity"])
    return out.assign(day=out["day"] - 1).reset_index(drop=True)


def similarity_bands(adoption: pd.DataFrame) -> pd.DataFrame:
    """`similarity_by_day` per arm: mean and 95% t interval across runs, by feed day.

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(similarity_by_day(adoption), "feed_similarity", ["variant"])


def similarity_last_week(adoption: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """Mean daily feed similarity (`similarity_by_day`) over the last week of each run, feed
    days D - 7..D - 1 (the ``feed_similarity`` of `against_reference`).

    Returns:
        Columns ``scenario, variant, replication, feed_similarity, days``.
    """
    first, last = last_week(duration_days)
    daily = similarity_by_day(adoption)
    week = daily[daily["day"].between(first, last)]
    groups = week.groupby(REP_KEYS, sort=False)["feed_similarity"]
    out = pd.DataFrame({"feed_similarity": groups.mean(), "days": groups.size()})
    return out.reset_index()


def non_adopter_source_shares(population: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """Where non-adopters' feeds come from in the first and in the last week, per run.

    Over the ``population`` rows of viewers not following the trend at the impression, per
    run and period (`trend_periods`): ``share(group) = impressions(group) / impressions``
    (0 for a group without impressions); ``impressions``: the period's non-adopter
    impressions (NaN shares when there are none).

    Returns:
        Columns ``scenario, variant, replication, period, group, share, impressions``.
    """
    columns = [*REP_KEYS, "period", "group", "share", "impressions"]
    non = population[population["viewer"] == "non_adopter"]
    parts = []
    for period, (first, last) in trend_periods(duration_days).items():
        window = non[non["day"].between(first, last)]
        wide = window.pivot_table(
            index=REP_KEYS,
            columns="source_group",
            values="impressions",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        ).reindex(columns=list(SOURCE_GROUPS), fill_value=0)
        index = pd.MultiIndex.from_frame(population[REP_KEYS].drop_duplicates())
        wide = wide.reindex(index, fill_value=0)
        total = wide.sum(axis=1).rename("impressions")
        shares = wide.div(total.where(total > 0), axis=0)
        long = shares.reset_index().melt(id_vars=REP_KEYS, var_name="group", value_name="share")
        long = long.merge(total.reset_index(), on=REP_KEYS, how="left")
        parts.append(long.assign(period=period))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def non_adopter_sources(population: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """`non_adopter_source_shares` per arm, period and group: mean and 95% interval (inside
    [0, 1]); ``impressions``: the mean non-adopter impressions per run in the period.

    Returns:
        Columns ``variant, period, group, mean, lo, hi, n, impressions``, periods in time
        order.
    """
    per_run = non_adopter_source_shares(population, duration_days)
    summary = summarise(per_run, "share", ["variant", "period", "group"], share=True)
    base = per_run.groupby(["variant", "period"], sort=False)["impressions"].mean()
    keys = pd.MultiIndex.from_frame(summary[["variant", "period"]])
    return summary.assign(impressions=base.reindex(keys).to_numpy())
