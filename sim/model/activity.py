"""Posting and sessions (docs/model.md 7.4 and 7.7): Poisson arrivals within a time slice."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State
from sim.table_schema import POST_COUNTERS


@dataclass(frozen=True)
class NewPosts:
    """The posts of one slice: their ids, authors and creation times (days)."""

    ids: NDArray[np.int64]
    author: NDArray[np.int64]
    created: NDArray[np.float64]


def create_posts(
    state: State, rng: np.random.Generator, start: float, end: float, window_days: float
) -> NewPosts:
    """The posts of slice [start, end), appended to the post store.

        Posts arrive as the superposition of every member's Poisson process:
        ``count ~ Poisson(sum_i r_i * (end - start))``; each author is drawn ``P(i) = r_i /
        sum_j r_j``, its time uniformly in the slice (sorted, so post ids follow time), its topic
        from the author's true interests ``P(t) = x_i,t`` (MODEL.md 2). The test window ends
        ``window_days`` after creation; the post records the author's current degree and whether
    it is a call to connect (the author follows the trend, :mod:`sim.model.trend`).
    """
    total = float(state.post_cum[-1]) if state.n else 0.0
    count = int(rng.poisson(total * (end - start))) if total > 0 else 0
    if count == 0:
        empty = np.zeros(0, np.int64)
        return NewPosts(empty, empty, np.zeros(0))
    authors = np.searchsorted(state.post_cum, rng.random(count) * total, side="right")
    authors = np.minimum(authors, state.n - 1)
    created = np.sort(start + rng.random(count) * (end - start))
    cum_interest = np.cumsum(state.interest[authors], axis=1)
    topic = (cum_interest < rng.random(count)[:, None] * cum_interest[:, -1:]).sum(axis=1)
    topic = np.minimum(topic, state.n_topics - 1)
    degree = state.ties.degree()
    zeros = np.zeros(count, np.int32)
    ids = state.posts.append(
        author=authors.astype(np.int32),
        topic=topic.astype(np.int16),
        created=created,
        test_end=created + window_days,
        author_connections=degree[authors].astype(np.int32),
        call=False if state.trend is None else state.trend.adopted[authors],
        **{name: zeros for name in POST_COUNTERS},
    )
    return NewPosts(ids, authors, created)


@dataclass(frozen=True)
class Sessions:
    """The members served in one slice: who, when (their first session), how many sessions."""

    viewers: NDArray[np.int64]
    time: NDArray[np.float64]
    count: NDArray[np.int64]


def draw_sessions(
    state: State,
    rng: np.random.Generator,
    start: float,
    end: float,
    max_per_slice: int,
    extra: tuple[NDArray[np.int64], NDArray[np.float64]] | None = None,
) -> Sessions:
    """The feed sessions of slice [start, end), merged per member.

    ``count ~ Poisson(sum_i s_i * (end - start))`` sessions, each of a member drawn
    ``P(i) = s_i / sum_j s_j`` at a uniform time; `extra` sessions (members, times: those
    notifications bring, :func:`sim.model.notifications.due_sessions`) join them. A member
    with c sessions in the slice is served once, at its first session time, for
    ``min(c, max_per_slice)`` sessions (docs/model.md 11.1). The draws are made even when
    the count is 0.
    """
    total = float(state.session_cum[-1])
    count = int(rng.poisson(total * (end - start)))
    draws = rng.random(count)
    times = start + rng.random(count) * (end - start)
    members = np.minimum(
        np.searchsorted(state.session_cum, draws * total, side="right"), state.n - 1
    )
    if extra is not None:
        members = np.concatenate([members, extra[0]])
        times = np.concatenate([times, extra[1]])
    if members.size == 0:
        empty = np.zeros(0, np.int64)
        return Sessions(empty, np.zeros(0), empty)
    order = np.lexsort((times, members))
    members, times = members[order], times[order]
    viewers, first, per_member = np.unique(members, return_index=True, return_counts=True)
    return Sessions(viewers, times[first], np.minimum(per_member, max_per_slice))
