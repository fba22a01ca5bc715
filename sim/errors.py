"""The one exception type for bad input: a file, a field in it, and what is wrong.

The CLI turns it into a one-line message and exit code 2, without a traceback.
"""

from __future__ import annotations

import difflib
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
        # The three parts are the args, so copies (pickling across processes, simpy's
        # re-raise) rebuild the same error.
        super().__init__(self.source, field, problem)

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The one-line message: ``file: field: problem``."""
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.problem}"


def file_hint(path: str | Path) -> str:
    """``; did you mean email-Eu-core.txt?`` for the file of `path`'s folder whose name is
    closest to `path`'s, ignoring case (:func:`difflib.get_close_matches`), or ``""``."""
    path = Path(path)
    try:
        names = sorted(p.name for p in path.parent.iterdir() if p.is_file() and p != path)
    except OSError:
        return ""
    lowered: dict[str, str] = {}
    for name in names:
        lowered.setdefault(name.lower(), name)
    close = difflib.get_close_matches(path.name.lower(), list(lowered), n=1)
    return f"; did you mean {lowered[close[0]]}?" if close else ""
