"""Invitations, acceptance, intro messages, personal notes and pruning (docs/model.md 7.14,
7.15 and 7.16; seed C7-C11, tips 1, 2 and 5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim import strategies
from sim.arrays import distinct
from sim.errors import InputError
from sim.model import limits
from sim.model.connecting import add_ties
from sim.model.invitees import invitee_weights
from sim.model.learning import unlearn_connections
from sim.model.state import State
from sim.network import STRANGER, draw_strength
from sim.scenario import AcceptInvitations, Inference, Prune, Scenario
from sim.table_schema import TIE_KINDS


def unconnected(state: State, member: int, candidates: NDArray[np.int64]) -> NDArray[np.int64]:
    """The `candidates` other than `member` not connected to it (invitations come only from
    members not yet connected; docs/model.md 7.14)."""
    _, edges = state.ties.rows(np.array([member]))
    already = state.ties.dst[edges]
    keep: NDArray[np.bool_] = (candidates != member) & ~np.isin(candidates, already)
    return candidates[keep]


def connect(
    state: State,
    scenario: Scenario,
    member: int,
    partners: NDArray[np.int32],
    kind: NDArray[np.int8],
    now: float,
    strength: NDArray[np.float32],
    late_reply: NDArray[np.float64],
    reply_delay: NDArray[np.float64],
    intro: NDArray[np.bool_] | None = None,
    placed: NDArray[np.bool_] | None = None,
    note: NDArray[np.bool_] | None = None,
) -> None:
    """New ties member-partners (:func:`sim.model.connecting.add_ties`).

    Affinity starts at a0 plus ``platform.affinity.placed`` for placed ties, which interact at once
    (``first_interaction = now``). An unplaced stranger tie exchanges messages later when
    ``late_reply < stranger_reply_rate`` (5.4%, Expandi/Belkins 2024), at
    ``now + reply_delay * stranger_reply_days`` (reply_delay ~ Exp(1)).
    """
    count = partners.size
    placed = np.zeros(count, bool) if placed is None else placed
    params = scenario.behaviour
    replies = (kind == STRANGER) & ~placed & (late_reply < params.stranger_reply_rate)
    reply_day = now + reply_delay * params.stranger_reply_days
    first = np.where(placed, now, np.where(replies, reply_day, np.nan)).astype(np.float32)
    add_ties(
        state,
        scenario.platform,
        np.full(count, member, np.int32),
        partners,
        now,
        kind,
        strength,
        affinity_bonus=placed.astype(np.float32) * np.float32(scenario.platform.affinity.placed),
        intro=np.zeros(count, bool) if intro is None else intro,
        placed=placed,
        note=np.zeros(count, bool) if note is None else note,
        first_interaction=first,
    )


def burst_days(count: int, days: int) -> NDArray[np.int64]:
    """Acceptances of a burst of `count` spread over `days` days, on day k = 0 .. days - 1:
    ``n_k = ceil((k + 1) count / days) - ceil(k count / days)``, so that
    ``ceil((k + 1) count / days)`` are accepted by the end of day k. Each day brings
    ``count // days`` or one more, they sum to `count`, and the first day brings at least one
    (with fewer acceptances than days, some later days bring none). A modelling choice: an
    even spread with no randomness of its own."""
    accepted = -(-np.arange(days + 1, dtype=np.int64) * count // days)  # ceil
    return np.diff(accepted)


def accept_burst(
    state: State,
    scenario: Scenario,
    event: AcceptInvitations,
    index: int,
    count: int,
    remaining: int,
    now: float,
    rng: np.random.Generator,
    intro_rng: np.random.Generator,
    source: Path,
) -> None:
    """A focal member accepts `count` invitations from members of a field at once (C7): one
    day of the burst `event` (:func:`burst_days`), `remaining` being this day's and the
    later days' acceptances.

    Inviters are drawn without replacement from the field's members not yet connected, in
    proportion to :func:`sim.model.invitees.invitee_weights` (by default ``P(i) = s_i / sum
    s`` by session rate: active members send invitations); fewer than `remaining` of them is
    an input error. The new ties are stranger ties with strength ~ Beta(a, b), and a
    late-reply uniform and Exp(1) delay each (:func:`connect`). When the burst writes intro
    messages (:meth:`sim.scenario.Scenario.burst_intro`) its ties get them as the
    strategy's do, within the messages left of the day's budget
    (:func:`sim.strategies.write_intros`, :func:`sim.model.limits.messages_left`); each
    tie's answer draw comes from `intro_rng`, drawn whether or not a message is written.
    """
    member = state.focal_by_name[event.member]
    slot = int(state.focal_slot[member])
    field = state.topics.index(event.field)
    pool = unconnected(state, member, np.flatnonzero(state.field == field))
    weight = invitee_weights(state, scenario.platform.invitations, member, pool)
    if np.count_nonzero(weight) < remaining:
        raise InputError(
            source,
            f"events[{index}].count",
            f"asks for {event.count} inviters from field {event.field!r}"
            + (f" ({remaining} still to come on day {now:g})" if remaining < event.count else "")
            + f", but only {np.count_nonzero(weight)} members of that field can invite",
        )
    inviters = rng.choice(pool, size=count, replace=False, p=weight / weight.sum())
    inviters = np.sort(inviters).astype(np.int32)
    strength = draw_strength(rng, count, scenario.behaviour)
    late_reply = rng.random(count)
    reply_delay = rng.exponential(1.0, count)
    strategy = scenario.focal[slot].strategy
    day = int(np.floor(now))
    left = limits.messages_left(state.limits, slot, day, strategy.messages_per_day)
    intro, placed = strategies.write_intros(
        np.full(count, scenario.burst_intro(event)),
        left,
        intro_rng.random(count),
        strategy.intro_reply_rate,
    )
    written = int(intro.sum())
    limits.spend_messages(state.limits, slot, day, written)
    state.messages_sent[slot] += written
    connect(
        state,
        scenario,
        member,
        inviters,
        np.full(count, STRANGER, np.int8),
        now,
        strength=strength,
        late_reply=late_reply,
        reply_delay=reply_delay,
        intro=intro,
        placed=placed,
    )


def plan_inbound(
    state: State, scenario: Scenario, slot: int, rng: np.random.Generator
) -> strategies.InvitationPlan:
    """Draw, before the run, the invitations focal member `slot` receives
    (:func:`sim.strategies.plan_invitations`): known inviters are friends of friends in the
    member's field not yet connected, strangers anyone else not connected and not focal,
    weighted by :func:`sim.model.invitees.invitee_weights`."""
    member = int(state.focal_ids[slot])
    ties = state.ties
    _, first = ties.rows(np.array([member]))
    _, second = ties.rows(ties.dst[first])
    known = distinct(ties.dst[second].astype(np.int64))
    known = unconnected(state, member, known[state.field[known] == state.field[member]])
    others = unconnected(state, member, np.arange(state.n))
    others = others[~np.isin(others, known) & (state.focal_slot[others] < 0)]
    return strategies.plan_invitations(
        scenario.focal[slot].strategy,
        scenario.duration_days,
        known,
        others,
        invitee_weights(state, scenario.platform.invitations, member, others),
        rng,
        scenario.behaviour,
    )


def plan_sent(
    state: State, scenario: Scenario, slot: int, rng: np.random.Generator
) -> strategies.InvitationPlan:
    """Draw, before the run, the invitations focal member `slot` sends: to strangers not
    yet connected and not focal, ``P ∝`` :func:`sim.model.invitees.invitee_weights`
    (:func:`sim.strategies.plan_sent_invitations`)."""
    member = int(state.focal_ids[slot])
    others = unconnected(state, member, np.arange(state.n))
    others = others[state.focal_slot[others] < 0]
    return strategies.plan_sent_invitations(
        scenario.focal[slot].strategy,
        scenario.duration_days,
        others,
        invitee_weights(state, scenario.platform.invitations, member, others),
        rng,
        scenario.behaviour,
    )


def plan_all(
    state: State, scenario: Scenario, inbound: np.random.Generator, outreach: np.random.Generator
) -> None:
    """Every focal member's plans: received invitations (``inbound`` stream) for those with
    ``invitations_per_day > 0``, then sent ones (``outreach``) for those who send."""
    state.plans = {
        slot: plan_inbound(state, scenario, slot, inbound)
        for slot, spec in enumerate(scenario.focal)
        if spec.strategy.invitations_per_day > 0
    }
    state.sent_plans = {
        slot: plan_sent(state, scenario, slot, outreach)
        for slot, spec in enumerate(scenario.focal)
        if spec.strategy.sends_invitations_per_day > 0
    }


def answer_received(state: State, scenario: Scenario, slot: int, day: int, now: float) -> None:
    """A day's invitations to a focal member, answered by its strategy
    (:func:`sim.strategies.answer_invitations`; seed C8-C10). Invitations from people the
    member has connected with since the plan was drawn are void; known inviters become
    field-peer ties, strangers stranger ties. Its questions and intro messages spend the
    budget of the day they are written, ``floor(now)``
    (:func:`sim.model.limits.messages_left`)."""
    plan = state.plans[slot]
    today = plan.on(day)
    member = int(state.focal_ids[slot])
    inviter = plan.inviter[today]
    valid = state.ties.lookup(np.full(inviter.size, member), inviter) < 0
    strategy = scenario.focal[slot].strategy
    known = plan.known[today][valid]
    written_on = int(np.floor(now))
    budget = limits.messages_left(state.limits, slot, written_on, strategy.messages_per_day)
    answers = strategies.answer_invitations(strategy, known, plan.answer[today][valid], budget)
    limits.spend_messages(state.limits, slot, written_on, answers.messages)
    state.messages_sent[slot] += answers.messages
    accept = answers.accept
    if not accept.any():
        return
    kind = np.where(known, TIE_KINDS.index("field_peer"), STRANGER).astype(np.int8)
    connect(
        state,
        scenario,
        member,
        inviter[valid][accept].astype(np.int32),
        kind[accept],
        now,
        strength=plan.strength[today][valid][accept],
        late_reply=plan.late_reply[today][valid][accept],
        reply_delay=plan.reply_delay[today][valid][accept],
        intro=answers.intro[accept],
        placed=answers.placed[accept],
    )


def answer_sent(state: State, scenario: Scenario, slot: int, day: int, now: float) -> None:
    """The answers to `day`'s invitations sent by a focal member (#Persoonlijk, C11;
    :func:`sim.strategies.answer_sent_invitations`). Invitations to people the member has
    connected with meanwhile are void; those past the weekly limit are refused
    (:func:`sim.model.limits.send_invitations`), and notes past a free account's monthly
    allowance are not written (:func:`sim.model.limits.write_notes`); accepted ones become
    stranger ties (:func:`connect`)."""
    plan = state.sent_plans[slot]
    today = plan.on(day)
    member = int(state.focal_ids[slot])
    invitee = plan.inviter[today]
    valid = state.ties.lookup(np.full(invitee.size, member), invitee) < 0
    caps = scenario.platform.limits
    valid = limits.send_invitations(
        state.limits, np.full(invitee.size, member), valid, day, caps.weekly_invitations
    )
    answers = strategies.answer_sent_invitations(
        scenario.focal[slot].strategy, valid, plan.answer[today], plan.late_reply[today]
    )
    account = scenario.focal[slot].strategy.account
    answers = limits.write_notes(
        state.limits, slot, day, answers, plan.late_reply[today], account, caps.free_notes_per_month
    )
    state.messages_sent[slot] += answers.messages
    accept = answers.accept
    if not accept.any():
        return
    connect(
        state,
        scenario,
        member,
        invitee[accept].astype(np.int32),
        np.full(int(accept.sum()), STRANGER, np.int8),
        now,
        strength=plan.strength[today][accept],
        late_reply=answers.late_reply[accept],
        reply_delay=plan.reply_delay[today][accept],
        placed=answers.placed[accept],
        note=answers.note[accept],
    )


def prune(
    state: State, event: Prune, now: float, inference: Inference | None = None
) -> dict[str, NDArray[np.generic]]:
    """#Keuze (seed tip 5): remove the member's ties of the given kinds never heard from
    (``first_interaction`` not <= now: never, or an exchange still to come, which then never
    happens). Given `inference`, the platform learns from the removal
    (:func:`sim.model.learning.unlearn_connections`, ``removal_signal``).

    Returns the removed ties as they were, with the removal day and time (for the ties
    table)."""
    member = state.focal_by_name[event.member]
    ties = state.ties
    _, edges = ties.rows(np.array([member]))
    kinds = [TIE_KINDS.index(k) for k in event.kinds]
    heard = ties.first_interaction[edges] <= now  # False for NaN and exchanges to come
    silent = ~heard & np.isin(ties.kind[edges], kinds)
    partners = ties.dst[edges[silent]]
    removed = ties.remove_pairs(np.full(partners.size, member), partners)
    removed["first_interaction"][:] = np.nan
    removed["removed_day"] = np.full(int(silent.sum()), now)
    removed["removal_minutes"] = np.full(int(silent.sum()), event.minutes_per_removal)
    if inference is not None:
        unlearn_connections(
            state.theta, state.share_parts, state.field, member, partners, inference
        )
    return removed
