"""The process's memory allocator: large temporary arrays are reused from the heap.

Not part of the model: it changes how fast a run goes, never what it computes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HEAP_REUSE_BYTES = 32 * 1024 * 1024
"""Arrays below this size are allocated from, and freed back to, the process's heap."""

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_MMAP_MAX = -1, -3, -4
"""glibc's ``mallopt`` parameters (malloc.h)."""
DEFAULT_MMAP_MAX = 65536
"""glibc's default of M_MMAP_MAX: how many arrays may be mapped from the system at once."""
TRIM_THRESHOLD = 8 * HEAP_REUSE_BYTES
"""Free memory at the top of the heap beyond which glibc hands it back to the system."""
NEVER_TRIM = 2**31 - 1
"""The largest M_TRIM_THRESHOLD ``mallopt`` takes (an int): the heap is never trimmed."""


def _mallopt() -> Any:
    """glibc's ``mallopt``, or None on another system or C library."""
    if not sys.platform.startswith("linux"):
        return None
    return getattr(ctypes.CDLL(ctypes.util.find_library("c")), "mallopt", None)


def reuse_freed_memory() -> None:
    """Keep freed arrays of up to :data:`HEAP_REUSE_BYTES` in the heap for the next slice.

    A slice allocates and frees its candidate arrays (a few MB each) afresh; by default the
    C library hands arrays of that size back to the operating system when freed, so every
    slice takes them again page by page, a page fault each (about 8% of the simulation time
    at 100,000 members). Raising the size served from the heap, and the free space the
    heap may keep, lets a slice reuse the memory of the last (glibc's ``mallopt``; other C
    libraries are left as they are). The peak memory grows by about 2% at 100,000 members.
    """
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, HEAP_REUSE_BYTES)
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)


@contextmanager
def every_size_from_the_heap() -> Iterator[None]:
    """Within the block, arrays of every size are allocated from the heap and kept there
    when freed (glibc's M_MMAP_MAX of 0, and a trim threshold it never reaches), then as
    before.

    :func:`reuse_freed_memory` keeps arrays of up to 32 MiB, the most glibc lets the heap
    serve while it maps larger ones from the system. At a million members a slice's
    candidate arrays are larger (tens of MB each), so every slice mapped them anew and
    faulted them in page by page: 53 million page faults in 10 days, a quarter of the CPU
    time. Mapping nothing from the system while the slices run lets each slice reuse the
    last one's memory: 2.7 million faults, and about twice the pace (docs/performance.md).
    The heap is not trimmed either: glibc hands back free memory at the heap's top once it
    exceeds the trim threshold, and with nothing long-lived above the slice arrays (the
    candidate pool's room is reserved before the run, :meth:`sim.stores.Columns.reserve`)
    every slice would fault them in again (152 million faults in a 30-day run). The peak
    is the most the slices hold at once. Only the simulation runs in the block: the setup's
    temporaries, some of them gigabytes, are handed back when freed.
    """
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_MAX, 0)
        mallopt(M_TRIM_THRESHOLD, NEVER_TRIM)
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
            mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
