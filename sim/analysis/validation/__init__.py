"""The validation studies of docs/validation.md: how each study's results folder is held
against the bands fixed before it was run.

`EVALUATORS` maps a study's scenario name to the function that reads its results folder and
returns one :class:`~sim.analysis.validation.bands.BandResult` per band; :func:`evaluate_study`
applies rule 4 (`CALIBRATED_AFTER`) to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sim.analysis.validation import amplification, audience, chronological, feed_sources
from sim.analysis.validation.bands import BandResult
from sim.analysis.validation.contagion import (
    evaluate_centola,
    evaluate_centola_map,
    evaluate_centola_trend,
)
from sim.analysis.validation.registry import CALIBRATED_AFTER

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


def evaluate_study(study: str, folder: Path) -> list[BandResult]:
    """The verdicts of `study`'s results `folder`; a band of `CALIBRATED_AFTER` (rule 4: its
    model choices were made after its verdict was seen) is marked calibration, its note
    saying why."""
    rows = EVALUATORS[study](folder)
    return [
        replace(
            row,
            calibration=True,
            note="; ".join(filter(None, (f"calibrated after validation: {reason}", row.note))),
        )
        if (reason := CALIBRATED_AFTER.get(row.band))
        else row
        for row in rows
    ]
