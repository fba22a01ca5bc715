"""What the figures and the report of a sensitivity analysis read of its plan: a protocol
that :class:`sim.sensitivity.run.Plan` satisfies, so that drawing and reporting load no
part of the simulator."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.scenario import Study
from sim.sensitivity.design import Design
from sim.sensitivity.outcomes import Outcome
from sim.sensitivity.ranges import Parameter


class PlanView(Protocol):
    """A validated sensitivity analysis, as its figures and report see it."""

    @property
    def scenario(self) -> Path:
        """The scenario file."""

    @property
    def design(self) -> Design:
        """The method and its options."""

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        """The sampled parameters, in sample column order."""

    @property
    def x(self) -> NDArray[np.float64]:
        """The SALib sample in the sampled space (one row per point)."""

    @property
    def outcomes(self) -> tuple[Outcome, ...]:
        """The outcomes that apply to the scenario."""

    @property
    def skipped(self) -> tuple[Outcome, ...]:
        """The outcomes that do not (missing variants)."""

    @property
    def study(self) -> Study:
        """The plain study (no parameter set)."""

    @property
    def name(self) -> str:
        """The results folder's name."""

    @property
    def runs_per_point(self) -> int:
        """Variants x replications."""

    @property
    def point_count(self) -> int:
        """The points of the sample."""
