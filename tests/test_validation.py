"""The validation machinery of docs/validation.md: verdicts of the three kinds of band, the
studies' mappings on hand-made tables with known answers, and the scorecard."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.validation import (
    EVALUATORS,
    amplification,
    audience,
    chronological,
    evaluate_study,
    feed_sources,
)
from sim.analysis.validation.bands import (
    BandResult,
    Estimate,
    interval_verdict,
    sign_verdict,
    upper_limit_verdict,
)
from sim.analysis.validation.registry import CALIBRATED_AFTER, PREREGISTERED
from sim.cli import main
from sim.report.validation import read_verdicts, scorecard_markdown, write_verdicts


def est(value: float, low: float, high: float) -> Estimate:
    return Estimate(value, low, high, 10)


# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    ("estimate", "verdict"),
    [
        (est(30, 25, 35), "agrees"),
        (est(15, 10, 16), "disagrees"),  # the whole interval below 17.5
        (est(16, 12, 20), "inconclusive"),  # point outside, interval reaching in
        (est(70, 60, 80), "agrees"),  # the limit itself is inside
        (est(math.nan, math.nan, math.nan), "not comparable"),
    ],
)
def test_interval_bands(estimate: Estimate, verdict: str) -> None:
    assert interval_verdict(estimate, 17.5, 70.0) == verdict


@pytest.mark.parametrize(
    ("estimate", "side", "verdict"),
    [
        (est(5, 1, 9), "above", "agrees"),
        (est(5, 1, 9), "below", "disagrees"),
        (est(1, -1, 3), "above", "inconclusive"),
        (est(-5, -9, -1), "below", "agrees"),
        (est(1, math.nan, math.nan), "above", "not comparable"),
    ],
)
def test_sign_bands(estimate: Estimate, side: str, verdict: str) -> None:
    assert sign_verdict(estimate, side) == verdict  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("estimate", "verdict"),
    [(est(1, -1, 3), "agrees"), (est(5, 4, 6), "disagrees"), (est(2, 1, 4), "inconclusive")],
)
def test_upper_limit_bands(estimate: Estimate, verdict: str) -> None:
    assert upper_limit_verdict(estimate, 3.0) == verdict


def test_every_evaluator_is_of_a_preregistered_study() -> None:
    assert {
        "validation-amplification",
        "validation-audience",
        "validation-sources-of-feed",
        "validation-chronological",
    } <= set(EVALUATORS)
    assert set(EVALUATORS) <= set(PREREGISTERED)


# --------------------------------------------------------------------------- study 1


def test_amplification_is_reach_per_member_treated_over_control_minus_one() -> None:
    reach = pd.DataFrame(
        {
            "variant": "twitter",
            "replication": [0, 0, 1, 1],
            "group": "top_1pct",
            "arm": ["treated", "control", "treated", "control"],
            "viewers": [800, 100, 600, 100],
            "impressions": [1600, 100, 600, 200],
            "arm_members": [4000, 1000, 4000, 1000],
        }
    )
    ratios = amplification.group_amplification(reach)
    # (800 / 4000) / (100 / 1000) - 1 = 1.0; (600 / 4000) / (100 / 1000) - 1 = 0.5
    assert ratios["by_viewers"].tolist() == pytest.approx([1.0, 0.5])
    assert ratios["by_impressions"].tolist() == pytest.approx([3.0, -0.25])
    g1 = amplification.log_ratio_estimate(ratios["by_viewers"])
    # geometric mean of 2 and 1.5, minus one
    assert g1.value == pytest.approx(100 * (math.sqrt(3.0) - 1))
    assert g1.low < g1.value < g1.high


def test_the_spread_over_authors_counts_those_below_zero() -> None:
    rng = np.random.default_rng(1)
    authors = pd.DataFrame(
        {
            "variant": "twitter",
            "replication": np.repeat(np.arange(10), 50),
            "a": np.tile(np.linspace(-0.5, 1.5, 50), 10) + rng.normal(0, 0.01, 500),
        }
    )
    spread = amplification.spread(authors)
    assert spread["share_below_0"].value == pytest.approx(24.0, abs=3)  # 12 of 50 below 0
    assert spread["interdecile_range"].value == pytest.approx(160.0, abs=5)
    assert amplification.spread_verdict(spread) == "agrees"
    narrow = authors.assign(a=0.5 + rng.normal(0, 0.05, 500))
    assert amplification.spread_verdict(amplification.spread(narrow)) == "disagrees"


# --------------------------------------------------------------------------- study 2


def test_the_per_post_share_counts_connections_who_saw_the_post() -> None:
    posts = pd.DataFrame(
        {
            "variant": "facebook-like",
            "replication": 0,
            "author_id": [1, 2, 3, 4],
            "created_day": [15.5, 20.0, 41.9, 42.0],  # the last is outside the window
            "author_connections": [100, 50, 0, 10],
            "viewers_peer": [30, 10, 0, 10],
            "viewers_stranger": [10, 0, 0, 0],
        }
    )
    shares = audience.per_post_share(posts)
    # post 1: 40 / 100, post 2: 10 / 50; post 3 has no connection
    assert shares["mean"].tolist() == pytest.approx([0.3])
    assert shares["authors"].tolist() == [2]


def test_monthly_reach_sums_arms_and_divides_by_connections() -> None:
    reach = pd.DataFrame(
        {
            "variant": "facebook-like",
            "replication": 0,
            "author": [1, 2],
            "arm": "main",
            "posts": [1, 5],
            "connected_viewers": [60, 20],
            "connections": [100, 40],
        }
    )
    result = audience.monthly_reach(reach)
    assert result["mean"].tolist() == pytest.approx([0.55])  # (0.6 + 0.5) / 2
    assert result["posts 1"].tolist() == pytest.approx([0.6])
    assert result["posts 4-7"].tolist() == pytest.approx([0.5])


def test_candidates_per_item_is_a_ratio_of_sums_over_the_window() -> None:
    days = pd.DataFrame(
        {
            "variant": "facebook-like",
            "replication": 0,
            "day": [14, 15, 16],
            "candidates": [1000, 500, 300],
            "impressions": [1, 100, 60],
        }
    )
    assert audience.candidates_per_item(days)["ratio"].tolist() == pytest.approx([5.0])


# --------------------------------------------------------------------------- study 4


def test_platform_definitions_group_the_relations_as_each_platform_does() -> None:
    posts = pd.DataFrame(
        {
            "variant": "edgerank",
            "replication": 0,
            "created_day": [5.0, 10.0, 17.0],
            "viewers_peer": [40, 10, 1000],
            "viewers_stranger": [10, 0, 0],
            "viewers_follow": [20, 0, 0],
            "viewers_second_degree": [5, 5, 0],
            "viewers_out_of_network": [10, 0, 0],
        }
    )
    shares = feed_sources.relation_shares(posts).iloc[0]
    assert shares["twitter_in_network"] == pytest.approx(80 / 100)
    assert shares["meta_unconnected"] == pytest.approx(20 / 100)
    assert shares["linkedin_organic"] == pytest.approx(90 / 100)


# --------------------------------------------------------------------------- study 5


def funnel_rows(arm: str, replication: int, counts: dict[str, int]) -> list[dict[str, object]]:
    return [
        {
            "variant": "edgerank",
            "replication": replication,
            "day": 20,
            "arm": arm,
            "relation": relation,
            "own_field": False,
            "impressions": n,
        }
        for relation, n in counts.items()
    ]


def test_a_changed_source_mix_agrees_and_an_unchanged_one_disagrees() -> None:
    rows = []
    for r in range(5):
        rows += funnel_rows("ranked", r, {"peer": 50 + r, "follow": 30, "out_of_network": 20})
        rows += funnel_rows(
            "chronological", r, {"peer": 70 + r, "follow": 20, "out_of_network": 10}
        )
    shares = chronological.relation_shares(pd.DataFrame(rows))
    changes = chronological.share_changes(shares, "edgerank")
    assert changes["connected"].value > 10
    assert chronological.change_verdict(changes) == "agrees"
    same = []
    for r in range(5):
        same += funnel_rows("ranked", r, {"peer": 50, "follow": 30 + r, "out_of_network": 20})
        same += funnel_rows(
            "chronological", r, {"peer": 50, "follow": 30 + r, "out_of_network": 20}
        )
    unchanged = chronological.share_changes(
        chronological.relation_shares(pd.DataFrame(same)), "edgerank"
    )
    assert chronological.change_verdict(unchanged) == "disagrees"


# --------------------------------------------------------------------------- reports


def test_verdicts_round_trip_and_the_scorecard_lists_what_was_not_run(tmp_path: Path) -> None:
    folder = tmp_path / "validation-sources-of-feed"
    folder.mkdir()
    row = BandResult(
        "4b",
        "validation-sources-of-feed",
        "q",
        "50%",
        "src (M)",
        "35% to 65%",
        "agrees",
        est(48.0, 46.0, 50.0),
        "%",
        low=35.0,
        high=65.0,
    )
    write_verdicts(folder, [row])
    assert read_verdicts(folder) == [row]
    assert "| 4b |" in (folder / "validation.md").read_text()
    result = CliRunner().invoke(main, ["validation", "scorecard", str(tmp_path)])
    assert result.exit_code == 0, result.output
    card = (tmp_path / "scorecard.md").read_text()
    assert "1 agrees" in card and "1a (validation-amplification)" in card
    assert (tmp_path / "scorecard.png").is_file() and (tmp_path / "scorecard.svg").is_file()
    assert json.loads((folder / "verdicts.json").read_text())[0]["verdict"] == "agrees"


def test_bands_whose_structure_was_chosen_after_their_verdict_are_calibration(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Rule 4: a band of CALIBRATED_AFTER leaves the validation list, saying why."""

    def rows(_folder: Path) -> list[BandResult]:
        return [
            BandResult("4a", STUDY, "q", "p", "s", "c", "agrees", calibration=True),
            BandResult("4b", STUDY, "q", "p", "s", "c", "disagrees", note="supply"),
            BandResult("4c", STUDY, "q", "p", "s", "c", "agrees"),
        ]

    STUDY = "validation-sources-of-feed"
    monkeypatch.setitem(EVALUATORS, STUDY, rows)
    monkeypatch.delitem(CALIBRATED_AFTER, "4c")
    a, b, c = evaluate_study(STUDY, tmp_path)
    assert a == rows(tmp_path)[0]
    assert b.calibration and b.verdict == "disagrees"
    assert b.note.startswith("calibrated after validation: `platform.followers`")
    assert b.note.endswith("; supply")
    assert c == rows(tmp_path)[2]
    card = scorecard_markdown([a, b, c], [], "f.png")
    validation, calibration = card.split("## Calibration (not validation)")
    assert "| 4c |" in validation and "| 4b |" not in validation
    assert "| 4a |" in calibration and "| 4b |" in calibration
    assert "**Validation bands**: 1 agrees." in card


def test_every_band_calibrated_after_validation_is_preregistered() -> None:
    bands = {b for study in PREREGISTERED.values() for b in study}
    assert {b.split("-")[0] for b in CALIBRATED_AFTER} <= bands  # 5a-linkedin is 5a's
    assert {"1a", "1b", "1c", "1d", "4b", "4c"} <= set(CALIBRATED_AFTER)


def test_evaluating_a_folder_that_is_not_a_validation_study_exits_2(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"scenario_name": "recruiter"}))
    result = CliRunner().invoke(main, ["validation", "evaluate", str(tmp_path)])
    assert result.exit_code == 2
    assert "'recruiter' is not a validation study" in result.output
    assert len(result.output.strip().splitlines()) == 1


# --------------------------------------------------------------------------- assumptions


def test_every_assumption_names_parameters_feedsim_has() -> None:
    from sim import params
    from sim.analysis.assumptions import ASSUMPTIONS

    paths = {p.path for p in params.parameters()}
    assert set(ASSUMPTIONS) == {"C1", "C3", "C4", "C8", "C9", "tip 2"}
    for assumption in ASSUMPTIONS.values():
        assert set(assumption.inputs) <= paths, assumption.claim
        assert assumption.label.startswith(f"Assumption, not a finding ({assumption.claim})")
