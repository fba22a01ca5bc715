"""Bands of the validation studies and their verdicts (docs/validation.md, "How every band
is evaluated").

A band is fixed before a study is run; a verdict compares a feedsim estimate (a point value
with its 95% interval across replications) with it:

- an **interval band** ``[low, high]`` *agrees* when the point estimate lies inside it,
  *disagrees* when the whole interval lies outside it, and is *inconclusive* otherwise;
- a **sign band** (the interval entirely above, or below, 0) *agrees* when the interval lies
  entirely on the predicted side, *disagrees* when it lies entirely on the other side;
- an **upper-limit band** (upper 95% limit at most ``bound``) *agrees* when the upper limit
  is at or below the bound, *disagrees* when the lower limit is above it;
- *not comparable* is a fourth verdict, given with its reason by the study itself.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["agrees", "disagrees", "inconclusive", "not comparable", "reported"]
"""What a band's comparison found; ``reported`` marks a number shown without a band."""

VERDICTS: tuple[Verdict, ...] = (
    "agrees",
    "disagrees",
    "inconclusive",
    "not comparable",
    "reported",
)


@dataclass(frozen=True)
class Estimate:
    """A feedsim value with its 95% interval across replications, in the unit of its band."""

    value: float
    low: float
    high: float
    replications: int

    def text(self, unit: str = "", digits: int = 1) -> str:
        """``value (low to high)`` with the unit, for tables."""
        if math.isnan(self.value):
            return "n/a"
        if math.isnan(self.low) or math.isnan(self.high):
            return f"{self.value:.{digits}f}{unit}"
        return f"{self.value:.{digits}f}{unit} ({self.low:.{digits}f} to {self.high:.{digits}f})"


def interval_verdict(estimate: Estimate, low: float, high: float) -> Verdict:
    """An interval band: agrees when ``low <= value <= high``; disagrees when the whole 95%
    interval lies outside ``[low, high]``; otherwise inconclusive."""
    if math.isnan(estimate.value):
        return "not comparable"
    if low <= estimate.value <= high:
        return "agrees"
    if estimate.high < low or estimate.low > high:
        return "disagrees"
    return "inconclusive"


def sign_verdict(estimate: Estimate, side: Literal["above", "below"]) -> Verdict:
    """A sign band: agrees when the 95% interval lies entirely on `side` of 0; disagrees when
    it lies entirely on the other side; otherwise inconclusive."""
    if math.isnan(estimate.value) or math.isnan(estimate.low) or math.isnan(estimate.high):
        return "not comparable"
    above, below = estimate.low > 0.0, estimate.high < 0.0
    if (above and side == "above") or (below and side == "below"):
        return "agrees"
    if above or below:
        return "disagrees"
    return "inconclusive"


def upper_limit_verdict(estimate: Estimate, bound: float) -> Verdict:
    """An upper-limit band: agrees when the upper 95% limit is at or below `bound`;
    disagrees when the lower 95% limit is above it; otherwise inconclusive."""
    if math.isnan(estimate.low) or math.isnan(estimate.high):
        return "not comparable"
    if estimate.high <= bound:
        return "agrees"
    if estimate.low > bound:
        return "disagrees"
    return "inconclusive"


@dataclass(frozen=True)
class BandResult:
    """One row of the scorecard: a band of docs/validation.md and its verdict.

    Attributes:
        band: the band's id on docs/validation.md (``1a``, ``3e``, ...).
        study: the study's scenario name (``validation-amplification``, ...).
        quantity: what feedsim measured, in words.
        published: the published value, in words.
        source: where it was published, with its grade (H, M, U).
        criterion: the band, in words (``95% CI entirely above 0%``).
        verdict: the verdict (`VERDICTS`).
        estimate: feedsim's value with its 95% interval (None when there is no number).
        unit: the estimate's unit as printed after the number (``%``, `` points``, ...).
        note: why a verdict is "not comparable", what is by construction, what else to say.
        calibration: the number is a calibration target, not validation (rule 5).
        details: further numbers the study reports beside the band (name -> value).
        low, high: the band's limits in the estimate's unit, for the scorecard figure (None
            where the band has no such limit: a sign band above 0 has ``low = 0``).
    """

    band: str
    study: str
    quantity: str
    published: str
    source: str
    criterion: str
    verdict: Verdict
    estimate: Estimate | None = None
    unit: str = ""
    note: str = ""
    calibration: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    low: float | None = None
    high: float | None = None

    def to_json(self) -> dict[str, Any]:
        """A plain dictionary for ``verdicts.json``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BandResult:
        """The inverse of :meth:`to_json`."""
        values = dict(data)
        estimate = values.pop("estimate", None)
        return cls(**values, estimate=None if estimate is None else Estimate(**estimate))
