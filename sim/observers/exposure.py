"""The exposure check of the trend's contagion (docs/validation.md, study 3; K6): for every
member who adopts, each of its connections at that moment, and whether that connection had
an impression of one of the adopter's calls within :data:`~sim.table_schema.EXPOSURE_DAYS`
days of the adoption (the ``exposure`` table). It tells whether "a neighbour adopted" reached
the neighbour's feed, as Centola's notifications did. Attached only to runs with a ``trend``
section; without one the table is empty."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.model.hooks import Shown
from sim.model.state import State, TrendState
from sim.observers.base import Arrays, Observer, RunRecords
from sim.scenario import Scenario
from sim.table_schema import EXPOSURE_DAYS


def _trend(state: State) -> TrendState:
    assert state.trend is not None  # attached only to runs with a trend
    return state.trend


class ExposureCheck(Observer):
    """(adopter, connection) pairs, keyed ``connection * n + adopter`` and kept sorted, with
    the adoption's snapshot day and whether the connection has seen a call of the adopter
    by ``adoption + EXPOSURE_DAYS``."""

    name = "exposure"
    tables = ("exposure",)

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.days = scenario.duration_days
        self.key = np.zeros(0, np.int64)
        self.day = np.zeros(0, np.int64)
        self.seen = np.zeros(0, bool)

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        return scenario.trend is not None

    def start(self, state: State) -> None:
        """The seeded adopters, adopted at day 0."""
        self._add(state, np.flatnonzero(_trend(state).adopted), 0)

    def day_end(self, state: State, day: int) -> None:
        """The members who adopted at the end of the day (snapshot `day`)."""
        self._add(state, np.flatnonzero(_trend(state).adopted_on == day), day)

    def _add(self, state: State, adopters: NDArray[np.int64], day: int) -> None:
        """Pair each of `adopters` with each of its connections now."""
        if adopters.size == 0:
            return
        owner, tie = state.ties.rows(adopters)
        key = state.ties.dst[tie].astype(np.int64) * state.n + adopters[owner]
        key = np.concatenate([self.key, key])
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.day = np.concatenate([self.day, np.full(owner.size, day, np.int64)])[order]
        self.seen = np.concatenate([self.seen, np.zeros(owner.size, bool)])[order]

    def shown(self, state: State, shown: Shown) -> None:
        """Mark the pairs whose connection was shown a call of its adopter in time."""
        seen = shown.seen
        calls = state.posts["call"][seen.post]
        if self.key.size == 0 or not calls.any():
            return
        author = state.posts["author"][seen.post[calls]].astype(np.int64)
        key = seen.viewer[calls].astype(np.int64) * state.n + author
        at = np.minimum(np.searchsorted(self.key, key), self.key.size - 1)
        hit = (self.key[at] == key) & (seen.when[calls] <= self.day[at] + EXPOSURE_DAYS)
        self.seen[at[hit]] = True

    def records(self, state: State) -> Arrays:
        days = self.days + 1
        return {
            "pairs": np.bincount(self.day, minlength=days).astype(np.int64),
            "exposed": np.bincount(self.day[self.seen], minlength=days).astype(np.int64),
        }

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """``exposure``: a row per snapshot day (day 0: the seeds), none without a trend."""
        kept = run.kept.get(ExposureCheck.name) or {
            "pairs": np.zeros(0, np.int64),
            "exposed": np.zeros(0, np.int64),
        }
        pairs = kept["pairs"]
        return {
            "exposure": pd.DataFrame(
                {
                    "day": np.arange(pairs.size, dtype=np.int64),
                    "pairs": pairs.astype(np.int64),
                    "exposed": kept["exposed"].astype(np.int64),
                }
            )
        }
