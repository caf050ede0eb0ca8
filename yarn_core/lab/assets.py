"""What the lab ships in ``assets/lab``: the seed-0 base and fine-tuned checkpoints, the settings
they were built with, and ``results.json`` (every number the page draws, written by
``python -m yarn_core.lab build-assets``; ``results.py`` reads it).

results.json layout (lists follow ``lengths``; passkey grids are lengths x depths; every list
"per seed" follows settings.seeds, seed k = pre-training seed k then fine-tuning seed k):
    settings: train_length, lengths, depths, seeds, eval_seed, samples, targets, schedules, ...
    variants: {name: {"label", "scaling"}}
    base: {task: {"checkpoint" (seed 0), "records", "loss_every_10"}}        per seed
    zero_shot: {task: {variant: {"seeds", "sweeps"}}}                         per seed, s = T / L
    finetune: {task: {variant: {"checkpoint" (seed 0), "seeds", "steps", "curves", "steps_to_target",
                                "final" (sweeps at s = 4), "seconds"}}}      per seed
A sweep is what ``train.sweep`` returns.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .checkpoint import Checkpoint, load_checkpoint
from .errors import LabError
from .model import TRAIN_LENGTH, Scaling
from .train import PASSKEY_DEPTHS, sweep

ASSET_DIR = Path(__file__).resolve().parents[2] / "assets" / "lab"
RESULTS_NAME = "results.json"

LENGTHS = tuple(m * TRAIN_LENGTH for m in (1, 2, 4, 8))
DEPTHS = PASSKEY_DEPTHS
FINETUNE_FACTOR = 4
SEEDS = (0, 1, 2)
EVAL_SEED = 0
PASSKEY_SAMPLES = 32  # per (length, depth) cell in the shipped results
COPY_SAMPLES = 64  # per length in the shipped results
SWEEP_SAMPLES = {"passkey": PASSKEY_SAMPLES, "copy": COPY_SAMPLES}
PAGE_SAMPLES = {"passkey": 8, "copy": 16}  # live evaluation on the page: well under a second each
CURVE_EVERY = 10
CURVE_SAMPLES = 64
TARGETS = {"passkey": 0.9, "copy": 0.5}  # recovery: accuracy >= 0.9, or NLL <= 0.5 nats, at s = 4

# beta = 8 < L / (2 pi) ~ 10.2 turns: the largest count any pair reaches at L = 64 (see "the trap").
# Dynamic methods are not listed: evaluated at s = T / L they equal their static method exactly;
# they differ only against a fixed s (live_sweep(..., match=False)).
YARN_BETA = 8.0
VARIANTS: dict[str, tuple[str, Scaling]] = {
    "none": ("Plain RoPE", Scaling()),
    "linear": ("Position Interpolation", Scaling("linear")),
    "ntk": ("NTK-aware", Scaling("ntk")),
    "ntk_by_parts": ("NTK-by-parts (beta 8)", Scaling("ntk_by_parts", beta_fast=YARN_BETA)),
    "yarn": ("YaRN (beta 8)", Scaling("yarn", beta_fast=YARN_BETA)),
    "yarn_paper_beta32": (
        "YaRN, paper ramp, beta 32 (the trap)",
        Scaling("yarn", beta_fast=32.0, ramp="paper"),
    ),
    "yarn_paper_beta8": ("YaRN, paper ramp, beta 8", Scaling("yarn", beta_fast=YARN_BETA, ramp="paper")),
}
FINETUNED = ("none", "linear", "ntk", "yarn")


def checkpoint_name(task: str, variant: str = "base") -> str:
    """passkey-base.safetensors, or passkey-yarn-s4.safetensors for a fine-tuned one."""
    return (
        f"{task}-base.safetensors"
        if variant == "base"
        else f"{task}-{variant}-s{FINETUNE_FACTOR}.safetensors"
    )


def finetune_scaling(variant: str) -> Scaling:
    """The variant's scaling at s = FINETUNE_FACTOR (plain RoPE ignores the factor, but it sets the
    length)."""
    if variant not in VARIANTS:
        raise LabError(f"unknown variant {variant!r}; shipped: {', '.join(VARIANTS)}")
    return replace(VARIANTS[variant][1], factor=float(FINETUNE_FACTOR))


@lru_cache(maxsize=16)
def load_shipped(task: str, variant: str = "base", asset_dir: str = str(ASSET_DIR)) -> Checkpoint:
    """A shipped checkpoint, cached per (task, variant, dir). The model is frozen and shared:
    evaluate it freely; ``train.fine_tune`` trains a copy."""
    return load_checkpoint(Path(asset_dir) / checkpoint_name(task, variant), task=task)


def live_sweep(
    task: str,
    scaling: Scaling,
    *,
    samples: int | None = None,
    match: bool = True,
    variant: str = "base",
    asset_dir: str = str(ASSET_DIR),
) -> dict:
    """Evaluate a shipped model under any scaling now, over the shipped lengths (and depths), with
    few samples (PAGE_SAMPLES by default: about half a second per task on one thread)."""
    return sweep(
        load_shipped(task, variant, asset_dir),
        scaling,
        lengths=LENGTHS,
        depths=DEPTHS,
        samples=samples or PAGE_SAMPLES[task],
        seed=EVAL_SEED,
        match=match,
    )
