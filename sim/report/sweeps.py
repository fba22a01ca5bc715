"""What the report says about a parameter sweep: every outcome against the swept values.

The numbers are `sim.analysis.sweep_outcomes`, the frame the ``sweep_outcomes`` figure
draws. One or two swept parameters: a caption and a sentence per outcome; more: a table.
Every sentence says how many runs its values rest on; the trend's outcomes also what else
(members, posts or impressions per run); when a paired difference's interval is wider than
useful, a sentence says how many replications would do (`precision_sentence`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.analysis import (
    RUN_BASES,
    Metric,
    Results,
    heading,
    identical_groups,
    list_text,
    numeric_values,
    parameter_name,
    runs_text,
    sweep_has_trend,
    sweep_life_days,
    sweep_outcome_list,
    sweep_outcomes,
    who,
)
from sim.report.blocks import (
    Block,
    Estimate,
    FigureBlock,
    Heading,
    Paragraph,
    Table,
    estimate_text,
    median_session_sentence,
)
from sim.report.comparisons import precision_sentence

_DECIMALS = 1


def _text(outcome: Metric, row: pd.Series, difference: bool) -> str:
    """A level or a difference with its interval, in the outcome's display unit."""
    est = Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))
    if outcome.percent:
        unit = " pp" if difference else "%"
        return estimate_text(est, unit=unit, signed=difference, label_ci=False)
    return estimate_text(est, scale=1.0, unit="", signed=difference, label_ci=False)


def _value(value: object) -> str:
    """A swept value as typed."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _trend(first: float, last: float, scale: float) -> str:
    """``rises``, ``falls`` or ``stays`` from the first to the last value (as displayed)."""
    a, b = round(scale * first, _DECIMALS), round(scale * last, _DECIMALS)
    return "rises" if b > a else "falls" if b < a else "stays"


def _series_sentence(outcome: Metric, rows: pd.DataFrame, column: str, name: str) -> str:
    """How one series changes from the first to the last swept value (numbers), its value
    at each swept value in the order given (categories such as ranker presets), or its value
    at the one value of a one-point sweep."""
    categories = not numeric_values(list(rows[column]))
    rows = rows.dropna(subset=["mean"])
    rows = rows.sort_values("point") if categories else rows.sort_values(column, key=_sort_key)
    if rows.empty:
        return f"{name}: no data"
    difference = rows["kind"].iloc[0] == "difference"
    first, last = rows.iloc[0], rows.iloc[-1]
    scale = 100.0 if outcome.percent else 1.0
    trend = _trend(float(first["mean"]), float(last["mean"]), scale)
    if len(rows) == 1:
        subject = f"{name}:" if difference else f"under {name} it is"
        text = f"{subject} {_text(outcome, first, difference)} at {_value(first[column])}"
        if difference:
            excluded = bool(first["lo"] > 0 or first["hi"] < 0)
            text += f", its 95% CI {'excluding' if excluded else 'including'} 0"
        return text
    if categories:
        values = ", ".join(
            f"{_text(outcome, row, difference)} at {_value(row[column])}"
            for _, row in rows.iterrows()
        )
        text = f"{name}: {values}" if difference else f"under {name} {values}"
    elif trend == "stays":
        subject = f"{name}:" if difference else f"under {name} it"
        text = (
            f"{subject} stays at {_text(outcome, first, difference)} from "
            f"{_value(first[column])} to {_value(last[column])}"
        )
    else:
        subject = f"{name}:" if difference else f"under {name} it"
        text = (
            f"{subject} {trend} from {_text(outcome, first, difference)} at "
            f"{_value(first[column])} to {_text(outcome, last, difference)} at "
            f"{_value(last[column])}"
        )
    if difference:
        decided = int(((rows["lo"] > 0) | (rows["hi"] < 0)).sum())
        text += f", its 95% CI excluding 0 at {decided} of {len(rows)} values"
    return text


def _rests_on(outcome: Metric, rows: pd.DataFrame) -> str:
    """What the values of one outcome rest on: runs per variant and per paired difference,
    and for the trend's outcomes the members, posts or impressions per run (`RUN_BASES`:
    the least and the largest mean per run over the variants and values)."""
    text = f"each value rests on {runs_text(rows)} per variant"
    if rows.loc[rows["kind"] == "difference", "mean"].notna().any():
        text += f" and {runs_text(rows, 'difference')} per difference"
    unit = RUN_BASES.get(outcome.name)
    bases = rows["base"].dropna() if "base" in rows.columns else pd.Series(dtype=float)
    if unit is not None and not bases.empty:
        lo, hi = float(bases.min()), float(bases.max())
        count = f"{lo:,.0f}" if round(lo) == round(hi) else f"{lo:,.0f}–{hi:,.0f}"
        text += f", on {count} {unit} per run"
    return text


def _subject(results: Results) -> str:
    """Whose outcomes the sweep reports: the focal members', the trend's or both."""
    if not sweep_has_trend(results):
        return who(results)
    if results.has_focal:
        return f"{who(results)} and of the trend over all members"
    return "the trend over all members"


def _trend_paragraph(results: Results) -> list[Paragraph]:
    """The words of the trend's outcomes, when the sweep has them."""
    if not sweep_has_trend(results):
        return []
    life = sweep_life_days(results)
    return [
        Paragraph(
            "The trend's outcomes are those of each run: the share of members following the "
            "trend at its last snapshot; viewers per post (impressions) of the posts whose "
            f"whole life in the feed ({life:g} days, the platform's max age of a post) lies "
            "inside the run, of all authors and of the run's non-adopters (authors with no "
            "post written while following the trend); engagements per impression of all "
            "viewers. In an arm without the trend every author is a non-adopter, so a "
            "difference in the non-adopters' reach against it compares different authors "
            "(the report of feedsim run compares the same authors)."
        )
    ]


def _ablation(variant: str, reference: str, variants: Sequence[str]) -> bool:
    """Whether ``reference`` reads as an ablation of ``variant``: it is not the first
    variant and its name is ``variant``'s with a suffix (``accept-100-it`` and
    ``accept-100-it-no-connection-term``). Other later pairs (``complex`` and ``simple``)
    differ in kind, not by something switched off."""
    return bool(reference) and reference != variants[0] and reference.startswith(f"{variant}-")


def _sort_key(values: pd.Series) -> pd.Series:
    """Sort swept values numerically where they are numbers, else as text."""
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers if numbers.notna().all() else values.astype(str)


def _one_parameter_sentences(results: Results, frame: pd.DataFrame) -> list[str]:
    """A sentence per outcome: each variant, then each paired difference, first to last."""
    column = results.sweep_parameters[0]
    sentences = []
    for outcome in sweep_outcome_list(results):
        mine = frame[frame["outcome"] == outcome.name]
        if mine["mean"].isna().all():
            sentences.append(f"{outcome.title}: no data at any value.")
            continue
        parts = []
        identical = identical_groups(
            mine[mine["kind"] == "variant"].sort_values(["series", "point"]),
            "series",
            ["mean", "lo", "hi"],
        )
        repeated = {v for group in identical for v in group[1:]}
        for series, rows in mine.groupby("series", sort=False):
            if series in repeated:
                continue
            name = str(series)
            group = next((g for g in identical if g[0] == name), None)
            if group:
                name = f"{list_text(group)} (identical)"
            reference = str(rows["a"].iloc[0])
            if _ablation(str(rows["b"].iloc[0]), reference, results.variants):
                name += f" (what is switched off in {reference} adds)"
            parts.append(_series_sentence(outcome, rows, column, name))
        values = list(mine[column])
        against = "against" if numeric_values(values) else "by"
        sentences.append(
            f"{outcome.title} {against} {parameter_name(column)}: "
            f"{'; '.join(parts)}; {_rests_on(outcome, mine)}."
        )
    return sentences


def _two_parameter_sentences(results: Results, frame: pd.DataFrame) -> list[str]:
    """A sentence per outcome and series: its smallest and largest value over the grid."""
    px, py = results.sweep_parameters[:2]
    kind = "difference" if (frame["kind"] == "difference").any() else "variant"
    sentences = []
    for outcome in sweep_outcome_list(results):
        mine = frame[(frame["outcome"] == outcome.name) & (frame["kind"] == kind)]
        for series, rows in mine.groupby("series", sort=False):
            rows = rows.dropna(subset=["mean"]).sort_values("mean", kind="stable")
            if rows.empty:
                continue
            low, high = rows.iloc[0], rows.iloc[-1]
            diff = kind == "difference"

            def at(row: pd.Series) -> str:
                x, y = parameter_name(px), parameter_name(py)
                return f"{x} = {_value(row[px])}, {y} = {_value(row[py])}"

            text = (
                f"{outcome.title}, {series}: from {_text(outcome, low, diff)} at {at(low)} "
                f"to {_text(outcome, high, diff)} at {at(high)}"
            )
            if diff:
                decided = int(((rows["lo"] > 0) | (rows["hi"] < 0)).sum())
                text += f"; the 95% CI excludes 0 at {decided} of {len(rows)} points"
            sentences.append(f"{text}; {_rests_on(outcome, rows)}.")
    return sentences


def _grid_table(results: Results, frame: pd.DataFrame) -> Table:
    """Every point and series (variants, then paired differences), an outcome per column."""
    params = results.sweep_parameters
    outcomes = [o for o in sweep_outcome_list(results)]
    header = [*(parameter_name(p) for p in params), "variant or difference"]
    header += [f"{o.title} ({'%' if o.percent else o.unit})" for o in outcomes]
    rows = []
    keyed = frame.set_index(["outcome", "series", "point"])
    series_order = list(pd.unique(frame["series"]))
    points = frame[["point", *params]].drop_duplicates().sort_values("point")
    for point in points.itertuples(index=False):
        for series in series_order:
            row = [_value(v) for v in point[1:]] + [str(series)]
            for o in outcomes:
                key = (o.name, series, point[0])
                if key not in keyed.index:
                    row.append("no data")
                    continue
                est = keyed.loc[key]  # type: ignore[index]
                diff = est["kind"] == "difference"
                ok = not math.isnan(float(est["mean"]))
                row.append(_text(o, est, diff) if ok else "no data")
            rows.append(row)
    return Table(header, rows)


def sweep_blocks(results: Results, drawn: bool) -> list[Block]:
    """The report's section on the outcomes of a sweep (figure and sentences, or a table).

    Args:
        results: a sweep's results.
        drawn: whether the ``sweep_outcomes`` figure was drawn (one or two parameters).
    """
    frame = sweep_outcomes(results)
    title = heading("sweep_outcomes", results)
    intro = (
        f"Outcomes of {_subject(results)} at each swept value: per variant (at each value "
        f"the mean of its {runs_text(frame)}, one per replication; 95% CI), and the "
        "differences between variants paired by replication (common random numbers; pp: "
        "percentage points)."
    )
    n = len(results.sweep_parameters)
    median = median_session_sentence(results.manifest)
    sessions = [Paragraph(median)] if median else []
    trend = _trend_paragraph(results)
    precision = _precision(results, frame)
    if n > 2 or not drawn:
        table = _grid_table(results, frame)
        return [Heading(title, 3), Paragraph(intro), table, *precision, *trend, *sessions]
    sentences = (
        _one_parameter_sentences(results, frame)
        if n == 1
        else _two_parameter_sentences(results, frame)
    )
    blocks: list[Block] = [Heading(title, 3), FigureBlock("sweep_outcomes", title, intro)]
    blocks += [Paragraph(s) for s in sentences]
    return blocks + precision + trend + sessions


def _precision(results: Results, frame: pd.DataFrame) -> list[Block]:
    """`precision_sentence` of the paired differences at every point, as a paragraph when
    some interval is wider than useful."""
    params = results.sweep_parameters

    def place(row: pd.Series) -> str:
        values = ", ".join(f"{parameter_name(p)} = {_value(row[p])}" for p in params)
        return f"at {values}" if values else ""

    diffs = frame[frame["kind"] == "difference"]
    outcomes = {o.name: o for o in sweep_outcome_list(results)}
    sentence = precision_sentence(diffs, outcomes, results.replications, place, in_table=False)
    return [Paragraph(sentence)] if sentence else []


def points_table(results: Results) -> Table:
    """The points of the grid: each point's number and the value of every swept path."""
    points = [p for p in results.manifest.get("points") or [] if isinstance(p, dict)]
    paths = [parameter_name(c) for c in results.sweep_parameters]
    rows = []
    for p in points:
        values = p.get("parameters") or {}
        rows.append([str(p.get("point", "")), *(_value(values.get(path, "")) for path in paths)])
    return Table(["point", *paths], rows)
