"""A sweep of the trend study reports the trend's outcomes at every point.

The bundled trend study, made tiny (600 members, 12 days, 2 replications, the arms
no-trend, complex and simple), is swept over the complex contagion's threshold with
``feedsim sweep``. Its per-run outcomes (`sim.analysis.sweep_replications`) are checked
against plain pandas computations from the saved Parquet tables and against
`sim.analysis.against_reference` (one definition of each outcome); its intervals against a
t interval; its figure and report against the frame they draw.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.analysis import (
    RUN_OUTCOMES,
    SWEEP_METRICS,
    against_reference,
    figure_names,
    load_results,
    sweep_outcome_list,
    sweep_outcomes,
    sweep_replications,
    trend_arms,
)
from sim.cli import main
from tests.helpers import ROOT, mean_ci
from tests.test_figures import svg_flow

THRESHOLD = "trend.contagion.threshold"
COLUMN = THRESHOLD.replace(".", "__")
THRESHOLDS = (1, 3)
DAYS = 12
ARMS = ["no-trend", "complex", "simple"]
TREND_NAMES = [
    "adopter_share",
    "half_day",
    "reach_everyone",
    "reach_non_adopters",
    "engagement_everyone",
]


def tiny_trend(folder: Path) -> Path:
    """The bundled trend study with 600 members, 12 days, 2 replications and three arms."""
    study: dict[str, Any] = yaml.safe_load(
        (ROOT / "scenarios" / "trend-spreads.yaml").read_text(encoding="utf-8")
    )
    study["duration_days"] = DAYS
    study["replications"] = 2
    study["network"] |= {"members": 600, "mean_degree": 40, "follows": {"per_member": 20}}
    study["variants"] = [v for v in study["variants"] if v["name"] in ARMS]
    assert [v["name"] for v in study["variants"]] == ARMS
    path = folder / "trend-tiny.yaml"
    path.write_text(yaml.safe_dump(study, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``feedsim sweep`` of the tiny study over the threshold (figures and report drawn)."""
    folder = tmp_path_factory.mktemp("trend-sweep")
    args = ["sweep", str(tiny_trend(folder)), "--out", str(folder), "--quiet", "--jobs", "1"]
    args += ["--set", f"{THRESHOLD}={','.join(map(str, THRESHOLDS))}"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return folder / "trend-spreads-sweep"


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(folder / "tables" / f"{name}.parquet")


def test_a_trend_sweep_reports_the_trend_outcomes_only(sweep: Path) -> None:
    results = load_results(sweep)
    assert not results.has_focal
    assert sweep_outcome_list(results) == list(RUN_OUTCOMES)
    assert [o.name for o in RUN_OUTCOMES] == TREND_NAMES
    assert figure_names(results) == ["sweep_outcomes"]
    # two swept parameters: no map of the focal members' reach, as there are none
    two = dataclasses.replace(results, sweep_parameters=[COLUMN, "seed"])
    assert figure_names(two) == ["sweep_outcomes"]
    # with focal members too, their outcomes come first and the trend's are added
    focal = dataclasses.replace(results, feed=pd.DataFrame({"day": [0]}))
    assert sweep_outcome_list(focal) == [*SWEEP_METRICS, *RUN_OUTCOMES]
    # without the trend nothing changes for the focal members' sweeps
    plain = dataclasses.replace(focal, adoption=results.adoption.iloc[0:0])
    assert sweep_outcome_list(plain) == list(SWEEP_METRICS)


def test_a_lower_threshold_spreads_the_complex_contagion_at_least_as_far(sweep: Path) -> None:
    per_rep = sweep_replications(load_results(sweep))
    share = per_rep.set_index([COLUMN, "variant", "replication"])["adopter_share"]
    low, high = THRESHOLDS
    for r in (0, 1):
        assert share[(low, "complex", r)] >= share[(high, "complex", r)]
        assert share[(low, "complex", r)] > 0.01  # beyond the 1% seeded
        # the simple contagion has no threshold: the same runs at both points
        assert share[(low, "simple", r)] == share[(high, "simple", r)]
        assert share[(low, "no-trend", r)] == share[(high, "no-trend", r)] == 0.0


def test_per_run_outcomes_are_the_tables(sweep: Path) -> None:
    """Each outcome recomputed from the Parquet tables with plain pandas."""
    keys = [COLUMN, "variant", "replication"]
    per_rep = sweep_replications(load_results(sweep)).set_index(keys)
    assert len(per_rep) == len(THRESHOLDS) * len(ARMS) * 2

    adoption = table(sweep, "adoption")
    last = adoption[adoption["day"] == DAYS].set_index(keys)
    expected = last["adopters"] / last["members"]
    assert per_rep["adopter_share"].to_numpy() == pytest.approx(expected[per_rep.index])
    assert (per_rep["adopter_share_base"] == 600).all()

    half = adoption[adoption["adopters"] >= adoption["members"] / 2]
    first = half.groupby(keys)["day"].min().reindex(per_rep.index)  # NaN: never half
    assert per_rep["half_day"].to_numpy() == pytest.approx(first.to_numpy(), nan_ok=True)
    assert per_rep.xs("no-trend", level="variant")["half_day"].isna().all()

    posts = table(sweep, "posts")
    scenarios = load_results(sweep).manifest["scenario"]["variants"]
    assert {s["scenario"]["platform"]["max_age_days"] for s in scenarios} == {3.0}
    complete = posts[posts["created_day"] + 3.0 <= DAYS]  # a post's life in the feed: 3 days
    assert 0 < len(complete) < len(posts)
    everyone = complete.groupby(keys)["impressions"].agg(["mean", "size"])
    assert per_rep["reach_everyone"].to_numpy() == pytest.approx(everyone["mean"][per_rep.index])
    assert (per_rep["reach_everyone_base"] == everyone["size"][per_rep.index]).all()

    adopted = posts.groupby([*keys, "author_id"])["author_adopted"].transform("any")
    never = complete[~adopted[complete.index]]
    non = never.groupby(keys)["impressions"].agg(["mean", "size"])
    assert per_rep["reach_non_adopters"].to_numpy() == pytest.approx(non["mean"][per_rep.index])
    # the complex arm has adopters, so its non-adopters wrote fewer of the posts
    for point in THRESHOLDS:
        for r in (0, 1):
            row = per_rep.loc[(point, "complex", r)]
            assert row["reach_non_adopters_base"] < row["reach_everyone_base"]
            row = per_rep.loc[(point, "no-trend", r)]
            assert row["reach_non_adopters"] == row["reach_everyone"]

    population = table(sweep, "population").groupby(keys)[["engagements", "impressions"]].sum()
    rate = population["engagements"] / population["impressions"]
    assert per_rep["engagement_everyone"].to_numpy() == pytest.approx(rate[per_rep.index])


def test_per_run_outcomes_are_those_of_the_trend_report(sweep: Path) -> None:
    """The values of `against_reference` (the report of `feedsim run`) at one point."""
    results = load_results(sweep)
    per_rep = sweep_replications(results)
    point = per_rep[per_rep["point"] == 0].set_index(["variant", "replication"])
    at = {t: getattr(results, t) for t in ("posts", "population", "adoption")}
    at = {t: frame[frame["point"] == 0] for t, frame in at.items()}
    arms = trend_arms(results.manifest, results.variants)
    compared = against_reference(
        at["posts"], at["population"], at["adoption"], arms, DAYS, 3.0
    ).set_index(["metric", "variant", "replication"])
    for name in ("reach_everyone", "reach_non_adopters", "engagement_everyone"):
        for variant in ("complex", "simple"):
            for r in (0, 1):
                value = compared.loc[(name, variant, r), "value"]
                assert point.loc[(variant, r), name] == pytest.approx(value)


def test_levels_and_paired_differences_have_t_intervals(sweep: Path) -> None:
    results = load_results(sweep)
    per_rep = sweep_replications(results)
    frame = sweep_outcomes(results, per_rep)
    assert set(frame["outcome"]) == set(TREND_NAMES)
    defined = frame[frame["outcome"] != "half_day"]  # in 12 days no run reaches half: NaN
    assert defined["mean"].notna().all() and (defined["n"] == 2).all()
    assert frame.loc[frame["outcome"] == "half_day", "mean"].isna().all()
    at = per_rep[per_rep[COLUMN] == THRESHOLDS[0]].set_index(["variant", "replication"])
    mine = frame[frame[COLUMN] == THRESHOLDS[0]].set_index(["outcome", "series"])
    reach = at["reach_everyone"]
    level = mine.loc[("reach_everyone", "complex")]
    assert (level["mean"], level["lo"], level["hi"]) == pytest.approx(mean_ci(reach["complex"]))
    assert level["base"] == pytest.approx(at.loc["complex", "reach_everyone_base"].mean())
    diff = mine.loc[("reach_everyone", "complex minus no-trend")]
    expected = mean_ci(reach["complex"] - reach["no-trend"])
    assert (diff["mean"], diff["lo"], diff["hi"]) == pytest.approx(expected)
    share = mine.loc[("adopter_share", "complex minus simple")]
    shares = at["adopter_share"]
    assert share["mean"] == pytest.approx((shares["complex"] - shares["simple"]).mean())


def test_the_figure_and_the_report_name_the_trend_outcomes(sweep: Path) -> None:
    results = load_results(sweep)
    frame = sweep_outcomes(results)
    text = (sweep / "report.md").read_text(encoding="utf-8")
    section = text.split("### The outcomes against the swept values")[1].split("## Manifest")[0]
    for outcome in RUN_OUTCOMES:
        if outcome.name != "half_day":
            assert f"{outcome.title} against {THRESHOLD}: under no-trend" in section
    # in 12 days no run reaches half the members: said, not drawn as a value
    assert "Day half the members followed the trend: no data at any value." in section
    level = frame[
        (frame["outcome"] == "adopter_share")
        & (frame["series"] == "complex")
        & (frame[COLUMN] == THRESHOLDS[0])
    ]
    assert f"under complex it falls from {100 * level['mean'].item():.1f}% (" in section
    assert "Outcomes of the trend over all members at each swept value" in section
    assert "the mean of its 2 runs, one per replication" in section
    assert section.count("each value rests on 2 runs per variant and 2 paired runs") == 4
    assert "on 600 members per run" in section
    assert "complete posts of non-adopters per run" in section
    assert "impressions per run" in section
    # no other empty outcome, no focal member, no ablation where the arms differ in kind
    assert section.count("no data") == 1 and "focal" not in section
    assert "complex minus simple: " in section and "switched off in simple" not in section

    png = sweep / "figures" / "sweep_outcomes.png"
    assert png.stat().st_size > 10_000
    flow = svg_flow(sweep / "figures" / "sweep_outcomes.svg")
    for words in ("% of members", "viewers per post", "% of impressions", "percentage points"):
        assert words in flow
    assert "Viewers per post of the non-adopters' posts: paired differences" in flow
    assert "mean of 2 replications; shaded band: 95% confidence interval" in flow
    assert "life in the feed (3 days) lies inside the run" in flow
