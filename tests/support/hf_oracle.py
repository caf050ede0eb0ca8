"""HuggingFace transformers as a *test-only* oracle for the RoPE maths in ``yarn_core``.

``hf_rope(config, seq_len)`` builds the model config the way ``from_pretrained`` would
(``LlamaConfig(**config)``; ``DeepseekV3Config`` when the config has ``qk_rope_head_dim``;
``Phi3Config`` for LongRoPE) and returns what transformers' RoPE init function computes:
``(inv_freq as float64 NumPy, attention_factor)``. ``model_rope(model_type, config)`` runs a given
model type's own rotary embedding class (``MODEL_ROTARY``) on the config it builds from a dict.

transformers computes in float32, so compare with ``rtol=HF_RTOL`` (measured agreement ~1e-7).
Import this module only after ``pytest.importorskip("transformers")``.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import logging
import math

import numpy as np
import torch
import transformers
from transformers import DeepseekV3Config, LlamaConfig, Phi3Config
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding
from transformers.models.phi3.modeling_phi3 import Phi3RotaryEmbedding

HF_RTOL = 1e-6
F32_EPS = 2.0**-24  # float32 unit roundoff


def blend_rtol(factor: float, amplification: float = 1.0) -> float:
    """Tolerance for YaRN / llama3 against the float32 oracle at large factors.

    Both blend theta' = theta (g + (1 - g) / s) with a weight g (the ramp, or llama3's smooth
    factor) that transformers computes in float32 with an absolute error of a few ulps (times
    ``amplification`` = high / (high - low) for llama3's smooth = (L/lambda - low)/(high - low)).
    d theta' / theta' = dg (1 - 1/s) / (g + (1 - g)/s) <= s dg: where a pair is mostly
    interpolated, the float32 error grows with s. Measured: up to ~1.2e-5 at s = 128, ~1e-7 for
    the real configs (which are checked at HF_RTOL). Below: 8 ulps of g, times (s - 1).
    """
    return HF_RTOL + 8 * F32_EPS * max(factor - 1.0, 0.0) * amplification


# The oracle configs are deliberately unusual (factors < 1, beta overrides, missing keys); the
# validation warnings transformers logs for them are noise in a test run.
transformers.logging.set_verbosity_error()
logging.getLogger("transformers").setLevel(logging.ERROR)


def _config_class(config: dict):
    if "qk_rope_head_dim" in config:
        return DeepseekV3Config
    scaling = config.get("rope_scaling") or config.get("rope_parameters") or {}
    if scaling.get("rope_type", scaling.get("type")) in ("longrope", "su"):
        return Phi3Config
    return LlamaConfig


def hf_config(config: dict):
    """The transformers config object for a config.json dict (the dict is not modified).

    YaRN and LongRoPE may omit ``factor`` (then it is max_position_embeddings / original); the
    YaRN validator insists on the key, so it is passed as ``None``, which the init function
    resolves exactly that way.
    """
    config = copy.deepcopy(config)
    for key in ("rope_parameters", "rope_scaling"):
        scaling = config.get(key)
        if isinstance(scaling, dict) and scaling.get("rope_type", scaling.get("type")) == "yarn":
            scaling.setdefault("factor", None)
    return _config_class(config)(**config)


@contextlib.contextmanager
def float64_torch():
    """Run transformers' own RoPE code in float64: its functions ask for ``torch.float`` /
    ``torch.float32`` by name, so both names point at float64 for the duration. The algorithm is
    untouched; only the float32 roundoff (which grows with s in YaRN's and llama3's blends) goes."""
    saved = torch.float, torch.float32, torch.get_default_dtype()
    torch.float = torch.float32 = torch.float64
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.float, torch.float32 = saved[0], saved[1]
        torch.set_default_dtype(saved[2])


def hf_rope(config: dict, seq_len: int | None = None, float64: bool = False) -> tuple[np.ndarray, float]:
    """(inv_freq, attention_factor) as transformers computes them for ``config`` (in float64 when
    ``float64``; see float64_torch)."""
    if float64:
        with float64_torch():
            return hf_rope(config, seq_len)
    cfg = hf_config(config)
    rope_type = cfg.rope_parameters["rope_type"]
    if rope_type == "default":
        if cfg.rope_parameters.get("partial_rotary_factor", 1.0) != 1.0:
            # Llama's default ignores partial_rotary_factor; models that use it (Phi-3, GPT-NeoX, ...)
            # compute the default RoPE on the rotary part only, as Phi-3's function does.
            inv_freq, attention = Phi3RotaryEmbedding.compute_default_rope_parameters(cfg)
        else:
            inv_freq, attention = LlamaRotaryEmbedding.compute_default_rope_parameters(cfg)
    else:
        inv_freq, attention = ROPE_INIT_FUNCTIONS[rope_type](cfg, None, seq_len)
    return inv_freq.detach().double().numpy(), float(attention)


# ---------------------------------------------------------------------------------------------
# Every model type's own rotary embedding (the parity sweep, tests/core/test_hf_parity.py)

MODEL_ROTARY: dict[str, tuple[str, str]] = {
    "afmoe": ("", "afmoe.modeling_afmoe.AfmoeRotaryEmbedding"),
    "apertus": ("", "apertus.modeling_apertus.ApertusRotaryEmbedding"),
    "apertus1p5": ("text_config", "apertus1p5.modeling_apertus1p5.Apertus1p5TextRotaryEmbedding"),
    "apertus1p5_text": ("", "apertus1p5.modeling_apertus1p5.Apertus1p5TextRotaryEmbedding"),
    "arcee": ("", "arcee.modeling_arcee.ArceeRotaryEmbedding"),
    "aria": ("text_config", "aria.modeling_aria.AriaTextRotaryEmbedding"),
    "aria_text": ("", "aria.modeling_aria.AriaTextRotaryEmbedding"),
    "audioflamingo3": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "axk1": ("", "axk1.modeling_axk1.AXK1RotaryEmbedding"),
    "axk2": ("", "axk2.modeling_axk2.AXK2RotaryEmbedding"),
    "bailing_hybrid": ("", "bailing_hybrid.modeling_bailing_hybrid.BailingHybridRotaryEmbedding"),
    "bamba": ("", "bamba.modeling_bamba.BambaRotaryEmbedding"),
    "beam": ("", "beam.modeling_beam.BeamRotaryEmbedding"),
    "bitnet": ("", "bitnet.modeling_bitnet.BitNetRotaryEmbedding"),
    "chameleon": ("", "chameleon.modeling_chameleon.ChameleonRotaryEmbedding"),
    "codegen": ("", "codegen.modeling_codegen.CodeGenRotaryEmbedding"),
    "cohere": ("", "cohere.modeling_cohere.CohereRotaryEmbedding"),
    "cohere2": ("", "cohere2.modeling_cohere2.Cohere2RotaryEmbedding"),
    "cohere2_moe": ("", "cohere2_moe.modeling_cohere2_moe.Cohere2MoeRotaryEmbedding"),
    "cohere2_vision": ("text_config", "cohere2.modeling_cohere2.Cohere2RotaryEmbedding"),
    "cohere_compass": ("text_config", "cohere_compass.modeling_cohere_compass.CohereCompassRotaryEmbedding"),
    "cohere_compass_text": ("", "cohere_compass.modeling_cohere_compass.CohereCompassRotaryEmbedding"),
    "cosmos3_edge": ("text_config", "cosmos3_edge.modeling_cosmos3_edge.Cosmos3EdgeTextRotaryEmbedding"),
    "cosmos3_edge_text": ("", "cosmos3_edge.modeling_cosmos3_edge.Cosmos3EdgeTextRotaryEmbedding"),
    "cosmos3_omni": ("text_config", "qwen3_vl.modeling_qwen3_vl.Qwen3VLTextRotaryEmbedding"),
    "csm": ("", "csm.modeling_csm.CsmRotaryEmbedding"),
    "csm_depth_decoder_model": ("", "csm.modeling_csm.CsmRotaryEmbedding"),
    "cwm": ("", "cwm.modeling_cwm.CwmRotaryEmbedding"),
    "dbrx": ("", "dbrx.modeling_dbrx.DbrxRotaryEmbedding"),
    "deepseek_ocr2": ("text_config", "deepseek_ocr2.modeling_deepseek_ocr2.DeepseekOcr2TextRotaryEmbedding"),
    "deepseek_ocr2_text": ("", "deepseek_ocr2.modeling_deepseek_ocr2.DeepseekOcr2TextRotaryEmbedding"),
    "deepseek_v2": ("", "deepseek_v2.modeling_deepseek_v2.DeepseekV2RotaryEmbedding"),
    "deepseek_v3": ("", "deepseek_v3.modeling_deepseek_v3.DeepseekV3RotaryEmbedding"),
    "deepseek_v32": ("", "deepseek_v32.modeling_deepseek_v32.DeepseekV32RotaryEmbedding"),
    "deepseek_vl": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "deepseek_vl_hybrid": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "dia": ("decoder_config", "dia.modeling_dia.DiaRotaryEmbedding"),
    "dia_decoder": ("", "dia.modeling_dia.DiaRotaryEmbedding"),
    "dia_encoder": ("", "dia.modeling_dia.DiaRotaryEmbedding"),
    "diffllama": ("", "diffllama.modeling_diffllama.DiffLlamaRotaryEmbedding"),
    "doge": ("", "doge.modeling_doge.DogeRotaryEmbedding"),
    "dory": ("", "dory.modeling_dory.DoryRotaryEmbedding"),
    "dots1": ("", "dots1.modeling_dots1.Dots1RotaryEmbedding"),
    "emu3": ("text_config", "emu3.modeling_emu3.Emu3RotaryEmbedding"),
    "emu3_text_model": ("", "emu3.modeling_emu3.Emu3RotaryEmbedding"),
    "ernie4_5": ("", "ernie4_5.modeling_ernie4_5.Ernie4_5RotaryEmbedding"),
    "ernie4_5_moe": ("", "ernie4_5_moe.modeling_ernie4_5_moe.Ernie4_5_MoeRotaryEmbedding"),
    "ernie4_5_vl_moe": (
        "text_config",
        "ernie4_5_vl_moe.modeling_ernie4_5_vl_moe.Ernie4_5_VLMoeTextRotaryEmbedding",
    ),
    "ernie4_5_vl_moe_text": (
        "",
        "ernie4_5_vl_moe.modeling_ernie4_5_vl_moe.Ernie4_5_VLMoeTextRotaryEmbedding",
    ),
    "esmc": ("", "esmc.modeling_esmc.EsmcRotaryEmbedding"),
    "eurobert": ("", "eurobert.modeling_eurobert.EuroBertRotaryEmbedding"),
    "evolla": ("", "evolla.modeling_evolla.EvollaRotaryEmbedding"),
    "exaone": ("", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "exaone4": ("", "exaone4.modeling_exaone4.Exaone4RotaryEmbedding"),
    "exaone4_5": ("text_config", "exaone4.modeling_exaone4.Exaone4RotaryEmbedding"),
    "exaone_moe": ("", "exaone_moe.modeling_exaone_moe.ExaoneMoeRotaryEmbedding"),
    "falcon": ("", "falcon.modeling_falcon.FalconRotaryEmbedding"),
    "falcon_h1": ("", "falcon_h1.modeling_falcon_h1.FalconH1RotaryEmbedding"),
    "flex_olmo": ("", "flex_olmo.modeling_flex_olmo.FlexOlmoRotaryEmbedding"),
    "flint": ("", "flint.modeling_flint.FlintRotaryEmbedding"),
    "fun_asr_nano": ("text_config", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "fuyu": ("text_config", "persimmon.modeling_persimmon.PersimmonRotaryEmbedding"),
    "gemma": ("", "gemma.modeling_gemma.GemmaRotaryEmbedding"),
    "gemma2": ("", "gemma2.modeling_gemma2.Gemma2RotaryEmbedding"),
    "gemma3": ("text_config", "gemma3.modeling_gemma3.Gemma3RotaryEmbedding"),
    "gemma3_text": ("", "gemma3.modeling_gemma3.Gemma3RotaryEmbedding"),
    "gemma3n": ("text_config", "gemma3n.modeling_gemma3n.Gemma3nRotaryEmbedding"),
    "gemma3n_text": ("", "gemma3n.modeling_gemma3n.Gemma3nRotaryEmbedding"),
    "glm": ("", "glm.modeling_glm.GlmRotaryEmbedding"),
    "glm4": ("", "glm4.modeling_glm4.Glm4RotaryEmbedding"),
    "glm46v": ("text_config", "glm4v.modeling_glm4v.Glm4vTextRotaryEmbedding"),
    "glm4_moe": ("", "glm4_moe.modeling_glm4_moe.Glm4MoeRotaryEmbedding"),
    "glm4_moe_lite": ("", "glm4_moe_lite.modeling_glm4_moe_lite.Glm4MoeLiteRotaryEmbedding"),
    "glm4v": ("text_config", "glm4v.modeling_glm4v.Glm4vTextRotaryEmbedding"),
    "glm4v_moe": ("text_config", "glm4v_moe.modeling_glm4v_moe.Glm4vMoeTextRotaryEmbedding"),
    "glm4v_moe_text": ("", "glm4v_moe.modeling_glm4v_moe.Glm4vMoeTextRotaryEmbedding"),
    "glm4v_text": ("", "glm4v.modeling_glm4v.Glm4vTextRotaryEmbedding"),
    "glm_image": ("text_config", "glm_image.modeling_glm_image.GlmImageTextRotaryEmbedding"),
    "glm_image_text": ("", "glm_image.modeling_glm_image.GlmImageTextRotaryEmbedding"),
    "glm_moe_dsa": ("", "glm_moe_dsa.modeling_glm_moe_dsa.GlmMoeDsaRotaryEmbedding"),
    "glm_ocr": ("text_config", "glm_ocr.modeling_glm_ocr.GlmOcrTextRotaryEmbedding"),
    "glm_ocr_text": ("", "glm_ocr.modeling_glm_ocr.GlmOcrTextRotaryEmbedding"),
    "glmasr": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "glmasr_encoder": ("", "glmasr.modeling_glmasr.GlmAsrRotaryEmbedding"),
    "glmga": ("text_config", "glm4v.modeling_glm4v.Glm4vTextRotaryEmbedding"),
    "got_ocr2": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "gpt_neox": ("", "gpt_neox.modeling_gpt_neox.GPTNeoXRotaryEmbedding"),
    "gpt_neox_japanese": ("", "gpt_neox_japanese.modeling_gpt_neox_japanese.GPTNeoXJapaneseRotaryEmbedding"),
    "gpt_oss": ("", "gpt_oss.modeling_gpt_oss.GptOssRotaryEmbedding"),
    "gptj": ("", "gptj.modeling_gptj.GPTJRotaryEmbedding"),
    "gradium_phonon_tts": (
        "",
        "gradium_phonon_tts.modeling_gradium_phonon_tts.GradiumPhononTTSRotaryEmbedding",
    ),
    "granite": ("", "granite.modeling_granite.GraniteRotaryEmbedding"),
    "granite4_vision": (
        "text_config",
        "granite4_vision.modeling_granite4_vision.Granite4VisionTextRotaryEmbedding",
    ),
    "granite4_vision_text": (
        "",
        "granite4_vision.modeling_granite4_vision.Granite4VisionTextRotaryEmbedding",
    ),
    "granite_docling": (
        "text_config",
        "granite_docling.modeling_granite_docling.GraniteDoclingTextRotaryEmbedding",
    ),
    "granite_docling_text": (
        "",
        "granite_docling.modeling_granite_docling.GraniteDoclingTextRotaryEmbedding",
    ),
    "granite_speech": ("text_config", "granite.modeling_granite.GraniteRotaryEmbedding"),
    "granite_speech_plus": ("text_config", "granite.modeling_granite.GraniteRotaryEmbedding"),
    "granite_swa": ("", "granite_swa.modeling_granite_swa.GraniteSWARotaryEmbedding"),
    "granitemoe": ("", "granitemoe.modeling_granitemoe.GraniteMoeRotaryEmbedding"),
    "granitemoe_swa": ("", "granitemoe_swa.modeling_granitemoe_swa.GraniteMoeSWARotaryEmbedding"),
    "granitemoehybrid": ("", "granitemoehybrid.modeling_granitemoehybrid.GraniteMoeHybridRotaryEmbedding"),
    "granitemoeshared": ("", "granitemoeshared.modeling_granitemoeshared.GraniteMoeSharedRotaryEmbedding"),
    "gte": ("", "gte.modeling_gte.GteRotaryEmbedding"),
    "helium": ("", "helium.modeling_helium.HeliumRotaryEmbedding"),
    "higgs_audio_v2": ("", "higgs_audio_v2.modeling_higgs_audio_v2.HiggsAudioV2RotaryEmbedding"),
    "hrm_text": ("", "hrm_text.modeling_hrm_text.HrmTextRotaryEmbedding"),
    "hunyuan_v1_dense": ("", "hunyuan_v1_dense.modeling_hunyuan_v1_dense.HunYuanDenseV1RotaryEmbedding"),
    "hunyuan_v1_moe": ("", "hunyuan_v1_moe.modeling_hunyuan_v1_moe.HunYuanMoEV1RotaryEmbedding"),
    "hunyuan_vl": ("text_config", "hunyuan_vl.modeling_hunyuan_vl.HunYuanVLRotaryEmbedding"),
    "hunyuan_vl_text": ("", "hunyuan_vl.modeling_hunyuan_vl.HunYuanVLRotaryEmbedding"),
    "hy_v3": ("", "hy_v3.modeling_hy_v3.HYV3RotaryEmbedding"),
    "hy_v4": ("", "hy_v4.modeling_hy_v4.HYV4RotaryEmbedding"),
    "hy_v4_vl": ("text_config", "hy_v4_vl.modeling_hy_v4_vl.HYV4VLRotaryEmbedding"),
    "hy_v4_vl_text": ("", "hy_v4_vl.modeling_hy_v4_vl.HYV4VLRotaryEmbedding"),
    "hyperclovax": ("", "hyperclovax.modeling_hyperclovax.HyperCLOVAXRotaryEmbedding"),
    "hyperclovax_vision_v2": ("text_config", "hyperclovax.modeling_hyperclovax.HyperCLOVAXRotaryEmbedding"),
    "idefics": ("", "idefics.modeling_idefics.IdeficsRotaryEmbedding"),
    "idefics2": ("text_config", "mistral.modeling_mistral.MistralRotaryEmbedding"),
    "idefics3": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "internlm3": ("", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "internvl": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "iquestcoder": ("", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "jais2": ("", "jais2.modeling_jais2.Jais2RotaryEmbedding"),
    "janus": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "jetmoe": ("", "jetmoe.modeling_jetmoe.JetMoeRotaryEmbedding"),
    "jina_embeddings_v3": (
        "",
        "jina_embeddings_v3.modeling_jina_embeddings_v3.JinaEmbeddingsV3RotaryEmbedding",
    ),
    "kimi_k25": ("text_config", "deepseek_v3.modeling_deepseek_v3.DeepseekV3RotaryEmbedding"),
    "kolibri1": ("", "kolibri1.modeling_kolibri1.Kolibri1RotaryEmbedding"),
    "kyutai_speech_to_text": (
        "",
        "kyutai_speech_to_text.modeling_kyutai_speech_to_text.KyutaiSpeechToTextRotaryEmbedding",
    ),
    "laguna": ("", "laguna.modeling_laguna.LagunaRotaryEmbedding"),
    "lara_mini": ("", "lara_mini.modeling_lara_mini.LaraMiniRotaryEmbedding"),
    "lasr_ctc": ("encoder_config", "lasr.modeling_lasr.LasrEncoderRotaryEmbedding"),
    "lasr_encoder": ("", "lasr.modeling_lasr.LasrEncoderRotaryEmbedding"),
    "lfm2": ("", "lfm2.modeling_lfm2.Lfm2RotaryEmbedding"),
    "lfm2_moe": ("", "lfm2_moe.modeling_lfm2_moe.Lfm2MoeRotaryEmbedding"),
    "lfm2_vl": ("text_config", "lfm2.modeling_lfm2.Lfm2RotaryEmbedding"),
    "lighton_ocr": ("text_config", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "llama": ("", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "llama4": ("text_config", "llama4.modeling_llama4.Llama4TextRotaryEmbedding"),
    "llama4_text": ("", "llama4.modeling_llama4.Llama4TextRotaryEmbedding"),
    "llava": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "llava_next": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "llava_next_video": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "llava_onevision": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "longcat_flash": ("", "longcat_flash.modeling_longcat_flash.LongcatFlashRotaryEmbedding"),
    "mellum": ("", "mellum.modeling_mellum.MellumRotaryEmbedding"),
    "mimo_v2_flash": ("", "mimo_v2_flash.modeling_mimo_v2_flash.MiMoV2FlashRotaryEmbedding"),
    "minicpm3": ("", "minicpm3.modeling_minicpm3.MiniCPM3RotaryEmbedding"),
    "minicpm_ocr": ("text_config", "qwen3_5.modeling_qwen3_5.Qwen3_5TextRotaryEmbedding"),
    "minicpmv4_6": ("text_config", "qwen3_5.modeling_qwen3_5.Qwen3_5TextRotaryEmbedding"),
    "minicpmv4_7": ("text_config", "qwen3_5.modeling_qwen3_5.Qwen3_5TextRotaryEmbedding"),
    "minimax": ("", "minimax.modeling_minimax.MiniMaxRotaryEmbedding"),
    "minimax_m2": ("", "minimax_m2.modeling_minimax_m2.MiniMaxM2RotaryEmbedding"),
    "minimax_m3_vl": ("text_config", "minimax_m3_vl.modeling_minimax_m3_vl.MiniMaxM3VLRotaryEmbedding"),
    "minimax_m3_vl_text": ("", "minimax_m3_vl.modeling_minimax_m3_vl.MiniMaxM3VLRotaryEmbedding"),
    "ministral": ("", "ministral.modeling_ministral.MinistralRotaryEmbedding"),
    "ministral3": ("", "ministral3.modeling_ministral3.Ministral3RotaryEmbedding"),
    "mistral": ("", "mistral.modeling_mistral.MistralRotaryEmbedding"),
    "mistral3": ("text_config", "mistral.modeling_mistral.MistralRotaryEmbedding"),
    "mistral_large4": (
        "text_config",
        "mistral_large4.modeling_mistral_large4.MistralLarge4TextRotaryEmbedding",
    ),
    "mistral_large4_text": ("", "mistral_large4.modeling_mistral_large4.MistralLarge4TextRotaryEmbedding"),
    "mixtral": ("", "mixtral.modeling_mixtral.MixtralRotaryEmbedding"),
    "mllama": ("text_config", "mllama.modeling_mllama.MllamaRotaryEmbedding"),
    "mllama_text_model": ("", "mllama.modeling_mllama.MllamaRotaryEmbedding"),
    "modernbert": ("", "modernbert.modeling_modernbert.ModernBertRotaryEmbedding"),
    "modernbert-decoder": (
        "",
        "modernbert_decoder.modeling_modernbert_decoder.ModernBertDecoderRotaryEmbedding",
    ),
    "modernvbert": ("text_config", "modernbert.modeling_modernbert.ModernBertRotaryEmbedding"),
    "molmo2": ("text_config", "molmo2.modeling_molmo2.Molmo2RotaryEmbedding"),
    "molmo2_text": ("", "molmo2.modeling_molmo2.Molmo2RotaryEmbedding"),
    "moonshine": ("", "moonshine.modeling_moonshine.MoonshineRotaryEmbedding"),
    "moshi": ("", "moshi.modeling_moshi.MoshiRotaryEmbedding"),
    "moss_transcribe_diarize": ("text_config", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "muse_glimmer": ("text_config", "muse_glimmer.modeling_muse_glimmer.MuseGlimmerTextRotaryEmbedding"),
    "muse_glimmer_assistant": (
        "",
        "muse_glimmer_assistant.modeling_muse_glimmer_assistant.MuseGlimmerAssistantRotaryEmbedding",
    ),
    "muse_glimmer_text": ("", "muse_glimmer.modeling_muse_glimmer.MuseGlimmerTextRotaryEmbedding"),
    "muse_spark": ("text_config", "muse_spark.modeling_muse_spark.MuseSparkTextRotaryEmbedding"),
    "muse_spark_text": ("", "muse_spark.modeling_muse_spark.MuseSparkTextRotaryEmbedding"),
    "musicflamingo": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "nanochat": ("", "nanochat.modeling_nanochat.NanoChatRotaryEmbedding"),
    "nemotron": ("", "nemotron.modeling_nemotron.NemotronRotaryEmbedding"),
    "nemotron3_5_transcribe_asr_audio": (
        "",
        "nemotron3_5_transcribe.modeling_nemotron3_5_transcribe.Nemotron3_5TranscribeRotaryEmbedding",
    ),
    "nemotron3_5_transcribe_word_timestamp": (
        "",
        "nemotron3_5_transcribe.modeling_nemotron3_5_transcribe.Nemotron3_5TranscribeRotaryEmbedding",
    ),
    "nemotron3_diarization_audio": (
        "",
        "nemotron3_diarization.modeling_nemotron3_diarization.Nemotron3DiarizationRotaryEmbedding",
    ),
    "neomme": ("", "neomme.modeling_neomme.NeoMMERotaryEmbedding"),
    "neucodec": ("", "neucodec.modeling_neucodec.NeuCodecRotaryEmbedding"),
    "nomic_bert": ("", "nomic_bert.modeling_nomic_bert.NomicBertRotaryEmbedding"),
    "olmo": ("", "olmo.modeling_olmo.OlmoRotaryEmbedding"),
    "olmo2": ("", "olmo2.modeling_olmo2.Olmo2RotaryEmbedding"),
    "olmo3": ("", "olmo3.modeling_olmo3.Olmo3RotaryEmbedding"),
    "olmo_hybrid": ("", "olmo_hybrid.modeling_olmo_hybrid.OlmoHybridRotaryEmbedding"),
    "olmoe": ("", "olmoe.modeling_olmoe.OlmoeRotaryEmbedding"),
    "omniasr": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "openai_privacy_filter": (
        "",
        "openai_privacy_filter.modeling_openai_privacy_filter.OpenAIPrivacyFilterRotaryEmbedding",
    ),
    "ovis2": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "paddleocr_vl": ("text_config", "paddleocr_vl.modeling_paddleocr_vl.PaddleOCRRotaryEmbedding"),
    "paddleocr_vl_text": ("", "paddleocr_vl.modeling_paddleocr_vl.PaddleOCRRotaryEmbedding"),
    "paligemma": ("text_config", "gemma.modeling_gemma.GemmaRotaryEmbedding"),
    "pe_audio": ("text_config", "modernbert.modeling_modernbert.ModernBertRotaryEmbedding"),
    "pe_audio_encoder": ("", "pe_audio.modeling_pe_audio.PeAudioEncoderRotaryEmbedding"),
    "persimmon": ("", "persimmon.modeling_persimmon.PersimmonRotaryEmbedding"),
    "phi": ("", "phi.modeling_phi.PhiRotaryEmbedding"),
    "phi3": ("", "phi3.modeling_phi3.Phi3RotaryEmbedding"),
    "phi4_multimodal": ("", "phi4_multimodal.modeling_phi4_multimodal.Phi4MultimodalRotaryEmbedding"),
    "phimoe": ("", "phimoe.modeling_phimoe.PhimoeRotaryEmbedding"),
    "pocket_tts": ("", "pocket_tts.modeling_pocket_tts.PocketTTSRotaryEmbedding"),
    "qianfan_ocr": ("text_config", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "qwen2": ("", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "qwen2_5_omni": (
        "thinker_config.text_config",
        "qwen2_5_omni.modeling_qwen2_5_omni.Qwen2_5OmniRotaryEmbedding",
    ),
    "qwen2_5_omni_text": ("", "qwen2_5_omni.modeling_qwen2_5_omni.Qwen2_5OmniRotaryEmbedding"),
    "qwen2_5_omni_thinker": ("text_config", "qwen2_5_omni.modeling_qwen2_5_omni.Qwen2_5OmniRotaryEmbedding"),
    "qwen2_5_vl": ("text_config", "qwen2_5_vl.modeling_qwen2_5_vl.Qwen2_5_VLRotaryEmbedding"),
    "qwen2_5_vl_text": ("", "qwen2_5_vl.modeling_qwen2_5_vl.Qwen2_5_VLRotaryEmbedding"),
    "qwen2_audio": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "qwen2_moe": ("", "qwen2_moe.modeling_qwen2_moe.Qwen2MoeRotaryEmbedding"),
    "qwen2_vl": ("text_config", "qwen2_vl.modeling_qwen2_vl.Qwen2VLRotaryEmbedding"),
    "qwen2_vl_text": ("", "qwen2_vl.modeling_qwen2_vl.Qwen2VLRotaryEmbedding"),
    "qwen3": ("", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "qwen3_5": ("text_config", "qwen3_5.modeling_qwen3_5.Qwen3_5TextRotaryEmbedding"),
    "qwen3_5_moe": ("text_config", "qwen3_5_moe.modeling_qwen3_5_moe.Qwen3_5MoeTextRotaryEmbedding"),
    "qwen3_5_moe_text": ("", "qwen3_5_moe.modeling_qwen3_5_moe.Qwen3_5MoeTextRotaryEmbedding"),
    "qwen3_5_text": ("", "qwen3_5.modeling_qwen3_5.Qwen3_5TextRotaryEmbedding"),
    "qwen3_asr": ("text_config", "qwen3.modeling_qwen3.Qwen3RotaryEmbedding"),
    "qwen3_moe": ("", "qwen3_moe.modeling_qwen3_moe.Qwen3MoeRotaryEmbedding"),
    "qwen3_next": ("", "qwen3_next.modeling_qwen3_next.Qwen3NextRotaryEmbedding"),
    "qwen3_omni_moe": (
        "thinker_config.text_config",
        "qwen3_omni_moe.modeling_qwen3_omni_moe.Qwen3OmniMoeThinkerTextRotaryEmbedding",
    ),
    "qwen3_omni_moe_text": (
        "",
        "qwen3_omni_moe.modeling_qwen3_omni_moe.Qwen3OmniMoeThinkerTextRotaryEmbedding",
    ),
    "qwen3_omni_moe_thinker": (
        "text_config",
        "qwen3_omni_moe.modeling_qwen3_omni_moe.Qwen3OmniMoeThinkerTextRotaryEmbedding",
    ),
    "qwen3_vl": ("text_config", "qwen3_vl.modeling_qwen3_vl.Qwen3VLTextRotaryEmbedding"),
    "qwen3_vl_moe": ("text_config", "qwen3_vl_moe.modeling_qwen3_vl_moe.Qwen3VLMoeTextRotaryEmbedding"),
    "qwen3_vl_moe_text": ("", "qwen3_vl_moe.modeling_qwen3_vl_moe.Qwen3VLMoeTextRotaryEmbedding"),
    "qwen3_vl_text": ("", "qwen3_vl.modeling_qwen3_vl.Qwen3VLTextRotaryEmbedding"),
    "qwen4_exp": ("text_config", "qwen4_exp.modeling_qwen4_exp.Qwen4ExpTextRotaryEmbedding"),
    "qwen4_exp_text": ("", "qwen4_exp.modeling_qwen4_exp.Qwen4ExpTextRotaryEmbedding"),
    "recurrent_gemma": ("", "recurrent_gemma.modeling_recurrent_gemma.RecurrentGemmaRotaryEmbedding"),
    "sarvam_mla": ("", "deepseek_v3.modeling_deepseek_v3.DeepseekV3RotaryEmbedding"),
    "sarvam_moe": ("", "glm4_moe.modeling_glm4_moe.Glm4MoeRotaryEmbedding"),
    "seed_oss": ("", "seed_oss.modeling_seed_oss.SeedOssRotaryEmbedding"),
    "smollm3": ("", "smollm3.modeling_smollm3.SmolLM3RotaryEmbedding"),
    "smolvlm": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "solar_open": ("", "solar_open.modeling_solar_open.SolarOpenRotaryEmbedding"),
    "stablelm": ("", "stablelm.modeling_stablelm.StableLmRotaryEmbedding"),
    "starcoder2": ("", "starcoder2.modeling_starcoder2.Starcoder2RotaryEmbedding"),
    "step3p5": ("", "step3p7.modeling_step3p7.Step3p7RotaryEmbedding"),
    "step3p7": ("text_config", "step3p7.modeling_step3p7.Step3p7RotaryEmbedding"),
    "t5_gemma_module": ("", "t5gemma.modeling_t5gemma.T5GemmaRotaryEmbedding"),
    "t5gemma": ("decoder", "t5gemma.modeling_t5gemma.T5GemmaRotaryEmbedding"),
    "t5gemma2": ("decoder", "t5gemma2.modeling_t5gemma2.T5Gemma2RotaryEmbedding"),
    "t5gemma2_decoder": ("", "t5gemma2.modeling_t5gemma2.T5Gemma2RotaryEmbedding"),
    "t5gemma2_encoder": ("text_config", "t5gemma2.modeling_t5gemma2.T5Gemma2RotaryEmbedding"),
    "t5gemma2_text": ("", "t5gemma2.modeling_t5gemma2.T5Gemma2RotaryEmbedding"),
    "timesfm2_5": ("", "timesfm2_5.modeling_timesfm2_5.TimesFm2_5RotaryEmbedding"),
    "ultrabert": ("", "ultrabert.modeling_ultrabert.UltrabertRotaryEmbedding"),
    "ultravbert": ("text_config", "ultrabert.modeling_ultrabert.UltrabertRotaryEmbedding"),
    "unlimited_ocr": ("text_config", "unlimited_ocr.modeling_unlimited_ocr.UnlimitedOcrTextRotaryEmbedding"),
    "unlimited_ocr_text": ("", "unlimited_ocr.modeling_unlimited_ocr.UnlimitedOcrTextRotaryEmbedding"),
    "vaultgemma": ("", "vaultgemma.modeling_vaultgemma.VaultGemmaRotaryEmbedding"),
    "vibevoice": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "vibevoice_asr": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "video_llama_3": ("text_config", "qwen2.modeling_qwen2.Qwen2RotaryEmbedding"),
    "video_llava": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "vipllava": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "voxtral": ("text_config", "llama.modeling_llama.LlamaRotaryEmbedding"),
    "voxtral_realtime": (
        "text_config",
        "voxtral_realtime.modeling_voxtral_realtime.VoxtralRealtimeRotaryEmbedding",
    ),
    "voxtral_realtime_encoder": (
        "",
        "voxtral_realtime.modeling_voxtral_realtime.VoxtralRealtimeRotaryEmbedding",
    ),
    "voxtral_realtime_text": (
        "",
        "voxtral_realtime.modeling_voxtral_realtime.VoxtralRealtimeRotaryEmbedding",
    ),
    "xcodec2": ("", "xcodec2.modeling_xcodec2.Xcodec2RotaryEmbedding"),
    "youtu": ("", "youtu.modeling_youtu.YoutuRotaryEmbedding"),
    "zamba2": ("", "zamba2.modeling_zamba2.Zamba2RotaryEmbedding"),
    "zaya": ("", "zaya.modeling_zaya.ZayaRotaryEmbedding"),
}
"""model_type -> (the attribute of its config that holds the language model's config, "" for the
config itself; its rotary embedding class under transformers.models). Found by building each model
on the meta device and listing the rotary module its language model uses."""

ORACLE_BASE: dict[str, dict] = {
    # transformers' own default configs that give an odd head or rotary dim (42 x 0.5 = 21, 2048 / 28
    # = 73): yarn_core refuses odd rotary dims, so these are built with a realistic head_dim
    "glm4_moe": {"head_dim": 128},
    "glm4v_moe": {"text_config": {"head_dim": 128}},
    "glm4v_moe_text": {"head_dim": 128},
    "qwen3_omni_moe_thinker": {"text_config": {"head_dim": 128}},
    "qwen3_omni_moe_text": {"head_dim": 128},
    # its default text_config has no model_type, which its own config class then needs
    "qwen3_omni_moe": {"thinker_config": {"text_config": {"head_dim": 128}}},
    "exaone4_5": {"text_config": {"model_type": "exaone4"}},
}
"""Keyword arguments each model's config is built with before the RoPE settings under test."""


def _rotary_class(model_type: str):
    module, name = MODEL_ROTARY[model_type][1].rsplit(".", 1)
    return getattr(importlib.import_module(f"transformers.models.{module}"), name)


def model_config(model_type: str, config: dict):
    """transformers' config object for a config.json dict of ``model_type`` (not modified)."""
    return transformers.CONFIG_MAPPING[model_type](**copy.deepcopy(config))


def model_default_config(model_type: str) -> dict:
    """The config.json transformers would save for ``model_type`` with its defaults."""
    return model_config(model_type, ORACLE_BASE.get(model_type, {})).to_dict()


def model_rope(model_type: str, config: dict) -> dict[str | None, tuple[np.ndarray, float]]:
    """What ``model_type``'s own rotary embedding computes from ``config``, a config.json dict (see
    config_rope)."""
    return config_rope(model_type, model_config(model_type, config))


def config_rope(model_type: str, cfg) -> dict[str | None, tuple[np.ndarray, float]]:
    """What ``model_type``'s own rotary embedding computes from its config object ``cfg``, in
    float64: {layer type (None for one RoPE): (inv_freq, the factor on cos and sin)}. The factor is
    read from cos at position 0 of the forward pass (Phi-MoE's forward scales by its own mscale);
    GPT-J's sin/cos table gives the angles at position 1."""
    with float64_torch():
        text = _language_config(model_type, cfg)
        try:
            rotary = _rotary_class(model_type)(text)
        except TypeError:
            if getattr(text, "head_dim", 0) is not None:
                raise
            # transformers 5.24's dynamic / yarn / longrope functions read a null head_dim as None and
            # fail; its attention uses hidden_size // num_attention_heads, and so does yarn_core
            text.head_dim = text.hidden_size // text.num_attention_heads
            rotary = _rotary_class(model_type)(text)
        if hasattr(rotary, "embed_positions"):
            table = rotary.embed_positions.double()
            half = table.shape[1] // 2
            return {None: (torch.atan2(table[1, :half], table[1, half:]).numpy(), 1.0)}
        layers = rotary.rope_type if isinstance(getattr(rotary, "rope_type", None), dict) else {None: None}
        return {layer: _layer_rope(rotary, layer) for layer in layers}


def _language_config(model_type: str, cfg):
    path = MODEL_ROTARY[model_type][0]
    for key in path.split(".") if path else ():
        cfg = getattr(cfg, key)
    return cfg


def _layer_rope(rotary, layer: str | None) -> tuple[np.ndarray, float]:
    prefix = "" if layer is None else f"{layer}_"
    inv_freq = getattr(rotary, f"{prefix}inv_freq").detach().double().numpy()
    kwargs = {} if layer is None else {"layer_type": layer}
    try:
        cos, _ = rotary(torch.zeros(1, 1, 1), torch.zeros(1, 1, dtype=torch.long), **kwargs)
    except (RuntimeError, ValueError, IndexError, TypeError):  # multimodal RoPE: (3, batch, seq) positions
        return inv_freq, float(getattr(rotary, f"{prefix}attention_scaling"))
    return inv_freq, float(cos.flatten()[0])


def config_softmax_factor(model_type: str, cfg) -> float:
    """The factor the model's attention puts on its softmax scale (DeepSeek-style models'
    yarn_apply_mscale; 1 for a model whose attention has none)."""
    module = importlib.import_module(_rotary_class(model_type).__module__)
    apply_mscale = getattr(module, "yarn_apply_mscale", None)
    if apply_mscale is None:
        return 1.0
    return math.sqrt(apply_mscale(_language_config(model_type, cfg).rope_parameters, 1.0))
