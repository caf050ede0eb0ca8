"""Context-extension methods for RoPE: one function per method, one signature, one registry.

Every method takes a :class:`RopeSetting` and returns a :class:`ScaledRope` holding

* ``inv_freq`` - the inverse frequencies the model rotates with after scaling, shape (dim/2,);
* ``attention_factor`` - the multiplier applied to cos and sin (so attention logits scale by its
  square), as in the YaRN reference code and HuggingFace transformers;
* ``interpolated`` - per pair, the fraction of the way from "kept as trained" (0) to "fully divided
  by s" (1), i.e. theta'_i = theta_i * ((1 - f_i) + f_i / s). For ramp methods this is exactly
  1 - gamma_i; for NTK-style methods it is read off the frequencies.

Vocabulary (YaRN paper, arXiv 2309.00071): a pair is *extrapolated* when it keeps its trained
frequency (gamma = 1, it will meet angles past those seen in training only if it never completed a
turn inside L), and *interpolated* when its frequency is divided by s (gamma = 0, positions
squeezed as in Position Interpolation).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from .rope import TWO_PI, inverse_frequencies, rotations_within, wavelengths

RAMPS = ("code", "paper")
REGIMES = ("kept", "blended", "interpolated")
REGIME_TOLERANCE = 1e-9  # f within this of 0 counts as kept, within this of 1 as interpolated


@dataclass(frozen=True)
class RopeSetting:
    """Everything a scaling method may read. Plain values only, so it can key a cache.

    dim: rotary dimension |D|; base: rotary base b; original_length: trained context L;
    factor: scale s = L'/L; seq_len: the current sequence length l' for dynamic methods and LongRoPE
    (None means the target length s * L). beta_fast / beta_slow are the paper's beta / alpha,
    counted in full turns inside L. ``ramp`` picks the reference code's ramp (linear in the pair
    index between the correction dims) or the paper's (linear in r = L / lambda).
    """

    dim: int = 128
    base: float = 10000.0
    original_length: int = 4096
    factor: float = 1.0
    seq_len: int | None = None
    beta_fast: float = 32.0
    beta_slow: float = 1.0
    ramp: str = "code"
    truncate: bool = True
    temperature: bool = True
    attention_factor: float | None = None
    mscale: float | None = None
    mscale_all_dim: float | None = None
    low_freq_factor: float = 1.0
    high_freq_factor: float = 4.0
    short_factor: tuple[float, ...] | None = None
    long_factor: tuple[float, ...] | None = None

    def __post_init__(self):
        _check(self.dim >= 2 and self.dim % 2 == 0, f"dim must be a positive even number, got {self.dim}")
        _check(_finite(self.base) and self.base > 1, f"base must be a finite number > 1, got {self.base}")
        _check(self.original_length >= 1, f"original_length must be >= 1, got {self.original_length}")
        _check(
            _finite(self.factor) and self.factor > 0, f"factor must be a finite number > 0, got {self.factor}"
        )
        _check(self.seq_len is None or self.seq_len >= 1, f"seq_len must be >= 1, got {self.seq_len}")
        _check(
            _finite(self.beta_slow) and _finite(self.beta_fast) and 0 < self.beta_slow < self.beta_fast,
            f"need 0 < beta_slow < beta_fast, got beta_slow={self.beta_slow}, beta_fast={self.beta_fast}",
        )
        _check(self.ramp in RAMPS, f"ramp must be one of {RAMPS}, got {self.ramp!r}")
        _check(
            _finite(self.low_freq_factor)
            and _finite(self.high_freq_factor)
            and 0 < self.low_freq_factor < self.high_freq_factor,
            "need 0 < low_freq_factor < high_freq_factor, "
            f"got {self.low_freq_factor}, {self.high_freq_factor}",
        )
        for name in ("attention_factor", "mscale", "mscale_all_dim"):
            value = getattr(self, name)
            _check(value is None or (_finite(value) and value >= 0), f"{name} must be a finite number >= 0")
        for name in ("short_factor", "long_factor"):
            values = getattr(self, name)
            if values is not None:
                _check(
                    len(values) == self.dim // 2,
                    f"{name} needs dim/2 = {self.dim // 2} entries, got {len(values)}",
                )
                _check(
                    all(_finite(v) and v > 0 for v in values), f"{name} entries must be finite numbers > 0"
                )

    @property
    def target_length(self) -> float:
        """L' = s * L."""
        return self.factor * self.original_length

    @property
    def target_tokens(self) -> int:
        """L' = s * L in whole tokens."""
        return round(self.target_length)

    @property
    def current_length(self) -> float:
        """l': the given seq_len, else the target length."""
        return self.target_length if self.seq_len is None else float(self.seq_len)

    def with_(self, **changes) -> RopeSetting:
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class ScaledRope:
    """Result of a scaling method. ``effective_factor`` is the s actually used (dynamic methods
    derive it from the current length); ``base`` is the rotary base actually used (NTK methods
    change it); ``correction_range`` is the (low, high) pair-index range of the ramp, if any;
    ``softmax_factor`` is the extra factor DeepSeek-style YaRN configs (``mscale_all_dim`` set) put
    on the softmax scale, outside cos and sin (transformers' DeepSeek attention applies it)."""

    method: str
    inv_freq: np.ndarray
    attention_factor: float
    interpolated: np.ndarray
    base_inv_freq: np.ndarray
    effective_factor: float
    base: float
    correction_range: tuple[float, float] | None = None
    ramp: np.ndarray | None = field(default=None, repr=False)
    softmax_factor: float = 1.0

    @property
    def wavelengths(self) -> np.ndarray:
        return wavelengths(self.inv_freq)

    @property
    def frequency_ratio(self) -> np.ndarray:
        """theta'_i / theta_i: 1 where a pair is kept, 1/s where it is fully interpolated."""
        return self.inv_freq / self.base_inv_freq

    @property
    def logit_multiplier(self) -> float:
        """What attention logits are multiplied by: (attention_factor * softmax_factor)^2, since the
        attention factor multiplies both cos and sin (YaRN's 1/t = (0.1 ln s + 1)^2)."""
        return float((self.attention_factor * self.softmax_factor) ** 2)

    def regimes(self) -> np.ndarray:
        """Per pair, "kept" (f = 0, as trained: extrapolation), "interpolated" (f = 1, divided by
        s) or "blended" (in between), f = ``interpolated``, within REGIME_TOLERANCE."""
        f = self.interpolated
        return np.where(
            f <= REGIME_TOLERANCE, "kept", np.where(f >= 1.0 - REGIME_TOLERANCE, "interpolated", "blended")
        )

    def regime_counts(self) -> dict[str, int]:
        """How many pairs are in each regime, in REGIMES order."""
        labels = self.regimes()
        return {regime: int((labels == regime).sum()) for regime in REGIMES}


def _finite(value) -> bool:
    return isinstance(value, (int, float, np.floating, np.integer)) and math.isfinite(value)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


# ----------------------------------------------------------------------------------------------
# Building blocks (YaRN paper, sections 3.1-3.4; the reference code's correction range)


def get_mscale(scale: float, mscale: float = 1.0) -> float:
    """sqrt(1/t) = 0.1 * mscale * ln(s) + 1 for s > 1, else 1 (YaRN eq. for the temperature)."""
    if scale <= 1:
        return 1.0
    return 0.1 * mscale * math.log(scale) + 1.0


def yarn_attention_factor(setting: RopeSetting, scale: float) -> float:
    """Explicit attention_factor, else mscale(s, mscale) / mscale(s, mscale_all_dim) when both are
    set and non-zero (DeepSeek style), else 0.1 ln s + 1."""
    if setting.attention_factor is not None:
        return float(setting.attention_factor)
    if setting.mscale and setting.mscale_all_dim:
        return get_mscale(scale, setting.mscale) / get_mscale(scale, setting.mscale_all_dim)
    return get_mscale(scale)


def correction_dim(num_rotations: float, dim: int, base: float, original_length: float) -> float:
    """The (fractional) pair index that makes ``num_rotations`` turns inside L:
    d = |D| ln(L / (2 pi n)) / (2 ln b), the inverse of r(d) = L / (2 pi b^(2d/|D|))."""
    return dim * math.log(original_length / (num_rotations * TWO_PI)) / (2.0 * math.log(base))


def correction_range(setting: RopeSetting) -> tuple[float, float]:
    """(low, high) pair indices of the reference code's ramp: low from beta_fast, high from
    beta_slow; floor/ceil when ``truncate``; clamped to [0, dim - 1] as the reference does."""
    low = correction_dim(setting.beta_fast, setting.dim, setting.base, setting.original_length)
    high = correction_dim(setting.beta_slow, setting.dim, setting.base, setting.original_length)
    if setting.truncate:
        low, high = math.floor(low), math.ceil(high)
    return max(low, 0), min(high, setting.dim - 1)


def code_ramp(setting: RopeSetting) -> np.ndarray:
    """gamma per pair from the reference code: 1 - clip((i - low) / (high - low), 0, 1).
    gamma = 1 keeps the pair as trained (extrapolation), 0 interpolates it fully."""
    low, high = correction_range(setting)
    if low == high:
        high += 0.001
    index = np.arange(setting.dim // 2, dtype=np.float64)
    return 1.0 - np.clip((index - low) / (high - low), 0.0, 1.0)


def paper_ramp(setting: RopeSetting) -> np.ndarray:
    """gamma(r) = 0 if r < alpha, 1 if r > beta, (r - alpha) / (beta - alpha) otherwise, with
    r = L / lambda, alpha = beta_slow, beta = beta_fast (YaRN paper, eq. 18)."""
    r = rotations_within(setting.original_length, inverse_frequencies(setting.dim, setting.base))
    alpha, beta = setting.beta_slow, setting.beta_fast
    return np.clip((r - alpha) / (beta - alpha), 0.0, 1.0)


def _interpolated_fraction(base_inv_freq: np.ndarray, inv_freq: np.ndarray, scale: float) -> np.ndarray:
    """f with theta' = theta ((1 - f) + f / s), clipped to [0, 1]; 0 everywhere when s <= 1."""
    if scale <= 1:
        return np.zeros_like(base_inv_freq)
    return np.clip((1.0 - inv_freq / base_inv_freq) / (1.0 - 1.0 / scale), 0.0, 1.0)


def _ntk_fraction(dim: int, scale: float) -> np.ndarray:
    """f for NTK-aware scaling in closed form: theta'_i / theta_i = s^(-e_i) with e_i = 2i / (|D| - 2),
    so f_i = (1 - s^(-e_i)) / (1 - 1/s), written with expm1 so it stays exact as s -> 1."""
    if scale <= 1:
        return np.zeros(dim // 2)
    exponents = 2.0 * np.arange(dim // 2) / (dim - 2)
    log_scale = math.log(scale)
    return np.clip(np.expm1(-exponents * log_scale) / math.expm1(-log_scale), 0.0, 1.0)


def _ntk_base(base: float, dim: int, scale: float) -> float:
    """b' = b * s^(|D| / (|D| - 2)): the lowest frequency ends up divided by exactly s."""
    _check(dim > 2, f"NTK scaling needs dim >= 4 (exponent dim / (dim - 2)), got {dim}")
    return base * scale ** (dim / (dim - 2))


def _blend(setting: RopeSetting, scale: float) -> ScaledRope:
    """NTK-by-parts: theta'_i = (1 - gamma_i) theta_i / s + gamma_i theta_i."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    gamma = code_ramp(setting) if setting.ramp == "code" else paper_ramp(setting)
    inv = base_inv / scale * (1.0 - gamma) + base_inv * gamma
    interpolated = (1.0 - gamma) if scale > 1 else np.zeros_like(gamma)
    corr = correction_range(setting) if setting.ramp == "code" else _paper_range(setting)
    return ScaledRope("ntk_by_parts", inv, 1.0, interpolated, base_inv, scale, setting.base, corr, gamma)


def _paper_range(setting: RopeSetting) -> tuple[float, float]:
    """Fractional pair indices where r = beta and r = alpha (no truncation, no clamping)."""
    return (
        correction_dim(setting.beta_fast, setting.dim, setting.base, setting.original_length),
        correction_dim(setting.beta_slow, setting.dim, setting.base, setting.original_length),
    )


# ----------------------------------------------------------------------------------------------
# The methods. Same signature: (setting) -> ScaledRope.


def plain_rope(setting: RopeSetting) -> ScaledRope:
    """No scaling: positions past L are simply used as they come ("direct extrapolation")."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    return ScaledRope("none", base_inv, 1.0, np.zeros_like(base_inv), base_inv, 1.0, setting.base)


def position_interpolation(setting: RopeSetting) -> ScaledRope:
    """Position Interpolation (Chen et al. 2023, arXiv 2306.15595; kaiokendev): m -> m / s,
    equivalently theta'_i = theta_i / s for every pair."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    inv = base_inv / setting.factor
    frac = np.full_like(base_inv, 1.0 if setting.factor > 1 else 0.0)
    return ScaledRope("linear", inv, 1.0, frac, base_inv, setting.factor, setting.base)


def ntk_aware(setting: RopeSetting) -> ScaledRope:
    """NTK-aware scaling (bloc97, 2023; YaRN paper section 3.2): change the base to
    b' = b * s^(|D|/(|D|-2)) and keep positions. High frequencies barely move, the lowest is / s."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    new_base = _ntk_base(setting.base, setting.dim, setting.factor)
    inv = inverse_frequencies(setting.dim, new_base)
    frac = _ntk_fraction(setting.dim, setting.factor)
    return ScaledRope("ntk", inv, 1.0, frac, base_inv, setting.factor, new_base)


def dynamic_ntk(setting: RopeSetting) -> ScaledRope:
    """Dynamic NTK (emozilla, 2023), as transformers computes it: with l = max(l', L),
    b' = b * (s * l / L - (s - 1))^(|D|/(|D|-2)). At l <= L the model is untouched; the
    effective scale grows with the current length with slope s / L."""
    length = max(setting.current_length, setting.original_length)
    scale = (
        1.0 + setting.factor * (length - setting.original_length) / setting.original_length
    )  # = s l/L - (s - 1)
    base_inv = inverse_frequencies(setting.dim, setting.base)
    new_base = _ntk_base(setting.base, setting.dim, scale)
    inv = inverse_frequencies(setting.dim, new_base)
    return ScaledRope("dynamic_ntk", inv, 1.0, _ntk_fraction(setting.dim, scale), base_inv, scale, new_base)


def _with_temperature(parts: ScaledRope, method: str, setting: RopeSetting, scale: float) -> ScaledRope:
    """The by-parts frequencies with YaRN's attention factor (and a DeepSeek-style softmax factor
    mscale(s, mscale_all_dim) when ``mscale_all_dim`` is set); both 1 when ``temperature`` is off."""
    if not setting.temperature:
        return replace(parts, method=method)
    softmax = get_mscale(scale, setting.mscale_all_dim) if setting.mscale_all_dim else 1.0
    return replace(
        parts, method=method, attention_factor=yarn_attention_factor(setting, scale), softmax_factor=softmax
    )


def ntk_by_parts(setting: RopeSetting) -> ScaledRope:
    """NTK-by-parts (bloc97; YaRN paper section 3.2): interpolate only the pairs that turn fewer
    than alpha times inside L, keep those that turn more than beta times, blend in between."""
    return _blend(setting, setting.factor)


def yarn(setting: RopeSetting) -> ScaledRope:
    """YaRN (Peng et al. 2023, arXiv 2309.00071): NTK-by-parts plus the attention temperature
    sqrt(1/t) = 0.1 ln s + 1 multiplied into cos and sin (omitted when ``temperature`` is off)."""
    return _with_temperature(_blend(setting, setting.factor), "yarn", setting, setting.factor)


def dynamic_yarn(setting: RopeSetting) -> ScaledRope:
    """Dynamic YaRN (YaRN paper section 3.3): YaRN with s = max(1, l' / L) recomputed from the
    current length l' at every forward pass."""
    scale = max(1.0, setting.current_length / setting.original_length)
    return _with_temperature(_blend(setting, scale), "dynamic_yarn", setting, scale)


def llama3(setting: RopeSetting) -> ScaledRope:
    """Llama 3.1 scaling (Meta, 2024): wavelengths above L / low_freq_factor are divided by s,
    below L / high_freq_factor kept; in between, smooth = (L / lambda - low) / (high - low) and
    theta' = (1 - smooth) theta / s + smooth theta."""
    base_inv = inverse_frequencies(setting.dim, setting.base)
    wavelen = wavelengths(base_inv)
    low, high, length = setting.low_freq_factor, setting.high_freq_factor, setting.original_length
    smooth = np.clip((length / wavelen - low) / (high - low), 0.0, 1.0)
    smooth = np.where(wavelen > length / low, 0.0, np.where(wavelen < length / high, 1.0, smooth))
    inv = (1.0 - smooth) * base_inv / setting.factor + smooth * base_inv
    frac = (1.0 - smooth) if setting.factor > 1 else np.zeros_like(smooth)
    return ScaledRope("llama3", inv, 1.0, frac, base_inv, setting.factor, setting.base)


def longrope(setting: RopeSetting) -> ScaledRope:
    """LongRoPE (Ding et al. 2024, arXiv 2402.13753; Phi-3): per-pair rescale factors, the long
    list when the current length exceeds L, else the short one: theta'_i = theta_i / ext_i.
    Attention factor sqrt(1 + ln s / ln L) unless given."""
    if setting.short_factor is None or setting.long_factor is None:
        raise ValueError("longrope needs both short_factor and long_factor lists (dim/2 entries each)")
    base_inv = inverse_frequencies(setting.dim, setting.base)
    use_long = setting.current_length > setting.original_length
    ext = np.asarray(setting.long_factor if use_long else setting.short_factor, dtype=np.float64)
    inv = base_inv / ext
    if setting.attention_factor is not None:
        factor = float(setting.attention_factor)
    elif setting.factor <= 1:
        factor = 1.0
    else:
        _check(
            setting.original_length > 1,
            "longrope's attention factor needs original_length >= 2 (it divides by ln L)",
        )
        factor = math.sqrt(1 + math.log(setting.factor) / math.log(setting.original_length))
    frac = _interpolated_fraction(base_inv, inv, setting.factor)
    return ScaledRope("longrope", inv, factor, frac, base_inv, setting.factor, setting.base)


@dataclass(frozen=True)
class Method:
    key: str
    label: str
    compute: Callable[[RopeSetting], ScaledRope]
    dynamic: bool = False
    ramp: bool = False
    temperature: bool = False
    """``dynamic``: s follows the current length; ``ramp``: YaRN's alpha/beta ramp over the pairs
    (beta_fast, beta_slow, ramp, truncate apply); ``temperature``: YaRN's attention factor."""

    @property
    def summary(self) -> str:
        return (self.compute.__doc__ or "").strip().split("\n")[0]


METHODS: dict[str, Method] = {
    m.key: m
    for m in (
        Method("none", "Plain RoPE (extrapolation)", plain_rope),
        Method("linear", "Position Interpolation", position_interpolation),
        Method("ntk", "NTK-aware", ntk_aware),
        Method("dynamic_ntk", "Dynamic NTK", dynamic_ntk, dynamic=True),
        Method("ntk_by_parts", "NTK-by-parts", ntk_by_parts, ramp=True),
        Method("yarn", "YaRN", yarn, ramp=True, temperature=True),
        Method("dynamic_yarn", "Dynamic YaRN", dynamic_yarn, dynamic=True, ramp=True, temperature=True),
        Method("llama3", "Llama 3.1", llama3),
        Method("longrope", "LongRoPE", longrope, dynamic=True),
    )
}


def scale_rope(method: str, setting: RopeSetting) -> ScaledRope:
    """Run the method registered under ``method`` on ``setting``."""
    if method not in METHODS:
        raise ValueError(f"unknown scaling method {method!r}; known: {', '.join(METHODS)}")
    return METHODS[method].compute(setting)
