"""The figure of the focal member's feed volume: impressions, candidates and items read."""

from __future__ import annotations

import pandas as pd
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from sim.analysis import (
    ROLLING_DAYS,
    VOLUME_MEASURES,
    Results,
    band_over_days,
    volume_series,
    whose,
)
from sim.figures.style import (
    arm_labels,
    draw_band,
    events_with_variants,
    figure,
    figure_titles,
    identical_handles,
    legend_rows,
    mark_events,
    no_data,
    stacked_width,
    uncertainty_note,
    variant_colours,
    variant_handles,
)

#: Title and y-axis label of each panel, with its unit.
_PANELS = {
    "impressions": ("Impressions (items shown a day)", "items shown per day"),
    "candidates_per_session": (
        "Candidates (items ranked per session)",
        "candidate items ranked per session",
    ),
    "items_per_session": ("Items read (items per session)", "items read per session"),
}


def feed_volume(results: Results) -> Figure:
    """The focal member's impressions a day, candidates per session and items read per
    session over a trailing `ROLLING_DAYS`-day window, one line per variant (mean over
    replications, 95% band)."""
    colours = variant_colours(results.variants)
    series = volume_series(results.volume, ROLLING_DAYS)
    fig = figure(15.0, 5.2)
    axes = list(fig.subplots(1, len(VOLUME_MEASURES)))
    marked: dict[str, Artist] = {}
    bands = []
    n = len(results.variants)
    for ax, measure in zip(axes, VOLUME_MEASURES, strict=True):
        band = band_over_days(series, measure, ["variant"]).assign(measure=measure)
        bands.append(band)
        for i, variant in enumerate(results.variants):
            b = band[band["variant"] == variant]
            draw_band(ax, b["day"], b, colours[variant], linewidth=stacked_width(i, n))
        means = band["mean"].dropna()
        if means.empty:
            no_data(ax, "feed sessions recorded")
        elif means.max() > 0:  # an interval of few replications can be very wide: keep the
            ax.set_ylim(0, 1.6 * float(means.max()))  # means readable
        for handle in mark_events(ax, events_with_variants(results)):
            marked.setdefault(str(handle.get_label()), handle)
        title, label = _PANELS[measure]
        ax.set_title(title)
        ax.set_xlabel("simulated day")
        ax.set_ylabel(label)
        ax.set_xlim(0, results.last_day)
    figure_titles(
        fig,
        f"How much {whose(results)} feed holds: the volume every feed share rests on",
        results,
        f"trailing {ROLLING_DAYS}-day window per replication (per session: the window's "
        "candidates or items read over its sessions); "
        + uncertainty_note(results).replace("mean of", "line: mean of"),
    )
    drawn = [b for b in bands if not b.empty]
    frame = pd.concat(drawn, ignore_index=True) if drawn else pd.DataFrame()
    short = {m: _PANELS[m][0].split(" (")[0].lower() for m in VOLUME_MEASURES}
    same = identical_handles(
        frame, results.variants, panel="measure", panel_names=short, names=arm_labels(results)
    )
    legend_rows(
        fig, [variant_handles(results, results.variants, colours), list(marked.values()), same]
    )
    return fig
