"""Read the RoPE of a real model from its HuggingFace ``config.json``.

Follows transformers 5.x semantics: ``rope_parameters`` (new) or ``rope_scaling`` (legacy, key
``type`` or ``rope_type``); ``rope_theta`` inside the scaling dict or at top level (default 1e4);
head size from ``qk_rope_head_dim`` (DeepSeek's rotary part), ``head_dim``, or
``hidden_size // num_attention_heads``; rotary dim = int(head size * partial_rotary_factor);
``original_max_position_embeddings`` at top level wins over the one in the scaling dict (Phi-3),
else ``max_position_embeddings``. Dynamic NTK uses ``max_position_embeddings`` as L, like
transformers. Every problem raises :class:`ConfigError` naming the field and what was expected.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .scaling import RopeSetting, ScaledRope, scale_rope

MAX_CONFIG_BYTES = 1_000_000
MAX_BASE = 1e15
MAX_FACTOR = 1e6
MAX_HEAD_DIM = 65536
MAX_LENGTH = 2**40

HF_TYPES = {
    "default": "none",
    "linear": "linear",
    "dynamic": "dynamic_ntk",
    "yarn": "yarn",
    "llama3": "llama3",
    "longrope": "longrope",
}
ALIASES = {"su": "longrope"}


class ConfigError(ValueError):
    """A config that cannot be read; the message names the field and what was expected."""


@dataclass(frozen=True, eq=False)
class HFRope:
    """The RoPE a model computes. ``original_length`` is the L the method scales from (None for
    an unscaled model without max_position_embeddings); ``seq_len`` the current length used by
    dynamic and LongRoPE types; ``notes`` explain values that were derived rather than read."""

    rope_type: str
    method: str
    head_dim: int
    rotary_dim: int
    base: float
    factor: float
    original_length: int | None
    max_position_embeddings: int | None
    seq_len: int | None
    scaled: ScaledRope
    notes: tuple[str, ...] = field(default=())

    @property
    def inv_freq(self) -> np.ndarray:
        return self.scaled.inv_freq

    @property
    def base_inv_freq(self) -> np.ndarray:
        return self.scaled.base_inv_freq

    @property
    def attention_factor(self) -> float:
        return float(self.scaled.attention_factor)

    @property
    def interpolated(self) -> np.ndarray:
        return self.scaled.interpolated


def parse_config_text(data: bytes | str, max_bytes: int = MAX_CONFIG_BYTES) -> dict:
    """Parse uploaded or pasted ``config.json`` text in memory. Raises ConfigError for over-size
    input, bytes that are not UTF-8, invalid JSON (with line and column), nesting too deep to
    parse, and JSON that is not an object."""
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > max_bytes:
        raise ConfigError(
            f"config is {size:,} bytes; the limit is {max_bytes:,} bytes (a config.json is a few KB)"
        )
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ConfigError(f"config is not UTF-8 text (byte {err.start} cannot be decoded)") from None
    if not data.strip():
        raise ConfigError('config is empty; expected a JSON object such as {"rope_theta": 10000, ...}')
    try:
        parsed = json.loads(data, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ConfigError(f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise ConfigError("invalid config: JSON nested too deeply to be a config.json") from None
    except ConfigError:
        raise
    except ValueError as err:  # e.g. an integer literal longer than Python's 4,300-digit limit
        raise ConfigError(f"invalid JSON: a number is too long to read ({str(err).split(':')[0]})") from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"config must be a JSON object, got {_json_kind(parsed)}")
    return parsed


def _reject_constant(name: str):
    raise ConfigError(f"invalid JSON: {name} is not a JSON number")


def _json_kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, text in kinds.items():
        if isinstance(value, kind):
            return text
    return "a number"


def _number(value: Any, name: str, *, minimum: float, maximum: float, inclusive_min: bool = False) -> float:
    """A finite real number in range, or ConfigError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {_json_kind(value)} ({value!r:.60})")
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value}")
    low_ok = value >= minimum if inclusive_min else value > minimum
    if not low_ok or value > maximum:
        bound = ">=" if inclusive_min else ">"
        raise ConfigError(f"{name} must be {bound} {minimum:g} and <= {maximum:g}, got {_short(value)}")
    return float(value)


def _integer(value: Any, name: str, *, minimum: int, maximum: int) -> int:
    """A whole number in [minimum, maximum] (integral floats such as 4096.0 accepted)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {_json_kind(value)} ({value!r:.60})")
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {_short(value)}")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:20] + "..."


def _scaling_dict(config: Mapping) -> tuple[dict, str]:
    # transformers (4.x and 5.x) reads rope_scaling when it is given and non-empty, else rope_parameters
    for key in ("rope_scaling", "rope_parameters"):
        if config.get(key) is not None and config.get(key) != {}:
            scaling = config[key]
            if not isinstance(scaling, dict):
                raise ConfigError(
                    f'{key} must be an object such as {{"rope_type": "yarn", "factor": 4}}, got {_json_kind(scaling)}'
                )
            if (
                "rope_type" not in scaling
                and "type" not in scaling
                and any(isinstance(v, dict) for v in scaling.values())
            ):
                raise ConfigError(
                    f"{key} holds per-layer-type RoPE settings ({', '.join(map(str, scaling))}); paste one layer type's object"
                )
            return scaling, key
    return {}, "rope_scaling"


def _head_dim(config: Mapping) -> int:
    for key in ("qk_rope_head_dim", "head_dim"):
        if config.get(key) is not None:
            return _integer(config[key], key, minimum=2, maximum=MAX_HEAD_DIM)
    hidden, heads = config.get("hidden_size"), config.get("num_attention_heads")
    if hidden is None or heads is None:
        raise ConfigError("missing head size: expected head_dim, or both hidden_size and num_attention_heads")
    hidden = _integer(hidden, "hidden_size", minimum=1, maximum=MAX_HEAD_DIM * 4096)
    heads = _integer(heads, "num_attention_heads", minimum=1, maximum=65536)
    if hidden // heads > MAX_HEAD_DIM:
        raise ConfigError(
            f"hidden_size / num_attention_heads = {hidden // heads} is not a plausible head size (at most {MAX_HEAD_DIM})"
        )
    return hidden // heads


def rope_from_hf_config(config: dict, seq_len: int | None = None) -> HFRope:
    """The inverse frequencies and attention factor a HuggingFace model computes from ``config``.

    ``seq_len`` is the current sequence length for dynamic and LongRoPE types (None: the model's
    state at initialisation, as transformers computes it).
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"config must be a JSON object, got {_json_kind(config)}")
    scaling, where = _scaling_dict(config)
    raw_type = scaling.get("rope_type", scaling.get("type", "default"))
    if not isinstance(raw_type, str):
        raise ConfigError(f"{where}.rope_type must be a string, got {_json_kind(raw_type)}")
    rope_type = ALIASES.get(raw_type, raw_type)
    if rope_type not in HF_TYPES:
        raise ConfigError(f"unknown rope type {raw_type!r}; supported: {', '.join(HF_TYPES)}")
    notes: list[str] = []
    if rope_type != raw_type:
        notes.append(f"rope type {raw_type!r} is the old name of {rope_type!r}")

    theta = scaling.get("rope_theta", config.get("rope_theta", 10000.0))
    base = _number(theta, "rope_theta", minimum=1.0, maximum=MAX_BASE)
    head_dim = _head_dim(config)
    prf = scaling.get("partial_rotary_factor", config.get("partial_rotary_factor", 1.0))
    prf = 1.0 if prf is None else _number(prf, "partial_rotary_factor", minimum=0.0, maximum=1.0)
    rotary_dim = int(head_dim * prf)
    if rotary_dim < 2 or rotary_dim % 2:
        raise ConfigError(
            f"head_dim must give a positive even rotary dim: head size {head_dim} x partial_rotary_factor {prf:g} = {rotary_dim}"
        )
    max_pos = config.get("max_position_embeddings")
    max_pos = (
        None
        if max_pos is None
        else _integer(max_pos, "max_position_embeddings", minimum=1, maximum=MAX_LENGTH)
    )
    if seq_len is not None:
        seq_len = _integer(seq_len, "seq_len", minimum=1, maximum=MAX_LENGTH)

    def need_max_pos() -> int:
        if max_pos is None:
            raise ConfigError(f"max_position_embeddings is missing; rope type {rope_type!r} needs it")
        return max_pos

    def original() -> int:
        top = config.get("original_max_position_embeddings")
        if top is not None:
            return _integer(top, "original_max_position_embeddings", minimum=1, maximum=MAX_LENGTH)
        inner = scaling.get("original_max_position_embeddings")
        if inner is not None:
            return _integer(inner, f"{where}.original_max_position_embeddings", minimum=1, maximum=MAX_LENGTH)
        notes.append("original_max_position_embeddings not given: using max_position_embeddings")
        return need_max_pos()

    def factor(required: bool, length: int | None = None) -> float:
        value = scaling.get("factor")
        if value is None:
            if required:
                raise ConfigError(
                    f"{where}.factor is missing; rope type {rope_type!r} needs a scale factor > 0"
                )
            derived = need_max_pos() / length
            notes.append(f"factor derived as max_position_embeddings / original = {derived:g}")
            return derived
        return _number(value, f"{where}.factor", minimum=0.0, maximum=MAX_FACTOR)

    def optional_number(key: str, *, minimum: float = 0.0, inclusive: bool = False) -> float | None:
        value = scaling.get(key)
        if value is None:
            return None
        return _number(value, f"{where}.{key}", minimum=minimum, maximum=MAX_FACTOR, inclusive_min=inclusive)

    options: dict[str, Any] = {}
    length: int | None
    if rope_type == "default":
        length, scale = max_pos, 1.0
    elif rope_type == "linear":
        length, scale = max_pos, factor(required=True)
    elif rope_type == "dynamic":
        length, scale = need_max_pos(), factor(required=True)
        if rotary_dim < 4:
            raise ConfigError(
                f"head_dim gives rotary dim {rotary_dim}; dynamic NTK needs at least 4 (its exponent is dim / (dim - 2))"
            )
        options["seq_len"] = max(seq_len or length, length)
    elif rope_type == "yarn":
        length = original()
        scale = factor(required=False, length=length)
        beta_fast = optional_number("beta_fast") or 32.0
        beta_slow = optional_number("beta_slow") or 1.0
        if not beta_slow < beta_fast:
            raise ConfigError(
                f"{where}.beta_fast must be greater than beta_slow, got {beta_fast:g} and {beta_slow:g}"
            )
        truncate = scaling.get("truncate", True)
        if not isinstance(truncate, bool):
            raise ConfigError(f"{where}.truncate must be true or false, got {_json_kind(truncate)}")
        options.update(
            beta_fast=beta_fast,
            beta_slow=beta_slow,
            truncate=truncate,
            attention_factor=optional_number("attention_factor"),
            mscale=optional_number("mscale", inclusive=True),
            mscale_all_dim=optional_number("mscale_all_dim", inclusive=True),
        )
    elif rope_type == "llama3":
        length = original()
        scale = factor(required=True)
        for key in ("low_freq_factor", "high_freq_factor"):
            if scaling.get(key) is None:
                raise ConfigError(
                    f"{where}.{key} is missing; llama3 scaling needs low_freq_factor and high_freq_factor"
                )
            options[key] = _number(scaling[key], f"{where}.{key}", minimum=0.0, maximum=MAX_FACTOR)
        if not options["low_freq_factor"] < options["high_freq_factor"]:
            raise ConfigError(
                f"{where}.low_freq_factor must be less than high_freq_factor, "
                f"got {options['low_freq_factor']:g} >= {options['high_freq_factor']:g}"
            )
    else:  # longrope
        length = original()
        scale = factor(required=False, length=length)
        for key in ("short_factor", "long_factor"):
            options[key] = _factor_list(scaling.get(key), f"{where}.{key}", rotary_dim // 2)
        options["attention_factor"] = optional_number("attention_factor")
        if options["attention_factor"] is None and scale > 1 and length < 2:
            raise ConfigError(
                f"original_max_position_embeddings is {length}; LongRoPE's attention factor sqrt(1 + ln(factor) / "
                "ln(original_max_position_embeddings)) needs it >= 2, or give attention_factor"
            )
        options["seq_len"] = seq_len or length

    setting = RopeSetting(
        dim=rotary_dim,
        base=base,
        original_length=length or 1,
        factor=scale,
        **options,
    )
    return HFRope(
        rope_type=rope_type,
        method=HF_TYPES[rope_type],
        head_dim=head_dim,
        rotary_dim=rotary_dim,
        base=base,
        factor=scale,
        original_length=length,
        max_position_embeddings=max_pos,
        seq_len=options.get("seq_len"),
        scaled=scale_rope(HF_TYPES[rope_type], setting),
        notes=tuple(notes),
    )


def _factor_list(value: Any, name: str, expected: int) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{name} must be a list of {expected} positive numbers, got {_json_kind(value)}")
    if len(value) != expected:
        raise ConfigError(f"{name} must have rotary_dim / 2 = {expected} entries, got {len(value)}")
    return tuple(_number(v, f"{name}[{i}]", minimum=0.0, maximum=MAX_FACTOR) for i, v in enumerate(value))
