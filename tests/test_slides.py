"""Figures for slides (`feedsim figures DIR --style slides`), legends of repeated events, and
the sensitivity figures in the units of every other figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.analysis import event_marks, figure_names, load_results
from sim.cli.drawing import FIGURE_STYLES
from sim.figures import DRAW
from sim.figures.sensitivity import claim_figure, morris_figure
from sim.figures.style import REPORT, SLIDES, STYLES, FigureStyle, plot_style
from sim.sensitivity.outcomes import OUTCOMES, Outcome
from tests.test_cli import invoke
from tests.test_figures import VARIANTS, svg_flow, svg_lines, write_results

SLUG = "recruiter-burst-study"
TITLE = "A recruiter says yes to 150 IT professionals"
DESCRIPTIONS = {
    "baseline": "The recruiter keeps linking selectively.",
    "accept-100-it": "Accepts 15 invitations from IT a day for ten days.",
    "accept-100-it-no-connection-term": "",  # no description: the arm keeps its name
}
#: Ten bursts of 15 IT invitations, days 10-19, in the two arms other than the baseline.
BURSTS = [
    {"day": d, "action": "accept_invitations", "member": "recruiter", "count": 15, "field": "it"}
    for d in range(10, 20)
]
BURST_LABEL = "recruiter accepts 150 invitations from it, days 10–19"


def slides_folder(root: Path) -> Path:
    """`write_results` with a scenario slug, title, arm descriptions and ten bursts."""
    write_results(root)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["scenario_name"] = SLUG
    manifest["scenario"]["base"] |= {"name": SLUG, "title": TITLE}
    manifest["variant_descriptions"] = DESCRIPTIONS
    manifest["event_days"] = [float(d) for d in range(10, 20)]
    manifest["events"] = {v: BURSTS if i else [] for i, v in enumerate(VARIANTS)}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def slides(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder, with its figures drawn for slides through the command line."""
    root = slides_folder(tmp_path_factory.mktemp("slides"))
    result = invoke("figures", root, "--style", "slides")
    assert result.exit_code == 0, result.output
    return root


def test_slides_go_to_their_own_folder_under_the_report_names(slides: Path) -> None:
    names = figure_names(load_results(slides))
    drawn = sorted(p.name for p in (slides / "figures" / "slides").iterdir())
    assert drawn == sorted(f"{n}.{ext}" for n in names for ext in ("png", "svg"))
    # the report and its figures are left alone
    assert not list((slides / "figures").glob("*.svg")) and not (slides / "report.html").exists()


def svg_size(path: Path) -> tuple[float, float]:
    """Width and height of an SVG in points, from its root element."""
    head = path.read_text(encoding="utf-8")[:2000]
    match = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', head)
    assert match, path
    return float(match[1]), float(match[2])


def test_every_slide_is_16_by_9_with_no_scenario_slug_and_no_statistical_note(
    slides: Path,
) -> None:
    for path in sorted((slides / "figures" / "slides").glob("*.svg")):
        width, height = svg_size(path)
        assert width / height == pytest.approx(16 / 9, abs=1e-3), path.name
        lines = svg_lines(path)  # svg.fonttype none: the text is there as text
        assert lines, path.name
        assert not [t for t in lines if SLUG in t], path.name
        flow = svg_flow(path)
        assert TITLE in flow, path.name
        assert "mean of 3 replications" not in flow, path.name


def test_slide_titles_are_the_heading_and_the_scenario_title(slides: Path) -> None:
    results = load_results(slides)
    with plot_style(SLIDES):
        fig = DRAW["feed_by_topic"](results)
    assert fig.get_suptitle() == f"What the recruiter's feed shows, by topic\n{TITLE}"
    with plot_style(REPORT):
        fig = DRAW["feed_by_topic"](results)
    assert SLUG in fig.get_suptitle() and "confidence" in fig.get_suptitle()


def legend_labels(fig: Figure) -> list[str]:
    return [t.get_text().replace("\n", " ") for lg in fig.legends for t in lg.get_texts()]


def test_arms_are_named_by_their_descriptions_on_slides(slides: Path) -> None:
    flow = svg_flow(slides / "figures" / "slides" / "reach_over_time.svg")
    assert "The recruiter keeps linking selectively" in flow
    assert "accept-100-it-no-connection-term" in flow  # no description: its name
    assert "baseline" not in svg_lines(slides / "figures" / "slides" / "feed_by_topic.svg")


@pytest.mark.parametrize("style", [REPORT, SLIDES])
def test_ten_bursts_of_one_field_are_one_legend_entry(slides: Path, style: FigureStyle) -> None:
    results = load_results(slides)
    with plot_style(style):
        for name in ("feed_by_topic", "reach_over_time", "connections_over_time"):
            labels = legend_labels(DRAW[name](results))
            events = [t for t in labels if "invitations from it," in t]
            assert len(events) == 1, (name, events)
            assert events[0].startswith(BURST_LABEL)


def test_repeated_events_collapse_and_one_off_events_keep_their_day(tmp_path: Path) -> None:
    root = write_results(tmp_path)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    prune = {"action": "prune", "member": "recruiter", "kinds": ["stranger"]}
    manifest["event_days"] = [5.0, 10.0, 12.0, 14.0, 15.0]
    manifest["events"] = {
        "baseline": [
            {"day": 10, "action": "accept_invitations", "member": "recruiter", "count": 100}
            | {"field": "it"},
        ],
        "accept-100-it": [
            *[{**BURSTS[0], "day": d, "count": 20} for d in (10, 12, 14)],
            {**BURSTS[0], "day": 12, "field": "hr"},
            prune | {"day": 5},
            prune | {"day": 15},
        ],
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    results = load_results(root)
    assert event_marks(results, "accept-100-it") == [
        (5.0, "recruiter removes the stranger connections never heard from, days 5 and 15"),
        (10.0, "recruiter accepts 60 invitations from it, days 10–14"),
        (12.0, "recruiter accepts 60 invitations from it, days 10–14"),
        (12.0, "day 12: recruiter accepts 15 invitations from hr"),
        (14.0, "recruiter accepts 60 invitations from it, days 10–14"),
        (15.0, "recruiter removes the stranger connections never heard from, days 5 and 15"),
    ]
    assert event_marks(results, "baseline") == [
        (10.0, "day 10: recruiter accepts 100 invitations from it")
    ]
    assert event_marks(results, "accept-100-it-no-connection-term") == []


def morris_table() -> tuple[pd.DataFrame, list[Outcome]]:
    """Hand-made Morris indices: a share (primary reach) and a count (viewers per post)."""
    share, count = OUTCOMES[0], OUTCOMES[1]
    assert share.percent and not count.percent
    rows = [
        {"outcome": o.name, "parameter": p, "mu_star": mu, "sigma": sd, "mu_star_conf": 0.25 * mu}
        for o, scale in ((share, 0.01), (count, 1.0))
        for p, mu, sd in (
            ("behaviour.like_rate", 0.5 * scale, 0.25 * scale),
            ("platform.test_audience_share", 2.0 * scale, 1.0 * scale),
        )
    ]
    return pd.DataFrame(rows), [share, count]


def title_fits(fig: Figure) -> bool:
    """Whether the figure's title lies inside the figure once drawn."""
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    title = fig._suptitle
    assert title is not None
    box = title.get_window_extent()
    return bool(box.x0 >= 0 and box.x1 <= fig.bbox.x1 and box.y1 <= fig.bbox.y1)


@pytest.mark.parametrize("style", [REPORT, SLIDES])
def test_morris_values_are_in_percentage_points_and_its_title_fits(style: FigureStyle) -> None:
    indices, outcomes = morris_table()
    with plot_style(style):
        fig = morris_figure(indices, outcomes)
        assert title_fits(fig)
    share_ax, count_ax = fig.axes[:2]
    assert "(percentage points)" in share_ax.get_xlabel()
    assert share_ax.get_ylabel() == "sigma (percentage points)"
    assert count_ax.get_ylabel() == "sigma (viewers per post)"
    # the points: mu* of 0.005 and 0.02 (shares) drawn at 0.5 and 2 pp; the count as it is
    drawn = [np.sort(np.asarray(d, float)).tolist() for d in share_ax.lines[0].get_data()]
    assert drawn == [pytest.approx([0.5, 2.0]), pytest.approx([0.25, 1.0])]
    assert np.sort(np.asarray(count_ax.lines[0].get_xdata(), float)).tolist() == [0.5, 2.0]


def test_the_claim_map_states_a_share_threshold_in_percent() -> None:
    from types import SimpleNamespace

    from sim.sensitivity.ranges import Parameter

    share = OUTCOMES[0]  # primary reach <= 0.1
    parameter = Parameter("behaviour.like_rate", 0.0, 1.0)
    plan = SimpleNamespace(parameters=(parameter,), x=np.array([[0.1], [0.9]]), outcomes=(share,))
    points = pd.DataFrame({share.name: [0.05, 0.2]})
    claims = pd.DataFrame(
        [{"outcome": share.name, "first": parameter.path, "second": "", "share": 0.5}]
    )
    with plot_style(SLIDES):
        fig = claim_figure(plan, points, claims)  # a stand-in for the plan
        assert title_fits(fig)
    assert "<= 10%: holds at 50% of points" in fig.axes[0].get_title().replace("\n", " ")


def test_the_command_offers_every_style() -> None:
    assert tuple(STYLES) == FIGURE_STYLES
    assert "slides" in invoke("figures", "--help").output
