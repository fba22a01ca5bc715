"""Parameter sweeps: a grid of scenario values x variants x replications, resumable.

``feedsim sweep SCENARIO --set PATH=V1,V2,... [--set ...]`` runs the study once per point
of the grid (the product of the ``--set`` values, the first ``--set`` varying slowest). A
PATH is a dotted path into the scenario mapping (``platform.test_audience.fraction``); the
values are YAML scalars (``0.1``, ``3``, ``true``, ``linkedin``). Every point is the scenario
file loaded with that override, so it is validated like a file before anything runs.

Replication r of every variant at every point uses the seed of replication r of the plain
study: points are compared on common random numbers, as variants are.

**Resuming.** Finished runs are kept in ``<out>/.<name>-sweep.work/``: one folder per
(point, variant, replication) run, ``runs/p<point>-<variant>-r<replication>/`` with the
run's tables as Parquet and ``run.json`` (seed, wall time, worker, totals). Each is written
under a temporary name and renamed into place, so a folder that exists is complete. The work
folder also records the grid (``grid.json``: a fingerprint of every point's resolved
scenario, a hash of feedsim's source, and the options); a sweep started again with the same
arguments and the same code skips the runs that are there. With different arguments, or
after the code changed, it refuses (exit code 2) unless ``--fresh`` is given, which discards
the old work. When every run is done the tables
are read back from the work folder in grid order (so an interrupted and resumed sweep gives
the same bytes as an uninterrupted one), get a ``point`` column and one column per swept
path (dots become ``__``), and are written to ``<out>/<name>-sweep/`` with
:func:`sim.experiment.write_results`; then the work folder is deleted. A lock file stops two
sweeps from sharing one work folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from tqdm import tqdm

from sim import __version__
from sim.errors import InputError
from sim.experiment import RunOutput, RunSpec, manifest, open_executor, run_specs, write_results
from sim.metrics import TABLES
from sim.scenario import STUDY_LEVEL, Study, load_study, read_yaml

SEGMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
"""Numbers like ``1e-3``, which YAML 1.1 (PyYAML) reads as text."""
IDENTIFIERS = ("scenario", "variant", "replication", "seed")
"""The leading columns of every table; the sweep's columns follow them."""


@dataclass(frozen=True)
class Axis:
    """One ``--set PATH=V1,V2,...``: a scenario path and the values it takes.

    Attributes:
        path: dotted path into the scenario mapping.
        values: the parsed values (YAML scalars).
        texts: the values as given on the command line.
    """

    path: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]

    @property
    def column(self) -> str:
        """The table column of this parameter: the path with dots replaced by ``__``."""
        return self.path.replace(".", "__")

    def override(self, value: Any) -> dict[str, Any]:
        """The nested mapping that sets this path to `value`."""
        nested: Any = value
        for key in reversed(self.path.split(".")):
            nested = {key: nested}
        result: dict[str, Any] = nested
        return result


def parse_value(text: str) -> Any:
    """A command-line value as a YAML scalar (``1e-3`` is a number too); else the text."""
    value = yaml.safe_load(text)
    if isinstance(value, str) and EXPONENT.match(text):
        return float(text)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return text  # dates, lists and mappings stay as they were typed


def parse_setting(text: str) -> Axis:
    """Parse one ``PATH=V1,V2,...`` option.

    Raises:
        InputError: naming ``--set`` and the option, when it is malformed.
    """
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise InputError("--set", text, "expected PATH=V1,V2,... (e.g. platform.ranker=linkedin)")
    segments = path.split(".")
    if not all(SEGMENT.match(s) for s in segments):
        raise InputError("--set", path, "a path is field names joined by dots")
    if segments[0] in STUDY_LEVEL and segments[0] != "duration_days":
        raise InputError(
            "--set",
            path,
            "cannot be swept (it is shared by the whole sweep; --replications and --seed"
            " set replications and seed)",
        )
    texts = tuple(t.strip() for t in values.split(","))
    if any(t == "" for t in texts):
        raise InputError("--set", path, f"empty value in {values!r}")
    if len(set(texts)) != len(texts):
        raise InputError("--set", path, f"repeated value in {values!r}")
    return Axis(path, tuple(parse_value(t) for t in texts), texts)


def parse_settings(settings: Sequence[str]) -> tuple[Axis, ...]:
    """Parse every ``--set`` option; a path may appear once and not inside another."""
    axes = tuple(parse_setting(s) for s in settings)
    for a, b in itertools.permutations(axes, 2):
        if a.path == b.path or b.path.startswith(a.path + "."):
            raise InputError("--set", b.path, f"overlaps --set {a.path}; set each field once")
    return axes


def grid(axes: Sequence[Axis]) -> list[tuple[int, ...]]:
    """Every point of the grid as the index of its value on each axis (first axis slowest)."""
    return list(itertools.product(*(range(len(a.values)) for a in axes)))


@dataclass(frozen=True)
class Point:
    """One point of the grid.

    Attributes:
        index: its position in the grid (the ``point`` column).
        choice: the index of its value on each axis.
        study: the study with those values.
    """

    index: int
    choice: tuple[int, ...]
    study: Study


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the plain study, the axes and every point's study.

    Attributes:
        base: the study without any ``--set`` (its seeds are every point's seeds).
        axes: the swept paths.
        points: the grid points in order.
    """

    base: Study
    axes: tuple[Axis, ...]
    points: tuple[Point, ...]

    @property
    def name(self) -> str:
        """The results folder's name: ``<scenario name>-sweep``."""
        return f"{self.base.base.name}-sweep"

    def parameters(self, point: Point) -> dict[str, Any]:
        """The value of every swept path at `point`."""
        return {a.path: a.values[i] for a, i in zip(self.axes, point.choice, strict=True)}

    def texts(self, point: Point) -> list[str]:
        """The values at `point` as given on the command line, one per axis."""
        return [a.texts[i] for a, i in zip(self.axes, point.choice, strict=True)]

    def runs(self) -> list[tuple[str, Point, RunSpec]]:
        """Every run in save order (point, then variant, then replication), with its key."""
        return [
            (f"p{point.index:04d}-{spec.variant}-r{spec.replication:03d}", point, spec)
            for point in self.points
            for spec in run_specs(point.study)
        ]

    def fingerprint(self) -> str:
        """A hash of what determines the results: every point's resolved scenario."""
        resolved = [
            {k: v for k, v in point.study.resolved().items() if k != "file"}
            for point in self.points
        ]
        text = json.dumps([__version__, resolved], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def code_hash() -> str:
    """A hash of feedsim's source files: runs of other code must not be mixed in."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _sets_path(mapping: Any, segments: list[str]) -> bool:
    """Whether a variant's mapping sets the field at `segments` (or replaces a parent)."""
    for key in segments:
        if not isinstance(mapping, dict):
            return True  # a value replaces the whole section the path runs through
        if key not in mapping:
            return False
        mapping = mapping[key]
    return True


def _load_point(
    scenario: Path, overrides: dict[str, Any], settings: list[tuple[Axis, int]]
) -> Study:
    """The study at one combination of axis values, errors naming the ``--set`` at fault."""
    merged = dict(overrides)
    for axis, i in settings:
        merged = _merge(merged, axis.override(axis.values[i]))
    try:
        return load_study(scenario, merged)
    except InputError as exc:
        blamed = [
            (axis, i)
            for axis, i in settings
            if exc.field == axis.path or exc.field.startswith(axis.path + ".")
        ] or settings
        where = " ".join(f"{axis.path}={axis.texts[i]}" for axis, i in blamed)
        raise InputError("--set", where, f"{exc.field}: {exc.problem}") from None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        merged[key] = (
            _merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return merged


def plan_sweep(
    scenario: Path, settings: Sequence[str], overrides: dict[str, Any] | None = None
) -> Sweep:
    """Parse the ``--set`` options and validate every point before anything runs.

    Args:
        scenario: the scenario file.
        settings: the ``--set`` options, ``PATH=V1,V2,...`` each.
        overrides: study-level options (e.g. ``{"replications": 3}``).

    Raises:
        InputError: the file is invalid (naming it), or a ``--set`` path or value is
            (naming ``--set``, the path and the value).
    """
    overrides = overrides or {}
    base = load_study(scenario, overrides)
    axes = parse_settings(settings)
    raw_variants = read_yaml(scenario).get("variants") or []
    for axis in axes:
        for i, variant in enumerate(raw_variants):
            if _sets_path(variant, axis.path.split(".")):
                raise InputError(
                    "--set",
                    axis.path,
                    f"variants[{i}] sets this field itself, so the sweep would not change that arm",
                )
        for i in range(len(axis.values)):
            _load_point(scenario, overrides, [(axis, i)])  # blame a single value first
    points = [
        Point(p, combo, _load_point(scenario, overrides, list(zip(axes, combo, strict=True))))
        for p, combo in enumerate(grid(axes))
    ]
    return Sweep(base, axes, tuple(points))


# --------------------------------------------------------------------------- the work folder


class WorkFolder:
    """The finished runs of an unfinished sweep (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs = path / "runs"

    def prepare(self, sweep: Sweep, fresh: bool, options: dict[str, Any]) -> datetime:
        """Create the folder, or check that it holds this sweep; return when it began.

        Args:
            sweep: the sweep to run.
            fresh: discard a work folder of a different sweep instead of refusing.
            options: the command's options, recorded for people reading ``grid.json``.

        Raises:
            InputError: the folder holds a different sweep and `fresh` is false.
        """
        grid_file = self.path / "grid.json"
        fingerprint, code = sweep.fingerprint(), code_hash()
        if grid_file.exists() and not fresh:
            recorded = json.loads(grid_file.read_text())
            if recorded["fingerprint"] != fingerprint:
                raise InputError(
                    self.path,
                    "",
                    "holds an unfinished sweep with other settings"
                    f" ({' '.join(recorded['settings'])}); run that command again to resume it,"
                    " or pass --fresh to discard it",
                )
            if recorded["code"] != code:
                raise InputError(
                    self.path,
                    "",
                    "holds an unfinished sweep run by other feedsim code (its source changed"
                    " since), whose runs must not be mixed with new ones; pass --fresh to"
                    " discard it",
                )
            return datetime.fromisoformat(recorded["started"])
        for stale in (self.runs, grid_file):
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
        self.runs.mkdir(parents=True)
        started = datetime.now(UTC)
        record = {
            "fingerprint": fingerprint,
            "code": code,
            "started": started.isoformat(),
            "settings": [f"{a.path}={','.join(a.texts)}" for a in sweep.axes],
            **options,
        }
        _atomic_text(grid_file, json.dumps(record, indent=2) + "\n")
        return started

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock (refuse if another sweep holds it)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / "lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    self.path, "", "another feedsim sweep is using this work folder"
                ) from None
            yield

    def finished(self) -> set[str]:
        """Keys of the runs already saved; leftovers of interrupted writes are removed."""
        keys = set()
        for entry in self.runs.iterdir():
            if entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                keys.add(entry.name)
        return keys

    def save(self, key: str, spec: RunSpec, output: RunOutput) -> None:
        """Save one run's tables and cost under a temporary name, then rename into place."""
        staging = self.runs / f".{key}.partial-{os.getpid()}"
        staging.mkdir()
        for name, frame in output.tables.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False, compression="zstd")
        info = {
            "variant": spec.variant,
            "replication": spec.replication,
            "seed": spec.seed,
            "wall_seconds": round(output.seconds, 3),
            "worker": output.worker,
            **output.counts,
        }
        (staging / "run.json").write_text(json.dumps(info, indent=2) + "\n")
        os.replace(staging, self.runs / key)

    def load(self, key: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        """One saved run: its tables and its ``run.json``."""
        folder = self.runs / key
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        info: dict[str, Any] = json.loads((folder / "run.json").read_text())
        return frames, info


def _atomic_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(text)
    os.replace(partial, path)


# --------------------------------------------------------------------------- tables


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

    Returns:
        The results folder.

    Raises:
        InputError: an unreachable scheduler, a work folder of another sweep, or a run's
            bad input (e.g. a data file).
    """
    work = WorkFolder(out / f".{sweep.name}.work")
    runs = sweep.runs()
    with open_executor(jobs, scheduler) as executor, work.locked():
        options = {"replications": sweep.base.base.replications, "scenario": str(scenario)}
        started = work.prepare(sweep, fresh, options)
        finished = work.finished()
        pending = [(key, spec) for key, _, spec in runs if key not in finished]
        left = {p.index: 0 for p in sweep.points}
        for key, point, _ in runs:
            left[point.index] += key not in finished
        key_point = {key: point.index for key, point, _ in runs}
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
                    left[key_point[key]] -= 1
                    show()
                    bar.update(1)
            except InputError:
                if not any(work.runs.iterdir()):  # bad input, nothing worth keeping
                    shutil.rmtree(work.path)
                raise
        merged, entries = _merge_runs(sweep, work, runs)
        data = manifest(sweep.base, [], started, jobs, scheduler)
        data.update(
            sweep_name=sweep.name,
            parameters=[
                {"path": a.path, "column": a.column, "values": list(a.values)} for a in sweep.axes
            ],
            points=[{"point": p.index, "parameters": sweep.parameters(p)} for p in sweep.points],
            runs=entries,
            resumed_runs=len(runs) - len(pending),
            compute_seconds=round(sum(e["wall_seconds"] for e in entries), 3),
        )
        report = _report(sweep, scenario)

        def write_report(folder: Path) -> None:
            (folder / "report.md").write_text(report)

        destination = write_results(out / sweep.name, merged, data, write_report)
        shutil.rmtree(work.path)
    return destination


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
