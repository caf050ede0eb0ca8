"""Every scaling method in the registry against the papers' equations and the hand-derived test
vectors of yarn-facts.md (head_dim 128, base 1e4, s = 4, L = 4096 unless stated)."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.support import paper_reference as ref
from yarn_core import (
    METHODS,
    RopeSetting,
    code_ramp,
    correction_dim,
    correction_range,
    get_mscale,
    paper_ramp,
    scale_rope,
    yarn_attention_factor,
)

FAST = settings(max_examples=200, deadline=None)
FACTS = RopeSetting(dim=128, base=10000.0, original_length=4096, factor=4.0)
PLAIN = np.array(ref.inv_freq(128, 10000.0))

# Slider ranges of the explorer
dims = st.integers(4, 256).map(lambda h: 2 * h)
bases = st.floats(100, 1e7)
factors = st.floats(1, 128)
lengths = st.integers(16, 1_048_576)


def test_registry_has_every_method():
    assert set(METHODS) == {
        "none",
        "linear",
        "ntk",
        "dynamic_ntk",
        "ntk_by_parts",
        "yarn",
        "dynamic_yarn",
        "llama3",
        "longrope",
    }
    assert {k for k, m in METHODS.items() if m.dynamic} >= {"dynamic_ntk", "dynamic_yarn"}
    for key, method in METHODS.items():
        assert method.key == key and method.label and method.summary


def test_unknown_method_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="'rope_xyz'"):
        scale_rope("rope_xyz", FACTS)


# ---------------------------------------------------------------------------------------------
# YaRN test vectors


def test_correction_dims_test_vector():
    assert correction_dim(32, 128, 10000.0, 4096) == pytest.approx(20.94448162063605, rel=1e-13)
    assert correction_dim(1, 128, 10000.0, 4096) == pytest.approx(45.02688127375455, rel=1e-13)
    # the defining property: the pair at correction_dim(n) makes exactly n turns inside L
    for n in (1.0, 32.0, 7.5):
        d = correction_dim(n, 128, 10000.0, 4096)
        assert 4096 / (2 * math.pi * 10000.0 ** (2 * d / 128)) == pytest.approx(n, rel=1e-12)


def test_correction_range_truncate_on_and_off():
    assert correction_range(FACTS) == (20, 46)
    low, high = correction_range(FACTS.with_(truncate=False))
    assert low == pytest.approx(20.94448162063605, rel=1e-13)
    assert high == pytest.approx(45.02688127375455, rel=1e-13)


def test_qwen_and_deepseek_correction_ranges():
    qwen = RopeSetting(dim=128, base=1e6, original_length=32768, factor=4.0)
    assert correction_dim(32, 128, 1e6, 32768) == pytest.approx(23.5959, abs=5e-5)
    assert correction_dim(1, 128, 1e6, 32768) == pytest.approx(39.6509, abs=5e-5)
    assert correction_range(qwen) == (23, 40)
    deepseek = RopeSetting(
        dim=64, base=1e4, original_length=4096, factor=40.0, mscale=1.0, mscale_all_dim=1.0
    )
    assert correction_range(deepseek) == (10, 23)
    # DeepSeek keeps cos/sin at magnitude 1 (mscale / mscale_all_dim = 1) and scales the softmax by
    # get_mscale(40)^2 instead: get_mscale(40) = 0.1 ln 40 + 1 = 1.3688879454
    assert scale_rope("yarn", deepseek).attention_factor == pytest.approx(1.0, abs=1e-15)
    assert get_mscale(40.0) == pytest.approx(1.3688879454, abs=1e-10)


@pytest.mark.parametrize(
    "scale, expected",
    [(4, 1.138629436111989), (2, 1.0693147), (8, 1.2079442), (16, 1.2772589), (32, 1.3465736)],
)
def test_yarn_attention_factor_test_vectors(scale, expected):
    result = scale_rope("yarn", FACTS.with_(factor=float(scale)))
    assert result.attention_factor == pytest.approx(expected, abs=5e-8)
    if scale == 4:
        assert result.attention_factor**2 == pytest.approx(1.2964769927807063, rel=1e-14)
        # the paper: sqrt(1/t) = 0.1 ln s + 1
        assert result.attention_factor == pytest.approx(0.1 * math.log(4) + 1, rel=1e-15)


def test_yarn_inv_freq_test_vector():
    result = scale_rope("yarn", FACTS)
    # first four pairs are kept as trained, the last four are plain / 4
    np.testing.assert_allclose(
        result.inv_freq[:4], [1.0, 0.8659643234, 0.7498942093, 0.6493816316], atol=5e-11
    )
    np.testing.assert_allclose(
        result.inv_freq[-4:],
        [4.4456985251e-05, 3.8498163151e-05, 3.3338035804e-05, 2.8869549617e-05],
        rtol=1e-10,
    )
    np.testing.assert_allclose(result.inv_freq[-4:], PLAIN[-4:] / 4, rtol=1e-14)
    # code ramp with range (20, 46): pairs 0..20 kept, 46..63 divided by s, linear in the index between
    gamma = np.array([1 - min(1, max(0, (i - 20) / 26)) for i in range(64)])
    np.testing.assert_allclose(result.inv_freq, PLAIN * gamma + PLAIN / 4 * (1 - gamma), rtol=1e-14)
    np.testing.assert_allclose(result.inv_freq[:21], PLAIN[:21], rtol=1e-15)
    np.testing.assert_allclose(result.inv_freq[46:], PLAIN[46:] / 4, rtol=1e-15)
    np.testing.assert_allclose(result.interpolated, 1 - gamma, atol=1e-15)
    assert result.correction_range == (20, 46)


def test_yarn_truncate_off_uses_fractional_range():
    result = scale_rope("yarn", FACTS.with_(truncate=False))
    low, high = 20.94448162063605, 45.02688127375455
    gamma = np.array([1 - min(1, max(0, (i - low) / (high - low))) for i in range(64)])
    np.testing.assert_allclose(result.ramp, gamma, atol=1e-12)
    np.testing.assert_allclose(result.inv_freq, PLAIN * gamma + PLAIN / 4 * (1 - gamma), rtol=1e-12)
    # pair 21 is kept with truncation, partly interpolated without it
    assert scale_rope("yarn", FACTS).ramp[21] < 1 and result.ramp[20] == 1 and result.ramp[21] < 1
    assert result.ramp[45] > 0 and scale_rope("yarn", FACTS).ramp[45] > result.ramp[45]


def test_ntk_aware_base_test_vector():
    result = scale_rope("ntk", FACTS)
    assert result.base == pytest.approx(40889.94243248622, rel=1e-13)
    np.testing.assert_allclose(result.inv_freq, ref.inv_freq(128, 40889.94243248622), rtol=1e-12)
    assert result.inv_freq[-1] == pytest.approx(PLAIN[-1] / 4, rel=1e-13)  # lowest frequency exactly / s
    assert result.inv_freq[0] == 1.0  # highest unchanged
    assert result.attention_factor == 1.0


@pytest.mark.parametrize(
    "seq_len, expected_base", [(4096, 10000.0), (6144, 20221.26), (8192, 30527.74), (1000, 10000.0)]
)
def test_dynamic_ntk_base_test_vectors(seq_len, expected_base):
    setting = RopeSetting(dim=128, base=1e4, original_length=4096, factor=2.0, seq_len=seq_len)
    result = scale_rope("dynamic_ntk", setting)
    assert result.base == pytest.approx(expected_base, abs=0.006)
    np.testing.assert_allclose(result.inv_freq, ref.inv_freq(128, result.base), rtol=1e-12)
    # effective scale s l / L - (s - 1) with l = max(seq_len, L)
    assert result.effective_factor == pytest.approx(2 * max(seq_len, 4096) / 4096 - 1, rel=1e-15)


def test_dynamic_ntk_without_seq_len_uses_target_length():
    setting = RopeSetting(dim=128, base=1e4, original_length=4096, factor=2.0)
    assert (
        scale_rope("dynamic_ntk", setting).base == scale_rope("dynamic_ntk", setting.with_(seq_len=8192)).base
    )


# ---------------------------------------------------------------------------------------------
# The other methods on the test-vector setting


def test_plain_rope_is_untouched():
    result = scale_rope("none", FACTS)
    np.testing.assert_allclose(result.inv_freq, PLAIN, rtol=1e-14)
    assert result.attention_factor == 1.0 and not result.interpolated.any()


def test_position_interpolation_divides_every_frequency():
    result = scale_rope("linear", FACTS)
    np.testing.assert_allclose(result.inv_freq, PLAIN / 4, rtol=1e-14)
    np.testing.assert_allclose(result.frequency_ratio, 0.25, rtol=1e-14)
    assert result.attention_factor == 1.0
    assert np.all(result.interpolated == 1.0)  # PI interpolates every pair fully
    assert np.all(scale_rope("linear", FACTS.with_(factor=1.0)).interpolated == 0.0)


def test_ntk_by_parts_is_yarn_without_temperature():
    parts, yarn = scale_rope("ntk_by_parts", FACTS), scale_rope("yarn", FACTS)
    np.testing.assert_array_equal(parts.inv_freq, yarn.inv_freq)
    assert parts.attention_factor == 1.0
    cold = scale_rope("yarn", FACTS.with_(temperature=False))
    np.testing.assert_array_equal(cold.inv_freq, yarn.inv_freq)
    assert cold.attention_factor == 1.0


@pytest.mark.parametrize(
    "options, expected",
    [
        ({"attention_factor": 0.7}, 0.7),
        ({"attention_factor": 0.7, "mscale": 1.0, "mscale_all_dim": 0.5}, 0.7),  # explicit wins
        ({"mscale": 0.707, "mscale_all_dim": 1.0}, (0.1 * 0.707 * math.log(4) + 1) / (0.1 * math.log(4) + 1)),
        ({"mscale": 1.0, "mscale_all_dim": 1.0}, 1.0),
        ({"mscale": 1.0}, 0.1 * math.log(4) + 1),  # needs both
        ({"mscale": 1.0, "mscale_all_dim": 0.0}, 0.1 * math.log(4) + 1),  # zero counts as unset
        ({"mscale": 0.0, "mscale_all_dim": 1.0}, 0.1 * math.log(4) + 1),
    ],
)
def test_yarn_attention_factor_options(options, expected):
    setting = FACTS.with_(**options)
    assert scale_rope("yarn", setting).attention_factor == pytest.approx(expected, rel=1e-14)
    assert yarn_attention_factor(setting, 4.0) == pytest.approx(expected, rel=1e-14)
    assert scale_rope("yarn", setting.with_(temperature=False)).attention_factor == 1.0


def test_get_mscale():
    assert get_mscale(1.0) == 1.0 and get_mscale(0.5) == 1.0
    assert get_mscale(8.0) == pytest.approx(1.2079441541679836, rel=1e-14)  # paper: s = 8 -> 1.208
    assert get_mscale(8.0, 0.5) == pytest.approx(0.05 * math.log(8) + 1, rel=1e-15)


@pytest.mark.parametrize(
    "seq_len, expected_scale", [(1000, 1.0), (4096, 1.0), (10000, 10000 / 4096), (16384, 4.0)]
)
def test_dynamic_yarn_scale_follows_current_length(seq_len, expected_scale):
    setting = FACTS.with_(factor=8.0, seq_len=seq_len)  # the configured factor does not matter
    result = scale_rope("dynamic_yarn", setting)
    assert result.effective_factor == pytest.approx(expected_scale, rel=1e-15)
    gamma = ref.code_gamma(128, 1e4, 4096)
    np.testing.assert_allclose(result.inv_freq, ref.blend(128, 1e4, expected_scale, gamma), rtol=1e-13)
    assert result.attention_factor == pytest.approx(ref.mscale(expected_scale), rel=1e-14)
    if expected_scale == 4.0:
        yarn = scale_rope("yarn", FACTS)
        np.testing.assert_allclose(result.inv_freq, yarn.inv_freq, rtol=1e-15)
        assert result.attention_factor == yarn.attention_factor


def test_llama3_bands():
    # Llama 3.1: head 128, base 5e5, s = 8, low 1, high 4, L = 8192
    setting = RopeSetting(
        dim=128, base=500000.0, original_length=8192, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0
    )
    result = scale_rope("llama3", setting)
    plain = np.array(ref.inv_freq(128, 500000.0))
    lam = 2 * np.pi / plain
    high_band, low_band = lam < 8192 / 4, lam > 8192 / 1
    middle = ~high_band & ~low_band
    assert high_band.sum() > 0 and low_band.sum() > 0 and middle.sum() > 0
    np.testing.assert_allclose(result.inv_freq[high_band], plain[high_band], rtol=1e-15)
    np.testing.assert_allclose(result.inv_freq[low_band], plain[low_band] / 8, rtol=1e-15)
    smooth = (8192 / lam[middle] - 1) / (4 - 1)
    assert np.all((smooth > 0) & (smooth < 1))
    np.testing.assert_allclose(
        result.inv_freq[middle], (1 - smooth) * plain[middle] / 8 + smooth * plain[middle], rtol=1e-14
    )
    np.testing.assert_allclose(result.interpolated[high_band], 0.0)
    np.testing.assert_allclose(result.interpolated[low_band], 1.0)
    np.testing.assert_allclose(result.interpolated[middle], 1 - smooth, rtol=1e-12)
    assert result.attention_factor == 1.0
    np.testing.assert_allclose(result.inv_freq, ref.llama3(128, 500000.0, 8.0, 1.0, 4.0, 8192), rtol=1e-14)


def test_llama3_has_no_jump_at_the_band_edges():
    # Move a band edge across pair 1's wavelength: the frequency must change continuously.
    lam1 = 2 * math.pi * 10000.0 ** (2 / 8)
    edge = 4096 / lam1  # the low_freq_factor (or high_freq_factor) putting L / factor on lambda_1

    def pair1(low, high):
        setting = RopeSetting(
            dim=8, base=10000.0, original_length=4096, factor=4.0, low_freq_factor=low, high_freq_factor=high
        )
        return scale_rope("llama3", setting).inv_freq[1]

    theta1 = 10000.0 ** (-2 / 8)
    below, above = pair1(edge * (1 - 1e-9), 1000.0), pair1(edge * (1 + 1e-9), 1000.0)
    assert below == pytest.approx(theta1 / 4, rel=1e-7) and above == pytest.approx(theta1 / 4, rel=1e-7)
    below, above = pair1(0.01, edge * (1 - 1e-9)), pair1(0.01, edge * (1 + 1e-9))
    assert below == pytest.approx(theta1, rel=1e-7) and above == pytest.approx(theta1, rel=1e-7)


def test_longrope_switches_lists_at_the_original_length():
    short = tuple(1.0 + 0.01 * i for i in range(64))
    long = tuple(1.0 + 0.5 * i for i in range(64))
    setting = RopeSetting(
        dim=128, base=1e4, original_length=4096, factor=32.0, short_factor=short, long_factor=long
    )
    at_l = scale_rope("longrope", setting.with_(seq_len=4096))
    past_l = scale_rope("longrope", setting.with_(seq_len=4097))
    np.testing.assert_allclose(at_l.inv_freq, ref.longrope(128, 1e4, short), rtol=1e-14)
    np.testing.assert_allclose(past_l.inv_freq, ref.longrope(128, 1e4, long), rtol=1e-14)
    # no seq_len: the target length 32 * 4096 > L, so the long list
    np.testing.assert_array_equal(scale_rope("longrope", setting).inv_freq, past_l.inv_freq)
    # attention factor sqrt(1 + ln s / ln L): ln 32 / ln 4096 = 5/12 exactly
    for result in (at_l, past_l):
        assert result.attention_factor == pytest.approx(math.sqrt(17 / 12), rel=1e-14)
    assert scale_rope("longrope", setting.with_(attention_factor=1.25)).attention_factor == 1.25
    assert scale_rope("longrope", setting.with_(factor=1.0)).attention_factor == 1.0
    assert scale_rope("longrope", setting.with_(factor=0.5)).attention_factor == 1.0


def test_longrope_needs_both_lists():
    with pytest.raises(ValueError, match="short_factor"):
        scale_rope("longrope", FACTS.with_(long_factor=(1.0,) * 64))


@pytest.mark.parametrize(
    "changes",
    [
        {"dim": 7},
        {"dim": 0},
        {"base": 1.0},
        {"base": float("nan")},
        {"original_length": 0},
        {"factor": 0.0},
        {"factor": float("inf")},
        {"seq_len": 0},
        {"beta_fast": 1.0, "beta_slow": 1.0},
        {"beta_slow": 0.0},
        {"ramp": "spline"},
        {"low_freq_factor": 4.0, "high_freq_factor": 4.0},
        {"attention_factor": -1.0},
        {"mscale": float("nan")},
        {"short_factor": (1.0,) * 3},
        {"long_factor": (1.0,) * 63 + (0.0,)},
    ],
)
def test_rope_setting_rejects_bad_values(changes):
    with pytest.raises(ValueError):
        FACTS.with_(**changes)


# ---------------------------------------------------------------------------------------------
# Paper ramp versus code ramp


def test_paper_ramp_is_linear_in_turns_and_differs_from_code_ramp():
    paper = paper_ramp(FACTS)
    np.testing.assert_allclose(paper, ref.paper_gamma(128, 1e4, 4096), atol=1e-15)
    code = code_ramp(FACTS)
    np.testing.assert_allclose(code, ref.code_gamma(128, 1e4, 4096), atol=1e-15)
    # pair 30 turns r = 4096 / (2 pi 1e4^(60/128)) ~ 8.69 times: paper gamma = (r - 1)/31 ~ 0.248,
    # code gamma = 1 - (30 - 20)/26 ~ 0.615
    r30 = 4096 / (2 * math.pi * 1e4 ** (60 / 128))
    assert paper[30] == pytest.approx((r30 - 1) / 31, rel=1e-13) and paper[30] == pytest.approx(
        0.248, abs=1e-3
    )
    assert code[30] == pytest.approx(1 - 10 / 26, rel=1e-14)
    assert np.max(np.abs(paper - code)) > 0.3
    # same end points: both keep pairs 0..20 and interpolate 46.. fully
    assert np.all(paper[:21] == 1) and np.all(code[:21] == 1)
    assert np.all(paper[46:] == 0) and np.all(code[46:] == 0)
    yarn_paper = scale_rope("yarn", FACTS.with_(ramp="paper"))
    np.testing.assert_allclose(
        yarn_paper.inv_freq, ref.blend(128, 1e4, 4, ref.paper_gamma(128, 1e4, 4096)), rtol=1e-14
    )
    np.testing.assert_allclose(yarn_paper.interpolated, 1 - paper, atol=1e-15)


@FAST
@given(
    dim=dims,
    base=bases,
    factor=st.floats(1.01, 128),
    length=lengths,
    betas=st.tuples(st.floats(0.25, 8), st.floats(1.5, 64)),
)
def test_paper_ramp_fully_interpolates_exactly_the_long_wavelengths(dim, base, factor, length, betas):
    alpha, beta = betas
    assume(alpha < beta)
    setting = RopeSetting(
        dim=dim,
        base=base,
        original_length=length,
        factor=factor,
        ramp="paper",
        beta_slow=alpha,
        beta_fast=beta,
    )
    result = scale_rope("ntk_by_parts", setting)
    lam = np.array([ref.wavelength(t) for t in ref.inv_freq(dim, base)])
    # skip pairs within rounding of the boundaries, where lambda > L/alpha and r < alpha may disagree
    clear = (np.abs(lam * alpha / length - 1) > 1e-9) & (np.abs(lam * beta / length - 1) > 1e-9)
    fully = result.interpolated == 1.0
    kept = result.interpolated == 0.0
    np.testing.assert_array_equal(fully[clear], (lam > length / alpha)[clear])
    np.testing.assert_array_equal(kept[clear], (lam < length / beta)[clear])
    np.testing.assert_allclose(
        result.interpolated, 1 - np.array(ref.paper_gamma(dim, base, length, alpha, beta)), atol=1e-12
    )


# ---------------------------------------------------------------------------------------------
# Every method against the reference over the slider ranges


@FAST
@given(
    dim=dims,
    base=bases,
    factor=factors,
    length=lengths,
    truncate=st.booleans(),
    ramp=st.sampled_from(["code", "paper"]),
    seq_len=st.none() | st.integers(1, 2**24),
    temperature=st.booleans(),
    betas=st.sampled_from([(32.0, 1.0), (16.0, 2.0), (64.0, 0.5)]),
)
def test_blend_methods_match_the_paper(
    dim, base, factor, length, truncate, ramp, seq_len, temperature, betas
):
    beta_fast, beta_slow = betas
    setting = RopeSetting(
        dim=dim,
        base=base,
        original_length=length,
        factor=factor,
        truncate=truncate,
        ramp=ramp,
        seq_len=seq_len,
        temperature=temperature,
        beta_fast=beta_fast,
        beta_slow=beta_slow,
    )
    if ramp == "code":
        gamma = ref.code_gamma(dim, base, length, beta_fast, beta_slow, truncate)
    else:
        gamma = ref.paper_gamma(dim, base, length, beta_slow, beta_fast)
    parts = scale_rope("ntk_by_parts", setting)
    np.testing.assert_allclose(parts.inv_freq, ref.blend(dim, base, factor, gamma), rtol=1e-12)
    np.testing.assert_allclose(parts.ramp, gamma, atol=1e-12)
    yarn = scale_rope("yarn", setting)
    np.testing.assert_allclose(yarn.inv_freq, parts.inv_freq, rtol=1e-15)
    assert yarn.attention_factor == pytest.approx(ref.mscale(factor) if temperature else 1.0, rel=1e-14)
    dyn = scale_rope("dynamic_yarn", setting)
    current = factor * length if seq_len is None else seq_len
    s = max(1.0, current / length)
    np.testing.assert_allclose(dyn.inv_freq, ref.blend(dim, base, s, gamma), rtol=1e-12)
    assert dyn.attention_factor == pytest.approx(ref.mscale(s) if temperature else 1.0, rel=1e-14)


@FAST
@given(dim=dims, base=bases, factor=factors, length=lengths, seq_len=st.none() | st.integers(1, 2**24))
def test_pi_ntk_and_dynamic_ntk_match_the_paper(dim, base, factor, length, seq_len):
    setting = RopeSetting(dim=dim, base=base, original_length=length, factor=factor, seq_len=seq_len)
    plain = np.array(ref.inv_freq(dim, base))
    np.testing.assert_allclose(scale_rope("none", setting).inv_freq, plain, rtol=1e-12)
    np.testing.assert_allclose(scale_rope("linear", setting).inv_freq, plain / factor, rtol=1e-12)
    ntk = scale_rope("ntk", setting)
    assert ntk.base == pytest.approx(ref.ntk_base(base, dim, factor), rel=1e-12)
    np.testing.assert_allclose(ntk.inv_freq, ref.inv_freq(dim, ref.ntk_base(base, dim, factor)), rtol=1e-11)
    current = factor * length if seq_len is None else seq_len
    dyn = scale_rope("dynamic_ntk", setting)
    expected_base = ref.dynamic_ntk_base(base, dim, factor, current, length)
    assert dyn.base == pytest.approx(expected_base, rel=1e-12)
    np.testing.assert_allclose(dyn.inv_freq, ref.inv_freq(dim, expected_base), rtol=1e-11)


@FAST
@given(
    dim=dims, base=bases, factor=factors, length=lengths, low=st.floats(0.25, 4), ratio=st.floats(1.05, 16)
)
def test_llama3_matches_the_reference(dim, base, factor, length, low, ratio):
    high = low * ratio
    setting = RopeSetting(
        dim=dim, base=base, original_length=length, factor=factor, low_freq_factor=low, high_freq_factor=high
    )
    result = scale_rope("llama3", setting)
    np.testing.assert_allclose(result.inv_freq, ref.llama3(dim, base, factor, low, high, length), rtol=1e-12)
    assert result.attention_factor == 1.0


@FAST
@given(
    half=st.integers(4, 256),
    base=bases,
    factor=st.floats(0.5, 128),
    length=st.integers(2, 1_048_576),
    seq_len=st.none() | st.integers(1, 2**24),
    seeds=st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1)),
)
def test_longrope_matches_the_reference(half, base, factor, length, seq_len, seeds):
    # seeded lists: drawing up to 2 x 256 floats per example is slow
    short, long = (tuple(np.random.default_rng(seed).uniform(0.5, 64, half).tolist()) for seed in seeds)
    setting = RopeSetting(
        dim=2 * half,
        base=base,
        original_length=length,
        factor=factor,
        seq_len=seq_len,
        short_factor=short,
        long_factor=long,
    )
    result = scale_rope("longrope", setting)
    current = factor * length if seq_len is None else seq_len
    expected = ref.longrope(2 * half, base, long if current > length else short)
    np.testing.assert_allclose(result.inv_freq, expected, rtol=1e-12)
    assert result.attention_factor == pytest.approx(ref.longrope_attention(factor, length), rel=1e-14)


def test_code_ramp_follows_the_reference_even_where_it_inverts():
    """Documented quirk of the reference code (transformers does the same, see
    test_core_hf_config SPECIAL["inverted-code-ramp"]): the range is clamped to [0, |D| - 1] per
    end, so with truncate off low = 7.43 > high = 7 for (8, 100, L = 2^20) and the code ramp
    interpolates every pair, although every pair turns > 5000 times inside L."""
    setting = RopeSetting(dim=8, base=100.0, original_length=2**20, factor=4.0, truncate=False)
    assert min(ref.turns(2**20, t) for t in ref.inv_freq(8, 100.0)) > 5000
    np.testing.assert_allclose(
        code_ramp(setting), ref.code_gamma(8, 100.0, 2**20, truncate=False), atol=1e-15
    )
    assert np.all(code_ramp(setting) == 0) and np.all(paper_ramp(setting) == 1)
    assert np.all(code_ramp(setting.with_(truncate=True)) == 1)  # floor/ceil gives low == high = 7


# ----------------------------------------------------------------------------------------------
# Domain ideas defined once: regimes, logit multiplier, method flags


def test_regimes_follow_the_papers_r_thresholds_under_the_paper_ramp():
    """YaRN eq. 18: with the paper's ramp a pair is kept iff r = L / lambda >= beta and fully
    interpolated iff r <= alpha (r computed here from the wavelengths, independently)."""
    setting = RopeSetting(dim=128, base=10000.0, original_length=4096, factor=8.0, ramp="paper")
    rope = scale_rope("ntk_by_parts", setting)
    r = 4096 / (2 * np.pi / (10000.0 ** (-np.arange(64) * 2 / 128)))
    expected = np.where(r >= 32, "kept", np.where(r <= 1, "interpolated", "blended"))
    assert list(rope.regimes()) == list(expected)
    counts = rope.regime_counts()
    assert list(counts) == ["kept", "blended", "interpolated"]
    assert sum(counts.values()) == 64 and counts == {k: int((expected == k).sum()) for k in counts}


def test_pi_interpolates_every_pair_and_plain_rope_keeps_every_pair():
    setting = RopeSetting(dim=64, original_length=2048, factor=4.0)
    assert scale_rope("linear", setting).regime_counts() == {"kept": 0, "blended": 0, "interpolated": 32}
    assert scale_rope("none", setting).regime_counts() == {"kept": 32, "blended": 0, "interpolated": 0}


@pytest.mark.parametrize("scale", [1.0, 2.0, 16.0, 40.0])
def test_logit_multiplier_is_the_square_of_the_temperature_factor(scale):
    """1/t = (0.1 ln s + 1)^2 (YaRN eq. 22-23), and DeepSeek-style mscale = mscale_all_dim = 0.707
    gives cos/sin factor 1 but logits x (0.0707 ln s + 1)^2 through the softmax scale."""
    plain = scale_rope("yarn", RopeSetting(original_length=4096, factor=scale))
    assert plain.logit_multiplier == pytest.approx((0.1 * math.log(scale) + 1) ** 2, rel=1e-15)
    deepseek = scale_rope(
        "yarn", RopeSetting(original_length=4096, factor=scale, mscale=0.707, mscale_all_dim=0.707)
    )
    assert deepseek.attention_factor == pytest.approx(1.0)
    assert deepseek.logit_multiplier == pytest.approx((0.0707 * math.log(scale) + 1) ** 2, rel=1e-12)
    off = scale_rope(
        "yarn", RopeSetting(original_length=4096, factor=scale, temperature=False, mscale_all_dim=1.0)
    )
    assert off.logit_multiplier == 1.0


@pytest.mark.parametrize("key", sorted(METHODS))
def test_method_flags_say_which_settings_a_method_reads(key):
    """``ramp``: the result depends on beta_fast; ``temperature``: the attention factor is 0.1 ln s + 1."""
    setting = RopeSetting(dim=128, original_length=4096, factor=8.0, seq_len=8 * 4096)
    if key == "longrope":
        setting = setting.with_(short_factor=(1.0,) * 64, long_factor=tuple(np.linspace(1, 8, 64)))
    wide, narrow = scale_rope(key, setting), scale_rope(key, setting.with_(beta_fast=8.0))
    assert METHODS[key].ramp == (not np.array_equal(wide.inv_freq, narrow.inv_freq))
    assert METHODS[key].temperature == (wide.attention_factor == pytest.approx(0.1 * math.log(8) + 1))
