"""The candidate pool's routes and upkeep: tag notifications and activity fan-out put rows
in, shown pairs are consumed and stale rows forgotten (docs/model.md 7.8, 7.17 and 11.2).

The test audience and its expansion put rows in too (:mod:`sim.model.audience`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.behaviour import SHARE
from sim.kernels import twin
from sim.model.candidates.merge import Gathered
from sim.model.state import State
from sim.network import PEER_KINDS
from sim.scenario import Behaviour
from sim.sources import ACTIVITY, FOLLOW, RECOMMENDED, TAG


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
    shares_only: NDArray[np.bool_] | None = None,
) -> None:
    """Network activity ("X likes this"): each connection j of an engager other than the
    post's author gets an ``activity`` row, available from the engagement time, when
    ``u_j < phi(action)`` (``activity_fanout_*``; u_j one uniform per connection). A
    connection whose arm takes `shares_only` (per member; :func:`sim.model.arms.shares_only`)
    gets rows for shares alone."""
    owner, edge = state.ties.rows(engager)
    recipient = state.ties.dst[edge].astype(np.int64)
    draw = rng.random(edge.size)
    fanout = fanout_by_action(params)
    keep = (draw < fanout[action[owner]]) & (recipient != state.posts["author"][post[owner]])
    if shares_only is not None:
        keep &= ~shares_only[recipient] | (action[owner] == SHARE)
    state.pool.append(
        viewer=recipient[keep],
        post=post[owner][keep],
        route=ACTIVITY,
        available=when[owner][keep],
        consumed=False,
    )


def mark_shown(
    state: State, g: Gathered, shown: NDArray[np.int64], now: NDArray[np.float64]
) -> None:
    """Shown pairs are consumed: their pool rows are marked, and a shown recommendation or
    followed account's post is stored as a consumed row, so no post is shown to a member
    twice (docs/model.md 11.2)."""
    pool = state.pool
    is_shown = np.zeros(g.viewer.size, bool)
    is_shown[shown] = True
    mark_consumed(pool["consumed"], g.rows, g.row_candidate, is_shown)
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


def _mark_consumed_numpy(
    consumed: NDArray[np.bool_],
    rows: NDArray[np.int64],
    row_candidate: NDArray[np.int64],
    is_shown: NDArray[np.bool_],
) -> None:
    """Fancy indexing, with a last entry of `is_shown` for the dropped rows (-1)."""
    shown_or_dropped = np.append(is_shown, False)
    consumed[rows[shown_or_dropped[row_candidate]]] = True


@twin(_mark_consumed_numpy)
@njit(cache=True, nogil=True, parallel=True)
def mark_consumed(  # pragma: no cover - compiled
    consumed: NDArray[np.bool_],
    rows: NDArray[np.int64],
    row_candidate: NDArray[np.int64],
    is_shown: NDArray[np.bool_],
) -> None:
    """Mark consumed the pool rows (`rows`, distinct) whose candidate (`row_candidate`; -1:
    dropped) was shown, on all cores."""
    for j in prange(rows.size):
        c = row_candidate[j]
        if c >= 0 and is_shown[c]:
            consumed[rows[j]] = True


def expected_rows(state: State, max_age_days: float) -> int:
    """Room for the pool's rows at their most, so that it need not grow while the run goes
    (:meth:`sim.stores.Columns.reserve`; the room changes the run's speed and memory, never
    its tables).

    A post by member i is delivered to at most its network, its k_i connections and, when
    followers are in authors' audiences, its f_i followers, so the pool gains at most
    ``R = sum_i r_i (k_i + f_i)`` rows a day (r_i: posts a day); they are listed for
    ``max_age_days`` and a day's rows wait for the daily regroup, so it holds at most about
    ``(max_age_days + 1) R`` rows. Activity fan-out, tags and shown recommendations add
    rows, and the network grows as members link, so the room is half as much again:
    ``1.5 (max_age_days + 1) R``. Measured at 100,000 members (docs/performance.md):
    R = 4.9 million, and the pool held at most 18.5 million rows before a regroup, against
    the bound's 19.6 million.
    """
    followers = np.diff(state.follower_ptr)
    per_day = float(np.dot(state.post_rate, state.ties.degree() + followers))
    return int(1.5 * (max_age_days + 1) * per_day)


def forget_expired(state: State, now: float, max_age_days: float) -> None:
    """Drop pool rows of posts created before ``now - max_age_days``; a tag notification
    stays until it is seen (docs/model.md 7.17; most engagement comes in a post's first day,
    calibration-sources.md 1). The rows left are regrouped by viewer, so that a slice finds
    its members' rows without scanning the pool."""
    pool = state.pool
    if pool.size:
        since = now - max_age_days
        kept = still_listed(
            pool["post"], pool["route"], pool["consumed"], state.posts["created"], since, TAG
        )
        pool.regroup(keep=kept)


def _still_listed_numpy(
    post: NDArray[np.int32],
    route: NDArray[np.int8],
    consumed: NDArray[np.bool_],
    created: NDArray[np.float64],
    since: float,
    tag: int,
) -> NDArray[np.bool_]:
    """A gather of the creation times and the masks, whole-array."""
    kept: NDArray[np.bool_] = (created[post] >= since) | ((route == tag) & ~consumed)
    return kept


@twin(_still_listed_numpy)
@njit(cache=True, nogil=True, parallel=True)
def still_listed(  # pragma: no cover - compiled
    post: NDArray[np.int32],
    route: NDArray[np.int8],
    consumed: NDArray[np.bool_],
    created: NDArray[np.float64],
    since: float,
    tag: int,
) -> NDArray[np.bool_]:
    """Which pool rows stay: their post was created at `since` or later, or the row is an
    unread notification of route `tag`; on all cores."""
    kept = np.empty(post.size, np.bool_)
    for r in prange(post.size):
        kept[r] = created[post[r]] >= since or (route[r] == tag and not consumed[r])
    return kept
