"""The validation reports: each study's verdicts (``verdicts.json``, ``validation.md`` in its
results folder) and the scorecard of all studies (``scorecard.md`` beside them), as
docs/validation.md lays them out: validation and calibration in two separate lists."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from sim.analysis.validation.bands import BandResult
from sim.analysis.validation.registry import FOLDERS, PREREGISTERED, TITLES
from sim.errors import InputError

VERDICTS_FILE = "verdicts.json"
STUDY_REPORT = "validation.md"
SCORECARD = "scorecard.md"


def _write_atomically(path: Path, text: str) -> None:
    """Write `text` to a hidden file beside `path`, then rename it over `path`."""
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _value(row: BandResult) -> str:
    return "" if row.estimate is None else row.estimate.text(row.unit)


def band_table(rows: Sequence[BandResult]) -> list[str]:
    """The markdown table of `rows`: band, what feedsim measured, published value and source,
    feedsim's value (95% CI), the band, the verdict, the note."""
    lines = [
        "| band | feedsim quantity | published (source, grade) | feedsim (95% CI) | band |"
        " verdict | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = f"**{r.verdict}**" if r.verdict in ("agrees", "disagrees") else r.verdict
        lines.append(
            f"| {r.band} | {r.quantity} | {r.published} ({r.source}) | {_value(r)} |"
            f" {r.criterion} | {verdict} | {r.note} |"
        )
    return lines


def write_verdicts(folder: Path, rows: Sequence[BandResult]) -> None:
    """Write ``verdicts.json`` and ``validation.md`` of one study's results folder."""
    study = rows[0].study if rows else folder.name
    data = [r.to_json() for r in rows]
    _write_atomically(folder / VERDICTS_FILE, json.dumps(data, indent=2, sort_keys=True) + "\n")
    lines = [
        f"# Validation: {TITLES.get(study, study)}",
        "",
        f"Study `{study}`; bands pre-registered in docs/validation.md before the study was run."
        " Verdicts as docs/validation.md, 'How every band is evaluated', defines them:"
        " *agrees*, *disagrees*, *inconclusive* (never counted as agreement), *not comparable*"
        " (with the reason), *reported* (a number shown without a band).",
        "",
        *band_table(rows),
        "",
    ]
    for r in rows:
        if r.details:
            lines += [f"## {r.band}: further numbers", ""]
            lines += [f"- {name}: {value}" for name, value in r.details.items()]
            lines.append("")
    _write_atomically(folder / STUDY_REPORT, "\n".join(lines))


def read_verdicts(folder: Path) -> list[BandResult]:
    """The verdicts of one study's folder (``verdicts.json``).

    Raises:
        InputError: the file is not a list of verdicts.
    """
    path = folder / VERDICTS_FILE
    try:
        return [BandResult.from_json(item) for item in json.loads(path.read_text())]
    except (json.JSONDecodeError, TypeError, KeyError) as exc:
        raise InputError(path, "", f"not a feedsim verdicts file ({exc})") from exc


def collect(root: Path) -> tuple[list[BandResult], list[str]]:
    """Every study's verdicts under `root` (folders named for the studies), in the order of
    `PREREGISTERED`, and the bands whose study has not been run."""
    rows: list[BandResult] = []
    missing: list[str] = []
    for study, bands in PREREGISTERED.items():
        folder = root / FOLDERS.get(study, study)
        if (folder / VERDICTS_FILE).is_file():
            rows += read_verdicts(folder)
        else:
            missing += [f"{band} ({study})" for band in bands]
    return rows, missing


def scorecard_markdown(rows: Sequence[BandResult], missing: Sequence[str], figure: str) -> str:
    """The scorecard: counts of verdicts, the validation list, the calibration list, and the
    bands not yet run."""
    validation = [r for r in rows if not r.calibration]
    calibration = [r for r in rows if r.calibration]
    banded = [r for r in validation if r.verdict != "reported"]
    counts = {
        v: sum(r.verdict == v for r in banded) for v in dict.fromkeys(r.verdict for r in banded)
    }
    summary = ", ".join(f"{n} {v}" for v, n in counts.items()) or "no band evaluated"
    lines = [
        "# feedsim against published measurements: the scorecard",
        "",
        "Each band was written and committed in docs/validation.md before its study was first"
        " run; no parameter was tuned to these numbers. A disagreement is a finding, reported as"
        " such. Calibration is listed apart: the calibration targets, and the bands whose"
        " model choices were made after their verdict was seen (docs/validation.md, rule 4);"
        " they cannot validate what was tuned to them.",
        "",
        f"**Validation bands**: {summary}.",
        "",
        f"![The scorecard: feedsim's values against the published bands]({figure})",
        "",
        "## Validation",
        "",
        *band_table(validation),
        "",
        "## Calibration (not validation)",
        "",
        *(band_table(calibration) if calibration else ["None evaluated yet."]),
        "",
    ]
    if missing:
        lines += ["## Not run yet", "", ", ".join(missing) + ".", ""]
    return "\n".join(lines)


def write_scorecard(
    root: Path, rows: Sequence[BandResult], missing: Sequence[str], figure: str
) -> Path:
    """Write ``scorecard.md`` under `root` and return its path."""
    path = root / SCORECARD
    _write_atomically(path, scorecard_markdown(rows, missing, figure))
    return path
