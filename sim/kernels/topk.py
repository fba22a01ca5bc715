"""The best rows of each group: pinned first, then by descending score."""

from __future__ import annotations

import numpy as np
from numba import njit, prange
from numpy.typing import NDArray

from sim.kernels.switch import twin


@njit(cache=True, nogil=True)
def _ranks_before(  # pragma: no cover - compiled
    a: int, b: int, scores: NDArray[np.float64], pinned: NDArray[np.bool_]
) -> bool:
    """Row a ranks strictly before row b: pinned first, then the higher score (NaN last);
    equal rows keep their order (the caller visits rows in order)."""
    if pinned[a] != pinned[b]:
        return bool(pinned[a])
    if np.isnan(scores[b]):
        return not np.isnan(scores[a])
    return bool(scores[a] > scores[b])


@njit(cache=True, nogil=True)
def _best_of_group(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    want: int,
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    rows: NDArray[np.int64],
) -> None:
    """Write the best `want` rows of ``lo:hi`` into `rows`, best first, keeping them in a
    list sorted by insertion, which a row enters only when it ranks before the list's last."""
    kept = 0
    for row in range(lo, hi):
        if kept == want and not _ranks_before(row, rows[want - 1], scores, pinned):
            continue
        at = kept if kept < want else want - 1  # the slot to fill, then bubble up
        while at > 0 and _ranks_before(row, rows[at - 1], scores, pinned):
            if at < want:
                rows[at] = rows[at - 1]
            at -= 1
        rows[at] = row
        kept = min(kept + 1, want)


def _top_in_groups_numpy(
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One stable sort by (group, not pinned, -score; NaN last), cut at each group's limit."""
    group = np.repeat(np.arange(starts.size - 1), np.diff(starts))
    order = np.lexsort((np.arange(scores.size), -scores, ~pinned, group))
    rank = np.arange(order.size) - starts[group[order]]
    keep = rank < np.maximum(limit[group[order]], 0)
    return order[keep].astype(np.int64), rank[keep].astype(np.int64)


@twin(_top_in_groups_numpy)
@njit(cache=True, nogil=True, parallel=True)
def top_in_groups(  # pragma: no cover - compiled
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The best ``limit[g]`` rows of each group ``starts[g]:starts[g + 1]`` and their rank.

    Within a group, pinned rows come first, then rows by descending score (NaN last); equal
    scores keep the rows' order (callers order a group's rows by post id). Groups are
    returned in order, each best first: the result of one stable sort by (group, not
    pinned, -score), cut at the limit. Groups are ranked in parallel, each into its own
    part of the result.
    """
    groups = starts.size - 1
    first = np.zeros(groups + 1, np.int64)
    for g in range(groups):
        first[g + 1] = first[g] + min(max(limit[g], 0), starts[g + 1] - starts[g])
    rows = np.empty(first[groups], np.int64)
    rank = np.empty(first[groups], np.int64)
    for g in prange(groups):
        out, want = first[g], first[g + 1] - first[g]
        if want > 0:
            _best_of_group(starts[g], starts[g + 1], want, scores, pinned, rows[out : out + want])
        for j in range(want):
            rank[out + j] = j
    return rows, rank


def _best_in_groups_numpy(
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """The rows :func:`top_in_groups` returns, marked."""
    keep = np.zeros(scores.size, bool)
    keep[_top_in_groups_numpy(starts, scores, pinned, limit)[0]] = True
    return keep


@njit(cache=True, nogil=True)
def _mark_best(  # pragma: no cover - compiled
    lo: int,
    hi: int,
    want: int,
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    side: bool,
    keep: NDArray[np.bool_],
    scratch: NDArray[np.float64],
) -> None:
    """Mark in `keep` the best `want` rows of ``lo:hi`` whose `pinned` is `side` (want at
    most their number): the rows of higher score (NaN lowest), then equal scores in row
    order. The threshold is the want-th highest score, found by a partial sort
    (``np.partition``) of the negated scores in `scratch` ``lo:hi``."""
    n = 0
    for r in range(lo, hi):
        if pinned[r] == side:
            scratch[lo + n] = -scores[r]
            n += 1
    threshold = np.partition(scratch[lo : lo + n], want - 1)[want - 1]  # NaN sorts last
    left = want
    if np.isnan(threshold):  # every scored row, then the first unscored ones
        for r in range(lo, hi):
            if pinned[r] == side and not np.isnan(scores[r]):
                keep[r] = True
                left -= 1
        for r in range(lo, hi):
            if left > 0 and pinned[r] == side and np.isnan(scores[r]):
                keep[r] = True
                left -= 1
        return
    for r in range(lo, hi):
        if pinned[r] == side and -scores[r] < threshold:
            keep[r] = True
            left -= 1
    for r in range(lo, hi):
        if left > 0 and pinned[r] == side and -scores[r] == threshold:
            keep[r] = True
            left -= 1


@twin(_best_in_groups_numpy)
@njit(cache=True, nogil=True, parallel=True)
def best_in_groups(  # pragma: no cover - compiled
    starts: NDArray[np.int64],
    scores: NDArray[np.float64],
    pinned: NDArray[np.bool_],
    limit: NDArray[np.int64],
) -> NDArray[np.bool_]:
    """Which rows are among the best ``limit[g]`` of their group ``starts[g]:starts[g + 1]``:
    the set :func:`top_in_groups` returns (pinned rows first, then descending score, NaN
    last, equal scores to the earlier row), without ordering it. A group with no more rows
    than its limit keeps them all; in a larger one, a partial sort finds the score of the
    last row kept (O(rows), where ranking them costs O(rows x limit)). Groups in parallel."""
    keep = np.zeros(scores.size, np.bool_)
    scratch = np.empty(scores.size, np.float64)
    for g in prange(starts.size - 1):
        lo, hi = starts[g], starts[g + 1]
        want = min(max(limit[g], 0), hi - lo)
        if want == hi - lo:
            keep[lo:hi] = True
            continue
        if want == 0:
            continue
        held = 0
        for r in range(lo, hi):
            held += pinned[r]
        if held >= want:
            _mark_best(lo, hi, want, scores, pinned, True, keep, scratch)
        else:
            for r in range(lo, hi):
                keep[r] = pinned[r]
            _mark_best(lo, hi, want - held, scores, pinned, False, keep, scratch)
    return keep
