"""Lesson 8, dynamic scaling: s follows the current length l' instead of being fixed at L'/L."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...scaling import RopeSetting, ScaledRope, scale_rope
from .. import figures as F
from .. import scrub

# Current length l' as a multiple of the trained length L (the page's slider). Whole multiples are
# ints so that they read (and appear in the URL) as "3", not "3.0".
LENGTH_MULTIPLES = (0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128)
GRID_POINTS = 160
STATIC_LABEL = "static (PI, NTK-aware, YaRN): fixed s"


@dataclass(frozen=True)
class ScaleSchedule:
    """The chart of the effective s versus the current length l', and the s each dynamic method
    uses now (at the setting's l'), at L', and how much one more token past L raises it."""

    figure: go.Figure
    ntk_now: float
    yarn_now: float
    ntk_at_target: float
    yarn_at_target: float
    ntk_per_token: float
    yarn_per_token: float


@dataclass(frozen=True)
class FactorSchedule:
    """The chart of YaRN's attention factor versus l', static YaRN's factor and dynamic YaRN's now."""

    figure: go.Figure
    static: float
    dynamic_now: float


@dataclass(frozen=True)
class FrequenciesNow:
    """The chart of each pair's divisor at the current length, the slowest pair's divisor under
    static YaRN, dynamic YaRN and dynamic NTK, and the KV-cache mismatch of the key cached at
    position L - 1: the position its angle belongs to now, and its apparent and true distances from
    the newest token."""

    figure: go.Figure
    static_slowest: float
    yarn_slowest: float
    ntk_slowest: float
    cached_key: int
    cached_key_looks_at: float
    apparent_distance: float
    true_distance: int


def at_multiple(setting: RopeSetting, multiple: float) -> RopeSetting:
    """The setting at the current length l' = multiple x L (at least one token)."""
    return setting.with_(seq_len=max(1, round(float(multiple) * setting.original_length)))


def _current(setting: RopeSetting) -> int:
    """l' in whole tokens (the target length L' when the setting has no seq_len)."""
    return round(setting.current_length)


def _mark_window_and_now(fig: go.Figure, start: float, trained_length: int, current_length: int) -> None:
    """Shade the trained window and mark l', labelled in the legend (plotly misplaces shape
    annotations on log axes)."""
    F.shade_window(fig, start, trained_length, "")
    fig.layout.shapes[-1].update(name="trained window (l' ≤ L)", showlegend=True)
    fig.add_vline(
        x=current_length,
        line_dash="dot",
        line_color=F.MUTED,
        name=f"now: l' = {current_length:,}",
        showlegend=True,
    )


def length_grid(setting: RopeSetting) -> np.ndarray:
    """Log-spaced current lengths from L/4 to twice the larger of L' and l', including L, L' and l'."""
    trained_length, target, current_length = setting.original_length, setting.target_length, _current(setting)
    start = max(1.0, trained_length / 4)
    grid = np.geomspace(start, 2 * max(target, current_length, trained_length), GRID_POINTS)
    marks = [trained_length, target, current_length]
    return np.unique(np.maximum(np.round(np.concatenate([grid, marks])), 1).astype(np.int64))


def _at_length(method: str, setting: RopeSetting, length: int) -> ScaledRope:
    """``method`` run with the current length l' = ``length``."""
    return scale_rope(method, setting.with_(seq_len=int(length)))


def scale_schedule(setting: RopeSetting) -> ScaleSchedule:
    """Effective s versus the current length l': dynamic YaRN s = max(1, l'/L); dynamic NTK as in
    transformers, s = factor * l / L - (factor - 1) with l = max(l', L); static methods keep s."""
    trained_length, scale, current_length = setting.original_length, setting.factor, _current(setting)
    lengths = length_grid(setting)

    def effective(method: str, length: int) -> float:
        return _at_length(method, setting, length).effective_factor

    ntk = np.array([effective("dynamic_ntk", n) for n in lengths])
    yarn = np.array([effective("dynamic_yarn", n) for n in lengths])
    fig = go.Figure()
    F.add_line(
        fig,
        lengths,
        np.full(len(lengths), scale),
        name=STATIC_LABEL,
        color=F.MUTED,
        dash="dash",
        hover="s = %{y:.4g}",
    )
    F.add_line(
        fig,
        lengths,
        ntk,
        name="Dynamic NTK (transformers)",
        color=F.METHOD_COLORS["dynamic_ntk"],
        hover="s = %{y:.4g}",
    )
    F.add_line(
        fig,
        lengths,
        yarn,
        name="Dynamic YaRN: max(1, l'/L)",
        color=F.METHOD_COLORS["dynamic_yarn"],
        hover="s = %{y:.4g}",
    )
    _mark_window_and_now(fig, lengths[0], trained_length, current_length)
    F.base_layout(
        fig,
        title="The scale s each method uses, as the text grows",
        x_title="current length l' (tokens)",
        y_title="effective scale s",
        log_x=True,
        log_y=True,
    )
    past = max(current_length, trained_length)
    target = round(setting.target_length)
    return ScaleSchedule(
        figure=fig,
        ntk_now=effective("dynamic_ntk", current_length),
        yarn_now=effective("dynamic_yarn", current_length),
        ntk_at_target=effective("dynamic_ntk", target),
        yarn_at_target=effective("dynamic_yarn", target),
        ntk_per_token=effective("dynamic_ntk", past + 1) - effective("dynamic_ntk", past),
        yarn_per_token=effective("dynamic_yarn", past + 1) - effective("dynamic_yarn", past),
    )


def factor_schedule(setting: RopeSetting) -> FactorSchedule:
    """YaRN's attention factor 0.1 ln s + 1 versus l': recomputed from s = max(1, l'/L) by dynamic
    YaRN, fixed at s = L'/L by static YaRN."""
    trained_length, current_length = setting.original_length, _current(setting)
    lengths = length_grid(setting)

    def factor(method: str, length: int) -> float:
        return _at_length(method, setting, length).attention_factor

    static = factor("yarn", trained_length)
    dynamic = np.array([factor("dynamic_yarn", n) for n in lengths])
    fig = go.Figure()
    F.add_line(
        fig,
        lengths,
        np.full(len(lengths), static),
        name=f"static YaRN (s = {setting.factor:g})",
        color=F.METHOD_COLORS["yarn"],
        dash="dash",
        hover="x %{y:.4f}",
    )
    F.add_line(
        fig, lengths, dynamic, name="Dynamic YaRN", color=F.METHOD_COLORS["dynamic_yarn"], hover="x %{y:.4f}"
    )
    _mark_window_and_now(fig, lengths[0], trained_length, current_length)
    F.base_layout(
        fig,
        title="YaRN's attention factor (cos and sin multiplier), as the text grows",
        x_title="current length l' (tokens)",
        y_title="attention factor √(1/t)",
        log_x=True,
    )
    return FactorSchedule(figure=fig, static=static, dynamic_now=factor("dynamic_yarn", current_length))


def frequencies_now(setting: RopeSetting) -> FrequenciesNow:
    """Divisor theta_i / theta'_i per pair at the current length: dynamic YaRN and dynamic NTK
    computed for l', static YaRN for s. Also the KV-cache mismatch: a key cached at position L - 1
    while the text was L tokens long (s = 1) was rotated by (L - 1) theta_i; to the slowest pair's
    current frequency that angle belongs to position (L - 1) theta_i / theta'_i, so the newest token
    (at l' - 1) sees it at that apparent distance instead of l' - L."""
    trained_length, current_length = setting.original_length, _current(setting)
    methods = (
        ("yarn", f"static YaRN (s = {setting.factor:g})", "dash"),
        ("dynamic_yarn", f"Dynamic YaRN at l' = {current_length:,}", None),
        ("dynamic_ntk", f"Dynamic NTK at l' = {current_length:,}", None),
    )
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    divisors = {}
    for method, label, dash in methods:
        divisors[method] = 1.0 / _at_length(method, setting, current_length).frequency_ratio
        F.add_line(
            fig,
            pairs,
            divisors[method],
            name=label,
            color=F.METHOD_COLORS[method],
            dash=dash,
            mode="lines+markers",
            hover="divided by %{y:.4g}",
        )
    F.base_layout(
        fig,
        title=f"Each pair's frequency right now, at l' = {current_length:,} tokens",
        x_title="pair index i (0 = fastest)",
        y_title="θ_i / θ'_i (divided by)",
        log_y=True,
    )
    cached_key = trained_length - 1
    looks_at = float(cached_key * divisors["dynamic_yarn"][-1])
    return FrequenciesNow(
        figure=fig,
        static_slowest=float(divisors["yarn"][-1]),
        yarn_slowest=float(divisors["dynamic_yarn"][-1]),
        ntk_slowest=float(divisors["dynamic_ntk"][-1]),
        cached_key=cached_key,
        cached_key_looks_at=looks_at,
        apparent_distance=(current_length - 1) - looks_at,
        true_distance=(current_length - 1) - cached_key,
    )


def frequencies_now_scrub(setting: RopeSetting) -> go.Figure:
    """:func:`frequencies_now`'s chart with a frame per current length l' = multiple x L of
    LENGTH_MULTIPLES: each pair's divisor under dynamic YaRN and dynamic NTK at that l' (static YaRN
    does not move)."""
    pairs = np.arange(setting.dim // 2)
    multiple = scrub.snap(_current(setting) / setting.original_length, LENGTH_MULTIPLES)
    frames = []
    for each in LENGTH_MULTIPLES:
        length = _current(at_multiple(setting, each))
        divisors = [
            1.0 / _at_length(m, setting, length).frequency_ratio for m in ("dynamic_yarn", "dynamic_ntk")
        ]
        frames.append((each, [{"x": pairs, "y": y} for y in divisors]))
    shown = frequencies_now(setting).figure
    return scrub.with_frames(
        shown, multiple, frames, traces=[1, 2], prefix="l' = ", text=lambda each: f"{each:g} L"
    )
