"""Viewing and reactions (docs/model.md 7.10): the platform counts impressions on each post,
each viewer decides by its true behaviour (:mod:`sim.behaviour`), and the platform counts
engagements."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim import behaviour, kernels
from sim.model.hooks import Impressions
from sim.model.state import State
from sim.ranking import Candidates
from sim.scenario import Behaviour
from sim.sources import GROUP_OF_SOURCE, TAG
from sim.table_schema import ENGAGEMENT_WINDOWS_HOURS, GROUPS, HOURS_PER_DAY


def impressions(c: Candidates, shown: NDArray[np.int64], now: NDArray[np.float64]) -> Impressions:
    """The shown candidates as impressions, at their session times `now` (``tagged``: the
    candidate came by the tag route)."""
    return Impressions(
        viewer=c.viewer[shown],
        post=c.post[shown],
        topic=c.topic[shown],
        source=c.source[shown],
        edge=c.edge[shown],
        proof=c.proof[shown],
        when=now[shown],
        tagged=c.route[shown] == TAG,
    )


def count_impressions(state: State, seen: Impressions, primary: NDArray[np.bool_]) -> None:
    """The platform's counters of each post: impressions, primary viewers, viewers by
    source group and by tag (the posts table reports them; the trend's dropping rule reads
    the impressions)."""
    counters = state.posts
    post = seen.post
    group = GROUP_OF_SOURCE[seen.source]
    kernels.count_at(counters["impressions"], post)
    kernels.count_at(counters["primary_viewers"], post[primary])
    for g, name in enumerate(GROUPS):
        kernels.count_at(counters[f"viewers_{name}"], post[group == g])
    kernels.count_at(counters["viewers_tag"], post[seen.tagged])


def decide_reactions(
    state: State,
    seen: Impressions,
    rank: NDArray[np.int64],
    position: NDArray[np.int64],
    uniforms: NDArray[np.float64],
    params: Behaviour,
) -> NDArray[np.int8]:
    """Each impression's action, by the viewer's true behaviour.

    The propensity (:func:`sim.behaviour.engagement_propensity`) uses the item's position
    in its session (:func:`sim.model.reading.positions`), the true strength s of the
    viewer -> author tie (``unconnected_strength`` without one), whether the tie is placed,
    the viewer's relative true interest in the topic, social proof and the tag; the decision
    (:func:`sim.behaviour.decide`) uses the viewer's uniform at its rank in the served
    member's list (MODEL.md 4).
    """
    ties = state.ties
    connected = seen.edge >= 0
    safe_edge = np.maximum(seen.edge, 0)
    strength = np.where(connected, ties.strength[safe_edge], params.unconnected_strength)
    propensity = behaviour.engagement_propensity(
        position,
        seen.source,
        strength,
        state.relative_interest[seen.viewer, seen.topic],
        seen.proof,
        params,
        placed=connected & ties.placed[safe_edge],
        tagged=seen.tagged,
    )
    draw = uniforms[state.session_slot[seen.viewer], rank]
    return behaviour.decide(draw, propensity, params)


def count_engagements(state: State, engaged: Impressions, action: NDArray[np.int8]) -> None:
    """Post counters of the engagements: likes, comments, shares, engagements by source
    group and by tag, and those with ``when - created <= h / 24`` for each h of
    :data:`sim.table_schema.ENGAGEMENT_WINDOWS_HOURS` (the posts table; social proof reads
    the engagement counts)."""
    counters = state.posts
    post = engaged.post
    group = GROUP_OF_SOURCE[engaged.source]
    for code, name in (
        (behaviour.LIKE, "likes"),
        (behaviour.COMMENT, "comments"),
        (behaviour.SHARE, "shares"),
    ):
        kernels.count_at(counters[name], post[action == code])
    for g, name in enumerate(GROUPS):
        kernels.count_at(counters[f"engagements_{name}"], post[group == g])
    kernels.count_at(counters["engagements_tag"], post[engaged.tagged])
    age = engaged.when - counters["created"][post]
    for hours in ENGAGEMENT_WINDOWS_HOURS:
        limit = hours / HOURS_PER_DAY
        kernels.count_at(counters[f"engagements_within_{hours}h"], post[age <= limit])
