import streamlit as st

from yarn_core.app import lesson, params, scrub, sidebar
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
lesson.narrative(f"""
NTK-aware slows the pairs down along a smooth curve, and so pushes some slow pairs past the angles
they were trained on. **NTK-by-parts** (bloc97; section 3.2 of the YaRN paper) decides pair by pair
instead, by counting how many full turns **r = L / wavelength** each pair makes inside the trained
{L:,} tokens:

- **r > β** — the pair turned many times in training and has seen every angle: **keep** it as trained
  (γ = 1; the paper calls this *extrapolation*, since the pair is used past L unchanged).
- **r < α** — the pair never completed α turns: **interpolate** it fully, like PI (θ/s, γ = 0).
- in between, **blend**: θ' = (1 − γ)·θ/s + γ·θ with γ = (r − α)/(β − α).

The paper uses **α = 1, β = 32** for LLaMA. In configs and in transformers they are called
`beta_slow` (= α) and `beta_fast` (= β).
""")

left, right, ramp_col = st.columns([1, 1, 1.4])
alpha = params.param_widget(ALPHA, left)
beta = params.param_widget(BETA, right)
ramp = params.param_widget(RAMP, ramp_col)
if alpha >= beta:
    st.warning(
        f"α = {alpha:g} is not below β = {beta:g}, but the ramp needs α < β: this page uses α = {beta / 2:g}."
    )
    alpha = beta / 2
parts = setting.with_(beta_slow=alpha, beta_fast=beta, ramp=ramp)

regimes = lesson.cached(view.pair_regimes)(parts)
if regimes.no_pair_kept:
    fate = (
        "every pair is fully interpolated: NTK-by-parts (and YaRN's frequencies) are exactly PI"
        if regimes.all_interpolated
        else f"the fastest pair is only γ = {regimes.fastest_gamma_paper:.2f} kept and every other pair "
        "less: NTK-by-parts (and YaRN) collapse towards PI"
    )
    st.warning(
        f"""**No pair is kept with these settings.** The shortest possible wavelength is 2π tokens (pair 0
turns 1 rad per token whatever the base), so no pair turns more than
L/(2π) = **{regimes.max_turns:.3g}** times inside L = {L:,} — fewer than β = {beta:g}. Under the paper's
ramp {fate}. (The reference code still keeps {regimes.code_kept} pair(s) only because it clamps the
start of its ramp to pair 0.) Lower β below {regimes.max_turns:.3g} or raise L.""",
        icon="⚠️",
    )

scrub.chart(
    lesson.shared(view.pair_regimes_scrub)(parts),
    alt=f"Scatter of the trained wavelength of each of the {regimes.pairs} pairs on a log scale, "
    f"coloured by regime: {regimes.kept} kept below L/β = {regimes.kept_below:.4g} tokens, "
    f"{regimes.blended} blended, {regimes.interpolated} interpolated above "
    f"L/α = {regimes.interpolated_above:.4g} tokens.",
    key="nbp_regimes",
    control="nbp_beta",
)
counts = f"**{regimes.kept}** kept, **{regimes.blended}** blended and **{regimes.interpolated}** interpolated"
if ramp == "paper":
    rule = (
        "Under the paper's ramp the pairs with a wavelength under "
        f"**L/β = {regimes.kept_below:,.4g} tokens** are kept "
        f"and those over **L/α = {regimes.interpolated_above:,.4g} tokens** interpolated: {counts}."
    )
else:
    rule = (
        f"Under the reference code's ramp: {counts}. Its boundaries are the correction dims rounded "
        "outwards (next chart), so they can differ slightly from the thresholds "
        f"L/β = {regimes.kept_below:,.4g} and L/α = {regimes.interpolated_above:,.4g} tokens drawn here."
    )
st.markdown(f"""
With L = {L:,}, α = {alpha:g} and β = {beta:g}. {rule}

α and β are counted in **turns inside L**, not in tokens, so the same β = {beta:g} means a different
wavelength threshold for every trained length: double L and both thresholds double. And since no pair
turns more than L/(2π) = {regimes.max_turns:.3g} times, a small L can leave *no* pair to keep — try the
tiny-model preset (L = 64) in the sidebar.
""")

ramps = lesson.cached(view.ramp_comparison)(parts)
agreement = (
    f"{ramps.regimes_differ} pair(s) land in a different regime (kept, blended or interpolated)."
    if ramps.regimes_differ
    else "Here both agree on which pairs are kept and which are fully interpolated; only the blend differs."
)
st.markdown(f"""
**The paper's ramp and the code's ramp differ.** The paper defines γ as linear in r. The reference
implementation (and transformers, which models load) is linear in the **pair index** instead, between
two *correction dims* — the fractional pair indices where r = β ({ramps.paper_low:.2f}) and r = α
({ramps.paper_high:.2f}) — rounded outwards to pairs **{ramps.code_low:g}** and **{ramps.code_high:g}**
and clamped to the valid range. Because r shrinks geometrically with the pair index, the paper's γ drops
fast just past β and then flattens. The largest gap is at pair {ramps.gap_pair}:
γ = {ramps.paper_gamma:.3f} (paper) versus {ramps.code_gamma:.3f} (code). {agreement}
""")
lesson.chart(
    ramps.figure,
    alt="Line chart of γ per pair for both ramps. The code's ramp is a straight line from pair "
    f"{ramps.code_low:g} to pair {ramps.code_high:g}; the paper's ramp is curved; they differ most at "
    f"pair {ramps.gap_pair}.",
    key="nbp_ramps",
)

lesson.narrative("""
Llama 3.1's `llama3` scaling is the same idea with the paper's ramp: its `low_freq_factor` and
`high_freq_factor` play the roles of α and β (1 and 4 in its config). Below, the payoff: fast pairs untouched,
slow pairs divided by exactly s, and — unlike NTK-aware — every pair that made fewer than α turns in
training gets the full factor, so none of them meets a new angle.
""")
scrub.chart(
    lesson.shared(view.effective_scale_scrub)(parts),
    alt=f"Log-scale line chart of how much each pair is slowed down: PI flat at {s:g}, NTK-aware a "
    f"straight rising line, NTK-by-parts flat at 1 for the kept pairs, ramping, then flat at {s:g} for "
    "the interpolated pairs.",
    key="nbp_effective_scale",
    control="s",
)

lesson.takeaway(
    f"NTK-by-parts keeps the {regimes.kept} pairs that turn more than β = {beta:g} times inside L, "
    f"interpolates the {regimes.interpolated} that turn fewer than α = {alpha:g} times, and blends the "
    "rest. α and β count turns inside L, so the same values mean different pairs for a different "
    "trained length."
)
lesson.predict_then_reveal(
    "nbp_double_l",
    "Keep |D|, the base, α and β fixed and double the trained length L. "
    "What happens to the number of kept pairs?",
    [
        "Fewer pairs are kept",
        "The same pairs are kept: α and β did not change",
        "More pairs are kept (or as many)",
    ],
    2,
    "Every pair makes twice as many turns inside a window twice as long, so the threshold L/β doubles "
    "and pairs that were just below β turns cross it.",
)
