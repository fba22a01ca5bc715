"""Candidate routes, out-of-network recommendations, scoring and top-K (docs/model.md 7.6,
7.8, 7.9, 7.13 and 7.17).

Routes put rows into the pool (tags, activity fan-out; the test audience and its expansion
are in :mod:`sim.model.audience`); a session gathers its pool rows and recommendations into
one candidate per (viewer, post), the ranker scores them and the top c x K are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim import beliefs, kernels, ranking
from sim.model.activity import Sessions
from sim.model.state import State
from sim.network import PEER_KINDS
from sim.scenario import Behaviour, Platform
from sim.sources import (
    ACTIVITY,
    FOLLOW,
    FOLLOWED,
    NETWORK,
    OUT_OF_NETWORK,
    RECOMMENDED,
    SECOND_DEGREE,
    TAG,
)


def notify_tagged(
    state: State, authors: NDArray[np.int64], ids: NDArray[np.int64], created: NDArray[np.float64]
) -> None:
    """#Taggen (seed tip 4): an author who tags names, on each post, its ``tag_count`` peers
    (non-stranger ties) of highest *stored* affinity (ties: lower partner id); each gets a
    ``tag`` pool row, available at once."""
    ties = state.ties
    for i in np.flatnonzero(state.tag_count[authors] > 0):
        author = int(authors[i])
        _, edges = ties.rows(np.array([author]))
        peers = edges[ties.kind[edges] < len(PEER_KINDS)]
        if peers.size == 0:
            continue
        best = peers[np.argsort(-ties.affinity[peers], kind="stable")]
        chosen = ties.dst[best[: state.tag_count[author]]]
        state.pool.append(
            viewer=chosen, post=int(ids[i]), route=TAG, available=float(created[i]), consumed=False
        )


def fanout_by_action(params: Behaviour) -> NDArray[np.float64]:
    """Share of an engager's connections shown the engagement, indexed by action code
    (:data:`sim.behaviour.ACTIONS`; none: 0)."""
    return np.array(
        [
            0.0,
            params.activity_fanout_like,
            params.activity_fanout_comment,
            params.activity_fanout_share,
        ]
    )


def spread_activity(
    state: State,
    engager: NDArray[np.int64],
    post: NDArray[np.int64],
    action: NDArray[np.int8],
    when: NDArray[np.float64],
    params: Behaviour,
    rng: np.random.Generator,
) -> None:
    """Network activity ("X likes this"): each connection j of an engager other than the
    post's author gets an ``activity`` row, available from the engagement time, when
    ``u_j < phi(action)`` (``activity_fanout_*``; u_j one uniform per connection)."""
    owner, edge = state.ties.rows(engager)
    recipient = state.ties.dst[edge].astype(np.int64)
    draw = rng.random(edge.size)
    fanout = fanout_by_action(params)
    keep = (draw < fanout[action[owner]]) & (recipient != state.posts["author"][post[owner]])
    state.pool.append(
        viewer=recipient[keep],
        post=post[owner][keep],
        route=ACTIVITY,
        available=when[owner][keep],
        consumed=False,
    )


def recommend(
    state: State, sessions: Sessions, platform: Platform, rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Out-of-network candidates (viewer, post) of the served members.

    ``Poisson(out_of_network_per_session * c)`` draws per member with c sessions; each picks
    a topic ``P(t) = theta_v,t``, then a post of that topic ``P(p) = e_p / sum e`` among the
    posts created within ``max_age_days`` of the slice's first session that have e_p >= 1
    engagements (LinkedIn FollowFeed 2019). A draw is lost when there is no such post, when
    the post is the viewer's own or created after the session. Two uniforms are drawn per
    draw, used or not.
    """
    posts = state.posts
    n_draws = rng.poisson(platform.out_of_network_per_session * sessions.count)
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
    post, ok = kernels.recommended_draws(
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
    exempt). Requires ``state.is_session`` and ``state.session_slot`` of the slice.
    """
    pool, posts = state.pool, state.posts
    n_slots = sessions.viewers.size
    lo, hi, tail = pool.spans_of(sessions.viewers, state.is_session)
    tail_slot = state.session_slot[pool["viewer"][tail]]
    tail = tail[np.argsort(tail_slot, kind="stable")]
    rec_viewer, rec_post = recommended
    no_posts = (np.zeros(state.n + 1, np.int64), rec_post[:0])
    post_start, by_author = followed if followed is not None else no_posts
    merged = kernels.merge_candidates(
        lo,
        hi,
        _slot_ptr(tail_slot, n_slots),
        tail,
        pool["post"],
        pool["route"],
        pool["available"],
        pool["consumed"],
        state.follow_ptr,
        state.followees,
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


def candidate_features(
    state: State, g: Gathered, now: NDArray[np.float64], half_life_days: float
) -> ranking.Candidates:
    """What the ranker sees of each candidate at its session time `now`.

    source = the tie kind when viewer and author are connected, else ``follow`` when the
    viewer follows the author, ``out_of_network`` for recommendations and ``second_degree``
    otherwise; affinity = the decayed estimate
    ``a 2^(-(now - t_a) / h)`` (0 when not connected; MODEL.md 3.5); belief =
    ``theta_v,topic / max_t theta_v,t``; age = now - created.
    """
    ties, posts = state.ties, state.posts
    edge = ties.lookup_grouped(g.served, g.starts, g.author)
    source, topic, age, belief, value, since = kernels.pair_features(
        edge,
        g.route,
        g.post,
        g.starts,
        g.served,
        now,
        ties.kind,
        ties.affinity,
        ties.affinity_time,
        posts["topic"],
        posts["created"],
        state.theta,
        np.array([FOLLOW, RECOMMENDED, FOLLOWED, OUT_OF_NETWORK, SECOND_DEGREE], np.int8),
    )
    connected = edge >= 0
    affinity = np.zeros(edge.size)
    affinity[connected] = beliefs.decayed(
        value[connected], since[connected], now[connected], half_life_days
    )
    return ranking.Candidates(
        viewer=g.viewer,
        post=g.post,
        topic=topic,
        route=g.route,
        source=source,
        edge=edge,
        age=age,
        affinity=affinity,
        belief=belief,
        proof=g.proof,
    )


def select_feed(
    c: ranking.Candidates,
    limit: NDArray[np.int64],
    platform: Platform,
    rng: np.random.Generator,
    starts: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Score the candidates (:func:`sim.ranking.score`) and keep each viewer's top
    ``limit`` (c x K), tag notifications pinned first, ties in score to the lower post id
    (:func:`sim.ranking.top_per_viewer`; docs/model.md 7.9; `starts`: where each served
    member's candidates start, as gathered). Returns the shown rows and their ranks."""
    scores = ranking.score(platform, c, rng)
    pinned = c.route == TAG
    return ranking.top_per_viewer(c.viewer, scores, c.post, limit, pinned, starts)


def mark_shown(
    state: State, g: Gathered, shown: NDArray[np.int64], now: NDArray[np.float64]
) -> None:
    """Shown pairs are consumed: their pool rows are marked, and a shown recommendation or
    followed account's post is stored as a consumed row, so no post is shown to a member
    twice (docs/model.md 11.2)."""
    pool = state.pool
    is_shown = np.zeros(g.viewer.size + 1, bool)  # the last entry stands for dropped rows
    is_shown[shown] = True
    pool["consumed"][g.rows[is_shown[g.row_candidate]]] = True
    pulled = (g.route[shown] == RECOMMENDED) | (g.route[shown] == FOLLOW)
    recommended_only = shown[pulled]
    if recommended_only.size:
        pool.append(
            viewer=g.viewer[recommended_only],
            post=g.post[recommended_only],
            route=g.route[recommended_only],
            available=now[recommended_only],
            consumed=True,
        )


def forget_expired(state: State, now: float, max_age_days: float) -> None:
    """Drop pool rows of posts created before ``now - max_age_days``; a tag notification
    stays until it is seen (docs/model.md 7.17; most engagement comes in a post's first day,
    calibration-sources.md 1). The rows left are regrouped by viewer, so that a slice finds
    its members' rows without scanning the pool."""
    pool = state.pool
    if pool.size:
        fresh = state.posts["created"][pool["post"]] >= now - max_age_days
        unread_tag = (pool["route"] == TAG) & ~pool["consumed"]
        pool.regroup(keep=fresh | unread_tag)
