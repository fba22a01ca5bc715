"""The numpy expressions that the compiled kernels of :mod:`sim.kernels` replace, one function
each with the kernel's signature, so that a test can run the model on either and compare."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def find_in_rows(
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


def top_in_groups(
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One stable sort by (group, not pinned, -score; NaN last), cut at each group's limit."""
    group = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    order = np.lexsort((np.arange(scores.size), -scores, ~pinned, group))
    rank = np.arange(order.size) - starts[group[order]]
    keep = rank < np.maximum(limit[group[order]], 0)
    return order[keep].astype(np.int64), rank[keep].astype(np.int64)


def counting_order(key: NDArray[np.integer], n_keys: int) -> NDArray[np.int64]:
    """A stable argsort."""
    return np.argsort(key, kind="stable")


def merge_candidates(
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
) -> tuple[NDArray[np.generic], ...]:
    """Each slot's available pool rows (indexed, then tail); each slot repeated over its
    followees, each followee over its listed posts, then the window; all rows concatenated;
    ``unique`` of the (slot, post) keys, ``minimum.at``, ``bincount`` and scatters over its
    inverse, then the filter."""
    follow, recommended, proof_route, primary_route, ageless = (int(r) for r in routes)
    n_slots = served.size
    own = [
        np.concatenate(
            [np.arange(pool_lo[s], pool_hi[s]), tail_rows[tail_ptr[s] : tail_ptr[s + 1]]]
        ).astype(np.int64)
        for s in range(n_slots)
    ]
    own = [r[pool_available[r] <= slot_time[s]] for s, r in enumerate(own)]
    rows = np.concatenate([np.zeros(0, np.int64), *own])
    n_follows = follow_ptr[served + 1] - follow_ptr[served]
    follower = np.repeat(np.arange(n_slots), n_follows)
    followee = np.concatenate(
        [np.zeros(0, np.int64)] + [followees[follow_ptr[v] : follow_ptr[v + 1]] for v in served]
    ).astype(np.int64)
    pair = np.repeat(np.arange(followee.size), np.diff(post_start)[followee])
    listed = np.concatenate(
        [np.zeros(0, np.int64)] + [by_author[post_start[a] : post_start[a + 1]] for a in followee]
    )
    t = slot_time[follower[pair]]
    in_window = (post_created[listed] <= t) & (post_created[listed] >= t - max_age_days)
    followed_slot, followed_post = follower[pair][in_window], listed[in_window]
    n_recommended = np.diff(recommended_ptr)
    slot = np.concatenate(
        [
            np.repeat(np.arange(n_slots), [r.size for r in own]),
            followed_slot,
            np.repeat(np.arange(n_slots), n_recommended),
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
    best = np.full(keys.size, np.iinfo(np.int8).max, np.int8)
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


def member_rows(
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


def count_at(counter: NDArray[np.integer], index: NDArray[np.integer]) -> None:
    """``np.add.at``."""
    np.add.at(counter, index, 1)


def find_in_member_rows(
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
    found = find_in_rows(indptr, dst, source, target)
    missing = np.flatnonzero(found < 0)
    at = find_in_rows(extra_ptr, extra_dst, source[missing], target[missing])
    found[missing[at >= 0]] = extra_position[at[at >= 0]]
    return found


def pair_features(
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
) -> tuple[NDArray[np.generic], ...]:
    """Gathers, ``where`` and the row maximum of the viewers' topic weights."""
    follow_route, recommended_route, followed, out_of_network, second_degree = codes
    slot = np.repeat(np.arange(served.size), np.diff(starts))
    connected = edge >= 0
    safe = np.maximum(edge, 0)
    not_connected = np.where(route == recommended_route, out_of_network, second_degree)
    not_connected = np.where(route == follow_route, followed, not_connected)
    topic = post_topic[post]
    top = theta[served].max(axis=1)[slot]
    return (
        np.where(connected, tie_kind[safe], not_connected).astype(np.int8),
        topic,
        now - post_created[post],
        theta[served[slot], topic] / top,
        np.where(connected, tie_affinity[safe], 0).astype(np.float32),
        np.where(connected, tie_affinity_time[safe], 0).astype(np.float32),
    )


def recommended_draws(
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
    """Every draw compared with its whole row of topic weights; ``searchsorted``."""
    rows = cum_theta[owner]
    topic = np.minimum((rows < topic_draw[:, None] * rows[:, -1:]).sum(axis=1), rows.shape[1] - 1)
    cum0 = np.concatenate([[0.0], cum])
    lo, hi = cum0[topic_start[topic]], cum0[topic_start[topic + 1]]
    width = hi - lo
    pick = np.minimum(np.searchsorted(cum, lo + post_draw * width, side="right"), cum.size - 1)
    post = recent[pick]
    ok = (width > 0) & (post_created[post] <= time[owner]) & (post_author[post] != viewers[owner])
    return post.astype(np.int64), ok


def weighted_heads(
    affinity: NDArray[np.float64],
    belief: NDArray[np.float64],
    log_proof: NDArray[np.float64],
    affinity_floor: float,
    weight_base: NDArray[np.float64],
    slope: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Whole-array arithmetic, head by head."""
    reach = (affinity_floor + affinity) * belief
    total = np.zeros(affinity.size)
    for a in range(weight_base.size):
        total += float(weight_base[a]) * reach * (1.0 + float(slope[a]) * log_proof)
    return total


def fresh_and_placed(
    total: NDArray[np.float64],
    freshness: NDArray[np.float64],
    recommended: NDArray[np.bool_],
    factor: float,
) -> NDArray[np.float64]:
    """``where``."""
    decayed = total * freshness
    return np.where(recommended, factor * decayed, decayed)


def take(values: NDArray[np.generic], index: NDArray[np.int64]) -> NDArray[np.generic]:
    """Fancy indexing."""
    return values[index]


def choose_actions(
    uniform: NDArray[np.float64],
    propensity: NDArray[np.float64],
    rates: NDArray[np.float64],
    codes: NDArray[np.int8],
) -> NDArray[np.int8]:
    """The impressions x 3 matrix: scaled rows, cumulative bounds, three masked writes."""
    p = propensity[:, None] * rates[None, :]
    total = p.sum(axis=1)
    p = np.where(total[:, None] > 1.0, p / np.maximum(total, 1e-300)[:, None], p)
    share_bound, comment_bound, like_bound = np.cumsum(p, axis=1).T
    action = np.full(uniform.size, codes[0], dtype=np.int8)
    action[uniform < like_bound] = codes[1]
    action[uniform < comment_bound] = codes[2]
    action[uniform < share_bound] = codes[3]
    return action


def session_positions(
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


def rows_where(
    member: NDArray[np.bool_], key: NDArray[np.integer], start: int, chunks: int
) -> NDArray[np.int64]:
    """``flatnonzero`` of the gathered marks."""
    return (start + np.flatnonzero(member[key[start:]])).astype(np.int64)


def searchsorted_right(cum: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.int64]:
    """``np.searchsorted(side="right")``."""
    return np.searchsorted(cum, values, side="right").astype(np.int64)


REPLACED = (
    "find_in_rows",
    "top_in_groups",
    "counting_order",
    "merge_candidates",
    "member_rows",
    "searchsorted_right",
    "find_in_member_rows",
    "pair_features",
    "count_at",
    "recommended_draws",
    "weighted_heads",
    "fresh_and_placed",
    "take",
    "choose_actions",
    "session_positions",
    "rows_where",
)
"""Every kernel of :mod:`sim.kernels` the model calls."""
