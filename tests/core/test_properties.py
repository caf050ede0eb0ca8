"""Properties every method must have over the explorer's whole slider ranges:
head_dim 8-512 (even), base 100-1e7, s 1-128, L 16-1,048,576."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import paper_reference as ref
from yarn_core import METHODS, RopeSetting, code_ramp, paper_ramp, scale_rope

FAST = settings(max_examples=200, deadline=None)

dims = st.integers(4, 256).map(lambda h: 2 * h)
bases = st.floats(100, 1e7)
factors = st.floats(1, 128)
lengths = st.integers(16, 1_048_576)
NOT_LONGROPE = [m for m in METHODS if m != "longrope"]
DYNAMIC = ["dynamic_ntk", "dynamic_yarn"]


@st.composite
def settings_(draw, factor=factors, seq_len=st.none() | st.integers(1, 2**24)):
    """A RopeSetting anywhere in the slider ranges, with every option drawn too."""
    dim = draw(dims)
    half = dim // 2
    beta_slow = draw(st.floats(0.25, 4))
    low = draw(st.floats(0.25, 4))
    return RopeSetting(
        dim=dim,
        base=draw(bases),
        original_length=draw(lengths),
        factor=draw(factor),
        seq_len=draw(seq_len),
        beta_slow=beta_slow,
        beta_fast=beta_slow * draw(st.floats(1.5, 128)),
        ramp=draw(st.sampled_from(["code", "paper"])),
        truncate=draw(st.booleans()),
        temperature=draw(st.booleans()),
        attention_factor=draw(st.none() | st.floats(0.1, 4)),
        mscale=draw(st.none() | st.floats(0, 2)),
        mscale_all_dim=draw(st.none() | st.floats(0, 2)),
        low_freq_factor=low,
        high_freq_factor=low * draw(st.floats(1.05, 16)),
        short_factor=_positive_list(draw(st.integers(0, 2**32 - 1)), half),
        long_factor=_positive_list(draw(st.integers(0, 2**32 - 1)), half),
    )


def _positive_list(seed: int, size: int) -> tuple[float, ...]:
    # seeded rather than drawn element by element: 256-entry float lists are slow to generate
    return tuple(np.exp(np.random.default_rng(seed).uniform(np.log(0.25), np.log(64), size)).tolist())


@FAST
@given(setting=settings_(factor=st.just(1.0)), method=st.sampled_from(list(METHODS)), data=st.data())
def test_every_method_reduces_to_plain_rope_at_scale_one(setting, method, data):
    if method in DYNAMIC:  # dynamic methods: the current length within the trained window
        setting = setting.with_(seq_len=data.draw(st.integers(1, setting.original_length)))
    if method == "longrope":  # LongRoPE: lists of ones
        ones = (1.0,) * (setting.dim // 2)
        setting = setting.with_(short_factor=ones, long_factor=ones, attention_factor=None)
    if method in ("yarn", "dynamic_yarn"):
        setting = setting.with_(attention_factor=None)  # an explicit factor is used as given
    result = scale_rope(method, setting)
    np.testing.assert_allclose(result.inv_freq, ref.inv_freq(setting.dim, setting.base), rtol=1e-12)
    assert result.attention_factor == 1.0
    assert not result.interpolated.any()


@FAST
@given(setting=settings_(), method=st.sampled_from(DYNAMIC), data=st.data())
def test_dynamic_methods_are_plain_within_the_trained_window_for_any_factor(setting, method, data):
    setting = setting.with_(seq_len=data.draw(st.integers(1, setting.original_length)), attention_factor=None)
    result = scale_rope(method, setting)
    np.testing.assert_allclose(result.inv_freq, ref.inv_freq(setting.dim, setting.base), rtol=1e-12)
    assert result.attention_factor == 1.0
    assert abs(result.effective_factor - 1.0) < 1e-12  # s l / L - (s - 1) at l = L, up to rounding


@FAST
@given(setting=settings_())
def test_ramps_stay_in_unit_interval(setting):
    for gamma in (code_ramp(setting), paper_ramp(setting)):
        assert gamma.shape == (setting.dim // 2,)
        assert np.all((gamma >= 0) & (gamma <= 1))


@FAST
@given(setting=settings_(factor=st.floats(0.5, 128)), method=st.sampled_from(list(METHODS)))
def test_outputs_are_finite_and_positive(setting, method):
    result = scale_rope(method, setting)
    assert result.inv_freq.shape == (setting.dim // 2,)
    assert np.all(np.isfinite(result.inv_freq)) and np.all(result.inv_freq > 0)
    assert np.isfinite(result.attention_factor) and result.attention_factor > 0
    assert np.all((result.interpolated >= 0) & (result.interpolated <= 1))
    assert np.all(np.isfinite(result.wavelengths)) and np.all(result.wavelengths > 0)


@FAST
@given(dim=dims, base=bases, factor=factors, length=lengths)
def test_pi_and_ntk_aware_share_the_lowest_frequency(dim, base, factor, length):
    setting = RopeSetting(dim=dim, base=base, original_length=length, factor=factor)
    theta_min = ref.inv_freq(dim, base)[-1]
    pi, ntk = scale_rope("linear", setting), scale_rope("ntk", setting)
    assert abs(pi.inv_freq[-1] / (theta_min / factor) - 1) < 1e-12
    assert abs(ntk.inv_freq[-1] / (theta_min / factor) - 1) < 1e-12
    assert ntk.inv_freq[0] == 1.0  # the highest frequency is untouched by NTK-aware


@FAST
@given(setting=settings_(), method=st.sampled_from(NOT_LONGROPE))
def test_scaling_never_raises_a_frequency(setting, method):
    result = scale_rope(method, setting)
    base_inv = np.array(ref.inv_freq(setting.dim, setting.base))
    s = result.effective_factor
    assert s >= 1
    # theta / s <= theta' <= theta
    assert np.all(result.inv_freq <= base_inv * (1 + 1e-12))
    assert np.all(result.inv_freq >= base_inv / s * (1 - 1e-12))


@FAST
@given(setting=settings_(), method=st.sampled_from(NOT_LONGROPE))
def test_interpolated_fraction_reconstructs_the_frequencies(setting, method):
    """f is defined by theta' = theta ((1 - f) + f / s): 0 kept, 1 fully divided by s."""
    result = scale_rope(method, setting)
    base_inv = np.array(ref.inv_freq(setting.dim, setting.base))
    s = result.effective_factor
    f = result.interpolated
    np.testing.assert_allclose(result.inv_freq, base_inv * ((1 - f) + f / s), rtol=1e-9)
    if method == "linear" and s > 1:
        assert np.all(f == 1.0)
    if method in ("ntk_by_parts", "yarn", "dynamic_yarn") and s > 1:
        np.testing.assert_allclose(f, 1 - result.ramp, atol=1e-15)
    if method == "ntk" and s > 1:
        assert abs(f[-1] - 1) < 1e-9  # the lowest pair is fully interpolated
        assert f[0] == 0.0


@FAST
@given(setting=settings_())
def test_longrope_with_ones_keeps_frequencies_whatever_the_factor(setting):
    ones = (1.0,) * (setting.dim // 2)
    result = scale_rope("longrope", setting.with_(short_factor=ones, long_factor=ones))
    np.testing.assert_allclose(result.inv_freq, ref.inv_freq(setting.dim, setting.base), rtol=1e-12)
    assert not result.interpolated.any()
