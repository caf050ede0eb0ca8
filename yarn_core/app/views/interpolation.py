"""Lesson 4, Position Interpolation: the seed's 512 -> 1024 stretch, and its price."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...scaling import RopeSetting, scale_rope
from .. import figures as F
from ..assets import published


def position_map(trained_length: int, scale: float) -> go.Figure:
    """Position each token is rotated as: m for plain RoPE (running past L), m / s for PI."""
    target = int(round(trained_length * scale))
    m = np.linspace(0, target - 1, min(target, 2000))
    fig = go.Figure()
    F.add_line(fig, m, m, name="Plain RoPE: m", color=F.METHOD_COLORS["none"], hover="%{y:.1f}")
    F.add_line(
        fig, m, m / scale, name=f"PI: m / {scale:g}", color=F.METHOD_COLORS["linear"], hover="%{y:.1f}"
    )
    fig.add_hrect(
        y0=0,
        y1=trained_length - 1,
        fillcolor=F.WINDOW_FILL,
        line_width=0,
        layer="below",
        annotation_text=f"positions seen in training (0..{trained_length - 1:,})",
        annotation_position="top left",
    )
    F.mark_x(fig, trained_length - 1, "L")
    return F.base_layout(
        fig,
        title=f"Stretching {target:,} positions onto the trained {trained_length:,}",
        x_title="token position m in the long text",
        y_title="position the model rotates by",
    )


def neighbour_angles(head_dim: int, base: float, trained_length: int, scale: float) -> tuple[go.Figure, dict]:
    """Angle between neighbouring tokens per pair, theta_i (as trained) versus theta_i / s (PI)."""
    setting = RopeSetting(dim=head_dim, base=base, original_length=trained_length, factor=scale)
    pi = scale_rope("linear", setting)
    pairs = np.arange(head_dim // 2)
    fig = go.Figure()
    F.add_line(
        fig,
        pairs,
        pi.base_inv_freq,
        name="as trained: theta_i",
        color=F.METHOD_COLORS["none"],
        mode="lines+markers",
        hover="%{y:.4g} rad",
    )
    F.add_line(
        fig,
        pairs,
        pi.inv_freq,
        name=f"PI: theta_i / {scale:g}",
        color=F.METHOD_COLORS["linear"],
        mode="lines+markers",
        hover="%{y:.4g} rad",
    )
    F.base_layout(
        fig,
        title="The price: neighbours get closer in every pair",
        x_title="pair index i (0 = fastest)",
        y_title="angle between neighbouring tokens (rad)",
        log_y=True,
    )
    facts = {
        "fastest_trained": float(pi.base_inv_freq[0]),
        "fastest_pi": float(pi.inv_freq[0]),
        "slowest_trained": float(pi.base_inv_freq[-1]),
        "slowest_pi": float(pi.inv_freq[-1]),
    }
    return fig, facts


def finetune_recovery() -> tuple[go.Figure, str]:
    """The PI paper's perplexity before and after a short fine-tune (published numbers)."""
    data = published()["pi_finetune"]
    fig = go.Figure(
        go.Bar(
            x=[f"step {s}" for s in data["steps"]],
            y=data["perplexity"],
            marker_color=F.METHOD_COLORS["linear"],
            text=[f"{p:.2f}" for p in data["perplexity"]],
            textposition="outside",
            name="perplexity",
            hovertemplate="%{x}: %{y:.2f}<extra></extra>",
        )
    )
    F.base_layout(
        fig,
        title="PI needs a short fine-tune: LLaMA 7B at 8192 tokens",
        x_title="fine-tuning step",
        y_title="perplexity (lower is better)",
    )
    return fig, data["source"]
