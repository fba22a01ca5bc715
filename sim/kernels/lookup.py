"""Finding ties: entries of a CSR index of sorted rows (and its overlay) by (row, partner)."""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.switch import twin

MAP_RUN = 16
"""Queries of one member at least this many in a row are answered from a map of the member's
row (written, read, cleared) instead of a binary search each."""


def _find_in_rows_numpy(
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    src: NDArray[np.int64],
    target: NDArray[np.int64],
) -> NDArray[np.int64]:
    """A binary search of all the index's (row, partner) keys (entries of `dst` past the
    last row are not indexed)."""
    n = indptr.size - 1
    key = np.repeat(np.arange(n), np.diff(indptr)) * n + dst[: indptr[-1]]
    wanted = src * n + target
    if key.size == 0:
        return np.full(src.size, -1, np.int64)
    pos = np.minimum(np.searchsorted(key, wanted), key.size - 1)
    return np.where(key[pos] == wanted, pos, -1).astype(np.int64)


@twin(_find_in_rows_numpy)
@njit(cache=True, nogil=True)
def find_in_rows(  # pragma: no cover - compiled
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    src: NDArray[np.int64],
    target: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Position of each ``src[i] -> target[i]`` in a CSR index whose row of member m,
    ``dst[indptr[m]:indptr[m + 1]]``, is sorted and distinct; -1 where the row does not
    hold it.

    The same as ``searchsorted(key, src * n + target)`` over the sorted keys of all rows,
    searching only the member's row (a few hundred entries instead of millions). A run of at
    least :data:`MAP_RUN` queries of one member (the engine asks a viewer's candidates
    together) writes the member's row into a map indexed by partner, reads each query from
    it and clears it again.
    """
    found = np.full(src.size, -1, np.int64)
    position = np.full(indptr.size - 1 if src.size >= MAP_RUN else 0, -1, np.int64)
    i = 0
    while i < src.size:
        m = src[i]
        end = i + 1
        while end < src.size and src[end] == m:
            end += 1
        if end - i >= MAP_RUN:
            for e in range(indptr[m], indptr[m + 1]):
                position[dst[e]] = e
            for k in range(i, end):
                found[k] = position[target[k]]
            for e in range(indptr[m], indptr[m + 1]):
                position[dst[e]] = -1
        else:
            for k in range(i, end):
                lo = indptr[m]
                hi = indptr[m + 1]
                want = target[k]
                while lo < hi:
                    mid = (lo + hi) >> 1
                    if dst[mid] < want:
                        lo = mid + 1
                    else:
                        hi = mid
                if lo < indptr[m + 1] and dst[lo] == want:
                    found[k] = lo
        i = end
    return found


def _find_in_member_rows_numpy(
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    extra_ptr: NDArray[np.int64],
    extra_dst: NDArray[np.int32],
    extra_position: NDArray[np.int64],
    members: NDArray[np.int64],
    starts: NDArray[np.int64],
    target: NDArray[np.int64],
    chunks: int,
) -> NDArray[np.int64]:
    """Each member repeated over its targets; the main index searched, then the overlay for
    the targets not found (as ``Ties.lookup`` does)."""
    source = np.repeat(members, np.diff(starts))
    found = _find_in_rows_numpy(indptr, dst, source, target)
    missing = np.flatnonzero(found < 0)
    at = _find_in_rows_numpy(extra_ptr, extra_dst, source[missing], target[missing])
    found[missing[at >= 0]] = extra_position[at[at >= 0]]
    return found


@twin(_find_in_member_rows_numpy)
@njit(cache=True, nogil=True, parallel=True)
def find_in_member_rows(  # pragma: no cover - compiled
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    extra_ptr: NDArray[np.int64],
    extra_dst: NDArray[np.int32],
    extra_position: NDArray[np.int64],
    members: NDArray[np.int64],
    starts: NDArray[np.int64],
    target: NDArray[np.int64],
    chunks: int,
) -> NDArray[np.int64]:
    """Position of the tie ``members[g] -> target[k]`` for each k in
    ``starts[g]:starts[g + 1]``, -1 where the two are not connected.

    Member m's ties are its main row ``dst[indptr[m]:indptr[m + 1]]`` (tie ``e`` for entry
    ``e``) and its overlay ``extra_dst[extra_ptr[m]:extra_ptr[m + 1]]`` (tie
    ``extra_position`` of the entry). The same as :func:`find_in_rows` on the main index,
    then on the overlay for the targets not found there (:meth:`sim.ties.Ties.lookup`).
    Members are shared out in `chunks` (one per thread), each with a map indexed by partner
    into which it writes a member's row, reads the member's targets and clears the row
    again.
    """
    groups = members.size
    found = np.empty(target.size, np.int64)
    for c in prange(chunks):
        position = np.full(indptr.size - 1, -1, np.int64)
        for g in range(c * groups // chunks, (c + 1) * groups // chunks):
            m = members[g]
            for e in range(indptr[m], indptr[m + 1]):
                position[dst[e]] = e
            for x in range(extra_ptr[m], extra_ptr[m + 1]):
                position[extra_dst[x]] = extra_position[x]
            for k in range(starts[g], starts[g + 1]):
                found[k] = position[target[k]]
            for e in range(indptr[m], indptr[m + 1]):
                position[dst[e]] = -1
            for x in range(extra_ptr[m], extra_ptr[m + 1]):
                position[extra_dst[x]] = -1
    return found


def _member_rows_numpy(
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    members: NDArray[np.int64],
    extra_lo: NDArray[np.int64],
    extra_hi: NDArray[np.int64],
    extra_position: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each member's main row and overlay entries concatenated, then one ``lexsort`` by
    (owner, partner)."""
    parts = [np.zeros(0, np.int64)]
    owners = [np.zeros(0, np.int64)]
    for i, m in enumerate(members):
        own = np.concatenate(
            [np.arange(indptr[m], indptr[m + 1]), extra_position[extra_lo[i] : extra_hi[i]]]
        )
        parts.append(own)
        owners.append(np.full(own.size, i, np.int64))
    edge, owner = np.concatenate(parts), np.concatenate(owners)
    order = np.lexsort((dst[edge], owner))
    return owner[order], edge[order]


@twin(_member_rows_numpy)
@njit(cache=True, nogil=True)
def member_rows(  # pragma: no cover - compiled
    indptr: NDArray[np.int64],
    dst: NDArray[np.int32],
    members: NDArray[np.int64],
    extra_lo: NDArray[np.int64],
    extra_hi: NDArray[np.int64],
    extra_position: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """All ties of `members`: (position in `members` of each tie's owner, tie index),
    ordered by owner, then by partner id.

    Member ``members[i]``'s ties are its main row ``indptr[m]:indptr[m + 1]`` (sorted by
    partner) and the overlay entries ``extra_position[extra_lo[i]:extra_hi[i]]`` (sorted by
    partner); the two are merged. The same as concatenating both and ordering them by
    ``lexsort((dst[edge], owner))``.
    """
    total = 0
    for i in range(members.size):
        m = members[i]
        total += indptr[m + 1] - indptr[m] + extra_hi[i] - extra_lo[i]
    owner = np.empty(total, np.int64)
    edge = np.empty(total, np.int64)
    out = 0
    for i in range(members.size):
        m = members[i]
        a, a_end = indptr[m], indptr[m + 1]
        b, b_end = extra_lo[i], extra_hi[i]
        while a < a_end or b < b_end:
            if b == b_end or (a < a_end and dst[a] <= dst[extra_position[b]]):
                edge[out] = a
                a += 1
            else:
                edge[out] = extra_position[b]
                b += 1
            owner[out] = i
            out += 1
    return owner, edge
