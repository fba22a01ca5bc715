"""Figures, claim map and report of a sensitivity analysis.

* ``figures/morris.png``: per outcome, Morris ``mu*`` (importance) against ``sigma``
  (non-linearity or interaction) with ``mu*_conf`` error bars, the most influential
  parameters labelled;
  or ``figures/sobol.png``: per outcome, bars of ``S1`` and ``ST`` with 95% intervals.
* ``figures/claim_map.png``: per claim outcome, the sampled points over its two most
  influential parameters (largest ``mu*`` or ``ST``), coloured by whether the claim holds.
* ``report.md`` and ``report.html`` (self-contained: figures inlined) say it in sentences.

The claim map's share is ``#points where the claim holds / #points where the outcome is
defined``: the share of the sampled parameter space where the claim holds (uniform weight
per point: a Sobol sample covers the space evenly, a Morris sample on its grid levels).
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.sensitivity_outcomes import Outcome

if TYPE_CHECKING:
    from sim.sensitivity_run import Plan

HOLDS_COLOUR = "#1b7837"
FAILS_COLOUR = "#b2182b"
LABELLED = 6
"""Parameters labelled in each Morris panel (those with the largest mu*)."""


def _importance(design_method: str) -> str:
    """The index that ranks parameters: ``mu_star`` (Morris) or ``ST`` (Sobol)."""
    return "mu_star" if design_method == "morris" else "ST"


def ranked(indices: pd.DataFrame, outcome: str, method: str) -> list[str]:
    """The parameters by decreasing importance for one outcome (missing values last)."""
    rows = indices[indices["outcome"] == outcome]
    key = _importance(method)
    order = rows.assign(_k=rows[key].fillna(-math.inf)).sort_values(
        "_k", ascending=False, kind="stable"
    )
    return [str(p) for p in order["parameter"]]


def claim_map(plan: Plan, points: pd.DataFrame, indices: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: where in the sampled space its claim holds.

    Returns:
        Columns ``outcome, claim, holds_when, points, holds, share, first, second``:
        points where the outcome is defined, how many of them the claim holds at, their
        ratio, and the two most influential parameters.
    """
    rows = []
    for outcome in plan.outcomes:
        values = points[outcome.name].to_numpy(dtype=np.float64)
        defined = int((~np.isnan(values)).sum())
        holds = int(outcome.holds_at(values).sum())
        top = [*ranked(indices, outcome.name, plan.design.method), "", ""]
        rows.append(
            {
                "outcome": outcome.name,
                "claim": outcome.claim,
                "holds_when": outcome.holds_text,
                "points": defined,
                "holds": holds,
                "share": holds / defined if defined else math.nan,
                "first": top[0],
                "second": top[1],
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ figures


def _grid(n: int) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def _short(path: str) -> str:
    """The last two segments of a path, for labels."""
    return ".".join(path.split(".")[-2:])


def morris_figure(indices: pd.DataFrame, outcomes: list[Outcome], path: Path) -> None:
    """mu* against sigma per outcome, mu*_conf as horizontal error bars."""
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=3)
        labelled = rows.nlargest(LABELLED, "mu_star")  # the rest would only overlap
        for _, row in labelled.iterrows():
            if not math.isnan(row["mu_star"]):
                ax.annotate(
                    _short(row["parameter"]),
                    (row["mu_star"], row["sigma"]),
                    fontsize=7,
                    xytext=(3, 3),
                    textcoords="offset points",
                )
        top = float(np.nanmax([*rows["mu_star"], *rows["sigma"], 0.0]))
        if top > 0:  # sigma = mu*: above it, the effect depends on the other parameters
            ax.plot([0, top], [0, top], ls="--", lw=0.8, c="grey", label="sigma = mu*")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_xlabel(f"mu* ({outcome.unit} over the whole range)")
        ax.set_ylabel("sigma")
        ax.set_title(f"{outcome.claim}: {outcome.name}", fontsize=9)
    fig.suptitle("Morris screening: importance (mu*) and non-linearity or interaction (sigma)")
    _save(fig, path)


def sobol_figure(indices: pd.DataFrame, outcomes: list[Outcome], path: Path) -> None:
    """S1 and ST bars with 95% intervals per outcome."""
    fig, axes = _grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes, strict=False):
        rows = indices[indices["outcome"] == outcome.name]
        at = np.arange(len(rows))
        ax.barh(at - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], label="S1 (first order)")
        ax.barh(at + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="ST (total)")
        ax.set_yticks(at, [_short(p) for p in rows["parameter"]], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("share of the outcome's variance")
        ax.set_title(f"{outcome.claim}: {outcome.name}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Sobol indices with 95% bootstrap intervals")
    _save(fig, path)


def claim_figure(plan: Plan, points: pd.DataFrame, claims: pd.DataFrame, path: Path) -> None:
    """Sampled points over each outcome's two most influential parameters, coloured by
    whether its claim holds there (with one parameter: against the outcome's value)."""
    fig, axes = _grid(len(plan.outcomes))
    by_path = {p.path: p for p in plan.parameters}
    for ax, outcome in zip(axes, plan.outcomes, strict=False):
        row = claims[claims["outcome"] == outcome.name].iloc[0]
        first = by_path[row["first"]]
        x = points[first.column]
        if row["second"]:
            second = by_path[row["second"]]
            y, ylabel = points[second.column], second.path
            if second.scale == "log":
                ax.set_yscale("log")
        else:
            y, ylabel = points[outcome.name], outcome.name
        holds = outcome.holds_at(points[outcome.name])
        ax.scatter(x[holds], y[holds], s=14, c=HOLDS_COLOUR, label="claim holds")
        ax.scatter(x[~holds], y[~holds], s=14, c=FAILS_COLOUR, marker="x", label="does not")
        if first.scale == "log":
            ax.set_xscale("log")
        ax.set_xlabel(first.path, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        share = row["share"]
        share_text = "n/a" if math.isnan(share) else f"{100 * share:.0f}%"
        ax.set_title(f"{outcome.claim}: {outcome.holds_text} at {share_text}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Claim map: where in the sampled space each claim holds")
    _save(fig, path)


# ------------------------------------------------------------------ report


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
    key = _importance(plan.design.method)
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


def _claim_sentence(row: pd.Series[Any]) -> str:
    if not row["points"]:
        return f"{row['claim']} (`{row['holds_when']}`): undefined at every point."
    return (
        f"{row['claim']} (`{row['holds_when']}`) holds at {row['holds']} of {row['points']}"
        f" sampled points ({100 * row['share']:.0f}%), decided mostly by `{row['first']}`"
        + (f" and `{row['second']}`." if row["second"] else ".")
    )


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
        " parameters and seed are in manifest.json and tables/runs.parquet.",
        "",
        "## Parameters",
        "",
        _table(
            ["path", "low", "high", "scale", "reason"],
            [
                [f"`{p.path}`", f"{p.low:g}", f"{p.high:g}", p.scale, p.reason]
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
    lines += ["- " + _claim_sentence(row) for _, row in tables["claims"].iterrows()]
    lines += [""]
    lines += [f"![{name}](figures/{name})\n" for name in figures]
    return "\n".join(lines)


def _inline(text: str) -> str:
    """Markdown text as HTML: escaped, with `code` and **bold**."""
    escaped = html.escape(text.replace("\\|", "|"))
    escaped = re.sub(r"`([^`]*)`", r"<code>\1</code>", escaped)
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


def write_outputs(folder: Path, plan: Plan, tables: dict[str, pd.DataFrame]) -> None:
    """Draw the figures and write report.md and report.html into `folder`."""
    figures_dir = folder / "figures"
    figures_dir.mkdir(exist_ok=True)
    outcomes = list(plan.outcomes)
    method_figure = f"{plan.design.method}.png"
    if plan.design.method == "morris":
        morris_figure(tables["sensitivity"], outcomes, figures_dir / method_figure)
    else:
        sobol_figure(tables["sensitivity"], outcomes, figures_dir / method_figure)
    claim_figure(plan, tables["points"], tables["claims"], figures_dir / "claim_map.png")
    markdown = report_markdown(plan, tables, [method_figure, "claim_map.png"])
    (folder / "report.md").write_text(markdown)
    (folder / "report.html").write_text(report_html(markdown, folder))
