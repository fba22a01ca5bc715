"""The one plot style of feedsim: colours, panels, legends, bands, titles.

Every figure module draws with these helpers, so a topic keeps its colour in every figure
(`topic_colours`), and so does a variant (`variant_colours`, in the manifest's order); lines
are means over replications and shaded bands their 95% confidence intervals.

Two looks, `STYLES`, chosen in one place (`plot_style`, from ``feedsim figures --style``):
``report`` (each figure its own size, the scenario's name and what lines and bands mean
under the title, arms named by their names) and ``slides`` (16:9, large type, the figure's
heading and the scenario's `title` only, arms named by their descriptions). Figure modules
never ask which look is in force: they take sizes (`figure`, `panels`, `font`), titles
(`figure_titles`) and arm names (`arm_names`) from here.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

import matplotlib
import matplotlib.font_manager
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis import (
    OTHER,
    Results,
    arm_description,
    event_marks,
    identical_groups,
    list_text,
    study_title,
)

Colour = tuple[float, float, float]


#: Source group colours, from the end of the colorblind palette so they differ from the
#: first topics' colours.
_SOURCE_PALETTE_INDEX = {
    "peer": 9,
    "follow": 6,
    "second_degree": 8,
    "stranger": 5,
    "out_of_network": 7,
}

DPI = 150
_BAND_ALPHA = 0.2
_PANEL_WIDTH = 4.6
DASH_GREY = "0.35"


@dataclass(frozen=True)
class FigureStyle:
    """One look of the figures (see `STYLES`).

    Attributes:
        name: the value of ``feedsim figures --style``.
        folder: where its files go, under the results folder.
        context: the seaborn plotting context (``notebook``, ``talk``) and its font scale.
        size: width and height (inches) of every figure, or None: each figure its own.
        notes: whether the title says the scenario's name and what lines and bands mean
            (else: the heading, then the scenario's `title` when it has one).
        described_arms: whether arms are named by their descriptions, when the scenario
            gives them (else by their names).
        text_scale: the factor on the point sizes figures set themselves (`font`): the
            context's font size over the report's.
        arm_width: longest line of an arm's name (`arm_names`) in characters, or None: not
            wrapped.
    """

    name: str
    folder: str
    context: tuple[str, float]
    size: tuple[float, float] | None
    notes: bool
    described_arms: bool
    text_scale: float
    arm_width: int | None


#: Report figures: each its own size, the statistical note under the title, arms by name.
REPORT = FigureStyle("report", "figures", ("notebook", 0.9), None, True, False, 1.0, None)
#: Slides: 16:9 at PowerPoint's size (13.33 x 7.5 in, so type keeps its point size on a
#: full slide), seaborn's ``talk`` type at 0.85 (15.3 pt, 10.8 in the report), plain
#: titles, arms' names on lines that fit three panels a row.
SLIDES = FigureStyle(
    "slides", "figures/slides", ("talk", 0.85), (40 / 3, 7.5), False, True, 15.3 / 10.8, 28
)
#: Every look, by its ``--style`` name.
STYLES = {style.name: style for style in (REPORT, SLIDES)}

_CURRENT: ContextVar[FigureStyle] = ContextVar("figure_style", default=REPORT)


def current_style() -> FigureStyle:
    """The look in force (`plot_style`); `REPORT` outside of any."""
    return _CURRENT.get()


def font(points: float) -> float:
    """A point size a figure sets itself (an annotation, a value on a bar), in the look in
    force: ``points`` in the report, scaled as the rest of the type on slides."""
    return points * current_style().text_scale


def figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches with constrained layout; on slides, the
    slide's size whatever the figure asks for."""
    return Figure(figsize=current_style().size or (width, height), layout="constrained")


class _Above(Mapping[str, Any]):
    """Keyword arguments of `Axes.annotate` for a value printed just above its point (its
    font size that of the look in force, `font`)."""

    _FIXED: ClassVar[dict[str, Any]] = {
        "xytext": (0, 7),
        "textcoords": "offset points",
        "ha": "center",
        "va": "bottom",
    }

    def __getitem__(self, key: str) -> Any:
        return font(9) if key == "fontsize" else self._FIXED[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._FIXED, "fontsize"])

    def __len__(self) -> int:
        return len(self._FIXED) + 1


#: Keyword arguments of `Axes.annotate` for a value printed just above its point.
ABOVE: Mapping[str, Any] = _Above()


#: Colour of the topics a figure does not name (`sim.analysis.OTHER`).
OTHER_GREY: Colour = (0.62, 0.62, 0.62)


def topic_colours(topics: Sequence[str]) -> dict[str, Colour]:
    """Fixed colour of each topic: the colorblind palette in the order given; "other" grey.

    Pass the topics a figure names (`sim.analysis.display_topics`): at most
    `sim.analysis.SHOWN_TOPICS` (seven), which take the palette's first seven colours, all
    distinct and none of them grey (its eighth colour, too near the grey of "other").

    Args:
        topics: topic names in scenario order.

    Returns:
        Topic name to RGB colour.
    """
    named = [t for t in topics if t != OTHER]
    palette = sns.color_palette("colorblind", max(len(named), 1))
    colours: dict[str, Colour] = {t: tuple(palette[i]) for i, t in enumerate(named)}
    if OTHER in topics:
        colours[OTHER] = OTHER_GREY
    return colours


def source_colours() -> dict[str, Colour]:
    """Fixed colour of each source group (see `SOURCE_LABELS`)."""
    palette = sns.color_palette("colorblind", 10)
    return {group: tuple(palette[i]) for group, i in _SOURCE_PALETTE_INDEX.items()}


def uncertainty_note(results: Results, interval: str = "shaded band") -> str:
    """What lines and bands mean, for a subtitle (``interval``: how the 95% interval is
    drawn, e.g. ``error bar``)."""
    if results.replications < 2:
        return "one replication, so no confidence band"
    return f"mean of {results.replications} replications; {interval}: 95% confidence interval"


@contextmanager
def plot_style(style: FigureStyle = REPORT) -> Iterator[None]:
    """The one plot style of the project in the look ``style``, for the duration of a
    ``with`` block (SVG text stays text: ``svg.fonttype = none``)."""
    context, scale = style.context
    rc = {
        **sns.axes_style("whitegrid"),
        **sns.plotting_context(context, font_scale=scale),
        "svg.fonttype": "none",
        "svg.hashsalt": "feedsim",
        "axes.titleweight": "bold",
        "figure.titleweight": "bold",
        "legend.frameon": False,
    }
    token = _CURRENT.set(style)
    try:
        with matplotlib.rc_context(rc):
            yield
    finally:
        _CURRENT.reset(token)


def arm_labels(results: Results) -> dict[str, str]:
    """What legends call each arm (variant): its name, or on slides its description when
    the scenario gives one (`arm_description`); on one line (a legend wraps its labels)."""
    described = current_style().described_arms
    return {v: (described and arm_description(results, v)) or v for v in results.variants}


def arm_names(results: Results) -> dict[str, str]:
    """`arm_labels` for panel titles and tick labels: on lines of the style's `arm_width`
    (broken at spaces and hyphens)."""
    width = current_style().arm_width
    labels = arm_labels(results)
    if width is None:
        return labels
    return {v: textwrap.fill(name, width, break_long_words=False) for v, name in labels.items()}


def contrast_names(results: Results, b: str, a: str) -> str:
    """A paired difference ``b`` minus ``a`` as a tick label: ``b\nminus a``."""
    names = arm_names(results)
    return f"{names[b]}\nminus {names[a]}"


def _grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns for n panels: one row up to three, two by two for four, else rows of
    three."""
    ncols = n if n <= 3 else 2 if n == 4 else 3
    return math.ceil(n / ncols), ncols


def panels(n: int, height: float, sharey: bool = True) -> tuple[Figure, list[Axes]]:
    """A figure with one panel per variant, in rows of at most three, sharing the y axis.

    ``height`` is the height of one row. Panels left over in the last row are hidden; every
    panel shows its x tick labels, as the rows may end at different panels.
    """
    nrows, ncols = _grid_shape(n)
    fig = figure(_PANEL_WIDTH * ncols + 0.8, height * nrows - 0.6 * (nrows - 1))
    grid = fig.subplots(nrows, ncols, sharey=sharey, squeeze=False)
    axes = [ax for row in grid for ax in row]
    for ax in axes[n:]:
        ax.set_visible(False)
    for ax in axes[:n]:
        ax.tick_params(labelbottom=True)
    return fig, axes[:n]


def row_starts(axes: Sequence[Axes]) -> list[Axes]:
    """The first panel of each row of `panels`."""
    ncols = _grid_shape(len(axes))[1]
    return list(axes[::ncols])


#: Colours of variants, in the manifest's variant order: Paul Tol's colour-blind safe
#: "muted" scheme, a different set from the topics' so that a variant is not taken for a
#: topic.
_VARIANT_HEX = (
    "#332288",
    "#CC6677",
    "#117733",
    "#DDCC77",
    "#882255",
    "#88CCEE",
    "#44AA99",
    "#999933",
    "#AA4499",
)


def variant_colours(variants: Sequence[str]) -> dict[str, Colour]:
    """Fixed colour of each variant, by its position in the manifest (see `_VARIANT_HEX`)."""
    rgb = [to_rgb(h) for h in _VARIANT_HEX]
    return {v: rgb[i % len(rgb)] for i, v in enumerate(variants)}


def variant_events(results: Results, variant: str) -> list[tuple[float, str]]:
    """`event_marks` of ``variant``: the days on which it has an event, and their labels
    (repeats of one event share one label, so one legend entry)."""
    return event_marks(results, variant)


def events_with_variants(results: Results) -> list[tuple[float, str]]:
    """`event_marks` for a figure of all variants: each names its variants unless all."""
    names = arm_labels(results)
    marks = {v: set(variant_events(results, v)) for v in results.variants}
    out = []
    for day, label in event_marks(results):
        having = [names[v] for v in results.variants if (day, label) in marks[v]]
        if having and len(having) < len(results.variants):
            label += f" (in {', '.join(having)})"
        out.append((day, label))
    return out


def no_data(ax: Axes, what: str) -> None:
    """Say in the panel that there is nothing to show."""
    ax.text(0.5, 0.5, f"no {what}", transform=ax.transAxes, ha="center", va="center")


def mark_events(ax: Axes, labels: list[tuple[float, str]]) -> list[Artist]:
    """A dashed vertical line per event day; returns the legend handles."""
    return [
        ax.axvline(day, color=DASH_GREY, linestyle="--", linewidth=1.2, label=label)
        for day, label in labels
    ]


def mark_variant_events(
    ax: Axes, results: Results, variant: str, handles: dict[str, Artist]
) -> None:
    """`mark_events` for one variant's panel; adds new legend handles to ``handles``."""
    for handle in mark_events(ax, variant_events(results, variant)):
        handles.setdefault(str(handle.get_label()), handle)


def event_legend_handles(handles: dict[str, Artist], results: Results) -> list[Artist]:
    """The event legend handles in the order of the event days."""
    order = list(dict.fromkeys(label for _, label in event_marks(results)))
    return sorted(handles.values(), key=lambda h: order.index(str(h.get_label())))


def wrap(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken at spaces only."""
    return textwrap.fill(text, width, break_on_hyphens=False, break_long_words=False)


def figure_titles(fig: Figure, title: str, results: Results, note: str) -> None:
    """The figure's title: ``title``, then a line that depends on the look in force.

    Report: the scenario's name and ``note`` (what lines and bands mean), wrapped to the
    figure's width. Slides: the scenario's `title` when it has one (`study_title`), never
    its name nor the note; wrapped to the width at the title's type size.
    """
    if current_style().notes:
        line = f"{results.manifest.get('scenario_name', '')}: {note}"
        width = max(60, int(fig.get_figwidth() * 8))
        fig.suptitle(f"{wrap(title, width)}\n{wrap(line, width)}")
        return
    fig.suptitle("\n".join(wrap(t, title_width(fig)) for t in (title, study_title(results)) if t))


def text_width(inches: float, points: float, em_per_character: float = 0.55) -> int:
    """Characters of text at ``points`` that fit ``inches`` (about 0.55 em a character;
    bold, 0.62), less a margin of two em either side; at least 20."""
    return max(20, int((inches * 72 - 4 * points) / (em_per_character * points)))


def title_width(fig: Figure) -> int:
    """Characters of a bold figure title (``figure.titlesize``) that fit the figure."""
    size = matplotlib.font_manager.FontProperties(size=matplotlib.rcParams["figure.titlesize"])
    return text_width(fig.get_figwidth(), size.get_size_in_points(), 0.62)


#: Longest line of a figure legend's label, in characters (longer labels are wrapped).
LEGEND_LABEL_WIDTH = 44


def _legend_proxy(handle: Artist, width: int = LEGEND_LABEL_WIDTH) -> Artist:
    """A copy of a legend handle with its label wrapped (the drawn artist is not changed)."""
    label = wrap(str(handle.get_label()), width)
    if isinstance(handle, Line2D):
        return Line2D(
            [],
            [],
            color=handle.get_color(),
            linestyle=handle.get_linestyle(),
            linewidth=handle.get_linewidth(),
            marker=handle.get_marker(),
            markersize=handle.get_markersize(),
            label=label,
        )
    if isinstance(handle, Patch):
        return Patch(
            facecolor=handle.get_facecolor(),
            edgecolor=handle.get_edgecolor(),
            hatch=handle.get_hatch(),
            label=label,
        )
    handle.set_label(label)
    return handle


def fitting_columns(fig: Figure, labels: Sequence[str], ncol: int) -> int:
    """At most ``ncol`` legend columns, as many as fit the figure's width side by side.

    A column is as wide as its longest label line (about 0.55 em a character at the legend's
    font size) plus the handle and the gaps between columns.
    """
    size = matplotlib.font_manager.FontProperties(size=matplotlib.rcParams["legend.fontsize"])
    em = size.get_size_in_points()
    longest = max((len(line) for label in labels for line in label.split("\n")), default=1)
    column = 0.55 * em * longest + 4.5 * em
    fit = int(fig.get_figwidth() * 72 // column)
    return max(1, min(ncol, fit, len(labels)))


def figure_legend(fig: Figure, handles: Sequence[Artist], ncol: int) -> None:
    """One legend for the whole figure, below the panels, read row by row.

    Long labels are wrapped (`LEGEND_LABEL_WIDTH`) and there are never more columns than
    fit the figure's width (`fitting_columns`), so no entry is cut off or lost.
    """
    entries = [_legend_proxy(h) for h in handles]
    ncol = fitting_columns(fig, [str(h.get_label()) for h in entries], ncol)
    nrows = math.ceil(len(entries) / ncol)
    # matplotlib fills the columns one after the other: order the entries so rows read
    # left to right
    ordered = [
        entries[r * ncol + c]
        for c in range(ncol)
        for r in range(nrows)
        if r * ncol + c < len(entries)
    ]
    fig.legend(handles=ordered, loc="outside lower center", ncol=ncol)


def legend_columns(entries: int) -> int:
    """Columns of a figure legend: one row up to eight entries, else rows of four (a long
    event label then still fits beside three others)."""
    return entries if entries <= 8 else 4


def legend_rows(fig: Figure, rows: Sequence[Sequence[Artist]]) -> None:
    """A figure legend with each group of handles on rows of its own (when they fit)."""
    rows = [r for r in rows if r]
    if not rows:
        return
    ncol = max(len(r) for r in rows)
    labels = [wrap(str(h.get_label()), LEGEND_LABEL_WIDTH) for r in rows for h in r]
    if fitting_columns(fig, labels, ncol) < ncol:  # too wide: one flowing legend
        figure_legend(fig, [h for r in rows for h in r], ncol)
        return
    blank: list[Artist] = [Line2D([], [], linestyle="none", label="") for _ in range(ncol)]
    handles = [h for r in rows[:-1] for h in [*r, *blank[len(r) :]]] + list(rows[-1])
    figure_legend(fig, handles, ncol)


def topic_handles(topics: Sequence[str], colours: dict[str, Colour]) -> list[Artist]:
    """Legend handles of ``topics``, "other" named for what it stands for."""
    return [
        Line2D([], [], color=colours[t], linewidth=2, label="other fields" if t == OTHER else t)
        for t in topics
    ]


def line_with_band(ax: Axes, band: pd.DataFrame, colour: Colour, **kwargs: Any) -> None:
    """A share's mean in percent as a line and its 95% interval as a shaded band.

    The band is a share's interval (``band_over_days(..., share=True)``), inside 0-100%.
    Nothing is drawn for an empty ``band``.
    """
    if band.empty:
        return
    ax.plot(band["day"], 100 * band["mean"], color=colour, **kwargs)
    ax.fill_between(
        band["day"],
        100 * band["lo"],
        100 * band["hi"],
        color=colour,
        alpha=_BAND_ALPHA,
        linewidth=0,
    )


#: Colours of tie kinds: peers in cool colours, strangers in orange (colorblind palette).
_KIND_PALETTE_INDEX = {"colleague": 0, "field_peer": 2, "client": 9, "offline": 4, "stranger": 1}


def kind_colours() -> dict[str, Colour]:
    """Fixed colour of each tie kind (see `KIND_LABELS`)."""
    palette = sns.color_palette("colorblind", 10)
    return {kind: tuple(palette[i]) for kind, i in _KIND_PALETTE_INDEX.items()}


def draw_band(
    ax: Axes,
    x: Any,
    band: pd.DataFrame,
    colour: Colour,
    scale: float = 1.0,
    top: float | None = None,
    **kwargs: Any,
) -> None:
    """Mean as a line, its 95% interval as a band clipped to [0, top]; nothing if empty."""
    if band.empty:
        return
    ax.plot(x, scale * band["mean"], color=colour, **kwargs)
    lo = np.clip(scale * band["lo"].to_numpy(dtype=float), 0, top)
    hi = np.clip(scale * band["hi"].to_numpy(dtype=float), 0, top)
    if kwargs.get("drawstyle") == "steps-post":
        ax.fill_between(x, lo, hi, color=colour, alpha=_BAND_ALPHA, linewidth=0, step="post")
    else:
        ax.fill_between(x, lo, hi, color=colour, alpha=_BAND_ALPHA, linewidth=0)


def stacked_width(i: int, n: int) -> float:
    """Line width of the i-th of n variants: earlier variants are drawn first and wider, so
    that a variant whose line coincides with a later one still shows as its outline."""
    return 1.5 + 0.45 * (n - 1 - i)


def identical_handles(
    frame: pd.DataFrame,
    order: Sequence[str],
    series: str = "variant",
    panel: str | None = None,
    panel_names: dict[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[Artist]:
    """Legend entries naming the variants whose lines coincide (`identical_groups`).

    ``frame`` holds the drawn values (``mean``, ``lo``, ``hi``) of every series; it is
    sorted by every other column so rows pair up. One entry per group of identical series,
    so a line hidden under another is still accounted for. With ``panel`` (a column of
    ``frame`` that picks the panel), series are compared panel by panel and the entry names
    the panel (``panel_names`` maps its values to words); series identical in every panel
    get one entry without a panel name. ``names`` maps series to what the entry calls
    them (`arm_labels`); default their values.
    """
    if frame.empty:
        return []
    called = names or {}
    if panel is None:
        return [_identical_entry(g, called) for g in _identical(frame, order, series)]
    everywhere = _identical(frame, order, series)
    entries = [_identical_entry(g, called) for g in everywhere]
    for value, part in frame.groupby(panel, sort=False):
        for group in _identical(part, order, series):
            if group not in everywhere:
                name = (panel_names or {}).get(str(value), str(value))
                entries.append(_identical_entry(group, called, f" in {name}"))
    return entries


def _identical(frame: pd.DataFrame, order: Sequence[str], series: str) -> list[list[str]]:
    """`identical_groups` of the series of ``frame``, rows paired by the other columns."""
    keys = [c for c in frame.columns if c not in ("mean", "lo", "hi", "n", series)]
    rank = {v: i for i, v in enumerate(order)}
    rows = frame.assign(_rank=frame[series].map(rank)).sort_values(["_rank", *keys])
    return identical_groups(rows, series, ["mean", "lo", "hi"])


def _identical_entry(group: Sequence[str], names: Mapping[str, str], where: str = "") -> Artist:
    """A legend entry without a line: these series are identical (their lines coincide)."""
    label = f"{list_text([names.get(s, s) for s in group])} are identical{where} (lines coincide)"
    return Line2D([], [], linestyle="none", label=label)


def variant_handles(
    results: Results, variants: Sequence[str], colours: dict[str, Colour]
) -> list[Artist]:
    """A legend line per variant in its colour, named by `arm_labels`."""
    names = arm_labels(results)
    return [Line2D([], [], color=colours[v], linewidth=2.2, label=names[v]) for v in variants]
