"""Compare page: several context-extension methods driven by one RopeSetting, drawn on shared axes
with one colour per method (figures.METHOD_COLORS). Dynamic methods are evaluated at the target
length l' = L' = s L (RopeSetting.seq_len None), except in the entropy chart, which re-evaluates
them at every sequence length it shows."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...attention import angle_coverage, attention_entropy, random_qk, relative_scores
from ...rope import inverse_frequencies, rotations_within
from ...scaling import METHODS, RopeSetting, ScaledRope, get_mscale, scale_rope
from .. import figures as F

COMPARABLE = ("none", "linear", "ntk", "dynamic_ntk", "ntk_by_parts", "yarn", "dynamic_yarn", "llama3")
DEFAULT_METHODS = ("linear", "ntk", "yarn")
MAX_METHODS = 4
TEMPERATURE_METHODS = ("yarn", "dynamic_yarn")
SCORE_POINTS = 4000
SCORE_EVALUATIONS = (
    600_000  # cos/sin pairs per score chart, shared by its methods: bounds the cost at any |D|
)
POSITION_POINTS = 200
ENTROPY_LENGTHS = 10
ENTROPY_QUERIES = 2
ENTROPY_KEY_FEATURES = 2**14  # exact keys x |D| per query, clamped to [32, 256] exact keys
FULL = 1e-9  # tolerance for "fully interpolated" / "fully kept"
GROUPS = ("fast", "middle", "slow")

# Presets: shared settings (d, base, L, s), the methods to show, and RopeSetting options that differ
# from the defaults. Values from the YaRN paper and the models' public configs (yarn-facts.md).
PRESETS = {
    "The seed's example: 512 -> 1024": {
        "d": 128,
        "base": 10000.0,
        "L": 512,
        "s": 2.0,
        "methods": ("none", "linear", "yarn"),
    },
    "YaRN paper: LLaMA 2, 4k x 16 (64k)": {
        "d": 128,
        "base": 10000.0,
        "L": 4096,
        "s": 16.0,
        "methods": ("linear", "ntk", "yarn"),
    },
    "YaRN paper: LLaMA 2, 4k x 32 (128k)": {
        "d": 128,
        "base": 10000.0,
        "L": 4096,
        "s": 32.0,
        "methods": ("linear", "ntk", "yarn"),
    },
    "Llama 3.1: 8k, llama3 factor 8 (served to 128k)": {
        "d": 128,
        "base": 500000.0,
        "L": 8192,
        "s": 8.0,
        "methods": ("linear", "yarn", "llama3"),
    },
    "Qwen: 32k -> 128k, YaRN factor 4": {
        "d": 128,
        "base": 1000000.0,
        "L": 32768,
        "s": 4.0,
        "methods": ("linear", "ntk", "yarn"),
    },
    "DeepSeek-V3: 4k, YaRN factor 40 with mscale": {
        "d": 64,
        "base": 10000.0,
        "L": 4096,
        "s": 40.0,
        "methods": ("linear", "ntk_by_parts", "yarn"),
        "mscale": 1.0,
        "mscale_all_dim": 1.0,
    },
    "gpt-oss: 4k, YaRN factor 32, no truncation": {
        "d": 64,
        "base": 150000.0,
        "L": 4096,
        "s": 32.0,
        "methods": ("linear", "ntk", "yarn"),
        "truncate": False,
    },
}

COLUMNS = {
    "method": "method",
    "s_used": "s used",
    "interpolated": "interpolated %",
    "blended": "blended %",
    "kept": "kept %",
    "ramp_low": "ramp low",
    "ramp_high": "ramp high",
    "attention_factor": "attention factor",
    "logit_multiplier": "logit x",
    "lowest_freq": "lowest freq (rad/token)",
    "slowest_stretch": "slowest pair stretched x",
    "fast": "fast pairs: max angle (rad)",
    "middle": "middle pairs: max angle (rad)",
    "slow": "slow pairs: max angle (rad)",
    "unseen": "pairs past trained angles",
    "overshoot": "furthest past (positions)",
}
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


def label(method: str) -> str:
    return METHODS[method].label


def logit_factor(method: str, setting: RopeSetting, rope: ScaledRope) -> float:
    """a such that attention logits are multiplied by a^2: the attention factor in cos and sin, times
    mscale(s, mscale_all_dim) when mscale_all_dim is set, because DeepSeek-V3 multiplies its softmax
    scale by mscale(s, mscale_all_dim)^2 (transformers then leaves cos and sin at ratio 1)."""
    factor = rope.attention_factor
    if method in TEMPERATURE_METHODS and setting.temperature and setting.mscale_all_dim:
        factor *= get_mscale(rope.effective_factor, setting.mscale_all_dim)
    return float(factor)


def pair_groups(setting: RopeSetting) -> dict[str, np.ndarray]:
    """Pairs of the unscaled model by full turns inside L, r = L / lambda: fast r > beta,
    slow r < alpha, middle in between (the paper's kept / blended / interpolated pairs)."""
    r = rotations_within(setting.original_length, inverse_frequencies(setting.dim, setting.base))
    return {
        "fast": r > setting.beta_fast,
        "middle": (r >= setting.beta_slow) & (r <= setting.beta_fast),
        "slow": r < setting.beta_slow,
    }


def regime_masks(rope: ScaledRope) -> dict[str, np.ndarray]:
    """Pairs fully interpolated (f = 1), blended (0 < f < 1) and kept (f = 0), f = rope.interpolated."""
    f = rope.interpolated
    interpolated = f >= 1 - FULL
    kept = f <= FULL
    return {"interpolated": interpolated, "blended": ~interpolated & ~kept, "kept": kept}


def regime_shares(rope: ScaledRope) -> dict[str, float]:
    """Percent of pairs in each regime_masks group."""
    return {name: 100.0 * mask.sum() / len(mask) for name, mask in regime_masks(rope).items()}


def _group_max(values: np.ndarray, mask: np.ndarray) -> float | None:
    return float(values[mask].max()) if mask.any() else None


def summary_rows(methods: tuple[str, ...], setting: RopeSetting) -> list[dict]:
    """The numbers a practitioner checks, one row per method after the trained model's row. Max angle:
    the largest relative angle (l - 1) theta_i over each pair group, at l = L as trained and at
    l = L' scaled. Pairs past trained angles: attention.angle_coverage's unseen pairs; how far past,
    in trained positions: the largest (angle at L' - angle at L) / theta_i over those pairs."""
    groups = pair_groups(setting)
    base_inv = inverse_frequencies(setting.dim, setting.base)
    trained_angles = (setting.original_length - 1) * base_inv
    rows = [
        {
            **dict.fromkeys(COLUMNS.values()),
            COLUMNS["method"]: TRAINED_ROW,
            COLUMNS["lowest_freq"]: float(base_inv[-1]),
            **{COLUMNS[g]: _group_max(trained_angles, groups[g]) for g in GROUPS},
        }
    ]
    for method in methods:
        rope = scale_rope(method, setting)
        coverage = angle_coverage(
            rope.base_inv_freq, rope.inv_freq, setting.original_length, setting.target_length
        )
        overshoot = (coverage.target_max - coverage.trained_max) / rope.base_inv_freq
        low, high = rope.correction_range or (None, None)
        rows.append(
            {
                COLUMNS["method"]: label(method),
                COLUMNS["s_used"]: float(rope.effective_factor),
                **{COLUMNS[k]: v for k, v in regime_shares(rope).items()},
                COLUMNS["ramp_low"]: None if low is None else float(low),
                COLUMNS["ramp_high"]: None if high is None else float(high),
                COLUMNS["attention_factor"]: float(rope.attention_factor),
                COLUMNS["logit_multiplier"]: logit_factor(method, setting, rope) ** 2,
                COLUMNS["lowest_freq"]: float(rope.inv_freq[-1]),
                COLUMNS["slowest_stretch"]: float(rope.base_inv_freq[-1] / rope.inv_freq[-1]),
                **{COLUMNS[g]: _group_max(coverage.target_max, groups[g]) for g in GROUPS},
                COLUMNS["unseen"]: int(coverage.unseen.sum()),
                COLUMNS["overshoot"]: _group_max(overshoot, coverage.unseen) or 0.0,
            }
        )
    return rows


def frequency_figure(methods: tuple[str, ...], setting: RopeSetting, quantity: str) -> go.Figure:
    """Per pair i: theta'_i / theta_i ("frequency": 1 = kept, 1/s = interpolated), or the wavelength
    lambda'_i = 2 pi / theta'_i against the trained and target lengths."""
    pairs = np.arange(setting.dim // 2)
    fig = go.Figure()
    if quantity == "wavelength":
        base = scale_rope("none", setting)
        F.add_line(
            fig, pairs, base.wavelengths, name="unscaled", color=F.MUTED, dash="dot", hover="%{y:,.4g} tokens"
        )
        for method in methods:
            rope = scale_rope(method, setting)
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
    for method in methods:
        rope = scale_rope(method, setting)
        F.add_line(
            fig,
            pairs,
            rope.frequency_ratio,
            name=label(method),
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="%{y:.4g} x",
        )
    _reference_hline(fig, 1.0, "1: kept as trained", "dot")
    if setting.factor > 1:
        _reference_hline(fig, 1 / setting.factor, f"1/s = 1/{setting.factor:g}: fully interpolated", "dash")
    return F.base_layout(
        fig,
        title="Frequency per pair, relative to the unscaled model",
        x_title="pair index i (0 = fastest)",
        y_title="theta'_i / theta_i (log)",
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


def score_figure(methods: tuple[str, ...], setting: RopeSetting, seed: int) -> go.Figure:
    """Attention logit a^2 (R(m) q).(R(n) k) / sqrt(|D|) versus Delta = m - n for one seeded random
    pair q, k, out to twice the target length."""
    distances = score_distances(setting, len(methods))
    q, k = random_qk(setting.dim, seed)
    fig = go.Figure()
    for method in methods:
        rope = scale_rope(method, setting)
        logits = relative_scores(
            q, k, distances, rope.inv_freq, logit_factor(method, setting, rope)
        ) / math.sqrt(setting.dim)
        F.add_line(
            fig,
            distances,
            logits,
            name=label(method),
            color=F.METHOD_COLORS[method],
            width=1.2,
            hover="%{y:.3f}",
        )
    F.shade_window(fig, 0, setting.original_length - 1, "distances seen in training")
    F.mark_x(fig, setting.target_length - 1, "L'")
    return F.base_layout(
        fig,
        title=f"Attention score versus distance (random q, k, seed {seed})",
        x_title="relative distance m - n (tokens)",
        y_title="attention logit q.k / sqrt(|D|)",
    )


def position_pairs(setting: RopeSetting) -> dict[str, int]:
    """The fastest, a middle and the slowest pair."""
    half = setting.dim // 2
    return {"fastest": 0, "middle": half // 2, "slowest": half - 1}


def position_figure(methods: tuple[str, ...], setting: RopeSetting) -> go.Figure:
    """Effective position m theta'_i / theta_i: the position at which the unscaled model would turn
    pair i by the same angle as the scaled model does at token m (PI: m / s in every pair)."""
    pairs = position_pairs(setting)
    base_wavelengths = scale_rope("none", setting).wavelengths
    titles = [
        f"{name} pair i = {i} (wavelength {base_wavelengths[i]:,.0f} tokens)" for name, i in pairs.items()
    ]
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, subplot_titles=titles, horizontal_spacing=0.04)
    m = np.linspace(0, setting.target_length - 1, POSITION_POINTS)
    for method in methods:
        ratio = scale_rope(method, setting).frequency_ratio
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
    for col in (1, 2, 3):
        fig.add_hrect(
            y0=0,
            y1=setting.original_length - 1,
            fillcolor=F.WINDOW_FILL,
            line_width=0,
            layer="below",
            row=1,
            col=col,
        )
    F.base_layout(
        fig,
        title="Position each token is rotated as, per pair (shaded: positions seen in training)",
        x_title="token position m",
        y_title="effective position m theta'/theta",
    )
    fig.update_yaxes(title_text=None, row=1, col=2)
    fig.update_yaxes(title_text=None, row=1, col=3)
    return fig


def entropy_lengths(setting: RopeSetting) -> np.ndarray:
    """ENTROPY_LENGTHS log-spaced sequence lengths from max(16, L / 4) to 2 L'."""
    start = max(16, setting.original_length // 4)
    end = max(2 * setting.target_length, start + 1)
    return np.unique(np.round(np.geomspace(start, end, ENTROPY_LENGTHS))).astype(np.int64)


def entropy_curve(method: str, setting: RopeSetting, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Attention entropy H(l) at each length l (same seeded queries and keys for every method);
    dynamic methods are re-evaluated with the current length l' = l."""
    lengths = entropy_lengths(setting)
    exact_keys = int(np.clip(ENTROPY_KEY_FEATURES // setting.dim, 32, 256))
    values = []
    for length in lengths:
        current = setting.with_(seq_len=int(length)) if METHODS[method].dynamic else setting
        rope = scale_rope(method, current)
        values.append(
            attention_entropy(
                [length],
                rope.inv_freq,
                logit_factor(method, current, rope),
                seed=seed,
                queries=ENTROPY_QUERIES,
                exact_keys=exact_keys,
            )[0]
        )
    return lengths, np.asarray(values)


def entropy_figure(curves: dict[str, tuple[np.ndarray, np.ndarray]], setting: RopeSetting) -> go.Figure:
    """Entropy curves per method, with ln(l) (uniform attention) for reference."""
    fig = go.Figure()
    for method, (lengths, values) in curves.items():
        F.add_line(
            fig,
            lengths,
            values,
            name=label(method),
            color=F.METHOD_COLORS[method],
            mode="lines+markers",
            hover="%{y:.3f} nats",
        )
    lengths = entropy_lengths(setting)
    F.add_line(
        fig, lengths, np.log(lengths), name="uniform: ln l", color=F.MUTED, dash="dot", hover="%{y:.3f} nats"
    )
    # legend entries instead of F.shade_window / F.mark_x labels, which misplace on a log axis
    fig.add_vrect(
        x0=lengths[0],
        x1=setting.original_length,
        fillcolor=F.WINDOW_FILL,
        line_width=0,
        layer="below",
        name="trained lengths",
        showlegend=True,
    )
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
        x_title="sequence length l (tokens, log)",
        y_title="entropy of the last token's attention (nats)",
        log_x=True,
    )
