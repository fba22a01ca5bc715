"""A sweep's ``--set PATH=V1,V2,...`` options: their grammar, and their paths resolved.

A PATH is a dotted path into the scenario mapping (``platform.test_audience.fraction``); the
items of a list are reached by name where they have one and by index (from 0) otherwise:
``variants.accept-100-it.events.0.count`` is the count of the first event of the variant
named accept-100-it (``variants[1].events[0].count`` is accepted too). ``feedsim params``
lists every path; :func:`sim.scenario.paths.resolve` follows one. The values are YAML
scalars (``0.1``, ``3``, ``true``, ``linkedin``). A list the file does not write out (a
default, or one a variant takes from the base) is copied in before one of its items is set,
which changes nothing else. A list or section the file shares between places through a YAML
alias (``events: *burst``) stays shared: setting it in one place sets it in all (``feedsim
validate FILE --set ...`` says so).
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from sim.errors import InputError
from sim.scenario import STUDY_LEVEL, Scenario, Study
from sim.scenario.paths import PathError, UnknownField, place, resolve

SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
"""A field name, a list item's name or an index."""
INDEX = re.compile(r"\[(\d+)\]")
"""``[3]`` in ``events[3].count``: the same as ``events.3.count``."""
EXPONENT = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
"""Numbers like ``1e-3``, which YAML 1.1 (PyYAML) reads as text."""


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
        return place(self.segments) if self.segments else self.path

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


def _segments(axis: Axis, study: Study) -> tuple[tuple[str | int, ...], int]:
    """The axis's path resolved in the study: field names and list items as indices; and
    where the part inside the base scenario starts (after ``variants.<name>``).

    A field the schema does not have is kept as written, for validation to name it.

    Raises:
        PathError: an item that does not exist, or a path through a value.
    """
    typed: list[str | int] = list(axis.path.split("."))
    start: tuple[str | int, ...] = ()
    scenario = study.base
    if typed[0] == "variants":
        start = resolve(study.base, typed[:2]).segments
        scenario = study.arms[int(start[1])].scenario
        typed = typed[2:]
    try:
        return resolve(scenario, typed, start).segments, len(start)
    except UnknownField as exc:
        return (*exc.at, *typed[len(exc.at) - len(start) :]), len(start)


def _inherited(base: Scenario, segments: Sequence[str | int]) -> Any:
    """The base scenario's value at `segments` as the file would write it, or None."""
    try:
        value = resolve(base, segments).value
    except PathError:
        return None
    if isinstance(value, list):
        return [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    return value


def _write_out_lists(raw: dict[str, Any], axis: Axis, base: Scenario, base_from: int) -> None:
    """Copy into `raw` the lists the axis's path runs through but `raw` does not write out
    (a default, or a variant's list inherited from the base), from the base scenario as
    resolved; this changes nothing until an item of such a list is set.

    Raises:
        InputError: the path runs through an item of a list the scenario does not have.
    """
    node: Any = raw
    for position, step in enumerate(axis.segments[:-1]):
        if isinstance(node, dict) and not isinstance(node.get(step), dict | list):
            inherited = _inherited(base, axis.segments[base_from : position + 1])
            if isinstance(inherited, list):
                node[step] = copy.deepcopy(inherited)
            elif isinstance(axis.segments[position + 1], int):
                shown = place(axis.segments[: position + 1])
                raise InputError(
                    "--set", axis.path, f"{shown} is not a list here (it is {inherited!r})"
                )
            else:
                node[step] = {}
        node = node[step]


def _resolve(axis: Axis, raw: dict[str, Any], study: Study) -> Axis:
    """`axis` with its path resolved in the study; lists on the way are copied into `raw`.

    Raises:
        InputError: an item that does not exist, or a path through a value.
    """
    if axis.path.split(".")[0] == "variants" and not study.base.variants:
        raise InputError("--set", axis.path, "the scenario has no variants")
    try:
        segments, base_from = _segments(axis, study)
    except PathError as exc:
        raise InputError("--set", axis.path, str(exc)) from None
    resolved = Axis(axis.path, axis.values, axis.texts, segments)
    _write_out_lists(raw, resolved, study.base, base_from)
    return resolved


def aliases(raw: Any, axis: Axis) -> list[str]:
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
    return sorted(place(path) for path in found)


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
    resolved = tuple(_resolve(axis, prepared, base) for axis in axes)
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
