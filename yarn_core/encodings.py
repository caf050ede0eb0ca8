"""The position encodings that came before (and beside) RoPE, each as a function of absolute
position or of relative distance Delta = query - key >= 0, so they can be drawn past the training
window. Learned tables are stood in for by seeded random values: the shape of the function, not
the trained numbers, is what the lesson shows.
"""

from __future__ import annotations

import math

import numpy as np

from .rope import inverse_frequencies


def learned_absolute(
    positions, trained_length: int, dim: int = 4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A learned absolute table has exactly ``trained_length`` rows (GPT-2, BERT).

    Returns (values, defined): values (n, dim) are the table rows for positions that have one and
    0 elsewhere; ``defined`` marks positions 0 <= m < L. Past L there is no row to look up.
    """
    positions = np.asarray(positions, dtype=np.int64)
    table = np.random.default_rng(seed).normal(0.0, 0.5, size=(trained_length, dim))
    defined = (positions >= 0) & (positions < trained_length)
    values = np.zeros((len(positions), dim))
    values[defined] = table[positions[defined]]
    return values, defined


def sinusoidal(positions, dim: int = 64, base: float = 10000.0) -> np.ndarray:
    """Vaswani et al. 2017: PE[m, 2i] = sin(m / base^(2i/d)), PE[m, 2i+1] = cos(m / base^(2i/d))."""
    positions = np.asarray(positions, dtype=np.float64)
    angles = np.multiply.outer(positions, inverse_frequencies(dim, base))
    out = np.empty((len(positions), dim))
    out[:, 0::2], out[:, 1::2] = np.sin(angles), np.cos(angles)
    return out


def t5_bucket(distances, num_buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """T5 relative-position buckets for causal attention (Raffel et al. 2020): distances below
    num_buckets / 2 get a bucket each, larger ones share logarithmically wider buckets up to
    ``max_distance``; every distance beyond it falls in the last bucket."""
    exact = num_buckets // 2
    if not max_distance > exact >= 1:
        raise ValueError(
            "need max_distance > num_buckets / 2 >= 1, "
            f"got max_distance={max_distance}, num_buckets={num_buckets}"
        )
    n = np.maximum(np.asarray(distances, dtype=np.int64), 0)
    safe = np.maximum(n, 1).astype(np.float64)
    large = exact + np.floor(np.log(safe / exact) / math.log(max_distance / exact) * (num_buckets - exact))
    large = np.minimum(large, num_buckets - 1).astype(np.int64)
    return np.where(n < exact, n, large)


def t5_bias(distances, num_buckets: int = 32, max_distance: int = 128, seed: int = 0) -> np.ndarray:
    """The learned scalar bias of each distance's bucket (seeded stand-in values, decreasing with
    the bucket so the picture reads like a trained head that prefers nearby tokens)."""
    rng = np.random.default_rng(seed)
    per_bucket = -np.linspace(0.0, 3.0, num_buckets) + rng.normal(0.0, 0.15, num_buckets)
    return per_bucket[t5_bucket(distances, num_buckets, max_distance)]


def alibi_slopes(num_heads: int) -> np.ndarray:
    """ALiBi head slopes (Press et al. 2022): for n a power of two, 2^(-8/n), 2^(-16/n), ...;
    otherwise the slopes of the closest smaller power of two, then every other slope of twice it."""

    def power_of_two(n: int) -> np.ndarray:
        start = 2.0 ** (-8.0 / n)
        return start ** np.arange(1, n + 1, dtype=np.float64)

    closest = 2 ** int(math.floor(math.log2(num_heads)))
    slopes = power_of_two(closest)
    if closest == num_heads:
        return slopes
    return np.concatenate([slopes, power_of_two(2 * closest)[0::2][: num_heads - closest]])


def alibi_bias(distances, slope: float) -> np.ndarray:
    """ALiBi adds -slope * Delta to every attention logit: a linear penalty, defined for any Delta."""
    return -slope * np.asarray(distances, dtype=np.float64)


def xpos_scale(dim: int, gamma: float = 0.4) -> np.ndarray:
    """xPos per-pair decay base zeta_i = (2i/d + gamma) / (1 + gamma) in (0, 1) (Sun et al. 2022)."""
    return (np.arange(0, dim, 2, dtype=np.float64) / dim + gamma) / (1.0 + gamma)


def xpos_scores(
    distances, dim: int = 64, base: float = 10000.0, gamma: float = 0.4, scale_base: float = 512.0
) -> np.ndarray:
    """xPos score for all-ones q and k: sum_i 2 zeta_i^(Delta / scale_base) cos(Delta theta_i).
    RoPE times a per-pair exponential decay in distance (q scaled by zeta^(m/B), k by zeta^(-n/B))."""
    distances = np.asarray(distances, dtype=np.float64)
    theta = inverse_frequencies(dim, base)
    decay = np.power.outer(xpos_scale(dim, gamma), distances / scale_base).T  # (n, dim/2)
    return 2.0 * (decay * np.cos(np.multiply.outer(distances, theta))).sum(axis=-1)


def rope_scores(distances, dim: int = 64, base: float = 10000.0) -> np.ndarray:
    """RoPE score for all-ones q and k: sum_i 2 cos(Delta theta_i), defined for any Delta."""
    theta = inverse_frequencies(dim, base)
    return 2.0 * np.cos(np.multiply.outer(np.asarray(distances, dtype=np.float64), theta)).sum(axis=-1)
