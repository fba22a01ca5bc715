"""The platform's invitation draw: who is at the other end of an invitation (docs/model.md 7.24)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from sim.scenario.base import SUM_TOLERANCE, Probability, Strict, param

PYMK_SOURCES = (
    "LinkedIn Engineering, 'People You May Know': PYMK builds more than 50% of LinkedIn's"
    " graph and starts from friends of friends (triangle closing), scored by shared"
    " organisations and schools; Leskovec, Backstrom, Kumar & Tomkins 2008 (KDD): 30-60% of"
    " new edges close a triangle in four online networks, LinkedIn among them"
)


class Invitations(Strict):
    """Who is at the other end of an invitation: a focal member's senders and invitees, the
    inviters of a scripted burst and the trend's invitees (sim/model/invitees.py)."""

    draw: Literal["session_rate", "people_you_may_know"] = param(
        "people_you_may_know",
        "How the other end j of a member i's invitation is drawn: `session_rate`, P(j) ="
        " s_j / sum s over everyone; `people_you_may_know`, as LinkedIn's People You May"
        " Know suggests: a friend of a friend with probability `friends_of_friends`"
        " (P ∝ s_j m_ij, m_ij the connections i and j share), a member of i's field with"
        " probability `same_field` (P ∝ s_j), anyone otherwise (P ∝ s_j).",
        "option",
        "Rajkumar et al. 2022 (Science 377:1304) ran their experiment on PYMK; "
        + PYMK_SOURCES
        + "; people_you_may_know is the default, session_rate (the earlier rule) a named"
        " alternative (docs/model.md 7.24)",
    )
    friends_of_friends: Probability = param(
        0.5,
        "With `draw: people_you_may_know`: share of invitations that go to a friend of a"
        " friend (a two-step walk, each step weighted by activity).",
        "share",
        PYMK_SOURCES + "; 0.5, range 0.3-0.6",
        label="invitations to friends of friends",
    )
    same_field: Probability = param(
        0.3,
        "With `draw: people_you_may_know`: share of invitations that go to a member of the"
        " inviting member's field (shared company or industry), by activity; the rest go to"
        " anyone by activity.",
        "share",
        "modelling choice, range 0.1-0.4: PYMK scores shared organisations and schools"
        " (LinkedIn Engineering), no share published",
        label="invitations within the field",
    )

    @model_validator(mode="after")
    def _shares(self) -> Invitations:
        total = self.friends_of_friends + self.same_field
        if total > 1.0 + SUM_TOLERANCE:
            raise ValueError(
                f"friends_of_friends + same_field must be at most 1 (they sum to {total:.6g})"
            )
        return self
