"""Run Part A's sign map (validation-centola-map.yaml) keeping only the tables band 3d reads.

`feedsim run` keeps every table of every run in memory until it writes the folder; the map's
6,500 runs would hold about twenty million adopters' calls in the posts table alone. This
runs the same specs, one after the other with the same seeds (`sim.experiment.run_specs`,
`sim.experiment.execute`), keeps each run's `adoption` and `exposure` tables, and writes them
with the manifest of `feedsim run` (no figures, no report) to
results/validation/validation-centola-map/. The manifest is kept in git, so its 6,500
per-run records go to tables/runs.parquet and it holds their summary
(`sim.experiment.summarise_runs`).

    cd <feedsim checkout> && python scenarios/validation/run-centola-map.py [JOBS]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from sim.experiment import manifest, open_executor, run_specs, summarise_runs, write_results
from sim.scenario import load_study

KEPT = ("adoption", "exposure")


def main() -> None:
    here = Path(__file__).resolve().parent
    study = load_study(here / "validation-centola-map.yaml")
    started = datetime.now(UTC)
    specs = run_specs(study)
    jobs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    outputs = []
    with open_executor(jobs) as executor:
        for done, output in enumerate(executor.iterate(specs), start=1):
            outputs.append(replace(output, tables={n: output.tables[n] for n in KEPT}))
            if done % 250 == 0 or done == len(specs):
                print(f"{study.base.name}: {done} of {len(specs)} runs done", file=sys.stderr)
    outputs.sort(key=lambda o: o.spec_index)  # the order of the specs, whatever the workers
    merged = {n: pd.concat([o.tables[n] for o in outputs], ignore_index=True) for n in KEPT}
    runs, data = summarise_runs(manifest(study, outputs, started, jobs=jobs))
    merged["runs"] = runs
    data["tables_kept"] = [*KEPT, "runs"]
    out = Path("results/validation") / study.base.name
    write_results(out, merged, data)
    print(f"wrote {out}/", file=sys.stderr)


if __name__ == "__main__":
    main()
