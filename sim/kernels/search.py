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


@njit(cache=True, nogil=True)
def guide_table(cum: NDArray[np.float64]) -> tuple[NDArray[np.int64], float]:  # pragma: no cover
    """A guide table of a non-decreasing, non-negative `cum`: ``[0, cum[-1]]`` split into
    ``len(cum)`` buckets of equal width, and for each bucket edge the first index whose
    value exceeds it. Returns the guides and the width (0: no positive total, no guides)."""
    n = cum.size
    top = cum[n - 1] if n else 0.0
    if not top > 0:
        return np.zeros(1, np.int64), 0.0
    width = top / n
    guide = np.empty(n + 1, np.int64)
    j = 0
    for g in range(n + 1):
        edge = g * width
        while j < n and cum[j] <= edge:
            j += 1
        guide[g] = j
    return guide, width


@njit(cache=True, nogil=True)
def guided_bisect_right(  # pragma: no cover - compiled
    cum: NDArray[np.float64], guide: NDArray[np.int64], width: float, x: float
) -> int:
    """The first index of `cum` whose value exceeds x (``len(cum)`` when none does),
    searched only between the guides of x's bucket (:func:`guide_table`: one or two
    entries, usually). A bracket that rounding puts on the wrong side of x falls back to a
    search of the whole array, so the result is exact."""
    n = cum.size
    if not width > 0:
        return bisect_right(cum, x, 0, n)
    g = min(max(int(x / width), 0), n - 1) if x > 0 else 0
    lo, hi = guide[g], guide[g + 1]
    if (lo > 0 and cum[lo - 1] > x) or (hi < n and cum[hi] <= x):
        return bisect_right(cum, x, 0, n)
    return bisect_right(cum, x, lo, hi)


@twin(_searchsorted_right_numpy)
@njit(cache=True, nogil=True, parallel=True)
def searchsorted_right(  # pragma: no cover - compiled
    cum: NDArray[np.float64], values: NDArray[np.float64]
) -> NDArray[np.int64]:
    """``np.searchsorted(cum, values, side="right")`` for a non-decreasing, non-negative
    `cum` and finite `values`, without a cache miss per halving step: each value searched
    through a guide table (:func:`guide_table`, :func:`guided_bisect_right`)."""
    guide, width = guide_table(cum)
    found = np.empty(values.size, np.int64)
    for i in prange(values.size):
        found[i] = guided_bisect_right(cum, guide, width, values[i])
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
