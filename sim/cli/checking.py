"""`feedsim check-results`: which results folders the current code still gives."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from tqdm import tqdm

from sim.cli.options import input_errors_exit_2
from sim.errors import InputError
from sim.freshness import check_folder, results_folders

STALE_EXIT = 3
"""Exit code when a folder is stale or unverified (0: all current; 2: bad input)."""


@click.command("check-results")
@click.argument("root", type=click.Path(path_type=Path), default=Path("results"))
@click.option(
    "--scenarios-from",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder the scenario paths in the manifests start from (the checkout).",
)
@input_errors_exit_2
def check_results(root: Path, scenarios_from: Path) -> None:
    """Tell, for each results folder under ROOT (default: results), whether the current
    code still gives its tables.

    \b
    Each folder's manifest holds a probe: the digest of one small replay of its scenario
    (one arm, replication 0, at most 1,000 members and 40 days). A folder is
      current     its scenario file resolves as it did, and the probe gives the same tables;
      stale       the file resolves differently, or the probe gives other tables;
      unverified  it was made before folders carried a probe.
    About a second per folder. Exit code 0 when every folder is current, 3 otherwise.
    """
    if not root.is_dir():
        raise InputError(root, "ROOT", "no such folder")
    folders = results_folders(root)
    if not folders:
        raise InputError(root, "ROOT", "holds no results folder (no manifest.json)")
    verdicts = [
        check_folder(f, scenarios_from)
        for f in tqdm(folders, desc="checking", unit="folder", disable=not sys.stderr.isatty())
    ]
    width = max(len(str(v.folder)) for v in verdicts)
    for v in verdicts:
        click.echo(f"{v.status:<10}  {v.folder!s:<{width}}  {v.reason}")
    behind = sum(v.status != "current" for v in verdicts)
    click.echo(f"{len(verdicts) - behind} of {len(verdicts)} results folders are current.")
    if behind:
        sys.exit(STALE_EXIT)
