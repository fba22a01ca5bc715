"""How the cost of a run grows with its size (``feedsim bench growth``): measurements, not
tests.

Three series of the synthetic workload of :mod:`sim.bench` (``linkedin`` preset, one focal
member linking with everyone, defaults otherwise), each varying one factor from a common
base point and keeping the others:

* members: 10,000, 30,000, 100,000 and 300,000 members, 15 days;
* days: 30,000 members for 8, 15, 30 and 60 days;
* density: 30,000 members for 15 days at a requested mean degree of 25, 50, 100 and 200.

Each point runs in a fresh process (:func:`sim.bench.run_growth`); this module holds the
series, the points and their exponents, so that drawing them needs no simulator. Its cost is the
simulation phase's seconds; setup (network, members, follows) is reported beside it. The
growth exponent of a series is the slope b of the least-squares line
``log(seconds) = a + b log(x)`` over its points: b <= 1 means the cost grows no faster than
linearly in that factor (x: members, simulated days, realised mean degree ``2 ties /
members``). A session's work is not the same at every point (a larger network gives each
session more candidates), so the cost per candidate scored (simulation seconds over the
candidates of all sessions) is given beside it, with its own exponent.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SERIES: dict[str, tuple[tuple[str, int], ...]] = {
    "members": tuple((f"synthetic-{size}", 15) for size in ("10k", "30k", "100k", "300k")),
    "days": tuple(("synthetic-30k", days) for days in (8, 15, 30, 60)),
    "density": tuple((f"synthetic-30k-d{degree}", 15) for degree in (25, 50, 100, 200)),
}
"""Each series' points: (workload, simulated days)."""

AXIS = {"members": "members", "days": "simulated days", "density": "mean degree (connections)"}
"""The x axis label of each series."""


@dataclass(frozen=True)
class Point:
    """One measured point of a series: its x value and :func:`sim.bench.measure`'s result."""

    series: str
    x: float
    result: dict[str, Any]


def factor(series: str, result: dict[str, Any]) -> float:
    """The value of the series' factor at a measured point."""
    if series == "members":
        return float(result["members"])
    if series == "days":
        return float(result["days"])
    return 2.0 * float(result["ties"]) / float(result["members"])


def per_candidate(point: Point) -> float:
    """Simulation microseconds per candidate scored at a point."""
    return 1e6 * float(point.result["simulation_seconds"]) / float(point.result["candidates"])


def exponent(points: list[Point], cost: Callable[[Point], float] | None = None) -> float:
    """The growth exponent b of ``log(cost) = a + b log(x)`` (least squares) over `points`;
    the cost is the simulation seconds unless given."""
    x = np.log([p.x for p in points])
    y = np.log([p.result["simulation_seconds"] if cost is None else cost(p) for p in points])
    slope, _ = np.polyfit(x, y, 1)
    return float(slope)


def format_point(point: Point) -> str:
    """One line of the growth table."""
    r = point.result
    return (
        f"{point.series:<9}{r['workload']:<22}{r['days']:>5}{r['members']:>10,}"
        f"{point.x:>10,.1f}{r['sessions']:>12,}{r['median_candidates']:>7,}"
        f"{per_candidate(point):>8.3f}"
        f"{r['setup_seconds']:>9.1f}{r['simulation_seconds']:>9.1f}"
        f"{r['sessions_per_second']:>12,.0f}{r['peak_memory_mib']:>9,.0f}"
    )


HEADER = (
    f"{'series':<9}{'workload':<22}{'days':>5}{'members':>10}{'x':>10}{'sessions':>12}"
    f"{'cand.':>7}{'us/cand':>8}{'setup s':>9}{'sim. s':>9}{'sessions/s':>12}{'MiB':>9}"
)
"""The growth table's header (x: the series' factor; cand.: median candidates per session;
us/cand: simulation microseconds per candidate scored)."""


def format_exponents(points: list[Point]) -> str:
    """Each series' growth exponent of the simulation time."""
    lines = []
    for series in dict.fromkeys(p.series for p in points):
        own = [p for p in points if p.series == series]
        lines.append(
            f"{series}: simulation time grows as {AXIS[series]}^{exponent(own):.2f},"
            f" the time per candidate scored as ^{exponent(own, per_candidate):.2f}"
            f" ({len(own)} points)"
        )
    return "\n".join(lines)


def write_table(points: list[Point], path: Path) -> None:
    """Write every point's measurements as CSV: series, x, then :func:`sim.bench.measure`'s
    fields."""
    fields = ["series", "x", *points[0].result] if points else ["series", "x"]
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fields)
        writer.writeheader()
        for point in points:
            writer.writerow({"series": point.series, "x": point.x, **point.result})
