"""Sobol indices through an emulator: a Gaussian process fitted to the runs, checked on runs
it was not fitted to, then sampled where the simulation cannot afford to be.

A Saltelli design needs ``N (k + 2)`` points; with ten factors and runs of 20 s that is 15
core-hours at N = 32, and its intervals are still wide. The emulator route (Kennedy &
O'Hagan 2001; Oakley & O'Hagan 2004, J. R. Stat. Soc. B 66(3):751; Marrel et al. 2009,
Reliab. Eng. Syst. Saf. 94(3):742) spends the runs on a space-filling design instead:

1. **Design.** The first ``N + N/4`` points of a scrambled Sobol' sequence over the sampled
   space (:func:`design_points`); the first ``N`` train the emulator, the last ``N/4`` are
   held out.
2. **Emulator.** For each outcome, a Gaussian process on the points' coordinates in the unit
   cube (a structural option by its level index, 0 to 1): ``y(x) = f(x) + e``, ``f ~ GP(0,
   s^2 exp(-sum_i (x_i - x'_i)^2 / (2 l_i^2)))`` (one length ``l_i`` a factor: automatic
   relevance determination), ``e ~ N(0, t^2)`` the run-to-run noise, all fitted by maximum
   likelihood (scikit-learn's ``GaussianProcessRegressor``, outcomes standardised).
3. **Check.** On the held-out points: ``Q^2 = 1 - sum (y - m)^2 / sum (y - mean y)^2``
   (the share of their variance the emulator predicts) and the share of them inside its
   95% predictive interval ``m +/- 1.96 sqrt(v + t^2)``. The noise share ``t^2 / (s^2 +
   t^2)`` bounds ``Q^2`` from above: a held-out run's own noise cannot be predicted. An
   outcome's indices are read only where ``Q^2 >=`` :data:`READABLE_Q2`.
4. **Indices.** ``S1_i = V[E(f | X_i)] / V(f)`` and ``ST_i = E[V(f | X_~i)] / V(f)`` of the
   emulator's mean ``m(x)``, by SALib's Saltelli estimator at a base sample of
   :data:`EMULATOR_SAMPLES` (Saltelli et al. 2010), the same problem as the design's. They
   are indices of the signal: the noise ``t^2`` is the noise floor, and the noise
   parameter (a coordinate that only moves seeds) should get an index near 0.
5. **Intervals.** The emulator's own uncertainty (Oakley & O'Hagan 2004; Le Gratiet,
   Cannamela & Iooss 2014, SIAM/ASA J. Uncertain. Quantif. 2:336): the indices of
   :data:`DRAWS` functions drawn jointly from its posterior at a smaller Saltelli sample,
   whose 2.5 and 97.5 percentiles bound each index; the ``_conf`` columns are the
   half-widths, as SALib's are.
6. **Convergence.** The indices from the first ``n`` training points, n = 16, 32, ... N
   (the Sobol' sequence is extensible: its first n points are space-filling too).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.sensitivity.ranges import Parameter

HOLDOUT_SHARE = 4
"""One held-out point for every this many training points (N / 4)."""
EMULATOR_SAMPLES = 4096
"""Base sample of the Saltelli estimator on the emulator (N (k + 2) predictions)."""
DRAWS = 200
"""Functions drawn from the emulator's posterior for its indices' intervals."""
DRAW_SAMPLES = 128
"""Base sample of the Saltelli estimator on each posterior draw (joint draws at
``DRAW_SAMPLES (k + 2)`` inputs)."""
RESTARTS = 2
"""Random restarts of the likelihood's optimiser."""
FIRST_SIZE = 16
"""Smallest training size of the convergence table."""
STEP_COLUMNS = (
    "method",
    "parameter",
    "outcome",
    "S1",
    "S1_conf",
    "ST",
    "ST_conf",
    "note",
    "samples",
)
"""The convergence table's columns (those of a Sobol analysis's)."""
READABLE_Q2 = 0.7
"""feedsim reads an emulator's indices only where it predicts at least this share of the
held-out runs' variance (a choice, stated in docs/sensitivity.md: an outcome dominated by
run-to-run noise cannot reach it and needs replicated points instead)."""
EMULATOR_COLUMNS = ("outcome", "training", "held_out", "q2", "coverage", "noise_share", "readable")


def holdout(samples: int) -> int:
    """Held-out points of a design of `samples` training points."""
    return max(samples // HOLDOUT_SHARE, 1)


def design_points(parameters: Sequence[Parameter], samples: int, seed: int) -> NDArray[np.float64]:
    """The first ``samples + holdout(samples)`` points of a scrambled Sobol' sequence,
    scaled into each parameter's sampled bounds (scipy.stats.qmc); `samples` is a power of
    2, so the training points are balanced."""
    from scipy.stats import qmc

    engine = qmc.Sobol(d=len(parameters), scramble=True, seed=seed)
    training = engine.random_base2(int(math.log2(samples)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # held out: balance is not needed
        held_out = engine.random(holdout(samples))
    unit = np.vstack([training, held_out])
    low = np.array([p.bounds[0] for p in parameters])
    high = np.array([p.bounds[1] for p in parameters])
    return np.asarray(low + unit * (high - low), dtype=np.float64)


def unit_coordinates(
    parameters: Sequence[Parameter], x: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The emulator's inputs: each coordinate's place in its bounds, 0 to 1, and a structural
    option's level index over its last (the model sees the level, not the coordinate)."""
    out = np.empty_like(x, dtype=np.float64)
    for j, p in enumerate(parameters):
        low, high = p.bounds
        u = (x[:, j] - low) / (high - low)
        if p.categorical:
            levels = len(p.levels)
            u = np.minimum((u * levels).astype(np.int64), levels - 1) / max(levels - 1, 1)
        out[:, j] = u
    return out


@dataclass(frozen=True)
class Fit:
    """A fitted emulator of one outcome: the regressor (fitted to the outcome standardised,
    ``(y - shift) / scale``) and the share of the variance its kernel gives the noise."""

    model: Any
    shift: float
    scale: float
    noise_share: float

    def predict(self, u: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Mean and predictive standard deviation (signal and noise) at inputs `u`."""
        mean, sd = self.model.predict(u, return_std=True)
        return self.shift + self.scale * np.asarray(mean), self.scale * np.asarray(sd)


def fit(u: NDArray[np.float64], y: NDArray[np.float64], seed: int) -> Fit:
    """The Gaussian process of step 2, fitted to inputs `u` and outcome `y` by maximum
    likelihood (the best of :data:`RESTARTS` + 1 starts of the optimiser)."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, WhiteKernel
    from sklearn.gaussian_process.kernels import ConstantKernel as Constant

    k = u.shape[1]
    shift, scale = float(y.mean()), float(y.std()) or 1.0
    kernel = Constant(1.0, (1e-3, 1e3)) * RBF(np.ones(k), (1e-2, 1e3)) + WhiteKernel(
        0.1, (1e-6, 10.0)
    )
    model = GaussianProcessRegressor(
        kernel,
        normalize_y=False,
        n_restarts_optimizer=RESTARTS,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # length scales at their bounds: a flat factor
        model.fit(u, (y - shift) / scale)
    signal = float(model.kernel_.k1.k1.constant_value)
    noise = float(model.kernel_.k2.noise_level)
    return Fit(model, shift, scale, noise / (signal + noise))


def check(emulator: Fit, u: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float]:
    """Step 3 on held-out inputs `u` and outcomes `y`: ``Q^2`` and the share inside the 95%
    predictive interval."""
    mean, sd = emulator.predict(u)
    spread = float(np.sum((y - y.mean()) ** 2))
    q2 = 1.0 - float(np.sum((y - mean) ** 2)) / spread if spread > 0 else float("nan")
    inside = np.abs(y - mean) <= 1.96 * sd
    return q2, float(inside.mean())


def _problem(parameters: Sequence[Parameter]) -> dict[str, Any]:
    """The SALib problem of the design's sampled space."""
    return {
        "num_vars": len(parameters),
        "names": [p.path for p in parameters],
        "bounds": [list(p.bounds) for p in parameters],
    }


def _saltelli(
    parameters: Sequence[Parameter], y: NDArray[np.float64], seed: int
) -> dict[str, NDArray[np.float64]]:
    """S1 and ST from values `y` at a Saltelli sample (SALib's estimator)."""
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = sobol_analyze.analyze(
            _problem(parameters), y, calc_second_order=False, num_resamples=2, seed=seed
        )
    return {"S1": np.asarray(result["S1"]), "ST": np.asarray(result["ST"])}


def _saltelli_inputs(parameters: Sequence[Parameter], base: int, seed: int) -> NDArray[np.float64]:
    """The emulator's inputs at a Saltelli sample of base `base` (SALib.sample.sobol)."""
    from SALib.sample import sobol as sobol_sample

    x = sobol_sample.sample(_problem(parameters), base, calc_second_order=False, seed=seed)
    return unit_coordinates(parameters, np.asarray(x, dtype=np.float64))


def signal_draws(
    emulator: Fit, u: NDArray[np.float64], draws: int, seed: int
) -> NDArray[np.float64]:
    """`draws` functions f from the emulator's posterior at inputs `u` (one a row), without
    the noise e: mean ``m = k(u, X) alpha``, covariance ``k(u, u) - k(u, X) (K + t^2 I)^-1
    k(X, u)`` of the signal kernel k, through its Cholesky factor."""
    from scipy.linalg import solve_triangular

    model = emulator.model
    signal = model.kernel_.k1
    cross = signal(u, model.X_train_)
    mean = cross @ model.alpha_
    v = solve_triangular(model.L_, cross.T, lower=True)
    cov = signal(u) - v.T @ v
    factor = _cholesky(cov)
    z = np.random.default_rng(seed).standard_normal((u.shape[0], draws))
    return emulator.shift + emulator.scale * np.asarray(mean[:, None] + factor @ z).T


def _cholesky(cov: NDArray[np.float64]) -> NDArray[np.float64]:
    """The Cholesky factor of a posterior covariance, with a jitter on its diagonal grown
    from 1e-10 of its mean variance until it factors (a smooth emulator's posterior is
    nearly singular)."""
    scale = max(float(np.mean(np.diag(cov))), 1e-12)
    jitter = 1e-10
    while True:
        try:
            factor = np.linalg.cholesky(cov + jitter * scale * np.eye(cov.shape[0]))
            return np.asarray(factor, dtype=np.float64)
        except np.linalg.LinAlgError:
            if jitter >= 1e-2:
                raise
            jitter *= 10


def indices(
    parameters: Sequence[Parameter], emulator: Fit, seed: int
) -> dict[str, NDArray[np.float64]]:
    """Steps 4 and 5 from a fitted emulator: S1 and ST of its mean at a base sample of
    :data:`EMULATOR_SAMPLES`, and the half-widths of their 95% intervals over :data:`DRAWS`
    functions from its posterior (at a base sample of :data:`DRAW_SAMPLES`: the emulator's
    uncertainty and the estimator's together)."""
    mean = emulator.predict(_saltelli_inputs(parameters, EMULATOR_SAMPLES, seed))[0]
    out = _saltelli(parameters, mean, seed)
    functions = signal_draws(
        emulator, _saltelli_inputs(parameters, DRAW_SAMPLES, seed), DRAWS, seed
    )
    per_draw = [_saltelli(parameters, f, seed) for f in functions]
    for name in ("S1", "ST"):
        low, high = np.percentile(np.vstack([d[name] for d in per_draw]), [2.5, 97.5], axis=0)
        out[f"{name}_conf"] = (high - low) / 2
    return out


def _sizes(samples: int) -> list[int]:
    """The training sizes of the convergence table: :data:`FIRST_SIZE`, twice that, ...
    up to `samples`."""
    return [FIRST_SIZE * 2**i for i in range(int(math.log2(samples / FIRST_SIZE)) + 1)]


def analyse_emulated(
    parameters: Sequence[Parameter],
    x: NDArray[np.float64],
    outcomes: dict[str, NDArray[np.float64]],
    samples: int,
    seed: int,
) -> tuple[dict[str, dict[str, NDArray[np.float64]]], pd.DataFrame, pd.DataFrame]:
    """Every outcome's emulated indices (all `samples` training points), the held-out check
    (:data:`EMULATOR_COLUMNS`) and the convergence table (the indices at each training size
    ``n``, column ``samples``).

    A point where an outcome is undefined (NaN: a run without the data it is made of, such
    as a member who posted nothing) is left out of that outcome's fit, check and
    convergence, and the check's ``training`` and ``held_out`` count the points used. An
    outcome defined at fewer than :data:`FIRST_SIZE` training points, or the same at every
    one, gets no indices (its name is left out of the first result) and a check row of NaN.
    """
    u = unit_coordinates(parameters, x)
    result: dict[str, dict[str, NDArray[np.float64]]] = {}
    checks, steps = [], []
    for name, values in outcomes.items():
        y = np.asarray(values, dtype=np.float64)
        defined = ~np.isnan(y)
        train = np.flatnonzero(defined[:samples])
        held = samples + np.flatnonzero(defined[samples:])
        if train.size < FIRST_SIZE or np.ptp(y[train]) == 0:
            checks.append([name, int(train.size), int(held.size), np.nan, np.nan, np.nan, False])
            continue
        emulator = fit(u[train], y[train], seed)
        q2, coverage = check(emulator, u[held], y[held])
        readable = q2 >= READABLE_Q2
        row = [name, int(train.size), int(held.size), q2, coverage, emulator.noise_share]
        checks.append([*row, readable])
        result[name] = indices(parameters, emulator, seed)
        for n in _sizes(samples):
            first = train[train < n]
            if n < samples and (first.size < 2 or np.ptp(y[first]) == 0):
                continue  # too few defined points at this size to fit
            at_n = (
                result[name]
                if n == samples
                else indices(parameters, fit(u[first], y[first], seed), seed)
            )
            for j, p in enumerate(parameters):
                steps.append(
                    {"method": "emulator", "parameter": p.path, "outcome": name}
                    | {c: float(at_n[c][j]) for c in ("S1", "S1_conf", "ST", "ST_conf")}
                    | {"note": "", "samples": n}
                )
    return (
        result,
        pd.DataFrame(checks, columns=list(EMULATOR_COLUMNS)),
        pd.DataFrame(steps, columns=list(STEP_COLUMNS)),
    )
