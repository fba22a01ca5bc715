"""Running a sweep: every run not yet in the work folder, then the tables in grid order.

When every run is done the tables are read back from the work folder in grid order (so an
interrupted and resumed sweep gives the same bytes as an uninterrupted one), get a
``point`` column and one column per swept path (dots become ``__``), and are written to
``<out>/<name>-sweep/`` with :func:`sim.experiment.write_results`; then the work folder is
deleted.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.errors import InputError
from sim.experiment import git_commit, manifest, open_executor, write_results
from sim.metrics import TABLES
from sim.probe import probe_arm, probe_record
from sim.runs import RunOutput, RunSpec
from sim.sweep.paths import Axis
from sim.sweep.plan import Point, Sweep
from sim.sweep.workfolder import WorkFolder

IDENTIFIERS = ("scenario", "variant", "replication", "seed")
"""The leading columns of every table; the sweep's columns follow them."""


def _column(axis: Axis, value_index: int, rows: int) -> pd.Series[Any] | np.ndarray[Any, Any]:
    """The column of one parameter for `rows` rows of one point, typed for the whole axis."""
    values = axis.values
    if all(isinstance(v, bool) for v in values):
        return np.full(rows, values[value_index], np.bool_)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.full(rows, values[value_index], np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.full(rows, float(values[value_index]), np.float64)
    text = None if values[value_index] is None else axis.texts[value_index]
    return pd.Series([text] * rows, dtype="string")


def with_point_columns(frame: pd.DataFrame, sweep: Sweep, point: Point) -> pd.DataFrame:
    """`frame` with ``point`` and one column per swept path after the identifier columns."""
    frame = frame.copy()
    at = len(IDENTIFIERS)
    frame.insert(at, "point", np.full(len(frame), point.index, np.int64))
    for offset, (axis, index) in enumerate(zip(sweep.axes, point.choice, strict=True), start=1):
        frame.insert(at + offset, axis.column, _column(axis, index, len(frame)))
    return frame


def _report(sweep: Sweep, scenario: Path) -> str:
    runs_per_point = len(sweep.base.arms) * sweep.base.base.replications
    header = "| point | " + " | ".join(f"`{a.path}`" for a in sweep.axes) + " |"
    rule = "|---:|" + "---|" * len(sweep.axes)
    rows = [f"| {p.index} | " + " | ".join(sweep.texts(p)) + " |" for p in sweep.points]
    columns = ", ".join(f"`{a.column}`" for a in sweep.axes)
    return "\n".join(
        [
            f"# {sweep.name}",
            "",
            f"A sweep of `{scenario}`: {len(sweep.points)} points x {len(sweep.base.arms)}"
            f" variants x {sweep.base.base.replications} replications"
            f" ({len(sweep.points) * runs_per_point} runs). Replication r has the same seed at"
            " every point and in every variant (common random numbers; seeds in"
            " manifest.json).",
            "",
            header,
            rule,
            *rows,
            "",
            f"Every table in `tables/` has a `point` column and {columns}.",
            "",
        ]
    )


# --------------------------------------------------------------------------- running


def run_sweep(
    sweep: Sweep,
    scenario: Path,
    out: Path,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    fresh: bool = False,
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Run (or resume) every run of `sweep` and write ``<out>/<name>-sweep/``.

    Args:
        sweep: the validated sweep (:func:`plan_sweep`).
        scenario: the scenario file (for the report).
        out: the folder the results folder and the work folder are in.
        jobs: local worker processes (1: in this process).
        scheduler: a dask.distributed scheduler address to run on instead.
        progress: show a progress bar (runs, points done and left, time left).
        fresh: discard the work of a different unfinished sweep of the same name.
        finish: called with the folder once the tables and the list of points are
            written, e.g. to draw the figures and the full report (the cli passes it in).

    Returns:
        The results folder.

    Raises:
        InputError: an unreachable scheduler, a work folder of another sweep, or a run's
            bad input (e.g. a data file).
    """
    work = WorkFolder(out / f".{sweep.name}.work")
    runs = sweep.runs()
    commit = git_commit()  # the code that runs, not the checkout's when the sweep ends
    with open_executor(jobs, scheduler) as executor, work.locked():
        options = {"replications": sweep.base.base.replications, "scenario": str(scenario)}
        started = work.prepare(sweep, fresh, options)
        finished = work.finished()
        pending = [(key, spec) for key, _, spec in runs if key not in finished]
        left = {p.index: 0 for p in sweep.points}
        for key, point, _ in runs:
            left[point.index] += key not in finished
        key_point = {key: point.index for key, point, _ in runs}
        first = sweep.points[0]
        probe_at = probe_arm(first.study) * first.study.base.replications  # in point 0's runs
        kept: list[RunOutput] = []  # the probe's run, when the sweep makes it here
        with tqdm(
            total=len(runs),
            initial=len(runs) - len(pending),
            unit="run",
            desc=sweep.name,
            disable=not progress,
            leave=False,
        ) as bar:

            def show() -> None:
                done = sum(1 for n in left.values() if n == 0)
                bar.set_postfix_str(f"points {done} done, {len(left) - done} left", refresh=False)

            show()
            try:
                for output in executor.iterate([spec for _, spec in pending]):
                    key, spec = pending[output.spec_index]
                    work.save(key, spec, output)
                    if key == runs[probe_at][0]:
                        kept.append(dataclasses.replace(output, spec_index=probe_at))
                    left[key_point[key]] -= 1
                    show()
                    bar.update(1)
            except InputError:
                if not any(work.runs.iterdir()):  # bad input, nothing worth keeping
                    shutil.rmtree(work.path)
                raise
        merged, entries = _merge_runs(sweep, work, runs)
        probe = probe_record(first.study, kept, _settings(sweep, first))
        data = manifest(sweep.base, [], started, jobs, scheduler, commit, probe)
        data.update(_sweep_manifest(sweep, entries, resumed=len(runs) - len(pending)))
        report = _report(sweep, scenario)

        def write_report(folder: Path) -> None:
            (folder / "report.md").write_text(report)
            if finish is not None:
                finish(folder)

        destination = write_results(out / sweep.name, merged, data, write_report)
        shutil.rmtree(work.path)
    return destination


def _settings(sweep: Sweep, point: Point) -> list[str]:
    """The ``--set`` options that give `point`, one value per swept path."""
    return [f"{a.path}={t}" for a, t in zip(sweep.axes, sweep.texts(point), strict=True)]


def _sweep_manifest(sweep: Sweep, entries: list[dict[str, Any]], resumed: int) -> dict[str, Any]:
    """What a sweep adds to the manifest: its name, parameters, points and runs."""
    return {
        "sweep_name": sweep.name,
        "parameters": [
            {"path": a.path, "column": a.column, "values": list(a.values)} for a in sweep.axes
        ],
        "points": [{"point": p.index, "parameters": sweep.parameters(p)} for p in sweep.points],
        "runs": entries,
        "resumed_runs": resumed,
        "compute_seconds": round(sum(e["wall_seconds"] for e in entries), 3),
    }


def _merge_runs(
    sweep: Sweep, work: WorkFolder, runs: list[tuple[str, Point, RunSpec]]
) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """Every saved run's tables, with the sweep's columns, in grid order; and the run list."""
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    entries = []
    for key, point, _ in runs:
        frames, info = work.load(key)
        for name in TABLES:
            parts[name].append(with_point_columns(frames[name], sweep, point))
        entries.append({"point": point.index, "parameters": sweep.parameters(point), **info})
    merged = {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}
    return merged, entries
