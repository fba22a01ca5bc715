"""The platform section: the feed algorithm's candidates, test audience, scoring and learning."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field, model_validator

from sim.scenario.base import FREE, NAME_PATTERN, SUM_TOLERANCE, Probability, Strict, param
from sim.scenario.invitations import Invitations
from sim.scenario.limits import Limits


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
    connection_rule: Literal["compounding", "share"] = param(
        "share",
        "How connections enter the inferred weights (with `connection_term` on): `compounding`,"
        " each new tie moves both ends toward the other's field by `connection_step`"
        " (compounded per tie); `share`, the connection term is the field mix of one's current"
        " connections (counts / degree), blended with the profile by `profile_weight` and with"
        " the engagement-learned weights by `engagement_weight`.",
        "option",
        "LinkedIn Help a1339724 lists 'who are your connections' (the current ones) among feed"
        " signals (H); Twitter's SimClusters takes interests as follow graph x community"
        " membership, a share of one's ties (Satuluri et al. 2020); the formula LinkedIn uses is"
        " unpublished; `share` is the default, as community-membership embeddings are shares,"
        " and `compounding`, the earlier rule, a named alternative (docs/model.md 7.12)",
    )
    connection_step: Probability = param(
        0.01,
        "Step toward a new connection's field (`connection_rule: compounding` only).",
        "weight",
        label="inference step per new connection",
    )
    removal_signal: bool = param(
        True,
        "With `connection_term` on and `connection_rule: compounding`, removing a connection"
        " moves both ends' inferred weights back away from the other's field by"
        " `connection_step` (the connection step undone). `share` always counts the current"
        " connections, so it needs this on.",
        "switch",
        "LinkedIn Help a1339724 lists 'who are your connections' (the current ones) among feed"
        " signals (H); the inverse step is a modelling choice (docs/model.md 7.12)",
    )
    profile_weight: Probability = param(
        0.5,
        "Initial inferred weights (both rules), and under `connection_rule: share` the mix"
        " blended with engagements: this share on the member's own field, the rest from the"
        " fields of their connections.",
        "share",
        label="weight of one's own field in inferred interests",
    )
    engagement_weight: Probability = param(
        0.5,
        "With `connection_rule: share`: the share of the inferred weights learned from"
        " engagements; the rest is the profile and connection mix"
        " (theta = (1 - this) [profile mix] + this g).",
        "share",
        "modelling choice, range 0.2-0.8: LinkedIn lists identity, network and activity among"
        " the feed's signals (Help a1339724) without their weights (docs/model.md 7.12)",
        label="weight of engagements in inferred interests",
    )

    @model_validator(mode="after")
    def _share_counts_removals(self) -> Inference:
        if self.connection_rule == "share" and not self.removal_signal:
            raise ValueError(
                "removal_signal: false contradicts connection_rule: share, which always counts"
                " the current connections"
            )
        return self


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


class FirstPass(Strict):
    """A cheap first pass that cuts each served member's candidates to a bounded number
    before the ranker scores them (LinkedIn's two-pass feed: first-pass rankers return a
    preliminary selection that a second-pass ranker scores; LinkedIn Engineering 2019)."""

    size: int = param(
        100,
        "Candidates the first pass keeps per session (N): a member with c sessions in a"
        " slice keeps its c x N best by the cheap score 2^(-age / half_life_days) x"
        " (scoring.affinity_floor + decayed estimated affinity), tag notifications first;"
        " 0: no first pass, the ranker scores every candidate.",
        "items",
        "modelling choice: LinkedIn's first-pass rankers pick from tens of thousands of"
        " updates (LinkedIn Engineering 2019, H) and retrieve 2,000 out-of-network candidates"
        " per request (arXiv 2510.14223, H); no published size for feedsim's pools of tens"
        " of candidates; range 50-200, default 100, the middle of it (docs/model.md 7.23)",
        ge=0,
        label="first-pass candidates per session",
    )
    half_life_days: float = param(
        0.5,
        "Half-life h of the recency term 2^(-age / h) of the first pass's cheap score.",
        "days",
        "modelling choice within EdgeRank's time decay of 6-24 hours (Facebook F8 2010)",
        gt=0,
        label="first-pass recency half-life",
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
    "linkedin": "LinkedIn-like: the predicted chances of a like, a comment and a share"
    " (from the estimated affinity to the author, the inferred interest in the topic and"
    " the connections who engaged), weighted and summed, times freshness",
    "edgerank": "Facebook's EdgeRank: estimated affinity to the author x (1 + connections"
    " who engaged) x freshness; topics play no part",
    "twitter-2023": "Twitter's 2023 heavy ranker: the same predictions plus profile clicks,"
    " author replies and negative feedback, summed with Twitter's published weights, times"
    " freshness",
    "chronological": "newest first, nothing else counts (a control)",
    "random": "a uniform random order (a control)",
}
"""Every ranker preset in `RANKERS` with what it does, in words (for `feedsim run --help` and
`feedsim params`)."""


class ArmCandidates(Strict):
    """The candidate routes of an arm's members (all on by default: the platform's own)."""

    recommended: bool = param(
        True,
        "Out-of-network recommendations reach the arm's members (false: none are drawn for them).",
        "switch",
    )
    activity: Literal["all", "shares"] = param(
        "all",
        "Which engagements of their connections bring a post to the arm's members: `all`"
        " (likes, comments and shares, the platform's activity rows) or `shares` (only"
        " shares, the analogue of a retweet on a chronological timeline).",
        "option",
    )
    test_audience: Literal["gated", "bypass"] = param(
        "gated",
        "How connections' posts reach the arm's members: `gated`, through the test audience"
        " and its expansion like everyone; `bypass`, every post of a connection is a candidate"
        " at once, with no test or expansion decision (a feed free of the platform's"
        " engagement-based distribution).",
        "option",
    )


class Arm(Strict):
    """A random share of members served by another ranker or other candidate routes, in the
    same world as everyone else (the design of Huszar et al. 2022: a holdout on a
    reverse-chronological feed; Guess et al. 2023)."""

    name: str = param(
        ..., "The arm's name in every table (`arm` column).", "name", pattern=NAME_PATTERN
    )
    share: Probability = param(
        ..., "Share of members assigned to the arm at random before the run.", "share", gt=0
    )
    ranker: Ranker | None = param(
        None,
        "Ranker preset of the arm's members (empty: the platform's `ranker`).",
        "preset",
    )
    candidates: ArmCandidates = Field(
        default_factory=ArmCandidates, description="The arm's candidate routes."
    )


class Platform(Strict):
    """The feed algorithm: candidates, test audience, scoring and learning."""

    ranker: Ranker = param(
        "linkedin",
        "How the ranker orders a session's candidates (freshness is exp(-age /"
        " scoring.freshness_days)): "
        + "; ".join(f"`{name}` is {words}" for name, words in RANKER_DESCRIPTIONS.items())
        + ".",
        "preset",
        label="ranker preset",
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
    followers: Literal["audience", "pull"] = param(
        "audience",
        "How an account's followers get its posts: `audience`, as its connections do (the"
        " author's network is its connections and its followers: the test audience, the"
        " expansion after it and the post notifications draw from both); `pull`, every post"
        " of a followed account is a candidate of all its followers' sessions at once, while"
        " connections wait for the test audience and its expansion.",
        "option",
        "LinkedIn: a connection is also a follower, and FollowFeed serves the posts of both as"
        " the member's network (LinkedIn Engineering 2019, FollowFeed); no"
        " source separates their distribution, so `audience` is the default and `pull`, the"
        " earlier rule, a named alternative (docs/model.md 7.18)",
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
    first_pass: FirstPass = Field(default_factory=FirstPass)
    twitter_2023: Twitter2023 = Field(default_factory=Twitter2023)
    invitations: Invitations = Field(default_factory=Invitations)
    limits: Limits = Field(
        default_factory=Limits,
        description="LinkedIn's limits on connections, invitations and notes.",
    )
    arms: list[Arm] = Field(
        default_factory=list,
        description="Randomised arms: shares of members served by another ranker preset or"
        " other candidate routes in the same world; the members in no arm form the arm"
        " `main_arm`, served by the platform's settings.",
    )
    main_arm: str = param(
        "main",
        "Name of the arm of the members assigned to no arm in `arms`.",
        "name",
        pattern=NAME_PATTERN,
    )
    arm_strata: Literal["none", "field"] = param(
        "none",
        "How arms are drawn: `none`, one draw over all members; `field`, the same share of"
        " every field (stratified by field).",
        "option",
    )

    @model_validator(mode="after")
    def _arms(self) -> Platform:
        names = [arm.name for arm in self.arms]
        for name in [*names, self.main_arm]:
            if [*names, self.main_arm].count(name) > 1:
                raise ValueError(f"arms: the arm name {name!r} is used twice")
        total = sum(arm.share for arm in self.arms)
        if total > 1.0 - SUM_TOLERANCE and self.arms:
            raise ValueError(
                f"arms: the shares sum to {total:.6g}, leaving the arm {self.main_arm!r}"
                " empty; they must sum to less than 1"
            )
        return self

    @property
    def arm_names(self) -> tuple[str, ...]:
        """Names of the arms: `main_arm` first (index 0), then `arms` in order."""
        return (self.main_arm, *(arm.name for arm in self.arms))

    @property
    def arm_rankers(self) -> tuple[str, ...]:
        """Ranker preset of each arm, in the order of `arm_names` (the platform's `ranker`
        where an arm names none)."""
        return (self.ranker, *(arm.ranker or self.ranker for arm in self.arms))
