import streamlit as st

from yarn_core import METHODS, rope_from_hf_config
from yarn_core.app import assets, lesson, params, sidebar
from yarn_core.app.views import your_model as view
from yarn_core.hf_config import HF_TYPES, MAX_CONFIG_BYTES, ConfigError

SEQ_LEN = params.Param(
    "ym_seq",
    "Current sequence length l' (tokens)",
    131072,
    kind="choice",
    options=tuple(2**k for k in range(4, 25)),
    log=True,
    help="Dynamic NTK and LongRoPE recompute their frequencies from the length of the text being read.",
)
TEXT = "ym_text"
KEEP_TEXT = "_ym_text"  # survives page switches, when Streamlit drops the text area's own state
SOURCE = "_ym_source"
LAST_GOOD = "_ym_last_good"
UPLOAD_ERROR = "_ym_upload_error"
APPLIED = "_ym_applied"
SHARED = {param.key: param for param in sidebar.SHARED}
MODELS = assets.real_models()
state = st.session_state


def load_bundled() -> None:
    key = state.get("ym_bundled")
    if key not in MODELS:
        return
    state[TEXT] = state[KEEP_TEXT] = MODELS[key].text
    state[SOURCE] = ("bundled", key)
    state[UPLOAD_ERROR] = None
    if max_positions := MODELS[key].rope.max_position_embeddings:
        state[SEQ_LEN.key] = params.clamp_param(SEQ_LEN, str(max_positions))[0]
    state["ym_bundled"] = None


def load_upload() -> None:
    """Read the uploaded file's bytes in memory; load them into the text box if they pass the checks."""
    file = state.get("ym_upload")
    state[UPLOAD_ERROR] = None
    if file is None:
        return
    try:
        text = view.upload_text(file.getvalue())
    except ConfigError as err:
        state[UPLOAD_ERROR] = f"**{file.name} was not loaded.** {err}"
        return
    state[TEXT] = state[KEEP_TEXT] = text
    state[SOURCE] = ("upload", file.name)


def text_edited() -> None:
    state[KEEP_TEXT] = state[TEXT]
    state[UPLOAD_ERROR] = None


def use_in_lessons(values: dict) -> None:
    """Set the shared settings (d, base, L, s) from the model, clamped to what the lessons offer."""
    clamped = {key: params.clamp_param(SHARED[key], repr(v)) for key, v in values.items() if v is not None}
    state.update({key: value for key, (value, _) in clamped.items()})
    state[APPLIED] = [note for _, note in clamped.values() if note]


state.setdefault(KEEP_TEXT, MODELS[view.DEFAULT_CONFIG].text)
state.setdefault(SOURCE, ("bundled", view.DEFAULT_CONFIG))
state.setdefault(TEXT, state[KEEP_TEXT])

st.title("Your model: what its config.json does to RoPE")
lesson.narrative("""
Paste a HuggingFace `config.json`, upload one, or load a bundled real one. The page reads it with
`yarn_core.rope_from_hf_config`, which follows transformers' rules field by field, so the frequencies
below are the ones your model rotates with. The file is read in memory and never run.
""")

pick, upload = st.columns(2)
pick.selectbox(
    "Load a bundled config",
    list(MODELS),
    index=None,
    key="ym_bundled",
    on_change=load_bundled,
    format_func=lambda key: MODELS[key].name,
    placeholder="Choose a real model...",
)
upload.file_uploader(
    f"...or upload a config.json (at most {MAX_CONFIG_BYTES // 1_000_000} MB)",
    type=["json"],
    key="ym_upload",
    on_change=load_upload,
)
kind, name = state[SOURCE]
if kind == "bundled":
    model = MODELS[name]
    edited = " (edited below)" if state[TEXT] != model.text else ""
    st.caption(f"Loaded: **{model.name}**{edited}. {model.note} Source: {model.source}.")
else:
    st.caption(f"Loaded: uploaded file **{name}**.")
st.text_area("...or paste and edit the config here", key=TEXT, height=260, on_change=text_edited)

if state.get(UPLOAD_ERROR):
    st.error(state[UPLOAD_ERROR], icon="🚫")
config, error = view.read_config(state[TEXT])
if error is None:
    state[LAST_GOOD] = config
else:
    st.error(f"**This config cannot be read.** {error}", icon="🚫")
    config = state.get(LAST_GOOD)
if config is None:
    st.info(f"Paste a config.json above. Supported rope types: {', '.join(HF_TYPES)}.")
else:
    if error:
        st.caption("Still showing the last config that worked:")
    rope = rope_from_hf_config(config)
    if rope.rope_type in view.SEQ_LEN_TYPES:
        rope = rope_from_hf_config(config, params.param_widget(SEQ_LEN))
    result = lesson.cached(view.report)(rope, config)
    method = METHODS[rope.method]

    st.subheader(f"{method.label} ({rope.rope_type})")
    row = st.columns(4)
    row[0].metric("Rope type", rope.rope_type)
    row[1].metric(
        "Rotary dim", rope.rotary_dim, help=f"Head size {rope.head_dim}: {result.pairs} rotating pairs."
    )
    row[2].metric("Base", f"{rope.base:,.0f}" if rope.base.is_integer() else f"{rope.base:,.6g}")
    row[3].metric("Factor", f"{rope.factor:g}", help=f"Used at this length: {result.effective_factor:g}.")
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
        help=f"Logits are multiplied by its square, {result.attention_factor_squared:.4g}.",
    )
    row[3].metric(
        "Pairs interpolated / blended / kept",
        f"{result.interpolated} / {result.blended} / {result.kept}",
    )
    for note in rope.notes:
        st.caption(f"Note: {note}.")
    if result.softmax_mscale is not None:
        st.info(
            "mscale_all_dim is set (DeepSeek style): the model's attention also multiplies its softmax "
            f"scale by mscale(s, mscale_all_dim)^2 = {result.softmax_mscale**2:.4g}, so logits grow by "
            f"{result.logit_multiplier:.4g} in all.",
            icon="ℹ️",
        )

    lengths = ""
    if result.never_full_turn is not None:
        lengths = (
            f" {result.never_full_turn} of the {result.pairs} pairs never complete a full turn inside the "
            f"original {rope.original_length:,} tokens; those are the ones a long text would push past "
            "what the model learned."
        )
    ranged = ""
    if result.correction_range is not None:
        low, high = result.correction_range
        ranged = f" The ramp runs between pairs {low:g} and {high:g}."
    st.markdown(
        f"**{result.interpolated}** pairs are fully interpolated (turn {result.effective_factor:g} times "
        f"slower), **{result.blended}** blended and **{result.kept}** kept as trained.{ranged}{lengths}"
    )
    lesson.chart(
        result.frequency,
        alt="Log-scale line chart of each pair's frequency before and after scaling, with the "
        "interpolated and blended pairs marked.",
        key="ym_frequency",
    )
    lesson.chart(
        result.stretch,
        alt="Line chart of how many times slower each pair turns after scaling, with the factor marked.",
        key="ym_stretch",
    )

    st.button(
        "Use this model in the lessons",
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
