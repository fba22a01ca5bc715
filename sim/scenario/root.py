"""The top of the schema: a scenario (one study's world, platform and events) and its variants."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.base import NAME_PATTERN, Strict, check_sum, not_one_of, param
from sim.scenario.behaviour import Behaviour
from sim.scenario.events import AcceptInvitations, Event
from sim.scenario.measure import Measure
from sim.scenario.members import FocalMember, Members
from sim.scenario.network import FileNetwork, SyntheticNetwork
from sim.scenario.platform import Platform
from sim.scenario.trend import Trend


class Variant(BaseModel):
    """An arm of the study: a name, a description, and the fields it changes."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = param(..., "Variant name.", "text", pattern=NAME_PATTERN)
    description: str = param(
        "", "What this arm changes, in words (on slides, the arm's name in the figures).", "text"
    )


class Comparison(Strict):
    """A pair of arms the report and the figures lead with: ``arm`` minus ``reference``."""

    arm: str = param(
        ...,
        "The arm (variant) compared; differences read this arm minus the reference.",
        "variant",
        pattern=NAME_PATTERN,
    )
    reference: str = param(
        ..., "The arm (variant) it is compared against.", "variant", pattern=NAME_PATTERN
    )


class Scenario(Strict):
    """One study: the world, the platform, the events, and the arms to compare."""

    name: str = param(..., "Study name; results go to <out>/<name>/.", "text", pattern=NAME_PATTERN)
    description: str = param("", "What the study asks.", "text")
    title: str = param(
        "",
        "A plain title for the study's figures on slides (`feedsim figures --style slides`),"
        " shown under each figure's heading; empty: none.",
        "text",
    )
    topics: list[str] | None = param(
        None,
        "The fields (industries) and post topics; no name is special to the code. Required for"
        " a synthetic network; a file network takes its fields from its labels.",
        "names",
    )
    focus_topic: str | None = param(
        None,
        "Topic whose share of the focal feed the report tracks; defaults to the field of the"
        " first accept_invitations event.",
        "topic",
    )
    duration_days: int = param(90, "Length of a run.", "days", ge=1, le=3650)
    slice_hours: float = param(
        1.0,
        "Length of the time slice in which sessions are processed together (shorter is exacter"
        " and slower).",
        "hours",
        gt=0,
        le=24,
    )
    max_sessions_per_slice: int = param(
        3,
        "Sessions of one member in one slice beyond this many are dropped (rare at 1-hour"
        " slices); a member's sessions in a slice are served together.",
        "sessions",
        "time-slice approximation (docs/model.md 11.1)",
        ge=1,
    )
    replications: int = param(10, "Independent runs per variant.", "runs", ge=1)
    seed: int = param(2018, "Base seed; replication r gets its own seed from it.", "-", ge=0)
    network: SyntheticNetwork | FileNetwork = Field(
        default_factory=SyntheticNetwork, discriminator="source"
    )
    members: Members = Field(default_factory=Members)
    focal: list[FocalMember] = Field(default_factory=list)
    platform: Platform = Field(default_factory=Platform)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    trend: Trend | None = Field(
        None, description="The trend as a population process (omitted: no trend)."
    )
    events: list[Event] = Field(default_factory=list)
    measure: Measure = Field(
        default_factory=Measure, description="Optional records of a run (omitted: none)."
    )
    variants: list[Variant] = Field(default_factory=list)
    comparisons: list[Comparison] = param(
        [],
        "The pairs of variants that matter, each as {arm, reference}: the report and the"
        " figures lead with their paired differences (arm minus reference, per replication)"
        " and show the other pairs only on request (`feedsim figures DIR --all-pairs`; the"
        ' report\'s collapsed section "Other comparisons"). Omitted: every pair, as before.',
        "pairs",
    )

    @model_validator(mode="before")
    @classmethod
    def _synthetic_by_default(cls, data: Any) -> Any:
        """A network section without `source` is a synthetic network."""
        if isinstance(data, dict) and isinstance(data.get("network"), dict):
            data = {**data, "network": {"source": "synthetic", **data["network"]}}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        synthetic = isinstance(self.network, SyntheticNetwork)
        if synthetic and (self.topics is None or len(self.topics) < 2):
            raise ValueError("topics: a synthetic network needs at least two topics")
        topics = self.topics or []
        if len(set(topics)) != len(topics):
            raise ValueError("topics: names must be unique")
        for topic in topics:
            if not re.match(NAME_PATTERN, topic):
                raise ValueError(f"topics: {topic!r} must be lower-case letters, digits, - or _")
        if isinstance(self.network, SyntheticNetwork) and self.network.field_shares is not None:
            if len(self.network.field_shares) != len(topics):
                raise ValueError(f"network.field_shares: needs one share per topic ({len(topics)})")
            check_sum("network.field_shares", "the shares", sum(self.network.field_shares))
        names = [f.name for f in self.focal]
        if len(set(names)) != len(names):
            raise ValueError("focal: names must be unique")
        known = set(topics) if isinstance(self.network, SyntheticNetwork) else None
        for i, member in enumerate(self.focal):
            if known is not None and member.field not in known:
                raise ValueError(f"focal[{i}].field: {not_one_of('topics', member.field, topics)}")
        for i, event in enumerate(self.events):
            if event.day > self.duration_days:
                raise ValueError(
                    f"events[{i}].day: day {event.day:g} is beyond the run's duration"
                    f" ({self.duration_days} days)"
                )
            last = event.day + event.days - 1 if isinstance(event, AcceptInvitations) else 0
            if last > self.duration_days:
                raise ValueError(
                    f"events[{i}].days: its last acceptances, on day {last:g}, are beyond the"
                    f" run's duration ({self.duration_days} days)"
                )
            if event.member not in names:
                raise ValueError(
                    f"events[{i}].member: {not_one_of('focal members', event.member, names)}"
                )
            if (
                isinstance(event, AcceptInvitations)
                and known is not None
                and event.field not in known
            ):
                raise ValueError(f"events[{i}].field: {not_one_of('topics', event.field, topics)}")
        for i, group in enumerate(self.trend.groups if self.trend else []):
            if known is not None and group.field is not None and group.field not in known:
                raise ValueError(
                    f"trend.groups[{i}].field: {not_one_of('topics', group.field, topics)}"
                )
        if self.focus_topic is not None and known is not None and self.focus_topic not in known:
            raise ValueError(f"focus_topic: {not_one_of('topics', self.focus_topic, topics)}")
        per_day = 24 / self.slice_hours
        if abs(per_day - round(per_day)) > 1e-9:
            raise ValueError(
                f"slice_hours: {self.slice_hours:g} must divide a day into whole slices"
                " (e.g. 0.25, 0.5, 1, 2, 3, 6, 24)"
            )
        self._check_window()
        variant_names = [v.name for v in self.variants]
        if len(set(variant_names)) != len(variant_names):
            raise ValueError("variants: names must be unique")
        self._check_comparisons(variant_names)
        return self

    def _check_comparisons(self, variant_names: list[str]) -> None:
        """Every comparison names two different variants, and no pair is listed twice."""
        seen: set[frozenset[str]] = set()
        for i, comparison in enumerate(self.comparisons):
            for key in ("arm", "reference"):
                name = getattr(comparison, key)
                if name not in variant_names:
                    raise ValueError(
                        f"comparisons[{i}].{key}: {not_one_of('variants', name, variant_names)}"
                    )
            if comparison.arm == comparison.reference:
                raise ValueError(
                    f"comparisons[{i}].reference: {comparison.arm!r} is compared with itself"
                )
            pair = frozenset((comparison.arm, comparison.reference))
            if pair in seen:
                raise ValueError(
                    f"comparisons[{i}]: {comparison.arm} and {comparison.reference} are"
                    " compared twice"
                )
            seen.add(pair)

    def _check_window(self) -> None:
        """The audience window lies within the run and is not empty."""
        start, end = self.measure.window(self.duration_days)
        if start >= self.duration_days:
            raise ValueError(
                f"measure.window_from_day: day {start} is beyond the run's last day"
                f" ({self.duration_days - 1})"
            )
        if end > self.duration_days:
            raise ValueError(
                f"measure.window_to_day: day {end} is beyond the run's duration"
                f" ({self.duration_days} days)"
            )
        if end <= start:
            raise ValueError(
                f"measure.window_to_day: {end} must be after window_from_day ({start})"
            )

    def burst_intro(self, event: AcceptInvitations) -> bool:
        """Whether the burst `event` writes intro messages to its new contacts: the event's
        `intro_message`, else (omitted) its member's `strategy.intro_message`."""
        if event.intro_message is not None:
            return event.intro_message
        return next(f.strategy.intro_message for f in self.focal if f.name == event.member)

    def resolved_focus_topic(self) -> str | None:
        """The topic the report follows: `focus_topic`, else the first burst's field."""
        if self.focus_topic is not None:
            return self.focus_topic
        return next((e.field for e in self.events if isinstance(e, AcceptInvitations)), None)


STUDY_LEVEL = ("name", "seed", "replications", "duration_days", "variants", "comparisons")
"""Fields shared by every arm of a study (a variant may not set them; a sweep sets only
``duration_days`` of them)."""
