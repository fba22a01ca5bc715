"""The focal members' posts and connections: reach, engagement and who they come from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.feed import SOURCE_GROUPS
from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days, summarise

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
    Then `summarise` across replications (primary reach, a share, with an interval inside
    [0, 1]). Replications in ``posts`` without a focal post
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
    summary = summarise(long, "value", ["variant", "metric"])
    reach = summary["metric"] == "primary_reach"
    shares = summarise(
        long[long["metric"] == "primary_reach"], "value", ["variant", "metric"], True
    )
    summary.loc[reach, ["lo", "hi"]] = shares[["lo", "hi"]].to_numpy()
    return summary


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


# ------------------------------------------------------------------ connections


def connections_by_kind(connections: pd.DataFrame) -> pd.DataFrame:
    """Connections by kind after each day, summed over the focal members of a replication.

    Returns:
        Columns ``scenario, variant, replication, day, kind, connections, connections_reached``.
    """
    return (
        connections.groupby([*REP_KEYS, "day", "kind"], sort=False)[
            ["connections", "connections_reached"]
        ]
        .sum()
        .reset_index()
    )


def reached_share(connections: pd.DataFrame) -> pd.DataFrame:
    """Share of the focal members' connections that ever saw one of their posts, by day.

    ``share = sum of reached / sum of connections`` over kinds and focal members (a ratio
    of sums); NaN on a day without connections.

    Returns:
        Columns ``scenario, variant, replication, day, connections, connections_reached, share``.
    """
    totals = connections.groupby([*REP_KEYS, "day"], sort=False)[
        ["connections", "connections_reached"]
    ].sum()
    totals["share"] = totals["connections_reached"] / totals["connections"].where(
        totals["connections"] > 0
    )
    return totals.reset_index()
