"""Study 4 of docs/validation.md: where a feed's items come from, under each preset.

The share of a relation r is, per replication, the impressions of the window's posts by
viewers of relation r over all their impressions (the `posts` table's ``viewers_<group>``
counters; every impression is one viewer); each platform's own definition groups the
relations (docs/validation.md 4.3):

- LinkedIn's organic share = connected + followed + second degree;
- Twitter's in-network share = connected + followed;
- Meta's unconnected share = second degree + out of network.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.results import load_results
from sim.analysis.statistics import mean_ci
from sim.analysis.validation.bands import BandResult, Estimate, interval_verdict
from sim.table_schema import GROUPS

STUDY = "validation-sources-of-feed"
WINDOW = (5.0, 17.0)
"""Posts created on days 5-16 (their candidate life of 3 days ends by day 19)."""

DEFINITIONS: dict[str, tuple[str, ...]] = {
    "linkedin_organic": ("peer", "stranger", "follow", "second_degree"),
    "twitter_in_network": ("peer", "stranger", "follow"),
    "meta_unconnected": ("second_degree", "out_of_network"),
    "connected": ("peer", "stranger"),
    "followed": ("follow",),
    "second_degree": ("second_degree",),
    "out_of_network": ("out_of_network",),
}
"""Each platform's definition (and each relation alone) as the groups it adds up."""


def relation_shares(posts: pd.DataFrame) -> pd.DataFrame:
    """Per variant and replication, the share of impressions of every definition in
    `DEFINITIONS`, over the window's posts (columns: variant, replication, one per
    definition, in fractions)."""
    window = posts[(posts["created_day"] >= WINDOW[0]) & (posts["created_day"] < WINDOW[1])]
    viewers = [f"viewers_{g}" for g in GROUPS]
    sums = window.groupby(["variant", "replication"])[viewers].sum()
    total = sums.sum(axis=1)
    shares = pd.DataFrame(index=sums.index)
    for name, groups in DEFINITIONS.items():
        shares[name] = sums[[f"viewers_{g}" for g in groups]].sum(axis=1) / total
    return shares.reset_index()


def share_estimate(shares: pd.DataFrame, variant: str, definition: str) -> Estimate:
    """The mean share over replications (in percent) with its 95% interval on the logit
    scale (:func:`sim.analysis.statistics.mean_ci`)."""
    values = shares.loc[shares["variant"] == variant, definition]
    mean, low, high = mean_ci(values, share=True)
    return Estimate(100 * mean, 100 * low, 100 * high, int(values.notna().sum()))


def evaluate(folder: Path) -> list[BandResult]:
    """The bands 4a (calibration), 4b and 4c, with every preset's shares in `details`."""
    results = load_results(folder)
    shares = relation_shares(results.posts)
    details = {
        f"{variant}: {definition}": share_estimate(shares, variant, definition).text("%")
        for variant in results.variants
        for definition in DEFINITIONS
    }
    linkedin = share_estimate(shares, "linkedin", "linkedin_organic")
    twitter = share_estimate(shares, "twitter-2023", "twitter_in_network")
    meta = share_estimate(shares, "edgerank", "meta_unconnected")
    return [
        BandResult(
            band="4a",
            study=STUDY,
            quantity="share of impressions not out of network (connected, followed, second"
            " degree), linkedin preset",
            published="more than 80% of the feed organic from followed or connected entities",
            source="LinkedIn Engineering, 27 Aug 2019 (H)",
            criterion="calibration target (docs/calibration.md fact 3): above 80%",
            verdict="reported",
            estimate=linkedin,
            unit="%",
            note="tuned: out_of_network_per_session was set against this figure",
            low=80.0,
            calibration=True,
        ),
        BandResult(
            band="4b",
            study=STUDY,
            quantity="share of impressions from connections and followed accounts,"
            " twitter-2023 preset",
            published="For You is 50% in-network on average",
            source="Twitter engineering blog, 31 Mar 2023, text read in copies (M)",
            criterion="between 35% and 65%",
            verdict=interval_verdict(twitter, 35.0, 65.0),
            estimate=twitter,
            unit="%",
            note="emergent from ranking an input supply; feedsim has no 50/50 rule",
            low=35.0,
            high=65.0,
        ),
        BandResult(
            band="4c",
            study=STUDY,
            quantity="share of impressions from second-degree and out-of-network authors,"
            " edgerank preset",
            published="about 9.5% of News Feed views from unconnected sources",
            source="Meta Widely Viewed Content Report, Q2 2021 (M for 9.5%)",
            criterion="between 4.75% and 19%",
            verdict=interval_verdict(meta, 4.75, 19.0),
            estimate=meta,
            unit="%",
            note="second degree counts shares, likes and comments of connections; Meta's"
            " category excludes friends' shares, so feedsim's share is an upper bound of it",
            low=4.75,
            high=19.0,
            details=details,
        ),
    ]
