"""`feedsim validation`: hold the validation studies' results against the bands fixed in
docs/validation.md before they were run, and write the scorecard."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import input_errors_exit_2
from sim.errors import InputError


@click.group()
def validation() -> None:
    """Compare feedsim with published measurements of real feeds (docs/validation.md).

    \b
    Run a study, evaluate it, then write the scorecard:
      feedsim run scenarios/validation/validation-sources-of-feed.yaml --out results/validation
      feedsim validation evaluate results/validation/validation-sources-of-feed
      feedsim validation scorecard results/validation
    `make validation` does all of it.
    """


@validation.command()
@click.argument(
    "folders", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@input_errors_exit_2
def evaluate(folders: tuple[Path, ...]) -> None:
    """Evaluate the bands of each study's results FOLDERS: writes verdicts.json and
    validation.md into each folder (the study is the scenario name of its manifest)."""
    import json

    from sim.analysis.validation import EVALUATORS, evaluate_study
    from sim.report.validation import write_verdicts

    for folder in folders:
        manifest = folder / "manifest.json"
        if not manifest.is_file():
            raise InputError(manifest, "", "no such file: is this a feedsim results folder?")
        study = str(json.loads(manifest.read_text()).get("scenario_name") or folder.name)
        if study not in EVALUATORS:
            known = ", ".join(sorted(EVALUATORS))
            raise InputError(manifest, "scenario", f"{study!r} is not a validation study ({known})")
        rows = evaluate_study(study, folder)
        write_verdicts(folder, rows)
        for row in rows:
            value = "" if row.estimate is None else f" {row.estimate.text(row.unit)}"
            click.echo(f"{study} {row.band}: {row.verdict}{value}")


@validation.command()
@click.argument("root", type=click.Path(file_okay=False, exists=True, path_type=Path))
@input_errors_exit_2
def scorecard(root: Path) -> None:
    """Write ROOT/scorecard.md and its figure from every study's verdicts under ROOT."""
    from sim.figures.validation import draw_scorecard
    from sim.report.validation import collect, write_scorecard

    rows, missing = collect(root)
    figure = draw_scorecard(rows, root)
    path = write_scorecard(root, rows, missing, figure.name)
    click.echo(f"wrote {path}")
