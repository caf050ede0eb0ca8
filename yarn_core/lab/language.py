"""The language model of the lab: settings, held-out evaluation and generation.

One protocol everywhere (build, CLI, page, tests): a window of T characters of the held-out plays
starts at one of ``window_starts(N, T, count)`` (evenly spaced, so the set is a function of T and
count only); its score is the mean over its T predictions of -log2 p(next character), in bits per
character; a length's score is the mean over its windows.

Dynamic methods recompute s from the current length at every forward pass. To score position m as
a reader generating text would see it, ``bits_by_position`` runs dynamic methods on prefixes that
grow by L characters and keeps, from each prefix, only its newest L positions; their score at
length T is the mean of that curve over positions 0..T-1 (on the 8L windows).
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import replace

import numpy as np
import torch
from torch.nn import functional as F

from yarn_core import METHODS

from .checkpoint import Checkpoint
from .errors import LabError
from .model import ModelConfig, Scaling
from .shakespeare import HELD_OUT, decode, encode, held_out_ids, held_out_windows, window_starts, windows
from .train import (
    BASE_CONFIGS,
    BASE_SCHEDULES,
    EVAL_CHUNK,
    Progress,
    ProgressCallback,
    Schedule,
    TrainLog,
    _optimizer,
)

# L = 128: about four lines of verse, enough context for a character model to use, and short
# enough that 8L = 1024 still evaluates 64 windows in a few seconds on one core.
CONFIG = BASE_CONFIGS["shakespeare"]
TRAIN_LENGTH = CONFIG.train_length
BASE_SCHEDULE = BASE_SCHEDULES["shakespeare"]
FINETUNE_SCHEDULE = Schedule(steps=100, batch_size=8, lr=1e-3, warmup=10)
FINETUNE_FACTOR = 4
LENGTHS = (128, 256, 512, 1024)  # L, 2L, 4L, 8L
POSITION_LENGTH = 8 * TRAIN_LENGTH
POSITION_BIN = 16
WINDOWS = 64  # per evaluation length in the shipped results
CURVE_EVERY = 10
CURVE_WINDOWS = 32
RECOVERY_TOLERANCE = 0.05  # "recovered": bits/char at 4L within 5% of the base model's in-window score

# alpha / beta in turns inside L = 128. No pair turns more than L / (2 pi) = 20.4 times, so the
# paper's beta = 32 (chosen for L = 4096) would keep no pair as trained. beta = 8 keeps the two
# fastest pairs (20.4 and 11.5 turns) and ramps the next ones; alpha = 1 as in the paper.
YARN_BETA = 8.0
YARN_ALPHA = 1.0
VARIANTS: dict[str, tuple[str, Scaling]] = {
    "none": ("Plain RoPE", Scaling()),
    "linear": ("PI (linear)", Scaling("linear")),
    "ntk": ("NTK-aware", Scaling("ntk")),
    "ntk_by_parts": ("NTK-by-parts", Scaling("ntk_by_parts", beta_fast=YARN_BETA, beta_slow=YARN_ALPHA)),
    "yarn": ("YaRN", Scaling("yarn", beta_fast=YARN_BETA, beta_slow=YARN_ALPHA)),
    "dynamic_ntk": ("Dynamic NTK", Scaling("dynamic_ntk")),
    "dynamic_yarn": ("Dynamic YaRN", Scaling("dynamic_yarn", beta_fast=YARN_BETA, beta_slow=YARN_ALPHA)),
}
STATIC = ("none", "linear", "ntk", "ntk_by_parts", "yarn")
FINETUNED = ("none", "linear", "ntk", "yarn")
SEEDS = (0, 1, 2)
PROMPT_LENGTH = 2 * TRAIN_LENGTH
SAMPLE_LENGTH = 2 * TRAIN_LENGTH  # prompt + continuation = 4L, the fine-tuned length
SAMPLE_TEMPERATURE = 0.8


def default_scaling(method: str, factor: float) -> Scaling:
    """The lab's scaling for a method at s = factor, with alpha / beta suited to L = 128."""
    return replace(VARIANTS[method][1] if method in VARIANTS else Scaling(method), factor=float(factor))


def at_length(scaling: Scaling, config: ModelConfig, length: int) -> Scaling:
    """Static methods scaled exactly to T (s = max(1, T / L)); dynamic ones read T themselves."""
    if METHODS[scaling.method].dynamic:
        return replace(scaling, factor=1.0)
    return replace(scaling, factor=max(1.0, length / config.train_length))


@torch.no_grad()
def bits_per_position(model, scaling: Scaling, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """-log2 p(target) at every position, (B, T), in float64."""
    parts = []
    for start in range(0, idx.size(0), EVAL_CHUNK):
        logits, _ = model(idx[start : start + EVAL_CHUNK], scaling)
        nll = F.cross_entropy(logits.transpose(1, 2), targets[start : start + EVAL_CHUNK], reduction="none")
        parts.append(nll.double() / math.log(2))
    return torch.cat(parts)


def bits_per_window(model, scaling: Scaling, length: int, count: int = WINDOWS, first: int | None = None):
    """Mean bits/char of each held-out window of length T (the first ``first`` of ``count``)."""
    idx, targets = held_out_windows(length, count)
    if first is not None:
        idx, targets = idx[:first], targets[:first]
    return bits_per_position(model, scaling, idx, targets).mean(dim=1).numpy()


def bits_by_position(model, scaling: Scaling, length: int = POSITION_LENGTH, count: int = WINDOWS):
    """Mean bits/char at each position 0..T-1 over ``count`` held-out windows, (T,). Dynamic methods
    are scored as generated (module docstring), on prefixes growing by L; static ones in one pass."""
    idx, targets = held_out_windows(length, count)
    if not METHODS[scaling.method].dynamic:
        return bits_per_position(model, scaling, idx, targets).mean(dim=0).numpy()
    step = model.config.train_length
    out = np.empty(length)
    for end in range(step, length + 1, step):
        bits = bits_per_position(model, scaling, idx[:, :end], targets[:, :end])
        out[end - step : end] = bits[:, end - step :].mean(dim=0).numpy()
    return out


def binned(values: np.ndarray, width: int = POSITION_BIN) -> list[float]:
    return [round(float(v), 4) for v in values.reshape(-1, width).mean(axis=1)]


@torch.no_grad()
def generate(
    checkpoint: Checkpoint,
    scaling: Scaling,
    prompt: str,
    n_chars: int,
    *,
    temperature: float = SAMPLE_TEMPERATURE,
    seed: int = 0,
) -> str:
    """Sample ``n_chars`` characters after ``prompt`` from softmax(logits / temperature), seeded;
    the whole sequence is re-read at every step (no cache), so dynamic methods see its length."""
    ids = torch.from_numpy(encode(prompt).astype(np.int64))[None, :]
    generator = torch.Generator().manual_seed(seed)
    for _ in range(n_chars):
        logits, _ = checkpoint.model(ids, scaling)
        probs = torch.softmax(logits[0, -1].double() / max(temperature, 1e-3), dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        ids = torch.cat([ids, nxt[None, :]], dim=1)
    return decode(ids[0, len(prompt) :].tolist())


def sample_prompt(length: int = PROMPT_LENGTH) -> str:
    """The prompt of the shipped samples: held-out text from the start of a speech in mid-play."""
    ids = held_out_ids()
    text = decode(ids[len(ids) // 3 : len(ids) // 3 + 4 * length].tolist())
    start = text.find("\n\n") + 2
    return text[start : start + length]


# ----------------------------------------------------------------------------------------------
# The live fine-tune: tuned on one held-out play, scored on another

# The first lines of each held-out play, in held-out.txt's order (HELD_OUT): a play runs from its
# opening to the next play's. The training plays are not shipped, so the live fine-tune tunes on
# Macbeth and scores on The Tempest, which it never reads.
PLAY_OPENINGS = {
    "macbeth": "First Witch:\nWhen shall we three meet again",
    "twelfth-night": "DUKE ORSINO:\nIf music be the food of love",
    "the-tempest": "Master:\nBoatswain!",
}
LIVE_TUNE_PLAY = "macbeth"
LIVE_SCORE_PLAY = "the-tempest"
# 30 steps of 8 windows at 4L with a score every 5 steps: about 20-30 s on one core (one step of
# 8 x 512 characters ~ 0.6-0.8 s, one score of 16 windows ~ 0.3 s).
LIVE_SCHEDULE = Schedule(steps=30, batch_size=8, lr=1e-3, warmup=5)
LIVE_SCORE_EVERY = 5
LIVE_SCORE_WINDOWS = 16  # 8,192 characters of The Tempest, ~0.3 s a score at 4L
LIVE_MAX_STEPS = 60


def play_spans() -> dict[str, tuple[int, int]]:
    """{play: (first, end)} character offsets of each held-out play in held-out.txt."""
    text = decode(held_out_ids())
    starts: list[int] = []
    for name in HELD_OUT:
        at = text.find(PLAY_OPENINGS[name])
        if at < 0 or (starts and at <= starts[-1]):
            raise LabError(f"the held-out text does not hold {name} where expected")
        starts.append(at)
    ends = [*starts[1:], len(text)]
    return {name: (start, end) for name, start, end in zip(HELD_OUT, starts, ends, strict=True)}


def play_ids(name: str) -> np.ndarray:
    """The character ids of one held-out play."""
    start, end = play_spans()[name]
    return held_out_ids()[start:end]


def live_score_set(length: int, count: int = LIVE_SCORE_WINDOWS, play: str = LIVE_SCORE_PLAY):
    """(idx, targets), each (count, T): ``count`` evenly spaced windows of one held-out play."""
    ids = play_ids(play)
    return windows(ids, window_starts(len(ids), length, count), length)


def in_window_bits(model, length: int, count: int = LIVE_SCORE_WINDOWS, play: str = LIVE_SCORE_PLAY):
    """The base model's own score on the live score set's characters read L at a time: each window
    of T is cut into T / L windows of L (plain RoPE, inside the trained window), so the reference
    line and the live curve score exactly the same characters."""
    L = model.config.train_length
    if length % L:
        raise LabError(f"the live fine-tune length {length} is not a multiple of L = {L}")
    idx, targets = live_score_set(length, count, play)
    return float(bits_per_position(model, Scaling(), idx.reshape(-1, L), targets.reshape(-1, L)).mean())


def live_fine_tune(
    model,
    scaling: Scaling,
    length: int,
    schedule: Schedule = LIVE_SCHEDULE,
    *,
    seed: int = 0,
    score_every: int = LIVE_SCORE_EVERY,
    score_windows: int = LIVE_SCORE_WINDOWS,
    tune_play: str = LIVE_TUNE_PLAY,
    score_play: str = LIVE_SCORE_PLAY,
    on_progress: ProgressCallback | None = None,
) -> TrainLog:
    """Fine-tune a copy of ``model`` at length T with ``scaling`` on random windows of ``tune_play``
    (AdamW, ``schedule``'s warmup and cosine, batches drawn by default_rng(seed)), scoring the mean
    bits/char over ``score_windows`` evenly spaced windows of ``score_play`` at step 0 and every
    ``score_every`` steps. The original model is left untouched. Raises LabError on divergence."""
    if tune_play == score_play:
        raise LabError("the live fine-tune must be scored on a play it does not tune on")
    if not 1 <= schedule.steps <= LIVE_MAX_STEPS:
        raise LabError(f"a live fine-tune runs 1 to {LIVE_MAX_STEPS} steps, got {schedule.steps}")
    if not isinstance(score_every, int) or score_every < 1:
        raise LabError(f"the score interval must be a positive whole number of steps, got {score_every!r}")
    tune_ids = play_ids(tune_play)
    score_set = live_score_set(length, score_windows, score_play)
    rng = np.random.default_rng(seed)
    tuned = copy.deepcopy(model).requires_grad_(True)
    optimizer = _optimizer(tuned, schedule)
    log = TrainLog()
    start = time.perf_counter()

    def score(step: int) -> float:
        tuned.eval()
        value = float(bits_per_position(tuned, scaling, *score_set).mean())
        tuned.train()
        log.eval_steps.append(step)
        log.eval_values.append(value)
        return value

    score(0)
    for step in range(schedule.steps):
        lr = schedule.lr_at(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx, targets = windows(tune_ids, rng.integers(0, len(tune_ids) - length, schedule.batch_size), length)
        _, loss = tuned(idx, scaling, targets)
        value = loss.item()
        if not math.isfinite(value):
            raise LabError(f"the live fine-tune diverged at step {step + 1}; lower the learning rate")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(tuned.parameters(), schedule.grad_clip)
        optimizer.step()
        log.losses.append(value)
        last = step + 1 == schedule.steps
        metric = score(step + 1) if (step + 1) % score_every == 0 or last else None
        if on_progress is not None:
            on_progress(Progress(step + 1, schedule.steps, value, lr, time.perf_counter() - start, metric))
    log.seconds = time.perf_counter() - start
    return log
