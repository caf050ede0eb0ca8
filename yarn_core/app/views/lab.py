"""The lab page: a tiny RoPE transformer (``yarn_core.lab``) that fails past its training length L,
is rescued (partly) by scaling its rotations, and recovers with a short fine-tune.

Plain values in; figures, table rows and small dicts of numbers out. Shipped numbers come from
``assets/lab/results.json`` (every seed); live numbers from the shipped seed-0 checkpoints.
Everything that touches the model imports ``yarn_core.lab`` (and with it torch) on first use, inside
the function: importing this module stays torch-free, as the lesson pages' import check requires.
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ...hf_config import rope_from_hf_config
from ...rope import inverse_frequencies, rotations_within
from ...scaling import METHODS, RopeSetting, correction_dim, get_mscale, scale_rope
from .. import figures as F
from ..assets import ASSETS

TASKS = ("passkey", "copy")
TASK_LABELS = {"passkey": "Passkey retrieval", "copy": "Copy (induction)"}
LIVE_METHODS = ("linear", "ntk", "ntk_by_parts", "yarn", "dynamic_ntk", "dynamic_yarn")
RAMP_METHODS = ("ntk_by_parts", "yarn", "dynamic_yarn")
TEMPERATURE_METHODS = ("yarn", "dynamic_yarn")
SCALE_MODES = ("matched", "fixed")  # s = T / L at every length, or s = the fine-tune scale throughout
PRECISIONS = {"quick": "quick (few sequences)", "full": "full (as many as the shipped results)"}
LENGTH_COLORS = ("#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#9b5de5")
VARIANT_DASH = {"yarn_paper_beta32": "dot", "yarn_paper_beta8": "dash"}
ATTENTION_CELLS = 64  # attention maps are pooled to at most this many cells a side
ATTENTION_FLOOR = 1e-3  # weights below this are drawn as "no attention" (log10 = -3)
LIVE_SEED = 0  # the shipped checkpoints are seed 0's


LIVE_SLOTS = threading.BoundedSemaphore(1)  # one live torch job at a time: the other core serves the pages
LIVE_WAIT_S = 240


@contextlib.contextmanager
def live_slot():
    """Run live model work one job at a time across all sessions; a reader whose job would wait
    longer than LIVE_WAIT_S gets a LabError asking to retry, instead of a stalled page."""
    if not LIVE_SLOTS.acquire(timeout=LIVE_WAIT_S):
        raise lab_error()(
            f"The lab is busy with other readers' runs (waited {LIVE_WAIT_S} s); please try again in a minute."
        )
    try:
        yield
    finally:
        LIVE_SLOTS.release()


def _lab():
    """``yarn_core.lab``, imported on first use (it imports torch and caps it at one thread)."""
    from ... import lab

    return lab


def lab_error() -> type[Exception]:
    """The error type the lab raises for anything a reader can cause or fix."""
    return _lab().LabError


def results() -> dict:
    return _lab().load_results()


def _higher_is_better(task: str) -> bool:
    from ...lab.train import higher_is_better

    return higher_is_better(task)


def _settings() -> dict:
    return results()["settings"]


def variant_label(variant: str) -> str:
    return results()["variants"][variant]["label"]


def variant_color(variant: str) -> str:
    return F.METHOD_COLORS[results()["variants"][variant]["scaling"]["method"]]


def _legend_below(fig: go.Figure) -> go.Figure:
    """For a half-width chart: the legend under the plot, where it cannot run into the title."""
    return fig.update_layout(
        height=460, legend={"orientation": "h", "yanchor": "top", "y": -0.28, "xanchor": "left", "x": 0}
    )


def length_label(length: int, trained: int) -> str:
    """128 -> "128 (2x)"."""
    return f"{length} ({length // trained}x)"


def _metric_key(task: str) -> str:
    return "by_length" if task == "passkey" else "nll_by_length"


def metric_title(task: str) -> str:
    return (
        "passkey accuracy (share of keys exactly right)"
        if task == "passkey"
        else "loss on copied tokens (nats)"
    )


# ----------------------------------------------------------------------------------------------
# What the page says about its model


def lab_facts() -> tuple[dict, list[str]]:
    """The tiny model's shape (from the shipped base checkpoints), its tasks' vocabularies and the
    shipped settings; plus one message per shipped base checkpoint that could not be read."""
    lab = _lab()
    settings = _settings()
    shapes, errors = {}, []
    for task in TASKS:
        try:
            shapes[task] = lab.load_shipped(task).config
        except lab.LabError as err:
            errors.append(str(err))
    vocab = {task: lab.get_task(task).vocab_size for task in TASKS}
    facts = {
        "train_length": settings["train_length"],
        "lengths": settings["lengths"],
        "seeds": settings["seeds"],
        "samples": settings["samples"],
        "targets": settings["targets"],
        "finetune_factor": settings["finetune_factor"],
        "curve_every": settings["curve_every"],
        "curve_samples": settings["curve_samples"],
        "finetune_steps": settings["finetune_schedule"]["steps"],
        "finetune_lr": settings["finetune_schedule"]["lr"],
        "base_steps": {task: schedule["steps"] for task, schedule in settings["base_schedules"].items()},
        "base_seconds": {
            task: [record["seconds"] for record in results()["base"][task]["records"]] for task in TASKS
        },
        "page_samples": dict(lab.PAGE_SAMPLES),
        "vocab": vocab,
        "uniform_loss": {task: math.log(v) for task, v in vocab.items()},
    }
    if shapes:
        config = next(iter(shapes.values()))
        turns = rotations_within(config.train_length, inverse_frequencies(config.head_dim, config.rope_base))
        facts.update(
            head_dim=config.head_dim,
            n_layer=config.n_layer,
            n_head=config.n_head,
            n_embd=config.n_embd,
            rope_base=config.rope_base,
            max_turns=float(turns[0]),
        )
    return facts, errors


# ----------------------------------------------------------------------------------------------
# The shipped results


def _sweeps(section: str, task: str, variant: str) -> list[dict]:
    """The shipped sweeps, one per seed: zero-shot ("zero_shot") or after fine-tuning ("finetune")."""
    return results()[section][task][variant]["sweeps" if section == "zero_shot" else "final"]


def _stack(sweeps: list[dict], key: str) -> np.ndarray:
    return _lab().stack(sweeps, key)


def seed_sweep(task: str, variant: str) -> dict:
    """The shipped zero-shot sweep of the seed-0 base model (the model live evaluation uses)."""
    entry = results()["zero_shot"][task][variant]
    return entry["sweeps"][entry["seeds"].index(LIVE_SEED)]


def passkey_mean_grid(variant: str) -> np.ndarray:
    """Zero-shot passkey accuracy, mean over the shipped seeds, (lengths, depths)."""
    return _stack(_sweeps("zero_shot", "passkey", variant), "accuracy").mean(axis=0)


def copy_mean_profile(variant: str) -> tuple[list[list[float]], np.ndarray]:
    """Zero-shot copy loss by position: bin edges per length, and the mean over seeds (lengths, bins),
    NaN where a bin has no copied token."""
    sweeps = _sweeps("zero_shot", "copy", variant)
    nll = _stack(sweeps, "nll_by_position")
    counts = np.isfinite(nll).sum(axis=0)
    mean = np.where(counts > 0, np.nansum(nll, axis=0) / np.maximum(counts, 1), np.nan)
    return sweeps[0]["position_edges"], mean


def failure_view() -> dict:
    """Plain RoPE zero-shot, mean over the shipped seeds: the passkey heatmap, the copy loss by
    position, the metric per length, and the copy loss past L at s L tokens (s = fine-tune scale)."""
    settings = _settings()
    L, lengths = settings["train_length"], settings["lengths"]
    seeds = ", ".join(map(str, settings["seeds"]))
    heatmap = passkey_heatmap(
        passkey_mean_grid("none"),
        lengths,
        settings["depths"],
        L,
        f"Passkey accuracy, plain RoPE (mean of seeds {seeds})",
    )
    edges, nll = copy_mean_profile("none")
    profile = profile_figure(
        edges,
        nll,
        lengths,
        L,
        _lab().get_task("copy").vocab_size,
        f"Copy loss by position, plain RoPE (mean of seeds {seeds})",
    )
    row = lengths.index(settings["finetune_factor"] * L)
    past = np.asarray(edges[row][:-1]) >= L
    return {
        "heatmap": heatmap,
        "profile": profile,
        "passkey": by_length("passkey", "none")["mean"].tolist(),
        "copy": by_length("copy", "none")["mean"].tolist(),
        "copy_past": float(np.nanmean(nll[row][past])),
    }


def by_length(task: str, variant: str, section: str = "zero_shot") -> dict:
    """The task metric per evaluation length over the shipped seeds: per seed, mean, min, max."""
    values = _stack(_sweeps(section, task, variant), _metric_key(task))
    return {
        "lengths": _settings()["lengths"],
        "seeds": _settings()["seeds"],
        "values": values,
        "mean": values.mean(axis=0),
        "low": values.min(axis=0),
        "high": values.max(axis=0),
    }


def length_columns() -> list[str]:
    L = _settings()["train_length"]
    return [length_label(T, L) for T in _settings()["lengths"]]


def zero_shot_rows(task: str) -> list[dict]:
    """One row per shipped variant: the mean over seeds at each length, and the range over seeds."""
    rows = []
    for variant in results()["zero_shot"][task]:
        stats = by_length(task, variant)
        row = {"method": variant_label(variant)}
        row.update({column: float(m) for column, m in zip(length_columns(), stats["mean"])})
        row["range over seeds (2x / 4x / 8x)"] = " / ".join(
            f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(stats["low"][1:], stats["high"][1:])
        )
        rows.append(row)
    return rows


def zero_shot_seed_rows(task: str) -> list[dict]:
    """One row per (variant, seed): every shipped zero-shot number."""
    rows = []
    for variant in results()["zero_shot"][task]:
        stats = by_length(task, variant)
        for seed, values in zip(stats["seeds"], stats["values"]):
            rows.append(
                {
                    "method": variant_label(variant),
                    "seed": seed,
                    **{column: float(v) for column, v in zip(length_columns(), values)},
                }
            )
    return rows


def zero_shot_facts(task: str) -> dict:
    """Mean over seeds per variant and length, and where Position Interpolation does worse than
    doing nothing (plain RoPE) zero-shot."""
    L = _settings()["train_length"]
    means = {v: by_length(task, v)["mean"] for v in results()["zero_shot"][task]}
    lengths = _settings()["lengths"]
    better = _higher_is_better(task)
    pi_loses = [
        {"length": length_label(T, L), "pi": float(pi), "plain": float(plain)}
        for T, pi, plain in zip(lengths, means["linear"], means["none"])
        if T > L and (pi < plain if better else pi > plain)
    ]
    best = {}
    for j, T in enumerate(lengths[1:], start=1):
        winner = max(means, key=lambda v: means[v][j] if better else -means[v][j])
        best[length_label(T, L)] = {"label": variant_label(winner), "value": float(means[winner][j])}
    return {
        "mean": {v: [float(x) for x in m] for v, m in means.items()},
        "pi_loses_at": pi_loses,
        "best": best,
        "lengths": lengths,
    }


def spread_figure(task: str) -> go.Figure:
    """Zero-shot metric versus evaluation length for every shipped variant: mean over seeds, error
    bars from min to max."""
    L = _settings()["train_length"]
    fig = go.Figure()
    for variant in results()["zero_shot"][task]:
        stats = by_length(task, variant)
        fig.add_trace(
            go.Scatter(
                x=stats["lengths"],
                y=stats["mean"],
                name=variant_label(variant),
                mode="lines+markers",
                line={
                    "color": variant_color(variant),
                    "dash": VARIANT_DASH.get(variant, "solid"),
                    "width": 2,
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": stats["high"] - stats["mean"],
                    "arrayminus": stats["mean"] - stats["low"],
                    "width": 4,
                    "thickness": 1,
                },
                hovertemplate=f"{variant_label(variant)}: %{{y:.3g}}<extra></extra>",
            )
        )
    F.mark_x(fig, L, f"trained length L = {L}")
    seeds = ", ".join(map(str, _settings()["seeds"]))
    F.base_layout(
        fig,
        title=f"Zero-shot {task}: mean of seeds {seeds}, bars min to max",
        x_title="evaluation length T (tokens)",
        y_title=metric_title(task),
        log_x=True,
        log_y=task == "copy",
    )
    fig.update_xaxes(tickvals=_settings()["lengths"])
    return _legend_below(fig)


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


def profile_figure(edges: list[list[float]], nll, lengths, trained: int, vocab: int, title: str) -> go.Figure:
    """Copy loss by position of the predicted token, one line per evaluation length; the
    positions seen in training shaded, and ln V (uniform guessing) marked."""
    fig = go.Figure()
    for i, (length, row) in enumerate(zip(lengths, np.asarray(nll, dtype=float))):
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
# Scaling without training: one setting, shipped or live


@lru_cache(maxsize=1)
def _tempered_scaling():
    """``Scaling`` with an adjustable temperature strength m: sqrt(1/t) = 0.1 m ln s + 1 (m = 1
    is YaRN's; 0 removes it). Built on first use, since ``Scaling`` lives in the torch package."""
    lab = _lab()

    @dataclass(frozen=True)
    class TemperedScaling(lab.Scaling):
        mscale: float = 1.0

        def __post_init__(self):
            if not isinstance(self.mscale, (int, float)) or not math.isfinite(self.mscale) or self.mscale < 0:
                raise lab.LabError(
                    f"the temperature strength must be a finite number >= 0, got {self.mscale!r}"
                )
            super().__post_init__()

        def rope(self, config, seq_len):
            rope = super().rope(config, seq_len)
            if self.method in TEMPERATURE_METHODS and self.temperature:
                return replace(rope, attention_factor=get_mscale(rope.effective_factor, self.mscale))
            return rope

    return TemperedScaling


def setting_scaling(method: str, alpha: float, beta: float, ramp: str, mscale: float, mode: str):
    """The lab Scaling for a page setting. Dynamic methods read s from the length (factor 1);
    in "fixed" mode the static ones use the fine-tune scale, in "matched" mode ``sweep`` sets
    s = T / L per length."""
    lab = _lab()
    fixed = mode == "fixed" and not METHODS[method].dynamic
    factor = float(_settings()["finetune_factor"]) if fixed else 1.0
    options = {"factor": factor, "beta_fast": float(beta), "beta_slow": float(alpha), "ramp": ramp}
    if method in TEMPERATURE_METHODS and mscale != 1.0:
        return _tempered_scaling()(method, mscale=float(mscale), **options)
    return lab.Scaling(method, **options)


def _rotations(config, scaling, match: bool) -> list[tuple[np.ndarray, float]]:
    """theta'_i and the attention factor the model rotates with at every shipped evaluation length
    (``match``: s = T / L per length, as ``sweep`` sets it)."""
    lab = _lab()
    out = []
    for length in _settings()["lengths"]:
        rope = (lab.matched(scaling, config, length) if match else scaling).rope(config, length)
        out.append((rope.inv_freq, rope.attention_factor))
    return out


def equivalent_variant(task: str, scaling, match: bool) -> str | None:
    """The shipped zero-shot variant that rotates exactly like ``scaling`` at every evaluation
    length (same theta'_i and attention factor), if any: its shipped numbers are this setting's.
    (At s = T / L a dynamic method is its static one; beta above every pair's turns is clamped.)"""
    lab = _lab()
    config = lab.load_shipped(task).config
    mine = _rotations(config, scaling, match)
    for name in results()["zero_shot"][task]:
        theirs = _rotations(config, lab.VARIANTS[name][1], match=True)
        if all(
            np.allclose(a, b, rtol=1e-12, atol=0) and math.isclose(fa, fb, rel_tol=1e-12)
            for (a, fa), (b, fb) in zip(mine, theirs)
        ):
            return name
    return None


def setting_sweep(
    task: str, method: str, alpha: float, beta: float, ramp: str, mscale: float, mode: str, precision: str
) -> dict:
    """The sweep the page draws for one setting: the shipped seed-0 sweep when the setting rotates
    exactly like a shipped variant, else a live evaluation of the shipped seed-0 model with
    ``precision``'s samples. Returns {"sweep", "source" ("shipped" or "live"), "variant", "samples", "seconds"}."""
    lab = _lab()
    scaling = setting_scaling(method, alpha, beta, ramp, mscale, mode)
    match = mode == "matched"
    variant = equivalent_variant(task, scaling, match)
    full = _settings()["samples"][task]
    if variant is not None:
        return {
            "sweep": seed_sweep(task, variant),
            "source": "shipped",
            "variant": variant,
            "samples": full,
            "seconds": 0.0,
        }
    samples = full if precision == "full" else lab.PAGE_SAMPLES[task]
    start = time.perf_counter()
    with live_slot():
        sweep = lab.sweep(
            lab.load_shipped(task),
            scaling,
            lengths=_settings()["lengths"],
            depths=tuple(_settings()["depths"]),
            samples=samples,
            seed=_settings()["eval_seed"],
            match=match,
        )
    return {
        "sweep": sweep,
        "source": "live",
        "variant": None,
        "samples": samples,
        "seconds": round(time.perf_counter() - start, 2),
    }


def sweep_figures(
    passkey: dict, copy: dict, trained: int, vocab: int, name: str
) -> tuple[go.Figure, go.Figure]:
    """The failure views (passkey heatmap, copy loss by position) of one setting's sweeps."""
    heat = passkey_heatmap(
        passkey["accuracy"], passkey["lengths"], passkey["depths"], trained, f"Passkey accuracy, {name}"
    )
    nll = [[np.nan if v is None else v for v in row] for row in copy["nll_by_position"]]
    profile = profile_figure(
        copy["position_edges"], nll, copy["lengths"], trained, vocab, f"Copy loss by position, {name}"
    )
    return heat, profile


def gamma_figure(
    head_dim: int,
    base: float,
    trained: int,
    scale: float,
    method: str,
    alpha: float,
    beta: float,
    ramp: str,
    mscale: float,
) -> tuple[go.Figure, dict]:
    """Per pair i: gamma_i = 1 - f_i, the share of its trained frequency a pair keeps at scale s
    (theta'_i = theta_i ((1 - f_i) + f_i / s)); gamma is the ramp itself for the by-parts methods.
    Hover gives r_i = L / lambda_i, the turns pair i makes inside L."""
    setting = RopeSetting(
        dim=head_dim,
        base=base,
        original_length=trained,
        factor=scale,
        seq_len=int(round(scale * trained)),
        beta_fast=beta,
        beta_slow=alpha,
        ramp=ramp,
    )
    rope = scale_rope(method, setting)
    gamma = 1.0 - rope.interpolated
    turns = rotations_within(trained, rope.base_inv_freq)
    pairs = np.arange(head_dim // 2)
    regime = np.where(gamma >= 1 - 1e-12, "kept", np.where(gamma <= 1e-12, "interpolated", "blended"))
    fig = go.Figure(
        go.Scatter(
            x=pairs,
            y=gamma,
            customdata=turns,
            name="gamma_i",
            mode="lines+markers",
            line={"color": F.MUTED, "width": 1},
            marker={"color": [F.REGIME_COLORS[r] for r in regime], "size": 11},
            hovertemplate="pair %{x}: gamma = %{y:.3f}, turns inside L = %{customdata:.3g}<extra></extra>",
        )
    )
    if method in RAMP_METHODS:
        for turns_at, label in ((beta, f"r = beta = {beta:g}"), (alpha, f"r = alpha = {alpha:g}")):
            where = correction_dim(turns_at, head_dim, base, trained)
            if 0 <= where <= head_dim // 2 - 1:
                F.mark_x(fig, where, label)
    F.base_layout(
        fig,
        title=f"Which pairs {METHODS[method].label} keeps (gamma = 1) or interpolates (gamma = 0) at s = {scale:g}",
        x_title="pair index i (0 = fastest)",
        y_title="gamma_i (1 = kept as trained)",
    )
    fig.update_yaxes(range=[-0.05, 1.05])
    fig.update_layout(hovermode="closest", showlegend=False)
    temperature = method in TEMPERATURE_METHODS
    factor = get_mscale(scale, mscale) if temperature else rope.attention_factor
    facts = {
        "kept": int((regime == "kept").sum()),
        "blended": int((regime == "blended").sum()),
        "interpolated": int((regime == "interpolated").sum()),
        "pairs": int(head_dim // 2),
        "max_turns": float(turns[0]),
        "attention_factor": float(factor),
        "logit_multiplier": float(factor**2),
        "temperature": temperature,
    }
    return fig, facts


# ----------------------------------------------------------------------------------------------
# The trap: at small L, beta = 32 interpolates every pair


def trap_figure(head_dim: int, base: float, trained: int) -> tuple[go.Figure, dict]:
    """gamma per pair for the shipped YaRN variants (paper ramp beta 32, paper ramp beta 8, code
    ramp beta 8) and PI (gamma = 0). No pair turns more than L / (2 pi) times inside L, so with
    beta above that the paper's ramp gamma(r) = (r - alpha) / (beta - alpha) never reaches 1."""
    scale = float(_settings()["finetune_factor"])
    fig = go.Figure()
    facts = {
        "max_turns": float(rotations_within(trained, inverse_frequencies(head_dim, base))[0]),
        "variants": {},
    }
    for variant in ("yarn_paper_beta32", "yarn_paper_beta8", "yarn", "linear"):
        s = results()["variants"][variant]["scaling"]
        setting = RopeSetting(
            dim=head_dim,
            base=base,
            original_length=trained,
            factor=scale,
            beta_fast=s["beta_fast"],
            beta_slow=s["beta_slow"],
            ramp=s["ramp"],
        )
        gamma = 1.0 - scale_rope(s["method"], setting).interpolated
        F.add_line(
            fig,
            np.arange(head_dim // 2),
            gamma,
            name=variant_label(variant),
            color=variant_color(variant),
            dash=VARIANT_DASH.get(variant),
            mode="lines+markers",
            hover="%{y:.3f}",
        )
        facts["variants"][variant] = {
            "max_gamma": float(gamma.max()),
            "kept": int((gamma >= 1 - 1e-12).sum()),
            "interpolated": int((gamma <= 1e-12).sum()),
            "beta": s["beta_fast"],
        }
    F.base_layout(
        fig,
        title=f"The trap at L = {trained}: with beta = 32 no pair is kept",
        x_title="pair index i (0 = fastest)",
        y_title="gamma_i (1 = kept as trained)",
    )
    fig.update_yaxes(range=[-0.03, 1.05])
    code32 = RopeSetting(dim=head_dim, base=base, original_length=trained, factor=scale, beta_fast=32.0)
    facts["code_beta32_kept"] = int((1.0 - scale_rope("yarn", code32).interpolated >= 1 - 1e-12).sum())
    llama = rope_from_hf_config(json.loads((ASSETS / "configs" / "llama2_7b.json").read_text())["config"])
    facts["llama_length"] = llama.original_length
    facts["llama_turns"] = float(rotations_within(llama.original_length, llama.base_inv_freq)[0])
    facts["results"] = {
        task: {
            v: by_length(task, v)["mean"].tolist()
            for v in ("none", "linear", "yarn_paper_beta32", "yarn_paper_beta8", "yarn")
        }
        for task in TASKS
    }
    return fig, facts


# ----------------------------------------------------------------------------------------------
# Recovery: fine-tune curves


def finetuned_variants() -> tuple[str, ...]:
    return tuple(results()["finetune"]["passkey"])


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def recovery_figure(task: str, runs: tuple[dict, ...] = ()) -> go.Figure:
    """Metric versus fine-tune step at s = 4 for each method: the mean of the shipped seeds and a
    band from their min to their max; the recovery target; and the reader's own runs, dashed."""
    lab = _lab()
    target = _settings()["targets"][task]
    seeds = ", ".join(map(str, _settings()["seeds"]))
    fig = go.Figure()
    for variant in finetuned_variants():
        curves = lab.finetune_curves(task, variant, results())
        color, steps = variant_color(variant), curves.steps.astype(float)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([steps, steps[::-1]]),
                y=np.concatenate([curves.high, curves.low[::-1]]),
                fill="toself",
                fillcolor=_rgba(color, 0.15),
                line={"width": 0},
                hoverinfo="skip",
                showlegend=False,
                name=f"{variant_label(variant)} (min to max)",
            )
        )
        F.add_line(fig, steps, curves.mean, name=variant_label(variant), color=color, hover="%{y:.3f}")
    for run in runs:
        F.add_line(
            fig,
            run["steps"],
            run["values"],
            name=run["label"],
            color=variant_color(run["variant"]),
            dash="dash",
            mode="lines+markers",
            hover="%{y:.3f}",
        )
    fig.add_hline(
        y=target,
        line_dash="dot",
        line_color=F.MUTED,
        annotation_text=f"target {target:g}",
        annotation_position="top left",
    )
    T = _settings()["finetune_factor"] * _settings()["train_length"]
    F.base_layout(
        fig,
        title=f"Recovery at {T} tokens (s = {_settings()['finetune_factor']}): mean of seeds {seeds}, band min to max",
        x_title="fine-tune step",
        y_title=metric_title(task),
        log_y=task == "copy",
        height=440,
    )
    return fig.update_layout(margin={"t": 90})


def recovery_facts(task: str) -> dict:
    """Per fine-tuned variant: steps to the target per seed (None: not within the run), the last
    step of the shipped runs, and the seconds one run took (mean over seeds)."""
    lab = _lab()
    out = {}
    for variant in finetuned_variants():
        curves = lab.finetune_curves(task, variant, results())
        entry = results()["finetune"][task][variant]
        out[variant] = {
            "label": variant_label(variant),
            "steps_to_target": list(curves.steps_to_target),
            "last_step": int(curves.steps[-1]),
            "seconds": float(np.mean(entry["seconds"])),
        }
    return out


def finetune_rows(task: str) -> list[dict]:
    """After fine-tuning at s = 4: the metric at every length with s kept at 4 (mean over seeds),
    the range over seeds at the longest length, and the steps each seed needed to reach the target."""
    rows = []
    columns = length_columns()
    for variant in finetuned_variants():
        stats = by_length(task, variant, section="finetune")
        reached = results()["finetune"][task][variant]["steps_to_target"]
        rows.append(
            {
                "method": variant_label(variant),
                "steps to target (per seed)": ", ".join(
                    "not reached" if r is None else str(r) for r in reached
                ),
                **{column: float(m) for column, m in zip(columns, stats["mean"])},
                f"range at {columns[-1]}": f"{stats['low'][-1]:.2f}-{stats['high'][-1]:.2f}",
            }
        )
    return rows


def finetune_facts(task: str) -> dict:
    """Mean over seeds at the fine-tune length and at the longest length, after fine-tuning at s = 4,
    and whether every method does worse at the longest length than at the fine-tune length."""
    L, factor = _settings()["train_length"], _settings()["finetune_factor"]
    lengths = _settings()["lengths"]
    at = lengths.index(factor * L)
    out = {"tuned_length": factor * L, "longest": lengths[-1], "variants": {}}
    for variant in finetuned_variants():
        stats = by_length(task, variant, section="finetune")
        out["variants"][variant] = {
            "label": variant_label(variant),
            "at_tuned": float(stats["mean"][at]),
            "at_longest": float(stats["mean"][-1]),
            "longest_high": float(stats["high"][-1]),
        }
    better = _higher_is_better(task)
    out["all_worse"] = all(
        (v["at_longest"] < v["at_tuned"]) if better else (v["at_longest"] > v["at_tuned"])
        for v in out["variants"].values()
    )
    return out


def rescaled_longest(task: str) -> dict:
    """Live, on the shipped seed-0 fine-tuned models: the metric at the longest length with the
    scale raised to s = T / L, next to the shipped seed-0 number at s = 4 (same sequences and
    sample count). Plain RoPE has no scale to raise."""
    lab = _lab()
    longest = _settings()["lengths"][-1]
    samples = _settings()["samples"][task]
    out = {"length": longest, "scale": longest / _settings()["train_length"], "variants": {}}
    for variant in finetuned_variants():
        tuned = lab.load_shipped(task, variant)
        with live_slot():
            live = lab.sweep(
                tuned,
                tuned.scaling,
                lengths=[longest],
                depths=tuple(_settings()["depths"]),
                samples=samples,
                seed=_settings()["eval_seed"],
                match=True,
            )
        entry = results()["finetune"][task][variant]
        shipped = entry["final"][entry["seeds"].index(LIVE_SEED)][_metric_key(task)][-1]
        out["variants"][variant] = {
            "label": variant_label(variant),
            "fixed": float(shipped),
            "rescaled": float(live[_metric_key(task)][0]),
        }
    return out


ProgressCallback = Callable[[object], None]


def run_fine_tune(
    task: str, variant: str, steps: int, lr: float, seed: int, on_progress: ProgressCallback | None = None
) -> dict:
    """Fine-tune a private copy of the shipped seed-0 base model at s = 4 with ``variant``'s
    scaling, measuring the metric every 10 steps on the same sequences as the shipped curves.
    Returns plain numbers only (the trained copy is dropped). Raises LabError on divergence."""
    from ...lab.build import steps_to_target

    lab = _lab()
    schedule = replace(
        lab.FINETUNE_SCHEDULE,
        steps=int(steps),
        lr=float(lr),
        warmup=min(lab.FINETUNE_SCHEDULE.warmup, int(steps)),
    )
    with live_slot():
        _, log = lab.fine_tune(
            lab.load_shipped(task),
            lab.finetune_scaling(variant),
            schedule=schedule,
            seed=int(seed),
            eval_every=_settings()["curve_every"],
            eval_samples=_settings()["curve_samples"],
            on_progress=on_progress,
        )
    reached = steps_to_target(
        log.eval_steps, log.eval_values, _settings()["targets"][task], _higher_is_better(task)
    )
    return {
        "task": task,
        "variant": variant,
        "steps": [int(s) for s in log.eval_steps],
        "values": [float(v) for v in log.eval_values],
        "seconds": round(float(log.seconds), 2),
        "lr": float(lr),
        "seed": int(seed),
        "reached": reached,
        "label": f"your run: {variant_label(variant)}, seed {seed}, lr {lr:g}, {steps} steps",
    }


def run_from_scratch(task: str, steps: int, seed: int, on_progress: ProgressCallback | None = None) -> dict:
    """Pre-train a new model at L with plain RoPE (the shipped recipe, ``steps`` long), then
    evaluate it zero-shot with plain RoPE and with YaRN (beta 8) at every length. Plain numbers only."""
    lab = _lab()
    recipe = lab.BASE_SCHEDULES[task]
    schedule = replace(recipe, steps=int(steps), warmup=min(recipe.warmup, int(steps)))
    with live_slot():
        checkpoint, log = lab.train(task, schedule=schedule, seed=int(seed), on_progress=on_progress)
        evaluations = {}
        for variant in ("none", "yarn"):
            sweep = lab.sweep(
                checkpoint,
                lab.VARIANTS[variant][1],
                lengths=_settings()["lengths"],
                depths=tuple(_settings()["depths"]),
                samples=lab.PAGE_SAMPLES[task],
                seed=_settings()["eval_seed"],
                match=True,
            )
            evaluations[variant] = [float(v) for v in sweep[_metric_key(task)]]
    losses = np.asarray(log.losses, dtype=float)
    every = _settings()["curve_every"]
    chunks = len(losses) // every
    return {
        "task": task,
        "seed": int(seed),
        "steps": int(steps),
        "seconds": round(float(log.seconds), 2),
        "loss_steps": [every * (i + 1) for i in range(chunks)],
        "loss": losses[: chunks * every].reshape(chunks, every).mean(axis=1).tolist(),
        "lengths": list(_settings()["lengths"]),
        "samples": int(lab.PAGE_SAMPLES[task]),
        **evaluations,
    }


def scratch_figure(run: dict) -> go.Figure:
    """Training loss (mean of every 10 steps) of the reader's run against the shipped seeds."""
    task = run["task"]
    shipped = results()["base"][task]
    every = _settings()["curve_every"]
    fig = go.Figure()
    for seed, losses in zip(shipped["seeds"], shipped["loss_every_10"]):
        F.add_line(
            fig,
            every * np.arange(1, len(losses) + 1),
            losses,
            name=f"shipped seed {seed}",
            color=F.MUTED,
            width=1,
            hover="%{y:.3f}",
        )
    F.add_line(
        fig,
        run["loss_steps"],
        run["loss"],
        name=f"your run (seed {run['seed']})",
        color=F.METHOD_COLORS["yarn"],
        dash="dash",
        width=3,
        hover="%{y:.3f}",
    )
    return F.base_layout(
        fig,
        title=f"Pre-training the {task} model from scratch at L = {_settings()['train_length']}",
        x_title="training step",
        y_title="training loss (nats, mean of 10 steps)",
        log_y=True,
    )


def scratch_rows(run: dict) -> list[dict]:
    """The reader's new base model, zero-shot at every length: plain RoPE and YaRN (beta 8)."""
    L = _settings()["train_length"]
    columns = [length_label(T, L) for T in run["lengths"]]
    return [
        {"method": f"{variant_label(v)} ({run['samples']} sequences per cell)", **dict(zip(columns, run[v]))}
        for v in ("none", "yarn")
    ]


# ----------------------------------------------------------------------------------------------
# Why: attention maps and entropy


def _pool(weights: np.ndarray, cells: int) -> tuple[np.ndarray, int]:
    """Attention (T, T) pooled to at most ``cells`` a side: each cell is the mean over its queries
    of the weight they put on its keys (rows still sum to 1)."""
    T = weights.shape[0]
    k = max(1, math.ceil(T / cells))
    n = T // k
    w = weights[: n * k, : n * k].reshape(n, k, n, k)
    return w.sum(axis=3).mean(axis=1), k


def attention_numbers(task: str, layer: int, head: int) -> dict:
    """One head of the shipped seed-0 base model on one seeded sequence, at L and at s L tokens
    (s = fine-tune scale), with plain RoPE and with YaRN set for s (beta 8): each map pooled and as
    log10 of the weight, the entropy H_m = -sum_n p_mn ln p_mn of every query, and its means
    inside and past L. Plain arrays, so the result can be cached."""
    lab = _lab()
    checkpoint = lab.load_shipped(task)
    L, factor = checkpoint.config.train_length, _settings()["finetune_factor"]
    scalings = {"Plain RoPE": lab.Scaling(), f"YaRN (s = {factor})": lab.finetune_scaling("yarn")}
    panels = []
    for name, scaling in scalings.items():
        for T in (L, factor * L):
            view = lab.attention_view(checkpoint, scaling, T, layer=layer, head=head, seed=LIVE_SEED)
            pooled, k = _pool(view.weights, ATTENTION_CELLS)
            log_weight = np.log10(np.clip(np.nan_to_num(pooled, nan=0.0), ATTENTION_FLOOR, 1.0))
            panels.append(
                {
                    "name": name,
                    "length": T,
                    "positions": k * np.arange(pooled.shape[0]),
                    "log_weight": np.round(log_weight, 2).astype(np.float32),
                    "entropy": view.entropy,
                }
            )
    by = {(p["name"], p["length"]): p["entropy"] for p in panels}
    plain, yarn = scalings
    return {
        "panels": panels,
        "L": L,
        "long": factor * L,
        "factor": factor,
        "layer": layer,
        "head": head,
        "task": task,
        "plain_inside_1x": float(by[plain, L].mean()),
        "plain_inside": float(by[plain, factor * L][:L].mean()),
        "plain_past": float(by[plain, factor * L][L:].mean()),
        "yarn_inside": float(by[yarn, factor * L][:L].mean()),
        "yarn_past": float(by[yarn, factor * L][L:].mean()),
        "yarn_inside_1x": float(by[yarn, L].mean()),
    }


def attention_figures(numbers: dict) -> tuple[go.Figure, go.Figure]:
    """The four attention maps (log10 weight, queries down, keys across) and the entropy of every
    query at s L tokens (plain RoPE, YaRN) and at L (plain RoPE), with ln(m + 1), a uniform spread
    over the m + 1 visible keys, for reference."""
    L, long_T, layer, head = numbers["L"], numbers["long"], numbers["layer"], numbers["head"]
    panels = numbers["panels"]
    titles = [f"{p['name']} at {length_label(p['length'], L)} tokens" for p in panels]
    maps = make_subplots(
        rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.08, vertical_spacing=0.14
    )
    for i, panel in enumerate(panels):
        maps.add_trace(
            go.Heatmap(
                z=panel["log_weight"],
                x=panel["positions"],
                y=panel["positions"],
                coloraxis="coloraxis",
                name=f"{panel['name']} {panel['length']}",
                hovertemplate="query %{y}, key %{x}: log10 weight %{z:.2f}<extra></extra>",
            ),
            row=i // 2 + 1,
            col=i % 2 + 1,
        )
    maps.update_layout(
        coloraxis={
            "colorscale": "Viridis",
            "cmin": math.log10(ATTENTION_FLOOR),
            "cmax": 0.0,
            "colorbar": {"title": {"text": "log10 weight"}},
        }
    )
    F.base_layout(
        maps,
        title=f"Where layer {layer} head {head} looks ({numbers['task']} model, no fine-tuning)",
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
            np.arange(panel["length"]),
            panel["entropy"],
            name=f"{panel['name']} at {panel['length']} tokens",
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
    return maps, entropy
