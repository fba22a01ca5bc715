"""The platform's beliefs about members, and how it updates them (pure functions).

Beliefs are kept apart from the truth: the inferred topic weights ``theta`` (rows sum to 1)
and the estimated affinity of each tie are all the ranker sees (T-RECS's ``users_hat``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.scenario import Affinity
from sim.table_schema import TIE_KINDS


def initial_inferred(
    field: NDArray[np.int16],
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    n_topics: int,
    profile_weight: float,
) -> NDArray[np.float64]:
    """Inferred topic weights at the start: profile field and the fields of one's connections.

    ``theta_i = w * e(field_i) + (1 - w) * mean_{j in N(i)} e(field_j)`` (members without
    connections: ``e(field_i)``). LinkedIn lists profile and "who are your connections" among
    the feed's signals (Help a1339724); Twitter's SimClusters infers interests as follow graph
    x community membership (MODEL.md 3.5).
    """
    n = field.size
    cell = src.astype(np.int64) * n_topics + field[dst]
    counts = np.bincount(cell, minlength=n * n_topics).reshape(n, n_topics).astype(np.float64)
    degree = counts.sum(axis=1, keepdims=True)
    own = np.zeros((n, n_topics))
    own[np.arange(n), field] = 1.0
    from_ties: NDArray[np.float64] = np.divide(counts, degree, out=own.copy(), where=degree > 0)
    return profile_weight * own + (1.0 - profile_weight) * from_ties


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
