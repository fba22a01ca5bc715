"""Scripted events of a focal member: a burst of accepted invitations, a pruning."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Strict, param


class AcceptInvitations(Strict):
    """From `day`, a focal member accepts `count` invitations in all from members of `field`,
    spread over `days` days: by the end of day ``day + k`` (k = 0 .. days - 1) it has accepted
    ``ceil((k + 1) * count / days)`` of them, so the acceptances at time ``day + k`` number
    ``ceil((k + 1) * count / days) - ceil(k * count / days)`` (each day ``count // days`` or
    one more, the first day at least one; with fewer invitations than days, some later days
    bring none)."""

    action: Literal["accept_invitations"]
    day: float = param(..., "Simulated day of the event (of its first acceptances).", "day", ge=0)
    member: str = param(..., "Name of the focal member.", "text")
    count: int = param(
        ...,
        "Number of invitations accepted in all (over `days` days).",
        "invitations",
        ge=1,
        label="burst size",
    )
    field: str = param(..., "Field the inviters come from (one of `topics`).", "topic")
    days: int = param(
        1,
        "Days the acceptances are spread over, from `day`: day k = 0 .. days - 1 brings"
        " ceil((k + 1) * count / days) - ceil(k * count / days) of them, at time day + k.",
        "days",
        "modelling choice",
        label="burst span",
        ge=1,
    )
    intro_message: bool | None = param(
        None,
        "Write each new contact an intro message, within the member's `messages_per_day`:"
        " true or false; omitted, as the member's `strategy.intro_message` says.",
        "switch",
        "blog post tip 2; C8",
    )


class Prune(Strict):
    """#Keuze: on `day`, a focal member removes connections never heard from."""

    action: Literal["prune"]
    day: float = param(..., "Simulated day of the event.", "day", ge=0)
    member: str = param(..., "Name of the focal member.", "text")
    kinds: list[Literal["colleague", "field_peer", "offline", "client", "stranger"]] = param(
        ["stranger"], "Tie kinds considered for removal.", "kinds"
    )
    minutes_per_removal: float = param(
        1.0,
        "Time it takes to remove one connection by hand (one by one, as the blog post says).",
        "minutes",
        "blog post tip 5",
        ge=0,
    )


Event = Annotated[AcceptInvitations | Prune, Field(discriminator="action")]
