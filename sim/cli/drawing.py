"""Drawing a results folder's figures and writing its report, after a run and on
`feedsim figures`: the commands pass these to the runners, which never draw."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from sim.cli.options import input_errors_exit_2
from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from sim.sensitivity.run import Draw, Plan


class DrawingFailed(click.ClickException):
    """A figure or the report could not be drawn: one line on stderr, exit code 1.

    Notes added on the way (the results folder kept by `sim.experiment.write_results`)
    end the line.
    """

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``feedsim: error: MESSAGE; NOTES`` on stderr."""
        parts = [self.format_message(), *getattr(self, "__notes__", [])]
        click.echo(f"feedsim: error: {'; '.join(parts)}", err=True)


def report_only(folder: Path) -> None:
    """Write the report of `folder` without drawing its figures (`feedsim run
    --no-figures`; `feedsim figures` draws them and rewrites the report later).

    Raises:
        DrawingFailed: why the report could not be written.
    """
    from sim.report import write_report

    try:
        write_report(folder, [], skipped=True)
    except InputError:
        raise
    except Exception as exc:
        raise DrawingFailed(f"could not write the report ({type(exc).__name__}: {exc})") from exc


def draw(folder: Path, all_pairs: bool = False) -> None:
    """Draw the figures of `folder`, then write its report (``all_pairs``: every pair of
    variants, not only the scenario's comparisons).

    A figure that fails does not stop the others; the report is written without it.

    Raises:
        DrawingFailed: naming the figures that failed (their tracebacks are in
            ``figures/NAME.error.txt``), or why the report could not be written.
    """
    from sim.figures import FiguresFailed, draw_figures
    from sim.report import write_report

    drawn: list[str] | None = None
    failure: FiguresFailed | None = None
    try:
        draw_figures(folder, all_pairs=all_pairs)
    except FiguresFailed as exc:
        drawn, failure = exc.drawn, exc
    try:
        write_report(folder, drawn, all_pairs=all_pairs)
    except InputError:
        raise
    except Exception as exc:
        raise DrawingFailed(f"could not write the report ({type(exc).__name__}: {exc})") from exc
    if failure is not None:
        tracebacks = ", ".join(f"figures/{name}.error.txt" for name in failure.failures)
        raise DrawingFailed(
            f"{failure} (traceback in {tracebacks}); the other figures and the report are written"
        ) from failure


def draw_sensitivity(plan: Plan) -> Draw:
    """What draws the figures and writes the report of a sensitivity analysis."""
    from sim.figures.sensitivity import draw_sensitivity_figures
    from sim.report.sensitivity import write_sensitivity_report

    def draw_analysis(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
        names = draw_sensitivity_figures(folder, plan, tables)
        write_sensitivity_report(folder, plan, tables, names)

    return draw_analysis


#: The looks of `feedsim figures --style` (`sim.figures.style.STYLES`; named here so that
#: the command line starts without loading matplotlib).
FIGURE_STYLES = ("report", "slides")


@click.command()
@click.argument("results", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--style",
    type=click.Choice(FIGURE_STYLES),
    default="report",
    show_default=True,
    help="report: the report's figures into RESULTS/figures/ and the report redrawn. slides:"
    " the same figures for slides into RESULTS/figures/slides/ (16:9, large type, titles"
    " without the scenario's name or statistical notes, the scenario's `title` under the"
    " heading, arms named by their descriptions); the report and its figures are left as"
    " they are.",
)
@click.option(
    "--all-pairs",
    is_flag=True,
    help="Draw every pair of variants, not only the comparisons the scenario lists.",
)
@input_errors_exit_2
def figures(results: Path, style: str, all_pairs: bool) -> None:
    """Redraw the figures and the report of a results folder from its saved tables.

    Works on the folders of `run`, `sweep` and `sensitivity` (the last from the scenario
    and ranges its manifest records). Also after `feedsim run` kept the tables but failed to
    draw a figure: exit code 1 and one line naming the figure while it still fails. A
    scenario that lists `comparisons` gets figures of those pairs; --all-pairs adds every
    other pair of variants.
    """
    sensitivity = (results / "tables" / "sensitivity.parquet").exists()
    if not sensitivity:
        for needed in ("manifest.json", "tables/feed.parquet"):
            if not (results / needed).exists():
                raise InputError(results, needed, "missing: not a feedsim results folder")
    if style != "report":
        draw_slides(results, style, sensitivity, all_pairs)
        return
    if sensitivity:
        from sim.sensitivity.run import replan

        draw_sensitivity(replan(results))(results, _saved_tables(results))
    else:
        draw(results, all_pairs)
    click.echo(f"redrew {results / 'figures'}/ and {results / 'report.html'}")


def _saved_tables(results: Path) -> dict[str, pd.DataFrame]:
    """Every table of a results folder, by name."""
    import pandas

    saved = sorted((results / "tables").glob("*.parquet"))
    return {p.stem: pandas.read_parquet(p) for p in saved}


def draw_slides(results: Path, name: str, sensitivity: bool, all_pairs: bool = False) -> None:
    """Draw a results folder's figures in the look ``name`` into its own folder; the report
    is not written (it shows the report's figures).

    Raises:
        DrawingFailed: naming the figures that failed.
    """
    from sim.figures import FiguresFailed, draw_figures
    from sim.figures.style import STYLES

    style = STYLES[name]
    if sensitivity:
        from sim.figures.sensitivity import draw_sensitivity_figures
        from sim.sensitivity.run import replan

        draw_sensitivity_figures(results, replan(results), _saved_tables(results), style)
    else:
        try:
            draw_figures(results, style=style, all_pairs=all_pairs)
        except FiguresFailed as exc:
            tracebacks = ", ".join(f"{style.folder}/{n}.error.txt" for n in exc.failures)
            raise DrawingFailed(
                f"{exc} (traceback in {tracebacks}); the other figures are written"
            ) from exc
    click.echo(f"drew {results / style.folder}/")
