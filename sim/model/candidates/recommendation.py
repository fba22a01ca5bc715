"""Out-of-network recommendations: each draw picks a topic by the viewer's inferred
weights, then an engaged recent post of that topic by its engagements (docs/model.md 7.6).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels import twin
from sim.kernels.search import guide_table, guided_bisect_right
from sim.model.activity import Sessions
from sim.model.state import State
from sim.scenario import Platform


def recommend(
    state: State,
    sessions: Sessions,
    platform: Platform,
    rng: np.random.Generator,
    excluded: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Out-of-network candidates (viewer, post) of the served members.

    ``Poisson(out_of_network_per_session * c)`` draws per member with c sessions; each picks
    a topic ``P(t) = theta_v,t``, then a post of that topic ``P(p) = e_p / sum e`` among the
    posts created within ``max_age_days`` of the slice's first session that have e_p >= 1
    engagements (LinkedIn FollowFeed 2019). A draw is lost when there is no such post, when
    the post is the viewer's own or created after the session. Two uniforms are drawn per
    draw, used or not. Members `excluded` (per member; an arm without recommendations,
    :func:`sim.model.arms.without_recommendations`) draw none: their mean is 0.
    """
    posts = state.posts
    mean = platform.out_of_network_per_session * sessions.count
    if excluded is not None:
        mean = np.where(excluded[sessions.viewers], 0.0, mean)
    n_draws = rng.poisson(mean)
    owner = np.repeat(np.arange(sessions.viewers.size), n_draws)
    topic_draw = rng.random(owner.size)
    post_draw = rng.random(owner.size)
    if owner.size == 0 or posts.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    oldest = float(sessions.time.min()) - platform.max_age_days
    first = int(np.searchsorted(posts["created"], oldest, side="left"))
    recent = np.arange(first, posts.size)
    weight = (posts["likes"][recent] + posts["comments"][recent] + posts["shares"][recent]).astype(
        np.float64
    )
    recent, weight = recent[weight > 0], weight[weight > 0]
    if recent.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    topic_of = posts["topic"][recent]
    order = np.argsort(topic_of, kind="stable")
    recent, weight, topic_of = recent[order], weight[order], topic_of[order]
    post, ok = recommended_draws(
        np.cumsum(state.theta[sessions.viewers], axis=1),
        owner,
        topic_draw,
        post_draw,
        np.cumsum(weight),
        np.searchsorted(topic_of, np.arange(state.n_topics + 1), side="left"),
        recent,
        posts["created"],
        posts["author"],
        sessions.viewers,
        sessions.time,
    )
    return sessions.viewers[owner[ok]], post[ok]


def _recommended_draws_numpy(
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
    """The draws of :func:`recommend` in whole-array operations: each draw's topic is the
    number of its member's cumulative topic weights below the draw (times their total);
    its post the first of that topic's span of cumulative engagements beyond the second
    draw (``searchsorted``); kept when the topic has weight, the post was created by the
    session and is not the viewer's own."""
    rows = cum_theta[owner]
    topic = np.minimum((rows < topic_draw[:, None] * rows[:, -1:]).sum(axis=1), rows.shape[1] - 1)
    cum0 = np.concatenate([[0.0], cum])
    lo, hi = cum0[topic_start[topic]], cum0[topic_start[topic + 1]]
    width = hi - lo
    pick = np.minimum(np.searchsorted(cum, lo + post_draw * width, side="right"), cum.size - 1)
    post = recent[pick]
    ok = (width > 0) & (post_created[post] <= time[owner]) & (post_author[post] != viewers[owner])
    return post.astype(np.int64), ok


@twin(_recommended_draws_numpy)
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
    row of topic weights and ``searchsorted(cum, value, side="right")``: the value is
    searched in all of `cum` through a guide table (:func:`sim.kernels.search.guide_table`),
    which finds the topic's post, or the neighbouring one where rounding put the value at
    the edge of the topic's range.
    """
    topics = cum_theta.shape[1]
    n = cum.size
    guide, width = guide_table(cum)
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
        found = guided_bisect_right(cum, guide, width, lo + post_draw[i] * (hi - lo))
        p = recent[min(found, n - 1)]
        post[i] = p
        kept[i] = hi - lo > 0 and post_created[p] <= time[o] and post_author[p] != viewers[o]
    return post, kept
