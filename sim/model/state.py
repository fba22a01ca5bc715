"""The state the mechanisms read and write: one plain data structure.

Every mechanism of :mod:`sim.model` is a function of a :class:`State` (plus parameters, a
random stream and arrays); the engine owns one State per run and calls the mechanisms in
the order of docs/model.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from sim.records import POST_COUNTERS, Columns, GroupedColumns
from sim.strategies import InvitationPlan
from sim.ties import Ties

POST_COLUMNS: dict[str, DTypeLike] = {
    "author": np.int32,
    "topic": np.int16,
    "created": np.float64,
    "test_end": np.float64,
    "author_connections": np.int32,
    "call": bool,
    **{name: np.int32 for name in POST_COUNTERS},
}
"""Columns of the post store: author, topic, creation day, end of the test window (day),
the author's connections at posting, whether it is a call to connect (its author followed
the trend when posting), and the counters of :data:`sim.records.POST_COUNTERS`."""
POOL_COLUMNS: dict[str, DTypeLike] = {
    "viewer": np.int32,
    "post": np.int32,
    "route": np.int8,
    "available": np.float64,
    "consumed": bool,
}
"""Columns of the candidate pool: who may see which post, by which route
(:data:`sim.sources.ROUTES`), from when (day), and whether the row has been shown."""
PENDING_COLUMNS: dict[str, DTypeLike] = {"member": np.int32, "time": np.float64}
"""Columns of the notification sessions to come: who opens the feed, and when (day)."""
CONNECTION_COUNTS = ("connections", "reached")
"""Last axis of :attr:`State.connections`: ties, and of them those whose partner ever saw
one of the member's posts."""
WAITING_COLUMNS: dict[str, DTypeLike] = {"viewer": np.int32, "post": np.int32, "draw": np.float64}
"""Columns of the connections left out of a test audience: who, which post, and the rescaled
uniform that decides the expansion."""


@dataclass
class TrendState:
    """What the trend (:mod:`sim.model.trend`) changes and records in one run; arrays of
    length N are by member."""

    adopted: NDArray[np.bool_]
    """Follows "link with everyone" now."""
    committed: NDArray[np.bool_]
    """Never adopts: members given ``selective`` explicitly, focal members (their strategy
    is their own), and adopters who dropped the strategy."""
    adopted_on: NDArray[np.float64]
    """Day of adoption (0 for seeded adopters; NaN for others)."""
    exposures: Columns
    """The day's exposures of members who may adopt to calls to connect: viewer, author."""
    seen: NDArray[np.int64]
    """Sorted ``viewer * N + author`` keys: the adopters whose calls each member has seen."""
    topic_today: NDArray[np.int32]
    """Impressions of the day by member and topic (N x T), for feed similarity."""
    adoption: NDArray[np.int64]
    """Shape (day + 1, :data:`sim.records.ADOPTION_COUNTS`); index d is the state after d days."""
    similarity: NDArray[np.float64]
    """Mean pairwise cosine similarity of members' topic mixes each day (day + 1; NaN at 0)."""
    feed: NDArray[np.int64]
    """Impressions and engagements of all members by day, viewer status and source group,
    shape (day, :data:`sim.records.VIEWER_GROUPS`, :data:`sim.sources.GROUPS`,
    :data:`sim.records.FEED_COUNTS`)."""


@dataclass
class State:
    """Everything that changes during one run (one replication of one variant)."""

    topics: tuple[str, ...]
    """Field (topic) names; ``field`` and every topic column index into it."""
    field: NDArray[np.int16]
    """Home field of each member (length N)."""
    session_rate: NDArray[np.float64]
    """Feed sessions a day of each member (focal members: their scenario value)."""
    post_rate: NDArray[np.float64]
    """Posts a day of each member (focal members: their scenario value)."""
    session_cum: NDArray[np.float64]
    """Cumulative ``session_rate``: members are drawn in proportion to it by bisection."""
    post_cum: NDArray[np.float64]
    """Cumulative ``post_rate``."""
    interest: NDArray[np.float64]
    """True topic interests, N x T, rows sum to 1 (only members act on them)."""
    relative_interest: NDArray[np.float64]
    """``interest / max_t interest_t`` per member: 1 for the favourite topic."""
    ties: Ties
    """Directed ties with true strength and the platform's estimated affinity."""
    theta: NDArray[np.float64]
    """The platform's inferred topic weights, N x T, rows sum to 1."""
    focal_ids: NDArray[np.int64]
    """Member id of each focal member, in scenario order (slot = position)."""
    focal_slot: NDArray[np.int64]
    """Per member: its focal slot, or -1."""
    focal_by_name: dict[str, int]
    """Member id of each focal member by name."""
    tag_count: NDArray[np.int64]
    """Per member: peers tagged on each post (0 for all but tagging focal members)."""
    plans: dict[int, InvitationPlan]
    """Per focal slot: the invitations it receives (drawn before the run)."""
    sent_plans: dict[int, InvitationPlan]
    """Per focal slot: the invitations it sends (drawn before the run)."""
    posts: Columns
    """The post store (:data:`POST_COLUMNS`); post ids are row numbers, in creation order."""
    pool: GroupedColumns
    """Delivered candidates (:data:`POOL_COLUMNS`), one row per (viewer, post, route),
    regrouped by viewer once a day."""
    waiting: Columns
    """Connections outside a test audience, by post id, until the window ends."""
    follow_ptr: NDArray[np.int64]
    """Member i follows ``followees[follow_ptr[i]:follow_ptr[i + 1]]`` (CSR)."""
    followees: NDArray[np.int32]
    """The accounts every member follows (not connected to it), grouped by follower."""
    pending: Columns
    """Notification sessions to come (:data:`PENDING_COLUMNS`)."""
    candidates_seen: NDArray[np.int64]
    """Histogram of candidates per session: entry c counts sessions with c candidates."""
    items_seen: NDArray[np.int64]
    """Histogram of items read per session."""
    next_undecided: int
    """First post whose wider distribution is not decided yet."""
    is_session: NDArray[np.bool_]
    """Per member: served in the slice being processed."""
    session_slot: NDArray[np.int64]
    """Per member: its row among the slice's served members, or -1."""
    messages_sent: NDArray[np.int64]
    """Per focal slot: messages written (questions, intro messages, personal notes)."""
    removed: list[dict[str, NDArray[Any]]]
    """Ties pruned so far, as they were (columns of :data:`sim.ties.COLUMNS` and more)."""
    feed: NDArray[np.int64]
    """Focal impressions, shape (focal, day, topic, source)."""
    volume: NDArray[np.int64]
    """Focal feed volume by day (floor of the session time, as ``feed``), shape
    (focal, day, :data:`sim.records.VOLUME_COUNTS`)."""
    inferred: NDArray[np.float64]
    """Focal ``theta`` after each day, shape (focal, day + 1, topic)."""
    connections: NDArray[np.int64]
    """Focal connections by kind after each day, and of them ever reached, shape
    (focal, day + 1, kind, 2)."""
    trend: TrendState | None
    """The trend's state (None when the scenario has no ``trend`` section)."""
    counts: dict[str, int]
    """Run totals: sessions (of them brought by notifications), impressions, engagements,
    candidates (summed over sessions)."""

    @property
    def n(self) -> int:
        """Number of members."""
        return int(self.field.size)

    @property
    def n_topics(self) -> int:
        """Number of topics."""
        return len(self.topics)
