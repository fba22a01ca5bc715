"""Tests for `feedsim sweep`: the grid, its tables, resuming after an interruption, bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result

import sim.experiment
import sim.sweep
import sim.sweep.workfolder
from sim import params
from sim.cli import main
from sim.errors import InputError
from sim.experiment import RunOutput, RunSpec, load_tables, manifest, run_study, write_results
from sim.metrics import TABLES
from sim.scenario import STUDY_LEVEL, Platform, Scenario, load_study
from sim.scenario.paths import resolve
from sim.sweep import grid, parse_setting, parse_settings

TINY: dict[str, Any] = {
    "name": "tiny",
    "topics": ["a", "b"],
    "duration_days": 4,
    "replications": 2,
    "slice_hours": 6,
    "network": {"members": 300, "mean_degree": 20},
    "focal": [{"name": "me", "field": "a"}],
}
FRACTION = "platform.test_audience.fraction"
SWEEP_COLUMNS = ["point", "platform__test_audience__fraction"]

K = Platform.model_fields["feed_size"].default
"""The default feed size: what an arm a path does not reach keeps."""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny scenario file."""
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY, sort_keys=False))
    return path


def sweep(scenario: Path, out: Path, *args: str) -> Result:
    """``feedsim sweep SCENARIO --out OUT --quiet ARGS`` in-process."""
    return CliRunner().invoke(main, ["sweep", str(scenario), "--out", str(out), "--quiet", *args])


def table_bytes(folder: Path) -> dict[str, bytes]:
    """The saved Parquet tables of a results folder, as bytes."""
    return {name: (folder / "tables" / f"{name}.parquet").read_bytes() for name in TABLES}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Count runs executed in this process; ``state["interrupt_at"] = n`` interrupts call n."""
    state: dict[str, Any] = {"calls": 0, "interrupt_at": None}
    real = sim.experiment.execute

    def execute(spec: RunSpec, index: int, on_day: Any = None) -> RunOutput:
        state["calls"] += 1
        if state["calls"] == state["interrupt_at"]:
            raise KeyboardInterrupt
        return real(spec, index, on_day)

    monkeypatch.setattr(sim.experiment, "execute", execute)
    return state


# ----------------------------------------------------------------------------- the grid


def test_settings_parse_yaml_scalars_and_name_their_columns() -> None:
    fraction = parse_setting(f"{FRACTION}=0.05, 0.1,0.2")
    assert fraction.values == (0.05, 0.1, 0.2)
    assert fraction.column == "platform__test_audience__fraction"
    mixed = parse_setting("x.y=true,3,linkedin,1e-3,null")
    assert mixed.values == (True, 3, "linkedin", 0.001, None)
    assert mixed.texts == ("true", "3", "linkedin", "1e-3", "null")
    resolved = sim.sweep.Axis("x.y", (3,), ("3",), ("x", 0, "y"))
    raw: dict[str, Any] = {"x": [{"y": 1, "z": 2}]}
    resolved.apply(raw, 3)
    assert raw == {"x": [{"y": 3, "z": 2}]}
    assert resolved.field == "x[0].y"


def test_the_grid_is_the_product_with_the_first_setting_slowest() -> None:
    axes = parse_settings([f"{FRACTION}=0.05,0.1,0.2", "behaviour.ties.stranger=0.05,0.15"])
    points = grid(axes)
    assert len(points) == 6
    assert points[:3] == [(0, 0), (0, 1), (1, 0)]
    assert [axes[0].values[i] for i, _ in points] == [0.05, 0.05, 0.1, 0.1, 0.2, 0.2]


# ----------------------------------------------------------------------------- paths into lists

ARMS: dict[str, Any] = {
    **TINY,
    "focal": [{"name": "me", "field": "a"}, {"name": "you", "field": "b"}],
    "variants": [
        {"name": "plain"},
        {
            "name": "burst",
            "events": [
                {
                    "day": 1,
                    "action": "accept_invitations",
                    "member": "me",
                    "count": 5,
                    "field": "b",
                },
                {"day": 2, "action": "prune", "member": "me"},
            ],
        },
        {"name": "chrono", "platform": {"ranker": "chronological"}},
    ],
}


@pytest.fixture
def arms(tmp_path: Path) -> Path:
    """A tiny scenario with two focal members and three variants, one with events."""
    path = tmp_path / "arms.yaml"
    path.write_text(yaml.safe_dump(ARMS, sort_keys=False))
    return path


def counts(plan: sim.sweep.Sweep, arm: str) -> list[int]:
    """The count of the first event of `arm` at every point."""
    chosen = [next(a for a in p.study.arms if a.name == arm).scenario.events for p in plan.points]
    return [getattr(events[0], "count", -1) if events else -1 for events in chosen]


@pytest.mark.parametrize(
    "path",
    ["variants.burst.events.0.count", "variants[1].events[0].count", "variants.1.events.0.count"],
)
def test_a_path_reaches_an_event_inside_a_variant(arms: Path, path: str) -> None:
    plan = sim.sweep.plan_sweep(arms, [f"{path}=10,20,30"])
    assert counts(plan, "burst") == [10, 20, 30]
    assert counts(plan, "plain") == [-1, -1, -1]  # the other arms are unchanged
    for point in plan.points:
        assert point.study.arms[2].scenario.platform.ranker == "chronological"
        assert point.study.arms[1].scenario.events[1].action == "prune"
    (axis,) = plan.axes
    assert axis.segments == ("variants", 1, "events", 0, "count")
    assert axis.field == "variants[1].events[0].count"


def test_a_variant_path_changes_only_that_arm_even_for_inherited_sections(arms: Path) -> None:
    """A field the variant does not set (it inherits the base's) is set in that arm only; a
    list it inherits (focal) is copied in first, so its other items stay the base's."""
    plan = sim.sweep.plan_sweep(
        arms,
        [
            "variants.plain.platform.feed_size=3,4",
            "variants.burst.focal.you.strategy.accept=everyone",
        ],
    )
    assert [[a.scenario.platform.feed_size for a in p.study.arms] for p in plan.points] == [
        [3, K, K],
        [4, K, K],
    ]
    for point in plan.points:
        accepts = {
            arm.name: [(m.name, m.strategy.accept) for m in arm.scenario.focal]
            for arm in point.study.arms
        }
        assert accepts == {
            "plain": [("me", "selective"), ("you", "selective")],
            "burst": [("me", "selective"), ("you", "everyone")],
            "chrono": [("me", "selective"), ("you", "selective")],
        }


def test_items_of_base_lists_by_name_or_index_even_when_defaulted(arms: Path) -> None:
    plan = sim.sweep.plan_sweep(
        arms, ["focal.you.sessions_per_day=0.5", "members.activity.1.sessions_per_day=0.25,2"]
    )
    for point, rate in zip(plan.points, (0.25, 2), strict=True):
        for arm in point.study.arms:
            assert [m.sessions_per_day for m in arm.scenario.focal] == [2.0, 0.5]
            defaults = [c.sessions_per_day for c in load_study(arms).base.members.activity]
            assert [c.sessions_per_day for c in arm.scenario.members.activity] == [
                defaults[0],
                rate,
                *defaults[2:],
            ]


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        (
            "variants.brust.events.0.count=3",
            "no variant named 'brust' (valid names: plain, burst, chrono); did you mean 'burst'?",
        ),
        (
            "focal.yuo.sessions_per_day=1",
            "no focal member named 'yuo' (valid names: me, you); did you mean 'you'?",
        ),
        ("variants.burst.events.2.count=3", "variants[1].events has 2 items; no index 2"),
        ("variants.7.platform.ranker=random", "variants has 3 items; no index 7 (valid: 0 to 2)"),
        ("variants.burst.events.first.count=3", "the items of variants[1].events have no names"),
        ("variants.plain.events.0.count=3", "events has 0 items; no index 0 (valid: none)"),
        ("variants.burst.name=x", "cannot be swept"),
        ("variants.burst=x", "name a field inside one variant"),
        ("network.field_shares.0=0.5", "network.field_shares is not a list here"),
    ],
    ids=[
        "unknown-variant",
        "unknown-member",
        "event-index",
        "variant-index",
        "event-by-name",
        "no-events",
        "variant-name",
        "whole-variant",
        "unset-list",
    ],
)
def test_bad_list_paths_exit_2_naming_the_valid_items(
    arms: Path, tmp_path: Path, setting: str, problem: str, counted: dict[str, Any]
) -> None:
    result = sweep(arms, tmp_path / "out", "--set", setting)
    assert result.exit_code == 2, result.output
    path = setting.split("=")[0]
    assert result.stderr.startswith(f"feedsim: error: --set: {path}: "), result.stderr
    assert problem in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert counted["calls"] == 0


def test_a_name_that_is_a_number_is_taken_as_the_name(tmp_path: Path) -> None:
    body = {**TINY, "variants": [{"name": "2"}, {"name": "x"}, {"name": "y"}]}
    path = tmp_path / "numbered.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    plan = sim.sweep.plan_sweep(path, ["variants.2.platform.feed_size=3"])
    assert [a.scenario.platform.feed_size for a in plan.points[0].study.arms] == [3, K, K]
    plan = sim.sweep.plan_sweep(path, ["variants.1.platform.feed_size=3"])
    assert [a.scenario.platform.feed_size for a in plan.points[0].study.arms] == [K, 3, K]


def test_a_variant_path_and_a_base_path_to_the_same_field_overlap(arms: Path) -> None:
    with pytest.raises(InputError, match=re.escape("overlaps --set platform.feed_size")):
        sim.sweep.plan_sweep(arms, ["platform.feed_size=3", "variants.plain.platform.feed_size=4"])
    with pytest.raises(InputError, match=re.escape("both reach variants[1].events[0]")):
        sim.sweep.plan_sweep(arms, ["variants.burst.events.0.day=1", "variants.1.events.0.day=2"])
    # two different arms do not overlap
    plan = sim.sweep.plan_sweep(
        arms, ["variants.plain.platform.feed_size=3", "variants.burst.platform.feed_size=4"]
    )
    assert [a.scenario.platform.feed_size for a in plan.points[0].study.arms] == [3, 4, K]


def test_a_list_shared_through_a_yaml_alias_stays_shared(tmp_path: Path) -> None:
    """The recruiter study's two burst arms share their events (`events: *burst`): setting
    the count in one sets it in both, and `validate --set` says so."""
    bundled = Path(__file__).resolve().parents[1] / "scenarios" / "recruiter-accepts-100-it.yaml"
    setting = "variants.accept-100-it.events.0.count=25,50"
    plan = sim.sweep.plan_sweep(bundled, [setting])
    for point, count in zip(plan.points, (25, 50), strict=True):
        assert [
            [getattr(e, "count", None) for e in a.scenario.events] for a in point.study.arms
        ] == [
            [],
            [count],
            [count],
        ]
    result = CliRunner().invoke(main, ["validate", str(bundled), "--set", setting])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        f"  --set {setting}",
        "      reaches variants[1].events[0].count: AcceptInvitations.count: integer, allowed"
        " >= 1, unit invitations; Number of invitations accepted in all (over `days` days).",
        "      now 100 in variant accept-100-it",
        "      also sets variants[2].events[0].count (the file shares it there through a YAML"
        " alias)",
        "      2 values, each valid",
        "  2 points, each a valid scenario",
    ]


def test_validate_set_shows_the_field_and_refuses_bad_points(arms: Path) -> None:
    result = CliRunner().invoke(
        main, ["validate", str(arms), "--set", "platform.test_audience.fraction=0.1,0.2"]
    )
    assert result.exit_code == 0, result.output
    assert "reaches platform.test_audience.fraction: TestAudience.fraction: number, allowed" in (
        result.stdout
    )
    assert "[0, 1], unit share" in result.stdout and "now 0.15\n" in result.stdout
    bad = CliRunner().invoke(
        main, ["validate", str(arms), "--set", "platform.test_audience.fraction=0.1,2"]
    )
    assert bad.exit_code == 2
    assert bad.stdout == ""
    assert (
        bad.stderr.startswith("feedsim: error: --set: platform.test_audience.fraction=2: ")
        and bad.stderr.count("\n") == 1
    )


# ----------------------------------------------------------------------------- results


def plain_run(scenario: Path, out: Path, fraction: float) -> dict[str, pd.DataFrame]:
    """The tables of a plain run with the test-audience fraction set, as saved and read back."""
    study = load_study(scenario, {"platform": {"test_audience": {"fraction": fraction}}})
    outputs = run_study(study, progress=False)
    data = manifest(study, outputs, datetime.now(UTC), 1)
    folder = write_results(out / study.base.name, sim.experiment.merge_tables(outputs), data)
    return load_tables(folder)


def test_each_point_equals_a_plain_run_with_its_value(tiny: Path, tmp_path: Path) -> None:
    result = sweep(tiny, tmp_path / "out", "--set", f"{FRACTION}=0.05,0.3", "--jobs", "1")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "tiny-sweep"
    assert f"wrote {folder}/ (2 points)" in result.stdout
    swept = load_tables(folder)
    for point, fraction in enumerate((0.05, 0.3)):
        plain = plain_run(tiny, tmp_path / f"plain-{point}", fraction)
        for name in TABLES:
            table = swept[name]
            assert list(table.columns[4:6]) == SWEEP_COLUMNS, name
            rows = table[table["point"] == point]
            assert (rows["platform__test_audience__fraction"] == fraction).all()
            pd.testing.assert_frame_equal(
                rows.drop(columns=SWEEP_COLUMNS).reset_index(drop=True), plain[name]
            )
    data = json.loads((folder / "manifest.json").read_text())
    assert [p["parameters"] for p in data["points"]] == [{FRACTION: 0.05}, {FRACTION: 0.3}]
    plain_seeds = load_study(tiny).base.seed
    assert data["base_seed"] == plain_seeds
    assert [(r["point"], r["replication"]) for r in data["runs"]] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    ]
    # common random numbers: replication r has the same seed at every point
    assert data["runs"][0]["seed"] == data["runs"][2]["seed"] != data["runs"][1]["seed"]
    assert all(r["wall_seconds"] > 0 and ":" in r["worker"] for r in data["runs"])
    assert "| 1 | 0.3 |" in (folder / "report.md").read_text()


def test_an_interrupted_sweep_resumes_where_it_stopped(
    tiny: Path, tmp_path: Path, counted: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    args = ("--set", f"{FRACTION}=0.05,0.3", "--jobs", "1")
    counted["interrupt_at"] = 3  # after point 0's two replications
    first = sweep(tiny, out, *args)
    assert first.exit_code == 130
    assert "run the same command again to resume" in first.stderr
    work = out / ".tiny-sweep.work"
    assert sorted(p.name for p in (work / "runs").iterdir()) == [
        "p0000-base-r000",
        "p0000-base-r001",
    ]
    assert not (out / "tiny-sweep").exists()

    counted.update(calls=0, interrupt_at=None)
    second = sweep(tiny, out, *args)
    assert second.exit_code == 0, second.output
    assert counted["calls"] == 2  # only point 1 was run
    assert not work.exists()
    data = json.loads((out / "tiny-sweep" / "manifest.json").read_text())
    assert data["resumed_runs"] == 2 and len(data["runs"]) == 4

    monkeypatch.undo()  # worker processes need the real runner
    reference = sweep(tiny, tmp_path / "ref", "--set", f"{FRACTION}=0.05,0.3", "--jobs", "2")
    assert reference.exit_code == 0, reference.output
    assert table_bytes(out / "tiny-sweep") == table_bytes(tmp_path / "ref" / "tiny-sweep")


def test_a_work_folder_of_other_settings_or_code_is_kept_unless_fresh(
    tiny: Path, tmp_path: Path, counted: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    counted["interrupt_at"] = 2
    assert sweep(tiny, out, "--set", f"{FRACTION}=0.05,0.3", "--jobs", "1").exit_code == 130
    counted["interrupt_at"] = None
    other = sweep(tiny, out, "--set", f"{FRACTION}=0.1,0.3", "--jobs", "1")
    assert other.exit_code == 2
    assert "other settings" in other.stderr and "--fresh" in other.stderr
    monkeypatch.setattr(sim.sweep.workfolder, "code_hash", lambda: "edited")
    edited = sweep(tiny, out, "--set", f"{FRACTION}=0.05,0.3", "--jobs", "1")
    assert edited.exit_code == 2
    assert "other feedsim code" in edited.stderr and "--fresh" in edited.stderr
    assert (out / ".tiny-sweep.work" / "runs" / "p0000-base-r000").exists()
    fresh = sweep(tiny, out, "--set", f"{FRACTION}=0.1,0.3", "--jobs", "1", "--fresh")
    assert fresh.exit_code == 0, fresh.output
    assert not (out / ".tiny-sweep.work").exists()


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("setting", "needles"),
    [
        (f"{FRACTION}=0.1,1.5", [f"--set: {FRACTION}=1.5: ", "less than or equal to 1"]),
        ("platform.test_audience.fractoin=0.1", ["platform.test_audience.fractoin", "unknown key"]),
        ("platform.ranker=linkedin,bogus", ["platform.ranker=bogus", "linkedin"]),
        ("network.members=300,-3", ["network.members=-3", "greater than"]),
        ("duration_days=4,ninety", ["duration_days=ninety", "valid integer"]),
        (FRACTION, ["--set: ", "PATH=V1,V2"]),
        (f"{FRACTION}=0.1,,0.2", [f"--set: {FRACTION}: ", "empty value"]),
        ("seed=1,2", ["--set: seed: ", "cannot be swept"]),
        ("platform..ranker=linkedin", ["--set: platform..ranker: "]),
    ],
    ids=[
        "out-of-range",
        "unknown-path",
        "bad-choice",
        "negative",
        "wrong-type",
        "no-values",
        "empty-value",
        "study-level",
        "bad-path",
    ],
)
def test_bad_settings_exit_2_naming_the_path(
    tiny: Path, tmp_path: Path, setting: str, needles: list[str], counted: dict[str, Any]
) -> None:
    out = tmp_path / "out"
    stranger = "behaviour.ties.stranger=0.05,0.15"
    result = sweep(tiny, out, "--set", stranger, "--set", setting, "--jobs", "1")
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert message.startswith("feedsim: error: ") and message.count("\n") == 1, message
    for needle in needles:
        assert needle in message, message
    assert counted["calls"] == 0  # validated before anything ran
    assert not out.exists() or list(out.iterdir()) == []


def test_a_field_a_variant_sets_cannot_be_swept(
    tmp_path: Path, scenario_file: Callable[..., Path]
) -> None:
    body = {**TINY, "variants": [{"name": "chrono", "platform": {"ranker": "chronological"}}]}
    result = sweep(scenario_file(body), tmp_path / "out", "--set", "platform.ranker=linkedin")
    assert result.exit_code == 2
    assert "--set: platform.ranker: variants[0] sets this field itself" in result.stderr
    assert "(to sweep it in that arm: --set variants.chrono.platform.ranker=...)" in result.stderr


def test_overlapping_settings_exit_2(tiny: Path, tmp_path: Path) -> None:
    result = sweep(tiny, tmp_path / "out", "--set", "platform.ranker=random", "--set", "platform=1")
    assert result.exit_code == 2
    assert "overlaps --set platform" in result.stderr


# ----------------------------------------------------------------------------- feedsim params

EVERYTHING: dict[str, Any] = {
    **TINY,
    "network": {"members": 300, "mean_degree": 20, "field_shares": [0.5, 0.5]},
    "focus_topic": "a",
    "focal": [{"name": "me", "field": "a"}],
    "events": [
        {"day": 1, "action": "accept_invitations", "member": "me", "count": 5, "field": "b"},
        {"day": 2, "action": "prune", "member": "me", "kinds": ["stranger"]},
    ],
    "trend": {"groups": [{"strategy": "everyone", "share": 0.1}]},
    "platform": {"arms": [{"name": "me", "share": 0.2, "ranker": "chronological"}]},
}
"""A scenario with an item in every list a path can reach into."""


def concrete(param: params.Param) -> tuple[str, ...]:
    """The path with its placeholders replaced by items of EVERYTHING (or the file network)."""
    event = "1" if param.applies == "prune event" else "0"
    parts = param.path.split(".")
    return tuple(
        (event if parts[i - 1] == "events" else "0")
        if p == params.INDEX
        else "me"
        if p == params.NAME
        else p
        for i, p in enumerate(parts)
    )


def test_every_listed_path_takes_its_default_in_a_sweep(
    tmp_path: Path, file_scenario: dict[str, Any]
) -> None:
    """`feedsim sweep --set PATH=<default>` plans for every path `feedsim params` lists (the
    current value where the default is not a value of that item: required fields, list items)."""
    synthetic = tmp_path / "everything.yaml"
    synthetic.write_text(yaml.safe_dump(EVERYTHING, sort_keys=False))
    files = tmp_path / "filenet.yaml"
    files.write_text(yaml.safe_dump(file_scenario, sort_keys=False))
    listed = params.parameters()
    assert len(listed) > 60
    for param in listed:
        scenario = files if param.applies == "file network" else synthetic
        path = concrete(param)
        value = param.default
        if (
            value == params.REQUIRED
            or params.INDEX in param.path.split(".")[-1:]
            or "(by item)" in value
        ):
            segments = [int(p) if p.isdigit() else p for p in path]
            if "me" in segments:
                segments[segments.index("me")] = 0
            found = resolve(load_study(scenario).base, segments)
            value = params.show_value(found.value)
        setting = f"{'.'.join(path)}={value}"
        plan = sim.sweep.plan_sweep(scenario, [setting])
        assert len(plan.points) == 1, setting
        (axis,) = plan.axes
        reached = resolve(plan.points[0].study.base, axis.segments)
        assert params.show_value(reached.value) == value, setting


def schema_leaves(schema: dict[str, Any], node: dict[str, Any], prefix: str) -> set[str]:
    """Leaf paths of the JSON Schema, walked independently of sim.params."""

    def deref(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node or len(node.get("allOf", [])) == 1:
            node = (
                schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
                if "$ref" in node
                else node["allOf"][0]
            )
        return node

    node = deref(node)
    options = [deref(o) for o in node.get("anyOf") or node.get("oneOf") or []]
    if options:
        return {
            leaf
            for option in options
            if option.get("type") != "null"
            for leaf in schema_leaves(schema, option, prefix)
        }
    if "properties" in node:
        return {
            leaf
            for name, child in node["properties"].items()
            for leaf in schema_leaves(schema, child, f"{prefix}{name}.")
        }
    if node.get("type") == "array":
        item = deref(node["items"])
        kinds = [deref(o) for o in item.get("oneOf") or item.get("anyOf") or [item]]
        named = all("name" in k.get("properties", {}) for k in kinds)
        marker = params.NAME if named else params.INDEX
        return schema_leaves(schema, item, f"{prefix}{marker}.")
    return {prefix.rstrip(".")}


def test_every_schema_leaf_is_listed() -> None:
    schema = Scenario.model_json_schema()
    leaves = schema_leaves(schema, schema, "")
    study_level = {p for p in leaves if p.split(".")[0] in STUDY_LEVEL and p != "duration_days"}
    assert study_level == {
        "name",
        "seed",
        "replications",
        "variants.<name>.name",
        "variants.<name>.description",
        "comparisons.<i>.arm",
        "comparisons.<i>.reference",
    }
    listed = {p.path for p in params.parameters()}
    assert listed == leaves - study_level


def test_a_work_folder_in_use_is_refused(tmp_path: Path) -> None:
    """A second sweep may not share the work folder while the first holds its lock."""
    first, second = (sim.sweep.WorkFolder(tmp_path / ".x-sweep.work") for _ in range(2))
    refused = pytest.raises(InputError, match="another feedsim sweep is using this work folder")
    with first.locked(), refused, second.locked():
        pass
    with second.locked():
        assert (tmp_path / ".x-sweep.work").is_dir()
