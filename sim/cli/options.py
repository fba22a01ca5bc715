"""What the commands of `feedsim` share: options, the ranker presets' help, input errors as
exit code 2, and the study overrides and workers their options give."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any

import click

from sim.errors import InputError
from sim.scenario import RANKER_DESCRIPTIONS, Study


def input_errors_exit_2(command: Callable[..., None]) -> Callable[..., None]:
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


def warn(study: Study) -> None:
    """Each field of `study` that has no effect (`Study.warnings`) as a line on stderr:
    ``feedsim: warning: FILE: FIELD: why``."""
    for line in study.warnings():
        click.echo(f"feedsim: warning: {study.path}: {line}", err=True)


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


def _preset_lines(name: str, description: str) -> list[str]:
    """One preset in the help: its name, then what it does wrapped beside it."""
    lines = textwrap.wrap(description, 60)
    return [f"  {name:<15}{lines[0]}", *(f"  {'':<15}{line}" for line in lines[1:])]


RANKER_PRESETS_HELP = "Ranker presets (platform.ranker):\n\n\b\n" + "\n".join(
    line for name, words in RANKER_DESCRIPTIONS.items() for line in _preset_lines(name, words)
)
"""The ranker presets with what each does, as the end of a command's help."""


def study_overrides(replications: int | None, seed: int | None) -> dict[str, Any]:
    """The study-level fields the `--replications` and `--seed` options replace."""
    overrides: dict[str, Any] = {}
    if replications is not None:
        overrides["replications"] = replications
    if seed is not None:
        overrides["seed"] = seed
    return overrides


@contextmanager
def kept_on_interrupt(work: Path) -> Iterator[None]:
    """On Ctrl-C, say where a sweep's or sensitivity analysis's finished runs are kept."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo(
            f"feedsim: finished runs are kept in {work}/; run the same command again to resume",
            err=True,
        )
        raise


def workers(jobs: int | None, scheduler: str | None, default: int = DEFAULT_JOBS) -> int:
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
