"""The Llama forward pass (yarn_core.lab.llama) against transformers' LlamaForCausalLM, and the
SmolLM2 GGUF reading against transformers' own GGUF loader (when the build-only pieces are here)."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from yarn_core.lab import llama
from yarn_core.lab.errors import LabError
from yarn_core.lab.llama import Llama, LlamaConfig
from yarn_core.lab.model import Scaling

transformers = pytest.importorskip("transformers")

TINY = LlamaConfig(
    vocab_size=97, n_layer=2, n_embd=48, n_head=6, n_kv_head=2, ffn_dim=80, train_length=16, rope_base=500.0
)


def hf_twin(config: LlamaConfig, model: Llama, rope: dict):
    """transformers' LlamaForCausalLM with ``model``'s weights and the RoPE parameters ``rope``."""
    hf_config = transformers.LlamaConfig(
        vocab_size=config.vocab_size,
        hidden_size=config.n_embd,
        intermediate_size=config.ffn_dim,
        num_hidden_layers=config.n_layer,
        num_attention_heads=config.n_head,
        num_key_value_heads=config.n_kv_head,
        max_position_embeddings=config.train_length,
        rms_norm_eps=config.rms_eps,
        tie_word_embeddings=True,
        rope_parameters={"rope_theta": config.rope_base, **rope},
    )
    hf = transformers.LlamaForCausalLM(hf_config).eval()
    state = {f"model.{name}": value for name, value in model.state_dict().items()}
    state["lm_head.weight"] = model.embed_tokens.weight
    hf.load_state_dict(state)
    return hf


def random_llama(config: LlamaConfig = TINY, seed: int = 0) -> Llama:
    torch.manual_seed(seed)
    model = Llama(config)
    with torch.no_grad():
        for param in model.parameters():
            param.normal_(0.0, 0.3 if param.dim() == 2 else 1.0)
    return model.eval()


@pytest.mark.parametrize(
    ("scaling", "rope"),
    [
        (Scaling(), {"rope_type": "default"}),
        (Scaling("linear", 2.0), {"rope_type": "linear", "factor": 2.0}),
        (
            Scaling("yarn", 4.0, beta_fast=32.0, beta_slow=1.0),
            {"rope_type": "yarn", "factor": 4.0, "beta_fast": 32.0, "beta_slow": 1.0},
        ),
    ],
    ids=["plain", "pi", "yarn"],
)
def test_logits_match_transformers_llama(scaling, rope):
    model = random_llama()
    hf = hf_twin(TINY, model, rope)
    idx = torch.randint(
        0, TINY.vocab_size, (2, 3 * TINY.train_length), generator=torch.Generator().manual_seed(1)
    )
    with torch.no_grad():
        expected = hf(idx).logits
    got = model(idx, scaling)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4), (got - expected).abs().max()


def test_bits_per_token_is_the_chunked_cross_entropy(monkeypatch):
    model = random_llama()
    idx = torch.randint(0, TINY.vocab_size, (2, 40), generator=torch.Generator().manual_seed(2))
    logits = model(idx[:, :-1], Scaling())
    expected = F.cross_entropy(logits.transpose(1, 2), idx[:, 1:], reduction="none").double() / math.log(2)
    monkeypatch.setattr(llama, "LOGIT_CHUNK", 7)  # several chunks, the last one short
    got = model.bits_per_token(idx, Scaling())
    assert got.dtype == torch.float64 and got.shape == (2, 39)
    assert torch.allclose(got, expected, atol=1e-5)


def test_a_causal_model_scores_a_prefix_as_the_whole_does():
    """What the dynamic methods' assembly relies on: the first T predictions under a static method do
    not depend on the tokens after T."""
    model = random_llama()
    idx = torch.randint(0, TINY.vocab_size, (1, 49), generator=torch.Generator().manual_seed(3))
    whole = model.bits_per_token(idx, Scaling("yarn", 2.0))
    prefix = model.bits_per_token(idx[:, :17], Scaling("yarn", 2.0))
    assert torch.allclose(whole[:, :16], prefix, atol=1e-5)


@pytest.mark.parametrize(
    "settings",
    [
        {"n_head": 5},  # 48 / 5 heads
        {"n_kv_head": 4},  # 6 query heads cannot share 4
        {"rope_base": float("nan")},
        {"train_length": 0},
    ],
)
def test_bad_shapes_are_named(settings):
    values = TINY.to_dict() | settings
    with pytest.raises(LabError):
        LlamaConfig(**values)


def llama_cpp_permute(weight: np.ndarray, n_head: int) -> np.ndarray:
    """What llama.cpp's converter does to q / k rows, written from its description: within each
    head, half-split pair i (rows i and i + hs/2) becomes rows 2i and 2i + 1."""
    head = weight.shape[0] // n_head
    out = np.empty_like(weight)
    for h in range(n_head):
        for i in range(head // 2):
            out[h * head + 2 * i] = weight[h * head + i]
            out[h * head + 2 * i + 1] = weight[h * head + i + head // 2]
    return out


def test_unpermute_undoes_llama_cpp_row_order():
    from yarn_core.lab.smollm import unpermute

    weight = np.random.default_rng(0).normal(size=(3 * 8, 5))
    assert np.array_equal(unpermute(llama_cpp_permute(weight, 3), 3), weight)


# --- the real model, when the build has fetched it -------------------------------------------------


def _gguf_ready() -> str | None:
    from yarn_core.lab.smollm import GGUF_PATH

    for package in ("gguf", "accelerate"):
        if importlib.util.find_spec(package) is None:
            return f"the build-only package {package} is not installed (requirements-build.txt)"
    if not GGUF_PATH.is_file():
        return f"{GGUF_PATH} is absent: run `python -m yarn_core.lab build-smollm` to fetch it"
    return None


@pytest.mark.skipif(_gguf_ready() is not None, reason=str(_gguf_ready()))
def test_smollm2_logits_match_transformers_reading_the_same_gguf():
    from yarn_core.lab.smollm import GGUF_PATH, load_model

    hf = transformers.AutoModelForCausalLM.from_pretrained(
        str(GGUF_PATH.parent), gguf_file=GGUF_PATH.name, dtype=torch.float32
    ).eval()
    model = load_model(GGUF_PATH)
    assert model.config.train_length == 8192 and model.config.rope_base == 100000.0
    assert (model.config.n_layer, model.config.n_head, model.config.n_kv_head) == (30, 9, 3)
    idx = torch.randint(0, model.config.vocab_size, (1, 48), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        expected = hf(idx).logits
    got = model(idx, Scaling())
    assert (got - expected).abs().max().item() < 1e-3
