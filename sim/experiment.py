"""Variants x replications: running them (in one process or a pool) and saving the results.

Replication r of every variant uses the same seed (:func:`sim.rng.replication_seed`), so arms
are compared on common random numbers. Runs are independent; their tables are concatenated
in a fixed order (variant order of the file, then replication), so the saved tables are the
same byte for byte whatever the number of worker processes.

Results are written to a temporary folder beside the destination and moved into place only
when complete; an earlier folder of the same name is replaced only then.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim import __version__
from sim.engine import World
from sim.metrics import TABLES, tables
from sim.rng import replication_seed
from sim.scenario import Scenario, Study


@dataclass(frozen=True)
class RunSpec:
    """One run: an arm of the study and a replication."""

    scenario: Scenario
    source: Path
    variant: str
    replication: int
    seed: int


@dataclass(frozen=True)
class RunOutput:
    """The tables of one run and its cost."""

    spec_index: int
    tables: dict[str, pd.DataFrame]
    counts: dict[str, int]
    seconds: float


def run_specs(study: Study) -> list[RunSpec]:
    """Every run of a study, in the order tables are saved."""
    return [
        RunSpec(arm.scenario, study.path, arm.name, r, replication_seed(study.base.seed, r))
        for arm in study.arms
        for r in range(study.base.replications)
    ]


def execute(spec: RunSpec, index: int, on_day: Callable[[int], None] | None = None) -> RunOutput:
    """Run one replication of one variant and turn its records into tables."""
    started = time.perf_counter()
    records = World(spec.scenario, spec.seed, spec.source).run(on_day)
    result = tables(records, spec.scenario.name, spec.variant, spec.replication, spec.seed)
    return RunOutput(index, result, records.counts, time.perf_counter() - started)


def _execute_in_worker(spec: RunSpec, index: int) -> RunOutput:
    return execute(spec, index)


def run_study(study: Study, jobs: int = 1, progress: bool = True) -> list[RunOutput]:
    """Run every variant x replication of `study` on `jobs` processes, in save order."""
    specs = run_specs(study)
    days = study.base.duration_days
    outputs: list[RunOutput | None] = [None] * len(specs)
    with tqdm(
        total=len(specs) * days,
        unit="day",
        desc=f"{study.base.name}: {len(specs)} runs",
        disable=not progress,
        leave=False,
    ) as bar:
        if jobs <= 1:
            for i, spec in enumerate(specs):
                outputs[i] = execute(spec, i, lambda _day: bar.update(1))
        else:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(_execute_in_worker, spec, i) for i, spec in enumerate(specs)]
                for future in as_completed(futures):
                    output = future.result()
                    outputs[output.spec_index] = output
                    bar.update(days)
    return [o for o in outputs if o is not None]


def merge_tables(outputs: list[RunOutput]) -> dict[str, pd.DataFrame]:
    """Concatenate the runs' tables in save order."""
    ordered = sorted(outputs, key=lambda o: o.spec_index)
    return {
        name: pd.concat([o.tables[name] for o in ordered], ignore_index=True) for name in TABLES
    }


def git_commit() -> str:
    """The commit of the feedsim checkout, with ``-dirty`` when it has changes; or unknown."""
    folder = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def manifest(
    study: Study, outputs: list[RunOutput], started: datetime, jobs: int
) -> dict[str, Any]:
    """What a results folder says about itself: the resolved scenario, seeds, provenance."""
    base = study.base
    finished = datetime.now(UTC)
    specs = run_specs(study)
    return {
        "scenario_name": base.name,
        "description": base.description,
        "scenario": study.resolved(),
        "variants": [arm.name for arm in study.arms],
        "variant_descriptions": {arm.name: arm.description for arm in study.arms},
        "replications": base.replications,
        "base_seed": base.seed,
        "seeds": {str(r): replication_seed(base.seed, r) for r in range(base.replications)},
        "duration_days": base.duration_days,
        "topics": list(base.topics or []),
        "focus_topic": base.resolved_focus_topic(),
        "event_days": sorted({float(e.day) for arm in study.arms for e in arm.scenario.events}),
        "events": {
            arm.name: [e.model_dump(mode="json") for e in arm.scenario.events] for arm in study.arms
        },
        "runs": [
            {
                "variant": specs[o.spec_index].variant,
                "replication": specs[o.spec_index].replication,
                "seed": specs[o.spec_index].seed,
                "wall_seconds": round(o.seconds, 3),
                **o.counts,
            }
            for o in sorted(outputs, key=lambda o: o.spec_index)
        ],
        "version": __version__,
        "git_commit": git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "wall_seconds": round((finished - started).total_seconds(), 3),
        "jobs": jobs,
        "platform": f"{platform.platform()}; Python {platform.python_version()}",
    }


def write_results(
    destination: Path,
    merged: dict[str, pd.DataFrame],
    manifest_data: dict[str, Any],
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write tables and manifest (then `finish`, e.g. figures) and move them into place.

    Everything is written into a temporary folder next to `destination`; only when all of it
    succeeded is an existing `destination` moved aside, the new folder renamed into place
    and the old one removed. A failure or interrupt leaves the earlier folder as it was.
    """
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent))
    try:
        folder = staging / "tables"
        folder.mkdir()
        for name, frame in merged.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False, compression="zstd")
        (staging / "manifest.json").write_text(json.dumps(manifest_data, indent=2) + "\n")
        if finish is not None:
            finish(staging)
        old = None
        if destination.exists():
            old = destination.parent / f".{destination.name}.old-{os.getpid()}"
            destination.rename(old)
        staging.rename(destination)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return destination


def load_tables(results: Path) -> dict[str, pd.DataFrame]:
    """The saved tables of a results folder."""
    return {name: pd.read_parquet(results / "tables" / f"{name}.parquet") for name in TABLES}
