"""The engine against theory in degenerate cases, and its bookkeeping."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.engine import World
from sim.scenario import load_study
from sim.table_schema import GROUPS, SOURCES
from tests.helpers import run_tables, write_scenario


def base(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "theory",
        "topics": ["a", "b", "c"],
        "duration_days": 20,
        "replications": 1,
        "slice_hours": 2,
        "network": {"members": 800, "mean_degree": 30},
        "focal": [{"name": "me", "field": "a"}],
    }
    body.update(changes)
    return body


def world(tmp_path: Path, seed: int = 3, **changes: object) -> World:
    study = load_study(write_scenario(tmp_path, base(**changes)))
    return World(study.arms[0].scenario, seed, study.path)


def test_session_and_post_counts_are_poisson(tmp_path: Path) -> None:
    """Sessions and posts are Poisson processes: totals within 5 standard deviations of
    sum(rate) x duration (the cap of sessions per slice binds with negligible probability
    at these rates). Notifications are off: the sessions they bring come on top."""
    w = world(tmp_path, platform={"notifications": {"enabled": False}})
    expected_sessions = w.state.session_rate.sum() * 20
    expected_posts = w.state.post_rate.sum() * 20
    records = w.run()
    assert abs(records.counts["sessions"] - expected_sessions) < 5 * np.sqrt(expected_sessions)
    assert abs(records.counts["posts"] - expected_posts) < 5 * np.sqrt(expected_posts)


def test_feed_and_belief_records_are_consistent(tmp_path: Path) -> None:
    records = world(tmp_path).run()
    assert records.kept["focal_feed"]["feed"].shape == (1, 20, 3, len(SOURCES))
    assert records.kept["focal_feed"]["feed"].sum() > 0
    assert np.allclose(records.kept["snapshots"]["inferred"].sum(axis=2), 1.0)
    assert np.allclose(records.kept["snapshots"]["true_interest"].sum(axis=1), 1.0)
    posts = records.kept["posts"]
    assert (posts["primary_viewers"] <= posts["impressions"]).all()
    viewers = sum(posts[f"viewers_{g}"] for g in GROUPS)
    assert np.array_equal(viewers, posts["impressions"])
    engagements = posts["likes"] + posts["comments"] + posts["shares"]
    by_group = sum(posts[f"engagements_{g}"] for g in GROUPS)
    assert np.array_equal(engagements, by_group)
    assert (engagements <= posts["impressions"]).all()


def test_primary_reach_follows_the_test_audience_fraction(tmp_path: Path) -> None:
    """Primary viewers are drawn from the test audience only: a larger test audience gives
    proportionally more of them, and switching the test audience off makes every viewer
    reached through the network route primary."""
    small = world(tmp_path, platform={"test_audience": {"fraction": 0.05}}).run()
    large = world(tmp_path, platform={"test_audience": {"fraction": 0.4}}).run()
    off = world(tmp_path, platform={"test_audience": {"enabled": False}}).run()

    def primary(records) -> float:  # type: ignore[no-untyped-def]
        p = records.kept["posts"]
        return float(p["primary_viewers"].sum() / np.maximum(p["author_connections"], 1).sum())

    assert primary(large) > 4 * primary(small)
    assert primary(off) > primary(large)


def test_first_interactions_come_after_creation(tmp_path: Path) -> None:
    records = world(tmp_path, behaviour={"like_rate": 0.1}).run()
    ties = pd.DataFrame(records.kept["ties"])
    heard = ties.dropna(subset=["first_interaction_day"])
    assert len(heard) > 0
    assert (heard["first_interaction_day"] >= heard["created_day"]).all()
    assert (heard["first_interaction_day"] <= 20).all()


def test_accepting_invitations_adds_stranger_ties_on_the_day(tmp_path: Path) -> None:
    w = world(
        tmp_path,
        events=[
            {"day": 5, "action": "accept_invitations", "member": "me", "count": 30, "field": "b"}
        ],
    )
    before = int(w.state.ties.degree()[w.state.focal_ids[0]])
    records = w.run()
    ties = pd.DataFrame(records.kept["ties"])
    new = ties[ties["created_day"] == 5.0]
    assert len(new) == 30 and (new["kind"] == "stranger").all()
    assert len(ties) == before + 30
    assert (w.state.field[new["partner_id"].to_numpy()] == 1).all()
    # the platform now leans toward field b for this member (connection term on)
    assert (
        records.kept["snapshots"]["inferred"][0, 5, 1]
        > records.kept["snapshots"]["inferred"][0, 4, 1] + 0.1
    )


def test_too_many_invitations_is_a_clear_input_error(tmp_path: Path) -> None:
    from sim.errors import InputError

    w = world(
        tmp_path,
        events=[
            {"day": 1, "action": "accept_invitations", "member": "me", "count": 5000, "field": "b"}
        ],
    )
    with pytest.raises(InputError) as info:
        w.run()
    assert info.value.field == "events[0].count"


def test_topic_names_are_not_special(tmp_path: Path) -> None:
    """Renaming every topic changes the names in the tables and nothing else."""
    event = {"day": 4, "action": "accept_invitations", "member": "me", "count": 20}
    first = write_scenario(tmp_path, base(events=[{**event, "field": "b"}]), "one.yaml")
    renamed = base(
        topics=["zeta", "eta", "theta"],
        events=[{**event, "field": "eta"}],
        focal=[{"name": "me", "field": "zeta"}],
    )
    second = write_scenario(tmp_path, renamed, "two.yaml")
    a, b = run_tables(first), run_tables(second)
    mapping = {"a": "zeta", "b": "eta", "c": "theta"}
    for name in ("posts", "feed", "beliefs"):
        left = a[name].copy()
        left["topic"] = left["topic"].map(mapping).astype("string")
        pd.testing.assert_frame_equal(left, b[name])
