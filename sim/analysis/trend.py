"""The "link with everyone" trend as a population process: how far it spreads, and what it
does to everyone's reach, engagement and feed.

Reads the ``adoption`` and ``population`` tables, the ``posts`` table (``author_adopted``)
and the resolved scenario of each variant in the manifest. A study's arms are told apart
by their resolved scenarios (`trend_arms`): an arm *has the trend* when its ``trend``
section gives the strategy ``everyone`` to a positive share of the members at day 0; its
*rewired counterpart* is the arm whose scenario is the same but for ``network.rewire``;
its *reference* is the arm without the trend whose scenario is the same but for the
``trend`` section (so on the same network, rewired or not). Arms share member ids
replication by replication (the same network stream; rewiring moves only edges), so every
comparison is paired by replication.

Two words recur. The *adopters of a run* are the authors with at least one post written
while following the trend (``author_adopted``), whenever they adopted; every other member
is a *non-adopter* of that run. A *complete post* was created at least the post life
(``platform.max_age_days``) before the end of the run, so its whole life in the feed lies
inside the run: reach is measured on complete posts only, as a post written on the last
day has had no time to be seen and adopters are most numerous at the end.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.effects import Metric
from sim.analysis.feed import SOURCE_GROUPS
from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days, mean_ci, paired_differences, summarise
from sim.analysis.words import list_text

#: The two groups of authors (and of viewers): adopters of the trend and everyone else.
AUTHOR_GROUPS = ("adopter", "non_adopter")

#: Words for `AUTHOR_GROUPS` in legends and sentences.
AUTHOR_LABELS = {"adopter": "adopters", "non_adopter": "non-adopters"}

#: Reach measures of `reach_by_author`, with their words: total viewers, viewers from the
#: test audience (the network route) and viewers connected to the author by a peer tie.
TREND_REACH_MEASURES = {
    "impressions": "all viewers (impressions)",
    "primary_viewers": "primary viewers (test audience)",
    "viewers_peer": "peer viewers (peer ties)",
}

#: Periods of `non_adopter_sources`, in time order.
TREND_PERIODS = ("first week", "last week")

#: Days in a week of the trend figures and comparisons.
WEEK_DAYS = 7

#: An S-shaped curve's growth over its last `S_END_DAYS` days is at most this share of its
#: peak growth (it has levelled off).
S_LEVEL_OFF = 0.5
#: Days at the end of the run over which `s_shape` measures whether growth levelled off.
S_END_DAYS = 3

#: Viewers per complete post of the run's non-adopters (`against_reference`, `run_outcomes`).
REACH_NON_ADOPTERS = Metric(
    "reach_non_adopters", "Viewers per post of the non-adopters' posts", "viewers per post", False
)
#: Viewers per complete post of all authors (`against_reference`, `run_outcomes`).
REACH_EVERYONE = Metric(
    "reach_everyone", "Viewers per post of everyone's posts", "viewers per post", False
)
#: Engagements per impression over all viewers (`against_reference`, `run_outcomes`).
ENGAGEMENT_EVERYONE = Metric(
    "engagement_everyone", "Engagements per impression of all viewers", "% of impressions", True
)
#: Share of members following the trend at the last snapshot (`run_outcomes`).
FINAL_SHARE = Metric(
    "adopter_share", "Members following the trend at the end of the run", "% of members", True
)

#: What `against_reference` compares between each arm with the trend and its reference.
REFERENCE_METRICS = (
    REACH_NON_ADOPTERS,
    REACH_EVERYONE,
    Metric(
        "engagement_non_adopters",
        "Engagements per impression of non-adopter viewers",
        "% of impressions",
        True,
    ),
    ENGAGEMENT_EVERYONE,
    Metric("feed_similarity", "Feed similarity over the last week", "mean pairwise cosine", False),
    Metric("gini", "Gini of engagements per creator", "Gini (0 equal, 1 one creator)", False),
)

#: The trend's outcomes of one run (`run_outcomes`), in display order: a parameter sweep
#: of a trend study reports them at every point.
RUN_OUTCOMES = (FINAL_SHARE, REACH_EVERYONE, REACH_NON_ADOPTERS, ENGAGEMENT_EVERYONE)

#: What each `RUN_OUTCOMES` value rests on, per run: the unit of its ``_base`` column.
RUN_BASES = {
    "adopter_share": "members",
    "reach_everyone": "complete posts",
    "reach_non_adopters": "complete posts of non-adopters",
    "engagement_everyone": "impressions",
}

#: What each `REFERENCE_METRICS` value rests on, per replication: the unit of ``base``.
REFERENCE_BASES = {
    "reach_non_adopters": "posts",
    "reach_everyone": "posts",
    "engagement_non_adopters": "impressions",
    "engagement_everyone": "impressions",
    "feed_similarity": "days",
    "gini": "creators",
}


# ------------------------------------------------------------------ the arms of a study


@dataclass(frozen=True)
class TrendArm:
    """One variant of a trend study, read from its resolved scenario in the manifest.

    Attributes:
        name: the variant.
        has_trend: its ``trend`` section gives ``everyone`` to a positive share at day 0.
        contagion: ``complex``, ``simple`` or ``none`` (also for a variant without a
            ``trend`` section).
        rewire: the network's ``rewire``: ``none``, ``degrees`` or ``fields``.
        seeded: share of members given ``everyone`` at day 0.
        description: the arm in words (`arm_text`).
        counterpart: the variant with the same scenario but another ``network.rewire``, or
            None.
        reference: the variant without the trend with the same scenario but its ``trend``
            section, or None (None for an arm without the trend).
    """

    name: str
    has_trend: bool
    contagion: str
    rewire: str
    seeded: float
    description: str
    counterpart: str | None
    reference: str | None


def variant_scenarios(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The resolved scenario of each variant, from ``manifest["scenario"]["variants"]``;
    empty when the manifest does not record them."""
    scenario = manifest.get("scenario") or {}
    out = {}
    for item in scenario.get("variants") or []:
        if isinstance(item, dict) and isinstance(item.get("scenario"), dict):
            out[str(item.get("name"))] = item["scenario"]
    return out


def _seeded_share(trend: Mapping[str, Any] | None) -> float:
    """Share of members the ``trend`` section gives ``everyone`` at day 0."""
    groups = (trend or {}).get("groups") or []
    return float(sum(g.get("share", 0.0) for g in groups if g.get("strategy") == "everyone"))


def _without(scenario: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """``scenario`` with the entry at ``path`` removed, as canonical JSON (for comparing)."""
    copy: dict[str, Any] = json.loads(json.dumps(scenario))
    inner = copy
    for key in path[:-1]:
        inner = inner.get(key) or {}
    if isinstance(inner, dict):
        inner.pop(path[-1], None)
    return json.dumps(copy, sort_keys=True)


def arm_text(scenario: Mapping[str, Any]) -> str:
    """A trend arm in words, from its resolved scenario, e.g. ``2% seeded at random;
    complex contagion: adopts (50% a day) once calls of 2 distinct adopters were seen among
    its connections' posts; network rewired (degrees)``."""
    trend = scenario.get("trend")
    network = scenario.get("network") or {}
    rewire = str(network.get("rewire", "none"))
    where = "clustered network" if rewire == "none" else f"network rewired ({rewire})"
    seeded = _seeded_share(trend)
    if trend is None or seeded <= 0:
        return f"no trend (nobody follows it); {where}"
    groups = [g for g in trend.get("groups") or [] if g.get("strategy") == "everyone"]
    seeds = list_text(
        [
            f"{100 * float(g['share']):g}% seeded "
            + (f"in {g.get('field')}" if g.get("seeding") == "field" else "")
            + ("on hubs" if g.get("seeding") == "hubs" else "")
            + ("at random" if g.get("seeding", "random") == "random" else "")
            for g in groups
        ]
    )
    c = trend.get("contagion") or {}
    kind = str(c.get("kind", "complex"))
    seen = "its connections' posts" if c.get("exposures") == "connections" else "its feed"
    if kind == "complex":
        if c.get("threshold_on") == "fraction":
            need = f"{100 * float(c.get('threshold', 0)):g}% of its connections"
        else:
            count = float(c.get("threshold", 0))
            need = f"{count:g} distinct adopter{'' if count == 1 else 's'}"
        how = (
            f"complex contagion: adopts ({100 * float(c.get('adoption_rate', 0)):g}% a day) "
            f"once calls of {need} were seen in {seen}"
        )
    elif kind == "simple":
        how = (
            "simple contagion: each call seen in "
            f"{seen} converts with {100 * float(c.get('exposure_rate', 0)):g}%"
        )
    else:
        how = "no contagion (only the seeded follow it)"
    return f"{seeds}; {how}; {where}"


def trend_arms(manifest: Mapping[str, Any], variants: Sequence[str]) -> list[TrendArm]:
    """Every variant's role in a trend study, in ``variants`` order (see `TrendArm`).

    The counterpart of an arm is the first other variant whose resolved scenario equals the
    arm's once ``network.rewire`` is left out, with a different ``rewire``; the reference
    of an arm with the trend is the first variant without the trend whose resolved scenario
    equals the arm's once ``trend`` is left out. A variant the manifest does not resolve
    gets no role (it is left out).
    """
    scenarios = variant_scenarios(manifest)
    names = [v for v in variants if v in scenarios]
    rewires = {v: str((scenarios[v].get("network") or {}).get("rewire", "none")) for v in names}
    seeded = {v: _seeded_share(scenarios[v].get("trend")) for v in names}
    no_rewire = {v: _without(scenarios[v], ("network", "rewire")) for v in names}
    no_trend = {v: _without(scenarios[v], ("trend",)) for v in names}
    arms = []
    for v in names:
        trend = scenarios[v].get("trend")
        counterpart = next(
            (
                w
                for w in names
                if w != v and no_rewire[w] == no_rewire[v] and rewires[w] != rewires[v]
            ),
            None,
        )
        has_trend = seeded[v] > 0
        reference = (
            next(
                (w for w in names if seeded[w] <= 0 and no_trend[w] == no_trend[v]),
                None,
            )
            if has_trend
            else None
        )
        kind = str(((trend or {}).get("contagion") or {}).get("kind", "complex"))
        arms.append(
            TrendArm(
                name=v,
                has_trend=has_trend,
                contagion=kind if trend is not None else "none",
                rewire=rewires[v],
                seeded=seeded[v],
                description=arm_text(scenarios[v]),
                counterpart=counterpart,
                reference=reference,
            )
        )
    return arms


def rewiring_pairs(arms: Sequence[TrendArm]) -> list[tuple[str, str]]:
    """``(rewired, clustered)`` pairs to compare as clustered minus rewired: every arm with
    the trend on the unrewired network whose counterpart is rewired."""
    by_name = {a.name: a for a in arms}
    return [
        (a.counterpart, a.name)
        for a in arms
        if a.has_trend
        and a.rewire == "none"
        and a.counterpart is not None
        and by_name[a.counterpart].rewire != "none"
    ]


def post_life_days(manifest: Mapping[str, Any]) -> float:
    """Longest ``platform.max_age_days`` over the variants (a post's life in the feed); 3
    days, the scenario default, when the manifest does not record it."""
    lives = [
        float((s.get("platform") or {}).get("max_age_days", 3.0))
        for s in variant_scenarios(manifest).values()
    ]
    base = ((manifest.get("scenario") or {}).get("base") or {}).get("platform") or {}
    return max(lives, default=float(base.get("max_age_days", 3.0)))


# ------------------------------------------------------------------ adoption


def adoption_curves(adoption: pd.DataFrame) -> pd.DataFrame:
    """Share of members following the trend at each snapshot, per arm: mean and 95% band.

    ``adopter_share = adopters / members`` per replication and snapshot day (day 0: the
    seeded start; day d: the end of day d - 1); then `band_over_days` across replications
    (a share's interval, inside [0, 1]).

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(adoption, "adopter_share", ["variant"], share=True)


def adoption_growth(adoption: pd.DataFrame) -> pd.DataFrame:
    """Members the trend gained each day, per run: ``growth(d) = adopters(d) -
    adopters(d - 1)`` for snapshot days d = 1..D (new adopters minus those who dropped).

    Returns:
        Columns ``scenario, variant, replication, day, growth``.
    """
    ordered = adoption.sort_values([*REP_KEYS, "day"], kind="stable")
    growth = ordered.groupby(REP_KEYS, sort=False)["adopters"].diff()
    out = ordered.assign(growth=growth).dropna(subset=["growth"])
    return out[[*REP_KEYS, "day", "growth"]].reset_index(drop=True)


def growth_bands(adoption: pd.DataFrame) -> pd.DataFrame:
    """`adoption_growth` per arm and day: mean and 95% t interval across runs.

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(adoption_growth(adoption), "growth", ["variant"])


def final_adoption(adoption: pd.DataFrame) -> pd.DataFrame:
    """The trend's reach at the end of each run.

    At the last snapshot (the end of the last day): ``adopter_share = adopters / members``;
    ``ever_share = (sum of new_adopters over all snapshots, the seeded included) /
    members``, which exceeds ``adopter_share`` only when adopters drop the strategy.

    Returns:
        Columns ``scenario, variant, replication, day, adopters, members, adopter_share,
        ever_share``, one row per run.
    """
    columns = [*REP_KEYS, "day", "adopters", "members", "adopter_share", "ever_share"]
    if adoption.empty:
        return pd.DataFrame(columns=columns)
    last_day = adoption.groupby(REP_KEYS, sort=False)["day"].transform("max")
    last = adoption[adoption["day"] == last_day].set_index(REP_KEYS)
    ever = adoption.groupby(REP_KEYS, sort=False)["new_adopters"].sum()
    last = last.assign(ever_share=ever / last["members"].where(last["members"] > 0))
    return last.reset_index()[columns]


def final_adoption_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """`final_adoption`'s ``adopter_share`` per arm: mean and 95% interval (inside [0, 1]).

    Returns:
        Columns ``variant, mean, lo, hi, n``.
    """
    return summarise(final_adoption(adoption), "adopter_share", ["variant"], share=True)


def rewiring_differences(adoption: pd.DataFrame, arms: Sequence[TrendArm]) -> pd.DataFrame:
    """Final adoption, clustered minus rewired, paired by replication (`rewiring_pairs`).

    ``d_r = adopter_share(clustered arm, r) - adopter_share(rewired counterpart, r)`` at
    the last snapshot; then `paired_differences` (mean and 95% t interval of the d_r).

    Returns:
        Columns ``a, b, mean, lo, hi, n``: ``a`` the rewired arm, ``b`` the clustered one.
    """
    return paired_differences(final_adoption(adoption), "adopter_share", rewiring_pairs(arms))


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y on x, ``cov(x, y) / var(x)`` (0 below rounding noise of
    1e-9); NaN with fewer than two points."""
    if x.size < 2:
        return math.nan
    dx = x.astype(float) - x.mean()
    slope = float((dx * (y.astype(float) - y.mean())).sum() / (dx * dx).sum())
    return 0.0 if abs(slope) < 1e-9 else slope


def s_shape(adoption: pd.DataFrame) -> pd.DataFrame:
    """Whether each run's adoption curve is S-shaped: slow start, fastest growth inside the
    run, then levelling off.

    With ``A(d)`` the adopters at snapshot d = 0..D and ``g(d) = A(d) - A(d - 1)`` the
    growth of day d = 1..D (new adopters minus those who dropped):
    ``peak_day`` = the first d with the largest g(d); ``inside`` = ``1 < peak_day < D``
    (the fastest growth is neither on the first nor on the last day);
    ``slope_before`` = least-squares slope of g(d) on d over d = 1..peak_day (positive:
    growth speeds up, the curve is convex before the peak, in the least-squares sense);
    ``slope_after`` = the slope over d = peak_day..D (negative: growth slows down, the
    curve is concave after); ``end_ratio`` = mean g(d) over the last `S_END_DAYS` days /
    g(peak_day). ``s_shaped`` = inside and slope_before > 0 and slope_after < 0 and
    end_ratio <= `S_LEVEL_OFF` (growth at the end at most half the peak: it levelled off,
    so the concave part is not a dip in noise). A run whose curve never grows has
    ``peak_day`` NaN and is not S-shaped.

    Returns:
        Columns ``scenario, variant, replication, peak_day, peak_growth, slope_before,
        slope_after, end_ratio, inside, s_shaped``.
    """
    rows = []
    for key, unsorted in adoption.groupby(REP_KEYS, sort=False):
        run = unsorted.sort_values("day")
        day = run["day"].to_numpy(dtype=np.int64)[1:]
        growth = np.diff(run["adopters"].to_numpy(dtype=float))
        row: dict[str, Any] = dict(zip(REP_KEYS, key, strict=True))
        if growth.size == 0 or growth.max() <= 0:
            rows.append(row | {"inside": False, "s_shaped": False})
            continue
        k = int(np.argmax(growth))
        peak_day, last_day = int(day[k]), int(day[-1])
        inside = day[0] < peak_day < last_day
        before = _slope(day[: k + 1], growth[: k + 1])
        after = _slope(day[k:], growth[k:])
        end_ratio = float(growth[-S_END_DAYS:].mean() / growth[k])
        s_shaped = bool(inside and before > 0 and after < 0 and end_ratio <= S_LEVEL_OFF)
        rows.append(
            row
            | {
                "peak_day": float(peak_day),
                "peak_growth": float(growth[k]),
                "slope_before": before,
                "slope_after": after,
                "end_ratio": end_ratio,
                "inside": bool(inside),
                "s_shaped": s_shaped,
            }
        )
    columns = [
        *REP_KEYS,
        "peak_day",
        "peak_growth",
        "slope_before",
        "slope_after",
        "end_ratio",
        "inside",
        "s_shaped",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def s_shape_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """`s_shape` per arm: how many runs were S-shaped, the peak day and the end growth.

    ``peak_day`` and ``end_ratio``: mean over the runs whose curve grew, with the 95% t
    interval (`mean_ci`); ``s_shaped``: runs S-shaped, of ``n`` runs; ``grew``: runs
    whose curve grew at all.

    Returns:
        Columns ``variant, n, grew, s_shaped, inside, peak_day, peak_lo, peak_hi,
        end_ratio``, arms in order of appearance.
    """
    per_run = s_shape(adoption)
    rows = []
    for variant, runs in per_run.groupby("variant", sort=False):
        peak, lo, hi = mean_ci(runs["peak_day"])
        rows.append(
            {
                "variant": variant,
                "n": len(runs),
                "grew": int(runs["peak_day"].notna().sum()),
                "s_shaped": int(runs["s_shaped"].astype(bool).sum()),
                "inside": int(runs["inside"].astype(bool).sum()),
                "peak_day": peak,
                "peak_lo": lo,
                "peak_hi": hi,
                "end_ratio": mean_ci(runs["end_ratio"])[0],
            }
        )
    columns = [
        "variant",
        "n",
        "grew",
        "s_shaped",
        "inside",
        "peak_day",
        "peak_lo",
        "peak_hi",
        "end_ratio",
    ]
    return pd.DataFrame(rows, columns=columns)


# ------------------------------------------------------------------ posts and reach


def adopter_authors(posts: pd.DataFrame) -> pd.DataFrame:
    """The adopters of each run: authors with at least one post written while following the
    trend (``author_adopted``).

    Returns:
        Columns ``scenario, variant, replication, author_id``, one row per adopter.
    """
    adopted = posts[posts["author_adopted"].astype(bool)]
    return adopted[[*REP_KEYS, "author_id"]].drop_duplicates().reset_index(drop=True)


def label_authors(posts: pd.DataFrame) -> pd.DataFrame:
    """``posts`` with ``author_group``: ``adopter`` for the posts (all of them, from before
    and after adopting) of the run's adopters (`adopter_authors`), else ``non_adopter``."""
    adopters = adopter_authors(posts).assign(_adopter=True)
    merged = posts.merge(adopters, on=[*REP_KEYS, "author_id"], how="left")
    merged["author_group"] = np.where(merged["_adopter"].notna(), *AUTHOR_GROUPS)
    return merged.drop(columns="_adopter")


def complete_posts(posts: pd.DataFrame, duration_days: int, life_days: float) -> pd.DataFrame:
    """The posts whose whole life lies inside the run: ``created_day + life_days <=
    duration_days`` (``life_days``: `post_life_days`)."""
    return posts[posts["created_day"] + life_days <= duration_days]


def reach_by_author(
    posts: pd.DataFrame, duration_days: int, life_days: float, bin_days: int = WEEK_DAYS
) -> pd.DataFrame:
    """Reach per complete post by author group and period of creation, per run.

    Bin w holds the complete posts (`complete_posts`) created in ``[w * bin_days, (w + 1) *
    bin_days)``; its ``day`` is the middle of the days it covers before the last complete
    post's day ``duration_days - life_days``. Per run, bin and author group
    (`label_authors`): the mean of each `TREND_REACH_MEASURES` column over its posts, and
    the number of posts. A bin without a post of a group has no row for it.

    Returns:
        Columns ``scenario, variant, replication, author_group, bin, day, posts`` and one
        per `TREND_REACH_MEASURES`.
    """
    measures = list(TREND_REACH_MEASURES)
    columns = [*REP_KEYS, "author_group", "bin", "day", "posts", *measures]
    done = complete_posts(label_authors(posts), duration_days, life_days)
    if done.empty:
        return pd.DataFrame(columns=columns)
    done = done.assign(bin=(done["created_day"] // bin_days).astype(np.int64))
    keys = [*REP_KEYS, "author_group", "bin"]
    groups = done.groupby(keys, sort=False)
    out = groups[measures].mean().astype(float).assign(posts=groups.size()).reset_index()
    start = out["bin"] * bin_days
    out["day"] = (start + np.minimum(start + bin_days, duration_days - life_days)) / 2.0
    return out[columns]


def reach_by_author_bands(
    posts: pd.DataFrame, duration_days: int, life_days: float, bin_days: int = WEEK_DAYS
) -> pd.DataFrame:
    """`reach_by_author` summarised across runs: mean and 95% t interval per bin.

    Returns:
        Columns ``variant, author_group, measure, day, mean, lo, hi, n``.
    """
    per_run = reach_by_author(posts, duration_days, life_days, bin_days)
    long = per_run.melt(
        id_vars=[*REP_KEYS, "author_group", "day"],
        value_vars=list(TREND_REACH_MEASURES),
        var_name="measure",
        value_name="viewers",
    )
    return band_over_days(long, "viewers", ["variant", "author_group", "measure"])


# ------------------------------------------------------------------ against the reference


def _gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (`gini`)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, float(x.sum()) if x.size else 0.0
    if n == 0 or total <= 0:
        return math.nan
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1.0) / n)


def gini(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Gini coefficient: ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``, computed on the sorted
    values as ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` (i = 1..n); 0 when all are
    equal, ``1 - 1/n`` when one value holds everything. NaN without values or when they sum
    to 0.

    Raises:
        ValueError: a value is negative.
    """
    x = np.asarray(values, dtype=float)
    if (x < 0).any():
        raise ValueError("the Gini coefficient needs non-negative values")
    return _gini(x)


def creator_engagements(posts: pd.DataFrame) -> pd.DataFrame:
    """Engagements each creator received in a run: ``likes + comments + shares`` summed
    over the author's posts (every author with a post is a creator, also with 0).

    Returns:
        Columns ``scenario, variant, replication, author_id, posts, engagements``.
    """
    engaged = posts.assign(engagements=posts["likes"] + posts["comments"] + posts["shares"])
    groups = engaged.groupby([*REP_KEYS, "author_id"], sort=False)
    out = groups["engagements"].sum().to_frame().assign(posts=groups.size())
    return out.reset_index()[[*REP_KEYS, "author_id", "posts", "engagements"]]


def engagement_gini(posts: pd.DataFrame) -> pd.DataFrame:
    """Concentration of engagement per run: `gini` of `creator_engagements`.

    Returns:
        Columns ``scenario, variant, replication, creators, gini``.
    """
    per_creator = creator_engagements(posts)
    groups = per_creator.groupby(REP_KEYS, sort=False)["engagements"]
    out = pd.DataFrame({"creators": groups.size(), "gini": groups.agg(_gini)})
    return out.reset_index()


def gini_summary(posts: pd.DataFrame) -> pd.DataFrame:
    """`engagement_gini` per arm: mean and 95% interval (a share's, inside [0, 1], as a
    Gini coefficient is); ``creators``: mean per run.

    Returns:
        Columns ``variant, mean, lo, hi, n, creators``.
    """
    per_run = engagement_gini(posts)
    summary = summarise(per_run, "gini", ["variant"], share=True)
    creators = per_run.groupby("variant", sort=False)["creators"].mean()
    return summary.assign(creators=summary["variant"].map(creators).to_numpy())


def similarity_by_day(adoption: pd.DataFrame) -> pd.DataFrame:
    """Feed similarity by feed day, per run: snapshot d + 1's ``feed_similarity`` is that
    of the feeds of day d (days 0..D - 1).

    Returns:
        Columns ``scenario, variant, replication, day, feed_similarity`` (days with a value).
    """
    out = adoption[[*REP_KEYS, "day", "feed_similarity"]].dropna(subset=["feed_similarity"])
    return out.assign(day=out["day"] - 1).reset_index(drop=True)


def similarity_bands(adoption: pd.DataFrame) -> pd.DataFrame:
    """`similarity_by_day` per arm: mean and 95% t interval across runs, by feed day.

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(similarity_by_day(adoption), "feed_similarity", ["variant"])


def similarity_last_week(adoption: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """Mean daily feed similarity (`similarity_by_day`) over the last week of each run, feed
    days D - 7..D - 1 (the ``feed_similarity`` of `against_reference`).

    Returns:
        Columns ``scenario, variant, replication, feed_similarity, days``.
    """
    first, last = _last_week(duration_days)
    daily = similarity_by_day(adoption)
    week = daily[daily["day"].between(first, last)]
    groups = week.groupby(REP_KEYS, sort=False)["feed_similarity"]
    out = pd.DataFrame({"feed_similarity": groups.mean(), "days": groups.size()})
    return out.reset_index()


def _last_week(duration_days: int) -> tuple[int, int]:
    """First and last feed day of the last week of the run (days D - 7 .. D - 1)."""
    return max(duration_days - WEEK_DAYS, 0), duration_days - 1


def _engagement_rate(population: pd.DataFrame, viewer: str | None) -> tuple[float, float]:
    """Engagements per impression and impressions of one run's population rows (of
    ``viewer`` status only, unless None); NaN without an impression."""
    rows = population if viewer is None else population[population["viewer"] == viewer]
    impressions = float(rows["impressions"].sum())
    rate = float(rows["engagements"].sum()) / impressions if impressions > 0 else math.nan
    return rate, impressions


def _run_frames(table: pd.DataFrame) -> dict[tuple[str, int], pd.DataFrame]:
    """``table``'s rows by ``(variant, replication)``."""
    if table.empty:
        return {}
    groups = table.groupby(["variant", "replication"], sort=False)
    return {(str(v), int(r)): g for (v, r), g in groups}  # type: ignore[call-overload]


def _mean_similarity(days: pd.DataFrame | None) -> tuple[float, float]:
    """Mean daily feed similarity and the number of days (NaN mean without a day)."""
    if days is None or days.empty:
        return math.nan, 0.0
    return float(days["feed_similarity"].mean()), float(len(days))


def _mean_reach(posts: pd.DataFrame) -> tuple[float, float]:
    """Mean impressions per post and the number of posts (NaN mean without a post)."""
    n = float(len(posts))
    return (float(posts["impressions"].mean()) if n else math.nan), n


def _reach_without(posts: pd.DataFrame, authors: set[Any]) -> tuple[float, float]:
    """`_mean_reach` of the posts whose author is not among ``authors`` (a run's adopters:
    the non-adopters' posts)."""
    return _mean_reach(posts[~posts["author_id"].isin(authors)])


def _adopter_sets(posts: pd.DataFrame) -> dict[tuple[str, int], set[Any]]:
    """The adopters of each run (`adopter_authors`) by ``(variant, replication)``."""
    return {
        key: set(g["author_id"].tolist()) for key, g in _run_frames(adopter_authors(posts)).items()
    }


def against_reference(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    arms: Sequence[TrendArm],
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """Each arm with the trend against its reference (the same network without the trend),
    replication by replication, in every `REFERENCE_METRICS` metric.

    For replication r of arm a and its reference b:
    ``reach_non_adopters`` = mean impressions per complete post (`complete_posts`) by the
    authors who are not adopters of run (a, r) (`adopter_authors`), in a and, for the same
    author ids, in b; ``reach_everyone`` = mean impressions per complete post of all
    authors; ``engagement_non_adopters`` = sum of engagements / sum of impressions of the
    ``population`` rows whose viewer was not following the trend at the impression (in b,
    where nobody follows it: everyone); ``engagement_everyone`` = the same over all rows;
    ``feed_similarity`` = mean of the daily feed similarity (`similarity_by_day`) over the
    last week (feed days D - 7..D - 1); ``gini`` = `engagement_gini`. ``base`` is what a
    value rests on (`REFERENCE_BASES`: posts, impressions, days or creators), and
    ``difference = value - reference_value``.

    Returns:
        Columns ``metric, variant, reference, replication, value, reference_value,
        difference, base, reference_base``; runs missing on either side are left out.
    """
    columns = [
        "metric",
        "variant",
        "reference",
        "replication",
        "value",
        "reference_value",
        "difference",
        "base",
        "reference_base",
    ]
    done = _run_frames(complete_posts(posts, duration_days, life_days))
    adopters = _adopter_sets(posts)
    pops = _run_frames(population)
    first, last = _last_week(duration_days)
    daily = similarity_by_day(adoption)
    sims = _run_frames(daily[daily["day"].between(first, last)])
    ginis = {
        (str(v), int(r)): (float(g), float(c))
        for v, r, c, g in engagement_gini(posts)[
            ["variant", "replication", "creators", "gini"]
        ].itertuples(index=False, name=None)
    }
    rows = []
    for arm in arms:
        if arm.reference is None:
            continue
        reps = sorted(r for v, r in done if v == arm.name and (arm.reference, r) in done)
        for r in reps:
            a, b = (arm.name, r), (arm.reference, r)
            out: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {}
            kept = adopters.get(a, set())
            out["reach_non_adopters"] = (
                _reach_without(done[a], kept),
                _reach_without(done[b], kept),
            )
            out["reach_everyone"] = (_mean_reach(done[a]), _mean_reach(done[b]))
            empty = population.iloc[0:0]
            out["engagement_non_adopters"] = (
                _engagement_rate(pops.get(a, empty), "non_adopter"),
                _engagement_rate(pops.get(b, empty), "non_adopter"),
            )
            out["engagement_everyone"] = (
                _engagement_rate(pops.get(a, empty), None),
                _engagement_rate(pops.get(b, empty), None),
            )
            out["feed_similarity"] = (_mean_similarity(sims.get(a)), _mean_similarity(sims.get(b)))
            out["gini"] = (ginis.get(a, (math.nan, 0.0)), ginis.get(b, (math.nan, 0.0)))
            for metric in REFERENCE_METRICS:
                (value, base), (ref_value, ref_base) = out[metric.name]
                rows.append(
                    {
                        "metric": metric.name,
                        "variant": arm.name,
                        "reference": arm.reference,
                        "replication": r,
                        "value": value,
                        "reference_value": ref_value,
                        "difference": value - ref_value,
                        "base": base,
                        "reference_base": ref_base,
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def reference_effects(per_rep: pd.DataFrame) -> pd.DataFrame:
    """`against_reference` summarised: the paired difference's mean and 95% t interval
    (`mean_ci` of the replications' differences), the mean of either side and the mean
    base per replication of either side.

    Returns:
        Columns ``metric, variant, reference, mean, lo, hi, n, value, reference_value,
        base, reference_base``, metrics in `REFERENCE_METRICS` order.
    """
    columns = [
        "metric",
        "variant",
        "reference",
        "mean",
        "lo",
        "hi",
        "n",
        "value",
        "reference_value",
        "base",
        "reference_base",
    ]
    rows = []
    order = {m.name: i for i, m in enumerate(REFERENCE_METRICS)}
    for (metric, variant, reference), g in per_rep.groupby(
        ["metric", "variant", "reference"], sort=False
    ):
        mean, lo, hi = mean_ci(g["difference"])
        rows.append(
            {
                "metric": metric,
                "variant": variant,
                "reference": reference,
                "mean": mean,
                "lo": lo,
                "hi": hi,
                "n": int(g["difference"].notna().sum()),
                "value": float(g["value"].mean()),
                "reference_value": float(g["reference_value"].mean()),
                "base": float(g["base"].mean()),
                "reference_base": float(g["reference_base"].mean()),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values("metric", key=lambda m: m.map(order), kind="stable", ignore_index=True)


def run_outcomes(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """The trend's outcomes of every run (`RUN_OUTCOMES`), each with what it rests on.

    For run (v, r): ``adopter_share`` = `final_adoption`'s share following the trend at the
    last snapshot; ``reach_everyone`` = mean impressions per complete post
    (`complete_posts`) of all authors; ``reach_non_adopters`` = the same over the complete
    posts of the run's non-adopters (authors not among its `adopter_authors`: in a run
    without the trend, every author); ``engagement_everyone`` = sum of engagements / sum
    of impressions over all the run's ``population`` rows. These are the values of run
    (v, r) in `against_reference`. ``<outcome>_base`` is what each rests on (`RUN_BASES`:
    members, complete posts, complete posts of non-adopters, impressions). A value is NaN
    where its run has no row in the table it comes from, no complete post or no
    impression (``reach_non_adopters`` also without an ``author_adopted`` column).

    Returns:
        Columns ``scenario, variant, replication``, then each outcome and its ``_base``; a
        row per run found in any of the three tables, in order of appearance.
    """
    names = [m.name for m in RUN_OUTCOMES]
    columns = [*REP_KEYS, *(c for n in names for c in (n, f"{n}_base"))]
    runs = [t[REP_KEYS] for t in (adoption, posts, population) if not t.empty]
    if not runs:
        return pd.DataFrame(columns=columns)
    keys = pd.concat(runs, ignore_index=True).drop_duplicates()
    finals = {
        (str(v), int(r)): (float(share), float(members))
        for v, r, share, members in final_adoption(adoption)[
            ["variant", "replication", "adopter_share", "members"]
        ].itertuples(index=False, name=None)
    }
    done = _run_frames(complete_posts(posts, duration_days, life_days))
    labelled = "author_adopted" in posts.columns
    adopters = _adopter_sets(posts) if labelled else {}
    pops = _run_frames(population)
    rows = []
    for key in keys.itertuples(index=False, name=None):
        run = (str(key[1]), int(key[2]))
        row: dict[str, Any] = dict(zip(REP_KEYS, key, strict=True))
        if run in finals:
            row["adopter_share"], row["adopter_share_base"] = finals[run]
        mine = done.get(run, posts.iloc[0:0])
        row["reach_everyone"], row["reach_everyone_base"] = _mean_reach(mine)
        if labelled:
            kept = adopters.get(run, set())
            reach = _reach_without(mine, kept)
            row["reach_non_adopters"], row["reach_non_adopters_base"] = reach
        if run in pops:
            rate = _engagement_rate(pops[run], None)
            row["engagement_everyone"], row["engagement_everyone_base"] = rate
        rows.append(row)
    return (
        pd.DataFrame(rows)
        .reindex(columns=columns)
        .astype({c: float for c in columns[len(REP_KEYS) :]})
    )


# ------------------------------------------------------------------ by day and feed sources


def daily_trend_outcomes(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """Everyone's reach and engagement day by day, against the adopters' share that day.

    Per run and feed day d: ``adopter_share`` = the share following the trend during day d
    (snapshot d: adoption happens at the end of a day); ``reach`` = mean impressions per
    post created during day d, for the days whose posts are all complete (``d + 1 +
    life_days <= duration_days``), NaN after; ``posts`` = those posts;
    ``engagement_rate`` = the day's engagements / impressions over all viewers (the
    ``population`` table); ``impressions`` = the day's impressions.

    Returns:
        Columns ``scenario, variant, replication, day, adopter_share, reach, posts,
        engagement_rate, impressions``.
    """
    columns = [
        *REP_KEYS,
        "day",
        "adopter_share",
        "reach",
        "posts",
        "engagement_rate",
        "impressions",
    ]
    if population.empty:
        return pd.DataFrame(columns=columns)
    keys = [*REP_KEYS, "day"]
    daily = population.groupby(keys, sort=False)[["impressions", "engagements"]].sum()
    daily["engagement_rate"] = daily["engagements"] / daily["impressions"].where(
        daily["impressions"] > 0
    )
    shares = adoption.set_index(keys)["adopter_share"]
    daily["adopter_share"] = shares.reindex(daily.index)
    created = posts.assign(day=np.floor(posts["created_day"]).astype(np.int64))
    created = created[created["day"] + 1 + life_days <= duration_days]
    per_day = created.groupby(keys, sort=False)["impressions"]
    daily["reach"] = per_day.mean().reindex(daily.index)
    daily["posts"] = per_day.size().reindex(daily.index)
    return daily.reset_index()[columns]


def complete_weeks(duration_days: int, life_days: float) -> dict[str, tuple[int, int]]:
    """First and last feed day of the first week and of the last week whose posts are all
    complete (`daily_trend_outcomes`): days 0..6 and L - 7..L - 1 with L = floor(D -
    life_days), each cut to the days that exist (they overlap in a short run)."""
    last = max(math.floor(duration_days - life_days), 1)
    return {
        TREND_PERIODS[0]: (0, min(WEEK_DAYS, last) - 1),
        TREND_PERIODS[1]: (max(last - WEEK_DAYS, 0), last - 1),
    }


def trend_windows(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """Everyone's reach and engagement in the first and in the last complete week of each
    run (`complete_weeks`), and the adopters' share then.

    Per run and period: ``adopter_share`` = mean over the period's days of the share
    following the trend that day; ``reach`` = mean impressions per post created in the
    period (all its posts are complete); ``posts`` = those posts; ``engagement_rate`` = the
    period's engagements / impressions over all viewers; ``impressions`` = the period's
    impressions (ratios of sums over the period, not means of daily ratios).

    Returns:
        Columns ``scenario, variant, replication, period, first_day, last_day,
        adopter_share, reach, posts, engagement_rate, impressions``.
    """
    columns = [
        *REP_KEYS,
        "period",
        "first_day",
        "last_day",
        "adopter_share",
        "reach",
        "posts",
        "engagement_rate",
        "impressions",
    ]
    if population.empty:
        return pd.DataFrame(columns=columns)
    created = posts.assign(day=np.floor(posts["created_day"]).astype(np.int64))
    index = pd.MultiIndex.from_frame(population[REP_KEYS].drop_duplicates())
    parts = []
    for period, (first, last) in complete_weeks(duration_days, life_days).items():
        feed = population[population["day"].between(first, last)]
        sums = feed.groupby(REP_KEYS, sort=False)[["impressions", "engagements"]].sum()
        made = created[created["day"].between(first, last)].groupby(REP_KEYS, sort=False)
        share = adoption[adoption["day"].between(first, last)]
        out = pd.DataFrame(index=index)
        out["adopter_share"] = share.groupby(REP_KEYS, sort=False)["adopter_share"].mean()
        out["reach"] = made["impressions"].mean().astype(float)
        out["posts"] = made.size()
        out["posts"] = out["posts"].fillna(0)
        out["impressions"] = sums["impressions"]
        out["engagement_rate"] = sums["engagements"] / sums["impressions"].where(
            sums["impressions"] > 0
        )
        parts.append(out.reset_index().assign(period=period, first_day=first, last_day=last))
    return pd.concat(parts, ignore_index=True)[columns]


#: The measures of `window_changes` with the column counting what each rests on.
WINDOW_MEASURES = {"adopter_share": None, "reach": "posts", "engagement_rate": "impressions"}


def window_changes(windows: pd.DataFrame) -> pd.DataFrame:
    """Last week minus first week of `trend_windows`, per arm, paired within each run.

    For each measure of `WINDOW_MEASURES` and run: ``d = value(last week) - value(first
    week)``; then `mean_ci` of the d over runs. ``first`` and ``last`` are the mean values
    of either week, ``first_base`` and ``last_base`` the mean posts or impressions per run
    they rest on (NaN for the adopters' share).

    Returns:
        Columns ``variant, measure, first, last, mean, lo, hi, n, first_base,
        last_base``, arms in order of appearance.
    """
    columns = [
        "variant",
        "measure",
        "first",
        "last",
        "mean",
        "lo",
        "hi",
        "n",
        "first_base",
        "last_base",
    ]
    first_name, last_name = TREND_PERIODS
    rows = []
    for variant, runs in windows.groupby("variant", sort=False):
        wide = runs.pivot_table(
            index="replication",
            columns="period",
            values=[m for m in WINDOW_MEASURES] + ["posts", "impressions"],
            aggfunc="first",
        )
        for measure, base in WINDOW_MEASURES.items():
            if (measure, first_name) not in wide or (measure, last_name) not in wide:
                continue
            a, b = wide[(measure, first_name)], wide[(measure, last_name)]
            mean, lo, hi = mean_ci((b - a).astype(float))
            rows.append(
                {
                    "variant": variant,
                    "measure": measure,
                    "first": float(a.mean()),
                    "last": float(b.mean()),
                    "mean": mean,
                    "lo": lo,
                    "hi": hi,
                    "n": int((b - a).notna().sum()),
                    "first_base": float(wide[(base, first_name)].mean()) if base else math.nan,
                    "last_base": float(wide[(base, last_name)].mean()) if base else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def daily_trend_bands(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """`daily_trend_outcomes` summarised per arm and day: the mean adopter share, and the
    mean and 95% t interval of ``reach`` and of ``engagement_rate`` (a share's interval).

    Returns:
        Columns ``variant, day, measure, adopter_share, mean, lo, hi, n`` with ``measure``
        ``reach`` or ``engagement_rate``.
    """
    daily = daily_trend_outcomes(posts, population, adoption, duration_days, life_days)
    share = daily.groupby(["variant", "day"], sort=False)["adopter_share"].mean()
    parts = []
    for measure in ("reach", "engagement_rate"):
        band = band_over_days(daily, measure, ["variant"], share=measure == "engagement_rate")
        band = band.dropna(subset=["mean"]).assign(measure=measure)
        band["adopter_share"] = share.reindex(
            pd.MultiIndex.from_frame(band[["variant", "day"]])
        ).to_numpy()
        parts.append(band)
    columns = ["variant", "day", "measure", "adopter_share", "mean", "lo", "hi", "n"]
    return pd.concat(parts, ignore_index=True)[columns]


def trend_periods(duration_days: int) -> dict[str, tuple[int, int]]:
    """First and last feed day of each of `TREND_PERIODS`: days 0-6 and D - 7..D - 1
    (they overlap in a run shorter than two weeks)."""
    return {
        TREND_PERIODS[0]: (0, min(WEEK_DAYS, duration_days) - 1),
        TREND_PERIODS[1]: _last_week(duration_days),
    }


def non_adopter_source_shares(population: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """Where non-adopters' feeds come from in the first and in the last week, per run.

    Over the ``population`` rows of viewers not following the trend at the impression, per
    run and period (`trend_periods`): ``share(group) = impressions(group) / impressions``
    (0 for a group without impressions); ``impressions``: the period's non-adopter
    impressions (NaN shares when there are none).

    Returns:
        Columns ``scenario, variant, replication, period, group, share, impressions``.
    """
    columns = [*REP_KEYS, "period", "group", "share", "impressions"]
    non = population[population["viewer"] == "non_adopter"]
    parts = []
    for period, (first, last) in trend_periods(duration_days).items():
        window = non[non["day"].between(first, last)]
        wide = window.pivot_table(
            index=REP_KEYS,
            columns="source_group",
            values="impressions",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        ).reindex(columns=list(SOURCE_GROUPS), fill_value=0)
        index = pd.MultiIndex.from_frame(population[REP_KEYS].drop_duplicates())
        wide = wide.reindex(index, fill_value=0)
        total = wide.sum(axis=1).rename("impressions")
        shares = wide.div(total.where(total > 0), axis=0)
        long = shares.reset_index().melt(id_vars=REP_KEYS, var_name="group", value_name="share")
        long = long.merge(total.reset_index(), on=REP_KEYS, how="left")
        parts.append(long.assign(period=period))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def non_adopter_sources(population: pd.DataFrame, duration_days: int) -> pd.DataFrame:
    """`non_adopter_source_shares` per arm, period and group: mean and 95% interval (inside
    [0, 1]); ``impressions``: the mean non-adopter impressions per run in the period.

    Returns:
        Columns ``variant, period, group, mean, lo, hi, n, impressions``, periods in time
        order.
    """
    per_run = non_adopter_source_shares(population, duration_days)
    summary = summarise(per_run, "share", ["variant", "period", "group"], share=True)
    base = per_run.groupby(["variant", "period"], sort=False)["impressions"].mean()
    keys = pd.MultiIndex.from_frame(summary[["variant", "period"]])
    return summary.assign(impressions=base.reindex(keys).to_numpy())
