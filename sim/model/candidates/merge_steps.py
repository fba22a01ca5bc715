"""The compiled merge's steps (:func:`sim.model.candidates.merge.merge_candidates`), one
served member (slot) at a time: sizing its room (the most rows it may have), reading its
pool span, its tail, its followed accounts' recent posts and its recommendations into
scratch, reducing each post's rows into a pair (precedence), dropping the invalid pairs,
linking its pool rows to their pairs, keeping what packing needs in its room, and packing
the kept pairs of all slots.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.bits import has_bit
from sim.kernels.sort import distinct_posts

Merged = tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int8],
    NDArray[np.int64],
    NDArray[np.bool_],
]
"""What :func:`merge_candidates` returns: the available pool rows grouped by slot and the
kept pair each merged into (-1: dropped); where each slot's kept pairs start (and the last
ends); then the kept pairs ordered by (slot, post): slot, post, author, route, proof and
primary."""

UNROUTED = np.iinfo(np.int8).max
"""A pair's route before its rows are reduced: above every route code."""


class Spans(NamedTuple):
    """Where each slot's rows are: its span ``pool_lo[s]:pool_hi[s]`` of the pool (grouped
    by viewer), its tail ``tail_rows[tail_ptr[s]:tail_ptr[s + 1]]`` (rows appended since),
    and its recommendations ``recommended_post[recommended_ptr[s]:recommended_ptr[s + 1]]``."""

    pool_lo: NDArray[np.int64]
    pool_hi: NDArray[np.int64]
    tail_ptr: NDArray[np.int64]
    tail_rows: NDArray[np.int64]
    recommended_ptr: NDArray[np.int64]
    recommended_post: NDArray[np.int64]


class Pool(NamedTuple):
    """The candidate pool's columns the merge reads."""

    post: NDArray[np.int32]
    route: NDArray[np.int8]
    available: NDArray[np.float64]
    consumed: NDArray[np.bool_]


class Follows(NamedTuple):
    """Who follows whom (member m follows ``followees[ptr[m]:ptr[m + 1]]``), the recent posts
    listed per author (author a's are ``by_author[post_start[a]:post_start[a + 1]]``), and a
    bit per author with posts listed (:func:`sim.kernels.bits.nonempty_rows`)."""

    ptr: NDArray[np.int64]
    followees: NDArray[np.int32]
    post_start: NDArray[np.int64]
    by_author: NDArray[np.int64]
    posted: NDArray[np.uint64]


class SlotRows(NamedTuple):
    """Per row of a slot (in scratch): its post, route, whether it was shown, its pool row
    (pool rows only), the rank of its post among the slot's, and the kept pair of a pool
    row."""

    post: NDArray[np.int64]
    route: NDArray[np.int8]
    seen: NDArray[np.bool_]
    pool: NDArray[np.int64]
    rank: NDArray[np.int64]
    pair: NDArray[np.int64]


class SlotPairs(NamedTuple):
    """Per pair of a slot (in scratch; by the rank of its post, then moved up in place when
    kept): its
    post, author, route, proof, primary, whether a row of it was shown, and its place among
    the slot's kept pairs (-1: dropped)."""

    post: NDArray[np.int64]
    author: NDArray[np.int64]
    best: NDArray[np.int8]
    proof: NDArray[np.int64]
    primary: NDArray[np.bool_]
    seen: NDArray[np.bool_]
    kept_as: NDArray[np.int64]


class Scratch(NamedTuple):
    """Scratch of the radix sort of :func:`sim.kernels.sort.distinct_posts`."""

    order: NDArray[np.int64]
    sorted_post: NDArray[np.int64]
    spare_order: NDArray[np.int64]
    spare_post: NDArray[np.int64]


@njit(cache=True, nogil=True, parallel=True)
def size_rooms(  # pragma: no cover - compiled
    spans: Spans, follows: Follows, served: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Sizing: where each slot's room starts (and the last ends), room for all the rows it
    may have: its pool rows, the posts listed for the accounts it follows (most have none,
    which their bit tells without reading ``post_start``) and its recommendations."""
    n_slots = served.size
    room = np.zeros(n_slots + 1, np.int64)
    for s in prange(n_slots):
        listed = 0
        for f in range(follows.ptr[served[s]], follows.ptr[served[s] + 1]):
            a = follows.followees[f]
            if has_bit(follows.posted, a):
                listed += follows.post_start[a + 1] - follows.post_start[a]
        room[s + 1] = (
            spans.pool_hi[s]
            - spans.pool_lo[s]
            + spans.tail_ptr[s + 1]
            - spans.tail_ptr[s]
            + listed
            + spans.recommended_ptr[s + 1]
            - spans.recommended_ptr[s]
        )
    for s in range(n_slots):
        room[s + 1] += room[s]
    return room


class Kept(NamedTuple):
    """What a slot's merge leaves for packing, in its room ``room[s]:room[s + 1]``: per pool
    row (the first ones) its row of the pool and its kept pair (-1: dropped); per kept pair
    (the first ones) its post, author, route, proof and primary."""

    pool: NDArray[np.int64]
    pair: NDArray[np.int64]
    post: NDArray[np.int64]
    author: NDArray[np.int64]
    best: NDArray[np.int8]
    proof: NDArray[np.int64]
    primary: NDArray[np.bool_]


SLOTS_PER_RUN = 64
"""Slots are merged in runs of this many consecutive slots, shared out over the threads; each
run has its own scratch (rows, pairs, sort) sized to its widest room, which stays in cache."""


@njit(cache=True, nogil=True)
def _scratch(width: int) -> tuple[SlotRows, SlotPairs, Scratch]:  # pragma: no cover - compiled
    """A run of slots' scratch: rows, pairs and sort space for a room of `width` rows."""
    rows = SlotRows(
        np.empty(width, np.int64),
        np.empty(width, np.int8),
        np.empty(width, np.bool_),
        np.empty(width, np.int64),
        np.empty(width, np.int64),
        np.empty(width, np.int64),
    )
    pairs = SlotPairs(
        np.empty(width, np.int64),
        np.empty(width, np.int64),
        np.empty(width, np.int8),
        np.empty(width, np.int64),
        np.empty(width, np.bool_),
        np.empty(width, np.bool_),
        np.empty(width, np.int64),
    )
    sort = Scratch(
        np.empty(width, np.int64),
        np.empty(width, np.int64),
        np.empty(width, np.int64),
        np.empty(width, np.int64),
    )
    return rows, pairs, sort


@njit(cache=True, nogil=True, parallel=True)
def merge_slots(  # pragma: no cover - compiled
    room: NDArray[np.int64],
    spans: Spans,
    pool: Pool,
    follows: Follows,
    served: NDArray[np.int64],
    slot_time: NDArray[np.float64],
    post_author: NDArray[np.int32],
    post_created: NDArray[np.float64],
    max_age_days: float,
    routes: NDArray[np.int8],
) -> tuple[Kept, NDArray[np.int64], NDArray[np.int64]]:
    """Each slot's rows read into scratch (pool rows first), its distinct posts found
    (:func:`sim.kernels.sort.distinct_posts`), each post's rows reduced into its pair, the
    valid pairs moved up in place, and what packing needs kept in the slot's room
    ``room[s]:room[s + 1]``. Runs of consecutive slots share one scratch
    (:data:`SLOTS_PER_RUN`). Returns what is kept, and each slot's number of kept pairs
    and of pool rows (at ``s + 1``)."""
    follow_route, recommended_route, proof_route, primary_route, ageless_route = routes
    n_slots, n = served.size, room[served.size]
    out = Kept(
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int64),
        np.empty(n, np.int8),
        np.empty(n, np.int64),
        np.empty(n, np.bool_),
    )
    kept = np.zeros(n_slots + 1, np.int64)
    pooled = np.zeros(n_slots + 1, np.int64)
    runs = (n_slots + SLOTS_PER_RUN - 1) // SLOTS_PER_RUN
    for c in prange(runs):
        first, last = c * SLOTS_PER_RUN, min((c + 1) * SLOTS_PER_RUN, n_slots)
        width = 0
        for s in range(first, last):
            width = max(width, room[s + 1] - room[s])
        rows, pairs, sort = _scratch(width)
        for s in range(first, last):
            t = slot_time[s]
            m = _read_pool_span(0, s, t, spans, pool, rows)
            m = _read_pool_tail(m, s, t, spans, pool, rows)
            pooled[s + 1] = m
            m = _read_followed(
                m, served[s], t, max_age_days, follow_route, follows, post_created, rows
            )
            m = _read_recommended(m, s, recommended_route, spans, rows)
            count = _distinct_posts(m, rows, pairs, sort)
            _reduce_rows(count, m, proof_route, primary_route, rows, pairs)
            kept[s + 1] = _drop_invalid(
                count,
                served[s],
                t,
                max_age_days,
                ageless_route,
                post_author,
                post_created,
                pairs,
            )
            _link_pool_rows(pooled[s + 1], rows, pairs)
            _keep(room[s], pooled[s + 1], kept[s + 1], rows, pairs, out)
    return out, kept, pooled


@njit(cache=True, nogil=True)
def _keep(  # pragma: no cover - compiled
    at: int, pooled: int, kept: int, rows: SlotRows, pairs: SlotPairs, out: Kept
) -> None:
    """A slot's `pooled` pool rows (their pool row and kept pair) and `kept` kept pairs,
    from scratch into its room from `at` on."""
    for j in range(pooled):
        out.pool[at + j], out.pair[at + j] = rows.pool[j], rows.pair[j]
    for i in range(kept):
        out.post[at + i], out.author[at + i] = pairs.post[i], pairs.author[i]
        out.best[at + i], out.proof[at + i] = pairs.best[i], pairs.proof[i]
        out.primary[at + i] = pairs.primary[i]


@njit(cache=True, nogil=True)
def _read_pool_span(  # pragma: no cover - compiled
    m: int, s: int, t: float, spans: Spans, pool: Pool, rows: SlotRows
) -> int:
    """Slot s's span of the pool, the rows available by its session at `t`, written from
    row `m` on; returns the row after them."""
    for r in range(spans.pool_lo[s], spans.pool_hi[s]):
        if pool.available[r] <= t:
            rows.post[m], rows.route[m] = pool.post[r], pool.route[r]
            rows.seen[m], rows.pool[m] = pool.consumed[r], r
            m += 1
    return m


@njit(cache=True, nogil=True)
def _read_pool_tail(  # pragma: no cover - compiled
    m: int, s: int, t: float, spans: Spans, pool: Pool, rows: SlotRows
) -> int:
    """Slot s's tail of the pool (rows appended since the pool was grouped), the rows
    available by its session at `t`, written from row `m` on; returns the row after them."""
    for k in range(spans.tail_ptr[s], spans.tail_ptr[s + 1]):
        r = spans.tail_rows[k]
        if pool.available[r] <= t:
            rows.post[m], rows.route[m] = pool.post[r], pool.route[r]
            rows.seen[m], rows.pool[m] = pool.consumed[r], r
            m += 1
    return m


@njit(cache=True, nogil=True)
def _read_followed(  # pragma: no cover - compiled
    m: int,
    viewer: int,
    t: float,
    max_age_days: float,
    follow_route: int,
    follows: Follows,
    post_created: NDArray[np.float64],
    rows: SlotRows,
) -> int:
    """The listed posts of the accounts `viewer` follows created in ``[t - max_age_days,
    t]``, as unseen rows of the follow route written from row `m` on; returns the row after
    them."""
    for f in range(follows.ptr[viewer], follows.ptr[viewer + 1]):
        a = follows.followees[f]
        if has_bit(follows.posted, a):
            for k in range(follows.post_start[a], follows.post_start[a + 1]):
                p = follows.by_author[k]
                if t - max_age_days <= post_created[p] <= t:
                    rows.post[m], rows.route[m], rows.seen[m] = p, follow_route, False
                    m += 1
    return m


@njit(cache=True, nogil=True)
def _read_recommended(  # pragma: no cover - compiled
    m: int, s: int, recommended_route: int, spans: Spans, rows: SlotRows
) -> int:
    """Slot s's recommended posts, as unseen rows of the recommended route written from row
    `m` on; returns the row after them."""
    for k in range(spans.recommended_ptr[s], spans.recommended_ptr[s + 1]):
        post = spans.recommended_post[k]
        rows.post[m], rows.route[m], rows.seen[m] = post, recommended_route, False
        m += 1
    return m


@njit(cache=True, nogil=True)
def _distinct_posts(  # pragma: no cover - compiled
    m: int, rows: SlotRows, pairs: SlotPairs, scratch: Scratch
) -> int:
    """The slot's distinct posts (rows ``0:m``), ascending, as its pairs' posts, and the
    rank of each row's post among them; returns their number."""
    return distinct_posts(
        0,
        m,
        rows.post,
        rows.rank,
        pairs.post,
        scratch.order,
        scratch.sorted_post,
        scratch.spare_order,
        scratch.spare_post,
    )


@njit(cache=True, nogil=True)
def _reduce_rows(  # pragma: no cover - compiled
    count: int,
    m: int,
    proof_route: int,
    primary_route: int,
    rows: SlotRows,
    pairs: SlotPairs,
) -> None:
    """Precedence: each row ``0:m`` reduced into the pair of its post (its rank): the
    pair's route is the lowest of its rows', its proof the number of its activity rows,
    primary whether any is a network row, seen whether any was shown."""
    for i in range(count):
        pairs.best[i], pairs.proof[i], pairs.primary[i], pairs.seen[i] = UNROUTED, 0, False, False
    for j in range(m):
        i = rows.rank[j]
        pairs.best[i] = min(pairs.best[i], rows.route[j])
        pairs.proof[i] += rows.route[j] == proof_route
        pairs.primary[i] |= rows.route[j] == primary_route
        pairs.seen[i] |= rows.seen[j]


@njit(cache=True, nogil=True)
def _drop_invalid(  # pragma: no cover - compiled
    count: int,
    viewer: int,
    t: float,
    max_age_days: float,
    ageless_route: int,
    post_author: NDArray[np.int32],
    post_created: NDArray[np.float64],
    pairs: SlotPairs,
) -> int:
    """The drop rules: a pair is dropped when a row of it was shown, when `viewer` is the
    post's author, or when the post is older than `max_age_days` at the session at `t`,
    unless its route is tag (ageless). The kept pairs move up in place, in order; returns
    their number."""
    g = 0
    for i in range(count):
        p = pairs.post[i]
        author = post_author[p]
        fresh = t - post_created[p] <= max_age_days or pairs.best[i] == ageless_route
        if not pairs.seen[i] and author != viewer and fresh:
            pairs.post[g], pairs.author[g] = p, author
            pairs.best[g], pairs.proof[g] = pairs.best[i], pairs.proof[i]
            pairs.primary[g] = pairs.primary[i]
            pairs.kept_as[i] = g
            g += 1
        else:
            pairs.kept_as[i] = -1
    return g


@njit(cache=True, nogil=True)
def _link_pool_rows(  # pragma: no cover - compiled
    pooled: int, rows: SlotRows, pairs: SlotPairs
) -> None:
    """The kept pair of each of the slot's `pooled` pool rows (-1: dropped)."""
    for j in range(pooled):
        rows.pair[j] = pairs.kept_as[rows.rank[j]]


@njit(cache=True, nogil=True, parallel=True)
def pack(  # pragma: no cover - compiled
    room: NDArray[np.int64],
    kept: NDArray[np.int64],
    pooled: NDArray[np.int64],
    out: Kept,
) -> Merged:
    """Packing: each slot's pool rows and kept pairs, moved from its room into one run of
    each after the last slot's (see :data:`Merged`)."""
    n_slots = kept.size - 1
    for s in range(n_slots):
        kept[s + 1] += kept[s]
        pooled[s + 1] += pooled[s]
    pool_rows = np.empty(pooled[n_slots], np.int64)
    row_candidate = np.empty(pooled[n_slots], np.int64)
    total = kept[n_slots]
    pair_slot = np.empty(total, np.int64)
    pair_post = np.empty(total, np.int64)
    pair_author = np.empty(total, np.int64)
    best = np.empty(total, np.int8)
    proof = np.empty(total, np.int64)
    primary = np.empty(total, np.bool_)
    for s in prange(n_slots):
        lo, to, size = room[s], kept[s], kept[s + 1] - kept[s]
        pair_slot[to : to + size] = s
        pair_post[to : to + size] = out.post[lo : lo + size]
        pair_author[to : to + size] = out.author[lo : lo + size]
        best[to : to + size] = out.best[lo : lo + size]
        proof[to : to + size] = out.proof[lo : lo + size]
        primary[to : to + size] = out.primary[lo : lo + size]
        at = pooled[s]
        for j in range(lo, lo + pooled[s + 1] - pooled[s]):
            pool_rows[at] = out.pool[j]
            row_candidate[at] = out.pair[j] + to if out.pair[j] >= 0 else -1
            at += 1
    return pool_rows, row_candidate, kept, pair_slot, pair_post, pair_author, best, proof, primary
