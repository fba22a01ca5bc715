"""Claims of the blog post that feedsim restates from its inputs: assumptions, not findings.

A number that feedsim reads in (or was tuned to reproduce) cannot confirm itself. For each
claim below, what a report or the README says about it is labelled as an assumption with
the input that sets it and that input's source; only results that emerge from the
interaction of mechanisms are stated as findings (docs/validation.md: calibration and
validation are two separate lists).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assumption:
    """A claim restated from inputs.

    Attributes:
        claim: the claim's code (docs/claims: ``C1``, ``tip 2``).
        restates: what the claim says, in feedsim's terms.
        inputs: the scenario fields that set it.
        source: where the inputs' values come from.
    """

    claim: str
    restates: str
    inputs: tuple[str, ...]
    source: str

    @property
    def label(self) -> str:
        """``Assumption, not a finding (C8): ... set by ... (source)``."""
        fields = ", ".join(f"`{i}`" for i in self.inputs)
        return (
            f"Assumption, not a finding ({self.claim}): {self.restates} is set by {fields}"
            f" ({self.source})."
        )


ASSUMPTIONS: dict[str, Assumption] = {
    a.claim: a
    for a in (
        Assumption(
            "C1",
            "a primary reach of a few percent of one's connections",
            ("platform.test_audience.fraction",),
            "calibrated to the blog post's 4-5%, docs/calibration.md fact 1",
        ),
        Assumption(
            "C3",
            "most engagement coming from the peer network",
            (
                "behaviour.ties.colleague",
                "behaviour.ties.field_peer",
                "behaviour.ties.offline",
                "behaviour.ties.client",
            ),
            "assumed multipliers after Gilbert & Karahalios 2009; docs/calibration.md fact 5",
        ),
        Assumption(
            "C4",
            "strangers hardly reacting to one's posts",
            ("behaviour.ties.stranger",),
            "a free parameter calibrated below 1 so that most stranger ties stay silent",
        ),
        Assumption(
            "C8",
            "about nine in ten new strangers never being heard from",
            ("behaviour.stranger_reply_rate",),
            "5.4% post-acceptance replies to blank invitations, Expandi/Belkins 2024;"
            " docs/calibration.md fact 8",
        ),
        Assumption(
            "C9",
            "a member's limited time for messages",
            ("focal.<name>.strategy.messages_per_day",),
            "10 messages a day, the blog post's own reasoning",
        ),
        Assumption(
            "tip 2",
            "an intro message at acceptance turning some strangers into active ties",
            ("focal.<name>.strategy.intro_reply_rate",),
            "a 30% reply rate to an intro message, not published",
        ),
    )
}
"""The claims feedsim restates from inputs, by code."""
