"""How a contagion spread, run by run, for the validation of docs/validation.md study 3: the
share adopted at the end, the first day half the members had adopted, and the exposure check
(did the connections of a new adopter see its calls in time?).

Every function reads the ``adoption`` or ``exposure`` table of a results folder (with a
``point`` column when it comes from a sweep) and returns one row per run, keyed by
:func:`run_keys`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.table_schema import EXPOSURE_DAYS

HALF = 0.5
"""The adopter share whose first day :func:`half_adoption_day` finds."""


def run_keys(table: pd.DataFrame) -> list[str]:
    """The columns that name a run: ``point`` (sweeps), ``variant`` and ``replication``."""
    return [c for c in ("point", "variant", "replication") if c in table.columns]


def final_share(adoption: pd.DataFrame) -> pd.DataFrame:
    """The adopter share at the last snapshot of each run (day D, the end of the run):
    columns the run keys and ``share``."""
    keys = run_keys(adoption)
    last = adoption.sort_values("day").groupby(keys, sort=True).tail(1)
    return (
        last[[*keys, "adopter_share"]]
        .rename(columns={"adopter_share": "share"})
        .reset_index(drop=True)
    )


def half_adoption_day(adoption: pd.DataFrame, level: float = HALF) -> pd.DataFrame:
    """The first snapshot day at which the adopter share reaches `level` (half the members),
    per run; a run that never reaches it is censored at its last day D (``censored`` True,
    ``day`` D). Columns: the run keys, ``day`` (float) and ``censored``."""
    keys = run_keys(adoption)
    rows = []
    for key, run in adoption.sort_values("day").groupby(keys, sort=True):
        reached = run["day"][run["adopter_share"] >= level]
        censored = reached.empty
        day = float(run["day"].max()) if censored else float(reached.iloc[0])
        rows.append((*np.atleast_1d(np.asarray(key, dtype=object)), day, censored))
    return pd.DataFrame(rows, columns=[*keys, "day", "censored"])


def exposure_share(exposure: pd.DataFrame, duration_days: int) -> float:
    """The exposure check: of the (new adopter, connection) pairs, the share in which the
    connection had an impression of a call of the adopter within 2 days of the adoption,
    ``sum(exposed) / sum(pairs)`` over the adoptions at least ``EXPOSURE_DAYS`` before the
    end of the run (a later adopter's window is cut by the end). NaN without pairs."""
    window = exposure[exposure["day"] <= duration_days - EXPOSURE_DAYS]
    pairs = int(window["pairs"].sum())
    return float(window["exposed"].sum()) / pairs if pairs else float("nan")
