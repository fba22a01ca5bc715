"""The synthetic network: size, simplicity, homophily, clustering and heavy tails."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from sim.network import PEER_KINDS, pick_focal, synthetic_network
from sim.scenario import Behaviour, SyntheticNetwork
from sim.table_schema import TIE_KINDS

TOPICS = ["alpha", "beta", "gamma", "delta", "epsilon"]


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    spec = SyntheticNetwork(members=3000, mean_degree=60)
    return synthetic_network(spec, TOPICS, np.random.default_rng(7), Behaviour())


def test_ties_are_simple_and_undirected(net) -> None:  # type: ignore[no-untyped-def]
    assert net.size == 3000
    assert (net.u < net.v).all()
    keys = net.u.astype(np.int64) * net.size + net.v
    assert np.unique(keys).size == keys.size
    assert set(np.unique(net.kind)) <= set(range(len(PEER_KINDS)))
    assert ((net.strength >= 0) & (net.strength <= 1)).all()


def test_mean_degree_close_to_requested(net) -> None:  # type: ignore[no-untyped-def]
    # Repeated pairs are dropped, so the realised mean falls somewhat below the request.
    mean = net.degree().mean()
    assert 45 <= mean <= 60


def test_degrees_are_heavy_tailed(net) -> None:  # type: ignore[no-untyped-def]
    degree = net.degree()
    assert np.median(degree) < degree.mean()  # right-skewed like LinkedIn (190 vs 300)
    assert degree.max() > 3 * degree.mean()


def test_homophily_most_ties_inside_one_field(net) -> None:  # type: ignore[no-untyped-def]
    same = net.field[net.u] == net.field[net.v]
    assert same.mean() > 0.7  # with 5 equal fields, random mixing would give 0.2
    colleague = net.kind == TIE_KINDS.index("colleague")
    assert same[colleague].all()


def test_network_is_clustered(net) -> None:  # type: ignore[no-untyped-def]
    graph = nx.Graph()
    graph.add_nodes_from(range(net.size))
    graph.add_edges_from(zip(net.u.tolist(), net.v.tolist(), strict=True))
    nodes = list(range(0, net.size, 10))
    clustering = nx.average_clustering(graph, nodes=nodes)
    density = 2 * net.u.size / (net.size * (net.size - 1))
    assert clustering > 5 * density  # an Erdos-Renyi graph's clustering equals its density


def test_field_shares_are_respected() -> None:
    spec = SyntheticNetwork(members=5000, mean_degree=10, field_shares=[0.6, 0.1, 0.1, 0.1, 0.1])
    net = synthetic_network(spec, TOPICS, np.random.default_rng(3), Behaviour())
    share = np.bincount(net.field, minlength=5) / net.size
    # binomial standard error at n = 5000 is below 0.007
    assert abs(share[0] - 0.6) < 0.03


def test_same_seed_same_network_and_names_do_not_matter() -> None:
    spec = SyntheticNetwork(members=500, mean_degree=20)
    a = synthetic_network(spec, TOPICS, np.random.default_rng(11), Behaviour())
    b = synthetic_network(spec, ["v", "w", "x", "y", "z"], np.random.default_rng(11), Behaviour())
    for name in ("field", "u", "v", "kind", "strength"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


def test_pick_focal_takes_the_quantile_of_the_field(net) -> None:  # type: ignore[no-untyped-def]
    degree = net.degree()
    member = pick_focal(net, "beta", 0.5, set())
    assert net.field[member] == 1
    in_field = degree[net.field == 1]
    assert abs(degree[member] - np.median(in_field)) <= 2
    other = pick_focal(net, "beta", 0.5, {member})
    assert other != member and net.field[other] == 1
    top = pick_focal(net, "beta", 1.0, set())
    assert degree[top] == in_field.max()


def test_largest_fields_merges_the_small_ones() -> None:
    from sim.network import largest_fields

    names = ("x", "y", "z", "w")
    field = np.array([0, 1, 1, 2, 2, 2, 3])
    kept, mapped = largest_fields(names, field, 3)
    assert kept == ("y", "z", "other")
    assert mapped.tolist() == [2, 0, 0, 1, 1, 1, 2]
    same, unchanged = largest_fields(names, field, 4)
    assert same == names and unchanged.tolist() == field.tolist()


def test_the_default_degrees_are_linkedin_like() -> None:
    """At the defaults (15,000 members) the median is about 190 and the mean about 300
    connections, median/mean about 0.63 (smprotips.com; docs/calibration.md)."""
    from sim.scenario import Scenario

    scenario = Scenario.model_validate({"name": "degrees", "topics": ["a", "b", "c", "d", "e"]})
    assert isinstance(scenario.network, SyntheticNetwork)
    assert scenario.topics is not None
    network = synthetic_network(
        scenario.network, scenario.topics, np.random.default_rng(1), scenario.behaviour
    )
    degree = network.degree()
    median, mean = float(np.median(degree)), float(degree.mean())
    assert 170 <= median <= 210 and 270 <= mean <= 330, (median, mean)
    assert 0.55 <= median / mean <= 0.70, median / mean
    assert np.quantile(degree, 0.99) > 4 * median  # heavy tail
