"""The trend's outcomes of every run, which a sweep of a trend study reports at each point."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.analysis.effects import Metric
from sim.analysis.results import REP_KEYS
from sim.analysis.trend.adoption import final_adoption
from sim.analysis.trend.contagion import half_adoption_day
from sim.analysis.trend.per_run import (
    adopter_sets,
    engagement_rate,
    mean_reach,
    reach_without,
    run_frames,
)
from sim.analysis.trend.reach import complete_posts

#: Viewers per complete post of the run's non-adopters (`against_reference`, `run_outcomes`).
REACH_NON_ADOPTERS = Metric(
    "reach_non_adopters", "Viewers per post of the non-adopters' posts", "viewers per post", False
)

#: Viewers per complete post of all authors (`against_reference`, `run_outcomes`).
REACH_EVERYONE = Metric(
    "reach_everyone", "Viewers per post of everyone's posts", "viewers per post", False
)

#: Engagements per impression over all viewers (`against_reference`, `run_outcomes`).
ENGAGEMENT_EVERYONE = Metric(
    "engagement_everyone", "Engagements per impression of all viewers", "% of impressions", True
)

#: Share of members following the trend at the last snapshot (`run_outcomes`).
FINAL_SHARE = Metric(
    "adopter_share", "Members following the trend at the end of the run", "% of members", True
)

#: First snapshot day at which half the members follow the trend (`run_outcomes`).
HALF_DAY = Metric("half_day", "Day half the members followed the trend", "day", False)

#: The trend's outcomes of one run (`run_outcomes`), in display order: a parameter sweep
#: of a trend study reports them at every point.
RUN_OUTCOMES = (FINAL_SHARE, HALF_DAY, REACH_EVERYONE, REACH_NON_ADOPTERS, ENGAGEMENT_EVERYONE)

#: What each `RUN_OUTCOMES` value rests on, per run: the unit of its ``_base`` column.
RUN_BASES = {
    "adopter_share": "members",
    "half_day": "members",
    "reach_everyone": "complete posts",
    "reach_non_adopters": "complete posts of non-adopters",
    "engagement_everyone": "impressions",
}


def run_outcomes(
    posts: pd.DataFrame,
    population: pd.DataFrame,
    adoption: pd.DataFrame,
    duration_days: int,
    life_days: float,
) -> pd.DataFrame:
    """The trend's outcomes of every run (`RUN_OUTCOMES`), each with what it rests on.

    For run (v, r): ``adopter_share`` = `final_adoption`'s share following the trend at the
    last snapshot; ``half_day`` = `half_adoption_day`'s first snapshot day with at least half
    the members following it (day d: the end of day d - 1), NaN where the run never reaches
    half (its last day would be a censored value, not a day); ``reach_everyone`` = mean
    impressions per complete post
    (`complete_posts`) of all authors; ``reach_non_adopters`` = the same over the complete
    posts of the run's non-adopters (authors not among its `adopter_authors`: in a run
    without the trend, every author); ``engagement_everyone`` = sum of engagements / sum
    of impressions over all the run's ``population`` rows. These are the values of run
    (v, r) in `against_reference`. ``<outcome>_base`` is what each rests on (`RUN_BASES`:
    members, members, complete posts, complete posts of non-adopters, impressions). A value is NaN
    where its run has no row in the table it comes from, no complete post or no
    impression (``reach_non_adopters`` also without an ``author_adopted`` column).

    Returns:
        Columns ``scenario, variant, replication``, then each outcome and its ``_base``; a
        row per run found in any of the three tables, in order of appearance.
    """
    names = [m.name for m in RUN_OUTCOMES]
    columns = [*REP_KEYS, *(c for n in names for c in (n, f"{n}_base"))]
    runs = [t[REP_KEYS] for t in (adoption, posts, population) if not t.empty]
    if not runs:
        return pd.DataFrame(columns=columns)
    keys = pd.concat(runs, ignore_index=True).drop_duplicates()
    finals = {
        (str(v), int(r)): (float(share), float(members))
        for v, r, share, members in final_adoption(adoption)[
            ["variant", "replication", "adopter_share", "members"]
        ].itertuples(index=False, name=None)
    }
    halves = (
        {
            (str(v), int(r)): math.nan if censored else float(day)
            for v, r, day, censored in half_adoption_day(adoption)[
                ["variant", "replication", "day", "censored"]
            ].itertuples(index=False, name=None)
        }
        if not adoption.empty
        else {}
    )
    done = run_frames(complete_posts(posts, duration_days, life_days))
    labelled = "author_adopted" in posts.columns
    adopters = adopter_sets(posts) if labelled else {}
    pops = run_frames(population)
    rows = []
    for key in keys.itertuples(index=False, name=None):
        run = (str(key[1]), int(key[2]))
        row: dict[str, Any] = dict(zip(REP_KEYS, key, strict=True))
        if run in finals:
            row["adopter_share"], row["adopter_share_base"] = finals[run]
            row["half_day"], row["half_day_base"] = halves[run], finals[run][1]
        mine = done.get(run, posts.iloc[0:0])
        row["reach_everyone"], row["reach_everyone_base"] = mean_reach(mine)
        if labelled:
            kept = adopters.get(run, set())
            reach = reach_without(mine, kept)
            row["reach_non_adopters"], row["reach_non_adopters_base"] = reach
        if run in pops:
            rate = engagement_rate(pops[run], None)
            row["engagement_everyone"], row["engagement_everyone_base"] = rate
        rows.append(row)
    return (
        pd.DataFrame(rows)
        .reindex(columns=columns)
        .astype({c: float for c in columns[len(REP_KEYS) :]})
    )
