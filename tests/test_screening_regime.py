"""The screening copies run in the feed regime of the full studies they stand for.

A sensitivity analysis runs a reduced copy of a study many times; its findings transfer to
the full study only if the copy's sessions are like the full study's. The copy keeps every
setting of the full study but its length (tests/test_bundled.py); here, in the committed
runs of both at their defaults, the median session's candidates and items read (the median
over replications of each run's median) differ by at most 20%. The committed folders are
checked to be what the current code gives by tests/test_freshness.py, so this reads their
manifests instead of re-running them.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [
    ("recruiter-screening", "recruiter-accepts-100-it"),
    ("link-with-everyone-screening", "link-with-everyone"),
    ("trend-spreads-screening", "trend-spreads"),
]
TOLERANCE = 0.2
"""The regime is the same when the medians differ by at most a fifth of the full study's."""


def _medians(folder: str) -> tuple[float, float]:
    """The median over a folder's runs of each run's median candidates and items read."""
    runs = json.loads((ROOT / "results" / folder / "manifest.json").read_text())["runs"]
    candidates = [r["median_candidates_per_session"] for r in runs]
    read = [r["median_items_read_per_session"] for r in runs]
    return statistics.median(candidates), statistics.median(read)


@pytest.mark.parametrize(("screening", "full"), PAIRS)
def test_a_screening_copy_runs_in_the_full_studys_feed_regime(screening: str, full: str) -> None:
    copy_candidates, copy_read = _medians(screening)
    full_candidates, full_read = _medians(full)
    assert abs(copy_candidates - full_candidates) <= TOLERANCE * full_candidates, (
        copy_candidates,
        full_candidates,
    )
    assert abs(copy_read - full_read) <= TOLERANCE * full_read, (copy_read, full_read)
