"""The focal members' feed volume: the volume table, the feed_volume figure and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.experiment import load_tables
from tests.helpers import write_scenario
from tests.test_tables_doc import TWO_MEMBERS

KEYS = ["variant", "replication", "member_id", "day"]
# ann accepts 5 invitations on day 2 in the burst variant: the report's window is days 2-4
VOLUME_SCENARIO = {**TWO_MEMBERS, "name": "volume", "replications": 3}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder (tables, figures, report) of a small two-member study."""
    tmp = tmp_path_factory.mktemp("volume")
    scenario = write_scenario(tmp, VOLUME_SCENARIO)
    args = ["run", str(scenario), "--out", str(tmp / "results"), "--jobs", "1", "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return tmp / "results" / "volume"


@pytest.fixture(scope="module")
def tables(folder: Path) -> dict[str, pd.DataFrame]:
    return load_tables(folder)


def test_volume_has_a_row_per_member_and_day(tables: dict[str, pd.DataFrame]) -> None:
    volume = tables["volume"]
    days = VOLUME_SCENARIO["duration_days"]
    runs = len(VOLUME_SCENARIO["variants"]) * VOLUME_SCENARIO["replications"]
    assert len(volume) == runs * 2 * days
    assert not volume.duplicated(KEYS).any()
    assert sorted(volume["day"].unique()) == list(range(days))
    assert set(volume["member"]) == {"ann", "bob"}
    assert volume["sessions"].sum() > 0 and volume["impressions"].sum() > 0


def test_volume_impressions_equal_the_feed_tables_sums(tables: dict[str, pd.DataFrame]) -> None:
    volume = tables["volume"].set_index(KEYS)
    feed = tables["feed"].groupby(KEYS)["impressions"].sum()
    assert set(feed.index) <= set(volume.index)
    pd.testing.assert_series_equal(
        volume["impressions"],
        feed.reindex(volume.index, fill_value=0),
        check_names=False,
        check_dtype=False,
    )


def test_sessions_read_no_more_than_their_candidates(tables: dict[str, pd.DataFrame]) -> None:
    volume = tables["volume"]
    # every item read is one impression, counted in two places
    assert (volume["items_read"] == volume["impressions"]).all()
    assert (volume["candidates"] >= volume["items_read"]).all()
    served = volume[volume["sessions"] > 0]
    assert (
        served["candidates"] / served["sessions"] >= served["items_read"] / served["sessions"]
    ).all()
    idle = volume[volume["sessions"] == 0]
    assert (idle[["candidates", "items_read", "impressions"]] == 0).all().all()
    assert (served["candidates"] > 0).any()


def test_the_feed_volume_figure_is_written(folder: Path) -> None:
    for suffix in ("png", "svg"):
        path = folder / "figures" / f"feed_volume.{suffix}"
        assert path.is_file() and path.stat().st_size > 1000, path
    svg = (folder / "figures" / "feed_volume.svg").read_text(encoding="utf-8")
    for text in ("Impressions (items shown a day)", "Candidates (items ranked per session)"):
        assert text in svg
    assert "baseline" in svg and "burst" in svg


def per_replication(volume: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    """Sums over the window and the focal members, per variant and replication."""
    window = volume[volume["day"].between(first, last)]
    sums = window.groupby(["variant", "replication"])[
        ["sessions", "candidates", "items_read", "impressions"]
    ].sum()
    sums["items_per_session"] = sums["items_read"] / sums["sessions"]
    sums["candidates_per_session"] = sums["candidates"] / sums["sessions"]
    return sums.reset_index()


def test_the_report_states_the_volume_the_table_gives(
    folder: Path, tables: dict[str, pd.DataFrame]
) -> None:
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "### Feed volume" in md
    assert "![Feed volume](figures/feed_volume.png)" in md
    first, last = 2, VOLUME_SCENARIO["duration_days"] - 1  # the event day to the end
    sums = per_replication(tables["volume"], first, last)
    for variant, rows in sums.groupby("variant"):
        items = rows["items_per_session"].mean()
        candidates = rows["candidates_per_session"].mean()
        low, high = rows["impressions"].min(), rows["impressions"].max()
        assert f"Under {variant}, over days {first}–{last} " in md
        sentence = md.split(f"Under {variant}, over days {first}–{last} ")[1].split(".\n")[0]
        sentence = sentence.split(" Under ")[0]
        assert f"read {items:.1f} " in sentence, sentence
        assert f"chosen from {candidates:.0f} " in sentence, sentence
        assert f"{rows['impressions'].mean():,.0f} " in sentence, sentence
        assert f"(min–max {low:,}–{high:,})" in sentence, sentence


def test_the_report_says_what_each_feed_share_rests_on(
    folder: Path, tables: dict[str, pd.DataFrame]
) -> None:
    md = (folder / "report.md").read_text(encoding="utf-8")
    feed = tables["feed"]
    first, last = 2, VOLUME_SCENARIO["duration_days"] - 1
    window = feed[feed["day"].between(first, last)]
    per_rep = window.groupby(["variant", "replication"])["impressions"].sum()
    baseline = per_rep.loc["baseline"]
    base = (
        f"{baseline.mean():,.0f} impressions per replication "
        f"(min–max {baseline.min():,}–{baseline.max():,}) under baseline"
    )
    # the topic share, the source shares after the event and the paired difference
    assert md.count(f"rest on {base}") >= 2, md
    before = feed[feed["day"] < first].groupby(["variant", "replication"])["impressions"].sum()
    early = before.loc["baseline"]
    assert f"{early.mean():,.0f} impressions per replication (min–max {early.min():,}–" in md


def test_the_report_gives_the_median_session_of_all_members(folder: Path) -> None:
    """The population's median session, from each run's counts in the manifest."""
    runs = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["runs"]
    items = sorted({int(r["median_items_read_per_session"]) for r in runs})
    candidates = sorted({int(r["median_candidates_per_session"]) for r in runs})

    def spread(values: list[int]) -> str:
        return f"{values[0]}" if len(values) == 1 else f"{values[0]}–{values[-1]}"

    md = (folder / "report.md").read_text(encoding="utf-8")
    assert (
        f"the median session read {spread(items)} items chosen from {spread(candidates)} "
        f"candidates (the median of each of the {len(runs)} runs)"
    ) in md
