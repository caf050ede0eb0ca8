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
lesson.narrative(f"""
Attention on its own is blind to order: it compares every query with every key, and a shuffled
sentence would get the same scores. So every transformer adds *position* somehow. A model trained on
**L = {L:,}** tokens has only ever seen positions 0 to {L - 1:,}, and distances between tokens of at most
{L - 1:,}. This lesson draws each way of encoding positions on one axis and asks what happens past the
shaded training window, out to the **L' = {target:,}** tokens we would like the model to read.
""")

absolute = lesson.cached(view.absolute_positions)(setting)
if absolute.slow_turns_inside:
    slow_text = (
        f"Here even the slowest pair (wavelength {absolute.slow_wavelength:,.0f} tokens) turns fully "
        "inside L, so each coordinate repeats values it had in training; what is new past L is their "
        "combination."
    )
else:
    slow_text = (
        f"The slowest coordinate (pair {absolute.slow_pair}, wavelength {absolute.slow_wavelength:,.0f} "
        f"tokens) never got above **{absolute.slow_seen_max:.3g}** in training; at position "
        f"{target - 1:,} it reads **{absolute.slow_at_target:.3g}**, a value the model never saw."
    )
lesson.narrative(f"""
**Absolute positions are baked into the embedding matrix.** GPT-2 and BERT learn one vector per
position: a table with exactly **{absolute.rows:,} rows**, trained like the word embeddings. The model
*memorises* what each row means. Row {absolute.last_row:,} is the last one; for position {L:,} there is
nothing to look up, so the context length is written into the weights themselves.

The sinusoidal encoding of the original Transformer replaces the table by a formula, so position
{target:,} does get a vector. But the model's weights only learned to read the vectors of positions below
{L:,}. {slow_text}
""")
lesson.chart(
    absolute.figure,
    alt=f"Two panels over token position. Top: learned-table coordinates drawn only for positions 0 to "
    f"{L - 1:,}; from {L:,} on a grey band marks that there is no row. Bottom: two sinusoidal coordinates "
    "continue past the training window"
    + (
        "."
        if absolute.slow_turns_inside
        else "; the slowest one keeps rising to values it never reached inside it."
    ),
    key="pos_absolute",
)

st.subheader("The relative family: distances instead of positions")
t5_max = params.param_widget(T5_MAX)
alibi_head = params.param_widget(ALIBI_HEAD)
biases = lesson.cached(view.relative_biases)(setting, t5_max_distance=t5_max, alibi_head=alibi_head)
far_weight = (
    f"{biases.alibi_weight_at_target:.3g} times"
    if biases.alibi_weight_at_target > 0
    else "effectively none of"
)
untrained = (
    f" With max_distance above L, **{biases.t5_untrained_buckets} buckets** only serve distances of "
    f"{L:,} or more: their biases were never trained at all."
    if biases.t5_untrained_buckets
    else ""
)
lesson.narrative(f"""
T5, ALiBi, xPos and RoPE make attention depend on the **distance** between query and key, not on
where they sit. A distance of 5 means the same at position 10 and at position 10,000, which sounds like
the problem is solved. It is not: in a text of {target:,} tokens the first and the last token are
{target - 1:,} apart, a distance never seen in training.

- **T5** learns one bias per *bucket* of distances: one bucket each for short distances, logarithmically
  wider ones after. From distance **{biases.t5_saturation:,}** on, every distance falls in the last
  bucket and gets the same bias: defined past L, but blind to how far.{untrained}
- **ALiBi** learns nothing: it subtracts slope x distance from each logit. It is defined everywhere, and
  ALiBi models do keep a stable perplexity past L, but by staying *local*. At distance {target - 1:,} this
  head subtracts **{biases.alibi_penalty_at_target:,.4g}**, so a key that far gets {far_weight} the weight
  of an equally good key next door: the far context is there, and ignored.
""")
lesson.chart(
    biases.figure,
    alt=f"Two panels over relative distance. Top: T5's bias is a staircase that goes flat from distance "
    f"{biases.t5_saturation:,}. Bottom: ALiBi's bias is a straight line falling with slope "
    f"{biases.alibi_slope:.4g}, reaching -{biases.alibi_penalty_at_target:,.4g} at distance {target - 1:,}.",
    key="pos_relative",
)

rotary = lesson.cached(view.rotary_scores)(setting)
slow_text = (
    f"**{rotary.slow_pairs} of its {rotary.pairs} pairs** (from pair {rotary.first_slow_pair} on) never "
    f"complete a turn inside L. Past L they reach angles never seen in training"
    if rotary.slow_pairs
    else f"With these settings all {rotary.pairs} pairs complete a turn inside L; raise the base or lower L "
    "to see slow pairs that do not, and meet angles never seen in training"
)
lesson.narrative(f"""
- **RoPE** rotates the query and the key by angles proportional to their positions, so their product
  depends on the distance only, and is defined at every distance. Fast pairs turn many times inside L,
  so at any distance they show an angle already seen. But {slow_text}, and the weights have no rule for
  them. This is RoPE's weak extrapolation, and what the rest of this app is about.
- **xPos** is RoPE with a per-pair decay in distance. Fast pairs fade quickly (at distance {target - 1:,}
  the fastest is multiplied by {rotary.xpos_fast_decay:.2g}), which smooths RoPE's oscillation (chart
  below). The slow pairs hardly fade ({rotary.xpos_slow_decay:.3f} for the slowest), and they are exactly
  the ones that meet new angles past L. Its authors extrapolate with a windowed (blockwise) attention on
  top.
""")
lesson.chart(
    rotary.figure,
    alt="Line chart over relative distance of q.k for all-ones q and k: RoPE oscillates around a slowly "
    "falling average inside and past the training window; xPos follows the same average with the fast "
    "oscillation damped.",
    key="pos_rotary",
)

lesson.takeaway(
    f"A learned table has no row past {L - 1:,}. Every other encoding is defined past L, but none is "
    "*trained* there: sinusoids and the slow pairs of RoPE and xPos show values the weights never saw, T5 "
    "merges every far distance into one bucket, ALiBi stays stable by ignoring what is far. YaRN starts "
    "from RoPE and changes its frequencies so that a longer text shows the model only angles it knows."
)
lesson.predict_then_reveal(
    "pos_alibi",
    f"ALiBi's steepest head subtracts {biases.steepest_slope:g} x distance. Compared with an equally good "
    "key right next to the query, how much attention weight does a key 20 tokens back get from that head?",
    ["About half as much", "About 1/20 as much", "Less than 1/10,000 as much"],
    2,
    f"The penalty is {biases.steepest_slope:g} x 20 = {biases.steepest_penalty_at_20:g} on the logit, and "
    f"softmax turns that into a factor e^-{biases.steepest_penalty_at_20:g} = "
    f"{biases.steepest_weight_at_20:.2g}. That head is in effect a window of about ten tokens, whatever "
    "the context length: ALiBi extrapolates by not looking far.",
)
