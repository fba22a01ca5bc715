"""The schema's building blocks: a documented field, the strict section base, shared checks."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
FREE = "free parameter, tuned to the stylized facts (docs/calibration.md)"
"""The source of a parameter set by calibration rather than taken from a publication."""


def param(
    default: Any,
    doc: str,
    unit: str,
    source: str | None = None,
    label: str | None = None,
    **constraints: Any,
) -> Any:
    """A schema field with its documentation, unit and source (shown by `feedsim schema` and
    `feedsim params`), and a short label for figure axes (its JSON Schema ``title``). A field
    without a source (a name, a day, a file path, or a value no publication backs) shows
    none."""
    extra: dict[str, Any] = {"unit": unit}
    if source:
        extra["source"] = source
    return Field(default, description=doc, title=label, json_schema_extra=extra, **constraints)


Probability = Annotated[float, Field(ge=0.0, le=1.0)]
SUM_TOLERANCE = 1e-6
"""How far shares that must sum to 1 may be off (rounding in a file)."""


def check_sum(field: str, what: str, total: float) -> None:
    """Raise the ValueError that names `field` when shares do not sum to 1."""
    if not abs(total - 1.0) <= SUM_TOLERANCE:
        where = f"{field}: " if field else ""
        raise ValueError(f"{where}{what} must sum to 1 (they sum to {total:.6g})")


def not_one_of(what: str, given: str, valid: list[str]) -> str:
    """``'itt' is not one of the topics (finance, it); did you mean 'it'?``."""
    if not valid:
        return f"{given!r} is not one of the {what} (there are none)"
    close = difflib.get_close_matches(given, valid, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{given!r} is not one of the {what} ({', '.join(valid)}){hint}"


class Strict(BaseModel):
    """Base for every schema section: unknown keys are errors, values are immutable, numbers
    are finite (``.inf`` and ``.nan`` are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
