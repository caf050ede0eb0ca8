"""Bad config input: always a ConfigError (a ValueError) naming the offending field, never a
KeyError / TypeError / ZeroDivisionError, never a hang or a huge allocation."""

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from yarn_core import ConfigError, parse_config_text, rope_from_hf_config
from yarn_core.hf_config import ALIASES, HF_TYPES, ROPE_READERS

YARN = {
    "head_dim": 128,
    "rope_theta": 10000.0,
    "max_position_embeddings": 16384,
    "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 4096},
}
LLAMA3 = {
    "head_dim": 128,
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
LONGROPE = {
    "hidden_size": 3072,
    "num_attention_heads": 32,
    "max_position_embeddings": 131072,
    "original_max_position_embeddings": 4096,
    "rope_scaling": {"type": "longrope", "short_factor": [1.0] * 48, "long_factor": [2.0] * 48},
}


def with_(config, path, value):
    """A deep copy of ``config`` with ``path`` ("a" or "a.b") set to ``value``."""
    config = json.loads(json.dumps(config))
    *parents, leaf = path.split(".")
    target = config
    for key in parents:
        target = target[key]
    target[leaf] = value
    return config


def assert_config_error(config, *fields, seq_len=None):
    with pytest.raises(ConfigError) as info:
        rope_from_hf_config(config, seq_len)
    message = str(info.value)
    for field in fields:
        assert field in message, f"{field!r} not named in {message!r}"
    return message


def test_config_error_is_a_value_error():
    assert issubclass(ConfigError, ValueError)


def test_sane_configs_are_accepted():
    for config in (YARN, LLAMA3, LONGROPE):
        rope = rope_from_hf_config(config)
        assert np.all(np.isfinite(rope.inv_freq)) and np.all(rope.inv_freq > 0)


@pytest.mark.parametrize("config", [[], [YARN], "config", "", 3, 2.5, None, True])
def test_config_must_be_an_object(config):
    assert_config_error(config, "JSON object")


def test_missing_head_size_names_head_dim():
    assert_config_error({"max_position_embeddings": 4096}, "head_dim", "hidden_size", "num_attention_heads")
    assert_config_error({"hidden_size": 4096}, "head_dim", "num_attention_heads")
    assert_config_error({"head_dim": None, "num_attention_heads": 32}, "head_dim")


BAD_NUMBERS = [
    0,
    -1,
    -4.5,
    float("nan"),
    float("inf"),
    -float("inf"),
    "4",
    True,
    False,
    [4],
    {"value": 4},
    1e308,
    10**400,
]


@pytest.mark.parametrize("value", BAD_NUMBERS)
@pytest.mark.parametrize(
    "config, path, field",
    [
        (YARN, "rope_scaling.factor", "factor"),
        (
            {
                "head_dim": 128,
                "max_position_embeddings": 4096,
                "rope_scaling": {"type": "linear", "factor": 2},
            },
            "rope_scaling.factor",
            "factor",
        ),
        (
            {
                "head_dim": 128,
                "max_position_embeddings": 4096,
                "rope_scaling": {"type": "dynamic", "factor": 2},
            },
            "rope_scaling.factor",
            "factor",
        ),
        (LLAMA3, "rope_scaling.factor", "factor"),
        (LONGROPE, "rope_scaling.factor", "factor"),
        (YARN, "rope_theta", "rope_theta"),
        (YARN, "rope_scaling.rope_theta", "rope_theta"),
        (YARN, "max_position_embeddings", "max_position_embeddings"),
        (YARN, "original_max_position_embeddings", "original_max_position_embeddings"),
        (YARN, "rope_scaling.original_max_position_embeddings", "original_max_position_embeddings"),
        (YARN, "rope_scaling.beta_fast", "beta_fast"),
        (YARN, "rope_scaling.beta_slow", "beta_slow"),
        (YARN, "rope_scaling.attention_factor", "attention_factor"),
        (LLAMA3, "rope_scaling.low_freq_factor", "low_freq_factor"),
        (LLAMA3, "rope_scaling.high_freq_factor", "high_freq_factor"),
        (LONGROPE, "rope_scaling.attention_factor", "attention_factor"),
        (LONGROPE, "hidden_size", "hidden_size"),
        (LONGROPE, "num_attention_heads", "num_attention_heads"),
        (YARN, "head_dim", "head_dim"),
        (YARN, "partial_rotary_factor", "partial_rotary_factor"),
    ],
)
def test_bad_numbers_name_their_field(config, path, field, value):
    # zero, negative, NaN, infinite, non-numeric, boolean and absurdly large values are all refused
    assert_config_error(with_(config, path, value), field)


@pytest.mark.parametrize("theta", [1, 1.0, 0.5, 1 - 1e-12])
def test_rope_theta_must_exceed_one(theta):
    assert_config_error(with_(YARN, "rope_theta", theta), "rope_theta")


@pytest.mark.parametrize("head_dim", [1, 3, 127, 2.5, 128.5, -128])
def test_head_dim_must_be_positive_and_even(head_dim):
    assert_config_error(with_(YARN, "head_dim", head_dim), "head_dim")


def test_odd_head_from_hidden_size_names_head_dim():
    assert_config_error(
        {"hidden_size": 4095, "num_attention_heads": 35, "max_position_embeddings": 4096}, "head_dim"
    )
    assert_config_error(
        {"hidden_size": 16, "num_attention_heads": 32, "max_position_embeddings": 4096}, "head_dim"
    )


@pytest.mark.parametrize("prf", [0, 0.0, -0.5, 1.0000001, 1.5, 2, "0.5", True, float("nan")])
def test_partial_rotary_factor_outside_zero_one(prf):
    assert_config_error(with_(YARN, "partial_rotary_factor", prf), "partial_rotary_factor")
    assert_config_error(with_(YARN, "rope_scaling.partial_rotary_factor", prf), "partial_rotary_factor")


def test_partial_rotary_factor_giving_an_odd_rotary_dim():
    # 128 * 0.3 = 38.4 -> 38 is fine; 10 * 0.5 = 5 is odd
    assert rope_from_hf_config(with_(YARN, "partial_rotary_factor", 0.3)).rotary_dim == 38
    assert_config_error({"head_dim": 10, "partial_rotary_factor": 0.5}, "head_dim", "partial_rotary_factor")


@pytest.mark.parametrize("betas", [(1.0, 32.0), (2.0, 4.0)])
def test_beta_fast_must_exceed_beta_slow(betas):
    fast, slow = betas
    config = with_(with_(YARN, "rope_scaling.beta_fast", fast), "rope_scaling.beta_slow", slow)
    assert_config_error(config, "beta_fast")


def test_equal_betas_are_read_as_a_one_step_ramp():
    # (1, 1) used to be refused here; Kimi K2 ships beta_fast = beta_slow = 1 and transformers reads
    # it (its ramp adds 0.001 to an empty range), so refusing it was wrong (issue 15: read every
    # config as the model's own code does)
    config = with_(with_(YARN, "rope_scaling.beta_fast", 1.0), "rope_scaling.beta_slow", 1.0)
    rope = rope_from_hf_config(config)
    low, high = rope.scaled.correction_range
    assert high - low == 1 and any("beta_fast = beta_slow = 1" in note for note in rope.notes)


@pytest.mark.parametrize("rope_type", ["ntk", "YARN", "", "dynamic_yarn", "proportional"])
def test_unknown_rope_type_is_named_with_the_supported_ones(rope_type):
    message = assert_config_error(with_(YARN, "rope_scaling.rope_type", rope_type), repr(rope_type))
    for supported in ("default", "linear", "dynamic", "yarn", "llama3", "longrope"):
        assert supported in message


def test_every_rope_type_has_a_reader_and_a_method():
    # the page lists HF_TYPES as the supported types; the unknown-type message lists the readers
    assert list(ROPE_READERS) == list(HF_TYPES)
    message = assert_config_error(with_(YARN, "rope_scaling.rope_type", "ntk"))
    assert message.endswith("supported: default, linear, dynamic, yarn, llama3, longrope")
    assert ALIASES == {"su": "longrope"}  # an old name, read by its new name's reader
    assert rope_from_hf_config(with_(LONGROPE, "rope_scaling.type", "su")).rope_type == "longrope"


@pytest.mark.parametrize("rope_type", [3, None, True, ["yarn"], {"name": "yarn"}])
def test_rope_type_must_be_a_string(rope_type):
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4096,
        "rope_scaling": {"rope_type": rope_type, "factor": 2},
    }
    assert_config_error(config, "rope_type")


@pytest.mark.parametrize("key", ["rope_scaling", "rope_parameters"])
@pytest.mark.parametrize("value", [[1, 2], "yarn", 4, True])
def test_scaling_dict_must_be_an_object(key, value):
    config = {"head_dim": 128, "max_position_embeddings": 4096, key: value}
    assert_config_error(config, key)


def test_per_layer_type_rope_parameters_are_read_per_layer_type():
    # This config used to be refused ("paste one layer type's object"). Issue 15: transformers 5's
    # nested rope_parameters (Gemma 3, ModernBERT, ...) must be read and shown per layer type.
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4096,
        "rope_parameters": {
            "full_attention": {"rope_type": "linear", "factor": 2.0, "rope_theta": 1e6},
            "sliding_attention": {"rope_type": "default"},
        },
    }
    rope = rope_from_hf_config(config)
    assert [layer for layer, _ in rope.layer_types] == ["full_attention", "sliding_attention"]
    assert rope.layer_type == "full_attention" and rope.factor == 2.0 and rope.base == 1e6
    sliding = dict(rope.layer_types)["sliding_attention"]
    assert sliding.rope_type == "default" and sliding.base == 10000.0 and sliding.layer_types == ()


def test_per_layer_type_rope_parameters_for_a_model_with_one_rope_are_explained():
    # a model whose rotary code reads one RoPE for every layer cannot read the nested form: refused,
    # naming the keys and the model type
    config = {
        "model_type": "qwen2",
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "max_position_embeddings": 4096,
        "rope_parameters": {
            "full_attention": {"rope_type": "default"},
            "sliding_attention": {"rope_type": "default"},
        },
    }
    assert_config_error(config, "rope_parameters", "full_attention", "qwen2")


def test_per_layer_type_rope_parameters_check_each_layer_type():
    config = {
        "head_dim": 128,
        "max_position_embeddings": 4096,
        "rope_parameters": {"full_attention": {"rope_type": "linear"}, "sliding_attention": None},
    }
    assert_config_error(config, "rope_parameters.full_attention.factor")
    config["rope_parameters"]["full_attention"]["factor"] = 2.0
    rope = rope_from_hf_config(config)
    assert [layer for layer, _ in rope.layer_types] == ["full_attention"]
    assert any("sliding_attention is null" in note for note in rope.notes)


def test_llama3_needs_ordered_band_factors():
    assert_config_error(
        with_(LLAMA3, "rope_scaling.low_freq_factor", 5.0), "low_freq_factor", "high_freq_factor"
    )
    # low = high (4 and 4) used to be refused too; Llama 4 ships low_freq_factor = high_freq_factor =
    # 1 and transformers reads it as a hard cutoff at wavelength L / low, so refusing it was wrong
    rope = rope_from_hf_config(with_(LLAMA3, "rope_scaling.low_freq_factor", 4.0))
    assert set(np.unique(rope.interpolated)) == {0.0, 1.0} and any("hard cutoff" in n for n in rope.notes)
    for key in ("low_freq_factor", "high_freq_factor", "factor"):
        config = with_(LLAMA3, "rope_scaling." + key, None)
        assert_config_error(config, key)
        del config["rope_scaling"][key]
        assert_config_error(config, key)


def test_linear_and_dynamic_need_a_factor():
    for rope_type in ("linear", "dynamic"):
        assert_config_error(
            {"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"type": rope_type}}, "factor"
        )


@pytest.mark.parametrize("rope_type", ["dynamic", "yarn", "llama3", "longrope"])
def test_types_that_need_a_length_say_so(rope_type):
    scaling = {
        "type": rope_type,
        "factor": 2.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "short_factor": [1.0] * 64,
        "long_factor": [1.0] * 64,
    }
    assert_config_error({"head_dim": 128, "rope_scaling": scaling}, "max_position_embeddings")


@pytest.mark.parametrize("key", ["short_factor", "long_factor"])
@pytest.mark.parametrize(
    "value",
    [
        None,
        "1.0",
        1.0,
        {"0": 1.0},
        [1.0] * 47,
        [1.0] * 49,
        [],
        [1.0] * 47 + [0.0],
        [1.0] * 47 + [-1.0],
        [1.0] * 47 + [float("nan")],
        [1.0] * 47 + [float("inf")],
        [1.0] * 47 + ["1"],
        [1.0] * 47 + [True],
        [1.0] * 47 + [None],
        [1.0] * 47 + [1e308],
        [1.0] * 47 + [10**400],
        [[1.0]] * 48,
    ],
)
def test_longrope_lists(key, value):
    assert_config_error(with_(LONGROPE, "rope_scaling." + key, value), key)


def test_longrope_with_original_length_one_is_an_error_not_a_division_by_zero():
    config = with_(LONGROPE, "original_max_position_embeddings", 1)
    assert_config_error(config, "original_max_position_embeddings")
    # with an explicit attention factor ln(1) is never needed
    assert rope_from_hf_config(with_(config, "rope_scaling.attention_factor", 1.2)).attention_factor == 1.2


def test_dynamic_with_a_two_dim_rotary_part_is_an_error_not_a_division_by_zero():
    assert_config_error(
        {"head_dim": 2, "max_position_embeddings": 4096, "rope_scaling": {"type": "dynamic", "factor": 2}},
        "head_dim",
    )


def test_huge_head_from_hidden_size_is_refused_before_allocating():
    # 2^28 / 1 would be a 268M-wide head (GBs of float64); refuse it like an explicit head_dim
    assert_config_error(
        {"hidden_size": 2**28, "num_attention_heads": 1}, "hidden_size", "num_attention_heads"
    )
    assert_config_error({"head_dim": 2**17}, "head_dim")


@pytest.mark.parametrize("truncate", ["false", 0, 1, "no", [False]])
def test_yarn_truncate_must_be_a_boolean(truncate):
    assert_config_error(with_(YARN, "rope_scaling.truncate", truncate), "truncate")


@pytest.mark.parametrize("seq_len", [0, -5, 1.5, True, "100", float("nan"), 2**60])
def test_bad_seq_len_is_named(seq_len):
    assert_config_error(YARN, "seq_len", seq_len=seq_len)


@pytest.mark.parametrize("mscale", [-0.1, float("nan"), "1", True])
def test_yarn_mscales(mscale):
    assert_config_error(with_(YARN, "rope_scaling.mscale", mscale), "mscale")
    assert_config_error(with_(YARN, "rope_scaling.mscale_all_dim", mscale), "mscale_all_dim")


def test_integral_floats_are_accepted_as_lengths():
    rope = rope_from_hf_config(with_(YARN, "max_position_embeddings", 16384.0))
    assert rope.max_position_embeddings == 16384
    assert_config_error(with_(YARN, "max_position_embeddings", 16384.5), "max_position_embeddings")


# ---------------------------------------------------------------------------------------------
# Fuzz: random JSON-like dicts over the real field names

TOP_FIELDS = [
    "model_type",
    "rotary_pct",
    "rotary_emb_base",
    "rotary_dim",
    "head_dim",
    "qk_rope_head_dim",
    "hidden_size",
    "num_attention_heads",
    "rope_theta",
    "max_position_embeddings",
    "original_max_position_embeddings",
    "partial_rotary_factor",
]
SCALING_FIELDS = [
    "rope_type",
    "type",
    "factor",
    "rope_theta",
    "original_max_position_embeddings",
    "beta_fast",
    "beta_slow",
    "mscale",
    "mscale_all_dim",
    "attention_factor",
    "truncate",
    "low_freq_factor",
    "high_freq_factor",
    "short_factor",
    "long_factor",
    "partial_rotary_factor",
    "alpha",
    "short_mscale",
    "long_mscale",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([10**400, -(10**400), 2**53 + 1])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=4,
)
small_lists = st.integers(0, 2**32 - 1).flatmap(
    lambda seed: st.sampled_from([0, 1, 2, 3, 4, 16, 32, 48, 64]).map(
        lambda n: np.random.default_rng(seed).uniform(-0.5, 8, n).round(3).tolist()
    )
)
PLAUSIBLE = {
    "model_type": st.sampled_from(
        [
            "llama",
            "gpt_neox",
            "phi",
            "phi3",
            "phimoe",
            "deepseek_v3",
            "gemma3_text",
            "gemma3",
            "modernbert",
            "qwen2",
            "qwen2_vl",
            "minimax_m2",
            "llava",
            "hunyuan_v1_dense",
            "gptj",
            "gpt_oss",
            "mellum",
            "no_such_model",
        ]
    ),
    "rotary_pct": st.floats(-0.5, 1.5) | st.sampled_from([0.25, 1.0]),
    "rotary_emb_base": st.floats(0.5, 1e16) | st.sampled_from([1e4, 1e6]),
    "rotary_dim": st.sampled_from([0, 1, 16, 32, 63, 64, 128, 4096]),
    "alpha": st.floats(-1, 1e4) | st.sampled_from([0, 1000.0]),
    "short_mscale": st.floats(-1, 3),
    "long_mscale": st.floats(-1, 3),
    "head_dim": st.sampled_from([2, 4, 6, 8, 64, 96, 128, 127, 0, -2, 65536, 65538]),
    "qk_rope_head_dim": st.sampled_from([2, 8, 64, 63]),
    "hidden_size": st.sampled_from([0, 1, 64, 3072, 4096, 2**28, 10**12]),
    "num_attention_heads": st.sampled_from([0, 1, 24, 32, 10**6]),
    "rope_theta": st.floats(0.5, 1e16) | st.sampled_from([1, 1.0000001, 1e4, 1e15]),
    "max_position_embeddings": st.integers(-2, 2**41),
    "original_max_position_embeddings": st.integers(-2, 2**41) | st.sampled_from([1, 2, 4096]),
    "partial_rotary_factor": st.floats(-0.5, 1.5) | st.sampled_from([0.25, 0.5, 1.0]),
    "rope_type": st.sampled_from(
        ["default", "linear", "dynamic", "yarn", "llama3", "longrope", "su", "ntk", "", "mrope", "xdrope"]
    ),
    "type": st.sampled_from(["linear", "dynamic", "yarn", "llama3", "longrope", "su"]),
    "factor": st.floats(-1, 1e7) | st.sampled_from([1e-300, 1, 2, 40, 1e6]),
    "beta_fast": st.floats(-1, 100) | st.sampled_from([0, 32]),
    "beta_slow": st.floats(-1, 100) | st.sampled_from([0, 1]),
    "mscale": st.floats(-1, 3),
    "mscale_all_dim": st.floats(-1, 3),
    "attention_factor": st.floats(-1, 3) | st.sampled_from([0, 1e6]),
    "truncate": st.booleans(),
    "low_freq_factor": st.floats(-1, 8),
    "high_freq_factor": st.floats(-1, 8),
    "short_factor": small_lists,
    "long_factor": small_lists,
}


def field(name):
    # mostly plausible values, to get past the first check and into the maths, else any JSON value
    return st.one_of(PLAUSIBLE[name], PLAUSIBLE[name], PLAUSIBLE[name], json_values)


scaling_dicts = st.fixed_dictionaries({}, optional={name: field(name) for name in SCALING_FIELDS})
fuzz_configs = st.fixed_dictionaries(
    {},
    optional={
        **{name: field(name) for name in TOP_FIELDS},
        "rope_scaling": scaling_dicts | json_values,
        "rope_parameters": scaling_dicts | json_values,
    },
)


VALID = [
    YARN,
    LLAMA3,
    LONGROPE,
    {"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"type": "dynamic", "factor": 2.0}},
    {
        "hidden_size": 2560,
        "num_attention_heads": 32,
        "partial_rotary_factor": 0.5,
        "rope_scaling": {"type": "linear", "factor": 4},
    },
    {
        "qk_rope_head_dim": 64,
        "max_position_embeddings": 163840,
        "rope_scaling": {
            "type": "yarn",
            "factor": 40,
            "original_max_position_embeddings": 4096,
            "mscale": 1.0,
            "mscale_all_dim": 1.0,
        },
    },
    {
        "head_dim": 64,
        "rope_theta": 150000,
        "max_position_embeddings": 131072,
        "rope_parameters": {
            "rope_type": "yarn",
            "factor": 32.0,
            "truncate": False,
            "original_max_position_embeddings": 4096,
        },
    },
    {"hidden_size": 4096, "num_attention_heads": 32},
    {
        "model_type": "gpt_neox",
        "hidden_size": 1024,
        "num_attention_heads": 16,
        "max_position_embeddings": 2048,
        "rotary_emb_base": 1000000,
        "rotary_pct": 0.25,
    },
    {
        "model_type": "gemma3_text",
        "hidden_size": 2560,
        "num_attention_heads": 8,
        "head_dim": 256,
        "max_position_embeddings": 131072,
        "rope_local_base_freq": 10000.0,
        "rope_scaling": {"factor": 8.0, "rope_type": "linear"},
    },
    {
        "head_dim": 128,
        "max_position_embeddings": 8192,
        "rope_parameters": {
            "full_attention": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 2048},
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        },
    },
]


@st.composite
def mutated_configs(draw):
    """A valid config with up to three fields replaced, added or removed: reaches the maths far
    more often than a config drawn from nothing."""
    config = json.loads(json.dumps(draw(st.sampled_from(VALID))))
    for _ in range(draw(st.integers(0, 3))):
        scaling_key = "rope_scaling" if "rope_scaling" in config else "rope_parameters"
        if scaling_key in config and isinstance(config[scaling_key], dict) and draw(st.booleans()):
            target, name = config[scaling_key], draw(st.sampled_from(SCALING_FIELDS))
        else:
            target, name = config, draw(st.sampled_from([*TOP_FIELDS, "rope_scaling", "rope_parameters"]))
        if name in target and draw(st.booleans()):
            del target[name]
        else:
            target[name] = draw(field(name) if name in PLAUSIBLE else scaling_dicts | json_values)
    return config


def check_result_or_config_error(config, seq_len):
    try:
        rope = rope_from_hf_config(config, seq_len)
    except ConfigError as err:
        event("ConfigError")
        assert str(err) and len(str(err)) < 600  # issue 15: a message quotes at most a short prefix
        return
    event(f"computed {rope.rope_type}" + (" per layer type" if rope.layer_types else ""))
    assert all(len(text) < 600 for text in (*rope.notes, *rope.warnings, rope.generic_notice or ""))
    for layer in [rope, *(layer_rope for _, layer_rope in rope.layer_types)]:
        assert layer.inv_freq.ndim == 1 and len(layer.inv_freq) == layer.rotary_dim // 2 >= 1
        assert np.all(np.isfinite(layer.inv_freq)) and np.all(layer.inv_freq > 0)
        assert math.isfinite(layer.attention_factor) and layer.attention_factor > 0
        assert math.isfinite(layer.softmax_factor) and layer.softmax_factor > 0
        assert np.all((layer.interpolated >= 0) & (layer.interpolated <= 1))


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=fuzz_configs | json_values, seq_len=st.none() | st.integers(-2, 2**41) | json_scalars)
def test_fuzz_random_dicts_give_frequencies_or_config_error(config, seq_len):
    check_result_or_config_error(config, seq_len)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=mutated_configs(), seq_len=st.none() | st.integers(1, 2**24))
def test_fuzz_mutated_real_configs_give_frequencies_or_config_error(config, seq_len):
    check_result_or_config_error(config, seq_len)


# ---------------------------------------------------------------------------------------------
# parse_config_text


def test_parse_valid_text_bytes_and_bom():
    assert parse_config_text('{"rope_theta": 10000}') == {"rope_theta": 10000}
    assert parse_config_text(b'{"rope_theta": 10000}') == {"rope_theta": 10000}
    assert parse_config_text(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # UTF-8 BOM from Windows editors


def test_invalid_json_reports_line_and_column():
    text = '{\n  "a": 1,\n  "b": }'  # the "}" on line 3 is character 8
    with pytest.raises(ConfigError, match=r"line 3, column 8"):
        parse_config_text(text)
    with pytest.raises(ConfigError, match=r"line 1, column \d+"):
        parse_config_text('{"a": 1,}')


def test_non_utf8_bytes():
    with pytest.raises(ConfigError, match="UTF-8"):
        parse_config_text(b'{"name": "\xff\xfe"}')


def test_over_size_input_is_refused():
    limit = 1_000_000
    padding = "x" * (limit - len('{"a": ""}'))
    exactly = '{"a": "' + padding + '"}'
    assert len(exactly.encode()) == limit
    assert parse_config_text(exactly)["a"] == padding
    with pytest.raises(ConfigError, match="bytes"):
        parse_config_text(exactly + " ")
    with pytest.raises(ConfigError, match="bytes"):
        parse_config_text((exactly + " ").encode())
    with pytest.raises(ConfigError, match="bytes"):
        parse_config_text("é" * 500_001)  # 1,000,002 bytes in UTF-8 although only 500,001 characters
    with pytest.raises(ConfigError):
        parse_config_text('{"a": 1}', max_bytes=4)


@pytest.mark.parametrize("text", ['{"a":' * 10_000 + "1" + "}" * 10_000, "[" * 10_000 + "]" * 10_000])
def test_deep_nesting_is_a_config_error(text):
    with pytest.raises(ConfigError):
        parse_config_text(text)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_are_refused(literal):
    with pytest.raises(ConfigError, match=literal.lstrip("-")):
        parse_config_text(f'{{"rope_theta": {literal}}}')


@pytest.mark.parametrize(
    "text, kind",
    [("[1, 2]", "list"), ('"yarn"', "string"), ("4", "number"), ("null", "null"), ("true", "boolean")],
)
def test_top_level_must_be_an_object(text, kind):
    with pytest.raises(ConfigError, match=kind):
        parse_config_text(text)


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_input(text):
    with pytest.raises(ConfigError, match="empty"):
        parse_config_text(text)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200) | st.text(max_size=200))
def test_parse_config_text_fuzz(data):
    try:
        parsed = parse_config_text(data)
    except ConfigError:
        return
    assert isinstance(parsed, dict)


def test_an_integer_literal_past_pythons_digit_limit_is_a_config_error():
    with pytest.raises(ConfigError, match="number"):
        parse_config_text('{"rope_theta": ' + "9" * 5000 + "}")
