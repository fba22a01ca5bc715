"""How a post reaches a viewer, and who its author is to the viewer (codes only, no logic).

A neutral, low-level module: the ranker (:mod:`sim.ranking`), members' behaviour
(:mod:`sim.behaviour`), the mechanisms of :mod:`sim.model` and the tables (:mod:`sim.metrics`)
share these codes without importing one another.
"""

from __future__ import annotations

import numpy as np

from sim.table_schema import GROUPS, SOURCES, TIE_KINDS

ROUTES = ("tag", "network", "expansion", "follow", "activity", "recommended")
"""How a post reached a viewer's candidates, in order of precedence: a notification that
the viewer is tagged in it, fan-out to the test audience (or to all connections when the
test audience is off), the wider distribution after the test window, the viewer follows
the author (one-directional, no connection), a connection's engagement (network activity,
"X likes this"), or an out-of-network recommendation by inferred topic."""
TAG, NETWORK, EXPANSION, FOLLOW, ACTIVITY, RECOMMENDED = range(len(ROUTES))

# Codes into sim.table_schema.SOURCES (who the author is to the viewer) and GROUPS.
FOLLOWED = SOURCES.index("follow")
SECOND_DEGREE = SOURCES.index("second_degree")
OUT_OF_NETWORK = SOURCES.index("out_of_network")

GROUP_OF_SOURCE = np.array(
    [GROUPS.index("peer" if kind != "stranger" else kind) for kind in TIE_KINDS]
    + [GROUPS.index("follow"), GROUPS.index("second_degree"), GROUPS.index("out_of_network")],
    dtype=np.int64,
)
"""Group (index into :data:`sim.table_schema.GROUPS`) of each entry of
:data:`sim.table_schema.SOURCES`."""
