"""Read the RoPE of a real model from its HuggingFace ``config.json``, as that model's own code does.

Follows transformers 5.24. The config's ``model_type`` picks the model's rules in ``MODEL_RULES`` (one
entry per model type whose language model uses RoPE, written from its configuration class and rotary
code): the keys that give the base and the rotating part of the head and their defaults, how the head
size is found, which rope types it renames or refuses, its per-layer-type RoPE, and whether its
attention also scales the softmax by DeepSeek's mscale. Composite configs (``WRAPPERS``: vision,
audio and speech models built around a language model) are read from the language model's sub-config
(``text_config``). A missing or unknown ``model_type`` is read with the generic rules (``GENERIC``),
and ``HFRope.generic_notice`` says so. tests/core/test_hf_parity.py checks every entry against that
model type's own rotary embedding class, and lists the RoPE model types left out and why.

The generic rules: ``rope_scaling`` if non-empty, else ``rope_parameters`` (key ``rope_type`` or
``type``; an object of objects holds per-layer-type settings); ``rope_theta`` inside the scaling dict
or at top level (default 1e4); head size from ``qk_rope_head_dim``, ``head_dim``, or ``hidden_size //
num_attention_heads``; rotary dim = int(head size * partial_rotary_factor);
``original_max_position_embeddings`` at top level wins over the one in the scaling dict, else
``max_position_embeddings``. Dynamic NTK uses ``max_position_embeddings`` as L, like transformers.

Every problem raises :class:`ConfigError` naming the field and what was expected (quoting at most a
short prefix of what it got); keys the model would not read (a misspelling, a key of another rope
type, a legacy key of another family) are listed in ``HFRope.warnings`` with the likely intended key.

The fields every rope type shares are read once into a :class:`RopeSource`; then one reader per rope
type (``ROPE_READERS``, keyed like transformers' ``ROPE_INIT_FUNCTIONS``) takes that same source and
returns the :class:`TypeFields` of its type (L, s, l' and its own RopeSetting options).
"""

from __future__ import annotations

import difflib
import json
import math
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .scaling import RopeSetting, ScaledRope, scale_rope

MAX_CONFIG_BYTES = 1_000_000
MAX_BASE = 1e15
MAX_FACTOR = 1e6
MIN_FACTOR = 1e-6  # s below this makes theta / s overflow into infinite angles at long positions
MIN_BETA = 1e-6  # turns inside L; below it L / (2 pi beta) overflows and the ramp's ceil() fails
EQUAL_NUDGE = 1e-9
"""Equal betas (Kimi K2) or band factors (Llama 4) are read as transformers does, a step; the
explorer's RopeSetting needs them ordered, so the upper one is raised by this relative amount,
which moves no correction dim or cutoff by more than ~1e-9 (a pair exactly there is where
transformers itself divides by zero)."""
MAX_HEAD_DIM = 65536
MAX_LENGTH = 2**40
QUOTE_LIMIT = 40  # characters of a user's string quoted in a message

HF_TYPES = {
    "default": "none",
    "linear": "linear",
    "dynamic": "dynamic_ntk",
    "yarn": "yarn",
    "llama3": "llama3",
    "longrope": "longrope",
}
ALIASES = {"su": "longrope"}
ROPE_KEYS = {
    "default": frozenset({"rope_theta"}),
    "linear": frozenset({"rope_theta", "factor"}),
    "dynamic": frozenset({"rope_theta", "factor"}),
    "yarn": frozenset(
        {
            "rope_theta",
            "factor",
            "original_max_position_embeddings",
            "attention_factor",
            "beta_fast",
            "beta_slow",
            "mscale",
            "mscale_all_dim",
            "truncate",
        }
    ),
    "llama3": frozenset(
        {"rope_theta", "factor", "original_max_position_embeddings", "low_freq_factor", "high_freq_factor"}
    ),
    "longrope": frozenset(
        {
            "rope_theta",
            "factor",
            "original_max_position_embeddings",
            "attention_factor",
            "short_factor",
            "long_factor",
        }
    ),
}
"""The scaling-dict keys each rope type reads (as transformers' validators list them), besides
EVERY_TYPE_KEYS."""
EVERY_TYPE_KEYS = frozenset(
    {"rope_type", "type", "partial_rotary_factor", "mrope_section", "mrope_interleaved"}
)
"""Keys any rope type accepts: its name, the rotating fraction, and the multimodal RoPE's sections
(which split the pairs between time, height and width positions; text positions are the same on all
three, so they do not change a text model's frequencies)."""


class ConfigError(ValueError):
    """A config that cannot be read; the message names the field and what was expected."""


@dataclass(frozen=True, eq=False)
class HFRope:
    """The RoPE a model computes. ``original_length`` is the L the method scales from (None for
    an unscaled model without max_position_embeddings); ``seq_len`` the current length used by
    dynamic and LongRoPE types; ``notes`` explain values that were derived rather than read.

    ``warnings`` list what the model would not read or what is likely a mistake (each names the
    key, and the likely intended one); ``model_type`` is the model type whose rules were applied
    (None: the generic rules, and ``generic_notice`` says why); a model with per-layer-type RoPE
    (Gemma 3, ModernBERT, ...) is read once per layer type: ``layer_types`` holds every
    (layer type, HFRope) pair in the config's order, and this object is the full-attention one (or
    the first), with ``layer_type`` naming it."""

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
    warnings: tuple[str, ...] = field(default=())
    model_type: str | None = None
    generic_notice: str | None = None
    layer_type: str | None = None
    layer_types: tuple[tuple[str, HFRope], ...] = field(default=())

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
    def softmax_factor(self) -> float:
        """The factor the model's attention puts on its softmax scale, squared in the logits
        (mscale(s, mscale_all_dim) for multi-head latent attention models, else 1)."""
        return float(self.scaled.softmax_factor)

    @property
    def interpolated(self) -> np.ndarray:
        return self.scaled.interpolated

    @property
    def generic(self) -> bool:
        """True when no model type's rules applied (missing or unknown model_type)."""
        return self.model_type is None


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


def _quote(text: Any, limit: int = QUOTE_LIMIT) -> str:
    """repr(text), or a repr of its first ``limit`` characters and how long it was."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def _key_name(key: Any, limit: int = 24) -> str:
    """A key as it reads in a dotted path (rope_scaling.factor), cut short when it is long."""
    key = str(key)
    return key if len(key) <= limit else f"{key[:limit]}... ({len(key):,} characters)"


def _quote_keys(keys: Any, limit: int = 6) -> str:
    """A few keys, quoted and cut short, for a message."""
    keys = list(keys)
    shown = ", ".join(_quote(key, 24) for key in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


# ---------------------------------------------------------------------------------------------
# How each model type reads RoPE


@dataclass(frozen=True)
class LayerRule:
    """One layer type of a model whose layers use different RoPE (Gemma 3's sliding and full
    attention): the top-level key its base is read from and the base's default, whether a flat
    (legacy) scaling dict applies to it, and its partial_rotary_factor default."""

    base_key: str = "rope_theta"
    base_default: float = 10000.0
    scaled: bool = True
    partial_default: float | None = None


@dataclass(frozen=True)
class ModelRules:
    """How one model type reads RoPE, from transformers 5.24's configuration class and rotary code.

    ``head_size``: a key of HEAD_SIZES, how the head size is found (``head_dim_default``: the class
    default used when the config has no such key). ``partial_key`` / ``partial_default``: the key
    and default of the rotating fraction of the head; ``default_partial``: whether the model's
    unscaled ("default") RoPE honours it (Llama's rotates the whole head whatever it says, Phi's
    rotates the fraction; every scaled type honours it); ``rotary_dim_key``: a key giving the
    rotary dim itself, read as the fraction rotary_dim / head size (``rotary_dim_default`` when the
    key is absent: GPT-J's 64). ``base_key`` / ``base_default``:
    the base's top-level key and default (the class's ``default_theta``). ``original_default``: the
    class default of a top-level original_max_position_embeddings, which then always wins over the
    scaling dict's (Phi-3's 4096). ``renames``: rope types it reads as another (Phi-3 reads yarn as
    longrope); ``rope_types``: the only rope types it accepts (None: all); ``rope_default``: the RoPE
    it uses when the config gives none; ``layer_types``: its per-layer-type RoPE, by layer type.
    ``mla_softmax``: its attention multiplies the softmax scale by mscale(s, mscale_all_dim)^2
    (multi-head latent attention: DeepSeek V2/V3, MiniCPM3, ...). ``heads_divide_hidden``: it
    refuses a hidden_size that is not a multiple of num_attention_heads (the others round the head
    size down). ``extra_keys``: scaling-dict keys of its own (multimodal sections and the like) that
    do not change the frequencies. ``aliases``: its config.json names for head_dim, hidden_size,
    num_attention_heads or max_position_embeddings (JetMoE's kv_channels). ``flat_scaling``: False
    when it reads RoPE only per layer type (a flat scaling dict makes its rotary code fail).
    ``scaling_keys``: where it looks for the scaling dict, first non-empty wins (Cohere 2 MoE reads
    only rope_parameters). ``longrope_mscales``: its cos and sin are scaled by the scaling dict's
    short_mscale / long_mscale instead of LongRoPE's attention factor (Phi-3.5-MoE). ``ntk_alpha``:
    a dynamic scaling dict with an ``alpha`` is fixed NTK-aware scaling by alpha (HunYuan). A None
    ``partial_key`` or ``base_key``: it reads no top-level key for that (only the scaling dict's)."""

    family: str
    head_size: str = "head_dim"
    head_dim_default: int | None = None
    partial_key: str | None = "partial_rotary_factor"
    partial_default: float | None = None
    default_partial: bool = False
    rotary_dim_key: str | None = None
    rotary_dim_default: int | None = None
    base_key: str | None = "rope_theta"
    base_default: float = 10000.0
    original_default: int | None = None
    renames: Mapping[str, str] = field(default_factory=dict)
    rope_types: tuple[str, ...] | None = None
    rope_default: Mapping[str, Any] | None = None
    layer_types: Mapping[str, LayerRule] | None = None
    mla_softmax: bool = False
    heads_divide_hidden: bool = False
    extra_keys: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    flat_scaling: bool = True
    scaling_keys: tuple[str, ...] = ("rope_scaling", "rope_parameters")
    longrope_mscales: bool = False
    ntk_alpha: bool = False

    def with_(self, **changes: Any) -> ModelRules:
        return replace(self, **changes)


def _key(config: Mapping, rules: ModelRules, name: str) -> Any:
    """config[name], under the model's own name for it when it has one (JetMoE's kv_channels)."""
    alias = rules.aliases.get(name)
    if alias is not None and config.get(alias) is not None:
        return config[alias]
    return config.get(name)


def _hidden_over_heads(config: Mapping, rules: ModelRules, *, needed: str) -> int:
    """hidden_size // num_attention_heads: exact for a model that refuses a remainder (and for the
    generic rules), rounded down as the others' rotary code does."""
    hidden, heads = _key(config, rules, "hidden_size"), _key(config, rules, "num_attention_heads")
    if hidden is None or heads is None:
        raise ConfigError(
            f"missing head size: expected {needed}, or both hidden_size and num_attention_heads"
        )
    hidden = _integer(hidden, "hidden_size", minimum=1, maximum=MAX_HEAD_DIM * 4096)
    heads = _integer(heads, "num_attention_heads", minimum=1, maximum=65536)
    if hidden // heads > MAX_HEAD_DIM:
        raise ConfigError(
            f"hidden_size / num_attention_heads = {hidden // heads} is not a plausible head size "
            f"(at most {MAX_HEAD_DIM})"
        )
    if hidden % heads and rules.heads_divide_hidden:
        raise ConfigError(
            f"hidden_size {hidden} is not a multiple of num_attention_heads {heads}, so there is no whole "
            "head size (head_dim = hidden_size / num_attention_heads); transformers refuses this config"
        )
    return hidden // heads


def _given_head_dim(config: Mapping, rules: ModelRules, key: str) -> int | None:
    """The config's ``key`` (or the model's own name for it), its class default when absent, None
    when null."""
    name = rules.aliases.get(key, key)
    if name not in config:
        name = key
    value = config.get(name, rules.head_dim_default)
    return None if value is None else _integer(value, name, minimum=2, maximum=MAX_HEAD_DIM)


def _head_dim_or_hidden(config: Mapping, rules: ModelRules) -> int:
    """head_dim (its class default when absent), else hidden_size // num_attention_heads."""
    head_dim = _given_head_dim(config, rules, "head_dim")
    if rules.heads_divide_hidden and _key(config, rules, "hidden_size") is not None:
        _hidden_over_heads(config, rules, needed="head_dim")
    return head_dim if head_dim is not None else _hidden_over_heads(config, rules, needed="head_dim")


def _hidden_only(config: Mapping, rules: ModelRules) -> int:
    """hidden_size // num_attention_heads, whatever head_dim says (the class sets head_dim so)."""
    return _hidden_over_heads(config, rules, needed="hidden_size and num_attention_heads")


def _latent_rope_dim(config: Mapping, rules: ModelRules) -> int:
    """qk_rope_head_dim: the rotary part of each query/key head in multi-head latent attention."""
    head_dim = _given_head_dim(config, rules, "qk_rope_head_dim")
    if head_dim is None:
        raise ConfigError("missing head size: expected qk_rope_head_dim (the rotary part of each head)")
    return head_dim


def _generic_head_dim(config: Mapping, rules: ModelRules) -> int:
    """qk_rope_head_dim (DeepSeek's rotary part), head_dim, or hidden_size // num_attention_heads."""
    for key in ("qk_rope_head_dim", "head_dim"):
        if config.get(key) is not None:
            return _integer(config[key], key, minimum=2, maximum=MAX_HEAD_DIM)
    return _hidden_over_heads(config, rules, needed="head_dim")


HEAD_SIZES: dict[str, Callable[[Mapping, ModelRules], int]] = {
    "head_dim": _head_dim_or_hidden,
    "hidden": _hidden_only,
    "qk_rope_head_dim": _latent_rope_dim,
    "generic": _generic_head_dim,
}

GENERIC = ModelRules(
    "the generic rules",
    head_size="generic",
    default_partial=True,
    mla_softmax=True,
    layer_types={},
    heads_divide_hidden=True,
)
"""Today's reading for a config without a (known) model_type: every rope type honours
partial_rotary_factor, qk_rope_head_dim wins, mscale_all_dim scales the softmax as in DeepSeek,
per-layer-type settings are read as they come, and hidden_size must be a multiple of
num_attention_heads when the head size comes from them (as Llama's config insists)."""


# ---------------------------------------------------------------------------------------------
# The model types (transformers 5.24)

LLAMA = ModelRules("Llama-like")
PARTIAL = ModelRules("partial rotary", default_partial=True)
MLA = ModelRules("multi-head latent attention", head_size="qk_rope_head_dim", mla_softmax=True)
PHI3 = PARTIAL.with_(
    family="Phi-3",
    original_default=4096,
    renames={"yarn": "longrope"},
    rope_types=("default", "longrope"),
)
GEMMA3 = LLAMA.with_(
    family="Gemma 3 (sliding and full attention)",
    head_dim_default=256,
    layer_types={
        "sliding_attention": LayerRule(base_key="rope_local_base_freq", scaled=False),
        "full_attention": LayerRule(base_default=1000000.0),
    },
)
HUNYUAN = LLAMA.with_(
    family="HunYuan (dynamic with alpha is fixed NTK-aware scaling)",
    ntk_alpha=True,
    extra_keys=frozenset({"alpha"}),
)
GPTJ = PARTIAL.with_(
    family="GPT-J (fixed base 10,000, no scaling)",
    rotary_dim_key="rotary_dim",
    rotary_dim_default=64,
    base_key=None,
    partial_key=None,
    scaling_keys=(),
    aliases={
        "hidden_size": "n_embd",
        "num_attention_heads": "n_head",
        "max_position_embeddings": "n_positions",
    },
)
MODERNBERT = LLAMA.with_(
    family="ModernBERT (local and global attention)",
    layer_types={
        "sliding_attention": LayerRule(base_key="local_rope_theta"),
        "full_attention": LayerRule(base_key="global_rope_theta", base_default=160000.0),
    },
)

# Rules two model types share word for word.
APERTUS = PARTIAL.with_(
    base_default=12000000.0,
    rope_default={
        "rope_type": "llama3",
        "rope_theta": 12000000.0,
        "factor": 8.0,
        "original_max_position_embeddings": 8192,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
    },
)

GPT_OSS = LLAMA.with_(
    head_dim_default=64,
    base_default=150000.0,
    rope_default={
        "rope_type": "yarn",
        "factor": 32.0,
        "beta_fast": 32.0,
        "beta_slow": 1.0,
        "truncate": False,
        "original_max_position_embeddings": 4096,
    },
)

NEMOTRON3_5_TRANSCRIBE = PARTIAL.with_(
    heads_divide_hidden=True,
    rope_default={"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.5},
)


MODEL_RULES: dict[str, ModelRules] = {
    "afmoe": LLAMA.with_(head_dim_default=128),
    "apertus": APERTUS,
    "apertus1p5_text": APERTUS,
    "arcee": LLAMA.with_(heads_divide_hidden=True),
    "aria_text": LLAMA.with_(heads_divide_hidden=True),
    "axk1": MLA.with_(head_dim_default=64),
    "axk2": MLA.with_(head_dim_default=32),
    "bailing_hybrid": MLA.with_(
        head_dim_default=64, aliases={"max_position_embeddings": "model_max_length"}, base_default=6000000.0
    ),
    "bamba": PARTIAL.with_(partial_default=0.5, heads_divide_hidden=True),
    "beam": LLAMA.with_(
        head_dim_default=128,
        rope_default={
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
            "full_attention": None,
        },
        layer_types={},
        flat_scaling=False,
        base_key=None,
        partial_key=None,
    ),
    "bitnet": LLAMA.with_(base_default=500000.0),
    "chameleon": LLAMA,
    "codegen": GPTJ,
    "cohere": LLAMA.with_(base_default=500000.0),
    "cohere2": LLAMA.with_(head_size="hidden"),
    "cohere2_moe": LLAMA.with_(head_dim_default=128, scaling_keys=("rope_parameters",)),
    "cosmos3_edge_text": LLAMA.with_(
        head_dim_default=128,
        base_default=100000000.0,
        heads_divide_hidden=True,
        rope_types=("default",),
        rope_default={"rope_type": "default", "rope_theta": 100000000.0},
    ),
    "csm": LLAMA.with_(base_default=500000.0),
    "csm_depth_decoder_model": LLAMA.with_(base_default=500000.0),
    "cwm": PARTIAL.with_(
        head_dim_default=128,
        base_default=1000000.0,
        rope_default={
            "rope_type": "llama3",
            "rope_theta": 1000000.0,
            "factor": 16.0,
            "high_freq_factor": 4.0,
            "low_freq_factor": 1.0,
            "original_max_position_embeddings": 8192,
        },
    ),
    "dbrx": LLAMA.with_(
        aliases={
            "num_attention_heads": "n_heads",
            "hidden_size": "d_model",
            "max_position_embeddings": "max_seq_len",
        }
    ),
    "deepseek_ocr2_text": LLAMA.with_(head_size="hidden", heads_divide_hidden=True),
    "deepseek_v2": MLA.with_(head_dim_default=64, heads_divide_hidden=True),
    "deepseek_v3": MLA.with_(head_dim_default=64),
    "deepseek_v32": MLA.with_(head_dim_default=64),
    "dia_decoder": LLAMA.with_(head_dim_default=128),
    "dia_encoder": LLAMA.with_(head_dim_default=128),
    "diffllama": LLAMA,
    "doge": LLAMA,
    "dory": LLAMA.with_(
        head_dim_default=256,
        rope_default={
            "full_attention": {"rope_type": "default", "rope_theta": 10000000.0},
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        },
        layer_types={},
        flat_scaling=False,
    ),
    "dots1": LLAMA,
    "emu3_text_model": LLAMA.with_(base_default=1000000.0),
    "ernie4_5": LLAMA.with_(head_dim_default=128, base_default=500000.0),
    "ernie4_5_moe": LLAMA.with_(base_default=500000.0),
    "ernie4_5_vl_moe_text": LLAMA.with_(base_default=500000.0, rope_types=("default",)),
    "esmc": LLAMA.with_(heads_divide_hidden=True),
    "eurobert": LLAMA.with_(heads_divide_hidden=True),
    "evolla": LLAMA.with_(base_default=500000.0),
    "exaone": LLAMA.with_(base_default=500000.0, heads_divide_hidden=True),
    "exaone4": LLAMA,
    "exaone_moe": LLAMA,
    "falcon": LLAMA,
    "falcon_h1": LLAMA,
    "flex_olmo": LLAMA.with_(base_default=500000.0),
    "flint": LLAMA.with_(head_dim_default=128),
    "gemma": LLAMA.with_(head_dim_default=256),
    "gemma2": LLAMA.with_(head_dim_default=256),
    "gemma3_text": GEMMA3,
    "gemma3n_text": GEMMA3,
    "glm": PARTIAL.with_(head_dim_default=128, partial_default=0.5),
    "glm4": PARTIAL.with_(head_dim_default=128, partial_default=0.5),
    "glm4_moe": PARTIAL.with_(partial_default=0.5),
    "glm4_moe_lite": MLA.with_(head_dim_default=64, default_partial=True),
    "glm4v_moe_text": PARTIAL.with_(partial_default=0.5),
    "glm4v_text": PARTIAL,
    "glm_image_text": PARTIAL,
    "glm_moe_dsa": MLA.with_(head_dim_default=64),
    "glm_ocr_text": PARTIAL,
    "glmasr_encoder": PARTIAL.with_(partial_default=0.5),
    "gpt_neox": PARTIAL.with_(
        partial_key="rotary_pct", partial_default=0.25, base_key="rotary_emb_base", heads_divide_hidden=True
    ),
    "gpt_neox_japanese": PARTIAL.with_(partial_key="rotary_pct", base_key="rotary_emb_base"),
    "gpt_oss": GPT_OSS,
    "gptj": GPTJ,
    "gradium_phonon_tts": LLAMA.with_(heads_divide_hidden=True),
    "granite": LLAMA,
    "granite4_vision_text": LLAMA,
    "granite_docling_text": LLAMA.with_(heads_divide_hidden=True),
    "granite_swa": LLAMA,
    "granitemoe": LLAMA,
    "granitemoe_swa": LLAMA,
    "granitemoehybrid": LLAMA.with_(heads_divide_hidden=True),
    "granitemoeshared": LLAMA,
    "gte": LLAMA.with_(base_default=160000.0),
    "helium": LLAMA.with_(head_dim_default=128, base_default=100000.0),
    "higgs_audio_v2": PARTIAL.with_(
        head_dim_default=128,
        rope_default={
            "rope_type": "llama3",
            "rope_theta": 500000.0,
            "factor": 32.0,
            "high_freq_factor": 0.5,
            "low_freq_factor": 0.125,
            "original_max_position_embeddings": 1024,
        },
    ),
    "hrm_text": LLAMA.with_(head_dim_default=128),
    "hunyuan_v1_dense": HUNYUAN,
    "hunyuan_v1_moe": HUNYUAN,
    "hunyuan_vl_text": HUNYUAN.with_(renames={"xdrope": "dynamic"}),
    "hy_v3": LLAMA.with_(head_dim_default=128, base_default=11158840.0),
    "hy_v4": MLA.with_(head_dim_default=64),
    "hy_v4_vl_text": MLA.with_(
        head_dim_default=64, rope_default={"rope_type": "default", "mrope_section": [12, 10, 10]}
    ),
    "hyperclovax": LLAMA.with_(heads_divide_hidden=True),
    "idefics": LLAMA,
    "internlm3": LLAMA.with_(head_dim_default=128, heads_divide_hidden=True),
    "iquestcoder": LLAMA.with_(head_dim_default=128, heads_divide_hidden=True),
    "jais2": LLAMA.with_(heads_divide_hidden=True),
    "jetmoe": LLAMA.with_(aliases={"head_dim": "kv_channels"}),
    "jina_embeddings_v3": LLAMA.with_(base_default=20000.0),
    "kolibri1": LLAMA.with_(head_dim_default=128),
    "kyutai_speech_to_text": LLAMA,
    "laguna": PARTIAL.with_(
        head_dim_default=128,
        rope_default={
            "full_attention": {"rope_type": "default", "rope_theta": 500000.0, "partial_rotary_factor": 0.5},
            "sliding_attention": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "partial_rotary_factor": 1.0,
            },
        },
        layer_types={},
        flat_scaling=False,
        base_key=None,
        partial_key=None,
    ),
    "lara_mini": LLAMA.with_(head_dim_default=128),
    "lasr_encoder": LLAMA,
    "lfm2": LLAMA.with_(base_default=1000000.0),
    "lfm2_moe": LLAMA.with_(base_default=1000000.0),
    "llama": LLAMA.with_(heads_divide_hidden=True),
    "llama4_text": LLAMA.with_(head_dim_default=128, base_default=500000.0),
    "longcat_flash": LLAMA.with_(head_dim_default=64, mla_softmax=True, base_default=10000000.0),
    "mellum": PARTIAL.with_(
        head_dim_default=128,
        rope_default={
            "full_attention": {"rope_type": "default", "rope_theta": 500000.0},
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
        },
        layer_types={},
        flat_scaling=False,
        base_key=None,
        partial_key=None,
    ),
    "mimo_v2_flash": PARTIAL.with_(
        head_dim_default=192,
        rope_default={
            "full_attention": {
                "rope_type": "default",
                "rope_theta": 5000000.0,
                "partial_rotary_factor": 0.334,
            },
            "sliding_attention": {
                "rope_type": "default",
                "rope_theta": 10000.0,
                "partial_rotary_factor": 0.334,
            },
        },
        layer_types={},
        flat_scaling=False,
        base_key=None,
        partial_key=None,
    ),
    "minicpm3": MLA.with_(head_dim_default=32, heads_divide_hidden=True),
    "minimax": LLAMA.with_(base_default=1000000.0),
    "minimax_m2": PARTIAL.with_(head_dim_default=128, base_default=5000000.0, rotary_dim_key="rotary_dim"),
    "minimax_m3_vl_text": PARTIAL.with_(head_dim_default=128, base_default=5000000.0),
    "ministral": LLAMA,
    "ministral3": PARTIAL.with_(
        head_dim_default=128,
        rope_default={
            "rope_type": "yarn",
            "rope_theta": 1000000.0,
            "factor": 16.0,
            "original_max_position_embeddings": 16384,
            "max_position_embeddings": 262144,
            "beta_fast": 32.0,
            "beta_slow": 1.0,
            "mscale_all_dim": 1.0,
            "mscale": 1.0,
            "llama_4_scaling_beta": 0.1,
        },
        extra_keys=frozenset({"llama_4_scaling_beta", "max_position_embeddings"}),
    ),
    "mistral": LLAMA,
    "mistral_large4_text": MLA.with_(
        head_dim_default=64,
        default_partial=True,
        rope_default={
            "rope_type": "yarn",
            "rope_theta": 10000.0,
            "factor": 2048.0,
            "original_max_position_embeddings": 512,
            "beta_fast": 32.0,
            "beta_slow": 1.0,
            "attention_factor": 1.0,
        },
    ),
    "mixtral": LLAMA.with_(base_default=1000000.0),
    "mllama_text_model": LLAMA.with_(base_default=500000.0),
    "modernbert": MODERNBERT,
    "modernbert-decoder": MODERNBERT,
    "molmo2_text": LLAMA.with_(head_dim_default=128),
    "moonshine": PARTIAL.with_(
        aliases={"num_attention_heads": "decoder_num_attention_heads"}, partial_default=0.9
    ),
    "moshi": LLAMA,
    "muse_glimmer_assistant": LLAMA.with_(head_dim_default=128, base_default=500000.0),
    "muse_glimmer_text": LLAMA.with_(head_dim_default=128),
    "muse_spark_text": LLAMA.with_(
        head_dim_default=64, rope_default={"rope_type": "default", "rope_theta": 500000.0}
    ),
    "nanochat": LLAMA,
    "nemotron": PARTIAL.with_(partial_default=0.5),
    "nemotron3_5_transcribe_asr_audio": NEMOTRON3_5_TRANSCRIBE,
    "nemotron3_5_transcribe_word_timestamp": NEMOTRON3_5_TRANSCRIBE,
    "nemotron3_diarization_audio": PARTIAL.with_(heads_divide_hidden=True),
    "neomme": PARTIAL.with_(
        head_dim_default=64,
        flat_scaling=False,
        layer_types={
            "sliding_attention": LayerRule(partial_default=1.0),
            "full_attention": LayerRule(base_default=1000000.0, partial_default=0.25),
        },
        partial_key=None,
    ),
    "neucodec": LLAMA.with_(head_dim_default=64),
    "nomic_bert": LLAMA.with_(base_default=1000.0),
    "olmo": LLAMA,
    "olmo2": LLAMA,
    "olmo3": LLAMA.with_(
        base_default=500000.0,
        layer_types={
            "sliding_attention": LayerRule(base_default=500000.0, scaled=False),
            "full_attention": LayerRule(base_default=500000.0),
        },
    ),
    "olmo_hybrid": LLAMA,
    "olmoe": LLAMA,
    "openai_privacy_filter": GPT_OSS,
    "paddleocr_vl_text": LLAMA.with_(head_dim_default=128, base_default=500000.0),
    "pe_audio_encoder": LLAMA.with_(head_dim_default=128, base_default=20000.0),
    "persimmon": PARTIAL.with_(partial_default=0.5),
    "phi": PARTIAL.with_(partial_default=0.5),
    "phi3": PHI3,
    "phi4_multimodal": PHI3,
    "phimoe": LLAMA.with_(
        base_default=1000000.0,
        longrope_mscales=True,
        rope_types=("default", "longrope"),
        extra_keys=frozenset({"short_mscale", "long_mscale"}),
    ),
    "pocket_tts": LLAMA.with_(heads_divide_hidden=True),
    "qwen2": LLAMA,
    "qwen2_5_omni_text": LLAMA.with_(base_default=1000000.0),
    "qwen2_5_vl_text": LLAMA.with_(base_default=1000000.0, renames={"mrope": "default"}),
    "qwen2_moe": LLAMA,
    "qwen2_vl_text": LLAMA.with_(base_default=1000000.0, renames={"mrope": "default"}),
    "qwen3": LLAMA.with_(head_dim_default=128),
    "qwen3_5_moe_text": PARTIAL.with_(head_dim_default=256, partial_default=0.25),
    "qwen3_5_text": PARTIAL.with_(head_dim_default=256, partial_default=0.25),
    "qwen3_moe": LLAMA,
    "qwen3_next": PARTIAL.with_(head_dim_default=256, partial_default=0.25),
    "qwen3_omni_moe_text": LLAMA.with_(base_default=1000000.0),
    "qwen3_vl_moe_text": LLAMA.with_(base_default=500000.0),
    "qwen3_vl_text": LLAMA.with_(head_dim_default=128, base_default=500000.0),
    "qwen4_exp_text": PARTIAL.with_(head_dim_default=256),
    "recurrent_gemma": PARTIAL.with_(head_size="hidden", partial_default=0.5, rope_types=("default",)),
    "sarvam_mla": MLA.with_(head_dim_default=64),
    "sarvam_moe": PARTIAL.with_(head_dim_default=64, base_default=8000000.0),
    "seed_oss": LLAMA.with_(head_dim_default=128),
    "smollm3": LLAMA.with_(base_default=2000000.0),
    "solar_open": PARTIAL.with_(head_dim_default=128, base_default=1000000.0),
    "stablelm": PARTIAL.with_(partial_default=0.25),
    "starcoder2": LLAMA,
    "step3p5": PARTIAL.with_(
        head_dim_default=128,
        layer_types={"full_attention": LayerRule(), "sliding_attention": LayerRule(scaled=False)},
        partial_key=None,
    ),
    "t5_gemma_module": LLAMA.with_(head_dim_default=256),
    "t5gemma2_decoder": GEMMA3,
    "t5gemma2_text": GEMMA3,
    "timesfm2_5": LLAMA.with_(head_dim_default=80),
    "ultrabert": LLAMA.with_(
        heads_divide_hidden=True,
        rope_default={
            "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0},
            "full_attention": {"rope_type": "default", "rope_theta": 2560000.0},
        },
        layer_types={},
        flat_scaling=False,
    ),
    "unlimited_ocr_text": LLAMA.with_(head_size="hidden", heads_divide_hidden=True),
    "vaultgemma": LLAMA.with_(head_dim_default=256),
    "voxtral_realtime_encoder": LLAMA.with_(head_dim_default=64),
    "voxtral_realtime_text": LLAMA,
    "xcodec2": LLAMA.with_(head_dim_default=64),
    "youtu": MLA.with_(head_dim_default=64),
    "zamba2": LLAMA.with_(aliases={"head_dim": "attention_head_dim"}),
    "zaya": PARTIAL.with_(
        head_dim_default=128,
        rope_default={
            "hybrid": {"rope_type": "default", "rope_theta": 5000000.0, "partial_rotary_factor": 0.5},
            "hybrid_sliding": {"rope_type": "default", "rope_theta": 10000.0, "partial_rotary_factor": 0.5},
        },
        layer_types={},
        flat_scaling=False,
        base_key=None,
        partial_key=None,
    ),
}

WRAPPERS: dict[str, tuple[str, str, Mapping[str, Any]]] = {
    "apertus1p5": ("text_config", "apertus1p5_text", {}),
    "aria": ("text_config", "aria_text", {}),
    "audioflamingo3": ("text_config", "qwen2", {}),
    "cohere2_vision": ("text_config", "cohere2", {}),
    "cosmos3_edge": ("text_config", "cosmos3_edge_text", {}),
    "cosmos3_omni": ("text_config", "qwen3_vl_text", {}),
    "deepseek_ocr2": ("text_config", "deepseek_ocr2_text", {}),
    "deepseek_vl": ("text_config", "llama", {}),
    "deepseek_vl_hybrid": ("text_config", "llama", {}),
    "dia": ("decoder_config", "dia_decoder", {}),
    "emu3": ("text_config", "emu3_text_model", {}),
    "ernie4_5_vl_moe": ("text_config", "ernie4_5_vl_moe_text", {}),
    "exaone4_5": ("text_config", "exaone4", {}),
    "fun_asr_nano": ("text_config", "qwen3", {}),
    "fuyu": ("text_config", "persimmon", {}),
    "gemma3": ("text_config", "gemma3_text", {}),
    "gemma3n": ("text_config", "gemma3n_text", {}),
    "glm46v": ("text_config", "glm4v_text", {}),
    "glm4v": ("text_config", "glm4v_text", {}),
    "glm4v_moe": ("text_config", "glm4v_moe_text", {}),
    "glm_image": ("text_config", "glm_image_text", {}),
    "glm_ocr": ("text_config", "glm_ocr_text", {}),
    "glmasr": (
        "text_config",
        "llama",
        {
            "hidden_size": 2048,
            "num_attention_heads": 16,
            "max_position_embeddings": 8192,
            "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"},
        },
    ),
    "glmga": ("text_config", "glm4v_text", {}),
    "got_ocr2": ("text_config", "qwen2", {}),
    "granite4_vision": ("text_config", "granite4_vision_text", {}),
    "granite_docling": ("text_config", "granite_docling_text", {}),
    "granite_speech": ("text_config", "granite", {}),
    "granite_speech_plus": ("text_config", "granite", {}),
    "hunyuan_vl": ("text_config", "hunyuan_vl_text", {}),
    "hy_v4_vl": ("text_config", "hy_v4_vl_text", {}),
    "hyperclovax_vision_v2": ("text_config", "hyperclovax", {}),
    "idefics2": ("text_config", "mistral", {}),
    "idefics3": ("text_config", "llama", {}),
    "internvl": ("text_config", "qwen2", {}),
    "janus": ("text_config", "llama", {}),
    "kimi_k25": ("text_config", "deepseek_v3", {}),
    "lasr_ctc": ("encoder_config", "lasr_encoder", {}),
    "lfm2_vl": ("text_config", "lfm2", {}),
    "lighton_ocr": ("text_config", "qwen3", {}),
    "llama4": ("text_config", "llama4_text", {}),
    "llava": ("text_config", "llama", {}),
    "llava_next": ("text_config", "llama", {}),
    "llava_next_video": ("text_config", "llama", {}),
    "llava_onevision": ("text_config", "qwen2", {}),
    "minicpm_ocr": ("text_config", "qwen3_5_text", {}),
    "minicpmv4_6": ("text_config", "qwen3_5_text", {}),
    "minicpmv4_7": ("text_config", "qwen3_5_text", {}),
    "minimax_m3_vl": ("text_config", "minimax_m3_vl_text", {}),
    "mistral3": ("text_config", "mistral", {}),
    "mistral_large4": ("text_config", "mistral_large4_text", {}),
    "mllama": ("text_config", "mllama_text_model", {}),
    "modernvbert": ("text_config", "modernbert", {}),
    "molmo2": ("text_config", "molmo2_text", {}),
    "moss_transcribe_diarize": ("text_config", "qwen3", {}),
    "muse_glimmer": ("text_config", "muse_glimmer_text", {}),
    "muse_spark": ("text_config", "muse_spark_text", {}),
    "musicflamingo": ("text_config", "qwen2", {}),
    "omniasr": ("text_config", "llama", {}),
    "ovis2": ("text_config", "qwen2", {}),
    "paddleocr_vl": ("text_config", "paddleocr_vl_text", {}),
    "paligemma": ("text_config", "gemma", {}),
    "pe_audio": ("text_config", "modernbert", {"hidden_size": 1024, "num_attention_heads": 16}),
    "qianfan_ocr": ("text_config", "qwen3", {}),
    "qwen2_5_omni": ("thinker_config.text_config", "qwen2_5_omni_text", {}),
    "qwen2_5_omni_thinker": ("text_config", "qwen2_5_omni_text", {}),
    "qwen2_5_vl": ("text_config", "qwen2_5_vl_text", {}),
    "qwen2_audio": ("text_config", "qwen2", {}),
    "qwen2_vl": ("text_config", "qwen2_vl_text", {}),
    "qwen3_5": ("text_config", "qwen3_5_text", {}),
    "qwen3_5_moe": ("text_config", "qwen3_5_moe_text", {}),
    "qwen3_asr": ("text_config", "qwen3", {}),
    "qwen3_omni_moe": ("thinker_config.text_config", "qwen3_omni_moe_text", {}),
    "qwen3_omni_moe_thinker": ("text_config", "qwen3_omni_moe_text", {}),
    "qwen3_vl": ("text_config", "qwen3_vl_text", {}),
    "qwen3_vl_moe": ("text_config", "qwen3_vl_moe_text", {}),
    "qwen4_exp": ("text_config", "qwen4_exp_text", {}),
    "smolvlm": ("text_config", "llama", {}),
    "step3p7": ("text_config", "step3p5", {}),
    "t5gemma": ("decoder", "t5_gemma_module", {}),
    "t5gemma2": ("decoder", "t5gemma2_decoder", {}),
    "t5gemma2_encoder": ("text_config", "t5gemma2_text", {}),
    "ultravbert": ("text_config", "ultrabert", {}),
    "unlimited_ocr": ("text_config", "unlimited_ocr_text", {}),
    "vibevoice": ("text_config", "qwen2", {}),
    "vibevoice_asr": ("text_config", "qwen2", {}),
    "video_llama_3": ("text_config", "qwen2", {}),
    "video_llava": ("text_config", "llama", {}),
    "vipllava": ("text_config", "llama", {}),
    "voxtral": (
        "text_config",
        "llama",
        {"hidden_size": 3072, "max_position_embeddings": 131072, "rope_theta": 100000000.0, "head_dim": 128},
    ),
    "voxtral_realtime": (
        "text_config",
        "voxtral_realtime_text",
        {
            "hidden_size": 3072,
            "num_attention_heads": 32,
            "max_position_embeddings": 131072,
            "rope_theta": 1000000.0,
            "head_dim": 128,
        },
    ),
}
"""Composite model types: the key of their language model's config, its default model type, and
the defaults they put under it."""


# ---------------------------------------------------------------------------------------------
# Which rules: the model type, and the language model inside a composite config


@dataclass(frozen=True)
class ModelReading:
    """The config of the model whose RoPE is read (the top level, or a composite's text_config),
    its model type and rules (``model_type`` None: the generic rules, ``notice`` saying why), and
    the notes and warnings gathered while reading it."""

    config: Mapping
    model_type: str | None
    rules: ModelRules
    notice: str | None
    notes: list[str]
    warnings: list[str]


def _model_reading(config: Any) -> ModelReading:
    if not isinstance(config, Mapping):
        raise ConfigError(f"config must be a JSON object, got {_json_kind(config)}")
    notes: list[str] = []
    model_type = _model_type(config, "model_type")
    if model_type in WRAPPERS:
        text_key, text_type, text_defaults = WRAPPERS[model_type]
        text = _sub_config(config, text_key)
        if text is not None:
            notes.append(f"{model_type} is a composite model: RoPE read from its language model's {text_key}")
            config = {**text_defaults, **text}
            model_type = _model_type(text, f"{text_key}.model_type") or text_type
        else:
            model_type = text_type
    if model_type is None:
        notice = "the config has no model_type, so it was read with the generic rules"
    elif model_type not in MODEL_RULES:
        notice = (
            f"model_type {_quote(model_type)} is not a transformers 5.24 model type whose model uses "
            "RoPE as this page reads it, so it was read with the generic rules"
        )
    else:
        return ModelReading(config, model_type, MODEL_RULES[model_type], None, notes, [])
    notice += (
        " (head size from qk_rope_head_dim, head_dim or hidden_size / num_attention_heads, every rope type "
        "honouring partial_rotary_factor, rope_theta default 10,000)"
    )
    return ModelReading(config, None, GENERIC, notice, notes, [])


def _sub_config(config: Mapping, path: str) -> Mapping | None:
    """config[a][b] for path "a.b" (None when absent: a flat legacy config)."""
    for key in path.split("."):
        value = config.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ConfigError(
                f"{key} must be an object (the language model's config), got {_json_kind(value)}"
            )
        config = value
    return config


def _model_type(config: Mapping, name: str) -> str | None:
    value = config.get("model_type")
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{name} must be a string, got {_json_kind(value)}")
    return value


def _reader_name(reading: ModelReading) -> str:
    return "the generic rules" if reading.model_type is None else f"model_type {reading.model_type!r}"


# ---------------------------------------------------------------------------------------------
# One scaling dict per layer type


@dataclass(frozen=True)
class LayerEntry:
    """One RoPE of a model: its layer type (None for a model with one RoPE), its scaling dict and
    the key it was read from, and the model's rule for that layer type."""

    layer_type: str | None
    scaling: Mapping
    scaling_key: str
    rule: LayerRule | None


def _layer_entries(reading: ModelReading) -> list[LayerEntry]:
    rules = reading.rules
    scaling, scaling_key = _scaling_dict(reading)
    if not scaling and rules.rope_default is not None:
        scaling, scaling_key = rules.rope_default, "rope_parameters"
        reading.notes.append(
            f"no RoPE settings given: {_reader_name(reading)} defaults to {_describe(scaling)}"
        )
    if _per_layer_type(scaling):
        return _used_layer_types(reading, _nested_entries(reading, scaling, scaling_key))
    if scaling and not rules.flat_scaling:
        raise ConfigError(
            f"{_reader_name(reading)} reads RoPE per layer type: {scaling_key} must be an object of layer "
            f"types ({_quote_keys(_per_layer_default(rules))}), each with its own settings"
        )
    if rules.layer_types:
        if scaling and "rope_type" not in scaling and "type" in scaling:
            reading.warnings.append(
                f"{scaling_key}.type {_quote(scaling['type'])} is not read: {_reader_name(reading)} merges "
                f"{scaling_key} into each layer type's settings, whose rope_type 'default' wins over a "
                "legacy type key; write rope_type instead"
            )
        merged = {"rope_type": "default", **scaling}
        return _used_layer_types(
            reading,
            [
                LayerEntry(layer, merged if rule.scaled else {}, scaling_key, rule)
                for layer, rule in rules.layer_types.items()
            ],
        )
    return [LayerEntry(None, scaling, scaling_key, None)]


def _per_layer_default(rules: ModelRules) -> list[str]:
    return list(rules.layer_types or rules.rope_default or ["full_attention", "sliding_attention"])


def _used_layer_types(reading: ModelReading, entries: list[LayerEntry]) -> list[LayerEntry]:
    """The entries of layer types some layer uses, when the config lists its layer_types (the
    rotary code computes only those)."""
    listed = reading.config.get("layer_types")
    if not isinstance(listed, list) or not all(isinstance(layer, str) for layer in listed):
        return entries
    used = [entry for entry in entries if entry.layer_type in listed]
    unused = [entry.layer_type for entry in entries if entry.layer_type not in listed]
    if unused and used:
        reading.notes.append(f"no layer in layer_types is of type {_quote_keys(unused)}: not read")
        return used
    return entries


def _describe(scaling: Mapping) -> str:
    if _per_layer_type(scaling):
        return "per-layer-type RoPE"
    values = ", ".join(f"{key} {value}" for key, value in scaling.items() if key != "rope_type")
    return f"{scaling.get('rope_type', 'default')} RoPE" + (f" ({values})" if values else "")


def _scaling_dict(reading: ModelReading) -> tuple[Mapping, str]:
    """The first non-empty of the model's scaling keys: rope_scaling, then rope_parameters (as
    transformers 4.x and 5.x read them)."""
    config = reading.config
    for key in reading.rules.scaling_keys:
        if config.get(key) is not None and config.get(key) != {}:
            scaling = config[key]
            if not isinstance(scaling, dict):
                raise ConfigError(
                    f'{key} must be an object such as {{"rope_type": "yarn", "factor": 4}}, '
                    f"got {_json_kind(scaling)}"
                )
            return scaling, key
    ignored = [
        key
        for key in ("rope_scaling", "rope_parameters")
        if config.get(key) and key not in reading.rules.scaling_keys
    ]
    for key in ignored:
        reading.warnings.append(f"{key} is set, but {_reader_name(reading)} does not read it")
    return {}, (*reading.rules.scaling_keys, "rope_scaling")[0]


def _per_layer_type(scaling: Mapping) -> bool:
    """An object of objects, keyed by layer type (transformers 5's nested rope_parameters)."""
    return (
        "rope_type" not in scaling
        and "type" not in scaling
        and any(isinstance(value, dict) for value in scaling.values())
    )


def _nested_entries(reading: ModelReading, scaling: Mapping, scaling_key: str) -> list[LayerEntry]:
    rules = reading.rules
    if rules.layer_types is None:
        raise ConfigError(
            f"{scaling_key} holds per-layer-type RoPE settings ({_quote_keys(scaling)}), but "
            f"{_reader_name(reading)} uses one RoPE for every layer; paste one layer type's object"
        )
    entries = []
    for layer, value in scaling.items():
        where = f"{scaling_key}.{_key_name(layer)}"
        if value is None:
            reading.notes.append(f"{where} is null: those layers use no RoPE")
        elif not isinstance(value, dict):
            reading.warnings.append(
                f"{where} is not read: {scaling_key} holds per-layer-type settings, and each layer type "
                "reads its own object"
            )
        else:
            entries.append(LayerEntry(str(layer), value, where, rules.layer_types.get(layer)))
    given = {entry.layer_type for entry in entries}
    for layer, rule in rules.layer_types.items():
        if layer not in given and scaling.get(layer, {}) is not None:
            entries.append(LayerEntry(layer, {}, f"{scaling_key}.{layer}", rule))
    if not entries:
        raise ConfigError(f"{scaling_key} holds per-layer-type settings but no layer type has RoPE")
    return entries


# ---------------------------------------------------------------------------------------------
# The fields every rope type shares


@dataclass(frozen=True)
class RopeSource:
    """What every rope type's reader is given: the config, its scaling dict and the key it was read
    from, the canonical rope type, and the shared fields, already checked (head size, rotary dim
    |D| = int(head size * partial_rotary_factor), base b, max_position_embeddings, the caller's
    seq_len). Readers append to ``notes`` what they derive rather than read, and to ``warnings``
    what looks like a mistake. ``original_default`` is the model's class default of a top-level
    original_max_position_embeddings (Phi-3's 4096), None when it has none; ``longrope_mscales``:
    the model scales cos and sin by short_mscale / long_mscale (Phi-3.5-MoE); ``ntk_alpha``: a
    dynamic dict with an alpha is fixed NTK-aware scaling by alpha (HunYuan)."""

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
    warnings: list[str] = field(default_factory=list)
    original_default: int | None = None
    longrope_mscales: bool = False
    ntk_alpha: bool = False


@dataclass(frozen=True)
class TypeFields:
    """The RopeSetting fields a rope type reads: the length L it scales from (None for an unscaled
    model without max_position_embeddings), the factor s, the current length l' (dynamic and
    LongRoPE), its own RopeSetting keywords (betas, band factors, factor lists, ...), and the METHODS
    key when it is not its rope type's usual one (HunYuan's fixed-alpha NTK)."""

    original_length: int | None
    factor: float = 1.0
    seq_len: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    method: str | None = None


RopeReader = Callable[[RopeSource], TypeFields]


def _rope_source(reading: ModelReading, entry: LayerEntry, seq_len: int | None) -> RopeSource:
    """The shared fields, checked in a fixed order (the first problem found is the one reported)."""
    config, rules, scaling = reading.config, reading.rules, entry.scaling
    rope_type, notes = _rope_type(scaling, entry.scaling_key, rules, _reader_name(reading))
    if rules.rope_types is not None and rope_type not in rules.rope_types:
        raise ConfigError(
            f"{_reader_name(reading)} supports only {' and '.join(rules.rope_types)} RoPE; "
            f"transformers refuses rope type {rope_type!r} for it"
        )
    base = _base(config, scaling, rules, entry.rule)
    head_dim = HEAD_SIZES[rules.head_size](config, rules)
    max_pos = _key(config, rules, "max_position_embeddings")
    return RopeSource(
        config=config,
        scaling=scaling,
        scaling_key=entry.scaling_key,
        rope_type=rope_type,
        head_dim=head_dim,
        rotary_dim=_rotary_dim(reading, entry, rope_type, head_dim, notes),
        base=base,
        max_position_embeddings=None if max_pos is None else _length(max_pos, "max_position_embeddings"),
        seq_len=None if seq_len is None else _length(seq_len, "seq_len"),
        notes=notes,
        original_default=rules.original_default,
        longrope_mscales=rules.longrope_mscales,
        ntk_alpha=rules.ntk_alpha,
    )


def _length(value: Any, name: str) -> int:
    """A sequence length: a whole number in [1, MAX_LENGTH]."""
    return _integer(value, name, minimum=1, maximum=MAX_LENGTH)


def _rope_type(scaling: Mapping, scaling_key: str, rules: ModelRules, reader: str) -> tuple[str, list[str]]:
    """(the canonical rope type: a key of ROPE_READERS, notes on the way there: an old name, or a
    type the model reads as another)."""
    raw_type = scaling.get("rope_type", scaling.get("type", "default"))
    if not isinstance(raw_type, str):
        raise ConfigError(f"{scaling_key}.rope_type must be a string, got {_json_kind(raw_type)}")
    notes = []
    rope_type = ALIASES.get(raw_type, raw_type)
    if rope_type != raw_type:
        notes.append(f"rope type {raw_type!r} is the old name of {rope_type!r}")
    renamed = rules.renames.get(raw_type, rules.renames.get(rope_type, rope_type))
    if renamed != rope_type:
        notes.append(f"{reader} reads rope type {rope_type!r} as {renamed!r}")
    if renamed not in ROPE_READERS:
        raise ConfigError(f"unknown rope type {_quote(raw_type)}; supported: {', '.join(ROPE_READERS)}")
    return renamed, notes


def _base(config: Mapping, scaling: Mapping, rules: ModelRules, rule: LayerRule | None) -> float:
    """b = rope_theta inside the scaling dict, else the model's top-level base key (rope_theta;
    GPT-NeoX's rotary_emb_base; Gemma 3's rope_local_base_freq for sliding layers), else its
    default (1e4 for the generic rules)."""
    key, default = (
        (rules.base_key, rules.base_default) if rule is None else (rule.base_key, rule.base_default)
    )
    theta = scaling.get("rope_theta")
    name = "rope_theta"
    if theta is None and key is not None:
        theta, name = config.get(key), key
    if theta is None:
        theta = default
    return _number(theta, name, minimum=1.0, maximum=MAX_BASE)


def _rotary_dim(
    reading: ModelReading, entry: LayerEntry, rope_type: str, head_dim: int, notes: list[str]
) -> int:
    """|D| = int(head size * partial_rotary_factor), positive and even. The fraction is the scaling
    dict's, else the model's top-level key, else its absolute rotary-dim key / head size, else its
    default; a model whose default RoPE rotates the whole head (Llama's) ignores it there."""
    config, rules, scaling = reading.config, reading.rules, entry.scaling
    prf, name = scaling.get("partial_rotary_factor"), f"{entry.scaling_key}.partial_rotary_factor"
    if prf is None and rules.partial_key is not None:
        prf, name = config.get(rules.partial_key), rules.partial_key
    rotary = (
        None if rules.rotary_dim_key is None else config.get(rules.rotary_dim_key, rules.rotary_dim_default)
    )
    if prf is None and rotary is not None:
        rotary = _integer(rotary, str(rules.rotary_dim_key), minimum=2, maximum=MAX_HEAD_DIM)
        prf = rotary / (_given_head_dim(config, rules, "head_dim") or head_dim)
    if prf is None:
        prf = entry.rule.partial_default if entry.rule is not None else None
    if prf is None:
        prf = rules.partial_default
    prf = 1.0 if prf is None else _number(prf, name, minimum=0.0, maximum=1.0)
    if rope_type == "default" and not rules.default_partial:
        if prf != 1.0:
            notes.append(
                f"partial_rotary_factor {prf:g} is not read by {_reader_name(reading)}'s unscaled RoPE: "
                f"the whole head of {head_dim} rotates"
            )
        prf = 1.0
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
    """L = original_max_position_embeddings: top level (Phi-3, whose class defaults it to 4096)
    over the scaling dict's, else max_position_embeddings (with a note)."""
    top = source.config.get("original_max_position_embeddings")
    if top is None and source.original_default is not None:
        source.notes.append(
            f"original_max_position_embeddings not given: the model's default {source.original_default:,}"
        )
        return source.original_default
    if top is not None:
        return _length(top, "original_max_position_embeddings")
    inner = source.scaling.get("original_max_position_embeddings")
    if inner is not None:
        return _length(inner, f"{source.scaling_key}.original_max_position_embeddings")
    source.notes.append("original_max_position_embeddings not given: using max_position_embeddings")
    return _max_positions(source)


def _given_factor(source: RopeSource) -> float | None:
    """The scaling dict's factor s in [MIN_FACTOR, MAX_FACTOR], or None when it is not given. A
    factor below 1 shrinks the context instead of extending it: transformers warns, and so do we."""
    value = source.scaling.get("factor")
    if value is None:
        return None
    name = f"{source.scaling_key}.factor"
    factor = _number(value, name, minimum=0.0, maximum=MAX_FACTOR)
    if factor < MIN_FACTOR:
        raise ConfigError(
            f"{name} must be >= {MIN_FACTOR:g} (a smaller factor makes theta / factor overflow into "
            f"infinite angles), got {_short(value)}"
        )
    if factor < 1:
        source.warnings.append(
            f"{name} is {factor:g}, below 1: the frequencies are sped up, so the context shrinks "
            "rather than extends (transformers warns that factor must be >= 1)"
        )
    return factor


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


def _optional_number(
    source: RopeSource, key: str, *, inclusive: bool = False, minimum: float = 0.0
) -> float | None:
    """The scaling dict's ``key``, > minimum (>= when ``inclusive``), or None when it is not given."""
    value = source.scaling.get(key)
    if value is None:
        return None
    return _number(
        value, f"{source.scaling_key}.{key}", minimum=minimum, maximum=MAX_FACTOR, inclusive_min=inclusive
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
    exponent |D| / (|D| - 2) needs |D| >= 4. HunYuan reads an ``alpha`` as fixed NTK-aware scaling,
    b' = b alpha^(|D| / (|D| - 2)), whatever the length."""
    length = _max_positions(source)
    alpha = _optional_number(source, "alpha") if source.ntk_alpha else None
    factor = _required_factor(source) if alpha is None else alpha
    if source.rotary_dim < 4:
        raise ConfigError(
            f"head_dim gives rotary dim {source.rotary_dim}; dynamic NTK needs at least 4 "
            "(its exponent is dim / (dim - 2))"
        )
    if alpha is not None:
        source.notes.append(
            f"dynamic with alpha {alpha:g}: this model fixes NTK-aware scaling at base x alpha^(d / (d - 2)) "
            "instead of following the length"
        )
        return TypeFields(length, alpha, method="ntk")
    return TypeFields(length, factor, seq_len=max(source.seq_len or length, length))


def _read_yarn_parameters(source: RopeSource) -> TypeFields:
    """YaRN: beta_fast >= beta_slow (defaults 32 and 1; at least MIN_BETA turns, so that
    L / (2 pi beta) stays finite; equal: a one-step ramp, Kimi K2's), truncate, and the optional
    attention factor or DeepSeek's mscale / mscale_all_dim."""
    length = _original_length(source)
    factor = _factor_or_length_ratio(source, length)
    beta_fast = _beta(source, "beta_fast") or 32.0
    beta_slow = _beta(source, "beta_slow") or 1.0
    if beta_fast < beta_slow:
        raise ConfigError(
            f"{source.scaling_key}.beta_fast must be greater than beta_slow, "
            f"got {beta_fast:g} and {beta_slow:g}"
        )
    if beta_fast == beta_slow:  # Kimi K2 ships 1 and 1
        source.notes.append(
            f"beta_fast = beta_slow = {beta_fast:g}: the ramp is one step between the floor and ceiling of "
            "a single correction dim, as transformers computes it"
        )
        beta_fast *= 1 + EQUAL_NUDGE
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


def _beta(source: RopeSource, key: str) -> float | None:
    value = _optional_number(source, key)
    if value is not None and value < MIN_BETA:
        raise ConfigError(
            f"{source.scaling_key}.{key} must be >= {MIN_BETA:g} (a number of turns inside "
            f"original_max_position_embeddings), got {_short(value)}"
        )
    return value


def _read_llama3_parameters(source: RopeSource) -> TypeFields:
    """Llama 3.1: factor, low_freq_factor <= high_freq_factor, all required (equal: a hard cutoff,
    Llama 4's)."""
    length = _original_length(source)
    factor = _required_factor(source)
    low = _band_factor(source, "low_freq_factor")
    high = _band_factor(source, "high_freq_factor")
    if low > high:
        raise ConfigError(
            f"{source.scaling_key}.low_freq_factor must be less than high_freq_factor, "
            f"got {low:g} >= {high:g}"
        )
    if low == high:  # Llama 4 ships 1 and 1
        source.notes.append(
            f"low_freq_factor = high_freq_factor = {low:g}: no smooth band, a hard cutoff at wavelength "
            f"L / {low:g} = {length / low:,.0f} (longer wavelengths divided by the factor), as transformers "
            "computes it"
        )
        high *= 1 + EQUAL_NUDGE
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
    seq_len = source.seq_len or length
    if source.longrope_mscales:
        key = "long_mscale" if seq_len > length else "short_mscale"
        if source.scaling.get(key) is None:
            raise ConfigError(f"{source.scaling_key}.{key} is missing; this model scales cos and sin by it")
        attention_factor = _optional_number(source, key)
        source.notes.append(
            f"attention factor is {key}, and the frequencies use the short factors at every length: the "
            "model's rotary code recomputes them without the sequence length (transformers 5.24)"
        )
        seq_len = length
    if attention_factor is None and factor > 1 and length < 2:
        raise ConfigError(
            f"original_max_position_embeddings is {length}; LongRoPE's attention factor "
            "sqrt(1 + ln(factor) / ln(original_max_position_embeddings)) needs it >= 2, "
            "or give attention_factor"
        )
    options = {"short_factor": short_factor, "long_factor": long_factor, "attention_factor": attention_factor}
    return TypeFields(length, factor, seq_len=seq_len, options=options)


ROPE_READERS: dict[str, RopeReader] = {
    "default": _read_default_parameters,
    "linear": _read_linear_parameters,
    "dynamic": _read_dynamic_parameters,
    "yarn": _read_yarn_parameters,
    "llama3": _read_llama3_parameters,
    "longrope": _read_longrope_parameters,
}


# ---------------------------------------------------------------------------------------------
# Reading a config


def rope_from_hf_config(config: dict, seq_len: int | None = None) -> HFRope:
    """The inverse frequencies and attention factor a HuggingFace model computes from ``config``.

    ``seq_len`` is the current sequence length for dynamic and LongRoPE types (None: the model's
    state at initialisation, as transformers computes it). A model with per-layer-type RoPE comes
    back as its full-attention layers' RoPE (or its first layer type's), with every layer type's in
    ``layer_types``.
    """
    reading = _model_reading(config)
    entries = _layer_entries(reading)
    layers = [(entry.layer_type, _layer_rope(reading, entry, seq_len)) for entry in entries]
    warnings = tuple(_unread_key_warnings(reading, entries)) + tuple(reading.warnings)
    readings = [
        (layer, replace(rope, warnings=warnings + rope.warnings, notes=(*reading.notes, *rope.notes)))
        for layer, rope in layers
    ]
    if readings[0][0] is None:
        return readings[0][1]
    named = tuple((str(layer), rope) for layer, rope in readings)
    primary = dict(named).get("full_attention", named[0][1])
    return replace(primary, layer_types=named)


def _layer_rope(reading: ModelReading, entry: LayerEntry, seq_len: int | None) -> HFRope:
    source = _rope_source(reading, entry, seq_len)
    fields = ROPE_READERS[source.rope_type](source)
    method = fields.method or HF_TYPES[source.rope_type]
    setting = RopeSetting(
        dim=source.rotary_dim,
        base=source.base,
        original_length=fields.original_length or 1,
        factor=fields.factor,
        seq_len=fields.seq_len,
        **fields.options,
    )
    scaled = scale_rope(method, setting)
    if scaled.softmax_factor != 1.0 and not reading.rules.mla_softmax:
        source.notes.append(
            f"mscale_all_dim only sets the attention factor's denominator here: {_reader_name(reading)} "
            "does not also scale the softmax by mscale(s, mscale_all_dim)^2 as multi-head latent attention "
            "models (DeepSeek V2/V3, MiniCPM3, ...) do"
        )
        scaled = replace(scaled, softmax_factor=1.0)
    if scaled.correction_range is not None and scaled.correction_range[1] < scaled.correction_range[0]:
        source.warnings.append(_inverted_ramp_warning(scaled, fields))
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
        scaled=scaled,
        notes=tuple(source.notes),
        warnings=tuple(source.warnings),
        model_type=reading.model_type,
        generic_notice=reading.notice,
        layer_type=entry.layer_type,
    )


def _inverted_ramp_warning(scaled: ScaledRope, fields: TypeFields) -> str:
    low, high = scaled.correction_range or (0.0, 0.0)
    if np.all(scaled.interpolated == 0):
        outcome = "every pair keeps its trained frequency"
    elif np.all(scaled.interpolated == 1):
        outcome = "every pair is interpolated"
    else:
        outcome = "the ramp is a step"
    return (
        f"YaRN's correction range is ({low:g}, {high:g}), its upper end below its lower end, with "
        f"original_max_position_embeddings = {fields.original_length:,} and betas "
        f"{fields.options.get('beta_fast'):g} / {fields.options.get('beta_slow'):g}: {outcome} "
        "(transformers computes the same; such a config is unlikely to be meant)"
    )


# ---------------------------------------------------------------------------------------------
# Keys the model would not read


TOP_LEVEL_KEYS = frozenset(
    {
        "model_type",
        "rope_theta",
        "rope_scaling",
        "rope_parameters",
        "partial_rotary_factor",
        "head_dim",
        "hidden_size",
        "num_attention_heads",
        "qk_rope_head_dim",
        "max_position_embeddings",
        "original_max_position_embeddings",
        "text_config",
    }
)
LEGACY_KEYS = {
    "rotary_pct": "GPT-NeoX-family (model_type gpt_neox)",
    "rotary_emb_base": "GPT-NeoX-family (model_type gpt_neox)",
    "rotary_dim": "MiniMax-M2 and GPT-J (model_type minimax_m2, gptj)",
    "qk_rope_head_dim": "multi-head latent attention (DeepSeek V2/V3, MiniCPM3, ...)",
}
"""Top-level keys only some families read, with who reads them."""
NEAR_MISS_EXCEPTIONS = frozenset(
    {"hidden_sizes", "qk_nope_head_dim", "v_channels", "partial_rotary_factors", "v_head_dim", "qk_head_dim"}
)
"""Real config keys one typo away from a rope key (every transformers 5.24 config class's fields
were checked): not misspellings."""
MAX_WARNINGS = 12


def _unread_key_warnings(reading: ModelReading, entries: list[LayerEntry]) -> list[str]:
    """Scaling-dict keys the rope type does not read, top-level keys one typo (a letter added,
    dropped, changed or two swapped) away from a rope key of at least 8 letters or the same but for
    case or a look-alike non-ASCII letter, and legacy keys this model does not read."""
    rules, config = reading.rules, reading.config
    warnings = []
    for entry in entries:
        raw_type = str(entry.scaling.get("rope_type", entry.scaling.get("type", "default")))
        rope_type = ALIASES.get(raw_type, raw_type)
        rope_type = rules.renames.get(rope_type, rope_type)
        known = ROPE_KEYS.get(str(rope_type), frozenset()) | EVERY_TYPE_KEYS | rules.extra_keys
        for key in entry.scaling:
            if key not in known:
                warnings.append(
                    f"{entry.scaling_key}.{_key_name(key)} is not a key rope type {rope_type!r} reads, so "
                    f"it has no effect{_likely(str(key), sorted(known - {'type'}))}"
                )
    own = {key for key in (rules.base_key, rules.partial_key, rules.rotary_dim_key) if key is not None}
    own |= {rule.base_key for rule in (rules.layer_types or {}).values()}
    if rules.head_size in ("qk_rope_head_dim", "generic"):
        own.add("qk_rope_head_dim")
    top_keys = TOP_LEVEL_KEYS | own
    skeletons = {_ascii_skeleton(known): known for known in top_keys}
    lengths = {len(known) + step for known in top_keys for step in (-1, 0, 1)}
    for key in map(str, config):
        if key in LEGACY_KEYS and key not in own:
            warnings.append(
                f"{key} is set, but {_reader_name(reading)} do not read it (it is read by "
                f"{LEGACY_KEYS[key]} configs); with that model_type it would change the RoPE"
                if reading.model_type is None
                else f"{key} is set, but {_reader_name(reading)} does not read it (it is read by "
                f"{LEGACY_KEYS[key]} configs)"
            )
        elif key not in top_keys and key not in NEAR_MISS_EXCEPTIONS and len(key) in lengths:
            close = [skeletons[folded]] if (folded := _ascii_skeleton(key)) in skeletons else []
            close = close or [known for known in top_keys if len(known) >= 8 and _one_edit(key, known)]
            if close:
                hint = _likely(key, sorted(close))
                warnings.append(f"{_quote(key)} is not a key the model reads, so it has no effect{hint}")
    return warnings[:MAX_WARNINGS] + (
        [f"... and {len(warnings) - MAX_WARNINGS} more keys that are not read"]
        if len(warnings) > MAX_WARNINGS
        else []
    )


def _likely(key: str, candidates: list[str]) -> str:
    """'; did you mean X?' for the closest candidate, and any non-ASCII letters in ``key``."""
    folded = _ascii_skeleton(key)
    close = [c for c in candidates if _ascii_skeleton(c) == folded] or difflib.get_close_matches(
        key, candidates, n=1, cutoff=0.6
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    odd = [ch for ch in key if not ch.isascii()][:3]
    if odd:
        letters = ", ".join(f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})" for ch in odd)
        hint += f" It contains non-ASCII characters: {letters}."
    return hint


LOOK_ALIKES = str.maketrans("аеорсухіјѕԁɡһκνοαρτυχ", "aeopcyxijsdghkvoaptux")
"""Cyrillic and Greek letters that look like Latin ones."""


def _ascii_skeleton(key: str) -> str:
    return unicodedata.normalize("NFKC", key).casefold().translate(LOOK_ALIKES).replace("-", "_")


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one letter added, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i + 1 :] == b[i + 1 :] or swapped
