"""Scripted events of a focal member: a burst of accepted invitations, a pruning."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from sim.scenario.base import Strict, param


class AcceptInvitations(Strict):
    """On `day`, a focal member accepts `count` invitations from members of `field`."""

    action: Literal["accept_invitations"]
    day: float = param(..., "Simulated day of the event.", "day", ge=0)
    member: str = param(..., "Name of the focal member.", "text")
    count: int = param(
        ..., "Number of invitations accepted.", "invitations", ge=1, label="burst size"
    )
    field: str = param(..., "Field the inviters come from (one of `topics`).", "topic")


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
