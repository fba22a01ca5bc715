"""Who adopted the trend and the reach of their posts and of everyone else's, by period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days
from sim.analysis.trend.periods import WEEK_DAYS

#: The two groups of authors (and of viewers): adopters of the trend and everyone else.
AUTHOR_GROUPS = ("adopter", "non_adopter")

#: Words for `AUTHOR_GROUPS` in legends and sentences.
AUTHOR_LABELS = {"adopter": "adopters", "non_adopter": "non-adopters"}

#: Reach measures of `reach_by_author`, with their words: total viewers, viewers from the
#: test audience (the network route) and viewers connected to the author by a peer tie.
TREND_REACH_MEASURES = {
    "impressions": "all viewers (impressions)",
    "primary_viewers": "primary viewers (test audience)",
    "viewers_peer": "peer viewers (peer ties)",
}


def adopter_authors(posts: pd.DataFrame) -> pd.DataFrame:
    """The adopters of each run: authors with at least one post written while following the
    trend (``author_adopted``).

    Returns:
        Columns ``scenario, variant, replication, author_id``, one row per adopter.
    """
    adopted = posts[posts["author_adopted"].astype(bool)]
    return adopted[[*REP_KEYS, "author_id"]].drop_duplicates().reset_index(drop=True)


def label_authors(posts: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with ``author_group``: ``adopter`` for the posts (all of them, from before
    and after adopting) of the run's adopters (`adopter_authors`), else ``non_adopter``."""
    adopters = adopter_authors(posts).assign(_adopter=True)
    merged = posts.merge(adopters, on=[*REP_KEYS, "author_id"], how="left")
    merged["author_group"] = np.where(merged["_adopter"].notna(), *AUTHOR_GROUPS)
    return merged.drop(columns="_adopter")


def complete_posts(posts: pd.DataFrame, duration_days: int, life_days: float) -> pd.DataFrame:
    """The posts whose whole life lies inside the run: ``created_day + life_days <=
    duration_days`` (``life_days``: `post_life_days`)."""
    return posts[posts["created_day"] + life_days <= duration_days]


def reach_by_author(
    posts: pd.DataFrame, duration_days: int, life_days: float, bin_days: int = WEEK_DAYS
) -> pd.DataFrame:
    """Reach per complete post by author group and period of creation, per run.

    Bin w holds the complete posts (`complete_posts`) created in ``[w * bin_days, (w + 1) *
    bin_days)``; its ``day`` is the middle of the days it covers before the last complete
    post's day ``duration_days - life_days``. Per run, bin and author group
    (`label_authors`): the mean of each `TREND_REACH_MEASURES` column over its posts, and
    the number of posts. A bin without a post of a group has no row for it.

    Returns:
        Columns ``scenario, variant, replication, author_group, bin, day, posts`` and one
        per `TREND_REACH_MEASURES`.
    """
    measures = list(TREND_REACH_MEASURES)
    columns = [*REP_KEYS, "author_group", "bin", "day", "posts", *measures]
    done = complete_posts(label_authors(posts), duration_days, life_days)
    if done.empty:
        return pd.DataFrame(columns=columns)
    done = done.assign(bin=(done["created_day"] // bin_days).astype(np.int64))
    keys = [*REP_KEYS, "author_group", "bin"]
    groups = done.groupby(keys, sort=False)
    out = groups[measures].mean().astype(float).assign(posts=groups.size()).reset_index()
    start = out["bin"] * bin_days
    out["day"] = (start + np.minimum(start + bin_days, duration_days - life_days)) / 2.0
    return out[columns]


def reach_by_author_bands(
    posts: pd.DataFrame, duration_days: int, life_days: float, bin_days: int = WEEK_DAYS
) -> pd.DataFrame:
    """`reach_by_author` summarised across runs: mean and 95% t interval per bin.

    Returns:
        Columns ``variant, author_group, measure, day, mean, lo, hi, n``.
    """
    per_run = reach_by_author(posts, duration_days, life_days, bin_days)
    long = per_run.melt(
        id_vars=[*REP_KEYS, "author_group", "day"],
        value_vars=list(TREND_REACH_MEASURES),
        var_name="measure",
        value_name="viewers",
    )
    return band_over_days(long, "viewers", ["variant", "author_group", "measure"])
