"""Gathers: values at an index, and the rows whose key is marked, on all cores."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

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


def _rows_where_numpy(
    member: NDArray[np.bool_], key: NDArray[np.integer], start: int, chunks: int
) -> NDArray[np.int64]:
    """``flatnonzero`` of the gathered marks."""
    return (start + np.flatnonzero(member[key[start:]])).astype(np.int64)


@twin(_rows_where_numpy)
@njit(cache=True, nogil=True, parallel=True)
def rows_where(  # pragma: no cover - compiled
    member: NDArray[np.bool_], key: NDArray[np.integer], start: int, chunks: int
) -> NDArray[np.int64]:
    """``start + flatnonzero(member[key[start:]])``: the rows from `start` on whose key is
    marked, found in `chunks` parts in parallel (each counted, then written in place)."""
    size = key.size - start
    found = np.zeros(chunks + 1, np.int64)
    for c in prange(chunks):
        count = 0
        for r in range(start + c * size // chunks, start + (c + 1) * size // chunks):
            count += member[key[r]]
        found[c + 1] = count
    for c in range(chunks):
        found[c + 1] += found[c]
    rows = np.empty(found[chunks], np.int64)
    for c in prange(chunks):
        at = found[c]
        for r in range(start + c * size // chunks, start + (c + 1) * size // chunks):
            if member[key[r]]:
                rows[at] = r
                at += 1
    return rows


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
