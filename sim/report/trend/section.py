"""The section "The trend": its blocks in order, with the answers in one line each."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis import (
    TREND_FIGURES,
    Results,
    TrendArm,
    final_adoption_summary,
    heading,
    list_text,
    trend_arms,
)
from sim.report.blocks import (
    Block,
    FigureBlock,
    Heading,
    Items,
    Paragraph,
    estimate_text,
    estimates,
    per_variant,
)
from sim.report.trend.effects import effects_blocks, reference_effects_of, window_changes_of
from sim.report.trend.feeds import similarity_sentence, sources_sentence
from sim.report.trend.reach import reach_sentence
from sim.report.trend.spread import (
    arms_table,
    centola_paragraph,
    centola_summary,
    shape_rows,
    shape_sentence,
    spread_sentence,
)
from sim.report.trend.words import prose, verdicts

#: The measures compared against the arm without the trend, in the summary's order.
_AGAINST_NO_TREND = (
    "reach_everyone",
    "reach_non_adopters",
    "engagement_everyone",
    "engagement_non_adopters",
)


def _term(name: str, results: Results) -> str:
    """The summary's term for the answer ``name`` (``templates/trend/section.j2``)."""
    return prose("section", "term", name=name, last_day=results.last_day)


def _change_verdicts(changes: pd.DataFrame, measure: str, arms: Sequence[TrendArm]) -> str:
    """How ``measure`` moved from the first to the last complete week in the arms with the
    trend (`verdicts` of a change)."""
    having = {a.name for a in arms if a.has_trend}
    rows = changes[(changes["measure"] == measure) & changes["variant"].isin(having)]
    return verdicts(rows, change=True)


def _summary_items(
    results: Results, arms: Sequence[TrendArm], effects: pd.DataFrame, changes: pd.DataFrame
) -> Items:
    """The section's answers in one line each; the sections below give the numbers."""
    final = estimates(final_adoption_summary(results.adoption), ["variant"])
    spread = [
        (a.name, estimate_text(final[(a.name,)], label_ci=False))
        for a in arms
        if a.has_trend and (a.name,) in final
    ]
    shares = per_variant(spread) if spread else ""
    items = [(_term("spread", results), prose("section", "spread", shares=shares))]
    shapes = shape_rows(results)
    shape_parts = [
        prose(
            "section",
            "s_shaped",
            s_shaped=int(shapes[a.name]["s_shaped"]),
            n=int(shapes[a.name]["n"]),
            arm=a.name,
        )
        for a in arms
        if a.has_trend and a.name in shapes
    ]
    if shape_parts:
        items.append((_term("s_shape", results), list_text(shape_parts)))
    centola = centola_summary(results, arms)
    if centola:
        items.append((_term("centola", results), centola))
    if not effects.empty:
        for name in _AGAINST_NO_TREND:
            items.append((_term(name, results), verdicts(effects[effects["metric"] == name])))
    else:
        for measure in ("reach", "engagement_rate"):
            verdict = _change_verdicts(changes, measure, arms)
            if verdict:
                items.append(
                    (_term(measure, results), prose("section", "over_time", verdicts=verdict))
                )
    return Items(items)


def _figure(name: str, results: Results, caption: str) -> list[Block]:
    """A figure of the section under a heading of its own."""
    title = heading(name, results)
    return [Heading(title, 3), FigureBlock(name, title, caption)]


def trend_blocks(results: Results, figures: Sequence[str]) -> list[Block]:
    """The section "The trend": the arms, the spread, the comparison with the rewired
    network, and what the trend does to reach, engagement and feeds; the drawn ``figures``
    of `TREND_FIGURES` placed in it (a figure not drawn is left out: the report names it)."""
    if not results.has_trend:
        return []
    arms = trend_arms(results.manifest, results.variants)
    drawn = [n for n in TREND_FIGURES if n in figures]
    effects = reference_effects_of(results, arms)
    changes = window_changes_of(results)
    blocks: list[Block] = [
        Heading(prose("section", "title"), 2),
        Paragraph(prose("section", "intro")),
        arms_table(results, arms),
        Paragraph(prose("section", "in_short")),
        _summary_items(results, arms, effects, changes),
    ]
    if "trend_adoption" in drawn:
        sentences = (spread_sentence(results, arms), shape_sentence(results, arms))
        blocks += _figure("trend_adoption", results, " ".join(s for s in sentences if s))
    centola = centola_paragraph(results, arms)
    if centola:
        blocks.append(Paragraph(centola))
    if "trend_reach" in drawn:
        blocks += _figure("trend_reach", results, reach_sentence(results, arms))
    blocks.append(Heading(heading("trend_reach_vs_adoption", results), 3))
    blocks += effects_blocks(results, arms, effects, changes, "trend_reach_vs_adoption" in drawn)
    if "trend_feed_sources" in drawn:
        blocks += _figure("trend_feed_sources", results, sources_sentence(results))
    if "trend_feed_similarity" in drawn:
        blocks += _figure("trend_feed_similarity", results, similarity_sentence(results, effects))
    return blocks
