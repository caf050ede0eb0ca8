"""Compare page: every preset, every method alone and in pairs, slider ends, garbage URLs; charts
and table checked against yarn_core and against the equations in the reference facts."""

import itertools
import json
import math

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import (
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    charts,
    open_page,
    shared_page,
    trace,
)
from yarn_core import METHODS, RopeSetting, angle_coverage, scale_rope
from yarn_core.app.views import compare as view

PAGE = "pages/compare/compare.py"
LABELS = {m: METHODS[m].label for m in view.COMPARABLE}
HALVES = (("none", "linear", "ntk", "dynamic_ntk"), ("ntk_by_parts", "yarn", "dynamic_yarn", "llama3"))
SLIDERS = {  # key: (minimum, maximum)
    "cmp_alpha": (0.25, 4.0),
    "cmp_beta": (8.0, 128.0),
    "cmp_mscale": (0.0, 2.0),
    "cmp_mscale_all": (0.0, 2.0),
    "cmp_low": (0.25, 2.0),
    "cmp_high": (2.5, 32.0),
    "cmp_seed": (0, 99),
}
SHARED_ENDS = (
    {"d": "8", "base": "100", "L": "16", "s": "1"},
    {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
)
C = view.COLUMNS
OPTION_KEYS = {  # RopeSetting field: the page's URL key
    "beta_slow": "cmp_alpha",
    "beta_fast": "cmp_beta",
    "ramp": "cmp_ramp",
    "truncate": "cmp_truncate",
    "temperature": "cmp_temp",
    "mscale": "cmp_mscale",
    "mscale_all_dim": "cmp_mscale_all",
    "low_freq_factor": "cmp_low",
    "high_freq_factor": "cmp_high",
}
OPTION_DEFAULTS = {
    "beta_slow": 1.0,
    "beta_fast": 32.0,
    "ramp": "code",
    "truncate": True,
    "temperature": True,
    "mscale": 0.0,
    "mscale_all_dim": 0.0,
    "low_freq_factor": 1.0,
    "high_freq_factor": 4.0,
}


def config(stem: str) -> dict:
    """A bundled config as its file holds it (read here, not through the app's readers)."""
    return json.loads((ROOT / "assets" / "configs" / f"{stem}.json").read_text())["config"]


def from_config(stem: str, methods, factor=None):
    """What a real model's preset must load: (d, base, L, s) from its config.json (head size from
    qk_rope_head_dim, head_dim or hidden_size / heads; L the original length when scaled), the
    methods, and every option as its rope_scaling gives it (else the page's default)."""
    c = config(stem)
    scaling = c.get("rope_scaling") or {}
    d = c.get("qk_rope_head_dim") or c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    L = scaling.get("original_max_position_embeddings", c["max_position_embeddings"])
    s = scaling["factor"] if factor is None else factor
    options = {field: scaling.get(field, default) for field, default in OPTION_DEFAULTS.items()}
    return (d, c["rope_theta"], L, s), tuple(methods), options


EXPECTED_PRESETS = {
    "The seed's example: 512 -> 1024": ((128, 10000, 512, 2), ("none", "linear", "yarn"), OPTION_DEFAULTS),
    "YaRN paper: LLaMA 2, 4k x 16 (64k)": from_config("llama2_7b", ("linear", "ntk", "yarn"), 16),
    "YaRN paper: LLaMA 2, 4k x 32 (128k)": from_config("llama2_7b", ("linear", "ntk", "yarn"), 32),
    "Llama 3.1: 8k, llama3 factor 8 (served to 128k)": from_config(
        "llama3_1_8b", ("linear", "yarn", "llama3")
    ),
    "Qwen: 32k -> 128k, YaRN factor 4": from_config("qwen2_5_7b_yarn", ("linear", "ntk", "yarn")),
    "DeepSeek-V3: 4k, YaRN factor 40 with mscale": from_config(
        "deepseek_v3", ("linear", "ntk_by_parts", "yarn")
    ),
    "gpt-oss: 4k, YaRN factor 32, no truncation": from_config("gpt_oss", ("linear", "ntk", "yarn")),
}


def correction_dim(turns, dim, base, length):
    """The reference code's correction dim, written from the facts sheet: |D| ln(L / (2 pi n)) / (2 ln b)."""
    return dim * math.log(length / (turns * 2 * math.pi)) / (2 * math.log(base))


def code_gamma(dim, base, length, beta_fast=32, beta_slow=1):
    """gamma per pair of the reference code: 1 - clip((i - low) / (high - low)), floor/ceil ends."""
    low = max(math.floor(correction_dim(beta_fast, dim, base, length)), 0)
    high = min(math.ceil(correction_dim(beta_slow, dim, base, length)), dim - 1)
    i = np.arange(dim // 2)
    return 1 - np.clip((i - low) / (high - low), 0, 1)


def names(methods):
    """The multiselect's options (and URL values) are the methods' names."""
    return [LABELS[m] for m in methods]


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def table(at):
    """The page's two tables joined on the method column: {method: {heading: value}}."""
    rows: dict[str, dict] = {}
    for frame in at.dataframe:
        for row in frame.value.to_dict("records"):
            rows.setdefault(row["method"], {}).update(row)
    return rows


def check_table_against_core(at, setting, methods):
    """Every number in the table recomputed with yarn_core directly."""
    rows = table(at)
    assert list(rows) == [view.TRAINED_ROW, *(LABELS[m] for m in methods)]
    for method in methods:
        row, rope = rows[LABELS[method]], scale_rope(method, setting)
        f = rope.interpolated
        assert row[C["interpolated"]] == pytest.approx(100 * np.mean(f >= 1 - 1e-9))
        assert row[C["kept"]] == pytest.approx(100 * np.mean(f <= 1e-9))
        assert row[C["interpolated"]] + row[C["blended"]] + row[C["kept"]] == pytest.approx(100)
        assert row[C["s_used"]] == pytest.approx(rope.effective_factor)
        assert row[C["attention_factor"]] == pytest.approx(rope.attention_factor)
        assert row[C["lowest_freq"]] == pytest.approx(rope.inv_freq[-1], rel=1e-12)
        assert row[C["slowest_stretch"]] == pytest.approx(rope.base_inv_freq[-1] / rope.inv_freq[-1])
        coverage = angle_coverage(
            rope.base_inv_freq, rope.inv_freq, setting.original_length, setting.target_length
        )
        assert row[C["unseen"]] == coverage.unseen.sum()
        if rope.correction_range is None:
            assert missing(row[C["ramp_low"]]) and missing(row[C["ramp_high"]])
        else:
            assert (row[C["ramp_low"]], row[C["ramp_high"]]) == pytest.approx(rope.correction_range)


def settings_of(at) -> RopeSetting:
    s = at.session_state
    return RopeSetting(
        dim=s["d"],
        base=s["base"],
        original_length=s["L"],
        factor=s["s"],
        beta_slow=s["cmp_alpha"],
        beta_fast=s["cmp_beta"],
        ramp=s["cmp_ramp"],
        truncate=s["cmp_truncate"],
        temperature=s["cmp_temp"],
        mscale=s["cmp_mscale"],
        mscale_all_dim=s["cmp_mscale_all"],
        low_freq_factor=s["cmp_low"],
        high_freq_factor=s["cmp_high"],
    )


def test_defaults_compare_pi_ntk_and_yarn_on_the_seed_example():
    at = shared_page(PAGE)
    assert_clean(at)
    assert_finite_charts(at)
    assert at.multiselect(key="cmp_methods").value == names(["linear", "ntk", "yarn"])
    drawn = [spec["layout"]["title"]["text"] for spec in charts(at)]
    assert len(drawn) == 5 and drawn[-1].startswith("A real model"), "four sections' charts, the lab's last"
    setting = settings_of(at)
    check_table_against_core(at, setting, ("linear", "ntk", "yarn"))
    rows = table(at)
    # YaRN's temperature: sqrt(1/t) = 0.1 ln s + 1, logits x its square (s = 2 -> 1.0693147)
    assert rows["YaRN"][C["attention_factor"]] == pytest.approx(1.0693147, abs=1e-7)
    assert rows["YaRN"][C["logit_multiplier"]] == pytest.approx(1.0693147**2, abs=1e-6)
    assert rows["Position Interpolation"][C["interpolated"]] == 100
    assert "multiplies logits by 1.143" in at.success[0].value


def test_frequency_chart_shows_each_methods_equation():
    at = shared_page(PAGE, {"L": "4096", "s": "4"})
    spec = chart_by_title(at, "Frequency per pair")
    d, base, L, s = 128, 1e4, 4096, 4.0
    theta = base ** (-np.arange(0, d, 2) / d)
    # theta_i / theta'_i: what each pair is divided by, as lessons 5, 6 and 8 draw it
    np.testing.assert_allclose(trace(spec, "Position Interpolation")["y"], s, rtol=1e-12)
    ntk = trace(spec, "NTK-aware")["y"]
    b_ntk = base * s ** (d / (d - 2))  # facts: 40889.94243248622 for this setting
    assert b_ntk == pytest.approx(40889.94243248622)
    np.testing.assert_allclose(ntk, theta / b_ntk ** (-np.arange(0, d, 2) / d), rtol=1e-10)
    assert ntk[0] == 1 and ntk[-1] == pytest.approx(s)
    gamma = code_gamma(d, base, L)  # facts: correction range (20, 46)
    np.testing.assert_allclose(trace(spec, "YaRN")["y"], 1 / (gamma + (1 - gamma) / s), rtol=1e-12)


def test_wavelength_view_and_position_map():
    at = shared_page(PAGE, {"cmp_quantity": "wavelength", "cmp_methods": names(["none", "linear", "yarn"])})
    assert_clean(at)
    spec = chart_by_title(at, "Wavelength per pair")
    theta = 1e4 ** (-np.arange(0, 128, 2) / 128)
    np.testing.assert_allclose(trace(spec, "unscaled")["y"], 2 * np.pi / theta, rtol=1e-12)
    np.testing.assert_allclose(trace(spec, "Position Interpolation")["y"], 2 * 2 * np.pi / theta, rtol=1e-12)
    positions = chart_by_title(at, "Position each token")
    # the slowest pair (third panel): PI rotates token m as m / s, plain RoPE as m; L' - 1 = 1023
    slowest = [t for t in positions["data"] if t.get("xaxis") == "x3"]
    # curves that coincide are renamed "<name> (= <the curve they lie on>)"
    by_name = {t["name"].split(" (= ")[0]: t for t in slowest}
    assert by_name["YaRN"]["name"] == "YaRN (= Position Interpolation)", "YaRN and PI coincide there"
    assert by_name["Position Interpolation"]["y"].max() == pytest.approx(1023 / 2)
    assert by_name["Plain RoPE (extrapolation)"]["y"].max() == pytest.approx(1023)
    assert by_name["YaRN"]["y"].max() == pytest.approx(1023 / 2)
    fastest = {t["name"].split(" (= ")[0]: t for t in positions["data"] if t.get("xaxis") == "x"}
    assert fastest["YaRN"]["y"].max() == pytest.approx(1023), "YaRN keeps the fastest pair as trained"


def test_scores_stretch_the_trained_pattern_and_temperature_scales_them():
    at = shared_page(PAGE, {"cmp_methods": names(["none", "linear", "yarn"]), "cmp_seed": "7"})
    spec = chart_by_title(at, "Attention score versus distance")
    plain, pi, yarn = (trace(spec, name) for name in ("Plain", "Position Interpolation", "YaRN"))
    rng = np.random.default_rng(7)
    q, k = rng.standard_normal(128), rng.standard_normal(128)
    assert plain["y"][0] == pytest.approx(q @ k / math.sqrt(128))
    assert yarn["y"][0] == pytest.approx(q @ k / math.sqrt(128) * (0.1 * math.log(2) + 1) ** 2)
    # PI at distance 2j is plain RoPE at distance j (positions m -> m / s, s = 2)
    x = plain["x"]
    assert x[-1] == 2048 and np.all(np.diff(x) == 1)
    np.testing.assert_allclose(pi["y"][::2], plain["y"][: len(pi["y"][::2])], atol=1e-9)


def test_temperature_lowers_entropy_at_every_length():
    at = shared_page(PAGE, {"cmp_methods": names(["ntk_by_parts", "yarn"]), "L": "4096", "s": "16"})
    spec = chart_by_title(at, "Attention entropy")
    parts, yarn, uniform = (trace(spec, name) for name in ("NTK-by-parts", "YaRN", "uniform"))
    np.testing.assert_allclose(uniform["y"], np.log(uniform["x"]))
    assert np.all(parts["y"] <= uniform["y"] + 1e-9)
    # same frequencies, logits x (0.1 ln 16 + 1)^2 > 1: sharper softmax, lower entropy everywhere
    assert np.all(yarn["y"] < parts["y"])


def test_every_method_alone_and_in_pairs_at_defaults():
    at = open_page(PAGE)
    widget = at.multiselect(key="cmp_methods")
    combos = [(m,) for m in view.COMPARABLE] + list(itertools.combinations(view.COMPARABLE, 2))
    for combo in combos:
        widget.set_value(names(combo)).run()
        assert_clean(at)
        assert_finite_charts(at)
        drawn = {t["name"] for t in chart_by_title(at, "Frequency per pair")["data"]}
        # identical curves (NTK-by-parts and YaRN have the same frequencies) are named as such
        assert {name.split(" (= ")[0] for name in drawn} == {LABELS[m] for m in combo}
    for combo in (*HALVES, ("linear", "ntk", "yarn", "llama3"), ("none", "dynamic_ntk", "dynamic_yarn")):
        widget.set_value(names(combo)).run()
        assert_clean(at)
        assert_finite_charts(at)
        check_table_against_core(at, settings_of(at), combo)


def test_dynamic_methods_are_shown_at_the_target_length():
    at = shared_page(PAGE, {"cmp_methods": names(["dynamic_ntk", "dynamic_yarn"]), "s": "4"})
    rows = table(at)
    # transformers' dynamic NTK at l' = sL: s' = s * l'/L - (s - 1) = s^2 - s + 1
    assert rows["Dynamic NTK"][C["s_used"]] == 13
    assert rows["Dynamic YaRN"][C["s_used"]] == 4


@pytest.mark.parametrize("ends", [0, 1], ids=["minimum", "maximum"])
@pytest.mark.parametrize("methods", HALVES, ids=["first_four", "last_four"])
def test_page_sliders_and_shared_settings_at_their_ends(ends, methods):
    query = {key: str(values[ends]) for key, values in SLIDERS.items()}
    query.update(
        cmp_methods=names(methods),
        cmp_ramp=("code", "paper")[ends],
        cmp_truncate=("true", "false")[ends],
        cmp_temp=("false", "true")[ends],
        **SHARED_ENDS[ends],
    )
    at = shared_page(PAGE, query)
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert_finite_charts(at)
    check_table_against_core(at, settings_of(at), methods)


def test_the_presets_are_the_expected_ones():
    assert list(view.PRESETS) == list(EXPECTED_PRESETS)
    # the numbers of the real models as their configs give them (facts sheet)
    assert EXPECTED_PRESETS["Llama 3.1: 8k, llama3 factor 8 (served to 128k)"][0] == (128, 500000, 8192, 8)
    assert EXPECTED_PRESETS["Qwen: 32k -> 128k, YaRN factor 4"][0] == (128, 1e6, 32768, 4)
    assert EXPECTED_PRESETS["DeepSeek-V3: 4k, YaRN factor 40 with mscale"][0] == (64, 10000, 4096, 40)
    assert EXPECTED_PRESETS["gpt-oss: 4k, YaRN factor 32, no truncation"][0] == (64, 150000, 4096, 32)


@pytest.mark.parametrize("preset", list(EXPECTED_PRESETS))
def test_every_preset_loads_and_is_reproducible_from_its_url(preset):
    at = open_page(PAGE)
    at.selectbox(key="cmp_preset").set_value(preset).run()
    assert_clean(at)
    assert_finite_charts(at)
    shared, methods, options = EXPECTED_PRESETS[preset]
    assert (
        at.session_state["d"],
        at.session_state["base"],
        at.session_state["L"],
        at.session_state["s"],
    ) == shared
    assert at.multiselect(key="cmp_methods").value == names(methods)
    assert {field: at.session_state[key] for field, key in OPTION_KEYS.items()} == options
    setting = settings_of(at)
    check_table_against_core(at, setting, methods)

    again = open_page(PAGE, dict(at.query_params))
    assert_clean(again)
    assert not again.warning, [w.value for w in again.warning]
    assert all(a.value.equals(b.value) for a, b in zip(again.dataframe, at.dataframe, strict=True))
    assert charts(again)[0]["data"][0]["y"].tolist() == charts(at)[0]["data"][0]["y"].tolist()


def test_preset_numbers_match_the_published_configs():
    at = open_page(PAGE)
    box = at.selectbox(key="cmp_preset")
    box.set_value("DeepSeek-V3: 4k, YaRN factor 40 with mscale").run()
    yarn = table(at)["YaRN"]
    assert (yarn[C["ramp_low"]], yarn[C["ramp_high"]]) == (10, 23)
    assert yarn[C["attention_factor"]] == 1.0, (
        "mscale = mscale_all_dim: transformers leaves cos and sin alone"
    )
    assert yarn[C["logit_multiplier"]] == pytest.approx(1.3688879454**2), (
        "DeepSeek's softmax scale x mscale^2"
    )
    assert at.info, "the page explains where DeepSeek's mscale goes"
    box.set_value("Qwen: 32k -> 128k, YaRN factor 4").run()
    yarn = table(at)["YaRN"]
    assert (yarn[C["ramp_low"]], yarn[C["ramp_high"]]) == (23, 40)
    assert yarn[C["attention_factor"]] == pytest.approx(1.138629436111989)
    box.set_value("gpt-oss: 4k, YaRN factor 32, no truncation").run()
    yarn = table(at)["YaRN"]
    assert yarn[C["ramp_low"]] == pytest.approx(correction_dim(32, 64, 150000, 4096))
    assert yarn[C["ramp_high"]] == pytest.approx(correction_dim(1, 64, 150000, 4096))
    assert yarn[C["attention_factor"]] == pytest.approx(1.3465736, abs=1e-7)
    box.set_value("Llama 3.1: 8k, llama3 factor 8 (served to 128k)").run()
    llama = table(at)["Llama 3.1"]
    wavelength = 2 * np.pi * 500000.0 ** (np.arange(0, 128, 2) / 128)
    assert llama[C["interpolated"]] == pytest.approx(100 * np.mean(wavelength > 8192))
    assert llama[C["kept"]] == pytest.approx(100 * np.mean(wavelength < 8192 / 4))
    assert_clean(at)


def test_more_than_four_methods_shows_the_first_four_and_none_asks_for_one():
    at = open_page(PAGE, {"cmp_methods": names(view.COMPARABLE[:6])})
    assert_clean(at)
    assert any("first 4" in w.value for w in at.warning)
    assert len(chart_by_title(at, "Frequency per pair")["data"]) == 4
    at.multiselect(key="cmp_methods").set_value([]).run()
    assert_clean(at)
    assert not charts(at) and at.info


GARBAGE = {
    "cmp_methods": "bogus",
    "cmp_quantity": "nonsense",
    "cmp_alpha": "abc",
    "cmp_beta": "1e9",
    "cmp_ramp": "ramp?",
    "cmp_truncate": "maybe",
    "cmp_temp": "2",
    "cmp_mscale": "-1",
    "cmp_mscale_all": "nan",
    "cmp_low": "zz",
    "cmp_high": "-5",
    "cmp_seed": "1.5e3",
}


@pytest.mark.parametrize("key", list(GARBAGE))
def test_garbage_url_values_are_clamped_with_a_note(key):
    at = shared_page(PAGE, {key: GARBAGE[key]})
    assert_clean(at)
    assert at.warning and "adjusted" in at.warning[0].value, key
    assert_finite_charts(at)
