"""LinkedIn's published limits on connections, invitations and invitation notes
(docs/model.md 7.25): how many connections a member may have, how many invitations it may
send a week, and how many of them a free account may give a personal note a month."""

from __future__ import annotations

from sim.scenario.base import Strict, param


class Limits(Strict):
    """Limits the platform puts on linking; every way a tie is made obeys them."""

    connection_cap: int = param(
        30000,
        "Most first-degree connections a member may have: a new tie is refused when either"
        " end already has this many. A member whose network starts above it is an input"
        " error.",
        "connections",
        "LinkedIn Help, 'Types of restrictions for sending invitations' (a maximum of 30,000"
        " 1st-degree connections)",
        ge=1,
        label="connection cap",
    )
    weekly_invitations: int = param(
        100,
        "Most invitations a member may send in a week (days [7k, 7k + 7)); those past it are"
        " refused and counted. Applies to a focal member's sent invitations and the trend's"
        " adopters'; the invitations a focal member receives come from many senders and are"
        " not limited by its own limit.",
        "invitations/week",
        "practitioner figure, not published by LinkedIn: about 100 a week since 2021"
        " (reported range 80-200; LinkedIn Help names no number)",
        ge=0,
        label="weekly invitation limit",
    )
    free_notes_per_month: int = param(
        5,
        "Invitations a free account may give a personal note in a month (days [30k, 30k +"
        " 30)); past it the invitation goes without a note. Premium accounts are unlimited"
        " (`strategy.account`).",
        "notes/month",
        "LinkedIn Help, 'Invitation limit reached' (free members: a personalised message on"
        " five connection requests a month; Premium: unlimited)",
        ge=0,
        label="notes a month (free account)",
    )
