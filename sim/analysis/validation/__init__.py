"""The validation studies of docs/validation.md: how each study's results folder is held
against the bands fixed before it was run.

`EVALUATORS` maps a study's scenario name to the function that reads its results folder and
returns one :class:`~sim.analysis.validation.bands.BandResult` per band.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sim.analysis.validation import amplification, audience, chronological, feed_sources
from sim.analysis.validation.bands import BandResult
from sim.analysis.validation.contagion import (
    evaluate_centola,
    evaluate_centola_map,
    evaluate_centola_trend,
)

Evaluator = Callable[[Path], list[BandResult]]
"""Reads a study's results folder and gives its bands' verdicts."""

EVALUATORS: dict[str, Evaluator] = {
    amplification.STUDY: amplification.evaluate,
    audience.STUDY: audience.evaluate,
    feed_sources.STUDY: feed_sources.evaluate,
    chronological.STUDY: chronological.evaluate,
    "validation-centola": evaluate_centola,
    "validation-centola-map": evaluate_centola_map,
    "validation-centola-trend": evaluate_centola_trend,
}
"""The evaluator of each validation study, by the scenario's name."""
