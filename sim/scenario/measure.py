"""What a run records beyond the tables every run writes: the exposure funnel, the reach of
authors and author groups, and the members table (all off by default, so that a study's
tables stay as they were unless it asks for more)."""

from __future__ import annotations

from sim.scenario.base import Strict, param


class Measure(Strict):
    """Optional records of a run (docs/tables.md: `funnel`, `member_days`, `author_reach`,
    `post_arms`, `group_reach`, `members`)."""

    funnel: bool = param(
        False,
        "Record the exposure funnel (`funnel`: created, candidate, shown and engaged"
        " viewer-post pairs by post creation day, arm, relation and own field) and the per-arm"
        " member-days (`member_days`).",
        "switch",
    )
    audience: bool = param(
        False,
        "Record the audience of the posts created in the window: per author and arm"
        " (`author_reach`), per post and arm (`post_arms`), and per author group fixed at"
        " day 0 (`group_reach`).",
        "switch",
    )
    members: bool = param(
        False,
        "Record the members table (`members`): field, arm, rates, connections and followers"
        " at the start and the end, and the day of adoption of the trend.",
        "switch",
    )
    window_from_day: int = param(
        0,
        "First creation day of the posts whose audience is recorded (a burn-in before it is"
        " not counted).",
        "day",
        ge=0,
    )
    window_to_day: int | None = param(
        None,
        "End (exclusive) of the creation days of the posts whose audience is recorded;"
        " empty: the run's end (`duration_days`).",
        "day",
        ge=1,
    )

    def window(self, duration_days: int) -> tuple[int, int]:
        """The creation window ``[from, to)`` in days, with an empty end at the run's end."""
        end = duration_days if self.window_to_day is None else self.window_to_day
        return self.window_from_day, end
