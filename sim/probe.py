"""The probe of a results folder: the digest of one small replay of its scenario.

A full study takes minutes to hours to re-run, so a results folder carries a **probe**,
recorded when the folder is made: the digest of the tables of one small replay. Replaying
the same probe later and comparing digests (:mod:`sim.freshness`) tells in about a second
whether the model still gives what the folder holds. It cannot prove two codes equal
everywhere; it catches every change the probe's mechanisms reach.

The probe is replication 0 (the folder's own seed) of one arm, the arm with the most
scripted events (the last such arm in the file's order), with the network cut to at most
:data:`PROBE_MEMBERS` members (a synthetic network; a file network keeps its size) and the run
to at most :data:`PROBE_DAYS` days, or :data:`EVENT_MARGIN_DAYS` past the arm's last event, or
to the end of its measured window.
When the study is already that small the probe is its own replication 0 of that arm, and
its digest comes from the tables the run made. A sweep probes its first point.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.rng import replication_seed
from sim.runs import RunOutput, RunSpec, execute
from sim.scenario import Scenario
from sim.scenario.study import Study

PROBE_MEMBERS = 1000
"""Largest network of a probe: a fifth of it per field, room for a burst of 100."""
PROBE_DAYS = 40
"""Longest probe: past the bundled bursts (day 30) and the trend's first weeks."""
EVENT_MARGIN_DAYS = 10
"""Days a probe runs past its arm's last scripted event."""


def probe_arm(study: Study) -> int:
    """Index of the probed arm: the most scripted events, the last of equals (a study lists
    its reference arm first, so a probe of arms that differ otherwise takes a treatment)."""
    events = [len(arm.scenario.events) for arm in study.arms]
    return len(events) - 1 - events[::-1].index(max(events))


def probe_scenario(scenario: dict[str, Any]) -> dict[str, Any]:
    """An arm's resolved scenario cut to a probe: at most PROBE_MEMBERS members, and
    PROBE_DAYS days, EVENT_MARGIN_DAYS past its last scripted event or to the end of its
    measured window (``measure.window_to_day``), whichever is latest."""
    probe = copy.deepcopy(scenario)
    network = probe["network"]
    if network.get("source") == "synthetic":
        network["members"] = min(int(network["members"]), PROBE_MEMBERS)
    last = max((float(e["day"]) for e in probe.get("events") or []), default=0.0)
    measure = probe.get("measure") or {}
    window = max(measure.get("window_to_day") or 0, measure.get("window_from_day", 0) + 1)
    days = max(PROBE_DAYS, last + EVENT_MARGIN_DAYS, window)
    probe["duration_days"] = min(float(probe["duration_days"]), days)
    probe["replications"] = 1
    return probe


def digest(tables: dict[str, pd.DataFrame]) -> str:
    """SHA-256 over every table's name, columns, dtypes and row hashes, in name order."""
    h = hashlib.sha256()
    for name in sorted(tables):
        frame = tables[name]
        h.update(name.encode())
        h.update(json.dumps([[c, str(t)] for c, t in frame.dtypes.items()]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


def run_probe(study_record: dict[str, Any], base_seed: int, arm: int) -> str:
    """Replay the probe of arm `arm` of a resolved study (the manifest's ``scenario``)."""
    variant = study_record["variants"][arm]
    scenario = Scenario.model_validate(probe_scenario(variant["scenario"]))
    spec = RunSpec(
        scenario, Path(study_record["file"]), variant["name"], 0, replication_seed(base_seed, 0)
    )
    return digest(execute(spec, 0).tables)


def probe_record(
    study: Study, outputs: Sequence[RunOutput] = (), settings: Sequence[str] = ()
) -> dict[str, Any]:
    """The probe of a study for its manifest: the arm, its size, and the digest.

    The digest is taken from `outputs` when the study is no larger than a probe (its own
    replication 0 of the arm is the probe), else from a replay. A sweep probes its first
    point: `study` is that point's and `settings` its ``--set`` options, kept for the check.
    """
    arm = probe_arm(study)
    record = study.resolved()
    scenario = record["variants"][arm]["scenario"]
    small = probe_scenario(scenario) == {**scenario, "replications": 1}
    found = [o for o in outputs if o.spec_index == arm * study.base.replications]
    value = digest(found[0].tables) if small and found else run_probe(record, study.base.seed, arm)
    cut = probe_scenario(scenario)
    return {
        "variant": record["variants"][arm]["name"],
        "replication": 0,
        "members": cut["network"].get("members"),
        "days": cut["duration_days"],
        "settings": list(settings),
        "digest": value,
    }
