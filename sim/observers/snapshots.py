"""The focal members at each daily snapshot: the platform's inferred topic weights against
their true interests (the ``beliefs`` table) and their connections by kind, of them how many
partners ever saw one of their posts (the ``connections`` table; docs/model.md 9)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.hooks import Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords, cells
from sim.scenario import Scenario
from sim.table_schema import CONNECTION_COUNTS, TIE_KINDS


class Snapshots(Observer):
    """Focal ``theta`` after each day (focal, day + 1, topic) and focal connections by kind
    after each day, and of them those ever reached (focal, day + 1, kind, 2). Also marks,
    at every impression by a connection, that the viewer saw a post of the author
    (``Ties.reached``, which the ties table reports)."""

    name = "snapshots"
    tables = ("beliefs", "connections")

    def __init__(self, scenario: Scenario, state: State) -> None:
        focal, days = state.focal_ids.size, scenario.duration_days
        self.inferred = np.zeros((focal, days + 1, state.n_topics))
        self.connections = np.zeros(
            (focal, days + 1, len(TIE_KINDS), len(CONNECTION_COUNTS)), np.int64
        )

    def start(self, state: State) -> None:
        self.snapshot(state, 0)

    def day_end(self, state: State, day: int) -> None:
        self.snapshot(state, day)

    def snapshot(self, state: State, day: int) -> None:
        """The record after `day` days: focal members' inferred weights, their connections
        by kind, and of those how many partners ever saw one of their posts."""
        self.inferred[:, day] = state.theta[state.focal_ids]
        owner, edge = state.ties.rows(state.focal_ids)
        kind = state.ties.kind[edge]
        np.add.at(self.connections[:, day, :, 0], (owner, kind), 1)
        np.add.at(self.connections[:, day, :, 1], (owner, kind), state.ties.reached[edge])

    def shown(self, state: State, shown: Shown) -> None:
        """Mark the author -> viewer tie of every impression by a connection as reached."""
        edge = shown.seen.edge
        state.ties.reached[state.ties.reverse(edge[edge >= 0])] = True

    def records(self, state: State) -> Arrays:
        return {
            "inferred": self.inferred,
            "true_interest": state.interest[state.focal_ids].copy(),
            "connections": self.connections,
            "messages_sent": state.messages_sent.copy(),
            "invitations_refused": state.limits.refused[state.focal_ids],
            "notes_withheld": state.limits.withheld.copy(),
            "ties_refused_at_cap": state.limits.capped[state.focal_ids],
        }

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """``beliefs``: every focal member, snapshot day and topic; ``connections``: every
        focal member, snapshot day and kind, with the member's messages and what LinkedIn's
        limits refused it over the run."""
        kept = run.kept[Snapshots.name]  # attached to every run
        inferred, connections = kept["inferred"], kept["connections"]
        focal, day, topic = cells(inferred.shape)
        ids = run.focal_ids[focal]
        beliefs = pd.DataFrame(
            {
                "member_id": ids,
                "member": run.focal_names(names, ids),
                "day": day.astype(np.int64),
                "topic": pd.Series(np.asarray(run.topics)[topic], dtype="string"),
                "inferred_weight": inferred[focal, day, topic],
                "true_weight": kept["true_interest"][focal, topic],
            }
        )
        focal, day, kind = cells(connections.shape[:3])
        ids = run.focal_ids[focal]
        table = pd.DataFrame(
            {
                "member_id": ids,
                "member": run.focal_names(names, ids),
                "day": day.astype(np.int64),
                "kind": pd.Series(np.asarray(TIE_KINDS)[kind], dtype="string"),
                "connections": connections[focal, day, kind, 0],
                "connections_reached": connections[focal, day, kind, 1],
                "messages_sent_total": kept["messages_sent"][focal],
                "invitations_refused_total": kept["invitations_refused"][focal],
                "notes_withheld_total": kept["notes_withheld"][focal],
                "ties_refused_at_cap_total": kept["ties_refused_at_cap"][focal],
            }
        )
        return {"beliefs": beliefs, "connections": table}
