"""Checkpoints round-trip, and every kind of damage gives a LabError with a sentence."""

import json
import struct

import pytest
import torch
from safetensors.torch import save_file

from yarn_core.lab.checkpoint import FORMAT, Checkpoint, load_checkpoint, save_checkpoint
from yarn_core.lab.errors import LabError
from yarn_core.lab.model import GPT, ModelConfig, Scaling

CONFIG = ModelConfig(vocab_size=13, train_length=32, n_layer=1, n_head=2, n_embd=16)


@pytest.fixture
def saved(tmp_path):
    checkpoint = Checkpoint(
        GPT(CONFIG).eval(), "passkey", Scaling("yarn", 2.0, beta_fast=8), 64, {"kind": "test"}
    )
    return checkpoint, save_checkpoint(checkpoint, tmp_path / "model.safetensors")


def read_header(path):
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + size]), data[8 + size :]


def write_header(path, header, body):
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)


def edit_metadata(path, **changes):
    header, body = read_header(path)
    header["__metadata__"].update(changes)
    write_header(path, header, body)


def test_round_trip(saved):
    checkpoint, path = saved
    loaded = load_checkpoint(path, task="passkey")
    assert loaded.config == CONFIG and loaded.scaling == checkpoint.scaling and loaded.train_length == 64
    assert loaded.record == {"kind": "test"} and not loaded.model.training
    assert all(not p.requires_grad for p in loaded.model.parameters())
    idx = torch.randint(0, 13, (2, 40))
    with torch.no_grad():
        torch.testing.assert_close(
            loaded.model(idx, Scaling("ntk", 2))[0], checkpoint.model(idx, Scaling("ntk", 2))[0]
        )


def test_missing_and_not_safetensors(tmp_path):
    with pytest.raises(LabError, match="no checkpoint file"):
        load_checkpoint(tmp_path / "nowhere.safetensors")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(LabError, match="not a readable safetensors file"):
        load_checkpoint(junk)


@pytest.mark.parametrize("keep", [0.3, 0.9, 0.999])
def test_truncated(saved, keep):
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(LabError, match="truncated or corrupt"):
        load_checkpoint(path)


def test_tampered_header_bytes(saved):
    _, path = saved
    data = bytearray(path.read_bytes())
    data[12:20] = b"\xff" * 8  # inside the JSON header
    path.write_bytes(bytes(data))
    with pytest.raises(LabError, match="not a readable safetensors file"):
        load_checkpoint(path)


def test_tampered_metadata_json(saved):
    _, path = saved
    edit_metadata(path, model="{not json")
    with pytest.raises(LabError, match=r"'model' entry .* not valid JSON"):
        load_checkpoint(path)


def test_wrong_shapes(saved):
    _, path = saved
    edit_metadata(path, model=json.dumps({**CONFIG.to_dict(), "n_embd": 32}))
    with pytest.raises(LabError, match="has shape"):
        load_checkpoint(path)


def test_wrong_task(saved):
    _, path = saved
    with pytest.raises(LabError, match="trained on the passkey task, but a copy model was expected"):
        load_checkpoint(path, task="copy")
    edit_metadata(path, task="copy")  # the copy task's vocabulary is 128, not 13
    with pytest.raises(LabError, match="vocabulary"):
        load_checkpoint(path)
    edit_metadata(path, task="sorting")
    with pytest.raises(LabError, match="task this lab does not have"):
        load_checkpoint(path)


def test_inconsistent_length_or_scaling(saved):
    _, path = saved
    edit_metadata(path, train_length="100")
    with pytest.raises(LabError, match="trained at length 100"):
        load_checkpoint(path)
    edit_metadata(path, train_length="64", scaling=json.dumps({"method": "warp", "factor": 2.0}))
    with pytest.raises(LabError, match="unknown scaling method"):
        load_checkpoint(path)


def test_altered_weights_fail_the_checksum(saved):
    _, path = saved
    header, body = read_header(path)
    body = bytearray(body)
    body[100] ^= 0xFF
    write_header(path, header, bytes(body))
    with pytest.raises(LabError, match="checksum"):
        load_checkpoint(path)


def test_foreign_safetensors_and_missing_tensors(saved, tmp_path):
    checkpoint, path = saved
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": torch.zeros(2)}, str(foreign))
    with pytest.raises(LabError, match="not a YaRN Explorer lab checkpoint"):
        load_checkpoint(foreign)
    header, _ = read_header(path)
    tensors = {k: v for k, v in checkpoint.model.state_dict().items() if k != "lm_head.weight"}
    partial = tmp_path / "partial.safetensors"
    save_file(tensors, str(partial), metadata={**header["__metadata__"], "format": FORMAT})
    with pytest.raises(LabError, match=r"missing \['lm_head\.weight'\]"):
        load_checkpoint(partial)


def test_non_finite_weights(saved, tmp_path):
    checkpoint, path = saved
    header, _ = read_header(path)
    tensors = dict(checkpoint.model.state_dict())
    tensors["wte.weight"] = tensors["wte.weight"].clone()
    tensors["wte.weight"][0, 0] = float("nan")
    bad = tmp_path / "nan.safetensors"
    save_file(tensors, str(bad), metadata=header["__metadata__"])
    with pytest.raises(LabError, match="NaN"):
        load_checkpoint(bad)
