"""Observation (docs/model.md 9): the focal members' daily records and the run's records."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim import ties as ties_module
from sim.model import reading
from sim.model.state import State
from sim.network import TIE_KINDS
from sim.records import (
    ADOPTION_COUNTS,
    FEED_COUNTS,
    POST_COUNTERS,
    VIEWER_GROUPS,
    VOLUME_COUNTS,
    RunRecords,
)
from sim.sources import GROUPS


def snapshot_day(state: State, day: int) -> None:
    """The record after `day` days: focal members' inferred weights, their connections by
    kind, and of those how many partners ever saw one of their posts."""
    state.inferred[:, day] = state.theta[state.focal_ids]
    owner, edge = state.ties.rows(state.focal_ids)
    kind = state.ties.kind[edge]
    np.add.at(state.connections[:, day, :, 0], (owner, kind), 1)
    np.add.at(state.connections[:, day, :, 1], (owner, kind), state.ties.reached[edge])


def focal_ties(state: State, duration_days: int) -> dict[str, NDArray[np.generic]]:
    """Columns of the ties table: the focal members' ties at the end and the pruned ones.

    A first interaction scheduled after the end of the run is written as NaN.
    """
    ties = state.ties
    _, rows = ties.rows(state.focal_ids)
    current = {name: getattr(ties, name)[rows] for name in ties_module.COLUMNS}
    current["removed_day"] = np.full(rows.size, np.nan)
    current["removal_minutes"] = np.zeros(rows.size)
    parts = [current, *state.removed]
    merged = {name: np.concatenate([p[name] for p in parts]) for name in current}
    return {
        "member_id": merged["src"].astype(np.int64),
        "partner_id": merged["dst"].astype(np.int64),
        "kind": np.asarray(TIE_KINDS)[merged["kind"]],
        "created_day": merged["created"].astype(np.float64),
        "intro_message": merged["intro"].astype(bool),
        "placed": merged["placed"].astype(bool),
        "personal_note": merged["note"].astype(bool),
        "first_interaction_day": np.where(
            merged["first_interaction"] <= duration_days, merged["first_interaction"], np.nan
        ).astype(np.float64),
        "reached": merged["reached"].astype(bool),
        "removed_day": merged["removed_day"].astype(np.float64),
        "removal_minutes": merged["removal_minutes"].astype(np.float64),
    }


def run_records(state: State, duration_days: int) -> RunRecords:
    """The run's records: posts, focal feeds, beliefs and connections, focal ties, the
    trend's adoption and population feed, totals."""
    posts = {
        name: state.posts[name].copy()
        for name in ("author", "topic", "created", "author_connections", "call", *POST_COUNTERS)
    }
    trend = state.trend
    counts = dict(state.counts)
    counts.update(
        median_candidates_per_session=histogram_median(state.candidates_seen),
        median_items_read_per_session=histogram_median(state.items_seen),
    )
    counts.update(posts=state.posts.size, ties=state.ties.pairs, members=state.n)
    return RunRecords(
        topics=state.topics,
        posts=posts,
        focal_ids=state.focal_ids.copy(),
        feed=state.feed,
        volume=state.volume,
        inferred=state.inferred,
        true_interest=state.interest[state.focal_ids].copy(),
        connections=state.connections,
        messages_sent=state.messages_sent.copy(),
        ties=focal_ties(state, duration_days),
        adoption=np.zeros((0, len(ADOPTION_COUNTS)), np.int64) if trend is None else trend.adoption,
        similarity=np.zeros(0) if trend is None else trend.similarity,
        population_feed=(
            np.zeros((0, len(VIEWER_GROUPS), len(GROUPS), len(FEED_COUNTS)), np.int64)
            if trend is None
            else trend.feed
        ),
        counts=counts,
    )


def count_session_sizes(
    state: State, slot: NDArray[np.int64], count: NDArray[np.int64], depths: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Record, for every session of the slice, its candidates (those of the served member,
    whose sessions in the slice share them; `slot` is each candidate's served member) and
    the items it reads (:func:`sim.model.reading.items_read`), in the histograms
    ``candidates_seen`` and ``items_seen``, and add the candidates to the run's counts.

    Returns the candidates of each served member and the items each session reads
    (shape like `depths`), for :func:`count_focal_volume`."""
    per_member = np.bincount(slot, minlength=count.size)
    read = reading.items_read(depths, per_member)
    used = np.arange(depths.shape[1])[None, :] < count[:, None]
    state.candidates_seen = add_histogram(state.candidates_seen, np.repeat(per_member, count))
    state.items_seen = add_histogram(state.items_seen, read[used])
    state.counts["candidates"] += int((per_member * count).sum())
    return per_member, read


def count_focal_volume(
    state: State,
    viewers: NDArray[np.int64],
    time: NDArray[np.float64],
    count: NDArray[np.int64],
    per_member: NDArray[np.int64],
    read: NDArray[np.int64],
    duration_days: int,
) -> None:
    """Add the slice's focal sessions to ``state.volume`` (docs/model.md 9: the volume table).

    For each served member (`viewers`, first session `time`, `count` sessions) that is
    focal, on the day of its session time (as the feed table dates its impressions): its
    sessions, its candidates once per session (``per_member * count``, as
    :func:`count_session_sizes` counts them) and the items its sessions read (row sums of
    `read`). Impressions are added where they are counted
    (:func:`sim.model.reactions.count_impressions`). Only the focal rows are touched.
    """
    focal = state.focal_slot[viewers]
    served = np.flatnonzero(focal >= 0)
    if served.size == 0:
        return
    day = np.minimum(time[served].astype(np.int64), duration_days - 1)
    values = {
        "sessions": count[served],
        "candidates": per_member[served] * count[served],
        "items_read": read[served].sum(axis=1),
    }
    for name, value in values.items():
        column = np.full(served.size, VOLUME_COUNTS.index(name))
        np.add.at(state.volume, (focal[served], day, column), value)


def add_histogram(hist: NDArray[np.int64], values: NDArray[np.int64]) -> NDArray[np.int64]:
    """`hist` (entry v counts the values equal to v) with `values` added (grown as needed)."""
    more = np.bincount(values, minlength=hist.size)
    more[: hist.size] += hist
    return more


def histogram_median(hist: NDArray[np.int64]) -> int:
    """The lower median of the values a histogram counts (0 when it is empty)."""
    total = int(hist.sum())
    if total == 0:
        return 0
    return int(np.searchsorted(np.cumsum(hist), (total + 1) // 2))
