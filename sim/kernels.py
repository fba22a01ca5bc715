"""Compiled inner loops (Numba) of the per-candidate hot paths: finding the tie between a
viewer and an author, merging a slice's candidate rows per served member, choosing each
viewer's top-ranked candidates, a counting sort for grouping rows by member, and the recent
posts of the accounts members follow.

They work on rows grouped by member, where a loop over one member's few hundred rows is
cheaper than a sort or a binary search over the whole slice. Each gives exactly the result
of the vectorised numpy expression named in its docstring: tests/test_kernels.py compares
them on random inputs, and tests/test_compiled_equals_numpy.py runs small studies on the
kernels and on those expressions and finds the same records.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

MAP_RUN = 16
"""Queries of one member at least this many in a row are answered from a map of the member's
row (written, read, cleared) instead of a binary search each."""


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


@njit(cache=True, nogil=True)
def _ranks_before(  # pragma: no cover - compiled
    a: int, b: int, scores: NDArray[np.float64], pinned: NDArray[np.bool_]
) -> bool:
    """Row a ranks strictly before row b: pinned first, then the higher score (NaN last);
    equal rows keep their order (the caller visits rows in order)."""
    if pinned[a] != pinned[b]:
        return bool(pinned[a])
    if np.isnan(scores[b]):
        return not np.isnan(scores[a])
    return bool(scores[a] > scores[b])


@njit(cache=True, nogil=True)
def top_in_groups(  # pragma: no cover - compiled
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The best ``limit[g]`` rows of each group ``starts[g]:starts[g + 1]`` and their rank.

    Within a group, pinned rows come first, then rows by descending score (NaN last); equal
    scores keep the rows' order (callers order a group's rows by post id). Groups are
    returned in order, each best first: the result of one stable sort by (group, not
    pinned, -score), cut at the limit. Each group's best are kept in a list sorted by
    insertion, which a row enters only when it ranks before the list's last.
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
        kept = 0
        for row in range(lo, hi):
            if kept == want and not _ranks_before(row, rows[out + want - 1], scores, pinned):
                continue
            at = kept if kept < want else want - 1  # the slot to fill, then bubble up
            while at > 0 and _ranks_before(row, rows[out + at - 1], scores, pinned):
                if at < want:
                    rows[out + at] = rows[out + at - 1]
                at -= 1
            rows[out + at] = row
            kept = min(kept + 1, want)
        for j in range(want):
            rank[out + j] = j
        out += want
    return rows, rank


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
def merge_candidates(  # pragma: no cover - compiled
    slot: NDArray[np.int64],
    post: NDArray[np.int64],
    route: NDArray[np.int8],
    seen: NDArray[np.bool_],
    served: NDArray[np.int64],
    slot_time: NDArray[np.float64],
    post_author: NDArray[np.int32],
    post_created: NDArray[np.float64],
    max_age_days: float,
    proof_route: int,
    primary_route: int,
    ageless_route: int,
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int8],
    NDArray[np.int64],
    NDArray[np.bool_],
]:
    """Merge the served members' candidate rows into one candidate per (slot, post), and
    keep the valid ones.

    Rows are grouped by slot (the member ``served[slot]``, whose session is at
    ``slot_time[slot]``) by a counting sort; the rows arrive nearly grouped, so its writes
    run almost in order. Each slot's few hundred rows are then ordered by post with a stable
    radix sort on the post's offset from the slot's lowest (a counting pass per byte), so
    that a pair's rows are adjacent and in row order, without a comparison sort and without
    writes scattered over the whole slice. A pair's route is the lowest of its rows', its
    proof the number of its rows with ``proof_route``, primary whether any has
    ``primary_route``. A pair is dropped when any of its rows is ``seen``, when the viewer
    is the post's author, or when the post is older than ``max_age_days`` at the session,
    unless its route is ``ageless_route``.

    Returns the kept pairs ordered by (slot, post): slot, post, author; each row's kept pair
    (-1: dropped); and per kept pair its route, proof and primary. The same as
    ``unique(slot * n_posts + post, return_inverse=True)``, ``minimum.at``, ``bincount``
    and boolean scatters over the inverse, then the filter.
    """
    n = slot.size
    n_slots = served.size
    start = np.zeros(n_slots + 1, np.int64)
    for i in range(n):
        start[slot[i] + 1] += 1
    for s in range(n_slots):
        start[s + 1] += start[s]
    order = np.empty(n, np.int64)
    ordered_post = np.empty(n, np.int64)
    fill = start[:-1].copy()
    for i in range(n):
        j = fill[slot[i]]
        order[j] = i
        ordered_post[j] = post[i]
        fill[slot[i]] += 1
    widest = 0
    for s in range(n_slots):
        widest = max(widest, start[s + 1] - start[s])
    spare_order = np.empty(widest, np.int64)
    spare_post = np.empty(widest, np.int64)
    count = np.empty(257, np.int64)
    pairs = 0
    for s in range(n_slots):
        lo, hi = start[s], start[s + 1]
        if hi - lo > 1:
            low, high = ordered_post[lo], ordered_post[lo]
            for j in range(lo, hi):
                low = min(low, ordered_post[j])
                high = max(high, ordered_post[j])
            shift = 0
            while (high - low) >> shift > 0:  # a stable counting pass per byte of post - low
                count[:] = 0
                for j in range(lo, hi):
                    count[((ordered_post[j] - low) >> shift & 255) + 1] += 1
                for d in range(256):
                    count[d + 1] += count[d]
                for j in range(lo, hi):
                    d = (ordered_post[j] - low) >> shift & 255
                    spare_order[count[d]] = order[j]
                    spare_post[count[d]] = ordered_post[j]
                    count[d] += 1
                order[lo:hi] = spare_order[: hi - lo]
                ordered_post[lo:hi] = spare_post[: hi - lo]
                shift += 8
        for j in range(lo, hi):
            if j == lo or ordered_post[j] != ordered_post[j - 1]:
                pairs += 1
    pair_slot = np.empty(pairs, np.int64)
    pair_post = np.empty(pairs, np.int64)
    pair_author = np.empty(pairs, np.int64)
    pair_of = np.full(n, -1, np.int64)
    best = np.empty(pairs, np.int8)
    proof = np.zeros(pairs, np.int64)
    primary = np.zeros(pairs, np.bool_)
    g = 0  # kept pairs so far
    for s in range(n_slots):
        j = start[s]
        while j < start[s + 1]:
            p = ordered_post[j]
            end = j
            low, n_proof, any_primary, any_seen = route[order[j]], 0, False, False
            while end < start[s + 1] and ordered_post[end] == p:
                row = order[end]
                low = min(low, route[row])
                n_proof += route[row] == proof_route
                any_primary |= route[row] == primary_route
                any_seen |= seen[row]
                end += 1
            author = post_author[p]
            fresh = slot_time[s] - post_created[p] <= max_age_days or low == ageless_route
            if not any_seen and author != served[s] and fresh:
                pair_slot[g], pair_post[g], pair_author[g] = s, p, author
                best[g], proof[g], primary[g] = low, n_proof, any_primary
                for k in range(j, end):
                    pair_of[order[k]] = g
                g += 1
            j = end
    return (
        pair_slot[:g],
        pair_post[:g],
        pair_author[:g],
        pair_of,
        best[:g],
        proof[:g],
        primary[:g],
    )


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


@njit(cache=True, nogil=True)
def posts_of_followed(  # pragma: no cover - compiled
    follow_ptr: NDArray[np.int64],
    followees: NDArray[np.int32],
    viewers: NDArray[np.int64],
    time: NDArray[np.float64],
    post_start: NDArray[np.int64],
    by_author: NDArray[np.int64],
    created: NDArray[np.float64],
    max_age_days: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each viewer ``viewers[i]`` (session at ``time[i]``), the posts created in
    ``[time[i] - max_age_days, time[i]]`` by the accounts it follows: (i, post) pairs in the
    order viewer, followee, post.

    Member v follows ``followees[follow_ptr[v]:follow_ptr[v + 1]]``; author a's posts are
    ``by_author[post_start[a]:post_start[a + 1]]``. The same as repeating each viewer over
    its followees, each followee over its posts, and keeping the pairs in the window. Most
    followed accounts have no post in the list: a bit per author (an eighth of a byte per
    member, so it stays in cache) tells so without reading ``post_start``.
    """
    n = post_start.size - 1
    posted = np.zeros((n + 63) >> 6, np.uint64)  # a bit per author with posts in the list
    for a in range(n):
        if post_start[a + 1] > post_start[a]:
            posted[a >> 6] |= np.uint64(1) << np.uint64(a & 63)
    owner = np.empty(max(viewers.size, 16), np.int64)
    post = np.empty(owner.size, np.int64)
    out = 0
    for i in range(viewers.size):
        v = viewers[i]
        for f in range(follow_ptr[v], follow_ptr[v + 1]):
            a = followees[f]
            if not posted[a >> 6] >> np.uint64(a & 63) & np.uint64(1):
                continue
            for k in range(post_start[a], post_start[a + 1]):
                p = by_author[k]
                if time[i] - max_age_days <= created[p] <= time[i]:
                    if out == owner.size:  # full: double the room
                        owner = np.concatenate((owner, np.empty(owner.size, np.int64)))
                        post = np.concatenate((post, np.empty(post.size, np.int64)))
                    owner[out] = i
                    post[out] = p
                    out += 1
    return owner[:out], post[:out]


@njit(cache=True, nogil=True)
def _bisect_right(  # pragma: no cover - compiled
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


@njit(cache=True, nogil=True)
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
            found[i] = _bisect_right(cum, values[i], 0, n)
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
    for i in range(values.size):
        x = values[i]
        g = min(max(int(x / width), 0), buckets - 1) if x > 0 else 0
        lo, hi = guide[g], guide[g + 1]
        if (lo > 0 and cum[lo - 1] > x) or (hi < n and cum[hi] <= x):
            found[i] = _bisect_right(cum, x, 0, n)
        else:
            found[i] = _bisect_right(cum, x, lo, hi)
    return found
