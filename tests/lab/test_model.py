"""The lab model rotates with yarn_core's numbers, is causal, and can learn."""

import numpy as np
import pytest
import torch

from yarn_core import apply_rotary as numpy_rotary
from yarn_core import scale_rope
from yarn_core.lab.errors import LabError
from yarn_core.lab.model import GPT, ModelConfig, Scaling, apply_rotary, rotary_tables

TINY = ModelConfig(vocab_size=13, train_length=32, n_layer=2, n_head=2, n_embd=32)


@pytest.mark.parametrize(
    "scaling",
    [
        Scaling(),
        Scaling("linear", 4),
        Scaling("ntk", 2),
        Scaling("yarn", 4, beta_fast=8),
        Scaling("yarn", 8, ramp="paper"),
        Scaling("dynamic_yarn"),
        Scaling("dynamic_ntk", 2),
    ],
)
def test_rotation_is_yarn_core_rotation(scaling):
    """One source of truth: the torch rotation equals yarn_core.apply_rotary with the registry's
    inv_freq and attention factor, at a length past L so dynamic methods scale."""
    T = 3 * TINY.train_length
    cos, sin = rotary_tables(TINY, scaling, T)
    x = torch.randn(2, TINY.n_head, T, TINY.head_dim, generator=torch.Generator().manual_seed(0))
    rope = scale_rope(scaling.method, scaling.setting(TINY, T))
    expected = numpy_rotary(x.double().numpy(), np.arange(T), rope.inv_freq, rope.attention_factor)
    np.testing.assert_allclose(apply_rotary(x, cos, sin).numpy(), expected, rtol=1e-4, atol=1e-4)


def test_dynamic_methods_follow_the_current_length():
    short, _ = rotary_tables(TINY, Scaling("dynamic_yarn"), TINY.train_length)
    plain, _ = rotary_tables(TINY, Scaling(), TINY.train_length)
    long, _ = rotary_tables(TINY, Scaling("dynamic_yarn"), 4 * TINY.train_length)
    assert torch.equal(short, plain)  # s = max(1, T / L) = 1 inside the window
    assert not torch.allclose(long[: TINY.train_length], plain)


def test_attention_is_causal_and_normalised():
    model = GPT(TINY).eval()
    idx = torch.randint(0, TINY.vocab_size, (2, 20), generator=torch.Generator().manual_seed(1))
    for weights in model.attention(idx, Scaling("yarn", 4)):
        assert weights.shape == (2, TINY.n_head, 20, 20)
        torch.testing.assert_close(weights.sum(-1), torch.ones(2, TINY.n_head, 20))
        assert torch.all(weights.triu(1) == 0)


def test_future_tokens_do_not_change_past_logits():
    model = GPT(TINY).eval()
    idx = torch.randint(0, TINY.vocab_size, (1, 24), generator=torch.Generator().manual_seed(2))
    changed = idx.clone()
    changed[0, 12:] = (changed[0, 12:] + 1) % TINY.vocab_size
    with torch.no_grad():
        a, _ = model(idx, Scaling())
        b, _ = model(changed, Scaling())
    torch.testing.assert_close(a[0, :12], b[0, :12])


def test_init_is_a_function_of_the_seed():
    same = [GPT(TINY, seed=4).state_dict() for _ in range(2)]
    other = GPT(TINY, seed=5).state_dict()
    assert all(torch.equal(same[0][k], same[1][k]) for k in same[0])
    assert not torch.equal(same[0]["wte.weight"], other["wte.weight"])


def test_overfits_a_tiny_batch():
    model = GPT(TINY)
    idx = torch.randint(0, TINY.vocab_size, (4, 16), generator=torch.Generator().manual_seed(3))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(60):  # below 0.05 by step 30, ~0.003 by step 60
        _, loss = model(idx[:, :-1], Scaling(), idx[:, 1:])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05


def test_bad_settings_are_lab_errors():
    with pytest.raises(LabError, match="unknown scaling method"):
        Scaling("longrope")
    with pytest.raises(LabError, match=">= 1"):
        Scaling("linear", 0.5)
    with pytest.raises(LabError, match="beta"):
        Scaling("yarn", 4, beta_fast=1.0, beta_slow=2.0)
    with pytest.raises(LabError, match="ramp"):
        Scaling("yarn", 4, ramp="cubic")
    with pytest.raises(LabError, match="heads"):
        ModelConfig(vocab_size=13, n_embd=30, n_head=4)
