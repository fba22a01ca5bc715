"""The README's notebook example runs as written and gives the tables `feedsim run` writes for
the same scenario and seed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import sim.cli.drawing
from sim.cli import main
from sim.experiment import load_tables
from sim.scenario import read_yaml

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- notebook-example: tests/test_readme_example.py runs this code -->"
END = "<!-- notebook-example: end -->"


def readme_example() -> str:
    """The Python code between the README's notebook-example markers."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    block = text.split(START)[1].split(END)[0]
    found = re.fullmatch(r"\s*```python\n(.*?)```\s*", block, re.S)
    assert found, "the markers hold one python block"
    return found.group(1)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` merged in, mappings key by key (as a variant replaces fields)."""
    out = dict(base)
    for key, value in changes.items():
        old = out.get(key)
        out[key] = (
            _merged(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return out


@pytest.mark.slow  # two runs of three arms at 1,000 members: about 15 s
def test_the_notebook_example_gives_the_tables_of_feedsim_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the example runs in the checkout, as a notebook started there
    namespace: dict[str, Any] = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)
    tables: dict[str, pd.DataFrame] = namespace["tables"]
    study = namespace["study"]

    # the same study as a scenario file: the bundled file with the example's fields replaced
    scenario = tmp_path / study.path.name
    scenario.write_text(yaml.safe_dump(_merged(read_yaml(study.path), namespace["small"])))
    monkeypatch.setattr(sim.cli.drawing, "draw", lambda folder: None)  # tables only
    out = tmp_path / "results"
    result = CliRunner().invoke(main, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    saved = load_tables(out / study.base.name)
    assert sorted(saved) == sorted(tables)
    assert not tables["feed"].empty and tables["feed"]["variant"].nunique() == 3
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, saved[name], check_exact=True, obj=name)
