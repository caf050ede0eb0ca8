import streamlit as st

from yarn_core.app import lesson, real_model, scrub, sidebar
from yarn_core.app.views import ntk_aware as view

setting = sidebar.current()
d, b, L, s = setting.dim, setting.base, setting.original_length, setting.factor
target = setting.target_tokens

change = lesson.cached(view.base_change)(setting)
reach = lesson.cached(view.angle_reach)(setting)

st.title("5. NTK-aware scaling")

with lesson.section(
    "The problem PI left",
    f"PI slows every pair by s = {s:g}, even the fast pairs that never needed it.",
):
    lesson.narrative(f"""
Position Interpolation divides **every** pair by s = {s:g}. The slow pairs needed it: they never
completed a turn in the trained {L:,} tokens. The fast pairs did not: they turned many times and have
seen every angle. For them PI only takes away resolution: neighbouring tokens sit {s:g}x closer,
exactly where the model tells nearby tokens apart.
""")
    with lesson.stage():
        lesson.predict_then_reveal(
            "ntk_fastest",
            f"NTK-aware scaling raises the base b and leaves the positions alone. With s = {s:g}, how much "
            "is the fastest pair (i = 0) slowed down?",
            [f"By s = {s:g}, like under PI", f"By √s = {s**0.5:.3g}", "By 1: not at all"],
            2,
            "θ_0 = b'^0 = 1 whatever the base, so a new base cannot touch pair 0. Only PI, which moves the "
            "positions, slows it down.",
        )

with lesson.section(
    "Raise the base instead",
    "NTK-aware keeps the positions and raises the base b: the fast pairs stay, the slowest ÷ s.",
    chart="ntk_effective_scale",
):
    with lesson.stage():
        lesson.formula(r"b' = b \cdot s^{|D|/(|D|-2)}, \qquad \theta'_i = b'^{-2i/|D|}")
    lesson.narrative(f"""
**NTK-aware scaling** (bloc97, 2023) changes the base: with b = {b:,.0f}, |D| = {d} and s = {s:g},
**b' = {change.new_base:,.2f}**. The exponent |D|/(|D|−2) = {change.exponent:.4f} makes the slowest pair
come out divided by exactly s, like PI. Pair 0 still turns 1 rad per token; each following pair is
slowed a little more than the one before.
""")
    scrub.chart(
        lesson.cached(view.base_change_scrub)(setting),
        alt=f"Log-scale line chart of how much each of the {change.pairs} pairs is slowed down. "
        f"PI is flat at {s:g}. NTK-aware rises in a straight line from {change.fastest_divisor:.4g} at "
        f"pair 0 to {change.slowest_divisor:.4g} at the last pair.",
        key="ntk_effective_scale",
        control="s",
    )
    with st.expander("Reading the chart, and where NTK-aware came from"):
        st.markdown(f"""
The fastest pair is divided by **{change.fastest_divisor:.4g}** (untouched), the next by
{change.second_divisor:.4g}, pair {change.middle_pair} by {change.middle_divisor:.4g} and the slowest by
**{change.slowest_divisor:.4g}** = s. On a log scale NTK-aware is a straight line: the interpolation is
*spread* over the pairs instead of applied to all alike.

The name comes from the Neural Tangent Kernel argument that networks struggle to learn high
frequencies. It was first proposed to stretch LLaMA's context with no fine-tuning at all; for LLaMA 2
with s = 2 it gives b' = {change.llama2_s2_base:,.0f}, the "{change.table1_ntk_row}" row of the YaRN
paper's Table 1.
""")

with lesson.section(
    "What it costs: slow pairs meet new angles",
    "Slow pairs divided by less than s turn past anything they saw in training.",
    chart="ntk_angle_reach",
):
    if reach.partial_pairs:
        lesson.narrative(f"""
{reach.partial_pairs} of the {change.pairs} pairs (from pair {reach.first_partial_pair} on) never
complete a turn in {L:,} tokens. PI keeps each inside its trained range (ratio {reach.pi_sweep:.4f}).
NTK-aware divides most of them by *less* than s, so at {target:,} tokens
**{reach.pushed_pairs}** of them go past the largest angle they were trained on; pair
{reach.worst_pair} sweeps **{reach.worst_sweep:.3g}x** its trained range.
""")
    else:
        lesson.narrative(f"""
The cost shows in the slow pairs that never complete a turn inside L. Here every pair completes at least
one turn in {L:,} tokens, so none meets a new angle; try a larger base or a smaller L.
""")
    lesson.chart(
        reach.figure,
        alt=f"Line chart of the largest angle each pair reaches at {target:,} tokens divided by the "
        f"largest seen in training: PI stays at {reach.pi_sweep:.3g} for every pair; NTK-aware starts at "
        f"about {s:g} and falls to about 1, above 1 for {reach.pushed_pairs} of the pairs that never "
        "completed a turn.",
        key="ntk_angle_reach",
    )
    lesson.narrative("""
The YaRN paper calls these pairs "extrapolated to out-of-bound values": this is why NTK-aware fine-tunes
worse than PI. **Next:** NTK-by-parts decides pair by pair, so no slow pair is left short.
""")
    with lesson.stage():
        lesson.takeaway(
            f"NTK-aware raises the base to b' = {change.new_base:,.0f}: the fastest pair keeps its full "
            f"resolution, the slowest is divided by exactly s = {s:g}, but the pairs in between are divided "
            "by less than s, so some slow ones meet angles they never saw."
        )

real_model.section(("ntk",), key="ntk_aware_real_model")
