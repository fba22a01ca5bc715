"""The trend as a population process (docs/model.md 7.21; seed C12): who follows "link with
everyone" from the start, what adopters do each day, and how others adopt it by social proof
from what they saw in their own feeds.

Everything here draws from the ``population`` stream, so the no-trend arm and the trend arms
of a study share every other stream (common random numbers until adopters change the
network).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim import beliefs
from sim.errors import InputError
from sim.loaders import distinct
from sim.model.learning import learn_from_connections
from sim.model.state import State, TrendState
from sim.network import STRANGER, draw_strength
from sim.records import ADOPTION_COUNTS, FEED_COUNTS, VIEWER_GROUPS, Columns
from sim.scenario import Contagion, Scenario, Trend
from sim.sources import GROUP_OF_SOURCE, GROUPS


def seed_groups(
    trend: Trend,
    degree: NDArray[np.int64],
    field: NDArray[np.int16],
    topics: tuple[str, ...],
    focal: NDArray[np.int64],
    rng: np.random.Generator,
    source: Path,
) -> dict[str, NDArray[np.bool_]]:
    """Members of each strategy at day 0, group by group in scenario order.

    Group g takes ``round(share_g * N)`` members not yet taken and not focal: ``random``
    uniformly; ``hubs`` the most connected (ties to the lower id); ``field`` uniformly
    within the field. Returns a mask per strategy.
    """
    n = field.size
    taken = np.zeros(n, bool)
    taken[focal] = True
    masks = {name: np.zeros(n, bool) for name in ("everyone", "selective")}
    for i, group in enumerate(trend.groups):
        count = round(group.share * n)
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


def initial_trend(
    scenario: Scenario,
    degree: NDArray[np.int64],
    field: NDArray[np.int16],
    topics: tuple[str, ...],
    focal: NDArray[np.int64],
    rng: np.random.Generator,
    source: Path,
) -> TrendState | None:
    """The trend's state at day 0 (None without a ``trend`` section)."""
    trend = scenario.trend
    if trend is None:
        return None
    n, days = field.size, scenario.duration_days
    masks = seed_groups(trend, degree, field, topics, focal, rng, source)
    committed = masks["selective"].copy()
    committed[focal] = True
    adoption = np.zeros((days + 1, len(ADOPTION_COUNTS)), np.int64)
    adoption[0, 0] = adoption[0, 1] = int(masks["everyone"].sum())
    return TrendState(
        adopted=masks["everyone"],
        committed=committed,
        adopted_on=np.where(masks["everyone"], 0.0, np.nan),
        exposures=Columns({"viewer": np.int32, "author": np.int32}),
        seen=np.zeros(0, np.int64),
        topic_today=np.zeros((n, len(topics)), np.int32),
        adoption=adoption,
        similarity=np.full(days + 1, np.nan),
        feed=np.zeros((days, len(VIEWER_GROUPS), len(GROUPS), len(FEED_COUNTS)), np.int64),
    )


def invite(state: State, scenario: Scenario, now: float, rng: np.random.Generator) -> None:
    """One day of adopters' invitations and their answers; accepted ones become ties.

    Each adopter sends ``Poisson(invitations_per_day)`` invitations (seed: about 25 a day);
    each goes to a member drawn ``P(j) = s_j / sum s`` by session rate (active members see
    and answer them). An adopter accepts every invitation; anyone else accepts with
    ``accept_rate`` (26% for cold invitations, Expandi/Belkins 2024). Invitations to oneself,
    to a focal member (who answers by its own strategy), to a member already connected, and
    repeats of a pair within the day are void. New ties are stranger ties, strength ~
    Beta(a, b), created at `now`; the platform learns from them (connection term, both ends:
    :func:`sim.model.learning.learn_from_connections`).
    """
    trend, spec = state.trend, scenario.trend
    assert trend is not None and spec is not None
    adopters = np.flatnonzero(trend.adopted)
    inviter = np.repeat(adopters, rng.poisson(spec.invitations_per_day, adopters.size))
    total = float(state.session_cum[-1])
    invitee = np.minimum(
        np.searchsorted(state.session_cum, rng.random(inviter.size) * total, side="right"),
        state.n - 1,
    )
    accepts = rng.random(inviter.size) < np.where(trend.adopted[invitee], 1.0, spec.accept_rate)
    lo, hi = np.minimum(inviter, invitee), np.maximum(inviter, invitee)
    first = np.zeros(inviter.size, bool)
    first[np.unique(lo * state.n + hi, return_index=True)[1]] = True
    valid = first & accepts & (inviter != invitee) & (state.focal_slot[invitee] < 0)
    valid[valid] = state.ties.lookup(inviter[valid], invitee[valid]) < 0
    a, b = inviter[valid].astype(np.int32), invitee[valid].astype(np.int32)
    if a.size == 0:
        return
    kind = np.full(a.size, STRANGER, np.int8)
    same_field = state.field[a] == state.field[b]
    state.ties.add(
        a,
        b,
        now,
        kind=kind,
        strength=draw_strength(rng, a.size, scenario.behaviour),
        affinity=beliefs.initial_affinity(kind, same_field, scenario.platform.affinity),
    )
    learn_from_connections(state.theta, state.field, a, b, scenario.platform.inference)


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


def count_population_feed(
    state: State,
    viewer: NDArray[np.int64],
    topic: NDArray[np.int16],
    source: NDArray[np.int8],
    engaged: NDArray[np.bool_],
    when: NDArray[np.float64],
    duration_days: int,
) -> None:
    """Add a slice's impressions (and of them the engagements) to the population feed, by
    day, viewer status and source group, and to the day's topic counts of each member."""
    trend = state.trend
    assert trend is not None
    day = np.minimum(when.astype(np.int64), duration_days - 1)
    status = trend.adopted[viewer].astype(np.int64)
    group = GROUP_OF_SOURCE[source]
    for name, rows in (("impressions", np.ones(day.size, bool)), ("engagements", engaged)):
        count = np.full(int(rows.sum()), FEED_COUNTS.index(name))
        np.add.at(trend.feed, (day[rows], status[rows], group[rows], count), 1)
    np.add.at(trend.topic_today, (viewer, topic), 1)


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


def simple_chance(exposures: NDArray[np.int64], rate: float) -> NDArray[np.float64]:
    """Simple contagion: each of the day's exposures converts independently with ``rate``,
    so a member with k exposures adopts with ``1 - (1 - rate)^k``."""
    return 1.0 - np.power(1.0 - rate, exposures.astype(np.float64))


def adopt(state: State, scenario: Scenario, day: int, rng: np.random.Generator) -> None:
    """End of `day`: members adopt from the day's exposures, adopters may drop the
    strategy, and the day's record is taken.

    One uniform per member is drawn every day whatever the contagion, so arms keep their
    draws aligned. complex: a member over the threshold (:func:`over_threshold`) adopts
    when its uniform is below ``adoption_rate``; simple: below :func:`simple_chance`.
    Adopters drop it (:func:`dropping`) and never adopt again. An adopter writes
    ``call_posts_per_day`` more posts a day while adopted.
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
        new = open_to & over_threshold(trend.seen, n, state.ties.degree(), contagion)
        new &= uniform < contagion.adoption_rate
    elif contagion.kind == "simple":
        chance = simple_chance(np.bincount(viewer, minlength=n), contagion.exposure_rate)
        new = open_to & (uniform < chance)
    else:
        new = np.zeros(n, bool)
    dropped = dropping(state, spec, day)
    trend.adopted[new] = True
    trend.adopted_on[new] = day
    trend.adopted[dropped] = False
    trend.committed[dropped] = True
    change = new.astype(np.float64) - dropped.astype(np.float64)
    if change.any():
        state.post_rate = state.post_rate + change * spec.call_posts_per_day
        state.post_cum = np.cumsum(state.post_rate)
    trend.adoption[day] = [int(trend.adopted.sum()), int(new.sum()), int(dropped.sum())]
    trend.similarity[day] = feed_similarity(trend.topic_today)
    trend.topic_today[:] = 0


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


def feed_similarity(topic_counts: NDArray[np.int32]) -> float:
    """Mean pairwise cosine similarity of the topic mixes of members' feeds (members with an
    impression): with unit vectors u_i, ``(|sum u_i|^2 - n) / (n (n - 1))``
    (homogenisation, as Chaney, Stewart & Engelhardt 2018 measure it on items). NaN with
    fewer than two members."""
    counts = topic_counts[topic_counts.sum(axis=1) > 0].astype(np.float64)
    m = counts.shape[0]
    if m < 2:
        return float("nan")
    unit = counts / np.linalg.norm(counts, axis=1, keepdims=True)
    total = unit.sum(axis=0)
    return float((total @ total - m) / (m * (m - 1)))
