"""Helpers the funnel and audience observers share: (viewer, post) and (author, viewer)
pairs as sorted int64 keys, membership in sorted keys, and the follow graph seen from
both ends (numpy only, no loop over members or rows)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State

SHIFT = 32
"""Pairs are keys ``first << SHIFT | second``: member and post ids stay below 2^31."""
LOW = (1 << SHIFT) - 1


def pair_keys(first: NDArray[np.integer], second: NDArray[np.integer]) -> NDArray[np.int64]:
    """The keys ``first << 32 | second`` (ascending in (first, second))."""
    return (np.asarray(first, np.int64) << SHIFT) | np.asarray(second, np.int64)


def split_keys(keys: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The two halves of pair keys: (first, second)."""
    return keys >> SHIFT, keys & LOW


def found_in(sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]) -> NDArray[np.int64]:
    """Position of each of `keys` in `sorted_keys` (ascending, distinct), or -1."""
    if sorted_keys.size == 0:
        return np.full(keys.size, -1, np.int64)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.where(sorted_keys[at] == keys, at, -1).astype(np.int64)


def ranges(lo: NDArray[np.int64], hi: NDArray[np.int64]) -> tuple[NDArray[np.int64], ...]:
    """Every index of ``lo[i]:hi[i]`` for every i: (i of each index, the index)."""
    count = hi - lo
    owner = np.repeat(np.arange(lo.size, dtype=np.int64), count)
    start = np.cumsum(count) - count
    return owner, lo[owner] + np.arange(owner.size, dtype=np.int64) - start[owner]


def follow_pairs(state: State) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every follow as (follower, followee), from the index the run holds
    (:class:`sim.model.state.State`): grouped by follower under ``platform.followers: pull``,
    by followee under ``audience``."""
    if state.followees.size:
        counts = np.diff(state.follow_ptr)
        follower = np.repeat(np.arange(state.n, dtype=np.int64), counts)
        return follower, state.followees.astype(np.int64)
    followee = np.repeat(np.arange(state.n, dtype=np.int64), np.diff(state.follower_ptr))
    return state.followers.astype(np.int64), followee


def follow_keys(state: State) -> NDArray[np.int64]:
    """Every follow as ``follower * n + followee``, ascending."""
    follower, followee = follow_pairs(state)
    return np.sort(follower * state.n + followee)


def followers_index(state: State) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The follow graph by followee: member a is followed by
    ``followers[ptr[a]:ptr[a + 1]]`` (ascending); returns (ptr, followers)."""
    if not state.followees.size:
        return state.follower_ptr, state.followers.astype(np.int64)
    follower, followee = follow_pairs(state)
    order = np.argsort(followee, kind="stable")
    counts = np.bincount(followee, minlength=state.n)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return ptr, follower[order]


def followers_not_connected(state: State) -> NDArray[np.int64]:
    """Per member: the members following it who are not connected to it now."""
    follower, followee = follow_pairs(state)
    apart = state.ties.lookup(follower, followee) < 0
    return np.bincount(followee[apart], minlength=state.n).astype(np.int64)
