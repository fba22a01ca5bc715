"""Stylized facts 1, 3, 5, 6, 7, 8 and 11 of MODEL.md section 6 under the defaults.

The bundled link-with-everyone study runs at a small size (1,500 members, 120 days, 2-hour
slices, 10 replications; the paired comparisons use common random numbers). Directions are
tested strictly: a paired 95% t-interval over replications must exclude zero. Magnitudes
are tested against the ranges of docs/calibration.md. Seeds are fixed, so the outcome is
deterministic; the intervals say how far from the boundary each value sits.
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim.scenario import load_study
from tests.helpers import LINK_WITH_EVERYONE, mean_ci, paired_ci, run_arms

pytestmark = pytest.mark.slow  # the link-with-everyone study at 1,500 members, 10 replications

REPLICATIONS = 10
SMALL = {
    "replications": REPLICATIONS,
    "duration_days": 120,
    "slice_hours": 2,
    "network": {"members": 1500},
}


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return run_arms(LINK_WITH_EVERYONE, ("selective", "everyone", "everyone-intro"), **SMALL)


def focal_posts(tables: dict[str, pd.DataFrame], variant: str) -> pd.DataFrame:
    posts = tables["posts"]
    chosen = posts[posts["focal"] & (posts["variant"] == variant)]
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


def test_fact_3_most_of_the_feed_comes_from_the_network(tables) -> None:  # type: ignore[no-untyped-def]
    """At least 80% of the selective member's feed impressions are organic from the network
    (LinkedIn FollowFeed 2019: more than 80%)."""
    feed = tables["feed"]
    feed = feed[feed["variant"] == "selective"]
    total = feed.groupby("replication")["impressions"].sum()
    outside = feed[feed["source"] == "out_of_network"].groupby("replication")["impressions"].sum()
    share = 1 - outside.reindex(total.index, fill_value=0) / total
    mean, _, _ = mean_ci(share)
    assert mean >= 0.8, mean


def test_fact_5_most_engagement_comes_from_peers(tables) -> None:  # type: ignore[no-untyped-def]
    """More than 70% of the engagement on the selective member's posts comes from peer ties."""
    mean, lo, _ = mean_ci(per_replication(tables, "selective")["peer_share_of_engagement"])
    assert lo > 0.7, (mean, lo)


def test_fact_6_participation_follows_90_9_1(tables) -> None:  # type: ignore[no-untyped-def]
    """About 90% never post, about 9% post occasionally, about 1% weekly or more."""
    posts = tables["posts"]
    posts = posts[(posts["variant"] == "selective") & ~posts["focal"]]
    weeks = 120 / 7
    for _, run in posts.groupby("replication"):
        per_author = run.groupby("author_id").size()
        posting = per_author.size / 1500
        weekly = (per_author >= weeks).sum() / 1500
        # binomial standard errors at n = 1,500: 0.8 points for 10%, 0.3 points for 1%
        assert 0.06 <= posting <= 0.14, posting
        assert 0.002 <= weekly <= 0.025, weekly


@pytest.mark.parametrize(
    "metric", ["peer_share_of_viewers", "peers_reached_per_post", "engagement_per_impression"]
)
def test_fact_7_strangers_dilute_the_audience(tables, metric: str) -> None:  # type: ignore[no-untyped-def]
    """Under link-with-everyone the peer share of viewers, the peers reached per post and the
    engagement per impression are lower than under selective (paired 95% CI below zero)."""
    selective = per_replication(tables, "selective")[metric]
    everyone = per_replication(tables, "everyone")[metric]
    mean, _, hi = paired_ci(selective, everyone)
    assert hi < 0, (metric, mean, hi)


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
    """Most engagement comes in a post's first day, with a tail of days after it, and the
    first 3 hours draw engagement faster than a post's life as a candidate does on average.

    (The hourly rate peaks after the first hour, when the test audience's verdict widens a
    post's distribution, so the rate within the first 3 hours is not tested against the
    rest of the first day; docs/calibration.md reports it.)"""
    posts = tables["posts"]
    posts = posts[posts["variant"] == "selective"]
    total = (posts["likes"] + posts["comments"] + posts["shares"]).sum()
    first_3h = posts["engagements_within_3h"].sum()
    first_day = posts["engagements_within_24h"].sum()
    assert first_day / total > 0.5
    assert first_day / total < 0.95  # a tail of days
    life_hours = 24 * load_study(LINK_WITH_EVERYONE).base.platform.max_age_days
    assert first_3h / 3 > total / life_hours  # per hour, over a candidate's whole life
