"""The switch between each compiled kernel and its readable numpy twin.

Every compiled kernel the model calls is a :class:`Kernel`: the Numba loop, and the numpy
expression that states the same rule (its twin), which gives exactly the same arrays, to the
last bit. A kernel runs its compiled loop unless the twins are selected: for the whole
process by the environment variable ``FEEDSIM_KERNELS=numpy`` (read once, at import; worker
processes inherit it; ``compiled``, the default, selects the loops), or within a block by
:func:`numpy_twins`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

ENVIRONMENT = "FEEDSIM_KERNELS"
"""The environment variable that selects the kernels: ``compiled`` (default) or ``numpy``."""
CHOICES = ("compiled", "numpy")


@dataclass
class Selection:
    """Which of each kernel's two forms runs."""

    numpy: bool


def _from_environment() -> Selection:
    """The selection named by :data:`ENVIRONMENT`."""
    chosen = os.environ.get(ENVIRONMENT, "compiled")
    if chosen not in CHOICES:
        raise ValueError(f"{ENVIRONMENT}={chosen!r}: expected one of {', '.join(CHOICES)}")
    return Selection(numpy=chosen == "numpy")


SELECTED = _from_environment()
"""The selection in force (the environment's, or :func:`numpy_twins`' within its block)."""


class Kernel(Generic[P, R]):
    """A compiled kernel and its numpy twin; calling it runs the selected one.

    Attributes:
        compiled: the Numba loop.
        numpy: the numpy expression of the same rule, with the same signature and result.
    """

    def __init__(self, compiled: Callable[..., Any], numpy: Callable[P, R]) -> None:
        self.compiled = compiled
        self.numpy = numpy
        self.__doc__ = compiled.__doc__
        self.__name__ = compiled.__name__

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the numpy twin when selected, else the compiled loop."""
        if SELECTED.numpy:
            return self.numpy(*args, **kwargs)
        result: R = self.compiled(*args, **kwargs)
        return result


def twin(numpy: Callable[P, R]) -> Callable[[Callable[..., Any]], Kernel[P, R]]:
    """Decorate a compiled kernel with its numpy twin: ``@twin(rule)`` above ``@njit``."""

    def pair(compiled: Callable[..., Any]) -> Kernel[P, R]:
        return Kernel(compiled, numpy)

    return pair


@contextmanager
def numpy_twins() -> Iterator[None]:
    """Run every kernel's numpy twin within the block (then the selection before it)."""
    before = SELECTED.numpy
    SELECTED.numpy = True
    try:
        yield
    finally:
        SELECTED.numpy = before
