"""Merging a slice's candidate rows into one candidate per (viewer, post): precedence and
the drop rules (docs/model.md 7.6 and 7.13).

A served member's rows are its pool rows available by its session (tags, the test audience
and its expansion, activity), the recent posts of the accounts it follows and its
recommendations. Rows of one (viewer, post) merge: the pair's route is the lowest route
code of its rows (precedence: tag, network, expansion, follow, activity, recommended), its
proof k the number of its activity rows, primary whether any is a network row. A pair is
dropped when a row of it was shown before, when the viewer is the post's author, or when
the post is older than ``max_age_days`` at the session, unless its route is tag.

:func:`merge_candidates` states this rule twice: its numpy twin in whole-array operations,
its compiled loop one served member at a time in the named steps of
:mod:`sim.model.candidates.merge_steps`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit
from numpy.typing import NDArray

from sim.kernels import compress, renumber, twin
from sim.kernels.bits import nonempty_rows
from sim.model.activity import Sessions
from sim.model.candidates.merge_steps import (
    UNROUTED,
    Follows,
    Merged,
    Pool,
    Spans,
    merge_slots,
    pack,
    size_rooms,
)
from sim.model.state import State
from sim.sources import ACTIVITY, FOLLOW, NETWORK, RECOMMENDED, TAG


@dataclass(frozen=True)
class Gathered:
    """A slice's candidates: one row per (viewer, post), and the pool rows they came from.

    Attributes:
        served: the slice's served members (ascending; a member's row is its slot).
        rows: pool rows available to the served members by their session time, grouped by
            member.
        row_candidate: the candidate each of those rows merged into (-1: dropped).
        starts: the candidates of slot s are ``starts[s]:starts[s + 1]``.
        viewer, post, author: the candidate pairs (ordered by viewer, then post).
        slot: the viewer's slot (row of ``served``).
        route: best route of the pair (lowest code of :data:`sim.sources.ROUTES`).
        proof: ``activity`` rows of the pair (social proof k).
        primary: the pair has a ``network`` row (test audience or all connections).
    """

    served: NDArray[np.int64]
    rows: NDArray[np.int64]
    row_candidate: NDArray[np.int64]
    starts: NDArray[np.int64]
    viewer: NDArray[np.int64]
    slot: NDArray[np.int64]
    post: NDArray[np.int64]
    author: NDArray[np.int64]
    route: NDArray[np.int8]
    proof: NDArray[np.int64]
    primary: NDArray[np.bool_]

    def subset(self, keep: NDArray[np.bool_]) -> Gathered:
        """The candidates where `keep` is True, in their order; the pool rows of the others
        merge into none (-1), as dropped rows do, so they stay unread in the pool. Each
        column is compressed, and the pool rows' candidates renumbered, on all cores
        (:func:`sim.kernels.compress`, :func:`sim.kernels.renumber`)."""
        if keep.all():
            return self
        before = self.kept_before(keep)
        return Gathered(
            served=self.served,
            rows=self.rows,
            row_candidate=renumber(self.row_candidate, keep, before),
            starts=before[self.starts],
            viewer=compress(self.viewer, keep, before),
            slot=compress(self.slot, keep, before),
            post=compress(self.post, keep, before),
            author=compress(self.author, keep, before),
            route=compress(self.route, keep, before),
            proof=compress(self.proof, keep, before),
            primary=compress(self.primary, keep, before),
        )

    @staticmethod
    def kept_before(keep: NDArray[np.bool_]) -> NDArray[np.int64]:
        """The kept candidates before each candidate, and their number at the end."""
        before = np.zeros(keep.size + 1, np.int64)
        np.cumsum(keep, out=before[1:])
        return before


def gather_candidates(
    state: State,
    sessions: Sessions,
    recommended: tuple[NDArray[np.int64], NDArray[np.int64]],
    max_age_days: float,
    followed: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None,
) -> Gathered:
    """Merge the served members' pool rows, the posts of the accounts they follow created
    within ``max_age_days`` before their session (from `followed`, the slice's
    :func:`sim.model.follows.recent_by_author`; none when None) and recommendations
    ((viewer, post) pairs) into candidate pairs.

    Rows of one (viewer, post) merge: route = the lowest route code of its rows, proof k =
    its number of ``activity`` rows, primary = any ``network`` row. A pair is dropped when a
    row of it was shown before (a post is shown to a member at most once), when the viewer
    is the author, or when the post is older than ``max_age_days`` at the session (tags are
    exempt). Requires ``state.session_slot`` of the slice.
    """
    pool, posts = state.pool, state.posts
    n_slots = sessions.viewers.size
    lo, hi, tail_ptr, tail = pool.spans_of(sessions.viewers, state.session_slot)
    rec_viewer, rec_post = recommended
    if followed is None:  # no followed posts: the followees need not be looked through
        follow_ptr = np.zeros(state.n + 1, np.int64)
        followees, post_start, by_author = state.followees[:0], follow_ptr, rec_post[:0]
    else:
        follow_ptr, followees = state.follow_ptr, state.followees
        post_start, by_author = followed
    merged = merge_candidates(
        lo,
        hi,
        tail_ptr,
        tail,
        pool["post"],
        pool["route"],
        pool["available"],
        pool["consumed"],
        follow_ptr,
        followees,
        post_start,
        by_author,
        _slot_ptr(state.session_slot[rec_viewer], n_slots),
        rec_post,
        sessions.viewers,
        sessions.time,
        posts["author"],
        posts["created"],
        max_age_days,
        np.array([FOLLOW, RECOMMENDED, ACTIVITY, NETWORK, TAG], np.int8),
    )
    rows, candidate_of_row, starts, slot, post, author, route, proof, primary = merged
    return Gathered(
        served=sessions.viewers,
        rows=rows,
        row_candidate=candidate_of_row,
        starts=starts,
        viewer=sessions.viewers[slot],
        slot=slot,
        post=post,
        author=author,
        route=route,
        proof=proof,
        primary=primary,
    )


def _slot_ptr(slot: NDArray[np.int64], n_slots: int) -> NDArray[np.int64]:
    """Where each slot's rows start in rows grouped by slot (and where the last ends)."""
    return np.concatenate([[0], np.cumsum(np.bincount(slot, minlength=n_slots))])


def _available_pool_rows_numpy(
    pool_lo: NDArray[np.int64],
    pool_hi: NDArray[np.int64],
    tail_ptr: NDArray[np.int64],
    tail_rows: NDArray[np.int64],
    pool_available: NDArray[np.float64],
    slot_time: NDArray[np.float64],
) -> tuple[NDArray[np.int64], list[int]]:
    """Each slot's pool rows (its span of the indexed pool, then its tail) available by its
    session, concatenated; and how many each slot has."""
    own = [
        np.concatenate(
            [np.arange(pool_lo[s], pool_hi[s]), tail_rows[tail_ptr[s] : tail_ptr[s + 1]]]
        ).astype(np.int64)
        for s in range(slot_time.size)
    ]
    own = [r[pool_available[r] <= slot_time[s]] for s, r in enumerate(own)]
    return np.concatenate([np.zeros(0, np.int64), *own]), [r.size for r in own]


def _followed_posts_numpy(
    follow_ptr: NDArray[np.int64],
    followees: NDArray[np.int32],
    post_start: NDArray[np.int64],
    by_author: NDArray[np.int64],
    served: NDArray[np.int64],
    slot_time: NDArray[np.float64],
    post_created: NDArray[np.float64],
    max_age_days: float,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(slot, post) of the followed accounts' posts created in ``[slot_time - max_age_days,
    slot_time]``: each slot repeated over its followees, each followee over its listed
    posts, then the window."""
    n_follows = follow_ptr[served + 1] - follow_ptr[served]
    follower = np.repeat(np.arange(served.size), n_follows)
    followee = np.concatenate(
        [np.zeros(0, np.int64)] + [followees[follow_ptr[v] : follow_ptr[v + 1]] for v in served]
    ).astype(np.int64)
    pair = np.repeat(np.arange(followee.size), np.diff(post_start)[followee])
    listed = np.concatenate(
        [np.zeros(0, np.int64)] + [by_author[post_start[a] : post_start[a + 1]] for a in followee]
    )
    t = slot_time[follower[pair]]
    in_window = (post_created[listed] <= t) & (post_created[listed] >= t - max_age_days)
    return follower[pair][in_window], listed[in_window]


def _merge_candidates_numpy(
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
) -> Merged:
    """The merge in whole-array operations: all slots' rows concatenated (pool, followed,
    recommended); ``unique`` of the (slot, post) keys; over its inverse the lowest route
    (``minimum.at``: precedence), the activity rows (proof), any network row (primary), any
    row shown before; then the drop rules (shown, own post, stale unless tagged)."""
    follow, recommended, proof_route, primary_route, ageless = (int(r) for r in routes)
    n_slots = served.size
    rows, pooled = _available_pool_rows_numpy(
        pool_lo, pool_hi, tail_ptr, tail_rows, pool_available, slot_time
    )
    followed_slot, followed_post = _followed_posts_numpy(
        follow_ptr, followees, post_start, by_author, served, slot_time, post_created, max_age_days
    )
    slot = np.concatenate(
        [
            np.repeat(np.arange(n_slots), pooled),
            followed_slot,
            np.repeat(np.arange(n_slots), np.diff(recommended_ptr)),
        ]
    )
    post = np.concatenate([pool_post[rows].astype(np.int64), followed_post, recommended_post])
    route = np.concatenate(
        [
            pool_route[rows],
            np.full(followed_post.size, follow, np.int8),
            np.full(recommended_post.size, recommended, np.int8),
        ]
    )
    seen = np.concatenate(
        [pool_consumed[rows], np.zeros(followed_post.size + recommended_post.size, bool)]
    )
    n_posts = max(post_author.size, 1)
    keys, inverse = np.unique(slot * n_posts + post, return_inverse=True)
    best = np.full(keys.size, UNROUTED, np.int8)
    np.minimum.at(best, inverse, route)
    proof = np.bincount(inverse, weights=route == proof_route, minlength=keys.size)
    primary = np.bincount(inverse, weights=route == primary_route, minlength=keys.size) > 0
    any_seen = np.bincount(inverse, weights=seen, minlength=keys.size) > 0
    pair_slot, pair_post = keys // n_posts, keys % n_posts
    author = post_author[pair_post].astype(np.int64)
    fresh = (slot_time[pair_slot] - post_created[pair_post] <= max_age_days) | (best == ageless)
    valid = ~any_seen & (author != served[pair_slot]) & fresh
    kept = np.where(valid, np.cumsum(valid) - 1, -1)
    per_slot = np.bincount(pair_slot[valid], minlength=n_slots)
    return (
        rows,
        kept[inverse][: rows.size],
        np.concatenate([[0], np.cumsum(per_slot)]).astype(np.int64),
        pair_slot[valid],
        pair_post[valid],
        author[valid],
        best[valid],
        proof[valid].astype(np.int64),
        primary[valid],
    )


@twin(_merge_candidates_numpy)
@njit(cache=True, nogil=True)
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
) -> Merged:
    """Merge each served member's candidate rows into one candidate per (slot, post), and
    keep the valid ones: the result of the twin's ``unique``, grouped reductions and filter.

    Slot s is the member ``served[s]``, whose session is at ``slot_time[s]``; its rows are
    where :class:`Spans` says, and the posts of the accounts it follows (:class:`Follows`)
    created in ``[slot_time[s] - max_age_days, slot_time[s]]``. `routes` gives the route
    codes (follow, recommended, activity (social proof), network (primary), tag (ageless)).
    The slots are sized (``size_rooms``), merged in parallel, runs of slots in scratch of
    their own and each slot's kept pairs in its part of the arrays (``merge_slots``), and
    packed after (``pack``; all three in
    :mod:`sim.model.candidates.merge_steps`).
    """
    spans = Spans(pool_lo, pool_hi, tail_ptr, tail_rows, recommended_ptr, recommended_post)
    pool = Pool(pool_post, pool_route, pool_available, pool_consumed)
    follows = Follows(follow_ptr, followees, post_start, by_author, nonempty_rows(post_start))
    room = size_rooms(spans, follows, served)
    out, kept, pooled = merge_slots(
        room,
        spans,
        pool,
        follows,
        served,
        slot_time,
        post_author,
        post_created,
        max_age_days,
        routes,
    )
    return pack(room, kept, pooled, out)
