"""The comparisons a scenario lists: checked on input, carried by the manifest, leading the
report and the figures with arm minus reference; never-heard shares the text and the figure
agree on; and how many replications a useful interval would take."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import (
    Metric,
    compare,
    load_results,
    paired_differences,
    replications_needed,
    short_rows,
    target_width,
    with_needed,
)
from sim.figures import draw_figures
from sim.report import report_markdown, write_report
from sim.report.comparisons import precision_sentence
from sim.scenario import load_study
from tests.helpers import mean_ci
from tests.test_cli import ScenarioFile, invoke
from tests.test_figures import (
    DAYS,
    EVENT_DAY,
    expected_it_share,
    svg_flow,
    svg_lines,
    write_results,
)

ARM, REFERENCE = "accept-100-it-no-connection-term", "accept-100-it"


def with_arms(small: dict[str, Any], comparisons: list[dict[str, str]]) -> dict[str, Any]:
    """The small scenario with three variants and the given comparisons."""
    variants = [{"name": n} for n in ("base", "burst", "burst-intro")]
    return {**small, "variants": variants, "comparisons": comparisons}


# ----------------------------------------------------------------------------- the field


@pytest.mark.parametrize(
    ("comparison", "field", "needle"),
    [
        ({"arm": "burst-intr", "reference": "burst"}, "comparisons[0].arm", "did you mean"),
        ({"arm": "burst", "reference": "nobody"}, "comparisons[0].reference", "'nobody'"),
        ({"arm": "burst", "reference": "burst"}, "comparisons[0].reference", "with itself"),
        ({"arm": "burst"}, "comparisons[0].reference", "Field required"),
    ],
    ids=["unknown-arm", "unknown-reference", "itself", "missing"],
)
def test_a_bad_comparison_exits_2_with_one_line(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    comparison: dict[str, str],
    field: str,
    needle: str,
) -> None:
    bad = scenario_file(with_arms(small, [comparison]), name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert f"{bad}: {field}: " in result.stderr, result.stderr
    assert needle in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_variant_may_not_set_comparisons(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    body = with_arms(small, [])
    body["variants"][1]["comparisons"] = [{"arm": "burst", "reference": "base"}]
    result = invoke("validate", scenario_file(body, name="bad.yaml"))
    assert result.exit_code == 2
    assert "variants[1].comparisons: is shared by all variants" in result.stderr


def test_the_manifest_carries_the_comparisons(
    small: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    chosen = [{"arm": "burst-intro", "reference": "burst"}]
    path = scenario_file(with_arms(small, chosen))
    study = load_study(path)
    assert study.resolved()["base"]["comparisons"] == chosen
    assert all("comparisons" not in v["scenario"] for v in study.resolved()["variants"])
    out = tmp_path / "out"
    assert invoke("run", path, "--out", out, "--quiet", "--no-figures").exit_code == 0
    results = load_results(out / "small")
    assert results.manifest["scenario"]["base"]["comparisons"] == chosen
    assert results.comparisons == [("burst", "burst-intro")]


# ----------------------------------------------------------------------------- the report


@pytest.fixture(scope="module")
def chosen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three-variant folder of tests/test_figures.py with one comparison, which
    `default_pairs` would show the other way round, drawn and reported."""
    root = write_results(tmp_path_factory.mktemp("chosen"))
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario"]["base"]["comparisons"] = [{"arm": ARM, "reference": REFERENCE}]
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    drawn = ["focus_effect", "effects_forest"]
    draw_figures(root, names=drawn)
    write_report(root, drawn)
    return root


def focus_differences() -> list[float]:
    """The IT share of the arm minus the reference's, per replication."""
    return [expected_it_share(ARM, r) - expected_it_share(REFERENCE, r) for r in range(3)]


def test_the_report_leads_with_the_chosen_pair_as_arm_minus_reference(chosen: Path) -> None:
    text = (chosen / "report.md").read_text(encoding="utf-8")
    assert text.index("## What was run") < text.index("## Comparisons") < text.index("## Results")
    lead = text[text.index("## Comparisons") : text.index("### Other comparisons")]
    mean, lo, hi = mean_ci(pd.Series(focus_differences()))
    assert mean < 0  # the default pairs would show it as +8.3 pp
    level = 100 * np.mean([expected_it_share(REFERENCE, r) for r in range(3)])
    row = (
        f"| {ARM} minus {REFERENCE} | it share of the feed, days {EVENT_DAY}–{DAYS - 1} | "
        f"percentage points | {level:.1f}% of feed impressions | "
        f"{100 * mean:+.1f} pp ({100 * lo:+.1f} to {100 * hi:+.1f}) | 3 |"
    )
    assert row in lead
    assert "minus baseline" not in lead
    # every outcome the report names has a row for the pair, here each with a value
    assert lead.count(f"| {ARM} minus {REFERENCE} |") == 9
    assert "New stranger ties never heard from within 10 days | percentage points" in lead
    # the other pairs only collapsed
    rest = text[text.index("### Other comparisons") : text.index("## Results")]
    assert "<details><summary>2 other pairs</summary>" in rest
    assert f"| {REFERENCE} minus baseline |" in rest
    page = (chosen / "report.html").read_text(encoding="utf-8")
    assert "<details><summary>2 other pairs</summary>\n<table>" in page


def test_the_figures_draw_the_chosen_pair_and_all_pairs_on_request(chosen: Path) -> None:
    mean = 100 * float(np.mean(focus_differences()))
    lines = svg_lines(chosen / "figures" / "focus_effect.svg")
    assert f"minus {REFERENCE}" in lines and f"{mean:+.1f} pp" in lines
    assert f"{-mean:+.1f} pp" not in lines and "minus baseline" not in lines
    assert "The scenario's comparisons, arm minus reference" in svg_flow(
        chosen / "figures" / "effects_forest.svg"
    )
    draw_figures(chosen, names=["focus_effect"], all_pairs=True)
    lines = svg_lines(chosen / "figures" / "focus_effect.svg")
    assert f"{mean:+.1f} pp" in lines and "minus baseline" in lines


def test_without_comparisons_the_report_keeps_its_pairs(tmp_path: Path) -> None:
    text = report_markdown(load_results(write_results(tmp_path)))
    assert "## Comparisons" not in text and "Other comparisons" not in text
    assert f"| {REFERENCE} minus {ARM} | +8.3 pp" in text  # default_pairs: earlier - later


# ----------------------------------------------------------------------------- never heard


@pytest.fixture(scope="module")
def late(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three arms; the first makes its new stranger ties on day 1 (followed 19 days), the
    two bursts on day 10 (followed 10 days), so the longest follow-up is not theirs.
    The intro arm hears from one more tie (the one never heard from otherwise, on day 13)."""
    variants = ["selective", "burst", "burst-intro"]
    root = write_results(tmp_path_factory.mktemp("late"), variants=variants)
    path = root / "tables" / "ties.parquet"
    ties = pd.read_parquet(path)
    strangers = ties[(ties["kind"] == "stranger") & (ties["variant"] == "burst")].copy()
    early = strangers.assign(variant="selective")
    early["variant"] = early["variant"].astype("string")
    for column in ("created_day", "first_interaction_day", "removed_day"):
        early[column] = early[column] - 9.0
    ties = pd.concat([ties, early], ignore_index=True)
    silent = (
        (ties["variant"] == "burst-intro")
        & (ties["kind"] == "stranger")
        & ~ties["intro_message"].astype(bool)
        & ties["first_interaction_day"].isna()
        & ties["removed_day"].isna()
    )
    ties.loc[silent, "first_interaction_day"] = 13.0
    ties.to_parquet(path)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario"]["base"]["comparisons"] = [{"arm": "burst-intro", "reference": "burst"}]
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_a_late_intro_pair_has_its_never_heard_difference(late: Path) -> None:
    results = load_results(late)
    frame = compare(results, results.comparisons).set_index("outcome")
    row = frame.loc["never_heard"]
    # read at 10 days, the bursts' common follow-up (the first arm's 19 would leave both
    # undefined); Kaplan-Meier of the six ties, with and without intro message together:
    # burst: heard from after 0 (1 of 6 at risk), 2 (1 of 5), 7 (1 of 3) days -> 4/9;
    # burst-intro: also after 3 (1 of 4), then 7 (1 of 2) -> 5/6 * 4/5 * 3/4 * 1/2 = 1/4
    assert row["day"] == 10.0 and row["n"] == 3
    assert row["mean"] == pytest.approx(1 / 4 - 4 / 9)
    assert row["level"] == pytest.approx(4 / 9)
    text = report_markdown(results)
    lead = text[text.index("## Comparisons") : text.index("## Results")]
    assert "| burst-intro minus burst | New stranger ties never heard from within 10 days |" in lead
    assert "-19.4 pp" in lead


def test_the_never_heard_text_and_figure_give_the_same_numbers(late: Path) -> None:
    results = load_results(late)
    text = report_markdown(results)
    sentence = next(line for line in text.splitlines() if line.startswith("Share of new"))
    assert "no data" not in sentence
    # each arm read where its own follow-up ends: 19 days for the first, 10 for the bursts
    assert "37.5% (95% CI 37.5–37.5) at 19 days under selective" in sentence
    assert "37.5% (37.5–37.5) at 10 days under burst" in sentence
    assert "0.0% (0.0–0.0) at 10 days under burst-intro" in sentence
    draw_figures(late, names=["ties_never_heard"])
    labels = svg_lines(late / "figures" / "ties_never_heard.svg")
    assert {"38%", "50%", "0%"} <= set(labels)


# ----------------------------------------------------------------------------- replications


def brute_force(sd: float, width: float) -> int:
    """The smallest n >= 2 whose 95% t interval is at most ``width`` wide."""
    n = 2
    while 2 * stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) > width:
        n += 1
    return n


@pytest.mark.parametrize(("sd", "width", "expected"), [(0.1, 0.05, 64), (0.125, 0.05, 99)])
def test_replications_needed_is_the_smallest_n_whose_interval_fits(
    sd: float, width: float, expected: int
) -> None:
    assert replications_needed(sd, width) == expected == brute_force(sd, width)
    assert replications_needed(0.0, 0.05) == 2
    assert replications_needed(math.nan, 0.05) is None


def test_the_target_width_by_unit() -> None:
    assert target_width(True, 0.3) == 0.05  # 5 percentage points for a share
    assert target_width(False, -40.0) == 4.0  # 10% of the level for a count
    assert math.isnan(target_width(False, 0.0))


def test_the_small_run_sentence_on_a_hand_made_table() -> None:
    # d_r = 0, 1/8, 1/4 in a share: sd 1/8, 3 replications; the interval spans
    # 2 t(0.975, 2) / 8 / sqrt(3) = 62.1 pp; 99 replications would give 5 pp
    per_rep = pd.DataFrame(
        {
            "variant": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "x": [0.5, 0.5, 0.5, 0.5, 0.625, 0.75],
        }
    )
    diffs = with_needed(paired_differences(per_rep, "x", [("a", "b")]), True, [0.5])
    assert diffs.loc[0, "sd"] == 0.125 and diffs.loc[0, "needed"] == 99
    frame = diffs.assign(outcome="x")
    assert len(short_rows(frame)) == 1
    metric = Metric("x", "Share of x", "%", True)
    sentence = precision_sentence(frame, {"x": metric}, 3)
    width = 100 * 2 * stats.t.ppf(0.975, 2) * 0.125 / math.sqrt(3)
    assert sentence.startswith("With 3 replications per variant, 1 of these 1 intervals")
    assert f"the widest, b minus a in share of x, spans {width:.1f} percentage points" in sentence
    assert "99 replications per variant would bring every one within its target" in sentence
    # wide enough at 99: nothing to say
    assert precision_sentence(frame.assign(n=99), {"x": metric}, 99) == ""


def test_the_report_says_how_many_replications_would_do(chosen: Path) -> None:
    text = (chosen / "report.md").read_text(encoding="utf-8")
    d = pd.Series(focus_differences())
    needed = brute_force(float(d.std(ddof=1)), 0.05)
    assert needed > 3
    lead = text[text.index("## Comparisons") : text.index("### Other comparisons")]
    assert f"pp ({' to '.join(f'{100 * x:+.1f}' for x in mean_ci(d)[1:])}) | 3 | {needed} |" in lead
    assert "With 3 replications per variant, " in lead and "wider than useful" in lead
