"""Writing a results folder: what is kept when drawing fails, permissions, progress lines."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.experiment import progress_marks, run_study, summarise_runs, write_results
from sim.scenario import load_study

TABLES = {"feed": pd.DataFrame({"day": [0, 1], "impressions": [3, 4]})}
MANIFEST = {"scenario_name": "x"}


def earlier_folder(root: Path) -> Path:
    """A results folder from an earlier run, with one file that tells it apart."""
    folder = root / "x"
    folder.mkdir()
    (folder / "earlier.txt").write_text("earlier run")
    return folder


def test_a_failure_after_the_tables_keeps_them_and_says_where(tmp_path: Path) -> None:
    destination = earlier_folder(tmp_path)

    def finish(folder: Path) -> None:
        (folder / "figures").mkdir()
        (folder / "figures" / "one.png").write_bytes(b"png")
        raise RuntimeError("figure two failed")

    with pytest.raises(RuntimeError, match="figure two failed") as caught:
        write_results(destination, TABLES, MANIFEST, finish)
    assert any(str(destination) in note for note in caught.value.__notes__)
    assert pd.read_parquet(destination / "tables" / "feed.parquet").equals(TABLES["feed"])
    assert (destination / "manifest.json").is_file()
    assert (destination / "figures" / "one.png").read_bytes() == b"png"
    assert not (destination / "earlier.txt").exists()  # replaced by the new run
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]  # nothing staged is left


def test_an_interrupt_while_drawing_leaves_the_earlier_folder(tmp_path: Path) -> None:
    destination = earlier_folder(tmp_path)

    def finish(folder: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_results(destination, TABLES, MANIFEST, finish)
    assert (destination / "earlier.txt").read_text() == "earlier run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]


@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002])
def test_the_folder_has_the_permissions_the_umask_gives(tmp_path: Path, umask: int) -> None:
    previous = os.umask(umask)
    try:
        folder = write_results(tmp_path / "x", TABLES, MANIFEST)
    finally:
        os.umask(previous)
    assert folder.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (folder / "tables").stat().st_mode & 0o777 == 0o777 & ~umask


@pytest.mark.parametrize(
    ("runs", "expected"),
    [(1, {1}), (3, {1, 2, 3}), (10, set(range(1, 11))), (200, set(range(20, 201, 20)))],
)
def test_progress_lines_come_at_every_tenth_of_the_runs(runs: int, expected: set[int]) -> None:
    assert progress_marks(runs) == expected


def test_progress_off_a_terminal_is_a_few_plain_lines(
    small: dict[str, Any],
    scenario_file: Callable[..., Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    small |= {"replications": 12, "duration_days": 2, "focal": [{"name": "me", "field": "it"}]}
    run_study(load_study(scenario_file(small)), progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"small: {k} of 12 runs done" for k in (2, 3, 4, 5, 6, 8, 9, 10, 11, 12)]


def test_a_summarised_manifest_keeps_every_run_in_its_table_and_their_sums() -> None:
    """The sign map's manifest holds a summary; the per-run records lose nothing."""
    runs = [
        {
            "variant": "a",
            "replication": r,
            "seed": 10 + r,
            "wall_seconds": 0.5 + r,
            "worker": "w:1",
            "sessions": 100 * (r + 1),
            "median_items_read_per_session": 7,
        }
        for r in range(3)
    ]
    records, data = summarise_runs({"scenario_name": "s", "base_seed": 1, "runs": runs})
    assert "runs" not in data and data["scenario_name"] == "s" and data["base_seed"] == 1
    assert records.to_dict("records") == runs
    summary = data["runs_summary"]
    assert summary["count"] == 3
    assert summary["wall_seconds"] == pytest.approx(0.5 + 1.5 + 2.5)
    assert summary["sessions"] == 600
    assert isinstance(summary["sessions"], int)
    assert not {"seed", "replication", "median_items_read_per_session"} & set(summary)
