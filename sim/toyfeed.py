"""The toy feed: the hand-vectorised peer reference a feed simulator should match per session.

This is not feedsim's model. It is the smallest feed workload that still does what every
session of a feed does (gather the candidates from one's connections, score them, show the
best), written directly in numpy, a day at a time, with no Python loop over members or
sessions. ``feedsim bench compare`` runs it and feedsim's engine on the same graph, each on one
core and on two, and reports feedsim's sessions and impressions per second as a ratio of the
toy's; such a toy reached 88,000 sessions/s at 10,000 members on the 2-core machines of
docs/performance.md.

The workload:

* The graph: a Barabasi-Albert graph of :data:`MEMBERS` members, each new member attaching
  to :data:`LINKS_PER_MEMBER` others (``networkx.barabasi_albert_graph(n, 20, seed)``, built
  by :mod:`sim.bench`). Every member has a topic, one of :data:`TOPICS`, and an interest
  topic, drawn uniformly and independently. Every (viewer, connection) pair has an affinity
  drawn once, uniform in (0, 1]; the two directions of a tie draw their own.
* Each simulated day every member has one session at a uniform time in the day, and a
  :data:`POSTING_SHARE` of the members (drawn anew each day) post once each, at a uniform
  time in the day, on their own topic.
* A session's candidates are the :data:`CANDIDATES` newest posts of the viewer's connections
  created before the session time; posts created before the start of the day
  :data:`WINDOW_DAYS` days earlier are forgotten.
* A candidate's score is affinity x topic match x recency: the viewer's affinity to the
  author; 1 when the post's topic is the viewer's interest topic, else :data:`OFF_TOPIC`;
  ``exp(-age / RECENCY_DAYS)`` with the age in days. The :data:`SHOWN` highest scores are
  shown (all candidates when there are fewer).
* Counted: sessions, candidates scored (summed over sessions) and impressions (items shown).
* On more than one core (``run_toy(..., workers)``, ``bench compare --cores``), parallelised
  the obvious way: the random draws are made in the main thread exactly as on one; each day's
  sessions are then served by ``workers`` threads (``concurrent.futures.ThreadPoolExecutor``),
  thread k serving a contiguous range of viewers that holds the k-th equal share of the
  graph's tie entries (:func:`viewer_ranges`) from those viewers' rows of the graph, and the
  ranges' candidates and shown posts are joined in viewer order, so every count equals the
  one-worker run's. Threads, not processes: numpy releases the GIL in the sorts, gathers and
  elementwise operations a day's serving is made of (the lexsorts are two thirds of its
  time), and at 100,000 members two threads served the days 1.4-1.6x as fast as one on a
  2-core machine; a process pool (``fork``, the graph passed once) did no better (1.35-1.5x),
  as it also pickles each day's posts to the workers and their shown rows back. The split is
  by ties, not by members: a Barabasi-Albert graph's oldest members hold most of its ties
  (the first half of the members about 71% of them), so split by members the first thread
  did most of the work (1.4-1.6x on two threads; split by ties, 2.0-2.15x).
"""

from __future__ import annotations

import itertools
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import NDArray

__all__ = ["run_toy"]

MEMBERS = 10_000
"""Members of the reference graph."""
LINKS_PER_MEMBER = 20
"""Barabasi-Albert ``m``: ties each new member makes."""
TOPICS = 5
"""Topics a member's own topic and interest topic are drawn from."""
POSTING_SHARE = 0.2
"""Share of the members who post, once each, every day."""
CANDIDATES = 100
"""Newest posts of one's connections a session scores."""
WINDOW_DAYS = 7
"""Whole days before the session's day whose posts are still candidates."""
OFF_TOPIC = 0.5
"""Topic match of a post outside the viewer's interest topic (1 inside it)."""
RECENCY_DAYS = 1.0
"""Scale of the recency factor ``exp(-age / RECENCY_DAYS)``, in days."""
SHOWN = 10
"""Items a session shows."""


def _group_ranks(group: NDArray[np.int64], sizes: NDArray[np.int64]) -> NDArray[np.int64]:
    """Each element's rank within its group, for elements sorted by `group`, the index of
    their group in `sizes` (the elements per group)."""
    starts = np.cumsum(sizes) - sizes
    return np.arange(group.size) - starts[group]


def _serve(
    neighbours_indptr: NDArray[np.int64],
    neighbours: NDArray[np.int64],
    affinity: NDArray[np.float64],
    interest: NDArray[np.int64],
    posts_indptr: NDArray[np.int64],
    post_created: NDArray[np.float64],
    post_topic: NDArray[np.int64],
    session_time: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One session of every member, all at once.

    Args:
        neighbours_indptr, neighbours: the graph in CSR form (each tie listed from both ends).
        affinity: the viewer's affinity to each entry of `neighbours`.
        interest: each member's interest topic.
        posts_indptr: the posts by author, in CSR form: author a's posts are
            ``posts_indptr[a]:posts_indptr[a + 1]``.
        post_created: each post's creation time (days).
        post_topic: each post's topic.
        session_time: each member's session time (days).

    Returns:
        The candidates of each member's session, and the posts it shows (shape
        ``(members, SHOWN)``, best score first, -1 past the last item shown).
    """
    members = session_time.size
    per_entry = np.diff(posts_indptr)[neighbours]
    entry = np.repeat(np.arange(neighbours.size), per_entry)
    post = posts_indptr[neighbours][entry] + _group_ranks(entry, per_entry)
    viewer = np.repeat(np.arange(members), np.diff(neighbours_indptr))[entry]
    before = post_created[post] < session_time[viewer]
    entry, post, viewer = entry[before], post[before], viewer[before]

    created = post_created[post]
    newest = np.lexsort((-created, viewer))
    available = np.bincount(viewer, minlength=members)
    newest = newest[_group_ranks(viewer[newest], available) < CANDIDATES]
    entry, post, viewer, created = entry[newest], post[newest], viewer[newest], created[newest]
    candidates = np.minimum(available, CANDIDATES)

    match = np.where(post_topic[post] == interest[viewer], 1.0, OFF_TOPIC)
    score = affinity[entry] * match * np.exp(-(session_time[viewer] - created) / RECENCY_DAYS)
    best = np.lexsort((-score, viewer))
    rank = _group_ranks(viewer[best], candidates)
    best, rank = best[rank < SHOWN], rank[rank < SHOWN]
    shown = np.full((members, SHOWN), -1, dtype=np.int64)
    shown[viewer[best], rank] = post[best]
    return candidates, shown


def _serve_viewers(
    lo: int,
    hi: int,
    neighbours_indptr: NDArray[np.int64],
    neighbours: NDArray[np.int64],
    affinity: NDArray[np.float64],
    interest: NDArray[np.int64],
    posts_indptr: NDArray[np.int64],
    post_created: NDArray[np.float64],
    post_topic: NDArray[np.int64],
    session_time: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """:func:`_serve` for the sessions of viewers ``lo:hi`` only (the arguments are
    :func:`_serve`'s, for every member): their candidates and the posts they show, in viewer
    order, the rows of :func:`_serve`'s results for those viewers."""
    first, last = neighbours_indptr[lo], neighbours_indptr[hi]
    return _serve(
        neighbours_indptr[lo : hi + 1] - first,
        neighbours[first:last],
        affinity[first:last],
        interest[lo:hi],
        posts_indptr,
        post_created,
        post_topic,
        session_time[lo:hi],
    )


def viewer_ranges(neighbours_indptr: NDArray[np.int64], workers: int) -> list[tuple[int, int]]:
    """Contiguous ranges of viewers, one per worker, each holding about an equal share of the
    graph's tie entries: range k ends at the first viewer whose rows start at or past k / workers
    of them (``searchsorted`` of the CSR pointers)."""
    entries = neighbours_indptr[-1]
    cuts = [int(np.searchsorted(neighbours_indptr, entries * k / workers)) for k in range(workers)]
    bounds = [0, *cuts[1:], neighbours_indptr.size - 1]
    return list(itertools.pairwise(bounds))


def run_toy(
    neighbours_indptr: NDArray[np.int64],
    neighbours: NDArray[np.int64],
    topic: NDArray[np.int64],
    days: int,
    rng: np.random.Generator,
    workers: int = 1,
) -> dict[str, float]:
    """Run the toy feed (the module's workload) on a graph for `days` days.

    Args:
        neighbours_indptr, neighbours: the graph in CSR form, each tie listed from both ends
            (member i's connections are ``neighbours[neighbours_indptr[i]:neighbours_indptr[i
            + 1]]``).
        topic: each member's topic (``0..TOPICS-1``).
        days: simulated days.
        rng: the random numbers: interests and affinities first, then each day's posts and
            sessions.
        workers: threads serving each day's sessions, each a contiguous range of viewers with
            an equal share of the ties (:func:`viewer_ranges`); the random
            draws stay in the calling thread, so every count is the one-worker run's.

    Returns:
        ``sessions``, ``candidates`` (summed over sessions), ``impressions`` and ``seconds``:
        the wall time of the simulated days (drawing interests and affinities excluded).
    """
    members = topic.size
    interest = rng.integers(TOPICS, size=members)
    affinity = 1.0 - rng.random(neighbours.size)
    author = np.empty(0, dtype=np.int64)
    created = np.empty(0, dtype=np.float64)
    counts = {"sessions": 0, "candidates": 0, "impressions": 0}
    ranges = viewer_ranges(neighbours_indptr, workers)
    with ThreadPoolExecutor(workers) as pool:
        started = time.perf_counter()
        for day in range(days):
            posting = np.sort(rng.choice(members, round(POSTING_SHARE * members), replace=False))
            kept = created >= day - WINDOW_DAYS
            author = np.concatenate([author[kept], posting])
            created = np.concatenate([created[kept], day + rng.random(posting.size)])
            by_author = np.lexsort((created, author))
            author, created = author[by_author], created[by_author]
            posts_indptr = np.concatenate([[0], np.cumsum(np.bincount(author, minlength=members))])
            inputs = (
                neighbours_indptr,
                neighbours,
                affinity,
                interest,
                posts_indptr,
                created,
                topic[author],
                day + rng.random(members),
            )
            if workers == 1:
                candidates, shown = _serve(*inputs)
            else:
                futures = [pool.submit(_serve_viewers, lo, hi, *inputs) for lo, hi in ranges]
                served = [future.result() for future in futures]
                candidates = np.concatenate([part for part, _ in served])
                shown = np.concatenate([part for _, part in served])
            counts["sessions"] += members
            counts["candidates"] += int(candidates.sum())
            counts["impressions"] += int(np.count_nonzero(shown >= 0))
        seconds = time.perf_counter() - started
    return {**counts, "seconds": seconds}
