"""YaRN Explorer's core: RoPE and every context-extension method, exact, in float64 NumPy.

``import yarn_core`` stays light (NumPy only): the lesson pages import it on every rerun. The tiny
torch model lives in ``yarn_core.lab`` and is imported only by the lab.
"""

from .attention import AngleCoverage, angle_coverage, attention_entropy, random_qk, relative_scores
from .hf_config import ConfigError, HFRope, parse_config_text, rope_from_hf_config
from .rope import apply_rotary, inverse_frequencies, rotation_angles, rotations_within, wavelengths
from .scaling import (
    METHODS,
    Method,
    RopeSetting,
    ScaledRope,
    code_ramp,
    correction_dim,
    correction_range,
    get_mscale,
    paper_ramp,
    scale_rope,
    yarn_attention_factor,
)

__all__ = [
    "METHODS",
    "AngleCoverage",
    "ConfigError",
    "HFRope",
    "Method",
    "RopeSetting",
    "ScaledRope",
    "angle_coverage",
    "apply_rotary",
    "attention_entropy",
    "code_ramp",
    "correction_dim",
    "correction_range",
    "get_mscale",
    "inverse_frequencies",
    "paper_ramp",
    "parse_config_text",
    "random_qk",
    "relative_scores",
    "rope_from_hf_config",
    "rotation_angles",
    "rotations_within",
    "scale_rope",
    "wavelengths",
    "yarn_attention_factor",
]
