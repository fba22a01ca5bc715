"""Dotted paths into the scenario schema: the one walker behind params, sweeps and ranges.

A path is field names joined by dots; the items of a list are reached by their ``name``
where they have one (focal members, variants) and by an index from 0 otherwise (events,
activity classes, topics). :func:`resolve` follows a path through the pydantic models,
either of a loaded scenario (then every list item must exist, and the value found is
returned) or of the schema alone (then any name is taken, and no value is known).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

INDEX = "<i>"
"""Placeholder for a list item addressed by its position (0 is the first)."""
NAME = "<name>"
"""Placeholder for a list item addressed by its ``name``."""
ITEM_NOUNS = {"variants": "variant", "focal": "focal member"}
"""What an item of these lists is called in errors (others: ``item of <list>``)."""


class PathError(ValueError):
    """A path that names no field or item; the message names the place and the problem."""


class UnknownField(PathError):
    """A segment that names no field of the section the path reached.

    Attributes:
        at: the resolved segments before it.
    """

    def __init__(self, problem: str, at: tuple[str | int, ...]) -> None:
        super().__init__(problem)
        self.at = at


def strip(annotation: Any) -> tuple[Any, list[Any], bool]:
    """The type inside ``Annotated`` and ``| None``, its constraints, and whether None is ok."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            args = get_args(annotation)
            annotation = args[0]
            for extra in args[1:]:
                metadata.extend(extra.metadata if isinstance(extra, FieldInfo) else [extra])
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(members) < len(get_args(annotation))
            if len(members) != 1:
                return Union[tuple(members)], metadata, optional  # noqa: UP007
            annotation = members[0]
        else:
            return annotation, metadata, optional


def sections(annotation: Any) -> tuple[type[BaseModel], ...]:
    """The schema sections an annotation stands for: one model, or each model of a union."""
    annotation = strip(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (annotation,)
    if get_origin(annotation) in (Union, types.UnionType):
        found = [strip(a)[0] for a in get_args(annotation)]
        if found and all(isinstance(a, type) and issubclass(a, BaseModel) for a in found):
            return tuple(found)
    return ()


def list_item(annotation: Any) -> Any | None:
    """The annotation of a list field's items (through ``Annotated`` and ``| None``), or None."""
    annotation = strip(annotation)[0]
    return get_args(annotation)[0] if get_origin(annotation) is list else None


def named(item: Any) -> bool:
    """Whether the items of a list are addressed by ``name`` (sections that all have one)."""
    found = sections(item)
    return bool(found) and all("name" in s.model_fields for s in found)


def place(segments: Sequence[str | int]) -> str:
    """Resolved segments as errors name a field: ``variants[1].events[0].count``."""
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}"
    return text.lstrip(".")


@dataclass(frozen=True)
class Found:
    """Where a path leads.

    Attributes:
        section: the schema section (model) that holds the last field.
        field: that field's name in it.
        item: whether the path ends at a value inside a list field (e.g. ``topics.1``).
        value: the value there in the scenario walked (None when walking the schema alone).
        segments: the path resolved, after `start`: field names, and list items as indices
            (names as given when walking the schema alone).
        pattern: the path as ``feedsim params`` lists it (``focal.<name>.field``).
        models: the sections the path ends in (empty when it ends at a value).
    """

    section: type[BaseModel]
    field: str
    item: bool
    value: Any
    segments: tuple[str | int, ...]
    pattern: str
    models: tuple[type[BaseModel], ...]

    @property
    def info(self) -> FieldInfo:
        """The pydantic field the path names (the list field, for one of its items)."""
        return self.section.model_fields[self.field]


def _index(items: list[Any], segment: str | int, where: str) -> int:
    """The index of the list item `segment` names: the ``name`` of an item, or an index.

    Raises:
        PathError: no such item (listing the names and suggesting the closest), or an
            index out of range.
    """
    count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    names = [getattr(item, "name", None) if isinstance(item, BaseModel) else None for item in items]
    if segment in names:  # a name first: names may be digits too
        return names.index(segment)
    if isinstance(segment, int) or segment.isdigit():
        index = int(segment)
        if index >= len(items):
            last = f"0 to {len(items) - 1}" if items else "none"
            raise PathError(f"{where} has {count}; no index {index} (valid: {last})")
        return index
    valid = [n for n in names if isinstance(n, str)]
    if not valid:
        raise PathError(f"the items of {where} have no names; give an index ({count})")
    close = difflib.get_close_matches(segment, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    what = ITEM_NOUNS.get(where.rsplit(".", 1)[-1], f"item of {where}")
    raise PathError(f"no {what} named {segment!r} (valid names: {', '.join(valid)}){hint}")


def _schema_item(item: Any, segment: str | int, where: str) -> str | int:
    """A list item's segment when walking the schema alone: any name, or an index."""
    if isinstance(segment, int) or segment.isdigit():
        return int(segment)
    if named(item):
        return segment
    raise PathError(f"the items of {where} have no names; give an index")


def _tagged(models: tuple[type[BaseModel], ...], tag: str | int) -> type[BaseModel] | None:
    """The member of a union of sections whose discriminator value is `tag`, if any."""
    for model in models:
        for info in model.model_fields.values():
            if get_origin(info.annotation) is Literal and tag in get_args(info.annotation):
                return model
    return None


@dataclass
class _Walk:
    """Where a walk is: the sections it may be in, the value there, the list it is at."""

    models: tuple[type[BaseModel], ...]
    value: Any
    known: bool
    items: Any = None
    unset_list: bool = False


def _step_into_field(walk: _Walk, segment: str, at: tuple[str | int, ...]) -> type[BaseModel]:
    """Move `walk` into the field `segment` of its section; return the section."""
    if walk.known and isinstance(walk.value, BaseModel):
        owner: type[BaseModel] | None = type(walk.value)
    else:
        owner = next((m for m in walk.models if segment in m.model_fields), None)
    if owner is None or segment not in owner.model_fields:
        raise UnknownField(f"{place(at) or 'the scenario'} has no field {segment!r}", at)
    annotation = owner.model_fields[segment].annotation
    walk.value = getattr(walk.value, segment) if walk.known else None
    walk.items = list_item(annotation)
    walk.models = () if walk.items is not None else sections(annotation)
    walk.unset_list = walk.known and walk.items is not None and walk.value is None
    if walk.known and walk.value is None:
        walk.known = False  # a section left out (e.g. no trend): only the schema is known
    if walk.known and isinstance(walk.value, BaseModel):
        walk.models = (type(walk.value),)
    return owner


def _step_into_item(walk: _Walk, segment: str | int, where: str) -> str | int:
    """Move `walk` into the item `segment` of the list it is at; return the resolved segment."""
    if walk.unset_list:
        raise PathError(f"{where} is not a list here (it is None)")
    resolved: str | int
    if walk.known:
        resolved = _index(walk.value, segment, where)
        walk.value = walk.value[resolved]
    else:
        resolved = _schema_item(walk.items, segment, where)
    walk.models = sections(walk.items)
    if walk.known and isinstance(walk.value, BaseModel):
        walk.models = (type(walk.value),)
    walk.items = None
    return resolved


def resolve(
    root: BaseModel | type[BaseModel],
    segments: Sequence[str | int],
    start: tuple[str | int, ...] = (),
    tags: bool = False,
) -> Found:
    """Follow `segments` (field names, list items by name or index) from `root`.

    Args:
        root: a loaded scenario (or section) to walk, or a model class to walk the schema of.
        segments: the path, split at the dots (indices may be given as ints).
        start: the resolved segments that led to `root`, for naming places in errors.
        tags: take a discriminator value (``file``, ``prune``) as choosing the member of a
            union of sections, as pydantic's error locations do.

    Raises:
        UnknownField: a segment names no field of its section.
        PathError: an item that does not exist, or a path through a value.
    """
    if not segments:
        raise PathError("an empty path names no field")
    known = isinstance(root, BaseModel)
    walk = _Walk((type(root),) if isinstance(root, BaseModel) else (root,), root, known)
    resolved: list[str | int] = list(start)
    pattern: list[str] = []
    section, field, item = walk.models[0], "", False
    for segment in segments:
        where = place(resolved) or "the scenario"
        if walk.items is not None:
            placeholder = NAME if named(walk.items) else INDEX
            resolved.append(_step_into_item(walk, segment, where))
            pattern.append(placeholder)
            item = True
        elif not walk.models:
            raise PathError(f"{where} is a value, not a section or list")
        elif tags and len(walk.models) > 1 and (chosen := _tagged(walk.models, segment)):
            walk.models = (chosen,)
        else:
            section = _step_into_field(walk, str(segment), tuple(resolved))
            field, item = str(segment), False
            resolved.append(str(segment))
            pattern.append(str(segment))
    return Found(
        section=section,
        field=field,
        item=item and not walk.models,
        value=walk.value if walk.known else None,
        segments=tuple(resolved),
        pattern=".".join(pattern),
        models=walk.models,
    )
