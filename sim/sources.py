"""How a post reaches a viewer, and who its author is to the viewer (codes only, no logic).

A neutral, low-level module: the ranker (:mod:`sim.ranking`), members' behaviour
(:mod:`sim.behaviour`), the mechanisms of :mod:`sim.model` and the tables (:mod:`sim.metrics`)
share these codes without importing one another.
"""

from __future__ import annotations

import numpy as np

from sim.network import TIE_KINDS

ROUTES = ("tag", "network", "expansion", "activity", "recommended")
"""How a post reached a viewer's candidates, in order of precedence: a notification that
the viewer is tagged in it, fan-out to the test audience (or to all connections when the
test audience is off), the wider distribution after the test window, a connection's
engagement (network activity, "X likes this"), or an out-of-network recommendation by
inferred topic."""
TAG, NETWORK, EXPANSION, ACTIVITY, RECOMMENDED = range(len(ROUTES))

SOURCES = (*TIE_KINDS, "second_degree", "out_of_network")
"""The viewer's relationship to the author: a tie kind, or not connected (seen through a
connection's activity: second degree; recommended: out of network)."""
SECOND_DEGREE = SOURCES.index("second_degree")
OUT_OF_NETWORK = SOURCES.index("out_of_network")

GROUPS = ("peer", "stranger", "second_degree", "out_of_network")
"""Source groups of the posts table: the four peer kinds, strangers, second degree, OON."""
GROUP_OF_SOURCE = np.array(
    [GROUPS.index("peer" if kind != "stranger" else kind) for kind in TIE_KINDS]
    + [GROUPS.index("second_degree"), GROUPS.index("out_of_network")],
    dtype=np.int64,
)
"""Group of each entry of :data:`SOURCES`."""
