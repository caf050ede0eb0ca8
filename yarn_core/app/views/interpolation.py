"""Lesson 4, Position Interpolation: positions mapped into the trained range, and the price."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...scaling import RopeSetting, scale_rope
from .. import figures as F
from .. import scrub
from ..assets import published


@dataclass(frozen=True)
class PositionMap:
    """The position every token of the long text is rotated as, plain and with PI."""

    figure: go.Figure


def position_map(setting: RopeSetting) -> PositionMap:
    """Position each token is rotated as: m for plain RoPE (running past L), m / s for PI."""
    trained_length, scale, target = setting.original_length, setting.factor, setting.target_tokens
    m = np.linspace(0, target - 1, min(target, 2000))
    fig = go.Figure()
    F.add_line(fig, m, m, name="Plain RoPE: m", color=F.METHOD_COLORS["none"], hover="%{y:.1f}")
    F.add_line(
        fig, m, m / scale, name=f"PI: m / {scale:g}", color=F.METHOD_COLORS["linear"], hover="%{y:.1f}"
    )
    F.shade_window(
        fig, 0, trained_length - 1, f"positions seen in training (0..{trained_length - 1:,})", axis="y"
    )
    F.mark_x(fig, trained_length - 1, "L")
    F.base_layout(
        fig,
        title=f"Mapping {target:,} positions onto the trained {trained_length:,}",
        x_title="token position m in the long text",
        y_title="position the model rotates by",
    )
    return PositionMap(figure=fig)


@dataclass(frozen=True)
class NeighbourAngles:
    """The angle between neighbouring tokens per pair, as trained and after PI, and the fastest
    pair's two angles, which the lesson quotes."""

    figure: go.Figure
    fastest_trained: float
    fastest_pi: float


def neighbour_angles(setting: RopeSetting) -> NeighbourAngles:
    """Angle between neighbouring tokens per pair, theta_i (as trained) versus theta_i / s (PI)."""
    pi = scale_rope("linear", setting)
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    F.add_line(
        fig,
        pairs,
        pi.base_inv_freq,
        name="as trained: θ_i",
        color=F.METHOD_COLORS["none"],
        mode="lines+markers",
        hover="%{y:.4g} rad",
    )
    F.add_line(
        fig,
        pairs,
        pi.inv_freq,
        name=f"PI: θ_i / {setting.factor:g}",
        color=F.METHOD_COLORS["linear"],
        mode="lines+markers",
        hover="%{y:.4g} rad",
    )
    F.base_layout(
        fig,
        title="The price: the spacing shrinks by s in every pair",
        x_title="pair i (0 = fastest)",
        y_title="angle between neighbouring tokens (rad)",
        log_y=True,
    )
    return NeighbourAngles(
        figure=fig, fastest_trained=float(pi.base_inv_freq[0]), fastest_pi=float(pi.inv_freq[0])
    )


@dataclass(frozen=True)
class FinetuneRecovery:
    """The PI paper's perplexity before and after a short fine-tune (published numbers): the chart,
    the perplexity before and after, the fine-tuning steps, the context length, and the source."""

    figure: go.Figure
    perplexity_before: float
    perplexity_after: float
    steps: int
    context: int
    source: str


def finetune_recovery() -> FinetuneRecovery:
    """The PI paper's perplexity before and after a short fine-tune, from assets/published.json."""
    data = published()["pi_finetune"]
    fig = go.Figure(
        go.Bar(
            x=[f"step {step}" for step in data["steps"]],
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
        title=f"PI needs a short fine-tune: LLaMA 7B at {data['context']} tokens",
        x_title="fine-tuning step",
        y_title="perplexity (lower is better)",
    )
    return FinetuneRecovery(
        figure=fig,
        perplexity_before=data["perplexity"][0],
        perplexity_after=data["perplexity"][-1],
        steps=data["steps"][-1],
        context=data["context"],
        source=data["source"],
    )


LINE_POINTS = 64  # points per straight line in the scrub frames


def position_map_scrub(setting: RopeSetting) -> go.Figure:
    """:func:`position_map` with a frame per scale s of scrub.SCALES (and the setting's): both lines
    over the positions 0..sL-1 of the long text, m and m / s (straight: LINE_POINTS points each)."""
    frames = []
    for scale in scrub.grid(setting.factor, scrub.SCALES):
        target = setting.with_(factor=scale).target_tokens
        m = np.linspace(0, target - 1, min(target, LINE_POINTS))
        frames.append((scale, [{"x": m, "y": m}, {"x": m, "y": m / scale}]))
    shown = position_map(setting).figure
    return scrub.with_frames(shown, setting.factor, frames, traces=[0, 1], prefix="s = ")
