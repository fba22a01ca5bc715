"""Tests for sim.loaders: formats, array values, and one InputError per kind of bad input."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.arrays import distinct, first_of_runs
from sim.errors import InputError
from sim.loaders import (
    LoadedGraph,
    _blank_comment_lines,
    _read_edges_fast,
    _read_edges_slow,
    load_graph,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    """Write a test file; gzip it when the name ends in .gz."""
    data = content.encode() if isinstance(content, str) else content
    if name.endswith(".gz"):
        data = gzip.compress(data)
    path = directory / name
    path.write_bytes(data)
    return path


def edge_pairs(graph: LoadedGraph) -> list[tuple[int, int]]:
    """The ties as pairs of original ids."""
    ids = graph.original_ids
    return list(zip(ids[graph.u].tolist(), ids[graph.v].tolist(), strict=True))


def fields_by_id(graph: LoadedGraph) -> dict[int, str]:
    """Field name of each member, keyed by original id."""
    return {
        int(node): graph.field_names[int(f)]
        for node, f in zip(graph.original_ids, graph.field, strict=True)
    }


def load_error(edges: Path, labels: Path | None = None, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        load_graph(edges, labels, **kwargs)
    return info.value


# ----------------------------------------------------------------------------- edge lists


def test_edge_list_remaps_dedups_and_drops_self_loops(tmp_path: Path) -> None:
    edges = write(
        tmp_path,
        "edges.txt",
        "# a SNAP-style header\n"
        "% a Matrix-Market-style comment\n"
        "\n"
        "10 30\n"
        "30 10\n"  # reversed duplicate
        "10\t30\t0.5\n"  # duplicate, tab separated, with a weight column
        "  20   10  7 x\n"  # leading blanks, extra columns
        "40 40\n"  # self-loop only: a member without ties
        "   # indented comment\n"
        "\n"
        "20 30",  # no trailing newline
    )
    graph = load_graph(edges, None)
    assert graph.original_ids.tolist() == [10, 20, 30, 40]
    assert graph.u.tolist() == [0, 0, 1]
    assert graph.v.tolist() == [1, 2, 2]
    assert edge_pairs(graph) == [(10, 20), (10, 30), (20, 30)]
    assert graph.field_names == ("all",)
    assert graph.field.tolist() == [0, 0, 0, 0]
    assert graph.u.dtype == np.int64 and graph.v.dtype == np.int64
    assert graph.original_ids.dtype == np.int64 and graph.field.dtype == np.int32


def test_edges_are_sorted_unique_and_oriented(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "5 1\n3 2\n1 3\n2 1\n5 3\n1 5\n3 1\n")
    graph = load_graph(edges, None)
    assert graph.original_ids.tolist() == [1, 2, 3, 5]
    assert list(zip(graph.u.tolist(), graph.v.tolist(), strict=True)) == [
        (0, 1),
        (0, 2),
        (0, 3),
        (1, 2),
        (2, 3),
    ]


def test_gzip_edges_crlf_and_missing_label_as_single_field(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt.gz", "# header\r\n0 1\r\n1 2\r\n")
    graph = load_graph(edges, None, missing_label="everyone")
    assert edge_pairs(graph) == [(0, 1), (1, 2)]
    assert graph.field_names == ("everyone",)


def test_cr_only_line_endings(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "# header\r0 1\r% c\r1 2\r")
    assert edge_pairs(load_graph(edges, None)) == [(0, 1), (1, 2)]
    bad = write(tmp_path, "bad.txt", "# header\r0 1\r1 z\r")
    error = load_error(bad)
    assert (error.field, error.problem) == ("line 3", "non-integer node id 'z'")


def test_float_weights_and_signed_ids_take_the_careful_path(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "1 2 0.25\n+3 1 1e-3\n2 3 x\n")
    graph = load_graph(edges, None)
    assert edge_pairs(graph) == [(1, 2), (1, 3), (2, 3)]


@pytest.mark.parametrize(
    "content",
    [
        "1 2\n3 4\n",
        "# c\n1 2 3\n\n4 5\n% c\n6 7 8 9",
        "1\t2\r\n2\t3\r\n",
        "1 2 0.5\n2 3 w\n",
        "1\x0b2\n",  # vertical tab: pandas gives up, the line-by-line pass reads it
    ],
)
def test_fast_and_careful_parsers_agree(tmp_path: Path, content: str) -> None:
    data = _blank_comment_lines(content.encode())
    slow = _read_edges_slow(data, tmp_path / "x")
    fast = _read_edges_fast(data)
    if fast is not None:
        assert fast[0].tolist() == slow[0].tolist()
        assert fast[1].tolist() == slow[1].tolist()
    graph = load_graph(write(tmp_path, "e.txt", content), None)
    assert graph.u.size > 0


# ----------------------------------------------------------------------------- text labels


def test_text_labels_sorted_numerically_with_prefix(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "100 200\n200 300\n")
    labels = write(
        tmp_path,
        "labels.txt",
        "# node department\n100 10\n200\t2\n300 1\n200 2\n400 10\n",  # 200 repeated, same label
    )
    graph = load_graph(edges, labels, label_prefix="dept-")
    assert graph.field_names == ("dept-1", "dept-2", "dept-10")
    assert graph.original_ids.tolist() == [100, 200, 300, 400]  # 400: labelled, no ties
    assert graph.field.tolist() == [2, 1, 0, 2]
    assert edge_pairs(graph) == [(100, 200), (200, 300)]


def test_text_labels_sorted_as_strings_and_gzip(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n1 2\n2 3\n")
    labels = write(tmp_path, "labels.tsv.gz", "0 sales\n1 C#\n2 NA\n3 ops%\n")
    graph = load_graph(edges, labels)
    assert graph.field_names == ("C#", "NA", "ops%", "sales")
    assert fields_by_id(graph) == {0: "sales", 1: "C#", 2: "NA", 3: "ops%"}


def test_mixed_labels_put_integers_first(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n1 2\n2 3\n")
    labels = write(tmp_path, "labels.txt", "0 10\n1 b\n2 9\n3 a\n")
    graph = load_graph(edges, labels)
    assert graph.field_names == ("9", "10", "a", "b")


def test_missing_label_names_the_unlabelled_nodes(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "1 2\n2 17\n17 30\n30 5\n")
    labels = write(tmp_path, "labels.txt", "1 2\n2 1\n30 1\n")
    graph = load_graph(edges, labels, missing_label="none-field-name", label_prefix="f")
    assert graph.field_names == ("f1", "f2", "none-field-name")
    assert fields_by_id(graph) == {
        1: "f2",
        2: "f1",
        5: "none-field-name",
        17: "none-field-name",
        30: "f1",
    }


def test_missing_labels_without_missing_label_is_an_error(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "1 2\n2 17\n17 30\n30 5\n")
    labels = write(tmp_path, "labels.txt", "1 a\n2 a\n30 b\n")
    error = load_error(edges, labels)
    assert error.source == str(labels)
    assert error.field == "node 5"
    assert "2 of 5 nodes have no label" in error.problem
    assert "`missing_label`" in error.problem
    assert "network section" in error.problem


# ----------------------------------------------------------------------------- JSON communities


def test_json_communities_largest_wins_ties_to_lower_index(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n1 2\n2 3\n3 4\n4 5\n")
    communities = {
        "communities": [
            [0, 1],  # 0: size 2
            [1, 2, 3],  # 1: size 3
            [3, 4, 5],  # 2: size 3 (ties with 1 for node 3)
            [5, 6, 5, 6],  # 3: size 2 once duplicates are dropped
            [0, 2],  # 4: size 2, nobody's largest (0 prefers community 0)
        ],
        "algorithm": None,
        "overlap": False,
    }
    labels = write(tmp_path, "communities.json", json.dumps(communities))
    graph = load_graph(edges, labels, label_prefix="venue-")
    assert graph.original_ids.tolist() == [0, 1, 2, 3, 4, 5, 6]  # 6: only in a community
    assert graph.field_names == ("venue-0", "venue-1", "venue-2", "venue-3")
    assert fields_by_id(graph) == {
        0: "venue-0",
        1: "venue-1",
        2: "venue-1",
        3: "venue-1",
        4: "venue-2",
        5: "venue-2",
        6: "venue-3",
    }


def test_json_gz_communities_index_order_and_missing(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n1 2\n2 3\n")
    comms = [[9]] * 10 + [[0, 1]] + [[2]]  # community 10 and 11 used; 0..9 only hold node 9
    labels = write(tmp_path, "c.json.gz", json.dumps({"communities": comms}))
    graph = load_graph(edges, labels, missing_label="none")
    assert graph.field_names == ("0", "10", "11", "none")
    assert fields_by_id(graph) == {0: "10", 1: "10", 2: "11", 3: "none", 9: "0"}
    error = load_error(edges, labels)
    assert (error.source, error.field) == (str(labels), "node 3")
    assert "1 of 5 nodes have no label" in error.problem


# ----------------------------------------------------------------------------- errors


def test_edge_file_missing(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    error = load_error(path)
    assert (error.source, error.field) == (str(path), "")
    assert "file not found" in error.problem


def test_edge_file_is_a_directory(tmp_path: Path) -> None:
    error = load_error(tmp_path)
    assert (error.source, error.field) == (str(tmp_path), "")
    assert "directory" in error.problem


def test_edge_file_unreadable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "edges.txt", "0 1\n")

    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    error = load_error(path)
    assert (error.source, error.field) == (str(path), "")
    assert "permission denied" in error.problem


@pytest.mark.parametrize(
    ("name", "content", "field", "words"),
    [
        ("e.txt", "# header\n\n0 1\n1 abc\n", "line 4", ["non-integer node id 'abc'"]),
        ("e.txt", "abc 1\n", "line 1", ["non-integer node id 'abc'"]),
        ("e.txt", "0 1\n1.5 2\n", "line 2", ["non-integer node id '1.5'"]),
        ("e.txt", "0 1\n1e3 2\n", "line 2", ["non-integer node id '1e3'"]),
        ("e.txt", "0 1 0.5\n1 x 0.5\n", "line 2", ["non-integer node id 'x'"]),
        ("e.txt", "0 1\n% c\n2\n", "line 3", ["two node ids", "one column"]),
        ("e.txt", "7\n1 2\n", "line 1", ["two node ids", "one column"]),
        ("e.txt", "0 1\n\n2 -3\n", "line 3", ["negative node id -3"]),
        ("e.txt", "0 1\n1 99999999999999999999\n", "line 2", ["too large"]),
        ("e.txt", "0 1\n\xff\xfe 2\n".encode("latin-1"), "line 2", ["non-integer node id"]),
        ("e.txt.gz", "0 1\n1 two\n", "line 2", ["non-integer node id 'two'"]),
        ("e.txt", "", "", ["no edges"]),
        ("e.txt", "# only\n% comments\n\n", "", ["no edges"]),
        ("e.txt", "3 3\n4 4\n", "", ["no edges", "self-loops"]),
    ],
)
def test_bad_edge_lists(
    tmp_path: Path, name: str, content: str | bytes, field: str, words: list[str]
) -> None:
    path = write(tmp_path, name, content)
    error = load_error(path)
    assert (error.source, error.field) == (str(path), field)
    for word in words:
        assert word in error.problem


def test_bad_gzip_names(tmp_path: Path) -> None:
    fake = tmp_path / "edges.txt.gz"
    fake.write_bytes(b"0 1\n")
    error = load_error(fake)
    assert (error.source, error.field) == (str(fake), "")
    assert "gzip" in error.problem
    hidden = tmp_path / "edges.txt"
    hidden.write_bytes(gzip.compress(b"0 1\n"))
    error = load_error(hidden)
    assert (error.source, error.field) == (str(hidden), "")
    assert "gzip" in error.problem and ".gz" in error.problem


def test_label_file_missing(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n")
    for name in ("labels.txt", "labels.json"):
        error = load_error(edges, tmp_path / name)
        assert (error.source, error.field) == (str(tmp_path / name), "")
        assert "file not found" in error.problem


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ("0 a\n# c\nx b\n", "line 3", ["non-integer node id 'x'"]),
        ("0 a\n1.0 b\n", "line 2", ["non-integer node id '1.0'"]),
        ("0 a\n-1 b\n", "line 2", ["negative node id -1"]),
        ("0 a\n\n1\n", "line 3", ["missing label"]),
        ("0\n1 b\n", "line 1", ["missing label"]),
        ("0 a\n1 Computer Science\n", "line 2", ["3 columns", "single token"]),
        ("0 a\n1 b\n% c\n0 b\n", "line 4", ["node 0", "different labels", "line 1"]),
        (b"0 a\n1 \xff\n", "line 2", ["UTF-8"]),
        ("# nothing\n", "", ["no labels"]),
    ],
)
def test_bad_text_labels(
    tmp_path: Path, content: str | bytes, field: str, words: list[str]
) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n")
    labels = write(tmp_path, "labels.txt", content)
    error = load_error(edges, labels)
    assert (error.source, error.field) == (str(labels), field)
    for word in words:
        assert word in error.problem


@pytest.mark.parametrize(
    ("content", "field", "words"),
    [
        ('{"communities": [[0, 1]', "line 1", ["malformed JSON"]),
        (b"\xff\xfe\xfa", "", ["malformed JSON"]),
        ("[[0, 1]]", "communities", ['"communities" list']),
        ('{"groups": [[0, 1]]}', "communities", ['"communities" list']),
        ('{"communities": {"a": [0]}}', "communities", ['"communities" list']),
        ('{"communities": []}', "communities", ["empty"]),
        ('{"communities": [[0], 1]}', "communities[1]", ["list of integer"]),
        ('{"communities": [[0], [1, "2"]]}', "communities[1]", ['non-integer node id "2"']),
        ('{"communities": [[0, 1.5]]}', "communities[0]", ["non-integer node id 1.5"]),
        ('{"communities": [[0, true]]}', "communities[0]", ["non-integer node id true"]),
        ('{"communities": [[0], [-4]]}', "communities[1]", ["negative node id -4"]),
        ('{"communities": [[0, 99999999999999999999]]}', "communities[0]", ["too large"]),
    ],
)
def test_bad_json_communities(
    tmp_path: Path, content: str | bytes, field: str, words: list[str]
) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n")
    labels = write(tmp_path, "communities.json", content)
    error = load_error(edges, labels, missing_label="none")
    assert (error.source, error.field) == (str(labels), field)
    for word in words:
        assert word in error.problem


def test_bad_json_gzip(tmp_path: Path) -> None:
    edges = write(tmp_path, "edges.txt", "0 1\n")
    labels = tmp_path / "communities.json.gz"
    labels.write_bytes(b'{"communities": [[0, 1]]}')
    error = load_error(edges, labels)
    assert (error.source, error.field) == (str(labels), "")
    assert "gzip" in error.problem


# ----------------------------------------------------------------------------- real data


def test_real_email_eu_core() -> None:
    edges = SHARED_DATA / "email-Eu-core.txt"
    labels = SHARED_DATA / "email-Eu-core-department-labels.txt"
    if not (edges.is_file() and labels.is_file()):
        pytest.skip(f"real data not present in {SHARED_DATA} (shared/ beside the repo root)")
    graph = load_graph(edges, labels)
    assert graph.original_ids.size == 1005
    assert graph.u.size == 16064
    assert len(graph.field_names) == 42
    assert graph.field_names[:3] == ("0", "1", "2") and graph.field_names[-1] == "41"
    assert bool(np.all(graph.u < graph.v))
    assert graph.field.min() == 0 and graph.field.max() == 41


def test_distinct_is_numpy_unique_also_when_empty() -> None:
    """The keys are left as they were."""
    rng = np.random.default_rng(11)
    for keys in (rng.integers(0, 50, 400), np.zeros(0, np.int64), np.array([7, 7, 7])):
        before = keys.copy()
        np.testing.assert_array_equal(distinct(keys), np.unique(keys))
        np.testing.assert_array_equal(keys, before)


def test_first_of_runs_marks_each_value_that_differs_from_the_one_before() -> None:
    keys = np.array([3, 3, 5, -1, -1, 5, 9])
    np.testing.assert_array_equal(first_of_runs(keys), [True, False, True, True, False, True, True])
    assert first_of_runs(np.zeros(0, np.int64)).size == 0
