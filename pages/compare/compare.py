import streamlit as st

from yarn_core.app import lesson, params, real_model, sidebar
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
Every method here reads the **same** settings: |D|, b, L and s in the sidebar, and the options below.
Each method keeps one colour on every chart. A preset loads a real model's numbers, and the page's URL
holds the whole comparison, so a link reproduces it.
""")

# Presenting, the controls move to the (folded) sidebar, so each section's chart fits the screen.
controls = st.sidebar if lesson.presenting() else st.container()
controls.selectbox(
    "Load a comparison preset",
    list(view.PRESETS),
    index=None,
    key="cmp_preset",
    placeholder="Choose a preset...",
    on_change=apply_preset,
    help="Sets the sidebar settings, the methods and the options below.",
)
chosen = [BY_NAME[name] for name in params.param_widget(METHODS, controls)]
with controls.expander("Method options: ramp, temperature, mscale, Llama 3.1 factors"):
    left, right = lesson.columns(2)
    options = {
        field: params.param_widget(param, left if i < 5 else right)
        for i, (field, param) in enumerate(OPTIONS.items())
    }
    seed = params.param_widget(SEED, right)
controls.caption(f"Ramp: **the {options['ramp']}'s** (the code's by default here; lesson 6: the paper's).")

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
    alpha, beta = setting.beta_slow, setting.beta_fast
    result = lesson.cached(view.compare)(setting, methods=methods, seed=seed)

    with lesson.section(
        "1. Which pairs each method slows down",
        "PI divides every pair by s; the others spare the fast pairs.",
        chart="cmp_frequency",
    ):

        def pair_chart() -> None:  # the switch changes only this chart
            with lesson.stage():
                quantity = params.param_widget(QUANTITY)
            lesson.narrative(f"""
Pair $i$ turns by $\\theta_i$ per token. **PI** divides every pair by s = {s:g}. **NTK-aware** raises
the base: the fastest pair barely moves, only the slowest is divided by s. **NTK-by-parts** and
**YaRN** keep the pairs that turn more than β = {beta:g} times inside L, divide those under α = {alpha:g}
turns by s, and blend between; **Llama 3.1** does the same with its own two thresholds.
""")
            lesson.chart(
                result.wavelength if quantity == "wavelength" else result.frequency,
                alt="Line chart per method of how much each pair's frequency is divided by (or its "
                "wavelength), from the fastest pair on the left to the slowest on the right.",
                key="cmp_frequency",
            )

        lesson.rerun_alone(pair_chart)

    with lesson.section(
        "2. What attention sees at long distances",
        "Past L plain RoPE meets new patterns; PI replays the trained one, stretched.",
        chart="cmp_scores",
    ):
        lesson.narrative(f"""
One seeded random query and key, dotted at distances out to 2L' = {2 * target:,}. Training showed only
the shaded distances (up to L − 1 = {L - 1:,}). The faint curves are noisy because the fast pairs
oscillate; the **bold** ones average them away over L/8 tokens and leave the slow pairs' part, which is
where the methods differ: PI's is plain RoPE's stretched s = {s:g} times; the blended methods stretch
only the slow pairs; YaRN's temperature makes its curve taller.
""")
        lesson.chart(
            result.scores,
            alt=f"Line chart of the attention logit versus relative distance from 0 to {2 * target:,} "
            "tokens for each method, faint, with its moving average bold and the training window shaded.",
            key="cmp_scores",
        )

    with lesson.section(
        "3. The position each token is rotated as",
        "In the slowest pair only positions inside the shaded band are familiar.",
        chart="cmp_positions",
    ):
        lesson.narrative("""
Dividing a pair's frequency by x rotates token m as if it sat at m/x in that pair. Each panel shows that
effective position for one pair. The fastest pair turns many times in training, so every position is
familiar there; the slowest never completes a turn, so only the shaded positions are. Curves that
coincide are dashed and named in the panel.
""")
        lesson.chart(
            result.positions,
            alt="Three line charts (fastest, middle and slowest pair) of the effective position each "
            "token is rotated as, per method, with the trained positions shaded.",
            key="cmp_positions",
        )

    parts = "ntk_by_parts" in methods and "yarn" in methods
    with lesson.section(
        "4. Does attention stay sharp as the text grows?",
        "More keys spread attention out; YaRN's temperature sharpens it again.",
        chart="cmp_entropy",
    ):
        compare_with = (
            "compare YaRN with NTK-by-parts, the same frequencies without it"
            if parts
            else "add NTK-by-parts above to see the same frequencies without it"
        )
        lesson.narrative(f"""
Longer texts spread the softmax over more keys, so attention entropy rises with length (dotted: a
perfectly even spread). YaRN's temperature multiplies the logits by its factor squared, which sharpens
the softmax: its entropy is lower at every length ({compare_with}). Every method sees the same seeded
queries and keys; dynamic methods are re-evaluated at each length l'.
""")
        lesson.chart(
            result.entropy,
            alt="Line chart of attention entropy versus sequence length on a log axis for each method, "
            "with ln(l') for reference and the trained lengths shaded.",
            key="cmp_entropy",
        )

    with lesson.section("5. The numbers to check", "Every number recomputed for your settings."):
        with lesson.stage():
            config = {view.COLUMNS["method"]: st.column_config.TextColumn(pinned=True)} | {
                view.COLUMNS[name]: st.column_config.NumberColumn(format=fmt)
                for name, fmt in view.COLUMN_FORMATS.items()
            }
            for i, rows in enumerate(result.tables):
                lesson.table(rows, key=f"cmp_t{i}", placeholder="—", column_config=config)
        with st.expander("What the columns mean"):
            st.markdown(f"""
- Pair groups by turns inside L: fast (more than β = {beta:g}) {result.fast_pairs}, middle
  {result.middle_pairs}, slow (fewer than α = {alpha:g}) {result.slow_pairs}.
- **interp. / blended / kept %**: share of the pairs; **ramp low/high**: the correction range in pair
  indices.
- **attn factor**: cos and sin × it; **logit ×**: its square (times DeepSeek's softmax mscale squared
  when mscale_all_dim is set).
- **lowest θ'**: the slowest pair's frequency (rad/token); **slowest ÷**: what it is divided by.
- **max ∠** (rad): the largest relative angle in the group, at L − 1 = {L - 1:,} as trained and at
  L' − 1 = {target - 1:,} per method.
- **past trained**: pairs that never completed a turn in training and now turn further; **how far
  past**: by how many trained positions' worth of angle.
- Dynamic methods are shown at l' = L'; — means it does not apply.
""")
        if result.softmax_mscale:
            st.info(
                "DeepSeek-style mscale: transformers leaves cos and sin at mscale(s, mscale) / "
                "mscale(s, mscale_all_dim) and the model multiplies its softmax scale by "
                "mscale(s, mscale_all_dim) squared; the charts use the product, shown as logit ×.",
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
    real_model.section(methods, key="cmp_real_model")
