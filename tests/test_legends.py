"""Figure legends: every entry shown in full, inside the figure, off the data; identical
lines said to be identical."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.figures.style import figure_legend, identical_handles, legend_rows, plot_style

EVENTS = [
    "day 20: rep accepts 50 invitations from marketing",
    "day 60: rep removes the stranger connections never heard from",
]
TOPICS = ["finance", "it", "hr", "sales", "marketing"]


def legend_texts(fig: Figure) -> list[str]:
    """The labels of the figure's legends, with wrapped lines joined again."""
    return [t.get_text().replace("\n", " ") for lg in fig.legends for t in lg.get_texts()]


def inside(fig: Figure) -> bool:
    """Whether every figure legend lies inside the figure and below every panel."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    box = fig.bbox
    panels_bottom = min(ax.get_window_extent(renderer).y0 for ax in fig.axes)
    for legend in fig.legends:
        extent = legend.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1:
            return False
        if extent.y1 > panels_bottom:
            return False
    return True


def test_two_events_and_five_topics_all_fit_below_the_panels() -> None:
    with plot_style():
        fig = Figure(figsize=(10, 5), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(1, 2)
        handles = [Line2D([], [], color="C0", label=t) for t in TOPICS]
        handles += [
            axes[1].axvline(d, linestyle="--", label=e)
            for d, e in zip((20, 60), EVENTS, strict=True)
        ]
        figure_legend(fig, handles, len(handles))
        fig.canvas.draw()
    assert sorted(legend_texts(fig)) == sorted([*TOPICS, *EVENTS])
    assert inside(fig)
    # the drawn event lines keep their full labels
    assert [line.get_label() for line in axes[1].lines] == EVENTS


def test_grouped_rows_that_are_too_wide_flow_into_one_legend() -> None:
    with plot_style():
        fig = Figure(figsize=(6, 4), layout="constrained")
        FigureCanvasAgg(fig)
        fig.subplots()
        rows = [
            [Line2D([], [], label=t) for t in TOPICS],
            [Line2D([], [], label=e) for e in EVENTS],
        ]
        legend_rows(fig, rows)
        fig.canvas.draw()
    assert sorted(t for t in legend_texts(fig) if t) == sorted([*TOPICS, *EVENTS])
    assert inside(fig)


def test_identical_lines_are_named_in_the_legend() -> None:
    rows = []
    for variant, shift in [("baseline", 0.0), ("burst", 1.0), ("burst-no-inference", 1.0)]:
        for day in range(3):
            rows.append({"variant": variant, "day": day, "mean": day + shift, "lo": 0.0, "hi": 5.0})
    frame = pd.DataFrame(rows)
    labels = [
        h.get_label() for h in identical_handles(frame, ["baseline", "burst", "burst-no-inference"])
    ]
    assert labels == ["burst and burst-no-inference are identical (lines coincide)"]
    frame.loc[frame.index[-1], "mean"] += 0.5
    assert identical_handles(frame, ["baseline", "burst", "burst-no-inference"]) == []


def test_lines_identical_in_one_panel_only_are_named_with_the_panel() -> None:
    rows = []
    for measure, shift in [("primary", 0.0), ("engagement_driven", 1.0)]:
        for variant in ("a", "b"):
            own = shift if variant == "b" else 0.0
            for day in range(3):
                rows.append(
                    {"variant": variant, "measure": measure, "day": day, "mean": day + own}
                    | {"lo": 0.0, "hi": 9.0}
                )
    frame = pd.DataFrame(rows)
    names = {"primary": "primary reach"}
    handles = identical_handles(frame, ["a", "b"], panel="measure", panel_names=names)
    assert [h.get_label() for h in handles] == [
        "a and b are identical in primary reach (lines coincide)"
    ]
