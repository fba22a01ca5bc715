"""`feedsim bench`: performance measurements, not tests, one subcommand per measurement.

`run` the standard workloads, `compare` feedsim against the toy feed of sim/toyfeed.py,
`growth` how the cost grows with the size of a run, `passes` where its time goes, pass by
pass, `slice-check` what the time slice does to results (`sim.bench`, `sim.growth`,
`sim.passes`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sim.bench import WORKLOADS
from sim.cli.options import input_errors_exit_2
from sim.toyfeed import MEMBERS as COMPARE_MEMBERS

days_option = click.option(
    "--days", type=click.IntRange(min=1), default=30, show_default=True, help="Simulated days."
)


def figure_option(default: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--figure`` option of a measurement that draws a figure and writes its table."""
    return click.option(
        "--figure",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        default=Path(default),
        show_default=True,
        help="Where the figure goes (PNG); its table goes beside it (.csv).",
    )


#: A synthetic workload of this many members instead (for quick checks).
members_option = click.option("--members", type=click.IntRange(min=2), hidden=True)


@click.group()
def bench() -> None:
    """Measure feedsim's performance (not a test).

    \b
      feedsim bench run              every standard workload, a table for each
      feedsim bench compare          feedsim against a hand-vectorised toy feed
      feedsim bench growth           how the cost grows (a figure and its table)
      feedsim bench passes           where a run's time goes, pass by pass
      feedsim bench slice-check      results at the default and a short time slice
    """


@bench.command("run")
@click.option(
    "--workload",
    "workloads",
    multiple=True,
    type=click.Choice(WORKLOADS),
    help="A standard workload (repeat for more) [default: all].",
)
@days_option
@members_option
@input_errors_exit_2
def run_workloads(workloads: tuple[str, ...], days: int, members: int | None) -> None:
    """Run standard performance workloads and print a table for each.

    Each workload runs in a fresh process, so its peak memory is its own: members, ties,
    simulated days, sessions, impressions, setup and simulation seconds, sessions and
    impressions per second, peak memory. The dblp workload needs the DBLP files
    ($FEEDSIM_DATA, else shared/data beside the checkout) and is skipped without them.
    """
    from sim import bench as benchmarks

    names = [f"synthetic-{members}"] if members is not None else list(workloads or WORKLOADS)
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


def _cores_on_this_machine(
    context: click.Context, parameter: click.Parameter, cores: tuple[int, ...]
) -> tuple[int, ...]:
    """The core counts asked for, in increasing order, each at most the machine's cores (the
    default's above them are dropped: one core alone on a one-core machine)."""
    machine = os.cpu_count() or 1
    if context.get_parameter_source("cores") is click.ParameterSource.DEFAULT:
        cores = tuple(count for count in cores if count <= machine)
    too_many = [count for count in cores if count > machine]
    if too_many:
        raise click.BadParameter(
            f"{too_many[0]} cores asked for, but this machine has {machine}", context, parameter
        )
    return tuple(sorted(set(cores)))


@bench.command()
@click.option(
    "--members",
    type=click.IntRange(min=2),
    default=COMPARE_MEMBERS,
    show_default=True,
    help="Members of the Barabasi-Albert graph both run on.",
)
@days_option
@click.option(
    "--cores",
    type=click.IntRange(min=1),
    multiple=True,
    default=(1, 2),
    show_default=True,
    callback=_cores_on_this_machine,
    help="A core count to run each side on (repeat for more; at most the machine's cores).",
)
@input_errors_exit_2
def compare(members: int, days: int, cores: tuple[int, ...]) -> None:
    """Run the toy feed of sim/toyfeed.py and feedsim on one graph, on each core count, and
    compare their speed.

    The toy feed (the hand-vectorised reference a feed simulator should match per session)
    and feedsim (linkedin preset, defaults otherwise) each run on one Barabasi-Albert graph,
    once per core count, one process after the other: with the default --cores, the toy on
    one core, the toy with two threads serving each day's sessions, feedsim on one numba
    thread, feedsim on two (NUMBA_NUM_THREADS=1, 2). The table has a row per side and core count
    (toy-1, toy-2, feedsim-1, feedsim-2) and gives feedsim's sessions, impressions and
    candidates per second as ratios of the toy's on the same cores (feedsim-2/toy-2), and of
    feedsim's on its most cores to the one-core toy's (feedsim-2/toy-1).
    """
    from sim import bench as benchmarks

    try:
        results = [
            benchmarks.measure_in_subprocess(side, days, members, count)
            for side in benchmarks.COMPARE_SIDES
            for count in cores
        ]
    except RuntimeError as exc:
        raise click.ClickException(f"bench compare failed ({exc})") from exc
    click.echo(benchmarks.format_compare(results))


@bench.command()
@figure_option("growth.png")
@input_errors_exit_2
def growth(figure: Path) -> None:
    """Measure how the cost grows with members, days and density, and draw it.

    Three series of the synthetic workload (members, simulated days, mean degree;
    sim/growth.py) are measured point by point, each point in a fresh process (12 runs,
    about 5 minutes on two cores), and the growth exponent of the simulation time in each
    factor is printed and drawn.
    """
    from sim import growth as curves
    from sim.bench import run_growth
    from sim.figures.growth import draw_growth_figure

    click.echo(curves.HEADER)
    try:
        points = run_growth(lambda point: click.echo(curves.format_point(point)))
    except RuntimeError as exc:
        raise click.ClickException(f"bench growth failed ({exc})") from exc
    click.echo(curves.format_exponents(points))
    table = figure.with_suffix(".csv")
    curves.write_table(points, table)
    draw_growth_figure(points, figure)
    click.echo(f"wrote {figure} and {table}")


@bench.command()
@click.option(
    "--workload",
    type=click.Choice([w for w in WORKLOADS if w != "trend-100k"]),
    default="synthetic-100k",
    show_default=True,
    help="The standard workload to profile.",
)
@click.option(
    "--days", type=click.IntRange(min=1), default=10, show_default=True, help="Simulated days."
)
@figure_option("passes.png")
@input_errors_exit_2
def passes(workload: str, days: int, figure: Path) -> None:
    """Show where a run's time goes, pass by pass, against each pass's floor.

    Runs the workload in this process under the profiler and prints, for each pass of a
    slice (merge, first pass, features, scores, reactions, ...; sim/passes.py), its seconds,
    share, nanoseconds per scored candidate and per row of its own, the bytes it touches per
    row and its floor: those bytes at the memory bandwidth of a parallel copy. A pass far
    above its floor spends its time on something else than moving its data.
    """
    import csv

    from sim.figures.passes import draw_passes_figure
    from sim.passes import cost_table, format_cost_table, measure_passes

    result = measure_passes(workload, days)
    table = cost_table(result)
    click.echo(format_cost_table(table, result))
    path = figure.with_suffix(".csv")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    draw_passes_figure(table, result, figure)
    click.echo(f"wrote {figure} and {path}")


@bench.command("slice-check")
@click.option(
    "--workload",
    type=click.Choice(WORKLOADS),
    default="synthetic-10k",
    show_default=True,
    help="The workload to run.",
)
@days_option
@members_option
@click.option(
    "--short-slice",
    type=click.FloatRange(min=0, min_open=True, max=24),
    default=0.1,
    show_default=True,
    help="The short slice (hours).",
)
@click.option(
    "--replications",
    type=click.IntRange(min=2),
    default=5,
    show_default=True,
    help="Replications per slice length.",
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [default: all cores].")
@input_errors_exit_2
def slice_check(
    workload: str,
    days: int,
    members: int | None,
    short_slice: float,
    replications: int,
    jobs: int | None,
) -> None:
    """Compare key statistics of a workload at its default slice_hours and a short one."""
    from sim import bench as benchmarks

    name = f"synthetic-{members}" if members is not None else workload
    default_hours, rows = benchmarks.slice_check(
        name, days, short_slice, replications, jobs or os.cpu_count() or 1
    )
    click.echo(benchmarks.format_slice_check(name, default_hours, short_slice, replications, rows))
