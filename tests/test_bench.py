"""`feedsim bench` prints its measurements (checked on a tiny workload: benchmarks aren't tests),
and the toy feed it compares feedsim with does what sim/toyfeed.py defines."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from numpy.typing import NDArray

from sim import toyfeed
from sim.bench import ROWS, STATISTICS, CompareGraph, compare_graph
from sim.cli import main
from sim.toyfeed import (
    CANDIDATES,
    OFF_TOPIC,
    SHOWN,
    _serve,
    _serve_viewers,
    run_toy,
    viewer_ranges,
)

NUMBER = r"([\d,]+(?:\.\d+)?)"


def test_a_tiny_workload_prints_every_measurement_positive() -> None:
    result = CliRunner().invoke(main, ["bench", "run", "--members", "500", "--days", "2"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "synthetic-500"
    for label, key, _ in ROWS:
        match = re.search(rf"^  {re.escape(label)} +{NUMBER}$", result.stdout, re.MULTILINE)
        assert match, f"no row {label!r} in\n{result.stdout}"
        value = float(match.group(1).replace(",", ""))
        assert value > 0 or key == "setup_seconds", (label, value)
    assert re.search(r"^  members +500$", result.stdout, re.MULTILINE)
    assert re.search(r"^  simulated days +2$", result.stdout, re.MULTILINE)


def test_the_slice_check_compares_the_key_statistics() -> None:
    options = "--members 300 --days 2 --replications 2 --short-slice 0.5 --jobs 1"
    result = CliRunner().invoke(main, ["bench", "slice-check", *options.split()])
    assert result.exit_code == 0, result.output
    assert "slice 1 h" in result.stdout and "slice 0.5 h" in result.stdout
    for label, _ in STATISTICS:
        assert re.search(rf"^{label} +\S+ ± \S+ +\S+ ± \S+ +\S+ ± \S+$", result.stdout, re.M), label


def test_dblp_is_skipped_without_its_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FEEDSIM_DATA", str(tmp_path))
    result = CliRunner().invoke(main, ["bench", "run", "--workload", "dblp"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"dblp: skipped (data not found in {tmp_path})")


# --------------------------------------------------------------------------- the toy feed


def csr(n: int, edges: list[tuple[int, int]]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The CSR form of an undirected graph of `n` members."""
    u, v = (np.array(end, dtype=np.int64) for end in zip(*edges, strict=True))
    return CompareGraph(u, v, np.zeros(n, dtype=np.int64)).csr()


def by_author(
    author: NDArray[np.int64], created: NDArray[np.float64], n: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Posts sorted by author (as :func:`_serve` takes them): CSR pointers, authors, times."""
    order = np.lexsort((created, author))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(author, minlength=n))])
    return indptr, author[order], created[order]


def serve_by_hand(
    indptr: NDArray[np.int64],
    neighbours: NDArray[np.int64],
    affinity: NDArray[np.float64],
    interest: NDArray[np.int64],
    posts_indptr: NDArray[np.int64],
    created: NDArray[np.float64],
    topic: NDArray[np.int64],
    session_time: NDArray[np.float64],
) -> tuple[list[int], list[list[int]]]:
    """The toy's definition, session by session: candidates and posts shown, best first."""
    candidates, shown = [], []
    for viewer, now in enumerate(session_time):
        pool = [
            (created[post], post, affinity[entry])
            for entry in range(indptr[viewer], indptr[viewer + 1])
            for post in range(posts_indptr[neighbours[entry]], posts_indptr[neighbours[entry] + 1])
            if created[post] < now
        ]
        pool = sorted(pool, reverse=True)[:CANDIDATES]
        match = {True: 1.0, False: OFF_TOPIC}
        scored = [
            (a * match[topic[post] == interest[viewer]] * np.exp(t - now), post)
            for t, post, a in pool
        ]
        candidates.append(len(pool))
        shown.append([post for _, post in sorted(scored, reverse=True)[:SHOWN]])
    return candidates, shown


def random_inputs(rng: np.random.Generator, n: int) -> tuple[NDArray[Any], ...]:
    """:func:`_serve`'s inputs for a random graph of `n` members (ties with probability 0.3,
    the last member alone) and `8 n` posts by all but the last, written in the week before
    the sessions' day or on it."""
    upper = np.triu(rng.random((n - 1, n - 1)) < 0.3, k=1)
    indptr, neighbours = csr(n, [(int(a), int(b)) for a, b in zip(*np.nonzero(upper), strict=True)])
    author = rng.integers(n - 1, size=8 * n)
    posts_indptr, author, created = by_author(author, rng.uniform(-7, 1, author.size), n)
    return (
        indptr,
        neighbours,
        rng.random(neighbours.size),
        rng.integers(toyfeed.TOPICS, size=n),
        posts_indptr,
        created,
        rng.integers(toyfeed.TOPICS, size=author.size),
        rng.random(n),
    )


def test_the_toy_serves_every_session_as_defined() -> None:
    """Against the definition written out session by session: members with more and fewer
    than 100 earlier posts around them, posts after the session time, a member alone."""
    n = 40
    inputs = random_inputs(np.random.default_rng(7), n)
    expected_candidates, expected_shown = serve_by_hand(*inputs)
    candidates, shown = _serve(*inputs)
    assert candidates.tolist() == expected_candidates
    assert [[p for p in row if p >= 0] for row in shown.tolist()] == expected_shown
    assert candidates.max() == CANDIDATES and candidates[candidates < CANDIDATES].max() > 0
    assert candidates[n - 1] == 0 and (shown[n - 1] == -1).all()


def test_a_session_shows_the_best_of_its_earlier_posts() -> None:
    """Member 0 sees member 1's posts: 3 of them before its session, the best shown first;
    member 2's only connection (3) never posts, so it shows nothing."""
    indptr, neighbours = csr(4, [(0, 1), (2, 3)])
    posts_indptr, _, created = by_author(np.ones(4, np.int64), np.array([0.1, 0.2, 0.3, 0.6]), 4)
    interest = np.array([1, 0, 0, 0])
    topic = np.array([0, 1, 0, 1])  # the posts at 0.2 and 0.6 are on viewer 0's interest
    time = np.array([0.5, 0.5, 0.5, 0.5])
    candidates, shown = _serve(
        indptr, neighbours, np.ones(neighbours.size), interest, posts_indptr, created, topic, time
    )
    assert candidates.tolist() == [3, 0, 0, 0]
    assert shown[0].tolist() == [1, 2, 0] + [-1] * (SHOWN - 3)
    assert (shown[1:] == -1).all()


def complete(n: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The CSR form of the complete graph of `n` members."""
    return csr(n, [(a, b) for a in range(n) for b in range(a + 1, n)])


def test_posts_outlive_their_day_and_sessions_score_at_most_100() -> None:
    """On a complete graph of 510 members, 102 post each day: from the second day on, every
    session has over 100 earlier posts around it, so it scores 100 and shows 10."""
    n = 510
    indptr, neighbours = complete(n)
    topic = np.zeros(n, dtype=np.int64)
    first, three = (
        run_toy(indptr, neighbours, topic, days, np.random.default_rng(5)) for days in (1, 3)
    )
    assert (first["sessions"], three["sessions"]) == (n, 3 * n)
    assert 0 < first["candidates"] < CANDIDATES * n
    assert three["candidates"] - first["candidates"] == 2 * n * CANDIDATES
    assert three["impressions"] - first["impressions"] == 2 * n * SHOWN
    assert three["seconds"] > 0


def test_posts_older_than_the_window_are_forgotten() -> None:
    """On a complete graph of 5 members one member posts a day, so a session has at most one
    post per day of the window (and its own day) around it, and shows all of them; members
    alone see nothing."""
    n, days = 5, 40
    indptr, neighbours = complete(n)
    counts = run_toy(indptr, neighbours, np.zeros(n, np.int64), days, np.random.default_rng(5))
    assert counts["sessions"] == n * days
    assert 0 < counts["candidates"] <= (toyfeed.WINDOW_DAYS + 1) * n * days
    assert counts["impressions"] == counts["candidates"]
    alone = run_toy(
        indptr[:1].repeat(4), neighbours[:0], np.zeros(3, np.int64), days, np.random.default_rng(5)
    )
    assert (alone["sessions"], alone["candidates"], alone["impressions"]) == (3 * days, 0, 0)


def test_serving_ranges_of_viewers_gives_the_rows_of_serving_all() -> None:
    """Viewers 0:17, 17:17 (none) and 17:40 served apart and joined in order give exactly the
    candidates and shown posts of all 40 served at once (member 39, alone, in the last)."""
    n = 40
    inputs = random_inputs(np.random.default_rng(11), n)
    candidates, shown = _serve(*inputs)
    parts = [_serve_viewers(lo, hi, *inputs) for lo, hi in ((0, 17), (17, 17), (17, n))]
    assert [part[0].size for part in parts] == [17, 0, n - 17]
    assert np.array_equal(np.concatenate([c for c, _ in parts]), candidates)
    assert np.array_equal(np.concatenate([s for _, s in parts]), shown)
    assert candidates[17:].sum() > 0 and (shown[17:] >= 0).any()  # the last range sees posts


def test_the_toy_on_more_workers_counts_exactly_what_it_counts_on_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two and three workers serve contiguous, nearly equal ranges of viewers, and the counts
    (the random draws stay in the calling thread) are the one-worker run's."""
    graph = compare_graph(300)
    indptr, neighbours = graph.csr()
    served: list[tuple[int, int]] = []

    def serve_viewers(lo: int, hi: int, *inputs: NDArray[Any]) -> Any:
        served.append((lo, hi))
        return _serve_viewers(lo, hi, *inputs)

    monkeypatch.setattr(toyfeed, "_serve_viewers", serve_viewers)
    counts, ranges = {}, {}
    for workers in (1, 2, 3):
        served.clear()
        rng = np.random.default_rng(3)
        counts[workers] = run_toy(indptr, neighbours, graph.topic, 3, rng, workers)
        ranges[workers] = sorted(served)
    assert ranges[1] == []  # one worker serves every viewer at once, in the calling thread
    for workers in (2, 3):  # each range on each of the 3 days
        assert ranges[workers] == sorted(viewer_ranges(indptr, workers) * 3)
    keys = ("sessions", "candidates", "impressions")
    one = [counts[1][key] for key in keys]
    assert one[0] == 900 and one[1] > one[2] > 0
    for workers in (2, 3):
        assert [counts[workers][key] for key in keys] == one, workers


def test_viewer_ranges_cover_the_viewers_with_equal_shares_of_the_ties() -> None:
    """Contiguous, in order, every viewer once; each range's tie entries within one member's
    degree of an equal share (a Barabasi-Albert graph's first members hold most ties)."""
    indptr, _ = compare_graph(300).csr()
    degree = np.diff(indptr)
    for workers in (1, 2, 3, 7):
        ranges = viewer_ranges(indptr, workers)
        assert len(ranges) == workers and ranges[0][0] == 0 and ranges[-1][1] == 300
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
        share = indptr[-1] / workers
        for lo, hi in ranges:
            assert abs(indptr[hi] - indptr[lo] - share) <= degree.max()
    assert viewer_ranges(indptr, 2)[0][1] < 150  # fewer than half the members


def test_bench_compare_runs_both_on_one_graph_and_prints_the_ratios() -> None:
    """Each side on one core and on two (the default --cores, on a machine that has two):
    a row each, then feedsim over the toy on each core count and feedsim on two over the toy
    on one."""
    result = CliRunner().invoke(main, ["bench", "compare", "--members", "300", "--days", "2"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[3:]}
    most = min(2, os.cpu_count() or 1)
    cores = range(1, most + 1)
    ratios = [(f"feedsim-{c}", f"toy-{c}") for c in cores]
    ratios += [(f"feedsim-{most}", "toy-1")] if most > 1 else []
    sides = [f"{side}-{c}" for side in ("toy", "feedsim") for c in cores]
    assert list(rows) == sides + [f"{feedsim}/{toy}" for feedsim, toy in ratios]
    ties = (300 - toyfeed.LINKS_PER_MEMBER) * toyfeed.LINKS_PER_MEMBER
    for side in sides:
        assert rows[side][:3] == ["300", f"{ties:,}", "2"], side
    assert rows["toy-1"][3] == "600"  # one session per member and day
    for c in cores:  # the same sessions, candidates and items shown on every core count
        assert rows[f"toy-{c}"][3:6] == rows["toy-1"][3:6]
        assert rows[f"feedsim-{c}"][3:6] == rows["feedsim-1"][3:6]
    for feedsim, toy in ratios:
        for column, ratio in zip((-3, -2, -1), rows[f"{feedsim}/{toy}"], strict=True):
            value = float(rows[feedsim][column].replace(",", ""))
            value /= float(rows[toy][column].replace(",", ""))
            assert ratio == f"{value:.2f}x", (feedsim, toy, column)


def test_bench_compare_refuses_more_cores_than_the_machine_has() -> None:
    too_many = (os.cpu_count() or 1) + 1
    options = f"--members 300 --days 1 --cores 1 --cores {too_many}"
    result = CliRunner().invoke(main, ["bench", "compare", *options.split()])
    assert result.exit_code == 2
    assert f"{too_many} cores asked for, but this machine has {too_many - 1}" in result.output


def test_feedsim_refuses_more_cores_than_numba_has_threads() -> None:
    """numba sizes its thread pool on import: the feedsim side's process must be started with
    NUMBA_NUM_THREADS of at least its cores (measure_in_subprocess sets it)."""
    import numba

    from sim.bench import measure_compare
    from sim.errors import InputError

    pool = numba.config.NUMBA_NUM_THREADS
    with pytest.raises(InputError, match=f"need NUMBA_NUM_THREADS of at least {pool + 1}"):
        measure_compare("feedsim", 300, 1, cores=pool + 1)


def test_bench_compare_refuses_too_few_members() -> None:
    too_few = CliRunner().invoke(main, ["bench", "compare", "--members", "20", "--days", "1"])
    assert too_few.exit_code == 1
    assert "bench compare needs more than 20 (got 20)" in too_few.output


def test_growth_exponent_is_the_log_log_slope() -> None:
    """Points on cost = 3 x^0.8 give exponent 0.8; on a line through the origin, 1."""
    from sim.growth import Point, exponent, per_candidate

    x = np.array([10.0, 30.0, 100.0, 300.0])
    power = [Point("members", v, {"simulation_seconds": 3 * v**0.8}) for v in x]
    linear = [Point("days", v, {"simulation_seconds": 0.5 * v}) for v in x]
    assert exponent(power) == pytest.approx(0.8)
    assert exponent(linear) == pytest.approx(1.0)
    # 2 candidates per unit of x: the time per candidate falls as x^-0.2
    for point in power:
        point.result["candidates"] = 2 * point.x
    assert exponent(power, per_candidate) == pytest.approx(-0.2)
    assert per_candidate(power[0]) == pytest.approx(1e6 * 3 * 10**0.8 / 20)


def test_a_density_workload_asks_for_its_mean_degree() -> None:
    from sim.bench import MEAN_DEGREE, workload
    from sim.scenario import SyntheticNetwork

    dense, plain = workload("synthetic-3k-d40"), workload("synthetic-3k")
    assert dense is not None and isinstance(dense.network, SyntheticNetwork)
    assert plain is not None and isinstance(plain.network, SyntheticNetwork)
    assert dense.network.members == 3000
    assert dense.network.mean_degree == 40
    assert plain.network.mean_degree == MEAN_DEGREE


def test_bench_growth_measures_each_series_and_draws_its_curves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tiny series (each point its own process), so that the test stays short."""
    from sim import growth

    tiny = {
        "members": (("synthetic-200", 2), ("synthetic-400", 2)),
        "days": (("synthetic-200", 1), ("synthetic-200", 3)),
        "density": (("synthetic-200-d10", 2), ("synthetic-200-d30", 2)),
    }
    monkeypatch.setattr(growth, "SERIES", tiny)
    figure = tmp_path / "growth.png"
    result = CliRunner().invoke(main, ["bench", "growth", "--figure", str(figure)])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[1:7]]
    assert [row[0] for row in rows] == ["members"] * 2 + ["days"] * 2 + ["density"] * 2
    assert [row[1] for row in rows] == [name for runs in tiny.values() for name, _ in runs]
    assert [int(rows[k][3].replace(",", "")) for k in (0, 1)] == [200, 400]
    assert [int(rows[k][2]) for k in (2, 3)] == [1, 3]
    degree = [float(rows[k][4].replace(",", "")) for k in (4, 5)]
    assert degree[0] < degree[1]  # the realised mean degree follows the requested one
    for series in tiny:
        assert re.search(
            rf"^{series}: simulation time grows as .+\^-?\d+\.\d\d, the time per candidate",
            result.stdout,
            re.M,
        )
    assert figure.stat().st_size > 10_000
    table = (tmp_path / "growth.csv").read_text().splitlines()
    assert table[0].startswith("series,x,workload,members,ties,days,sessions")
    assert [line.split(",")[2] for line in table[1:]] == [r[1] for r in rows]


def test_bench_is_a_group_of_one_command_per_measurement() -> None:
    result = CliRunner().invoke(main, ["bench", "--help"])
    assert result.exit_code == 0
    for command in ("run", "compare", "growth", "passes", "slice-check"):
        assert re.search(rf"^  {command} ", result.stdout, re.M), command
    mixed = CliRunner().invoke(main, ["bench", "growth", "--workload", "dblp"])
    assert mixed.exit_code == 2 and "No such option '--workload'" in mixed.output
