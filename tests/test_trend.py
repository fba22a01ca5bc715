"""The trend as a population process (docs/model.md 7.21): groups, adopters' invitations,
exposures, complex and simple contagion, rewiring, records and bad input."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from numpy.testing import assert_array_equal

from sim.cli import main
from sim.engine import World
from sim.experiment import manifest, merge_tables, run_study, write_results
from sim.metrics import tables
from sim.model import trend
from sim.network import Network, build_network, rewired
from sim.observers.trend import feed_similarity
from sim.rng import replication_seed, streams
from sim.scenario import Contagion, Trend, load_study
from sim.table_schema import TIE_KINDS
from tests.helpers import t_975, write_scenario

TOPICS = ["a", "b", "c"]
SMALL: dict[str, Any] = {
    "name": "trend-small",
    "topics": TOPICS,
    "duration_days": 12,
    "replications": 1,
    "slice_hours": 6,
    "network": {"members": 400, "mean_degree": 30, "company_size": 15},
    "trend": {
        "groups": [{"strategy": "everyone", "share": 0.05}],
        "invitation_rate": "per_day",
        "invitations_per_day": 5,
        "contagion": {"kind": "complex", "threshold": 2},
    },
}


def world(tmp_path: Path, body: dict[str, Any], seed: int = 1) -> World:
    path = write_scenario(tmp_path, body)
    scenario = load_study(path).base
    return World(scenario, replication_seed(scenario.seed, seed), path)


def run_tables_of(w: World) -> dict[str, pd.DataFrame]:
    return tables(w.run(), "s", "v", 0, 0)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("trend_section", "field", "problem"),
    [
        ({"groups": [{"strategy": "everyone", "share": 1.5}]}, "trend.groups[0].share", "1"),
        (
            {
                "groups": [
                    {"strategy": "everyone", "share": 0.7},
                    {"strategy": "selective", "share": 0.5},
                ]
            },
            "trend.groups",
            "more than 1",
        ),
        (
            {"groups": [{"strategy": "everyone", "share": 0.1, "seeding": "hub"}]},
            "trend.groups[0].seeding",
            "did you mean 'hubs'",
        ),
        (
            {"contagion": {"threshold_on": "count", "threshold": 0.5}},
            "trend.contagion.threshold",
            "at least 1",
        ),
        (
            {"contagion": {"threshold_on": "fraction", "threshold": 2}},
            "trend.contagion.threshold",
            "at most 1",
        ),
        (
            {"groups": [{"strategy": "everyone-always", "share": 0.1}]},
            "trend.groups[0].strategy",
            "'everyone' or 'selective'",
        ),
        (
            {"groups": [{"strategy": "everyone", "share": 0.1, "seeding": "field"}]},
            "trend.groups[0].field",
            "needs the field",
        ),
        (
            {"groups": [{"strategy": "everyone", "share": 0.1, "seeding": "field", "field": "d"}]},
            "trend.groups[0].field",
            "not one of the topics",
        ),
        ({"contagion": {"kind": "viral"}}, "trend.contagion.kind", "'none', 'complex' or"),
        ({"invitations_per_day": 5}, "trend", "does not apply under invitation_rate: per_session"),
        (
            {"invitation_rate": "per_day", "invitations_per_session": 2},
            "trend",
            "set invitation_rate: per_session to use it",
        ),
        ({"invitation_rate": "hourly"}, "trend.invitation_rate", "'per_session' or 'per_day'"),
    ],
)
def test_bad_trend_input_exits_2_with_one_message(
    tmp_path: Path, trend_section: dict[str, Any], field: str, problem: str
) -> None:
    path = write_scenario(tmp_path, {**SMALL, "trend": trend_section})
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(path) in lines[0] and f"{field}:" in lines[0] and problem in lines[0]
    assert "Traceback" not in result.output


def test_adopters_invite_in_proportion_to_their_activity_or_at_one_rate() -> None:
    state = type("S", (), {"session_rate": np.array([3.0, 0.25, 0.0, 1.5])})()
    adopters = np.array([0, 1, 3])
    per_session = Trend(invitations_per_session=8.0)
    # lambda_i = 8 s_i: a heavy user's 3 sessions give 24 a day, a weekly-ish user's 0.25 two
    assert_array_equal(trend.invitation_rates(state, per_session, adopters), [24.0, 2.0, 12.0])  # type: ignore[arg-type]
    per_day = Trend(invitation_rate="per_day", invitations_per_day=25.0)
    assert_array_equal(trend.invitation_rates(state, per_day, adopters), [25.0, 25.0, 25.0])  # type: ignore[arg-type]


def test_a_group_larger_than_what_is_left_is_refused_at_run_time(tmp_path: Path) -> None:
    body = {
        **SMALL,
        "trend": {
            "groups": [
                {"strategy": "selective", "share": 0.5, "seeding": "field", "field": "a"},
            ]
        },
    }
    path = write_scenario(tmp_path, body)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "trend.groups[0].share" in result.output and "only" in result.output
    assert not (tmp_path / "out" / "trend-small").exists()


def test_a_rewiring_name_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    body = {**SMALL, "network": {**SMALL["network"], "rewire": "clusters"}}
    result = CliRunner().invoke(main, ["validate", str(write_scenario(tmp_path, body))])
    assert result.exit_code == 2
    assert "network.rewire" in result.output and "'degrees'" in result.output


# --------------------------------------------------------------------------- seeding


def seeding_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    degree = rng.integers(1, 100, 1000)
    field = rng.integers(0, 3, 1000).astype(np.int16)
    focal = np.array([int(np.argmax(degree))])
    return degree, field, focal


def test_groups_take_their_share_by_their_rule_and_never_a_focal_member() -> None:
    degree, field, focal = seeding_inputs()
    spec = Trend.model_validate(
        {
            "groups": [
                {"strategy": "everyone", "share": 0.02, "seeding": "hubs"},
                {"strategy": "everyone", "share": 0.05, "seeding": "field", "field": "b"},
                {"strategy": "selective", "share": 0.1},
            ]
        }
    )
    masks = trend.seed_groups(
        spec, degree, field, tuple(TOPICS), focal, np.random.default_rng(0), Path("x")
    )
    adopters, committed = masks["everyone"], masks["selective"]
    assert adopters.sum() == 20 + 50 and committed.sum() == 100
    assert not (adopters & committed).any() and not adopters[focal].any()
    others = np.setdiff1d(np.arange(1000), focal)
    hubs = others[np.lexsort((others, -degree[others]))[:20]]
    assert adopters[hubs].all()
    field_group = np.flatnonzero(adopters)[~np.isin(np.flatnonzero(adopters), hubs)]
    assert (field[field_group] == 1).all()


# --------------------------------------------------------------------------- contagion rules


def test_complex_threshold_counts_distinct_adopters_or_their_share_of_connections() -> None:
    n = 4
    seen = np.sort(np.array([0 * n + 1, 0 * n + 2, 1 * n + 2, 3 * n + 0, 3 * n + 1, 3 * n + 2]))
    degree = np.array([2, 10, 5, 30])
    count = Contagion(threshold=2)
    assert trend.over_threshold(seen, n, degree, count).tolist() == [True, False, False, True]
    share = Contagion(threshold=0.5, threshold_on="fraction")
    assert trend.over_threshold(seen, n, degree, share).tolist() == [True, False, False, False]


def test_simple_contagion_converts_each_exposure_independently() -> None:
    chance = trend.simple_chance(np.array([0, 1, 2, 10]), 0.1)
    assert chance == pytest.approx([0.0, 0.1, 0.19, 1 - 0.9**10])


def test_feed_similarity_is_the_mean_pairwise_cosine_of_members_topic_mixes() -> None:
    rng = np.random.default_rng(5)
    counts = rng.integers(0, 4, (30, 4)).astype(np.int32)
    counts[:3] = 0  # members without impressions are left out
    active = counts[counts.sum(axis=1) > 0].astype(float)
    unit = active / np.linalg.norm(active, axis=1, keepdims=True)
    pairs = unit @ unit.T
    expected = (pairs.sum() - np.trace(pairs)) / (len(unit) * (len(unit) - 1))
    assert feed_similarity(counts) == pytest.approx(expected)
    same = np.tile(np.array([[2, 1, 0, 0]], np.int32), (5, 1))
    assert feed_similarity(same) == pytest.approx(1.0)
    assert feed_similarity(np.eye(4, dtype=np.int32)) == pytest.approx(0.0)


# --------------------------------------------------------------------------- rewiring


def small_network(tmp_path: Path) -> Network:
    """SMALL's network with near-Poisson degrees: its clustering comes from companies, not
    from hubs (heavy tails alone make a small random graph clustered)."""
    kinds = {"colleague": 0.7, "field_peer": 0.2, "offline": 0.05, "client": 0.05}
    network = {"members": 600, "mean_degree": 16, "company_size": 12, "degree_sigma": 0.3}
    body = {**SMALL, "network": {**network, "kinds": kinds}}
    scenario = load_study(write_scenario(tmp_path, body)).base
    return build_network(scenario, streams(7)["network"], Path("x"))


def transitivity(net: Network) -> float:
    graph = nx.Graph()
    graph.add_edges_from(zip(net.u.tolist(), net.v.tolist(), strict=True))
    return float(nx.transitivity(graph))


def field_profile(net: Network) -> np.ndarray:
    """Connections of each member per field of the partner."""
    profile = np.zeros((net.size, len(net.topics)), np.int64)
    np.add.at(profile, (net.u, net.field[net.v]), 1)
    np.add.at(profile, (net.v, net.field[net.u]), 1)
    return profile


@pytest.mark.parametrize("keep", ["degrees", "fields"])
def test_rewiring_keeps_degrees_and_ties_and_destroys_clustering(tmp_path: Path, keep: str) -> None:
    net = small_network(tmp_path)
    copy = rewired(net, keep, np.random.default_rng(1))
    assert np.array_equal(copy.degree(), net.degree())
    assert (copy.u < copy.v).all()  # no self-loops, one orientation
    assert np.unique(copy.u.astype(np.int64) * net.size + copy.v).size == copy.u.size
    assert np.array_equal(copy.kind, net.kind) and np.array_equal(copy.strength, net.strength)
    moved = np.mean(
        ~np.isin(
            copy.u.astype(np.int64) * net.size + copy.v, net.u.astype(np.int64) * net.size + net.v
        )
    )
    assert moved > 0.8
    # companies of ~12 make the original clustered; the copy keeps a fraction of it
    assert transitivity(copy) < 0.5 * transitivity(net)
    same_field = np.mean(net.field[net.u] == net.field[net.v])
    if keep == "fields":
        assert np.array_equal(field_profile(copy), field_profile(net))
    else:
        assert np.mean(copy.field[copy.u] == copy.field[copy.v]) < same_field - 0.2
        # as random as networkx's double edge swap (10 swaps a tie) makes the same graph:
        # transitivity of such graphs varies by about 0.005 between draws
        graph = nx.Graph()
        graph.add_edges_from(zip(net.u.tolist(), net.v.tolist(), strict=True))
        nx.double_edge_swap(graph, nswap=10 * net.u.size, max_tries=100 * net.u.size, seed=4)
        assert transitivity(copy) == pytest.approx(nx.transitivity(graph), abs=0.02)


# --------------------------------------------------------------------------- the run


def invited(tmp_path: Path, accept_rate: float) -> tuple[World, np.ndarray]:
    """Day 0's invitations at time 0.5 (50 a day from each of 20 adopters): the world and
    its new ties' (a, b) ends."""
    body = {**SMALL, "trend": {**SMALL["trend"], "invitations_per_day": 50}}
    body["trend"]["accept_rate"] = accept_rate
    body["focal"] = [{"name": "me", "field": "a"}]
    w = world(tmp_path, body)
    trend.invite(w.state, w.scenario, 0.5, np.random.default_rng(2))
    ties = w.state.ties
    new = ties.created == np.float32(0.5)
    return w, np.stack([ties.src[new], ties.dst[new]], axis=1)


def test_adopters_invite_and_others_accept_at_the_published_rate(tmp_path: Path) -> None:
    (tmp_path / "all").mkdir()
    w, everyone = invited(tmp_path / "all", 1.0)
    _, some = invited(tmp_path, 0.26)
    adopted, focal = w.state.trend.adopted, w.state.focal_ids
    for pairs in (everyone, some):
        assert (adopted[pairs[:, 0]] | adopted[pairs[:, 1]]).all()  # an adopter invited
        assert not np.isin(pairs, focal).any()  # focal members answer by their own rule
        new_kind = w.state.ties.kind[w.state.ties.created == np.float32(0.5)]
        assert (new_kind == TIE_KINDS.index("stranger")).all()
    # the same draws: accepted at 0.26 is a subset of accepted at 1
    key = {tuple(p) for p in everyone.tolist()}
    assert {tuple(p) for p in some.tolist()} <= key
    # an invitee who is an adopter accepts; anyone else with 26% (binomial, 4 sd)
    pairs = everyone[everyone[:, 0] < everyone[:, 1]]
    both = adopted[pairs[:, 0]] & adopted[pairs[:, 1]]
    others = int((~both).sum())
    expected = both.sum() + 0.26 * others
    got = int((some[:, 0] < some[:, 1]).sum())
    assert abs(got - expected) < 4 * np.sqrt(others * 0.26 * 0.74), (got, expected)
    assert others > 500


def test_no_adoption_without_contagion_and_nothing_else_changes(tmp_path: Path) -> None:
    """A trend section in which nobody adopts leaves every other stream's draws alone: the
    posts and the focal feed are those of the scenario without a trend (common random
    numbers)."""
    plain = {**SMALL, "focal": [{"name": "me", "field": "a"}]}
    plain.pop("trend")
    idle = {**plain, "trend": {"groups": [], "contagion": {"kind": "none"}}}
    a = run_tables_of(
        world(tmp_path / "a" if (tmp_path / "a").mkdir() is None else tmp_path, plain)
    )
    b = run_tables_of(world(tmp_path / "b" if (tmp_path / "b").mkdir() is None else tmp_path, idle))
    assert (b["adoption"]["adopters"] == 0).all() and len(b["adoption"]) == 13
    assert a["adoption"].empty and a["population"].empty
    pd.testing.assert_frame_equal(a["posts"], b["posts"])
    pd.testing.assert_frame_equal(a["feed"], b["feed"])
    assert b["population"]["impressions"].sum() == a["posts"]["impressions"].sum()


def test_adoption_grows_from_calls_seen_and_drop_outs_leave_for_good(tmp_path: Path) -> None:
    grow = run_tables_of(world(tmp_path, SMALL))
    adopters = grow["adoption"]["adopters"].to_numpy()
    assert adopters[0] == 20 and (np.diff(adopters) >= 0).all() and adopters[-1] > 60
    assert grow["posts"]["author_adopted"].any()
    assert grow["adoption"]["new_adopters"].iloc[1:].sum() == adopters[-1] - adopters[0]
    body = {**SMALL, "trend": {**SMALL["trend"], "drop_after_days": 3}}
    (tmp_path / "drop").mkdir()
    drop = run_tables_of(world(tmp_path / "drop", body))["adoption"]
    assert drop["dropped"].iloc[:3].sum() == 0 and drop["dropped"].iloc[3] == 20
    assert drop["adopters"].iloc[-1] < adopters[-1]


@pytest.mark.parametrize("bar", [0.5, 5.0, 50.0])
def test_adopters_whose_recent_calls_reach_too_few_drop_the_strategy(
    tmp_path: Path, bar: float
) -> None:
    """`dropping` against the rule computed with pandas on the run's posts: adopters whose
    calls created in [day - 7, day - 1) averaged fewer than `bar` viewers."""
    w = world(tmp_path, {**SMALL, "duration_days": 9})
    w.run()
    state, day = w.state, 9
    spec = w.scenario.trend.model_copy(update={"drop_below_viewers": bar})
    posts = pd.DataFrame(
        {name: state.posts[name] for name in ("author", "created", "call", "impressions")}
    )
    recent = posts[posts["call"] & (posts["created"] >= day - 7) & (posts["created"] < day - 1)]
    mean = recent.groupby("author")["impressions"].mean()
    expected = np.zeros(state.n, bool)
    expected[mean.index[mean < bar]] = True
    expected &= state.trend.adopted
    got = trend.dropping(state, spec, day)
    assert np.array_equal(got, expected)
    if bar == 50.0:
        assert got.sum() > 0


def test_adopters_drop_the_strategy_for_good(tmp_path: Path) -> None:
    """With a bar no call can reach, every adopter with a call at least a day old drops and
    never adopts again."""
    body = {**SMALL, "trend": {**SMALL["trend"], "drop_below_viewers": 1e6}}
    w = world(tmp_path, body)
    adoption = run_tables_of(w)["adoption"]
    assert adoption["dropped"].iloc[:2].sum() == 0  # calls need a day before they count
    assert adoption["dropped"].iloc[2:].sum() > 0
    gained = adoption["new_adopters"].iloc[1:].sum() - adoption["dropped"].sum()
    assert adoption["adopters"].iloc[-1] == adoption["adopters"].iloc[0] + gained
    # who dropped is committed to the selective rule and follows the trend no more
    assert w.state.trend.committed.sum() >= adoption["dropped"].sum()
    assert not (w.state.trend.adopted & w.state.trend.committed).any()


def test_a_trend_study_is_reproducible_to_the_byte_with_one_or_two_jobs(tmp_path: Path) -> None:
    body = {
        **SMALL,
        "duration_days": 6,
        "replications": 2,
        "variants": [
            {"name": "complex"},
            {"name": "simple", "trend": {"contagion": {"kind": "simple"}}},
        ],
    }
    study = load_study(write_scenario(tmp_path, body))
    folders = []
    for jobs, name in ((1, "a"), (1, "b"), (2, "c")):
        outputs = run_study(study, jobs=jobs, progress=False)
        data = manifest(study, outputs, dt.datetime.now(dt.UTC), jobs)
        folders.append(write_results(tmp_path / name, merge_tables(outputs), data) / "tables")
    for table in ("posts", "adoption", "population", "feed"):
        reference = (folders[0] / f"{table}.parquet").read_bytes()
        for folder in folders[1:]:
            assert (folder / f"{table}.parquet").read_bytes() == reference, table
    adoption = pd.read_parquet(folders[0] / "adoption.parquet")
    assert set(adoption["variant"]) == {"complex", "simple"} and adoption["adopters"].max() > 20


def test_members_may_follow_nobody(tmp_path: Path) -> None:
    body = {
        **SMALL,
        "duration_days": 2,
        "network": {**SMALL["network"], "follows": {"per_member": 0}},
    }
    w = world(tmp_path, body)
    assert w.state.followees.size == 0
    assert run_tables_of(w)["posts"]["impressions"].sum() > 0


# --------------------------------------------------------------------------- Centola's test

CLUSTERED: dict[str, Any] = {
    "name": "centola",
    "topics": ["a", "b", "c"],
    "duration_days": 60,
    "replications": 1,
    "slice_hours": 6,
    "network": {
        "members": 1000,
        "mean_degree": 30,
        "company_size": 15,
        "degree_sigma": 0.5,
        "kinds": {"colleague": 0.8, "field_peer": 0.1, "offline": 0.05, "client": 0.05},
        "follows": {"per_member": 0},
    },
    # Invitations go to members drawn by activity, long ties whatever the network: the
    # network's own structure decides who sees whose calls, as in Centola's experiment. The
    # connection rule is `compounding`: under the default `share` the clustered network's
    # lead at day 30 halves (+12.6 adopters, 95% CI -5.8 to +30.9, 12 replications) and is
    # not significant (docs/trend.md).
    "platform": {
        "invitations": {"draw": "session_rate"},
        "inference": {"connection_rule": "compounding"},
    },
    "trend": {
        "groups": [{"strategy": "everyone", "share": 0.02}],
        "invitation_rate": "per_day",
        "invitations_per_day": 2,
        "contagion": {
            "kind": "complex",
            "threshold": 3,
            "adoption_rate": 1.0,
            "exposures": "connections",
            "exposure_rate": 0.03,
        },
    },
}
"""A clustered network (companies of about 15 make most ties) in which adopters invite few
members, so that who sees whose calls is decided by the network's structure: the setting of
Centola 2010, where a complex contagion needs several adopting neighbours."""
REPLICATIONS = 12
"""Replications per arm: the clustered network's lead in complex contagion at day 30 is
about +25 adopters with a standard deviation of about 25 between replications, so 12 give a
95% interval about +-16 wide."""


def adoption_curves(tmp_path: Path, kind: str, rewire: str, days: int) -> np.ndarray:
    """Adopters after each day, one row per replication (common random numbers by row)."""
    body = {
        **CLUSTERED,
        "duration_days": days,
        "network": {**CLUSTERED["network"], "rewire": rewire},
        "trend": {
            **CLUSTERED["trend"],
            "contagion": {**CLUSTERED["trend"]["contagion"], "kind": kind},
        },
    }
    path = write_scenario(tmp_path, body, f"{kind}-{rewire}.yaml")
    scenario = load_study(path).base
    curves = []
    for r in range(REPLICATIONS):
        records = World(scenario, replication_seed(scenario.seed, r), path).run()
        curves.append(records.kept["trend"]["adoption"][:, 0].copy())
    return np.array(curves)


@pytest.fixture(scope="module")
def centola(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    folder = tmp_path_factory.mktemp("centola")
    return {
        "complex": adoption_curves(folder, "complex", "none", 60),
        "complex-rewired": adoption_curves(folder, "complex", "fields", 60),
        "simple": adoption_curves(folder, "simple", "none", 30),
        "simple-rewired": adoption_curves(folder, "simple", "fields", 30),
    }


def paired_ci(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """95% t-interval of the mean of a - b (paired by replication)."""
    d = a - b
    half = t_975(d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
    return float(d.mean() - half), float(d.mean() + half)


def test_complex_contagion_adoption_is_s_shaped(centola: dict[str, np.ndarray]) -> None:
    """New adopters a day rise to a peak inside the run and fall after it: slow start,
    take-off, saturation."""
    daily = np.diff(centola["complex"].mean(axis=0))
    peak = int(np.argmax(daily))
    assert 10 <= peak <= 50, daily
    assert daily[:5].mean() < 0.25 * daily[peak] and daily[-5:].mean() < 0.8 * daily[peak]


def test_complex_contagion_spreads_faster_where_the_network_is_clustered(
    centola: dict[str, np.ndarray],
) -> None:
    """Centola 2010's direction: at day 30 the clustered network has more adopters than its
    rewired copy (same degrees and field mix, clustering destroyed), 95% CI above 0; a
    simple contagion shows no such advantage (its interval reaches 0 or below)."""
    low, _ = paired_ci(centola["complex"][:, 30], centola["complex-rewired"][:, 30])
    assert low > 0
    simple_low, _ = paired_ci(centola["simple"][:, 30], centola["simple-rewired"][:, 30])
    assert simple_low <= 0


def test_simple_contagion_chances_are_the_c_librarys_powers() -> None:
    """1 - (1 - rate)^k is math.pow's to the bit for every count, not numpy's vectorised
    power, whose last bit differs between CPUs with and without AVX-512: the same seed must
    give the same tables on every machine."""
    import math

    exposures = np.array([0, 3, 1, 250, 3, 0, 17], dtype=np.int64)
    for rate in (0.01, 0.05, 0.123456):
        got = trend.simple_chance(exposures, rate)
        want = np.array([1.0 - math.pow(1.0 - rate, float(k)) for k in exposures])
        assert got.tobytes() == want.tobytes()
    assert trend.simple_chance(np.zeros(0, dtype=np.int64), 0.1).size == 0


SIMILARITY_SCRIPT = """
import numpy as np
from sim.observers.trend import feed_similarity
counts = np.random.default_rng(5).integers(0, 40, (300, 5)).astype(np.int32)
print(feed_similarity(counts).hex())
"""


def test_feed_similarity_is_the_same_whatever_blas_kernel_the_cpu_selects() -> None:
    """The BLAS library picks its kernel (and order of summation) by the CPU, and a dot
    product then differs in the last bit between machines (docs/model.md 8): the feed
    similarity gives the same bits under OpenBLAS's AVX-512 kernels and its AVX2 ones. On a
    CPU without AVX-512 both runs take the AVX2 kernels and the check is weaker. With these
    counts, ``total @ total`` differed between the two kernels on a CPU with AVX-512. The
    value is also checked against the formula (the mean cosine over distinct pairs)."""
    import os
    import subprocess
    import sys

    found = set()
    for core in ("SkylakeX", "Haswell"):
        done = subprocess.run(
            [sys.executable, "-c", SIMILARITY_SCRIPT],
            env={**os.environ, "OPENBLAS_CORETYPE": core},
            capture_output=True,
            text=True,
            check=True,
        )
        found.add(done.stdout.strip())
    assert len(found) == 1
    counts = np.random.default_rng(5).integers(0, 40, (300, 5)).astype(np.float64)
    unit = counts / np.sqrt((counts**2).sum(axis=1, keepdims=True))
    pairs = unit @ unit.T
    want = (pairs.sum() - np.trace(pairs)) / (300 * 299)
    assert float.fromhex(found.pop()) == pytest.approx(want, rel=1e-12)


# --------------------------------------------------------------- sensitivity outcomes


def test_trend_spread_is_the_final_share_and_the_first_day_half_follow() -> None:
    """Snapshot d is the end of day d - 1: here half of 100 members follow the trend from
    snapshot 3, and 80% at the last; a run that never reaches half counts its last snapshot
    day (a lower bound); a run without the trend has neither."""
    from sim.sensitivity.outcomes import trend_spread

    adoption = pd.DataFrame(
        {
            "day": range(6),
            "adopters": [1, 10, 30, 50, 70, 80],
            "new_adopters": [1, 9, 20, 20, 20, 10],
            "members": 100,
        }
    )
    adoption["adopter_share"] = adoption["adopters"] / adoption["members"]
    assert trend_spread(adoption) == (0.8, 3.0)
    slow = adoption.assign(adopter_share=adoption["adopter_share"] / 2)
    assert trend_spread(slow) == (0.4, 5.0)
    assert all(math.isnan(v) for v in trend_spread(adoption.iloc[:0]))


def test_a_trend_run_gives_the_trend_metrics_and_no_focal_ones(tmp_path: Path) -> None:
    """The run metrics of a study without a focal member but with the trend: the member
    metrics are missing (NaN, not an error), the trend's are its adoption table's."""
    from sim.sensitivity.outcomes import Context, run_metrics

    out = run_tables_of(world(tmp_path, SMALL))
    got = run_metrics(out, Context(12, None, 0, 6.0))
    adoption = out["adoption"].sort_values("day")
    assert got["trend_final_share"] == pytest.approx(adoption["adopter_share"].iloc[-1])
    reached = adoption["day"][adoption["adopter_share"] >= 0.5]
    assert got["trend_half_day"] == (reached.iloc[0] if len(reached) else 12)
    assert 0.05 <= got["trend_final_share"] <= 1.0
    assert math.isnan(got["primary_reach"]) and math.isnan(got["focus_share"])
