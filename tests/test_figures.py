"""Figures and report drawn from small synthetic results folders with known numbers."""

from __future__ import annotations

import html
import json
import math
import re
import struct
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import (
    KIND_LABELS,
    REACH_LABELS,
    SOURCE_LABELS,
    event_labels,
    figure_names,
    load_results,
)
from sim.errors import InputError
from sim.figures import draw_figures
from sim.report import report_markdown, write_report
from sim.report.captions import source_mix_text

VARIANTS = ["baseline", "accept-100-it", "accept-100-it-no-connection-term"]
STRATEGIES = ["selective", "everyone", "everyone-intro", "selective-tagging", "everyone-prune"]
TOPICS = ["finance", "it", "hr"]
DAYS = 20
EVENT_DAY = 10
T975_DF2 = 4.302653  # t(0.975, 2), from printed tables
OLD_FIGURES = ["feed_by_topic", "beliefs_vs_truth", "feed_by_source", "focus_effect"]
NEW_FIGURES = [
    "reach_over_time",
    "primary_reach",
    "engagement_by_source",
    "ties_never_heard",
    "connections_over_time",
    "effects_forest",
]
NAN = math.nan


def it_impressions(variant: str, replication: int, day: int) -> int:
    """IT items a day: 2, and after the event 6 + r (accept) or 4 + r (no connection term)."""
    if variant == "baseline" or day < EVENT_DAY:
        return 2
    return (6 if variant == "accept-100-it" else 4) + replication


def expected_it_share(variant: str, replication: int) -> float:
    """IT share over days EVENT_DAY..DAYS-1: every day has 6 finance and 2 hr items besides."""
    it = it_impressions(variant, replication, EVENT_DAY)
    return it / (it + 8)


def focal_post(k: int, r: int, j: int) -> dict[str, float]:
    """Focal post j (0, 1) of the k-th variant in replication r.

    Created on day 1 + 7j; 100 connections; 5 + 2j primary viewers; viewers by group: peer
    4 + j, stranger 2k + r, second degree 1, out of network 1 (so 6 + j + 2k + r in all);
    tag viewers 1 in the third variant; engagements: 1 from a peer and k from strangers.
    """
    viewers = {
        "peer": 4 + j,
        "follow": 0,
        "stranger": 2 * k + r,
        "second_degree": 1,
        "out_of_network": 1,
    }
    engagements = {"peer": 1, "follow": 0, "stranger": k, "second_degree": 0, "out_of_network": 0}
    row: dict[str, float] = {
        "created_day": 1.0 + 7 * j,
        "author_connections": 100,
        "primary_viewers": 5 + 2 * j,
        "impressions": sum(viewers.values()),
        "likes": 1 + k,
        "comments": 0,
        "shares": 0,
        "viewers_tag": int(k == 2),
        "engagements_tag": int(k == 2),
    }
    row |= {f"viewers_{g}": v for g, v in viewers.items()}
    row |= {f"engagements_{g}": v for g, v in engagements.items()}
    return row


#: New stranger ties of every variant but the first, per replication: (intro message,
#: first interaction day, removed day); all accepted on EVENT_DAY.
STRANGER_TIES = [
    (False, 12.0, NAN),  # heard from after 2 days
    (False, NAN, NAN),  # never: censored at the end, 10 days on
    (False, NAN, 15.0),  # pruned on day 15: censored after 5 days
    (False, 17.0, NAN),  # after 7 days
    (True, 10.0, NAN),  # the intro message was answered at once
    (True, NAN, NAN),
]
# Kaplan-Meier at 10 days: without intro 3/4 * 1/2 = 37.5%; with intro 50%


def write_results(
    root: Path,
    replications: int = 3,
    focus_topic: str | None = "it",
    empty_variant: str | None = None,
    extras: bool = True,
    variants: Sequence[str] = VARIANTS,
    events: bool = True,
) -> Path:
    """A results folder as the runner writes it, small enough to draw in a second.

    ``extras`` adds what newer runs have: posts by relationship group, ties, connections.
    """
    ids = ["scenario", "variant", "replication", "seed"]
    feed, beliefs, posts, ties, connections = [], [], [], [], []
    for k, variant in enumerate(variants):
        for rep in range(replications):
            run = ("recruiter", variant, rep, 100 + rep)
            if variant != empty_variant:
                for day in range(DAYS):
                    feed += [
                        (*run, 0, day, "finance", "colleague", 6),
                        (*run, 0, day, "hr", "stranger", 2),
                        (*run, 0, day, "it", "field_peer", it_impressions(variant, rep, day)),
                    ]
            shift = 0.0 if variant == "baseline" else 0.3
            for day in range(DAYS + 1):
                moved = shift if day > EVENT_DAY else 0.0
                for topic, inferred, true in zip(
                    TOPICS, [0.6 - moved, 0.2 + moved, 0.2], [0.7, 0.1, 0.2], strict=True
                ):
                    beliefs.append((*run, 0, day, topic, inferred, true))
            ident = dict(zip(ids, run, strict=True))
            for j in range(2):
                posts.append(
                    {**ident, "post_id": j, "author_id": 0, "focal": True, "topic": "finance"}
                    | focal_post(k, rep, j)
                )
            other = focal_post(0, 0, 0) | {"author_connections": 50, "primary_viewers": 20}
            posts.append(
                {**ident, "post_id": 9, "author_id": 4, "focal": False, "topic": "it"} | other
            )
            ties.append((*run, 0, 1, "colleague", 0.0, False, False, NAN, True, NAN, 0.0))
            if k > 0:
                for i, (intro, first, removed) in enumerate(STRANGER_TIES):
                    placed = first == EVENT_DAY
                    ties.append(
                        (
                            *run,
                            0,
                            10 + i,
                            "stranger",
                            float(EVENT_DAY),
                            intro,
                            placed,
                            first,
                            True,
                            removed,
                            0.0 if math.isnan(removed) else 1.0,
                        )
                    )
            for day in range(DAYS + 1):
                strangers = 0 if k == 0 or day <= EVENT_DAY else (6 if day <= 15 else 5)
                last = day == DAYS
                connections += [
                    (*run, 0, day, "colleague", 10, 8 if last else 4, 0),
                    (*run, 0, day, "stranger", strangers, 1 + rep if last and k else 0, 0),
                ]
    tables = root / "tables"
    tables.mkdir(parents=True)
    frames = {
        "feed": pd.DataFrame(
            feed, columns=[*ids, "member_id", "day", "topic", "source", "impressions"]
        ),
        "beliefs": pd.DataFrame(
            beliefs,
            columns=[*ids, "member_id", "day", "topic", "inferred_weight", "true_weight"],
        ),
        "posts": pd.DataFrame(posts),
    }
    if extras:
        frames["ties"] = pd.DataFrame(
            ties,
            columns=[
                *ids,
                *["member_id", "partner_id", "kind", "created_day", "intro_message", "placed"],
                *["first_interaction_day", "saw_member_post", "removed_day", "removal_minutes"],
            ],
        )
        frames["connections"] = pd.DataFrame(
            connections,
            columns=[
                *ids,
                "member_id",
                "day",
                "kind",
                "connections",
                "connections_reached",
                "messages_sent_total",
            ],
        )
    else:
        by_group = [
            c
            for c in frames["posts"].columns.astype(str)
            if c.startswith(("viewers_", "engagements_"))
        ]
        frames["posts"] = frames["posts"].drop(columns=by_group)
    for name, frame in frames.items():  # string columns as the runner writes them
        for column in ["scenario", "variant", "topic", "source", "kind"]:
            if column in frame:
                frame[column] = frame[column].astype("string")
        frame.to_parquet(tables / f"{name}.parquet")
    burst = {"day": EVENT_DAY, "action": "accept_invitations", "member": "recruiter"}
    burst |= {"count": 100, "field": "it"}
    manifest = {
        "scenario_name": "recruiter",
        "description": "A recruiter <b>accepts</b> 100 invitations & more.",
        "scenario": {
            "base": {"name": "recruiter", "focal": [{"name": "recruiter", "field": "finance"}]}
        },
        "variants": list(variants),
        "variant_descriptions": {v: f"what {v} does" for v in variants},
        "replications": replications,
        "seeds": {str(r): 100 + r for r in range(replications)},
        "duration_days": DAYS,
        "topics": TOPICS,
        "focus_topic": focus_topic,
        "event_days": [float(EVENT_DAY)] if events else [],
        "events": {v: [burst] if events and i else [] for i, v in enumerate(variants)},
        "version": "0.1.0",
        "git_commit": "abc1234",
        "started": "2026-01-01T00:00:00",
        "finished": "2026-01-01T00:01:05",
        "wall_seconds": 65.0,
        "platform": "test",
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The three-replication folder with its figures and report."""
    root = write_results(tmp_path_factory.mktemp("results"))
    paths = draw_figures(root)
    write_report(root)
    return root, paths


def test_every_figure_is_written_as_png_and_svg(drawn: tuple[Path, list[Path]]) -> None:
    root, paths = drawn
    names = OLD_FIGURES + NEW_FIGURES
    expected = [root / "figures" / f"{n}.{ext}" for n in names for ext in ("png", "svg")]
    assert paths == expected
    for path in expected:
        head = path.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in head


def svg_lines(path: Path) -> list[str]:
    """Every line of text in an SVG written with ``svg.fonttype = none``, in order."""
    svg = path.read_text(encoding="utf-8")
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def svg_texts(path: Path) -> set[str]:
    """The set of `svg_lines`."""
    return set(svg_lines(path))


def svg_flow(path: Path) -> str:
    """All text of an SVG in order, lines joined by spaces (wrapped labels read whole)."""
    return " ".join(svg_lines(path))


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG, from its header."""
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return int(width), int(height)


EVENT_LABEL = "day 10: recruiter accepts 100 invitations from it"
BURST_VARIANTS = "(in accept-100-it, accept-100-it-no-connection-term)"


@pytest.mark.parametrize(
    ("name", "labels"),
    [
        (
            "feed_by_topic",
            [*TOPICS, *VARIANTS, "simulated day", "share of feed impressions (%)", EVENT_LABEL],
        ),
        (
            "beliefs_vs_truth",
            [*TOPICS, *VARIANTS, "true interest", "inferred by the platform", EVENT_LABEL],
        ),
        (
            "feed_by_source",
            [*VARIANTS, "before (days 0–9)", "after (days 10–19)", *SOURCE_LABELS.values()],
        ),
        (
            "focus_effect",
            [
                *VARIANTS,
                "minus baseline",
                "paired difference (percentage points)",
                "it share, days 10–19",
            ],
        ),
        (
            "reach_over_time",
            [
                *VARIANTS,
                *REACH_LABELS.values(),
                "viewers per post",
                "simulated day the post was created (weekly bins)",
            ],
        ),
        (
            "primary_reach",
            [
                *VARIANTS,
                "the blog post's claim: 4–5% of connections see a post",
                "practitioners: 5–10% (test audience)",
                "median 6.0%",  # 5 and 7 of 100 connections
                "dot: one post",
            ],
        ),
        (
            "engagement_by_source",
            [
                *VARIANTS,
                *SOURCE_LABELS.values(),
                "of them, through a tag notification",
                "Peer share of viewers",
                "peer viewers / all viewers (%)",
                "7.5",  # baseline: 6.5 + r viewers per post
                "1.00",  # and one engagement
                f"{100 * sum(9 / (13 + 2 * r) for r in range(3)) / 3:.1f}%",
            ],
        ),
        (
            "ties_never_heard",
            [
                *VARIANTS[1:],
                "accepted without an intro message",
                "with an intro message",
                "the blog post: 90% never heard from",
                "days since the tie was accepted",
                "new stranger ties with no interaction yet (%)",
                "38%",  # Kaplan-Meier: 37.5% without intro message
                "50%",  # and 50% with one
            ],
        ),
        (
            "connections_over_time",
            [
                *VARIANTS,
                KIND_LABELS["colleague"],
                KIND_LABELS["stranger"],
                "Connections who ever saw a post",
                "share of connections (%)",
                "the recruiter's connections",
            ],
        ),
        (
            "effects_forest",
            [
                "accept-100-it",
                "minus baseline",
                "Viewers per post",
                "baseline: 7.50 viewers per post",
                "baseline: 80.0% of connections",
                "+2.0",  # 2k more stranger viewers per post
                "difference (percentage points)",
                "difference (viewers per post)",
            ],
        ),
    ],
)
def test_svg_text_names_every_series(
    drawn: tuple[Path, list[Path]], name: str, labels: list[str]
) -> None:
    path = drawn[0] / "figures" / f"{name}.svg"
    texts, flow = svg_texts(path), svg_flow(path)
    # long legend labels are wrapped onto several lines: they read whole in the flow
    missing = {label for label in labels if label not in texts and label not in flow}
    assert not missing, missing


def test_events_are_marked_in_the_variants_that_have_them(
    drawn: tuple[Path, list[Path]],
) -> None:
    figures = drawn[0] / "figures"
    # one legend entry for the two burst panels; the baseline panel has no line
    assert svg_flow(figures / "feed_by_topic.svg").count(EVENT_LABEL) == 1
    assert f"{EVENT_LABEL} {BURST_VARIANTS}" in svg_flow(figures / "reach_over_time.svg")
    # the baseline has no new stranger ties: no curve, no legend entry
    assert "baseline" not in svg_texts(figures / "ties_never_heard.svg")


def test_effects_forest_leaves_out_metrics_without_a_difference(
    drawn: tuple[Path, list[Path]],
) -> None:
    # the reference (baseline) has no new stranger ties: no paired difference to draw
    assert "New stranger ties never heard from" not in svg_flow(
        drawn[0] / "figures" / "effects_forest.svg"
    )


def test_focus_effect_labels_the_paired_difference(drawn: tuple[Path, list[Path]]) -> None:
    diffs = [expected_it_share("accept-100-it", r) - 0.2 for r in range(3)]
    texts = svg_texts(drawn[0] / "figures" / "focus_effect.svg")
    assert f"{100 * sum(diffs) / 3:+.1f} pp" in texts


def paired_ci(d: Sequence[float], scale: float = 100.0) -> tuple[float, float, float]:
    """Mean and t interval of three paired differences, times ``scale``."""
    mean = sum(d) / len(d)
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (len(d) - 1))
    half = T975_DF2 * sd / math.sqrt(len(d))
    return scale * mean, scale * (mean - half), scale * (mean + half)


def test_report_html_is_self_contained_and_gives_the_numbers(
    drawn: tuple[Path, list[Path]],
) -> None:
    root = drawn[0]
    page = (root / "report.html").read_text(encoding="utf-8")
    assert 'src="figures/' not in page
    assert page.count('src="data:image/png;base64,') == 10
    assert "http://" not in page and "https://" not in page
    # paired differences, by hand: it share after the event per replication
    for b, a in [
        ("accept-100-it", "baseline"),
        ("accept-100-it-no-connection-term", "baseline"),
        ("accept-100-it", "accept-100-it-no-connection-term"),
    ]:
        d = [expected_it_share(b, r) - expected_it_share(a, r) for r in range(3)]
        mean, lo, hi = paired_ci(d)
        row = f"<td>{b} minus {a}</td><td>{mean:+.1f} pp ({lo:+.1f} to {hi:+.1f})</td><td>3</td>"
        assert row in page
    # the baseline's it share is 2 / 10 in every replication: an interval of width 0
    assert "it share of the feed was 20.0% (95% CI 20.0–20.0) under baseline" in page
    # focal posts reach 5 and 7 of 100 connections
    assert "<td>6.0% (6.0–6.0)</td>" in page
    assert "A recruiter &lt;b&gt;accepts&lt;/b&gt; 100 invitations &amp; more." in page
    assert "<summary>manifest.json</summary>" in page
    assert "1 min 5 s" in page


def test_report_gives_the_numbers_of_the_new_figures(drawn: tuple[Path, list[Path]]) -> None:
    text = (drawn[0] / "report.md").read_text(encoding="utf-8")
    # primary viewers 5 and 7; engagement-driven 1 + 2k + r and 2k + r
    driven = paired_ci([0.5 + r for r in range(3)], scale=1.0)
    assert (
        "a post had 6.0 (95% CI 6.0–6.0) primary and "
        f"{driven[0]:.1f} ({driven[1]:.1f} to {driven[2]:.1f}) engagement-driven viewers "
        "under baseline, 6.0 (6.0–6.0) and 3.5 (1.0–6.0) under accept-100-it"
    ) in text
    assert "the median post's primary reach was 6.0% (95% CI 6.0–6.0) under baseline" in text
    # engagements per post 1 + k; tag engagements 1 per post in the third variant
    assert "engagements per post were 1.00 (95% CI 1.00–1.00) under baseline" in text
    assert "of these, 1.00 (1.00–1.00) under accept-100-it-no-connection-term came from" in text
    # Kaplan-Meier at 10 days, the same in every replication
    assert "never heard from within 10 days of accepting them" in text
    assert (
        "without an intro message, 37.5% (95% CI 37.5–37.5) under accept-100-it and "
        "37.5% (37.5–37.5) under accept-100-it-no-connection-term; with one, 50.0% "
        "(50.0–50.0) under accept-100-it"
    ) in text
    assert "new stranger ties per replication: 6 under accept-100-it" in text
    # on day 20: 10 colleagues, 5 strangers; reached 8 of 10, and 8 + 1 + r of 15
    assert "on day 20 the recruiter had 10 (0 strangers) under baseline, 15 (5 strangers)" in text
    assert "80.0% (95% CI 80.0–80.0) under baseline" in text


def test_report_tables_every_effect_against_the_first_variant(
    drawn: tuple[Path, list[Path]],
) -> None:
    page = (drawn[0] / "report.html").read_text(encoding="utf-8")
    rows = {
        # viewers per post 6.5 + 2k + r: k = 1 adds exactly 2
        (
            "Viewers per post",
            "viewers per post",
            "accept-100-it minus baseline",
            "7.50 viewers per post",
            "+2.00 (+2.00 to +2.00)",
        ),
        (
            "Engagements per post",
            "engagements per post",
            "accept-100-it-no-connection-term minus baseline",
            "1.00 engagements per post",
            "+2.00 (+2.00 to +2.00)",
        ),
        # connections ever reached at the end: (9 + r) / 15 against 8 / 10
        (
            "Connections ever reached, end of run",
            "percentage points",
            "accept-100-it minus baseline",
            "80.0% of connections",
            "{:+.1f} pp ({:+.1f} to {:+.1f})".format(
                *paired_ci([(9 + r) / 15 - 0.8 for r in range(3)])
            ),
        ),
        # peer share of viewers: 9 / (13 + 4k + 2r) against 9 / (13 + 2r)
        (
            "Peer share of viewers",
            "percentage points",
            "accept-100-it minus baseline",
            f"{100 * sum(9 / (13 + 2 * r) for r in range(3)) / 3:.1f}% of viewers",
            "{:+.1f} pp ({:+.1f} to {:+.1f})".format(
                *paired_ci([9 / (17 + 2 * r) - 9 / (13 + 2 * r) for r in range(3)])
            ),
        ),
    }
    for cells in rows:
        row = "".join(f"<td>{html.escape(c)}</td>" for c in (*cells, "3"))
        assert row in page, cells
    # the baseline has no new stranger ties: nothing to pair
    assert "<td>New stranger ties never heard from within 10 days</td>" not in page
    assert (
        "No paired difference for new stranger ties never heard from: no replication has new "
        "stranger ties in both arms: the reference arm baseline has none."
    ) in page


def test_report_md_refers_to_the_figures_beside_it(drawn: tuple[Path, list[Path]]) -> None:
    text = (drawn[0] / "report.md").read_text(encoding="utf-8")
    for name in OLD_FIGURES + NEW_FIGURES:
        assert f"](figures/{name}.png)" in text
    assert "| accept-100-it minus baseline | +26.5 pp" in text
    assert "data:image" not in text


def test_five_variants_one_replication_no_events(tmp_path: Path) -> None:
    root = write_results(
        tmp_path,
        replications=1,
        focus_topic=None,
        empty_variant="everyone-intro",
        variants=STRATEGIES,
        events=False,
    )
    assert figure_names(load_results(root)) == OLD_FIGURES[:3] + NEW_FIGURES
    assert len(draw_figures(root, names=["feed_by_topic"])) == 2
    png = root / "figures" / "feed_by_topic.png"
    assert png_size(png) == (2190, 1350)  # three panels a row, two rows (150 dpi)
    texts = svg_texts(png.with_suffix(".svg"))
    assert set(STRATEGIES) <= texts
    assert not any(t.startswith("day ") for t in texts)  # no event, no marker
    assert "no feed impressions recorded" in texts
    assert "recruiter: one replication, so no confidence band" in texts
    with pytest.raises(ValueError, match="focus_effect"):
        draw_figures(root, names=["focus_effect"])


def test_an_older_folder_with_one_replication_and_a_variant_without_feed(
    tmp_path: Path,
) -> None:
    root = write_results(tmp_path, replications=1, empty_variant="accept-100-it", extras=False)
    results = load_results(root)
    # no ties, connections or posts by relationship group: their figures are not drawn
    assert figure_names(results) == [
        *OLD_FIGURES,
        "reach_over_time",
        "primary_reach",
        "effects_forest",
    ]
    text = report_markdown(results)
    # no interval from one replication; no difference for the variant without feed
    assert "it share of the feed was 20.0% under baseline, no data under accept-100-it" in text
    assert "| accept-100-it minus baseline | no data | 0 |" in text
    assert "| Viewers per post | viewers per post | accept-100-it minus baseline | " in text
    assert "Who sees and engages" not in text and "within 10 days" not in text
    assert (
        "No paired difference for peer viewers per post and peer share of viewers: no "
        "replication of baseline, accept-100-it and accept-100-it-no-connection-term has "
        "viewers recorded by relationship."
    ) in text


def test_without_focus_topic_there_is_no_effect_section(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=2, focus_topic=None)
    results = load_results(root)
    assert figure_names(results) == OLD_FIGURES[:3] + NEW_FIGURES
    text = report_markdown(results)
    assert "Effect on the focus topic" not in text and "paired replications |" in text
    # the most-seen topic stands in for the focus topic; beliefs are summarised by their gap
    assert "the finance share of the feed was" in text
    assert "differed by 10.0% (95% CI 10.0–10.0) under baseline" in text
    assert "focus_effect" not in text


def test_report_needs_the_figures(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=1)
    with pytest.raises(InputError, match="draw the figures first"):
        write_report(root)


def test_event_labels_fall_back_to_the_action_words(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=1)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["event_days"] = [10.0, 15.0, 17.0, 18.0]
    manifest["events"] = {
        "accept-100-it": [
            {"day": 10, "action": "accept_invitations", "count": 100, "field": "it"},
            {"day": 15, "action": "prune_silent_connections", "member": "recruiter"},
            {"day": 18, "action": "prune", "member": "member", "kinds": ["stranger", "client"]},
        ]
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert event_labels(load_results(root)) == [
        (10.0, "day 10: accepts 100 invitations from it"),
        (15.0, "day 15: recruiter: prune silent connections"),
        (17.0, "day 17: scripted event"),
        (18.0, "day 18: member removes the stranger and client connections never heard from"),
    ]


def write_sweep(
    root: Path,
    parameters: int = 2,
    values: tuple[object, ...] = (0.1, 0.2),
    variants: tuple[str, ...] = ("a", "b"),
) -> Path:
    """A sweep folder: `write_results` at four points of a 2 x 2 grid (or of one axis, at
    ``values``).

    Variant b's focal posts have ``point - 1`` more viewers than a's at every point, the
    same in each replication; at point 3 replication r adds r more (an interval around 2).
    """
    grid = [(0.1, 1), (0.1, 2), (0.2, 1), (0.2, 2)] if parameters == 2 else [(v,) for v in values]
    write_results(root, replications=2, focus_topic=None, variants=list(variants), events=False)
    posts = pd.read_parquet(root / "tables" / "posts.parquet")
    columns = ["behaviour__x", "network__y"][:parameters]
    parts = []
    for point, values in enumerate(grid):
        part = posts.assign(point=point, **dict(zip(columns, values, strict=True)))
        extra = (point - 1) + (part["replication"] if point == 3 else 0)
        b = part["variant"] == "b"
        part.loc[b, "impressions"] = part.loc[b, "impressions"] - 2 + extra  # k = 1 adds 2
        parts.append(part)
    pd.concat(parts, ignore_index=True).to_parquet(root / "tables" / "posts.parquet")
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"] = [
        {"path": c.replace("__", "."), "column": c, "values": []} for c in columns
    ]
    manifest["points"] = [{"point": p} for p in range(len(grid))]
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_a_sweep_gets_its_reach_map_and_nothing_else(tmp_path: Path) -> None:
    root = write_sweep(tmp_path)
    results = load_results(root)
    assert results.is_sweep and figure_names(results) == ["reach_region", "sweep_outcomes"]
    draw_figures(root)
    write_report(root)
    texts = svg_texts(root / "figures" / "reach_region.svg")
    assert {"behaviour.x", "network.y", "b minus a: viewers per post"} <= texts
    # a zero-width interval excludes 0 unless the difference is 0; point 3: 2 +- 12.7 * 0.5
    assert {"-1.0 *", "+0.0", "+1.0 *", "+2.5"} <= texts
    text = (root / "report.md").read_text(encoding="utf-8")
    assert "from -1.0 at behaviour.x = 0.1, network.y = 1 to +2.5 at behaviour.x = 0.2" in text
    assert "at 2 of 4 points the 95% confidence interval excludes 0" in text
    assert "parameter sweep" in text and "The focal member's posts" not in text


def test_a_sweep_of_one_parameter_draws_its_outcomes(tmp_path: Path) -> None:
    root = write_sweep(tmp_path, parameters=1)
    assert figure_names(load_results(root)) == ["sweep_outcomes"]
    assert [p.name for p in draw_figures(root)] == ["sweep_outcomes.png", "sweep_outcomes.svg"]
    md, _ = write_report(root)
    text = md.read_text(encoding="utf-8")
    assert "parameter sweep" in text
    # b has point - 1 more viewers per post than a: -1 at 0.1, +0 at 0.2
    assert "b minus a: rises from -1.0 (-1.0 to -1.0) at 0.1 to +0.0" in text


def test_a_sweep_of_many_variants_draws_each_against_the_first(tmp_path: Path) -> None:
    """Seven variants make 21 paired differences: too many to read (and more than the
    palette held), so the figure draws the six against the first; the report keeps all."""
    from sim.figures.sweeps import sweep_figure

    variants = tuple("abcdefg")
    root = write_sweep(tmp_path, parameters=1, variants=variants)
    fig = sweep_figure(load_results(root))
    right = fig.axes[1]
    assert "against a" in right.get_title()
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {f"{v} minus a" for v in variants[1:]} <= legend
    assert not any(" minus " in t and not t.endswith(" minus a") for t in legend)
    draw_figures(root)
    md, _ = write_report(root)
    assert "f minus g" in md.read_text(encoding="utf-8")  # every pair stays in the report


def test_a_sweep_over_presets_draws_categories_in_the_given_order(tmp_path: Path) -> None:
    from matplotlib.container import ErrorbarContainer

    from sim.figures.sweeps import sweep_figure

    presets = ("linkedin", "chronological", "random")
    root = write_sweep(tmp_path, parameters=1, values=presets)
    fig = sweep_figure(load_results(root))
    left, right = fig.axes[0], fig.axes[1]
    for ax in (left, right):
        assert [t.get_text() for t in ax.get_xticklabels()] == list(presets)  # not sorted
        # every series is points with error bars; no line joins two presets
        joined = [ln for ln in ax.lines if ln.get_linestyle() not in ("None", "--")]
        assert all(len(ln.get_xdata()) <= 1 for ln in joined)
        assert any(isinstance(c, ErrorbarContainer) for c in ax.containers)
    # the two variants stand side by side at each preset, not on top of each other
    xs = sorted(float(x) for c in left.containers for x in c.lines[0].get_xdata())
    assert len(xs) == 2 * len(presets) and len(set(xs)) == len(xs)
    title = fig.get_suptitle()
    assert title.startswith("Outcomes by behaviour.x") and "error bar: 95% confidence" in title
    draw_figures(root)
    md, _ = write_report(root)
    text = md.read_text(encoding="utf-8")
    # categories are listed in the given order, not read as a trend
    assert "by behaviour.x: " in text and " rises " not in text and " falls " not in text
    assert (
        "b minus a: -1.0 (-1.0 to -1.0) at linkedin, +0.0 (+0.0 to +0.0) at chronological" in text
    )


GENDERED = re.compile(r"\b(she|her|hers|herself)\b", re.IGNORECASE)
BLOG_AS_SEED = re.compile(r"\bseed's\b|\bthe seed\b|\bseed:", re.IGNORECASE)
DUTCH_HASHTAG = re.compile(r"(?<!\()#(Taggen|Keuze|Persoonlijk|Duiding)\b")  # bare, not a reference


def test_figures_and_report_name_the_member_neutrally_and_the_blog_post(
    drawn: tuple[Path, list[Path]],
) -> None:
    root = drawn[0]
    report = (root / "report.md").read_text(encoding="utf-8").split("## Manifest")[0]
    texts = {
        path.name: " ".join(svg_lines(path)) for path in sorted((root / "figures").glob("*.svg"))
    }
    texts["report.md"] = report
    for name, text in texts.items():
        assert not GENDERED.search(text), (name, GENDERED.search(text))
        assert not BLOG_AS_SEED.search(text), (name, BLOG_AS_SEED.search(text))
        assert not DUTCH_HASHTAG.search(text), name
    assert "the recruiter's posts" in report
    assert "the blog post's 4–5%" in report
    assert "seeds" in report  # "seed" stays the word for random numbers


def test_topic_colours_stay_distinct_for_the_topics_a_figure_names() -> None:
    import seaborn as sns

    from sim.analysis import OTHER, SHOWN_TOPICS
    from sim.figures.style import OTHER_GREY, topic_colours

    topics = [f"t{i}" for i in range(SHOWN_TOPICS)] + [OTHER]
    colours = topic_colours(topics)
    assert colours[OTHER] == OTHER_GREY
    rgb = list(colours.values())
    closest = min(math.dist(a, b) for i, a in enumerate(rgb) for b in rgb[i + 1 :])
    assert closest > 0.15  # RGB in 0-1: no two lines of one figure look alike
    # the colorblind palette in order: the synthetic studies keep their colours
    palette = [tuple(c) for c in sns.color_palette("colorblind", SHOWN_TOPICS)]
    assert [colours[f"t{i}"] for i in range(SHOWN_TOPICS)] == palette


def test_a_source_mix_lists_each_groups_share_of_the_total_in_a_fixed_order() -> None:
    mix = pd.DataFrame(
        {
            "group": ["out_of_network", "peer", "follow", "peer"],
            "per_post": [1.0, 2.0, 4.0, 1.0],
        }
    )
    # totals: peer 3, follow 4, out of network 1, of 8; absent groups are left out
    assert source_mix_text(mix, "per_post") == (
        "peers 37.5%, followed accounts 50.0%, out of network 12.5%"
    )
    assert source_mix_text(mix.iloc[:0], "per_post") == "nothing"


def test_a_one_point_sweep_gives_its_value_not_a_trend() -> None:
    from sim.analysis.effects import Metric
    from sim.report.sweeps import _series_sentence

    share = Metric("engagement_rate", "Engagements per impression", "% of impressions", True)
    level = pd.DataFrame(
        {"point": [0], "x": [0.3], "mean": [0.025], "lo": [0.02], "hi": [0.03], "n": [4]}
    ).assign(kind="level")
    assert _series_sentence(share, level, "x", "everyone") == (
        "under everyone it is 2.5% (2.0–3.0) at 0.3"
    )
    gap = level.assign(kind="difference", mean=-0.003, lo=-0.008, hi=0.001)
    assert _series_sentence(share, gap, "x", "everyone minus selective") == (
        "everyone minus selective: -0.3 pp (-0.8 to +0.1) at 0.3, its 95% CI including 0"
    )
