import streamlit as st

from yarn_core.app import lesson, params, real_model, scrub, sidebar
from yarn_core.app.views import dynamic as view

LENGTH = params.Param(
    "dyn_len",
    "Current length l', in multiples of the trained length L",
    1.5,
    kind="choice",
    options=view.LENGTH_MULTIPLES,
    log=True,
    help="The length of the text so far: prompt plus everything generated.",
)

setting = sidebar.current()
L, s, target = setting.original_length, setting.factor, setting.target_tokens

st.title("8. Dynamic scaling")
short = max(1, L // 2)

with lesson.section(
    "The problem static YaRN left",
    f"A fixed s = {s:g} stretches a short message as much as a {target:,}-token document.",
):
    lesson.narrative(f"""
Every method so far is **static**: s = L'/L = {s:g} is fixed once, for every text. A 100-token chat
message gets its slow pairs divided by {s:g} exactly like a {target:,}-token document, so short texts
pay for a stretch they do not need, and past L' = {target:,} the model extrapolates again.
""")
    with lesson.stage():
        lesson.predict_then_reveal(
            "dyn_short",
            f"Dynamic scaling recomputes s from the text's current length l'. A model trained on "
            f"L = {L:,} uses dynamic YaRN; while the text is {short:,} tokens long, which s does it use?",
            ["s = 1", f"s = {s:g}, like static YaRN", f"s = {short / L:g} = l'/L"],
            0,
            "s = max(1, l'/L): below L there is nothing to stretch, and the max keeps s from dropping "
            "under 1, so the model runs exactly as trained.",
        )

with lesson.section(
    "Set s from the current length",
    "Dynamic YaRN uses s = max(1, l'/L): untouched up to L, just enough stretch beyond.",
    chart="dyn_scale_schedule",
):
    with lesson.stage():
        lesson.formula(r"s(l') = \max\!\Big(1, \frac{l'}{L}\Big)")
        now = view.at_multiple(setting, params.param_widget(LENGTH))
    current = now.seq_len
    sched = lesson.cached(view.scale_schedule)(now)
    lesson.narrative(f"""
**Dynamic scaling** (emozilla, 2023; section 3.3 of the YaRN paper) recomputes s at every forward pass
from the **current length l'**. At l' = **{current:,}** tokens dynamic YaRN uses
**s = {sched.yarn_now:.4g}** and transformers' dynamic NTK **s = {sched.ntk_now:.4g}**, while every
static method uses s = {s:g} whatever the length.
""")
    lesson.chart(
        sched.figure,
        alt="Line chart of the effective scale versus the current length on log axes: static methods "
        f"flat at {s:g}; dynamic YaRN 1 up to L = {L:,} then l'/L; dynamic NTK 1 up to L then rising "
        f"faster. At l' = {current:,}: {sched.yarn_now:.4g} and {sched.ntk_now:.4g}.",
        key="dyn_scale_schedule",
    )
    with st.expander("Dynamic NTK, as transformers implements it"):
        lesson.formula(r"s(l') = \text{factor} \cdot \frac{\max(l', L)}{L} - (\text{factor} - 1)")
        st.markdown(f"""
It applies the NTK-aware base change with this s (the config's `factor`). It also starts at 1 at L, but
climbs with slope factor/L instead of 1/L: each new token past L raises dynamic YaRN's s by
{sched.yarn_per_token:.3g} and dynamic NTK's by {sched.ntk_per_token:.3g}. At L' = {target:,} they reach
{sched.yarn_at_target:.4g} and {sched.ntk_at_target:.4g}: for s > 1 transformers' formula overshoots the
configured factor (it gives s² − s + 1 at L').
""")

pairs = lesson.cached(view.frequencies_now)(now)
factor = lesson.cached(view.factor_schedule)(now)
with lesson.section(
    "What changes token by token",
    "Each forward pass recomputes every pair's frequency and YaRN's temperature.",
    chart="dyn_frequencies_now",
):
    lesson.narrative(f"""
Right now the slowest pair is divided by **{pairs.yarn_slowest:.4g}** under dynamic YaRN and
{pairs.ntk_slowest:.4g} under dynamic NTK, against {pairs.static_slowest:.4g} for static YaRN; the fast
pairs stay as trained in both YaRN variants. The temperature follows along: dynamic YaRN multiplies cos
and sin by **{factor.dynamic_now:.4f}** at l' = {current:,}, static YaRN by {factor.static:.4f}.
""")
    scrub.chart(
        lesson.cached(view.frequencies_now_scrub)(now),
        alt=f"Log-scale line chart of how much each pair is slowed down at l' = {current:,}: the slowest "
        f"pair is divided by {pairs.yarn_slowest:.4g} (dynamic YaRN), {pairs.ntk_slowest:.4g} (dynamic "
        f"NTK) and {pairs.static_slowest:.4g} (static YaRN).",
        key="dyn_frequencies_now",
        control="dyn_len",
    )
    lesson.chart(
        factor.figure,
        alt="Line chart of YaRN's attention factor versus the current length: static flat at "
        f"{factor.static:.4f}, dynamic 1 up to L and then 0.1 ln(l'/L) + 1, {factor.dynamic_now:.4f} at "
        f"l' = {current:,}.",
        key="dyn_attention_factor",
    )

with lesson.section(
    "What it costs: the KV cache",
    "Keys cached at shorter lengths were rotated with other frequencies than the current query.",
):
    if pairs.yarn_slowest > 1:
        mismatch = (
            f"Here the key at position {pairs.cached_key:,} was cached when the text was {L:,} tokens "
            "long (s = 1). To the slowest pair's current frequency its angle belongs to position "
            f"**{pairs.cached_key_looks_at:,.1f}**, so the newest token sees it "
            f"**{pairs.apparent_distance:,.1f}** tokens away instead of {pairs.true_distance:,}."
        )
    else:
        mismatch = f"At l' = {current:,} ≤ L nothing has been rescaled yet; move l' past L to see it."
    st.info(
        f"""
**The KV-cache caveat.** Generation caches each key *after* rotating it, with the frequencies of its own
step. With dynamic scaling those keep changing, so q·k is no longer a function of the distance alone.
{mismatch}
""",
        icon="🗂️",
    )
    lesson.narrative("""
The fixes: cache keys before rotation and rotate them again at every step (slower), or use static
scaling; see transformers issue #25104, "Inconsistent Rotation Base for Dynamic NTK Scaling RoPE".
**Next:** the Compare page puts every method side by side on the same settings.
""")
    with lesson.stage():
        lesson.takeaway(
            "Dynamic scaling sets s from the text's current length, max(1, l'/L) for YaRN, so short "
            "texts run on the untouched model and long ones get just enough stretch; at "
            f"l' = {current:,} that is s = {sched.yarn_now:.4g} instead of {s:g}. The price is a cache of "
            "keys rotated with earlier frequencies."
        )

real_model.section(("dynamic_ntk", "dynamic_yarn"), key="dynamic_real_model")
