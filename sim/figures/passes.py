"""The cost model of ``feedsim bench passes`` (:mod:`sim.passes`): each pass's time per scored
candidate, against its floor."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from sim.figures.style import DPI


def draw_passes_figure(table: list[dict[str, Any]], result: dict[str, Any], path: Path) -> None:
    """Draw the passes' nanoseconds per scored candidate as horizontal bars (largest at the
    top), each with its floor (the bytes it touches at the measured memory bandwidth,
    converted to per scored candidate) as a dark bar inside, into `path` (PNG)."""
    rows = result["rows"]
    ordered = sorted(table, key=lambda row: row["ns_per_scored"])
    names = [row["pass"] for row in ordered]
    spent = np.array([row["ns_per_scored"] for row in ordered])
    floor = np.array(
        [
            row["floor_ns_per_row"] * rows[row["rows"]] / rows["scored"]
            if row["rows"] and not math.isnan(row["floor_ns_per_row"])
            else 0.0
            for row in ordered
        ]
    )
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(names) + 1.8), constrained_layout=True)
    y = np.arange(len(names))
    ax.barh(y, spent, color="tab:blue", alpha=0.75, label="measured")
    ax.barh(
        y,
        floor,
        height=0.4,
        color="black",
        label=f"floor: its bytes at {result['bandwidth'] / 1e9:.0f} GB/s (a parallel copy)",
    )
    for position, value, row in zip(y, spent, ordered, strict=True):
        ax.text(value, float(position), f" {value:,.0f} ns ({row['share']:.0%})", va="center")
    ax.set_yticks(y, names)
    ax.set_xlim(0, spent.max() * 1.3)
    ax.set_xlabel("nanoseconds of simulation time per scored candidate (share of the run)")
    ax.legend(loc="lower right")
    ax.grid(True, axis="x", alpha=0.3)
    ax.set_title(
        f"Where a run's time goes, pass by pass\n{result['workload']}, {result['days']} days:"
        f" {rows['scored']:,} candidates scored in {result['simulation_seconds']:.1f} s"
    )
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
