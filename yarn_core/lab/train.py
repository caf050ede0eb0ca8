"""Training, fine-tuning and evaluation of the lab model.

Everything is seeded: the data of a run comes from ``numpy.random.default_rng`` seeded with the
run's seed, evaluation sets from seeds derived from (seed, length, cell), so re-running an
evaluation, or any part of a grid, reproduces the same numbers.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from torch.nn import functional as F

from yarn_core import METHODS

from .checkpoint import Checkpoint
from .errors import LabError
from .model import GPT, ModelConfig, Scaling
from .shakespeare import ALPHABET, held_out_windows
from .tasks import get_task

EVAL_CHUNK = 32  # sequences per forward pass during evaluation, bounds memory at long lengths


@dataclass(frozen=True)
class Schedule:
    """AdamW with linear warmup then cosine decay to lr / 10 (nanoGPT's schedule)."""

    steps: int
    batch_size: int
    lr: float
    warmup: int
    weight_decay: float = 0.1
    grad_clip: float = 1.0

    def __post_init__(self):
        if (
            not isinstance(self.steps, int)
            or self.steps < 1
            or not isinstance(self.batch_size, int)
            or self.batch_size < 1
        ):
            raise LabError(
                f"steps and batch size must be positive whole numbers, got {self.steps} and {self.batch_size}"
            )
        if not isinstance(self.lr, (int, float)) or not math.isfinite(self.lr) or not 0 < self.lr <= 1:
            raise LabError(
                f"the learning rate must be a number in (0, 1], got {self.lr!r}; AdamW at this scale "
                "wants about 1e-3"
            )

    def lr_at(self, step: int) -> float:
        """lr * (step + 1) / warmup during warmup, then lr_min + (lr - lr_min)(1 + cos(pi p)) / 2."""
        if step < self.warmup:
            return self.lr * (step + 1) / self.warmup
        progress = (step - self.warmup) / max(1, self.steps - self.warmup)
        return self.lr / 10 + 0.45 * self.lr * (1 + math.cos(math.pi * progress))


# Pre-training recipes at L = 64, each 1-2 minutes on one CPU thread. The copy task's induction
# head appears suddenly after ~600 steps. The language model (L = 128, 0.61M parameters) takes
# about 6 minutes on one quiet thread.
BASE_SCHEDULES = {
    "passkey": Schedule(steps=1500, batch_size=64, lr=2e-3, warmup=100),
    "copy": Schedule(steps=1200, batch_size=32, lr=3e-3, warmup=100),
    "shakespeare": Schedule(steps=800, batch_size=32, lr=3e-3, warmup=50),
}
BASE_CONFIGS = {
    "shakespeare": ModelConfig(vocab_size=len(ALPHABET), train_length=128, n_layer=3, n_head=4, n_embd=128),
}
FINETUNE_SCHEDULE = Schedule(steps=150, batch_size=16, lr=5e-4, warmup=10)


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives after every step; ``metric`` is set on evaluation steps."""

    step: int
    steps: int
    loss: float
    lr: float
    seconds: float
    metric: float | None = None


@dataclass
class TrainLog:
    """Loss per step, and the evaluation metric at ``eval_steps`` (step 0 is before training)."""

    losses: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_values: list[float] = field(default_factory=list)
    seconds: float = 0.0
    reached_target_at: int | None = None


# ----------------------------------------------------------------------------------------------
# Scores


def higher_is_better(task_name: str) -> bool:
    return get_task(task_name).metric == "accuracy"


@torch.no_grad()
def token_scores(model: GPT, scaling: Scaling, idx: torch.Tensor, targets: torch.Tensor):
    """Per scored token: negative log-likelihood and whether the argmax was right, (B, T) each,
    with NaN / False where targets is -1. Runs in chunks of EVAL_CHUNK sequences."""
    nll_parts, hit_parts = [], []
    for start in range(0, idx.size(0), EVAL_CHUNK):
        x, y = idx[start : start + EVAL_CHUNK], targets[start : start + EVAL_CHUNK]
        logits, _ = model(x, scaling)  # (b, T, V)
        scored = y >= 0
        nll = F.cross_entropy(logits.transpose(1, 2), y.clamp(min=0), reduction="none")  # (b, T)
        nll_parts.append(torch.where(scored, nll, torch.full_like(nll, float("nan"))))
        hit_parts.append((logits.argmax(-1) == y) & scored)
    return torch.cat(nll_parts), torch.cat(hit_parts)


def task_metric(
    task_name: str, model: GPT, scaling: Scaling, idx: torch.Tensor, targets: torch.Tensor
) -> float:
    """passkey: share of sequences with every answer digit right (= greedy decoding exact match);
    copy: mean NLL (nats) over the copied tokens; shakespeare: mean NLL / ln 2 (bits per character)."""
    nll, hit = token_scores(model, scaling, idx, targets)
    metric = get_task(task_name).metric
    if metric == "accuracy":
        return float(((hit | (targets < 0)).all(dim=1)).float().mean())
    if metric == "bits_per_char":
        return float(torch.nanmean(nll.double())) / math.log(2)
    return float(torch.nanmean(nll))


def cell_rng(seed: int, *cell: int) -> np.random.Generator:
    """The generator of one evaluation cell: a function of (seed, cell) only."""
    return np.random.default_rng([seed, *cell])


def monitor_set(task_name: str, seed: int, length: int, samples: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed sequences a training run with this seed measures its metric on (never trained on:
    training batches come from the generator seeded with ``seed`` itself; the language task
    measures on the held-out plays, the same windows whatever the seed)."""
    task = get_task(task_name)
    if task.name == "shakespeare":
        return held_out_windows(length, samples)
    return task.batch(cell_rng(seed + 10_000, length), samples, length)


def matched(scaling: Scaling, config: ModelConfig, length: int) -> Scaling:
    """The same method scaled exactly to the evaluation length: s = max(1, T / L). Dynamic
    methods read T themselves, so they get factor 1 (dynamic NTK's effective s is then T / L)."""
    if METHODS[scaling.method].dynamic:
        return replace(scaling, factor=1.0)
    return replace(scaling, factor=max(1.0, length / config.train_length))


PASSKEY_DEPTHS = (0.0, 0.25, 0.5, 0.75, 1.0)  # the fixed key depths of every passkey score


def evaluate(checkpoint: Checkpoint, scaling: Scaling, length: int, samples: int, seed: int) -> dict:
    """The task metric at length T under ``scaling`` (used as given), by the protocol of the shipped
    tables: passkey, accuracy averaged over PASSKEY_DEPTHS with ``samples`` sequences per depth
    (as ``passkey_grid``); copy, NLL over ``samples`` seeded sequences; shakespeare, bits/char over
    ``samples`` evenly spaced held-out windows (``seed`` unused). Returns {"metric", "value", ...}."""
    if samples < 1:
        raise LabError(f"evaluation needs at least one sample, got {samples}")
    task = get_task(checkpoint.task)
    if task.name == "passkey":
        grid = passkey_grid(checkpoint.model, scaling, [length], PASSKEY_DEPTHS, samples, seed, match=False)
        value = float(grid.mean())
    else:
        idx, targets = (
            held_out_windows(length, samples)
            if task.name == "shakespeare"
            else task.batch(cell_rng(seed, length), samples, length)
        )
        value = task_metric(checkpoint.task, checkpoint.model, scaling, idx, targets)
    return {
        "metric": task.metric,
        "value": value,
        "task": checkpoint.task,
        "length": length,
        "samples": samples,
        "seed": seed,
        "scaling": scaling.to_dict(),
    }


def passkey_grid(
    model: GPT, scaling: Scaling, lengths, depths, samples: int, seed: int, match: bool = True
) -> np.ndarray:
    """Passkey accuracy, shape (len(lengths), len(depths)); ``samples`` sequences per cell.
    With ``match`` each length T is evaluated at s = max(1, T / L), else at scaling.factor."""
    task = get_task("passkey")
    grid = np.zeros((len(lengths), len(depths)))
    for i, length in enumerate(lengths):
        at = matched(scaling, model.config, length) if match else scaling
        for j, depth in enumerate(depths):
            idx, targets = task.batch(cell_rng(seed, length, j), samples, length, depth=depth)
            grid[i, j] = task_metric("passkey", model, at, idx, targets)
    return grid


def copy_profile(
    model: GPT, scaling: Scaling, length: int, samples: int, seed: int, bins: int = 16, match: bool = True
):
    """Copy-task NLL at length T: the mean over all copied tokens, and by position.
    Returns (mean_nll, bin_edges (bins + 1,), nll_per_bin (bins,), NaN where a bin has no token)."""
    at = matched(scaling, model.config, length) if match else scaling
    idx, targets = get_task("copy").batch(cell_rng(seed, length), samples, length)
    nll, _ = token_scores(model, at, idx, targets)
    positions = torch.arange(length).expand_as(nll) + 1  # position of the predicted token
    scored = ~torch.isnan(nll)
    edges = np.linspace(0, length, bins + 1)
    which = np.clip(np.searchsorted(edges, positions[scored].numpy(), side="right") - 1, 0, bins - 1)
    sums = np.bincount(which, weights=nll[scored].double().numpy(), minlength=bins)
    counts = np.bincount(which, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_bin = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return float(nll[scored].double().mean()), edges, per_bin


@dataclass(frozen=True, eq=False)
class AttentionView:
    """One head on one sequence: weights (T, T), the entropy of each query's row (nats), the tokens."""

    weights: np.ndarray
    entropy: np.ndarray
    tokens: np.ndarray


def attention_view(
    checkpoint: Checkpoint,
    scaling: Scaling,
    length: int,
    layer: int = -1,
    head: int = 0,
    seed: int = 0,
    depth: float | None = 0.5,
) -> AttentionView:
    """Attention of one head on a seeded sequence of length T; entropy H_m = -sum_n p_mn ln p_mn."""
    task = get_task(checkpoint.task)
    rng = cell_rng(seed, length)
    idx, _ = (
        task.batch(rng, 1, length, depth=depth)
        if checkpoint.task == "passkey"
        else task.batch(rng, 1, length)
    )
    maps = checkpoint.model.attention(idx, scaling)
    if not -len(maps) <= layer < len(maps) or not 0 <= head < checkpoint.config.n_head:
        raise LabError(
            f"the model has {len(maps)} layers and {checkpoint.config.n_head} heads; "
            f"got layer {layer}, head {head}"
        )
    p = maps[layer][0, head].double()  # (T, T)
    entropy = -(p * torch.log(p.clamp_min(1e-300))).sum(-1)
    return AttentionView(p.numpy(), entropy.numpy(), idx[0].numpy())


# ----------------------------------------------------------------------------------------------
# Training


ProgressCallback = Callable[[Progress], None]


def _optimizer(model: GPT, schedule: Schedule) -> torch.optim.AdamW:
    """Weight decay on matrices only (nanoGPT)."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": schedule.weight_decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=schedule.lr, betas=(0.9, 0.95))


def run_training(
    model: GPT,
    task_name: str,
    scaling: Scaling,
    length: int,
    schedule: Schedule,
    seed: int,
    *,
    eval_every: int = 0,
    eval_samples: int = 64,
    stop_at: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> TrainLog:
    """Train ``model`` in place on the task at length T. Every ``eval_every`` steps (and at step 0)
    the task metric is measured on a fixed seeded set of ``eval_samples`` sequences at length T;
    with ``stop_at`` training ends as soon as that metric reaches it. Raises LabError when the
    loss stops being finite or exceeds max(2 ln V + 1, 2 * first loss): far worse than uniform
    guessing, and than where training started (a model fine-tuned past its window may start
    above ln V)."""
    task = get_task(task_name)
    if length < task.min_length:
        raise LabError(
            f"the {task_name} task needs sequences of at least {task.min_length} tokens, got {length}"
        )
    rng = np.random.default_rng(seed)
    eval_set = monitor_set(task_name, seed, length, eval_samples) if eval_every else None
    better = higher_is_better(task_name)
    blow_up = 2 * math.log(task.vocab_size) + 1
    optimizer = _optimizer(model, schedule)
    log = TrainLog()
    start = time.perf_counter()

    def measure(step: int) -> float:
        model.eval()
        value = task_metric(task_name, model, scaling, *eval_set)
        model.train()
        log.eval_steps.append(step)
        log.eval_values.append(value)
        if (
            stop_at is not None
            and log.reached_target_at is None
            and (value >= stop_at if better else value <= stop_at)
        ):
            log.reached_target_at = step
        return value

    model.train()
    if eval_set is not None:
        measure(0)
    for step in range(schedule.steps):
        if log.reached_target_at is not None:
            break
        lr = schedule.lr_at(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        idx, targets = task.batch(rng, schedule.batch_size, length)
        _, loss = model(idx, scaling, targets)
        value = loss.item()
        if step == 0 and math.isfinite(value):
            blow_up = max(blow_up, 2 * value)
        if not math.isfinite(value) or value > blow_up:
            model.eval()
            raise LabError(
                f"Training diverged at step {step + 1}: the loss reached {value:.3g} (uniform guessing "
                f"gives {math.log(task.vocab_size):.2f}, the first step "
                f"{log.losses[0] if log.losses else value:.3g}). Lower the learning rate (it was "
                f"{schedule.lr:g})."
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), schedule.grad_clip)
        optimizer.step()
        log.losses.append(value)
        metric = measure(step + 1) if eval_every and (step + 1) % eval_every == 0 else None
        if on_progress is not None:
            on_progress(Progress(step + 1, schedule.steps, value, lr, time.perf_counter() - start, metric))
    model.eval()
    log.seconds = time.perf_counter() - start
    return log


def train(
    task_name: str,
    *,
    schedule: Schedule | None = None,
    seed: int = 0,
    config: ModelConfig | None = None,
    eval_every: int = 0,
    on_progress: ProgressCallback | None = None,
) -> tuple[Checkpoint, TrainLog]:
    """Pre-train a fresh model at its length L with plain RoPE."""
    task = get_task(task_name)
    schedule = schedule or BASE_SCHEDULES[task_name]
    config = config or BASE_CONFIGS.get(task_name, ModelConfig(vocab_size=task.vocab_size))
    if config.vocab_size != task.vocab_size:
        raise LabError(
            f"the {task_name} task needs vocab_size {task.vocab_size}, the config has {config.vocab_size}"
        )
    model = GPT(config, seed=seed)
    log = run_training(
        model,
        task_name,
        Scaling(),
        config.train_length,
        schedule,
        seed,
        eval_every=eval_every,
        on_progress=on_progress,
    )
    record = {
        "kind": "base",
        "seed": seed,
        "schedule": asdict(schedule),
        "seconds": round(log.seconds, 2),
        "final_loss": log.losses[-1],
    }
    model.requires_grad_(False)
    return Checkpoint(model, task_name, Scaling(), config.train_length, record), log


def fine_tune(
    base: Checkpoint,
    scaling: Scaling,
    *,
    schedule: Schedule = FINETUNE_SCHEDULE,
    seed: int = 0,
    eval_every: int = 10,
    eval_samples: int = 64,
    stop_at: float | None = None,
    on_progress: ProgressCallback | None = None,
) -> tuple[Checkpoint, TrainLog]:
    """Fine-tune a copy of ``base`` (never the shared original) at length s * L with ``scaling``."""
    length = round(scaling.factor * base.config.train_length)
    model = copy.deepcopy(base.model).requires_grad_(True)
    log = run_training(
        model,
        base.task,
        scaling,
        length,
        schedule,
        seed,
        eval_every=eval_every,
        eval_samples=eval_samples,
        stop_at=stop_at,
        on_progress=on_progress,
    )
    model.requires_grad_(False)
    record = {
        "kind": "finetune",
        "seed": seed,
        "schedule": asdict(schedule),
        "seconds": round(log.seconds, 2),
        "steps_run": len(log.losses),
        "from": base.record,
    }
    return Checkpoint(model, base.task, scaling, length, record), log


def sweep(
    checkpoint: Checkpoint,
    scaling: Scaling,
    *,
    lengths,
    samples: int,
    seed: int,
    match: bool,
    depths=(0.0, 0.25, 0.5, 0.75, 1.0),
    bins: int = 16,
) -> dict:
    """The task's view over evaluation lengths, as plain JSON-ready values.

    passkey: {"accuracy": (lengths x depths) grid, "by_length": mean over depths}, ``samples`` per cell;
    copy: {"nll_by_length", "position_edges", "nll_by_position"} (one row per length, None for
    empty bins), ``samples`` sequences per length.
    """
    lengths = [int(length) for length in lengths]
    if checkpoint.task == "passkey":
        grid = passkey_grid(checkpoint.model, scaling, lengths, depths, samples, seed, match=match)
        return {
            "lengths": lengths,
            "depths": list(depths),
            "accuracy": grid.tolist(),
            "by_length": grid.mean(axis=1).tolist(),
        }
    profiles = [
        copy_profile(checkpoint.model, scaling, length, samples, seed, bins=bins, match=match)
        for length in lengths
    ]
    return {
        "lengths": lengths,
        "nll_by_length": [mean for mean, _, _ in profiles],
        "position_edges": [edges.tolist() for _, edges, _ in profiles],
        "nll_by_position": [
            [None if np.isnan(v) else float(v) for v in per_bin] for _, _, per_bin in profiles
        ],
    }
