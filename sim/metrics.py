"""Records of a run -> tidy tables, each built by the observer that kept its records.

Every row carries the study's identifiers: scenario, variant, replication and seed. Rows
about a focal member carry its ``member_id`` (which changes between replications) and its
scenario name, ``member``. Every table has exactly the columns
:data:`sim.table_schema.TABLES` declares, in that order (docs/tables.md lists them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.observers import OBSERVERS, RunRecords
from sim.table_schema import TABLES as SCHEMA

TABLES = tuple(SCHEMA)
"""The names of the tables every run writes, in the order results folders list them."""


def _with_ids(
    frame: pd.DataFrame, scenario: str, variant: str, replication: int, seed: int
) -> pd.DataFrame:
    ids = pd.DataFrame(
        {
            "scenario": pd.Series([scenario] * len(frame), dtype="string"),
            "variant": pd.Series([variant] * len(frame), dtype="string"),
            "replication": np.full(len(frame), replication, np.int64),
            "seed": np.full(len(frame), seed, np.int64),
        }
    )
    return pd.concat([ids, frame.reset_index(drop=True)], axis=1)


def tables(
    records: RunRecords,
    scenario: str,
    variant: str,
    replication: int,
    seed: int,
    focal_names: Sequence[str] = (),
) -> dict[str, pd.DataFrame]:
    """All tables of one run, each row with the run's identifiers, in :data:`TABLES` order.

    ``focal_names``: the focal members' scenario names, in the order of
    ``records.focal_ids`` (the scenario's order); they fill the ``member`` columns.

    Raises:
        RuntimeError: when a table's columns are not those the schema declares (a bug in
            an observer, never bad input).
    """
    built: dict[str, pd.DataFrame] = {}
    for observer in OBSERVERS:
        built.update(observer.build(records, focal_names))
    out = {}
    for name in TABLES:
        frame = _with_ids(built[name], scenario, variant, replication, seed)
        if tuple(frame.columns) != SCHEMA[name].names:
            raise RuntimeError(
                f"table {name}: columns {list(frame.columns)} differ from the schema's"
                f" {list(SCHEMA[name].names)}"
            )
        out[name] = frame
    return out
