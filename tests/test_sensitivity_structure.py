"""Structural options as factors of a sensitivity analysis, and the convergence of Sobol
indices: categorical parameters sampled over their levels, each claim per level, the indices
against the base sample, and bad input."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import sim.experiment
import sim.sensitivity.run
from sim.experiment import RunOutput, RunSpec
from sim.sensitivity.outcomes import NOISE, RUN_METRICS
from sim.sensitivity.ranges import make_categorical, parse_param
from sim.sensitivity.run import estimate_points
from tests.test_sensitivity import TINY, exits_2_naming, invoke

RANKER = "platform.ranker"
FRACTION = "platform.test_audience.fraction"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False))
    return path


def test_a_categorical_parameter_gives_each_level_an_equal_share() -> None:
    """Coordinate x in [0, 1] is level floor(x L) (the last level at x = 1)."""
    p = parse_param(f"{RANKER}=linkedin,chronological,random")
    assert p.categorical and p.levels == ("linkedin", "chronological", "random")
    values = [p.value(x) for x in (0.0, 0.32, 0.34, 0.66, 0.67, 0.999, 1.0)]
    assert values == [
        "linkedin",
        "linkedin",
        "chronological",
        "chronological",
        "random",
        "random",
        "random",
    ]
    flag = parse_param("platform.inference.connection_term=true,false")
    assert flag.levels == (True, False)


def _fake_execute(spec: RunSpec, index: int, on_day: Any = None) -> RunOutput:
    """A stand-in for the simulator: the run's table is its ranker and audience fraction."""
    values = {
        "variant": [spec.variant],
        "ranker": [spec.scenario.platform.ranker],
        "fraction": [spec.scenario.platform.test_audience.fraction],
    }
    return RunOutput(index, {"fake": pd.DataFrame(values)}, {}, 0.0, "test")


def _fake_metrics(tables: dict[str, pd.DataFrame], context: Any) -> dict[str, float]:
    """everyone minus selective: viewers per post -1 under linkedin, +1 under chronological
    (the structural choice decides the sign); engagement per impression = the fraction."""
    row = tables["fake"].iloc[0]
    everyone = row["variant"] == "everyone"
    out = dict.fromkeys(RUN_METRICS, 0.5)
    sign = -1.0 if row["ranker"] == "linkedin" else 1.0
    out["viewers_per_post"] = sign if everyone else 0.0
    out["engagement_rate"] = float(row["fraction"]) if everyone else 0.0
    return out


def test_a_structural_option_as_a_factor_gives_each_claim_per_level_and_converged_indices(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a model whose answer is known: d_viewers_per_post is -1 under linkedin and +1
    under chronological, so its claim (< 0) holds at every linkedin point and at none of the
    chronological ones, and the ranker explains all its variance (S1 = ST = 1 within the
    bootstrap half-width of about 0.1 at N = 32, the other parameters exactly 0). The
    convergence table holds the indices at N = 8, 16 and 32, the last equal to the analysis."""
    monkeypatch.setattr(sim.experiment, "execute", _fake_execute)
    monkeypatch.setattr(sim.sensitivity.run, "run_metrics", _fake_metrics)
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(
        yaml.safe_dump(
            [
                {"path": RANKER, "levels": ["linkedin", "chronological"], "reason": "structure"},
                {"path": FRACTION, "low": 0.05, "high": 0.4},
            ]
        )
    )
    out = tmp_path / "out"
    args = ("--out", out, "--quiet", "--jobs", "1", "--method", "sobol", "--samples", "32")
    result = invoke(tiny, "--ranges", ranges, *args)
    assert result.exit_code == 0, result.output
    folder = out / "tiny-link-sobol"
    points = pd.read_parquet(folder / "tables" / "points.parquet")
    assert set(points["platform__ranker"]) == {"linkedin", "chronological"}
    structure = pd.read_parquet(folder / "tables" / "structure.parquet")
    d_viewers = structure[structure["outcome"] == "d_viewers_per_post"].set_index("level")
    assert d_viewers.at["linkedin", "share"] == 1.0
    assert d_viewers.at["chronological", "share"] == 0.0
    assert d_viewers["points"].sum() == len(points)
    assert d_viewers.at["linkedin", "mean"] == -1.0
    indices = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    indices = indices.set_index(["outcome", "parameter"])
    assert indices.at[("d_viewers_per_post", RANKER), "S1"] == pytest.approx(1.0, abs=0.1)
    assert indices.at[("d_viewers_per_post", RANKER), "ST"] == pytest.approx(1.0, abs=0.1)
    assert indices.at[("d_viewers_per_post", FRACTION), "ST"] == 0.0
    assert indices.at[("d_viewers_per_post", NOISE), "ST"] == 0.0
    converged = pd.read_parquet(folder / "tables" / "convergence.parquet")
    assert sorted(set(converged["samples"])) == [8, 16, 32]
    last = converged[converged["samples"] == 32].set_index(["outcome", "parameter"])
    assert last.at[("d_viewers_per_post", RANKER), "ST"] == pytest.approx(
        indices.at[("d_viewers_per_post", RANKER), "ST"]
    )
    assert (folder / "figures" / "convergence.png").is_file()
    report = (folder / "report.md").read_text()
    assert "Over structure" in report and "convergence.png" in report
    assert "holds at 0% to 100% of the points, by level of the structural options" in report


def test_morris_with_a_categorical_parameter_runs_and_maps_the_claim_by_level(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Morris step that switches the ranker changes d_viewers_per_post by 2, every other
    step by 0, so the ranker's mu* is the largest and the claim map's first parameter."""
    monkeypatch.setattr(sim.experiment, "execute", _fake_execute)
    monkeypatch.setattr(sim.sensitivity.run, "run_metrics", _fake_metrics)
    out = tmp_path / "out"
    result = invoke(
        tiny,
        "--out",
        out,
        "--quiet",
        "--jobs",
        "1",
        "--trajectories",
        "4",
        "--param",
        f"{RANKER}=linkedin,chronological",
        "--param",
        f"{FRACTION}=0.05:0.4",
    )
    assert result.exit_code == 0, result.output
    folder = out / "tiny-link-morris"
    claims = pd.read_parquet(folder / "tables" / "claims.parquet").set_index("outcome")
    assert claims.at["d_viewers_per_post", "first"] == RANKER
    indices = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    row = indices[(indices["outcome"] == "d_viewers_per_post") & (indices["parameter"] == RANKER)]
    assert float(row["mu_star"].iloc[0]) > 0 and not math.isnan(float(row["mu_star"].iloc[0]))
    assert (folder / "figures" / "claim_map.png").is_file()


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--param", f"{RANKER}=linkedin,linkedin"], [RANKER, "two distinct values"]),
        (["--param", f"{RANKER}=linkedin,nope"], ["--param", RANKER, "nope"]),
        (["--param", "platform.nope=a,b"], ["--param", "platform.nope", "unknown path"]),
    ],
)
def test_bad_levels_exit_2_with_one_line(
    tiny: Path, tmp_path: Path, args: list[str], needles: list[str]
) -> None:
    exits_2_naming(tiny, tmp_path / "out", args, needles)


def test_a_ranges_entry_with_levels_and_a_range_is_refused(tiny: Path, tmp_path: Path) -> None:
    ranges = tmp_path / "ranges.yaml"
    ranges.write_text(yaml.safe_dump([{"path": RANKER, "levels": ["a", "b"], "low": 0}]))
    result = invoke(tiny, "--out", tmp_path / "out", "--quiet", "--ranges", ranges)
    assert result.exit_code == 2, result.output
    assert str(ranges) in result.stderr and "[0].low" in result.stderr
    assert "no low, high or scale" in result.stderr


def test_levels_must_be_a_list_of_values() -> None:
    with pytest.raises(sim.errors.InputError, match="must be a list of values"):
        make_categorical("r.yaml", "[0]", RANKER, "linkedin", "")


def test_the_estimate_times_points_spread_over_the_design() -> None:
    assert estimate_points(3) == [0, 1, 2]
    assert estimate_points(8) == [0, 2, 4, 5, 7]
    assert estimate_points(42) == [0, 10, 20, 31, 41]
    assert estimate_points(42, wanted=2) == [0, 41]


def test_estimate_times_one_run_says_the_cost_and_writes_nothing(
    tiny: Path, tmp_path: Path
) -> None:
    """Two trajectories of two parameters and the noise parameter: 2 x 4 = 8 points x 3
    variants = 24 runs; the cost line names them and the five points timed, and no folder
    is made."""
    out = tmp_path / "out"
    result = invoke(
        tiny,
        "--out",
        out,
        "--trajectories",
        "2",
        "--param",
        f"{RANKER}=linkedin,chronological",
        "--param",
        f"{FRACTION}=0.05:0.4",
        "--jobs",
        "2",
        "--estimate",
    )
    assert result.exit_code == 0, result.output
    assert "8 points x 3 variants x 1 replications = 24 runs" in result.output
    assert "core-hours" in result.output and "on 2 workers" in result.output
    timed = re.findall(r"([0-9.]+) s at point (\d+)", result.output)
    assert [int(point) for _, point in timed] == [0, 2, 4, 5, 7]
    assert all(float(seconds) > 0 for seconds, _ in timed)
    assert not out.exists()
