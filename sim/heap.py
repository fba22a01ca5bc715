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
        mallopt(M_TRIM_THRESHOLD, 8 * HEAP_REUSE_BYTES)


@contextmanager
def every_size_from_the_heap() -> Iterator[None]:
    """Within the block, arrays of every size are allocated from the heap and kept there
    when freed (glibc's M_MMAP_MAX of 0), then as before.

    :func:`reuse_freed_memory` keeps arrays of up to 32 MiB, the most glibc lets the heap
    serve while it maps larger ones from the system. At a million members a slice's
    candidate arrays are larger (tens of MB each), so every slice mapped them anew and
    faulted them in page by page: 53 million page faults in 10 days, a quarter of the CPU
    time. Mapping nothing from the system while the slices run lets each slice reuse the
    last one's memory: 5.3 million faults, and about twice the pace (docs/performance.md).
    The cost is memory: freed arrays stay in the process, and the peak rose from 12.0 to
    13.8 GB at a million members (1.5 to 1.6 GB at 100,000). Only the simulation runs in
    the block: the setup's temporaries, some of them gigabytes, are handed back when freed.
    """
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_MAX, 0)
    try:
        yield
    finally:
        if mallopt is not None:
            mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
