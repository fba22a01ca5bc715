"""A study on a real (file) network runs through every figure and the report, and a failure
after the simulation never loses the finished tables.

The network is written here: a few hundred members in 14 labelled departments, so the test
does not depend on any data folder. A second test uses email-Eu-core when it is present.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner, Result

import sim.figures
from sim.analysis import figure_names, load_results
from sim.bench import data_folder
from sim.cli import main

DEPARTMENTS = 14
FOCAL_DEPARTMENT = "dept-0"
BURST_DEPARTMENT = "dept-3"


def labelled_graph(folder: Path, seed: int = 5) -> tuple[Path, Path]:
    """A stochastic block model of 14 departments (sizes 10 to 62) as an edge list and labels.

    Members link within their department with probability 0.25 and across with 0.012.
    """
    rng = np.random.default_rng(seed)
    sizes = [62, 48, 40, 36, 30, 26, 22, 20, 18, 16, 14, 12, 11, 10]
    labels = np.repeat(np.arange(DEPARTMENTS), sizes)
    same = labels[:, None] == labels[None, :]
    draws = rng.random((labels.size, labels.size)) < np.where(same, 0.25, 0.012)
    u, v = np.nonzero(np.triu(draws, k=1))
    edges, label_file = folder / "edges.txt", folder / "labels.txt"
    edges.write_text("".join(f"{a} {b}\n" for a, b in zip(u, v, strict=True)))
    label_file.write_text("".join(f"{node} {dept}\n" for node, dept in enumerate(labels)))
    return edges, label_file


def study(edges: Path, labels: Path, burst: bool = True) -> dict[str, Any]:
    """A member of the largest department; with ``burst``, 15 invitations accepted on day 10."""
    variants: list[dict[str, Any]] = [{"name": "baseline"}]
    if burst:
        event = {"day": 10, "action": "accept_invitations", "member": "member"}
        event |= {"count": 15, "field": BURST_DEPARTMENT}
        variants.append({"name": "accept-15", "events": [event]})
    return {
        "name": "departments",
        "duration_days": 30,
        "replications": 3,
        "slice_hours": 6,
        "seed": 11,
        "network": {
            "source": "file",
            "edges": str(edges),
            "labels": str(labels),
            "label_prefix": "dept-",
        },
        "focal": [{"name": "member", "field": FOCAL_DEPARTMENT, "sessions_per_day": 3}],
        "variants": variants,
    }


def run(scenario: dict[str, Any], folder: Path, *args: str) -> Result:
    """``feedsim run`` of ``scenario`` (written into ``folder``) into ``folder/out``."""
    path = folder / f"{scenario['name']}.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return CliRunner().invoke(main, ["run", str(path), "--out", str(folder / "out"), *args])


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A usual umask for the duration of a test."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture(scope="module")
def departments(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The departments study with a burst, run once through figures and report."""
    folder = tmp_path_factory.mktemp("departments")
    result = run(study(*labelled_graph(folder)), folder, "--quiet")
    return folder / "out" / "departments", result


def test_a_file_network_study_draws_every_figure_and_the_report(
    departments: tuple[Path, Result],
) -> None:
    root, result = departments
    assert result.exit_code == 0, result.output
    results = load_results(root)
    assert results.manifest["topics"] == [f"dept-{d}" for d in range(DEPARTMENTS)]
    assert results.focus_topic == BURST_DEPARTMENT
    names = figure_names(results)
    assert {"feed_by_topic", "beliefs_vs_truth", "focus_effect", "effects_forest"} <= set(names)
    for name in names:
        assert (root / "figures" / f"{name}.png").stat().st_size > 0, name
        assert (root / "figures" / f"{name}.svg").stat().st_size > 0, name
    assert not list((root / "figures").glob("*.error.txt"))
    page = (root / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(names)


def test_many_fields_show_the_largest_and_group_the_rest(
    departments: tuple[Path, Result],
) -> None:
    root, _ = departments
    feed = (root / "figures" / "feed_by_topic.svg").read_text(encoding="utf-8")
    assert "no feed impressions recorded" not in feed
    assert "other fields" in feed
    named = {f"dept-{d}" for d in range(DEPARTMENTS) if re.search(rf"\bdept-{d}\b", feed)}
    assert FOCAL_DEPARTMENT in named and BURST_DEPARTMENT in named
    assert len(named) <= 7  # the rest are "other"
    beliefs = (root / "figures" / "beliefs_vs_truth.svg").read_text(encoding="utf-8")
    assert "other fields" in beliefs


def test_the_report_keeps_shares_inside_0_and_100(departments: tuple[Path, Result]) -> None:
    report = (departments[0] / "report.md").read_text(encoding="utf-8")
    shares = re.findall(r"share of the feed was ([\d.]+)% \(95% CI ([\d.]+)–([\d.]+)\)", report)
    assert len(shares) == 1, "the baseline's share of the burst department, with an interval"
    percent = re.findall(r"(-?[\d.]+)% \((?:95% CI )?(-?[\d.]+)(?:–| to )(-?[\d.]+)\)", report)
    assert percent
    for mean, lo, hi in percent:
        assert 0.0 <= float(lo) <= float(mean) <= float(hi) <= 100.0, (mean, lo, hi)
    assert "the member's" in report


def test_the_results_folder_takes_the_umask(tmp_path: Path, umask_022: None) -> None:
    edges, labels = labelled_graph(tmp_path)
    scenario = study(edges, labels, burst=False) | {"replications": 1, "duration_days": 3}
    result = run(scenario, tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "departments").stat().st_mode & 0o777 == 0o755


def test_a_failing_figure_keeps_the_tables_names_the_figure_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(results: Any) -> Any:
        raise KeyError("no colour for dept-3")

    monkeypatch.setitem(sim.figures.DRAW, "focus_effect", broken)
    result = run(study(*labelled_graph(tmp_path)), tmp_path, "--quiet")
    root = tmp_path / "out" / "departments"
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "focus_effect" in lines[0] and "no colour for dept-3" in lines[0]
    assert f"kept in {root}/" in lines[0] and f"feedsim figures {root}" in lines[0]
    assert "Traceback" not in result.output
    # the finished simulation is kept: tables, manifest, the other figures, the report
    assert json.loads((root / "manifest.json").read_text())["scenario_name"] == "departments"
    assert len(list((root / "tables").glob("*.parquet"))) >= 4
    assert (root / "figures" / "feed_by_topic.png").is_file()
    assert not (root / "figures" / "focus_effect.png").exists()
    assert "KeyError" in (root / "figures" / "focus_effect.error.txt").read_text()
    assert "Not drawn: Effect on the focus topic" in (root / "report.md").read_text()
    assert not list(tmp_path.joinpath("out").glob(".departments.*"))  # no staging left
    # once fixed, `feedsim figures` redraws what was missing
    monkeypatch.undo()
    redraw = CliRunner().invoke(main, ["figures", str(root)])
    assert redraw.exit_code == 0, redraw.output
    assert (root / "figures" / "focus_effect.png").is_file()
    assert not (root / "figures" / "focus_effect.error.txt").exists()
    assert "Not drawn" not in (root / "report.md").read_text()


def test_feedsim_figures_names_a_figure_that_still_fails(
    departments: tuple[Path, Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(results: Any) -> Any:
        raise ValueError("still broken")

    monkeypatch.setitem(sim.figures.DRAW, "beliefs_vs_truth", broken)
    copy = tmp_path / "copy"
    copy.mkdir()
    for part in ("manifest.json", "tables"):
        os.symlink(departments[0] / part, copy / part)
    result = CliRunner().invoke(main, ["figures", str(copy)])
    assert result.exit_code == 1
    assert "beliefs_vs_truth (ValueError: still broken)" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


EMAIL = ("email-Eu-core.txt", "email-Eu-core-department-labels.txt")


def test_email_eu_core_with_a_burst_runs_to_its_report(tmp_path: Path) -> None:
    """The real network of the bug report: 1,005 members, 42 departments."""
    folder = data_folder()
    if not all((folder / name).is_file() for name in EMAIL):
        pytest.skip(f"email-Eu-core not found in {folder} (set FEEDSIM_DATA to its folder)")
    scenario = study(folder / EMAIL[0], folder / EMAIL[1])
    scenario["focal"][0]["field"] = "dept-4"  # the largest department (109 members)
    scenario["variants"][1]["events"][0] |= {"field": "dept-14", "count": 30}
    result = run(scenario, tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    root = tmp_path / "out" / "departments"
    assert len(load_results(root).topics) == 42
    assert "other fields" in (root / "figures" / "feed_by_topic.svg").read_text()
    assert "share of the feed was" in (root / "report.md").read_text()
