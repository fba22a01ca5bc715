"""Summary statistics of a results folder against hand-computed values."""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from sim import analysis
from sim.analysis import (
    band_over_days,
    belief_gap,
    default_pairs,
    event_start,
    feed_topic_share,
    load_results,
    mean_ci,
    paired_differences,
    posts_summary,
    rolling_topic_share,
    source_shares,
    summarise,
    t_quantile,
    topic_share_window,
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
    assert out.loc["b", "mean"] == 5.0 and math.isnan(out.loc["b", "lo"])


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
    assert math.isnan(out.loc[2, "share"])


def test_source_shares_group_sources_before_and_after_the_event() -> None:
    rows = []
    for rep in (0, 1):
        rows += [
            ("v", rep, 1, 0, "it", "colleague", 2),
            ("v", rep, 1, 1, "hr", "client", 2),
            ("v", rep, 1, 1, "hr", "stranger", 1),
            ("v", rep, 1, 2, "it", "second_degree", 3),
            ("v", rep, 1, 3, "it", "out_of_network", 1),
        ]
    feed = feed_rows(rows)
    out = source_shares(feed, before_day=2)
    assert out["period"].drop_duplicates().tolist() == ["before", "after"]
    got = {(r.period, r.group): r.mean for r in out.itertuples()}
    assert got == pytest.approx(
        {
            ("before", "peer"): 0.8,
            ("before", "stranger"): 0.2,
            ("before", "second_degree"): 0.0,
            ("before", "out_of_network"): 0.0,
            ("after", "peer"): 0.0,
            ("after", "stranger"): 0.0,
            ("after", "second_degree"): 0.75,
            ("after", "out_of_network"): 0.25,
        }
    )
    assert (out["lo"] == out["mean"]).all() and (out["n"] == 2).all()  # identical replications
    whole = source_shares(feed, before_day=None)
    assert set(whole["period"]) == {"whole run"}
    peer = whole[whole["group"] == "peer"]["mean"].item()
    assert peer == pytest.approx(4 / 9)


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


def test_analysis_imports_no_plotting_library() -> None:
    tree = ast.parse(Path(analysis.__file__).read_text(encoding="utf-8"))
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        for name in (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    assert not imported & {"matplotlib", "seaborn"}
