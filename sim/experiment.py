"""Variants x replications: running them (in one process, a pool or a cluster) and saving them.

Replication r of every variant uses the same seed (:func:`sim.rng.replication_seed`), so arms
are compared on common random numbers. Runs are independent; their tables are concatenated
in a fixed order (variant order of the file, then replication), so the saved tables are the
same byte for byte whatever runs them.

Where runs execute is one seam, :class:`sim.runs.Executor`: :class:`SequentialExecutor` (this
process), :class:`ProcessExecutor` (local worker processes) or
:class:`sim.cluster.DaskExecutor` (a dask.distributed cluster); :func:`open_executor`, above
both :mod:`sim.runs` and :mod:`sim.cluster`, picks one from the command-line options.

Results are written to a temporary folder beside the destination and moved into place only
when complete; an earlier folder of the same name is replaced only then.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from datetime import UTC, datetime
from itertools import islice
from multiprocessing import get_context
from pathlib import Path
from secrets import token_hex
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim import __version__
from sim.errors import InputError
from sim.kernels import share_cores
from sim.metrics import TABLES
from sim.probe import probe_record
from sim.rng import replication_seed
from sim.runs import Executor, RunOutput, RunSpec, execute
from sim.scenario import Study
from sim.table_schema import table_topics

__all__ = ["Executor", "RunOutput", "RunSpec", "execute", "open_executor", "run_study"]


def run_specs(study: Study) -> list[RunSpec]:
    """Every run of a study, in the order tables are saved."""
    return [
        RunSpec(arm.scenario, study.path, arm.name, r, replication_seed(study.base.seed, r))
        for arm in study.arms
        for r in range(study.base.replications)
    ]


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
        pool = ProcessPoolExecutor(
            max_workers=max(workers, 1),
            mp_context=get_context("spawn"),
            initializer=share_cores,
            initargs=(max(workers, 1),),
        )
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
        InputError: the scheduler address is malformed or unreachable, or dask.distributed
            is not installed (it comes with the ``cluster`` extra).
    """
    if scheduler is not None:
        try:
            from sim.cluster import DaskExecutor
        except ModuleNotFoundError:
            raise InputError(
                "--scheduler",
                "",
                "running on a cluster needs dask.distributed: pip install 'feedsim[cluster]'"
                " (make install brings it)",
            ) from None
        return DaskExecutor(scheduler)
    return ProcessExecutor(jobs) if jobs > 1 else SequentialExecutor()


def run_study(
    study: Study, jobs: int = 1, progress: bool = True, scheduler: str | None = None
) -> list[RunOutput]:
    """Run every variant x replication of `study` and return the outputs in save order.

    Progress goes to stderr: on a terminal a bar in simulated days; elsewhere (a log file,
    a pipe) a plain line ``NAME: k of n runs done`` at about every tenth of the runs, so a
    log gets at most ten lines rather than a bar redrawn hundreds of times.

    Args:
        study: the resolved study.
        jobs: local worker processes (1: in this process).
        progress: report progress on stderr.
        scheduler: run on this dask.distributed scheduler instead of local processes.
    """
    specs = run_specs(study)
    days = study.base.duration_days
    on_terminal = progress and sys.stderr.isatty()
    marks = progress_marks(len(specs)) if progress and not on_terminal else set()
    with (
        open_executor(jobs, scheduler) as executor,
        tqdm(
            total=len(specs) * days,
            unit="day",
            desc=f"{study.base.name}: {len(specs)} runs",
            disable=not on_terminal,
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
            if finished in marks:
                print(f"{study.base.name}: {finished} of {len(specs)} runs done", file=sys.stderr)

        return executor.run(specs, day_done, run_done)


def progress_marks(runs: int, lines: int = 10) -> set[int]:
    """Counts of finished runs at which a plain progress line is printed: about every
    ``1/lines`` of ``runs``, always including the last (at most ``lines`` counts)."""
    return {math.ceil(runs * i / lines) for i in range(1, lines + 1)} - {0}


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
    probe: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a results folder says about itself: the resolved scenario, seeds, provenance.

    `commit` is the feedsim commit the runs started from (taken now when not given).

    ``probe`` is the digest of one small replay (:mod:`sim.probe`; the study's own unless
    given), by which ``feedsim check-results`` tells later whether the code still gives these
    tables.

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
        "topics": list(base.topics or []) or run_topics(outputs),
        "focus_topic": study.focus_topic(),
        "warnings": study.warnings(),
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
        "probe": probe or probe_record(study, outputs),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "jobs": jobs,
        "scheduler": scheduler,
        "platform": f"{platform.platform()}; Python {platform.python_version()}",
    }


def summarise_runs(data: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """`data` (a :func:`manifest`) with its per-run records moved into a table: the records
    as a frame (a row a run: variant, replication, seed, wall time, worker, totals), and the
    manifest with ``runs_summary`` (the number of runs and the sum of each of their totals:
    wall seconds, sessions, impressions...; medians are not summed) in place of ``runs``.

    For a study of thousands of small runs (the sign map's 6,500), whose per-run records
    would be megabytes of a manifest kept in git; the seeds stay derivable from
    ``base_seed`` and ``seeds``, and the records go to ``tables/runs.parquet``.
    """
    records = pd.DataFrame(data["runs"])
    totals = [
        name
        for name in records.columns
        if name not in ("variant", "replication", "seed", "worker")
        and not name.startswith("median_")
    ]
    summary = {
        "count": len(records),
        "note": "per-run records are in tables/runs.parquet (not kept in git)",
        **{name: round(records[name].to_numpy().sum().item(), 3) for name in totals},
    }
    kept = {key: value for key, value in data.items() if key != "runs"}
    return records, {**kept, "runs_summary": summary}


def run_topics(outputs: Sequence[RunOutput]) -> list[str]:
    """The topics (fields) a network names itself, as the first run's tables list them.

    A file network takes its fields from its labels, so the scenario has no ``topics``;
    `sim.table_schema.table_topics` reads them from the tables, as for an older folder.
    """
    first = min(outputs, key=lambda o: o.spec_index, default=None)
    return [] if first is None else table_topics(first.tables)


def write_results(
    destination: Path,
    merged: dict[str, pd.DataFrame],
    manifest_data: dict[str, Any],
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write tables and manifest (then `finish`, e.g. figures) and move them into place.

    Everything is written into a staging folder next to `destination` (created like any
    folder of the user's, so the umask decides its permissions); then an existing
    `destination` is moved aside, the new folder renamed into place and the old one removed.

    The finished tables are never discarded because of `finish`: when it raises an
    ``Exception``, the folder (tables, manifest and whatever `finish` wrote) is still moved
    into place and the exception is re-raised with a note naming the folder. A failure while
    writing the tables or an interrupt leaves the earlier folder as it was.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = destination.parent / f".{destination.name}.partial-{os.getpid()}-{token_hex(4)}"
    staging.mkdir()
    failure: Exception | None = None
    try:
        _write_tables(staging, merged, manifest_data)
        if finish is not None:
            try:
                finish(staging)
            except Exception as exc:  # the tables are complete: keep them, report the failure
                failure = exc
        _replace(destination, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if failure is not None:
        failure.add_note(
            f"the tables and manifest are kept in {destination}/"
            f" (`feedsim figures {destination}` redraws the figures and the report)"
        )
        raise failure
    return destination


def _write_tables(folder: Path, merged: dict[str, pd.DataFrame], data: dict[str, Any]) -> None:
    """``tables/NAME.parquet`` of every table and ``manifest.json`` into `folder`."""
    tables = folder / "tables"
    tables.mkdir()
    for name, frame in merged.items():
        frame.to_parquet(tables / f"{name}.parquet", index=False, compression="zstd")
    (folder / "manifest.json").write_text(json.dumps(data, indent=2) + "\n")


def _replace(destination: Path, staging: Path) -> None:
    """Rename `staging` to `destination`, removing an earlier `destination` only after."""
    old = None
    if destination.exists():
        old = destination.parent / f".{destination.name}.old-{os.getpid()}"
        destination.rename(old)
    staging.rename(destination)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def load_tables(results: Path) -> dict[str, pd.DataFrame]:
    """The saved tables of a results folder."""
    return {name: pd.read_parquet(results / "tables" / f"{name}.parquet") for name in TABLES}
