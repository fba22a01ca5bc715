"""Bad input for the fields of follows, reading and notifications exits 2 with one message
(file, field, problem), no traceback and no results folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.engine import World
from sim.observers.pairs import follow_pairs
from sim.scenario import load_study
from tests.helpers import write_scenario
from tests.test_cli import assert_bad_input, run


def file_network(folder: Path, **network: Any) -> Path:
    (folder / "edges.txt").write_text("1 2\n2 3\n3 4\n4 1\n1 3\n")
    (folder / "labels.txt").write_text("1 a\n2 a\n3 b\n4 b\n")
    body = {
        "name": "files",
        "duration_days": 2,
        "network": {"source": "file", "edges": "edges.txt", "labels": "labels.txt", **network},
        "focal": [{"name": "me", "field": "a"}],
    }
    return write_scenario(folder, body)


def synthetic(folder: Path, **changes: Any) -> Path:
    body = {
        "name": "small",
        "topics": ["a", "b"],
        "duration_days": 2,
        "network": {"members": 60, "mean_degree": 8, "company_size": 10},
        **changes,
    }
    return write_scenario(folder, body)


def test_a_missing_follows_file_names_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = file_network(tmp_path, follows="absent.txt")
    assert_bad_input(run(path, out), out, "files", "network.follows", "file not found")


@pytest.mark.parametrize(
    ("text", "problem"),
    [("1 x\n", "line 1"), ("1 9\n", "node 9 is not in the network"), ("# none\n", "no edges")],
)
def test_a_malformed_follows_file_names_the_file_and_the_problem(
    tmp_path: Path, text: str, problem: str
) -> None:
    out = tmp_path / "out"
    (tmp_path / "follows.txt").write_text(text)
    path = file_network(tmp_path, follows="follows.txt")
    assert_bad_input(run(path, out), out, "files", "follows.txt", problem)


def test_a_good_follows_file_gives_the_follows_of_unconnected_pairs(tmp_path: Path) -> None:
    (tmp_path / "follows.txt").write_text("1 4\n2 4\n4 4\n")
    path = file_network(tmp_path, follows="follows.txt")
    study = load_study(path)
    world = World(study.base, 1, path)
    # members 0-3 are nodes 1-4; 1 -> 4 is a connection (dropped), 4 -> 4 a self-follow
    follower, followee = follow_pairs(world.state)
    assert (follower.tolist(), followee.tolist()) == ([1], [3])
    # followers are in authors' audiences (the default): the follows are held by followee only
    assert world.state.follower_ptr.tolist() == [0, 0, 0, 0, 1]
    assert world.state.followers.tolist() == [1]
    assert world.state.followees.size == 0
    world.run()


def test_under_the_pull_rule_the_follows_are_held_by_follower_only(tmp_path: Path) -> None:
    (tmp_path / "follows.txt").write_text("1 4\n2 4\n4 2\n")
    path = file_network(tmp_path, follows="follows.txt")
    study = load_study(path, {"platform": {"followers": "pull"}})
    state = World(study.base, 1, path).state
    # members 0-3 are nodes 1-4: member 1 follows member 3 and member 3 follows member 1
    assert state.follow_ptr.tolist() == [0, 0, 1, 1, 2]
    assert state.followees.tolist() == [3, 1]
    assert state.followers.size == 0
    follower, followee = follow_pairs(state)
    assert (follower.tolist(), followee.tolist()) == ([1, 3], [3, 1])


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"behaviour": {"session_depth_items": 0.5}}, "behaviour.session_depth_items"),
        ({"platform": {"notifications": {"post_share": 0.1}}}, "platform.notifications.post_share"),
        ({"network": {"follows": {"per_member": -1}}}, "network.follows.per_member"),
        ({"platform": {"notifications": {"delay_hours": 0}}}, "platform.notifications.delay_hours"),
    ],
)
def test_bad_new_fields_are_one_input_error(
    tmp_path: Path, changes: dict[str, Any], field: str
) -> None:
    out = tmp_path / "out"
    body = synthetic(tmp_path)
    path = synthetic(tmp_path, **changes) if changes else body
    if "network" in changes:
        path = synthetic(
            tmp_path,
            network={"members": 60, "mean_degree": 8, "company_size": 10, **changes["network"]},
        )
    assert_bad_input(run(path, out), out, "small", field)
