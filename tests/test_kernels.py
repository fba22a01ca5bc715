"""The compiled kernels give exactly what the numpy expressions they replace give."""

from __future__ import annotations

import numpy as np
import pytest

from sim import kernels, ranking


@pytest.mark.parametrize("seed", range(5))
def test_find_in_rows_is_a_binary_search_over_all_keys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    members = 60
    src = rng.integers(0, members, 3000)
    dst = rng.integers(0, members, 3000)
    key = np.unique(src * members + dst)  # sorted, distinct ties
    row_src, row_dst = key // members, (key % members).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row_src, minlength=members))])
    query_src = rng.integers(0, members, 5000)
    query_dst = rng.integers(0, members, 5000)
    wanted = query_src * members + query_dst
    pos = np.minimum(np.searchsorted(key, wanted), key.size - 1)
    expected = np.where(key[pos] == wanted, pos, -1)
    found = kernels.find_in_rows(indptr.astype(np.int64), row_dst, query_src, query_dst)
    np.testing.assert_array_equal(found, expected)
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
