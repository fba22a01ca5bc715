"""The scorecard figure: for every banded validation result, feedsim's value with its 95%
interval against the published band, one row per band, coloured by the verdict; a band
listed as calibration (docs/validation.md, rules 4 and 5) says so in its title."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis.validation.bands import BandResult
from sim.figures.style import DPI, plot_style, wrap

VERDICT_COLOURS = {
    "agrees": "#1b9e77",
    "disagrees": "#d95f02",
    "inconclusive": "#7570b3",
    "not comparable": "0.6",
    "reported": "0.35",
}
"""One colour per verdict (colourblind-safe Dark2 hues, greys for no verdict)."""


def _limits(row: BandResult) -> tuple[float, float]:
    """The x range of a row: its band and its interval, with a margin."""
    values = [
        v
        for v in (
            row.low,
            row.high,
            *(() if row.estimate is None else (row.estimate.low, row.estimate.high)),
            None if row.estimate is None else row.estimate.value,
        )
        if v is not None and not math.isnan(v)
    ]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    margin = 0.15 * (high - low or abs(high) or 1.0)
    return low - margin, high + margin


def draw_scorecard(rows: Sequence[BandResult], folder: Path, name: str = "scorecard") -> Path:
    """Draw ``NAME.png`` and ``NAME.svg`` in `folder`; returns the PNG's path.

    Each banded row is its own panel on its own scale (bands are in percent, points, days or
    ratios): the band is shaded (a one-sided band reaches the panel's edge), the point is
    feedsim's estimate and the bar its 95% interval across replications.
    """
    shown = [
        r for r in rows if r.estimate is not None and (r.low is not None or r.high is not None)
    ]
    with plot_style():
        fig = Figure(figsize=(8.5, 0.9 * max(len(shown), 1) + 1.6), layout="constrained")
        axes = fig.subplots(max(len(shown), 1), 1, squeeze=False)[:, 0]
        for ax, row in zip(axes, shown, strict=False):
            assert row.estimate is not None
            left, right = _limits(row)
            band_low = left if row.low is None else row.low
            band_high = right if row.high is None else row.high
            ax.axvspan(band_low, band_high, color="0.85", zorder=0)
            colour = VERDICT_COLOURS[row.verdict]
            est = row.estimate
            if not (math.isnan(est.low) or math.isnan(est.high)):
                ax.hlines(0, est.low, est.high, color=colour, linewidth=3)
            ax.plot([est.value], [0], "o", color=colour, markersize=8)
            ax.set_xlim(left, right)
            ax.set_yticks([0], [f"{row.band}"])
            ax.set_ylim(-1, 1)
            unit = row.unit.strip() or "value"
            ax.set_xlabel(f"{wrap(row.quantity, 95)} ({unit})", fontsize=8)
            kind = " (calibration, not validation)" if row.calibration else ""
            ax.set_title(
                f"{row.band}{kind}: {row.verdict}; band {row.criterion}", fontsize=9, loc="left"
            )
        if not shown:
            axes[0].text(0.5, 0.5, "no banded result yet", ha="center", va="center")
            axes[0].set_axis_off()
        fig.suptitle("feedsim against published measurements: value and 95% CI vs the band")
        handles = [Patch(color="0.85", label="published band (agreement)")] + [
            Patch(color=c, label=v) for v, c in VERDICT_COLOURS.items() if v != "reported"
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
        png, svg = folder / f"{name}.png", folder / f"{name}.svg"
        fig.savefig(png, dpi=DPI, metadata={"Software": None})
        fig.set_layout_engine("none")
        fig.savefig(svg, metadata={"Date": None})
    return png
