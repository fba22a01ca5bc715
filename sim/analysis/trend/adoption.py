"""How far the trend spreads: adoption curves, daily growth, final share, S-shape and rewiring."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import band_over_days, mean_ci, paired_differences, summarise
from sim.analysis.trend.arms import TrendArm, rewiring_pairs

#: An S-shaped curve's growth over its last `S_END_DAYS` days is at most this share of its
#: peak growth (it has levelled off).
S_LEVEL_OFF = 0.5

#: Days at the end of the run over which `s_shape` measures whether growth levelled off.
S_END_DAYS = 3


def adoption_curves(adoption: pd.DataFrame) -> pd.DataFrame:
    """Share of members following the trend at each snapshot, per arm: mean and 95% band.

    ``adopter_share = adopters / members`` per replication and snapshot day (day 0: the
    seeded start; day d: the end of day d - 1); then `band_over_days` across replications
    (a share's interval, inside [0, 1]).

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(adoption, "adopter_share", ["variant"], share=True)


def adoption_growth(adoption: pd.DataFrame) -> pd.DataFrame:
    """Members the trend gained each day, per run: ``growth(d) = adopters(d) -
    adopters(d - 1)`` for snapshot days d = 1..D (new adopters minus those who dropped).

    Returns:
        Columns ``scenario, variant, replication, day, growth``.
    """
    ordered = adoption.sort_values([*REP_KEYS, "day"], kind="stable")
    growth = ordered.groupby(REP_KEYS, sort=False)["adopters"].diff()
    out = ordered.assign(growth=growth).dropna(subset=["growth"])
    return out[[*REP_KEYS, "day", "growth"]].reset_index(drop=True)


def growth_bands(adoption: pd.DataFrame) -> pd.DataFrame:
    """`adoption_growth` per arm and day: mean and 95% t interval across runs.

    Returns:
        Columns ``variant, day, mean, lo, hi, n``.
    """
    return band_over_days(adoption_growth(adoption), "growth", ["variant"])


def final_adoption(adoption: pd.DataFrame) -> pd.DataFrame:
    """The trend's reach at the end of each run.

    At the last snapshot (the end of the last day): ``adopter_share = adopters / members``;
    ``ever_share = (sum of new_adopters over all snapshots, the seeded included) /
    members``, which exceeds ``adopter_share`` only when adopters drop the strategy.

    Returns:
        Columns ``scenario, variant, replication, day, adopters, members, adopter_share,
        ever_share``, one row per run.
    """
    columns = [*REP_KEYS, "day", "adopters", "members", "adopter_share", "ever_share"]
    if adoption.empty:
        return pd.DataFrame(columns=columns)
    last_day = adoption.groupby(REP_KEYS, sort=False)["day"].transform("max")
    last = adoption[adoption["day"] == last_day].set_index(REP_KEYS)
    ever = adoption.groupby(REP_KEYS, sort=False)["new_adopters"].sum()
    last = last.assign(ever_share=ever / last["members"].where(last["members"] > 0))
    return last.reset_index()[columns]


def final_adoption_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """`final_adoption`'s ``adopter_share`` per arm: mean and 95% interval (inside [0, 1]).

    Returns:
        Columns ``variant, mean, lo, hi, n``.
    """
    return summarise(final_adoption(adoption), "adopter_share", ["variant"], share=True)


def rewiring_differences(adoption: pd.DataFrame, arms: Sequence[TrendArm]) -> pd.DataFrame:
    """Final adoption, clustered minus rewired, paired by replication (`rewiring_pairs`).

    ``d_r = adopter_share(clustered arm, r) - adopter_share(rewired counterpart, r)`` at
    the last snapshot; then `paired_differences` (mean and 95% t interval of the d_r).

    Returns:
        Columns ``a, b, mean, lo, hi, n``: ``a`` the rewired arm, ``b`` the clustered one.
    """
    return paired_differences(final_adoption(adoption), "adopter_share", rewiring_pairs(arms))


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """Least-squares slope of y on x, ``cov(x, y) / var(x)`` (0 below rounding noise of
    1e-9); NaN with fewer than two points."""
    if x.size < 2:
        return math.nan
    dx = x.astype(float) - x.mean()
    slope = float((dx * (y.astype(float) - y.mean())).sum() / (dx * dx).sum())
    return 0.0 if abs(slope) < 1e-9 else slope


def s_shape(adoption: pd.DataFrame) -> pd.DataFrame:
    """Whether each run's adoption curve is S-shaped: slow start, fastest growth inside the
    run, then levelling off.

    With ``A(d)`` the adopters at snapshot d = 0..D and ``g(d) = A(d) - A(d - 1)`` the
    growth of day d = 1..D (new adopters minus those who dropped):
    ``peak_day`` = the first d with the largest g(d); ``inside`` = ``1 < peak_day < D``
    (the fastest growth is neither on the first nor on the last day);
    ``slope_before`` = least-squares slope of g(d) on d over d = 1..peak_day (positive:
    growth speeds up, the curve is convex before the peak, in the least-squares sense);
    ``slope_after`` = the slope over d = peak_day..D (negative: growth slows down, the
    curve is concave after); ``end_ratio`` = mean g(d) over the last `S_END_DAYS` days /
    g(peak_day). ``s_shaped`` = inside and slope_before > 0 and slope_after < 0 and
    end_ratio <= `S_LEVEL_OFF` (growth at the end at most half the peak: it levelled off,
    so the concave part is not a dip in noise). A run whose curve never grows has
    ``peak_day`` NaN and is not S-shaped.

    Returns:
        Columns ``scenario, variant, replication, peak_day, peak_growth, slope_before,
        slope_after, end_ratio, inside, s_shaped``.
    """
    rows = []
    for key, unsorted in adoption.groupby(REP_KEYS, sort=False):
        run = unsorted.sort_values("day")
        day = run["day"].to_numpy(dtype=np.int64)[1:]
        growth = np.diff(run["adopters"].to_numpy(dtype=float))
        row: dict[str, Any] = dict(zip(REP_KEYS, key, strict=True))
        if growth.size == 0 or growth.max() <= 0:
            rows.append(row | {"inside": False, "s_shaped": False})
            continue
        k = int(np.argmax(growth))
        peak_day, last_day = int(day[k]), int(day[-1])
        inside = day[0] < peak_day < last_day
        before = _slope(day[: k + 1], growth[: k + 1])
        after = _slope(day[k:], growth[k:])
        end_ratio = float(growth[-S_END_DAYS:].mean() / growth[k])
        s_shaped = bool(inside and before > 0 and after < 0 and end_ratio <= S_LEVEL_OFF)
        rows.append(
            row
            | {
                "peak_day": float(peak_day),
                "peak_growth": float(growth[k]),
                "slope_before": before,
                "slope_after": after,
                "end_ratio": end_ratio,
                "inside": bool(inside),
                "s_shaped": s_shaped,
            }
        )
    columns = [
        *REP_KEYS,
        "peak_day",
        "peak_growth",
        "slope_before",
        "slope_after",
        "end_ratio",
        "inside",
        "s_shaped",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def s_shape_summary(adoption: pd.DataFrame) -> pd.DataFrame:
    """`s_shape` per arm: how many runs were S-shaped, the peak day and the end growth.

    ``peak_day`` and ``end_ratio``: mean over the runs whose curve grew, with the 95% t
    interval (`mean_ci`); ``s_shaped``: runs S-shaped, of ``n`` runs; ``grew``: runs
    whose curve grew at all.

    Returns:
        Columns ``variant, n, grew, s_shaped, inside, peak_day, peak_lo, peak_hi,
        end_ratio``, arms in order of appearance.
    """
    per_run = s_shape(adoption)
    rows = []
    for variant, runs in per_run.groupby("variant", sort=False):
        peak, lo, hi = mean_ci(runs["peak_day"])
        rows.append(
            {
                "variant": variant,
                "n": len(runs),
                "grew": int(runs["peak_day"].notna().sum()),
                "s_shaped": int(runs["s_shaped"].astype(bool).sum()),
                "inside": int(runs["inside"].astype(bool).sum()),
                "peak_day": peak,
                "peak_lo": lo,
                "peak_hi": hi,
                "end_ratio": mean_ci(runs["end_ratio"])[0],
            }
        )
    columns = [
        "variant",
        "n",
        "grew",
        "s_shaped",
        "inside",
        "peak_day",
        "peak_lo",
        "peak_hi",
        "end_ratio",
    ]
    return pd.DataFrame(rows, columns=columns)
