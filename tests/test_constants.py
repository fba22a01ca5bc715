"""Every number that shapes the model's behaviour is a scenario field, not a literal.

The model modules are parsed with :mod:`ast`; any numeric literal outside the short list of
conventions below fails, naming the module and line. A new constant of the model belongs in
:mod:`sim.scenario` (with its doc, unit, default and source), where `feedsim schema` shows
it and `feedsim sweep --set` can vary it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim

PACKAGE = Path(sim.__file__).parent
MODEL_MODULES = sorted(
    [
        *(
            PACKAGE / f"{name}.py"
            for name in (
                "network",
                "ties",
                "engine",
                "ranking",
                "beliefs",
                "behaviour",
                "strategies",
                "sources",
            )
        ),
        *(PACKAGE / "model").rglob("*.py"),
    ]
)

CONVENTIONS: set[int | float] = {
    0,  # nothing: empty arrays, zero counts, the first index, the start of time
    1,  # one: unit steps, "one more", the last index (-1), a certain event, Exp(1) delays
}
"""Numbers that are conventions everywhere (ints and floats alike: 0 == 0.0, 1 == 1.0)."""

IN_MODULE: dict[str, set[int | float]] = {
    # A tie is stored twice, once from each end: arrays of both directions are 2x long.
    "ties.py": {2, 1024, 100, 4, 65_536},  # and 1024 rows or 1% of headroom when the store
    # grows; the overlay of added ties is merged past a quarter of the main index and 65,536
    # A tie has two ends (a mean degree d makes N d / 2 ties); the error message for an
    # unknown field lists at most 8 field names.
    "network.py": {2, 8, 20},  # and 20 rounds of edge swaps (about 10 per tie) when rewiring
    # Numerical guards: the smallest divisor or the largest step below 1 where a parameter
    # may reach 0 or 1 (they never bind at valid parameter values).
    "audience.py": {1e-12},
    "beliefs.py": {1e-12},
    # The action choice divides by the sum of the probabilities, at least this (never binds:
    # the division is done only where the sum exceeds 1).
    "behaviour.py": {1e-300},
    # Follows are drawn 2^22 at a time: a bound on temporary memory, the draws are unchanged.
    "follows.py": {22},
    # LinkedIn counts its limits per week and per month: calendar periods of 7 and 30 days.
    "limits.py": {7, 30},
    # The merge shares scratch among runs of 64 served members: memory layout, the same
    # candidates at any run length.
    "merge_steps.py": {64},
    # The candidate pool reserves room for 1.5 times the bound on its rows before a run:
    # memory layout, the same tables with any room.
    "pool.py": {1.5},
}
"""Per module: numbers that are storage, display or numerical details, not behaviour."""


def numeric_literals(path: Path) -> list[tuple[int, int | float]]:
    """(line, value) of every int or float literal in the module (True/False excluded)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            found.append((node.lineno, node.value))
    return found


@pytest.mark.parametrize("path", MODEL_MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_model_modules_have_no_behaviour_constants(path: Path) -> None:
    allowed = CONVENTIONS | IN_MODULE.get(path.name, set())
    offenders = [(line, value) for line, value in numeric_literals(path) if value not in allowed]
    assert offenders == [], (
        f"{path.name}: numeric literals {offenders}; make them fields of sim/scenario/"
        " (or, for a pure convention, add them to the commented allow-list of this test)"
    )


def test_the_check_has_teeth(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("RATE = 0.3\n\ndef f(x):\n    return x * 2.5 + 1\n")
    assert sorted(numeric_literals(module)) == [(1, 0.3), (4, 1), (4, 2.5)]


def test_every_model_module_is_checked() -> None:
    names = {path.name for path in MODEL_MODULES}
    assert {"engine.py", "ranking.py", "merge.py", "reactions.py", "linking.py"} <= names
    assert set(IN_MODULE) <= names


def test_the_per_module_allow_list_has_no_stale_entries() -> None:
    for path in MODEL_MODULES:
        used = {value for _, value in numeric_literals(path)}
        assert IN_MODULE.get(path.name, set()) <= used, path.name
