"""One run of a study and the seam where runs execute (no knowledge of who picks the place).

:class:`RunSpec` names a run, :func:`execute` runs it in this process, :class:`RunOutput` is what
comes back, and :class:`Executor` is the interface of every place runs can go: the local
executors of :mod:`sim.experiment` and :class:`sim.cluster.DaskExecutor` both build on this
module, and :func:`sim.experiment.open_executor` chooses between them.
"""

from __future__ import annotations

import os
import socket
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import pandas as pd

from sim.engine import World
from sim.metrics import tables
from sim.scenario import Scenario


@dataclass(frozen=True)
class RunSpec:
    """One run: an arm of the study and a replication."""

    scenario: Scenario
    source: Path
    variant: str
    replication: int
    seed: int


@dataclass(frozen=True)
class RunOutput:
    """The tables of one run, its cost and where it ran.

    Attributes:
        spec_index: position of the run's :class:`RunSpec` in the list it was submitted in.
        tables: the run's tables (see :data:`sim.metrics.TABLES`).
        counts: run totals (sessions, impressions, posts, ties, members).
        seconds: wall time of the run.
        worker: who ran it: ``hostname:pid`` locally, the worker address on a cluster.
    """

    spec_index: int
    tables: dict[str, pd.DataFrame]
    counts: dict[str, int]
    seconds: float
    worker: str


def local_worker() -> str:
    """This process as a worker name: ``hostname:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def execute(spec: RunSpec, index: int, on_day: Callable[[int], None] | None = None) -> RunOutput:
    """Run one replication of one variant and turn its records into tables."""
    started = time.perf_counter()
    records = World(spec.scenario, spec.seed, spec.source).run(on_day)
    names = [f.name for f in spec.scenario.focal]
    result = tables(records, spec.scenario.name, spec.variant, spec.replication, spec.seed, names)
    return RunOutput(index, result, records.counts, time.perf_counter() - started, local_worker())


class Executor(ABC):
    """Where runs execute. Use as a context manager: leaving it releases its workers.

    Subclasses implement :meth:`iterate`; :meth:`run` collects its outputs in save order.
    """

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release workers and connections (nothing to release by default)."""
        return None  # local executors release their pools in iterate

    @abstractmethod
    def iterate(
        self, specs: Sequence[RunSpec], on_day: Callable[[int], None] | None = None
    ) -> Iterator[RunOutput]:
        """Run every spec; yield each output as its run finishes (in any order).

        Args:
            specs: the runs; an output's ``spec_index`` is its spec's position here.
            on_day: called after each simulated day, where the executor can (in-process).
        """

    def run(
        self,
        specs: Sequence[RunSpec],
        on_day: Callable[[int], None] | None = None,
        on_done: Callable[[RunOutput], None] | None = None,
    ) -> list[RunOutput]:
        """Run every spec and return the outputs in the order of `specs` (save order).

        Args:
            specs: the runs.
            on_day: as for :meth:`iterate`.
            on_done: called with each output as its run finishes.
        """
        outputs = []
        for output in self.iterate(specs, on_day):
            if on_done is not None:
                on_done(output)
            outputs.append(output)
        return sorted(outputs, key=lambda o: o.spec_index)
