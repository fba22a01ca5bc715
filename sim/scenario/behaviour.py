"""The behaviour section: members' true engagement, by position, social proof and tie."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.base import FREE, Probability, Strict, param


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
