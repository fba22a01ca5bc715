"""Global sensitivity analysis (``feedsim sensitivity``): which unpublished parameters decide
the blog post's claims, and where in the sampled space each claim holds.

One job per module, in the order they are used:

* `ranges`: the sampled parameters and their ranges (``--ranges FILE``, ``--param``),
  checked against the scenario schema;
* `design`: the method and its options, SALib sampling and SALib analysis;
* `outcomes`: the claims as numbers per run and per point, and the claim map;
* `run`: the plan (every point validated as a scenario), resumable running on the sweep
  machinery, and the results folder.

Its figures are `sim.figures.sensitivity` and its report `sim.report.sensitivity`; the
command line passes their drawing in, so nothing here plots or reports.
"""
