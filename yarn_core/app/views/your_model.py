"""Your model page: what a HuggingFace ``config.json`` does to RoPE, read through
``yarn_core.rope_from_hf_config`` (so it is what transformers computes); the bundled real configs
come from ``assets.real_models()``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...hf_config import HFRope, parse_config_text, rope_from_hf_config
from ...rope import rotations_within
from .. import figures as F

DEFAULT_CONFIG = "llama3_1_8b"
SEQ_LEN_TYPES = ("dynamic", "longrope")


@dataclass(frozen=True)
class ModelReport:
    """The Your model page's two charts and the numbers its text quotes for one config's RoPE.

    ``attention_factor_squared``: what the attention factor in cos and sin does to the logits;
    ``softmax_mscale``: mscale(s, mscale_all_dim) when a YaRN config sets mscale_all_dim
    (DeepSeek-V3 multiplies its softmax scale by its square), else None; ``logit_multiplier``:
    both together, (attention factor x softmax mscale)^2."""

    frequency: go.Figure
    stretch: go.Figure
    pairs: int
    interpolated: int
    blended: int
    kept: int
    effective_factor: float
    correction_range: tuple[float, float] | None
    never_full_turn: int | None  # pairs that never complete a turn inside L (None: no L given)
    attention_factor_squared: float
    softmax_mscale: float | None
    logit_multiplier: float


def upload_text(data: bytes) -> str:
    """The text of an uploaded file, once it passes the same checks as pasted text (size cap,
    UTF-8, valid JSON, an object). Never written to disk, never executed."""
    parse_config_text(data)
    return data.decode("utf-8-sig")


def read_config(text: str) -> tuple[dict | None, str | None]:
    """The config in ``text`` and None, or None and why it cannot be read: a ConfigError, or the
    core's own range checks (ValueError) as rope_from_hf_config applies them."""
    try:
        config = parse_config_text(text)
        rope_from_hf_config(config)
    except ValueError as err:
        return None, str(err)
    return config, None


def report(rope: HFRope, config: dict) -> ModelReport:
    """Charts and numbers for ``rope``, the RoPE read from ``config``: pair counts per regime (the
    core's regime_counts), the ramp, the pairs that never turn once inside L, the logit factors."""
    counts = rope.scaled.regime_counts()
    original = rope.original_length
    return ModelReport(
        frequency=_frequency_figure(rope),
        stretch=_stretch_figure(rope),
        pairs=len(rope.inv_freq),
        interpolated=counts["interpolated"],
        blended=counts["blended"],
        kept=counts["kept"],
        effective_factor=float(rope.scaled.effective_factor),
        correction_range=rope.scaled.correction_range,
        never_full_turn=None
        if not original
        else int((rotations_within(original, rope.base_inv_freq) < 1).sum()),
        attention_factor_squared=rope.attention_factor**2,
        softmax_mscale=rope.scaled.softmax_factor if _sets_mscale_all_dim(config, rope) else None,
        logit_multiplier=rope.scaled.logit_multiplier,
    )


def _sets_mscale_all_dim(config: dict, rope: HFRope) -> bool:
    """Whether a YaRN config sets a non-zero mscale_all_dim, its scaling dict read as transformers
    does: rope_scaling if non-empty, else rope_parameters."""
    scaling = config.get("rope_scaling") or config.get("rope_parameters") or {}
    return rope.rope_type == "yarn" and bool(scaling.get("mscale_all_dim"))


def _frequency_figure(rope: HFRope) -> go.Figure:
    """theta_i (unscaled) and theta'_i (as the config computes it) per pair, log scale, with the
    interpolated and blended pairs marked."""
    pairs = np.arange(len(rope.inv_freq))
    regimes = rope.scaled.regimes()
    color = F.METHOD_COLORS[rope.method]
    fig = go.Figure()
    F.add_line(
        fig,
        pairs,
        rope.base_inv_freq,
        name="unscaled theta_i",
        color=F.MUTED,
        dash="dot",
        hover="%{y:.4g} rad/token",
    )
    F.add_line(
        fig,
        pairs,
        rope.inv_freq,
        name=f"scaled theta'_i ({rope.rope_type})",
        color=color,
        hover="%{y:.4g} rad/token",
    )
    for regime in ("interpolated", "blended"):
        chosen = regimes == regime
        F.add_line(
            fig,
            pairs[chosen],
            rope.inv_freq[chosen],
            name=f"{regime} pairs",
            color=F.REGIME_COLORS[regime],
            mode="markers",
            hover="%{y:.4g} rad/token",
        )
    return F.base_layout(
        fig,
        title="Frequency per pair: scaled against unscaled",
        x_title="pair index i (0 = fastest)",
        y_title="theta (rad per token, log)",
        log_y=True,
    )


def _stretch_figure(rope: HFRope) -> go.Figure:
    """theta_i / theta'_i per pair: how many times slower each pair turns (1 = kept, s = fully
    interpolated; LongRoPE's per-pair factors directly)."""
    pairs = np.arange(len(rope.inv_freq))
    fig = go.Figure()
    F.add_line(
        fig,
        pairs,
        1.0 / rope.scaled.frequency_ratio,
        name=f"theta_i / theta'_i ({rope.rope_type})",
        color=F.METHOD_COLORS[rope.method],
        mode="lines+markers",
        hover="%{y:.4g} x",
    )
    fig.add_hline(
        y=rope.scaled.effective_factor,
        line_dash="dot",
        line_color=F.MUTED,
        annotation_text=f"factor used = {rope.scaled.effective_factor:g}",
        annotation_position="top left",
    )
    return F.base_layout(
        fig,
        title="How many times slower each pair turns",
        x_title="pair index i (0 = fastest)",
        y_title="theta_i / theta'_i",
    )
