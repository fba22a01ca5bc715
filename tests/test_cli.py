"""Tests for the feedsim command: bad input exits 2 with one message and no results folder.

Each bad-input test runs ``feedsim run SCENARIO --out OUT --replications 1 --quiet`` and
checks the exit code, the one-line message (file, field, problem), the absence of a
traceback, and that neither ``OUT/<name>/`` nor a hidden ``.<name>.partial-*`` folder exists.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import sim.cli.drawing
import sim.cli.options
import sim.experiment
import sim.sweep
from sim.cli import main
from sim.scenario import TestAudience as AudienceSection
from sim.scenario import json_schema
from tests.helpers import SHARED_DATA, run_tables

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "scenarios" / "recruiter-accepts-100-it.yaml"

ScenarioFile = Callable[..., Path]


def invoke(*args: str | Path) -> Result:
    """Run the feedsim command in-process."""
    return CliRunner().invoke(main, [str(a) for a in args])


def run(scenario: Path, out: Path, *extra: str) -> Result:
    """``feedsim run SCENARIO --out OUT --replications 1 --quiet``."""
    return invoke("run", scenario, "--out", out, "--replications", "1", "--quiet", *extra)


def leftovers(out: Path, name: str) -> list[str]:
    """Folders a run of `name` may leave in `out` (staging and moved-aside copies)."""
    if not out.exists():
        return []
    return sorted(p.name for p in out.iterdir() if p.name.startswith(f".{name}."))


def assert_bad_input(result: Result, out: Path, name: str, *needles: str) -> str:
    """Exit code 2, one line on stderr containing every needle, no traceback, no results."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # not an escaped exception
    message = result.stderr
    assert message.startswith("feedsim: error: ") and message.count("\n") == 1, message
    for needle in needles:
        assert needle in message, f"{needle!r} not in {message!r}"
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not (out / name).exists()
    assert leftovers(out, name) == []
    return message


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "results"


# ----------------------------------------------------------------------------- bad input


def test_malformed_yaml_names_the_line(scenario_file: ScenarioFile, out: Path) -> None:
    path = scenario_file("name: small\ntopics: [finance, it\nduration_days: 5\n")
    assert_bad_input(
        run(path, out),
        out,
        "small",
        str(path),
        "line 3",
        "a list in [ ] is not closed, or its items lack a comma (YAML)",
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "name: small\ntopics:\n  - finance\n - it\n",
            "line 4, column 2: the indentation does not match the lines above (YAML)",
        ),
        (
            "name: small\nnetwork:\n  members: 300\n mean_degree: 20\n",
            "line 4, column 2: the indentation does not match the lines above (YAML)",
        ),
        ("name: small\nnetwork:\n\tmembers: 300\n", "line 3, column 1: a tab"),
        ("name: small\n  topics: [a]\n", "line 2, column 9: a 'key:' where a value was"),
        ("name: 'small\n", "a quote is not closed (YAML)"),
        ("name: small\nfocal: *me\n", "line 2, column 8: an alias (*name) without an anchor"),
    ],
    ids=["list-item", "mapping", "tab", "key-in-value", "quote", "alias"],
)
def test_a_yaml_slip_is_told_in_plain_words(
    scenario_file: ScenarioFile, out: Path, text: str, words: str
) -> None:
    path = scenario_file(text)
    message = assert_bad_input(run(path, out), out, "small", f"{path}: ", words)
    assert "<block" not in message and "malformed" not in message


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_an_empty_scenario_file_is_called_empty(
    scenario_file: ScenarioFile, out: Path, text: str
) -> None:
    path = scenario_file(text)
    assert_bad_input(run(path, out), out, "small", f"{path}: is empty")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"platform": {"test_audience": {"fractoin": 0.1}}}, "platform.test_audience.fractoin"),
        (
            {"variants": [{"name": "v", "platform": {"test_audience": {"fractoin": 0.1}}}]},
            "variants[0].platform.test_audience.fractoin",
        ),
    ],
    ids=["top-level", "nested", "in-variant"],
)
def test_unknown_key(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    change: dict[str, Any],
    field: str,
) -> None:
    path = scenario_file({**small, **change})
    assert_bad_input(run(path, out), out, "small", str(path), f": {field}: ", "unknown key")


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"duration_days": "ninety"}, "duration_days", "valid integer"),
        ({"replications": [1]}, "replications", "valid integer"),
        ({"slice_hours": "six"}, "slice_hours", "valid number"),
        ({"platform": "linkedin"}, "platform", "valid dictionary"),
    ],
    ids=["duration-days", "replications-list", "slice-hours", "section"],
)
def test_wrong_type(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    change: dict[str, Any],
    field: str,
    problem: str,
) -> None:
    path = scenario_file({**small, **change})
    assert_bad_input(run(path, out), out, "small", str(path), f": {field}: ", problem)


def test_negative_network_size(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    small["network"] = {"members": -5}
    path = scenario_file(small)
    assert_bad_input(
        run(path, out), out, "small", str(path), "network.members", "greater than", "-5"
    )


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            {"platform": {"test_audience": {"fraction": 1.5}}},
            "platform.test_audience.fraction",
            "1.5",
        ),
        ({"behaviour": {"like_rate": -0.1}}, "behaviour.like_rate", "-0.1"),
    ],
    ids=["above-1", "below-0"],
)
def test_probability_out_of_range(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    change: dict[str, Any],
    field: str,
    problem: str,
) -> None:
    path = scenario_file({**small, **change})
    assert_bad_input(run(path, out), out, "small", str(path), f": {field}: ", problem)


def test_event_day_beyond_the_duration(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    small["events"] = [
        {"day": 9, "action": "accept_invitations", "member": "r", "count": 5, "field": "it"}
    ]
    path = scenario_file(small)
    assert_bad_input(
        run(path, out), out, "small", str(path), "events[0].day", "beyond the run's duration"
    )


def test_event_field_unknown_in_a_synthetic_network(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    small["events"] = [
        {"day": 1, "action": "accept_invitations", "member": "r", "count": 5, "field": "legal"}
    ]
    path = scenario_file(small)
    assert_bad_input(
        run(path, out), out, "small", str(path), "events[0].field", "'legal'", "not one of"
    )


def test_event_field_unknown_in_a_file_network(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    file_scenario["events"] = [
        {
            "day": 1,
            "action": "accept_invitations",
            "member": "recruiter",
            "count": 2,
            "field": "law",
        }
    ]
    path = scenario_file(file_scenario)
    needles = (
        str(path),
        ": events[0].field: ",
        "'law'",
        "not a field of the network",
        "fin, hr, it",
    )
    # a burst's field is read from the labels before any run, by validate as by run
    assert_bad_input(invoke("validate", path), out, "filenet", *needles)
    assert_bad_input(run(path, out), out, "filenet", *needles)


def test_missing_edge_file(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    file_scenario["network"]["edges"] = "nope.txt"
    path = scenario_file(file_scenario)
    assert_bad_input(
        run(path, out), out, "filenet", f"{path}: network.edges: ", "not found", "nope.txt"
    )


def test_edge_list_with_a_non_integer_token(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path, tmp_path: Path
) -> None:
    edges = tmp_path / "edges.txt"
    edges.write_text("0 1\n1 2\n# a comment\n2 x7\n3 4\n")
    path = scenario_file(file_scenario)
    assert_bad_input(
        run(path, out), out, "filenet", f"{edges.resolve()}: line 4: ", "non-integer", "'x7'"
    )


def test_labels_missing_for_some_nodes(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path, tmp_path: Path
) -> None:
    labels = tmp_path / "labels.txt"
    labels.write_text("0 fin\n1 fin\n2 fin\n3 it\n4 it\n6 hr\n7 hr\n8 hr\n")  # no node 5
    path = scenario_file(file_scenario)
    assert_bad_input(
        run(path, out), out, "filenet", f"{labels.resolve()}: node 5: ", "no label", "missing_label"
    )


def test_bad_file_network_in_worker_processes_is_one_message(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path, tmp_path: Path
) -> None:
    (tmp_path / "labels.txt").write_text("0 fin\n1 fin\n2 fin\n3 it\n4 it\n6 hr\n7 hr\n8 hr\n")
    path = scenario_file(file_scenario)
    assert_bad_input(run(path, out, "--jobs", "2"), out, "filenet", ": node 5: ", "no label")


def test_missing_scenario_file(tmp_path: Path, out: Path) -> None:
    path = tmp_path / "absent.yaml"
    message = assert_bad_input(run(path, out), out, "absent", str(path), "file not found")
    assert "did you mean" not in message  # nothing near it in the folder


def test_a_missing_file_names_the_closest_file_in_its_folder(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, out: Path, tmp_path: Path
) -> None:
    """Case and a slip of a letter aside, the file meant is named: for the scenario file, a
    network data file in the scenario, and one read by the loaders."""
    real = scenario_file(file_scenario, "My-Study.yaml")
    assert_bad_input(
        run(tmp_path / "my-study.yaml", out),
        out,
        "filenet",
        "file not found; did you mean My-Study.yaml?",
    )
    (tmp_path / "email-Eu-core.txt").write_text((tmp_path / "edges.txt").read_text())
    file_scenario["network"]["edges"] = "email-eu-core.txt"
    scenario_file(file_scenario, real.name)
    assert_bad_input(
        run(real, out),
        out,
        "filenet",
        f"{real}: network.edges: file not found: ",
        "email-eu-core.txt; did you mean email-Eu-core.txt?",
    )
    from sim.errors import InputError
    from sim.loaders import load_graph

    with pytest.raises(InputError, match=r"file not found; did you mean email-Eu-core.txt\?$"):
        load_graph(tmp_path / "email-eu-core.txt", None)


@pytest.mark.parametrize("option", ["--replications", "--jobs"])
def test_zero_replications_or_jobs_is_a_usage_error(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path, option: str
) -> None:
    result = invoke("run", scenario_file(small), "--out", out, "--quiet", option, "0")
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr and option in result.stderr
    assert not out.exists()


@pytest.fixture
def captured_jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The worker count `run` and `sweep` would use, captured before anything runs."""
    seen: dict[str, int] = {}

    def run_study(study: Any, jobs: int, **kwargs: Any) -> None:
        seen["run"] = jobs
        raise KeyboardInterrupt

    def run_sweep(plan: Any, scenario: Any, out: Any, jobs: int, *args: Any, **kwargs: Any) -> None:
        seen["sweep"] = jobs
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.experiment, "run_study", run_study)
    monkeypatch.setattr(sim.sweep, "run_sweep", run_sweep)
    return seen


def test_run_and_sweep_have_the_same_jobs_default(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path, captured_jobs: dict[str, int]
) -> None:
    path = scenario_file(small)
    assert invoke("run", path, "--out", out, "--quiet").exit_code == 130
    setting = "platform.test_audience.fraction=0.1"
    assert invoke("sweep", path, "--out", out, "--quiet", "--set", setting).exit_code == 130
    default = sim.cli.options.DEFAULT_JOBS
    assert captured_jobs == {"run": default, "sweep": default}
    helps = [invoke(command, "--help").stdout for command in ("run", "sweep")]
    run_jobs, sweep_jobs = (
        " ".join(h.split("--jobs", 1)[1].split("--scheduler", 1)[0].split()) for h in helps
    )
    assert run_jobs == sweep_jobs and f"[default: {default}]" in run_jobs


def test_sweep_seed_means_what_run_seed_means(
    small: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    """`--seed S` replaces the file's seed as in `run`: a one-point sweep at the default value
    gives the tables of the study loaded with seed S, and another seed gives other draws."""
    from sim.experiment import load_tables

    path = scenario_file(small)
    fraction = "platform.test_audience.fraction=0.15"
    tables = {}
    for seed in ("7", "8"):
        done = invoke(
            "sweep", path, "--out", tmp_path / seed, "--quiet", "--seed", seed, "--set", fraction
        )
        assert done.exit_code == 0, done.output
        tables[seed] = load_tables(tmp_path / seed / "small-sweep")
    plain = run_tables(path, replications=1, seed=7)  # what `run --seed 7` simulates
    for name, frame in plain.items():
        swept = tables["7"][name].drop(columns=["point", "platform__test_audience__fraction"])
        pd.testing.assert_frame_equal(swept, frame)
    assert set(tables["7"]["posts"]["seed"]) != set(tables["8"]["posts"]["seed"])
    assert not tables["7"]["posts"]["author_id"].equals(tables["8"]["posts"]["author_id"])


def test_run_under_another_ranker_replays_every_arm_beside_the_original(
    small: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    """`run --ranker P` is the study with `platform.ranker: P` in every arm, on the same seeds,
    in a folder of its own; the ranker changes what members see."""
    from sim.experiment import load_tables

    small["focal"] = [{"name": "m", "field": "it", "sessions_per_day": 4}]
    small["variants"] = [{"name": "a"}, {"name": "b", "behaviour": {"like_rate": 0.05}}]
    path = scenario_file(small)
    done = run(path, tmp_path, "--ranker", "chronological")
    assert done.exit_code == 0, done.output
    assert "small-chronological/" in done.stdout
    folder = tmp_path / "small-chronological"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_name"] == "small-chronological"
    replayed = load_tables(folder)
    small["platform"] = {**small.get("platform", {}), "ranker": "chronological"}
    written = run_tables(scenario_file(small, "written.yaml"), replications=1)
    for name, frame in written.items():
        pd.testing.assert_frame_equal(
            replayed[name].drop(columns="scenario"), frame.drop(columns="scenario")
        )
    assert set(replayed["feed"]["scenario"]) == {"small-chronological"}
    original = run_tables(path, replications=1)
    assert set(original["feed"]["seed"]) == set(replayed["feed"]["seed"])  # same seeds
    assert len(original["feed"]) > 5 and len(replayed["feed"]) > 5
    assert not original["feed"].equals(replayed["feed"].assign(scenario="small"))  # other feeds


def test_run_under_a_ranker_refuses_a_variant_with_its_own(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    small["variants"] = [{"name": "a"}, {"name": "rnd", "platform": {"ranker": "random"}}]
    result = run(scenario_file(small), out, "--ranker", "edgerank")
    assert_bad_input(
        result, out, "small-edgerank", "--ranker: edgerank: variants[1] (rnd) sets platform.ranker"
    )
    unknown = run(scenario_file(small), out, "--ranker", "facebook")
    assert unknown.exit_code == 2 and "'facebook' is not one of" in unknown.stderr


# ----------------------------------------------------------------------------- results folder


@pytest.fixture
def earlier(out: Path) -> Path:
    """An earlier results folder of the `small` scenario, with a marker file."""
    marker = out / "small" / "marker.txt"
    marker.parent.mkdir(parents=True)
    marker.write_text("earlier run")
    return marker


def test_a_failure_after_the_simulation_keeps_its_tables_and_manifest(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    earlier: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(folder: Path) -> None:
        assert (folder / "manifest.json").exists()  # the tables were written first
        raise RuntimeError("figures failed")

    monkeypatch.setattr(sim.cli.drawing, "draw", fail)
    result = run(scenario_file(small), out)
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    # the finished runs replace the earlier folder: tables and manifest, ready to redraw
    assert sorted(p.name for p in (out / "small").iterdir()) == ["manifest.json", "tables"]
    assert not earlier.exists()
    assert leftovers(out, "small") == []


def test_an_interrupted_run_exits_130_and_keeps_the_earlier_results(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    earlier: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def interrupt(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.experiment, "run_study", interrupt)
    result = run(scenario_file(small), out)
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.output
    assert earlier.read_text() == "earlier run"
    assert leftovers(out, "small") == []


def test_a_successful_run_replaces_the_earlier_results(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    out: Path,
    earlier: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sim.cli.drawing, "draw", lambda folder: (folder / "drawn").touch())
    result = run(scenario_file(small), out)
    assert result.exit_code == 0, result.output
    folder = out / "small"
    assert not earlier.exists()
    assert (folder / "drawn").exists()
    assert (folder / "tables" / "feed.parquet").exists()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["replications"] == 1 and manifest["variants"] == ["base"]
    assert f"wrote {folder}/" in result.stdout
    assert leftovers(out, "small") == []


# ----------------------------------------------------------------------------- other commands


def test_validate_lists_the_variants_of_the_bundled_scenario() -> None:
    result = invoke("validate", BUNDLED)
    assert result.exit_code == 0, result.output
    assert "ok (3 variants: baseline, accept-100-it, accept-100-it-no-connection-term)" in (
        result.stdout
    )


def test_validate_a_bad_file_exits_2(small: dict[str, Any], scenario_file: ScenarioFile) -> None:
    bad = scenario_file({**small, "colour": "red"}, name="bad.yaml")
    result = invoke("validate", BUNDLED, bad)
    assert result.exit_code == 2
    assert f"{bad}: colour: unknown key" in result.stderr
    assert "Traceback" not in result.output


def test_validate_refuses_a_duplicate_key(scenario_file: ScenarioFile) -> None:
    path = scenario_file("name: small\ntopics: [finance, it]\nduration_days: 5\nduration_days: 9\n")
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"feedsim: error: {path}: duration_days: duplicate key on lines 3 and 4"
        " (a key may appear once; which value is meant?)\n"
    )
    assert result.stdout == ""


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` (also inside a one-item ``allOf``) into ``$defs``."""
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        elif len(node.get("allOf", [])) == 1:
            node = node["allOf"][0]
        else:
            return node


def test_schema_documents_every_field() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert {"network", "platform", "events", "variants", "topics"} <= set(schema["properties"])
    platform = resolve(schema, schema["properties"]["platform"])
    audience = resolve(schema, platform["properties"]["test_audience"])
    fraction = audience["properties"]["fraction"]
    assert fraction["unit"] == "share"
    from sim.scenario import TestAudience

    assert fraction["default"] == TestAudience().fraction
    assert "connections" in fraction["description"]
    assert (fraction["minimum"], fraction["maximum"]) == (0, 1)


def test_scenarios_lists_the_bundled_file() -> None:
    """Every bundled scenario is valid; one that reads a real network from the shared data
    folder is listed as invalid, naming the missing file, where that folder is absent (the
    project ships no copy of the data)."""
    result = invoke("scenarios")
    assert result.exit_code == 0
    assert "recruiter-accepts-100-it.yaml" in result.stdout
    invalid = [line for line in result.stdout.splitlines() if "INVALID" in line]
    if SHARED_DATA.is_dir():
        assert invalid == []
    else:
        assert invalid, "the email network's scenario should say its data file is missing"
        for line in invalid:
            assert "file not found" in line and str(SHARED_DATA) in line, line


def test_help_explains_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("run", "validate", "figures", "sweep", "params", "scenarios", "schema"):
        assert f"  {command} " in result.stdout
    assert "scenario file" in result.stdout.lower()


def test_run_help_lists_every_table_it_writes() -> None:
    from sim.metrics import TABLES

    result = invoke("run", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert f"tables/*.parquet (one per table: {', '.join(TABLES)})" in text
    assert set(TABLES) >= {"posts", "feed", "beliefs", "ties", "connections"}


def test_python_dash_m_sim_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "run" in done.stdout


# ----------------------------------------------------------------------------- params


def blocks(output: str) -> dict[str, list[str]]:
    """The `feedsim params` table as {path: [its row, then its indented lines]}."""
    found: dict[str, list[str]] = {}
    current: list[str] = []
    for line in output.splitlines()[1:]:
        if line.startswith("    "):
            current.append(line.strip())
        elif line.strip() and not line.startswith(("Inside one variant", "<name> is")):
            current = [line]
            found[line.split()[0]] = current
    return found


def test_params_lists_every_path_with_default_unit_range_and_source() -> None:
    result = invoke("params")
    assert result.exit_code == 0, result.output
    table = blocks(result.stdout)
    assert result.stdout.splitlines()[0].split() == ["PATH", "DEFAULT", "UNIT", "ALLOWED"]
    fraction = table["platform.test_audience.fraction"]
    assert fraction[0].split() == ["platform.test_audience.fraction", "0.15", "share", "[0,", "1]"]
    assert fraction[1] == "Share of the author's connections in the test audience."
    assert fraction[2].startswith("source: free; calibrated to the blog post's 4-5% primary reach")
    assert table["slice_hours"][0].split()[1:] == ["1", "hours", "(0,", "24]"]
    assert table["platform.ranker"][0].endswith(
        "linkedin | edgerank | twitter-2023 | chronological | random"
    )
    assert table["focal.<name>.strategy.accept"][0].split()[1] == "selective"
    assert table["events.<i>.count"][0].split()[1:] == ["(required)", "invitations", ">=", "1"]
    assert table["events.<i>.count"][1].startswith("(accept_invitations event only) ")
    # fields that are not parameters carry no source line
    for path in ("focal.<name>.name", "events.<i>.day", "network.edges", "description"):
        assert not any(line.startswith("source:") for line in table[path]), path
    assert {"name", "seed", "replications"}.isdisjoint(table)  # set by options, not --set


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "test_audience",
            {f"platform.test_audience.{f}" for f in AudienceSection.model_fields}
            | {"platform.arms.<name>.candidates.test_audience"},
        ),
        ("behaviour.ties.*stranger", {"behaviour.ties.stranger", "behaviour.ties.placed_stranger"}),
        (
            "*.share",
            {
                "members.activity.<i>.share",
                "members.posting.<i>.share",
                "trend.groups.<i>.share",
                "platform.arms.<name>.share",
            },
        ),
    ],
    ids=["substring", "glob", "glob-suffix"],
)
def test_params_filters_by_substring_or_glob(pattern: str, expected: set[str]) -> None:
    result = invoke("params", pattern)
    assert result.exit_code == 0, result.output
    assert set(blocks(result.stdout)) == expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            "variants.*.platform.test_audience.f*",
            {"variants.<name>.platform.test_audience.fraction"},
        ),
        (
            "variants.accept-100-it.behaviour.ties.stranger",
            {"variants.<name>.behaviour.ties.stranger"},
        ),
    ],
    ids=["glob", "a-variant-by-name"],
)
def test_params_lists_the_paths_inside_a_variant(pattern: str, expected: set[str]) -> None:
    result = invoke("params", pattern)
    assert result.exit_code == 0, result.output
    assert set(blocks(result.stdout)) == expected
    assert "<name> is the name of a variant" in result.stdout


def test_params_variants_star_lists_every_path_inside_a_variant() -> None:
    """`feedsim params 'variants.*'`: every path of `feedsim params`, inside one variant,
    but duration_days (the runs of a study share their length)."""
    every = set(blocks(invoke("params").stdout))
    result = invoke("params", "variants.*")
    assert result.exit_code == 0, result.output
    assert set(blocks(result.stdout)) == {
        f"variants.<name>.{path}" for path in every if path != "duration_days"
    }


def test_params_without_a_match_exits_2() -> None:
    result = invoke("params", "no.such.path")
    assert result.exit_code == 2
    assert result.stderr == (
        "feedsim: error: no parameter path matches 'no.such.path' (`feedsim params` lists them"
        " all)\n"
    )


def test_descriptions_cite_only_files_in_the_repository() -> None:
    """Every `*.md` file a field or section description or source names exists here (the
    design notes outside the repository are not cited)."""

    def strings(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [t for value in node.values() for t in strings(value)]
        if isinstance(node, list):
            return [t for value in node for t in strings(value)]
        return [node] if isinstance(node, str) else []

    text = "\n".join(strings(json_schema()))
    cited = set(re.findall(r"[\w./-]+\.md\b", text))
    assert cited, "the schema cites docs/model.md and docs/calibration.md"
    assert {c for c in cited if not (ROOT / c).is_file()} == set()
    assert "calibration-sources" not in text and "MODEL.md" not in text


def test_run_keeps_only_the_variants_asked_for_with_their_seeds(
    tmp_path: Path, small: dict[str, Any]
) -> None:
    small["variants"] = [{"name": "a"}, {"name": "b", "platform": {"ranker": "random"}}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(small))
    result = invoke("run", str(path), "--out", str(tmp_path / "out"), "--variant", "b", "--quiet")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "out" / "small" / "manifest.json").read_text())
    assert manifest["variants"] == ["b"]
    bad = invoke("run", str(path), "--out", str(tmp_path / "out"), "--variant", "c", "--quiet")
    assert bad.exit_code == 2
    assert "'c' is not a variant" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_no_figures_writes_the_tables_and_a_report_that_says_how_to_draw_them(
    small: dict[str, Any], scenario_file: ScenarioFile, out: Path
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    path = scenario_file(small)
    result = invoke("run", path, "--out", out, "--quiet", "--no-figures")
    assert result.exit_code == 0, result.output
    folder = out / "small"
    assert (folder / "tables" / "posts.parquet").is_file() and (folder / "manifest.json").is_file()
    assert not list(folder.glob("figures/*.png"))
    report = (folder / "report.md").read_text()
    assert "Figures not drawn (`feedsim run --no-figures`)" in report
    assert "](figures/" not in report
    assert "error.txt" not in report
    # `feedsim figures` draws them later and the report then places them
    drawn = invoke("figures", folder)
    assert drawn.exit_code == 0, drawn.output
    assert list(folder.glob("figures/*.png")) and list(folder.glob("figures/*.svg"))
    report = (folder / "report.md").read_text()
    assert "](figures/" in report and "Figures not drawn" not in report
