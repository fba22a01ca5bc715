"""The caption of the exposure funnel (`sim.figures.funnel`): how much of each relation's
posts members read, per arm."""

from __future__ import annotations

from sim.analysis import Results
from sim.analysis.funnel import RELATION_LABELS, read_share_by_relation
from sim.analysis.words import list_text


def funnel_sentence(results: Results) -> str:
    """What `exposure_funnel` shows, with the share of each relation's potential read in the
    first variant, per arm."""
    shares = read_share_by_relation(results)
    variant = results.variants[0]
    rows = shares[shares["variant"] == variant]
    parts = []
    for arm, group in rows.groupby("arm", sort=False):
        read = list_text(
            [
                f"{100 * r['mean']:.1f}% ({100 * r['lo']:.1f}–{100 * r['hi']:.1f}) of"
                f" {RELATION_LABELS[str(r['relation'])]}'"
                for _, r in group.iterrows()
                if r["relation"] in ("peer", "stranger", "follow") and r["mean"] == r["mean"]
            ]
        )
        parts.append(f"members of arm {arm} read {read} posts")
    return (
        "The exposure funnel: per member of each arm, the posts created by connections and"
        " followed accounts (and, for second degree and out of network, by everyone else),"
        " those that became candidates, were read and were engaged with, by the viewer's"
        f" relation to the author when the post was created. Under {variant}, "
        + "; ".join(parts)
        + " (95% CI over replications)."
    )
