"""AppTest checks for lessons 5-8 (NTK-aware, NTK-by-parts, YaRN's temperature, dynamic scaling):
clean at defaults and at the extremes, finite charts, clamped URL values, and charts that show
what the text claims, checked against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, chart_by_title, open_page, trace

NTK = "pages/learn/ntk_aware.py"
PARTS = "pages/learn/ntk_by_parts.py"
YARN = "pages/learn/yarn.py"
DYNAMIC = "pages/learn/dynamic.py"
PAGES = (NTK, PARTS, YARN, DYNAMIC)

# Every shared setting at both ends, in four combinations.
SHARED_EXTREMES = (
    {"d": "8", "base": "100", "L": "16", "s": "1"},
    {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    {"d": "512", "base": "100", "L": "16", "s": "128"},
    {"d": "8", "base": "10000000", "L": "1048576", "s": "1"},
)
# Each page parameter at both ends (and the ramp both ways).
PAGE_EXTREMES = (
    (PARTS, {"nbp_alpha": "0.25", "nbp_beta": "2"}),
    (PARTS, {"nbp_alpha": "16", "nbp_beta": "256", "nbp_ramp": "code"}),
    (YARN, {"yarn_mscale": "0"}),
    (YARN, {"yarn_mscale": "2"}),
    (DYNAMIC, {"dyn_len": "0.5"}),
    (DYNAMIC, {"dyn_len": "128"}),
)
GARBAGE = (
    (PARTS, "nbp_alpha", "abc"),
    (PARTS, "nbp_beta", "1e9"),
    (PARTS, "nbp_ramp", "bogus"),
    (YARN, "yarn_mscale", "nan"),
    (DYNAMIC, "dyn_len", "-5"),
)


def page_text(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def warnings_text(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def plain_inv_freq(dim: int, base: float) -> np.ndarray:
    return base ** (-np.arange(0, dim, 2) / dim)


def xy(spec: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = trace(spec, name)
    return np.asarray(t["x"], dtype=np.float64), np.asarray(t["y"], dtype=np.float64)


@pytest.mark.parametrize("page", PAGES)
def test_defaults_clean_and_finite(page):
    at = open_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    assert at.success, "every lesson ends with a takeaway"


@pytest.mark.parametrize("query", SHARED_EXTREMES)
@pytest.mark.parametrize("page", PAGES)
def test_shared_extremes(page, query):
    at = open_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)


@pytest.mark.parametrize("page,query", PAGE_EXTREMES)
def test_page_params_at_both_ends(page, query):
    at = open_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)


@pytest.mark.parametrize("page,key,value", GARBAGE)
def test_garbage_url_value_is_clamped_with_a_note(page, key, value):
    at = open_page(page, {key: value})
    assert_clean(at)
    assert "adjusted" in warnings_text(at)
    assert_finite_charts(at)


# ----------------------------------------------------------------------------------------------
# 5. NTK-aware


@pytest.mark.parametrize("d,base,L,s", [(128, 10000.0, 512, 2.0), (64, 500000.0, 4096, 8.0)])
def test_ntk_divides_fastest_by_one_slowest_by_s(d, base, L, s):
    at = open_page(NTK, {"d": str(d), "base": str(base), "L": str(L), "s": str(s)})
    assert_clean(at)
    spec = chart_by_title(at, "slowed down")
    pairs, ntk = xy(spec, "NTK-aware")
    _, pi = xy(spec, "PI")
    new_base = base * s ** (d / (d - 2))
    expected = plain_inv_freq(d, base) / plain_inv_freq(d, new_base)
    np.testing.assert_allclose(ntk, expected, rtol=1e-9)
    np.testing.assert_allclose(ntk, s ** (2 * pairs / (d - 2)), rtol=1e-9)
    assert ntk[0] == pytest.approx(1.0) and ntk[-1] == pytest.approx(s, rel=1e-9)
    np.testing.assert_allclose(pi, s, rtol=1e-12)
    assert f"{new_base:,.2f}" in page_text(at)


def test_ntk_angle_reach_matches_independent_ratio():
    at = open_page(NTK)
    d, base, L, s = 128, 10000.0, 512, 2.0
    spec = chart_by_title(at, "Largest angle")
    _, ntk = xy(spec, "NTK-aware")
    theta, theta_ntk = plain_inv_freq(d, base), plain_inv_freq(d, base * s ** (d / (d - 2)))
    np.testing.assert_allclose(ntk, (s * L - 1) * theta_ntk / ((L - 1) * theta), rtol=1e-9)
    never_turned = (L - 1) * theta < 2 * math.pi
    pushed = never_turned & ((s * L - 1) * theta_ntk > L * theta * (1 + 1e-9))
    assert 0 < pushed.sum() < never_turned.sum()
    assert f"**{int(pushed.sum())}** of them go past" in page_text(at)


# ----------------------------------------------------------------------------------------------
# 6. NTK-by-parts


def regime_pairs(spec: dict) -> dict[str, set[int]]:
    return {name: {int(round(x)) for x in xy(spec, name)[0]} for name in ("kept", "blended", "interpolated")}


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"d": "64", "base": "500000", "L": "4096", "nbp_alpha": "2", "nbp_beta": "8"},
        {"d": "256", "base": "10000", "L": "65536", "nbp_alpha": "0.5", "nbp_beta": "100"},
    ],
)
def test_paper_ramp_regimes_follow_wavelength_thresholds(query):
    at = open_page(PARTS, query)
    assert_clean(at)
    d, base, L = int(query.get("d", 128)), float(query.get("base", 1e4)), int(query.get("L", 512))
    alpha, beta = float(query.get("nbp_alpha", 1)), float(query.get("nbp_beta", 32))
    wavelength = 2 * math.pi / plain_inv_freq(d, base)
    pairs = regime_pairs(chart_by_title(at, "kept, blended or interpolated"))
    assert pairs["interpolated"] == {i for i, lam in enumerate(wavelength) if lam > L / alpha}
    assert pairs["kept"] == {i for i, lam in enumerate(wavelength) if lam < L / beta}
    assert pairs["blended"] == set(range(d // 2)) - pairs["interpolated"] - pairs["kept"]


def test_code_ramp_regimes_follow_rounded_correction_dims():
    d, base, L, alpha, beta = 128, 10000.0, 4096, 1.0, 32.0
    at = open_page(PARTS, {"L": str(L), "nbp_ramp": "code"})
    assert_clean(at)
    assert "reference code" in chart_by_title(at, "kept, blended or interpolated")["layout"]["title"]["text"]

    def dim(turns):
        return d * math.log(L / (turns * 2 * math.pi)) / (2 * math.log(base))

    low, high = max(math.floor(dim(beta)), 0), min(math.ceil(dim(alpha)), d - 1)
    assert (low, high) == (20, 46)  # the reference test vector for these settings
    pairs = regime_pairs(chart_by_title(at, "kept, blended or interpolated"))
    assert pairs["kept"] == set(range(low + 1))
    assert pairs["interpolated"] == set(range(high, d // 2))
    index, code = xy(chart_by_title(at, "Two ramps"), "reference code")
    np.testing.assert_allclose(code, 1 - np.clip((index - low) / (high - low), 0, 1), atol=1e-12)


def test_code_ramp_always_keeps_pair_zero():
    """The reference code clamps the ramp's start to pair 0, so it keeps pair 0 even when pair 0
    turns fewer than beta times (tiny-model preset), where the paper's ramp keeps nothing."""
    tiny = {"d": "32", "base": "10000", "L": "64", "s": "4"}
    code = regime_pairs(chart_by_title(open_page(PARTS, {**tiny, "nbp_ramp": "code"}), "kept, blended"))
    paper = regime_pairs(chart_by_title(open_page(PARTS, tiny), "kept, blended"))
    assert code["kept"] == {0} and paper["kept"] == set()


def test_ramp_chart_overlays_paper_and_code():
    at = open_page(PARTS)
    d, base, L, alpha, beta = 128, 10000.0, 512, 1.0, 32.0
    spec = chart_by_title(at, "Two ramps")
    _, paper = xy(spec, "paper")
    pairs, code = xy(spec, "reference code")
    r = L * plain_inv_freq(d, base) / (2 * math.pi)
    np.testing.assert_allclose(paper, np.clip((r - alpha) / (beta - alpha), 0, 1), atol=1e-12)
    assert code[0] == 1 and code[-1] == 0
    blended = (code > 0) & (code < 1)
    assert np.allclose(np.diff(code[blended]), np.diff(code[blended])[0]), (
        "the code's ramp is linear in the pair index"
    )


def test_tiny_model_preset_warns_that_no_pair_is_kept():
    at = open_page(PARTS, {"d": "32", "base": "10000", "L": "64", "s": "4"})
    assert_clean(at)
    assert 64 / (2 * math.pi) < 32
    assert "No pair is kept" in warnings_text(at)
    assert regime_pairs(chart_by_title(at, "kept, blended or interpolated"))["kept"] == set()
    assert "No pair is kept" not in warnings_text(open_page(PARTS))


def test_alpha_not_below_beta_is_explained_not_crashed():
    at = open_page(PARTS, {"nbp_alpha": "16", "nbp_beta": "2"})
    assert_clean(at)
    assert "ramp needs α < β" in warnings_text(at)


# ----------------------------------------------------------------------------------------------
# 7. YaRN's temperature


def test_temperature_curve_and_real_models():
    at = open_page(YARN)
    assert_clean(at)
    spec = chart_by_title(at, "temperature YaRN applies")
    s, factor = xy(spec, "multiplies cos and sin")
    _, logits = xy(spec, "multiplies the logits")
    np.testing.assert_allclose(factor, 0.1 * np.log(s) + 1, rtol=1e-12)
    np.testing.assert_allclose(logits, (0.1 * np.log(s) + 1) ** 2, rtol=1e-12)
    table = at.dataframe[0].value.set_index("model")
    # Published test vectors (transformers' attention_factor for these configs).
    assert table.loc["Qwen3 (long context)", "attention_factor (cos, sin)"] == pytest.approx(
        1.138629436111989
    )
    assert table.loc["gpt-oss", "attention_factor (cos, sin)"] == pytest.approx(1.3465736, rel=1e-7)
    assert table.loc["YaRN Llama 2 (s = 16)", "attention_factor (cos, sin)"] == pytest.approx(
        1.2772589, rel=1e-7
    )
    assert table.loc["YaRN Llama 2 (s = 32)", "attention_factor (cos, sin)"] == pytest.approx(
        1.3465736, rel=1e-7
    )
    assert table.loc["DeepSeek-V3", "attention_factor (cos, sin)"] == 1.0
    assert table.loc["DeepSeek-V3", "softmax scale multiplier"] == pytest.approx(1.3688879454**2, rel=1e-9)
    models_x, models_y = xy(spec, "real models")
    assert models_y[list(models_x).index(4.0)] == pytest.approx(1.138629436111989**2)


@pytest.mark.parametrize("query", [{}, {"L": "4096", "s": "16"}])
def test_temperature_lowers_entropy_at_every_length(query):
    at = open_page(YARN, query)
    assert_clean(at)
    spec = chart_by_title(at, "spread out")
    n, without = xy(spec, "no temperature")
    n_with, with_t = xy(spec, "with temperature")
    _, uniform = xy(spec, "ln n")
    assert np.array_equal(n, n_with) and len(n) <= 24
    assert np.all(with_t <= without + 1e-9)
    assert np.all(without <= uniform + 1e-9), "no attention is more spread out than even attention"
    np.testing.assert_allclose(uniform, np.log(n), rtol=1e-12)


def test_mscale_zero_switches_the_temperature_off():
    at = open_page(YARN, {"yarn_mscale": "0"})
    spec = chart_by_title(at, "spread out")
    np.testing.assert_allclose(xy(spec, "with temperature")[1], xy(spec, "no temperature")[1], rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# 8. Dynamic scaling


@pytest.mark.parametrize("L,s,multiple", [(512, 2.0, 1.5), (4096, 8.0, 3)])
def test_dynamic_schedules_match_the_formulas(L, s, multiple):
    at = open_page(DYNAMIC, {"L": str(L), "s": str(s), "dyn_len": str(multiple)})
    assert_clean(at)
    spec = chart_by_title(at, "scale s each method uses")
    x, yarn = xy(spec, "Dynamic YaRN")
    x_ntk, ntk = xy(spec, "Dynamic NTK")
    _, static = xy(spec, "static")
    np.testing.assert_allclose(yarn, np.maximum(1, x / L), rtol=1e-12)
    np.testing.assert_allclose(ntk, s * np.maximum(x_ntk, L) / L - (s - 1), rtol=1e-12)
    np.testing.assert_allclose(static, s)

    factor_spec = chart_by_title(at, "attention factor")
    x_f, factor = xy(factor_spec, "Dynamic YaRN")
    np.testing.assert_allclose(factor, 0.1 * np.log(np.maximum(1, x_f / L)) + 1, rtol=1e-12)

    now = chart_by_title(at, "right now")
    current = multiple * L
    _, dyn_yarn = xy(now, "Dynamic YaRN")
    _, dyn_ntk = xy(now, "Dynamic NTK")
    assert dyn_yarn[0] == pytest.approx(1.0) and dyn_yarn[-1] == pytest.approx(current / L)
    assert dyn_ntk[-1] == pytest.approx(s * current / L - (s - 1))
    assert f"s = {current / L:.4g}" in page_text(at)


def test_dynamic_ntk_reference_base():
    """transformers' dynamic NTK for (128, 1e4, factor 2, L 4096) at 6144 tokens uses base 20221.26,
    i.e. it slows the slowest pair by 20221.26^(126/128) / 1e4^(126/128)."""
    at = open_page(DYNAMIC, {"L": "4096", "s": "2", "dyn_len": "1.5"})
    _, dyn_ntk = xy(chart_by_title(at, "right now"), "Dynamic NTK")
    assert dyn_ntk[-1] == pytest.approx((20221.26 / 1e4) ** (126 / 128), rel=1e-6)


def test_below_trained_length_dynamic_methods_leave_the_model_untouched():
    at = open_page(DYNAMIC, {"dyn_len": "0.5"})
    assert_clean(at)
    now = chart_by_title(at, "right now")
    np.testing.assert_allclose(xy(now, "Dynamic YaRN")[1], 1.0)
    np.testing.assert_allclose(xy(now, "Dynamic NTK")[1], 1.0)
    assert xy(now, "static YaRN")[1][-1] == pytest.approx(2.0)
