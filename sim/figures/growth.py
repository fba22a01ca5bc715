"""The growth curves of ``feedsim bench growth`` (:mod:`sim.growth`): how the simulation
time grows with members, simulated days and density, one log-log panel each."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter, NullFormatter

from sim.figures.style import DASH_GREY, DPI
from sim.growth import AXIS, Point, exponent, per_candidate

PLAIN = FuncFormatter(lambda value, _: f"{value:g}")
"""Log-scale ticks as plain numbers (10, not 10^1)."""
TWO_AND_FIVE = FuncFormatter(
    lambda value, _: f"{value:g}" if f"{value:g}".lstrip("0.")[:1] in ("2", "5") else ""
)
"""Minor log-scale ticks labelled at 2 and 5 times a power of ten only (1, 2, 5, 10, 20)."""


def draw_growth_figure(points: list[Point], path: Path) -> None:
    """Draw the growth curves into `path` (PNG): one column per series.

    The top panel shows the simulation and setup time at each point, the linear growth
    through the first point (dashed) and, in its title, the fitted growth exponent of the
    simulation time; the bottom one the simulation time per candidate scored.
    """
    names = list(dict.fromkeys(p.series for p in points))
    fig, axes = plt.subplots(
        2,
        len(names),
        figsize=(4.5 * len(names), 7.6),
        constrained_layout=True,
        squeeze=False,
        sharex="col",
        height_ratios=(3, 2),
    )
    for column, series in enumerate(names):
        ax, unit_ax = axes[0][column], axes[1][column]
        own = [p for p in points if p.series == series]
        x = np.array([p.x for p in own])
        simulation = np.array([p.result["simulation_seconds"] for p in own])
        setup = np.array([p.result["setup_seconds"] for p in own])
        ax.plot(x, simulation, "o-", color="tab:blue", label="simulation")
        ax.plot(x, setup, "s-", color="tab:gray", alpha=0.7, label="setup (network, follows)")
        ax.plot(
            x, simulation[0] * x / x[0], "--", color=DASH_GREY, label="linear from the first point"
        )
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(PLAIN)
        ax.yaxis.set_minor_formatter(TWO_AND_FIVE)
        ax.set_ylabel("wall time (s, log scale)")
        ax.set_title(f"By {series}: simulation time ~ $x^{{{exponent(own):.2f}}}$")
        unit = [per_candidate(p) for p in own]
        unit_ax.plot(x, unit, "o-", color="tab:green")
        unit_ax.set_ylim(0, max(unit) * 1.25)
        unit_ax.set_ylabel("simulation µs per candidate")
        unit_ax.set_title(
            f"per candidate scored ~ $x^{{{exponent(own, per_candidate):.2f}}}$", fontsize="medium"
        )
        unit_ax.set_xscale("log")
        unit_ax.set_xticks(x, [f"{value:,.0f}" for value in x])
        unit_ax.xaxis.set_minor_formatter(NullFormatter())
        unit_ax.set_xlabel(f"{AXIS[series]} (log scale)")
        for each in (ax, unit_ax):
            each.grid(True, which="both", alpha=0.3)
    axes[0][0].legend(loc="upper left", fontsize="small")
    fig.suptitle(
        "How feedsim's cost grows with the workload (synthetic network, linkedin preset,"
        " one run per point)"
    )
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
