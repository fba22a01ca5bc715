"""Standard performance workloads (``feedsim bench``, ``make bench``): measurements, not tests.

Workloads:

* ``synthetic-10k``, ``synthetic-100k``, ``synthetic-1m``: a synthetic network of that many
  members (mean degree :data:`MEAN_DEGREE`, five fields), the ``linkedin`` ranker, one focal
  member, 30 days, one replication; every other field takes its default.
* ``trend-100k`` (or ``trend-<members>``): the synthetic network of that size with the
  "link with everyone" trend of ``scenarios/trend-spreads.yaml`` (:data:`TREND`: 1% of the
  members start it, complex contagion from the feed) instead of a focal member; run it with
  ``--days 90`` for the trend study's horizon.
* ``dblp``: the DBLP co-authorship network (``com-dblp.edges.tsv.gz``; each author's field is
  their largest venue community in ``com-dblp.communities.json.gz``, ``none`` for authors in
  none, and the focal member is in ``none``). It is looked for in ``$FEEDSIM_DATA``, else in
  ``shared/data`` beside the feedsim checkout, and skipped when absent.

Each workload is measured in a fresh process (``python -m sim.bench --one NAME``, printing one
JSON line) so that peak memory (``ru_maxrss``) belongs to that workload alone. Setup is
building the world (network, members, beliefs); simulation is running it.

``bench compare`` measures feedsim against :mod:`sim.toyfeed`, a hand-vectorised toy feed: both
run on one Barabasi-Albert graph (:func:`compare_graph`; ``--members``, default
:data:`sim.toyfeed.MEMBERS`, and ``--days``), feedsim from the graph's edge list and topic
labels under the ``linkedin`` preset with every other field at its default. Each side runs on
each core count of ``--cores`` (default 1 and 2), one after the other, in a fresh process that
builds the graph there: the toy serves each day's sessions with that many threads
(:func:`sim.toyfeed.run_toy`), feedsim's process gets ``NUMBA_NUM_THREADS`` set to it. Only the
simulated days are timed. The table gives each side's sessions and impressions per second on
each core count, and feedsim's as a ratio of the toy's on the same cores and, on its most
cores, of the toy's on one; candidates and items shown per session are means (totals over
sessions).

``bench slice-check`` measures what the time slice does to results: it runs one workload at its
default ``slice_hours`` and at a much shorter one, over several replications, and compares the
mean primary reach of posts, engagements per impression and impressions per session (mean and
standard error over replications, and the paired difference).
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import numpy as np
from numpy.typing import NDArray

import sim
from sim import growth, toyfeed
from sim.errors import InputError
from sim.rng import replication_seed
from sim.scenario import Arm, Scenario, Study

if TYPE_CHECKING:
    from sim.runs import RunOutput

WORKLOADS = ("synthetic-10k", "synthetic-100k", "synthetic-1m", "dblp", "trend-100k")
MEAN_DEGREE = 100.0
DAYS = 30
TOPICS = ("finance", "it", "hr", "sales", "marketing")
SYNTHETIC = re.compile(r"^(synthetic|trend)-(\d+)([km]?)(?:-d(\d+))?$")
DBLP_EDGES = "com-dblp.edges.tsv.gz"
DBLP_LABELS = "com-dblp.communities.json.gz"


def data_folder() -> Path:
    """Where the real networks are: ``$FEEDSIM_DATA``, else ``shared/data`` by the checkout."""
    configured = os.environ.get("FEEDSIM_DATA")
    if configured:
        return Path(configured)
    return Path(sim.__file__).resolve().parents[2] / "shared" / "data"


LINK_WITH_EVERYONE = {"accept": "everyone", "invitations_per_day": 25, "trend_days": 30}
"""The focal member of every workload but the trend's links with everyone during a 30-day
trend."""
TREND = {
    "groups": [{"strategy": "everyone", "share": 0.01}],
    "contagion": {"kind": "complex", "threshold": 3, "adoption_rate": 0.1},
}
"""The trend of the ``trend-*`` workloads (the ``complex`` arm of scenarios/trend-spreads.yaml;
the rest takes the schema's defaults)."""


def workload(
    name: str, days: int = DAYS, slice_hours: float | None = None, replications: int = 1
) -> Scenario | None:
    """The scenario of a workload, or None when its data files are absent.

    Args:
        name: one of :data:`WORKLOADS`, or ``synthetic-<members>`` or ``trend-<members>``
            (``k``/``m`` suffixes), optionally with ``-d<mean degree>`` (default
            :data:`MEAN_DEGREE`): ``synthetic-30k-d200``.
        days: simulated days.
        slice_hours: the time slice; the schema's default when None.
        replications: replications (for ``bench slice-check``).

    Raises:
        InputError: an unknown workload name.
    """
    body: dict[str, Any] = {
        "name": f"bench-{name}",
        "duration_days": days,
        "replications": replications,
        "platform": {"ranker": "linkedin"},
    }
    if slice_hours is not None:
        body["slice_hours"] = slice_hours
    synthetic = SYNTHETIC.match(name)
    if synthetic:
        scale = {"": 1, "k": 1_000, "m": 1_000_000}[synthetic.group(3)]
        body["topics"] = list(TOPICS)
        degree = float(synthetic.group(4)) if synthetic.group(4) else MEAN_DEGREE
        body["network"] = {"members": int(synthetic.group(2)) * scale, "mean_degree": degree}
        if synthetic.group(1) == "trend":
            body["trend"] = TREND
        else:
            body["focal"] = [{"name": "focal", "field": TOPICS[0], "strategy": LINK_WITH_EVERYONE}]
    elif name == "dblp":
        folder = data_folder()
        edges, labels = folder / DBLP_EDGES, folder / DBLP_LABELS
        if not (edges.is_file() and labels.is_file()):
            return None
        body["network"] = {
            "source": "file",
            "edges": str(edges),
            "labels": str(labels),
            "missing_label": "none",
        }
        body["focal"] = [{"name": "focal", "field": "none", "strategy": LINK_WITH_EVERYONE}]
    else:
        known = ", ".join(WORKLOADS)
        raise InputError("--workload", name, f"unknown workload (known: {known})")
    return Scenario.model_validate(body)


def measure(name: str, days: int = DAYS) -> dict[str, Any]:
    """Build and run one workload in this process and return its measurements.

    Raises:
        InputError: an unknown workload, or its data files are missing.
    """
    from sim.engine import World  # here, so that `feedsim --help` needs no simulator

    scenario = workload(name, days)
    if scenario is None:
        raise InputError(data_folder(), "", f"the data of workload {name} is missing")
    started = time.perf_counter()
    world = World(scenario, replication_seed(scenario.seed, 0), Path(f"<workload {name}>"))
    built = time.perf_counter()
    counts = world.run().counts
    finished = time.perf_counter()
    simulation = finished - built
    return {
        "workload": name,
        "members": counts["members"],
        "ties": counts["ties"],
        "days": days,
        "sessions": counts["sessions"],
        "impressions": counts["impressions"],
        "candidates": counts["candidates"],
        "median_candidates": counts["median_candidates_per_session"],
        "median_items_read": counts["median_items_read_per_session"],
        "setup_seconds": built - started,
        "simulation_seconds": simulation,
        "sessions_per_second": counts["sessions"] / simulation,
        "impressions_per_second": counts["impressions"] / simulation,
        "candidates_per_second": counts["candidates"] / simulation,
        # ru_maxrss is in KiB on Linux
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_in_subprocess(
    name: str, days: int = DAYS, members: int | None = None, cores: int = 1
) -> dict[str, Any]:
    """:func:`measure` in a fresh Python process (so peak memory is this workload's own), or
    :func:`measure_compare` on `cores` cores when `name` is one of :data:`COMPARE_SIDES`
    (feedsim's process gets ``NUMBA_NUM_THREADS=<cores>``: numba sizes its thread pool when it
    is imported).

    Raises:
        RuntimeError: the process failed (its last line of output says why).
    """
    options = ["--cores", str(cores)] + ([] if members is None else ["--members", str(members)])
    environment = dict(os.environ)
    if name == "feedsim":
        environment["NUMBA_NUM_THREADS"] = str(cores)
    done = subprocess.run(
        [sys.executable, "-m", "sim.bench", "--one", name, "--days", str(days), *options],
        capture_output=True,
        text=True,
        check=False,
        env=environment,
    )
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
        raise RuntimeError(f"exit code {done.returncode}: {lines[-1]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


ROWS = (
    ("members", "members", "{:,.0f}"),
    ("ties", "ties", "{:,.0f}"),
    ("simulated days", "days", "{:,.0f}"),
    ("sessions", "sessions", "{:,.0f}"),
    ("impressions", "impressions", "{:,.0f}"),
    ("median candidates", "median_candidates", "{:,.0f}"),
    ("median items read", "median_items_read", "{:,.0f}"),
    ("setup seconds", "setup_seconds", "{:,.2f}"),
    ("simulation seconds", "simulation_seconds", "{:,.2f}"),
    ("sessions per second", "sessions_per_second", "{:,.0f}"),
    ("impressions per second", "impressions_per_second", "{:,.0f}"),
    ("candidates per second", "candidates_per_second", "{:,.0f}"),
    ("peak memory (MiB)", "peak_memory_mib", "{:,.0f}"),
)
"""The rows of a workload's table: label, key of :func:`measure`'s result, format."""


def format_result(result: dict[str, Any]) -> str:
    """One workload's measurements as a two-column table."""
    cells = [(label, form.format(result[key])) for label, key, form in ROWS]
    width = max(len(value) for _, value in cells)
    lines = [result["workload"]] + [f"  {label:<24}{value:>{width}}" for label, value in cells]
    return "\n".join(lines)


# --------------------------------------------------------------------------- compare

COMPARE_SIDES = ("toy", "feedsim")
COMPARE_SEED = 2018
"""Seed of the compare graph (networkx's generator) and of the members' topics and the toy's
draws (numpy streams ``(COMPARE_SEED, 0)`` and ``(COMPARE_SEED, 1)``); feedsim's run takes
the scenario's default seed."""


@dataclass(frozen=True)
class CompareGraph:
    """The graph both sides of ``bench compare`` run on.

    Attributes:
        u, v: the ends of each tie (each tie once).
        topic: each member's topic, ``0..toyfeed.TOPICS-1``.
    """

    u: NDArray[np.int64]
    v: NDArray[np.int64]
    topic: NDArray[np.int64]

    def csr(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The ties from both ends in CSR form: ``indptr`` and the neighbours by member."""
        source = np.concatenate([self.u, self.v])
        target = np.concatenate([self.v, self.u])
        order = np.lexsort((target, source))
        per_member = np.bincount(source, minlength=self.topic.size)
        return np.concatenate([[0], np.cumsum(per_member)]), target[order]


def compare_graph(members: int) -> CompareGraph:
    """The Barabasi-Albert graph of `members` members (``m`` =
    :data:`sim.toyfeed.LINKS_PER_MEMBER`) with uniform random topics; the same for a given
    size in every process.

    Raises:
        InputError: `members` is not above ``m``.
    """
    import networkx as nx  # here, so that `feedsim --help` needs no networkx

    links = toyfeed.LINKS_PER_MEMBER
    if members <= links:
        raise InputError("--members", "", f"bench compare needs more than {links} (got {members})")
    graph = nx.barabasi_albert_graph(members, links, seed=COMPARE_SEED)
    edges = np.array(graph.edges(), dtype=np.int64)
    topic = np.random.default_rng((COMPARE_SEED, 0)).integers(toyfeed.TOPICS, size=members)
    return CompareGraph(edges[:, 0], edges[:, 1], topic)


def _feedsim_counts(graph: CompareGraph, days: int) -> tuple[dict[str, int], float]:
    """Run feedsim on `graph` (edge list and topic labels written to a temporary folder) and
    return its counts and the seconds of its simulated days."""
    from sim.engine import World  # here, so that `feedsim --help` needs no simulator

    with tempfile.TemporaryDirectory(prefix="feedsim-compare-") as folder:
        edges, labels = Path(folder) / "edges.txt", Path(folder) / "labels.txt"
        np.savetxt(edges, np.column_stack([graph.u, graph.v]), fmt="%d")
        names = np.array(TOPICS[: toyfeed.TOPICS])[graph.topic]
        labels.write_text("".join(f"{i} {name}\n" for i, name in enumerate(names)))
        scenario = Scenario.model_validate(
            {
                "name": "bench-compare",
                "duration_days": days,
                "replications": 1,
                "platform": {"ranker": "linkedin"},
                "network": {"source": "file", "edges": str(edges), "labels": str(labels)},
            }
        )
        world = World(scenario, replication_seed(scenario.seed, 0), Path("<compare feedsim>"))
    started = time.perf_counter()
    counts = world.run().counts
    return counts, time.perf_counter() - started


def measure_compare(side: str, members: int, days: int, cores: int = 1) -> dict[str, Any]:
    """Run one side of ``bench compare`` (``toy`` or ``feedsim``) on :func:`compare_graph` in this
    process on `cores` cores and return its measurements (candidates and items shown per session
    are means; feedsim's ties are those its network holds, so equal ties show both ran on one
    graph). The toy serves each day's sessions with `cores` threads
    (:func:`sim.toyfeed.run_toy`); feedsim's kernels run on `cores` numba threads, which needs
    ``NUMBA_NUM_THREADS`` of at least `cores` when numba is imported
    (:func:`measure_in_subprocess` sets it to `cores`).

    Raises:
        InputError: too few members, or more cores than numba's thread pool has.
    """
    graph = compare_graph(members)
    if side == "toy":
        indptr, neighbours = graph.csr()
        rng = np.random.default_rng((COMPARE_SEED, 1))
        toy = toyfeed.run_toy(indptr, neighbours, graph.topic, days, rng, workers=cores)
        counts = {key: int(toy[key]) for key in ("sessions", "candidates", "impressions")}
        counts["ties"] = graph.u.size
        seconds = toy["seconds"]
    else:
        import numba

        pool: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
        if cores > pool:
            raise InputError(
                "--cores",
                "",
                f"{cores} cores need NUMBA_NUM_THREADS of at least {cores} (got {pool})",
            )
        numba.set_num_threads(cores)
        counts, seconds = _feedsim_counts(graph, days)
    return {
        "workload": side,
        "cores": cores,
        "members": members,
        "ties": counts["ties"],
        "days": days,
        "sessions": counts["sessions"],
        "candidates_per_session": counts["candidates"] / counts["sessions"],
        "items_shown_per_session": counts["impressions"] / counts["sessions"],
        "simulation_seconds": seconds,
        "sessions_per_second": counts["sessions"] / seconds,
        "impressions_per_second": counts["impressions"] / seconds,
        "candidates_per_second": counts["candidates"] / seconds,
    }


COMPARE_COLUMNS = (
    ("members", "members", "{:,.0f}"),
    ("ties", "ties", "{:,.0f}"),
    ("days", "days", "{:,.0f}"),
    ("sessions", "sessions", "{:,.0f}"),
    ("candidates/session", "candidates_per_session", "{:,.1f}"),
    ("shown/session", "items_shown_per_session", "{:,.1f}"),
    ("simulation s", "simulation_seconds", "{:,.2f}"),
    ("sessions/s", "sessions_per_second", "{:,.0f}"),
    ("impressions/s", "impressions_per_second", "{:,.0f}"),
    ("candidates/s", "candidates_per_second", "{:,.0f}"),
)
"""The columns of the ``bench compare`` table: header, key of :func:`measure_compare`'s result,
format."""
RATIOS = ("sessions_per_second", "impressions_per_second", "candidates_per_second")
"""The columns the ratio rows fill: feedsim's value over the toy's. Candidates scored a second
compare the work done where the two sides' sessions differ in size."""


def compare_label(result: dict[str, Any]) -> str:
    """A ``bench compare`` row's label: the side and its cores, ``toy-1``, ``feedsim-2``."""
    return f"{result['workload']}-{result['cores']}"


def format_compare(results: list[dict[str, Any]]) -> str:
    """The sides of ``bench compare`` (:func:`measure_compare`'s results, both sides on the same
    core counts) as one table: a row per side and core count, then ratio rows, feedsim over
    the toy: on each core count, and feedsim on its most cores over the toy on one core (when
    it has more than one)."""
    by_label = {compare_label(result): result for result in results}
    counts = sorted({result["cores"] for result in results})
    pairs = [(f"feedsim-{c}", f"toy-{c}") for c in counts]
    if counts[-1] > 1 and counts[0] == 1:
        pairs.append((f"feedsim-{counts[-1]}", "toy-1"))
    rows = [
        [label, *(form.format(result[key]) for _, key, form in COMPARE_COLUMNS)]
        for label, result in by_label.items()
    ]
    for feedsim, toy in pairs:
        rows.append(
            [
                f"{feedsim}/{toy}",
                *(
                    f"{by_label[feedsim][key] / by_label[toy][key]:.2f}x" if key in RATIOS else ""
                    for _, key, _ in COMPARE_COLUMNS
                ),
            ]
        )
    header = ["", *(label for label, _, _ in COMPARE_COLUMNS)]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    ]
    return "\n".join(
        [
            f"feedsim against the toy feed (sim/toyfeed.py) on one Barabasi-Albert graph"
            f" (m = {toyfeed.LINKS_PER_MEMBER}); candidates and shown are means per session",
            "rows side-cores: the toy serving each day's sessions with that many threads,"
            " feedsim on that many numba threads (NUMBA_NUM_THREADS)",
            *lines,
        ]
    )


# --------------------------------------------------------------------------- slice check


STATISTICS = (
    ("mean primary reach of posts", "primary_reach"),
    ("engagements per impression", "engagement_rate"),
    ("impressions per session", "impressions_per_session"),
)


def run_statistics(output: RunOutput) -> dict[str, float]:
    """The slice check's statistics of one run."""
    counts = output.counts
    return {
        "primary_reach": float(output.tables["posts"]["primary_viewers"].mean()),
        "engagement_rate": counts["engagements"] / max(counts["impressions"], 1),
        "impressions_per_session": counts["impressions"] / max(counts["sessions"], 1),
    }


@dataclass(frozen=True)
class Estimate:
    """A mean over replications and its standard error."""

    mean: float
    se: float

    @classmethod
    def of(cls, values: list[float]) -> Estimate:
        """Mean and standard error (sample standard deviation / sqrt(n)) of `values`."""
        return cls(statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values)))

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.se:.2g}"


def slice_check(
    name: str, days: int, short_hours: float, replications: int, jobs: int
) -> tuple[float, list[tuple[str, Estimate, Estimate, Estimate]]]:
    """Run a workload at its default slice and at `short_hours`; compare key statistics.

    Replication r uses the same seed at both slice lengths, so the difference is paired.

    Returns:
        The default slice length, and per statistic: its label, the estimate at the default
        slice, at the short one, and of the difference (short minus default).

    Raises:
        InputError: an unknown workload or missing data.
    """
    from sim.experiment import run_study

    per_slice: list[list[dict[str, float]]] = []
    default_hours = 0.0
    for hours in (None, short_hours):
        scenario = workload(name, days, hours, replications)
        if scenario is None:
            raise InputError(data_folder(), "", f"the data of workload {name} is missing")
        default_hours = default_hours or scenario.slice_hours
        study = Study(Path(f"<workload {name}>"), scenario, (Arm("base", "", scenario),))
        outputs = run_study(study, jobs=jobs, progress=False)
        per_slice.append([run_statistics(o) for o in outputs])
    rows = []
    for label, key in STATISTICS:
        default = [s[key] for s in per_slice[0]]
        short = [s[key] for s in per_slice[1]]
        difference = [b - a for a, b in zip(default, short, strict=True)]
        rows.append((label, Estimate.of(default), Estimate.of(short), Estimate.of(difference)))
    return default_hours, rows


def format_slice_check(
    name: str,
    default_hours: float,
    short_hours: float,
    replications: int,
    rows: list[tuple[str, Estimate, Estimate, Estimate]],
) -> str:
    """The slice check as a table (mean ± standard error over replications)."""
    header = (
        f"{'statistic':<30}{f'slice {default_hours:g} h':>22}{f'slice {short_hours:g} h':>22}"
        f"{'difference':>24}"
    )
    lines = [
        f"{name}: time slice check, {replications} replications (mean ± standard error;"
        " difference = short - default, paired by seed)",
        header,
    ]
    lines += [f"{label:<30}{a!s:>22}{b!s:>22}{d!s:>24}" for label, a, b, d in rows]
    return "\n".join(lines)


@click.command()
@click.option(
    "--one", "name", required=True, help="The workload, or side of bench compare, to measure."
)
@click.option("--days", type=click.IntRange(min=1), default=DAYS, show_default=True)
@click.option(
    "--members",
    type=click.IntRange(min=2),
    default=toyfeed.MEMBERS,
    show_default=True,
    help="Members of the compare graph (sides toy and feedsim).",
)
@click.option(
    "--cores",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Cores of a side of bench compare (toy threads, feedsim numba threads).",
)
def one(name: str, days: int, members: int, cores: int) -> None:
    """Measure one workload in this process and print the result as one JSON line."""
    try:
        if name in COMPARE_SIDES:
            result = measure_compare(name, members, days, cores)
        else:
            result = measure(name, days)
        click.echo(json.dumps(result))
    except InputError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)


if __name__ == "__main__":
    one()


def run_growth(on_point: Callable[[growth.Point], None] | None = None) -> list[growth.Point]:
    """Measure every point of :data:`sim.growth.SERIES`, one fresh process each, in order.

    Raises:
        RuntimeError: a point's process failed.
    """
    points = []
    for series, runs in growth.SERIES.items():
        for name, days in runs:
            result = measure_in_subprocess(name, days)
            point = growth.Point(series, growth.factor(series, result), result)
            points.append(point)
            if on_point is not None:
                on_point(point)
    return points
