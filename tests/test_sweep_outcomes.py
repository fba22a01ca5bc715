"""A researcher's sweep ends in a figure and sentences: the recruiter study's dose-response.

A small recruiter study is swept over the burst size (the events list is a YAML alias shared
by both burst arms, so both change together); the figure's data frame
(`sim.analysis.sweep_outcomes`) is checked against a plain pandas computation from the
saved Parquet tables, and the PNG and the report's sentences against it. Two swept
parameters give small multiples, three a table in the report.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from sim.analysis import figure_names, load_results, log_axis, sweep_outcomes
from sim.cli import main
from tests.helpers import RECRUITER, mean_ci

BURST = "variants.accept-100-it.events.0.count"
COLUMN = BURST.replace(".", "__")
COUNTS = (4, 16, 60)
EVENT_DAY = 6
DAYS = 14
ARMS = ("baseline", "accept-100-it", "accept-100-it-no-connection-term")


def small_study(folder: Path) -> Path:
    """The bundled recruiter study, made small by editing its text (the alias stays)."""
    text = RECRUITER.read_text(encoding="utf-8")
    for old, new in [
        ("members: 10000", "members: 400\n  mean_degree: 30\n  follows: {per_member: 20}"),
        ("duration_days: 90", f"duration_days: {DAYS}"),
        ("replications: 4", "replications: 3"),
        ("{day: 30,", f"{{day: {EVENT_DAY},"),
    ]:
        assert old in text
        text = text.replace(old, new)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "recruiter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_sweep(folder: Path, *settings: str, replications: int = 3) -> Path:
    """``feedsim sweep`` of the small study; returns the results folder (figures drawn)."""
    args = ["sweep", str(small_study(folder)), "--out", str(folder / "out"), "--quiet"]
    args += ["--jobs", "2", "--replications", str(replications)]
    for setting in settings:
        args += ["--set", setting]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return folder / "out" / "recruiter-accepts-100-it-sweep"


@pytest.fixture(scope="module")
def dose(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dose-response sweep over the burst size."""
    return run_sweep(tmp_path_factory.mktemp("dose"), f"{BURST}={','.join(map(str, COUNTS))}")


def it_share(feed: pd.DataFrame) -> pd.Series:
    """The IT share of the feed from the burst to the end, by count, variant and replication."""
    window = feed[feed["day"] >= EVENT_DAY]
    keys = [COLUMN, "variant", "replication"]
    total = window.groupby(keys)["impressions"].sum()
    it = window[window["topic"] == "it"].groupby(keys)["impressions"].sum()
    return (it.reindex(total.index, fill_value=0) / total).rename("share")


def test_the_burst_size_changes_both_burst_arms(dose: Path) -> None:
    ties = pd.read_parquet(dose / "tables" / "ties.parquet")
    burst = ties[ties["created_day"] == EVENT_DAY].groupby([COLUMN, "variant"]).size()
    for count in COUNTS:
        assert burst[(count, "accept-100-it")] == 3 * count
        assert burst[(count, "accept-100-it-no-connection-term")] == 3 * count
    assert (count, "baseline") not in burst.index


def test_the_figure_data_is_the_tables_it_share_and_the_inference_part(dose: Path) -> None:
    results = load_results(dose)
    assert figure_names(results) == ["sweep_outcomes"]
    frame = sweep_outcomes(results)
    shares = it_share(pd.read_parquet(dose / "tables" / "feed.parquet")).reset_index()
    focus = frame[frame["outcome"] == "focus_share"]
    for count in COUNTS:
        at = shares[shares[COLUMN] == count].set_index(["variant", "replication"])["share"]
        level = focus[(focus[COLUMN] == count) & (focus["series"] == "accept-100-it")]
        assert level["mean"].item() == pytest.approx(at["accept-100-it"].mean())
        inference = at["accept-100-it"] - at["accept-100-it-no-connection-term"]
        expected = mean_ci(inference)
        label = "accept-100-it minus accept-100-it-no-connection-term"
        row = focus[(focus[COLUMN] == count) & (focus["series"] == label)]
        assert (row["mean"].item(), row["lo"].item(), row["hi"].item()) == pytest.approx(expected)
    assert frame.groupby(["outcome", "series"]).size().eq(len(COUNTS)).all()


def test_reach_per_post_matches_the_posts_table(dose: Path) -> None:
    frame = sweep_outcomes(load_results(dose))
    posts = pd.read_parquet(dose / "tables" / "posts.parquet")
    focal = posts[posts["focal"]]
    per_rep = focal.groupby([COLUMN, "variant", "replication"])["impressions"].mean()
    reach = frame[(frame["outcome"] == "viewers_per_post") & (frame["kind"] == "variant")]
    for _, row in reach.iterrows():
        values = per_rep.loc[(row[COLUMN], row["series"])]
        assert row["mean"] == pytest.approx(values.mean())
        assert (row["lo"], row["hi"]) == pytest.approx(mean_ci(values)[1:])


def test_the_png_and_the_report_say_what_the_figure_shows(dose: Path) -> None:
    png = dose / "figures" / "sweep_outcomes.png"
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"
    text = (dose / "report.md").read_text(encoding="utf-8")
    frame = sweep_outcomes(load_results(dose))
    first = frame[
        (frame["outcome"] == "focus_share")
        & (frame["series"] == "accept-100-it")
        & (frame[COLUMN] == COUNTS[0])
    ]
    assert f"it share of the feed, days {EVENT_DAY}–{DAYS - 1} against {BURST}" in text
    level = f"{100 * first['mean'].item():.1f}%"
    # identical arms are named together ("under a and b (identical) it rises ...")
    assert re.search(
        rf"under accept-100-it( and [a-z0-9-]+ \(identical\))? it rises from {level}", text
    )
    inference = "accept-100-it minus accept-100-it-no-connection-term"
    assert f"{inference} (what is switched off in accept-100-it-no-connection-term adds):" in text
    assert "![The outcomes against the swept values](figures/sweep_outcomes.png)" in text
    runs = load_results(dose).manifest["runs"]
    items = sorted({r["median_items_read_per_session"] for r in runs})
    assert f"Across all members, the median session read {items[0]}" in text
    assert f"(the median of each of the {len(runs)} runs)" in text


def test_the_report_says_how_many_replications_a_useful_interval_takes(dose: Path) -> None:
    results = load_results(dose)
    diffs = sweep_outcomes(results).query("kind == 'difference'")
    short = diffs[diffs["needed"].notna() & (diffs["needed"] > diffs["n"])]
    assert not short.empty  # 3 replications of a 400-member network
    for row in short.itertuples():  # the smallest n whose t interval fits the target
        n = int(row.needed)
        width = 2 * stats.t.ppf(0.975, n - 1) * row.sd / np.sqrt(n)
        wider = 2 * stats.t.ppf(0.975, n - 2) * row.sd / np.sqrt(n - 1)
        assert width <= row.target < wider or n == 2
    text = (dose / "report.md").read_text(encoding="utf-8")
    assert "With 3 replications per variant, " in text and "wider than useful" in text
    assert f"{int(short['needed'].max()):,} replications per variant would bring" in text


def test_a_sweep_differences_the_comparisons_the_scenario_lists(dose: Path) -> None:
    results = load_results(dose)
    base = {"comparisons": [{"arm": ARMS[2], "reference": ARMS[1]}]}
    chosen = dataclasses.replace(results, manifest={**results.manifest, "scenario": {"base": base}})
    diffs = sweep_outcomes(chosen).query("kind == 'difference'")
    assert set(diffs["series"]) == {f"{ARMS[2]} minus {ARMS[1]}"}


def test_values_spanning_over_ten_times_get_a_log_axis() -> None:
    assert log_axis([4, 16, 60]) and log_axis([25, 50, 100, 200, 400])
    assert not log_axis([0.1, 0.3, 1]) and not log_axis([0, 10, 100]) and not log_axis(["a"])


@pytest.mark.slow
def test_two_and_three_swept_parameters(tmp_path: Path) -> None:
    fraction = "platform.test_audience.fraction"
    # Figures, report and tables of several swept parameters: two replications give every
    # paired difference its interval.
    two = run_sweep(tmp_path / "two", f"{BURST}=4,20", f"{fraction}=0.05,0.4", replications=2)
    assert figure_names(load_results(two)) == ["reach_region", "sweep_outcomes"]
    assert (two / "figures" / "sweep_outcomes.png").is_file()
    text = (two / "report.md").read_text(encoding="utf-8")
    assert "accept-100-it minus accept-100-it-no-connection-term: from" in text
    three = run_sweep(
        tmp_path / "three",
        f"{BURST}=4,20",
        f"{fraction}=0.05,0.4",
        "behaviour.ties.stranger=0.3",
        replications=2,
    )
    results = load_results(three)
    assert figure_names(results) == []
    text = (three / "report.md").read_text(encoding="utf-8")
    header = f"| {BURST} | {fraction} | behaviour.ties.stranger | variant or difference |"
    assert header.replace("_", "\\_") in text
    frame = sweep_outcomes(results)
    assert len(frame[["point", "series"]].drop_duplicates()) == 4 * 6
    assert text.count("| accept-100-it minus baseline |") == 4
