"""A sweep's work folder: the finished runs of an unfinished sweep, kept to resume it.

Finished runs are kept in ``<out>/.<name>-sweep.work/``: one folder per (point, variant,
replication) run, ``runs/p<point>-<variant>-r<replication>/`` with the run's tables as
Parquet and ``run.json`` (seed, wall time, worker, totals). Each is written under a
temporary name and renamed into place, so a folder that exists is complete. The work folder
also records the grid (``grid.json``: a fingerprint of every point's resolved scenario, a
hash of feedsim's source, and the options); a sweep started again with the same arguments
and the same code skips the runs that are there. With different arguments, or after the
code changed, it refuses (exit code 2) unless ``--fresh`` is given, which discards the old
work. A lock file (:mod:`filelock`, on every platform) stops two sweeps from sharing one
work folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from sim.errors import InputError
from sim.metrics import TABLES
from sim.runs import RunOutput, RunSpec
from sim.sweep.plan import Sweep


def code_hash() -> str:
    """A hash of feedsim's source files: runs of other code must not be mixed in."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for source in sorted(package.rglob("*.py")):
        name = source.relative_to(package).as_posix()
        digest.update(name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


class WorkFolder:
    """The finished runs of an unfinished sweep (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.runs = path / "runs"

    def prepare(self, sweep: Sweep, fresh: bool, options: dict[str, Any]) -> datetime:
        """Create the folder, or check that it holds this sweep; return when it began.

        Args:
            sweep: the sweep to run.
            fresh: discard a work folder of a different sweep instead of refusing.
            options: the command's options, recorded for people reading ``grid.json``.

        Raises:
            InputError: the folder holds a different sweep and `fresh` is false.
        """
        grid_file = self.path / "grid.json"
        fingerprint, code = sweep.fingerprint(), code_hash()
        if grid_file.exists() and not fresh:
            recorded = json.loads(grid_file.read_text())
            if recorded["fingerprint"] != fingerprint:
                raise InputError(
                    self.path,
                    "",
                    "holds an unfinished sweep with other settings"
                    f" ({' '.join(recorded['settings'])}); run that command again to resume it,"
                    " or pass --fresh to discard it",
                )
            if recorded["code"] != code:
                raise InputError(
                    self.path,
                    "",
                    "holds an unfinished sweep run by other feedsim code (its source changed"
                    " since), whose runs must not be mixed with new ones; pass --fresh to"
                    " discard it",
                )
            return datetime.fromisoformat(recorded["started"])
        for stale in (self.runs, grid_file):
            if stale.is_dir():
                shutil.rmtree(stale)
            elif stale.exists():
                stale.unlink()
        self.runs.mkdir(parents=True)
        started = datetime.now(UTC)
        record = {
            "fingerprint": fingerprint,
            "code": code,
            "started": started.isoformat(),
            "settings": [f"{a.path}={','.join(a.texts)}" for a in sweep.axes],
            **options,
        }
        _atomic_text(grid_file, json.dumps(record, indent=2) + "\n")
        return started

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the folder's lock (refuse if another sweep holds it)."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path / "lock")
        try:
            lock.acquire(blocking=False)
        except Timeout:
            raise InputError(
                self.path, "", "another feedsim sweep is using this work folder"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def finished(self) -> set[str]:
        """Keys of the runs already saved; leftovers of interrupted writes are removed."""
        keys = set()
        for entry in self.runs.iterdir():
            if entry.name.startswith("."):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                keys.add(entry.name)
        return keys

    def run_info(self, spec: RunSpec, output: RunOutput) -> dict[str, Any]:
        """What ``run.json`` records of one run: its identity, seed, cost and counts."""
        return {
            "variant": spec.variant,
            "replication": spec.replication,
            "seed": spec.seed,
            "wall_seconds": round(output.seconds, 3),
            "worker": output.worker,
            **output.counts,
        }

    def kept_tables(self, output: RunOutput) -> dict[str, pd.DataFrame]:
        """The tables of one run that the work folder keeps (all of them)."""
        return output.tables

    def save(self, key: str, spec: RunSpec, output: RunOutput) -> None:
        """Save one run's tables and ``run.json`` under a temporary name, then rename."""
        staging = self.runs / f".{key}.partial-{os.getpid()}"
        staging.mkdir()
        for name, frame in self.kept_tables(output).items():
            frame.to_parquet(staging / f"{name}.parquet", index=False, compression="zstd")
        info = self.run_info(spec, output)
        (staging / "run.json").write_text(json.dumps(info, indent=2) + "\n")
        os.replace(staging, self.runs / key)

    def load(self, key: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
        """One saved run: its tables and its ``run.json``."""
        folder = self.runs / key
        frames = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        info: dict[str, Any] = json.loads((folder / "run.json").read_text())
        return frames, info


def _atomic_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(text)
    os.replace(partial, path)
