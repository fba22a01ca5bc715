"""Contagion for the validation of complex contagion (docs/validation.md, K6): seed pairs
and neighbourhoods, the below-threshold daily chance, the exposure table, and the time to
half adoption, on tiny hand-made worlds with exact outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.trend.contagion import exposure_share, final_share, half_adoption_day
from sim.cli import main
from sim.engine import World
from sim.errors import InputError
from sim.metrics import tables
from sim.model import trend
from sim.rng import replication_seed
from sim.scenario import Contagion, Trend, load_study
from tests.helpers import write_scenario

PATH_EDGES = "0 1\n1 2\n2 3\n4 4\n"  # a 4-member path and member 4 without a connection
DIAMOND_EDGES = "0 1\n0 2\n1 2\n1 3\n2 3\n"  # two triangles sharing the tie 1-2


def lattice_body(edges: Path, **contagion: Any) -> dict[str, Any]:
    """Part A's feed (only adopters' calls, every connection gets each, two sessions a day)
    on a file network, with a seed pair and a deterministic threshold of 2."""
    return {
        "name": "tiny",
        "topics": ["all"],
        "duration_days": 20,
        "replications": 1,
        "slice_hours": 6,
        "network": {"source": "file", "edges": str(edges)},
        "members": {
            "activity": [{"share": 1, "sessions_per_day": 2}],
            "posting": [{"share": 1, "posts_per_day": 0}],
        },
        "platform": {
            "ranker": "chronological",
            "out_of_network_per_session": 0,
            "test_audience": {"enabled": False},
            "notifications": {"enabled": False},
        },
        "trend": {
            "groups": [{"strategy": "everyone", "share": 0.2, "seeding": "pair"}],
            "invitation_rate": "per_day",
            "invitations_per_day": 0,
            "call_posts_per_day": 3,
            "contagion": {
                "kind": "complex",
                "exposures": "connections",
                "threshold": 2,
                "adoption_rate": 1.0,
                **contagion,
            },
        },
    }


def run_tiny(tmp_path: Path, edges: str, seed: int, **contagion: Any) -> dict[str, pd.DataFrame]:
    path = tmp_path / "edges.txt"
    path.write_text(edges)
    scenario_path = write_scenario(tmp_path, lattice_body(path, **contagion))
    scenario = load_study(scenario_path).base
    world = World(scenario, replication_seed(2026, seed), scenario_path)
    return tables(world.run(), "s", "v", seed, 0)


# --------------------------------------------------------------------------- seeding


def test_a_pair_is_a_member_with_a_connection_and_one_of_its_connections() -> None:
    u, v = np.array([0, 1, 2, 4], np.int32), np.array([1, 2, 3, 4], np.int32)
    for seed in range(30):
        chosen = trend.seed_clusters(
            "pair", 1, (u, v), np.zeros(5, bool), np.random.default_rng(seed)
        )
        assert chosen is not None and chosen.size == 2
        a, b = sorted(chosen.tolist())
        assert (a, b) in {(0, 1), (1, 2), (2, 3)}  # never member 4, whose only tie is a loop


def test_a_neighbourhood_is_a_member_and_all_its_connections_not_yet_taken() -> None:
    u = np.array([0, 0, 0, 1, 4], np.int32)
    v = np.array([1, 2, 3, 2, 5], np.int32)
    taken = np.zeros(6, bool)
    taken[3] = True  # already in an earlier group
    seen = set()
    for seed in range(40):
        chosen = trend.seed_clusters("neighbourhood", 1, (u, v), taken, np.random.default_rng(seed))
        assert chosen is not None and 3 not in chosen
        seen.add(frozenset(chosen.tolist()))
    assert seen <= {frozenset({0, 1, 2}), frozenset({1, 0, 2}), frozenset({2, 0, 1})} | {
        frozenset({4, 5})
    }
    assert frozenset({4, 5}) in seen and frozenset({0, 1, 2}) in seen


def test_seed_clusters_say_when_no_member_with_a_free_connection_is_left() -> None:
    u, v = np.array([0], np.int32), np.array([1], np.int32)
    rng = np.random.default_rng(0)
    assert trend.seed_clusters("pair", 2, (u, v), np.zeros(3, bool), rng) is None
    spec = Trend.model_validate(
        {"groups": [{"strategy": "everyone", "share": 1.0, "seeding": "pair"}]}
    )
    with pytest.raises(InputError, match=r"trend.groups\[0\].share"):
        trend.seed_groups(
            spec,
            np.ones(3, np.int64),
            np.zeros(3, np.int16),
            ("all",),
            np.zeros(0, np.int64),
            rng,
            Path("x"),
            (u, v),
        )


# --------------------------------------------------------------------------- adoption rule


def test_the_daily_chance_is_p2_at_the_threshold_p1_below_it_and_0_without_an_adopter_seen() -> (
    None
):
    n = 3
    seen = np.sort(np.array([1 * n + 0, 2 * n + 0, 2 * n + 1]))  # 0 saw none, 1 one, 2 two
    contagion = Contagion(threshold=2, adoption_rate=0.8, below_threshold_rate=0.3)
    chance = trend.complex_chance(seen, n, np.full(n, 2, np.int64), contagion)
    assert chance.tolist() == [0.0, 0.3, 0.8]
    pure = Contagion(threshold=2, adoption_rate=0.8)
    assert trend.complex_chance(seen, n, np.full(n, 2, np.int64), pure).tolist() == [0, 0, 0.8]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_deterministic_threshold_of_2_stops_on_a_path_and_fills_two_triangles(
    tmp_path: Path, seed: int
) -> None:
    path = run_tiny(tmp_path, PATH_EDGES, seed)["adoption"]
    assert path["adopters"].tolist() == [2] * 21  # nobody on a path sees 2 adopters
    diamond = run_tiny(tmp_path, DIAMOND_EDGES, seed)["adoption"]
    assert diamond["adopters"].iloc[0] == 2 and diamond["adopters"].iloc[-1] == 4


@pytest.mark.parametrize("seed", [0, 1])
def test_below_the_threshold_only_members_who_saw_an_adopter_adopt(
    tmp_path: Path, seed: int
) -> None:
    run = run_tiny(tmp_path, PATH_EDGES, seed, below_threshold_rate=1.0)
    adoption = run["adoption"]
    assert adoption["adopters"].iloc[-1] == 4  # the whole path, member 4 never
    assert adoption["adopters"].iloc[0] == 2
    exposure = run["exposure"]
    assert exposure["day"].tolist() == list(range(21))
    assert (exposure["exposed"] <= exposure["pairs"]).all()
    assert exposure["pairs"].sum() == 6  # every path member's connections: 1 + 2 + 2 + 1
    assert exposure_share(exposure, 20) > 0.5


def test_the_exposure_table_pairs_each_seed_with_its_connections(tmp_path: Path) -> None:
    exposure = run_tiny(tmp_path, DIAMOND_EDGES, 3)["exposure"]
    assert exposure["pairs"].sum() == 10  # every member's degree: 2 + 3 + 3 + 2
    assert exposure.loc[exposure["day"] == 0, "pairs"].iloc[0] in (5, 6)


def test_a_below_threshold_rate_above_the_adoption_rate_exits_2(tmp_path: Path) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text(PATH_EDGES)
    body = lattice_body(edges, adoption_rate=0.2, below_threshold_rate=0.5)
    path = write_scenario(tmp_path, body)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    assert "trend.contagion.below_threshold_rate:" in lines[0]
    assert "must not exceed adoption_rate" in lines[0]


def test_an_unknown_seeding_names_the_new_choices(tmp_path: Path) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text(PATH_EDGES)
    body = lattice_body(edges)
    body["trend"]["groups"][0]["seeding"] = "pairs"
    result = CliRunner().invoke(main, ["validate", str(write_scenario(tmp_path, body))])
    assert result.exit_code == 2
    assert "trend.groups[0].seeding" in result.output and "did you mean 'pair'" in result.output


# --------------------------------------------------------------------------- analysis


def test_half_adoption_is_the_first_day_at_half_and_censored_at_the_end() -> None:
    adoption = pd.DataFrame(
        {
            "variant": ["a"] * 4 + ["b"] * 4,
            "replication": [0] * 8,
            "day": [0, 1, 2, 3] * 2,
            "adopter_share": [0.1, 0.4, 0.5, 0.9, 0.1, 0.2, 0.3, 0.49],
        }
    )
    half = half_adoption_day(adoption)
    assert half["day"].tolist() == [2.0, 3.0] and half["censored"].tolist() == [False, True]
    assert final_share(adoption)["share"].tolist() == [0.9, 0.49]


def test_the_exposure_share_leaves_out_adoptions_whose_window_the_end_cuts() -> None:
    exposure = pd.DataFrame(
        {"day": [0, 1, 9, 10], "pairs": [10, 10, 10, 10], "exposed": [9, 8, 0, 0]}
    )
    assert exposure_share(exposure, 10) == pytest.approx(17 / 20)  # days 9 and 10 left out
