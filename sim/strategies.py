"""Linking strategies: who invites a member during a trend, and what the member answers.

Everything random about the invitations is drawn once, before the run starts, from the
``inbound`` stream: the day each invitation arrives, who sends it, and the draws that decide
whether a question or an intro message gets an answer and how strong the tie would be. The
arms of a study therefore receive the same invitations from the same people on the same days
and differ only in what their strategy does with them (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.scenario import Behaviour, Strategy


@dataclass(frozen=True)
class InvitationPlan:
    """The invitations one member will receive, in arrival order.

    Attributes:
        day: arrival day of each invitation.
        inviter: who sends it.
        known: whether the inviter has a prior relationship (friend of a friend in one's
            field), else a stranger.
        strength: true strength of the tie if it is made, ``Beta(a, b)`` (see
            :func:`sim.network.draw_strength`).
        answer: uniform draw; a question or intro message is answered when it is below the
            strategy's answer or reply rate.
        late_reply: uniform draw; an unmessaged stranger tie exchanges messages later when it
            is below ``stranger_reply_rate``.
        reply_delay: delay of that later exchange (days, exponential with mean 1; scaled).
    """

    day: NDArray[np.int64]
    inviter: NDArray[np.int64]
    known: NDArray[np.bool_]
    strength: NDArray[np.float32]
    answer: NDArray[np.float64]
    late_reply: NDArray[np.float64]
    reply_delay: NDArray[np.float64]

    def on(self, day: int) -> slice:
        """The invitations arriving on `day`."""
        return slice(
            int(np.searchsorted(self.day, day, side="left")),
            int(np.searchsorted(self.day, day, side="right")),
        )


def weighted_order(
    rng: np.random.Generator, items: NDArray[np.int64], weight: NDArray[np.float64], count: int
) -> NDArray[np.int64]:
    """The first `count` items of a weighted random order without replacement.

    Gumbel-top-k (Vieira 2014; Kool et al. 2019): the items with the largest
    ``log w_i + G_i``, G_i standard Gumbel, are a weighted sample without replacement, in
    order. Items of weight 0 never come.
    """
    positive = weight > 0
    items, weight = items[positive], weight[positive]
    count = min(count, items.size)
    if count == 0:
        return np.zeros(0, np.int64)
    keys = np.log(weight) + rng.gumbel(size=items.size)
    top = np.argpartition(-keys, count - 1)[:count]
    return items[top[np.argsort(-keys[top], kind="stable")]]


def arrival_days(
    trend_days: float, duration_days: int, per_day: float, rng: np.random.Generator
) -> NDArray[np.int64]:
    """The day of each arrival: ``Poisson(per_day * span_d)`` on each day d of the trend,
    span_d being 1, or the part of the last day inside the trend."""
    days = np.arange(int(min(np.ceil(trend_days), duration_days)))
    span = np.clip(trend_days - days, 0.0, 1.0)
    return np.repeat(days, rng.poisson(per_day * span))


def plan_invitations(
    strategy: Strategy,
    duration_days: int,
    known_pool: NDArray[np.int64],
    stranger_pool: NDArray[np.int64],
    stranger_weight: NDArray[np.float64],
    rng: np.random.Generator,
    behaviour: Behaviour,
) -> InvitationPlan:
    """Draw a member's invitations for the whole trend.

    On each day d of the trend, ``Poisson(invitations_per_day * span_d)`` invitations arrive
    (span_d is 1, or the part of the last day inside the trend; seed: about 25 a day). Each
    comes from someone the member knows with probability ``known_share``, drawn uniformly
    without replacement from `known_pool`; otherwise from a stranger drawn without
    replacement in proportion to `stranger_weight` (active members send invitations). When
    a pool runs out, its invitations are dropped.
    """
    day = arrival_days(strategy.trend_days, duration_days, strategy.invitations_per_day, rng)
    known = rng.random(day.size) < strategy.known_share
    known_order = rng.permutation(known_pool)
    stranger_order = weighted_order(rng, stranger_pool, stranger_weight, int((~known).sum()))
    n_known = min(int(known.sum()), known_order.size)
    n_stranger = min(int((~known).sum()), stranger_order.size)
    keep = np.zeros(day.size, bool)
    keep[np.flatnonzero(known)[:n_known]] = True
    keep[np.flatnonzero(~known)[:n_stranger]] = True
    inviter = np.zeros(day.size, np.int64)
    inviter[np.flatnonzero(known)[:n_known]] = known_order[:n_known]
    inviter[np.flatnonzero(~known)[:n_stranger]] = stranger_order[:n_stranger]
    size = day.size
    return InvitationPlan(
        day=day[keep],
        inviter=inviter[keep],
        known=known[keep],
        strength=rng.beta(behaviour.strength_a, behaviour.strength_b, size=size).astype(np.float32)[
            keep
        ],
        answer=rng.random(size)[keep],
        late_reply=rng.random(size)[keep],
        reply_delay=rng.exponential(1.0, size)[keep],
    )


def plan_sent_invitations(
    strategy: Strategy,
    duration_days: int,
    pool: NDArray[np.int64],
    weight: NDArray[np.float64],
    rng: np.random.Generator,
    behaviour: Behaviour,
) -> InvitationPlan:
    """Draw the invitations a member sends during the trend (answering calls to connect).

    ``Poisson(sends_invitations_per_day * span_d)`` a day, to strangers drawn without
    replacement in proportion to `weight`. In the returned plan ``answer`` decides
    acceptance (``answer < sent_accept_rate``) and ``late_reply`` the reply.
    """
    day = arrival_days(strategy.trend_days, duration_days, strategy.sends_invitations_per_day, rng)
    invitee = weighted_order(rng, pool, weight, day.size)
    size = day.size
    keep = np.arange(size) < invitee.size
    full = np.zeros(size, np.int64)
    full[: invitee.size] = invitee
    return InvitationPlan(
        day=day[keep],
        inviter=full[keep],
        known=np.zeros(size, bool)[keep],
        strength=rng.beta(behaviour.strength_a, behaviour.strength_b, size=size).astype(np.float32)[
            keep
        ],
        answer=rng.random(size)[keep],
        late_reply=rng.random(size)[keep],
        reply_delay=rng.exponential(1.0, size)[keep],
    )


@dataclass(frozen=True)
class Answers:
    """What a strategy does with one day's invitations (arrays over those invitations)."""

    accept: NDArray[np.bool_]
    intro: NDArray[np.bool_]
    placed: NDArray[np.bool_]
    messages: int


def within_budget(wanted: NDArray[np.bool_], budget: int) -> NDArray[np.bool_]:
    """The messages written of those `wanted`, in order: the first `budget` of them
    (``wanted_i and sum_{j <= i} wanted_j <= budget``)."""
    return np.asarray(wanted & (np.cumsum(wanted) <= budget))


def write_intros(
    wanted: NDArray[np.bool_], budget: int, answer: NDArray[np.float64], reply_rate: float
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Intro messages to new stranger ties (#Duiding, seed tip 2, C8, C9): the ties `wanted`
    get one each within the day's `budget` (:func:`within_budget`); a message is answered
    when ``answer < reply_rate`` (``intro_reply_rate``), which places the tie. Returns
    ``(intro, placed)``. The strategy's answers to received invitations and scripted bursts
    both write them here."""
    intro = within_budget(wanted, budget)
    return intro, intro & (answer < reply_rate)


def answer_invitations(
    strategy: Strategy,
    known: NDArray[np.bool_],
    answer: NDArray[np.float64],
    budget: int | None = None,
) -> Answers:
    """Apply a strategy to one day's invitations, in arrival order.

    * ``selective`` accepts everyone it knows; it asks each stranger a question, one message
      each within the day's `budget` (``messages_per_day`` when not given), and accepts those
      who answer (``answer < answer_rate``); the exchange places the tie.
    * ``everyone`` accepts all; with ``intro_message`` it writes each new stranger an intro
      message within the budget (:func:`write_intros`), answered when
      ``answer < intro_reply_rate``, which places the tie (seed tip 2, C8, C9).
    """
    budget = strategy.messages_per_day if budget is None else budget
    stranger = ~known
    if strategy.accept == "selective":
        asked = within_budget(stranger, budget)
        placed = asked & (answer < strategy.answer_rate)
        return Answers(
            accept=known | placed,
            intro=np.zeros(known.size, bool),
            placed=placed,
            messages=int(asked.sum()),
        )
    wanted = stranger & strategy.intro_message
    intro, placed = write_intros(wanted, budget, answer, strategy.intro_reply_rate)
    return Answers(
        accept=np.ones(known.size, bool),
        intro=intro,
        placed=placed,
        messages=int(intro.sum()),
    )


@dataclass(frozen=True)
class SentAnswers:
    """The answers to one day's invitations sent by a member (arrays over those invitations).

    Attributes:
        accept: the invitee accepts.
        note: the invitation carried a personal note.
        placed: the invitee replied to the note at once (the tie is placed).
        late_reply: the draw that decides a later exchange (``inf`` for noted invitations:
            a note not answered at once is never answered later).
        messages: notes written.
    """

    accept: NDArray[np.bool_]
    note: NDArray[np.bool_]
    placed: NDArray[np.bool_]
    late_reply: NDArray[np.float64]
    messages: int


def answer_sent_invitations(
    strategy: Strategy,
    valid: NDArray[np.bool_],
    answer: NDArray[np.float64],
    late_reply: NDArray[np.float64],
) -> SentAnswers:
    """What comes of one day's sent invitations, in sending order (#Persoonlijk, C11).

    With ``personal_note`` the first ``messages_per_day`` valid invitations carry a note
    (one message each, :func:`within_budget`). An invitation is accepted when
    ``answer < sent_accept_rate`` (Expandi/Belkins 2024: 26% with or without a note); a noted
    one is answered at once when ``late_reply < note_reply_rate`` (9.4%), which places the
    tie. Invalid invitations (to someone already connected) are void.
    """
    note = within_budget(valid, strategy.messages_per_day) & strategy.personal_note
    return SentAnswers(
        accept=valid & (answer < strategy.sent_accept_rate),
        note=note,
        placed=note & (late_reply < strategy.note_reply_rate),
        late_reply=np.where(note, np.inf, late_reply),
        messages=int(note.sum()),
    )
