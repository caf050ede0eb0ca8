"""Lesson 6, NTK-by-parts: keep the pairs that turned many times in training, interpolate those
that never completed a turn, blend in between.

alpha and beta are the paper's names; the setting (and transformers) call them beta_slow and
beta_fast. Both count full turns inside the trained window L, so they depend on L.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...rope import rotations_within, wavelengths
from ...scaling import RopeSetting, ScaledRope, scale_rope
from .. import figures as F
from .. import scrub

REGIME_LABELS = {
    "kept": "kept (γ = 1, extrapolated)",
    "blended": "blended (0 < γ < 1)",
    "interpolated": "interpolated (γ = 0)",
}
RAMP_LABELS = {"paper": "paper: linear in r", "code": "reference code: linear in pair index"}
REGIMES_READ_AT = 2.0  # an s > 1 at which to read the ramp's regimes when s = 1 (nothing divided)


@dataclass(frozen=True)
class PairRegimes:
    """The chart of each pair's trained wavelength coloured by regime under the setting's ramp,
    the regime counts, the wavelength thresholds L/beta and L/alpha, the most turns any pair makes
    inside L (pair 0: L / 2 pi), and what the paper's and the code's ramps make of the fastest
    pair (``no_pair_kept`` and ``all_interpolated`` are the paper ramp's)."""

    figure: go.Figure
    pairs: int
    kept: int
    blended: int
    interpolated: int
    kept_below: float
    interpolated_above: float
    max_turns: float
    no_pair_kept: bool
    all_interpolated: bool
    fastest_gamma_paper: float
    code_kept: int


@dataclass(frozen=True)
class RampComparison:
    """The chart of gamma per pair under both ramps, their pair-index ranges (the paper's
    fractional correction dims, the code's rounded and clamped ones), the pair where they differ
    most with both gammas there, and how many pairs land in a different regime."""

    figure: go.Figure
    paper_low: float
    paper_high: float
    code_low: float
    code_high: float
    gap_pair: int
    gap: float
    paper_gamma: float
    code_gamma: float
    regimes_differ: int


def _by_parts(setting: RopeSetting, ramp: str) -> ScaledRope:
    """NTK-by-parts under ``ramp``. Which pairs a ramp keeps, blends or interpolates depends on
    alpha, beta and L, not on s; but at s = 1 no pair is divided, so every pair would read as kept:
    there the regimes are read at s = REGIMES_READ_AT."""
    return scale_rope("ntk_by_parts", setting.with_(ramp=ramp, factor=max(setting.factor, REGIMES_READ_AT)))


def pair_regimes(setting: RopeSetting) -> PairRegimes:
    """Trained wavelength lambda_i per pair, coloured by its regime under the setting's ramp.
    Under the paper's ramp gamma(r) with r = L / lambda: kept exactly when lambda < L / beta,
    interpolated exactly when lambda > L / alpha."""
    trained_length, alpha, beta = setting.original_length, setting.beta_slow, setting.beta_fast
    parts = _by_parts(setting, setting.ramp)
    paper, code = _by_parts(setting, "paper"), _by_parts(setting, "code")
    wavelength = wavelengths(parts.base_inv_freq)
    regime = parts.regimes()
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    for key, label in REGIME_LABELS.items():
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
        title=f"Which pairs are kept, blended or interpolated ({RAMP_LABELS[setting.ramp]})",
        x_title="pair index i (0 = fastest)",
        y_title="trained wavelength (tokens)",
        log_y=True,
    )
    counts, paper_counts = parts.regime_counts(), paper.regime_counts()
    return PairRegimes(
        figure=fig,
        pairs=len(pairs),
        kept=counts["kept"],
        blended=counts["blended"],
        interpolated=counts["interpolated"],
        kept_below=trained_length / beta,
        interpolated_above=trained_length / alpha,
        max_turns=float(rotations_within(trained_length, parts.base_inv_freq)[0]),
        no_pair_kept=paper_counts["kept"] == 0,
        all_interpolated=paper_counts["interpolated"] == len(pairs),
        fastest_gamma_paper=float(paper.ramp[0]),
        code_kept=code.regime_counts()["kept"],
    )


def ramp_comparison(setting: RopeSetting) -> RampComparison:
    """gamma per pair from the paper (clip((r - alpha) / (beta - alpha), 0, 1), linear in r) and
    from the reference code (1 - clip((i - low) / (high - low), 0, 1), linear in the pair index
    between low = floor(correction_dim(beta)) and high = ceil(correction_dim(alpha))); the
    setting's ramp is drawn bold."""
    pairs = np.arange(setting.dim // 2)
    ropes = {ramp: _by_parts(setting, ramp) for ramp in ("paper", "code")}
    fig = go.Figure()
    for ramp, rope in ropes.items():
        chosen = ramp == setting.ramp
        F.add_line(
            fig,
            pairs,
            rope.ramp,
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
    paper, code = ropes["paper"], ropes["code"]
    gap = code.ramp - paper.ramp
    worst = int(np.argmax(np.abs(gap)))
    return RampComparison(
        figure=fig,
        paper_low=paper.correction_range[0],
        paper_high=paper.correction_range[1],
        code_low=code.correction_range[0],
        code_high=code.correction_range[1],
        gap_pair=worst,
        gap=float(gap[worst]),
        paper_gamma=float(paper.ramp[worst]),
        code_gamma=float(code.ramp[worst]),
        regimes_differ=int((paper.regimes() != code.regimes()).sum()),
    )


def effective_scale(setting: RopeSetting) -> go.Figure:
    """Divisor theta_i / theta'_i per pair: NTK-by-parts ((1 - gamma) theta / s + gamma theta)
    under the setting's ramp, against NTK-aware and PI on the same axes."""
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    for method, label, dash in (
        ("linear", "PI", "dot"),
        ("ntk", "NTK-aware", "dash"),
        ("ntk_by_parts", f"NTK-by-parts ({RAMP_LABELS[setting.ramp]})", None),
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
        y_title="θ_i / θ'_i (divided by)",
        log_y=True,
    )


# The β (beta_fast) a reader scrubs over: whole turns, as the page's control steps.
BETAS = (2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0, 192.0, 256.0)


def effective_scale_scrub(setting: RopeSetting) -> go.Figure:
    """:func:`effective_scale` with a frame per scale s of scrub.SCALES (and the setting's): each
    pair's divisor under PI, NTK-aware and NTK-by-parts at that s."""
    pairs = np.arange(setting.dim // 2)
    frames = [
        (
            scale,
            [
                {"x": pairs, "y": 1.0 / scale_rope(method, setting.with_(factor=scale)).frequency_ratio}
                for method in ("linear", "ntk", "ntk_by_parts")
            ],
        )
        for scale in scrub.grid(setting.factor, scrub.SCALES)
    ]
    return scrub.with_frames(
        effective_scale(setting), setting.factor, frames, traces=[0, 1, 2], prefix="s = "
    )


def pair_regimes_scrub(setting: RopeSetting) -> go.Figure:
    """:func:`pair_regimes`' chart with a frame per β of BETAS (and the setting's): which pairs are
    kept, blended and interpolated at that β (α as set, or β/2 where α would not be below β, as the
    page does), and the line L/β as a trace that moves with it (a shape could not)."""
    trained_length = setting.original_length
    shown = go.Figure(pair_regimes(setting).figure)
    shown.layout.shapes = [shape for shape in shown.layout.shapes if not (shape.name or "").startswith("L/β")]
    pairs = np.arange(setting.dim // 2)
    wavelength = wavelengths(_by_parts(setting, setting.ramp).base_inv_freq)
    ends = [float(pairs[0]), float(pairs[-1])]
    shown.add_scatter(
        x=ends,
        y=[trained_length / setting.beta_fast] * 2,
        mode="lines",
        line={"dash": "dot", "color": F.REGIME_COLORS["kept"]},
        name="L/β: kept below",
        hoverinfo="skip",
    )
    frames = []
    for beta in scrub.grid(setting.beta_fast, BETAS):
        alpha = setting.beta_slow if setting.beta_slow < beta else beta / 2
        regime = _by_parts(setting.with_(beta_fast=beta, beta_slow=alpha), setting.ramp).regimes()
        data = [{"x": pairs[regime == key], "y": wavelength[regime == key]} for key in REGIME_LABELS]
        frames.append((beta, [*data, {"x": ends, "y": [trained_length / beta] * 2}]))
    traces = [*range(len(REGIME_LABELS)), len(shown.data) - 1]
    return scrub.with_frames(shown, setting.beta_fast, frames, traces=traces, prefix="β = ")
