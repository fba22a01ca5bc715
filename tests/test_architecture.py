"""Architecture rules: only the figure and report modules (and the sensitivity report) draw."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

PLOTTING = {"matplotlib", "seaborn"}
DRAWING_MODULES = {"figures.py", "report.py", "sensitivity_report.py"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_figures_and_report_import_plotting_libraries() -> None:
    package = Path(sim.__file__).parent
    offenders = {
        path.name
        for path in package.glob("*.py")
        if path.name not in DRAWING_MODULES and imported_roots(path) & PLOTTING
    }
    assert offenders == set()
    # and the rule has teeth: the figure module does import them
    assert imported_roots(package / "figures.py") & PLOTTING


def test_the_model_does_not_import_the_drawing_modules() -> None:
    package = Path(sim.__file__).parent
    model = (
        "engine",
        "ranking",
        "beliefs",
        "behaviour",
        "network",
        "ties",
        "strategies",
        "metrics",
    )
    for name in model:
        roots = {
            node.module
            for node in ast.walk(ast.parse((package / f"{name}.py").read_text()))
            if isinstance(node, ast.ImportFrom) and node.module
        }
        assert not roots & {"sim.figures", "sim.report"}, name
