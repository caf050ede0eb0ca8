import streamlit as st

from yarn_core.app import lesson, params, sidebar
from yarn_core.app.views import positions as view

T5_MAX = params.Param(
    "pos_t5_max",
    "T5 max_distance (tokens)",
    128,
    kind="choice",
    options=tuple(2**k for k in range(5, 13)),
    log=True,
    help="Distances from about here on all share T5's last bucket. T5 uses 128.",
)
ALIBI_HEAD = params.Param(
    "pos_alibi_head",
    "ALiBi head (1 = steepest slope, 8 = gentlest)",
    8,
    kind="int",
    minimum=1,
    maximum=view.ALIBI_HEADS,
    step=1,
    help="ALiBi gives each of 8 heads the slope 2^(-h): head 1 penalises distance most.",
)

setting = sidebar.current()
L, target = setting.original_length, setting.target_tokens

st.title("1. Why positions break past the training length")
absolute = lesson.cached(view.absolute_positions)(setting)
with lesson.section(
    "Absolute positions: a table that runs out",
    f"A learned table has exactly {L:,} rows: position {L:,} has nothing to look up.",
    chart="pos_absolute",
):
    lesson.narrative(f"""
Attention alone is blind to order: a shuffled sentence gets the same scores, so every transformer adds
*position*. A model trained on **L = {L:,}** tokens has seen positions 0 to {L - 1:,} only. We want it to
read **L' = {target:,}**. What happens past the shaded training window?
""")
    lesson.predict_then_reveal(
        "pos_table",
        f"GPT-2 learns one vector per position. Trained on {L:,} tokens, what does it use at position {L:,}?",
        ["Its last row again", "Nothing: there is no such row", "A row extrapolated from the last ones"],
        1,
        f"The table has exactly {L:,} rows, trained like word embeddings; row {L - 1:,} is the last. The "
        "context length is written into the weights.",
    )
    if absolute.slow_turns_inside:
        slow_text = (
            f"Even the slowest pair (wavelength {absolute.slow_wavelength:,.0f} tokens) turns fully inside "
            "L: each coordinate repeats values from training, only their combination is new."
        )
    else:
        slow_text = (
            f"The slowest coordinate (pair {absolute.slow_pair}, wavelength {absolute.slow_wavelength:,.0f} "
            f"tokens) never got above **{absolute.slow_seen_max:.3g}** in training; at position "
            f"{target - 1:,} it reads **{absolute.slow_at_target:.3g}**, a value the model never saw."
        )
    lesson.narrative(f"""
**Absolute positions are baked into the embedding matrix.** GPT-2 and BERT learn a table of
exactly **{absolute.rows:,} rows**; row {absolute.last_row:,} is the last. The original
Transformer's sinusoids replace the table by a formula, so position {target:,} does get a vector,
but the weights only learned to read vectors below {L:,}. {slow_text}
""")
    lesson.chart(
        absolute.figure,
        alt=f"Two panels over token position. Top: the learned table's row m for positions 0 to {L - 1:,}, "
        f"then from {L:,} on a grey band with no row. Bottom: two sinusoidal coordinates continue past the "
        "training window"
        + (
            "."
            if absolute.slow_turns_inside
            else "; the slowest one keeps rising to values it never reached inside it."
        ),
        key="pos_absolute",
    )

with lesson.section(
    "The relative family: T5 and ALiBi",
    "Distances instead of positions: defined past L, but T5 goes blind and ALiBi stops looking far.",
    chart="pos_relative",
):

    def relative_biases() -> None:  # T5's max distance and the ALiBi head change only this section
        with lesson.stage():
            t5_max = params.param_widget(T5_MAX)
            alibi_head = params.param_widget(ALIBI_HEAD)
        biases = lesson.cached(view.relative_biases)(setting, t5_max_distance=t5_max, alibi_head=alibi_head)
        lesson.predict_then_reveal(
            "pos_alibi",
            f"ALiBi's steepest head subtracts {biases.steepest_slope:g} x distance. Compared with an equally "
            "good key right next to the query, how much attention weight does a key 20 tokens back get?",
            ["About half as much", "About 1/20 as much", "Less than 1/10,000 as much"],
            2,
            f"The penalty is {biases.steepest_slope:g} x 20 = {biases.steepest_penalty_at_20:g} on the "
            f"logit, and softmax turns that into e^-{biases.steepest_penalty_at_20:g} = "
            f"{biases.steepest_weight_at_20:.2g}. That head is in effect a window of about ten tokens, "
            "whatever the context length: ALiBi extrapolates by not looking far.",
        )
        far_weight = (
            f"{biases.alibi_weight_at_target:.3g} times"
            if biases.alibi_weight_at_target > 0
            else "effectively none of"
        )
        lesson.narrative(f"""
T5, ALiBi, xPos and RoPE make attention depend on the **distance** Δ = m - n. A distance of 5 means the
same anywhere, but in a text of {target:,} tokens the first and last are {target - 1:,} apart: a distance
never seen in training.

- **T5** learns one bias per *bucket* of distances. From distance **{biases.t5_saturation:,}** on,
  every distance shares the last bucket: defined past L, but blind to how far.
- **ALiBi** subtracts slope x distance from each logit. At distance {target - 1:,} this head subtracts
  **{biases.alibi_penalty_at_target:,.4g}**, so a key that far gets {far_weight} the weight of one next door.
""")
        if biases.t5_untrained_buckets:
            st.caption(
                f"With max_distance above L, {biases.t5_untrained_buckets} of T5's buckets only serve "
                f"distances of {L:,} or more: their biases were never trained at all."
            )
        lesson.chart(
            biases.figure,
            alt=f"Two panels over relative distance. Top: T5's bias is a staircase that goes flat from "
            f"distance {biases.t5_saturation:,}. Bottom: ALiBi's bias is a straight line falling with slope "
            f"{biases.alibi_slope:.4g}, reaching -{biases.alibi_penalty_at_target:,.4g} at distance "
            f"{target - 1:,}.",
            key="pos_relative",
        )

    lesson.rerun_alone(relative_biases)

rotary = lesson.cached(view.rotary_scores)(setting)
with lesson.section(
    "Rotations: RoPE and xPos",
    f"RoPE is defined at every distance, but its {rotary.slow_pairs} slow pairs meet angles never seen "
    "past L.",
    chart="pos_rotary",
):
    slow_text = (
        f"**{rotary.slow_pairs} of its {rotary.pairs} pairs** (from pair {rotary.first_slow_pair} on) "
        "never complete a turn inside L, so past L they reach angles never seen in training"
        if rotary.slow_pairs
        else f"with these settings all {rotary.pairs} pairs complete a turn inside L (raise the base or "
        "lower L to see slow pairs)"
    )
    lesson.narrative(f"""
**RoPE** rotates query and key by angles proportional to their positions, so their product depends on
Δ only. Fast pairs turn many times inside L and repeat angles already seen; but {slow_text}, and the
weights have no rule for them. **xPos** adds a per-pair decay that damps the fast pairs' oscillation
(chart), but hardly touches the slow ones.
""")
    with st.expander("xPos in numbers"):
        st.markdown(
            f"At distance {target - 1:,} the fastest pair is multiplied by {rotary.xpos_fast_decay:.2g}, "
            f"the slowest by {rotary.xpos_slow_decay:.3f}: the slow pairs, exactly the ones that meet new "
            "angles past L, keep their weight. Its authors extrapolate with a windowed (blockwise) "
            "attention on top."
        )
    lesson.chart(
        rotary.figure,
        alt="Line chart over relative distance of q.k for all-ones q and k: RoPE oscillates around a "
        "slowly falling average inside and past the training window; xPos follows the same average with "
        "the fast oscillation damped.",
        key="pos_rotary",
    )
    lesson.takeaway(
        f"A learned table has no row past {L - 1:,}. Every other encoding is defined past L, but none is "
        "*trained* there: sinusoids and RoPE's slow pairs show values the weights never saw, T5 merges far "
        "distances into one bucket, ALiBi ignores what is far. RoPE is the one to fix, starting with how "
        "its pairs turn (lesson 2)."
    )
