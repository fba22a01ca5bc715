"""Where a run's simulation time goes, pass by pass, against the time its data takes to move
(``feedsim bench passes``): a cost model per candidate, measured, not a test.

A workload of :mod:`sim.bench` runs under ``cProfile``; each pass of the engine is the
cumulative time of the functions that do all of its work (:data:`PASSES`), and what no pass
names is "the rest" (the observers' records, simpy, small numpy calls between passes). The
profiler adds about a call's overhead to each of the run's few hundred thousand Python calls,
a few per cent of the time.

Each pass's time is divided by the rows it works on, counted over the run by a hook
(:class:`RowCounter`): **merged** rows (a served member's candidates before the first pass,
one per (viewer, post)), **scored** rows (after it) or **impressions**. Its **floor** is the
time the pass would take if it did nothing but read and write its arrays once: the bytes it
touches per row (:attr:`Pass.bytes_per_row`, counted from the item sizes of the arrays it
reads and writes, listed in :attr:`Pass.arrays`) over the machine's memory bandwidth on all
its cores (:func:`bandwidth`: a parallel copy of 512 MiB, bytes read plus written per
second). A pass at many times its floor spends its time elsewhere than in moving data: in
random access (a gather from an array that does not fit the caches costs a cache line, 64
bytes, per element, not its 8), in branches, in Python and numpy's fixed cost per call.
"""

from __future__ import annotations

import cProfile
import math
import pstats
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.model.hooks import Hooks, Served, Shown
from sim.model.state import State


@dataclass(frozen=True)
class Pass:
    """One pass of a slice.

    Attributes:
        name: what it does, in words.
        functions: ``(file, function)`` pairs whose cumulative times add up to the pass
            (files relative to the package's parent folder, so ``sim/engine.py``).
        rows: the rows it works on: ``merged``, ``scored``, ``impressions`` or ``""`` (not a
            per-row pass: no floor).
        arrays: the arrays it reads and writes per row, with their item sizes in bytes.
    """

    name: str
    functions: tuple[tuple[str, str], ...]
    rows: str
    arrays: tuple[tuple[str, int], ...] = ()

    @property
    def bytes_per_row(self) -> int:
        """Bytes read and written per row: the sum of :attr:`arrays`' item sizes."""
        return sum(size for _, size in self.arrays)


PASSES = (
    Pass(
        "posting, tags and the test audience",
        (("sim/engine.py", "publish"), ("sim/model/audience.py", "expand_tested")),
        "",
    ),
    Pass(
        "sessions and their random numbers",
        (("sim/engine.py", "serve_sessions"),),
        "",
    ),
    Pass(
        "recommendations (topic, post, checks per draw)",
        (("sim/model/candidates/recommendation.py", "recommend"),),
        "",
    ),
    Pass(
        "merge: pool rows, followed accounts' posts, recommendations",
        (("sim/model/candidates/merge.py", "gather_candidates"),),
        "merged",
        (
            ("pool or followed row read: post, route, time, consumed", 14),
            ("post's author and creation time", 16),
            ("candidate written: pool row, candidate of row, slot, post, author", 40),
            ("route, proof, primary", 10),
        ),
    ),
    Pass(
        "first pass: tie lookup, affinity, cheap score, best 100, subset",
        (("sim/model/candidates/first_pass.py", "first_pass"),),
        "merged",
        (
            ("author read, tie written", 16),
            ("tie's row read: partner, affinity, its time", 20),
            ("post's creation time, age, affinity, score", 32),
            ("kept mask", 1),
            ("candidate read and, when kept, written (8 columns)", 100),
        ),
    ),
    Pass(
        "ranker's features (source, belief, affinity, age)",
        (("sim/model/candidates/features.py", "candidate_features"),),
        "scored",
        (
            ("candidate read: viewer, post, author, tie, route", 33),
            ("post's topic and time, tie's kind, affinity and time", 28),
            ("belief of the viewer for the topic", 8),
            ("features written: topic, source, age, affinity, belief, proof, edge", 51),
        ),
    ),
    Pass(
        "score and the top items per viewer",
        (("sim/model/candidates/features.py", "select_feed"),),
        "scored",
        (
            ("features read", 42),
            ("heads, freshness, score written", 24),
            ("score and pin read by the top-K", 9),
        ),
    ),
    Pass(
        "impressions, reactions and engagement",
        (
            ("sim/model/reactions.py", "impressions"),
            ("sim/model/reactions.py", "count_impressions"),
            ("sim/model/reactions.py", "decide_reactions"),
            ("sim/engine.py", "engage"),
            ("sim/model/reading.py", "positions"),
        ),
        "impressions",
        (
            ("impression written (8 columns)", 51),
            ("counters: post, member, tie", 24),
            ("propensity inputs and uniforms", 40),
            ("action written", 1),
        ),
    ),
    Pass(
        "shown pairs marked consumed",
        (("sim/model/candidates/pool.py", "mark_shown"),),
        "merged",
        (("candidate of each pool row read, consumed mark written", 9),),
    ),
    Pass(
        "daily upkeep: expired pool rows, regroup by viewer",
        (("sim/model/candidates/pool.py", "forget_expired"),),
        "",
    ),
)
"""The passes, in the order a slice runs them. Sessions' own time excludes the serving it
calls (``serve``, subtracted); the daily upkeep is per day, not per row."""

INNER = (("sim/engine.py", "serve"),)
"""Functions whose time is subtracted from the first pass that contains them (sessions)."""


class RowCounter(Hooks):
    """Counts the rows the passes work on: merged (before the first pass) and scored rows per
    served member, and impressions."""

    def __init__(self) -> None:
        self.rows = {"merged": 0, "scored": 0, "impressions": 0}

    def served(self, state: State, served: Served) -> None:
        self.rows["scored"] += int(served.candidates.sum())
        self.rows["merged"] += int(served.candidates.sum() + served.cut.sum())

    def shown(self, state: State, shown: Shown) -> None:
        self.rows["impressions"] += int(shown.seen.post.size)


@njit(cache=True, nogil=True, parallel=True)
def _copy(source: NDArray[np.float64], target: NDArray[np.float64]) -> None:  # pragma: no cover
    """``target[:] = source`` on all cores."""
    for i in prange(source.size):
        target[i] = source[i]


def bandwidth(mebibytes: int = 512, repeats: int = 5) -> float:
    """The memory bandwidth on all cores, bytes per second: the fastest of `repeats` parallel
    copies of `mebibytes` MiB (bytes read plus bytes written, over the seconds)."""
    source = np.ones(mebibytes * 2**20 // 8)
    target = np.empty_like(source)
    _copy(source[:8], target[:8])  # compile
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        _copy(source, target)
        best = min(best, time.perf_counter() - started)
    return 2 * source.nbytes / best


def _cumulative(stats: pstats.Stats, file: str, function: str) -> float:
    """The cumulative seconds of every profiled function `function` of a file ending in `file`."""
    found: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    return sum(
        float(entry[3])
        for (path, _, name), entry in found.items()
        if name == function and Path(path).as_posix().endswith(file)
    )


def measure_passes(name: str, days: int) -> dict[str, Any]:
    """Run workload `name` for `days` days under the profiler and return each pass's seconds,
    the rows counted, the simulation seconds and the bandwidth.

    Raises:
        InputError: an unknown workload, or its data files are missing.
    """
    from sim.bench import workload
    from sim.engine import World
    from sim.errors import InputError
    from sim.rng import replication_seed

    scenario = workload(name, days)
    if scenario is None:
        raise InputError("--workload", name, "its data files are missing")
    world = World(scenario, replication_seed(scenario.seed, 0), Path(f"<workload {name}>"))
    counter = RowCounter()
    world.hooks.append(counter)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    counts = world.run().counts
    profile.disable()
    seconds = time.perf_counter() - started
    stats = pstats.Stats(profile)
    inner = sum(_cumulative(stats, *f) for f in INNER)
    passes = {}
    for each in PASSES:
        spent = sum(_cumulative(stats, *f) for f in each.functions)
        if each.functions == (("sim/engine.py", "serve_sessions"),):
            spent -= inner
        passes[each.name] = spent
    return {
        "workload": name,
        "days": days,
        "members": counts["members"],
        "sessions": counts["sessions"],
        "rows": counter.rows,
        "simulation_seconds": seconds,
        "passes": passes,
        "bandwidth": bandwidth(),
    }


def cost_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per pass (and the rest): seconds, share of the simulation, nanoseconds per
    scored row and per row of its own, the floor per row and the ratio to it."""
    rows = result["rows"]
    total = result["simulation_seconds"]
    table = []
    for each in PASSES:
        spent = result["passes"][each.name]
        own = rows.get(each.rows, 0) if each.rows else 0
        per_row = spent / own * 1e9 if own else float("nan")
        floor = each.bytes_per_row / result["bandwidth"] * 1e9 if each.rows else float("nan")
        table.append(
            {
                "pass": each.name,
                "seconds": spent,
                "share": spent / total,
                "ns_per_scored": spent / rows["scored"] * 1e9,
                "rows": each.rows or "",
                "ns_per_row": per_row,
                "bytes_per_row": each.bytes_per_row if each.rows else float("nan"),
                "floor_ns_per_row": floor,
                "times_floor": per_row / floor if each.rows else float("nan"),
            }
        )
    rest = total - sum(row["seconds"] for row in table)
    table.append(
        {
            "pass": "the rest (observers, simpy, calls between passes)",
            "seconds": rest,
            "share": rest / total,
            "ns_per_scored": rest / rows["scored"] * 1e9,
            "rows": "",
            "ns_per_row": float("nan"),
            "bytes_per_row": float("nan"),
            "floor_ns_per_row": float("nan"),
            "times_floor": float("nan"),
        }
    )
    return table


def format_cost_table(table: list[dict[str, Any]], result: dict[str, Any]) -> str:
    """The cost table as text: a header on the run and one line per pass."""
    rows = result["rows"]
    lines = [
        f"{result['workload']}, {result['days']} days: {result['simulation_seconds']:.1f} s"
        f" simulated under the profiler; {rows['merged']:,} merged rows, {rows['scored']:,}"
        f" scored, {rows['impressions']:,} impressions; memory bandwidth"
        f" {result['bandwidth'] / 1e9:.1f} GB/s (a parallel copy)",
        f"{'pass':<64} {'s':>7} {'share':>6} {'ns/scored':>10} {'rows':>11}"
        f" {'ns/row':>7} {'B/row':>6} {'floor ns':>9} {'x floor':>8}",
    ]

    def shown(value: float, form: str) -> str:
        return "" if math.isnan(value) else format(value, form)

    for row in table:
        lines.append(
            f"{row['pass']:<64} {row['seconds']:>7.2f} {row['share']:>6.1%}"
            f" {row['ns_per_scored']:>10,.0f} {row['rows']:>11}"
            f" {shown(row['ns_per_row'], ',.0f'):>7} {shown(row['bytes_per_row'], '.0f'):>6}"
            f" {shown(row['floor_ns_per_row'], '.1f'):>9} {shown(row['times_floor'], ',.0f'):>8}"
        )
    return "\n".join(lines)
