"""Figures drawn from a saved results folder (never from a running simulation).

`draw_figures` writes every figure as PNG (150 dpi) and SVG into ``RESULTS_DIR/figures/``
(the report's look), or into ``RESULTS_DIR/figures/slides/`` in the look for slides (16:9,
large type, plain titles: `sim.figures.style.STYLES`), under the same names.
One module per family of figures (`feed`, `volume`, `posts`, `ties`, `effects`, `trend`),
all drawn in the one style of `style`; every figure is declared (name, heading, the data it
needs) in `sim.analysis.catalogue`, and `DRAW` attaches its drawing function to that name;
which figures a folder gets is `sim.analysis.catalogue.figure_names`. SVG text stays text
(``svg.fonttype = none``), so labels can be searched and the files stay small.

This package and nothing else in feedsim imports matplotlib or seaborn; it reads its numbers
and words from `sim.analysis` only.
"""

from __future__ import annotations

import dataclasses
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure

from sim.analysis import Results, figure_names, load_results
from sim.figures.effects import effects_forest, reach_region
from sim.figures.feed import beliefs_vs_truth, feed_by_source, feed_by_topic, focus_effect
from sim.figures.funnel import exposure_funnel
from sim.figures.posts import engagement_by_source, primary_reach, reach_over_time
from sim.figures.style import DPI, REPORT, FigureStyle, plot_style
from sim.figures.sweeps import sweep_figure
from sim.figures.ties import connections_over_time, ties_never_heard
from sim.figures.trend import (
    trend_adoption,
    trend_feed_similarity,
    trend_feed_sources,
    trend_reach,
    trend_reach_vs_adoption,
)
from sim.figures.volume import feed_volume

#: The drawing function of every figure declared in `sim.analysis.catalogue.FIGURES`, by its
#: name (tests/test_registries.py checks that the names are the same).
DRAW: dict[str, Callable[[Results], Figure]] = {
    "feed_by_topic": feed_by_topic,
    "beliefs_vs_truth": beliefs_vs_truth,
    "feed_by_source": feed_by_source,
    "feed_volume": feed_volume,
    "focus_effect": focus_effect,
    "reach_over_time": reach_over_time,
    "primary_reach": primary_reach,
    "engagement_by_source": engagement_by_source,
    "ties_never_heard": ties_never_heard,
    "connections_over_time": connections_over_time,
    "exposure_funnel": exposure_funnel,
    "effects_forest": effects_forest,
    "reach_region": reach_region,
    "sweep_outcomes": sweep_figure,
    "trend_adoption": trend_adoption,
    "trend_reach": trend_reach,
    "trend_reach_vs_adoption": trend_reach_vs_adoption,
    "trend_feed_sources": trend_feed_sources,
    "trend_feed_similarity": trend_feed_similarity,
}


class FiguresFailed(Exception):
    """Some figures could not be drawn; the others were.

    Attributes:
        failures: each failed figure's name and the exception it raised, in drawing order.
        drawn: the names of the figures that were drawn.
    """

    def __init__(self, failures: dict[str, Exception], drawn: list[str]) -> None:
        self.failures = failures
        self.drawn = drawn
        named = "; ".join(f"{name} ({type(exc).__name__}: {exc})" for name, exc in failures.items())
        plural = "s" if len(failures) > 1 else ""
        super().__init__(f"could not draw figure{plural} {named}")


def draw_figures(
    results_dir: Path,
    names: Sequence[str] | None = None,
    style: FigureStyle = REPORT,
    all_pairs: bool = False,
) -> list[Path]:
    """Draw the figures of a results folder into ``results_dir/figures/`` (the folder of
    ``style``: ``figures/slides/`` for slides).

    A figure that fails does not stop the others: every figure is attempted, then
    `FiguresFailed` names those that failed (their traceback is kept in
    ``figures/NAME.error.txt``).

    Args:
        results_dir: a folder written by the experiment runner.
        names: draw only these of `figure_names` (in that order); default all of them.
        style: the look (`sim.figures.style.STYLES`); default the report's.
        all_pairs: draw every pair of variants, not only the scenario's comparisons
            (`Results.all_pairs`).

    Returns:
        The written files, a PNG (150 dpi) and an SVG per figure.

    Raises:
        InputError: the folder lacks the manifest or a table (see `load_results`).
        ValueError: a name in ``names`` is not a figure this folder has data for.
        FiguresFailed: a figure raised an exception.
    """
    results = dataclasses.replace(load_results(results_dir), all_pairs=all_pairs)
    available = figure_names(results)
    if names is not None:
        unknown = [n for n in names if n not in available]
        if unknown:
            raise ValueError(f"no data for figure(s) {', '.join(unknown)}: have {available}")
    out = results_dir / style.folder
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    failures: dict[str, Exception] = {}
    with plot_style(style):
        for name in available if names is None else [n for n in available if n in names]:
            (out / f"{name}.error.txt").unlink(missing_ok=True)
            try:
                paths += _save(DRAW[name](results), out, name)
            except Exception as exc:
                failures[name] = exc
                (out / f"{name}.error.txt").write_text("".join(traceback.format_exception(exc)))
    if failures:
        drawn = [p.stem for p in paths if p.suffix == ".png"]
        raise FiguresFailed(failures, drawn)
    return paths


def _save(fig: Figure, folder: Path, name: str) -> list[Path]:
    """Save ``fig`` as ``NAME.png`` (150 dpi) and ``NAME.svg``, byte-stable across runs."""
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    fig.savefig(png, dpi=DPI, metadata={"Software": None})
    fig.set_layout_engine("none")  # laid out by the first save: the SVG reuses it
    fig.savefig(svg, metadata={"Date": None})
    return [png, svg]
