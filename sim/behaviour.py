"""Members' true behaviour: whether a viewer acts on an item (pure; randomness passed in).

MODEL.md 4: P(action a at position i) = attention(i) x base rate of a x tie multiplier (kind
and true strength) x true interest in the topic x social proof.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from sim.kernels import twin
from sim.network import STRANGER
from sim.scenario import Behaviour
from sim.table_schema import SOURCES

ACTIONS = ("none", "like", "comment", "share")
"""What a viewer does with an impression; ``action`` codes index into this tuple."""
NONE, LIKE, COMMENT, SHARE = range(len(ACTIONS))


def source_multipliers(params: Behaviour) -> NDArray[np.float64]:
    """Engagement multiplier of each viewer-author relationship, indexed like :data:`SOURCES`."""
    return np.array([getattr(params.ties, name) for name in SOURCES], dtype=np.float64)


def engagement_propensity(
    position: NDArray[np.int64],
    source: NDArray[np.int8],
    strength: NDArray[np.float64],
    interest: NDArray[np.float64],
    proof: NDArray[np.int64],
    params: Behaviour,
    placed: NDArray[np.bool_] | None = None,
    tagged: NDArray[np.bool_] | None = None,
) -> NDArray[np.float64]:
    """The multiplier every action's base rate is scaled by, for each impression.

    ``m = exp(-i / lambda) * tie * s / E[s] * x_rel * (1 + b * ln(1 + k)) * g`` with
    position i (0 = top), attention constant lambda (Hodas & Lerman 2012), the multiplier
    ``tie`` of the relationship (calibration-sources.md 4; ``placed_stranger`` for strangers
    one has exchanged messages with), true strength s (``E[s] = a / (a + b)`` the mean of
    its Beta(a, b) distribution, so ``s / E[s]`` averages 1; ``unconnected_strength`` for
    viewers with no tie to the author), relative true interest in the post's topic
    ``x_rel = x_topic / max_t x_t`` (1 for the viewer's favourite topic, whatever the number
    of topics), k activity notifications of the post the viewer received (connections who
    engaged and whose activity reached the viewer: social proof, b), and
    ``g = tag_boost`` when the viewer is tagged in the post, else 1.
    """
    attention = np.exp(-position / params.attention_decay_items)
    tie = source_multipliers(params)[source]
    if placed is not None:
        tie = np.where(placed & (source == STRANGER), params.ties.placed_stranger, tie)
    per_mean = 1.0 / (params.strength_a / (params.strength_a + params.strength_b))
    proof_factor = 1.0 + params.social_proof * np.log1p(proof)
    m = attention * tie * per_mean * strength * interest * proof_factor
    if tagged is not None:
        m = np.where(tagged, params.tag_boost * m, m)
    return m


def decide(
    uniform: NDArray[np.float64], propensity: NDArray[np.float64], params: Behaviour
) -> NDArray[np.int8]:
    """At most one action per impression, from one uniform draw per impression.

    ``p_share = r_s m``, ``p_comment = r_c m``, ``p_like = r_l m`` (scaled down together if
    they would sum past 1); the action is share if ``u < p_share``, comment if
    ``u < p_share + p_comment``, like if ``u < p_share + p_comment + p_like``, else none.
    Using one draw per impression keeps variants on common random numbers.
    """
    rates = np.array([params.share_rate, params.comment_rate, params.like_rate])
    codes = np.array([NONE, LIKE, COMMENT, SHARE], np.int8)
    return choose_actions(uniform, propensity, rates, codes)


def _choose_actions_numpy(
    uniform: NDArray[np.float64],
    propensity: NDArray[np.float64],
    rates: NDArray[np.float64],
    codes: NDArray[np.int8],
) -> NDArray[np.int8]:
    """The rule of :func:`decide` over the impressions x 3 matrix of probabilities (share,
    comment, like): rows scaled down where they sum past 1, their cumulative bounds, then
    like, comment and share written where the uniform falls below each bound in turn."""
    none, like, comment, share = codes
    p = propensity[:, None] * rates[None, :]
    total = p.sum(axis=1)
    p = np.where(total[:, None] > 1.0, p / np.maximum(total, 1e-300)[:, None], p)
    share_bound, comment_bound, like_bound = np.cumsum(p, axis=1).T
    action = np.full(uniform.size, none, dtype=np.int8)
    action[uniform < like_bound] = like
    action[uniform < comment_bound] = comment
    action[uniform < share_bound] = share
    return action


@twin(_choose_actions_numpy)
@njit(cache=True, nogil=True)
def choose_actions(  # pragma: no cover - compiled
    uniform: NDArray[np.float64],
    propensity: NDArray[np.float64],
    rates: NDArray[np.float64],
    codes: NDArray[np.int8],
) -> NDArray[np.int8]:
    """Per impression, ``p = propensity * rates`` (share, comment, like), divided by its sum
    where that exceeds 1; the action (`codes`: none, like, comment, share) is like where
    ``u < p_share + p_comment + p_like``, then comment where ``u < p_share + p_comment``,
    then share where ``u < p_share``, each overriding the last: the arithmetic of the
    matrix expression, in the same order, one impression at a time."""
    share_rate, comment_rate, like_rate = rates
    none_code, like_code, comment_code, share_code = codes
    action = np.empty(uniform.size, np.int8)
    for i in range(uniform.size):
        share = propensity[i] * share_rate
        comment = propensity[i] * comment_rate
        like = propensity[i] * like_rate
        total = share + comment + like
        if total > 1.0:
            scale = max(total, 1e-300)
            share, comment, like = share / scale, comment / scale, like / scale
        action[i] = none_code
        if uniform[i] < share + comment + like:
            action[i] = like_code
        if uniform[i] < share + comment:
            action[i] = comment_code
        if uniform[i] < share:
            action[i] = share_code
    return action
