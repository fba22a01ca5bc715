"""The trend's analysis (sim/analysis/trend/) on small frames with known answers, and one
tiny trend study run end to end into its report section and figures."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from sim.analysis import (
    TREND_FIGURES,
    adopter_authors,
    against_reference,
    complete_posts,
    complete_weeks,
    daily_trend_outcomes,
    engagement_gini,
    figure_names,
    final_adoption,
    final_adoption_summary,
    gini,
    label_authors,
    load_results,
    non_adopter_source_shares,
    reference_effects,
    rewiring_differences,
    rewiring_pairs,
    s_shape,
    similarity_by_day,
    similarity_last_week,
    trend_arms,
    window_changes,
)
from sim.analysis.trend.outcomes import run_outcomes
from sim.cli import main

T975_DF2 = 4.302653  # t(0.975, 2), from printed tables
SCENARIO = "study"


# ----------------------------------------------------------------------------- helpers


def resolved(share: float, kind: str, rewire: str, threshold: float = 2.0) -> dict[str, Any]:
    """A variant's resolved scenario, reduced to what the trend analysis reads."""
    groups = [{"strategy": "everyone", "share": share, "seeding": "random", "field": None}]
    return {
        "name": SCENARIO,
        "network": {"source": "synthetic", "members": 100, "rewire": rewire},
        "platform": {"max_age_days": 3.0},
        "trend": {
            "groups": groups if share > 0 else [],
            "contagion": {
                "kind": kind,
                "exposures": "connections",
                "threshold_on": "count",
                "threshold": threshold,
                "adoption_rate": 0.5,
                "exposure_rate": 0.02,
            },
        },
    }


def manifest(variants: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A manifest holding the resolved scenario of each variant."""
    return {
        "scenario": {
            "base": next(iter(variants.values())),
            "variants": [{"name": n, "scenario": s} for n, s in variants.items()],
        }
    }


def adoption_rows(
    variant: str,
    replication: int,
    adopters: list[int],
    members: int = 100,
    similarity: float = 0.5,
) -> list[dict[str, Any]]:
    """Adoption table rows of one run from its adopters at snapshots 0..D."""
    previous = [0, *adopters[:-1]]
    return [
        {
            "scenario": SCENARIO,
            "variant": variant,
            "replication": replication,
            "seed": replication,
            "day": d,
            "adopters": a,
            "new_adopters": max(a - p, 0) if d else a,
            "dropped": max(p - a, 0) if d else 0,
            "members": members,
            "adopter_share": a / members,
            "feed_similarity": math.nan if d == 0 else similarity,
        }
        for d, (a, p) in enumerate(zip(adopters, previous, strict=True))
    ]


def post(
    variant: str, r: int, author: int, day: float, impressions: int, **extra: Any
) -> dict[str, Any]:
    """A posts table row."""
    row = {
        "scenario": SCENARIO,
        "variant": variant,
        "replication": r,
        "seed": r,
        "author_id": author,
        "author_adopted": False,
        "created_day": day,
        "impressions": impressions,
        "primary_viewers": 0,
        "viewers_peer": 0,
        "likes": 0,
        "comments": 0,
        "shares": 0,
    }
    return row | extra


def population_row(
    variant: str, r: int, day: int, viewer: str, group: str, imp: int, eng: int
) -> dict[str, Any]:
    """A population table row."""
    return {
        "scenario": SCENARIO,
        "variant": variant,
        "replication": r,
        "seed": r,
        "day": day,
        "viewer": viewer,
        "source_group": group,
        "impressions": imp,
        "engagements": eng,
    }


# ----------------------------------------------------------------------------- arms


def test_arms_pair_each_arm_with_its_rewired_copy_and_the_same_network_without_trend() -> None:
    variants = {
        "no-trend": resolved(0.0, "none", "none"),
        "complex": resolved(0.02, "complex", "none"),
        "complex-rewired": resolved(0.02, "complex", "degrees"),
        "simple": resolved(0.02, "simple", "none"),
        "no-trend-rewired": resolved(0.0, "none", "degrees"),
        "higher-threshold-rewired": resolved(0.02, "complex", "degrees", threshold=3.0),
    }
    arms = {a.name: a for a in trend_arms(manifest(variants), list(variants))}
    assert [a for a in arms if arms[a].has_trend] == [
        "complex",
        "complex-rewired",
        "simple",
        "higher-threshold-rewired",
    ]
    assert arms["complex"].counterpart == "complex-rewired"
    assert arms["complex-rewired"].counterpart == "complex"
    assert arms["simple"].counterpart is None  # no simple arm on the rewired network
    # another threshold is another study arm, not the rewired copy of complex
    assert arms["higher-threshold-rewired"].counterpart is None
    assert arms["complex"].reference == "no-trend"
    assert arms["complex-rewired"].reference == "no-trend-rewired"
    assert arms["higher-threshold-rewired"].reference == "no-trend-rewired"
    assert arms["no-trend"].reference is None
    assert rewiring_pairs(list(arms.values())) == [("complex-rewired", "complex")]
    assert arms["complex-rewired"].description == (
        "2% seeded at random; complex contagion: adopts (50% a day) once calls of 2 distinct "
        "adopters were seen in its connections' posts; network rewired (degrees)"
    )


def test_a_variant_without_a_trend_section_is_a_reference() -> None:
    plain = resolved(0.0, "none", "none")
    del plain["trend"]
    variants = {"plain": plain, "complex": resolved(0.02, "complex", "none")}
    arms = {a.name: a for a in trend_arms(manifest(variants), list(variants))}
    assert arms["complex"].reference == "plain"
    assert not arms["plain"].has_trend and arms["plain"].contagion == "none"


# ----------------------------------------------------------------------------- spread


def test_final_adoption_is_the_last_snapshot_and_counts_who_dropped() -> None:
    adoption = pd.DataFrame(adoption_rows("complex", 0, [2, 5, 4], members=10))
    final = final_adoption(adoption).iloc[0]
    assert final["day"] == 2 and final["adopters"] == 4
    assert final["adopter_share"] == pytest.approx(0.4)
    assert final["ever_share"] == pytest.approx(0.5)  # 2 seeded + 3 adopted; 1 dropped


def test_rewiring_difference_is_paired_by_replication_with_a_t_interval() -> None:
    variants = {
        "complex": resolved(0.02, "complex", "none"),
        "complex-rewired": resolved(0.02, "complex", "degrees"),
    }
    rows = []
    # final shares: clustered 50, 52, 60 %; rewired 49, 50, 57 %: differences 1, 2, 3 points
    for r, (clustered, rewired) in enumerate([(50, 49), (52, 50), (60, 57)]):
        rows += adoption_rows("complex", r, [2, clustered])
        rows += adoption_rows("complex-rewired", r, [2, rewired])
    adoption = pd.DataFrame(rows)
    arms = trend_arms(manifest(variants), list(variants))
    diff = rewiring_differences(adoption, arms).iloc[0]
    assert (diff["a"], diff["b"]) == ("complex-rewired", "complex")
    half = T975_DF2 * 0.01 / math.sqrt(3)
    assert diff["mean"] == pytest.approx(0.02)
    assert (diff["lo"], diff["hi"]) == pytest.approx((0.02 - half, 0.02 + half))
    assert diff["n"] == 3
    summary = final_adoption_summary(adoption).set_index("variant")
    assert summary.loc["complex", "mean"] == pytest.approx(0.54)
    assert summary.loc["complex", "lo"] < 0.54 < summary.loc["complex", "hi"] < 1


def test_s_shape_on_known_curves() -> None:
    rows = adoption_rows("s", 0, [0, 1, 3, 8, 15, 20, 22, 23])  # growth 1 2 5 7 5 2 1
    rows += adoption_rows("accelerating", 0, [0, 1, 2, 4, 8, 16, 32, 64])  # fastest at the end
    rows += adoption_rows("linear", 0, [0, 5, 10, 15, 20, 25, 30, 35])  # no fastest day inside
    rows += adoption_rows("stalls", 0, [0, 1, 3, 8, 15, 20, 25, 30])  # growth 1 2 5 7 5 5 5
    rows += adoption_rows("none", 0, [0] * 8)
    shape = s_shape(pd.DataFrame(rows)).set_index("variant")
    s = shape.loc["s"]
    assert s["peak_day"] == 4 and s["peak_growth"] == 7 and s["inside"]
    assert s["slope_before"] == pytest.approx(2.1)  # days 1..4, growth 1 2 5 7
    assert s["slope_after"] == pytest.approx(-2.1)  # days 4..7, growth 7 5 2 1
    assert s["end_ratio"] == pytest.approx((5 + 2 + 1) / 3 / 7)
    assert shape["s_shaped"].to_dict() == {
        "s": True,
        "accelerating": False,
        "linear": False,
        "stalls": False,
        "none": False,
    }
    assert shape.loc["accelerating", "peak_day"] == 7 and not shape.loc["accelerating", "inside"]
    assert shape.loc["linear", "peak_day"] == 1  # the first of equal growths
    assert shape.loc["stalls", "inside"] and shape.loc["stalls", "end_ratio"] > 0.5
    assert math.isnan(shape.loc["none", "peak_day"])


# ----------------------------------------------------------------------------- posts


def test_adopters_of_a_run_are_authors_with_any_adopted_post() -> None:
    posts = pd.DataFrame(
        [
            post("complex", 0, 1, 0.5, 10),  # written before author 1 adopted
            post("complex", 0, 1, 3.5, 10, author_adopted=True),
            post("complex", 0, 2, 1.0, 10),
            post("complex", 1, 1, 1.0, 10),  # author 1 did not adopt in replication 1
            post("complex", 1, 2, 1.0, 10, author_adopted=True),
        ]
    )
    adopters = adopter_authors(posts)
    assert sorted(zip(adopters["replication"], adopters["author_id"], strict=True)) == [
        (0, 1),
        (1, 2),
    ]
    groups = label_authors(posts)["author_group"].tolist()
    assert groups == ["adopter", "adopter", "non_adopter", "non_adopter", "adopter"]


def test_complete_posts_end_a_post_life_before_the_run() -> None:
    posts = pd.DataFrame([post("a", 0, 1, d, 1) for d in (0.0, 6.9, 7.0, 7.1, 9.9)])
    assert complete_posts(posts, 10, 3.0)["created_day"].tolist() == [0.0, 6.9, 7.0]


def test_gini_of_known_values() -> None:
    assert gini([4, 4, 4, 4]) == pytest.approx(0.0)
    assert gini([0, 0, 0, 10]) == pytest.approx(0.75)  # one holds all: 1 - 1/n
    # sum |x_i - x_j| over ordered pairs = 20; 2 n^2 mean = 80
    assert gini([3, 1, 4, 2]) == pytest.approx(0.25)
    assert math.isnan(gini([])) and math.isnan(gini([0, 0]))
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -1])


def test_engagement_gini_sums_each_creators_posts() -> None:
    posts = pd.DataFrame(
        [
            post("a", 0, 1, 0.0, 5, likes=1, comments=1),
            post("a", 0, 1, 1.0, 5, shares=1),  # creator 1: 3 engagements
            post("a", 0, 2, 1.0, 5, likes=1),  # creator 2: 1
            post("a", 0, 3, 1.0, 5),  # creator 3: 0, still a creator
        ]
    )
    row = engagement_gini(posts).iloc[0]
    assert row["creators"] == 3
    assert row["gini"] == pytest.approx(gini([3, 1, 0]))
    assert row["gini"] == pytest.approx(2 * (1 * 0 + 2 * 1 + 3 * 3) / (3 * 4) - 4 / 3)


# ----------------------------------------------------------------------------- the reference


@pytest.fixture
def reference_study() -> dict[str, Any]:
    """An arm with the trend and the same network without it, three replications with known
    differences (see each table)."""
    variants = {"none": resolved(0.0, "none", "none"), "trend": resolved(0.1, "complex", "none")}
    posts, population, adoption = [], [], []
    for r in range(3):
        posts += [
            # with the trend: author 1 adopted; 2 and 3 never did
            post("trend", r, 1, 1.0, 10, author_adopted=True, likes=2),
            post("trend", r, 2, 2.0, 20 + r),
            post("trend", r, 3, 2.0, 30),
            post("trend", r, 2, 9.0, 1000),  # incomplete: created 1 day before the end
            post("none", r, 1, 1.0, 50),
            post("none", r, 2, 2.0, 20),
            post("none", r, 3, 3.0, 28 - r),
        ]
        population += [
            population_row("trend", r, 0, "non_adopter", "peer", 100, 2 + r),
            population_row("trend", r, 0, "adopter", "peer", 100, 10),
            population_row("none", r, 0, "non_adopter", "peer", 200, 4),
            population_row("none", r, 0, "adopter", "peer", 0, 0),
        ]
        # feed days 3..9, the last week of 10 days, are snapshots 4..10
        adoption += adoption_rows("trend", r, [10] * 4 + [20] * 7, similarity=0.4 + r / 100)
        adoption += adoption_rows("none", r, [0] * 11, similarity=0.5)
    return {
        "arms": trend_arms(manifest(variants), list(variants)),
        "posts": pd.DataFrame(posts),
        "population": pd.DataFrame(population),
        "adoption": pd.DataFrame(adoption),
    }


def test_against_reference_pairs_the_same_authors_and_viewers(
    reference_study: dict[str, Any],
) -> None:
    s = reference_study
    per_rep = against_reference(s["posts"], s["population"], s["adoption"], s["arms"], 10, 3.0)
    by = per_rep.set_index(["metric", "replication"])
    # non-adopters (authors 2 and 3): (20 + r + 30) / 2 with the trend, (20 + 28 - r) / 2
    # without: difference 1 + r
    assert by.loc[("reach_non_adopters", 1), "value"] == pytest.approx(25.5)
    assert by.loc[("reach_non_adopters", 1), "reference_value"] == pytest.approx(23.5)
    assert by.loc[("reach_non_adopters", 0), "base"] == 2  # the incomplete post is left out
    # everyone: (60 + r) / 3 against (98 - r) / 3
    assert by.loc[("reach_everyone", 2), "difference"] == pytest.approx((62 - 96) / 3)
    assert by.loc[("engagement_non_adopters", 2), "difference"] == pytest.approx(0.04 - 0.02)
    assert by.loc[("engagement_everyone", 0), "value"] == pytest.approx(12 / 200)
    assert by.loc[("engagement_everyone", 0), "base"] == 200
    effects = reference_effects(per_rep).set_index("metric")
    reach = effects.loc["reach_non_adopters"]
    half = T975_DF2 * 1.0 / math.sqrt(3)  # differences 1, 2, 3: sd 1
    assert (reach["mean"], reach["lo"], reach["hi"]) == pytest.approx((2, 2 - half, 2 + half))
    assert (reach["variant"], reach["reference"], reach["n"]) == ("trend", "none", 3)
    everyone = effects.loc["reach_everyone"]
    half = T975_DF2 * (2 / 3) / math.sqrt(3)  # differences (2r - 38) / 3: sd 2/3
    assert everyone["mean"] == pytest.approx(-12)
    assert everyone["hi"] == pytest.approx(-12 + half)
    assert effects.loc["engagement_everyone", "mean"] == pytest.approx(0.045)
    assert effects.loc["feed_similarity", "mean"] == pytest.approx(-0.09)  # -0.1, -0.09, -0.08
    assert effects.loc["feed_similarity", "base"] == 7  # days


def test_without_a_reference_nothing_is_compared(reference_study: dict[str, Any]) -> None:
    s = reference_study
    alone = [a for a in s["arms"] if a.name == "trend"]
    alone = [type(a)(**{**a.__dict__, "reference": None}) for a in alone]
    per_rep = against_reference(s["posts"], s["population"], s["adoption"], alone, 10, 3.0)
    assert per_rep.empty and reference_effects(per_rep).empty


# ----------------------------------------------------------------------------- by day and feeds


def test_daily_outcomes_take_the_share_of_that_day_and_complete_days_only() -> None:
    posts = pd.DataFrame(
        [
            post("trend", 0, 1, 0.5, 10),
            post("trend", 0, 2, 0.7, 20),
            post("trend", 0, 1, 1.2, 5),
            post("trend", 0, 1, 6.5, 99),  # day 6: 6 + 1 + 3 > 9, not complete
        ]
    )
    population = pd.DataFrame(
        [population_row("trend", 0, d, "non_adopter", "peer", 100, 5 * (d + 1)) for d in range(9)]
    )
    adoption = pd.DataFrame(adoption_rows("trend", 0, [10, 20, 30, 30, 30, 30, 30, 30, 30, 30]))
    daily = daily_trend_outcomes(posts, population, adoption, 9, 3.0).set_index("day")
    assert daily.loc[0, "reach"] == 15 and daily.loc[0, "posts"] == 2
    assert daily.loc[1, "reach"] == 5
    assert math.isnan(daily.loc[6, "reach"])
    assert daily.loc[1, "adopter_share"] == pytest.approx(0.2)  # snapshot 1: during day 1
    assert daily.loc[2, "engagement_rate"] == pytest.approx(0.15)


def test_non_adopters_feed_shares_in_the_first_and_last_week() -> None:
    population = pd.DataFrame(
        [
            population_row("trend", 0, 0, "non_adopter", "peer", 3, 0),
            population_row("trend", 0, 1, "non_adopter", "follow", 1, 0),
            population_row("trend", 0, 0, "adopter", "peer", 100, 0),  # not a non-adopter
            population_row("trend", 0, 8, "non_adopter", "stranger", 2, 0),
            population_row("trend", 0, 13, "non_adopter", "peer", 2, 0),
        ]
    )
    shares = non_adopter_source_shares(population, 14).set_index(["period", "group"])
    assert shares.loc[("first week", "peer"), "share"] == pytest.approx(0.75)
    assert shares.loc[("first week", "follow"), "share"] == pytest.approx(0.25)
    assert shares.loc[("first week", "stranger"), "share"] == 0
    assert shares.loc[("last week", "stranger"), "share"] == pytest.approx(0.5)
    assert shares.loc[("last week", "peer"), "impressions"] == 4
    assert shares.groupby("period")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_similarity_is_dated_by_the_feed_day() -> None:
    adoption = pd.DataFrame(adoption_rows("trend", 0, [1, 2, 3]))
    days = similarity_by_day(adoption)
    assert days["day"].tolist() == [0, 1]  # snapshots 1 and 2 hold feed days 0 and 1
    rows = pd.DataFrame(adoption_rows("trend", 0, list(range(11))))
    rows["feed_similarity"] = [np.nan, *range(1, 11)]  # feed day d: d + 1
    week = similarity_last_week(rows, 10).iloc[0]  # feed days 3..9
    assert week["days"] == 7 and week["feed_similarity"] == pytest.approx(7.0)


def test_complete_weeks_and_the_change_between_them() -> None:
    assert complete_weeks(20, 3.0) == {"first week": (0, 6), "last week": (10, 16)}
    assert complete_weeks(10, 3.0) == {"first week": (0, 6), "last week": (0, 6)}
    rows = []
    for r, (first, last) in enumerate([(10, 8), (12, 9), (14, 10)]):  # -2, -3, -4
        for period, reach in (("first week", first), ("last week", last)):
            rows.append(
                {
                    "variant": "trend",
                    "replication": r,
                    "period": period,
                    "adopter_share": 0.1 if period == "first week" else 0.5,
                    "reach": float(reach),
                    "posts": 10,
                    "engagement_rate": 0.01,
                    "impressions": 100,
                }
            )
    changes = window_changes(pd.DataFrame(rows)).set_index("measure")
    half = T975_DF2 * 1.0 / math.sqrt(3)
    reach = changes.loc["reach"]
    assert (reach["first"], reach["last"]) == pytest.approx((12, 9))
    assert (reach["mean"], reach["lo"], reach["hi"]) == pytest.approx((-3, -3 - half, -3 + half))
    assert changes.loc["adopter_share", "mean"] == pytest.approx(0.4)
    assert math.isnan(changes.loc["adopter_share", "first_base"])
    assert changes.loc["engagement_rate", "last_base"] == 100


# ----------------------------------------------------------------------------- end to end

TINY_TREND: dict[str, Any] = {
    "name": "tiny-trend",
    "topics": ["a", "b"],
    "duration_days": 8,
    "replications": 2,
    "slice_hours": 6,
    "network": {"members": 300, "mean_degree": 20},
    "trend": {
        "groups": [{"strategy": "everyone", "share": 0.05}],
        "contagion": {"kind": "complex", "threshold": 1},
    },
    "variants": [
        {"name": "no-trend", "trend": {"groups": [], "contagion": {"kind": "none"}}},
        {"name": "complex"},
        {"name": "complex-rewired", "network": {"rewire": "degrees"}},
    ],
}


@pytest.fixture(scope="module")
def tiny_trend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny trend study without focal members, run with `feedsim run` (figures, report)."""
    folder = tmp_path_factory.mktemp("trend")
    scenario = folder / "tiny-trend.yaml"
    scenario.write_text(yaml.safe_dump(TINY_TREND, sort_keys=False))
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(folder), "--quiet"])
    assert result.exit_code == 0, result.output
    return folder / "tiny-trend"


def test_a_trend_study_without_focal_members_reports_the_trend_only(tiny_trend: Path) -> None:
    results = load_results(tiny_trend)
    assert not results.has_focal and results.has_trend
    assert figure_names(results) == list(TREND_FIGURES)
    for name in TREND_FIGURES:
        assert (tiny_trend / "figures" / f"{name}.png").stat().st_size > 10_000
        assert (tiny_trend / "figures" / f"{name}.svg").is_file()
    text = (tiny_trend / "report.md").read_text(encoding="utf-8")
    for name in TREND_FIGURES:
        assert f"](figures/{name}.png)" in text
    # no empty focal sections
    assert "## Results" not in text and "focal" not in text.split("## Manifest")[0]
    assert "\n## The trend\n" in text
    assert "complex minus complex-rewired" in text
    # complex-rewired has no arm without the trend on its network: it is not compared
    assert "(complex against no-trend; complex-rewired has no arm without the trend" in text
    assert "complex-rewired minus no-trend" not in text
    # the run is too short for a first and a last week of complete posts
    assert "The run is too short to compare a first and a last week" in text
    # the arms table and "What was run" describe each arm from its resolved scenario
    assert "| no-trend | no trend (nobody follows it); clustered network |" in text
    final = final_adoption_summary(results.adoption).set_index("variant")
    assert f"{100 * final.loc['complex', 'mean']:.1f}% (" in text
    # every headline number says what it rests on
    assert "posts a replication against" in text and "impressions a replication against" in text
    assert np.isfinite(final.loc["complex", "mean"]) and final.loc["complex", "mean"] > 0.05


def test_the_half_day_is_the_first_snapshot_with_half_the_members_and_nan_if_never() -> None:
    adoption = pd.DataFrame(
        adoption_rows("a", 0, [1, 30, 50, 80])  # half at snapshot 2 (50 of 100)
        + adoption_rows("a", 1, [1, 20, 40, 49])  # never half: censored, so no day
        + adoption_rows("b", 0, [1, 60, 70, 90])
    )
    posts = pd.DataFrame([post(v, r, 1, 0.0, 5) for v, r in (("a", 0), ("a", 1), ("b", 0))])
    population = pd.DataFrame(columns=["scenario", "variant", "replication"])
    out = run_outcomes(posts, population, adoption, 3, 1.0).set_index(["variant", "replication"])
    assert out["half_day"].to_list() == pytest.approx([2.0, math.nan, 1.0], nan_ok=True)
    assert (out["half_day_base"] == 100).all()  # members, as for the final share
