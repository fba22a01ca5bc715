"""The first pass: a cheap score of recency and affinity cuts each served member's
candidates to a bounded number before the ranker computes their features and scores them
(docs/model.md 7.23; LinkedIn's two-pass feed, LinkedIn Engineering 2019).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim import beliefs
from sim.kernels import best_in_groups
from sim.model.activity import Sessions
from sim.model.candidates.merge import Gathered
from sim.model.state import State
from sim.scenario import Platform
from sim.sources import TAG


def cheap_score(
    age: NDArray[np.float64],
    affinity: NDArray[np.float64],
    affinity_floor: float,
    half_life_days: float,
) -> NDArray[np.float64]:
    """The first pass's score of each candidate: ``q = 2^(-age / h) * (f + a)``, with `age`
    the post's age at the session (days), `affinity` the decayed estimated affinity a of the
    viewer to the author (0 when not connected), f the affinity floor and h the half-life
    (EdgeRank's affinity times time decay, without its edge weight: a modelling choice)."""
    return np.exp2(-age / half_life_days) * (affinity_floor + affinity)


def first_pass_keep(
    scores: NDArray[np.float64],
    starts: NDArray[np.int64],
    limit: NDArray[np.int64],
    pinned: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Which rows the first pass keeps: the best ``limit[g]`` rows of each group
    ``starts[g]:starts[g + 1]``, `pinned` rows first, then by descending score; equal scores
    go to the earlier row (a group's rows are ordered by post id, so to the lower post id).
    One call of the compiled :func:`sim.kernels.best_in_groups` over all groups."""
    return best_in_groups(starts, scores, pinned, limit)


def first_pass(
    state: State, g: Gathered, sessions: Sessions, platform: Platform
) -> tuple[Gathered, NDArray[np.int64] | None]:
    """The served members' candidates after the first pass (``platform.first_pass``), and
    the tie viewer -> author of each kept candidate (-1: not connected) for
    :func:`~sim.model.candidates.features.candidate_features`; with ``size`` 0, all the
    candidates and no ties (the features look them up).

    A served member with c sessions in the slice keeps its ``c * size`` candidates of highest
    :func:`cheap_score` at its session time (those of its sessions share one ranked list, as
    the ranker's limit is the sum of their depths), tag notifications first, as the ranker
    pins them; the affinity is the tie's stored estimate decayed to the session, ``a
    2^(-(now - t_a) / affinity_half_life_days)``, as the ranker sees it.
    """
    settings = platform.first_pass
    if settings.size == 0:
        return g, None
    ties = state.ties
    edge = ties.lookup_grouped(g.served, g.starts, g.author)
    now = sessions.time[g.slot]
    connected = edge >= 0
    affinity = np.zeros(edge.size)
    affinity[connected] = beliefs.decayed(
        ties.affinity[edge[connected]],
        ties.affinity_time[edge[connected]],
        now[connected],
        platform.affinity_half_life_days,
    )
    age = now - state.posts["created"][g.post]
    scores = cheap_score(age, affinity, platform.scoring.affinity_floor, settings.half_life_days)
    limit = (settings.size * sessions.count).astype(np.int64)
    keep = first_pass_keep(scores, g.starts, limit, g.route == TAG)
    return g.subset(keep), edge[keep]
