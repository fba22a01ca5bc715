"""Study operations: a scenario file read, merged into its arms and validated; replays.

A scenario file (YAML) describes one study: the simulated world, the platform, scripted
events, and its *variants* (the arms of the study). Each variant is the base scenario with
some fields replaced (a deep merge of mappings; lists and values are replaced whole), so the
arms share everything else, including the random numbers (see :mod:`sim.rng`).
:func:`load_study` turns every problem into an :class:`~sim.errors.InputError` naming the
file, the field path and what is wrong.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import InputError, file_hint
from sim.scenario.ineffective import ineffective
from sim.scenario.loading import describe_error, read_yaml
from sim.scenario.network import FileNetwork
from sim.scenario.root import STUDY_LEVEL, Scenario


@dataclass(frozen=True)
class Arm:
    """A resolved variant: its name, description and complete scenario."""

    name: str
    description: str
    scenario: Scenario


@dataclass(frozen=True)
class Study:
    """A scenario file, resolved: the base scenario and its arms (at least one)."""

    path: Path
    base: Scenario
    arms: tuple[Arm, ...]

    def focus_topic(self) -> str | None:
        """The topic the report follows: `focus_topic`, else the first burst's field in any arm."""
        for scenario in (self.base, *(arm.scenario for arm in self.arms)):
            topic = scenario.resolved_focus_topic()
            if topic is not None:
                return topic
        return None

    def warnings(self) -> list[str]:
        """Fields of the arms that have no effect (:func:`sim.scenario.ineffective.ineffective`),
        one line each, ``field: why``, naming the variants it holds in unless it holds in all."""
        found: dict[tuple[str, str], list[str]] = {}
        for arm in self.arms:
            for key in ineffective(arm.scenario):
                found.setdefault(key, []).append(arm.name)
        lines = []
        for (field, why), names in found.items():
            some = self.base.variants and len(names) < len(self.arms)
            where = f" (variant{'s' * (len(names) > 1)} {', '.join(names)})" if some else ""
            lines.append(f"{field}: {why}{where}")
        return lines

    def resolved(self) -> dict[str, Any]:
        """The scenario as resolved, for the manifest: the base (with its `comparisons`) and
        every arm in full."""
        return {
            "file": str(self.path),
            "base": self.base.model_dump(mode="json", exclude={"variants"}),
            "variants": [
                {
                    "name": arm.name,
                    "description": arm.description,
                    "scenario": arm.scenario.model_dump(
                        mode="json", exclude={"variants", "comparisons"}
                    ),
                }
                for arm in self.arms
            ],
        }


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else in `override` replaces the base value."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _focal_by_name(
    base: dict[str, Any], changes: dict[str, Any], path: Path, prefix: str
) -> dict[str, Any]:
    """A variant's changes with a `focal` mapping resolved: ``focal: {NAME: changes}`` changes
    the base focal member called NAME (mappings merged key by key) and keeps the others, as
    a list would not (a `focal` list replaces the base's list whole)."""
    focal = changes.get("focal")
    if not isinstance(focal, dict):
        return changes
    members = copy.deepcopy(base.get("focal") or [])
    names = [m.get("name") for m in members if isinstance(m, dict)]
    for name, change in focal.items():
        if name not in names:
            raise InputError(
                path,
                f"{prefix}focal.{name}",
                "names no focal member of the scenario (its focal members:"
                f" {', '.join(map(str, names))})",
            )
        if not isinstance(change, dict):
            raise InputError(
                path, f"{prefix}focal.{name}", "must be a mapping of the fields to change"
            )
        i = names.index(name)
        members[i] = _deep_merge(members[i], change)
    return {**changes, "focal": members}


def _resolve_paths(raw: dict[str, Any], folder: Path) -> None:
    """Make file paths of the network section relative to the scenario's folder."""
    network = raw.get("network")
    if isinstance(network, dict):
        for key in ("edges", "labels", "follows"):
            value = network.get(key)
            if isinstance(value, str) and not Path(value).is_absolute():
                network[key] = str((folder / value).resolve())


def _check_files(scenario: Scenario, path: Path, prefix: str) -> None:
    if isinstance(scenario.network, FileNetwork):
        for key in ("edges", "labels", "follows"):
            file = getattr(scenario.network, key)
            if file is not None and not Path(file).is_file():
                raise InputError(
                    path, f"{prefix}network.{key}", f"file not found: {file}{file_hint(file)}"
                )


def load_study(path: str | Path, overrides: dict[str, Any] | None = None) -> Study:
    """Read, merge and validate a scenario file into a :class:`Study`.

    Args:
        path: the YAML file.
        overrides: values that replace the file's (e.g. ``{"replications": 3}`` from options).

    Raises:
        InputError: naming the file, the field path and the problem.
    """
    path = Path(path)
    return study_from_mapping(read_yaml(path), path, overrides)


def study_from_mapping(
    raw: dict[str, Any], path: Path, overrides: dict[str, Any] | None = None
) -> Study:
    """Merge and validate the mapping read from the scenario file `path` into a :class:`Study`.

    Args:
        raw: the file's mapping (as :func:`read_yaml` returns it, perhaps edited).
        path: the file (relative network paths are taken from its folder; errors name it).
        overrides: values that replace the mapping's (deep merge).

    Raises:
        InputError: naming the file, the field path and the problem.
    """
    if overrides:  # the file must be valid by itself, whatever the options replace
        try:
            Scenario.model_validate(raw)
        except ValidationError as exc:
            raise describe_error(exc, path) from None
    raw = _deep_merge(raw, overrides or {})
    _resolve_paths(raw, path.resolve().parent)
    try:
        base = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise describe_error(exc, path) from None
    _check_files(base, path, "")
    base_raw = {k: v for k, v in raw.items() if k not in ("variants", "comparisons")}
    arms: list[Arm] = []
    for i, variant in enumerate(base.variants):
        prefix = f"variants[{i}]."
        changes = dict(variant.model_extra or {})
        for key in STUDY_LEVEL:
            if key in changes:
                raise InputError(path, prefix + key, "is shared by all variants; set it at the top")
        changes = _focal_by_name(base_raw, changes, path, prefix)
        merged = _deep_merge(base_raw, changes)
        _resolve_paths(merged, path.resolve().parent)
        try:
            scenario = Scenario.model_validate(merged)
        except ValidationError as exc:
            raise describe_error(exc, path, prefix) from None
        _check_files(scenario, path, prefix)
        arms.append(Arm(variant.name, variant.description, scenario))
    if not arms:
        arms.append(Arm("base", base.description, base))
    return Study(path=path, base=base, arms=tuple(arms))


def under_ranker(study: Study, ranker: str) -> Study:
    """The study replayed with every arm under the ranker preset ``ranker``, renamed.

    The copy is named ``<name>-<ranker>`` (its results folder too), so that a replay never
    replaces the results of the scenario as written; everything else is unchanged, so the
    replay runs on the same seeds (common random numbers with the original).

    Raises:
        InputError: naming ``--ranker``, when a variant sets ``platform.ranker`` itself (the
            replay would not change that arm).
    """
    for i, variant in enumerate(study.base.variants):
        platform = (variant.model_extra or {}).get("platform")
        if isinstance(platform, dict) and "ranker" in platform:
            raise InputError(
                "--ranker",
                ranker,
                f"variants[{i}] ({variant.name}) sets platform.ranker itself, so a replay"
                " under one preset would not change that arm",
            )

    def replayed(scenario: Scenario) -> Scenario:
        platform = scenario.platform.model_copy(update={"ranker": ranker})
        name = f"{scenario.name}-{ranker}"
        return scenario.model_copy(update={"platform": platform, "name": name})

    arms = tuple(Arm(a.name, a.description, replayed(a.scenario)) for a in study.arms)
    return Study(path=study.path, base=replayed(study.base), arms=arms)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files (with units and sources of every field)."""
    return Scenario.model_json_schema()
