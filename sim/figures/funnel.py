"""The exposure funnel: per member of each arm, the viewer-post pairs of every relation at
each stage (created, candidates, read, engaged), on a log scale."""

from __future__ import annotations

from typing import Literal

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis import Results
from sim.analysis.funnel import RELATION_LABELS, funnel_per_member
from sim.figures.style import arm_names, figure_legend, figure_titles, panels, source_colours
from sim.table_schema import FUNNEL_STAGES

STAGE_LABELS = ("created\n(potential)", "candidates", "read", "engaged")
"""Tick labels of the stages (:data:`sim.table_schema.FUNNEL_STAGES`)."""
ARM_STYLES: tuple[Literal["-", "--", ":", "-."], ...] = ("-", "--", ":", "-.")
"""Line style of each arm, in the order the table lists them."""


def exposure_funnel(results: Results) -> Figure:
    """One panel per variant: a line per relation and arm through the four stages, the
    mean over replications with its 95% interval as error bars."""
    data = funnel_per_member(results)
    fig, axes = panels(len(results.variants), 4.0)
    colours = source_colours()
    arms = list(dict.fromkeys(data["arm"]))
    handles: dict[str, Line2D] = {}
    x = np.arange(len(FUNNEL_STAGES))
    names = arm_names(results)
    for ax, variant in zip(axes, results.variants, strict=True):
        rows = data[data["variant"] == variant]
        for (arm, relation), group in rows.groupby(["arm", "relation"], sort=False):
            values = group.set_index("stage").reindex(list(FUNNEL_STAGES))
            mean = values["mean"].to_numpy(float)
            if not np.nansum(mean) > 0:
                continue  # a relation nobody had (no strangers in this network)
            err = np.vstack(
                [mean - values["lo"].to_numpy(float), values["hi"].to_numpy(float) - mean]
            )
            label = RELATION_LABELS[str(relation)] + (f" ({arm})" if len(arms) > 1 else "")
            style = ARM_STYLES[arms.index(arm) % len(ARM_STYLES)]
            colour = colours[str(relation)]
            ax.errorbar(
                x,
                np.where(mean > 0, mean, np.nan),
                yerr=np.nan_to_num(err),
                color=colour,
                linestyle=style,
                marker="o",
                capsize=2,
            )
            handles[label] = Line2D([], [], color=colour, linestyle=style, marker="o", label=label)
        ax.set_yscale("log")
        ax.set_xticks(x, STAGE_LABELS)
        ax.set_title(names[variant])
        ax.set_ylabel("posts per member over the run")
    figure_titles(
        fig,
        "The exposure funnel: posts created, candidates, read and engaged with",
        results,
        "posts per member of each arm, by relation to the author at posting; mean over"
        " replications, bars 95% CI",
    )
    figure_legend(fig, list(handles.values()), min(len(handles), 5))
    return fig
