"""The bands pre-registered in docs/validation.md, by study: the scorecard lists every one,
with "not run" where its study has no verdicts yet."""

from __future__ import annotations

PREREGISTERED: dict[str, tuple[str, ...]] = {
    "validation-amplification": ("1a", "1b", "1c", "1d"),
    "validation-audience": ("2a", "2b", "2c"),
    "validation-centola": ("3a", "3b", "3c"),
    "validation-centola-map": ("3d",),
    "validation-centola-trend": ("3e",),
    "validation-sources-of-feed": ("4a", "4b", "4c"),
    "validation-chronological": ("5a", "5b", "5c"),
}
"""The bands of each validation study (its scenario's name), in the order of the page."""

FOLDERS: dict[str, str] = {"validation-centola-trend": "validation-centola-trend-sweep"}
"""The results folder of a study where it is not the scenario's name (a sweep's folder)."""

TITLES: dict[str, str] = {
    "validation-amplification": "Algorithmic amplification (Huszár et al. 2022)",
    "validation-audience": "How much of one's network sees a post (Bernstein et al. 2013)",
    "validation-centola": "Complex contagion on a lattice and its random copy (Centola 2010;"
    " Wan et al. 2025; Eckles et al.)",
    "validation-centola-map": "Where clustering wins: the sign map (Wan et al. 2025)",
    "validation-centola-trend": "Clustering and long ties in the trend network",
    "validation-sources-of-feed": "In-network shares of the feed by platform",
    "validation-chronological": "A chronological feed, randomised (Guess et al. 2023)",
}
"""Each study's title in the scorecard."""

_FOLLOWERS_CHOSEN_AFTER = (
    "`platform.followers` (how followers get posts, and so the in-network supply) was chosen"
    " after this band's verdict at commit 172f7bf was seen (docs/validation.md, rule 4)"
)
_DEFAULTS_CHANGED_AFTER = (
    "the structural defaults this study runs at (docs/model.md 7.26) changed after the"
    " scorecard of commit 172f7bf was seen, though not for this band (docs/validation.md,"
    " rule 4)"
)

CALIBRATED_AFTER: dict[str, str] = {
    **dict.fromkeys(("1a", "1b", "1c", "1d", "4b", "4c"), _FOLLOWERS_CHOSEN_AFTER),
    **dict.fromkeys(
        ("2a", "2b", "2c", "3e", "5a", "5a-linkedin", "5b", "5c"), _DEFAULTS_CHANGED_AFTER
    ),
}
"""Rule 4 of docs/validation.md, read strictly: the bands whose model choices were made after
their verdict was seen, with the reason. They are calibration from then on, listed apart from
validation."""
