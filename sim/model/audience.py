"""Test audience and wider distribution (docs/model.md 7.5; the practitioner-described
"golden hour", calibration-sources.md 4).

Two structural choices LinkedIn never published are options of ``platform.test_audience``,
each a pure function below, dispatched from one place each: who is in the test audience
(``draw``: :func:`uniform_inclusion` or :func:`affinity_inclusion`, via :func:`inclusion`)
and how far a post spreads after its window (``expansion``: :func:`threshold_share` or
:func:`growth_factor` and :func:`growth_share`, via :func:`expansion_share`). A third,
of ``platform.followers``, is whether an author's followers are part of its network, the
members its posts can reach (:func:`author_network`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels import twin
from sim.model.state import State
from sim.scenario import TestAudience
from sim.sources import EXPANSION, FOLLOW, NETWORK

GUARD = 1e-12
"""Smallest divisor used where a parameter may be 0 (a numerical guard, not a parameter)."""


def uniform_inclusion(fraction: float, size: int) -> NDArray[np.float64]:
    """Each of `size` connections is in the test audience with probability ``p_j = f``
    (f = ``fraction``; practitioners: a "small sample" of one's network, calibration-sources.md
    1 and 4.2, L)."""
    return np.full(size, fraction)


def affinity_inclusion(
    fraction: float, owner: NDArray[np.int64], weight: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Inclusion probabilities proportional to a weight, per post (calibration-sources.md 4.2:
    "sampled ∝ affinity"; a modelling proposal, L).

    Connection j of the post ``u = owner_j``, one of its ``n_u`` connections, is in the test
    audience with ``p_j = min(1, f n_u w_j / sum_{k in N(u)} w_k)``: the expected size is
    ``f n_u``, as with :func:`uniform_inclusion`, less what the cap at 1 cuts off. A post whose
    connections all weigh 0 falls back to ``p_j = f``.
    """
    count = np.bincount(owner).astype(np.float64)
    total = np.bincount(owner, weights=weight)
    scale = np.divide(fraction * count, total, out=np.zeros_like(total), where=total > 0)
    weighted = np.minimum(1.0, weight * scale[owner])
    return np.where(total[owner] > 0, weighted, fraction)


@dataclass(frozen=True)
class Network:
    """The members a set of new posts can reach, one row per (post, member), by post: each
    author's connections, then (under ``platform.followers: audience``) its followers (the
    waiting store is kept in post order).

    Attributes:
        owner: the post of each row (an index into the new posts).
        viewer: the member reached.
        edge: the tie author -> viewer of a connection; -1 for a follower.
        route: the route of the row: ``network`` for connections, ``follow`` for followers.
    """

    owner: NDArray[np.int64]
    viewer: NDArray[np.int64]
    edge: NDArray[np.int64]
    route: NDArray[np.int8]


def author_network(state: State, authors: NDArray[np.int64], followers: bool) -> Network:
    """The network of each author: its connections (``state.ties``) and, when `followers`,
    its followers (``state.followers``; LinkedIn: a connection is also a follower and both
    are the author's network, LinkedIn Engineering 2019, FollowFeed; docs/model.md 7.18).
    Each author's connections come first, then its followers (:func:`network_rows`)."""
    owner, edge = state.ties.rows(authors)
    if not followers:
        viewer = state.ties.dst[edge].astype(np.int64)
        return Network(owner, viewer, edge, np.full(edge.size, NETWORK, np.int8))
    owner, viewer, edge = network_rows(
        owner, edge, state.ties.dst, state.follower_ptr, state.followers, authors
    )
    return Network(owner, viewer, edge, np.where(edge >= 0, NETWORK, FOLLOW).astype(np.int8))


def _network_rows_numpy(
    owner: NDArray[np.int64],
    edge: NDArray[np.int64],
    tie_dst: NDArray[np.int32],
    follower_ptr: NDArray[np.int64],
    followers: NDArray[np.int32],
    authors: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The ties' rows and the followers' rows concatenated, in a stable order by author."""
    count = follower_ptr[authors + 1] - follower_ptr[authors]
    follow_owner = np.repeat(np.arange(authors.size, dtype=np.int64), count)
    first = np.repeat(follower_ptr[authors] - np.cumsum(count) + count, count)
    follower = followers[first + np.arange(follow_owner.size)].astype(np.int64)
    both = np.concatenate([owner, follow_owner])
    by_author = np.argsort(both, kind="stable")
    return (
        both[by_author],
        np.concatenate([tie_dst[edge].astype(np.int64), follower])[by_author],
        np.concatenate([edge, np.full(follower.size, -1, np.int64)])[by_author],
    )


@twin(_network_rows_numpy)
@njit(cache=True, nogil=True, parallel=True)
def network_rows(  # pragma: no cover - compiled
    owner: NDArray[np.int64],
    edge: NDArray[np.int64],
    tie_dst: NDArray[np.int32],
    follower_ptr: NDArray[np.int64],
    followers: NDArray[np.int32],
    authors: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The rows of each author's network, author by author: its ties (`owner`, the position of
    each tie's author in `authors`, ascending, and `edge`, the tie), then its followers
    (``followers[follower_ptr[a]:follower_ptr[a + 1]]`` for author a, edge -1). Returns the
    owner, the member reached (``tie_dst[edge]`` or the follower) and the edge of each row.
    Authors are written on all cores, each into its own part of the arrays."""
    n = authors.size
    tie_start = np.zeros(n + 1, np.int64)
    for j in range(owner.size):
        tie_start[owner[j] + 1] += 1
    start = np.zeros(n + 1, np.int64)
    for i in range(n):
        ties = tie_start[i + 1]
        tie_start[i + 1] += tie_start[i]
        follows = follower_ptr[authors[i] + 1] - follower_ptr[authors[i]]
        start[i + 1] = start[i] + ties + follows
    row_owner = np.empty(start[n], np.int64)
    row_viewer = np.empty(start[n], np.int64)
    row_edge = np.empty(start[n], np.int64)
    for i in prange(n):
        at = start[i]
        for j in range(tie_start[i], tie_start[i + 1]):
            row_owner[at] = i
            row_viewer[at] = tie_dst[edge[j]]
            row_edge[at] = edge[j]
            at += 1
        for f in range(follower_ptr[authors[i]], follower_ptr[authors[i] + 1]):
            row_owner[at] = i
            row_viewer[at] = followers[f]
            row_edge[at] = -1
            at += 1
    return row_owner, row_viewer, row_edge


def inclusion(state: State, audience: TestAudience, network: Network) -> NDArray[np.float64]:
    """Test-audience probability of each member of a post's `network`, by ``audience.draw``.
    For ``affinity`` the weight is ``affinity_floor`` plus the stored (not decayed) estimated
    affinity viewer -> author (0 for a follower, who has no tie)."""
    if audience.draw == "affinity":
        connected = network.edge >= 0
        stored = np.zeros(network.edge.size)
        stored[connected] = state.ties.affinity[state.ties.reverse(network.edge[connected])]
        weight = audience.affinity_floor + stored
        return affinity_inclusion(audience.fraction, network.owner, weight)
    return uniform_inclusion(audience.fraction, network.edge.size)


def send_to_test_audience(
    state: State,
    audience: TestAudience,
    ids: NDArray[np.int64],
    authors: NDArray[np.int64],
    created: NDArray[np.float64],
    rng: np.random.Generator,
    bypass: NDArray[np.bool_] | None = None,
    followers: bool = False,
) -> None:
    """Deliver new posts to their test audience; the rest of the author's network waits.

    The author's network is its connections and, when `followers` (``platform.followers:
    audience``), its followers (:func:`author_network`). Each member j of it draws ``u_j ~
    U(0, 1)`` and is in the test audience when ``u_j < p_j`` (:func:`inclusion`: ``p_j = f``
    = ``fraction`` for ``draw: uniform``): a pool row available at once, route ``network``
    for a connection and ``follow`` for a follower. The others are kept with ``(u_j - p_j) /
    (1 - p_j)``, uniform again, for :func:`expand_tested`. Both draws use one uniform per
    member of the network, so the stream is the same whichever is chosen. With the test
    audience off every member of the network gets its row at once and nothing is drawn.
    Members whose arm `bypass`es the test audience (per member;
    :func:`sim.model.arms.bypassing`) get their row whatever their draw, and never wait.
    """
    network = author_network(state, authors, followers)
    owner, viewer, route = network.owner, network.viewer, network.route
    if not audience.enabled:
        state.pool.append(
            viewer=viewer, post=ids[owner], route=route, available=created[owner], consumed=False
        )
        return
    draw = rng.random(owner.size)
    chance = inclusion(state, audience, network)
    tested = draw < chance
    if bypass is not None:
        tested |= bypass[viewer]
    now, later = split_tested(
        tested, owner, viewer, route, ids, created, draw, chance, (NETWORK, EXPANSION, FOLLOW)
    )
    state.pool.append(
        viewer=now.viewer, post=now.post, route=now.route, available=now.time, consumed=False
    )
    state.waiting.append(viewer=later.viewer, post=later.post, draw=later.time, route=later.route)


class Rows(NamedTuple):
    """Rows of a post for one of its network's members: the member, the post, the route and
    a time (the tested: available from; the waiting: the rescaled draw)."""

    viewer: NDArray[np.int64]
    post: NDArray[np.int64]
    route: NDArray[np.int8]
    time: NDArray[np.float64]


def _split_tested_numpy(
    tested: NDArray[np.bool_],
    owner: NDArray[np.int64],
    viewer: NDArray[np.int64],
    route: NDArray[np.int8],
    ids: NDArray[np.int64],
    created: NDArray[np.float64],
    draw: NDArray[np.float64],
    chance: NDArray[np.float64],
    routes: tuple[int, int, int],
) -> tuple[Rows, Rows]:
    """Boolean indexing of each column, whole-array."""
    network, expansion, follow = routes
    post = ids[owner]
    rest = ~tested
    scaled = (draw[rest] - chance[rest]) / np.maximum(1.0 - chance[rest], GUARD)
    later = np.where(route[rest] == network, expansion, follow).astype(np.int8)
    return (
        Rows(viewer[tested], post[tested], route[tested], created[owner][tested]),
        Rows(viewer[rest], post[rest], later, scaled),
    )


@twin(_split_tested_numpy)
@njit(cache=True, nogil=True)
def split_tested(  # pragma: no cover - compiled
    tested: NDArray[np.bool_],
    owner: NDArray[np.int64],
    viewer: NDArray[np.int64],
    route: NDArray[np.int8],
    ids: NDArray[np.int64],
    created: NDArray[np.float64],
    draw: NDArray[np.float64],
    chance: NDArray[np.float64],
    routes: tuple[int, int, int],
) -> tuple[Rows, Rows]:
    """The network's rows (post ``ids[owner]``) split in one pass: the `tested` rows
    (available at the post's creation, their route kept), and the waiting ones, each with its
    draw rescaled to ``(u_j - p_j) / max(1 - p_j, GUARD)`` and the route its expansion gives
    (`routes`: network, expansion, follow; a network row waits as an expansion row, a
    follower's as a follow row)."""
    network, expansion, follow = routes
    n = tested.size
    k = 0
    for j in range(n):
        k += tested[j]
    now = Rows(np.empty(k, np.int64), np.empty(k, np.int64), np.empty(k, np.int8), np.empty(k))
    later = Rows(
        np.empty(n - k, np.int64),
        np.empty(n - k, np.int64),
        np.empty(n - k, np.int8),
        np.empty(n - k),
    )
    a = b = 0
    for j in range(n):
        if tested[j]:
            now.viewer[a], now.post[a], now.route[a] = viewer[j], ids[owner[j]], route[j]
            now.time[a] = created[owner[j]]
            a += 1
        else:
            later.viewer[b], later.post[b] = viewer[j], ids[owner[j]]
            later.route[b] = expansion if route[j] == network else follow
            later.time[b] = (draw[j] - chance[j]) / max(1.0 - chance[j], GUARD)
            b += 1
    return now, later


def threshold_share(rate: NDArray[np.float64], target_rate: float) -> NDArray[np.float64]:
    """Share of the waiting connections a post reaches: ``s = min(1, r / target_rate)``
    (calibration-sources.md 4: expansion by observed engagement; the rule is a modelling
    choice)."""
    return np.minimum(1.0, rate / max(target_rate, GUARD))


def growth_factor(
    rate: NDArray[np.float64], expected_rate: float, exponent: float, lowest: float, highest: float
) -> NDArray[np.float64]:
    """Growth of a post's audience after its test: ``g = clip((r / r_e)^gamma, g_min, g_max)``
    with r the observed and r_e the expected engagement rate (calibration-sources.md 4.2;
    practitioner-described, L; the form is a modelling choice)."""
    ratio = rate / max(expected_rate, GUARD)
    return np.clip(ratio**exponent, lowest, highest)


def growth_share(factor: NDArray[np.float64], fraction: float) -> NDArray[np.float64]:
    """Share of the waiting connections that an audience grown by ``g`` adds:
    ``s = clip((g - 1) f / (1 - f), 0, 1)``. The test reached about ``f n`` of the author's n
    connections; ``g f n`` in all means ``(g - 1) f n`` more of the ``(1 - f) n`` waiting."""
    return np.clip((factor - 1.0) * fraction / max(1.0 - fraction, GUARD), 0.0, 1.0)


def expansion_share(audience: TestAudience, rate: NDArray[np.float64]) -> NDArray[np.float64]:
    """Share of the waiting connections reached, by ``audience.expansion``: ``threshold``
    (:func:`threshold_share`) or ``growth`` (:func:`growth_factor` with the prior rate as the
    expected rate, then :func:`growth_share`)."""
    if audience.expansion == "growth":
        factor = growth_factor(
            rate,
            audience.prior_rate,
            audience.growth_exponent,
            audience.growth_min,
            audience.growth_max,
        )
        return growth_share(factor, audience.fraction)
    return threshold_share(rate, audience.target_rate)


def expand_tested(state: State, audience: TestAudience, now: float) -> None:
    """Posts whose test window has ended by `now` reach the rest of the author's connections.

    The platform's estimate of a post's engagement rate is smoothed toward a prior:
    ``r = (e + n0 r0) / (i + n0)`` from e engagements (likes, comments, shares) in i
    impressions; each waiting connection receives an ``expansion`` row, available from the
    end of the test window, when its rescaled uniform is below the share
    :func:`expansion_share` gives (``min(1, r / target_rate)`` for ``expansion: threshold``):
    route ``expansion`` for a connection, ``follow`` for a follower.
    """
    if not audience.enabled:
        return
    posts = state.posts
    test_end = posts["test_end"]
    stop = int(np.searchsorted(test_end, now, side="left"))
    if stop <= state.next_undecided:
        return
    decided = slice(state.next_undecided, stop)
    engagements = (
        posts["likes"][decided] + posts["comments"][decided] + posts["shares"][decided]
    ).astype(np.float64)
    impressions = posts["impressions"][decided].astype(np.float64)
    rate = (engagements + audience.prior_impressions * audience.prior_rate) / (
        impressions + audience.prior_impressions
    )
    share = expansion_share(audience, rate)
    waiting = state.waiting
    n_rows = int(np.searchsorted(waiting["post"], stop, side="left"))
    post = waiting["post"][:n_rows]
    chosen = waiting["draw"][:n_rows] < share[post - state.next_undecided]
    state.pool.append(
        viewer=waiting["viewer"][:n_rows][chosen],
        post=post[chosen],
        route=waiting["route"][:n_rows][chosen],
        available=test_end[post[chosen]],
        consumed=False,
    )
    waiting.drop_first(n_rows)
    state.next_undecided = stop
