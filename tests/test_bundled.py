"""Every bundled scenario runs at a small size, and its figures exist with their series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import _draw, main
from sim.experiment import manifest, merge_tables, run_study, write_results
from sim.scenario import load_study
from tests.helpers import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SMALL = {"replications": 2, "slice_hours": 6, "network": {"members": 400, "mean_degree": 40}}


def test_the_bundled_scenarios_are_there() -> None:
    names = {path.stem for path in SCENARIOS}
    assert {"recruiter-accepts-100-it", "link-with-everyone", "link-with-everyone-region"} <= names


@pytest.mark.slow  # 10-20 s a scenario; make test-fast keeps the region sweep below
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenario_runs_small_and_draws_its_figures(path: Path, tmp_path: Path) -> None:
    overrides = dict(SMALL)
    if path.stem == "recruiter-accepts-100-it":
        overrides["network"] = {"members": 600, "mean_degree": 40}  # 100 IT inviters needed
    study = load_study(path, overrides)
    outputs = run_study(study, jobs=1, progress=False)
    data = manifest(study, outputs, dt.datetime.now(dt.UTC), 1)
    folder = write_results(tmp_path / study.base.name, merge_tables(outputs), data, _draw)
    svgs = {p.stem: p.read_text() for p in (folder / "figures").glob("*.svg")}
    pngs = {p.stem for p in (folder / "figures").glob("*.png")}
    expected = {
        "feed_by_topic",
        "beliefs_vs_truth",
        "feed_by_source",
        "reach_over_time",
        "primary_reach",
        "engagement_by_source",
        "connections_over_time",
        "effects_forest",
    }
    assert expected <= set(svgs) and expected <= pngs
    for arm in study.arms:
        assert arm.name in svgs["feed_by_topic"], arm.name
        assert arm.name in svgs["reach_over_time"], arm.name
    for topic in study.base.topics or []:
        assert topic in svgs["feed_by_topic"], topic
    if any(
        arm.scenario.focal and arm.scenario.focal[0].strategy.invitations_per_day
        for arm in study.arms
    ):
        assert "ties_never_heard" in svgs
    if study.focus_topic() is not None:
        assert "focus_effect" in svgs
    report = (folder / "report.html").read_text()
    assert 'src="figures/' not in report and "data:image/png;base64," in report


def test_region_scenario_sweeps_into_a_map(tmp_path: Path) -> None:
    """The region study's sweep (two values per axis here) yields the reach-region map."""
    path = ROOT / "scenarios" / "link-with-everyone-region.yaml"
    small = tmp_path / "region.yaml"
    text = path.read_text()
    for old, new in [
        ("members: 2500", "members: 400\n  mean_degree: 40\n  follows: {per_member: 20}"),
        ("duration_days: 120", "duration_days: 40"),
        ("slice_hours: 2", "slice_hours: 6"),
    ]:
        assert old in text, old  # the study is made small by editing its text
        text = text.replace(old, new)
    small.write_text(text)
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "sweep",
            str(small),
            "--set",
            "behaviour.ties.stranger=0.1,3",
            "--set",
            "platform.test_audience.fraction=0.05,0.4",
            "--out",
            str(tmp_path),
            "--replications",
            "2",
            "--jobs",
            "1",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    folder = tmp_path / "link-with-everyone-region-sweep"
    result = runner.invoke(main, ["figures", str(folder)])
    assert result.exit_code == 0, result.output
    svg = (folder / "figures" / "reach_region.svg").read_text()
    assert "stranger" in svg.lower()
    assert "test audience" in svg.lower() or "fraction" in svg.lower()
