"""The shared settings every lesson reads (|D|, b, L, s), drawn once per run in the sidebar by
``app.py``, bound to the URL, with presets and a target-length box."""

from __future__ import annotations

import streamlit as st

from ..hf_config import HFRope
from ..scaling import RopeSetting
from . import params
from .assets import real_models

SETTING_KEY = "_shared_setting"
LABEL = "Model settings"
FOLD_LABEL = "Shared settings (the lessons' model, not the lab's)"
FOLDED_PAGES = ("lab",)  # pages with a model of their own: the shared settings are folded away there
POW2_LENGTHS = tuple(2**k for k in range(4, 21))

SHARED = (
    params.Param(
        "d",
        "Head dim |D|",
        128,
        kind="int",
        minimum=8,
        maximum=512,
        step=2,
        help="Rotary dimension: the head is rotated as |D|/2 pairs (half-split, as in Llama).",
    ),
    params.Param(
        "base",
        "Rotary base b",
        10000.0,
        kind="number",
        minimum=100.0,
        maximum=1e7,
        step=1.0,
        format="%.0f",
        help="theta_i = b^(-2i/|D|). Llama 2 uses 10,000; Llama 3 500,000; Qwen 1,000,000.",
    ),
    params.Param(
        "L",
        "Trained length L (tokens)",
        512,
        kind="choice",
        options=POW2_LENGTHS,
        log=True,
        help="The context length the model was trained on.",
    ),
    params.Param(
        "s",
        "Scale s = L'/L",
        2.0,
        kind="float",
        minimum=1.0,
        maximum=128.0,
        step=0.5,
        help="How many times longer the new context is. L' = s x L.",
    ),
)


YARN_PAPER_FACTOR = 16.0  # the YaRN paper's LLaMA 2 run, 4k -> 64k


def _real_model_presets() -> dict[str, dict]:
    """LLaMA 2 at the YaRN paper's s, and Llama 3.1 at s = the length it is served to (its
    max_position_embeddings) over its original length: |D|, b and L as their bundled configs give them."""
    models = real_models()
    llama2, llama31 = models["llama2_7b"].rope, models["llama3_1_8b"].rope
    served = llama31.max_position_embeddings / llama31.original_length
    paper = YARN_PAPER_FACTOR
    return {
        f"LLaMA 2: {llama2.original_length / 1024:g}k -> {llama2.original_length * paper / 1024:g}k "
        f"(YaRN paper, s = {paper:g})": _values(llama2, paper),
        f"Llama 3.1: {llama31.original_length / 1024:g}k -> {llama31.max_position_embeddings / 1024:g}k "
        f"(s = {served:g}; its llama3 factor is {llama31.factor:g})": _values(llama31, served),
    }


def _values(rope: HFRope, factor: float) -> dict:
    """The shared settings of a real model's RoPE, at scale ``factor``."""
    return {"d": rope.rotary_dim, "base": rope.base, "L": rope.original_length, "s": factor}


PRESETS = {
    "The seed's example: 512 -> 1024": {"d": 128, "base": 10000.0, "L": 512, "s": 2.0},
    **_real_model_presets(),
    "Tiny model: 64 -> 256": {"d": 32, "base": 10000.0, "L": 64, "s": 4.0},
}


def _apply_preset() -> None:
    name = st.session_state.get("_preset")
    if name in PRESETS:
        st.session_state.update(PRESETS[name])
        st.session_state["_preset"] = None


def _apply_target() -> None:
    target = st.session_state.get("_target")
    length = st.session_state.get("L", 512)
    if target:
        st.session_state["s"] = min(max(round(target / length * 2) / 2, 1.0), 128.0)


def draw(*, folded: bool = False) -> RopeSetting:
    """Draw the shared settings once in the sidebar (``app.py`` calls it on every run, before the
    page) and return them; the page reads the same object back with :func:`current`. They sit in a
    sidebar expander, open on the lessons; ``folded`` (a page with a model of its own, FOLDED_PAGES)
    relabels it and closes it. Either way the widgets are drawn at the same place, so their values
    and URL parameters survive a visit to the lab (moving them to another container would make
    the browser drop their URL parameters on the way back)."""
    bar = st.sidebar.expander(FOLD_LABEL if folded else LABEL, expanded=not folded)
    bar.selectbox(
        "Load a preset",
        list(PRESETS),
        index=None,
        key="_preset",
        placeholder="Choose a preset...",
        on_change=_apply_preset,
    )
    values = {p.key: params.param_widget(p, bar) for p in SHARED}
    setting = RopeSetting(
        dim=int(values["d"]),
        base=float(values["base"]),
        original_length=int(values["L"]),
        factor=float(values["s"]),
    )
    st.session_state[SETTING_KEY] = setting
    st.session_state["_target"] = setting.target_tokens
    bar.number_input(
        "...or set the target length L' (tokens)",
        min_value=16,
        max_value=128 * 2**20,
        step=256,
        key="_target",
        on_change=_apply_target,
        help="Sets s = L'/L, rounded to the nearest 0.5.",
    )
    bar.caption(
        f"L = {setting.original_length:,} -> L' = {setting.target_tokens:,} tokens (s = {setting.factor:g})"
    )
    return setting


def current() -> RopeSetting:
    """The shared settings as :func:`draw` returned them on this run."""
    return st.session_state[SETTING_KEY]
