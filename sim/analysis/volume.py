"""The focal members' feed volume: sessions, candidates, items read and impressions.

Every share of the feed is a ratio of impressions; these functions say how many impressions
(and sessions, and candidates) it rests on. The ``volume`` table holds one row per focal
member and day; the functions sum the replication's focal members, so with one focal member
they describe that member.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS
from sim.table_schema import VOLUME_COUNTS

#: What `volume_per_replication` and `volume_series` give per replication, in the order
#: the ``feed_volume`` figure draws them: impressions, then two per-session ratios.
VOLUME_MEASURES = ("impressions", "candidates_per_session", "items_per_session")


def _with_ratios(sums: pd.DataFrame) -> pd.DataFrame:
    """``sums`` with candidates and items read per session: ratios of sums, NaN without a
    session."""
    sessions = sums["sessions"].astype(float).where(sums["sessions"] > 0)
    return sums.assign(
        candidates_per_session=sums["candidates"] / sessions,
        items_per_session=sums["items_read"] / sessions,
    )


def volume_series(volume: pd.DataFrame, window: int = 1) -> pd.DataFrame:
    """The feed volume per replication and day, over the replication's focal members.

    Sums over the focal members, then over the trailing ``window`` days (days d-window+1..d,
    fewer at the start): ``impressions`` is the mean a day over those days, and
    ``candidates_per_session = candidates / sessions`` and
    ``items_per_session = items_read / sessions`` are ratios of the sums (NaN without a
    session). Summing per replication before averaging keeps the replications independent.

    Args:
        volume: the ``volume`` table (one row per member and day, days without sessions too).
        window: days in the trailing window (1: each day on its own).

    Returns:
        Columns ``scenario, variant, replication, day, sessions, candidates, items_read,
        impressions, candidates_per_session, items_per_session``; the counts are sums over
        the window, except ``impressions``, a mean a day.
    """
    counts = list(VOLUME_COUNTS)
    daily = volume.groupby([*REP_KEYS, "day"], sort=False)[counts].sum().sort_index()
    rolled = (
        daily.groupby(level=REP_KEYS, sort=False)
        .rolling(window, min_periods=1)
        .sum()
        .droplevel(list(range(len(REP_KEYS))))
    )
    days = rolled.groupby(level=REP_KEYS, sort=False).cumcount().clip(upper=window - 1) + 1
    out = _with_ratios(rolled.reset_index())
    out["impressions"] = out["impressions"] / days.to_numpy()
    return out


def volume_per_replication(volume: pd.DataFrame, first_day: int, last_day: int) -> pd.DataFrame:
    """The feed volume of each replication over days ``first_day..last_day`` (inclusive).

    Counts are sums over the days and the focal members; the per-session figures are ratios
    of those sums (``candidates / sessions``, ``items_read / sessions``), NaN without a
    session. Every replication present in ``volume`` has a row.

    Returns:
        Columns ``scenario, variant, replication``, the counts and the two ratios.
    """
    index = pd.MultiIndex.from_frame(volume[REP_KEYS].drop_duplicates())
    window = volume[volume["day"].between(first_day, last_day)]
    sums = (
        window.groupby(REP_KEYS, sort=False)[list(VOLUME_COUNTS)]
        .sum()
        .reindex(index, fill_value=0)
        .reset_index()
    )
    return _with_ratios(sums)


def window_impressions(feed: pd.DataFrame, first_day: int, last_day: int) -> pd.DataFrame:
    """Impressions of each replication over days ``first_day..last_day``, from the feed.

    The denominator of every feed share over that window (`topic_share_window`,
    `source_shares`): the sum over focal members, topics and sources. Every replication
    present in ``feed`` has a row (0 when it had no impression in the window).

    Returns:
        Columns ``scenario, variant, replication, impressions``.
    """
    index = pd.MultiIndex.from_frame(feed[REP_KEYS].drop_duplicates())
    window = feed[feed["day"].between(first_day, last_day)]
    sums = window.groupby(REP_KEYS, sort=False)["impressions"].sum()
    return sums.reindex(index, fill_value=0).astype(np.int64).reset_index()


def impressions_range(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Mean, least and most impressions per replication, per variant.

    Args:
        per_rep: one row per replication with ``variant`` and ``impressions`` (as
            `window_impressions` or `topic_share_window` give).

    Returns:
        Columns ``variant, mean, min, max, n`` (n: replications), variants in order of
        appearance.
    """
    stats = per_rep.groupby("variant", sort=False)["impressions"].agg(
        ["mean", "min", "max", "count"]
    )
    return stats.rename(columns={"count": "n"}).reset_index()
