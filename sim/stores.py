"""The platform's live stores: equal-length growable numpy columns (posts, candidates,
pending notifications), and columns regrouped by one key (the candidate pool by viewer).

A run never builds a Python object per post or per impression: it appends numpy arrays to
growable columns (capacity doubles when full).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads
from numpy.typing import DTypeLike, NDArray

from sim import kernels


class Columns:
    """Equal-length growable numpy columns; rows are appended in bulk.

    ``columns["x"]`` is a view of the filled rows of column x; writing into it writes the store.
    """

    def __init__(self, dtypes: dict[str, DTypeLike], capacity: int = 1024) -> None:
        self._data = {name: np.zeros(capacity, dtype) for name, dtype in dtypes.items()}
        self.size = 0

    def reserve(self, capacity: int) -> None:
        """Make room for `capacity` rows at once, so that the columns need not grow later.

        Called before a run, a large reservation is mapped from the system and only the pages
        that rows are written into are ever resident; growing while the slices run would
        instead hold the old and the doubled columns in the heap (docs/performance.md).
        """
        if capacity > next(iter(self._data.values())).size:
            for name, column in self._data.items():
                grown = np.zeros(capacity, column.dtype)
                grown[: self.size] = column[: self.size]
                self._data[name] = grown

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self._data[name][: self.size]

    def append(self, **values: NDArray[np.generic] | float | int | bool) -> NDArray[np.int64]:
        """Append rows (arrays of one length, or scalars broadcast); return their row indices."""
        length = next(np.size(v) for v in values.values() if np.ndim(v) > 0)
        needed = self.size + length
        capacity = next(iter(self._data.values())).size
        if needed > capacity:
            self.reserve(max(needed, 2 * capacity))
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


def planes(column: NDArray[Any]) -> list[NDArray[Any]]:
    """A column as views of at most 4 bytes a row: itself, or, for wider items (a float64),
    its 4-byte parts (strided views), each of which can be moved on its own (a bit-for-bit
    copy), so that a temporary copy of one part is half the column's size or less."""
    if column.itemsize <= 4:
        return [column]
    parts = column.view(np.uint32).reshape(column.size, column.itemsize // 4)
    return [parts[:, i] for i in range(parts.shape[1])]


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
        """Keep the rows where `keep` is True (all when None), order them by group (stably;
        the rows already grouped keep their order, the rows appended since are counting-sorted
        into place: :func:`sim.kernels.regroup_places`) and index them. Each column is written
        in its new order at once (:func:`sim.kernels.regroup_values`), the group column last,
        and 4 bytes of a row at a time (:func:`planes`): the regroup holds no array of the
        order, and no temporary wider than 4 bytes a row, beside the columns."""
        if keep is None:
            keep = np.ones(self.size, bool)
        key = self[self._by]
        grouped = (self._start, self._grouped)
        starts, places = kernels.regroup_places(key, keep, *grouped, get_num_threads())
        kept = int(starts[-1])
        for name in sorted(self._data, key=lambda name: name == self._by):
            for plane in planes(self._data[name]):
                plane[:kept] = kernels.regroup_values(
                    plane[: self.size], key, keep, *grouped, starts, places
                )
        self._start[:] = starts
        self.size = kept
        self._grouped = kept

    def spans_of(
        self, groups: NDArray[np.int64], slot: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """The rows of `groups` (distinct; ``slot[groups[i]] == i``, and -1 for every other
        group): the indexed rows of ``groups[i]`` are ``lo[i]:hi[i]``, and its unindexed rows
        (appended since the regroup) ``tail[tail_ptr[i]:tail_ptr[i + 1]]``, in row order.
        Returns (lo, hi, tail_ptr, tail)."""
        key = self._data[self._by][: self.size]
        tail_ptr, tail = kernels.rows_by_slot(
            slot, groups.size, key, self._grouped, get_num_threads()
        )
        return self._start[groups], self._start[groups + 1], tail_ptr, tail

    def keep(self, mask: NDArray[np.bool_]) -> None:
        super().keep(mask)
        self._grouped = 0
        self._start[:] = 0

    def drop_first(self, count: int) -> None:
        super().drop_first(count)
        self._grouped = 0
        self._start[:] = 0
