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
    "Shift both by k",
    700,
    kind="int",
    minimum=0,
    maximum=65536,
    step=1,
    help="Added to both positions; try a shift that takes them past L.",
)

st.title("2. RoPE from scratch")
lesson.narrative(f"""
**Rotary position embedding** (RoPE, Su et al. 2021) encodes position by *turning* vectors. Take the
{d} numbers of a query or key head and split them into **{half} pairs**; as in Llama and HuggingFace,
number *i* is paired with number *i + {half}* (the RoPE paper pairs neighbours instead: the same maths, the
features shuffled). Treat each pair as an arrow in a plane and, at position *m*, turn pair *i* by the angle
**m x theta_i**, with theta_i = b^(-2i/{d}) and b = {b:,.0f}. The query at position *m* and the key at
position *n* are both turned. Turning keeps lengths, so their dot product only sees the angle *between*
them, (m - n) x theta_i: attention gets the **distance** between tokens, with no table of positions to run
out.
""")

st.subheader("One pair, turning")
seed = params.param_widget(SEED)
if st.session_state.get(PAIR.key, 0) > PAIR.maximum:
    st.session_state[PAIR.key] = PAIR.maximum
pair = params.param_widget(PAIR)
span = params.param_widget(SPAN)
turn = lesson.cached(view.rotating_pair)(setting, pair=pair, span=span, seed=seed)
if turn.completes_turn:
    arc_text = (
        f"It made **{turn.turns_inside:,.3g} full turns** inside the {L:,} training tokens, so every angle "
        "on the circle was seen in training: past L this pair only repeats itself."
    )
else:
    arc_text = (
        f"It made only **{turn.turns_inside:.3g} of a turn** inside the {L:,} training tokens: the green "
        f"arc of {turn.trained_sweep:.2f} rad is all the model ever saw. At L' it reaches "
        f"{turn.angle_at_target:.2f} rad, and the arrow turns brown as it walks onto angles never seen in "
        "training."
    )
lesson.narrative(f"""
Pair **{pair}** turns **theta = {turn.theta:.4g} rad per token**, one full turn every
2 pi / theta = **{turn.wavelength:,.1f} tokens**. {arc_text} Press **Play** or drag the slider under the
chart: the animation runs in your browser.
""")
lesson.chart(
    turn.figure,
    alt=f"Animated chart: the query's pair {pair} drawn as an arrow that turns by m x {turn.theta:.4g} rad "
    f"as the position m runs over {turn.frames} frames; a green arc marks the angles reached inside the "
    "training window.",
    key="rope_turning_pair",
)

st.subheader("The spectrum: fast pairs and slow pairs")
spec = lesson.cached(view.spectrum)(setting)
never_text = (
    f"The other **{spec.never}** (brown, from pair {spec.first_never} on) never complete a turn inside L: "
    "the model only knows an arc of their circle."
    if spec.never
    else "With these settings no pair is slow enough to stay on an arc: every one completes a turn inside L."
)
lesson.narrative(f"""
The frequencies fall geometrically, from 1 rad per token for pair 0 (wavelength 2 pi =
{spec.fastest_wavelength:.2f} tokens, whatever the base) to a wavelength of
**{spec.slowest_wavelength:,.0f} tokens** for pair {spec.pairs - 1}.
**{spec.full} of the {spec.pairs} pairs** (green) have a wavelength below L = {L:,}: they complete at least
one full turn during training and have shown the model every angle. {never_text} This split between fast
and slow pairs is the key to every method in the lessons that follow.
""")
lesson.chart(
    spec.figure,
    alt=f"Log-scale scatter of wavelength per pair with a dashed line at L = {L:,}: {spec.full} green pairs "
    f"below it complete a full turn inside L, {spec.never} brown pairs above it never do.",
    key="rope_spectrum",
)

st.subheader("Check it: only the distance matters")
columns = st.columns(3)
m = params.param_widget(QUERY_POSITION, columns[0])
n = params.param_widget(KEY_POSITION, columns[1])
k = params.param_widget(SHIFT, columns[2])
check = lesson.cached(view.relative_property)(setting, query_position=m, key_position=n, shift=k, seed=seed)
left, right = st.columns(2)
left.metric(f"q at {m:,} . k at {n:,}", f"{check.score:.6f}")
right.metric(
    f"q at {m + k:,} . k at {n + k:,}",
    f"{check.shifted_score:.6f}",
    delta=f"{check.change:.1e}",
    delta_color="off",
)
lesson.narrative(f"""
Both products are computed by rotating the same seeded random query and key with the core's `apply_rotary`.
They agree to **{abs(check.change):.1e}** (floating-point rounding), and equal the score at distance
m - n = {m - n:,} computed directly from the angles ({check.relative_score:.6f}). Shifting *both* tokens by
any j up to {check.largest_shift:,} moves the score by at most {check.largest_drift:.1e}; moving the query
alone swings it over a range of {check.query_only_spread:.3g}. This holds far past L = {L:,} too: RoPE's
trouble past the window is not the algebra, it is the slow pairs showing the weights angles they never
learned to read.
""")
scrub.chart(
    lesson.shared(view.relative_property_scrub)(
        setting, query_position=m, key_position=n, shift=k, seed=seed
    ),
    alt="Line chart over the shift j: the score with both tokens shifted is a flat line; the score with "
    "only the query shifted oscillates.",
    key="rope_relative",
    control="rope_m",
    cast=int,
)

lesson.takeaway(
    f"RoPE turns pair i of the query and the key by position x theta_i, so attention depends on the "
    f"distance only. Fast pairs turn many times inside L; the {spec.never} slow pairs never complete a "
    "turn, and they are the ones that meet new angles past L."
)
lesson.predict_then_reveal(
    "rope_base",
    f"If you doubled the base b (to {spec.double_base:,.0f}), would more or fewer pairs complete a full "
    f"turn inside L = {L:,}?",
    [
        "More pairs",
        "Fewer pairs (or, if every pair already turns, the same)",
        "The base does not change the wavelengths",
    ],
    1,
    f"Every wavelength 2 pi b^(2i/{d}) grows with b, except pair 0's, which stays 2 pi, so the pairs cross "
    f"above L sooner: at b = {b:,.0f}, {spec.full} of {spec.pairs} pairs turn fully inside L; at "
    f"b = {spec.double_base:,.0f}, {spec.full_at_double_base}. Changing the base is itself a way to "
    "stretch a model: NTK-aware scaling (lesson 5).",
)
