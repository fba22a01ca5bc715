"""The simulation's schedule: simpy drives time; the mechanisms of :mod:`sim.model` act.

Sessions and posts are frequent, so they are processed in time slices (``slice_hours``):
a simpy process wakes at each slice boundary and handles every post and feed session that
falls in the slice in a few vectorised calls. Rare events (scripted bursts of connections,
invitations, the daily bookkeeping) are simpy processes of their own, handled one by one.

Within a slice:

1. **Posting** (:meth:`World.publish`): new posts (:func:`sim.model.activity.create_posts`),
   tag notifications, the test audience (:mod:`sim.model.audience`), and notifications of
   some of its members (:mod:`sim.model.notifications`).
2. **Sessions** (:meth:`World.serve_sessions`): the slice's sessions, with those
   notifications bring; a member with c sessions in the slice (at most
   ``max_sessions_per_slice``) has its candidates (pool rows, followed accounts' posts,
   recommendations), cut by the first pass when it is on, ranked at its first session
   time, and its sessions read the list from the top, each to its own depth
   (:mod:`sim.model.reading`); it reacts by its true behaviour, the platform learns, and
   engagements spread to the engager's connections, some of whom are notified
   (:mod:`sim.model.candidates`, :mod:`sim.model.follows`, :mod:`sim.model.reactions`,
   :mod:`sim.model.learning`).
3. **Wider distribution** (:func:`sim.model.audience.expand_tested`): posts whose test
   window ended reach the rest of the author's connections by their observed engagement.

Optional submodels and the observers that record the run attach to the same hooks
(:class:`sim.model.hooks.Hooks`): the engine calls them at the start, at each day's start
and end, and in each slice when sessions are served, items shown and engagements made. The
trend (:class:`sim.model.trend.TrendSubmodel`), when the scenario has one, is such a
submodel: its adopters invite at the start of each day, members adopt at its end from the
calls to connect they saw. The observers (:mod:`sim.observers`) keep every record.

A post is shown to a member at most once, so a post's impressions equal its unique viewers.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from numpy.typing import NDArray

from sim.behaviour import NONE
from sim.heap import every_size_from_the_heap, reuse_freed_memory
from sim.model import (
    activity,
    audience,
    candidates,
    follows,
    learning,
    linking,
    notifications,
    reactions,
    reading,
)
from sim.model.arms import ArmRoutes
from sim.model.hooks import Hooks, Impressions, Served, Shown
from sim.model.population import initial_state
from sim.model.trend import TrendSubmodel
from sim.network import build_network, rewired
from sim.observers import OBSERVERS, Observer, RunRecords
from sim.observers.totals import Totals
from sim.rng import streams
from sim.scenario import AcceptInvitations, Prune, Scenario
from sim.table_schema import HOURS_PER_DAY


class World:
    """One replication of one variant: the state and the processes that change it.

    The network it starts from is not kept: the state holds its ties
    (:class:`sim.ties.Ties`), and at a million members the network's own edge arrays are
    0.6 GB more for the whole run.
    """

    def __init__(self, scenario: Scenario, seed: int, source: Path) -> None:
        reuse_freed_memory()
        self.scenario = scenario
        self.source = source
        self.rng = streams(seed)
        network = build_network(scenario, self.rng["network"], source)
        if scenario.network.rewire != "none":
            network = rewired(network, scenario.network.rewire, self.rng["rewire"])
        self.state = initial_state(scenario, network, self.rng, source)
        self.routes = ArmRoutes.of(self.state.arm, scenario.platform)
        self.submodels: list[Hooks] = []
        if scenario.trend is not None:
            self.submodels.append(TrendSubmodel(scenario, self.rng["population"]))
        self.observers: list[Observer] = [
            kind(scenario, self.state) for kind in OBSERVERS if kind.attached(scenario)
        ]
        self.hooks: list[Hooks] = [*self.submodels, *self.observers]
        for hook in self.hooks:
            hook.start(self.state)

    # ------------------------------------------------------------------ processes

    def time_slices(
        self, env: simpy.Environment, on_day: Callable[[int], None] | None
    ) -> Generator[simpy.Event, Any, None]:
        """Wake at each slice boundary and process the slice that starts there.

        Slices tile the day (``24 / slice_hours`` is a whole number), so a day boundary is
        always a slice boundary. There, after the scripted events and invitations of that
        instant (scheduled from time 0, so they come first), the day ends for the hooks and
        then the new one starts.
        """
        hours = self.scenario.slice_hours
        per_day = round(HOURS_PER_DAY / hours)
        for k in range(self.scenario.duration_days * per_day):
            day, step = divmod(k, per_day)
            if step == 0 and day > 0:
                self.end_of_day(day, on_day)
            if step == 0:
                for hook in self.hooks:
                    hook.day_start(self.state, day)
            start = k * hours / float(HOURS_PER_DAY)
            end = (k + 1) * hours / float(HOURS_PER_DAY)
            self.publish(start, end)
            self.serve_sessions(start, end)
            audience.expand_tested(self.state, self.scenario.platform.test_audience, end)
            yield env.timeout(end - env.now)
        self.end_of_day(self.scenario.duration_days, on_day)

    def end_of_day(self, day: int, on_day: Callable[[int], None] | None) -> None:
        """After `day` days: forget expired candidates, then the hooks' end of the day
        (submodels first: the trend's adoption; then the observers' daily records)."""
        candidates.forget_expired(self.state, float(day), self.scenario.platform.max_age_days)
        for hook in self.hooks:
            hook.day_end(self.state, day)
        if on_day is not None:
            on_day(day)

    def scripted(
        self, env: simpy.Environment, event: AcceptInvitations | Prune, index: int
    ) -> Generator[simpy.Event, Any, None]:
        """A scripted event at its day; a burst's acceptances on each of its days
        (:func:`sim.model.linking.burst_days`), at times ``day + k``."""
        if isinstance(event, AcceptInvitations):
            per_day = linking.burst_days(event.count, event.days)
            remaining = event.count
            for k in np.flatnonzero(per_day):
                yield env.timeout(event.day + float(k) - env.now)
                count = int(per_day[k])
                linking.accept_burst(
                    self.state,
                    self.scenario,
                    event,
                    index,
                    count,
                    remaining,
                    float(env.now),
                    self.rng["invitations"],
                    self.rng["burst_intros"],
                    self.source,
                )
                remaining -= count
            return
        yield env.timeout(event.day)
        removed = linking.prune(self.state, event, float(env.now), self.scenario.platform.inference)
        for hook in self.hooks:
            hook.ties_removed(self.state, removed)

    def invitations(
        self, env: simpy.Environment, slot: int, day: int
    ) -> Generator[simpy.Event, Any, None]:
        """At the start of the next day, the member handles `day`'s invitations."""
        yield env.timeout(day + 1)
        linking.answer_received(self.state, self.scenario, slot, day, float(env.now))

    def sent_answers(
        self, env: simpy.Environment, slot: int, day: int
    ) -> Generator[simpy.Event, Any, None]:
        """At the start of the next day, the answers to `day`'s sent invitations arrive."""
        yield env.timeout(day + 1)
        linking.answer_sent(self.state, self.scenario, slot, day, float(env.now))

    # ------------------------------------------------------------------ one slice

    def publish(self, start: float, end: float) -> None:
        """Create the slice's posts, notify tagged peers, send posts to their test audience."""
        test = self.scenario.platform.test_audience
        window = test.window_hours / float(HOURS_PER_DAY) if test.enabled else 0.0
        new = activity.create_posts(self.state, self.rng["posting"], start, end, window)
        if new.ids.size == 0:
            return
        candidates.notify_tagged(self.state, new.author, new.ids, new.created)
        first_row = self.state.pool.size
        audience.send_to_test_audience(
            self.state,
            test,
            new.ids,
            new.author,
            new.created,
            self.rng["audience"],
            self.routes.bypass,
            followers=self.scenario.platform.followers == "audience",
        )
        settings = self.scenario.platform.notifications
        notifications.notify(
            self.state, first_row, settings.post_fraction, settings, self.rng["notifications"]
        )

    def serve_sessions(self, start: float, end: float) -> None:
        """Every feed session of the slice: candidates, ranking, reading and reactions."""
        state, most = self.state, self.scenario.max_sessions_per_slice
        due = notifications.due_sessions(state, start, end)
        sessions = activity.draw_sessions(state, self.rng["sessions"], start, end, most, due)
        if sessions.viewers.size == 0:
            return
        k = self.scenario.platform.feed_size
        exponentials = self.rng["reading"].exponential(1.0, (sessions.viewers.size, most))
        depths = reading.session_depths(
            exponentials, sessions.count, self.scenario.behaviour.session_depth_items, k
        )
        uniforms = self.rng["engagement"].random((sessions.viewers.size, k * most))
        state.session_slot[sessions.viewers] = np.arange(sessions.viewers.size)
        try:
            self.serve(sessions, depths, uniforms, int(due[0].size))
        finally:
            state.session_slot[sessions.viewers] = -1

    def serve(
        self,
        sessions: activity.Sessions,
        depths: NDArray[np.int64],
        uniforms: NDArray[np.float64],
        notified: int,
    ) -> None:
        """Gather and rank the served members' candidates; each session reads its items
        from the top; apply the reactions."""
        state, platform, params = self.state, self.scenario.platform, self.scenario.behaviour
        recommended = candidates.recommend(
            state, sessions, platform, self.rng["ranking"], self.routes.without_recommendations
        )
        followed = (
            follows.recent_by_author(state, sessions.time, platform.max_age_days)
            if platform.followers == "pull"
            else None
        )
        gathered = candidates.gather_candidates(
            state, sessions, recommended, platform.max_age_days, followed
        )
        offered = np.bincount(gathered.slot, minlength=sessions.count.size)
        gathered, edge = candidates.first_pass(state, gathered, sessions, platform)
        slot = gathered.slot
        per_member = np.bincount(slot, minlength=sessions.count.size)
        read = reading.items_read(depths, per_member)
        served = Served(
            sessions.viewers,
            sessions.time,
            sessions.count,
            notified,
            per_member,
            read,
            offered - per_member,
        )
        for hook in self.hooks:
            hook.served(state, served)
        if gathered.viewer.size == 0:
            return
        now = sessions.time[slot]
        c = candidates.candidate_features(
            state, gathered, now, platform.affinity_half_life_days, edge
        )
        for hook in self.hooks:
            hook.ranked(state, c)
        limit = depths.sum(axis=1)[slot]
        shown, rank = candidates.select_feed(
            c, limit, platform, self.rng["ranking"], gathered.starts, state.arm
        )
        _, position = reading.positions(slot[shown], rank, depths)
        seen = reactions.impressions(c, shown, now)
        primary = gathered.primary[shown]
        reactions.count_impressions(state, seen, primary)
        action = reactions.decide_reactions(state, seen, rank, position, uniforms, params)
        acted = action != NONE
        for hook in self.hooks:
            hook.shown(state, Shown(seen, primary, acted))
        if acted.any():
            self.engage(seen.select(acted), action[acted])
        candidates.mark_shown(state, gathered, shown, now)

    def engage(self, engaged: Impressions, action: NDArray[np.int8]) -> None:
        """Count the engagements, learn from them, and spread them to the engagers'
        connections (some of whom are notified)."""
        state, platform, params = self.state, self.scenario.platform, self.scenario.behaviour
        reactions.count_engagements(state, engaged, action)
        for hook in self.hooks:
            hook.engaged(state, engaged, action)
        learning.remember_interactions(
            state.ties,
            engaged.edge,
            engaged.when,
            platform.affinity_half_life_days,
            platform.affinity,
        )
        learning.learn_from_engagements(
            state.theta,
            state.share_parts,
            state.field,
            engaged.viewer,
            engaged.topic,
            action,
            platform.inference,
        )
        first_row = state.pool.size
        candidates.spread_activity(
            state,
            engaged.viewer,
            engaged.post,
            action,
            engaged.when,
            params,
            self.rng["fanout"],
            self.routes.shares_only,
        )
        settings = platform.notifications
        notifications.notify(
            state, first_row, settings.activity_fraction, settings, self.rng["notifications"]
        )

    # ------------------------------------------------------------------ running

    def run(self, on_day: Callable[[int], None] | None = None) -> RunRecords:
        """Simulate ``duration_days`` and return the records."""
        env = simpy.Environment()
        days = self.scenario.duration_days
        for i, event in enumerate(self.scenario.events):
            env.process(self.scripted(env, event, i))
        for slot, plan in self.state.plans.items():
            for day in np.unique(plan.day):
                if day + 1 < days:
                    env.process(self.invitations(env, slot, int(day)))
        for slot, plan in self.state.sent_plans.items():
            for day in np.unique(plan.day):
                if day + 1 < days:
                    env.process(self.sent_answers(env, slot, int(day)))
        env.process(self.time_slices(env, on_day))
        with every_size_from_the_heap():
            env.run()  # every process ends by itself at the end of the last day
        return self.records()

    def records(self) -> RunRecords:
        """The observers' records and the run's totals."""
        state = self.state
        totals = next(o for o in self.observers if isinstance(o, Totals))
        return RunRecords(
            topics=state.topics,
            focal_ids=state.focal_ids.copy(),
            members=state.n,
            counts=totals.totals(state),
            kept={o.name: o.records(state) for o in self.observers},
        )
