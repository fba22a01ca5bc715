"""The observers that record a run: exact counts on hand-made slices, and their tables on a
run agreeing with one another (the composition of everyone's feed against the posts'
counters), with and without a trend."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sim.model.hooks import Impressions, Shown
from sim.observers import OBSERVERS
from sim.observers.composition import Composition
from sim.table_schema import GROUPS, TABLES, TIE_KINDS, TOPIC_RELATIONS
from tests.helpers import run_tables, write_scenario
from tests.test_mechanism_functions import make_state

COLLEAGUE, STRANGER = TIE_KINDS.index("colleague"), TIE_KINDS.index("stranger")
FOLLOW, OUT = len(TIE_KINDS), len(TIE_KINDS) + 2  # sources: follow, out_of_network


def test_every_table_is_built_by_exactly_one_observer() -> None:
    built = [name for observer in OBSERVERS for name in observer.tables]
    assert sorted(built) == sorted(TABLES)
    assert len({o.name for o in OBSERVERS}) == len(OBSERVERS)


def test_composition_counts_each_impression_and_engagement_in_its_cell() -> None:
    """Members 0, 1 and 3 are of field a, member 2 of field b (tests.test_mechanism_functions).
    Five impressions over two days: own-field or other by the viewer's field."""
    state = make_state()
    observer = Composition(SimpleNamespace(duration_days=2), state)  # type: ignore[arg-type]
    seen = Impressions(
        viewer=np.array([0, 0, 2, 1, 3]),
        post=np.zeros(5, np.int64),
        topic=np.array([0, 1, 1, 0, 0], np.int16),
        source=np.array([COLLEAGUE, COLLEAGUE, STRANGER, FOLLOW, OUT], np.int8),
        edge=np.full(5, -1),
        proof=np.zeros(5, np.int64),
        when=np.array([0.25, 0.5, 1.5, 1.75, 7.0]),  # the last is past the end: last day
        tagged=np.zeros(5, bool),
    )
    engaged = np.array([True, False, True, False, False])
    observer.shown(state, Shown(seen, np.zeros(5, bool), engaged))
    counts = observer.counts
    own, other = TOPIC_RELATIONS.index("own_field"), TOPIC_RELATIONS.index("other_field")
    peer, stranger = GROUPS.index("peer"), GROUPS.index("stranger")
    follow, out = GROUPS.index("follow"), GROUPS.index("out_of_network")
    expected = np.zeros_like(counts)
    expected[0, peer, own] = [1, 1]  # member 0 (a) saw topic a from a colleague, engaged
    expected[0, peer, other] = [1, 0]  # and topic b
    expected[1, stranger, own] = [1, 1]  # member 2 (b) saw topic b from a stranger, engaged
    expected[1, follow, own] = [1, 0]  # member 1 (a) saw topic a from a followed account
    expected[1, out, own] = [1, 0]  # member 3 (a), on the last day
    assert_array_equal(counts, expected)
    table = Composition.build(
        SimpleNamespace(kept={Composition.name: observer.records(state)}),  # type: ignore[arg-type]
        (),
    )["composition"]
    assert len(table) == 2 * len(GROUPS) * len(TOPIC_RELATIONS)  # dense
    assert table["impressions"].sum() == 5 and table["engagements"].sum() == 2


TWO_FIELDS = {
    "name": "two-fields",
    "topics": ["a", "b"],
    "duration_days": 6,
    "replications": 1,
    "slice_hours": 6,
    "network": {"members": 400, "mean_degree": 20},
    "focal": [{"name": "ann", "field": "a", "posts_per_day": 1.0, "sessions_per_day": 3.0}],
}


@pytest.mark.parametrize("with_trend", [False, True], ids=["no-trend", "trend"])
def test_composition_adds_up_to_every_impression_and_engagement_of_the_run(
    tmp_path: Path, with_trend: bool
) -> None:
    body = dict(TWO_FIELDS)
    if with_trend:
        body["trend"] = {"groups": [{"strategy": "everyone", "share": 0.05}]}
    tables = run_tables(write_scenario(tmp_path, body))
    composition, posts = tables["composition"], tables["posts"]
    days = body["duration_days"]
    assert len(composition) == days * len(GROUPS) * len(TOPIC_RELATIONS)
    assert composition["impressions"].sum() == posts["impressions"].sum() > 0
    engagements = posts[["likes", "comments", "shares"]].to_numpy().sum()
    assert composition["engagements"].sum() == engagements > 0
    by_group = composition.groupby("source_group")["impressions"].sum()
    for group in GROUPS:
        assert by_group[group] == posts[f"viewers_{group}"].sum(), group
    # members mostly see their own field: interests put most weight on the home topic
    share = composition.groupby("topic_field")["impressions"].sum() / posts["impressions"].sum()
    assert share["own_field"] > 0.5
    population = tables["population"]
    if with_trend:  # the trend's own record splits the same impressions by viewer status
        assert population["impressions"].sum() == composition["impressions"].sum()
        pd.testing.assert_series_equal(
            population.groupby("source_group")["impressions"].sum(), by_group
        )
    else:
        assert population.empty and tables["adoption"].empty
