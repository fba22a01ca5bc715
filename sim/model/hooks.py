"""The fixed points of a run where the engine calls optional submodels and the observers
that record it, and what happened there as the mechanisms return it.

A :class:`Hooks` subclass overrides the points it needs; the engine calls every attached
one at each point, submodels (the trend) before observers, in the order they were
attached. A hook may change what the model reads only if it is a submodel; an observer
keeps its own records and writes nothing the model reads (the one exception in kind is the
``reached`` flag the tie store keeps for the ties table, which no mechanism reads).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State
from sim.ranking import Candidates


@dataclass(frozen=True)
class Impressions:
    """The items shown in a slice (one row per impression)."""

    viewer: NDArray[np.int64]
    post: NDArray[np.int64]
    topic: NDArray[np.int16]
    source: NDArray[np.int8]
    edge: NDArray[np.int64]
    proof: NDArray[np.int64]
    when: NDArray[np.float64]
    tagged: NDArray[np.bool_]

    def select(self, keep: NDArray[np.bool_]) -> Impressions:
        """The impressions where `keep` is True."""
        return Impressions(**{f.name: getattr(self, f.name)[keep] for f in fields(self)})


@dataclass(frozen=True)
class Served:
    """The members served in a slice and the size of their sessions.

    Attributes:
        viewers: each served member (distinct).
        time: its first session time in the slice (day).
        count: its sessions in the slice.
        notified: sessions of the slice brought by notifications.
        candidates: the candidates of each served member's ranked list (its sessions share
            it), after the first pass.
        read: items each session reads, shape (served, most sessions a slice); columns
            beyond ``count`` are unused.
        cut: the candidates the first pass removed from each served member's list before
            ranking (0 without a first pass).
    """

    viewers: NDArray[np.int64]
    time: NDArray[np.float64]
    count: NDArray[np.int64]
    notified: int
    candidates: NDArray[np.int64]
    read: NDArray[np.int64]
    cut: NDArray[np.int64]


@dataclass(frozen=True)
class Shown:
    """A slice's impressions with what came of them.

    Attributes:
        seen: the impressions.
        primary: the candidate came by the network route (test audience or all connections).
        engaged: the viewer liked, commented on or shared it.
    """

    seen: Impressions
    primary: NDArray[np.bool_]
    engaged: NDArray[np.bool_]


class Hooks:
    """The points of a run a submodel or an observer can attach to; each does nothing here.

    In a day, in order: :meth:`day_start` (before the day's first slice), then for every
    slice :meth:`served` (sessions and their sizes), :meth:`ranked` (their candidates),
    :meth:`shown` (impressions and
    reactions) and :meth:`engaged` (the engagements, before the platform learns from them);
    scripted pruning calls :meth:`ties_removed`; :meth:`day_end` after the day's last
    slice. :meth:`start` comes once before the first day.
    """

    def start(self, state: State) -> None:
        """The state at time 0, before anything happens."""

    def day_start(self, state: State, day: int) -> None:
        """The start of `day`, after the scripted events and invitations of that instant."""

    def served(self, state: State, served: Served) -> None:
        """A slice's served members and the sizes of their sessions."""

    def ranked(self, state: State, candidates: Candidates) -> None:
        """A slice's candidates with their features, after the first pass and before the
        ranker orders them: one row per (viewer, post) that the served members' sessions of
        the slice choose from."""

    def shown(self, state: State, shown: Shown) -> None:
        """A slice's impressions and which of them were engaged with."""

    def engaged(self, state: State, engaged: Impressions, action: NDArray[np.int8]) -> None:
        """A slice's engagements and their actions (:mod:`sim.behaviour` codes)."""

    def ties_removed(self, state: State, removed: dict[str, NDArray[np.generic]]) -> None:
        """Ties a member pruned, as they were (columns of :data:`sim.ties.COLUMNS`, with
        ``removed_day`` and ``removal_minutes``)."""

    def day_end(self, state: State, day: int) -> None:
        """After `day` days (1 … duration): the end of day ``day - 1``."""
