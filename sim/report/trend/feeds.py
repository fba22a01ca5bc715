"""What the trend does to feeds in the trend section: sources, similarity and concentration."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis import (
    REFERENCE_METRICS,
    TREND_PERIODS,
    Results,
    gini_summary,
    non_adopter_sources,
    similarity_last_week,
    summarise,
    trend_periods,
)
from sim.report.blocks import estimate_text, estimates
from sim.report.trend.words import (
    count_text,
    level_text,
    metric_text,
    prose,
    row_estimate,
    verdicts,
)


def sources_sentence(results: Results) -> str:
    """The peer and stranger shares of non-adopters' feeds, first against last week."""
    shares = non_adopter_sources(results.population, results.duration_days)
    ests = estimates(shares, ["variant", "period", "group"])
    base = shares.groupby(["variant", "period"], sort=False)["impressions"].first()
    first, last = TREND_PERIODS
    periods = trend_periods(results.duration_days)
    parts: list[str] = []
    for v in results.variants:
        texts: list[str] = []
        for group in ("peer", "stranger"):
            a, b = ests.get((v, first, group)), ests.get((v, last, group))
            if a is None or b is None:
                continue
            label = not parts and not texts
            texts.append(
                prose(
                    "feeds",
                    "source",
                    group=group,
                    first=estimate_text(a, label_ci=label),
                    last=estimate_text(b, label_ci=False),
                )
            )
        if texts:
            impressions = prose(
                "effects",
                "per_replication",
                first=count_text(float(base.get((v, first), math.nan))),
                last=count_text(float(base.get((v, last), math.nan))),
                unit="impressions",
            )
            parts.append(
                prose("feeds", "sources_arm", arm=v, sources=texts, impressions=impressions)
            )
    (f0, f1), (l0, l1) = periods[first], periods[last]
    return prose(
        "feeds", "sources", f0=f0, f1=f1, l0=l0, l1=l1, days=results.duration_days, arms=parts
    )


def _differences(effects: pd.DataFrame) -> str:
    """Feed similarity and the Gini, with the trend minus without (`reference_effects`):
    a sentence for each that has rows, each after a space ("" without any)."""
    text = ""
    for metric in REFERENCE_METRICS:
        if metric.name not in ("feed_similarity", "gini"):
            continue
        rows = effects[effects["metric"] == metric.name]
        if rows.empty:
            continue
        phrases = [
            prose(
                "feeds",
                "difference",
                difference=metric_text(metric, row_estimate(r), True, i == 0),
                arm=r["variant"],
                value=level_text(metric, r["value"]),
                reference_value=level_text(metric, r["reference_value"]),
            )
            for i, (_, r) in enumerate(rows.iterrows())
        ]
        text += " " + prose(
            "feeds", "differences", title=metric.title, differences=phrases, verdicts=verdicts(rows)
        )
    return text


def similarity_sentence(results: Results, effects: pd.DataFrame) -> str:
    """Feed similarity over the last week and the Gini of engagements per creator, with
    their paired differences against the arm without the trend (`reference_effects`)."""
    ginis = gini_summary(results.posts)
    gini_parts = [
        prose(
            "feeds",
            "gini_arm",
            gini=estimate_text(row_estimate(r), scale=1.0, unit="", decimals=3, label_ci=i == 0),
            arm=r["variant"],
            creators=count_text(r["creators"]),
        )
        for i, (_, r) in enumerate(ginis.iterrows())
    ]
    first, last = trend_periods(results.duration_days)[TREND_PERIODS[1]]
    similarity = estimates(
        summarise(
            similarity_last_week(results.adoption, results.duration_days),
            "feed_similarity",
            ["variant"],
        ),
        ["variant"],
    )
    similarity_parts = [
        prose(
            "feeds",
            "similarity_arm",
            similarity=estimate_text(
                similarity[(v,)], scale=1.0, unit="", decimals=3, label_ci=i == 0
            ),
            arm=v,
        )
        for i, v in enumerate([v for v in results.variants if (v,) in similarity])
    ]
    text = prose(
        "feeds",
        "similarity",
        first=first,
        last=last,
        similarities=similarity_parts,
        ginis=gini_parts,
    )
    return text + _differences(effects)
