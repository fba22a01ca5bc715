"""The tables a scenario's `measure` section asks for (the exposure funnel, member-days,
audiences by arm, the members) and the trend's exposure check: the records of the validation
studies (docs/validation.md)."""

from __future__ import annotations

from sim.table_schema.base import (
    ENGAGEMENTS,
    FEED_DAY,
    SNAPSHOT_DAY,
    Column,
    Table,
)

ARM = Column(
    "arm", "string", "", "the viewer's randomised arm (`platform.arms`; `main_arm` for the rest)"
)
AUDIENCE_WINDOW = (
    "posts created in the audience window `[measure.window_from_day, measure.window_to_day)`"
)

FUNNEL = Table(
    "funnel",
    "Every member's exposure funnel by the post's creation day, the viewer's arm, relation to"
    " the author and own field (dense); empty unless `measure.funnel`.",
    (
        Column(
            "day",
            "integer",
            "day",
            "creation day of the posts, 0 … D − 1 (⌊creation time⌋)",
        ),
        ARM,
        Column(
            "relation",
            "string",
            "",
            "the viewer's relation to the author when the post was created: `peer` or"
            " `stranger` (connected by such a tie), `follow` (following, not connected), else"
            " `second_degree` or `out_of_network` by the route of the pair's first candidacy"
            " (a recommendation: `out_of_network`)",
        ),
        Column("own_field", "boolean", "", "the post's topic is the viewer's home field"),
        Column(
            "created",
            "integer",
            "pairs",
            "viewer-post pairs of the potential: posts created that day by the viewer's"
            " connections or followed accounts; for `second_degree` and `out_of_network`, the"
            " posts by members the viewer is neither connected to nor following (the same"
            " pairs in both rows)",
        ),
        Column(
            "candidates",
            "integer",
            "pairs",
            "of those, the pairs that were a candidate in at least one session of the viewer",
        ),
        Column("impressions", "integer", "pairs", "of those, the pairs shown (a post once)"),
        Column(
            "engagements",
            "integer",
            "pairs",
            "of those, the pairs the viewer liked, commented on or shared",
        ),
    ),
)

MEMBER_DAYS = Table(
    "member_days",
    "Every member's sessions, candidates and impressions summed by feed day and arm (dense);"
    " empty unless `measure.funnel`.",
    (
        FEED_DAY,
        ARM,
        Column("members", "integer", "members", "members of the arm"),
        Column(
            "active_members",
            "integer",
            "members",
            "members of the arm with at least one session that day",
        ),
        Column("sessions", "integer", "sessions", "feed sessions the arm's members opened"),
        Column(
            "candidates",
            "integer",
            "items",
            "sum over the arm's members of the distinct posts that were a candidate in at"
            " least one of the member's sessions that day",
        ),
        Column("impressions", "integer", "items", "items shown to the arm's members"),
        ENGAGEMENTS,
        Column("likes", "integer", "engagements", "of those, likes"),
        Column("comments", "integer", "engagements", "of those, comments"),
        Column("shares", "integer", "engagements", "of those, shares"),
        Column(
            "first_pass_cut",
            "integer",
            "items",
            "candidates the first pass removed before ranking (`platform.first_pass`), summed"
            " over the arm's members' ranked lists that day (a member's sessions in one slice"
            " share one list); 0 without a first pass",
        ),
    ),
)

AUTHOR_REACH = Table(
    "author_reach",
    "The audience of every author of posts created in the audience window, by viewer arm"
    " (one row per author and arm); empty unless `measure.audience`.",
    (
        Column("author", "integer", "member", "the author's member id"),
        ARM,
        Column("posts", "integer", "posts", f"the author's {AUDIENCE_WINDOW}"),
        Column(
            "impressions",
            "integer",
            "items",
            "impressions of those posts among the arm's members until the run's end",
        ),
        Column(
            "viewers",
            "integer",
            "members",
            "distinct members of the arm who saw at least one of those posts",
        ),
        Column(
            "connected_viewers",
            "integer",
            "members",
            "of those, the author's connections at the run's end",
        ),
        Column("connections", "integer", "members", "the author's connections at the run's end"),
        Column("arm_connections", "integer", "members", "of those, members of the arm"),
    ),
)

POST_ARMS = Table(
    "post_arms",
    "The impressions of every post created in the audience window by viewer arm (dense over"
    " arms); empty unless `measure.audience`.",
    (
        Column("post", "integer", "", "the post's id (`post_id` of the `posts` table)"),
        ARM,
        Column(
            "impressions",
            "integer",
            "items",
            "impressions among the arm's members (= viewers: a post is shown once per member)",
        ),
    ),
)

GROUP_REACH = Table(
    "group_reach",
    "The set-level reach of author groups fixed at day 0, by viewer arm (dense); empty unless"
    " `measure.audience`.",
    (
        Column(
            "group",
            "string",
            "",
            "`top_1pct` (the 1% of posting members with the largest audience, connections plus"
            " followers not connected, at day 0), `p40_p60` (audience between its 40th and"
            " 60th percentiles) or `field:<topic>` (posting members of that field)",
        ),
        ARM,
        Column("authors", "integer", "members", "members in the group (all arms)"),
        Column("posts", "integer", "posts", f"the group's {AUDIENCE_WINDOW}"),
        Column(
            "impressions",
            "integer",
            "items",
            "impressions of those posts among the arm's members until the run's end",
        ),
        Column(
            "viewers",
            "integer",
            "members",
            "distinct members of the arm who saw at least one of those posts",
        ),
        Column("arm_members", "integer", "members", "members of the arm"),
    ),
)

MEMBERS = Table(
    "members",
    "One row per member: field, arm, rates, audience at the start and the end; empty unless"
    " `measure.members`.",
    (
        Column("member", "integer", "member", "the member's id"),
        Column("field", "string", "", "the member's home field"),
        Column("arm", "string", "", "the member's randomised arm (`main_arm` when in no other)"),
        Column("connections_start", "integer", "members", "connections at day 0"),
        Column(
            "followers_start",
            "integer",
            "members",
            "members following it at day 0 who are not connected to it",
        ),
        Column("connections_end", "integer", "members", "connections at the run's end"),
        Column(
            "followers_end",
            "integer",
            "members",
            "members following it at the run's end who are not connected to it",
        ),
        Column("post_rate", "float", "posts/day", "the member's posting rate"),
        Column("session_rate", "float", "sessions/day", "the member's feed session rate"),
        Column(
            "adopted_day",
            "float",
            "day",
            'day the member adopted "link with everyone" (0: seeded; NaN: never, or no trend)',
        ),
    ),
)

EXPOSURE_DAYS = 2.0
"""The exposure check's window: a connection counts as exposed when it had an impression of
a call of the adopter at most this many days after the adoption (docs/validation.md 3.2)."""

EXPOSURE = Table(
    "exposure",
    "The exposure check of the trend's contagion, one row per snapshot day on which members"
    " may adopt (day 0: the seeds); empty without a trend.",
    (
        SNAPSHOT_DAY,
        Column(
            "pairs",
            "integer",
            "pairs",
            "(adopter, connection) pairs of the members who adopted during the day, with their"
            " connections at the adoption",
        ),
        Column(
            "exposed",
            "integer",
            "pairs",
            "of those, the pairs in which the connection had an impression of a call of the"
            " adopter at most 2 days after the adoption (by the end of the run)",
        ),
    ),
)
