"""Compare page: several context-extension methods driven by one RopeSetting, drawn on shared axes
with one colour per method (figures.METHOD_COLORS). Dynamic methods are evaluated at the target
length l' = L' = s L (RopeSetting.seq_len None), except in the entropy chart, which re-evaluates
them at every sequence length it shows. The real models' presets are read from assets/configs."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...attention import angle_coverage, attention_entropy, random_qk, relative_scores
from ...rope import inverse_frequencies, rotations_within
from ...scaling import METHODS, RopeSetting, ScaledRope, scale_rope
from .. import figures as F
from ..assets import real_models

COMPARABLE = ("none", "linear", "ntk", "dynamic_ntk", "ntk_by_parts", "yarn", "dynamic_yarn", "llama3")
DEFAULT_METHODS = ("linear", "ntk", "yarn")
MAX_METHODS = 4
SCORE_POINTS = 4000
# cos/sin pairs per score chart, shared by its methods: bounds the cost at any |D|
SCORE_EVALUATIONS = 600_000
SMOOTH_SHARE = 1 / 8  # the score chart's moving average spans L / 8 tokens
POSITION_POINTS = 200
POSITION_HEIGHT = 640  # px: three stacked panels
ENTROPY_LENGTHS = 10
ENTROPY_QUERIES = 2
ENTROPY_KEY_FEATURES = 2**14  # exact keys x |D| per query, clamped to [32, 256] exact keys
GROUPS = ("fast", "middle", "slow")
# rope_scaling fields a preset copies from a real config into the page's method options
CONFIG_OPTIONS = (
    "beta_fast",
    "beta_slow",
    "truncate",
    "mscale",
    "mscale_all_dim",
    "low_freq_factor",
    "high_freq_factor",
)
PAPER_FACTORS = (16.0, 32.0)  # the YaRN paper's LLaMA 2 runs (published.json, yarn_table2)


# The method options the page offers: RopeSetting field -> the arguments of its control (a params.Param:
# URL key, label, default, range, help). Presets set these fields; the charts read them.
OPTION_CONTROLS = {
    "beta_slow": dict(
        key="cmp_alpha",
        label="α (turns in L below which a pair is interpolated)",
        default=1.0,
        minimum=0.25,
        maximum=4.0,
        step=0.25,
        help="The paper's α (beta_slow in the code). LLaMA: 1.",
    ),
    "beta_fast": dict(
        key="cmp_beta",
        label="β (turns in L above which a pair is kept)",
        default=32.0,
        minimum=8.0,
        maximum=128.0,
        step=1.0,
        help="The paper's β (beta_fast in the code). LLaMA: 32.",
    ),
    "ramp": dict(
        key="cmp_ramp",
        label="Ramp between α and β",
        default="code",
        kind="choice",
        options=("code", "paper"),
        help="code: linear in the pair index, as transformers does; "
        "paper: linear in the turns r_i = L / λ_i.",
    ),
    "truncate": dict(
        key="cmp_truncate",
        label="Round the ramp's ends to whole pairs (truncate)",
        default=True,
        kind="bool",
        help="transformers' default; gpt-oss turns it off.",
    ),
    "temperature": dict(
        key="cmp_temp",
        label="YaRN temperature (attention factor)",
        default=True,
        kind="bool",
        help="Multiply cos and sin by 0.1 ln s + 1, so logits grow by its square.",
    ),
    "mscale": dict(
        key="cmp_mscale",
        label="mscale (DeepSeek; 0 = not set)",
        default=0.0,
        minimum=0.0,
        maximum=2.0,
        step=0.1,
    ),
    "mscale_all_dim": dict(
        key="cmp_mscale_all",
        label="mscale_all_dim (DeepSeek; 0 = not set)",
        default=0.0,
        minimum=0.0,
        maximum=2.0,
        step=0.1,
    ),
    "low_freq_factor": dict(
        key="cmp_low", label="Llama 3.1 low_freq_factor", default=1.0, minimum=0.25, maximum=2.0, step=0.25
    ),
    "high_freq_factor": dict(
        key="cmp_high", label="Llama 3.1 high_freq_factor", default=4.0, minimum=2.5, maximum=32.0, step=0.5
    ),
}


@dataclass(frozen=True)
class Preset:
    """A comparison: the sidebar's shared values (d, base, L, s), the methods to show, and the
    RopeSetting options it sets (the page's defaults for the others)."""

    shared: dict[str, float]
    methods: tuple[str, ...]
    options: dict[str, float | bool] = field(default_factory=dict)


def _real_preset(key: str, methods: tuple[str, ...], factor: float | None = None) -> Preset:
    """A preset from the bundled config ``key``: |D|, b, L and s as the model computes them (s
    replaced by ``factor`` when given), and the config's CONFIG_OPTIONS."""
    model = real_models()[key]
    rope, scaling = model.rope, model.config.get("rope_scaling") or {}
    shared = {
        "d": rope.rotary_dim,
        "base": rope.base,
        "L": rope.original_length,
        "s": rope.factor if factor is None else factor,
    }
    options = {
        name: value if isinstance(value, bool) else float(value)
        for name, value in scaling.items()
        if name in CONFIG_OPTIONS
    }
    return Preset(shared, methods, options)


def _k(tokens: float) -> str:
    """Tokens in thousands as the preset names write them: 4096 -> "4k"."""
    return f"{tokens / 1024:g}k"


def _presets() -> dict[str, Preset]:
    """The seed's example, then the real models, named with the numbers their configs give."""
    llama2 = [_real_preset("llama2_7b", ("linear", "ntk", "yarn"), factor) for factor in PAPER_FACTORS]
    llama3 = _real_preset("llama3_1_8b", ("linear", "yarn", "llama3"))
    qwen = _real_preset("qwen2_5_7b_yarn", ("linear", "ntk", "yarn"))
    deepseek = _real_preset("deepseek_v3", ("linear", "ntk_by_parts", "yarn"))
    gpt_oss = _real_preset("gpt_oss", ("linear", "ntk", "yarn"))
    served = real_models()["llama3_1_8b"].rope.max_position_embeddings

    def length(preset: Preset) -> str:
        return _k(preset.shared["L"])

    def target(preset: Preset) -> str:
        return _k(preset.shared["L"] * preset.shared["s"])

    def factor(preset: Preset) -> str:
        return f"{preset.shared['s']:g}"

    return {
        "The seed's example: 512 -> 1024": Preset(
            {"d": 128, "base": 10000.0, "L": 512, "s": 2.0}, ("none", "linear", "yarn")
        ),
        **{f"YaRN paper: LLaMA 2, {length(p)} x {factor(p)} ({target(p)})": p for p in llama2},
        f"Llama 3.1: {length(llama3)}, llama3 factor {factor(llama3)} (served to {_k(served)})": llama3,
        f"Qwen: {length(qwen)} -> {target(qwen)}, YaRN factor {factor(qwen)}": qwen,
        f"DeepSeek-V3: {length(deepseek)}, YaRN factor {factor(deepseek)} with mscale": deepseek,
        f"gpt-oss: {length(gpt_oss)}, YaRN factor {factor(gpt_oss)}, no truncation": gpt_oss,
    }


PRESETS = _presets()

COLUMNS = {
    "method": "method",
    "s_used": "s used",
    "interpolated": "interp. %",
    "blended": "blended %",
    "kept": "kept %",
    "ramp_low": "ramp low",
    "ramp_high": "ramp high",
    "attention_factor": "attn factor",
    "logit_multiplier": "logit ×",
    "lowest_freq": "lowest θ'",
    "slowest_stretch": "slowest ÷",
    "fast": "fast max ∠",
    "middle": "middle max ∠",
    "slow": "slow max ∠",
    "unseen": "past trained",
    "overshoot": "how far past",
}
# The table is shown as two, each narrow enough for the page: how each method treats the pairs,
# then the angles the pairs reach.
TABLES = (
    (
        "method",
        "s_used",
        "interpolated",
        "blended",
        "kept",
        "ramp_low",
        "ramp_high",
        "attention_factor",
        "logit_multiplier",
    ),
    ("method", "lowest_freq", "slowest_stretch", "fast", "middle", "slow", "unseen", "overshoot"),
)
TRAINED_ROW = "As trained, at L"
COLUMN_FORMATS = {
    "s_used": "%.4g",
    "interpolated": "%.1f",
    "blended": "%.1f",
    "kept": "%.1f",
    "ramp_low": "%.4g",
    "ramp_high": "%.4g",
    "attention_factor": "%.6f",
    "logit_multiplier": "%.6f",
    "lowest_freq": "%.4e",
    "slowest_stretch": "%.4g",
    "fast": "%.4g",
    "middle": "%.4g",
    "slow": "%.4g",
    "overshoot": "%.4g",
}


@dataclass(frozen=True)
class MethodNumbers:
    """One row of the practitioner table, named as COLUMNS (None where a number does not apply:
    the trained model's row has only its lowest frequency and max angles)."""

    method: str
    s_used: float | None = None
    interpolated: float | None = None
    blended: float | None = None
    kept: float | None = None
    ramp_low: float | None = None
    ramp_high: float | None = None
    attention_factor: float | None = None
    logit_multiplier: float | None = None
    lowest_freq: float | None = None
    slowest_stretch: float | None = None
    fast: float | None = None
    middle: float | None = None
    slow: float | None = None
    unseen: int | None = None
    overshoot: float | None = None


@dataclass(frozen=True)
class Comparison:
    """The Compare page's charts and the numbers its text and table quote, for one setting."""

    frequency: go.Figure
    wavelength: go.Figure
    scores: go.Figure
    positions: go.Figure
    entropy: go.Figure
    rows: tuple[MethodNumbers, ...]  # the trained model's row, then one per method
    fast_pairs: int
    middle_pairs: int
    slow_pairs: int
    softmax_mscale: bool  # mscale_all_dim is set and a YaRN-temperature method is shown

    @property
    def table(self) -> list[dict]:
        """The rows as the page's dataframe shows them, keyed by COLUMNS' headings."""
        return [{heading: getattr(row, name) for name, heading in COLUMNS.items()} for row in self.rows]

    @property
    def tables(self) -> tuple[list[dict], ...]:
        """The rows split into the TABLES the page shows, keyed by COLUMNS' headings."""
        return tuple(
            [{COLUMNS[name]: getattr(row, name) for name in names} for row in self.rows] for names in TABLES
        )

    def row(self, method: str) -> MethodNumbers | None:
        """The row of ``method`` (a METHODS key), if it is shown."""
        return next((row for row in self.rows[1:] if row.method == label(method)), None)


def label(method: str) -> str:
    return METHODS[method].label


def compare(setting: RopeSetting, *, methods: tuple[str, ...], seed: int) -> Comparison:
    """Every chart and number of the Compare page for ``methods`` under ``setting``; ``seed``
    draws the random q, k of the score and entropy charts."""
    ropes = {method: scale_rope(method, setting) for method in methods}
    groups = pair_groups(setting)
    return Comparison(
        frequency=_frequency_figure(setting, ropes),
        wavelength=_wavelength_figure(setting, ropes),
        scores=_score_figure(setting, ropes, seed),
        positions=_position_figure(setting, ropes),
        entropy=_entropy_figure(setting, {m: _entropy_curve(m, setting, seed) for m in methods}),
        rows=_rows(setting, ropes, groups),
        fast_pairs=int(groups["fast"].sum()),
        middle_pairs=int(groups["middle"].sum()),
        slow_pairs=int(groups["slow"].sum()),
        softmax_mscale=bool(setting.mscale_all_dim) and any(METHODS[m].temperature for m in methods),
    )


def pair_groups(setting: RopeSetting) -> dict[str, np.ndarray]:
    """Pairs of the unscaled model by full turns inside L, r = L / lambda: fast r > beta,
    slow r < alpha, middle in between (the paper's kept / blended / interpolated pairs)."""
    r = rotations_within(setting.original_length, inverse_frequencies(setting.dim, setting.base))
    return {
        "fast": r > setting.beta_fast,
        "middle": (r >= setting.beta_slow) & (r <= setting.beta_fast),
        "slow": r < setting.beta_slow,
    }


def _group_max(values: np.ndarray, mask: np.ndarray) -> float | None:
    return float(values[mask].max()) if mask.any() else None


def _qk_factor(rope: ScaledRope) -> float:
    """The multiplier on q and k whose square is the logit multiplier (the attention tools square
    it): attention factor x DeepSeek's softmax mscale, recovered exactly by the square root."""
    return math.sqrt(rope.logit_multiplier)


def _rows(
    setting: RopeSetting, ropes: dict[str, ScaledRope], groups: dict[str, np.ndarray]
) -> tuple[MethodNumbers, ...]:
    """The numbers a practitioner checks, one row per method after the trained model's row. Max angle:
    the largest relative angle (l - 1) theta_i over each pair group, at l = L as trained and at
    l = L' scaled. Pairs past trained angles: attention.angle_coverage's unseen pairs; how far past,
    in trained positions: the largest (angle at L' - angle at L) / theta_i over those pairs."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    trained_angles = (setting.original_length - 1) * base_inv
    rows = [
        MethodNumbers(
            TRAINED_ROW,
            lowest_freq=float(base_inv[-1]),
            **{g: _group_max(trained_angles, groups[g]) for g in GROUPS},
        )
    ]
    for method, rope in ropes.items():
        coverage = angle_coverage(
            rope.base_inv_freq, rope.inv_freq, setting.original_length, setting.target_length
        )
        overshoot = (coverage.target_max - coverage.trained_max) / rope.base_inv_freq
        low, high = rope.correction_range or (None, None)
        pairs = len(rope.inv_freq)
        rows.append(
            MethodNumbers(
                label(method),
                s_used=float(rope.effective_factor),
                **{regime: 100.0 * count / pairs for regime, count in rope.regime_counts().items()},
                ramp_low=None if low is None else float(low),
                ramp_high=None if high is None else float(high),
                attention_factor=float(rope.attention_factor),
                logit_multiplier=rope.logit_multiplier,
                lowest_freq=float(rope.inv_freq[-1]),
                slowest_stretch=float(rope.base_inv_freq[-1] / rope.inv_freq[-1]),
                **{g: _group_max(coverage.target_max, groups[g]) for g in GROUPS},
                unseen=int(coverage.unseen.sum()),
                overshoot=_group_max(overshoot, coverage.unseen) or 0.0,
            )
        )
    return tuple(rows)


def _frequency_figure(setting: RopeSetting, ropes: dict[str, ScaledRope]) -> go.Figure:
    """Per pair i: theta_i / theta'_i, how much each method divides the frequency by (1 = kept,
    s = interpolated), the direction lessons 5, 6 and 8 draw."""
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    for method, rope in ropes.items():
        F.add_line(
            fig,
            pairs,
            1.0 / rope.frequency_ratio,
            name=label(method),
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="divided by %{y:.4g}",
        )
    _reference_hline(fig, 1.0, "1: kept as trained", "dot")
    if setting.factor > 1:
        _reference_hline(fig, setting.factor, f"s = {setting.factor:g}: fully interpolated", "dash")
    F.mark_coinciding(fig, min_share=1.0)  # e.g. NTK-by-parts and YaRN: the same frequencies
    return F.base_layout(
        fig,
        title="Frequency per pair: ÷ by each method",
        x_title="pair index i (0 = fastest)",
        y_title="θ_i / θ'_i (divided by, log)",
        log_y=True,
    )


def _wavelength_figure(setting: RopeSetting, ropes: dict[str, ScaledRope]) -> go.Figure:
    """Per pair i: the wavelength lambda'_i = 2 pi / theta'_i against the trained and target lengths."""
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    base = scale_rope("none", setting)
    F.add_line(
        fig, pairs, base.wavelengths, name="unscaled", color=F.MUTED, dash="dot", hover="%{y:,.4g} tokens"
    )
    for method, rope in ropes.items():
        F.add_line(
            fig,
            pairs,
            rope.wavelengths,
            name=label(method),
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="%{y:,.4g} tokens",
        )
    for length, text, dash in (
        (setting.original_length, "L", "dot"),
        (setting.target_length, "L'", "dash"),
    ):
        _reference_hline(fig, length, f"{text} = {length:,.0f} tokens", dash)
    return F.base_layout(
        fig,
        title="Wavelength per pair (tokens for one full turn)",
        x_title="pair index i (0 = fastest)",
        y_title="wavelength (tokens)",
        log_y=True,
    )


def _reference_hline(fig: go.Figure, y: float, name: str, dash: str) -> None:
    """A muted horizontal reference line named in the legend (shape annotations land in the wrong
    place on log axes, where plotly reads their position as log10)."""
    fig.add_hline(y=y, line_dash=dash, line_color=F.MUTED, name=name, showlegend=True)


def score_distances(setting: RopeSetting, methods: int) -> np.ndarray:
    """Evenly spaced integer distances 0 .. 2 L': at most SCORE_POINTS, and at most
    SCORE_EVALUATIONS cos/sin evaluations over all ``methods`` curves (at least 256 points)."""
    end = 2 * setting.target_length
    budget = max(256, SCORE_EVALUATIONS // (methods * setting.dim // 2))
    return np.unique(np.round(np.linspace(0, end, int(min(SCORE_POINTS, budget, end + 1)))))


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """The mean of ``values`` over a centred window of ``window`` points (shorter at both ends)."""
    window = max(1, min(int(window), len(values)))
    kernel = np.ones(window)
    return np.convolve(values, kernel, mode="same") / np.convolve(np.ones(len(values)), kernel, mode="same")


def _score_figure(setting: RopeSetting, ropes: dict[str, ScaledRope], seed: int) -> go.Figure:
    """Attention logit a^2 (R(m) q).(R(n) k) / sqrt(|D|) versus Delta = m - n for one seeded random
    pair q, k, out to twice the target length (a^2 = the logit multiplier): each curve faint, and
    bold its moving average over SMOOTH_SHARE L tokens, which averages the fast pairs away and
    leaves the slow pairs' part, where the methods differ."""
    distances = score_distances(setting, len(ropes))
    q, k = random_qk(setting.dim, seed)
    step = float(np.mean(np.diff(distances))) if len(distances) > 1 else 1.0
    window = round(SMOOTH_SHARE * setting.original_length / step)
    fig = go.Figure()
    for method, rope in ropes.items():
        logits = relative_scores(q, k, distances, rope.inv_freq, _qk_factor(rope)) / math.sqrt(setting.dim)
        F.add_line(
            fig,
            distances,
            logits,
            name=label(method),
            color=F.METHOD_COLORS[method],
            width=0.8,
            hover="%{y:.3f}",
            showlegend=False,
        )
        fig.data[-1].update(opacity=0.3, legendgroup=method)
        F.add_line(
            fig,
            distances,
            moving_average(logits, window),
            name=f"{label(method)}, smoothed",
            color=F.METHOD_COLORS[method],
            width=3,
            hover="%{y:.3f}",
        )
        fig.data[-1].update(legendgroup=method)
    F.shade_window(fig, 0, setting.original_length - 1, "distances seen in training")
    F.mark_x(fig, setting.target_length - 1, "L'")
    return F.base_layout(
        fig,
        title=f"Attention score versus distance (seed {seed})",
        x_title="relative distance Δ = m − n (tokens)",
        y_title="attention logit q·k / √|D|",
    )


def position_pairs(setting: RopeSetting) -> dict[str, int]:
    """The fastest, a middle and the slowest pair."""
    half = setting.dim // 2
    return {"fastest": 0, "middle": half // 2, "slowest": half - 1}


def _position_figure(setting: RopeSetting, ropes: dict[str, ScaledRope]) -> go.Figure:
    """Effective position m theta'_i / theta_i: the position at which the unscaled model would turn
    pair i by the same angle as the scaled model does at token m (PI: m / s in every pair). Curves
    that coincide in a panel are marked, and named in its title."""
    pairs = position_pairs(setting)
    base_wavelengths = scale_rope("none", setting).wavelengths
    # one panel a row: side by side, three panels and their labels smear on a phone
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    m = np.linspace(0, setting.target_length - 1, POSITION_POINTS)
    for method, rope in ropes.items():
        ratio = rope.frequency_ratio
        for col, i in enumerate(pairs.values(), start=1):
            F.add_line(
                fig,
                m,
                m * ratio[i],
                name=label(method),
                color=F.METHOD_COLORS[method],
                hover="%{y:,.0f}",
                showlegend=col == 1,
            )
            fig.data[-1].update(
                xaxis=f"x{'' if col == 1 else col}", yaxis=f"y{'' if col == 1 else col}", legendgroup=method
            )
    F.mark_coinciding(fig)
    for row, (name, i) in enumerate(pairs.items(), start=1):
        axis = f"x{'' if row == 1 else row}"
        marked = [t.name for t in fig.data if t.xaxis == axis and " (= " in t.name]
        shared = list(dict.fromkeys(n for name in marked for n in (name.split(" (= ")[1][:-1], _short(name))))
        note = "".join(f"<br>{line}" for line in textwrap.wrap(f"identical: {', '.join(shared)}", 30))
        fig.add_annotation(
            text=f"{name} pair, i = {i} (λ = {base_wavelengths[i]:,.0f} tokens){note}",
            xref=f"{axis} domain",
            yref=f"y{'' if row == 1 else row} domain",
            x=0.01,
            y=0.98,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
        )
        F.shade_window(fig, 0, setting.original_length - 1, "", axis="y", row=row, col=1)
    for trace in fig.data:  # the legend (first panel's traces) names each method for every panel
        if trace.showlegend:
            trace.name = _short(trace.name)
    F.base_layout(
        fig,
        title="Position each token is rotated as",
        x_title="token position m",
        y_title="effective position m θ'_i/θ_i",
        height=POSITION_HEIGHT,
    )
    fig.update_xaxes(title_text=None, row=1, col=1)
    fig.update_xaxes(title_text=None, row=2, col=1)
    fig.update_yaxes(title_text=None, row=1, col=1)
    fig.update_yaxes(title_text=None, row=3, col=1)
    fig.update_layout(legend={"y": -0.1})
    return fig


def _short(name: str) -> str:
    """A method's name without the " (= ...)" that figures.mark_coinciding appends."""
    return name.split(" (= ")[0]


def entropy_lengths(setting: RopeSetting) -> np.ndarray:
    """ENTROPY_LENGTHS log-spaced sequence lengths from max(16, L / 4) to 2 L'."""
    start = max(16, setting.original_length // 4)
    end = max(2 * setting.target_length, start + 1)
    return np.unique(np.round(np.geomspace(start, end, ENTROPY_LENGTHS))).astype(np.int64)


def _entropy_curve(method: str, setting: RopeSetting, seed: int) -> np.ndarray:
    """Attention entropy H(l) at each entropy_lengths l (same seeded queries and keys for every
    method); dynamic methods are re-evaluated with the current length l' = l."""
    exact_keys = int(np.clip(ENTROPY_KEY_FEATURES // setting.dim, 32, 256))
    values = []
    for length in entropy_lengths(setting):
        current = setting.with_(seq_len=int(length)) if METHODS[method].dynamic else setting
        rope = scale_rope(method, current)
        values.append(
            attention_entropy(
                [length],
                rope.inv_freq,
                _qk_factor(rope),
                seed=seed,
                queries=ENTROPY_QUERIES,
                exact_keys=exact_keys,
            )[0]
        )
    return np.asarray(values)


def _entropy_figure(setting: RopeSetting, curves: dict[str, np.ndarray]) -> go.Figure:
    """Entropy curves per method, with ln(l) (uniform attention) for reference."""
    lengths = entropy_lengths(setting)
    fig = go.Figure()
    for method, values in curves.items():
        F.add_line(
            fig,
            lengths,
            values,
            name=label(method),
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="%{y:.3f} nats",
        )
    F.add_line(
        fig, lengths, np.log(lengths), name="uniform: ln l'", color=F.MUTED, dash="dot", hover="%{y:.3f} nats"
    )
    # a legend entry instead of shade_window's label, which plotly misplaces on a log axis
    F.shade_window(fig, lengths[0], setting.original_length, "")
    fig.layout.shapes[-1].update(name="trained lengths", showlegend=True)
    fig.add_vline(
        x=setting.target_length,
        line_dash="dash",
        line_color=F.MUTED,
        name=f"L' = {setting.target_length:,.0f}",
        showlegend=True,
    )
    return F.base_layout(
        fig,
        title="Attention entropy versus sequence length",
        x_title="sequence length l' (tokens, log)",
        y_title="entropy of the last token's attention (nats)",
        log_x=True,
    )
