"""A new tie (docs/model.md 7.14, 7.21): added to the tie store with the platform's initial
affinity for it, and the platform learns from it (the connection term). Every way two
members connect (a focal member's answers and bursts, the trend's adopters) makes its ties
here, within the connection cap (docs/model.md 7.25)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim import beliefs
from sim.model import limits
from sim.model.learning import learn_from_connections
from sim.model.state import State
from sim.scenario import Platform


def add_ties(
    state: State,
    platform: Platform,
    src: NDArray[np.int32],
    dst: NDArray[np.int32],
    now: float,
    kind: NDArray[np.int8],
    strength: NDArray[np.float32],
    affinity_bonus: NDArray[np.float32] | None = None,
    **columns: NDArray[Any],
) -> None:
    """Ties src-dst made at `now`, of `kind` and true `strength`.

    The platform's affinity starts at ``a0(kind, same field)``
    (:func:`sim.beliefs.initial_affinity`) plus `affinity_bonus` where given (placed ties);
    other tie columns (intro, placed, note, first interaction) come in `columns`. Ties past
    the connection cap are refused first and counted on their `src` end
    (:func:`sim.model.limits.within_cap`). Whether the two ends had a connection in common
    just before (``two_hop``) is recorded. Both ends of each tie then learn from it
    (:func:`sim.model.learning.learn_from_connections`: toward the other's field, or the tie
    counted, by ``connection_rule``).
    """
    made = limits.within_cap(src, dst, state.ties.degree(), platform.limits.connection_cap)
    if not made.all():
        np.add.at(state.limits.capped, src[~made], 1)
        if not made.any():
            return
        src, dst, kind, strength = src[made], dst[made], kind[made], strength[made]
        affinity_bonus = None if affinity_bonus is None else affinity_bonus[made]
        columns = {name: column[made] for name, column in columns.items()}
    same_field = state.field[dst] == state.field[src]
    affinity = beliefs.initial_affinity(kind, same_field, platform.affinity)
    if affinity_bonus is not None:
        affinity = affinity + affinity_bonus
    two_hop = state.ties.share_a_connection(src, dst)
    state.ties.add(
        src, dst, now, kind=kind, strength=strength, affinity=affinity, two_hop=two_hop, **columns
    )
    learn_from_connections(
        state.theta, state.share_parts, state.field, src, dst, platform.inference
    )
