"""Seeds and named random streams.

One integer seed per replication is derived from the scenario's base seed; each replication
splits it with :class:`numpy.random.SeedSequence` into independent streams named for what they
drive. A variant draws from the same streams as every other variant of its study, and a
stream's draws never depend on another stream's use, so arms are compared on common random
numbers (pydesrap_mms; Law, *Simulation Modeling and Analysis*, ch. 11).
"""

from __future__ import annotations

import numpy as np

STREAMS = (
    "network",  # who is who, who knows whom
    "sessions",  # when members open the feed
    "posting",  # when members post, and on which topic
    "audience",  # test audiences and their expansion
    "ranking",  # the random ranker, out-of-network recommendations
    "engagement",  # members' true reactions
    "fanout",  # whose feeds an engagement reaches
    "invitations",  # scripted bursts of accepted invitations
    "inbound",  # the invitations a focal member receives, drawn before the run
    "outreach",  # the invitations a member sends, drawn before the run
    "follows",  # whom members follow (synthetic networks), drawn before the run
    "reading",  # how far down the ranked list each session reads
    "notifications",  # which notifications are sent and when they are opened
    "population",  # the trend as a population process: seeding, invitations, adoption
    "rewire",  # the degree-preserving rewiring of a network
    "arms",  # which members each randomised arm serves, drawn before the run
    "burst_intros",  # whether the new contacts of a scripted burst answer an intro message
)


def replication_seed(base_seed: int, replication: int) -> int:
    """The seed of replication `replication`: a 63-bit integer derived from the base seed."""
    state = np.random.SeedSequence([base_seed, replication]).generate_state(2, dtype=np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1]))


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators, one per name in :data:`STREAMS`, for one replication's seed."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(STREAMS, children, strict=True)
    }
