"""Orders and distinct values of small integer keys: counting and radix sorts, bitmaps."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.bits import bit_count
from sim.kernels.switch import twin

V = TypeVar("V", bound=np.generic)


def _counting_order_numpy(key: NDArray[np.integer], n_keys: int) -> NDArray[np.int64]:
    """A stable argsort."""
    return np.argsort(key, kind="stable")


@twin(_counting_order_numpy)
@njit(cache=True, nogil=True)
def counting_order(  # pragma: no cover - compiled
    key: NDArray[np.integer], n_keys: int
) -> NDArray[np.int64]:
    """The stable order of small non-negative integer keys (``0 <= key < n_keys``) by a
    counting sort: ``argsort(key, kind="stable")`` in O(len(key) + n_keys)."""
    start = np.zeros(n_keys + 1, np.int64)
    for i in range(key.size):
        start[key[i] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    order = np.empty(key.size, np.int64)
    for i in range(key.size):
        order[start[key[i]]] = i
        start[key[i]] += 1
    return order


@njit(cache=True, nogil=True)
def part_places(  # pragma: no cover - compiled
    at: NDArray[np.int64], ahead: NDArray[np.int64]
) -> NDArray[np.int64]:
    """The prefix sum of a counting sort done in parts: `at` holds each part's rows of each
    key (part c, key k: ``at[c, k]``), and ``ahead[k]`` rows of key k go before every
    part's. Each ``at[c, k]`` becomes where part c writes its first row of key k (keys in
    order, parts in order within a key); returns where each key's rows start (and where the
    last key's end)."""
    n_keys = ahead.size
    starts = np.zeros(n_keys + 1, np.int64)
    total = 0
    for k in range(n_keys):
        starts[k] = total
        total += ahead[k]
        for c in range(at.shape[0]):
            count = at[c, k]
            at[c, k] = total
            total += count
    starts[n_keys] = total
    return starts


def _stable_kept_order(key: NDArray[np.integer], keep: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The rows where `keep` is True in a stable argsort by key."""
    rows = np.flatnonzero(keep)
    return rows[np.argsort(key[rows], kind="stable")]


def _regroup_places_numpy(
    key: NDArray[np.integer],
    keep: NDArray[np.bool_],
    start: NDArray[np.int64],
    grouped: int,
    chunks: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Counts by ``bincount``, places by one prefix sum over (key, grouped rows then parts)."""
    n_keys = start.size - 1
    size = key.size - grouped
    counts = np.zeros((n_keys, chunks + 1), np.int64)
    counts[:, 0] = np.bincount(key[:grouped][keep[:grouped]], minlength=n_keys)
    for c in range(chunks):
        part = slice(grouped + c * size // chunks, grouped + (c + 1) * size // chunks)
        counts[:, c + 1] = np.bincount(key[part][keep[part]], minlength=n_keys)
    places = (np.cumsum(counts) - counts.ravel()).reshape(counts.shape)
    starts = np.append(places[:, 0], counts.sum())
    return starts, np.ascontiguousarray(places[:, 1:].T)


@twin(_regroup_places_numpy)
@njit(cache=True, nogil=True, parallel=True)
def regroup_places(  # pragma: no cover - compiled
    key: NDArray[np.integer],
    keep: NDArray[np.bool_],
    start: NDArray[np.int64],
    grouped: int,
    chunks: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where the rows kept by `keep` go when they are put in the stable order of their small
    non-negative integer keys (``0 <= key < start.size - 1``; the order of
    ``rows[argsort(key[rows], kind="stable")]`` for ``rows = flatnonzero(keep)``): where each
    key's rows start (and the last key's end), and ``places[c, k]``, where part c of the
    unindexed rows puts its first row of key k (:func:`regroup_values` puts the rows there).

    Rows ``0:grouped`` are already ordered by key, key k's at ``start[k]:start[k + 1]``
    (`start` is ignored when `grouped` is 0): each key's kept rows among them go first. The
    rows after them go behind, in `chunks` parts counted in parallel, each part's rows of a
    key after the earlier parts' (a prefix sum over (key, part)), so that the order is that
    of one counting sort of every kept row, in O(rows + keys x chunks).
    """
    n_keys = start.size - 1
    size = key.size - grouped
    ordered = np.zeros(n_keys, np.int64)  # kept rows of each key among the grouped ones
    if grouped > 0:
        for k in prange(n_keys):
            count = 0
            for r in range(start[k], start[k + 1]):
                count += keep[r]
            ordered[k] = count
    places = np.zeros((chunks, n_keys), np.int64)  # each part's kept rows of each key
    for c in prange(chunks):
        for r in range(grouped + c * size // chunks, grouped + (c + 1) * size // chunks):
            if keep[r]:
                places[c, key[r]] += 1
    starts = part_places(places, ordered)
    return starts, places


def _regroup_values_numpy(
    values: NDArray[V],
    key: NDArray[np.integer],
    keep: NDArray[np.bool_],
    start: NDArray[np.int64],
    grouped: int,
    starts: NDArray[np.int64],
    places: NDArray[np.int64],
) -> NDArray[V]:
    """Fancy indexing by a stable argsort of the kept rows' keys."""
    return values[_stable_kept_order(key, keep)]


@twin(_regroup_values_numpy)
@njit(cache=True, nogil=True, parallel=True)
def regroup_values(  # pragma: no cover - compiled
    values: NDArray[V],
    key: NDArray[np.integer],
    keep: NDArray[np.bool_],
    start: NDArray[np.int64],
    grouped: int,
    starts: NDArray[np.int64],
    places: NDArray[np.int64],
) -> NDArray[V]:
    """The kept `values` in the stable order of their keys, each written where
    :func:`regroup_places` (`starts`, `places`, from the same `key`, `keep`, `start` and
    `grouped`) puts its row: ``values[rows[argsort(key[rows], kind="stable")]]`` for ``rows =
    flatnonzero(keep)``, on all cores, without an array of the order (at a million members
    that array would be as large as the column)."""
    out = np.empty(starts[-1], values.dtype)
    if grouped > 0:
        for k in prange(start.size - 1):
            place = starts[k]
            for r in range(start[k], start[k + 1]):
                if keep[r]:
                    out[place] = values[r]
                    place += 1
    chunks = places.shape[0]
    size = key.size - grouped
    for c in prange(chunks):
        place = places[c].copy()
        for r in range(grouped + c * size // chunks, grouped + (c + 1) * size // chunks):
            if keep[r]:
                out[place[key[r]]] = values[r]
                place[key[r]] += 1
    return out


@njit(cache=True, nogil=True)
def _order_by_post(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    order: NDArray[np.int64],
    ordered_post: NDArray[np.int64],
    spare_order: NDArray[np.int64],
    spare_post: NDArray[np.int64],
) -> None:
    """Stably order ``lo:hi`` of `order` and `ordered_post` by post, with a counting pass per
    byte of the post's offset from the lowest (`spare_*` ``lo:hi`` is scratch)."""
    if hi - lo < 2:
        return
    low, high = ordered_post[lo], ordered_post[lo]
    for j in range(lo, hi):
        low = min(low, ordered_post[j])
        high = max(high, ordered_post[j])
    count = np.empty(257, np.int64)
    shift = 0
    while (high - low) >> shift > 0:
        count[:] = 0
        for j in range(lo, hi):
            count[((ordered_post[j] - low) >> shift & 255) + 1] += 1
        for d in range(256):
            count[d + 1] += count[d]
        for j in range(lo, hi):
            d = (ordered_post[j] - low) >> shift & 255
            spare_order[lo + count[d]] = order[j]
            spare_post[lo + count[d]] = ordered_post[j]
            count[d] += 1
        order[lo:hi] = spare_order[lo:hi]
        ordered_post[lo:hi] = spare_post[lo:hi]
        shift += 8


def _reverse_index_numpy(
    ptr: NDArray[np.int64], targets: NDArray[np.int32], n: int, chunks: int
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """Each row repeated for each of its targets, in a stable argsort of the targets."""
    sources = np.repeat(np.arange(ptr.size - 1, dtype=np.int32), np.diff(ptr))
    order = np.argsort(targets, kind="stable")
    counts = np.bincount(targets, minlength=n)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), sources[order]


@twin(_reverse_index_numpy)
@njit(cache=True, nogil=True, parallel=True)
def reverse_index(  # pragma: no cover - compiled
    ptr: NDArray[np.int64], targets: NDArray[np.int32], n: int, chunks: int
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """A CSR index reversed: row i points at ``targets[ptr[i]:ptr[i + 1]]`` (``0 <= target <
    n``); returns (``rptr``, ``sources``), target t pointed at by ``sources[rptr[t]:rptr[t +
    1]]``, ascending. A counting sort of the targets in `chunks` parts of the rows, in
    parallel (:func:`part_places`), which writes each row where a stable sort puts it."""
    rows = ptr.size - 1
    at = np.zeros((chunks, n), np.int64)
    for c in prange(chunks):
        for i in range(c * rows // chunks, (c + 1) * rows // chunks):
            for j in range(ptr[i], ptr[i + 1]):
                at[c, targets[j]] += 1
    rptr = part_places(at, np.zeros(n, np.int64))
    sources = np.empty(rptr[n], np.int32)
    for c in prange(chunks):
        for i in range(c * rows // chunks, (c + 1) * rows // chunks):
            for j in range(ptr[i], ptr[i + 1]):
                sources[at[c, targets[j]]] = i
                at[c, targets[j]] += 1
    return rptr, sources


@njit(cache=True, nogil=True, parallel=True)
def _sorted_pairs(  # pragma: no cover - compiled
    lo: NDArray[np.integer], hi: NDArray[np.integer], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.integer]]:
    """The stable order of pairs ``(lo[i], hi[i])`` (``0 <= lo, hi < n``) by lo, then by hi:
    a counting sort by lo, then each lo's indices stably radix-sorted by hi
    (:func:`_order_by_post`; the lo are spread over the cores). Returns the order, where
    each lo's indices start in it, and the hi in that order."""
    size = lo.size
    start = np.zeros(n + 1, np.int64)
    for i in range(size):
        start[lo[i] + 1] += 1
    for k in range(n):
        start[k + 1] += start[k]
    fill = start[:n].copy()
    order = np.empty(size, np.int64)
    for i in range(size):
        order[fill[lo[i]]] = i
        fill[lo[i]] += 1
    by_hi = np.empty(size, hi.dtype)
    for j in prange(size):
        by_hi[j] = hi[order[j]]
    spare_order = np.empty(size, np.int64)
    spare_hi = np.empty(size, hi.dtype)
    for k in prange(n):
        _order_by_post(start[k], start[k + 1], order, by_hi, spare_order, spare_hi)
    return order, start, by_hi


def _pair_order_numpy(
    lo: NDArray[np.integer], hi: NDArray[np.integer], n: int
) -> NDArray[np.int64]:
    """A stable argsort of the keys ``lo * n + hi``."""
    return np.argsort(lo.astype(np.int64) * n + hi, kind="stable")


@twin(_pair_order_numpy)
@njit(cache=True, nogil=True)
def pair_order(  # pragma: no cover - compiled
    lo: NDArray[np.integer], hi: NDArray[np.integer], n: int
) -> NDArray[np.int64]:
    """The stable order of pairs ``(lo[i], hi[i])`` (``0 <= lo, hi < n``) by lo, then by hi
    (:func:`_sorted_pairs`): ``argsort(lo * n + hi, kind="stable")`` without sorting the
    keys."""
    order, _, _ = _sorted_pairs(lo, hi, n)
    return order


def _first_of_pairs_numpy(
    lo: NDArray[np.integer], hi: NDArray[np.integer], n: int
) -> NDArray[np.int64]:
    """``np.unique(lo * n + hi, return_index=True)``'s indices (a stable sort of the keys)."""
    _, first = np.unique(lo.astype(np.int64) * n + hi, return_index=True)
    indices: NDArray[np.int64] = first.astype(np.int64)
    return indices


@twin(_first_of_pairs_numpy)
@njit(cache=True, nogil=True, parallel=True)
def first_of_pairs(  # pragma: no cover - compiled
    lo: NDArray[np.integer], hi: NDArray[np.integer], n: int
) -> NDArray[np.int64]:
    """Where each distinct pair ``(lo[i], hi[i])`` (``0 <= lo, hi < n``) first occurs, in the
    order of the pairs (by lo, then by hi): the indices ``np.unique(lo * n + hi,
    return_index=True)`` returns, without sorting all the keys. The pairs in their stable
    order (:func:`_sorted_pairs`), keeping the first of each run of equal hi within a lo."""
    order, start, by_hi = _sorted_pairs(lo, hi, n)
    first = np.zeros(order.size, np.bool_)
    for k in prange(n):
        for j in range(start[k], start[k + 1]):
            first[j] = j == start[k] or by_hi[j] != by_hi[j - 1]
    return order[first]


BITMAP_SPAN = 256
"""A member's posts are told apart by a bitmap over the span of their ids when the span is at
most this many times their number of rows (more than a few words of bitmap per row would cost
more than sorting the rows)."""


@njit(cache=True, nogil=True)
def distinct_posts(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    row_post: NDArray[np.int64],
    row_rank: NDArray[np.int64],
    distinct: NDArray[np.int64],
    order: NDArray[np.int64],
    sorted_post: NDArray[np.int64],
    spare_order: NDArray[np.int64],
    spare_post: NDArray[np.int64],
) -> int:
    """The distinct posts of rows ``lo:hi``, ascending, into ``distinct[lo:]``, and for each
    row the rank of its post among them (``row_rank``); returns their number.

    Posts whose ids span at most :data:`BITMAP_SPAN` times the rows are marked in a bitmap
    over the span, read in order, and a row's rank is the number of marks below its post's;
    others are ordered by a radix sort (:func:`_order_by_post`, with `order`, `sorted_post`
    and the `spare_*` arrays ``lo:hi`` as scratch). The same as ``unique(row_post[lo:hi],
    return_inverse=True)``.
    """
    if hi == lo:
        return 0
    low, high = row_post[lo], row_post[lo]
    for j in range(lo, hi):
        low = min(low, row_post[j])
        high = max(high, row_post[j])
    words = ((high - low) >> 6) + 1
    if (high - low) <= BITMAP_SPAN * (hi - lo):
        bits = np.zeros(words, np.uint64)
        for j in range(lo, hi):
            offset = row_post[j] - low
            bits[offset >> 6] |= np.uint64(1) << np.uint64(offset & 63)
        below = np.empty(words, np.int64)  # marks in the words before each
        count = 0
        for w in range(words):
            below[w] = count
            x = bits[w]
            while x:
                lowest = x & (~x + np.uint64(1))
                distinct[lo + count] = low + (w << 6) + np.int64(bit_count(lowest - np.uint64(1)))
                count += 1
                x ^= lowest
        for j in range(lo, hi):
            offset = row_post[j] - low
            mask = (np.uint64(1) << np.uint64(offset & 63)) - np.uint64(1)
            row_rank[j] = below[offset >> 6] + np.int64(bit_count(bits[offset >> 6] & mask))
        return count
    for j in range(lo, hi):
        order[j] = j
        sorted_post[j] = row_post[j]
    _order_by_post(lo, hi, order, sorted_post, spare_order, spare_post)
    count = 0
    for j in range(lo, hi):
        if j > lo and sorted_post[j] != sorted_post[j - 1]:
            count += 1
        distinct[lo + count] = sorted_post[j]
        row_rank[order[j]] = count
    return count + 1
