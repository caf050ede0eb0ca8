"""The parity sweep: for every model type whose model uses RoPE in transformers 5.24, each rope
type it allows, as a legacy config.json (the default config with its RoPE keys removed, the RoPE
given as rope_scaling and top-level keys) and as the config.json transformers itself saves for it,
``rope_from_hf_config`` must give what that model's own rotary embedding class computes: inv_freq
to 1e-6 relative (the oracle runs in float64), the factor on cos and sin and the softmax factor
exactly. Where transformers refuses a config, yarn_core must refuse it too, unless the difference
is deliberate (``READ_ALTHOUGH_REFUSED``, with the reason).

Every model type that transformers 5.24 ships with a rotary embedding class is either swept here
or listed in ``NOT_SWEPT`` with the reason."""

import copy
import math
import os
import re

import numpy as np
import pytest

from yarn_core import ConfigError, rope_from_hf_config
from yarn_core.hf_config import MODEL_RULES, WRAPPERS

pytestmark = pytest.mark.slow

RTOL = 1e-6
ROPE_KEYS = (
    "rope_parameters",
    "rope_scaling",
    "rope_theta",
    "partial_rotary_factor",
    "rotary_pct",
    "rotary_emb_base",
    "rope_local_base_freq",
    "global_rope_theta",
    "local_rope_theta",
    "original_max_position_embeddings",
)
"""Removed from the default config to make the legacy form (then the class defaults apply)."""


def variants(pairs: int) -> dict[str, tuple[dict, dict | None]]:
    """name -> (top-level keys, the rope_scaling dict); ``pairs`` = rotary dim / 2 for LongRoPE."""
    return {
        "none": ({}, None),
        "linear": ({}, {"rope_type": "linear", "factor": 4.0}),
        "dynamic": ({}, {"rope_type": "dynamic", "factor": 2.0}),
        "yarn": ({}, {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 2048}),
        "yarn-mscale": (
            {},
            {
                "type": "yarn",
                "factor": 40.0,
                "beta_fast": 32,
                "beta_slow": 1,
                "mscale": 1.0,
                "mscale_all_dim": 1.0,
                "original_max_position_embeddings": 4096,
            },
        ),
        "llama3": (
            {},
            {
                "rope_type": "llama3",
                "factor": 8.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 4.0,
                "original_max_position_embeddings": 8192,
            },
        ),
        "yarn-equal-betas": (
            {},
            {
                "type": "yarn",
                "factor": 32.0,
                "beta_fast": 1.0,
                "beta_slow": 1.0,
                "mscale": 1.0,
                "mscale_all_dim": 1.0,
                "original_max_position_embeddings": 4096,
            },
        ),
        "llama3-cutoff": (
            {},
            {
                "rope_type": "llama3",
                "factor": 16.0,
                "low_freq_factor": 1.0,
                "high_freq_factor": 1.0,
                "original_max_position_embeddings": 8192,
            },
        ),
        "longrope": (
            {},
            {
                "rope_type": "longrope",
                "short_factor": [1.0 + i / 100 for i in range(pairs)],
                "long_factor": [1.0 + i for i in range(pairs)],
                "original_max_position_embeddings": 4096,
            },
        ),
        "dynamic-alpha": ({}, {"rope_type": "dynamic", "factor": 1.0, "alpha": 1000.0}),
        "mrope": ({}, {"type": "mrope", "mrope_section": [16, 24, 24]}),
        "xdrope": ({}, {"rope_type": "xdrope", "factor": 2.0}),
        "partial": ({"partial_rotary_factor": 0.5}, None),
        "partial-linear": ({"partial_rotary_factor": 0.5}, {"rope_type": "linear", "factor": 2.0}),
        "theta": ({"rope_theta": 500000.0}, None),
    }


PERMUTED = {
    "ernie4_5_vl_moe": "its 3-D multimodal RoPE interleaves the pairs' frequencies (height and width "
    "sections first); text positions are the same on all three axes, so it rotates with the same set "
    "of frequencies, which yarn_core lists in the usual order",
}
PERMUTED["ernie4_5_vl_moe_text"] = PERMUTED["ernie4_5_vl_moe"]
READ_ALTHOUGH_REFUSED = {
    ("codegen", "llama3"): "GPT-J-style models never read rope_scaling, but transformers still validates "
    "it (llama3 needs rope_theta inside it); yarn_core ignores it with a warning",
    ("gptj", "llama3"): "as for codegen",
    ("codegen", "llama3-cutoff"): "as for codegen's llama3",
    ("gptj", "llama3-cutoff"): "as for codegen's llama3",
    ("ultrabert", "theta"): "transformers expects a list of rope_theta, one per layer type, and fails on a "
    "number; yarn_core reads the per-layer-type rope_parameters, which do not read a top-level rope_theta",
    ("ultravbert", "theta"): "as for ultrabert",
}
"""(model type, variant) that transformers fails on and yarn_core reads, on purpose. Also, for every
model: transformers 5.24's longrope validator and its dynamic / yarn / longrope functions fail on a
null head_dim (they read it as None); yarn_core uses hidden_size // num_attention_heads, as the
model's attention does (see _null_head_dim)."""

NOT_SWEPT = {
    **dict.fromkeys(
        (
            "apertus1p5_vision_tokenizer",
            "cohere_compass_vision",
            "cosmos3_edge_vision",
            "deepseek_ocr2_encoder",
            "deepseek_ocr2_sam_vision_model",
            "deepseek_ocr2_vision",
            "dinov3_vit",
            "dots3_note_vision_encoder",
            "edgetam_video",
            "edgetam_video_mask_decoder",
            "edgetam_video_prompt_encoder",
            "efficientloftr",
            "eomt_dinov3",
            "ernie4_5_vl_moe_vision",
            "exaone4_5_vision",
            "gemma3n_vision",
            "gemma4_vision",
            "gemma4_unified_vision",
            "glm4v_moe_vision",
            "glm4v_vision",
            "glm5_next_vision",
            "glm_image_vision",
            "glm_image_vqmodel",
            "glm_ocr_vision",
            "granite_docling_vision",
            "hunyuan_vl_vision",
            "hy_v4_vl_vision",
            "idefics_perciever",
            "idefics_vision",
            "inkling2_vision",
            "kimi_k25_vision",
            "lfm3_vl_vision",
            "llama4_vision_model",
            "minimax_m3_vl_vision",
            "mlcd",
            "mlcd_vision_model",
            "mllama_vision_model",
            "molmo2_adapter",
            "molmo2_vision",
            "muse_glimmer_vision",
            "muse_spark_vision",
            "paddleocr_vl_vision",
            "pe_audio_video",
            "pe_audio_video_encoder",
            "pe_video",
            "pe_video_encoder",
            "phi4_multimodal_vision",
            "pixtral",
            "qwen2_5_omni_vision_encoder",
            "qwen2_5_vl_vision",
            "qwen2_vl_vision",
            "qwen3_5_moe_vision",
            "qwen3_5_vision",
            "qwen3_omni_moe_vision_encoder",
            "qwen3_vl_moe_vision",
            "qwen3_vl_vision",
            "qwen4_exp_vision",
            "sam2_video",
            "sam2_video_mask_decoder",
            "sam2_video_prompt_encoder",
            "sam3",
            "sam3_detr_decoder",
            "sam3_detr_encoder",
            "sam3_geometry_encoder",
            "sam3_mask_decoder",
            "sam3_tracker_video",
            "sam3_tracker_video_mask_decoder",
            "sam3_tracker_video_prompt_encoder",
            "sam3_vision_model",
            "sam3_vit_model",
            "sapiens2",
            "sapiens2_head",
            "step3p5_vision",
            "unlimited_ocr_sam_vision_model",
            "unlimited_ocr_vision",
            "unlimited_ocr_vision_encoder",
            "video_llama_3_vision",
            "vjepa2",
            "chameleon_vqgan",
            "emu3_vqgan",
        ),
        "vision (image, video, VQ) encoders: positions are 2-D/3-D patch grids (axial RoPE), not a token "
        "sequence with a context window (their language models are swept)",
    ),
    **dict.fromkeys(
        (
            "clvp",
            "clvp_decoder",
            "clvp_encoder",
            "dots3_note_audio_encoder",
            "gemma3n_audio",
            "gemma4_audio",
            "gemma4_unified_audio",
            "mimi",
            "mimi_decoder",
            "mimi_encoder",
            "moonshine_streaming",
            "moonshine_streaming_encoder",
            "muse_spark_audio",
            "nemo_speechlm",
            "nemotron3_5_transcribe_audio",
            "nemotron3_diarization",
            "phi4_multimodal_audio",
            "pocket_tts_audio_tokenizer",
            "pocket_tts_audio_tokenizer_decoder",
            "pocket_tts_audio_tokenizer_encoder",
            "qwen2_5_omni_audio_encoder",
            "qwen2_5_omni_bigvgan",
            "qwen2_5_omni_dit",
            "qwen2_5_omni_talker",
            "qwen2_5_omni_token2wav",
            "qwen3_omni_moe_audio_encoder",
            "qwen3_omni_moe_talker_code_predictor",
            "qwen3_omni_moe_talker_text",
            "seamless_m4t",
            "wav2vec2-bert",
            "wav2vec2-conformer",
            "moshi_depth",
        ),
        "audio encoders, codecs and speech generators: positions are audio frames, with rotary code of "
        "their own (conformer relative RoPE, fixed tables) or no RoPE settings of their own",
    ),
    **dict.fromkeys(
        (
            "gemma4",
            "gemma4_text",
            "gemma4_unified",
            "gemma4_unified_text",
            "embedding_gemma2",
            "embedding_gemma2_text",
            "diffusion_gemma",
            "diffusion_gemma_text",
            "lfm3",
            "lfm3_vl",
        ),
        "the 'proportional' rope type (zero frequencies for the pairs that do not rotate, exponent over "
        "the whole head) and per-layer head sizes (global_head_dim) are not modelled by the explorer: "
        "read as an unknown rope type",
    ),
    **dict.fromkeys(
        ("glm5_next", "glm5_next_text", "inkling2", "inkling2_text"),
        "only the vision encoder rotates; the language model uses no RoPE (GLM-5-Next passes no position "
        "embeddings to its text layers, Inkling 2 uses a learned relative position bias)",
    ),
    "deepseek_v4": "RoPE per attention block ('main' and 'compress', compress_rope_theta), applied inside "
    "its compressor modules: not one RoPE per layer type as the explorer shows it",
    **dict.fromkeys(
        ("dots3_note", "dots3_note_text"),
        "per-layer head sizes (per_layer_config: qk_rope_head_dim and head_dim differ by layer) are not "
        "modelled",
    ),
    "mistral4": "reads rope_scaling and rope_parameters differently (its rotating fraction qk_rope_head_dim "
    "/ head_dim is added only to rope_parameters, so a legacy rope_scaling rotates the whole head)",
    **dict.fromkeys(
        (
            "blt",
            "blt_global_transformer",
            "blt_local_decoder",
            "blt_local_encoder",
            "blt_patcher",
        ),
        "a byte-level model with four rotary modules (patcher, local encoder and decoder, global "
        "transformer), none of them the model's context",
    ),
    **dict.fromkeys(
        ("cohere_compass", "cohere_compass_text"), "its default config fails in its own rotary code"
    ),
    **dict.fromkeys(("esm", "esmfold2", "EvollaModel"), "protein models with rotary code of their own"),
}
"""Model types with a rotary embedding class in transformers 5.24 that the sweep leaves out, and
why. A config of one of these is read with the generic rules (and says so)."""


@pytest.fixture(scope="module")
def hf():
    pytest.importorskip("transformers")
    from tests.support import hf_oracle

    return hf_oracle


def swept() -> list[str]:
    from tests.support.hf_oracle import MODEL_ROTARY

    return sorted(set(MODEL_ROTARY) - set(NOT_SWEPT))


def rope_model_types() -> set[str]:
    """Every model type whose model directory defines a rotary (or RoPE) embedding class."""
    import transformers
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES, model_type_to_module_name

    root = os.path.dirname(transformers.models.__file__)
    found = set()
    for model_type in CONFIG_MAPPING_NAMES:
        folder = os.path.join(root, model_type_to_module_name(model_type))
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.startswith("modeling_") and name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as file:
                    if re.search(r"class \w*(Rotary|Rope)\w*\(", file.read()):
                        found.add(model_type)
    return found


def test_every_model_type_with_rope_is_swept_or_explained(hf):
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    with_rope = rope_model_types()
    assert len(with_rope) > 300 and set(NOT_SWEPT) <= set(CONFIG_MAPPING_NAMES)
    missing = with_rope - set(hf.MODEL_ROTARY) - set(NOT_SWEPT)
    assert not missing, f"model types with RoPE neither swept nor explained: {sorted(missing)}"


def test_every_rule_is_swept(hf):
    reached = set(swept()) | {WRAPPERS[wrapper][1] for wrapper in swept() if wrapper in WRAPPERS}
    assert set(MODEL_RULES) <= reached, sorted(set(MODEL_RULES) - reached)
    assert set(WRAPPERS) <= set(swept()), sorted(set(WRAPPERS) - set(swept()))
    assert not set(MODEL_RULES) & set(NOT_SWEPT) and not set(WRAPPERS) & set(NOT_SWEPT)


def legacy_config(defaults: dict, path: str, top: dict, rope: dict | None) -> dict:
    """The default config.json without its RoPE keys, then ``top`` and ``rope`` as rope_scaling."""
    config = copy.deepcopy(defaults)
    text = config
    for key in path.split(".") if path else ():
        text = text[key]
    for key in ROPE_KEYS:
        text.pop(key, None)
    text.update(copy.deepcopy(top))
    if rope is not None:
        text["rope_scaling"] = copy.deepcopy(rope)
    return config


def _null_head_dim(error: Exception, config: dict, path: str) -> bool:
    text = config
    for key in path.split(".") if path else ():
        text = text[key]
    return "head_dim" in text and text["head_dim"] is None and "NoneType" in str(error)


def assert_same_rope(ours, theirs: dict, *, permuted: bool, where: str) -> None:
    layers = {layer: rope for layer, rope in ours.layer_types} if ours.layer_types else {None: ours}
    assert set(layers) == set(theirs), (
        f"{where}: layer types {sorted(map(str, layers))} vs {sorted(map(str, theirs))}"
    )
    for layer, (inv_freq, factor) in theirs.items():
        rope = layers[layer]
        ours_freq, theirs_freq = rope.inv_freq, inv_freq
        if permuted:
            ours_freq, theirs_freq = np.sort(ours_freq), np.sort(theirs_freq)
        assert ours_freq.shape == theirs_freq.shape, (
            f"{where} {layer}: {ours_freq.shape} vs {theirs_freq.shape}"
        )
        np.testing.assert_allclose(ours_freq, theirs_freq, rtol=RTOL, atol=0, err_msg=f"{where} {layer}")
        assert math.isclose(rope.attention_factor, factor, rel_tol=1e-12), (
            f"{where} {layer}: attention factor"
        )


@pytest.mark.parametrize("model_type", swept())
def test_model_type_reads_as_its_own_rotary_code(hf, model_type):
    path = hf.MODEL_ROTARY[model_type][0]
    defaults = hf.model_default_config(model_type)
    pairs = min(len(inv_freq) for inv_freq, _ in hf.model_rope(model_type, defaults).values())
    for name, (top, rope) in variants(pairs).items():
        legacy = legacy_config(defaults, path, top, rope)
        where = f"{model_type} / {name}"
        try:
            built = hf.model_config(model_type, legacy)
            theirs = hf.config_rope(model_type, built)
            saved, softmax = built.to_dict(), hf.config_softmax_factor(model_type, built)
        except Exception as err:  # transformers refuses this config
            if (model_type, name) in READ_ALTHOUGH_REFUSED or _null_head_dim(err, legacy, path):
                rope_from_hf_config(legacy)
            else:
                with pytest.raises(ConfigError):
                    rope_from_hf_config(legacy)
            continue
        for form, config in (("legacy", legacy), ("saved", saved)):
            try:
                ours = rope_from_hf_config(config)
            except ConfigError as err:
                pytest.fail(f"{where} ({form}): transformers reads it, yarn_core refuses: {err}")
            assert_same_rope(ours, theirs, permuted=model_type in PERMUTED, where=f"{where} ({form})")
            assert math.isclose(ours.softmax_factor, softmax, rel_tol=1e-12), f"{where} ({form}): softmax"
            assert ours.model_type is not None and ours.generic_notice is None
