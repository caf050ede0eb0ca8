"""A tiny GPT with rotary positions and no absolute position embedding (nanoGPT-like).

Pre-LN blocks: x = x + attn(ln1(x)); x = x + mlp(ln2(x)). Attention rotates queries and keys with
RoPE whose frequencies and attention factor come from ``yarn_core.scale_rope``: the same registry
the lessons draw, so the model rotates with exactly the numbers on the lesson pages. Pairing is
half-split, as in ``yarn_core.apply_rotary``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Protocol

import torch
import torch.nn as nn
from torch.nn import functional as F

from yarn_core import METHODS, RopeSetting, ScaledRope, get_mscale, scale_rope

from .errors import LabError

TRAIN_LENGTH = 64  # L: long enough for passkey and copy, short enough to train in a minute on CPU


def check_shape(config, whole: tuple[str, ...]) -> None:
    """A model config's checks, shared by the tiny GPT's and the Llama's: the settings ``whole`` are
    positive whole numbers, n_embd splits into n_head heads of even size, and rope_base is a finite
    number above 1; each failure names the setting (LabError)."""
    for name in whole:
        value = getattr(config, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise LabError(f"model setting {name} must be a positive whole number, got {value!r}")
    if config.n_embd % config.n_head or (config.n_embd // config.n_head) % 2:
        raise LabError(f"n_embd {config.n_embd} must split into {config.n_head} heads of even size")
    base = config.rope_base
    if isinstance(base, bool) or not isinstance(base, (int, float)) or not math.isfinite(base) or base <= 1:
        raise LabError(f"rope_base must be a finite number above 1, got {base!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of the model. ``train_length`` is L, the context it was pre-trained at: every
    scaling method counts s = L'/L from it."""

    vocab_size: int
    train_length: int = TRAIN_LENGTH
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 64
    rope_base: float = 10000.0

    def __post_init__(self):
        check_shape(self, ("vocab_size", "train_length", "n_layer", "n_head", "n_embd"))

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)


class RotaryShape(Protocol):
    """What the rotation reads from a model's config (the tiny GPT's or a real Llama's)."""

    @property
    def head_dim(self) -> int: ...

    @property
    def rope_base(self) -> float: ...

    @property
    def train_length(self) -> int: ...


LAB_METHODS = tuple(key for key in METHODS if key != "longrope")  # LongRoPE needs searched factor lists


@dataclass(frozen=True)
class Scaling:
    """Which RoPE the model rotates with: a ``yarn_core.METHODS`` key and the knobs it reads.
    Plain values, so it can key a cache. beta_fast / beta_slow are the paper's beta / alpha
    (turns inside L); ``ramp`` is "code" (reference code) or "paper" (linear in r = L / lambda);
    ``mscale`` is the temperature strength m of the methods with YaRN's temperature:
    sqrt(1/t) = 0.1 m ln s + 1 (1 is YaRN's own, 0 removes it)."""

    method: str = "none"
    factor: float = 1.0
    beta_fast: float = 32.0
    beta_slow: float = 1.0
    ramp: str = "code"
    temperature: bool = True
    mscale: float = 1.0

    def __post_init__(self):
        if self.method not in LAB_METHODS:
            raise LabError(f"unknown scaling method {self.method!r}; the lab knows {', '.join(LAB_METHODS)}")
        if not isinstance(self.factor, (int, float)) or not math.isfinite(self.factor) or self.factor < 1:
            raise LabError(f"the scale factor must be a number >= 1, got {self.factor!r}")
        if not isinstance(self.mscale, (int, float)) or not math.isfinite(self.mscale) or self.mscale < 0:
            raise LabError(f"the temperature strength must be a finite number >= 0, got {self.mscale!r}")
        self.setting(ModelConfig(vocab_size=1), seq_len=None)  # the knobs are checked by yarn_core

    def setting(self, config: RotaryShape, seq_len: int | None) -> RopeSetting:
        """The yarn_core setting for this model at current length ``seq_len`` (dynamic methods read it)."""
        try:
            return RopeSetting(
                dim=config.head_dim,
                base=float(config.rope_base),
                original_length=config.train_length,
                factor=float(self.factor),
                seq_len=seq_len,
                beta_fast=float(self.beta_fast),
                beta_slow=float(self.beta_slow),
                ramp=self.ramp,
                temperature=bool(self.temperature),
            )
        except (TypeError, ValueError) as err:
            raise LabError(f"invalid RoPE setting: {err}") from err

    def rope(self, config: RotaryShape, seq_len: int | None) -> ScaledRope:
        """theta'_i, the attention factor and gamma_i from the registry; with YaRN's temperature,
        the attention factor at strength m: 0.1 m ln s + 1 at the effective scale s."""
        rope = scale_rope(self.method, self.setting(config, seq_len))
        if METHODS[self.method].temperature and self.temperature:
            return replace(rope, attention_factor=get_mscale(rope.effective_factor, float(self.mscale)))
        return rope

    def to_dict(self) -> dict:
        return asdict(self)


PAPER_BETA = 32.0  # the paper's beta (for LLaMA, L = 4096)
SMALL_L_BETA = 8.0


def default_betas(train_length: int) -> tuple[float, float]:
    """(alpha, beta) in turns inside L that suit a model trained at L. No pair turns more than
    L / (2 pi) times, so the paper's beta = 32 keeps a pair as trained only when L >= 64 pi ~ 201;
    below that the lab uses beta = 8 (at L = 64 and 128 it keeps the fastest one or two pairs)."""
    beta = PAPER_BETA if train_length / (2 * math.pi) > PAPER_BETA else SMALL_L_BETA
    return 1.0, beta


def rotary_tables(config: RotaryShape, scaling: Scaling, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """a cos(m theta'_i) and a sin(m theta'_i) for m = 0 .. T-1, each (T, hs/2).

    theta' and a come from the float64 core; angles are formed in float64, then cast to float32.
    Multiplying both cos and sin by a scales every attention logit by a^2 (the YaRN temperature).
    """
    rope = scaling.rope(config, seq_len)
    positions = torch.arange(seq_len, dtype=torch.float64)
    angles = torch.outer(positions, torch.from_numpy(rope.inv_freq))  # (T, hs/2)
    a = rope.attention_factor
    return (torch.cos(angles) * a).float(), (torch.sin(angles) * a).float()


def apply_rotary(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """(x1, x2) -> (x1 cos - x2 sin, x2 cos + x1 sin) with x1, x2 the two halves of x (B, nh, T, hs)."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=False)

    def rotated_qkv(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        return apply_rotary(q, cos, sin), apply_rotary(k, cos, sin), v

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.rotated_qkv(x, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, nh, T, hs)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))

    def weights(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        """softmax(q k^T / sqrt(hs)) over keys n <= m, (B, nh, T, T)."""
        q, k, _ = self.rotated_qkv(x, cos, sin)
        T = q.size(2)
        logits = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))  # (B, nh, T, T)
        future = torch.ones(T, T, dtype=torch.bool).triu(1)
        return logits.masked_fill(future, float("-inf")).softmax(dim=-1)


class MLP(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=False)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), cos, sin)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Token embedding -> n_layer blocks -> final LayerNorm -> logits. Positions enter only
    through the rotation of queries and keys, so the scaling is an argument of ``forward``: one
    set of weights can be evaluated under any method without being modified."""

    def __init__(self, config: ModelConfig, seed: int = 0):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self._init_weights(torch.Generator().manual_seed(seed))

    @torch.no_grad()
    def _init_weights(self, generator: torch.Generator) -> None:
        """N(0, 0.02) for every matrix, 0.02 / sqrt(2 n_layer) for the residual projections (GPT-2).
        A private generator keeps the init a function of the seed even when sessions train at once."""
        for name, param in self.named_parameters():
            if param.dim() == 2:
                std = 0.02 / math.sqrt(2 * self.config.n_layer) if name.endswith("c_proj.weight") else 0.02
                param.normal_(0.0, std, generator=generator)

    def forward(self, idx: torch.Tensor, scaling: Scaling, targets: torch.Tensor | None = None):
        """idx (B, T) token ids -> logits (B, T, V), and the mean cross-entropy over the
        positions where ``targets`` (B, T) is not -1 (None without targets)."""
        cos, sin = rotary_tables(self.config, scaling, idx.size(1))
        x = self.wte(idx)  # (B, T, C)
        for block in self.blocks:
            x = block(x, cos, sin)
        logits = self.lm_head(self.ln_f(x))  # (B, T, V)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-1)
        return logits, loss

    @torch.no_grad()
    def attention(self, idx: torch.Tensor, scaling: Scaling) -> list[torch.Tensor]:
        """Attention weights of every layer, each (B, nh, T, T)."""
        cos, sin = rotary_tables(self.config, scaling, idx.size(1))
        x = self.wte(idx)
        maps = []
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln_1(x), cos, sin))
            x = block(x, cos, sin)
        return maps
