"""Rebuild everything in ``assets/lab``: base models, fine-tuned models and results.json.

Seed k is a whole pipeline: pre-train with seed k, then fine-tune that model with seed k. The
base models differ a lot between seeds (zero-shot accuracy at 4x can double from one to the
next), so every number is shipped for each seed; the checkpoints of seed 0 are shipped.

Jobs run in ``workers`` processes of one torch thread each. Every job is seeded and single-
threaded, so the output does not depend on how jobs are scheduled.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from .assets import (
    ASSET_DIR,
    CURVE_EVERY,
    CURVE_SAMPLES,
    DEPTHS,
    EVAL_SEED,
    FINETUNE_FACTOR,
    FINETUNED,
    LENGTHS,
    RESULTS_NAME,
    SEEDS,
    SWEEP_SAMPLES,
    TARGETS,
    TRAIN_LENGTH,
    VARIANTS,
    checkpoint_name,
    finetune_scaling,
)
from .checkpoint import load_checkpoint, save_checkpoint
from .tasks import SYNTHETIC
from .train import BASE_SCHEDULES, FINETUNE_SCHEDULE, fine_tune, higher_is_better, sweep, train


def _base_path(task: str, seed: int, out_dir: Path, scratch: Path) -> Path:
    """Seed 0 is shipped; the other seeds' base models live only during the build."""
    return (
        out_dir / checkpoint_name(task)
        if seed == SEEDS[0]
        else scratch / f"{task}-base-seed{seed}.safetensors"
    )


def _base_job(task: str, seed: int, path: Path) -> dict:
    checkpoint, log = train(task, seed=seed)
    save_checkpoint(checkpoint, path)
    return {
        "record": checkpoint.record,
        "loss_every_10": np.asarray(log.losses).reshape(-1, 10).mean(axis=1).tolist(),
    }


def _zero_shot_job(task: str, variant: str, base_path: Path) -> dict:
    base = load_checkpoint(base_path, task=task)
    return sweep(
        base,
        VARIANTS[variant][1],
        lengths=LENGTHS,
        samples=SWEEP_SAMPLES[task],
        seed=EVAL_SEED,
        match=True,
        depths=DEPTHS,
    )


def _finetune_job(task: str, variant: str, seed: int, base_path: Path, out_path: Path | None) -> dict:
    base = load_checkpoint(base_path, task=task)
    scaling = finetune_scaling(variant)
    tuned, log = fine_tune(base, scaling, seed=seed, eval_every=CURVE_EVERY, eval_samples=CURVE_SAMPLES)
    if out_path is not None:
        save_checkpoint(tuned, out_path)
    final = sweep(
        tuned,
        scaling,
        lengths=LENGTHS,
        samples=SWEEP_SAMPLES[task],
        seed=EVAL_SEED,
        match=False,
        depths=DEPTHS,
    )
    return {
        "steps": log.eval_steps,
        "curve": log.eval_values,
        "final": final,
        "seconds": round(log.seconds, 2),
    }


def steps_to_target(steps: list[int], values: list[float], target: float, higher: bool) -> int | None:
    """The first evaluated step whose metric reaches the target, None if none does."""
    for step, value in zip(steps, values, strict=True):
        if (value >= target) if higher else (value <= target):
            return step
    return None


def build_assets(
    out_dir: str | os.PathLike = ASSET_DIR, workers: int = 2, log: Callable[[str], None] = print
) -> dict:
    """Train, fine-tune, evaluate; write the seed-0 checkpoints and results.json into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with (
        tempfile.TemporaryDirectory() as scratch,
        ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool,
    ):
        base_at = {
            (task, seed): _base_path(task, seed, out_dir, Path(scratch))
            for task in SYNTHETIC
            for seed in SEEDS
        }
        base_jobs = {key: pool.submit(_base_job, *key, path) for key, path in base_at.items()}
        base = {key: job.result() for key, job in base_jobs.items()}
        log(f"{len(base)} base models trained ({time.perf_counter() - start:.0f} s)")
        tuning = {
            (task, variant, seed): pool.submit(
                _finetune_job,
                task,
                variant,
                seed,
                base_at[task, seed],
                out_dir / checkpoint_name(task, variant) if seed == SEEDS[0] else None,
            )
            for task in SYNTHETIC
            for variant in FINETUNED
            for seed in SEEDS
        }
        zero = {
            (task, variant, seed): pool.submit(_zero_shot_job, task, variant, base_at[task, seed])
            for task in SYNTHETIC
            for variant in VARIANTS
            for seed in SEEDS
        }
        runs = {key: job.result() for key, job in tuning.items()}
        sweeps = {key: job.result() for key, job in zero.items()}
        log(
            f"{len(runs)} fine-tunes and {len(sweeps)} zero-shot sweeps done "
            f"({time.perf_counter() - start:.0f} s)"
        )

    results = {
        "settings": {
            "train_length": TRAIN_LENGTH,
            "lengths": list(LENGTHS),
            "depths": list(DEPTHS),
            "seeds": list(SEEDS),
            "eval_seed": EVAL_SEED,
            "samples": SWEEP_SAMPLES,
            "finetune_factor": FINETUNE_FACTOR,
            "curve_every": CURVE_EVERY,
            "curve_samples": CURVE_SAMPLES,
            "targets": TARGETS,
            "base_schedules": {task: asdict(s) for task, s in BASE_SCHEDULES.items()},
            "finetune_schedule": asdict(FINETUNE_SCHEDULE),
            "torch": torch.__version__,
            "build_seconds": round(time.perf_counter() - start, 1),
            "workers": workers,
        },
        "variants": {
            name: {"label": label, "scaling": scaling.to_dict()}
            for name, (label, scaling) in VARIANTS.items()
        },
        "base": {
            task: {
                "checkpoint": checkpoint_name(task),
                "seeds": list(SEEDS),
                "records": [base[task, seed]["record"] for seed in SEEDS],
                "loss_every_10": [base[task, seed]["loss_every_10"] for seed in SEEDS],
            }
            for task in SYNTHETIC
        },
        "zero_shot": {
            task: {
                variant: {"seeds": list(SEEDS), "sweeps": [sweeps[task, variant, seed] for seed in SEEDS]}
                for variant in VARIANTS
            }
            for task in SYNTHETIC
        },
        "finetune": {
            task: {
                variant: _curves(task, [runs[task, variant, seed] for seed in SEEDS], variant)
                for variant in FINETUNED
            }
            for task in SYNTHETIC
        },
    }
    partial = out_dir / (RESULTS_NAME + ".partial")
    partial.write_text(json.dumps(results, indent=1, allow_nan=False))
    os.replace(partial, out_dir / RESULTS_NAME)
    log(f"wrote {out_dir / RESULTS_NAME} ({results['settings']['build_seconds']} s)")
    return results


def _curves(task: str, per_seed: list[dict], variant: str) -> dict:
    steps = per_seed[0]["steps"]
    return {
        "checkpoint": checkpoint_name(task, variant),
        "seeds": list(SEEDS),
        "steps": steps,
        "curves": [run["curve"] for run in per_seed],
        "steps_to_target": [
            steps_to_target(steps, run["curve"], TARGETS[task], higher_is_better(task)) for run in per_seed
        ],
        "final": [run["final"] for run in per_seed],
        "seconds": [run["seconds"] for run in per_seed],
    }
