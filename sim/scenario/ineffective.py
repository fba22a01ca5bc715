"""Fields set to take an effect that the rest of the scenario does not let happen.

Such a field is valid, so it is no error, but a user who set it expects something the run
will not do: `feedsim validate` and `feedsim run` print each as a warning (exit code 0) and
the report lists them near its top. Each rule names the field and why it does nothing.
"""

from __future__ import annotations

from sim.scenario.events import AcceptInvitations
from sim.scenario.root import Scenario


def ineffective(scenario: Scenario) -> list[tuple[str, str]]:
    """``(field path, why it has no effect)`` of each such field of `scenario`.

    * ``focal[i].strategy.intro_message: true`` applies to the strangers the member accepts
      with ``accept: everyone`` from its received invitations (``invitations_per_day > 0``,
      ``trend_days > 0``) and to its bursts whose ``intro_message`` is omitted; with neither,
      or with ``messages_per_day: 0``, no intro message is written.
    * ``events[j].intro_message: true`` writes nothing when its member's
      ``messages_per_day`` is 0.
    * ``focal[i].strategy.personal_note: true`` applies only to invitations the member
      sends (``sends_invitations_per_day > 0``, ``trend_days > 0``), never to those it
      accepts (the other side wrote them).
    """
    found: list[tuple[str, str]] = []
    bursts = [(j, e) for j, e in enumerate(scenario.events) if isinstance(e, AcceptInvitations)]
    for i, member in enumerate(scenario.focal):
        strategy, path = member.strategy, f"focal[{i}].strategy"
        receives = strategy.invitations_per_day > 0 and strategy.trend_days > 0
        if strategy.intro_message:
            follows = [j for j, e in bursts if e.member == member.name and e.intro_message is None]
            if strategy.messages_per_day == 0:
                found.append(
                    (
                        f"{path}.intro_message",
                        "is true, but messages_per_day is 0: no intro is written",
                    )
                )
            elif not (strategy.accept == "everyone" and receives) and not follows:
                why = (
                    "it receives no invitations (invitations_per_day or trend_days is 0)"
                    if not receives
                    else "it accepts strangers only after a question (accept: selective)"
                )
                found.append(
                    (
                        f"{path}.intro_message",
                        f"is true, but {member.name!r} makes no ties it applies to: {why}, and"
                        " none of its accept_invitations events leaves intro_message to the"
                        " strategy; no intro message is written",
                    )
                )
        sends = strategy.sends_invitations_per_day > 0 and strategy.trend_days > 0
        if strategy.personal_note and not sends:
            found.append(
                (
                    f"{path}.personal_note",
                    f"is true, but {member.name!r} sends no invitations"
                    " (sends_invitations_per_day or trend_days is 0), and notes go only with"
                    " invitations one sends, never with those one accepts; no note is written",
                )
            )
    for j, event in bursts:
        member = next(f for f in scenario.focal if f.name == event.member)
        if event.intro_message and member.strategy.messages_per_day == 0:
            found.append(
                (
                    f"events[{j}].intro_message",
                    f"is true, but {event.member!r} has messages_per_day 0: no intro is written",
                )
            )
    return found
