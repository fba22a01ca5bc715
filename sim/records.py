"""Columnar buffers a run writes into, and the records a run returns.

A run never builds a Python object per post or per impression: it appends numpy arrays to
growable columns (capacity doubles when full) and returns plain arrays; :mod:`sim.metrics`
turns them into tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import get_num_threads
from numpy.typing import DTypeLike, NDArray

from sim import kernels
from sim.sources import GROUPS

HOURS_PER_DAY = 24
"""Unit conversion: times are in days, some inputs and column names in hours."""
ENGAGEMENT_WINDOWS_HOURS = (3, HOURS_PER_DAY)
"""Post ages (hours) within which engagements are also counted (``engagements_within_3h``,
``engagements_within_24h``): a definition of the posts table, not a model parameter."""

POST_COUNTERS = (
    "impressions",
    "primary_viewers",
    *(f"viewers_{g}" for g in GROUPS),
    "viewers_tag",
    "likes",
    "comments",
    "shares",
    *(f"engagements_{g}" for g in GROUPS),
    "engagements_tag",
    *(f"engagements_within_{h}h" for h in ENGAGEMENT_WINDOWS_HOURS),
)
"""Per-post counters. Viewers and engagements by group add up to the totals; the ``tag``
columns count, in addition, those who came through a tag notification."""

VOLUME_COUNTS = ("sessions", "candidates", "items_read", "impressions")
"""What the focal feed volume counts per member and day (last axis of
:attr:`RunRecords.volume`): feed sessions; candidates summed over the sessions, each
session counting the candidates it was ranked from (a member's sessions of one slice share
one list); items read; impressions. Every item read is one impression."""

ADOPTION_COUNTS = ("adopters", "new_adopters", "dropped")
"""What the trend's adoption record counts after each day (last axis of
:attr:`RunRecords.adoption`): adopters, adopters of that day, adopters who dropped the
strategy that day."""
VIEWER_GROUPS = ("non_adopter", "adopter")
"""The viewer's status at an impression (second axis of :attr:`RunRecords.population_feed`)."""
FEED_COUNTS = ("impressions", "engagements")
"""Last axis of :attr:`RunRecords.population_feed`."""


class Columns:
    """Equal-length growable numpy columns; rows are appended in bulk.

    ``columns["x"]`` is a view of the filled rows of column x; writing into it writes the store.
    """

    def __init__(self, dtypes: dict[str, DTypeLike], capacity: int = 1024) -> None:
        self._data = {name: np.zeros(capacity, dtype) for name, dtype in dtypes.items()}
        self.size = 0

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self._data[name][: self.size]

    def append(self, **values: NDArray[np.generic] | float | int | bool) -> NDArray[np.int64]:
        """Append rows (arrays of one length, or scalars broadcast); return their row indices."""
        length = next(np.size(v) for v in values.values() if np.ndim(v) > 0)
        needed = self.size + length
        capacity = next(iter(self._data.values())).size
        if needed > capacity:
            new_capacity = max(needed, 2 * capacity)
            for name, column in self._data.items():
                grown = np.zeros(new_capacity, column.dtype)
                grown[: self.size] = column[: self.size]
                self._data[name] = grown
        for name, column in self._data.items():
            column[self.size : needed] = values[name]
        rows = np.arange(self.size, needed)
        self.size = needed
        return rows

    def keep(self, mask: NDArray[np.bool_]) -> None:
        """Drop the rows where `mask` is False (keeping order)."""
        kept = int(mask.sum())
        for column in self._data.values():
            column[:kept] = column[: self.size][mask]
        self.size = kept

    def drop_first(self, count: int) -> None:
        """Drop the first `count` rows."""
        for column in self._data.values():
            column[: self.size - count] = column[count : self.size]
        self.size -= count


class GroupedColumns(Columns):
    """Columns whose rows can be regrouped by one integer column (``by``), so that the rows
    of a few groups are found without scanning every row.

    After :meth:`regroup`, the rows present then are ordered by group (stably) and indexed;
    rows appended later form an unindexed tail that :meth:`spans_of` scans. Dropping rows
    (:meth:`keep`, :meth:`drop_first`) discards the index until the next regroup.
    """

    def __init__(
        self, dtypes: dict[str, DTypeLike], by: str, groups: int, capacity: int = 1024
    ) -> None:
        super().__init__(dtypes, capacity)
        self._by = by
        self._start = np.zeros(groups + 1, np.int64)
        self._grouped = 0

    def regroup(self, keep: NDArray[np.bool_] | None = None) -> None:
        """Keep the rows where `keep` is True (all when None), order them by group (stably,
        a counting sort) and index them: each column is gathered once."""
        key = self[self._by]
        rows = np.flatnonzero(keep) if keep is not None else None
        if rows is not None:
            key = key[rows]
        order = kernels.counting_order(key, self._start.size - 1)
        if rows is not None:
            order = rows[order]
        for column in self._data.values():
            column[: order.size] = kernels.take(column[: self.size], order)
        self.size = order.size
        self._start[1:] = np.cumsum(np.bincount(key, minlength=self._start.size - 1))
        self._grouped = self.size

    def spans_of(
        self, groups: NDArray[np.int64], member: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """The rows of `groups` (distinct; ``member[g]`` is True exactly for them): the
        indexed rows of ``groups[i]`` are ``lo[i]:hi[i]``, and `tail` holds the unindexed
        rows of all of them, in row order. Returns (lo, hi, tail)."""
        key = self._data[self._by][: self.size]
        tail = kernels.rows_where(member, key, self._grouped, get_num_threads())
        return self._start[groups], self._start[groups + 1], tail

    def keep(self, mask: NDArray[np.bool_]) -> None:
        super().keep(mask)
        self._grouped = 0
        self._start[:] = 0

    def drop_first(self, count: int) -> None:
        super().drop_first(count)
        self._grouped = 0
        self._start[:] = 0


@dataclass(frozen=True)
class RunRecords:
    """What one run returns: plain arrays, before identifiers are attached.

    Attributes:
        topics: topic names; topic columns index into it.
        posts: per-post columns (see :data:`POST_COUNTERS` and the post store).
        focal_ids: member id of each focal member.
        feed: impressions of focal members, shape (focal, day, topic, source).
        volume: feed volume of focal members, shape (focal, day, len(VOLUME_COUNTS)):
            sessions, candidates, items read and impressions by day (see VOLUME_COUNTS).
        inferred: inferred topic weights of focal members, shape (focal, day + 1, topic);
            index d is the snapshot after d days.
        true_interest: true interests of focal members, shape (focal, topic).
        connections: focal members' connections by kind after each day, shape
            (focal, day + 1, kind, 2): [..., 0] connections, [..., 1] of them ever reached
            (saw at least one of the member's posts).
        messages_sent: messages each focal member wrote (questions and intro messages).
        ties: columns of the focal members' ties at the end of the run.
        adoption: the trend's adopters after each day, shape (day + 1,
            :data:`ADOPTION_COUNTS`); zero rows without a trend.
        similarity: mean pairwise cosine similarity of members' topic mixes each day
            (day + 1; NaN at day 0); empty without a trend.
        population_feed: impressions and engagements of all members by day, viewer status
            (non-adopter, adopter) and source group, shape (day, 2, len(GROUPS), 2); zero
            rows without a trend.
        counts: run totals (sessions, impressions, posts, ties) for benchmarks and checks.
    """

    topics: tuple[str, ...]
    posts: dict[str, NDArray[np.generic]]
    focal_ids: NDArray[np.int64]
    feed: NDArray[np.int64]
    volume: NDArray[np.int64]
    inferred: NDArray[np.float64]
    true_interest: NDArray[np.float64]
    connections: NDArray[np.int64]
    messages_sent: NDArray[np.int64]
    ties: dict[str, NDArray[np.generic]]
    adoption: NDArray[np.int64]
    similarity: NDArray[np.float64]
    population_feed: NDArray[np.int64]
    counts: dict[str, int]
