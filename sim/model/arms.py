"""Randomised arms: which members another ranker preset or other candidate routes serve.

Members are assigned once, before the run, from the ``arms`` stream alone, so the same
members are in the same arm in every variant of a study (replication r has one seed in every
variant) and no other stream's draws move (Huszar et al. 2022 kept a random holdout of
accounts on a reverse-chronological timeline; Guess et al. 2023 moved a random sample of
users to one).
"""

from __future__ import annotations

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
            where = f"platform.arms.{k - 1}.share" if k else "platform.arms"
            raise InputError(
                source,
                where,
                f"the arm {name!r} gets no member of the {field.size} (raise its share)",
            )
    return arm
