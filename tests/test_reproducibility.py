"""Same scenario and seed -> identical tables, sequentially or on worker processes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiment import manifest, merge_tables, run_study, write_results
from sim.metrics import TABLES
from sim.scenario import load_study
from tests.helpers import small_recruiter


def saved(path: Path, out: Path, jobs: int) -> Path:
    study = load_study(path, {"replications": 2, "duration_days": 40})
    outputs = run_study(study, jobs=jobs, progress=False)
    import datetime as dt

    data = manifest(study, outputs, dt.datetime.now(dt.UTC), jobs)
    return write_results(out / study.base.name, merge_tables(outputs), data)


@pytest.mark.slow  # three runs of the recruiter study at 600 members
def test_same_seed_gives_byte_identical_tables_with_one_or_two_jobs(tmp_path: Path) -> None:
    scenario = small_recruiter(tmp_path, members=600, mean_degree=40)
    first = saved(scenario, tmp_path / "a", jobs=1)
    second = saved(scenario, tmp_path / "b", jobs=1)
    parallel = saved(scenario, tmp_path / "c", jobs=2)
    for name in TABLES:
        reference = (first / "tables" / f"{name}.parquet").read_bytes()
        assert (second / "tables" / f"{name}.parquet").read_bytes() == reference, name
        assert (parallel / "tables" / f"{name}.parquet").read_bytes() == reference, name


TREND_TABLES = ("adoption", "population", "exposure")
MEASURE_TABLES = ("funnel", "member_days", "author_reach", "post_arms", "group_reach", "members")


@pytest.mark.slow  # the recruiter study at 600 members, two replications
def test_every_row_carries_its_identifiers_and_seeds_differ(tmp_path: Path) -> None:
    scenario = small_recruiter(tmp_path, members=600, mean_degree=40)
    folder = saved(scenario, tmp_path / "a", jobs=1)
    seeds = set()
    for name in TABLES:
        table = pd.read_parquet(folder / "tables" / f"{name}.parquet")
        assert list(table.columns[:4]) == ["scenario", "variant", "replication", "seed"]
        assert table[["scenario", "variant", "replication", "seed"]].notna().all().all()
        # rows only with a trend section, or with the `measure` section's switches
        if name in TREND_TABLES or name in MEASURE_TABLES:
            assert table.empty, name
            continue
        assert set(table["variant"]) == {
            "baseline",
            "accept-100-it",
            "accept-100-it-no-connection-term",
        }
        seeds |= set(zip(table["replication"], table["seed"], strict=True))
    # one seed per replication, shared by all variants (common random numbers)
    assert len(seeds) == 2 and len({s for _, s in seeds}) == 2


def test_variants_share_their_history_until_the_event(tmp_path: Path) -> None:
    """Common random numbers: before day 30 the arms are the same run."""
    scenario = small_recruiter(tmp_path, members=600, mean_degree=40)
    tables = merge_tables(
        run_study(load_study(scenario, {"replications": 1, "duration_days": 40}), progress=False)
    )
    posts = tables["posts"]
    early = posts[posts["created_day"] < 30 - 3]  # posts no longer shown by day 30
    columns = ["author_id", "topic", "created_day", "impressions", "likes"]
    per_variant = [g[columns].reset_index(drop=True) for _, g in early.groupby("variant")]
    for other in per_variant[1:]:
        pd.testing.assert_frame_equal(per_variant[0], other)
