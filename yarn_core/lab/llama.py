"""A Llama forward pass for a real pretrained model (SmolLM2-135M), next to the lab's tiny GPT.

Pre-norm blocks: x = x + attn(rmsnorm(x)); x = x + swiglu(rmsnorm(x)). Attention is grouped-query
(n_head query heads share n_kv_head key/value heads) and rotates queries and keys with
``model.rotary_tables``: the same registry, float64 angles and half-split pairing as the tiny model,
so every lab scaling method applies unchanged. The weights are HuggingFace's layout (q and k rows
ordered for half-split pairs), read from a state dict; nothing here downloads or trains.

Long sequences are scored in chunks: the lm head and the log-softmax run ``LOGIT_CHUNK`` positions at
a time (16k positions x 49,152 logits would be 3 GB), and attention uses PyTorch's fused
``scaled_dot_product_attention``, which never holds the (T, T) matrix.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F

from .errors import LabError
from .model import Scaling, apply_rotary, check_shape, rotary_tables

LOGIT_CHUNK = 1024


@dataclass(frozen=True)
class LlamaConfig:
    """Shape of a Llama model. ``train_length`` is L, the context it was trained at (every scaling
    method counts s = L'/L from it); ``rope_base`` is b."""

    vocab_size: int
    n_layer: int
    n_embd: int
    n_head: int
    n_kv_head: int
    ffn_dim: int
    train_length: int
    rope_base: float
    rms_eps: float = 1e-5

    def __post_init__(self):
        whole = ("vocab_size", "n_layer", "n_embd", "n_head", "n_kv_head", "ffn_dim", "train_length")
        check_shape(self, whole)
        if self.n_head % self.n_kv_head:
            raise LabError(f"{self.n_head} query heads cannot share {self.n_kv_head} key/value heads evenly")

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * w, computed in float32."""

    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Attention(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.n_head, self.n_kv_head, self.head_dim = config.n_head, config.n_kv_head, config.head_dim
        self.q_proj = nn.Linear(config.n_embd, config.n_head * config.head_dim, bias=False)
        self.k_proj = nn.Linear(config.n_embd, config.n_kv_head * config.head_dim, bias=False)
        self.v_proj = nn.Linear(config.n_embd, config.n_kv_head * config.head_dim, bias=False)
        self.o_proj = nn.Linear(config.n_head * config.head_dim, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, nh, T, hs)
        k = self.k_proj(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)  # (B, nkv, T, hs)
        v = self.v_proj(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)  # (B, nkv, T, hs)
        q, k = apply_rotary(q, cos, sin), apply_rotary(k, cos, sin)
        share = self.n_head // self.n_kv_head  # repeated heads: faster on CPU than SDPA's enable_gqa
        k, v = k.repeat_interleave(share, dim=1), v.repeat_interleave(share, dim=1)  # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, nh, T, hs)
        return self.o_proj(y.transpose(1, 2).reshape(B, T, C))


class SwiGLU(nn.Module):
    """down(silu(gate(x)) * up(x))."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(config.n_embd, config.ffn_dim, bias=False)
        self.up_proj = nn.Linear(config.n_embd, config.ffn_dim, bias=False)
        self.down_proj = nn.Linear(config.ffn_dim, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Block(nn.Module):
    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.input_layernorm = RMSNorm(config.n_embd, config.rms_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.n_embd, config.rms_eps)
        self.mlp = SwiGLU(config)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class Llama(nn.Module):
    """Token embedding -> n_layer blocks -> final RMSNorm -> tied lm head. As in the tiny GPT,
    positions enter only through the rotation, so the scaling is an argument of every call."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.n_embd)
        self.layers = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.norm = RMSNorm(config.n_embd, config.rms_eps)

    def hidden(self, idx: torch.Tensor, scaling: Scaling) -> torch.Tensor:
        """idx (B, T) -> final normed hidden states (B, T, C); dynamic methods read s from T."""
        cos, sin = rotary_tables(self.config, scaling, idx.size(1))
        x = self.embed_tokens(idx)  # (B, T, C)
        for layer in self.layers:
            x = layer(x, cos, sin)
        return self.norm(x)

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """The tied lm head: hidden (..., C) -> logits (..., V)."""
        return hidden @ self.embed_tokens.weight.T

    @torch.no_grad()
    def forward(self, idx: torch.Tensor, scaling: Scaling) -> torch.Tensor:
        """idx (B, T) -> logits (B, T, V). For short inputs: the logits of a long one are gigabytes."""
        return self.logits(self.hidden(idx, scaling))

    @torch.no_grad()
    def bits_per_token(self, idx: torch.Tensor, scaling: Scaling) -> torch.Tensor:
        """-log2 p(idx[:, t+1] | idx[:, :t+1]) for t = 0 .. T-2, (B, T-1), float64; the lm head and
        log-softmax run LOGIT_CHUNK positions at a time."""
        hidden = self.hidden(idx[:, :-1], scaling)
        parts = []
        for start in range(0, hidden.size(1), LOGIT_CHUNK):
            logits = self.logits(hidden[:, start : start + LOGIT_CHUNK])  # (B, chunk, V)
            targets = idx[:, start + 1 : start + 1 + LOGIT_CHUNK]
            nll = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
            parts.append(nll.double() / math.log(2))
        return torch.cat(parts, dim=1)
