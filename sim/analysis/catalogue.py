"""Every figure declared once: its name, heading, section and the data it needs.

The figures draw them and the report places them; both attach their part to these names
(`sim.figures.DRAW`, `sim.report.captions.CAPTIONS`), and neither needs the other (the
report never imports the plotting code). `figure_names` says which figures a results folder
has data for, in drawing order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from sim.analysis.posts import focal_posts, has_source_columns
from sim.analysis.results import Results
from sim.analysis.survival import stranger_followup
from sim.analysis.words import sentence_case, whose


class FolderData:
    """What a results folder holds, as the figures' availability rules ask about it.

    The focal posts and the new stranger ties are found once, when first asked for.
    """

    def __init__(self, results: Results) -> None:
        self.results = results

    @cached_property
    def focal(self) -> pd.DataFrame:
        """The focal members' posts (`focal_posts`)."""
        return focal_posts(self.results.posts)

    @cached_property
    def has_ties(self) -> bool:
        """Whether there are new stranger ties to follow up (`stranger_followup`)."""
        r = self.results
        return (
            not r.ties.empty and not stranger_followup(r.ties, r.duration_days, r.connections).empty
        )

    @property
    def has_trend_population(self) -> bool:
        """Whether the trend ran and its population table is there."""
        return self.results.has_trend and not self.results.population.empty


@dataclass(frozen=True)
class FigureDeclaration:
    """One figure: its name (also its file name), heading and when a folder can have it.

    Attributes:
        name: the figure's name; ``figures/NAME.png`` and ``.svg``.
        heading: its heading; ``{whose}`` stands for the focal member's possessive
            (`sim.analysis.words.whose`), ``{Whose}`` for the same capitalised, ``{focus}``
            for the focus topic.
        available: whether a folder's data has what the figure needs.
        sweep: drawn for parameter sweeps (`Results.is_sweep`) only, instead of for
            single runs only.
        trend: a figure of the trend as a population process (`sim.analysis.trend`), which
            the report places in a section of its own.
    """

    name: str
    heading: str
    available: Callable[[FolderData], bool]
    sweep: bool = False
    trend: bool = False


def _two_swept_variants(data: FolderData) -> bool:
    """A map of the reach difference: two swept parameters, two variants, focal posts."""
    r = data.results
    return len(r.sweep_parameters) == 2 and len(r.variants) > 1 and not data.focal.empty


#: Every figure, in drawing order.
FIGURES: tuple[FigureDeclaration, ...] = (
    FigureDeclaration("feed_by_topic", "{Whose} feed by topic", lambda d: d.results.has_focal),
    FigureDeclaration(
        "beliefs_vs_truth",
        "What the platform believes, against the truth",
        lambda d: d.results.has_focal,
    ),
    FigureDeclaration("feed_by_source", "Where the feed comes from", lambda d: d.results.has_focal),
    FigureDeclaration("feed_volume", "Feed volume", lambda d: not d.results.volume.empty),
    FigureDeclaration(
        "focus_effect",
        "Effect on the focus topic: {focus}",
        lambda d: d.results.focus_topic is not None,
    ),
    FigureDeclaration(
        "reach_over_time",
        "Reach of {whose} posts over time",
        lambda d: not d.focal.empty and "created_day" in d.focal.columns,
    ),
    FigureDeclaration(
        "primary_reach",
        "Primary reach of {whose} posts",
        lambda d: bool(d.focal["primary_reach"].notna().any()),
    ),
    FigureDeclaration(
        "engagement_by_source",
        "Who sees and engages with {whose} posts",
        lambda d: not d.focal.empty and has_source_columns(d.results.posts),
    ),
    FigureDeclaration(
        "ties_never_heard", "New stranger connections never heard from", lambda d: d.has_ties
    ),
    FigureDeclaration(
        "connections_over_time",
        "{Whose} connections, and how many the posts reach",
        lambda d: not d.results.connections.empty,
    ),
    FigureDeclaration(
        "exposure_funnel",
        "The exposure funnel: what reaches members' feeds, by relation",
        lambda d: not d.results.funnel.empty and not d.results.member_days.empty,
    ),
    FigureDeclaration(
        "effects_forest",
        "Effects against the reference strategy",
        lambda d: len(d.results.variants) > 1 and not d.focal.empty,
    ),
    FigureDeclaration(
        "reach_region",
        "Where the second variant reaches more: the sweep",
        _two_swept_variants,
        sweep=True,
    ),
    FigureDeclaration(
        "sweep_outcomes",
        "The outcomes against the swept values",
        lambda d: 1 <= len(d.results.sweep_parameters) <= 2,
        sweep=True,
    ),
    FigureDeclaration(
        "trend_adoption", "How far the trend spreads", lambda d: d.results.has_trend, trend=True
    ),
    FigureDeclaration(
        "trend_reach",
        "Reach per post of adopters and non-adopters over time",
        lambda d: d.results.has_trend and "author_adopted" in d.results.posts.columns,
        trend=True,
    ),
    FigureDeclaration(
        "trend_reach_vs_adoption",
        "Everyone's reach and engagement as the trend spreads",
        lambda d: d.has_trend_population,
        trend=True,
    ),
    FigureDeclaration(
        "trend_feed_sources",
        "Where non-adopters' feeds come from, first and last week",
        lambda d: d.has_trend_population,
        trend=True,
    ),
    FigureDeclaration(
        "trend_feed_similarity",
        "How alike members' feeds are",
        lambda d: d.results.has_trend and bool(d.results.adoption["feed_similarity"].notna().any()),
        trend=True,
    ),
)

#: The names of every figure, in drawing order.
FIGURE_NAMES = tuple(figure.name for figure in FIGURES)

#: The figures of the trend as a population process, which the report places in a section
#: of their own.
TREND_FIGURES = tuple(figure.name for figure in FIGURES if figure.trend)

_BY_NAME = {figure.name: figure for figure in FIGURES}


def heading(name: str, results: Results) -> str:
    """The heading of figure ``name`` for these results (see `FigureDeclaration.heading`)."""
    possessive = whose(results)
    return _BY_NAME[name].heading.format(
        whose=possessive,
        Whose=sentence_case(possessive),
        focus=results.focus_topic or "",
    )


def figure_names(results: Results) -> list[str]:
    """Names of the figures drawn for a results folder, in order.

    Each figure is drawn only when its data is there (`FigureDeclaration.available`): the
    figures of the focal members' feed and beliefs need focal members (`Results.has_focal`;
    a trend study may have none); ``feed_volume`` needs the volume table (folders written
    before it have none); ``focus_effect`` needs a focus topic; the figures of the focal
    member's posts need focal posts (and the by-source columns); ``ties_never_heard`` new
    stranger ties; ``connections_over_time`` the connections table; ``exposure_funnel``
    the funnel and member-day tables (``measure.funnel``); ``effects_forest`` two variants.
    A parameter sweep (`Results.is_sweep`) gets only the sweep figures, and none
    without posts: ``reach_region`` only when two parameters were swept, there are two
    variants and focal posts (its reach is theirs): the other figures take one row per
    variant and replication. A sweep of one or two parameters also gets ``sweep_outcomes``
    (every outcome against the swept values); a sweep of more parameters gets a table in the
    report instead. The `TREND_FIGURES` need the trend (`Results.has_trend`):
    ``trend_reach`` the posts' ``author_adopted``, ``trend_reach_vs_adoption`` and
    ``trend_feed_sources`` the population table, ``trend_feed_similarity`` a day with a feed
    similarity.
    """
    if results.is_sweep and results.posts.empty:
        return []
    data = FolderData(results)
    return [f.name for f in FIGURES if f.sweep == results.is_sweep and f.available(data)]
