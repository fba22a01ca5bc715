"""Study 5 of docs/validation.md: a chronological feed, randomised (Guess et al. 2023).

Per arm and replication over the window's days (10-59), from the ``member_days`` table:
engagements per member per day and per session, sessions and impressions per member per day.
5a is the relative difference of engagements per member per day, chronological minus
ranked over ranked, paired by replication; 5b the difference of each relation's share of
impressions (connected, followed, second degree, out of network; from the ``funnel``
table), in points.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.analysis.results import load_results, read_table
from sim.analysis.statistics import mean_ci
from sim.analysis.validation.bands import BandResult, Estimate, Verdict, sign_verdict

STUDY = "validation-chronological"
TREATED, CONTROL = "chronological", "ranked"
DAYS = (10, 60)
PRIMARY, CROSS = "edgerank", "linkedin"
RELATIONS = {
    "connected": ("peer", "stranger"),
    "followed": ("follow",),
    "second_degree": ("second_degree",),
    "out_of_network": ("out_of_network",),
}
MIN_CHANGE = 2.0
SOURCE = "Guess et al., Science 381:398 (2023), abstract (H, direction)"


def interval(values: pd.Series, scale: float = 1.0) -> Estimate:
    """Mean over replications with its 95% t interval, scaled."""
    mean, low, high = mean_ci(values)
    return Estimate(scale * mean, scale * low, scale * high, int(values.notna().sum()))


def per_arm(member_days: pd.DataFrame) -> pd.DataFrame:
    """Per variant, replication and arm: engagements, sessions and impressions per member
    per day, and engagements per session, over the window."""
    days = member_days[(member_days["day"] >= DAYS[0]) & (member_days["day"] < DAYS[1])]
    sums = days.groupby(["variant", "replication", "arm"])[
        ["members", "sessions", "impressions", "engagements"]
    ].sum()
    out = pd.DataFrame(index=sums.index)
    for column in ("sessions", "impressions", "engagements"):
        out[f"{column}_per_member_day"] = sums[column] / sums["members"]
    out["engagements_per_session"] = sums["engagements"] / sums["sessions"]
    return out.reset_index()


def relative_difference(arms: pd.DataFrame, variant: str, column: str) -> pd.Series:
    """Per replication: (chronological - ranked) / ranked of `column` in `variant`."""
    wide = arms[arms["variant"] == variant].pivot(index="replication", columns="arm", values=column)
    return (wide[TREATED] - wide[CONTROL]) / wide[CONTROL]


def relation_shares(funnel: pd.DataFrame) -> pd.DataFrame:
    """Per variant, replication and arm: each relation's share of impressions (fractions)
    of posts created in the window, and the own-field share."""
    window = funnel[(funnel["day"] >= DAYS[0]) & (funnel["day"] < DAYS[1])]
    keys = ["variant", "replication", "arm"]
    total = window.groupby(keys)["impressions"].sum()
    out = pd.DataFrame(index=total.index)
    for name, groups in RELATIONS.items():
        part = window[window["relation"].isin(groups)].groupby(keys)["impressions"].sum()
        out[name] = part.reindex(total.index, fill_value=0) / total
    own = window[window["own_field"]].groupby(keys)["impressions"].sum()
    out["own_field"] = own.reindex(total.index, fill_value=0) / total
    return out.reset_index()


def share_changes(shares: pd.DataFrame, variant: str) -> dict[str, Estimate]:
    """Per relation (and own field): chronological minus ranked share, in points, paired by
    replication."""
    rows = shares[shares["variant"] == variant]
    out = {}
    for column in [*RELATIONS, "own_field"]:
        wide = rows.pivot(index="replication", columns="arm", values=column)
        out[column] = interval(wide[TREATED] - wide[CONTROL], 100.0)
    return out


def change_verdict(changes: dict[str, Estimate]) -> Verdict:
    """5b: agrees when a relation's share differs by at least 2 points with its interval
    excluding 0; disagrees when every relation's interval lies within (-2, +2) points;
    otherwise inconclusive."""
    relations = [changes[r] for r in RELATIONS]
    if any(math.isnan(e.low) for e in relations):
        return "not comparable"
    if any(abs(e.value) >= MIN_CHANGE and (e.low > 0 or e.high < 0) for e in relations):
        return "agrees"
    if all(e.low > -MIN_CHANGE and e.high < MIN_CHANGE for e in relations):
        return "disagrees"
    return "inconclusive"


def evaluate(folder: Path) -> list[BandResult]:
    """The bands 5a (edgerank; linkedin cross-platform), 5b and 5c."""
    results = load_results(folder)
    member_days = read_table(folder, "member_days", ("day", "arm", "members", "engagements"))
    funnel = read_table(folder, "funnel", ("day", "arm", "relation", "own_field", "impressions"))
    arms, shares = per_arm(member_days), relation_shares(funnel)
    details: dict[str, str] = {}
    for variant in results.variants:
        for column in (
            "engagements_per_member_day",
            "engagements_per_session",
            "sessions_per_member_day",
            "impressions_per_member_day",
        ):
            change = interval(relative_difference(arms, variant, column), 100.0)
            details[f"{variant}: {column}, chronological vs ranked"] = change.text("%")
        for name, change in share_changes(shares, variant).items():
            details[f"{variant}: {name} share, chronological minus ranked"] = change.text(" points")
    primary = interval(relative_difference(arms, PRIMARY, "engagements_per_member_day"), 100.0)
    cross = interval(relative_difference(arms, CROSS, "engagements_per_member_day"), 100.0)
    sessions = interval(relative_difference(arms, PRIMARY, "sessions_per_member_day"), 100.0)
    changes = share_changes(shares, PRIMARY)
    largest = max(RELATIONS, key=lambda r: abs(changes[r].value))
    quantity = "engagements per member per day, chronological arm against ranked arm ({})"
    published = "a chronological feed substantially decreased activity"
    return [
        BandResult(
            "5a",
            STUDY,
            quantity.format("edgerank"),
            published,
            SOURCE,
            "relative difference < 0, 95% CI excluding 0 (sign only)",
            sign_verdict(primary, "below"),
            primary,
            "%",
            "magnitudes not read (U)",
            high=0.0,
            details=details,
        ),
        BandResult(
            "5a-linkedin",
            STUDY,
            quantity.format("linkedin, cross-platform"),
            published,
            SOURCE,
            "relative difference < 0, 95% CI excluding 0 (sign only)",
            sign_verdict(cross, "below"),
            cross,
            "%",
            "cross-platform",
            high=0.0,
        ),
        BandResult(
            "5b",
            STUDY,
            "largest change of a relation's share of impressions"
            f" ({largest.replace('_', ' ')}), chronological minus ranked, edgerank",
            "a chronological feed changed what content was seen",
            SOURCE,
            "a relation's share differs by at least 2 points, CI excluding 0",
            change_verdict(changes),
            changes[largest],
            " points",
            "weak test",
        ),
        BandResult(
            "5c",
            STUDY,
            "sessions per member per day, chronological against ranked",
            "a chronological feed substantially decreased time on platform",
            SOURCE,
            "not comparable by construction",
            "not comparable",
            sessions,
            "%",
            "sessions do not depend on one's own feed in feedsim (docs/model.md 7.7)",
        ),
    ]
