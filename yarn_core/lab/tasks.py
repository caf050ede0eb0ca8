"""Two synthetic tasks, generated in code from a seed (nothing is downloaded).

Both return ``(idx, targets)`` int64 tensors of shape (B, T); ``targets[b, t]`` is the token the
model must predict after reading ``idx[b, :t+1]``, or -1 where no loss is taken.

* passkey: filler with ``KEY d1 d2 d3 d4`` at some depth and ``QUERY d1 d2 d3 d4`` at the end;
  loss on the four answer digits. Depth 0 puts the key at the very start (farthest from the
  query), depth 1 right before the query. As in the original passkey test (Mohtashami & Jaggi
  2023) the haystack is the same filler repeated: by default one filler token.
* copy: random tokens where a random segment is repeated later; loss on the copied tokens that can
  be predicted (all but the first), which needs an induction head: find the earlier occurrence of
  the current token and copy what came next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from .errors import LabError
from .shakespeare import ShakespeareTask


def _tensors(idx: np.ndarray, targets: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(idx.astype(np.int64)), torch.from_numpy(targets.astype(np.int64))


@dataclass(frozen=True)
class PasskeyTask:
    """Vocabulary: digits 0-9, KEY, QUERY, then ``n_filler`` filler tokens drawn uniformly."""

    n_filler: int = 1
    digits: int = 4
    name: ClassVar[str] = "passkey"
    metric: ClassVar[str] = "accuracy"
    KEY: ClassVar[int] = 10
    QUERY: ClassVar[int] = 11

    @property
    def vocab_size(self) -> int:
        return 12 + self.n_filler

    @property
    def min_length(self) -> int:
        """KEY + digits, then QUERY + digits."""
        return 2 * (self.digits + 1)

    def key_position(self, length: int, depth: float) -> int:
        """Index of KEY for depth in [0, 1]: k = round(depth * (T - 2 (digits + 1)))."""
        return round(depth * (length - self.min_length))

    def batch(self, rng: np.random.Generator, batch_size: int, length: int, depth: float | None = None):
        """A batch at length T; the key depth is uniform unless ``depth`` is given."""
        if length < self.min_length:
            raise LabError(f"a passkey sequence needs at least {self.min_length} tokens, got {length}")
        B, T, n = batch_size, length, self.digits
        idx = rng.integers(12, 12 + self.n_filler, size=(B, T))
        answer = rng.integers(0, 10, size=(B, n))
        if depth is None:
            key_at = rng.integers(0, T - self.min_length + 1, size=B)
        else:
            key_at = np.full(B, self.key_position(T, depth))
        rows = np.arange(B)[:, None]
        idx[np.arange(B), key_at] = self.KEY
        idx[rows, key_at[:, None] + 1 + np.arange(n)] = answer
        idx[:, T - n - 1] = self.QUERY
        idx[:, T - n :] = answer
        targets = np.full((B, T), -1)
        targets[:, T - n - 1 : T - 1] = answer  # QUERY predicts d1, d1 predicts d2, ...
        return _tensors(idx, targets)


@dataclass(frozen=True)
class CopyTask:
    """Uniform random tokens over ``vocab``; a segment of ``segment`` tokens at position p is
    repeated at q >= p + segment (p and q uniform over what fits)."""

    vocab: int = 128
    segment: int = 24
    name: ClassVar[str] = "copy"
    metric: ClassVar[str] = "nll"

    @property
    def vocab_size(self) -> int:
        return self.vocab

    @property
    def min_length(self) -> int:
        return 2 * self.segment

    def batch(self, rng: np.random.Generator, batch_size: int, length: int):
        if length < self.min_length:
            raise LabError(f"a copy sequence needs at least {self.min_length} tokens, got {length}")
        B, T, S = batch_size, length, self.segment
        idx = rng.integers(0, self.vocab, size=(B, T))
        source = rng.integers(0, T - 2 * S + 1, size=B)
        copy = source + S + (rng.random(B) * (T - S - (source + S) + 1)).astype(np.int64)
        rows, offsets = np.arange(B)[:, None], np.arange(S)
        idx[rows, copy[:, None] + offsets] = idx[rows, source[:, None] + offsets]
        targets = np.full((B, T), -1)
        predicted = copy[:, None] + offsets[1:]  # copied tokens 2..S, read at the position before
        targets[rows, predicted - 1] = idx[rows, predicted]
        return _tensors(idx, targets)


TASKS = {"passkey": PasskeyTask(), "copy": CopyTask(), "shakespeare": ShakespeareTask()}
SYNTHETIC = ("passkey", "copy")


def get_task(name: str):
    if name not in TASKS:
        raise LabError(f"unknown task {name!r}; the lab has {', '.join(TASKS)}")
    return TASKS[name]
