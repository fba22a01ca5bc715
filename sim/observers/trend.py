"""The trend's records (docs/model.md 7.21): adopters after each day, the similarity of
members' feeds each day (the ``adoption`` table), and every member's impressions and
engagements by day, trend status at the impression and source group (the ``population``
table). Attached only to runs with a ``trend`` section; without one both tables are empty."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.model.hooks import Shown
from sim.model.state import State, TrendState
from sim.observers.base import Arrays, Observer, RunRecords, cells, feed_day
from sim.scenario import Scenario
from sim.sources import GROUP_OF_SOURCE
from sim.table_schema import ADOPTION_COUNTS, FEED_COUNTS, GROUPS, VIEWER_GROUPS


def _trend(state: State) -> TrendState:
    assert state.trend is not None  # attached only to runs with a trend
    return state.trend


class TrendRecords(Observer):
    """Adoption counts after each day (day + 1, :data:`~sim.table_schema.ADOPTION_COUNTS`),
    feed similarity each day (day + 1; NaN at 0), and the population feed (day, viewer
    status, source group, :data:`~sim.table_schema.FEED_COUNTS`)."""

    name = "trend"
    tables = ("adoption", "population")

    def __init__(self, scenario: Scenario, state: State) -> None:
        days = scenario.duration_days
        self.days = days
        self.adoption = np.zeros((days + 1, len(ADOPTION_COUNTS)), np.int64)
        self.similarity = np.full(days + 1, np.nan)
        self.feed = np.zeros((days, len(VIEWER_GROUPS), len(GROUPS), len(FEED_COUNTS)), np.int64)
        self.topic_today = np.zeros((state.n, state.n_topics), np.int32)

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        return scenario.trend is not None

    def start(self, state: State) -> None:
        """Day 0: the seeded adopters, all new."""
        adopters = int(_trend(state).adopted.sum())
        self.adoption[0, 0] = self.adoption[0, 1] = adopters

    def shown(self, state: State, shown: Shown) -> None:
        """Add the slice's impressions (and of them the engagements) by day, viewer status
        and source group, and to the day's topic counts of each member."""
        seen = shown.seen
        day = feed_day(seen.when, self.days)
        status = _trend(state).adopted[seen.viewer].astype(np.int64)
        group = GROUP_OF_SOURCE[seen.source]
        for name, rows in (
            ("impressions", np.ones(day.size, bool)),
            ("engagements", shown.engaged),
        ):
            count = np.full(int(rows.sum()), FEED_COUNTS.index(name))
            np.add.at(self.feed, (day[rows], status[rows], group[rows], count), 1)
        np.add.at(self.topic_today, (seen.viewer, seen.topic), 1)

    def day_end(self, state: State, day: int) -> None:
        """After the day's adoption: adopters, those of the day, those who dropped it, the
        adopters' refusals by LinkedIn's limits so far, and the similarity of the day's
        feeds."""
        trend = _trend(state)
        others = state.focal_slot < 0  # the adopters' refusals; focal members' are their own
        self.adoption[day] = [
            int(trend.adopted.sum()),
            int((trend.adopted_on == day).sum()),
            int((trend.dropped_on == day).sum()),
            int(state.limits.refused[others].sum()),
            int(state.limits.capped[others].sum()),
        ]
        self.similarity[day] = feed_similarity(self.topic_today)
        self.topic_today[:] = 0

    def records(self, state: State) -> Arrays:
        return {"adoption": self.adoption, "similarity": self.similarity, "feed": self.feed}

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """``adoption``: a row per snapshot day; ``population``: a row per feed day, viewer
        status and source group. Both without rows when the run had no trend."""
        kept = run.kept.get(TrendRecords.name) or {
            "adoption": np.zeros((0, len(ADOPTION_COUNTS)), np.int64),
            "similarity": np.zeros(0),
            "feed": np.zeros((0, len(VIEWER_GROUPS), len(GROUPS), len(FEED_COUNTS)), np.int64),
        }
        return {
            "adoption": adoption_table(kept, run.members),
            "population": population_table(kept["feed"]),
        }


def adoption_table(kept: Arrays, members: int) -> pd.DataFrame:
    """The trend's spread after each day (day 0: the seeded start), with the adopters'
    share, the day's refusals by LinkedIn's limits (differences of the running totals) and
    the day's feed similarity."""
    adoption = kept["adoption"]
    adopters = adoption[:, ADOPTION_COUNTS.index("adopters")]
    return pd.DataFrame(
        {
            "day": np.arange(adopters.size, dtype=np.int64),
            "adopters": adopters.astype(np.int64),
            "new_adopters": adoption[:, ADOPTION_COUNTS.index("new_adopters")],
            "dropped": adoption[:, ADOPTION_COUNTS.index("dropped")],
            **{
                name: np.diff(adoption[:, ADOPTION_COUNTS.index(name)], prepend=0)
                for name in ("invitations_refused", "ties_refused_at_cap")
            },
            "members": np.full(adopters.size, members, np.int64),
            "adopter_share": adopters / max(members, 1),
            "feed_similarity": kept["similarity"],
        }
    )


def population_table(feed: NDArray[np.int64]) -> pd.DataFrame:
    """Impressions and engagements of all members by day, viewer status and source group."""
    day, viewer, group = cells(feed.shape[:3])
    return pd.DataFrame(
        {
            "day": day,
            "viewer": pd.Series(np.asarray(VIEWER_GROUPS)[viewer], dtype="string"),
            "source_group": pd.Series(np.asarray(GROUPS)[group], dtype="string"),
            "impressions": feed[day, viewer, group, 0],
            "engagements": feed[day, viewer, group, 1],
        }
    )


def feed_similarity(topic_counts: NDArray[np.int32]) -> float:
    """Mean pairwise cosine similarity of the topic mixes of members' feeds (members with an
    impression): with unit vectors u_i, ``(|sum u_i|^2 - n) / (n (n - 1))``
    (homogenisation, as Chaney, Stewart & Engelhardt 2018 measure it on items). NaN with
    fewer than two members.

    The square is summed elementwise, not by a BLAS dot product: the BLAS library picks its
    kernel (and its order of summation) by the CPU, so ``total @ total`` differed in the last
    bit between machines."""
    counts = topic_counts[topic_counts.sum(axis=1) > 0].astype(np.float64)
    m = counts.shape[0]
    if m < 2:
        return float("nan")
    unit = counts / np.linalg.norm(counts, axis=1, keepdims=True)
    total = unit.sum(axis=0)
    return float((np.sum(total * total) - m) / (m * (m - 1)))
