"""rope_from_hf_config against HuggingFace transformers 5.x (test-only oracle) and the real
configs of yarn-facts.md."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.support import paper_reference as ref
from yarn_core import parse_config_text, rope_from_hf_config

ORACLE = settings(max_examples=200, deadline=None)
HF_RTOL = 1e-6  # float32 oracle; see hf_oracle.py


@pytest.fixture(scope="module")
def hf():
    """The transformers oracle; tests that use it are skipped if transformers is absent (the
    hand-derived tests in this module still run)."""
    pytest.importorskip("transformers")
    from tests.support import hf_oracle

    assert hf_oracle.HF_RTOL == HF_RTOL
    return hf_oracle


def assert_matches_hf(hf, config, seq_len=None, rtol=HF_RTOL, float64=False):
    ours = rope_from_hf_config(config, seq_len)
    inv, attention = hf.hf_rope(config, seq_len, float64=float64)
    assert ours.inv_freq.shape == inv.shape
    np.testing.assert_allclose(ours.inv_freq, inv, rtol=rtol, atol=0)
    # attention factors are plain Python floats on both sides: same formula, same precision
    assert ours.attention_factor == pytest.approx(attention, rel=1e-12)
    return ours


# ---------------------------------------------------------------------------------------------
# Strategies: many configs of every type

bases = st.floats(100, 1e7) | st.sampled_from([1e4, 5e5, 1e6, 150000.0, 1e7])


@st.composite
def head(draw):
    """head_dim directly, hidden_size / num_attention_heads, or both (head_dim wins), with an
    optional partial_rotary_factor at the top level or inside the scaling dict."""
    head_dim = 2 * draw(st.integers(4, 256))
    heads = draw(st.sampled_from([8, 16, 32, 64]))
    style = draw(st.sampled_from(["head_dim", "hidden", "both"]))
    if style == "head_dim":
        fields = {"head_dim": head_dim}
    elif style == "hidden":
        fields = {"hidden_size": head_dim * heads, "num_attention_heads": heads}
    else:
        fields = {
            "head_dim": head_dim,
            "hidden_size": draw(st.sampled_from([2048, 3072, 4096])),
            "num_attention_heads": heads,
        }
    prf = draw(st.sampled_from([None, 0.25, 0.5, 0.75, 1.0]))
    assume(prf is None or (int(head_dim * prf) % 2 == 0 and int(head_dim * prf) >= 4))
    return fields, prf, draw(st.booleans())


@st.composite
def hf_configs(draw, rope_type):
    """A config.json dict of ``rope_type`` with the keys spelled every way transformers reads."""
    fields, prf, prf_inside = draw(head())
    config = dict(fields)
    scaling = {}
    theta = draw(bases)
    if draw(st.booleans()):
        scaling["rope_theta"] = theta  # v5 style: inside rope_parameters
    else:
        config["rope_theta"] = theta
    if prf is not None:
        (scaling if prf_inside else config)["partial_rotary_factor"] = prf
    length = draw(st.integers(16, 1_048_576))
    config["max_position_embeddings"] = length
    if rope_type == "linear":
        scaling["factor"] = draw(st.floats(0.5, 128))
    elif rope_type == "dynamic":
        scaling["factor"] = draw(st.floats(1, 32))
    elif rope_type in ("yarn", "llama3"):
        original = draw(st.integers(16, 262_144))
        where = draw(
            st.sampled_from(
                ["nested", "top", "both", "missing"] if rope_type == "yarn" else ["nested", "top", "both"]
            )
        )
        if where in ("nested", "both"):
            scaling["original_max_position_embeddings"] = original if where == "nested" else original * 2
        if where in ("top", "both"):
            config["original_max_position_embeddings"] = original
        if rope_type == "llama3" or draw(st.booleans()):
            scaling["factor"] = draw(st.floats(1, 64))
        config["max_position_embeddings"] = int(original * draw(st.floats(1, 64)))
    if rope_type == "yarn":
        for key, values in (
            ("beta_fast", st.floats(8, 64)),
            ("beta_slow", st.floats(0.25, 4)),
            ("truncate", st.booleans()),
        ):
            if draw(st.booleans()):
                scaling[key] = draw(values)
        mscales = draw(st.sampled_from(["none", "both", "mscale", "all_dim"]))
        if mscales in ("both", "mscale"):
            scaling["mscale"] = draw(st.floats(0, 2))
        if mscales in ("both", "all_dim"):
            scaling["mscale_all_dim"] = draw(st.floats(0, 2))
        if draw(st.integers(0, 3)) == 0:
            scaling["attention_factor"] = draw(st.floats(0.1, 3))
    if rope_type == "llama3":
        low = draw(st.floats(0.5, 2))
        scaling["low_freq_factor"] = low
        scaling["high_freq_factor"] = low * draw(st.floats(2, 8))
    if rope_type != "default" or scaling:
        scaling[draw(st.sampled_from(["rope_type", "type"]))] = rope_type
        config[draw(st.sampled_from(["rope_scaling", "rope_parameters"]))] = scaling
    return config


@ORACLE
@given(config=hf_configs("default"))
def test_default_matches_transformers(hf, config):
    assert_matches_hf(hf, config)


@ORACLE
@given(config=hf_configs("linear"))
def test_linear_matches_transformers(hf, config):
    assert_matches_hf(hf, config)


@ORACLE
@given(config=hf_configs("dynamic"), data=st.data())
def test_dynamic_matches_transformers_below_at_and_above_the_window(hf, config, data):
    length = config["max_position_embeddings"]
    seq_len = data.draw(st.none() | st.integers(1, length) | st.integers(length, 16 * length))
    ours = assert_matches_hf(hf, config, seq_len)
    if seq_len is None or seq_len <= length:
        np.testing.assert_allclose(ours.inv_freq, ours.base_inv_freq, rtol=1e-12)


@ORACLE
@given(config=hf_configs("yarn"))
def test_yarn_matches_transformers(hf, config):
    assert_matches_hf(hf, config, rtol=hf.blend_rtol(rope_from_hf_config(config).factor))
    assert_matches_hf(hf, config, float64=True)


@ORACLE
@given(config=hf_configs("llama3"))
def test_llama3_matches_transformers(hf, config):
    scaling = config.get("rope_scaling") or config["rope_parameters"]
    low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
    assert_matches_hf(hf, config, rtol=hf.blend_rtol(scaling["factor"], high / (high - low)))
    assert_matches_hf(hf, config, float64=True)


def phi3_config(
    seed=0,
    *,
    factor=None,
    attention_factor=None,
    type_key="type",
    rope_type="longrope",
    prf=None,
    max_pos=131072,
    original=4096,
):
    """Phi-3-mini-128k-like: hidden 3072, 32 heads (head 96, 48 factors per list); with
    ``prf`` = 0.75 and 24 heads it is Phi-4-mini-like (head 128, rotary 96, still 48)."""
    rng = np.random.default_rng(seed)
    scaling = {
        type_key: rope_type,
        "short_factor": np.round(rng.uniform(1.0, 1.2, 48), 4).tolist(),
        "long_factor": np.round(np.exp(rng.uniform(0, math.log(60), 48)), 4).tolist(),
    }
    if factor is not None:
        scaling["factor"] = factor
    if attention_factor is not None:
        scaling["attention_factor"] = attention_factor
    config = {
        "hidden_size": 3072,
        "num_attention_heads": 32 if prf is None else 24,
        "rope_theta": 10000.0,
        "max_position_embeddings": max_pos,
        "original_max_position_embeddings": original,
        "rope_scaling": scaling,
    }
    if prf is not None:
        config["partial_rotary_factor"] = prf
    return config


@ORACLE
@given(
    seed=st.integers(0, 2**32 - 1),
    factor=st.none() | st.floats(1, 64),
    attention=st.none() | st.floats(0.5, 2),
    prf=st.sampled_from([None, 0.75]),
    original=st.sampled_from([2048, 4096, 8192]),
    ratio=st.integers(1, 64),
    type_key=st.sampled_from(["type", "rope_type"]),
    data=st.data(),
)
def test_longrope_matches_transformers_short_and_long(
    hf, seed, factor, attention, prf, original, ratio, type_key, data
):
    config = phi3_config(
        seed,
        factor=factor,
        attention_factor=attention,
        prf=prf,
        max_pos=original * ratio,
        original=original,
        type_key=type_key,
    )
    seq_len = data.draw(st.none() | st.integers(1, original) | st.integers(original + 1, original * 64))
    ours = assert_matches_hf(hf, config, seq_len)
    scaling = config["rope_scaling"]
    use_long = seq_len is not None and seq_len > original
    expected = ref.longrope(96, 10000.0, scaling["long_factor"] if use_long else scaling["short_factor"])
    np.testing.assert_allclose(ours.inv_freq, expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# The real configs of yarn-facts.md, at the strict HF tolerance, plus hand-derived expectations

LLAMA2 = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "rope_theta": 10000.0,
    "max_position_embeddings": 4096,
}
MISTRAL = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "head_dim": 128,
    "rope_theta": 10000.0,
    "max_position_embeddings": 32768,
}
LLAMA31 = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "rope_theta": 500000.0,
    "max_position_embeddings": 131072,
    "rope_scaling": {
        "rope_type": "llama3",
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
    },
}
QWEN3 = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "head_dim": 128,
    "rope_theta": 1000000.0,
    "max_position_embeddings": 131072,
    "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
}
DEEPSEEK_V3 = {
    "hidden_size": 7168,
    "num_attention_heads": 128,
    "qk_rope_head_dim": 64,
    "qk_nope_head_dim": 128,
    "v_head_dim": 128,
    "rope_theta": 10000,
    "max_position_embeddings": 163840,
    "rope_scaling": {
        "type": "yarn",
        "factor": 40,
        "original_max_position_embeddings": 4096,
        "beta_fast": 32,
        "beta_slow": 1,
        "mscale": 1.0,
        "mscale_all_dim": 1.0,
    },
}
GPT_OSS = {
    "hidden_size": 2880,
    "num_attention_heads": 64,
    "head_dim": 64,
    "rope_theta": 150000,
    "max_position_embeddings": 131072,
    "rope_scaling": {
        "rope_type": "yarn",
        "factor": 32.0,
        "beta_fast": 32.0,
        "beta_slow": 1.0,
        "truncate": False,
        "original_max_position_embeddings": 4096,
    },
}
YARN_LLAMA2_32K = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "rope_theta": 10000.0,
    "max_position_embeddings": 65536,
    "rope_scaling": {"type": "yarn", "factor": 16.0, "original_max_position_embeddings": 4096},
}
YARN_LLAMA2_128K = {
    "hidden_size": 4096,
    "num_attention_heads": 32,
    "rope_theta": 10000.0,
    "max_position_embeddings": 131072,
    "rope_scaling": {"type": "yarn", "factor": 32.0, "original_max_position_embeddings": 4096},
}
REAL = {
    "llama2": LLAMA2,
    "mistral": MISTRAL,
    "llama3.1": LLAMA31,
    "qwen3": QWEN3,
    "deepseek-v3": DEEPSEEK_V3,
    "gpt-oss": GPT_OSS,
    "yarn-llama2-64k": YARN_LLAMA2_32K,
    "yarn-llama2-128k": YARN_LLAMA2_128K,
    "phi3-128k": phi3_config(),
}


@pytest.mark.parametrize("name", list(REAL))
@pytest.mark.parametrize("seq_len", [None, 2048, 200_000])
def test_real_configs_match_transformers(hf, name, seq_len):
    config = json.loads(json.dumps(REAL[name]))  # as read from a config.json
    assert_matches_hf(hf, config, seq_len)
    assert parse_config_text(json.dumps(config)) == config


def test_llama2_and_mistral_are_plain_rope():
    for config in (LLAMA2, MISTRAL):
        rope = rope_from_hf_config(config)
        assert rope.rope_type == "default" and rope.method == "none"
        assert rope.head_dim == rope.rotary_dim == 128 and rope.base == 10000.0
        np.testing.assert_allclose(rope.inv_freq, ref.inv_freq(128, 1e4), rtol=1e-14)
        assert rope.attention_factor == 1.0
    assert rope_from_hf_config(LLAMA2).max_position_embeddings == 4096


def test_llama31_bands():
    rope = rope_from_hf_config(LLAMA31)
    assert (rope.rope_type, rope.factor, rope.original_length) == ("llama3", 8.0, 8192)
    np.testing.assert_allclose(rope.inv_freq, ref.llama3(128, 500000.0, 8.0, 1.0, 4.0, 8192), rtol=1e-14)
    lam = 2 * np.pi / np.array(ref.inv_freq(128, 500000.0))
    # wavelengths above 8192 divided by 8, below 2048 kept
    assert np.all(rope.interpolated[lam > 8192] == 1) and np.all(rope.interpolated[lam < 2048] == 0)
    assert rope.attention_factor == 1.0


def test_qwen3_yarn():
    rope = rope_from_hf_config(QWEN3)
    assert rope.scaled.correction_range == (23, 40)
    assert rope.attention_factor == pytest.approx(1.138629436111989, rel=1e-14)
    assert rope.original_length == 32768 and rope.factor == 4.0


def test_deepseek_v3_rope_part():
    rope = rope_from_hf_config(DEEPSEEK_V3)
    assert rope.head_dim == rope.rotary_dim == 64  # qk_rope_head_dim, not hidden / heads = 56
    assert rope.scaled.correction_range == (10, 23)
    assert rope.attention_factor == pytest.approx(1.0, abs=1e-15)  # mscale / mscale_all_dim
    assert rope.factor == 40.0 and rope.notes == ()


def test_gpt_oss_yarn_without_truncation():
    rope = rope_from_hf_config(GPT_OSS)
    low = ref.correction_dim(32, 64, 150000, 4096)
    high = ref.correction_dim(1, 64, 150000, 4096)
    assert rope.scaled.correction_range == pytest.approx((low, high), rel=1e-13)
    assert low % 1 != 0 and high % 1 != 0
    np.testing.assert_allclose(
        rope.inv_freq,
        ref.blend(64, 150000, 32.0, ref.code_gamma(64, 150000, 4096, truncate=False)),
        rtol=1e-13,
    )
    assert rope.attention_factor == pytest.approx(0.1 * math.log(32) + 1, rel=1e-14)


def test_yarn_llama2_legacy_type_key():
    for config, factor in ((YARN_LLAMA2_32K, 16.0), (YARN_LLAMA2_128K, 32.0)):
        rope = rope_from_hf_config(config)
        assert rope.rope_type == "yarn" and rope.factor == factor
        np.testing.assert_allclose(
            rope.inv_freq, ref.blend(128, 1e4, factor, ref.code_gamma(128, 1e4, 4096)), rtol=1e-13
        )


def test_phi3_longrope_switch_and_attention():
    config = phi3_config()
    short, long = config["rope_scaling"]["short_factor"], config["rope_scaling"]["long_factor"]
    at_l, past_l = rope_from_hf_config(config, 4096), rope_from_hf_config(config, 4097)
    np.testing.assert_allclose(at_l.inv_freq, ref.longrope(96, 1e4, short), rtol=1e-14)
    np.testing.assert_allclose(past_l.inv_freq, ref.longrope(96, 1e4, long), rtol=1e-14)
    np.testing.assert_allclose(
        rope_from_hf_config(config).inv_freq, at_l.inv_freq, rtol=0
    )  # no seq_len: short, as at init
    # factor 131072 / 4096 = 32; sqrt(1 + ln 32 / ln 4096) = sqrt(17/12)
    assert at_l.factor == 32.0 and at_l.attention_factor == pytest.approx(math.sqrt(17 / 12), rel=1e-14)
    assert any("factor derived" in note for note in at_l.notes)
    phi4 = rope_from_hf_config(phi3_config(prf=0.75), 5000)
    assert (phi4.head_dim, phi4.rotary_dim) == (128, 96)
    su = rope_from_hf_config(phi3_config(rope_type="su"), 5000)
    assert su.rope_type == "longrope" and any("old name" in note for note in su.notes)
    np.testing.assert_array_equal(su.inv_freq, past_l.inv_freq)


# ---------------------------------------------------------------------------------------------
# How the keys are read


KEYS = {"head_dim": 128, "rope_theta": 1e4, "max_position_embeddings": 16384}
SPECIAL = {
    # name: (config, seq_len)
    **{
        f"{dict_key}-{type_key}": (
            {**KEYS, dict_key: {type_key: "yarn", "factor": 4.0, "original_max_position_embeddings": 4096}},
            None,
        )
        for dict_key in ("rope_scaling", "rope_parameters")
        for type_key in ("type", "rope_type")
    },
    "theta-inside": (
        {
            "head_dim": 64,
            "rope_theta": 1e4,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "default", "rope_theta": 1e6},
        },
        None,
    ),
    "original-top-and-nested": (
        {
            "head_dim": 128,
            "rope_theta": 1e4,
            "max_position_embeddings": 32768,
            "original_max_position_embeddings": 4096,
            "rope_scaling": {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 8192},
        },
        None,
    ),
    "original-nested": (
        {
            "head_dim": 128,
            "rope_theta": 1e4,
            "max_position_embeddings": 32768,
            "rope_scaling": {"rope_type": "yarn", "factor": 8.0, "original_max_position_embeddings": 8192},
        },
        None,
    ),
    "original-missing": (
        {
            "head_dim": 128,
            "max_position_embeddings": 8192,
            "rope_scaling": {"rope_type": "yarn", "factor": 2.0},
        },
        None,
    ),
    "factor-vs-ratio": (
        {
            "head_dim": 128,
            "max_position_embeddings": 32768,
            "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
        },
        None,
    ),
    "factor-missing": (
        {
            "head_dim": 128,
            "max_position_embeddings": 32768,
            "rope_scaling": {"rope_type": "yarn", "original_max_position_embeddings": 4096},
        },
        None,
    ),
    "head_dim-wins": (
        {"hidden_size": 3072, "num_attention_heads": 16, "head_dim": 256, "max_position_embeddings": 8192},
        None,
    ),
    "hidden-over-heads": (
        {"hidden_size": 3072, "num_attention_heads": 16, "max_position_embeddings": 8192},
        None,
    ),
    "partial": (
        {
            "hidden_size": 2560,
            "num_attention_heads": 32,
            "partial_rotary_factor": 0.5,
            "max_position_embeddings": 2048,
            "rope_scaling": {"type": "linear", "factor": 2.0},
        },
        None,
    ),
    **{
        f"dynamic-{seq_len}": (
            {
                "head_dim": 128,
                "rope_theta": 1e4,
                "max_position_embeddings": 4096,
                "rope_scaling": {"type": "dynamic", "factor": 2.0},
            },
            seq_len,
        )
        for seq_len in (None, 100, 4096, 6144, 8192)
    },
    "both-dicts": (
        {
            "head_dim": 128,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "linear", "factor": 2.0},
            "rope_scaling": {"rope_type": "linear", "factor": 3.0},
        },
        None,
    ),
    "both-dicts-empty-scaling": (
        {
            "head_dim": 128,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "linear", "factor": 2.0},
            "rope_scaling": {},
        },
        None,
    ),
    # the reference ramp clamps high to |D| - 1 but not low: with truncate off, low = 7.43 > high = 7
    # here and the code ramp interpolates every pair although each turns > 5000 times inside L
    # (the paper ramp keeps them all); yarn_core reproduces what transformers computes
    "inverted-code-ramp": (
        {
            "head_dim": 8,
            "rope_theta": 100,
            "max_position_embeddings": 4 * 2**20,
            "rope_scaling": {
                "rope_type": "yarn",
                "factor": 4.0,
                "original_max_position_embeddings": 2**20,
                "truncate": False,
            },
        },
        None,
    ),
    "both-dicts-null-scaling": (
        {
            "head_dim": 128,
            "max_position_embeddings": 4096,
            "rope_parameters": {"rope_type": "linear", "factor": 2.0},
            "rope_scaling": None,
        },
        None,
    ),
}


@pytest.mark.parametrize("name", list(SPECIAL))
def test_special_configs_match_transformers(hf, name):
    config, seq_len = SPECIAL[name]
    assert_matches_hf(hf, config, seq_len)


def test_type_and_rope_type_keys_and_both_dict_names_agree():
    results = [
        rope_from_hf_config(SPECIAL[f"{d}-{t}"][0]).inv_freq
        for d in ("rope_scaling", "rope_parameters")
        for t in ("type", "rope_type")
    ]
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
    np.testing.assert_allclose(
        results[0], ref.blend(128, 1e4, 4.0, ref.code_gamma(128, 1e4, 4096)), rtol=1e-13
    )


def test_rope_theta_inside_the_scaling_dict_wins():
    assert rope_from_hf_config(SPECIAL["theta-inside"][0]).base == 1e6
    assert rope_from_hf_config({"head_dim": 64}).base == 10000.0  # the default base


def test_top_level_original_max_position_embeddings_wins():
    assert rope_from_hf_config(SPECIAL["original-top-and-nested"][0]).original_length == 4096
    assert rope_from_hf_config(SPECIAL["original-nested"][0]).original_length == 8192


def test_yarn_without_original_uses_max_position_embeddings():
    rope = rope_from_hf_config(SPECIAL["original-missing"][0])
    assert rope.original_length == 8192 and any("original_max_position_embeddings" in n for n in rope.notes)
    np.testing.assert_allclose(
        rope.inv_freq, ref.blend(128, 1e4, 2.0, ref.code_gamma(128, 1e4, 8192)), rtol=1e-13
    )


def test_yarn_factor_is_read_not_replaced_by_the_length_ratio():
    # transformers 4.51-4.55 replaced factor by max_position_embeddings / original (here 8); 5.x uses 4
    rope = rope_from_hf_config(SPECIAL["factor-vs-ratio"][0])
    assert rope.factor == 4.0 and rope.attention_factor == pytest.approx(0.1 * math.log(4) + 1, rel=1e-15)


def test_yarn_missing_factor_is_the_length_ratio():
    rope = rope_from_hf_config(SPECIAL["factor-missing"][0])
    assert rope.factor == 8.0 and any("factor derived" in n for n in rope.notes)
    assert rope.attention_factor == pytest.approx(0.1 * math.log(8) + 1, rel=1e-15)


def test_head_dim_wins_over_hidden_size_over_heads():
    # Gemma-like: hidden 3072, 16 heads (192) but head_dim 256
    assert rope_from_hf_config(SPECIAL["head_dim-wins"][0]).head_dim == 256
    assert rope_from_hf_config(SPECIAL["hidden-over-heads"][0]).head_dim == 192


def test_partial_rotary_factor():
    rope = rope_from_hf_config(SPECIAL["partial"][0])
    assert (rope.head_dim, rope.rotary_dim) == (80, 40) and rope.inv_freq.shape == (20,)
    np.testing.assert_allclose(rope.inv_freq, np.array(ref.inv_freq(40, 1e4)) / 2, rtol=1e-14)


@pytest.mark.parametrize(
    "seq_len, expected_base",
    [(None, 10000.0), (100, 10000.0), (4096, 10000.0), (6144, 20221.26), (8192, 30527.74)],
)
def test_dynamic_seq_len_below_and_above_the_window(seq_len, expected_base):
    config, _ = SPECIAL[f"dynamic-{seq_len}"]
    rope = rope_from_hf_config(config, seq_len)
    assert rope.scaled.base == pytest.approx(expected_base, abs=0.006)
    assert rope.seq_len == max(seq_len or 4096, 4096)
    np.testing.assert_allclose(rope.inv_freq, ref.inv_freq(128, rope.scaled.base), rtol=1e-12)


def test_rope_scaling_wins_over_rope_parameters_as_in_transformers():
    # transformers 5.x reads `rope_scaling or rope_parameters` (4.x knows only rope_scaling)
    assert rope_from_hf_config(SPECIAL["both-dicts"][0]).factor == 3.0
    assert rope_from_hf_config(SPECIAL["both-dicts-empty-scaling"][0]).factor == 2.0
    assert rope_from_hf_config(SPECIAL["both-dicts-null-scaling"][0]).factor == 2.0


def test_seq_len_only_matters_for_dynamic_and_longrope():
    for config in (LLAMA31, QWEN3, GPT_OSS, LLAMA2):
        np.testing.assert_array_equal(
            rope_from_hf_config(config, 10).inv_freq, rope_from_hf_config(config, 10**6).inv_freq
        )


# ---------------------------------------------------------------------------------------------
# The bundled real configs (assets/configs) against their own model's rotary code

BUNDLED = sorted((Path(__file__).resolve().parents[2] / "assets" / "configs").glob("*.json"))
SAME_AS = {"kimi_k2": "deepseek_v3"}
"""Model types transformers 5.24 does not know, and the one whose code their model runs (Moonshot:
Kimi K2 is the DeepSeek-V3 architecture). Phi-3-vision (phi3_v, remote code) is checked against
the generic oracle instead: Phi3Config itself fails on its legacy 'su' type (standardisation does
not move original_max_position_embeddings for it)."""


@pytest.mark.parametrize("path", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_bundled_configs_read_as_their_own_model(hf, path):
    entry = json.loads(path.read_text())
    assert set(entry) == {"order", "name", "source", "note", "config"} and entry["source"] and entry["note"]
    config = entry["config"]
    rope = rope_from_hf_config(config)
    assert rope.generic == (config["model_type"] not in hf.MODEL_ROTARY)
    assert not rope.warnings
    if config["model_type"] not in hf.MODEL_ROTARY and config["model_type"] not in SAME_AS:
        renamed = json.loads(json.dumps(config).replace('"type": "su"', '"type": "longrope"'))
        assert_matches_hf(hf, renamed)  # the oracle's Phi3Config fails on 'su' itself, see SAME_AS
        np.testing.assert_array_equal(rope.inv_freq, rope_from_hf_config(renamed).inv_freq)
        return
    model_type = SAME_AS.get(config["model_type"], config["model_type"])
    as_model = {**config, "model_type": model_type}
    theirs = hf.model_rope(model_type, as_model)
    ours = dict(rope.layer_types) if rope.layer_types else {None: rope}
    assert set(ours) == set(theirs)
    for layer, (inv_freq, factor) in theirs.items():
        np.testing.assert_allclose(ours[layer].inv_freq, inv_freq, rtol=HF_RTOL, atol=0)
        assert ours[layer].attention_factor == pytest.approx(factor, rel=1e-12)
    model = hf.model_config(model_type, as_model)
    assert rope.softmax_factor == pytest.approx(hf.config_softmax_factor(model_type, model), rel=1e-12)
