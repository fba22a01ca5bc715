"""Stylized facts 1-8 and 11 of MODEL.md section 6 under the defaults (fact 9:
tests/test_recruiter_study.py), and the regime of a feed that chooses.

The bundled link-with-everyone study runs at a small size (2,500 members with the default
degree rule, 120 days, 2-hour slices, 12 replications; the paired comparisons use common
random numbers). Every other field takes its default. Directions are tested strictly: a
95% t-interval over replications (Student t quantiles from scipy) must exclude zero.
Magnitudes are tested against the ranges of docs/calibration.md. Seeds are fixed, so the
outcome is deterministic; the intervals say how far from the boundary each value sits.

The regime (candidates and items read per session) depends on the network's size: the
supply of posts a member can be shown grows with the number of creators. It is tested on
a 15,000-member default network (4 replications of 12 days).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiment import merge_tables, run_study
from sim.scenario import Arm, Scenario, Study
from tests.helpers import LINK_WITH_EVERYONE, mean_ci, paired_ci, run_arms

pytestmark = pytest.mark.slow  # the link-with-everyone study at 2,500 members, 12 replications

REPLICATIONS = 12
MEMBERS = 2500
DAYS = 120
SMALL = {
    "replications": REPLICATIONS,
    "duration_days": DAYS,
    "slice_hours": 2,
    "network": {"members": MEMBERS},
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return run_arms(LINK_WITH_EVERYONE, ("selective", "everyone", "everyone-intro"), **SMALL)


def focal_posts(tables: dict[str, pd.DataFrame], variant: str) -> pd.DataFrame:
    posts = tables["posts"]
    chosen = posts[posts["focal"] & (posts["variant"] == variant)]
    return chosen.assign(engagements=chosen["likes"] + chosen["comments"] + chosen["shares"])


def all_posts(tables: dict[str, pd.DataFrame], variant: str) -> pd.DataFrame:
    posts = tables["posts"]
    chosen = posts[posts["variant"] == variant]
    return chosen.assign(engagements=chosen["likes"] + chosen["comments"] + chosen["shares"])


def per_replication(tables: dict[str, pd.DataFrame], variant: str) -> pd.DataFrame:
    """Per replication: ratios of sums over the focal member's posts."""
    posts = focal_posts(tables, variant).groupby("replication")
    sums = posts[["engagements", "engagements_peer", "impressions", "viewers_peer"]].sum()
    return pd.DataFrame(
        {
            "median_primary_reach": posts.apply(
                lambda p: (p["primary_viewers"] / p["author_connections"]).median()
            ),
            "peer_share_of_engagement": sums["engagements_peer"] / sums["engagements"],
            "peer_share_of_viewers": sums["viewers_peer"] / sums["impressions"],
            "peers_reached_per_post": sums["viewers_peer"] / posts.size(),
            "engagement_per_impression": sums["engagements"] / sums["impressions"],
        }
    )


def test_fact_1_primary_reach_is_a_small_share_of_connections(tables) -> None:  # type: ignore[no-untyped-def]
    """Median primary reach under selective lies within 2-12% of connections (seed: 4-5%)."""
    mean, lo, hi = mean_ci(per_replication(tables, "selective")["median_primary_reach"])
    assert lo >= 0.02 and hi <= 0.12, (mean, lo, hi)


def test_fact_2_engagement_multiplies_reach(tables) -> None:  # type: ignore[no-untyped-def]
    """Posts engaged with in their first 3 hours reach more viewers beyond their primary
    reach, per connection of the author, than posts without early engagement (all posts of
    the selective arm; paired by replication, 95% CI above zero)."""
    posts = all_posts(tables, "selective")
    posts = posts[posts["author_connections"] > 0]
    beyond = (posts["impressions"] - posts["primary_viewers"]) / posts["author_connections"]
    early = posts["engagements_within_3h"] > 0
    with_early = beyond[early].groupby(posts["replication"][early]).mean()
    without = beyond[~early].groupby(posts["replication"][~early]).mean()
    mean, lo, _ = paired_ci(without, with_early)
    assert lo > 0, (mean, lo)


def in_network_share_of_feed(feed: pd.DataFrame) -> pd.Series:
    total = feed.groupby("replication")["impressions"].sum()
    outside = feed[feed["source"] == "out_of_network"].groupby("replication")["impressions"].sum()
    return 1 - outside.reindex(total.index, fill_value=0) / total


def test_fact_3_most_of_the_focal_feed_comes_from_the_network(tables) -> None:  # type: ignore[no-untyped-def]
    """At least 80% of the selective member's feed impressions come from connections and
    followed accounts (LinkedIn FollowFeed 2019: more than 80%); 95% CI above 0.8."""
    feed = tables["feed"]
    mean, lo, _ = mean_ci(in_network_share_of_feed(feed[feed["variant"] == "selective"]))
    assert lo >= 0.8, (mean, lo)


def test_fact_3_most_of_all_impressions_come_from_the_network(tables) -> None:  # type: ignore[no-untyped-def]
    """Over the whole population, at least 80% of impressions are in-network (every source
    but out_of_network); 95% CI above 0.8."""
    posts = all_posts(tables, "selective").groupby("replication")
    share = 1 - posts["viewers_out_of_network"].sum() / posts["impressions"].sum()
    mean, lo, _ = mean_ci(share)
    assert lo >= 0.8, (mean, lo)


def engagement_rate(posts: pd.DataFrame, group: str) -> pd.Series:
    by = posts.groupby("replication")
    return by[f"engagements_{group}"].sum() / by[f"viewers_{group}"].sum()


def test_fact_4_engagement_per_impression_rises_with_tie_strength(tables) -> None:  # type: ignore[no-untyped-def]
    """Per impression, peer viewers (strong ties) engage more than stranger ties (weak
    ties, under link-with-everyone) and more than unconnected second-degree viewers (paired
    by replication, 95% CIs). The second half of fact 4 (most novel spread over weak ties)
    needs per-tie diffusion paths the tables do not hold (docs/calibration.md)."""
    posts = all_posts(tables, "everyone")
    peer = engagement_rate(posts, "peer")
    for weaker in ("stranger", "second_degree"):
        mean, _, hi = paired_ci(peer, engagement_rate(posts, weaker))
        assert hi < 0, (weaker, mean, hi)


def test_fact_5_most_engagement_comes_from_peers(tables) -> None:  # type: ignore[no-untyped-def]
    """Most engagement on the selective member's posts comes from peer ties: more than
    half (MODEL.md 6, fact 5; 95% CI above 0.5). (The stricter aim of
    calibration-sources.md 4, more than 70%, is not met since followers also see and engage
    with a frequent poster's posts: docs/calibration.md.)"""
    mean, lo, _ = mean_ci(per_replication(tables, "selective")["peer_share_of_engagement"])
    assert lo > 0.5, (mean, lo)


def test_fact_6_participation_follows_90_9_1(tables) -> None:  # type: ignore[no-untyped-def]
    """About 90% never post, about 9% post occasionally, about 1% weekly or more."""
    posts = tables["posts"]
    posts = posts[(posts["variant"] == "selective") & ~posts["focal"]]
    weeks = DAYS / 7
    for _, run in posts.groupby("replication"):
        per_author = run.groupby("author_id").size()
        posting = per_author.size / MEMBERS
        weekly = (per_author >= weeks).sum() / MEMBERS
        # binomial standard errors at n = 2,500: 0.6 points for 10%, 0.2 points for 1%
        assert 0.06 <= posting <= 0.14, posting
        assert 0.002 <= weekly <= 0.025, weekly


@pytest.mark.parametrize("metric", ["peer_share_of_viewers", "engagement_per_impression"])
def test_fact_7_strangers_dilute_the_audience(tables, metric: str) -> None:  # type: ignore[no-untyped-def]
    """Under link-with-everyone the peer share of viewers and the engagement per impression
    are lower than under selective (paired 95% CI below zero)."""
    selective = per_replication(tables, "selective")[metric]
    everyone = per_replication(tables, "everyone")[metric]
    mean, _, hi = paired_ci(selective, everyone)
    assert hi < 0, (metric, mean, hi)


def test_fact_7_the_peers_reached_per_post_do_not_fall_detectably(tables) -> None:  # type: ignore[no-untyped-def]
    """The part of fact 7 this size cannot show: at 2,500 members the typical member's
    posts (one every two weeks) reach as many peers under link-with-everyone as under
    selective (paired 95% CI straddles zero; +0.1 peers, up to +5.8), while at the bundled
    study's 10,000 members they reach 12.9 fewer (3.0-22.7; docs/calibration.md, fact 7).
    A fall, or a rise, that these replications detect would make this fail."""
    selective = per_replication(tables, "selective")["peers_reached_per_post"]
    everyone = per_replication(tables, "everyone")["peers_reached_per_post"]
    mean, lo, hi = paired_ci(selective, everyone)
    assert lo < 0 < hi, (mean, lo, hi)


def never_heard(tables: dict[str, pd.DataFrame], variant: str, intro: bool) -> pd.Series:
    """Per replication: share of stranger ties accepted in the first 30 days (so followed
    for 90 days) with no interaction within 90 days."""
    ties = tables["ties"]
    new = ties[
        (ties["variant"] == variant)
        & (ties["kind"] == "stranger")
        & (ties["created_day"] > 0)
        & (ties["created_day"] <= 30)
        & (ties["intro_message"] == intro)
    ]
    heard = (new["first_interaction_day"] - new["created_day"]) <= 90
    return 1 - heard.groupby(new["replication"]).mean()


def test_fact_8_most_strangers_are_never_heard_from(tables) -> None:  # type: ignore[no-untyped-def]
    """80-95% of stranger ties accepted without an intro message never interact within 90
    days (seed: 90%; cold outreach: 90-95%), and an intro message lowers that share."""
    mean, lo, hi = mean_ci(never_heard(tables, "everyone", intro=False))
    assert lo >= 0.80 and hi <= 0.95, (mean, lo, hi)
    without = never_heard(tables, "everyone-intro", intro=False)
    with_intro = never_heard(tables, "everyone-intro", intro=True)
    diff, _, hi = paired_ci(without, with_intro)
    assert hi < 0, diff


def test_fact_11_engagement_comes_early_with_a_tail(tables) -> None:  # type: ignore[no-untyped-def]
    """Most engagement comes in a post's first day, with a tail of days after it (share
    within 24 h: 95% CI inside 50-95%), and the hourly rate of engagement in the first 3
    hours is higher than over the rest of the first day (paired 95% CI above zero)."""
    posts = all_posts(tables, "selective").groupby("replication")
    total = posts["engagements"].sum()
    first_3h = posts["engagements_within_3h"].sum()
    first_day = posts["engagements_within_24h"].sum()
    mean, lo, hi = mean_ci(first_day / total)
    assert lo > 0.5 and hi < 0.95, (mean, lo, hi)
    early_rate = first_3h / 3 / total
    later_rate = (first_day - first_3h) / 21 / total
    diff, lo, _ = paired_ci(later_rate, early_rate)
    assert lo > 0, (diff, lo)


# --------------------------------------------------------------------------- the regime

REGIME_REPLICATIONS = 4


@pytest.fixture(scope="module")
def regime_counts() -> pd.DataFrame:
    return run_regime()


def run_regime() -> pd.DataFrame:
    """Run counts of a default network (15,000 members), the linkedin preset, 12 days."""
    scenario = Scenario.model_validate(
        {
            "name": "regime",
            "topics": ["finance", "it", "hr", "sales", "marketing"],
            "duration_days": 12,
            "replications": REGIME_REPLICATIONS,
            "platform": {"ranker": "linkedin"},
        }
    )
    study = Study(Path("<regime>"), scenario, (Arm("base", "", scenario),))
    outputs = run_study(study, jobs=2, progress=False)
    merged = merge_tables(outputs)
    counts = pd.DataFrame([o.counts for o in outputs])
    posts = merged["posts"].groupby("replication")
    counts["engagement_per_impression"] = (
        (posts["likes"].sum() + posts["comments"].sum() + posts["shares"].sum())
        / posts["impressions"].sum()
    ).to_numpy()
    counts["in_network_share"] = (
        1 - posts["viewers_out_of_network"].sum() / posts["impressions"].sum()
    ).to_numpy()
    return counts


def test_the_feed_chooses_from_many_candidates(regime_counts: pd.DataFrame) -> None:
    """At the defaults the median session reads at least 5 items chosen from at least 50
    candidates (MODEL.md 3.1: candidates outnumber items read ten to one); 95% CIs over
    replications of the per-run medians."""
    _, lo_read, _ = mean_ci(regime_counts["median_items_read_per_session"].astype(float))
    _, lo_candidates, _ = mean_ci(regime_counts["median_candidates_per_session"].astype(float))
    assert lo_read >= 5, lo_read
    assert lo_candidates >= 50, lo_candidates


def test_engagement_per_impression_is_a_few_percent(regime_counts: pd.DataFrame) -> None:
    """Likes, comments and shares per impression lie within 0.8-4% (calibration-sources.md
    1), and the feed is at least 80% in-network (fact 3) at the defaults; 95% CIs."""
    _, lo, hi = mean_ci(regime_counts["engagement_per_impression"])
    assert lo >= 0.008 and hi <= 0.04, (lo, hi)
    _, lo, _ = mean_ci(regime_counts["in_network_share"])
    assert lo >= 0.8, lo
