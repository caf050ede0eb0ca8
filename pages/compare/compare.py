import streamlit as st

from yarn_core.app import lesson, params, sidebar
from yarn_core.app.views import compare as view

# Options are the methods' names, so a link reads (and round-trips) as what the page shows.
BY_NAME = {view.label(m): m for m in view.COMPARABLE}
DEFAULT_NAMES = [view.label(m) for m in view.DEFAULT_METHODS]
METHODS = params.Param(
    "cmp_methods", "Methods to compare (two to four)", DEFAULT_NAMES, kind="multi", options=tuple(BY_NAME)
)
QUANTITY = params.Param(
    "cmp_quantity",
    "First chart shows each pair's",
    "frequency",
    kind="choice",
    options=("frequency", "wavelength"),
    help="frequency relative to the unscaled model, or wavelength in tokens",
)
SEED = params.Param("cmp_seed", "Random q, k seed", 0, kind="int", minimum=0, maximum=99, step=1)
# RopeSetting field -> its control. Presets set these fields; the charts read them.
OPTIONS = {field: params.Param(**control) for field, control in view.OPTION_CONTROLS.items()}


def apply_preset() -> None:
    """Set the shared settings, the methods and every option from the chosen preset."""
    if (preset := view.PRESETS.get(st.session_state.get("cmp_preset"))) is not None:
        options = {param.key: preset.options.get(field, param.default) for field, param in OPTIONS.items()}
        methods = [view.label(m) for m in preset.methods]
        st.session_state.update(preset.shared | options | {METHODS.key: methods, "cmp_preset": None})


st.title("Compare: PI, NTK-aware, YaRN and friends")
lesson.narrative("""
Every method on this page reads the **same** settings: the head dim, base, trained length *L* and
scale *s* in the sidebar, and the options below. Each method keeps one colour on every chart. Pick a
preset to load a real model's numbers; the whole comparison lives in the page's URL, so a link
reproduces it exactly.
""")

st.selectbox(
    "Load a comparison preset",
    list(view.PRESETS),
    index=None,
    key="cmp_preset",
    placeholder="Choose a preset...",
    on_change=apply_preset,
    help="Sets the sidebar settings, the methods and the options below.",
)
chosen = [BY_NAME[name] for name in params.param_widget(METHODS)]
with st.expander("Method options: ramp, temperature, mscale, Llama 3.1 factors"):
    left, right = st.columns(2)
    options = {
        field: params.param_widget(param, left if i < 5 else right)
        for i, (field, param) in enumerate(OPTIONS.items())
    }
    seed = params.param_widget(SEED, right)

setting = sidebar.current().with_(**options)
methods = tuple(chosen[: view.MAX_METHODS])
if len(chosen) > view.MAX_METHODS:
    st.warning(f"Showing the first {view.MAX_METHODS} methods: {', '.join(view.label(m) for m in methods)}.")

if not methods:
    st.info("Pick at least one method above (two to four to compare).")
else:
    if len(methods) == 1:
        st.caption("Add a second method to compare.")
    L, target, s = setting.original_length, setting.target_tokens, setting.factor
    result = lesson.cached(view.compare)(setting, methods=methods, seed=seed)

    st.subheader("1. Which pairs each method slows down")

    def pair_chart() -> None:  # the quantity changes this chart only: it reruns alone
        quantity = params.param_widget(QUANTITY)
        lesson.narrative(f"""
Pair *i* turns by theta_i per token. **PI** divides every frequency by s = {s:g}; **NTK-aware**
raises the base so the fastest pair barely moves and only the slowest is divided by s; **NTK-by-parts**
and **YaRN** keep pairs that turn more than beta = {setting.beta_fast:g} times inside L, interpolate
those that turn less than alpha = {setting.beta_slow:g} times, and blend in between; **Llama 3.1**
does the same with its own two thresholds.
""")
        lesson.chart(
            result.wavelength if quantity == "wavelength" else result.frequency,
            alt="Line chart per method of each pair's frequency relative to the unscaled model (or its "
            "wavelength), from the fastest pair on the left to the slowest on the right.",
            key="cmp_frequency",
        )

    lesson.rerun_alone(pair_chart)

    st.subheader("2. What attention sees at long distances")
    lesson.narrative(f"""
One seeded random query and key, rotated and dotted at distances out to 2L' = {2 * target:,}. Training
only ever showed the model distances in the shaded band (up to L - 1 = {L - 1:,}). Plain RoPE past it
produces score patterns the model never met; Position Interpolation replays the trained pattern
stretched s = {s:g} times wider; the blended methods stretch only the slow pairs. YaRN's temperature
makes the whole curve taller by its logit multiplier.
""")
    lesson.chart(
        result.scores,
        alt=f"Line chart of the attention logit versus relative distance from 0 to {2 * target:,} tokens "
        "for each method, with the training window shaded.",
        key="cmp_scores",
    )

    st.subheader("3. The position each token is rotated as")
    lesson.narrative("""
Dividing a pair's frequency by *x* is the same as rotating token *m* as if it sat at *m / x* in that
pair. Each panel shows that effective position for one pair. The fastest pair completes many turns in
training, so any position there is familiar; the slowest pair never completes one, so only positions
inside the shaded band are familiar.
""")
    lesson.chart(
        result.positions,
        alt="Three line charts (fastest, middle and slowest pair) of the effective position each token "
        "is rotated as, per method, with the trained positions shaded.",
        key="cmp_positions",
    )

    st.subheader("4. Does attention stay sharp as the text grows?")
    lesson.narrative("""
Longer sequences spread the softmax over more keys, so attention entropy rises with length (the dotted
line is a perfectly uniform spread). YaRN's temperature multiplies the logits by its factor squared,
which sharpens the softmax: at every length its entropy sits below that of the same frequencies
without it (compare YaRN with NTK-by-parts). Every method sees the same seeded queries and keys;
dynamic methods are re-evaluated at each length.
""")
    lesson.chart(
        result.entropy,
        alt="Line chart of attention entropy versus sequence length on a log axis for each method, with "
        "ln(length) for reference and the trained lengths shaded.",
        key="cmp_entropy",
    )

    st.subheader("The numbers to check")
    st.dataframe(
        result.table,
        hide_index=True,
        key="cmp_table",
        column_config={
            view.COLUMNS[name]: st.column_config.NumberColumn(format=fmt)
            for name, fmt in view.COLUMN_FORMATS.items()
        },
    )
    st.caption(
        f"Pair groups of the unscaled model by turns inside L: fast (more than beta = "
        f"{setting.beta_fast:g}) {result.fast_pairs}, middle {result.middle_pairs}, slow (fewer than "
        f"alpha = {setting.beta_slow:g}) {result.slow_pairs}. Max angle: the largest relative angle in "
        f"the group, at L - 1 = {L - 1:,} for the trained model and at L' - 1 = {target - 1:,} for each "
        "method. Pairs past trained angles: pairs that never completed a turn in training and now turn "
        "further than they ever did; furthest past: by how many trained positions' worth of angle the "
        "furthest of them overshoots. Ramp low/high: the correction range in pair indices. Logit x: what "
        "the logits are multiplied by (attention factor squared, times DeepSeek's softmax mscale squared "
        "when mscale_all_dim is set). Dynamic methods are shown at l' = L'."
    )
    if result.softmax_mscale:
        st.info(
            "DeepSeek-style mscale: transformers leaves cos and sin at mscale(s, mscale) / "
            "mscale(s, mscale_all_dim) and the model multiplies its softmax scale by "
            "mscale(s, mscale_all_dim) squared; the charts use the product, shown as logit x.",
            icon="ℹ️",
        )

    plain, yarn = result.row("none"), result.row("yarn")
    lines = [f"plain RoPE sends {plain.unseen} pairs past any angle they met in training"] if plain else []
    if yarn is not None:
        lines.append(
            f"YaRN interpolates {yarn.interpolated:.0f}% of the pairs, keeps {yarn.kept:.0f}% and "
            f"multiplies logits by {yarn.logit_multiplier:.3f}"
        )
    if lines:
        lesson.takeaway(f"At s = {s:g}, " + "; ".join(lines) + ".")
