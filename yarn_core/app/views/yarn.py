"""Lesson 7, YaRN's attention temperature: sqrt(1/t) = 0.1 ln s + 1 multiplied into cos and sin,
so attention logits grow by (0.1 ln s + 1)^2, and the mscale settings real models ship with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ...attention import attention_entropy
from ...scaling import RopeSetting, ScaledRope, get_mscale, scale_rope
from .. import figures as F
from .. import scrub
from ..assets import published, real_models

MAX_LENGTHS = 16  # sequence lengths on the entropy chart (cost: 3 curves x lengths x queries)
ENTROPY_QUERY_BUDGET = 768  # queries x head dim per length: 6 queries at |D| = 128, 2 at |D| = 512
ENTROPY_EXACT_KEYS = 32
SHORTEST = 16
LARGEST_S = 128.0  # the temperature curve runs over s in [1, LARGEST_S]
CURVE_POINTS = 200
LABEL_SIDES = ("top left", "bottom right")  # real models' labels, alternating along s

# The bundled real models the table shows (assets/configs stems), in order, with their names there.
TABLE_MODELS = {
    "qwen3_yarn": "Qwen3 (long context)",
    "yarn_llama2_7b_64k": "YaRN Llama 2 (s = {s:g})",
    "yarn_llama2_7b_128k": "YaRN Llama 2 (s = {s:g})",
    "gpt_oss": "gpt-oss",
    "deepseek_v3": "DeepSeek-V3",
}
TABLE_COLUMNS = {
    "name": "model",
    "s": "s",
    "attention_factor": "attention_factor (cos, sin)",
    "softmax_multiplier": "softmax scale multiplier",
    "logit_multiplier": "logit multiplier",
}


@dataclass(frozen=True)
class EntropyCurves:
    """The chart of attention entropy versus sequence length, YaRN's cos/sin factor
    0.1 m ln s + 1 and logit multiplier, and the entropies the text quotes: the original model at
    L, YaRN's frequencies at L' without and with the temperature."""

    figure: go.Figure
    factor: float
    logit_multiplier: float
    original_at_L: float
    without_at_target: float
    with_at_target: float


@dataclass(frozen=True)
class ModelTemperature:
    """One real model's temperature as transformers computes it from its config: the cos/sin
    ``attention_factor``, DeepSeek's ``softmax_multiplier`` (1 for the others) and their product
    on the logits."""

    key: str
    name: str
    s: float
    attention_factor: float
    softmax_multiplier: float
    logit_multiplier: float


@dataclass(frozen=True)
class TemperatureCurve:
    """The chart of 0.1 ln s + 1 and its square over s, YaRN's cos/sin factor and logit multiplier
    at the setting's s and at the largest s drawn, and the real models marked on it."""

    figure: go.Figure
    factor: float
    logit_multiplier: float
    largest_s: float
    logit_at_largest: float
    models: tuple[ModelTemperature, ...]

    @property
    def qwen3(self) -> ModelTemperature:
        return self._model("qwen3_yarn")

    @property
    def deepseek_v3(self) -> ModelTemperature:
        return self._model("deepseek_v3")

    def _model(self, key: str) -> ModelTemperature:
        return next(model for model in self.models if model.key == key)

    @property
    def table(self) -> list[dict]:
        """The real models as the page's table rows, one column per TABLE_COLUMNS entry."""
        return [
            {label: getattr(model, field) for field, label in TABLE_COLUMNS.items()} for model in self.models
        ]


def _yarn(setting: RopeSetting, mscale: float = 1.0, factor: float | None = None) -> ScaledRope:
    """YaRN (at s = ``factor`` if given, else the setting's) with the attention factor
    sqrt(1/t) = 0.1 m ln s + 1 (m = 1: the paper's; m = 0: off)."""
    s = setting.factor if factor is None else float(factor)
    return scale_rope("yarn", setting.with_(factor=s, attention_factor=get_mscale(s, mscale)))


def entropy_lengths(trained_length: int, target_length: int) -> np.ndarray:
    """At most MAX_LENGTHS log-spaced lengths from min(16, L) to L', always including L."""
    start = min(SHORTEST, trained_length)
    grid = np.geomspace(start, max(target_length, start), MAX_LENGTHS - 1)
    return np.unique(np.concatenate([np.round(grid), [trained_length, target_length]]).astype(np.int64))


def _entropy(lengths: np.ndarray, inv_freq: np.ndarray, attention_factor: float) -> np.ndarray:
    """attention_entropy at each length with the same seed, so every length (and every curve)
    sees the same queries: the curves differ by the frequencies and the factor only. Wider heads
    get fewer queries (their logits vary less from query to query), which bounds the cost."""
    queries = int(np.clip(ENTROPY_QUERY_BUDGET // (2 * len(inv_freq)), 2, 6))
    return np.array(
        [
            attention_entropy(
                [n], inv_freq, attention_factor, seed=0, queries=queries, exact_keys=ENTROPY_EXACT_KEYS
            )[0]
            for n in lengths
        ]
    )


def entropy_chart(setting: RopeSetting, *, mscale: float) -> EntropyCurves:
    """Entropy of the last token's attention versus sequence length: the original model inside
    its window, YaRN's frequencies without the temperature, and with sqrt(1/t) = 0.1 m ln s + 1."""
    trained_length, target = setting.original_length, round(setting.target_length)
    original = scale_rope("none", setting)
    yarn = _yarn(setting, mscale)
    lengths = entropy_lengths(trained_length, target)
    inside = lengths[lengths <= trained_length]
    curves = {
        "original model, inside its window": (
            inside,
            _entropy(inside, original.inv_freq, 1.0),
            F.METHOD_COLORS["none"],
            None,
        ),
        "YaRN frequencies, no temperature": (
            lengths,
            _entropy(lengths, yarn.inv_freq, 1.0),
            F.METHOD_COLORS["ntk_by_parts"],
            "dash",
        ),
        "YaRN with temperature": (
            lengths,
            _entropy(lengths, yarn.inv_freq, yarn.attention_factor),
            F.METHOD_COLORS["yarn"],
            None,
        ),
    }
    fig = go.Figure()
    F.add_line(
        fig,
        lengths,
        np.log(lengths),
        name="even attention: ln l'",
        color=F.MUTED,
        dash="dot",
        hover="%{y:.3f} nats",
    )
    for name, (x, y, color, dash) in curves.items():
        F.add_line(fig, x, y, name=name, color=color, dash=dash, mode="lines+markers", hover="%{y:.3f} nats")
    # The window's label goes in the legend: plotly misplaces shape annotations on log axes.
    F.shade_window(fig, lengths[0], trained_length, "")
    fig.layout.shapes[-1].update(name="trained lengths (l' ≤ L)", showlegend=True)
    F.base_layout(
        fig,
        title="How spread out attention is, as the text grows",
        x_title="sequence length l' (tokens)",
        y_title="attention entropy (nats)",
        log_x=True,
    )
    return EntropyCurves(
        figure=fig,
        factor=yarn.attention_factor,
        logit_multiplier=yarn.logit_multiplier,
        original_at_L=float(curves["original model, inside its window"][1][-1]),
        without_at_target=float(curves["YaRN frequencies, no temperature"][1][-1]),
        with_at_target=float(curves["YaRN with temperature"][1][-1]),
    )


def table_models() -> tuple[ModelTemperature, ...]:
    """Per real model in TABLE_MODELS: s, the cos/sin multiplier (attention_factor) transformers
    computes from its config, the softmax-scale multiplier and the resulting logit multiplier.
    DeepSeek-V3 keeps attention_factor = mscale(s, mscale) / mscale(s, mscale_all_dim) = 1 and
    multiplies its softmax scale by get_mscale(s, mscale_all_dim)^2 instead."""
    bundled = real_models()
    models = []
    for key, name in TABLE_MODELS.items():
        rope = bundled[key].rope
        models.append(
            ModelTemperature(
                key=key,
                name=name.format(s=rope.factor),
                s=rope.factor,
                attention_factor=rope.attention_factor,
                softmax_multiplier=rope.scaled.softmax_factor**2,
                logit_multiplier=rope.scaled.logit_multiplier,
            )
        )
    return tuple(models)


def temperature_curve(setting: RopeSetting, *, mscale: float) -> TemperatureCurve:
    """sqrt(1/t) = 0.1 ln s + 1 and the logit multiplier 1/t = (0.1 ln s + 1)^2 for s in
    [1, LARGEST_S] (and for 0.1 m ln s + 1 when m != 1), with real models' logit multipliers marked."""
    s_grid = np.geomspace(1.0, LARGEST_S, CURVE_POINTS)
    paper = [_yarn(setting, factor=s) for s in s_grid]
    fig = go.Figure()
    F.add_line(
        fig,
        s_grid,
        [rope.attention_factor for rope in paper],
        name="√(1/t) = 0.1 ln s + 1: multiplies cos and sin",
        color=F.METHOD_COLORS["yarn"],
        hover="%{y:.4f}",
    )
    F.add_line(
        fig,
        s_grid,
        [rope.logit_multiplier for rope in paper],
        name="1/t = (0.1 ln s + 1)²: multiplies the logits",
        color=F.METHOD_COLORS["yarn"],
        dash="dash",
        hover="%{y:.4f}",
    )
    if mscale != 1.0:
        F.add_line(
            fig,
            s_grid,
            [_yarn(setting, mscale, factor=s).logit_multiplier for s in s_grid],
            name=f"logits with m = {mscale:g}: (0.1·{mscale:g}·ln s + 1)²",
            color=F.MUTED,
            dash="dashdot",
            hover="%{y:.4f}",
        )
    models = table_models()
    points: dict[tuple[float, float], list[str]] = {}
    for model in models:
        points.setdefault((model.s, round(model.logit_multiplier, 12)), []).append(model.name)
    fig.add_trace(
        go.Scatter(
            x=[s for s, _ in points],
            y=[m for _, m in points],
            mode="markers+text",
            name="real models (logit multiplier)",
            # one name a line, and neighbours labelled on alternate sides, so no two labels collide
            text=["<br>".join(names) for names in points.values()],
            textposition=[LABEL_SIDES[i % 2] for i in range(len(points))],
            marker={"size": 9, "color": F.METHOD_COLORS["yarn"], "symbol": "diamond"},
            hovertemplate="%{text}: s = %{x:g}, logits x %{y:.4f}<extra></extra>",
        )
    )
    scale = setting.factor
    fig.add_vline(x=scale, line_dash="dot", line_color=F.MUTED, name=f"your s = {scale:g}", showlegend=True)
    F.base_layout(
        fig,
        title="The temperature YaRN applies, by scale factor",
        x_title="scale s = L'/L",
        y_title="multiplier",
        log_x=True,
    )
    yours = _yarn(setting)
    return TemperatureCurve(
        figure=fig,
        factor=yours.attention_factor,
        logit_multiplier=yours.logit_multiplier,
        largest_s=float(s_grid[-1]),
        logit_at_largest=paper[-1].logit_multiplier,
        models=models,
    )


@dataclass(frozen=True)
class PublishedResults:
    """The YaRN paper's Table 2 (7B models, perplexity on long documents by evaluation length) as a
    chart, with the numbers the text quotes; ">100"-style entries are lower bounds, drawn at the
    bound with an up-pointing marker."""

    figure: go.Figure
    lengths: tuple[int, ...]
    rows: dict[str, tuple[float, ...]]  # the bound for lower-bounded entries
    lower_bounds: dict[str, tuple[bool, ...]]
    passkey: str
    steps: int
    data_share: float


TABLE2_COLORS = {"PI": "linear", "NTK": "ntk", "s=16": "dynamic_yarn", "s=32": "yarn"}


def _table2_color(row: str) -> str:
    return F.METHOD_COLORS[next(method for tag, method in TABLE2_COLORS.items() if tag in row)]


def published_results() -> PublishedResults:
    """Table 2 of the YaRN paper from assets/published.json, one line per model on a log y axis."""
    data = published()
    table = data["yarn_table2"]
    lengths = tuple(int(n) for n in table["context"])
    rows, bounds = {}, {}
    fig = go.Figure()
    for row, values in table["rows"].items():
        bounded = tuple(isinstance(v, str) for v in values)
        numbers = tuple(float(str(v).lstrip(">")) for v in values)
        rows[row], bounds[row] = numbers, bounded
        color = _table2_color(row)
        F.add_line(fig, lengths, numbers, name=row, color=color, mode="lines+markers", hover="%{y:.4g}")
        fig.data[-1].update(
            marker={
                "symbol": ["triangle-up" if b else "circle" for b in bounded],
                "size": [14 if b else 8 for b in bounded],
                "color": color,
            },
            hovertemplate=[f"{row}: {'>' if b else ''}%{{y:.4g}}<extra></extra>" for b in bounded],
        )
    F.base_layout(
        fig,
        title="The YaRN paper's Table 2: perplexity on long documents (▲ = more than)",
        x_title="evaluation length (tokens)",
        y_title="perplexity (log; lower is better)",
        log_y=True,
    )
    fig.update_xaxes(tickvals=list(lengths), ticktext=[f"{n // 1024}k" for n in lengths])
    training = data["yarn_training"]
    return PublishedResults(
        figure=fig,
        lengths=lengths,
        rows=rows,
        lower_bounds=bounds,
        passkey=data["yarn_passkey"]["claim"],
        steps=int(training["steps"]),
        data_share=float(training["fraction_of_pretraining_data"]),
    )


def temperature_curve_scrub(setting: RopeSetting, *, mscale: float) -> go.Figure:
    """:func:`temperature_curve`'s chart with "your s" as a trace from 1 up to the logit multiplier
    at s (through sqrt(1/t) on the way), and a frame per scale s of scrub.SCALES (and the
    setting's) that moves it along the curves."""
    shown = go.Figure(temperature_curve(setting, mscale=mscale).figure)
    shown.layout.shapes = [
        shape for shape in shown.layout.shapes if not (shape.name or "").startswith("your s")
    ]

    def marker(scale: float) -> dict:
        rope = _yarn(setting, mscale, factor=scale)
        return {"x": [scale] * 3, "y": [1.0, rope.attention_factor, rope.logit_multiplier]}

    now = marker(setting.factor)
    shown.add_scatter(
        **now,
        mode="lines+markers",
        line={"dash": "dot", "color": F.MUTED},
        marker={"size": 8, "color": F.MUTED},
        name="your s",
        hovertemplate="s = %{x:g}: %{y:.4f}<extra></extra>",
    )
    frames = [(scale, [marker(scale)]) for scale in scrub.grid(setting.factor, scrub.SCALES)]
    return scrub.with_frames(shown, setting.factor, frames, traces=[len(shown.data) - 1], prefix="s = ")
