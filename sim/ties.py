"""Ties during a run: a directed CSR adjacency with per-tie truth and platform estimates.

Every undirected tie is stored twice (once from each end), sorted by (source, target), so a
member's connections are one contiguous row and any (viewer, author) pair is found with one
vectorised binary search. Ties are added rarely (scripted bursts, accepted invitations):
each addition rebuilds the arrays, O(M log M).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.network import TIE_KINDS, Network

NEVER = np.float32(np.nan)


class Ties:
    """Directed tie arrays (struct of arrays) and the CSR index over them.

    Attributes (one entry per directed tie, sorted by ``src`` then ``dst``):
        src, dst: members at both ends.
        kind: index into :data:`sim.network.TIE_KINDS`.
        strength: true strength (symmetric).
        affinity: the platform's estimated affinity src -> dst (interaction counts, decayed).
        affinity_time: when ``affinity`` was last brought up to date (days).
        created: creation day (0 for ties that existed at the start).
        first_interaction: day of the first interaction either way (NaN: never).
        intro: whether an intro message was exchanged at creation.
        reverse: index of the same tie seen from the other end.
        indptr: CSR row pointer; member m's ties are ``indptr[m]:indptr[m + 1]``.
    """

    def __init__(self, network: Network, initial_affinity: NDArray[np.float32]) -> None:
        self.size = network.size
        u, v = network.u, network.v
        self._load(
            np.concatenate([u, v]),
            np.concatenate([v, u]),
            np.tile(network.kind, 2),
            np.tile(network.strength, 2),
            np.tile(initial_affinity, 2),
            np.zeros(2 * u.size, np.float32),
            np.full(2 * u.size, NEVER, np.float32),
            np.zeros(2 * u.size, bool),
        )

    def _load(
        self,
        src: NDArray[np.int32],
        dst: NDArray[np.int32],
        kind: NDArray[np.int8],
        strength: NDArray[np.float32],
        affinity: NDArray[np.float32],
        created: NDArray[np.float32],
        first_interaction: NDArray[np.float32],
        intro: NDArray[np.bool_],
        affinity_time: NDArray[np.float32] | None = None,
    ) -> None:
        key = src.astype(np.int64) * self.size + dst
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.src = src[order].astype(np.int32)
        self.dst = dst[order].astype(np.int32)
        self.kind = kind[order].astype(np.int8)
        self.strength = strength[order].astype(np.float32)
        self.affinity = affinity[order].astype(np.float32)
        self.affinity_time = (
            np.zeros(order.size, np.float32) if affinity_time is None else affinity_time[order]
        )
        self.created = created[order].astype(np.float32)
        self.first_interaction = first_interaction[order].astype(np.float32)
        self.intro = intro[order]
        self.indptr = np.searchsorted(self.src, np.arange(self.size + 1)).astype(np.int64)
        self.reverse = self.lookup(self.dst, self.src)

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
        pos = np.searchsorted(self.key, key)
        pos = np.minimum(pos, max(self.key.size - 1, 0))
        found = self.key[pos] == key if self.key.size else np.zeros(key.size, bool)
        return np.where(found, pos, -1)

    def rows(self, members: NDArray[np.integer]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """All ties of `members`: (position in `members` of each tie's owner, tie index)."""
        start = self.indptr[members]
        length = self.indptr[np.asarray(members) + 1] - start
        owner = np.repeat(np.arange(len(members)), length)
        offset = np.arange(owner.size) - np.repeat(np.cumsum(length) - length, length)
        return owner, np.repeat(start, length) + offset

    def add(
        self,
        a: NDArray[np.int32],
        b: NDArray[np.int32],
        kind: NDArray[np.int8],
        strength: NDArray[np.float32],
        affinity: NDArray[np.float32],
        day: float,
        intro: NDArray[np.bool_],
    ) -> None:
        """Add undirected ties a-b (pairs must be new and distinct) created on `day`."""
        n_new = 2 * a.size
        self._load(
            np.concatenate([self.src, a, b]),
            np.concatenate([self.dst, b, a]),
            np.concatenate([self.kind, kind, kind]),
            np.concatenate([self.strength, strength, strength]),
            np.concatenate([self.affinity, affinity, affinity]),
            np.concatenate([self.created, np.full(n_new, day, np.float32)]),
            np.concatenate([self.first_interaction, np.full(n_new, NEVER, np.float32)]),
            np.concatenate([self.intro, intro, intro]),
            np.concatenate([self.affinity_time, np.full(n_new, day, np.float32)]),
        )

    def kind_names(self, index: NDArray[np.int64]) -> NDArray[np.str_]:
        """Kind names of ties `index`."""
        return np.asarray(TIE_KINDS)[self.kind[index]]
