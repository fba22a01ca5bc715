"""The outcomes of a sensitivity analysis: the blog post's claims, as numbers per point.

Each run (one point, variant and replication) is reduced to a few **run metrics**, computed
by the same functions the reports use (:mod:`sim.analysis`): primary reach, viewers, peer
viewers and engagements per impression of the focal member's posts, the share of the
member's connections ever reached, the share of new stranger ties never heard from, the focus
topic's share of the member's feed after the first event; and, where the study has the
trend, the share of members following it at the end and the first day half of them did.
An **outcome** is a run metric of
one variant (a level) or the difference between two variants paired by replication (common
random numbers), averaged over the replications of a point:

``outcome(point) = mean_r [ m(b, point, r) - m(a, point, r) ]`` (or ``mean_r m(b, point, r)``).

:data:`OUTCOMES` lists them, one entry each, with the claim it tests and when the claim
holds at a point, and the arms of the bundled studies it compares. A ranges file names the
arms of any other scenario (:func:`read_comparison`): a ``compare`` pair (the ``treatment``
the claim is about and the ``reference`` it is compared with), and under ``outcomes`` the
outcomes to compute with arms of their own; :func:`applicable` gives each outcome its arms.

The **claim map** (:func:`claim_map`) says where in the sampled space each claim holds:
``#points where the claim holds / #points where the outcome is defined``, the share of the
sampled parameter space where the claim holds (uniform weight per point: a Sobol sample
covers the space evenly, a Morris sample on its grid levels), with the two parameters that
decide it most (largest ``mu*`` or ``ST``, :func:`ranked`).
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.analysis import (
    NEVER_HEARD_DAYS,
    event_start,
    never_heard_at,
    primary_reach_medians,
    replication_metrics,
    stranger_followup,
    topic_share_window,
)
from sim.analysis.trend.contagion import final_share, half_adoption_day
from sim.errors import InputError
from sim.scenario import Study

RUN_METRICS = (
    "primary_reach",
    "viewers_per_post",
    "peer_viewers_per_post",
    "engagement_rate",
    "reached_share",
    "never_heard",
    "never_heard_intro",
    "focus_share",
    "trend_final_share",
    "trend_half_day",
)
"""Per-run numbers every outcome is made of (see :func:`run_metrics`)."""

Role = Literal["treatment", "reference"]
"""An arm of a ranges file's ``compare`` pair: the arm a claim is about, or the one it is
compared with."""

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Outcome:
    """One outcome: a claim as a number per point, and when the claim holds.

    Attributes:
        name: column name.
        claim: the claim(s) of the blog post it tests (``C5``).
        title: what it is, for tables and panel titles.
        metric: the run metric (one of :data:`RUN_METRICS`).
        variant: the variant measured (``b``).
        reference: the variant subtracted (``a``), paired by replication; None for a level.
        holds: ``(operator, threshold)``: the claim holds where ``outcome <op> threshold``.
        unit: unit of the values.
        what: the title without the arms it names (the title of the same number of other
            arms is ``what, b minus a`` or ``what, b``).
        roles: the arm of a ranges file's ``compare`` pair that `variant` and `reference`
            stand for (``treatment`` or ``reference``; None: an arm the pair does not give,
            which the ranges file names for this outcome).
        percent: whether the values are shares (fractions): figures show a level in % and
            a difference or a change in percentage points.
    """

    name: str
    claim: str
    title: str
    metric: str
    variant: str
    reference: str | None
    holds: tuple[str, float]
    unit: str
    what: str
    roles: tuple[Role | None, Role | None]
    percent: bool = False

    @property
    def variants(self) -> tuple[str, ...]:
        """The variants the scenario must have."""
        return (self.variant,) if self.reference is None else (self.reference, self.variant)

    @property
    def how(self) -> str:
        """How it is computed, in words."""
        if self.reference is None:
            return f"`{self.metric}` of {self.variant}, mean over replications"
        return (
            f"`{self.metric}` of {self.variant} minus {self.reference}, paired by replication,"
            " mean over replications"
        )

    @property
    def holds_text(self) -> str:
        """When the claim holds, as a formula."""
        op, threshold = self.holds
        return f"{self.name} {op} {threshold:g}"

    def shown(self, value: float) -> str:
        """A value as reports write it: a share in % (a level) or percentage points (a
        difference), else to three significant digits; ``n/a`` when missing."""
        if math.isnan(value):
            return "n/a"
        if not self.percent:
            return f"{value:.3g}"
        if self.reference is None:
            return f"{100 * value:.1f}%"
        return f"{100 * value:+.1f} pp"

    def holds_at(self, values: Any) -> Any:
        """Whether the claim holds at each value (False where the value is missing)."""
        op, threshold = self.holds
        array = np.asarray(values, dtype=np.float64)
        return ~np.isnan(array) & _OPERATORS[op](np.nan_to_num(array, nan=0.0), threshold)

    def between(self, variant: str, reference: str | None) -> Outcome:
        """The same outcome of other arms (its title then names them)."""
        if (variant, reference) == (self.variant, self.reference):
            return self
        arms = variant if reference is None else f"{variant} minus {reference}"
        return replace(self, variant=variant, reference=reference, title=f"{self.what}, {arms}")


PAIR: tuple[Role, Role] = ("treatment", "reference")
"""The roles of the two arms of a difference of the ``compare`` pair."""

OUTCOMES = (
    Outcome(
        "primary_reach",
        "C1",
        "Primary reach: median share of connections who see a post before any engagement",
        "primary_reach",
        "selective",
        None,
        ("<=", 0.1),
        "share of connections",
        "Primary reach: median share of connections who see a post before any engagement",
        ("reference", None),
        percent=True,
    ),
    Outcome(
        "d_viewers_per_post",
        "C5",
        "Viewers per post, everyone minus selective",
        "viewers_per_post",
        "everyone",
        "selective",
        ("<", 0.0),
        "viewers per post",
        "Viewers per post",
        PAIR,
    ),
    Outcome(
        "d_peer_viewers_per_post",
        "C5",
        "Peer viewers per post, everyone minus selective",
        "peer_viewers_per_post",
        "everyone",
        "selective",
        ("<", 0.0),
        "viewers per post",
        "Peer viewers per post",
        PAIR,
    ),
    Outcome(
        "d_engagement_rate",
        "C5",
        "Engagements per impression, everyone minus selective",
        "engagement_rate",
        "everyone",
        "selective",
        ("<", 0.0),
        "engagements per impression",
        "Engagements per impression",
        PAIR,
        percent=True,
    ),
    Outcome(
        "d_reached_share",
        "C2",
        "Share of connections ever reached, everyone minus selective",
        "reached_share",
        "everyone",
        "selective",
        ("<", 0.0),
        "share of connections",
        "Share of connections ever reached",
        PAIR,
        percent=True,
    ),
    Outcome(
        "reached_share_everyone",
        "C2",
        "Share of connections ever reached, linking with everyone",
        "reached_share",
        "everyone",
        None,
        ("<=", 0.8),
        "share of connections",
        "Share of connections ever reached",
        ("treatment", None),
        percent=True,
    ),
    Outcome(
        "never_heard_without_intro",
        "C8",
        "New stranger ties never heard from, no intro message",
        "never_heard",
        "everyone",
        None,
        (">=", 0.8),
        "share of new stranger ties",
        "New stranger ties never heard from",
        ("treatment", None),
        percent=True,
    ),
    Outcome(
        "never_heard_with_intro",
        "C8",
        "New stranger ties never heard from, with an intro message",
        "never_heard_intro",
        "everyone-intro",
        None,
        ("<", 0.8),
        "share of new stranger ties",
        "New stranger ties with an intro message never heard from",
        (None, None),
        percent=True,
    ),
    Outcome(
        "trend_final_share",
        "C12",
        "Members following the trend at the end, calls seen in the feed",
        "trend_final_share",
        "complex",
        None,
        (">=", 0.5),
        "share of members",
        "Members following the trend at the end",
        ("treatment", None),
        percent=True,
    ),
    Outcome(
        "d_trend_half_day",
        "C12",
        "Days until half the members follow the trend, connections' calls only minus feed",
        "trend_half_day",
        "complex-neighbours",
        "complex",
        (">", 0.0),
        "days",
        "Days until half the members follow the trend",
        ("reference", "treatment"),
    ),
    Outcome(
        "d_focus_share",
        "C7",
        "Focus-topic share of the feed after the burst, burst minus baseline",
        "focus_share",
        "accept-100-it",
        "baseline",
        (">", 0.0),
        "share of feed impressions",
        "Focus-topic share of the feed after the first event",
        PAIR,
        percent=True,
    ),
    Outcome(
        "inference_part",
        "C6",
        "Part of that shift due to inference: burst minus burst without connection term",
        "focus_share",
        "accept-100-it",
        "accept-100-it-no-connection-term",
        (">", 0.0),
        "share of feed impressions",
        "Part of the focus-topic shift due to inference",
        ("treatment", None),
        percent=True,
    ),
)
"""Every outcome; adding one is one entry here."""


@dataclass(frozen=True)
class Comparison:
    """The arms the claim outcomes compare, as a ranges file names them.

    Attributes:
        source: the ranges file, for errors.
        pair: ``compare``: the arm standing for each role (``treatment``, ``reference``).
        chosen: ``outcomes``: the outcomes to compute, each with the arms it names itself
            (``arm`` for a level; ``treatment`` and ``reference`` for a difference); None
            computes every outcome the pair's arms give.
    """

    source: str
    pair: dict[str, str]
    chosen: dict[str, dict[str, str]] | None

    def as_mapping(self) -> dict[str, Any]:
        """The file and its ``compare`` and ``outcomes`` sections (for the manifest)."""
        return {"file": self.source, "compare": dict(self.pair), "outcomes": self.chosen}


ROLE_KEYS: tuple[Role, ...] = ("treatment", "reference")
"""The keys of the ``compare`` pair and of a difference's arms."""


def _arm_names(value: Any, source: str, where: str, keys: Sequence[str]) -> dict[str, str]:
    """A mapping of some of `keys` to arm names (None: empty).

    Raises:
        InputError: not a mapping, an unknown key, or a value that is not a name.
    """
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(source, where, f"expected a mapping of {' and '.join(keys)} to arms")
    for key, name in value.items():
        if key not in keys:
            raise InputError(source, f"{where}.{key}", f"unknown key ({', '.join(keys)})")
        if not isinstance(name, str) or not name:
            raise InputError(source, f"{where}.{key}", f"expected a variant name (got {name!r})")
    return dict(value)


def read_comparison(raw: dict[str, Any], source: str) -> Comparison | None:
    """The ``compare`` and ``outcomes`` sections of a ranges file's mapping (None: neither).

    ``compare: {treatment: ARM, reference: ARM}`` is the default pair; ``outcomes`` maps
    outcome names to the arms they compare (``{arm: ARM}`` for a level, ``{treatment: ARM,
    reference: ARM}`` for a difference; a key left out takes the pair's arm), or lists the
    names only.

    Raises:
        InputError: naming the file, the entry and the problem.
    """
    if "compare" not in raw and "outcomes" not in raw:
        return None
    pair = _arm_names(raw.get("compare"), source, "compare", ROLE_KEYS)
    listed = raw.get("outcomes")
    if listed is None:
        return Comparison(source, pair, None)
    if isinstance(listed, list):
        listed = dict.fromkeys(listed)
    if not isinstance(listed, dict) or not listed:
        raise InputError(source, "outcomes", "expected a mapping of outcome names to their arms")
    by_name = {o.name: o for o in OUTCOMES}
    chosen = {}
    for name, arms in listed.items():
        outcome = by_name.get(name) if isinstance(name, str) else None
        if outcome is None:
            close = difflib.get_close_matches(str(name), list(by_name), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                source, f"outcomes.{name}", f"unknown outcome ({', '.join(by_name)}){hint}"
            )
        keys = ("arm",) if outcome.reference is None else ROLE_KEYS
        chosen[name] = _arm_names(arms, source, f"outcomes.{name}", keys)
    return Comparison(source, pair, chosen)


def _check_arms(comparison: Comparison, names: list[str]) -> None:
    """Every arm the comparison names is a variant of the study.

    Raises:
        InputError: naming the file, the entry and the variants there are.
    """
    given = [(f"compare.{k}", v) for k, v in comparison.pair.items()]
    for name, arms in (comparison.chosen or {}).items():
        given += [(f"outcomes.{name}.{k}", v) for k, v in arms.items()]
    for where, arm in given:
        if arm not in names:
            close = difflib.get_close_matches(arm, names, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise InputError(
                comparison.source,
                where,
                f"no variant named {arm!r} in the scenario (its variants: {', '.join(names)})"
                + hint,
            )


def applicable(
    study: Study, comparison: Comparison | None = None
) -> tuple[list[Outcome], list[Outcome]]:
    """The outcomes to compute on the study's arms, and those its arms do not give.

    Without a comparison, the outcomes whose arms (by their names in :data:`OUTCOMES`) the
    study has. With one, each outcome takes the arms the ranges file names for it, else the
    arm of the ``compare`` pair its role names (:attr:`Outcome.roles`); an outcome left
    without an arm is skipped, or refused when the file lists it under ``outcomes``.

    Raises:
        InputError: an arm that is not a variant of the study, a listed outcome with an arm
            missing, or a difference of an arm with itself.
    """
    names = [arm.name for arm in study.arms]
    if comparison is None:
        usable = [o for o in OUTCOMES if set(o.variants) <= set(names)]
        return usable, [o for o in OUTCOMES if o not in usable]
    _check_arms(comparison, names)
    usable, skipped = [], []
    for outcome in OUTCOMES:
        chosen = comparison.chosen
        if chosen is not None and outcome.name not in chosen:
            continue  # not asked for: not "not applicable" either
        given = (chosen or {}).get(outcome.name, {})
        pair = [comparison.pair.get(role) if role else None for role in outcome.roles]
        if outcome.reference is None:
            variant, reference = given.get("arm") or pair[0], None
            missing = [] if variant else ["arm"]
        else:
            variant = given.get("treatment") or pair[0]
            reference = given.get("reference") or pair[1]
            missing = [k for k, a in zip(ROLE_KEYS, (variant, reference), strict=True) if not a]
        if missing or variant is None:
            if chosen is None:
                skipped.append(outcome)
                continue
            raise InputError(
                comparison.source,
                f"outcomes.{outcome.name}",
                f"names no {' and no '.join(missing)} arm (and `compare` gives none)",
            )
        if variant == reference:
            where = f"outcomes.{outcome.name}" if given else "compare"
            raise InputError(comparison.source, where, f"compares {variant!r} with itself")
        usable.append(outcome.between(variant, reference))
    return usable, skipped


@dataclass(frozen=True)
class Context:
    """What the run metrics need to know about the study (the same at every point).

    Attributes:
        duration_days: simulated days.
        focus_topic: the topic of the first burst (or the file's ``focus_topic``), or None.
        first_day: first day after the first scripted event (0 without events).
        horizon: days after acceptance at which ``never_heard`` is read: 90 (the seed's
            horizon, :data:`sim.analysis.NEVER_HEARD_DAYS`) or half the run if shorter.
    """

    duration_days: int
    focus_topic: str | None
    first_day: int
    horizon: float

    @classmethod
    def of(cls, study: Study) -> Context:
        """The context of a study."""
        days = [float(e.day) for arm in study.arms for e in arm.scenario.events]
        duration = study.base.duration_days
        return cls(
            duration,
            study.focus_topic(),
            event_start(days) or 0,
            float(min(NEVER_HEARD_DAYS, duration / 2)),
        )


def _first(frame: pd.DataFrame, column: str) -> float:
    """The column's value in the frame's single row (NaN when absent)."""
    if frame.empty or column not in frame.columns:
        return math.nan
    return float(frame[column].iloc[0])


def run_metrics(tables: dict[str, pd.DataFrame], context: Context) -> dict[str, float]:
    """The :data:`RUN_METRICS` of one run's tables (NaN where the run lacks the data).

    ``primary_reach`` is the median over the focal member's posts of the share of the
    member's connections who saw the post before anyone engaged with it
    (:func:`sim.analysis.primary_reach_medians`); ``viewers_per_post``,
    ``peer_viewers_per_post``, ``engagement_rate``,
    ``reached_share`` and ``never_heard`` are :func:`sim.analysis.replication_metrics`
    (never heard from read at ``context.horizon``); ``never_heard_intro`` is
    :func:`sim.analysis.never_heard_at` over the new stranger ties that got an intro
    message; ``focus_share`` is :func:`sim.analysis.topic_share_window` of the focus topic
    from ``context.first_day`` to the last day; ``trend_final_share`` and
    ``trend_half_day`` are :func:`trend_spread` of the ``adoption`` table.
    """
    posts, ties, connections = tables["posts"], tables["ties"], tables["connections"]
    metrics = replication_metrics(
        posts, connections, ties, context.duration_days, horizon=context.horizon
    )
    shared = ("viewers_per_post", "peer_viewers_per_post", "engagement_rate", "reached_share")
    out = {name: _first(metrics, name) for name in (*shared, "never_heard")}
    out["primary_reach"] = _first(primary_reach_medians(posts), "median")
    followup = stranger_followup(ties, context.duration_days, connections)
    by_intro = never_heard_at(followup, context.horizon, by_intro=True)
    intro = by_intro[by_intro["intro_message"].astype(bool)] if not by_intro.empty else by_intro
    out["never_heard_intro"] = _first(intro, "share")
    out["focus_share"] = math.nan
    if context.focus_topic is not None and not tables["feed"].empty:
        window = topic_share_window(
            tables["feed"], context.focus_topic, context.first_day, context.duration_days - 1
        )
        out["focus_share"] = _first(window, "share")
    out["trend_final_share"], out["trend_half_day"] = trend_spread(tables.get("adoption"))
    return out


def trend_spread(adoption: pd.DataFrame | None) -> tuple[float, float]:
    """How far and how fast the trend spread in one run: the share of members following it
    at the last snapshot (:func:`sim.analysis.trend.contagion.final_share`) and the first
    snapshot day at which half of them did
    (:func:`sim.analysis.trend.contagion.half_adoption_day`; a run in which it never got
    there counts its last snapshot day, the run's length: a lower bound). NaN for both
    without a trend (an empty table)."""
    if adoption is None or adoption.empty:
        return math.nan, math.nan
    run = adoption.assign(replication=0)
    return _first(final_share(run), "share"), _first(half_adoption_day(run), "day")


def point_outcomes(runs: pd.DataFrame, outcomes: list[Outcome]) -> pd.DataFrame:
    """Every outcome at every point, from the runs' metrics.

    Args:
        runs: one row per point, variant and replication with ``point``, ``variant``,
            ``replication`` and the :data:`RUN_METRICS` columns.
        outcomes: the outcomes to compute.

    Returns:
        One row per point (``point`` and one column per outcome): the mean over
        replications of the level or the paired difference; NaN where no replication has
        a value.
    """
    points = np.sort(runs["point"].unique())
    out = pd.DataFrame({"point": points})
    for outcome in outcomes:
        wide = runs.set_index(["point", "replication", "variant"])[outcome.metric].unstack(
            "variant"
        )
        value = wide.get(outcome.variant, pd.Series(np.nan, index=wide.index))
        if outcome.reference is not None:
            value = value - wide.get(outcome.reference, pd.Series(np.nan, index=wide.index))
        means = value.astype(float).groupby(level="point").mean()
        out[outcome.name] = means.reindex(points).to_numpy(dtype=np.float64)
    return out


NOISE = "noise"
"""The noise parameter every analysis samples beside the model's (:func:`noise_parameter`):
no scenario field, it re-draws the random numbers of a point (its runs' seeds move with it).
Its index is what noise alone gives; a parameter is decisive only above it."""

SEED_SPAN = 1_000_000
"""A point's base seed is the study's plus ``round(noise * SEED_SPAN)``."""


def point_seed(base_seed: int, noise: float) -> int:
    """The base seed of a point whose noise parameter is ``noise`` (in [0, 1])."""
    return base_seed + round(noise * SEED_SPAN)


def noise_floor(indices: pd.DataFrame, outcome: str, method: str) -> float:
    """The noise parameter's index (``mu*`` or ``ST``) for one outcome, NaN without one."""
    rows = indices[(indices["outcome"] == outcome) & (indices["parameter"] == NOISE)]
    return float(rows[importance(method)].iloc[0]) if len(rows) else math.nan


def above_noise(indices: pd.DataFrame, outcome: str, method: str) -> list[str]:
    """The model's parameters whose index exceeds the noise floor's (all of them where the
    analysis has no noise parameter), by decreasing importance."""
    floor = noise_floor(indices, outcome, method)
    rows = indices[indices["outcome"] == outcome]
    value = dict(zip(rows["parameter"], rows[importance(method)].astype(float), strict=True))
    return [p for p in ranked(indices, outcome, method) if math.isnan(floor) or value[p] > floor]


def importance(method: str) -> str:
    """The index that ranks parameters: ``mu_star`` (Morris) or ``ST`` (Sobol)."""
    return "mu_star" if method == "morris" else "ST"


def ranked(indices: pd.DataFrame, outcome: str, method: str) -> list[str]:
    """The model's parameters by decreasing importance for one outcome (missing values last;
    the noise parameter left out)."""
    rows = indices[(indices["outcome"] == outcome) & (indices["parameter"] != NOISE)]
    key = importance(method)
    order = rows.assign(_k=rows[key].fillna(-math.inf)).sort_values(
        "_k", ascending=False, kind="stable"
    )
    return [str(p) for p in order["parameter"]]


def claim_map(
    outcomes: Sequence[Outcome], method: str, points: pd.DataFrame, indices: pd.DataFrame
) -> pd.DataFrame:
    """Per outcome: where in the sampled space its claim holds.

    Args:
        outcomes: the outcomes (columns of ``points``).
        method: ``morris`` or ``sobol``, which decides the index that ranks parameters.
        points: the outcomes per point (:func:`point_outcomes`).
        indices: the sensitivity indices (:func:`sim.sensitivity.design.analyse`).

    Returns:
        Columns ``outcome, claim, holds_when, points, holds, share, first, second``:
        points where the outcome is defined, how many of them the claim holds at, their
        ratio, and the two most influential parameters.
    """
    rows = []
    for outcome in outcomes:
        values = points[outcome.name].to_numpy(dtype=np.float64)
        defined = int((~np.isnan(values)).sum())
        holds = int(outcome.holds_at(values).sum())
        top = [*ranked(indices, outcome.name, method), "", ""]
        rows.append(
            {
                "outcome": outcome.name,
                "claim": outcome.claim,
                "holds_when": outcome.holds_text,
                "points": defined,
                "holds": holds,
                "share": holds / defined if defined else math.nan,
                "first": top[0],
                "second": top[1],
            }
        )
    return pd.DataFrame(rows)
