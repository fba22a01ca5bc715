"""Study 2 of docs/validation.md: how much of one's network sees a post (Bernstein et al.
2013; Backstrom 2013), in a Facebook-like setting.

- 2a, per-post share: for every post created on days 15-41 whose author has a connection,
  ``s = (viewers_peer + viewers_stranger) / author_connections``; a replication's value is
  the mean over its posts.
- 2b, monthly reach: per author with a post created on days 15-44, its connections at the
  end who saw at least one of those posts, over its connections; the mean over authors.
- 2c, candidates per item shown: over the member-days of days 15-44, the sum of distinct
  candidates over the sum of items read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.results import load_results, read_table
from sim.analysis.statistics import mean_ci
from sim.analysis.validation.bands import BandResult, Estimate, interval_verdict

STUDY = "validation-audience"
PRIMARY = "facebook-like"
POST_WINDOW = (15.0, 42.0)
DAYS = (15, 45)
MIN_AUTHORS = 500
BERNSTEIN = "Bernstein, Bakshy, Burke & Karrer, CHI 2013"


def estimate(values: pd.Series, scale: float = 100.0, share: bool = True) -> Estimate:
    """Mean over replications with its 95% interval (logit scale for shares), scaled."""
    mean, low, high = mean_ci(values, share=share)
    return Estimate(scale * mean, scale * low, scale * high, int(values.notna().sum()))


def per_post_share(posts: pd.DataFrame) -> pd.DataFrame:
    """Per variant and replication: mean and median per-post share of connections who saw
    the post, and the number of authors (2a)."""
    created = posts["created_day"]
    window = posts[(created >= POST_WINDOW[0]) & (created < POST_WINDOW[1])]
    window = window[window["author_connections"] > 0]
    share = (window["viewers_peer"] + window["viewers_stranger"]) / window["author_connections"]
    frame = window.assign(share=share).groupby(["variant", "replication"])
    return pd.DataFrame(
        {
            "mean": frame["share"].mean(),
            "median": frame["share"].median(),
            "authors": frame["author_id"].nunique(),
        }
    ).reset_index()


def monthly_reach(author_reach: pd.DataFrame) -> pd.DataFrame:
    """Per variant and replication: the mean over authors of connections who saw at least
    one of the author's posts over its connections (2b), with the number of authors and the
    same by the author's posts in the window (1, 2-3, 4-7, 8 or more)."""
    per_author = (
        author_reach.groupby(["variant", "replication", "author"])
        .agg(
            seen=("connected_viewers", "sum"),
            connections=("connections", "first"),
            posts=("posts", "first"),
        )
        .reset_index()
    )
    per_author = per_author[per_author["connections"] > 0]
    per_author["reach"] = per_author["seen"] / per_author["connections"]
    per_author["posts_class"] = pd.cut(
        per_author["posts"], [0, 1, 3, 7, float("inf")], labels=["1", "2-3", "4-7", "8+"]
    )
    runs = per_author.groupby(["variant", "replication"])
    out = pd.DataFrame({"mean": runs["reach"].mean(), "authors": runs["author"].nunique()})
    by_class = per_author.pivot_table(
        index=["variant", "replication"],
        columns="posts_class",
        values="reach",
        aggfunc="mean",
        observed=False,
    )
    by_class.columns = [f"posts {c}" for c in by_class.columns]
    return out.join(by_class).reset_index()


def candidates_per_item(member_days: pd.DataFrame) -> pd.DataFrame:
    """Per variant and replication: distinct candidates per item read over the window's
    member-days (2c)."""
    days = member_days[(member_days["day"] >= DAYS[0]) & (member_days["day"] < DAYS[1])]
    sums = days.groupby(["variant", "replication"])[["candidates", "impressions"]].sum()
    return (sums["candidates"] / sums["impressions"]).rename("ratio").reset_index()


def too_few_authors(runs: pd.DataFrame) -> str:
    """Why 2a or 2b is not comparable: a replication with fewer than `MIN_AUTHORS` authors
    (empty when every replication has enough)."""
    if (runs["authors"] < MIN_AUTHORS).any():
        return f"a replication has fewer than {MIN_AUTHORS} authors"
    return ""


def evaluate(folder: Path) -> list[BandResult]:
    """The bands 2a, 2b and 2c, with the friends-only setting and the structural check
    beside them."""
    results = load_results(folder)
    author_reach = read_table(
        folder, "author_reach", ("author", "connected_viewers", "connections")
    )
    member_days = read_table(folder, "member_days", ("day", "candidates", "impressions"))
    posts, reach = per_post_share(results.posts), monthly_reach(author_reach)
    ratio = candidates_per_item(member_days)
    details: dict[str, str] = {}
    for variant in results.variants:
        p, r = posts[posts["variant"] == variant], reach[reach["variant"] == variant]
        details[f"{variant}: per-post share, mean"] = estimate(p["mean"]).text("%")
        details[f"{variant}: per-post share, median"] = estimate(p["median"]).text("%")
        details[f"{variant}: monthly reach"] = estimate(r["mean"]).text("%")
        for column in [c for c in r.columns if c.startswith("posts ")]:
            details[f"{variant}: monthly reach, authors with {column}"] = estimate(r[column]).text(
                "%"
            )
        q = ratio[ratio["variant"] == variant]["ratio"]
        details[f"{variant}: candidates per item read"] = estimate(q, 1.0, share=False).text("", 2)
    p, r = posts[posts["variant"] == PRIMARY], reach[reach["variant"] == PRIMARY]
    merged = p.merge(r, on=["variant", "replication"], suffixes=("_post", "_month"))
    details["structural check: monthly reach above per-post share in every replication"] = str(
        bool((merged["mean_month"] > merged["mean_post"]).all())
    )
    share_post, share_month = estimate(p["mean"]), estimate(r["mean"])
    ratio_primary = estimate(ratio[ratio["variant"] == PRIMARY]["ratio"], 1.0, share=False)
    return [
        BandResult(
            "2a",
            STUDY,
            "mean over posts of the author's connections who saw the post,"
            " edgerank, daily sessions",
            "a post is seen by 35% of the author's friends",
            f"{BERNSTEIN}, as quoted by Business Insider 2013 (M)",
            "between 17.5% and 70%",
            "not comparable" if too_few_authors(p) else interval_verdict(share_post, 17.5, 70.0),
            share_post,
            "%",
            too_few_authors(p) or "shaped by the test-audience input (15%)",
            low=17.5,
            high=70.0,
            details=details,
        ),
        BandResult(
            "2b",
            STUDY,
            "mean over authors of connections who saw at least one of the"
            " author's posts in 30 days",
            "users reach 61% of their friends each month",
            f"{BERNSTEIN}, abstract (H)",
            "between 41% and 81%",
            "not comparable" if too_few_authors(r) else interval_verdict(share_month, 41.0, 81.0),
            share_month,
            "%",
            too_few_authors(r) or "depends on the posting-rate input",
            low=41.0,
            high=81.0,
        ),
        BandResult(
            "2c",
            STUDY,
            "distinct candidates per item read, per member-day",
            "about 1,500 candidate stories against about 300 shown (ratio 5)",
            "Backstrom, News Feed FYI, 6 Aug 2013, as quoted (M)",
            "ratio between 2.5 and 10",
            interval_verdict(ratio_primary, 2.5, 10.0),
            ratio_primary,
            "",
            "largely by construction (supply and reading depth are inputs)",
            low=2.5,
            high=10.0,
        ),
    ]
