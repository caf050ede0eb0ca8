import streamlit as st

from yarn_core import METHODS
from yarn_core.app import lesson, params, sidebar
from yarn_core.app import model_sections as part
from yarn_core.app.views import your_model as view
from yarn_core.hf_config import HF_TYPES

SEQ_LEN = params.Param(
    "ym_seq",
    "Current sequence length l' (tokens)",
    131072,
    kind="choice",
    options=tuple(2**k for k in range(4, 25)),
    log=True,
    help="Dynamic NTK and LongRoPE recompute their frequencies from the length of the text being read.",
)
APPLIED = "_ym_applied"
SHARED = {param.key: param for param in sidebar.SHARED}
state = st.session_state


def seq_len_from(key: str) -> None:
    """A bundled first model starts at its own maximum context (unless the link sets the length)."""
    if (
        max_positions := part.MODELS[key].rope.max_position_embeddings
    ) and SEQ_LEN.key not in st.query_params:
        state[SEQ_LEN.key] = params.clamp_param(SEQ_LEN, str(max_positions))[0]


def use_in_lessons(values: dict) -> None:
    """Set the shared settings (d, base, L, s) from the model, clamped to what the lessons offer."""
    clamped = {key: params.clamp_param(SHARED[key], repr(v)) for key, v in values.items() if v is not None}
    state.update({key: value for key, (value, _) in clamped.items()})
    state[APPLIED] = [note for _, note in clamped.values() if note]


FIRST = part.Slot("ym", "config", "ym_model", view.DEFAULT_CONFIG, on_bundled=seq_len_from)
SECOND = part.Slot("ym2", "second config", "ym_vs", None)

st.title("Your model: what its config.json does to RoPE")
lesson.narrative("""
Paste a HuggingFace `config.json`, upload one, or load a bundled real one. The page reads it with
`yarn_core.rope_from_hf_config`, which follows the model's own code in transformers (its
`model_type` decides which keys count), so the frequencies below are the ones your model rotates
with. Add a second model to draw both on the same charts. Files are read in memory and never run.
""")

with lesson.section("Your model's config.json", "Pick, upload or paste a config: it is read, never run."):
    first = FIRST.inputs("Load a bundled config", empty_ok=False)
with lesson.section(
    "A second model on the same charts",
    "A base model and its long-context variant, drawn on the same axes.",
):
    lesson.narrative(
        "Overlay a second config to compare, say, Llama 2 7B with YaRN Llama 2 7B 64k, or Qwen3 with "
        "and without YaRN. The second model is drawn dashed; clear its text box to remove it."
    )
    second = SECOND.inputs("Overlay a bundled config", empty_ok=True)
    if second is not None:
        st.button("Remove the second model", on_click=SECOND.clear, icon=":material/close:")

if first is None:
    st.info(f"Paste a config.json above. Supported rope types: {', '.join(HF_TYPES)}.")
else:
    loaded = (first,) if second is None else (first, second)
    if second is not None and second.name == first.name:
        loaded = (first, part.Loaded(f"{second.name} (second)", second.config))
    with (
        lesson.section(
            "What the model reads", "Rotary dim, base, factor and lengths, as its own code reads them."
        ),
        lesson.stage(),  # all of it stays on screen while presenting
    ):
        needed = any(view.needs_seq_len(model.rope()) for model in loaded)
        seq_len = params.param_widget(SEQ_LEN) if needed else None
        models = tuple((model.name, model.rope(seq_len)) for model in loaded)
        result = lesson.cached(view.report)(models)
        rope = models[0][1]
        st.markdown(f"**{first.name}: {METHODS[rope.method].label} ({rope.rope_type})**")
        part.metrics(rope, result.main)
        for (name, each), numbers in zip(models, result.model_numbers, strict=True):
            part.notices(name, each, numbers)

    with lesson.section(
        "Which pairs are slowed down",
        "Fast pairs are kept as trained; slow pairs, which never turned once in training, are interpolated.",
        chart="ym_frequency",
    ):
        st.markdown(part.regimes(rope, result.main, first.name))
        lesson.chart(
            result.frequency,
            alt="Log-scale line chart of each pair's frequency before and after scaling, per model and layer "
            "type, with the first model's interpolated and blended pairs marked.",
            key="ym_frequency",
        )

    with lesson.section(
        "How many times slower each pair turns",
        "1 means kept as trained; the factor s means fully interpolated.",
        chart="ym_stretch",
    ):
        lesson.chart(
            result.stretch,
            alt="Line chart of how many times slower each pair turns after scaling, per model and layer "
            "type, with each factor used marked.",
            key="ym_stretch",
        )
        st.button(
            f"Use {first.name} in the lessons",
            on_click=use_in_lessons,
            args=({"d": rope.rotary_dim, "base": rope.base, "L": rope.original_length, "s": rope.factor},),
            icon=":material/school:",
            help="Sets the sidebar's head dim, base, L and s (clamped to the lessons' ranges).",
        )
        if APPLIED in state:
            notes = state.pop(APPLIED)
            setting = sidebar.current()
            st.success(
                f"The lessons now use |D| = {setting.dim}, b = {setting.base:,.0f}, "
                f"L = {setting.original_length:,}, s = {setting.factor:g}."
                + "".join(f"\n- {note}" for note in notes)
            )

    with (
        lesson.section("The numbers side by side", "Every model and layer type drawn, one column each."),
        lesson.stage(),
    ):
        st.table(result.table, hide_index=True, alt="The key numbers of every model and layer type drawn.")

part.model_type_table()
