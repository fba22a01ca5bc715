"""The other end of an invitation (``platform.invitations.draw``; docs/model.md 7.24):
``session_rate`` | ``people_you_may_know``.

Exact values on hand-made graphs and arrays (dyadic numbers), the sampler's distribution
against the exact one, a directional test at small size with fixed seeds (PYMK closes far
more triangles), reruns byte-identical, and bad input through `feedsim validate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sim.engine import World
from sim.model import invitees, linking, trend
from sim.model.connecting import add_ties
from sim.model.state import State
from sim.network import STRANGER
from sim.rng import replication_seed
from sim.scenario import Invitations, Scenario, load_study
from tests.helpers import run_tables, write_scenario
from tests.test_cli import ScenarioFile, invoke
from tests.test_mechanism_functions import Draws, make_state, scenario

PYMK = Invitations(draw="people_you_may_know")


def active_state() -> State:
    """:func:`make_state`'s graph (ties 0-1, 0-2, 1-3, 2-3; member 4 alone; fields a a b a b)
    with every member active: session rates 1, 2, 1, 0.5, 0.5."""
    state = make_state()
    state.session_rate = np.array([1.0, 2.0, 1.0, 0.5, 0.5])
    state.session_cum = np.cumsum(state.session_rate)
    return state


# --------------------------------------------------------------------------- exact rules


def test_mutual_counts_count_the_shared_connections_and_d_i_for_oneself() -> None:
    ties = make_state().ties
    assert_array_equal(invitees.mutual_counts(ties, 0), [2, 0, 0, 2, 0])  # via 1 and 2
    assert_array_equal(invitees.mutual_counts(ties, 1), [0, 2, 2, 0, 0])  # via 0 and 3
    assert_array_equal(invitees.mutual_counts(ties, 4), [0, 0, 0, 0, 0])  # no connection


def test_pymk_probability_mixes_friends_of_friends_field_and_anyone_by_activity() -> None:
    activity = np.array([1.0, 1.0, 2.0, 4.0])
    mutual = np.array([2, 0, 1, 1])
    same_field = np.array([True, True, False, False])
    rule = Invitations(draw="people_you_may_know", friends_of_friends=0.5, same_field=0.25)
    got = invitees.pymk_probability(activity, mutual, same_field, rule)
    # friends of friends: s m = 2, 0, 2, 4 (sum 8), times 0.5: 1/8, 0, 1/8, 1/4
    # same field: s [same] = 1, 1, 0, 0 (sum 2), times 0.25: 1/8, 1/8, 0, 0
    # anyone: s = 1, 1, 2, 4 (sum 8), times 0.25: 1/32, 1/32, 1/16, 1/8
    assert_array_equal(got, [0.28125, 0.15625, 0.1875, 0.375])


def test_a_component_with_nothing_to_draw_counts_zero() -> None:
    activity = np.array([1.0, 1.0, 2.0, 4.0])
    same_field = np.array([True, True, False, False])
    got = invitees.pymk_probability(activity, np.zeros(4, np.int64), same_field, PYMK)
    # no friend of a friend: 0.3 * (1/2, 1/2, 0, 0) + 0.2 * (1, 1, 2, 4) / 8
    assert_array_equal(got, [0.175, 0.175, 0.05, 0.1])


def test_session_rate_weights_are_the_session_rates_of_the_pool() -> None:
    state = active_state()
    pool = np.array([3, 1, 4])
    got = invitees.invitee_weights(state, Invitations(draw="session_rate"), 0, pool)
    assert_array_equal(got, [0.5, 2.0, 0.5])


def test_pymk_weights_of_a_pool_are_the_exact_probabilities() -> None:
    state = active_state()
    pool = np.array([3, 4])
    # member 0: m = 2, 0, 0, 2, 0; s m = 2, 0, 0, 1, 0 (sum 3); field a: 0, 1, 3 (s sum 3.5)
    # 3: 0.5 * 1/3 + 0.3 * 0.5/3.5 + 0.2 * 0.5/5; 4: 0.2 * 0.5/5
    got = invitees.invitee_weights(state, PYMK, 0, pool)
    assert got == pytest.approx([0.5 / 3 + 0.3 / 7 + 0.02, 0.02], rel=1e-12)


def test_the_sampler_walks_two_steps_by_activity_and_draws_field_and_anyone() -> None:
    state = active_state()
    # components: 0.25 friend of a friend, 0.6 same field, 0.9 anyone (q = 0.5, q_f = 0.3)
    draws = Draws(random=[[0.25, 0.6, 0.9], [0.25, 0.5, 0.75], [0.75, 0.5, 0.5]])
    got = invitees.draw_invitees(state, PYMK, np.array([0, 0, 0]), draws)  # type: ignore[arg-type]
    # walk: S_1 = S_2 = s_0 + s_3 = 1.5, so 0.25 picks 1; from 1, s = 1 (0), 0.5 (3): 0.75 -> 3
    # field a (0, 1, 3; s 1, 2, 0.5): 0.5 * 3.5 = 1.75 -> 1; anyone: 0.75 * 5 = 3.75 -> 2
    assert_array_equal(got, [3, 1, 2])
    assert [name for name, _ in draws.calls] == ["random"] * 3


def test_a_draw_with_nothing_to_draw_is_the_inviter_itself() -> None:
    state = active_state()
    draws = Draws(random=[[0.25], [0.5], [0.5]])
    got = invitees.draw_invitees(state, PYMK, np.array([4]), draws)  # type: ignore[arg-type]
    assert_array_equal(got, [4])  # member 4 has no connection: void, as an invitation to oneself


def test_session_rate_draws_one_uniform_per_invitation_by_bisection() -> None:
    state = active_state()  # cumulative 1, 3, 4, 4.5, 5
    draws = Draws(random=[[0.0, 0.25, 0.7, 0.99]])
    got = invitees.draw_invitees(
        state, Invitations(draw="session_rate"), np.zeros(4, np.int64), draws
    )  # type: ignore[arg-type]
    assert_array_equal(got, [0, 1, 2, 4])  # targets 0, 1.25, 3.5, 4.95
    assert draws.calls == [("random", {"size": 4})]


def test_the_sampler_draws_the_exact_distribution() -> None:
    # 200,000 draws per inviter: a standard error of at most 0.0011 per member; every
    # frequency must be within 0.005 (about 4.5 standard errors) of P_i(j).
    state = active_state()
    draws = 200_000
    for member in (0, 1, 3, 4):
        inviter = np.full(draws, member, np.int64)
        got = invitees.draw_invitees(state, PYMK, inviter, np.random.default_rng(7))
        frequency = np.bincount(got, minlength=state.n) / draws
        mutual = invitees.mutual_counts(state.ties, member)
        same = state.field == state.field[member]
        exact = invitees.pymk_probability(state.session_rate, mutual, same, PYMK)
        if member == 4:  # nothing to walk: those draws fall back on member 4 itself
            exact[4] += PYMK.friends_of_friends
        assert np.abs(frequency - exact).max() < 0.005, (member, frequency, exact)


# --------------------------------------------------------------------------- two hops


def test_share_a_connection_finds_a_common_connection() -> None:
    ties = make_state().ties
    got = ties.share_a_connection(np.array([0, 1, 0, 3]), np.array([3, 2, 4, 4]))
    assert_array_equal(got, [True, True, False, False])


def test_a_new_tie_records_whether_it_closed_a_triangle() -> None:
    state = make_state()
    a, b = np.array([0, 0], np.int32), np.array([3, 4], np.int32)
    kind = np.full(2, STRANGER, np.int8)
    add_ties(state, scenario().platform, a, b, 1.0, kind, np.full(2, 0.5, np.float32))
    ties = state.ties
    assert_array_equal(
        ties.two_hop[ties.lookup(np.array([0, 3, 0, 4]), np.array([3, 0, 4, 0]))],
        [True, True, False, False],
    )
    assert not ties.two_hop[ties.created == 0].any()  # the ties of the start


# --------------------------------------------------------------------------- direction

SPARSE: dict[str, Any] = {
    "name": "pymk",
    "topics": ["a", "b", "c"],
    "duration_days": 3,
    "replications": 1,
    "slice_hours": 12,
    "network": {"members": 2000, "mean_degree": 10, "company_size": 10},
    "trend": {
        "groups": [{"strategy": "everyone", "share": 0.05}],
        "invitation_rate": "per_day",
        "invitations_per_day": 10,
        "accept_rate": 1.0,
        "contagion": {"kind": "none"},
    },
}


def closing_share(tmp_path: Path, draw: str, seed: int) -> float:
    """One day of the trend's invitations on a fresh network: the share of the new ties
    whose ends had a connection in common."""
    body = {**SPARSE, "platform": {"invitations": {"draw": draw}}}
    path = write_scenario(tmp_path, body)
    study: Scenario = load_study(path).base
    state = World(study, replication_seed(study.seed, seed), path).state
    trend.invite(state, study, 0.5, np.random.default_rng(seed))
    new = state.ties.created > 0
    assert new.sum() > 400  # about 100 adopters x 10 invitations, both directions
    return float(state.ties.two_hop[new].mean())


def test_under_pymk_far_more_new_ties_close_a_triangle(tmp_path: Path) -> None:
    # 2,000 members of mean degree 10: two members drawn by activity share a connection
    # with chance about d^2 / N = 5%. Under PYMK half the draws walk to a friend of a friend.
    # Per seed (three): session_rate below 0.15, PYMK above 0.4.
    for seed in range(3):
        random_share = closing_share(tmp_path, "session_rate", seed)
        pymk_share = closing_share(tmp_path, "people_you_may_know", seed)
        assert random_share < 0.15 and pymk_share > 0.4, (seed, random_share, pymk_share)


def test_a_focal_member_s_planned_invitations_reach_friends_of_friends(tmp_path: Path) -> None:
    # A well-connected focal member (degree quantile 0.9) sends 5 invitations a day for 3
    # days, planned with five seeds (about 75 invitations): under PYMK about half go to a
    # friend of a friend, by session rate few do (about d^2 / N, as above). Without
    # replacement PYMK runs through the active friends of friends first, so the share falls
    # as a plan grows: pooled over the seeds it must exceed 0.4, by session rate stay below 0.15.
    shares = {}
    for draw in ("session_rate", "people_you_may_know"):
        focal = {"name": "me", "field": "a", "degree_quantile": 0.9}
        body = {
            **SPARSE,
            "focal": [{**focal, "strategy": {"sends_invitations_per_day": 5}}],
            "platform": {"invitations": {"draw": draw}},
        }
        body.pop("trend")
        path = write_scenario(tmp_path, body)
        study = load_study(path).base
        state = World(study, replication_seed(study.seed, 0), path).state
        member = int(state.focal_ids[0])
        common = []
        for seed in range(5):
            plan = linking.plan_sent(state, study, 0, np.random.default_rng(seed))
            ends = np.full(plan.inviter.size, member)
            common.append(state.ties.share_a_connection(ends, plan.inviter))
        shares[draw] = float(np.concatenate(common).mean())
    assert shares["session_rate"] < 0.15 and shares["people_you_may_know"] > 0.4, shares


# --------------------------------------------------------------------------- runs


def test_reruns_are_byte_identical_and_report_the_ties_within_two_hops(tmp_path: Path) -> None:
    body = {
        **SPARSE,
        "network": {"members": 600, "mean_degree": 10, "company_size": 10},
        "focal": [{"name": "me", "field": "a", "strategy": {"sends_invitations_per_day": 20}}],
        "platform": {"invitations": {"draw": "people_you_may_know"}},
    }
    path = write_scenario(tmp_path, body)
    first, second = run_tables(path), run_tables(path)
    for name, table in first.items():
        assert table.equals(second[name]), name
    ties = first["ties"]
    new = ties["created_day"] > 0
    assert new.any() and ties.loc[new, "within_two_hops"].any()
    assert not ties.loc[~new, "within_two_hops"].any()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("invitations", "needle"),
    [
        ({"draw": "pymk"}, "platform.invitations.draw"),
        ({"friends_of_friends": -0.5}, "platform.invitations.friends_of_friends"),
        ({"same_field": 1.5}, "platform.invitations.same_field"),
        ({"friends_of_friends": 0.75, "same_field": 0.5}, "must be at most 1"),
    ],
)
def test_bad_invitation_settings_exit_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile, invitations: dict[str, Any], needle: str
) -> None:
    bad = scenario_file({**small, "platform": {"invitations": invitations}}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert needle in result.stderr, result.stderr
    assert str(bad) in result.stderr
    assert "Traceback" not in result.output
