"""Compiled inner loops (Numba) of the two per-candidate hot paths: finding the tie between a
viewer and an author, and choosing each viewer's top-ranked candidates.

Both work on rows grouped by member, where a loop over one member's few hundred rows is
cheaper than a sort or a binary search over the whole slice. Each gives exactly the result
of the vectorised numpy expression named in its docstring (tests/test_kernels.py compares
them on random inputs).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True, nogil=True)
def find_in_rows(  # pragma: no cover - compiled
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    src: NDArray[np.int64],
    target: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Position of each ``src[i] -> target[i]`` in a CSR index whose row of member m,
    ``dst[indptr[m]:indptr[m + 1]]``, is sorted; -1 where the row does not hold it.

    The same as ``searchsorted(key, src * n + target)`` over the sorted keys of all rows,
    searching only the member's row (a few hundred entries instead of millions).
    """
    found = np.full(src.size, -1, np.int64)
    for i in range(src.size):
        lo = indptr[src[i]]
        hi = indptr[src[i] + 1]
        want = target[i]
        while lo < hi:
            mid = (lo + hi) >> 1
            if dst[mid] < want:
                lo = mid + 1
            else:
                hi = mid
        if lo < indptr[src[i] + 1] and dst[lo] == want:
            found[i] = lo
    return found


@njit(cache=True, nogil=True)
def top_in_groups(  # pragma: no cover - compiled
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The best ``limit[g]`` rows of each group ``starts[g]:starts[g + 1]`` and their rank.

    Within a group, pinned rows come first, then rows by descending score; equal scores
    keep the rows' order (callers order a group's rows by post id). Groups are returned in
    order, each best first: the result of one stable sort by (group, not pinned, -score).
    """
    groups = starts.size - 1
    total = 0
    for g in range(groups):
        total += min(max(limit[g], 0), starts[g + 1] - starts[g])
    rows = np.empty(total, np.int64)
    rank = np.empty(total, np.int64)
    out = 0
    for g in range(groups):
        lo, hi = starts[g], starts[g + 1]
        want = min(max(limit[g], 0), hi - lo)
        if want == 0:
            continue
        key = np.empty(hi - lo, np.float64)
        for j in range(lo, hi):
            key[j - lo] = -scores[j]
        order = np.argsort(key, kind="mergesort")
        taken = 0
        for j in range(order.size):  # pinned rows first, in score order
            if taken == want:
                break
            if pinned[lo + order[j]]:
                rows[out + taken] = lo + order[j]
                taken += 1
        for j in range(order.size):
            if taken == want:
                break
            if not pinned[lo + order[j]]:
                rows[out + taken] = lo + order[j]
                taken += 1
        for j in range(want):
            rank[out + j] = j
        out += want
    return rows, rank


@njit(cache=True, nogil=True)
def merge_sorted_rows(  # pragma: no cover - compiled
    key: NDArray[np.int64],
    order: NDArray[np.int64],
    route: NDArray[np.int8],
    seen: NDArray[np.bool_],
    proof_route: int,
    primary_route: int,
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int8],
    NDArray[np.int64],
    NDArray[np.bool_],
    NDArray[np.bool_],
]:
    """Merge rows of equal ``key`` (visited in ``order``, which sorts the keys).

    Returns the distinct keys (ascending), each row's group (index of its key), and per
    key: the lowest route of its rows, the number of its rows with route ``proof_route``,
    whether any has route ``primary_route``, and whether any is ``seen``. The same as
    ``unique(key, return_inverse=True)`` followed by ``minimum.at``, ``bincount`` and
    boolean scatters over the inverse.
    """
    n = key.size
    groups = 0
    for i in range(n):
        if i == 0 or key[order[i]] != key[order[i - 1]]:
            groups += 1
    keys = np.empty(groups, np.int64)
    group_of = np.empty(n, np.int64)
    best = np.empty(groups, np.int8)
    proof = np.zeros(groups, np.int64)
    primary = np.zeros(groups, np.bool_)
    any_seen = np.zeros(groups, np.bool_)
    g = -1
    for i in range(n):
        row = order[i]
        if i == 0 or key[row] != key[order[i - 1]]:
            g += 1
            keys[g] = key[row]
            best[g] = route[row]
        elif route[row] < best[g]:
            best[g] = route[row]
        group_of[row] = g
        if route[row] == proof_route:
            proof[g] += 1
        if route[row] == primary_route:
            primary[g] = True
        if seen[row]:
            any_seen[g] = True
    return keys, group_of, best, proof, primary, any_seen
