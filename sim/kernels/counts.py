"""Counters: one added per occurrence of an index."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from sim.kernels.switch import twin


def _count_at_numpy(counter: NDArray[np.integer], index: NDArray[np.integer]) -> None:
    """``np.add.at``."""
    np.add.at(counter, index, 1)


@twin(_count_at_numpy)
@njit(cache=True, nogil=True)
def count_at(  # pragma: no cover - compiled
    counter: NDArray[np.integer], index: NDArray[np.integer]
) -> None:
    """Add one to ``counter[i]`` for each i of `index` (repeats count each time): the same
    as ``np.add.at(counter, index, 1)``, in one pass."""
    for i in index:
        counter[i] += 1
