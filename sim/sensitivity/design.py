"""The design of a sensitivity analysis: SALib sampling and SALib analysis.

:class:`Design` (the method and its options) with :func:`sample` and :func:`analyse`, thin
wrappers around SALib that the command and the known-answer test (the Ishigami function)
share. The sample lives in the space :mod:`sim.sensitivity.ranges` defines (linear or log
per parameter).

**Morris** (Morris 1991; Campolongo, Cariboni & Saltelli 2007): ``r`` trajectories of
``k + 1`` points on a ``p``-level grid of the unit cube; elementary effect
``EE_i = (y(x + Δ e_i) - y(x)) / Δ`` with ``Δ = p / (2 (p - 1))``; ``mu* = mean |EE_i|``
(importance), ``sigma = sd EE_i`` (non-linearity or interactions); ``mu*_conf`` is a
bootstrap 95% half-width (SALib.analyze.morris).

**Sobol** (Saltelli 2002; Saltelli et al. 2010): ``N (k + 2)`` points of a scrambled Sobol'
sequence (SALib.sample.sobol, the Saltelli scheme without second-order terms);
``S1_i = V[E(Y | X_i)] / V(Y)``, ``ST_i = E[V(Y | X_~i)] / V(Y)`` with bootstrap 95%
intervals (SALib.analyze.sobol).

**Emulator**: the same indices of a Gaussian process fitted to ``N`` points of a Sobol'
sequence and checked on ``N / 4`` more (:mod:`sim.sensitivity.emulator`), for analyses
whose runs are too dear for a converged Saltelli design.

**Noise**: no parameter is sampled; ``N`` runs at the scenario's own values, each with its
own random numbers, measure each outcome's run-to-run noise, against the spread of a
finished analysis's points (:mod:`sim.sensitivity.noise`): how many replications a point
would need.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.errors import InputError
from sim.sensitivity.emulator import analyse_emulated, design_points, holdout
from sim.sensitivity.noise import MIN_NOISE_RUNS, noise_coordinates
from sim.sensitivity.ranges import Parameter

METHODS = ("morris", "sobol", "emulator", "noise")
DEFAULT_SAMPLES = {"sobol": 64, "emulator": 64, "noise": 10}
"""``--samples`` when not given: the Sobol base sample, the emulator's training points, the
noise method's runs."""
MIN_SOBOL_SAMPLES = 16
"""Smallest Sobol base sample: below it the bootstrap intervals are meaningless."""
CONFIDENCE = 0.95
RESAMPLES = 1000
"""Bootstrap resamples of the SALib confidence intervals."""
MORRIS_COLUMNS = ("mu_star", "mu_star_conf", "sigma", "mu")
SOBOL_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf")


@dataclass(frozen=True)
class Design:
    """The method and its options.

    Attributes:
        method: ``morris``, ``sobol``, ``emulator`` or ``noise``.
        trajectories: Morris trajectories ``r`` (points: ``r (k + 1)``).
        levels: Morris grid levels ``p`` (even).
        samples: Sobol base sample ``N``, a power of 2 (points: ``N (k + 2)``); the
            emulator's training points ``N``, a power of 2 (points: ``N + N / 4``); the
            noise method's runs ``N`` (points: ``N``, one run each).
        seed: seed of the sample and of the bootstrap.
        against: the noise method's finished analysis to compare with (its results
            folder), or None.
    """

    method: str
    trajectories: int = 10
    levels: int = 4
    samples: int = 64
    seed: int = 0
    against: str | None = None

    def check(self) -> None:
        """Raise InputError naming the option for an unknown method or a bad size."""
        if self.method not in METHODS:
            raise InputError(
                "--method", self.method, "unknown method (morris, sobol, emulator or noise)"
            )
        if self.against is not None and self.method != "noise":
            raise InputError("--against", self.against, "only the noise method compares")
        if self.method == "noise":
            if self.samples < MIN_NOISE_RUNS:
                raise InputError(
                    "--samples",
                    str(self.samples),
                    f"the noise method needs at least {MIN_NOISE_RUNS} runs",
                )
        elif self.method == "morris":
            if self.trajectories < 2:
                raise InputError(
                    "--trajectories", str(self.trajectories), "Morris needs at least 2"
                )
            if self.levels < 2 or self.levels % 2:
                raise InputError("--levels", str(self.levels), "must be even and at least 2")
        else:
            n = self.samples
            what = "Sobol base sample" if self.method == "sobol" else "emulator's training"
            if n < 1 or n & (n - 1):
                raise InputError("--samples", str(n), f"the {what} must be a power of 2")
            if n < MIN_SOBOL_SAMPLES:
                raise InputError(
                    "--samples",
                    str(n),
                    f"too small: the {what} needs at least {MIN_SOBOL_SAMPLES} points",
                )

    def points(self, k: int) -> int:
        """Model evaluations for ``k`` parameters."""
        if self.method == "morris":
            return self.trajectories * (k + 1)
        if self.method == "emulator":
            return self.samples + holdout(self.samples)
        if self.method == "noise":
            return self.samples
        return self.samples * (k + 2)


def problem(parameters: list[Parameter]) -> dict[str, Any]:
    """The SALib problem: names (the paths) and bounds in the sampled space."""
    return {
        "num_vars": len(parameters),
        "names": [p.path for p in parameters],
        "bounds": [list(p.bounds) for p in parameters],
    }


def sample(design: Design, parameters: list[Parameter]) -> NDArray[np.float64]:
    """The SALib sample in the sampled space, one row per model evaluation."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    design.check()
    spec = problem(parameters)
    if design.method == "morris":
        x = morris_sample.sample(
            spec, design.trajectories, num_levels=design.levels, seed=design.seed
        )
    elif design.method == "emulator":
        x = design_points(parameters, design.samples, design.seed)
    elif design.method == "noise":
        x = noise_coordinates(design.samples)[:, None]  # the noise parameter's column alone
    else:
        x = sobol_sample.sample(spec, design.samples, calc_second_order=False, seed=design.seed)
    return np.asarray(x, dtype=np.float64)


def analyse(
    design: Design,
    parameters: list[Parameter],
    x: NDArray[np.float64],
    outcomes: dict[str, NDArray[np.float64]],
) -> pd.DataFrame:
    """Sensitivity indices of every outcome (SALib.analyze.morris or .sobol).

    An outcome with a missing value (NaN) at any point, or the same value at every point,
    gets NaN indices and a ``note`` saying why (Sobol indices divide by V(Y)); a constant
    outcome has Morris ``mu* = sigma = 0``.

    Args:
        design: the method and options the sample was drawn with.
        parameters: the parameters, in sample column order.
        x: the sample (:func:`sample`).
        outcomes: outcome name -> one value per row of ``x``.

    Returns:
        Columns ``method, parameter, outcome`` and the method's index columns
        (:data:`MORRIS_COLUMNS` or :data:`SOBOL_COLUMNS`) and ``note``.
    """
    columns = MORRIS_COLUMNS if design.method == "morris" else SOBOL_COLUMNS
    rows = []
    for name, y in outcomes.items():
        y = np.asarray(y, dtype=np.float64)
        note = ""
        if np.isnan(y).any():
            note = f"undefined at {int(np.isnan(y).sum())} of {y.size} points"
            indices = {c: np.full(len(parameters), np.nan) for c in columns}
        elif np.ptp(y) == 0 and design.method == "sobol":
            note = "the same value at every point"
            indices = {c: np.full(len(parameters), np.nan) for c in columns}
        else:
            indices = _salib(design, parameters, x, y)
        for i, p in enumerate(parameters):
            rows.append(
                {"method": design.method, "parameter": p.path, "outcome": name}
                | {c: float(indices[c][i]) for c in columns}
                | {"note": note}
            )
    return pd.DataFrame(rows, columns=["method", "parameter", "outcome", *columns, "note"])


def _salib(
    design: Design, parameters: list[Parameter], x: NDArray[np.float64], y: NDArray[np.float64]
) -> dict[str, NDArray[np.float64]]:
    """One outcome's indices from SALib, as arrays in parameter order."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    spec = problem(parameters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if design.method == "morris":
            result = morris_analyze.analyze(
                spec,
                x,
                y,
                num_resamples=RESAMPLES,
                conf_level=CONFIDENCE,
                num_levels=design.levels,
                seed=design.seed,
            )
            return {c: np.asarray(result[c], dtype=np.float64) for c in MORRIS_COLUMNS}
        result = sobol_analyze.analyze(
            spec,
            y,
            calc_second_order=False,
            num_resamples=RESAMPLES,
            conf_level=CONFIDENCE,
            seed=design.seed,
        )
    return {c: np.asarray(result[c], dtype=np.float64) for c in SOBOL_COLUMNS}


def convergence(
    design: Design,
    parameters: list[Parameter],
    x: NDArray[np.float64],
    outcomes: dict[str, NDArray[np.float64]],
) -> pd.DataFrame:
    """Sobol indices from the first ``n`` base samples, for ``n`` = 8, 16, ... up to ``N``:
    whether the indices have converged (their intervals narrow and their values settle as
    the sample grows; Sarrazin, Pianosi & Wagener 2016, Environ. Model. Softw. 79:135).

    The Saltelli sample is in blocks of ``k + 2`` rows, one block per base sample, so the
    first ``n (k + 2)`` rows are the design of base sample ``n`` (the Sobol' sequence is
    extensible: its first ``n`` points are the sequence of ``n``).

    Returns:
        The columns of :func:`analyse` and ``samples`` (the base sample ``n``).
    """
    k = len(parameters)
    frames = []
    n = 8
    while n <= design.samples:
        rows = n * (k + 2)
        part = {name: np.asarray(y)[:rows] for name, y in outcomes.items()}
        frame = analyse(replace(design, samples=n), parameters, x[:rows], part)
        frames.append(frame.assign(samples=n))
        n *= 2
    return pd.concat(frames, ignore_index=True)


def emulate(
    design: Design,
    parameters: list[Parameter],
    x: NDArray[np.float64],
    outcomes: dict[str, NDArray[np.float64]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The emulator method's indices (the columns of :func:`analyse`), its held-out check
    and its convergence table (those of :func:`convergence`), from the sample `x` of
    :func:`sample` (:func:`sim.sensitivity.emulator.analyse_emulated`)."""
    found, check, steps = analyse_emulated(parameters, x, outcomes, design.samples, design.seed)
    rows = []
    for name in outcomes:
        note = "" if name in found else "defined at too few points or the same at every point"
        for i, p in enumerate(parameters):
            values = {
                c: float(found[name][c][i]) if name in found else float("nan")
                for c in SOBOL_COLUMNS
            }
            rows.append(
                {"method": design.method, "parameter": p.path, "outcome": name}
                | values
                | {"note": note}
            )
    columns = ["method", "parameter", "outcome", *SOBOL_COLUMNS, "note"]
    return pd.DataFrame(rows, columns=columns), check, steps


def ishigami(x: NDArray[np.float64], a: float = 7.0, b: float = 0.1) -> NDArray[np.float64]:
    """The Ishigami function ``sin x1 + a sin^2 x2 + b x3^4 sin x1`` on ``[-pi, pi]^3``.

    Its Sobol indices are known in closed form (Ishigami & Homma 1990; Sobol' & Levitan
    1999): with ``V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2``, ``V1 = (1 + b pi^4/5)^2 / 2``,
    ``V2 = a^2/8``, ``V13 = b^2 pi^8 (1/18 - 1/50)``: for a = 7, b = 0.1,
    S1 = (0.314, 0.442, 0), ST = (0.558, 0.442, 0.244).
    """
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
