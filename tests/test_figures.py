"""Figures and report drawn from small synthetic results folders with known numbers."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import load_results
from sim.errors import InputError
from sim.figures import SOURCE_LABELS, draw_figures, event_labels
from sim.report import write_report

VARIANTS = ["baseline", "accept-100-it", "accept-100-it-no-connection-term"]
TOPICS = ["finance", "it", "hr"]
DAYS = 20
EVENT_DAY = 10
T975_DF2 = 4.302653  # t(0.975, 2), from printed tables


def it_impressions(variant: str, replication: int, day: int) -> int:
    """IT items a day: 2, and after the event 6 + r (accept) or 4 + r (no connection term)."""
    if variant == "baseline" or day < EVENT_DAY:
        return 2
    return (6 if variant == "accept-100-it" else 4) + replication


def expected_it_share(variant: str, replication: int) -> float:
    """IT share over days EVENT_DAY..DAYS-1: every day has 6 finance and 2 hr items besides."""
    it = it_impressions(variant, replication, EVENT_DAY)
    return it / (it + 8)


def write_results(
    root: Path,
    replications: int = 3,
    focus_topic: str | None = "it",
    empty_variant: str | None = None,
) -> Path:
    """A results folder as the runner writes it, small enough to draw in a second."""
    ids = ["scenario", "variant", "replication", "seed"]
    feed, beliefs, posts = [], [], []
    for variant in VARIANTS:
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
            for post in range(2):
                posts.append((*run, post, 0, True, "finance", 3.0 * post, 100, 5 + 2 * post))
            posts.append((*run, 9, 4, False, "it", 1.0, 50, 20))
    tables = root / "tables"
    tables.mkdir(parents=True)
    feed_df = pd.DataFrame(
        feed, columns=[*ids, "member_id", "day", "topic", "source", "impressions"]
    )
    beliefs_df = pd.DataFrame(
        beliefs, columns=[*ids, "member_id", "day", "topic", "inferred_weight", "true_weight"]
    )
    posts_df = pd.DataFrame(
        posts,
        columns=[
            *ids,
            *["post_id", "author_id", "focal", "topic", "created_day", "author_connections"],
            "primary_viewers",
        ],
    )
    for name in ["impressions", "likes", "comments", "shares"]:
        posts_df[name] = np.arange(len(posts_df)) % 4
    for frame in (feed_df, beliefs_df, posts_df):  # string columns as the runner writes them
        for column in ["scenario", "variant", "topic", "source"]:
            if column in frame:
                frame[column] = frame[column].astype("string")
    feed_df.to_parquet(tables / "feed.parquet")
    beliefs_df.to_parquet(tables / "beliefs.parquet")
    posts_df.to_parquet(tables / "posts.parquet")
    burst = {"day": EVENT_DAY, "action": "accept_invitations", "member": "recruiter"}
    burst |= {"count": 100, "field": "it"}
    manifest = {
        "scenario_name": "recruiter",
        "description": "A recruiter <b>accepts</b> 100 invitations & more.",
        "scenario": {"base": {"name": "recruiter"}},
        "variants": VARIANTS,
        "variant_descriptions": {v: f"what {v} does" for v in VARIANTS},
        "replications": replications,
        "seeds": {str(r): 100 + r for r in range(replications)},
        "duration_days": DAYS,
        "topics": TOPICS,
        "focus_topic": focus_topic,
        "event_days": [float(EVENT_DAY)],
        "events": {"baseline": [], "accept-100-it": [burst], VARIANTS[2]: [burst]},
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
    names = ["feed_by_topic", "beliefs_vs_truth", "feed_by_source", "focus_effect"]
    expected = [root / "figures" / f"{n}.{ext}" for n in names for ext in ("png", "svg")]
    assert paths == expected
    for path in expected:
        head = path.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if path.suffix == ".png" else b"<svg" in head


def svg_texts(path: Path) -> set[str]:
    """Every line of text in an SVG written with ``svg.fonttype = none``."""
    svg = path.read_text(encoding="utf-8")
    return {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


EVENT_LABEL = "day 10: recruiter accepts 100 invitations from it"


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
    ],
)
def test_svg_text_names_every_series(
    drawn: tuple[Path, list[Path]], name: str, labels: list[str]
) -> None:
    texts = svg_texts(drawn[0] / "figures" / f"{name}.svg")
    assert set(labels) <= texts, set(labels) - texts


def test_focus_effect_labels_the_paired_difference(drawn: tuple[Path, list[Path]]) -> None:
    diffs = [expected_it_share("accept-100-it", r) - 0.2 for r in range(3)]
    texts = svg_texts(drawn[0] / "figures" / "focus_effect.svg")
    assert f"{100 * np.mean(diffs):+.1f} pp" in texts


def test_report_html_is_self_contained_and_gives_the_numbers(
    drawn: tuple[Path, list[Path]],
) -> None:
    root = drawn[0]
    page = (root / "report.html").read_text(encoding="utf-8")
    assert 'src="figures/' not in page
    assert page.count('src="data:image/png;base64,') == 4
    assert "http://" not in page and "https://" not in page
    # paired differences, by hand: it share after the event per replication
    for b, a in [
        ("accept-100-it", "baseline"),
        ("accept-100-it-no-connection-term", "baseline"),
        ("accept-100-it", "accept-100-it-no-connection-term"),
    ]:
        d = np.array([expected_it_share(b, r) - expected_it_share(a, r) for r in range(3)])
        half = T975_DF2 * d.std(ddof=1) / math.sqrt(3)
        mean, lo, hi = 100 * d.mean(), 100 * (d.mean() - half), 100 * (d.mean() + half)
        row = f"<td>{b} minus {a}</td><td>{mean:+.1f} pp ({lo:+.1f} to {hi:+.1f})</td><td>3</td>"
        assert row in page
    # the baseline's it share is 2 / 10 in every replication: an interval of width 0
    assert "it share of the feed was 20.0% (95% CI 20.0–20.0) under baseline" in page
    # focal posts reach 5 and 7 of 100 connections
    assert "<td>6.0% (6.0–6.0)</td>" in page
    assert "A recruiter &lt;b&gt;accepts&lt;/b&gt; 100 invitations &amp; more." in page
    assert "<summary>manifest.json</summary>" in page
    assert "1 min 5 s" in page


def test_report_md_refers_to_the_figures_beside_it(drawn: tuple[Path, list[Path]]) -> None:
    text = (drawn[0] / "report.md").read_text(encoding="utf-8")
    for name in ["feed_by_topic", "beliefs_vs_truth", "feed_by_source", "focus_effect"]:
        assert f"](figures/{name}.png)" in text
    assert "| accept-100-it minus baseline | +26.5 pp" in text
    assert "data:image" not in text


def test_single_replication_and_a_variant_without_feed(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=1, empty_variant="accept-100-it")
    assert len(draw_figures(root)) == 8
    texts = svg_texts(root / "figures" / "feed_by_topic.svg")
    assert "no feed impressions recorded" in texts
    assert "recruiter: one replication, so no confidence band" in texts
    write_report(root)
    page = (root / "report.html").read_text(encoding="utf-8")
    # no interval from one replication; no difference for the variant without feed
    assert "it share of the feed was 20.0% under baseline, no data under accept-100-it" in page
    assert "<td>accept-100-it minus baseline</td><td>no data</td><td>0</td>" in page


def test_without_focus_topic_there_is_no_effect_section(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=2, focus_topic=None)
    names = {p.stem for p in draw_figures(root)}
    assert names == {"feed_by_topic", "beliefs_vs_truth", "feed_by_source"}
    md, html = write_report(root)
    page = html.read_text(encoding="utf-8")
    assert "Effect on the focus topic" not in page and "paired replications" not in page
    # the most-seen topic stands in for the focus topic; beliefs are summarised by their gap
    assert "the finance share of the feed was" in page
    assert "differed by 10.0% (95% CI 10.0–10.0) under baseline" in page
    assert "focus_effect" not in md.read_text(encoding="utf-8")


def test_report_needs_the_figures(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=1)
    with pytest.raises(InputError, match="draw the figures first"):
        write_report(root)


def test_event_labels_fall_back_to_the_action_words(tmp_path: Path) -> None:
    root = write_results(tmp_path, replications=1)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    manifest["event_days"] = [10.0, 15.0, 17.0]
    manifest["events"] = {
        "accept-100-it": [
            {"day": 10, "action": "accept_invitations", "count": 100, "field": "it"},
            {"day": 15, "action": "prune_silent_connections", "member": "recruiter"},
        ]
    }
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert event_labels(load_results(root)) == [
        (10.0, "day 10: accepts 100 invitations from it"),
        (15.0, "day 15: recruiter: prune silent connections"),
        (17.0, "day 17: scripted event"),
    ]
