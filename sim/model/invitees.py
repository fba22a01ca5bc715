"""Who is at the other end of an invitation (docs/model.md 7.24; ``platform.invitations``).

For a member i, the other end j of an invitation i makes or receives is drawn by one of two
rules, with s_j the session rate (activity) of j:

* ``session_rate``: P_i(j) = s_j / Σ_k s_k, whoever i is;
* ``people_you_may_know``: as LinkedIn's People You May Know (PYMK) suggests, a mixture of a
  friend of a friend (share q, ``friends_of_friends``), a member of i's field (share q_f,
  ``same_field``) and anyone (the rest), each by activity::

      P_i(j) = q · s_j m_ij / M_i + q_f · [f_j = f_i] s_j / F_i + (1 − q − q_f) · s_j / A

  with m_ij the connections i and j share (m_ii = d_i), M_i = Σ_j s_j m_ij =
  Σ_{k ∈ N(i)} S_k (S_k = Σ_{j ∈ N(k)} s_j), F_i = Σ_{j: f_j = f_i} s_j and A = Σ_j s_j; a
  component with nothing to draw (M_i = 0 or F_i = 0) counts 0. It is the suggested weight
  w_ij = s_j (μ_i m_ij + φ_i [f_j = f_i] + β) with μ_i = q / M_i, φ_i = q_f / F_i and
  β = (1 − q − q_f) / A: the shares rather than raw weights fix how many invitations go to
  friends of friends, the number the sources give (LinkedIn Engineering: PYMK starts from
  friends of friends, "triangle closing", and builds more than half of LinkedIn's graph;
  Leskovec et al. 2008: 30-60% of new edges close a triangle).

Members invite in proportion to their own activity: the s_j in P_i(j) weighs an inviter j of
a focal member i (received invitations, scripted bursts) as it weighs an invitee.

A focal member's plans take the exact weights over a pool (:func:`invitee_weights`); the
trend's adopters draw from the same distribution with a cheap sampler (:func:`draw_invitees`):
a two-step walk i → k → j with P(k) = S_k / M_i among i's connections and P(j) = s_j / S_k
among k's, so P(j) = Σ_{k ∈ N(i) ∩ N(j)} S_k / M_i · s_j / S_k = s_j m_ij / M_i exactly.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.state import State
from sim.scenario import Invitations
from sim.ties import Ties


def mutual_counts(ties: Ties, member: int) -> NDArray[np.int64]:
    """m_ij for every member j: the connections `member` and j share (m_ii = d_i: every walk
    i → k → i)."""
    _, first = ties.rows(np.array([member]))
    _, second = ties.rows(ties.dst[first])
    return np.bincount(ties.dst[second], minlength=ties.size).astype(np.int64)


def pymk_probability(
    activity: NDArray[np.float64],
    mutual: NDArray[np.int64],
    same_field: NDArray[np.bool_],
    invitations: Invitations,
) -> NDArray[np.float64]:
    """P_i(j) over every member j (module docstring): ``q s_j m_ij / M_i + q_f [f_j = f_i]
    s_j / F_i + (1 − q − q_f) s_j / A``, a term with a zero denominator counting 0."""
    q, q_f = invitations.friends_of_friends, invitations.same_field
    probability = np.zeros(activity.size)
    for share, weight in (
        (q, activity * mutual),
        (q_f, activity * same_field),
        (1.0 - q - q_f, activity),
    ):
        total = float(weight.sum())
        if share > 0 and total > 0:
            probability += share * weight / total
    return probability


def invitee_weights(
    state: State, invitations: Invitations, member: int, pool: NDArray[np.int64]
) -> NDArray[np.float64]:
    """The weight of each member of `pool` as the other end of an invitation of `member`:
    its session rate (``session_rate``), or P_i(j) (``people_you_may_know``,
    :func:`pymk_probability`). Only ratios matter: the pools are drawn from in proportion."""
    if invitations.draw == "session_rate":
        return state.session_rate[pool]
    same_field = state.field == state.field[member]
    mutual = mutual_counts(state.ties, member)
    return pymk_probability(state.session_rate, mutual, same_field, invitations)[pool]


def draw_invitees(
    state: State, invitations: Invitations, inviter: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """One invitee per entry of `inviter`, drawn with replacement by the chosen rule
    (``session_rate``: :func:`draw_by_session_rate`; ``people_you_may_know``:
    :func:`draw_people_you_may_know`)."""
    if invitations.draw == "session_rate":
        return draw_by_session_rate(state, rng.random(inviter.size))
    return draw_people_you_may_know(state, invitations, inviter, rng)


def draw_by_session_rate(state: State, uniform: NDArray[np.float64]) -> NDArray[np.int64]:
    """P(j) = s_j / Σ s, by bisection of the cumulative session rates, one uniform each."""
    total = float(state.session_cum[-1])
    found = np.searchsorted(state.session_cum, uniform * total, side="right")
    return np.minimum(found, state.n - 1).astype(np.int64)


def draw_people_you_may_know(
    state: State, invitations: Invitations, inviter: NDArray[np.int64], rng: np.random.Generator
) -> NDArray[np.int64]:
    """P_i(j) of :func:`pymk_probability` for each inviter i, by sampling: three uniforms
    per invitation (``rng.random`` three times, whatever the component). The first picks the
    component (below q: friend of a friend; below q + q_f: same field; else anyone); the
    second draws k ∝ S_k among i's connections, a field member ∝ s_j, or anyone ∝ s_j; the
    third draws j ∝ s_j among k's connections. A draw with nothing to draw from (no
    connection with active connections, an inactive field) returns the inviter itself, void
    like every invitation to oneself."""
    count = inviter.size
    component, first, second = rng.random(count), rng.random(count), rng.random(count)
    q, q_f = invitations.friends_of_friends, invitations.same_field
    friends = component < q
    field = ~friends & (component < q + q_f)
    anyone = ~friends & ~field
    invitee = inviter.astype(np.int64).copy()
    invitee[anyone] = draw_by_session_rate(state, first[anyone])
    invitee[field] = draw_in_field(state, inviter[field], first[field])
    ties, activity = state.ties, state.session_rate
    reach = np.bincount(ties.src, weights=activity[ties.dst], minlength=state.n)  # S_k
    middle = walk_step(ties, inviter[friends], reach.astype(float), first[friends])
    invitee[friends] = walk_step(ties, middle, activity, second[friends])
    return invitee


def draw_in_field(
    state: State, member: NDArray[np.int64], uniform: NDArray[np.float64]
) -> NDArray[np.int64]:
    """For each `member`, someone of its field drawn ∝ session rate (itself when the field's
    rates are all 0)."""
    order = np.argsort(state.field, kind="stable")
    cum = np.cumsum(state.session_rate[order])
    fields = np.arange(len(state.topics))
    start = np.searchsorted(state.field[order], fields, side="left")
    end = np.searchsorted(state.field[order], fields, side="right")
    return pick(order, cum, start, end, state.field[member], uniform, member)


def walk_step(
    ties: Ties, member: NDArray[np.int64], weight: NDArray[np.float64], uniform: NDArray[np.float64]
) -> NDArray[np.int64]:
    """For each `member`, one of its connections k drawn ∝ ``weight[k]`` (itself when it has
    none of positive weight)."""
    who, row = np.unique(member, return_inverse=True)
    owner, edges = ties.rows(who)
    partner = ties.dst[edges].astype(np.int64)
    cum = np.cumsum(weight[partner])
    rows = np.arange(who.size)
    start = np.searchsorted(owner, rows, side="left")
    end = np.searchsorted(owner, rows, side="right")
    return pick(partner, cum, start, end, row, uniform, member)


def pick(
    items: NDArray[np.int64],
    cum: NDArray[np.float64],
    start: NDArray[np.int64],
    end: NDArray[np.int64],
    group: NDArray[np.integer],
    uniform: NDArray[np.float64],
    fallback: NDArray[np.int64],
) -> NDArray[np.int64]:
    """One item of ``items[start[g]:end[g]]`` per draw, g = ``group``, with probability
    proportional to its weight (``cum`` is the cumulative weight over all items), by
    bisection at ``lo + uniform · (hi − lo)``; `fallback` where the group's weight is 0."""
    if items.size == 0:
        return fallback.astype(np.int64)
    bounds = np.concatenate([[0.0], cum])
    lo, hi = bounds[start[group]], bounds[end[group]]
    at = np.searchsorted(cum, lo + uniform * (hi - lo), side="right")
    at = np.clip(at, start[group], np.maximum(end[group] - 1, start[group]))
    chosen = items[np.minimum(at, items.size - 1)]
    return np.where(hi > lo, chosen, fallback).astype(np.int64)
