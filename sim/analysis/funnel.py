"""The exposure funnel (the ``funnel`` table): of the posts of the accounts members are
connected to or follow, and of the others, how many became candidates, were read and were
engaged with, per member of each arm, by the viewer's relation to the author."""

from __future__ import annotations

import pandas as pd

from sim.analysis.results import Results
from sim.analysis.statistics import summarise
from sim.table_schema import FUNNEL_STAGES, GROUPS

RELATION_LABELS = {
    "peer": "peers",
    "stranger": "strangers",
    "follow": "followed accounts",
    "second_degree": "second degree",
    "out_of_network": "out of network",
}
"""Words for the funnel's relations (:data:`sim.table_schema.GROUPS`)."""


def arm_sizes(results: Results) -> pd.DataFrame:
    """Members of each arm per variant and replication (the ``member_days`` table's first
    day)."""
    days = results.member_days
    first = days[days["day"] == days["day"].min()]
    return pd.DataFrame(first[["variant", "replication", "arm", "members"]])


def funnel_per_member(results: Results) -> pd.DataFrame:
    """Mean over replications (with 95% intervals) of each stage's viewer-post pairs per
    member of the arm over the whole run, by variant, arm, relation and stage."""
    keys = ["variant", "replication", "arm", "relation"]
    totals = results.funnel.groupby(keys, sort=False)[list(FUNNEL_STAGES)].sum().reset_index()
    totals = totals.merge(arm_sizes(results), on=["variant", "replication", "arm"])
    long = totals.melt(id_vars=[*keys, "members"], value_vars=list(FUNNEL_STAGES), var_name="stage")
    long["per_member"] = long["value"] / long["members"]
    long["relation"] = pd.Categorical(long["relation"], categories=list(GROUPS))
    long["stage"] = pd.Categorical(long["stage"], categories=list(FUNNEL_STAGES))
    long = long.sort_values(["variant", "arm", "relation", "stage"], kind="stable")
    long = long.astype({"relation": str, "stage": str})
    return summarise(long, "per_member", ["variant", "arm", "relation", "stage"])


def read_share_by_relation(results: Results) -> pd.DataFrame:
    """Per variant, arm and relation: the share of the potential that was read (impressions
    over created pairs), mean over replications with its interval."""
    keys = ["variant", "replication", "arm", "relation"]
    totals = results.funnel.groupby(keys, sort=False)[["created", "impressions"]].sum()
    totals["read"] = totals["impressions"] / totals["created"].where(totals["created"] > 0)
    return summarise(totals.reset_index(), "read", ["variant", "arm", "relation"], share=True)
