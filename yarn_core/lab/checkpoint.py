"""Checkpoints as safetensors files (never pickle): the weights, plus JSON strings in the header
saying what they are. Everything is checked on load; any problem raises ``LabError``.

Header metadata (all strings): format, task, model (ModelConfig as JSON), scaling (the Scaling
the weights were last trained with, as JSON), train_length (the sequence length of that
training), record (how it was trained, JSON) and weights_sha256 (digest of every tensor).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .errors import LabError
from .model import GPT, ModelConfig, Scaling
from .tasks import get_task

FORMAT = "yarn-explorer-lab/1"


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """A model with what it is for. ``scaling`` and ``train_length`` describe its last training:
    Scaling() and L for a base model, the method and s * L for a fine-tuned one."""

    model: GPT
    task: str
    scaling: Scaling
    train_length: int
    record: dict = field(default_factory=dict)

    @property
    def config(self) -> ModelConfig:
        return self.model.config


def weights_digest(tensors: dict[str, torch.Tensor]) -> str:
    """sha256 over (name, dtype, shape, bytes) of every tensor, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
    return digest.hexdigest()


def save_checkpoint(checkpoint: Checkpoint, path: str | os.PathLike) -> Path:
    """Write atomically (temporary file, then rename) so a reader never sees half a file."""
    path = Path(path)
    tensors = {name: t.detach().contiguous() for name, t in checkpoint.model.state_dict().items()}
    metadata = {
        "format": FORMAT,
        "task": checkpoint.task,
        "model": json.dumps(checkpoint.config.to_dict()),
        "scaling": json.dumps(checkpoint.scaling.to_dict()),
        "train_length": str(checkpoint.train_length),
        "record": json.dumps(checkpoint.record),
        "weights_sha256": weights_digest(tensors),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    save_file(tensors, str(partial), metadata=metadata)
    partial.chmod(0o644)  # safetensors creates the file owner-only; checkpoints are meant to be shared
    os.replace(partial, path)
    return path


def load_checkpoint(path: str | os.PathLike, task: str | None = None) -> Checkpoint:
    """Read and validate a checkpoint; ``task`` (if given) is the task the caller expects.
    The model comes back in eval mode with gradients off: share it freely, copy it to train."""
    path = Path(path)
    if not path.is_file():
        raise LabError(f"There is no checkpoint file at {path}.")
    try:
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
            names = handle.keys()  # a safetensors handle, not a dict: it has no __iter__
            tensors = {name: handle.get_tensor(name) for name in names}
    except (SafetensorError, OSError, ValueError, RuntimeError) as err:
        raise LabError(
            f"{path.name} is not a readable safetensors file (truncated or corrupt?): {err}"
        ) from err
    if metadata.get("format") != FORMAT:
        raise LabError(
            f"{path.name} is a safetensors file but not a YaRN Explorer lab checkpoint "
            f"(no {FORMAT!r} format tag)."
        )

    config = _from_json(path, metadata, "model", ModelConfig)
    scaling = _from_json(path, metadata, "scaling", Scaling)
    record = _json_field(path, metadata, "record")
    stored_task = metadata.get("task", "")
    try:
        task_spec = get_task(stored_task)
    except LabError as err:
        raise LabError(
            f"{path.name} says it was trained on {stored_task!r}, a task this lab does not have."
        ) from err
    if task is not None and stored_task != task:
        raise LabError(
            f"{path.name} holds a model trained on the {stored_task} task, but a {task} model was expected."
        )
    if config.vocab_size != task_spec.vocab_size:
        raise LabError(
            f"{path.name} has a vocabulary of {config.vocab_size} tokens, but the {stored_task} task "
            f"uses {task_spec.vocab_size}."
        )
    train_length = _int_field(path, metadata, "train_length")
    expected_length = round(scaling.factor * config.train_length)
    if train_length != expected_length:
        raise LabError(
            f"{path.name} says it was trained at length {train_length}, which does not match its scale "
            f"{scaling.factor} x L = {config.train_length} (expected {expected_length})."
        )

    model = GPT(config)
    _check_tensors(path, model.state_dict(), tensors)
    if weights_digest(tensors) != metadata.get("weights_sha256"):
        raise LabError(
            f"The weights in {path.name} do not match the checksum in its header: the file was altered "
            "or damaged."
        )
    model.load_state_dict(tensors)
    model.eval().requires_grad_(False)
    return Checkpoint(model, stored_task, scaling, train_length, record)


def _json_field(path: Path, metadata: dict, key: str) -> dict:
    try:
        value = json.loads(metadata[key])
    except KeyError:
        raise LabError(f"The header of {path.name} has no {key!r} entry.") from None
    except json.JSONDecodeError as err:
        raise LabError(f"The {key!r} entry in the header of {path.name} is not valid JSON ({err}).") from None
    if not isinstance(value, dict):
        raise LabError(f"The {key!r} entry in the header of {path.name} should be a JSON object.")
    return value


def _from_json(path: Path, metadata: dict, key: str, kind):
    value = _json_field(path, metadata, key)
    try:
        return kind(**value)
    except TypeError as err:
        raise LabError(
            f"The {key!r} entry in the header of {path.name} has unexpected fields ({err})."
        ) from None
    except LabError as err:
        raise LabError(f"The {key!r} entry in the header of {path.name} is invalid: {err}") from None


def _int_field(path: Path, metadata: dict, key: str) -> int:
    try:
        return int(metadata[key])
    except (KeyError, ValueError):
        raise LabError(f"The header of {path.name} needs a whole number for {key!r}.") from None


def _check_tensors(path: Path, expected: dict[str, torch.Tensor], found: dict[str, torch.Tensor]) -> None:
    missing, unexpected = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
    if missing or unexpected:
        raise LabError(
            f"{path.name} does not fit the model its header describes: missing {missing or 'nothing'}, "
            f"unexpected {unexpected or 'nothing'}."
        )
    for name, tensor in found.items():
        if tensor.shape != expected[name].shape:
            raise LabError(
                f"{path.name}: tensor {name} has shape {tuple(tensor.shape)}, but the model in its header "
                f"needs {tuple(expected[name].shape)}."
            )
        if tensor.dtype != torch.float32:
            raise LabError(f"{path.name}: tensor {name} is {tensor.dtype}, expected float32.")
        if not bool(torch.isfinite(tensor).all()):
            raise LabError(f"{path.name}: tensor {name} holds NaN or infinite values.")
