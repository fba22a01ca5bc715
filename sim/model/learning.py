"""The platform's learning (docs/model.md 7.11 and 7.12): estimated affinity and first
interactions from engagements, inferred topic weights from engagements, new ties and (with
``removal_signal``) removed ones."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim import beliefs
from sim.arrays import distinct
from sim.scenario import Affinity, Inference
from sim.ties import Ties


def remember_interactions(
    ties: Ties,
    edge: NDArray[np.int64],
    when: NDArray[np.float64],
    half_life_days: float,
    params: Affinity,
) -> None:
    """First interaction of each tie (both directions) and the platform's affinity counts.

    An engagement at time t sets ``first_interaction = min(first_interaction, t)`` on both
    directions (an earlier engagement supersedes a scheduled exchange). Affinity viewer ->
    author is an exponentially decayed interaction count:
    ``a <- a 2^(-dt / h) + per_interaction`` (MODEL.md 3.5; h = ``affinity_half_life_days``),
    all edges of one call decayed to its latest engagement. Edges -1 (no tie) are skipped.
    """
    edge, when = edge[edge >= 0], when[edge >= 0]
    if edge.size == 0:
        return
    both = np.concatenate([edge, ties.reverse(edge)])
    both_when = np.concatenate([when, when]).astype(np.float32)
    np.fmin.at(ties.first_interaction, both, both_when)
    unique_edges = distinct(edge)
    now = when.max()
    ties.affinity[unique_edges] = beliefs.decayed(
        ties.affinity[unique_edges], ties.affinity_time[unique_edges], float(now), half_life_days
    ).astype(np.float32)
    ties.affinity_time[unique_edges] = np.float32(now)
    np.add.at(ties.affinity, edge, np.float32(params.per_interaction))


def learn_from_engagements(
    theta: NDArray[np.float64],
    viewer: NDArray[np.int64],
    topic: NDArray[np.int16],
    action: NDArray[np.int8],
    params: Inference,
) -> None:
    """Each engagement moves the engager's inferred weights toward the post's topic by
    ``eta = like_step, comment_step or share_step`` (:func:`sim.beliefs.blend_toward`:
    ``theta <- (1 - eta) theta + eta e(t)``, compounded per member)."""
    steps = np.array([0.0, params.like_step, params.comment_step, params.share_step])
    beliefs.blend_toward(theta, viewer, topic, steps[action])


def connection_signals(
    field: NDArray[np.int16], member: int | NDArray[np.integer], partners: NDArray[np.int32]
) -> tuple[NDArray[np.int64], NDArray[np.int16]]:
    """The signals of ties member-partner (`member`: one member, or one per partner), one at
    each end: (whose weights move, toward or away from which field): the member toward each
    partner's field, each partner toward the member's."""
    members = np.broadcast_to(np.asarray(member, np.int64), partners.shape)
    ends = np.concatenate([members, partners.astype(np.int64)])
    topics = np.concatenate([field[partners], field[members]])
    return ends, topics


def learn_from_connections(
    theta: NDArray[np.float64],
    field: NDArray[np.int16],
    member: int | NDArray[np.integer],
    partners: NDArray[np.int32],
    params: Inference,
) -> None:
    """The connection term (C6; LinkedIn Help a1339724 lists "who are your connections"):
    with ``connection_term`` on, both ends of each new tie move toward the other's field by
    ``connection_step``, all signals of the instant compounded (``theta <- S theta +
    (1 - S) mass``, S = prod (1 - eta))."""
    if not params.connection_term:
        return
    ends, topics = connection_signals(field, member, partners)
    beliefs.blend_toward(theta, ends, topics, np.full(ends.size, params.connection_step))


def unlearn_connections(
    theta: NDArray[np.float64],
    field: NDArray[np.int16],
    member: int,
    partners: NDArray[np.int32],
    params: Inference,
) -> None:
    """The removal signal (``removal_signal``; LinkedIn Help a1339724 lists "who are your
    connections", the current ones): with ``connection_term`` also on, both ends of each
    removed tie move away from the other's field by ``connection_step``
    (:func:`sim.beliefs.blend_away`, the connection term's step undone)."""
    if not (params.connection_term and params.removal_signal):
        return
    ends, topics = connection_signals(field, member, partners)
    beliefs.blend_away(theta, ends, topics, np.full(ends.size, params.connection_step))
