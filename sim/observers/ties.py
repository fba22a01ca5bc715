"""The focal members' ties: those at the end of the run and those pruned during it (the
``ties`` table; docs/model.md 9)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim import ties as ties_module
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords
from sim.scenario import Scenario
from sim.table_schema import TIE_KINDS


class FocalTies(Observer):
    """The focal members' ties as they are at the end, and every pruned one as it was."""

    name = "ties"
    tables = ("ties",)

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.days = scenario.duration_days
        self.removed: list[dict[str, NDArray[Any]]] = []

    def ties_removed(self, state: State, removed: dict[str, NDArray[np.generic]]) -> None:
        self.removed.append(removed)

    def records(self, state: State) -> Arrays:
        """Columns of the ties table. A first interaction scheduled after the end of the
        run is written as NaN."""
        ties = state.ties
        _, rows = ties.rows(state.focal_ids)
        current = {name: getattr(ties, name)[rows] for name in ties_module.COLUMNS}
        current["removed_day"] = np.full(rows.size, np.nan)
        current["removal_minutes"] = np.zeros(rows.size)
        parts = [current, *self.removed]
        merged = {name: np.concatenate([p[name] for p in parts]) for name in current}
        first = merged["first_interaction"]
        return {
            "member_id": merged["src"].astype(np.int64),
            "partner_id": merged["dst"].astype(np.int64),
            "kind": np.asarray(TIE_KINDS)[merged["kind"]],
            "created_day": merged["created"].astype(np.float64),
            "intro_message": merged["intro"].astype(bool),
            "placed": merged["placed"].astype(bool),
            "personal_note": merged["note"].astype(bool),
            "first_interaction_day": np.where(first <= self.days, first, np.nan).astype(np.float64),
            "reached": merged["reached"].astype(bool),
            "within_two_hops": merged["two_hop"].astype(bool),
            "removed_day": merged["removed_day"].astype(np.float64),
            "removal_minutes": merged["removal_minutes"].astype(np.float64),
        }

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """One row per tie; ``reached`` is written as ``saw_member_post``."""
        kept = run.kept[FocalTies.name]  # attached to every run
        frame = pd.DataFrame(kept).rename(columns={"reached": "saw_member_post"})
        frame["kind"] = frame["kind"].astype("string")
        frame.insert(1, "member", run.focal_names(names, frame["member_id"].to_numpy()))
        return {"ties": frame}
