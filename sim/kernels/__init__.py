"""Compiled (Numba) array kernels of the hot paths, each with its numpy twin, and the switch.

The kernels here are generic: finding ties in a CSR index (:mod:`~sim.kernels.lookup`),
orders and distinct values of integer keys (:mod:`~sim.kernels.sort`), each group's best
rows (:mod:`~sim.kernels.topk`), gathers (:mod:`~sim.kernels.gather`), counters
(:mod:`~sim.kernels.counts`), searches of cumulative arrays (:mod:`~sim.kernels.search`),
bit sets (:mod:`~sim.kernels.bits`) and the kernels' thread count
(:mod:`~sim.kernels.threads`). The kernels that carry the model's rules sit beside their
mechanism: the action choice in :mod:`sim.behaviour`, the linkedin score's heads,
freshness and placement in :mod:`sim.ranking`, and the candidate merge, the ranker's
features (source classification) and the recommendation draws in
:mod:`sim.model.candidates`.

They work on rows grouped by member, where a loop over one member's few hundred rows is
cheaper than a sort or a binary search over the whole slice, and the members of a slice are
spread over the machine's cores (``prange``): each writes only its own part of the arrays, so
the result does not depend on the number of threads or their timing. Each is a
:class:`~sim.kernels.switch.Kernel`: the compiled loop and its numpy twin, the vectorised
expression of the same rule, which gives exactly the same arrays. ``FEEDSIM_KERNELS=numpy``
(or :func:`~sim.kernels.switch.numpy_twins` within a block) runs the twins instead:
tests/test_kernels.py compares the two forms on random inputs, and
tests/test_compiled_equals_numpy.py runs small studies on each and finds the same records.
"""

from sim.kernels.counts import count_at
from sim.kernels.gather import compress, renumber, rows_by_slot, take
from sim.kernels.lookup import find_in_member_rows, find_in_rows, member_rows
from sim.kernels.search import searchsorted_right, session_positions
from sim.kernels.sort import (
    counting_order,
    first_of_pairs,
    pair_order,
    regroup_places,
    regroup_values,
    reverse_index,
)
from sim.kernels.switch import Kernel, numpy_twins, twin
from sim.kernels.threads import share_cores
from sim.kernels.topk import best_in_groups, top_in_groups

__all__ = [
    "Kernel",
    "best_in_groups",
    "compress",
    "count_at",
    "counting_order",
    "find_in_member_rows",
    "find_in_rows",
    "first_of_pairs",
    "member_rows",
    "numpy_twins",
    "pair_order",
    "regroup_places",
    "regroup_values",
    "renumber",
    "reverse_index",
    "rows_by_slot",
    "searchsorted_right",
    "session_positions",
    "share_cores",
    "take",
    "top_in_groups",
    "twin",
]
