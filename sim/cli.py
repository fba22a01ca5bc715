"""The `feedsim` command (also `python -m sim`): thin click commands over the package.

Exit codes: 0 success; 2 bad input (a scenario, option or data file), with one message
naming the file, the field and the problem; 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any

import click

from sim import __version__
from sim.errors import InputError
from sim.scenario import json_schema, load_study

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios"


def _input_errors_exit_2(command: Callable[..., None]) -> Callable[..., None]:
    """Turn InputError into one line on stderr and exit code 2; Ctrl-C into exit code 130."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except InputError as exc:
            click.echo(f"feedsim: error: {exc.message}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("feedsim: interrupted; no results were written", err=True)
            sys.exit(130)

    return wrapper


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
      feedsim schema                        every scenario field, its unit and default
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
@click.option("--seed", type=click.IntRange(min=0), help="Base seed (overrides the file's `seed`).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes; results are identical for any number.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_input_errors_exit_2
def run(
    scenario: Path,
    out: Path,
    replications: int | None,
    seed: int | None,
    jobs: int,
    quiet: bool,
) -> None:
    """Simulate every variant of SCENARIO and write <out>/<name>/.

    The folder holds manifest.json (resolved scenario, seeds, version, git commit),
    tables/*.parquet (posts, feed, beliefs, ties), figures/ (PNG and SVG) and report.html /
    report.md. It appears only when complete; an earlier folder of the same name is
    replaced only then.
    """
    from sim.experiment import manifest, merge_tables, run_study, write_results

    overrides: dict[str, Any] = {}
    if replications is not None:
        overrides["replications"] = replications
    if seed is not None:
        overrides["seed"] = seed
    study = load_study(scenario, overrides)
    started = datetime.now(UTC)
    outputs = run_study(study, jobs=jobs, progress=not quiet)
    merged = merge_tables(outputs)
    destination = out / study.base.name
    write_results(destination, merged, manifest(study, outputs, started, jobs), _draw)
    click.echo(f"wrote {destination}/ (open {destination / 'report.html'})")


def _draw(folder: Path) -> None:
    from sim.figures import draw_figures
    from sim.report import write_report

    draw_figures(folder)
    write_report(folder)


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@_input_errors_exit_2
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files without running them (exit code 2 at the first bad one)."""
    for path in scenarios:
        study = load_study(path)
        arms = ", ".join(arm.name for arm in study.arms)
        click.echo(f"{path}: ok ({len(study.arms)} variants: {arms})")


@main.command()
@click.argument("results", type=click.Path(path_type=Path, file_okay=False))
@_input_errors_exit_2
def figures(results: Path) -> None:
    """Redraw the figures and the report of a results folder from its saved tables."""
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
