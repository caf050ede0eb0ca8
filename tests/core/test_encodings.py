"""The encodings before and beside RoPE: learned absolute, sinusoidal, T5 buckets, ALiBi, xPos."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yarn_core import relative_scores
from yarn_core.encodings import (
    alibi_bias,
    alibi_slopes,
    learned_absolute,
    rope_scores,
    sinusoidal,
    t5_bias,
    t5_bucket,
    xpos_scale,
    xpos_scores,
)

FAST = settings(max_examples=200, deadline=None)


# ---------------------------------------------------------------------------------------------
# Learned absolute


def test_learned_absolute_is_undefined_past_the_table():
    positions = np.arange(-3, 20)
    values, defined = learned_absolute(positions, trained_length=10, dim=4)
    np.testing.assert_array_equal(defined, (positions >= 0) & (positions < 10))
    assert values.shape == (23, 4)
    assert np.all(values[~defined] == 0)
    assert np.all(np.any(values[defined] != 0, axis=1))  # every trained row holds numbers
    # one fixed seeded table: the same row whatever else is looked up alongside
    again, _ = learned_absolute([7, 3], trained_length=10, dim=4)
    np.testing.assert_array_equal(again, values[[10, 6]])
    other_seed, _ = learned_absolute([7], trained_length=10, dim=4, seed=1)
    assert not np.array_equal(other_seed[0], again[0])


# ---------------------------------------------------------------------------------------------
# Sinusoidal


@FAST
@given(
    half=st.integers(1, 32),
    base=st.floats(10, 1e6),
    positions=st.lists(st.integers(0, 10**6), min_size=1, max_size=6),
)
def test_sinusoidal_matches_vaswani(half, base, positions):
    dim = 2 * half
    pe = sinusoidal(positions, dim=dim, base=base)
    assert pe.shape == (len(positions), dim)
    for row, m in enumerate(positions):
        for i in range(half):
            angle = m / base ** (2 * i / dim)
            assert pe[row, 2 * i] == pytest.approx(math.sin(angle), abs=1e-9)
            assert pe[row, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-9)


def test_sinusoidal_first_row_and_known_value():
    pe = sinusoidal([0, 1], dim=4, base=10000.0)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1], atol=0)
    np.testing.assert_allclose(pe[1], [math.sin(1), math.cos(1), math.sin(0.01), math.cos(0.01)], rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# T5 buckets


def test_t5_buckets_hand_values():
    # num_buckets 32, max_distance 128: 16 exact buckets, then 16 + floor(ln(n/16) / ln 8 * 16)
    assert list(t5_bucket(np.arange(16))) == list(range(16))
    assert t5_bucket([16])[0] == 16
    assert t5_bucket([32])[0] == 16 + 5  # ln 2 / ln 8 * 16 = 5.33
    assert t5_bucket([64])[0] == 16 + 10  # ln 4 / ln 8 * 16 = 10.67
    assert t5_bucket([127])[0] == 31
    assert t5_bucket([-5])[0] == 0  # future keys (negative distance) clamp to 0 in the causal version


@FAST
@given(
    num_buckets=st.integers(4, 64).map(lambda n: 2 * n),
    ratio=st.integers(2, 64),
    seed=st.integers(0, 2**32 - 1),
)
def test_t5_buckets_properties(num_buckets, ratio, seed):
    exact = num_buckets // 2
    max_distance = exact * ratio
    distances = np.arange(0, 4 * max_distance)
    buckets = t5_bucket(distances, num_buckets, max_distance)
    np.testing.assert_array_equal(buckets[:exact], np.arange(exact))  # exact below num_buckets / 2
    assert np.all(np.diff(buckets) >= 0)  # monotone
    assert np.all((buckets >= 0) & (buckets <= num_buckets - 1))
    assert np.all(buckets[distances >= max_distance] == num_buckets - 1)  # everything far in the last bucket
    far = np.random.default_rng(seed).integers(max_distance, 10**9, 20)
    assert np.all(t5_bucket(far, num_buckets, max_distance) == num_buckets - 1)
    # the bias is one learned value per bucket
    bias = t5_bias(distances, num_buckets, max_distance)
    for b in np.unique(buckets):
        assert np.all(bias[buckets == b] == bias[buckets == b][0])


def test_t5_buckets_match_transformers():
    pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    from transformers.models.t5.modeling_t5 import T5Attention

    distances = np.arange(0, 5000)
    for num_buckets, max_distance in ((32, 128), (64, 1000), (8, 20)):
        relative_position = -torch.from_numpy(distances)  # key - query
        expected = T5Attention._relative_position_bucket(
            relative_position, bidirectional=False, num_buckets=num_buckets, max_distance=max_distance
        ).numpy()
        np.testing.assert_array_equal(t5_bucket(distances, num_buckets, max_distance), expected)


# ---------------------------------------------------------------------------------------------
# ALiBi


def paper_slopes(n):
    """Press et al.'s reference code, re-typed."""

    def power_of_2(n):
        start = 2 ** (-(2 ** -(math.log2(n) - 3)))
        return [start * start**i for i in range(n)]

    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + paper_slopes(2 * closest)[0::2][: n - closest]


def test_alibi_slopes_eight_heads():
    np.testing.assert_allclose(alibi_slopes(8), [2.0**-k for k in range(1, 9)], rtol=1e-15)


def test_alibi_slopes_twelve_heads_follow_the_paper_rule():
    # 8 slopes of the 8-head set, then every other slope of the 16-head set (2^-0.5, 2^-1, ...)
    expected = [2.0**-k for k in range(1, 9)] + [2.0**-0.5, 2.0**-1.5, 2.0**-2.5, 2.0**-3.5]
    np.testing.assert_allclose(alibi_slopes(12), expected, rtol=1e-15)


@pytest.mark.parametrize("heads", [*range(1, 65), 96, 100, 128])
def test_alibi_slopes_match_reference_code(heads):
    slopes = alibi_slopes(heads)
    assert len(slopes) == heads and len(set(slopes.tolist())) == heads
    np.testing.assert_allclose(slopes, paper_slopes(heads), rtol=1e-13)


def test_alibi_bias_is_linear_in_distance():
    np.testing.assert_allclose(alibi_bias([0, 1, 10, 10**6], 0.25), [0, -0.25, -2.5, -250000.0], rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# xPos and RoPE with all-ones q, k


def test_xpos_scale_formula_and_range():
    zeta = xpos_scale(8, gamma=0.4)
    np.testing.assert_allclose(zeta, [(2 * i / 8 + 0.4) / 1.4 for i in range(4)], rtol=1e-15)
    assert np.all((zeta > 0) & (zeta < 1)) and np.all(np.diff(zeta) > 0)


@FAST
@given(
    half=st.integers(1, 32),
    gamma=st.floats(0.05, 2),
    scale_base=st.floats(16, 4096),
    deltas=st.lists(st.integers(0, 10**5), min_size=1, max_size=6),
)
def test_xpos_scores_match_formula(half, gamma, scale_base, deltas):
    dim = 2 * half
    got = xpos_scores(deltas, dim=dim, gamma=gamma, scale_base=scale_base)
    for j, delta in enumerate(deltas):
        expected = 0.0
        for i in range(half):
            zeta = (2 * i / dim + gamma) / (1 + gamma)
            expected += 2 * zeta ** (delta / scale_base) * math.cos(delta * 10000.0 ** (-2 * i / dim))
        assert got[j] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_xpos_decays_with_distance():
    deltas = np.arange(0, 20000, 7)
    scores = xpos_scores(deltas, dim=64)
    # each pair is damped by zeta_i^(Delta / B) < 1, decreasing in Delta: |score| is below the
    # envelope sum_i 2 zeta_i^(Delta/B), which falls strictly, while RoPE's envelope stays at d
    envelope = 2 * (xpos_scale(64)[None, :] ** (deltas[:, None] / 512.0)).sum(axis=1)
    assert np.all(np.diff(envelope) < 0)
    assert np.all(np.abs(scores) <= envelope + 1e-9)
    assert scores[0] == pytest.approx(64.0, rel=1e-15)  # Delta = 0: 2 * d/2
    assert np.max(np.abs(scores[deltas > 10000])) < 0.1 * np.max(
        np.abs(rope_scores(deltas[deltas > 10000], dim=64))
    )


def test_xpos_tends_to_rope_when_the_decay_vanishes():
    # zeta_i = (2i/d + gamma) / (1 + gamma) -> 1 as gamma -> infinity
    # (and zeta^(Delta/B) -> 1 as B -> infinity)
    deltas = np.arange(0, 5000, 13)
    rope = rope_scores(deltas, dim=64)
    np.testing.assert_allclose(xpos_scores(deltas, dim=64, gamma=1e9), rope, rtol=0, atol=1e-5)
    np.testing.assert_allclose(xpos_scores(deltas, dim=64, scale_base=1e15), rope, rtol=0, atol=1e-7)


def test_rope_scores_are_twice_the_cosine_sum():
    # all-ones q, k: q~_i = k~_i = 1 + i, so Re(q~ conj(k~) e^{i Delta theta}) = 2 cos(Delta theta)
    deltas = [0, 1, 100, 12345]
    expected = [sum(2 * math.cos(d * 10000.0 ** (-2 * i / 16)) for i in range(8)) for d in deltas]
    np.testing.assert_allclose(rope_scores(deltas, dim=16), expected, rtol=1e-12, atol=1e-12)
    from yarn_core import inverse_frequencies

    np.testing.assert_allclose(
        rope_scores(deltas, dim=16),
        relative_scores(np.ones(16), np.ones(16), deltas, inverse_frequencies(16)),
        atol=1e-10,
    )


def test_t5_bucket_rejects_a_max_distance_inside_the_exact_range():
    with pytest.raises(ValueError, match="max_distance"):
        t5_bucket(np.arange(10), num_buckets=32, max_distance=16)
