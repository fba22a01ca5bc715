"""The state the mechanisms read and write: one plain data structure.

Every mechanism of :mod:`sim.model` is a function of a :class:`State` (plus parameters, a
random stream and arrays); the engine owns one State per run and calls the mechanisms in
the order of docs/model.md section 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike, NDArray

from sim.beliefs import ShareParts
from sim.model.limits import LimitCounts
from sim.stores import Columns, GroupedColumns
from sim.strategies import InvitationPlan
from sim.table_schema import POST_COUNTERS
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
the trend when posting), and the counters of :data:`sim.table_schema.POST_COUNTERS`."""
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
WAITING_COLUMNS: dict[str, DTypeLike] = {
    "viewer": np.int32,
    "post": np.int32,
    "draw": np.float64,
    "route": np.int8,
}
"""Columns of the members of an author's network left out of a test audience: who, which
post, the rescaled uniform that decides the expansion, and the route of the row the expansion
gives them (``expansion`` for connections, ``follow`` for followers)."""


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
    dropped_on: NDArray[np.float64]
    """Day the member dropped the strategy (NaN for those who never did)."""
    exposures: Columns
    """The day's exposures of members who may adopt to calls to connect: viewer, author."""
    seen: NDArray[np.int64]
    """Sorted ``viewer * N + author`` keys: the adopters whose calls each member has seen."""


@dataclass
class State:
    """Everything that changes during one run (one replication of one variant), in four
    groups: the truth about members and ties; the platform's beliefs; the stores of posts,
    candidates and follows the platform keeps; and the scratch of the slice being served.
    The records of the run are not here: the observers of :mod:`sim.observers` keep them."""

    # ---- the truth: members, their interests and activity, the focal members ----
    topics: tuple[str, ...]
    """Field (topic) names; ``field`` and every topic column index into them."""
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
    messages_sent: NDArray[np.int64]
    """Per focal slot: messages written (questions, intro messages, personal notes)."""
    limits: LimitCounts
    """What LinkedIn's limits let through and refused (:mod:`sim.model.limits`)."""
    trend: TrendState | None
    """The trend's state (None when the scenario has no ``trend`` section)."""
    arm: NDArray[np.int8]
    """Per member: its randomised arm, an index into ``arm_names`` (0: the main arm)."""
    arm_names: tuple[str, ...]
    """Names of the arms (``platform.arm_names``); one name when the scenario has no arms."""

    # ---- ties: true strength beside the platform's estimated affinity ----
    ties: Ties
    """Directed ties with true strength and the platform's estimated affinity."""

    # ---- the platform's beliefs ----
    theta: NDArray[np.float64]
    """The platform's inferred topic weights, N x T, rows sum to 1."""
    share_parts: ShareParts | None
    """What theta is recomputed from under ``platform.inference.connection_rule: share``
    (connection counts per field, engagement weights); None under ``compounding``."""

    # ---- the platform's stores ----
    posts: Columns
    """The post store (:data:`POST_COLUMNS`); post ids are row numbers, in creation order."""
    pool: GroupedColumns
    """Delivered candidates (:data:`POOL_COLUMNS`), one row per (viewer, post, route),
    regrouped by viewer once a day."""
    waiting: Columns
    """Connections outside a test audience, by post id, until the window ends."""
    follow_ptr: NDArray[np.int64]
    """Member i follows ``followees[follow_ptr[i]:follow_ptr[i + 1]]`` (CSR; all empty when
    ``platform.followers`` is ``audience``: the follows are then held by followee only)."""
    followees: NDArray[np.int32]
    """The accounts every member follows (not connected to it), grouped by follower."""
    follower_ptr: NDArray[np.int64]
    """Account a is followed by ``followers[follower_ptr[a]:follower_ptr[a + 1]]`` (CSR; all
    empty unless ``platform.followers`` is ``audience``)."""
    followers: NDArray[np.int32]
    """The followers of every account, grouped by account (the follow index reversed).
    :func:`sim.observers.pairs.follow_pairs` reads the follows from whichever is held."""
    pending: Columns
    """Notification sessions to come (:data:`PENDING_COLUMNS`)."""
    next_undecided: int
    """First post whose wider distribution is not decided yet."""

    # ---- scratch of the slice being served ----
    session_slot: NDArray[np.int64]
    """Per member: its row among the slice's served members, or -1."""

    @property
    def n(self) -> int:
        """Number of members."""
        return int(self.field.size)

    @property
    def n_topics(self) -> int:
        """Number of topics."""
        return len(self.topics)
