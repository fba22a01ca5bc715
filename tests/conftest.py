"""Shared fixtures: scenario files and a small labelled graph written into tmp_path."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim import kernels

SMALL: dict[str, Any] = {
    "name": "small",
    "topics": ["finance", "it"],
    "network": {"members": 300, "mean_degree": 20},
    "duration_days": 5,
    "replications": 1,
    "slice_hours": 6,
}
"""A synthetic scenario that runs in well under a second."""

EDGES = "0 1\n1 2\n2 0\n3 4\n4 5\n5 3\n0 3\n6 7\n7 8\n8 6\n2 6\n5 8\n"
LABELS = "0 fin\n1 fin\n2 fin\n3 it\n4 it\n5 it\n6 hr\n7 hr\n8 hr\n"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker's kernels take its share of the cores."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers > 1:
        kernels.share_cores(workers)


@pytest.fixture
def small() -> dict[str, Any]:
    """A fresh copy of :data:`SMALL` to change freely."""
    return copy.deepcopy(SMALL)


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a scenario file into tmp_path: a mapping (dumped as YAML) or raw text."""

    def write(content: dict[str, Any] | str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def graph_files(tmp_path: Path) -> tuple[Path, Path]:
    """A 9-node edge list in three labelled groups (fin, it, hr) and its label file."""
    edges = tmp_path / "edges.txt"
    labels = tmp_path / "labels.txt"
    edges.write_text(EDGES)
    labels.write_text(LABELS)
    return edges, labels


@pytest.fixture
def file_scenario(graph_files: tuple[Path, Path]) -> dict[str, Any]:
    """A short scenario on the `graph_files` network (paths relative to the scenario file)."""
    return {
        "name": "filenet",
        "network": {"source": "file", "edges": "edges.txt", "labels": "labels.txt"},
        "focal": [{"name": "recruiter", "field": "fin"}],
        "duration_days": 3,
        "replications": 1,
        "slice_hours": 6,
    }
