"""Parameter sweeps: a grid of scenario values x variants x replications, resumable.

``feedsim sweep SCENARIO --set PATH=V1,V2,...`` runs the study once per point of the grid.
:mod:`~sim.sweep.paths` parses the ``--set`` options and resolves their paths,
:mod:`~sim.sweep.plan` loads and validates every point, :mod:`~sim.sweep.workfolder` keeps
the finished runs of an unfinished sweep (to resume it), and :mod:`~sim.sweep.run` runs
what is left and writes the tables.
"""

from sim.sweep.paths import Axis, parse_setting, parse_settings, parse_value, resolve_axes
from sim.sweep.plan import Point, Sweep, explain, grid, plan_rows, plan_sweep
from sim.sweep.run import run_sweep, with_point_columns
from sim.sweep.workfolder import WorkFolder, code_hash

__all__ = [
    "Axis",
    "Point",
    "Sweep",
    "WorkFolder",
    "code_hash",
    "explain",
    "grid",
    "parse_setting",
    "parse_settings",
    "parse_value",
    "plan_rows",
    "plan_sweep",
    "resolve_axes",
    "run_sweep",
    "with_point_columns",
]
