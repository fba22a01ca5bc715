"""Reading a session (docs/model.md 7.19): how far down the ranked list a session reads,
and the position of each item read within its session."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim import kernels


def session_depths(
    exponentials: NDArray[np.float64],
    count: NDArray[np.int64],
    depth_items: float,
    cap: int,
) -> NDArray[np.int64]:
    """Items each session would read, shape (members served, most sessions).

    A session reads item i (0 = top) with probability ``a(i) = exp(-i / lambda)`` and stops
    at the first item it does not reach: ``D = min(1 + floor(lambda E), K)`` with
    ``E ~ Exp(1)`` (so ``P(D > i) = exp(-i / lambda)``; position attention with lambda
    5-15, calibration-sources.md 4.5). K is ``feed_size``; sessions j >= c of a member with
    c sessions read nothing. ``exponentials`` has one Exp(1) draw per (member, session).
    """
    depth = np.minimum(np.floor(depth_items * exponentials).astype(np.int64) + 1, cap)
    used = np.arange(exponentials.shape[1])[None, :] < count[:, None]
    return np.where(used, depth, 0)


def positions(
    slot: NDArray[np.int64], rank: NDArray[np.int64], depths: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Session and position within the session of the item at `rank` of served member
    `slot`: a member's sessions read its ranked list in turn, session j the ranks from
    ``sum_{l<j} D_l`` on. Returns (session index, position)."""
    return kernels.session_positions(slot, rank, depths)


def items_read(depths: NDArray[np.int64], candidates: NDArray[np.int64]) -> NDArray[np.int64]:
    """Items each session actually reads, shape like `depths`: its depth, but no more than
    the served member's candidates left after its earlier sessions."""
    cum = np.cumsum(depths, axis=1)
    before = cum - depths
    return np.clip(candidates[:, None] - before, 0, depths)
