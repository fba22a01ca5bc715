"""Is a results folder still what the current code gives? Its probe, and its scenario file.

A folder is **current** when the scenario file it names still resolves to the same scenario
(every field it recorded, with its value, the replication count aside, which options
change; a field added to feedsim since is left to the probe) and its probe
(:mod:`sim.probe`) replayed by the current code gives the same digest; **stale** when either
differs; **unverified** when it has no probe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.probe import run_probe
from sim.scenario.study import load_study
from sim.sweep.plan import plan_sweep

IGNORED = ("replications",)
"""Fields of the resolved scenario a command-line option may change without changing a run."""


@dataclass(frozen=True)
class Verdict:
    """The check of one results folder: ``current``, ``stale`` or ``unverified``, and why."""

    folder: Path
    status: str
    reason: str


def _differences(stored: Any, now: Any, path: str = "") -> Iterator[str]:
    """Dotted paths where two resolved scenarios differ (the ignored fields aside)."""
    if isinstance(stored, dict) and isinstance(now, dict):
        for key in sorted(set(stored) | set(now)):
            if key in IGNORED or key == "file" or key not in stored:
                continue  # a field added since: its default is the probe's to judge
            yield from _differences(stored.get(key), now.get(key), f"{path}{key}.")
    elif isinstance(stored, list) and isinstance(now, list) and len(stored) == len(now):
        for i, (a, b) in enumerate(zip(stored, now, strict=True)):
            yield from _differences(a, b, f"{path}{i}.")
    elif isinstance(stored, str) and isinstance(now, str) and Path(stored).is_absolute():
        if Path(stored).name != Path(now).name:  # data files move with the checkout
            yield path.rstrip(".")
    elif stored != now:
        yield path.rstrip(".")


def check_folder(folder: Path, root: Path) -> Verdict:
    """Check one results folder; `root` is where the scenario paths in manifests start."""
    manifest = json.loads((folder / "manifest.json").read_text())
    probe = manifest.get("probe")
    if probe is None:
        return Verdict(folder, "unverified", "made before results folders carried a probe")
    stored = manifest["scenario"]
    source = root / stored["file"]
    if not source.is_file():
        return Verdict(folder, "stale", f"its scenario file {stored['file']} is gone")
    try:
        now = load_study(source).resolved()
        if probe.get("settings"):
            plan_sweep(source, probe["settings"])
    except InputError as exc:
        return Verdict(folder, "stale", f"its scenario file no longer validates: {exc}")
    changed = list(_differences(stored, now))
    if changed:
        shown = ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else "")
        return Verdict(folder, "stale", f"the scenario file now resolves differently: {shown}")
    settings = probe.get("settings") or []
    probed = plan_sweep(source, settings).points[0].study.resolved() if settings else now
    names = [v["name"] for v in probed["variants"]]
    value = run_probe(probed, int(manifest["base_seed"]), names.index(probe["variant"]))
    if value != probe["digest"]:
        return Verdict(folder, "stale", f"the probe ({probe['variant']}) gives other tables")
    return Verdict(folder, "current", f"probe {probe['variant']} matches")


def results_folders(root: Path) -> list[Path]:
    """Every folder under `root` (itself included) with a manifest, in path order."""
    return sorted(
        p.parent
        for p in root.rglob("manifest.json")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )
