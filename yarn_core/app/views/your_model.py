"""Your model page: what a HuggingFace ``config.json`` does to RoPE, read through
``yarn_core.rope_from_hf_config`` (so it is what transformers computes), and the bundled real
configs in ``assets/configs``."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go

from ...hf_config import HFRope, parse_config_text
from ...rope import rotations_within
from ...scaling import get_mscale
from .. import figures as F
from ..assets import ASSETS
from .compare import regime_masks

DEFAULT_CONFIG = "llama3_1_8b"
SEQ_LEN_TYPES = ("dynamic", "longrope")


@lru_cache(maxsize=1)
def bundled() -> dict[str, dict]:
    """The bundled configs (assets/configs/*.json: name, source, note, config), in display order."""
    entries = {path.stem: json.loads(path.read_text()) for path in (ASSETS / "configs").glob("*.json")}
    return dict(sorted(entries.items(), key=lambda item: item[1]["order"]))


def bundled_text(key: str) -> str:
    return json.dumps(bundled()[key]["config"], indent=2)


def upload_text(data: bytes) -> str:
    """The text of an uploaded file, once it passes the same checks as pasted text (size cap,
    UTF-8, valid JSON, an object). Never written to disk, never executed."""
    parse_config_text(data)
    return data.decode("utf-8-sig")


def summary(rope: HFRope) -> dict:
    """The numbers the page quotes: pair counts per regime, lengths, the logit multiplier a^2."""
    masks = regime_masks(rope.scaled)
    original = rope.original_length
    turns = rotations_within(original, rope.base_inv_freq) if original else None
    return {
        **{name: int(mask.sum()) for name, mask in masks.items()},
        "pairs": len(rope.inv_freq),
        "target_length": None if original is None else rope.factor * original,
        "logit_multiplier": rope.attention_factor**2,
        "never_full_turn": None if turns is None else int((turns < 1).sum()),
        "correction_range": rope.scaled.correction_range,
        "effective_factor": float(rope.scaled.effective_factor),
    }


def softmax_mscale(config: dict, rope: HFRope) -> float | None:
    """mscale(s, mscale_all_dim) when a YaRN config sets mscale_all_dim: DeepSeek-V3's attention
    multiplies its softmax scale by its square, on top of the attention factor in cos and sin.
    The scaling dict is read as transformers does: rope_scaling if non-empty, else rope_parameters."""
    if rope.rope_type != "yarn":
        return None
    scaling = config.get("rope_scaling") or config.get("rope_parameters") or {}
    value = scaling.get("mscale_all_dim")
    return get_mscale(rope.factor, float(value)) if value else None


def frequency_figure(rope: HFRope) -> go.Figure:
    """theta_i (unscaled) and theta'_i (as the config computes it) per pair, log scale, with the
    interpolated and blended pairs marked."""
    pairs = np.arange(len(rope.inv_freq))
    masks = regime_masks(rope.scaled)
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
        chosen = masks[regime]
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


def stretch_figure(rope: HFRope) -> go.Figure:
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
