"""The report of a sensitivity analysis (``feedsim sensitivity``): which parameters decide
each claim and where in the sampled space it holds, as ``report.md`` and ``report.html``.

It is built of the blocks every report is made of (`sim.report.blocks`) and written by the
same renderer (`sim.report.render`), the HTML self-contained with its figures inlined. It
plots nothing: the figures are drawn by `sim.figures.sensitivity` and named to
`write_sensitivity_report` as data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.assumptions import ASSUMPTIONS
from sim.params import axis_label
from sim.report.blocks import (
    Block,
    Bullets,
    Code,
    FigureBlock,
    Heading,
    Link,
    Paragraph,
    Span,
    Strong,
    Table,
    Text,
)
from sim.report.render import html_page, markdown
from sim.sensitivity.emulator import READABLE_Q2
from sim.sensitivity.outcomes import Outcome, above_noise, importance, noise_floor, ranked
from sim.sensitivity.plan import PlanView

SENSITIVITY_DOC = "docs/sensitivity.md"
"""Where the tables and figures of a sensitivity analysis are explained."""


def _num(value: Any) -> str:
    """A value to three significant digits, ``n/a`` when missing."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "n/a" if missing else f"{value:.3g}"


def _marked(text: str) -> tuple[Span, ...]:
    """Text in which names are quoted in backticks (an outcome's `Outcome.how`, a range's
    reason), with each quoted name as code."""
    return tuple(Code(part) if i % 2 else part for i, part in enumerate(text.split("`")) if part)


def _joined(parts: Iterable[tuple[Span, ...]], separator: str) -> tuple[Span, ...]:
    """The spans of each part, one part after another with ``separator`` between them."""
    spans: list[Span] = []
    for i, part in enumerate(parts):
        spans += [separator, *part] if i else part
    return tuple(spans)


def _index_sentence(plan: PlanView, indices: pd.DataFrame, outcome: Outcome) -> tuple[Span, ...]:
    """The outcome's three most influential parameters with their indices."""
    rows = indices[indices["outcome"] == outcome.name].set_index("parameter")
    note = str(rows["note"].iloc[0]) if len(rows) else ""
    if note:
        return (Strong(outcome.name), f" ({outcome.claim}): no indices, the outcome is {note}.")
    order = ranked(indices, outcome.name, plan.design.method)[:3]
    if plan.design.method == "morris":
        parts = [
            (
                Code(p),
                f" (mu* {_num(rows.at[p, 'mu_star'])} ± {_num(rows.at[p, 'mu_star_conf'])},"
                f" sigma {_num(rows.at[p, 'sigma'])})",
            )
            for p in order
        ]
    else:
        parts = [
            (
                Code(p),
                f" (S1 {_num(rows.at[p, 'S1'])} ± {_num(rows.at[p, 'S1_conf'])},"
                f" ST {_num(rows.at[p, 'ST'])} ± {_num(rows.at[p, 'ST_conf'])})",
            )
            for p in order
        ]
    return (
        Strong(outcome.name),
        f" ({outcome.claim}, {outcome.title.lower()}): the most influential parameters are ",
        *_joined(parts, ", "),
        ".",
        *_noise_sentence(indices, outcome, plan.design.method),
    )


def _noise_sentence(indices: pd.DataFrame, outcome: Outcome, method: str) -> tuple[Span, ...]:
    """What the noise parameter's index says: the floor, and the parameters above it."""
    floor = noise_floor(indices, outcome.name, method)
    if math.isnan(floor):
        return ()
    label = "mu*" if method == "morris" else "ST"
    decisive = above_noise(indices, outcome.name, method)
    head = f" Noise alone (re-drawn random numbers) gives {label} {_num(floor)}"
    if not decisive:
        return (f"{head}: no parameter moves this outcome more than noise does.",)
    return (f"{head}; above it: ", *_joined([(Code(p),) for p in decisive], ", "), ".")


def _importance_blocks(plan: PlanView, indices: pd.DataFrame) -> list[Block]:
    """Every parameter's importance (mu* ± conf, or ST ± conf) for every outcome."""
    key = importance(plan.design.method)
    conf = f"{key}_conf"
    outcomes = [o.name for o in plan.outcomes]
    cells = indices.set_index(["parameter", "outcome"])
    rows: list[list[Text]] = [
        [
            Code(p.path),
            *(
                f"{_num(cells.at[(p.path, o), key])} ± {_num(cells.at[(p.path, o), conf])}"
                for o in outcomes
            ),
        ]
        for p in plan.parameters
    ]
    label = "mu*" if key == "mu_star" else "ST"
    return [
        Paragraph(
            f"{label} of every parameter for every outcome (± the 95% bootstrap half-width):"
        ),
        Table(["parameter", *outcomes], rows),
    ]


def _claim_sentence(
    row: pd.Series[Any], indices: pd.DataFrame, method: str, outcome: Outcome, values: Any
) -> tuple[Span, ...]:
    """Whether a claim holds everywhere, nowhere or in part of the space, the outcome's
    range over the points, and, where it depends, the parameters that decide it (only those
    above the noise floor)."""
    what: tuple[Span, ...] = (f"{row['claim']} (", Code(str(row["holds_when"])), ")")
    if not row["points"]:
        return (*what, ": undefined at every point.")
    count = f"{row['holds']} of {row['points']} sampled points"
    if row["holds"] == row["points"]:
        verdict = f"holds at every one of the {row['points']} sampled points"
    elif row["holds"] == 0:
        verdict = f"fails at every one of the {row['points']} sampled points"
    else:
        verdict = f"holds at {count} ({100 * row['share']:.0f}%)"
    assumed = [ASSUMPTIONS[c].label for c in str(row["claim"]).split(", ") if c in ASSUMPTIONS]
    if assumed:
        verdict = f"{verdict} ({' '.join(assumed)[:-1]})"
    low, median, high = (float(f(values)) for f in (np.nanmin, np.nanmedian, np.nanmax))
    verdict = (
        f"{verdict}, its value from {outcome.shown(low)} to {outcome.shown(high)}"
        f" (median {outcome.shown(median)})"
    )
    rows = indices[indices["outcome"] == row["outcome"]].set_index("parameter")
    key = importance(method)
    floor = noise_floor(indices, str(row["outcome"]), method)
    floor = 0.0 if math.isnan(floor) else floor
    deciders = [
        p for p in (row["first"], row["second"]) if p and float(rows.at[p, key] or 0.0) > floor
    ]
    if not deciders:
        return (*what, f" {verdict}.")
    named = _joined(((f"{axis_label(p, unit=False)} (", Code(p), ")") for p in deciders), " and ")
    return (*what, f" {verdict}; the value depends most on ", *named, ".")


def _structure_blocks(plan: PlanView, structure: pd.DataFrame) -> list[Block]:
    """Each claim as a range over the levels of the structural options the analysis
    samples (:func:`sim.sensitivity.structure.claims_by_level`), one bullet per claim."""
    bullets = []
    for outcome in plan.outcomes:
        rows = structure[structure["outcome"] == outcome.name]
        parts = []
        for path, group in rows.groupby("parameter", sort=False):
            levels = _joined(
                (
                    (
                        Code(str(r["level"])),
                        f" {_share(r['share'])} of {r['points']}"
                        f" (mean {outcome.shown(float(r['mean']))})",
                    )
                    for _, r in group.iterrows()
                ),
                ", ",
            )
            parts.append((Code(str(path)), ": ", *levels))
        shares = rows["share"].dropna()
        if shares.empty:
            span = "undefined at every level"
        elif shares.min() == shares.max():
            span = f"holds at {_share(shares.min())} of the points at every level of every option"
        else:
            span = (
                f"holds at {_share(shares.min())} to {_share(shares.max())} of the points,"
                " by level of the structural options"
            )
        bullets.append(
            (
                f"{outcome.claim} (",
                Code(outcome.holds_text),
                f") {span}: ",
                *_joined(parts, "; "),
                ".",
            )
        )
    intro = (
        "Each claim at each level of the structural options sampled as factors (the other"
        " parameters over their ranges): the share of points where the claim holds, of how"
        " many, and the outcome's mean there."
    )
    return [Heading("Over structure", 3), Paragraph((intro,)), Bullets(bullets)]


def _share(value: float) -> str:
    """A share as a whole percentage, ``n/a`` when missing."""
    return "n/a" if math.isnan(value) else f"{100 * value:.0f}%"


def _design_blocks(plan: PlanView) -> list[Block]:
    """The title, what was run, the parameters and their ranges, and the outcomes."""
    study, design = plan.study, plan.design
    size = {
        "morris": f"{design.trajectories} trajectories on {design.levels} levels",
        "sobol": f"a Sobol base sample of {design.samples}",
        "emulator": f"a Gaussian process fitted to {design.samples} points of a Sobol'"
        f" sequence and checked on {design.points(0) - design.samples} more",
        "noise": f"{design.samples} runs at the scenario's own values, each with its own"
        " random numbers",
    }[design.method]
    runs = plan.point_count * plan.runs_per_point
    seeds = (
        " Each point is one run with its own seed (the noise parameter), which its variants"
        " share (common random numbers); no other field is sampled."
        if design.method == "noise"
        else " Replication r has the same seed at every point and in every variant (common"
        " random numbers)."
    )
    intro = (
        "Run-to-run noise" if design.method == "noise" else "Global sensitivity analysis",
        f" ({design.method}, {size}) of ",
        Code(str(plan.scenario)),
        f": {plan.point_count} points x {len(study.arms)} variants x"
        f" {study.base.replications} replications ({runs} runs).{seeds} Every run's"
        " parameters and seed are in manifest.json and tables/runs.parquet. What the tables"
        " hold and how to read the figures: ",
        Link(SENSITIVITY_DOC, f"../../{SENSITIVITY_DOC}"),
        " in feedsim's source.",
    )
    parameters = Table(
        ["parameter", "path", "low", "high", "scale", "reason"],
        [
            [
                axis_label(p.path),
                Code(p.path),
                *(
                    (" \u00b7 ".join(map(str, p.levels)), "", "levels")
                    if p.categorical
                    else (f"{p.low:g}", f"{p.high:g}", p.scale)
                ),
                _marked(p.reason),
            ]
            for p in plan.parameters
        ],
    )
    outcomes = Table(
        ["outcome", "claim", "how computed", "claim holds when"],
        [[Code(o.name), o.claim, _marked(o.how), Code(o.holds_text)] for o in plan.outcomes],
    )
    blocks: list[Block] = [
        Heading(plan.name, 1),
        Paragraph(intro),
        Heading("Parameters", 2),
        parameters,
        Heading("Outcomes", 2),
        outcomes,
    ]
    if plan.skipped:
        missing = ((Code(o.name), f" (needs {' and '.join(o.variants)})") for o in plan.skipped)
        blocks.append(
            Paragraph(
                (
                    "Not applicable to this scenario (variants missing): ",
                    *_joined(missing, ", "),
                    ".",
                )
            )
        )
    return blocks


def _emulator_blocks(check: pd.DataFrame) -> list[Block]:
    """The emulator's held-out check: how much of the held-out runs' variance it predicts
    (Q^2), how many fall in its 95% interval, and the share of variance it calls noise."""
    rows: list[list[Text]] = [
        [
            Code(str(r["outcome"])),
            f"{int(r['training'])}",
            f"{int(r['held_out'])}",
            _num(r["q2"]),
            _share(float(r["coverage"])),
            _share(float(r["noise_share"])),
            "yes" if r["readable"] else Strong("no"),
        ]
        for _, r in check.iterrows()
    ]
    intro = (
        'The indices above are those of the emulator (docs/sensitivity.md, "The emulator"),'
        " so they stand only where it predicts runs it was not fitted to. Q² is the share of"
        " the held-out runs' variance it predicts (1: all; at most 1 minus the noise share,"
        " since a run's own noise cannot be predicted; feedsim reads an outcome's indices only"
        f' where Q² is at least {READABLE_Q2}, "readable" below); coverage is the share of'
        " held-out runs inside its 95% predictive"
        " interval (about 95% when its uncertainty is honest); the noise share is the part"
        " of the variance it attributes to run-to-run noise, the floor no factor explains.",
    )
    header = ["outcome", "training runs", "held out", "Q²", "coverage", "noise share", "readable"]
    return [Heading("Emulator check", 3), Paragraph(intro), Table(header, rows)]


def _spread_text(outcome: Outcome, value: float) -> str:
    """A standard deviation in the outcome's units of change (percentage points for a
    share), ``n/a`` when missing."""
    if math.isnan(value):
        return "n/a"
    return f"{100 * value:.3g} pp" if outcome.percent else f"{value:.3g}"


def _noise_blocks(plan: PlanView, noise: pd.DataFrame) -> list[Block]:
    """The noise method's table: each outcome's run-to-run noise at the scenario's values
    and, against a finished analysis, the share of its spread that noise makes and the
    replications a point would need (:mod:`sim.sensitivity.noise`)."""
    by_name = {o.name: o for o in plan.outcomes}
    against = plan.design.against
    rows: list[list[Text]] = []
    for _, r in noise.iterrows():
        outcome = by_name[str(r["outcome"])]
        runs = int(r["runs"])
        held = "n/a" if math.isnan(r["holds"]) else f"{round(r['holds'] * runs)} of {runs}"
        row: list[Text] = [
            Code(outcome.name),
            outcome.shown(float(r["mean"])),
            f"{_spread_text(outcome, float(r['sd']))} ({_spread_text(outcome, float(r['sd_low']))}"
            f" to {_spread_text(outcome, float(r['sd_high']))})",
            held,
        ]
        if against is not None:
            needed = float(r["replications_needed"])
            row += [
                _spread_text(outcome, float(r["against_sd"])),
                f"{_share(float(r['noise_share']))} ({_share(float(r['noise_share_low']))} to"
                f" {_share(float(r['noise_share_high']))})",
                _num(r["q2_max"]),
                "none" if math.isinf(needed) else f"{int(needed)}",
            ]
        rows.append(row)
    header = ["outcome", "mean", "noise: sd of one run (95%)", "claim holds in"]
    intro: tuple[Span, ...] = (
        "Each outcome over runs of the scenario at its own values, each run with its own"
        " random numbers (all arms of a run on the same numbers): the standard deviation of"
        " one run is the noise a point of one replication carries (docs/sensitivity.md,"
        ' "Run-to-run noise").',
    )
    if against is not None:
        header += ["sd over the points", "noise share (95%)", "Q² at most", "replications needed"]
        intro += (
            " Set against the points of ",
            Code(against),
            ": the noise share is the part of their variance one point's own runs make (about"
            " 100% or more: the points differ no more than two runs of one point do); Q² at"
            " most is what an emulator of those points could predict of held-out points"
            " (their noise cannot be predicted); the replications needed are those a point"
            f" would need for Q² to reach {READABLE_Q2} (none: the points vary no more than"
            " their noise, so no number of replications apportions it).",
        )
    return [Heading("Run-to-run noise", 2), Paragraph(intro), Table(header, rows)]


def sensitivity_blocks(
    plan: PlanView, tables: dict[str, pd.DataFrame], figures: list[str]
) -> list[Block]:
    """The whole report, in order, placing the drawn ``figures`` (by name) at its end."""
    if plan.design.method == "noise":
        return [
            *_design_blocks(plan),
            *_noise_blocks(plan, tables["noise"]),
            *(FigureBlock(name, f"{name}.png", "") for name in figures),
        ]
    indices = tables["sensitivity"]
    by_name = {o.name: o for o in plan.outcomes}
    claims = [
        _claim_sentence(
            row,
            indices,
            plan.design.method,
            by_name[str(row["outcome"])],
            tables["points"][str(row["outcome"])].to_numpy(dtype=np.float64),
        )
        for _, row in tables["claims"].iterrows()
    ]
    structure = tables.get("structure")
    return [
        *_design_blocks(plan),
        Heading("Sensitivity", 2),
        *(Paragraph(_index_sentence(plan, indices, o)) for o in plan.outcomes),
        *_importance_blocks(plan, indices),
        *(_emulator_blocks(tables["emulator"]) if "emulator" in tables else []),
        Heading("Claim map", 2),
        *([Bullets(claims)] if claims else []),
        *([] if structure is None or structure.empty else _structure_blocks(plan, structure)),
        *(FigureBlock(name, f"{name}.png", "") for name in figures),
    ]


def write_sensitivity_report(
    folder: Path, plan: PlanView, tables: dict[str, pd.DataFrame], figures: list[str]
) -> None:
    """Write ``report.md`` and ``report.html`` into `folder`.

    Args:
        folder: the results folder (its ``figures/`` holds the drawn PNG files).
        plan: the analysis the tables come from.
        tables: its ``sensitivity``, ``points`` and ``claims`` tables.
        figures: the names of the figures drawn into ``figures/``, in the order to show them.
    """
    blocks = sensitivity_blocks(plan, tables, figures)
    (folder / "report.md").write_text(markdown(blocks), encoding="utf-8")
    (folder / "report.html").write_text(html_page(blocks, folder / "figures"), encoding="utf-8")
