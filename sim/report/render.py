"""Rendering a report's blocks as ``report.md`` and a self-contained ``report.html``.

Every report is rendered here: a results folder's (`write_report`) and a sensitivity
analysis's (`sim.report.sensitivity`).

The HTML comes from the jinja2 template ``templates/report.html.j2`` (autoescaped), embeds
the PNG figures as base64 ``data:`` URIs and carries its own CSS (``templates/report.css``):
it opens in any browser, offline, on its own. The Markdown refers to the figures as
``figures/NAME.png`` beside it.
"""

from __future__ import annotations

import base64
import dataclasses
import html
from collections.abc import Sequence
from pathlib import Path

import jinja2

from sim.analysis import Results, figure_names, load_results
from sim.errors import InputError
from sim.report.blocks import (
    Block,
    Bullets,
    Code,
    Collapsed,
    Details,
    FigureBlock,
    Heading,
    Items,
    Link,
    Paragraph,
    Span,
    Strong,
    Table,
    Text,
)
from sim.report.narrative import report_blocks

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("sim.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
)


def _md_escape(text: str) -> str:
    """Escape the characters Markdown would read as markup."""
    for char in "\\`*_[]<|":
        text = text.replace(char, "\\" + char)
    return text


def _md_span(span: Span) -> str:
    """One span of text as Markdown."""
    match span:
        case Code(text):
            return f"`{text}`"
        case Strong(text):
            return f"**{_md_escape(text)}**"
        case Link(label, href):
            return f"[{_md_escape(label)}]({href})"
        case _:
            return _md_escape(span)


def _md_text(text: Text) -> str:
    """Text with its spans as Markdown."""
    return "".join(map(_md_span, text)) if isinstance(text, tuple) else _md_span(text)


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Text]]) -> str:
    """A table as Markdown."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(map(_md_text, r)) + " |" for r in lines)


def markdown(blocks: Sequence[Block]) -> str:
    """The report as Markdown; figures are linked as ``figures/NAME.png``."""
    out = []
    for b in blocks:
        match b:
            case Heading(text, level):
                out.append(f"{'#' * level} {_md_escape(text)}")
            case Paragraph(text):
                out.append(_md_text(text))
            case Items(items):
                out.append("\n".join(f"- **{_md_escape(k)}**: {_md_escape(v)}" for k, v in items))
            case Bullets(items):
                out.append("\n".join(f"- {_md_text(text)}" for text in items))
            case FigureBlock(name, alt, caption):
                image = f"![{_md_escape(alt)}](figures/{name}.png)"
                out.append(f"{image}\n\n{_md_escape(caption)}" if caption else image)
            case Table(header, rows):
                out.append(_md_table(header, rows))
            case Collapsed(summary, Table(header, rows)):
                out.append(
                    f"<details><summary>{html.escape(summary)}</summary>\n\n"
                    f"{_md_table(header, rows)}\n\n</details>"
                )
            case Details(summary, text):
                out.append(
                    f"<details><summary>{html.escape(summary)}</summary>\n\n"
                    f"```json\n{text}\n```\n\n</details>"
                )
    return "\n\n".join(out) + "\n"


def html_page(blocks: Sequence[Block], figures_dir: Path) -> str:
    """The report as one HTML page (the jinja2 template), figures embedded as base64 PNG."""
    images = {
        b.name: base64.b64encode((figures_dir / f"{b.name}.png").read_bytes()).decode()
        for b in blocks
        if isinstance(b, FigureBlock)
    }
    title = next((b.text for b in blocks if isinstance(b, Heading)), "feedsim report")
    template = _TEMPLATES.get_template("report.html.j2")
    return template.render(title=title, blocks=blocks, images=images)


def report_markdown(results: Results, figures: Sequence[str] | None = None) -> str:
    """The report as Markdown (what ``report.md`` holds), without reading any figure.

    ``figures``: the figures to place (default: every figure the folder has data for).
    """
    names = figure_names(results) if figures is None else list(figures)
    return markdown(report_blocks(results, names))


def write_report(
    results_dir: Path,
    figures: Sequence[str] | None = None,
    all_pairs: bool = False,
    skipped: bool = False,
) -> tuple[Path, Path]:
    """Write ``report.md`` and ``report.html`` into a results folder.

    Args:
        results_dir: a folder written by the experiment runner, with its figures drawn.
        figures: the drawn figures to place, by name (the report names the others as not
            drawn); default every figure the folder has data for
            (`sim.analysis.figure_names`).
        all_pairs: the figures were drawn with every pair of variants (`Results.all_pairs`),
            so the tables under them list every pair too.
        skipped: the figures left out were not drawn on purpose (`feedsim run
            --no-figures`), not because they failed.

    Returns:
        The paths of ``report.md`` and ``report.html``.

    Raises:
        InputError: the manifest, a table or one of the figures is missing.
    """
    results = dataclasses.replace(load_results(results_dir), all_pairs=all_pairs)
    figures_dir = results_dir / "figures"
    names = [n for n in figure_names(results) if figures is None or n in figures]
    for name in names:
        png = figures_dir / f"{name}.png"
        if not png.is_file():
            raise InputError(png, "", "no such file: draw the figures first (feedsim figures)")
    blocks = report_blocks(results, names, skipped)
    md_path, html_path = results_dir / "report.md", results_dir / "report.html"
    md_path.write_text(markdown(blocks), encoding="utf-8")
    html_path.write_text(html_page(blocks, figures_dir), encoding="utf-8")
    return md_path, html_path
