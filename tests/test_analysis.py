"""Summary statistics of a results folder against hand-computed values."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import analysis
from sim.analysis import (
    FOREST_METRICS,
    band_over_days,
    belief_gap,
    connections_by_kind,
    default_pairs,
    event_start,
    feed_topic_share,
    followup_horizon,
    kaplan_meier,
    load_results,
    mean_ci,
    never_heard_at,
    never_heard_curves,
    paired_differences,
    posts_by_source,
    posts_summary,
    primary_reach_medians,
    reached_share,
    replication_metrics,
    rolling_topic_share,
    source_shares,
    stranger_followup,
    summarise,
    survival_at,
    sweep_reach_difference,
    t_quantile,
    topic_share_window,
    weekly_reach,
    weekly_reach_bands,
)
from sim.errors import InputError

T975_DF2 = 4.302653  # t(0.975, 2), from printed tables


def feed_rows(rows: list[tuple[str, int, int, int, str, str, int]]) -> pd.DataFrame:
    """A feed table from (variant, replication, member, day, topic, source, impressions)."""
    frame = pd.DataFrame(
        rows,
        columns=["variant", "replication", "member_id", "day", "topic", "source", "impressions"],
    )
    frame.insert(0, "scenario", "s")
    frame["seed"] = 100 + frame["replication"]
    return frame


# ------------------------------------------------------------------ t quantiles and intervals


@pytest.mark.parametrize(
    ("p", "df", "expected"),
    [
        (0.975, 1, 12.706),
        (0.975, 2, 4.303),
        (0.975, 4, 2.776),
        (0.975, 9, 2.262),
        (0.975, 30, 2.042),
        (0.975, 120, 1.980),
        (0.975, 200, 1.972),
        (0.995, 5, 4.032),
        (0.95, 10, 1.812),
        (0.5, 7, 0.0),
    ],
)
def test_t_quantile_matches_printed_tables(p: float, df: int, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, abs=5e-4)


def test_t_quantile_is_symmetric_and_checks_its_arguments() -> None:
    assert t_quantile(0.025, 9) == pytest.approx(-t_quantile(0.975, 9), abs=1e-12)
    with pytest.raises(ValueError, match="p must lie"):
        t_quantile(1.0, 5)
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile(0.975, 0)


def test_mean_ci_is_the_t_interval() -> None:
    mean, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    half = 3.182446 * math.sqrt(5.0 / 3.0) / 2.0  # t(0.975, 3) * s / sqrt(n), s^2 = 5/3
    assert mean == 2.5
    assert lo == pytest.approx(2.5 - half, abs=1e-6)
    assert hi == pytest.approx(2.5 + half, abs=1e-6)


def test_mean_ci_leaves_out_nan_and_has_no_interval_for_one_value() -> None:
    assert mean_ci([2.0, math.nan, 4.0]) == pytest.approx((3.0, 3.0 - 12.706205, 3.0 + 12.706205))
    mean, lo, hi = mean_ci([0.25])
    assert mean == 0.25 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(x) for x in mean_ci([]))


def test_summarise_applies_mean_ci_per_group() -> None:
    df = pd.DataFrame({"g": ["a", "a", "a", "b"], "x": [1.0, 2.0, 6.0, 5.0]})
    out = summarise(df, "x", ["g"]).set_index("g")
    assert tuple(out.loc["a", ["mean", "lo", "hi"]]) == pytest.approx(mean_ci([1.0, 2.0, 6.0]))
    assert out.loc["a", "n"] == 3
    assert out.loc["b", "mean"] == 5.0 and out["lo"].isna()["b"]


def test_band_over_days_summarises_each_day_across_replications() -> None:
    df = pd.DataFrame(
        {
            "variant": ["v"] * 4,
            "replication": [0, 1, 0, 1],
            "day": [1, 1, 0, 0],
            "share": [0.2, 0.4, 0.5, 0.5],
        }
    )
    out = band_over_days(df, "share", ["variant"])
    assert out["day"].tolist() == [0, 1]
    assert out["mean"].tolist() == pytest.approx([0.5, 0.3])
    half = 12.706205 * math.sqrt(0.02) / math.sqrt(2)  # s = sqrt(0.02)
    assert out["lo"].tolist() == pytest.approx([0.5, 0.3 - half])
    assert out["hi"].tolist() == pytest.approx([0.5, 0.3 + half])


# ------------------------------------------------------------------ shares of the feed


def test_feed_topic_share_sums_sources_and_fills_missing_topics_with_zero() -> None:
    feed = feed_rows(
        [
            ("v", 0, 7, 0, "finance", "colleague", 3),
            ("v", 0, 7, 0, "finance", "stranger", 1),
            ("v", 0, 7, 0, "it", "field_peer", 4),
            ("v", 0, 7, 1, "hr", "offline", 2),
            # day 2: no impressions at all, so no rows
        ]
    )
    out = feed_topic_share(feed, ["finance", "it", "hr"])
    got = {(r.day, r.topic): (r.impressions, r.share) for r in out.itertuples()}
    assert got == {
        (0, "finance"): (4, 0.5),
        (0, "it"): (4, 0.5),
        (0, "hr"): (0, 0.0),
        (1, "finance"): (0, 0.0),
        (1, "it"): (0, 0.0),
        (1, "hr"): (2, 1.0),
    }
    assert set(out["member_id"]) == {7}


def test_rolling_topic_share_is_a_trailing_mean_per_member_then_averaged() -> None:
    feed = feed_rows(
        [
            ("v", 0, 1, 0, "finance", "colleague", 5),  # member 1: finance share 1.0
            ("v", 0, 1, 1, "it", "stranger", 5),  # 0.0
            # day 2: nothing
            ("v", 0, 1, 3, "finance", "colleague", 1),  # 0.5
            ("v", 0, 1, 3, "it", "colleague", 1),
            ("v", 0, 2, 0, "it", "colleague", 1),  # member 2: finance share 0.0 every day
            ("v", 0, 2, 1, "it", "colleague", 1),
            ("v", 0, 2, 2, "it", "colleague", 1),
            ("v", 0, 2, 3, "it", "colleague", 1),
        ]
    )
    out = rolling_topic_share(feed, ["finance", "it"], n_days=4, window=2)
    finance = out[out["topic"] == "finance"].set_index("day")["share"]
    # member 1, window of 2 days over the days with impressions: 1.0, 0.5, 0.0, 0.5
    assert finance.tolist() == pytest.approx([0.5, 0.25, 0.0, 0.25])
    it = out[out["topic"] == "it"].set_index("day")["share"]
    assert (finance + it).tolist() == pytest.approx([1.0] * 4)


def test_topic_share_window_is_a_ratio_of_sums() -> None:
    feed = feed_rows(
        [
            ("v", 0, 1, 4, "it", "colleague", 50),  # outside the window
            ("v", 0, 1, 5, "it", "colleague", 1),
            ("v", 0, 1, 5, "finance", "colleague", 9),
            ("v", 0, 1, 6, "it", "stranger", 3),
            ("v", 0, 1, 6, "finance", "client", 1),
            ("v", 1, 1, 5, "finance", "client", 2),  # no it in the window: share 0
            ("v", 2, 1, 1, "it", "client", 2),  # nothing in the window: share NaN
        ]
    )
    out = topic_share_window(feed, "it", 5, 6).set_index("replication")
    # (1 + 3) / (10 + 4), not the mean of the daily shares (0.1 + 0.75) / 2
    assert out.loc[0, "share"] == pytest.approx(4 / 14)
    assert (out.loc[0, "topic_impressions"], out.loc[0, "impressions"]) == (4, 14)
    assert out.loc[1, "share"] == 0.0
    assert out["share"].isna()[2]


def test_source_shares_group_sources_before_and_after_the_event() -> None:
    rows = []
    for rep in (0, 1):
        rows += [
            ("v", rep, 1, 0, "it", "colleague", 2),
            ("v", rep, 1, 1, "hr", "client", 2),
            ("v", rep, 1, 1, "hr", "stranger", 1),
            ("v", rep, 1, 2, "it", "second_degree", 3),
            ("v", rep, 1, 3, "it", "out_of_network", 1),
            ("v", rep, 1, 3, "it", "follow", 4),
        ]
    feed = feed_rows(rows)
    out = source_shares(feed, before_day=2)
    assert out["period"].drop_duplicates().tolist() == ["before", "after"]
    got = {(r.period, r.group): r.mean for r in out.itertuples()}
    assert got == pytest.approx(
        {
            ("before", "peer"): 0.8,
            ("before", "follow"): 0.0,
            ("before", "stranger"): 0.2,
            ("before", "second_degree"): 0.0,
            ("before", "out_of_network"): 0.0,
            ("after", "peer"): 0.0,
            ("after", "follow"): 0.5,
            ("after", "stranger"): 0.0,
            ("after", "second_degree"): 0.375,
            ("after", "out_of_network"): 0.125,
        }
    )
    # identical replications: the interval is the mean (up to the logit round trip)
    assert np.allclose(out["lo"], out["mean"]) and (out["n"] == 2).all()
    whole = source_shares(feed, before_day=None)
    assert set(whole["period"]) == {"whole run"}
    peer = whole[whole["group"] == "peer"]["mean"].item()
    assert peer == pytest.approx(4 / 13)


def test_source_shares_rejects_an_unknown_source() -> None:
    feed = feed_rows([("v", 0, 1, 0, "it", "carrier_pigeon", 1)])
    with pytest.raises(ValueError, match="carrier_pigeon"):
        source_shares(feed, None)


# ------------------------------------------------------------------ paired differences


def test_paired_differences_pair_by_replication() -> None:
    per_rep = pd.DataFrame(
        {
            "variant": ["base"] * 3 + ["treat"] * 4,
            "replication": [0, 1, 2, 0, 1, 2, 3],  # treat's replication 3 has no partner
            "share": [0.1, 0.2, 0.3, 0.3, 0.5, 0.4, 0.9],
        }
    )
    out = paired_differences(per_rep, "share", [("base", "treat")])
    row = out.iloc[0]
    half = T975_DF2 * 0.1 / math.sqrt(3)  # differences 0.2, 0.3, 0.1: s = 0.1
    assert (row["a"], row["b"], row["n"]) == ("base", "treat", 3)
    assert row["mean"] == pytest.approx(0.2)
    assert (row["lo"], row["hi"]) == pytest.approx((0.2 - half, 0.2 + half), abs=1e-6)


def test_paired_differences_refuse_two_rows_for_one_replication() -> None:
    per_rep = pd.DataFrame({"variant": ["a", "a", "b"], "replication": [0, 0, 0], "x": [1, 2, 3]})
    with pytest.raises(ValueError, match="more than one row"):
        paired_differences(per_rep, "x", [("a", "b")])


def test_default_pairs_compare_with_the_baseline_then_ablations() -> None:
    variants = ["baseline", "accept-100-it", "accept-100-it-no-connection-term"]
    assert default_pairs(variants) == [
        ("baseline", "accept-100-it"),
        ("baseline", "accept-100-it-no-connection-term"),
        ("accept-100-it-no-connection-term", "accept-100-it"),
    ]
    assert default_pairs(["only"]) == []


# ------------------------------------------------------------------ beliefs and posts


def test_belief_gap_is_the_total_variation_distance() -> None:
    beliefs = pd.DataFrame(
        {
            "scenario": "s",
            "variant": "v",
            "replication": 0,
            "seed": 1,
            "member_id": [1, 1, 1, 2, 2, 2],
            "day": 5,
            "topic": ["a", "b", "c"] * 2,
            "inferred_weight": [0.5, 0.3, 0.2, 1.0, 0.0, 0.0],
            "true_weight": [0.7, 0.1, 0.2, 0.0, 1.0, 0.0],
        }
    )
    out = belief_gap(beliefs, day=5)
    assert out["gap"].item() == pytest.approx((0.2 + 1.0) / 2)  # members: 0.2 and 1.0


def test_posts_summary_uses_focal_posts_only() -> None:
    posts = pd.DataFrame(
        {
            "scenario": "s",
            "variant": "v",
            "replication": [0, 0, 0, 0, 1],
            "seed": 1,
            "focal": [True, True, True, False, False],
            "primary_viewers": [5, 7, 3, 99, 50],
            "author_connections": [100, 100, 0, 100, 100],  # no connections: no reach
            "impressions": [10, 20, 30, 999, 100],
            "likes": [1, 2, 0, 50, 5],
            "comments": [1, 0, 0, 50, 5],
            "shares": [0, 0, 0, 50, 5],
        }
    )
    out = posts_summary(posts).set_index("metric")
    assert out.loc["primary_reach", "mean"] == pytest.approx(0.06)
    assert out.loc["impressions", "mean"] == pytest.approx(20.0)
    assert out.loc["engagements", "mean"] == pytest.approx(4 / 3)
    # replication 1 has no focal post: it counts 0 posts
    assert out.loc["posts", "mean"] == pytest.approx(1.5)
    assert out.loc["posts", "n"] == 2 and out.loc["primary_reach", "n"] == 1


# ------------------------------------------------------------------ the folder


def test_event_start_is_the_first_whole_day_at_or_after_the_first_event() -> None:
    assert event_start([30.0]) == 30
    assert event_start([45.0, 30.5]) == 31
    assert event_start([]) is None


def write_minimal_folder(root: Path, manifest: dict[str, object]) -> None:
    tables = root / "tables"
    tables.mkdir(parents=True)
    ids = {"scenario": ["s"], "variant": ["v"], "replication": [0], "seed": [1]}
    pd.DataFrame(
        {
            **ids,
            "focal": [True],
            "primary_viewers": [1],
            "author_connections": [10],
            "impressions": [2],
            "likes": [0],
            "comments": [0],
            "shares": [0],
        }
    ).to_parquet(tables / "posts.parquet")
    feed = {"member_id": [0], "day": [0], "topic": ["it"], "source": ["client"], "impressions": [1]}
    pd.DataFrame({**ids, **feed}).to_parquet(tables / "feed.parquet")
    beliefs = {
        "member_id": [0],
        "day": [0],
        "topic": ["it"],
        "inferred_weight": [1.0],
        "true_weight": [1.0],
    }
    pd.DataFrame({**ids, **beliefs}).to_parquet(tables / "beliefs.parquet")
    (root / "manifest.json").write_text(json.dumps(manifest))


MANIFEST = {"variants": ["v"], "topics": ["it"], "duration_days": 1, "replications": 1}


def test_load_results_reads_events_by_variant_and_the_description(tmp_path: Path) -> None:
    event = {"day": 0, "action": "accept_invitations", "count": 1, "field": "it"}
    write_minimal_folder(
        tmp_path,
        {**MANIFEST, "description": "d", "events": {"v": [event]}, "event_days": [0]},
    )
    results = load_results(tmp_path)
    assert results.events == [event]
    assert results.description == "d"
    assert results.focus_topic is None
    assert (results.after_start, results.last_day) == (0, 0)


def test_load_results_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"manifest\.json"):
        load_results(tmp_path)
    write_minimal_folder(tmp_path, {k: v for k, v in MANIFEST.items() if k != "topics"})
    with pytest.raises(InputError, match="topics: missing"):
        load_results(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    pd.read_parquet(tmp_path / "tables" / "feed.parquet").drop(columns="source").to_parquet(
        tmp_path / "tables" / "feed.parquet"
    )
    with pytest.raises(InputError, match=r"feed\.parquet: source: column missing"):
        load_results(tmp_path)


def test_analysis_imports_no_plotting_library_nor_the_figures_report_or_model() -> None:
    package = Path(analysis.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) > 5  # the package, not one file
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            name
            for node in ast.walk(tree)
            for name in (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
        }
        roots = {name.split(".")[0] for name in imported}
        assert not roots & {"matplotlib", "seaborn"}, path.name
        forbidden = {"sim.figures", "sim.report", "sim.engine", "sim.experiment", "sim.runs"}
        assert not {n for n in imported if ".".join(n.split(".")[:2]) in forbidden}, path.name


# ------------------------------------------------------------------ survival of new ties


def test_kaplan_meier_matches_a_hand_computed_example_with_censoring() -> None:
    # durations 1, 2, 2+, 3, 4+, 5 (+: censored); a tie censored at 2 is at risk at 2
    curve = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    assert curve["time"].tolist() == [1, 2, 3, 4, 5]
    assert curve["at_risk"].tolist() == [6, 5, 3, 2, 1]
    assert curve["events"].tolist() == [1, 1, 1, 0, 1]
    assert curve["censored"].tolist() == [0, 1, 0, 1, 0]
    # S = 5/6, 5/6 * 4/5, * 2/3, * 1, * 0
    assert curve["survival"].tolist() == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    # Greenwood at t = 3: (4/9)^2 * (1/(6*5) + 1/(5*4) + 1/(3*2)) = 4/81
    assert curve["std_err"].iloc[2] == pytest.approx(2 / 9)
    assert curve["std_err"].iloc[-1] == 0.0


def test_kaplan_meier_without_censoring_is_the_empirical_survival() -> None:
    curve = kaplan_meier(np.array([0.0, 0.0, 3.0, 8.0]), np.ones(4, bool))
    assert curve["survival"].tolist() == pytest.approx([0.5, 0.25, 0.0])
    assert kaplan_meier([], []).empty
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier([1.0, -1.0], [True, True])
    with pytest.raises(ValueError, match="length"):
        kaplan_meier([1.0], [True, False])


def test_survival_at_is_a_step_function_undefined_after_follow_up() -> None:
    curve = kaplan_meier([1, 2, 2, 3, 4, 5], [True, True, False, True, False, True])
    got = survival_at(curve, [0.0, 0.99, 1.0, 2.5, 4.9, 5.0, 7.0])
    assert got.tolist() == pytest.approx([1.0, 1.0, 5 / 6, 2 / 3, 4 / 9, 0.0, 0.0])
    censored_last = kaplan_meier([1, 2], [True, False])
    got = survival_at(censored_last, [2.0, 3.0])
    assert got[0] == 0.5 and math.isnan(got[1])


def ties_rows(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """A ties table from (variant, replication, kind, created, intro, first, removed)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "variant",
            "replication",
            "kind",
            "created_day",
            "intro_message",
            "first_interaction_day",
            "removed_day",
        ],
    )
    frame.insert(0, "scenario", "s")
    frame.insert(3, "seed", 1)
    frame.insert(4, "member_id", 7)
    return frame


def start_connections(strangers_at_start: int) -> pd.DataFrame:
    """A connections table of member 7 on day 0 (variant v, replication 0)."""
    return pd.DataFrame(
        {
            "scenario": "s",
            "variant": "v",
            "replication": 0,
            "seed": 1,
            "member_id": 7,
            "day": 0,
            "kind": ["colleague", "stranger"],
            "connections": [5, strangers_at_start],
            "connections_reached": 0,
        }
    )


NAN = math.nan
TIES = ties_rows(
    [
        ("v", 0, "colleague", 0.0, False, NAN, NAN),  # not a stranger: left out
        ("v", 0, "stranger", 0.0, False, 3.5, NAN),  # accepted on day 0 (or there at start)
        ("v", 0, "stranger", 10.0, False, 12.0, NAN),  # heard from after 2 days
        ("v", 0, "stranger", 10.0, False, NAN, NAN),  # never: censored at the end (20)
        ("v", 0, "stranger", 10.0, False, NAN, 15.0),  # pruned: censored at 15
        ("v", 0, "stranger", 10.0, False, 16.0, 15.0),  # reply due after pruning: censored
        ("v", 0, "stranger", 5.0, True, 5.0, NAN),  # intro answered at once (placed)
        ("v", 0, "stranger", 5.0, True, NAN, NAN),
    ]
)


def test_stranger_followup_censors_at_the_end_and_at_pruning() -> None:
    out = stranger_followup(TIES, duration_days=20, connections=start_connections(0))
    assert len(out) == 7  # no colleague; the day-0 stranger is new (none at the start)
    assert out["duration"].tolist() == [3.5, 2.0, 10.0, 5.0, 5.0, 0.0, 15.0]
    assert out["observed"].tolist() == [True, True, False, False, False, True, False]
    assert out["followup"].tolist() == [20.0, 10.0, 10.0, 10.0, 10.0, 15.0, 15.0]
    # with strangers at the start, day 0 cannot tell them apart: only created_day > 0
    assert len(stranger_followup(TIES, 20, start_connections(3))) == 6
    assert len(stranger_followup(TIES, 20)) == 6


def test_never_heard_is_the_kaplan_meier_share_at_the_horizon() -> None:
    followup = stranger_followup(TIES, duration_days=20, connections=start_connections(0))
    assert followup_horizon(followup) == 20.0
    assert followup_horizon(followup, max_days=9) == 9.0
    assert math.isnan(followup_horizon(followup.iloc[0:0]))
    by_intro = never_heard_at(followup, 9.0, by_intro=True).set_index("intro_message")
    # without intro: durations 3.5, 2, 10+, 5+, 5+: S(9) = 4/5 * 3/4 = 0.6
    assert by_intro.loc[False, "share"] == pytest.approx(0.6)
    assert by_intro.loc[True, "share"] == pytest.approx(0.5)  # 0 (event) and 15+
    assert by_intro.loc[False, "ties"] == 5
    # all seven: t=0 6/7, t=2 * 5/6, t=3.5 * 4/5 -> 4/7
    assert never_heard_at(followup, 9.0)["share"].item() == pytest.approx(4 / 7)
    curves = never_heard_curves(followup, horizon=4.0, step=2.0)
    no_intro = curves[~curves["intro_message"]]
    assert no_intro["day"].tolist() == [0.0, 2.0, 4.0]
    assert no_intro["share"].tolist() == pytest.approx([1.0, 0.8, 0.6])


# ------------------------------------------------------------------ the focal member's posts


def posts_rows(rows: list[tuple[object, ...]]) -> pd.DataFrame:
    """Focal posts from (variant, replication, created, connections, primary, peer, stranger,
    second degree, out of network, tag viewers, peer engagements, stranger engagements)."""
    columns = [
        "variant",
        "replication",
        "created_day",
        "author_connections",
        "primary_viewers",
        "viewers_peer",
        "viewers_stranger",
        "viewers_second_degree",
        "viewers_out_of_network",
        "viewers_tag",
        "engagements_peer",
        "engagements_stranger",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "scenario", "s")
    frame["seed"] = 1
    frame["focal"] = True
    groups = ["peer", "stranger", "second_degree", "out_of_network"]
    frame["impressions"] = frame[[f"viewers_{g}" for g in groups]].sum(axis=1)
    frame["engagements_second_degree"] = 0
    frame["engagements_out_of_network"] = 0
    frame["viewers_follow"] = 0
    frame["engagements_follow"] = 0
    frame["engagements_tag"] = frame["engagements_peer"].clip(upper=1) * (frame["viewers_tag"] > 0)
    frame["likes"] = frame["engagements_peer"] + frame["engagements_stranger"]
    frame["comments"] = 0
    frame["shares"] = 0
    return frame


POSTS = posts_rows(
    [
        # a: two posts per replication
        ("a", 0, 1.0, 100, 4, 6, 2, 1, 1, 0, 1, 0),  # 10 viewers, 1 engagement
        ("a", 0, 8.0, 100, 2, 4, 0, 0, 0, 0, 0, 0),  # 4 viewers
        ("a", 1, 2.0, 50, 3, 5, 1, 0, 0, 0, 1, 1),  # 6 viewers, 2 engagements
        ("a", 1, 9.5, 50, 1, 2, 0, 0, 0, 0, 0, 0),  # 2 viewers
        # b: more strangers
        ("b", 0, 1.0, 200, 10, 6, 14, 0, 0, 2, 2, 1),  # 20 viewers, 3 engagements
        ("b", 0, 8.0, 200, 6, 4, 6, 0, 0, 0, 0, 0),  # 10 viewers
        ("b", 1, 2.0, 100, 5, 5, 5, 0, 0, 0, 1, 1),  # 10 viewers, 2 engagements
        ("b", 1, 9.5, 0, 0, 2, 2, 0, 0, 0, 0, 0),  # no connections: no primary reach
    ]
)


def test_weekly_reach_splits_primary_and_engagement_driven_viewers() -> None:
    out = weekly_reach(POSTS, duration_days=10)
    a0 = out[(out["variant"] == "a") & (out["replication"] == 0)]
    got = {(r.week, r.measure): (r.day, r.viewers) for r in a0.itertuples()}
    # week 1 covers days 7-9 of a 10-day run: its middle is day 8.5
    assert got == {
        (0, "primary"): (3.5, 4.0),
        (0, "engagement_driven"): (3.5, 6.0),
        (1, "primary"): (8.5, 2.0),
        (1, "engagement_driven"): (8.5, 2.0),
    }
    bands = weekly_reach_bands(POSTS, duration_days=10)
    row = bands[(bands["variant"] == "b") & (bands["measure"] == "primary") & (bands["day"] == 3.5)]
    half = 12.706205 * math.sqrt(12.5) / math.sqrt(2)  # replications 10 and 5
    assert (row["mean"].item(), row["hi"].item()) == pytest.approx((7.5, 7.5 + half))


def test_primary_reach_medians_and_posts_by_source() -> None:
    medians = primary_reach_medians(POSTS).set_index(["variant", "replication"])
    assert medians.loc[("a", 0), "median"] == pytest.approx(0.03)  # 4% and 2%
    assert medians.loc[("b", 1), "median"] == pytest.approx(0.05)  # one post with connections
    assert medians.loc[("b", 1), "posts"] == 1
    by_source = posts_by_source(POSTS).set_index(["variant", "replication", "measure", "group"])
    assert by_source.loc[("a", 0, "viewers", "peer"), "per_post"] == 5.0
    assert by_source.loc[("b", 0, "viewers", "tag"), "per_post"] == 1.0
    assert by_source.loc[("b", 0, "engagements", "stranger"), "per_post"] == 0.5


def connections_rows() -> pd.DataFrame:
    """Two days of connections of variants a and b, two replications each."""
    rows = []
    for variant, strangers in (("a", 0), ("b", 10)):
        for rep in (0, 1):
            for day in (0, 1):
                rows += [
                    (variant, rep, day, "colleague", 10, 5 * day + rep),
                    (variant, rep, day, "stranger", strangers * day, 2 * day),
                ]
    frame = pd.DataFrame(
        rows,
        columns=["variant", "replication", "day", "kind", "connections", "connections_reached"],
    )
    frame.insert(0, "scenario", "s")
    frame["seed"] = 1
    frame["member_id"] = 7
    return frame


def test_reached_share_is_a_ratio_of_sums_over_kinds() -> None:
    shares = reached_share(connections_rows()).set_index(["variant", "replication", "day"])
    assert shares.loc[("a", 1, 1), "share"] == pytest.approx(8 / 10)  # stranger: 2 of 0
    assert shares.loc[("b", 0, 1), "share"] == pytest.approx(7 / 20)
    by_kind = connections_by_kind(connections_rows())
    assert by_kind["connections"].sum() == 4 * 20 + 2 * 10


def test_replication_metrics_and_their_paired_differences() -> None:
    ties = ties_rows(
        [
            ("a", 0, "stranger", 1.0, False, 1.0, NAN),
            ("a", 1, "stranger", 1.0, False, 1.0, NAN),
            ("b", 0, "stranger", 1.0, False, NAN, NAN),
            ("b", 0, "stranger", 1.0, False, 3.0, NAN),
            ("b", 1, "stranger", 1.0, False, NAN, NAN),
        ]
    )
    metrics = replication_metrics(POSTS, connections_rows(), ties, duration_days=10)
    m = metrics.set_index(["variant", "replication"])
    assert m.loc[("a", 0), "primary_reach"] == pytest.approx(0.03)
    assert m.loc[("b", 1), "primary_reach"] == pytest.approx(0.05)
    assert m.loc[("a", 0), "viewers_per_post"] == 7.0
    assert m.loc[("a", 0), "peer_viewers_per_post"] == 5.0
    assert m.loc[("a", 0), "peer_share"] == pytest.approx(10 / 14)
    assert m.loc[("b", 0), "engagement_rate"] == pytest.approx(3 / 30)
    assert m.loc[("a", 1), "engagements_per_post"] == 1.0
    assert m.loc[("b", 1), "reached_share"] == pytest.approx(8 / 20)
    assert m.loc[("a", 0), "never_heard"] == 0.0
    assert m.loc[("b", 0), "never_heard"] == pytest.approx(0.5)
    assert m.loc[("b", 1), "never_heard"] == 1.0
    assert list(metrics.columns[3:]) == [metric.name for metric in FOREST_METRICS]
    # viewers per post: b - a = 15 - 7 and 7 - 4 -> mean 5.5, s = sqrt(12.5)
    v = paired_differences(metrics, "viewers_per_post", [("a", "b")]).iloc[0]
    half = 12.706205 * math.sqrt(12.5) / math.sqrt(2)
    assert (v["mean"], v["lo"], v["n"], v["sd"]) == pytest.approx(
        (5.5, 5.5 - half, 2, math.sqrt(12.5))
    )
    never = paired_differences(metrics, "never_heard", [("a", "b")]).iloc[0]
    assert never["mean"] == pytest.approx(0.75)


def test_replication_metrics_without_the_optional_tables_are_nan() -> None:
    posts = POSTS.drop(columns=[c for c in POSTS.columns if c.startswith(("viewers_", "engag"))])
    metrics = replication_metrics(posts)
    assert metrics["viewers_per_post"].notna().all()
    for name in ("peer_share", "reached_share", "never_heard"):
        assert metrics[name].isna().all()


def test_sweep_reach_difference_pairs_replications_within_each_point() -> None:
    rows = []
    for point, (x, y) in enumerate([(0.1, 1), (0.2, 1)]):
        for variant, extra in (("a", 0), ("b", 5 * point - 1)):
            for rep in (0, 1):
                rows.append((point, x, y, variant, rep, 10 + extra + rep))
    posts = pd.DataFrame(
        rows, columns=["point", "p__x", "p__y", "variant", "replication", "impressions"]
    )
    posts["focal"] = True
    out = sweep_reach_difference(posts, ["p__x", "p__y"], "a", "b").set_index("point")
    assert out["mean"].tolist() == [-1.0, 4.0]
    assert out.loc[1, "p__x"] == 0.2 and out.loc[1, "n"] == 2


def test_load_results_reads_optional_tables_and_sweep_parameters(tmp_path: Path) -> None:
    write_minimal_folder(tmp_path, MANIFEST)
    results = load_results(tmp_path)
    assert results.ties.empty and results.connections.empty
    assert not results.is_sweep and results.sweep_parameters == []
    posts = pd.read_parquet(tmp_path / "tables" / "posts.parquet")
    posts.assign(point=0, behaviour__x=0.5).to_parquet(tmp_path / "tables" / "posts.parquet")
    TIES.to_parquet(tmp_path / "tables" / "ties.parquet")
    parameters = [{"path": "behaviour.x", "column": "behaviour__x", "values": [0.5]}]
    (tmp_path / "manifest.json").write_text(json.dumps({**MANIFEST, "parameters": parameters}))
    results = load_results(tmp_path)
    assert len(results.ties) == len(TIES)
    assert results.is_sweep and results.sweep_parameters == ["behaviour__x"]


# ------------------------------------------------------------------ libraries against the
# implementations they replaced (kept here as references)


def _reference_t_central(t: float, df: int) -> float:
    """P(|T| < t), Abramowitz & Stegun 26.7.3-4: the closed form feedsim used before scipy."""
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 0:
        term = total = 1.0
        for j in range(1, (df - 2) // 2 + 1):
            term *= (2 * j - 1) / (2 * j) * cos2
            total += term
        return math.sin(theta) * total
    total = 0.0
    if df > 1:
        term = total = math.cos(theta)
        for j in range(2, (df - 1) // 2 + 1):
            term *= (2 * j - 2) / (2 * j - 1) * cos2
            total += term
    return 2.0 / math.pi * (theta + math.sin(theta) * total)


def _reference_t_quantile(p: float, df: int) -> float:
    """The former bisection on the closed form (upper quantiles only)."""
    target, lo, hi = 2.0 * p - 1.0, 0.0, 1.0
    while _reference_t_central(hi, df) < target:
        lo, hi = hi, 2.0 * hi
    while hi - lo > 1e-12 * hi:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _reference_t_central(mid, df) < target else (lo, mid)
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 19, 30, 99])
@pytest.mark.parametrize("p", [0.9, 0.95, 0.975, 0.995])
def test_scipy_t_quantile_agrees_with_the_former_closed_form(p: float, df: int) -> None:
    assert t_quantile(p, df) == pytest.approx(_reference_t_quantile(p, df), rel=1e-9)


def _reference_kaplan_meier(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The former hand-written product-limit estimate and Greenwood standard error."""
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e.astype(float), minlength=times.size)
    ended = np.bincount(inverse, minlength=times.size).astype(float)
    at_risk = t.size - np.concatenate([[0.0], np.cumsum(ended)[:-1]])
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), 0.0)
    return survival, np.where(survival > 0, survival * np.sqrt(np.cumsum(terms)), 0.0)


@pytest.mark.parametrize("seed", range(6))
def test_statsmodels_kaplan_meier_agrees_with_the_former_implementation(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 60))
    durations = np.round(rng.exponential(10.0, n), 0)  # rounded: tied times
    observed = rng.random(n) < (0.3 + 0.7 * seed / 5)  # the last sample has no censoring
    curve = kaplan_meier(durations, observed)
    survival, std_err = _reference_kaplan_meier(durations, observed)
    assert curve["survival"].to_numpy() == pytest.approx(survival, abs=1e-12)
    assert curve["std_err"].to_numpy() == pytest.approx(std_err, abs=1e-12)


def test_kaplan_meier_without_any_event_stays_at_one() -> None:
    curve = kaplan_meier([2.0, 5.0], [False, False])
    assert curve["survival"].tolist() == [1.0, 1.0]
    assert curve["std_err"].tolist() == [0.0, 0.0]


# ------------------------------------------------------------------ intervals of shares


@pytest.mark.parametrize(
    "values",
    [
        [0.02, 0.0, 0.05],  # near 0: the t interval goes below 0
        [0.99, 0.93, 1.0],  # near 1: above 1
        [0.9, 0.2, 0.95],  # few and spread, as in a small real network
        [0.0, 0.0, 0.0],
        [1.0, 1.0],
    ],
)
def test_share_interval_stays_within_0_and_1_and_holds_the_mean(values: list[float]) -> None:
    mean, lo, hi = mean_ci(values, share=True)
    assert 0.0 <= lo <= mean <= hi <= 1.0
    t_mean, t_lo, t_hi = mean_ci(values)
    assert mean == t_mean
    if len(set(values)) > 1:
        assert lo > t_lo or hi < t_hi  # the bound the t interval crossed is pulled in


def test_share_interval_agrees_with_the_t_interval_far_from_the_bounds() -> None:
    rng = np.random.default_rng(3)
    values = 0.45 + 0.01 * rng.standard_normal(10)
    _, lo, hi = mean_ci(values, share=True)
    _, t_lo, t_hi = mean_ci(values)
    assert lo == pytest.approx(t_lo, abs=2e-4)
    assert hi == pytest.approx(t_hi, abs=2e-4)
    assert (hi - lo) == pytest.approx(t_hi - t_lo, rel=0.01)


def test_share_interval_is_the_logit_transformed_t_interval() -> None:
    values = [0.2, 0.3, 0.4]
    _, lo, hi = mean_ci(values, share=True)
    half = T975_DF2 * 0.1 / math.sqrt(3)
    step = half / (0.3 * 0.7)
    logit = math.log(0.3 / 0.7)
    assert lo == pytest.approx(1 / (1 + math.exp(-(logit - step))), rel=1e-6)
    assert hi == pytest.approx(1 / (1 + math.exp(-(logit + step))), rel=1e-6)


def test_summarise_of_shares_matches_mean_ci_per_group() -> None:
    df = pd.DataFrame({"g": ["a", "a", "a", "b", "b"], "x": [0.01, 0.0, 0.1, 0.5, 0.6]})
    out = summarise(df, "x", ["g"], share=True).set_index("g")
    for g, values in (("a", [0.01, 0.0, 0.1]), ("b", [0.5, 0.6])):
        assert tuple(out.loc[g, ["mean", "lo", "hi"]]) == pytest.approx(mean_ci(values, share=True))
    assert (out["lo"] >= 0).all() and (out["hi"] <= 1).all()
