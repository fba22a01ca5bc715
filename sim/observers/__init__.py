"""Recording a run: each family of records is an observer the engine calls at fixed hooks
(:class:`sim.model.hooks.Hooks`), with its own table builder.

To add a metric counted during a run: an observer module here, its class in
:data:`OBSERVERS`, its table in :data:`sim.table_schema.TABLES` (and docs/tables.md), and
its test.
"""

from __future__ import annotations

from sim.observers.audience import Audience
from sim.observers.base import Observer, RunRecords
from sim.observers.composition import Composition
from sim.observers.exposure import ExposureCheck
from sim.observers.focal_feed import FocalFeed
from sim.observers.funnel import Funnel
from sim.observers.members import Members
from sim.observers.posts import Posts
from sim.observers.snapshots import Snapshots
from sim.observers.ties import FocalTies
from sim.observers.totals import Totals
from sim.observers.trend import TrendRecords

OBSERVERS: tuple[type[Observer], ...] = (
    Posts,
    FocalFeed,
    Snapshots,
    FocalTies,
    TrendRecords,
    Composition,
    Funnel,
    Audience,
    Members,
    ExposureCheck,
    Totals,
)
"""Every family of records, in the order the engine calls them at each hook."""

__all__ = ["OBSERVERS", "Observer", "RunRecords"]
