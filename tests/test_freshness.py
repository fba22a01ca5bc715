"""`feedsim check-results`: a results folder's probe tells whether the code still gives it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace as NS
from typing import cast

import pandas as pd
import pytest
import yaml

from sim.experiment import manifest, merge_tables, run_study, write_results
from sim.freshness import check_folder, results_folders
from sim.probe import (
    EVENT_MARGIN_DAYS,
    PROBE_DAYS,
    PROBE_MEMBERS,
    digest,
    probe_arm,
    probe_scenario,
)
from sim.scenario import Scenario
from sim.scenario.study import Study, load_study
from tests.helpers import ROOT, SHARED_DATA, small_recruiter
from tests.test_cli import invoke


def test_a_probe_is_cut_to_the_probe_size() -> None:
    big = {"network": {"source": "synthetic", "members": 10_000}, "duration_days": 90}
    cut = probe_scenario({**big, "replications": 4})
    assert cut["network"]["members"] == PROBE_MEMBERS and cut["duration_days"] == PROBE_DAYS
    assert cut["replications"] == 1 and big["network"]["members"] == 10_000  # no aliasing
    small = {"network": {"source": "synthetic", "members": 300}, "duration_days": 10.0}
    assert probe_scenario(small) == {**small, "replications": 1}
    late = {**big, "duration_days": 180, "events": [{"day": 120.0}]}
    assert probe_scenario(late)["duration_days"] == 120 + EVENT_MARGIN_DAYS
    on_file = {"network": {"source": "file", "edges": "e.txt"}, "duration_days": 90}
    assert "members" not in probe_scenario(on_file)["network"]
    windowed = {**big, "measure": {"window_from_day": 15, "window_to_day": 45}}
    assert probe_scenario(windowed)["duration_days"] == 45  # the window stays in the run
    late_start = {**big, "measure": {"window_from_day": 50, "window_to_day": None}}
    assert probe_scenario(late_start)["duration_days"] == 51


BUNDLED = sorted(
    p
    for p in (ROOT / "scenarios").rglob("*.yaml")
    if "ranges" not in p.parts and "data" not in p.parts
)


@pytest.mark.parametrize("path", BUNDLED, ids=[p.stem for p in BUNDLED])
def test_the_probe_of_every_bundled_arm_is_a_valid_scenario(path: Path) -> None:
    """A probe is made after a study's runs: an invalid one would lose them."""
    if not SHARED_DATA.is_dir() and "email" in path.stem:
        pytest.skip(f"{path.name} reads a network from {SHARED_DATA}, absent here")
    for variant in load_study(path).resolved()["variants"]:
        Scenario.model_validate(probe_scenario(variant["scenario"]))


def test_the_digest_changes_with_any_value_and_any_dtype() -> None:
    table = pd.DataFrame({"a": [1, 2], "b": [0.5, 0.25]})
    same = digest({"t": table.copy()})
    assert digest({"t": table}) == same
    assert digest({"t": table.assign(b=[0.5, 0.125])}) != same
    assert digest({"t": table.astype({"a": "int32"})}) != same
    assert digest({"u": table}) != same


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small recruiter study (two arms, 20 days) run into a results folder (tables and
    manifest, as `feedsim run` writes them; no figures, which the probe does not read)."""
    folder = tmp_path_factory.mktemp("fresh")
    body_path = small_recruiter(folder, members=600, mean_degree=60, duration_days=20)
    body = yaml.safe_load(body_path.read_text())
    body["variants"] = body["variants"][:2]
    body["variants"][1]["events"] = [
        {"day": 5, "action": "accept_invitations", "member": "recruiter", "count": 30}
        | {"field": "it"}
    ]
    body_path.write_text(yaml.safe_dump(body, sort_keys=False))
    study = load_study(body_path, {"replications": 1})  # as `feedsim run`, figures aside
    started = datetime.now(UTC)
    outputs = run_study(study, jobs=1, progress=False)
    data = manifest(study, outputs, started, jobs=1)
    write_results(folder / "results" / study.base.name, merge_tables(outputs), data)
    return body_path, folder / "results"


def test_a_fresh_folder_is_current_and_records_its_probe(checked: tuple[Path, Path]) -> None:
    _, results = checked
    probe = json.loads((results / "recruiter-accepts-100-it" / "manifest.json").read_text())[
        "probe"
    ]
    assert probe["variant"] == "accept-100-it"  # the last arm with the most events
    assert probe["members"] == 600 and probe["days"] == 20
    result = invoke("check-results", results, "--scenarios-from", "/")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("current")
    assert "1 of 1 results folders are current." in result.output


def _edited(results: Path, tmp: Path, edit: dict[str, object]) -> Path:
    """A copy of the results folder with its manifest's top-level fields replaced."""
    copy = tmp / "copy" / "recruiter"
    copy.mkdir(parents=True)
    data = json.loads((results / "recruiter-accepts-100-it" / "manifest.json").read_text())
    data.update(edit)
    (copy / "manifest.json").write_text(json.dumps({k: v for k, v in data.items() if v}))
    return copy.parent


def test_another_digest_is_stale(checked: tuple[Path, Path], tmp_path: Path) -> None:
    _, results = checked
    data = json.loads((results / "recruiter-accepts-100-it" / "manifest.json").read_text())
    root = _edited(results, tmp_path, {"probe": {**data["probe"], "digest": "0" * 64}})
    result = invoke("check-results", root, "--scenarios-from", "/")
    assert result.exit_code == 3
    assert "stale" in result.output and "gives other tables" in result.output


def test_a_folder_without_a_probe_is_unverified(checked: tuple[Path, Path], tmp_path: Path) -> None:
    _, results = checked
    result = invoke("check-results", _edited(results, tmp_path, {"probe": None}))
    assert result.exit_code == 3 and result.output.startswith("unverified")


def test_a_changed_scenario_file_is_stale(checked: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, results = checked
    body = yaml.safe_load(scenario.read_text())
    body["platform"]["max_age_days"] = 2
    moved = tmp_path / "recruiter.yaml"
    moved.write_text(yaml.safe_dump(body, sort_keys=False))
    data = json.loads((results / "recruiter-accepts-100-it" / "manifest.json").read_text())
    record = {**data["scenario"], "file": str(moved)}
    result = invoke("check-results", _edited(results, tmp_path, {"scenario": record}))
    assert result.exit_code == 3
    assert "resolves differently: base.platform.max_age_days" in result.output


def test_a_missing_root_is_bad_input(tmp_path: Path) -> None:
    result = invoke("check-results", tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such folder" in result.output


def test_a_sweep_probes_its_first_point(checked: tuple[Path, Path], tmp_path: Path) -> None:
    scenario, results = checked
    out = tmp_path / "sweeps"
    result = invoke(
        "sweep", scenario, "--out", out, "--replications", "1", "--quiet",
        "--set", "platform.followers=pull,audience",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    probe = json.loads((out / "recruiter-accepts-100-it-sweep" / "manifest.json").read_text())[
        "probe"
    ]
    assert probe["settings"] == ["platform.followers=pull"]
    plain = json.loads((results / "recruiter-accepts-100-it" / "manifest.json").read_text())
    assert probe["digest"] != plain["probe"]["digest"]  # the point's rule, not the file's
    result = invoke("check-results", out, "--scenarios-from", "/")
    assert result.exit_code == 0 and result.output.startswith("current"), result.output


def test_the_probe_takes_the_last_arm_with_the_most_events() -> None:
    arms = [NS(scenario=NS(events=e)) for e in ([], [1], [1], [])]
    assert probe_arm(cast(Study, NS(arms=arms))) == 2
    assert probe_arm(cast(Study, NS(arms=arms[:1] + arms[3:]))) == 1


# ------------------------------------------------------------ the committed results folders

RESULTS = ROOT / "results"
AWAITING = RESULTS / "awaiting-rerun.txt"
"""Committed folders made before the current model (one per line, `#` comments): each must
still be non-current, so the list only shrinks as `make figures`, `make sensitivity` and
`make validation` re-make them."""


def _awaiting() -> set[str]:
    lines = AWAITING.read_text().splitlines() if AWAITING.exists() else []
    return {line.split("#")[0].strip() for line in lines} - {""}


def _uses_absent_data(folder: Path) -> bool:
    network = json.loads((folder / "manifest.json").read_text())["scenario"]["base"]["network"]
    return network.get("source") == "file" and not SHARED_DATA.is_dir()


@pytest.mark.parametrize(
    "folder",
    [f.relative_to(ROOT).as_posix() for f in results_folders(RESULTS)],
)
def test_each_committed_results_folder_is_what_the_code_gives(folder: str) -> None:
    """A committed folder is current (its probe replays to the same digest), or listed as
    awaiting its re-run and really not current."""
    path = ROOT / folder
    if _uses_absent_data(path):
        pytest.skip(f"{folder} runs on ../shared/data, which this checkout does not have")
    verdict = check_folder(path, ROOT)
    if folder in _awaiting():
        assert verdict.status != "current", f"{folder} is current: remove it from {AWAITING.name}"
    else:
        assert verdict.status == "current", f"{folder}: {verdict.status}, {verdict.reason}"


def test_the_awaiting_list_names_only_committed_folders() -> None:
    folders = {f.relative_to(ROOT).as_posix() for f in results_folders(RESULTS)}
    assert _awaiting() <= folders, _awaiting() - folders
