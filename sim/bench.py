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

``--slice-check`` measures what the time slice does to results: it runs one workload at its
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
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import sim
from sim.errors import InputError
from sim.rng import replication_seed
from sim.scenario import Arm, Scenario, Study

if TYPE_CHECKING:
    from sim.runs import RunOutput

WORKLOADS = ("synthetic-10k", "synthetic-100k", "synthetic-1m", "dblp", "trend-100k")
MEAN_DEGREE = 100.0
DAYS = 30
TOPICS = ("finance", "it", "hr", "sales", "marketing")
SYNTHETIC = re.compile(r"^(synthetic|trend)-(\d+)([km]?)$")
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
            (``k``/``m`` suffixes).
        days: simulated days.
        slice_hours: the time slice; the schema's default when None.
        replications: replications (for ``--slice-check``).

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
        body["network"] = {"members": int(synthetic.group(2)) * scale, "mean_degree": MEAN_DEGREE}
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
        "median_candidates": counts["median_candidates_per_session"],
        "median_items_read": counts["median_items_read_per_session"],
        "setup_seconds": built - started,
        "simulation_seconds": simulation,
        "sessions_per_second": counts["sessions"] / simulation,
        "impressions_per_second": counts["impressions"] / simulation,
        # ru_maxrss is in KiB on Linux
        "peak_memory_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure_in_subprocess(name: str, days: int = DAYS) -> dict[str, Any]:
    """:func:`measure` in a fresh Python process (so peak memory is this workload's own).

    Raises:
        RuntimeError: the process failed (its last line of output says why).
    """
    done = subprocess.run(
        [sys.executable, "-m", "sim.bench", "--one", name, "--days", str(days)],
        capture_output=True,
        text=True,
        check=False,
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
    ("peak memory (MiB)", "peak_memory_mib", "{:,.0f}"),
)
"""The rows of a workload's table: label, key of :func:`measure`'s result, format."""


def format_result(result: dict[str, Any]) -> str:
    """One workload's measurements as a two-column table."""
    cells = [(label, form.format(result[key])) for label, key, form in ROWS]
    width = max(len(value) for _, value in cells)
    lines = [result["workload"]] + [f"  {label:<24}{value:>{width}}" for label, value in cells]
    return "\n".join(lines)


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
@click.option("--one", "name", required=True, help="The workload to measure.")
@click.option("--days", type=click.IntRange(min=1), default=DAYS, show_default=True)
def one(name: str, days: int) -> None:
    """Measure one workload in this process and print the result as one JSON line."""
    try:
        click.echo(json.dumps(measure(name, days)))
    except InputError as exc:
        click.echo(exc.message, err=True)
        sys.exit(2)


if __name__ == "__main__":
    one()
