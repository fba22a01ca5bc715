"""Every bundled scenario runs at a small size, and its figures exist with their series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from sim.cli.drawing import draw
from sim.experiment import manifest, merge_tables, run_study, write_results
from sim.scenario import load_study
from tests.helpers import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SCREENING = {  # reduced copy -> the study it reduces
    "link-with-everyone-screening": "link-with-everyone",
    "recruiter-screening": "recruiter-accepts-100-it",
    "trend-spreads-screening": "trend-spreads",
}
#: What a screening copy may change: its size, length, replications and the arms it keeps.
REDUCED = ("name", "description", "duration_days", "replications")
SMALL = {"replications": 2, "slice_hours": 6, "network": {"members": 400, "mean_degree": 40}}


def test_the_bundled_scenarios_are_there() -> None:
    names = {path.stem for path in SCENARIOS}
    assert {"recruiter-accepts-100-it", "link-with-everyone", *SCREENING} <= names


@pytest.mark.parametrize(("reduced", "full"), sorted(SCREENING.items()))
def test_a_screening_scenario_is_its_study_made_shorter(reduced: str, full: str) -> None:
    """Each arm of a screening copy is the full study's arm of that name, on the same
    network, except for the duration, the replications and the days its scripted events
    fall on: the sensitivity analysis screens the study the README reports, in its feed
    regime (tests/test_screening_regime.py), not a different one."""
    small = load_study(ROOT / "scenarios" / f"{reduced}.yaml")
    large = load_study(ROOT / "scenarios" / f"{full}.yaml")
    arms = {arm.name: arm.scenario for arm in large.arms}
    assert small.base.network == large.base.network
    assert small.base.duration_days < large.base.duration_days
    for arm in small.arms:
        mine, theirs = (
            s.model_dump(exclude={**dict.fromkeys(REDUCED, True), "events": True})
            for s in (arm.scenario, arms[arm.name])
        )
        assert mine == theirs, arm.name
        days_apart = (
            [{k: v for k, v in e.model_dump().items() if k != "day"} for e in arm.scenario.events],
            [
                {k: v for k, v in e.model_dump().items() if k != "day"}
                for e in arms[arm.name].events
            ],
        )
        assert days_apart[0] == days_apart[1], arm.name


@pytest.mark.slow  # 10-20 s a scenario
@pytest.mark.parametrize(
    "path", [p for p in SCENARIOS if p.stem not in SCREENING], ids=lambda p: p.stem
)
def test_bundled_scenario_runs_small_and_draws_its_figures(path: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load(path.read_text())
    overrides: dict[str, object] = dict(SMALL)
    if path.stem == "recruiter-accepts-100-it":
        overrides["network"] = {"members": 600, "mean_degree": 40}  # 100 IT inviters needed
    if raw["network"].get("source") == "file":
        missing = [
            f for f in ("edges", "labels") if not (path.parent / raw["network"][f]).is_file()
        ]
        if missing:
            pytest.skip(f"{path.stem}: its network files are not in ../shared/data ({missing})")
        overrides.pop("network")
    if path.stem == "link-with-everyone":  # every figure, the day-120 prune included
        overrides["duration_days"] = 125
    if "trend" in raw:  # nine arms: one replication of ten days draws every figure
        overrides.update(duration_days=10, replications=1)
    study = load_study(path, overrides)
    outputs = run_study(study, jobs=1, progress=False)
    data = manifest(study, outputs, dt.datetime.now(dt.UTC), 1)
    folder = write_results(tmp_path / study.base.name, merge_tables(outputs), data, draw)
    svgs = {p.stem: p.read_text() for p in (folder / "figures").glob("*.svg")}
    pngs = {p.stem for p in (folder / "figures").glob("*.png")}
    if "trend" in raw:
        trend = {"trend_adoption", "trend_reach", "trend_reach_vs_adoption", "trend_feed_sources"}
        assert trend <= set(svgs) and trend <= pngs
        for arm in study.arms:
            assert arm.name in svgs["trend_adoption"], arm.name
        assert "The trend" in (folder / "report.md").read_text()
        return
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
