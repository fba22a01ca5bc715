"""The model's mechanisms, one function each, grouped as the submodels of docs/model.md 7.

Every mechanism reads and writes one :class:`~sim.model.state.State`; parameters, random
streams and arrays come in as arguments. :mod:`sim.engine` only schedules them.

* :mod:`sim.model.state` — the state (one plain data structure).
* :mod:`sim.model.population` — initialisation: rates, interests, focal members (5, 7.3).
* :mod:`sim.model.activity` — posting and sessions (7.4, 7.7).
* :mod:`sim.model.audience` — test audience and wider distribution (7.5).
* :mod:`sim.model.candidates` — tags, activity fan-out, recommendations, candidates,
  scoring and top-K, expiry (7.6, 7.8, 7.9, 7.13, 7.17).
* :mod:`sim.model.reactions` — impressions, engagement decisions, engagement counters (7.10).
* :mod:`sim.model.follows` — whom members follow and their posts as candidates (7.18).
* :mod:`sim.model.reading` — how far a session reads down the ranked list (7.19).
* :mod:`sim.model.notifications` — notifications that bring members into a session (7.20).
* :mod:`sim.model.learning` — estimated affinity and inferred interests (7.11, 7.12).
* :mod:`sim.model.linking` — invitations, answers, bursts, pruning (7.14-7.16).
* :mod:`sim.model.connecting` — a new tie, and what the platform learns from it (7.14).
* :mod:`sim.model.limits` — LinkedIn's limits on connections, invitations and notes (7.25).
* :mod:`sim.model.hooks` — the points where submodels and the observers of
  :mod:`sim.observers` (the run's records, 9) attach to the engine.
"""
