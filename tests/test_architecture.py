"""Architecture rules: only the figures (and the sensitivity report) draw; the report and the
analysis never import them."""

from __future__ import annotations

import ast
from pathlib import Path

import sim

PLOTTING = {"matplotlib", "seaborn"}
PACKAGE = Path(sim.__file__).parent


def imported(path: Path) -> set[str]:
    """Every module `path` imports, in full (``sim.figures.style``, ``matplotlib.figure``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(under: str = "") -> list[Path]:
    """The package's modules (below ``sim/under``)."""
    return sorted((PACKAGE / under).rglob("*.py"))


def imports_any(path: Path, prefixes: set[str]) -> set[str]:
    """The modules `path` imports that are one of `prefixes` or below one."""
    return {m for m in imported(path) if any(m == p or m.startswith(p + ".") for p in prefixes)}


def test_only_the_figures_package_imports_plotting_libraries() -> None:
    figures = PACKAGE / "figures"
    offenders = {
        str(path.relative_to(PACKAGE))
        for path in modules()
        if figures not in path.parents
        and path.name != "sensitivity_report.py"
        and imports_any(path, PLOTTING)
    }
    assert offenders == set()
    # and the rule has teeth: the figure modules do import them
    assert imports_any(figures / "style.py", PLOTTING)


def test_the_report_imports_neither_plotting_nor_the_figures() -> None:
    assert len(modules("report")) >= 3
    for path in modules("report"):
        assert not imports_any(path, PLOTTING | {"sim.figures"}), path.name


def test_the_analysis_imports_neither_the_drawing_nor_the_model() -> None:
    forbidden = PLOTTING | {"sim.figures", "sim.report", "sim.engine", "sim.experiment"}
    for path in modules("analysis"):
        assert not imports_any(path, forbidden), path.name


def test_the_figures_import_the_analysis_only() -> None:
    for path in modules("figures"):
        sim_imports = {m for m in imported(path) if m.split(".")[0] == "sim"}
        outside = {m for m in sim_imports if not m.startswith(("sim.analysis", "sim.figures"))}
        assert outside == set(), path.name


def test_runs_experiment_and_cluster_import_no_cycle() -> None:
    assert not imports_any(PACKAGE / "runs.py", {"sim.experiment", "sim.cluster"})
    assert not imports_any(PACKAGE / "cluster.py", {"sim.experiment"})


def test_the_model_does_not_import_the_drawing_modules() -> None:
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
        assert not imports_any(PACKAGE / f"{name}.py", {"sim.figures", "sim.report"}), name
