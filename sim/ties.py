"""Ties during a run: a directed CSR adjacency with per-tie truth and platform estimates.

Every undirected tie is stored twice (once from each end), sorted by (source, target), so a
member's connections are one contiguous row and any (viewer, author) pair is found with one
vectorised binary search. Ties are added and removed rarely (accepted invitations, pruning):
new ties are inserted into the sorted arrays and removed ones dropped in O(M) copies, without
re-sorting.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.network import Network

NEVER = np.float32(np.nan)

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
}
"""Per directed tie: both ends; kind (index into TIE_KINDS); true strength; the platform's
estimated affinity src -> dst (decayed interaction count) and when it was last brought up to
date; creation day (0 at the start); day of the first interaction either way (NaN: never);
whether an intro message was sent at creation; whether the two have *placed* each other (a
stranger who answered a question, an intro message or a personal note); whether the
invitation carried a personal note; whether dst has seen a post by src."""


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

    def __init__(self, network: Network, initial_affinity: NDArray[np.float32]) -> None:
        self.size = network.size
        m = network.u.size
        self._load(
            {
                "src": np.concatenate([network.u, network.v]),
                "dst": np.concatenate([network.v, network.u]),
                "kind": np.tile(network.kind, 2),
                "strength": np.tile(network.strength, 2),
                "affinity": np.tile(initial_affinity, 2),
                "affinity_time": np.zeros(2 * m),
                "created": np.zeros(2 * m),
                "first_interaction": np.full(2 * m, NEVER),
                "intro": np.zeros(2 * m, bool),
                "placed": np.zeros(2 * m, bool),
                "note": np.zeros(2 * m, bool),
                "reached": np.zeros(2 * m, bool),
            }
        )

    def _load(self, columns: dict[str, NDArray[Any]]) -> None:
        key = columns["src"].astype(np.int64) * self.size + columns["dst"]
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        for name, dtype in COLUMNS.items():
            setattr(self, name, np.ascontiguousarray(columns[name][order], dtype=dtype))
        self._index()

    def _index(self) -> None:
        counts = np.bincount(self.src, minlength=self.size)
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def _columns(self) -> dict[str, NDArray[Any]]:
        return {name: getattr(self, name) for name in COLUMNS}

    @property
    def count(self) -> int:
        """Number of directed ties (twice the number of connections)."""
        return int(self.src.size)

    def degree(self) -> NDArray[np.int64]:
        """Connections per member."""
        return np.diff(self.indptr)

    def lookup(self, src: NDArray[np.integer], dst: NDArray[np.integer]) -> NDArray[np.int64]:
        """Index of each tie src -> dst, or -1 where the two are not connected."""
        key = src.astype(np.int64) * self.size + dst
        if self.key.size == 0:
            return np.full(key.size, -1, np.int64)
        pos = np.minimum(np.searchsorted(self.key, key), self.key.size - 1)
        return np.where(self.key[pos] == key, pos, -1)

    def reverse(self, edges: NDArray[np.int64]) -> NDArray[np.int64]:
        """Index of each tie seen from its other end."""
        return self.lookup(self.dst[edges], self.src[edges])

    def rows(self, members: NDArray[np.integer]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """All ties of `members`: (position in `members` of each tie's owner, tie index)."""
        members = np.asarray(members)
        start = self.indptr[members]
        length = self.indptr[members + 1] - start
        owner = np.repeat(np.arange(members.size), length)
        offset = np.arange(owner.size) - np.repeat(np.cumsum(length) - length, length)
        return owner, np.repeat(start, length) + offset

    def add(
        self,
        a: NDArray[np.int32],
        b: NDArray[np.int32],
        day: float,
        **values: NDArray[Any],
    ) -> None:
        """Add undirected ties a-b (pairs new and distinct) created on `day`.

        `values` gives per-tie columns (kind, strength, affinity, and optionally intro,
        placed, first_interaction); the rest take their defaults. The new entries are
        inserted at their sorted positions (O(M) copies, no re-sort).
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
        }
        new.update(values)
        both = {name: np.concatenate([new[name], new[name]]) for name in new}
        both["src"] = np.concatenate([a, b])
        both["dst"] = np.concatenate([b, a])
        new_key = both["src"].astype(np.int64) * self.size + both["dst"]
        order = np.argsort(new_key)
        new_key = new_key[order]
        at = np.searchsorted(self.key, new_key)
        self.key = np.insert(self.key, at, new_key)
        for name, dtype in COLUMNS.items():
            values_sorted = np.asarray(both[name])[order].astype(dtype)
            setattr(self, name, np.insert(getattr(self, name), at, values_sorted))
        self._index()

    def remove(self, edges: NDArray[np.int64]) -> dict[str, NDArray[Any]]:
        """Remove ties (given from either end, each once); return their columns as they were."""
        removed = {name: getattr(self, name)[edges].copy() for name in COLUMNS}
        keep = np.ones(self.count, bool)
        keep[edges] = False
        keep[self.reverse(edges)] = False
        self.key = self.key[keep]
        for name in COLUMNS:
            setattr(self, name, getattr(self, name)[keep])
        self._index()
        return removed
