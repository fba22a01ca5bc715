"""How unequally engagement is spread over creators: the Gini coefficient per run and arm."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.results import REP_KEYS
from sim.analysis.statistics import summarise


def _gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (`gini`)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, float(x.sum()) if x.size else 0.0
    if n == 0 or total <= 0:
        return math.nan
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1.0) / n)


def gini(values: Sequence[float] | np.ndarray | pd.Series) -> float:
    """Gini coefficient: ``sum_i sum_j |x_i - x_j| / (2 n^2 mean)``, computed on the sorted
    values as ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` (i = 1..n); 0 when all are
    equal, ``1 - 1/n`` when one value holds everything. NaN without values or when they sum
    to 0.

    Raises:
        ValueError: a value is negative.
    """
    x = np.asarray(values, dtype=float)
    if (x < 0).any():
        raise ValueError("the Gini coefficient needs non-negative values")
    return _gini(x)


def creator_engagements(posts: pd.DataFrame) -> pd.DataFrame:
    """Engagements each creator received in a run: ``likes + comments + shares`` summed
    over the author's posts (every author with a post is a creator, also with 0).

    Returns:
        Columns ``scenario, variant, replication, author_id, posts, engagements``.
    """
    engaged = posts.assign(engagements=posts["likes"] + posts["comments"] + posts["shares"])
    groups = engaged.groupby([*REP_KEYS, "author_id"], sort=False)
    out = groups["engagements"].sum().to_frame().assign(posts=groups.size())
    return out.reset_index()[[*REP_KEYS, "author_id", "posts", "engagements"]]


def engagement_gini(posts: pd.DataFrame) -> pd.DataFrame:
    """Concentration of engagement per run: `gini` of `creator_engagements`.

    Returns:
        Columns ``scenario, variant, replication, creators, gini``.
    """
    per_creator = creator_engagements(posts)
    groups = per_creator.groupby(REP_KEYS, sort=False)["engagements"]
    out = pd.DataFrame({"creators": groups.size(), "gini": groups.agg(_gini)})
    return out.reset_index()


def gini_summary(posts: pd.DataFrame) -> pd.DataFrame:
    """`engagement_gini` per arm: mean and 95% interval (a share's, inside [0, 1], as a
    Gini coefficient is); ``creators``: mean per run.

    Returns:
        Columns ``variant, mean, lo, hi, n, creators``.
    """
    per_run = engagement_gini(posts)
    summary = summarise(per_run, "gini", ["variant"], share=True)
    creators = per_run.groupby("variant", sort=False)["creators"].mean()
    return summary.assign(creators=summary["variant"].map(creators).to_numpy())
