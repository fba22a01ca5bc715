"""The reach of the posts of the trend's adopters and of everyone else, in the trend section."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.analysis import (
    AUTHOR_GROUPS,
    AUTHOR_LABELS,
    Results,
    TrendArm,
    adopter_authors,
    post_life_days,
    reach_by_author,
    summarise,
)
from sim.report.blocks import estimate_text, estimates
from sim.report.trend.words import count_text, prose


def reach_sentence(results: Results, arms: Sequence[TrendArm]) -> str:
    """Viewers per post of adopters' and non-adopters' posts over the whole run, per arm,
    with the posts behind each."""
    life = post_life_days(results.manifest)
    whole = reach_by_author(results.posts, results.duration_days, life, results.duration_days)
    ests = estimates(
        summarise(whole, "impressions", ["variant", "author_group"]), ["variant", "author_group"]
    )
    posts = whole.groupby(["variant", "author_group"], sort=False)["posts"].mean()
    authors = (  # adopters a replication, over the replications that had any
        adopter_authors(results.posts)
        .groupby(["variant", "replication"], sort=False)
        .size()
        .groupby(level="variant", sort=False)
        .mean()
    )
    parts: list[str] = []
    for arm in arms:
        groups: list[str] = []
        for group in AUTHOR_GROUPS:
            est = ests.get((arm.name, group))
            if est is None:
                continue
            groups.append(
                prose(
                    "reach",
                    "group",
                    value=estimate_text(est, scale=1.0, unit="", label_ci=not parts and not groups),
                    authors=AUTHOR_LABELS[group],
                    posts=count_text(float(posts.get((arm.name, group), math.nan))),
                )
            )
        if not groups:
            continue
        adopters = count_text(float(authors[arm.name])) if arm.name in authors.index else ""
        parts.append(prose("reach", "arm", arm=arm.name, groups=groups, adopters=adopters))
    return prose("reach", "caption", life=life, arms=parts)
