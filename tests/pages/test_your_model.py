"""Your model page: bundled real configs shown as transformers computes them, the sequence-length
slider for dynamic and LongRoPE types, and malformed input answered with a clear message."""

import json
import math

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import (
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    open_page,
    shared_page,
    trace,
)
from yarn_core import rope_from_hf_config
from yarn_core.app.assets import real_models

PAGE = "pages/model/your_model.py"
METRICS = (
    "Rope type",
    "Rotary dim",
    "Base",
    "Factor",
    "Original context",
    "Maximum context",
    "Attention factor",
)

# What each bundled config must show (reference facts: real configs, test vectors).
EXPECTED = {
    "llama2_7b": ("default", "128", "10,000", "1", "4,096", "4,096", 1.0),
    "mistral_7b": ("default", "128", "10,000", "1", "32,768", "32,768", 1.0),
    "llama3_1_8b": ("llama3", "128", "500,000", "8", "8,192", "131,072", 1.0),
    "qwen2_5_7b_yarn": ("yarn", "128", "1,000,000", "4", "32,768", "32,768", 1.138629436111989),
    "qwen3_yarn": ("yarn", "128", "1,000,000", "4", "32,768", "131,072", 1.138629436111989),
    "deepseek_v3": ("yarn", "64", "10,000", "40", "4,096", "163,840", 1.0),
    "gpt_oss": ("yarn", "64", "150,000", "32", "4,096", "131,072", 0.1 * math.log(32) + 1),
    "phi3_5_mini": (
        "longrope",
        "96",
        "10,000",
        "32",
        "4,096",
        "131,072",
        math.sqrt(1 + math.log(32) / math.log(4096)),
    ),
    "phi3_vision_128k": (
        "longrope",
        "96",
        "10,000",
        "32",
        "4,096",
        "131,072",
        math.sqrt(1 + math.log(32) / math.log(4096)),
    ),
    # Pythia-410M: hidden 1024 / 16 heads = 64, rotary_pct 0.25 -> 16 rotated dims
    "pythia_410m": ("default", "16", "10,000", "1", "2,048", "2,048", 1.0),
    "yarn_llama2_7b_64k": ("yarn", "128", "10,000", "16", "4,096", "not given", 1.2772589),
    "yarn_llama2_7b_128k": ("yarn", "128", "10,000", "32", "4,096", "not given", 1.3465736),
    # Phi-2: hidden 2560 / 32 heads = 80, partial_rotary_factor 0.4 -> 32
    "phi_2": ("default", "32", "10,000", "1", "2,048", "2,048", 1.0),
    # Gemma 3 4B: head_dim 256, full-attention layers at base 1e6 with linear factor 8
    "gemma3_4b": ("linear", "256", "1,000,000", "8", "131,072", "131,072", 1.0),
    # Ministral 3 8B: yarn factor 16 from 16,384, mscale = mscale_all_dim = 1 -> cos/sin factor 1
    "ministral3_8b_yarn": ("yarn", "128", "1,000,000", "16", "16,384", "262,144", 1.0),
    # Kimi K2: MLA rope part 64, base 50,000, yarn factor 32 from 4,096, mscale = mscale_all_dim = 1
    "kimi_k2": ("yarn", "64", "50,000", "32", "4,096", "131,072", 1.0),
    # Llama 4 Scout: llama3 factor 16 from 8,192, served to 10,485,760
    "llama4_scout": ("llama3", "128", "500,000", "16", "8,192", "10,485,760", 1.0),
}
DYNAMIC = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "max_position_embeddings": 4096,
    "rope_theta": 10000.0,
    "rope_scaling": {"type": "dynamic", "factor": 2.0},
}


def bundled(stem: str) -> dict:
    """A bundled config's file (name, source, note, config), read here, not through the app's readers."""
    return json.loads((ROOT / "assets" / "configs" / f"{stem}.json").read_text())


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def errors(at) -> str:
    return "\n".join(e.value for e in at.error)


def test_defaults_show_llama_31_with_its_interpolated_pairs_marked():
    at = shared_page(PAGE)
    assert_clean(at)
    assert_finite_charts(at)
    assert metrics(at)["Rope type"] == "llama3"
    spec = chart_by_title(at, "Frequency per pair")
    wavelength = 2 * np.pi * 500000.0 ** (np.arange(0, 128, 2) / 128)
    # llama3: wavelengths above L / low_freq_factor = 8192 divided by 8, below L / high_freq_factor kept
    np.testing.assert_array_equal(trace(spec, "interpolated pairs")["x"], np.flatnonzero(wavelength > 8192))
    np.testing.assert_array_equal(
        trace(spec, "blended pairs")["x"], np.flatnonzero((wavelength >= 8192 / 4) & (wavelength <= 8192))
    )
    theta = 2 * np.pi / wavelength
    np.testing.assert_allclose(trace(spec, "unscaled")["y"], theta, rtol=1e-12)
    interpolated = wavelength > 8192
    np.testing.assert_allclose(
        trace(spec, "scaled theta'")["y"][interpolated], theta[interpolated] / 8, rtol=1e-12
    )


def test_the_bundled_configs_are_every_file_in_display_order():
    stems = sorted(
        (path.stem for path in (ROOT / "assets" / "configs").glob("*.json")),
        key=lambda s: bundled(s)["order"],
    )
    assert list(real_models()) == stems == list(EXPECTED)


@pytest.mark.parametrize("key", list(EXPECTED))
def test_every_bundled_config(key):
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value(key).run()
    assert_clean(at)
    assert_finite_charts(at)
    assert not at.error
    shown = metrics(at)
    expected = EXPECTED[key]
    assert tuple(shown[m] for m in METRICS[:6]) == expected[:6]
    assert float(shown["Attention factor"]) == pytest.approx(expected[6], rel=1e-5)
    entry = bundled(key)
    assert json.loads(at.text_area(key="ym_text").value) == entry["config"]
    assert entry["name"] in at.caption[0].value
    assert entry["note"] in at.caption[0].value and entry["source"] in at.caption[0].value
    config = entry["config"]
    rope = rope_from_hf_config(config, config.get("max_position_embeddings"))
    np.testing.assert_allclose(
        trace(chart_by_title(at, "Frequency per pair"), "theta'_i")["y"], rope.inv_freq, rtol=1e-12
    )


# Configs whose model reads them by rules of its own (partial rotary, MLA, per-layer types): the
# page's numbers for these are checked against their own model class's rotary embedding in
# tests/core/test_hf_config.py::test_bundled_configs_read_as_their_own_model.
OWN_MODEL_RULES = {"pythia_410m", "phi_2", "gemma3_4b", "ministral3_8b_yarn", "kimi_k2", "llama4_scout"}


def test_bundled_configs_are_what_transformers_computes():
    pytest.importorskip("transformers")
    from tests.support.hf_oracle import HF_RTOL, hf_rope

    at = open_page(PAGE)
    for key in EXPECTED.keys() - OWN_MODEL_RULES:
        at.selectbox(key="ym_bundled").set_value(key).run()
        config = bundled(key)["config"]
        if (config.get("rope_scaling") or {}).get("type") == "su":
            # transformers 5 maps the old name "su" to longrope but then misses the top-level
            # original_max_position_embeddings (KeyError); the same config named "longrope" loads.
            config["rope_scaling"]["type"] = "longrope"
        inv_freq, attention = hf_rope(config, config.get("max_position_embeddings"))
        np.testing.assert_allclose(
            trace(chart_by_title(at, "Frequency per pair"), "scaled theta'")["y"], inv_freq, rtol=HF_RTOL
        )
        assert float(metrics(at)["Attention factor"]) == pytest.approx(attention, rel=1e-5), key


def test_the_page_draws_what_the_reader_computes_for_every_bundled_config():
    """The page's frequencies are rope_from_hf_config's (which the core tests hold to each model's
    own rotary class), for the configs read by their model's own rules too."""
    at = open_page(PAGE)
    for key in OWN_MODEL_RULES:
        at.selectbox(key="ym_bundled").set_value(key).run()
        assert_clean(at)
        rope = rope_from_hf_config(bundled(key)["config"])
        drawn = trace(chart_by_title(at, "Frequency per pair"), "theta'_i")["y"]
        np.testing.assert_allclose(drawn, rope.inv_freq, rtol=1e-12)


def test_deepseek_explains_its_softmax_mscale():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("deepseek_v3").run()
    # mscale(40, 1) = 0.1 ln 40 + 1 = 1.3688879454; DeepSeek multiplies the softmax scale by its square
    assert "1.874" in at.info[0].value


def test_longrope_slider_switches_between_short_and_long_factors():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("phi3_5_mini").run()
    scaling = bundled("phi3_5_mini")["config"]["rope_scaling"]
    slider = at.select_slider(key="ym_seq")
    assert slider.value == 131072
    np.testing.assert_allclose(
        trace(chart_by_title(at, "times slower"), "longrope")["y"], scaling["long_factor"], rtol=1e-12
    )
    slider.set_value(4096).run()
    assert_clean(at)
    np.testing.assert_allclose(
        trace(chart_by_title(at, "times slower"), "longrope")["y"], scaling["short_factor"], rtol=1e-12
    )


def test_dynamic_ntk_slider_matches_the_facts_test_vector():
    at = open_page(PAGE)
    at.text_area(key="ym_text").input(json.dumps(DYNAMIC)).run()
    assert_clean(at)
    slider = at.select_slider(key="ym_seq")
    slider.set_value(4096).run()
    np.testing.assert_allclose(trace(chart_by_title(at, "times slower"), "dynamic")["y"], 1.0, rtol=1e-12)
    slider.set_value(8192).run()
    # facts: dynamic NTK (128, 1e4, factor 2, L = 4096) has base' = 30527.74 at seq_len 8192
    theta = trace(chart_by_title(at, "Frequency per pair"), "scaled theta'")["y"]
    assert theta[1] ** (-128 / 2) == pytest.approx(30527.74, rel=1e-6)
    assert_finite_charts(at)


def test_use_this_model_in_the_lessons_sets_and_clamps_the_shared_settings():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("deepseek_v3").run()
    next(b for b in at.button if "lessons" in b.label).click().run()
    assert (
        at.session_state["d"],
        at.session_state["base"],
        at.session_state["L"],
        at.session_state["s"],
    ) == (64, 10000.0, 4096, 40.0)
    at.text_area(key="ym_text").input(
        '{"head_dim": 1024, "rope_theta": 1e9, "max_position_embeddings": 3000}'
    ).run()
    next(b for b in at.button if "lessons" in b.label).click().run()
    assert_clean(at)
    assert (
        at.session_state["d"],
        at.session_state["base"],
        at.session_state["L"],
        at.session_state["s"],
    ) == (512, 1e7, 4096, 1.0)
    message = at.success[0].value
    assert "Head dim" in message and "Rotary base" in message and "Trained length" in message


def test_a_valid_upload_fills_the_text_box():
    at = open_page(PAGE)
    data = json.dumps(DYNAMIC, indent=1).encode()
    at.file_uploader(key="ym_upload").upload("my_config.json", data, "application/json").run()
    assert_clean(at)
    assert at.text_area(key="ym_text").value == data.decode()
    assert metrics(at)["Rope type"] == "dynamic"
    assert "my_config.json" in at.caption[0].value


def nested(depth):
    return "[" * depth + "]" * depth


BAD_TEXT = [
    ("{bad json", "line 1, column 2"),
    ('{\n  "head_dim": 128,\n  "rope_theta": 10000,\n}', "line 4, column 1"),
    ("", "empty"),
    ("[1, 2, 3]", "got a list"),
    ('"a config"', "got a string"),
    ("42", "got a number"),
    ("null", "got null"),
    ('{"head_dim": "128"}', "head_dim must be a whole number"),
    ('{"head_dim": 128, "rope_theta": "1e4"}', "rope_theta must be a number"),
    ('{"head_dim": 128, "rope_theta": true}', "rope_theta must be a number, got a boolean"),
    (
        '{"head_dim": 128, "max_position_embeddings": 4096, '
        '"rope_scaling": {"type": "linear", "factor": -2}}',
        "factor must be > 0",
    ),
    (
        '{"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": 0}}',
        "factor must be > 0",
    ),
    (
        '{"head_dim": 128, "max_position_embeddings": 4096, '
        '"rope_scaling": {"type": "linear", "factor": 1e300}}',
        "factor must be > 0 and <= 1e+06",
    ),
    ('{"rope_theta": 10000, "max_position_embeddings": 4096}', "missing head size"),
    ('{"hidden_size": 4096, "max_position_embeddings": 4096}', "missing head size"),
    (
        '{"head_dim": 128, "rope_scaling": {"type": "magic", "factor": 2}}',
        "unknown rope type 'magic'; supported: default, linear, dynamic, yarn, llama3, longrope",
    ),
    ('{"head_dim": 128, "rope_scaling": {"rope_type": 5}}', "rope_type must be a string"),
    ('{"head_dim": 128, "rope_scaling": [1, 2]}', "rope_scaling must be an object"),
    ('{"head_dim": 7}', "rotary dim"),
    ('{"head_dim": 1e400}', "head_dim must be a whole number"),
    ('{"head_dim": 128, "rope_theta": NaN}', "NaN is not a JSON number"),
    ('{"head_dim": 1' + "0" * 5000 + "}", "too long to read"),
    (nested(100_000), "nested too deeply"),
    (
        '{"head_dim": 128, '
        '"rope_scaling": {"type": "llama3", "factor": 8, "original_max_position_embeddings": 8192}}',
        "low_freq_factor is missing",
    ),
    (
        '{"head_dim": 128, "rope_scaling": {"type": "yarn", "factor": 4, '
        '"original_max_position_embeddings": 4096, "beta_fast": 1, "beta_slow": 32}}',
        "beta_fast must be greater than beta_slow",
    ),
    (
        '{"head_dim": 128, "rope_scaling": {"type": "yarn", "factor": 4, '
        '"original_max_position_embeddings": 4096, "truncate": "no"}}',
        "truncate must be true or false",
    ),
    (
        '{"head_dim": 8, "max_position_embeddings": 8192, "original_max_position_embeddings": 4096, '
        '"rope_scaling": {"type": "longrope", "short_factor": [1, 1], "long_factor": [1, 1, 1, 1]}}',
        "short_factor must have",
    ),
    (
        '{"head_dim": 128, "max_position_embeddings": -4096, '
        '"rope_scaling": {"type": "linear", "factor": 2}}',
        "max_position_embeddings must be between",
    ),
]


@pytest.mark.parametrize("text, problem", BAD_TEXT, ids=range(len(BAD_TEXT)))
def test_malformed_text_shows_the_problem_and_keeps_the_last_good_result(text, problem):
    at = open_page(PAGE)
    at.text_area(key="ym_text").input(text).run()
    assert_clean(at)
    assert problem in errors(at), errors(at)
    assert metrics(at)["Rope type"] == "llama3", "the last good result stays on screen"
    assert any("last config that worked" in c.value for c in at.caption)
    assert_finite_charts(at)


BAD_UPLOADS = [
    (b" " * 2_000_000 + b"{}", "2,000,002 bytes; the limit is 1,000,000 bytes"),
    (b"\xff\xfe{\x00}\x00", "not UTF-8"),
    (b"[]", "got a list"),
    (
        b'{"head_dim": 96, "max_position_embeddings": 131072, "original_max_position_embeddings": 4096, '
        b'"rope_scaling": {"type": "su"}}',
        "short_factor must be a list of 48",
    ),
]


@pytest.mark.parametrize("data, problem", BAD_UPLOADS, ids=["2MB", "utf16", "list", "su_without_lists"])
def test_bad_uploads_show_the_problem(data, problem):
    at = open_page(PAGE)
    at.file_uploader(key="ym_upload").upload("config.json", data, "application/json").run()
    assert_clean(at)
    assert problem in errors(at), errors(at)
    assert metrics(at)["Rope type"] == "llama3"


def test_garbage_sequence_length_in_the_url_is_clamped_with_a_note():
    at = open_page(PAGE, {"ym_seq": "lots"})
    at.selectbox(key="ym_bundled").set_value("phi3_5_mini").run()
    assert_clean(at)
    assert at.warning and "Current sequence length" in at.warning[0].value
    assert_finite_charts(at)


# ------------------------------------------------------------------------------------------------
# What the reading says: warnings, the generic-rules notice, per-layer types, the softmax mscale


def alerts(at, kind: str) -> str:
    return "\n".join(a.value for a in getattr(at, kind))


def yarn_inv_freq(dim: int, base: float, factor: float, original: int, fast=32.0, slow=1.0) -> np.ndarray:
    """YaRN's frequencies as the paper's code computes them (Peng et al. 2023, with transformers'
    floor/ceil of the correction dims): theta_i / s below the ramp, theta_i above, linear between."""
    theta = base ** (-np.arange(0, dim, 2) / dim)

    def correction_dim(turns):
        return dim * math.log(original / (turns * 2 * math.pi)) / (2 * math.log(base))

    low, high = math.floor(correction_dim(fast)), math.ceil(correction_dim(slow))
    kept = 1 - np.clip((np.arange(dim // 2) - low) / (high - low), 0, 1)
    return theta / factor * (1 - kept) + theta * kept


def test_a_misspelled_rope_key_is_named_with_the_key_meant():
    at = open_page(PAGE)
    config = {
        "model_type": "llama",
        "head_dim": 128,
        "max_position_embeddings": 16384,
        "rope_scaling": {
            "rope_type": "yarn",
            "factor": 4.0,
            "original_max_position_embeddings": 4096,
            "beta_fats": 64,
        },
    }
    at.text_area(key="ym_text").input(json.dumps(config)).run()
    assert_clean(at)
    warned = alerts(at, "warning")
    assert "beta_fats" in warned and "beta_fast" in warned, warned
    # the misspelled key has no effect: beta_fast stays 32, as YaRN's default
    np.testing.assert_allclose(
        trace(chart_by_title(at, "Frequency per pair"), "scaled theta'")["y"],
        yarn_inv_freq(128, 10000.0, 4.0, 4096),
        rtol=1e-12,
    )


@pytest.mark.parametrize(
    "config, named",
    [
        ({"model_type": "my_new_model", "head_dim": 128, "max_position_embeddings": 4096}, "my_new_model"),
        ({"head_dim": 128, "max_position_embeddings": 4096}, "no model_type"),
    ],
    ids=["unknown", "missing"],
)
def test_an_unknown_or_missing_model_type_says_the_generic_rules_were_used(config, named):
    at = open_page(PAGE)
    at.text_area(key="ym_text").input(json.dumps(config)).run()
    assert_clean(at)
    warned = alerts(at, "warning")
    assert "generic" in warned and named in warned, warned
    assert metrics(at)["Rope type"] == "default"


def test_a_known_model_type_shows_no_generic_notice():
    at = shared_page(PAGE)
    assert "generic" not in alerts(at, "warning")
    assert any("model_type **llama**" in c.value for c in at.caption)


def test_gemma_3_draws_its_sliding_and_full_attention_layers():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("gemma3_4b").run()
    assert_clean(at)
    told = alerts(at, "info")
    assert "sliding_attention" in told and "full_attention" in told, told
    spec = chart_by_title(at, "Frequency per pair")
    theta_local = 10000.0 ** (-np.arange(0, 256, 2) / 256)  # rope_local_base_freq, never scaled
    theta_global = 1e6 ** (-np.arange(0, 256, 2) / 256)  # rope_theta, linear factor 8
    np.testing.assert_allclose(trace(spec, "theta'_i: full_attention")["y"], theta_global / 8, rtol=1e-12)
    np.testing.assert_allclose(trace(spec, "theta'_i: sliding_attention")["y"], theta_local, rtol=1e-12)
    table = at.table[0].value
    assert list(table.columns) == ["number", "full_attention", "sliding_attention"]
    bases = table.set_index("number").loc["base"]
    assert (bases["full_attention"], bases["sliding_attention"]) == ("1,000,000", "10,000")


def test_only_multi_head_latent_attention_scales_the_softmax_by_mscale_squared():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("ministral3_8b_yarn").run()
    assert "softmax scale x mscale" not in alerts(at, "info")
    at.selectbox(key="ym_bundled").set_value("deepseek_v3").run()
    # DeepSeek-V3: mscale(40, 1) = 0.1 ln 40 + 1, squared in the softmax scale
    squared = (0.1 * math.log(40) + 1) ** 2
    told = alerts(at, "info")
    assert "softmax scale x mscale" in told and f"{squared:.4g}" in told, told


# ------------------------------------------------------------------------------------------------
# A second model on the same charts


def test_two_models_are_drawn_on_the_same_charts_and_compared_in_a_table():
    at = open_page(PAGE)
    at.selectbox(key="ym_bundled").set_value("llama2_7b").run()
    at.selectbox(key="ym2_bundled").set_value("yarn_llama2_7b_64k").run()
    assert_clean(at)
    assert_finite_charts(at)
    frequency = chart_by_title(at, "Frequency per pair")
    theta = 10000.0 ** (-np.arange(0, 128, 2) / 128)
    np.testing.assert_allclose(trace(frequency, "theta'_i: Llama 2 7B (default)")["y"], theta, rtol=1e-12)
    np.testing.assert_allclose(
        trace(frequency, "theta'_i: YaRN Llama 2 7B 64k (yarn)")["y"],
        yarn_inv_freq(128, 10000.0, 16.0, 4096),
        rtol=1e-12,
    )
    stretch = chart_by_title(at, "times slower")
    names = [t["name"] for t in stretch["data"]]
    assert any("Llama 2 7B (default)" in n for n in names) and any("64k (yarn)" in n for n in names), names
    table = at.table[0].value.set_index("number")
    assert list(table.columns) == ["Llama 2 7B", "YaRN Llama 2 7B 64k"]
    assert table.loc["rope type"].tolist() == ["default", "yarn"]
    # YaRN's attention factor 0.1 ln 16 + 1 on cos and sin
    assert float(table.loc["attention factor (cos, sin)", "YaRN Llama 2 7B 64k"]) == pytest.approx(
        0.1 * math.log(16) + 1, rel=1e-5
    )
    assert metrics(at)["Rope type"] == "default", "the numbers above are the first model's"


def test_the_picked_models_live_in_the_url():
    at = open_page(PAGE, {"ym_model": "qwen3_yarn", "ym_vs": "llama3_1_8b"})
    assert_clean(at)
    assert metrics(at)["Rope type"] == "yarn" and metrics(at)["Base"] == "1,000,000"
    assert list(at.table[0].value.columns) == ["number", "Qwen3 + YaRN", "Llama 3.1 8B"]
    at.selectbox(key="ym2_bundled").set_value("gemma3_4b").run()
    assert at.query_params["ym_vs"] == "gemma3_4b" and at.query_params["ym_model"] == "qwen3_yarn"
    at.text_area(key="ym2_text").input(at.text_area(key="ym2_text").value + " ").run()
    assert "ym_vs" not in at.query_params, "an edited config is no longer the bundled one"


def test_a_link_naming_no_bundled_config_says_so_and_keeps_the_default():
    at = shared_page(PAGE, {"ym_vs": "x" * 500})
    assert_clean(at)
    assert "is not a bundled config" in errors(at) and "x" * 30 not in errors(at)
    assert metrics(at)["Rope type"] == "llama3"
    assert len(at.table[0].value.columns) == 2, "no second model"


def test_the_same_model_twice_gets_two_names():
    at = open_page(PAGE)
    at.selectbox(key="ym2_bundled").set_value("llama3_1_8b").run()
    assert_clean(at)
    assert list(at.table[0].value.columns) == ["number", "Llama 3.1 8B", "Llama 3.1 8B (second)"]


@pytest.mark.parametrize(
    "text, problem",
    [
        ("{bad json", "line 1, column 2"),
        ('{"head_dim": 7}', "rotary dim"),
        ('{"model_type": "llama", "head_dim": 128, "rope_scaling": {"type": "magic"}}', "unknown rope type"),
    ],
    ids=["json", "odd_dim", "rope_type"],
)
def test_a_bad_second_config_names_the_problem_and_keeps_the_first(text, problem):
    at = open_page(PAGE)
    at.text_area(key="ym2_text").input(text).run()
    assert_clean(at)
    assert "second config cannot be read" in errors(at) and problem in errors(at), errors(at)
    assert metrics(at)["Rope type"] == "llama3"
    assert len(at.table[0].value.columns) == 2, "only the first model is drawn"
    assert_finite_charts(at)


def test_a_bad_second_config_after_a_good_one_keeps_both_on_screen():
    at = open_page(PAGE)
    at.selectbox(key="ym2_bundled").set_value("qwen3_yarn").run()
    at.text_area(key="ym2_text").input("{").run()
    assert_clean(at)
    assert "second config cannot be read" in errors(at)
    assert any("last second config that worked" in c.value for c in at.caption)
    assert list(at.table[0].value.columns) == ["number", "Llama 3.1 8B", "Qwen3 + YaRN"]


def test_a_bad_second_upload_keeps_the_first_model():
    at = open_page(PAGE)
    at.file_uploader(key="ym2_upload").upload("long.json", b"[1]", "application/json").run()
    assert_clean(at)
    assert "long.json was not loaded" in errors(at) and "got a list" in errors(at)
    assert metrics(at)["Rope type"] == "llama3"


def test_an_uploaded_second_config_is_overlaid_and_can_be_removed():
    at = open_page(PAGE)
    data = json.dumps(DYNAMIC).encode()
    at.file_uploader(key="ym2_upload").upload("dyn.json", data, "application/json").run()
    assert_clean(at)
    assert any("dyn.json (dynamic)" in t["name"] for t in chart_by_title(at, "times slower")["data"])
    assert at.select_slider(key="ym_seq").value == 131072, "the second model's dynamic type needs l'"
    next(b for b in at.button if "Remove the second model" in b.label).click().run()
    assert_clean(at)
    assert len(at.table[0].value.columns) == 2


def test_the_model_type_table_lists_what_each_model_type_reads():
    at = shared_page(PAGE)
    rules = next(
        d.value for d in at.dataframe if "model_type" in d.value.columns and "base" in d.value.columns
    )
    rules = rules.set_index("model_type")
    assert len(rules) > 150
    # GPT-NeoX: rotary_pct (0.25 when absent) of each head rotates, base from rotary_emb_base
    assert "rotary_pct" in rules.loc["gpt_neox", "rotating fraction"]
    assert "0.25" in rules.loc["gpt_neox", "rotating fraction"]
    assert "rotary_emb_base" in rules.loc["gpt_neox", "base"]
    # Phi-3 reads yarn as longrope and defaults original_max_position_embeddings to 4096
    assert "yarn as longrope" in rules.loc["phi3", "renames, refusals, defaults"]
    assert "4,096" in rules.loc["phi3", "renames, refusals, defaults"]
    assert rules.loc["deepseek_v3", "MLA softmax mscale"] == "yes"
    assert rules.loc["llama", "MLA softmax mscale"] == ""
    assert "sliding_attention" in rules.loc["gemma3_text", "per-layer types"]
