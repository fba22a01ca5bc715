"""The audience of the posts created in a window (``measure.window_from_day`` to
``measure.window_to_day``), by viewer arm: per author (``author_reach``), per post
(``post_arms``) and per author group fixed at day 0 (``group_reach``); attached only to runs
with ``measure.audience``.

Impressions of a window post count until the run's end. Distinct viewers come from the
distinct (author, viewer) pairs of those impressions, kept as sorted int64 keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.arrays import distinct
from sim.model.hooks import Shown
from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords
from sim.observers.pairs import follow_pairs, pair_keys, split_keys
from sim.scenario import Scenario
from sim.table_schema import AUTHOR_GROUPS

TOP_SHARE = 0.01
"""The share of posting members in the ``top_1pct`` group."""
MIDDLE = (40.0, 60.0)
"""The percentiles of audience size that bound the ``p40_p60`` group."""


def author_groups(
    audience: NDArray[np.int64],
    post_rate: NDArray[np.float64],
    field: NDArray[np.int16],
    topics: Sequence[str],
) -> tuple[list[str], NDArray[np.bool_]]:
    """The author groups and their members (groups x members), among members with a
    posting rate above 0: the ``ceil(1%)`` of them with the largest audience (ties to the
    lower id), those whose audience lies between the 40th and 60th percentiles of theirs
    (inclusive, numpy's linear percentiles), and those of each field."""
    posting = np.flatnonzero(post_rate > 0)
    n = audience.size
    names = [*AUTHOR_GROUPS, *(f"field:{t}" for t in topics)]
    member = np.zeros((len(names), n), bool)
    if posting.size:
        top = int(np.ceil(TOP_SHARE * posting.size))
        order = np.lexsort((posting, -audience[posting]))
        member[0, posting[order[:top]]] = True
        low, high = np.percentile(audience[posting], MIDDLE)
        size = audience[posting]
        member[1, posting[(size >= low) & (size <= high)]] = True
        for t in range(len(topics)):
            member[len(AUTHOR_GROUPS) + t, posting[field[posting] == t]] = True
    return names, member


class Audience(Observer):
    """Impressions of window posts by (post, arm), and the distinct (author, viewer) pairs
    of those impressions."""

    name = "audience"
    tables = ("author_reach", "post_arms", "group_reach")

    def __init__(self, scenario: Scenario, state: State) -> None:
        self.start_day, self.end_day = scenario.measure.window(scenario.duration_days)
        self.arms = len(state.arm_names)
        self.arm = state.arm.astype(np.int64)
        self.by_post = np.zeros((0, self.arms), np.int64)
        self.pairs = np.zeros(0, np.int64)
        self.today: list[NDArray[np.int64]] = []
        self.groups: list[str] = []
        self.group_member = np.zeros((0, state.n), bool)

    @classmethod
    def attached(cls, scenario: Scenario) -> bool:
        return scenario.measure.audience

    def start(self, state: State) -> None:
        """The author groups, by audience size at day 0."""
        followers = np.bincount(follow_pairs(state)[1], minlength=state.n)
        audience = state.ties.degree() + followers
        self.groups, self.group_member = author_groups(
            audience, state.post_rate, state.field, state.topics
        )

    def shown(self, state: State, shown: Shown) -> None:
        """Count the impressions of window posts by post and arm; keep their (author,
        viewer) pairs."""
        seen, posts = shown.seen, state.posts
        created = posts["created"][seen.post]
        window = (created >= self.start_day) & (created < self.end_day)
        if not window.any():
            return
        if self.by_post.shape[0] < posts.size:
            grown = np.zeros((max(posts.size, 2 * self.by_post.shape[0]), self.arms), np.int64)
            grown[: self.by_post.shape[0]] = self.by_post
            self.by_post = grown
        post, viewer = seen.post[window], seen.viewer[window]
        np.add.at(self.by_post, (post, self.arm[viewer]), 1)
        self.today.append(pair_keys(posts["author"][post], viewer))

    def day_end(self, state: State, day: int) -> None:
        """Fold the day's (author, viewer) pairs into the distinct ones."""
        if self.today:
            self.pairs = distinct(np.concatenate([self.pairs, *self.today]))
            self.today = []

    def records(self, state: State) -> Arrays:
        """Per author and arm, per window post and arm, per group and arm."""
        self.day_end(state, -1)
        posts, ties, arms = state.posts, state.ties, self.arms
        created = posts["created"]
        in_window = np.flatnonzero((created >= self.start_day) & (created < self.end_day))
        by_post = np.zeros((posts.size, arms), np.int64)
        by_post[: min(posts.size, self.by_post.shape[0])] = self.by_post[: posts.size]
        author_of = posts["author"][in_window].astype(np.int64)
        n = state.n
        posts_by = np.bincount(author_of, minlength=n)
        impressions = np.zeros((n, arms), np.int64)
        np.add.at(impressions, author_of, by_post[in_window])
        author, viewer = split_keys(self.pairs)
        viewers = np.bincount(author * arms + self.arm[viewer], minlength=n * arms)
        linked = ties.lookup(viewer, author) >= 0
        connected = np.bincount(
            author[linked] * arms + self.arm[viewer[linked]], minlength=n * arms
        )
        src, dst = ties.src.astype(np.int64), ties.dst.astype(np.int64)
        arm_connections = np.bincount(src * arms + self.arm[dst], minlength=n * arms)
        authors = np.flatnonzero(posts_by > 0)
        row_author = np.repeat(authors, arms)
        row_arm = np.tile(np.arange(arms, dtype=np.int64), authors.size)
        cell = row_author * arms + row_arm
        groups = len(self.groups)
        group_rows = np.zeros((groups, arms, 4), np.int64)
        arm_members = np.bincount(self.arm, minlength=arms).astype(np.int64)
        for g in range(groups):  # a few groups: two by audience, one per field
            member = self.group_member[g]
            group_rows[g, :, 0] = int(member.sum())
            group_rows[g, :, 1] = int(member[author_of].sum())
            group_rows[g, :, 2] = impressions[member].sum(axis=0)
            seen_by = distinct(viewer[member[author]])
            group_rows[g, :, 3] = np.bincount(self.arm[seen_by], minlength=arms)
        return {
            "arm_names": np.asarray(state.arm_names, dtype=str),
            "author": row_author,
            "author_arm": row_arm,
            "author_posts": posts_by[row_author],
            "author_impressions": impressions.ravel()[cell],
            "author_viewers": viewers[cell],
            "author_connected_viewers": connected[cell],
            "author_connections": ties.degree()[row_author].astype(np.int64),
            "author_arm_connections": arm_connections[cell],
            "post": np.repeat(in_window.astype(np.int64), arms),
            "post_arm": np.tile(np.arange(arms, dtype=np.int64), in_window.size),
            "post_impressions": by_post[in_window].ravel(),
            "groups": np.asarray(self.groups, dtype=str),
            "group_counts": group_rows,
            "arm_members": arm_members,
        }

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """The three tables; without rows when the run did not record the audience."""
        kept = run.kept.get(Audience.name)
        if kept is None:
            none = np.zeros(0, np.int64)
            kept = {
                "arm_names": np.zeros(0, dtype=str),
                "groups": np.zeros(0, dtype=str),
                "group_counts": np.zeros((0, 0, 4), np.int64),
                "arm_members": none,
                **{
                    key: none
                    for key in (
                        "author",
                        "author_arm",
                        "author_posts",
                        "author_impressions",
                        "author_viewers",
                        "author_connected_viewers",
                        "author_connections",
                        "author_arm_connections",
                        "post",
                        "post_arm",
                        "post_impressions",
                    )
                },
            }
        arm_names = np.asarray(kept["arm_names"], dtype=object)

        def arm_column(index: NDArray[np.int64]) -> pd.Series:
            return pd.Series(arm_names[index], dtype="string")

        author_reach = pd.DataFrame(
            {
                "author": kept["author"].astype(np.int64),
                "arm": arm_column(kept["author_arm"]),
                "posts": kept["author_posts"].astype(np.int64),
                "impressions": kept["author_impressions"].astype(np.int64),
                "viewers": kept["author_viewers"].astype(np.int64),
                "connected_viewers": kept["author_connected_viewers"].astype(np.int64),
                "connections": kept["author_connections"].astype(np.int64),
                "arm_connections": kept["author_arm_connections"].astype(np.int64),
            }
        )
        post_arms = pd.DataFrame(
            {
                "post": kept["post"].astype(np.int64),
                "arm": arm_column(kept["post_arm"]),
                "impressions": kept["post_impressions"].astype(np.int64),
            }
        )
        counts = kept["group_counts"]
        group = np.repeat(np.arange(counts.shape[0]), counts.shape[1])
        arm = np.tile(np.arange(counts.shape[1]), counts.shape[0])
        group_reach = pd.DataFrame(
            {
                "group": pd.Series(np.asarray(kept["groups"], dtype=object)[group], dtype="string"),
                "arm": arm_column(arm),
                "authors": counts[group, arm, 0],
                "posts": counts[group, arm, 1],
                "impressions": counts[group, arm, 2],
                "viewers": counts[group, arm, 3],
                "arm_members": kept["arm_members"][arm].astype(np.int64),
            }
        )
        return {"author_reach": author_reach, "post_arms": post_arms, "group_reach": group_reach}
