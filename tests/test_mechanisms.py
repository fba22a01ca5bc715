"""No effect is hard-coded: each disappears when the mechanism behind it is neutralised.

Each test reruns the bundled link-with-everyone study at a small size with one mechanism
switched off and checks that the paired 95% interval of the effect now contains zero (and
that the effect was there with the mechanism on: tests/test_calibration.py), or, where the
effect reverses instead of vanishing, that it reverses. One mechanism per module
(tests/test_mechanism_audience.py, tests/test_mechanism_intro.py), so that the suite's
workers can share these long runs.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.helpers import LINK_WITH_EVERYONE, paired_ci, run_arms
from tests.test_calibration import per_replication

pytestmark = pytest.mark.slow  # each test reruns the link-with-everyone study at 2,500 members

SMALL = {"replications": 8, "duration_days": 120, "slice_hours": 2, "network": {"members": 2500}}


def effect(tables: dict[str, pd.DataFrame], metric: str) -> tuple[float, float, float]:
    return paired_ci(
        per_replication(tables, "selective")[metric], per_replication(tables, "everyone")[metric]
    )


def test_strangers_who_engage_like_peers_turn_the_dilution_into_a_gain() -> None:
    """Strangers engage like the average peer (3.75 = the kind-mix-weighted peer multiplier)
    and, with interests spread evenly over topics, care about the member's topic as much as
    peers do. The fall in engagement per impression under linking with everyone does not
    merely vanish, it reverses (paired 95% interval above zero): accepting everyone also
    moves the audience from second-degree and out-of-network viewers (multiplier 0.3) to
    connections, so once strangers engage like peers every extra connection raises the rate.
    The dilution of C5 thus rests on strangers engaging less, not on the size of the network.
    """
    peers_alike = {
        "behaviour": {"ties": {"stranger": 3.75, "placed_stranger": 3.75}},
        "members": {"home_interest": 0.2, "interest_concentration": 1000},
    }
    tables = run_arms(LINK_WITH_EVERYONE, ("selective", "everyone"), **SMALL, **peers_alike)
    mean, lo, hi = effect(tables, "engagement_per_impression")
    assert lo > 0, (mean, lo, hi)
