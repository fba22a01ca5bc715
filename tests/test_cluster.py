"""Runs on a dask.distributed cluster give the same tables, byte for byte, as local runs."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from distributed import LocalCluster

import sim.cli.drawing
import sim.cluster
from sim.cli import main
from sim.metrics import TABLES
from tests.test_sweep import TINY, table_bytes


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two single-threaded worker processes and their scheduler."""
    # ":0": the scheduler's HTTP server (its health and metrics routes, which it serves
    # even without a dashboard) on a free port; None still asks for 8787 and warns when it is taken
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny scenario file; `feedsim run` draws no figures (not what is tested here)."""
    monkeypatch.setattr(sim.cli.drawing, "draw", lambda folder: None)
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False))
    return path


def invoke(*args: str | Path) -> Result:
    """Run the feedsim command in-process."""
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_study_on_the_cluster_equals_a_sequential_run(
    cluster: LocalCluster, tiny: Path, tmp_path: Path
) -> None:
    address = cluster.scheduler_address
    local = invoke("run", tiny, "--out", tmp_path / "local", "--quiet")
    remote = invoke("run", tiny, "--out", tmp_path / "dask", "--quiet", "--scheduler", address)
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    assert table_bytes(tmp_path / "dask" / "tiny") == table_bytes(tmp_path / "local" / "tiny")
    data = json.loads((tmp_path / "dask" / "tiny" / "manifest.json").read_text())
    assert data["scheduler"] == address
    workers = set(cluster.scheduler_info["workers"])
    assert {run["worker"] for run in data["runs"]} <= workers


def test_a_sweep_on_the_cluster_equals_a_sequential_sweep(
    cluster: LocalCluster, tiny: Path, tmp_path: Path
) -> None:
    settings = ("--set", "behaviour.ties.stranger=0.05,0.5", "--quiet")
    local = invoke("sweep", tiny, "--out", tmp_path / "local", "--jobs", "1", *settings)
    remote = invoke(
        "sweep",
        tiny,
        "--out",
        tmp_path / "dask",
        "--scheduler",
        cluster.scheduler_address,
        *settings,
    )
    assert local.exit_code == 0, local.output
    assert remote.exit_code == 0, remote.output
    folder = "tiny-sweep"
    assert table_bytes(tmp_path / "dask" / folder) == table_bytes(tmp_path / "local" / folder)
    assert len(TABLES) == len(list((tmp_path / "dask" / folder / "tables").iterdir()))


@pytest.mark.parametrize("address", ["nonsense", "http://localhost:8786", "tcp://127.0.0.1:1"])
def test_a_bad_scheduler_address_exits_2(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    monkeypatch.setattr(sim.cluster, "CONNECT_TIMEOUT", 0.5)
    out = tmp_path / "out"
    result = invoke("run", tiny, "--out", out, "--quiet", "--scheduler", address)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"feedsim: error: --scheduler: {address}: cannot connect")
    assert result.stderr.count("\n") == 1
    assert not out.exists()


def test_jobs_and_a_scheduler_exclude_each_other(tiny: Path, tmp_path: Path) -> None:
    result = invoke("run", tiny, "--jobs", "2", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "--jobs: cannot be combined with --scheduler" in result.stderr


def test_without_the_cluster_extra_a_scheduler_is_a_clear_input_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """dask.distributed comes with the ``cluster`` extra; without it, ``--scheduler`` says
    how to get it instead of failing on an import."""
    from sim.errors import InputError
    from sim.experiment import open_executor

    monkeypatch.delitem(sys.modules, "sim.cluster")
    monkeypatch.setitem(sys.modules, "distributed", None)  # an import of it now fails
    with pytest.raises(InputError, match=r"pip install 'feedsim\[cluster\]'"):
        open_executor(scheduler="tcp://127.0.0.1:1")
