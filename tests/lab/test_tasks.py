"""The lab's tasks generate what they claim."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yarn_core.lab.errors import LabError
from yarn_core.lab.tasks import CopyTask, PasskeyTask, get_task


@settings(max_examples=15, deadline=None)
@given(
    length=st.integers(10, 300), seed=st.integers(0, 2**32 - 1), depth=st.one_of(st.none(), st.floats(0, 1))
)
def test_passkey_layout(length, seed, depth):
    task = PasskeyTask()
    idx, targets = task.batch(np.random.default_rng(seed), 4, length, depth=depth)
    idx, targets = idx.numpy(), targets.numpy()
    assert idx.shape == targets.shape == (4, length)
    for row, target in zip(idx, targets, strict=True):
        (key_at,) = np.flatnonzero(row == task.KEY)
        assert np.flatnonzero(row == task.QUERY).tolist() == [length - 5]
        digits = row[key_at + 1 : key_at + 5]
        assert np.all(digits < 10)
        assert row[-4:].tolist() == digits.tolist()
        assert np.flatnonzero(target >= 0).tolist() == list(range(length - 5, length - 1))
        assert target[length - 5 : length - 1].tolist() == digits.tolist()
        filler = np.ones(length, dtype=bool)
        filler[[key_at, *range(key_at + 1, key_at + 5), *range(length - 5, length)]] = False
        assert np.all(row[filler] >= 12) and np.all(row[filler] < task.vocab_size)
        if depth is not None:
            assert key_at == task.key_position(length, depth)


def test_passkey_depth_ends():
    task = PasskeyTask()
    idx, _ = task.batch(np.random.default_rng(0), 1, 64, depth=0.0)
    assert idx[0, 0] == task.KEY
    idx, _ = task.batch(np.random.default_rng(0), 1, 64, depth=1.0)
    assert idx[0, 64 - 10] == task.KEY  # the key block ends right before QUERY
    assert idx[0, 64 - 5] == task.QUERY


@settings(max_examples=15, deadline=None)
@given(length=st.integers(48, 400), seed=st.integers(0, 2**32 - 1))
def test_copy_repeats_a_segment(length, seed):
    task = CopyTask()
    S = task.segment
    idx, targets = task.batch(np.random.default_rng(seed), 4, length)
    idx, targets = idx.numpy(), targets.numpy()
    assert idx.min() >= 0 and idx.max() < task.vocab_size
    for row, target in zip(idx, targets, strict=True):
        scored = np.flatnonzero(target >= 0)
        q = scored[0]  # the first copied token is at q, its successors are predicted from q .. q+S-2
        assert scored.tolist() == list(range(q, q + S - 1))
        assert target[scored].tolist() == row[scored + 1].tolist()
        sources = [p for p in range(0, q - S + 1) if np.array_equal(row[p : p + S], row[q : q + S])]
        assert sources, "the copied segment must appear earlier, without overlap"


def test_seeded_and_reproducible():
    for task in (PasskeyTask(), CopyTask()):
        a = task.batch(np.random.default_rng(7), 3, 64)
        b = task.batch(np.random.default_rng(7), 3, 64)
        c = task.batch(np.random.default_rng(8), 3, 64)
        assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
        assert not np.array_equal(a[0], c[0])


def test_too_short_and_unknown():
    with pytest.raises(LabError, match="at least"):
        PasskeyTask().batch(np.random.default_rng(0), 1, 9)
    with pytest.raises(LabError, match="at least"):
        CopyTask().batch(np.random.default_rng(0), 1, 40)
    with pytest.raises(LabError, match="unknown task"):
        get_task("sorting")
