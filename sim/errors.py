"""The one exception type for bad input: a file, a field in it, and what is wrong.

The CLI turns it into a one-line message and exit code 2, without a traceback.
"""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad user input (scenario file, option or data file).

    Attributes:
        source: the file (or option) at fault.
        field: the field path inside it (``network.members``, ``line 12``), or ``""``.
        problem: what is wrong, in words a user can act on.
    """

    def __init__(self, source: str | Path, field: str, problem: str) -> None:
        self.source = str(source)
        self.field = field
        self.problem = problem
        super().__init__(self.message)

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, str]]:
        """Keep the three parts when the error crosses a process boundary."""
        return (InputError, (self.source, self.field, self.problem))

    @property
    def message(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.problem}"
