"""What the report says of the differences between variants: the scenario's comparisons
first, the focus-topic and forest tables, and whether the run had replications enough.

Every number is `sim.analysis.compare` (or `paired_differences` for the focus topic), the
functions the figures ``focus_effect`` and ``effects_forest`` draw from; every difference
reads arm minus reference. Below the replications a useful interval takes
(`sim.analysis.replications_needed`: a 95% interval 5 pp wide for a share, 10% of the
reference's mean for a count), a sentence says so, and how many would do.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from sim.analysis import (
    FOREST_METRICS,
    TARGET_RELATIVE_WIDTH,
    TARGET_SHARE_WIDTH,
    Metric,
    Results,
    compare,
    comparison_outcomes,
    first_against_others,
    heading,
    level_text,
    list_text,
    metric_title,
    other_pairs,
    short_rows,
    shown_pairs,
    whose,
    with_needed,
)
from sim.report.blocks import (
    Block,
    Code,
    Collapsed,
    Estimate,
    FigureBlock,
    Heading,
    Paragraph,
    Table,
    estimate_text,
)

#: The rule of a useful interval, in words.
TARGET_RULE = (
    f"a 95% interval at most {100 * TARGET_SHARE_WIDTH:g} percentage points wide for a share, "
    f"{100 * TARGET_RELATIVE_WIDTH:g}% of the reference's mean for a count"
)


def effect_text(metric: Metric, est: Estimate, label_ci: bool) -> str:
    """A paired difference in the metric's display unit."""
    scale = 100.0 if metric.percent else 1.0
    decimals = 2 if abs(scale * est.mean) < (1 if metric.percent else 10) else 1
    unit = " pp" if metric.percent else ""
    return estimate_text(
        est, scale=scale, unit=unit, signed=True, label_ci=label_ci, decimals=decimals
    )


def _estimate(row: pd.Series) -> Estimate:
    return Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))


def needed_text(row: pd.Series) -> str:
    """The replications a useful interval would take, or why that cannot be said."""
    if pd.isna(row["needed"]):
        return "one replication: no spread" if int(row["n"]) < 2 else "no target"
    return f"{int(row['needed']):,}"


def _width_text(metric: Metric, row: pd.Series) -> str:
    """How wide an interval is, in the metric's unit of a difference."""
    width = float(row["hi"]) - float(row["lo"])
    if metric.percent:
        return f"{100 * width:.1f} percentage points"
    return f"{width:,.2f} {metric.unit}"


def precision_sentence(
    frame: pd.DataFrame,
    outcomes: dict[str, Metric],
    replications: int,
    place: Callable[[pd.Series], str] | None = None,
    in_table: bool = True,
) -> str:
    """Whether the run had replications enough for its paired differences, and if not how
    many would do.

    ``frame``: rows shaped like `compare`'s (``outcome, a, b, mean, lo, hi, n, target,
    needed``). Empty when every interval meets its target (`TARGET_RULE`). The widest
    interval is the one furthest beyond its target; the number of replications that
    would do is the largest ``needed`` (each row's own number is in the tables).
    ``place``: words placing a row (``at platform.ranker = random``), for sweeps;
    ``in_table``: the report's table gives each row's number.
    """
    valid = frame[frame["mean"].notna()]
    if valid.empty:
        return ""
    if (valid["n"] < 2).all():
        return (
            f"With {replications} replication{'s' if replications != 1 else ''} per variant "
            "no difference has an interval: its spread is unknown. Two replications give an "
            "interval; how many give a useful one (" + TARGET_RULE + ") depends on the spread."
        )
    short = short_rows(valid)
    if short.empty:
        return ""
    ratio = (short["hi"] - short["lo"]) / short["target"]
    widest = short.iloc[int(ratio.to_numpy(dtype=float).argmax())]
    metric = outcomes[str(widest["outcome"])]
    title = metric_title(metric, float(widest.get("day", math.nan)))
    where = f" {place(widest)}" if place is not None else ""
    table = " (each one's number is in the table)" if in_table else ""
    return (
        f"With {replications} replications per variant, {len(short)} of these {len(valid)} "
        f"intervals are wider than useful ({TARGET_RULE}): the widest, {widest['b']} minus "
        f"{widest['a']} in {title[0].lower() + title[1:]}{where}, spans "
        f"{_width_text(metric, widest)}. At the spread between this run's replications, "
        f"{int(short['needed'].max()):,} replications per variant would bring every one "
        f"within its target{table}: raise the scenario's replications, or pass "
        "--replications. The spread is itself estimated from few replications, so the "
        "number is a guide."
    )


def _cells(metric: Metric, row: pd.Series) -> list[str]:
    """``comparison, outcome, unit, reference's mean, difference, n, replications needed``
    of one row of `compare`; a missing difference gives its reason instead."""
    missing = math.isnan(float(row["mean"]))
    return [
        f"{row['b']} minus {row['a']}",
        metric_title(metric, float(row["day"])),
        metric.difference_unit,
        level_text(metric, float(row["level"])),
        str(row["reason"]) if missing else effect_text(metric, _estimate(row), False),
        str(int(row["n"])),
        "" if missing else needed_text(row),
    ]


def _rows(frame: pd.DataFrame, outcomes: list[Metric]) -> list[list[str]]:
    """Table rows of `compare`: pair by pair in the given order, each outcome in order."""
    by_name = {m.name: m for m in outcomes}
    pairs = list(dict.fromkeys(zip(frame["a"], frame["b"], strict=True)))
    return [
        _cells(by_name[str(row["outcome"])], row)
        for a, b in pairs
        for _, row in frame[(frame["a"] == a) & (frame["b"] == b)].iterrows()
    ]


def _header(reference: str = "reference") -> list[str]:
    return [
        "comparison",
        "outcome",
        "unit of the difference",
        f"{reference} (mean)",
        "mean difference (95% CI)",
        "paired replications",
        "replications for a useful interval",
    ]


def comparison_blocks(results: Results) -> list[Block]:
    """The section the report leads with when the scenario lists ``comparisons``.

    Every outcome the report names (`comparison_outcomes`) for each comparison, arm minus
    reference, paired by replication; where a difference is missing, why; whether the
    replications were enough (`precision_sentence`); then the other pairs of variants,
    collapsed. Nothing for a scenario without comparisons, a sweep (its outcomes are
    differenced by the same pairs in `sim.report.sweeps`) or a study without focal members.
    """
    if not results.comparisons or results.is_sweep or not results.has_focal:
        return []
    outcomes = comparison_outcomes(results)
    frame = compare(results, results.comparisons)
    named = list_text([f"{b} minus {a}" for a, b in results.comparisons])
    intro = (
        f"The comparisons the scenario lists, {named}: each outcome of {whose(results)} "
        "posts, feed, connections and new ties as the arm minus its reference, paired by "
        "replication (the arms of one replication share their random numbers), mean and "
        "95% confidence interval. The never-heard-from share is read at the same number of "
        "days after acceptance in both arms: 90, or less when an arm's ties were followed "
        "for less."
    )
    blocks: list[Block] = [
        Heading("Comparisons", 2),
        Paragraph(intro),
        Table(_header(), _rows(frame, outcomes)),
    ]
    sentence = precision_sentence(frame, {m.name: m for m in outcomes}, results.replications)
    if sentence:
        blocks.append(Paragraph(sentence))
    others = other_pairs(results)
    if others:
        rest = compare(results, others)
        blocks += [
            Heading("Other comparisons", 3),
            Paragraph(
                (
                    "The other pairs of variants, which the scenario does not list; the "
                    "figures draw them too with ",
                    Code("feedsim figures DIR --all-pairs"),
                    ".",
                )
            ),
            Collapsed(
                f"{len(others)} other pair{'s' if len(others) != 1 else ''}",
                Table(_header(), _rows(rest, outcomes)),
            ),
        ]
    return blocks


def _missing_note(metric: Metric, rows: pd.DataFrame) -> str:
    """Why a metric has no paired difference for any of its pairs (`compare`'s rows): no
    arm has what it needs, or each pair's own reason."""
    if not (rows["a_has"].astype(bool).any() or rows["b_has"].astype(bool).any()):
        arms = list(dict.fromkeys([*rows["a"], *rows["b"]]))
        return f"no replication of {list_text(arms)} has {metric.needs}"
    return "; ".join(dict.fromkeys(rows["reason"]))


def forest_blocks(results: Results) -> list[Block]:
    """Heading, figure, sentence and table of every effect of `effects_forest`.

    The pairs are the figure's (`shown_pairs`: the scenario's comparisons, or every
    variant against the first). A metric without any paired difference gets no rows; a
    note names it and says why (`sim.analysis.missing_reason`).
    """
    pairs = shown_pairs(results, first_against_others(results.variants))
    effects = compare(results, pairs)
    effects = effects[effects["outcome"].isin([m.name for m in FOREST_METRICS])]
    rows: list[list[str]] = []
    missing: dict[str, list[str]] = {}
    for metric in FOREST_METRICS:
        mine = effects[effects["outcome"] == metric.name]
        if mine["mean"].isna().all():
            missing.setdefault(_missing_note(metric, mine), []).append(
                metric.title[0].lower() + metric.title[1:]
            )
            continue
        for _, row in mine.iterrows():
            comparison, title, *rest = _cells(metric, row)
            rows.append([title, rest[0], comparison, *rest[1:]])
    references = list(dict.fromkeys(a for a, _ in pairs))
    reference = references[0] if len(references) == 1 else "reference"
    examples: list[str] = []
    if pairs:
        a, b = pairs[0]
        first = effects[(effects["a"] == a) & (effects["b"] == b)]
        rows_by = {str(row["outcome"]): row for _, row in first.iterrows()}
        for name in ("viewers_per_post", "peer_share", "engagement_rate"):
            metric = next(m for m in FOREST_METRICS if m.name == name)
            if name in rows_by and not math.isnan(float(rows_by[name]["mean"])):
                est = _estimate(rows_by[name])
                unit = "" if metric.percent else f" {metric.unit}"
                examples.append(
                    f"{metric.title.lower()} by {effect_text(metric, est, not examples)}{unit}"
                )
    if results.comparisons:
        sentence = (
            "The scenario's comparisons, arm minus reference, paired by replication, for "
            f"eight metrics of {whose(results)} posts, connections and new ties"
        )
    else:
        sentence = (
            f"Each strategy against {reference}, paired by replication, for eight metrics of "
            f"{whose(results)} posts, connections and new ties"
        )
    if examples:
        sentence += f": {pairs[0][1]} changed {list_text(examples)}"
        if results.comparisons:
            sentence += f" against {pairs[0][0]}"
    sentence += "; the table lists every effect."
    header = _header(reference)
    table = Table(["metric", header[2], header[0], *header[3:]], rows)
    title = heading("effects_forest", results)
    blocks: list[Block] = [Heading(title, 3), FigureBlock("effects_forest", title, sentence), table]
    for reason, titles in missing.items():
        blocks.append(Paragraph(f"No paired difference for {list_text(titles)}: {reason}."))
    outcomes = {m.name: m for m in FOREST_METRICS}
    precision = precision_sentence(effects, outcomes, results.replications)
    return blocks + ([Paragraph(precision)] if precision else [])


def focus_precision(results: Results, diffs: pd.DataFrame) -> tuple[list[str], list[Block]]:
    """The focus topic's paired differences (``diffs``, as `paired_differences` gives
    them): each one's replications for a useful interval (`needed_text`, in order), and
    `precision_sentence` as a paragraph when there is something to say."""
    share = comparison_outcomes(results)[0]
    frame = with_needed(diffs, True, [math.nan] * len(diffs)).assign(outcome=share.name)
    needed = [
        "" if math.isnan(float(row["mean"])) else needed_text(row) for _, row in frame.iterrows()
    ]
    sentence = precision_sentence(frame, {share.name: share}, results.replications)
    return needed, [Paragraph(sentence)] if sentence else []
