"""The commands that simulate: `feedsim run`, `feedsim sweep` and `feedsim sensitivity`.

Each runs its study, then passes `sim.cli.drawing` what draws the figures and the report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from sim.cli import drawing, options
from sim.errors import InputError
from sim.metrics import TABLES
from sim.scenario import RANKERS, Study, load_study, under_ranker


@click.command(epilog=options.RANKER_PRESETS_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("results"),
    show_default=True,
    help="Folder the results folder <out>/<scenario name>/ is written in.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    help="Replications per variant (overrides the file's `replications`).",
)
@options.seed_option
@options.jobs_option
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="Run on the dask.distributed scheduler at ADDR (tcp://host:port) instead of"
    " local processes; results are identical.",
)
@click.option(
    "--ranker",
    type=click.Choice(RANKERS),
    help="Replay every variant under this ranker preset (platform.ranker; the presets are"
    " listed below) instead of the file's, on the same seeds; the results go to"
    " <out>/<name>-<ranker>/. To compare all presets in one figure with 95% intervals, sweep"
    " platform.ranker (feedsim sweep --help).",
)
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="NAME",
    help="Run only this variant (repeat for several); the others are left out of the folder"
    " and its manifest. Replication r keeps its seed, so the runs are those of the full study.",
)
@click.option(
    "--no-figures",
    is_flag=True,
    help="Write the tables, the manifest and a report without figures (drawing them takes"
    " about ten seconds a folder): for batch runs; `feedsim figures <out>/<name>` draws them"
    " and rewrites the report later.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@options.input_errors_exit_2
def run(
    scenario: Path,
    out: Path,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    ranker: str | None,
    variants: tuple[str, ...],
    no_figures: bool,
    quiet: bool,
) -> None:
    """Simulate every variant of SCENARIO and write <out>/<name>/.

    The folder holds manifest.json (resolved scenario, seeds, version, git commit),
    tables/*.parquet (one per table: TABLES), figures/ (PNG and SVG; not with
    --no-figures) and report.html / report.md. It appears only when complete; an earlier
    folder of the same name is replaced only then.
    """
    from sim.experiment import git_commit, manifest, merge_tables, run_study, write_results
    from sim.network import check_burst_sizes

    study = load_study(scenario, options.study_overrides(replications, seed))
    if ranker is not None:
        study = under_ranker(study, ranker)
    if variants:
        study = only_variants(study, variants, scenario)
    check_burst_sizes(study)
    options.warn(study)
    workers = options.workers(jobs, scheduler)
    started, commit = datetime.now(UTC), git_commit()
    outputs = run_study(study, jobs=workers, progress=not quiet, scheduler=scheduler)
    merged = merge_tables(outputs)
    destination = out / study.base.name
    data = manifest(study, outputs, started, workers, scheduler, commit)
    write_results(destination, merged, data, drawing.report_only if no_figures else drawing.draw)
    click.echo(f"wrote {destination}/ (open {destination / 'report.html'})")


run.help = (run.help or "").replace("TABLES", ", ".join(TABLES))  # the tables it writes


@click.command(epilog=options.RANKER_PRESETS_HELP)
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--set",
    "settings",
    multiple=True,
    required=True,
    metavar="PATH=V1,V2,...",
    help="A scenario field (dotted path, e.g. platform.test_audience.fraction; list items by"
    " name or index, e.g. variants.accept-100-it.events.0.count; `feedsim params` lists them)"
    " and the values it takes (YAML scalars). Repeat for more fields: the grid is their"
    " product.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("results"),
    show_default=True,
    help="Folder the results folder <out>/<scenario name>-sweep/ is written in.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    help="Replications per variant and point (overrides the file's `replications`).",
)
@options.seed_option
@options.jobs_option
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="Run on the dask.distributed scheduler at ADDR (tcp://host:port) instead.",
)
@click.option(
    "--fresh",
    is_flag=True,
    help="Discard the work folder of an unfinished sweep with other settings and start anew.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@options.input_errors_exit_2
def sweep(
    scenario: Path,
    settings: tuple[str, ...],
    out: Path,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    fresh: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO at every point of a parameter grid and write <out>/<name>-sweep/.

    \b
    Example:
      feedsim sweep scenarios/recruiter-accepts-100-it.yaml \\
          --set platform.test_audience.fraction=0.05,0.1,0.2 \\
          --set behaviour.ties.stranger=0.05,0.15
      feedsim sweep scenarios/recruiter-accepts-100-it.yaml \\
          --set platform.ranker=PRESETS

    Every point is validated before anything runs. Replication r uses the same seed at every
    point and in every variant. The tables get a `point` column and one column per swept
    field (dots become `__`). Finished runs are kept in <out>/.<name>-sweep.work/: run the
    same command again after an interruption to resume (with other settings it refuses;
    --fresh starts anew). Then the figures and the report are drawn: every outcome against
    the swept values (a figure for one or two swept fields, a table for more).
    """
    from sim.network import check_burst_sizes
    from sim.sweep import plan_sweep, run_sweep

    overrides = options.study_overrides(replications, seed)
    workers = options.workers(jobs, scheduler)
    plan = plan_sweep(scenario, settings, overrides)
    for point in plan.points:
        check_burst_sizes(point.study)
    options.warn(plan.base)
    with options.kept_on_interrupt(out / f".{plan.name}.work"):
        destination = run_sweep(
            plan,
            scenario,
            out,
            workers,
            scheduler,
            progress=not quiet,
            fresh=fresh,
            finish=drawing.draw,
        )
    click.echo(f"wrote {destination}/ ({len(plan.points)} points)")


sweep.help = (sweep.help or "").replace("PRESETS", ",".join(RANKERS))  # every ranker preset


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--method",
    default="morris",
    show_default=True,
    help="morris (elementary-effects screening), sobol (first-order and total indices),"
    " emulator (the same indices of a Gaussian process fitted to the runs and checked on"
    " runs held out: for runs too dear for a converged Sobol design) or noise (each"
    " outcome's run-to-run noise at the scenario's values, --samples runs; with --against,"
    " how many replications a point needs).",
)
@click.option(
    "--ranges",
    "ranges_file",
    type=click.Path(path_type=Path),
    help="YAML list of {path, low, high, scale: linear|log, reason} (or {path, levels: [A,"
    " B], reason} for a structural option), or a mapping with that list under `parameters`"
    " and the arms the outcomes compare under `compare` ({treatment: ARM, reference: ARM})"
    " and `outcomes` (scenarios/ranges/).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=LOW:HIGH[:log]",
    help="A scenario field and its range (repeatable; ':log' for log-uniform), or"
    " PATH=A,B[,C] to sample a structural option over its values (e.g."
    " platform.followers=audience,pull).",
)
@click.option("--trajectories", type=int, default=10, show_default=True, help="Morris: r.")
@click.option("--levels", type=int, default=4, show_default=True, help="Morris: grid levels p.")
@click.option(
    "--samples",
    type=int,
    help="Sobol: base sample N (power of 2; default 64); emulator: the points it is fitted to"
    " (power of 2, default 64; N/4 more are held out to check it); noise: the runs at the"
    " scenario's values (default 10).",
)
@click.option(
    "--against",
    type=click.Path(path_type=Path, file_okay=False),
    help="Noise: a finished analysis of the same scenario (its results folder, with its"
    " tables) whose spread over its points the noise is set against; the report then says"
    " how many replications a point would need for an emulator to pass its check.",
)
@click.option(
    "--replications",
    type=click.IntRange(min=1),
    help="Replications per variant and point (overrides the file's `replications`).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Base seed of the runs and of the sample (default: the file's `seed`).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes [default: all cores]; results are identical for any number.",
)
@click.option("--scheduler", metavar="ADDR", help="Run on the dask.distributed scheduler at ADDR.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("results"),
    show_default=True,
    help="Folder the results folder <out>/<scenario name>-<method>/ is written in.",
)
@click.option("--fresh", is_flag=True, help="Discard an unfinished analysis with other settings.")
@click.option(
    "--estimate",
    is_flag=True,
    help="Time one run at each of five points spread over the design and print the"
    " analysis's cost in core-hours and wall time at their mean and slowest pace, then stop"
    " (nothing is written).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@options.input_errors_exit_2
def sensitivity(
    scenario: Path,
    method: str,
    ranges_file: Path | None,
    params: tuple[str, ...],
    trajectories: int,
    levels: int,
    samples: int | None,
    against: Path | None,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    out: Path,
    fresh: bool,
    estimate: bool,
    quiet: bool,
) -> None:
    """Which unpublished parameters decide the blog post's claims? (SALib)

    \b
    Example:
      feedsim sensitivity scenarios/link-with-everyone.yaml --method morris \\
          --ranges scenarios/ranges/link-with-everyone.yaml --replications 2

    Each point of the SALib sample is the scenario with every parameter set (as
    `feedsim sweep --set`), run with all variants and replications on common random
    numbers. Outcomes are the claims, each a number of one arm or a difference of two: the
    arms the ranges file names (`compare`, `outcomes`), else those of the bundled studies
    by name (docs/sensitivity.md). Writes tables/sensitivity.parquet, tables/runs.parquet,
    figures, a claim map and report.md/html to <out>/<name>-<method>/. Finished runs are
    kept in <out>/.<name>-<method>.work/: run the same command again to resume.
    --estimate times one run at each of five points of the design and says what the whole
    analysis costs at their mean and slowest pace.
    """
    from sim.sensitivity.design import DEFAULT_SAMPLES, Design
    from sim.sensitivity.noise import read_spread
    from sim.sensitivity.ranges import check_unique, parse_param, read_ranges
    from sim.sensitivity.run import plan_sensitivity, run_sensitivity

    overrides = options.study_overrides(replications, seed)
    samples = samples if samples is not None else DEFAULT_SAMPLES.get(method, 64)
    target = None if against is None else str(against)
    Design(method, trajectories, levels, samples, against=target).check()  # options first
    ranges = read_ranges(ranges_file) if ranges_file is not None else None
    parameters = [*(ranges.parameters if ranges else []), *(parse_param(t) for t in params)]
    if parameters or method != "noise":  # the noise method samples none: it may name none
        check_unique(parameters, str(ranges_file) if ranges_file and not params else "--param")
    workers = options.workers(jobs, scheduler)
    sample_seed = seed if seed is not None else load_study(scenario, overrides).base.seed
    design = Design(method, trajectories, levels, samples, sample_seed, target)
    comparison = ranges.comparison if ranges else None
    plan = plan_sensitivity(scenario, design, parameters, overrides, comparison)
    if against is not None:
        read_spread(against, plan.study.base.name)  # a bad folder before any run
    if estimate:
        from sim.sensitivity.run import estimate_cost

        click.echo(estimate_cost(plan, workers))
        return
    with options.kept_on_interrupt(out / f".{plan.name}.work"):
        destination = run_sensitivity(
            plan, out, workers, scheduler, not quiet, fresh, drawing.draw_sensitivity(plan)
        )
    click.echo(
        f"wrote {destination}/ ({len(plan.sweep.points)} points;"
        f" outcomes: {', '.join(o.name for o in plan.outcomes)})"
    )


def only_variants(study: Study, names: tuple[str, ...], source: Path) -> Study:
    """`study` with only the variants `names`, in the scenario's order.

    Raises:
        InputError: a name is not a variant of the scenario.
    """
    known = [arm.name for arm in study.arms]
    for name in names:
        if name not in known:
            raise InputError(
                "--variant", "", f"{name!r} is not a variant of {source} ({', '.join(known)})"
            )
    return Study(study.path, study.base, tuple(a for a in study.arms if a.name in names))
