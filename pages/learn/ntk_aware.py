import streamlit as st

from yarn_core.app import lesson, scrub, sidebar
from yarn_core.app.views import ntk_aware as view

setting = sidebar.current()
d, b, L, s, target = (
    setting.dim,
    setting.base,
    setting.original_length,
    setting.factor,
    setting.target_tokens,
)

change = lesson.cached(view.base_change)(setting)

st.title("5. NTK-aware scaling")
lesson.narrative(f"""
Position Interpolation slows **every** pair down by s = {s:g}. The slow pairs needed it: they never
completed a turn inside the trained {L:,} tokens, so any angle past their trained range is new to the
model. The fast pairs did not: they turned many times in training, have seen every angle, and PI
only takes away their resolution — neighbours {s:g}x closer, exactly where the model tells nearby
tokens apart.

**NTK-aware scaling** (bloc97, 2023; named after the Neural Tangent Kernel argument that networks
struggle to learn high frequencies) leaves the positions alone and **raises the rotary base** instead:

b' = b · s^(|D| / (|D| − 2))

The exponent |D|/(|D|−2) = {change.exponent:.4f} is chosen so that the slowest pair ends up divided by
exactly s, like PI. With b = {b:,.0f}, |D| = {d} and s = {s:g} the new base is
**b' = {change.new_base:,.2f}**. Because theta_i = b^(−2i/|D|), a bigger base leaves pair 0 at
exactly 1 rad per token and slows each following pair a little more than the one before.
""")

scrub.chart(
    lesson.shared(view.base_change_scrub)(setting),
    alt=f"Log-scale line chart of how much each of the {change.pairs} pairs is slowed down. "
    f"PI is flat at {s:g}. "
    f"NTK-aware rises in a straight line from {change.fastest_divisor:.4g} at pair 0 "
    f"to {change.slowest_divisor:.4g} at the last pair.",
    key="ntk_effective_scale",
    control="s",
)
st.markdown(f"""
Read the chart from left to right: the fastest pair is divided by **{change.fastest_divisor:.4g}**
(untouched), the next by {change.second_divisor:.4g}, pair {change.middle_pair} by
{change.middle_divisor:.4g}, and the slowest by **{change.slowest_divisor:.4g}** = s. On a log scale
NTK-aware is a straight line: the interpolation is *spread* over the pairs instead of applied to all of
them alike. It was first proposed as a way to stretch LLaMA's context with no fine-tuning at all; for
LLaMA 2 with s = 2 it gives b' = {change.llama2_s2_base:,.0f}, the base of the
"{change.table1_ntk_row}" row in the YaRN paper's Table 1.
""")

reach = lesson.cached(view.angle_reach)(setting)
if reach.partial_pairs:
    worst = (
        f"Pair {reach.worst_pair} is the worst: at {target:,} tokens it sweeps "
        f"**{reach.worst_sweep:.3g}x** the range of angles it saw in training."
    )
    st.markdown(f"""
**The catch.** {reach.partial_pairs} of the {change.pairs} pairs (from pair {reach.first_partial_pair}
on) never complete a turn in {L:,} tokens. PI keeps each of them inside its trained range (ratio
{reach.pi_sweep:.4f} in the chart: the last position lands a fraction of a token past L − 1). NTK-aware
divides most of them by *less* than s, so at {target:,} tokens
**{reach.pushed_pairs}** of them go past the largest angle they were trained on. {worst} The YaRN paper
calls these dimensions "extrapolated to out-of-bound values" — which is why NTK-aware fine-tunes worse
than PI, and what NTK-by-parts (next lesson) fixes.
""")
else:
    st.markdown(f"""
**The catch** usually shows in the slow pairs that never complete a turn inside L. With these settings every
pair completes at least one turn in {L:,} tokens, so none of them meets a new angle; try a larger base or a
smaller L.
""")
lesson.chart(
    reach.figure,
    alt=f"Line chart of the largest angle each pair reaches at {target:,} tokens divided by the largest "
    f"seen in training: PI stays at {reach.pi_sweep:.3g} for every pair; NTK-aware starts at about {s:g} "
    f"and falls to about 1, above 1 for {reach.pushed_pairs} of the pairs that never completed a turn.",
    key="ntk_angle_reach",
)

lesson.takeaway(
    f"NTK-aware raises the base to b' = {change.new_base:,.0f}: the fastest pair keeps its full "
    f"resolution, the slowest is divided by exactly s = {s:g} — but the pairs in between are "
    "interpolated by less than s, so some of the slow ones meet angles they never saw."
)
lesson.predict_then_reveal(
    "ntk_fastest",
    f"NTK-aware scaling with s = {s:g}: how much is the fastest pair (i = 0) slowed down?",
    [
        f"Divided by s = {s:g}, like PI",
        f"Divided by √s = {s**0.5:.3g}",
        "Not at all: it still turns 1 rad per token",
    ],
    2,
    "theta_0 = b'^0 = 1 whatever the base, so changing the base cannot touch pair 0. Only PI, which "
    "moves the positions, slows it down.",
)
