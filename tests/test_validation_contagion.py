"""Study 3's evaluator (docs/validation.md, bands 3a-3e) on small hand-made results folders
whose verdicts are known."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.validation import EVALUATORS
from sim.analysis.validation.bands import BandResult
from sim.analysis.validation.contagion import band_3d_from_cells, map_cell

DAYS = 60


def write_folder(
    folder: Path,
    finals: dict[str, list[float]],
    halves: dict[str, list[int]] | None = None,
    exposed: float = 0.95,
    sweep: dict[float, dict[str, list[float]]] | None = None,
) -> Path:
    """A results folder with ``adoption`` (day 0 at 1%, the final share from day
    ``halves`` on, or day 60) and ``exposure`` tables; with `sweep`, one point per number of
    invitations a day."""
    rows, exposure = [], []
    points = sweep if sweep is not None else {-1.0: finals}
    for point, (invitations, arms) in enumerate(points.items()):
        for variant, shares in arms.items():
            for r, share in enumerate(shares):
                reach = (halves or {}).get(variant, [DAYS] * len(shares))[r]
                for day in range(DAYS + 1):
                    value = 0.01 if day < reach else share / 100
                    rows.append((point, invitations, variant, r, day, value))
                exposure.append((point, variant, r, 0, 100, round(100 * exposed)))
    adoption = pd.DataFrame(
        rows,
        columns=[
            "point",
            "trend__invitations_per_day",
            "variant",
            "replication",
            "day",
            "adopter_share",
        ],
    )
    table = pd.DataFrame(
        exposure, columns=["point", "variant", "replication", "day", "pairs", "exposed"]
    )
    if sweep is None:
        adoption = adoption.drop(columns=["point", "trend__invitations_per_day"])
        table = table.drop(columns="point")
    (folder / "tables").mkdir(parents=True)
    adoption.to_parquet(folder / "tables" / "adoption.parquet")
    table.to_parquet(folder / "tables" / "exposure.parquet")
    manifest = {"duration_days": DAYS, "replications": 4, "variants": list(finals)}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def part_a(random_3a: list[float], simple_gap: float) -> dict[str, list[float]]:
    """Part A's arms: 3a's clustered shares are 60 +- 1; the random ones given."""
    arms: dict[str, list[float]] = {
        "threshold": [59.0, 61.0, 60.0, 60.0],
        "threshold-rewired": random_3a,
        "threshold-neighbourhood": [100.0] * 4,
        "threshold-neighbourhood-rewired": [99.0, 100.0, 98.0, 100.0],
        "noisy": [90.0, 91.0, 89.0, 90.0],
        "noisy-rewired": [95.0, 96.0, 94.0, 95.0],
    }
    for rate in ("001", "002", "005", "010", "020"):
        arms[f"simple-{rate}"] = [50.0, 52.0, 48.0, 50.0]
        arms[f"simple-{rate}-rewired"] = [50.0 - simple_gap + d for d in (0.5, -0.5, 0.2, -0.2)]
    return arms


def verdicts(rows: list[BandResult]) -> dict[str, str]:
    return {row.band: row.verdict for row in rows}


def test_part_a_agrees_where_theory_says_and_is_not_comparable_without_exposure(
    tmp_path: Path,
) -> None:
    arms = part_a([20.0, 21.0, 19.0, 20.0], simple_gap=-2.0)
    halves = {"noisy": [12, 13, 12, 13], "noisy-rewired": [10, 11, 10, 11]}
    rows = EVALUATORS["validation-centola"](write_folder(tmp_path / "a", arms, halves))
    assert verdicts(rows) == {"3a": "agrees", "3b": "agrees", "3c": "agrees"}
    est = rows[0].estimate
    assert est is not None and est.value == pytest.approx(40.0)
    assert rows[2].estimate is not None and rows[2].estimate.value == pytest.approx(-2.0)
    blind = EVALUATORS["validation-centola"](
        write_folder(tmp_path / "b", arms, halves, exposed=0.8)
    )
    assert set(verdicts(blind).values()) == {"not comparable"}
    assert json.loads(json.dumps([r.to_json() for r in rows], sort_keys=True))


def test_part_a_disagrees_when_random_wins_the_threshold_and_clustered_the_simple_one(
    tmp_path: Path,
) -> None:
    arms = part_a([80.0, 81.0, 79.0, 80.0], simple_gap=10.0)
    halves = {"noisy": [10, 10, 11, 10], "noisy-rewired": [20, 21, 20, 21]}  # random slower
    rows = EVALUATORS["validation-centola"](write_folder(tmp_path, arms, halves))
    assert verdicts(rows) == {"3a": "disagrees", "3b": "disagrees", "3c": "disagrees"}


def test_a_wide_interval_is_inconclusive(tmp_path: Path) -> None:
    arms = part_a([10.0, 90.0, 30.0, 85.0], simple_gap=2.0)
    rows = EVALUATORS["validation-centola"](write_folder(tmp_path, arms))
    found = verdicts(rows)
    assert found["3a"] == "inconclusive" and found["3b"] == "inconclusive"


def test_the_sign_map_counts_clustered_wins_and_refuses_any_without_reinforcement() -> None:
    assert map_cell("p1-03-p2-07") == (0.3, 0.7) and map_cell("threshold") is None
    cells = pd.DataFrame(
        {
            "p1": [0.0, 0.0, 0.1, 0.2, 0.5],
            "p2": [1.0, 0.5, 0.1, 0.3, 0.5],
            "value": [10.0, 1.0, 0.0, -3.0, 0.0],
            "low": [5.0, -2.0, -1.0, -5.0, -1.0],
            "high": [15.0, 4.0, 1.0, -1.0, 1.0],
            "win": [True, False, False, False, False],
        }
    )
    assert band_3d_from_cells(cells, 0.95, 50).verdict == "agrees"  # 1 of 5 = 20%
    more = cells.assign(win=[True, True, False, False, False])
    assert band_3d_from_cells(more, 0.95, 50).verdict == "disagrees"  # 40%
    equal = cells.assign(win=[False, False, True, False, False])
    assert band_3d_from_cells(equal, 0.95, 50).verdict == "disagrees"  # a win at p1 = p2


def test_the_map_folder_is_read_cell_by_cell(tmp_path: Path) -> None:
    arms = {
        "p1-00-p2-10": [60.0, 61.0, 59.0, 60.0],
        "p1-00-p2-10-rewired": [2.0, 2.0, 2.0, 2.0],
        "p1-05-p2-05": [90.0, 91.0, 89.0, 90.0],
        "p1-05-p2-05-rewired": [95.0, 96.0, 94.0, 95.0],
    }
    rows = EVALUATORS["validation-centola-map"](write_folder(tmp_path, arms))
    assert rows[0].verdict == "disagrees"  # 1 win of 2 cells: 50%
    assert rows[0].details["wins"] == 1 and rows[0].details["wins_with_p1_equal_p2"] == 0


@pytest.mark.parametrize(
    ("ahead_at_0", "ahead_at_25", "expected"),
    [(0.0, 1.0, "agrees"), (10.0, 10.0, "disagrees"), (0.0, 12.0, "disagrees")],
)
def test_the_trend_network_band_reads_the_sweep(
    tmp_path: Path, ahead_at_0: float, ahead_at_25: float, expected: str
) -> None:
    noise = np.array([0.5, -0.5, 0.3, -0.3])

    def arms(gap: float) -> dict[str, list[float]]:
        return {
            "complex-neighbours": list(50.0 + gap + noise),
            "complex-neighbours-degrees": [50.0] * 4,
            "complex-neighbours-fields": [50.0] * 4,
            "simple-neighbours": [70.0] * 4,
            "simple-neighbours-degrees": [71.0] * 4,
        }

    sweep = {0.0: arms(ahead_at_0), 5.0: arms(0.0), 25.0: arms(ahead_at_25)}
    rows = EVALUATORS["validation-centola-trend"](write_folder(tmp_path, arms(0.0), sweep=sweep))
    assert rows[0].band == "3e" and rows[0].verdict == expected
    assert "complex-neighbours minus fields at 25/day" in rows[0].details["differences"]
