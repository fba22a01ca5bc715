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
from typing import TYPE_CHECKING

from sim.table_schema.base import (
    ADOPTION_COUNTS,
    AUTHOR_GROUPS,
    CONNECTION_COUNTS,
    ENGAGEMENT_WINDOWS_HOURS,
    ENGAGEMENTS,
    FEED_COUNTS,
    FEED_DAY,
    FOCAL,
    FUNNEL_STAGES,
    GROUP_MEANING,
    GROUPS,
    HOURS_PER_DAY,
    IDENTIFIERS,
    IMPRESSIONS,
    MEMBER_DAY_COUNTS,
    POST_COUNTERS,
    SNAPSHOT_DAY,
    SOURCE_GROUP,
    SOURCES,
    TIE_KINDS,
    TOPIC_RELATIONS,
    VIEWER_GROUPS,
    VOLUME_COUNTS,
    Column,
    Table,
)
from sim.table_schema.measure_tables import (
    ARM,
    AUDIENCE_WINDOW,
    AUTHOR_REACH,
    EXPOSURE,
    EXPOSURE_DAYS,
    FUNNEL,
    GROUP_REACH,
    MEMBER_DAYS,
    MEMBERS,
    POST_ARMS,
)
from sim.table_schema.run_tables import (
    ADOPTION,
    BELIEFS,
    COMPOSITION,
    CONNECTIONS,
    FEED,
    POPULATION,
    POSTS,
    TIES,
    VOLUME,
)

if TYPE_CHECKING:
    import pandas as pd

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


__all__ = [
    "ADOPTION",
    "ADOPTION_COUNTS",
    "ARM",
    "AUDIENCE_WINDOW",
    "AUTHOR_GROUPS",
    "AUTHOR_REACH",
    "BELIEFS",
    "COMPOSITION",
    "CONNECTIONS",
    "CONNECTION_COUNTS",
    "ENGAGEMENTS",
    "ENGAGEMENT_WINDOWS_HOURS",
    "EXPOSURE",
    "EXPOSURE_DAYS",
    "FEED",
    "FEED_COUNTS",
    "FEED_DAY",
    "FOCAL",
    "FUNNEL",
    "FUNNEL_STAGES",
    "GROUPS",
    "GROUP_MEANING",
    "GROUP_REACH",
    "HOURS_PER_DAY",
    "IDENTIFIERS",
    "IMPRESSIONS",
    "MEMBERS",
    "MEMBER_DAYS",
    "MEMBER_DAY_COUNTS",
    "POPULATION",
    "POSTS",
    "POST_ARMS",
    "POST_COUNTERS",
    "SNAPSHOT_DAY",
    "SOURCES",
    "SOURCE_GROUP",
    "TABLES",
    "TIES",
    "TIE_KINDS",
    "TOPIC_RELATIONS",
    "VIEWER_GROUPS",
    "VOLUME",
    "VOLUME_COUNTS",
    "Column",
    "Table",
    "table_topics",
]
