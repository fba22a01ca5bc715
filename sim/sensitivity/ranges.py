"""The parameters of a sensitivity analysis and their ranges, checked against the schema.

:class:`Parameter` is one uncertain scenario field and the range it is sampled over; the
readers of ``--ranges FILE`` and ``--param PATH=LOW:HIGH[:log]`` check each range against
the scenario schema (a path must name a number; the range must lie inside the field's
``ge``/``gt``/``le``/``lt`` bounds; a log scale needs ``LOW > 0``). A path is any path
``feedsim params`` lists, followed by the one walker :func:`sim.scenario.paths.resolve`
(list items by name or index, also inside one variant). A ranges file may also name the
arms the claim outcomes compare (:class:`Ranges`, :func:`sim.sensitivity.outcomes.read_comparison`).

**Scales.** A parameter is sampled uniformly on ``[low, high]`` (linear) or on
``[ln low, ln high]`` (log-uniform); SALib sees the sampled space. SALib divides Morris
elementary effects by the step as a fraction of the range, so ``mu*`` is the change of the
outcome over a parameter's whole sampled range (comparable across parameters). The scenario
value is ``x`` or ``exp(x)``, rounded for integer fields.

**Structural options as factors.** A field with a fixed set of values (a structural option
such as ``platform.followers``, docs/model.md 7.26) is a *categorical* parameter: the ranges
file gives ``levels: [audience, pull]`` (or ``--param platform.followers=audience,pull``);
SALib samples ``x`` in ``[0, 1]`` and the scenario value is level ``min(floor(x L), L - 1)``
of the ``L`` levels, so each level holds an equal share of the space. A Morris step across
a level boundary is the effect of switching the option; a Sobol index is the share of the
outcome's variance the choice of option explains (the categorical-factor reading of Saltelli
et al. 2008, Global Sensitivity Analysis: The Primer, ch. 1.2.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import annotated_types
import yaml

from sim.errors import InputError
from sim.scenario import Scenario, load_yaml
from sim.scenario.paths import PathError, list_item, resolve, strip
from sim.sensitivity.outcomes import NOISE, SEED_SPAN, Comparison, read_comparison

SCALES = ("linear", "log")
CATEGORICAL: Literal["categorical"] = "categorical"
"""The scale of a parameter sampled over named levels."""


@dataclass(frozen=True)
class Parameter:
    """One uncertain scenario field and the range it is sampled over.

    Attributes:
        path: dotted path into the scenario mapping (as ``feedsim sweep --set``).
        low: smallest value.
        high: largest value.
        scale: ``linear`` (uniform) or ``log`` (log-uniform).
        reason: why this range (a source, or the reasoning where none exists).
        integer: the field holds whole numbers (sampled values are rounded).
        source: where the range was given (the ranges file or ``--param``), for errors.
        levels: the values of a categorical parameter (scale ``categorical``, ``low`` 0 and
            ``high`` 1), empty otherwise.
    """

    path: str
    low: float
    high: float
    scale: Literal["linear", "log", "categorical"] = "linear"
    reason: str = ""
    integer: bool = False
    source: str = field(default="--param", compare=False)
    levels: tuple[Any, ...] = ()

    @property
    def categorical(self) -> bool:
        """Whether the parameter is sampled over named levels (a structural option)."""
        return bool(self.levels)

    def level(self, x: float) -> int:
        """The index of the level that coordinate ``x`` in [0, 1] falls in."""
        return min(int(x * len(self.levels)), len(self.levels) - 1)

    @property
    def column(self) -> str:
        """Table column of the parameter: the path with dots replaced by ``__``."""
        return self.path.replace(".", "__")

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval SALib samples: ``[low, high]``, or ``[ln low, ln high]`` for log."""
        if self.scale == "log":
            return math.log(self.low), math.log(self.high)
        return self.low, self.high

    def value(self, x: float) -> Any:
        """The scenario value of sampled coordinate ``x`` (exp for log; rounded if integer;
        the level ``x`` falls in for a categorical parameter)."""
        if self.levels:
            return self.levels[self.level(x)]
        v = math.exp(x) if self.scale == "log" else float(x)
        v = min(max(v, self.low), self.high)  # exp(ln x) may step a hair outside
        return round(v) if self.integer else v


def noise_parameter() -> Parameter:
    """The noise parameter: sampled on [0, 1] like the model's, it moves the point's seeds.

    It changes no scenario field: at value ``u`` a point's base seed is the study's plus
    ``round(u * SEED_SPAN)`` (:func:`sim.sensitivity.outcomes.point_seed`), so its index is
    the part of an outcome's spread that re-drawn random numbers alone make, measured in the
    same analysis as the model's parameters (the dummy-parameter check of Morris screening
    and Sobol indices; Khorashadi Zadeh et al. 2017, Environ. Model. Softw. 91:210).
    """
    return Parameter(
        NOISE,
        0.0,
        1.0,
        "linear",
        f"The noise floor: re-draws every random number of a point (seeds move by up to"
        f" {SEED_SPAN:,}); no model parameter.",
        source="the analysis",
    )


# ------------------------------------------------------------------ the schema


def schema_type(path: str) -> tuple[Any, list[Any]] | None:
    """The type a dotted path names in :class:`sim.scenario.Scenario` (list items by name or
    index, as ``feedsim params`` lists them, also inside one variant as
    ``variants.<name>.PATH``; an item of a list of values has the items' type) and its
    constraints; None for a path that names no field."""
    segments = path.split(".")
    if len(segments) > 2 and segments[0] == "variants":
        segments = segments[2:]  # the variant's name is checked against the scenario
    try:
        found = resolve(Scenario, segments)
    except PathError:
        return None
    annotation = found.info.annotation
    if found.item:
        annotation = list_item(annotation)
        annotation, metadata, _ = strip(annotation)
        return annotation, metadata
    annotation, metadata, _ = strip(annotation)
    return annotation, [*metadata, *found.info.metadata]


def _number_kind(annotation: Any) -> str | None:
    """``float`` or ``int`` for a numeric type (None allowed besides), else None."""
    if annotation is float:
        return "float"
    if annotation is int:
        return "int"
    return None


def schema_limits(metadata: list[Any]) -> list[tuple[str, float]]:
    """A field's bounds as ``(operator, value)``: ``>=``, ``>``, ``<=``, ``<``."""
    limits: list[tuple[str, float]] = []
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            limits.append((">=", float(item.ge)))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            limits.append((">", float(item.gt)))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            limits.append(("<=", float(item.le)))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            limits.append(("<", float(item.lt)))  # type: ignore[arg-type]
    return limits


def _inside(value: float, operator: str, bound: float) -> bool:
    return {
        ">=": value >= bound,
        ">": value > bound,
        "<=": value <= bound,
        "<": value < bound,
    }[operator]


def make_parameter(
    source: str, where: str, path: Any, low: Any, high: Any, scale: Any, reason: Any
) -> Parameter:
    """Check one range against the schema and build its :class:`Parameter`.

    Args:
        source: the file or option at fault in errors (``--param``, ``ranges.yaml``).
        where: the entry's position in errors (``[3]``), or ``""``.

    Raises:
        InputError: an unknown or non-numeric path, a non-number bound, ``low >= high``,
            an unknown scale, a log scale with ``low <= 0``, or a range outside the
            field's schema bounds.
    """
    prefix = f"{where}." if where else ""
    if not isinstance(path, str) or not path:
        raise InputError(source, f"{prefix}path", "missing: a dotted scenario path")
    found = schema_type(path)
    if found is None:
        raise InputError(source, path, "unknown path (not a scenario field; see `feedsim schema`)")
    annotation, metadata = found
    kind = _number_kind(annotation)
    if kind is None:
        raise InputError(source, path, "is not a number field, so it cannot be given a range")
    bounds = []
    for name, given in (("low", low), ("high", high)):
        if isinstance(given, bool) or not isinstance(given, int | float) or math.isnan(given):
            raise InputError(source, f"{path} {name}", f"must be a number (got {given!r})")
        bounds.append(float(given))
    lo, hi = bounds
    if lo >= hi:
        raise InputError(source, path, f"LOW must be below HIGH (got {lo:g}:{hi:g})")
    if scale not in SCALES:
        raise InputError(source, f"{path} scale", f"must be linear or log (got {scale!r})")
    if scale == "log" and lo <= 0:
        raise InputError(source, path, f"a log scale needs LOW > 0 (got {lo:g})")
    for operator, bound in schema_limits(metadata):
        for value in (lo, hi):
            if not _inside(value, operator, bound):
                raise InputError(
                    source,
                    path,
                    f"range {lo:g}:{hi:g} is outside what the schema allows"
                    f" (values must be {operator} {bound:g})",
                )
    if kind == "int" and math.floor(hi) - math.ceil(lo) < 1:
        raise InputError(source, path, f"an integer field needs two whole values in {lo:g}:{hi:g}")
    return Parameter(path, lo, hi, scale, str(reason or ""), kind == "int", source)


def make_categorical(source: str, where: str, path: Any, levels: Any, reason: Any) -> Parameter:
    """Check a categorical parameter (its path and at least two distinct levels) and build
    it; whether the scenario accepts each level is checked when the analysis is planned.

    Raises:
        InputError: an unknown path, or fewer than two distinct levels.
    """
    prefix = f"{where}." if where else ""
    if not isinstance(path, str) or not path:
        raise InputError(source, f"{prefix}path", "missing: a dotted scenario path")
    if schema_type(path) is None:
        raise InputError(source, path, "unknown path (not a scenario field; see `feedsim schema`)")
    if not isinstance(levels, list) or any(isinstance(v, dict | list) for v in levels):
        raise InputError(source, f"{path} levels", f"must be a list of values (got {levels!r})")
    if len(levels) < 2 or len({repr(v) for v in levels}) != len(levels):
        raise InputError(
            source, f"{path} levels", f"needs at least two distinct values (got {levels!r})"
        )
    return Parameter(
        path, 0.0, 1.0, CATEGORICAL, str(reason or ""), source=source, levels=tuple(levels)
    )


def parse_param(text: str) -> Parameter:
    """One ``--param PATH=LOW:HIGH``, ``PATH=LOW:HIGH:log`` or ``PATH=A,B[,C...]`` option
    (the last: a categorical parameter over the listed values, read as YAML scalars;
    not through ``sim.sweep.paths.parse_value``, as the figures and reports, which load
    this module, may not load the sweep).

    Raises:
        InputError: naming ``--param`` (see :func:`make_parameter`, :func:`make_categorical`).
    """
    path, sep, rest = text.partition("=")
    if sep and "," in rest:
        levels = [yaml.safe_load(v.strip()) for v in rest.split(",")]
        return make_categorical("--param", "", path.strip(), levels, "")
    parts = rest.split(":")
    if not sep or len(parts) not in (2, 3):
        raise InputError(
            "--param", text, "expected PATH=LOW:HIGH, PATH=LOW:HIGH:log or PATH=A,B (levels)"
        )
    values: list[Any] = []
    for part in parts[:2]:
        try:
            values.append(float(part))
        except ValueError:
            values.append(part)
    scale = parts[2] if len(parts) == 3 else "linear"
    return make_parameter("--param", "", path.strip(), values[0], values[1], scale, "")


@dataclass(frozen=True)
class Ranges:
    """A ranges file: the sampled parameters and the arms the claim outcomes compare.

    Attributes:
        parameters: the ranges, in the file's order.
        comparison: the ``compare`` and ``outcomes`` sections, or None when the file has
            neither (the outcomes then compare the arms of the bundled studies by name).
    """

    parameters: list[Parameter]
    comparison: Comparison | None


RANGE_KEYS = ("path", "low", "high", "scale", "levels", "reason")
"""The keys of one range (``levels`` instead of ``low``, ``high`` and ``scale`` for a
categorical parameter)."""
FILE_KEYS = ("parameters", "compare", "outcomes")
"""The sections of a ranges file written as a mapping."""


def read_ranges(path: Path) -> Ranges:
    """A ranges file: a YAML list of ``{path, low, high, scale, reason}`` (or ``{path,
    levels, reason}`` for a categorical parameter), or a mapping with
    such a list under ``parameters`` and the arms the outcomes compare under ``compare``
    and ``outcomes`` (:func:`sim.sensitivity.outcomes.read_comparison`; a file with these
    may leave the parameters to ``--param``).

    Raises:
        InputError: naming the file, the entry and the problem.
    """
    raw = load_yaml(path)
    if raw is None:
        raise InputError(path, "", "is empty (expected a list of {path, low, high, scale, reason})")
    comparison = None
    if isinstance(raw, dict):
        extra = sorted(set(raw) - set(FILE_KEYS), key=str)
        if extra:
            raise InputError(path, str(extra[0]), f"unknown section ({', '.join(FILE_KEYS)})")
        comparison = read_comparison(raw, str(path))
        raw = raw.get("parameters", [] if comparison is not None else None)
        if raw == [] and comparison is not None:
            return Ranges([], comparison)
    if not isinstance(raw, list) or not raw:
        raise InputError(path, "", "expected a list of {path, low, high, scale, reason}")
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise InputError(path, f"[{i}]", "expected a mapping {path, low, high, ...}")
        extra = sorted(set(entry) - set(RANGE_KEYS))
        if extra:
            raise InputError(path, f"[{i}].{extra[0]}", f"unknown key ({', '.join(RANGE_KEYS)})")
        if "levels" in entry:
            clash = [k for k in ("low", "high", "scale") if k in entry]
            if clash:
                raise InputError(
                    path, f"[{i}].{clash[0]}", "a parameter with levels has no low, high or scale"
                )
            out.append(
                make_categorical(
                    str(path), f"[{i}]", entry.get("path"), entry["levels"], entry.get("reason")
                )
            )
            continue
        out.append(
            make_parameter(
                str(path),
                f"[{i}]",
                entry.get("path"),
                entry.get("low"),
                entry.get("high"),
                entry.get("scale", "linear"),
                entry.get("reason", ""),
            )
        )
    return Ranges(out, comparison)


def check_unique(parameters: list[Parameter], source: str) -> None:
    """A path may be given once and not inside another.

    Raises:
        InputError: a repeated or nested path; or no parameter at all.
    """
    if not parameters:
        raise InputError(source, "", "no parameters: give --ranges FILE or --param PATH=LOW:HIGH")
    for i, a in enumerate(parameters):
        for b in parameters[i + 1 :]:
            if a.path == b.path or b.path.startswith(a.path + "."):
                raise InputError(source, b.path, f"given twice (also as {a.path})")
