"""The `feedsim` command (also `python -m sim`): thin click commands over the package.

One module per job: `simulate` runs studies, sweeps and sensitivity analyses, `drawing` draws
their figures and reports (and redraws them, `feedsim figures`), `scenarios` checks and
explains scenario files, `benchmarks` measures performance (`feedsim bench`), `checking`
tells which results folders the code still gives (`feedsim check-results`); `options` holds
what they share.

Exit codes: 0 success; 2 bad input (a scenario, option or data file), with one message
naming the file, the field and the problem; 1 an internal error; 130 interrupted.
"""

from __future__ import annotations

import click

from sim import __version__
from sim.cli.benchmarks import bench
from sim.cli.checking import check_results
from sim.cli.drawing import figures
from sim.cli.scenarios import params, scenarios, schema, validate
from sim.cli.simulate import run, sensitivity, sweep
from sim.cli.validation import validation


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


for _command in (
    run,
    sweep,
    sensitivity,
    figures,
    check_results,
    validate,
    validation,
    params,
    scenarios,
    schema,
    bench,
):
    main.add_command(_command)

__all__ = ["main"]
