"""The optimisations change no result: small runs of the bundled studies give exactly the same
records with the compiled kernels as with their numpy twins, the expressions they replace
(selected by :func:`sim.kernels.numpy_twins`, as ``FEEDSIM_KERNELS=numpy`` does).

The runs are chosen to reach every kernel's cases: a member who links with everyone (ties
added during the run, so the overlay of the tie index, then removed), tags (pinned
candidates), follows, recommendations, notifications, and a trend whose adopters add ties
every day. The same records, field by field and byte by byte, is the identity the
optimisations keep.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import pkgutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

import sim
from sim import kernels
from sim.engine import World
from sim.observers import RunRecords
from sim.rng import replication_seed
from sim.scenario import load_study
from tests.helpers import ROOT, write_scenario

BUILDING_BLOCKS = {
    "sim.kernels.bits.bit_count",
    "sim.kernels.bits.has_bit",
    "sim.kernels.bits.nonempty_rows",
    "sim.kernels.search.bisect_right",
    "sim.kernels.search.guide_table",
    "sim.kernels.search.guided_bisect_right",
    "sim.kernels.sort.distinct_posts",
    "sim.kernels.sort.part_places",
    "sim.model.candidates.merge_steps.merge_slots",
    "sim.model.candidates.merge_steps.pack",
    "sim.model.candidates.merge_steps.size_rooms",
}
"""Compiled functions without a twin: called only from other compiled kernels, whose twins
cover them."""

LINKER = {
    "name": "linker",
    "topics": ["finance", "it", "sales"],
    "duration_days": 20,
    "network": {"members": 400},
    "focal": [
        {
            "name": "member",
            "field": "sales",
            "sessions_per_day": 1.5,
            "posts_per_day": 0.5,
            "strategy": {"accept": "everyone", "invitations_per_day": 25, "tag_peers": 3},
        }
    ],
    "events": [{"day": 15, "action": "prune", "member": "member", "kinds": ["stranger"]}],
}
"""A member who accepts everyone (ties added during the run: the tie index's overlay), tags
three peers on each post (pinned candidates) and prunes strangers on day 15 (ties removed)."""


def linker_run(folder: Path) -> RunRecords:
    path = write_scenario(folder, LINKER)
    (arm,) = load_study(path).arms
    return World(arm.scenario, replication_seed(arm.scenario.seed, 0), path).run()


def trend_run(folder: Path) -> RunRecords:
    """The complex-contagion arm of the trend study, small: adopters add ties every day."""
    path = ROOT / "scenarios" / "trend-spreads.yaml"
    study = load_study(path, {"network": {"members": 400}, "duration_days": 10})
    (scenario,) = [arm.scenario for arm in study.arms if arm.name == "complex"]
    return World(scenario, replication_seed(scenario.seed, 0), path).run()


def assert_same(a: Any, b: Any, name: str) -> None:
    """Equal records: arrays element for element, mappings (the observers' records) key by
    key, recursively."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), name
        for key in a:
            assert_same(a[key], b[key], f"{name}.{key}")
    else:
        np.testing.assert_array_equal(a, b, err_msg=name)


def assert_same_records(compiled: RunRecords, numpy: RunRecords) -> None:
    for field in dataclasses.fields(RunRecords):
        assert_same(getattr(compiled, field.name), getattr(numpy, field.name), field.name)


def ties_added_then_pruned(records: RunRecords) -> bool:
    connections = records.kept["snapshots"]["connections"][0, :, :, 0].sum(axis=1)
    return bool(connections[14] > connections[0] and connections[15] < connections[14])


def adopters_grew(records: RunRecords) -> bool:
    return bool(records.kept["trend"]["adoption"][-1, 0] > records.kept["trend"]["adoption"][0, 0])


def sim_modules() -> Iterator[Any]:
    """Every module of the sim package (but the command line's entry point, which runs)."""
    for info in pkgutil.walk_packages(sim.__path__, "sim."):
        if info.name != "sim.__main__":
            yield importlib.import_module(info.name)


def twinned_kernels() -> dict[str, kernels.Kernel[..., Any]]:
    """Every kernel with a numpy twin, by the name it is defined under."""
    found = {}
    for module in sim_modules():
        for name, value in vars(module).items():
            if isinstance(value, kernels.Kernel) and value.compiled.py_func.__module__ == (
                module.__name__
            ):
                found[f"{module.__name__}.{name}"] = value
    return found


@pytest.mark.parametrize(
    ("run", "exercised"),
    [(linker_run, ties_added_then_pruned), (trend_run, adopters_grew)],
    ids=["linker", "trend"],
)
def test_a_run_is_the_same_with_compiled_kernels_and_their_numpy_twins(
    run: Callable[[Path], RunRecords],
    exercised: Callable[[RunRecords], bool],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The twins' run calls no compiled kernel: each one's compiled loop is made to fail."""
    compiled = run(tmp_path)

    def not_compiled(*arguments: object) -> None:
        raise AssertionError("a compiled kernel ran while the numpy twins were selected")

    for kernel in twinned_kernels().values():
        monkeypatch.setattr(kernel, "compiled", not_compiled)
    with kernels.numpy_twins():
        numpy = run(tmp_path)
    assert_same_records(compiled, numpy)
    assert exercised(compiled)
    assert compiled.counts["impressions"] > 1000 and compiled.counts["sessions"] > 1000


def test_every_compiled_function_is_a_kernel_with_a_twin_or_a_building_block() -> None:
    """A compiled function the model calls from Python has a numpy twin (a
    :class:`sim.kernels.Kernel`); the others are building blocks of compiled kernels."""
    bare = {
        f"{module.__name__}.{name}"
        for module in sim_modules()
        for name, value in vars(module).items()
        if isinstance(value, CPUDispatcher)
        and not name.startswith("_")
        and value.py_func.__module__ == module.__name__
    }
    assert bare == BUILDING_BLOCKS
    twins = twinned_kernels()
    assert len(twins) == 29
    for name, kernel in twins.items():
        assert isinstance(kernel.compiled, CPUDispatcher), name
        assert not isinstance(kernel.numpy, CPUDispatcher), name
        assert (
            kernel.numpy.__code__.co_varnames[: kernel.numpy.__code__.co_argcount]
            == (
                kernel.compiled.py_func.__code__.co_varnames[
                    : kernel.compiled.py_func.__code__.co_argcount
                ]
            )
        ), name


def test_the_switch_selects_the_twins_within_its_block() -> None:
    key = np.array([2, 0, 1, 0], np.int64)
    calls: list[str] = []
    kernel = kernels.Kernel(
        lambda key, n: calls.append("compiled"), lambda key, n: calls.append("numpy")
    )
    kernel(key, 3)
    with kernels.numpy_twins():
        kernel(key, 3)
    kernel(key, 3)
    assert calls == ["compiled", "numpy", "compiled"]


@pytest.mark.parametrize(("value", "numpy"), [("numpy", "True"), ("compiled", "False")])
def test_the_environment_selects_the_kernels_for_the_process(value: str, numpy: str) -> None:
    shown = subprocess.run(
        [sys.executable, "-c", "from sim.kernels import switch; print(switch.SELECTED.numpy)"],
        env={**os.environ, "FEEDSIM_KERNELS": value},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert shown.stdout.strip() == numpy


def test_an_unknown_kernel_selection_is_refused() -> None:
    refused = subprocess.run(
        [sys.executable, "-c", "import sim.kernels"],
        env={**os.environ, "FEEDSIM_KERNELS": "fast"},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert refused.returncode != 0
    assert "FEEDSIM_KERNELS='fast'" in refused.stderr
