"""The allocator settings of sim.heap, seen through glibc's own count of mapped blocks."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import numpy as np
import pytest

from sim.heap import every_size_from_the_heap, reuse_freed_memory


class MallInfo2(ctypes.Structure):
    """glibc's ``struct mallinfo2`` (malloc.h); ``hblks`` counts the blocks mapped from the
    system instead of served from the heap."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def mallinfo2() -> MallInfo2:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.mallinfo2.restype = MallInfo2
    return libc.mallinfo2()


def mapped_blocks() -> int:
    """Blocks glibc has mapped from the system and not yet handed back."""
    return int(mallinfo2().hblks)


def heap_bytes() -> int:
    """Bytes the heap holds from the system (``arena``), in use or free."""
    return int(mallinfo2().arena)


def glibc_has_mallinfo2() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    return hasattr(ctypes.CDLL(ctypes.util.find_library("c")), "mallinfo2")


@pytest.mark.skipif(not glibc_has_mallinfo2(), reason="needs glibc 2.33 or later")
def test_large_arrays_come_from_the_heap_within_the_block_only() -> None:
    """An array above the 32 MiB the heap keeps is mapped from the system, except within
    every_size_from_the_heap(), and again after it. The arrays are 1 GiB, larger than any
    free space earlier tests leave in the heap, and never written (no memory is used)."""
    reuse_freed_memory()

    def mapped_while_held() -> int:
        before = mapped_blocks()
        array = np.empty(1024**3, np.uint8)
        held = mapped_blocks() - before
        del array
        return held

    assert mapped_while_held() == 1
    with every_size_from_the_heap():
        assert mapped_while_held() == 0
    assert mapped_while_held() == 1


@pytest.mark.skipif(not glibc_has_mallinfo2(), reason="needs glibc 2.33 or later")
def test_the_heap_keeps_freed_memory_within_the_block_and_hands_it_back_after() -> None:
    """Within every_size_from_the_heap() a freed 1 GiB array stays in the heap (glibc does
    not trim it), so the next slice reuses it without faulting it in again; after the block,
    the next free hands the heap's free top back to the system."""
    reuse_freed_memory()
    ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)  # what earlier tests left free
    start = heap_bytes()
    with every_size_from_the_heap():
        array = np.empty(1024**3, np.uint8)
        assert heap_bytes() - start >= 1024**3
        del array
        small = np.empty(1024**2, np.uint8)  # a free that would trim without the block
        del small
        assert heap_bytes() - start >= 1024**3
    small = np.empty(1024**2, np.uint8)
    del small
    assert heap_bytes() - start < 1024**3
