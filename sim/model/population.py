"""Initialisation (docs/model.md 5 and 7.3): members' rates and interests, focal members,
and the starting :class:`~sim.model.state.State`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim import beliefs
from sim.errors import InputError
from sim.model import arms, candidates, follows, learning, limits, linking, trend
from sim.model.state import (
    PENDING_COLUMNS,
    POOL_COLUMNS,
    POST_COLUMNS,
    WAITING_COLUMNS,
    State,
)
from sim.network import Network, pick_focal, pick_focal_by_degree
from sim.scenario import FocalMember, Members, Scenario, SyntheticNetwork
from sim.stores import Columns, GroupedColumns
from sim.ties import Ties


def member_rates(
    members: Members, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Session and posting rates (per day) of every member, drawn by class shares.

    Each member draws an activity class and a posting class, ``P(class c) = share_c``
    (90-9-1 rule, nngroup.com; Pew 2011).
    """
    sessions = np.array([c.sessions_per_day for c in members.activity])
    posting = np.array([c.posts_per_day for c in members.posting])
    session_class = rng.choice(sessions.size, size=n, p=[c.share for c in members.activity])
    post_class = rng.choice(posting.size, size=n, p=[c.share for c in members.posting])
    return sessions[session_class], posting[post_class]


def true_interests(
    field: NDArray[np.int16], n_topics: int, members: Members, rng: np.random.Generator
) -> NDArray[np.float64]:
    """True topic interests: ``x_i ~ Dirichlet(c * mu_i)``.

    ``mu_i`` puts ``home_interest`` on the member's field and spreads the rest evenly over the
    other topics; c is ``interest_concentration`` (MODEL.md 1: "mostly the home topic").
    """
    n = field.size
    other = (1.0 - members.home_interest) / max(n_topics - 1, 1)
    mean = np.full((n, n_topics), other)
    mean[np.arange(n), field] = members.home_interest
    draws = rng.gamma(members.interest_concentration * mean)
    total = draws.sum(axis=1, keepdims=True)
    interest: NDArray[np.float64] = np.divide(draws, total, out=mean.copy(), where=total > 0)
    return interest


def place_focal(
    network: Network,
    focal: list[FocalMember],
    session_rate: NDArray[np.float64],
    post_rate: NDArray[np.float64],
    source: Path,
) -> NDArray[np.int64]:
    """The focal members, in scenario order, with their rates set to the scenario's.

    Each is the member of its field at its ``degree_quantile`` of connection counts
    (:func:`sim.network.pick_focal`), or the one whose count is nearest its ``degree``
    (:func:`sim.network.pick_focal_by_degree`), skipping members already taken
    (deterministic, no draw).
    """
    taken: set[int] = set()
    chosen: list[int] = []
    for spec in focal:
        try:
            if spec.degree is not None:
                member = pick_focal_by_degree(network, spec.field, spec.degree, taken)
            else:
                assert spec.degree_quantile is not None  # the schema sets one of the two
                member = pick_focal(network, spec.field, spec.degree_quantile, taken)
        except ValueError as exc:
            raise InputError(source, "focal", str(exc)) from None
        taken.add(member)
        chosen.append(member)
        session_rate[member] = spec.sessions_per_day
        post_rate[member] = spec.posts_per_day
    return np.array(chosen, dtype=np.int64)


def initial_follows(
    scenario: Scenario,
    network: Network,
    ties: Ties,
    post_rate: NDArray[np.float64],
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """The follow index (:func:`sim.model.follows.follow_index`): follows drawn by the
    synthetic network's rule (:func:`sim.model.follows.draw_follows`, from the ``follows``
    stream, after the focal members' rates are set), or those of the follows file."""
    spec = scenario.network
    if isinstance(spec, SyntheticNetwork):
        rule = spec.follows
        keys = follows.draw_follows(
            network.field, post_rate, rule.per_member, rule.within_field, rng
        )
    elif network.follows is not None:
        follower, followee = network.follows
        keys = follower * network.size + followee
    else:
        keys = np.zeros(0, np.int64)
    return follows.follow_index(network.size, keys, ties)


def initial_state(
    scenario: Scenario,
    network: Network,
    rng: dict[str, np.random.Generator],
    source: Path,
) -> State:
    """The state at t = 0, in the order of docs/model.md 5 (the order of the draws).

    Rates and interests from the ``network`` stream; ties with their initial affinity
    (:func:`sim.beliefs.initial_affinity`), none of the members above the connection cap
    (:func:`sim.model.limits.check_initial_degree`); initial inferred weights
    (:func:`sim.model.learning.initial_inference`); focal members; follows from the ``follows``
    stream; the trend's groups from the ``population`` stream; invitation plans from the
    ``inbound`` and ``outreach`` streams; empty stores, the pool with room for the rows it
    will hold (:func:`sim.model.candidates.expected_rows`).
    """
    n, n_topics = network.size, len(network.topics)
    session_rate, post_rate = member_rates(scenario.members, n, rng["network"])
    interest = true_interests(network.field, n_topics, scenario.members, rng["network"])
    same_field = network.field[network.u] == network.field[network.v]
    ties = Ties(
        network, beliefs.initial_affinity(network.kind, same_field, scenario.platform.affinity)
    )
    limits.check_initial_degree(ties.degree(), scenario.platform.limits.connection_cap, source)
    theta, share_parts = learning.initial_inference(
        network.field, ties.src, ties.dst, n_topics, scenario.platform.inference
    )
    focal_ids = place_focal(network, scenario.focal, session_rate, post_rate, source)
    follow_ptr, followees = initial_follows(scenario, network, ties, post_rate, rng["follows"])
    focal_slot = np.full(n, -1, dtype=np.int64)
    focal_slot[focal_ids] = np.arange(focal_ids.size)
    tag_count = np.zeros(n, np.int64)
    tag_count[focal_ids] = [spec.strategy.tag_peers for spec in scenario.focal]
    state = State(
        topics=network.topics,
        field=network.field,
        session_rate=session_rate,
        post_rate=post_rate,
        session_cum=np.zeros(0),
        post_cum=np.zeros(0),
        interest=interest,
        relative_interest=interest / interest.max(axis=1, keepdims=True),
        focal_ids=focal_ids,
        focal_slot=focal_slot,
        focal_by_name={s.name: int(m) for s, m in zip(scenario.focal, focal_ids, strict=True)},
        tag_count=tag_count,
        plans={},
        sent_plans={},
        messages_sent=np.zeros(focal_ids.size, np.int64),
        limits=limits.LimitCounts.start(n, focal_ids.size),
        trend=trend.initial_trend(
            scenario,
            network.degree(),
            network.field,
            network.topics,
            focal_ids,
            rng["population"],
            source,
            (network.u, network.v),
        ),
        arm=arms.assign_arms(scenario.platform, network.field, rng["arms"], source),
        arm_names=scenario.platform.arm_names,
        ties=ties,
        theta=theta,
        share_parts=share_parts,
        **empty_stores(n, follow_ptr, followees, scenario.platform.followers == "audience"),
    )
    linking.plan_all(state, scenario, rng["inbound"], rng["outreach"])
    if state.trend is not None and scenario.trend is not None:
        state.post_rate[state.trend.adopted] += scenario.trend.call_posts_per_day
    state.session_cum = np.cumsum(state.session_rate)
    state.post_cum = np.cumsum(state.post_rate)
    state.pool.reserve(candidates.expected_rows(state, scenario.platform.max_age_days))
    return state


def empty_stores(
    n: int, follow_ptr: NDArray[np.int64], followees: NDArray[np.int32], followers: bool
) -> dict[str, Any]:
    """The platform's stores at t = 0 (no posts, candidates or pending notifications), the
    follows and the slice scratch, as :class:`State` fields.

    The follows are held once, in the index the feed reads: by follower (a session pulls its
    followed accounts' posts) or, when `followers` are in authors' audiences, reversed, by
    followee (a post is pushed to its author's followers), the other index left empty. At a
    million members each index is 759 MiB (docs/performance.md)."""
    none = (np.zeros(n + 1, np.int64), np.zeros(0, np.int32))
    if followers:
        follower_ptr, follower_ids = follows.follower_index(n, follow_ptr, followees)
        follow_ptr, followees = none
    else:
        follower_ptr, follower_ids = none
    return {
        "follower_ptr": follower_ptr,
        "followers": follower_ids,
        "posts": Columns(POST_COLUMNS),
        "pool": GroupedColumns(POOL_COLUMNS, by="viewer", groups=n),
        "waiting": Columns(WAITING_COLUMNS),
        "follow_ptr": follow_ptr,
        "followees": followees,
        "pending": Columns(PENDING_COLUMNS),
        "next_undecided": 0,
        "session_slot": np.full(n, -1, dtype=np.int64),
    }
