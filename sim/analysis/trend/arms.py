"""The arms of a trend study, told apart by their resolved scenarios in the manifest."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.analysis.words import list_text


@dataclass(frozen=True)
class TrendArm:
    """One variant of a trend study, read from its resolved scenario in the manifest.

    Attributes:
        name: the variant.
        has_trend: its ``trend`` section gives ``everyone`` to a positive share at day 0.
        contagion: ``complex``, ``simple`` or ``none`` (also for a variant without a
            ``trend`` section).
        rewire: the network's ``rewire``: ``none``, ``degrees`` or ``fields``.
        seeded: share of members given ``everyone`` at day 0.
        description: the arm in words (`arm_text`).
        counterpart: the variant with the same scenario but another ``network.rewire``, or
            None.
        reference: the variant without the trend with the same scenario but its ``trend``
            section, or None (None for an arm without the trend).
    """

    name: str
    has_trend: bool
    contagion: str
    rewire: str
    seeded: float
    description: str
    counterpart: str | None
    reference: str | None


def variant_scenarios(manifest: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The resolved scenario of each variant, from ``manifest["scenario"]["variants"]``;
    empty when the manifest does not record them."""
    scenario = manifest.get("scenario") or {}
    out = {}
    for item in scenario.get("variants") or []:
        if isinstance(item, dict) and isinstance(item.get("scenario"), dict):
            out[str(item.get("name"))] = item["scenario"]
    return out


def _seeded_share(trend: Mapping[str, Any] | None) -> float:
    """Share of members the ``trend`` section gives ``everyone`` at day 0."""
    groups = (trend or {}).get("groups") or []
    return float(sum(g.get("share", 0.0) for g in groups if g.get("strategy") == "everyone"))


def _without(scenario: Mapping[str, Any], path: tuple[str, ...]) -> str:
    """``scenario`` with the entry at ``path`` removed, as canonical JSON (for comparing)."""
    copy: dict[str, Any] = json.loads(json.dumps(scenario))
    inner = copy
    for key in path[:-1]:
        inner = inner.get(key) or {}
    if isinstance(inner, dict):
        inner.pop(path[-1], None)
    return json.dumps(copy, sort_keys=True)


def arm_text(scenario: Mapping[str, Any]) -> str:
    """A trend arm in words, from its resolved scenario, e.g. ``2% seeded at random;
    complex contagion: adopts (50% a day) once calls of 2 distinct adopters were seen among
    its connections' posts; network rewired (degrees)``."""
    trend = scenario.get("trend")
    network = scenario.get("network") or {}
    rewire = str(network.get("rewire", "none"))
    where = "clustered network" if rewire == "none" else f"network rewired ({rewire})"
    seeded = _seeded_share(trend)
    if trend is None or seeded <= 0:
        return f"no trend (nobody follows it); {where}"
    groups = [g for g in trend.get("groups") or [] if g.get("strategy") == "everyone"]
    seeds = list_text(
        [
            f"{100 * float(g['share']):g}% seeded "
            + (f"in {g.get('field')}" if g.get("seeding") == "field" else "")
            + ("on hubs" if g.get("seeding") == "hubs" else "")
            + ("at random" if g.get("seeding", "random") == "random" else "")
            for g in groups
        ]
    )
    c = trend.get("contagion") or {}
    kind = str(c.get("kind", "complex"))
    seen = "its connections' posts" if c.get("exposures") == "connections" else "its feed"
    if kind == "complex":
        if c.get("threshold_on") == "fraction":
            need = f"{100 * float(c.get('threshold', 0)):g}% of its connections"
        else:
            count = float(c.get("threshold", 0))
            need = f"{count:g} distinct adopter{'' if count == 1 else 's'}"
        how = (
            f"complex contagion: adopts ({100 * float(c.get('adoption_rate', 0)):g}% a day) "
            f"once calls of {need} were seen in {seen}"
        )
    elif kind == "simple":
        how = (
            "simple contagion: each call seen in "
            f"{seen} converts with {100 * float(c.get('exposure_rate', 0)):g}%"
        )
    else:
        how = "no contagion (only the seeded follow it)"
    return f"{seeds}; {how}; {where}"


def trend_arms(manifest: Mapping[str, Any], variants: Sequence[str]) -> list[TrendArm]:
    """Every variant's role in a trend study, in ``variants`` order (see `TrendArm`).

    The counterpart of an arm is the first other variant whose resolved scenario equals the
    arm's once ``network.rewire`` is left out, with a different ``rewire``; the reference
    of an arm with the trend is the first variant without the trend whose resolved scenario
    equals the arm's once ``trend`` is left out. A variant the manifest does not resolve
    gets no role (it is left out).
    """
    scenarios = variant_scenarios(manifest)
    names = [v for v in variants if v in scenarios]
    rewires = {v: str((scenarios[v].get("network") or {}).get("rewire", "none")) for v in names}
    seeded = {v: _seeded_share(scenarios[v].get("trend")) for v in names}
    no_rewire = {v: _without(scenarios[v], ("network", "rewire")) for v in names}
    no_trend = {v: _without(scenarios[v], ("trend",)) for v in names}
    arms = []
    for v in names:
        trend = scenarios[v].get("trend")
        counterpart = next(
            (
                w
                for w in names
                if w != v and no_rewire[w] == no_rewire[v] and rewires[w] != rewires[v]
            ),
            None,
        )
        has_trend = seeded[v] > 0
        reference = (
            next(
                (w for w in names if seeded[w] <= 0 and no_trend[w] == no_trend[v]),
                None,
            )
            if has_trend
            else None
        )
        kind = str(((trend or {}).get("contagion") or {}).get("kind", "complex"))
        arms.append(
            TrendArm(
                name=v,
                has_trend=has_trend,
                contagion=kind if trend is not None else "none",
                rewire=rewires[v],
                seeded=seeded[v],
                description=arm_text(scenarios[v]),
                counterpart=counterpart,
                reference=reference,
            )
        )
    return arms


def rewiring_pairs(arms: Sequence[TrendArm]) -> list[tuple[str, str]]:
    """``(rewired, clustered)`` pairs to compare as clustered minus rewired: every arm with
    the trend on the unrewired network whose counterpart is rewired."""
    by_name = {a.name: a for a in arms}
    return [
        (a.counterpart, a.name)
        for a in arms
        if a.has_trend
        and a.rewire == "none"
        and a.counterpart is not None
        and by_name[a.counterpart].rewire != "none"
    ]


def post_life_days(manifest: Mapping[str, Any]) -> float:
    """Longest ``platform.max_age_days`` over the variants (a post's life in the feed); 3
    days, the scenario default, when the manifest does not record it."""
    lives = [
        float((s.get("platform") or {}).get("max_age_days", 3.0))
        for s in variant_scenarios(manifest).values()
    ]
    base = ((manifest.get("scenario") or {}).get("base") or {}).get("platform") or {}
    return max(lives, default=float(base.get("max_age_days", 3.0)))
