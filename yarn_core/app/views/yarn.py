"""Lesson 7, YaRN's attention temperature: sqrt(1/t) = 0.1 ln s + 1 multiplied into cos and sin,
so attention logits grow by (0.1 ln s + 1)^2, and the mscale settings real models ship with."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...attention import attention_entropy
from ...hf_config import rope_from_hf_config
from ...scaling import RopeSetting, get_mscale, scale_rope
from .. import figures as F

MAX_LENGTHS = 16  # sequence lengths on the entropy chart (cost: 3 curves x lengths x queries)
ENTROPY_QUERY_BUDGET = 768  # queries x head dim per length: 6 queries at |D| = 128, 2 at |D| = 512
ENTROPY_EXACT_KEYS = 32
SHORTEST = 16

# The rope part of real configs (see shared reference facts); everything derived from them is computed.
REAL_CONFIGS = {
    "Qwen3 (long context)": {
        "head_dim": 128,
        "rope_theta": 1e6,
        "max_position_embeddings": 131072,
        "rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
    },
    "YaRN Llama 2 (s = 16)": {
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "rope_theta": 10000.0,
        "rope_scaling": {"type": "yarn", "factor": 16.0, "original_max_position_embeddings": 4096},
    },
    "YaRN Llama 2 (s = 32)": {
        "hidden_size": 4096,
        "num_attention_heads": 32,
        "rope_theta": 10000.0,
        "rope_scaling": {"type": "yarn", "factor": 32.0, "original_max_position_embeddings": 4096},
    },
    "gpt-oss": {
        "head_dim": 64,
        "rope_theta": 150000.0,
        "max_position_embeddings": 131072,
        "rope_scaling": {
            "rope_type": "yarn",
            "factor": 32.0,
            "beta_fast": 32.0,
            "beta_slow": 1.0,
            "truncate": False,
            "original_max_position_embeddings": 4096,
        },
    },
    "DeepSeek-V3": {
        "qk_rope_head_dim": 64,
        "rope_theta": 10000.0,
        "max_position_embeddings": 163840,
        "rope_scaling": {
            "type": "yarn",
            "factor": 40.0,
            "original_max_position_embeddings": 4096,
            "beta_fast": 32.0,
            "beta_slow": 1.0,
            "mscale": 1.0,
            "mscale_all_dim": 1.0,
        },
    },
}


def entropy_lengths(trained_length: int, target_length: int) -> np.ndarray:
    """At most MAX_LENGTHS log-spaced lengths from min(16, L) to L', always including L."""
    start = min(SHORTEST, trained_length)
    grid = np.geomspace(start, max(target_length, start), MAX_LENGTHS - 1)
    return np.unique(np.concatenate([np.round(grid), [trained_length, target_length]]).astype(np.int64))


def _entropy(lengths: np.ndarray, inv_freq: np.ndarray, attention_factor: float) -> np.ndarray:
    """attention_entropy at each length with the same seed, so every length (and every curve)
    sees the same queries: the curves differ by the frequencies and the factor only. Wider heads
    get fewer queries (their logits vary less from query to query), which bounds the cost."""
    queries = int(np.clip(ENTROPY_QUERY_BUDGET // (2 * len(inv_freq)), 2, 6))
    return np.array(
        [
            attention_entropy(
                [n], inv_freq, attention_factor, seed=0, queries=queries, exact_keys=ENTROPY_EXACT_KEYS
            )[0]
            for n in lengths
        ]
    )


def entropy_chart(
    head_dim: int, base: float, trained_length: int, scale: float, mscale: float
) -> tuple[go.Figure, dict]:
    """Entropy of the last token's attention versus sequence length: the original model inside
    its window, YaRN's frequencies without the temperature, and with sqrt(1/t) = 0.1 m ln s + 1."""
    setting = RopeSetting(dim=head_dim, base=base, original_length=trained_length, factor=scale)
    target = int(round(setting.target_length))
    factor = get_mscale(scale, mscale)
    original = scale_rope("none", setting)
    yarn = scale_rope("yarn", setting.with_(attention_factor=factor))
    lengths = entropy_lengths(trained_length, target)
    inside = lengths[lengths <= trained_length]
    curves = {
        "original model, inside its window": (
            inside,
            _entropy(inside, original.inv_freq, 1.0),
            F.METHOD_COLORS["none"],
            None,
        ),
        "YaRN frequencies, no temperature": (
            lengths,
            _entropy(lengths, yarn.inv_freq, 1.0),
            F.METHOD_COLORS["ntk_by_parts"],
            "dash",
        ),
        "YaRN with temperature": (
            lengths,
            _entropy(lengths, yarn.inv_freq, factor),
            F.METHOD_COLORS["yarn"],
            None,
        ),
    }
    fig = go.Figure()
    F.add_line(
        fig,
        lengths,
        np.log(lengths),
        name="even attention: ln n",
        color=F.MUTED,
        dash="dot",
        hover="%{y:.3f} nats",
    )
    for name, (x, y, color, dash) in curves.items():
        F.add_line(fig, x, y, name=name, color=color, dash=dash, mode="lines+markers", hover="%{y:.3f} nats")
    # Shape labels go in the legend: plotly misplaces shape annotations on log axes.
    fig.add_vrect(
        x0=lengths[0],
        x1=trained_length,
        fillcolor=F.WINDOW_FILL,
        line_width=0,
        layer="below",
        name="trained lengths (n <= L)",
        showlegend=True,
    )
    F.base_layout(
        fig,
        title="How spread out attention is, as the text grows",
        x_title="sequence length n (tokens)",
        y_title="attention entropy (nats)",
        log_x=True,
    )
    without, with_t = curves["YaRN frequencies, no temperature"][1], curves["YaRN with temperature"][1]
    facts = {
        "factor": factor,
        "logit_multiplier": factor**2,
        "original_at_L": float(curves["original model, inside its window"][1][-1]),
        "without_at_target": float(without[-1]),
        "with_at_target": float(with_t[-1]),
    }
    return fig, facts


def real_models() -> list[dict]:
    """Per real config: s, the cos/sin multiplier (attention_factor) that transformers computes
    with rope_from_hf_config, and the resulting attention-logit multiplier. DeepSeek-V3 keeps
    attention_factor = mscale(s, mscale) / mscale(s, mscale_all_dim) = 1 and multiplies its softmax
    scale by get_mscale(s, mscale_all_dim)^2 instead."""
    rows = []
    for name, config in REAL_CONFIGS.items():
        rope = rope_from_hf_config(config)
        all_dim = config["rope_scaling"].get("mscale_all_dim")
        softmax = get_mscale(rope.factor, all_dim) ** 2 if all_dim else 1.0
        rows.append(
            {
                "model": name,
                "s": rope.factor,
                "attention_factor (cos, sin)": rope.attention_factor,
                "softmax scale multiplier": softmax,
                "logit multiplier": rope.attention_factor**2 * softmax,
            }
        )
    return rows


def temperature_curve(scale: float, mscale: float) -> tuple[go.Figure, dict]:
    """sqrt(1/t) = 0.1 ln s + 1 and the logit multiplier 1/t = (0.1 ln s + 1)^2 for s in [1, 128]
    (and for 0.1 m ln s + 1 when m != 1), with real models' logit multipliers marked."""
    s_grid = np.geomspace(1.0, 128.0, 200)
    fig = go.Figure()
    paper = np.array([get_mscale(v) for v in s_grid])
    F.add_line(
        fig,
        s_grid,
        paper,
        name="√(1/t) = 0.1 ln s + 1: multiplies cos and sin",
        color=F.METHOD_COLORS["yarn"],
        hover="%{y:.4f}",
    )
    F.add_line(
        fig,
        s_grid,
        paper**2,
        name="1/t = (0.1 ln s + 1)²: multiplies the logits",
        color=F.METHOD_COLORS["yarn"],
        dash="dash",
        hover="%{y:.4f}",
    )
    if mscale != 1.0:
        yours = np.array([get_mscale(v, mscale) for v in s_grid])
        F.add_line(
            fig,
            s_grid,
            yours**2,
            name=f"logits with m = {mscale:g}: (0.1·{mscale:g}·ln s + 1)²",
            color=F.MUTED,
            dash="dashdot",
            hover="%{y:.4f}",
        )
    points: dict[tuple[float, float], list[str]] = {}
    for row in real_models():
        points.setdefault((row["s"], round(row["logit multiplier"], 12)), []).append(row["model"])
    fig.add_trace(
        go.Scatter(
            x=[s for s, _ in points],
            y=[m for _, m in points],
            mode="markers+text",
            name="real models (logit multiplier)",
            text=[" / ".join(names) for names in points.values()],
            textposition="top left",
            marker={"size": 9, "color": F.METHOD_COLORS["yarn"], "symbol": "diamond"},
            hovertemplate="%{text}: s = %{x:g}, logits x %{y:.4f}<extra></extra>",
        )
    )
    fig.add_vline(x=scale, line_dash="dot", line_color=F.MUTED, name=f"your s = {scale:g}", showlegend=True)
    F.base_layout(
        fig,
        title="The temperature YaRN applies, by scale factor",
        x_title="scale s = L'/L",
        y_title="multiplier",
        log_x=True,
    )
    facts = {
        "factor": get_mscale(scale),
        "logit_multiplier": get_mscale(scale) ** 2,
        "largest_s": float(s_grid[-1]),
        "logit_at_largest": float(paper[-1] ** 2),
    }
    return fig, facts
