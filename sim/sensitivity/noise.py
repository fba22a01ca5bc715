"""How much of an outcome one run's chance decides: the run-to-run noise of each outcome at
the scenario's own values, against the spread of a finished analysis's points.

A global analysis apportions the variance of an outcome over its points. Where one run's
own noise is as large as that variance, no design of one replication a point can apportion
it (an emulator fails its held-out check, Sobol intervals stay as wide as the indices), and
the question is how many replications a point would need. The classical answer measures
the noise first, from replications at one point, and chooses the number of runs from it
(Lorscheid, Heine & Meyer 2012, Comput. Math. Organ. Theory 18:22; Lee et al. 2015, JASSS
18(4):4; Kleijnen 2015, Design and Analysis of Simulation Experiments, ch. 3):

1. **Runs.** ``n`` runs at the scenario's own values, each with its own random numbers (its
   own base seed, :func:`noise_coordinates`), every arm of a run on the same numbers; the
   outcome ``y_1 .. y_n`` (a level, or a paired difference of two arms).
2. **Noise.** ``s^2``, the sample variance of ``y``; its 95% interval
   ``(n - 1) s^2 / chi2_{0.975, n-1}`` to ``(n - 1) s^2 / chi2_{0.025, n-1}`` (normal
   outcomes; the interval is wider where runs have heavy tails).
3. **Against an analysis** of the same scenario whose points have ``R`` replications each
   (a point's outcome is the mean of ``R`` runs) and vary by ``V`` over its ``m`` points:
   the noise share ``eta = s^2 / (R V)`` (about 1 or more: two runs of one point differ by
   as much as the points do); the signal ``V_f = V - s^2 / R``, the variance the
   parameters make.
4. **Replications a point needs.** With ``R'`` replications a point, no emulator predicts
   more than ``Q^2_max = V_f / (V_f + s^2 / R')`` of held-out points' variance (their noise
   cannot be predicted), so reaching :data:`sim.sensitivity.emulator.READABLE_Q2` ``= q``
   needs ``R' >= q / (1 - q) * s^2 / V_f``; none where ``V_f <= 0`` (the points vary no
   more than the noise of their runs).

The noise at the scenario's values stands for the noise at every point (homoscedastic
runs); where a parameter widens or narrows the noise, ``eta`` is the share at the defaults
only, which docs/sensitivity.md says where it quotes one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.errors import InputError
from sim.sensitivity.emulator import READABLE_Q2
from sim.sensitivity.outcomes import Outcome

MIN_NOISE_RUNS = 3
"""Fewest runs a noise estimate is made of (a variance with 2 degrees of freedom)."""
NOISE_COLUMNS = (
    "outcome",
    "runs",
    "mean",
    "sd",
    "sd_low",
    "sd_high",
    "holds",
    "against_points",
    "against_replications",
    "against_sd",
    "noise_share",
    "noise_share_low",
    "noise_share_high",
    "q2_max",
    "replications_needed",
)
"""The noise table's columns (the ``against_*`` and later ones NaN without an analysis)."""


def noise_coordinates(runs: int) -> NDArray[np.float64]:
    """The noise parameter of each of `runs` runs, evenly spaced in (0, 1): each run's base
    seed is the study's plus ``round(u * SEED_SPAN)`` (:func:`sim.sensitivity.outcomes.point_seed`),
    so every run has its own random numbers."""
    return (np.arange(runs, dtype=np.float64) + 0.5) / runs


@dataclass(frozen=True)
class Spread:
    """A finished analysis's outcomes over its points (step 3).

    Attributes:
        folder: the analysis's results folder.
        points: one row per point, one column per outcome (its ``tables/points.parquet``).
        replications: the replications behind each point's outcome.
    """

    folder: Path
    points: pd.DataFrame
    replications: int


def read_spread(folder: Path, scenario_name: str) -> Spread:
    """The points of a finished sensitivity analysis of the scenario named `scenario_name`.

    Raises:
        InputError: naming the folder: no manifest or points table, not a sensitivity
            analysis, or an analysis of another scenario.
    """
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(folder, "manifest.json", f"cannot be read ({exc})") from None
    if data.get("analysis") != "sensitivity" or data.get("method") == "noise":
        raise InputError(folder, "manifest.json", "not a sensitivity analysis over sampled points")
    name = data.get("scenario_name")
    if name != scenario_name:
        raise InputError(
            folder, "manifest.json", f"an analysis of {name!r}, not of {scenario_name!r}"
        )
    table = folder / "tables" / "points.parquet"
    if not table.is_file():
        raise InputError(
            folder, "tables/points.parquet", "missing (re-run the analysis to write its tables)"
        )
    return Spread(folder, pd.read_parquet(table), int(data["replications"]))


def replications_needed(noise: float, signal: float, q2: float = READABLE_Q2) -> float:
    """Step 4: the fewest replications a point needs for ``Q^2_max >= q2``, given the noise
    variance of one run and the signal variance of the points; ``inf`` without a signal."""
    if not signal > 0:
        return math.inf
    return float(math.ceil(q2 / (1.0 - q2) * noise / signal - 1e-12))


def noise_table(
    values: pd.DataFrame, outcomes: list[Outcome], spread: Spread | None = None
) -> pd.DataFrame:
    """Steps 2-4 for every outcome.

    Args:
        values: one row per run at the scenario's values, one column per outcome (the
            analysis's ``points`` table: each of its points is one run).
        outcomes: the outcomes (columns of ``values``).
        spread: the analysis to compare with, or None.

    Returns:
        One row per outcome, the columns :data:`NOISE_COLUMNS`: the runs the outcome is
        defined in, their mean, the noise ``s`` with its 95% interval, the share of runs in
        which the claim holds, and against the analysis: its points and replications, the
        standard deviation over its points ``sqrt(V)``, ``eta`` with the interval ``s``'s
        gives it, ``Q^2_max`` at its replications, and the replications needed.
    """
    from scipy.stats import chi2

    rows = []
    for outcome in outcomes:
        y = values[outcome.name].to_numpy(dtype=np.float64)
        y = y[~np.isnan(y)]
        n = int(y.size)
        row: dict[str, float | str] = dict.fromkeys(NOISE_COLUMNS, math.nan)
        row |= {"outcome": outcome.name, "runs": n}
        if n >= 2:
            var = float(np.var(y, ddof=1))
            low = (n - 1) * var / float(chi2.ppf(0.975, n - 1))
            high = (n - 1) * var / float(chi2.ppf(0.025, n - 1))
            row |= {
                "mean": float(y.mean()),
                "sd": math.sqrt(var),
                "sd_low": math.sqrt(low),
                "sd_high": math.sqrt(high),
                "holds": float(outcome.holds_at(y).mean()),
            }
            if spread is not None and outcome.name in spread.points.columns:
                row |= _against(var, (low, high), spread, outcome.name)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(NOISE_COLUMNS))


def _against(
    var: float, interval: tuple[float, float], spread: Spread, name: str
) -> dict[str, float]:
    """Step 3 and 4 of one outcome with noise variance `var` (its interval `interval`)."""
    points = spread.points[name].to_numpy(dtype=np.float64)
    points = points[~np.isnan(points)]
    r = spread.replications
    total = float(np.var(points, ddof=1)) if points.size >= 2 else math.nan
    signal = total - var / r
    return {
        "against_points": float(points.size),
        "against_replications": float(r),
        "against_sd": math.sqrt(total) if total >= 0 else math.nan,
        "noise_share": var / (r * total),
        "noise_share_low": interval[0] / (r * total),
        "noise_share_high": interval[1] / (r * total),
        "q2_max": max(signal, 0.0) / (max(signal, 0.0) + var / r),
        "replications_needed": replications_needed(var, signal),
    }
