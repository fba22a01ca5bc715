"""The report of a sensitivity analysis (``feedsim sensitivity``): ``report.md`` and a
self-contained ``report.html`` (figures inlined) that say in sentences which parameters
decide each claim and where in the sampled space it holds.

It plots nothing: the figures are drawn by :mod:`sim.figures.sensitivity` and named to
:func:`write_sensitivity_report` as data, which reads their PNG files to inline them.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim.params import axis_label
from sim.sensitivity.outcomes import Outcome, importance, ranked
from sim.sensitivity.run import Plan

SENSITIVITY_DOC = "docs/sensitivity.md"
"""Where the tables and figures of a sensitivity analysis are explained."""


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _num(value: Any) -> str:
    return (
        "n/a"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else (f"{value:.3g}")
    )


def _index_sentence(plan: Plan, indices: pd.DataFrame, outcome: Outcome) -> str:
    rows = indices[indices["outcome"] == outcome.name].set_index("parameter")
    note = str(rows["note"].iloc[0]) if len(rows) else ""
    if note:
        return f"**{outcome.name}** ({outcome.claim}): no indices, the outcome is {note}."
    order = ranked(indices, outcome.name, plan.design.method)[:3]
    if plan.design.method == "morris":
        parts = [
            f"`{p}` (mu* {_num(rows.at[p, 'mu_star'])} ± {_num(rows.at[p, 'mu_star_conf'])},"
            f" sigma {_num(rows.at[p, 'sigma'])})"
            for p in order
        ]
    else:
        parts = [
            f"`{p}` (S1 {_num(rows.at[p, 'S1'])} ± {_num(rows.at[p, 'S1_conf'])},"
            f" ST {_num(rows.at[p, 'ST'])} ± {_num(rows.at[p, 'ST_conf'])})"
            for p in order
        ]
    return (
        f"**{outcome.name}** ({outcome.claim}, {outcome.title.lower()}): the most influential"
        f" parameters are {', '.join(parts)}."
    )


def _importance_table(plan: Plan, indices: pd.DataFrame) -> str:
    """Every parameter's importance (mu* ± conf, or ST ± conf) for every outcome."""
    key = importance(plan.design.method)
    conf = f"{key}_conf"
    outcomes = [o.name for o in plan.outcomes]
    cells = indices.set_index(["parameter", "outcome"])
    rows = [
        [f"`{p.path}`"]
        + [
            f"{_num(cells.at[(p.path, o), key])} ± {_num(cells.at[(p.path, o), conf])}"
            for o in outcomes
        ]
        for p in plan.parameters
    ]
    label = "mu*" if key == "mu_star" else "ST"
    return (
        f"{label} of every parameter for every outcome (± the 95% bootstrap half-width):\n\n"
        + _table(["parameter", *outcomes], rows)
    )


def _claim_sentence(row: pd.Series[Any], indices: pd.DataFrame, method: str) -> str:
    """Whether a claim holds everywhere, nowhere or in part of the space, and, where it
    depends, the parameters that decide it (only those with a non-zero importance)."""
    what = f"{row['claim']} (`{row['holds_when']}`)"
    if not row["points"]:
        return f"{what}: undefined at every point."
    count = f"{row['holds']} of {row['points']} sampled points"
    if row["holds"] == row["points"]:
        verdict = f"holds at every one of the {row['points']} sampled points"
    elif row["holds"] == 0:
        verdict = f"fails at every one of the {row['points']} sampled points"
    else:
        verdict = f"holds at {count} ({100 * row['share']:.0f}%)"
    rows = indices[indices["outcome"] == row["outcome"]].set_index("parameter")
    key = importance(method)
    deciders = [p for p in (row["first"], row["second"]) if p and float(rows.at[p, key] or 0.0) > 0]
    if not deciders:
        return f"{what} {verdict}."
    named = " and ".join(f"{axis_label(p, unit=False)} (`{p}`)" for p in deciders)
    return f"{what} {verdict}; its value depends most on {named}."


def report_markdown(plan: Plan, tables: dict[str, pd.DataFrame], figures: list[str]) -> str:
    """The report as Markdown (figures referenced by relative path)."""
    study, design = plan.study, plan.design
    size = (
        f"{design.trajectories} trajectories on {design.levels} levels"
        if design.method == "morris"
        else f"a Sobol base sample of {design.samples}"
    )
    runs = len(plan.sweep.points) * plan.runs_per_point
    lines = [
        f"# {plan.name}",
        "",
        f"Global sensitivity analysis ({design.method}, {size}) of `{plan.scenario}`:"
        f" {len(plan.sweep.points)} points x {len(study.arms)} variants x"
        f" {study.base.replications} replications ({runs} runs). Replication r has the same"
        " seed at every point and in every variant (common random numbers); every run's"
        " parameters and seed are in manifest.json and tables/runs.parquet. What the tables"
        " hold and how to read the figures:"
        f" [{SENSITIVITY_DOC}](../../{SENSITIVITY_DOC}) in feedsim's source.",
        "",
        "## Parameters",
        "",
        _table(
            ["parameter", "path", "low", "high", "scale", "reason"],
            [
                [axis_label(p.path), f"`{p.path}`", f"{p.low:g}", f"{p.high:g}", p.scale, p.reason]
                for p in plan.parameters
            ],
        ),
        "",
        "## Outcomes",
        "",
        _table(
            ["outcome", "claim", "how computed", "claim holds when"],
            [[f"`{o.name}`", o.claim, o.how, f"`{o.holds_text}`"] for o in plan.outcomes],
        ),
        "",
    ]
    if plan.skipped:
        missing = ", ".join(f"`{o.name}` (needs {' and '.join(o.variants)})" for o in plan.skipped)
        lines += [f"Not applicable to this scenario (variants missing): {missing}.", ""]
    lines += ["## Sensitivity", ""]
    lines += [_index_sentence(plan, tables["sensitivity"], o) + "\n" for o in plan.outcomes]
    lines += [_importance_table(plan, tables["sensitivity"]), ""]
    lines += ["## Claim map", ""]
    lines += [
        "- " + _claim_sentence(row, tables["sensitivity"], design.method)
        for _, row in tables["claims"].iterrows()
    ]
    lines += [""]
    lines += [f"![{name}](figures/{name})\n" for name in figures]
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Markdown text as HTML: escaped, with `code`, **bold** and [links](target)."""
    escaped = html.escape(text.replace("\\|", "|"))
    escaped = re.sub(r"`([^`]*)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', escaped)
    return re.sub(r"\*\*([^*]*)\*\*", r"<b>\1</b>", escaped)


def _html_block(line: str, folder: Path) -> str:
    """One Markdown line that is not a table row or list item, as HTML."""
    if line.startswith("!["):
        name = line[line.index("(") + 1 : line.rindex(")")]
        data = base64.b64encode((folder / name).read_bytes()).decode()
        return f'<p><img src="data:image/png;base64,{data}" alt="{html.escape(name)}"></p>'
    if line.startswith("#"):
        level = len(line) - len(line.lstrip("#"))
        return f"<h{level}>{_inline(line.lstrip('# '))}</h{level}>"
    return f"<p>{_inline(line)}</p>" if line.strip() else ""


def report_html(markdown: str, folder: Path) -> str:
    """A simple self-contained HTML page of the Markdown report (figures inlined): headings,
    paragraphs, tables, lists, `code`, **bold** and images, which is all the report uses."""
    body: list[str] = []
    group: list[str] = []  # rows of a table or items of a list being collected
    kind = ""
    for line in [*markdown.splitlines(), ""]:
        now = "table" if line.startswith("|") else "ul" if line.startswith("- ") else ""
        if group and now != kind:
            body.append(f"<{kind}>{''.join(group)}</{kind}>")
            group = []
        kind = now
        if now == "table" and not set(line.strip()) <= set("|-: "):  # skip the header rule
            cells = [_inline(c.strip()) for c in line.strip().strip("|").split(" | ")]
            tag = "th" if not group else "td"
            group.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        elif now == "ul":
            group.append(f"<li>{_inline(line[2:])}</li>")
        elif not now:
            body.append(_html_block(line, folder))
    title = next((line.lstrip("# ") for line in markdown.splitlines() if line.startswith("# ")), "")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}"
        "img{max-width:100%}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


def write_sensitivity_report(
    folder: Path, plan: Plan, tables: dict[str, pd.DataFrame], figures: list[str]
) -> None:
    """Write ``report.md`` and ``report.html`` into `folder`.

    Args:
        folder: the results folder (its ``figures/`` holds the drawn files).
        plan: the analysis the tables come from.
        tables: its ``sensitivity``, ``points`` and ``claims`` tables.
        figures: the file names drawn into ``figures/``, in the order to show them.
    """
    markdown = report_markdown(plan, tables, figures)
    (folder / "report.md").write_text(markdown)
    (folder / "report.html").write_text(report_html(markdown, folder))
