"""What the ranker sees of each candidate (source classification, topic, age, belief,
affinity), and the feed it selects from them (docs/model.md 7.9).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim import beliefs, ranking
from sim.kernels import twin
from sim.model.candidates.merge import Gathered
from sim.model.state import State
from sim.scenario import Platform
from sim.sources import FOLLOW, FOLLOWED, OUT_OF_NETWORK, RECOMMENDED, SECOND_DEGREE, TAG


def candidate_features(
    state: State,
    g: Gathered,
    now: NDArray[np.float64],
    half_life_days: float,
    edge: NDArray[np.int64] | None = None,
) -> ranking.Candidates:
    """What the ranker sees of each candidate at its session time `now`.

    source = the tie kind when viewer and author are connected, else ``follow`` when the
    viewer follows the author, ``out_of_network`` for recommendations and ``second_degree``
    otherwise; affinity = the decayed estimate
    ``a 2^(-(now - t_a) / h)`` (0 when not connected; MODEL.md 3.5); belief =
    ``theta_v,topic / max_t theta_v,t``; age = now - created. `edge`: the tie viewer ->
    author of each candidate when the first pass has looked it up (None: looked up here).
    """
    ties, posts = state.ties, state.posts
    if edge is None:
        edge = ties.lookup_grouped(g.served, g.starts, g.author)
    source, topic, age, belief, value, since = pair_features(
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
    arm: NDArray[np.int8] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Score the candidates (:func:`sim.ranking.score`) and keep each viewer's top
    ``limit`` (c x K), tag notifications pinned first, ties in score to the lower post id
    (:func:`sim.ranking.top_per_viewer`; docs/model.md 7.9; `starts`: where each served
    member's candidates start, as gathered). With randomised arms (`arm`: each member's arm
    index) each viewer's rows are scored by its arm's preset
    (:func:`sim.ranking.score_by_arm`). Returns the shown rows and their ranks."""
    if arm is None or not platform.arms:
        scores = ranking.score(platform, c, rng)
    else:
        scores = ranking.score_by_arm(platform, c, rng, arm[c.viewer], platform.arm_rankers)
    pinned = c.route == TAG
    return ranking.top_per_viewer(c.viewer, scores, c.post, limit, pinned, starts)


def _pair_features_numpy(
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
    """What the ranker sees of each pair (see :func:`pair_features`), in whole-array
    operations: source classification by two ``where`` over the route where not connected,
    then the tie's kind where connected; gathers of the post's topic, creation time and the
    tie's affinity; the belief over the row maximum of the viewers' topic weights."""
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


@twin(_pair_features_numpy)
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
    follow_route, recommended_route, followed, out_of_network, second_degree = codes
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
