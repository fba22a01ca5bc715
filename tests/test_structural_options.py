"""Structural alternatives for what LinkedIn never published (docs/model.md 7.5, 7.12).

Each option of the schema has its pure function tested on hand-made arrays with exact
expected values (dyadic numbers, so floating point is exact), a directional test at small
size with fixed seeds, and a bad-input test through `feedsim validate`:

- ``platform.test_audience.draw``: ``uniform`` | ``affinity``;
- ``platform.test_audience.expansion``: ``threshold`` | ``growth``;
- ``platform.inference.removal_signal``: on | off;
- ``platform.inference.connection_rule``: ``compounding`` | ``share``;
- ``platform.followers``: ``audience`` | ``pull``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sim import behaviour, beliefs
from sim.engine import World
from sim.model import audience, follows, learning, linking
from sim.network import STRANGER
from sim.scenario import Inference, Prune, Scenario
from sim.scenario import TestAudience as Audience
from sim.sources import EXPANSION, FOLLOW, NETWORK
from tests.helpers import run_tables, write_scenario
from tests.test_cli import ScenarioFile, invoke
from tests.test_mechanism_functions import Draws, add_posts, make_state, pool_rows, scenario

# --------------------------------------------------------------------------- test audience


def test_uniform_inclusion_is_the_fraction_for_every_connection() -> None:
    assert_array_equal(audience.uniform_inclusion(0.25, 3), [0.25, 0.25, 0.25])


def test_affinity_inclusion_is_proportional_per_post_capped_and_falls_back_to_uniform() -> None:
    owner = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 2])
    weight = np.array([1.0, 1.0, 2.0, 4.0, 0.0, 0.0, 1.0, 1.0, 1.0, 5.0])
    got = audience.affinity_inclusion(0.5, owner, weight)
    # post 0: f n / sum w = 0.5 * 4 / 8 = 0.25 per unit weight (expected size 2 = 0.5 * 4);
    # post 1: all weights 0, so f; post 2: 0.25 per unit weight, 5 * 0.25 capped at 1
    assert_array_equal(got, [0.25, 0.25, 0.5, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25, 1.0])


def test_the_affinity_draw_weighs_each_connection_by_its_affinity_to_the_author() -> None:
    state = make_state()  # member 0's connections: 1 and 2
    ties = state.ties
    ties.affinity[ties.lookup(np.array([1, 2]), np.array([0, 0]))] = [2.5, 0.5]  # viewer -> 0
    test = Audience(fraction=0.25, draw="affinity", affinity_floor=0.5)
    draws = Draws(random=[[0.25, 0.5625]])
    ids, authors, created = np.array([7]), np.array([0]), np.array([1.0])
    audience.send_to_test_audience(state, test, ids, authors, created, draws)  # type: ignore[arg-type]
    # weights 3 and 1; p = 0.25 * 2 / 4 * w = 0.375 and 0.125: 0.25 in, 0.5625 waits
    assert pool_rows(state) == [(1, 7, NETWORK, 1.0, False)]
    assert_array_equal(state.waiting["viewer"], [2])
    assert_array_equal(state.waiting["draw"], [0.5])  # (0.5625 - 0.125) / (1 - 0.125)


def test_both_draws_use_one_uniform_per_connection() -> None:
    for draw in ("uniform", "affinity"):
        state = make_state()
        draws = Draws(random=[[0.5, 0.5]])
        test = Audience(draw=draw)
        audience.send_to_test_audience(  # type: ignore[arg-type]
            state, test, np.array([7]), np.array([0]), np.array([1.0]), draws
        )
        assert draws.calls == [("random", {"size": 2})]


def high_affinity_share(state: Any, draw: str, seed: int) -> tuple[float, int]:
    """Every member posts once: the share of test-audience rows whose viewer has a positive
    estimated affinity to the author, and the test audience's size."""
    test = Audience(fraction=0.15, draw=draw)  # type: ignore[arg-type]
    state.pool.drop_first(state.pool.size)
    authors = np.arange(state.n)
    rng = np.random.default_rng(seed)
    audience.send_to_test_audience(state, test, authors, authors, np.zeros(state.n), rng)
    viewer, post = state.pool["viewer"], state.pool["post"]
    edge = state.ties.lookup(viewer, post)  # viewer -> author (post id = author here)
    high = state.ties.affinity[edge] > 0
    return float(high.mean()), int(viewer.size)


def test_the_affinity_draw_gives_high_affinity_peers_a_larger_share_of_the_test_audience() -> None:
    # 600 members, mean degree 30: about 2,200 test-audience rows per seed. At the start the
    # platform's affinity is 0.2-0.5 for same-field and colleague ties (about 80% of ties) and
    # 0 for the others. Uniform draws take the zero-affinity ties in proportion to their share
    # (about 0.2); the affinity draw weighs them 0.1 against 0.3-0.6 (expected share about
    # 0.07). Per seed (ten), the zero-affinity share must fall below half its uniform value.
    # Expected sizes are equal but for the cap at 1: pooled over the seeds (about 22,000 rows,
    # standard error of the difference about 0.9%) the sizes must agree within 3%.
    base = Scenario(name="t", topics=["a", "b", "c"], network={"members": 600, "mean_degree": 30})
    state = World(base, 3, Path("t.yaml")).state
    sizes = np.zeros(2)
    for seed in range(10):
        uniform, n_uniform = high_affinity_share(state, "uniform", seed)
        weighted, n_weighted = high_affinity_share(state, "affinity", seed)
        assert 1 - weighted < 0.5 * (1 - uniform), (seed, uniform, weighted)
        sizes += (n_uniform, n_weighted)
    assert abs(sizes[1] - sizes[0]) < 0.03 * sizes[0], sizes


# --------------------------------------------------------------------------- expansion


def test_threshold_share_is_the_rate_over_the_target_up_to_1() -> None:
    rate = np.array([0.0, 0.125, 0.25, 0.5])
    assert_array_equal(audience.threshold_share(rate, 0.25), [0.0, 0.5, 1.0, 1.0])


def test_growth_factor_is_the_clipped_power_of_observed_over_expected() -> None:
    rate = np.array([0.0, 0.25, 1.0, 4.0, 16.0])  # ratios 0, 1, 4, 16, 64 to 0.25
    assert_array_equal(audience.growth_factor(rate, 0.25, 1.0, 1.0, 8.0), [1, 1, 4, 8, 8])
    assert_array_equal(audience.growth_factor(rate, 0.25, 0.5, 0.5, 4.0), [0.5, 1, 2, 4, 4])


def test_growth_share_adds_g_minus_1_test_audiences_from_the_waiting() -> None:
    factor = np.array([0.5, 1.0, 1.5, 2.0, 3.0])
    assert_array_equal(audience.growth_share(factor, 0.5), [0.0, 0.0, 0.5, 1.0, 1.0])
    assert_array_equal(audience.growth_share(np.array([1.25]), 0.75), [0.75])  # 3 x 0.25


def test_expansion_share_dispatches_on_the_option() -> None:
    rate = np.array([0.25, 0.375, 1.0])
    common: dict[str, Any] = {"fraction": 0.5, "prior_rate": 0.25, "target_rate": 0.5}
    threshold = Audience(**common)
    assert_array_equal(audience.expansion_share(threshold, rate), [0.5, 0.75, 1.0])
    growth = Audience(**common, expansion="growth", growth_max=8.0)
    # g = r / 0.25 = 1, 1.5, 4; share = (g - 1) * 0.5 / 0.5, capped at 1
    assert_array_equal(audience.expansion_share(growth, rate), [0.0, 0.5, 1.0])


def test_growth_expansion_delivers_the_share_to_the_waiting() -> None:
    state = make_state()
    add_posts(state, [0], [0], [0.0])
    state.posts["test_end"][:] = [0.5]
    state.posts["likes"][0], state.posts["impressions"][0] = 3, 3
    state.waiting.append(
        viewer=np.array([2, 3, 4]),
        post=np.array([0, 0, 0]),
        draw=np.array([0.25, 0.5, 0.75]),
        route=EXPANSION,
    )
    test = Audience(
        fraction=0.5, expansion="growth", prior_impressions=1.0, prior_rate=0.25, growth_max=8.0
    )
    audience.expand_tested(state, test, 1.0)
    # r = (3 + 0.25) / (3 + 1) = 0.8125; g = 3.25; share = 2.25 capped at 1: all three
    assert pool_rows(state) == [(v, 0, EXPANSION, 0.5, False) for v in (2, 3, 4)]


def test_growth_expansion_reaches_more_for_posts_with_more_early_engagement() -> None:
    # Posts with 2, 4, 6, 8 and 10 engagements in 200 impressions at the defaults (prior 3
    # impressions at 1%; g = clip(r / 0.01, 1, 10); f = 0.15), each with 1,000 waiting
    # connections, 20 seeds. Expected shares about 0, 0.17, 0.35, 0.52, 0.70: the mean reached
    # share must rise with engagement and lie within 0.02 of its expectation (the standard
    # error of a mean of 20,000 Bernoulli draws is at most 0.0036; 0.02 is over 5 of them).
    likes = np.array([2, 4, 6, 8, 10])
    impressions = 200
    test = Audience(expansion="growth")
    rate = (likes + test.prior_impressions * test.prior_rate) / (
        impressions + test.prior_impressions
    )
    expected = audience.expansion_share(test, rate.astype(np.float64))
    waiting = 1000
    reached = np.zeros((20, likes.size))
    for seed in range(20):
        state = make_state()
        add_posts(state, [0] * likes.size, [0] * likes.size, [0.0] * likes.size)
        state.posts["likes"][:] = likes
        state.posts["impressions"][:] = impressions
        post = np.repeat(np.arange(likes.size), waiting)
        draw = np.random.default_rng(seed).random(post.size)
        viewer = np.zeros(post.size, np.int32)
        state.waiting.append(viewer=viewer, post=post, draw=draw, route=EXPANSION)
        audience.expand_tested(state, test, 1.0)
        reached[seed] = np.bincount(state.pool["post"], minlength=likes.size) / waiting
    mean = reached.mean(axis=0)
    assert np.all(np.diff(mean) > 0), mean
    assert_allclose(mean, expected, atol=0.02)


def test_the_test_audience_options_reach_the_engine(tmp_path: Path, small: dict[str, Any]) -> None:
    # The arms share their random numbers: the defaults spelled out give the same posts as
    # the base; each alternative changes who sees them, and only through the audience.
    options = {
        "explicit": {"draw": "uniform", "expansion": "threshold"},
        "affinity": {"draw": "affinity"},
        "growth": {"expansion": "growth"},
    }
    # Members who like often, so observed engagement beats the prior and growth expands.
    small["behaviour"] = {"like_rate": 0.2}
    small["variants"] = [{"name": "base"}] + [
        {"name": name, "platform": {"test_audience": values}} for name, values in options.items()
    ]
    posts = run_tables(write_scenario(tmp_path, small))["posts"]
    columns = ["post_id", "author_id", "topic", "created_day"]
    viewers = posts.pivot_table(index="post_id", columns="variant", values="unique_viewers")
    by_arm = {arm: group[columns].reset_index(drop=True) for arm, group in posts.groupby("variant")}
    assert (viewers["explicit"] == viewers["base"]).all()
    for arm in ("affinity", "growth"):
        assert not (viewers[arm] == viewers["base"]).all(), arm
        assert by_arm[arm].equals(by_arm["base"]), arm  # same posts: only the audience differs


# --------------------------------------------------------------------------- removal signal


def test_blend_away_is_the_inverse_step_clipped_at_0_and_renormalised() -> None:
    theta = np.array([[0.25, 0.75], [0.75, 0.25], [0.5, 0.5], [0.0, 1.0], [0.5, 0.5]])
    beliefs.blend_away(
        theta,
        np.array([0, 1, 2, 2, 3]),
        np.array([1, 1, 0, 1, 1]),
        np.array([0.5, 0.5, 0.5, 0.5, 1.0]),
    )
    # 0: (0.25, 0.75 - 0.5) / 0.5; 1: (0.75, 0.25 - 0.5 -> 0) / 0.75;
    # 2: S = 0.25, (0.5 - 0.375, 0.5 - 0.375) / 0.25; 3: step 1 leaves nothing: unchanged;
    # 4: no signal
    assert_array_equal(theta, [[0.5, 0.5], [1.0, 0.0], [0.5, 0.5], [0.0, 1.0], [0.5, 0.5]])


def test_blend_away_undoes_blend_toward() -> None:
    rng = np.random.default_rng(5)
    theta = rng.dirichlet(np.ones(4), size=6)
    member = np.array([0, 0, 0, 2, 3, 3, 5])
    topic = np.array([1, 1, 3, 0, 2, 3, 0])
    step = np.array([0.01, 0.01, 0.01, 0.2, 0.05, 0.1, 0.3])
    moved = theta.copy()
    beliefs.blend_toward(moved, member, topic, step)
    beliefs.blend_away(moved, member, topic, step)
    assert_allclose(moved, theta, atol=1e-12)  # exact up to rounding: no weight clipped


def test_removed_ties_move_both_ends_away_only_with_both_switches_on() -> None:
    field = np.array([0, 1, 1], np.int16)
    start = np.array([[0.5, 0.5], [0.75, 0.25], [0.25, 0.75]])
    on = Inference(connection_rule="compounding", connection_step=0.5)
    theta = start.copy()
    learning.unlearn_connections(theta, None, field, 0, np.array([1], np.int32), on)
    # member 0 away from field 1: (0.5, 0) / 0.5; member 1 away from field 0: (0.25, 0.25) / 0.5
    assert_array_equal(theta, [[1.0, 0.0], [0.5, 0.5], [0.25, 0.75]])
    for off in (
        Inference(connection_rule="compounding", connection_step=0.5, removal_signal=False),
        Inference(connection_rule="compounding", connection_step=0.5, connection_term=False),
    ):
        theta = start.copy()
        learning.unlearn_connections(theta, None, field, 0, np.array([1], np.int32), off)
        assert_array_equal(theta, start)


@pytest.mark.parametrize("signal", [True, False])
def test_pruning_undoes_the_connection_step_with_the_removal_signal(signal: bool) -> None:
    state = make_state()  # member 0 (field a) believes (0.75, 0.25); member 4 (field b) (1, 0)
    inference = {"connection_rule": "compounding", "connection_step": 0.5, "removal_signal": signal}
    s = scenario(platform={"inference": inference})
    linking.connect(
        state,
        s,
        0,
        np.array([4], np.int32),
        np.full(1, STRANGER, np.int8),
        0.0,
        strength=np.full(1, 0.5, np.float32),
        late_reply=np.array([1.0]),
        reply_delay=np.array([0.5]),
    )
    assert_array_equal(state.theta[[0, 4]], [[0.375, 0.625], [1.0, 0.0]])
    event = Prune(action="prune", day=1, member="me", kinds=["stranger"], minutes_per_removal=2)
    linking.prune(state, event, 1.0, s.platform.inference)
    after = [[0.75, 0.25], [1.0, 0.0]] if signal else [[0.375, 0.625], [1.0, 0.0]]
    assert_array_equal(state.theta[[0, 4]], after)


REMOVAL_STUDY: dict[str, Any] = {
    "name": "removal",
    "topics": ["finance", "it", "hr"],
    "network": {"members": 600, "mean_degree": 30},
    "duration_days": 10,
    "replications": 3,
    "seed": 4,
    "slice_hours": 6,
    "focal": [{"name": "member", "field": "it"}],
    "platform": {"inference": {"connection_rule": "compounding"}},  # the signal's rule
    "events": [
        {"action": "accept_invitations", "day": 1, "member": "member", "field": "finance",
         "count": 60},
        {"action": "prune", "day": 8, "member": "member", "kinds": ["stranger"]},
    ],
    "variants": [
        {"name": "off", "platform": {"inference": {"removal_signal": False}}},
        {"name": "on"},
    ],
}  # fmt: skip


def test_the_removal_signal_moves_the_inferred_weight_of_the_removed_field_down(
    tmp_path: Path,
) -> None:
    # 60 finance strangers accepted on day 1 (connection step 0.01 each: about 45% of the
    # member's weight onto finance), the silent ones pruned on day 8. The arms share their
    # random numbers, so they agree exactly until the prune and, in every one of three
    # replications, the arm with the signal infers less finance from day 8 on.
    tables = run_tables(write_scenario(tmp_path, REMOVAL_STUDY))
    beliefs_table = tables["beliefs"]
    finance = beliefs_table[beliefs_table["topic"] == "finance"]
    weight = finance.pivot_table(
        index=["replication", "day"], columns="variant", values="inferred_weight"
    )
    before, after = weight.xs(7, level="day"), weight.xs(8, level="day")
    assert_array_equal(before["on"], before["off"])
    assert (after["on"] < after["off"] - 0.1).all(), after


# --------------------------------------------------------------------------- connection rule


def test_connection_counts_and_the_profile_mix() -> None:
    field = np.array([0, 1, 1, 2], np.int16)
    src = np.array([0, 0, 0, 1, 2, 3], np.int32)  # ties 0-1, 0-2, 0-3, both directions
    dst = np.array([1, 2, 3, 0, 0, 0], np.int32)
    counts = beliefs.connection_counts(field, src, dst, 3)
    assert counts.dtype == np.int32
    assert_array_equal(counts, [[0, 2, 1], [1, 0, 0], [1, 0, 0], [1, 0, 0]])
    counts[3] = 0  # member 3 without connections: its own field
    mix = beliefs.profile_mix(field, counts, 0.25)
    # 0: 0.25 e(0) + 0.75 (0, 2/3, 1/3); 1: 0.25 e(1) + 0.75 e(0); 3: e(2)
    assert_array_equal(mix[[1, 2, 3]], [[0.75, 0.25, 0.0], [0.75, 0.25, 0.0], [0.0, 0.0, 1.0]])
    assert_allclose(mix[0], [0.25, 0.5, 0.25], rtol=1e-15)


def test_share_weights_blend_the_profile_mix_with_the_engagement_weights() -> None:
    field = np.array([0, 1], np.int16)
    counts = np.array([[1, 3, 0], [0, 0, 0]], np.int32)
    engaged = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    theta = beliefs.share_weights(field, counts, engaged, 0.5, 0.25)
    # 0: mix 0.5 e(0) + 0.5 (0.25, 0.75, 0) = (0.625, 0.375, 0); 0.75 mix + 0.25 g
    # 1: no connections, mix e(1); 0.75 (0, 1, 0) + 0.25 (0.5, 0.5, 0)
    assert_array_equal(theta, [[0.46875, 0.28125, 0.25], [0.125, 0.875, 0.0]])


def test_the_initial_weights_are_the_same_under_both_rules() -> None:
    field = np.array([0, 1, 1, 2], np.int16)
    src, dst = np.array([0, 0, 1, 2], np.int32), np.array([1, 2, 0, 0], np.int32)
    compounding = Inference(connection_rule="compounding")
    theta, parts = learning.initial_inference(field, src, dst, 3, compounding)
    shared, share_parts = learning.initial_inference(
        field, src, dst, 3, Inference(connection_rule="share")
    )
    assert parts is None and share_parts is not None
    assert shared.tobytes() == theta.tobytes()
    assert_array_equal(share_parts.counts, beliefs.connection_counts(field, src, dst, 3))
    assert share_parts.engaged.tobytes() == theta.tobytes()
    assert not np.shares_memory(share_parts.engaged, shared)


RECRUITER_FIELDS = np.array([0] + [1] * 100, np.int16)  # finance, it, other; 100 IT members


def recruiter_parts() -> tuple[np.ndarray, beliefs.ShareParts]:
    """Member 0, a finance recruiter with 624 connections (600 finance, 24 other, not among
    the members here); members 1-100 in IT without connections. w_p = w_e = 0, so theta is
    the connection term itself."""
    counts = np.zeros((101, 3), np.int32)
    counts[0] = [600, 0, 24]
    engaged = np.zeros((101, 3))
    theta = beliefs.share_weights(RECRUITER_FIELDS, counts, engaged, 0.0, 0.0)
    return theta, beliefs.ShareParts(counts=counts, engaged=engaged)


def test_100_it_ties_move_a_624_connection_recruiter_by_100_of_724_under_share() -> None:
    theta, parts = recruiter_parts()
    before = theta[0].copy()
    rule = Inference(connection_rule="share", profile_weight=0.0, engagement_weight=0.0)
    it = np.arange(1, 101, dtype=np.int32)
    learning.learn_from_connections(theta, parts, RECRUITER_FIELDS, 0, it, rule)
    assert_array_equal(parts.counts[0], [600, 100, 24])
    assert theta[0, 1] == 100 / 724 and theta[0, 0] == 600 / 724
    assert_allclose(theta[0], 624 / 724 * before + 100 / 724 * np.eye(3)[1], rtol=1e-15)
    assert_array_equal(parts.counts[1:], np.tile([1, 0, 0], (100, 1)))  # one finance tie each
    assert_array_equal(theta[1:], np.tile([1.0, 0.0, 0.0], (100, 1)))


def test_100_it_ties_move_the_same_recruiter_by_1_minus_0_99_to_the_100_compounding() -> None:
    theta, _ = recruiter_parts()
    before = theta[0].copy()
    it = np.arange(1, 101, dtype=np.int32)
    learning.learn_from_connections(theta, None, RECRUITER_FIELDS, 0, it, Inference())
    moved = 1 - 0.99**100  # about 0.634, whatever the 624 connections
    assert_allclose(theta[0], (1 - moved) * before + moved * np.eye(3)[1], rtol=1e-12)
    assert_allclose(theta[1:, 0], 0.01, rtol=1e-12)  # each IT member one step toward finance


def test_share_engagements_move_g_and_recompute_the_engagers_rows() -> None:
    field = np.array([0, 1], np.int16)
    parts = beliefs.ShareParts(
        counts=np.array([[1, 1], [0, 0]], np.int32), engaged=np.array([[0.5, 0.5], [0.0, 1.0]])
    )
    theta = np.full((2, 2), 0.5)
    rule = Inference(connection_rule="share", share_step=0.5, engagement_weight=0.5)
    action = np.array([behaviour.SHARE, behaviour.NONE], np.int8)
    viewer, topic = np.array([0, 1]), np.array([1, 0], np.int16)
    learning.learn_from_engagements(theta, parts, field, viewer, topic, action, rule)
    # g_0 = 0.5 (0.5, 0.5) + 0.5 e(1) = (0.25, 0.75); mix_0 = 0.5 e(0) + 0.5 (0.5, 0.5)
    # theta_0 = 0.5 (0.75, 0.25) + 0.5 (0.25, 0.75); member 1 (no engagement): e(1)
    assert_array_equal(parts.engaged, [[0.25, 0.75], [0.0, 1.0]])
    assert_array_equal(theta, [[0.5, 0.5], [0.0, 1.0]])


def test_share_removals_uncount_the_tie_at_both_ends_and_nothing_moves_without_the_term() -> None:
    field = np.array([0, 1, 1], np.int16)
    counts = np.array([[1, 3], [1, 0], [1, 1]], np.int32)
    engaged = np.array([[0.5, 0.5], [0.0, 1.0], [0.0, 1.0]])
    rule = Inference(connection_rule="share", profile_weight=0.5, engagement_weight=0.5)
    parts = beliefs.ShareParts(counts=counts.copy(), engaged=engaged)
    theta = beliefs.share_weights(field, counts, engaged, 0.5, 0.5)
    learning.unlearn_connections(theta, parts, field, 0, np.array([1, 2], np.int32), rule)
    assert_array_equal(parts.counts, [[1, 1], [0, 0], [0, 1]])
    # 0: mix 0.5 e(0) + 0.5 (0.5, 0.5) = (0.75, 0.25); theta 0.5 mix + 0.5 (0.5, 0.5)
    # 1: no connections left, mix e(1); 2: mix e(1)
    assert_array_equal(theta, [[0.625, 0.375], [0.0, 1.0], [0.0, 1.0]])
    frozen = rule.model_copy(update={"connection_term": False})
    before = theta.copy()
    learning.unlearn_connections(theta, parts, field, 0, np.array([2], np.int32), frozen)
    learning.learn_from_connections(theta, parts, field, 0, np.array([1], np.int32), frozen)
    assert_array_equal(parts.counts, [[1, 1], [0, 0], [0, 1]])
    assert_array_equal(theta, before)


def test_connecting_and_pruning_keep_the_share_counts_of_the_current_ties() -> None:
    state = make_state()  # member 0 (field a): ties to 1 (a) and 2 (b); member 4 (b) alone
    s = scenario(platform={"inference": {"connection_rule": "share", "engagement_weight": 0.5}})
    ties = state.ties
    state.share_parts = beliefs.ShareParts(
        counts=beliefs.connection_counts(state.field, ties.src, ties.dst, 2),
        engaged=state.theta.copy(),
    )
    linking.connect(
        state,
        s,
        0,
        np.array([4], np.int32),
        np.full(1, STRANGER, np.int8),
        0.0,
        strength=np.full(1, 0.5, np.float32),
        late_reply=np.array([1.0]),
        reply_delay=np.array([0.5]),
    )
    parts = state.share_parts
    assert_array_equal(parts.counts, beliefs.connection_counts(state.field, ties.src, ties.dst, 2))
    assert_array_equal(parts.counts[[0, 4]], [[1, 2], [1, 0]])
    # 0: mix 0.5 e(a) + 0.5 (1/3, 2/3), g (0.75, 0.25); 4: mix 0.5 e(b) + 0.5 e(a), g (1, 0)
    assert_allclose(state.theta[0], [17 / 24, 7 / 24], rtol=1e-15)
    assert_array_equal(state.theta[4], [0.75, 0.25])
    event = Prune(action="prune", day=1, member="me", kinds=["stranger"], minutes_per_removal=2)
    linking.prune(state, event, 1.0, s.platform.inference)
    assert_array_equal(parts.counts, beliefs.connection_counts(state.field, ties.src, ties.dst, 2))
    # 0: mix 0.5 e(a) + 0.5 (0.5, 0.5) = g, back to its start; 4: alone again, mix e(b)
    assert_array_equal(state.theta[[0, 4]], [[0.75, 0.25], [0.5, 0.5]])


BURST_STUDY: dict[str, Any] = {
    "name": "burst",
    "topics": ["finance", "it", "hr"],
    "network": {"members": 600, "mean_degree": 60},
    "duration_days": 4,
    "replications": 3,
    "seed": 11,
    "slice_hours": 6,
    "focal": [{"name": "member", "field": "finance", "degree_quantile": 0.99}],
    "events": [
        {"action": "accept_invitations", "day": 1, "member": "member", "field": "it",
         "count": 40},
    ],
    "variants": [
        {"name": "compounding", "platform": {"inference": {"connection_rule": "compounding"}}},
        {"name": "share", "platform": {"inference": {"connection_rule": "share"}}},
    ],
}  # fmt: skip


def test_a_well_connected_member_moves_less_after_a_burst_under_share(tmp_path: Path) -> None:
    # A finance member at the 99th degree percentile (157 to 244 connections in the three
    # replications) accepts 40 IT strangers on day 1. Under compounding, 1 - 0.99^40 (about
    # 33%) of its weights move to IT at once; under share its connection term moves by
    # 40 / (degree + 40) (14% to 20%), and that term is (1 - w_p)(1 - w_e) = 1/4 of theta:
    # 3.5% to 5%. In every replication the arms agree on day 0 (the same start) and share
    # gains less than half the IT weight by day 2; a rerun gives byte-identical tables.
    path = write_scenario(tmp_path, BURST_STUDY)
    tables = run_tables(path)
    beliefs_table = tables["beliefs"]
    it = beliefs_table[beliefs_table["topic"] == "it"]
    weight = it.pivot_table(
        index=["replication", "day"], columns="variant", values="inferred_weight"
    )
    start, after = weight.xs(0, level="day"), weight.xs(2, level="day")
    assert_array_equal(start["share"], start["compounding"])
    share = (after["share"] - start["share"]).to_numpy()
    compounding = (after["compounding"] - start["compounding"]).to_numpy()
    assert np.all(share > 0) and np.all(share < 0.5 * compounding), (share, compounding)
    again = run_tables(path)
    for name, table in tables.items():
        assert parquet_bytes(again[name]) == parquet_bytes(table), name


def parquet_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    table.to_parquet(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("section", "key", "value", "needle"),
    [
        ("test_audience", "draw", "weighted", "platform.test_audience.draw"),
        ("test_audience", "expansion", "factor", "platform.test_audience.expansion"),
        ("inference", "removal_signal", "sometimes", "platform.inference.removal_signal"),
        ("test_audience", "growth_max", 0.5, "growth_max must be at least growth_min"),
        ("inference", "connection_rule", "linear", "platform.inference.connection_rule"),
        ("inference", "engagement_weight", 1.5, "platform.inference.engagement_weight"),
    ],
)
def test_a_bad_option_exits_2_with_one_line(
    small: dict[str, Any],
    scenario_file: ScenarioFile,
    section: str,
    key: str,
    value: Any,
    needle: str,
) -> None:
    bad = scenario_file({**small, "platform": {section: {key: value}}}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert needle in result.stderr, result.stderr
    assert str(bad) in result.stderr
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- followers


def with_followers() -> Any:
    """:func:`make_state` where members 3 and 4 follow member 0 and member 4 follows 3."""
    state = make_state()
    state.follow_ptr = np.array([0, 0, 0, 0, 1, 3], np.int64)
    state.followees = np.array([0, 0, 3], np.int32)
    state.follower_ptr, state.followers = follows.follower_index(
        5, state.follow_ptr, state.followees
    )
    return state


def test_the_follower_index_reverses_the_follow_index() -> None:
    ptr, followers = follows.follower_index(
        5, np.array([0, 0, 0, 0, 1, 3], np.int64), np.array([0, 0, 3], np.int32)
    )
    assert_array_equal(ptr, [0, 2, 2, 2, 3, 3])  # 0 is followed by 3 and 4; 3 by 4
    assert_array_equal(followers, [3, 4, 4])


def test_an_authors_network_is_its_connections_then_under_audience_its_followers() -> None:
    state = with_followers()
    authors = np.array([0, 3])
    pull = audience.author_network(state, authors, followers=False)
    assert_array_equal(pull.viewer, [1, 2, 1, 2])
    assert_array_equal(pull.route, [NETWORK] * 4)
    both = audience.author_network(state, authors, followers=True)
    assert_array_equal(both.owner, [0, 0, 0, 0, 1, 1, 1])  # by post: the waiting stay sorted
    assert_array_equal(both.viewer, [1, 2, 3, 4, 1, 2, 4])
    assert_array_equal(both.edge[[2, 3, 6]], [-1, -1, -1])
    assert_array_equal(both.edge[[0, 1, 4, 5]], pull.edge)
    assert_array_equal(both.route, [NETWORK, NETWORK, FOLLOW, FOLLOW, NETWORK, NETWORK, FOLLOW])


def test_followers_in_the_audience_are_tested_and_expanded_as_connections_are() -> None:
    state = with_followers()
    test = Audience(fraction=0.5, prior_impressions=0.0, target_rate=0.25)
    draws = Draws(random=[[0.25, 0.75, 0.375, 0.875]])  # connections 1, 2; followers 3, 4
    ids, authors, created = np.array([0]), np.array([0]), np.array([0.0])
    add_posts(state, [0], [0], [0.0])
    state.posts["test_end"][:] = [0.5]
    audience.send_to_test_audience(
        state,
        test,
        ids,
        authors,
        created,
        draws,  # type: ignore[arg-type]
        followers=True,
    )
    assert pool_rows(state) == [(1, 0, NETWORK, 0.0, False), (3, 0, FOLLOW, 0.0, False)]
    assert_array_equal(state.waiting["viewer"], [2, 4])
    assert_array_equal(state.waiting["draw"], [0.5, 0.75])  # (u - 0.5) / 0.5
    assert_array_equal(state.waiting["route"], [EXPANSION, FOLLOW])
    # one engagement in two impressions: r = 0.5, share min(1, 0.5 / 0.25) = 1: both reached
    state.posts["likes"][0], state.posts["impressions"][0] = 1, 2
    audience.expand_tested(state, test, 1.0)
    assert pool_rows(state)[2:] == [(2, 0, EXPANSION, 0.5, False), (4, 0, FOLLOW, 0.5, False)]


def test_followers_weigh_the_affinity_floor_in_the_affinity_draw() -> None:
    state = with_followers()
    ties = state.ties
    ties.affinity[ties.lookup(np.array([1, 2]), np.array([0, 0]))] = [2.5, 0.5]
    test = Audience(fraction=0.25, draw="affinity", affinity_floor=0.5)
    network = audience.author_network(state, np.array([0]), followers=True)
    # weights 3, 1, 0.5, 0.5 (sum 5); p = 0.25 * 4 / 5 * w
    assert_allclose(audience.inclusion(state, test, network), [0.6, 0.2, 0.1, 0.1])


def test_followers_get_posts_by_the_chosen_rule(tmp_path: Path, small: dict[str, Any]) -> None:
    # The same posts under both rules (the rule changes only who receives them); under
    # `pull` every post of a followed account is a candidate of all its followers at once,
    # under `audience` a follower waits for the test audience and its expansion as a
    # connection does, so followers are a smaller share of the posts' viewers.
    small["variants"] = [
        {"name": "audience"},
        {"name": "pull", "platform": {"followers": "pull"}},
    ]
    tables = run_tables(write_scenario(tmp_path, small))
    posts = tables["posts"]
    columns = ["post_id", "author_id", "topic", "created_day"]
    by_arm = {arm: group[columns].reset_index(drop=True) for arm, group in posts.groupby("variant")}
    assert by_arm["audience"].equals(by_arm["pull"])
    viewers = posts.groupby("variant")[["viewers_follow", "unique_viewers"]].sum()
    share = viewers["viewers_follow"] / viewers["unique_viewers"]
    assert 0 < share["audience"] < share["pull"], share


def test_an_unknown_follower_rule_exits_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    bad = scenario_file({**small, "platform": {"followers": "push"}}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert "platform.followers" in result.stderr and str(bad) in result.stderr


def test_share_with_the_removal_signal_off_exits_2_with_one_line(
    small: dict[str, Any], scenario_file: ScenarioFile
) -> None:
    inference = {"connection_rule": "share", "removal_signal": False}
    bad = scenario_file({**small, "platform": {"inference": inference}}, name="bad.yaml")
    result = invoke("validate", bad)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("feedsim: error: ") and result.stderr.count("\n") == 1
    assert "removal_signal: false contradicts connection_rule: share" in result.stderr
    assert str(bad) in result.stderr and "platform.inference" in result.stderr
