"""Reading a scenario file: YAML without repeated keys or runaway aliases, and errors in words.

:func:`load_yaml` parses a file with :class:`UniqueKeyLoader`, which refuses a key repeated
in one mapping and a document whose aliases would expand beyond :data:`MAX_VALUES` values
(nested aliases grow exponentially: nine levels of nine make 387 million). Nothing is
walked or expanded before that check, so reading stays linear in the file's size. Its errors
say in plain words what the common slips mean (:data:`YAML_SLIPS`), with line and column, and
a missing file's message names the closest file in its folder. :func:`read_yaml` reads a
scenario file: a mapping, not empty.
:func:`describe_error` turns pydantic's first validation error into one
:class:`~sim.errors.InputError` naming the file, the field path and what is wrong.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import InputError, file_hint
from sim.scenario.base import NAME_PATTERN
from sim.scenario.paths import PathError, resolve
from sim.scenario.root import Scenario

MAX_VALUES = 100_000
"""Most values (mappings, lists, scalars, keys) a scenario file may hold once its aliases are
expanded; a scenario is a few hundred, and nested aliases can reach billions."""


def _section_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The schema section a pydantic error location points into (None if it is no section).

    Union members are told apart by the tag pydantic puts in the location (the value of
    their discriminator, e.g. ``synthetic`` or ``prune``).
    """
    if not loc:
        return Scenario
    try:
        found = resolve(Scenario, loc, tags=True)
    except PathError:
        return None
    return found.models[0] if len(found.models) == 1 else None


def _choices(expected: str) -> list[str]:
    """The quoted choices of a pydantic literal or tag error: ``'a', 'b' or 'c'``."""
    return re.findall(r"'([^']*)'", expected)


def _closest(given: Any, valid: list[str]) -> str:
    """``; did you mean 'x'?`` for the valid name closest to `given`, or ``""``."""
    close = difflib.get_close_matches(str(given), valid, n=1) if isinstance(given, str) else []
    return f"; did you mean {close[0]!r}?" if close else ""


def describe_error(error: ValidationError, path: Path, prefix: str = "") -> InputError:
    """The first pydantic error as one InputError naming the field path."""
    first = error.errors()[0]
    parts: list[str] = []
    for item in first["loc"]:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in ("synthetic", "file", "accept_invitations", "prune"):
            continue  # discriminator tags pydantic adds to the path
        else:
            name = str(item) if re.fullmatch(r"[\w-]+", str(item)) else repr(item)
            parts.append(("." if parts else "") + name)
    local = "".join(parts)
    message = str(first["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        head, sep, rest = message.partition(": ")
        if sep and re.match(r"^[\w.\[\]-]+$", head):
            local = f"{local}.{head}" if local else head
            message = rest
    field = prefix + local
    if first["type"] == "string_pattern_mismatch" and first["ctx"]["pattern"] == NAME_PATTERN:
        message = "must be lower-case letters, digits, - or _ (starting with a letter or digit)"
    if first["type"] == "extra_forbidden":
        section = _section_at(tuple(first["loc"][:-1]))
        key = first["loc"][-1]
        if section is None:
            message = "unknown key (not part of the scenario schema; see `feedsim params`)"
        else:
            valid = list(section.model_fields)
            message = f"unknown key (valid keys here: {', '.join(valid)}){_closest(key, valid)}"
    elif first["type"] == "literal_error":
        valid = _choices(str(first["ctx"]["expected"]))
        message = f"{message} (got {first['input']!r}){_closest(first['input'], valid)}"
    elif first["type"] == "union_tag_invalid":
        key = str(first["ctx"]["discriminator"]).strip("'")
        field = f"{field}.{key}" if field else key
        valid = _choices(str(first["ctx"]["expected_tags"]))
        tag = first["ctx"]["tag"]
        message = f"{tag!r} is not one of {', '.join(valid)}{_closest(tag, valid)}"
    elif first["type"] == "union_tag_not_found":
        message = f"missing key {first['ctx']['discriminator']} (see `feedsim schema`)"
    elif "input" in first and first["type"] not in ("missing",) and field:
        given = first["input"]
        if not isinstance(given, dict | list):
            message = f"{message} (got {given!r})"
        elif first["type"].endswith("_type"):
            message = f"{message} (got a {'list' if isinstance(given, list) else 'mapping'})"
    return InputError(path, field or prefix.rstrip(".") or "(top level)", message)


class DuplicateKeyError(yaml.YAMLError):
    """A key that appears more than once in one mapping of a YAML document.

    Attributes:
        field: the dotted path of the key (``network.members``).
        marks: where each occurrence starts.
    """

    def __init__(self, field: str, marks: list[yaml.Mark]) -> None:
        super().__init__(f"duplicate key {field}")
        self.field = field
        self.marks = marks

    def where(self) -> str:
        """``lines 3 and 9``; ``line 5, columns 12 and 27`` when they share a line."""
        lines = [m.line + 1 for m in self.marks]
        if len(set(lines)) == len(lines):
            return f"lines {_and(lines)}"
        if len(set(lines)) == 1:
            return f"line {lines[0]}, columns {_and([m.column + 1 for m in self.marks])}"
        return _and([f"line {m.line + 1} column {m.column + 1}" for m in self.marks])


def _and(items: list[Any]) -> str:
    """``3 and 7``, ``3, 5 and 7``."""
    texts = [str(item) for item in items]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


class TooLargeError(yaml.YAMLError):
    """A document whose aliases expand beyond :data:`MAX_VALUES` values, or refer to themselves."""


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for once its aliases are expanded (at most one more
    than :data:`MAX_VALUES`). Each node is counted once, by identity, so this takes time
    linear in the file however far its aliases would expand.

    Raises:
        TooLargeError: the node contains itself (a recursive alias).
    """
    known = sizes.get(id(node))
    if known is not None:
        if known < 0:
            raise TooLargeError("an alias refers to the list or mapping that contains it")
        return known
    sizes[id(node)] = -1  # being counted
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    total = 1
    for child in children:
        total = min(total + _expanded_size(child, sizes), MAX_VALUES + 1)
    sizes[id(node)] = total
    return total


def _key_paths(node: yaml.Node, path: str, paths: dict[int, str]) -> None:
    """Record the field path of every node under `node` (by node id): a node reached again
    through an alias keeps the path where it is first written (its anchor)."""
    if id(node) in paths:
        return
    paths[id(node)] = path
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            _key_paths(value, f"{path}.{name}" if path else name, paths)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _key_paths(item, f"{path}[{i}]", paths)


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated in one mapping (at any depth).

    PyYAML keeps the last value of a repeated key silently; in a scenario file that hides
    a mistake (two ``duration_days:`` lines), so it is an error naming both lines. Merge
    keys (``<<``) may still be overridden by the mapping's own keys. A document whose
    aliases would expand beyond :data:`MAX_VALUES` values is refused before anything
    expands them.
    """

    _paths: dict[int, str]

    def construct_document(self, node: yaml.Node) -> Any:
        """Check the document's expanded size and record its paths, then construct it."""
        if _expanded_size(node, {}) > MAX_VALUES:
            raise TooLargeError(
                f"too large once its aliases are expanded: more than {MAX_VALUES:,} values"
                " (aliases nested in aliases multiply; a scenario needs a few hundred)"
            )
        self._paths = {}
        _key_paths(node, "", self._paths)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """The mapping of `node`, refusing a key it holds twice (merge keys aside)."""
        marks: dict[Any, list[yaml.Mark]] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                marks.setdefault(key, []).append(key_node.start_mark)
            except TypeError:  # an unhashable key: the base constructor says so
                continue
        for key, where in marks.items():
            if len(where) > 1:
                parent = self._paths.get(id(node), "")
                raise DuplicateKeyError(f"{parent}.{key}" if parent else str(key), where)
        return super().construct_mapping(node, deep)


YAML_SLIPS = (
    ("expected <block end>", "the indentation does not match the lines above"),
    ("did not find expected key", "the indentation does not match the lines above"),
    ("did not find expected '-' indicator", "a list item needs '- ' at this indentation"),
    ("found character '\\t'", "a tab: YAML indents with spaces only"),
    (
        "mapping values are not allowed here",
        "a 'key:' where a value was expected (a line indented more than the key above it,"
        " or ': ' inside a value that needs quotes)",
    ),
    ("could not find expected ':'", "a line without 'key: value' (a missing colon?)"),
    ("expected ',' or ']'", "a list in [ ] is not closed, or its items lack a comma"),
    ("expected ',' or '}'", "a mapping in { } is not closed, or its entries lack a comma"),
    ("found unexpected end of stream", "a quote is not closed"),
    ("found undefined alias", "an alias (*name) without an anchor (&name) above it"),
)
"""PyYAML's words for common slips, and what they mean in a hand-written file."""


def _yaml_slip(exc: yaml.YAMLError) -> tuple[str, str]:
    """Where a YAML error is (``line 7, column 3``) and what it is, in plain words (the
    parser's own words for a slip :data:`YAML_SLIPS` does not know)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    for words, meaning in YAML_SLIPS:
        if words in problem:
            return where, f"{meaning} (YAML)"
    return where, f"malformed YAML: {problem}"


def load_yaml(path: Path) -> Any:
    """Parse a YAML file with :class:`UniqueKeyLoader` (None for an empty file).

    Raises:
        InputError: a missing file (with the closest name in its folder), an unreadable
            one, a repeated key, runaway aliases, or malformed YAML (line, column and what
            is wrong in plain words).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", f"file not found{file_hint(path)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"cannot read the file ({exc})") from None
    try:
        return yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader
    except DuplicateKeyError as exc:
        raise InputError(
            path,
            exc.field,
            f"duplicate key on {exc.where()} (a key may appear once; which value is meant?)",
        ) from None
    except TooLargeError as exc:
        raise InputError(path, "", str(exc)) from None
    except yaml.YAMLError as exc:
        raise InputError(path, *_yaml_slip(exc)) from None


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a scenario file into a mapping, with clear errors for unreadable or bad YAML."""
    raw = load_yaml(path)
    if raw is None:
        raise InputError(
            path, "", "is empty (a scenario file is a YAML mapping of fields, e.g. name: ...)"
        )
    if not isinstance(raw, dict):
        raise InputError(path, "", "a scenario file must be a YAML mapping of fields")
    return raw
