"""The report of a results folder: ``report.md`` and a self-contained ``report.html``.

Both are rendered from one list of blocks (headings, paragraphs, figures, tables, a
collapsible manifest), so they always say the same. The HTML embeds the PNG figures as
base64 ``data:`` URIs and carries its own CSS: it opens in any browser, offline, on its own.
The Markdown refers to the figures as ``figures/NAME.png`` beside it.

Every number is computed by `sim.analysis`, the same functions the figures use. Draw the
figures first (`sim.figures.draw_figures`).
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from sim.analysis import (
    POST_METRICS,
    Results,
    belief_gap,
    belief_series,
    default_pairs,
    load_results,
    paired_differences,
    period_names,
    posts_summary,
    source_shares,
    summarise,
    topic_share_window,
)
from sim.errors import InputError
from sim.figures import (
    ROLLING_DAYS,
    SOURCE_LABELS,
    event_labels,
    figure_names,
)


@dataclass(frozen=True)
class _Heading:
    """A section title; level 1 is the report's title."""

    text: str
    level: int


@dataclass(frozen=True)
class _Paragraph:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class _Items:
    """A bulleted list of ``(term, text)`` pairs."""

    items: list[tuple[str, str]]


@dataclass(frozen=True)
class _Figure:
    """A figure of ``figures/`` by name, with its one-sentence caption."""

    name: str
    caption: str


@dataclass(frozen=True)
class _Table:
    """A table of text cells."""

    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class _Details:
    """Collapsible preformatted text."""

    summary: str
    text: str


_Block = _Heading | _Paragraph | _Items | _Figure | _Table | _Details

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
  max-width: 72rem; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.8rem; margin-bottom: 0.3rem; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; margin-top: 2.5rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; margin-top: 0.4rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.7rem; text-align: left; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
pre { background: #f7f7f7; padding: 1rem; overflow-x: auto; font-size: 0.85rem; }
summary { cursor: pointer; font-weight: 600; }
"""

_FIGURE_HEADINGS = {
    "feed_by_topic": "The focal member's feed by topic",
    "beliefs_vs_truth": "What the platform believes, against the truth",
    "feed_by_source": "Where the feed comes from",
    "focus_effect": "Effect on the focus topic",
}


class _Est(NamedTuple):
    """A mean with its 95% interval and the number of replications behind it."""

    mean: float
    lo: float
    hi: float
    n: int


def _estimates(summary: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], _Est]:
    """Rows of a `summarise`-shaped table (``mean, lo, hi, n``) keyed by ``keys``."""
    out = {}
    for row in summary[[*keys, "mean", "lo", "hi", "n"]].itertuples(index=False, name=None):
        *key, mean, lo, hi, n = row
        out[tuple(str(k) for k in key)] = _Est(float(mean), float(lo), float(hi), int(n))
    return out


def _number(x: float, signed: bool) -> str:
    """One decimal, with a sign when ``signed``."""
    return f"{x:+.1f}" if signed else f"{x:.1f}"


def _estimate(
    est: _Est, scale: float = 100.0, unit: str = "%", label_ci: bool = True, signed: bool = False
) -> str:
    """``12.3% (95% CI 11.0–13.6)``: the estimate times ``scale``.

    The range reads ``a to b`` when a bound is negative, so a minus sign is never taken for a
    dash; without an interval (one replication) only the mean is given.
    """
    mean, lo, hi = scale * est.mean, scale * est.lo, scale * est.hi
    if math.isnan(mean):
        return "no data"
    text = _number(mean, signed) + unit
    if math.isnan(lo):
        return text
    sep = " to " if lo < 0 or signed else "–"
    ci = f"{_number(lo, signed)}{sep}{_number(hi, signed)}"
    return f"{text} (95% CI {ci})" if label_ci else f"{text} ({ci})"


def _per_variant(estimates: Sequence[tuple[str, str]]) -> str:
    """``A under v1, B under v2 and C under v3``."""
    parts = [f"{value} under {variant}" for variant, value in estimates]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _variant_estimates(summary: pd.DataFrame, variants: Sequence[str]) -> list[tuple[str, str]]:
    """Each variant's share in percent with its interval (rows of `summarise` by ``variant``).

    Only the first names its interval "95% CI", as in a sentence.
    """
    by_variant = _estimates(summary, ["variant"])
    return [
        (v, _estimate(by_variant[(v,)], label_ci=i == 0) if (v,) in by_variant else "no data")
        for i, v in enumerate(variants)
    ]


def _feed_sentence(results: Results) -> str:
    """What `feed_by_topic` shows, with the share of one topic per variant."""
    first, last = results.focus_window
    topic = results.focus_topic
    if topic is None:  # the topic the first variant saw most of
        totals = results.feed[results.feed["variant"] == results.variants[0]]
        by_topic = totals.groupby("topic")["impressions"].sum()
        topic = str(by_topic.idxmax()) if not by_topic.empty else results.topics[0]
    shares = summarise(topic_share_window(results.feed, topic, first, last), "share", ["variant"])
    return (
        f"The topic mix of the focal member's daily feed, as a trailing {ROLLING_DAYS}-day "
        f"mean per variant: over days {first}–{last} the {topic} share of the feed was "
        f"{_per_variant(_variant_estimates(shares, results.variants))}."
    )


def _beliefs_sentence(results: Results) -> str:
    """What `beliefs_vs_truth` shows, with the final day's belief per variant."""
    intro = "The platform's inferred topic weights (solid) against the true interests (dotted)"
    if results.beliefs.empty:
        return f"{intro}: no beliefs were recorded."
    day = int(results.beliefs["day"].max())
    if results.focus_topic is None:
        gaps = summarise(belief_gap(results.beliefs, day), "gap", ["variant"])
        return (
            f"{intro}: on day {day} the two differed by "
            f"{_per_variant(_variant_estimates(gaps, results.variants))} "
            "(total variation distance: the share of weight in the wrong place)."
        )
    series = belief_series(results.beliefs)
    final = series[(series["day"] == day) & (series["topic"] == results.focus_topic)]
    inferred = _per_variant(
        _variant_estimates(summarise(final, "inferred_weight", ["variant"]), results.variants)
    )
    truth = final.groupby("variant", sort=False)["true_weight"].mean()
    truth_texts = [f"{100 * t:.1f}%" for t in truth]
    if len(set(truth_texts)) == 1:
        truth_text = f"a true interest of {truth_texts[0]}"
    else:
        truth_text = "true interests of " + _per_variant(
            list(zip(truth.index.astype(str), truth_texts, strict=True))
        )
    return (
        f"{intro}: at the last snapshot (day {day}) the platform's weight on "
        f"{results.focus_topic} was {inferred}, against {truth_text}."
    )


def _source_sentence(results: Results) -> str:
    """What `feed_by_source` shows, with the peer share per variant and period."""
    shares = source_shares(results.feed, results.after_start)
    peer = shares[shares["group"] == "peer"]
    start = results.after_start
    phrases = {
        "before": f"before day {start} (days 0–{(start or 0) - 1})",
        "after": f"from day {start} on (days {start}–{results.last_day})",
        "whole run": f"over the whole run (days 0–{results.last_day})",
    }
    parts = [
        f"{_per_variant(_variant_estimates(peer[peer['period'] == period], results.variants))} "
        f"{phrases[period]}"
        for period in period_names(start)
    ]
    return (
        f"The focal member's feed impressions by source group: {SOURCE_LABELS['peer']} supplied "
        + ", and ".join(parts)
        + "."
    )


def _effect_blocks(results: Results) -> list[_Block]:
    """Sentence and table of the paired focus-topic differences."""
    topic = results.focus_topic
    first, last = results.focus_window
    per_rep = topic_share_window(results.feed, str(topic), first, last)
    diffs = paired_differences(per_rep, "share", default_pairs(results.variants))
    ests = _estimates(diffs, ["a", "b"])
    rows = [
        [f"{b} minus {a}", _estimate(est, unit=" pp", label_ci=False, signed=True), str(est.n)]
        for (a, b), est in ests.items()
    ]
    sentence = (
        f"The {topic} share of the focal member's feed over days {first}–{last} per "
        "variant (left) and the differences between variants paired by replication (right)"
    )
    if ests:
        (a, b), est = next(iter(ests.items()))
        effect = _estimate(est, unit=" pp", signed=True)
        sentence += f": {b} minus {a} was {effect} over {est.n} paired replications"
    sentence += "."
    table = _Table(
        [
            f"difference in {topic} share, days {first}–{last}",
            "percentage points (95% CI)",
            "paired replications",
        ],
        rows,
    )
    return [_Figure("focus_effect", sentence), table]


def _posts_table(results: Results) -> _Table:
    """Focal posts per variant: mean (95% CI) of each `posts_summary` metric."""
    summary = _estimates(posts_summary(results.posts), ["variant", "metric"])
    rows = []
    for variant in results.variants:
        row = [variant]
        for metric in POST_METRICS:
            est = summary.get((variant, metric))
            if est is None:
                row.append("no data")
            elif metric == "primary_reach":
                row.append(_estimate(est, label_ci=False))
            else:
                row.append(_estimate(est, scale=1.0, unit="", label_ci=False))
        rows.append(row)
    header = [
        "variant",
        "focal posts per replication",
        "primary reach (% of the author's connections)",
        "impressions per post",
        "engagements per post (likes + comments + shares)",
    ]
    return _Table(header, rows)


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


def _run_blocks(results: Results) -> list[_Block]:
    """The "What was run" section."""
    m = results.manifest
    descriptions = m.get("variant_descriptions") or {}
    variants = _Table(
        ["variant", "what it does"],
        [[v, str(descriptions.get(v, ""))] for v in results.variants],
    )
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
        "Numbers are means over replications with 95% Student t confidence intervals; "
        "differences between variants are paired by replication, as the variants of one "
        "replication share their random numbers."
    )
    return [_Heading("What was run", 2), variants, _Items(items), _Paragraph(note)]


def _blocks(results: Results) -> list[_Block]:
    """The whole report, in order."""
    m = results.manifest
    blocks: list[_Block] = [_Heading(str(m.get("scenario_name", "feedsim results")), 1)]
    if results.description.strip():
        blocks.append(_Paragraph(results.description.strip()))
    blocks += _run_blocks(results)
    blocks.append(_Heading("Results", 2))
    sentences = {
        "feed_by_topic": _feed_sentence,
        "beliefs_vs_truth": _beliefs_sentence,
        "feed_by_source": _source_sentence,
    }
    for name in figure_names(results):
        heading = _FIGURE_HEADINGS[name]
        if name == "focus_effect":
            blocks += [_Heading(f"{heading}: {results.focus_topic}", 3), *_effect_blocks(results)]
        else:
            blocks += [_Heading(heading, 3), _Figure(name, sentences[name](results))]
    blocks += [
        _Heading("The focal member's posts", 2),
        _Paragraph("Per focal post, mean over replications (95% CI)."),
        _posts_table(results),
        _Heading("Manifest", 2),
        _Details("manifest.json", json.dumps(m, indent=2, ensure_ascii=False)),
    ]
    return blocks


def _md_escape(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for char in "\\`*_[]<|":
        text = text.replace(char, "\\" + char)
    return text


def _markdown(blocks: Sequence[_Block]) -> str:
    """The report as Markdown; figures are linked as ``figures/NAME.png``."""
    out = []
    for b in blocks:
        match b:
            case _Heading(text, level):
                out.append(f"{'#' * level} {_md_escape(text)}")
            case _Paragraph(text):
                out.append(_md_escape(text))
            case _Items(items):
                out.append("\n".join(f"- **{_md_escape(k)}**: {_md_escape(v)}" for k, v in items))
            case _Figure(name, caption):
                alt = _md_escape(_FIGURE_HEADINGS[name])
                out.append(f"![{alt}](figures/{name}.png)\n\n{_md_escape(caption)}")
            case _Table(header, rows):
                lines = [header, ["---"] * len(header), *rows]
                out.append("\n".join("| " + " | ".join(map(_md_escape, r)) + " |" for r in lines))
            case _Details(summary, text):
                out.append(
                    f"<details><summary>{html.escape(summary)}</summary>\n\n"
                    f"```json\n{text}\n```\n\n</details>"
                )
    return "\n\n".join(out) + "\n"


def _html(blocks: Sequence[_Block], figures_dir: Path) -> str:
    """The report as one HTML page, figures embedded as base64 PNG, all text escaped."""
    e = html.escape
    title = next((b.text for b in blocks if isinstance(b, _Heading)), "feedsim report")
    body = []
    for b in blocks:
        match b:
            case _Heading(text, level):
                body.append(f"<h{level}>{e(text)}</h{level}>")
            case _Paragraph(text):
                body.append(f"<p>{e(text)}</p>")
            case _Items(items):
                lis = "".join(f"<li><strong>{e(k)}</strong>: {e(v)}</li>" for k, v in items)
                body.append(f"<ul>{lis}</ul>")
            case _Figure(name, caption):
                data = base64.b64encode((figures_dir / f"{name}.png").read_bytes()).decode()
                alt = e(_FIGURE_HEADINGS[name])
                body.append(
                    f'<figure><img src="data:image/png;base64,{data}" alt="{alt}">'
                    f"<figcaption>{e(caption)}</figcaption></figure>"
                )
            case _Table(header, rows):
                head = "".join(f"<th>{e(h)}</th>" for h in header)
                trs = "".join(
                    "<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
            case _Details(summary, text):
                body.append(
                    f"<details><summary>{e(summary)}</summary><pre>{e(text)}</pre></details>"
                )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def write_report(results_dir: Path) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into a results folder.

    Args:
        results_dir: a folder written by the experiment runner, with its figures drawn.

    Returns:
        The paths of ``report.md`` and ``report.html``.

    Raises:
        InputError: the manifest, a table or a figure is missing.
    """
    results = load_results(results_dir)
    figures_dir = results_dir / "figures"
    for name in figure_names(results):
        png = figures_dir / f"{name}.png"
        if not png.is_file():
            raise InputError(png, "", "no such file: draw the figures first (feedsim figures)")
    blocks = _blocks(results)
    md_path, html_path = results_dir / "report.md", results_dir / "report.html"
    md_path.write_text(_markdown(blocks), encoding="utf-8")
    html_path.write_text(_html(blocks, figures_dir), encoding="utf-8")
    return md_path, html_path
