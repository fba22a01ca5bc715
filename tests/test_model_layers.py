"""Layers of the model: the mechanisms and their neutral codes import no tables or drawing,
the tables do not import the engine, and members' true behaviour does not import the ranker."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).parent
MODEL = sorted(
    [
        *(PACKAGE / f"{name}.py" for name in ("engine", "ranking", "beliefs", "behaviour")),
        *(PACKAGE / f"{name}.py" for name in ("network", "ties", "strategies", "sources")),
        *(PACKAGE / "model").glob("*.py"),
    ]
)
WRITERS = {"matplotlib", "seaborn", "pandas", "pyarrow"}


def imported(path: Path) -> set[str]:
    """Every module `path` imports (absolute names; ``from x import y`` gives x and x.y)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("path", MODEL, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_model_modules_import_no_table_or_drawing_library(path: Path) -> None:
    roots = {name.split(".")[0] for name in imported(path)}
    assert not roots & WRITERS


def test_tables_do_not_import_the_engine() -> None:
    assert not {n for n in imported(PACKAGE / "metrics.py") if n.startswith("sim.engine")}


def test_true_behaviour_does_not_import_the_ranker() -> None:
    assert not {n for n in imported(PACKAGE / "behaviour.py") if n.startswith("sim.ranking")}


def test_the_mechanisms_do_not_import_the_engine() -> None:
    for path in (PACKAGE / "model").glob("*.py"):
        assert not {n for n in imported(path) if n.startswith("sim.engine")}, path.name
