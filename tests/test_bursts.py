"""Scripted bursts of accepted invitations: spread over days, intro messages to the new
contacts within the daily message budget, and what `feedsim validate` says about them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sim.analysis.survival import never_heard_at, stranger_followup
from sim.analysis.words import describe_event
from sim.model import limits
from sim.model.linking import burst_days
from sim.strategies import write_intros
from tests.helpers import run_tables, write_scenario
from tests.test_cli import invoke

ScenarioFile = Callable[..., Path]

# --------------------------------------------------------------------------- exact rules


@pytest.mark.parametrize(
    ("count", "days", "expected"),
    [
        (7, 1, [7]),  # one day: the burst as before
        (10, 4, [3, 2, 3, 2]),  # ceil(k * 10 / 4) = 0, 3, 5, 8, 10
        (3, 5, [1, 1, 0, 1, 0]),  # ceil(k * 3 / 5) = 0, 1, 2, 2, 3, 3
        (1, 3, [1, 0, 0]),  # the first day brings at least one
        (150, 14, [11, 11, 11, 10, 11, 11, 10, 11, 11, 11, 10, 11, 11, 10]),
    ],
)
def test_a_burst_is_split_by_the_ceiling_of_the_cumulative_share(
    count: int, days: int, expected: list[int]
) -> None:
    split = burst_days(count, days)
    assert_array_equal(split, expected)
    assert split.sum() == count
    assert set(split.tolist()) <= {count // days, count // days + 1}


def test_intros_stop_at_the_messages_left_and_the_answered_ones_are_placed() -> None:
    wanted = np.array([True, True, False, True, True])
    answer = np.array([0.25, 0.75, 0.0, 0.25, 0.0])
    intro, placed = write_intros(wanted, 2, answer, 0.5)
    assert intro.tolist() == [True, True, False, False, False]
    assert placed.tolist() == [True, False, False, False, False]
    none, _ = write_intros(np.zeros(3, bool), 2, np.zeros(3), 0.5)
    assert not none.any()


def test_the_daily_message_budget_is_shared_within_a_day_and_starts_again_the_next() -> None:
    counts = limits.LimitCounts.start(members=4, focal=2)
    assert limits.messages_left(counts, 0, 5, 10) == 10
    limits.spend_messages(counts, 0, 5, 7)
    assert limits.messages_left(counts, 0, 5, 10) == 3  # the same day: what is left
    assert limits.messages_left(counts, 1, 5, 10) == 10  # another member: its own
    limits.spend_messages(counts, 0, 5, 3)
    assert limits.messages_left(counts, 0, 5, 10) == 0
    assert limits.messages_left(counts, 0, 6, 10) == 10  # a new day


def test_an_event_over_days_is_named_once_with_its_total() -> None:
    event = {"day": 30, "action": "accept_invitations", "member": "me", "count": 150}
    assert describe_event({**event, "field": "pharma", "days": 14}) == (
        "me accepts 150 invitations from pharma over 14 days"
    )
    assert (
        describe_event({**event, "field": "it", "days": 1}) == "me accepts 150 invitations from it"
    )
    assert describe_event({**event, "field": "it"}) == "me accepts 150 invitations from it"


# --------------------------------------------------------------------------- in a run


def study(**changes: Any) -> dict[str, Any]:
    """One focal member in field a of a 1,500-member network; no invitations of its own."""
    body: dict[str, Any] = {
        "name": "bursts",
        "topics": ["a", "b", "c"],
        "duration_days": 60,
        "replications": 2,
        "slice_hours": 6,
        "network": {"members": 1500, "mean_degree": 20},
        "focal": [{"name": "me", "field": "a", "strategy": {"messages_per_day": 3}}],
    }
    body.update(changes)
    return body


def burst(**changes: Any) -> dict[str, Any]:
    return {"day": 2, "action": "accept_invitations", "member": "me", "field": "b", **changes}


def new_strangers(ties: pd.DataFrame) -> pd.DataFrame:
    return ties[(ties["kind"] == "stranger") & (ties["created_day"] > 0)]


def test_a_burst_over_14_days_makes_its_ties_on_each_day_and_intros_within_the_budget(
    tmp_path: Path,
) -> None:
    """150 acceptances over days 2-15: each day brings the split of `burst_days`. With the
    event's `intro_message: true` at most `messages_per_day` (3) of each day's get an intro;
    pinned to false it overrides the strategy's true, and the run is the one without any
    (the intro answers come from a stream of their own)."""
    intro_strategy = {"me": {"strategy": {"intro_message": True}}}
    path = write_scenario(
        tmp_path,
        study(
            duration_days=20,
            replications=1,
            events=[burst(count=150, days=14)],
            variants=[
                {"name": "blank"},
                {"name": "event-intro", "events": [burst(count=150, days=14, intro_message=True)]},
                {
                    "name": "pinned",
                    "focal": intro_strategy,
                    "events": [burst(count=150, days=14, intro_message=False)],
                },
            ],
        ),
    )
    ties = new_strangers(run_tables(path)["ties"])
    for _, arm in ties.groupby("variant"):
        per_day = arm.groupby("created_day").size()
        assert per_day.index.tolist() == [float(d) for d in range(2, 16)]
        assert per_day.tolist() == burst_days(150, 14).tolist()
    intros = ties.groupby(["variant", "created_day"])["intro_message"].sum()
    assert intros["event-intro"].tolist() == [3] * 14
    assert intros["blank"].sum() == intros["pinned"].sum() == 0
    columns = ["partner_id", "created_day", "placed", "first_interaction_day"]
    blank = ties[ties["variant"] == "blank"][columns].reset_index(drop=True)
    pinned = ties[ties["variant"] == "pinned"][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(blank, pinned)


def test_received_invitations_and_a_burst_share_one_day_budget(tmp_path: Path) -> None:
    """The member accepts everyone with intro messages (10 a day) and a burst of 30 comes at
    time 5.0, when the answers to day 4's invitations are written too: 10 intros in all at
    that time (the burst's first), not 10 each."""
    strategy = {
        "accept": "everyone",
        "intro_message": True,
        "invitations_per_day": 25,
        "trend_days": 10,
        "messages_per_day": 10,
    }
    focal = [{"name": "me", "field": "a", "strategy": strategy}]
    path = write_scenario(
        tmp_path,
        study(duration_days=8, replications=1, focal=focal, events=[burst(day=5, count=30)]),
    )
    ties = new_strangers(run_tables(path)["ties"])
    at_five = ties[ties["created_day"] == 5.0]
    assert len(at_five) > 30  # the burst's 30 and day 4's strangers
    assert at_five["intro_message"].sum() == 10
    assert (ties.groupby("created_day")["intro_message"].sum() <= 10).all()


def test_burst_contacts_with_an_intro_message_are_heard_from_more(tmp_path: Path) -> None:
    """A burst of 100 over 10 days from day 2, against the same burst with the strategy's
    `intro_message: true` (which applies to the burst, as the event leaves it out; 10
    messages a day, so every contact gets one). On common random numbers the share never
    heard from within 30 days falls in each of two replications. Expected: about 1 - 0.3
    (the intro reply rate) - 0.7 x 0.054 x P(a later reply within 30 days) = 0.67 with
    intros against about 0.95 without; with 100 ties per arm the binomial standard error of
    each share is below 0.05, so the expected gap of about 0.28 is more than five of them
    above the 0.15 asserted."""
    focal = [{"name": "me", "field": "a", "strategy": {"messages_per_day": 10}}]
    path = write_scenario(
        tmp_path,
        study(
            duration_days=45,
            focal=focal,
            events=[burst(count=100, days=10)],
            variants=[
                {"name": "blank"},
                {"name": "intro", "focal": {"me": {"strategy": {"intro_message": True}}}},
            ],
        ),
    )
    ties = run_tables(path)["ties"]
    intros = new_strangers(ties).groupby("variant")["intro_message"].agg(["sum", "size"])
    assert intros.to_dict("index") == {
        "blank": {"sum": 0, "size": 200},
        "intro": {"sum": 200, "size": 200},  # 2 replications of 100
    }
    followup = stranger_followup(ties, 45)
    heard = never_heard_at(followup, 30.0).set_index(["variant", "replication"])["share"]
    gap = heard["blank"] - heard["intro"]
    assert (gap > 0.15).all(), heard
    # the never-heard analysis tells the messaged contacts apart
    by_intro = never_heard_at(followup, 30.0, by_intro=True)
    assert set(by_intro.loc[by_intro["variant"] == "intro", "intro_message"]) == {True}


# --------------------------------------------------------------------------- validate


def short(**changes: Any) -> dict[str, Any]:
    """A study of 600 members, 10 days and 3 replications, for validate only."""
    sizes = {"duration_days": 10, "replications": 3, "network": {"members": 600, "mean_degree": 20}}
    return study(**{**sizes, **changes})


def test_an_intro_message_that_cannot_take_effect_is_a_warning(scenario_file: ScenarioFile) -> None:
    focal = [{"name": "me", "field": "a", "strategy": {"intro_message": True}}]
    path = scenario_file(short(focal=focal), name="warned.yaml")
    result = invoke("validate", path)
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"feedsim: warning: {path}: focal[0].strategy.intro_message: ")
    assert "no intro message is written" in lines[0]
    # a burst that follows the strategy gives it an effect: no warning
    quiet = scenario_file(short(focal=focal, events=[burst(count=5)]), name="quiet.yaml")
    result = invoke("validate", quiet)
    assert result.exit_code == 0 and result.stderr == "", result.stderr
    # a burst that overrides it does not
    pinned = scenario_file(
        short(focal=focal, events=[burst(count=5, intro_message=False)]), name="pinned.yaml"
    )
    assert "focal[0].strategy.intro_message" in invoke("validate", pinned).stderr


def test_a_warning_names_the_variants_it_holds_in(scenario_file: ScenarioFile) -> None:
    note = {"name": "noted", "focal": {"me": {"strategy": {"personal_note": True}}}}
    path = scenario_file(short(variants=[{"name": "plain"}, note]))
    result = invoke("validate", path)
    assert result.exit_code == 0
    assert "focal[0].strategy.personal_note: is true" in result.stderr
    assert result.stderr.rstrip().endswith("(variant noted)"), result.stderr


def test_a_burst_larger_than_its_field_fails_at_validate(scenario_file: ScenarioFile) -> None:
    """600 members in three fields: about 200 in field b, never 400."""
    bad = scenario_file(
        short(variants=[{"name": "x"}, {"name": "big", "events": [burst(count=400)]}])
    )
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert (
        f"{bad}: variants[1].events[0].count: asks for 400 inviters from field 'b'" in result.stderr
    )
    assert "Traceback" not in result.output


def test_a_sweep_point_with_a_burst_larger_than_its_field_fails_at_validate(
    scenario_file: ScenarioFile,
) -> None:
    path = scenario_file(short(events=[burst(count=5)]))
    result = invoke("validate", path, "--set", "events.0.count=50,400")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1
    assert f"{path}: events[0].count: asks for 400 inviters from field 'b'" in result.stderr


def test_a_small_burst_in_a_huge_network_is_checked_without_drawing(
    scenario_file: ScenarioFile,
) -> None:
    """50 million members in three fields and 1,000 replications: a burst of 100 is far
    below any field's size, so validate draws no fields (it returns at once)."""
    huge = short(replications=1000, network={"members": 50_000_000}, events=[burst(count=100)])
    result = invoke("validate", scenario_file(huge))
    assert result.exit_code == 0, result.output


def test_a_burst_larger_than_a_file_networks_field_fails_at_validate(
    scenario_file: ScenarioFile, file_scenario: dict[str, Any]
) -> None:
    """The 9-node network's field it has 3 members."""
    event = {"day": 1, "action": "accept_invitations", "member": "recruiter", "field": "it"}
    ok = scenario_file({**file_scenario, "events": [{**event, "count": 3}]}, name="ok.yaml")
    assert invoke("validate", ok).exit_code == 0
    bad = scenario_file({**file_scenario, "events": [{**event, "count": 4}]}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert "events[0].count: asks for 4 inviters from field 'it', which has only 3" in result.stderr


def test_a_burst_past_the_end_of_the_run_fails_at_validate(scenario_file: ScenarioFile) -> None:
    bad = scenario_file(short(events=[burst(day=5, count=10, days=7)]))
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert "events[0].days: its last acceptances, on day 11, are beyond" in result.stderr
