"""The compiled kernels give exactly what their numpy twins (the expressions they replace) give."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import pytest
from numpy.typing import NDArray

from sim import behaviour, kernels, ranking
from sim.model import audience, follows
from sim.model.candidates import features, merge, pool, recommendation
from sim.stores import GroupedColumns


@pytest.mark.parametrize("grouped", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_find_in_rows_is_a_binary_search_over_all_keys(seed: int, grouped: bool) -> None:
    """Queries in random order (short runs of one member: binary searches) and grouped by
    member (long runs: the row's map)."""
    rng = np.random.default_rng(seed)
    members = 60
    src = rng.integers(0, members, 3000)
    dst = rng.integers(0, members, 3000)
    key = np.unique(src * members + dst)  # sorted, distinct ties
    row_src, row_dst = key // members, (key % members).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_src, minlength=members))])
    query_src = rng.integers(0, members, 5000)
    query_dst = rng.integers(0, members, 5000)
    if grouped:
        query_src = np.sort(query_src)
    wanted = query_src * members + query_dst
    pos = np.minimum(np.searchsorted(key, wanted), key.size - 1)
    expected = np.where(key[pos] == wanted, pos, -1)
    found = kernels.find_in_rows.compiled(indptr.astype(np.int64), row_dst, query_src, query_dst)
    np.testing.assert_array_equal(found, expected)
    twin = kernels.find_in_rows.numpy(indptr.astype(np.int64), row_dst, query_src, query_dst)
    np.testing.assert_array_equal(twin, expected)
    assert (found >= 0).any() and (found < 0).any()


@pytest.mark.parametrize("seed", range(5))
def test_top_per_viewer_is_the_lexsort_it_replaces(seed: int) -> None:
    """Scores are drawn from few values so that ties in score are common; some rows pinned;
    the rows come shuffled (ordered first) or already ordered by (viewer, post)."""
    rng = np.random.default_rng(seed)
    viewer = np.repeat(np.arange(40), rng.integers(0, 30, 40))
    post = np.concatenate([rng.choice(200, (viewer == v).sum(), replace=False) for v in range(40)])
    order = np.lexsort((post, viewer))
    viewer, post = viewer[order], post[order]
    scores = rng.integers(0, 6, viewer.size).astype(np.float64)
    pinned = rng.random(viewer.size) < 0.1
    limit = rng.integers(0, 12, 40)[viewer]
    by = np.lexsort((post, -scores, ~pinned, viewer))
    first = np.searchsorted(viewer[by], viewer[by])
    rank = np.arange(by.size) - first
    keep = rank < limit[by]
    for perm in (np.arange(viewer.size), rng.permutation(viewer.size)):
        rows, got_rank = ranking.top_per_viewer(
            viewer[perm], scores[perm], post[perm], limit[perm], pinned=pinned[perm]
        )
        np.testing.assert_array_equal(perm[rows], by[keep])
        np.testing.assert_array_equal(got_rank, rank[keep])


@pytest.mark.parametrize("seed", range(5))
def test_counting_order_is_a_stable_argsort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    key = rng.integers(0, 30, 2000).astype(np.int32)
    np.testing.assert_array_equal(
        kernels.counting_order.compiled(key, 30), np.argsort(key, kind="stable")
    )


@pytest.mark.parametrize("chunks", [1, 3])
@pytest.mark.parametrize("grouped", [0, 1500, 2000])
@pytest.mark.parametrize("seed", range(5))
def test_regrouped_values_are_in_a_stable_argsort_of_the_kept_rows(
    seed: int, grouped: int, chunks: int
) -> None:
    """Rows ``0:grouped`` ordered by key (some keys without rows), the rest in random order
    (placed in one part or three); a random third dropped; none, some or all rows already
    grouped. Both forms of the places give the same starts (and the compiled places put
    every part's rows where the stable order does); both forms of the values give the
    values in that order, for an integer and a float column."""
    rng = np.random.default_rng(seed)
    key = rng.integers(0, 30, 2000)
    key[key == 7] = 8
    key[:grouped] = np.sort(key[:grouped])
    start = np.zeros(31, np.int64)
    start[1:] = np.cumsum(np.bincount(key[:grouped], minlength=30))
    keep = rng.random(2000) > 1 / 3
    rows = np.flatnonzero(keep)
    expected = rows[np.argsort(key[rows], kind="stable")]
    expected_start = np.concatenate([[0], np.cumsum(np.bincount(key[rows], minlength=30))])
    compiled = kernels.regroup_places.compiled(key, keep, start, grouped, chunks)
    twin = kernels.regroup_places.numpy(key, keep, start, grouped, chunks)
    for starts, _ in (compiled, twin):
        np.testing.assert_array_equal(starts, expected_start)
    np.testing.assert_array_equal(compiled[1], twin[1])
    for values in (rng.integers(0, 10**9, 2000).astype(np.int32), rng.random(2000)):
        for form in (kernels.regroup_values.compiled, kernels.regroup_values.numpy):
            out = form(values, key, keep, start, grouped, *compiled)
            assert out.dtype == values.dtype
            np.testing.assert_array_equal(out, values[expected])


def merge_arguments(seed: int, spread: int) -> tuple[Any, ...]:
    """Few slots and posts, so that most (slot, post) pairs repeat, within a source and
    across the pool (indexed rows and tail), followed and recommended posts; some slots
    empty; some pool rows not yet available; followed accounts' posts in and out of the
    window on both sides, members following nobody, authors without posts; some pairs
    seen, own, stale or stale but of the ageless route. Post ids `spread` apart span a
    slot's bitmap of posts (1, 997) or need the radix sort's passes (70,001)."""
    rng = np.random.default_rng(seed)
    n_slots, n_posts = 25, 40 * spread
    routes = np.array([3, 5, 4, 1, 0], np.int8)  # follow, recommended, proof, primary, ageless
    pool_slot = rng.integers(0, n_slots, 3000)
    pool_slot[pool_slot == 3] = 4  # slot 3 has no pool rows
    indexed = np.sort(pool_slot[:2400])  # the indexed pool rows are grouped by slot
    pool_lo = np.searchsorted(indexed, np.arange(n_slots))
    pool_hi = np.searchsorted(indexed, np.arange(n_slots), side="right")
    tail_slot = pool_slot[2400:]
    tail_rows = 2400 + np.argsort(tail_slot, kind="stable")
    tail_ptr = np.concatenate([[0], np.cumsum(np.bincount(tail_slot, minlength=n_slots))])
    pool_post = (rng.integers(0, 40, 3000) * spread).astype(np.int32)
    pool_route = rng.choice([0, 1, 2, 4], 3000).astype(np.int8)
    pool_available = rng.uniform(0, 3.2, 3000)
    pool_consumed = rng.random(3000) < 0.01
    members = 150  # authors span three 64-bit words of the kernel's bit per author
    served = np.sort(rng.choice(members, n_slots, replace=False))
    follows = rng.integers(0, 8, members)
    follows[served[3]] = 0
    follow_ptr = np.concatenate([[0], np.cumsum(follows)]).astype(np.int64)
    followees = rng.integers(0, members, follow_ptr[-1]).astype(np.int32)
    author = rng.choice(np.concatenate([served, rng.choice(members, 25)]), n_posts)
    author = author.astype(np.int32)  # some served members' own posts; most members none
    listed = np.arange(40) * spread
    by_author = listed[np.argsort(author[listed], kind="stable")]
    post_start = np.searchsorted(author[by_author], np.arange(members + 1)).astype(np.int64)
    count = rng.integers(0, 40, n_slots)
    count[3] = 0
    recommended_ptr = np.concatenate([[0], np.cumsum(count)])
    recommended_post = rng.integers(0, 40, recommended_ptr[-1]) * spread
    slot_time = rng.uniform(2, 3, n_slots)
    created = rng.uniform(0, 3, n_posts)
    return (
        pool_lo,
        pool_hi,
        tail_ptr,
        tail_rows,
        pool_post,
        pool_route,
        pool_available,
        pool_consumed,
        follow_ptr,
        followees,
        post_start,
        by_author,
        recommended_ptr,
        recommended_post,
        served,
        slot_time,
        author,
        created,
        1.5,
        routes,
    )


@pytest.mark.parametrize("spread", [1, 997, 70_001])
@pytest.mark.parametrize("seed", range(5))
def test_merge_candidates_is_unique_with_grouped_reductions_then_the_filter(
    seed: int, spread: int
) -> None:
    arguments = merge_arguments(seed, spread)
    n_slots, slot_time, created = arguments[14].size, arguments[15], arguments[17]
    got = merge.merge_candidates.compiled(*arguments)
    expected = merge.merge_candidates.numpy(*arguments)
    for value, want in zip(got, expected, strict=True):
        np.testing.assert_array_equal(value, want)
    rows, _, starts, pair_slot, pair_post, _, best, _, _ = got
    np.testing.assert_array_equal(np.repeat(np.arange(n_slots), np.diff(starts)), pair_slot)
    assert 0 < rows.size < 3000  # some pool rows are not yet available
    stale = slot_time[pair_slot] - created[pair_post] > 1.5
    assert (stale & (best == 0)).any()  # stale, kept for its ageless route
    assert not (stale & (best != 0)).any()
    assert 5 in best  # recommended pairs are kept
    follow_ptr, followees, post_start, by_author = arguments[8:12]
    ages = [
        slot_time[i] - created[by_author[post_start[a] : post_start[a + 1]]]
        for i, member in enumerate(arguments[14])
        for a in followees[follow_ptr[member] : follow_ptr[member + 1]]
    ]
    age = np.concatenate(ages)  # followed accounts' posts: in the window and out on both sides
    assert (age < 0).any() and ((age >= 0) & (age <= 1.5)).any() and (age > 1.5).any()
    assert 3 not in pair_slot  # slot 3 has no rows at all


def test_grouped_rows_are_found_by_index_and_tail_as_by_a_scan() -> None:
    """Rows of some viewers, after a regroup, rows appended since, and a drop of rows (which
    discards the index) are those a scan of the whole viewer column finds."""
    rng = np.random.default_rng(7)
    pool = GroupedColumns({"viewer": np.int32, "post": np.int32}, by="viewer", groups=50)

    def check() -> None:
        members = rng.permutation(np.unique(rng.integers(0, 50, 12)))
        slot = np.full(50, -1, np.int64)
        slot[members] = np.arange(members.size)
        lo, hi, tail_ptr, tail = pool.spans_of(members, slot)
        for i, member in enumerate(members):
            rows = np.concatenate([np.arange(lo[i], hi[i]), tail[tail_ptr[i] : tail_ptr[i + 1]]])
            np.testing.assert_array_equal(rows, np.flatnonzero(pool["viewer"] == member))

    pool.append(viewer=rng.integers(0, 50, 500), post=np.arange(500))
    check()
    pool.regroup()
    assert (np.diff(pool["viewer"]) >= 0).all()
    assert all((np.diff(pool["post"][pool["viewer"] == v]) > 0).all() for v in range(50))
    check()
    pool.append(viewer=rng.integers(0, 50, 300), post=np.arange(500, 800))
    check()
    pool.keep(rng.random(pool.size) < 0.5)
    check()
    pool.regroup()
    check()
    viewer, post = pool["viewer"].copy(), pool["post"].copy()
    keep = rng.random(pool.size) < 0.5
    pool.append(viewer=rng.integers(0, 50, 100), post=np.arange(800, 900))
    keep = np.concatenate([keep, np.ones(100, bool)])
    viewer, post = (
        np.concatenate([viewer, pool["viewer"][-100:]]),
        np.concatenate([post, pool["post"][-100:]]),
    )
    pool.regroup(keep=keep)  # dropped and regrouped at once: as a keep, then a regroup
    order = np.argsort(viewer[keep], kind="stable")
    np.testing.assert_array_equal(pool["viewer"], viewer[keep][order])
    np.testing.assert_array_equal(pool["post"], post[keep][order])
    check()


@pytest.mark.parametrize("seed", range(5))
def test_member_rows_merge_main_and_overlay_as_the_lexsort_does(seed: int) -> None:
    """A main index and an overlay of later ties, both sorted by (source, target); members
    queried in any order, some twice, some without overlay entries."""
    rng = np.random.default_rng(seed)
    members = 40
    key = np.unique(rng.integers(0, members, 1500) * members + rng.integers(0, members, 1500))
    later = rng.random(key.size) < 0.2
    main, extra = key[~later], key[later]
    dst = np.concatenate([main % members, extra % members]).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(main // members, minlength=members))])
    extra_src = extra // members
    extra_position = main.size + np.arange(extra.size)
    src = np.concatenate([main // members, extra_src])
    query = rng.integers(0, members, 60)
    lo = np.searchsorted(extra_src, query, side="left")
    hi = np.searchsorted(extra_src, query, side="right")
    owner, edge = kernels.member_rows.compiled(indptr, dst, query, lo, hi, extra_position)
    for got, twin in zip(
        (owner, edge),
        kernels.member_rows.numpy(indptr, dst, query, lo, hi, extra_position),
        strict=True,
    ):
        np.testing.assert_array_equal(got, twin)
    want_owner = np.concatenate(
        [np.flatnonzero(src == m) * 0 + i for i, m in enumerate(query)]
    ).astype(np.int64)
    want_edge = np.concatenate([np.flatnonzero(src == m) for m in query])
    order = np.lexsort((dst[want_edge], want_owner))
    np.testing.assert_array_equal(owner, want_owner[order])
    np.testing.assert_array_equal(edge, want_edge[order])
    assert hi.sum() > lo.sum()  # the overlay is used


def test_top_in_groups_ranks_nan_scores_last_as_the_stable_sort_does() -> None:
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 4, 50).astype(np.float64)
    scores[rng.random(50) < 0.3] = np.nan
    pinned = rng.random(50) < 0.2
    order = np.lexsort((-scores, ~pinned))  # stable: NaN last within pinned and not pinned
    for want in (1, 7, 50):
        for top in (kernels.top_in_groups.compiled, kernels.top_in_groups.numpy):
            rows, rank = top(np.array([0, 50]), scores, pinned, np.array([want]))
            np.testing.assert_array_equal(rows, order[:want])
            np.testing.assert_array_equal(rank, np.arange(want))


def test_mark_consumed_marks_the_pool_rows_of_shown_candidates_only() -> None:
    """Rows of shown candidates, of candidates not shown and of dropped pairs (-1); rows
    already consumed stay consumed."""
    rng = np.random.default_rng(6)
    rows = rng.permutation(4000)[:1500]
    row_candidate = rng.integers(-1, 300, rows.size)
    is_shown = rng.random(300) < 0.3
    before = rng.random(4000) < 0.1
    want = before.copy()
    want[rows[(row_candidate >= 0) & is_shown[np.maximum(row_candidate, 0)]]] = True
    for form in (pool.mark_consumed.compiled, pool.mark_consumed.numpy):
        consumed = before.copy()
        form(consumed, rows, row_candidate, is_shown)
        np.testing.assert_array_equal(consumed, want)
    assert before.sum() < want.sum() < want.size


def test_still_listed_keeps_recent_posts_and_unread_tags() -> None:
    """Rows of posts created before and after the cut (one exactly at it), of each route,
    read and unread: a row stays when its post is recent, or when it is an unread tag."""
    rng = np.random.default_rng(8)
    created = np.round(rng.uniform(0.0, 10.0, 200), 1)
    post = rng.integers(0, 200, 5000).astype(np.int32)
    route = rng.integers(0, 6, 5000).astype(np.int8)
    consumed = rng.random(5000) < 0.5
    since = 5.0
    rows = zip(post, route, consumed, strict=True)
    want = np.array([created[p] >= since or (r == 0 and not c) for p, r, c in rows])
    for form in (pool.still_listed.compiled, pool.still_listed.numpy):
        np.testing.assert_array_equal(form(post, route, consumed, created, since, 0), want)
    assert (created[post] == since).any() and 0 < want.sum() < want.size
    assert (~want & (route == 0)).any() and (want & (created[post] < since)).any()


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.bool_, np.float64])
def test_compress_is_boolean_indexing(dtype: type) -> None:
    """Every dtype the candidates hold; none, some and all rows kept."""
    rng = np.random.default_rng(4)
    values = rng.integers(0, 3, 5000).astype(dtype)
    for share in (0.0, 0.4, 1.0):
        keep = rng.random(5000) < share
        before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)
        for form in (kernels.compress.compiled, kernels.compress.numpy):
            got = form(values, keep, before)
            assert got.dtype == values.dtype
            np.testing.assert_array_equal(got, values[keep])


def test_renumber_maps_kept_rows_to_their_new_place_and_the_others_to_none() -> None:
    """Indices of kept rows become their place among the kept rows, indices of dropped rows
    and -1 become -1; none, some and all rows kept, and the twin agrees."""
    rng = np.random.default_rng(5)
    index = rng.integers(-1, 400, 3000)
    for share in (0.0, 0.6, 1.0):
        keep = rng.random(400) < share
        before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)
        want = [
            int(np.flatnonzero(keep).tolist().index(i)) if i >= 0 and keep[i] else -1 for i in index
        ]
        for form in (kernels.renumber.compiled, kernels.renumber.numpy):
            np.testing.assert_array_equal(form(index, keep, before), want)


def test_split_tested_sends_the_tested_now_and_keeps_the_others_waiting() -> None:
    """Rows of three posts, connections and followers, some tested and some not (one with a
    chance of 1): the tested rows keep their route and are available at the post's creation;
    the others wait with their draw rescaled and the route their expansion gives."""
    rng = np.random.default_rng(9)
    n = 600
    owner = np.sort(rng.integers(0, 3, n))
    viewer = rng.integers(0, 100, n)
    route = np.where(rng.random(n) < 0.5, audience.NETWORK, audience.FOLLOW).astype(np.int8)
    ids, created = np.array([40, 41, 42]), np.array([1.0, 1.25, 2.5])
    draw, chance = rng.random(n), np.where(rng.random(n) < 0.1, 1.0, 0.3)
    tested = (draw < chance) | (rng.random(n) < 0.05)
    routes = (audience.NETWORK, audience.EXPANSION, audience.FOLLOW)
    for form in (audience.split_tested.compiled, audience.split_tested.numpy):
        now, later = form(tested, owner, viewer, route, ids, created, draw, chance, routes)
        np.testing.assert_array_equal(now.viewer, viewer[tested])
        np.testing.assert_array_equal(now.post, ids[owner[tested]])
        np.testing.assert_array_equal(now.route, route[tested])
        np.testing.assert_array_equal(now.time, created[owner[tested]])
        rest = ~tested
        np.testing.assert_array_equal(later.viewer, viewer[rest])
        np.testing.assert_array_equal(later.post, ids[owner[rest]])
        want_route = np.where(route[rest] == audience.NETWORK, audience.EXPANSION, audience.FOLLOW)
        np.testing.assert_array_equal(later.route, want_route)
        scaled = (draw[rest] - chance[rest]) / np.maximum(1.0 - chance[rest], audience.GUARD)
        np.testing.assert_array_equal(later.time, scaled)
    assert 0 < tested.sum() < n and ((chance == 1.0) & ~tested).sum() == 0


@pytest.mark.parametrize("seed", range(5))
def test_network_rows_put_each_authors_ties_then_its_followers(seed: int) -> None:
    """Authors repeat (several posts of one author), some have no ties or no followers; the
    compiled pass gives the twin's stable sort of the concatenation, and each author's rows
    are its ties in their order, then its followers in theirs."""
    rng = np.random.default_rng(seed)
    members = 30
    authors = rng.integers(0, members, 12)
    owner = np.sort(rng.integers(0, authors.size, 80))
    owner = owner[owner != 3]  # an author without ties
    edge = rng.integers(0, 500, owner.size)
    tie_dst = rng.integers(0, members, 500).astype(np.int32)
    per_account = rng.integers(0, 6, members)
    per_account[authors[5]] = 0  # an author without followers
    follower_ptr = np.concatenate([[0], np.cumsum(per_account)]).astype(np.int64)
    followers = rng.integers(0, members, follower_ptr[-1]).astype(np.int32)
    got = audience.network_rows.compiled(owner, edge, tie_dst, follower_ptr, followers, authors)
    twin = audience.network_rows.numpy(owner, edge, tie_dst, follower_ptr, followers, authors)
    for a, b in zip(got, twin, strict=True):
        np.testing.assert_array_equal(a, b)
    row_owner, viewer, row_edge = got
    for i, author in enumerate(authors):
        mine = row_owner == i
        ties = owner == i
        own_followers = followers[follower_ptr[author] : follower_ptr[author + 1]]
        np.testing.assert_array_equal(row_edge[mine], np.r_[edge[ties], [-1] * own_followers.size])
        np.testing.assert_array_equal(viewer[mine], np.r_[tie_dst[edge[ties]], own_followers])
    assert np.all(np.diff(row_owner) >= 0)


@pytest.mark.parametrize("seed", range(8))
def test_best_in_groups_marks_the_rows_top_in_groups_returns(seed: int) -> None:
    """Groups of 0 to 60 rows, limits from below 0 to above the group; few distinct scores
    (ties across the threshold), some NaN, some pinned (at times more than the limit)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 60, 300)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    scores = rng.integers(0, 5, starts[-1]).astype(np.float64)
    scores[rng.random(starts[-1]) < 0.15] = np.nan
    scores[rng.random(starts[-1]) < 0.05] = -0.0
    pinned = rng.random(starts[-1]) < rng.choice([0.0, 0.1, 0.6])
    limit = rng.integers(-2, 70, 300)
    rows, _ = kernels.top_in_groups.numpy(starts, scores, pinned, limit)
    expected = np.zeros(starts[-1], bool)
    expected[rows] = True
    for form in (kernels.best_in_groups.compiled, kernels.best_in_groups.numpy):
        np.testing.assert_array_equal(form(starts, scores, pinned, limit), expected)
    assert 0 < expected.sum() < expected.size


@pytest.mark.parametrize("seed", range(5))
def test_searchsorted_right_is_numpy_searchsorted(seed: int) -> None:
    """Cumulative weights with long runs of zero weight (flat steps), values on the steps'
    edges exactly, between them, at 0 and beyond the top; also all-zero and empty arrays."""
    rng = np.random.default_rng(seed)
    weight = rng.exponential(1.0, 5000) * (rng.random(5000) < 0.3)
    weight[1000:2500] = 0.0
    cum = np.cumsum(weight)
    values = np.concatenate(
        [
            rng.uniform(0.0, cum[-1] * 1.01, 20_000),
            rng.choice(cum, 500),
            [0.0, cum[-1], cum[1200]],
        ]
    )
    np.testing.assert_array_equal(
        kernels.searchsorted_right.compiled(cum, values), np.searchsorted(cum, values, side="right")
    )
    for edge_case in (np.zeros(7), np.zeros(0)):
        np.testing.assert_array_equal(
            kernels.searchsorted_right.compiled(edge_case, values[:50]),
            np.searchsorted(edge_case, values[:50], side="right"),
        )


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two kernel threads")
def test_parallel_kernels_give_the_same_result_on_one_thread_and_on_several() -> None:
    """Members are spread over threads, each writing its own part: the result is the
    same whatever the thread count."""
    rng = np.random.default_rng(3)
    groups = np.sort(rng.integers(0, 400, 5000))
    starts = np.searchsorted(groups, np.arange(401)).astype(np.int64)
    scores = rng.random(5000)
    pinned = rng.random(5000) < 0.05
    limit = rng.integers(0, 12, 400)
    merging = merge_arguments(3, 997)

    def run() -> list[np.ndarray]:
        return [
            *kernels.top_in_groups.compiled(starts, scores, pinned, limit),
            kernels.best_in_groups.compiled(starts, scores, pinned, limit),
            *merge.merge_candidates.compiled(*merging),
        ]

    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        alone = run()
        numba.set_num_threads(2)
        together = run()
    finally:
        numba.set_num_threads(before)
    for a, b in zip(alone, together, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("chunks", [1, 3])
def test_find_in_member_rows_is_the_main_then_the_overlay_search(chunks: int) -> None:
    """Members with main rows and overlay entries (some with neither), queried for partners
    in the main row, in the overlay and in neither; members shared out in one or three
    chunks."""
    rng = np.random.default_rng(11)
    n = 80
    indptr, dst = csr(rng, n, 12)
    extra_ptr, extra_dst = csr(rng, n, 3)
    extra_position = 10_000 + np.arange(extra_dst.size)
    members = np.sort(rng.choice(n, 30, replace=False)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(rng.integers(0, 25, 30))]).astype(np.int64)
    target = rng.integers(0, n, starts[-1]).astype(np.int64)
    arguments = (indptr, dst, extra_ptr, extra_dst, extra_position, members, starts, target)
    got = kernels.find_in_member_rows.compiled(*arguments, chunks)
    np.testing.assert_array_equal(got, kernels.find_in_member_rows.numpy(*arguments, chunks))
    assert (got >= 10_000).any() and (got == -1).any() and ((got >= 0) & (got < 10_000)).any()


def csr(rng: np.random.Generator, n: int, most: int) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """Rows of distinct sorted partners, up to `most` each."""
    rows = [np.sort(rng.choice(n, rng.integers(0, most), replace=False)) for _ in range(n)]
    indptr = np.concatenate([[0], np.cumsum([r.size for r in rows])]).astype(np.int64)
    return indptr, np.concatenate(rows).astype(np.int32)


def test_pair_features_are_the_gathers_and_row_maximum_they_replace() -> None:
    rng = np.random.default_rng(5)
    n, ties, posts, topics = 40, 200, 300, 4
    served = np.sort(rng.choice(n, 12, replace=False)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(rng.integers(0, 30, 12))]).astype(np.int64)
    size = starts[-1]
    edge = np.where(rng.random(size) < 0.4, rng.integers(0, ties, size), -1)
    arguments = (
        edge,
        rng.integers(0, 6, size).astype(np.int8),
        rng.integers(0, posts, size),
        starts,
        served,
        rng.uniform(3, 4, size),
        rng.integers(0, 5, ties).astype(np.int8),
        rng.random(ties).astype(np.float32),
        rng.uniform(0, 3, ties).astype(np.float32),
        rng.integers(0, topics, posts).astype(np.int16),
        rng.uniform(0, 3, posts),
        rng.random((n, topics)),
        np.array([3, 5, 7, 9, 8], np.int8),
    )
    got = features.pair_features.compiled(*arguments)
    for value, want in zip(got, features.pair_features.numpy(*arguments), strict=True):
        assert value.dtype == want.dtype
        np.testing.assert_array_equal(value, want)
    assert {7, 8, 9} <= set(got[0].tolist())  # followed, second degree, out of network


def test_count_at_counts_repeated_indices_as_add_at_does() -> None:
    rng = np.random.default_rng(2)
    index = rng.integers(0, 50, 1000)
    counter, expected = np.zeros(50, np.int32), np.zeros(50, np.int32)
    kernels.count_at.compiled(counter, index)
    kernels.count_at.numpy(expected, index)
    np.testing.assert_array_equal(counter, expected)
    assert counter.sum() == 1000


def test_recommended_draws_are_the_row_comparison_and_search_they_replace() -> None:
    """Members' topic weights with zero weights (flat runs), a topic without posts, draws at
    0 and near 1; posts of the viewer's own and created after the session (dropped)."""
    rng = np.random.default_rng(8)
    topics, members, n_posts = 6, 30, 400
    weights = rng.random((members, topics)) * (rng.random((members, topics)) < 0.7)
    weights[:, 0] += 1e-3
    topic_of = np.sort(rng.choice([0, 1, 2, 4, 5], 120))  # topic 3 has no engaged post
    recent = np.sort(rng.choice(n_posts, 120, replace=False))
    arguments = (
        np.cumsum(weights, axis=1),
        rng.integers(0, members, 3000),
        np.concatenate([[0.0, 1.0 - 1e-16], rng.random(2998)]),
        np.concatenate([[0.0, 1.0 - 1e-16], rng.random(2998)]),
        np.cumsum(rng.integers(1, 5, 120).astype(np.float64)),
        np.searchsorted(topic_of, np.arange(topics + 1)),
        recent,
        rng.uniform(0, 3, n_posts),
        rng.integers(0, members, n_posts).astype(np.int32),
        np.arange(members, dtype=np.int64),
        rng.uniform(2, 3, members),
    )
    got = recommendation.recommended_draws.compiled(*arguments)
    for value, want in zip(got, recommendation.recommended_draws.numpy(*arguments), strict=True):
        np.testing.assert_array_equal(value, want)
    post, kept = got
    assert 0 < kept.sum() < kept.size
    assert np.unique(post[kept]).size > 60  # the draws reach most posts of every topic


def test_follow_keys_are_the_gathers_and_search_they_replace() -> None:
    """Fields grouped by an order, one field without posters (its draws within the field
    are dropped), another without members, draws at 0 and near 1, a block that starts
    inside a member's draws, and draws of oneself (dropped)."""
    rng = np.random.default_rng(12)
    members, per_member, first = 40, 7, 3 * 7 + 2
    field = rng.choice(np.array([0, 1, 3], np.int16), members)
    rate = rng.random(members) * (field != 3)
    order = np.argsort(field, kind="stable")
    cum0 = np.concatenate([[0.0], np.cumsum(rate[order])])
    start = np.searchsorted(field[order], np.arange(4), side="left")
    end = np.searchsorted(field[order], np.arange(4), side="right")
    size = members * per_member - first
    within = rng.random(size) < 0.5
    pick = np.concatenate([[0.0, 1.0 - 1e-16], rng.random(size - 2)])
    got, want = np.empty(size, np.int64), np.empty(size, np.int64)
    arguments = (field, order, cum0, start, end, within, pick, first, per_member)
    follows.follow_keys.compiled(*arguments, got)
    follows.follow_keys.numpy(*arguments, want)
    np.testing.assert_array_equal(got, want)
    follower = (first + np.arange(size)) // per_member
    dropped = got < 0
    assert dropped[within & (field[follower] == 3)].all()
    assert 0 < dropped.sum() < size // 2
    assert (got[~dropped] // members == follower[~dropped]).all()
    assert (got[~dropped] % members != follower[~dropped]).all()


def test_first_of_pairs_is_unique_with_first_indices() -> None:
    """Pairs repeated up to hundreds of times, members in no pair, one member in most pairs
    (a group larger than a radix pass's 256 values), hi values far apart (several radix
    passes) and pairs of a member with itself."""
    rng = np.random.default_rng(13)
    n, size = 3000, 20000
    a = np.where(rng.random(size) < 0.4, 7, rng.integers(0, n // 2, size))
    b = np.where(rng.random(size) < 0.3, rng.integers(0, 40, size), rng.integers(0, n, size))
    lo, hi = np.minimum(a, b).astype(np.int64), np.maximum(a, b).astype(np.int64)
    got = kernels.first_of_pairs.compiled(lo, hi, n)
    np.testing.assert_array_equal(got, kernels.first_of_pairs.numpy(lo, hi, n))
    assert 1000 < got.size < size * 4 // 5 and (lo == hi).any()
    empty = np.zeros(0, np.int64)
    assert kernels.first_of_pairs.compiled(empty, empty, n).size == 0


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_pair_order_is_a_stable_argsort_of_the_keys(dtype: type) -> None:
    """Repeated pairs keep their order; a member with most pairs, partners spread widely."""
    rng = np.random.default_rng(14)
    n, size = 5000, 30000
    lo = np.where(rng.random(size) < 0.3, 11, rng.integers(0, n, size)).astype(dtype)
    hi = np.where(rng.random(size) < 0.2, 3, rng.integers(0, n, size)).astype(dtype)
    got = kernels.pair_order.compiled(lo, hi, n)
    np.testing.assert_array_equal(got, kernels.pair_order.numpy(lo, hi, n))
    key = lo.astype(np.int64) * n + hi
    assert (np.diff(key[got]) >= 0).all() and (np.diff(key[got]) == 0).sum() > 100


@pytest.mark.parametrize("chunks", [1, 2, 3, 7])
def test_reverse_index_is_the_repeat_and_stable_sort_it_replaces(chunks: int) -> None:
    """Rows without targets, targets nobody points at, one target most rows point at."""
    rng = np.random.default_rng(15)
    rows, n = 300, 80
    counts = rng.integers(0, 12, rows) * (rng.random(rows) < 0.8)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    targets = np.where(rng.random(ptr[-1]) < 0.3, 5, rng.integers(0, n - 10, ptr[-1]))
    targets = targets.astype(np.int32)
    got = kernels.reverse_index.compiled(ptr, targets, n, chunks)
    for value, want in zip(got, kernels.reverse_index.numpy(ptr, targets, n, chunks), strict=True):
        np.testing.assert_array_equal(value, want)
        assert value.dtype == want.dtype
    rptr, sources = got
    assert rptr[-1] == targets.size and (np.diff(rptr)[n - 10 :] == 0).all()
    assert (
        rptr[6] - rptr[5] > targets.size // 4 and (np.diff(sources[rptr[5] : rptr[6]]) >= 0).all()
    )


def test_weighted_heads_and_freshness_are_the_array_arithmetic_they_replace() -> None:
    """The same operations in the same order give the same floating-point numbers, to the
    last bit (no fused multiply-add)."""
    rng = np.random.default_rng(4)
    size = 5000
    affinity, belief = rng.random(size) * 3, rng.random(size)
    log_proof = np.log1p(rng.integers(0, 9, size))
    arguments = (affinity, belief, log_proof, 0.1, np.array([1.0, 4.0, 2.5]), rng.random(3))
    total = ranking.weighted_heads.compiled(*arguments)
    np.testing.assert_array_equal(total, ranking.weighted_heads.numpy(*arguments))
    freshness = np.exp(-rng.random(size) * 5)
    recommended = rng.random(size) < 0.3
    np.testing.assert_array_equal(
        ranking.fresh_and_placed.compiled(total, freshness, recommended, 0.7),
        ranking.fresh_and_placed.numpy(total, freshness, recommended, 0.7),
    )


def test_take_is_fancy_indexing_for_each_column_type() -> None:
    rng = np.random.default_rng(9)
    index = rng.integers(0, 1000, 3000)
    for values in (
        rng.random(1000),
        rng.integers(0, 9, 1000).astype(np.int8),
        rng.random(1000) < 0.5,
    ):
        np.testing.assert_array_equal(kernels.take.compiled(values, index), values[index])


def test_top_per_viewer_given_the_starts_ranks_as_it_does_finding_them() -> None:
    """Rows grouped by viewer and ordered by post, some viewers without rows: the starts
    the engine passes give the same choice as the groups found from the rows."""
    rng = np.random.default_rng(12)
    per_viewer = rng.integers(0, 9, 40)
    per_viewer[[0, 7, 39]] = 0
    starts = np.concatenate([[0], np.cumsum(per_viewer)]).astype(np.int64)
    viewer = np.repeat(np.arange(40), per_viewer)
    post = np.concatenate([np.sort(rng.choice(100, k, replace=False)) for k in per_viewer])
    scores = rng.integers(0, 4, viewer.size).astype(np.float64)  # ties in score
    limit = rng.integers(1, 5, 40)[viewer]
    pinned = rng.random(viewer.size) < 0.1
    found = ranking.top_per_viewer(viewer, scores, post, limit, pinned)
    given = ranking.top_per_viewer(viewer, scores, post, limit, pinned, starts)
    for a, b in zip(found, given, strict=True):
        np.testing.assert_array_equal(a, b)


def test_choose_actions_is_the_matrix_expression_it_replaces() -> None:
    """Propensities small and large (rates summing past 1, scaled down), uniforms on and
    around the bounds."""
    rng = np.random.default_rng(6)
    propensity = np.concatenate([rng.random(3000) * 0.2, rng.random(1000) * 40])
    rates = np.array([0.01, 0.03, 0.2])
    uniform = rng.random(propensity.size)
    uniform[:50] = propensity[:50] * rates[0]  # exactly on the share bound
    codes = np.array([0, 1, 2, 3], np.int8)
    got = behaviour.choose_actions.compiled(uniform, propensity, rates, codes)
    np.testing.assert_array_equal(
        got, behaviour.choose_actions.numpy(uniform, propensity, rates, codes)
    )
    assert set(got.tolist()) == {0, 1, 2, 3}


def test_session_positions_compare_each_rank_with_the_cumulative_depths() -> None:
    """Members with one to three sessions (unused ones read nothing), ranks on the session
    boundaries and past the last."""
    rng = np.random.default_rng(10)
    depths = rng.integers(1, 8, (50, 3)) * (np.arange(3)[None, :] < rng.integers(1, 4, 50)[:, None])
    slot = rng.integers(0, 50, 4000)
    rank = rng.integers(0, 25, 4000)
    got = kernels.session_positions.compiled(slot, rank, depths)
    for value, want in zip(got, kernels.session_positions.numpy(slot, rank, depths), strict=True):
        np.testing.assert_array_equal(value, want)
    assert set(got[0].tolist()) == {0, 1, 2, 3}


@pytest.mark.parametrize("chunks", [1, 2, 7])
def test_rows_by_slot_groups_the_marked_rows_by_slot_in_row_order(chunks: int) -> None:
    """Each slot's rows are the rows from `start` on whose key has that slot, ascending; the
    rows of keys without a slot are left out. Its numpy twin gives the same."""
    rng = np.random.default_rng(13)
    members = rng.permutation(50)[:15]
    slot = np.full(50, -1, np.int64)
    slot[members] = np.arange(members.size)
    key = rng.integers(0, 50, 3001).astype(np.int32)
    for start in (0, 1000, 3001):
        ptr, rows = kernels.rows_by_slot.compiled(slot, members.size, key, start, chunks)
        assert ptr.size == members.size + 1
        for s, member in enumerate(members):
            want = start + np.flatnonzero(key[start:] == member)
            np.testing.assert_array_equal(rows[ptr[s] : ptr[s + 1]], want)
        assert ptr[-1] == rows.size == np.isin(key[start:], members).sum()
        twin = kernels.rows_by_slot.numpy(slot, members.size, key, start, chunks)
        for got, want in zip((ptr, rows), twin, strict=True):
            np.testing.assert_array_equal(got, want)
