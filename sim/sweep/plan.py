"""Planning a sweep: every point of the grid loaded and validated before anything runs.

``feedsim sweep SCENARIO --set PATH=V1,V2,... [--set ...]`` runs the study once per point
of the grid (the product of the ``--set`` values, the first ``--set`` varying slowest).
Every point is the scenario file with those values set, so it is validated like a file
before anything runs. Replication r of every variant at every point uses the seed of
replication r of the plain study: points are compared on common random numbers, as
variants are.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import __version__, params
from sim.errors import InputError
from sim.experiment import run_specs
from sim.runs import RunSpec
from sim.scenario import Study, load_study, read_yaml, study_from_mapping
from sim.scenario.paths import resolve
from sim.sweep.paths import Axis, aliases, parse_settings, resolve_axes


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


def _prepare(
    scenario: Path, axes: Sequence[Axis], overrides: dict[str, Any]
) -> tuple[Study, tuple[Axis, ...], dict[str, Any]]:
    """The plain study, the axes resolved in it, and the file's mapping they were resolved in.

    Raises:
        InputError: the file is invalid, a path names no item, or a variant sets a field
            the base's path reaches (the sweep would not change that arm).
    """
    base = load_study(scenario, overrides)
    raw = read_yaml(scenario)
    resolved, prepared = resolve_axes(axes, raw, base)
    raw_variants = raw.get("variants") or []
    for axis in resolved:
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
    return base, resolved, prepared


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
    base, axes, prepared = _prepare(scenario, parse_settings(settings), overrides)
    for axis in axes:
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


def plan_rows(
    scenario: Path,
    axes: Sequence[Axis],
    overrides: dict[str, Any] | None = None,
    seeds: Sequence[int] | None = None,
) -> Sweep:
    """A sweep of the rows of a sample rather than a grid: point ``i`` takes value ``i`` on
    every axis (the axes hold one value per row), each set as ``--set`` sets it; with
    `seeds`, point ``i`` also takes base seed ``seeds[i]`` (one per row).

    Raises:
        InputError: as :func:`plan_sweep`, naming ``--set``, the paths and the values.
    """
    overrides = overrides or {}
    base, resolved, prepared = _prepare(scenario, axes, overrides)
    rows = len(resolved[0].values) if resolved else len(seeds or ())
    points = [
        Point(
            i,
            (i,) * len(resolved),
            _load_point(
                scenario,
                prepared,
                overrides if seeds is None else {**overrides, "seed": seeds[i]},
                [(a, i) for a in resolved],
            ),
        )
        for i in range(rows)
    ]
    return Sweep(base, resolved, tuple(points), prepared)


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
    found = resolve(scenario, inner)
    lines = [
        f"--set {axis.path}={','.join(axis.texts)}",
        f"    reaches {axis.field}: {params.describe(found)}",
        f"    now {params.show_value(found.value)}{where}",
    ]
    shared = aliases(sweep.prepared, axis)
    if shared:
        lines.append(
            f"    also sets {', '.join(shared)} (the file shares it there through a YAML alias)"
        )
    count = len(axis.values)
    lines.append(f"    {count} value{'s' if count != 1 else ''}, each valid")
    return lines
