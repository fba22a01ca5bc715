"""Choosing a focal member: by degree quantile (the default) or by the degree nearest a given
count (``focal[].degree``, docs/model.md 5 step 5); exactly one of the two."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.testing import assert_array_equal

from sim.cli import main
from sim.model import population
from sim.network import Network, pick_focal, pick_focal_by_degree
from sim.scenario import FocalMember
from sim.table_schema import TIE_KINDS
from tests.test_cli import ScenarioFile


def network() -> Network:
    """Six members; field a is 0, 1, 2, 3 and 5, field b is 4. Degrees: member 0 has 1
    connection, 1 has 3, 2 has 4, 3 has 3, 4 has 3, 5 has none."""
    u = np.array([0, 1, 1, 1, 2, 2, 3], np.int32)
    v = np.array([2, 2, 3, 4, 3, 4, 4], np.int32)
    return Network(
        topics=("a", "b"),
        field=np.array([0, 0, 0, 0, 1, 0], np.int16),
        u=u,
        v=v,
        kind=np.full(u.size, TIE_KINDS.index("colleague"), np.int8),
        strength=np.full(u.size, 0.5, np.float32),
    )


def test_the_hand_made_network_has_the_degrees_its_picks_assume() -> None:
    assert_array_equal(network().degree(), [1, 3, 4, 3, 3, 0])


@pytest.mark.parametrize(
    ("degree", "taken", "expected"),
    [
        (3, set(), 1),  # members 1 and 3 have exactly 3: the lower id
        (3, {1}, 3),  # 1 taken: the other one at 3
        (3, {1, 3}, 2),  # then |4 - 3| = 1 beats |1 - 3| = 2 and |0 - 3| = 3
        (2, set(), 0),  # 0, 1 and 3 are all 1 away: the lowest id
        (0, set(), 5),
        (100, set(), 2),  # above every count: the largest
    ],
)
def test_by_degree_picks_the_nearest_count_lowest_id_first(
    degree: int, taken: set[int], expected: int
) -> None:
    """Member 4 (field b) has 3 connections too but is never picked for field a."""
    assert pick_focal_by_degree(network(), "a", degree, taken) == expected


def test_by_degree_with_no_member_left_is_refused() -> None:
    with pytest.raises(ValueError, match="no member of field 'b' left"):
        pick_focal_by_degree(network(), "b", 3, {4})


def test_place_focal_takes_degree_or_quantile_per_member_and_skips_the_taken() -> None:
    """In scenario order: x by degree 3 (member 1), y by degree 3 (member 1 taken: 3), z by
    quantile 1 (the highest (degree, id) left: member 2), w by the default quantile 0.5 (of
    0 and 5 by (degree, id): 5 at index 0, 0 at index 1: index 1)."""
    sessions, posts = np.zeros(6), np.zeros(6)
    focal = [
        FocalMember(name="x", field="a", degree=3, sessions_per_day=1.5),
        FocalMember(name="y", field="a", degree=3),
        FocalMember(name="z", field="a", degree_quantile=1.0),
        FocalMember(name="w", field="a"),
    ]
    chosen = population.place_focal(network(), focal, sessions, posts, Path("s.yaml"))
    assert_array_equal(chosen, [1, 3, 2, 0])
    assert sessions[1] == 1.5
    assert pick_focal(network(), "a", 0.5, {1, 3, 2}) == 0  # the default, unchanged


def test_the_default_is_the_median_quantile() -> None:
    member = FocalMember(name="x", field="a")
    assert (member.degree_quantile, member.degree) == (0.5, None)


def invoke_validate(path: Path) -> Any:
    return CliRunner().invoke(main, ["validate", str(path)])


@pytest.mark.parametrize(
    ("focal", "needles"),
    [
        (
            {"degree": 40, "degree_quantile": 0.9},
            ["focal[0].degree", "set degree or degree_quantile, not both"],
        ),
        ({"degree_quantile": None}, ["focal[0].degree_quantile", "set degree or degree_quantile"]),
        ({"degree": -1}, ["focal[0].degree", "greater than or equal to 0"]),
        ({"degree": 2.5}, ["focal[0].degree", "integer"]),
    ],
    ids=["both", "neither", "negative", "fraction"],
)
def test_a_bad_choice_exits_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile, focal: dict[str, Any], needles: list[str]
) -> None:
    small["focal"] = [{"name": "me", "field": "finance", **focal}]
    bad = scenario_file(small, name="bad.yaml")
    result = invoke_validate(bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert str(bad) in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_a_variant_picks_by_degree_after_clearing_the_quantile(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["focal"] = [{"name": "me", "field": "finance", "degree_quantile": 0.9}]
    small["variants"] = [{"name": "hub", "focal": {"me": {"degree": 40}}}]
    result = invoke_validate(scenario_file(small, name="both.yaml"))
    assert result.exit_code == 2 and "degree_quantile: null" in result.stderr, result.output
    small["variants"][0]["focal"]["me"]["degree_quantile"] = None
    result = invoke_validate(scenario_file(small, name="cleared.yaml"))
    assert result.exit_code == 0, result.output
