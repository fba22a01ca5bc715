"""Records of a run -> tidy tables (pure; pandas only).

Every row carries the study's identifiers: scenario, variant, replication and seed. Rows
about a focal member carry its ``member_id`` (which changes between replications) and its
scenario name, ``member``. docs/tables.md describes every column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.network import TIE_KINDS
from sim.records import ADOPTION_COUNTS, POST_COUNTERS, VIEWER_GROUPS, VOLUME_COUNTS, RunRecords
from sim.sources import GROUPS, SOURCES

TABLES = ("posts", "feed", "beliefs", "ties", "connections", "volume", "adoption", "population")


def _with_ids(
    frame: pd.DataFrame, scenario: str, variant: str, replication: int, seed: int
) -> pd.DataFrame:
    ids = pd.DataFrame(
        {
            "scenario": pd.Series([scenario] * len(frame), dtype="string"),
            "variant": pd.Series([variant] * len(frame), dtype="string"),
            "replication": np.full(len(frame), replication, np.int64),
            "seed": np.full(len(frame), seed, np.int64),
        }
    )
    return pd.concat([ids, frame.reset_index(drop=True)], axis=1)


def _names(records: RunRecords, names: Sequence[str], ids: NDArray[Any]) -> pd.Series:
    """The scenario name of each focal member id in ``ids`` ("" for any other member)."""
    lookup = dict(zip(records.focal_ids.tolist(), names, strict=False))
    return pd.Series([lookup.get(int(i), "") for i in ids], dtype="string")


def posts_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """One row per post: author, topic, time, reach and engagement counters.

    ``unique_viewers`` equals ``impressions`` because the feed never shows a post twice to
    one member; ``primary_viewers`` counts viewers reached through the network route
    (the test audience, or all connections when the test audience is off) before any
    engagement-driven spread.
    """
    p = records.posts
    topics = np.asarray(records.topics)
    frame = pd.DataFrame(
        {
            "post_id": np.arange(p["author"].size, dtype=np.int64),
            "author_id": p["author"].astype(np.int64),
            "focal": np.isin(p["author"], records.focal_ids),
            "focal_member": _names(records, names, p["author"]),
            "topic": pd.Series(topics[p["topic"]], dtype="string"),
            "created_day": p["created"].astype(np.float64),
            "author_connections": p["author_connections"].astype(np.int64),
            "author_adopted": p["call"].astype(bool),
        }
    )
    for name in POST_COUNTERS:
        frame[name] = p[name].astype(np.int64)
        if name == "impressions":
            frame["unique_viewers"] = frame["impressions"]
    return frame


def feed_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """Impressions of each focal member by day, topic and source (rows with impressions > 0)."""
    focal, day, topic, source = np.nonzero(records.feed)
    return pd.DataFrame(
        {
            "member_id": records.focal_ids[focal],
            "member": _names(records, names, records.focal_ids[focal]),
            "day": day.astype(np.int64),
            "topic": pd.Series(np.asarray(records.topics)[topic], dtype="string"),
            "source": pd.Series(np.asarray(SOURCES)[source], dtype="string"),
            "impressions": records.feed[focal, day, topic, source],
        }
    )


def _cells(shape: tuple[int, ...]) -> list[NDArray[np.int64]]:
    """The index of every cell of an array of `shape`, one flat array per axis (C order)."""
    grids = np.meshgrid(*(np.arange(size) for size in shape), indexing="ij")
    return [grid.ravel().astype(np.int64) for grid in grids]


def beliefs_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """Inferred against true topic weights of each focal member after each day (day 0: start)."""
    focal, day, topic = _cells(records.inferred.shape)
    return pd.DataFrame(
        {
            "member_id": records.focal_ids[focal],
            "member": _names(records, names, records.focal_ids[focal]),
            "day": day.astype(np.int64),
            "topic": pd.Series(np.asarray(records.topics)[topic], dtype="string"),
            "inferred_weight": records.inferred[focal, day, topic],
            "true_weight": records.true_interest[focal, topic],
        }
    )


def ties_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """The focal members' ties: those at the end of the run and those pruned during it.

    ``first_interaction_day`` is NaN when the two never interacted; ``removed_day`` is NaN
    for ties still there at the end; ``saw_member_post`` says whether the partner ever saw
    one of the member's posts.
    """
    frame = pd.DataFrame(records.ties).rename(columns={"reached": "saw_member_post"})
    frame["kind"] = frame["kind"].astype("string")
    frame.insert(1, "member", _names(records, names, frame["member_id"].to_numpy()))
    return frame


def connections_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """Focal members' connections by kind after each day, and how many were ever reached.

    Day 0 is the start. Also carries the member's messages written over the whole run.
    """
    focal, day, kind = _cells(records.connections.shape[:3])
    return pd.DataFrame(
        {
            "member_id": records.focal_ids[focal],
            "member": _names(records, names, records.focal_ids[focal]),
            "day": day.astype(np.int64),
            "kind": pd.Series(np.asarray(TIE_KINDS)[kind], dtype="string"),
            "connections": records.connections[focal, day, kind, 0],
            "connections_reached": records.connections[focal, day, kind, 1],
            "messages_sent_total": records.messages_sent[focal],
        }
    )


def volume_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """Feed volume of each focal member and day: sessions, candidates, items read, impressions.

    Every member and day has a row, a day without sessions too (zeros). ``candidates`` sums
    over the day's sessions the candidates each was ranked from; ``impressions`` equals
    the day's sum of the ``feed`` table over topics and sources.
    """
    focal, day = _cells(records.volume.shape[:2])
    frame = pd.DataFrame(
        {
            "member_id": records.focal_ids[focal],
            "member": _names(records, names, records.focal_ids[focal]),
            "day": day.astype(np.int64),
        }
    )
    for k, name in enumerate(VOLUME_COUNTS):
        frame[name] = records.volume[focal, day, k].astype(np.int64)
    return frame


def adoption_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """The trend's spread after each day (day 0: the seeded start): adopters, adopters of
    the day, adopters who dropped the strategy, members, the adopters' share, and the mean
    pairwise cosine similarity of members' topic mixes that day. No rows without a trend."""
    members = records.counts["members"]
    adopters = records.adoption[:, ADOPTION_COUNTS.index("adopters")]
    return pd.DataFrame(
        {
            "day": np.arange(adopters.size, dtype=np.int64),
            "adopters": adopters.astype(np.int64),
            "new_adopters": records.adoption[:, ADOPTION_COUNTS.index("new_adopters")],
            "dropped": records.adoption[:, ADOPTION_COUNTS.index("dropped")],
            "members": np.full(adopters.size, members, np.int64),
            "adopter_share": adopters / max(members, 1),
            "feed_similarity": records.similarity,
        }
    )


def population_table(records: RunRecords, names: Sequence[str] = ()) -> pd.DataFrame:
    """Impressions and engagements of all members by day, viewer status (adopter or not at
    the impression) and source group (:data:`sim.sources.GROUPS`). No rows without a trend."""
    day, viewer, group = _cells(records.population_feed.shape[:3])
    return pd.DataFrame(
        {
            "day": day,
            "viewer": pd.Series(np.asarray(VIEWER_GROUPS)[viewer], dtype="string"),
            "source_group": pd.Series(np.asarray(GROUPS)[group], dtype="string"),
            "impressions": records.population_feed[day, viewer, group, 0],
            "engagements": records.population_feed[day, viewer, group, 1],
        }
    )


def tables(
    records: RunRecords,
    scenario: str,
    variant: str,
    replication: int,
    seed: int,
    focal_names: Sequence[str] = (),
) -> dict[str, pd.DataFrame]:
    """All tables of one run, each row with the run's identifiers.

    ``focal_names``: the focal members' scenario names, in the order of
    ``records.focal_ids`` (the scenario's order); they fill the ``member`` columns.
    """
    builders = {
        "posts": posts_table,
        "feed": feed_table,
        "beliefs": beliefs_table,
        "ties": ties_table,
        "connections": connections_table,
        "volume": volume_table,
        "adoption": adoption_table,
        "population": population_table,
    }
    return {
        name: _with_ids(build(records, focal_names), scenario, variant, replication, seed)
        for name, build in builders.items()
    }


def table_topics(tables: dict[str, pd.DataFrame]) -> list[str]:
    """The topics the tables name, for a folder whose manifest lists none (a file network).

    The beliefs table holds every topic for each focal member and day, in the network's
    order; without beliefs, the feed's topics in order of appearance.
    """
    for name in ("beliefs", "feed"):
        table = tables.get(name)
        if table is not None and not table.empty:
            return [str(t) for t in pd.unique(table["topic"])]
    return []
