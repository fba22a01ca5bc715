"""Test audience and wider distribution (docs/model.md 7.5; the practitioner-described
"golden hour", calibration-sources.md 4)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State
from sim.scenario import TestAudience
from sim.sources import EXPANSION, NETWORK

GUARD = 1e-12
"""Smallest divisor used where a parameter may be 0 (a numerical guard, not a parameter)."""


def send_to_test_audience(
    state: State,
    audience: TestAudience,
    ids: NDArray[np.int64],
    authors: NDArray[np.int64],
    created: NDArray[np.float64],
    rng: np.random.Generator,
) -> None:
    """Deliver new posts to their test audience; the other connections wait.

    Each connection j of the author draws ``u_j ~ U(0, 1)`` and is in the test audience when
    ``u_j < f`` (f = ``fraction``): a ``network`` pool row, available at once. The others are
    kept with ``(u_j - f) / (1 - f)``, uniform again, for :func:`expand_tested`. With the
    test audience off every connection gets a ``network`` row and nothing is drawn.
    """
    owner, edge = state.ties.rows(authors)
    viewer = state.ties.dst[edge]
    post = ids[owner]
    if not audience.enabled:
        state.pool.append(
            viewer=viewer, post=post, route=NETWORK, available=created[owner], consumed=False
        )
        return
    draw = rng.random(edge.size)
    tested = draw < audience.fraction
    state.pool.append(
        viewer=viewer[tested],
        post=post[tested],
        route=NETWORK,
        available=created[owner][tested],
        consumed=False,
    )
    rest = ~tested
    scaled = (draw[rest] - audience.fraction) / max(1.0 - audience.fraction, GUARD)
    state.waiting.append(viewer=viewer[rest], post=post[rest], draw=scaled)


def expand_tested(state: State, audience: TestAudience, now: float) -> None:
    """Posts whose test window has ended by `now` reach the rest of the author's connections.

    The platform's estimate of a post's engagement rate is smoothed toward a prior:
    ``r = (e + n0 r0) / (i + n0)`` from e engagements (likes, comments, shares) in i
    impressions; each waiting connection receives an ``expansion`` row, available from the
    end of the test window, when its rescaled uniform is below ``min(1, r / target_rate)``
    (calibration-sources.md 4: expansion by observed engagement).
    """
    if not audience.enabled:
        return
    posts = state.posts
    test_end = posts["test_end"]
    stop = int(np.searchsorted(test_end, now, side="left"))
    if stop <= state.next_undecided:
        return
    decided = slice(state.next_undecided, stop)
    engagements = (
        posts["likes"][decided] + posts["comments"][decided] + posts["shares"][decided]
    ).astype(np.float64)
    impressions = posts["impressions"][decided].astype(np.float64)
    rate = (engagements + audience.prior_impressions * audience.prior_rate) / (
        impressions + audience.prior_impressions
    )
    share = np.minimum(1.0, rate / max(audience.target_rate, GUARD))
    waiting = state.waiting
    n_rows = int(np.searchsorted(waiting["post"], stop, side="left"))
    post = waiting["post"][:n_rows]
    chosen = waiting["draw"][:n_rows] < share[post - state.next_undecided]
    state.pool.append(
        viewer=waiting["viewer"][:n_rows][chosen],
        post=post[chosen],
        route=EXPANSION,
        available=test_end[post[chosen]],
        consumed=False,
    )
    waiting.drop_first(n_rows)
    state.next_undecided = stop
