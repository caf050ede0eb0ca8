import streamlit as st

from yarn_core.app import lesson, params, scrub, sidebar
from yarn_core.app.views import rope as view

setting = sidebar.current()
d, b, L, target = setting.dim, setting.base, setting.original_length, setting.target_tokens
half = d // 2

SEED = params.Param(
    "rope_seed",
    "Random query and key (seed)",
    0,
    kind="int",
    minimum=0,
    maximum=99,
    step=1,
    help="The query and key are seeded standard-normal vectors; change the seed for another pair.",
)
PAIR = params.Param(
    "rope_pair",
    f"Pair index i (0 = fastest, {half - 1} = slowest)",
    min(40, half - 1),
    kind="int",
    minimum=0,
    maximum=half - 1,
    step=1,
    help="Which of the head's pairs to watch.",
)
SPAN = params.Param(
    "rope_span",
    "Animate over positions",
    view.WINDOW,
    kind="choice",
    options=view.SPANS,
    help=f"0 to L' = {target:,} in 96 even steps, or the first 64 tokens one by one.",
)
QUERY_POSITION = params.Param("rope_m", "Query position m", 300, kind="int", minimum=0, maximum=4096, step=1)
KEY_POSITION = params.Param("rope_n", "Key position n", 200, kind="int", minimum=0, maximum=4096, step=1)
SHIFT = params.Param(
    "rope_k",
    "Shift both positions by j",
    700,
    kind="int",
    minimum=0,
    maximum=65536,
    step=1,
    help="Added to both m and n; try a shift that takes them past L.",
)

st.title("2. RoPE from scratch")
with lesson.section(
    "One pair, turning",
    "RoPE turns each pair of a query or key by position x θ_i; a slow pair sees only an arc in training.",
    chart="rope_turning_pair",
):
    lesson.narrative(f"""
Lesson 1's learned tables stop at L. **Rotary position embedding** (RoPE, Su et al. 2021) has no table:
it *turns* vectors. Split the {d} numbers of a query or key head into **{half} pairs** and, at position
m, turn pair i by the angle m θ_i, with b = {b:,.0f}. Turning keeps lengths, so the query at m and the key
at n meet at the angle (m - n) θ_i between them: attention sees the **distance** Δ.
""")
    lesson.formula(r"\theta_i = b^{-2i/|D|}, \qquad \langle R_m q,\, R_n k \rangle = f(q, k, m - n)")
    with st.expander("How the pairs are formed"):
        st.markdown(
            f"As in Llama and HuggingFace, number i is paired with number i + {half}; the RoPE paper pairs "
            "neighbours instead: the same maths, the features shuffled."
        )
    seed = params.param_widget(SEED)
    if st.session_state.get(PAIR.key, 0) > PAIR.maximum:
        st.session_state[PAIR.key] = PAIR.maximum
    with lesson.stage():
        pair = params.param_widget(PAIR)
    span = params.param_widget(SPAN)
    turn = lesson.cached(view.rotating_pair)(setting, pair=pair, span=span, seed=seed)
    if turn.completes_turn:
        arc_text = (
            f"It made **{turn.turns_inside:,.3g} full turns** inside the {L:,} training tokens, so every "
            "angle on the circle was seen in training: past L this pair only repeats itself."
        )
    else:
        arc_text = (
            f"It made only **{turn.turns_inside:.3g} of a turn** inside the {L:,} training tokens: the green "
            f"arc of {turn.trained_sweep:.2f} rad is all the model ever saw. At L' it reaches "
            f"{turn.angle_at_target:.2f} rad, and the arrow turns brown on angles never seen in training."
        )
    lesson.narrative(f"""
Pair **{pair}** turns **θ = {turn.theta:.4g} rad per token**, one full turn every
λ = 2π / θ = **{turn.wavelength:,.1f} tokens**. {arc_text} Press **Play** or drag the slider.
""")
    lesson.chart(
        turn.figure,
        alt=f"Animated chart: the query's pair {pair} drawn as an arrow that turns by m x {turn.theta:.4g} "
        f"rad as the position m runs over {turn.frames} frames; a green arc marks the angles reached "
        "inside the training window.",
        key="rope_turning_pair",
    )

spec = lesson.cached(view.spectrum)(setting)
with lesson.section(
    "The spectrum: fast pairs and slow pairs",
    f"{spec.full} of {spec.pairs} pairs finish a turn inside L; the other {spec.never} only know an arc.",
    chart="rope_spectrum",
):
    more, fewer = spec.full_at_double_base > spec.full, spec.full_at_double_base < spec.full
    lesson.predict_then_reveal(
        "rope_base",
        f"If you doubled the base b (to {spec.double_base:,.0f}), would more or fewer pairs complete a "
        f"full turn inside L = {L:,}?",
        ["More pairs", "Fewer pairs", "As many pairs"],
        0 if more else 1 if fewer else 2,
        f"Every wavelength λ_i = 2π b^(2i/|D|) grows with b, except pair 0's, which stays 2π, so the "
        f"pairs cross above L sooner: at b = {b:,.0f}, {spec.full} of {spec.pairs} pairs turn fully "
        f"inside L; at b = {spec.double_base:,.0f}, {spec.full_at_double_base}. Changing the base is "
        "itself a way to stretch a model: NTK-aware scaling (lesson 5).",
    )
    never_text = (
        f"The other **{spec.never}** (brown, from pair {spec.first_never} on) never complete a turn "
        "inside L: the model only knows an arc of their circle."
        if spec.never
        else "With these settings every pair completes a turn inside L."
    )
    lesson.narrative(f"""
The wavelengths grow geometrically, from 2π = {spec.fastest_wavelength:.2f} tokens for pair 0 (whatever
the base) to **{spec.slowest_wavelength:,.0f} tokens** for pair {spec.pairs - 1}. **{spec.full} of the
{spec.pairs} pairs** (green) have λ_i below L = {L:,}: they have shown the model every angle.
{never_text} This split is the key to every method that follows.
""")
    lesson.chart(
        spec.figure,
        alt=f"Log-scale scatter of wavelength per pair with a dashed line at L = {L:,}: {spec.full} green "
        f"pairs below it complete a full turn inside L, {spec.never} brown pairs above it never do.",
        key="rope_spectrum",
    )

with lesson.section(
    "Check it: only the distance matters",
    "Shift query and key together and the score stays put, even past L.",
    chart="rope_relative",
):

    def relative_check() -> None:  # m, n and j drive only this check
        columns = st.columns(3)
        m = params.param_widget(QUERY_POSITION, columns[0])
        n = params.param_widget(KEY_POSITION, columns[1])
        j = params.param_widget(SHIFT, columns[2])
        check = lesson.cached(view.relative_property)(
            setting, query_position=m, key_position=n, shift=j, seed=seed
        )
        left, right = st.columns(2)
        left.metric(f"q at {m:,} . k at {n:,}", f"{check.score:.6f}")
        right.metric(
            f"q at {m + j:,} . k at {n + j:,}",
            f"{check.shifted_score:.6f}",
            delta=f"{check.change:.1e}",
            delta_color="off",
        )
        lesson.narrative(f"""
Both products rotate the same seeded query and key with the core's `apply_rotary`. They agree to
**{abs(check.change):.1e}** (rounding) and equal the score at Δ = m - n = {m - n:,} computed from the
angles ({check.relative_score:.6f}). Shifting *both* by any j up to {check.largest_shift:,} moves the
score by at most {check.largest_drift:.1e}; moving the query alone swings it over
{check.query_only_spread:.3g}.
""")
        scrub.chart(
            lesson.cached(view.relative_property_scrub)(
                setting, query_position=m, key_position=n, shift=j, seed=seed
            ),
            alt="Line chart over the shift j: the score with both tokens shifted is a flat line; the score "
            "with only the query shifted oscillates.",
            key="rope_relative",
            control="rope_m",
            cast=int,
        )

    lesson.rerun_alone(relative_check)
    lesson.takeaway(
        f"RoPE turns pair i of the query and the key by position x θ_i, so attention depends on the "
        f"distance only, with no table to run out, and the algebra holds far past L. The cost: the "
        f"{spec.never} slow pairs never complete a turn inside L, so past it they show the weights angles "
        "they never learned to read (lesson 3)."
    )
