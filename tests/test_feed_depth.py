"""Follows, reading depth and notifications on small hand-made arrays, with exact values
(docs/model.md 7.18-7.20)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sim.errors import InputError
from sim.loaders import load_follows
from sim.model import activity, candidates, follows, notifications, reading
from sim.model.hooks import Served
from sim.observers.totals import Totals, histogram_median
from sim.scenario import Notifications
from sim.sources import FOLLOW
from sim.stores import Columns
from sim.table_schema import POST_COUNTERS
from tests.test_mechanism_functions import Draws, make_state


def test_follows_are_drawn_by_posting_rate_within_or_across_fields() -> None:
    field = np.array([0, 0, 1, 1], np.int16)
    post_rate = np.array([0.0, 1.0, 1.0, 3.0])
    # members sorted by field: 0, 1 | 2, 3; cumulative rates 0, 1 | 2, 5
    within = [0.25, 0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.75]  # draws 0, 2, 4, 6 within
    pick = [0.5, 0.1, 0.5, 0.5, 0.2, 0.9, 0.1, 0.5]
    rng = Draws(random=[within, pick])
    keys = follows.draw_follows(field, post_rate, 2, 0.5, rng)  # type: ignore[arg-type]
    follower, followee = divmod(keys, 4)
    # m0: within field 0 -> 1; across u=0.1*5=0.5 -> 1 (repeat).  m1: within -> 1 (self,
    # dropped); across 2.5 -> 3.  m2: within field 1 at 1 + 0.2*4 = 1.8 -> 2 (self);
    # across 4.5 -> 3.  m3: within 1.4 -> 2; across 2.5 -> 3 (self).
    assert_array_equal(follower, [0, 1, 2, 3])
    assert_array_equal(followee, [1, 3, 3, 2])


def test_follows_drawn_block_by_block_are_those_drawn_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Blocks of 7 draws (a block boundary inside a member's draws) give the follows of one
    block: the uniforms are the same stream, whatever the block size."""
    rng = np.random.default_rng(4)
    field = rng.integers(0, 3, 50).astype(np.int16)
    post_rate = rng.exponential(1.0, 50) * (rng.random(50) < 0.8)
    at_once = follows.draw_follows(field, post_rate, 5, 0.5, np.random.default_rng(9))
    monkeypatch.setattr(follows, "FOLLOW_BLOCK", 7)
    in_blocks = follows.draw_follows(field, post_rate, 5, 0.5, np.random.default_rng(9))
    assert_array_equal(in_blocks, at_once)
    assert at_once.size > 150  # most of the 250 draws are distinct follows


def test_the_follow_index_drops_connected_pairs_and_groups_by_follower() -> None:
    state = make_state()
    # 0-1 are connected; 0 follows 3 and 1; 4 follows 0 and 2
    ptr, followees = follows.follow_index(5, np.array([0, 0, 4, 4]) * 5 + [3, 1, 2, 0], state.ties)
    assert_array_equal(ptr, [0, 1, 1, 1, 1, 3])
    assert_array_equal(followees, [3, 0, 2])
    assert followees.dtype == np.int32


def test_the_follow_index_looked_up_in_blocks_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    state = make_state()
    keys = np.array([0, 0, 4, 4, 2, 3, 1]) * 5 + [3, 1, 2, 0, 4, 0, 0]
    at_once = follows.follow_index(5, keys.copy(), state.ties)
    monkeypatch.setattr(follows, "FOLLOW_BLOCK", 2)
    in_blocks = follows.follow_index(5, keys.copy(), state.ties)
    assert_array_equal(in_blocks[0], at_once[0])
    assert_array_equal(in_blocks[1], at_once[1])
    assert at_once[1].size < keys.size  # connected pairs were dropped


def test_followed_posts_are_the_recent_posts_of_followed_accounts() -> None:
    state = make_state()
    state.follow_ptr, state.followees = follows.follow_index(
        5, np.array([0, 4, 4]) * 5 + [3, 3, 2], state.ties
    )
    authors = np.array([3, 2, 3, 1, 3])
    created = np.array([0.5, 1.0, 2.0, 2.5, 3.25])
    zeros = np.zeros(5, np.int32)
    state.posts.append(
        author=authors,
        topic=zeros,
        created=created,
        test_end=created,
        author_connections=zeros,
        call=False,
        **{name: zeros for name in POST_COUNTERS},
    )
    viewers, time = np.array([0, 4]), np.array([3.0, 2.5])
    start, by_author = follows.recent_by_author(state, time, 1.5)
    assert_array_equal(by_author, [3, 1, 2, 4])  # created from day 1 on, by author
    assert_array_equal(start, [0, 0, 1, 2, 4, 4])
    state.session_slot[viewers] = [0, 1]
    sessions = activity.Sessions(viewers, time, np.array([1, 1]))
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    g = candidates.gather_candidates(state, sessions, none, 1.5, (start, by_author))
    # viewer 0 at day 3: posts of 3 created in [1.5, 3] -> post 2; viewer 4 at 2.5: posts of
    # 2 and 3 in [1, 2.5] -> 1 (author 2), 2 (author 3)
    assert_array_equal(g.viewer, [0, 4, 4])
    assert_array_equal(g.post, [2, 1, 2])
    assert_array_equal(g.route, [FOLLOW] * 3)


def test_session_depth_is_one_plus_floor_lambda_e_capped_and_zero_for_unused() -> None:
    exps = np.array([[0.0, 0.5], [0.25, 3.0], [0.75, 0.1]])
    depths = reading.session_depths(exps, np.array([1, 2, 2]), 4.0, 10)
    assert_array_equal(depths, [[1, 0], [2, 10], [4, 1]])


def test_positions_restart_at_each_session_of_a_member() -> None:
    depths = np.array([[2, 3], [4, 0]])
    session, position = reading.positions(
        np.array([0, 0, 0, 0, 0, 1, 1]), np.array([0, 1, 2, 3, 4, 0, 3]), depths
    )
    assert_array_equal(session, [0, 0, 1, 1, 1, 0, 0])
    assert_array_equal(position, [0, 1, 0, 1, 2, 0, 3])


def test_items_read_are_limited_by_the_candidates_left() -> None:
    depths = np.array([[2, 3], [4, 0], [5, 5]])
    read = reading.items_read(depths, np.array([4, 9, 0]))
    assert_array_equal(read, [[2, 2], [4, 0], [0, 0]])


def test_histogram_median_and_session_counts() -> None:
    assert histogram_median(np.array([0, 0, 0])) == 0
    assert histogram_median(np.array([1, 1, 1, 1])) == 1  # values 0, 1, 2, 3
    assert histogram_median(np.array([0, 3, 0, 1])) == 1
    state = make_state()
    totals = Totals(None, state)  # type: ignore[arg-type]
    candidates_of_member = np.bincount(np.array([0, 0, 0, 1]), minlength=2)
    read = reading.items_read(np.array([[2, 2], [4, 0]]), candidates_of_member)
    cut = np.zeros(2, np.int64)
    served = Served(
        np.array([0, 1]), np.zeros(2), np.array([2, 1]), 1, candidates_of_member, read, cut
    )
    totals.served(state, served)
    # member 0: 3 candidates, sessions read 2 and 1; member 1: 1 candidate, reads 1
    assert_array_equal(totals.candidates_seen, [0, 1, 0, 2])
    assert_array_equal(totals.items_seen, [0, 2, 1])
    assert totals.counts["candidates"] == 3 * 2 + 1
    assert totals.counts["sessions"] == 3 and totals.counts["notified_sessions"] == 1


def test_notifications_bring_a_share_of_new_rows_into_a_session_after_a_delay() -> None:
    state = make_state()
    state.pool.append(
        viewer=np.array([1, 2, 3]),
        post=0,
        route=1,
        available=np.array([0.5, 0.5, 0.75]),
        consumed=False,
    )
    rng = Draws(random=[[0.25, 0.75, 0.0]], exponential=[[1.0, 2.0, 0.5]])
    notifications.notify_rows(state, 0, 0.5, 6.0, rng)  # type: ignore[arg-type]
    # rows 0 and 2 notified; delays 6 h and 3 h
    assert_array_equal(state.pending["member"], [1, 3])
    assert_array_equal(state.pending["time"], [0.75, 0.875])
    members, times = notifications.due_sessions(state, 0.8, 0.85)
    assert_array_equal(members, [1])
    assert_array_equal(times, [0.8])  # sent after its slice was served: moved to the start
    assert_array_equal(state.pending["member"], [3])


def test_notifications_off_draw_nothing() -> None:
    state = make_state()
    state.pool.append(viewer=np.array([1]), post=0, route=1, available=0.5, consumed=False)
    notifications.notify(state, 0, 1.0, Notifications(enabled=False), Draws())  # type: ignore[arg-type]
    assert state.pending.size == 0
    assert isinstance(state.pending, Columns)


def test_a_follows_file_maps_ids_and_drops_self_and_repeats(tmp_path: Path) -> None:
    path = tmp_path / "follows.txt"
    path.write_text("# u follows v\n10 30\n10 30\n20 20\n30 10\n")
    follower, followee = load_follows(path, np.array([10, 20, 30]))
    assert_array_equal(follower, [0, 2])
    assert_array_equal(followee, [2, 0])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("10 99\n", "node 99 is not in the network's edge list"),
        ("10 x\n", "line 1"),
        ("", "no edges"),
    ],
)
def test_a_bad_follows_file_is_one_input_error(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "follows.txt"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_follows(path, np.array([10, 20, 30]))
    assert problem in error.value.message
    assert str(path) in error.value.message
    with pytest.raises(InputError, match=r"file not found|cannot read"):
        load_follows(tmp_path / "missing.txt", np.array([10]))
