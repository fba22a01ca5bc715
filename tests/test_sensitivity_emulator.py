"""Tests for the emulator method of `feedsim sensitivity`: a known answer (Ishigami, with
noise), a held-out check that catches an emulator fitted to too few points, its design,
and the whole command with the simulator replaced by a model of known indices."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.experiment
import sim.sensitivity.run
from sim.sensitivity.design import Design, emulate, ishigami, sample
from sim.sensitivity.emulator import design_points, unit_coordinates
from sim.sensitivity.outcomes import NOISE
from sim.sensitivity.ranges import Parameter
from tests.test_sensitivity import PARAMS, _fake_execute, _fake_metrics, invoke, tiny  # noqa: F401

ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)
"""Published indices of the Ishigami function, a = 7, b = 0.1 (Sobol' & Levitan 1999)."""


def _ishigami_with_noise(samples: int) -> tuple[list[Parameter], pd.DataFrame, pd.DataFrame]:
    """The emulator's indices and check of Ishigami plus normal noise (sd 0.5, about 2% of
    its variance of 13.8), on three factors and a fourth that does nothing (a noise
    parameter's stand-in)."""
    parameters = [Parameter(f"x{i}", -math.pi, math.pi) for i in range(3)]
    parameters.append(Parameter(NOISE, 0.0, 1.0))
    design = Design("emulator", samples=samples, seed=1)
    x = sample(design, parameters)
    y = ishigami(x[:, :3]) + np.random.default_rng(0).normal(0.0, 0.5, len(x))
    indices, check, _ = emulate(design, parameters, x, {"y": y})
    return parameters, indices.set_index("parameter"), check.set_index("outcome")


def test_the_emulator_recovers_the_ishigami_indices_of_a_noisy_model() -> None:
    """At 256 training runs the emulator predicts the 64 held-out runs (Q^2 above 0.9: the
    noise alone caps it near 0.98) and its indices are Ishigami's, which are those of the
    signal: within 0.05 of the published values and inside the reported intervals (their
    half-widths are 0.03-0.04 here). The idle factor's total index is below 0.02: the
    emulator does not mistake noise for an effect. At least 85% of the held-out runs fall
    in the 95% predictive interval (64 runs: 95% +/- 2.7%, so 85% is 3.7 sd below)."""
    parameters, got, check = _ishigami_with_noise(256)
    assert check.at["y", "training"] == 256 and check.at["y", "held_out"] == 64
    assert check.at["y", "q2"] > 0.9
    assert check.at["y", "coverage"] >= 0.85
    assert check.at["y", "noise_share"] < 0.1
    for p, s1, st in zip(parameters, ISHIGAMI_S1, ISHIGAMI_ST, strict=False):
        assert got.at[p.path, "S1"] == pytest.approx(s1, abs=0.05)
        assert got.at[p.path, "ST"] == pytest.approx(st, abs=0.05)
        assert abs(got.at[p.path, "S1"] - s1) <= got.at[p.path, "S1_conf"] + 0.01
        assert abs(got.at[p.path, "ST"] - st) <= got.at[p.path, "ST_conf"] + 0.01
    assert got.at[NOISE, "ST"] < 0.02


def test_the_held_out_check_flags_an_emulator_fitted_to_too_few_runs() -> None:
    """At 64 training runs a Gaussian process cannot follow Ishigami's x2 (sin^2 with seven
    times the weight) and its indices are wrong (ST of x2 far from 0.44); the check says so:
    Q^2 below 0.5 on the 16 held-out runs, where a reader is told not to read them."""
    _, got, check = _ishigami_with_noise(64)
    assert check.at["y", "q2"] < 0.5
    assert abs(got.at["x1", "ST"] - ISHIGAMI_ST[1]) > 0.1


def test_points_where_an_outcome_is_undefined_are_left_out_not_the_outcome() -> None:
    """A run without the data an outcome is made of (a member who posted nothing) leaves
    that outcome undefined at its point. The emulator is fitted and checked on the other
    points, the check counts the points it used, and the indices are those of the model:
    for ``y = x0 + 0.2 x1`` on the unit square, S1 = ST = 1 / 1.04 = 0.962 for x0 and
    0.04 / 1.04 = 0.038 for x1 (a linear model's indices are its shares of the variance),
    0 for the idle two. An outcome defined at fewer than 16 training points gets none."""
    parameters = [Parameter(f"x{i}", 0.0, 1.0) for i in range(3)]
    parameters.append(Parameter(NOISE, 0.0, 1.0))
    design = Design("emulator", samples=64, seed=3)
    x = sample(design, parameters)
    y = x[:, 0] + 0.2 * x[:, 1]
    y[[3, 10, 40, 70]] = np.nan  # three training points, one held out
    sparse = np.full(len(x), np.nan)
    sparse[:10] = x[:10, 0]
    found, check, steps = emulate(design, parameters, x, {"y": y, "sparse": sparse})
    check = check.set_index("outcome")
    assert check.at["y", "training"] == 61 and check.at["y", "held_out"] == 15
    assert check.at["y", "q2"] > 0.99
    got = found[found["outcome"] == "y"].set_index("parameter")
    for name, share in (("x0", 1 / 1.04), ("x1", 0.04 / 1.04), ("x2", 0.0), (NOISE, 0.0)):
        assert got.at[name, "S1"] == pytest.approx(share, abs=0.03)
        assert got.at[name, "ST"] == pytest.approx(share, abs=0.03)
    assert sorted(set(steps[steps["outcome"] == "y"]["samples"])) == [16, 32, 64]
    assert math.isnan(check.at["sparse", "q2"]) and not check.at["sparse", "readable"]
    assert found[found["outcome"] == "sparse"]["ST"].isna().all()


def test_the_design_is_a_prefix_of_one_sobol_sequence_with_levels_as_levels() -> None:
    """N + N/4 points of one scrambled Sobol' sequence inside the bounds (log bounds in
    logs); its first N points are the design of N alone and are balanced in every factor;
    a structural option enters the emulator as its level index (0 or 1), not its
    coordinate."""
    parameters = [
        Parameter("a", 0.02, 0.06),
        Parameter("b", 0.05, 1.0, scale="log"),
        Parameter("c", 0.0, 1.0, scale="categorical", levels=("share", "compounding")),
    ]
    x = design_points(parameters, 32, seed=4)
    assert x.shape == (40, 3)
    assert np.array_equal(x[:32], design_points(parameters, 32, seed=4)[:32])
    assert np.array_equal(x[:16], design_points(parameters, 16, seed=4)[:16])
    assert (x[:, 0] >= 0.02).all() and (x[:, 0] <= 0.06).all()
    assert (x[:, 1] >= math.log(0.05)).all() and (x[:, 1] <= 0.0).all()
    u = unit_coordinates(parameters, x)
    assert set(u[:, 2]) == {0.0, 1.0}
    assert u[:32, 2].sum() == 16  # a power of 2 of Sobol' points: each level half of them
    assert [parameters[2].level(float(v)) for v in x[:, 2]] == list(u[:, 2].astype(int))
    half = (u[:32, 0] < 0.5).sum()
    assert half == 16


def test_the_command_fits_checks_and_reports_an_emulator(
    tiny: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole pipeline with the simulator replaced by a model whose indices are known:
    d_viewers_per_post is the fraction itself (S1 = ST = 1 for it, 0 for the others),
    d_engagement_rate is ln(stranger), linear on the log scale the stranger is sampled on.
    With 32 training runs of a smooth model the emulator predicts the 8 held-out runs
    almost exactly (Q^2 > 0.99) and gives the driver an index within 0.05 of 1; an outcome
    that is the same everywhere gets no indices and says so. The folder holds the check,
    the convergence table at 16 and 32 runs, their figures, and the report's check."""
    monkeypatch.setattr(sim.experiment, "execute", _fake_execute)
    monkeypatch.setattr(sim.sensitivity.run, "run_metrics", _fake_metrics)
    out = tmp_path / "out"
    args = ("--method", "emulator", "--samples", "32", *PARAMS[:4])
    result = invoke(tiny, "--out", out, "--quiet", "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    folder = out / "tiny-link-emulator"
    points = pd.read_parquet(folder / "tables" / "points.parquet")
    assert len(points) == 32 + 8
    check = pd.read_parquet(folder / "tables" / "emulator.parquet").set_index("outcome")
    got = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    got = got.set_index(["outcome", "parameter"])
    fraction, stranger = "platform.test_audience.fraction", "behaviour.ties.stranger"
    for outcome, driver, idle in (
        ("d_viewers_per_post", fraction, stranger),
        ("d_engagement_rate", stranger, fraction),
    ):
        assert check.at[outcome, "q2"] > 0.99
        assert got.at[(outcome, driver), "S1"] == pytest.approx(1.0, abs=0.05)
        assert got.at[(outcome, idle), "ST"] < 0.05
    assert math.isnan(check.at["d_reached_share", "q2"])
    assert got.at[("d_reached_share", fraction), "note"] != ""
    convergence = pd.read_parquet(folder / "tables" / "convergence.parquet")
    assert sorted(set(convergence["samples"])) == [16, 32]
    for name in ("emulator.png", "convergence.png", "claim_map.png"):
        assert (folder / "figures" / name).is_file()
    report = (folder / "report.md").read_text()
    assert "Emulator check" in report and "Q²" in report
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["design"]["samples"] == 32 and manifest["design"]["points"] == 40
