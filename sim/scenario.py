"""The scenario schema, in one place: every field with its doc, unit, default and source.

A scenario file (YAML) describes one study: the simulated world, the platform, scripted
events, and its *variants* (the arms of the study). Each variant is the base scenario with
some fields replaced (a deep merge of mappings; lists and values are replaced whole), so the
arms share everything else, including the random numbers (see :mod:`sim.rng`).

Unknown keys are errors. :func:`load_study` turns every problem into an
:class:`~sim.errors.InputError` naming the file, the field path and what is wrong.
"""

from __future__ import annotations

import copy
import difflib
import re
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import InputError

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
FREE = "free parameter, tuned to the stylized facts (docs/calibration.md)"
"""The source of a parameter set by calibration rather than taken from a publication."""


def param(
    default: Any,
    doc: str,
    unit: str,
    source: str | None = None,
    label: str | None = None,
    **constraints: Any,
) -> Any:
    """A schema field with its documentation, unit and source (shown by `feedsim schema` and
    `feedsim params`), and a short label for figure axes (its JSON Schema ``title``). A field
    without a source (a name, a day, a file path, or a value no publication backs) shows
    none."""
    extra: dict[str, Any] = {"unit": unit}
    if source:
        extra["source"] = source
    return Field(default, description=doc, title=label, json_schema_extra=extra, **constraints)


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
SUM_TOLERANCE = 1e-6
"""How far shares that must sum to 1 may be off (rounding in a file)."""


def _check_sum(field: str, what: str, total: float) -> None:
    """Raise the ValueError that names `field` when shares do not sum to 1."""
    if not abs(total - 1.0) <= SUM_TOLERANCE:
        where = f"{field}: " if field else ""
        raise ValueError(f"{where}{what} must sum to 1 (they sum to {total:.6g})")


def _unknown(what: str, given: str, valid: list[str]) -> str:
    """``'itt' is not one of the topics (finance, it); did you mean 'it'?``."""
    if not valid:
        return f"{given!r} is not one of the {what} (there are none)"
    close = difflib.get_close_matches(given, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{given!r} is not one of the {what} ({', '.join(valid)}){hint}"


class Strict(BaseModel):
    """Base for every schema section: unknown keys are errors, values are immutable, numbers
    are finite (``.inf`` and ``.nan`` are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- network


HOMOPHILY = "homophily (McPherson et al. 2001), docs/model.md 7.1"


class TieKindMix(Strict):
    """Shares of the synthetic network's ties by kind (they must sum to 1)."""

    colleague: float = param(
        0.30, "Ties inside a company (small dense groups).", "share", HOMOPHILY, ge=0
    )
    field_peer: float = param(
        0.45, "Ties to other members of the same field.", "share", HOMOPHILY, ge=0
    )
    offline: float = param(0.15, "Friends and family, any field.", "share", HOMOPHILY, ge=0)
    client: float = param(0.10, "Client ties, any field.", "share", HOMOPHILY, ge=0)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> TieKindMix:
        total = sum(getattr(self, name) for name in type(self).model_fields)
        _check_sum("", "the tie-kind shares", total)
        return self


class FollowRule(Strict):
    """Whom members of a synthetic network follow without being connected (one-directional)."""

    per_member: int = param(
        200,
        "Accounts each member follows (draws; repeats, oneself and one's connections are"
        " dropped, so fewer remain).",
        "accounts",
        "modelling choice, calibrated so that a session has at least 50 candidates"
        " (docs/calibration.md)",
        ge=0,
        label="follows per member",
    )
    within_field: Probability = param(
        0.5,
        "Share of the follows drawn among creators of one's own field (the rest among all).",
        "share",
        "modelling choice (homophily, McPherson et al. 2001)",
        label="share of follows within the field",
    )


class SyntheticNetwork(Strict):
    """A homophilous, clustered, heavy-tailed professional network (see sim.network)."""

    source: Literal["synthetic"] = "synthetic"
    members: int = param(
        15_000, "Number of members.", "members", ge=2, le=50_000_000, label="members"
    )
    mean_degree: float = param(
        400.0,
        "Requested mean number of connections per member; repeated pairs are dropped, so"
        " about 300 remain at the defaults (LinkedIn: mean about 300, median about 190).",
        "connections",
        "smprotips.com (a claimed LinkedIn 2021 US analysis, unverified; low quality)",
        gt=0,
        label="mean degree (requested)",
    )
    degree_sigma: float = param(
        1.25,
        "Spread of the log-normal activity weights that make degrees heavy-tailed"
        " (0 gives near-Poisson degrees).",
        "log units",
        "chosen so that median/mean degree is about 190/300",
        ge=0,
        le=3,
    )
    company_size: float = param(
        300.0,
        "Mean size of a company (the groups colleague ties form in); large enough for the"
        " colleague share of about 300 connections.",
        "members",
        "modelling choice",
        gt=1,
    )
    field_shares: list[Annotated[float, Field(ge=0)]] | None = param(
        None, "Share of members per topic, in the order of `topics`; equal when omitted.", "share"
    )
    kinds: TieKindMix = Field(default_factory=TieKindMix, description="Ties by kind.")
    follows: FollowRule = Field(
        default_factory=FollowRule, description="Accounts members follow (one-directional)."
    )
    rewire: Literal["none", "degrees", "fields"] = param(
        "none",
        "Replace the network by a rewired copy (double edge swaps): degrees keeps every"
        " member's connection count, fields also its connections per field; clustering is"
        " destroyed either way, homophily too with degrees (the control of Centola 2010).",
        "choice",
        "Centola 2010; Maslov & Sneppen 2002",
    )


class FileNetwork(Strict):
    """A real network from an edge list and a node-label file (labels become fields)."""

    source: Literal["file"] = "file"
    edges: Path = param(
        ..., "Edge list: one `u v` pair of integer ids per line (.gz allowed).", "path"
    )
    labels: Path | None = param(
        None,
        "Node labels: `node label` per line, or CDlib communities JSON; labels become fields.",
        "path",
    )
    label_prefix: str = param("", "Text put before every label to make field names.", "text")
    follows: Path | None = param(
        None,
        "Follows: an edge list of `u v` lines, u follows v (one-directional; .gz allowed);"
        " ids as in `edges`. When omitted nobody follows anyone.",
        "path",
    )
    missing_label: str | None = param(
        None, "Field given to nodes without a label; when omitted such nodes are an error.", "text"
    )
    max_fields: int = param(
        50,
        "Keep the largest fields up to this many; members of smaller fields join one field"
        " named `other` (DBLP has 11,382 venue communities; every member keeps a weight per"
        " field, so fields cost memory).",
        "fields",
        ge=2,
    )
    same_field_kind: Literal["colleague", "field_peer"] = param(
        "field_peer", "Kind given to ties between members of one field.", "kind"
    )
    client_share: Probability = param(
        0.4, "Share of cross-field ties that are client ties (the rest are offline).", "share"
    )
    rewire: Literal["none", "degrees", "fields"] = param(
        "none",
        "Replace the network by a rewired copy (double edge swaps): degrees keeps every"
        " member's connection count, fields also its connections per field; clustering is"
        " destroyed either way, homophily too with degrees (the control of Centola 2010).",
        "choice",
        "Centola 2010; Maslov & Sneppen 2002",
    )


# --------------------------------------------------------------------------- members


class ActivityClass(Strict):
    """A class of members who open the feed at the same rate."""

    share: Probability = param(..., "Share of members in this class.", "share")
    sessions_per_day: float = param(..., "Feed sessions a day (Poisson).", "1/day", ge=0)


class PostingClass(Strict):
    """A class of members who post at the same rate (90-9-1 participation)."""

    share: Probability = param(..., "Share of members in this class.", "share")
    posts_per_day: float = param(..., "Posts a day (Poisson).", "1/day", ge=0)


def _default_activity() -> list[ActivityClass]:
    return [
        ActivityClass(share=0.10, sessions_per_day=3.0),
        ActivityClass(share=0.30, sessions_per_day=1 / 7),
        ActivityClass(share=0.35, sessions_per_day=1 / 30),
        ActivityClass(share=0.25, sessions_per_day=1 / 180),
    ]


def _default_posting() -> list[PostingClass]:
    return [
        PostingClass(share=0.01, posts_per_day=0.5),
        PostingClass(share=0.09, posts_per_day=1 / 14),
        PostingClass(share=0.90, posts_per_day=0.0),
    ]


class Members(Strict):
    """Who the members are: interests, how often they read and post."""

    home_interest: Probability = param(
        0.7,
        "Mean true interest in one's own field; the rest is spread over other topics.",
        "share",
        label="interest in one's own field",
    )
    interest_concentration: float = param(
        20.0, "Dirichlet concentration of true interests around that mean.", "-", gt=0
    )
    activity: list[ActivityClass] = Field(
        default_factory=_default_activity,
        description="Session-rate classes (heavy-tailed: few daily users, many weekly,"
        " monthly or dormant ones; Pew 2011: 6% daily; about a quarter active in a quarter).",
    )
    posting: list[PostingClass] = Field(
        default_factory=_default_posting,
        description="Posting-rate classes (90-9-1 rule, nngroup.com; about 1% of LinkedIn"
        " members create content weekly).",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Members:
        for name, classes in (("activity", self.activity), ("posting", self.posting)):
            if not classes:
                raise ValueError(f"{name}: needs at least one class")
            _check_sum(name, "the shares of the classes", sum(c.share for c in classes))
        return self


class Strategy(Strict):
    """How a member handles invitations, messages and posts (the blog post's five tips)."""

    accept: Literal["selective", "everyone"] = param(
        "selective",
        "selective: accept invitations from people one knows, and strangers only after a"
        " question that gets an answer; everyone: accept every invitation.",
        "choice",
        "seed: the author's rule vs the 'link with everyone' trend",
    )
    invitations_per_day: float = param(
        0.0,
        "Invitations arriving a day while the trend lasts (Poisson).",
        "1/day",
        "seed: about 25 a day during the trend",
        ge=0,
    )
    trend_days: float = param(
        30.0, "Days from the start during which invitations arrive.", "days", ge=0
    )
    known_share: Probability = param(
        0.1,
        "Share of invitations from people with a prior relationship (friends of friends in"
        " one's field), who become peer ties.",
        "share",
    )
    answer_rate: Probability = param(
        0.15,
        "selective: chance a stranger answers the question 'why connect?' (then accepted,"
        " and the exchange is a first interaction).",
        "share",
    )
    intro_message: bool = param(
        False,
        "#Duiding: send a short introduction message to each new stranger tie at acceptance.",
        "switch",
        "blog post tip 2; C8",
    )
    messages_per_day: int = param(
        10,
        "Messages the member can write a day (intro messages beyond it are not sent).",
        "messages/day",
        "blog post C9: 1,500 intros a week is impossible",
        ge=0,
    )
    intro_reply_rate: Probability = param(
        0.3,
        "Chance a stranger replies to an intro message (the reply is a first interaction and"
        " places the tie).",
        "share",
    )
    tag_peers: int = param(
        0,
        "#Taggen: tag this many peers (strongest estimated affinity) on each post; they are"
        " notified and see it.",
        "members",
        "blog post tip 4",
        ge=0,
    )
    sends_invitations_per_day: float = param(
        0.0,
        "Invitations the member sends a day while the trend lasts, answering calls to"
        " connect (to strangers, drawn in proportion to their session rate).",
        "1/day",
        ge=0,
    )
    personal_note: bool = param(
        False,
        "#Persoonlijk: write a personal note with each invitation sent (within the daily"
        " message budget), saying where one saw the call and what one uses the network for.",
        "switch",
        "blog post tip 1; C11",
    )
    sent_accept_rate: Probability = param(
        0.26,
        "Chance an invitation sent to a stranger is accepted (a note barely changes it).",
        "share",
        "26.37% blank, 26.42% with a note (Expandi/Belkins 2024, 20 M invitations)",
    )
    note_reply_rate: Probability = param(
        0.094,
        "Chance a stranger who accepted an invitation with a personal note replies (an"
        " exchange that places the tie, C10); without a note `stranger_reply_rate` applies.",
        "share",
        "post-acceptance reply 9.4% with a note vs 5.4% blank (Expandi/Belkins 2024)",
    )


class FocalMember(Strict):
    """A member the study follows closely: its feed, beliefs and connections are recorded
    daily, its ties at the end of the run."""

    name: str = param(..., "Name events use to refer to this member.", "text", pattern=NAME_PATTERN)
    field: str = param(..., "The member's home field (one of `topics`).", "topic")
    degree_quantile: Probability = param(
        0.5, "Picks the member of that field at this quantile of connection counts.", "quantile"
    )
    sessions_per_day: float = param(2.0, "Feed sessions a day.", "1/day", ge=0)
    posts_per_day: float = param(2 / 7, "Posts a day.", "1/day", ge=0)
    strategy: Strategy = Field(default_factory=Strategy, description="Linking strategy.")


# --------------------------------------------------------------------------- the trend

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
    seeding: Literal["random", "hubs", "field"] = param(
        "random",
        "Who they are: random (uniformly among members), hubs (the most connected; ties"
        " to the lower id) or field (uniformly among the members of `field`).",
        "choice",
        CENTOLA,
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
        return self


class Trend(Strict):
    """'Link with everyone' as a population process: who starts, what adopters do, and how
    others adopt by social proof (seed C12; docs/model.md 7.21)."""

    groups: list[StrategyGroup] = Field(
        default_factory=list,
        description="Shares of the members given a strategy at day 0 (shares sum to 1 at most).",
    )
    invitations_per_day: float = param(
        25.0,
        "Invitations an adopter sends a day, to members drawn in proportion to their session"
        " rate (Poisson).",
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


# --------------------------------------------------------------------------- platform


class TestAudience(Strict):
    """A new post first goes to a sample of the author's connections (practitioner-described)."""

    enabled: bool = param(True, "Use the initial test audience.", "switch")
    fraction: Probability = param(
        0.15,
        "Share of the author's connections in the test audience.",
        "share",
        "free; calibrated to the blog post's 4-5% primary reach (C1); practitioners 5-10%",
        label="test audience size",
    )
    window_hours: float = param(
        1.0,
        "How long the test lasts before the post's wider distribution is decided.",
        "hours",
        "practitioners: the 'golden hour'",
        gt=0,
        label="test window",
    )
    target_rate: Probability = param(
        0.04,
        "Engagement per impression at which a post is distributed to all remaining"
        " connections; below it, to a proportional share.",
        "engagements/impression",
        label="expansion target rate",
    )
    prior_impressions: float = param(
        3.0,
        "Weight of the platform's prior engagement rate (pseudo-impressions).",
        "impressions",
        ge=0,
        label="weight of the prior",
    )
    prior_rate: Probability = param(
        0.01,
        "Prior engagement rate used before any impression.",
        "engagements/impression",
        label="prior engagement rate",
    )
    draw: Literal["uniform", "affinity"] = param(
        "uniform",
        "How the test audience is drawn from the author's connections: `uniform`, each with"
        " probability `fraction`; `affinity`, each with probability proportional to the"
        " platform's estimated affinity to the author (plus `affinity_floor`), scaled to the"
        " same expected size and capped at 1.",
        "option",
        "practitioners describe a 'small sample' of one's network (L), nothing on its weighting;"
        " 'sampled proportional to affinity' is a modelling proposal with no published"
        " source; uniform kept (docs/model.md 7.5)",
    )
    affinity_floor: float = param(
        0.1,
        "With `draw: affinity`: weight of a connection = this + its stored estimated affinity"
        " to the author, so ties never interacted with can be drawn.",
        "interactions",
        "modelling choice, as the ranker's platform.scoring.affinity_floor",
        ge=0,
    )
    expansion: Literal["threshold", "growth"] = param(
        "threshold",
        "How far a post spreads after its test window: `threshold`, to a share min(1, r /"
        " target_rate) of the remaining connections; `growth`, its audience times g ="
        " clip((r / prior_rate)^growth_exponent, growth_min, growth_max).",
        "option",
        "practitioners: strong early engagement widens distribution (L), no rule published;"
        " the growth factor is a modelling proposal with no published source; threshold"
        " kept (docs/model.md 7.5)",
    )
    growth_exponent: float = param(
        1.0,
        "With `expansion: growth`: gamma in g = (observed / expected engagement rate)^gamma.",
        "-",
        "practitioner-described (L); modelling choice",
        ge=0,
    )
    growth_min: float = param(
        1.0,
        "With `expansion: growth`: smallest growth factor g (below 1 acts as 1: an audience"
        " never shrinks).",
        "x",
        "practitioner-described (L); modelling choice",
        ge=0,
    )
    growth_max: float = param(
        10.0,
        "With `expansion: growth`: largest growth factor g (at 1 / fraction a post can reach"
        " all its author's connections).",
        "x",
        "practitioner-described (L); modelling choice",
        ge=0,
    )

    @model_validator(mode="after")
    def _growth_range(self) -> TestAudience:
        if self.growth_max < self.growth_min:
            raise ValueError("growth_max must be at least growth_min")
        return self


class Notifications(Strict):
    """Notifications of posts and of engagements that bring members into a session."""

    enabled: bool = param(True, "Send notifications.", "switch")
    post_fraction: Probability = param(
        0.1,
        "Share of a new post's test audience notified of it.",
        "share",
        "modelling choice, calibrated to stylized fact 11",
        label="share notified of a post",
    )
    activity_fraction: Probability = param(
        0.002,
        "Share of the connections shown an engagement ('X commented on this') who are"
        " notified of it.",
        "share",
        "modelling choice, calibrated to stylized fact 11",
        label="share notified of an engagement",
    )
    delay_hours: float = param(
        1.0,
        "Mean delay between a notification and the session it brings (exponential).",
        "hours",
        "modelling choice; most engagement comes in a post's first hours"
        " (about 70% of comments within 3 hours in one experiment, cristianchinabirta.ro 2021)",
        gt=0,
    )


class Inference(Strict):
    """How the platform infers a member's topic weights (kept apart from the truth)."""

    like_step: Probability = param(
        0.02, "Step toward a liked post's topic.", "weight", label="inference step per like"
    )
    comment_step: Probability = param(
        0.04, "Step toward a commented post's topic.", "weight", label="inference step per comment"
    )
    share_step: Probability = param(
        0.06, "Step toward a shared post's topic.", "weight", label="inference step per share"
    )
    connection_term: bool = param(
        True,
        "Move a member's inferred weights toward the field of each new connection (C6).",
        "switch",
        "LinkedIn Help a1339724 lists 'who are your connections' among feed signals",
    )
    connection_step: Probability = param(
        0.01,
        "Step toward a new connection's field.",
        "weight",
        label="inference step per new connection",
    )
    removal_signal: bool = param(
        True,
        "With `connection_term` on, removing a connection moves both ends' inferred weights"
        " back away from the other's field by `connection_step` (the connection step undone).",
        "switch",
        "LinkedIn Help a1339724 lists 'who are your connections' (the current ones) among feed"
        " signals (H); the inverse step is a modelling choice (docs/model.md 7.12)",
    )
    profile_weight: Probability = param(
        0.5,
        "Initial inferred weights: this share on the member's own field, the rest from the"
        " fields of their connections.",
        "share",
        label="weight of one's own field in inferred interests",
    )


class Affinity(Strict):
    """The platform's estimated affinity of a tie: its start value and what adds to it."""

    same_field: float = param(
        0.2,
        "Initial estimated affinity of a tie between members of one field (the platform sees"
        " the field on both profiles).",
        "interactions",
        "not calibrated; Gilbert & Karahalios 2009 list a shared field among tie-strength"
        " predictors",
        ge=0,
    )
    colleague: float = param(
        0.3,
        "Initial estimated affinity added for a colleague tie (a shared employer on the profiles).",
        "interactions",
        "not calibrated; Gilbert & Karahalios 2009 list a shared employer among tie-strength"
        " predictors",
        ge=0,
    )
    placed: float = param(
        1.0,
        "Added to the initial affinity of a tie placed at acceptance (the exchange of messages"
        " counts as that many interactions).",
        "interactions",
        "modelling choice: one exchange is one interaction (docs/model.md 7.11)",
        ge=0,
    )
    per_interaction: float = param(
        1.0,
        "Added to the decayed count for each engagement with the author's posts"
        " (a <- a 2^(-dt/h) + this).",
        "interactions",
        "EdgeRank (Facebook F8 2010): affinity as a decayed count of interactions",
        ge=0,
    )


class Scoring(Strict):
    """Constants of the score presets (sim.ranking): the platform's predicted actions."""

    freshness_days: float = param(
        0.5,
        "Time constant tau of the freshness decay exp(-age / tau).",
        "days",
        "EdgeRank (Facebook F8 2010): time decay of 6-24 hours; calibrated to stylized fact 11",
        gt=0,
    )
    affinity_floor: float = param(
        0.1,
        "Affinity the ranker assumes for authors the viewer has never interacted with.",
        "interactions",
        "modelling choice, not calibrated (no published value)",
        ge=0,
    )
    recommended_factor: float = param(
        0.75,
        "Out-of-network scores are multiplied by this.",
        "x",
        "X's out-of-network weight factor (twitter/the-algorithm, 2025 code)",
        ge=0,
    )
    like_weight: float = param(
        1.0,
        "linkedin preset: weight of the predicted like in the score.",
        "x",
        "LiRank 2024 (a linear combination of action predictions; weights unpublished):"
        " the unit of the other weights",
    )
    comment_weight: float = param(
        4.0,
        "linkedin preset: weight of the predicted comment.",
        "x",
        "a comment weighs about 4 likes (practitioner reports, van der Blom 2021)",
    )
    share_weight: float = param(
        4.0,
        "linkedin preset: weight of the predicted share.",
        "x",
        "practitioner reports (L): a share is worth 4-8 likes",
    )
    like_base: Probability = param(
        0.028,
        "Platform's base rate of the like head (also used by the twitter-2023 preset).",
        "1/impression",
        "equal to the default behaviour.like_rate",
    )
    comment_base: Probability = param(
        0.007,
        "Platform's base rate of the comment head.",
        "1/impression",
        "equal to the default behaviour.comment_rate",
    )
    share_base: Probability = param(
        0.0025,
        "Platform's base rate of the share head.",
        "1/impression",
        "equal to the default behaviour.share_rate",
    )
    like_proof_slope: float = param(
        1.0,
        "Social-proof slope of the like head: prediction times (1 + slope ln(1 + k)).",
        "-",
        "modelling choice, not calibrated (no published value)",
        ge=0,
    )
    comment_proof_slope: float = param(
        1.0,
        "Social-proof slope of the comment head.",
        "-",
        "modelling choice, not calibrated (no published value)",
        ge=0,
    )
    share_proof_slope: float = param(
        2.0,
        "Social-proof slope of the share head (shares follow others' activity more).",
        "-",
        "modelling choice, not calibrated (no published value)",
        ge=0,
    )


TWITTER_README = "twitter/the-algorithm-ml on GitHub, heavy-ranker README of 5 April 2023"


class Twitter2023(Strict):
    """twitter-2023 preset: the heavy ranker's published weights and feedsim's extra rates."""

    like: float = param(0.5, "Weight of the like head.", "x", TWITTER_README)
    retweet: float = param(1.0, "Weight of the retweet head (feedsim: share).", "x", TWITTER_README)
    reply: float = param(13.5, "Weight of the reply head (feedsim: comment).", "x", TWITTER_README)
    good_profile_click: float = param(
        12.0, "Weight of the good-profile-click head.", "x", TWITTER_README
    )
    reply_engaged_by_author: float = param(
        75.0, "Weight of the reply-engaged-by-author head.", "x", TWITTER_README
    )
    negative_feedback: float = param(
        -74.0, "Weight of the negative-feedback head.", "x", TWITTER_README
    )
    report: float = param(-369.0, "Weight of the report head.", "x", TWITTER_README)
    good_profile_click_rate: Probability = param(
        0.005,
        "Base rate of a good profile click (a head feedsim's members do not act out).",
        "1/impression",
        "modelling choice, not calibrated (no published value)",
    )
    negative_feedback_rate: Probability = param(
        0.002,
        "Base rate of negative feedback, times (1 - belief).",
        "1/impression",
        "modelling choice, not calibrated (no published value)",
    )
    report_rate: Probability = param(
        1e-4,
        "Base rate of a report, times (1 - belief).",
        "1/impression",
        "modelling choice, not calibrated (no published value)",
    )


Ranker = Literal["linkedin", "edgerank", "twitter-2023", "chronological", "random"]
RANKERS: tuple[str, ...] = get_args(Ranker)
"""The ranker presets (``platform.ranker``), implemented in :mod:`sim.ranking`."""

RANKER_DESCRIPTIONS: dict[Ranker, str] = {
    "linkedin": "LinkedIn-like: weighted predicted actions x freshness",
    "edgerank": "Facebook's EdgeRank: affinity x edge weight x time decay",
    "twitter-2023": "Twitter's 2023 heavy ranker, with its published weights",
    "chronological": "newest first (a control)",
    "random": "a uniform random order (a control)",
}
"""Every ranker preset in `RANKERS` with what it does in one line (for `feedsim run --help`)."""


class Platform(Strict):
    """The feed algorithm: candidates, test audience, scoring and learning."""

    ranker: Ranker = param(
        "linkedin", "Scoring preset (see sim.ranking).", "preset", label="ranker preset"
    )
    feed_size: int = param(
        30,
        "Most items one session reads (K): the cap of the reading depth"
        " (behaviour.session_depth_items).",
        "items",
        ge=1,
        le=100,
    )
    max_age_days: float = param(
        3.0,
        "Posts older than this are no longer candidates (a proposed first-pass window of"
        " 48-72 h for in-network candidates; no published LinkedIn value).",
        "days",
        FREE,
        gt=0,
        label="candidate age limit",
    )
    out_of_network_per_session: float = param(
        30.0,
        "Mean number of out-of-network recommendations drawn among a session's candidates"
        " (Poisson); the ranker decides how many are shown (LinkedIn: more than 80% of the"
        " feed is organic from the network).",
        "items",
        "LinkedIn retrieves 2,000 OON candidates per request (arXiv 2510.14223; H); tens per"
        " session here, calibrated to stylized fact 3",
        ge=0,
        label="out-of-network candidates per session",
    )
    affinity_half_life_days: float = param(
        30.0,
        "Half-life of the interaction counts behind estimated affinity.",
        "days",
        gt=0,
        label="affinity half-life",
    )
    test_audience: TestAudience = Field(default_factory=TestAudience)
    notifications: Notifications = Field(default_factory=Notifications)
    inference: Inference = Field(default_factory=Inference)
    affinity: Affinity = Field(default_factory=Affinity)
    scoring: Scoring = Field(default_factory=Scoring)
    twitter_2023: Twitter2023 = Field(default_factory=Twitter2023)


# --------------------------------------------------------------------------- behaviour


class TieMultipliers(Strict):
    """Engagement multiplier by the viewer's relationship to the author.

    Assumed ranges relative to a stranger = 1 (colleague 4-6, peer 2-3, offline 3-5, client
    2-4), after the tie-strength dimensions of Gilbert & Karahalios 2009 and the stronger
    individual influence of strong ties (Bakshy et al. 2012); feedsim keeps those for peers
    and calibrates the stranger value below 1 so that most stranger ties stay silent (C4, C8;
    docs/calibration.md).
    """

    colleague: float = param(
        5.0,
        "Colleagues.",
        "x",
        "assumed 4-6, after Gilbert & Karahalios 2009",
        ge=0,
        label="colleagues' engagement",
    )
    field_peer: float = param(
        3.0,
        "Peers in one's field.",
        "x",
        "assumed 2-3, after Gilbert & Karahalios 2009",
        ge=0,
        label="field peers' engagement",
    )
    offline: float = param(
        4.0, "Friends and family.", "x", "assumed 3-5, after Gilbert & Karahalios 2009", ge=0
    )
    client: float = param(
        3.0, "Clients.", "x", "assumed 2-4, after Gilbert & Karahalios 2009", ge=0
    )
    stranger: float = param(
        0.3,
        "Connections accepted without a prior relationship (C4).",
        "x",
        FREE,
        ge=0,
        label="strangers' engagement",
    )
    second_degree: float = param(
        0.3,
        "Viewers not connected to the author (seen through a connection).",
        "x",
        ge=0,
        label="second-degree viewers' engagement",
    )
    out_of_network: float = param(
        0.3,
        "Recommended posts by people you don't know.",
        "x",
        ge=0,
        label="out-of-network viewers' engagement",
    )
    follow: float = param(
        1.0,
        "Posts of accounts one follows without a connection.",
        "x",
        "modelling choice: as a stranger = 1; one chose to follow",
        ge=0,
    )
    placed_stranger: float = param(
        1.0,
        "Strangers one has exchanged messages with (an answered question or a replied intro"
        " message): they can now place each other (C8, C10).",
        "x",
        FREE,
        ge=0,
        label="placed strangers' engagement",
    )


class Behaviour(Strict):
    """Members' true engagement (what they actually do; the platform only sees its effects)."""

    like_rate: Probability = param(
        0.028,
        "Base chance to like an item at the top of the feed.",
        "1/impression",
        "personal profiles: 2-5% engagement per impression (Socialinsider 2026)",
        label="like rate",
    )
    comment_rate: Probability = param(0.007, "Base chance to comment.", "1/impression", FREE)
    share_rate: Probability = param(0.0025, "Base chance to share.", "1/impression", FREE)
    session_depth_items: float = param(
        10.0,
        "Reading depth lambda: a session reads item i (0 = top) with probability"
        " exp(-i / lambda), stopping at the first item it does not read (capped by"
        " platform.feed_size).",
        "items",
        "position attention a(i) = exp(-i / lambda), lambda 5-15 items (Hodas and Lerman 2012"
        " on visibility decaying with feed position; the range is a modelling proposal)",
        ge=1,
        label="reading depth",
    )
    attention_decay_items: float = param(
        6.0,
        "Attention at position i is exp(-i / this).",
        "items",
        "Hodas & Lerman 2012 (attention decays over about 5-15 feed positions)",
        gt=0,
        label="attention decay",
    )
    social_proof: float = param(
        0.5,
        "Engagement rises by this times log(1 + k), k the activity notifications of the post"
        " the viewer received (connections who engaged).",
        "-",
        ge=0,
        label="social proof slope",
    )
    ties: TieMultipliers = Field(default_factory=TieMultipliers)
    strength_a: float = param(
        2.0,
        "True strength of every tie is Beta(a, b): this is a.",
        "-",
        "modelling choice: Beta(2, 2), mean 0.5, strength a continuum within kinds"
        " (Gilbert & Karahalios 2009)",
        gt=0,
    )
    strength_b: float = param(
        2.0,
        "True strength of every tie is Beta(a, b): this is b.",
        "-",
        "modelling choice: Beta(2, 2), mean 0.5 (Gilbert & Karahalios 2009)",
        gt=0,
    )
    unconnected_strength: Probability = param(
        0.5,
        "True strength taken for a viewer with no tie to the author (second degree, out of"
        " network).",
        "-",
        "the mean of Beta(2, 2), so such viewers weigh as an average tie (docs/model.md 7.10)",
    )
    stranger_reply_rate: Probability = param(
        0.054,
        "Chance that a stranger tie accepted without any message still exchanges messages"
        " later (the inviter's follow-up gets an answer).",
        "share",
        "post-acceptance reply 5.4% for blank invitations (Expandi/Belkins 2024)",
        label="strangers' later reply rate",
    )
    stranger_reply_days: float = param(
        7.0,
        "Mean delay of that exchange after acceptance (exponential).",
        "days",
        gt=0,
        label="delay of strangers' replies",
    )
    tag_boost: float = param(
        2.0,
        "Engagement multiplier for a post one is tagged in (a notification names them).",
        "x",
        "blog post tip 4 (#Taggen)",
        ge=0,
    )
    activity_fanout_like: Probability = param(
        0.2,
        "Share of a liker's connections the like is shown to.",
        "share",
        label="share shown a like",
    )
    activity_fanout_comment: Probability = param(
        0.5,
        "Share of a commenter's connections the comment is shown to.",
        "share",
        label="share shown a comment",
    )
    activity_fanout_share: Probability = param(
        1.0, "Share of a sharer's connections the share is shown to.", "share"
    )


# --------------------------------------------------------------------------- events


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


# --------------------------------------------------------------------------- scenario


class Variant(BaseModel):
    """An arm of the study: a name, a description, and the fields it changes."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = param(..., "Variant name.", "text", pattern=NAME_PATTERN)
    description: str = param("", "What this arm changes, in words.", "text")


class Scenario(Strict):
    """One study: the world, the platform, the events, and the arms to compare."""

    name: str = param(..., "Study name; results go to <out>/<name>/.", "text", pattern=NAME_PATTERN)
    description: str = param("", "What the study asks.", "text")
    topics: list[str] | None = param(
        None,
        "The fields (industries) and post topics; no name is special to the code. Required for"
        " a synthetic network; a file network takes its fields from its labels.",
        "names",
    )
    focus_topic: str | None = param(
        None,
        "Topic whose share of the focal feed the report tracks; defaults to the field of the"
        " first accept_invitations event.",
        "topic",
    )
    duration_days: int = param(90, "Length of a run.", "days", ge=1, le=3650)
    slice_hours: float = param(
        1.0,
        "Length of the time slice in which sessions are processed together (shorter is exacter"
        " and slower).",
        "hours",
        gt=0,
        le=24,
    )
    max_sessions_per_slice: int = param(
        3,
        "Sessions of one member in one slice beyond this many are dropped (rare at 1-hour"
        " slices); a member's sessions in a slice are served together.",
        "sessions",
        "time-slice approximation (docs/model.md 11.1)",
        ge=1,
    )
    replications: int = param(10, "Independent runs per variant.", "runs", ge=1)
    seed: int = param(2018, "Base seed; replication r gets its own seed from it.", "-", ge=0)
    network: SyntheticNetwork | FileNetwork = Field(
        default_factory=SyntheticNetwork, discriminator="source"
    )
    members: Members = Field(default_factory=Members)
    focal: list[FocalMember] = Field(default_factory=list)
    platform: Platform = Field(default_factory=Platform)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    trend: Trend | None = Field(
        None, description="The trend as a population process (omitted: no trend)."
    )
    events: list[Event] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _synthetic_by_default(cls, data: Any) -> Any:
        """A network section without `source` is a synthetic network."""
        if isinstance(data, dict) and isinstance(data.get("network"), dict):
            data = {**data, "network": {"source": "synthetic", **data["network"]}}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        synthetic = isinstance(self.network, SyntheticNetwork)
        if synthetic and (self.topics is None or len(self.topics) < 2):
            raise ValueError("topics: a synthetic network needs at least two topics")
        topics = self.topics or []
        if len(set(topics)) != len(topics):
            raise ValueError("topics: names must be unique")
        for topic in topics:
            if not re.match(NAME_PATTERN, topic):
                raise ValueError(f"topics: {topic!r} must be lower-case letters, digits, - or _")
        if isinstance(self.network, SyntheticNetwork) and self.network.field_shares is not None:
            if len(self.network.field_shares) != len(topics):
                raise ValueError(f"network.field_shares: needs one share per topic ({len(topics)})")
            _check_sum("network.field_shares", "the shares", sum(self.network.field_shares))
        names = [f.name for f in self.focal]
        if len(set(names)) != len(names):
            raise ValueError("focal: names must be unique")
        known = set(topics) if isinstance(self.network, SyntheticNetwork) else None
        for i, member in enumerate(self.focal):
            if known is not None and member.field not in known:
                raise ValueError(f"focal[{i}].field: {_unknown('topics', member.field, topics)}")
        for i, event in enumerate(self.events):
            if event.day > self.duration_days:
                raise ValueError(
                    f"events[{i}].day: day {event.day:g} is beyond the run's duration"
                    f" ({self.duration_days} days)"
                )
            if event.member not in names:
                raise ValueError(
                    f"events[{i}].member: {_unknown('focal members', event.member, names)}"
                )
            if (
                isinstance(event, AcceptInvitations)
                and known is not None
                and event.field not in known
            ):
                raise ValueError(f"events[{i}].field: {_unknown('topics', event.field, topics)}")
        for i, group in enumerate(self.trend.groups if self.trend else []):
            if known is not None and group.field is not None and group.field not in known:
                raise ValueError(
                    f"trend.groups[{i}].field: {_unknown('topics', group.field, topics)}"
                )
        if self.focus_topic is not None and known is not None and self.focus_topic not in known:
            raise ValueError(f"focus_topic: {_unknown('topics', self.focus_topic, topics)}")
        per_day = 24 / self.slice_hours
        if abs(per_day - round(per_day)) > 1e-9:
            raise ValueError(
                f"slice_hours: {self.slice_hours:g} must divide a day into whole slices"
                " (e.g. 0.25, 0.5, 1, 2, 3, 6, 24)"
            )
        variant_names = [v.name for v in self.variants]
        if len(set(variant_names)) != len(variant_names):
            raise ValueError("variants: names must be unique")
        return self

    def resolved_focus_topic(self) -> str | None:
        """The topic the report follows: `focus_topic`, else the first burst's field."""
        if self.focus_topic is not None:
            return self.focus_topic
        return next((e.field for e in self.events if isinstance(e, AcceptInvitations)), None)


@dataclass(frozen=True)
class Arm:
    """A resolved variant: its name, description and complete scenario."""

    name: str
    description: str
    scenario: Scenario


@dataclass(frozen=True)
class Study:
    """A scenario file, resolved: the base scenario and its arms (at least one)."""

    path: Path
    base: Scenario
    arms: tuple[Arm, ...]

    def focus_topic(self) -> str | None:
        """The topic the report follows: `focus_topic`, else the first burst's field in any arm."""
        for scenario in (self.base, *(arm.scenario for arm in self.arms)):
            topic = scenario.resolved_focus_topic()
            if topic is not None:
                return topic
        return None

    def resolved(self) -> dict[str, Any]:
        """The scenario as resolved, for the manifest: the base and every arm in full."""
        return {
            "file": str(self.path),
            "base": self.base.model_dump(mode="json", exclude={"variants"}),
            "variants": [
                {
                    "name": arm.name,
                    "description": arm.description,
                    "scenario": arm.scenario.model_dump(mode="json", exclude={"variants"}),
                }
                for arm in self.arms
            ],
        }


STUDY_LEVEL = ("name", "seed", "replications", "duration_days", "variants")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else in `override` replaces the base value."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The schema sections an annotation holds (through lists, unions and ``Annotated``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (Annotated, list, Union, types.UnionType):
        return [m for arg in get_args(annotation) for m in _models_in(arg)]
    return []


def _section_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The schema section a pydantic error location points into (None if it is no section).

    Union members are told apart by the tag pydantic puts in the location (the value of
    their discriminator, e.g. ``synthetic`` or ``prune``).
    """
    candidates: list[type[BaseModel]] = [Scenario]
    for item in loc:
        if isinstance(item, int):
            continue
        if len(candidates) > 1:
            tagged = [
                m
                for m in candidates
                if any(
                    get_origin(f.annotation) is Literal and item in get_args(f.annotation)
                    for f in m.model_fields.values()
                )
            ]
            if tagged:
                candidates = tagged[:1]
                continue
        info = candidates[0].model_fields.get(str(item))
        if info is None:
            return None
        candidates = _models_in(info.annotation)
        if not candidates:
            return None
    return candidates[0] if len(candidates) == 1 else None


def _choices(expected: str) -> list[str]:
    """The quoted choices of a pydantic literal or tag error: ``'a', 'b' or 'c'``."""
    return re.findall(r"'([^']*)'", expected)


def _closest(given: Any, valid: list[str]) -> str:
    """``; did you mean 'x'?`` for the valid name closest to `given`, or ``""``."""
    close = difflib.get_close_matches(str(given), valid, n=1) if isinstance(given, str) else []
    return f"; did you mean {close[0]!r}?" if close else ""


def _describe(error: ValidationError, path: Path, prefix: str = "") -> InputError:
    """The first pydantic error as one InputError naming the field path."""
    first = error.errors()[0]
    parts: list[str] = []
    for item in first["loc"]:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in ("synthetic", "file", "accept_invitations", "prune"):
            continue  # discriminator tags pydantic adds to the path
        else:
            name = str(item) if re.fullmatch(r"[\w-]+", str(item)) else repr(item)
            parts.append(("." if parts else "") + name)
    local = "".join(parts)
    message = str(first["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
        head, sep, rest = message.partition(": ")
        if sep and re.match(r"^[\w.\[\]-]+$", head):
            local = f"{local}.{head}" if local else head
            message = rest
    field = prefix + local
    if first["type"] == "string_pattern_mismatch" and first["ctx"]["pattern"] == NAME_PATTERN:
        message = "must be lower-case letters, digits, - or _ (starting with a letter or digit)"
    if first["type"] == "extra_forbidden":
        section = _section_at(tuple(first["loc"][:-1]))
        key = first["loc"][-1]
        if section is None:
            message = "unknown key (not part of the scenario schema; see `feedsim params`)"
        else:
            valid = list(section.model_fields)
            message = f"unknown key (valid keys here: {', '.join(valid)}){_closest(key, valid)}"
    elif first["type"] == "literal_error":
        valid = _choices(str(first["ctx"]["expected"]))
        message = f"{message} (got {first['input']!r}){_closest(first['input'], valid)}"
    elif first["type"] == "union_tag_invalid":
        key = str(first["ctx"]["discriminator"]).strip("'")
        field = f"{field}.{key}" if field else key
        valid = _choices(str(first["ctx"]["expected_tags"]))
        tag = first["ctx"]["tag"]
        message = f"{tag!r} is not one of {', '.join(valid)}{_closest(tag, valid)}"
    elif first["type"] == "union_tag_not_found":
        message = f"missing key {first['ctx']['discriminator']} (see `feedsim schema`)"
    elif "input" in first and first["type"] not in ("missing",) and field:
        given = first["input"]
        if not isinstance(given, dict | list):
            message = f"{message} (got {given!r})"
        elif first["type"].endswith("_type"):
            message = f"{message} (got a {'list' if isinstance(given, list) else 'mapping'})"
    return InputError(path, field or prefix.rstrip(".") or "(top level)", message)


def _resolve_paths(raw: dict[str, Any], folder: Path) -> None:
    """Make file paths of the network section relative to the scenario's folder."""
    network = raw.get("network")
    if isinstance(network, dict):
        for key in ("edges", "labels", "follows"):
            value = network.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                network[key] = str((folder / value).resolve())


def _check_files(scenario: Scenario, path: Path, prefix: str) -> None:
    if isinstance(scenario.network, FileNetwork):
        for key in ("edges", "labels", "follows"):
            file = getattr(scenario.network, key)
            if file is not None and not Path(file).is_file():
                raise InputError(path, f"{prefix}network.{key}", f"file not found: {file}")


class DuplicateKeyError(yaml.YAMLError):
    """A key that appears more than once in one mapping of a YAML document.

    Attributes:
        field: the dotted path of the key (``network.members``).
        marks: where each occurrence starts.
    """

    def __init__(self, field: str, marks: list[yaml.Mark]) -> None:
        super().__init__(f"duplicate key {field}")
        self.field = field
        self.marks = marks

    def where(self) -> str:
        """``lines 3 and 9``; ``line 5, columns 12 and 27`` when they share a line."""
        lines = [m.line + 1 for m in self.marks]
        if len(set(lines)) == len(lines):
            return f"lines {_and(lines)}"
        if len(set(lines)) == 1:
            return f"line {lines[0]}, columns {_and([m.column + 1 for m in self.marks])}"
        return _and([f"line {m.line + 1} column {m.column + 1}" for m in self.marks])


def _and(items: list[Any]) -> str:
    """``3 and 7``, ``3, 5 and 7``."""
    texts = [str(item) for item in items]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def _key_paths(node: yaml.Node, path: str, paths: dict[int, str]) -> None:
    """Record the field path of every mapping node under `node` (by node id)."""
    if isinstance(node, yaml.MappingNode):
        paths[id(node)] = path
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            _key_paths(value, f"{path}.{name}" if path else name, paths)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _key_paths(item, f"{path}[{i}]", paths)


class UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key repeated in one mapping (at any depth).

    PyYAML keeps the last value of a repeated key silently; in a scenario file that hides
    a mistake (two ``duration_days:`` lines), so it is an error naming both lines. Merge
    keys (``<<``) may still be overridden by the mapping's own keys.
    """

    _paths: dict[int, str]

    def construct_document(self, node: yaml.Node) -> Any:
        self._paths = {}
        _key_paths(node, "", self._paths)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        marks: dict[Any, list[yaml.Mark]] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                marks.setdefault(key, []).append(key_node.start_mark)
            except TypeError:  # an unhashable key: the base constructor says so
                continue
        for key, where in marks.items():
            if len(where) > 1:
                parent = self._paths.get(id(node), "")
                raise DuplicateKeyError(f"{parent}.{key}" if parent else str(key), where)
        return super().construct_mapping(node, deep)


def read_yaml(path: Path) -> dict[str, Any]:
    """Parse a scenario file into a mapping, with clear errors for unreadable or bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, "", f"cannot read the file ({exc})") from None
    try:
        raw = yaml.load(text, Loader=UniqueKeyLoader)  # a SafeLoader
    except DuplicateKeyError as exc:
        raise InputError(
            path,
            exc.field,
            f"duplicate key on {exc.where()} (a key may appear once; which value is meant?)",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, where, f"malformed YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise InputError(path, "", "a scenario file must be a YAML mapping of fields")
    return raw


def load_study(path: str | Path, overrides: dict[str, Any] | None = None) -> Study:
    """Read, merge and validate a scenario file into a :class:`Study`.

    Args:
        path: the YAML file.
        overrides: values that replace the file's (e.g. ``{"replications": 3}`` from options).

    Raises:
        InputError: naming the file, the field path and the problem.
    """
    path = Path(path)
    return study_from_mapping(read_yaml(path), path, overrides)


def study_from_mapping(
    raw: dict[str, Any], path: Path, overrides: dict[str, Any] | None = None
) -> Study:
    """Merge and validate the mapping read from the scenario file `path` into a :class:`Study`.

    Args:
        raw: the file's mapping (as :func:`read_yaml` returns it, perhaps edited).
        path: the file (relative network paths are taken from its folder; errors name it).
        overrides: values that replace the mapping's (deep merge).

    Raises:
        InputError: naming the file, the field path and the problem.
    """
    if overrides:  # the file must be valid by itself, whatever the options replace
        try:
            Scenario.model_validate(raw)
        except ValidationError as exc:
            raise _describe(exc, path) from None
    raw = _deep_merge(raw, overrides or {})
    _resolve_paths(raw, path.resolve().parent)
    try:
        base = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _describe(exc, path) from None
    _check_files(base, path, "")
    base_raw = {k: v for k, v in raw.items() if k != "variants"}
    arms: list[Arm] = []
    for i, variant in enumerate(base.variants):
        prefix = f"variants[{i}]."
        changes = dict(variant.model_extra or {})
        for key in STUDY_LEVEL:
            if key in changes:
                raise InputError(path, prefix + key, "is shared by all variants; set it at the top")
        merged = _deep_merge(base_raw, changes)
        _resolve_paths(merged, path.resolve().parent)
        try:
            scenario = Scenario.model_validate(merged)
        except ValidationError as exc:
            raise _describe(exc, path, prefix) from None
        _check_files(scenario, path, prefix)
        arms.append(Arm(variant.name, variant.description, scenario))
    if not arms:
        arms.append(Arm("base", base.description, base))
    return Study(path=path, base=base, arms=tuple(arms))


def under_ranker(study: Study, ranker: str) -> Study:
    """The study replayed with every arm under the ranker preset ``ranker``, renamed.

    The copy is named ``<name>-<ranker>`` (its results folder too), so that a replay never
    replaces the results of the scenario as written; everything else is unchanged, so the
    replay runs on the same seeds (common random numbers with the original).

    Raises:
        InputError: naming ``--ranker``, when a variant sets ``platform.ranker`` itself (the
            replay would not change that arm).
    """
    for i, variant in enumerate(study.base.variants):
        platform = (variant.model_extra or {}).get("platform")
        if isinstance(platform, dict) and "ranker" in platform:
            raise InputError(
                "--ranker",
                ranker,
                f"variants[{i}] ({variant.name}) sets platform.ranker itself, so a replay"
                " under one preset would not change that arm",
            )

    def replayed(scenario: Scenario) -> Scenario:
        platform = scenario.platform.model_copy(update={"ranker": ranker})
        name = f"{scenario.name}-{ranker}"
        return scenario.model_copy(update={"platform": platform, "name": name})

    arms = tuple(Arm(a.name, a.description, replayed(a.scenario)) for a in study.arms)
    return Study(path=study.path, base=replayed(study.base), arms=arms)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (with units and sources of every field)."""
    return Scenario.model_json_schema()
