"""The parts a report is made of, and how its numbers are written.

A report builds a list of blocks (headings, paragraphs, lists, figures, tables, collapsible
text), whose text may hold spans of code, emphasis and links; the renderer turns the same list
into Markdown and HTML, so both say the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import pandas as pd


@dataclass(frozen=True)
class Code:
    """A name or expression within a text, to be read literally (a parameter's path)."""

    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True)
class Strong:
    """Words within a text that stand out."""

    kind: ClassVar[str] = "strong"
    text: str


@dataclass(frozen=True)
class Link:
    """A link within a text: ``label`` linking to ``href``."""

    kind: ClassVar[str] = "link"
    label: str
    href: str


Span = str | Code | Strong | Link

#: Text with markup: plain text, one span or a sequence of spans, written one after another.
Text = Span | tuple[Span, ...]


@dataclass(frozen=True)
class Heading:
    """A section title; level 1 is the report's title."""

    kind: ClassVar[str] = "heading"
    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text."""

    kind: ClassVar[str] = "paragraph"
    text: Text


@dataclass(frozen=True)
class Items:
    """A bulleted list of ``(term, text)`` pairs."""

    kind: ClassVar[str] = "items"
    items: list[tuple[str, str]]


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of texts."""

    kind: ClassVar[str] = "bullets"
    items: Sequence[Text]


@dataclass(frozen=True)
class FigureBlock:
    """A figure of ``figures/`` by name, its alternative text and its caption (none when
    empty)."""

    kind: ClassVar[str] = "figure"
    name: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Table:
    """A table of text cells."""

    kind: ClassVar[str] = "table"
    header: list[str]
    rows: Sequence[Sequence[Text]]


@dataclass(frozen=True)
class Details:
    """Collapsible preformatted text."""

    kind: ClassVar[str] = "details"
    summary: str
    text: str


@dataclass(frozen=True)
class Collapsed:
    """A table shown only when the reader opens it (``<details>``), under ``summary``."""

    kind: ClassVar[str] = "collapsed"
    summary: str
    table: Table


Block = Heading | Paragraph | Items | Bullets | FigureBlock | Table | Details | Collapsed


class Estimate(NamedTuple):
    """A mean with its 95% interval and the number of replications behind it."""

    mean: float
    lo: float
    hi: float
    n: int


def estimates(summary: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], Estimate]:
    """Rows of a `summarise`-shaped table (``mean, lo, hi, n``) keyed by ``keys``."""
    out = {}
    for row in summary[[*keys, "mean", "lo", "hi", "n"]].itertuples(index=False, name=None):
        *key, mean, lo, hi, n = row
        out[tuple(str(k) for k in key)] = Estimate(float(mean), float(lo), float(hi), int(n))
    return out


def number_text(x: float, signed: bool, decimals: int = 1) -> str:
    """``decimals`` decimals (one by default), thousands separated by commas, with a sign
    when ``signed``."""
    return f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"


def estimate_text(
    est: Estimate,
    scale: float = 100.0,
    unit: str = "%",
    label_ci: bool = True,
    signed: bool = False,
    decimals: int = 1,
) -> str:
    """``12.3% (95% CI 11.0–13.6)``: the estimate times ``scale``.

    The range reads ``a to b`` when a bound is negative, so a minus sign is never taken for a
    dash; without an interval (one replication) only the mean is given.
    """
    mean, lo, hi = scale * est.mean, scale * est.lo, scale * est.hi
    if math.isnan(mean):
        return "no data"
    text = number_text(mean, signed, decimals) + unit
    if math.isnan(lo):
        return text
    sep = " to " if lo < 0 or signed else "–"
    ci = f"{number_text(lo, signed, decimals)}{sep}{number_text(hi, signed, decimals)}"
    return f"{text} (95% CI {ci})" if label_ci else f"{text} ({ci})"


def per_variant(estimates: Sequence[tuple[str, str]]) -> str:
    """``A under v1, B under v2 and C under v3``."""
    parts = [f"{value} under {variant}" for variant, value in estimates]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def variant_estimates(summary: pd.DataFrame, variants: Sequence[str]) -> list[tuple[str, str]]:
    """Each variant's share in percent with its interval (rows of `summarise` by ``variant``).

    Only the first names its interval "95% CI", as in a sentence.
    """
    by_variant = estimates(summary, ["variant"])
    return [
        (v, estimate_text(by_variant[(v,)], label_ci=i == 0) if (v,) in by_variant else "no data")
        for i, v in enumerate(variants)
    ]


def median_session_sentence(manifest: dict[str, Any]) -> str:
    """The median session of all members, from the runs' counts in the manifest (the
    median of each run's candidates and items read per session; the range over runs)."""
    runs = [r for r in manifest.get("runs", []) if "median_candidates_per_session" in r]
    if not runs:
        return ""
    candidates = [int(r["median_candidates_per_session"]) for r in runs]
    items = [int(r["median_items_read_per_session"]) for r in runs]

    def spread(values: list[int]) -> str:
        low, high = min(values), max(values)
        return f"{low}" if low == high else f"{low}–{high}"

    return (
        f"Across all members, the median session read {spread(items)} items chosen from "
        f"{spread(candidates)} candidates (the median of each of the {len(runs)} runs)."
    )
