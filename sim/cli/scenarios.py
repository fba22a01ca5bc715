"""The commands about scenario files: `feedsim validate`, `feedsim params`, `feedsim scenarios`
and `feedsim schema`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from sim.cli.options import input_errors_exit_2, warn
from sim.errors import InputError
from sim.scenario import json_schema, load_study

BUNDLED = Path(__file__).resolve().parents[2] / "scenarios"
"""The bundled scenario files (`feedsim scenarios`)."""


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="PATH=V1,V2,...",
    help="Also check a sweep's settings, as `feedsim sweep` takes them, and show how each"
    " path resolves: the field, its type and bounds, its current value.",
)
@input_errors_exit_2
def validate(scenarios: tuple[Path, ...], settings: tuple[str, ...]) -> None:
    """Check scenario files without running them (exit code 2 at the first bad one).

    A field that cannot take effect in a scenario (say, an intro message for a member who
    makes no ties it applies to) is a warning on stderr; the exit code stays 0.

    \b
    With --set, every point of that sweep is checked too, e.g.
      feedsim validate scenarios/recruiter-accepts-100-it.yaml \\
          --set variants.accept-100-it.events.0.count=25,50,100
    """
    from sim.network import check_burst_sizes
    from sim.sweep import explain, plan_sweep

    for path in scenarios:
        study = load_study(path)
        check_burst_sizes(study)
        plan = plan_sweep(path, settings) if settings else None
        for point in plan.points if plan is not None else ():
            check_burst_sizes(point.study)
        arms = ", ".join(arm.name for arm in study.arms)
        click.echo(f"{path}: ok ({len(study.arms)} variants: {arms})")
        warn(study)
        if plan is not None:
            for axis in plan.axes:
                click.echo("\n".join(f"  {line}" for line in explain(plan, axis)))
            click.echo(f"  {len(plan.points)} points, each a valid scenario")


@click.command()
@click.argument("pattern", required=False, metavar="[FILTER]")
def params(pattern: str | None) -> None:
    """List every path `feedsim sweep --set` takes: default, unit, allowed values, meaning.

    FILTER keeps the paths that contain it, or match it as a glob (`*`, `?`):
    `feedsim params test_audience`, `feedsim params 'behaviour.ties.*'`. Items of a list
    are reached by name (<name>) or by index from 0 (<i>); every path also works inside one
    variant as variants.<name>.PATH (`feedsim params 'variants.*'` lists them,
    `feedsim params variants.NAME.platform` those of one section).
    """
    from sim.params import IN_VARIANT, format_table, matching, parameters

    chosen = matching(parameters(), pattern)
    if not chosen:
        click.echo(
            f"feedsim: error: no parameter path matches {pattern!r} (`feedsim params` lists"
            " them all)",
            err=True,
        )
        sys.exit(2)
    click.echo(format_table(chosen))
    if all(p.path.startswith(IN_VARIANT) for p in chosen):
        click.echo(
            "\n<name> is the name of a variant of the scenario (`feedsim validate FILE` lists"
            " them); the path sets the field in that arm only."
        )
    else:
        click.echo(
            "\nInside one variant: variants.<name>.PATH for any PATH above but duration_days"
            " (`feedsim params 'variants.*'` lists them). Set per run: --seed, --replications."
        )


@click.command()
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


@click.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (every field with doc, unit and default)."""
    click.echo(json.dumps(json_schema(), indent=2))
