"""The tables a run writes, declared once: every column's type, unit and meaning, and the
shared vocabularies (tie kinds, sources, source groups, what each record counts).

The ground floor of feedsim: it imports nothing from the package, so the model, the
observers that record a run, the tables they build and the analysis that reads saved
tables all share one declaration. docs/tables.md lists the same columns (a test compares
them), and the tables a run writes have exactly these columns, in this order (a test runs a
study and compares).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

HOURS_PER_DAY = 24
"""Unit conversion: times are in days, some inputs and column names in hours."""

TIE_KINDS = ("colleague", "field_peer", "offline", "client", "stranger")
"""Kinds of connection: the four peer kinds, then stranger (MODEL.md 2)."""

SOURCES = (*TIE_KINDS, "follow", "second_degree", "out_of_network")
"""The viewer's relationship to a post's author: a tie kind, or not connected (an account the
viewer follows: follow, in-network as LinkedIn counts it; seen through a connection's
activity: second degree; recommended: out of network)."""

GROUPS = ("peer", "stranger", "follow", "second_degree", "out_of_network")
"""Source groups of the posts counters and population records: the four peer kinds
together, strangers, followers who are not connections, second degree, out of network."""

TOPIC_RELATIONS = ("own_field", "other_field")
"""Whether an item's topic is the viewer's own field (home topic) or another."""

ENGAGEMENT_WINDOWS_HOURS = (3, HOURS_PER_DAY)
"""Post ages (hours) within which engagements are also counted (``engagements_within_3h``,
``engagements_within_24h``): a definition of the posts table, not a model parameter."""

POST_COUNTERS = (
    "impressions",
    "primary_viewers",
    *(f"viewers_{g}" for g in GROUPS),
    "viewers_tag",
    "likes",
    "comments",
    "shares",
    *(f"engagements_{g}" for g in GROUPS),
    "engagements_tag",
    *(f"engagements_within_{h}h" for h in ENGAGEMENT_WINDOWS_HOURS),
)
"""Per-post counters. Viewers and engagements by group add up to the totals; the ``tag``
columns count, in addition, those who came through a tag notification."""

VOLUME_COUNTS = ("sessions", "candidates", "items_read", "impressions")
"""What the focal feed volume counts per member and day: feed sessions; candidates summed
over the sessions, each session counting the candidates it was ranked from (a member's
sessions of one slice share one list); items read; impressions. Every item read is one
impression."""

ADOPTION_COUNTS = ("adopters", "new_adopters", "dropped")
"""What the trend's adoption record counts after each day: adopters, adopters of that day,
adopters who dropped the strategy that day."""

VIEWER_GROUPS = ("non_adopter", "adopter")
"""The viewer's trend status at an impression (the ``population`` table)."""

FEED_COUNTS = ("impressions", "engagements")
"""What the population records count per cell: items shown, and of them those engaged with."""

FUNNEL_STAGES = ("created", "candidates", "impressions", "engagements")
"""The stages of the exposure funnel, each a count of viewer-post pairs: the potential, those
that were candidates, shown, engaged with (the ``funnel`` table)."""

MEMBER_DAY_COUNTS = (
    "active_members",
    "sessions",
    "candidates",
    "impressions",
    "engagements",
    "likes",
    "comments",
    "shares",
)
"""What the ``member_days`` table counts per feed day and arm."""

AUTHOR_GROUPS = ("top_1pct", "p40_p60")
"""Author groups by audience size at day 0 (the ``group_reach`` table), before the groups by
field (``field:<topic>``)."""

CONNECTION_COUNTS = ("connections", "reached")
"""What the focal connections record counts per kind: ties, and of them those whose partner
ever saw one of the member's posts."""


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, type (``string``, ``integer``, ``float`` or
    ``boolean``), unit ("" for none) and meaning, as docs/tables.md lists it."""

    name: str
    type: str
    unit: str
    meaning: str


@dataclass(frozen=True)
class Table:
    """One table: its name, what a row is, and its columns after the identifiers."""

    name: str
    about: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every column name, the identifiers first, in the order they are written."""
        return tuple(c.name for c in (*IDENTIFIERS, *self.columns))


IDENTIFIERS = (
    Column("scenario", "string", "", "the scenario's `name`"),
    Column("variant", "string", "", "the variant (arm) of the study"),
    Column("replication", "integer", "", "replication number, from 0"),
    Column("seed", "integer", "", "the replication's seed (shared by the variants)"),
)
"""The columns every row of every table starts with: one run is one replication of one
variant."""

FOCAL = (
    Column("member_id", "integer", "member", "the focal member's id in this replication"),
    Column("member", "string", "", "the focal member's scenario name"),
)
"""The columns that name the focal member a row is about."""

FEED_DAY = Column(
    "day", "integer", "day", "feed day, 0 … D − 1: the day of the session (⌊session time⌋)"
)
SNAPSHOT_DAY = Column(
    "day", "integer", "day", "snapshot day, 0 … D: day 0 is the start, day d the end of day d − 1"
)
SOURCE_GROUP = Column(
    "source_group",
    "string",
    "",
    "who the author is to the viewer: `peer`, `stranger`, `follow`, `second_degree` or"
    " `out_of_network`",
)
IMPRESSIONS = Column("impressions", "integer", "items", "items shown")
ENGAGEMENTS = Column(
    "engagements",
    "integer",
    "engagements",
    "of those, the ones the viewer liked, commented on or shared",
)

_GROUP_MEANING = {
    "peer": "connected to the author by a peer tie (colleague, field peer, offline, client)",
    "stranger": "connected to the author by a stranger tie",
    "follow": "not connected to the author who follow the author (in-network, as LinkedIn"
    " counts it)",
    "second_degree": "not connected to the author who saw it through a connection's activity",
    "out_of_network": "not connected to the author to whom it was recommended",
}

POSTS = Table(
    "posts",
    "One row per post, by every member (not only the focal ones).",
    (
        Column(
            "post_id",
            "integer",
            "",
            "the post's number within the run, from 0 in order of creation",
        ),
        Column(
            "author_id",
            "integer",
            "member",
            "the author's member id (changes between replications for the focal member)",
        ),
        Column("focal", "boolean", "", "whether the author is a focal member"),
        Column(
            "focal_member",
            "string",
            "",
            "the focal author's scenario name; empty for every other author",
        ),
        Column("topic", "string", "", "the post's topic (one of the scenario's `topics`)"),
        Column(
            "created_day", "float", "days", "simulated time of posting (day 12.5 = noon of day 12)"
        ),
        Column(
            "author_connections",
            "integer",
            "connections",
            "the author's connections when the post was created",
        ),
        Column(
            "author_adopted",
            "boolean",
            "",
            'the author followed the "link with everyone" trend when posting (the post is a'
            " call to connect, docs/model.md 7.21); always false without a `trend` section",
        ),
        Column(
            "impressions",
            "integer",
            "viewers",
            "times the post was shown in a feed; the feed never shows a post twice to one"
            " member, so this is also the number of viewers (the *reach*)",
        ),
        Column("unique_viewers", "integer", "viewers", "equal to `impressions`"),
        Column(
            "primary_viewers",
            "integer",
            "viewers",
            "viewers whose candidate came by the network route (the test audience, or all"
            " connections when the test audience is off), before any engagement-driven"
            " spread; *primary reach* is `primary_viewers / author_connections`",
        ),
        *(
            Column(
                f"viewers_{group}",
                "integer",
                "viewers",
                f"viewers {meaning}"
                + ("; the five `viewers_*` groups add up to `impressions`" if last else ""),
            )
            for group, meaning, last in ((g, _GROUP_MEANING[g], g == GROUPS[-1]) for g in GROUPS)
        ),
        Column(
            "viewers_tag",
            "integer",
            "viewers",
            "viewers who came through a tag notification, counted in addition to their group",
        ),
        Column("likes", "integer", "actions", "likes"),
        Column("comments", "integer", "actions", "comments"),
        Column(
            "shares", "integer", "actions", "shares; *engagements* are likes + comments + shares"
        ),
        Column("engagements_peer", "integer", "actions", "engagements by peer viewers"),
        Column("engagements_stranger", "integer", "actions", "engagements by stranger viewers"),
        Column(
            "engagements_follow",
            "integer",
            "actions",
            "engagements by followers who are not connected to the author",
        ),
        Column(
            "engagements_second_degree",
            "integer",
            "actions",
            "engagements by second-degree viewers",
        ),
        Column(
            "engagements_out_of_network",
            "integer",
            "actions",
            "engagements by out-of-network viewers; the five groups add up to likes + comments"
            " + shares",
        ),
        Column(
            "engagements_tag",
            "integer",
            "actions",
            "engagements by viewers who came through a tag, counted in addition",
        ),
        *(
            Column(
                f"engagements_within_{h}h",
                "integer",
                "actions",
                f"engagements by viewers whose session came within {h} hours of posting",
            )
            for h in ENGAGEMENT_WINDOWS_HOURS
        ),
    ),
)

FEED = Table(
    "feed",
    "What each focal member was shown: impressions by day, topic and source (sparse: a row"
    " only where there is at least one impression).",
    (
        *FOCAL,
        FEED_DAY,
        Column("topic", "string", "", "the topic of the posts shown"),
        Column(
            "source",
            "string",
            "",
            "the member's relationship to the author: a tie kind (`colleague`, `field_peer`,"
            " `offline`, `client`, `stranger`), `follow` (not connected, follows the author),"
            " `second_degree` (not connected, seen through a connection's activity) or"
            " `out_of_network` (recommended)",
        ),
        Column(
            "impressions",
            "integer",
            "items",
            "items of that topic from that source shown to the member that day (always ≥ 1)",
        ),
    ),
)

BELIEFS = Table(
    "beliefs",
    "What the platform believes each focal member cares about, against the truth, at each"
    " daily snapshot.",
    (
        *FOCAL,
        SNAPSHOT_DAY,
        Column("topic", "string", "", "a topic; every topic has a row every day"),
        Column(
            "inferred_weight",
            "float",
            "weight (0–1)",
            "the platform's inferred weight of the topic for the member (the member's weights"
            " sum to 1)",
        ),
        Column(
            "true_weight",
            "float",
            "weight (0–1)",
            "the member's true interest in the topic (sums to 1; constant over the run)",
        ),
    ),
)

TIES = Table(
    "ties",
    "The focal members' ties: every tie at the end of the run and every tie pruned during it,"
    " one row per tie.",
    (
        *FOCAL,
        Column("partner_id", "integer", "member", "the other member of the tie"),
        Column(
            "kind",
            "string",
            "",
            "the tie's kind: `colleague`, `field_peer`, `offline`, `client` or `stranger`",
        ),
        Column(
            "created_day",
            "float",
            "days",
            "when the tie was made; 0 for the ties of the initial network (and those accepted"
            " at time 0)",
        ),
        Column(
            "intro_message",
            "boolean",
            "",
            "the focal member sent an intro message when accepting",
        ),
        Column(
            "placed",
            "boolean",
            "",
            "the tie was **placed**: the two exchanged messages when it was made (an answered"
            " intro message or personal note), so the platform starts with a higher affinity"
            " for it and it counts as heard from at once",
        ),
        Column(
            "personal_note", "boolean", "", "the focal member's invitation carried a personal note"
        ),
        Column(
            "first_interaction_day",
            "float",
            "days",
            "when the two first interacted (a message exchange, or an engagement of either"
            " with a post of the other); NaN when never within the run, or not before the tie"
            " was pruned",
        ),
        Column(
            "saw_member_post",
            "boolean",
            "",
            "the partner saw at least one of the member's posts",
        ),
        Column(
            "removed_day",
            "float",
            "days",
            "when the tie was pruned; NaN for a tie still there at the end",
        ),
        Column(
            "removal_minutes",
            "float",
            "minutes",
            "the time the member spent removing it (0 for a tie still there)",
        ),
    ),
)

CONNECTIONS = Table(
    "connections",
    "Each focal member's connections by kind, at each daily snapshot.",
    (
        *FOCAL,
        SNAPSHOT_DAY,
        Column("kind", "string", "", "the tie kind; every kind has a row every day"),
        Column(
            "connections",
            "integer",
            "connections",
            "the member's connections of that kind at the snapshot",
        ),
        Column(
            "connections_reached",
            "integer",
            "connections",
            "of those, how many partners had seen at least one of the member's posts by then"
            " (the ties with `saw_member_post`)",
        ),
        Column(
            "messages_sent_total",
            "integer",
            "messages",
            "messages the member wrote over the whole run (questions, intro messages,"
            " personal notes), repeated on every row",
        ),
    ),
)

VOLUME = Table(
    "volume",
    "How much each focal member's feed held, day by day (dense: every member and day).",
    (
        *FOCAL,
        FEED_DAY,
        Column(
            "sessions",
            "integer",
            "sessions",
            "feed sessions the member opened that day (scheduled and brought by"
            " notifications; at most `max_sessions_per_slice` per slice)",
        ),
        Column(
            "candidates",
            "integer",
            "candidate items",
            "sum over the day's sessions of the candidates each session was ranked from (pool"
            " rows, followed accounts' posts, recommendations); a member's sessions of one"
            " slice share one ranked list, and each of them counts it",
        ),
        Column(
            "items_read",
            "integer",
            "items",
            "items the day's sessions read, summed (each session reads to its depth, and no"
            " further than the candidates left)",
        ),
        Column(
            "impressions",
            "integer",
            "items",
            "items shown to the member that day: the sum of the `feed` table's `impressions`"
            " over topics and sources",
        ),
    ),
)

ADOPTION = Table(
    "adoption",
    "The trend's spread through the population, one row per daily snapshot; empty without a trend.",
    (
        SNAPSHOT_DAY,
        Column(
            "adopters",
            "integer",
            "members",
            'members following "link with everyone" at the snapshot',
        ),
        Column(
            "new_adopters",
            "integer",
            "members",
            "members who adopted it during the day (at day 0: the seeded adopters)",
        ),
        Column(
            "dropped",
            "integer",
            "members",
            "adopters who dropped it during the day (`trend.drop_after_days`)",
        ),
        Column("members", "integer", "members", "members of the network"),
        Column("adopter_share", "float", "share", "`adopters / members`"),
        Column(
            "feed_similarity",
            "float",
            "cosine",
            "mean pairwise cosine similarity of the topic mixes of the feeds of every member"
            " with at least one impression during the day (1: everyone saw the same topic mix;"
            " NaN at day 0)",
        ),
    ),
)

POPULATION = Table(
    "population",
    "Every member's feed by day, the viewer's trend status and source group (dense); empty"
    " without a trend.",
    (
        FEED_DAY,
        Column(
            "viewer",
            "string",
            "",
            "`adopter` or `non_adopter`: the viewer's status at the impression",
        ),
        SOURCE_GROUP,
        IMPRESSIONS,
        ENGAGEMENTS,
    ),
)

COMPOSITION = Table(
    "composition",
    "Every member's feed by day, source group and whether the topic is the viewer's own field"
    " (dense), with or without a trend.",
    (
        FEED_DAY,
        SOURCE_GROUP,
        Column(
            "topic_field",
            "string",
            "",
            "`own_field` when the item's topic is the viewer's home field, `other_field` otherwise",
        ),
        IMPRESSIONS,
        ENGAGEMENTS,
    ),
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

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        POSTS,
        FEED,
        BELIEFS,
        TIES,
        CONNECTIONS,
        VOLUME,
        ADOPTION,
        POPULATION,
        COMPOSITION,
        FUNNEL,
        MEMBER_DAYS,
        AUTHOR_REACH,
        POST_ARMS,
        GROUP_REACH,
        MEMBERS,
        EXPOSURE,
    )
}
"""Every table a run writes, by name, in the order results folders list them."""


def table_topics(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The topics the tables name, for a folder whose manifest lists none (a file network).

    The beliefs table holds every topic for each focal member and day, in the network's
    order; without beliefs, the feed's topics in order of appearance.
    """
    for name in ("beliefs", "feed"):
        table = tables.get(name)
        if table is not None and not table.empty:
            return [str(t) for t in table["topic"].unique()]
    return []
