"""Notifications (docs/model.md 7.20): a post and engagements on it notify some of the
members they were delivered to, which brings them into a session soon after."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State
from sim.scenario import Notifications
from sim.table_schema import HOURS_PER_DAY


def notify_rows(
    state: State, first_row: int, fraction: float, delay_hours: float, rng: np.random.Generator
) -> None:
    """Notify the viewers of the pool rows appended since `first_row`.

    Each row's viewer is notified with probability ``fraction`` (u < fraction, one uniform
    per row) and opens a session at ``available + delay``, ``delay ~ Exp(mean
    delay_hours)`` (one Exp(1) draw per row, used or not), kept in ``state.pending``.
    """
    rows = np.arange(first_row, state.pool.size)
    chosen = rng.random(rows.size) < fraction
    delay = rng.exponential(1.0, rows.size) * delay_hours / HOURS_PER_DAY
    pool = state.pool
    state.pending.append(
        member=pool["viewer"][rows[chosen]], time=pool["available"][rows[chosen]] + delay[chosen]
    )


def due_sessions(
    state: State, start: float, end: float
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The notification sessions that fall before `end`, removed from ``state.pending``:
    members and times (a time before `start`, from a notification sent after its slice was
    served, is moved to `start`)."""
    pending = state.pending
    due = pending["time"][: pending.size] < end
    members = pending["member"][due].astype(np.int64)
    times = np.maximum(pending["time"][due], start)
    pending.keep(~due)
    return members, times


def notify(
    state: State, first_row: int, fraction: float, settings: Notifications, rng: np.random.Generator
) -> None:
    """:func:`notify_rows` when notifications are on (no draw when off)."""
    if settings.enabled and state.pool.size > first_row:
        notify_rows(state, first_row, fraction, settings.delay_hours, rng)
