"""Intervals across replications: Student t intervals of means, bounded intervals of shares,
paired differences between variants, and the replications a useful interval would take."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

#: Confidence level of every interval in this module.
CONFIDENCE = 0.95


@lru_cache(maxsize=256)
def t_quantile(p: float, df: int) -> float:
    """Quantile function of Student's t distribution (``scipy.stats.t.ppf``).

    Args:
        p: probability in (0, 1).
        df: degrees of freedom, a positive integer.

    Returns:
        t such that P(T <= t) = p, e.g. ``t_quantile(0.975, 9) == 2.2622...``.

    Raises:
        ValueError: p is outside (0, 1) or df < 1.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p}")
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    return float(stats.t.ppf(p, df))


def _half_width(std: Any, n: Any) -> Any:
    """Half-width of the t interval: ``t(1 - alpha/2, n - 1) * std / sqrt(n)``; NaN if n < 2.

    Elementwise over arrays of standard deviations and counts.
    """
    counts = np.asarray(n, dtype=float)
    p = 0.5 + CONFIDENCE / 2.0
    quantiles = [t_quantile(p, int(k) - 1) if k >= 2 else math.nan for k in counts.ravel()]
    t = np.asarray(quantiles, dtype=float).reshape(counts.shape)
    return t * np.asarray(std, dtype=float) / np.sqrt(counts)


def share_bounds(mean: Any, half: Any) -> tuple[Any, Any]:
    """A t interval of a mean share carried to the logit scale, so it stays inside [0, 1].

    With ``m`` the mean share over replications and ``h = t(0.975, n - 1) * s / sqrt(n)``
    the half-width of its Student t interval, the delta method gives the standard error of
    ``logit(m)`` as ``se / (m (1 - m))``; the interval is
    ``expit(logit(m) -+ h / (m (1 - m)))``. This is the logit-transformed interval Stata's
    ``proportion`` command reports by default (Stata Base Reference Manual, *proportion*,
    Methods and formulas), chosen because it needs only the replication values, keeps the
    mean inside the interval, and is close to the t interval when the share is far from 0
    and 1 (``expit`` is then nearly linear over the interval). A mean of exactly 0 or 1
    means every replication had that value: the interval is that point.

    Args:
        mean: mean shares (fractions in [0, 1]), a number or an array.
        half: half-widths of their t intervals (NaN where there is none).

    Returns:
        ``(lo, hi)``, elementwise, inside [0, 1]; NaN where ``half`` is NaN.
    """
    m = np.clip(np.asarray(mean, dtype=float), 0.0, 1.0)
    h = np.asarray(half, dtype=float)
    inner = (m > 0) & (m < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(inner, h / (m * (1 - m)), 0.0)
        centre = special.logit(np.where(inner, m, 0.5))
    lo = np.where(inner, special.expit(centre - step), m)
    hi = np.where(inner, special.expit(centre + step), m)
    missing = np.isnan(h) | np.isnan(m)
    return np.where(missing, np.nan, lo), np.where(missing, np.nan, hi)


def mean_ci(values: Iterable[float], share: bool = False) -> tuple[float, float, float]:
    """Mean and 95% confidence interval of replication values.

    ``mean ± t(0.975, n - 1) * s / sqrt(n)`` with ``s`` the sample standard deviation
    (ddof 1); with ``share`` the interval of a share in [0, 1] (`share_bounds`). NaN
    values (a replication where the quantity is undefined) are left out.

    Args:
        values: one value per replication.
        share: the values are shares: keep the interval inside [0, 1].

    Returns:
        ``(mean, lo, hi)``; lo and hi are NaN for fewer than two values, all three NaN for
        none.
    """
    x = np.asarray(list(values), dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(x.mean())
    half = float(_half_width(x.std(ddof=1) if x.size > 1 else math.nan, x.size))
    if share:
        lo, hi = share_bounds(mean, half)
        return mean, float(lo), float(hi)
    return mean, mean - half, mean + half


def summarise(df: pd.DataFrame, value: str, by: list[str], share: bool = False) -> pd.DataFrame:
    """Mean and 95% interval of ``value`` per group, one row of ``df`` per replication.

    The same formulas as `mean_ci`, applied per group of ``by``; NaN values are left out.

    Args:
        df: one row per replication and group.
        value: column to summarise.
        by: grouping columns.
        share: the values are shares in [0, 1]: the interval of `share_bounds`.

    Returns:
        Columns ``by + [mean, lo, hi, n]``, groups in order of appearance.
    """
    stats_ = df.groupby(by, sort=False)[value].agg(["mean", "std", "count"]).reset_index()
    half = _half_width(stats_["std"].to_numpy(dtype=float), stats_["count"].to_numpy())
    mean = stats_["mean"].to_numpy(dtype=float)
    lo, hi = share_bounds(mean, half) if share else (mean - half, mean + half)
    stats_["lo"], stats_["hi"] = lo, hi
    stats_ = stats_.rename(columns={"count": "n"})
    return stats_[[*by, "mean", "lo", "hi", "n"]]


def band_over_days(
    df: pd.DataFrame, value: str, by: list[str], share: bool = False
) -> pd.DataFrame:
    """Mean and 95% interval across replications per group and day, for figure bands.

    For each group of ``by`` and each ``day``: `summarise` over the n replications that
    have a value that day (a share's interval stays inside [0, 1] with ``share``).

    Args:
        df: one row per replication, group and day (a ``day`` column is required).
        value: column to summarise.
        by: grouping columns besides ``day``.
        share: the values are shares in [0, 1].

    Returns:
        Columns ``by + [day, mean, lo, hi, n]`` sorted by group and day.
    """
    summary = summarise(df, value, [*by, "day"], share)
    return summary.sort_values([*by, "day"], ignore_index=True)


def default_pairs(variants: Sequence[str]) -> list[tuple[str, str]]:
    """Variant pairs ``(a, b)`` to compare as ``b - a``.

    Every variant against the first (the baseline), then each later variant against each
    earlier non-baseline one, reversed: ``earlier - later``. Scenarios list a baseline, then
    interventions, then ablations of them, so the last kind of pair reads "what the ablated
    mechanism adds" (e.g. accept-100-it minus accept-100-it-no-connection-term).

    Args:
        variants: variant names in scenario order.

    Returns:
        The pairs.
    """
    pairs = [(variants[0], b) for b in variants[1:]]
    rest = variants[1:]
    pairs += [(rest[j], rest[i]) for i in range(len(rest)) for j in range(i + 1, len(rest))]
    return pairs


def paired_differences(
    per_rep: pd.DataFrame, value: str, pairs: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    """Mean paired difference ``b - a`` across replications, with a 95% t interval.

    For each pair, ``d_r = value(b, r) - value(a, r)`` for every replication r in which both
    variants have a value; then `mean_ci` of the ``d_r``. Pairing by replication removes the
    variation that both variants share through common random numbers.

    Args:
        per_rep: one row per variant and replication (columns ``variant``, ``replication``
            and ``value``) of a single scenario.
        value: column to compare.
        pairs: ``(a, b)`` variant pairs.

    Returns:
        Columns ``a, b, mean, lo, hi, n, sd``, one row per pair (``sd``: the standard
        deviation of the ``d_r``, ddof 1; NaN for fewer than two).

    Raises:
        ValueError: a variant has two rows for one replication.
    """
    rows = []
    for a, b in pairs:
        side = []
        for v in (a, b):
            rows_v = per_rep[per_rep["variant"] == v]
            if rows_v["replication"].duplicated().any():
                raise ValueError(f"variant {v} has more than one row for a replication")
            side.append(rows_v.set_index("replication")[value])
        diff = (side[1] - side[0]).dropna()
        mean, lo, hi = mean_ci(diff)
        sd = float(diff.std(ddof=1)) if diff.size > 1 else math.nan
        rows.append(
            {"a": a, "b": b, "mean": mean, "lo": lo, "hi": hi, "n": int(diff.size), "sd": sd}
        )
    return pd.DataFrame(rows, columns=["a", "b", "mean", "lo", "hi", "n", "sd"])


# ------------------------------------------------------------------ replications needed

#: Target width (hi - lo) of the 95% interval of a share or of a difference of shares: 5
#: percentage points.
TARGET_SHARE_WIDTH = 0.05
#: Target width of the 95% interval of a count (viewers, engagements per post) or of a
#: difference of counts, as a fraction of the level: 10% of the mean (of a difference: of
#: the reference's mean).
TARGET_RELATIVE_WIDTH = 0.10


def target_width(share: bool, level: float) -> float:
    """The width a useful 95% interval should not exceed, by the unit of the values.

    Shares (and differences of shares): `TARGET_SHARE_WIDTH`, 5 percentage points from
    the interval's lower to its upper bound. Counts and rates in their own units:
    `TARGET_RELATIVE_WIDTH` of ``|level|``, the mean the interval is about (for a
    difference, the reference's mean), so 10% of it; NaN when the level is 0 or unknown.
    A modelling choice: 5 pp tells apart the effects the studies discuss (10 pp and more),
    and 10% of the level is the precision of the bands the calibration targets.

    Args:
        share: the values are shares (fractions in [0, 1]) or differences of shares.
        level: the mean the interval is about (unused for shares).
    """
    if share:
        return TARGET_SHARE_WIDTH
    width = TARGET_RELATIVE_WIDTH * abs(level)
    return width if width > 0 else math.nan


def replications_needed(sd: float, width: float) -> int | None:
    """Replications whose 95% t interval would be at most ``width`` wide, at this spread.

    The smallest ``n >= 2`` with ``2 t(0.975, n - 1) sd / sqrt(n) <= width`` (the full
    width of `mean_ci`'s interval when the sample standard deviation is ``sd``). The
    search starts at the normal approximation ``n0 = ceil((2 z sd / width)^2)``, with
    ``z = 1.95996``: below it no n can do (``t > z``); from there n grows by one until the
    t interval fits, so the t quantile is taken at the n it is used with. ``sd`` is the
    run's own spread between replications (of a paired difference: of the ``d_r``), so
    the answer is an estimate: with few replications ``sd`` itself is uncertain.

    Args:
        sd: standard deviation across replications (ddof 1).
        width: the target width ``hi - lo`` (`target_width`).

    Returns:
        The number of replications, or None when ``sd`` or ``width`` is NaN (fewer than
        two replications, or no level to scale the target by).
    """
    if math.isnan(sd) or math.isnan(width) or width <= 0:
        return None
    p = 0.5 + CONFIDENCE / 2.0
    z = float(stats.norm.ppf(p))
    n = max(2, math.ceil((2.0 * z * sd / width) ** 2))
    while 2.0 * t_quantile(p, n - 1) * sd / math.sqrt(n) > width:
        n += 1
    return n


def with_needed(diffs: pd.DataFrame, share: bool, levels: Sequence[float]) -> pd.DataFrame:
    """Paired differences (`paired_differences`, with ``sd``) with ``target`` and ``needed``.

    ``target`` = `target_width` of each row (``share``: the values are shares; ``levels``:
    the reference's mean of each row, for counts); ``needed`` = `replications_needed` at
    the row's ``sd`` (missing where there is no spread or no target).
    """
    out = diffs.copy()
    out["target"] = [target_width(share, float(level)) for level in levels]
    needed = [
        replications_needed(float(sd), float(target))
        for sd, target in zip(out["sd"], out["target"], strict=True)
    ]
    out["needed"] = pd.array(needed, dtype="Int64")
    return out
