"""Bit sets over integer ids, one bit a member, 64 to a word."""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True, nogil=True)
def bit_count(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """The number of set bits of a 64-bit word (a branch-free population count)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)


@njit(cache=True, nogil=True)
def nonempty_rows(indptr: NDArray[np.int64]) -> NDArray[np.uint64]:  # pragma: no cover - compiled
    """A bit per row of a CSR index, set where the row ``indptr[a]:indptr[a + 1]`` is not
    empty (an eighth of a byte per row, so it stays in cache)."""
    rows = indptr.size - 1
    bits = np.zeros((rows + 63) >> 6, np.uint64)
    for a in range(rows):
        if indptr[a + 1] > indptr[a]:
            bits[a >> 6] |= np.uint64(1) << np.uint64(a & 63)
    return bits


@njit(cache=True, nogil=True, inline="always")
def has_bit(bits: NDArray[np.uint64], a: int) -> np.uint64:  # pragma: no cover - compiled
    """Bit `a` of the set (1 or 0)."""
    bit: np.uint64 = bits[a >> 6] >> np.uint64(a & 63) & np.uint64(1)
    return bit
