"""How a post reaches a viewer, and who its author is to the viewer (codes only, no logic).

A neutral, low-level module: the ranker (:mod:`sim.ranking`), members' behaviour
(:mod:`sim.behaviour`), the mechanisms of :mod:`sim.model` and the tables (:mod:`sim.metrics`)
share these codes without importing one another.
"""

from __future__ import annotations

import numpy as np

from sim.network import TIE_KINDS

ROUTES = ("tag", "network", "expansion", "follow", "activity", "recommended")
"""How a post reached a viewer's candidates, in order of precedence: a notification that
the viewer is tagged in it, fan-out to the test audience (or to all connections when the
test audience is off), the wider distribution after the test window, the viewer follows
the author (one-directional, no connection), a connection's engagement (network activity,
"X likes this"), or an out-of-network recommendation by inferred topic."""
TAG, NETWORK, EXPANSION, FOLLOW, ACTIVITY, RECOMMENDED = range(len(ROUTES))

SOURCES = (*TIE_KINDS, "follow", "second_degree", "out_of_network")
"""The viewer's relationship to the author: a tie kind, or not connected (an account the
viewer follows: follow, in-network as LinkedIn counts it; seen through a connection's
activity: second degree; recommended: out of network)."""
FOLLOWED = SOURCES.index("follow")
SECOND_DEGREE = SOURCES.index("second_degree")
OUT_OF_NETWORK = SOURCES.index("out_of_network")

GROUPS = ("peer", "stranger", "follow", "second_degree", "out_of_network")
"""Source groups of the posts table: the four peer kinds, strangers, followers who are not
connections, second degree, OON."""
GROUP_OF_SOURCE = np.array(
    [GROUPS.index("peer" if kind != "stranger" else kind) for kind in TIE_KINDS]
    + [GROUPS.index("follow"), GROUPS.index("second_degree"), GROUPS.index("out_of_network")],
    dtype=np.int64,
)
"""Group of each entry of :data:`SOURCES`."""
