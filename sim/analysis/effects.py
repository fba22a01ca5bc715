"""Per-replication metrics of the focal members and their paired effects between variants."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis.posts import focal_posts, reached_share
from sim.analysis.results import REP_KEYS, replication_index
from sim.analysis.statistics import paired_differences
from sim.analysis.survival import followup_horizon, never_heard_at, stranger_followup

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
        needs: what a replication must have for the metric to have a value there (``focal
            posts``), for the sentence that says why a paired difference is missing.
    """

    name: str
    title: str
    unit: str
    percent: bool
    needs: str = "focal posts"

    @property
    def difference_unit(self) -> str:
        """Unit of a difference: percentage points for shares, else the metric's unit."""
        return "percentage points" if self.percent else self.unit


#: The metrics of the forest plot and the effects table, in display order.
_BY_GROUP = "viewers recorded by relationship"
FOREST_METRICS = (
    Metric("primary_reach", "Primary reach", "% of connections", True),
    Metric("viewers_per_post", "Viewers per post", "viewers per post", False),
    Metric("peer_viewers_per_post", "Peer viewers per post", "viewers per post", False, _BY_GROUP),
    Metric("peer_share", "Peer share of viewers", "% of viewers", True, _BY_GROUP),
    Metric(
        "engagement_rate", "Engagements per impression", "% of impressions", True, "impressions"
    ),
    Metric("engagements_per_post", "Engagements per post", "engagements per post", False),
    Metric(
        "reached_share",
        "Connections ever reached, end of run",
        "% of connections",
        True,
        "connections recorded",
    ),
    Metric(
        "never_heard",
        "New stranger ties never heard from",
        "% of new stranger ties",
        True,
        "new stranger ties",
    ),
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
    index = replication_index(posts)
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
