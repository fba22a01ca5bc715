"""`feedsim bench` prints its measurements (checked on a tiny workload: benchmarks aren't tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.bench import ROWS, STATISTICS
from sim.cli import main

NUMBER = r"([\d,]+(?:\.\d+)?)"


def test_a_tiny_workload_prints_every_measurement_positive() -> None:
    result = CliRunner().invoke(main, ["bench", "--members", "500", "--days", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "synthetic-500"
    for label, key, _ in ROWS:
        match = re.search(rf"^  {re.escape(label)} +{NUMBER}$", result.stdout, re.MULTILINE)
        assert match, f"no row {label!r} in\n{result.stdout}"
        value = float(match.group(1).replace(",", ""))
        assert value > 0 or key == "setup_seconds", (label, value)
    assert re.search(r"^  members +500$", result.stdout, re.MULTILINE)
    assert re.search(r"^  simulated days +2$", result.stdout, re.MULTILINE)


def test_the_slice_check_compares_the_key_statistics() -> None:
    options = "--members 300 --days 2 --slice-check --replications 2 --short-slice 0.5 --jobs 1"
    result = CliRunner().invoke(main, ["bench", *options.split()])
    assert result.exit_code == 0, result.output
    assert "slice 1 h" in result.stdout and "slice 0.5 h" in result.stdout
    for label, _ in STATISTICS:
        assert re.search(rf"^{label} +\S+ ± \S+ +\S+ ± \S+ +\S+ ± \S+$", result.stdout, re.M), label


def test_dblp_is_skipped_without_its_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSIM_DATA", str(tmp_path))
    result = CliRunner().invoke(main, ["bench", "--workload", "dblp"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"dblp: skipped (data not found in {tmp_path})")
