"""docs/tables.md, the data dictionary, against the tables a run actually writes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.cli import main
from sim.metrics import TABLES
from tests.helpers import ROOT, run_tables, write_scenario

DICTIONARY = ROOT / "docs" / "tables.md"
TWO_MEMBERS = {
    "name": "two-members",
    "topics": ["a", "b"],
    "duration_days": 5,
    "replications": 2,
    "slice_hours": 6,
    "network": {"members": 300, "mean_degree": 20},
    "trend": {"groups": [{"strategy": "everyone", "share": 0.05}]},
    "focal": [
        {"name": "ann", "field": "a", "posts_per_day": 1.0, "sessions_per_day": 3.0},
        {"name": "bob", "field": "b", "posts_per_day": 1.0, "sessions_per_day": 3.0},
    ],
    "variants": [
        {"name": "baseline"},
        {
            "name": "burst",
            "events": [
                {
                    "day": 2,
                    "action": "accept_invitations",
                    "member": "ann",
                    "count": 5,
                    "field": "b",
                }
            ],
        },
    ],
}


def documented() -> dict[str, list[str]]:
    """The columns docs/tables.md lists under each table's heading, in order."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)$", line)
        if heading:
            current = heading.group(1) if heading.group(1) in TABLES else None
            if current:
                sections[current] = []
            continue
        row = re.match(r"^\| `(\w+)` \|", line)
        if current and row:
            sections[current].append(row.group(1))
    return sections


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    return run_tables(write_scenario(tmp_path_factory.mktemp("doc"), TWO_MEMBERS))


def test_every_written_column_is_documented_and_every_documented_one_written(
    tables: dict[str, pd.DataFrame],
) -> None:
    listed = documented()
    assert sorted(listed) == sorted(TABLES)
    for name in TABLES:
        written = list(tables[name].columns)
        assert not tables[name].empty, name
        assert set(written) - set(listed[name]) == set(), f"{name}: written, not documented"
        assert set(listed[name]) - set(written) == set(), f"{name}: documented, not written"
        assert len(listed[name]) == len(set(listed[name])), f"{name}: listed twice"


def test_the_member_column_names_the_focal_member_in_every_replication(
    tables: dict[str, pd.DataFrame],
) -> None:
    for name in ("feed", "beliefs", "ties", "connections", "volume"):
        table = tables[name]
        assert set(table["member"]) == {"ann", "bob"}, name
        # one name per id within a replication, and the name is the same in every one
        pairs = table[["replication", "member_id", "member"]].drop_duplicates()
        assert not pairs.duplicated(["replication", "member_id"]).any(), name
        assert pairs.groupby("replication")["member"].nunique().eq(2).all(), name
    posts = tables["posts"]
    assert set(posts.loc[posts["focal"], "focal_member"]) == {"ann", "bob"}
    assert (posts.loc[~posts["focal"], "focal_member"] == "").all()
    ids = tables["beliefs"][["replication", "member_id", "member"]].drop_duplicates()
    by_id = ids.set_index(["replication", "member_id"])["member"]
    focal = posts[posts["focal"]]
    names = [by_id[(r, a)] for r, a in zip(focal["replication"], focal["author_id"], strict=True)]
    assert names == focal["focal_member"].tolist()


def test_reached_columns_have_one_meaning_each(tables: dict[str, pd.DataFrame]) -> None:
    ties, connections = tables["ties"], tables["connections"]
    assert "reached" not in ties.columns and "reached" not in connections.columns
    assert ties["saw_member_post"].dtype == bool
    last = connections[connections["day"] == connections["day"].max()]
    reached = last.groupby(["variant", "replication", "member"])["connections_reached"].sum()
    current = ties[ties["removed_day"].isna()]
    flags = current.groupby(["variant", "replication", "member"])["saw_member_post"].sum()
    pd.testing.assert_series_equal(
        reached, flags.reindex(reached.index, fill_value=0), check_names=False, check_dtype=False
    )


def test_the_day_conventions_hold(tables: dict[str, pd.DataFrame]) -> None:
    days = TWO_MEMBERS["duration_days"]
    assert tables["feed"]["day"].between(0, days - 1).all()
    assert (tables["feed"]["impressions"] > 0).all()  # sparse: rows with impressions only
    for name in ("beliefs", "connections"):
        assert sorted(tables[name]["day"].unique()) == list(range(days + 1)), name


def test_readme_and_reports_link_the_dictionary(tmp_path: Path) -> None:
    assert "docs/tables.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    scenario = write_scenario(tmp_path, {**TWO_MEMBERS, "replications": 1, "duration_days": 2})
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    folder = out / "two-members"
    md = (folder / "report.md").read_text(encoding="utf-8")
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "[docs/tables.md](../../docs/tables.md)" in md
    assert '<a href="../../docs/tables.md">docs/tables.md</a>' in page
    # several focal members are named, not "the focal members" alone
    assert "the focal members ann's and bob's" in md.lower()
    # from results/NAME/ in the checkout the link reaches the dictionary
    assert (ROOT / "results" / "any" / "../../docs/tables.md").resolve() == DICTIONARY


def test_the_committed_reports_link_the_dictionary() -> None:
    """Reports of runs and sweeps link the table dictionary; reports of sensitivity analyses
    (whose tables are indices, not simulation tables) link docs/sensitivity.md."""
    reports = sorted((ROOT / "results").glob("*/report.md"))
    assert reports
    for report in reports:
        text = report.read_text(encoding="utf-8")
        sensitivity = (report.parent / "tables" / "sensitivity.parquet").exists() or (
            '"analysis": "sensitivity"' in (report.parent / "manifest.json").read_text()
        )
        doc = "docs/sensitivity.md" if sensitivity else "docs/tables.md"
        assert f"[{doc}](../../{doc})" in text, report
        assert (report.parent / "../../" / doc).resolve().is_file()
