"""Searches of non-decreasing arrays: cumulative weights and cumulative depths."""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.switch import twin


@njit(cache=True, nogil=True)
def bisect_right(  # pragma: no cover - compiled
    cum: NDArray[np.float64], x: float, lo: int, hi: int
) -> int:
    """The first index in ``lo:hi`` whose value exceeds x (``hi`` when none does)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if cum[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _searchsorted_right_numpy(
    cum: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.int64]:
    """``np.searchsorted(side="right")``."""
    return np.searchsorted(cum, values, side="right").astype(np.int64)


@twin(_searchsorted_right_numpy)
@njit(cache=True, nogil=True, parallel=True)
def searchsorted_right(  # pragma: no cover - compiled
    cum: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.int64]:
    """``np.searchsorted(cum, values, side="right")`` for a non-decreasing, non-negative
    `cum` and finite `values`, without a cache miss per halving step.

    A guide table splits ``[0, cum[-1]]`` into ``len(cum)`` buckets of equal width and
    holds, for each bucket edge, the first index whose value exceeds it, so a value is
    searched only between the guides of its bucket (one or two entries, usually). A bracket
    that rounding puts on the wrong side of the value falls back to a search of the whole
    array, so the result is exact.
    """
    n = cum.size
    found = np.empty(values.size, np.int64)
    top = cum[n - 1] if n else 0.0
    if not top > 0:
        for i in range(values.size):
            found[i] = bisect_right(cum, values[i], 0, n)
        return found
    buckets = n
    width = top / buckets
    guide = np.empty(buckets + 1, np.int64)
    j = 0
    for g in range(buckets + 1):
        edge = g * width
        while j < n and cum[j] <= edge:
            j += 1
        guide[g] = j
    for i in prange(values.size):
        x = values[i]
        g = min(max(int(x / width), 0), buckets - 1) if x > 0 else 0
        lo, hi = guide[g], guide[g + 1]
        if (lo > 0 and cum[lo - 1] > x) or (hi < n and cum[hi] <= x):
            found[i] = bisect_right(cum, x, 0, n)
        else:
            found[i] = bisect_right(cum, x, lo, hi)
    return found


def _session_positions_numpy(
    slot: NDArray[np.int64], rank: NDArray[np.int64], depths: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every rank compared with its member's whole row of cumulative depths."""
    cum = np.cumsum(depths, axis=1)
    session = (cum[slot] <= rank[:, None]).sum(axis=1)
    start = np.where(
        session > 0,
        np.take_along_axis(cum[slot], np.maximum(session - 1, 0)[:, None], axis=1)[:, 0],
        0,
    )
    return session.astype(np.int64), (rank - start).astype(np.int64)


@twin(_session_positions_numpy)
@njit(cache=True, nogil=True)
def session_positions(  # pragma: no cover - compiled
    slot: NDArray[np.int64], rank: NDArray[np.int64], depths: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For the item at `rank` of served member `slot`, the session that reads it (the
    number of the member's cumulative depths at or below the rank) and its position in
    that session (the rank less the depths of the sessions before). The same as comparing
    the rank with the member's whole row of cumulative depths."""
    session = np.empty(slot.size, np.int64)
    position = np.empty(slot.size, np.int64)
    for i in range(slot.size):
        j, before = 0, 0  # sessions before, and the items they read
        while j < depths.shape[1] and before + depths[slot[i], j] <= rank[i]:
            before += depths[slot[i], j]
            j += 1
        session[i], position[i] = j, rank[i] - before
    return session, position
