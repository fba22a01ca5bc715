"""LinkedIn's limits on linking (docs/model.md 7.25): the connection cap, the weekly
invitation limit and the free account's notes a month, as pure rules over arrays, and the
counts of what they refused (:class:`LimitCounts`, kept on the state).

* Connection cap (LinkedIn Help, "Types of restrictions for sending invitations": 30,000):
  a new tie is refused when either end already has ``connection_cap`` connections
  (:func:`under_cap`, :func:`within_cap`).
* Weekly invitations (a practitioner figure, about 100 since 2021): of the invitations a
  member would send in week ``k = floor(day / 7)``, those past ``weekly_invitations`` are
  refused (:func:`weekly_quota`, :func:`send_invitations`).
* Notes (LinkedIn Help, "Invitation limit reached": five a month for free accounts,
  unlimited for Premium): of a free account's notes in month ``m = floor(day / 30)``, those
  past ``free_notes_per_month`` are not written and the invitation goes without one
  (:func:`notes_allowed`, :func:`write_notes`).
* The member's own daily budget of messages to new contacts (``strategy.messages_per_day``):
  the questions and intro messages a focal member writes on day d (at times in [d, d + 1):
  its answers to day d - 1's invitations at the start of day d, a scripted burst's intros)
  are at most ``messages_per_day`` together (:func:`messages_left`, :func:`spend_messages`).
  Personal notes on sent invitations have a budget of their own (docs/model.md 7.15).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim.errors import InputError
from sim.strategies import SentAnswers

DAYS_PER_WEEK = 7
"""The weekly invitation limit counts days [7k, 7k + 7)."""
DAYS_PER_MONTH = 30
"""The monthly allowance of notes counts days [30k, 30k + 30)."""


@dataclass
class LimitCounts:
    """What the limits have let through and refused in one run; arrays of length N are by
    member, the others by focal slot."""

    week: NDArray[np.int64]
    """Per member: the week ``sent`` counts (-1 before its first invitation)."""
    sent: NDArray[np.int64]
    """Per member: invitations sent in that week."""
    refused: NDArray[np.int64]
    """Per member: invitations refused by the weekly limit over the run."""
    capped: NDArray[np.int64]
    """Per member: ties refused at the connection cap over the run, counted on the tie's
    first end (a focal member for its own ties, the inviting adopter for the trend's)."""
    month: NDArray[np.int64]
    """Per focal slot: the month ``notes`` counts (-1 before its first note)."""
    notes: NDArray[np.int64]
    """Per focal slot: personal notes written in that month."""
    withheld: NDArray[np.int64]
    """Per focal slot: notes not written over the run (the monthly allowance was spent)."""
    message_day: NDArray[np.int64]
    """Per focal slot: the day ``messages_today`` counts (-1 before its first message)."""
    messages_today: NDArray[np.int64]
    """Per focal slot: questions and intro messages written on that day."""

    @classmethod
    def start(cls, members: int, focal: int) -> LimitCounts:
        """Nothing sent, refused or written yet."""
        return cls(
            week=np.full(members, -1, np.int64),
            sent=np.zeros(members, np.int64),
            refused=np.zeros(members, np.int64),
            capped=np.zeros(members, np.int64),
            month=np.full(focal, -1, np.int64),
            notes=np.zeros(focal, np.int64),
            withheld=np.zeros(focal, np.int64),
            message_day=np.full(focal, -1, np.int64),
            messages_today=np.zeros(focal, np.int64),
        )


# --------------------------------------------------------------------------- pure rules


def under_cap(degree: NDArray[np.int64], cap: int) -> NDArray[np.bool_]:
    """Whether a member with `degree` connections may take one more: ``degree < cap``."""
    return np.asarray(degree < cap)


def within_cap(
    src: NDArray[np.int32], dst: NDArray[np.int32], degree: NDArray[np.int64], cap: int
) -> NDArray[np.bool_]:
    """Which of the new ties src-dst (distinct pairs) are made, in order: tie i is made when
    both ends are under the cap (:func:`under_cap`) counting the ties made before it, that
    is ``d_u + #{j < i made with end u} < cap`` for u = src_i and u = dst_i, with `degree`
    the connections before the batch."""
    keep = under_cap(degree[src], cap) & under_cap(degree[dst], cap)
    ends, added = np.unique(np.concatenate([src[keep], dst[keep]]), return_counts=True)
    if np.all(degree[ends] + added <= cap):
        return keep  # no end reaches past the cap: every tie under it is made
    grown = dict(zip(ends.tolist(), degree[ends].tolist(), strict=True))
    for i in np.flatnonzero(keep).tolist():
        a, b = int(src[i]), int(dst[i])
        if grown[a] < cap and grown[b] < cap:
            grown[a] += 1
            grown[b] += 1
        else:
            keep[i] = False
    return keep


def weekly_quota(
    sent_so_far: NDArray[np.int64], wanted: NDArray[np.int64], limit: int
) -> NDArray[np.int64]:
    """Invitations sent of `wanted` by members who sent `sent_so_far` this week:
    ``max(0, min(wanted, limit - sent_so_far))``."""
    return np.maximum(0, np.minimum(wanted, limit - sent_so_far))


def first_within(keys: NDArray[np.int64], allowed: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Entry i is among the first ``allowed[i]`` entries with its key, in order: its rank
    among the entries of equal key before it is below ``allowed[i]`` (`allowed` is the same
    for entries of one key)."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = np.ones(keys.size, bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    rank = np.empty(keys.size, np.int64)
    rank[order] = np.arange(keys.size) - np.repeat(starts, np.diff(np.append(starts, keys.size)))
    return np.asarray(rank < allowed)


def notes_allowed(written_so_far: int, wanted: int, allowance: int, account: str) -> int:
    """Notes written of `wanted` this month: a ``premium`` account writes them all; a
    ``free`` one ``max(0, min(wanted, allowance - written_so_far))``."""
    if account == "premium":
        return wanted
    return max(0, min(wanted, allowance - written_so_far))


def check_initial_degree(degree: NDArray[np.int64], cap: int, source: Path) -> None:
    """The network may not start above the connection cap: a member with more than
    `cap` connections at day 0 is an input error (exit 2) naming the field."""
    over = np.flatnonzero(degree > cap)
    if over.size:
        raise InputError(
            source,
            "platform.limits.connection_cap",
            f"is {cap}, but {over.size} member(s) start with more connections (most:"
            f" {int(degree.max())}); raise the cap or use a network within it",
        )


# --------------------------------------------------------------------------- the ledger


def send_invitations(
    counts: LimitCounts, sender: NDArray[np.int64], wanted: NDArray[np.bool_], day: int, limit: int
) -> NDArray[np.bool_]:
    """The invitations sent on `day` of those `wanted` (by `sender`, in sending order):
    each sender sends :func:`weekly_quota` of them, its first ones (:func:`first_within`);
    the rest are refused. The week's counts start again at a new week; the sent and the
    refused are counted."""
    week = day // DAYS_PER_WEEK
    who = sender[wanted]
    members, index, per = np.unique(who, return_inverse=True, return_counts=True)
    stale = counts.week[members] != week
    counts.sent[members[stale]] = 0
    counts.week[members] = week
    allowed = weekly_quota(counts.sent[members], per, limit)
    sent = wanted.copy()
    sent[wanted] = first_within(who, allowed[index])
    counts.sent[members] += allowed
    counts.refused[members] += per - allowed
    return sent


def messages_left(counts: LimitCounts, slot: int, day: int, per_day: int) -> int:
    """Messages focal member `slot` may still write for `day`:
    ``max(0, messages_per_day - written for day)`` (the count starts again at a new day)."""
    if counts.message_day[slot] != day:
        counts.message_day[slot], counts.messages_today[slot] = day, 0
    return max(0, per_day - int(counts.messages_today[slot]))


def spend_messages(counts: LimitCounts, slot: int, day: int, written: int) -> None:
    """Count `written` messages of focal member `slot` for `day` (after
    :func:`messages_left` for that day)."""
    if counts.message_day[slot] != day:
        counts.message_day[slot], counts.messages_today[slot] = day, 0
    counts.messages_today[slot] += written


def write_notes(
    counts: LimitCounts,
    slot: int,
    day: int,
    answers: SentAnswers,
    late_reply: NDArray[np.float64],
    account: str,
    allowance: int,
) -> SentAnswers:
    """`answers` to focal member `slot`'s invitations of `day` with only the notes its
    account allows this month (:func:`notes_allowed`, the first ones in sending order). An
    invitation whose note is not written goes blank: never placed at once, and its own
    `late_reply` draw decides a later exchange at the blank rate. The notes written and
    withheld are counted."""
    month = day // DAYS_PER_MONTH
    if counts.month[slot] != month:
        counts.month[slot], counts.notes[slot] = month, 0
    wanted = int(answers.note.sum())
    allowed = notes_allowed(int(counts.notes[slot]), wanted, allowance, account)
    counts.notes[slot] += allowed
    counts.withheld[slot] += wanted - allowed
    if allowed == wanted:
        return answers
    note = answers.note & (np.cumsum(answers.note) <= allowed)
    return replace(
        answers,
        note=note,
        placed=answers.placed & note,
        late_reply=np.where(note, answers.late_reply, late_reply),
        messages=answers.messages - (wanted - allowed),
    )
