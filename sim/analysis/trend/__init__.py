"""The "link with everyone" trend as a population process: how far it spreads, and what it
does to everyone's reach, engagement and feed.

Reads the ``adoption`` and ``population`` tables, the ``posts`` table (``author_adopted``)
and the resolved scenario of each variant in the manifest. A study's arms are told apart
by their resolved scenarios (`trend_arms`): an arm *has the trend* when its ``trend``
section gives the strategy ``everyone`` to a positive share of the members at day 0; its
*rewired counterpart* is the arm whose scenario is the same but for ``network.rewire``;
its *reference* is the arm without the trend whose scenario is the same but for the
``trend`` section (so on the same network, rewired or not). Arms share member ids
replication by replication (the same network stream; rewiring moves only edges), so every
comparison is paired by replication.

Two words recur. The *adopters of a run* are the authors with at least one post written
while following the trend (``author_adopted``), whenever they adopted; every other member
is a *non-adopter* of that run. A *complete post* was created at least the post life
(``platform.max_age_days``) before the end of the run, so its whole life in the feed lies
inside the run: reach is measured on complete posts only, as a post written on the last
day has had no time to be seen and adopters are most numerous at the end.

One module per job: `arms` reads the arms from the manifest, `periods` names the weeks
compared, `adoption` follows the spread (curves, S-shape, rewiring), `reach` the posts of
adopters and non-adopters, `windows` everyone's reach and engagement over time, `feeds`
feed sources and similarity, `inequality` the Gini of engagement, `outcomes` each run's
outcomes and `reference` the comparison with the same network without the trend
(`per_run` holds the run-by-run measures the last two share).
"""

from sim.analysis.trend.adoption import (
    S_END_DAYS,
    S_LEVEL_OFF,
    adoption_curves,
    adoption_growth,
    final_adoption,
    final_adoption_summary,
    growth_bands,
    rewiring_differences,
    s_shape,
    s_shape_summary,
)
from sim.analysis.trend.arms import (
    TrendArm,
    arm_text,
    post_life_days,
    rewiring_pairs,
    trend_arms,
    variant_scenarios,
)
from sim.analysis.trend.feeds import (
    non_adopter_source_shares,
    non_adopter_sources,
    similarity_bands,
    similarity_by_day,
    similarity_last_week,
)
from sim.analysis.trend.inequality import (
    creator_engagements,
    engagement_gini,
    gini,
    gini_summary,
)
from sim.analysis.trend.outcomes import (
    RUN_BASES,
    RUN_OUTCOMES,
    run_outcomes,
)
from sim.analysis.trend.periods import (
    TREND_PERIODS,
    WEEK_DAYS,
    complete_weeks,
    trend_periods,
)
from sim.analysis.trend.reach import (
    AUTHOR_GROUPS,
    AUTHOR_LABELS,
    TREND_REACH_MEASURES,
    adopter_authors,
    complete_posts,
    label_authors,
    reach_by_author,
    reach_by_author_bands,
)
from sim.analysis.trend.reference import (
    REFERENCE_BASES,
    REFERENCE_METRICS,
    against_reference,
    reference_effects,
)
from sim.analysis.trend.windows import (
    WINDOW_MEASURES,
    daily_trend_bands,
    daily_trend_outcomes,
    trend_windows,
    window_changes,
)

__all__ = [
    "AUTHOR_GROUPS",
    "AUTHOR_LABELS",
    "REFERENCE_BASES",
    "REFERENCE_METRICS",
    "RUN_BASES",
    "RUN_OUTCOMES",
    "S_END_DAYS",
    "S_LEVEL_OFF",
    "TREND_PERIODS",
    "TREND_REACH_MEASURES",
    "WEEK_DAYS",
    "WINDOW_MEASURES",
    "TrendArm",
    "adopter_authors",
    "adoption_curves",
    "adoption_growth",
    "against_reference",
    "arm_text",
    "complete_posts",
    "complete_weeks",
    "creator_engagements",
    "daily_trend_bands",
    "daily_trend_outcomes",
    "engagement_gini",
    "final_adoption",
    "final_adoption_summary",
    "gini",
    "gini_summary",
    "growth_bands",
    "label_authors",
    "non_adopter_source_shares",
    "non_adopter_sources",
    "post_life_days",
    "reach_by_author",
    "reach_by_author_bands",
    "reference_effects",
    "rewiring_differences",
    "rewiring_pairs",
    "run_outcomes",
    "s_shape",
    "s_shape_summary",
    "similarity_bands",
    "similarity_by_day",
    "similarity_last_week",
    "trend_arms",
    "trend_periods",
    "trend_windows",
    "variant_scenarios",
    "window_changes",
]
