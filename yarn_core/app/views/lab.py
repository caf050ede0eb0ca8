"""The lab page's figures and the numbers its text quotes: a tiny RoPE transformer
(``yarn_core.lab``) that fails past its training length L, is rescued (partly) by scaling its
rotations, and recovers with a short fine-tune.

Typed values in (the shipped ``LabResults``, the model's ``ModelConfig`` and ``Scaling``, and the
live jobs' results from ``lab_jobs``), one small frozen dataclass out per section. Nothing here
imports ``yarn_core.lab``: the objects arrive as arguments, so importing this module stays
torch-free, as the lesson pages' import check requires.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...rope import inverse_frequencies, rotations_within
from ...scaling import METHODS, correction_dim
from .. import figures as F
from ..assets import ASSETS, published, real_models

if TYPE_CHECKING:
    from ...lab import ModelConfig, Scaling
    from ...lab.results import LabResults, LabSettings
    from ..lab_jobs import (
        AttentionMaps,
        FineTuneRun,
        LanguageTune,
        ScratchRun,
        SettingSweep,
        ShippedModel,
    )

TASKS = ("passkey", "copy")
TASK_LABELS = {"passkey": "Passkey retrieval", "copy": "Copy (induction)"}
LIVE_METHODS = {
    m: METHODS[m].label for m in ("linear", "ntk", "ntk_by_parts", "yarn", "dynamic_ntk", "dynamic_yarn")
}
SCALE_MODES = ("matched", "fixed")  # s = T / L at every length, or s = the fine-tune scale throughout
RAMPS = {"code": "reference code (linear in the pair index)", "paper": "paper (linear in the turns r)"}
PRECISIONS = {"quick": "quick (few sequences)", "full": "full (as many as the shipped results)"}
# One colour per evaluation length, each at 3:1 or more on both theme backgrounds (figures.contrast_ratio).
LENGTH_COLORS = ("#0d9488", "#b8860b", "#ea580c", "#c026d3", "#2563eb")
VARIANT_DASH = {"yarn_paper_beta32": "dot", "yarn_paper_beta8": "dash"}
# The three YaRN variants of the trap differ in hue, not only in dash (3:1 on both backgrounds).
VARIANT_COLORS = {"yarn_paper_beta32": "#a0522d", "yarn_paper_beta8": "#db2777"}
TRAP_VARIANTS = ("yarn_paper_beta32", "yarn_paper_beta8", "yarn", "linear")
LLAMA = "llama2_7b"  # the bundled config of the model the paper's beta = 32 was chosen for


def length_label(length: int, trained: int) -> str:
    """128 -> "128 (2x)"."""
    return f"{length} ({length // trained}x)"


def metric_title(task: str) -> str:
    return (
        "passkey accuracy (share of keys exactly right)"
        if task == "passkey"
        else "loss on copied tokens (nats)"
    )


def _columns(results: LabResults) -> list[str]:
    L = results.settings.train_length
    return [length_label(T, L) for T in results.settings.lengths]


def _seeds(results: LabResults) -> str:
    return ", ".join(map(str, results.settings.seeds))


def _variant_color(results: LabResults, variant: str) -> str:
    return VARIANT_COLORS.get(variant) or F.METHOD_COLORS[results.variant(variant).scaling.method]


def _max_turns(head_dim: int, base: float, trained: int) -> float:
    """The turns the fastest pair makes inside L: L / (2 pi)."""
    return float(rotations_within(trained, inverse_frequencies(head_dim, base))[0])


def _beats(higher: bool, a: float, b: float) -> bool:
    return a > b if higher else a < b


def _legend_below(fig: go.Figure) -> go.Figure:
    """For a half-width chart: the legend under the plot, where it cannot run into the title."""
    return fig.update_layout(
        height=460, legend={"orientation": "h", "yanchor": "top", "y": -0.28, "xanchor": "left", "x": 0}
    )


# ----------------------------------------------------------------------------------------------
# What the page says about its model


@dataclass(frozen=True)
class LabFacts:
    """The shipped settings and the model's shape, with what the text derives from them: the
    column label per length, the turns the fastest pair makes inside L, the copy task's uniform
    guessing loss ln V, each task's shipped pre-training (steps, fastest and slowest seconds), and
    the sequences a quick live evaluation uses per task."""

    settings: LabSettings
    config: ModelConfig
    columns: tuple[str, ...]
    seeds: str
    max_turns: float
    pairs: int
    copy_vocab: int
    uniform_copy_loss: float
    base_steps: dict[str, int]
    base_seconds: dict[str, tuple[float, float]]
    longest_factor: int
    last_layer: int
    last_head: int
    default_head: int  # head 1 when the model has two heads or more
    page_samples: dict[str, int]


def facts(results: LabResults, model: ShippedModel) -> LabFacts:
    settings, config = results.settings, model.config
    seconds = {task: [run.seconds for run in results.base(task)] for task in TASKS}
    return LabFacts(
        settings=settings,
        config=config,
        columns=tuple(_columns(results)),
        seeds=_seeds(results),
        max_turns=_max_turns(config.head_dim, config.rope_base, config.train_length),
        pairs=config.head_dim // 2,
        copy_vocab=results.vocab_size("copy"),
        uniform_copy_loss=math.log(results.vocab_size("copy")),
        base_steps={task: schedule.steps for task, schedule in settings.base_schedules.items()},
        base_seconds={task: (min(s), max(s)) for task, s in seconds.items()},
        longest_factor=settings.lengths[-1] // settings.train_length,
        last_layer=config.n_layer - 1,
        last_head=config.n_head - 1,
        default_head=min(1, config.n_head - 1),
        page_samples=model.page_samples,
    )


# ----------------------------------------------------------------------------------------------
# Figures of one sweep


def passkey_heatmap(accuracy, lengths, depths, trained: int, title: str) -> go.Figure:
    """Passkey accuracy over evaluation length (rows) x key depth (columns)."""
    depth_labels = [f"{d:g}" + (" (start)" if d == 0 else " (end)" if d == 1 else "") for d in depths]
    fig = F.heatmap_figure(
        np.asarray(accuracy, dtype=float),
        depth_labels,
        [length_label(T, trained) for T in lengths],
        title=title,
        x_title="key depth (0 = first token, 1 = just before the query)",
        y_title="evaluation length T (tokens)",
        z_title="accuracy",
        zmin=0.0,
        zmax=1.0,
        hover="%{z:.2f}",
    )
    fig.update_yaxes(type="category")
    fig.update_xaxes(type="category")
    return fig.update_layout(height=460)  # as tall as the half-width line charts beside it


def profile_figure(edges, nll, lengths, trained: int, vocab: int, title: str) -> go.Figure:
    """Copy loss by position of the predicted token, one line per evaluation length; the
    positions seen in training shaded, and ln V (uniform guessing) marked."""
    fig = go.Figure()
    for i, (length, row) in enumerate(zip(lengths, np.asarray(nll, dtype=float), strict=True)):
        e = np.asarray(edges[i], dtype=float)
        F.add_line(
            fig,
            (e[:-1] + e[1:]) / 2,
            row,
            name=f"T = {length_label(length, trained)}",
            color=LENGTH_COLORS[i % len(LENGTH_COLORS)],
            mode="lines+markers",
            hover="%{y:.2f} nats",
        )
    F.shade_window(fig, 0, trained, f"positions seen in training (< {trained})")
    uniform = math.log(vocab)
    fig.add_hline(
        y=uniform,
        line_dash="dot",
        line_color=F.MUTED,
        annotation_text=f"uniform guessing, ln {vocab} = {uniform:.2f}",
        annotation_position="bottom right",
    )
    F.base_layout(
        fig,
        title=title,
        x_title="position of the copied token in the sequence",
        y_title="loss on copied tokens (nats)",
    )
    return _legend_below(fig)


# ----------------------------------------------------------------------------------------------
# 1. The failure


@dataclass(frozen=True)
class FailureView:
    """Plain RoPE zero-shot, mean over the shipped seeds: the passkey heatmap and the copy loss by
    position; the metric per length; the copy loss past L at s L tokens (s = fine-tune scale), and
    whether it is above uniform guessing."""

    heatmap: go.Figure
    profile: go.Figure
    passkey: tuple[float, ...]
    copy: tuple[float, ...]
    copy_past: float
    above_uniform: bool


def failure(results: LabResults) -> FailureView:
    settings = results.settings
    L, lengths = settings.train_length, settings.lengths
    passkey, copy = results.zero_shot("passkey", "none"), results.zero_shot("copy", "none")
    heatmap = passkey_heatmap(
        np.stack([sweep.accuracy for sweep in passkey.sweeps]).mean(axis=0),
        lengths,
        settings.depths,
        L,
        f"Passkey accuracy, plain RoPE (mean of seeds {_seeds(results)})",
    )
    nll = np.stack([sweep.nll_by_position for sweep in copy.sweeps])
    counts = np.isfinite(nll).sum(axis=0)
    mean_nll = np.where(counts > 0, np.nansum(nll, axis=0) / np.maximum(counts, 1), np.nan)
    edges = copy.sweeps[0].position_edges
    vocab = results.vocab_size("copy")
    profile = profile_figure(
        edges,
        mean_nll,
        lengths,
        L,
        vocab,
        f"Copy loss by position, plain RoPE (mean of seeds {_seeds(results)})",
    )
    row = lengths.index(settings.finetune_length)
    copy_past = float(np.nanmean(mean_nll[row][np.asarray(edges[row][:-1]) >= L]))
    return FailureView(
        heatmap,
        profile,
        tuple(passkey.mean.tolist()),
        tuple(copy.mean.tolist()),
        copy_past,
        copy_past > math.log(vocab),
    )


# ----------------------------------------------------------------------------------------------
# 2. Scaling without training


@dataclass(frozen=True)
class RegimesView:
    """gamma_i per pair at the fine-tune scale s for one setting, and the counts of kept, blended
    and interpolated pairs; with YaRN's temperature, the multiplier of every logit; the knobs the
    method does not read."""

    figure: go.Figure
    kept: int
    blended: int
    interpolated: int
    pairs: int
    temperature: bool
    logit_multiplier: float
    ignored: tuple[str, ...]


def pair_regimes(config: ModelConfig, scaling: Scaling, factor: float) -> RegimesView:
    """Per pair i: gamma_i = 1 - f_i, the share of its trained frequency a pair keeps at scale s
    (theta'_i = theta_i ((1 - f_i) + f_i / s)); gamma is the ramp itself for the by-parts methods.
    Hover gives r_i = L / lambda_i, the turns pair i makes inside L."""
    scale, trained, method = float(factor), config.train_length, METHODS[scaling.method]
    rope = replace(scaling, factor=scale).rope(config, round(scale * trained))
    gamma = 1.0 - rope.interpolated
    turns = rotations_within(trained, rope.base_inv_freq)
    fig = go.Figure(
        go.Scatter(
            x=np.arange(config.head_dim // 2),
            y=gamma,
            customdata=turns,
            name="gamma_i",
            mode="lines+markers",
            line={"color": F.MUTED, "width": 1},
            marker={"color": [F.REGIME_COLORS[r] for r in rope.regimes()], "size": 11},
            hovertemplate="pair %{x}: gamma = %{y:.3f}, turns inside L = %{customdata:.3g}<extra></extra>",
        )
    )
    if method.ramp:
        alpha, beta = scaling.beta_slow, scaling.beta_fast
        for turns_at, label in ((beta, f"r = beta = {beta:g}"), (alpha, f"r = alpha = {alpha:g}")):
            where = correction_dim(turns_at, config.head_dim, config.rope_base, trained)
            if 0 <= where <= config.head_dim // 2 - 1:
                F.mark_x(fig, where, label)
    F.base_layout(
        fig,
        title=f"Which pairs {method.label} keeps (gamma = 1) or interpolates (gamma = 0) at s = {scale:g}",
        x_title="pair index i (0 = fastest)",
        y_title="gamma_i (1 = kept as trained)",
    )
    fig.update_yaxes(range=[-0.05, 1.05])
    fig.update_layout(hovermode="closest", showlegend=False)
    counts = rope.regime_counts()
    ignored = (("alpha, beta and the ramp", not method.ramp), ("the temperature", not method.temperature))
    return RegimesView(
        fig,
        counts["kept"],
        counts["blended"],
        counts["interpolated"],
        config.head_dim // 2,
        method.temperature,
        rope.logit_multiplier,
        tuple(name for name, unused in ignored if unused),
    )


@dataclass(frozen=True)
class LengthComparison:
    """At one length past L, the setting's seed-0 numbers against plain RoPE's."""

    length: int
    accuracy: float
    plain_accuracy: float
    loss: float
    plain_loss: float


@dataclass(frozen=True)
class SettingView:
    """One setting's sweeps drawn as the failure views (passkey heatmap, copy loss by position),
    which shipped variant they are (None: evaluated live), and the numbers past L against plain
    RoPE (seed-0 models)."""

    heatmap: go.Figure
    profile: go.Figure
    shipped_as: str | None
    dynamic: bool
    past_l: tuple[LengthComparison, ...]


def chosen_setting(
    results: LabResults, passkey: SettingSweep, copy: SettingSweep, method: str
) -> SettingView:
    L, label = results.settings.train_length, METHODS[method].label
    name = f"{label} ({'shipped' if passkey.shipped else 'live'}, seed 0)"
    keys, losses = passkey.sweep, copy.sweep
    heatmap = passkey_heatmap(keys.accuracy, keys.lengths, keys.depths, L, f"Passkey accuracy, {name}")
    profile = profile_figure(
        losses.position_edges,
        losses.nll_by_position,
        losses.lengths,
        L,
        results.vocab_size("copy"),
        f"Copy loss by position, {name}",
    )
    plain_keys = results.zero_shot("passkey", "none").of_seed(0).metric
    plain_losses = results.zero_shot("copy", "none").of_seed(0).metric
    past_l = tuple(
        LengthComparison(*numbers)
        for numbers in zip(
            results.settings.lengths[1:],
            keys.metric[1:],
            plain_keys[1:],
            losses.metric[1:],
            plain_losses[1:],
            strict=True,
        )
    )
    shipped_as = results.variant(passkey.variant).label if passkey.shipped else None
    return SettingView(heatmap, profile, shipped_as, METHODS[method].dynamic, past_l)


# ----------------------------------------------------------------------------------------------
# Every method, every seed (shipped)


@dataclass(frozen=True)
class PiLoss:
    """A length where Position Interpolation does worse than plain RoPE, zero-shot."""

    length: str
    pi: float
    plain: float


@dataclass(frozen=True)
class Best:
    label: str
    value: float


@dataclass(frozen=True)
class ZeroShotView:
    """Zero-shot, every shipped variant: the metric per length (mean over seeds, bars min to max);
    the table (mean per length, range over seeds) and every seed's numbers; the mean per variant;
    where PI does worse than plain RoPE; the best variant at each length past L."""

    figure: go.Figure
    rows: list[dict]
    seed_rows: list[dict]
    mean: dict[str, tuple[float, ...]]
    pi_loses_at: tuple[PiLoss, ...]
    best: dict[str, Best]


def _best(results: LabResults, task: str) -> dict[str, Best]:
    """The variant with the best mean over seeds at each length past L."""
    means = {v: results.zero_shot(task, v).mean for v in results.zero_shot_variants(task)}
    better, L = results.higher_is_better(task), results.settings.train_length
    best = {}
    for j, T in enumerate(results.settings.lengths[1:], start=1):
        winner = max(means, key=lambda v: means[v][j] if better else -means[v][j])
        best[length_label(T, L)] = Best(results.variant(winner).label, float(means[winner][j]))
    return best


def zero_shot(results: LabResults, task: str) -> ZeroShotView:
    settings, columns = results.settings, _columns(results)
    better, L = results.higher_is_better(task), settings.train_length
    fig, rows, seed_rows, means = go.Figure(), [], [], {}
    for variant in results.zero_shot_variants(task):
        label, stats = results.variant(variant).label, results.zero_shot(task, variant)
        means[variant] = tuple(float(m) for m in stats.mean)
        fig.add_trace(
            go.Scatter(
                x=list(settings.lengths),
                y=stats.mean,
                name=label,
                mode="lines+markers",
                line={
                    "color": _variant_color(results, variant),
                    "dash": VARIANT_DASH.get(variant, "solid"),
                    "width": 2,
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": stats.high - stats.mean,
                    "arrayminus": stats.mean - stats.low,
                    "width": 4,
                    "thickness": 1,
                },
                hovertemplate=f"{label}: %{{y:.3g}}<extra></extra>",
            )
        )
        row = {"method": label, **dict(zip(columns, means[variant], strict=True))}
        row["range over seeds (2x / 4x / 8x)"] = " / ".join(
            f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(stats.low[1:], stats.high[1:], strict=True)
        )
        rows.append(row)
        for seed, values in zip(stats.seeds, stats.values, strict=True):
            seed_rows.append(
                {"method": label, "seed": seed, **{c: float(v) for c, v in zip(columns, values, strict=True)}}
            )
    F.mark_x(fig, L, f"trained length L = {L}")
    F.base_layout(
        fig,
        title=f"Zero-shot {task}: mean of seeds {_seeds(results)}, bars min to max",
        x_title="evaluation length T (tokens)",
        y_title=metric_title(task),
        log_x=True,
        log_y=task == "copy",
    )
    fig.update_xaxes(tickvals=list(settings.lengths))
    pi_loses = tuple(
        PiLoss(length_label(T, L), pi, plain)
        for T, pi, plain in zip(settings.lengths, means["linear"], means["none"], strict=True)
        if T > L and _beats(better, plain, pi)
    )
    return ZeroShotView(_legend_below(fig), rows, seed_rows, means, pi_loses, _best(results, task))


# ----------------------------------------------------------------------------------------------
# The trap: at small L, beta = 32 interpolates every pair


@dataclass(frozen=True)
class TrapVariant:
    max_gamma: float
    kept: int
    interpolated: int
    beta: float


@dataclass(frozen=True)
class TrapView:
    """gamma per pair for the shipped YaRN variants and PI at the fine-tune scale; how few turns
    the fastest pair makes inside L here and in LLaMA; the shipped means that show the trap (copy
    loss at ``copy_column``, passkey accuracy at ``passkey_column``)."""

    figure: go.Figure
    max_turns: float
    llama_length: int
    llama_turns: float
    variants: dict[str, TrapVariant]
    code_beta32_kept: int
    copy_column: str
    copy_at: dict[str, float]
    passkey_column: str
    passkey_at: dict[str, float]


def trap(results: LabResults, config: ModelConfig) -> TrapView:
    """No pair turns more than L / (2 pi) times inside L, so with beta above that the paper's ramp
    gamma(r) = (r - alpha) / (beta - alpha) never reaches 1."""
    scale, trained = float(results.settings.finetune_factor), config.train_length
    fig, variants = go.Figure(), {}
    for variant in TRAP_VARIANTS:
        scaling = results.variant(variant).scaling
        rope = replace(scaling, factor=scale).rope(config, None)
        gamma = 1.0 - rope.interpolated
        F.add_line(
            fig,
            np.arange(config.head_dim // 2),
            gamma,
            name=results.variant(variant).label,
            color=_variant_color(results, variant),
            dash=VARIANT_DASH.get(variant),
            mode="lines+markers",
            hover="%{y:.3f}",
        )
        counts = rope.regime_counts()
        variants[variant] = TrapVariant(
            float(gamma.max()), counts["kept"], counts["interpolated"], scaling.beta_fast
        )
    F.base_layout(
        fig,
        title=f"The trap at L = {trained}: with beta = 32 no pair is kept",
        x_title="pair index i (0 = fastest)",
        y_title="gamma_i (1 = kept as trained)",
    )
    fig.update_yaxes(range=[-0.03, 1.05])
    code32 = replace(results.variant("yarn").scaling, factor=scale, beta_fast=32.0).rope(config, None)
    llama = real_models()[LLAMA].rope
    columns = _columns(results)
    at = {
        task: {
            v: results.zero_shot(task, v).mean
            for v in ("none", "linear", "yarn_paper_beta32", "yarn_paper_beta8", "yarn")
        }
        for task in TASKS
    }
    return TrapView(
        figure=fig,
        max_turns=_max_turns(config.head_dim, config.rope_base, trained),
        llama_length=llama.original_length,
        llama_turns=float(rotations_within(llama.original_length, llama.base_inv_freq)[0]),
        variants=variants,
        code_beta32_kept=code32.regime_counts()["kept"],
        copy_column=columns[1],
        copy_at={v: float(mean[1]) for v, mean in at["copy"].items()},
        passkey_column=columns[2],
        passkey_at={v: float(mean[2]) for v, mean in at["passkey"].items()},
    )


# ----------------------------------------------------------------------------------------------
# 3. Recovery: fine-tune curves


@dataclass(frozen=True)
class Recovery:
    """One variant's shipped fine-tunes: steps to the target per seed (None: not within the run),
    the last step of the runs, and the seconds one run took (mean over seeds)."""

    label: str
    steps_to_target: tuple[int | None, ...]
    last_step: int
    seconds: float


@dataclass(frozen=True)
class RecoveryView:
    target: float
    variants: dict[str, Recovery]
    shipped_seconds: float  # one shipped YaRN fine-tune (or the first variant's)


def recovery(results: LabResults, task: str) -> RecoveryView:
    variants = {}
    for variant in results.finetuned_variants(task):
        runs = results.finetune(task, variant)
        variants[variant] = Recovery(
            results.variant(variant).label,
            runs.steps_to_target,
            int(runs.steps[-1]),
            float(np.mean(runs.seconds)),
        )
    shipped = variants["yarn"] if "yarn" in variants else next(iter(variants.values()))
    return RecoveryView(results.settings.targets[task], variants, shipped.seconds)


def recovery_figure(results: LabResults, task: str, runs: tuple[FineTuneRun, ...] = ()) -> go.Figure:
    """Metric versus fine-tune step at s = 4 for each method: the mean of the shipped seeds (thick)
    over every seed's curve (thin lines, no translucent bands); the target; the reader's runs, dashed."""
    settings = results.settings
    fig = go.Figure()
    for variant in results.finetuned_variants(task):
        curves, label = results.finetune(task, variant), results.variant(variant).label
        color, steps = _variant_color(results, variant), curves.steps.astype(float)
        _seed_lines(fig, steps, curves.curves, color, label)
        F.add_line(fig, steps, curves.mean, name=label, color=color, hover="%{y:.3f}")
    for run in runs:
        F.add_line(
            fig,
            run.eval_steps,
            run.values,
            name=run.label,
            color=_variant_color(results, run.variant),
            dash="dash",
            mode="lines+markers",
            hover="%{y:.3f}",
        )
    target = settings.targets[task]
    fig.add_hline(
        y=target,
        line_dash="dot",
        line_color=F.MUTED,
        annotation_text=f"target {target:g}",
        annotation_position="top left",
    )
    F.base_layout(
        fig,
        title=(
            f"Recovery at {settings.finetune_length} tokens (s = {settings.finetune_factor}): "
            f"mean of seeds {_seeds(results)} over each seed"
        ),
        x_title="fine-tune step",
        y_title=metric_title(task),
        log_y=task == "copy",
        height=440,
    )
    return fig.update_layout(margin={"t": 90})


@dataclass(frozen=True)
class Finetuned:
    """One variant after fine-tuning at s L, s kept: the mean over seeds at s L and at the longest
    length, and the best seed at the longest length."""

    label: str
    at_tuned: float
    at_longest: float
    longest_high: float


@dataclass(frozen=True)
class FinetunedView:
    """After fine-tuning at s = 4: the table (mean per length with s kept at 4, range over seeds at
    the longest length, steps each seed needed to reach the target), each variant's numbers, and
    whether every variant does worse at the longest length than at the fine-tune length."""

    rows: list[dict]
    tuned_length: int
    longest: int
    variants: dict[str, Finetuned]
    all_worse: bool
    worst_high: float


def _finetuned(results: LabResults, task: str) -> dict[str, Finetuned]:
    at = results.settings.lengths.index(results.settings.finetune_length)
    variants = {}
    for variant in results.finetuned_variants(task):
        stats = results.finetune(task, variant).final
        variants[variant] = Finetuned(
            results.variant(variant).label,
            float(stats.mean[at]),
            float(stats.mean[-1]),
            float(stats.high[-1]),
        )
    return variants


def finetuned(results: LabResults, task: str) -> FinetunedView:
    columns, rows = _columns(results), []
    for variant in results.finetuned_variants(task):
        runs = results.finetune(task, variant)
        stats = runs.final
        rows.append(
            {
                "method": results.variant(variant).label,
                "steps to target (per seed)": ", ".join(
                    "not reached" if r is None else str(r) for r in runs.steps_to_target
                ),
                **{column: float(m) for column, m in zip(columns, stats.mean, strict=True)},
                f"range at {columns[-1]}": f"{stats.low[-1]:.2f}-{stats.high[-1]:.2f}",
            }
        )
    variants = _finetuned(results, task)
    better = results.higher_is_better(task)
    return FinetunedView(
        rows,
        results.settings.finetune_length,
        results.settings.lengths[-1],
        variants,
        all(_beats(better, v.at_tuned, v.at_longest) for v in variants.values()),
        max(v.longest_high for v in variants.values()),
    )


@dataclass(frozen=True)
class ScratchView:
    """The reader's base model trained from scratch: its loss against the shipped seeds', and
    its zero-shot numbers at every length."""

    figure: go.Figure
    rows: list[dict]


def scratch(results: LabResults, run: ScratchRun) -> ScratchView:
    """Training loss (mean of every 10 steps) of the reader's run against the shipped seeds; the
    new model zero-shot at every length with plain RoPE and YaRN (beta 8)."""
    settings = results.settings
    fig = go.Figure()
    for base in results.base(run.task):
        F.add_line(
            fig,
            settings.curve_every * np.arange(1, len(base.loss_every_10) + 1),
            base.loss_every_10,
            name=f"shipped seed {base.seed}",
            color=F.MUTED,
            width=1,
            hover="%{y:.3f}",
        )
    F.add_line(
        fig,
        run.loss_steps,
        run.loss,
        name=f"your run (seed {run.seed})",
        color=F.METHOD_COLORS["yarn"],
        dash="dash",
        width=3,
        hover="%{y:.3f}",
    )
    F.base_layout(
        fig,
        title=f"Pre-training the {run.task} model from scratch at L = {settings.train_length}",
        x_title="training step",
        y_title="training loss (nats, mean of 10 steps)",
        log_y=True,
    )
    columns = [length_label(T, settings.train_length) for T in run.lengths]
    rows = [
        {
            "method": f"{results.variant(v).label} ({run.samples} sequences per cell)",
            **dict(zip(columns, values, strict=True)),
        }
        for v, values in run.zero_shot.items()
    ]
    return ScratchView(fig, rows)


# ----------------------------------------------------------------------------------------------
# 4. Why: attention maps and entropy


@dataclass(frozen=True)
class AttentionView:
    """The four attention maps and the entropy per query; whether YaRN keeps the head more focused
    than plain RoPE past L, and whether it spreads it more inside L (at L tokens)."""

    maps: go.Figure
    entropy: go.Figure
    sharper: bool
    costs_inside: bool


def attention(numbers: AttentionMaps) -> AttentionView:
    """The four attention maps (log10 weight, queries down, keys across) and the entropy of every
    query at s L tokens (plain RoPE, YaRN) and at L (plain RoPE), with ln(m + 1), a uniform spread
    over the m + 1 visible keys, for reference."""
    L, long_T, layer, head = numbers.train_length, numbers.long_length, numbers.layer, numbers.head
    panels = numbers.panels
    titles = [f"{p.name} at {length_label(p.length, L)} tokens" for p in panels]
    maps = make_subplots(
        rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.08, vertical_spacing=0.14
    )
    for i, panel in enumerate(panels):
        maps.add_trace(
            go.Heatmap(
                z=panel.log_weight,
                x=panel.positions,
                y=panel.positions,
                coloraxis="coloraxis",
                name=f"{panel.name} {panel.length}",
                hovertemplate="query %{y}, key %{x}: log10 weight %{z:.2f}<extra></extra>",
            ),
            row=i // 2 + 1,
            col=i % 2 + 1,
        )
    maps.update_layout(
        coloraxis={
            "colorscale": "Viridis",
            "cmin": math.log10(numbers.floor),
            "cmax": 0.0,
            "colorbar": {"title": {"text": "log10 weight"}},
        }
    )
    F.base_layout(
        maps,
        title=f"Where layer {layer} head {head} looks ({numbers.task} model, no fine-tuning)",
        x_title="key position",
        y_title="query position",
        height=760,
    )
    maps.update_yaxes(autorange="reversed")
    maps.update_layout(hovermode="closest")

    entropy = go.Figure()
    styles = (
        (panels[1], F.METHOD_COLORS["none"], None),
        (panels[3], F.METHOD_COLORS["yarn"], None),
        (panels[0], F.METHOD_COLORS["linear"], "dot"),
    )
    for panel, color, dash in styles:
        F.add_line(
            entropy,
            np.arange(panel.length),
            panel.entropy,
            name=f"{panel.name} at {panel.length} tokens",
            color=color,
            dash=dash,
            hover="%{y:.2f} nats",
        )
    F.add_line(
        entropy,
        np.arange(long_T),
        np.log(np.arange(1, long_T + 1)),
        name="uniform over the visible keys, ln(m + 1)",
        color=F.MUTED,
        dash="dash",
        width=1,
        hover="%{y:.2f} nats",
    )
    F.shade_window(entropy, 0, L - 1, f"query positions seen in training (< {L})")
    F.base_layout(
        entropy,
        title=f"Attention entropy of layer {layer} head {head} per query",
        x_title="query position m",
        y_title="entropy of the attention row (nats)",
    )
    return AttentionView(
        maps,
        entropy,
        numbers.yarn_past < numbers.plain_past,
        numbers.yarn_inside_1x > numbers.plain_inside_1x,
    )


# ----------------------------------------------------------------------------------------------
# The takeaway


@dataclass(frozen=True)
class Takeaway:
    """Passkey at s L tokens (s = fine-tune scale), mean over seeds: plain RoPE and the best
    method zero-shot, and YaRN after the shipped fine-tune."""

    column: str
    plain: float
    best: Best
    tuned_yarn: float


def takeaway(results: LabResults) -> Takeaway:
    settings = results.settings
    at = settings.lengths.index(settings.finetune_length)
    column = _columns(results)[at]
    return Takeaway(
        column,
        float(results.zero_shot("passkey", "none").mean[at]),
        _best(results, "passkey")[column],
        _finetuned(results, "passkey")["yarn"].at_tuned,
    )


# ----------------------------------------------------------------------------------------------
# The language model (shakespeare.json): the lab's lead demo


LANGUAGE_ZERO_SHOT = ("none", "linear", "ntk", "ntk_by_parts", "yarn", "dynamic_ntk", "dynamic_yarn")
LANGUAGE_DASH = {"dynamic_ntk": "dash", "dynamic_yarn": "dash", "ntk_by_parts": "dot"}
SEED_LINE = 1  # px: one thin line per seed under each mean, so the spread is always on the chart


def _language_color(runs: dict, key: str) -> str:
    return F.METHOD_COLORS[runs[key].scaling.method]


def _seed_lines(fig: go.Figure, x, values: np.ndarray, color: str, name: str) -> None:
    """Every seed's curve as a thin line of the method's colour, drawn under its mean."""
    for row in values:
        F.add_line(fig, x, row, name=f"{name} (one seed)", color=color, width=SEED_LINE, showlegend=False)
    for trace in fig.data[-len(values) :]:
        trace.update(opacity=0.45, hoverinfo="skip", hovertemplate=None)


def _error_bars(mean: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict:
    return {"type": "data", "symmetric": False, "array": high - mean, "arrayminus": mean - low, "width": 4}


def language_position_figure(results, variants: tuple[str, ...], *, title: str, tuned: bool = False):
    """Held-out bits/char at each position of 8L windows (bins of ``position_bin``): mean over the
    seeds, each seed a thin line; the trained window shaded."""
    runs = {k: v.tuned for k, v in results.finetune.items()} if tuned else results.zero_shot
    x, L = results.positions, results.train_length
    fig = go.Figure()
    F.shade_window(fig, 0, L, f"trained window (L = {L})")
    for key in variants:
        run, color = runs[key], _language_color(runs, key)
        _seed_lines(fig, x, run.by_position.values, color, run.label)
        F.add_line(
            fig, x, run.by_position.mean, name=run.label, color=color, dash=LANGUAGE_DASH.get(key), width=2.5
        )
    fig.add_hline(y=float(results.in_window.mean()), line_dash="dot", line_color=F.MUTED)
    F.base_layout(
        fig, title=title, x_title="position in the passage (characters)", y_title="bits per character"
    )
    return fig.update_yaxes(rangemode="tozero")


def _length_figure(runs: dict, lengths, trained: int, *, title: str, height: int) -> go.Figure:
    """Bits/char over whole windows of length T per method: ``runs`` maps a method key to (label,
    yarn_core method, values per seed and length); mean with a bar from the best to the worst seed."""
    x = np.asarray(lengths, dtype=float)
    fig = go.Figure()
    F.shade_window(fig, 0, trained, "trained")
    for key, (label, method, values) in runs.items():
        values = np.asarray(values, dtype=float)
        mean, low, high = values.mean(axis=0), values.min(axis=0), values.max(axis=0)
        color = F.METHOD_COLORS[method]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mean,
                name=label,
                mode="lines+markers",
                line={"color": color, "dash": LANGUAGE_DASH.get(key), "width": 2.5},
                marker={"color": color, "size": 7},
                error_y=_error_bars(mean, low, high) | {"color": color},
                hovertemplate=f"{label}: %{{y:.3f}}<extra></extra>",
            )
        )
    F.base_layout(
        fig,
        title=title,
        x_title="evaluation length T (characters)",
        y_title="bits per character",
        height=height,
    )
    return fig.update_xaxes(tickvals=list(x), range=[0, x[-1] * 1.04]).update_yaxes(rangemode="tozero")


def language_length_figure(
    results, variants: tuple[str, ...], *, title: str, tuned: bool = False, height=380
):
    """Held-out bits/char over whole windows of length T, mean and range over seeds: zero-shot at
    s = T / L, or (``tuned``) fine-tuned at 4L and kept at s = 4."""
    source = {k: v.tuned for k, v in results.finetune.items()} if tuned else results.zero_shot
    runs = {
        key: (source[key].label, source[key].scaling.method, source[key].by_length.values) for key in variants
    }
    return _length_figure(runs, results.lengths, results.train_length, title=title, height=height)


@functools.cache
def _shipped_language() -> dict:
    """shakespeare.json as plain JSON, read without the lab package (so without torch)."""
    return json.loads((ASSETS / "lab" / "shakespeare.json").read_text())


@dataclass(frozen=True)
class RealModelScores:
    """The shipped zero-shot scores of the Shakespeare model a lesson quotes: held-out bits/char
    (mean over seeds) inside the trained window and per method at each evaluation length."""

    train_length: int
    seeds: int
    in_window: float
    lengths: tuple[int, ...]
    labels: dict[str, str]
    means: dict[str, tuple[float, ...]]
    ramps: dict[str, tuple[float, float]]  # (alpha, beta) in turns inside L, for methods with a ramp


def real_model_scores(methods: tuple[str, ...]) -> RealModelScores:
    """:func:`real_model_figure`'s numbers: plain RoPE and ``methods``, mean over seeds per length."""
    raw = _shipped_language()
    settings, variants = raw["settings"], raw["variants"]
    keys = [key for key in dict.fromkeys(("none", *methods)) if key in raw["zero_shot"]]
    means = {
        key: tuple(float(v) for v in np.asarray(raw["zero_shot"][key]["by_length"], dtype=float).mean(axis=0))
        for key in keys
    }
    return RealModelScores(
        train_length=int(settings["train_length"]),
        seeds=len(settings["seeds"]),
        in_window=means["none"][0],
        lengths=tuple(int(n) for n in settings["lengths"]),
        labels={key: variants[key]["label"] for key in keys},
        means=means,
        ramps={
            key: (float(variants[key]["scaling"]["beta_slow"]), float(variants[key]["scaling"]["beta_fast"]))
            for key in keys
            if METHODS[variants[key]["scaling"]["method"]].ramp
        },
    )


def real_model_figure(methods: tuple[str, ...]) -> go.Figure:
    """What ``methods`` (keys of the lab's language variants: none, linear, ntk, ntk_by_parts, yarn,
    dynamic_ntk, dynamic_yarn) do to a real (tiny) model: the shipped held-out bits/char of the
    Shakespeare model against evaluation length, zero-shot at s = T / L, mean and range over seeds,
    the trained window shaded; plain RoPE is always drawn for reference. Small, for the end of a
    lesson; reads assets/lab/shakespeare.json itself (no torch), so a page passes only the keys."""
    raw = _shipped_language()
    settings, variants = raw["settings"], raw["variants"]
    keys = [key for key in dict.fromkeys(("none", *methods)) if key in raw["zero_shot"]]
    runs = {
        key: (variants[key]["label"], variants[key]["scaling"]["method"], raw["zero_shot"][key]["by_length"])
        for key in keys
    }
    L = settings["train_length"]
    return _length_figure(
        runs,
        settings["lengths"],
        L,
        title=f"A real model (Shakespeare, L = {L})",
        height=320,
    )


def language_recovery_figure(results) -> go.Figure:
    """Bits/char at 4L against fine-tune steps at s = 4: each method's mean and every seed's run as
    a thin line; the base model's in-window score and 5% above it."""
    fig = go.Figure()
    runs = {k: v.tuned for k, v in results.finetune.items()}
    for key, tune in results.finetune.items():
        color, steps = _language_color(runs, key), tune.steps.astype(float)
        _seed_lines(fig, steps, tune.curves.values, color, tune.tuned.label)
        F.add_line(
            fig, steps, tune.curves.mean, name=tune.tuned.label, color=color, width=2.5, hover="%{y:.3f}"
        )
    inside = float(results.in_window.mean())
    tolerance = float(results.settings["recovery_tolerance"])
    fig.add_hline(y=inside, line_dash="dot", line_color=F.MUTED)
    fig.add_hline(
        y=inside * (1 + tolerance),
        line_dash="dash",
        line_color=F.MUTED,
        annotation_text=f"within {tolerance:.0%} of the in-window {inside:.2f}",
        annotation_position="top right",
    )
    factor = results.settings["finetune_factor"]
    F.base_layout(
        fig,
        title=f"Fine-tuned at {factor}L (s = {factor}), every seed",
        x_title="fine-tune step",
        y_title=f"bits/char at T = {factor * results.train_length}",
    )
    return fig


def play_title(slug: str) -> str:
    """ "the-tempest" -> "The Tempest"."""
    return slug.replace("-", " ").title()


@dataclass(frozen=True)
class LanguageTuneResult:
    """One live fine-tune as the text quotes it: bits/char at step 0 and at its last step, and the
    first scored step within ``tolerance`` of the in-window score (None: not within the run)."""

    method: str
    label: str
    steps: int
    start: float
    final: float
    within_at: int | None


@dataclass(frozen=True, eq=False)
class LanguageTuneView:
    """The reader's live fine-tunes (latest per method): the figure, the in-window reference on the
    same characters, each run's numbers, and, when two or more runs ran as many steps, the methods
    with the highest and the lowest final score among them."""

    figure: go.Figure
    in_window: float
    tolerance: float
    runs: tuple[LanguageTuneResult, ...]
    slowest: LanguageTuneResult | None
    fastest: LanguageTuneResult | None
    first_within: str


def language_tune(runs: tuple[LanguageTune, ...], tolerance: float) -> LanguageTuneView:
    """Bits/char at 4L on the score play against fine-tune steps, one line per live run, with the
    base model's in-window score on the same characters (dotted) and ``tolerance`` above it."""
    inside = runs[-1].in_window
    threshold = inside * (1 + tolerance)
    fig = go.Figure()
    results = []
    for run in runs:
        F.add_line(
            fig,
            run.eval_steps,
            run.values,
            name=run.label,
            color=F.METHOD_COLORS[run.method],
            mode="lines+markers",
            width=2.5,
            hover="%{y:.3f}",
        )
        within = next((s for s, v in zip(run.eval_steps, run.values, strict=True) if v <= threshold), None)
        results.append(
            LanguageTuneResult(run.method, run.label, run.steps, run.values[0], run.values[-1], within)
        )
    fig.add_hline(y=inside, line_dash="dot", line_color=F.MUTED)
    fig.add_hline(
        y=threshold,
        line_dash="dash",
        line_color=F.MUTED,
        annotation_text=f"within {tolerance:.0%} of the in-window {inside:.2f}",
        annotation_position="top right",
    )
    last = runs[-1]
    F.base_layout(
        fig,
        title=f"Your runs, scored on {play_title(last.score_play)}",
        x_title="fine-tune step",
        y_title=f"bits/char at T = {last.length}",
    )
    longest = max(r.steps for r in results)
    peers = [r for r in results if r.steps == longest]
    ranked = sorted(peers, key=lambda r: r.final) if len(peers) > 1 else []
    return LanguageTuneView(
        fig,
        inside,
        tolerance,
        tuple(results),
        ranked[-1] if ranked else None,
        ranked[0] if ranked else None,
        _first_within(peers, tolerance) if ranked else "",
    )


def _first_within(runs: list[LanguageTuneResult], tolerance: float) -> str:
    """Which runs came within ``tolerance`` of the in-window score first, and which never did."""
    reached = {r.label: r.within_at for r in runs if r.within_at is not None}
    never = [r.label for r in runs if r.within_at is None]
    parts = []
    if reached:
        first = min(reached.values())
        names = " and ".join(label for label, step in reached.items() if step == first)
        parts.append(f"First within {tolerance:.0%} of the in-window score: {names} (step {first}).")
    if never:
        parts.append(f"Never within it in {runs[0].steps} steps: {', '.join(never)}.")
    return " ".join(parts)


def published_pi_figure() -> go.Figure:
    """PI's Table 3: LLaMA 7B perplexity on PG19 against fine-tune steps (published, not measured)."""
    table = published()["pi_table3"]
    fig = go.Figure()
    for (name, values), color in zip(table["rows"].items(), ("#1f77b4", "#0b4f80"), strict=False):
        F.add_line(fig, table["steps"], values, name=f"PI, {name}", color=color, mode="lines+markers")
    F.base_layout(
        fig,
        title="Paper: PI Table 3, LLaMA 7B",
        x_title="fine-tune step",
        y_title="perplexity (PG19)",
        log_y=True,
        height=380,
    )
    return fig


def published_yarn_figure() -> go.Figure:
    """YaRN's Table 1: Llama 2 7B extended to 8k, Proof-pile perplexity against evaluation length."""
    table = published()["yarn_table1"]
    colors = {"PI s=2": F.METHOD_COLORS["linear"], "NTK theta=20k": F.METHOD_COLORS["ntk"]}
    fig = go.Figure()
    for name, values in table["rows"].items():
        F.add_line(
            fig,
            table["context"],
            values,
            name=name,
            color=colors.get(name, F.METHOD_COLORS["yarn"]),
            mode="lines+markers",
        )
    F.shade_window(fig, 0, 4096, "trained (4,096)")
    F.base_layout(
        fig,
        title="Paper: YaRN Table 1, Llama 2 7B",
        x_title="evaluation length (tokens)",
        y_title="perplexity (Proof-pile)",
        height=380,
    )
    return fig


@dataclass(frozen=True)
class LanguageNumbers:
    """The numbers the demo's text quotes, means over seeds (ranges where said): in-window bits/char;
    zero-shot at 2L / 4L / 8L per method; fine-tuned at 4L per method; steps to within 5% per
    method and seed (None: not within the run); the targets of the issue, met or not."""

    in_window: float
    in_window_range: tuple[float, float]
    zero: dict[str, tuple[float, float, float]]
    tuned: dict[str, float]
    steps_to_within: dict[str, tuple[int | None, ...]]
    steps_run: int
    seeds: tuple[int, ...]
    targets: dict[str, bool]


def language_numbers(results) -> LanguageNumbers:
    L = results.train_length
    inside = results.in_window
    zero = {
        key: tuple(float(results.at(run, m * L).mean()) for m in (2, 4, 8))
        for key, run in results.zero_shot.items()
    }
    tuned = {key: float(results.at(t.tuned, 4 * L).mean()) for key, t in results.finetune.items()}
    within = {key: t.steps_to_within for key, t in results.finetune.items()}
    base = float(inside.mean())

    def steps(v):
        return math.inf if v is None else v

    targets = {
        "plain RoPE at 4L at least 1.5x the in-window bits/char": zero["none"][1] >= 1.5 * base,
        "PI zero-shot worse than NTK and YaRN at 2L": zero["linear"][0]
        > max(zero["ntk"][0], zero["yarn"][0]),
        "YaRN zero-shot at 4L within 25% of in-window": zero["yarn"][1] <= 1.25 * base,
        "after the fine-tune every scaled method within 10% of in-window at 4L": all(
            tuned[k] <= 1.10 * base for k in ("linear", "ntk", "yarn")
        ),
        "YaRN in no more steps than PI in every seed": all(
            steps(y) <= steps(p) for y, p in zip(within["yarn"], within["linear"], strict=True)
        ),
    }
    return LanguageNumbers(
        in_window=base,
        in_window_range=(float(inside.min()), float(inside.max())),
        zero=zero,
        tuned=tuned,
        steps_to_within=within,
        steps_run=int(results.settings["finetune_schedule"]["steps"]),
        seeds=results.seeds,
        targets=targets,
    )


def per_seed(values: tuple[int | None, ...], seeds: tuple[int, ...], steps_run: int) -> str:
    """(40, None, 60) -> "seed 0: 40, seed 1: not within 100, seed 2: 60"."""
    return ", ".join(
        f"seed {seed}: " + (f"not within {steps_run}" if v is None else f"{v}")
        for seed, v in zip(seeds, values, strict=True)
    )


def mean_steps(values: tuple[int | None, ...], steps_run: int) -> float:
    """Mean steps to recover over seeds, a seed that never did counted as one step past the run."""
    return float(np.mean([steps_run + 1 if v is None else v for v in values]))
