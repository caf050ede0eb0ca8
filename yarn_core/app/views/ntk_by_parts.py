"""Lesson 6, NTK-by-parts: keep the pairs that turned many times in training, interpolate those
that never completed a turn, blend in between.

alpha and beta are the paper's names; the registry (and transformers) call them beta_slow and
beta_fast. Both count full turns inside the trained window L, so they depend on L.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...rope import rotations_within, wavelengths
from ...scaling import RopeSetting, code_ramp, correction_dim, correction_range, paper_ramp, scale_rope
from .. import figures as F

REGIMES = {
    "kept": "kept (γ = 1, extrapolated)",
    "blended": "blended (0 < γ < 1)",
    "interpolated": "interpolated (γ = 0)",
}
RAMP_LABELS = {"paper": "paper: linear in r", "code": "reference code: linear in pair index"}


def _setting(
    head_dim: int,
    base: float,
    trained_length: int,
    scale: float,
    alpha: float,
    beta: float,
    ramp: str = "paper",
) -> RopeSetting:
    return RopeSetting(
        dim=head_dim,
        base=base,
        original_length=trained_length,
        factor=scale,
        beta_slow=alpha,
        beta_fast=beta,
        ramp=ramp,
    )


def regimes(gamma: np.ndarray) -> np.ndarray:
    """Label each pair: kept where gamma = 1, interpolated where gamma = 0, blended otherwise."""
    return np.where(gamma >= 1.0, "kept", np.where(gamma <= 0.0, "interpolated", "blended"))


def pair_regimes(
    head_dim: int, base: float, trained_length: int, scale: float, alpha: float, beta: float, ramp: str
) -> tuple[go.Figure, dict]:
    """Trained wavelength lambda_i per pair, coloured by gamma_i under ``ramp``. Under the paper's
    ramp gamma(r) with r = L / lambda: kept exactly when lambda < L / beta, interpolated exactly
    when lambda > L / alpha."""
    setting = _setting(head_dim, base, trained_length, scale, alpha, beta, ramp)
    parts = scale_rope("ntk_by_parts", setting)
    wavelength = wavelengths(parts.base_inv_freq)
    regime = regimes(parts.ramp)
    pairs = np.arange(head_dim // 2)
    fig = go.Figure()
    for key, label in REGIMES.items():
        chosen = regime == key
        F.add_line(
            fig,
            pairs[chosen],
            wavelength[chosen],
            name=label,
            color=F.REGIME_COLORS[key],
            mode="markers",
            hover="wavelength %{y:.4g} tokens",
        )
    # Shape labels go in the legend: plotly misplaces shape annotations on log axes.
    fig.add_hline(
        y=trained_length / beta,
        line_dash="dot",
        line_color=F.REGIME_COLORS["kept"],
        name=f"L/β = {trained_length / beta:,.4g} tokens",
        showlegend=True,
    )
    fig.add_hline(
        y=trained_length / alpha,
        line_dash="dot",
        line_color=F.REGIME_COLORS["interpolated"],
        name=f"L/α = {trained_length / alpha:,.4g} tokens",
        showlegend=True,
    )
    F.base_layout(
        fig,
        title=f"Which pairs are kept, blended or interpolated ({RAMP_LABELS[ramp]})",
        x_title="pair index i (0 = fastest)",
        y_title="trained wavelength (tokens)",
        log_y=True,
    )
    max_turns = float(rotations_within(trained_length, parts.base_inv_freq)[0])
    counts = {key: int((regime == key).sum()) for key in REGIMES}
    facts = {
        **counts,
        "pairs": len(pairs),
        "kept_below": trained_length / beta,
        "interpolated_above": trained_length / alpha,
        "max_turns": max_turns,
        "no_pair_kept": max_turns < beta,
        "all_interpolated": max_turns <= alpha,
        "fastest_gamma_paper": float(paper_ramp(setting)[0]),
        "code_kept": int((code_ramp(setting) >= 1.0).sum()),
    }
    return fig, facts


def ramp_comparison(
    head_dim: int, base: float, trained_length: int, alpha: float, beta: float, selected: str
) -> tuple[go.Figure, dict]:
    """gamma per pair from the paper (clip((r - alpha) / (beta - alpha), 0, 1), linear in r) and
    from the reference code (1 - clip((i - low) / (high - low), 0, 1), linear in the pair index
    between low = floor(correction_dim(beta)) and high = ceil(correction_dim(alpha)))."""
    setting = _setting(head_dim, base, trained_length, 1.0, alpha, beta)
    pairs = np.arange(head_dim // 2)
    gammas = {"paper": paper_ramp(setting), "code": code_ramp(setting)}
    fig = go.Figure()
    for ramp, gamma in gammas.items():
        chosen = ramp == selected
        F.add_line(
            fig,
            pairs,
            gamma,
            name=RAMP_LABELS[ramp] + (" (selected)" if chosen else ""),
            color=F.METHOD_COLORS["ntk_by_parts"],
            dash=None if ramp == "paper" else "dash",
            mode="lines+markers" if chosen else "lines",
            width=3 if chosen else 1.5,
            hover="γ = %{y:.3f}",
        )
    F.base_layout(
        fig,
        title="Two ramps for the same α and β: the paper's versus the reference code's",
        x_title="pair index i (0 = fastest)",
        y_title="γ (1 = kept, 0 = interpolated)",
    )
    gap = gammas["code"] - gammas["paper"]
    worst = int(np.argmax(np.abs(gap)))
    low, high = correction_range(setting)
    facts = {
        "code_low": low,
        "code_high": high,
        "paper_low": correction_dim(beta, head_dim, base, trained_length),
        "paper_high": correction_dim(alpha, head_dim, base, trained_length),
        "gap_pair": worst,
        "gap": float(gap[worst]),
        "paper_gamma": float(gammas["paper"][worst]),
        "code_gamma": float(gammas["code"][worst]),
        "regimes_differ": int((regimes(gammas["paper"]) != regimes(gammas["code"])).sum()),
    }
    return fig, facts


def effective_scale(
    head_dim: int, base: float, trained_length: int, scale: float, alpha: float, beta: float, ramp: str
) -> go.Figure:
    """Divisor theta_i / theta'_i per pair: NTK-by-parts ((1 - gamma) theta / s + gamma theta),
    against NTK-aware and PI on the same axes."""
    setting = _setting(head_dim, base, trained_length, scale, alpha, beta, ramp)
    pairs = np.arange(head_dim // 2)
    fig = go.Figure()
    for method, label, dash in (
        ("linear", "PI", "dot"),
        ("ntk", "NTK-aware", "dash"),
        ("ntk_by_parts", f"NTK-by-parts ({RAMP_LABELS[ramp]})", None),
    ):
        scaled = scale_rope(method, setting)
        F.add_line(
            fig,
            pairs,
            1.0 / scaled.frequency_ratio,
            name=label,
            color=F.METHOD_COLORS[method],
            dash=dash,
            mode="lines+markers" if method == "ntk_by_parts" else "lines",
            hover="divided by %{y:.4g}",
        )
    return F.base_layout(
        fig,
        title="What each method does to each pair",
        x_title="pair index i (0 = fastest)",
        y_title="theta_i / theta'_i (divided by)",
        log_y=True,
    )
