"""The optimisations change no result: small runs of the bundled studies give exactly the same
records with the compiled kernels of :mod:`sim.kernels` as with the numpy expressions they
replace (:mod:`tests.numpy_kernels`).

The runs are chosen to reach every kernel's cases: a member who links with everyone (ties
added during the run, so the overlay of the tie index, then removed), tags (pinned
candidates), follows, recommendations, notifications, and a trend whose adopters add ties
every day. The same records, field by field and byte by byte, is the identity the
optimisations keep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim import kernels
from sim.engine import World
from sim.observers import RunRecords
from sim.rng import replication_seed
from sim.scenario import load_study
from tests import numpy_kernels
from tests.helpers import ROOT, write_scenario

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


def assert_same_records(compiled: RunRecords, numpy: RunRecords) -> None:
    for field in dataclasses.fields(RunRecords):
        a, b = getattr(compiled, field.name), getattr(numpy, field.name)
        if isinstance(a, dict):
            assert a.keys() == b.keys(), field.name
            for key in a:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"{field.name}.{key}")
        else:
            np.testing.assert_array_equal(a, b, err_msg=field.name)


def ties_added_then_pruned(records: RunRecords) -> bool:
    connections = records.kept["snapshots"]["connections"][0, :, :, 0].sum(axis=1)
    return bool(connections[14] > connections[0] and connections[15] < connections[14])


def adopters_grew(records: RunRecords) -> bool:
    return bool(records.kept["trend"]["adoption"][-1, 0] > records.kept["trend"]["adoption"][0, 0])


@pytest.mark.parametrize(
    ("run", "exercised"),
    [(linker_run, ties_added_then_pruned), (trend_run, adopters_grew)],
    ids=["linker", "trend"],
)
def test_a_run_is_the_same_with_compiled_and_numpy_kernels(
    run: Callable[[Path], RunRecords],
    exercised: Callable[[RunRecords], bool],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled = run(tmp_path)
    for name in numpy_kernels.REPLACED:
        monkeypatch.setattr(kernels, name, getattr(numpy_kernels, name))
    numpy = run(tmp_path)
    assert_same_records(compiled, numpy)
    assert exercised(compiled)
    assert compiled.counts["impressions"] > 1000 and compiled.counts["sessions"] > 1000


def test_every_kernel_the_model_calls_has_a_numpy_expression() -> None:
    compiled = {
        name
        for name, value in vars(kernels).items()
        if hasattr(value, "py_func") and not name.startswith("_")
    }
    assert compiled == set(numpy_kernels.REPLACED)
    assert Path(numpy_kernels.__file__).is_file()
