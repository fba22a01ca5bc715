"""`feedsim bench passes`: every pass of the cost model is found in a run's profile, and the
table's arithmetic (sim/passes.py)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.figures.passes import draw_passes_figure
from sim.passes import PASSES, cost_table, format_cost_table, measure_passes


@pytest.fixture(scope="module")
def measured() -> dict:
    return measure_passes("synthetic-2k", 2)


def test_every_pass_names_functions_the_run_calls(measured: dict) -> None:
    """A renamed function would leave its pass at zero seconds, unnoticed."""
    for each in PASSES:
        assert measured["passes"][each.name] > 0, each.name
    rows = measured["rows"]
    assert 0 < rows["impressions"] < rows["scored"] <= rows["merged"]
    assert measured["bandwidth"] > 1e8  # bytes per second


def test_the_passes_and_the_rest_add_up_to_the_run(measured: dict, tmp_path: Path) -> None:
    table = cost_table(measured)
    assert sum(row["seconds"] for row in table) == pytest.approx(measured["simulation_seconds"])
    assert sum(row["share"] for row in table) == pytest.approx(1.0)
    assert 0 <= table[-1]["share"] < 0.5  # the passes hold most of the time
    for row, each in zip(table, PASSES, strict=False):
        if each.rows:
            own = measured["rows"][each.rows]
            assert row["ns_per_row"] == pytest.approx(row["seconds"] / own * 1e9)
            floor = each.bytes_per_row / measured["bandwidth"] * 1e9
            assert row["times_floor"] == pytest.approx(row["ns_per_row"] / floor)
        else:
            assert math.isnan(row["times_floor"])
    text = format_cost_table(table, measured)
    assert all(each.name in text for each in PASSES)
    draw_passes_figure(table, measured, tmp_path / "passes.png")
    assert (tmp_path / "passes.png").stat().st_size > 10_000


def test_bench_passes_prints_the_table_and_writes_the_figure_and_its_csv(tmp_path: Path) -> None:
    figure = tmp_path / "passes.png"
    result = CliRunner().invoke(
        main, ["bench", "passes", "--workload", "synthetic-10k", "--days", "1", "--figure", figure]
    )
    assert result.exit_code == 0, result.output
    assert all(each.name in result.output for each in PASSES)
    with figure.with_suffix(".csv").open() as handle:
        table = list(csv.DictReader(handle))
    assert [row["pass"] for row in table[:-1]] == [each.name for each in PASSES]
    assert sum(float(row["share"]) for row in table) == pytest.approx(1.0)
    assert figure.stat().st_size > 10_000
