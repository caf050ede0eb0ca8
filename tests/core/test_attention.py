"""Attention tools: relative scores, attention entropy and angle coverage."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import paper_reference as ref
from yarn_core import (
    RopeSetting,
    angle_coverage,
    attention_entropy,
    inverse_frequencies,
    random_qk,
    relative_scores,
    scale_rope,
)
from yarn_core.attention import entropy_key_sample

FAST = settings(max_examples=200, deadline=None)


def rotation_matrix(m, inv):
    """The full d x d RoPE matrix R(m) for half-split pairs, built entry by entry."""
    half = len(inv)
    R = np.zeros((2 * half, 2 * half))
    for i, theta in enumerate(inv):
        c, s = math.cos(m * theta), math.sin(m * theta)
        R[i, i], R[i, i + half] = c, -s
        R[i + half, i], R[i + half, i + half] = s, c
    return R


@FAST
@given(
    half=st.integers(1, 32),
    base=st.floats(10, 1e7),
    n=st.integers(0, 10_000),
    deltas=st.lists(st.integers(0, 100_000), min_size=1, max_size=5),
    a=st.floats(0.1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_relative_scores_match_brute_force_rotation_matrices(half, base, n, deltas, a, seed):
    q, k = random_qk(2 * half, seed)
    inv = list(inverse_frequencies(2 * half, base))
    expected = [a * a * (rotation_matrix(n + d, inv) @ q) @ (rotation_matrix(n, inv) @ k) for d in deltas]
    got = relative_scores(q, k, deltas, np.array(inv), a)
    np.testing.assert_allclose(
        got, expected, rtol=0, atol=1e-8 * a * a * np.linalg.norm(q) * np.linalg.norm(k)
    )


def test_relative_scores_keep_shape_and_cross_chunks():
    q, k = random_qk(128, 3)
    inv = inverse_frequencies(128, 1e4)
    grid = np.arange(12.0).reshape(3, 4)
    assert relative_scores(q, k, grid, inv).shape == (3, 4)
    # more distances than one block of cos/sin evaluations (2^22 / 64 = 65536 per block)
    distances = np.arange(70_000, dtype=np.float64)
    got = relative_scores(q, k, distances, inv)
    angles = np.outer(distances, inv)
    qc = q[:64] + 1j * q[64:]
    kc = k[:64] + 1j * k[64:]
    expected = np.real(np.exp(1j * angles) @ (qc * np.conj(kc)))  # sum_i Re(q~ conj(k~) e^{i Delta theta})
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9 * np.linalg.norm(q) * np.linalg.norm(k))
    assert got[0] == pytest.approx(q @ k, rel=1e-12)


def test_relative_scores_reject_mismatched_shapes():
    with pytest.raises(ValueError):
        relative_scores(np.ones(6), np.ones(8), [0, 1], inverse_frequencies(8))


def test_random_qk_is_seeded():
    q1, k1 = random_qk(64, 7)
    q2, k2 = random_qk(64, 7)
    np.testing.assert_array_equal(q1, q2)
    np.testing.assert_array_equal(k1, k2)
    assert not np.array_equal(q1, random_qk(64, 8)[0]) and q1.shape == k1.shape == (64,)


# ---------------------------------------------------------------------------------------------
# Attention entropy

INV = inverse_frequencies(128, 1e4)
LENGTHS = [1, 2, 17, 256, 1500, 4096, 20000]


def test_entropy_is_at_most_log_length_and_zero_for_one_key():
    h = attention_entropy(LENGTHS, INV)
    assert h.shape == (len(LENGTHS),)
    assert h[0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(h >= -1e-12) and np.all(h <= np.log(LENGTHS) + 1e-9)


def test_entropy_is_log_length_when_logits_vanish():
    # attention factor 1e-4 scales logits by 1e-8: the softmax is uniform to ~1e-7, so H = ln(length);
    # for the sampled lengths the stratum weights must add up to the full length for this to hold
    h = attention_entropy(LENGTHS, INV, attention_factor=1e-4)
    np.testing.assert_allclose(h, np.log(LENGTHS), rtol=0, atol=1e-6)


def test_entropy_falls_as_the_attention_factor_grows():
    factors = [0.25, 0.5, 0.8, 1.0, 1.1386, 1.5, 2.0]
    h = np.array([attention_entropy([512, 6000], INV, attention_factor=a, seed=3) for a in factors])
    # same seed -> same queries and keys; only the logit scale a^2 changes, and softmax entropy is
    # strictly decreasing in the inverse temperature
    assert np.all(np.diff(h, axis=0) < 0)


def test_entropy_falls_as_key_noise_grows_large():
    # k_n = q + noise * eps_n: with huge noise the logits are huge random numbers and the softmax
    # concentrates on one key (entropy -> 0, NOT ln(length)); the vanishing-logit limit is above.
    noisy = attention_entropy([256], INV, key_noise=1000.0, seed=1)[0]
    moderate = attention_entropy([256], INV, key_noise=1.0, seed=1)[0]
    assert noisy < 1e-3 < moderate < math.log(256)


def test_sampled_entropy_agrees_with_exact_computation():
    """The stratified estimate (512 exact keys + 512 weighted samples) against all 12,000 keys.

    key_noise = 0 and one query make both runs see the same query and keys, so the difference is
    the sampling error alone. Its size: the logits of far keys behave like N(mu, sigma^2) with
    sigma ~ |q|^2 / sqrt(2 d) ~ 1.4 for d = 128, so exp(logit) has a coefficient of variation
    sqrt(e^(sigma^2) - 1) ~ 2.5 and the 512-sample estimate of the far mass a relative error of
    ~2.5 / sqrt(512) ~ 0.11; ln Z and E_p[logit] inherit errors of that order, partly cancelling.
    Tolerance 0.25 nats per seed (~2.7% of ln 12000 = 9.4) and 0.1 nats on the mean over seeds.
    """
    length = 12_000
    errors = []
    for seed in range(4):
        exact = attention_entropy([length], INV, seed=seed, queries=1, key_noise=0.0, exact_keys=length)[0]
        sampled = attention_entropy([length], INV, seed=seed, queries=1, key_noise=0.0, exact_keys=512)[0]
        errors.append(sampled - exact)
    assert np.max(np.abs(errors)) < 0.25
    assert abs(np.mean(errors)) < 0.1


@FAST
@given(length=st.integers(1, 10**7), exact=st.integers(1, 2000), seed=st.integers(0, 2**32 - 1))
def test_entropy_key_sample_covers_every_key_once(length, exact, seed):
    distances, weights = entropy_key_sample(length, exact, np.random.default_rng(seed))
    assert distances.shape == weights.shape
    assert weights.sum() == pytest.approx(length, rel=1e-12)  # every key is represented once
    assert np.all((distances >= 0) & (distances <= length - 1))
    if length <= 2 * exact:
        np.testing.assert_array_equal(distances, np.arange(length))
        assert np.all(weights == 1)
    else:
        np.testing.assert_array_equal(distances[:exact], np.arange(exact))
        edges = np.linspace(exact, length, exact + 1)
        picks = distances[exact:]
        assert np.all((picks >= np.floor(edges[:-1])) & (picks < edges[1:]))  # one sample per stratum


# ---------------------------------------------------------------------------------------------
# Angle coverage

dims = st.integers(4, 256).map(lambda h: 2 * h)
bases = st.floats(100, 1e7)
lengths = st.integers(16, 1_048_576)


@FAST
@given(dim=dims, base=bases, factor=st.floats(1, 128), length=lengths)
def test_position_interpolation_never_meets_unseen_angles(dim, base, factor, length):
    result = scale_rope("linear", RopeSetting(dim=dim, base=base, original_length=length, factor=factor))
    coverage = angle_coverage(result.base_inv_freq, result.inv_freq, length, factor * length)
    assert not coverage.unseen.any()


@FAST
@given(dim=dims, base=bases, factor=st.floats(1.1, 128), length=lengths)
def test_plain_rope_past_the_window_meets_unseen_angles_in_the_slow_pairs(dim, base, factor, length):
    result = scale_rope("none", RopeSetting(dim=dim, base=base, original_length=length, factor=factor))
    coverage = angle_coverage(result.base_inv_freq, result.inv_freq, length, factor * length)
    theta = np.array(ref.inv_freq(dim, base))
    never_turned = (length - 1) * theta < 2 * math.pi
    # (sL - 1) theta > L theta for s >= 1.1 and L >= 16: every pair that never completed a turn is unseen
    np.testing.assert_array_equal(coverage.unseen, never_turned)
    np.testing.assert_allclose(coverage.trained_max, (length - 1) * theta, rtol=1e-12)
    np.testing.assert_allclose(coverage.target_max, (factor * length - 1) * theta, rtol=1e-12)


def test_plain_rope_test_vector_has_unseen_pairs_and_yarn_has_none():
    setting = RopeSetting(dim=128, base=1e4, original_length=4096, factor=4.0)
    plain = scale_rope("none", setting)
    coverage = angle_coverage(plain.base_inv_freq, plain.inv_freq, 4096, 16384)
    # (L - 1) theta_i < 2 pi  <=>  1e4^(i/64) > 4095 / (2 pi)  <=>  i >= 46 (i > 45.02)
    np.testing.assert_array_equal(np.nonzero(coverage.unseen)[0], np.arange(46, 64))
    # YaRN's code ramp interpolates exactly pairs 46.. fully, so none is left unseen
    yarn = scale_rope("yarn", setting)
    assert not angle_coverage(yarn.base_inv_freq, yarn.inv_freq, 4096, 16384).unseen.any()


@FAST
@given(
    dim=dims,
    base=bases,
    factor=st.floats(1, 128),
    length=lengths,
    target=st.floats(16, 2**24),
    method=st.sampled_from(["none", "linear", "ntk", "ntk_by_parts", "yarn", "llama3"]),
)
def test_unseen_means_never_turned_and_past_the_trained_window(dim, base, factor, length, target, method):
    """Unseen: the pair never completed a turn in training ((L - 1) theta < 2 pi) and the target
    reaches an angle past the trained window, i.e. past L theta: the last trained position L - 1
    plus less than one step (PI maps L' - 1 to L - 1/s, which is interpolation) counts as seen."""
    result = scale_rope(method, RopeSetting(dim=dim, base=base, original_length=length, factor=factor))
    coverage = angle_coverage(result.base_inv_freq, result.inv_freq, length, target)
    theta = np.array(ref.inv_freq(dim, base))
    target_angle = (target - 1) * result.inv_freq
    never_turned = (length - 1) * theta < 2 * math.pi
    past = target_angle > length * theta
    # skip pairs within rounding of either boundary
    clear = (np.abs((length - 1) * theta / (2 * math.pi) - 1) > 1e-9) & (
        np.abs(target_angle / (length * theta) - 1) > 1e-8
    )
    np.testing.assert_array_equal(coverage.unseen[clear], (never_turned & past)[clear])
