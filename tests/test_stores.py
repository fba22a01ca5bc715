"""The live stores' room (sim.stores) and the room reserved for the candidate pool before a
run (sim.model.candidates.expected_rows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.bench import workload
from sim.engine import World
from sim.model import candidates
from sim.rng import replication_seed
from sim.stores import Columns, GroupedColumns


def address(column: np.ndarray) -> int:
    """Where a column's data starts in memory (it changes when the column is reallocated)."""
    return int(column.__array_interface__["data"][0])


def test_reserved_room_keeps_the_rows_and_appending_within_it_reallocates_nothing() -> None:
    store = Columns({"a": np.int32, "b": np.float64}, capacity=4)
    store.append(a=np.arange(3), b=np.array([0.5, 1.5, 2.5]))
    store.reserve(1000)
    assert store["a"].tolist() == [0, 1, 2] and store["b"].tolist() == [0.5, 1.5, 2.5]
    before = address(store["a"]), address(store["b"])
    rows = store.append(a=np.arange(997), b=1.0)
    assert rows[0] == 3 and store.size == 1000
    assert (address(store["a"]), address(store["b"])) == before
    store.reserve(10)  # less than the room: nothing changes
    assert (address(store["a"]), address(store["b"])) == before
    store.append(a=np.array([7]), b=np.array([7.0]))  # beyond the room: it doubles
    assert store._data["a"].size == 2000 and store["a"][-1] == 7
    assert store["a"][:3].tolist() == [0, 1, 2]


def test_the_pool_never_grows_while_a_run_goes_and_its_room_is_not_far_above_its_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At the defaults (3,000 members, 8 days: past the 3-day age limit, so the pool reaches
    its steady size), the room reserved before the run holds every row the pool ever has,
    and the pool's largest size (just before a daily regroup) fills at least two fifths of
    it: the bound of expected_rows is 1.5 (max_age_days + 1) times the posts' networks a
    day, and the pool fills about two thirds of it at 100,000 members."""
    scenario = workload("synthetic-3k", 8)
    assert scenario is not None
    world = World(scenario, replication_seed(scenario.seed, 0), Path("bench.yaml"))
    pool = world.state.pool
    room = candidates.expected_rows(world.state, scenario.platform.max_age_days)
    assert pool._data["viewer"].size == room
    largest = [0]
    regroup = GroupedColumns.regroup

    def measured_regroup(self: GroupedColumns, keep: np.ndarray | None = None) -> None:
        largest[0] = max(largest[0], self.size)
        regroup(self, keep)

    monkeypatch.setattr(GroupedColumns, "regroup", measured_regroup)
    world.run()
    assert pool._data["viewer"].size == room  # never grew
    assert 0.4 * room <= largest[0] <= room, (largest[0], room)


def test_a_regroup_moves_wide_columns_4_bytes_at_a_time_bit_for_bit() -> None:
    """A float64 column (NaN, -0.0 and the smallest subnormal included) and an int64 column
    come out of a regroup in the stable order of their group, every bit kept, like the
    narrow columns beside them; a regroup after rows are appended keeps that order."""
    rng = np.random.default_rng(3)
    store = GroupedColumns(
        {"viewer": np.int32, "when": np.float64, "big": np.int64, "flag": bool}, "viewer", 9
    )
    special = np.array([np.nan, -0.0, 5e-324, np.inf])
    for _ in range(2):
        when = rng.random(500)
        when[:4] = special
        store.append(
            viewer=rng.integers(0, 9, 500),
            when=when,
            big=rng.integers(-(2**62), 2**62, 500),
            flag=rng.random(500) < 0.5,
        )
        before = {name: store[name].copy() for name in ("viewer", "when", "big", "flag")}
        keep = rng.random(store.size) < 0.7
        rows = np.flatnonzero(keep)
        order = rows[np.argsort(before["viewer"][rows], kind="stable")]
        store.regroup(keep)
        for name, column in before.items():
            assert store[name].view(np.uint8).tobytes() == column[order].view(np.uint8).tobytes()
