"""The Your model page's parts: a config slot (pick a bundled config, upload or paste one; kept
across page switches; a bad edit keeps the last good config on screen), what the reading says
about a model (its numbers, warnings, the generic-rules notice, per-layer types, the softmax
mscale), and the table of what every model type reads. ``pages/model/your_model.py`` calls them
in its sections."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from ..hf_config import MAX_CONFIG_BYTES, ConfigError, HFRope, rope_from_hf_config
from . import assets, lesson, model_types
from .views import your_model as view

MODELS = assets.real_models()
state = st.session_state


def short_name(name: str) -> str:
    """A bundled model's name without its parenthesised note: "Qwen3 + YaRN"."""
    return name.split(" (")[0]


@dataclass(frozen=True)
class Loaded:
    """The config a slot shows (the last good one when the current text cannot be read) and its
    short name, for legends."""

    name: str
    config: dict

    def rope(self, seq_len: int | None = None) -> HFRope:
        return rope_from_hf_config(self.config, seq_len)


@dataclass(frozen=True)
class Slot:
    """One config.json on the page. ``prefix`` names its widgets (``<prefix>_text``, ...);
    ``what`` is how messages call it; ``url_key`` the query parameter naming the bundled config
    it shows (unedited); ``default`` the bundled config it starts with (None: empty, no model);
    ``on_bundled`` runs when a bundled config is loaded (with its key)."""

    prefix: str
    what: str
    url_key: str
    default: str | None
    on_bundled: Callable[[str], None] | None = None

    @property
    def text(self) -> str:
        return f"{self.prefix}_text"

    def _key(self, name: str) -> str:
        return f"_{self.prefix}_{name}"

    def load_bundled(self, key: str | None = None) -> None:
        key = key or state.get(f"{self.prefix}_bundled")
        if key not in MODELS:
            return
        state[self.text] = state[self._key("text")] = MODELS[key].text
        state[self._key("source")] = ("bundled", key)
        state[self._key("upload_error")] = None
        state[f"{self.prefix}_bundled"] = None
        if self.on_bundled is not None:
            self.on_bundled(key)

    def load_upload(self) -> None:
        """Read the uploaded file's bytes in memory; load them into the text box if they pass."""
        file = state.get(f"{self.prefix}_upload")
        state[self._key("upload_error")] = None
        if file is None:
            return
        try:
            text = view.upload_text(file.getvalue())
        except ConfigError as err:
            state[self._key("upload_error")] = f"**{file.name} was not loaded.** {err}"
            return
        state[self.text] = state[self._key("text")] = text
        state[self._key("source")] = ("upload", file.name)

    def text_edited(self) -> None:
        state[self._key("text")] = state[self.text]
        state[self._key("upload_error")] = None
        if not state[self.text].strip():
            state[self._key("source")] = ("paste", "")

    def clear(self) -> None:
        state[self.text] = state[self._key("text")] = ""
        state[self._key("source")] = ("paste", "")
        state[self._key("last_good")] = None
        state[self._key("upload_error")] = None

    def _start(self) -> None:
        """First run in this session: the bundled config the URL names, else the default."""
        if self._key("text") in state:
            return
        state[self._key("text")], state[self._key("source")] = "", ("paste", "")
        named = st.query_params.get(self.url_key)
        if named in MODELS or self.default is not None:
            self.load_bundled(named if named in MODELS else self.default)
        if named is not None and named not in MODELS:
            state[self._key("upload_error")] = (
                f"**The link's {self.url_key}={quoted(named)} is not a bundled config**; "
                f"choose one of: {', '.join(MODELS)}."
            )

    def _sync_url(self, source: tuple[str, str]) -> None:
        kind, key = source
        unedited = kind == "bundled" and state[self.text] == MODELS[key].text
        if unedited and key != self.default:
            st.query_params[self.url_key] = key
        elif self.url_key in st.query_params:
            del st.query_params[self.url_key]

    def name(self) -> str:
        kind, key = state[self._key("source")]
        if kind == "bundled":
            edited = " (edited)" if state[self.text] != MODELS[key].text else ""
            return short_name(MODELS[key].name) + edited
        return legend_name(key) if kind == "upload" else f"pasted {self.what}"

    def inputs(self, pick_label: str, *, empty_ok: bool) -> Loaded | None:
        """The bundled-config picker (on stage while presenting), the uploader and the text box;
        what they hold, read, or None. Every problem is shown as a message naming it."""
        self._start()
        state.setdefault(self.text, state[self._key("text")])
        with lesson.stage():
            st.selectbox(
                pick_label,
                list(MODELS),
                index=None,
                key=f"{self.prefix}_bundled",
                on_change=self.load_bundled,
                format_func=lambda key: MODELS[key].name,
                placeholder="Choose a real model...",
            )
        st.file_uploader(
            f"...or upload a {self.what}.json (at most {MAX_CONFIG_BYTES // 1_000_000} MB)",
            type=["json"],
            key=f"{self.prefix}_upload",
            on_change=self.load_upload,
        )
        source = state[self._key("source")]
        if source[0] == "bundled":
            model = MODELS[source[1]]
            edited = " (edited below)" if state[self.text] != model.text else ""
            st.caption(f"Loaded: **{model.name}**{edited}. {model.note} Source: {model.source}.")
        elif source[0] == "upload":
            st.caption(f"Loaded: uploaded file **{source[1]}**.")
        st.text_area(
            f"...or paste and edit the {self.what} here",
            key=self.text,
            height=220,
            on_change=self.text_edited,
        )
        self._sync_url(source)
        if state.get(self._key("upload_error")):
            st.error(state[self._key("upload_error")], icon="🚫")
        if empty_ok and not state[self.text].strip():
            state[self._key("last_good")] = None
            return None
        config, error = view.read_config(state[self.text])
        if config is not None:
            state[self._key("last_good")] = (self.name(), config)
            return Loaded(self.name(), config)
        st.error(f"**The {self.what} cannot be read.** {error}", icon="🚫")
        last = state.get(self._key("last_good"))
        if last is None:
            return None
        st.caption(f"Still showing the last {self.what} that worked:")
        return Loaded(last[0], last[1])


def legend_name(file_name: str, limit: int = 32) -> str:
    """An uploaded file's name as a chart legend shows it: no markup (Plotly reads tags in
    names), at most ``limit`` characters."""
    plain = "".join(c for c in file_name if c not in "<>&" and c.isprintable()) or "uploaded file"
    return plain if len(plain) <= limit else plain[: limit - 3] + "..."


def quoted(text: str, limit: int = 24) -> str:
    """A user's text quoted for a message, at most ``limit`` characters."""
    shown = text if len(text) <= limit else text[: limit - 3] + "..."
    return json.dumps(shown)


def metrics(rope: HFRope, numbers: view.CurveNumbers) -> None:
    """The model's RoPE in eight numbers (its main layer type's, for per-layer-type models)."""
    row = st.columns(4)
    row[0].metric("Rope type", rope.rope_type)
    row[1].metric(
        "Rotary dim", rope.rotary_dim, help=f"Head size {rope.head_dim}: {numbers.pairs} rotating pairs."
    )
    row[2].metric("Base", view.number(rope.base))
    row[3].metric("Factor", f"{rope.factor:g}", help=f"Used at this length: {numbers.effective_factor:g}.")
    row = st.columns(4)
    row[0].metric(
        "Original context", "not given" if rope.original_length is None else f"{rope.original_length:,}"
    )
    row[1].metric(
        "Maximum context",
        "not given" if rope.max_position_embeddings is None else f"{rope.max_position_embeddings:,}",
        help="max_position_embeddings",
    )
    row[2].metric(
        "Attention factor",
        f"{rope.attention_factor:.6g}",
        help=f"Logits are multiplied by its square, {numbers.attention_factor_squared:.4g}.",
    )
    row[3].metric(
        "Interpolated / blended / kept", f"{numbers.interpolated} / {numbers.blended} / {numbers.kept}"
    )


def notices(name: str, rope: HFRope, numbers: view.CurveNumbers) -> None:
    """What the reading says about one model: which rules read it (the generic ones, and why),
    what it would not read (each key with the likely intended one), its per-layer types, derived
    values, and the softmax mscale of multi-head latent attention models."""
    reader = f"model_type **{rope.model_type}**" if rope.model_type else "the generic rules"
    st.caption(f"**{name}** is read as {reader} reads it.")
    if rope.generic_notice:
        notice = rope.generic_notice[0].upper() + rope.generic_notice[1:]
        st.warning(f"**{name}: generic reading.** {notice}.", icon=":material/rule:")
    if rope.warnings:
        st.warning(
            f"**{name}: what its model would not read or is likely a mistake:**\n\n"
            + "\n".join(f"- {warning}" for warning in rope.warnings),
            icon=":material/warning:",
        )
    if len(rope.layer_types) > 1:
        kinds = ", ".join(
            f"**{kind}** ({each.rope_type}, base {view.number(each.base)}, factor {each.factor:g})"
            for kind, each in rope.layer_types
        )
        st.info(
            f"**{name} has {len(rope.layer_types)} layer types with RoPE of their own:** {kinds}. The "
            f"numbers here are its {rope.layer_type} layers'; the charts draw every layer type and the "
            "table compares them.",
            icon=":material/layers:",
        )
    for note in rope.notes:
        st.caption(f"Note: {note}.")
    if numbers.softmax_factor != 1.0:
        st.info(
            f"**{name}: softmax scale x mscale^2 (DeepSeek style).** Its attention also multiplies the "
            f"softmax scale by mscale(s, mscale_all_dim)^2 = {numbers.softmax_factor**2:.4g}, so logits "
            f"grow by {numbers.logit_multiplier:.4g} in all.",
            icon=":material/info:",
        )


def regimes(rope: HFRope, numbers: view.CurveNumbers, name: str) -> str:
    """One paragraph: how many pairs the first model interpolates, blends and keeps, its ramp, and
    the pairs a long text would push past what the model learned."""
    lengths = ""
    if numbers.never_full_turn is not None:
        lengths = (
            f" {numbers.never_full_turn} of the {numbers.pairs} pairs never complete a full turn inside the "
            f"original {rope.original_length:,} tokens; those are the ones a long text would push past "
            "what the model learned."
        )
    ranged = ""
    if numbers.correction_range is not None:
        low, high = numbers.correction_range
        ranged = f" The ramp runs between pairs {low:g} and {high:g}."
    return (
        f"In **{name}**, **{numbers.interpolated}** pairs are fully interpolated (turn "
        f"{numbers.effective_factor:g} times slower), **{numbers.blended}** blended and **{numbers.kept}** "
        f"kept as trained.{ranged}{lengths}"
    )


def model_type_table() -> None:
    """What every model type reads, from the reader's own rules (hf_config.MODEL_RULES)."""
    with st.expander(f"What each of the {len(model_types.rule_table()['model_type'])} model types reads"):
        st.markdown(
            "The page follows each model's own configuration class and rotary code in transformers 5.24. "
            "A config whose `model_type` is missing or not listed is read with the generic rules (and the "
            "page says so). Search the table with its magnifier."
        )
        lesson.table(model_types.rule_table(), key="ym_rules")
        st.markdown("Composite models read the RoPE of their language model's config:")
        lesson.table(model_types.composite_table(), key="ym_composites", height=220)
