"""Survival of new stranger ties: how long until a new connection is first heard from."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.duration.survfunc import SurvfuncRight

from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import summarise

# ------------------------------------------------------------------ survival of new ties


def kaplan_meier(
    durations: Iterable[float],
    observed: Iterable[bool],
) -> pd.DataFrame:
    """Kaplan-Meier estimate of the survival function from right-censored durations.

    At each distinct time t_j at which a duration ends: n_j = durations >= t_j (at risk;
    those censored at t_j count as at risk then), d_j = events at t_j, and
    ``S(t_j) = prod over i <= j of (1 - d_i / n_i)``, with Greenwood's standard error
    ``S(t_j) * sqrt(sum over i <= j of d_i / (n_i (n_i - d_i)))`` (0 once S is 0). The
    estimate and its standard error are statsmodels' ``SurvfuncRight``; this function
    lays them out at every distinct time, censoring-only times included (S carries over).

    Args:
        durations: time to the event, or to censoring, per subject (>= 0).
        observed: True where the event happened, False where the subject was censored.

    Returns:
        Columns ``time, at_risk, events, censored, survival, std_err``, one row per
        distinct time, ascending; empty without subjects.

    Raises:
        ValueError: the two have different lengths or a duration is negative or NaN.
    """
    t = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(observed), dtype=bool)
    if t.shape != e.shape:
        raise ValueError("durations and observed differ in length")
    if np.isnan(t).any() or (t < 0).any():
        raise ValueError("durations must be non-negative numbers")
    columns = ["time", "at_risk", "events", "censored", "survival", "std_err"]
    if t.size == 0:
        return pd.DataFrame(columns=columns)
    times, inverse = np.unique(t, return_inverse=True)
    events = np.bincount(inverse, weights=e.astype(float), minlength=times.size)
    ended = np.bincount(inverse, minlength=times.size)
    fit = SurvfuncRight(t, e.astype(float))
    # S and its standard error at each distinct time: the value at the last event time <= t
    step = np.searchsorted(np.asarray(fit.surv_times, dtype=float), times, side="right")
    survival = np.concatenate([[1.0], np.asarray(fit.surv_prob, dtype=float)])[step]
    std_err = np.concatenate([[0.0], np.asarray(fit.surv_prob_se, dtype=float)])[step]
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": (t.size - np.concatenate([[0], np.cumsum(ended)[:-1]])).astype(np.int64),
            "events": events.astype(np.int64),
            "censored": (ended - events).astype(np.int64),
            "survival": survival,
            "std_err": np.where(survival > 0, std_err, 0.0),
        }
    )


def survival_at(
    curve: pd.DataFrame, times: Iterable[float] | np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """A `kaplan_meier` curve evaluated at ``times`` (a right-continuous step function).

    ``S(t) = 1`` before the first time; beyond the last observed time the estimate is
    undefined (NaN) unless it has reached 0.

    Args:
        curve: the output of `kaplan_meier`.
        times: where to evaluate it.

    Returns:
        S at each time (floats).
    """
    t = np.asarray(list(times), dtype=float)
    if curve.empty:
        return np.full(t.shape, np.nan)
    knots = curve["time"].to_numpy(dtype=float)
    values = np.concatenate([[1.0], curve["survival"].to_numpy(dtype=float)])
    out = values[np.searchsorted(knots, t, side="right")]
    beyond = (t > knots[-1]) & (values[-1] > 0)
    return np.where(beyond, np.nan, out)


def stranger_followup(
    ties: pd.DataFrame, duration_days: float, connections: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Time from acceptance to the first interaction of each new stranger tie, censored.

    A tie is a new stranger tie when its ``kind`` is stranger and it did not exist at the
    start: ``created_day > 0``, or ``created_day == 0`` for a member who had no stranger
    connection at the start (``connections`` on day 0). ``created_day`` 0 holds both the
    ties of the initial network and those accepted on day 0 (invitations are answered at
    the start of each day), so without the day-0 count only ``created_day > 0`` is used.

    Follow-up ends at the run's end, or at ``removed_day`` for a pruned tie (censored
    there: an interaction scheduled after the removal never happens). ``duration`` is
    ``first_interaction_day - created_day`` when the interaction came within the
    follow-up (``observed`` true), else ``end - created_day`` (censored).

    Args:
        ties: the ``ties`` table.
        duration_days: simulated days of the run.
        connections: the ``connections`` table, or None.

    Returns:
        Columns ``scenario, variant, replication, member_id, intro_message, created_day,
        followup, duration, observed`` (``followup``: days from acceptance to the run's end).
    """
    columns = [
        *REP_KEYS,
        "member_id",
        "intro_message",
        "created_day",
        "followup",
        "duration",
        "observed",
    ]
    strangers = ties[ties["kind"] == "stranger"]
    new = strangers["created_day"] > 0
    if connections is not None and not connections.empty:
        start = connections[(connections["day"] == 0) & (connections["kind"] == "stranger")]
        initial = start.groupby([*REP_KEYS, "member_id"])["connections"].sum()
        keys = pd.MultiIndex.from_frame(strangers[[*REP_KEYS, "member_id"]])
        had_none = initial.reindex(keys).to_numpy() == 0
        new = new | ((strangers["created_day"] == 0) & had_none)
    strangers = strangers[new]
    if strangers.empty:
        return pd.DataFrame(columns=columns)
    created = strangers["created_day"].to_numpy(dtype=float)
    removed = strangers["removed_day"].to_numpy(dtype=float)
    end = np.fmin(np.full(created.size, float(duration_days)), removed)
    first = strangers["first_interaction_day"].to_numpy(dtype=float)
    observed = ~np.isnan(first) & (first <= end)
    out = strangers[[*REP_KEYS, "member_id", "intro_message", "created_day"]].copy()
    out["intro_message"] = out["intro_message"].astype(bool)
    out["followup"] = float(duration_days) - created
    out["duration"] = np.maximum(np.where(observed, first, end) - created, 0.0)
    out["observed"] = observed
    return out.reset_index(drop=True)[columns]


#: Days after acceptance at which the blog post counts new connections never heard from.
NEVER_HEARD_DAYS = 90


def followup_horizon(followup: pd.DataFrame, max_days: float = NEVER_HEARD_DAYS) -> float:
    """Days after acceptance to read the survival at: ``max_days``, or less if the run is short.

    ``min(max_days, longest follow-up)``, where a tie's follow-up runs from its acceptance
    to the run's end; NaN without ties.
    """
    if followup.empty:
        return math.nan
    return float(min(max_days, followup["followup"].max()))


def _km_by(followup: pd.DataFrame, by: list[str], times: np.ndarray[Any, Any]) -> pd.DataFrame:
    """`survival_at` of a `kaplan_meier` curve per group of ``by``, at ``times``."""
    rows = []
    for key, group in followup.groupby(by, sort=False):
        curve = kaplan_meier(group["duration"].to_numpy(), group["observed"].to_numpy())
        values = survival_at(curve, times)
        key_values = key if isinstance(key, tuple) else (key,)
        rows += [
            (*key_values, day, share, len(group)) for day, share in zip(times, values, strict=True)
        ]
    return pd.DataFrame(rows, columns=[*by, "day", "share", "ties"])


def never_heard_curves(followup: pd.DataFrame, horizon: float, step: float = 1.0) -> pd.DataFrame:
    """Share of new stranger ties with no interaction yet, by days since acceptance.

    Per replication, and separately for ties with and without an intro message: the
    Kaplan-Meier estimate (`kaplan_meier`) of the share never heard from, at days
    0, step, 2 step, ... up to ``horizon`` (censoring at the run's end and at pruning).

    Args:
        followup: the output of `stranger_followup`.
        horizon: last day after acceptance.
        step: spacing of the days.

    Returns:
        Columns ``scenario, variant, replication, intro_message, day, share, ties``.
    """
    by = [*REP_KEYS, "intro_message"]
    if followup.empty or math.isnan(horizon):
        return pd.DataFrame(columns=[*by, "day", "share", "ties"])
    times = np.arange(0.0, horizon + step / 2, step)
    times[-1] = min(times[-1], horizon)
    return _km_by(followup, by, times)


def never_heard_at(followup: pd.DataFrame, horizon: float, by_intro: bool = False) -> pd.DataFrame:
    """Kaplan-Meier share of new stranger ties never heard from ``horizon`` days after acceptance.

    Per replication (and intro message, when ``by_intro``); NaN when a replication's
    follow-up ends before the horizon with ties still silent.

    Returns:
        Columns ``scenario, variant, replication, [intro_message,] day, share, ties``.
    """
    by = [*REP_KEYS, "intro_message"] if by_intro else list(REP_KEYS)
    if followup.empty or math.isnan(horizon):
        return pd.DataFrame(columns=[*by, "day", "share", "ties"])
    return _km_by(followup, by, np.array([horizon]))


#: A group of new stranger ties: a variant, or a variant and whether an intro message was sent.
Group = str | tuple[str, bool]


def _defined_until(ties: pd.DataFrame) -> float:
    """How long after acceptance the Kaplan-Meier estimate of one replication's ties is
    defined (`survival_at`): up to its longest duration, or for ever when the ties with
    that duration were all heard from (the estimate has then reached 0)."""
    longest = float(ties["duration"].max())
    last = ties["observed"][ties["duration"] == longest]
    return math.inf if bool(last.all()) else longest


def arm_horizons(
    followup: pd.DataFrame, max_days: float = NEVER_HEARD_DAYS, by_intro: bool = False
) -> dict[Group, float]:
    """Days after acceptance to read each group's never-heard share at, in table order.

    Per variant (and intro message, with ``by_intro``): the least of ``max_days``, the
    longest follow-up of its new stranger ties (as `followup_horizon`), and the shortest
    time over its replications up to which a replication's Kaplan-Meier estimate is
    defined (`_defined_until`). So every replication has a value there: an arm whose ties
    came late (a burst on day 25 of 40) is read where its follow-up ends, not at the
    longest follow-up of all arms, beyond which its estimate is undefined. A group without
    new stranger ties has no horizon (it is absent).

    Returns:
        The horizon by variant, or by ``(variant, intro_message)`` with ``by_intro``.
    """
    keys = ["variant", "intro_message"] if by_intro else ["variant"]
    out: dict[Group, float] = {}
    for key, group in followup.groupby(keys, sort=False):
        defined = min(_defined_until(rep) for _, rep in group.groupby("replication"))
        horizon = float(min(max_days, float(group["followup"].max()), defined))
        out[(str(key[0]), bool(key[1])) if by_intro else str(key[0])] = horizon
    return out


def never_heard_by_arm(
    followup: pd.DataFrame, horizons: dict[Group, float], by_intro: bool = False
) -> pd.DataFrame:
    """`never_heard_at` of each group of ``horizons`` (a variant, or a variant and intro
    message) at its own horizon (by intro message with ``by_intro``).

    Returns:
        Columns ``scenario, variant, replication, [intro_message,] day, share, ties``
        (``day``: the group's horizon).
    """
    parts = []
    for key, h in horizons.items():
        variant, intro = key if isinstance(key, tuple) else (key, None)
        mine = followup["variant"] == variant
        if intro is not None:
            mine &= followup["intro_message"] == intro
        parts.append(never_heard_at(followup[mine], h, by_intro))
    parts = [p for p in parts if not p.empty]
    by = [*REP_KEYS, "intro_message"] if by_intro else list(REP_KEYS)
    if not parts:
        return pd.DataFrame(columns=[*by, "day", "share", "ties"])
    return pd.concat(parts, ignore_index=True)


def never_heard_levels(followup: pd.DataFrame, max_days: float = NEVER_HEARD_DAYS) -> pd.DataFrame:
    """The share of new stranger ties never heard from, per variant and intro message.

    The mean across replications (`summarise`, a share's interval on the logit scale) of
    `never_heard_by_arm` at each group's horizon (`arm_horizons` by intro message): where
    its curve in the figure ``ties_never_heard`` is defined in every replication, or
    ``max_days``. The figure's labels and the report's sentence both read this, so they
    give the same numbers.

    Returns:
        Columns ``variant, intro_message, mean, lo, hi, n, day`` (``day``: the horizon).
    """
    horizons = arm_horizons(followup, max_days, by_intro=True)
    at = never_heard_by_arm(followup, horizons, by_intro=True)
    levels = summarise(at, "share", ["variant", "intro_message"], share=True)
    keys = zip(levels["variant"].astype(str), levels["intro_message"].astype(bool), strict=True)
    levels["day"] = [horizons[key] for key in keys]
    return levels
