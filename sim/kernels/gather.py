"""Gathers: values at an index, and the rows whose key is marked, on all cores."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.sort import part_places
from sim.kernels.switch import twin

G = TypeVar("G", bound=np.generic)


def _take_numpy(values: NDArray[G], index: NDArray[np.int64]) -> NDArray[G]:
    """Fancy indexing."""
    return values[index]


@twin(_take_numpy)
@njit(cache=True, nogil=True, parallel=True)
def take(values: NDArray[G], index: NDArray[np.int64]) -> NDArray[G]:  # pragma: no cover - compiled
    """``values[index]``, gathered on all cores."""
    out = np.empty(index.size, values.dtype)
    for i in prange(index.size):
        out[i] = values[index[i]]
    return out


def _rows_by_slot_numpy(
    slot: NDArray[np.int64], n_slots: int, key: NDArray[np.integer], start: int, chunks: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``flatnonzero`` of the rows whose key has a slot, a stable argsort by slot, and a
    ``bincount`` of the slots."""
    key_slot = slot[key[start:]]
    rows = start + np.flatnonzero(key_slot >= 0)
    row_slot = key_slot[key_slot >= 0]
    ptr = np.zeros(n_slots + 1, np.int64)
    np.cumsum(np.bincount(row_slot, minlength=n_slots), out=ptr[1:])
    return ptr, rows[np.argsort(row_slot, kind="stable")].astype(np.int64)


@twin(_rows_by_slot_numpy)
@njit(cache=True, nogil=True, parallel=True)
def rows_by_slot(  # pragma: no cover - compiled
    slot: NDArray[np.int64], n_slots: int, key: NDArray[np.integer], start: int, chunks: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The rows from `start` on whose key has a slot (``0 <= slot[key[r]] < n_slots``; -1:
    none), grouped by slot and in row order within a slot: slot s's rows are
    ``rows[ptr[s]:ptr[s + 1]]``. Returns (ptr, rows).

    A counting sort in `chunks` parts in parallel: each part counts its rows per slot, a
    prefix sum over (slot, part) gives each part its place within each slot, and each part
    writes its rows there, so the order is that of one pass over all rows."""
    size = key.size - start
    at = np.zeros((chunks, n_slots), np.int64)
    for c in prange(chunks):
        for r in range(start + c * size // chunks, start + (c + 1) * size // chunks):
            s = slot[key[r]]
            if s >= 0:
                at[c, s] += 1
    ptr = part_places(at, np.zeros(n_slots, np.int64))
    rows = np.empty(ptr[n_slots], np.int64)
    for c in prange(chunks):
        for r in range(start + c * size // chunks, start + (c + 1) * size // chunks):
            s = slot[key[r]]
            if s >= 0:
                rows[at[c, s]] = r
                at[c, s] += 1
    return ptr, rows


def _compress_numpy(
    values: NDArray[G], keep: NDArray[np.bool_], before: NDArray[np.int64]
) -> NDArray[G]:
    """Boolean indexing."""
    return values[keep]


@twin(_compress_numpy)
@njit(cache=True, nogil=True, parallel=True)
def compress(
    values: NDArray[G], keep: NDArray[np.bool_], before: NDArray[np.int64]
) -> NDArray[G]:  # pragma: no cover - compiled
    """``values[keep]`` on all cores, given ``before``, the kept rows before each row (``before[i]
    = keep[:i].sum()``, one entry more than `keep`): the kept value of row i goes to
    ``before[i]``."""
    out = np.empty(before[keep.size], values.dtype)
    for i in prange(keep.size):
        if keep[i]:
            out[before[i]] = values[i]
    return out


def _renumber_numpy(
    index: NDArray[np.int64], keep: NDArray[np.bool_], before: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Boolean masks and fancy indexing."""
    kept_rank = np.where(keep, before[:-1], -1)
    valid = index >= 0
    out = np.full(index.size, -1, np.int64)
    out[valid] = kept_rank[index[valid]]
    return out


@twin(_renumber_numpy)
@njit(cache=True, nogil=True, parallel=True)
def renumber(
    index: NDArray[np.int64], keep: NDArray[np.bool_], before: NDArray[np.int64]
) -> NDArray[np.int64]:  # pragma: no cover - compiled
    """Indices into rows of which only those where `keep` is True are kept, renumbered into
    the kept rows (``before`` as in :func:`compress`): ``before[i]`` where ``i = index[j]``
    is kept, -1 where it is dropped or `index` is -1 (none), on all cores."""
    out = np.empty(index.size, np.int64)
    for j in prange(index.size):
        i = index[j]
        out[j] = before[i] if i >= 0 and keep[i] else -1
    return out
