"""The simulation: simpy drives time; member state lives in numpy arrays.

Sessions and posts are frequent, so they are processed in time slices (``slice_hours``):
a simpy process wakes at each slice boundary and handles every post and feed session that
falls in the slice in a few vectorised calls. Rare events (scripted bursts of connections,
the daily bookkeeping) are simpy processes of their own, handled one by one.

Within a slice:

1. **Posting** (:meth:`World.publish`): posts arrive as a Poisson process over all members
   (superposition of each member's Poisson rate), each at a uniform time in the slice, on a
   topic drawn from the author's true interests. A post goes to its test audience (each
   connection with probability ``fraction``) or, with the test audience off, to every
   connection.
2. **Sessions** (:meth:`World.serve_sessions`): sessions arrive the same way. A member with c
   sessions in the slice (at most :data:`MAX_SESSIONS_PER_SLICE`) sees the top ``c x K``
   candidates available at its first session time. Candidates are the posts delivered to
   the member (by the routes of :data:`sim.ranking.ROUTES`) and out-of-network
   recommendations drawn by the platform's inferred topic weights. The ranker scores them,
   the member reacts by its true behaviour, and every reaction updates the platform's
   beliefs and spreads the post to the reactor's connections.
3. **Wider distribution** (:meth:`World.distribute_tested`): posts whose test window ended
   reach the rest of the author's connections in proportion to their observed engagement.

A post is shown to a member at most once, so a post's impressions equal its unique viewers.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from sim import behaviour, beliefs, ranking, strategies
from sim import ties as ties_module
from sim.errors import InputError
from sim.network import (
    PEER_KINDS,
    STRANGER,
    TIE_KINDS,
    Network,
    build_network,
    draw_strength,
    pick_focal,
)
from sim.ranking import ACTIVITY, EXPANSION, NETWORK, RECOMMENDED, SOURCES, TAG
from sim.records import Columns, RunRecords
from sim.rng import streams
from sim.scenario import AcceptInvitations, Members, Prune, Scenario
from sim.ties import Ties

MAX_SESSIONS_PER_SLICE = 3
"""Sessions of one member in one slice beyond this are dropped (rare at 1-hour slices)."""

GROUPS = ("peer", "stranger", "second_degree", "out_of_network")
"""Source groups of the posts table: the four peer kinds, strangers, second degree, OON."""
GROUP_OF_SOURCE = np.array([0, 0, 0, 0, 1, 2, 3], dtype=np.int64)
"""Group of each entry of :data:`sim.ranking.SOURCES`."""

POST_COUNTERS = (
    "impressions",
    "primary_viewers",
    *(f"viewers_{g}" for g in GROUPS),
    "viewers_tag",
    "likes",
    "comments",
    "shares",
    *(f"engagements_{g}" for g in GROUPS),
    "engagements_tag",
    "engagements_within_3h",
    "engagements_within_24h",
)
"""Per-post counters. Viewers and engagements by group add up to the totals; the ``tag``
columns count, in addition, those who came through a tag notification."""


def member_rates(
    members: Members, n: int, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Session and posting rates (per day) of every member, drawn by class shares."""
    sessions = np.array([c.sessions_per_day for c in members.activity])
    posting = np.array([c.posts_per_day for c in members.posting])
    session_class = rng.choice(sessions.size, size=n, p=[c.share for c in members.activity])
    post_class = rng.choice(posting.size, size=n, p=[c.share for c in members.posting])
    return sessions[session_class], posting[post_class]


def true_interests(
    field: NDArray[np.int16], n_topics: int, members: Members, rng: np.random.Generator
) -> NDArray[np.float64]:
    """True topic interests: ``x_i ~ Dirichlet(c * mu_i)``.

    ``mu_i`` puts ``home_interest`` on the member's field and spreads the rest evenly over the
    other topics; c is ``interest_concentration`` (MODEL.md 1: "mostly the home topic").
    """
    n = field.size
    other = (1.0 - members.home_interest) / max(n_topics - 1, 1)
    mean = np.full((n, n_topics), other)
    mean[np.arange(n), field] = members.home_interest
    draws = rng.gamma(members.interest_concentration * mean)
    total = draws.sum(axis=1, keepdims=True)
    interest: NDArray[np.float64] = np.divide(draws, total, out=mean.copy(), where=total > 0)
    return interest


class World:
    """One replication of one variant: state arrays and the processes that change them."""

    def __init__(
        self, scenario: Scenario, seed: int, source: Path, network: Network | None = None
    ) -> None:
        self.scenario = scenario
        self.source = source
        self.rng = streams(seed)
        self.network = network or build_network(scenario, self.rng["network"], source)
        net = self.network
        self.n = net.size
        self.topics = net.topics
        self.n_topics = len(net.topics)
        self.field = net.field
        self.slice_days = scenario.slice_hours / 24.0

        self.session_rate, self.post_rate = member_rates(
            scenario.members, self.n, self.rng["network"]
        )
        self.interest = true_interests(
            self.field, self.n_topics, scenario.members, self.rng["network"]
        )
        self.relative_interest = self.interest / self.interest.max(axis=1, keepdims=True)
        same_field = net.field[net.u] == net.field[net.v]
        self.ties = Ties(net, beliefs.initial_affinity(net.kind, same_field))
        self.theta = beliefs.initial_inferred(
            self.field,
            self.ties.src,
            self.ties.dst,
            self.n_topics,
            scenario.platform.inference.profile_weight,
        )

        taken: set[int] = set()
        focal: list[int] = []
        for spec in scenario.focal:
            try:
                member = pick_focal(net, spec.field, spec.degree_quantile, taken)
            except ValueError as exc:
                raise InputError(source, "focal", str(exc)) from None
            taken.add(member)
            focal.append(member)
            self.session_rate[member] = spec.sessions_per_day
            self.post_rate[member] = spec.posts_per_day
        self.focal_ids = np.array(focal, dtype=np.int64)
        self.focal_slot = np.full(self.n, -1, dtype=np.int64)
        self.focal_slot[self.focal_ids] = np.arange(self.focal_ids.size)
        self.focal_by_name = {spec.name: m for spec, m in zip(scenario.focal, focal, strict=True)}
        self.tag_count = np.zeros(self.n, np.int64)
        for spec, m in zip(scenario.focal, focal, strict=True):
            self.tag_count[m] = spec.strategy.tag_peers
        self.removed: list[dict[str, NDArray[Any]]] = []
        self.messages_sent = np.zeros(self.focal_ids.size, np.int64)
        self.plans = {
            slot: self.plan_trend(slot)
            for slot, spec in enumerate(scenario.focal)
            if spec.strategy.invitations_per_day > 0
        }
        self.sent_plans = {
            slot: self.plan_sent(slot)
            for slot, spec in enumerate(scenario.focal)
            if spec.strategy.sends_invitations_per_day > 0
        }
        self._set_rates()

        days = scenario.duration_days
        self.feed = np.zeros((self.focal_ids.size, days, self.n_topics, len(SOURCES)), np.int64)
        self.inferred = np.zeros((self.focal_ids.size, days + 1, self.n_topics))
        self.inferred[:, 0] = self.theta[self.focal_ids]
        self.connections = np.zeros((self.focal_ids.size, days + 1, len(TIE_KINDS), 2), np.int64)
        self._snapshot_connections(0)

        post_columns: dict[str, Any] = {
            "author": np.int32,
            "topic": np.int16,
            "created": np.float64,
            "test_end": np.float64,
            "author_connections": np.int32,
        }
        post_columns.update({name: np.int32 for name in POST_COUNTERS})
        self.posts = Columns(post_columns)
        self.pool = Columns(
            {
                "viewer": np.int32,
                "post": np.int32,
                "route": np.int8,
                "available": np.float64,
                "consumed": bool,
            }
        )
        self.waiting = Columns({"viewer": np.int32, "post": np.int32, "draw": np.float64})
        self.next_undecided = 0
        self.counts = {"sessions": 0, "impressions": 0, "engagements": 0}
        self.is_session = np.zeros(self.n, bool)
        self.session_slot = np.full(self.n, -1, dtype=np.int64)

    def _set_rates(self) -> None:
        self.session_cum = np.cumsum(self.session_rate)
        self.post_cum = np.cumsum(self.post_rate)

    # ------------------------------------------------------------------ processes

    def time_slices(
        self, env: simpy.Environment, on_day: Callable[[int], None] | None
    ) -> Generator[simpy.Event, Any, None]:
        """Wake at each slice boundary and process the slice that starts there.

        Slices tile the day (``24 / slice_hours`` is a whole number), so a day boundary is
        always a slice boundary. There, after the scripted events and invitations of that
        instant (scheduled from time 0, so they come first), the day's record is taken.
        """
        per_day = round(24 / self.scenario.slice_hours)
        for k in range(self.scenario.duration_days * per_day):
            day, step = divmod(k, per_day)
            if step == 0 and day > 0:
                self.end_of_day(day, on_day)
            start = k * self.scenario.slice_hours / 24.0
            end = (k + 1) * self.scenario.slice_hours / 24.0
            self.publish(start, end)
            self.serve_sessions(start, end)
            self.distribute_tested(end)
            yield env.timeout(end - env.now)
        self.end_of_day(self.scenario.duration_days, on_day)

    def end_of_day(self, day: int, on_day: Callable[[int], None] | None) -> None:
        """After `day` days: snapshot focal beliefs and connections, forget expired candidates."""
        self.inferred[:, day] = self.theta[self.focal_ids]
        self._snapshot_connections(day)
        self.forget_expired(float(day))
        if on_day is not None:
            on_day(day)

    def scripted(
        self, env: simpy.Environment, event: AcceptInvitations | Prune, index: int
    ) -> Generator[simpy.Event, Any, None]:
        """A scripted event at its day."""
        yield env.timeout(event.day)
        if isinstance(event, AcceptInvitations):
            self.accept_invitations(event, index, float(env.now))
        else:
            self.prune(event, float(env.now))

    def invitations(
        self, env: simpy.Environment, slot: int, day: int
    ) -> Generator[simpy.Event, Any, None]:
        """At the start of the next day, the member handles `day`'s invitations."""
        yield env.timeout(day + 1)
        self.handle_invitations(slot, day, float(env.now))

    # ------------------------------------------------------------------ posting

    def publish(self, start: float, end: float) -> None:
        """Create the slice's posts and send each to its test audience (or all connections)."""
        rng = self.rng["posting"]
        total = float(self.post_cum[-1]) if self.n else 0.0
        count = int(rng.poisson(total * (end - start))) if total > 0 else 0
        if count == 0:
            return
        authors = np.searchsorted(self.post_cum, rng.random(count) * total, side="right")
        authors = np.minimum(authors, self.n - 1)
        created = np.sort(start + rng.random(count) * (end - start))
        cum_interest = np.cumsum(self.interest[authors], axis=1)
        topic = (cum_interest < rng.random(count)[:, None] * cum_interest[:, -1:]).sum(axis=1)
        topic = np.minimum(topic, self.n_topics - 1)
        audience = self.scenario.platform.test_audience
        window = audience.window_hours / 24.0 if audience.enabled else 0.0
        degree = self.ties.degree()
        zeros = np.zeros(count, np.int32)
        ids = self.posts.append(
            author=authors.astype(np.int32),
            topic=topic.astype(np.int16),
            created=created,
            test_end=created + window,
            author_connections=degree[authors].astype(np.int32),
            **{name: zeros for name in POST_COUNTERS},
        )
        self._notify_tagged(authors, ids, created)
        owner, edge = self.ties.rows(authors)
        viewer = self.ties.dst[edge]
        post = ids[owner]
        if not audience.enabled:
            self.pool.append(
                viewer=viewer, post=post, route=NETWORK, available=created[owner], consumed=False
            )
            return
        draw = self.rng["audience"].random(edge.size)
        tested = draw < audience.fraction
        self.pool.append(
            viewer=viewer[tested],
            post=post[tested],
            route=NETWORK,
            available=created[owner][tested],
            consumed=False,
        )
        rest = ~tested
        scaled = (draw[rest] - audience.fraction) / max(1.0 - audience.fraction, 1e-12)
        self.waiting.append(viewer=viewer[rest], post=post[rest], draw=scaled)

    def _notify_tagged(
        self, authors: NDArray[np.int64], ids: NDArray[np.int64], created: NDArray[np.float64]
    ) -> None:
        """#Taggen: authors who tag name their peers of highest estimated affinity."""
        for i in np.flatnonzero(self.tag_count[authors] > 0):
            author = int(authors[i])
            _, ties = self.ties.rows(np.array([author]))
            peers = ties[self.ties.kind[ties] < len(PEER_KINDS)]
            if peers.size == 0:
                continue
            best = peers[np.argsort(-self.ties.affinity[peers], kind="stable")]
            chosen = self.ties.dst[best[: self.tag_count[author]]]
            self.pool.append(
                viewer=chosen,
                post=int(ids[i]),
                route=TAG,
                available=float(created[i]),
                consumed=False,
            )

    def distribute_tested(self, now: float) -> None:
        """Posts whose test window has ended reach the rest of the author's connections.

        The platform's estimate of a post's engagement rate is smoothed toward a prior:
        ``r = (e + n0 r0) / (i + n0)`` from e engagements in i impressions; each remaining
        connection receives the post with probability ``min(1, r / target_rate)``
        (practitioner-described "golden hour"; calibration-sources.md 4: expansion by
        observed engagement).
        """
        audience = self.scenario.platform.test_audience
        if not audience.enabled:
            return
        test_end = self.posts["test_end"]
        stop = int(np.searchsorted(test_end, now, side="left"))
        if stop <= self.next_undecided:
            return
        decided = slice(self.next_undecided, stop)
        engagements = (
            self.posts["likes"][decided]
            + self.posts["comments"][decided]
            + self.posts["shares"][decided]
        ).astype(np.float64)
        impressions = self.posts["impressions"][decided].astype(np.float64)
        rate = (engagements + audience.prior_impressions * audience.prior_rate) / (
            impressions + audience.prior_impressions
        )
        share = np.minimum(1.0, rate / max(audience.target_rate, 1e-12))
        n_rows = int(np.searchsorted(self.waiting["post"], stop, side="left"))
        post = self.waiting["post"][:n_rows]
        chosen = self.waiting["draw"][:n_rows] < share[post - self.next_undecided]
        self.pool.append(
            viewer=self.waiting["viewer"][:n_rows][chosen],
            post=post[chosen],
            route=EXPANSION,
            available=test_end[post[chosen]],
            consumed=False,
        )
        self.waiting.drop_first(n_rows)
        self.next_undecided = stop

    # ------------------------------------------------------------------ sessions

    def serve_sessions(self, start: float, end: float) -> None:
        """Every feed session of the slice: candidates, ranking, views and reactions."""
        rng = self.rng["sessions"]
        total = float(self.session_cum[-1])
        count = int(rng.poisson(total * (end - start)))
        draws = rng.random(count)
        times = start + rng.random(count) * (end - start)
        if count == 0:
            return
        members = np.minimum(
            np.searchsorted(self.session_cum, draws * total, side="right"), self.n - 1
        )
        order = np.lexsort((times, members))
        members, times = members[order], times[order]
        viewers, first, per_member = np.unique(members, return_index=True, return_counts=True)
        session_time = times[first]
        sessions = np.minimum(per_member, MAX_SESSIONS_PER_SLICE)
        self.counts["sessions"] += int(sessions.sum())
        k = self.scenario.platform.feed_size
        uniforms = self.rng["engagement"].random((viewers.size, k * MAX_SESSIONS_PER_SLICE))

        self.is_session[viewers] = True
        self.session_slot[viewers] = np.arange(viewers.size)
        try:
            self._serve(viewers, session_time, sessions, uniforms)
        finally:
            self.is_session[viewers] = False
            self.session_slot[viewers] = -1

    def _recommendations(
        self,
        viewers: NDArray[np.int64],
        session_time: NDArray[np.float64],
        sessions: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Out-of-network candidates: a Poisson number per session, each a topic drawn from
        the platform's inferred weights, then a recent post of that topic drawn in proportion
        to its engagements."""
        rng = self.rng["ranking"]
        n_draws = rng.poisson(self.scenario.platform.out_of_network_per_session * sessions)
        owner = np.repeat(np.arange(viewers.size), n_draws)
        topic_draw = rng.random(owner.size)
        post_draw = rng.random(owner.size)
        if owner.size == 0 or self.posts.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        created = self.posts["created"]
        oldest = float(session_time.min()) - self.scenario.platform.max_age_days
        first = int(np.searchsorted(created, oldest, side="left"))
        recent = np.arange(first, self.posts.size)
        weight = (
            self.posts["likes"][recent]
            + self.posts["comments"][recent]
            + self.posts["shares"][recent]
        ).astype(np.float64)
        recent, weight = recent[weight > 0], weight[weight > 0]
        if recent.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        topic_of = self.posts["topic"][recent]
        order = np.argsort(topic_of, kind="stable")
        recent, weight, topic_of = recent[order], weight[order], topic_of[order]
        cum = np.cumsum(weight)
        cum0 = np.concatenate([[0.0], cum])
        lo = cum0[np.searchsorted(topic_of, np.arange(self.n_topics), side="left")]
        hi = cum0[np.searchsorted(topic_of, np.arange(self.n_topics), side="right")]
        viewer = viewers[owner]
        cum_theta = np.cumsum(self.theta[viewer], axis=1)
        topic = np.minimum(
            (cum_theta < topic_draw[:, None] * cum_theta[:, -1:]).sum(axis=1), self.n_topics - 1
        )
        width = hi[topic] - lo[topic]
        pick = np.minimum(
            np.searchsorted(cum, lo[topic] + post_draw * width, side="right"), cum.size - 1
        )
        post = recent[pick]
        ok = (width > 0) & (self.posts["created"][post] <= session_time[owner])
        ok &= self.posts["author"][post] != viewer
        return viewer[ok], post[ok]

    def _serve(
        self,
        viewers: NDArray[np.int64],
        session_time: NDArray[np.float64],
        sessions: NDArray[np.int64],
        uniforms: NDArray[np.float64],
    ) -> None:
        pool = self.pool
        rows = np.flatnonzero(self.is_session[pool["viewer"]])
        slot_of_row = self.session_slot[pool["viewer"][rows]]
        rows = rows[pool["available"][rows] <= session_time[slot_of_row]]
        rec_viewer, rec_post = self._recommendations(viewers, session_time, sessions)

        cand_viewer = np.concatenate([pool["viewer"][rows].astype(np.int64), rec_viewer])
        cand_post = np.concatenate([pool["post"][rows].astype(np.int64), rec_post])
        cand_route = np.concatenate(
            [pool["route"][rows], np.full(rec_post.size, RECOMMENDED, np.int8)]
        )
        cand_seen = np.concatenate([pool["consumed"][rows], np.zeros(rec_post.size, bool)])
        if cand_viewer.size == 0:
            return
        n_posts = self.posts.size
        keys, inverse = np.unique(cand_viewer * n_posts + cand_post, return_inverse=True)
        seen = np.zeros(keys.size, bool)
        seen[inverse[cand_seen]] = True
        route = np.full(keys.size, RECOMMENDED, np.int8)
        np.minimum.at(route, inverse, cand_route)
        proof = np.bincount(inverse[cand_route == ACTIVITY], minlength=keys.size)
        primary = np.zeros(keys.size, bool)
        primary[inverse[cand_route == NETWORK]] = True
        viewer = keys // n_posts
        post = keys % n_posts
        author = self.posts["author"][post].astype(np.int64)
        age = session_time[self.session_slot[viewer]] - self.posts["created"][post]
        fresh = (age <= self.scenario.platform.max_age_days) | (route == TAG)
        valid = ~seen & (author != viewer) & fresh
        viewer, post, author, route, proof, primary = (
            viewer[valid],
            post[valid],
            author[valid],
            route[valid],
            proof[valid],
            primary[valid],
        )
        if viewer.size == 0:
            return
        slot = self.session_slot[viewer]
        now = session_time[slot]
        edge = self.ties.lookup(viewer, author)
        connected = edge >= 0
        source = np.where(
            connected,
            self.ties.kind[np.maximum(edge, 0)],
            np.where(route == RECOMMENDED, ranking.OUT_OF_NETWORK, ranking.SECOND_DEGREE),
        ).astype(np.int8)
        safe_edge = np.maximum(edge, 0)
        affinity = np.where(
            connected,
            beliefs.decayed(
                self.ties.affinity[safe_edge],
                self.ties.affinity_time[safe_edge],
                now,
                self.scenario.platform.affinity_half_life_days,
            ),
            0.0,
        )
        topic = self.posts["topic"][post]
        candidates = ranking.Candidates(
            viewer=viewer,
            post=post,
            topic=topic,
            route=route,
            source=source,
            edge=edge,
            age=now - self.posts["created"][post],
            affinity=affinity,
            belief=self.theta[viewer, topic] / self.theta[viewer].max(axis=1),
            proof=proof,
        )
        scores = ranking.score(self.scenario.platform.ranker, candidates, self.rng["ranking"])
        k = self.scenario.platform.feed_size
        shown, rank = ranking.top_per_viewer(
            viewer, scores, post, k * sessions[slot], pinned=route == TAG
        )
        self._view(candidates, shown, rank, now, uniforms, primary[shown])

        shown_key = viewer[shown] * n_posts + post[shown]
        in_pool = np.isin(cand_viewer[: rows.size] * n_posts + cand_post[: rows.size], shown_key)
        pool["consumed"][rows[in_pool]] = True
        recommended_only = shown[route[shown] == RECOMMENDED]
        if recommended_only.size:
            pool.append(
                viewer=viewer[recommended_only],
                post=post[recommended_only],
                route=RECOMMENDED,
                available=now[recommended_only],
                consumed=True,
            )

    def _view(
        self,
        c: ranking.Candidates,
        shown: NDArray[np.int64],
        rank: NDArray[np.int64],
        now: NDArray[np.float64],
        uniforms: NDArray[np.float64],
        primary: NDArray[np.bool_],
    ) -> None:
        """Record impressions of the shown items and apply the viewers' reactions."""
        params = self.scenario.behaviour
        k = self.scenario.platform.feed_size
        viewer, post, topic = c.viewer[shown], c.post[shown], c.topic[shown]
        source, edge, proof = c.source[shown], c.edge[shown], c.proof[shown]
        when = now[shown]
        group = GROUP_OF_SOURCE[source]
        counters = self.posts
        np.add.at(counters["impressions"], post, 1)
        np.add.at(counters["primary_viewers"], post[primary], 1)
        for g, name in enumerate(GROUPS):
            np.add.at(counters[f"viewers_{name}"], post[group == g], 1)
        tagged = c.route[shown] == TAG
        np.add.at(counters["viewers_tag"], post[tagged], 1)
        self.counts["impressions"] += int(shown.size)
        seen_by_connection = edge[edge >= 0]
        self.ties.reached[self.ties.reverse(seen_by_connection)] = True

        focal = self.focal_slot[viewer]
        is_focal = focal >= 0
        if is_focal.any():
            day = np.minimum(when[is_focal].astype(np.int64), self.scenario.duration_days - 1)
            np.add.at(self.feed, (focal[is_focal], day, topic[is_focal], source[is_focal]), 1)

        connected = edge >= 0
        safe_edge = np.maximum(edge, 0)
        strength = np.where(connected, self.ties.strength[safe_edge], 0.5)
        propensity = behaviour.engagement_propensity(
            rank % k,
            source,
            strength,
            self.relative_interest[viewer, topic],
            proof,
            params,
            placed=connected & self.ties.placed[safe_edge],
            tagged=tagged,
        )
        draw = uniforms[self.session_slot[viewer], rank]
        action = behaviour.decide(draw, propensity, params)
        acted = action != behaviour.NONE
        if not acted.any():
            return
        viewer, post, topic, edge, group, action, when, tagged = (
            viewer[acted],
            post[acted],
            topic[acted],
            edge[acted],
            group[acted],
            action[acted],
            when[acted],
            tagged[acted],
        )
        self.counts["engagements"] += int(acted.sum())
        for code, name in (
            (behaviour.LIKE, "likes"),
            (behaviour.COMMENT, "comments"),
            (behaviour.SHARE, "shares"),
        ):
            np.add.at(counters[name], post[action == code], 1)
        for g, name in enumerate(GROUPS):
            np.add.at(counters[f"engagements_{name}"], post[group == g], 1)
        np.add.at(counters["engagements_tag"], post[tagged], 1)
        age = when - counters["created"][post]
        np.add.at(counters["engagements_within_3h"], post[age <= 3 / 24], 1)
        np.add.at(counters["engagements_within_24h"], post[age <= 1.0], 1)

        self._remember_interactions(edge, when)
        inference = self.scenario.platform.inference
        steps = np.array([0.0, inference.like_step, inference.comment_step, inference.share_step])
        beliefs.blend_toward(self.theta, viewer, topic, steps[action])
        self._spread(viewer, post, action, when)

    def _remember_interactions(self, edge: NDArray[np.int64], when: NDArray[np.float64]) -> None:
        """First interaction of each tie (both directions) and the platform's affinity counts.

        Affinity is an exponentially decayed interaction count: ``a <- a 2^(-dt / h) + 1``
        (MODEL.md 3.5; h = ``affinity_half_life_days``).
        """
        edge, when = edge[edge >= 0], when[edge >= 0]
        if edge.size == 0:
            return
        ties = self.ties
        both = np.concatenate([edge, ties.reverse(edge)])
        both_when = np.concatenate([when, when]).astype(np.float32)
        # A later scheduled exchange (see _connect) is superseded by an earlier engagement.
        np.fmin.at(ties.first_interaction, both, both_when)
        unique_edges = np.unique(edge)
        now = when.max()
        ties.affinity[unique_edges] = beliefs.decayed(
            ties.affinity[unique_edges],
            ties.affinity_time[unique_edges],
            float(now),
            self.scenario.platform.affinity_half_life_days,
        ).astype(np.float32)
        ties.affinity_time[unique_edges] = np.float32(now)
        np.add.at(ties.affinity, edge, np.float32(1.0))

    def _spread(
        self,
        engager: NDArray[np.int64],
        post: NDArray[np.int64],
        action: NDArray[np.int8],
        when: NDArray[np.float64],
    ) -> None:
        """An engagement is shown to a share of the engager's connections (network activity)."""
        params = self.scenario.behaviour
        fanout = np.array(
            [
                0.0,
                params.activity_fanout_like,
                params.activity_fanout_comment,
                params.activity_fanout_share,
            ]
        )
        owner, edge = self.ties.rows(engager)
        recipient = self.ties.dst[edge].astype(np.int64)
        draw = self.rng["fanout"].random(edge.size)
        keep = (draw < fanout[action[owner]]) & (recipient != self.posts["author"][post[owner]])
        self.pool.append(
            viewer=recipient[keep],
            post=post[owner][keep],
            route=ACTIVITY,
            available=when[owner][keep],
            consumed=False,
        )

    def forget_expired(self, now: float) -> None:
        """Drop delivered candidates whose posts are older than ``max_age_days``; a tag
        notification stays until it is seen."""
        created = self.posts["created"]
        if self.pool.size:
            fresh = created[self.pool["post"]] >= now - self.scenario.platform.max_age_days
            unread_tag = (self.pool["route"] == TAG) & ~self.pool["consumed"]
            self.pool.keep(fresh | unread_tag)

    # ------------------------------------------------------------------ scripted events

    def accept_invitations(self, event: AcceptInvitations, index: int, now: float) -> None:
        """A focal member accepts `count` invitations from members of a field at once.

        Inviters are drawn without replacement from the field's members not yet connected,
        in proportion to their session rate (active members send invitations). The new ties
        are stranger ties with no intro message. With the connection term on, both ends'
        inferred weights move toward the other's field (:func:`sim.beliefs.blend_toward`).
        """
        member = self.focal_by_name[event.member]
        field = self.topics.index(event.field)
        pool = self._unconnected(member, np.flatnonzero(self.field == field))
        weight = self.session_rate[pool]
        if np.count_nonzero(weight) < event.count:
            raise InputError(
                self.source,
                f"events[{index}].count",
                f"asks for {event.count} inviters from field {event.field!r}, but only"
                f" {np.count_nonzero(weight)} members of that field can invite",
            )
        rng = self.rng["invitations"]
        inviters = rng.choice(pool, size=event.count, replace=False, p=weight / weight.sum())
        inviters = np.sort(inviters).astype(np.int32)
        count = inviters.size
        self._connect(
            member,
            inviters,
            np.full(count, STRANGER, np.int8),
            now,
            strength=draw_strength(rng, count),
            late_reply=rng.random(count),
            reply_delay=rng.exponential(1.0, count),
        )

    def _connect(
        self,
        member: int,
        partners: NDArray[np.int32],
        kind: NDArray[np.int8],
        now: float,
        strength: NDArray[np.float32],
        late_reply: NDArray[np.float64],
        reply_delay: NDArray[np.float64],
        intro: NDArray[np.bool_] | None = None,
        placed: NDArray[np.bool_] | None = None,
        note: NDArray[np.bool_] | None = None,
    ) -> None:
        """New ties member-partners; the platform learns from them (connection term).

        Placed ties (an exchange at acceptance) interact at once. Other stranger ties
        exchange messages later when ``late_reply < stranger_reply_rate``, after
        ``reply_delay * stranger_reply_days`` (an exponential delay; cold outreach answered).
        """
        count = partners.size
        same_field = self.field[partners] == self.field[member]
        placed = np.zeros(count, bool) if placed is None else placed
        params = self.scenario.behaviour
        replies = (kind == STRANGER) & ~placed & (late_reply < params.stranger_reply_rate)
        reply_day = now + reply_delay * params.stranger_reply_days
        first = np.where(placed, now, np.where(replies, reply_day, np.nan)).astype(np.float32)
        self.ties.add(
            np.full(count, member, np.int32),
            partners,
            now,
            kind=kind,
            strength=strength,
            affinity=beliefs.initial_affinity(kind, same_field) + placed.astype(np.float32),
            intro=np.zeros(count, bool) if intro is None else intro,
            placed=placed,
            note=np.zeros(count, bool) if note is None else note,
            first_interaction=first,
        )
        inference = self.scenario.platform.inference
        if inference.connection_term:
            ends = np.concatenate([np.full(count, member, np.int64), partners.astype(np.int64)])
            topics = np.concatenate([self.field[partners], np.full(count, self.field[member])])
            beliefs.blend_toward(
                self.theta, ends, topics, np.full(2 * count, inference.connection_step)
            )

    def _unconnected(self, member: int, candidates: NDArray[np.int64]) -> NDArray[np.int64]:
        _, ties = self.ties.rows(np.array([member]))
        already = self.ties.dst[ties]
        unconnected: NDArray[np.bool_] = (candidates != member) & ~np.isin(candidates, already)
        return candidates[unconnected]

    def plan_trend(self, slot: int) -> strategies.InvitationPlan:
        """Draw, before the run, the invitations focal member `slot` receives (see
        :func:`sim.strategies.plan_invitations`): known inviters are friends of friends in
        the member's field, strangers anyone else not yet connected."""
        member = int(self.focal_ids[slot])
        spec = self.scenario.focal[slot]
        _, first = self.ties.rows(np.array([member]))
        _, second = self.ties.rows(self.ties.dst[first])
        known = np.unique(self.ties.dst[second]).astype(np.int64)
        known = self._unconnected(member, known[self.field[known] == self.field[member]])
        others = self._unconnected(member, np.arange(self.n))
        others = others[~np.isin(others, known) & (self.focal_slot[others] < 0)]
        return strategies.plan_invitations(
            spec.strategy,
            self.scenario.duration_days,
            known,
            others,
            self.session_rate[others],
            self.rng["trend"],
        )

    def plan_sent(self, slot: int) -> strategies.InvitationPlan:
        """Draw, before the run, the invitations focal member `slot` sends: to strangers not
        yet connected, in proportion to their session rate."""
        member = int(self.focal_ids[slot])
        others = self._unconnected(member, np.arange(self.n))
        others = others[self.focal_slot[others] < 0]
        return strategies.plan_sent_invitations(
            self.scenario.focal[slot].strategy,
            self.scenario.duration_days,
            others,
            self.session_rate[others],
            self.rng["outreach"],
        )

    def handle_sent(self, slot: int, day: int, now: float) -> None:
        """The answers to `day`'s invitations sent by a focal member (#Persoonlijk, C11).

        An invitation is accepted when ``answer < sent_accept_rate``. With a personal note
        (one message each, within the daily budget) the stranger replies at once when
        ``late_reply < note_reply_rate``, which places the tie; without one, the tie may
        still exchange messages later (``stranger_reply_rate``, see :meth:`_connect`).
        """
        plan = self.sent_plans[slot]
        today = plan.on(day)
        member = int(self.focal_ids[slot])
        invitee = plan.inviter[today]
        strategy = self.scenario.focal[slot].strategy
        valid = self.ties.lookup(np.full(invitee.size, member), invitee) < 0
        note = (np.cumsum(valid) <= strategy.messages_per_day) & valid & strategy.personal_note
        self.messages_sent[slot] += int(note.sum())
        accept = valid & (plan.answer[today] < strategy.sent_accept_rate)
        late = plan.late_reply[today]
        placed = note & (late < strategy.note_reply_rate)
        if not accept.any():
            return
        self._connect(
            member,
            invitee[accept].astype(np.int32),
            np.full(int(accept.sum()), STRANGER, np.int8),
            now,
            strength=plan.strength[today][accept],
            late_reply=np.where(note, np.inf, late)[accept],
            reply_delay=plan.reply_delay[today][accept],
            placed=placed[accept],
            note=note[accept],
        )

    def sent_answers(
        self, env: simpy.Environment, slot: int, day: int
    ) -> Generator[simpy.Event, Any, None]:
        """At the start of the next day, the answers to `day`'s sent invitations arrive."""
        yield env.timeout(day + 1)
        self.handle_sent(slot, day, float(env.now))

    def handle_invitations(self, slot: int, day: int, now: float) -> None:
        """A day's invitations to a focal member, answered by its strategy
        (:func:`sim.strategies.answer_invitations`). Invitations from people the member has
        connected with since the plan was drawn are void."""
        plan = self.plans[slot]
        today = plan.on(day)
        member = int(self.focal_ids[slot])
        inviter = plan.inviter[today]
        valid = self.ties.lookup(np.full(inviter.size, member), inviter) < 0
        strategy = self.scenario.focal[slot].strategy
        known = plan.known[today][valid]
        answers = strategies.answer_invitations(strategy, known, plan.answer[today][valid])
        self.messages_sent[slot] += answers.messages
        accept = answers.accept
        if not accept.any():
            return
        kind = np.where(known, TIE_KINDS.index("field_peer"), STRANGER).astype(np.int8)
        self._connect(
            member,
            inviter[valid][accept].astype(np.int32),
            kind[accept],
            now,
            strength=plan.strength[today][valid][accept],
            late_reply=plan.late_reply[today][valid][accept],
            reply_delay=plan.reply_delay[today][valid][accept],
            intro=answers.intro[accept],
            placed=answers.placed[accept],
        )

    def prune(self, event: Prune, now: float) -> None:
        """#Keuze: remove the member's ties of the given kinds never heard from."""
        member = self.focal_by_name[event.member]
        _, edges = self.ties.rows(np.array([member]))
        kinds = [TIE_KINDS.index(k) for k in event.kinds]
        heard = self.ties.first_interaction[edges] <= now  # False for NaN and exchanges to come
        silent = ~heard & np.isin(self.ties.kind[edges], kinds)
        partners = self.ties.dst[edges[silent]]
        removed = self.ties.remove_pairs(np.full(partners.size, member), partners)
        removed["first_interaction"][:] = np.nan  # an exchange still to come never happens
        removed["removed_day"] = np.full(int(silent.sum()), now)
        removed["removal_minutes"] = np.full(int(silent.sum()), event.minutes_per_removal)
        self.removed.append(removed)

    def _snapshot_connections(self, day: int) -> None:
        """Focal members' connections by kind, and how many of them ever saw their posts."""
        owner, edge = self.ties.rows(self.focal_ids)
        kind = self.ties.kind[edge]
        np.add.at(self.connections[:, day, :, 0], (owner, kind), 1)
        np.add.at(self.connections[:, day, :, 1], (owner, kind), self.ties.reached[edge])

    # ------------------------------------------------------------------ running

    def run(self, on_day: Callable[[int], None] | None = None) -> RunRecords:
        """Simulate ``duration_days`` and return the records."""
        env = simpy.Environment()
        for i, event in enumerate(self.scenario.events):
            env.process(self.scripted(env, event, i))
        for slot, plan in self.plans.items():
            for day in np.unique(plan.day):
                if day + 1 < self.scenario.duration_days:
                    env.process(self.invitations(env, slot, int(day)))
        for slot, plan in self.sent_plans.items():
            for day in np.unique(plan.day):
                if day + 1 < self.scenario.duration_days:
                    env.process(self.sent_answers(env, slot, int(day)))
        env.process(self.time_slices(env, on_day))
        env.run()  # every process ends by itself at the end of the last day
        return self.records()

    def records(self) -> RunRecords:
        """The run's records: posts, focal feeds, beliefs and connections, focal ties."""
        posts = {
            name: self.posts[name].copy()
            for name in ("author", "topic", "created", "author_connections", *POST_COUNTERS)
        }
        _, rows = self.ties.rows(self.focal_ids)
        current = {name: getattr(self.ties, name)[rows] for name in ties_module.COLUMNS}
        current["removed_day"] = np.full(rows.size, np.nan)
        current["removal_minutes"] = np.zeros(rows.size)
        parts = [current, *self.removed]
        merged = {name: np.concatenate([p[name] for p in parts]) for name in current}
        tie_columns: dict[str, NDArray[np.generic]] = {
            "member_id": merged["src"].astype(np.int64),
            "partner_id": merged["dst"].astype(np.int64),
            "kind": np.asarray(TIE_KINDS)[merged["kind"]],
            "created_day": merged["created"].astype(np.float64),
            "intro_message": merged["intro"].astype(bool),
            "placed": merged["placed"].astype(bool),
            "personal_note": merged["note"].astype(bool),
            "first_interaction_day": np.where(
                merged["first_interaction"] <= self.scenario.duration_days,
                merged["first_interaction"],
                np.nan,
            ).astype(np.float64),
            "reached": merged["reached"].astype(bool),
            "removed_day": merged["removed_day"].astype(np.float64),
            "removal_minutes": merged["removal_minutes"].astype(np.float64),
        }
        counts = dict(self.counts)
        counts.update(posts=self.posts.size, ties=self.ties.count // 2, members=self.n)
        return RunRecords(
            topics=self.topics,
            posts=posts,
            focal_ids=self.focal_ids.copy(),
            feed=self.feed,
            inferred=self.inferred,
            true_interest=self.interest[self.focal_ids].copy(),
            connections=self.connections,
            messages_sent=self.messages_sent.copy(),
            ties=tie_columns,
            counts=counts,
        )
