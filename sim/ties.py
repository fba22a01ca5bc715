"""Ties during a run: a directed CSR adjacency with per-tie truth and platform estimates.

Every undirected tie is stored twice (once from each end). The ties of the start are sorted
by (source, target), so a member's connections are one contiguous row and any (viewer,
author) pair is found by a search in the viewer's row. Ties added during a run (accepted
invitations, bursts) are appended to the columns and indexed by an overlay CSR of their own,
so adding a few ties costs in proportion to them and to the members, not to all ties;
:meth:`Ties.rows` returns a member's ties in (source, target) order either way. Removing ties
(pruning, rare) merges the overlay and rebuilds the arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import get_num_threads
from numpy.typing import NDArray

from sim import kernels
from sim.network import Network

NEVER = np.float32(np.nan)
OVERLAY_SHARE = 4
OVERLAY_MIN = 65_536
"""The overlay is merged into the main index once it holds more than ``1 / OVERLAY_SHARE``
of the main index's ties and more than ``OVERLAY_MIN`` (a trend adds hundreds of thousands
of ties a day; a focal member a few): rows with many overlay ties cost a sort per call."""

COLUMNS: dict[str, Any] = {
    "src": np.int32,
    "dst": np.int32,
    "kind": np.int8,
    "strength": np.float32,
    "affinity": np.float32,
    "affinity_time": np.float32,
    "created": np.float32,
    "first_interaction": np.float32,
    "intro": np.bool_,
    "placed": np.bool_,
    "note": np.bool_,
    "reached": np.bool_,
    "two_hop": np.bool_,
}
"""Per directed tie: both ends; kind (index into TIE_KINDS); true strength; the platform's
estimated affinity src -> dst (decayed interaction count) and when it was last brought up to
date; creation day (0 at the start); day of the first interaction either way (NaN: never);
whether an intro message was sent at creation; whether the two have *placed* each other (a
stranger who answered a question, an intro message or a personal note); whether the
invitation carried a personal note; whether dst has seen a post by src; whether the two had
a connection in common when the tie was made (False for the ties of the start)."""


class Ties:
    """Directed tie arrays (struct of arrays, see :data:`COLUMNS`) and the CSR index over them.

    Attributes:
        indptr: CSR row pointer; member m's ties are ``indptr[m]:indptr[m + 1]``.
    """

    src: NDArray[np.int32]
    dst: NDArray[np.int32]
    kind: NDArray[np.int8]
    strength: NDArray[np.float32]
    affinity: NDArray[np.float32]
    affinity_time: NDArray[np.float32]
    created: NDArray[np.float32]
    first_interaction: NDArray[np.float32]
    intro: NDArray[np.bool_]
    placed: NDArray[np.bool_]
    note: NDArray[np.bool_]
    reached: NDArray[np.bool_]
    two_hop: NDArray[np.bool_]

    def __init__(self, network: Network, initial_affinity: NDArray[np.float32]) -> None:
        self.size = network.size
        self._load(
            {
                "src": np.concatenate([network.u, network.v]),
                "dst": np.concatenate([network.v, network.u]),
                "kind": np.tile(network.kind, 2),
                "strength": np.tile(network.strength, 2),
                "affinity": np.tile(initial_affinity, 2),
                "affinity_time": 0,
                "created": 0,
                "first_interaction": NEVER,
                "intro": False,
                "placed": False,
                "note": False,
                "reached": False,
                "two_hop": False,
            }
        )

    def _load(self, columns: dict[str, Any]) -> None:
        """Sort all ties into the main index (no overlay).

        `columns` holds an array per column, or one value the whole column takes; each is
        taken out of the dict once copied, so that the copy and the sorted column are the
        only two of it in memory.
        """
        order = kernels.pair_order(columns["src"], columns["dst"], self.size)
        self._count = int(order.size)
        capacity = self._count + max(1024, self._count // 100)
        self._store: dict[str, NDArray[Any]] = {}
        for name, dtype in COLUMNS.items():
            column = columns.pop(name)
            store = np.zeros(capacity, dtype)
            store[: self._count] = kernels.take(column, order) if np.ndim(column) else column
            self._store[name] = store
            del column
        self._view()
        counts = np.bincount(self.src, minlength=self.size)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._degree = counts.astype(np.int64)
        self._main = self._count
        self._index_extra()

    def _view(self) -> None:
        """Point the column attributes at the filled part of the stores."""
        for name in COLUMNS:
            setattr(self, name, self._store[name][: self._count])

    def _index_extra(self) -> None:
        """A CSR index of its own over the overlay (the ties appended after the main index):
        member m's overlay ties are ``_extra_position[_extra_ptr[m]:_extra_ptr[m + 1]]``,
        sorted by partner (``_extra_dst``)."""
        position = np.arange(self._main, self._count)
        src, dst = self.src[self._main :], self.dst[self._main :]
        order = np.argsort(src.astype(np.int64) * self.size + dst, kind="stable")
        self._extra_position = position[order]
        self._extra_dst = dst[order]
        counts = np.bincount(src, minlength=self.size)
        self._extra_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _columns(self) -> dict[str, NDArray[Any]]:
        return {name: getattr(self, name) for name in COLUMNS}

    @property
    def count(self) -> int:
        """Number of directed ties (twice the number of connections)."""
        return self._count

    @property
    def pairs(self) -> int:
        """Number of connections (undirected ties; each is stored twice)."""
        return self._count // 2

    def degree(self) -> NDArray[np.int64]:
        """Connections per member."""
        return self._degree

    def lookup(self, src: NDArray[np.integer], dst: NDArray[np.integer]) -> NDArray[np.int64]:
        """Index of each tie src -> dst, or -1 where the two are not connected."""
        source, target = np.asarray(src, np.int64), np.asarray(dst, np.int64)
        found = kernels.find_in_rows(self.indptr, self.dst, source, target)
        if self._count > self._main:
            missing = np.flatnonzero(found < 0)
            has_extra = self._extra_ptr[source[missing] + 1] > self._extra_ptr[source[missing]]
            missing = missing[has_extra]
            at = kernels.find_in_rows(
                self._extra_ptr, self._extra_dst, source[missing], target[missing]
            )
            found[missing[at >= 0]] = self._extra_position[at[at >= 0]]
        return found

    def lookup_grouped(
        self, members: NDArray[np.int64], starts: NDArray[np.int64], partner: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """:meth:`lookup` of ``members[g] -> partner[k]`` for each k in
        ``starts[g]:starts[g + 1]``: the queries of each member together, in one pass over
        its ties (:func:`sim.kernels.find_in_member_rows`)."""
        return kernels.find_in_member_rows(
            self.indptr,
            self.dst,
            self._extra_ptr,
            self._extra_dst,
            self._extra_position,
            members,
            starts,
            partner,
            get_num_threads(),
        )

    def share_a_connection(
        self, a: NDArray[np.integer], b: NDArray[np.integer]
    ) -> NDArray[np.bool_]:
        """Whether each pair a-b has at least one connection in common (the two are within
        two hops): each partner of the end with fewer connections is looked up from the
        other end, so a pair costs the smaller degree's searches."""
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        swap = self._degree[a] > self._degree[b]
        near, far = np.where(swap, b, a), np.where(swap, a, b)
        pair, edges = self.rows(near)
        found = self.lookup(self.dst[edges], far[pair]) >= 0
        common = np.zeros(a.size, bool)
        common[pair[found]] = True
        return common

    def reverse(self, edges: NDArray[np.int64]) -> NDArray[np.int64]:
        """Index of each tie seen from its other end."""
        return self.lookup(self.dst[edges], self.src[edges])

    def rows(self, members: NDArray[np.integer]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """All ties of `members`: (position in `members` of each tie's owner, tie index),
        ordered by owner, then by the partner's id."""
        who = np.asarray(members, dtype=np.int64)
        lo, hi = self._extra_ptr[who], self._extra_ptr[who + 1]
        return kernels.member_rows(self.indptr, self.dst, who, lo, hi, self._extra_position)

    def add(
        self,
        a: NDArray[np.int32],
        b: NDArray[np.int32],
        day: float,
        **values: NDArray[Any],
    ) -> None:
        """Add undirected ties a-b (pairs new and distinct) created on `day`.

        `values` gives per-tie columns (kind, strength, affinity, and optionally intro,
        placed, note, first_interaction, two_hop); the rest take their defaults. The new entries are
        appended and indexed by the overlay (merged into the main index when it grows large:
        :data:`OVERLAY_SHARE`).
        """
        count = a.size
        if count == 0:
            return
        new: dict[str, NDArray[Any]] = {
            "affinity_time": np.full(count, day),
            "created": np.full(count, day),
            "first_interaction": np.full(count, NEVER),
            "intro": np.zeros(count, bool),
            "placed": np.zeros(count, bool),
            "note": np.zeros(count, bool),
            "reached": np.zeros(count, bool),
            "two_hop": np.zeros(count, bool),
        }
        new.update(values)
        both = {name: np.concatenate([new[name], new[name]]) for name in new}
        both["src"] = np.concatenate([a, b])
        both["dst"] = np.concatenate([b, a])
        needed = self._count + 2 * count
        capacity = next(iter(self._store.values())).size
        if needed > capacity:
            for name, store in self._store.items():
                grown = np.zeros(max(needed, 2 * capacity), store.dtype)
                grown[: self._count] = store[: self._count]
                self._store[name] = grown
        for name, dtype in COLUMNS.items():
            self._store[name][self._count : needed] = np.asarray(both[name]).astype(dtype)
        self._count = needed
        self._view()
        np.add.at(self._degree, both["src"], 1)
        if self._count - self._main > max(self._main // OVERLAY_SHARE, OVERLAY_MIN):
            self._load(self._columns())
        else:
            self._index_extra()

    def remove_pairs(
        self, a: NDArray[np.integer], b: NDArray[np.integer]
    ) -> dict[str, NDArray[Any]]:
        """Remove the undirected ties a-b; return the a -> b entries as they were."""
        self._load(self._columns())  # merge the overlay: all ties sorted again
        edges = self.lookup(np.asarray(a), np.asarray(b))
        removed = {name: getattr(self, name)[edges].copy() for name in COLUMNS}
        keep = np.ones(self.count, bool)
        keep[edges] = False
        keep[self.reverse(edges)] = False
        self._load({name: column[keep] for name, column in self._columns().items()})
        return removed
