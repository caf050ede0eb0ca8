"""Issue 15: the config is read as the model's own code reads it. One group of tests per defect the
audit found (legacy rotary keys, model_type ignored, a tiny beta_slow crashing, nonsense accepted
silently, unbounded messages, per-layer-type RoPE refused); the expectations are hand-derived and,
where a transformers model exists, checked against its own rotary embedding class too."""

import json
import math

import numpy as np
import pytest

from tests.support import paper_reference as ref
from yarn_core import ConfigError, get_mscale, rope_from_hf_config
from yarn_core.hf_config import GENERIC, MODEL_RULES, ROPE_KEYS, ROPE_READERS, WRAPPERS

PYTHIA = {
    "model_type": "gpt_neox",
    "hidden_size": 1024,
    "num_attention_heads": 16,
    "max_position_embeddings": 2048,
    "rotary_emb_base": 1000000,
    "rotary_pct": 0.25,
}
"""The issue's Pythia-style config: head 64, a quarter of it (16 dims, 8 pairs) rotates at 1e6."""


@pytest.fixture(scope="module")
def hf():
    pytest.importorskip("transformers")
    from tests.support import hf_oracle

    return hf_oracle


def assert_model_reads_it(hf, model_type: str, config: dict) -> None:
    """yarn_core's reading of ``config`` is what ``model_type``'s own rotary code computes."""
    (inv_freq, factor), *_ = hf.model_rope(model_type, config).values()
    rope = rope_from_hf_config(config)
    np.testing.assert_allclose(rope.inv_freq, inv_freq, rtol=1e-6, atol=0)  # LongRoPE stays float32
    assert rope.attention_factor == pytest.approx(factor, rel=1e-12)


# ---------------------------------------------------------------------------------------------
# 1. Legacy rotary keys: rotary_pct (default 0.25), rotary_emb_base, rotary_dim


def test_pythia_rotates_a_quarter_of_the_head_at_rotary_emb_base(hf):
    rope = rope_from_hf_config(PYTHIA)
    assert (rope.head_dim, rope.rotary_dim, rope.base) == (64, 16, 1e6)  # not 32 pairs at 10,000
    assert len(rope.inv_freq) == 8 and rope.model_type == "gpt_neox" and not rope.generic
    np.testing.assert_allclose(rope.inv_freq, ref.inv_freq(16, 1e6), rtol=1e-14)
    assert_model_reads_it(hf, "gpt_neox", PYTHIA)


def test_gpt_neox_rotary_pct_defaults_to_a_quarter(hf):
    config = {key: value for key, value in PYTHIA.items() if key not in ("rotary_pct", "rotary_emb_base")}
    rope = rope_from_hf_config(config)
    assert (rope.rotary_dim, rope.base) == (16, 10000.0)
    assert_model_reads_it(hf, "gpt_neox", config)
    # GPT-NeoX reads rotary_emb_base, not rope_theta
    assert rope_from_hf_config({**config, "rope_theta": 5e5}).base == 10000.0


def test_minimax_m2_rotary_dim_is_the_rotating_part(hf):
    config = {
        "model_type": "minimax_m2",
        "hidden_size": 3072,
        "num_attention_heads": 48,
        "head_dim": 128,
        "rotary_dim": 64,
        "max_position_embeddings": 196608,
        "rope_theta": 5000000,
    }
    rope = rope_from_hf_config(config)
    assert (rope.head_dim, rope.rotary_dim, rope.base) == (128, 64, 5e6)
    assert_model_reads_it(hf, "minimax_m2", config)


def test_legacy_keys_without_model_type_are_named_not_dropped_silently():
    config = {key: value for key, value in PYTHIA.items() if key != "model_type"}
    rope = rope_from_hf_config(config)
    assert rope.generic and "no model_type" in rope.generic_notice
    assert rope.rotary_dim == 64  # the generic rules read neither key ...
    for key in ("rotary_pct", "rotary_emb_base"):  # ... and say so
        assert any(warning.startswith(key) and "gpt_neox" in warning for warning in rope.warnings)


# ---------------------------------------------------------------------------------------------
# 2. model_type picks the model's own rules


def test_phi3_defaults_original_to_4096_and_reads_yarn_as_longrope(hf):
    config = {
        "model_type": "phi3",
        "hidden_size": 3072,
        "num_attention_heads": 32,
        "max_position_embeddings": 131072,
        "rope_scaling": {"type": "yarn", "short_factor": [1.0] * 48, "long_factor": [4.0] * 48},
    }
    rope = rope_from_hf_config(config, 8192)
    assert rope.rope_type == "longrope" and rope.original_length == 4096  # the class default
    assert any("reads rope type 'yarn' as 'longrope'" in note for note in rope.notes)
    assert rope.factor == 32.0 and rope.attention_factor == pytest.approx(
        math.sqrt(1 + math.log(32) / math.log(4096))
    )
    np.testing.assert_allclose(rope.inv_freq, np.array(ref.inv_freq(96, 1e4)) / 4.0, rtol=1e-14)
    assert_model_reads_it(hf, "phi3", config)
    with pytest.raises(ConfigError, match=r"phi3.*supports only default and longrope"):
        rope_from_hf_config({**config, "rope_scaling": {"rope_type": "linear", "factor": 2.0}})


def test_llama_default_rope_ignores_partial_rotary_factor_phi_defaults_it_to_half(hf):
    llama = {
        "model_type": "llama",
        "hidden_size": 2048,
        "num_attention_heads": 16,
        "partial_rotary_factor": 0.5,
    }
    rope = rope_from_hf_config(llama)
    assert rope.rotary_dim == rope.head_dim == 128
    assert any("partial_rotary_factor 0.5 is not read" in note for note in rope.notes)
    assert_model_reads_it(hf, "llama", llama)
    # the same factor with a scaled rope type is honoured by Llama's scaling functions
    scaled = {
        **llama,
        "max_position_embeddings": 4096,
        "rope_scaling": {"rope_type": "linear", "factor": 2.0},
    }
    assert rope_from_hf_config(scaled).rotary_dim == 64
    assert_model_reads_it(hf, "llama", scaled)
    phi = {
        "model_type": "phi",
        "hidden_size": 2560,
        "num_attention_heads": 32,
        "max_position_embeddings": 2048,
    }
    assert (rope_from_hf_config(phi).head_dim, rope_from_hf_config(phi).rotary_dim) == (80, 40)
    assert_model_reads_it(hf, "phi", phi)


def test_qk_rope_head_dim_is_read_only_by_latent_attention_models(hf):
    llama = {"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32, "qk_rope_head_dim": 64}
    rope = rope_from_hf_config(llama)
    assert rope.head_dim == 128 and any(w.startswith("qk_rope_head_dim is set") for w in rope.warnings)
    assert_model_reads_it(hf, "llama", llama)
    deepseek = {**llama, "model_type": "deepseek_v3", "hidden_size": 7168, "num_attention_heads": 128}
    assert rope_from_hf_config(deepseek).head_dim == 64
    assert_model_reads_it(hf, "deepseek_v3", deepseek)


def test_softmax_mscale_only_for_latent_attention_models(hf):
    scaling = {
        "rope_type": "yarn",
        "factor": 40.0,
        "original_max_position_embeddings": 4096,
        "mscale": 1.0,
        "mscale_all_dim": 1.0,
    }
    shape = {"hidden_size": 7168, "num_attention_heads": 128, "max_position_embeddings": 163840}
    deepseek = rope_from_hf_config({"model_type": "deepseek_v3", **shape, "rope_scaling": scaling})
    qwen = rope_from_hf_config({"model_type": "qwen2", **shape, "rope_scaling": scaling})
    assert deepseek.softmax_factor == pytest.approx(get_mscale(40.0, 1.0), rel=1e-15)
    assert qwen.softmax_factor == 1.0 and any("does not also scale the softmax" in n for n in qwen.notes)
    assert deepseek.attention_factor == qwen.attention_factor == pytest.approx(1.0)  # mscale / mscale_all_dim
    assert qwen.scaled.logit_multiplier == pytest.approx(1.0)
    for model_type, rope in (("deepseek_v3", deepseek), ("qwen2", qwen)):
        config = {"model_type": model_type, **shape, "rope_scaling": scaling}
        assert rope.softmax_factor == pytest.approx(
            hf.config_softmax_factor(model_type, hf.model_config(model_type, config))
        )


def test_unknown_and_missing_model_types_fall_back_to_the_generic_rules_and_say_so():
    for config, expected in (
        ({"hidden_size": 4096, "num_attention_heads": 32}, "no model_type"),
        ({"model_type": "my_model", "hidden_size": 4096, "num_attention_heads": 32}, "'my_model'"),
        ({"model_type": "pixtral", "hidden_size": 1024, "num_attention_heads": 16}, "'pixtral'"),
    ):
        rope = rope_from_hf_config(config)
        assert rope.generic and rope.model_type is None and expected in rope.generic_notice
        assert "generic rules" in rope.generic_notice
    known = rope_from_hf_config({"model_type": "llama", "hidden_size": 4096, "num_attention_heads": 32})
    assert not known.generic and known.generic_notice is None and known.model_type == "llama"
    with pytest.raises(ConfigError, match="model_type must be a string"):
        rope_from_hf_config({"model_type": 3, "head_dim": 128})


def test_composite_configs_read_their_language_model(hf):
    config = {
        "model_type": "llava",
        "text_config": {
            "model_type": "qwen2",
            "hidden_size": 3584,
            "num_attention_heads": 28,
            "rope_theta": 1e6,
            "max_position_embeddings": 32768,
        },
        "vision_config": {"model_type": "siglip_vision_model", "hidden_size": 1152},
    }
    rope = rope_from_hf_config(config)
    assert (rope.model_type, rope.head_dim, rope.base) == ("qwen2", 128, 1e6)
    assert any("text_config" in note for note in rope.notes)
    assert_model_reads_it(hf, "llava", config)
    with pytest.raises(ConfigError, match="text_config must be an object"):
        rope_from_hf_config({"model_type": "llava", "text_config": [1]})


def test_every_rules_entry_names_real_readers_and_head_sizes():
    from yarn_core.hf_config import HEAD_SIZES

    for model_type, rules in MODEL_RULES.items():
        assert rules.head_size in HEAD_SIZES, model_type
        assert set(rules.renames.values()) <= set(ROPE_READERS), model_type
        assert rules.rope_types is None or set(rules.rope_types) <= set(ROPE_READERS), model_type
    for model_type, (_, text_type, _) in WRAPPERS.items():
        assert text_type in MODEL_RULES, model_type
    assert set(ROPE_KEYS) == set(ROPE_READERS) and GENERIC.head_size == "generic"


# ---------------------------------------------------------------------------------------------
# 3. A tiny beta_slow is a ConfigError, not an OverflowError from math.ceil(inf)


@pytest.mark.parametrize("beta_slow", [1e-310, 5e-324, 1e-300, 1e-7])
def test_tiny_beta_slow_is_a_config_error(beta_slow):
    config = {
        "head_dim": 128,
        "max_position_embeddings": 16384,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
    }
    config["rope_scaling"]["beta_slow"] = beta_slow
    with pytest.raises(ConfigError, match="beta_slow must be >= 1e-06"):
        rope_from_hf_config(json.loads(json.dumps(config)))
    config["rope_scaling"]["beta_slow"] = 1e-6  # the smallest accepted: finite correction range
    assert all(math.isfinite(x) for x in rope_from_hf_config(config).scaled.correction_range)


# ---------------------------------------------------------------------------------------------
# 4. Nonsense is refused or named: uneven heads, absurd factors, a 1-token context, misspelled keys


def test_hidden_size_not_a_multiple_of_heads_is_refused_as_transformers_does(hf):
    for model_type in (None, "llama"):
        config = {"hidden_size": 4097, "num_attention_heads": 32} | (
            {"model_type": model_type} if model_type else {}
        )
        with pytest.raises(ConfigError, match="4097 is not a multiple of num_attention_heads 32"):
            rope_from_hf_config(config)
    with pytest.raises(Exception, match="multiple"):  # LlamaConfig refuses it too
        hf.model_config("llama", {"hidden_size": 4097, "num_attention_heads": 32})
    # Qwen2's config accepts it and its rotary code rounds the head size down: so do we
    qwen2 = {"model_type": "qwen2", "hidden_size": 4097, "num_attention_heads": 32}
    assert rope_from_hf_config(qwen2).head_dim == 128
    assert_model_reads_it(hf, "qwen2", qwen2)


@pytest.mark.parametrize("factor", [1e-300, 5e-324, 1e-7])
def test_absurdly_small_factor_is_refused(factor):
    for rope_type in ("linear", "yarn", "dynamic"):
        config = {"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"rope_type": rope_type}}
        config["rope_scaling"]["factor"] = factor
        with pytest.raises(ConfigError, match="factor must be >= 1e-06"):
            rope_from_hf_config(config)


def test_factor_below_one_is_read_with_a_warning():
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4096,
        "rope_scaling": {"rope_type": "linear", "factor": 0.5},
    }
    rope = rope_from_hf_config(config)
    assert rope.factor == 0.5 and any("below 1" in warning for warning in rope.warnings)


def test_one_token_original_context_says_the_ramp_is_empty():
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 1},
    }
    rope = rope_from_hf_config(config)
    assert rope.scaled.correction_range == (0, -12)  # what transformers computes ...
    (warning,) = [w for w in rope.warnings if "correction range" in w]  # ... and now says
    assert "(0, -12)" in warning and "every pair keeps its trained frequency" in warning
    assert np.all(rope.interpolated == 0)
    normal = {**config, "max_position_embeddings": 16384, "rope_scaling": {**config["rope_scaling"]}}
    normal["rope_scaling"]["original_max_position_embeddings"] = 4096
    assert not rope_from_hf_config(normal).warnings


def test_misspelled_rope_key_is_named_with_the_intended_one():
    config = {
        "model_type": "llama",
        "head_dim": 128,
        "max_position_embeddings": 16384,
        "rope_scaling": {
            "rope_type": "yarn",
            "factor": 4.0,
            "beta_fats": 64,
            "original_max_position_embeddings": 4096,
        },
    }
    rope = rope_from_hf_config(config)
    (warning,) = rope.warnings
    assert "rope_scaling.beta_fats" in warning and "did you mean 'beta_fast'" in warning
    assert (
        rope.scaled.correction_range
        == rope_from_hf_config(
            {
                **config,
                "rope_scaling": {
                    "rope_type": "yarn",
                    "factor": 4.0,
                    "original_max_position_embeddings": 4096,
                },
            }
        ).scaled.correction_range
    )


def test_cyrillic_letter_in_rope_theta_is_named_with_the_letter():
    config = {"model_type": "llama", "head_dim": 128, "r\u043epe_theta": 500000.0}  # Cyrillic o
    rope = rope_from_hf_config(config)
    assert rope.base == 10000.0  # the default, since the key is not rope_theta ...
    (warning,) = rope.warnings  # ... and the page can say why
    assert "did you mean 'rope_theta'" in warning and "U+043E CYRILLIC SMALL LETTER O" in warning


def test_keys_of_another_rope_type_and_near_misses_at_top_level_are_named():
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4096,
        "rope_thetaa": 1e6,
        "rope_scaling": {"rope_type": "linear", "factor": 2.0, "low_freq_factor": 1.0},
    }
    warnings = rope_from_hf_config(config).warnings
    assert any("low_freq_factor is not a key rope type 'linear' reads" in w for w in warnings)
    assert any("'rope_thetaa'" in w and "did you mean 'rope_theta'" in w for w in warnings)
    # a real config's own keys are not taken for typos
    deepseek = {
        "model_type": "deepseek_v3",
        "qk_rope_head_dim": 64,
        "v_head_dim": 128,
        "qk_nope_head_dim": 128,
    }
    assert rope_from_hf_config(deepseek).warnings == ()


# ---------------------------------------------------------------------------------------------
# 5. Messages quote at most a short prefix of what they got


@pytest.mark.parametrize(
    "config",
    [
        {"head_dim": 128, "rope_scaling": {"rope_type": "y" * 200_000}},
        {"head_dim": 128, "rope_scaling": {"rope_type": "yarn", "factor": "x" * 200_000}},
        {
            "model_type": "qwen2",
            "head_dim": 128,
            "rope_parameters": {"k" * 200_000: {"rope_type": "default"}},
        },
        {"head_dim": "1" * 200_000},
    ],
)
def test_messages_stay_short_whatever_the_input(config):
    with pytest.raises(ConfigError) as info:
        rope_from_hf_config(config)
    assert len(str(info.value)) < 300


def test_unknown_rope_type_message_quotes_a_prefix_and_the_length():
    with pytest.raises(ConfigError) as info:
        rope_from_hf_config({"head_dim": 128, "rope_scaling": {"rope_type": "y" * 200_000}})
    assert "'yyyyyyyyyy" in str(info.value) and "200,000 characters" in str(info.value)
    assert str(info.value).endswith("supported: default, linear, dynamic, yarn, llama3, longrope")


def test_notices_and_warnings_stay_short_whatever_the_input():
    rope = rope_from_hf_config(
        {
            "model_type": "m" * 200_000,
            "head_dim": 128,
            "max_position_embeddings": 4096,
            "rope_scaling": {
                "rope_type": "linear",
                "factor": 2.0,
                "z" * 200_000: 1,
                **{f"k{i}": i for i in range(50)},
            },
        }
    )
    assert len(rope.generic_notice) < 400
    assert len(rope.warnings) <= 13 and all(len(warning) < 400 for warning in rope.warnings)


# ---------------------------------------------------------------------------------------------
# 6. Per-layer-type RoPE is read per layer type

GEMMA3_4B_TEXT = {
    "model_type": "gemma3_text",
    "hidden_size": 2560,
    "num_attention_heads": 8,
    "head_dim": 256,
    "max_position_embeddings": 131072,
    "rope_theta": 1000000.0,
    "rope_local_base_freq": 10000.0,
    "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
    "sliding_window_pattern": 6,
}


def test_gemma3_reads_sliding_and_full_layers_apart(hf):
    rope = rope_from_hf_config(GEMMA3_4B_TEXT)
    layers = dict(rope.layer_types)
    assert list(layers) == ["sliding_attention", "full_attention"] and rope.layer_type == "full_attention"
    full, sliding = layers["full_attention"], layers["sliding_attention"]
    assert (full.rope_type, full.base, full.factor) == ("linear", 1e6, 8.0)
    assert (sliding.rope_type, sliding.base, sliding.factor) == ("default", 1e4, 1.0)
    assert rope.rope_type == "linear" and rope.base == 1e6  # the object itself is the full layers'
    theirs = hf.model_rope("gemma3_text", GEMMA3_4B_TEXT)
    for layer, (inv_freq, factor) in theirs.items():
        np.testing.assert_allclose(layers[layer].inv_freq, inv_freq, rtol=1e-12)
        assert layers[layer].attention_factor == factor
    nested = hf.model_config("gemma3_text", GEMMA3_4B_TEXT).to_dict()  # transformers 5's own form
    assert isinstance(nested["rope_parameters"]["full_attention"], dict)
    again = dict(rope_from_hf_config(nested).layer_types)
    for layer in layers:
        np.testing.assert_array_equal(again[layer].inv_freq, layers[layer].inv_freq)


def test_gemma3_composite_and_modernbert(hf):
    composite = {"model_type": "gemma3", "text_config": GEMMA3_4B_TEXT}
    assert [layer for layer, _ in rope_from_hf_config(composite).layer_types] == [
        "sliding_attention",
        "full_attention",
    ]
    modernbert = {
        "model_type": "modernbert",
        "hidden_size": 768,
        "num_attention_heads": 12,
        "max_position_embeddings": 8192,
        "global_rope_theta": 160000.0,
        "local_rope_theta": 10000.0,
    }
    layers = dict(rope_from_hf_config(modernbert).layer_types)
    assert (layers["full_attention"].base, layers["sliding_attention"].base) == (160000.0, 10000.0)
    for layer, (inv_freq, _) in hf.model_rope("modernbert", modernbert).items():
        np.testing.assert_allclose(layers[layer].inv_freq, inv_freq, rtol=1e-12)


def test_layer_types_no_layer_uses_are_not_read():
    config = {
        "head_dim": 64,
        "layer_types": ["full_attention", "full_attention"],
        "rope_parameters": {
            "full_attention": {"rope_type": "default"},
            "sliding_attention": {"rope_type": "default"},
        },
    }
    rope = rope_from_hf_config(config)
    assert [layer for layer, _ in rope.layer_types] == ["full_attention"]
    assert any("not read" in note and "sliding_attention" in note for note in rope.notes)


@pytest.mark.parametrize(
    "key, known, expected",
    [
        ("rope_thetaa", "rope_theta", True),  # a letter added
        ("rope_thta", "rope_theta", True),  # dropped
        ("rope_thetx", "rope_theta", True),  # changed
        ("rpoe_theta", "rope_theta", True),  # two neighbours swapped
        ("rope_theta", "rope_theta", False),
        ("erop_theta", "rope_theta", False),  # two edits
        ("v_head_dim", "head_dim", False),
    ],
)
def test_one_typo_apart(key, known, expected):
    from yarn_core.hf_config import _one_edit

    assert _one_edit(key, known) is expected and _one_edit(known, key) is expected
