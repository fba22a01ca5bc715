"""The scenario schema, in one place: every field with its doc, unit, default and source.

The sections live in one module each (:mod:`~sim.scenario.network`,
:mod:`~sim.scenario.members`, :mod:`~sim.scenario.trend`, :mod:`~sim.scenario.platform` with
:mod:`~sim.scenario.limits`, :mod:`~sim.scenario.behaviour`, :mod:`~sim.scenario.events`,
:mod:`~sim.scenario.measure`)
under the top-level :class:`Scenario` (:mod:`~sim.scenario.root`);
:mod:`~sim.scenario.loading` reads a file, :mod:`~sim.scenario.study` turns it into a
:class:`Study`, and :mod:`~sim.scenario.paths` follows dotted paths through the schema.
Unknown keys are errors.
"""

from sim.scenario.behaviour import Behaviour, TieMultipliers
from sim.scenario.events import AcceptInvitations, Event, Prune
from sim.scenario.invitations import Invitations
from sim.scenario.limits import Limits
from sim.scenario.loading import load_yaml, read_yaml
from sim.scenario.measure import Measure
from sim.scenario.members import ActivityClass, FocalMember, Members, PostingClass, Strategy
from sim.scenario.network import FileNetwork, FollowRule, SyntheticNetwork, TieKindMix
from sim.scenario.platform import (
    RANKER_DESCRIPTIONS,
    RANKERS,
    Affinity,
    FirstPass,
    Inference,
    Notifications,
    Platform,
    Scoring,
    TestAudience,
    Twitter2023,
)
from sim.scenario.root import STUDY_LEVEL, Scenario, Variant
from sim.scenario.study import Arm, Study, json_schema, load_study, study_from_mapping, under_ranker
from sim.scenario.trend import Contagion, StrategyGroup, Trend

__all__ = [
    "RANKERS",
    "RANKER_DESCRIPTIONS",
    "STUDY_LEVEL",
    "AcceptInvitations",
    "ActivityClass",
    "Affinity",
    "Arm",
    "Behaviour",
    "Contagion",
    "Event",
    "FileNetwork",
    "FirstPass",
    "FocalMember",
    "FollowRule",
    "Inference",
    "Invitations",
    "Limits",
    "Measure",
    "Members",
    "Notifications",
    "Platform",
    "PostingClass",
    "Prune",
    "Scenario",
    "Scoring",
    "Strategy",
    "StrategyGroup",
    "Study",
    "SyntheticNetwork",
    "TestAudience",
    "TieKindMix",
    "TieMultipliers",
    "Trend",
    "Twitter2023",
    "Variant",
    "json_schema",
    "load_study",
    "load_yaml",
    "read_yaml",
    "study_from_mapping",
    "under_ranker",
]
