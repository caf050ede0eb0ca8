"""Lesson 5, NTK-aware scaling: change the base instead of the positions."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ...attention import angle_coverage
from ...rope import TWO_PI
from ...scaling import RopeSetting, scale_rope
from .. import figures as F
from ..assets import published


def _setting(head_dim: int, base: float, trained_length: int, scale: float) -> RopeSetting:
    return RopeSetting(dim=head_dim, base=base, original_length=trained_length, factor=scale)


def base_change(head_dim: int, base: float, trained_length: int, scale: float) -> dict:
    """b' = b * s^(|D|/(|D|-2)), and what it does to the fastest, second and slowest pair
    (divisor theta_i / theta'_i); also b' for LLaMA 2 at s = 2, next to the YaRN paper's NTK row."""
    ntk = scale_rope("ntk", _setting(head_dim, base, trained_length, scale))
    divisor = 1.0 / ntk.frequency_ratio
    llama2 = scale_rope("ntk", _setting(128, 10000.0, 4096, 2.0))
    return {
        "new_base": float(ntk.base),
        "exponent": head_dim / (head_dim - 2),
        "fastest_divisor": float(divisor[0]),
        "second_divisor": float(divisor[1]),
        "middle_divisor": float(divisor[len(divisor) // 2]),
        "middle_pair": len(divisor) // 2,
        "slowest_divisor": float(divisor[-1]),
        "pairs": len(divisor),
        "llama2_s2_base": float(llama2.base),
        "table1_ntk_row": next(row for row in published()["yarn_table1"]["rows"] if row.startswith("NTK")),
    }


def effective_scale(head_dim: int, base: float, trained_length: int, scale: float) -> go.Figure:
    """Per pair, the divisor theta_i / theta'_i: s for every pair under PI,
    s^(2i/(|D|-2)) under NTK-aware (1 for the fastest pair, exactly s for the slowest)."""
    setting = _setting(head_dim, base, trained_length, scale)
    pairs = np.arange(head_dim // 2)
    fig = go.Figure()
    for method, label in (("linear", "PI: every pair / s"), ("ntk", "NTK-aware: base b -> b'")):
        scaled = scale_rope(method, setting)
        F.add_line(
            fig,
            pairs,
            1.0 / scaled.frequency_ratio,
            name=label,
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="divided by %{y:.4g}",
        )
    fig.add_hline(y=1.0, line_dash="dot", line_color=F.MUTED, name="1 = untouched", showlegend=True)
    return F.base_layout(
        fig,
        title="How much each pair is slowed down: NTK-aware versus PI",
        x_title="pair index i (0 = fastest)",
        y_title="theta_i / theta'_i (divided by)",
        log_y=True,
    )


def angle_reach(head_dim: int, base: float, trained_length: int, scale: float) -> tuple[go.Figure, dict]:
    """Per pair, the largest relative angle reached at the target length, (L' - 1) theta'_i, over
    the largest seen in training, (L - 1) theta_i, for PI and NTK-aware. For a pair that never
    completed a turn (2 pi) in training, a ratio above 1 means angles the model never saw (counted
    as unseen by ``angle_coverage`` once they pass the trained maximum by a full position step)."""
    setting = _setting(head_dim, base, trained_length, scale)
    target = setting.target_length
    coverage = {
        method: angle_coverage(scaled.base_inv_freq, scaled.inv_freq, trained_length, target)
        for method, scaled in ((m, scale_rope(m, setting)) for m in ("linear", "ntk"))
    }
    trained_max = coverage["linear"].trained_max
    ratio = {method: cov.target_max / trained_max for method, cov in coverage.items()}
    partial = trained_max < TWO_PI
    pairs = np.arange(head_dim // 2)
    fig = go.Figure()
    if partial.any():
        fig.add_vrect(
            x0=pairs[partial][0] - 0.5,
            x1=pairs[-1] + 0.5,
            fillcolor=F.WINDOW_FILL,
            line_width=0,
            layer="below",
            annotation_text="never completed a turn in training: above 1 = angles never seen",
            annotation_position="top left",
        )
    F.add_line(
        fig,
        pairs,
        ratio["linear"],
        name="PI",
        color=F.METHOD_COLORS["linear"],
        dash="dash",
        hover="x %{y:.4g}",
    )
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
        title=f"Largest angle each pair reaches at {int(round(target)):,} tokens, relative to training",
        x_title="pair index i (0 = fastest)",
        y_title="largest angle at L' / largest angle in training",
    )
    sweep = np.where(partial, ratio["ntk"], 0.0)
    facts = {
        "partial_pairs": int(partial.sum()),
        "first_partial_pair": int(np.argmax(partial)) if partial.any() else None,
        "pushed_pairs": int(coverage["ntk"].unseen.sum()),
        "worst_pair": int(np.argmax(sweep)) if partial.any() else None,
        "worst_sweep": float(sweep.max()) if partial.any() else 1.0,
        "pi_sweep": float(ratio["linear"][0]),
    }
    return fig, facts
