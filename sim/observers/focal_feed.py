"""The focal members' feeds: what each was shown by day, topic and source (the ``feed``
table), and how much each feed held (sessions, candidates, items read, impressions: the
``volume`` table; docs/model.md 9)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.hooks import Served, Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords, cells, feed_day
from sim.scenario import Scenario
from sim.table_schema import SOURCES, VOLUME_COUNTS

_IMPRESSIONS = VOLUME_COUNTS.index("impressions")


class FocalFeed(Observer):
    """Focal impressions by (focal member, feed day, topic, source), and the focal feed
    volume by (focal member, feed day, :data:`~sim.table_schema.VOLUME_COUNTS`)."""

    name = "focal_feed"
    tables = ("feed", "volume")

    def __init__(self, scenario: Scenario, state: State) -> None:
        focal, days = state.focal_ids.size, scenario.duration_days
        self.days = days
        self.feed = np.zeros((focal, days, state.n_topics, len(SOURCES)), np.int64)
        self.volume = np.zeros((focal, days, len(VOLUME_COUNTS)), np.int64)

    def served(self, state: State, served: Served) -> None:
        """Add the slice's focal sessions: for each served member that is focal, on the day
        of its first session time, its sessions, its candidates once per session and the
        items its sessions read (impressions are added in :meth:`shown`)."""
        focal = state.focal_slot[served.viewers]
        rows = np.flatnonzero(focal >= 0)
        if rows.size == 0:
            return
        day = feed_day(served.time[rows], self.days)
        values = {
            "sessions": served.count[rows],
            "candidates": served.candidates[rows] * served.count[rows],
            "items_read": served.read[rows].sum(axis=1),
        }
        for name, value in values.items():
            column = np.full(rows.size, VOLUME_COUNTS.index(name))
            np.add.at(self.volume, (focal[rows], day, column), value)

    def shown(self, state: State, shown: Shown) -> None:
        """Add focal viewers' impressions by (feed day, topic, source) and to their volume."""
        seen = shown.seen
        focal = state.focal_slot[seen.viewer]
        is_focal = focal >= 0
        if not is_focal.any():
            return
        day = feed_day(seen.when[is_focal], self.days)
        cell = (focal[is_focal], day, seen.topic[is_focal], seen.source[is_focal])
        np.add.at(self.feed, cell, 1)
        np.add.at(self.volume[:, :, _IMPRESSIONS], (cell[0], day), 1)

    def records(self, state: State) -> Arrays:
        return {"feed": self.feed, "volume": self.volume}

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """``feed``: a row per (member, day, topic, source) with impressions > 0; ``volume``:
        a row per member and day (zeros on a day without sessions)."""
        kept = run.kept[FocalFeed.name]  # attached to every run
        feed, volume = kept["feed"], kept["volume"]
        focal, day, topic, source = np.nonzero(feed)
        ids = run.focal_ids[focal]
        feed_frame = pd.DataFrame(
            {
                "member_id": ids,
                "member": run.focal_names(names, ids),
                "day": day.astype(np.int64),
                "topic": pd.Series(np.asarray(run.topics)[topic], dtype="string"),
                "source": pd.Series(np.asarray(SOURCES)[source], dtype="string"),
                "impressions": feed[focal, day, topic, source],
            }
        )
        focal, day = cells(volume.shape[:2])
        ids = run.focal_ids[focal]
        volume_frame = pd.DataFrame(
            {"member_id": ids, "member": run.focal_names(names, ids), "day": day.astype(np.int64)}
        )
        for k, name in enumerate(VOLUME_COUNTS):
            volume_frame[name] = volume[focal, day, k].astype(np.int64)
        return {"feed": feed_frame, "volume": volume_frame}
