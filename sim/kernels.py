"""Compiled inner loops (Numba) of a slice's hot paths: merging each served member's
candidate rows (with the recent posts of the accounts it follows), finding its ties, the
ranker's features and scores, its top-ranked candidates, recommendation draws, the
reactions' decisions, positions and counters, and the candidate pool's upkeep; and the
weighted draws of network generation and follows.

They work on rows grouped by member, where a loop over one member's few hundred rows is
cheaper than a sort or a binary search over the whole slice, and the members of a slice are
spread over the machine's cores (``prange``): each writes only its own part of the arrays, so
the result does not depend on the number of threads or their timing. Each gives exactly the
result of the vectorised numpy expression named in its docstring: tests/test_kernels.py
compares them on random inputs, and tests/test_compiled_equals_numpy.py runs small studies on the
kernels and on those expressions and finds the same records.
"""

from __future__ import annotations

import os

import numpy as np
from numba import config, njit, prange, set_num_threads
from numpy.typing import NDArray


def share_cores(processes: int) -> None:
    """Let this process's kernels use its share of the machine's cores when `processes`
    run side by side (a pool of worker processes), so that they do not oversubscribe it."""
    most: int = config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    set_num_threads(max(1, min(most, (os.cpu_count() or 1) // processes)))


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


@njit(cache=True, nogil=True, parallel=True)
def pair_features(  # pragma: no cover - compiled
    edge: NDArray[np.int64],
    route: NDArray[np.int8],
    post: NDArray[np.int64],
    starts: NDArray[np.int64],
    served: NDArray[np.int64],
    now: NDArray[np.float64],
    tie_kind: NDArray[np.int8],
    tie_affinity: NDArray[np.float32],
    tie_affinity_time: NDArray[np.float32],
    post_topic: NDArray[np.int16],
    post_created: NDArray[np.float64],
    theta: NDArray[np.float64],
    codes: NDArray[np.int8],
) -> tuple[
    NDArray[np.int8],
    NDArray[np.int16],
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.float32],
    NDArray[np.float32],
]:
    """What the ranker sees of each (viewer, post) pair, but the decay of affinity: the
    pairs of viewer ``served[g]`` are ``starts[g]:starts[g + 1]``, at session time `now`,
    connected by tie `edge` (-1: not connected).

    Returns per pair: source (the tie's kind when connected, else by route: follow ->
    followed, recommended -> out of network, others second degree; `codes` gives those
    route and source codes in that order), the post's topic, its age ``now - created``, the
    belief ``theta[v, topic] / max_t theta[v, t]``, and the tie's estimated affinity and
    the time it was last updated (0 and 0 when not connected). The same as the gathers,
    ``where`` and row maximum of numpy they replace.
    """
    follow_route, recommended_route = codes[0], codes[1]
    followed, out_of_network, second_degree = codes[2], codes[3], codes[4]
    size = edge.size
    source = np.empty(size, np.int8)
    topic = np.empty(size, np.int16)
    age = np.empty(size, np.float64)
    belief = np.empty(size, np.float64)
    value = np.empty(size, np.float32)
    since = np.empty(size, np.float32)
    for g in prange(served.size):
        v = served[g]
        top = theta[v, 0]
        for t in range(1, theta.shape[1]):
            top = max(top, theta[v, t])
        for k in range(starts[g], starts[g + 1]):
            e = edge[k]
            value[k], since[k] = 0.0, 0.0
            if e >= 0:
                source[k] = tie_kind[e]
                value[k], since[k] = tie_affinity[e], tie_affinity_time[e]
            elif route[k] == follow_route:
                source[k] = followed
            elif route[k] == recommended_route:
                source[k] = out_of_network
            else:
                source[k] = second_degree
            p = post[k]
            topic[k] = post_topic[p]
            age[k] = now[k] - post_created[p]
            belief[k] = theta[v, post_topic[p]] / top
    return source, topic, age, belief, value, since


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
def _best_of_group(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    want: int,
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    rows: NDArray[np.int64],
) -> None:
    """Write the best `want` rows of ``lo:hi`` into `rows`, best first, keeping them in a
    list sorted by insertion, which a row enters only when it ranks before the list's last."""
    kept = 0
    for row in range(lo, hi):
        if kept == want and not _ranks_before(row, rows[want - 1], scores, pinned):
            continue
        at = kept if kept < want else want - 1  # the slot to fill, then bubble up
        while at > 0 and _ranks_before(row, rows[at - 1], scores, pinned):
            if at < want:
                rows[at] = rows[at - 1]
            at -= 1
        rows[at] = row
        kept = min(kept + 1, want)


@njit(cache=True, nogil=True, parallel=True)
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
    pinned, -score), cut at the limit. Groups are ranked in parallel, each into its own
    part of the result.
    """
    groups = starts.size - 1
    first = np.zeros(groups + 1, np.int64)
    for g in range(groups):
        first[g + 1] = first[g] + min(max(limit[g], 0), starts[g + 1] - starts[g])
    rows = np.empty(first[groups], np.int64)
    rank = np.empty(first[groups], np.int64)
    for g in prange(groups):
        out, want = first[g], first[g + 1] - first[g]
        if want > 0:
            _best_of_group(starts[g], starts[g + 1], want, scores, pinned, rows[out : out + want])
        for j in range(want):
            rank[out + j] = j
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


@njit(cache=True, nogil=True)
def _bit_count(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """The number of set bits of a 64-bit word (a branch-free population count)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


BITMAP_SPAN = 256
"""A member's posts are told apart by a bitmap over the span of their ids when the span is at
most this many times their number of rows (more than a few words of bitmap per row would cost
more than sorting the rows)."""


@njit(cache=True, nogil=True)
def _distinct_posts(  # pragma: no cover - compiled
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
                distinct[lo + count] = low + (w << 6) + np.int64(_bit_count(lowest - np.uint64(1)))
                count += 1
                x ^= lowest
        for j in range(lo, hi):
            offset = row_post[j] - low
            mask = (np.uint64(1) << np.uint64(offset & 63)) - np.uint64(1)
            row_rank[j] = below[offset >> 6] + np.int64(_bit_count(bits[offset >> 6] & mask))
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


@njit(cache=True, nogil=True, parallel=True)
def merge_candidates(  # pragma: no cover - compiled
    pool_lo: NDArray[np.int64],
    pool_hi: NDArray[np.int64],
    tail_ptr: NDArray[np.int64],
    tail_rows: NDArray[np.int64],
    pool_post: NDArray[np.int32],
    pool_route: NDArray[np.int8],
    pool_available: NDArray[np.float64],
    pool_consumed: NDArray[np.bool_],
    follow_ptr: NDArray[np.int64],
    followees: NDArray[np.int32],
    post_start: NDArray[np.int64],
    by_author: NDArray[np.int64],
    recommended_ptr: NDArray[np.int64],
    recommended_post: NDArray[np.int64],
    served: NDArray[np.int64],
    slot_time: NDArray[np.float64],
    post_author: NDArray[np.int32],
    post_created: NDArray[np.float64],
    max_age_days: float,
    routes: NDArray[np.int8],
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int8],
    NDArray[np.int64],
    NDArray[np.bool_],
]:
    """Merge each served member's candidate rows into one candidate per (slot, post), and
    keep the valid ones.

    Slot s (the member ``served[s]``, whose session is at ``slot_time[s]``) has the pool
    rows ``pool_lo[s]:pool_hi[s]`` and ``tail_rows[tail_ptr[s]:tail_ptr[s + 1]]`` (those
    available by its session: ``pool_available <= slot_time[s]``), the posts of the accounts
    it follows (``followees[follow_ptr[m]:follow_ptr[m + 1]]`` for member m; author a's
    posts are ``by_author[post_start[a]:post_start[a + 1]]``) created in ``[slot_time[s] -
    max_age_days, slot_time[s]]``, and the recommended posts
    ``recommended_post[recommended_ptr[s]:recommended_ptr[s + 1]]``. Most followed
    accounts have no post listed: a bit per author (an eighth of a byte per member, so it
    stays in cache) tells so without reading ``post_start``. `routes` gives the
    route codes (follow, recommended, activity (social proof), network (primary), tag
    (ageless)).

    A slot's distinct posts are found and ranked (:func:`_distinct_posts`), and each row is
    reduced into its post's pair. A pair's route is the lowest of its rows', its
    proof the number of its activity rows, primary whether any is a network row. A pair is
    dropped when any of its pool rows was shown (``pool_consumed``), when the viewer is the
    post's author, or when the post is older than ``max_age_days`` at the session, unless
    its route is tag. Slots are merged in parallel, each in its own part of the arrays,
    and the results packed after.

    Returns the available pool rows grouped by slot, and the kept pair each merged into
    (-1: dropped); where each slot's kept pairs start (and the last ends); then the kept
    pairs ordered by (slot, post): slot, post, author, route, proof and primary. The same
    as concatenating the rows, ``unique(slot * n_posts + post, return_inverse=True)``,
    ``minimum.at``, ``bincount`` and boolean scatters over the inverse, then the filter.
    """
    follow_route, recommended_route = routes[0], routes[1]
    proof_route, primary_route, ageless_route = routes[2], routes[3], routes[4]
    n_slots = served.size
    n_authors = post_start.size - 1
    posted = np.zeros((n_authors + 63) >> 6, np.uint64)  # a bit per author with posts listed
    for a in range(n_authors):
        if post_start[a + 1] > post_start[a]:
            posted[a >> 6] |= np.uint64(1) << np.uint64(a & 63)
    room = np.zeros(n_slots + 1, np.int64)  # rows each slot may have, then where they start
    for s in prange(n_slots):
        listed = 0
        for f in range(follow_ptr[served[s]], follow_ptr[served[s] + 1]):
            a = followees[f]
            if posted[a >> 6] >> np.uint64(a & 63) & np.uint64(1):
                listed += post_start[a + 1] - post_start[a]
        room[s + 1] = (
            pool_hi[s]
            - pool_lo[s]
            + tail_ptr[s + 1]
            - tail_ptr[s]
            + listed
            + recommended_ptr[s + 1]
            - recommended_ptr[s]
        )
    for s in range(n_slots):
        room[s + 1] += room[s]
    n = room[n_slots]
    # per row of a slot: its post, route, seen, pool row (-1: followed or recommended)
    row_post = np.empty(n, np.int64)
    row_route = np.empty(n, np.int8)
    row_seen = np.empty(n, np.bool_)
    row_pool = np.empty(n, np.int64)
    row_rank = np.empty(n, np.int64)  # the rank of the row's post among its slot's
    row_pair = np.empty(n, np.int64)
    order = np.empty(n, np.int64)  # scratch of the sort (_distinct_posts)
    sorted_post = np.empty(n, np.int64)
    spare_order = np.empty(n, np.int64)
    spare_post = np.empty(n, np.int64)
    # per pair of a slot (by rank): its post, reductions, and where it is kept (-1: dropped)
    pair_seen = np.empty(n, np.bool_)
    kept_as = np.empty(n, np.int64)
    loose_post = np.empty(n, np.int64)
    loose_author = np.empty(n, np.int64)
    loose_best = np.empty(n, np.int8)
    loose_proof = np.empty(n, np.int64)
    loose_primary = np.empty(n, np.bool_)
    pairs = np.zeros(n_slots + 1, np.int64)
    pooled = np.zeros(n_slots + 1, np.int64)
    for s in prange(n_slots):
        lo, t = room[s], slot_time[s]
        m = lo
        for r in range(pool_lo[s], pool_hi[s]):
            if pool_available[r] <= t:
                row_post[m], row_route[m] = pool_post[r], pool_route[r]
                row_seen[m], row_pool[m] = pool_consumed[r], r
                m += 1
        for k in range(tail_ptr[s], tail_ptr[s + 1]):
            r = tail_rows[k]
            if pool_available[r] <= t:
                row_post[m], row_route[m] = pool_post[r], pool_route[r]
                row_seen[m], row_pool[m] = pool_consumed[r], r
                m += 1
        pooled[s + 1] = m - lo
        for f in range(follow_ptr[served[s]], follow_ptr[served[s] + 1]):
            a = followees[f]
            if posted[a >> 6] >> np.uint64(a & 63) & np.uint64(1):
                for k in range(post_start[a], post_start[a + 1]):
                    p = by_author[k]
                    if t - max_age_days <= post_created[p] <= t:
                        row_post[m], row_route[m], row_seen[m] = p, follow_route, False
                        m += 1
        for k in range(recommended_ptr[s], recommended_ptr[s + 1]):
            row_post[m], row_route[m], row_seen[m] = recommended_post[k], recommended_route, False
            m += 1
        count = _distinct_posts(
            lo, m, row_post, row_rank, loose_post, order, sorted_post, spare_order, spare_post
        )
        for i in range(lo, lo + count):  # each pair's rows, reduced
            loose_best[i], loose_proof[i], loose_primary[i], pair_seen[i] = 127, 0, False, False
        for j in range(lo, m):
            i = lo + row_rank[j]
            loose_best[i] = min(loose_best[i], row_route[j])
            loose_proof[i] += row_route[j] == proof_route
            loose_primary[i] |= row_route[j] == primary_route
            pair_seen[i] |= row_seen[j]
        g = lo  # the kept pairs, moved up in place
        for i in range(lo, lo + count):
            p = loose_post[i]
            author = post_author[p]
            fresh = t - post_created[p] <= max_age_days or loose_best[i] == ageless_route
            if not pair_seen[i] and author != served[s] and fresh:
                loose_post[g], loose_author[g] = p, author
                loose_best[g], loose_proof[g] = loose_best[i], loose_proof[i]
                loose_primary[g] = loose_primary[i]
                kept_as[i] = g - lo
                g += 1
            else:
                kept_as[i] = -1
        for j in range(lo, lo + pooled[s + 1]):  # the pool rows' pairs
            row_pair[j] = kept_as[lo + row_rank[j]]
        pairs[s + 1] = g - lo
    for s in range(n_slots):
        pairs[s + 1] += pairs[s]
        pooled[s + 1] += pooled[s]
    rows = np.empty(pooled[n_slots], np.int64)
    row_candidate = np.empty(pooled[n_slots], np.int64)
    total = pairs[n_slots]
    pair_slot = np.empty(total, np.int64)
    pair_post = np.empty(total, np.int64)
    pair_author = np.empty(total, np.int64)
    best = np.empty(total, np.int8)
    proof = np.empty(total, np.int64)
    primary = np.empty(total, np.bool_)
    for s in prange(n_slots):
        lo, to, size = room[s], pairs[s], pairs[s + 1] - pairs[s]
        pair_slot[to : to + size] = s
        pair_post[to : to + size] = loose_post[lo : lo + size]
        pair_author[to : to + size] = loose_author[lo : lo + size]
        best[to : to + size] = loose_best[lo : lo + size]
        proof[to : to + size] = loose_proof[lo : lo + size]
        primary[to : to + size] = loose_primary[lo : lo + size]
        at = pooled[s]
        for j in range(lo, lo + pooled[s + 1] - pooled[s]):
            rows[at] = row_pool[j]
            row_candidate[at] = row_pair[j] + to if row_pair[j] >= 0 else -1
            at += 1
    return rows, row_candidate, pairs, pair_slot, pair_post, pair_author, best, proof, primary


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
def count_at(  # pragma: no cover - compiled
    counter: NDArray[np.integer], index: NDArray[np.integer]
) -> None:
    """Add one to ``counter[i]`` for each i of `index` (repeats count each time): the same
    as ``np.add.at(counter, index, 1)``, in one pass."""
    for i in index:
        counter[i] += 1


@njit(cache=True, nogil=True, parallel=True)
def recommended_draws(  # pragma: no cover - compiled
    cum_theta: NDArray[np.float64],
    owner: NDArray[np.int64],
    topic_draw: NDArray[np.float64],
    post_draw: NDArray[np.float64],
    cum: NDArray[np.float64],
    topic_start: NDArray[np.int64],
    recent: NDArray[np.int64],
    post_created: NDArray[np.float64],
    post_author: NDArray[np.int32],
    viewers: NDArray[np.int64],
    time: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """The post each recommendation draw picks, and whether it is kept.

    Draw i of member ``viewers[owner[i]]`` (session at ``time[owner[i]]``) picks topic t,
    the number of entries of the member's cumulative topic weights ``cum_theta[owner[i]]``
    below ``topic_draw[i]`` times their total (at most the last topic); then, among the
    `recent` posts (ordered by topic; those of topic t are ``topic_start[t]:topic_start[t +
    1]``, with cumulative weights `cum`), the first whose cumulative weight exceeds
    ``lo + post_draw[i] * (hi - lo)`` (lo, hi: the cumulative weight before and after the
    topic's posts). It is kept when the topic has weight, the post was created by the
    session and is not the viewer's own. The same as comparing every draw with its whole
    row of topic weights and ``searchsorted(cum, value, side="right")``.
    """
    topics = cum_theta.shape[1]
    n = cum.size
    post = np.empty(owner.size, np.int64)
    kept = np.empty(owner.size, np.bool_)
    for i in prange(owner.size):
        o = owner[i]
        x = topic_draw[i] * cum_theta[o, topics - 1]
        below = 0
        for t in range(topics):
            below += cum_theta[o, t] < x
        topic = min(below, topics - 1)
        start, end = topic_start[topic], topic_start[topic + 1]
        lo = cum[start - 1] if start > 0 else 0.0
        hi = cum[end - 1] if end > 0 else 0.0
        value = lo + post_draw[i] * (hi - lo)
        if (start > 0 and cum[start - 1] > value) or (end < n and cum[end] <= value):
            found = _bisect_right(cum, value, 0, n)  # rounding left the topic's range
        else:
            found = _bisect_right(cum, value, start, end)
        p = recent[min(found, n - 1)]
        post[i] = p
        kept[i] = hi - lo > 0 and post_created[p] <= time[o] and post_author[p] != viewers[o]
    return post, kept


@njit(cache=True, nogil=True, parallel=True)
def weighted_heads(  # pragma: no cover - compiled
    affinity: NDArray[np.float64],
    belief: NDArray[np.float64],
    log_proof: NDArray[np.float64],
    affinity_floor: float,
    weight_base: NDArray[np.float64],
    slope: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``sum_a weight_base[a] * reach * (1 + slope[a] * log_proof)`` per candidate, with
    ``reach = (affinity_floor + affinity) * belief``, summed over the heads a in order from
    0: the same operations, in the same order, as the numpy expression
    ``total += weight_base[a] * reach * (1.0 + slope[a] * log_proof)`` head by head."""
    total = np.empty(affinity.size, np.float64)
    for i in prange(affinity.size):
        reach = (affinity_floor + affinity[i]) * belief[i]
        value = 0.0
        for a in range(weight_base.size):
            value += weight_base[a] * reach * (1.0 + slope[a] * log_proof[i])
        total[i] = value
    return total


@njit(cache=True, nogil=True, parallel=True)
def fresh_and_placed(  # pragma: no cover - compiled
    total: NDArray[np.float64],
    freshness: NDArray[np.float64],
    recommended: NDArray[np.bool_],
    factor: float,
) -> NDArray[np.float64]:
    """``total * freshness``, times `factor` where `recommended`: the same as
    ``where(recommended, factor * (total * freshness), total * freshness)``."""
    score = np.empty(total.size, np.float64)
    for i in prange(total.size):
        decayed = total[i] * freshness[i]
        score[i] = factor * decayed if recommended[i] else decayed
    return score


@njit(cache=True, nogil=True, parallel=True)
def take(
    values: NDArray[np.generic], index: NDArray[np.int64]
) -> NDArray[np.generic]:  # pragma: no cover - compiled
    """``values[index]``, gathered on all cores."""
    out = np.empty(index.size, values.dtype)
    for i in prange(index.size):
        out[i] = values[index[i]]
    return out


@njit(cache=True, nogil=True)
def choose_actions(  # pragma: no cover - compiled
    uniform: NDArray[np.float64],
    propensity: NDArray[np.float64],
    rates: NDArray[np.float64],
    codes: NDArray[np.int8],
) -> NDArray[np.int8]:
    """Per impression, ``p = propensity * rates`` (share, comment, like), divided by its sum
    where that exceeds 1; the action (`codes`: none, like, comment, share) is like where
    ``u < p_share + p_comment + p_like``, then comment where ``u < p_share + p_comment``,
    then share where ``u < p_share``, each overriding the last. The same arithmetic, in the
    same order, as the numpy expression over the impressions x 3 matrix
    (:func:`sim.behaviour.decide`)."""
    action = np.empty(uniform.size, np.int8)
    for i in range(uniform.size):
        share = propensity[i] * rates[0]
        comment = propensity[i] * rates[1]
        like = propensity[i] * rates[2]
        total = share + comment + like
        if total > 1.0:
            scale = max(total, 1e-300)
            share, comment, like = share / scale, comment / scale, like / scale
        action[i] = codes[0]
        if uniform[i] < share + comment + like:
            action[i] = codes[1]
        if uniform[i] < share + comment:
            action[i] = codes[2]
        if uniform[i] < share:
            action[i] = codes[3]
    return action


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
    for i in prange(values.size):
        x = values[i]
        g = min(max(int(x / width), 0), buckets - 1) if x > 0 else 0
        lo, hi = guide[g], guide[g + 1]
        if (lo > 0 and cum[lo - 1] > x) or (hi < n and cum[hi] <= x):
            found[i] = _bisect_right(cum, x, 0, n)
        else:
            found[i] = _bisect_right(cum, x, lo, hi)
    return found
