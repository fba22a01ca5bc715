"""The network section: a synthetic professional network, or a real one read from files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Probability, Strict, check_sum, param

HOMOPHILY = "homophily (McPherson et al. 2001), docs/model.md 7.1"


class TieKindMix(Strict):
    """Shares of the synthetic network's ties by kind (they must sum to 1)."""

    colleague: float = param(
        0.30, "Ties inside a company (small dense groups).", "share", HOMOPHILY, ge=0
    )
    field_peer: float = param(
        0.45, "Ties to other members of the same field.", "share", HOMOPHILY, ge=0
    )
    offline: float = param(0.15, "Friends and family, any field.", "share", HOMOPHILY, ge=0)
    client: float = param(0.10, "Client ties, any field.", "share", HOMOPHILY, ge=0)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> TieKindMix:
        total = sum(getattr(self, name) for name in type(self).model_fields)
        check_sum("", "the tie-kind shares", total)
        return self


class FollowRule(Strict):
    """Whom members of a synthetic network follow without being connected (one-directional)."""

    per_member: int = param(
        200,
        "Accounts each member follows (draws; repeats, oneself and one's connections are"
        " dropped, so fewer remain).",
        "accounts",
        "modelling choice, calibrated so that a session has at least 50 candidates"
        " (docs/calibration.md)",
        ge=0,
        label="follows per member",
    )
    within_field: Probability = param(
        0.5,
        "Share of the follows drawn among creators of one's own field (the rest among all).",
        "share",
        "modelling choice (homophily, McPherson et al. 2001)",
        label="share of follows within the field",
    )


class SyntheticNetwork(Strict):
    """A homophilous, clustered, heavy-tailed professional network (see sim.network)."""

    source: Literal["synthetic"] = "synthetic"
    members: int = param(
        15_000, "Number of members.", "members", ge=2, le=50_000_000, label="members"
    )
    mean_degree: float = param(
        400.0,
        "Requested mean number of connections per member; repeated pairs are dropped, so"
        " about 300 remain at the defaults (LinkedIn: mean about 300, median about 190).",
        "connections",
        "smprotips.com (a claimed LinkedIn 2021 US analysis, unverified; low quality)",
        gt=0,
        label="mean degree (requested)",
    )
    degree_sigma: float = param(
        1.25,
        "Spread of the log-normal activity weights that make degrees heavy-tailed"
        " (0 gives near-Poisson degrees).",
        "log units",
        "chosen so that median/mean degree is about 190/300",
        ge=0,
        le=3,
    )
    company_size: float = param(
        300.0,
        "Mean size of a company (the groups colleague ties form in); large enough for the"
        " colleague share of about 300 connections.",
        "members",
        "modelling choice",
        gt=1,
    )
    field_shares: list[Annotated[float, Field(ge=0)]] | None = param(
        None, "Share of members per topic, in the order of `topics`; equal when omitted.", "share"
    )
    kinds: TieKindMix = Field(default_factory=TieKindMix, description="Ties by kind.")
    follows: FollowRule = Field(
        default_factory=FollowRule, description="Accounts members follow (one-directional)."
    )
    rewire: Literal["none", "degrees", "fields"] = param(
        "none",
        "Replace the network by a rewired copy (double edge swaps): degrees keeps every"
        " member's connection count, fields also its connections per field; clustering is"
        " destroyed either way, homophily too with degrees (the control of Centola 2010).",
        "choice",
        "Centola 2010; Maslov & Sneppen 2002",
    )


class FileNetwork(Strict):
    """A real network from an edge list and a node-label file (labels become fields)."""

    source: Literal["file"] = "file"
    edges: Path = param(
        ..., "Edge list: one `u v` pair of integer ids per line (.gz allowed).", "path"
    )
    labels: Path | None = param(
        None,
        "Node labels: `node label` per line, or CDlib communities JSON; labels become fields.",
        "path",
    )
    label_prefix: str = param("", "Text put before every label to make field names.", "text")
    follows: Path | None = param(
        None,
        "Follows: an edge list of `u v` lines, u follows v (one-directional; .gz allowed);"
        " ids as in `edges`. When omitted nobody follows anyone.",
        "path",
    )
    missing_label: str | None = param(
        None, "Field given to nodes without a label; when omitted such nodes are an error.", "text"
    )
    max_fields: int = param(
        50,
        "Keep the largest fields up to this many; members of smaller fields join one field"
        " named `other` (DBLP has 11,382 venue communities; every member keeps a weight per"
        " field, so fields cost memory).",
        "fields",
        ge=2,
    )
    same_field_kind: Literal["colleague", "field_peer"] = param(
        "field_peer", "Kind given to ties between members of one field.", "kind"
    )
    client_share: Probability = param(
        0.4, "Share of cross-field ties that are client ties (the rest are offline).", "share"
    )
    rewire: Literal["none", "degrees", "fields"] = param(
        "none",
        "Replace the network by a rewired copy (double edge swaps): degrees keeps every"
        " member's connection count, fields also its connections per field; clustering is"
        " destroyed either way, homophily too with degrees (the control of Centola 2010).",
        "choice",
        "Centola 2010; Maslov & Sneppen 2002",
    )
