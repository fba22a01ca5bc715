"""One run's rows and measures (reach, engagement per impression, feed similarity), by run."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.analysis.trend.reach import adopter_authors

#: A run: its variant and replication.
Run = tuple[str, int]


def engagement_rate(population: pd.DataFrame, viewer: str | None) -> tuple[float, float]:
    """Engagements per impression and impressions of one run's population rows (of
    ``viewer`` status only, unless None); NaN without an impression."""
    rows = population if viewer is None else population[population["viewer"] == viewer]
    impressions = float(rows["impressions"].sum())
    rate = float(rows["engagements"].sum()) / impressions if impressions > 0 else math.nan
    return rate, impressions


def run_frames(table: pd.DataFrame) -> dict[Run, pd.DataFrame]:
    """``table``'s rows by ``(variant, replication)``."""
    if table.empty:
        return {}
    groups = table.groupby(["variant", "replication"], sort=False)
    return {(str(v), int(r)): g for (v, r), g in groups}  # type: ignore[call-overload]


def mean_similarity(days: pd.DataFrame | None) -> tuple[float, float]:
    """Mean daily feed similarity and the number of days (NaN mean without a day)."""
    if days is None or days.empty:
        return math.nan, 0.0
    return float(days["feed_similarity"].mean()), float(len(days))


def mean_reach(posts: pd.DataFrame) -> tuple[float, float]:
    """Mean impressions per post and the number of posts (NaN mean without a post)."""
    n = float(len(posts))
    return (float(posts["impressions"].mean()) if n else math.nan), n


def reach_without(posts: pd.DataFrame, authors: set[Any]) -> tuple[float, float]:
    """`mean_reach` of the posts whose author is not among ``authors`` (a run's adopters:
    the non-adopters' posts)."""
    return mean_reach(posts[~posts["author_id"].isin(authors)])


def adopter_sets(posts: pd.DataFrame) -> dict[Run, set[Any]]:
    """The adopters of each run (`adopter_authors`) by ``(variant, replication)``."""
    return {
        key: set(g["author_id"].tolist()) for key, g in run_frames(adopter_authors(posts)).items()
    }
