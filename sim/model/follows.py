"""Follows (docs/model.md 7.18): one-directional subscriptions to accounts one is not
connected to; a followed account's recent posts are in-network candidates of the follower's
sessions (route ``follow``), retrieved when the follower opens the feed."""

from __future__ import annotations

import numpy as np
from numba import get_num_threads, njit, prange
from numpy.typing import NDArray

from sim import kernels
from sim.arrays import first_of_runs
from sim.kernels import twin
from sim.kernels.search import guide_table, guided_bisect_right
from sim.model.state import State
from sim.ties import Ties

FOLLOW_BLOCK = 1 << 22
"""Follow draws handled at once: bounds the temporary arrays of :func:`draw_follows` (a
million members draw 200 million follows) without changing the draws."""


def draw_follows(
    field: NDArray[np.int16],
    post_rate: NDArray[np.float64],
    per_member: int,
    within_field: float,
    rng: np.random.Generator,
) -> NDArray[np.int64]:
    """Whom each member follows: ``per_member`` draws per member.

    Each draw is, with probability q (``within_field``), among the members of the
    follower's field, else among all members; the account is member j with probability
    ``r_j / sum r`` over that pool, r the posting rate (creators with many posts gather
    many followers, the creator weight of a first-pass ranker's follow inventory). Draws of
    oneself are dropped, and repeated draws count once. Two uniforms per draw (within?,
    which account): all the first ones, then all the second ones, drawn even when a pool has
    no poster (such draws are dropped). Draws are handled :data:`FOLLOW_BLOCK` at a time.

    Returns:
        the distinct follows as keys ``follower * n + followee`` (n members), ascending.
    """
    n = field.size
    total = n * per_member
    blocks = range(0, total, FOLLOW_BLOCK)
    within = np.concatenate(
        [np.zeros(0, bool)]
        + [rng.random(min(FOLLOW_BLOCK, total - b)) < within_field for b in blocks]
    )
    order = np.argsort(field, kind="stable")
    cum0 = np.concatenate([[0.0], np.cumsum(post_rate[order])])
    n_fields = int(field.max()) + 1 if n else 0
    start = np.searchsorted(field[order], np.arange(n_fields), side="left")
    end = np.searchsorted(field[order], np.arange(n_fields), side="right")
    keys = np.empty(total, np.int64)  # -1: a dropped draw
    for b in blocks:
        draws = slice(b, min(b + FOLLOW_BLOCK, total))
        pick = rng.random(draws.stop - draws.start)
        follow_keys(field, order, cum0, start, end, within[draws], pick, b, per_member, keys[draws])
    # A member's keys lie in [member * n, (member + 1) * n) and members come in order, so
    # sorting each member's draws sorts all keys but the dropped draws (-1).
    keys.reshape(n, per_member).sort(axis=1)
    return keys[first_of_runs(keys) & (keys >= 0)]


def _follow_keys_numpy(
    field: NDArray[np.int16],
    order: NDArray[np.int64],
    cum0: NDArray[np.float64],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
    within: NDArray[np.bool_],
    pick: NDArray[np.float64],
    first: int,
    per_member: int,
    keys: NDArray[np.int64],
) -> None:
    """The keys of :func:`follow_keys` in whole-array operations (``searchsorted``)."""
    n = field.size
    follower = np.arange(first, first + pick.size, dtype=np.int64) // per_member
    own = field[follower]
    lo = np.where(within, cum0[start[own]], 0.0)
    width = np.where(within, cum0[end[own]] - cum0[start[own]], cum0[-1])
    slot = np.minimum(np.searchsorted(cum0[1:], lo + pick * width, side="right"), n - 1)
    followee = order[slot]
    keep = (width > 0) & (followee != follower)
    keys[:] = np.where(keep, follower * n + followee, -1)


@twin(_follow_keys_numpy)
@njit(cache=True, nogil=True, parallel=True)
def follow_keys(  # pragma: no cover - compiled
    field: NDArray[np.int16],
    order: NDArray[np.int64],
    cum0: NDArray[np.float64],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
    within: NDArray[np.bool_],
    pick: NDArray[np.float64],
    first: int,
    per_member: int,
    keys: NDArray[np.int64],
) -> None:
    """Into `keys`, the follow of draws ``first, first + 1, ...`` (draw d is member
    ``d // per_member``'s) as a key ``follower * n + followee``, or -1 for a dropped draw.

    Members are in `order` (grouped by field), with cumulative posting rates `cum0` (0
    first); field f's members are ``order[start[f]:end[f]]``. A draw `within` its
    follower's field f searches ``cum0[start[f]] + pick * (cum0[end[f]] - cum0[start[f]])``,
    else ``pick * cum0[-1]``, among the cumulative rates (the first exceeding it, at most
    the last member; through a guide table, :func:`sim.kernels.search.guide_table`). It is
    dropped when its pool has no poster (width 0) or it drew the follower. One loop per
    draw, without the temporary arrays of its twin: a million members draw 200 million
    times.
    """
    n = field.size
    cum = cum0[1:]
    guide, bucket = guide_table(cum)
    for i in prange(pick.size):
        follower = (first + i) // per_member
        f = field[follower]
        if within[i]:
            lo = cum0[start[f]]
            width = cum0[end[f]] - cum0[start[f]]
        else:
            lo = 0.0
            width = cum0[n]
        slot = min(guided_bisect_right(cum, guide, bucket, lo + pick[i] * width), n - 1)
        followee = order[slot]
        keys[i] = follower * n + followee if width > 0 and followee != follower else -1


def follow_index(
    n: int, keys: NDArray[np.int64], ties: Ties
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """The accounts each member follows as CSR arrays (``ptr``, int64 of length n + 1;
    followees, int32), without the pairs already connected (a connection's posts come by the
    network routes). Member i follows ``followees[ptr[i]:ptr[i + 1]]``, ascending.

    `keys` are the follows as ``follower * n + followee``; unless they are sorted already
    (drawn follows are), they are sorted in place (a million members follow 200 million
    times: no copy is made of them). Pairs are looked up in (follower, followee) order,
    which keeps the tie lookup fast, :data:`FOLLOW_BLOCK` at a time."""
    if keys.size and not (keys[1:] >= keys[:-1]).all():
        keys.sort()
    keep = np.ones(keys.size, bool)
    for b in range(0, keys.size, FOLLOW_BLOCK):
        block = keys[b : b + FOLLOW_BLOCK]
        keep[b : b + FOLLOW_BLOCK] = ties.lookup(block // n, block % n) < 0
    kept = keys[keep]
    ptr = np.searchsorted(kept, np.arange(n + 1, dtype=np.int64) * n).astype(np.int64)
    followees = np.empty(kept.size, np.int32)
    for b in range(0, kept.size, FOLLOW_BLOCK):
        followees[b : b + FOLLOW_BLOCK] = kept[b : b + FOLLOW_BLOCK] % n
    return ptr, followees


def follower_index(
    n: int, follow_ptr: NDArray[np.int64], followees: NDArray[np.int32]
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """The follow index reversed: the followers of each account as CSR arrays (``ptr``, int64
    of length n + 1; followers, int32). Account a is followed by ``followers[ptr[a]:ptr[a +
    1]]``, ascending (a stable counting sort of the follows by followee, in parallel parts:
    :func:`sim.kernels.reverse_index`)."""
    return kernels.reverse_index(follow_ptr, followees, n, get_num_threads())


def recent_by_author(
    state: State, time: NDArray[np.float64], max_age_days: float
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The follow inventory of a slice whose sessions are at `time`: the posts created from
    ``min(time) - max_age_days`` on, grouped by author. Returns (start, by_author): author
    a's posts are ``by_author[start[a]:start[a + 1]]``, oldest first.

    A session at time t retrieves every post created in ``[t - max_age_days, t]`` by an
    account its member follows (first-pass retrieval of the follow inventory; LinkedIn
    FollowFeed serves connections' and follows' posts, calibration-sources.md 1), as the
    candidates are merged (:func:`sim.model.candidates.gather_candidates`)."""
    posts = state.posts
    first = int(np.searchsorted(posts["created"], float(time.min()) - max_age_days, "left"))
    recent = np.arange(first, posts.size)
    by_author = recent[kernels.counting_order(posts["author"][recent], state.n)]
    per_author = np.bincount(posts["author"][recent], minlength=state.n)
    return np.concatenate([[0], np.cumsum(per_author)]).astype(np.int64), by_author
