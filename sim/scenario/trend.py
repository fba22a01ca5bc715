"""The trend section: 'link with everyone' as a population process adopted by social proof."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import SUM_TOLERANCE, Probability, Strict, param

CENTOLA = "complex contagion (Centola & Macy 2007; Centola 2010)"
PopulationStrategy = Literal["everyone", "selective"]
"""Linking strategies a share of the population can be given: ``everyone`` (the trend:
invite ``trend.invitations_per_day`` strangers a day, accept every invitation, post calls
to connect) and ``selective`` (the default of every other member: accept a stranger's
invitation with ``trend.accept_rate``)."""


class StrategyGroup(Strict):
    """A share of the members who follow a linking strategy from day 0."""

    strategy: PopulationStrategy = param(
        ...,
        "Linking strategy: everyone (the trend) or selective.",
        "choice",
        "blog post: the 'link with everyone' trend vs the author's rule",
    )
    share: Probability = param(
        ..., "Share of all members given this strategy.", "share", label="seed share"
    )
    seeding: Literal["random", "hubs", "field", "pair", "neighbourhood"] = param(
        "random",
        "Who they are: random (uniformly among members), hubs (the most connected; ties"
        " to the lower id), field (uniformly among the members of `field`), pair (each of"
        " the share's members drawn uniformly among members with a connection, with one of"
        " its connections drawn uniformly) or neighbourhood (each with all its connections).",
        "choice",
        "Centola 2010; Centola & Macy 2007 (pair: the smallest seed a threshold of 2 spreads"
        " from); Wan, Riedl & Lazer 2025 (neighbourhood)",
    )
    field: str | None = param(
        None, "The field seeding `field` draws from (one of the network's fields).", "topic"
    )

    @model_validator(mode="after")
    def _known(self) -> StrategyGroup:
        if self.seeding == "field" and self.field is None:
            raise ValueError("field: seeding 'field' needs the field to draw from")
        if self.seeding != "field" and self.field is not None:
            raise ValueError(
                f"field: only seeding 'field' uses a field (seeding is {self.seeding!r})"
            )
        return self


class Contagion(Strict):
    """How a member adopts the trend from what it saw in its own feed (docs/model.md 7.21)."""

    kind: Literal["none", "complex", "simple"] = param(
        "complex",
        "none: nobody adopts; complex: adopt once posts of enough distinct adopters were"
        " seen (a threshold); simple: every post of an adopter seen converts independently.",
        "choice",
        CENTOLA,
    )
    exposures: Literal["feed", "connections"] = param(
        "feed",
        "What exposes a member to the trend: any call to connect seen in its feed (the blog"
        " post: people join because they see many others in their timeline doing it), or"
        " only calls of its own connections (network neighbours, as in Centola 2010).",
        "choice",
        "blog post C12 (feed); Centola 2010 (connections)",
    )
    threshold_on: Literal["count", "fraction"] = param(
        "count",
        "complex: the threshold counts distinct adopters seen, or their fraction of one's"
        " connections.",
        "choice",
        "Centola & Macy 2007 (count); Watts 2002 (fraction)",
    )
    threshold: float = param(
        2.0,
        "complex: distinct adopters seen (count, at least 1) or their share of one's"
        " connections (fraction, in (0, 1]) needed to adopt.",
        "adopters or share",
        CENTOLA,
        gt=0,
        label="adoption threshold",
    )
    adoption_rate: Probability = param(
        0.5,
        "complex: chance a day that a member over the threshold adopts.",
        "1/day",
        "modelling choice (not published)",
        label="daily adoption chance over the threshold",
    )
    below_threshold_rate: Probability = param(
        0.0,
        "complex: chance a day that a member who has seen calls of at least 1 and fewer than"
        " `threshold` distinct adopters adopts (p1; `adoption_rate` is p2). At most"
        " `adoption_rate`.",
        "1/day",
        "Wan, Riedl & Lazer 2025 (p1); Eckles, Mossel, Rahimian & Sen (noisy threshold)",
        label="daily adoption chance below the threshold",
    )
    exposure_rate: Probability = param(
        0.02,
        "simple: chance that one post of an adopter seen converts the viewer.",
        "1/exposure",
        "modelling choice (not published)",
        label="conversion chance per exposure",
    )

    @model_validator(mode="after")
    def _threshold(self) -> Contagion:
        if self.threshold_on == "count" and self.threshold < 1:
            raise ValueError(
                f"threshold: a count threshold is a number of adopters, at least 1"
                f" (got {self.threshold:g})"
            )
        if self.threshold_on == "fraction" and self.threshold > 1:
            raise ValueError(
                f"threshold: a fraction threshold is a share of connections, at most 1"
                f" (got {self.threshold:g})"
            )
        if self.below_threshold_rate > self.adoption_rate:
            raise ValueError(
                f"below_threshold_rate: below_threshold_rate must not exceed adoption_rate"
                f" ({self.below_threshold_rate:g} > {self.adoption_rate:g})"
            )
        return self


class Trend(Strict):
    """'Link with everyone' as a population process: who starts, what adopters do, and how
    others adopt by social proof (seed C12; docs/model.md 7.21)."""

    groups: list[StrategyGroup] = Field(
        default_factory=list,
        description="Shares of the members given a strategy at day 0 (shares sum to 1 at most).",
    )
    invitation_rate: Literal["per_session", "per_day"] = param(
        "per_session",
        "How many invitations an adopter sends a day (Poisson): `per_session`,"
        " `invitations_per_session` x its session rate (members invite in proportion to"
        " their activity); `per_day`, `invitations_per_day` whoever the adopter is.",
        "option",
        "invitations are sent from LinkedIn's pages (People You May Know, search), so"
        " they come with sessions; the blog post's 25 a day is a heavy user's. per_session is"
        " the default, per_day the earlier rule (docs/model.md 7.21)",
    )
    invitations_per_session: float = param(
        8.0,
        "With `invitation_rate: per_session`: invitations an adopter sends per feed session.",
        "1/session",
        "blog post: about 25 a day during the trend, from a heavy user (3 sessions a day, the"
        " most active class): about 8 a session; modelling choice, range 2-10",
        ge=0,
        label="adopters' invitations a session",
    )
    invitations_per_day: float = param(
        25.0,
        "With `invitation_rate: per_day`: invitations an adopter sends a day.",
        "1/day",
        "blog post: about 25 a day during the trend",
        ge=0,
        label="adopters' invitations a day",
    )
    accept_rate: Probability = param(
        0.26,
        "Chance a selective member accepts an adopter's invitation (adopters accept all).",
        "share",
        "26% for invitations to strangers (Expandi/Belkins 2024, 20 M invitations)",
        label="acceptance of a cold invitation",
    )
    call_posts_per_day: float = param(
        0.5,
        "Extra posts a day an adopter writes while adopted: calls to connect ('I accept"
        " everyone').",
        "1/day",
        "blog post: trend members post calls to connect (rate not published)",
        ge=0,
        label="adopters' calls to connect a day",
    )
    contagion: Contagion = Field(default_factory=Contagion, description="Adoption by social proof.")
    drop_after_days: float | None = param(
        None,
        "Adopters return to their earlier strategy after this many days (never when omitted).",
        "days",
        "modelling choice (off by default)",
        gt=0,
    )
    drop_below_viewers: float | None = param(
        None,
        "Adopters return to their earlier strategy when their calls of the last"
        " `drop_window_days` reached fewer viewers a post than this (never when omitted).",
        "viewers/post",
        "modelling choice (off by default): the trend stops paying",
        gt=0,
    )
    drop_window_days: float = param(
        7.0,
        "The days of calls `drop_below_viewers` looks back on (calls at least a day old).",
        "days",
        "modelling choice",
        gt=1,
    )

    @model_validator(mode="after")
    def _shares(self) -> Trend:
        total = sum(g.share for g in self.groups)
        if total > 1 + SUM_TOLERANCE:
            raise ValueError(f"groups: the shares sum to {total:.6g}, more than 1")
        return self

    @model_validator(mode="after")
    def _rate_of_the_rule(self) -> Trend:
        """A rate set, other than its default, for the rule not in force would be ignored:
        refuse it."""
        rate_of = {"per_session": "invitations_per_session", "per_day": "invitations_per_day"}
        for rule, field in rate_of.items():
            default = type(self).model_fields[field].default
            if rule != self.invitation_rate and getattr(self, field) != default:
                raise ValueError(
                    f"{field} does not apply under invitation_rate: {self.invitation_rate}"
                    f" (set invitation_rate: {rule} to use it)"
                )
        return self
