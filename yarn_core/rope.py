"""Rotary position embedding (RoPE, Su et al. 2021, arXiv 2104.09864), in float64 NumPy.

Conventions used everywhere in ``yarn_core``:

* ``dim`` is the rotary dimension |D| (even). The rotation acts on ``dim // 2`` pairs; pair ``i``
  turns with inverse frequency ``theta_i = base ** (-2 i / dim)``, so pair 0 is the fastest
  (wavelength exactly 2*pi) and the last pair the slowest.
* Pairing is the *half-split* convention of Llama / HuggingFace: element ``i`` is paired with
  element ``i + dim // 2`` (``x[..., :dim//2]`` with ``x[..., dim//2:]``). The RoPE paper pairs
  neighbours ``(2i, 2i+1)`` instead; the two differ only by a fixed permutation of the features.
"""

from __future__ import annotations

import numpy as np

TWO_PI = 2.0 * np.pi


def inverse_frequencies(dim: int, base: float = 10000.0) -> np.ndarray:
    """theta_i = base^(-2i/dim) for i = 0 .. dim/2 - 1, shape (dim/2,)."""
    if dim < 2 or dim % 2:
        raise ValueError(f"rotary dim must be a positive even number, got {dim}")
    if not base > 1.0 or not np.isfinite(base):
        raise ValueError(f"rotary base must be a finite number > 1, got {base}")
    exponents = np.arange(0, dim, 2, dtype=np.float64) / dim
    return 1.0 / np.power(float(base), exponents)


def wavelengths(inv_freq: np.ndarray) -> np.ndarray:
    """lambda_i = 2*pi / theta_i: tokens needed for pair i to make one full turn."""
    return TWO_PI / np.asarray(inv_freq, dtype=np.float64)


def rotations_within(length: float, inv_freq: np.ndarray) -> np.ndarray:
    """r_i = L / lambda_i: how many full turns pair i makes inside a window of ``length`` tokens."""
    return float(length) / wavelengths(inv_freq)


def rotation_angles(positions, inv_freq: np.ndarray) -> np.ndarray:
    """Angle m * theta_i of every position m and pair i, shape (len(positions), dim/2)."""
    positions = np.asarray(positions, dtype=np.float64)
    return np.multiply.outer(positions, np.asarray(inv_freq, dtype=np.float64))


def apply_rotary(x: np.ndarray, positions, inv_freq: np.ndarray, attention_factor: float = 1.0) -> np.ndarray:
    """Rotate vectors ``x`` (..., T, dim) at ``positions`` (T,) with half-split pairing.

    out[:d/2] = a * (x1 cos(m theta) - x2 sin(m theta)),  out[d/2:] = a * (x2 cos(m theta) + x1 sin(m theta)),
    where a is the attention factor that YaRN multiplies into cos and sin (logits scale by a^2).
    """
    x = np.asarray(x, dtype=np.float64)
    half = x.shape[-1] // 2
    if x.shape[-1] != 2 * len(inv_freq):
        raise ValueError(
            f"last axis of x is {x.shape[-1]}, expected 2 * {len(inv_freq)} = {2 * len(inv_freq)}"
        )
    angles = rotation_angles(positions, inv_freq)  # (T, dim/2)
    cos, sin = np.cos(angles) * attention_factor, np.sin(angles) * attention_factor
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)
