"""Candidate routes, out-of-network recommendations, scoring and top-K (docs/model.md 7.6,
7.8, 7.9, 7.13, 7.17 and 7.23).

Routes put rows into the pool (tags, activity fan-out: :mod:`~sim.model.candidates.pool`;
the test audience and its expansion are in :mod:`sim.model.audience`); a session draws
recommendations (:mod:`~sim.model.candidates.recommendation`), gathers its pool rows, its
followed accounts' posts and recommendations into one candidate per (viewer, post)
(:mod:`~sim.model.candidates.merge`), a cheap first pass may cut them to a bounded number
(:mod:`~sim.model.candidates.first_pass`), the ranker scores them on what it sees of each and
the top c x K are shown (:mod:`~sim.model.candidates.features`).
"""

from sim.model.candidates.features import candidate_features, select_feed
from sim.model.candidates.first_pass import first_pass
from sim.model.candidates.merge import Gathered, gather_candidates
from sim.model.candidates.pool import (
    expected_rows,
    forget_expired,
    mark_shown,
    notify_tagged,
    spread_activity,
)
from sim.model.candidates.recommendation import recommend

__all__ = [
    "Gathered",
    "candidate_features",
    "expected_rows",
    "first_pass",
    "forget_expired",
    "gather_candidates",
    "mark_shown",
    "notify_tagged",
    "recommend",
    "select_feed",
    "spread_activity",
]
