"""Your model page: what one or two HuggingFace ``config.json`` files do to RoPE, read through
``yarn_core.rope_from_hf_config`` (so it is what each model's own code computes). A model with
per-layer-type RoPE (Gemma 3's sliding and full attention) is drawn once per layer type; a second
model is drawn on the same axes, dashed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...hf_config import HFRope, parse_config_text, rope_from_hf_config
from ...rope import rotations_within
from .. import figures as F

DEFAULT_CONFIG = "llama3_1_8b"
SEQ_LEN_TYPES = ("dynamic", "longrope")
MODEL_DASHES = ("solid", "dash")  # first model, second model
# Colours for a curve whose method's colour an earlier curve already uses.
SPARE_COLORS = ("#9467bd", "#d0579f", "#119aab", "#b8860b", "#e06c00", "#1f77b4")
UNSCALED_DASHES = ("dot", "dashdot", "longdash", "dash")
FACTOR_LABEL_PLACES = ("top left", "bottom right", "top right", "bottom left")


@dataclass(frozen=True)
class Curve:
    """One RoPE drawn on the charts: a model's (one layer type's, for per-layer-type models).
    ``label`` names it in legends and the table (empty when only one curve is drawn)."""

    label: str
    rope: HFRope
    model: int  # 0: the first model, 1: the second


@dataclass(frozen=True)
class CurveNumbers:
    """The numbers the page quotes for one curve.

    ``attention_factor_squared``: what the attention factor on cos and sin does to the logits;
    ``softmax_factor``: the factor the model's attention puts on its softmax scale (mscale(s,
    mscale_all_dim) for multi-head latent attention models, else 1); ``logit_multiplier``: both
    together, (attention factor x softmax factor)^2."""

    label: str
    pairs: int
    interpolated: int
    blended: int
    kept: int
    effective_factor: float
    correction_range: tuple[float, float] | None
    never_full_turn: int | None  # pairs that never complete a turn inside L (None: no L given)
    attention_factor_squared: float
    softmax_factor: float
    logit_multiplier: float


@dataclass(frozen=True)
class ModelReport:
    """The page's two charts, the numbers of every curve (the first model's main RoPE first) and
    the side-by-side table of them (one column per curve)."""

    frequency: go.Figure
    stretch: go.Figure
    numbers: tuple[CurveNumbers, ...]
    model_numbers: tuple[CurveNumbers, ...]  # each model's main curve's
    table: dict[str, list[str]]

    @property
    def main(self) -> CurveNumbers:
        return self.numbers[0]


def upload_text(data: bytes) -> str:
    """The text of an uploaded file, once it passes the same checks as pasted text (size cap,
    UTF-8, valid JSON, an object). Never written to disk, never executed."""
    parse_config_text(data)
    return data.decode("utf-8-sig")


def read_config(text: str) -> tuple[dict | None, str | None]:
    """The config in ``text`` and None, or None and why it cannot be read: a ConfigError, or the
    core's own range checks (ValueError) as rope_from_hf_config applies them."""
    try:
        config = parse_config_text(text)
        rope_from_hf_config(config)
    except ValueError as err:
        return None, str(err)
    return config, None


def needs_seq_len(rope: HFRope) -> bool:
    """Whether any of the model's RoPEs is recomputed from the current sequence length."""
    return any(r.rope_type in SEQ_LEN_TYPES for r in (rope, *(r for _, r in rope.layer_types)))


def curves(models: tuple[tuple[str, HFRope], ...]) -> tuple[Curve, ...]:
    """Every RoPE to draw: per model, its main one (full attention) first, then its other layer
    types in the config's order. Labels name the model when there are two, the layer type when the
    model has several."""
    out = []
    for index, (name, rope) in enumerate(models):
        ropes = [rope, *(r for kind, r in rope.layer_types if kind != rope.layer_type)]
        for each in ropes:
            parts = [name] if len(models) > 1 else []
            if len(ropes) > 1:
                parts.append(str(each.layer_type))
            out.append(Curve(" ".join(parts), each, index))
    return tuple(out)


def report(models: tuple[tuple[str, HFRope], ...]) -> ModelReport:
    """Charts, numbers and table for one or two (name, RoPE) models."""
    drawn = curves(models)
    numbers = tuple(_numbers(curve) for curve in drawn)
    return ModelReport(
        frequency=_frequency_figure(drawn),
        stretch=_stretch_figure(drawn),
        numbers=numbers,
        model_numbers=tuple(
            next(n for c, n in zip(drawn, numbers, strict=True) if c.model == index)
            for index in range(len(models))
        ),
        table=_table(drawn, numbers),
    )


def _numbers(curve: Curve) -> CurveNumbers:
    """Pair counts per regime (the core's regime_counts), the ramp, the pairs that never turn once
    inside L, the logit factors."""
    rope = curve.rope
    counts = rope.scaled.regime_counts()
    original = rope.original_length
    return CurveNumbers(
        label=curve.label,
        pairs=len(rope.inv_freq),
        interpolated=counts["interpolated"],
        blended=counts["blended"],
        kept=counts["kept"],
        effective_factor=float(rope.scaled.effective_factor),
        correction_range=rope.scaled.correction_range,
        never_full_turn=None
        if not original
        else int((rotations_within(original, rope.base_inv_freq) < 1).sum()),
        attention_factor_squared=rope.attention_factor**2,
        softmax_factor=rope.softmax_factor,
        logit_multiplier=float(rope.scaled.logit_multiplier),
    )


def _count(value: int | None) -> str:
    return "not given" if value is None else f"{value:,}"


def number(value: float) -> str:
    """A base or length as the page writes it: 1,000,000, or 1.5e+20 past what reads as digits."""
    return f"{value:,.0f}" if value.is_integer() and abs(value) < 1e15 else f"{value:,.6g}"


def _table(drawn: tuple[Curve, ...], numbers: tuple[CurveNumbers, ...]) -> dict[str, list[str]]:
    """The key numbers of every curve, one column each, as text (rows mix counts and factors)."""
    rows = {
        "model_type read by": [c.rope.model_type or "generic rules" for c in drawn],
        "rope type": [c.rope.rope_type for c in drawn],
        "rotary dim / head size": [f"{c.rope.rotary_dim} / {c.rope.head_dim}" for c in drawn],
        "base": [number(c.rope.base) for c in drawn],
        "factor (used here)": [
            f"{c.rope.factor:g} ({n.effective_factor:g})" for c, n in zip(drawn, numbers, strict=True)
        ],
        "original context L": [_count(c.rope.original_length) for c in drawn],
        "max_position_embeddings": [_count(c.rope.max_position_embeddings) for c in drawn],
        "attention factor (cos, sin)": [f"{c.rope.attention_factor:.6g}" for c in drawn],
        "softmax factor": [f"{n.softmax_factor:.6g}" for n in numbers],
        "logits multiplied by": [f"{n.logit_multiplier:.4g}" for n in numbers],
        "pairs interpolated / blended / kept": [
            f"{n.interpolated} / {n.blended} / {n.kept}" for n in numbers
        ],
        "ramp (pair indices)": [
            "none"
            if n.correction_range is None
            else f"{n.correction_range[0]:g} to {n.correction_range[1]:g}"
            for n in numbers
        ],
        "pairs never turning once inside L": [_count(n.never_full_turn) for n in numbers],
    }
    columns = _unique([c.label or "this model" for c in drawn])
    return {"number": list(rows)} | {
        column: [values[i] for values in rows.values()] for i, column in enumerate(columns)
    }


def _unique(labels: list[str]) -> list[str]:
    """``labels`` with repeats numbered (a table needs distinct column names)."""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _colors(drawn: tuple[Curve, ...]) -> list[str]:
    """Each curve's method colour, or a spare one when an earlier curve already has it (or it is
    the grey of the unscaled lines, as plain RoPE's is)."""
    used: list[str] = []
    for curve in drawn:
        color = F.METHOD_COLORS[curve.rope.method]
        if color in used or color == F.MUTED:
            spares = (*SPARE_COLORS, *F.METHOD_COLORS.values())
            color = next(c for c in spares if c not in used and c != F.MUTED)
        used.append(color)
    return used


def _named(single: str, curve: Curve, prefix: str = "", suffix: str = "") -> str:
    """A trace's name: ``single`` when one curve is drawn, else the curve's label between
    ``prefix`` and ``suffix``."""
    return f"{prefix}{curve.label}{suffix}" if curve.label else single


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return len(a) == len(b) and bool(np.allclose(a, b, rtol=1e-12, atol=0))


def _frequency_figure(drawn: tuple[Curve, ...]) -> go.Figure:
    """theta_i (unscaled: one dotted line per distinct base, unless a curve drawn anyway is that
    line, as an unscaled model's is) and theta'_i (as each config computes it) per pair, log
    scale, with the first model's interpolated and blended pairs marked."""
    fig = go.Figure()
    unscaled: list[np.ndarray] = []
    for curve in drawn:
        base = curve.rope.base_inv_freq
        if any(_same(base, other) for other in [*(c.rope.inv_freq for c in drawn), *unscaled]):
            continue
        shared = all(_same(base, c.rope.base_inv_freq) for c in drawn)
        name = f"unscaled ({'both' if len(drawn) == 2 else 'all'})" if shared else f"unscaled: {curve.label}"
        F.add_line(
            fig,
            np.arange(len(base)),
            base,
            name="unscaled theta_i" if len(drawn) == 1 else name,
            color=F.MUTED,
            dash=UNSCALED_DASHES[len(unscaled) % len(UNSCALED_DASHES)],
            hover="%{y:.4g} rad/token",
        )
        unscaled.append(base)
    for curve, color in zip(drawn, _colors(drawn), strict=True):
        kind = curve.rope.rope_type
        F.add_line(
            fig,
            np.arange(len(curve.rope.inv_freq)),
            curve.rope.inv_freq,
            name=_named(f"scaled theta'_i ({kind})", curve, "theta'_i: ", f" ({kind})"),
            color=color,
            dash=MODEL_DASHES[curve.model],
            hover="%{y:.4g} rad/token",
        )
    main = drawn[0].rope
    pairs, regimes = np.arange(len(main.inv_freq)), main.scaled.regimes()
    for regime in ("interpolated", "blended"):
        chosen = regimes == regime
        F.add_line(
            fig,
            pairs[chosen],
            main.inv_freq[chosen],
            name=_named(f"{regime} pairs", drawn[0], f"{regime}: "),
            color=F.REGIME_COLORS[regime],
            mode="markers",
            hover="%{y:.4g} rad/token",
        )
    F.mark_coinciding(fig)
    return F.base_layout(
        fig,
        title="Frequency per pair: scaled against unscaled",
        x_title="pair index i (0 = fastest)",
        y_title="theta (rad per token, log)",
        log_y=True,
        height=420 if len(drawn) > 1 else 380,
    )


def _stretch_figure(drawn: tuple[Curve, ...]) -> go.Figure:
    """theta_i / theta'_i per pair: how many times slower each pair turns (1 = kept, s = fully
    interpolated; LongRoPE's per-pair factors directly), with each distinct factor used marked."""
    fig = go.Figure()
    for curve, color in zip(drawn, _colors(drawn), strict=True):
        kind = curve.rope.rope_type
        F.add_line(
            fig,
            np.arange(len(curve.rope.inv_freq)),
            1.0 / curve.rope.scaled.frequency_ratio,
            name=_named(f"theta_i / theta'_i ({kind})", curve, suffix=f" ({kind})"),
            color=color,
            dash=MODEL_DASHES[curve.model],
            mode="lines+markers",
            hover="%{y:.4g} x",
        )
    factors = list(dict.fromkeys(float(c.rope.scaled.effective_factor) for c in drawn))
    for factor, position in zip(factors, itertools.cycle(FACTOR_LABEL_PLACES)):
        fig.add_hline(
            y=factor,
            line_dash="dot",
            line_color=F.MUTED,
            annotation_text=f"factor used = {factor:g}",
            annotation_position=position,
        )
    F.mark_coinciding(fig)
    return F.base_layout(
        fig,
        title="How many times slower each pair turns",
        x_title="pair index i (0 = fastest)",
        y_title="theta_i / theta'_i",
        height=420 if len(drawn) > 1 else 380,
    )
