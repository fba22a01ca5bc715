"""LinkedIn's limits (docs/model.md 7.25): the connection cap, the weekly invitation limit
and a free account's notes a month.

The pure rules on hand-made arrays with exact expected values; the ledger that applies
them; the cap on every tie (``add_ties``); a focal member sending 30 invitations a day on a
free account, end to end with fixed seeds; the trend's adopters; reruns byte-identical; and
bad input (exit 2 with one line naming the field)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sim.analysis import note_account_text
from sim.engine import World
from sim.errors import InputError
from sim.metrics import tables
from sim.model import limits
from sim.model.connecting import add_ties
from sim.network import STRANGER
from sim.rng import replication_seed
from sim.scenario import Limits, Platform, load_study
from sim.strategies import SentAnswers
from tests.helpers import write_scenario
from tests.test_cli import ScenarioFile, invoke, run
from tests.test_mechanism_functions import make_state

# --------------------------------------------------------------------------- pure rules


def test_a_member_under_the_cap_may_take_one_more_connection() -> None:
    assert_array_equal(limits.under_cap(np.array([0, 2, 3, 4]), 3), [True, True, False, False])


def test_ties_are_made_in_order_while_both_ends_stay_under_the_cap() -> None:
    degree = np.array([2, 0, 1, 2])
    src = np.array([0, 0, 1, 2], np.int32)
    dst = np.array([1, 2, 3, 3], np.int32)
    # 0-1 made (0 reaches 3); 0-2 refused (0 at 3); 1-3 made (3 reaches 3); 2-3 refused
    assert_array_equal(limits.within_cap(src, dst, degree, 3), [True, False, True, False])
    # under a cap nobody reaches every tie is made, and one end at the cap refuses its tie
    assert_array_equal(limits.within_cap(src, dst, degree, 5), [True, True, True, True])
    assert_array_equal(limits.within_cap(src, dst, np.array([2, 0, 1, 3]), 3)[2:], [False, False])


def test_the_weekly_quota_is_what_is_left_of_the_limit_and_never_negative() -> None:
    sent = np.array([0, 90, 100, 120])
    wanted = np.array([5, 20, 3, 0])
    assert_array_equal(limits.weekly_quota(sent, wanted, 100), [5, 10, 0, 0])


def test_each_sender_keeps_its_first_allowed_entries_in_order() -> None:
    keys = np.array([3, 1, 3, 3, 1])
    allowed = np.array([2, 1, 2, 2, 1])
    assert_array_equal(limits.first_within(keys, allowed), [True, True, True, False, False])


def test_a_free_account_writes_notes_up_to_its_allowance_and_premium_all() -> None:
    assert limits.notes_allowed(3, 4, 5, "free") == 2
    assert limits.notes_allowed(5, 1, 5, "free") == 0
    assert limits.notes_allowed(7, 1, 5, "free") == 0
    assert limits.notes_allowed(100, 4, 5, "premium") == 4


# --------------------------------------------------------------------------- the ledger


def test_invitations_past_the_weekly_limit_are_refused_and_counted_week_by_week() -> None:
    counts = limits.LimitCounts.start(3, 0)
    sender = np.array([0, 0, 0, 1, 0])
    wanted = np.array([True, True, False, True, True])
    sent = limits.send_invitations(counts, sender, wanted, 3, 2)
    assert_array_equal(sent, [True, True, False, True, False])  # member 0's third is refused
    assert_array_equal(counts.sent, [2, 1, 0])
    assert_array_equal(counts.refused, [1, 0, 0])
    sent = limits.send_invitations(counts, np.array([1, 1]), np.array([True, True]), 6, 2)
    assert_array_equal(sent, [True, False])  # day 6: still week 0, member 1 has one left
    sent = limits.send_invitations(counts, np.array([0, 0, 0]), np.ones(3, bool), 7, 2)
    assert_array_equal(sent, [True, True, False])  # day 7: a new week
    assert_array_equal(counts.refused, [2, 1, 0])
    assert_array_equal(counts.week, [1, 0, -1])


def sent_answers() -> SentAnswers:
    return SentAnswers(
        accept=np.array([True, False, True, True]),
        note=np.array([True, False, True, True]),
        placed=np.array([True, False, False, True]),
        late_reply=np.array([np.inf, 0.5, np.inf, np.inf]),
        messages=3,
    )


def test_notes_past_the_monthly_allowance_are_not_written_and_the_invitation_goes_blank() -> None:
    counts = limits.LimitCounts.start(1, 1)
    counts.month[0], counts.notes[0] = 0, 3
    late_reply = np.array([0.25, 0.5, 0.75, 0.125])
    got = limits.write_notes(counts, 0, 10, sent_answers(), late_reply, "free", 5)
    assert_array_equal(got.note, [True, False, True, False])
    assert_array_equal(got.placed, [True, False, False, False])
    assert_array_equal(got.late_reply, [np.inf, 0.5, np.inf, 0.125])  # its own blank draw
    assert_array_equal(got.accept, [True, False, True, True])  # a note never changes it
    assert got.messages == 2
    assert (counts.notes[0], counts.withheld[0]) == (5, 1)
    got = limits.write_notes(counts, 0, 30, sent_answers(), late_reply, "free", 5)
    assert got.messages == 3 and counts.month[0] == 1  # day 30: a new month
    answers = sent_answers()
    assert limits.write_notes(counts, 0, 31, answers, late_reply, "premium", 5) is answers
    assert (counts.notes[0], counts.withheld[0]) == (6, 1)  # premium: past the allowance


def test_a_network_that_starts_above_the_cap_is_an_input_error() -> None:
    limits.check_initial_degree(np.array([1, 3, 2]), 3, Path("s.yaml"))
    with pytest.raises(
        InputError, match=re.escape("platform.limits.connection_cap: is 2, but 1 member")
    ):
        limits.check_initial_degree(np.array([1, 3, 2]), 2, Path("s.yaml"))


# --------------------------------------------------------------------------- every tie


def test_every_new_tie_obeys_the_cap_and_the_refused_are_counted_on_the_first_end() -> None:
    state = make_state()  # degrees 2, 2, 2, 2, 0
    platform = Platform(limits=Limits(connection_cap=3))
    kind, strength = np.full(3, STRANGER, np.int8), np.full(3, 0.5, np.float32)
    add_ties(
        state,
        platform,
        np.array([4, 4, 4], np.int32),
        np.array([1, 2, 3], np.int32),
        1.0,
        kind,
        strength,
    )
    assert_array_equal(state.ties.degree(), [2, 3, 3, 3, 3])
    add_ties(
        state,
        platform,
        np.array([0, 1], np.int32),
        np.array([3, 2], np.int32),
        2.0,
        kind[:2],
        strength[:2],
    )
    assert_array_equal(state.ties.degree(), [2, 3, 3, 3, 3])  # 3 and 2 are at the cap
    assert_array_equal(state.limits.capped, [1, 1, 0, 0, 0])
    assert state.ties.pairs == 7


# --------------------------------------------------------------------------- end to end

SENDER: dict[str, Any] = {
    "name": "limits",
    "topics": ["a", "b"],
    "duration_days": 15,
    "replications": 1,
    "slice_hours": 6,
    "network": {"members": 1500, "mean_degree": 20},
    "focal": [
        {
            "name": "me",
            "field": "a",
            "strategy": {
                "sends_invitations_per_day": 30,
                "trend_days": 14,
                "personal_note": True,
                "messages_per_day": 100,
            },
        }
    ],
}
"""A focal member sending about 30 invitations a day for 14 days (days 0-13, answered the
next day) with a note on each, on a free account."""


def world(tmp_path: Path, body: dict[str, Any], seed: int = 1) -> World:
    path = write_scenario(tmp_path, body)
    scenario = load_study(path).base
    return World(scenario, replication_seed(scenario.seed, seed), path)


def test_a_free_sender_sends_at_most_100_a_week_and_writes_5_notes_a_month(
    tmp_path: Path,
) -> None:
    w = world(tmp_path, SENDER)
    plan = w.state.sent_plans[0]
    wanted = np.bincount(plan.day // 7, minlength=2)  # invitations drawn per week
    assert (wanted > 100).all(), wanted  # about 210: the limit binds in both weeks
    connections = tables(w.run(), "s", "v", 0, 0)["connections"].iloc[0]
    sent = np.minimum(wanted, 100)  # nobody is connected meanwhile: none are void
    assert connections["invitations_refused_total"] == (wanted - sent).sum()
    # every sent invitation wants a note (within 100 messages a day); 5 are written
    assert connections["messages_sent_total"] == 5
    assert connections["notes_withheld_total"] == sent.sum() - 5
    assert connections["ties_refused_at_cap_total"] == 0
    ties = pd.DataFrame(w.records().kept["ties"])
    new = ties[ties["created_day"] > 0]
    assert new["personal_note"].sum() <= 5
    assert 0 < len(new) <= sent.sum()
    days = np.floor(new["created_day"].to_numpy()) - 1  # answered the day after sending
    assert np.bincount((days // 7).astype(int)).max() <= 100


def test_premium_writes_every_note_and_a_loose_weekly_limit_refuses_nothing(
    tmp_path: Path,
) -> None:
    premium = {**SENDER, "focal": [{**SENDER["focal"][0]}]}
    premium["focal"][0]["strategy"] = {**SENDER["focal"][0]["strategy"], "account": "premium"}
    loose = {**premium, "platform": {"limits": {"weekly_invitations": 1000}}}
    a = tables(world(tmp_path, premium).run(), "s", "v", 0, 0)["connections"].iloc[0]
    assert a["notes_withheld_total"] == 0 and a["invitations_refused_total"] > 0
    b = tables(world(tmp_path, loose).run(), "s", "v", 0, 0)["connections"].iloc[0]
    assert b["invitations_refused_total"] == 0
    assert b["messages_sent_total"] > a["messages_sent_total"] == 200


def test_reruns_are_byte_identical(tmp_path: Path) -> None:
    first = tables(world(tmp_path, SENDER).run(), "s", "v", 0, 0)
    second = tables(world(tmp_path, SENDER).run(), "s", "v", 0, 0)
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, second[name], check_exact=True)


TREND: dict[str, Any] = {
    "name": "trend-limits",
    "topics": ["a", "b"],
    "duration_days": 8,
    "replications": 1,
    "slice_hours": 6,
    "network": {"members": 400, "mean_degree": 30, "company_size": 15},
    "trend": {
        "groups": [{"strategy": "everyone", "share": 0.1}],
        "invitation_rate": "per_day",
        "invitations_per_day": 25,
        "contagion": {"kind": "complex", "threshold": 2},
    },
}


def with_limits(**values: int) -> dict[str, Any]:
    return {**TREND, "platform": {"limits": values}}


def test_adopters_stop_inviting_at_their_weekly_limit_until_the_next_week(tmp_path: Path) -> None:
    w = world(tmp_path, with_limits(weekly_invitations=50))
    adoption = tables(w.run(), "s", "v", 0, 0)["adoption"]
    refused = adoption["invitations_refused"].to_numpy()
    # about 25 a day each: nothing refused on days 0 and 1 (rows 1, 2), most from day 2 on
    assert refused[0] == refused[1] == 0
    assert refused[3:7].min() > 0
    assert refused.sum() == w.state.limits.refused.sum()
    assert (w.state.limits.sent <= 50).all()
    assert adoption["ties_refused_at_cap"].sum() == 0


def test_limits_that_never_bind_draw_nothing_and_leave_the_run_as_it_is(tmp_path: Path) -> None:
    # 5 invitations a day (35 a week) never reach 100; the limits mask, they never draw
    gentle = {**TREND, "trend": {**TREND["trend"], "invitations_per_day": 5}}
    loose = {**gentle, "platform": {"limits": {"weekly_invitations": 10**6}}}
    default = tables(world(tmp_path, gentle).run(), "s", "v", 0, 0)
    unlimited = tables(world(tmp_path, loose).run(), "s", "v", 0, 0)
    assert default["adoption"]["invitations_refused"].sum() == 0
    for name, table in default.items():
        pd.testing.assert_frame_equal(table, unlimited[name], check_exact=True)


def test_a_zero_weekly_limit_leaves_the_network_as_it_was(tmp_path: Path) -> None:
    w = world(tmp_path, with_limits(weekly_invitations=0))
    pairs = w.state.ties.pairs
    adoption = tables(w.run(), "s", "v", 0, 0)["adoption"]
    assert w.state.ties.pairs == pairs
    assert adoption["invitations_refused"].sum() > 0


def test_no_member_grows_past_the_cap_and_the_refused_ties_are_counted(tmp_path: Path) -> None:
    start = world(tmp_path, TREND).state.ties.degree()
    cap = int(start.max())
    w = world(tmp_path, with_limits(connection_cap=cap))
    adoption = tables(w.run(), "s", "v", 0, 0)["adoption"]
    assert w.state.ties.degree().max() == cap
    assert adoption["ties_refused_at_cap"].sum() == w.state.limits.capped.sum() > 0


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            {"platform": {"limits": {"weekly_invitations": -1}}},
            "platform.limits.weekly_invitations",
        ),
        ({"platform": {"limits": {"connection_cap": 0}}}, "platform.limits.connection_cap"),
        ({"platform": {"limits": {"free_notes_per_month": -5}}}, "free_notes_per_month"),
        (
            {"focal": [{"name": "me", "field": "finance", "strategy": {"account": "gold"}}]},
            "focal[0].strategy.account",
        ),
    ],
)
def test_bad_limits_exit_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile, body: dict[str, Any], needle: str
) -> None:
    bad = scenario_file({**small, **body}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert needle in result.stderr and str(bad) in result.stderr, result.stderr


def test_a_cap_below_a_members_starting_degree_exits_2_naming_the_field(
    small: dict[str, Any], scenario_file: ScenarioFile, tmp_path: Path
) -> None:
    bad = scenario_file({**small, "platform": {"limits": {"connection_cap": 5}}}, name="cap.yaml")
    result = run(bad, tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert "platform.limits.connection_cap: is 5, but" in result.stderr, result.stderr


# --------------------------------------------------------------------------- the report


def test_the_report_names_the_account_of_every_member_that_writes_notes() -> None:
    member = {"name": "me", "strategy": {"personal_note": True, "account": "free"}}
    pro = {"name": "pro", "strategy": {"personal_note": True, "account": "premium"}}
    quiet = {"name": "quiet", "strategy": {"personal_note": False, "account": "free"}}
    scenario = {"platform": {"limits": {"free_notes_per_month": 5}}, "focal": [member, pro, quiet]}
    assert note_account_text(scenario) == (
        "me writes notes on a free account (at most 5 a month);"
        " pro writes notes on a premium account (no limit)"
    )
    older = {"focal": [{"name": "me", "strategy": {"personal_note": True}}]}
    assert note_account_text(older) == "" == note_account_text({})
