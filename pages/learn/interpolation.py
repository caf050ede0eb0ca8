import streamlit as st

from yarn_core.app import lesson, real_model, scrub, sidebar
from yarn_core.app.views import interpolation as view

setting = sidebar.current()
L, s, target = setting.original_length, setting.factor, setting.target_tokens

st.title("4. Position Interpolation")
with lesson.section(
    "Map every position back into the trained range",
    f"PI rotates token m as if it sat at m / s: all {target:,} positions land within the trained {L:,}.",
    chart="pi_position_map",
):
    lesson.narrative(f"""
Lesson 3's problem: read **{target:,}** tokens with a model trained on **{L:,}** and the slow pairs reach
angles never seen, while the scores leave the trained range. **Position Interpolation** (Chen et al.,
2023) maps the long text back into the range the model knows: token m is rotated as if it sat at
position m / s, with s = L'/L = {s:g}. Move **L** and **s** in the sidebar.
""")
    lesson.formula(
        r"m \;\mapsto\; \frac{m}{s} \quad\Longleftrightarrow\quad \theta_i \;\mapsto\; \frac{\theta_i}{s}"
    )
    scrub.chart(
        lesson.cached(view.position_map_scrub)(setting),
        alt=f"Line chart: plain RoPE positions run to {target - 1:,}, past the trained {L - 1:,}; PI "
        "positions m/s stay inside the trained range.",
        key="pi_position_map",
        control="s",
    )

angles = lesson.cached(view.neighbour_angles)(setting)
with lesson.section(
    "The price: the spacing shrinks by s",
    f"Neighbouring tokens end up {s:g}x closer in every pair, the fast ones included.",
    chart="pi_neighbour_angles",
):
    lesson.predict_then_reveal(
        "pi_fastest",
        f"With s = {s:g}, how far apart (in radians) are two neighbouring tokens in the fastest pair "
        "after PI?",
        ["1 rad, as in training", f"1/{s:g} rad", f"{s:g} rad"],
        1,
        "The fastest pair turns 1 rad per token in training (θ_0 = b^0 = 1). PI divides every "
        "frequency by s.",
    )
    lesson.narrative(f"""
Every angle stays **within the trained range**, but the spacing between positions shrinks by s. In the
fastest pair, adjacent tokens were **{angles.fastest_trained:.3g} rad** apart in training; after PI they
are **{angles.fastest_pi:.3g} rad** apart, {s:g} times closer, and every pair alike. The model must tell
apart neighbours whose angles differ less than anything it learned to separate.
""")
    lesson.chart(
        angles.figure,
        alt="Log-scale line chart of the angle between neighbouring tokens per pair, as trained and after "
        "PI, which is lower by the factor s in every pair.",
        key="pi_neighbour_angles",
    )

recovery = lesson.cached(view.finetune_recovery)()
before, after, steps = recovery.perplexity_before, recovery.perplexity_after, recovery.steps
with lesson.section(
    "A short fine-tune teaches the finer spacing",
    f"In the PI paper, {steps} steps at the new length took perplexity from {before:.2f} to {after:.2f}.",
    chart="pi_finetune",
):
    lesson.narrative(f"""
The model has the right *range* of angles but a finer *spacing*. A little training at the new length
teaches it: in the PI paper, LLaMA 7B went from perplexity {before:.2f} to {after:.2f} at
{recovery.context:,} tokens within {steps} steps.
""")
    lesson.chart(
        recovery.figure,
        alt=f"Bar chart: perplexity {before:.2f} at step 0 and {after:.2f} at step {steps} of fine-tuning.",
        key="pi_finetune",
    )
    st.caption(f"Source: {recovery.source}.")
    lesson.takeaway(
        f"PI maps {target:,} positions onto the trained {L:,} (m -> m/{s:g}), so every angle stays within "
        f"the trained range, but it shrinks the spacing by {s:g} in every pair. The fast pairs, which never "
        "needed it (they repeat angles anyway, lesson 3), lose the most detail: lesson 5 scales the pairs "
        "unevenly."
    )

real_model.section(("linear",), key="interpolation_real_model")
