"""How the trend section writes its numbers and verdicts, and its prose templates (jinja2)."""

from __future__ import annotations

import math
import re
from typing import Any

import jinja2
import jinja2.ext
import pandas as pd

from sim.analysis import Metric, list_text
from sim.report.blocks import Estimate, estimate_text


class _FoldedLines(jinja2.ext.Extension):
    """Reads a prose template as folded text: a line break, with the spaces around it, is
    one space, so a long sentence can be wrapped in its template file (``{%-`` and ``-%}``
    remove the space where a tag must touch the text)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """The template's source with its line breaks folded into spaces."""
        return re.sub(r"[ \t]*\n[ \t]*", " ", source.strip())


_PROSE = jinja2.Environment(
    loader=jinja2.PackageLoader("sim.report", "templates/trend"),
    autoescape=False,  # plain text: the Markdown and HTML renderers escape it
    undefined=jinja2.StrictUndefined,
    extensions=[_FoldedLines],
)
_PROSE.filters["list_text"] = list_text


def prose(template: str, macro: str, **values: Any) -> str:
    """The text of ``macro`` in the trend's ``template`` (``templates/trend/<template>.j2``)
    with ``values``."""
    module = _PROSE.get_template(f"{template}.j2").module
    return str(getattr(module, macro)(**values))


def count_text(x: float) -> str:
    """A count to the unit with thousands separators (``1,240``)."""
    return "no" if math.isnan(x) else f"{x:,.0f}"


def row_estimate(row: pd.Series) -> Estimate:
    """The ``mean, lo, hi, n`` of a summary row."""
    return Estimate(float(row["mean"]), float(row["lo"]), float(row["hi"]), int(row["n"]))


def metric_text(metric: Metric, est: Estimate, difference: bool, label_ci: bool) -> str:
    """A level or a paired difference in the metric's display unit (pp for a share's
    difference; two decimals below 10, one above, three for a similarity or a Gini)."""
    if metric.percent:
        unit = " pp" if difference else "%"
        return estimate_text(
            est, unit=unit, signed=difference, label_ci=label_ci, decimals=2 if difference else 1
        )
    small = metric.name in ("feed_similarity", "gini")
    decimals = 3 if small else 2 if abs(est.mean) < 10 else 1
    return estimate_text(
        est, scale=1.0, unit="", signed=difference, label_ci=label_ci, decimals=decimals
    )


def level_text(metric: Metric, value: float) -> str:
    """A mean level without an interval, as `metric_text` writes it."""
    return metric_text(metric, Estimate(float(value), math.nan, math.nan, 1), False, False)


def direction(est: Estimate) -> str:
    """``higher`` or ``lower`` (the 95% interval excludes 0), ``undecided`` (it includes 0),
    with one replication ``no interval, lower`` or ``no interval, not lower``, and ``no
    data`` without an estimate."""
    if math.isnan(est.mean):
        return "no data"
    if math.isnan(est.lo) or math.isnan(est.hi):
        return "no interval, lower" if est.mean < 0 else "no interval, not lower"
    return "higher" if est.lo > 0 else "lower" if est.hi < 0 else "undecided"


def replications_text(n: int) -> str:
    """``3 paired replications``; one says that it gives no interval."""
    return prose("words", "replications", n=n)


def with_note(text: str, note: str) -> str:
    """``text`` with ``note`` added inside its closing parenthesis (after an interval), or
    in parentheses of its own."""
    return f"{text[:-1]}; {note})" if text.endswith(")") else f"{text} ({note})"


#: The directions of `direction`, in the order `verdicts` names them.
DIRECTIONS = ("lower", "higher", "undecided", "no interval, lower", "no interval, not lower")


def verdicts(rows: pd.DataFrame, change: bool = False) -> str:
    """Which arms (``variant``) an estimate (``mean, lo, hi, n``) puts lower, higher or
    undecided (`direction`): ``lower under a and b; higher under c``. ``change``: the words
    of a change from the first to the last week, else of an effect against the arm without
    the trend."""
    groups: dict[str, list[str]] = {k: [] for k in (*DIRECTIONS, "no data")}
    for _, row in rows.iterrows():
        groups[direction(row_estimate(row))].append(str(row["variant"]))
    return "; ".join(
        prose("words", "verdict", direction=k, arms=list_text(v), change=change)
        for k, v in groups.items()
        if v
    )
