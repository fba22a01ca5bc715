"""A user's own question, end to end, as she would write it from the README.

A social-selling consultant asks: "I'm a nurse educator with about 300 connections. If I
accept 150 invitations from pharma sales reps over two weeks, how does my feed change, does
an intro message to each help me hear back from them, and does it matter whether the feed
is ranked or chronological?" Her study, scaled down so that it runs in seconds (1,000
members; her member the one nearest 40 connections in her field), is four arms with the
comparisons she cares about, a burst spread over 14 days, intro messages asked for on the
burst itself, and a chronological replay.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from sim.analysis import load_results
from sim.analysis.comparisons import compare
from tests.test_cli import invoke

BURST = {"day": 10, "days": 14, "action": "accept_invitations", "member": "nurse"}
BURST |= {"count": 150, "field": "pharma"}
STUDY = {
    "name": "nurse-educator",
    "title": "Accepting 150 pharma reps in two weeks",
    "description": "A nurse educator accepts 150 invitations from pharma sales reps.",
    "topics": ["nursing", "pharma", "education", "hospital", "research"],
    "duration_days": 30,
    "replications": 3,
    "seed": 11,
    "network": {"source": "synthetic", "members": 1000, "mean_degree": 40},
    "focal": [{"name": "nurse", "field": "nursing", "degree": 40, "degree_quantile": None}],
    "comparisons": [
        {"arm": "accept-150-pharma", "reference": "selective"},
        {"arm": "accept-150-pharma-intro", "reference": "accept-150-pharma"},
        {"arm": "accept-150-pharma-chronological", "reference": "accept-150-pharma"},
    ],
    "variants": [
        {"name": "selective", "description": "She keeps linking selectively."},
        {"name": "accept-150-pharma", "description": "150 pharma reps over two weeks.",
         "events": [BURST]},
        {"name": "accept-150-pharma-intro", "description": "The same, with an intro message.",
         "events": [{**BURST, "intro_message": True}]},
        {"name": "accept-150-pharma-chronological",
         "description": "The same burst under a chronological feed.",
         "events": [BURST], "platform": {"ranker": "chronological"}},
    ],
}  # fmt: skip


def her_scenario(folder: Path) -> Path:
    """Her scenario file, checked as she would (`feedsim validate`)."""
    scenario = folder / "nurse-educator.yaml"
    scenario.write_text(yaml.safe_dump(STUDY, sort_keys=False))
    checked = invoke("validate", scenario)
    assert checked.exit_code == 0, checked.output
    return scenario


def test_her_burst_over_two_weeks_and_what_an_intro_message_does(tmp_path: Path) -> None:
    """`feedsim run` on her study: the burst makes its 150 ties over 14 days; the intro arm
    messages most of them, and the never-heard share, intro arm minus the arm without,
    paired by replication, has its 95% CI below 0 (3 replications; the intro reply rate is
    several times the blank one, so the interval is far from 0 at this size)."""
    scenario = her_scenario(tmp_path)
    # her tables and report; the figures are drawn by tests/test_bundled.py and test_figures.py
    out = tmp_path / "results"
    result = invoke("run", scenario, "--out", out, "--quiet", "--jobs", "1", "--no-figures")
    assert result.exit_code == 0, result.output
    results = tmp_path / "results" / "nurse-educator"
    ties = pd.read_parquet(results / "tables" / "ties.parquet")
    burst = ties[(ties["variant"] == "accept-150-pharma") & (ties["created_day"] >= 10)]
    per_rep = burst.groupby("replication").size()
    assert (per_rep == 150).all(), per_rep  # the whole count, not the first day's
    days = burst["created_day"].floordiv(1).unique()
    assert days.min() == 10 and days.max() == 23 and len(days) == 14
    intro = ties[(ties["variant"] == "accept-150-pharma-intro") & (ties["created_day"] >= 10)]
    assert intro["intro_message"].mean() > 0.5  # most get one, within the daily budget
    assert not burst["intro_message"].any()

    pair = [("accept-150-pharma", "accept-150-pharma-intro")]
    never = compare(load_results(results), pair).set_index("outcome").loc["never_heard"]
    assert never["n"] == 3 and never["hi"] < 0, never
    report = (results / "report.md").read_text()
    assert report.index("Comparisons") < report.index("Other comparisons")


def test_a_sweep_over_her_burst_sweeps_its_total(tmp_path: Path) -> None:
    scenario = her_scenario(tmp_path)
    out = tmp_path / "sweep"
    result = invoke(
        "sweep", scenario, "--out", out, "--replications", "1", "--quiet", "--jobs", "1",
        "--set", "variants.accept-150-pharma.events.0.count=70,140",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = out / "nurse-educator-sweep"
    ties = pd.read_parquet(folder / "tables" / "ties.parquet")
    burst = ties[(ties["variant"] == "accept-150-pharma") & (ties["created_day"] >= 10)]
    column = "variants__accept-150-pharma__events__0__count"
    assert burst.groupby(column).size().to_dict() == {70: 70, 140: 140}
    report = (folder / "report.md").read_text()
    assert "at 70" in report and "at 140" in report
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [p["parameters"] for p in manifest["points"]][-1] == {
        "variants.accept-150-pharma.events.0.count": 140
    }


def test_a_sensitivity_analysis_of_her_study_with_her_arm_names(tmp_path: Path) -> None:
    """`feedsim sensitivity` on her four arms (a smaller copy: 200 members, 10 days, a burst
    of 20 over 5 days), the arms named in the ranges file and a parameter of her member by
    name: it runs, and the burst's outcomes are her arms' paired differences."""
    small = {
        **STUDY,
        "duration_days": 10,
        "replications": 1,
        "network": {"source": "synthetic", "members": 200, "mean_degree": 16},
        "focal": [{"name": "nurse", "field": "nursing", "degree": 16, "degree_quantile": None}],
    }
    small["variants"] = [
        {**v, "events": [{**e, "day": 2, "count": 20, "days": 5} for e in v["events"]]}
        if "events" in v
        else v
        for v in STUDY["variants"]
    ]
    scenario = tmp_path / "nurse-small.yaml"
    scenario.write_text(yaml.safe_dump(small, sort_keys=False))
    ranges = tmp_path / "nurse-ranges.yaml"
    ranges.write_text(
        yaml.safe_dump(
            {
                "compare": {"treatment": "accept-150-pharma", "reference": "selective"},
                "parameters": [
                    {"path": "focal.nurse.sessions_per_day", "low": 0.5, "high": 2.0,
                     "reason": "how often she reads her feed"},
                ],
            }
        )
    )  # fmt: skip
    result = invoke(
        "sensitivity", scenario, "--method", "morris", "--trajectories", "2",
        "--ranges", ranges, "--out", tmp_path / "out", "--quiet", "--jobs", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "nurse-educator-morris"
    indices = pd.read_parquet(folder / "tables" / "sensitivity.parquet")
    assert {"focal.nurse.sessions_per_day", "noise"} <= set(indices["parameter"])
    assert "d_viewers_per_post" in set(indices["outcome"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["comparison"]["compare"] == {
        "treatment": "accept-150-pharma",
        "reference": "selective",
    }
