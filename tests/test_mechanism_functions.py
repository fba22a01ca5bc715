"""Each mechanism of sim.model on small hand-made arrays, with exact expected values.

The world: five members, two topics, four ties

    0 -colleague- 1      0 -offline- 2      1 -client- 3      2 -offline- 3      (4 alone)

fields a, a, b, a, b. Random streams are replaced by :class:`Draws`, which hands out given
numbers and checks that each call asks for as many as it gets. Numbers are dyadic where
arithmetic follows, so the expected values are exact in floating point.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sim import behaviour, ranking, strategies
from sim import ties as sim_ties
from sim.errors import InputError
from sim.model import (
    activity,
    audience,
    candidates,
    learning,
    linking,
    population,
    reactions,
)
from sim.model.hooks import Impressions, Shown
from sim.model.limits import LimitCounts
from sim.model.state import PENDING_COLUMNS, POOL_COLUMNS, POST_COLUMNS, WAITING_COLUMNS, State
from sim.network import STRANGER, Network
from sim.observers.focal_feed import FocalFeed
from sim.observers.snapshots import Snapshots
from sim.observers.ties import FocalTies
from sim.observers.totals import Totals
from sim.scenario import (
    AcceptInvitations,
    Affinity,
    Behaviour,
    FocalMember,
    Inference,
    Members,
    Platform,
    Prune,
    Scenario,
    Strategy,
)
from sim.scenario import (
    TestAudience as Audience,
)
from sim.sources import (
    ACTIVITY,
    EXPANSION,
    NETWORK,
    OUT_OF_NETWORK,
    RECOMMENDED,
    SECOND_DEGREE,
    TAG,
)
from sim.stores import Columns, GroupedColumns
from sim.strategies import InvitationPlan
from sim.table_schema import TIE_KINDS, VOLUME_COUNTS
from sim.ties import Ties

COLLEAGUE, OFFLINE, CLIENT = (TIE_KINDS.index(k) for k in ("colleague", "offline", "client"))
FIELD_PEER = TIE_KINDS.index("field_peer")


class Draws:
    """A stand-in random stream: each method returns its next given value."""

    def __init__(self, **given: list[Any]) -> None:
        self.given = {name: list(values) for name, values in given.items()}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _next(self, name: str, size: Any = None, **kwargs: Any) -> Any:
        self.calls.append((name, {"size": size, **kwargs}))
        value = np.asarray(self.given[name].pop(0))
        if size is not None:
            assert value.shape == np.empty(size).shape, (name, size)
        return value

    def poisson(self, lam: Any) -> Any:
        return self._next("poisson", size=np.shape(lam) or None, lam=lam)

    def random(self, size: Any = None) -> Any:
        return self._next("random", size=size).astype(np.float64)

    def choice(self, a: Any, size: Any, replace: bool, p: Any) -> Any:
        return self._next("choice", size=size, a=a, p=p)

    def beta(self, a: float, b: float, size: Any) -> Any:
        return self._next("beta", size=size, a=a, b=b)

    def exponential(self, scale: float, size: Any) -> Any:
        return self._next("exponential", size=size, scale=scale)


def network() -> Network:
    return Network(
        topics=("a", "b"),
        field=np.array([0, 0, 1, 0, 1], np.int16),
        u=np.array([0, 0, 1, 2], np.int32),
        v=np.array([1, 2, 3, 3], np.int32),
        kind=np.array([COLLEAGUE, OFFLINE, CLIENT, OFFLINE], np.int8),
        strength=np.array([0.5, 0.25, 0.75, 1.0], np.float32),
    )


def make_state() -> State:
    """Member 0 is the one focal member; rates, interests and beliefs are set by hand."""
    net = network()
    session_rate = np.array([1.0, 0.0, 2.0, 0.0, 1.0])
    post_rate = np.array([1.0, 0.0, 0.0, 1.0, 0.0])
    interest = np.array([[0.75, 0.25], [0.5, 0.5], [0.25, 0.75], [0.0, 1.0], [1.0, 0.0]])
    focal_slot = np.full(5, -1, np.int64)
    focal_slot[0] = 0
    return State(
        topics=net.topics,
        field=net.field,
        session_rate=session_rate,
        post_rate=post_rate,
        session_cum=np.cumsum(session_rate),
        post_cum=np.cumsum(post_rate),
        interest=interest,
        relative_interest=interest / interest.max(axis=1, keepdims=True),
        ties=Ties(net, np.zeros(4, np.float32)),
        theta=interest.copy(),
        share_parts=None,
        focal_ids=np.array([0]),
        focal_slot=focal_slot,
        focal_by_name={"me": 0},
        tag_count=np.zeros(5, np.int64),
        plans={},
        sent_plans={},
        posts=Columns(POST_COLUMNS),
        pool=GroupedColumns(POOL_COLUMNS, by="viewer", groups=5),
        waiting=Columns(WAITING_COLUMNS),
        follow_ptr=np.zeros(6, np.int64),
        followees=np.zeros(0, np.int32),
        follower_ptr=np.zeros(6, np.int64),
        followers=np.zeros(0, np.int32),
        pending=Columns(PENDING_COLUMNS),
        next_undecided=0,
        session_slot=np.full(5, -1, np.int64),
        messages_sent=np.zeros(1, np.int64),
        limits=LimitCounts.start(5, 1),
        trend=None,
        arm=np.zeros(5, np.int8),
        arm_names=("main",),
    )


def add_posts(state: State, author: list[int], topic: list[int], created: list[float]) -> None:
    count = len(author)
    zeros = {name: np.zeros(count, np.int32) for name in POST_COLUMNS}
    zeros.update(
        author=np.array(author, np.int32),
        topic=np.array(topic, np.int16),
        created=np.array(created),
        test_end=np.array(created),
    )
    state.posts.append(**zeros)


def add_pool(state: State, *rows: tuple[int, int, int, float, bool]) -> None:
    viewer, post, route, available, consumed = (
        np.array(column) for column in zip(*rows, strict=True)
    )
    state.pool.append(viewer=viewer, post=post, route=route, available=available, consumed=consumed)


def pool_rows(state: State) -> list[tuple[int, int, int, float, bool]]:
    p = state.pool
    return [
        (int(v), int(q), int(r), float(a), bool(c))
        for v, q, r, a, c in zip(
            p["viewer"], p["post"], p["route"], p["available"], p["consumed"], strict=True
        )
    ]


def scenario(**changes: Any) -> Scenario:
    values: dict[str, Any] = {"focal": [FocalMember(name="me", field="a")], **changes}
    return Scenario(name="t", topics=["a", "b"], **values)


# --------------------------------------------------------------------------- population


def test_member_rates_take_the_rates_of_the_drawn_classes() -> None:
    members = Members(
        activity=[{"share": 1.0, "sessions_per_day": 0.5}],
        posting=[{"share": 0.0, "posts_per_day": 3.0}, {"share": 1.0, "posts_per_day": 0.25}],
    )
    sessions, posts = population.member_rates(members, 3, np.random.default_rng(0))
    assert_array_equal(sessions, [0.5, 0.5, 0.5])
    assert_array_equal(posts, [0.25, 0.25, 0.25])


def test_true_interests_with_all_interest_at_home_are_the_home_field() -> None:
    members = Members(home_interest=1.0)
    field = np.array([1, 0, 1], np.int16)
    interest = population.true_interests(field, 2, members, np.random.default_rng(0))
    assert_array_equal(interest, [[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])


def test_place_focal_picks_by_degree_quantile_and_sets_the_rates() -> None:
    sessions, posts = np.zeros(5), np.zeros(5)
    focal = [
        FocalMember(name="x", field="a", degree_quantile=1.0, sessions_per_day=1.5),
        FocalMember(name="y", field="a", degree_quantile=1.0, posts_per_day=0.25),
    ]
    chosen = population.place_focal(network(), focal, sessions, posts, Path("s.yaml"))
    # field a: members 0, 1, 3, all of degree 2, ordered by (degree, id): quantile 1 is
    # the last one not yet taken
    assert_array_equal(chosen, [3, 1])
    assert_array_equal(sessions, [0.0, 2.0, 0.0, 1.5, 0.0])
    assert_array_equal(posts, [0.0, 0.25, 0.0, 2 / 7, 0.0])


# --------------------------------------------------------------------------- activity


def test_create_posts_draws_authors_by_rate_times_and_topics_by_interest() -> None:
    state = make_state()
    draws = Draws(poisson=[2], random=[[0.25, 0.75], [0.5, 0.0], [0.5, 0.5]])
    new = activity.create_posts(state, draws, 1.0, 1.5, 0.125)  # type: ignore[arg-type]
    assert draws.calls[0][1]["lam"] == 2.0 * 0.5  # total rate 2 a day over half a day
    assert_array_equal(new.ids, [0, 1])
    assert_array_equal(new.author, [0, 3])  # targets 0.5 and 1.5 on cumulative rates 1,1,1,2,2
    assert_array_equal(new.created, [1.0, 1.25])  # sorted
    assert_array_equal(state.posts["topic"], [0, 1])  # 0.5 of (0.75, 1) -> a; of (0, 1) -> b
    assert_array_equal(state.posts["test_end"], [1.125, 1.375])
    assert_array_equal(state.posts["author_connections"], [2, 2])


def test_create_posts_without_posters_draws_nothing() -> None:
    state = make_state()
    state.post_cum = np.zeros(5)
    new = activity.create_posts(state, Draws(), 0.0, 1.0, 0.0)  # type: ignore[arg-type]
    assert new.ids.size == 0 and state.posts.size == 0


def test_draw_sessions_merges_a_members_sessions_at_its_first_time() -> None:
    state = make_state()
    draws = Draws(poisson=[3], random=[[0.5, 0.25, 0.875], [0.5, 0.25, 0.75]])
    sessions = activity.draw_sessions(state, draws, 0.0, 1.0, 1)  # type: ignore[arg-type]
    # targets 2, 1, 3.5 on cumulative rates 1,1,3,3,4: members 2, 2, 4
    assert_array_equal(sessions.viewers, [2, 4])
    assert_array_equal(sessions.time, [0.25, 0.75])
    assert_array_equal(sessions.count, [1, 1])  # member 2's two sessions, capped at 1


# --------------------------------------------------------------------------- audience


def test_test_audience_takes_connections_below_the_fraction() -> None:
    state = make_state()
    test = Audience(fraction=0.25)
    draws = Draws(random=[[0.125, 0.625]])
    ids, authors, created = np.array([7]), np.array([0]), np.array([1.0])
    audience.send_to_test_audience(state, test, ids, authors, created, draws)  # type: ignore[arg-type]
    assert pool_rows(state) == [(1, 7, NETWORK, 1.0, False)]
    assert_array_equal(state.waiting["viewer"], [2])
    assert_array_equal(state.waiting["draw"], [0.5])  # (0.625 - 0.25) / 0.75


def test_without_test_audience_every_connection_gets_the_post() -> None:
    state = make_state()
    ids, authors, created = np.array([7]), np.array([0]), np.array([1.0])
    off = Audience(enabled=False)
    audience.send_to_test_audience(state, off, ids, authors, created, Draws())  # type: ignore[arg-type]
    assert pool_rows(state) == [(1, 7, NETWORK, 1.0, False), (2, 7, NETWORK, 1.0, False)]


def test_expansion_follows_the_smoothed_engagement_rate() -> None:
    state = make_state()
    add_posts(state, [0, 3], [0, 1], [0.0, 1.5])
    state.posts["test_end"][:] = [0.5, 2.0]
    state.posts["likes"][0], state.posts["impressions"][0] = 1, 3
    state.waiting.append(
        viewer=np.array([2, 3, 4]),
        post=np.array([0, 0, 1]),
        draw=np.array([0.25, 0.5, 0.0]),
        route=EXPANSION,
    )
    test = Audience(prior_impressions=1.0, prior_rate=0.0, target_rate=0.5)
    audience.expand_tested(state, test, 1.0)
    # r = (1 + 0) / (3 + 1) = 0.25; share = 0.25 / 0.5 = 0.5: draw 0.25 in, 0.5 out
    assert pool_rows(state) == [(2, 0, EXPANSION, 0.5, False)]
    assert_array_equal(state.waiting["post"], [1])
    assert state.next_undecided == 1


# --------------------------------------------------------------------------- candidates


def test_tags_go_to_the_peers_of_highest_stored_affinity_never_strangers() -> None:
    state = make_state()
    ties = state.ties
    ties.add(
        np.array([0], np.int32),
        np.array([4], np.int32),
        0.0,
        kind=np.array([STRANGER]),
        strength=np.array([0.5]),
        affinity=np.array([2.0]),
    )
    ties.affinity[ties.lookup(np.array([0, 0]), np.array([1, 2]))] = [0.5, 0.75]
    state.tag_count[0] = 1
    candidates.notify_tagged(state, np.array([0, 3]), np.array([5, 6]), np.array([1.0, 1.5]))
    assert pool_rows(state) == [(2, 5, TAG, 1.0, False)]


def test_activity_reaches_connections_below_the_fanout_but_not_the_author() -> None:
    state = make_state()
    add_posts(state, [3], [1], [0.0])
    draws = Draws(random=[[0.125, 0.0]])  # member 1's connections: 0, 3
    candidates.spread_activity(
        state,
        np.array([1]),
        np.array([0]),
        np.array([behaviour.LIKE], np.int8),
        np.array([2.5]),
        Behaviour(activity_fanout_like=0.25),
        draws,  # type: ignore[arg-type]
    )
    assert pool_rows(state) == [(0, 0, ACTIVITY, 2.5, False)]


def test_recommendations_pick_a_topic_by_belief_then_a_post_by_engagement() -> None:
    state = make_state()
    add_posts(state, [3, 2, 0, 1], [1, 1, 0, 0], [0.5, 0.75, 0.8, 0.9])
    state.posts["likes"][:] = [2, 0, 1, 0]
    state.posts["comments"][1], state.posts["shares"][1] = 1, 1
    sessions = activity.Sessions(np.array([0]), np.array([1.0]), np.array([1]))
    platform = Platform(out_of_network_per_session=1.0)
    draws = Draws(poisson=[[2]], random=[[0.875, 0.25], [0.5, 0.25]])
    viewer, post = candidates.recommend(state, sessions, platform, draws)  # type: ignore[arg-type]
    # engaged posts by topic: a: post 2 (weight 1); b: posts 0, 1 (weights 2, 2).
    # draw 1: topic b (0.875 > 0.75), target 1 + 0.5 * 4 = 3 -> post 1;
    # draw 2: topic a, target 0.25 -> post 2, the viewer's own: lost.
    assert_array_equal(viewer, [0])
    assert_array_equal(post, [1])


def test_gather_merges_routes_counts_proof_and_drops_seen_own_and_stale() -> None:
    state = make_state()
    add_posts(state, [3, 2, 0, 1], [1, 1, 0, 0], [0.5, 0.75, 0.8, -2.0])
    add_pool(
        state,
        (0, 1, ACTIVITY, 0.9, False),
        (0, 1, NETWORK, 0.8, False),
        (0, 1, ACTIVITY, 0.95, False),
        (0, 0, EXPANSION, 2.0, False),  # not yet available
        (2, 0, NETWORK, 0.0, False),  # not in a session
        (0, 2, NETWORK, 0.8, False),  # own post
        (0, 3, TAG, 0.0, False),  # three days old, but a tag
        (0, 0, NETWORK, 0.6, True),  # seen before
    )
    state.session_slot[0] = 0
    sessions = activity.Sessions(np.array([0]), np.array([1.0]), np.array([1]))
    g = candidates.gather_candidates(state, sessions, (np.array([0]), np.array([0])), 2.0)
    assert_array_equal(g.rows, [0, 1, 2, 5, 6, 7])
    assert_array_equal(g.row_candidate, [0, 0, 0, -1, 1, -1])  # own post, seen: dropped
    assert_array_equal(g.viewer, [0, 0])
    assert_array_equal(g.post, [1, 3])
    assert_array_equal(g.author, [2, 1])
    assert_array_equal(g.route, [NETWORK, TAG])
    assert_array_equal(g.proof, [2, 0])
    assert_array_equal(g.primary, [True, False])


def gathered(**columns: list[Any]) -> candidates.Gathered:
    size = len(columns["viewer"])
    values: dict[str, Any] = {
        "rows": [],
        "row_candidate": [],
        "author": [0] * size,
        "route": [NETWORK] * size,
        "proof": [0] * size,
        "primary": [False] * size,
    }
    values.update(columns)
    values["served"] = np.unique(values["viewer"])  # slots in ascending member order
    values["slot"] = np.searchsorted(values["served"], values["viewer"])
    values["starts"] = np.searchsorted(values["slot"], np.arange(values["served"].size + 1))
    return candidates.Gathered(**{name: np.array(v) for name, v in values.items()})


def test_features_give_source_decayed_affinity_and_relative_belief() -> None:
    state = make_state()
    add_posts(state, [2, 3, 4], [1, 0, 1], [0.5, 0.75, 0.25])
    edge = state.ties.lookup(np.array([0]), np.array([2]))
    state.ties.affinity[edge] = 4.0
    g = gathered(
        viewer=[0, 0, 0],
        post=[0, 1, 2],
        author=[2, 3, 4],
        route=[NETWORK, RECOMMENDED, ACTIVITY],
        proof=[0, 0, 3],
    )
    c = candidates.candidate_features(state, g, np.array([1.0, 1.0, 1.0]), 1.0)
    assert_array_equal(c.source, [OFFLINE, OUT_OF_NETWORK, SECOND_DEGREE])
    assert_array_equal(c.edge, [edge[0], -1, -1])
    assert_array_equal(c.affinity, [2.0, 0.0, 0.0])  # 4 * 2^(-1 / 1)
    assert_array_equal(c.belief, [0.25 / 0.75, 1.0, 0.25 / 0.75])
    assert_array_equal(c.age, [0.5, 0.25, 0.75])
    assert_array_equal(c.proof, [0, 0, 3])


def test_select_feed_pins_tags_then_ranks_and_cuts_at_the_limit() -> None:
    c = ranking.Candidates(
        viewer=np.array([0, 0, 0, 1]),
        post=np.array([0, 1, 2, 3]),
        topic=np.zeros(4, np.int16),
        route=np.array([NETWORK, NETWORK, TAG, NETWORK], np.int8),
        source=np.zeros(4, np.int8),
        edge=np.zeros(4, np.int64),
        age=np.array([0.5, 0.25, 1.0, 0.125]),
        affinity=np.zeros(4),
        belief=np.ones(4),
        proof=np.zeros(4, np.int64),
    )
    platform = Platform(ranker="chronological")
    shown, rank = candidates.select_feed(c, np.array([2, 2, 2, 1]), platform, Draws())  # type: ignore[arg-type]
    assert_array_equal(shown, [2, 1, 3])
    assert_array_equal(rank, [0, 1, 0])


def test_shown_rows_are_consumed_and_shown_recommendations_stored() -> None:
    state = make_state()
    add_posts(state, [3, 2, 1], [0, 0, 0], [0.0, 0.0, 0.0])
    add_pool(state, (0, 1, NETWORK, 0.0, False), (0, 2, ACTIVITY, 0.0, False))
    g = gathered(
        rows=[0, 1],
        row_candidate=[0, 2],
        viewer=[0, 0, 0],
        post=[1, 0, 2],
        route=[NETWORK, RECOMMENDED, ACTIVITY],
    )
    candidates.mark_shown(state, g, np.array([0, 1]), np.array([1.0, 1.25, 1.5]))
    assert pool_rows(state) == [
        (0, 1, NETWORK, 0.0, True),
        (0, 2, ACTIVITY, 0.0, False),
        (0, 0, RECOMMENDED, 1.25, True),
    ]


def test_expired_rows_are_forgotten_except_unread_tags() -> None:
    state = make_state()
    add_posts(state, [3, 2, 1], [0, 0, 0], [0.0, 1.5, 0.25])
    add_pool(
        state,
        (1, 0, NETWORK, 0.0, False),
        (1, 1, NETWORK, 1.5, False),
        (1, 0, TAG, 0.0, False),
        (2, 0, TAG, 0.0, True),
        (1, 2, ACTIVITY, 0.5, False),
    )
    candidates.forget_expired(state, 2.5, 1.0)
    assert pool_rows(state) == [(1, 1, NETWORK, 1.5, False), (1, 0, TAG, 0.0, False)]


# --------------------------------------------------------------------------- reactions


def impressions(**columns: list[Any]) -> Impressions:
    size = len(columns["viewer"])
    values: dict[str, Any] = {
        "post": [0] * size,
        "topic": [0] * size,
        "source": [0] * size,
        "edge": [-1] * size,
        "proof": [0] * size,
        "when": [0.0] * size,
        "tagged": [False] * size,
    }
    values.update(columns)
    return Impressions(**{name: np.array(v) for name, v in values.items()})


def test_impressions_count_by_group_tag_primary_reach_and_focal_feed() -> None:
    state = make_state()
    add_posts(state, [0, 3], [0, 1], [1.0, 1.0])
    edge = int(state.ties.lookup(np.array([1]), np.array([0]))[0])
    seen = impressions(
        viewer=[1, 3, 0],
        post=[0, 1, 1],
        topic=[0, 1, 1],
        source=[COLLEAGUE, SECOND_DEGREE, OUT_OF_NETWORK],
        edge=[edge, -1, -1],
        when=[1.5, 1.5, 2.25],
        tagged=[False, True, False],
    )
    primary = np.array([True, False, False])
    reactions.count_impressions(state, seen, primary)
    posts = state.posts
    assert_array_equal(posts["impressions"], [1, 2])
    assert_array_equal(posts["primary_viewers"], [1, 0])
    assert_array_equal(posts["viewers_peer"], [1, 0])
    assert_array_equal(posts["viewers_second_degree"], [0, 1])
    assert_array_equal(posts["viewers_out_of_network"], [0, 1])
    assert_array_equal(posts["viewers_tag"], [0, 1])
    assert not state.ties.reached.any()  # a record, kept by the observers
    run = SimpleNamespace(duration_days=3)
    feed, snapshots, totals = (kind(run, state) for kind in (FocalFeed, Snapshots, Totals))  # type: ignore[arg-type]
    shown = Shown(seen, primary, np.zeros(3, bool))
    for observer in (feed, snapshots, totals):
        observer.shown(state, shown)
    assert totals.counts["impressions"] == 3
    reached = state.ties.lookup(np.array([0]), np.array([1]))
    assert state.ties.reached.sum() == 1 and state.ties.reached[reached[0]]
    assert feed.feed.sum() == 1 and feed.feed[0, 2, 1, OUT_OF_NETWORK] == 1
    assert feed.volume[0, :, VOLUME_COUNTS.index("impressions")].tolist() == [0, 0, 1]


def test_reactions_follow_propensity_and_the_uniform_at_the_rank() -> None:
    state = make_state()
    edge = int(state.ties.lookup(np.array([1]), np.array([0]))[0])
    seen = impressions(
        viewer=[1, 4], topic=[0, 0], source=[COLLEAGUE, SECOND_DEGREE], edge=[edge, -1]
    )
    state.session_slot[[1, 4]] = [0, 1]
    uniforms = np.zeros((2, 3))
    uniforms[:, 0] = [0.0625, 0.0078125]
    rates = {"like_rate": 0.04, "comment_rate": 0.01, "share_rate": 0.0035}
    params = Behaviour(**rates)
    action = reactions.decide_reactions(
        state, seen, np.array([0, 0]), np.array([0, 0]), uniforms, params
    )
    # colleague 5 x (0.5 / 0.5) x interest 1 = 5: bounds 0.0175, 0.0675, 0.2675 -> comment;
    # second degree 0.3 x (0.5 / 0.5) x 1 = 0.3: bounds 0.00105, 0.00405, 0.01605 -> like
    assert_array_equal(action, [behaviour.COMMENT, behaviour.LIKE])
    silent = Behaviour(unconnected_strength=0.0, **rates)
    action = reactions.decide_reactions(
        state, seen, np.array([0, 0]), np.array([0, 0]), uniforms, silent
    )
    assert_array_equal(action, [behaviour.COMMENT, behaviour.NONE])


def test_engagements_count_by_action_group_tag_and_age() -> None:
    state = make_state()
    add_posts(state, [0, 3], [0, 1], [0.0, 1.5])
    engaged = impressions(
        viewer=[1, 2, 4],
        post=[0, 0, 1],
        source=[COLLEAGUE, STRANGER, SECOND_DEGREE],
        when=[0.125, 1.0, 2.0],
        tagged=[False, False, True],
    )
    action = np.array([behaviour.LIKE, behaviour.SHARE, behaviour.COMMENT], np.int8)
    reactions.count_engagements(state, engaged, action)
    posts = state.posts
    assert_array_equal(posts["likes"], [1, 0])
    assert_array_equal(posts["comments"], [0, 1])
    assert_array_equal(posts["shares"], [1, 0])
    assert_array_equal(posts["engagements_peer"], [1, 0])
    assert_array_equal(posts["engagements_stranger"], [1, 0])
    assert_array_equal(posts["engagements_second_degree"], [0, 1])
    assert_array_equal(posts["engagements_tag"], [0, 1])
    assert_array_equal(posts["engagements_within_3h"], [1, 0])  # ages 0.125, 1, 0.5 days
    assert_array_equal(posts["engagements_within_24h"], [2, 1])


# --------------------------------------------------------------------------- learning


def test_interactions_decay_then_add_to_affinity_and_set_first_interaction() -> None:
    ties = make_state().ties
    edge = int(ties.lookup(np.array([0]), np.array([1]))[0])
    back = int(ties.reverse(np.array([edge]))[0])
    ties.affinity[edge] = 2.0
    learning.remember_interactions(
        ties, np.array([edge, -1, edge]), np.array([1.0, 5.0, 2.0]), 1.0, Affinity()
    )
    assert ties.affinity[edge] == 2.5  # 2 x 2^(-2) + 1 + 1
    assert ties.affinity_time[edge] == 2.0
    assert ties.first_interaction[edge] == ties.first_interaction[back] == 1.0
    assert ties.affinity[back] == 0.0  # only viewer -> author learns
    learning.remember_interactions(
        ties, np.array([edge]), np.array([2.0]), 1.0, Affinity(per_interaction=0.5)
    )
    assert ties.affinity[edge] == 3.0


def test_engagements_move_inferred_weights_toward_the_topic_by_the_action_step() -> None:
    theta = np.array([[0.5, 0.5], [0.5, 0.5]])
    inference = Inference(share_step=0.5, like_step=0.25)
    action = np.array([behaviour.SHARE, behaviour.NONE], np.int8)
    viewer, topic, field = np.array([0, 1]), np.array([1, 0], np.int16), np.zeros(2, np.int16)
    learning.learn_from_engagements(theta, None, field, viewer, topic, action, inference)
    assert_array_equal(theta, [[0.25, 0.75], [0.5, 0.5]])


def test_new_ties_move_both_ends_toward_the_other_field_when_the_term_is_on() -> None:
    field = np.array([0, 1, 1], np.int16)
    theta = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    on = Inference(connection_step=0.5)
    learning.learn_from_connections(theta, None, field, 0, np.array([1], np.int32), on)
    assert_array_equal(theta, [[0.5, 0.5], [0.75, 0.25], [0.0, 1.0]])
    off = Inference(connection_term=False, connection_step=0.5)
    learning.learn_from_connections(theta, None, field, 0, np.array([2], np.int32), off)
    assert_array_equal(theta, [[0.5, 0.5], [0.75, 0.25], [0.0, 1.0]])


# --------------------------------------------------------------------------- linking


def tie(state: State, a: int, b: int) -> dict[str, Any]:
    edge = int(state.ties.lookup(np.array([a]), np.array([b]))[0])
    assert edge >= 0
    return {
        name: getattr(state.ties, name)[edge].item()
        for name in (
            "kind",
            "strength",
            "affinity",
            "created",
            "first_interaction",
            "intro",
            "placed",
            "note",
        )
    }


def test_connect_sets_affinity_and_schedules_a_late_reply() -> None:
    state = make_state()
    s = scenario(platform={"inference": {"connection_term": False}})
    linking.connect(
        state,
        s,
        0,
        np.array([3], np.int32),
        np.array([STRANGER], np.int8),
        2.0,
        strength=np.array([0.5], np.float32),
        late_reply=np.array([0.0]),
        reply_delay=np.array([1.0]),
    )
    # same field: a0 = 0.2; late_reply 0 < 0.054: an exchange at 2 + 1 x 7 days
    assert tie(state, 0, 3) == {
        "kind": STRANGER,
        "strength": 0.5,
        "affinity": np.float32(0.2).item(),
        "created": 2.0,
        "first_interaction": 9.0,
        "intro": False,
        "placed": False,
        "note": False,
    }
    assert tie(state, 3, 0)["first_interaction"] == 9.0
    linking.connect(
        state,
        s,
        0,
        np.array([4], np.int32),
        np.array([STRANGER], np.int8),
        2.0,
        strength=np.array([0.5], np.float32),
        late_reply=np.array([0.0]),
        reply_delay=np.array([1.0]),
        placed=np.array([True]),
    )
    placed = tie(state, 0, 4)  # other field: a0 = 0, plus 1 for the placed tie
    assert (placed["affinity"], placed["first_interaction"], placed["placed"]) == (1.0, 2.0, True)
    assert_array_equal(state.theta, state.interest)  # connection term off


def test_a_burst_draws_unconnected_inviters_by_session_rate() -> None:
    state = make_state()
    state.session_rate[[3, 4]] = [0.5, 1.5]
    event = AcceptInvitations(action="accept_invitations", day=1, member="me", count=1, field="b")
    draws = Draws(choice=[[4]], beta=[[0.25]], random=[[0.5]], exponential=[[1.0]])
    intros = Draws(random=[[0.0]])  # would answer an intro; none is written by default
    linking.accept_burst(state, scenario(), event, 0, 1, 1, 1.0, draws, intros, Path("s.yaml"))  # type: ignore[arg-type]
    name, kwargs = draws.calls[0]
    assert name == "choice"
    assert_array_equal(kwargs["a"], [4])  # field b: members 2 (connected) and 4
    assert_array_equal(kwargs["p"], [1.0])
    made = tie(state, 0, 4)
    assert (made["kind"], made["strength"], made["created"]) == (STRANGER, 0.25, 1.0)
    assert np.isnan(made["first_interaction"])  # late_reply 0.5 >= 0.054: never
    assert not made["intro"] and not made["placed"]
    too_many = event.model_copy(update={"count": 2})
    with pytest.raises(InputError, match="only 0 members"):
        none = Draws()
        linking.accept_burst(state, scenario(), too_many, 0, 2, 2, 1.0, none, none, Path("s"))  # type: ignore[arg-type]


def test_inbound_plans_take_friends_of_friends_in_the_field_and_other_strangers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = make_state()
    pools: dict[str, Any] = {}

    def capture(strategy: Any, days: Any, known: Any, others: Any, weight: Any, *_: Any) -> str:
        pools.update(known=known, others=others, weight=weight)
        return "plan"

    monkeypatch.setattr(strategies, "plan_invitations", capture)
    by_activity = scenario(platform={"invitations": {"draw": "session_rate"}})
    assert linking.plan_inbound(state, by_activity, 0, Draws()) == "plan"  # type: ignore[arg-type, comparison-overlap]
    assert_array_equal(pools["known"], [3])  # via 1 (and 2), field a
    assert_array_equal(pools["others"], [4])
    assert_array_equal(pools["weight"], [1.0])

    def capture_sent(strategy: Any, days: Any, pool: Any, weight: Any, *_: Any) -> str:
        pools.update(pool=pool, weight=weight)
        return "sent"

    monkeypatch.setattr(strategies, "plan_sent_invitations", capture_sent)
    assert linking.plan_sent(state, by_activity, 0, Draws()) == "sent"  # type: ignore[arg-type, comparison-overlap]
    assert_array_equal(pools["pool"], [3, 4])  # every unconnected member but focal ones
    assert_array_equal(pools["weight"], [0.0, 1.0])


def plan(**columns: list[Any]) -> InvitationPlan:
    size = len(columns["day"])
    values: dict[str, Any] = {
        "known": [False] * size,
        "strength": [0.5] * size,
        "late_reply": [1.0] * size,
        "reply_delay": [1.0] * size,
    }
    values.update(columns)
    return InvitationPlan(**{name: np.array(v) for name, v in values.items()})


def test_received_invitations_are_answered_by_the_strategy() -> None:
    state = make_state()
    state.plans[0] = plan(
        day=[0, 0, 1], inviter=[3, 4, 1], known=[True, False, False], answer=[0.875, 0.125, 0.0]
    )
    s = scenario()  # selective, answer_rate 0.15
    linking.answer_received(state, s, 0, 0, 1.0)
    assert tie(state, 0, 3)["kind"] == FIELD_PEER
    stranger = tie(state, 0, 4)
    assert (stranger["kind"], stranger["placed"], stranger["first_interaction"]) == (
        STRANGER,
        True,
        1.0,
    )
    assert state.messages_sent[0] == 1  # the question to 4
    before = state.ties.count
    linking.answer_received(state, s, 0, 1, 2.0)  # 1 is already a connection: void
    assert state.ties.count == before and state.messages_sent[0] == 1


def test_sent_invitations_carry_notes_within_the_budget() -> None:
    strategy = Strategy(personal_note=True, messages_per_day=1)
    answers = strategies.answer_sent_invitations(
        strategy,
        np.array([False, True, True]),
        np.array([0.0, 0.125, 0.5]),
        np.array([0.0, 0.0625, 0.015625]),
    )
    assert_array_equal(answers.note, [False, True, False])
    assert_array_equal(answers.accept, [False, True, False])  # 0.125 < 0.26
    assert_array_equal(answers.placed, [False, True, False])  # 0.0625 < 0.094
    assert_array_equal(answers.late_reply, [0.0, np.inf, 0.015625])
    assert answers.messages == 1

    state = make_state()
    state.sent_plans[0] = plan(
        day=[0, 0], inviter=[3, 4], answer=[0.125, 0.5], late_reply=[0.0625, 0.015625]
    )
    focal = FocalMember(name="me", field="a", strategy=strategy)
    linking.answer_sent(state, scenario(focal=[focal]), 0, 0, 1.0)
    made = tie(state, 0, 3)
    assert (made["kind"], made["note"], made["placed"], made["first_interaction"]) == (
        STRANGER,
        True,
        True,
        1.0,
    )
    assert state.ties.lookup(np.array([0]), np.array([4]))[0] == -1  # 0.5: declined
    assert state.messages_sent[0] == 1


def test_pruning_removes_silent_ties_of_the_kinds_and_keeps_them_for_the_record() -> None:
    state = make_state()
    s = scenario(platform={"inference": {"connection_term": False}})
    linking.connect(
        state,
        s,
        0,
        np.array([3, 4], np.int32),
        np.full(2, STRANGER, np.int8),
        0.0,
        strength=np.full(2, 0.5, np.float32),
        late_reply=np.array([1.0, 0.0]),
        reply_delay=np.array([0.5, 0.0625]),
    )
    event = Prune(action="prune", day=1, member="me", kinds=["stranger"], minutes_per_removal=2)
    removed = linking.prune(state, event, 1.0)  # 4 replied at 0.4375; 3 never
    gone, kept = state.ties.lookup(np.array([0, 0]), np.array([3, 4]))
    assert gone == -1 and kept >= 0
    assert_array_equal(removed["dst"], [3])
    assert_array_equal(removed["removed_day"], [1.0])
    assert_array_equal(removed["removal_minutes"], [2.0])
    assert np.isnan(removed["first_interaction"]).all()


# --------------------------------------------------------------------------- observers


def test_daily_snapshot_counts_focal_ties_by_kind_and_reached() -> None:
    state = make_state()
    snapshots = Snapshots(SimpleNamespace(duration_days=3), state)  # type: ignore[arg-type]
    state.theta[0] = [0.25, 0.75]
    state.ties.reached[state.ties.lookup(np.array([0]), np.array([2]))] = True
    snapshots.day_end(state, 1)
    assert_array_equal(snapshots.inferred[0, 1], [0.25, 0.75])
    expected = np.zeros((len(TIE_KINDS), 2), np.int64)
    expected[COLLEAGUE] = [1, 0]
    expected[OFFLINE] = [1, 1]
    assert_array_equal(snapshots.connections[0, 1], expected)


def test_focal_ties_write_scheduled_interactions_after_the_end_as_nan_and_keep_pruned() -> None:
    state = make_state()
    ties = FocalTies(SimpleNamespace(duration_days=3), state)  # type: ignore[arg-type]
    state.ties.first_interaction[state.ties.lookup(np.array([0, 0]), np.array([1, 2]))] = [
        2.5,
        3.5,
    ]
    pruned = {name: getattr(state.ties, name)[:1].copy() for name in sim_ties.COLUMNS}
    pruned.update(removed_day=np.array([1.0]), removal_minutes=np.array([2.0]))
    ties.ties_removed(state, pruned)
    records = ties.records(state)
    assert_array_equal(records["partner_id"], [1, 2, pruned["dst"][0]])
    assert_array_equal(records["first_interaction_day"][:2], [2.5, np.nan])
    assert_array_equal(records["removed_day"], [np.nan, np.nan, 1.0])
    assert_array_equal(records["removal_minutes"], [0.0, 0.0, 2.0])
