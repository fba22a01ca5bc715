"""The opt-in records of ``measure``: exact counts of the funnel and of the audience on
hand-made slices; on whole runs, nested funnel stages that add up to the posts' counters and
the run's totals, arms that split the counts exactly, tables of existing scenarios unchanged
when the switches are off, and bad windows refused."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_array_equal

from sim import metrics
from sim.cli import main
from sim.engine import World
from sim.model.hooks import Impressions, Served, Shown
from sim.observers.audience import Audience
from sim.observers.funnel import Funnel
from sim.ranking import Candidates
from sim.scenario import load_study
from sim.sources import ACTIVITY, FOLLOW, NETWORK
from sim.table_schema import FUNNEL_STAGES, GROUPS, TABLES, TIE_KINDS
from tests.helpers import write_scenario
from tests.test_mechanism_functions import add_posts, make_state

NEW_TABLES = ("funnel", "member_days", "author_reach", "post_arms", "group_reach", "members")
ALL_ON = {"funnel": True, "audience": True, "members": True}
COLLEAGUE, OFFLINE = TIE_KINDS.index("colleague"), TIE_KINDS.index("offline")
SOURCE_FOLLOW, SECOND, OUT = len(TIE_KINDS), len(TIE_KINDS) + 1, len(TIE_KINDS) + 2


def candidates(
    viewer: list[int], post: list[int], route: list[int], edge: list[int], source: list[int]
) -> Candidates:
    size = len(viewer)
    return Candidates(
        viewer=np.array(viewer, np.int64),
        post=np.array(post, np.int64),
        topic=np.zeros(size, np.int16),
        route=np.array(route, np.int8),
        source=np.array(source, np.int8),
        edge=np.array(edge, np.int64),
        age=np.zeros(size),
        affinity=np.zeros(size),
        belief=np.ones(size),
        proof=np.zeros(size, np.int64),
    )


def impressions(viewer: list[int], post: list[int], when: list[float]) -> Impressions:
    size = len(viewer)
    return Impressions(
        viewer=np.array(viewer, np.int64),
        post=np.array(post, np.int64),
        topic=np.zeros(size, np.int16),
        source=np.full(size, SECOND, np.int8),
        edge=np.full(size, -1, np.int64),
        proof=np.zeros(size, np.int64),
        when=np.array(when),
        tagged=np.zeros(size, bool),
    )


def served(viewers: list[int], time: float) -> Served:
    size = len(viewers)
    return Served(
        viewers=np.array(viewers, np.int64),
        time=np.full(size, time),
        count=np.ones(size, np.int64),
        notified=0,
        candidates=np.zeros(size, np.int64),
        read=np.ones((size, 1), np.int64),
        cut=np.zeros(size, np.int64),
    )


def test_the_funnel_counts_each_pair_in_the_row_of_its_relation_at_creation() -> None:
    """Members 0, 1 and 3 are of field a, 2 and 4 of field b; ties 0-1 (colleague), 0-2
    (offline), 1-3, 2-3; member 4 follows 0. Member 0 posts on topic a at 0.25: its
    potential is 1 (peer, own field), 2 (peer, other), 4 (follow, other) and 3 (neither: own
    field, in both the second_degree and the out_of_network rows). A tie 0-3 formed at 0.5
    does not make member 3 a peer of that post."""
    state = make_state()
    state.follow_ptr = np.array([0, 0, 0, 0, 0, 1])
    state.followees = np.array([0], np.int32)
    scenario = SimpleNamespace(duration_days=2, platform=SimpleNamespace(max_age_days=3.0))
    observer = Funnel(scenario, state)  # type: ignore[arg-type]
    add_posts(state, [0], [0], [0.25])
    observer.served(state, served([1, 3, 4], 0.5))
    state.ties.add(
        np.array([0], np.int32),
        np.array([3], np.int32),
        0.5,
        kind=np.array([COLLEAGUE], np.int8),
        strength=np.ones(1, np.float32),
        affinity=np.zeros(1, np.float32),
    )
    tie_1_0 = int(state.ties.lookup(np.array([1]), np.array([0]))[0])
    tie_3_0 = int(state.ties.lookup(np.array([3]), np.array([0]))[0])
    first = candidates(
        [1, 3, 4],
        [0, 0, 0],
        [NETWORK, ACTIVITY, FOLLOW],
        [tie_1_0, tie_3_0, -1],
        [COLLEAGUE, COLLEAGUE, SOURCE_FOLLOW],
    )
    observer.ranked(state, first)
    observer.shown(
        state,
        Shown(impressions([1, 3], [0, 0], [0.5, 0.5]), np.zeros(2, bool), np.array([True, False])),
    )
    # a later session of the same day: member 1's pair again (counted once)
    observer.served(state, served([1], 0.75))
    observer.ranked(state, candidates([1], [0], [NETWORK], [tie_1_0], [COLLEAGUE]))
    observer.day_end(state, 1)
    own, other = 0, 1
    peer, follow = GROUPS.index("peer"), GROUPS.index("follow")
    second, out = GROUPS.index("second_degree"), GROUPS.index("out_of_network")
    expected = np.zeros_like(observer.funnel)
    expected[0, 0, peer, own] = [1, 1, 1, 1]  # member 1: shown and engaged
    expected[0, 0, peer, other] = [1, 0, 0, 0]  # member 2: never a candidate
    expected[0, 0, follow, other] = [1, 1, 0, 0]  # member 4: a candidate, not shown
    expected[0, 0, second, own] = [1, 1, 1, 0]  # member 3: tie formed after the post
    expected[0, 0, out, own] = [1, 0, 0, 0]  # the same potential as second_degree
    assert_array_equal(observer.funnel, expected)
    days = observer.member_days[0, 0]
    assert dict(
        zip(("active_members", "sessions", "candidates", "impressions"), days[:4], strict=True)
    ) == {"active_members": 3, "sessions": 4, "candidates": 3, "impressions": 2}
    # a pair seen again on a later day is no new candidate for the funnel, but counts in
    # that day's member-days
    observer.ranked(state, candidates([4], [0], [FOLLOW], [-1], [SOURCE_FOLLOW]))
    observer.day_end(state, 2)
    assert observer.funnel[..., FUNNEL_STAGES.index("candidates")].sum() == 3
    assert observer.member_days[1, 0, 2] == 1
    records = SimpleNamespace(kept={Funnel.name: observer.records(state)})
    table = Funnel.build(records, ())["funnel"]  # type: ignore[arg-type]
    assert len(table) == 2 * len(GROUPS) * 2
    assert table["created"].sum() == 5 and table["impressions"].sum() == 2


def test_the_audience_counts_authors_posts_and_groups_by_viewer_arm() -> None:
    """Members 1 and 3 are in arm b. Posting members 0, 1, 3 have audiences 3 (2 ties and
    member 4's follow), 2 and 2: member 0 is the top 1%, members 1 and 3 lie between the
    40th and 60th percentiles. Post 0 (by 0) is seen by 1, 2, 4; post 1 (by 3) by 2 and 0;
    post 2 (by 0) is created after the window and not counted."""
    state = make_state()
    state.post_rate = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    state.follow_ptr = np.array([0, 0, 0, 0, 0, 1])
    state.followees = np.array([0], np.int32)
    state.arm = np.array([0, 1, 0, 1, 0], np.int8)
    state.arm_names = ("main", "b")
    measure = SimpleNamespace(window=lambda days: (0, 2))
    scenario = SimpleNamespace(duration_days=3, measure=measure)
    observer = Audience(scenario, state)  # type: ignore[arg-type]
    observer.start(state)
    add_posts(state, [0, 3, 0], [0, 1, 0], [0.5, 1.5, 2.5])
    for viewer, post, when in (([1, 2, 4], [0, 0, 0], 0.75), ([2, 0, 1], [1, 1, 2], 2.6)):
        size = len(viewer)
        seen = impressions(viewer, post, [when] * size)
        observer.shown(state, Shown(seen, np.zeros(size, bool), np.zeros(size, bool)))
        observer.day_end(state, 1)
    records = SimpleNamespace(kept={Audience.name: observer.records(state)}, topics=state.topics)
    tables = Audience.build(records, ())  # type: ignore[arg-type]
    reach = tables["author_reach"].set_index(["author", "arm"])
    assert reach.loc[(0, "main")].tolist() == [1, 2, 2, 1, 2, 1]  # viewers 2 (a tie) and 4
    assert reach.loc[(0, "b")].tolist() == [1, 1, 1, 1, 2, 1]  # viewer 1, a tie
    assert reach.loc[(3, "main")].tolist() == [1, 2, 2, 1, 2, 1]  # viewers 2 (a tie) and 0
    assert reach.loc[(3, "b")].tolist() == [1, 0, 0, 0, 2, 1]
    assert len(reach) == 4
    posts = tables["post_arms"]
    assert posts.values.tolist() == [[0, "main", 2], [0, "b", 1], [1, "main", 2], [1, "b", 0]]
    groups = tables["group_reach"].set_index(["group", "arm"])
    assert groups.loc[("top_1pct", "main")].tolist() == [1, 1, 2, 2, 3]
    assert groups.loc[("top_1pct", "b")].tolist() == [1, 1, 1, 1, 2]
    assert groups.loc[("p40_p60", "main")].tolist() == [2, 1, 2, 2, 3]
    assert groups.loc[("p40_p60", "b")].tolist() == [2, 1, 0, 0, 2]
    assert groups.loc[("field:a", "main")].tolist() == [3, 2, 4, 3, 3]  # viewers 0, 2, 4
    assert groups.loc[("field:a", "b")].tolist() == [3, 2, 1, 1, 2]
    assert groups.loc[("field:b", "main")].tolist() == [0, 0, 0, 0, 3]


SMALL_RUN: dict[str, Any] = {
    "name": "measured",
    "topics": ["a", "b"],
    "duration_days": 6,
    "replications": 1,
    "slice_hours": 6,
    "network": {"members": 400, "mean_degree": 20},
    "trend": {"groups": [{"strategy": "everyone", "share": 0.05}]},
    "focal": [{"name": "ann", "field": "a", "posts_per_day": 1.0, "sessions_per_day": 3.0}],
    "measure": {**ALL_ON, "window_from_day": 1},
}


def run_world(folder: Path, body: dict[str, Any]) -> tuple[dict[str, int], dict[str, pd.DataFrame]]:
    path = write_scenario(folder, body)
    world = World(load_study(path).base, 7, path)
    records = world.run()
    return records.counts, metrics.tables(records, "measured", "base", 0, 7)


@pytest.fixture(scope="module")
def measured(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, int], dict[str, pd.DataFrame]]:
    return run_world(tmp_path_factory.mktemp("measured"), SMALL_RUN)


def test_the_funnel_is_nested_and_adds_up_to_the_posts_and_the_run(
    measured: tuple[dict[str, int], dict[str, pd.DataFrame]],
) -> None:
    counts, tables = measured
    funnel, posts, days = tables["funnel"], tables["posts"], tables["member_days"]
    stages = funnel[list(FUNNEL_STAGES)].to_numpy()
    assert (stages[:, :-1] >= stages[:, 1:]).all()
    assert funnel["impressions"].sum() == posts["impressions"].sum() == counts["impressions"] > 0
    engaged = posts[["likes", "comments", "shares"]].to_numpy().sum()
    assert funnel["engagements"].sum() == engaged == counts["engagements"] > 0
    assert days["sessions"].sum() == counts["sessions"]
    assert days["impressions"].sum() == counts["impressions"]
    assert days["engagements"].sum() == days[["likes", "comments", "shares"]].to_numpy().sum()
    assert (days["active_members"] <= days["members"]).all()
    assert (days["candidates"] >= days["impressions"]).all()
    # distinct candidates per member-day are at most the candidates summed over sessions
    assert days["candidates"].sum() <= counts["candidates"]
    # the two routes outside the network share one potential
    created = funnel.pivot_table("created", ["day", "own_field"], "relation")
    assert (created["second_degree"] == created["out_of_network"]).all()
    # the window's posts: every impression of them is in post_arms
    window = posts[posts["created_day"] >= 1]
    assert set(tables["post_arms"]["post"]) == set(window["post_id"])
    assert tables["post_arms"]["impressions"].sum() == window["impressions"].sum()
    reach = tables["author_reach"]
    assert reach["impressions"].sum() == window["impressions"].sum()
    assert (reach["viewers"] <= reach["impressions"]).all()
    assert (reach["connected_viewers"] <= reach["arm_connections"]).all()
    members = tables["members"]
    assert len(members) == 400 and members["adopted_day"].notna().any()
    assert (members.loc[members["adopted_day"].notna(), "adopted_day"] >= 0).all()


SUMMED = {
    "funnel": (["day", "relation", "own_field"], list(FUNNEL_STAGES)),
    "member_days": (
        ["day"],
        ["members", "active_members", "sessions", "candidates", "impressions", "engagements"],
    ),
    "author_reach": (
        ["author"],
        ["impressions", "viewers", "connected_viewers", "arm_connections"],
    ),
    "post_arms": (["post"], ["impressions"]),
    "group_reach": (["group"], ["impressions", "viewers", "arm_members"]),
}


def test_arms_split_the_counts_exactly(
    tmp_path: Path, measured: tuple[dict[str, int], dict[str, pd.DataFrame]]
) -> None:
    """With an arm b and the same presets, the run is the same: every table summed over arms
    is the table without arms, and each arm's members are those the members table says."""
    body = copy.deepcopy(SMALL_RUN)
    body["platform"] = {"arms": [{"name": "b", "share": 0.3}]}
    _, tables = run_world(tmp_path, body)
    _, plain = measured
    members = tables["members"]
    assert set(members["arm"]) == {"main", "b"}
    assert set(plain["members"]["arm"]) == {"main"}
    size = members.groupby("arm").size()
    days = tables["member_days"]
    for arm, count in size.items():
        assert (days.loc[days["arm"] == arm, "members"] == count).all()
        group = tables["group_reach"]
        assert (group.loc[group["arm"] == arm, "arm_members"] == count).all()
    for name, (keys, columns) in SUMMED.items():
        split = tables[name].groupby(keys)[columns].sum().sort_index()
        whole = plain[name].groupby(keys)[columns].sum().sort_index()
        pd.testing.assert_frame_equal(split, whole, check_dtype=False, obj=name)
    for name in ("posts", "composition", "members"):
        left = tables[name].drop(columns=["arm"], errors="ignore")
        right = plain[name].drop(columns=["arm"], errors="ignore")
        pd.testing.assert_frame_equal(left, right, obj=name)


def test_switched_off_the_tables_are_unchanged_and_the_new_ones_empty(
    tmp_path: Path, measured: tuple[dict[str, int], dict[str, pd.DataFrame]]
) -> None:
    body = {k: v for k, v in SMALL_RUN.items() if k != "measure"}
    _, tables = run_world(tmp_path, body)
    _, on = measured
    for name in TABLES:
        if name in NEW_TABLES:
            assert tables[name].empty, name
            assert tuple(tables[name].columns) == TABLES[name].names, name
        else:
            pd.testing.assert_frame_equal(tables[name], on[name], obj=name)


@pytest.mark.parametrize(
    ("measure", "field", "problem"),
    [
        ({"window_from_day": 3, "window_to_day": 3}, "measure.window_to_day", "must be after"),
        ({"window_to_day": 9}, "measure.window_to_day", "beyond the run's duration"),
        ({"window_from_day": 5}, "measure.window_from_day", "beyond the run's last day"),
        ({"funnel": "maybe"}, "measure.funnel", ""),
        ({"window": 3}, "measure.window", ""),
    ],
)
def test_bad_measure_input_exits_2_with_one_line(
    tmp_path: Path, measure: dict[str, Any], field: str, problem: str
) -> None:
    body = {**SMALL_RUN, "duration_days": 5, "measure": measure}
    path = write_scenario(tmp_path, body)
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert message.startswith("feedsim: error: ") and message.count("\n") == 1, message
    assert str(path) in message and field in message and problem in message
    assert not (out / "measured").exists()
