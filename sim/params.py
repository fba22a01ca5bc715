"""Parameter paths: every scenario field a sweep's ``--set`` reaches, read from the schema.

:func:`parameters` lists the leaves of the pydantic models of :mod:`sim.scenario` (so a
field added there appears here without further work), one :class:`Param` per leaf: its
dotted path, kind, default, unit, allowed range (from the ``ge``/``gt``/``le``/``lt``
constraints, the ``Literal`` choices and name patterns), description and source. Items of a list are
addressed by ``<name>`` when they have a name (focal members, variants) and by ``<i>`` (an
index from 0) otherwise (events, activity classes, topics); :mod:`sim.scenario.paths`
follows such a path. :func:`format_table` renders them for ``feedsim params``;
:func:`describe` explains one field for ``feedsim validate --set``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from sim.scenario import STUDY_LEVEL, Scenario
from sim.scenario.paths import INDEX, NAME, Found, PathError, named, resolve, sections, strip

REQUIRED = "(required)"
"""The default shown for a field without one."""


@dataclass(frozen=True)
class Param:
    """One path ``--set`` takes.

    Attributes:
        path: dotted path, with ``<i>``/``<name>`` for list items.
        kind: ``integer``, ``number``, ``true/false``, ``text``, ``file path`` or ``choice``.
        default: the default as text (``(required)`` when there is none).
        unit: the field's unit.
        allowed: the allowed values (``[0, 1]``, ``> 0``, ``a | b``), or ``""``.
        description: what the field means.
        source: where its value comes from, or ``""`` for non-parameters.
        applies: the kind of section it exists in (``file network``, ``prune event``), or ``""``.
        label: a short name for figure axes (the schema field's ``title``), or ``""``.
    """

    path: str
    kind: str
    default: str
    unit: str
    allowed: str
    description: str
    source: str
    applies: str = ""
    label: str = ""


# --------------------------------------------------------------------------- types


def _kind(annotation: Any) -> str:
    if get_origin(annotation) is Literal:
        return "choice"
    names = {bool: "true/false", int: "integer", float: "number", str: "text", Path: "file path"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _allowed(annotation: Any, metadata: Sequence[Any], optional: bool) -> str:
    """The allowed values: an interval from the bounds, the choices, or a name pattern."""
    if get_origin(annotation) is Literal:
        choices = " | ".join(str(c) for c in get_args(annotation))
    elif annotation is bool:
        choices = "true | false"
    else:
        low = high = ""
        pattern = ""
        for item in metadata:
            if isinstance(item, annotated_types.Ge):
                low = f"[{_number(item.ge)}"
            elif isinstance(item, annotated_types.Gt):
                low = f"({_number(item.gt)}"
            elif isinstance(item, annotated_types.Le):
                high = f"{_number(item.le)}]"
            elif isinstance(item, annotated_types.Lt):
                high = f"{_number(item.lt)})"
            elif getattr(item, "pattern", None):
                pattern = "lower-case letters, digits, - and _"
        if low and high:
            choices = f"{low}, {high}"
        elif low:
            choices = (">= " if low[0] == "[" else "> ") + low[1:]
        elif high:
            choices = ("<= " if high[-1] == "]" else "< ") + high[:-1]
        else:
            choices = pattern
    if optional:
        choices = f"{choices} or null" if choices else "null allowed"
    return choices


def _show(value: Any) -> str:
    """A default as a user would type it after ``--set PATH=``."""
    if value is PydanticUndefined:
        return REQUIRED
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.6g}" if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _extra(info: FieldInfo, key: str) -> str:
    extra = info.json_schema_extra
    value = extra.get(key) if isinstance(extra, dict) else None
    return str(value) if value else ""


def _default_of(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        return info.get_default(call_default_factory=True)
    return info.default


# --------------------------------------------------------------------------- the listing


def _leaves(
    model: type[BaseModel], prefix: str, defaults: list[Any] | None, applies: str
) -> Iterator[Param]:
    """The leaves of `model` under `prefix`.

    `defaults` holds the instances the defaults come from (several for the items of a
    list with a default, e.g. the activity classes), or None for the fields' own defaults.
    """
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation, metadata, optional = strip(info.annotation)
        metadata = [*metadata, *info.metadata]
        values = [_default_of(info)] if defaults is None else [getattr(d, name) for d in defaults]
        held = sections(annotation)
        if held:
            yield from _sections(held, f"{path}.", values, applies)
            continue
        if get_origin(annotation) is list:
            item, item_metadata, item_optional = strip(get_args(annotation)[0])
            items = [v for v in values if isinstance(v, list)]
            item_sections = sections(item)
            if item_sections:
                placeholder = NAME if named(item) else INDEX
                instances = [i for v in items for i in v] or None
                yield from _sections(
                    item_sections, f"{path}.{placeholder}.", instances and [instances], applies
                )
                continue
            yield Param(
                path=f"{path}.{INDEX}",
                kind=_kind(item),
                default=_show(values[0]) if len(values) == 1 else REQUIRED,
                unit=_extra(info, "unit"),
                allowed=_allowed(item, item_metadata, item_optional),
                description=info.description or "",
                source=_extra(info, "source"),
                applies=applies,
                label=info.title or "",
            )
            continue
        shown = [_show(v) for v in values]
        yield Param(
            path=path,
            kind=_kind(annotation),
            default=shown[0] if len(set(shown)) == 1 else ", ".join(shown) + " (by item)",
            unit=_extra(info, "unit"),
            allowed=_allowed(annotation, metadata, optional),
            description=info.description or "",
            source=_extra(info, "source"),
            applies=applies,
            label=info.title or "",
        )


def _sections(
    held: tuple[type[BaseModel], ...], prefix: str, values: list[Any] | None, applies: str
) -> Iterator[Param]:
    """The leaves of one section, or of each member of a union of sections."""
    for section in held:
        where = applies
        if len(held) > 1:
            where = _union_label(section)
        chosen = None
        if values is not None:
            flat = [v for group in values for v in (group if isinstance(group, list) else [group])]
            mine = [v for v in flat if isinstance(v, section)]
            chosen = mine or None
        yield from _leaves(section, prefix, chosen, where)


def _union_label(section: type[BaseModel]) -> str:
    """``file network``, ``prune event``: the discriminator value and what it selects."""
    for name in ("source", "action"):
        info = section.model_fields.get(name)
        if info is not None and get_origin(info.annotation) is Literal:
            tag = get_args(info.annotation)[0]
            return f"{tag} network" if name == "source" else f"{tag} event"
    return section.__name__


def _merge(params: list[Param]) -> list[Param]:
    """One row per path: a field shared by every member of a union is listed once."""
    rows: dict[str, Param] = {}
    for param in params:
        known = rows.get(param.path)
        if known is None:
            rows[param.path] = param
        elif known.kind == param.kind == "choice" and known.allowed != param.allowed:
            rows[param.path] = dataclasses.replace(  # a discriminator: its choices add up
                known,
                allowed=f"{known.allowed} | {param.allowed}",
                default=known.default if known.default != REQUIRED else param.default,
                applies="",
            )
        else:
            rows[param.path] = dataclasses.replace(known, applies="")
    return list(rows.values())


def parameters() -> list[Param]:
    """Every path ``--set`` takes, in schema order (study-level fields excluded).

    ``variants.<name>.PATH`` reaches any of them inside one variant (not listed again).
    """
    leaves = [
        p
        for p in _leaves(Scenario, "", None, "")
        if p.path.split(".")[0] not in STUDY_LEVEL or p.path == "duration_days"
    ]
    return _merge(leaves)


UNITLESS = ("", "-", "text", "switch", "option", "preset", "topic", "quantile")
"""Units not worth an axis label's parentheses."""


@functools.cache
def _by_pattern() -> dict[str, Param]:
    return {p.path: p for p in parameters()}


def find_param(path: str) -> Param | None:
    """The :class:`Param` a concrete dotted path names (``variants.x.platform.ranker`` names
    ``platform.ranker`` inside a variant; list items by name or index), or None."""
    segments = path.split(".")
    if len(segments) > 2 and segments[0] == "variants":
        segments = segments[2:]
    try:
        found = resolve(Scenario, segments)
    except PathError:
        return None
    return _by_pattern().get(found.pattern)


def axis_label(path: str, unit: bool = True) -> str:
    """A readable name of a scenario field for figure axes, with its unit:
    ``strangers' engagement (x)`` for ``behaviour.ties.stranger`` (without the unit when
    ``unit`` is false). Fields without a label fall back to their last two path segments
    in words; unknown paths are returned as is."""
    param = find_param(path)
    if param is None:
        return path
    name = param.label or " ".join(path.split(".")[-2:]).replace("_", " ")
    return name if not unit or param.unit in UNITLESS else f"{name} ({param.unit})"


IN_VARIANT = f"variants.{NAME}."
"""The prefix of a path inside one variant (``variants.accept-100-it.platform.ranker``)."""


def in_variant(params: Sequence[Param]) -> list[Param]:
    """The params as paths inside one variant: every one but ``duration_days`` (a study's
    runs share their length)."""
    return [
        dataclasses.replace(p, path=IN_VARIANT + p.path)
        for p in params
        if p.path != "duration_days"
    ]


def _globbing(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def matching(params: Sequence[Param], pattern: str | None) -> list[Param]:
    """The params whose path contains `pattern`, or matches it as a glob (``*``, ``?``, ``[``).

    A pattern that starts with ``variants`` is matched against the paths inside one variant
    (:func:`in_variant`), a variant's name in it standing for any (``variants.*``,
    ``variants.accept-100-it.platform.*``).
    """
    if not pattern:
        return list(params)
    if pattern.startswith("variants"):
        params = in_variant(params)
        segments = pattern.split(".")
        if len(segments) > 2 and not _globbing(segments[1]):
            segments[1] = NAME
            pattern = ".".join(segments)
    if _globbing(pattern):
        return [p for p in params if fnmatch.fnmatchcase(p.path, pattern)]
    return [p for p in params if pattern in p.path]


def format_table(params: Sequence[Param]) -> str:
    """The readable table of ``feedsim params``: one block per path."""
    headers = ("PATH", "DEFAULT", "UNIT", "ALLOWED")
    rows = [(p.path, p.default, p.unit, p.allowed or p.kind) for p in params]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    widths = [min(w, 48) for w in widths]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(headers)]
    for param, row in zip(params, rows, strict=True):
        out.append(line(row))
        text = param.description
        if param.applies:
            text = f"({param.applies} only) {text}"
        if text:
            out.append(f"    {text}")
        if param.source:
            out.append(f"    source: {param.source}")
    return "\n".join(out)


# --------------------------------------------------------------------------- one field


def describe(found: Found) -> str:
    """One line: the field's section, kind, allowed values, unit and meaning."""
    info = found.section.model_fields[found.field]
    annotation, metadata, optional = strip(info.annotation)
    metadata = [*metadata, *info.metadata]
    if found.item and get_origin(annotation) is list:
        annotation, metadata, optional = strip(get_args(annotation)[0])
    kind = _kind(annotation)
    allowed = _allowed(annotation, metadata, optional)
    unit = _extra(info, "unit")
    parts = [f"{found.section.__name__}.{found.field}{' item' if found.item else ''}: {kind}"]
    if allowed:
        parts.append(f"allowed {allowed}")
    if unit and unit not in ("-", "text"):
        parts.append(f"unit {unit}")
    return ", ".join(parts) + (f"; {info.description}" if info.description else "")


def show_value(value: Any) -> str:
    """A current value as a user would type it."""
    if isinstance(value, BaseModel):
        return "(a section)"
    return _show(value)
