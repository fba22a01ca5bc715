"""The platform's ranker: candidate sources and scoring presets (pure functions, no simpy).

The ranker only sees the platform's beliefs: estimated affinity, inferred topic weights,
social proof and freshness, never members' true strengths or interests (T-RECS keeps
``users_hat`` apart from ``users`` the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels import top_in_groups, twin
from sim.scenario import RANKERS, Platform, Scoring, Twitter2023
from sim.sources import RECOMMENDED

#: The ranker presets (`sim.scenario.RANKERS`), each scored by `SCORERS`.
PRESETS = RANKERS


@dataclass(frozen=True)
class Candidates:
    """One row per (viewer, post) candidate of the sessions in a time slice.

    Attributes:
        viewer, post, topic: who would see what, on which topic.
        route: best route the post came by (index into :data:`sim.sources.ROUTES`).
        source: viewer's relationship to the author (index into :data:`sim.table_schema.SOURCES`).
        edge: tie index viewer -> author, or -1.
        age: age of the post at the session (days).
        affinity: platform's estimated affinity viewer -> author (0 when not connected).
        belief: platform's inferred weight of the viewer for the post's topic, relative to
            the viewer's top topic (``theta_topic / max_t theta_t``, in [0, 1]).
        proof: activity notifications of the post the viewer received (connections who
            engaged and whose activity reached the viewer).
    """

    viewer: NDArray[np.int64]
    post: NDArray[np.int64]
    topic: NDArray[np.int16]
    route: NDArray[np.int8]
    source: NDArray[np.int8]
    edge: NDArray[np.int64]
    age: NDArray[np.float64]
    affinity: NDArray[np.float64]
    belief: NDArray[np.float64]
    proof: NDArray[np.int64]


def heads(p: Scoring) -> tuple[tuple[float, float, float], ...]:
    """The linkedin preset's action heads like, comment, share: (weight in the score,
    platform's base rate, social-proof slope) each (``platform.scoring``)."""
    return (
        (p.like_weight, p.like_base, p.like_proof_slope),
        (p.comment_weight, p.comment_base, p.comment_proof_slope),
        (p.share_weight, p.share_base, p.share_proof_slope),
    )


def linkedin_score(c: Candidates, p: Scoring) -> NDArray[np.float64]:
    """LinkedIn-like score: a weighted sum of predicted actions times freshness.

    For each head a in {like, comment, share} the platform predicts
    ``p_a = base_a * (affinity_floor + affinity) * belief * (1 + slope_a * ln(1 + k))``
    from its estimated affinity, its relative inferred topic weight and social proof k; the
    score is ``sum_a w_a p_a * exp(-age / tau)``, times ``recommended_factor`` for
    out-of-network recommendations (LiRank 2024: linear combination of action predictions;
    comment about 4 likes, van der Blom 2021; MODEL.md 3).
    """
    weight_base = np.array([weight * base for weight, base, _ in heads(p)])
    slope = np.array([slope for _, _, slope in heads(p)])
    proof = np.log1p(c.proof)
    total = weighted_heads(c.affinity, c.belief, proof, p.affinity_floor, weight_base, slope)
    return _fresh_and_placed(total, c, p)


def edgerank_score(c: Candidates, p: Scoring) -> NDArray[np.float64]:
    """EdgeRank (Facebook, F8 2010): affinity x edge weight x time decay.

    ``score = (affinity_floor + u_e) * w_e * exp(-age / tau)`` where u_e is the estimated
    affinity and the edge weight w_e is 1 for a post by a connection plus one per connection
    who engaged with it (the stories that carry it).
    """
    total = (p.affinity_floor + c.affinity) * (1.0 + c.proof)
    return _fresh_and_placed(total, c, p)


def twitter_2023_score(c: Candidates, p: Scoring, w: Twitter2023) -> NDArray[np.float64]:
    """Twitter's 2023 heavy ranker: ``score = sum_i w_i P_i`` with the published weights
    (twitter/the-algorithm-ml, projects/home/recap/README.md, 5 April 2023).

    feedsim maps the heads onto its platform predictions (see :func:`linkedin_score`):
    like = p_like, retweet = p_share, reply = p_comment; good profile click
    ``= r_click * belief``; reply engaged by author ``= p_comment * a / (1 + a)`` (authors
    answer people they interact with, a = estimated affinity); negative feedback
    ``= r_negative * (1 - belief)`` and report ``= r_report * (1 - belief)``
    (posts on topics the viewer is believed not to care about). Times freshness, and the
    out-of-network factor.
    """
    interest = c.belief
    reach = (p.affinity_floor + c.affinity) * interest
    proof = np.log1p(c.proof)
    like, comment, share = (base * reach * (1.0 + slope * proof) for _, base, slope in heads(p))
    dislike = np.maximum(0.0, 1.0 - interest)
    total = (
        w.like * like
        + w.retweet * share
        + w.reply * comment
        + w.good_profile_click * w.good_profile_click_rate * interest
        + w.reply_engaged_by_author * comment * c.affinity / (1.0 + c.affinity)
        + w.negative_feedback * w.negative_feedback_rate * dislike
        + w.report * w.report_rate * dislike
    )
    return _fresh_and_placed(total, c, p)


def _fresh_and_placed(total: NDArray[np.float64], c: Candidates, p: Scoring) -> NDArray[np.float64]:
    """``total * exp(-age / tau)``, times ``recommended_factor`` for recommendations."""
    freshness = np.exp(-c.age / p.freshness_days)
    return fresh_and_placed(total, freshness, c.route == RECOMMENDED, p.recommended_factor)


def _weighted_heads_numpy(
    affinity: NDArray[np.float64],
    belief: NDArray[np.float64],
    log_proof: NDArray[np.float64],
    affinity_floor: float,
    weight_base: NDArray[np.float64],
    slope: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The linkedin score's heads (:func:`linkedin_score`): ``sum_a weight_base[a] * reach *
    (1 + slope[a] * log_proof)`` with ``reach = (affinity_floor + affinity) * belief``, in
    whole-array arithmetic, head by head."""
    reach = (affinity_floor + affinity) * belief
    total = np.zeros(affinity.size)
    for a in range(weight_base.size):
        total += float(weight_base[a]) * reach * (1.0 + float(slope[a]) * log_proof)
    return total


@twin(_weighted_heads_numpy)
@njit(cache=True, nogil=True, parallel=True)
def weighted_heads(  # pragma: no cover - compiled
    affinity: NDArray[np.float64],
    belief: NDArray[np.float64],
    log_proof: NDArray[np.float64],
    affinity_floor: float,
    weight_base: NDArray[np.float64],
    slope: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``sum_a weight_base[a] * reach * (1 + slope[a] * log_proof)`` per candidate, with
    ``reach = (affinity_floor + affinity) * belief``, summed over the heads a in order from
    0: the same operations, in the same order, as the numpy expression
    ``total += weight_base[a] * reach * (1.0 + slope[a] * log_proof)`` head by head."""
    total = np.empty(affinity.size, np.float64)
    for i in prange(affinity.size):
        reach = (affinity_floor + affinity[i]) * belief[i]
        value = 0.0
        for a in range(weight_base.size):
            value += weight_base[a] * reach * (1.0 + slope[a] * log_proof[i])
        total[i] = value
    return total


def _fresh_and_placed_numpy(
    total: NDArray[np.float64],
    freshness: NDArray[np.float64],
    recommended: NDArray[np.bool_],
    factor: float,
) -> NDArray[np.float64]:
    """Freshness and placement: the heads' total times the candidate's freshness, times
    `factor` (``recommended_factor``) for out-of-network recommendations."""
    decayed = total * freshness
    return np.where(recommended, factor * decayed, decayed)


@twin(_fresh_and_placed_numpy)
@njit(cache=True, nogil=True, parallel=True)
def fresh_and_placed(  # pragma: no cover - compiled
    total: NDArray[np.float64],
    freshness: NDArray[np.float64],
    recommended: NDArray[np.bool_],
    factor: float,
) -> NDArray[np.float64]:
    """``total * freshness``, times `factor` where `recommended`: the same as
    ``where(recommended, factor * (total * freshness), total * freshness)``."""
    score = np.empty(total.size, np.float64)
    for i in prange(total.size):
        decayed = total[i] * freshness[i]
        score[i] = factor * decayed if recommended[i] else decayed
    return score


#: How each preset of `sim.scenario.RANKER_DESCRIPTIONS` scores candidates, by its name:
#: ``chronological`` ranks by freshness (newest first) and ``random`` by a uniform draw, the
#: two controls of MODEL.md 3.
SCORERS: dict[str, Callable[[Platform, Candidates, np.random.Generator], NDArray[np.float64]]] = {
    "linkedin": lambda platform, c, _: linkedin_score(c, platform.scoring),
    "edgerank": lambda platform, c, _: edgerank_score(c, platform.scoring),
    "twitter-2023": lambda platform, c, _: twitter_2023_score(
        c, platform.scoring, platform.twitter_2023
    ),
    "chronological": lambda _, c, __: -c.age,
    "random": lambda _, c, rng: rng.random(c.viewer.size),
}


def score(platform: Platform, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
    """Scores of candidates under the platform's preset (higher is shown first; `SCORERS`)."""
    return SCORERS[platform.ranker](platform, c, rng)


def score_by_arm(
    platform: Platform,
    c: Candidates,
    rng: np.random.Generator,
    arm: NDArray[np.int8],
    rankers: tuple[str, ...],
) -> NDArray[np.float64]:
    """Scores of candidates when viewers are in randomised arms: the rows of viewers in arm k
    (`arm`, per row) are scored by the preset ``rankers[k]``, arm by arm in index order (the
    ``random`` preset draws one uniform per row of its arm). Scores are compared only within
    one viewer's rows, so presets on different scales never meet."""
    scores = np.empty(c.viewer.size, np.float64)
    for k, preset in enumerate(rankers):
        rows = np.flatnonzero(arm == k)
        if rows.size:
            subset = Candidates(**{f.name: getattr(c, f.name)[rows] for f in fields(c)})
            scores[rows] = SCORERS[preset](platform, subset, rng)
    return scores


def top_per_viewer(
    viewer: NDArray[np.int64],
    scores: NDArray[np.float64],
    post: NDArray[np.int64],
    limit: NDArray[np.int64],
    pinned: NDArray[np.bool_] | None = None,
    starts: NDArray[np.int64] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The best ``limit`` candidates of each viewer, and their rank (0 = top).

    ``limit`` is given per candidate row (equal for all rows of one viewer). ``pinned``
    candidates (notifications) come before all others. Ties in score go to the lower post
    id, so the result does not depend on input order: the rows of
    ``lexsort((post, -scores, ~pinned, viewer))`` whose rank within their viewer is below
    the limit, in that order. Rows already ordered by (viewer, post), as the engine gives
    them, are ranked in place (:func:`sim.kernels.top_in_groups`); others are ordered first.
    The engine also gives `starts` (each viewer's rows are ``starts[g]:starts[g + 1]``,
    some empty), which spares finding the groups.
    """
    if viewer.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pinned = np.zeros(viewer.size, bool) if pinned is None else pinned
    order = None
    if starts is None:
        key = viewer.astype(np.int64) * (int(post.max()) + 1) + post
        order = None if bool((key[1:] > key[:-1]).all()) else np.argsort(key, kind="stable")
        if order is not None:
            viewer, scores, pinned = viewer[order], scores[order], pinned[order]
            limit = limit[order]
        starts = np.flatnonzero(np.concatenate([[True], viewer[1:] != viewer[:-1], [True]]))
    else:
        starts = np.unique(starts)  # the viewers with candidates
    rows, rank = top_in_groups(
        starts.astype(np.int64), scores.astype(np.float64), pinned, limit[starts[:-1]]
    )
    return (rows if order is None else order[rows]), rank
