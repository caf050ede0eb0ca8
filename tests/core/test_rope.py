"""RoPE itself: frequencies, wavelengths, angles, the half-split rotation and the
relative-position property (Su et al. 2021; YaRN paper section 2)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import paper_reference as ref
from yarn_core import (
    apply_rotary,
    inverse_frequencies,
    relative_scores,
    rotation_angles,
    rotations_within,
    wavelengths,
)

FAST = settings(max_examples=200, deadline=None)


def test_inverse_frequencies_match_theta_i_equals_base_to_minus_2i_over_d():
    inv = inverse_frequencies(128, 10000.0)
    assert inv.shape == (64,) and inv.dtype == np.float64
    np.testing.assert_allclose(inv, ref.inv_freq(128, 10000.0), rtol=1e-14)
    # yarn-facts.md test vector: first four pairs.
    np.testing.assert_allclose(inv[:4], [1.0, 0.8659643234, 0.7498942093, 0.6493816316], rtol=0, atol=5e-11)


@FAST
@given(half=st.integers(1, 256), base=st.floats(1.5, 1e12))
def test_inverse_frequencies_any_dim_and_base(half, base):
    inv = inverse_frequencies(2 * half, base)
    np.testing.assert_allclose(inv, ref.inv_freq(2 * half, base), rtol=1e-12)
    assert inv[0] == 1.0  # pair 0 always turns once per 2 pi tokens
    assert np.all(np.diff(inv) < 0)  # strictly slower pair after pair


@FAST
@given(half=st.integers(1, 256), base=st.floats(1.5, 1e9), length=st.floats(1, 1e7))
def test_wavelengths_and_rotations(half, base, length):
    inv = inverse_frequencies(2 * half, base)
    lam = wavelengths(inv)
    np.testing.assert_allclose(lam, [2 * math.pi / t for t in ref.inv_freq(2 * half, base)], rtol=1e-12)
    assert lam[0] == pytest.approx(
        2 * math.pi, rel=1e-15
    )  # the shortest wavelength is 2 pi, whatever the base
    np.testing.assert_allclose(rotations_within(length, inv), [ref.turns(length, t) for t in inv], rtol=1e-12)


def test_rotation_angles_are_m_times_theta():
    inv = inverse_frequencies(8, 100.0)
    positions = [0, 1, 7, 4096.5]
    angles = rotation_angles(positions, inv)
    assert angles.shape == (4, 4)
    for row, m in enumerate(positions):
        for i, theta in enumerate(ref.inv_freq(8, 100.0)):
            assert angles[row, i] == pytest.approx(m * theta, rel=1e-14, abs=0)


@pytest.mark.parametrize(
    "dim, base", [(0, 1e4), (-2, 1e4), (7, 1e4), (8, 1.0), (8, 0.5), (8, float("nan")), (8, float("inf"))]
)
def test_inverse_frequencies_reject_bad_input(dim, base):
    with pytest.raises(ValueError):
        inverse_frequencies(dim, base)


def explicit_rotation(x, m, inv, a=1.0):
    """Rotate pair (x[i], x[i + d/2]) by the 2x2 matrix [[c, -s], [s, c]], c/s of m theta_i,
    then scale by a; built element by element, no NumPy broadcasting."""
    half = len(inv)
    out = [0.0] * (2 * half)
    for i, theta in enumerate(inv):
        c, s = math.cos(m * theta), math.sin(m * theta)
        u, v = x[i], x[i + half]
        out[i] = a * (c * u - s * v)
        out[i + half] = a * (s * u + c * v)
    return out


@FAST
@given(
    half=st.integers(1, 48),
    base=st.floats(2, 1e7),
    positions=st.lists(st.integers(0, 200_000), min_size=1, max_size=4),
    a=st.floats(0.1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_apply_rotary_is_half_split_pair_rotation(half, base, positions, a, seed):
    rng = np.random.default_rng(seed)
    inv = inverse_frequencies(2 * half, base)
    x = rng.standard_normal((2, len(positions), 2 * half))  # batch of 2, T positions
    out = apply_rotary(x, positions, inv, attention_factor=a)
    assert out.shape == x.shape
    for b in range(2):
        for t, m in enumerate(positions):
            np.testing.assert_allclose(
                out[b, t], explicit_rotation(x[b, t], m, list(inv), a), rtol=1e-9, atol=1e-9
            )
    # a rotation keeps the norm; the attention factor scales it
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), a * np.linalg.norm(x, axis=-1), rtol=1e-12)


def test_apply_rotary_at_position_zero_is_identity_and_pairs_are_halves():
    inv = inverse_frequencies(8, 10000.0)
    x = np.arange(1.0, 9.0)[None, :]
    np.testing.assert_array_equal(apply_rotary(x, [0], inv), x)
    # Rotating by a quarter turn in pair 0 (m theta_0 = pi/2) sends (x0, x4) -> (-x4, x0).
    out = apply_rotary(x, [math.pi / 2], inv)
    assert out[0, 0] == pytest.approx(-5.0) and out[0, 4] == pytest.approx(1.0)


def test_apply_rotary_rejects_wrong_width():
    with pytest.raises(ValueError):
        apply_rotary(np.zeros((2, 6)), [0, 1], inverse_frequencies(8))


@FAST
@given(
    half=st.integers(1, 64),
    base=st.floats(10, 1e7),
    delta=st.integers(-5000, 5000),
    starts=st.lists(st.integers(0, 100_000), min_size=2, max_size=5),
    seed=st.integers(0, 2**32 - 1),
)
def test_query_key_dot_depends_only_on_distance(half, base, delta, starts, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal(2 * half), rng.standard_normal(2 * half)
    inv = inverse_frequencies(2 * half, base)
    dots = []
    for start in starts:
        n = start + max(0, -delta)  # keep both positions >= 0
        m = n + delta
        qm = apply_rotary(q[None, :], [m], inv)[0]
        kn = apply_rotary(k[None, :], [n], inv)[0]
        dots.append(qm @ kn)
    scale = np.linalg.norm(q) * np.linalg.norm(k)
    # angles up to ~1e5 rad: float64 cos/sin lose ~1e5 * 1e-16 absolute, far below 1e-8
    np.testing.assert_allclose(dots, dots[0], rtol=0, atol=1e-8 * scale)


@FAST
@given(
    half=st.integers(1, 64),
    base=st.floats(10, 1e7),
    n=st.integers(0, 50_000),
    deltas=st.lists(st.integers(0, 50_000), min_size=1, max_size=6),
    a=st.floats(0.01, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_relative_scores_equal_dot_of_rotated_vectors(half, base, n, deltas, a, seed):
    rng = np.random.default_rng(seed)
    q, k = rng.standard_normal(2 * half), rng.standard_normal(2 * half)
    inv = inverse_frequencies(2 * half, base)
    expected = [
        apply_rotary(q[None, :], [n + d], inv, a)[0] @ apply_rotary(k[None, :], [n], inv, a)[0]
        for d in deltas
    ]
    got = relative_scores(q, k, deltas, inv, attention_factor=a)
    scale = a * a * np.linalg.norm(q) * np.linalg.norm(k)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-8 * scale)
    # the attention factor multiplies cos and sin, so the logits scale by its square
    np.testing.assert_allclose(got, a * a * relative_scores(q, k, deltas, inv), rtol=1e-12, atol=1e-300)
