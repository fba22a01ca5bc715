"""Every number a results table of the README quotes is in the report of the folder it names.

A table of README.md that has a ``results`` column names, in each row, the committed results
folder (a link to its ``report.md``) the row's numbers come from. Every number in the row's
other cells but the first (which names the case) must be a number of that report, rounded
as the README shows it: ``x`` with ``d`` decimals matches a report number ``y`` when
``|x - y| <= 0.5 * 10**-d``. A row may name a report kept only in git history
(``commit:path``); it is read with ``git show`` and skipped where history is absent.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.helpers import ROOT

LINK = re.compile(r"\]\(([^)]+report\.md)\)|`([0-9a-f]{7,40}):([^`]+report\.md)`")
NUMBER = re.compile(r"(?<![\w.])[+\-−]?\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> list[tuple[float, int]]:
    """Signed numbers of `text` with their decimals; a dash between numbers is a range."""
    text = re.sub(r"(\d)\s*[-–](?=\d)", r"\1 to ", text)
    found = []
    for token in NUMBER.findall(text):
        token = token.replace("−", "-").replace(",", "")
        decimals = len(token.split(".")[1]) if "." in token else 0
        found.append((float(token), decimals))
    return found


def result_rows(markdown: str) -> list[tuple[list[str], str]]:
    """(cells, results cell) of every row of every table with a ``results`` column."""
    rows: list[tuple[list[str], str]] = []
    column = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if column is None:
            column = cells.index("results") if "results" in cells else -1
        elif column >= 0 and not set(line) <= set("|-: "):
            rows.append((cells[:column] + cells[column + 1 :], cells[column]))
    return rows


def report_text(cell: str) -> str | None:
    """The report a results cell links to (from git history for ``commit:path``)."""
    match = LINK.search(cell)
    assert match, f"no report named in {cell!r}"
    if match.group(1):
        path = ROOT / match.group(1)
        assert path.is_file(), f"{match.group(1)} is not a committed report"
        return path.read_text()
    shown = subprocess.run(
        ["git", "show", f"{match.group(2)}:{match.group(3)}"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return shown.stdout if shown.returncode == 0 else None


ROWS = result_rows((ROOT / "README.md").read_text())


def test_the_readme_names_the_folder_of_its_result_tables() -> None:
    assert len(ROWS) >= 8, "the README's result tables lost their results column"


@pytest.mark.parametrize(("cells", "source"), ROWS, ids=[r[0][0][:40] for r in ROWS])
def test_every_quoted_number_is_in_the_named_report(cells: list[str], source: str) -> None:
    report = report_text(source)
    if report is None:
        pytest.skip(f"{source}: git history is not available in this checkout")
    available = [value for value, _ in numbers(report)]
    for cell in cells[1:]:
        for value, decimals in numbers(cell):
            tolerance = 0.5 * 10**-decimals + 1e-9
            assert any(abs(value - y) <= tolerance for y in available), (
                f"{value} (from {cell!r}) is not in {source}"
            )


def test_numbers_reads_signs_ranges_and_decimals() -> None:
    assert numbers("+11.6 (9.5-13.8) over 1,542 and −0.33 pp") == [
        (11.6, 1), (9.5, 1), (13.8, 1), (1542.0, 0), (-0.33, 2),
    ]  # fmt: skip
