import streamlit as st

from yarn_core.app import lesson, params, scrub, sidebar
from yarn_core.app.views import ntk_aware
from yarn_core.app.views import ntk_by_parts as view

ALPHA = params.Param(
    "nbp_alpha",
    "α (beta_slow): interpolate below α turns",
    1.0,
    kind="float",
    minimum=0.25,
    maximum=16.0,
    step=0.25,
    help="Pairs that make fewer than α full turns inside L are fully interpolated.",
)
BETA = params.Param(
    "nbp_beta",
    "β (beta_fast): keep above β turns",
    32.0,
    kind="float",
    minimum=2.0,
    maximum=256.0,
    step=1.0,
    help="Pairs that make more than β full turns inside L are kept as trained.",
)
RAMP = params.Param(
    "nbp_ramp",
    "Ramp: the paper's or the reference code's",
    "paper",
    kind="choice",
    options=("paper", "code"),
    help="paper: γ linear in r = L / wavelength. code: γ linear in the pair index, as in transformers.",
)

setting = sidebar.current()
L, s = setting.original_length, setting.factor

st.title("6. NTK-by-parts")

with lesson.section(
    "The problem NTK-aware left",
    "NTK-aware divides some slow pairs by less than s, so they meet angles never seen.",
    chart="nbp_problem_reach",
):
    lesson.narrative(f"""
NTK-aware spares the fast pairs, but its smooth curve also divides most slow pairs by *less* than s:
past the trained {L:,} tokens they turn further than they ever did in training. The slow pairs need
the full factor s, the fast pairs none. **NTK-by-parts** (bloc97; section 3.2 of the YaRN paper) stops
using one curve and decides pair by pair.
""")
    reach = lesson.cached(ntk_aware.angle_reach)(setting)
    lesson.chart(
        reach.figure,
        alt=f"Lesson 5's chart: under NTK-aware {reach.pushed_pairs} slow pairs reach angles beyond their "
        "trained range at L'; PI keeps every pair inside it.",
        key="nbp_problem_reach",
    )

with lesson.section(
    "Decide pair by pair",
    "Count each pair's turns inside L: many, keep it; fewer than α, divide it by s; blend between.",
    chart="nbp_regimes",
):
    with lesson.stage():
        lesson.formula(
            r"r_i = \frac{L}{\lambda_i}, \qquad "
            r"\gamma_i = \operatorname{clip}\Big(\frac{r_i - \alpha}{\beta - \alpha}, 0, 1\Big)"
        )
        lesson.formula(r"\theta'_i = (1 - \gamma_i)\,\frac{\theta_i}{s} + \gamma_i\,\theta_i")
        left, right, ramp_col = lesson.columns([1, 1, 1.4])
        alpha = params.param_widget(ALPHA, left)
        beta = params.param_widget(BETA, right)
        ramp = params.param_widget(RAMP, ramp_col)
    lesson.narrative("""
A pair with **r_i > β** turned many times in training and has seen every angle: **keep** it (γ_i = 1;
the paper calls this *extrapolation*). A pair with **r_i < α** never completed α turns: divide it by
s like PI (γ_i = 0). The paper uses **α = 1, β = 32** for LLaMA; configs and transformers call them
`beta_slow` and `beta_fast`.
""")
    if alpha >= beta:
        st.warning(
            f"α = {alpha:g} is not below β = {beta:g}, but the ramp needs α < β: this page uses "
            f"α = {beta / 2:g}."
        )
        alpha = beta / 2
    parts = setting.with_(beta_slow=alpha, beta_fast=beta, ramp=ramp)
    regimes = lesson.cached(view.pair_regimes)(parts)
    if regimes.no_pair_kept:
        fate = (
            "every pair is fully interpolated: NTK-by-parts (and YaRN's frequencies) are exactly PI"
            if regimes.all_interpolated
            else f"the fastest pair is only γ = {regimes.fastest_gamma_paper:.2f} kept and every other "
            "pair less: NTK-by-parts (and YaRN) collapse towards PI"
        )
        st.warning(
            f"""**No pair is kept with these settings.** The shortest possible wavelength is 2π tokens
(pair 0 turns 1 rad per token whatever the base), so no pair turns more than
L/(2π) = **{regimes.max_turns:.3g}** times inside L = {L:,}: fewer than β = {beta:g}. Under the paper's
ramp {fate}. (The reference code still keeps {regimes.code_kept} pair(s) only because it clamps the
start of its ramp to pair 0.) Lower β below {regimes.max_turns:.3g} or raise L.""",
            icon="⚠️",
        )
    lesson.predict_then_reveal(
        "nbp_double_l",
        "Keep |D|, the base, α and β fixed and double the trained length L. "
        "What happens to the number of kept pairs?",
        ["Fewer pairs are kept", "The same pairs: α and β did not change", "More pairs are kept"],
        2,
        "Every pair makes twice as many turns inside a window twice as long, so the threshold L/β doubles "
        "and pairs just below β turns cross it (unless every pair was kept already).",
    )
    scrub.chart(
        lesson.cached(view.pair_regimes_scrub)(parts),
        alt=f"Scatter of the trained wavelength of each of the {regimes.pairs} pairs on a log scale, "
        f"coloured by regime: {regimes.kept} kept below L/β = {regimes.kept_below:.4g} tokens, "
        f"{regimes.blended} blended, {regimes.interpolated} interpolated above "
        f"L/α = {regimes.interpolated_above:.4g} tokens.",
        key="nbp_regimes",
        control="nbp_beta",
    )
    counts = (
        f"**{regimes.kept}** kept, **{regimes.blended}** blended, **{regimes.interpolated}** interpolated"
    )
    lesson.narrative(f"""
With L = {L:,}, α = {alpha:g} and β = {beta:g}: {counts}. α and β count **turns inside L**, not
tokens: pairs with wavelengths under L/β = {regimes.kept_below:,.4g} tokens are kept, over
L/α = {regimes.interpolated_above:,.4g} interpolated. Double L and both thresholds double.
""")
    with st.expander("When no pair is kept"):
        st.markdown(f"""
No pair turns more than L/(2π) = {regimes.max_turns:.3g} times inside L, so a small L can leave *no*
pair to keep: try the tiny-model preset (L = 64) in the sidebar. Under the reference code's ramp the
boundaries are the correction dims rounded outwards (next section), so its counts can differ slightly
from these thresholds.
""")

ramps = lesson.cached(view.ramp_comparison)(parts)
with lesson.section(
    "The paper's ramp and the code's",
    "The paper's γ is linear in turns r; the code's, which models run, in the pair index.",
    chart="nbp_ramps",
):
    st.caption(
        "This lesson starts on the **paper's** ramp; Compare starts on the **code's** (what transformers "
        "runs). Switch with the Ramp control above."
    )
    agreement = (
        f"{ramps.regimes_differ} pair(s) land in a different regime."
        if ramps.regimes_differ
        else "Both agree on which pairs are kept and which interpolated; only the blend differs."
    )
    lesson.narrative(f"""
transformers ramps γ linearly in the **pair index**, between the *correction dims* where r = β
({ramps.paper_low:.2f}) and r = α ({ramps.paper_high:.2f}), rounded outwards to pairs
**{ramps.code_low:g}** and **{ramps.code_high:g}**. The largest gap is at pair {ramps.gap_pair}:
γ = {ramps.paper_gamma:.3f} (paper) against {ramps.code_gamma:.3f} (code). {agreement}
""")
    lesson.chart(
        ramps.figure,
        alt="Line chart of γ per pair for both ramps. The code's ramp is a straight line from pair "
        f"{ramps.code_low:g} to pair {ramps.code_high:g}; the paper's ramp is curved; they differ most "
        f"at pair {ramps.gap_pair}.",
        key="nbp_ramps",
    )

with lesson.section(
    "What it fixes, and what it costs",
    "No slow pair meets a new angle, but attention still spreads over the longer text.",
    chart="nbp_effective_scale",
):
    scrub.chart(
        lesson.cached(view.effective_scale_scrub)(parts),
        alt=f"Log-scale line chart of how much each pair is slowed down: PI flat at {s:g}, NTK-aware a "
        f"straight rising line, NTK-by-parts flat at 1 for the kept pairs, ramping, then flat at {s:g} "
        "for the interpolated pairs.",
        key="nbp_effective_scale",
        control="s",
    )
    lesson.narrative(f"""
Fast pairs untouched, slow pairs divided by exactly s = {s:g}: unlike NTK-aware, every pair under α
turns gets the full factor, so none meets a new angle. **The cost:** a text {s:g}x longer spreads each
token's attention over {s:g}x more keys, and the interpolated pairs sit closer together, so attention
grows blurrier. **Next:** YaRN sharpens it with a temperature.
""")
    with st.expander("Llama 3.1 uses the same idea"):
        st.markdown(
            "Llama 3.1's `llama3` scaling is NTK-by-parts with the paper's ramp: its `low_freq_factor` "
            "and `high_freq_factor` play the roles of α and β (1 and 4 in its config)."
        )
    with lesson.stage():
        lesson.takeaway(
            f"NTK-by-parts keeps the {regimes.kept} pairs that turn more than β = {beta:g} times inside L, "
            f"interpolates the {regimes.interpolated} that turn fewer than α = {alpha:g} times, and blends "
            "the rest. α and β count turns inside L, so the same values mean different pairs for another L."
        )
