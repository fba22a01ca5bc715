"""The recruiter study's claims follow from the mechanics (MODEL.md 6, fact 9).

Paired by replication, the IT share of the recruiter's feed over days 31-60 is higher after
accepting 100 IT invitations than in the baseline, and the arm without the connection term
lies between them. When the 100 new contacts are finance professionals instead, the IT share
does not rise: the shift comes from who the contacts are, not from code that targets IT. The
same burst under the ``chronological`` ranker gives a different IT share under the
``compounding`` connection rule (ranking matters).

Tolerance: each difference is judged by its paired 95% t-interval over 8 replications
(fixed seeds, so the test is deterministic); an interval that excludes zero is a difference.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tests.helpers import paired_ci, run_tables, small_recruiter

pytestmark = (
    pytest.mark.slow
)  # the recruiter study at 3,000 members, 60 days, 8 replications, twice

REPLICATIONS = 8
FAST = {"slice_hours": 2, "duration_days": 60}  # the burst on day 30 and 30 days after it


def it_share_after_event(feed: pd.DataFrame) -> pd.DataFrame:
    """Per variant and replication: IT impressions / all impressions, days 31-60."""
    after = feed[feed["day"] >= 30]
    total = after.groupby(["variant", "replication"])["impressions"].sum()
    it = after[after["topic"] == "it"].groupby(["variant", "replication"])["impressions"].sum()
    return (it.reindex(total.index, fill_value=0) / total).unstack("variant")


def paired(shares: pd.DataFrame, a: str, b: str) -> tuple[float, float, float]:
    """Mean of b - a by replication with its paired 95% t-interval."""
    return paired_ci(shares[a], shares[b])


@pytest.fixture(scope="module")
def shares(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The three arms, and under the ``compounding`` connection rule the burst and the burst
    replayed under the ``chronological`` ranker (newest first: no affinity or social proof),
    on the same random numbers."""
    folder = tmp_path_factory.mktemp("recruiter")
    body = yaml.safe_load(small_recruiter(folder, **FAST).read_text())
    burst = body["variants"][1]
    compounding = {"inference": {"connection_rule": "compounding"}}
    body["variants"] += [
        burst | {"name": "compounding", "platform": compounding},
        burst
        | {
            "name": "chronological-compounding",
            "platform": {"ranker": "chronological", **compounding},
        },
    ]
    path = folder / "recruiter.yaml"
    path.write_text(yaml.safe_dump(body))
    tables = run_tables(path, replications=REPLICATIONS, jobs=2)
    return it_share_after_event(tables["feed"])


def test_accepting_it_contacts_raises_the_it_share(shares: pd.DataFrame) -> None:
    mean, lo, _ = paired(shares, "baseline", "accept-100-it")
    assert lo > 0, f"accept-100-it - baseline = {mean:.3f}, CI lower bound {lo:.3f}"


def test_without_the_connection_term_the_shift_lies_between(shares: pd.DataFrame) -> None:
    supply, supply_lo, _ = paired(shares, "baseline", "accept-100-it-no-connection-term")
    inference, inference_lo, _ = paired(shares, "accept-100-it-no-connection-term", "accept-100-it")
    assert supply_lo > 0, f"supply effect {supply:.3f} (CI lower {supply_lo:.3f})"
    assert inference_lo > 0, f"inference effect {inference:.3f} (CI lower {inference_lo:.3f})"


def test_the_shift_vanishes_when_the_new_contacts_are_finance_professionals(
    tmp_path: Path, shares: pd.DataFrame
) -> None:
    path = small_recruiter(tmp_path, **FAST)
    body = yaml.safe_load(path.read_text())
    # The baseline is the shared run's (the arms of a replication share their random
    # numbers, whichever other arms run), so only the two burst arms are run again.
    body["variants"] = body["variants"][1:]
    for variant in body["variants"]:
        for event in variant["events"]:
            event["field"] = "finance"
    path.write_text(yaml.safe_dump(body))
    bursts = it_share_after_event(run_tables(path, replications=REPLICATIONS, jobs=2)["feed"])
    control = bursts.assign(baseline=shares["baseline"])
    mean, lo, hi = paired(control, "baseline", "accept-100-it")
    it_effect, it_lo, _ = paired(shares, "baseline", "accept-100-it")
    # The shift vanishes: less than a tenth of the IT burst's effect, and the whole interval
    # below the IT burst's interval.
    assert abs(mean) < 0.1 * it_effect, f"finance burst moved IT by {mean:.3f} ({lo:.3f}, {hi:.3f})"
    assert hi < it_lo
    mean_nt, _, _ = paired(control, "baseline", "accept-100-it-no-connection-term")
    assert abs(mean_nt) < 0.1 * it_effect, f"without inference: IT moved by {mean_nt:.3f}"


def test_the_ranker_decides_part_of_the_shift_under_compounding(shares: pd.DataFrame) -> None:
    """Under the ``compounding`` connection rule the IT share of the recruiter's feed after
    the burst differs between the ``chronological`` and ``linkedin`` rankers (paired 95%
    interval excludes zero): the finding is about ranking, not only about supply. Under the
    default ``share`` rule the gap was -0.5 pp (-1.5 to +0.4) at this size and seed: not
    established, so not asserted either way."""
    mean, lo, hi = paired(shares, "compounding", "chronological-compounding")
    assert hi < 0 or lo > 0, f"chronological - linkedin = {mean:.3f} ({lo:.3f}, {hi:.3f})"
