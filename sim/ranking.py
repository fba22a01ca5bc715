"""The platform's ranker: candidate sources and scoring presets (pure functions, no simpy).

The ranker only sees the platform's beliefs: estimated affinity, inferred topic weights,
social proof and freshness, never members' true strengths or interests (T-RECS keeps
``users_hat`` apart from ``users`` the same way).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.network import TIE_KINDS

ROUTES = ("tag", "network", "expansion", "activity", "recommended")
"""How a post reached a viewer's candidates, in order of precedence: a notification that
the viewer is tagged in it, fan-out to the test audience (or to all connections when the
test audience is off), the wider distribution after the test window, a connection's
engagement (network activity, "X likes this"), or an out-of-network recommendation by
inferred topic."""
TAG, NETWORK, EXPANSION, ACTIVITY, RECOMMENDED = range(len(ROUTES))

SOURCES = (*TIE_KINDS, "second_degree", "out_of_network")
"""The viewer's relationship to the author: a tie kind, or not connected (seen through a
connection's activity: second degree; recommended: out of network)."""
SECOND_DEGREE = SOURCES.index("second_degree")
OUT_OF_NETWORK = SOURCES.index("out_of_network")

PRESETS = ("linkedin", "edgerank", "twitter-2023", "chronological", "random")

LINKEDIN_HEADS = {
    # action: (weight in the score, platform's base rate, social-proof slope)
    "like": (1.0, 0.04, 1.0),
    "comment": (4.0, 0.01, 1.0),
    "share": (4.0, 0.0035, 2.0),
}
"""LinkedIn preset: a comment weighs about 4 likes (practitioner reports, van der Blom 2021);
share 4 (calibration-sources.md 4 suggests 4-8). LiRank (2024) publishes the structure, a
linear combination of action predictions, not the weights."""
AFFINITY_FLOOR = 0.1
"""Affinity the ranker assumes for authors the viewer has never interacted with."""
FRESHNESS_DAYS = 0.5
"""Time constant tau of the freshness decay exp(-age / tau) (EdgeRank: 6-24 h)."""
RECOMMENDED_FACTOR = 0.75
"""Out-of-network scores are multiplied by this (X's OON weight factor, 2025 code)."""


@dataclass(frozen=True)
class Candidates:
    """One row per (viewer, post) candidate of the sessions in a time slice.

    Attributes:
        viewer, post, topic: who would see what, on which topic.
        route: best route the post came by (index into :data:`ROUTES`).
        source: viewer's relationship to the author (index into :data:`SOURCES`).
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


def linkedin_score(c: Candidates) -> NDArray[np.float64]:
    """LinkedIn-like score: a weighted sum of predicted actions times freshness.

    For each head a in {like, comment, share} the platform predicts
    ``p_a = base_a * (AFFINITY_FLOOR + affinity) * belief * (1 + slope_a * ln(1 + k))``
    from its estimated affinity, its relative inferred topic weight and social proof k; the
    score is ``sum_a w_a p_a * exp(-age / tau)``, times 0.75 for out-of-network recommendations
    (LiRank 2024: linear combination of action predictions; MODEL.md 3).
    """
    reach = (AFFINITY_FLOOR + c.affinity) * c.belief
    proof = np.log1p(c.proof)
    total = np.zeros(c.viewer.size)
    for weight, base, slope in LINKEDIN_HEADS.values():
        total += weight * base * reach * (1.0 + slope * proof)
    return _fresh_and_placed(total, c)


def edgerank_score(c: Candidates) -> NDArray[np.float64]:
    """EdgeRank (Facebook, F8 2010): affinity x edge weight x time decay.

    ``score = (AFFINITY_FLOOR + u_e) * w_e * exp(-age / tau)`` where u_e is the estimated
    affinity and the edge weight w_e is 1 for a post by a connection plus one per connection
    who engaged with it (the stories that carry it).
    """
    total = (AFFINITY_FLOOR + c.affinity) * (1.0 + c.proof)
    return _fresh_and_placed(total, c)


TWITTER_2023_WEIGHTS = {
    "like": 0.5,
    "retweet": 1.0,
    "reply": 13.5,
    "good_profile_click": 12.0,
    "reply_engaged_by_author": 75.0,
    "negative_feedback": -74.0,
    "report": -369.0,
}
"""Heavy-ranker weights published in twitter/the-algorithm-ml, projects/home/recap/README.md
(README of 5 April 2023)."""
TWITTER_2023_RATES = {"good_profile_click": 0.005, "negative_feedback": 0.002, "report": 1e-4}
"""Base rates feedsim gives the heads its members do not act out (free parameters)."""


def twitter_2023_score(c: Candidates) -> NDArray[np.float64]:
    """Twitter's 2023 heavy ranker: ``score = sum_i w_i P_i`` with the published weights.

    feedsim maps the heads onto its platform predictions (see :func:`linkedin_score`):
    like = p_like, retweet = p_share, reply = p_comment; good profile click
    ``= 0.005 * belief``; reply engaged by author ``= p_comment * a / (1 + a)`` (authors
    answer people they interact with, a = estimated affinity); negative feedback
    ``= 0.002 * (1 - belief)`` and report ``= 1e-4 * (1 - belief)``
    (posts on topics the viewer is believed not to care about). Times freshness, and the
    out-of-network factor.
    """
    interest = c.belief
    reach = (AFFINITY_FLOOR + c.affinity) * interest
    proof = np.log1p(c.proof)
    like, comment, share = (
        base * reach * (1.0 + slope * proof) for _, base, slope in LINKEDIN_HEADS.values()
    )
    dislike = np.maximum(0.0, 1.0 - interest)
    w, r = TWITTER_2023_WEIGHTS, TWITTER_2023_RATES
    total = (
        w["like"] * like
        + w["retweet"] * share
        + w["reply"] * comment
        + w["good_profile_click"] * r["good_profile_click"] * interest
        + w["reply_engaged_by_author"] * comment * c.affinity / (1.0 + c.affinity)
        + w["negative_feedback"] * r["negative_feedback"] * dislike
        + w["report"] * r["report"] * dislike
    )
    return _fresh_and_placed(total, c)


def _fresh_and_placed(total: NDArray[np.float64], c: Candidates) -> NDArray[np.float64]:
    decayed = total * np.exp(-c.age / FRESHNESS_DAYS)
    return np.where(c.route == RECOMMENDED, RECOMMENDED_FACTOR * decayed, decayed)


def score(preset: str, c: Candidates, rng: np.random.Generator) -> NDArray[np.float64]:
    """Scores of candidates under a preset (higher is shown first).

    ``chronological`` ranks by freshness (newest first) and ``random`` by a uniform draw:
    the two controls of MODEL.md 3.
    """
    if preset == "linkedin":
        return linkedin_score(c)
    if preset == "edgerank":
        return edgerank_score(c)
    if preset == "twitter-2023":
        return twitter_2023_score(c)
    if preset == "chronological":
        return -c.age
    if preset == "random":
        return rng.random(c.viewer.size)
    raise ValueError(f"unknown ranker preset {preset!r}")


def top_per_viewer(
    viewer: NDArray[np.int64],
    scores: NDArray[np.float64],
    post: NDArray[np.int64],
    limit: NDArray[np.int64],
    pinned: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The best ``limit`` candidates of each viewer, and their rank (0 = top).

    ``limit`` is given per candidate row (equal for all rows of one viewer). ``pinned``
    candidates (notifications) come before all others. Ties in score go to the lower post
    id, so the result does not depend on input order.
    """
    unpinned = np.ones(viewer.size, bool) if pinned is None else ~pinned
    order = np.lexsort((post, -scores, unpinned, viewer))
    sorted_viewer = viewer[order]
    first = np.searchsorted(sorted_viewer, sorted_viewer)
    rank = np.arange(order.size) - first
    keep = rank < limit[order]
    return order[keep], rank[keep]
