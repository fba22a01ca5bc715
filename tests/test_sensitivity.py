"""Tests for `feedsim sensitivity`: SALib known answers, an end-to-end Morris run, identical
results on rerun, resume and any number of jobs, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import sim.experiment
import sim.sensitivity.run
from sim.cli import main
from sim.experiment import RunOutput, RunSpec
from sim.sensitivity.design import Design, analyse, ishigami, sample
from sim.sensitivity.outcomes import NOISE, OUTCOMES, RUN_METRICS, point_outcomes, ranked
from sim.sensitivity.ranges import Parameter

ROOT = Path(__file__).resolve().parents[1]
SELECTIVE = {"accept": "selective", "invitations_per_day": 10, "trend_days": 10}


def _focal(**strategy: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": "me",
            "field": "a",
            "sessions_per_day": 1.5,
            "posts_per_day": 0.5,
            "strategy": {**SELECTIVE, **strategy},
        }
    ]


TINY: dict[str, Any] = {
    "name": "tiny-link",
    "topics": ["a", "b"],
    "duration_days": 14,
    "replications": 1,
    "seed": 7,
    "slice_hours": 6,
    "network": {"members": 300, "mean_degree": 20},
    # The connection term is off, so its step cannot change any draw: a dead parameter.
    "platform": {"inference": {"connection_term": False}},
    "focal": _focal(),
    "variants": [
        {"name": "selective"},
        {"name": "everyone", "focal": _focal(accept="everyone")},
        {"name": "everyone-intro", "focal": _focal(accept="everyone", intro_message=True)},
    ],
}
DEAD = "platform.inference.connection_step"
PARAMS = (
    "--param",
    "platform.test_audience.fraction=0.05:0.4",
    "--param",
    "behaviour.ties.stranger=0.05:2:log",
    "--param",
    f"{DEAD}=0.001:0.1",
)
ONE = PARAMS[:2]
"""One parameter (and the noise parameter): 6 points, for the tests that run an analysis often."""
NAME = "tiny-link-morris"
TABLES = ("sensitivity", "runs", "points", "claims")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False))
    return path


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["sensitivity", *(str(a) for a in args)])


def exits_2_naming(scenario: Path, out: Path, args: list[str], needles: list[str]) -> None:
    """`feedsim sensitivity SCENARIO --out OUT ARGS` exits 2 with one line holding every
    needle."""
    result = invoke(scenario, "--out", out, "--quiet", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    for needle in needles:
        assert needle in result.stderr, result.stderr


def morris(scenario: Path, out: Path, *extra: str, params: tuple[str, ...] = PARAMS) -> Result:
    """A 2-trajectory Morris run of the tiny scenario: 10 points (three parameters and the
    noise parameter) x 3 variants x 1 run."""
    return invoke(scenario, "--out", out, "--quiet", "--trajectories", "2", *params, *extra)


def table_bytes(out: Path) -> dict[str, bytes]:
    return {t: (out / NAME / "tables" / f"{t}.parquet").read_bytes() for t in TABLES}


# ------------------------------------------------------------------ known answers


def test_sobol_recovers_the_ishigami_indices() -> None:
    """The wrapper the command uses recovers Ishigami's closed-form Sobol indices.

    Published values (a = 7, b = 0.1; Sobol' & Levitan 1999): S1 = (0.314, 0.442, 0),
    ST = (0.558, 0.442, 0.244). With N = 1024 (5,120 evaluations) the estimators' standard
    error is about 0.02-0.03 (SALib's bootstrap half-widths are 0.03-0.09), so we allow
    0.05 absolute, and also require the published value inside the reported interval.
    """
    parameters = [Parameter(f"x{i}", -math.pi, math.pi) for i in range(3)]
    design = Design("sobol", samples=1024, seed=2018)
    x = sample(design, parameters)
    assert x.shape == (1024 * 5, 3)
    got = analyse(design, parameters, x, {"y": ishigami(x)}).set_index("parameter")
    for name, s1, st in zip(
        got.index, (0.3139, 0.4424, 0.0), (0.5576, 0.4424, 0.2437), strict=True
    ):
        assert got.at[name, "S1"] == pytest.approx(s1, abs=0.05)
        assert got.at[name, "ST"] == pytest.approx(st, abs=0.05)
        assert abs(got.at[name, "S1"] - s1) <= got.at[name, "S1_conf"]
        assert abs(got.at[name, "ST"] - st) <= got.at[name, "ST_conf"]


def test_morris_of_a_linear_function_is_its_slopes() -> None:
    """y = 3 x1 - 2 x2 + 0 x3 with x1 in [0, 10], x2 and x3 in [0, 1]: every elementary
    effect is the slope times the parameter's range (SALib measures the step as a fraction
    of the range), so mu* = (30, 2, 0) exactly, mu = (30, -2, 0) and sigma = 0."""
    parameters = [Parameter("x0", 0.0, 10.0), Parameter("x1", 0.0, 1.0), Parameter("x2", 0, 1)]
    design = Design("morris", trajectories=6, seed=1)
    x = sample(design, parameters)
    y = 3 * x[:, 0] - 2 * x[:, 1]
    got = analyse(design, parameters, x, {"y": y}).set_index("parameter")
    assert got["mu_star"].to_numpy() == pytest.approx([30.0, 2.0, 0.0], abs=1e-9)
    assert got["mu"].to_numpy() == pytest.approx([30.0, -2.0, 0.0], abs=1e-9)
    assert got["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_log_scale_samples_log_uniformly() -> None:
    p = Parameter("x", 0.01, 100.0, "log")
    design = Design("sobol", samples=256, seed=3)
    values = np.array([p.value(v) for v in sample(design, [p])[:, 0]])
    assert values.min() >= 0.01 and values.max() <= 100.0
    assert np.median(values) == pytest.approx(1.0, rel=0.3)  # the geometric middle


def test_paired_outcomes_average_differences_over_replications() -> None:
    runs = pd.DataFrame(
        {
            "point": [0, 0, 0, 0],
            "replication": [0, 0, 1, 1],
            "variant": ["selective", "everyone", "selective", "everyone"],
            "viewers_per_post": [10.0, 7.0, 20.0, 19.0],
        }
    )
    outcome = next(o for o in OUTCOMES if o.name == "d_viewers_per_post")
    got = point_outcomes(runs, [outcome])
    assert got["d_viewers_per_post"].tolist() == [-2.0]
    assert outcome.holds_at(got["d_viewers_per_post"]).tolist() == [True]


# ------------------------------------------------------------------ end to end


def _no_nan(name: str) -> None:
    raise AssertionError(f"manifest.json holds {name}, which is not JSON")


def test_morris_run_writes_everything_and_a_dead_parameter_is_last(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = morris(tiny, out)
    assert result.exit_code == 0, result.output
    folder = out / NAME
    for name in (
        "report.md",
        "report.html",
        "manifest.json",
        "figures/morris.png",
        "figures/claim_map.png",
    ):
        assert (folder / name).is_file(), name
    assert not (out / f".{NAME}.work").exists()
    indices = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    runs = pd.read_parquet(folder / "tables" / "runs.parquet")
    assert len(runs) == 10 * 3 and runs["point"].nunique() == 10
    assert {"platform__test_audience__fraction", "seed", "viewers_per_post", NOISE} <= set(runs)
    # the noise parameter moves the seeds and nothing else: equal noise, equal seeds
    assert runs.groupby(NOISE)["seed"].nunique().eq(1).all()  # one replication per point
    assert runs["seed"].nunique() == runs[NOISE].nunique() > 1
    assert set(indices["parameter"]) >= {NOISE, DEAD}
    outcomes = set(indices["outcome"])
    assert "d_viewers_per_post" in outcomes and "d_focus_share" not in outcomes
    dead = indices[indices["parameter"] == DEAD]
    assert (dead["mu_star"] == 0.0).all() and (dead["sigma"] == 0.0).all()
    lively = indices[(indices["parameter"] != DEAD) & (indices["mu_star"] > 0)]
    assert not lively.empty
    for outcome in lively["outcome"].unique():
        assert ranked(indices, outcome, "morris")[-1] == DEAD
    manifest = json.loads((folder / "manifest.json").read_text(), parse_constant=_no_nan)
    assert len(manifest["runs"]) == 30 and all("seed" in r for r in manifest["runs"])
    first = manifest["runs"][0]  # its parameters: those of its point, listed once
    assert (
        manifest["points"][first["point"]]["parameters"][DEAD]
        == runs[DEAD.replace(".", "__")].iloc[0]
    )
    report = (folder / "report.md").read_text()
    assert "C5" in report and "holds at" in report and "d_focus_share" in report
    assert "Noise alone (re-drawn random numbers) gives mu" in report
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2  # self-contained: both figures inlined
    assert "<table>" in page and "<li>" in page and "---|" not in page

    # `feedsim figures` redraws the same figures and report from the tables and the manifest
    drawn = {p.name: p.read_bytes() for p in (folder / "figures").iterdir()}
    drawn["report.md"] = (folder / "report.md").read_bytes()
    for p in (folder / "figures").iterdir():
        p.unlink()
    redraw = CliRunner().invoke(main, ["figures", str(folder)])
    assert redraw.exit_code == 0, redraw.output
    again = {p.name: p.read_bytes() for p in (folder / "figures").iterdir()}
    assert again == {k: v for k, v in drawn.items() if k != "report.md"}
    assert (folder / "report.md").read_bytes() == drawn["report.md"]
    # ... but not when the scenario no longer gives the points the analysis ran
    tiny.write_text(tiny.read_text().replace("mean_degree: 20", "mean_degree: 21"))
    stale = CliRunner().invoke(main, ["figures", str(folder)])
    assert stale.exit_code == 2 and stale.stderr.count("\n") == 1, stale.output
    assert str(tiny) in stale.stderr and "changed since" in stale.stderr


@pytest.fixture
def two_arms(tmp_path: Path) -> Path:
    """The tiny scenario with selective and everyone only (8 points x 2 runs a Morris)."""
    path = tmp_path / "two-arms.yaml"
    path.write_text(yaml.safe_dump({**TINY, "variants": TINY["variants"][:2]}, sort_keys=False))
    return path


def test_rerun_resume_and_jobs_give_identical_tables(
    two_arms: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny = two_arms
    first = tmp_path / "first"
    assert morris(tiny, first, params=ONE).exit_code == 0
    expected = table_bytes(first)  # a rerun gives the same: the resumed, parallel and
    # cluster runs below run again what they need

    resumed = tmp_path / "resumed"
    real = sim.sensitivity.run.MetricsFolder.save
    calls = {"n": 0}

    def interrupt_after_five(self: Any, *args: Any) -> None:
        if calls["n"] == 5:
            raise KeyboardInterrupt
        calls["n"] += 1
        real(self, *args)

    monkeypatch.setattr(sim.sensitivity.run.MetricsFolder, "save", interrupt_after_five)
    broken = morris(tiny, resumed, params=ONE)
    assert broken.exit_code == 130 and "resume" in broken.stderr
    assert len(list((resumed / f".{NAME}.work" / "runs").iterdir())) == 5
    monkeypatch.setattr(sim.sensitivity.run.MetricsFolder, "save", real)
    assert morris(tiny, resumed, params=ONE).exit_code == 0
    assert table_bytes(resumed) == expected
    manifest = json.loads((resumed / NAME / "manifest.json").read_text())
    assert manifest["resumed_runs"] == 5

    parallel = tmp_path / "parallel"
    assert morris(tiny, parallel, "--jobs", "2", params=ONE).exit_code == 0
    assert table_bytes(parallel) == expected

    from distributed import LocalCluster

    # ":0": the scheduler's HTTP server (its health and metrics routes, which it serves
    # even without a dashboard) on a free port; None still asks for 8787 and warns when it is taken
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        dask = tmp_path / "dask"
        result = morris(tiny, dask, "--scheduler", cluster.scheduler_address, params=ONE)
        assert result.exit_code == 0, result.output
        workers = set(cluster.scheduler_info["workers"])
    assert table_bytes(dask) == expected
    manifest = json.loads((dask / NAME / "manifest.json").read_text())
    assert {run["worker"] for run in manifest["runs"]} <= workers


def _fake_execute(spec: RunSpec, index: int, on_day: Any = None) -> RunOutput:
    """A stand-in for the simulator: the run's table is its parameter values."""
    values = {
        "variant": [spec.variant],
        "fraction": [spec.scenario.platform.test_audience.fraction],
        "stranger": [spec.scenario.behaviour.ties.stranger],
    }
    return RunOutput(index, {"fake": pd.DataFrame(values)}, {}, 0.0, "test")


def _fake_metrics(tables: dict[str, pd.DataFrame], context: Any) -> dict[str, float]:
    """everyone minus selective: viewers per post = fraction, engagement = ln(stranger);
    every other number the same at every point."""
    row = tables["fake"].iloc[0]
    everyone = row["variant"] == "everyone"
    out = dict.fromkeys(RUN_METRICS, 0.5)
    out["viewers_per_post"] = float(row["fraction"]) if everyone else 0.0
    out["engagement_rate"] = math.log(row["stranger"]) if everyone else 0.0
    return out


def test_sobol_through_the_command_recovers_a_known_model(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole pipeline (sample -> scenario values -> paired outcomes -> SALib -> outputs)
    with the simulator replaced by a model whose indices are known: d_viewers_per_post
    depends on the fraction alone (S1 = ST = 1 for it, 0 for the stranger multiplier),
    d_engagement_rate = ln(stranger) on the log scale, i.e. on the stranger alone. The
    tolerance 0.1 is about the bootstrap half-width at N = 32; the zero indices of a
    parameter the model ignores are exact."""
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
        "--method",
        "sobol",
        "--samples",
        "32",
        *PARAMS[:4],
    )
    assert result.exit_code == 0, result.output
    folder = out / "tiny-link-sobol"  # beside, never over, a Morris screening
    assert (folder / "figures" / "sobol.png").is_file()
    got = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    got = got.set_index(["outcome", "parameter"])
    fraction, stranger = "platform.test_audience.fraction", "behaviour.ties.stranger"
    for outcome, driver, idle in (
        ("d_viewers_per_post", fraction, stranger),
        ("d_engagement_rate", stranger, fraction),
    ):
        assert got.at[(outcome, driver), "S1"] == pytest.approx(1.0, abs=0.1)
        assert got.at[(outcome, driver), "ST"] == pytest.approx(1.0, abs=0.1)
        assert got.at[(outcome, idle), "ST"] == 0.0
    assert got.at[("d_reached_share", fraction), "note"] == "the same value at every point"
    points = pd.read_parquet(folder / "tables" / "points.parquet")
    assert len(points) == 32 * (2 + 1 + 2)  # N (k + 2), the noise parameter one of the k
    assert got.at[("d_viewers_per_post", NOISE), "ST"] == 0.0  # the model ignores the seeds
    assert np.allclose(points["d_viewers_per_post"], points["platform__test_audience__fraction"])
    claims = pd.read_parquet(folder / "tables" / "claims.parquet").set_index("outcome")
    assert claims.at["d_viewers_per_post", "share"] == 0.0  # fraction > 0: never < 0
    assert claims.at["d_viewers_per_post", "first"] == fraction
    report = (folder / "report.md").read_text()
    assert "S1" in report and "sobol.png" in report


# ------------------------------------------------------------------ bad input


def _ranges(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "ranges.yaml"
    path.write_text(yaml.safe_dump(entries))
    return path


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--param", "platform.nope=0:1"], ["--param", "platform.nope", "unknown path"]),
        (
            ["--param", "platform.test_audience.fraction=0.5:0.2"],
            ["--param", "platform.test_audience.fraction", "LOW must be below HIGH"],
        ),
        (
            ["--param", "platform.test_audience.fraction=0.1:1.5"],
            [
                "--param",
                "platform.test_audience.fraction",
                "outside what the schema allows",
                "<= 1",
            ],
        ),
        (
            ["--param", "behaviour.ties.stranger=0:1:log"],
            ["--param", "behaviour.ties.stranger", "log scale needs LOW > 0"],
        ),
        (["--param", "platform.ranker=0:1"], ["platform.ranker", "not a number"]),
        (["--param", "topics=0:1"], ["topics", "not a number"]),
        (["--param", "behaviour.like_rate"], ["--param", "PATH=LOW:HIGH"]),
        (["--method", "fast"], ["--method", "fast", "unknown method"]),
        (["--method", "sobol", "--samples", "48"], ["--samples", "48", "power of 2"]),
        (["--method", "sobol", "--samples", "8"], ["--samples", "8", "too small"]),
        (["--method", "emulator", "--samples", "48"], ["--samples", "48", "power of 2"]),
        (["--method", "emulator", "--samples", "8"], ["--samples", "8", "too small"]),
        (["--trajectories", "1"], ["--trajectories", "at least 2"]),
        (["--levels", "3"], ["--levels", "even"]),
        ([], ["no parameters"]),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tiny: Path, tmp_path: Path, args: list[str], needles: list[str]
) -> None:
    exits_2_naming(tiny, tmp_path / "out", args, needles)
    assert not (tmp_path / "out" / NAME).exists()


def test_a_bad_ranges_file_is_named(tiny: Path, tmp_path: Path) -> None:
    ranges = _ranges(
        tmp_path,
        [
            {"path": "behaviour.ties.stranger", "low": 0.1, "high": 1, "reason": "ok"},
            {"path": "platform.test_audience.window_hours", "low": 0, "high": 2},
        ],
    )
    result = invoke(tiny, "--out", tmp_path / "out", "--ranges", ranges)
    assert result.exit_code == 2
    assert str(ranges) in result.stderr and "window_hours" in result.stderr
    assert "> 0" in result.stderr and result.stderr.count("\n") == 1


def test_a_field_a_variant_sets_or_a_study_level_field_is_refused(
    tmp_path: Path,
) -> None:
    body = yaml.safe_load(yaml.safe_dump(TINY))
    body["variants"][1]["behaviour"] = {"ties": {"stranger": 0.5}}
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(body))
    result = invoke(path, "--out", tmp_path / "out", "--param", "behaviour.ties.stranger=0.1:1")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "--param: behaviour.ties.stranger: variants[1] sets this field" in result.stderr
    result = invoke(path, "--out", tmp_path / "out", "--param", "replications=1:5")
    assert result.exit_code == 2 and "replications" in result.stderr
    assert "cannot be swept" in result.stderr


def test_a_scenario_without_the_claims_variants_is_refused(tmp_path: Path) -> None:
    plain = {k: v for k, v in TINY.items() if k != "variants"}
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(plain))
    result = invoke(path, "--out", tmp_path / "out", *PARAMS[:2])
    assert result.exit_code == 2
    assert "variants" in result.stderr and "no claim outcome applies" in result.stderr


RANGES = [  # each ranges file serves its full study and the study's screening copy
    ("link-with-everyone.yaml", "link-with-everyone.yaml"),
    ("link-with-everyone.yaml", "link-with-everyone-screening.yaml"),
    ("recruiter.yaml", "recruiter-accepts-100-it.yaml"),
    ("recruiter.yaml", "recruiter-screening.yaml"),
    ("link-with-everyone-structure.yaml", "link-with-everyone-screening.yaml"),
    ("recruiter-structure.yaml", "recruiter-screening.yaml"),
    ("trend-structure.yaml", "trend-spreads-screening.yaml"),
]


@pytest.mark.parametrize(("ranges", "scenario"), RANGES)
def test_bundled_ranges_are_valid_for_their_scenario(ranges: str, scenario: str) -> None:
    """Each with a reason, each accepted by its scenario at both ends or at every level (a
    study-level field or one a variant sets would be refused); a full ranges file has at
    least 15 parameters, a structure file the four structural options of docs/model.md 7.26
    that act on these studies."""
    from sim.sensitivity.ranges import read_ranges
    from sim.sensitivity.run import _check_in_scenario

    parameters = read_ranges(ROOT / "scenarios" / "ranges" / ranges).parameters
    if "structure" in ranges:
        assert {p.path for p in parameters if p.categorical} == {
            "platform.followers",
            "platform.inference.connection_rule",
            "platform.invitations.draw",
            "platform.test_audience.draw",
        }
    else:
        assert len(parameters) >= 15
    assert all(p.reason.strip() for p in parameters)
    for parameter in parameters:
        _check_in_scenario(ROOT / "scenarios" / scenario, parameter, {})


def test_a_ranges_file_takes_every_number_path_feedsim_params_lists(tmp_path: Path) -> None:
    """List items by name or index are paths like any other: a focal member's field by its
    name (as `feedsim sweep --set` takes it), an activity class's by its index; and each
    inside one variant (`variants.<name>.PATH`, as `feedsim params` says)."""
    from sim.params import INDEX, NAME, parameters
    from sim.sensitivity.ranges import read_ranges, schema_type

    path = "focal.recruiter.strategy.note_reply_rate"
    (parameter,) = read_ranges(
        _ranges(tmp_path, [{"path": path, "low": 0.05, "high": 0.2, "reason": "test"}])
    ).parameters
    assert (parameter.path, parameter.low, parameter.high) == (path, 0.05, 0.2)
    numbers = [p for p in parameters() if p.kind in ("number", "integer")]
    assert any(NAME in p.path for p in numbers) and any(INDEX in p.path for p in numbers)
    for listed in numbers:
        concrete = listed.path.replace(NAME, "recruiter").replace(INDEX, "0")
        found = schema_type(concrete)
        assert found is not None and found[0] in (int, float), concrete
        assert schema_type(f"variants.my-arm.{concrete}") == found  # inside one variant


# ------------------------------------------------------------------ arms named by the user

USER: dict[str, Any] = {
    "name": "my-study",
    "topics": ["finance", "it"],
    "duration_days": 8,
    "replications": 1,
    "seed": 3,
    "slice_hours": 6,
    "network": {"members": 200, "mean_degree": 16},
    "focal": [{"name": "ann", "field": "finance", "sessions_per_day": 2, "posts_per_day": 0.5}],
    "variants": [
        {"name": "calm"},
        {
            "name": "my-arm",
            "events": [
                {
                    "day": 2,
                    "action": "accept_invitations",
                    "member": "ann",
                    "count": 20,
                    "field": "it",
                }
            ],
        },
    ],
}
USER_RANGES: dict[str, Any] = {
    "compare": {"treatment": "my-arm", "reference": "calm"},
    "outcomes": {"d_viewers_per_post": None, "d_focus_share": None, "reached_share_everyone": {}},
    "parameters": [
        {"path": "focal.ann.sessions_per_day", "low": 1, "high": 4, "reason": "test"},
    ],
}


@pytest.fixture
def user_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(USER, sort_keys=False))
    return path


def _user_ranges(tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "my-ranges.yaml"
    path.write_text(yaml.safe_dump({**USER_RANGES, **changes}, sort_keys=False))
    return path


def test_a_user_scenario_with_its_own_arm_names_and_a_focal_field_by_name(
    user_scenario: Path, tmp_path: Path
) -> None:
    """Arms named by the user (not the bundled studies'), compared as the ranges file says,
    and a focal member's field by the member's name: 4 points x 2 arms, about 3 s."""
    out = tmp_path / "out"
    ranges = _user_ranges(tmp_path)
    result = invoke(
        user_scenario,
        "--out",
        out,
        "--quiet",
        "--jobs",
        "1",
        "--trajectories",
        "2",
        "--ranges",
        ranges,
    )
    assert result.exit_code == 0, result.output
    folder = out / "my-study-morris"
    runs = pd.read_parquet(folder / "tables" / "runs.parquet")
    points = pd.read_parquet(folder / "tables" / "points.parquet")
    assert sorted(runs["variant"].unique()) == ["calm", "my-arm"]
    assert set(runs["focal__ann__sessions_per_day"]) <= {1.0, 2.0, 3.0, 4.0}
    wide = runs.pivot(index="point", columns="variant", values="viewers_per_post")
    assert points["d_viewers_per_post"].tolist() == (wide["my-arm"] - wide["calm"]).tolist()
    reached = runs[runs["variant"] == "my-arm"].set_index("point")["reached_share"]
    assert points["reached_share_everyone"].tolist() == reached.tolist()
    assert points["d_focus_share"].notna().all()  # the focus topic: the event's field
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["outcomes"] == ["d_viewers_per_post", "reached_share_everyone", "d_focus_share"]
    assert manifest["outcome_variants"]["d_focus_share"] == ["calm", "my-arm"]
    report = (folder / "report.md").read_text()
    assert "`viewers_per_post` of my-arm minus calm" in report
    assert "Not applicable" not in report  # the outcomes not listed are not asked for

    # `feedsim figures` rebuilds the plan with the same arms, and the same report
    (folder / "report.md").unlink()
    redraw = CliRunner().invoke(main, ["figures", str(folder)])
    assert redraw.exit_code == 0, redraw.output
    assert (folder / "report.md").read_text() == report


@pytest.mark.parametrize(("ranges", "scenario"), RANGES)
def test_the_bundled_ranges_name_the_arms_the_bundled_outcomes_compared(
    ranges: str, scenario: str
) -> None:
    """The bundled ranges files name the arms of their studies: the same outcomes, with the
    same arms and titles, as the outcomes' own arm names give (so the same numbers)."""
    from sim.scenario import load_study
    from sim.sensitivity.outcomes import applicable
    from sim.sensitivity.ranges import read_ranges

    comparison = read_ranges(ROOT / "scenarios" / "ranges" / ranges).comparison
    study = load_study(ROOT / "scenarios" / scenario)
    named, _ = applicable(study, comparison)
    assert comparison is not None and named == applicable(study)[0]


def test_outcomes_take_the_pair_by_role_and_their_own_arms() -> None:
    """Without `outcomes`, every outcome the pair gives (a level takes its role's arm); an
    outcome with a third arm needs it named."""
    from sim.scenario import load_study
    from sim.sensitivity.outcomes import Comparison, applicable

    study = load_study(ROOT / "scenarios" / "link-with-everyone-screening.yaml")
    pair = {"treatment": "everyone-intro", "reference": "everyone"}
    usable, skipped = applicable(study, Comparison("r.yaml", pair, None))
    got = {o.name: o.variants for o in usable}
    assert got["primary_reach"] == ("everyone",)
    assert got["reached_share_everyone"] == ("everyone-intro",)
    assert got["d_viewers_per_post"] == ("everyone", "everyone-intro")
    assert {o.name for o in skipped} == {"never_heard_with_intro", "inference_part"}
    title = next(o.title for o in usable if o.name == "d_viewers_per_post")
    assert title == "Viewers per post, everyone-intro minus everyone"


@pytest.mark.parametrize(
    ("changes", "needles"),
    [
        (
            {"compare": {"treatment": "my-arn", "reference": "calm"}},
            [
                "compare.treatment",
                "no variant named 'my-arn'",
                "calm, my-arm",
                "did you mean my-arm",
            ],
        ),
        (
            {"outcomes": {"d_focus_share": {"treatment": "my-arm", "reference": "nope"}}},
            ["outcomes.d_focus_share.reference", "no variant named 'nope'"],
        ),
        ({"outcomes": {"d_focus": None}}, ["outcomes.d_focus", "unknown outcome", "d_focus_share"]),
        (
            {"outcomes": {"primary_reach": {"reference": "calm"}}},
            ["outcomes.primary_reach.reference", "unknown key (arm)"],
        ),
        (
            {"compare": None, "outcomes": {"d_focus_share": {"treatment": "my-arm"}}},
            ["outcomes.d_focus_share", "names no reference arm"],
        ),
        (
            {"compare": {"treatment": "calm", "reference": "calm"}},
            ["compare", "compares 'calm' with itself"],
        ),
        ({"compare": ["my-arm", "calm"]}, ["compare", "expected a mapping of treatment and"]),
        ({"arms": {}}, ["arms", "unknown section (parameters, compare, outcomes)"]),
    ],
)
def test_bad_arms_exit_2_with_one_line(
    user_scenario: Path, tmp_path: Path, changes: dict[str, Any], needles: list[str]
) -> None:
    ranges = _user_ranges(tmp_path, **changes)
    result = invoke(user_scenario, "--out", tmp_path / "out", "--quiet", "--ranges", ranges)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and str(ranges) in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_arms_not_named_say_how_to_name_them(user_scenario: Path, tmp_path: Path) -> None:
    result = invoke(user_scenario, "--out", tmp_path / "out", "--param", PARAMS[1])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert "(calm, my-arm)" in result.stderr and "compare: {treatment: ARM" in result.stderr


def test_points_set_a_focal_field_by_name_and_a_field_inside_one_variant(
    user_scenario: Path, tmp_path: Path
) -> None:
    """Each point sets its values as `feedsim sweep --set` would: the focal member's field
    in every arm, the variant's field in that arm only (planning alone: nothing runs)."""
    from sim.sensitivity.ranges import read_ranges
    from sim.sensitivity.run import plan_sensitivity

    count = {"path": "variants.my-arm.events.0.count", "low": 10, "high": 40, "reason": "test"}
    ranges = read_ranges(_user_ranges(tmp_path, parameters=[*USER_RANGES["parameters"], count]))
    plan = plan_sensitivity(
        user_scenario, Design("morris", 2, seed=1), ranges.parameters, None, ranges.comparison
    )
    assert len(plan.sweep.points) == 2 * (2 + 1 + 1)  # r (k + 1), k: two and the noise
    counts = set()
    for point in plan.sweep.points:
        values = plan.sweep.parameters(point)
        calm, mine = (arm.scenario for arm in point.study.arms)
        rate = values["focal.ann.sessions_per_day"]
        assert calm.focal[0].sessions_per_day == mine.focal[0].sessions_per_day == rate
        assert mine.events[0].count == values["variants.my-arm.events.0.count"]
        assert calm.events == []
        counts.add(mine.events[0].count)
    assert len(counts) > 1 and counts <= set(range(10, 41))
