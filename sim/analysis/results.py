"""Reading a results folder: the manifest and the tables the figures and the report use."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import InputError
from sim.table_schema import TABLES as SCHEMA
from sim.table_schema import table_topics

#: Columns that identify one replication of one variant.
REP_KEYS = ["scenario", "variant", "replication"]


READS: dict[str, tuple[str, ...]] = {
    "posts": (
        *REP_KEYS,
        "focal",
        "primary_viewers",
        "author_connections",
        "impressions",
        "likes",
        "comments",
        "shares",
    ),
    "feed": (*REP_KEYS, "member_id", "day", "topic", "source", "impressions"),
    "beliefs": (*REP_KEYS, "member_id", "day", "topic", "inferred_weight", "true_weight"),
    "ties": (
        *REP_KEYS,
        "member_id",
        "kind",
        "created_day",
        "intro_message",
        "first_interaction_day",
        "removed_day",
    ),
    "connections": (*REP_KEYS, "member_id", "day", "kind", "connections", "connections_reached"),
    "volume": (
        *REP_KEYS,
        "member_id",
        "day",
        "sessions",
        "candidates",
        "items_read",
        "impressions",
    ),
    "adoption": (
        *REP_KEYS,
        "day",
        "adopters",
        "new_adopters",
        "dropped",
        "members",
        "adopter_share",
        "feed_similarity",
    ),
    "population": (*REP_KEYS, "day", "viewer", "source_group", "impressions", "engagements"),
    "composition": SCHEMA["composition"].names,
    **{
        name: SCHEMA[name].names
        for name in (
            "funnel",
            "member_days",
            "author_reach",
            "post_arms",
            "group_reach",
            "members",
        )
    },
    "exposure": SCHEMA["exposure"].names,
}
"""The columns the analysis reads of each table: every one a column of
:data:`sim.table_schema.TABLES` (a test checks it, so the two cannot drift apart)."""
REQUIRED = ("posts", "feed", "beliefs")
"""Tables every results folder has; the others may be missing from a folder written by an
older feedsim: they read as empty tables, and the figures that need them are not drawn."""


@dataclass(frozen=True)
class Results:
    """A results folder read into memory.

    Attributes:
        manifest: ``manifest.json`` as written by the runner.
        variants: variant names in the order the scenario lists them.
        topics: topic names in the scenario's order (a file network: its fields).
        duration_days: simulated days; feed days run from 0 to ``duration_days - 1``.
        replications: replications per variant.
        description: what the scenario studies (may be empty).
        focus_topic: the topic a scripted burst of connections is about, or None.
        event_days: days of scripted events, ascending (may be empty).
        events: the scripted events of all variants, as dicts with at least ``day`` and
            ``action``.
        posts: the ``posts`` table.
        feed: the ``feed`` table.
        beliefs: the ``beliefs`` table.
        ties: the ``ties`` table (the focal members' ties), empty when the folder lacks it.
        connections: the ``connections`` table, empty when the folder lacks it.
        volume: the ``volume`` table (the focal members' sessions, candidates, items read
            and impressions by day), empty when the folder lacks it.
        adoption: the ``adoption`` table (the trend's spread by day), empty without a trend.
        population: the ``population`` table (every member's feed by day, viewer status and
            source group), empty without a trend.
        funnel: the ``funnel`` table (the exposure funnel by arm and relation), empty unless
            the scenario set ``measure.funnel``.
        member_days: the ``member_days`` table (sessions, candidates and reading by day and
            arm), empty unless the scenario set ``measure.funnel``.
        composition: the ``composition`` table (every member's feed by day, source group and
            own-field or other topic), empty when the folder lacks it.
        exposure: the ``exposure`` table (the trend's exposure check by day), empty without
            a trend or when the folder lacks it.
        sweep_parameters: for a parameter sweep (``feedsim sweep``), the table columns of
            the swept parameters present in ``posts``; empty otherwise.
        all_pairs: show every pair of variants, not only the scenario's `comparisons`
            (``feedsim figures DIR --all-pairs``).
    """

    manifest: dict[str, Any]
    variants: list[str]
    topics: list[str]
    duration_days: int
    replications: int
    description: str
    focus_topic: str | None
    event_days: list[float]
    events: list[dict[str, Any]]
    posts: pd.DataFrame
    feed: pd.DataFrame
    beliefs: pd.DataFrame
    ties: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    connections: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    volume: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    adoption: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    population: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    composition: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    funnel: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    member_days: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    exposure: pd.DataFrame = dataclass_field(default_factory=pd.DataFrame)
    sweep_parameters: list[str] = dataclass_field(default_factory=list)
    all_pairs: bool = False

    @property
    def comparisons(self) -> list[tuple[str, str]]:
        """The scenario's ``comparisons`` as ``(reference, arm)`` pairs (read as arm minus
        reference, the order `sim.analysis.statistics.paired_differences` takes), in the
        scenario's order; a pair with an arm this folder lacks (``feedsim run --variant``)
        is left out. Empty when the scenario lists none."""
        base = (self.manifest.get("scenario") or {}).get("base") or {}
        pairs = []
        for entry in base.get("comparisons") or []:
            if not isinstance(entry, dict):
                continue
            arm, reference = str(entry.get("arm")), str(entry.get("reference"))
            if arm in self.variants and reference in self.variants:
                pairs.append((reference, arm))
        return pairs

    @property
    def focal_members(self) -> list[dict[str, Any]]:
        """The scenario's focal members as the manifest records them (name, field, ...)."""
        base = (self.manifest.get("scenario") or {}).get("base") or {}
        return [f for f in base.get("focal") or [] if isinstance(f, dict)]

    @property
    def has_focal(self) -> bool:
        """Whether the runs recorded focal members (a trend study may have none): the
        ``feed`` or the ``beliefs`` table has rows."""
        return not (self.feed.empty and self.beliefs.empty)

    @property
    def has_trend(self) -> bool:
        """Whether the study has the trend as a population process: the ``adoption`` table
        has rows (it has none without a ``trend`` section, and in a sweep it is not read)."""
        return not self.adoption.empty and not self.is_sweep

    @property
    def is_sweep(self) -> bool:
        """Whether the folder holds a parameter sweep (a ``point`` column or manifest points).

        A sweep repeats every replication at every point, so the per-variant summaries,
        which take one row per variant and replication, do not apply to it.
        """
        return "point" in self.posts.columns or bool(self.manifest.get("points"))

    @property
    def after_start(self) -> int | None:
        """First whole day on or after the first scripted event, or None without events."""
        return event_start(self.event_days)

    @property
    def last_day(self) -> int:
        """Last simulated day (0-based)."""
        return self.duration_days - 1

    @property
    def focus_window(self) -> tuple[int, int]:
        """First and last day of the focus-topic comparison: the first event (or 0) to the end."""
        return self.after_start or 0, self.last_day


def load_results(results_dir: Path) -> Results:
    """Read ``manifest.json`` and the tables that the figures and the report use.

    The description is the manifest's ``description``, else the scenario's. The events are
    the manifest's ``events`` (a list, or lists by variant), else the scenario's ``events``.
    The topics are the manifest's; a file network names its fields itself, so when the
    manifest has none they are read from the tables (`table_topics`). The ``ties``,
    ``connections``, ``volume``, ``adoption``, ``population`` and ``composition`` tables
    are optional: a folder without them (or with an older layout lacking a column) reads
    them as empty tables with the schema's columns.

    Args:
        results_dir: a folder written by the experiment runner.

    Returns:
        The manifest's key fields and the tables.

    Raises:
        InputError: a file or a manifest field is missing or a table lacks a column.
    """
    manifest = _read_manifest(results_dir / "manifest.json")
    tables = _read_tables(results_dir / "tables")
    sweep_columns = [
        str(p.get("column", str(p.get("path", "")).replace(".", "__")))
        for p in manifest.get("parameters") or []
        if isinstance(p, dict)
    ]
    scenario = manifest.get("scenario") or {}
    events = manifest.get("events", scenario.get("events")) or []
    if isinstance(events, dict):
        events = [e for variant_events in events.values() for e in variant_events]
    topics = [str(t) for t in manifest["topics"]] or table_topics(tables)
    return Results(
        manifest=manifest,
        variants=[str(v) for v in manifest["variants"]],
        topics=topics,
        duration_days=int(manifest["duration_days"]),
        replications=int(manifest["replications"]),
        description=str(manifest.get("description") or scenario.get("description") or ""),
        focus_topic=manifest.get("focus_topic"),
        event_days=sorted(float(d) for d in manifest.get("event_days") or []),
        events=[e for e in events if isinstance(e, dict)],
        posts=tables["posts"],
        feed=tables["feed"],
        beliefs=tables["beliefs"],
        ties=tables["ties"],
        connections=tables["connections"],
        volume=tables["volume"],
        adoption=tables["adoption"],
        population=tables["population"],
        composition=tables["composition"],
        funnel=tables["funnel"],
        member_days=tables["member_days"],
        exposure=tables["exposure"],
        sweep_parameters=[c for c in sweep_columns if c in tables["posts"].columns],
    )


def _read_manifest(path: Path) -> dict[str, Any]:
    """``manifest.json``, checked for the fields every folder has.

    Raises:
        InputError: the file is missing, is not JSON or lacks a field.
    """
    if not path.is_file():
        raise InputError(path, "", "no such file: is this a feedsim results folder?")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(path, f"line {exc.lineno}", exc.msg) from exc
    for field in ("variants", "topics", "duration_days", "replications"):
        if field not in manifest:
            raise InputError(path, field, "missing")
    return manifest


def _read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """The required and the optional tables of ``folder`` (see `load_results`).

    Raises:
        InputError: a required table is missing or lacks a column.
    """
    tables = {}
    for name, columns in READS.items():
        path = folder / f"{name}.parquet"
        if name in REQUIRED and not path.is_file():
            raise InputError(path, "", "no such file")
        empty = pd.DataFrame(columns=list(SCHEMA[name].names))
        table = pd.read_parquet(path) if path.is_file() else empty
        missing = [c for c in columns if c not in table.columns]
        if missing and name in REQUIRED:
            raise InputError(path, ", ".join(missing), "column missing")
        tables[name] = empty if missing else table
    return tables


def event_start(event_days: Sequence[float]) -> int | None:
    """First whole simulated day at or after the first event: ``ceil(min(event_days))``.

    Day ``d`` covers simulated time ``[d, d + 1)``, so an event at time 30.0 makes day 30 the
    first day "after" it, and an event at 30.5 makes it day 31 (day 30 counts as before).

    Args:
        event_days: event times in days.

    Returns:
        The day, or None when there are no events.
    """
    return math.ceil(min(event_days)) if event_days else None


def replication_index(table: pd.DataFrame) -> pd.MultiIndex:
    """Every replication of every variant present in ``table``, in order of appearance."""
    return pd.MultiIndex.from_frame(table[REP_KEYS].drop_duplicates())


def read_table(results_dir: Path, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """One table of a results folder with the columns a study reads (`columns`, each a
    column of the schema's table `name`; a folder without the table reads as an empty table
    with the schema's columns).

    Raises:
        InputError: the table lacks one of `columns`.
    """
    path = results_dir / "tables" / f"{name}.parquet"
    if not path.is_file():
        return pd.DataFrame(columns=list(SCHEMA[name].names))
    table = pd.read_parquet(path)
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(path, ", ".join(missing), "column missing")
    return table
