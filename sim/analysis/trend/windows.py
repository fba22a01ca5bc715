"""Everyone's reach and engagement as the trend spreads: day by day, and first week against last."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days, mean_ci
from sim.analysis.trend.periods import TREND_PERIODS, complete_weeks


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
