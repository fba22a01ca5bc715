"""Randomised arms: which members another ranker preset or other candidate routes serve.

Members are assigned once, before the run, from the ``arms`` stream alone, so the same
members are in the same arm in every variant of a study (replication r has one seed in every
variant) and no other stream's draws move (Huszar et al. 2022 kept a random holdout of
accounts on a reverse-chronological timeline; Guess et al. 2023 moved a random sample of
users to one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sim.errors import InputError
from sim.scenario import Platform


def assign_arms(
    platform: Platform, field: NDArray[np.int16], rng: np.random.Generator, source: Path
) -> NDArray[np.int8]:
    """Each member's arm (index into ``platform.arm_names``; 0 is the main arm).

    Without strata, a random permutation of all N members is cut into consecutive blocks of
    ``round(share_k * N)`` members for the arms k in order; the rest is the main arm. With
    ``arm_strata: field`` the same is done within every field, with ``round(share_k * N_f)``
    members of field f, so every arm has each field's share of members.

    Raises:
        InputError: an arm (or the main arm) would have no member.
    """
    arm = np.zeros(field.size, np.int8)
    if not platform.arms:
        return arm
    strata = (
        [np.arange(field.size)]
        if platform.arm_strata == "none"
        else [np.flatnonzero(field == f) for f in np.unique(field)]
    )
    for members in strata:
        order = members[rng.permutation(members.size)]
        start = 0
        for k, spec in enumerate(platform.arms, start=1):
            count = round(spec.share * members.size)
            arm[order[start : start + count]] = k
            start += count
    for k, name in enumerate(platform.arm_names):
        if not (arm == k).any():
            where = f"platform.arms[{k - 1}].share" if k else "platform.arms"
            raise InputError(
                source,
                where,
                f"the arm {name!r} gets no member of the {field.size} (raise its share)",
            )
    return arm


def arm_flags(platform: Platform, setting: str, value: object) -> NDArray[np.bool_] | None:
    """Per arm index (``platform.arm_names``): whether the arm's ``candidates.<setting>``
    equals `value`; None when no arm has it (the platform's own routes for everyone)."""
    flags = np.array([False, *(getattr(arm.candidates, setting) == value for arm in platform.arms)])
    return flags if flags.any() else None


@dataclass(frozen=True)
class ArmRoutes:
    """Per member, the candidate routes its arm changes (each None when no arm changes it,
    so that a scenario without arms runs exactly as before).

    Attributes:
        without_recommendations: draws no out-of-network recommendations
            (``candidates.recommended: false``).
        shares_only: only its connections' shares bring it posts, not their likes or
            comments (``candidates.activity: shares``).
        bypass: every post of a connection reaches it at once, outside any test audience
            (``candidates.test_audience: bypass``).
    """

    without_recommendations: NDArray[np.bool_] | None
    shares_only: NDArray[np.bool_] | None
    bypass: NDArray[np.bool_] | None

    @classmethod
    def of(cls, arm: NDArray[np.int8], platform: Platform) -> ArmRoutes:
        """The routes of members in arms `arm` (indices into ``platform.arm_names``)."""

        def per_member(setting: str, value: object) -> NDArray[np.bool_] | None:
            flags = arm_flags(platform, setting, value)
            return None if flags is None else flags[arm]

        return cls(
            without_recommendations=per_member("recommended", False),
            shares_only=per_member("activity", "shares"),
            bypass=per_member("test_audience", "bypass"),
        )
