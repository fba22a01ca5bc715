"""Small scenarios and shortcuts shared by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.experiment import merge_tables, run_study
from sim.scenario import Study, load_study

ROOT = Path(__file__).resolve().parents[1]
RECRUITER = ROOT / "scenarios" / "recruiter-accepts-100-it.yaml"
SHARED_DATA = ROOT.parent / "shared" / "data"


def write_scenario(folder: Path, body: dict[str, Any], name: str = "scenario.yaml") -> Path:
    """Write a scenario mapping as YAML and return its path."""
    path = folder / name
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


def small_recruiter(
    folder: Path, members: int = 3000, mean_degree: float | None = None, **changes: Any
) -> Path:
    """The bundled recruiter study on a smaller network (and, for very small ones, a lower
    mean degree, so that enough IT members remain to invite), with top-level changes."""
    body = yaml.safe_load(RECRUITER.read_text())
    body["network"]["members"] = members
    if mean_degree is not None:
        body["network"]["mean_degree"] = mean_degree
    body.update(changes)
    return write_scenario(folder, body, "recruiter.yaml")


def run_tables(path: Path, jobs: int = 1, **overrides: Any) -> dict[str, pd.DataFrame]:
    """Run a scenario file and return its merged tables."""
    study: Study = load_study(path, overrides)
    return merge_tables(run_study(study, jobs=jobs, progress=False))


LINK_WITH_EVERYONE = ROOT / "scenarios" / "link-with-everyone.yaml"


def t_975(df: int) -> float:
    """The Student t 0.975 quantile with `df` degrees of freedom (for 95% intervals)."""
    return float(stats.t.ppf(0.975, df))


def mean_ci(values: pd.Series) -> tuple[float, float, float]:
    """Mean of `values` with its 95% t-interval."""
    values = values.dropna()
    half = t_975(len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
    return float(values.mean()), float(values.mean() - half), float(values.mean() + half)


def paired_ci(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean of b - a paired by index (replication), with its 95% t-interval."""
    return mean_ci(b - a)


def run_arms(
    path: Path, arms: tuple[str, ...], jobs: int = 2, **overrides: Any
) -> dict[str, pd.DataFrame]:
    """Run only the named arms of a scenario file, with top-level overrides."""
    study = load_study(path, overrides)
    chosen = tuple(arm for arm in study.arms if arm.name in arms)
    study = Study(study.path, study.base, chosen)
    return merge_tables(run_study(study, jobs=jobs, progress=False))
