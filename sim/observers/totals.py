"""The run's totals: sessions (of them brought by notifications), impressions, engagements,
candidates, the ties made during the run (of them those that closed a triangle), and the
distributions of candidates and items read per session, for benchmarks, manifests and the
regime checks (no table)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.model.hooks import Impressions, Served, Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords
from sim.scenario import Scenario


class Totals(Observer):
    """Counts summed over the run, and histograms of candidates and items read per session
    (entry v counts the sessions with v)."""

    name = "totals"
    tables = ()

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.counts = {
            "sessions": 0,
            "notified_sessions": 0,
            "impressions": 0,
            "engagements": 0,
            "candidates": 0,
        }
        self.candidates_seen = np.zeros(1, np.int64)
        self.items_seen = np.zeros(1, np.int64)
        self.start_ties = 0
        self.removed = {"ties": 0, "two_hop": 0}

    def start(self, state: State) -> None:
        self.start_ties = state.ties.pairs

    def ties_removed(self, state: State, removed: dict[str, NDArray[np.generic]]) -> None:
        self.removed["ties"] += int(removed["src"].size)
        self.removed["two_hop"] += int(np.count_nonzero(removed["two_hop"]))

    def served(self, state: State, served: Served) -> None:
        """Every session of the slice: its candidates (those of the served member, whose
        sessions in the slice share them) and the items it reads."""
        self.counts["sessions"] += int(served.count.sum())
        self.counts["notified_sessions"] += served.notified
        used = np.arange(served.read.shape[1])[None, :] < served.count[:, None]
        per_session = np.repeat(served.candidates, served.count)
        self.candidates_seen = add_histogram(self.candidates_seen, per_session)
        self.items_seen = add_histogram(self.items_seen, served.read[used])
        self.counts["candidates"] += int((served.candidates * served.count).sum())

    def shown(self, state: State, shown: Shown) -> None:
        self.counts["impressions"] += int(shown.seen.post.size)

    def engaged(self, state: State, engaged: Impressions, action: NDArray[np.int8]) -> None:
        self.counts["engagements"] += int(engaged.post.size)

    def records(self, state: State) -> Arrays:
        return {"candidates_seen": self.candidates_seen, "items_seen": self.items_seen}

    def totals(self, state: State) -> dict[str, int]:
        """The run's totals, with the median candidates and items read per session, and the
        ties made during the run (``new_ties``: pruned ones included) and of them those whose
        ends had a connection in common (``new_ties_within_two_hops``)."""
        counts = dict(self.counts)
        counts.update(
            median_candidates_per_session=histogram_median(self.candidates_seen),
            median_items_read_per_session=histogram_median(self.items_seen),
        )
        ties = state.ties
        counts.update(posts=state.posts.size, ties=ties.pairs, members=state.n)
        counts.update(
            new_ties=ties.pairs - self.start_ties + self.removed["ties"],
            new_ties_within_two_hops=int(np.count_nonzero(ties.two_hop)) // 2
            + self.removed["two_hop"],
        )
        return counts

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        return {}


def add_histogram(hist: NDArray[np.int64], values: NDArray[np.int64]) -> NDArray[np.int64]:
    """`hist` (entry v counts the values equal to v) with `values` added (grown as needed)."""
    more = np.bincount(values, minlength=hist.size)
    more[: hist.size] += hist
    return more


def histogram_median(hist: NDArray[np.int64]) -> int:
    """The lower median of the values a histogram counts (0 when it is empty)."""
    total = int(hist.sum())
    if total == 0:
        return 0
    return int(np.searchsorted(np.cumsum(hist), (total + 1) // 2))
