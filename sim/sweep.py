"""Parameter sweeps: a grid of scenario values x variants x replications, resumable.

``feedsim sweep SCENARIO --set PATH=V1,V2,... [--set ...]`` runs the study once per point
of the grid (the product of the ``--set`` values, the first ``--set`` varying slowest). A
PATH is a dotted path into the scenario mapping (``platform.test_audience.fraction``); the
items of a list are reached by name where they have one and by index (from 0) otherwise:
``variants.accept-100-it.events.0.count`` is the count of the first event of the variant
named accept-100-it (``variants[1].events[0].count`` is accepted too). ``feedsim params``
lists every path. The values are YAML scalars (``0.1``, ``3``, ``true``, ``linkedin``).
Every point is the scenario file with those values set, so it is validated like a file
before anything runs. A list the file does not write out (a default, or one a variant takes
from the base) is copied in before one of its items is set, which changes nothing else. A
list or section the file shares between places through a YAML alias (``events: *burst``)
stays shared: setting it in one place sets it in all (``feedsim validate FILE --set ...``
says so).

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

import copy
import dataclasses
import difflib
import fcntl
import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from tqdm import tqdm

from sim import __version__, params
from sim.errors import InputError
from sim.experiment import manifest, open_executor, run_specs, write_results
from sim.metrics import TABLES
from sim.runs import RunOutput, RunSpec
from sim.scenario import STUDY_LEVEL, Study, load_study, read_yaml, study_from_mapping

SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
"""A field name, a list item's name or an index."""
INDEX = re.compile(r"\[(\d+)\]")
"""``[3]`` in ``events[3].count``: the same as ``events.3.count``."""
EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
"""Numbers like ``1e-3``, which YAML 1.1 (PyYAML) reads as text."""
IDENTIFIERS = ("scenario", "variant", "replication", "seed")
"""The leading columns of every table; the sweep's columns follow them."""


@dataclass(frozen=True)
class Axis:
    """One ``--set PATH=V1,V2,...``: a scenario path and the values it takes.

    Attributes:
        path: dotted path into the scenario mapping, as given (``[i]`` written ``.i``).
        values: the parsed values (YAML scalars).
        texts: the values as given on the command line.
        segments: the path resolved in the scenario file (:func:`resolve_axes`): field
            names, and list items as indices; empty until resolved.
    """

    path: str
    values: tuple[Any, ...]
    texts: tuple[str, ...]
    segments: tuple[str | int, ...] = ()

    @property
    def column(self) -> str:
        """The table column of this parameter: the path with dots replaced by ``__``."""
        return self.path.replace(".", "__")

    @property
    def field(self) -> str:
        """The resolved path as error messages name fields: ``variants[1].events[0].count``."""
        if not self.segments:
            return self.path
        text = ""
        for segment in self.segments:
            text += f"[{segment}]" if isinstance(segment, int) else f".{segment}"
        return text.lstrip(".")

    @property
    def in_variant(self) -> int | None:
        """The index of the variant the path reaches into, or None for the base scenario."""
        if len(self.segments) > 1 and self.segments[0] == "variants":
            index = self.segments[1]
            return index if isinstance(index, int) else None
        return None

    def apply(self, raw: dict[str, Any], value: Any) -> None:
        """Set the resolved path to `value` in a scenario mapping (in place).

        The lists on the path must be there (:func:`resolve_axes` copies them in); missing
        mappings are created (they merge with the base's like a variant's do).
        """
        node: Any = raw
        for segment in self.segments[:-1]:
            if isinstance(segment, int):
                node = node[segment]
            else:
                if not isinstance(node.get(segment), dict | list):
                    node[segment] = {}
                node = node[segment]
        node[self.segments[-1]] = value


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
    path = INDEX.sub(r".\1", path.strip())
    if not sep or not path:
        raise InputError("--set", text, "expected PATH=V1,V2,... (e.g. platform.ranker=linkedin)")
    segments = path.split(".")
    if not all(SEGMENT.match(s) for s in segments):
        raise InputError(
            "--set",
            path,
            "a path is field names joined by dots, with list items by name or index"
            " (e.g. variants.accept-100-it.events.0.count; `feedsim params` lists them)",
        )
    if segments[0] == "variants":
        if len(segments) < 3:
            raise InputError(
                "--set", path, "name a field inside one variant: variants.<name>.<field>"
            )
        if segments[2:] == ["name"]:
            raise InputError(
                "--set", path, "cannot be swept (a variant's name identifies its runs)"
            )
    elif segments[0] in STUDY_LEVEL and segments[0] != "duration_days":
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


def _item(items: list[Any], segment: str, where: str, path: str) -> int:
    """The index of the list item `segment` names: the ``name`` of an item, or an index.

    Raises:
        InputError: no such item (listing the names and suggesting the closest), or an
            index out of range.
    """
    count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if segment in names:  # a name first: names may be digits too
        return names.index(segment)
    if segment.isdigit():
        index = int(segment)
        if index >= len(items):
            last = f"0 to {len(items) - 1}" if items else "none"
            raise InputError(
                "--set", path, f"{where} has {count}; no index {index} (valid: {last})"
            )
        return index
    if not any(isinstance(n, str) for n in names):
        raise InputError(
            "--set", path, f"the items of {where} have no names; give an index ({count})"
        )
    valid = [n for n in names if isinstance(n, str)]
    close = difflib.get_close_matches(segment, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    last = where.rsplit(".", 1)[-1]
    what = {"variants": "variant", "focal": "focal member"}.get(last, f"item of {where}")
    raise InputError(
        "--set", path, f"no {what} named {segment!r} (valid names: {', '.join(valid)}){hint}"
    )


def _at(tree: Any, segments: Sequence[str | int]) -> Any:
    """The value at `segments` of a nested mapping/list, or None when absent."""
    for segment in segments:
        in_list = isinstance(segment, int) and isinstance(tree, list) and segment < len(tree)
        in_mapping = isinstance(segment, str) and isinstance(tree, dict) and segment in tree
        if not (in_list or in_mapping):
            return None
        tree = tree[segment]
    return tree


def _resolve(axis: Axis, raw: dict[str, Any], defaults: dict[str, Any]) -> Axis:
    """`axis` with its path resolved in `raw`; lists on the way are copied into `raw`.

    A list the path runs through but `raw` does not write out (a default, or a variant's
    list inherited from the base) is copied in from `defaults` (the base scenario as
    resolved), which changes nothing until an item of it is set.

    Raises:
        InputError: an item that does not exist, or a path through a value.
    """
    typed = axis.path.split(".")
    resolved: list[str | int] = []
    node: Any = raw
    base_from = 0  # where the path relative to the base scenario starts
    if typed[0] == "variants":
        variants = raw.get("variants")
        if not isinstance(variants, list) or not variants:
            raise InputError("--set", axis.path, "the scenario has no variants")
        index = _item(variants, typed[1], "variants", axis.path)
        resolved = ["variants", index]
        node = variants[index]
        base_from = 2
    for position in range(base_from, len(typed)):
        segment = typed[position]
        where = Axis(axis.path, (), (), tuple(resolved)).field or "the scenario"
        if isinstance(node, list):
            resolved.append(_item(node, segment, where, axis.path))
        elif isinstance(node, dict):
            resolved.append(segment)
        else:
            raise InputError("--set", axis.path, f"{where} is a value, not a section or list")
        if position == len(typed) - 1:
            break
        step = resolved[-1]
        if isinstance(node, dict) and not isinstance(node.get(step), dict | list):
            inherited = _at(defaults, resolved[base_from:])
            if isinstance(inherited, list):
                node[step] = copy.deepcopy(inherited)
            elif typed[position + 1].isdigit():
                shown = Axis(axis.path, (), (), tuple(resolved)).field
                raise InputError(
                    "--set", axis.path, f"{shown} is not a list here (it is {inherited!r})"
                )
            else:
                node[step] = {}
        node = node[step]
    return Axis(axis.path, axis.values, axis.texts, tuple(resolved))


def _aliases(raw: Any, axis: Axis) -> list[str]:
    """Other fields the axis's path also sets: the scenario shares a list or section on its way
    through a YAML alias (``events: *burst``), so setting one sets them all."""
    places: dict[int, list[tuple[str | int, ...]]] = {}

    def visit(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict | list):
            places.setdefault(id(node), []).append(path)
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, value in items:
                visit(value, (*path, key))

    visit(raw, ())
    found: set[tuple[str | int, ...]] = set()
    node: Any = raw
    for depth, segment in enumerate(axis.segments[:-1], start=1):
        node = node[segment]
        for other in places.get(id(node), []):
            if other != axis.segments[:depth]:
                found.add((*other, *axis.segments[depth:]))
    return sorted(Axis("", (), (), path).field for path in found)


def resolve_axes(
    axes: Sequence[Axis], raw: dict[str, Any], base: Study
) -> tuple[tuple[Axis, ...], dict[str, Any]]:
    """Resolve every axis in the scenario file's mapping.

    Returns:
        The resolved axes, and a copy of `raw` with the lists they run through written out.

    Raises:
        InputError: a path names no item, or two paths set the same field.
    """
    prepared = copy.deepcopy(raw)
    defaults = base.base.model_dump(mode="json")
    resolved = tuple(_resolve(axis, prepared, defaults) for axis in axes)
    for a, b in itertools.combinations(resolved, 2):
        if a.in_variant != b.in_variant and None not in (a.in_variant, b.in_variant):
            continue  # two variants: different arms
        inner_a = a.segments[2:] if a.in_variant is not None else a.segments
        inner_b = b.segments[2:] if b.in_variant is not None else b.segments
        shorter = min(len(inner_a), len(inner_b))
        if inner_a[:shorter] == inner_b[:shorter]:
            raise InputError(
                "--set",
                b.path,
                f"overlaps --set {a.path} (both reach {b.field}); set each field once",
            )
    return resolved, prepared


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
        prepared: the scenario file's mapping the paths were resolved in.
    """

    base: Study
    axes: tuple[Axis, ...]
    points: tuple[Point, ...]
    prepared: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

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
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _sets_path(mapping: Any, segments: list[str | int]) -> bool:
    """Whether a variant's mapping sets the field at `segments` (or replaces a parent)."""
    for key in segments:
        if not isinstance(mapping, dict):
            return True  # a value replaces the whole section the path runs through
        if key not in mapping:
            return False
        mapping = mapping[key]
    return True


def _load_point(
    scenario: Path,
    prepared: dict[str, Any],
    overrides: dict[str, Any],
    settings: list[tuple[Axis, int]],
) -> Study:
    """The study at one combination of axis values, errors naming the ``--set`` at fault."""
    raw = copy.deepcopy(prepared)
    for axis, i in settings:
        axis.apply(raw, axis.values[i])
    try:
        return study_from_mapping(raw, scenario, overrides)
    except InputError as exc:
        blamed = [
            (axis, i)
            for axis, i in settings
            if exc.field == axis.field or exc.field.startswith((axis.field + ".", axis.field + "["))
        ] or settings
        where = " ".join(f"{axis.path}={axis.texts[i]}" for axis, i in blamed)
        raise InputError("--set", where, f"{exc.field}: {exc.problem}") from None


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
    raw = read_yaml(scenario)
    axes, prepared = resolve_axes(parse_settings(settings), raw, base)
    raw_variants = raw.get("variants") or []
    for axis in axes:
        for i, variant in enumerate(raw_variants):
            if axis.in_variant is None and _sets_path(variant, list(axis.segments)):
                name = variant.get("name") if isinstance(variant, dict) else None
                inside = f"variants.{name}.{axis.path}" if isinstance(name, str) else ""
                hint = f" (to sweep it in that arm: --set {inside}=...)" if inside else ""
                raise InputError(
                    "--set",
                    axis.path,
                    f"variants[{i}] sets this field itself, so the sweep would not change that"
                    f" arm{hint}",
                )
        for i in range(len(axis.values)):
            _load_point(scenario, prepared, overrides, [(axis, i)])  # blame one value first
    points = [
        Point(
            p,
            combo,
            _load_point(scenario, prepared, overrides, list(zip(axes, combo, strict=True))),
        )
        for p, combo in enumerate(grid(axes))
    ]
    return Sweep(base, axes, tuple(points), prepared)


def explain(sweep: Sweep, axis: Axis) -> list[str]:
    """How a ``--set`` path resolves: the field, its type and bounds, its current value.

    Args:
        sweep: the planned sweep the axis belongs to.
        axis: one of ``sweep.axes``.
    """
    if axis.in_variant is not None:
        arm = sweep.base.arms[axis.in_variant]
        scenario, inner, where = arm.scenario, axis.segments[2:], f" in variant {arm.name}"
    else:
        scenario, inner, where = sweep.base.base, axis.segments, ""
    found = params.resolve(scenario, inner)
    lines = [
        f"--set {axis.path}={','.join(axis.texts)}",
        f"    reaches {axis.field}: {params.describe(found)}",
        f"    now {params.show_value(found.value)}{where}",
    ]
    shared = _aliases(sweep.prepared, axis)
    if shared:
        lines.append(
            f"    also sets {', '.join(shared)} (the file shares it there through a YAML alias)"
        )
    count = len(axis.values)
    lines.append(f"    {count} value{'s' if count != 1 else ''}, each valid")
    return lines


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

    def run_info(self, spec: RunSpec, output: RunOutput) -> dict[str, Any]:
        """What ``run.json`` records of one run: its identity, seed, cost and counts."""
        return {
            "variant": spec.variant,
            "replication": spec.replication,
            "seed": spec.seed,
            "wall_seconds": round(output.seconds, 3),
            "worker": output.worker,
            **output.counts,
        }

    def kept_tables(self, output: RunOutput) -> dict[str, pd.DataFrame]:
        """The tables of one run that the work folder keeps (all of them)."""
        return output.tables

    def save(self, key: str, spec: RunSpec, output: RunOutput) -> None:
        """Save one run's tables and ``run.json`` under a temporary name, then rename."""
        staging = self.runs / f".{key}.partial-{os.getpid()}"
        staging.mkdir()
        for name, frame in self.kept_tables(output).items():
            frame.to_parquet(staging / f"{name}.parquet", index=False, compression="zstd")
        info = self.run_info(spec, output)
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
        data.update(_sweep_manifest(sweep, entries, resumed=len(runs) - len(pending)))
        report = _report(sweep, scenario)

        def write_report(folder: Path) -> None:
            (folder / "report.md").write_text(report)
            if finish is not None:
                finish(folder)

        destination = write_results(out / sweep.name, merged, data, write_report)
        shutil.rmtree(work.path)
    return destination


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
