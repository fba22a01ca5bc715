"""Each claim over the levels of the structural options an analysis samples.

A categorical parameter (:class:`sim.sensitivity.ranges.Parameter` with ``levels``) is a
structural option no source decides (docs/model.md 7.26). Its sensitivity index says how
much the choice matters; this table says what each choice gives: per level, the sampled
points at that level, the share of them where each claim holds and the outcome's mean there.
A claim's verdict is then a range over structure and parameters: from the level where it
holds least often to the level where it holds most often, the other parameters sampled
over their ranges in both.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.sensitivity.outcomes import Outcome
from sim.sensitivity.ranges import Parameter

COLUMNS = ["parameter", "level", "outcome", "claim", "points", "holds", "share", "mean"]
"""The columns of the structure table."""


def claims_by_level(
    outcomes: Sequence[Outcome], parameters: Sequence[Parameter], points: pd.DataFrame
) -> pd.DataFrame:
    """Per categorical parameter, level and outcome: where the claim holds.

    Args:
        outcomes: the outcomes (columns of ``points``).
        parameters: the sampled parameters; only the categorical ones are read.
        points: one row per point with each parameter's value (its ``column``) and each
            outcome (:func:`sim.sensitivity.outcomes.point_outcomes`).

    Returns:
        :data:`COLUMNS`: ``points`` counts the points at the level where the outcome is
        defined, ``holds`` those where its claim holds, ``share`` their ratio (NaN for none)
        and ``mean`` the outcome's mean over them. Empty without a categorical parameter.
    """
    rows = []
    for parameter in parameters:
        if not parameter.categorical:
            continue
        column = points[parameter.column].to_numpy()
        for level in parameter.levels:
            at_level = np.array([value == level for value in column], dtype=bool)
            for outcome in outcomes:
                values = points[outcome.name].to_numpy(dtype=np.float64)[at_level]
                values = values[~np.isnan(values)]
                holds = int(outcome.holds_at(values).sum())
                rows.append(
                    {
                        "parameter": parameter.path,
                        "level": str(level),
                        "outcome": outcome.name,
                        "claim": outcome.claim,
                        "points": int(values.size),
                        "holds": holds,
                        "share": holds / values.size if values.size else float("nan"),
                        "mean": float(values.mean()) if values.size else float("nan"),
                    }
                )
    return pd.DataFrame(rows, columns=COLUMNS)
