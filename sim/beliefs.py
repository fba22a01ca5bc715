"""The platform's beliefs about members, and how it updates them (pure functions).

Beliefs are kept apart from the truth: the inferred topic weights ``theta`` (rows sum to 1)
and the estimated affinity of each tie are all the ranker sees (T-RECS's ``users_hat``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.network import TIE_KINDS
from sim.scenario import Affinity


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
    pull = np.zeros_like(theta)
    np.add.at(pull, (member, topic), step)
    touched = np.unique(member)
    keep = np.exp(log_keep[touched])[:, None]
    mass = pull[touched]
    total = mass.sum(axis=1, keepdims=True)
    mass = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
    theta[touched] = keep * theta[touched] + (1.0 - keep) * mass


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
