"""The trend as a population process (docs/model.md 7.21; seed C12): who follows "link with
everyone" from the start, what adopters do each day, and how others adopt it by social proof
from what they saw in their own feeds.

Everything here draws from the ``population`` stream, so the no-trend arm and the trend arms
of a study share every other stream (common random numbers until adopters change the
network).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim.arrays import distinct
from sim.errors import InputError
from sim.model import limits
from sim.model.connecting import add_ties
from sim.model.hooks import Hooks, Shown
from sim.model.invitees import draw_invitees
from sim.model.state import State, TrendState
from sim.network import STRANGER, draw_strength
from sim.scenario import Contagion, Scenario, Trend
from sim.stores import Columns


def seed_groups(
    trend: Trend,
    degree: NDArray[np.int64],
    field: NDArray[np.int16],
    topics: tuple[str, ...],
    focal: NDArray[np.int64],
    rng: np.random.Generator,
    source: Path,
    edges: tuple[NDArray[np.int32], NDArray[np.int32]] | None = None,
) -> dict[str, NDArray[np.bool_]]:
    """Members of each strategy at day 0, group by group in scenario order.

    Group g takes ``round(share_g * N)`` members not yet taken and not focal: ``random``
    uniformly; ``hubs`` the most connected (ties to the lower id); ``field`` uniformly
    within the field; ``pair`` and ``neighbourhood`` that many centres with their
    connections (:func:`seed_clusters`, on the network's `edges`). Returns a mask per
    strategy.
    """
    n = field.size
    taken = np.zeros(n, bool)
    taken[focal] = True
    masks = {name: np.zeros(n, bool) for name in ("everyone", "selective")}
    for i, group in enumerate(trend.groups):
        count = round(group.share * n)
        if group.seeding in ("pair", "neighbourhood"):
            assert edges is not None  # the population passes its network
            chosen = seed_clusters(group.seeding, count, edges, taken, rng)
            if chosen is None:
                raise InputError(
                    source,
                    f"trend.groups[{i}].share",
                    f"asks for {count} members with a connection, both not yet taken,"
                    f" for seeding {group.seeding!r}, but there are not that many",
                )
            taken[chosen] = True
            masks[group.strategy][chosen] = True
            continue
        eligible = np.flatnonzero(~taken)
        if group.seeding == "field":  # a known field (sim.network.build_network checks)
            eligible = eligible[field[eligible] == topics.index(str(group.field))]
        if count > eligible.size:
            raise InputError(
                source,
                f"trend.groups[{i}].share",
                f"asks for {count} members but only {eligible.size} are left to choose from",
            )
        if group.seeding == "hubs":
            chosen = eligible[np.lexsort((eligible, -degree[eligible]))[:count]]
        else:
            chosen = rng.choice(eligible, size=count, replace=False)
        taken[chosen] = True
        masks[group.strategy][chosen] = True
    return masks


def seed_clusters(
    seeding: str,
    centres: int,
    edges: tuple[NDArray[np.int32], NDArray[np.int32]],
    taken: NDArray[np.bool_],
    rng: np.random.Generator,
) -> NDArray[np.int64] | None:
    """Clustered seeds (K6 of docs/validation.md): `centres` times, one member drawn
    uniformly among those not taken that have a connection not taken, then ``pair``: one
    of those connections drawn uniformly; ``neighbourhood``: all of them. A pair is the
    smallest seed a deterministic threshold of 2 spreads from (Centola & Macy 2007;
    Centola 2010); a member and its neighbours is the main seeding of Wan, Riedl & Lazer
    2025. Returns the seeded members, or None when no centre is left to draw."""
    u, v = edges[0].astype(np.int64), edges[1].astype(np.int64)
    src, dst = np.concatenate([u, v]), np.concatenate([v, u])
    taken = taken.copy()
    chosen: list[NDArray[np.int64]] = []
    for _ in range(centres):
        free = ~taken[src] & ~taken[dst] & (src != dst)
        candidates = np.unique(src[free])
        if candidates.size == 0:
            return None
        centre = int(rng.choice(candidates))
        partners = np.unique(dst[free & (src == centre)])
        if seeding == "pair":
            partners = np.array([rng.choice(partners)], np.int64)
        cluster = np.concatenate([[centre], partners]).astype(np.int64)
        taken[cluster] = True
        chosen.append(cluster)
    return np.concatenate(chosen) if chosen else np.zeros(0, np.int64)


def initial_trend(
    scenario: Scenario,
    degree: NDArray[np.int64],
    field: NDArray[np.int16],
    topics: tuple[str, ...],
    focal: NDArray[np.int64],
    rng: np.random.Generator,
    source: Path,
    edges: tuple[NDArray[np.int32], NDArray[np.int32]] | None = None,
) -> TrendState | None:
    """The trend's state at day 0 (None without a ``trend`` section); `edges` (the
    network's ``u, v``) for the clustered seedings."""
    trend = scenario.trend
    if trend is None:
        return None
    masks = seed_groups(trend, degree, field, topics, focal, rng, source, edges)
    committed = masks["selective"].copy()
    committed[focal] = True
    return TrendState(
        adopted=masks["everyone"],
        committed=committed,
        adopted_on=np.where(masks["everyone"], 0.0, np.nan),
        dropped_on=np.full(field.size, np.nan),
        exposures=Columns({"viewer": np.int32, "author": np.int32}),
        seen=np.zeros(0, np.int64),
    )


def invitation_rates(state: State, spec: Trend, adopters: NDArray[np.int64]) -> NDArray[np.float64]:
    """Invitations a day each adopter sends on average, by ``invitation_rate``:
    ``per_session``, ``lambda_i = invitations_per_session * s_i`` with s_i the adopter's
    session rate (members invite in proportion to their activity: a heavy user's 3 sessions
    a day give the blog post's 25 a day); ``per_day``, ``lambda_i = invitations_per_day``."""
    if spec.invitation_rate == "per_session":
        return spec.invitations_per_session * state.session_rate[adopters]
    return np.full(adopters.size, spec.invitations_per_day)


def invite(state: State, scenario: Scenario, now: float, rng: np.random.Generator) -> None:
    """One day of adopters' invitations and their answers; accepted ones become ties.

    Each adopter sends ``Poisson(lambda_i)`` invitations (:func:`invitation_rates`);
    each goes to a member drawn by :func:`sim.model.invitees.draw_invitees` (by default
    ``P(j) = s_j / sum s`` by session rate: active members see and answer them). An adopter
    accepts every invitation; anyone else accepts with ``accept_rate`` (26% for cold
    invitations, Expandi/Belkins 2024). Invitations to oneself,
    to a focal member (who answers by its own strategy), to a member already connected, and
    repeats of a pair within the day are void. New ties are stranger ties, strength ~
    Beta(a, b), created at `now` (:func:`sim.model.connecting.add_ties`: the platform learns
    from both ends).

    LinkedIn's limits (docs/model.md 7.25): of an adopter's invitations that are not void,
    those past its weekly limit are refused (:func:`sim.model.limits.send_invitations`,
    whether or not they would have been accepted), and ties past the connection cap are
    refused when made.
    """
    trend, spec = state.trend, scenario.trend
    assert trend is not None and spec is not None
    adopters = np.flatnonzero(trend.adopted)
    inviter = np.repeat(adopters, rng.poisson(invitation_rates(state, spec, adopters)))
    invitee = draw_invitees(state, scenario.platform.invitations, inviter, rng)
    accepts = rng.random(inviter.size) < np.where(trend.adopted[invitee], 1.0, spec.accept_rate)
    lo, hi = np.minimum(inviter, invitee), np.maximum(inviter, invitee)
    first = np.zeros(inviter.size, bool)
    first[np.unique(lo * state.n + hi, return_index=True)[1]] = True
    valid = first & (inviter != invitee) & (state.focal_slot[invitee] < 0)
    valid[valid] = state.ties.lookup(inviter[valid], invitee[valid]) < 0
    weekly = scenario.platform.limits.weekly_invitations
    valid = limits.send_invitations(state.limits, inviter, valid, int(now), weekly) & accepts
    a, b = inviter[valid].astype(np.int32), invitee[valid].astype(np.int32)
    if a.size == 0:
        return
    kind = np.full(a.size, STRANGER, np.int8)
    strength = draw_strength(rng, a.size, scenario.behaviour)
    add_ties(state, scenario.platform, a, b, now, kind, strength)


def record_exposures(
    state: State,
    viewer: NDArray[np.int64],
    post: NDArray[np.int64],
    connected: NDArray[np.bool_],
    contagion: Contagion,
) -> None:
    """Keep the impressions that expose a member who may still adopt to a call to connect
    (a post its author wrote while an adopter): every such impression, or with
    ``exposures: connections`` only those of authors it is `connected` to."""
    trend = state.trend
    assert trend is not None
    exposed = state.posts["call"][post] & ~trend.adopted[viewer] & ~trend.committed[viewer]
    if contagion.exposures == "connections":
        exposed &= connected
    if exposed.any():
        trend.exposures.append(
            viewer=viewer[exposed].astype(np.int32),
            author=state.posts["author"][post[exposed]],
        )


def over_threshold(
    seen: NDArray[np.int64], n: int, degree: NDArray[np.int64], contagion: Contagion
) -> NDArray[np.bool_]:
    """Complex contagion's condition per member: the distinct adopters whose calls it has
    seen (`seen`: sorted ``viewer * n + author`` keys) number at least ``threshold``
    (count), or make at least ``threshold`` of its connections (fraction; Centola & Macy
    2007, Watts 2002)."""
    count = np.bincount(seen // n, minlength=n)
    if contagion.threshold_on == "count":
        return count >= contagion.threshold
    return count >= contagion.threshold * np.maximum(degree, 1)


def complex_chance(
    seen: NDArray[np.int64], n: int, degree: NDArray[np.int64], contagion: Contagion
) -> NDArray[np.float64]:
    """Complex contagion's daily chance of adopting per member (Wan, Riedl & Lazer 2025;
    Eckles, Mossel, Rahimian & Sen): with k the distinct adopters whose calls it has seen,

        P(adopt today) = p2  if k reaches the threshold (:func:`over_threshold`),
                         p1  if 1 <= k and k is below it,
                         0   if k = 0,

    p2 ``adoption_rate``, p1 ``below_threshold_rate`` (0 by default: a pure threshold,
    Centola & Macy 2007)."""
    over = over_threshold(seen, n, degree, contagion)
    some = np.bincount(seen // n, minlength=n) >= 1
    below = np.where(some, contagion.below_threshold_rate, 0.0)
    return np.where(over, contagion.adoption_rate, below)


def simple_chance(exposures: NDArray[np.int64], rate: float) -> NDArray[np.float64]:
    """Simple contagion: each of the day's exposures converts independently with ``rate``,
    so a member with k exposures adopts with ``1 - (1 - rate)^k``.

    The powers are the C library's (``math.pow``), one per count from 0 to the largest,
    looked up per member: numpy's vectorised ``power`` takes another implementation on CPUs
    with AVX-512 (SVML) than on those without, and the last bit of a chance then depends on
    the machine, so the same seed gave other tables on another machine."""
    chance = [
        1.0 - math.pow(1.0 - rate, float(k)) for k in range(int(exposures.max(initial=0)) + 1)
    ]
    return np.asarray(chance, dtype=np.float64)[exposures]


def adopt(state: State, scenario: Scenario, day: int, rng: np.random.Generator) -> None:
    """End of `day`: members adopt from the day's exposures, adopters may drop the
    strategy, and the day's record is taken.

    One uniform per member is drawn every day whatever the contagion, so arms keep their
    draws aligned. complex: a member adopts when its uniform is below
    :func:`complex_chance` (``adoption_rate`` over the threshold, ``below_threshold_rate``
    under it once it has seen an adopter's call); simple: below :func:`simple_chance`.
    Adopters drop it (:func:`dropping`) and never adopt again. An adopter writes
    ``call_posts_per_day`` more posts a day while adopted. The day of adopting and of
    dropping is kept on each member (``adopted_on``, ``dropped_on``).
    """
    trend, spec = state.trend, scenario.trend
    assert trend is not None and spec is not None
    n = state.n
    viewer = trend.exposures["viewer"].astype(np.int64)
    author = trend.exposures["author"].astype(np.int64)
    trend.exposures = Columns({"viewer": np.int32, "author": np.int32})
    uniform = rng.random(n)
    open_to = ~trend.adopted & ~trend.committed
    contagion = spec.contagion
    if contagion.kind == "complex":
        trend.seen = distinct(np.concatenate([trend.seen, viewer * n + author]))
        chance = complex_chance(trend.seen, n, state.ties.degree(), contagion)
        new = open_to & (uniform < chance)
    elif contagion.kind == "simple":
        chance = simple_chance(np.bincount(viewer, minlength=n), contagion.exposure_rate)
        new = open_to & (uniform < chance)
    else:
        new = np.zeros(n, bool)
    dropped = dropping(state, spec, day)
    trend.adopted[new] = True
    trend.adopted_on[new] = day
    trend.adopted[dropped] = False
    trend.dropped_on[dropped] = day
    trend.committed[dropped] = True
    change = new.astype(np.float64) - dropped.astype(np.float64)
    if change.any():
        state.post_rate = state.post_rate + change * spec.call_posts_per_day
        state.post_cum = np.cumsum(state.post_rate)


def dropping(state: State, spec: Trend, day: int) -> NDArray[np.bool_]:
    """The adopters who drop the strategy at the end of `day`: those who have followed it for
    ``drop_after_days``, and those whose calls created in ``[day - drop_window_days, day -
    1)`` (at least a day old, when most of a post's viewers have come) reached on average
    fewer than ``drop_below_viewers`` viewers a post (the trend stops paying; adopters
    without such calls stay)."""
    trend = state.trend
    assert trend is not None
    dropped = np.zeros(state.n, bool)
    if spec.drop_after_days is not None:
        dropped |= trend.adopted & (day - trend.adopted_on >= spec.drop_after_days)
    if spec.drop_below_viewers is not None:
        created = state.posts["created"]
        first, last = np.searchsorted(created, [day - spec.drop_window_days, day - 1.0])
        window = np.arange(first, last)
        calls = window[state.posts["call"][window]]
        author = state.posts["author"][calls]
        count = np.bincount(author, minlength=state.n)
        viewers = np.bincount(author, weights=state.posts["impressions"][calls], minlength=state.n)
        low = viewers < spec.drop_below_viewers * count
        dropped |= trend.adopted & (count > 0) & low
    return dropped


class TrendSubmodel(Hooks):
    """The trend attached to a run through the engine's hooks: at the start of each day its
    adopters invite (:func:`invite`), every impression of a call to connect may expose a
    member (:func:`record_exposures`), and at the end of each day members adopt or drop it
    (:func:`adopt`). Everything draws from the ``population`` stream."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        assert scenario.trend is not None
        self.scenario, self.spec, self.rng = scenario, scenario.trend, rng

    def day_start(self, state: State, day: int) -> None:
        invite(state, self.scenario, float(day), self.rng)

    def shown(self, state: State, shown: Shown) -> None:
        seen = shown.seen
        record_exposures(state, seen.viewer, seen.post, seen.edge >= 0, self.spec.contagion)

    def day_end(self, state: State, day: int) -> None:
        adopt(state, self.scenario, day, self.rng)
