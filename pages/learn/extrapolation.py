import streamlit as st

from yarn_core.app import lesson, params, sidebar
from yarn_core.app.views import extrapolation as view

SEED = params.Param(
    "ext_seed",
    "Random query and key (seed)",
    0,
    kind="int",
    minimum=0,
    maximum=99,
    step=1,
    help="The query and key are seeded standard-normal vectors.",
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
lesson.narrative(f"""
RoPE's attention score depends only on the distance between query and key (lesson 2). A model trained
on **L = {L:,}** tokens has learned what scores look like for distances 0 to {L - 1:,}. Give it
**L' = {target:,}** tokens and the first and last tokens are {target - 1:,} apart. Using those distances as
they come is called **direct extrapolation**. Below, a seeded random query and key and their score at every
distance: inside the shaded window, what the model saw; past it, what extrapolation shows it.
""")

columns = st.columns(2)
seed = params.param_widget(SEED, columns[0])
show_pi = params.param_widget(SHOW_PI, columns[1])
scores = lesson.cached(view.score_curves)(setting, seed=seed, show_pi=show_pi)
survey = lesson.cached(view.escape_survey)(setting)
band = (
    f"estimated from {scores.band_distances:,} sampled distances"
    if scores.band_sampled
    else f"over all {L:,} trained distances"
)
sampled = (
    f" (long stretches are drawn from {scores.beyond_distances:,} sampled distances: the score oscillates "
    "far faster than a screen can show)"
    if scores.beyond_sampled
    else ""
)
pi_text = (
    f" **PI** (blue) divides the distance by s = {s:g}: at L' it is still reading the trained curve, only "
    f"{s:g}x slower, and it stays in the band (it leaves it by at most {scores.pi_excess:.2g}, at fractional "
    "distances between the trained integers)."
    if show_pi
    else ""
)
lesson.narrative(f"""
In training the score stayed between **{scores.trained_low:.2f} and {scores.trained_high:.2f}** (grey band,
{band}). Between L and L', **{scores.outside_fraction:.1%}** of the distances drawn fall outside it (brown
markers), and {scores.outside_fraction_all:.1%} out to the end of the chart{sampled}, with scores from
{scores.beyond_low:.2f} to {scores.beyond_high:.2f}. Over {survey.seeds} random pairs, on average
**{survey.mean_fraction:.1%}** of the distances between L and L' leave their pair's trained range
(at most {survey.max_fraction:.1%}): scores the layers above never had to handle. The slow pairs are why:
inside L they barely turn, so they add an almost constant offset to every score in the window; past L they
keep turning and that offset changes.{pi_text}
""")
lesson.chart(
    scores.figure,
    alt=f"Line chart of the score of a random query and key against distance up to {scores.axis_end:,}. "
    f"A grey band marks the trained range {scores.trained_low:.2f} to {scores.trained_high:.2f}; past L "
    "some extrapolated scores fall outside it, marked in brown"
    + ("; the PI curve stays inside the band." if show_pi else "."),
    key="ext_scores",
)

bound = view.published_bound()
fit = lesson.cached(view.fitted_score)(setting, seed=seed)
lesson.narrative(f"""
**With random vectors the escape is modest. With trained ones it is not.** Training fits queries and keys
to behave on the distances the model saw, and nothing constrains them past those. The PI paper shows this
with a small experiment, repeated here: fit a score function a(Delta) of RoPE's form (a sum of cos and sin
of Delta x theta_i over the {d // 2} pairs) to {fit.fit_points:,} random targets in [-1, 1] at distances
inside L. Inside the window the fit stays within **{fit.fitted_max:.2g}**; extrapolated to L' it reaches
**{fit.extrapolated_max:.3g}**. Interpolated, a(Delta / {s:g}) never leaves the window, and stays within
**{fit.interpolated_max:.2g}**. (The paper, with LLaMA 7B's setting, reports about
{bound.extrapolated_peak:,} where the trained range is [{bound.trained_low}, {bound.trained_high}], and an
interpolation bound about {bound.interpolation_bound_tighter_by}x tighter.)
""")
lesson.chart(
    fit.figure,
    alt=f"Log-scale chart of the magnitude of a fitted score function: at most {fit.fitted_max:.2g} inside "
    f"L, up to {fit.extrapolated_max:.3g} extrapolated to L', at most {fit.interpolated_max:.2g} when "
    "interpolated.",
    key="ext_fitted",
)
st.caption(f"Source of the experiment and the quoted numbers: {bound.source}.")

st.subheader("Why: the slow pairs meet angles never seen")
angles = lesson.cached(view.angle_chart)(setting)
if angles.unseen:
    unseen_text = (
        f"The **{angles.unseen} slow pairs** (brown, from pair {angles.first_unseen} on) never completed a "
        f"turn in training, and at L' they go past the largest angle they reached: the slowest reaches "
        f"{angles.slowest_target:.3g} rad against {angles.slowest_trained:.3g} rad in training."
    )
else:
    unseen_text = (
        "With these settings no pair meets a new angle at L' (every pair turned fully in training, or "
        "s = 1): extrapolation would only repeat angles already seen."
    )
lesson.narrative(f"""
For each of the {angles.pairs} pairs: the largest angle reached in training, (L-1) x theta_i, and the
largest at L' without any change. Fast pairs (green) went round the circle many times in training, so at
L' they only repeat angles they have shown before. {unseen_text} With PI (dashed blue) every pair's
largest angle falls back onto the trained one (within a fraction of one token's turn).
""")
lesson.chart(
    angles.figure,
    alt=f"Log-scale chart of the largest angle per pair: in training, at L' with plain RoPE (green if "
    f"already seen, brown if never seen: {angles.unseen} pairs) and with PI, which lies on the trained "
    "line.",
    key="ext_angles",
)

lesson.takeaway(
    f"Past L, RoPE's fast pairs only repeat themselves, but its {angles.unseen} slow pairs meet angles "
    "never seen, and the attention scores leave the range the model was trained on. Position "
    "Interpolation maps every distance back inside the window; lesson 4 shows its price."
)
lesson.predict_then_reveal(
    "ext_pairs",
    f"Reading {target:,} tokens with a model trained on {L:,}, which pairs show the model angles it "
    "never saw?",
    [
        "The fast pairs, which turn the most",
        "The slow pairs that never completed a turn inside L",
        "All pairs equally",
    ],
    1,
    "A fast pair has been all the way round its circle during training, so any distance shows an angle "
    "already seen. A pair that never completed a turn knows only an arc, and past L it leaves that arc: "
    f"here {angles.unseen} of {angles.pairs} pairs.",
)
