"""Extension points declared once: every figure of the catalogue has exactly one drawing
function and one caption, and every ranker preset is scored, described on the command line
and listed wherever the docs and the Makefile list the presets."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from sim import ranking
from sim.analysis.catalogue import FIGURE_NAMES, FIGURES, TREND_FIGURES
from sim.cli import main
from sim.figures import DRAW
from sim.report.captions import CAPTIONS
from sim.scenario import RANKER_DESCRIPTIONS, RANKERS
from tests.helpers import ROOT


def test_every_figure_is_declared_once() -> None:
    assert len(set(FIGURE_NAMES)) == len(FIGURES)


def test_every_declared_figure_has_one_drawing_function_and_no_other() -> None:
    assert sorted(DRAW) == sorted(FIGURE_NAMES)


def test_every_declared_figure_has_one_caption_and_no_other() -> None:
    """The report's results section tells every figure but the trend's, which the trend's
    section tells (`sim.report.trend`; tests/test_trend_analysis.py finds each in a report)."""
    assert sorted(CAPTIONS) == sorted(set(FIGURE_NAMES) - set(TREND_FIGURES))
    assert TREND_FIGURES and set(TREND_FIGURES) <= set(FIGURE_NAMES)


def test_every_ranker_preset_is_described_and_scored() -> None:
    assert tuple(RANKER_DESCRIPTIONS) == RANKERS
    assert all(RANKER_DESCRIPTIONS.values())
    assert sorted(ranking.SCORERS) == sorted(RANKERS)
    assert ranking.PRESETS == RANKERS


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_the_help_lists_every_ranker_preset_with_what_it_does(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())  # the descriptions are wrapped beside the names
    for name, description in RANKER_DESCRIPTIONS.items():
        assert f" {name} {description} " in f"{words} ", name
    if command == "sweep":
        assert f"--set platform.ranker={','.join(RANKERS)}" in result.stdout


def test_params_says_what_each_ranker_preset_does_not_where_the_code_is() -> None:
    result = CliRunner().invoke(main, ["params", "platform.ranker"])
    assert result.exit_code == 0
    words = " ".join(result.stdout.split())
    for name, description in RANKER_DESCRIPTIONS.items():
        assert f"`{name}` is {description}" in words
    assert "sim." not in words


#: Where the presets are written out by hand, and how many times in each file.
LISTS = {"README.md": 2, "docs/model.md": 2, "docs/sensitivity.md": 1, "Makefile": 1}


def _preset_lists(text: str) -> list[list[str]]:
    """Every list of ranker presets in a file: a sweep over them, the Makefile's variable,
    or four names or more in backticks separated by commas or table bars (fewer are prose)."""
    swept = re.findall(r"platform\.ranker=([\w,-]+)", text)
    variable = re.findall(r"^RANKERS := ([\w,-]+)$", text, re.M)
    names = "|".join(re.escape(name) for name in RANKERS)
    quoted = re.findall(rf"(`(?:{names})`(?:(?:, | \\\| )`[\w-]+`){{3,}})", text)
    return [
        *(line.split(",") for line in [*swept, *variable]),
        *(re.findall(r"`([\w-]+)`", line) for line in quoted),
    ]


@pytest.mark.parametrize(("path", "count"), sorted(LISTS.items()))
def test_the_docs_and_the_makefile_list_every_ranker_preset(path: str, count: int) -> None:
    lists = _preset_lists((ROOT / path).read_text(encoding="utf-8"))
    assert len(lists) == count, lists
    for found in lists:
        assert found == list(RANKERS), f"{path} lists {found}, not every preset of RANKERS"
