"""What the trend does to everyone's reach and engagement, over time and against no trend."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import pandas as pd

from sim.analysis import (
    REFERENCE_BASES,
    REFERENCE_METRICS,
    Metric,
    Results,
    TrendArm,
    against_reference,
    complete_weeks,
    heading,
    post_life_days,
    reference_effects,
    trend_windows,
    window_changes,
)
from sim.report.blocks import Block, Estimate, FigureBlock, Paragraph, Table, estimate_text
from sim.report.trend.words import (
    count_text,
    level_text,
    metric_text,
    prose,
    replications_text,
    row_estimate,
    verdicts,
    with_note,
)

#: The measures compared against the arm without the trend in the section's sentences.
_SENTENCE_METRICS = (
    "reach_everyone",
    "reach_non_adopters",
    "engagement_everyone",
    "engagement_non_adopters",
)


def reference_effects_of(results: Results, arms: Sequence[TrendArm]) -> pd.DataFrame:
    """`reference_effects` of the results: every arm with the trend against its reference."""
    life = post_life_days(results.manifest)
    per_rep = against_reference(
        results.posts, results.population, results.adoption, arms, results.duration_days, life
    )
    return reference_effects(per_rep)


def window_changes_of(results: Results) -> pd.DataFrame:
    """`window_changes` of the results: first against last complete week, per arm."""
    life = post_life_days(results.manifest)
    windows = trend_windows(
        results.posts, results.population, results.adoption, results.duration_days, life
    )
    return window_changes(windows)


def _window_arm(
    arm: TrendArm,
    share: Mapping[Hashable, Any],
    reach: Mapping[Hashable, Any],
    rate: Mapping[Hashable, Any],
    first: bool,
) -> str:
    """One arm's share following the trend, reach and engagement per impression, first
    against last complete week (rows of `window_changes`); ``first``: the first arm named."""
    reach_change = estimate_text(
        Estimate(reach["mean"], reach["lo"], reach["hi"], reach["n"]),
        scale=1.0,
        unit=" viewers per post",
        signed=True,
        label_ci=first,
    )
    rate_change = estimate_text(
        Estimate(rate["mean"], rate["lo"], rate["hi"], rate["n"]),
        unit=" pp",
        signed=True,
        label_ci=False,
        decimals=2,
    )
    posts, views = (
        prose(
            "effects",
            "per_replication",
            first=count_text(row["first_base"]),
            last=count_text(row["last_base"]),
            unit=unit,
        )
        for row, unit in ((reach, "posts"), (rate, "impressions"))
    )
    return prose(
        "effects",
        "window_arm",
        arm=arm.name,
        has_trend=arm.has_trend,
        share=share,
        reach=reach,
        rate=rate,
        reach_change=with_note(reach_change, posts),
        rate_change=with_note(rate_change, views),
    )


def windows_sentence(results: Results, arms: Sequence[TrendArm], changes: pd.DataFrame) -> str:
    """Everyone's reach and engagement per impression in the first and in the last complete
    week of each arm, as the share following the trend rose (`window_changes_of`)."""
    life = post_life_days(results.manifest)
    rows = {(str(r["variant"]), str(r["measure"])): r for r in changes.to_dict("records")}
    (f0, f1), (l0, l1) = complete_weeks(results.duration_days, life).values()
    days = {"f0": f0, "f1": f1, "l0": l0, "l1": l1}
    if l0 <= f1:
        return prose("effects", "too_short", life=life, days=results.duration_days, **days)
    parts: list[str] = []
    for arm in arms:
        share, reach = rows.get((arm.name, "adopter_share")), rows.get((arm.name, "reach"))
        rate = rows.get((arm.name, "engagement_rate"))
        if share is not None and reach is not None and rate is not None:
            parts.append(_window_arm(arm, share, reach, rate, not parts))
    if not parts:
        return ""
    baseline = any(not a.has_trend for a in arms)
    return prose("effects", "windows", life=life, arms=parts, baseline=baseline, **days)


def _effect_phrase(metric: Metric, row: pd.Series, label_ci: bool) -> str:
    """``-4.8 viewers per post (95% CI ...; 42 posts a replication against 44)``."""
    base = prose(
        "effects",
        "base",
        base=count_text(row["base"]),
        unit=REFERENCE_BASES[metric.name],
        reference_base=count_text(row["reference_base"]),
    )
    text = metric_text(metric, row_estimate(row), True, label_ci)
    if not metric.percent:
        number, _, rest = text.partition(" ")
        text = f"{number} {metric.unit} {rest}".strip()
    return with_note(text, base)


def _effects_paragraph(arms: Sequence[TrendArm], effects: pd.DataFrame) -> str:
    """Every paired difference in reach and engagement against the arm without the trend,
    with which arms it puts lower or higher."""
    by_metric = {m.name: m for m in REFERENCE_METRICS}
    measures = []
    for name in _SENTENCE_METRICS:
        rows = effects[effects["metric"] == name]
        phrases = [
            prose(
                "effects",
                "effect",
                phrase=_effect_phrase(by_metric[name], row, label_ci=i == 0),
                arm=row["variant"],
            )
            for i, (_, row) in enumerate(rows.iterrows())
        ]
        measures.append(
            prose("effects", "measure_effects", name=name, effects=phrases, verdicts=verdicts(rows))
        )
    return prose(
        "effects",
        "intro",
        pairs=[
            prose("effects", "pair", arm=a.name, reference=a.reference) for a in arms if a.reference
        ],
        alone=[a.name for a in arms if a.has_trend and a.reference is None],
        replications=replications_text(int(effects["n"].max())),
        measures=measures,
    )


def effects_blocks(
    results: Results,
    arms: Sequence[TrendArm],
    effects: pd.DataFrame,
    changes: pd.DataFrame,
    drawn: bool,
) -> list[Block]:
    """What the trend does to everyone: how reach and engagement per impression moved as
    it spread (the caption of ``trend_reach_vs_adoption`` when it is ``drawn``), and every
    paired difference against the arm without the trend, with a table."""
    over_time = windows_sentence(results, arms, changes)
    blocks: list[Block] = []
    if drawn:
        blocks.append(
            FigureBlock(
                "trend_reach_vs_adoption",
                heading("trend_reach_vs_adoption", results),
                prose("effects", "reach_vs_adoption", over_time=over_time),
            )
        )
    elif over_time:
        blocks.append(Paragraph(over_time))
    if effects.empty:
        return [*blocks, Paragraph(prose("effects", "no_reference"))]
    life = post_life_days(results.manifest)
    return [
        *blocks,
        Paragraph(_effects_paragraph(arms, effects)),
        _effects_table(effects),
        Paragraph(prose("effects", "caveat", life=life)),
    ]


def _effects_table(effects: pd.DataFrame) -> Table:
    """Every `REFERENCE_METRICS` difference: levels, difference, base and replications."""
    rows = []
    for metric in REFERENCE_METRICS:
        for _, row in effects[effects["metric"] == metric.name].iterrows():
            unit = REFERENCE_BASES[metric.name]
            rows.append(
                [
                    metric.title,
                    metric.unit,
                    f"{row['variant']} minus {row['reference']}",
                    level_text(metric, row["value"]),
                    level_text(metric, row["reference_value"]),
                    metric_text(metric, row_estimate(row), True, False),
                    f"{count_text(row['base'])} against {count_text(row['reference_base'])} {unit}",
                    str(int(row["n"])),
                ]
            )
    header = [
        "measure",
        "unit",
        "comparison",
        "with the trend (mean)",
        "without (mean)",
        "difference (95% CI)",
        "rests on, per replication",
        "paired replications",
    ]
    return Table(header, rows)
