"""How many threads the compiled kernels use."""

from __future__ import annotations

import os

from numba import config, set_num_threads


def share_cores(processes: int) -> None:
    """Let this process's kernels use its share of the machine's cores when `processes`
    run side by side (a pool of worker processes), so that they do not oversubscribe it."""
    most: int = config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    set_num_threads(max(1, min(most, (os.cpu_count() or 1) // processes)))
