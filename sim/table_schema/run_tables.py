"""The tables every run writes: posts, the focal members' feed, beliefs, ties, connections
and feed volume, and the trend's and the feed composition's records."""

from __future__ import annotations

from sim.table_schema.base import (
    ENGAGEMENT_WINDOWS_HOURS,
    ENGAGEMENTS,
    FEED_DAY,
    FOCAL,
    GROUP_MEANING,
    GROUPS,
    IMPRESSIONS,
    SNAPSHOT_DAY,
    SOURCE_GROUP,
    Column,
    Table,
)

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
            for group, meaning, last in ((g, GROUP_MEANING[g], g == GROUPS[-1]) for g in GROUPS)
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
            "the focal member sent an intro message when accepting (a received invitation or"
            " one of a scripted burst)",
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
            "within_two_hops",
            "boolean",
            "",
            "the two had at least one connection in common when the tie was made (it closed a"
            " triangle); false for the ties of the initial network",
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
        Column(
            "invitations_refused_total",
            "integer",
            "invitations",
            "invitations the member would have sent past its weekly limit"
            " (`platform.limits.weekly_invitations`) over the whole run, refused; repeated on"
            " every row",
        ),
        Column(
            "notes_withheld_total",
            "integer",
            "notes",
            "personal notes a free account could not write over the whole run (past"
            " `platform.limits.free_notes_per_month`; the invitation went without one); repeated"
            " on every row",
        ),
        Column(
            "ties_refused_at_cap_total",
            "integer",
            "ties",
            "ties of the member refused over the whole run because it or the partner had"
            " `platform.limits.connection_cap` connections; repeated on every row",
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
        Column(
            "invitations_refused",
            "integer",
            "invitations",
            "adopters' invitations refused during the day because their sender had reached"
            " its weekly limit (`platform.limits.weekly_invitations`; 0 at day 0)",
        ),
        Column(
            "ties_refused_at_cap",
            "integer",
            "ties",
            "ties from adopters' accepted invitations refused during the day because an end"
            " had `platform.limits.connection_cap` connections (0 at day 0)",
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
