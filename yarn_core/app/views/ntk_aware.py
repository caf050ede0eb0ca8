"""Lesson 5, NTK-aware scaling: change the base instead of the positions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...attention import angle_coverage
from ...rope import TWO_PI
from ...scaling import RopeSetting, scale_rope
from .. import figures as F
from .. import scrub
from ..assets import published, real_models

TABLE1_FACTOR = 2.0  # the YaRN paper's Table 1 extends LLaMA 2 from 4k to 8k tokens


@dataclass(frozen=True)
class BaseChange:
    """NTK-aware's new base b' = b * s^(|D|/(|D|-2)) and the chart of what it does to each pair
    (the divisor theta_i / theta'_i), with the divisors the text quotes; also b' for LLaMA 2 at
    s = 2, next to the name of the YaRN paper's NTK row in Table 1."""

    figure: go.Figure
    new_base: float
    exponent: float
    pairs: int
    fastest_divisor: float
    second_divisor: float
    middle_pair: int
    middle_divisor: float
    slowest_divisor: float
    llama2_s2_base: float
    table1_ntk_row: str


@dataclass(frozen=True)
class AngleReach:
    """The chart of the largest angle each pair reaches at L' relative to training, and the pairs
    it counts: ``partial_pairs`` never completed a turn inside L (from ``first_partial_pair`` on),
    ``pushed_pairs`` of them meet angles never seen under NTK-aware, the worst by ``worst_sweep``;
    ``pi_sweep`` is PI's ratio (the same for every pair)."""

    figure: go.Figure
    partial_pairs: int
    first_partial_pair: int | None
    pushed_pairs: int
    worst_pair: int | None
    worst_sweep: float
    pi_sweep: float


def base_change(setting: RopeSetting) -> BaseChange:
    """Per pair, the divisor theta_i / theta'_i: s for every pair under PI, s^(2i/(|D|-2)) under
    NTK-aware (1 for the fastest pair, exactly s for the slowest)."""
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    divisors = {}
    for method, label in (("linear", "PI: every pair / s"), ("ntk", "NTK-aware: base b -> b'")):
        divisors[method] = 1.0 / scale_rope(method, setting).frequency_ratio
        F.add_line(
            fig,
            pairs,
            divisors[method],
            name=label,
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="divided by %{y:.4g}",
        )
    fig.add_hline(y=1.0, line_dash="dot", line_color=F.MUTED, name="1 = untouched", showlegend=True)
    F.base_layout(
        fig,
        title="How much each pair is slowed down: NTK-aware versus PI",
        x_title="pair index i (0 = fastest)",
        y_title="θ_i / θ'_i (divided by)",
        log_y=True,
    )
    llama2 = real_models()["llama2_7b"].rope
    llama2_setting = setting.with_(
        dim=llama2.rotary_dim, base=llama2.base, original_length=llama2.original_length, factor=TABLE1_FACTOR
    )
    ntk = divisors["ntk"]
    middle = len(ntk) // 2
    return BaseChange(
        figure=fig,
        new_base=float(scale_rope("ntk", setting).base),
        exponent=setting.dim / (setting.dim - 2),
        pairs=len(ntk),
        fastest_divisor=float(ntk[0]),
        second_divisor=float(ntk[1]),
        middle_pair=middle,
        middle_divisor=float(ntk[middle]),
        slowest_divisor=float(ntk[-1]),
        llama2_s2_base=float(scale_rope("ntk", llama2_setting).base),
        table1_ntk_row=next(row for row in published()["yarn_table1"]["rows"] if row.startswith("NTK")),
    )


def angle_reach(setting: RopeSetting) -> AngleReach:
    """Per pair, the largest relative angle reached at the target length, (L' - 1) theta'_i, over
    the largest seen in training, (L - 1) theta_i, for PI and NTK-aware. For a pair that never
    completed a turn (2 pi) in training, a ratio above 1 means angles the model never saw (counted
    as unseen by ``angle_coverage`` once they pass the trained maximum by a full position step)."""
    trained_length, target = setting.original_length, setting.target_length
    coverage = {
        method: angle_coverage(scaled.base_inv_freq, scaled.inv_freq, trained_length, target)
        for method, scaled in ((m, scale_rope(m, setting)) for m in ("linear", "ntk"))
    }
    trained_max = coverage["linear"].trained_max
    ratio = {method: cov.target_max / trained_max for method, cov in coverage.items()}
    partial = trained_max < TWO_PI
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    if partial.any():
        F.shade_window(
            fig,
            pairs[partial][0] - 0.5,
            pairs[-1] + 0.5,
            "never completed a turn in training: above 1 = angles never seen",
        )
    # PI keeps every pair at (sL - 1)/(s(L - 1)), a hair above 1: it lies on the trained-range line,
    # so it is drawn with open markers on top and named as such.
    F.add_line(
        fig,
        pairs,
        ratio["linear"],
        name=f"PI: {ratio['linear'][0]:.4f} for every pair (on the 1 line)",
        color=F.METHOD_COLORS["linear"],
        dash="dash",
        mode="lines+markers",
        hover="x %{y:.4g}",
        width=3,
    )
    fig.data[-1].update(marker={"symbol": "circle-open", "size": 9, "maxdisplayed": 24})
    F.add_line(
        fig,
        pairs,
        ratio["ntk"],
        name="NTK-aware",
        color=F.METHOD_COLORS["ntk"],
        mode="lines+markers",
        hover="x %{y:.4g}",
    )
    fig.add_hline(
        y=1.0,
        line_dash="dot",
        line_color=F.MUTED,
        annotation_text="1 = the trained range",
        annotation_position="bottom left",
    )
    F.base_layout(
        fig,
        title=f"Largest angle each pair reaches at {round(target):,} tokens, relative to training",
        x_title="pair index i (0 = fastest)",
        y_title="largest angle at L' / largest angle in training",
    )
    sweep = np.where(partial, ratio["ntk"], 0.0)
    return AngleReach(
        figure=fig,
        partial_pairs=int(partial.sum()),
        first_partial_pair=int(np.argmax(partial)) if partial.any() else None,
        pushed_pairs=int(coverage["ntk"].unseen.sum()),
        worst_pair=int(np.argmax(sweep)) if partial.any() else None,
        worst_sweep=float(sweep.max()) if partial.any() else 1.0,
        pi_sweep=float(ratio["linear"][0]),
    )


def base_change_scrub(setting: RopeSetting) -> go.Figure:
    """:func:`base_change`'s chart with a frame per scale s of scrub.SCALES (and the setting's): each
    pair's divisor under PI and under NTK-aware at that s."""
    pairs = np.arange(setting.dim // 2)
    frames = [
        (
            scale,
            [
                {"x": pairs, "y": 1.0 / scale_rope(method, setting.with_(factor=scale)).frequency_ratio}
                for method in ("linear", "ntk")
            ],
        )
        for scale in scrub.grid(setting.factor, scrub.SCALES)
    ]
    shown = base_change(setting).figure
    return scrub.with_frames(shown, setting.factor, frames, traces=[0, 1], prefix="s = ")
