"""What the report says, in order: what was run, each figure with its caption, the tables.

Every number comes from `sim.analysis`, the same functions the figures use. What is said
under each figure is `sim.report.captions`; a parameter sweep's outcomes are told by
`sim.report.sweeps`, the trend as a population process by `sim.report.trend`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sim.analysis import (
    POST_METRICS,
    TREND_FIGURES,
    Results,
    event_labels,
    figure_names,
    heading,
    list_text,
    note_account_text,
    posts_summary,
    sentence_case,
    trend_arms,
    variant_scenarios,
    whose,
)
from sim.report.blocks import (
    Block,
    Code,
    Details,
    FigureBlock,
    Heading,
    Items,
    Link,
    Paragraph,
    Table,
    estimate_text,
    estimates,
)
from sim.report.captions import CAPTIONS
from sim.report.comparisons import comparison_blocks
from sim.report.sweeps import points_table, sweep_blocks
from sim.report.trend import trend_blocks


def _posts_table(results: Results) -> Table:
    """Focal posts per variant: mean (95% CI) of each `posts_summary` metric."""
    summary = estimates(posts_summary(results.posts), ["variant", "metric"])
    rows = []
    for variant in results.variants:
        row = [variant]
        for metric in POST_METRICS:
            est = summary.get((variant, metric))
            if est is None:
                row.append("no data")
            elif metric == "primary_reach":
                row.append(estimate_text(est, label_ci=False))
            else:
                row.append(estimate_text(est, scale=1.0, unit="", label_ci=False))
        rows.append(row)
    header = [
        "variant",
        "focal posts per replication",
        "primary reach (% of the author's connections)",
        "impressions per post",
        "engagements per post (likes + comments + shares)",
    ]
    return Table(header, rows)


def _seeds_text(seeds: Any) -> str:
    """The manifest's seeds (by replication), shortened when there are many."""
    values = [str(s) for s in (seeds.values() if isinstance(seeds, dict) else seeds or [])]
    if not values:
        return "not recorded"
    shown = values if len(values) <= 6 else [*values[:3], "…", values[-1]]
    return f"{', '.join(shown)} ({len(values)} in all, one per replication, shared by variants)"


def _wall_text(seconds: Any) -> str:
    """Wall time in minutes and seconds."""
    if not isinstance(seconds, int | float):
        return "not recorded"
    minutes, secs = divmod(float(seconds), 60.0)
    return f"{int(minutes)} min {secs:.0f} s" if minutes else f"{secs:.1f} s"


def _run_blocks(results: Results) -> list[Block]:
    """The "What was run" section."""
    m = results.manifest
    descriptions = m.get("variant_descriptions") or {}
    arms = {a.name: a.description for a in trend_arms(m, results.variants)}
    scenarios = variant_scenarios(m)

    def what_it_does(v: str) -> str:
        """The variant's description, and the account its notes assume."""
        described = str(descriptions.get(v) or (arms.get(v, "") if results.has_trend else ""))
        return "; ".join(t for t in (described, note_account_text(scenarios.get(v, {}))) if t)

    variants = Table(["variant", "what it does"], [[v, what_it_does(v)] for v in results.variants])
    events = "; ".join(label for _, label in event_labels(results)) or "none"
    items = [
        ("replications", f"{results.replications} per variant"),
        ("duration", f"{results.duration_days} simulated days (days 0–{results.last_day})"),
        ("topics", ", ".join(results.topics)),
        ("focus topic", results.focus_topic or "none"),
        ("scripted events", events),
        ("seeds", _seeds_text(m.get("seeds"))),
        ("feedsim version", str(m.get("version", "not recorded"))),
        ("git commit", str(m.get("git_commit", "not recorded"))),
        ("run", f"{m.get('started', '?')} to {m.get('finished', '?')}"),
        ("wall time", _wall_text(m.get("wall_seconds"))),
        ("platform", str(m.get("platform", "not recorded"))),
    ]
    note = (
        "Numbers are means over replications with 95% Student t confidence intervals (for "
        "shares, the t interval on the logit scale, which stays between 0% and 100%); "
        "differences between variants are paired by replication, as the variants of one "
        "replication share their random numbers."
    )
    tables = Paragraph(
        (
            "The tables behind these numbers are in tables/ (Parquet; every column, its unit "
            "and how it is computed: ",
            Link("docs/tables.md", TABLES_DOC),
            " in feedsim's source). Days count from 0; an event on day d happens at the start "
            "of day d.",
        )
    )
    return [Heading("What was run", 2), variants, Items(items), Paragraph(note), tables]


#: The data dictionary, relative to a results folder in the checkout (``results/NAME/``).
TABLES_DOC = "../../docs/tables.md"


_SWEEP_NOTE = (
    "This folder is a parameter sweep: every replication was run at every point of the "
    "grid. The per-variant figures take one run per variant and replication, so they are "
    "not drawn here. Each outcome is shown against the swept values instead: a figure for "
    "one or two swept parameters, a table for more; with two swept parameters, two "
    "variants and focal members, a map of the difference in their reach too."
)


def _figure_blocks(results: Results, name: str) -> list[Block]:
    """The heading, figure, caption (and table) of figure ``name`` (`CAPTIONS`)."""
    told = CAPTIONS[name](results)
    if not isinstance(told, str):
        return told
    title = heading(name, results)
    return [Heading(title, 3), FigureBlock(name, title, told)]


def report_blocks(results: Results, figures: Sequence[str], skipped: bool = False) -> list[Block]:
    """The whole report, in order, placing the drawn ``figures``.

    A figure the folder has data for but that is not among ``figures`` (it failed to
    draw) is named in a paragraph instead, with where its error is written; with
    ``skipped`` (figures left out on purpose) one paragraph says how to draw them. The
    scenario's comparisons, when it lists some, come first (`comparison_blocks`). The focal
    members' results (and their "Results" heading) are left out of a study without focal
    members; the trend's figures go in a section of their own (`trend_blocks`). The fields
    the manifest warns have no effect come first, one line each.
    """
    m = results.manifest
    blocks: list[Block] = [Heading(str(m.get("scenario_name", "feedsim results")), 1)]
    if results.description.strip():
        blocks.append(Paragraph(results.description.strip()))
    blocks += [Paragraph(f"Warning: {line}.") for line in m.get("warnings") or []]
    blocks += _run_blocks(results)
    blocks += comparison_blocks(results)
    names = [n for n in figure_names(results) if n not in TREND_FIGURES]
    missing = [n for n in figure_names(results) if n not in figures]
    not_drawn: list[Block] = []
    if missing and skipped:
        not_drawn.append(
            Paragraph(
                (
                    "Figures not drawn (",
                    Code("feedsim run --no-figures"),
                    "): ",
                    Code("feedsim figures"),
                    " on this folder draws them and rewrites this report.",
                )
            )
        )
    elif missing:
        listed = list_text([f"{heading(n, results)} (figures/{n}.error.txt)" for n in missing])
        not_drawn.append(
            Paragraph(f"Not drawn: {listed}. Redraw with `feedsim figures` once fixed.")
        )
    with_results = results.is_sweep or bool(names) or results.has_focal
    if with_results:
        blocks.append(Heading("Results", 2))
    if results.is_sweep:
        blocks += [Paragraph(_SWEEP_NOTE), points_table(results)]
    for name in names:
        blocks += _figure_blocks(results, name) if name in figures else []
    if results.is_sweep and "sweep_outcomes" not in figure_names(results):
        blocks += sweep_blocks(results, drawn=False)
    if with_results:
        blocks += not_drawn
    if not results.is_sweep and results.has_focal:
        blocks += [
            Heading(f"{sentence_case(whose(results))} posts", 2),
            Paragraph("Per post, mean over replications (95% CI)."),
            _posts_table(results),
        ]
    blocks += trend_blocks(results, figures)
    if not with_results:
        blocks += not_drawn
    blocks += [
        Heading("Manifest", 2),
        Details("manifest.json", json.dumps(m, indent=2, ensure_ascii=False)),
    ]
    return blocks
