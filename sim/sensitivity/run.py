"""Running a sensitivity analysis on the sweep machinery, resumably, and writing its folder.

Each row of the SALib sample is one **point**: the scenario with every sampled path set to
the row's value, exactly as ``feedsim sweep --set`` would set it. The points become a
:class:`sim.sweep.Sweep` (:func:`sim.sweep.plan_rows`: one axis per parameter, point ``i``
taking value ``i`` on every axis), so every point is validated like a scenario file
before anything runs, and every point runs all variants of the scenario with replications
``0..R-1`` on the seeds of the plain study (common random numbers across points and
variants).

**Resuming.** Finished runs are kept in ``<out>/.<scenario>-<method>.work/`` by the
sweep's :class:`sim.sweep.WorkFolder` (``grid.json`` fingerprints every point's resolved
scenario and feedsim's source; a lock stops two analyses from sharing it): one folder per
run, ``runs/p<point>-<variant>-r<replication>/run.json``, holding the run's seed, cost and
its :data:`sim.sensitivity.outcomes.RUN_METRICS` (not its tables: a sensitivity analysis
has hundreds of points). Run the same command again after an interrupt and it skips the
runs that are there; results are read back in point order, so they are the same as an
uninterrupted analysis's.

**Output.** ``<out>/<scenario>-<method>/`` (written by
:func:`sim.experiment.write_results`: a temporary folder, moved into place when complete)
holds ``tables/sensitivity.parquet`` (indices per parameter and outcome),
``tables/runs.parquet`` (one row per point, variant and replication: parameter values,
seed, run metrics), ``tables/points.parquet`` (outcomes per point), ``tables/claims.parquet``
(and ``tables/structure.parquet`` with a categorical parameter: each claim per level)
(the claim map) and ``manifest.json``; the command line passes in the drawing of
``figures/`` and ``report.md`` / ``report.html`` (:mod:`sim.figures.sensitivity`,
:mod:`sim.report.sensitivity`), which this module never imports.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray
from tqdm import tqdm

from sim.errors import InputError
from sim.experiment import git_commit, manifest, open_executor, write_results
from sim.runs import RunOutput, RunSpec
from sim.scenario import Study, load_study
from sim.sensitivity.design import Design, analyse, convergence, emulate, sample
from sim.sensitivity.noise import noise_table, read_spread
from sim.sensitivity.outcomes import (
    NOISE,
    RUN_METRICS,
    Comparison,
    Context,
    Outcome,
    applicable,
    claim_map,
    point_outcomes,
    point_seed,
    run_metrics,
)
from sim.sensitivity.ranges import Parameter, noise_parameter
from sim.sensitivity.structure import claims_by_level
from sim.sweep import Axis, Point, Sweep, WorkFolder, plan_rows, plan_sweep

Draw = Callable[[Path, dict[str, pd.DataFrame]], None]
"""Draws figures and writes a report into a results folder, from its tables."""


@dataclass(frozen=True)
class Plan:
    """A validated sensitivity analysis: the design, the sample and every point's study.

    Attributes:
        scenario: the scenario file.
        design: the method and its options.
        parameters: the sampled parameters, in sample column order.
        x: the SALib sample in the sampled space (one row per point).
        sweep: the points as a sweep (its base is the plain study).
        outcomes: the outcomes that apply to the scenario, each with its arms.
        skipped: the outcomes that do not (missing variants, or not chosen).
        comparison: the arms the ranges file names, or None (the bundled studies' arms).
    """

    scenario: Path
    design: Design
    parameters: tuple[Parameter, ...]
    x: NDArray[np.float64]
    sweep: Sweep
    outcomes: tuple[Outcome, ...]
    skipped: tuple[Outcome, ...]
    comparison: Comparison | None = None

    @property
    def study(self) -> Study:
        """The plain study (no parameter set)."""
        return self.sweep.base

    @property
    def name(self) -> str:
        """The results folder's name: ``<scenario name>-<method>`` (so that a Sobol analysis
        never replaces the Morris screening that chose its parameters)."""
        return f"{self.study.base.name}-{self.design.method}"

    def values(self, point: Point) -> dict[str, Any]:
        """Every sampled parameter's value at `point`, the noise parameter's included."""
        values = self.sweep.parameters(point)
        for j, p in enumerate(self.parameters):
            if p.path == NOISE:
                values[NOISE] = float(self.x[point.index, j])
        return values

    @property
    def runs_per_point(self) -> int:
        """Variants x replications."""
        return len(self.study.arms) * self.study.base.replications

    @property
    def point_count(self) -> int:
        """The points of the sample."""
        return len(self.sweep.points)


def _text(value: Any) -> str:
    """A value as a ``--set`` would spell it (exact: ``repr`` of a float; a level as YAML)."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bool | str) or value is None:
        return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()
    return str(value)


def _check_in_scenario(scenario: Path, parameter: Parameter, overrides: dict[str, Any]) -> None:
    """Validate a parameter's end points like ``feedsim sweep --set PATH=LOW,HIGH`` does.

    Raises:
        InputError: naming the ranges file or ``--param``, the path, and the problem (a
            study-level field, a field a variant sets itself, or a value the scenario
            rejects).
    """
    ends = list(parameter.levels) or [parameter.value(b) for b in parameter.bounds]
    setting = f"{parameter.path}={','.join(_text(v) for v in dict.fromkeys(ends))}"
    try:
        plan_sweep(scenario, [setting], overrides)
    except InputError as exc:
        if exc.source != "--set":
            raise
        raise InputError(parameter.source, parameter.path, exc.problem) from None


def plan_sensitivity(
    scenario: Path,
    design: Design,
    parameters: list[Parameter],
    overrides: dict[str, Any] | None = None,
    comparison: Comparison | None = None,
    noise: bool = True,
) -> Plan:
    """Check the design and parameters, draw the sample, and validate every point.

    With `noise` the sample has one more column, the noise parameter
    (:func:`sim.sensitivity.ranges.noise_parameter`), last: it sets no field but each point's
    base seed, so the analysis measures its own noise floor. The noise method samples nothing
    else: `parameters` are checked, then held at the scenario's values, and each point is one
    run (one replication) with its own noise parameter (:mod:`sim.sensitivity.noise`).

    Args:
        scenario: the scenario file.
        design: the method and its options (its seed is the sample's).
        parameters: the ranges (already checked against the schema).
        overrides: study-level options (``replications``, ``seed``).
        comparison: the arms the outcomes compare, as the ranges file names them (None:
            the arms of the bundled studies, by name).
        noise: add the noise parameter (an analysis made without one is redrawn without).

    Raises:
        InputError: a bad design option, a scenario none of the outcomes applies to, an arm
            the ranges file names that the scenario does not have, or a parameter the
            scenario does not accept (naming where it was given).
    """
    design.check()
    overrides = overrides or {}
    if design.method == "noise":
        if overrides.get("replications", 1) != 1:
            raise InputError(
                "--replications",
                str(overrides["replications"]),
                "the noise method runs one replication a point (--samples sets the runs)",
            )
        overrides = {**overrides, "replications": 1}
    base = load_study(scenario, overrides)
    outcomes, skipped = applicable(base, comparison)
    if not outcomes:
        arms = ", ".join(arm.name for arm in base.arms)
        raise InputError(
            comparison.source if comparison is not None else scenario,
            "outcomes" if comparison is not None else "variants",
            f"no claim outcome applies to this scenario's variants ({arms}): name the arms"
            " they compare in the ranges file, e.g. compare: {treatment: ARM, reference: ARM}"
            " (docs/sensitivity.md)",
        )
    for parameter in parameters:
        _check_in_scenario(scenario, parameter, overrides)
    model = [] if design.method == "noise" else list(parameters)  # held at the file's values
    parameters = model
    if noise or design.method == "noise":
        parameters = [*parameters, noise_parameter()]
    x = sample(design, parameters)
    values = [[p.value(float(v)) for p, v in zip(model, row, strict=False)] for row in x]
    axes = [
        Axis(p.path, tuple(row[j] for row in values), tuple(_text(row[j]) for row in values))
        for j, p in enumerate(model)
    ]
    seeds = [point_seed(base.base.seed, float(u)) for u in x[:, -1]] if noise else None
    sweep = plan_rows(scenario, axes, overrides, seeds)
    return Plan(
        scenario,
        design,
        tuple(parameters),
        x,
        sweep,
        tuple(outcomes),
        tuple(skipped),
        comparison,
    )


class MetricsFolder(WorkFolder):
    """The sweep's work folder, keeping each run's metrics instead of its tables."""

    context: Context | None = None

    def run_info(self, spec: RunSpec, output: RunOutput) -> dict[str, Any]:
        """The sweep's ``run.json``, plus the run's metrics."""
        assert self.context is not None
        return {
            **super().run_info(spec, output),
            "metrics": run_metrics(output.tables, self.context),
        }

    def kept_tables(self, output: RunOutput) -> dict[str, pd.DataFrame]:
        """No tables: the metrics in ``run.json`` are all the analysis needs."""
        return {}

    def info(self, key: str) -> dict[str, Any]:
        """One saved run's ``run.json``."""
        data: dict[str, Any] = json.loads((self.runs / key / "run.json").read_text())
        return data


def _run_pending(
    plan: Plan, work: MetricsFolder, jobs: int, scheduler: str | None, progress: bool
) -> int:
    """Run every run not yet in the work folder; return how many were there already."""
    runs = plan.sweep.runs()
    finished = work.finished()
    pending = [(key, point.index, spec) for key, point, spec in runs if key not in finished]
    left = {p.index: 0 for p in plan.sweep.points}
    for _, index, _ in pending:
        left[index] += 1
    with (
        open_executor(jobs, scheduler) as executor,
        tqdm(
            total=len(runs),
            initial=len(runs) - len(pending),
            unit="run",
            desc=plan.name,
            disable=not progress,
            leave=False,
        ) as bar,
    ):

        def show() -> None:
            done = sum(1 for n in left.values() if n == 0)
            bar.set_postfix_str(f"points {done} done, {len(left) - done} left", refresh=False)

        show()
        for output in executor.iterate([spec for _, _, spec in pending]):
            key, index, spec = pending[output.spec_index]
            work.save(key, spec, output)
            left[index] -= 1
            show()
            bar.update(1)
    return len(runs) - len(pending)


ESTIMATE_POINTS = 5
"""Points :func:`estimate_cost` times one run of, spread evenly through the design."""


def estimate_points(count: int, wanted: int = ESTIMATE_POINTS) -> list[int]:
    """The indices of `wanted` points spread evenly over `count` (the first and the last
    among them; all of them when there are no more)."""
    if count <= wanted:
        return list(range(count))
    return sorted({round(i * (count - 1) / (wanted - 1)) for i in range(wanted)})


def estimate_cost(plan: Plan, workers: int) -> str:
    """Time one run (the first variant, replication 0) at each of :data:`ESTIMATE_POINTS`
    points spread over the design, in this process, and say what all of the analysis's runs
    cost at their mean pace, and at the slowest one's: core-hours, and wall time on
    ``workers`` cores.

    The cost of a run varies with its point, and not evenly: where sampled values make the
    feed denser (more follows, a higher degree) or let notified sessions bring engagements
    that notify again, one run costs several times the defaults' (a Morris screening of
    link-with-everyone at 10,000 members: 9 s at its first point, a mean of 30 s and up to
    117 s over its first 12 points). So the range is the order of the cost, not a bound."""
    import time

    from sim.runs import execute

    first_run = {point.index: (point, spec) for _, point, spec in reversed(plan.sweep.runs())}
    timed = []
    for index in estimate_points(plan.point_count):
        _, spec = first_run[index]
        start = time.perf_counter()
        execute(spec, 0)
        timed.append((time.perf_counter() - start, index))
    seconds = [s for s, _ in timed]
    runs = plan.point_count * plan.runs_per_point
    mean, slowest = sum(seconds) / len(seconds), max(timed)

    def cost(pace: float) -> str:
        hours = runs * pace / 3600
        return f"{hours:.2f} core-hours, {hours / workers:.2f} h on {workers} worker" + (
            "s" if workers > 1 else ""
        )

    paces = ", ".join(f"{s:.1f} s at point {i}" for s, i in timed)
    return (
        f"{plan.name}: {plan.point_count} points x {len(plan.study.arms)} variants x"
        f" {plan.study.base.replications} replications = {runs:,} runs. One run of the first"
        f" variant took {paces}. At their mean pace ({mean:.1f} s) the analysis costs about"
        f" {cost(mean)}; at the slowest one's ({slowest[0]:.1f} s), {cost(slowest[0])}."
        " Points not timed may cost more. Nothing was written."
    )


def collect(plan: Plan, work: MetricsFolder) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The runs table (point order, then variant, then replication) and the manifest's runs.

    A manifest run names its point (whose parameters the manifest's ``points`` list once)
    and holds its seed and cost; its metrics are in the runs table, not repeated there."""
    rows, entries = [], []
    for key, point, _ in plan.sweep.runs():
        info = work.info(key)
        parameters = plan.values(point)
        metrics = info.pop("metrics")
        entries.append({"point": point.index, **info})
        rows.append(
            {
                "point": point.index,
                "variant": info["variant"],
                "replication": info["replication"],
                "seed": info["seed"],
                **{p.column: parameters[p.path] for p in plan.parameters},
                **{m: metrics[m] for m in RUN_METRICS},
            }
        )
    frame = pd.DataFrame(rows)
    for name in RUN_METRICS:
        frame[name] = frame[name].astype(np.float64)
    frame["point"] = frame["point"].astype(np.int64)
    frame["replication"] = frame["replication"].astype(np.int64)
    frame["seed"] = frame["seed"].astype(np.int64)
    return frame, entries


def run_sensitivity(
    plan: Plan,
    out: Path,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = True,
    fresh: bool = False,
    draw: Draw | None = None,
) -> Path:
    """Run (or resume) every run of `plan`, analyse, and write ``<out>/<name>-<method>/``.

    Args:
        plan: the validated analysis (:func:`plan_sensitivity`).
        out: the folder the results folder and the work folder are in.
        jobs: local worker processes (1: in this process).
        scheduler: a dask.distributed scheduler address to run on instead.
        progress: show a progress bar (runs, points done and left, time left).
        fresh: discard the work folder of a different analysis of the same name.
        draw: draws the figures and writes the report into the folder being written, from
            its tables (the command line passes it in); None writes tables and manifest only.

    Returns:
        The results folder.
    """
    work = MetricsFolder(out / f".{plan.name}.work")
    work.context = Context.of(plan.study)
    commit = git_commit()  # the code that runs, not the checkout's when the analysis ends
    with work.locked():
        options = {
            "replications": plan.study.base.replications,
            "scenario": str(plan.scenario),
            "method": plan.design.method,
        }
        started = work.prepare(plan.sweep, fresh, options)
        try:
            resumed = _run_pending(plan, work, jobs, scheduler, progress)
        except InputError:
            if not any(work.runs.iterdir()):
                shutil.rmtree(work.path)
            raise
        runs, entries = collect(plan, work)
        points = point_outcomes(runs, list(plan.outcomes))
        firsts = runs.groupby("point", sort=True).first()
        for offset, p in enumerate(plan.parameters, start=1):
            points.insert(offset, p.column, firsts[p.column].to_numpy())
        values = {o.name: points[o.name].to_numpy(dtype=np.float64) for o in plan.outcomes}
        extra: dict[str, pd.DataFrame] = {}
        if plan.design.method == "emulator":
            indices, extra["emulator"], extra["convergence"] = emulate(
                plan.design, list(plan.parameters), plan.x, values
            )
        elif plan.design.method == "noise":
            against = plan.design.against
            spread = None if against is None else read_spread(Path(against), plan.study.base.name)
            extra["noise"] = noise_table(points, list(plan.outcomes), spread)
            if spread is not None:
                names = [o.name for o in plan.outcomes if o.name in spread.points.columns]
                extra["against"] = spread.points[["point", *names]]
            indices = analyse(plan.design, list(plan.parameters), plan.x, {})
        else:
            indices = analyse(plan.design, list(plan.parameters), plan.x, values)
        if plan.design.method == "sobol":
            extra["convergence"] = convergence(plan.design, list(plan.parameters), plan.x, values)
        claims = claim_map(plan.outcomes, plan.design.method, points, indices)
        data = _manifest(plan, started, jobs, scheduler, entries, resumed, commit)
        tables = {"sensitivity": indices, "runs": runs, "points": points, "claims": claims}
        tables |= extra
        structure = claims_by_level(plan.outcomes, plan.parameters, points)
        if not structure.empty:
            tables["structure"] = structure
        finish = None if draw is None else (lambda folder: draw(folder, tables))
        destination = write_results(out / plan.name, tables, data, finish)
        shutil.rmtree(work.path)
    return destination


def _without_descriptions(value: Any) -> Any:
    """A resolved scenario without its ``description`` texts (words do not change results)."""
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [_without_descriptions(v) for v in value]
    return value


def replan(folder: Path) -> Plan:
    """The plan of a finished analysis, rebuilt from its manifest (to redraw its figures).

    The sample is drawn again from the recorded design, ranges and seed, from the scenario
    file the manifest names (relative paths from the current folder).

    Raises:
        InputError: the manifest is not a sensitivity analysis's, or the scenario file now
            gives other points than the analysis ran (it changed since).
    """
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(folder, "manifest.json", f"cannot be read ({exc})") from None
    if data.get("analysis") != "sensitivity":
        raise InputError(folder, "manifest.json", "not the manifest of a sensitivity analysis")
    recorded = data["design"]
    design = Design(
        data["method"],
        trajectories=recorded["trajectories"] or Design.trajectories,
        levels=recorded["levels"] or Design.levels,
        samples=recorded["samples"] or Design.samples,
        seed=recorded["sample_seed"],
        against=recorded.get("against"),
    )
    parameters = [
        Parameter(
            p["path"],
            p["low"],
            p["high"],
            p["scale"],
            p["reason"],
            p["integer"],
            p["source"],
            tuple(p.get("levels", ())),
        )
        for p in data["parameters"]
        if p["path"] != NOISE
    ]
    noise = any(p["path"] == NOISE for p in data["parameters"])
    overrides = {"replications": data["replications"], "seed": data["base_seed"]}
    arms = data.get("comparison")
    comparison = (
        None if arms is None else Comparison(arms["file"], arms["compare"], arms["outcomes"])
    )
    plan = plan_sensitivity(
        Path(data["scenario"]["file"]), design, parameters, overrides, comparison, noise
    )
    now = [{"point": p.index, "parameters": plan.values(p)} for p in plan.sweep.points]
    resolved = _without_descriptions(json.loads(json.dumps(plan.study.resolved())))
    if now != data["points"] or resolved != _without_descriptions(data["scenario"]):
        raise InputError(
            data["scenario"]["file"],
            "",
            f"gives other points than the analysis in {folder} ran (the scenario changed since)",
        )
    return plan


def _manifest(
    plan: Plan,
    started: datetime,
    jobs: int,
    scheduler: str | None,
    entries: list[dict[str, Any]],
    resumed: int,
    commit: str,
) -> dict[str, Any]:
    """The run manifest plus the design, the ranges, the outcomes, every point and run."""
    data = manifest(plan.study, [], started, jobs, scheduler, commit)
    design = plan.design
    data.update(
        analysis="sensitivity",
        sensitivity_name=plan.name,
        method=design.method,
        design={
            "trajectories": design.trajectories if design.method == "morris" else None,
            "levels": design.levels if design.method == "morris" else None,
            "samples": design.samples if design.method != "morris" else None,
            "sample_seed": design.seed,
            "against": design.against,
            "points": len(plan.sweep.points),
        },
        parameters=[
            {
                "path": p.path,
                "column": p.column,
                "low": p.low,
                "high": p.high,
                "scale": p.scale,
                "integer": p.integer,
                "levels": list(p.levels),
                "reason": p.reason,
                "source": p.source,
            }
            for p in plan.parameters
        ],
        outcomes=[o.name for o in plan.outcomes],
        outcome_variants={o.name: list(o.variants) for o in plan.outcomes},
        comparison=None if plan.comparison is None else plan.comparison.as_mapping(),
        skipped_outcomes={o.name: list(o.variants) for o in plan.skipped},
        points=[{"point": p.index, "parameters": plan.values(p)} for p in plan.sweep.points],
        runs=entries,
        resumed_runs=resumed,
        compute_seconds=round(sum(e["wall_seconds"] for e in entries), 3),
    )
    return data
