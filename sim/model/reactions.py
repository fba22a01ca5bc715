"""Viewing and reactions (docs/model.md 7.10): impressions are counted, each viewer decides
by its true behaviour (:mod:`sim.behaviour`), and engagements are counted."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from sim import behaviour, kernels
from sim.model.state import State
from sim.ranking import Candidates
from sim.records import ENGAGEMENT_WINDOWS_HOURS, HOURS_PER_DAY, VOLUME_COUNTS
from sim.scenario import Behaviour
from sim.sources import GROUP_OF_SOURCE, GROUPS, TAG

_IMPRESSIONS = VOLUME_COUNTS.index("impressions")
"""Where impressions go on the last axis of :attr:`sim.model.state.State.volume`."""


@dataclass(frozen=True)
class Impressions:
    """The items shown in a slice (one row per impression)."""

    viewer: NDArray[np.int64]
    post: NDArray[np.int64]
    topic: NDArray[np.int16]
    source: NDArray[np.int8]
    edge: NDArray[np.int64]
    proof: NDArray[np.int64]
    when: NDArray[np.float64]
    tagged: NDArray[np.bool_]

    def select(self, keep: NDArray[np.bool_]) -> Impressions:
        """The impressions where `keep` is True."""
        return Impressions(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})


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


def count_impressions(
    state: State, seen: Impressions, primary: NDArray[np.bool_], duration_days: int
) -> None:
    """Post counters (impressions, primary viewers, viewers by source group and by tag), the
    ``reached`` flag of each author -> viewer tie, and focal viewers' feed by
    (day = floor(time), topic, source), and their impressions in the feed volume
    (docs/model.md 9: the posts, feed and volume tables)."""
    counters = state.posts
    post = seen.post
    group = GROUP_OF_SOURCE[seen.source]
    kernels.count_at(counters["impressions"], post)
    kernels.count_at(counters["primary_viewers"], post[primary])
    for g, name in enumerate(GROUPS):
        kernels.count_at(counters[f"viewers_{name}"], post[group == g])
    kernels.count_at(counters["viewers_tag"], post[seen.tagged])
    state.counts["impressions"] += int(post.size)
    seen_by_connection = seen.edge[seen.edge >= 0]
    state.ties.reached[state.ties.reverse(seen_by_connection)] = True
    focal = state.focal_slot[seen.viewer]
    is_focal = focal >= 0
    if is_focal.any():
        day = np.minimum(seen.when[is_focal].astype(np.int64), duration_days - 1)
        cell = (focal[is_focal], day, seen.topic[is_focal], seen.source[is_focal])
        np.add.at(state.feed, cell, 1)
        np.add.at(state.volume[:, :, _IMPRESSIONS], (cell[0], day), 1)


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
    :data:`sim.records.ENGAGEMENT_WINDOWS_HOURS` (docs/model.md 9: the posts table)."""
    counters = state.posts
    post = engaged.post
    group = GROUP_OF_SOURCE[engaged.source]
    state.counts["engagements"] += int(post.size)
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
