"""The noise method of `feedsim sensitivity`: each outcome's run-to-run noise at the
scenario's values, set against a finished analysis (sim/sensitivity/noise.py).

Known answers: the formulas on values whose variances are exact; the chi-square interval's
coverage on normal draws; end to end, runs that each have their own seed, the manifest and
report of a noise analysis set against a Morris analysis of the same scenario, and bad
input naming the option or folder.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.errors import InputError
from sim.sensitivity.noise import Spread, noise_table, read_spread, replications_needed
from sim.sensitivity.outcomes import OUTCOMES
from tests.test_sensitivity import NAME, ONE, exits_2_naming, invoke, morris, tiny  # noqa: F401 (fixture)

BY_NAME = {o.name: o for o in OUTCOMES}
REACH = BY_NAME["d_viewers_per_post"]  # a difference; its claim holds where < 0
SHARE = BY_NAME["reached_share_everyone"]  # a level; holds where <= 0.8


def test_replications_needed_follows_from_the_emulator_bound() -> None:
    # Q2_max = V_f / (V_f + s2 / R) >= 0.7  <=>  R >= 0.7 / 0.3 * s2 / V_f
    assert replications_needed(1.0, 1.0) == 3  # 2.33 -> 3
    assert replications_needed(3.0, 1.0) == 7  # exactly 7: no rounding up past it
    assert replications_needed(0.3, 0.7) == 1
    assert replications_needed(1.0, 0.0) == math.inf
    assert replications_needed(1.0, -0.2) == math.inf


def test_the_table_gives_noise_its_share_and_the_replications_it_needs() -> None:
    # runs -1, 0, 1, 2: variance 5/3; the points' variance 10/3 at 2 replications a point
    runs = pd.DataFrame({"point": range(4), REACH.name: [-1.0, 0.0, 1.0, 2.0]})
    points = pd.DataFrame({"point": range(5), REACH.name: [-2.0, -1.0, 0.0, 1.0, 2.0]})
    points[REACH.name] *= math.sqrt(4 / 3)  # variance 2.5 * 4 / 3 = 10 / 3
    table = noise_table(runs, [REACH], Spread(Path("x"), points, 2)).set_index("outcome")
    row = table.loc[REACH.name]
    noise, total = 5 / 3, 10 / 3
    assert row["runs"] == 4 and row["mean"] == pytest.approx(0.5)
    assert row["sd"] == pytest.approx(math.sqrt(noise))
    assert row["sd_low"] < row["sd"] < row["sd_high"]
    assert row["holds"] == pytest.approx(0.25)  # only -1 is below 0
    assert row["against_sd"] == pytest.approx(math.sqrt(total))
    assert row["noise_share"] == pytest.approx(noise / 2 / total)  # 25%
    signal = total - noise / 2
    assert row["q2_max"] == pytest.approx(signal / (signal + noise / 2))  # 0.75
    assert row["replications_needed"] == replications_needed(noise, signal) == 2
    assert row["noise_share_low"] < row["noise_share"] < row["noise_share_high"]


def test_points_that_vary_no_more_than_their_noise_need_no_number_of_replications() -> None:
    runs = pd.DataFrame({"point": range(4), SHARE.name: [0.1, 0.5, 0.9, 0.5]})
    points = pd.DataFrame({"point": range(4), SHARE.name: [0.4, 0.5, 0.6, 0.5]})
    row = noise_table(runs, [SHARE], Spread(Path("x"), points, 1)).iloc[0]
    assert row["noise_share"] > 1 and row["q2_max"] == 0 and row["replications_needed"] == math.inf
    assert row["holds"] == pytest.approx(0.75)  # 0.9 is above 0.8
    alone = noise_table(runs, [SHARE]).iloc[0]  # without an analysis: the noise alone
    assert alone["sd"] == row["sd"] and math.isnan(alone["noise_share"])


def test_an_outcome_undefined_in_a_run_counts_the_runs_it_is_defined_in() -> None:
    runs = pd.DataFrame({"point": range(4), REACH.name: [1.0, np.nan, 3.0, 5.0]})
    row = noise_table(runs, [REACH]).iloc[0]
    assert row["runs"] == 3 and row["sd"] == pytest.approx(2.0)


def test_the_noise_interval_covers_the_true_sd_at_its_level() -> None:
    """Over 2,000 sets of 10 normal runs (seed 1), the 95% interval holds the true sd in
    95% of them: the count is binomial, sd 0.5 pp, so 93.5-96.5% is three of them."""
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(2000):
        runs = pd.DataFrame({"point": range(10), REACH.name: rng.normal(3.0, 2.0, 10)})
        row = noise_table(runs, [REACH]).iloc[0]
        covered += row["sd_low"] <= 2.0 <= row["sd_high"]
    assert 0.935 <= covered / 2000 <= 0.965, covered


def test_read_spread_names_the_folder_and_the_problem(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    with pytest.raises(InputError, match="cannot be read") as missing:
        read_spread(folder, "s")
    assert missing.value.source == str(folder)
    folder.mkdir()
    manifest = {"analysis": "sensitivity", "method": "morris", "scenario_name": "other"}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="an analysis of 'other', not of 's'"):
        read_spread(folder, "s")
    (folder / "manifest.json").write_text(json.dumps(manifest | {"method": "noise"}))
    with pytest.raises(InputError, match="not a sensitivity analysis over sampled points"):
        read_spread(folder, "other")
    (folder / "manifest.json").write_text(json.dumps(manifest | {"replications": 2}))
    with pytest.raises(InputError, match=r"tables/points\.parquet"):
        read_spread(folder, "other")


def test_a_noise_analysis_against_a_morris_analysis(tiny: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    assert morris(tiny, out, params=ONE).exit_code == 0
    against = out / NAME
    result = invoke(
        tiny, "--method", "noise", "--samples", "4", "--against", against, "--out", out, "--quiet"
    )
    assert result.exit_code == 0, result.output
    folder = out / "tiny-link-noise"
    runs = pd.read_parquet(folder / "tables" / "runs.parquet")
    assert len(runs) == 4 * 3 and runs["point"].nunique() == 4
    assert runs.groupby("point")["seed"].nunique().eq(1).all()  # the arms of a run: one seed
    assert runs["seed"].nunique() == 4 and (runs["replication"] == 0).all()
    assert "platform__test_audience__fraction" not in runs  # held at the scenario's value
    noise = pd.read_parquet(folder / "tables" / "noise.parquet").set_index("outcome")
    points = pd.read_parquet(folder / "tables" / "points.parquet")
    y = points[REACH.name].dropna()
    assert noise.loc[REACH.name, "sd"] == pytest.approx(float(y.std(ddof=1)))
    spread = pd.read_parquet(against / "tables" / "points.parquet")[REACH.name].dropna()
    assert noise.loc[REACH.name, "against_points"] == len(spread)
    assert noise.loc[REACH.name, "noise_share"] == pytest.approx(
        float(y.var(ddof=1)) / float(spread.var(ddof=1))
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["method"] == "noise" and manifest["design"]["against"] == str(against)
    assert manifest["probe"]  # check-results replays it like any other folder
    report = (folder / "report.md").read_text()
    assert "## Run-to-run noise" in report and "replications needed" in report
    assert (folder / "figures" / "noise.png").is_file()
    assert (folder / "tables" / "against.parquet").is_file()
    # `feedsim figures` redraws it from its own tables, without the analysis it was set against
    drawn = (folder / "figures" / "noise.png").read_bytes()
    (against / "tables" / "points.parquet").unlink()
    redraw = CliRunner().invoke(main, ["figures", str(folder)])
    assert redraw.exit_code == 0, redraw.output
    assert (folder / "figures" / "noise.png").read_bytes() == drawn
    assert (folder / "report.md").read_text() == report


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--method", "noise", "--samples", "2"], ["--samples", "at least 3"]),
        (["--method", "noise", "--replications", "2"], ["--replications", "one replication"]),
        (["--method", "morris", "--against", "x", *ONE], ["--against", "only the noise"]),
        (["--method", "noise", "--against", "nowhere"], ["nowhere", "cannot be read"]),
    ],
)
def test_bad_noise_options_exit_2_with_one_line(
    tiny: Path,  # noqa: F811
    tmp_path: Path,
    args: list[str],
    needles: list[str],
) -> None:
    exits_2_naming(tiny, tmp_path / "out", args, needles)
    assert not (tmp_path / "out" / "tiny-link-noise").exists()
