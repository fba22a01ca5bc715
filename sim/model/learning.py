"""The platform's learning (docs/model.md 7.11 and 7.12): estimated affinity and first
interactions from engagements, inferred topic weights from engagements, new ties and (with
``removal_signal``) removed ones.

``platform.inference.connection_rule`` is read in one place, :func:`initial_inference`: under
``compounding`` there are no share parts (None) and every signal is an EWMA step on theta;
under ``share`` the parts (connection counts, engagement weights) are kept and theta's rows
are recomputed from them (:func:`sim.beliefs.share_weights`)."""

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


def initial_inference(
    field: NDArray[np.int16],
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    n_topics: int,
    params: Inference,
) -> tuple[NDArray[np.float64], beliefs.ShareParts | None]:
    """The inferred weights at t = 0 (:func:`sim.beliefs.initial_inferred`, the same under both
    rules) and, under ``connection_rule: share``, the parts theta is then recomputed from:
    the connection counts (:func:`sim.beliefs.connection_counts`) and the engagement weights
    g, which start at theta. None under ``compounding``."""
    theta = beliefs.initial_inferred(field, src, dst, n_topics, params.profile_weight)
    if params.connection_rule == "compounding":
        return theta, None
    counts = beliefs.connection_counts(field, src, dst, n_topics)
    return theta, beliefs.ShareParts(counts=counts, engaged=theta.copy())


def recompute(
    theta: NDArray[np.float64],
    parts: beliefs.ShareParts,
    field: NDArray[np.int16],
    members: NDArray[np.int64],
    params: Inference,
) -> None:
    """Theta's rows of `members` from the share parts, in place
    (:func:`sim.beliefs.share_weights`)."""
    touched = distinct(members)
    theta[touched] = beliefs.share_weights(
        field[touched],
        parts.counts[touched],
        parts.engaged[touched],
        params.profile_weight,
        params.engagement_weight,
    )


def learn_from_engagements(
    theta: NDArray[np.float64],
    parts: beliefs.ShareParts | None,
    field: NDArray[np.int16],
    viewer: NDArray[np.int64],
    topic: NDArray[np.int16],
    action: NDArray[np.int8],
    params: Inference,
) -> None:
    """Each engagement moves the engager's weights toward the post's topic by
    ``eta = like_step, comment_step or share_step`` (:func:`sim.beliefs.blend_toward`:
    ``w <- (1 - eta) w + eta e(t)``, compounded per member). Under ``compounding`` (`parts`
    None) w is theta; under ``share`` it is the engagement weights g, and the engagers'
    rows of theta are recomputed (:func:`recompute`)."""
    steps = np.array([0.0, params.like_step, params.comment_step, params.share_step])
    if parts is None:
        beliefs.blend_toward(theta, viewer, topic, steps[action])
        return
    beliefs.blend_toward(parts.engaged, viewer, topic, steps[action])
    recompute(theta, parts, field, viewer, params)


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


def recount(
    theta: NDArray[np.float64],
    parts: beliefs.ShareParts,
    field: NDArray[np.int16],
    ends: NDArray[np.int64],
    topics: NDArray[np.int16],
    change: int,
    params: Inference,
) -> None:
    """The ``share`` rule's answer to ties made (`change` +1) or removed (-1): each end's
    count of the other's field changes, ``c_i,t <- c_i,t + change``, and both ends' rows of
    theta are recomputed (:func:`recompute`)."""
    np.add.at(parts.counts, (ends, topics), change)
    recompute(theta, parts, field, ends, params)


def learn_from_connections(
    theta: NDArray[np.float64],
    parts: beliefs.ShareParts | None,
    field: NDArray[np.int16],
    member: int | NDArray[np.integer],
    partners: NDArray[np.int32],
    params: Inference,
) -> None:
    """The connection term (C6; LinkedIn Help a1339724 lists "who are your connections"),
    with ``connection_term`` on. Under ``compounding`` (`parts` None) both ends of each new
    tie move toward the other's field by ``connection_step``, all signals of the instant
    compounded (``theta <- S theta + (1 - S) mass``, S = prod (1 - eta)); under ``share``
    both ends count the tie (:func:`recount`)."""
    if not params.connection_term:
        return
    ends, topics = connection_signals(field, member, partners)
    if parts is None:
        beliefs.blend_toward(theta, ends, topics, np.full(ends.size, params.connection_step))
        return
    recount(theta, parts, field, ends, topics, 1, params)


def unlearn_connections(
    theta: NDArray[np.float64],
    parts: beliefs.ShareParts | None,
    field: NDArray[np.int16],
    member: int,
    partners: NDArray[np.int32],
    params: Inference,
) -> None:
    """The removal signal (``removal_signal``; LinkedIn Help a1339724 lists "who are your
    connections", the current ones), with ``connection_term`` also on. Under
    ``compounding`` (`parts` None) both ends of each removed tie move away from the other's
    field by ``connection_step`` (:func:`sim.beliefs.blend_away`, the connection term's step
    undone); under ``share`` both ends stop counting the tie (:func:`recount`; the schema
    keeps ``removal_signal`` on with ``share``)."""
    if not (params.connection_term and params.removal_signal):
        return
    ends, topics = connection_signals(field, member, partners)
    if parts is None:
        beliefs.blend_away(theta, ends, topics, np.full(ends.size, params.connection_step))
        return
    recount(theta, parts, field, ends, topics, -1, params)
