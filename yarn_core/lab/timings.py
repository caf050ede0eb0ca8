"""Timings the lab promises (run on a quiet machine; the figures are seconds):

* first_view: load results.json and both shipped base models, then evaluate plain RoPE live over
  every length (passkey heatmap, copy loss by position) as the page's first view does (<= 3 s);
* finetune: fine-tune the shipped (seed 0) model of each task with YaRN at s = 4 until the
  recovery target is reached, or the 150-step schedule ends (<= 30 s); also reported: the steps
  run and whether the target was reached (1.0) or not (0.0).

* language_evaluate: bits/char of the shipped Shakespeare base model with YaRN at s = 4 on the first
  8 held-out windows of 512 characters, as the page's live evaluation (<= 2 s);
* language_generate: 160 characters written after the shipped prompt with YaRN at s = 4, one forward
  pass each, as the page's "generate now".

``python -m yarn_core.lab.timings`` prints them as JSON (``python -m tests.perf.bench`` reports them).
"""

from __future__ import annotations

import json
import time

from .assets import (
    ASSET_DIR,
    CURVE_EVERY,
    CURVE_SAMPLES,
    TARGETS,
    finetune_scaling,
    live_sweep,
    load_shipped,
)
from .model import Scaling
from .results import load_results
from .train import fine_tune


def measure() -> dict[str, float]:
    load_shipped.cache_clear()
    load_results.cache_clear()
    start = time.perf_counter()
    load_results()
    for task in ("passkey", "copy"):
        live_sweep(task, Scaling())
    first_view = time.perf_counter() - start

    figures = {"lab_first_view_s": round(first_view, 3)}
    for task in ("passkey", "copy"):
        start = time.perf_counter()
        _, log = fine_tune(
            load_shipped(task),
            finetune_scaling("yarn"),
            eval_every=CURVE_EVERY,
            eval_samples=CURVE_SAMPLES,
            stop_at=TARGETS[task],
        )
        figures[f"lab_finetune_{task}_yarn_s"] = round(time.perf_counter() - start, 3)
        figures[f"lab_finetune_{task}_yarn_steps"] = float(len(log.losses))
        figures[f"lab_finetune_{task}_yarn_recovered"] = float(log.reached_target_at is not None)
    figures.update(language_timings())
    return figures


def language_timings() -> dict[str, float]:
    from . import language
    from .checkpoint import load_checkpoint
    from .language_build import checkpoint_name

    base = load_checkpoint(ASSET_DIR / checkpoint_name(), task="shakespeare")
    scaling = language.default_scaling("yarn", 4)
    start = time.perf_counter()
    language.bits_per_window(base.model, scaling, 512, first=8)
    evaluate_s = time.perf_counter() - start
    start = time.perf_counter()
    language.generate(base, scaling, language.sample_prompt(), 160)
    return {
        "lab_language_evaluate_s": round(evaluate_s, 3),
        "lab_language_generate_s": round(time.perf_counter() - start, 3),
    }


if __name__ == "__main__":
    print(json.dumps(measure()))
