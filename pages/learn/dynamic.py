import streamlit as st

from yarn_core.app import lesson, params, scrub, sidebar
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
lesson.narrative(f"""
Every method so far is **static**: s = L'/L = {s:g} is fixed once, for every text. A 100-token chat
message gets its slow pairs divided by {s:g} exactly like a {target:,}-token document, so short texts pay
a small price for a stretch they did not need — and past L' = {target:,} the model is extrapolating again.

**Dynamic scaling** (emozilla, 2023, for NTK; section 3.3 of the YaRN paper) recomputes s at every
forward pass from the **current length l'** of the sequence:

- **Dynamic YaRN** (the paper): s = max(1, l'/L). Up to L the model runs exactly as trained; beyond, it
  stretches just enough for the text at hand.
- **Dynamic NTK** as transformers implements it (with the config's `factor` as s): the NTK-aware base change
  with s = factor · l/L − (factor − 1), where l = max(l', L). It also starts at 1 at L, but climbs
  with slope factor/L instead of 1/L.

Move the current length to watch a generation grow.
""")

now = view.at_multiple(setting, params.param_widget(LENGTH))
current = now.seq_len

sched = lesson.cached(view.scale_schedule)(now)
st.markdown(f"""
At l' = **{current:,}** tokens, dynamic YaRN uses **s = {sched.yarn_now:.4g}** and transformers' dynamic
NTK **s = {sched.ntk_now:.4g}**, while every static method uses s = {s:g} whatever the length. Past L,
each new token raises dynamic YaRN's s by {sched.yarn_per_token:.3g} and dynamic NTK's by
{sched.ntk_per_token:.3g}: at L' = {target:,} they reach {sched.yarn_at_target:.4g} and
{sched.ntk_at_target:.4g} (for s > 1 transformers' formula overshoots the configured factor: it gives
s² − s + 1 at L').
""")
lesson.chart(
    sched.figure,
    alt="Line chart of the effective scale versus the current length on log axes: static methods flat at "
    f"{s:g}; dynamic YaRN 1 up to L = {L:,} then l'/L; dynamic NTK 1 up to L then rising faster. "
    f"At l' = {current:,}: {sched.yarn_now:.4g} and {sched.ntk_now:.4g}.",
    key="dyn_scale_schedule",
)

pairs = lesson.cached(view.frequencies_now)(now)
st.markdown(f"""
**What changes token by token.** Each forward pass recomputes every pair's frequency. Right now the
slowest pair is divided by **{pairs.yarn_slowest:.4g}** under dynamic YaRN and {pairs.ntk_slowest:.4g}
under dynamic NTK, against {pairs.static_slowest:.4g} for static YaRN. The fast pairs stay as trained in
both YaRN variants.
""")
scrub.chart(
    lesson.shared(view.frequencies_now_scrub)(now),
    alt=f"Log-scale line chart of how much each pair is slowed down at l' = {current:,}: the slowest pair "
    f"is divided by {pairs.yarn_slowest:.4g} (dynamic YaRN), {pairs.ntk_slowest:.4g} (dynamic NTK) and "
    f"{pairs.static_slowest:.4g} (static YaRN).",
    key="dyn_frequencies_now",
    control="dyn_len",
)

factor = lesson.cached(view.factor_schedule)(now)
st.markdown(f"""
YaRN's temperature follows along: dynamic YaRN multiplies cos and sin by **{factor.dynamic_now:.4f}** at
l' = {current:,}, static YaRN by {factor.static:.4f} at every length.
""")
lesson.chart(
    factor.figure,
    alt="Line chart of YaRN's attention factor versus the current length: static flat at "
    f"{factor.static:.4f}, dynamic 1 up to L and then 0.1 ln(l'/L) + 1, {factor.dynamic_now:.4f} at "
    f"l' = {current:,}.",
    key="dyn_attention_factor",
)

if pairs.yarn_slowest > 1:
    mismatch = (
        f"Here: the key at position {pairs.cached_key:,} was cached when the text was {L:,} tokens long "
        "(s = 1). To the slowest pair's current frequency its angle belongs to position "
        f"**{pairs.cached_key_looks_at:,.1f}**, so the newest token sees it "
        f"**{pairs.apparent_distance:,.1f}** tokens away instead of {pairs.true_distance:,}."
    )
else:
    mismatch = f"(At l' = {current:,} ≤ L nothing has been rescaled yet; move l' past L to see the mismatch.)"
st.info(
    f"""
**The KV-cache caveat.** Generation caches each key *after* rotating it, with the frequencies of the step
that produced it. With dynamic scaling those frequencies keep changing, so keys cached at shorter lengths
were rotated with other frequencies than the current query, and q·k is no longer a function of the
distance alone. {mismatch}
The fixes: cache keys before rotation and rotate them again at every step (slower), or use static
scaling; see transformers issue #25104, "Inconsistent Rotation Base for Dynamic NTK Scaling RoPE".
""",
    icon="🗂️",
)

lesson.takeaway(
    "Dynamic scaling sets s from the text's current length — max(1, l'/L) for YaRN — so short texts run "
    f"on the untouched model and long ones get just enough stretch; at l' = {current:,} that is "
    f"s = {sched.yarn_now:.4g} instead of {s:g}. The price is a cache of keys rotated with yesterday's "
    "frequencies."
)
lesson.predict_then_reveal(
    "dyn_short",
    f"A model trained on L = {L:,} uses dynamic YaRN. While the text is only {max(1, L // 2):,} tokens "
    "long, which s does it use?",
    [
        "s = 1: it runs exactly as trained",
        f"s = {s:g}, like static YaRN",
        f"s = {max(1, L // 2) / L:g}: it compresses less than 1",
    ],
    0,
    "s = max(1, l'/L): below L there is nothing to stretch, and the max keeps s from dropping under 1.",
)
