"""Independent float64 reference for the core tests: the papers' equations written out pair by
pair with ``math`` (YaRN arXiv 2309.00071 v2, PI arXiv 2306.15595, the transformers 5.x RoPE
utilities as summarised in /work/shared/reference/yarn-facts.md).

Nothing here imports ``yarn_core``: these are the expectations the code is checked against.
Pairs are indexed i = 0 .. d/2 - 1; theta_i = b^(-2i/d); r_i = L / lambda_i = L theta_i / (2 pi).
"""

from __future__ import annotations

import math

TWO_PI = 2.0 * math.pi


def inv_freq(dim: int, base: float) -> list[float]:
    """theta_i = b^(-2i/|D|)."""
    return [math.pow(base, -2.0 * i / dim) for i in range(dim // 2)]


def wavelength(theta: float) -> float:
    return TWO_PI / theta


def turns(length: float, theta: float) -> float:
    """r = L / lambda: full turns a pair makes inside a window of ``length`` tokens."""
    return length * theta / TWO_PI


def correction_dim(num_rotations: float, dim: int, base: float, length: float) -> float:
    """The pair index d solving r(d) = n: L b^(-2d/|D|) / (2 pi) = n  =>
    d = |D| ln(L / (2 pi n)) / (2 ln b)."""
    return dim * math.log(length / (TWO_PI * num_rotations)) / (2.0 * math.log(base))


def code_range(dim, base, length, beta_fast=32.0, beta_slow=1.0, truncate=True):
    """The reference code's ramp bounds: low from beta_fast, high from beta_slow, floor/ceil when
    truncating, clamped to [0, |D| - 1]."""
    low = correction_dim(beta_fast, dim, base, length)
    high = correction_dim(beta_slow, dim, base, length)
    if truncate:
        low, high = math.floor(low), math.ceil(high)
    return max(low, 0), min(high, dim - 1)


def code_gamma(dim, base, length, beta_fast=32.0, beta_slow=1.0, truncate=True) -> list[float]:
    """gamma_i = 1 - clamp((i - low) / (high - low), 0, 1), high nudged by 0.001 if equal."""
    low, high = code_range(dim, base, length, beta_fast, beta_slow, truncate)
    if low == high:
        high += 0.001
    return [1.0 - min(1.0, max(0.0, (i - low) / (high - low))) for i in range(dim // 2)]


def paper_gamma(dim, base, length, alpha=1.0, beta=32.0) -> list[float]:
    """YaRN eq. 18: gamma(r) = 0 if r < alpha, 1 if r > beta, (r - alpha)/(beta - alpha) between."""
    out = []
    for theta in inv_freq(dim, base):
        r = turns(length, theta)
        out.append(0.0 if r < alpha else 1.0 if r > beta else (r - alpha) / (beta - alpha))
    return out


def blend(dim, base, scale, gamma) -> list[float]:
    """NTK-by-parts: h(theta) = (1 - gamma) theta / s + gamma theta."""
    return [(1.0 - g) * t / scale + g * t for t, g in zip(inv_freq(dim, base), gamma, strict=True)]


def mscale(scale: float, m: float = 1.0) -> float:
    """sqrt(1/t) = 0.1 m ln s + 1 for s > 1, else 1."""
    return 1.0 if scale <= 1 else 0.1 * m * math.log(scale) + 1.0


def yarn_attention(scale, attention_factor=None, m=None, m_all=None) -> float:
    if attention_factor is not None:
        return attention_factor
    if m and m_all:
        return mscale(scale, m) / mscale(scale, m_all)
    return mscale(scale)


def ntk_base(base: float, dim: int, scale: float) -> float:
    """NTK-aware: b' = b s^(|D|/(|D|-2))."""
    return base * scale ** (dim / (dim - 2))


def dynamic_ntk_base(base, dim, factor, seq_len, length) -> float:
    """transformers: b' = b (s l / L - (s - 1))^(|D|/(|D|-2)), l = max(seq_len, L)."""
    current = max(seq_len, length)
    return base * (factor * current / length - (factor - 1)) ** (dim / (dim - 2))


def llama3(dim, base, factor, low, high, length) -> list[float]:
    """Llama 3.1: lambda > L/low -> theta/s; lambda < L/high -> theta; between, blend with
    smooth = (L/lambda - low)/(high - low)."""
    out = []
    for theta in inv_freq(dim, base):
        lam = wavelength(theta)
        if lam > length / low:
            out.append(theta / factor)
        elif lam < length / high:
            out.append(theta)
        else:
            smooth = (length / lam - low) / (high - low)
            out.append((1.0 - smooth) * theta / factor + smooth * theta)
    return out


def longrope(dim, base, ext) -> list[float]:
    """LongRoPE: theta_i / ext_i."""
    return [t / e for t, e in zip(inv_freq(dim, base), ext, strict=True)]


def longrope_attention(factor: float, length: float) -> float:
    return 1.0 if factor <= 1 else math.sqrt(1.0 + math.log(factor) / math.log(length))
