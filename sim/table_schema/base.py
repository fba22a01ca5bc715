"""The vocabularies every table shares and the building blocks of a table's declaration:
a column's name, type, unit and meaning."""

from __future__ import annotations

from dataclasses import dataclass

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

ADOPTION_COUNTS = (
    "adopters",
    "new_adopters",
    "dropped",
    "invitations_refused",
    "ties_refused_at_cap",
)
"""What the trend's adoption record counts after each day: adopters, adopters of that day,
adopters who dropped the strategy that day, and (over the run so far) the adopters'
invitations refused by the weekly limit and their ties refused at the connection cap."""

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
    "first_pass_cut",
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

GROUP_MEANING = {
    "peer": "connected to the author by a peer tie (colleague, field peer, offline, client)",
    "stranger": "connected to the author by a stranger tie",
    "follow": "not connected to the author who follow the author (in-network, as LinkedIn"
    " counts it)",
    "second_degree": "not connected to the author who saw it through a connection's activity",
    "out_of_network": "not connected to the author to whom it was recommended",
}
