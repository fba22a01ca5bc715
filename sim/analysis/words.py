"""The words figures and the report share: names of groups, events, the focal member, units.

Plain text, no plotting: `sim.figures` and `sim.report` both take their labels from here, so
a legend and the sentence beside it use the same words. The focal member is named as the
scenario names it ("the recruiter"), never with a gendered pronoun; the blog post whose
claims the studies test is "the blog post".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.analysis.effects import Metric
from sim.analysis.results import Results

#: Days in the trailing mean of the feed-by-topic figure.
ROLLING_DAYS = 7

#: Legend text of each source group.
SOURCE_LABELS = {
    "peer": "peers (colleagues, field peers, offline, clients)",
    "follow": "followed accounts (not connected)",
    "second_degree": "second degree (a connection engaged)",
    "stranger": "strangers (connections without a prior relationship)",
    "out_of_network": "out of network (recommended)",
}

#: Legend text of each tie kind.
KIND_LABELS = {
    "colleague": "colleagues",
    "field_peer": "field peers",
    "offline": "offline acquaintances",
    "client": "clients",
    "stranger": "strangers",
}

#: Legend text of the two routes of `sim.analysis.posts.weekly_reach`.
REACH_LABELS = {
    "primary": "Primary: the post's test audience (network route)",
    "engagement_driven": "Engagement-driven: everyone else (viewers - primary)",
}

#: Primary reach (% of connections) as the blog post claims it, and practitioners' range.
BLOG_REACH_BAND = (4.0, 5.0)
PRACTITIONER_REACH_BAND = (5.0, 10.0)
#: Share of new connections never heard from, as the blog post claims it (%).
BLOG_NEVER_HEARD = 90.0


def who(results: Results) -> str:
    """The focal member as the scenario names it: ``the recruiter``.

    Several focal members are named together, ``the focal members ann and bob`` (the
    figures and tables add up their feeds and posts); ``the focal member`` when the
    manifest does not record them.
    """
    members = results.focal_members
    names = [str(m["name"]) for m in members if m.get("name")]
    if len(members) == 1 and names:
        return f"the {names[0]}"
    if len(members) > 1:
        return f"the focal members {list_text(names)}" if names else "the focal members"
    return "the focal member"


def whose(results: Results) -> str:
    """The possessive of `who`: ``the recruiter's``, ``the focal members ann's and bob's``."""
    members = results.focal_members
    names = [str(m["name"]) for m in members if m.get("name")]
    if len(members) > 1 and names:
        return "the focal members " + list_text([possessive(n) for n in names])
    return possessive(who(results))


def possessive(name: str) -> str:
    """``name's``, or ``name'`` for a name ending in s."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def sentence_case(text: str) -> str:
    """``text`` with its first letter upper case (the rest as it is)."""
    return text[:1].upper() + text[1:]


def day_text(day: float) -> str:
    """A day as a reader writes it: ``30`` rather than ``30.0``."""
    return str(int(day)) if float(day).is_integer() else f"{day:g}"


def list_text(parts: Sequence[str]) -> str:
    """``a, b and c``."""
    parts = list(parts)
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


#: Wording of known event actions, filled from the event's keys; the member goes in front.
_EVENT_PHRASES = {
    "accept_invitations": "accepts {count} invitations from {field}",
    "prune": "removes the {kinds} connections never heard from",
}


def describe_event(event: dict[str, Any]) -> str:
    """An event in words, e.g. ``recruiter accepts 100 invitations from it``, or ``recruiter
    accepts 150 invitations from pharma over 14 days`` for one spread over days.

    Known actions use `_EVENT_PHRASES`. Any other action (or one lacking a key its phrase
    needs) reads as its words, a count after the first word and the field in brackets:
    ``recruiter: tag 3 peers (field: it)``.
    """
    action = str(event.get("action", "scripted event"))
    member = event.get("member")
    fields = {
        k: " and ".join(str(x).replace("_", " ") for x in v) if isinstance(v, list) else v
        for k, v in event.items()
    }
    try:
        text = _EVENT_PHRASES[action].format_map(fields)
        if int(event.get("days") or 1) > 1:
            text += f" over {event['days']} days"
        return f"{member} {text}" if member else text
    except KeyError:
        words = action.replace("_", " ").split()
        if event.get("count") is not None:
            words.insert(1, str(event["count"]))
        text = " ".join(words)
        if event.get("field"):
            text += f" (field: {event['field']})"
        return f"{member}: {text}" if member else text


def note_account_text(scenario: Mapping[str, Any]) -> str:
    """The account each focal member that writes a personal note on its invitations is
    assumed to have (docs/model.md 7.25), e.g. ``me writes notes on a free account (at most 5
    a month)``; empty when none writes notes or the scenario predates accounts."""
    allowance = ((scenario.get("platform") or {}).get("limits") or {}).get("free_notes_per_month")
    parts = []
    for member in scenario.get("focal") or []:
        strategy = member.get("strategy") or {}
        if not strategy.get("personal_note") or "account" not in strategy:
            continue
        if strategy["account"] == "premium":
            parts.append(f"{member.get('name')} writes notes on a premium account (no limit)")
        else:
            parts.append(
                f"{member.get('name')} writes notes on a free account (at most {allowance} a month)"
            )
    return "; ".join(parts)


def event_labels(results: Results) -> list[tuple[float, str]]:
    """Label of each event day, e.g. ``day 30: recruiter accepts 100 invitations from it``.

    The words come from the events of the manifest (see `Results.events`); different events
    on one day are joined with ``;``, the same event in several variants is named once. A
    day without a matching event reads ``day D: scripted event``.

    Returns:
        ``(day, label)`` per event day, ascending.
    """
    labels = []
    for day in results.event_days:
        texts = dict.fromkeys(
            describe_event(e)
            for e in results.events
            if e.get("day") is not None and float(e["day"]) == day
        )
        labels.append((day, f"day {day_text(day)}: {'; '.join(texts) or 'scripted event'}"))
    return labels


#: The key of each action whose repeats add up: the invitations accepted on several days
#: are one burst of their sum. The repeats of an action not listed keep their own numbers.
_SUMMED = {"accept_invitations": "count"}


def arm_events(results: Results, variant: str) -> list[dict[str, Any]]:
    """The scripted events of one arm, in the manifest's order.

    When the manifest lists events by variant, an arm has only its own; otherwise every
    event applies to every arm.
    """
    by_variant = results.manifest.get("events")
    if not isinstance(by_variant, dict):
        return list(results.events)
    return [e for e in by_variant.get(variant) or [] if isinstance(e, dict)]


def _repeat_key(event: dict[str, Any]) -> str:
    """What repeats of one event share: every key but the day (and a summed count)."""
    summed = _SUMMED.get(str(event.get("action")))
    return repr(sorted((k, repr(v)) for k, v in event.items() if k not in ("day", summed)))


def _days_text(days: Sequence[float]) -> str:
    """``day 10``, ``days 10 and 17``, or ``days 10–23`` for three days or more."""
    if len(days) == 1:
        return f"day {day_text(days[0])}"
    if len(days) == 2:
        return f"days {day_text(days[0])} and {day_text(days[1])}"
    return f"days {day_text(days[0])}–{day_text(days[-1])}"


def event_marks(results: Results, variant: str | None = None) -> list[tuple[float, str]]:
    """The legend label of every event day of one arm (``variant``) or of all arms.

    An event that happens once reads as in `event_labels`, ``day 30: recruiter accepts 100
    invitations from it`` (different events on one day joined with ``;``). Repeats of one
    event (same action, member and fields on several days) share one label, so a legend
    gives them one entry: ``recruiter accepts 150 invitations from pharma, days 10–23``; the
    invitations of repeated bursts add up (`_SUMMED`). Days of the manifest's ``event_days``
    without a matching event read ``day D: scripted event``.

    Returns:
        ``(day, label)`` per event day and label, by day; a day of repeats and of a
        one-off event has both labels. For all arms, each arm's labels once.
    """
    arms = results.variants if variant is None else [variant]
    marks: dict[tuple[float, str], None] = {}
    for arm in arms:
        marks.update(dict.fromkeys(_arm_marks(arm_events(results, arm))))
    described = {day for day, _ in marks}
    if variant is None or not isinstance(results.manifest.get("events"), dict):
        for day in results.event_days:
            if day not in described:
                marks[(day, f"day {day_text(day)}: scripted event")] = None
    return sorted(marks, key=lambda mark: mark[0])


def _arm_marks(events: Sequence[dict[str, Any]]) -> list[tuple[float, str]]:
    """`event_marks` of one arm's events."""
    dated = [e for e in events if e.get("day") is not None]
    groups: dict[str, list[dict[str, Any]]] = {}
    for event in dated:
        groups.setdefault(_repeat_key(event), []).append(event)
    marks: list[tuple[float, str]] = []
    once: dict[float, list[str]] = {}
    for group in groups.values():
        days = sorted({float(e["day"]) for e in group})
        if len(group) == 1:
            once.setdefault(days[0], []).append(describe_event(group[0]))
            continue
        merged = dict(group[0])
        summed = _SUMMED.get(str(merged.get("action")))
        if summed is not None and all(isinstance(e.get(summed), int) for e in group):
            merged[summed] = sum(int(e[summed]) for e in group)
        text = describe_event(merged)
        if len(days) == 1:  # repeats on one day: one event of their sum
            label = f"day {day_text(days[0])}: {text}"
        else:
            label = f"{text}, {_days_text(days)}"
        marks += [(day, label) for day in days]
    for day, texts in once.items():
        marks.append((day, f"day {day_text(day)}: {'; '.join(dict.fromkeys(texts))}"))
    return marks


def arm_description(results: Results, variant: str) -> str:
    """What an arm changes, as its scenario describes it, without a closing full stop
    (empty when the scenario gives no description)."""
    described = results.manifest.get("variant_descriptions") or {}
    text = str(described.get(variant) or "").strip()
    return text[:-1] if text.endswith(".") else text


def study_title(results: Results) -> str:
    """The scenario's `title` (empty when it has none)."""
    base = (results.manifest.get("scenario") or {}).get("base") or {}
    return str(base.get("title") or results.manifest.get("title") or "").strip()


def level_text(metric: Metric, value: float) -> str:
    """A metric's value with its unit: ``3.1% of connections``, ``36.2 viewers per post``."""
    if math.isnan(value):
        return "no data"
    if metric.percent:
        return f"{100 * value:.1f}{metric.unit}"
    return f"{value:.2f} {metric.unit}" if abs(value) < 10 else f"{value:.1f} {metric.unit}"


def metric_title(metric: Metric, horizon: float) -> str:
    """A metric's title; the never-heard share names its horizon (``... within 90 days``)."""
    if metric.name == "never_heard" and not math.isnan(horizon):
        return f"{metric.title} within {day_text(round(horizon, 1))} days"
    return metric.title


def window_note(results: Results) -> str:
    """How the effect window was chosen, when the study has more than one event day.

    The window runs from the first event to the end of the run (`Results.focus_window`),
    so with several events it holds the effect of the later ones too; empty with one.
    """
    later = sorted({d for d in results.event_days if d > min(results.event_days, default=0)})
    if not later:
        return ""
    first, last = results.focus_window
    days = list_text([day_text(d) for d in later])
    return (
        f"days {first}–{last} run from the first scripted event to the end of the run, so "
        f"they also include the later event{'s' if len(later) > 1 else ''} on "
        f"day{'s' if len(later) > 1 else ''} {days}"
    )
