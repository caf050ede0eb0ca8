"""Lesson 2, RoPE from scratch: one pair turning with position (animated in the browser with Plotly
frames), the spectrum of wavelengths against L, and the relative-position property checked live."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...attention import random_qk, relative_scores
from ...rope import TWO_PI, apply_rotary, inverse_frequencies, rotations_within, wavelengths
from ...scaling import RopeSetting
from .. import figures as F
from .. import scrub
from .positions import full_turn_pairs, integer_samples

WINDOW, FIRST_TOKENS = "0 to L'", "first 64 tokens"
SPANS = (WINDOW, FIRST_TOKENS)
WINDOW_FRAMES = 96
TOKEN_FRAMES = 64
CIRCLE_POINTS = 181
SHIFT_POINTS = 1000
FULL_TURN = F.REGIME_COLORS["kept"]
NO_FULL_TURN = "#8c564b"
QUERY_COLOR = "#1f77b4"
ANIMATION_HEIGHT = 700
ANIMATION_MARGIN = {"l": 10, "r": 10, "t": 70, "b": 290}


def frame_positions(span: str, target_length: int) -> np.ndarray:
    """Positions shown as animation frames: 0..63 one by one, or 0..L'-1 in 96 even steps."""
    if span == FIRST_TOKENS:
        return np.arange(TOKEN_FRAMES)
    return np.unique(np.round(np.linspace(0, target_length - 1, WINDOW_FRAMES)).astype(np.int64))


@dataclass(frozen=True)
class TurningPair:
    """One query pair animated over positions, and the numbers the lesson quotes: its angle per
    token and wavelength, its turns inside L (and whether it completes one), the arc swept in
    training, its angle at L'-1, and how many frames the animation has."""

    figure: go.Figure
    theta: float
    wavelength: float
    turns_inside: float
    completes_turn: bool
    trained_sweep: float
    angle_at_target: float
    frames: int


def rotating_pair(setting: RopeSetting, *, pair: int, span: str, seed: int) -> TurningPair:
    """The (q_i, q_{i+d/2}) pair of a seeded random query, rotated by m theta_i (apply_rotary) at
    each frame position m, drawn against the arc of angles 0..(L-1) theta_i reached in training."""
    trained_length, target_length = setting.original_length, setting.target_tokens
    inv_freq = inverse_frequencies(setting.dim, setting.base)
    half = len(inv_freq)
    q, _ = random_qk(setting.dim, seed)
    positions = frame_positions(span, target_length)
    rotated = apply_rotary(np.tile(q, (len(positions), 1)), positions, inv_freq)
    xs, ys = rotated[:, pair], rotated[:, pair + half]
    radius = float(np.hypot(q[pair], q[pair + half]))
    start = float(np.arctan2(q[pair + half], q[pair]))
    theta = float(inv_freq[pair])
    trained_sweep = min((trained_length - 1) * theta, TWO_PI)

    fig = go.Figure()
    circle = np.linspace(0.0, TWO_PI, CIRCLE_POINTS)
    F.add_line(
        fig,
        radius * np.cos(circle),
        radius * np.sin(circle),
        name="every angle (grey where never reached in training)",
        color=F.MUTED,
        dash="dot",
        width=2,
        hover="",
    )
    arc = start + np.linspace(0.0, trained_sweep, CIRCLE_POINTS)
    F.add_line(
        fig,
        radius * np.cos(arc),
        radius * np.sin(arc),
        name=f"angles reached in training (m < {trained_length:,})",
        color=FULL_TURN,
        width=6,
        hover="",
    )

    unseen = (positions >= trained_length) & (trained_sweep < TWO_PI)
    colors = np.where(unseen, NO_FULL_TURN, QUERY_COLOR)

    def arrow(j: int) -> dict:
        """The query pair at frame j: a plain dict with only what changes, so ~100 frames stay cheap."""
        return {"x": [0.0, float(xs[j])], "y": [0.0, float(ys[j])], "line": {"color": str(colors[j])}}

    fig.add_trace(
        go.Scatter(
            arrow(0),
            mode="lines+markers",
            name="query pair (q_i, q_i+|D|/2)",
            hoverinfo="skip",
            line={"color": QUERY_COLOR, "width": 5},
            marker={"size": [0, 12]},
        )
    )
    fig.frames = [
        {"data": [arrow(j)], "traces": [len(fig.data) - 1], "name": str(int(m))}
        for j, m in enumerate(positions)
    ]
    F.base_layout(
        fig,
        title=f"Query pair {pair} turning: m·θ_{pair}, θ = {theta:.3g}",
        x_title=f"component q_{pair}",
        y_title=f"component q_{pair + half}",
        height=ANIMATION_HEIGHT,
    )
    lim = 1.25 * max(radius, 1e-9)
    fig.update_xaxes(range=[-lim, lim], zeroline=True, constrain="domain")
    fig.update_yaxes(range=[-lim, lim], zeroline=True, scaleanchor="x", scaleratio=1)
    play = {"frame": {"duration": 90, "redraw": True}, "fromcurrent": True, "transition": {"duration": 0}}
    # Top to bottom under the plot: the x axis title, Play/Pause, the frame slider, then the legend, each in
    # its own band of the bottom margin so none covers another at any width.
    below = ANIMATION_HEIGHT - ANIMATION_MARGIN["t"] - ANIMATION_MARGIN["b"]
    fig.update_layout(
        hovermode="closest",
        margin=ANIMATION_MARGIN,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -205 / below, "yanchor": "top"},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "left",
                "x": 0,
                "y": -60 / below,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 0, "r": 0},
                "buttons": [
                    {"label": "Play", "method": "animate", "args": [None, play]},
                    {
                        "label": "Pause",
                        "method": "animate",
                        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
                    },
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0,
                "len": 1,
                "y": -100 / below,
                "yanchor": "top",
                "pad": {"t": 0, "b": 0},
                "currentvalue": {"prefix": "position m = "},
                "steps": [
                    {
                        "label": f"{int(m):,}",
                        "method": "animate",
                        "args": [
                            [str(int(m))],
                            {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"},
                        ],
                    }
                    for m in positions
                ],
            }
        ],
    )
    return TurningPair(
        figure=fig,
        theta=theta,
        wavelength=TWO_PI / theta,
        turns_inside=float(rotations_within(trained_length, inv_freq)[pair]),
        completes_turn=bool(full_turn_pairs(setting)[pair]),
        trained_sweep=trained_sweep,
        angle_at_target=(target_length - 1) * theta,
        frames=len(positions),
    )


@dataclass(frozen=True)
class Spectrum:
    """Every pair's wavelength against L, and the numbers the lesson quotes: how many pairs complete
    a full turn inside L and how many never do (from which pair on), the fastest and slowest
    wavelengths, and the count of full-turn pairs at twice the base."""

    figure: go.Figure
    pairs: int
    full: int
    never: int
    first_never: int | None
    fastest_wavelength: float
    slowest_wavelength: float
    double_base: float
    full_at_double_base: int


def spectrum(setting: RopeSetting) -> Spectrum:
    """Wavelength lambda_i = 2 pi b^(2i/|D|) of every pair against L, coloured by whether the pair
    completes a full turn inside the trained window."""
    trained_length = setting.original_length
    lam = wavelengths(inverse_frequencies(setting.dim, setting.base))
    pairs = np.arange(len(lam))
    full = full_turn_pairs(setting)
    fig = go.Figure()
    F.add_line(
        fig,
        pairs[full],
        lam[full],
        name="completes a full turn inside L (wavelength < L)",
        color=FULL_TURN,
        mode="markers",
        hover="%{y:,.1f} tokens",
    )
    F.add_line(
        fig,
        pairs[~full],
        lam[~full],
        name="never completes a turn inside L",
        color=NO_FULL_TURN,
        mode="markers",
        hover="%{y:,.1f} tokens",
    )
    F.add_line(
        fig,
        [0, len(lam) - 1],
        [trained_length, trained_length],
        name=f"L = {trained_length:,} tokens",
        color=F.MUTED,
        dash="dash",
        width=1,
        hover="%{y:,} tokens",
    )
    F.base_layout(
        fig,
        title="Wavelength of every pair against the training length",
        x_title="pair i (0 = fastest)",
        y_title="wavelength λ_i = 2π / θ_i (tokens)",
        log_y=True,
    )
    double_base = 2.0 * setting.base
    return Spectrum(
        figure=fig,
        pairs=len(lam),
        full=int(full.sum()),
        never=int((~full).sum()),
        first_never=int(np.argmax(~full)) if (~full).any() else None,
        fastest_wavelength=float(lam[0]),
        slowest_wavelength=float(lam[-1]),
        double_base=double_base,
        full_at_double_base=int(full_turn_pairs(setting.with_(base=double_base)).sum()),
    )


@dataclass(frozen=True)
class RelativeProperty:
    """The score with query and key shifted together and with the query alone, and the numbers the
    lesson quotes: the score before and after the chosen shift and their difference, the largest
    shift drawn and drift over it, the query-only spread, and the score computed from the distance."""

    figure: go.Figure
    score: float
    shifted_score: float
    change: float
    largest_shift: int
    largest_drift: float
    query_only_spread: float
    relative_score: float


def relative_property(
    setting: RopeSetting, *, query_position: int, key_position: int, shift: int, seed: int
) -> RelativeProperty:
    """(R(m+j) q).(R(n+j) k) for shifts j, computed with apply_rotary on seeded random q and k: the
    same for every j, since it depends on (m - n) theta only. Moving the query alone changes it."""
    inv_freq = inverse_frequencies(setting.dim, setting.base)
    q, k = random_qk(setting.dim, seed)
    largest_shift = max(2 * shift, 64)
    shifts = np.union1d(integer_samples(0, largest_shift + 1, SHIFT_POINTS), [shift])
    rotated_q = apply_rotary(np.tile(q, (len(shifts), 1)), query_position + shifts, inv_freq)
    rotated_k = apply_rotary(np.tile(k, (len(shifts), 1)), key_position + shifts, inv_freq)
    both = np.einsum("td,td->t", rotated_q, rotated_k)
    query_only = rotated_q @ apply_rotary(k[None, :], [key_position], inv_freq)[0]
    at_shift = int(np.searchsorted(shifts, shift))

    fig = go.Figure()
    F.add_line(fig, shifts, query_only, name="query moved alone: q_(m+j) . k_n", color=F.MUTED, width=1)
    F.add_line(fig, shifts, both, name="both moved: q_(m+j) . k_(n+j)", color=FULL_TURN, width=3)
    F.mark_x(fig, shift, f"j = {shift:,}")
    F.base_layout(
        fig,
        title="Shift query and key together: the score does not move",
        x_title="shift j (tokens)",
        y_title="attention score q . k (unscaled)",
    )
    return RelativeProperty(
        figure=fig,
        score=float(both[0]),
        shifted_score=float(both[at_shift]),
        change=float(both[at_shift] - both[0]),
        largest_shift=largest_shift,
        largest_drift=float(np.max(np.abs(both - both[0]))),
        query_only_spread=float(np.ptp(query_only)),
        relative_score=float(relative_scores(q, k, [query_position - key_position], inv_freq)[0]),
    )


QUERY_POSITIONS = tuple(float(m) for m in range(0, 4097, 256))  # the query positions m scrubbed over
RELATIVE_FRAME_POINTS = 600  # per frame, both scores: the frames stay ~100 KB


def relative_property_scrub(
    setting: RopeSetting, *, query_position: int, key_position: int, shift: int, seed: int
) -> go.Figure:
    """:func:`relative_property`'s chart with a frame per query position m of QUERY_POSITIONS (and
    the setting's): both scores over the same shifts j, recomputed with apply_rotary at that m."""
    inv_freq = inverse_frequencies(setting.dim, setting.base)
    q, k = random_qk(setting.dim, seed)
    shifts = np.union1d(integer_samples(0, max(2 * shift, 64) + 1, SHIFT_POINTS), [shift])
    rotated_k = apply_rotary(np.tile(k, (len(shifts), 1)), key_position + shifts, inv_freq)
    fixed_k = apply_rotary(k[None, :], [key_position], inv_freq)[0]
    frames = []
    for m in scrub.grid(query_position, QUERY_POSITIONS):
        rotated_q = apply_rotary(np.tile(q, (len(shifts), 1)), m + shifts, inv_freq)
        both = np.einsum("td,td->t", rotated_q, rotated_k)
        frames.append((m, [{"x": shifts, "y": rotated_q @ fixed_k}, {"x": shifts, "y": both}]))
    shown = relative_property(
        setting, query_position=query_position, key_position=key_position, shift=shift, seed=seed
    ).figure
    return scrub.with_frames(
        shown, query_position, frames, traces=[0, 1], prefix="m = ", text=lambda m: f"{m:,.0f}"
    )
