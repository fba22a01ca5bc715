"""The members section (who reads and posts how often), linking strategies and focal members."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.base import NAME_PATTERN, Probability, Strict, check_sum, param


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
            check_sum(name, "the shares of the classes", sum(c.share for c in classes))
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
        "#Duiding: send a short introduction message to each new stranger tie at acceptance"
        " (with accept: everyone, and to the contacts of one's accept_invitations events"
        " unless an event sets its own intro_message).",
        "switch",
        "blog post tip 2; C8",
    )
    messages_per_day: int = param(
        10,
        "Messages the member can write a day to new contacts: questions and intro messages,"
        " to received invitations and a burst's contacts together (beyond it none is sent);"
        " personal notes on sent invitations have a budget of this size of their own.",
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
    account: Literal["free", "premium"] = param(
        "free",
        "The member's LinkedIn account: `free` gives a personal note to at most"
        " `platform.limits.free_notes_per_month` invitations a month (the rest go without"
        " one); `premium` is unlimited.",
        "option",
        "LinkedIn Help, 'Invitation limit reached'",
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
    degree_quantile: Probability | None = param(
        0.5,
        "Picks the member of that field at this quantile of connection counts (not with `degree`).",
        "quantile",
    )
    degree: int | None = param(
        None,
        "Picks the member of that field whose connection count is nearest this (the lowest"
        " id among equally near); instead of `degree_quantile`.",
        "connections",
        ge=0,
    )
    sessions_per_day: float = param(2.0, "Feed sessions a day.", "1/day", ge=0)
    posts_per_day: float = param(2 / 7, "Posts a day.", "1/day", ge=0)
    strategy: Strategy = Field(default_factory=Strategy, description="Linking strategy.")

    @model_validator(mode="after")
    def _one_way_to_pick(self) -> FocalMember:
        quantile_given = "degree_quantile" in self.model_fields_set
        if self.degree is not None and quantile_given and self.degree_quantile is not None:
            raise ValueError(
                "degree: set degree or degree_quantile, not both (a variant that sets degree"
                " on a member picked by quantile also sets degree_quantile: null)"
            )
        if self.degree is None and self.degree_quantile is None:
            raise ValueError("degree_quantile: set degree or degree_quantile (default 0.5)")
        return self
