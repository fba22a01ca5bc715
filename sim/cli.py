"""The `feedsim` command (also `python -m sim`): thin click commands over the package.

Exit codes: 0 success; 2 bad input (a scenario, option or data file), with one message
naming the file, the field and the problem; 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from sim import __version__
from sim.bench import WORKLOADS
from sim.errors import InputError
from sim.metrics import TABLES
from sim.scenario import RANKERS, json_schema, load_study, under_ranker
from sim.toyfeed import MEMBERS as COMPARE_MEMBERS

if TYPE_CHECKING:
    import pandas as pd

    from sim.sensitivity.run import Draw, Plan

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios"


def _input_errors_exit_2(command: Callable[..., None]) -> Callable[..., None]:
    """Turn InputError into one line on stderr and exit code 2; Ctrl-C into exit code 130."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except InputError as exc:
            one_line = " ".join(exc.message.splitlines())  # a key or value may hold newlines
            click.echo(f"feedsim: error: {one_line}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("feedsim: interrupted; no results were written", err=True)
            sys.exit(130)

    return wrapper


DEFAULT_JOBS = 1
"""Local worker processes when `--jobs` is not given (the same for `run` and `sweep`)."""

seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Base seed (overrides the file's `seed`); replication r gets its own seed from it.",
)
jobs_option = click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help=f"Worker processes [default: {DEFAULT_JOBS}]; results are identical for any number.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="feedsim")
def main() -> None:
    """feedsim: simulate a LinkedIn-like feed and see what linking choices do.

    A scenario file (YAML) describes a study: a network of members in fields, a feed
    algorithm, scripted events such as "on day 30 the recruiter accepts 100 invitations from
    IT professionals", and the variants to compare. `feedsim run` simulates every variant on
    common random numbers and writes tables, figures and a report.

    \b
    Start with:
      feedsim scenarios                     list the bundled studies
      feedsim run scenarios/recruiter-accepts-100-it.yaml
      feedsim params                        every parameter a sweep can set, with units
      feedsim schema                        the JSON Schema of scenario files
    """


@main.command()
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
@seed_option
@jobs_option
@click.option(
    "--scheduler",
    metavar="ADDR",
    help="Run on the dask.distributed scheduler at ADDR (tcp://host:port) instead of"
    " local processes; results are identical.",
)
@click.option(
    "--ranker",
    type=click.Choice(RANKERS),
    help="Replay every variant under this ranker preset (platform.ranker) instead of the"
    " file's, on the same seeds; the results go to <out>/<name>-<ranker>/. To compare all"
    " presets in one figure with 95% intervals, sweep platform.ranker (feedsim sweep --help).",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_input_errors_exit_2
def run(
    scenario: Path,
    out: Path,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    ranker: str | None,
    quiet: bool,
) -> None:
    """Simulate every variant of SCENARIO and write <out>/<name>/.

    The folder holds manifest.json (resolved scenario, seeds, version, git commit),
    tables/*.parquet (one per table: TABLES), figures/ (PNG and SVG) and report.html /
    report.md. It appears only when complete; an earlier folder of the same name is
    replaced only then.
    """
    from sim.experiment import git_commit, manifest, merge_tables, run_study, write_results

    study = load_study(scenario, _study_overrides(replications, seed))
    if ranker is not None:
        study = under_ranker(study, ranker)
    workers = _workers(jobs, scheduler)
    started, commit = datetime.now(UTC), git_commit()
    outputs = run_study(study, jobs=workers, progress=not quiet, scheduler=scheduler)
    merged = merge_tables(outputs)
    destination = out / study.base.name
    data = manifest(study, outputs, started, workers, scheduler, commit)
    write_results(destination, merged, data, _draw)
    click.echo(f"wrote {destination}/ (open {destination / 'report.html'})")


run.help = (run.help or "").replace("TABLES", ", ".join(TABLES))  # the tables it writes


def _study_overrides(replications: int | None, seed: int | None) -> dict[str, Any]:
    """The study-level fields the `--replications` and `--seed` options replace."""
    overrides: dict[str, Any] = {}
    if replications is not None:
        overrides["replications"] = replications
    if seed is not None:
        overrides["seed"] = seed
    return overrides


@contextmanager
def _kept_on_interrupt(work: Path) -> Iterator[None]:
    """On Ctrl-C, say where a sweep's or sensitivity analysis's finished runs are kept."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(
            f"feedsim: finished runs are kept in {work}/; run the same command again to resume",
            err=True,
        )
        raise


def _workers(jobs: int | None, scheduler: str | None, default: int = DEFAULT_JOBS) -> int:
    """Local worker processes: `--jobs`, else `default`; 1 with `--scheduler`.

    Raises:
        InputError: both `--jobs` and `--scheduler` were given.
    """
    if scheduler is not None:
        if jobs is not None:
            raise InputError(
                "--jobs",
                "",
                "cannot be combined with --scheduler (the cluster's workers run the runs)",
            )
        return 1
    return default if jobs is None else jobs


@main.command()
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
@seed_option
@jobs_option
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
@_input_errors_exit_2
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
          --set platform.ranker=linkedin,edgerank,twitter-2023,chronological,random

    Every point is validated before anything runs. Replication r uses the same seed at every
    point and in every variant. The tables get a `point` column and one column per swept
    field (dots become `__`). Finished runs are kept in <out>/.<name>-sweep.work/: run the
    same command again after an interruption to resume (with other settings it refuses;
    --fresh starts anew). Then the figures and the report are drawn: every outcome against
    the swept values (a figure for one or two swept fields, a table for more).
    """
    from sim.sweep import plan_sweep, run_sweep

    overrides = _study_overrides(replications, seed)
    workers = _workers(jobs, scheduler)
    plan = plan_sweep(scenario, settings, overrides)
    with _kept_on_interrupt(out / f".{plan.name}.work"):
        destination = run_sweep(
            plan, scenario, out, workers, scheduler, progress=not quiet, fresh=fresh, finish=_draw
        )
    click.echo(f"wrote {destination}/ ({len(plan.points)} points)")


@main.command()
@click.option(
    "--workload",
    "workloads",
    multiple=True,
    type=click.Choice(WORKLOADS),
    help="A standard workload (repeat for more) [default: all].",
)
@click.option(
    "--days", type=click.IntRange(min=1), default=30, show_default=True, help="Simulated days."
)
@click.option("--members", type=click.IntRange(min=2), hidden=True)
@click.option(
    "--compare",
    is_flag=True,
    help="Instead: run the toy feed of sim/toyfeed.py and feedsim on one Barabasi-Albert graph"
    " (--members, default 10,000) and print both with feedsim/toy ratios.",
)
@click.option(
    "--growth",
    is_flag=True,
    help="Instead: measure how the cost grows with members, days and density (12 runs, about"
    " 5 minutes on two cores) and draw the three growth curves into --figure.",
)
@click.option(
    "--figure",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("growth.png"),
    show_default=True,
    help="Where --growth draws its figure (PNG); its table goes beside it (.csv).",
)
@click.option(
    "--slice-check",
    is_flag=True,
    help="Instead: compare key statistics at the default slice_hours and at --short-slice,"
    " on the first --workload (default synthetic-10k).",
)
@click.option(
    "--short-slice",
    type=click.FloatRange(min=0, min_open=True, max=24),
    default=0.1,
    show_default=True,
    help="The short slice of --slice-check (hours).",
)
@click.option(
    "--replications",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Replications per slice length of --slice-check.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Worker processes of --slice-check [default: all cores].",
)
@_input_errors_exit_2
def bench(
    workloads: tuple[str, ...],
    days: int,
    members: int | None,
    compare: bool,
    growth: bool,
    figure: Path,
    slice_check: bool,
    short_slice: float,
    replications: int,
    jobs: int | None,
) -> None:
    """Run standard performance workloads and print a table for each (not a test).

    Each workload runs in a fresh process, so its peak memory is its own: members, ties,
    simulated days, sessions, impressions, setup and simulation seconds, sessions and
    impressions per second, peak memory. The dblp workload needs the DBLP files
    ($FEEDSIM_DATA, else shared/data beside the checkout) and is skipped without them.

    With --compare, the toy feed of sim/toyfeed.py (the hand-vectorised reference a feed
    simulator should match per session) and feedsim (linkedin preset, defaults otherwise)
    each run in a fresh process on one Barabasi-Albert graph; the table gives feedsim's
    sessions and impressions per second as a ratio of the toy's.

    With --growth, three series of the synthetic workload (members, simulated days, mean
    degree; sim/growth.py) are measured point by point, each point in a fresh process, and
    the growth exponent of the simulation time in each factor is printed and drawn.
    """
    from sim import bench as benchmarks

    if growth:
        if workloads or compare or slice_check:
            raise click.UsageError("--growth takes neither --workload, --compare nor --slice-check")
        _bench_growth(figure)
        return

    if compare:
        if workloads or slice_check:
            raise click.UsageError("--compare takes neither --workload nor --slice-check")
        size = members or COMPARE_MEMBERS
        try:
            toy, feedsim = (
                benchmarks.measure_in_subprocess(side, days, size)
                for side in benchmarks.COMPARE_SIDES
            )
        except RuntimeError as exc:
            raise click.ClickException(f"--compare failed ({exc})") from exc
        click.echo(benchmarks.format_compare(toy, feedsim))
        return
    names = list(workloads) or list(WORKLOADS)
    if members is not None:
        names = [f"synthetic-{members}"]
    if slice_check:
        name = names[0] if workloads or members is not None else "synthetic-10k"
        default_hours, rows = benchmarks.slice_check(
            name, days, short_slice, replications, jobs or os.cpu_count() or 1
        )
        click.echo(
            benchmarks.format_slice_check(name, default_hours, short_slice, replications, rows)
        )
        return
    failed = False
    for name in names:
        if benchmarks.workload(name, days) is None:
            click.echo(f"{name}: skipped (data not found in {benchmarks.data_folder()})\n")
            continue
        try:
            result = benchmarks.measure_in_subprocess(name, days)
        except RuntimeError as exc:
            click.echo(f"{name}: failed ({exc})\n")
            failed = True
            continue
        click.echo(benchmarks.format_result(result) + "\n")
    if failed:
        sys.exit(1)


def _bench_growth(figure: Path) -> None:
    """Measure the growth series, printing each point as it ends, then the exponents; draw
    the figure."""
    from sim import growth as curves
    from sim.bench import run_growth
    from sim.figures.growth import draw_growth_figure

    click.echo(curves.HEADER)
    try:
        points = run_growth(lambda point: click.echo(curves.format_point(point)))
    except RuntimeError as exc:
        raise click.ClickException(f"--growth failed ({exc})") from exc
    click.echo(curves.format_exponents(points))
    table = figure.with_suffix(".csv")
    curves.write_table(points, table)
    draw_growth_figure(points, figure)
    click.echo(f"wrote {figure} and {table}")


class _DrawingFailed(click.ClickException):
    """A figure or the report could not be drawn: one line on stderr, exit code 1.

    Notes added on the way (the results folder kept by `sim.experiment.write_results`)
    end the line.
    """

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``feedsim: error: MESSAGE; NOTES`` on stderr."""
        parts = [self.format_message(), *getattr(self, "__notes__", [])]
        click.echo(f"feedsim: error: {'; '.join(parts)}", err=True)


def _draw(folder: Path) -> None:
    """Draw the figures of `folder`, then write its report.

    A figure that fails does not stop the others; the report is written without it.

    Raises:
        _DrawingFailed: naming the figures that failed (their tracebacks are in
            ``figures/NAME.error.txt``), or why the report could not be written.
    """
    from sim.figures import FiguresFailed, draw_figures
    from sim.report import write_report

    drawn: list[str] | None = None
    failure: FiguresFailed | None = None
    try:
        draw_figures(folder)
    except FiguresFailed as exc:
        drawn, failure = exc.drawn, exc
    try:
        write_report(folder, drawn)
    except InputError:
        raise
    except Exception as exc:
        raise _DrawingFailed(f"could not write the report ({type(exc).__name__}: {exc})") from exc
    if failure is not None:
        tracebacks = ", ".join(f"figures/{name}.error.txt" for name in failure.failures)
        raise _DrawingFailed(
            f"{failure} (traceback in {tracebacks}); the other figures and the report are written"
        ) from failure


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="Also check a sweep's settings, as `feedsim sweep` takes them, and show how each"
    " path resolves: the field, its type and bounds, its current value.",
)
@_input_errors_exit_2
def validate(scenarios: tuple[Path, ...], settings: tuple[str, ...]) -> None:
    """Check scenario files without running them (exit code 2 at the first bad one).

    \b
    With --set, every point of that sweep is checked too, e.g.
      feedsim validate scenarios/recruiter-accepts-100-it.yaml \\
          --set variants.accept-100-it.events.0.count=25,50,100
    """
    from sim.sweep import explain, plan_sweep

    for path in scenarios:
        study = load_study(path)
        plan = plan_sweep(path, settings) if settings else None
        arms = ", ".join(arm.name for arm in study.arms)
        click.echo(f"{path}: ok ({len(study.arms)} variants: {arms})")
        if plan is not None:
            for axis in plan.axes:
                click.echo("\n".join(f"  {line}" for line in explain(plan, axis)))
            click.echo(f"  {len(plan.points)} points, each a valid scenario")


@main.command()
@click.argument("pattern", required=False, metavar="[FILTER]")
def params(pattern: str | None) -> None:
    """List every path `feedsim sweep --set` takes: default, unit, allowed values, meaning.

    FILTER keeps the paths that contain it, or match it as a glob (`*`, `?`):
    `feedsim params test_audience`, `feedsim params 'behaviour.ties.*'`. Items of a list
    are reached by name (<name>) or by index from 0 (<i>); every path also works inside one
    variant as variants.<name>.PATH.
    """
    from sim.params import format_table, matching, parameters

    chosen = matching(parameters(), pattern)
    if not chosen:
        click.echo(
            f"feedsim: error: no parameter path matches {pattern!r} (`feedsim params` lists"
            " them all)",
            err=True,
        )
        sys.exit(2)
    click.echo(format_table(chosen))
    click.echo(
        "\nInside one variant: variants.<name>.PATH for any PATH above but duration_days."
        " Set per run: --seed, --replications."
    )


@main.command()
@click.argument("results", type=click.Path(path_type=Path, file_okay=False))
@_input_errors_exit_2
def figures(results: Path) -> None:
    """Redraw the figures and the report of a results folder from its saved tables.

    Works on the folders of `run`, `sweep` and `sensitivity` (the last from the scenario
    and ranges its manifest records). Also after `feedsim run` kept the tables but failed to
    draw a figure: exit code 1 and one line naming the figure while it still fails.
    """
    if (results / "tables" / "sensitivity.parquet").exists():
        import pandas

        from sim.sensitivity.run import replan

        saved = sorted((results / "tables").glob("*.parquet"))
        tables = {p.stem: pandas.read_parquet(p) for p in saved}
        _draw_sensitivity(replan(results))(results, tables)
    else:
        for needed in ("manifest.json", "tables/feed.parquet"):
            if not (results / needed).exists():
                raise InputError(results, needed, "missing: not a feedsim results folder")
        _draw(results)
    click.echo(f"redrew {results / 'figures'}/ and {results / 'report.html'}")


@main.command()
def scenarios() -> None:
    """List the bundled scenario files and what each studies."""
    files = sorted(BUNDLED.glob("*.yaml"))
    if not files:
        click.echo(f"no bundled scenarios found in {BUNDLED}")
        return
    for path in files:
        try:
            study = load_study(path)
        except InputError as exc:
            click.echo(f"{path.name}: INVALID ({exc.problem})")
            continue
        first_line = (
            study.base.description.strip().splitlines()[0] if study.base.description else ""
        )
        click.echo(f"{os.path.relpath(path)}\n    {first_line}")


@main.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (every field with doc, unit and default)."""
    click.echo(json.dumps(json_schema(), indent=2))


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--method",
    default="morris",
    show_default=True,
    help="morris (elementary-effects screening) or sobol (first-order and total indices).",
)
@click.option(
    "--ranges",
    "ranges_file",
    type=click.Path(path_type=Path),
    help="YAML list of {path, low, high, scale: linear|log, reason} (scenarios/ranges/).",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=LOW:HIGH[:log]",
    help="A scenario field and its range (repeatable; ':log' for log-uniform).",
)
@click.option("--trajectories", type=int, default=10, show_default=True, help="Morris: r.")
@click.option("--levels", type=int, default=4, show_default=True, help="Morris: grid levels p.")
@click.option(
    "--samples", type=int, default=64, show_default=True, help="Sobol: base sample N (power of 2)."
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
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_input_errors_exit_2
def sensitivity(
    scenario: Path,
    method: str,
    ranges_file: Path | None,
    params: tuple[str, ...],
    trajectories: int,
    levels: int,
    samples: int,
    replications: int | None,
    seed: int | None,
    jobs: int | None,
    scheduler: str | None,
    out: Path,
    fresh: bool,
    quiet: bool,
) -> None:
    """Which unpublished parameters decide the blog post's claims? (SALib)

    \b
    Example:
      feedsim sensitivity scenarios/link-with-everyone.yaml --method morris \\
          --ranges scenarios/ranges/link-with-everyone.yaml --replications 2

    Each point of the SALib sample is the scenario with every parameter set (as
    `feedsim sweep --set`), run with all variants and replications on common random
    numbers. Outcomes are the claims that apply to the scenario's variants
    (docs/sensitivity.md). Writes tables/sensitivity.parquet, tables/runs.parquet, figures, a
    claim map and report.md/html to <out>/<name>-<method>/. Finished runs are kept in
    <out>/.<name>-<method>.work/: run the same command again to resume.
    """
    from sim.sensitivity.design import Design
    from sim.sensitivity.ranges import check_unique, parse_param, read_ranges
    from sim.sensitivity.run import plan_sensitivity, run_sensitivity

    overrides: dict[str, Any] = {}
    if replications is not None:
        overrides["replications"] = replications
    if seed is not None:
        overrides["seed"] = seed
    Design(method, trajectories, levels, samples).check()  # bad options before the files
    parameters = read_ranges(ranges_file) if ranges_file is not None else []
    parameters += [parse_param(text) for text in params]
    check_unique(parameters, str(ranges_file) if ranges_file and not params else "--param")
    workers = _workers(jobs, scheduler)
    sample_seed = seed if seed is not None else load_study(scenario, overrides).base.seed
    design = Design(method, trajectories, levels, samples, sample_seed)
    plan = plan_sensitivity(scenario, design, parameters, overrides)
    with _kept_on_interrupt(out / f".{plan.name}.work"):
        destination = run_sensitivity(
            plan, out, workers, scheduler, not quiet, fresh, _draw_sensitivity(plan)
        )
    click.echo(
        f"wrote {destination}/ ({len(plan.sweep.points)} points;"
        f" outcomes: {', '.join(o.name for o in plan.outcomes)})"
    )


def _draw_sensitivity(plan: Plan) -> Draw:
    """What draws the figures and writes the report of a sensitivity analysis."""
    from sim.figures.sensitivity import draw_sensitivity_figures
    from sim.report.sensitivity import write_sensitivity_report

    def draw(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
        names = draw_sensitivity_figures(folder, plan, tables)
        write_sensitivity_report(folder, plan, tables, names)

    return draw
