import streamlit as st

from yarn_core.app import lesson, params, real_model, sidebar
from yarn_core.app.views import extrapolation as view

SEED = params.Param(
    "ext_seed",
    "Random query and key (seed)",
    0,
    kind="int",
    minimum=0,
    maximum=99,
    step=1,
    help="The fitted targets, and the query and key, are seeded random numbers.",
)
SHOW_PI = params.Param(
    "ext_pi",
    "Show Position Interpolation (distance / s)",
    True,
    kind="bool",
    help="PI divides every position, hence every distance, by s = L'/L.",
)

setting = sidebar.current()
d, L, s, target = setting.dim, setting.original_length, setting.factor, setting.target_tokens

st.title("3. The extrapolation problem")
with lesson.section(
    "A score fitted inside L explodes past it",
    "A score fitted to stay within ±1 inside L grows by orders of magnitude past it.",
    chart="ext_fitted",
):
    lesson.narrative(f"""
Lesson 2 left us with a score that depends only on the distance Δ = m - n. A model trained on
**L = {L:,}** tokens has seen Δ from 0 to {L - 1:,}. Read **L' = {target:,}** tokens and Δ reaches
{target - 1:,}: using those distances as they come is **direct extrapolation**.
""")
    seed = params.param_widget(SEED)
    bound = view.published_bound()
    fit = lesson.cached(view.fitted_score)(setting, seed=seed)
    lesson.predict_then_reveal(
        "ext_blowup",
        f"Fit a RoPE score a(Δ) to random targets in [-1, 1] at distances up to L = {L:,}. How large "
        f"does |a| get between L and L' = {target:,}?",
        ["About the same, within ±1", "A few times larger", "Orders of magnitude larger"],
        2,
        f"Here it reaches **{fit.extrapolated_max:,.0f}**. Nothing inside L pins the slow pairs down: "
        "the fit may give them large coefficients that cancel inside the window and stop cancelling "
        "past it.",
    )
    lesson.formula(r"a(\Delta) = \sum_{i=0}^{|D|/2-1} h_i\, e^{\,\mathrm{i}\,\Delta\,\theta_i}")
    lesson.narrative(f"""
The PI paper's experiment, repeated: a score of RoPE's form (sum over the {d // 2} pairs, real part),
fitted to {fit.fit_points:,} random targets at distances within [0, L]. Inside the window |a| stays below
**{fit.fitted_max:.2f}**; extrapolated to L' it reaches **{fit.extrapolated_max:,.0f}**. Interpolated,
a(Δ / {s:g}) reads the fitted window only, and stays below **{fit.interpolated_max:.2f}**.
""")
    lesson.chart(
        fit.figure,
        alt=f"Log-scale chart of the magnitude of a fitted score function: at most {fit.fitted_max:.2g} "
        f"inside L, up to {fit.extrapolated_max:.3g} extrapolated to L', at most "
        f"{fit.interpolated_max:.2g} when interpolated.",
        key="ext_fitted",
    )
    st.caption(f"Source of the experiment and the quoted numbers: {bound.source}.")
    with st.expander("How the fit is made, and why the paper's number differs"):
        sweep = ", ".join(
            f"{peak:,.0f} with {'no ridge' if ridge == 0 else f'ridge {ridge:g}'}"
            for ridge, peak in fit.peak_by_ridge
        )
        st.markdown(f"""
The coefficients h_i minimise the mean squared error plus a ridge of {fit.ridge:g} x |h|², too small to
change the fit inside L. Without it, plain least squares on the nearly collinear slow pairs cancels
enormous coefficients, and the peak past L depends on the solver: {sweep}.

The paper (LLaMA 7B, |D| = 128, L = 2,048) reports about **{bound.extrapolated_peak:,}** where the fit
stays in [{bound.trained_low}, {bound.trained_high}], and an interpolation bound about
{bound.interpolation_bound_tighter_by}x tighter: the ridge fit lands in the same range. The targets are
random, so no single number is exact; the point is the orders of magnitude.

The fit covers [0, L] as in the paper, so PI's largest argument, (L' - 1)/s = L - 1/s, lies inside the
fitted stretch and the interpolated curve stays at the fit's own size.
""")

with lesson.section(
    "A random query and key: the slow pairs drift",
    "Past L the score's slow offset keeps changing; PI reads the trained curve s times slower.",
    chart="ext_scores",
):

    def drifting_scores() -> None:  # showing PI changes only this section
        with lesson.stage():
            show_pi = params.param_widget(SHOW_PI)
        scores = lesson.cached(view.score_curves)(setting, seed=seed, show_pi=show_pi)
        survey = lesson.cached(view.escape_survey)(setting)
        lesson.narrative(f"""
Random vectors, unlike trained ones, escape rarely. In training this pair's score stayed between
**{scores.trained_low:.2f} and {scores.trained_high:.2f}** (grey band); between L and L',
**{scores.outside_fraction:.1%}** of distances leave it (brown markers), **{survey.mean_fraction:.1%}** on
average over {survey.seeds} pairs (at most {survey.max_fraction:.1%}). The slow pairs barely turn inside
L, so they add an almost constant offset there; past L they keep turning and the offset drifts.
""")
        lesson.chart(
            scores.figure,
            alt=f"Line chart of the score of a random query and key against distance up to "
            f"{scores.axis_end:,}. A grey band marks the trained range {scores.trained_low:.2f} to "
            f"{scores.trained_high:.2f}; past L some extrapolated scores fall outside it, marked in brown"
            + ("; the PI curve stays inside the band." if show_pi else "."),
            key="ext_scores",
        )
        with st.expander("How this chart is sampled"):
            band = (
                f"estimated from {scores.band_distances:,} sampled distances"
                if scores.band_sampled
                else f"over all {L:,} trained distances"
            )
            sampled = (
                f" Long stretches are drawn from {scores.beyond_distances:,} sampled distances."
                if scores.beyond_sampled
                else ""
            )
            pi = (
                f" PI leaves the band by at most {scores.pi_excess:.2g}, at fractional distances."
                if show_pi
                else ""
            )
            st.markdown(
                f"The band is {band}. Out to the chart's end, {scores.outside_fraction_all:.1%} of distances "
                f"fall outside it, with scores from {scores.beyond_low:.2f} to {scores.beyond_high:.2f}."
                f"{sampled}{pi}"
            )

    lesson.rerun_alone(drifting_scores)

angles = lesson.cached(view.angle_chart)(setting)
with lesson.section(
    "Why: the slow pairs meet angles never seen",
    f"Fast pairs only repeat angles past L; the {angles.unseen} slow pairs reach new ones.",
    chart="ext_angles",
):
    lesson.predict_then_reveal(
        "ext_pairs",
        f"Reading {target:,} tokens with a model trained on {L:,}, which pairs show the model angles it "
        "never saw?",
        ["The fast pairs, which turn the most", "The slow pairs, which never finish a turn", "All pairs"],
        1,
        "A fast pair has been all the way round its circle in training, so any distance shows an angle "
        f"already seen. A slow pair knows only an arc, and past L it leaves it: here {angles.unseen} of "
        f"{angles.pairs} pairs.",
    )
    if angles.unseen:
        unseen_text = (
            f"The **{angles.unseen} slow pairs** (brown, from pair {angles.first_unseen} on) never "
            f"finished a turn in training; at L' the slowest reaches {angles.slowest_target:.3g} rad "
            f"against {angles.slowest_trained:.3g} rad."
        )
    else:
        unseen_text = (
            "With these settings no pair meets a new angle at L' (every pair turned fully, or s = 1)."
        )
    lesson.narrative(f"""
Per pair: the largest angle in training, (L - 1) θ_i, and at L' with no change. Fast pairs (green) only
repeat angles they have shown. {unseen_text} With PI every pair's largest angle falls back onto the
trained one (the dashed line with open markers lies on the grey one).
""")
    lesson.chart(
        angles.figure,
        alt=f"Log-scale chart of the largest angle per pair: in training, at L' with plain RoPE (green if "
        f"already seen, brown if never seen: {angles.unseen} pairs) and with PI, which lies on the "
        "trained line.",
        key="ext_angles",
    )
    lesson.takeaway(
        f"Past L the {angles.unseen} slow pairs meet angles never seen, and a score fitted inside L can "
        f"grow by orders of magnitude. Position Interpolation divides every distance by s = {s:g} so all "
        f"of them fall back inside; the cost: neighbours one token apart now sit 1/{s:g} apart, which "
        "lesson 4 measures."
    )

real_model.section(("none",), key="extrapolation_real_model")
