"""Summary statistics over a saved results folder (pandas, numpy, scipy, statsmodels; no plots).

`sim.figures` and `sim.report` both draw their numbers from here, so a figure and the
sentence that describes it always agree. Every function takes tidy tables as written by the
experiment runner (one row per scenario, variant, replication, seed and whatever the table is
about) and returns tidy tables. Shares are fractions in [0, 1]; callers multiply by 100 for
display.

Uncertainty is always across replications: a replication is one independent run of the
model, so the replication means are independent draws and a Student t interval over them is
the 95% confidence interval of the mean (of a share: the same interval on the logit scale,
so it stays inside [0, 1]). Paired differences pair the variants of one replication, which
share their random numbers (common random numbers).

One module per job: `results` reads a folder, `statistics` makes intervals, `feed`, `posts`,
`survival` and `effects` compute what the figures and the report show, `words` holds the
words both use and `catalogue` which figures a folder has data for. This package imports
neither the figures nor the report nor the model.
"""

from sim.analysis.catalogue import (
    FIGURES,
    figure_names,
    heading,
)
from sim.analysis.effects import (
    FOREST_METRICS,
    Metric,
    forest_effects,
    replication_metrics,
    sweep_reach_difference,
)
from sim.analysis.feed import (
    OTHER,
    SHOWN_TOPICS,
    SOURCE_GROUP,
    SOURCE_GROUPS,
    belief_gap,
    belief_series,
    display_topics,
    feed_topic_share,
    group_topics,
    period_names,
    rolling_topic_share,
    shown_topics,
    source_shares,
    topic_share_window,
)
from sim.analysis.posts import (
    POST_METRICS,
    REACH_MEASURES,
    TAG,
    connections_by_kind,
    focal_posts,
    has_source_columns,
    posts_by_source,
    posts_summary,
    primary_reach_medians,
    reached_share,
    weekly_reach,
    weekly_reach_bands,
)
from sim.analysis.results import (
    REP_KEYS,
    Results,
    event_start,
    load_results,
    replication_index,
)
from sim.analysis.statistics import (
    CONFIDENCE,
    band_over_days,
    default_pairs,
    mean_ci,
    paired_differences,
    share_bounds,
    summarise,
    t_quantile,
)
from sim.analysis.survival import (
    NEVER_HEARD_DAYS,
    followup_horizon,
    kaplan_meier,
    never_heard_at,
    never_heard_curves,
    stranger_followup,
    survival_at,
)
from sim.analysis.words import (
    BLOG_NEVER_HEARD,
    BLOG_REACH_BAND,
    KIND_LABELS,
    PRACTITIONER_REACH_BAND,
    REACH_LABELS,
    ROLLING_DAYS,
    SOURCE_LABELS,
    day_text,
    describe_event,
    event_labels,
    level_text,
    list_text,
    metric_title,
    sentence_case,
    who,
    whose,
)

__all__ = [
    "BLOG_NEVER_HEARD",
    "BLOG_REACH_BAND",
    "CONFIDENCE",
    "FIGURES",
    "FOREST_METRICS",
    "KIND_LABELS",
    "NEVER_HEARD_DAYS",
    "OTHER",
    "POST_METRICS",
    "PRACTITIONER_REACH_BAND",
    "REACH_LABELS",
    "REACH_MEASURES",
    "REP_KEYS",
    "ROLLING_DAYS",
    "SHOWN_TOPICS",
    "SOURCE_GROUP",
    "SOURCE_GROUPS",
    "SOURCE_LABELS",
    "TAG",
    "Metric",
    "Results",
    "band_over_days",
    "belief_gap",
    "belief_series",
    "connections_by_kind",
    "day_text",
    "default_pairs",
    "describe_event",
    "display_topics",
    "event_labels",
    "event_start",
    "feed_topic_share",
    "figure_names",
    "focal_posts",
    "followup_horizon",
    "forest_effects",
    "group_topics",
    "has_source_columns",
    "heading",
    "kaplan_meier",
    "level_text",
    "list_text",
    "load_results",
    "mean_ci",
    "metric_title",
    "never_heard_at",
    "never_heard_curves",
    "paired_differences",
    "period_names",
    "posts_by_source",
    "posts_summary",
    "primary_reach_medians",
    "reached_share",
    "replication_index",
    "replication_metrics",
    "rolling_topic_share",
    "sentence_case",
    "share_bounds",
    "shown_topics",
    "source_shares",
    "stranger_followup",
    "summarise",
    "survival_at",
    "sweep_reach_difference",
    "t_quantile",
    "topic_share_window",
    "weekly_reach",
    "weekly_reach_bands",
    "who",
    "whose",
]
