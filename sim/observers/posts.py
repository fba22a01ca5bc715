"""Every post with its reach and engagement (the ``posts`` table; docs/model.md 9).

The counters themselves are the platform's: the mechanisms count impressions and
engagements on the post store because the ranker and the wider distribution read them; this
observer only copies them out at the end."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.state import State
from sim.observers.base import Arrays, Observer, RunRecords
from sim.table_schema import POST_COUNTERS

_COPIED = ("author", "topic", "created", "author_connections", "call", *POST_COUNTERS)


class Posts(Observer):
    """The post store's columns at the end of the run."""

    name = "posts"
    tables = ("posts",)

    def records(self, state: State) -> Arrays:
        return {name: state.posts[name].copy() for name in _COPIED}

    @staticmethod
    def build(run: RunRecords, names: Sequence[str]) -> dict[str, pd.DataFrame]:
        """One row per post: author, topic, time, reach and engagement counters.

        ``unique_viewers`` equals ``impressions`` because the feed never shows a post twice
        to one member; ``primary_viewers`` counts viewers reached through the network route
        (the test audience, or all connections when the test audience is off) before any
        engagement-driven spread.
        """
        p = run.kept[Posts.name]  # attached to every run
        topics = np.asarray(run.topics)
        frame = pd.DataFrame(
            {
                "post_id": np.arange(p["author"].size, dtype=np.int64),
                "author_id": p["author"].astype(np.int64),
                "focal": np.isin(p["author"], run.focal_ids),
                "focal_member": run.focal_names(names, p["author"]),
                "topic": pd.Series(topics[p["topic"]], dtype="string"),
                "created_day": p["created"].astype(np.float64),
                "author_connections": p["author_connections"].astype(np.int64),
                "author_adopted": p["call"].astype(bool),
            }
        )
        for name in POST_COUNTERS:
            frame[name] = p[name].astype(np.int64)
            if name == "impressions":
                frame["unique_viewers"] = frame["impressions"]
        return {"posts": frame}
