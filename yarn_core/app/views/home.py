"""The start page's map: from the problem to dynamic scaling, one small chart per step from the
shared setting, and the suggested routes through the lessons."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...attention import angle_coverage
from ...scaling import METHODS, RopeSetting, scale_rope
from .. import figures as F

# The map's steps, in teaching order: (step, the method its chart draws).
STEPS = (
    ("problem", "none"),
    ("pi", "linear"),
    ("ntk_aware", "ntk"),
    ("ntk_by_parts", "ntk_by_parts"),
    ("yarn", "yarn"),
    ("dynamic", "dynamic_yarn"),
)
DYNAMIC_POINTS = 64


@dataclass(frozen=True)
class RouteStop:
    """One lesson on a suggested route: its page (nav url path), minutes, and what to show."""

    page: str
    minutes: int
    show: str


# Suggested routes through the app, by length in minutes.
ROUTES = {
    50: (
        RouteStop("positions", 4, "a table that runs out · T5 and ALiBi · RoPE and xPos"),
        RouteStop("rope", 8, "one pair, turning · fast pairs and slow pairs · only the distance matters"),
        RouteStop(
            "extrapolation",
            6,
            "a score fitted inside L explodes past it · the slow pairs drift · angles never seen",
        ),
        RouteStop(
            "interpolation",
            6,
            "map every position back into the trained range · the spacing shrinks by s · a short fine-tune",
        ),
        RouteStop("ntk_aware", 5, "change the base instead"),
        RouteStop("ntk_by_parts", 7, "keep fast pairs, interpolate slow ones"),
        RouteStop("yarn", 5, "the attention temperature"),
        RouteStop("dynamic", 3, "s grows with the text"),
        RouteStop("compare", 6, "every method on the same axes"),
    ),
    15: (
        RouteStop("extrapolation", 3, "a score fitted inside L explodes past it"),
        RouteStop(
            "interpolation", 3, "map every position back into the trained range · the spacing shrinks by s"
        ),
        RouteStop("ntk_by_parts", 4, "the ramp"),
        RouteStop("yarn", 3, "the temperature"),
        RouteStop("compare", 2, "side by side"),
    ),
}


@dataclass(frozen=True)
class MethodMap:
    """One chart per step of the map (``figures[step]`` for step in STEPS), and the numbers its
    cards quote: the pairs plain RoPE sends past any angle seen in training, NTK's new base b', the
    pairs YaRN keeps and interpolates, and YaRN's logit multiplier."""

    figures: dict[str, go.Figure]
    unseen_pairs: int
    ntk_base: float
    kept_pairs: int
    interpolated_pairs: int
    logit_multiplier: float


def _ratio_figure(setting: RopeSetting, method: str) -> go.Figure:
    """theta'_i / theta_i per pair i (log axis, from 1 = kept down to 1/s = interpolated)."""
    scaled = scale_rope(method, setting)
    pairs = np.arange(len(scaled.inv_freq))
    fig = go.Figure()
    F.add_line(fig, [0, pairs[-1]], [1.0, 1.0], name="1 = as trained", color=F.MUTED, dash="dot", width=1.5)
    F.add_line(
        fig, pairs, scaled.frequency_ratio, name=METHODS[method].label, color=F.METHOD_COLORS[method], width=3
    )
    fig.update_yaxes(range=[np.log10(1 / setting.factor) - 0.15, 0.15])
    return F.base_layout(
        fig,
        title=f"{METHODS[method].label}: each pair's frequency, scaled",
        x_title="pair i (0 = fastest)",
        y_title="theta'_i / theta_i",
        log_y=True,
    )


def _problem_figure(setting: RopeSetting) -> go.Figure:
    """The slowest pair's angle m theta for m up to L': past L it leaves the band of angles seen
    in training (0 to (L - 1) theta)."""
    slowest = scale_rope("none", setting).inv_freq[-1]
    m = np.linspace(0, setting.target_length - 1, 200)
    fig = go.Figure()
    F.shade_window(fig, 0, (setting.original_length - 1) * slowest, label="angles seen in training", axis="y")
    F.add_line(fig, m, m * slowest, name="slowest pair", color=F.METHOD_COLORS["none"], width=3)
    F.mark_x(fig, setting.original_length, "L")
    return F.base_layout(
        fig,
        title="The problem: past L the slowest pair turns further than in training",
        x_title="position m",
        y_title="angle m theta (rad)",
    )


def _dynamic_figure(setting: RopeSetting) -> go.Figure:
    """The scale dynamic YaRN uses as the text grows, max(1, l'/L), against the fixed s."""
    lengths = np.linspace(1, setting.target_length, DYNAMIC_POINTS)
    used = [scale_rope("dynamic_yarn", setting.with_(seq_len=float(n))).effective_factor for n in lengths]
    fig = go.Figure()
    F.add_line(
        fig, [1, lengths[-1]], [setting.factor] * 2, name="fixed s", color=F.MUTED, dash="dot", width=1.5
    )
    F.add_line(fig, lengths, used, name="dynamic s'", color=F.METHOD_COLORS["dynamic_yarn"], width=3)
    return F.base_layout(
        fig,
        title="Dynamic: the scale grows with the current length",
        x_title="current length l'",
        y_title="scale used s'",
    )


def method_map(setting: RopeSetting) -> MethodMap:
    """The map's charts and numbers for the shared setting."""
    figures = {step: _ratio_figure(setting, method) for step, method in STEPS[1:5]}
    figures["problem"] = _problem_figure(setting)
    figures["dynamic"] = _dynamic_figure(setting)
    plain, yarn = scale_rope("none", setting), scale_rope("yarn", setting)
    coverage = angle_coverage(
        plain.base_inv_freq, plain.inv_freq, setting.original_length, setting.target_length
    )
    counts = yarn.regime_counts()
    return MethodMap(
        figures={step: figures[step] for step, _ in STEPS},
        unseen_pairs=int(coverage.unseen.sum()),
        ntk_base=float(scale_rope("ntk", setting).base),
        kept_pairs=counts["kept"],
        interpolated_pairs=counts["interpolated"],
        logit_multiplier=yarn.logit_multiplier,
    )
