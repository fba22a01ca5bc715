"""Which figures a results folder has data for, in drawing order, and their headings.

The figures draw them and the report places them; both read this list, and neither needs the
other (the report never imports the plotting code).
"""

from __future__ import annotations

from sim.analysis.posts import focal_posts, has_source_columns
from sim.analysis.results import Results
from sim.analysis.survival import stranger_followup
from sim.analysis.words import sentence_case, whose

#: Every figure by name, in drawing order, with its heading; ``{whose}`` stands for the
#: focal member's possessive (`sim.analysis.words.whose`), ``{focus}`` for the focus topic.
FIGURES = {
    "feed_by_topic": "{Whose} feed by topic",
    "beliefs_vs_truth": "What the platform believes, against the truth",
    "feed_by_source": "Where the feed comes from",
    "feed_volume": "Feed volume",
    "focus_effect": "Effect on the focus topic: {focus}",
    "reach_over_time": "Reach of {whose} posts over time",
    "primary_reach": "Primary reach of {whose} posts",
    "engagement_by_source": "Who sees and engages with {whose} posts",
    "ties_never_heard": "New stranger connections never heard from",
    "connections_over_time": "{Whose} connections, and how many the posts reach",
    "effects_forest": "Effects against the reference strategy",
    "reach_region": "Where the second variant reaches more: the sweep",
    "sweep_outcomes": "The outcomes against the swept values",
    "trend_adoption": "How far the trend spreads",
    "trend_reach": "Reach per post of adopters and non-adopters over time",
    "trend_reach_vs_adoption": "Everyone's reach and engagement as the trend spreads",
    "trend_feed_sources": "Where non-adopters' feeds come from, first and last week",
    "trend_feed_similarity": "How alike members' feeds are",
}

#: The figures of the trend as a population process (`sim.analysis.trend`), which the
#: report places in a section of their own.
TREND_FIGURES = (
    "trend_adoption",
    "trend_reach",
    "trend_reach_vs_adoption",
    "trend_feed_sources",
    "trend_feed_similarity",
)


def heading(name: str, results: Results) -> str:
    """The heading of figure ``name`` for these results (see `FIGURES`)."""
    possessive = whose(results)
    return FIGURES[name].format(
        whose=possessive,
        Whose=sentence_case(possessive),
        focus=results.focus_topic or "",
    )


def _available(results: Results) -> dict[str, bool]:
    """Whether each figure but ``reach_region`` has the data it needs."""
    focal = focal_posts(results.posts)
    has_ties = (
        not results.ties.empty
        and not stranger_followup(results.ties, results.duration_days, results.connections).empty
    )
    trend = results.has_trend
    return {
        "feed_by_topic": results.has_focal,
        "beliefs_vs_truth": results.has_focal,
        "feed_by_source": results.has_focal,
        "feed_volume": not results.volume.empty,
        "focus_effect": results.focus_topic is not None,
        "reach_over_time": not focal.empty and "created_day" in focal.columns,
        "primary_reach": bool(focal["primary_reach"].notna().any()),
        "engagement_by_source": not focal.empty and has_source_columns(results.posts),
        "ties_never_heard": has_ties,
        "connections_over_time": not results.connections.empty,
        "effects_forest": len(results.variants) > 1 and not focal.empty,
        "trend_adoption": trend,
        "trend_reach": trend and "author_adopted" in results.posts.columns,
        "trend_reach_vs_adoption": trend and not results.population.empty,
        "trend_feed_sources": trend and not results.population.empty,
        "trend_feed_similarity": trend and bool(results.adoption["feed_similarity"].notna().any()),
    }


def figure_names(results: Results) -> list[str]:
    """Names of the figures drawn for a results folder, in order.

    Each figure is drawn only when its data is there: the figures of the focal members'
    feed and beliefs need focal members (`Results.has_focal`; a trend study may have none);
    ``feed_volume`` needs the volume table (folders written before it have none);
    ``focus_effect`` needs a focus topic; the figures of the focal member's posts need
    focal posts (and the by-source columns);
    ``ties_never_heard`` new stranger ties; ``connections_over_time`` the connections table;
    ``effects_forest`` two variants. A parameter sweep (`Results.is_sweep`) gets only
    ``reach_region``, and only when two parameters were swept, there are two variants and
    focal posts (its reach is theirs): the other figures take one row per variant and
    replication. A sweep of one or two parameters also gets ``sweep_outcomes`` (every
    outcome against the swept values); a sweep of more parameters gets a table in the
    report instead. The `TREND_FIGURES` need
    the trend (`Results.has_trend`): ``trend_reach`` the posts' ``author_adopted``,
    ``trend_reach_vs_adoption`` and ``trend_feed_sources`` the population table,
    ``trend_feed_similarity`` a day with a feed similarity.
    """
    if results.is_sweep:
        if results.posts.empty:
            return []
        names = []
        two = len(results.sweep_parameters) == 2 and len(results.variants) > 1
        if two and not focal_posts(results.posts).empty:
            names.append("reach_region")
        if 1 <= len(results.sweep_parameters) <= 2:
            names.append("sweep_outcomes")
        return names
    available = _available(results)
    return [n for n in FIGURES if available.get(n, False)]
