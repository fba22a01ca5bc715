"""What everyone's feed is made of: every member's impressions and engagements by feed day,
the group of the viewer's relationship to the author, and whether the topic is the viewer's
own field (the ``composition`` table), with or without a trend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.hooks import Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords, cells, feed_day
from sim.scenario import Scenario
from sim.sources import GROUP_OF_SOURCE
from sim.table_schema import FEED_COUNTS, GROUPS, TOPIC_RELATIONS


class Composition(Observer):
    """Counts of shape (day, :data:`~sim.table_schema.GROUPS`,
    :data:`~sim.table_schema.TOPIC_RELATIONS`, :data:`~sim.table_schema.FEED_COUNTS`)."""

    name = "composition"
    tables = ("composition",)

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.days = scenario.duration_days
        self.shape = (self.days, len(GROUPS), len(TOPIC_RELATIONS))
        self.counts = np.zeros((*self.shape, len(FEED_COUNTS)), np.int64)

    def shown(self, state: State, shown: Shown) -> None:
        """Add the slice's impressions and engagements to their cells: cell
        ``(day, group, relation)`` with relation 0 when the topic is the viewer's field."""
        seen = shown.seen
        day = feed_day(seen.when, self.days)
        group = GROUP_OF_SOURCE[seen.source]
        other = (seen.topic != state.field[seen.viewer]).astype(np.int64)
        cell = np.ravel_multi_index((day, group, other), self.shape)
        size = int(np.prod(self.shape))
        flat = self.counts.reshape(size, len(FEED_COUNTS))
        flat[:, 0] += np.bincount(cell, minlength=size)
        flat[:, 1] += np.bincount(cell[shown.engaged], minlength=size)

    def records(self, state: State) -> Arrays:
        return {"counts": self.counts}

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """A row per feed day, source group and topic relation (zeros included)."""
        kept = run.kept[Composition.name]  # attached to every run
        counts = kept["counts"]
        day, group, relation = cells(counts.shape[:3])
        frame = pd.DataFrame(
            {
                "day": day,
                "source_group": pd.Series(np.asarray(GROUPS)[group], dtype="string"),
                "topic_field": pd.Series(np.asarray(TOPIC_RELATIONS)[relation], dtype="string"),
                "impressions": counts[day, group, relation, 0],
                "engagements": counts[day, group, relation, 1],
            }
        )
        return {"composition": frame}
