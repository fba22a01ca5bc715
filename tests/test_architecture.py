"""Architecture rules: the import contracts of pyproject.toml, checked by import-linter.

The contracts (``[tool.importlinter]``, explained in docs/architecture.md) keep the layers
apart: every module has a layer and imports only from below it; the mechanisms do not
import the engine; tables are built from records; members' true behaviour does not know
the platform's ranking or beliefs; the model imports no table library and never plots;
runners and the sensitivity analysis never draw; analysis reads saved tables and, with the
figures and the report, loads no part of the simulator; observers keep records and call no
mechanism; the report does not plot; no import cycles. The tests below check they are
kept, and that each kind of contract does catch a violation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> dict[str, Any]:
    """The ``[tool.importlinter]`` table of pyproject.toml."""
    table: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
        "importlinter"
    ]
    return table


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` on a configuration file (no cache, no logo)."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_config(path: Path, table: dict[str, Any]) -> Path:
    """An import-linter configuration file holding `table` (JSON spells TOML values alike)."""
    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in table.items() if k != "contracts"]
    for contract in table["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {json.dumps(v)}" for k, v in contract.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts()['contracts'])} kept, 0 broken." in result.stdout


def _reversed_layers(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"layers": contract["layers"][::-1]}


def _layer_missing(contract: dict[str, Any]) -> dict[str, Any]:
    layers = [
        " | ".join(m for m in layer.split(" | ") if m != "params") for layer in contract["layers"]
    ]
    return contract | {"layers": [layer for layer in layers if layer]}


def _figures_must_not_plot(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"source_modules": ["sim.figures"]}


def _runners_must_not_run(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"source_modules": ["sim.experiment"], "forbidden_modules": ["sim.runs"]}


def _model_must_not_use_numpy(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"forbidden_modules": ["numpy"]}


def _analysis_must_not_load_pandas(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"forbidden_modules": ["pandas"]}


def _observers_must_not_read_state(contract: dict[str, Any]) -> dict[str, Any]:
    return contract | {"forbidden_modules": ["sim.model.state"]}


@pytest.mark.parametrize(
    ("contract_id", "plant"),
    [
        ("layers", _reversed_layers),  # every import now points up
        ("layers", _layer_missing),  # sim.params has no layer: exhaustive catches it
        ("model-without-presentation", _figures_must_not_plot),
        ("runners-without-presentation", _runners_must_not_run),
        ("model-without-tables", _model_must_not_use_numpy),  # direct imports are seen
        ("presentation-without-simulator", _analysis_must_not_load_pandas),
        ("observers-record-only", _observers_must_not_read_state),
    ],
    ids=[
        "layers-reversed",
        "layer-missing",
        "figures-plot",
        "runners-run",
        "model-numpy",
        "presentation-pandas",
        "observers-state",
    ],
)
def test_a_planted_violation_breaks_its_contract(
    tmp_path: Path, contract_id: str, plant: Any
) -> None:
    """The contracts have teeth: the same configuration with one contract made false by
    a planted violation fails, naming that contract and no other."""
    table = contracts()
    table["contracts"] = [plant(c) if c["id"] == contract_id else c for c in table["contracts"]]
    result = lint_imports(write_config(tmp_path / "planted.toml", table))
    assert result.returncode != 0, result.stdout
    assert f"{len(table['contracts']) - 1} kept, 1 broken." in result.stdout
    broken = next(c["name"] for c in table["contracts"] if c["id"] == contract_id)
    assert f"{broken} BROKEN" in " ".join(result.stdout.split())  # long names wrap


def test_the_contracts_cover_the_rules() -> None:
    """Every rule of docs/architecture.md is a contract (named there by its id), including
    an exhaustive layers contract and an acyclic one."""
    table = contracts()
    types = {c["id"]: c["type"] for c in table["contracts"]}
    assert types == {
        "layers": "layers",
        "mechanisms": "layers",
        "mechanisms-without-engine": "forbidden",
        "tables-without-engine": "forbidden",
        "observers-record-only": "forbidden",
        "truth-apart-from-belief": "forbidden",
        "model-without-tables": "forbidden",
        "model-without-presentation": "forbidden",
        "runners-without-presentation": "forbidden",
        "sensitivity-without-drawing": "forbidden",
        "analysis-reads-tables": "forbidden",
        "presentation-without-simulator": "forbidden",
        "report-without-plotting": "forbidden",
        "acyclic": "acyclic_siblings",
    }
    assert table["include_external_packages"] is True
    assert all(c.get("exhaustive") for c in table["contracts"] if c["type"] == "layers")
    doc = (ROOT / "docs" / "architecture.md").read_text()
    assert [i for i in types if f"(`{i}`)" not in doc] == []


def test_drawing_and_reporting_load_no_part_of_the_simulator() -> None:
    """In a fresh interpreter, importing the analysis, the figures and the report loads
    neither numba nor simpy, nor the kernels, the network builder or the engine: a saved
    results folder is all they need."""
    heavy = ("numba", "simpy", "sim.engine", "sim.kernels", "sim.network")
    code = (
        "import sys, sim.analysis, sim.figures, sim.report; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
