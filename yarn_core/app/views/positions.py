"""Lesson 1, why positions break: the encodings that came before RoPE (and RoPE itself) drawn as
functions of absolute position or relative distance, past the training window."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...encodings import (
    alibi_bias,
    alibi_slopes,
    learned_absolute,
    rope_scores,
    sinusoidal,
    t5_bias,
    t5_bucket,
    xpos_scale,
    xpos_scores,
)
from ...rope import inverse_frequencies, wavelengths
from ...scaling import RopeSetting
from .. import figures as F

CURVE_POINTS = 2000
T5_BUCKETS = 32
ALIBI_HEADS = 8
XPOS_SCALE_BASE = 512.0
NO_ROW_FILL = "rgba(127, 127, 127, 0.25)"
ENCODING_COLORS = {
    "learned": "#1f77b4",
    "sinusoidal": "#9467bd",
    "sinusoidal_slow": "#8c564b",
    "t5": "#0f8a9a",  # teal, olive and magenta dark enough for 3:1 on the light and the dark theme
    "alibi": "#c2378f",
    "rope": "#7f7f7f",
    "xpos": "#7a7a12",
}


def axis_end(setting: RopeSetting) -> int:
    """Positions / distances drawn: 0 .. 1.25 L' (a little past the target length)."""
    return round(1.25 * max(setting.target_tokens, setting.original_length))


def full_turn_pairs(setting: RopeSetting) -> np.ndarray:
    """Per pair, whether its wavelength lambda_i = 2 pi / theta_i is below L: it completes at least
    one full turn inside the trained window."""
    return wavelengths(inverse_frequencies(setting.dim, setting.base)) < setting.original_length


def integer_samples(start: int, stop: int, count: int, seed: int = 0) -> np.ndarray:
    """Integers in [start, stop): all of them when there are at most ``count``, else both ends plus
    one seeded random pick in each of ``count`` equal strata (sorted, unique)."""
    start, stop = int(start), int(stop)
    if stop <= start:
        return np.zeros(0, dtype=np.int64)
    if stop - start <= count:
        return np.arange(start, stop, dtype=np.int64)
    edges = np.linspace(start, stop, count + 1)
    picks = np.floor(edges[:-1] + np.random.default_rng(seed).random(count) * np.diff(edges)).astype(np.int64)
    return np.unique(np.concatenate([[start, stop - 1], np.clip(picks, start, stop - 1)]))


def _add_to_row(fig: go.Figure, row: int, x, y, **style) -> None:
    """F.add_line (finite, downsampled) into one row of a subplot figure."""
    scratch = go.Figure()
    F.add_line(scratch, x, y, **style)
    fig.add_trace(scratch.data[0], row=row, col=1)


def _one_x_title(fig: go.Figure) -> None:
    """Two stacked panels share the x axis: keep its title under the lower one only."""
    fig.update_xaxes(title_text=None, row=1, col=1)


@dataclass(frozen=True)
class AbsolutePositions:
    """The learned table and the sinusoids by position, and the numbers the lesson quotes: the
    table's rows, and the slowest sinusoid's wavelength, largest value in training and value at L'-1."""

    figure: go.Figure
    rows: int
    last_row: int
    slow_pair: int
    slow_wavelength: float
    slow_turns_inside: bool
    slow_seen_max: float
    slow_at_target: float


def absolute_positions(setting: RopeSetting) -> AbsolutePositions:
    """Absolute encodings by position m: a learned table (rows 0..L-1 only) and the sinusoidal
    PE[m, 2i] = sin(m / b^(2i/d)), for a pair that turns about four times inside L and the slowest."""
    head_dim, base, trained_length = setting.dim, setting.base, setting.original_length
    end = axis_end(setting)
    positions = integer_samples(0, end, CURVE_POINTS)
    _, defined = learned_absolute(positions, trained_length, dim=1)
    inv_freq = inverse_frequencies(head_dim, base)
    lam = wavelengths(inv_freq)
    mid_pair = int(np.argmin(np.abs(lam - trained_length / 4)))
    slow_pair = len(inv_freq) - 1
    pe = sinusoidal(positions, dim=head_dim, base=base)

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        subplot_titles=(
            "Learned table (GPT-2, BERT): one memorised row per trained position",
            f"Sinusoidal (Vaswani et al.): a formula, defined for every m (d = {head_dim})",
        ),
    )
    _add_to_row(
        fig,
        1,
        positions[defined],
        positions[defined],
        name="row looked up: row m of the table",
        color=ENCODING_COLORS["learned"],
        hover="row %{y:,}",
        width=3,
    )
    _add_to_row(
        fig,
        2,
        positions,
        pe[:, 2 * mid_pair],
        name=f"sin, pair {mid_pair} (wavelength {lam[mid_pair]:,.0f})",
        color=ENCODING_COLORS["sinusoidal"],
        hover="%{y:.3f}",
        width=1,
    )
    _add_to_row(
        fig,
        2,
        positions,
        pe[:, 2 * slow_pair],
        name=f"sin, slowest pair {slow_pair} (wavelength {lam[slow_pair]:,.0f})",
        color=ENCODING_COLORS["sinusoidal_slow"],
        hover="%{y:.4f}",
        width=3,
    )
    # The window's label sits in the empty upper-left of the top panel (the rows rise from its
    # lower left), away from the ticks and the lines; the lower panel's band is unlabelled.
    F.shade_window(fig, 0, trained_length - 1, f"training window (m < {trained_length:,})", row=1, col=1)
    F.shade_window(fig, 0, trained_length - 1, "", row=2, col=1)
    fig.add_vrect(x0=trained_length, x1=end, fillcolor=NO_ROW_FILL, line_width=0, layer="below", row=1, col=1)
    fig.add_annotation(
        x=(trained_length + end) / 2,
        y=trained_length / 2,
        text=f"no row for m ≥ {trained_length:,}:<br>nothing to look up",
        showarrow=False,
        row=1,
        col=1,
    )
    fig.add_annotation(
        x=trained_length - 1,
        y=trained_length - 1,
        text=f"last row, {trained_length - 1:,}",
        showarrow=True,
        ax=40,
        ay=16,
        xanchor="left",
        row=1,
        col=1,
    )
    F.base_layout(
        fig,
        title="Absolute positions: a table that runs out, a formula that runs on",
        x_title="token position m",
        y_title="embedding value",
        height=560,
    )
    _one_x_title(fig)
    fig.update_yaxes(title_text="table row", range=[0, 1.15 * trained_length], row=1, col=1)
    fig.update_yaxes(title_text="sin value", row=2, col=1)

    inside = positions < trained_length
    last_position = setting.target_tokens - 1
    return AbsolutePositions(
        figure=fig,
        rows=trained_length,
        last_row=trained_length - 1,
        slow_pair=slow_pair,
        slow_wavelength=float(lam[slow_pair]),
        slow_turns_inside=bool(lam[slow_pair] < trained_length),
        slow_seen_max=float(pe[inside, 2 * slow_pair].max()),
        slow_at_target=float(sinusoidal([last_position], dim=head_dim, base=base)[0, 2 * slow_pair]),
    )


@dataclass(frozen=True)
class RelativeBiases:
    """T5's and ALiBi's biases by distance, and the numbers the lesson quotes: where T5's buckets
    saturate, how many serve only untrained distances, ALiBi's penalty and weight at distance L'-1
    for the chosen head, and the steepest head's at distance 20."""

    figure: go.Figure
    t5_saturation: int
    t5_untrained_buckets: int
    alibi_slope: float
    alibi_penalty_at_target: float
    alibi_weight_at_target: float
    steepest_slope: float
    steepest_penalty_at_20: float
    steepest_weight_at_20: float


def relative_biases(setting: RopeSetting, *, t5_max_distance: int, alibi_head: int) -> RelativeBiases:
    """Biases added to the logit of a key Delta tokens back: T5's learned bucket bias (buckets
    saturate at ``t5_max_distance``) and ALiBi's -slope * Delta (head ``alibi_head`` of 8)."""
    trained_length = setting.original_length
    end = axis_end(setting)
    distances = integer_samples(0, end, CURVE_POINTS)
    slopes = alibi_slopes(ALIBI_HEADS)
    slope = float(slopes[alibi_head - 1])
    probe = np.arange(t5_max_distance + 1)  # every longer distance shares the bucket of max_distance
    buckets = t5_bucket(probe, T5_BUCKETS, t5_max_distance)
    trained_buckets = set(buckets[:trained_length].tolist())
    saturation = int(np.argmax(buckets == T5_BUCKETS - 1))

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.14,
        subplot_titles=(
            f"T5 relative bias: {T5_BUCKETS} learned buckets, "
            f"the last one for every distance from {saturation:,} on",
            f"ALiBi, head {alibi_head} of {ALIBI_HEADS}: a fixed penalty -{slope:.4g} x distance",
        ),
    )
    _add_to_row(
        fig,
        1,
        distances,
        t5_bias(distances, T5_BUCKETS, t5_max_distance),
        name="T5 bias (seeded stand-in values)",
        color=ENCODING_COLORS["t5"],
        hover="%{y:.3f}",
    )
    _add_to_row(
        fig,
        2,
        distances,
        alibi_bias(distances, slope),
        name=f"ALiBi bias, slope {slope:.4g}",
        color=ENCODING_COLORS["alibi"],
        hover="%{y:.4g}",
    )
    # The window's label in its top-right corner: T5's staircase and ALiBi's line start top left.
    for row in (1, 2):
        F.shade_window(fig, 0, trained_length - 1, "", row=row, col=1)
    fig.add_annotation(
        x=trained_length - 1,
        y=1,
        yref="y domain",
        text="training window",
        showarrow=False,
        xanchor="right",
        yanchor="top",
        font={"color": F.WINDOW_LINE},
    )
    F.base_layout(
        fig,
        title="Relative biases: defined past L, but what do they say there?",
        x_title="relative distance Δ = m - n (tokens)",
        y_title="bias added to the logit",
        height=560,
    )
    _one_x_title(fig)

    farthest = setting.target_tokens - 1
    return RelativeBiases(
        figure=fig,
        t5_saturation=saturation,
        t5_untrained_buckets=len(set(buckets.tolist()) - trained_buckets),
        alibi_slope=slope,
        alibi_penalty_at_target=float(-alibi_bias(farthest, slope)),
        alibi_weight_at_target=float(np.exp(alibi_bias(farthest, slope))),
        steepest_slope=float(slopes[0]),
        steepest_penalty_at_20=float(-alibi_bias(20, slopes[0])),
        steepest_weight_at_20=float(np.exp(alibi_bias(20, slopes[0]))),
    )


@dataclass(frozen=True)
class RotaryScores:
    """RoPE's and xPos's scores by distance, and the numbers the lesson quotes: how many pairs never
    complete a turn inside L (from which pair on), and xPos's decay of the fastest and slowest pair
    at distance L'-1."""

    figure: go.Figure
    pairs: int
    slow_pairs: int
    first_slow_pair: int | None
    xpos_fast_decay: float
    xpos_slow_decay: float


def rotary_scores(setting: RopeSetting) -> RotaryScores:
    """q.k for all-ones q and k as a function of distance: RoPE, sum_i 2 cos(Delta theta_i), and
    xPos, the same with pair i damped by zeta_i^(Delta / 512) (fast pairs fade, slow ones barely)."""
    head_dim, base = setting.dim, setting.base
    target_length = setting.target_tokens
    end = axis_end(setting)
    distances = integer_samples(0, end, CURVE_POINTS)
    rope = rope_scores(distances, head_dim, base)
    xpos = xpos_scores(distances, head_dim, base, scale_base=XPOS_SCALE_BASE)
    fig = go.Figure()
    F.add_line(fig, distances, rope, name="RoPE", color=ENCODING_COLORS["rope"], width=1)
    F.add_line(
        fig, distances, xpos, name="xPos (RoPE x per-pair decay)", color=ENCODING_COLORS["xpos"], width=2
    )
    F.shade_window(fig, 0, setting.original_length - 1)
    F.mark_x(fig, target_length - 1, "L'")
    F.base_layout(
        fig,
        title="Rotations: defined at every distance, trained on Δ < L only",
        x_title="relative distance Δ = m - n (tokens)",
        y_title="q . k for all-ones q, k",
    )

    never = ~full_turn_pairs(setting)
    decay = xpos_scale(head_dim) ** ((target_length - 1) / XPOS_SCALE_BASE)
    return RotaryScores(
        figure=fig,
        pairs=len(never),
        slow_pairs=int(never.sum()),
        first_slow_pair=int(np.argmax(never)) if never.any() else None,
        xpos_fast_decay=float(decay[0]),
        xpos_slow_decay=float(decay[-1]),
    )
