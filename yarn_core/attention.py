"""What scaling does to attention: scores versus relative distance, attention entropy versus
sequence length, and which pairs meet rotation angles never seen in training.

Distances are query position minus key position, Delta = m - n >= 0 for causal attention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rope import TWO_PI

_CHUNK = 1 << 22  # cos/sin evaluations per block, keeps memory bounded for long ranges


def random_qk(dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded pair of standard-normal query and key vectors of length ``dim``."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(dim), rng.standard_normal(dim)


def relative_scores(
    q: np.ndarray, k: np.ndarray, distances, inv_freq: np.ndarray, attention_factor: float = 1.0
) -> np.ndarray:
    """score(Delta) = a^2 (R(m) q) . (R(n) k) with Delta = m - n, half-split pairing.

    With q~_i = q_i + i q_{i+d/2} and k~_i likewise, (R(m)q).(R(n)k) = sum_i Re(q~_i conj(k~_i)
    e^{i Delta theta_i}), so it depends on m - n only (the relative-position property).
    """
    q = np.asarray(q, dtype=np.float64)
    k = np.asarray(k, dtype=np.float64)
    inv_freq = np.asarray(inv_freq, dtype=np.float64)
    half = len(inv_freq)
    if q.shape != (2 * half,) or k.shape != (2 * half,):
        raise ValueError(f"q and k must have shape ({2 * half},) to match inv_freq")
    re = q[:half] * k[:half] + q[half:] * k[half:]
    im = q[half:] * k[:half] - q[:half] * k[half:]
    distances = np.asarray(distances, dtype=np.float64)
    flat = distances.reshape(-1)
    out = np.empty_like(flat)
    step = max(1, _CHUNK // max(half, 1))
    for start in range(0, len(flat), step):
        angles = np.multiply.outer(flat[start : start + step], inv_freq)
        out[start : start + step] = np.cos(angles) @ re - np.sin(angles) @ im
    return (attention_factor**2) * out.reshape(distances.shape)


def entropy_key_sample(length: int, exact: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Distances to represent the keys 0..length-1 of a query at the end of a sequence, with a
    weight per sample: the nearest ``exact`` distances one by one, the rest by stratified random
    samples each standing for its stratum."""
    if length <= 2 * exact:
        return np.arange(length, dtype=np.float64), np.ones(length)
    edges = np.linspace(exact, length, exact + 1)
    picks = np.floor(edges[:-1] + rng.random(exact) * np.diff(edges))
    picks = np.minimum(picks, length - 1)
    return np.concatenate([np.arange(exact, dtype=np.float64), picks]), np.concatenate(
        [np.ones(exact), np.diff(edges)]
    )


def attention_entropy(
    lengths,
    inv_freq: np.ndarray,
    attention_factor: float = 1.0,
    *,
    seed: int = 0,
    queries: int = 4,
    key_noise: float = 1.0,
    exact_keys: int = 512,
) -> np.ndarray:
    """Entropy (nats) of softmax attention of the last token over a sequence of each length.

    Each query q (seeded standard normal) attends to keys k_n = q + key_noise * eps_n: a head that
    looks for tokens like itself. Logits are a^2 (R(m) q).(R(n) k_n) / sqrt(d). Long sequences are
    represented by weighted stratified samples of keys (see ``entropy_key_sample``); the result is
    averaged over ``queries`` seeded queries. The uniform distribution gives ln(length).
    """
    inv_freq = np.asarray(inv_freq, dtype=np.float64)
    half = len(inv_freq)
    dim = 2 * half
    rng = np.random.default_rng(seed)
    result = []
    for raw_length in np.asarray(lengths, dtype=np.int64).reshape(-1):
        length = max(int(raw_length), 1)
        total = 0.0
        for _ in range(queries):
            q = rng.standard_normal(dim)
            distances, weights = entropy_key_sample(length, exact_keys, rng)
            keys = q[None, :] + key_noise * rng.standard_normal((len(distances), dim))
            # Re(q~ conj(k~) e^{i Delta theta}) for each key separately
            re = q[:half] * keys[:, :half] + q[half:] * keys[:, half:]
            im = q[half:] * keys[:, :half] - q[:half] * keys[:, half:]
            angles = np.multiply.outer(distances, inv_freq)
            logits = (
                (np.cos(angles) * re - np.sin(angles) * im).sum(axis=1) * attention_factor**2 / np.sqrt(dim)
            )
            total += _weighted_entropy(logits, weights)
        result.append(total / queries)
    return np.asarray(result)


def _weighted_entropy(logits: np.ndarray, weights: np.ndarray) -> float:
    """H = log Z - E_p[logit] for p_n proportional to w_n exp(logit_n)."""
    shifted = logits - logits.max()
    mass = weights * np.exp(shifted)
    z = mass.sum()
    p = mass / z
    return float(np.log(z) - (p * shifted).sum())


@dataclass(frozen=True, eq=False)
class AngleCoverage:
    """Per pair: the largest angle reached in training (positions 0..L-1), the largest reached at
    the target length with the scaled frequencies, and whether that one was never seen (the trained
    pair never completed a turn and the target angle goes past the trained maximum)."""

    trained_max: np.ndarray
    target_max: np.ndarray
    unseen: np.ndarray


def angle_coverage(
    base_inv_freq: np.ndarray, inv_freq: np.ndarray, trained_length: float, target_length: float
) -> AngleCoverage:
    """Largest relative angles (L - 1) theta_i versus (L' - 1) theta'_i; unseen when
    (L - 1) theta_i < 2 pi and (L' - 1) theta'_i > L theta_i (relative tolerance 1e-9), i.e. past
    the trained maximum by a full position step or more. Less than one step past it is not counted:
    Position Interpolation maps L' - 1 = sL - 1 to L - 1/s, which must not read as unseen."""
    base_inv_freq = np.asarray(base_inv_freq, dtype=np.float64)
    trained = (float(trained_length) - 1.0) * base_inv_freq
    target = (float(target_length) - 1.0) * np.asarray(inv_freq, dtype=np.float64)
    unseen = (trained < TWO_PI) & (target > float(trained_length) * base_inv_freq * (1 + 1e-9))
    return AngleCoverage(trained, target, unseen)
