"""Load a real network (edge list + node labels) into plain numpy arrays.

Accepted formats:

Edge list (``edges_path``)
    Text, one edge per line: ``u v`` separated by spaces and/or tabs. Node ids are
    non-negative integers, not necessarily contiguous. Columns after the first two
    (weights, timestamps) are ignored. Lines whose first non-blank character is ``#``
    or ``%`` are comments; blank lines are ignored. The file is gzip-compressed when
    its name ends in ``.gz``. Edges are undirected: duplicates and reversed duplicates
    collapse into one tie, and self-loops are dropped (a node seen only in a self-loop
    is still a member, with no ties).

Node labels (``labels_path``)
    * Text, one ``node label`` pair per line (same separators, comments, blank lines
      and ``.gz`` rule as the edge list). The label is any single token. A node may be
      listed again only with the same label.
    * JSON communities, when the name ends in ``.json`` or ``.json.gz``:
      ``{"communities": [[node, ...], ...], ...}`` (the CDlib format). Communities may
      overlap: each node's field is its largest community (ties go to the lower
      community index), named ``str(index)``.
    * ``None``: every member gets the single field ``"all"``.

Members are every node of the edge list plus every node of the label file, numbered
``0..n-1`` in increasing original id. Every problem in the input raises
:class:`sim.errors.InputError` naming the file, the place in it (``line 12``,
``node 17``, ``communities[3]``, or ``""``) and what to fix.

The common case (a clean integer edge list) is parsed by ``pandas.read_csv`` and
checked with vectorised numpy operations. When that fast path meets anything
unexpected, the file is re-read line by line in Python, which either finds the exact
line at fault or, for unusual but valid layouts, returns the same arrays.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import NoReturn

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.arrays import distinct
from sim.errors import InputError, file_hint

__all__ = ["LoadedGraph", "load_graph"]

_INT64_MAX = int(np.iinfo(np.int64).max)
_INT_BYTES_RE = re.compile(rb"[+-]?[0-9]+")
_INT_STR_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
# A comment line: optional blanks, then '#' or '%', up to the end of the line. The
# match starts at the preceding newline so that it can be replaced by a bare newline,
# which keeps every other line where it was.
_COMMENT_LINE_RE = re.compile(rb"\n[ \t\f\v]*[#%][^\r\n]*")
_GZIP_MAGIC = b"\x1f\x8b"
_UTF8_BOM = b"\xef\xbb\xbf"
# Bytes that can appear in an all-integer edge list (after comments are blanked).
_INTEGER_TEXT_BYTES = np.zeros(256, dtype=np.bool_)
_INTEGER_TEXT_BYTES[np.frombuffer(b"0123456789+- \t\r\n", dtype=np.uint8)] = True
_TOKEN_SHOWN = 40


@dataclass(frozen=True)
class LoadedGraph:
    """A network read from files, as plain arrays.

    Attributes:
        field_names: the distinct field names, sorted by their label (integer labels
            numerically, then the other labels as strings), each with the label prefix.
        field: int32, shape ``(n,)``: index into ``field_names`` for each member.
        u: int64, shape ``(m,)``: first end of each undirected tie, ``u < v``.
        v: int64, shape ``(m,)``: second end; pairs are unique and sorted by ``(u, v)``.
        original_ids: int64, shape ``(n,)``: the node id in the files of each member
            (increasing, so members are numbered in increasing original id).
    """

    field_names: tuple[str, ...]
    field: NDArray[np.int32]
    u: NDArray[np.int64]
    v: NDArray[np.int64]
    original_ids: NDArray[np.int64]


def _read_labels(
    labels_path: Path | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[str]]:
    """The labelled nodes, their label codes and the label texts: from CDlib JSON
    communities (``.json``, ``.json.gz``), a text ``node label`` file, or none at all."""
    if labels_path is None:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), []
    if labels_path.name.lower().endswith((".json", ".json.gz")):
        return _read_json_communities(labels_path)
    return _read_text_labels(labels_path)


def load_graph(
    edges_path: Path,
    labels_path: Path | None,
    *,
    missing_label: str | None = None,
    label_prefix: str = "",
) -> LoadedGraph:
    """Read an edge list and a node-label file into a :class:`LoadedGraph`.

    Args:
        edges_path: text edge list, one ``u v`` per line (whitespace or tab separated,
            extra columns ignored, ``#``/``%`` comment lines and blank lines skipped,
            gzip if the name ends in ``.gz``). Node ids are non-negative integers.
        labels_path: text ``node label`` per line (same rules; gzip if ``.gz``), or
            CDlib JSON communities ``{"communities": [[node, ...], ...]}`` if the name
            ends in ``.json`` or ``.json.gz`` (each node takes its largest community,
            ties to the lower index, named by the community index), or ``None`` to put
            every member in the single field ``"all"``.
        missing_label: field name for members that have no label (or, with
            ``labels_path=None``, the name of the single field). If ``None``, a member
            without a label is an error.
        label_prefix: text put before every label from the label file to make its
            field name (``"dept-"`` turns label ``3`` into ``"dept-3"``). It is not put
            before ``missing_label`` or ``"all"``.

    Returns:
        The members, their fields and the undirected simple graph between them.

    Raises:
        InputError: a file is missing or unreadable, a line or entry is malformed,
            the edge list has no edges, a node has two different labels, or some
            members have no label and ``missing_label`` is ``None``.
    """
    edges_path = Path(edges_path)
    src, dst = _read_edges(edges_path)
    labels_path = None if labels_path is None else Path(labels_path)
    label_nodes, label_codes, raw_labels = _read_labels(labels_path)

    m = src.size
    original_ids, inverse = np.unique(np.concatenate([src, dst, label_nodes]), return_inverse=True)
    original_ids = original_ids.astype(np.int64, copy=False)
    inverse = inverse.astype(np.int64, copy=False).reshape(-1)
    n = int(original_ids.size)
    iu, iv, il = inverse[:m], inverse[m : 2 * m], inverse[2 * m :]

    keep = iu != iv
    if not keep.any():
        raise InputError(
            edges_path,
            "",
            f"no edges between two different nodes: all {m} edge lines are self-loops",
        )
    a = np.minimum(iu[keep], iv[keep])
    b = np.maximum(iu[keep], iv[keep])
    keys = distinct(a * n + b)
    u = (keys // n).astype(np.int64, copy=False)
    v = (keys % n).astype(np.int64, copy=False)

    if labels_path is None:
        names: tuple[str, ...] = (missing_label if missing_label is not None else "all",)
        field = np.zeros(n, dtype=np.int32)
    else:
        names, field = _assign_fields(
            n,
            il,
            label_codes,
            raw_labels,
            original_ids,
            labels_path,
            missing_label=missing_label,
            label_prefix=label_prefix,
        )
    return LoadedGraph(field_names=names, field=field, u=u, v=v, original_ids=original_ids)


def load_follows(
    path: Path, original_ids: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Read a follows edge list (``u v`` per line: u follows v) onto a loaded graph's members.

    Same format rules as the edges of :func:`load_graph`; ids are the graph's original node
    ids (``original_ids``, increasing). Self-follows and repeated lines are dropped.

    Returns:
        follower, followee: member indices (int64), sorted by (follower, followee).

    Raises:
        InputError: the file is missing, unreadable, malformed, has no lines, or names a
            node that is not in the network.
    """
    path = Path(path)
    src, dst = _read_edges(path)
    ids = np.concatenate([src, dst])
    index = np.minimum(np.searchsorted(original_ids, ids), original_ids.size - 1)
    unknown = original_ids[index] != ids
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        raise InputError(path, "", f"node {int(ids[first])} is not in the network's edge list")
    follower, followee = index[: src.size], index[src.size :]
    n = original_ids.size
    keys = distinct(follower * n + followee)
    follower, followee = keys // n, keys % n
    keep = follower != followee
    return follower[keep].astype(np.int64), followee[keep].astype(np.int64)


# --------------------------------------------------------------------------- reading files


def _read_bytes(path: Path) -> bytes:
    """Return the (decompressed) bytes of a file, or raise InputError with field ""."""
    try:
        with path.open("rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise InputError(path, "", f"file not found{file_hint(path)}") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a directory, not a file") from None
    except PermissionError:
        raise InputError(path, "", "cannot be read: permission denied") from None
    except OSError as exc:
        raise InputError(path, "", f"cannot be read: {exc.strerror or exc}") from None
    if path.is_dir():  # some platforms open directories without an error
        raise InputError(path, "", "is a directory, not a file")
    if path.name.lower().endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            raise InputError(path, "", "is not a valid gzip file (the name ends in .gz)") from None
    elif raw.startswith(_GZIP_MAGIC):
        raise InputError(
            path, "", "looks gzip-compressed but its name does not end in .gz; rename it"
        )
    if raw.startswith(_UTF8_BOM):
        raw = raw[len(_UTF8_BOM) :]
    return raw


def _blank_comment_lines(data: bytes) -> bytes:
    """Replace comment lines by empty lines (so line numbers do not move)."""
    if b"#" not in data and b"%" not in data:
        return data
    return _COMMENT_LINE_RE.sub(b"\n", b"\n" + data)[1:]


def _lines(data: bytes) -> list[tuple[int, list[bytes]]]:
    """Split text into (1-based line number, tokens), without comment and blank lines."""
    out: list[tuple[int, list[bytes]]] = []
    for number, line in enumerate(data.splitlines(), start=1):
        tokens = line.split()
        if tokens and not tokens[0].startswith((b"#", b"%")):
            out.append((number, tokens))
    return out


def _show(token: bytes) -> str:
    """A token as text for an error message (shortened if long)."""
    text = token.decode("utf-8", errors="replace")
    if len(text) > _TOKEN_SHOWN:
        text = text[:_TOKEN_SHOWN] + "..."
    return repr(text)


def _parse_node_id(token: bytes, source: Path, where: str) -> int:
    """Parse one node id token, or raise InputError at ``where``."""
    if _INT_BYTES_RE.fullmatch(token) is None:
        raise InputError(source, where, f"non-integer node id {_show(token)}")
    value = int(token)
    if value < 0:
        raise InputError(source, where, f"negative node id {value}; node ids must be >= 0")
    if value > _INT64_MAX:
        raise InputError(source, where, f"node id {value} is too large (at most 2**63 - 1)")
    return value


def _read_columns_fast(data: bytes, integer_only: bool) -> pd.DataFrame:
    """Parse the first two whitespace-separated columns with pandas (may raise anything)."""
    if integer_only:
        return pd.read_csv(
            io.BytesIO(data),
            sep=r"\s+",
            header=None,
            usecols=[0, 1],
            dtype=np.int64,
            engine="c",
        )
    return pd.read_csv(
        io.BytesIO(data),
        sep=r"\s+",
        header=None,
        usecols=[0, 1],
        dtype=str,
        na_filter=False,
        engine="c",
        encoding="utf-8",
    )


def _integer_column(column: pd.Series[str]) -> NDArray[np.int64] | None:
    """The column as int64 if every entry is a plain integer, else ``None``."""
    if not bool(column.str.fullmatch(r"[+-]?[0-9]+").all()):
        return None
    return np.asarray(column.astype(np.int64), dtype=np.int64)


# --------------------------------------------------------------------------- edge list


def _read_edges(path: Path) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Read the first two columns of an edge list as int64 arrays (one row per line)."""
    data = _blank_comment_lines(_read_bytes(path))
    fast = _read_edges_fast(data)
    src, dst = fast if fast is not None else _read_edges_slow(data, path)
    if src.size == 0:
        raise InputError(path, "", "no edges: the file has no 'u v' lines")
    return src, dst


def _read_edges_fast(data: bytes) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Vectorised parse; ``None`` if the file needs the careful line-by-line pass."""
    if not data.strip():
        return None
    integer_only = bool(_INTEGER_TEXT_BYTES[np.frombuffer(data, dtype=np.uint8)].all())
    try:
        frame = _read_columns_fast(data, integer_only)
        if frame.shape[1] != 2:
            return None
        if integer_only:
            src = frame[0].to_numpy(dtype=np.int64)
            dst = frame[1].to_numpy(dtype=np.int64)
        else:
            first = _integer_column(frame[0])
            second = _integer_column(frame[1])
            if first is None or second is None:
                return None
            src, dst = first, second
    except Exception:  # any parser complaint: the slow pass finds the line and the reason
        return None
    if src.size and (src.min() < 0 or dst.min() < 0):
        return None
    return src, dst


def _read_edges_slow(data: bytes, path: Path) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Line-by-line parse that names the first bad line."""
    src: list[int] = []
    dst: list[int] = []
    for number, tokens in _lines(data):
        where = f"line {number}"
        if len(tokens) < 2:
            raise InputError(
                path, where, "expected two node ids 'u v' but the line has only one column"
            )
        src.append(_parse_node_id(tokens[0], path, where))
        dst.append(_parse_node_id(tokens[1], path, where))
    return np.array(src, dtype=np.int64), np.array(dst, dtype=np.int64)


# --------------------------------------------------------------------------- text labels


def _read_text_labels(
    path: Path,
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[str]]:
    """Read ``node label`` lines: unique nodes, label codes, and the labels coded."""
    data = _blank_comment_lines(_read_bytes(path))
    fast = _read_text_labels_fast(data)
    nodes, labels = fast if fast is not None else _read_text_labels_slow(data, path)
    if nodes.size == 0:
        raise InputError(path, "", "no labels: the file has no 'node label' lines")
    raw, codes = np.unique(labels, return_inverse=True)
    return nodes, codes.astype(np.int64).reshape(-1), [str(x) for x in raw]


def _read_text_labels_fast(
    data: bytes,
) -> tuple[NDArray[np.int64], NDArray[np.str_]] | None:
    """Vectorised parse; ``None`` if the file needs the careful line-by-line pass."""
    if not data.strip():
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=r"\s+",
            header=None,
            dtype=str,
            na_filter=False,
            engine="c",
            encoding="utf-8",
        )
        if frame.shape[1] != 2:
            return None
        nodes = _integer_column(frame[0])
        if nodes is None or nodes.min() < 0:
            return None
        if not bool((frame[1].str.len() > 0).all()):
            return None
        labels = frame[1].to_numpy(dtype=np.str_)
    except Exception:  # any parser complaint: the slow pass finds the line and the reason
        return None
    order = np.lexsort((labels, nodes))
    nodes, labels = nodes[order], labels[order]
    same_node = nodes[1:] == nodes[:-1]
    if bool(np.any(same_node & (labels[1:] != labels[:-1]))):
        return None  # a node with two labels: the slow pass names the line
    keep = np.concatenate([[True], ~same_node])
    return nodes[keep], labels[keep]


def _read_text_labels_slow(data: bytes, path: Path) -> tuple[NDArray[np.int64], NDArray[np.str_]]:
    """Line-by-line parse that names the first bad line."""
    seen: dict[int, tuple[str, int]] = {}
    for number, tokens in _lines(data):
        where = f"line {number}"
        if len(tokens) < 2:
            raise InputError(path, where, "missing label: expected 'node label'")
        if len(tokens) > 2:
            raise InputError(
                path,
                where,
                f"expected 'node label' but the line has {len(tokens)} columns; "
                "a label must be a single token without spaces",
            )
        node = _parse_node_id(tokens[0], path, where)
        try:
            label = tokens[1].decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(path, where, "the label is not valid UTF-8 text") from None
        previous = seen.get(node)
        if previous is None:
            seen[node] = (label, number)
        elif previous[0] != label:
            raise InputError(
                path,
                where,
                f"node {node} is listed twice with different labels: "
                f"{previous[0]!r} on line {previous[1]} and {label!r} here",
            )
    nodes = np.array(sorted(seen), dtype=np.int64)
    labels = np.array([seen[int(x)][0] for x in nodes], dtype=np.str_)
    return nodes, labels


# --------------------------------------------------------------------------- JSON communities


def _read_json_communities(
    path: Path,
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[str]]:
    """Read CDlib communities: each node's largest community (lower index on ties)."""
    data = _read_bytes(path)
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, f"line {exc.lineno}", f"malformed JSON: {exc.msg} (column {exc.colno})"
        ) from None
    except (ValueError, RecursionError):  # undecodable text, absurd nesting
        raise InputError(path, "", "malformed JSON: not valid UTF-8 JSON text") from None
    if not isinstance(document, dict) or not isinstance(document.get("communities"), list):
        raise InputError(
            path,
            "communities",
            'expected a JSON object with a "communities" list of lists of node ids',
        )
    communities: list[object] = document["communities"]
    if not communities:
        raise InputError(path, "communities", "the communities list is empty")
    for index, community in enumerate(communities):
        if not isinstance(community, list):
            raise InputError(path, f"communities[{index}]", "expected a list of integer node ids")
    lists: list[list[object]] = communities  # type: ignore[assignment]  # checked above
    flat = list(chain.from_iterable(lists))
    if not set(map(type, flat)) <= {int}:
        _raise_first_bad_member(path, lists)
    try:
        members = np.array(flat, dtype=np.int64)
    except OverflowError:
        _raise_first_bad_member(path, lists)
    if members.size and members.min() < 0:
        _raise_first_bad_member(path, lists)

    sizes_listed = np.array([len(c) for c in lists], dtype=np.int64)
    community = np.repeat(np.arange(len(lists), dtype=np.int64), sizes_listed)
    # Distinct (node, community) pairs; community size counts distinct members.
    order = np.lexsort((community, members))
    members, community = members[order], community[order]
    distinct = np.concatenate(
        [[True], (members[1:] != members[:-1]) | (community[1:] != community[:-1])]
    )
    members, community = members[distinct], community[distinct]
    size = np.bincount(community, minlength=len(lists))
    # For each node: largest size first, then lowest community index.
    order = np.lexsort((community, -size[community], members))
    members, community = members[order], community[order]
    first = np.concatenate([[True], members[1:] != members[:-1]])
    nodes, chosen = members[first], community[first]
    used, codes = np.unique(chosen, return_inverse=True)
    return nodes, codes.astype(np.int64).reshape(-1), [str(int(c)) for c in used]


def _raise_first_bad_member(path: Path, communities: list[list[object]]) -> NoReturn:
    """Raise InputError for the first entry that is not a non-negative int64."""
    for index, community in enumerate(communities):
        for entry in community:
            where = f"communities[{index}]"
            if type(entry) is not int:
                raise InputError(
                    path, where, f"non-integer node id {json.dumps(entry)[:_TOKEN_SHOWN]}"
                )
            if entry < 0:
                raise InputError(path, where, f"negative node id {entry}; node ids must be >= 0")
            if entry > _INT64_MAX:
                raise InputError(path, where, f"node id {entry} is too large (at most 2**63 - 1)")
    raise InputError(path, "communities", "unreadable community lists")  # pragma: no cover


# --------------------------------------------------------------------------- fields


def _label_sort_key(label: str) -> tuple[int, int, str]:
    """Integer labels first, in numeric order; then the others, as strings."""
    if _INT_STR_RE.fullmatch(label):
        return (0, int(label), label)
    return (1, 0, label)


def _assign_fields(
    n: int,
    member_index: NDArray[np.int64],
    codes: NDArray[np.int64],
    raw_labels: list[str],
    original_ids: NDArray[np.int64],
    labels_path: Path,
    *,
    missing_label: str | None,
    label_prefix: str,
) -> tuple[tuple[str, ...], NDArray[np.int32]]:
    """Turn per-node label codes into sorted field names and a field per member."""
    field = np.full(n, -1, dtype=np.int64)
    field[member_index] = codes
    unlabelled = field < 0
    count_missing = int(np.count_nonzero(unlabelled))

    # name -> sort key; a file label wins if missing_label happens to equal its name.
    keys: dict[str, tuple[int, int, str]] = {}
    code_names = [label_prefix + raw for raw in raw_labels]
    for raw, name in zip(raw_labels, code_names, strict=True):
        keys.setdefault(name, _label_sort_key(raw))
    if count_missing:
        if missing_label is None:
            first = int(original_ids[np.argmax(unlabelled)])
            raise InputError(
                labels_path,
                f"node {first}",
                f"{count_missing} of {n} nodes have no label in this file "
                f"(the smallest such id is {first}); label them, or set `missing_label` "
                "in the scenario's network section to give them a field",
            )
        keys.setdefault(missing_label, _label_sort_key(missing_label))

    names = tuple(sorted(keys, key=lambda name: keys[name]))
    position = {name: i for i, name in enumerate(names)}
    remap = np.array([position[name] for name in code_names], dtype=np.int64)
    result = np.empty(n, dtype=np.int32)
    labelled = ~unlabelled
    result[labelled] = remap[field[labelled]]
    if count_missing and missing_label is not None:
        result[unlabelled] = position[missing_label]
    return names, result
