import streamlit as st

from yarn_core import METHODS, parse_config_text, rope_from_hf_config
from yarn_core.app import lesson, params, sidebar
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
state = st.session_state


def load_bundled() -> None:
    key = state.get("ym_bundled")
    if key not in view.bundled():
        return
    state[TEXT] = state[KEEP_TEXT] = view.bundled_text(key)
    state[SOURCE] = ("bundled", key)
    state[UPLOAD_ERROR] = None
    max_positions = view.bundled()[key]["config"].get("max_position_embeddings")
    if max_positions:
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
    notes = []
    for key, value in values.items():
        if value is None:
            continue
        state[key], note = params.clamp_param(SHARED[key], repr(value))
        if note:
            notes.append(note)
    state[APPLIED] = notes


state.setdefault(KEEP_TEXT, view.bundled_text(view.DEFAULT_CONFIG))
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
    list(view.bundled()),
    index=None,
    key="ym_bundled",
    on_change=load_bundled,
    format_func=lambda key: view.bundled()[key]["name"],
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
    entry = view.bundled()[name]
    edited = " (edited below)" if state[TEXT] != view.bundled_text(name) else ""
    st.caption(f"Loaded: **{entry['name']}**{edited}. {entry['note']} Source: {entry['source']}.")
else:
    st.caption(f"Loaded: uploaded file **{name}**.")
st.text_area("...or paste and edit the config here", key=TEXT, height=260, on_change=text_edited)

if state.get(UPLOAD_ERROR):
    st.error(state[UPLOAD_ERROR], icon="🚫")
error = None
try:
    config = parse_config_text(state[TEXT])
    rope = rope_from_hf_config(config)
except ValueError as err:  # ConfigError and the core's own range checks
    error, config = str(err), state.get(LAST_GOOD)
    rope = None if config is None else rope_from_hf_config(config)
else:
    state[LAST_GOOD] = config

if error:
    st.error(f"**This config cannot be read.** {error}", icon="🚫")
if rope is None:
    st.info(f"Paste a config.json above. Supported rope types: {', '.join(HF_TYPES)}.")
else:
    if error:
        st.caption("Still showing the last config that worked:")
    if rope.rope_type in view.SEQ_LEN_TYPES:
        rope = rope_from_hf_config(config, params.param_widget(SEQ_LEN))
    facts = view.summary(rope)
    method = METHODS[rope.method]

    st.subheader(f"{method.label} ({rope.rope_type})")
    row = st.columns(4)
    row[0].metric("Rope type", rope.rope_type)
    row[1].metric(
        "Rotary dim", rope.rotary_dim, help=f"Head size {rope.head_dim}: {facts['pairs']} rotating pairs."
    )
    row[2].metric("Base", f"{rope.base:,.0f}" if rope.base.is_integer() else f"{rope.base:,.6g}")
    row[3].metric("Factor", f"{rope.factor:g}", help=f"Used at this length: {facts['effective_factor']:g}.")
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
        help=f"Logits are multiplied by its square, {facts['logit_multiplier']:.4g}.",
    )
    row[3].metric(
        "Pairs interpolated / blended / kept",
        f"{facts['interpolated']} / {facts['blended']} / {facts['kept']}",
    )
    for note in rope.notes:
        st.caption(f"Note: {note}.")
    mscale = view.softmax_mscale(config, rope)
    if mscale is not None:
        st.info(
            f"mscale_all_dim is set (DeepSeek style): the model's attention also multiplies its softmax scale by "
            f"mscale(s, mscale_all_dim)^2 = {mscale**2:.4g}, so logits grow by {facts['logit_multiplier'] * mscale**2:.4g} in all.",
            icon="ℹ️",
        )

    lengths = ""
    if facts["never_full_turn"] is not None:
        lengths = (
            f" {facts['never_full_turn']} of the {facts['pairs']} pairs never complete a full turn inside the "
            f"original {rope.original_length:,} tokens; those are the ones a long text would push past what the model learned."
        )
    ranged = ""
    if facts["correction_range"] is not None:
        low, high = facts["correction_range"]
        ranged = f" The ramp runs between pairs {low:g} and {high:g}."
    st.markdown(
        f"**{facts['interpolated']}** pairs are fully interpolated (turn {facts['effective_factor']:g} times slower), "
        f"**{facts['blended']}** blended and **{facts['kept']}** kept as trained.{ranged}{lengths}"
    )
    lesson.chart(
        lesson.cached(view.frequency_figure)(rope),
        alt="Log-scale line chart of each pair's frequency before and after scaling, with the interpolated and "
        "blended pairs marked.",
        key="ym_frequency",
    )
    lesson.chart(
        lesson.cached(view.stretch_figure)(rope),
        alt="Line chart of how many times slower each pair turns after scaling, with the factor marked.",
        key="ym_stretch",
    )

    values = {"d": rope.rotary_dim, "base": rope.base, "L": rope.original_length, "s": rope.factor}
    st.button(
        "Use this model in the lessons",
        on_click=use_in_lessons,
        args=(values,),
        icon=":material/school:",
        help="Sets the sidebar's head dim, base, L and s (clamped to the lessons' ranges).",
    )
    if APPLIED in state:
        notes = state.pop(APPLIED)
        setting = sidebar.current()
        st.success(
            f"The lessons now use |D| = {setting.dim}, b = {setting.base:,.0f}, L = {setting.original_length:,}, "
            f"s = {setting.factor:g}." + "".join(f"\n- {note}" for note in notes)
        )
