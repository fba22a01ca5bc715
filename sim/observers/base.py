"""What every observer is, and the records a run returns.

An observer is a :class:`~sim.model.hooks.Hooks` subclass that keeps its own counts as the
engine calls it, hands them over at the end of the run (:meth:`Observer.records`) and
builds its tables from them (:meth:`Observer.build`). The table builders read only the
records, never the state, so a table is the same whoever ran the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.model.hooks import Hooks
from sim.model.state import State
from sim.scenario import Scenario

Arrays = dict[str, NDArray[Any]]
"""An observer's records: named arrays."""


@dataclass(frozen=True)
class RunRecords:
    """What one run returns: plain arrays, before identifiers are attached.

    Attributes:
        topics: topic names; topic columns index into them.
        focal_ids: member id of each focal member, in scenario order.
        members: members of the network.
        counts: run totals (sessions, impressions, posts, ties, medians) for benchmarks,
            manifests and checks.
        kept: each attached observer's records, by observer name.
    """

    topics: tuple[str, ...]
    focal_ids: NDArray[np.int64]
    members: int
    counts: dict[str, int]
    kept: dict[str, Arrays]

    def focal_names(self, names: Sequence[str], ids: NDArray[Any]) -> pd.Series:
        """The scenario name of each focal member id in `ids` ("" for any other member);
        `names` are the focal members' scenario names in the order of ``focal_ids``."""
        lookup = dict(zip(self.focal_ids.tolist(), names, strict=False))
        return pd.Series([lookup.get(int(i), "") for i in ids], dtype="string")


class Observer(Hooks):
    """One family of records: counted at the hooks, kept, and turned into tables.

    Subclasses set :attr:`name` and :attr:`tables`, count in the hooks they override,
    return their arrays from :meth:`records`, and build their tables in :meth:`build`.
    """

    name: ClassVar[str]
    """The key of its records in :attr:`RunRecords.kept`."""
    tables: ClassVar[tuple[str, ...]]
    """The tables it builds (names of :data:`sim.table_schema.TABLES`)."""

    def __init__(self, scenario: Scenario, state: State) -> None:
        """An observer of one run of `scenario` from `state` (nothing to set up here)."""

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        """Whether a run of `scenario` records this family (every run, unless overridden)."""
        return True

    def records(self, state: State) -> Arrays:
        """The records at the end of the run."""
        raise NotImplementedError

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """Its tables from the run's records (its own may be absent: then empty tables)."""
        raise NotImplementedError


def cells(shape: tuple[int, ...]) -> list[NDArray[np.int64]]:
    """The index of every cell of an array of `shape`, one flat array per axis (C order)."""
    grids = np.meshgrid(*(np.arange(size) for size in shape), indexing="ij")
    return [grid.ravel().astype(np.int64) for grid in grids]


def feed_day(when: NDArray[np.float64], duration_days: int) -> NDArray[np.int64]:
    """The feed day of impressions or sessions at times `when`: ``min(floor(when), D - 1)``."""
    return np.minimum(when.astype(np.int64), duration_days - 1)
