"""The connection graph at the start of a run: members' fields and their ties (pure).

Two sources:

* :func:`synthetic_network` — a degree-corrected block model (Karrer & Newman 2011) with the
  Chung-Lu construction (Chung & Lu 2002): every member gets a heavy-tailed (log-normal)
  weight, and tie endpoints are drawn in proportion to weight, so degrees are heavy-tailed.
  Ties come in kinds (MODEL.md 1): colleagues inside small companies of one field (dense
  groups, which make the network clustered), field peers inside one field (homophily:
  McPherson et al. 2001), and offline and client ties across fields.
* :func:`file_network` — a real graph read by :mod:`sim.loaders`; labels become fields.

Every tie gets a true strength ``s ~ Beta(a, b)`` (``behaviour.strength_a``, ``strength_b``;
Beta(2, 2) by default, mean 0.5): how much the two care about each
other's posts beyond what their kind says (Gilbert & Karahalios 2009 treat strength as a
continuum within kinds).

The generators are vectorised numpy (networkx's generators build Python objects per edge and
do not reach the 10^6-member networks feedsim runs on).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim import kernels
from sim.errors import InputError
from sim.loaders import LoadedGraph, load_follows, load_graph
from sim.rng import replication_seed, streams
from sim.scenario import (
    AcceptInvitations,
    Behaviour,
    FileNetwork,
    Scenario,
    Study,
    SyntheticNetwork,
)
from sim.table_schema import TIE_KINDS

PEER_KINDS = ("colleague", "field_peer", "offline", "client")
"""The peer network of claim C3: everyone one has a prior relationship with."""
STRANGER = TIE_KINDS.index("stranger")


@dataclass(frozen=True)
class Network:
    """Members and undirected ties at the start of a run.

    Attributes:
        topics: field names; ``field[i]`` indexes into it.
        field: home field of each member (int16, length N).
        u, v: tie endpoints with ``u < v`` (int32, length M).
        kind: index into :data:`TIE_KINDS` (int8, length M).
        strength: true strength in [0, 1] (float32, length M).
        follows: for a network read from files with a follows file, (follower, followee)
            member indices sorted by followee; None when follows are drawn by the rule
            (synthetic networks) or there are none.
    """

    topics: tuple[str, ...]
    field: NDArray[np.int16]
    u: NDArray[np.int32]
    v: NDArray[np.int32]
    kind: NDArray[np.int8]
    strength: NDArray[np.float32]
    follows: tuple[NDArray[np.int64], NDArray[np.int64]] | None = None

    @property
    def size(self) -> int:
        """Number of members."""
        return int(self.field.size)

    def degree(self) -> NDArray[np.int64]:
        """Connections per member."""
        return np.bincount(np.concatenate([self.u, self.v]), minlength=self.size)


def draw_strength(rng: np.random.Generator, count: int, params: Behaviour) -> NDArray[np.float32]:
    """True tie strengths, ``s ~ Beta(a, b)`` for every kind (Beta(2, 2) by default; Gilbert &
    Karahalios 2009 treat strength as a continuum within kinds)."""
    return rng.beta(params.strength_a, params.strength_b, size=count).astype(np.float32)


def _weighted_pick(
    rng: np.random.Generator,
    cum: NDArray[np.float64],
    lo: NDArray[np.float64],
    width: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Indices drawn with probability proportional to weight within ``[lo, lo + width)``.

    ``cum`` is the cumulative weight of members in their sorted order.
    """
    target = lo + rng.random(lo.size) * width
    picked: NDArray[np.int64] = np.minimum(kernels.searchsorted_right(cum, target), cum.size - 1)
    return picked


def _dedupe(
    n: int, a: NDArray[np.int64], b: NDArray[np.int64], kind: NDArray[np.int8]
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.int8]]:
    """Undirected simple ties: self-loops dropped, and of repeated pairs the first kept."""
    keep = a != b
    a, b, kind = a[keep], b[keep], kind[keep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    first = kernels.first_of_pairs(lo, hi, n)
    return lo[first].astype(np.int32), hi[first].astype(np.int32), kind[first]


def draw_fields(
    spec: SyntheticNetwork, n_topics: int, rng: np.random.Generator
) -> NDArray[np.int16]:
    """Each member's home field, drawn with probabilities ``field_shares`` (equal without
    them): the first draws of :func:`synthetic_network`."""
    shares = np.asarray(spec.field_shares or [1.0] * n_topics, dtype=np.float64)
    return rng.choice(n_topics, size=spec.members, p=shares / shares.sum()).astype(np.int16)


def synthetic_network(
    spec: SyntheticNetwork, topics: list[str], rng: np.random.Generator, behaviour: Behaviour
) -> Network:
    """A homophilous, clustered, heavy-tailed network (degree-corrected block model).

    With N members, mean degree d and kind shares q_k, the generator draws
    ``E_k = round(q_k N d / 2)`` tie attempts of each kind. Member i has weight
    ``w_i ~ LogNormal(0, sigma)``; an endpoint is member i with probability
    ``w_i / sum(w)`` (Chung & Lu 2002) within the pool the kind allows:

    * colleague: the first endpoint by weight, the second uniformly in the same company
      (companies of mean size ``company_size`` inside one field);
    * field_peer: both endpoints by weight inside one field;
    * offline, client: both endpoints by weight among all members.

    Repeated pairs and self-loops are dropped, so realised degrees fall a little below d.
    """
    n = spec.members
    n_topics = len(topics)
    field = draw_fields(spec, n_topics, rng)
    weight = rng.lognormal(0.0, spec.degree_sigma, size=n)

    order = np.argsort(field, kind="stable")  # members grouped by field
    field_sorted = field[order]
    cum = np.cumsum(weight[order])
    field_start = np.searchsorted(field_sorted, np.arange(n_topics))
    field_end = np.searchsorted(field_sorted, np.arange(n_topics), side="right")
    cum0 = np.concatenate([[0.0], cum])
    field_lo = cum0[field_start]
    field_width = cum0[field_end] - field_lo

    # Companies: contiguous runs of the field-sorted order, each inside one field.
    company_count = np.maximum(1, np.round((field_end - field_start) / spec.company_size))
    company_of_sorted = np.empty(n, dtype=np.int64)
    next_id = 0
    for t in range(n_topics):
        size = field_end[t] - field_start[t]
        if size == 0:
            continue
        ids = np.sort(rng.integers(0, int(company_count[t]), size=size))
        company_of_sorted[field_start[t] : field_end[t]] = ids + next_id
        next_id += int(company_count[t])
    company_start = np.searchsorted(company_of_sorted, np.arange(next_id))
    company_size = np.bincount(company_of_sorted, minlength=next_id)

    mix = spec.kinds
    raw_shares = np.array([mix.colleague, mix.field_peer, mix.offline, mix.client])
    attempts = np.round(raw_shares / raw_shares.sum() * n * spec.mean_degree / 2).astype(int)
    total = float(cum[-1])
    parts_a: list[NDArray[np.int64]] = []
    parts_b: list[NDArray[np.int64]] = []
    parts_k: list[NDArray[np.int8]] = []

    def first_endpoints(count: int) -> NDArray[np.int64]:
        return _weighted_pick(rng, cum, np.zeros(count), np.full(count, total))

    # Kind order sets priority when a pair is drawn twice: colleague, offline, client, peer.
    for kind_name in ("colleague", "offline", "client", "field_peer"):
        count = int(attempts[("colleague", "field_peer", "offline", "client").index(kind_name)])
        if count == 0:
            continue
        a = first_endpoints(count)
        if kind_name == "colleague":
            c = company_of_sorted[a]
            b = company_start[c] + (rng.random(count) * company_size[c]).astype(np.int64)
        elif kind_name == "field_peer":
            f = field_sorted[a]
            b = _weighted_pick(rng, cum, field_lo[f], field_width[f])
        else:
            b = first_endpoints(count)
        parts_a.append(order[a])
        parts_b.append(order[b])
        parts_k.append(np.full(count, TIE_KINDS.index(kind_name), dtype=np.int8))

    u, v, kind = _dedupe(
        n, np.concatenate(parts_a), np.concatenate(parts_b), np.concatenate(parts_k)
    )
    return Network(tuple(topics), field, u, v, kind, draw_strength(rng, u.size, behaviour))


def _read_graph(spec: FileNetwork) -> LoadedGraph:
    """The graph of a file network's files (:func:`sim.loaders.load_graph`)."""
    return load_graph(
        Path(spec.edges),
        None if spec.labels is None else Path(spec.labels),
        missing_label=spec.missing_label,
        label_prefix=spec.label_prefix,
    )


def file_network(spec: FileNetwork, rng: np.random.Generator, behaviour: Behaviour) -> Network:
    """A real graph from files (see :mod:`sim.loaders`); its labels become the fields.

    Ties between members of one field get ``spec.same_field_kind``; a cross-field tie is a
    client tie with probability ``spec.client_share``, else an offline tie.
    """
    graph = _read_graph(spec)
    u = graph.u.astype(np.int32)
    v = graph.v.astype(np.int32)
    names, field = largest_fields(graph.field_names, graph.field, spec.max_fields)
    same = field[u] == field[v]
    cross_kind = np.where(
        rng.random(u.size) < spec.client_share,
        TIE_KINDS.index("client"),
        TIE_KINDS.index("offline"),
    )
    kind = np.where(same, TIE_KINDS.index(spec.same_field_kind), cross_kind).astype(np.int8)
    follows = None
    if spec.follows is not None:
        follows = load_follows(Path(spec.follows), graph.original_ids)
    return Network(names, field, u, v, kind, draw_strength(rng, u.size, behaviour), follows)


SWAP_ROUNDS = 20
"""Rounds of :func:`rewired`: each tries to swap every tie once, so 20 rounds try about
10 swaps per tie (Milo et al. 2003 use 100 per tie for motif nulls; clustering falls to
its random-graph level far sooner, tests/test_trend.py)."""


def rewired(network: Network, keep: str, rng: np.random.Generator) -> Network:
    """A random copy of `network` with every member's degree kept (Maslov & Sneppen 2002):
    `keep` ``degrees``, or ``fields`` to keep each member's connections per field as well.

    Each of :data:`SWAP_ROUNDS` rounds orients every tie at random, pairs the ties at random
    (with ``fields``, only ties joining the same two fields), (a, b) with (c, d), and swaps
    them to (a, d) and (c, b). A swap is refused when it would make a self-loop or a tie
    that exists, or one another swap of the round makes. Every tie keeps its kind and
    strength; clustering (companies, friends of friends) is destroyed, and with ``degrees``
    homophily too: the control of Centola 2010.
    """
    n, n_topics = network.size, len(network.topics)
    field = network.field.astype(np.int64) if keep == "fields" else np.zeros(n, np.int64)
    u, v = network.u.astype(np.int64), network.v.astype(np.int64)
    for _ in range(SWAP_ROUNDS):
        flip = rng.integers(2, size=u.size).astype(bool)
        a, b = np.where(flip, v, u), np.where(flip, u, v)
        group = field[a] * n_topics + field[b]
        order = np.lexsort((rng.random(u.size), group))
        first, second = order[:-1:2], order[1::2]
        same = group[first] == group[second]
        first, second = first[same], second[same]
        a1, b1, a2, b2 = a[first], b[first], a[second], b[second]
        key1 = np.minimum(a1, b2) * n + np.maximum(a1, b2)
        key2 = np.minimum(a2, b1) * n + np.maximum(a2, b1)
        existing = np.sort(u * n + v)
        ok = (a1 != b2) & (a2 != b1) & ~_in_sorted(existing, key1) & ~_in_sorted(existing, key2)
        made, counts = np.unique(np.concatenate([key1[ok], key2[ok]]), return_counts=True)
        repeated = made[counts > 1]
        ok &= ~_in_sorted(repeated, key1) & ~_in_sorted(repeated, key2)
        u[first[ok]], v[first[ok]] = np.minimum(a1, b2)[ok], np.maximum(a1, b2)[ok]
        u[second[ok]], v[second[ok]] = np.minimum(a2, b1)[ok], np.maximum(a2, b1)[ok]
    return replace(network, u=u.astype(np.int32), v=v.astype(np.int32))


def _in_sorted(sorted_keys: NDArray[np.int64], keys: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Whether each key is in `sorted_keys` (sorted ascending)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    found: NDArray[np.bool_] = sorted_keys[pos] == keys
    return found


def largest_fields(
    names: tuple[str, ...], field: NDArray[np.integer], limit: int
) -> tuple[tuple[str, ...], NDArray[np.int16]]:
    """Keep the ``limit - 1`` largest fields (ties: the earlier field) and merge the rest
    into one field named ``other``; with at most `limit` fields nothing changes."""
    if len(names) <= limit:
        return names, field.astype(np.int16)
    sizes = np.bincount(field, minlength=len(names))
    kept = np.sort(np.argsort(-sizes, kind="stable")[: limit - 1])
    new_index = np.full(len(names), limit - 1, np.int64)
    new_index[kept] = np.arange(kept.size)
    return (*(names[i] for i in kept), "other"), new_index[field].astype(np.int16)


def build_network(scenario: Scenario, rng: np.random.Generator, source: Path) -> Network:
    """The scenario's network, with its fields checked against the events, focal members
    and the trend's groups.

    Raises:
        InputError: when a file is bad, or an event or focal member names an unknown field.
    """
    if isinstance(scenario.network, SyntheticNetwork):
        assert scenario.topics is not None  # the schema requires topics for synthetic networks
        return synthetic_network(scenario.network, scenario.topics, rng, scenario.behaviour)
    network = file_network(scenario.network, rng, scenario.behaviour)
    known = set(network.topics)
    for i, member in enumerate(scenario.focal):
        if member.field not in known:
            raise InputError(source, f"focal[{i}].field", _unknown_field(member.field, network))
    for i, event in enumerate(scenario.events):
        if isinstance(event, AcceptInvitations) and event.field not in known:
            raise InputError(source, f"events[{i}].field", _unknown_field(event.field, network))
    if scenario.focus_topic is not None and scenario.focus_topic not in known:
        raise InputError(source, "focus_topic", _unknown_field(scenario.focus_topic, network))
    for i, group in enumerate(scenario.trend.groups if scenario.trend else []):
        if group.field is not None and group.field not in known:
            raise InputError(
                source, f"trend.groups[{i}].field", _unknown_field(group.field, network)
            )
    return network


def _unknown_field(name: str, network: Network) -> str:
    return _not_a_field(name, network.topics)


def _not_a_field(name: str, topics: tuple[str, ...]) -> str:
    shown = ", ".join(topics[:8]) + (", ..." if len(topics) > 8 else "")
    return f"{name!r} is not a field of the network (its fields: {shown})"


def _free_members(network: Network, field: str, taken: set[int]) -> NDArray[np.int64]:
    """The members of `field` not yet `taken`, by id.

    Raises:
        ValueError: none is left.
    """
    members = np.flatnonzero(network.field == network.topics.index(field))
    members = np.array([m for m in members if int(m) not in taken], dtype=np.int64)
    if members.size == 0:
        raise ValueError(f"no member of field {field!r} left to follow")
    return members


SURE_SIGMAS = 8.0
"""A synthetic field of expected size ``N p`` is below ``N p - 8 sigma`` (sigma the binomial
standard deviation) with probability under 1e-15: a burst below that needs no draws."""


def surely_large_enough(
    spec: SyntheticNetwork, topics: list[str], event: AcceptInvitations
) -> bool:
    """Whether a synthetic network's field surely has more than `event.count` members other
    than the focal member: the field's size is Binomial(N, p) with p its share, so whenever
    ``count <= N p - SURE_SIGMAS sqrt(N p (1 - p)) - 1`` (:data:`SURE_SIGMAS`)."""
    shares = np.asarray(spec.field_shares or [1.0] * len(topics), dtype=np.float64)
    share = float(shares[topics.index(event.field)] / shares.sum())
    mean = spec.members * share
    return bool(event.count <= mean - SURE_SIGMAS * math.sqrt(mean * (1.0 - share)) - 1.0)


def check_burst_sizes(study: Study) -> None:
    """Before any run: every burst (``accept_invitations``) of every arm asks for at most as
    many inviters as its field has members other than its focal member, in the network of
    every replication. A file network's fields are read from its files (once). A synthetic
    network's fields are its first draws from the ``network`` stream (:func:`draw_fields`),
    so only they are drawn, for each replication, and only for a burst not far below its
    field's expected size (:func:`surely_large_enough`). It is a necessary condition: the
    run still refuses a burst when fewer are unconnected to the member on the day
    (``accept_burst``).

    Raises:
        InputError: naming ``events[i].count`` (in ``variants[k].`` for a variant), the
            field, its size and where (the files, or the replication); or
            ``events[i].field`` when a file network has no such field.
    """
    read: dict[str, tuple[tuple[str, ...], NDArray[np.int16]]] = {}
    for k, arm in enumerate(study.arms):
        scenario, spec = arm.scenario, arm.scenario.network
        bursts = [(i, e) for i, e in enumerate(scenario.events) if isinstance(e, AcceptInvitations)]
        prefix = f"variants[{k}]." if study.base.variants else ""
        if isinstance(spec, FileNetwork) and bursts:
            key = spec.model_dump_json()
            if key not in read:
                graph = _read_graph(spec)
                read[key] = largest_fields(graph.field_names, graph.field, spec.max_fields)
            topics, field = read[key]
            _check_fields(study, scenario, prefix, bursts, topics, field, "in the network's files")
        elif isinstance(spec, SyntheticNetwork):
            assert scenario.topics is not None  # required for synthetic networks
            close = [(i, e) for i, e in bursts if not surely_large_enough(spec, scenario.topics, e)]
            for r in range(study.base.replications) if close else ():
                rng = streams(replication_seed(study.base.seed, r))["network"]
                field = draw_fields(spec, len(scenario.topics), rng)
                topics = tuple(scenario.topics)
                _check_fields(study, scenario, prefix, close, topics, field, f"in replication {r}")


def _check_fields(
    study: Study,
    scenario: Scenario,
    prefix: str,
    bursts: list[tuple[int, AcceptInvitations]],
    topics: tuple[str, ...],
    field: NDArray[np.int16],
    where: str,
) -> None:
    """The check of :func:`check_burst_sizes` in one network's fields."""
    sizes = np.bincount(field, minlength=len(topics))
    home = {f.name: f.field for f in scenario.focal}
    for i, event in bursts:
        if event.field not in topics:
            raise InputError(
                study.path, f"{prefix}events[{i}].field", _not_a_field(event.field, topics)
            )
        others = int(sizes[topics.index(event.field)]) - (home[event.member] == event.field)
        if event.count > others:
            raise InputError(
                study.path,
                f"{prefix}events[{i}].count",
                f"asks for {event.count} inviters from field {event.field!r}, which has only"
                f" {others} members other than {event.member!r} {where}",
            )


def pick_focal(network: Network, field: str, quantile: float, taken: set[int]) -> int:
    """The member of `field` at `quantile` of that field's connection counts.

    Members already `taken` are skipped; ties in degree go to the lower member id.
    """
    degree = network.degree()
    members = _free_members(network, field, taken)
    ranked = members[np.lexsort((members, degree[members]))]
    return int(ranked[min(int(quantile * ranked.size), ranked.size - 1)])


def pick_focal_by_degree(network: Network, field: str, degree: int, taken: set[int]) -> int:
    """The member of `field` whose connection count ``k_i`` is nearest `degree`:
    ``argmin_i |k_i - degree|``, the lowest id among equally near ones.

    Members already `taken` are skipped.
    """
    members = _free_members(network, field, taken)
    distance = np.abs(network.degree()[members] - degree)
    return int(members[np.lexsort((members, distance))[0]])
