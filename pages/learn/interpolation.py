import streamlit as st

from yarn_core.app import lesson, scrub, sidebar
from yarn_core.app.views import interpolation as view

setting = sidebar.current()
L, s, target = setting.original_length, setting.factor, setting.target_tokens

st.title("4. Position Interpolation")
lesson.narrative(f"""
A model trained on **{L:,}** positions is asked to read **{target:,}**. Feeding it positions past
{L - 1:,} (*direct extrapolation*) shows it rotation angles it never saw, and it breaks.

**Position Interpolation** (Chen et al., 2023) does the opposite: it squeezes the long text back into
the range the model knows. Token *m* is rotated as if it sat at position *m / s*, with
s = L'/L = {s:g}. The {target:,} positions are stretched out over the trained {L:,} — every rotation
angle the model sees is one it saw in training. Move **L** and **s** in the sidebar.
""")

scrub.chart(
    lesson.shared(view.position_map_scrub)(setting),
    alt=f"Line chart: plain RoPE positions run to {target - 1:,}, past the trained {L - 1:,}; PI positions "
    "m/s stay inside the trained range.",
    key="pi_position_map",
    control="s",
)

angles = lesson.cached(view.neighbour_angles)(setting)
st.markdown(f"""
**The price.** Squeezing positions also squeezes the distance between neighbours. In the fastest
pair, two adjacent tokens were **{angles.fastest_trained:.3g} rad** apart in training; after PI they
are **{angles.fastest_pi:.3g} rad** apart — *s* times closer, in every pair alike. The model must now
tell apart neighbours whose angles differ less than anything it learned to separate.
""")
lesson.chart(
    angles.figure,
    alt="Log-scale line chart of the angle between neighbouring tokens per pair, as trained and after PI, "
    "which is lower by the factor s in every pair.",
    key="pi_neighbour_angles",
)

recovery = lesson.cached(view.finetune_recovery)()
before, after, steps = recovery.perplexity_before, recovery.perplexity_after, recovery.steps
lesson.narrative(f"""
**Why a short fine-tune follows.** The model has the right *range* of angles but a new *spacing*.
A little training at the new length teaches it the finer spacing: in the PI paper, LLaMA 7B went from
perplexity {before:.2f} to {after:.2f} at {recovery.context} tokens within {steps} steps.
""")
lesson.chart(
    recovery.figure,
    alt=f"Bar chart: perplexity {before:.2f} at step 0 and {after:.2f} at step {steps} of fine-tuning.",
    key="pi_finetune",
)
st.caption(f"Source: {recovery.source}.")

lesson.takeaway(
    f"PI maps {target:,} positions onto the trained {L:,} (m -> m/{s:g}), so no angle is new — but "
    f"neighbours end up {s:g}x closer, which a short fine-tune teaches the model to resolve."
)
lesson.predict_then_reveal(
    "pi_fastest",
    f"With s = {s:g}, how far apart (in radians) are two neighbouring tokens in the fastest pair after PI?",
    ["1 rad, as in training", f"1/{s:g} rad", f"{s:g} rad"],
    1,
    "The fastest pair turns 1 rad per token in training (theta_0 = b^0 = 1). "
    "PI divides every frequency by s.",
)
