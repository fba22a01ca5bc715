"""The exposure funnel of every member (the ``funnel`` table) and its member-days (the
``member_days`` table); attached only to runs with ``measure.funnel``.

``funnel`` follows viewer-post pairs by the post's creation day, the viewer's arm, the
viewer's relation to the author and whether the topic is the viewer's field, through four
stages: *created* (the potential: the pair exists once the post is created), *candidates*
(the pair was a candidate in at least one session), *impressions* (shown) and
*engagements* (engaged with). Every stage of a pair is attributed to one relation, the one
it had **when the post was created**, so that each row's stages are nested:

- connected then (a tie viewer -> author that existed at creation): the tie's group, peer or
  stranger;
- else following the author: follow;
- else neither: second_degree or out_of_network by the route the pair first came by as a
  candidate (a recommendation: out_of_network; anything else: second_degree). The
  potential of those two rows is the same set of pairs (members neither connected to nor
  following the author, but the author), counted in both rows.

The potential of a post is counted from the ties at the slice of its creation (at the
latest, when the day ends); ties created later than the post do not count, and ties pruned
after the post was created still do (pruned ties are remembered).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.arrays import first_of_runs
from sim.behaviour import ACTIONS
from sim.model.hooks import Impressions, Served, Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords, cells, feed_day
from sim.observers.pairs import (
    follow_keys,
    followers_index,
    found_in,
    pair_keys,
    ranges,
    split_keys,
)
from sim.ranking import Candidates
from sim.scenario import Scenario
from sim.sources import GROUP_OF_SOURCE, RECOMMENDED, TAG
from sim.table_schema import FUNNEL_STAGES, GROUPS, MEMBER_DAY_COUNTS

FOLLOW, SECOND, OUT = (GROUPS.index(g) for g in ("follow", "second_degree", "out_of_network"))
TAGGED = 8
"""Added to a pair's relation code when it first came by a tag notification: such a pair
may stay a candidate past ``max_age_days`` (a tag stays until seen)."""


@dataclass
class Seen:
    """Pairs that have been candidates, first so on one feed day: keys ascending, with the
    relation code of each (plus :data:`TAGGED`)."""

    day: int
    keys: NDArray[np.int64]
    relation: NDArray[np.int8]


class Removed:
    """Ties pruned during the run, both directions, so that a pair connected when a post
    was created still counts as connected after the tie is gone."""

    def __init__(self) -> None:
        self.keys = np.zeros(0, np.int64)
        self.created = np.zeros(0, np.float64)
        self.removed = np.zeros(0, np.float64)
        self.kind = np.zeros(0, np.int8)

    def add(self, n: int, removed: dict[str, NDArray[np.generic]]) -> None:
        src = np.asarray(removed["src"], np.int64)
        dst = np.asarray(removed["dst"], np.int64)
        keys = np.concatenate([self.keys, src * n + dst, dst * n + src])
        twice = {
            name: np.tile(np.asarray(removed[column], dtype), 2)
            for name, column, dtype in (
                ("created", "created", np.float64),
                ("removed", "removed_day", np.float64),
                ("kind", "kind", np.int8),
            )
        }
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.created = np.concatenate([self.created, twice["created"]])[order]
        self.removed = np.concatenate([self.removed, twice["removed"]])[order]
        self.kind = np.concatenate([self.kind, twice["kind"]])[order]

    def covering(
        self, keys: NDArray[np.int64], when: NDArray[np.float64]
    ) -> tuple[NDArray[np.bool_], NDArray[np.int8]]:
        """Whether a removed tie joined each pair `keys` (``viewer * n + author``) at time
        `when`, and its kind."""
        covered = np.zeros(keys.size, bool)
        kind = np.zeros(keys.size, np.int8)
        if self.keys.size == 0:
            return covered, kind
        lo = np.searchsorted(self.keys, keys, "left")
        hi = np.searchsorted(self.keys, keys, "right")
        row, at = ranges(lo, hi)
        ok = (self.created[at] <= when[row]) & (when[row] < self.removed[at])
        covered[row[ok]] = True
        kind[row[ok]] = self.kind[at[ok]]
        return covered, kind


class Funnel(Observer):
    """Funnel counts of shape (creation day, arm, :data:`~sim.table_schema.GROUPS`, topic
    relation, :data:`~sim.table_schema.FUNNEL_STAGES`) and member-day counts of shape
    (feed day, arm, :data:`~sim.table_schema.MEMBER_DAY_COUNTS`)."""

    name = "funnel"
    tables = ("funnel", "member_days")

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.days = scenario.duration_days
        self.arms = len(state.arm_names)
        self.arm = state.arm.astype(np.int64)
        self.field = state.field.astype(np.int64)
        self.shape = (self.days, self.arms, len(GROUPS), 2)
        self.funnel = np.zeros((*self.shape, len(FUNNEL_STAGES)), np.int64)
        self.member_days = np.zeros((self.days, self.arms, len(MEMBER_DAY_COUNTS)), np.int64)
        self.arm_field = np.zeros((self.arms, state.n_topics), np.int64)
        np.add.at(self.arm_field, (self.arm, self.field), 1)
        self.follows = follow_keys(state)
        self.follower_ptr, self.followers = followers_index(state)
        self.removed = Removed()
        self.next_post = 0
        self.keep_days = math.ceil(scenario.platform.max_age_days) + 1
        self.seen: list[Seen] = []
        self.tagged = Seen(-1, np.zeros(0, np.int64), np.zeros(0, np.int8))
        self.today: list[tuple[NDArray[np.int64], NDArray[np.int8]]] = []
        self.shown_today: list[tuple[NDArray[np.int64], NDArray[np.bool_]]] = []
        self.active = np.zeros(state.n, bool)

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        return scenario.measure.funnel

    # ------------------------------------------------------------------ hooks

    def served(self, state: State, served: Served) -> None:
        """The potential of the posts created so far; the slice's sessions, candidates the
        first pass cut, and active members."""
        self.count_created(state)
        day = feed_day(served.time, self.days)
        cell = day * self.arms + self.arm[served.viewers]
        flat = self.member_days.reshape(-1, len(MEMBER_DAY_COUNTS))
        for name, value in (("sessions", served.count), ("first_pass_cut", served.cut)):
            column = MEMBER_DAY_COUNTS.index(name)
            flat[:, column] += np.bincount(cell, value, flat.shape[0]).astype(np.int64)
        self.active[served.viewers] = True

    def ranked(self, state: State, candidates: Candidates) -> None:
        """Keep the slice's candidate pairs with their relation at the post's creation."""
        keys = pair_keys(candidates.viewer, candidates.post)
        self.today.append((keys, self.relation_at_creation(state, candidates)))

    def shown(self, state: State, shown: Shown) -> None:
        """Keep the shown pairs (the funnel counts them at the day's end); count the
        member-days' impressions and engagements."""
        seen = shown.seen
        self.shown_today.append((pair_keys(seen.viewer, seen.post), shown.engaged))
        cell = feed_day(seen.when, self.days) * self.arms + self.arm[seen.viewer]
        flat = self.member_days.reshape(-1, len(MEMBER_DAY_COUNTS))
        size = flat.shape[0]
        flat[:, MEMBER_DAY_COUNTS.index("impressions")] += np.bincount(cell, minlength=size)
        engaged = np.bincount(cell[shown.engaged], minlength=size)
        flat[:, MEMBER_DAY_COUNTS.index("engagements")] += engaged

    def engaged(self, state: State, engaged: Impressions, action: NDArray[np.int8]) -> None:
        """The member-days' likes, comments and shares."""
        cell = feed_day(engaged.when, self.days) * self.arms + self.arm[engaged.viewer]
        flat = self.member_days.reshape(-1, len(MEMBER_DAY_COUNTS))
        for name in ("like", "comment", "share"):
            column = MEMBER_DAY_COUNTS.index(f"{name}s")
            rows = action == ACTIONS.index(name)
            flat[:, column] += np.bincount(cell[rows], minlength=flat.shape[0])

    def ties_removed(self, state: State, removed: dict[str, NDArray[np.generic]]) -> None:
        self.removed.add(state.n, removed)

    def day_end(self, state: State, day: int) -> None:
        """The potential of the day's last posts; the day's candidates (distinct per member,
        and those that are candidates for the first time), impressions and engagements."""
        self.count_created(state)
        today = day - 1
        active = MEMBER_DAY_COUNTS.index("active_members")
        self.member_days[today, :, active] = np.bincount(self.arm[self.active], minlength=self.arms)
        self.active[:] = False
        if self.today:
            self.count_candidates(state, today)
        if self.shown_today:
            self.count_shown(state)
        self.today, self.shown_today = [], []
        self.forget(today)

    def records(self, state: State) -> Arrays:
        return {
            "funnel": self.funnel,
            "member_days": self.member_days,
            "arm_members": np.bincount(self.arm, minlength=self.arms).astype(np.int64),
            "arm_names": np.asarray(state.arm_names, dtype=str),
        }

    # ------------------------------------------------------------------ counting

    def relation_at_creation(self, state: State, c: Candidates) -> NDArray[np.int8]:
        """Each candidate pair's relation when its post was created (codes of
        :data:`~sim.table_schema.GROUPS`, plus :data:`TAGGED` for a tag notification)."""
        posts, ties = state.posts, state.ties
        author = posts["author"][c.post].astype(np.int64)
        created = posts["created"][c.post]
        safe = np.maximum(c.edge, 0)
        connected = (c.edge >= 0) & (ties.created[safe] <= created)
        kind = ties.kind[safe]
        by_member = c.viewer.astype(np.int64) * state.n + author
        was, was_kind = self.removed.covering(by_member, created)
        kind = np.where(connected, kind, was_kind)
        connected |= was
        relation = np.where(c.route == RECOMMENDED, OUT, SECOND)
        relation = np.where(found_in(self.follows, by_member) >= 0, FOLLOW, relation)
        relation = np.where(connected, GROUP_OF_SOURCE[kind], relation)
        return (relation + np.where(c.route == TAG, TAGGED, 0)).astype(np.int8)

    def count_created(self, state: State) -> None:
        """The potential of the posts created since the last call: each post's connections
        at its creation (by tie group) and followers not connected then; the members of
        each arm neither connected nor following, but the author, in both the second_degree
        and the out_of_network rows."""
        posts, ties = state.posts, state.ties
        first, last = self.next_post, posts.size
        if last == first:
            return
        self.next_post = last
        author = posts["author"][first:last].astype(np.int64)
        created = posts["created"][first:last]
        topic = posts["topic"][first:last].astype(np.int64)
        day = feed_day(created, self.days)
        owner, tie = ties.rows(author)
        keep = ties.created[tie] <= created[owner]
        owner, tie = owner[keep], tie[keep]
        f_owner, at = ranges(self.follower_ptr[author], self.follower_ptr[author + 1])
        follower = self.followers[at]
        edge = ties.lookup(follower, author[f_owner])
        joined = (edge >= 0) & (ties.created[np.maximum(edge, 0)] <= created[f_owner])
        f_owner, follower = f_owner[~joined], follower[~joined]
        post = np.concatenate([owner, f_owner])
        viewer = np.concatenate([ties.dst[tie].astype(np.int64), follower])
        relation = np.concatenate(
            [GROUP_OF_SOURCE[ties.kind[tie]], np.full(follower.size, FOLLOW, np.int64)]
        )
        arm = self.arm[viewer]
        other = (self.field[viewer] != topic[post]).astype(np.int64)
        self.add(0, (day[post], arm, relation, other))
        # the rest of each arm: all its members of the topic's field or not, but those
        # counted above and the author
        count = last - first
        taken = np.bincount((post * self.arms + arm) * 2 + other, minlength=count * self.arms * 2)
        taken = taken.reshape(count, self.arms, 2)
        taken[np.arange(count), self.arm[author], (self.field[author] != topic).astype(int)] += 1
        own = self.arm_field[:, topic].T
        rest = np.stack([own, self.arm_field.sum(axis=1)[None, :] - own], axis=2) - taken
        p, a, o = (np.broadcast_to(x, rest.shape).ravel() for x in np.ix_(*map(range, rest.shape)))
        for relation_code in (SECOND, OUT):
            index = (day[p], a, np.full(p.size, relation_code), o)
            self.add(0, index, rest.ravel())

    def add(
        self,
        stage: int,
        index: tuple[NDArray[np.int64], ...],
        weights: NDArray[np.int64] | None = None,
    ) -> None:
        """Add one (or `weights`) to the funnel cells `index` of `stage`."""
        size = int(np.prod(self.shape))
        cell = np.ravel_multi_index(index, self.shape)
        counts = np.bincount(cell, weights, minlength=size)
        self.funnel.reshape(size, len(FUNNEL_STAGES))[:, stage] += np.rint(counts).astype(np.int64)

    def cells_of(
        self, state: State, keys: NDArray[np.int64], relation: NDArray[np.int8]
    ) -> tuple[NDArray[np.int64], ...]:
        """Funnel cells of pairs: (creation day of the post, viewer's arm, relation, other)."""
        viewer, post = split_keys(keys)
        created = state.posts["created"][post]
        other = (self.field[viewer] != state.posts["topic"][post]).astype(np.int64)
        group = relation.astype(np.int64) % TAGGED
        return feed_day(created, self.days), self.arm[viewer], group, other

    def count_candidates(self, state: State, today: int) -> None:
        """The day's distinct candidate pairs (member-days) and, of them, the pairs never a
        candidate before (the funnel, with the relation of their first candidacy)."""
        keys = np.concatenate([k for k, _ in self.today])
        relation = np.concatenate([r for _, r in self.today])
        order = np.argsort(keys, kind="stable")  # the first candidacy of a pair comes first
        keys, relation = keys[order], relation[order]
        first = first_of_runs(keys)
        keys, relation = keys[first], relation[first]
        viewer, _ = split_keys(keys)
        column = MEMBER_DAY_COUNTS.index("candidates")
        self.member_days[today, :, column] = np.bincount(self.arm[viewer], minlength=self.arms)
        new = np.ones(keys.size, bool)
        for earlier in (*self.seen, self.tagged):
            new &= found_in(earlier.keys, keys) < 0
        fresh = Seen(today, keys[new], relation[new])
        self.seen.append(fresh)
        self.add(
            FUNNEL_STAGES.index("candidates"), self.cells_of(state, fresh.keys, fresh.relation)
        )

    def count_shown(self, state: State) -> None:
        """The day's shown and engaged pairs, each in the cell of its first candidacy."""
        keys = np.concatenate([k for k, _ in self.shown_today])
        engaged = np.concatenate([e for _, e in self.shown_today])
        relation = np.full(keys.size, -1, np.int64)
        for earlier in (*self.seen, self.tagged):
            at = found_in(earlier.keys, keys)
            relation[at >= 0] = earlier.relation[at[at >= 0]]
        if (relation < 0).any():
            raise RuntimeError("funnel: an item was shown that was never a candidate")
        cells = self.cells_of(state, keys, relation.astype(np.int8))
        self.add(FUNNEL_STAGES.index("impressions"), cells)
        self.add(FUNNEL_STAGES.index("engagements"), tuple(c[engaged] for c in cells))

    def forget(self, today: int) -> None:
        """Drop the pairs first candidates more than ``max_age_days + 1`` days ago (their
        posts are no candidates any more), but tag notifications, which stay until seen."""
        old = [s for s in self.seen if today - s.day > self.keep_days]
        if not old:
            return
        self.seen = [s for s in self.seen if today - s.day <= self.keep_days]
        keys = np.concatenate([self.tagged.keys, *(s.keys[s.relation >= TAGGED] for s in old)])
        relation = np.concatenate(
            [self.tagged.relation, *(s.relation[s.relation >= TAGGED] for s in old)]
        )
        order = np.argsort(keys)
        self.tagged = Seen(-1, keys[order], relation[order])

    # ------------------------------------------------------------------ tables

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """``funnel``: a row per creation day, arm, relation and own field (dense);
        ``member_days``: a row per feed day and arm (dense). Without rows when the run did
        not record the funnel."""
        kept = run.kept.get(Funnel.name) or {
            "funnel": np.zeros((0, 0, len(GROUPS), 2, len(FUNNEL_STAGES)), np.int64),
            "member_days": np.zeros((0, 0, len(MEMBER_DAY_COUNTS)), np.int64),
            "arm_members": np.zeros(0, np.int64),
            "arm_names": np.zeros(0, dtype=str),
        }
        arm_names = np.asarray(kept["arm_names"], dtype=object)
        counts = kept["funnel"]
        day, arm, relation, other = cells(counts.shape[:4])
        funnel = pd.DataFrame(
            {
                "day": day,
                "arm": pd.Series(arm_names[arm], dtype="string"),
                "relation": pd.Series(np.asarray(GROUPS, dtype=object)[relation], dtype="string"),
                "own_field": other == 0,
                **{
                    stage: counts[day, arm, relation, other, i]
                    for i, stage in enumerate(FUNNEL_STAGES)
                },
            }
        )
        per_day = kept["member_days"]
        day, arm = cells(per_day.shape[:2])
        member_days = pd.DataFrame(
            {
                "day": day,
                "arm": pd.Series(arm_names[arm], dtype="string"),
                "members": kept["arm_members"][arm].astype(np.int64),
                **{name: per_day[day, arm, i] for i, name in enumerate(MEMBER_DAY_COUNTS)},
            }
        )
        return {"funnel": funnel, "member_days": member_days}
