"""The shipped assets: no number on the lab page is typed in by hand.

A sample of the shipped results is recomputed from the shipped checkpoints with the same seeds.
Tolerance: the build and this test both run torch on one thread with the same seeded inputs, so
on the build machine the numbers are bit-identical. On another CPU, float32 kernels may sum in a
different order (logits move by ~1e-6), which can flip a prediction only when two logits tie to
that precision: we allow one sequence per passkey cell (1 / samples) and 1e-3 nats of copy NLL,
far below the differences the page discusses (>= 0.1 between methods).
"""

import numpy as np
import pytest

from yarn_core.lab import assets
from yarn_core.lab.assets import (
    ASSET_DIR,
    CURVE_SAMPLES,
    DEPTHS,
    EVAL_SEED,
    FINETUNED,
    LENGTHS,
    SEEDS,
    SWEEP_SAMPLES,
    TARGETS,
    VARIANTS,
    checkpoint_name,
    finetune_scaling,
    load_shipped,
)
from yarn_core.lab.results import Sweep, load_results
from yarn_core.lab.tasks import SYNTHETIC
from yarn_core.lab.train import Schedule, fine_tune, monitor_set, sweep, task_metric

RESULTS = load_results()


def close(task, shipped, recomputed, samples):
    if task == "passkey":
        np.testing.assert_allclose(recomputed, shipped, rtol=0, atol=1 / samples + 1e-9)
    else:
        np.testing.assert_allclose(recomputed, shipped, rtol=0, atol=1e-3)


def test_shipped_files_exist_and_are_small():
    names = {checkpoint_name(task, variant) for task in SYNTHETIC for variant in ("base", *FINETUNED)}
    synthetic = {
        path.name for path in ASSET_DIR.glob("*.safetensors") if not path.name.startswith("shakespeare-")
    }
    assert names == synthetic
    assert sum((ASSET_DIR / name).stat().st_size for name in names) < 6_000_000
    for task in SYNTHETIC:
        assert load_shipped(task).train_length == 64
        for variant in FINETUNED:
            tuned = load_shipped(task, variant)
            assert tuned.scaling == finetune_scaling(variant) and tuned.train_length == 256


def test_results_cover_what_the_page_draws():
    settings = RESULTS.settings
    assert settings.lengths == LENGTHS and settings.depths == DEPTHS
    assert settings.targets == TARGETS and settings.samples == SWEEP_SAMPLES
    assert settings.seeds == SEEDS and len(SEEDS) >= 3
    assert set(RESULTS.variants) == set(VARIANTS)
    assert all(RESULTS.variant(v).scaling == scaling for v, (_, scaling) in VARIANTS.items())
    for task in SYNTHETIC:
        assert set(RESULTS.zero_shot_variants(task)) == set(VARIANTS)
        assert [run.seed for run in RESULTS.base(task)] == list(SEEDS)
        for variant in VARIANTS:
            sweeps = RESULTS.zero_shot(task, variant)
            assert sweeps.values.shape == (len(SEEDS), len(LENGTHS))
            if task == "passkey":
                assert np.stack([s.accuracy for s in sweeps.sweeps]).shape[0] == len(SEEDS)
        for variant in FINETUNED:
            curves = RESULTS.finetune(task, variant)
            assert curves.seeds == SEEDS
            assert curves.curves.shape == (len(SEEDS), len(curves.steps)) and curves.steps[0] == 0
            assert np.all(curves.low <= curves.mean) and np.all(curves.mean <= curves.high)


@pytest.mark.parametrize(
    "task, variant, length",
    [
        ("passkey", "none", 128),
        ("passkey", "yarn", 256),
        ("passkey", "yarn_paper_beta32", 256),
        ("copy", "none", 128),
        ("copy", "yarn", 256),
        ("copy", "linear", 512),
    ],
)
def test_zero_shot_results_reproduce(task, variant, length):
    """Seed 0's base model is shipped: its sweeps must come out again."""
    recomputed = sweep(
        load_shipped(task),
        VARIANTS[variant][1],
        lengths=[length],
        samples=SWEEP_SAMPLES[task],
        seed=EVAL_SEED,
        match=True,
        depths=DEPTHS,
    )
    shipped = RESULTS.zero_shot(task, variant).of_seed(0)
    row = shipped.lengths.index(length)
    if task == "passkey":
        close(task, shipped.accuracy[row], recomputed["accuracy"][0], SWEEP_SAMPLES[task])
    else:
        close(task, shipped.metric[row], recomputed["nll_by_length"][0], SWEEP_SAMPLES[task])
        close(
            task,
            shipped.nll_by_position[row],
            Sweep.from_dict(task, recomputed).nll_by_position[0],
            SWEEP_SAMPLES[task],
        )


@pytest.mark.slow
@pytest.mark.parametrize("task, variant", [("passkey", "linear"), ("passkey", "none"), ("copy", "yarn")])
def test_finetuned_checkpoints_reproduce_their_results(task, variant):
    """The seed-0 checkpoint is the model at the end of the seed-0 curve, and its sweep is shipped."""
    tuned = load_shipped(task, variant)
    entry = RESULTS.finetune(task, variant)
    final_metric = task_metric(
        task, tuned.model, tuned.scaling, *monitor_set(task, SEEDS[0], tuned.train_length, CURVE_SAMPLES)
    )
    close(task, entry.curves[0][-1], final_metric, CURVE_SAMPLES)
    length = 512
    recomputed = sweep(
        tuned,
        tuned.scaling,
        lengths=[length],
        samples=SWEEP_SAMPLES[task],
        seed=EVAL_SEED,
        match=False,
        depths=DEPTHS,
    )
    row = LENGTHS.index(length)
    key = "accuracy" if task == "passkey" else "nll_by_length"
    shipped = entry.final.of_seed(SEEDS[0])
    close(
        task,
        (shipped.accuracy if task == "passkey" else shipped.metric)[row],
        recomputed[key][0],
        SWEEP_SAMPLES[task],
    )


@pytest.mark.slow
def test_a_short_fine_tune_improves_the_metric():
    """The shipped copy model is lost at 4x even with YaRN (NLL ~5 nats); 20 steps bring it far down
    (the shipped curves fall below 1 nat by step 20 in every seed)."""
    _, log = fine_tune(
        load_shipped("copy"),
        finetune_scaling("yarn"),
        schedule=Schedule(20, 16, 5e-4, 5),
        eval_every=20,
        eval_samples=32,
    )
    assert log.eval_values[-1] < log.eval_values[0] - 1.0


def test_page_helpers_read_the_shipped_numbers():
    live = assets.live_sweep("passkey", VARIANTS["none"][1], samples=2)
    assert np.array(live["accuracy"]).shape == (len(LENGTHS), len(DEPTHS))
    curves = RESULTS.finetune("passkey", "yarn")
    assert curves.mean.shape == curves.steps.shape
