"""Study 1 of docs/validation.md: algorithmic amplification (Huszár et al. 2022).

For a set of posts T and an arm A with N_A members, reach_A(T) is the number of distinct
members of A who saw at least one post of T. The amplification of T in replication r is

    a_r(T) = (reach_treated(T) / N_treated) / (reach_control(T) / N_control) - 1,

and across replications the mean of ``log(1 + a_r)`` with its 95% Student t interval is
carried back to percent (docs/validation.md 1.3). Per author the same ratio; the spread is
over every eligible (author, replication) pair: an author of G1 or G2 with at least 5 posts
in the window and at least 20 distinct control viewers in the replication.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.results import load_results, read_table
from sim.analysis.statistics import mean_ci
from sim.analysis.validation.bands import (
    BandResult,
    Estimate,
    Verdict,
    interval_verdict,
    sign_verdict,
)

STUDY = "validation-amplification"
TREATED, CONTROL = "treated", "control"
GROUPS = {"top_1pct": "G1, heavily followed creators (top 1% by audience)", "p40_p60": "G2"}
MIN_CONTROL_VIEWERS_G1 = 200
MIN_POSTS, MIN_CONTROL_VIEWERS = 5, 20
MIN_REPLICATIONS = 8
RESAMPLES = 2000
SOURCE = "Huszár et al., PNAS 119:e2025334119 (2022), text around Fig. 1 (M)"


def log_ratio_estimate(ratios: pd.Series) -> Estimate:
    """Mean of ``log(1 + a)`` over replications with its t interval, back in percent."""
    logs = np.log1p(ratios.astype(float))
    mean, low, high = mean_ci(logs)
    return Estimate(
        100 * math.expm1(mean), 100 * math.expm1(low), 100 * math.expm1(high), int(logs.size)
    )


def group_amplification(group_reach: pd.DataFrame) -> pd.DataFrame:
    """Per variant, replication and group: the amplification ratio by distinct viewers
    (``by_viewers``) and by impressions (``by_impressions``), and the control viewers."""
    keys = ["variant", "replication", "group"]
    wide = group_reach.pivot_table(
        index=keys, columns="arm", values=["viewers", "impressions", "arm_members"], aggfunc="sum"
    )
    out = pd.DataFrame(index=wide.index)
    for name, column in (("by_viewers", "viewers"), ("by_impressions", "impressions")):
        treated = wide[(column, TREATED)] / wide[("arm_members", TREATED)]
        control = wide[(column, CONTROL)] / wide[("arm_members", CONTROL)]
        out[name] = treated / control - 1.0
    out["control_viewers"] = wide[("viewers", CONTROL)]
    return out.reset_index()


def reading_per_member(group_reach: pd.DataFrame) -> pd.DataFrame:
    """Per variant, replication and arm: impressions of the window's posts per member of the
    arm (the field groups partition the posting members, so their sum is every window post):
    how far total reading is conserved between arms (docs/validation.md 1.3)."""
    fields = group_reach[group_reach["group"].str.startswith("field:")]
    keys = ["variant", "replication", "arm"]
    sums = fields.groupby(keys).agg(
        impressions=("impressions", "sum"), members=("arm_members", "first")
    )
    return (sums["impressions"] / sums["members"]).rename("per_member").reset_index()


def holdout_note(reading: pd.DataFrame, amplification: pd.DataFrame) -> str:
    """How much more the holdout read than treated viewers under twitter-2023, and G1's
    amplification against the plain chronological control (twitter-plain), in words."""
    per_arm = reading[reading["variant"] == "twitter"].groupby("arm")["per_member"].mean()
    plain = amplification[
        (amplification["variant"] == "twitter-plain") & (amplification["group"] == "top_1pct")
    ]
    if per_arm.size < 2 or plain.empty:
        return ""
    extra = 100 * (per_arm[CONTROL] / per_arm[TREATED] - 1)
    against_plain = log_ratio_estimate(plain["by_viewers"]).text("%")
    return (
        f"holdout viewers read {extra:.0f}% more of the window's posts than treated viewers"
        " (their notification sessions follow the candidates they are sent); against plain"
        f" chronological viewers G1's amplification is {against_plain}"
    )


def author_groups(members: pd.DataFrame) -> pd.DataFrame:
    """Per variant, replication and member: its audience group at day 0 (``top_1pct``,
    ``p40_p60`` or none) among members with a posting rate above 0, from the members table
    (audience = connections + followers at the start)."""
    posting = members[members["post_rate"] > 0].copy()
    posting["audience"] = posting["connections_start"] + posting["followers_start"]
    by_run = posting.groupby(["variant", "replication"])["audience"]
    top = by_run.transform(lambda a: a.quantile(0.99))
    p40 = by_run.transform(lambda a: a.quantile(0.40))
    p60 = by_run.transform(lambda a: a.quantile(0.60))
    posting["group"] = np.where(
        posting["audience"] >= top,
        "top_1pct",
        np.where((posting["audience"] >= p40) & (posting["audience"] <= p60), "p40_p60", ""),
    )
    return posting.loc[posting["group"] != "", ["variant", "replication", "member", "group"]]


def author_amplification(author_reach: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per eligible (author, replication) of G1 or G2: ``a`` by distinct viewers."""
    keys = ["variant", "replication", "author"]
    wide = author_reach.pivot_table(
        index=keys, columns="arm", values=["viewers", "posts"], aggfunc="sum"
    ).fillna(0)
    sizes = members.groupby(["variant", "replication", "arm"]).size().unstack("arm")
    frame = wide.reset_index()
    frame.columns = ["_".join(str(c) for c in col if c) for col in frame.columns]
    frame = frame.join(sizes, on=["variant", "replication"])
    groups = author_groups(members).rename(columns={"member": "author"})
    frame = frame.merge(groups, on=["variant", "replication", "author"])
    posts = frame[f"posts_{TREATED}"].combine(frame[f"posts_{CONTROL}"], max)
    eligible = (posts >= MIN_POSTS) & (frame[f"viewers_{CONTROL}"] >= MIN_CONTROL_VIEWERS)
    frame = frame[eligible].copy()
    frame["a"] = (frame[f"viewers_{TREATED}"] / frame[TREATED]) / (
        frame[f"viewers_{CONTROL}"] / frame[CONTROL]
    ) - 1.0
    return frame[["variant", "replication", "author", "group", "a"]]


def spread(authors: pd.DataFrame, seed: int = 2026) -> dict[str, Estimate]:
    """Share of authors below 0 (percent), the 10th, 50th and 90th percentiles and the
    interdecile range (points of amplification in percent), with 95% intervals from
    resampling replications with replacement (`RESAMPLES` times)."""

    def stats(a: np.ndarray) -> np.ndarray:
        q10, q50, q90 = np.quantile(100 * a, [0.1, 0.5, 0.9])
        return np.array([100 * float((a < 0).mean()), q10, q50, q90, q90 - q10])

    names = ("share_below_0", "p10", "p50", "p90", "interdecile_range")
    by_rep = [g["a"].to_numpy() for _, g in authors.groupby("replication")]
    if not by_rep:
        return {n: Estimate(math.nan, math.nan, math.nan, 0) for n in names}
    point = stats(np.concatenate(by_rep))
    rng = np.random.default_rng(seed)
    draws = np.array(
        [
            stats(np.concatenate([by_rep[i] for i in rng.integers(0, len(by_rep), len(by_rep))]))
            for _ in range(RESAMPLES)
        ]
    )
    low, high = np.quantile(draws, [0.025, 0.975], axis=0)
    return {
        n: Estimate(float(point[i]), float(low[i]), float(high[i]), len(by_rep))
        for i, n in enumerate(names)
    }


def spread_verdict(s: dict[str, Estimate]) -> Verdict:
    """1c: at least 5% of eligible authors below 0 and an interdecile range of at least 100
    points: each an interval band (``[5, 100]`` percent; ``[100, inf)`` points); agrees when
    both agree, disagrees when either disagrees, otherwise inconclusive."""
    verdicts = (
        interval_verdict(s["share_below_0"], 5.0, 100.0),
        interval_verdict(s["interdecile_range"], 100.0, math.inf),
    )
    if "not comparable" in verdicts:
        return "not comparable"
    if all(v == "agrees" for v in verdicts):
        return "agrees"
    return "disagrees" if "disagrees" in verdicts else "inconclusive"


def _world(
    variant: str,
    amplification: pd.DataFrame,
    authors: pd.DataFrame,
    replications: int,
) -> tuple[Estimate, str, dict[str, Estimate], dict[str, str]]:
    """G1's amplification, why it is not comparable (or ""), the spread over authors, and the
    reported numbers of one world."""
    rows = amplification[amplification["variant"] == variant]
    g1 = rows[rows["group"] == "top_1pct"]
    estimate = log_ratio_estimate(g1["by_viewers"])
    why = ""
    if g1["replication"].nunique() < MIN_REPLICATIONS or replications < MIN_REPLICATIONS:
        why = f"fewer than {MIN_REPLICATIONS} replications completed"
    elif (g1["control_viewers"] < MIN_CONTROL_VIEWERS_G1).any():
        why = f"fewer than {MIN_CONTROL_VIEWERS_G1} control viewers saw G1 in a replication"
    world_spread = spread(authors[authors["variant"] == variant])
    details = {
        f"{variant}: {group} by {measure}": log_ratio_estimate(
            rows.loc[rows["group"] == group, measure]
        ).text("%")
        for group in sorted(rows["group"].unique())
        for measure in ("by_viewers", "by_impressions")
    }
    details |= {f"{variant}: authors {k}": v.text() for k, v in world_spread.items()}
    details[f"{variant}: eligible (author, replication) pairs"] = str(
        int((authors["variant"] == variant).sum())
    )
    return estimate, why, world_spread, details


def evaluate(folder: Path) -> list[BandResult]:
    """The bands 1a-1d of docs/validation.md (1d summarised as the sign of G1 under
    linkedin, with its magnitude and spread beside it)."""
    results = load_results(folder)
    group_reach = read_table(folder, "group_reach", ("group", "arm", "viewers", "arm_members"))
    author_reach = read_table(folder, "author_reach", ("author", "arm", "posts", "viewers"))
    members = read_table(folder, "members", ("member", "arm", "post_rate"))
    amplification = group_amplification(group_reach)
    authors = author_amplification(author_reach, members)
    reading = reading_per_member(group_reach)
    quantity = "amplification of G1's posts by distinct viewers, {} against the holdout"
    g1, why, twitter_spread, details = _world(
        "twitter", amplification, authors, results.replications
    )
    li, li_why, li_spread, li_details = _world(
        "linkedin", amplification, authors, results.replications
    )
    _, _, _, plain = _world("twitter-plain", amplification, authors, results.replications)
    for (variant, arm), values in reading.groupby(["variant", "arm"]):
        mean, low, high = mean_ci(values["per_member"])
        details[f"{variant}: impressions of window posts per {arm} member"] = (
            f"{mean:.1f} ({low:.1f} to {high:.1f})"
        )
    first = "not comparable" if why else sign_verdict(g1, "above")
    magnitude: Verdict = (
        "not comparable"
        if why
        else interval_verdict(g1, 20.0, 350.0)
        if first == "agrees"
        else "not comparable"
    )
    li_sign: Verdict = "not comparable" if li_why else sign_verdict(li, "above")
    published = "every party group positively amplified (+43% to +176% where quoted)"
    return [
        BandResult(
            "1a",
            STUDY,
            quantity.format("twitter-2023"),
            published,
            SOURCE,
            "95% CI entirely above 0%",
            first,
            g1,
            "%",
            why or holdout_note(reading, amplification),
            low=0.0,
            details=details,
        ),
        BandResult(
            "1b",
            STUDY,
            quantity.format("twitter-2023") + ", magnitude",
            published,
            SOURCE,
            "between +20% and +350% (only if 1a agrees)",
            magnitude,
            g1,
            "%",
            why or ("" if first == "agrees" else "1a does not agree"),
            low=20.0,
            high=350.0,
        ),
        BandResult(
            "1c",
            STUDY,
            "spread of amplification over eligible authors of G1 and G2, twitter-2023:"
            " interdecile range (and share below 0%, in the note)",
            "individuals from below 0% up to 400%",
            SOURCE,
            "at least 5% below 0%, and interdecile range at least 100 points",
            spread_verdict(twitter_spread),
            twitter_spread["interdecile_range"],
            " points",
            "share below 0%: " + twitter_spread["share_below_0"].text("%"),
            low=100.0,
        ),
        BandResult(
            "1d",
            STUDY,
            quantity.format("linkedin") + " (cross-platform)",
            published,
            SOURCE,
            "as 1a (95% CI above 0%); 1b and 1c reported beside it",
            li_sign,
            li,
            "%",
            li_why
            or f"magnitude {interval_verdict(li, 20.0, 350.0)}; spread {spread_verdict(li_spread)}",
            low=0.0,
            details=li_details | plain,
        ),
    ]
