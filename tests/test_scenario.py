"""Tests for sim.scenario: variants by deep merge, consistency checks, and error paths."""

from __future__ import annotations

import itertools
import pickle
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import annotated_types
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.cli import main
from sim.errors import InputError
from sim.scenario import (
    FileNetwork,
    Scenario,
    SyntheticNetwork,
    load_study,
    read_yaml,
)
from sim.scenario import (
    TestAudience as AudienceSection,
)
from sim.scenario.loading import MAX_VALUES
from sim.scenario.study import _deep_merge

BUNDLED = Path(__file__).resolve().parents[1] / "scenarios" / "recruiter-accepts-100-it.yaml"

ScenarioFile = Callable[..., Path]


def load_error(path: Path, overrides: dict[str, Any] | None = None) -> InputError:
    """The InputError that loading `path` raises."""
    with pytest.raises(InputError) as info:
        load_study(path, overrides)
    return info.value


def nested(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """``("a", "b"), 1`` -> ``{"a": {"b": 1}}``."""
    result: Any = value
    for key in reversed(path):
        result = {key: result}
    assert isinstance(result, dict)
    return result


def probability_paths(
    model: type[BaseModel], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[str, ...]]:
    """Paths of every float field bounded to [0, 1], through nested sections (not lists)."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from probability_paths(annotation, (*prefix, name))
        elif annotation is float:
            ge = any(isinstance(m, annotated_types.Ge) and m.ge == 0 for m in info.metadata)
            le = any(isinstance(m, annotated_types.Le) and m.le == 1 for m in info.metadata)
            if ge and le:
                yield (*prefix, name)


PROBABILITIES = sorted(probability_paths(Scenario))

SHARES_OF_ONE = {"friends_of_friends": "same_field", "same_field": "friends_of_friends"}
"""Shares of one whole (``platform.invitations``): set alone, the other is set to 0 so their
sum stays at most 1 (its own check, tested in tests/test_invitees.py)."""


def probability_override(path: tuple[str, ...], value: float) -> dict[str, Any]:
    """The override setting the probability at `path` to `value`; for a share of one whole,
    its partner share set to 0."""
    override = nested(path, value)
    partner = SHARES_OF_ONE.get(path[-1])
    if partner is not None:
        section: Any = override
        for key in path[:-1]:
            section = section[key]
        section[partner] = 0.0
    return override


def with_variants(small: dict[str, Any], *variants: dict[str, Any]) -> dict[str, Any]:
    return {**small, "variants": list(variants)}


# ----------------------------------------------------------------------------- variants


def test_bundled_scenario_has_three_arms_differing_only_as_declared() -> None:
    study = load_study(BUNDLED)
    assert [arm.name for arm in study.arms] == [
        "baseline",
        "accept-100-it",
        "accept-100-it-no-connection-term",
    ]
    baseline, burst, no_term = (arm.scenario for arm in study.arms)
    assert baseline.events == [] and len(burst.events) == 1 and burst.events == no_term.events
    assert burst.platform.inference.connection_term is True
    assert no_term.platform.inference.connection_term is False
    assert (
        no_term.platform.model_copy(update={"inference": burst.platform.inference})
        == burst.platform
    )


def test_variant_deep_merge_keeps_the_other_fields_of_a_section(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["platform"] = {
        "feed_size": 7,
        "test_audience": {"fraction": 0.2},
        "inference": {"like_step": 0.05, "connection_step": 0.03},
    }
    off = {"name": "off", "platform": {"inference": {"connection_term": False}}}
    study = load_study(scenario_file(with_variants(small, {"name": "on"}, off)))
    on_arm, off_arm = (arm.scenario for arm in study.arms)
    platform = off_arm.platform
    assert platform.inference.connection_term is False
    assert platform.inference.like_step == 0.05
    assert platform.inference.connection_step == 0.03
    assert platform.feed_size == 7
    assert platform.test_audience.fraction == 0.2
    assert platform.inference.model_copy(update={"connection_term": True}) == (
        on_arm.platform.inference
    )
    assert off_arm.model_copy(update={"platform": on_arm.platform}) == on_arm


def test_variant_lists_replace_the_base_lists_whole(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    small["events"] = [
        {"day": 1, "action": "accept_invitations", "member": "r", "count": 5, "field": "it"},
        {"day": 2, "action": "accept_invitations", "member": "r", "count": 5, "field": "it"},
    ]
    late = {"day": 4, "action": "accept_invitations", "member": "r", "count": 9, "field": "it"}
    one_class = {"activity": [{"share": 1.0, "sessions_per_day": 0.5}]}
    study = load_study(
        scenario_file(
            with_variants(small, {"name": "late", "events": [late], "members": one_class})
        )
    )
    arm = study.arms[0].scenario
    assert [(e.day, e.count) for e in arm.events] == [(4, 9)]
    assert len(arm.members.activity) == 1
    assert arm.members.posting == study.base.members.posting  # not mentioned: kept
    assert len(study.base.events) == 2


def test_a_variant_focal_mapping_changes_the_named_members_only(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    strategy = {"accept": "selective", "tag_peers": 2}
    small["focal"] = [
        {"name": "r", "field": "finance", "posts_per_day": 0.25, "strategy": strategy},
        {"name": "s", "field": "it", "posts_per_day": 0.5},
    ]
    change = {"r": {"strategy": {"accept": "everyone"}}}
    study = load_study(scenario_file(with_variants(small, {"name": "all", "focal": change})))
    base, arm = study.base.focal, study.arms[0].scenario.focal
    assert (arm[0].strategy.accept, arm[0].strategy.tag_peers) == ("everyone", 2)
    assert arm[0].model_copy(update={"strategy": base[0].strategy}) == base[0]
    assert arm[1] == base[1]  # not named: kept (a list would have replaced both)
    assert base[0].strategy.accept == "selective"


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"x": {"posts_per_day": 1}}, "variants[0].focal.x", "names no focal member"),
        ({"r": 3}, "variants[0].focal.r", "must be a mapping"),
    ],
)
def test_a_bad_variant_focal_mapping_names_the_member(
    small: dict[str, Any], scenario_file: ScenarioFile, change: Any, field: str, problem: str
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    error = load_error(scenario_file(with_variants(small, {"name": "v", "focal": change})))
    assert (error.field, problem in error.problem) == (field, True), error.problem


def test_merging_variants_does_not_change_the_base(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["platform"] = {"inference": {"like_step": 0.05}}
    variant = {"name": "off", "platform": {"inference": {"connection_term": False}}}
    study = load_study(scenario_file(with_variants(small, variant)))
    assert study.base.platform.inference.connection_term is True
    assert study.base.platform.inference.like_step == 0.05
    assert study.arms[0].scenario.platform.inference.connection_term is False

    base: dict[str, Any] = {"platform": {"inference": {"like_step": 0.05}, "ranker": "linkedin"}}
    override = {"platform": {"inference": {"connection_term": False}}}
    before = (repr(base), repr(override))
    merged = _deep_merge(base, override)
    assert (repr(base), repr(override)) == before
    merged["platform"]["inference"]["like_step"] = 0.9
    assert base["platform"]["inference"]["like_step"] == 0.05


def test_no_variants_gives_one_arm_named_base(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["description"] = "just the base"
    study = load_study(scenario_file(small))
    assert len(study.arms) == 1
    arm = study.arms[0]
    assert (arm.name, arm.description) == ("base", "just the base")
    assert arm.scenario == study.base


def test_variant_errors_carry_the_variants_prefix(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    path = scenario_file(
        with_variants(small, {"name": "ok"}, {"name": "bad", "behaviour": {"like_rate": 2}})
    )
    error = load_error(path)
    assert error.source == str(path)
    assert error.field == "variants[1].behaviour.like_rate"
    assert "less than or equal to 1" in error.problem

    small["focal"] = [{"name": "r", "field": "finance"}]
    late = {"day": 50, "action": "accept_invitations", "member": "r", "count": 5, "field": "it"}
    error = load_error(scenario_file(with_variants(small, {"name": "late", "events": [late]})))
    assert error.field == "variants[0].events[0].day"
    assert "beyond the run's duration" in error.problem


@pytest.mark.parametrize(
    ("key", "value"), [("seed", 3), ("replications", 2), ("duration_days", 4), ("variants", [])]
)
def test_study_level_keys_inside_a_variant_are_errors(
    small: dict[str, Any], scenario_file: ScenarioFile, key: str, value: Any
) -> None:
    error = load_error(scenario_file(with_variants(small, {"name": "v", key: value})))
    assert error.field == f"variants[0].{key}"
    assert "shared by all variants" in error.problem


def test_a_variant_name_is_required_and_checked(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    error = load_error(scenario_file(with_variants(small, {"description": "no name"})))
    assert error.field == "variants[0].name"
    assert "required" in error.problem.lower()
    error = load_error(scenario_file(with_variants(small, {"name": "Has Space"})))
    assert error.field == "variants[0].name"
    assert "lower-case" in error.problem and "'Has Space'" in error.problem


# ----------------------------------------------------------------------------- consistency


def test_field_names_are_not_special(scenario_file: ScenarioFile) -> None:
    scenario: dict[str, Any] = {
        "name": "greek",
        "topics": ["alpha", "beta", "gamma"],
        "focus_topic": "alpha",
        "network": {"members": 300, "field_shares": [0.2, 0.3, 0.5]},
        "focal": [{"name": "watcher", "field": "beta"}],
        "events": [
            {
                "day": 3,
                "action": "accept_invitations",
                "member": "watcher",
                "count": 4,
                "field": "gamma",
            },
        ],
    }
    study = load_study(scenario_file(scenario))
    assert study.base.topics == ["alpha", "beta", "gamma"]
    assert study.base.resolved_focus_topic() == "alpha"
    assert study.base.events[0].field == "gamma"


def test_a_network_without_source_is_synthetic(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    network = load_study(scenario_file(small)).base.network
    assert isinstance(network, SyntheticNetwork)
    assert (network.members, network.mean_degree) == (300, 20)


@pytest.mark.parametrize("topics", [None, ["solo"]])
def test_a_synthetic_network_needs_topics(
    small: dict[str, Any], scenario_file: ScenarioFile, topics: list[str] | None
) -> None:
    if topics is None:
        del small["topics"]
    else:
        small["topics"] = topics
    error = load_error(scenario_file(small))
    assert error.field == "topics"
    assert "at least two topics" in error.problem


def test_a_file_network_needs_no_topics(
    file_scenario: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    study = load_study(scenario_file(file_scenario))
    network = study.base.network
    assert isinstance(network, FileNetwork)
    assert Path(network.edges) == (tmp_path / "edges.txt").resolve()
    assert network.labels is not None and Path(network.labels).is_absolute()


def test_field_shares_need_one_share_per_topic(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["network"]["field_shares"] = [0.5, 0.3, 0.2]
    error = load_error(scenario_file(small))
    assert error.field == "network.field_shares"
    assert "one share per topic (2)" in error.problem


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topics": ["finance", "it", "finance"]}, "topics"),
        (
            {
                "focal": [
                    {"name": "r", "field": "finance"},
                    {"name": "r", "field": "it"},
                ]
            },
            "focal",
        ),
        ({"variants": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}, "variants"),
    ],
)
def test_duplicate_names_are_errors(
    small: dict[str, Any], scenario_file: ScenarioFile, change: dict[str, Any], field: str
) -> None:
    error = load_error(scenario_file({**small, **change}))
    assert error.field == field
    assert "unique" in error.problem


@pytest.mark.parametrize(
    ("text", "field", "where"),
    [
        (
            "name: small\ntopics: [finance, it]\nduration_days: 5\nseed: 1\nduration_days: 7\n",
            "duration_days",
            "lines 3 and 5",
        ),
        (
            "name: small\ntopics: [finance, it]\nnetwork:\n  members: 300\n  mean_degree: 20\n"
            "  members: 400\n",
            "network.members",
            "lines 4 and 6",
        ),
        (
            "name: small\ntopics: [finance, it]\nvariants:\n  - name: a\n  - name: b\n"
            "    platform: {ranker: random, feed_size: 5, ranker: linkedin}\n",
            "variants[1].platform.ranker",
            "line 6, columns 16 and 46",
        ),
        (
            "name: small\nseed: 1\ntopics: [finance, it]\nseed: 2\nseed: 3\n",
            "seed",
            "lines 2, 4 and 5",
        ),
    ],
    ids=["top-level", "nested", "flow-mapping-in-a-variant", "three-times"],
)
def test_a_duplicate_key_is_an_error_naming_every_line(
    scenario_file: ScenarioFile, text: str, field: str, where: str
) -> None:
    error = load_error(scenario_file(text))
    assert error.field == field
    assert error.problem.startswith(f"duplicate key on {where} ")


def test_merge_keys_may_be_overridden(scenario_file: ScenarioFile) -> None:
    """A YAML merge key (<<) is not a duplicate of the keys that override it."""
    text = (
        "name: small\ntopics: [finance, it]\nfocal:\n"
        "  - &rep {name: rep, field: it, sessions_per_day: 1}\n"
        "  - {<<: *rep, name: rep2, sessions_per_day: 3}\n"
    )
    study = load_study(scenario_file(text))
    assert [(m.name, m.field, m.sessions_per_day) for m in study.base.focal] == [
        ("rep", "it", 1),
        ("rep2", "it", 3),
    ]


def test_a_duplicate_key_in_a_shared_mapping_names_where_it_is_written(
    scenario_file: ScenarioFile,
) -> None:
    """A mapping reached again through an alias is named by the place of its anchor."""
    text = (
        "name: small\ntopics: [finance, it]\nfocal:\n"
        "  - {name: rep, field: it, strategy: &s {accept: everyone, accept: selective}}\n"
        "variants:\n  - name: a\n    focal:\n      - {name: rep, field: it, strategy: *s}\n"
    )
    error = load_error(scenario_file(text))
    assert error.field == "focal[0].strategy.accept"
    assert error.problem.startswith("duplicate key on line 4, columns ")


def nested_aliases(levels: int) -> str:
    """A scenario with `levels` lists of nine aliases to the list before ("billion laughs")."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = ["name: laughs", "topics: [finance, it]", f"{names[0]}: &{names[0]} [{'1, ' * 8}1]"]
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", ["validate", "run"])
def test_nested_aliases_are_refused_at_once_in_one_line(
    scenario_file: ScenarioFile, tmp_path: Path, command: str
) -> None:
    """Nine levels of nine aliases would expand to 387 million values: the file is refused
    before anything expands them, with exit code 2 and one line naming it."""
    path = scenario_file(nested_aliases(9))
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    started = time.perf_counter()
    result = CliRunner().invoke(main, args)
    assert time.perf_counter() - started < 1.0
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr == (
        f"feedsim: error: {path}: too large once its aliases are expanded: more than"
        f" {MAX_VALUES:,} values (aliases nested in aliases multiply; a scenario needs a few"
        " hundred)\n"
    )


def test_an_alias_that_contains_itself_is_refused(scenario_file: ScenarioFile) -> None:
    error = load_error(scenario_file("name: small\ntopics: &t [finance, it, *t]\n"))
    assert error.field == ""
    assert "refers to the list or mapping that contains it" in error.problem


def test_aliases_below_the_bound_work_as_before(scenario_file: ScenarioFile) -> None:
    """An ordinary alias (a section shared by two variants) loads as if written out twice,
    and a few levels of nested aliases are still read."""
    shared = (
        "name: small\ntopics: [finance, it]\nduration_days: 5\nvariants:\n"
        "  - name: a\n    platform: &p {ranker: random, feed_size: 5}\n"
        "  - name: b\n    platform: *p\n"
    )
    written = shared.replace("*p", "{ranker: random, feed_size: 5}").replace("&p ", "")
    aliased, plain = load_study(scenario_file(shared)), load_study(scenario_file(written, "w.yaml"))
    assert [a.scenario.platform for a in aliased.arms] == [a.scenario.platform for a in plain.arms]
    assert [a.scenario.platform.feed_size for a in aliased.arms] == [5, 5]
    assert read_yaml(scenario_file(nested_aliases(4), "four.yaml"))["d"][8][8][8][8] == 1


def test_an_event_needs_an_action(small: dict[str, Any], scenario_file: ScenarioFile) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    small["events"] = [{"day": 1, "member": "r", "count": 5, "field": "it"}]
    error = load_error(scenario_file(small))
    assert error.field == "events[0]"
    assert "missing key 'action'" in error.problem


def test_an_event_names_a_known_focal_member(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["events"] = [
        {"day": 1, "action": "accept_invitations", "member": "nobody", "count": 5, "field": "it"}
    ]
    error = load_error(scenario_file(small))
    assert error.field == "events[0].member"
    assert "'nobody'" in error.problem


# ----------------------------------------------------------------------------- overrides


def test_overrides_apply_and_are_validated(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    path = scenario_file(small)
    study = load_study(path, {"replications": 3, "seed": 7})
    assert (study.base.replications, study.base.seed) == (3, 7)
    assert all(arm.scenario.replications == 3 for arm in study.arms)

    error = load_error(path, {"replications": 0})
    assert (error.source, error.field) == (str(path), "replications")
    assert "greater than or equal to 1" in error.problem


def test_a_bad_file_value_is_reported_even_when_an_override_replaces_it(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["replications"] = [1]
    error = load_error(scenario_file(small), {"replications": 2})
    assert error.field == "replications"
    assert "valid integer" in error.problem and "list" in error.problem


# ----------------------------------------------------------------------------- probabilities


def test_probability_fields_are_found() -> None:
    assert ("platform", "test_audience", "fraction") in PROBABILITIES
    assert ("behaviour", "like_rate") in PROBABILITIES
    assert ("members", "home_interest") in PROBABILITIES


OUTSIDE = st.floats(max_value=-1e-12) | st.floats(min_value=1.0, exclude_min=True)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PROBABILITIES), value=OUTSIDE)
def test_a_probability_outside_0_1_is_rejected_naming_the_field(
    small: dict[str, Any], scenario_file: ScenarioFile, path: tuple[str, ...], value: float
) -> None:
    file = scenario_file(small)
    error = load_error(file, nested(path, value))
    assert error.field == ".".join(path)
    assert error.message.startswith(f"{file}: {'.'.join(path)}: Input should be")
    assert "\n" not in error.message


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(PROBABILITIES), value=st.floats(min_value=0.0, max_value=1.0))
def test_a_probability_inside_0_1_is_accepted(
    small: dict[str, Any], scenario_file: ScenarioFile, path: tuple[str, ...], value: float
) -> None:
    study = load_study(scenario_file(small), probability_override(path, value))
    section: Any = study.base
    for key in path:
        section = getattr(section, key)
    assert section == value


# ----------------------------------------------------------------------------- errors


def test_input_error_survives_pickling() -> None:
    error = InputError(Path("a.yaml"), "network.members", "too small")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, InputError)
    assert (copy.source, copy.field, copy.problem) == ("a.yaml", "network.members", "too small")
    assert str(copy) == copy.message == "a.yaml: network.members: too small"
    assert InputError("a.yaml", "", "file not found").message == "a.yaml: file not found"


# ----------------------------------------------------------------------------- shares and names


@pytest.mark.parametrize(
    ("change", "field", "total"),
    [
        (
            {
                "network": {
                    "kinds": {"colleague": 0.5, "field_peer": 0.5, "offline": 0.5, "client": 0.1}
                }
            },
            "network.kinds",
            "1.6",
        ),
        (
            {"network": {"kinds": {"colleague": 0, "field_peer": 0, "offline": 0, "client": 0}}},
            "network.kinds",
            "0",
        ),
        (
            {"members": {"activity": [{"share": 0.5, "sessions_per_day": 1}]}},
            "members.activity",
            "0.5",
        ),
        (
            {
                "members": {
                    "posting": [
                        {"share": 0.7, "posts_per_day": 0},
                        {"share": 0.7, "posts_per_day": 1},
                    ]
                }
            },
            "members.posting",
            "1.4",
        ),
        ({"network": {"field_shares": [2, 1]}}, "network.field_shares", "3"),
        (
            {"variants": [{"name": "v", "network": {"kinds": {"client": 0.9}}}]},
            "variants[0].network.kinds",
            "1.8",
        ),
    ],
    ids=["tie-kinds", "tie-kinds-zero", "activity", "posting", "field-shares", "in-a-variant"],
)
def test_shares_must_sum_to_one(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    change: dict[str, Any],
    field: str,
    total: str,
) -> None:
    error = load_error(scenario_file(_deep_merge(small, change)))
    assert error.field == field
    assert error.problem.endswith(f"must sum to 1 (they sum to {total})"), error.problem


def test_shares_that_sum_to_one_up_to_rounding_are_accepted(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    small["topics"] = ["a", "b", "c"]
    small["network"]["field_shares"] = [1 / 3, 1 / 3, 1 / 3]
    small["network"]["kinds"] = {
        "colleague": 0.25,
        "field_peer": 0.25,
        "offline": 0.25,
        "client": 0.25,
    }
    assert load_study(scenario_file(small)).base.network.field_shares == [1 / 3] * 3


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            {"platform": {"test_audience": {"fractoin": 0.1}}},
            "platform.test_audience.fractoin",
            "unknown key (valid keys here: "
            + ", ".join(AudienceSection.model_fields)
            + "); did you mean 'fraction'?",
        ),
        (
            {"events": [{"day": 1, "action": "prune", "member": "r", "kindz": ["stranger"]}]},
            "events[0].kindz",
            "unknown key (valid keys here: action, day, member, kinds, minutes_per_removal);"
            " did you mean 'kinds'?",
        ),
        (
            {"focal": [{"name": "r", "field": "fnance"}]},
            "focal[0].field",
            "'fnance' is not one of the topics (finance, it); did you mean 'finance'?",
        ),
        (
            {"events": [{"day": 1, "action": "prune", "member": "rr"}]},
            "events[0].member",
            "'rr' is not one of the focal members (r); did you mean 'r'?",
        ),
        (
            {"focus_topic": "itt"},
            "focus_topic",
            "'itt' is not one of the topics (finance, it); did you mean 'it'?",
        ),
        (
            {"platform": {"ranker": "linkdin"}},
            "platform.ranker",
            "(got 'linkdin'); did you mean 'linkedin'?",
        ),
        (
            {"events": [{"day": 1, "action": "prun", "member": "r"}]},
            "events[0].action",
            "'prun' is not one of accept_invitations, prune; did you mean 'prune'?",
        ),
        ({"network": {"mean_degree": float("inf")}}, "network.mean_degree", "finite number"),
        ({"slice_hours": float("nan")}, "slice_hours", "finite number"),
    ],
    ids=[
        "unknown-key",
        "unknown-key-in-event",
        "unknown-topic",
        "unknown-member",
        "unknown-focus-topic",
        "unknown-choice",
        "unknown-event-action",
        "infinite",
        "nan",
    ],
)
def test_unknown_names_list_the_valid_ones_and_suggest_the_closest(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    change: dict[str, Any],
    field: str,
    problem: str,
) -> None:
    small["focal"] = [{"name": "r", "field": "finance"}]
    error = load_error(scenario_file(_deep_merge(small, change)))
    assert error.field == field
    assert problem in error.problem, error.problem


# ----------------------------------------------------------------------------- mutants

BUNDLED_FILES = sorted(BUNDLED.parent.glob("*.yaml"))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0, -1, 1e300, 2**63]),
    st.text(max_size=12),
    st.sampled_from(["", "Finance", "it ", "no such name", "ü", "1e-3", "yes", "~", "[", "{a: 1}"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
)
KEYS = st.one_of(st.text(min_size=1, max_size=10), st.sampled_from(["name", "share", "day"]))


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and list index of a YAML document, as paths."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += places(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += places(value, (*path, i))
    return found


def parent_of(document: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


@st.composite
def mutants(draw: st.DrawFn) -> tuple[str, str]:
    """A bundled scenario with one to three mutations, as YAML text, and what was done."""
    source = draw(st.sampled_from(BUNDLED_FILES))
    document = yaml.safe_load(source.read_text())
    done = [source.name]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        where = draw(st.sampled_from(places(document)))
        parent, key = parent_of(document, where), where[-1]
        old = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add-key", "swap", "rename", "number"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "delete":
            del parent[key]
        elif action == "add-key":
            target = old if isinstance(old, dict) else parent
            if isinstance(target, dict):
                target[draw(KEYS)] = draw(VALUES)
        elif action == "swap":  # lists and mappings swapped
            if isinstance(old, list):
                parent[key] = {str(i): v for i, v in enumerate(old)}
            elif isinstance(old, dict):
                parent[key] = list(old.values())
            else:
                parent[key] = [old]
        elif action == "rename" and isinstance(old, str):  # a string where a name is expected
            parent[key] = draw(st.sampled_from([old.upper(), old + "x", old[:-1], " " + old, "x"]))
        elif action == "number" and isinstance(old, int | float) and not isinstance(old, bool):
            parent[key] = draw(
                st.sampled_from(
                    [-old, old * 1000, old + 0.5, float("nan"), float("inf"), -1, 0, 10**9]
                )
            )
        done.append(f"{action} {'.'.join(map(str, where))}")
        if not places(document):
            break
    text = yaml.safe_dump(document, sort_keys=False, width=10**9, allow_unicode=True)
    if draw(st.integers(min_value=0, max_value=4)) == 0:  # a key written twice
        lines = text.splitlines()
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*[A-Za-z_][\w-]*: \S", line)]
        if keyed:
            i = draw(st.sampled_from(keyed))
            lines.insert(i + 1, lines[i])
            text = "\n".join(lines) + "\n"
            done.append(f"duplicate line {i + 1}")
    return text, "; ".join(done)


@pytest.mark.slow  # 300 examples, about 15 s
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutant=mutants())
def test_a_mutated_bundled_scenario_validates_or_is_refused_in_one_line(
    mutant: tuple[str, str],
) -> None:
    """Whatever is done to a bundled scenario (wrong types, out-of-range or non-finite
    numbers, unknown, deleted or repeated keys, lists and mappings swapped, odd names),
    `feedsim validate` either accepts it or refuses it with exit code 2 and one line naming
    the file; never a traceback."""
    text, what = mutant
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mutant.yaml"
        path.write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", str(path)])
    assert "Traceback" not in result.output, what
    assert result.exit_code in (0, 2), (what, result.exception, result.output)
    if result.exit_code == 0:
        assert result.stdout.startswith(f"{path}: ok (") and result.stdout.count("\n") == 1, what
        warnings = result.stderr.splitlines()  # fields that can take no effect, one line each
        assert all(w.startswith(f"feedsim: warning: {path}: ") for w in warnings), what
    else:
        assert isinstance(result.exception, SystemExit), what
        assert result.stdout == "", what
        message = result.stderr
        assert message.startswith(f"feedsim: error: {path}: "), (what, message)
        assert message.count("\n") == 1 and message.endswith("\n"), (what, message)
