"""python -m yarn_core.lab round-trips train -> finetune -> evaluate, and fails with one sentence."""

import json
import subprocess
import sys

import pytest

from tests.support import ROOT
from yarn_core.lab.__main__ import main
from yarn_core.lab.checkpoint import load_checkpoint
from yarn_core.lab.model import Scaling
from yarn_core.lab.train import evaluate

REPO = ROOT


def lab(*args):
    """The real command, in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-m", "yarn_core.lab", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_train_finetune_evaluate_round_trip(tmp_path, capsys):
    base, tuned = tmp_path / "base.safetensors", tmp_path / "tuned.safetensors"
    # train and finetune run in this process (their printed JSON read back); evaluate runs the real
    # command in a fresh interpreter, and must print what the same call in this process returns.
    assert main(["train", "--task", "copy", "--steps", "20", "--batch-size", "8", "--out", str(base)]) == 0
    trained = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert trained["task"] == "copy" and load_checkpoint(base, task="copy").train_length == 64

    assert (
        main(
            [
                "finetune",
                "--checkpoint",
                str(base),
                "--method",
                "yarn",
                "--scale",
                "2",
                "--steps",
                "4",
                "--batch-size",
                "4",
                "--out",
                str(tuned),
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["length"] == 128

    printed = lab(
        "evaluate",
        "--checkpoint",
        tuned,
        "--method",
        "yarn",
        "--scale",
        2,
        "--length",
        128,
        "--samples",
        8,
        "--seed",
        5,
    )
    assert printed["metric"] == "nll" and printed["value"] > 0
    in_process = evaluate(load_checkpoint(tuned, task="copy"), Scaling("yarn", 2.0), 128, 8, seed=5)
    assert in_process["value"] == printed["value"]


def test_errors_are_one_sentence(tmp_path, capsys):
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    assert (
        main(["evaluate", "--checkpoint", str(broken), "--method", "none", "--scale", "1", "--length", "64"])
        == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert main(["train", "--task", "passkey", "--lr", "50", "--out", str(tmp_path / "x.safetensors")]) == 2
    assert "learning rate" in capsys.readouterr().err
