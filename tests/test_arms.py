"""Randomised arms in one world (docs/model.md 7.22; the design of Huszar et al. 2022 and
Guess et al. 2023): assignment, each arm's ranker and candidate routes, reproducibility and
bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_array_equal

from sim import behaviour, ranking
from sim.cli import main
from sim.engine import World
from sim.errors import InputError
from sim.model import activity, audience, candidates
from sim.model.arms import ArmRoutes, assign_arms
from sim.scenario import Platform, load_study
from sim.scenario import TestAudience as Audience
from sim.scenario.behaviour import Behaviour
from sim.sources import ACTIVITY, NETWORK, RECOMMENDED
from tests.helpers import run_tables, write_scenario
from tests.test_mechanism_functions import Draws, add_posts, make_state, pool_rows

HOLDOUT: dict[str, Any] = {
    "name": "control",
    "share": 0.3,
    "ranker": "chronological",
    "candidates": {"recommended": False, "activity": "shares", "test_audience": "bypass"},
}
"""The chronological holdout of docs/validation.md 1.2."""


def holdout_platform(**arm: Any) -> Platform:
    return Platform(arms=[{**HOLDOUT, **arm}])


# --------------------------------------------------------------------------- assignment


def test_arms_take_their_rounded_share_of_members_and_the_rest_is_the_main_arm() -> None:
    platform = Platform(arms=[{"name": "a", "share": 0.25}, {"name": "b", "share": 0.1}])
    field = np.zeros(1001, np.int16)
    arm = assign_arms(platform, field, np.random.default_rng(1), Path("s.yaml"))
    assert np.bincount(arm).tolist() == [1001 - 250 - 100, 250, 100]
    assert platform.arm_names == ("main", "a", "b")


def test_stratified_arms_take_the_share_of_every_field() -> None:
    platform = Platform(arms=[{"name": "a", "share": 0.2}], arm_strata="field")
    field = np.repeat(np.array([0, 1, 2], np.int16), [100, 50, 10])
    arm = assign_arms(platform, field, np.random.default_rng(3), Path("s.yaml"))
    assert [int((arm[field == f] == 1).sum()) for f in range(3)] == [20, 10, 2]


def test_an_arm_without_members_is_an_input_error() -> None:
    platform = Platform(arms=[{"name": "tiny", "share": 0.001}])
    with pytest.raises(InputError, match=r"platform.arms\[0\].share.*'tiny' gets no member"):
        assign_arms(platform, np.zeros(100, np.int16), np.random.default_rng(1), Path("s"))


def test_the_same_members_are_in_an_arm_in_every_variant_and_differ_by_replication(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    small["platform"] = {"arms": [HOLDOUT]}
    small["variants"] = [
        {"name": "ranked"},
        {"name": "twitter", "platform": {"ranker": "twitter-2023"}, "network": {"follows": {}}},
    ]
    study = load_study(write_scenario(tmp_path, small))
    base, other = (World(a.scenario, 11, tmp_path / "s.yaml") for a in study.arms)
    assert_array_equal(base.state.arm, other.state.arm)
    third = World(study.arms[0].scenario, 12, tmp_path / "s.yaml")
    assert not np.array_equal(base.state.arm, third.state.arm)


# --------------------------------------------------------------------------- routes


def test_bypass_members_get_every_connection_post_and_never_wait() -> None:
    state = make_state()  # member 0's connections: 1 and 2
    bypass = np.array([False, False, True, False, False])
    draws = Draws(random=[[0.5, 0.5]])
    ids, authors, created = np.array([7]), np.array([0]), np.array([1.0])
    test = Audience(fraction=0.25)
    audience.send_to_test_audience(state, test, ids, authors, created, draws, bypass)  # type: ignore[arg-type]
    assert pool_rows(state) == [(2, 7, NETWORK, 1.0, False)]
    assert_array_equal(state.waiting["viewer"], [1])


def test_shares_only_members_get_no_likes_or_comments_of_their_connections() -> None:
    state = make_state()
    add_posts(state, [3, 3], [1, 1], [0.0, 0.0])
    only = np.array([True, False, False, False, False])
    draws = Draws(random=[[0.0, 0.0, 0.0, 0.0]])  # member 1's connections: 0 and 3, twice
    candidates.spread_activity(
        state,
        np.array([1, 1]),
        np.array([0, 1]),
        np.array([behaviour.LIKE, behaviour.SHARE], np.int8),
        np.array([2.0, 3.0]),
        Behaviour(activity_fanout_like=1.0),
        draws,  # type: ignore[arg-type]
        only,
    )
    # member 0 gets the share (post 1) but not the like (post 0); 3 is the author of both
    assert pool_rows(state) == [(0, 1, ACTIVITY, 3.0, False)]


def test_members_without_recommendations_draw_none() -> None:
    state = make_state()
    add_posts(state, [3, 2], [0, 0], [0.5, 0.75])
    state.posts["likes"][:] = [1, 1]
    sessions = activity.Sessions(np.array([0, 4]), np.array([1.0, 1.0]), np.array([1, 1]))
    excluded = np.array([True, False, False, False, False])
    draws = Draws(poisson=[[0, 1]], random=[[0.99], [0.0]])
    platform = Platform(out_of_network_per_session=5.0)
    viewer, post = candidates.recommend(state, sessions, platform, draws, excluded)  # type: ignore[arg-type]
    lam = draws.calls[0][1]["lam"]
    assert_array_equal(lam, [0.0, 5.0])  # member 0's mean is 0
    assert_array_equal(viewer, [4])
    assert_array_equal(post, [0])


def test_routes_are_none_without_arms_and_per_member_with_them() -> None:
    arm = np.array([0, 1, 1, 0], np.int8)
    assert ArmRoutes.of(arm, Platform()) == ArmRoutes(None, None, None)
    routes = ArmRoutes.of(arm, holdout_platform())
    for mask in (routes.without_recommendations, routes.shares_only, routes.bypass):
        assert mask is not None
        assert_array_equal(mask, [False, True, True, False])
    plain = ArmRoutes.of(arm, Platform(arms=[{"name": "b", "share": 0.5}]))
    assert plain == ArmRoutes(None, None, None)


def test_each_viewer_is_ranked_by_its_arms_preset() -> None:
    # viewer 0 (main arm, linkedin) and viewer 1 (chronological arm) have the same two posts:
    # an old one they have strong affinity with, and a fresh one they have none with.
    c = ranking.Candidates(
        viewer=np.array([0, 0, 1, 1]),
        post=np.array([0, 1, 0, 1]),
        topic=np.zeros(4, np.int16),
        route=np.full(4, NETWORK, np.int8),
        source=np.zeros(4, np.int8),
        edge=np.arange(4),
        age=np.array([2.0, 0.1, 2.0, 0.1]),
        affinity=np.array([50.0, 0.0, 50.0, 0.0]),
        belief=np.ones(4),
        proof=np.zeros(4, np.int64),
    )
    platform = holdout_platform(candidates={})
    arm = np.array([0, 1], np.int8)
    shown, _ = candidates.select_feed(
        c, np.ones(4, np.int64), platform, np.random.default_rng(0), None, arm
    )
    assert_array_equal(c.post[shown], [0, 1])  # linkedin: the old, close post; chrono: fresh


# --------------------------------------------------------------------------- whole runs


def arm_scenario(small: dict[str, Any], arms: list[dict[str, Any]]) -> dict[str, Any]:
    small.update(duration_days=6, replications=2)
    small["network"] = {"members": 400, "mean_degree": 30}
    small["platform"] = {"arms": arms}
    return small


def test_an_arm_on_the_platforms_own_settings_changes_nothing(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    """Both arms on the same preset and routes: the run is the run without arms."""
    plain = run_tables(write_scenario(tmp_path, arm_scenario(dict(small), []), "a.yaml"))
    same = arm_scenario(dict(small), [{"name": "b", "share": 0.4, "ranker": "linkedin"}])
    armed = run_tables(write_scenario(tmp_path, same, "b.yaml"))
    for name, table in plain.items():
        pd.testing.assert_frame_equal(table, armed[name], check_like=True, obj=name)


def test_the_holdout_sees_no_recommendations_and_everyone_shares_one_world(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    body = arm_scenario(small, [HOLDOUT])
    study = load_study(write_scenario(tmp_path, body))
    world = World(study.arms[0].scenario, 5, tmp_path / "scenario.yaml")
    plain = World(
        study.arms[0].scenario.model_copy(update={"platform": Platform()}),
        5,
        tmp_path / "scenario.yaml",
    )
    for column in ("src", "dst"):  # the same network
        assert_array_equal(getattr(world.state.ties, column), getattr(plain.state.ties, column))
    world.run()
    plain.run()
    pool = world.state.pool
    held = world.state.arm[pool["viewer"]] == 1
    assert not (held & (pool["route"] == RECOMMENDED)).any()
    assert (~held & (pool["route"] == RECOMMENDED)).any()
    # the same posts were created: authors and times (posting has its own stream)
    assert_array_equal(world.state.posts["author"], plain.state.posts["author"])
    assert_array_equal(world.state.posts["created"], plain.state.posts["created"])


def test_arm_runs_are_byte_identical_and_jobs_do_not_matter(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    path = write_scenario(tmp_path, arm_scenario(small, [HOLDOUT]))
    once, again, parallel = run_tables(path), run_tables(path), run_tables(path, jobs=2)
    for name, table in once.items():
        pd.testing.assert_frame_equal(table, again[name], obj=name)
        pd.testing.assert_frame_equal(table, parallel[name], obj=name)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("arms", "problem"),
    [
        ([{"name": "a", "share": 1.5}], "platform.arms[0].share"),
        ([{"name": "a", "share": 0.2, "ranker": "tiktok"}], "platform.arms[0].ranker"),
        ([{"name": "a", "share": 0.6}, {"name": "b", "share": 0.5}], "leaving the arm 'main'"),
        ([{"name": "a", "share": 0.2}, {"name": "a", "share": 0.2}], "used twice"),
        ([{"name": "a", "share": 0.0001}], "'a' gets no member"),
    ],
    ids=["share-above-1", "unknown-preset", "main-arm-empty", "same-name", "empty-arm"],
)
def test_bad_arms_exit_2_with_one_line(
    tmp_path: Path, small: dict[str, Any], arms: list[dict[str, Any]], problem: str
) -> None:
    small["platform"] = {"arms": arms}
    path = write_scenario(tmp_path, small)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0] and str(path) in lines[0], result.output
    assert "Traceback" not in result.output


def test_the_funnel_figure_and_its_caption_show_every_arm(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    body = arm_scenario(small, [HOLDOUT])
    body["measure"] = {"funnel": True}
    path = write_scenario(tmp_path, body)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "small"
    assert (folder / "figures" / "exposure_funnel.png").is_file()
    report = (folder / "report.md").read_text()
    assert "members of arm main read" in report and "members of arm control read" in report
