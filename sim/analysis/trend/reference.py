"""Each arm with the trend against the same network without it, paired by replication."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.analysis.effects import Metric
from sim.analysis.statistics import mean_ci
from sim.analysis.trend.arms import TrendArm
from sim.analysis.trend.feeds import similarity_by_day
from sim.analysis.trend.inequality import engagement_gini
from sim.analysis.trend.outcomes import ENGAGEMENT_EVERYONE, REACH_EVERYONE, REACH_NON_ADOPTERS
from sim.analysis.trend.per_run import (
    Run,
    adopter_sets,
    engagement_rate,
    mean_reach,
    mean_similarity,
    reach_without,
    run_frames,
)
from sim.analysis.trend.periods import last_week
from sim.analysis.trend.reach import complete_posts

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

#: What each `REFERENCE_METRICS` value rests on, per replication: the unit of ``base``.
REFERENCE_BASES = {
    "reach_non_adopters": "posts",
    "reach_everyone": "posts",
    "engagement_non_adopters": "impressions",
    "engagement_everyone": "impressions",
    "feed_similarity": "days",
    "gini": "creators",
}


#: A run's value and what it rests on, and the same of its reference's run.
PairedValues = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class _RunTables:
    """What `against_reference` reads of each run, by ``(variant, replication)``.

    Attributes:
        complete: the run's complete posts (`complete_posts`).
        adopters: the run's adopters (`adopter_sets`).
        population: the run's ``population`` rows.
        similarity: the run's daily feed similarity over the last week.
        ginis: the run's `engagement_gini` and its creators.
        no_population: the ``population`` table without rows (for a run without any).
    """

    complete: dict[Run, pd.DataFrame]
    adopters: dict[Run, set[Any]]
    population: dict[Run, pd.DataFrame]
    similarity: dict[Run, pd.DataFrame]
    ginis: dict[Run, tuple[float, float]]
    no_population: pd.DataFrame


def _run_tables(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> _RunTables:
    """The tables of every run that `against_reference` compares."""
    first, last = last_week(duration_days)
    daily = similarity_by_day(adoption)
    return _RunTables(
        complete=run_frames(complete_posts(posts, duration_days, life_days)),
        adopters=adopter_sets(posts),
        population=run_frames(population),
        similarity=run_frames(daily[daily["day"].between(first, last)]),
        ginis={
            (str(v), int(r)): (float(g), float(c))
            for v, r, c, g in engagement_gini(posts)[
                ["variant", "replication", "creators", "gini"]
            ].itertuples(index=False, name=None)
        },
        no_population=population.iloc[0:0],
    )


def _paired_values(runs: _RunTables, a: Run, b: Run) -> dict[str, PairedValues]:
    """Every `REFERENCE_METRICS` value of run ``a`` (with the trend) and of run ``b`` (its
    reference), each with what it rests on; non-adopters are those of run ``a``."""
    done, pops, empty = runs.complete, runs.population, runs.no_population
    kept = runs.adopters.get(a, set())
    return {
        "reach_non_adopters": (reach_without(done[a], kept), reach_without(done[b], kept)),
        "reach_everyone": (mean_reach(done[a]), mean_reach(done[b])),
        "engagement_non_adopters": (
            engagement_rate(pops.get(a, empty), "non_adopter"),
            engagement_rate(pops.get(b, empty), "non_adopter"),
        ),
        "engagement_everyone": (
            engagement_rate(pops.get(a, empty), None),
            engagement_rate(pops.get(b, empty), None),
        ),
        "feed_similarity": (
            mean_similarity(runs.similarity.get(a)),
            mean_similarity(runs.similarity.get(b)),
        ),
        "gini": (runs.ginis.get(a, (math.nan, 0.0)), runs.ginis.get(b, (math.nan, 0.0))),
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
    runs = _run_tables(posts, population, adoption, duration_days, life_days)
    done = runs.complete
    rows = []
    for arm in arms:
        if arm.reference is None:
            continue
        reps = sorted(r for v, r in done if v == arm.name and (arm.reference, r) in done)
        for r in reps:
            values = _paired_values(runs, (arm.name, r), (arm.reference, r))
            for metric in REFERENCE_METRICS:
                (value, base), (ref_value, ref_base) = values[metric.name]
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
