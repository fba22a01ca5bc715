"""C8's remedy works through replies: an intro message nobody answers changes nothing (see
tests/test_mechanisms.py for the approach)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import LINK_WITH_EVERYONE, paired_ci, run_arms, write_scenario
from tests.test_calibration import never_heard
from tests.test_mechanisms import SMALL

pytestmark = pytest.mark.slow  # reruns the link-with-everyone study at 2,500 members


def test_intro_messages_that_nobody_answers_change_nothing(tmp_path: Path) -> None:
    """C8's remedy works through replies: when no stranger answers an intro message, the
    share never heard from is the same with and without one."""
    body = yaml.safe_load(LINK_WITH_EVERYONE.read_text())
    for member in body["focal"]:  # the variants change the member by name and keep this
        member["strategy"]["intro_reply_rate"] = 0.0
    assert all(isinstance(v.get("focal", {}), dict) for v in body["variants"])
    path = write_scenario(tmp_path, body)
    tables = run_arms(path, ("everyone-intro",), **SMALL)
    mean, lo, hi = paired_ci(
        never_heard(tables, "everyone-intro", intro=False),
        never_heard(tables, "everyone-intro", intro=True),
    )
    assert lo < 0 < hi, (mean, lo, hi)
