"""The first pass (docs/model.md 7.23): a cheap score of recency and affinity cuts each
served member's candidates to ``c x platform.first_pass.size`` before the ranker.

Exact values on hand-made arrays (dyadic numbers, so floating point is exact), a directional
run at small size with fixed seeds, the sweep and the parameter list, and a bad-input test
through `feedsim validate`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sim import metrics
from sim.engine import World
from sim.experiment import load_tables
from sim.kernels import numpy_twins
from sim.model import activity, candidates
from sim.model.candidates.first_pass import cheap_score, first_pass_keep
from sim.model.hooks import Hooks, Served
from sim.model.state import State
from sim.ranking import Candidates
from sim.scenario import FirstPass, Platform, Scoring, load_study
from sim.sources import NETWORK, TAG
from tests.helpers import run_tables, write_scenario
from tests.test_cli import ScenarioFile, blocks, invoke
from tests.test_mechanism_functions import add_posts, gathered, make_state


@pytest.fixture(params=["compiled", "numpy"])
def kernels(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run the test with the compiled kernels, then with their numpy twins."""
    if request.param == "numpy":
        with numpy_twins():
            yield
    else:
        yield


# --------------------------------------------------------------------------- pure rules


def test_the_cheap_score_is_recency_times_floor_plus_affinity() -> None:
    age = np.array([0.0, 0.5, 1.0, 0.25])
    affinity = np.array([0.5, 1.5, 0.0, 3.5])
    # 2^(-age / 0.5) * (0.5 + a): 1 * 1, 0.5 * 2, 0.25 * 0.5, 2^(-1/2) * 4
    got = cheap_score(age, affinity, 0.5, 0.5)
    assert_array_equal(got[:3], [1.0, 1.0, 0.125])
    assert got[3] == pytest.approx(4 / np.sqrt(2), rel=1e-15)


@pytest.mark.usefixtures("kernels")
def test_first_pass_keep_takes_each_groups_best_pinned_first_ties_to_the_earlier_row() -> None:
    starts = np.array([0, 3, 3, 7])  # groups 0:3, 3:3 (empty) and 3:7
    scores = np.array([1.0, 2.0, 2.0, 0.5, 4.0, 4.0, 8.0])
    pinned = np.array([False, False, False, True, False, False, False])
    # group 0: rows 1 and 2 tie at 2, the earlier row wins; group 2: the pinned row 3
    # first whatever its score, then row 6 (8)
    keep = first_pass_keep(scores, starts, np.array([1, 5, 2]), pinned)
    assert_array_equal(keep, [False, True, False, True, False, False, True])
    # a limit of 0 keeps nothing, one beyond the group's size keeps it all; the tie at 4
    # goes to row 4
    keep = first_pass_keep(scores, starts, np.array([0, 0, 10]), pinned)
    assert_array_equal(keep, [False, False, False, True, True, True, True])
    keep = first_pass_keep(scores, starts, np.array([3, 0, 3]), pinned)
    assert_array_equal(keep, [True, True, True, True, True, False, True])


def test_a_subset_of_gathered_candidates_renumbers_rows_and_starts() -> None:
    g = gathered(
        rows=[10, 11, 12, 13],
        row_candidate=[0, 2, -1, 1],
        viewer=[0, 0, 3],
        post=[1, 4, 2],
    )
    kept = g.subset(np.array([True, False, True]))
    assert_array_equal(kept.row_candidate, [0, 1, -1, -1])  # candidate 1 cut: its row too
    assert_array_equal(kept.rows, [10, 11, 12, 13])
    assert_array_equal(kept.starts, [0, 1, 2])
    assert_array_equal(kept.post, [1, 2])
    assert_array_equal(kept.slot, [0, 1])
    assert g.subset(np.ones(3, bool)) is g


def hand_made() -> tuple[State, candidates.Gathered, activity.Sessions]:
    """Viewer 0 (connections 1 and 2) with two sessions and viewer 3 (connections 1 and 2)
    with one, both at time 1; five posts, by 1, 2, 3, 4 and 1, post 3 a tag for viewer 0."""
    state = make_state()
    add_posts(state, [1, 2, 3, 4, 1], [0, 0, 0, 0, 0], [1.0, 1.0, 1.0, 0.0, 0.5])
    ties = state.ties
    edges = ties.lookup(np.array([0, 0, 3, 3]), np.array([1, 2, 1, 2]))
    ties.affinity[edges] = [2.0, 0.0, 0.5, 0.0]
    ties.affinity_time[edges] = [1.0, 1.0, 0.5, 1.0]
    g = gathered(
        rows=[5, 6],  # pool rows of candidates 2 and 3
        row_candidate=[2, 3],
        viewer=[0, 0, 0, 0, 0, 3, 3, 3],
        post=[0, 1, 2, 3, 4, 0, 1, 4],
        author=[1, 2, 3, 4, 1, 1, 2, 1],
        route=[NETWORK, NETWORK, NETWORK, TAG, NETWORK, NETWORK, NETWORK, NETWORK],
    )
    sessions = activity.Sessions(np.array([0, 3]), np.array([1.0, 1.0]), np.array([2, 1]))
    return state, g, sessions


@pytest.mark.usefixtures("kernels")
def test_the_first_pass_keeps_c_times_n_per_member_by_the_cheap_score() -> None:
    state, g, sessions = hand_made()
    platform = Platform(
        first_pass=FirstPass(size=2, half_life_days=0.5),
        scoring=Scoring(affinity_floor=0.5),
        affinity_half_life_days=0.5,
    )
    kept, edge = candidates.first_pass(state, g, sessions, platform)
    # viewer 0 (2 sessions: keeps 4): post 0 a = 2, c = 2.5; posts 1 and 2 a = 0, c = 0.5
    # each (tie: post 1 first); post 3 a tag, pinned (c = 0.125); post 4 age 0.5, c = 1.25.
    # viewer 3 (1 session: keeps 2): post 0 a = 0.5 decayed over 0.5 day = 0.25, c = 0.75;
    # post 1 c = 0.5; post 4 c = 0.75 / 2 = 0.375.
    assert_array_equal(kept.viewer, [0, 0, 0, 0, 3, 3])
    assert_array_equal(kept.post, [0, 1, 3, 4, 0, 1])
    assert_array_equal(kept.starts, [0, 4, 6])
    assert_array_equal(kept.row_candidate, [-1, 2])  # post 2's row stays unread in the pool
    ties = state.ties
    expected = ties.lookup(np.array([0, 0, 0, 0, 3, 3]), np.array([1, 2, 4, 1, 1, 2]))
    assert_array_equal(edge, expected)
    assert edge is not None and (edge >= 0).sum() == 5  # author 4 is no connection of 0
    features = candidates.candidate_features(state, kept, np.ones(6), 0.5, edge)
    looked_up = candidates.candidate_features(state, kept, np.ones(6), 0.5)
    assert_array_equal(features.affinity, looked_up.affinity)
    assert_array_equal(features.edge, looked_up.edge)


def test_without_a_first_pass_every_candidate_goes_to_the_ranker() -> None:
    state, g, sessions = hand_made()
    kept, edge = candidates.first_pass(state, g, sessions, Platform(first_pass={"size": 0}))
    assert kept is g and edge is None


# --------------------------------------------------------------------------- in a run

POSTERS = {"posting": [{"share": 0.5, "posts_per_day": 0.5}, {"share": 0.5, "posts_per_day": 0}]}
"""Half the members post every other day, so that pools hold far more than a session reads."""

BASE: dict[str, Any] = {
    "name": "first-pass",
    "topics": ["finance", "it"],
    "network": {"members": 400, "mean_degree": 30},
    "members": POSTERS,
    "duration_days": 4,
    "replications": 1,
    "slice_hours": 4,
    "measure": {"funnel": True},
}


class Scored(Hooks):
    """Each slice's ranked candidates per served member, beside its sessions."""

    def __init__(self) -> None:
        self.sessions = np.zeros(0, np.int64)
        self.viewers = np.zeros(0, np.int64)
        self.ratios: list[float] = []
        self.cut = 0
        self.read = 0

    def served(self, state: State, served: Served) -> None:
        self.viewers, self.sessions = served.viewers, served.count
        self.cut += int(served.cut.sum())
        self.read += int(served.read.sum())

    def ranked(self, state: State, candidates: Candidates) -> None:
        viewer, scored = np.unique(candidates.viewer, return_counts=True)
        sessions = self.sessions[np.searchsorted(self.viewers, viewer)]
        self.ratios.extend((scored / sessions).tolist())


def test_no_session_has_more_than_n_candidates_scored_and_the_feed_still_shows(
    tmp_path: Path,
) -> None:
    body = copy.deepcopy(BASE)
    body["platform"] = {"first_pass": {"size": 5}}
    path = write_scenario(tmp_path, body)
    world = World(load_study(path).base, 7, path)
    scored = Scored()
    world.hooks.append(scored)
    records = world.run()
    days = metrics.tables(records, "first-pass", "base", 0, 7)["member_days"]
    assert max(scored.ratios) == 5  # at most 5 per session, and some lists are cut to it
    assert scored.cut > 0 and days["first_pass_cut"].sum() == scored.cut
    assert records.counts["impressions"] == scored.read > 0
    assert records.counts["median_candidates_per_session"] <= 5


def test_a_small_first_pass_changes_the_run_and_a_large_one_does_not(tmp_path: Path) -> None:
    """Variants on common random numbers: no first pass, N = 3, and N beyond any pool; the
    second run on two processes gives the same tables."""
    body = copy.deepcopy(BASE)
    body["variants"] = [
        {"name": "none"},
        {"name": "small", "platform": {"first_pass": {"size": 3}}},
        {"name": "large", "platform": {"first_pass": {"size": 100_000}}},
    ]
    path = write_scenario(tmp_path, body)
    tables = run_tables(path)
    for name, frame in run_tables(path, jobs=2).items():
        pd.testing.assert_frame_equal(frame, tables[name], obj=name)

    def variant(name: str, table: str) -> pd.DataFrame:
        frame = tables[table]
        return frame[frame["variant"] == name].drop(columns="variant").reset_index(drop=True)

    for table in tables:
        pd.testing.assert_frame_equal(variant("large", table), variant("none", table), obj=table)
    assert not variant("none", "posts").equals(variant("small", "posts"))
    days = {name: variant(name, "member_days") for name in ("none", "small")}
    assert (days["none"]["first_pass_cut"] == 0).all()
    assert days["small"]["first_pass_cut"].sum() > 0
    assert days["small"]["impressions"].sum() > 0
    assert days["small"]["candidates"].sum() < days["none"]["candidates"].sum()


# --------------------------------------------------------------------------- command line


def test_params_lists_the_first_pass() -> None:
    result = invoke("params", "platform.first_pass")
    assert result.exit_code == 0, result.output
    table = blocks(result.stdout)
    assert set(table) == {"platform.first_pass.size", "platform.first_pass.half_life_days"}
    assert table["platform.first_pass.size"][0].split() == [
        "platform.first_pass.size",
        "100",
        "items",
        ">=",
        "0",
    ]


def test_the_first_pass_size_is_sweepable(
    small: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    path = scenario_file({**small, "measure": {"funnel": True}})
    setting = "platform.first_pass.size=0,2"
    done = invoke("sweep", path, "--out", tmp_path, "--quiet", "--set", setting)
    assert done.exit_code == 0, done.output
    days = load_tables(tmp_path / "small-sweep")["member_days"]
    cut = days.groupby("platform__first_pass__size")["first_pass_cut"].sum()
    assert cut[0] == 0 and cut[2] > 0


def test_a_negative_first_pass_size_exits_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    bad = scenario_file({**small, "platform": {"first_pass": {"size": -1}}}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert "platform.first_pass.size" in result.stderr and str(bad) in result.stderr
    assert "Traceback" not in result.output
