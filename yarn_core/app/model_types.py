"""What each transformers 5.24 ``model_type`` reads for RoPE, as a table: one row per entry of
``hf_config.MODEL_RULES`` (the rules the reader applies), written out in words, and the composite
model types of ``hf_config.WRAPPERS`` with the language model they read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..hf_config import MODEL_RULES, WRAPPERS, ModelRules

COLUMNS = (
    "model_type",
    "family",
    "head size",
    "rotating fraction",
    "base",
    "renames, refusals, defaults",
    "RoPE when the config gives none",
    "per-layer types",
    "MLA softmax mscale",
)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def _head_size(rules: ModelRules) -> str:
    alias = rules.aliases.get("head_dim")
    named = f" (config key {alias})" if alias else ""
    if rules.head_size == "hidden":
        return "hidden_size / num_attention_heads (head_dim ignored)"
    if rules.head_size == "qk_rope_head_dim":
        return f"qk_rope_head_dim (default {rules.head_dim_default})"
    if rules.head_dim_default is not None:
        return f"head_dim{named} (default {rules.head_dim_default})"
    return f"head_dim{named}, else hidden_size / num_attention_heads"


def _fraction(rules: ModelRules) -> str:
    """The keys read for the rotating fraction, first found wins (after the scaling dict's own
    partial_rotary_factor), and the default."""
    keys = [rules.partial_key] if rules.partial_key else []
    if rules.rotary_dim_key:
        keys.append(f"{rules.rotary_dim_key} / head size")
    if rules.rotary_dim_default is not None:
        default = f"{rules.rotary_dim_key} {rules.rotary_dim_default}"
    else:
        default = f"{rules.partial_default or 1:g}"
    read = ", else ".join(keys) if keys else "only the scaling dict's partial_rotary_factor"
    text = f"{read} (default {default})"
    return text if rules.default_partial else text + "; unscaled RoPE rotates the whole head"


def _base(rules: ModelRules) -> str:
    if rules.base_key is None and not rules.scaling_keys:
        return f"fixed at {_number(rules.base_default)}"
    if rules.base_key is None:
        return f"the scaling dict's rope_theta (default {_number(rules.base_default)})"
    return f"{rules.base_key} (default {_number(rules.base_default)})"


def _specials(rules: ModelRules) -> str:
    parts = [f"reads {old} as {new}" for old, new in rules.renames.items()]
    if rules.rope_types is not None:
        parts.append(f"accepts only {', '.join(rules.rope_types)}")
    if rules.original_default is not None:
        parts.append(f"original_max_position_embeddings defaults to {rules.original_default:,}")
    if rules.heads_divide_hidden:
        parts.append("refuses hidden_size not a multiple of the heads")
    if not rules.scaling_keys:
        parts.append("ignores rope_scaling")
    elif rules.scaling_keys != ("rope_scaling", "rope_parameters"):
        parts.append(f"reads only {', '.join(rules.scaling_keys)}")
    if rules.ntk_alpha:
        parts.append("dynamic with alpha is fixed NTK-aware by alpha")
    if rules.longrope_mscales:
        parts.append("LongRoPE scaled by short/long_mscale")
    if not rules.flat_scaling:
        parts.append("RoPE only per layer type")
    parts += [f"{key} read as {alias}" for key, alias in rules.aliases.items() if key != "head_dim"]
    return "; ".join(parts)


def _one_rope(rope: Mapping[str, Any] | None) -> str:
    if rope is None:
        return "none"
    text = rope.get("rope_type", "default")
    if "factor" in rope:
        text += f" x{rope['factor']:g}"
    if "rope_theta" in rope:
        text += f", base {_number(rope['rope_theta'])}"
    return text


def _rope_default(rules: ModelRules) -> str:
    rope = rules.rope_default
    if rope is None:
        return "unscaled"
    if "rope_type" in rope:
        return _one_rope(rope)
    return "; ".join(f"{kind}: {_one_rope(each)}" for kind, each in rope.items())


def _layer_types(rules: ModelRules) -> str:
    if rules.layer_types is None:
        return ""
    if not rules.layer_types:
        return "as the config's rope_parameters name them"
    return ", ".join(
        f"{kind} ({rule.base_key}{'' if rule.scaled else ', unscaled'})"
        for kind, rule in rules.layer_types.items()
    )


def rule_row(model_type: str, rules: ModelRules) -> dict[str, str]:
    """One model type's rules in words, keyed by COLUMNS."""
    values = (
        model_type,
        rules.family,
        _head_size(rules),
        _fraction(rules),
        _base(rules),
        _specials(rules),
        _rope_default(rules),
        _layer_types(rules),
        "yes" if rules.mla_softmax else "",
    )
    return dict(zip(COLUMNS, values, strict=True))


def rule_table() -> dict[str, list[str]]:
    """Every model type of MODEL_RULES in alphabetical order, one row each, column by column."""
    rows = [rule_row(name, MODEL_RULES[name]) for name in sorted(MODEL_RULES)]
    return {column: [row[column] for row in rows] for column in COLUMNS}


def composite_table() -> dict[str, list[str]]:
    """Every composite model type of WRAPPERS: where its language model's config is and the
    model type read there when it names none."""
    names = sorted(WRAPPERS)
    return {
        "model_type": names,
        "language model config": [WRAPPERS[name][0] for name in names],
        "read as": [WRAPPERS[name][1] for name in names],
    }
