"""Variants x replications: running them (in one process, a pool or a cluster) and saving them.

Replication r of every variant uses the same seed (:func:`sim.rng.replication_seed`), so arms
are compared on common random numbers. Runs are independent; their tables are concatenated
in a fixed order (variant order of the file, then replication), so the saved tables are the
same byte for byte whatever runs them.

Where runs execute is one seam, :class:`Executor`: :class:`SequentialExecutor` (this
process), :class:`ProcessExecutor` (local worker processes) or
:class:`sim.cluster.DaskExecutor` (a dask.distributed cluster); :func:`open_executor` picks
one from the command-line options.

Results are written to a temporary folder beside the destination and moved into place only
when complete; an earlier folder of the same name is replaced only then.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pandas as pd
from tqdm import tqdm

from sim import __version__
from sim.engine import World
from sim.metrics import TABLES, tables
from sim.rng import replication_seed
from sim.scenario import Scenario, Study


@dataclass(frozen=True)
class RunSpec:
    """One run: an arm of the study and a replication."""

    scenario: Scenario
    source: Path
    variant: str
    replication: int
    seed: int


@dataclass(frozen=True)
class RunOutput:
    """The tables of one run, its cost and where it ran.

    Attributes:
        spec_index: position of the run's :class:`RunSpec` in the list it was submitted in.
        tables: the run's tables (see :data:`sim.metrics.TABLES`).
        counts: run totals (sessions, impressions, posts, ties, members).
        seconds: wall time of the run.
        worker: who ran it: ``hostname:pid`` locally, the worker address on a cluster.
    """

    spec_index: int
    tables: dict[str, pd.DataFrame]
    counts: dict[str, int]
    seconds: float
    worker: str


def run_specs(study: Study) -> list[RunSpec]:
    """Every run of a study, in the order tables are saved."""
    return [
        RunSpec(arm.scenario, study.path, arm.name, r, replication_seed(study.base.seed, r))
        for arm in study.arms
        for r in range(study.base.replications)
    ]


def local_worker() -> str:
    """This process as a worker name: ``hostname:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(spec: RunSpec, index: int, on_day: Callable[[int], None] | None = None) -> RunOutput:
    """Run one replication of one variant and turn its records into tables."""
    started = time.perf_counter()
    records = World(spec.scenario, spec.seed, spec.source).run(on_day)
    result = tables(records, spec.scenario.name, spec.variant, spec.replication, spec.seed)
    return RunOutput(index, result, records.counts, time.perf_counter() - started, local_worker())


class Executor(ABC):
    """Where runs execute. Use as a context manager: leaving it releases its workers.

    Subclasses implement :meth:`iterate`; :meth:`run` collects its outputs in save order.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release workers and connections (nothing to release by default)."""
        return None  # local executors release their pools in iterate

    @abstractmethod
    def iterate(
        self, specs: Sequence[RunSpec], on_day: Callable[[int], None] | None = None
    ) -> Iterator[RunOutput]:
        """Run every spec; yield each output as its run finishes (in any order).

        Args:
            specs: the runs; an output's ``spec_index`` is its spec's position here.
            on_day: called after each simulated day, where the executor can (in-process).
        """

    def run(
        self,
        specs: Sequence[RunSpec],
        on_day: Callable[[int], None] | None = None,
        on_done: Callable[[RunOutput], None] | None = None,
    ) -> list[RunOutput]:
        """Run every spec and return the outputs in the order of `specs` (save order).

        Args:
            specs: the runs.
            on_day: as for :meth:`iterate`.
            on_done: called with each output as its run finishes.
        """
        outputs = []
        for output in self.iterate(specs, on_day):
            if on_done is not None:
                on_done(output)
            outputs.append(output)
        return sorted(outputs, key=lambda o: o.spec_index)


class SequentialExecutor(Executor):
    """Runs one after the other in this process (reports every simulated day)."""

    def iterate(
        self, specs: Sequence[RunSpec], on_day: Callable[[int], None] | None = None
    ) -> Iterator[RunOutput]:
        """Run the specs in order, here."""
        for i, spec in enumerate(specs):
            yield execute(spec, i, on_day)


class ProcessExecutor(Executor):
    """Runs on a pool of local worker processes (spawned, so nothing is shared by accident)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs

    def iterate(
        self, specs: Sequence[RunSpec], on_day: Callable[[int], None] | None = None
    ) -> Iterator[RunOutput]:
        """Run the specs on at most ``jobs`` processes (``on_day`` is not reported).

        Only as many runs as there are workers are handed to the pool at a time, so an
        interrupt (Ctrl-C reaches the workers too) or an error never waits for queued runs.
        """
        queue = iter(enumerate(specs))
        workers = min(self.jobs, len(specs))
        pool = ProcessPoolExecutor(max_workers=max(workers, 1), mp_context=get_context("spawn"))
        try:
            running = {pool.submit(execute, spec, i) for i, spec in islice(queue, workers)}
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    output = future.result()
                    running |= {pool.submit(execute, spec, i) for i, spec in islice(queue, 1)}
                    yield output
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def open_executor(jobs: int = 1, scheduler: str | None = None) -> Executor:
    """The executor for the options: a Dask cluster, a process pool, or this process.

    Args:
        jobs: local worker processes (1: run here); ignored with a scheduler.
        scheduler: address of a dask.distributed scheduler (``tcp://host:port``), or None.

    Raises:
        InputError: the scheduler address is malformed or unreachable.
    """
    if scheduler is not None:
        from sim.cluster import DaskExecutor

        return DaskExecutor(scheduler)
    return ProcessExecutor(jobs) if jobs > 1 else SequentialExecutor()


def run_study(
    study: Study, jobs: int = 1, progress: bool = True, scheduler: str | None = None
) -> list[RunOutput]:
    """Run every variant x replication of `study` and return the outputs in save order.

    Args:
        study: the resolved study.
        jobs: local worker processes (1: in this process).
        progress: show a progress bar (in simulated days).
        scheduler: run on this dask.distributed scheduler instead of local processes.
    """
    specs = run_specs(study)
    days = study.base.duration_days
    with (
        open_executor(jobs, scheduler) as executor,
        tqdm(
            total=len(specs) * days,
            unit="day",
            desc=f"{study.base.name}: {len(specs)} runs",
            disable=not progress,
            leave=False,
        ) as bar,
    ):
        finished = 0

        def day_done(_day: int) -> None:
            bar.update(1)

        def run_done(_output: RunOutput) -> None:
            nonlocal finished
            finished += 1
            bar.update(finished * days - bar.n)  # the days of runs that did not report them

        return executor.run(specs, day_done, run_done)


def merge_tables(outputs: list[RunOutput]) -> dict[str, pd.DataFrame]:
    """Concatenate the runs' tables in save order."""
    ordered = sorted(outputs, key=lambda o: o.spec_index)
    return {
        name: pd.concat([o.tables[name] for o in ordered], ignore_index=True) for name in TABLES
    }


def git_commit() -> str:
    """The commit of the feedsim checkout, with ``-dirty`` when the package or its
    pyproject.toml has uncommitted changes (results and docs don't count); or unknown."""
    folder = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                "../pyproject.toml",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def manifest(
    study: Study,
    outputs: list[RunOutput],
    started: datetime,
    jobs: int,
    scheduler: str | None = None,
    commit: str | None = None,
) -> dict[str, Any]:
    """What a results folder says about itself: the resolved scenario, seeds, provenance.

    `commit` is the feedsim commit the runs started from (taken now when not given).

    Each run lists its variant, replication, seed, wall time, the worker that ran it and its
    totals; ``jobs`` and ``scheduler`` say how the runs were executed.
    """
    base = study.base
    finished = datetime.now(UTC)
    specs = run_specs(study)
    return {
        "scenario_name": base.name,
        "description": base.description,
        "scenario": study.resolved(),
        "variants": [arm.name for arm in study.arms],
        "variant_descriptions": {arm.name: arm.description for arm in study.arms},
        "replications": base.replications,
        "base_seed": base.seed,
        "seeds": {str(r): replication_seed(base.seed, r) for r in range(base.replications)},
        "duration_days": base.duration_days,
        "topics": list(base.topics or []),
        "focus_topic": study.focus_topic(),
        "event_days": sorted({float(e.day) for arm in study.arms for e in arm.scenario.events}),
        "events": {
            arm.name: [e.model_dump(mode="json") for e in arm.scenario.events] for arm in study.arms
        },
        "runs": [
            {
                "variant": specs[o.spec_index].variant,
                "replication": specs[o.spec_index].replication,
                "seed": specs[o.spec_index].seed,
                "wall_seconds": round(o.seconds, 3),
                "worker": o.worker,
                **o.counts,
            }
            for o in sorted(outputs, key=lambda o: o.spec_index)
        ],
        "version": __version__,
        "git_commit": commit or git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "jobs": jobs,
        "scheduler": scheduler,
        "platform": f"{platform.platform()}; Python {platform.python_version()}",
    }


def write_results(
    destination: Path,
    merged: dict[str, pd.DataFrame],
    manifest_data: dict[str, Any],
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write tables and manifest (then `finish`, e.g. figures) and move them into place.

    Everything is written into a temporary folder next to `destination`; only when all of it
    succeeded is an existing `destination` moved aside, the new folder renamed into place
    and the old one removed. A failure or interrupt leaves the earlier folder as it was.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    try:
        folder = staging / "tables"
        folder.mkdir()
        for name, frame in merged.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
        (staging / "manifest.json").write_text(json.dumps(manifest_data, indent=2) + "\n")
        if finish is not None:
            finish(staging)
        old = None
        if destination.exists():
            old = destination.parent / f".{destination.name}.old-{os.getpid()}"
            destination.rename(old)
        staging.rename(destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def load_tables(results: Path) -> dict[str, pd.DataFrame]:
    """The saved tables of a results folder."""
    return {name: pd.read_parquet(results / "tables" / f"{name}.parquet") for name in TABLES}
