"""Read the RoPE of a real model from its HuggingFace ``config.json``.

Follows transformers 5.x semantics: ``rope_parameters`` (new) or ``rope_scaling`` (legacy, key
``type`` or ``rope_type``); ``rope_theta`` inside the scaling dict or at top level (default 1e4);
head size from ``qk_rope_head_dim`` (DeepSeek's rotary part), ``head_dim``, or
``hidden_size // num_attention_heads``; rotary dim = int(head size * partial_rotary_factor);
``original_max_position_embeddings`` at top level wins over the one in the scaling dict (Phi-3),
else ``max_position_embeddings``. Dynamic NTK uses ``max_position_embeddings`` as L, like
transformers. Every problem raises :class:`ConfigError` naming the field and what was expected.

The fields every rope type shares are read once into a :class:`RopeSource`; then one reader per
rope type (``ROPE_READERS``, keyed like transformers' ``ROPE_INIT_FUNCTIONS``) takes that same
source and returns the :class:`TypeFields` of its type (L, s, l' and its own RopeSetting options).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
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


# ---------------------------------------------------------------------------------------------
# The fields every rope type shares


@dataclass(frozen=True)
class RopeSource:
    """What every rope type's reader is given: the config, its scaling dict and the key it was read
    from, the canonical rope type, and the shared fields, already checked (head size, rotary dim
    |D| = int(head size * partial_rotary_factor), base b, max_position_embeddings, the caller's
    seq_len). Readers append to ``notes`` what they derive rather than read."""

    config: Mapping
    scaling: Mapping
    scaling_key: str
    rope_type: str
    head_dim: int
    rotary_dim: int
    base: float
    max_position_embeddings: int | None
    seq_len: int | None
    notes: list[str]


@dataclass(frozen=True)
class TypeFields:
    """The RopeSetting fields a rope type reads: the length L it scales from (None for an unscaled
    model without max_position_embeddings), the factor s, the current length l' (dynamic and
    LongRoPE), and its own RopeSetting keywords (betas, band factors, factor lists, ...)."""

    original_length: int | None
    factor: float = 1.0
    seq_len: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


RopeReader = Callable[[RopeSource], TypeFields]


def rope_from_hf_config(config: dict, seq_len: int | None = None) -> HFRope:
    """The inverse frequencies and attention factor a HuggingFace model computes from ``config``.

    ``seq_len`` is the current sequence length for dynamic and LongRoPE types (None: the model's
    state at initialisation, as transformers computes it).
    """
    source = _rope_source(config, seq_len)
    fields = ROPE_READERS[source.rope_type](source)
    method = HF_TYPES[source.rope_type]
    setting = RopeSetting(
        dim=source.rotary_dim,
        base=source.base,
        original_length=fields.original_length or 1,
        factor=fields.factor,
        seq_len=fields.seq_len,
        **fields.options,
    )
    return HFRope(
        rope_type=source.rope_type,
        method=method,
        head_dim=source.head_dim,
        rotary_dim=source.rotary_dim,
        base=source.base,
        factor=fields.factor,
        original_length=fields.original_length,
        max_position_embeddings=source.max_position_embeddings,
        seq_len=fields.seq_len,
        scaled=scale_rope(method, setting),
        notes=tuple(source.notes),
    )


def _rope_source(config: Mapping, seq_len: int | None) -> RopeSource:
    """The shared fields, checked in a fixed order (the first problem found is the one reported)."""
    if not isinstance(config, Mapping):
        raise ConfigError(f"config must be a JSON object, got {_json_kind(config)}")
    scaling, scaling_key = _scaling_dict(config)
    raw_type, rope_type = _rope_type(scaling, scaling_key)
    notes = [] if rope_type == raw_type else [f"rope type {raw_type!r} is the old name of {rope_type!r}"]
    base = _base(config, scaling)
    head_dim = _head_dim(config)
    max_pos = config.get("max_position_embeddings")
    return RopeSource(
        config=config,
        scaling=scaling,
        scaling_key=scaling_key,
        rope_type=rope_type,
        head_dim=head_dim,
        rotary_dim=_rotary_dim(config, scaling, head_dim),
        base=base,
        max_position_embeddings=None if max_pos is None else _length(max_pos, "max_position_embeddings"),
        seq_len=None if seq_len is None else _length(seq_len, "seq_len"),
        notes=notes,
    )


def _length(value: Any, name: str) -> int:
    """A sequence length: a whole number in [1, MAX_LENGTH]."""
    return _integer(value, name, minimum=1, maximum=MAX_LENGTH)


def _scaling_dict(config: Mapping) -> tuple[dict, str]:
    # transformers (4.x and 5.x) reads rope_scaling when it is given and non-empty, else rope_parameters
    for key in ("rope_scaling", "rope_parameters"):
        if config.get(key) is not None and config.get(key) != {}:
            scaling = config[key]
            if not isinstance(scaling, dict):
                raise ConfigError(
                    f'{key} must be an object such as {{"rope_type": "yarn", "factor": 4}}, '
                    f"got {_json_kind(scaling)}"
                )
            if (
                "rope_type" not in scaling
                and "type" not in scaling
                and any(isinstance(v, dict) for v in scaling.values())
            ):
                raise ConfigError(
                    f"{key} holds per-layer-type RoPE settings ({', '.join(map(str, scaling))}); "
                    "paste one layer type's object"
                )
            return scaling, key
    return {}, "rope_scaling"


def _rope_type(scaling: Mapping, scaling_key: str) -> tuple[str, str]:
    """(the rope type as written, its canonical name: a key of ROPE_READERS)."""
    raw_type = scaling.get("rope_type", scaling.get("type", "default"))
    if not isinstance(raw_type, str):
        raise ConfigError(f"{scaling_key}.rope_type must be a string, got {_json_kind(raw_type)}")
    rope_type = ALIASES.get(raw_type, raw_type)
    if rope_type not in ROPE_READERS:
        raise ConfigError(f"unknown rope type {raw_type!r}; supported: {', '.join(ROPE_READERS)}")
    return raw_type, rope_type


def _base(config: Mapping, scaling: Mapping) -> float:
    """b = rope_theta, inside the scaling dict or at top level (default 1e4)."""
    theta = scaling.get("rope_theta", config.get("rope_theta", 10000.0))
    return _number(theta, "rope_theta", minimum=1.0, maximum=MAX_BASE)


def _head_dim(config: Mapping) -> int:
    """qk_rope_head_dim (DeepSeek's rotary part), head_dim, or hidden_size // num_attention_heads."""
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
            f"hidden_size / num_attention_heads = {hidden // heads} is not a plausible head size "
            f"(at most {MAX_HEAD_DIM})"
        )
    return hidden // heads


def _rotary_dim(config: Mapping, scaling: Mapping, head_dim: int) -> int:
    """|D| = int(head size * partial_rotary_factor), positive and even."""
    prf = scaling.get("partial_rotary_factor", config.get("partial_rotary_factor", 1.0))
    prf = 1.0 if prf is None else _number(prf, "partial_rotary_factor", minimum=0.0, maximum=1.0)
    rotary_dim = int(head_dim * prf)
    if rotary_dim < 2 or rotary_dim % 2:
        raise ConfigError(
            f"head_dim must give a positive even rotary dim: head size {head_dim} x "
            f"partial_rotary_factor {prf:g} = {rotary_dim}"
        )
    return rotary_dim


# ---------------------------------------------------------------------------------------------
# Checks the rope types share


def _max_positions(source: RopeSource) -> int:
    """max_position_embeddings, for a rope type that cannot do without it."""
    if source.max_position_embeddings is None:
        raise ConfigError(f"max_position_embeddings is missing; rope type {source.rope_type!r} needs it")
    return source.max_position_embeddings


def _original_length(source: RopeSource) -> int:
    """L = original_max_position_embeddings: top level (Phi-3) over the scaling dict's, else
    max_position_embeddings (with a note)."""
    top = source.config.get("original_max_position_embeddings")
    if top is not None:
        return _length(top, "original_max_position_embeddings")
    inner = source.scaling.get("original_max_position_embeddings")
    if inner is not None:
        return _length(inner, f"{source.scaling_key}.original_max_position_embeddings")
    source.notes.append("original_max_position_embeddings not given: using max_position_embeddings")
    return _max_positions(source)


def _given_factor(source: RopeSource) -> float | None:
    """The scaling dict's factor s > 0, or None when it is not given."""
    value = source.scaling.get("factor")
    if value is None:
        return None
    return _number(value, f"{source.scaling_key}.factor", minimum=0.0, maximum=MAX_FACTOR)


def _required_factor(source: RopeSource) -> float:
    factor = _given_factor(source)
    if factor is None:
        raise ConfigError(
            f"{source.scaling_key}.factor is missing; rope type {source.rope_type!r} needs a scale factor > 0"
        )
    return factor


def _factor_or_length_ratio(source: RopeSource, original_length: int) -> float:
    """s as given, else s = max_position_embeddings / L (with a note)."""
    factor = _given_factor(source)
    if factor is None:
        factor = _max_positions(source) / original_length
        source.notes.append(f"factor derived as max_position_embeddings / original = {factor:g}")
    return factor


def _optional_number(source: RopeSource, key: str, *, inclusive: bool = False) -> float | None:
    """The scaling dict's ``key``, > 0 (>= 0 when ``inclusive``), or None when it is not given."""
    value = source.scaling.get(key)
    if value is None:
        return None
    return _number(
        value, f"{source.scaling_key}.{key}", minimum=0.0, maximum=MAX_FACTOR, inclusive_min=inclusive
    )


def _factor_list(value: Any, name: str, expected: int) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{name} must be a list of {expected} positive numbers, got {_json_kind(value)}")
    if len(value) != expected:
        raise ConfigError(f"{name} must have rotary_dim / 2 = {expected} entries, got {len(value)}")
    return tuple(_number(v, f"{name}[{i}]", minimum=0.0, maximum=MAX_FACTOR) for i, v in enumerate(value))


# ---------------------------------------------------------------------------------------------
# One reader per rope type: same argument, the RopeSetting fields of that type


def _read_default_parameters(source: RopeSource) -> TypeFields:
    """Plain RoPE: s = 1, L = max_position_embeddings if given."""
    return TypeFields(source.max_position_embeddings)


def _read_linear_parameters(source: RopeSource) -> TypeFields:
    """Position Interpolation: theta / s; the factor is required."""
    return TypeFields(source.max_position_embeddings, _required_factor(source))


def _read_dynamic_parameters(source: RopeSource) -> TypeFields:
    """Dynamic NTK: L = max_position_embeddings (as transformers), l' = max(seq_len, L); the
    exponent |D| / (|D| - 2) needs |D| >= 4."""
    length = _max_positions(source)
    factor = _required_factor(source)
    if source.rotary_dim < 4:
        raise ConfigError(
            f"head_dim gives rotary dim {source.rotary_dim}; dynamic NTK needs at least 4 "
            "(its exponent is dim / (dim - 2))"
        )
    return TypeFields(length, factor, seq_len=max(source.seq_len or length, length))


def _read_yarn_parameters(source: RopeSource) -> TypeFields:
    """YaRN: beta_fast > beta_slow (defaults 32 and 1), truncate, and the optional attention factor
    or DeepSeek's mscale / mscale_all_dim."""
    length = _original_length(source)
    factor = _factor_or_length_ratio(source, length)
    beta_fast = _optional_number(source, "beta_fast") or 32.0
    beta_slow = _optional_number(source, "beta_slow") or 1.0
    if not beta_slow < beta_fast:
        raise ConfigError(
            f"{source.scaling_key}.beta_fast must be greater than beta_slow, "
            f"got {beta_fast:g} and {beta_slow:g}"
        )
    truncate = source.scaling.get("truncate", True)
    if not isinstance(truncate, bool):
        raise ConfigError(f"{source.scaling_key}.truncate must be true or false, got {_json_kind(truncate)}")
    options = {
        "beta_fast": beta_fast,
        "beta_slow": beta_slow,
        "truncate": truncate,
        "attention_factor": _optional_number(source, "attention_factor"),
        "mscale": _optional_number(source, "mscale", inclusive=True),
        "mscale_all_dim": _optional_number(source, "mscale_all_dim", inclusive=True),
    }
    return TypeFields(length, factor, options=options)


def _read_llama3_parameters(source: RopeSource) -> TypeFields:
    """Llama 3.1: factor, low_freq_factor < high_freq_factor, all required."""
    length = _original_length(source)
    factor = _required_factor(source)
    low = _band_factor(source, "low_freq_factor")
    high = _band_factor(source, "high_freq_factor")
    if not low < high:
        raise ConfigError(
            f"{source.scaling_key}.low_freq_factor must be less than high_freq_factor, "
            f"got {low:g} >= {high:g}"
        )
    return TypeFields(length, factor, options={"low_freq_factor": low, "high_freq_factor": high})


def _band_factor(source: RopeSource, key: str) -> float:
    if source.scaling.get(key) is None:
        raise ConfigError(
            f"{source.scaling_key}.{key} is missing; "
            "llama3 scaling needs low_freq_factor and high_freq_factor"
        )
    return _number(source.scaling[key], f"{source.scaling_key}.{key}", minimum=0.0, maximum=MAX_FACTOR)


def _read_longrope_parameters(source: RopeSource) -> TypeFields:
    """LongRoPE (Phi-3): |D| / 2 short and long factors, l' = seq_len or L (the short factors up to
    L), attention factor as given or sqrt(1 + ln s / ln L), which needs L >= 2 when s > 1."""
    length = _original_length(source)
    factor = _factor_or_length_ratio(source, length)
    short_factor, long_factor = (
        _factor_list(source.scaling.get(key), f"{source.scaling_key}.{key}", source.rotary_dim // 2)
        for key in ("short_factor", "long_factor")
    )
    attention_factor = _optional_number(source, "attention_factor")
    if attention_factor is None and factor > 1 and length < 2:
        raise ConfigError(
            f"original_max_position_embeddings is {length}; LongRoPE's attention factor "
            "sqrt(1 + ln(factor) / ln(original_max_position_embeddings)) needs it >= 2, "
            "or give attention_factor"
        )
    options = {"short_factor": short_factor, "long_factor": long_factor, "attention_factor": attention_factor}
    return TypeFields(length, factor, seq_len=source.seq_len or length, options=options)


ROPE_READERS: dict[str, RopeReader] = {
    "default": _read_default_parameters,
    "linear": _read_linear_parameters,
    "dynamic": _read_dynamic_parameters,
    "yarn": _read_yarn_parameters,
    "llama3": _read_llama3_parameters,
    "longrope": _read_longrope_parameters,
}
