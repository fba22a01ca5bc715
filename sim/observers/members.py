"""Every member: field, arm, rates, and audience at the start and the end (the ``members``
table); attached only to runs with ``measure.members``. Audience is connections plus the
members following it who are not connected to it; the author groups of ``group_reach`` are
fixed from the start's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords
from sim.observers.pairs import followers_not_connected
from sim.scenario import Scenario


class Members(Observer):
    """Connections and followers at the start; the rest read at the end."""

    name = "members"
    tables = ("members",)

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.connections_start = np.zeros(state.n, np.int64)
        self.followers_start = np.zeros(state.n, np.int64)

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        return scenario.measure.members

    def start(self, state: State) -> None:
        self.connections_start = state.ties.degree().astype(np.int64).copy()
        self.followers_start = followers_not_connected(state)

    def records(self, state: State) -> Arrays:
        adopted = (
            state.trend.adopted_on.astype(np.float64)
            if state.trend is not None
            else np.full(state.n, np.nan)
        )
        return {
            "field": state.field.astype(np.int64),
            "arm": state.arm.astype(np.int64),
            "arm_names": np.asarray(state.arm_names, dtype=str),
            "connections_start": self.connections_start,
            "followers_start": self.followers_start,
            "connections_end": state.ties.degree().astype(np.int64).copy(),
            "followers_end": followers_not_connected(state),
            "post_rate": state.post_rate.astype(np.float64).copy(),
            "session_rate": state.session_rate.astype(np.float64).copy(),
            "adopted_day": adopted,
        }

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """One row per member; without rows when the run did not record members."""
        none = np.zeros(0, np.int64)
        kept = run.kept.get(Members.name) or {
            "arm_names": np.zeros(0, dtype=str),
            "field": none,
            "arm": none,
            "connections_start": none,
            "followers_start": none,
            "connections_end": none,
            "followers_end": none,
            "post_rate": np.zeros(0),
            "session_rate": np.zeros(0),
            "adopted_day": np.zeros(0),
        }
        topics = np.asarray(run.topics, dtype=object)
        arm_names = np.asarray(kept["arm_names"], dtype=object)
        frame = pd.DataFrame(
            {
                "member": np.arange(kept["field"].size, dtype=np.int64),
                "field": pd.Series(topics[kept["field"]], dtype="string"),
                "arm": pd.Series(arm_names[kept["arm"]], dtype="string"),
                **{
                    name: kept[name].astype(np.int64)
                    for name in (
                        "connections_start",
                        "followers_start",
                        "connections_end",
                        "followers_end",
                    )
                },
                **{
                    name: kept[name].astype(np.float64)
                    for name in ("post_rate", "session_rate", "adopted_day")
                },
            }
        )
        return {"members": frame}
