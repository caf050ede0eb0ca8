"""Training improves the metric, fine-tuning trains a copy, divergence stops with a message, and
evaluation is a deterministic function of (weights, scaling, seed)."""

import math

import numpy as np
import pytest
import torch

from yarn_core.lab.checkpoint import Checkpoint
from yarn_core.lab.errors import LabError
from yarn_core.lab.model import GPT, ModelConfig, Scaling
from yarn_core.lab.train import (
    Schedule,
    attention_view,
    copy_profile,
    evaluate,
    fine_tune,
    matched,
    passkey_grid,
    run_training,
    train,
)

PASSKEY = ModelConfig(vocab_size=13, train_length=32, n_layer=2, n_head=2, n_embd=32)


@pytest.fixture(scope="module")
def trained():
    """A small passkey model at L = 32 after 200 steps (a few seconds): it has learned that the
    answer is four digits, not yet which ones (exact retrieval takes ~1000 steps)."""
    checkpoint, log = train(
        "passkey",
        schedule=Schedule(steps=200, batch_size=32, lr=3e-3, warmup=30),
        seed=0,
        config=PASSKEY,
        eval_every=100,
    )
    return checkpoint, log


@pytest.mark.slow
def test_short_training_lowers_the_loss(trained):
    """(The metric itself improving under a short run is tested on the shipped model, test_lab_assets.)"""
    checkpoint, log = trained
    assert log.eval_steps == [0, 100, 200] and len(log.losses) == 200
    assert np.mean(log.losses[-20:]) < 0.8 * np.mean(log.losses[:20])
    assert (
        checkpoint.train_length == 32
        and checkpoint.scaling == Scaling()
        and checkpoint.record["kind"] == "base"
    )


def test_fine_tune_trains_a_copy_and_reports_progress(trained):
    base, _ = trained
    before = {k: v.clone() for k, v in base.model.state_dict().items()}
    seen = []
    tuned, log = fine_tune(
        base,
        Scaling("yarn", 2.0, beta_fast=4),
        schedule=Schedule(20, 8, 5e-4, 5),
        eval_every=10,
        eval_samples=16,
        on_progress=seen.append,
    )
    assert all(torch.equal(before[k], v) for k, v in base.model.state_dict().items())
    assert not torch.equal(tuned.model.wte.weight, base.model.wte.weight)
    assert [p.step for p in seen] == list(range(1, 21))
    assert [p.step for p in seen if p.metric is not None] == [10, 20]
    assert tuned.train_length == 64 and tuned.scaling.factor == 2.0 and log.eval_steps == [0, 10, 20]


def test_stop_at_ends_training_at_the_target(trained):
    base, _ = trained
    _, log = fine_tune(
        base,
        Scaling("yarn", 1.0),
        schedule=Schedule(50, 8, 5e-4, 5),
        eval_every=5,
        eval_samples=16,
        stop_at=0.0,
    )
    assert log.reached_target_at == 0 and log.losses == []


@pytest.mark.parametrize("lr", [0.0, -1e-3, math.nan, 5.0])
def test_absurd_learning_rates_are_refused(lr):
    with pytest.raises(LabError, match="learning rate"):
        Schedule(steps=10, batch_size=4, lr=lr, warmup=1)


def test_divergence_stops_with_a_message(trained):
    base, _ = trained
    with pytest.raises(LabError, match="diverged at step"):
        fine_tune(base, Scaling("linear", 2.0), schedule=Schedule(40, 8, 1.0, 1), eval_every=0)
    model = GPT(PASSKEY)
    with torch.no_grad():
        model.lm_head.weight.fill_(float("nan"))
    with pytest.raises(LabError, match=r"diverged at step 1.*nan"):
        run_training(model, "passkey", Scaling(), 32, Schedule(5, 4, 1e-3, 1), seed=0)


def test_evaluation_is_seeded_and_cells_are_independent(trained):
    checkpoint, _ = trained
    a = evaluate(checkpoint, Scaling("yarn", 2.0), 64, 16, seed=3)
    b = evaluate(checkpoint, Scaling("yarn", 2.0), 64, 16, seed=3)
    assert a == b and a["metric"] == "accuracy" and 0 <= a["value"] <= 1
    full = passkey_grid(checkpoint.model, Scaling("ntk"), [32, 64], [0.0, 0.5, 1.0], 8, seed=1)
    part = passkey_grid(checkpoint.model, Scaling("ntk"), [64], [0.0, 0.5, 1.0], 8, seed=1)
    np.testing.assert_array_equal(full[1], part[0])


def test_matched_scaling():
    assert matched(Scaling("linear"), PASSKEY, 128).factor == 4.0
    assert matched(Scaling("linear", 3.0), PASSKEY, 16).factor == 1.0
    assert matched(Scaling("dynamic_ntk", 2.0), PASSKEY, 128).factor == 1.0


def test_copy_profile_and_attention_view():
    config = ModelConfig(vocab_size=128, train_length=64, n_layer=1, n_head=2, n_embd=16)
    checkpoint = Checkpoint(GPT(config).eval(), "copy", Scaling(), 64)
    mean, edges, per_bin = copy_profile(checkpoint.model, Scaling(), 128, 8, seed=0, bins=8)
    assert edges.tolist() == list(range(0, 129, 16)) and per_bin.shape == (8,)
    assert math.isnan(per_bin[0])  # nothing is copied before position 25
    assert abs(mean - math.log(128)) < 0.5  # an untrained model is close to uniform
    view = attention_view(checkpoint, Scaling("yarn", 2.0), 128, layer=0, head=1)
    assert view.weights.shape == (128, 128) and view.entropy.shape == (128,)
    assert view.entropy[0] == 0 and np.all(view.entropy <= np.log(np.arange(1, 129)) + 1e-9)
    with pytest.raises(LabError, match="layers"):
        attention_view(checkpoint, Scaling(), 64, layer=3)
