"""HuggingFace transformers as a *test-only* oracle for the RoPE maths in ``yarn_core``.

``hf_rope(config, seq_len)`` builds the model config the way ``from_pretrained`` would
(``LlamaConfig(**config)``; ``DeepseekV3Config`` when the config has ``qk_rope_head_dim``;
``Phi3Config`` for LongRoPE) and returns what transformers' RoPE init function computes:
``(inv_freq as float64 NumPy, attention_factor)``.

transformers computes in float32, so compare with ``rtol=HF_RTOL`` (measured agreement ~1e-7).
Import this module only after ``pytest.importorskip("transformers")``.
"""

from __future__ import annotations

import contextlib
import copy
import logging

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
