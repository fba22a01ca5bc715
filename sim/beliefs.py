"""The platform's beliefs about members, and how it updates them (pure functions).

Beliefs are kept apart from the truth: the inferred topic weights ``theta`` (rows sum to 1)
and the estimated affinity of each tie are all the ranker sees (T-RECS's ``users_hat``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.scenario import Affinity
from sim.table_schema import TIE_KINDS


def connection_counts(
    field: NDArray[np.int16], src: NDArray[np.int32], dst: NDArray[np.int32], n_topics: int
) -> NDArray[np.int32]:
    """Each member's connections per field, N x T: ``c_i,t = |{j in N(i): field_j = t}|``
    (`src`, `dst`: the ties, both directions)."""
    n = field.size
    cell = src.astype(np.int64) * n_topics + field[dst]
    counts = np.bincount(cell, minlength=n * n_topics).reshape(n, n_topics)
    return counts.astype(np.int32)


def profile_mix(
    field: NDArray[np.int16], counts: NDArray[np.int32], profile_weight: float
) -> NDArray[np.float64]:
    """The profile and the field mix of one's connections:
    ``w e(field_i) + (1 - w) m_i`` with ``m_i = c_i / sum_t c_i,t`` (:func:`connection_counts`;
    members without connections: ``m_i = e(field_i)``), w = `profile_weight`."""
    n, n_topics = counts.shape
    own = np.zeros((n, n_topics))
    own[np.arange(n), field] = 1.0
    shares = counts.astype(np.float64)
    degree = shares.sum(axis=1, keepdims=True)
    from_ties: NDArray[np.float64] = np.divide(shares, degree, out=own.copy(), where=degree > 0)
    return profile_weight * own + (1.0 - profile_weight) * from_ties


def initial_inferred(
    field: NDArray[np.int16],
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    n_topics: int,
    profile_weight: float,
) -> NDArray[np.float64]:
    """Inferred topic weights at the start: profile field and the fields of one's connections.

    ``theta_i = w * e(field_i) + (1 - w) * mean_{j in N(i)} e(field_j)`` (members without
    connections: ``e(field_i)``; :func:`profile_mix`). LinkedIn lists profile and "who are your
    connections" among the feed's signals (Help a1339724); Twitter's SimClusters infers
    interests as follow graph x community membership (MODEL.md 3.5).
    """
    return profile_mix(field, connection_counts(field, src, dst, n_topics), profile_weight)


@dataclass
class ShareParts:
    """What the ``share`` rule (``platform.inference.connection_rule``) combines into the
    inferred weights, by member (:func:`share_weights`)."""

    counts: NDArray[np.int32]
    """Current connections per field, N x T (:func:`connection_counts`)."""
    engaged: NDArray[np.float64]
    """The weights learned from engagements, g, N x T, rows sum to 1."""


def share_weights(
    field: NDArray[np.int16],
    counts: NDArray[np.int32],
    engaged: NDArray[np.float64],
    profile_weight: float,
    engagement_weight: float,
) -> NDArray[np.float64]:
    """Inferred weights under the ``share`` rule: the profile and the field mix of one's
    current connections, blended with the weights learned from engagements:

    ``theta_i = (1 - w_e) [w_p e(field_i) + (1 - w_p) c_i / sum_t c_i,t] + w_e g_i``

    (:func:`profile_mix`), w_p = `profile_weight`, w_e = `engagement_weight`. The connection
    term is a share of one's connections, as in community-membership embeddings (Twitter's
    SimClusters, Satuluri et al. 2020: interests = follow graph x community membership); the
    weight of engagements is a modelling choice (docs/model.md 7.12).
    """
    mix = profile_mix(field, counts, profile_weight)
    return (1.0 - engagement_weight) * mix + engagement_weight * engaged


def blend_toward(
    theta: NDArray[np.float64],
    member: NDArray[np.int64],
    topic: NDArray[np.integer],
    step: NDArray[np.float64],
) -> None:
    """Move members' inferred weights toward topics, in place (an EWMA step per signal).

    One signal of step eta on topic t: ``theta <- (1 - eta) theta + eta e(t)``. Several
    signals for one member in the same instant are applied together: the weights shrink by
    ``S = prod_j (1 - eta_j)`` and the freed mass ``1 - S`` goes to the signals' topics in
    proportion to their steps, so rows keep summing to 1 whatever the order of the signals.
    """
    if member.size == 0:
        return
    log_keep = np.zeros(theta.shape[0])
    np.add.at(log_keep, member, np.log1p(-np.minimum(step, 1.0 - 1e-12)))
    touched, mass = signal_mass(theta.shape[1], member, topic, step)
    keep = np.exp(log_keep[touched])[:, None]
    theta[touched] = keep * theta[touched] + (1.0 - keep) * mass


def blend_away(
    theta: NDArray[np.float64],
    member: NDArray[np.int64],
    topic: NDArray[np.integer],
    step: NDArray[np.float64],
) -> None:
    """Undo :func:`blend_toward` signals, in place: move members' inferred
    weights away from topics.

    For one member's signals of one instant, with ``S = prod_j (1 - eta_j)`` and ``mu`` the
    signals' topics weighted by their steps (summing to 1), as in the forward step:
    ``theta <- max(theta - (1 - S) mu, 0) / sum(max(theta - (1 - S) mu, 0))``. While no weight
    falls below 0 this is exactly ``(theta - (1 - S) mu) / S``, the inverse of ``theta <-
    S theta + (1 - S) mu``; where the weights have since moved away from a topic, they stop at
    0 and the others are rescaled. Rows stay non-negative and sum to 1 (the sum before
    rescaling is at least S); a row with nothing left (only when a step is 1) is unchanged.
    A modelling choice (docs/model.md 7.12).
    """
    if member.size == 0:
        return
    keep = np.ones(theta.shape[0])
    np.multiply.at(keep, member, 1.0 - step)
    touched, mass = signal_mass(theta.shape[1], member, topic, step)
    left = np.maximum(theta[touched] - (1.0 - keep[touched])[:, None] * mass, 0.0)
    remaining = left.sum(axis=1, keepdims=True)
    theta[touched] = np.divide(left, remaining, out=theta[touched], where=remaining > 0)


def signal_mass(
    n_topics: int,
    member: NDArray[np.int64],
    topic: NDArray[np.integer],
    step: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The members that signals touch (ascending), and for each the signals' topics weighted
    by their steps, ``mu_t = sum_{j: t_j = t} eta_j / sum_j eta_j`` (a row of zeros where the
    steps sum to 0): where :func:`blend_toward` moves the freed mass and
    :func:`blend_away` takes it back from."""
    touched, row = np.unique(member, return_inverse=True)
    mass = np.zeros((touched.size, n_topics))
    np.add.at(mass, (row, topic), step)
    total = mass.sum(axis=1, keepdims=True)
    return touched, np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)


def initial_affinity(
    kind: NDArray[np.int8], same_field: NDArray[np.bool_], params: Affinity
) -> NDArray[np.float32]:
    """Estimated affinity of a tie before any interaction, from observable features.

    The platform sees a shared employer (colleague ties) and a shared field on the profiles,
    not friendship, client relations or whether the two ever met:
    ``a0 = same_field_affinity * [same field] + colleague_affinity * [colleague]``
    (``platform.affinity``; Gilbert & Karahalios 2009 list shared employer and field among
    tie-strength predictors).
    """
    colleague: NDArray[np.bool_] = kind == TIE_KINDS.index("colleague")
    return (params.same_field * same_field + params.colleague * colleague).astype(np.float32)


def decayed(
    value: NDArray[np.float32],
    since: NDArray[np.float32],
    now: float | NDArray[np.float64],
    half_life: float,
) -> NDArray[np.float64]:
    """An exponentially decayed interaction count at time `now`: ``a * 2^(-(now - t) / h)``."""
    factor: NDArray[np.float64] = np.exp2(-(now - since.astype(np.float64)) / half_life)
    return value * factor
