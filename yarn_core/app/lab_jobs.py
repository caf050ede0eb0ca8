"""The lab's live side in the app: ``yarn_core.lab`` (and with it torch) imported on first use, live
model jobs in a pool shared by every session (``lab_queue``: cores - 1 at a time, the rest queued),
and one way to run a live action on the page.

Every job returns small frozen values of plain numbers (never a model), so they can be cached
with st.cache_data and kept in session state. ``run_live`` shows a job running (a spinner, or a
status box with a progress bar for training), the reader's place in the queue while the job
waits, and turns a LabError, including "the lab is busy", into a message on the page.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import streamlit as st

from ..scaling import METHODS
from . import lab_queue

if TYPE_CHECKING:
    from ..lab import ModelConfig, Progress, Scaling
    from ..lab.results import LabResults, Sweep

LIVE_WAIT_S = 240
LIVE_SEED = 0  # the shipped checkpoints are seed 0's
ATTENTION_CELLS = 64  # attention maps are pooled to at most this many cells a side
ATTENTION_FLOOR = 1e-3  # weights below this are drawn as "no attention" (log10 = -3)
SCRATCH_VARIANTS = ("none", "yarn")  # a model trained from scratch is read zero-shot with these

Result = TypeVar("Result")
ProgressCallback = Callable[["Progress"], None]


def lab():
    """``yarn_core.lab``, imported on first use (it imports torch and caps it at one thread)."""
    from .. import lab

    return lab


# Live jobs across every session: cores - 1 at a time (the pages keep a core), the rest queued.
LIVE_POOL = lab_queue.JobPool(lab_queue.machine_workers(), stall_s=LIVE_WAIT_S)
_WAIT_REPORT: contextvars.ContextVar[lab_queue.Report | None] = contextvars.ContextVar(
    "lab_wait_report", default=None
)


def queue_text(place: int, estimate_s: float | None) -> str:
    """What a waiting reader reads: their place in the queue and, once jobs have been timed, when
    theirs should start."""
    slots = LIVE_POOL.workers
    size = "one live run at a time" if slots == 1 else f"{slots} live runs at a time"
    if estimate_s is None:
        when = "it starts as soon as a run ahead of it finishes"
    elif estimate_s < 1:
        when = "it starts in a moment"
    else:
        when = f"about {math.ceil(estimate_s)} s to wait"
    return f"Waiting for the lab ({size}): you are number {place} in the queue, {when}."


@contextlib.contextmanager
def live_slot():
    """Hold a slot of the live pool for model work; while queued, the reader's ``run_live`` box shows
    their place and an estimate. A queue that does not move for LIVE_WAIT_S becomes a LabError
    asking to retry, instead of a stalled page."""
    try:
        with LIVE_POOL.slot(_WAIT_REPORT.get(), stall_s=LIVE_WAIT_S):
            yield
    except lab_queue.QueueStalled:
        raise lab().LabError(
            f"The lab is busy with other readers' runs (its queue has not moved for {LIVE_WAIT_S} s); "
            "please try again in a minute."
        ) from None


def progress_text(progress: Progress, what: str) -> str:
    metric = "" if progress.metric is None else f", metric {progress.metric:.3f}"
    return (
        f"{what}: step {progress.step}/{progress.steps}, loss {progress.loss:.3f}{metric} "
        f"({progress.seconds:.0f} s)"
    )


def run_live(
    job: Callable[..., Result],
    *,
    running: str | None,
    failed: str,
    progress: str | None = None,
    done: Callable[[Result], str] | None = None,
) -> Result | None:
    """Run one live action on the page: its result, or None once a message says why it failed (a
    LabError: a bad setting, a diverged run, a damaged checkpoint, the lab busy with other runs).

    Without ``progress``: ``job()``, under a spinner saying ``running`` (if given); a failure reads
    "``failed``: why". With ``progress`` (training, named ``progress`` in the bar's text):
    ``job(on_progress)`` in a status box labelled ``running`` with a progress bar, relabelled
    ``failed`` (and the reason below) or ``done(result)``."""
    error = lab().LabError
    note = st.empty()  # the reader's place in the lab's queue while the job waits for a slot
    token = _WAIT_REPORT.set(lambda place, estimate: note.info(queue_text(place, estimate), icon="⏳"))
    try:
        if progress is None:
            try:
                with st.spinner(running) if running else contextlib.nullcontext():
                    return job()
            except error as err:
                st.error(f"{failed}: {err}")
                return None
        with st.status(running, expanded=True) as status:
            note = st.empty()  # inside the status box, above the bar
            bar = st.progress(0.0)
            try:
                result = job(lambda p: _progress(note, bar, p, progress))
            except error as err:
                status.update(label=failed, state="error")
                st.error(str(err))
                return None
            status.update(label=done(result) if done else "Done.", state="complete", expanded=False)
            return result
    finally:
        _WAIT_REPORT.reset(token)
        note.empty()


def _progress(note, bar, progress: Progress, what: str) -> None:
    """A training step: the queue note goes, the bar moves."""
    note.empty()
    bar.progress(progress.step / progress.steps, text=progress_text(progress, what))


# ----------------------------------------------------------------------------------------------
# The shipped results and models


def shipped_results() -> LabResults:
    """assets/lab/results.json, read once (raises LabError if it is missing or damaged)."""
    return lab().load_results()


@dataclass(frozen=True)
class ShippedModel:
    """The shipped base models' shape (None when no base checkpoint could be read), one message per
    base checkpoint that could not be read, and the sequences a quick live evaluation uses."""

    config: ModelConfig | None
    errors: tuple[str, ...]
    page_samples: dict[str, int]


def shipped_model() -> ShippedModel:
    lab_ = lab()
    configs, errors = [], []
    for task in lab_.TASKS:
        try:
            configs.append(lab_.load_shipped(task).config)
        except lab_.LabError as err:
            errors.append(str(err))
    return ShippedModel(configs[0] if configs else None, tuple(errors), dict(lab_.PAGE_SAMPLES))


# ----------------------------------------------------------------------------------------------
# Scaling without training: one setting, shipped or live


@dataclass(frozen=True)
class ScalingChoice:
    """The reader's setting in "Scaling without training": a method, its knobs (alpha, beta and the
    ramp for the by-parts methods, the temperature strength m for YaRN's), and whether every
    length T is read at s = T / L ("matched") or at the fine-tune scale ("fixed")."""

    method: str
    alpha: float
    beta: float
    ramp: str
    mscale: float
    mode: str

    @property
    def matched(self) -> bool:
        return self.mode == "matched"

    def scaling(self, fixed_factor: float) -> Scaling:
        """The lab's Scaling. Dynamic methods read s from the length (factor 1); in "fixed" mode the
        static ones use ``fixed_factor``; in "matched" mode ``sweep`` sets s = T / L per length."""
        fixed = not self.matched and not METHODS[self.method].dynamic
        return lab().Scaling(
            self.method,
            factor=float(fixed_factor) if fixed else 1.0,
            beta_fast=float(self.beta),
            beta_slow=float(self.alpha),
            ramp=self.ramp,
            mscale=float(self.mscale),
        )


@dataclass(frozen=True, eq=False)
class SettingSweep:
    """The shipped seed-0 model under one setting: the shipped sweep of ``variant`` when the setting
    rotates exactly like it, else a live sweep (``samples`` sequences per cell, ``seconds`` long)."""

    sweep: Sweep
    variant: str | None
    samples: int
    seconds: float

    @property
    def shipped(self) -> bool:
        return self.variant is not None


def _rotations(config: ModelConfig, scaling: Scaling, match: bool, lengths) -> list[tuple[np.ndarray, float]]:
    """theta'_i and the attention factor the model rotates with at every evaluation length
    (``match``: s = T / L per length, as ``sweep`` sets it)."""
    matched = lab().matched
    rotations = []
    for length in lengths:
        rope = (matched(scaling, config, length) if match else scaling).rope(config, length)
        rotations.append((rope.inv_freq, rope.attention_factor))
    return rotations


def equivalent_variant(task: str, scaling: Scaling, match: bool) -> str | None:
    """The shipped zero-shot variant that rotates exactly like ``scaling`` at every evaluation
    length (same theta'_i and attention factor), if any: its shipped numbers are this setting's.
    (At s = T / L a dynamic method is its static one; beta above every pair's turns is clamped.)"""
    results = shipped_results()
    lengths = results.settings.lengths
    config = lab().load_shipped(task).config
    mine = _rotations(config, scaling, match, lengths)
    for name in results.zero_shot_variants(task):
        theirs = _rotations(config, results.variant(name).scaling, True, lengths)
        if all(
            np.allclose(a, b, rtol=1e-12, atol=0) and math.isclose(fa, fb, rel_tol=1e-12)
            for (a, fa), (b, fb) in zip(mine, theirs, strict=True)
        ):
            return name
    return None


def setting_sweep(task: str, choice: ScalingChoice, precision: str) -> SettingSweep:
    """The sweep the page draws for one setting: shipped when the setting rotates exactly like a
    shipped variant, else a live evaluation of the shipped seed-0 model with ``precision``'s
    sequences ("full": as many as the shipped results, else a few)."""
    lab_, results = lab(), shipped_results()
    settings = results.settings
    scaling = choice.scaling(settings.finetune_factor)
    variant = equivalent_variant(task, scaling, choice.matched)
    full = settings.samples[task]
    if variant is not None:
        return SettingSweep(results.zero_shot(task, variant).of_seed(LIVE_SEED), variant, full, 0.0)
    samples = full if precision == "full" else lab_.PAGE_SAMPLES[task]
    start = time.perf_counter()
    with live_slot():
        sweep = lab_.sweep(
            lab_.load_shipped(task),
            scaling,
            lengths=settings.lengths,
            depths=settings.depths,
            samples=samples,
            seed=settings.eval_seed,
            match=choice.matched,
        )
    seconds = round(time.perf_counter() - start, 2)
    return SettingSweep(lab_.Sweep.from_dict(task, sweep), None, samples, seconds)


# ----------------------------------------------------------------------------------------------
# Past the fine-tuned length: the same models with the scale raised


@dataclass(frozen=True)
class RescaledModel:
    """One fine-tuned seed-0 model at the longest length: at s = the fine-tune scale (shipped) and
    at s = T / L (live)."""

    label: str
    fixed: float
    rescaled: float


@dataclass(frozen=True)
class Rescaled:
    length: int
    scale: float
    models: tuple[RescaledModel, ...]


def rescaled_longest(task: str) -> Rescaled:
    """Live, on the shipped seed-0 fine-tuned models: the metric at the longest length with the
    scale raised to s = T / L, next to the shipped seed-0 number at s = 4 (same sequences and
    sample count). Plain RoPE has no scale to raise."""
    lab_, results = lab(), shipped_results()
    settings = results.settings
    longest = settings.lengths[-1]
    models = []
    for variant in results.finetuned_variants(task):
        tuned = lab_.load_shipped(task, variant)
        with live_slot():
            live = lab_.sweep(
                tuned,
                tuned.scaling,
                lengths=[longest],
                depths=settings.depths,
                samples=settings.samples[task],
                seed=settings.eval_seed,
                match=True,
            )
        shipped = results.finetune(task, variant).final.of_seed(LIVE_SEED).metric[-1]
        rescaled = lab_.Sweep.from_dict(task, live).metric[0]
        models.append(RescaledModel(results.variant(variant).label, float(shipped), float(rescaled)))
    return Rescaled(longest, longest / settings.train_length, tuple(models))


# ----------------------------------------------------------------------------------------------
# Training: a fine-tune of the shipped model, a model from scratch


@dataclass(frozen=True)
class FineTuneRun:
    """The reader's fine-tune: the metric at ``eval_steps`` (step 0 is the shipped base model), the
    first evaluated step that reached the target (None: not reached), and how it was run."""

    task: str
    variant: str
    eval_steps: tuple[int, ...]
    values: tuple[float, ...]
    seconds: float
    lr: float
    seed: int
    reached: int | None
    label: str


def fine_tune(
    task: str, variant: str, steps: int, lr: float, seed: int, on_progress: ProgressCallback | None = None
) -> FineTuneRun:
    """Fine-tune a private copy of the shipped seed-0 base model at s = 4 with ``variant``'s
    scaling, measuring the metric every 10 steps on the same sequences as the shipped curves.
    Returns numbers only (the trained copy is dropped). Raises LabError on divergence."""
    from ..lab.build import steps_to_target

    lab_, results = lab(), shipped_results()
    settings = results.settings
    schedule = replace(
        lab_.FINETUNE_SCHEDULE,
        steps=int(steps),
        lr=float(lr),
        warmup=min(lab_.FINETUNE_SCHEDULE.warmup, int(steps)),
    )
    with live_slot():
        _, log = lab_.fine_tune(
            lab_.load_shipped(task),
            lab_.finetune_scaling(variant),
            schedule=schedule,
            seed=int(seed),
            eval_every=settings.curve_every,
            eval_samples=settings.curve_samples,
            on_progress=on_progress,
        )
    reached = steps_to_target(
        log.eval_steps, log.eval_values, settings.targets[task], results.higher_is_better(task)
    )
    return FineTuneRun(
        task=task,
        variant=variant,
        eval_steps=tuple(int(s) for s in log.eval_steps),
        values=tuple(float(v) for v in log.eval_values),
        seconds=round(float(log.seconds), 2),
        lr=float(lr),
        seed=int(seed),
        reached=reached,
        label=f"your run: {results.variant(variant).label}, seed {seed}, lr {lr:g}, {steps} steps",
    )


@dataclass(frozen=True)
class ScratchRun:
    """The reader's base model trained from scratch: its training loss (mean of every
    ``curve_every`` steps) and its metric zero-shot at every length with SCRATCH_VARIANTS."""

    task: str
    seed: int
    steps: int
    seconds: float
    loss_steps: tuple[int, ...]
    loss: tuple[float, ...]
    lengths: tuple[int, ...]
    samples: int
    zero_shot: dict[str, tuple[float, ...]]


def from_scratch(task: str, steps: int, seed: int, on_progress: ProgressCallback | None = None) -> ScratchRun:
    """Pre-train a new model at L with plain RoPE (the shipped recipe, ``steps`` long), then
    evaluate it zero-shot with plain RoPE and with YaRN (beta 8) at every length."""
    lab_, results = lab(), shipped_results()
    settings = results.settings
    recipe = lab_.BASE_SCHEDULES[task]
    schedule = replace(recipe, steps=int(steps), warmup=min(recipe.warmup, int(steps)))
    with live_slot():
        checkpoint, log = lab_.train(task, schedule=schedule, seed=int(seed), on_progress=on_progress)
        zero_shot = {}
        for variant in SCRATCH_VARIANTS:
            sweep = lab_.sweep(
                checkpoint,
                lab_.VARIANTS[variant][1],
                lengths=settings.lengths,
                depths=settings.depths,
                samples=lab_.PAGE_SAMPLES[task],
                seed=settings.eval_seed,
                match=True,
            )
            zero_shot[variant] = tuple(float(v) for v in lab_.Sweep.from_dict(task, sweep).metric)
    losses = np.asarray(log.losses, dtype=float)
    every = settings.curve_every
    chunks = len(losses) // every
    return ScratchRun(
        task=task,
        seed=int(seed),
        steps=int(steps),
        seconds=round(float(log.seconds), 2),
        loss_steps=tuple(every * (i + 1) for i in range(chunks)),
        loss=tuple(losses[: chunks * every].reshape(chunks, every).mean(axis=1).tolist()),
        lengths=settings.lengths,
        samples=int(lab_.PAGE_SAMPLES[task]),
        zero_shot=zero_shot,
    )


# ----------------------------------------------------------------------------------------------
# Why: attention maps and entropy


@dataclass(frozen=True, eq=False)
class AttentionPanel:
    """One head under one scaling at one length: the map pooled to ``positions`` a side, as log10
    of the weight (at least log10 ATTENTION_FLOOR), and the entropy of every query (nats)."""

    name: str
    length: int
    positions: np.ndarray
    log_weight: np.ndarray
    entropy: np.ndarray


@dataclass(frozen=True, eq=False)
class AttentionMaps:
    """One head of the shipped seed-0 base model on one seeded sequence: panels plain RoPE at L and
    s L, YaRN at L and s L (s = fine-tune scale); the mean entropy of the queries inside L and past
    it at s L, and of every query at L (``*_1x``)."""

    task: str
    layer: int
    head: int
    train_length: int
    long_length: int
    factor: int
    floor: float
    panels: tuple[AttentionPanel, ...]
    plain_inside_1x: float
    plain_inside: float
    plain_past: float
    yarn_inside_1x: float
    yarn_inside: float
    yarn_past: float


def _pool(weights: np.ndarray, cells: int) -> tuple[np.ndarray, int]:
    """Attention (T, T) pooled to at most ``cells`` a side: each cell is the mean over its queries
    of the weight they put on its keys (rows still sum to 1)."""
    T = weights.shape[0]
    k = max(1, math.ceil(T / cells))
    n = T // k
    w = weights[: n * k, : n * k].reshape(n, k, n, k)
    return w.sum(axis=3).mean(axis=1), k


def attention(task: str, layer: int, head: int) -> AttentionMaps:
    """One head of the shipped seed-0 base model on one seeded sequence, at L and at s L tokens,
    with plain RoPE and with YaRN set for s (beta 8); the entropy H_m = -sum_n p_mn ln p_mn of every
    query. Pooled, so the result is small enough to cache."""
    lab_ = lab()
    checkpoint = lab_.load_shipped(task)
    L, factor = checkpoint.config.train_length, shipped_results().settings.finetune_factor
    scalings = {"Plain RoPE": lab_.Scaling(), f"YaRN (s = {factor})": lab_.finetune_scaling("yarn")}
    panels = []
    for name, scaling in scalings.items():
        for T in (L, factor * L):
            view = lab_.attention_view(checkpoint, scaling, T, layer=layer, head=head, seed=LIVE_SEED)
            pooled, k = _pool(view.weights, ATTENTION_CELLS)
            log_weight = np.log10(np.clip(np.nan_to_num(pooled, nan=0.0), ATTENTION_FLOOR, 1.0))
            panels.append(
                AttentionPanel(
                    name,
                    T,
                    k * np.arange(pooled.shape[0]),
                    np.round(log_weight, 2).astype(np.float32),
                    view.entropy,
                )
            )
    by = {(p.name, p.length): p.entropy for p in panels}
    plain, yarn = scalings
    return AttentionMaps(
        task=task,
        layer=layer,
        head=head,
        train_length=L,
        long_length=factor * L,
        factor=factor,
        floor=ATTENTION_FLOOR,
        panels=tuple(panels),
        plain_inside_1x=float(by[plain, L].mean()),
        plain_inside=float(by[plain, factor * L][:L].mean()),
        plain_past=float(by[plain, factor * L][L:].mean()),
        yarn_inside_1x=float(by[yarn, L].mean()),
        yarn_inside=float(by[yarn, factor * L][:L].mean()),
        yarn_past=float(by[yarn, factor * L][L:].mean()),
    )


# ----------------------------------------------------------------------------------------------
# The language model (Shakespeare): shipped results, live evaluation and generation

LANGUAGE_LIVE_WINDOWS = 8  # held-out windows per live evaluation: under a second at 4L on one core
LANGUAGE_SAMPLE_CHARS = 160  # characters a live "generate now" writes (a forward pass each)


def language_results():
    """assets/lab/shakespeare.json, read once (raises LabError if it is missing or damaged)."""
    from ..lab.results import load_language_results

    lab()
    return load_language_results()


@dataclass(frozen=True)
class LanguageScore:
    """Live bits/char of a shipped Shakespeare model on the first held-out windows."""

    bits: float
    windows: int
    length: int
    seconds: float
    scaling: dict


@functools.cache
def _language_checkpoint(variant: str):
    """A shipped seed-0 Shakespeare checkpoint, loaded once per process (frozen, shared)."""
    from ..lab.assets import ASSET_DIR
    from ..lab.checkpoint import load_checkpoint
    from ..lab.language_build import checkpoint_name

    return load_checkpoint(ASSET_DIR / checkpoint_name(variant), task="shakespeare")


def language_scaling(method: str, factor: float, alpha: float, beta: float, mscale: float):
    return lab().Scaling(
        method, factor=float(factor), beta_slow=float(alpha), beta_fast=float(beta), mscale=float(mscale)
    )


def language_evaluate(
    method: str, factor: float, alpha: float, beta: float, mscale: float, length: int, tuned: str = "base"
) -> LanguageScore:
    """Bits/char of the shipped seed-0 model (``tuned``: base, or a method fine-tuned at 4L) on the
    first LANGUAGE_LIVE_WINDOWS of the shipped 64 held-out windows of length T."""
    from ..lab import language

    scaling = language_scaling(method, factor, alpha, beta, mscale)
    start = time.perf_counter()
    with live_slot():
        model = _language_checkpoint(tuned).model
        bits = language.bits_per_window(model, scaling, int(length), first=LANGUAGE_LIVE_WINDOWS)
    return LanguageScore(
        float(bits.mean()),
        LANGUAGE_LIVE_WINDOWS,
        int(length),
        round(time.perf_counter() - start, 2),
        scaling.to_dict(),
    )


def language_generate(method: str, factor: float, tuned: bool, seed: int, temperature: float) -> str:
    """Continue the shipped prompt (2L held-out characters) by LANGUAGE_SAMPLE_CHARS characters with
    the seed-0 base model, or the one fine-tuned with ``method`` (when it was), at s = factor."""
    from ..lab import language

    scaling = language.default_scaling(method, factor)
    variant = method if tuned and method in language.FINETUNED else "base"
    with live_slot():
        return language.generate(
            _language_checkpoint(variant),
            scaling,
            language.sample_prompt(),
            LANGUAGE_SAMPLE_CHARS,
            temperature=float(temperature),
            seed=int(seed),
        )


LANGUAGE_TUNE_METHODS = ("none", "linear", "ntk", "yarn")  # the shipped fine-tunes' methods
_LANGUAGE_TUNES: dict[tuple[str, int], LanguageTune] = {}  # every reader's runs, by (method, steps)
LANGUAGE_TUNES_KEPT = 32


@dataclass(frozen=True)
class LanguageTune:
    """A live fine-tune of the shipped seed-0 base model at 4L: bits/char on the score play at
    ``eval_steps`` (step 0 is the base model with the method's scaling), the base model's own score
    on the same characters read L at a time (``in_window``), and how it was run."""

    method: str
    label: str
    steps: int
    length: int
    eval_steps: tuple[int, ...]
    values: tuple[float, ...]
    in_window: float
    windows: int
    batch_size: int
    seconds: float
    tune_play: str
    score_play: str
    reused: bool = False  # True when an earlier identical run was read from memory


def language_fine_tune(method: str, steps: int, on_progress: ProgressCallback | None = None) -> LanguageTune:
    """Fine-tune a private copy of the shipped seed-0 Shakespeare base model for ``steps`` steps at
    4L with ``method`` (the lab's alpha / beta), tuned on Macbeth and scored on The Tempest. A run
    is a function of (method, steps) only (seed 0), so each is run once per process and then read
    from memory by every reader. Raises LabError on a bad setting or a diverged run."""
    from ..lab import language

    key = (str(method), int(steps))
    if key in _LANGUAGE_TUNES:
        return replace(_LANGUAGE_TUNES[key], reused=True)
    if method not in LANGUAGE_TUNE_METHODS:
        raise lab().LabError(f"the live fine-tune runs {', '.join(LANGUAGE_TUNE_METHODS)}; got {method!r}")
    factor = language.FINETUNE_FACTOR
    length = factor * language.TRAIN_LENGTH
    recipe = language.LIVE_SCHEDULE
    schedule = replace(recipe, steps=int(steps), warmup=min(recipe.warmup, int(steps)))
    with live_slot():
        model = _language_checkpoint("base").model
        in_window = language.in_window_bits(model, length)
        log = language.live_fine_tune(
            model,
            language.default_scaling(method, factor),
            length,
            schedule,
            seed=LIVE_SEED,
            on_progress=on_progress,
        )
    run = LanguageTune(
        method=str(method),
        label=language.VARIANTS[method][0],
        steps=int(steps),
        length=int(length),
        eval_steps=tuple(int(s) for s in log.eval_steps),
        values=tuple(float(v) for v in log.eval_values),
        in_window=float(in_window),
        windows=language.LIVE_SCORE_WINDOWS,
        batch_size=schedule.batch_size,
        seconds=round(float(log.seconds), 2),
        tune_play=language.LIVE_TUNE_PLAY,
        score_play=language.LIVE_SCORE_PLAY,
    )
    _LANGUAGE_TUNES[key] = run
    while len(_LANGUAGE_TUNES) > LANGUAGE_TUNES_KEPT:
        del _LANGUAGE_TUNES[next(iter(_LANGUAGE_TUNES))]
    return run
