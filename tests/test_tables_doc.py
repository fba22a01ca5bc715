"""docs/tables.md, the data dictionary, against the tables a run actually writes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.results import READS
from sim.cli import main
from sim.metrics import TABLES
from sim.table_schema import IDENTIFIERS
from sim.table_schema import TABLES as SCHEMA
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
    "measure": {"funnel": True, "audience": True, "members": True},
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


def documented() -> dict[str, list[tuple[str, str, str, str]]]:
    """The rows (column, type, unit, meaning) docs/tables.md lists under each table's
    heading, in order."""
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for line in DICTIONARY.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\w+)$", line)
        if heading:
            current = heading.group(1) if heading.group(1) in TABLES else None
            if current:
                sections[current] = []
            continue
        if current and line.startswith("| `"):
            cells = line.strip().removeprefix("|").removesuffix("|").split("|")
            name, kind, unit, meaning = (cell.strip() for cell in cells)
            sections[current].append((name.strip("`"), kind, unit, meaning))
    return sections


def test_the_dictionary_lists_the_schema_word_for_word() -> None:
    """docs/tables.md gives each table's columns as sim/table_schema/ declares them: the
    identifiers first (their meaning spelled out once, under the first table), then every
    column with its type, unit and meaning."""
    listed = documented()
    assert list(listed) == list(TABLES)
    for name, table in SCHEMA.items():
        rows = listed[name]
        assert [r[0] for r in rows[: len(IDENTIFIERS)]] == [c.name for c in IDENTIFIERS], name
        columns = [(c.name, c.type, c.unit, c.meaning) for c in table.columns]
        assert rows[len(IDENTIFIERS) :] == columns, name
    first = listed[next(iter(SCHEMA))][: len(IDENTIFIERS)]
    assert first == [(c.name, c.type, c.unit, c.meaning) for c in IDENTIFIERS]


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    return run_tables(write_scenario(tmp_path_factory.mktemp("doc"), TWO_MEMBERS))


def test_the_analysis_reads_only_columns_the_schema_declares() -> None:
    for name, columns in READS.items():
        assert set(columns) <= set(SCHEMA[name].names), name
    assert set(READS) == set(SCHEMA)


KINDS = {"string": "string", "integer": "i", "float": "f", "boolean": "b"}
"""The pandas dtype (or dtype kind) of each schema type."""


def test_every_table_written_has_the_schema_columns_in_order_with_their_types(
    tables: dict[str, pd.DataFrame],
) -> None:
    for name, table in SCHEMA.items():
        frame = tables[name]
        assert not frame.empty, name
        assert tuple(frame.columns) == table.names, name
        for column in (*IDENTIFIERS, *table.columns):
            dtype = frame[column.name].dtype
            expected = KINDS[column.type]
            found = str(dtype) if column.type == "string" else dtype.kind
            assert found == expected, f"{name}.{column.name}: {dtype} is not {column.type}"


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
    # 3 days: the burst of day 2 inside the run, so its new ties are followed for a day
    scenario = write_scenario(tmp_path, {**TWO_MEMBERS, "replications": 1, "duration_days": 3})
    out = tmp_path / "results"
    args = ["run", str(scenario), "--out", str(out), "--quiet", "--no-figures"]  # links only
    result = CliRunner().invoke(main, args)
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
