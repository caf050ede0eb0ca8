import streamlit as st

from yarn_core.app import lesson, params, scrub, sidebar
from yarn_core.app.views import yarn as view

MSCALE = params.Param(
    "yarn_mscale",
    "mscale m in √(1/t) = 0.1·m·ln s + 1",
    1.0,
    kind="float",
    minimum=0.0,
    maximum=2.0,
    step=0.1,
    help="1 is the paper's value; 0 switches the temperature off. Configs call this `mscale`.",
)

setting = sidebar.current()
L, s, target = setting.original_length, setting.factor, setting.target_tokens

st.title("7. YaRN's temperature")
lesson.narrative("""
**YaRN** (Peng et al., 2023) is NTK-by-parts plus one more ingredient: a **temperature** on attention.

Two things spread attention out over a long text. There are more tokens to share it, and interpolation
moves positions closer together, so keys that used to look different now look alike. YaRN sharpens the
softmax again by dividing the logits by a temperature t:

softmax(q·k / (t·√|D|)),  with  √(1/t) = 0.1·ln(s) + 1

The constant 0.1 was not derived: the authors fitted it to LLaMA's perplexity at several scales. The trick
is in the implementation: YaRN multiplies **both cos and sin** by √(1/t). Queries and keys are both rotated
with them, so every logit grows by the **square**, (0.1·ln s + 1)², and attention itself is left untouched —
the factor lives in the cached cos/sin tables and costs nothing at inference.
""")

mscale = params.param_widget(MSCALE)

ent = lesson.cached(view.entropy_chart)(setting, mscale=mscale)
st.markdown(f"""
**What the temperature does.** The chart measures how spread out one attention head is: the entropy of
the last token's attention over all earlier tokens (ln n would be perfectly even attention over n
tokens). The head is a toy — seeded random queries, keys that resemble the query — rotated with YaRN's
frequencies for s = {s:g}. At L' = {target:,} tokens its entropy is **{ent.without_at_target:.2f} nats**
without the temperature and **{ent.with_at_target:.2f} nats** with it (cos and sin × {ent.factor:.4f},
logits × {ent.logit_multiplier:.4f}); the original model at its trained length L = {L:,} sits at
{ent.original_at_L:.2f} nats. Multiplying every logit by the same factor above 1 can only sharpen a
softmax, so the temperature curve is never above the other. How far it should go was fitted on a real
model, not on this toy: do not expect the curves to meet exactly.
""")
lesson.chart(
    ent.figure,
    alt=f"Line chart of attention entropy versus sequence length on a log axis, up to {target:,} tokens: "
    f"{ent.without_at_target:.2f} nats at L' without the temperature, {ent.with_at_target:.2f} with it, "
    f"and {ent.original_at_L:.2f} for the original model at L.",
    key="yarn_entropy",
)

curve = lesson.cached(view.temperature_curve)(setting, mscale=mscale)
qwen, deepseek = curve.qwen3, curve.deepseek_v3
st.markdown(f"""
**The curve, and what real models ship.** At s = {s:g}, cos and sin are multiplied by
**{curve.factor:.4f}** and the logits by **{curve.logit_multiplier:.4f}**. The factor grows only
logarithmically: even at s = {curve.largest_s:g} the logits are multiplied by just
{curve.logit_at_largest:.3f}. The table lists the `attention_factor` transformers computes from each
model's `config.json` (from its `factor`, `mscale` and `mscale_all_dim`), and what it does to the logits.

**DeepSeek-V3 is the odd one out.** Its config sets `mscale` = `mscale_all_dim` = 1, and the cos/sin
factor is get_mscale(s, mscale) / get_mscale(s, mscale_all_dim) = **{deepseek.attention_factor:g}**.
Instead its own code multiplies the softmax scale by
get_mscale({deepseek.s:g})² = **{deepseek.softmax_multiplier:.4f}** — the same logit multiplier YaRN's
formula gives for s = {deepseek.s:g}, applied to the whole logit (including the part of each head that
is not rotated).
""")
scrub.chart(
    lesson.shared(view.temperature_curve_scrub)(setting, mscale=mscale),
    alt=f"Line chart of 0.1 ln s + 1 and its square for s from 1 to 128, with s = {s:g} marked and real "
    f"models as diamonds: Qwen3 at s = {qwen.s:g} multiplies logits by {qwen.logit_multiplier:.4f}.",
    key="yarn_temperature_curve",
    control="s",
)
st.dataframe(
    curve.table,
    hide_index=True,
    column_config={
        "s": st.column_config.NumberColumn("s", format="%g"),
        "attention_factor (cos, sin)": st.column_config.NumberColumn(format="%.4f"),
        "softmax scale multiplier": st.column_config.NumberColumn(format="%.4f"),
        "logit multiplier": st.column_config.NumberColumn(format="%.4f"),
    },
    key="yarn_models",
)

lesson.takeaway(
    f"YaRN = NTK-by-parts + a temperature: cos and sin × (0.1 ln s + 1), so logits × (0.1 ln s + 1)² "
    f"({curve.logit_multiplier:.4f} at s = {s:g}), which sharpens attention that a long, interpolated "
    "context spreads out."
)
lesson.predict_then_reveal(
    "yarn_square",
    f"At s = {s:g}, YaRN multiplies both cos and sin by {curve.factor:.4f}. "
    "By how much does each attention logit grow?",
    [
        f"× {curve.factor:.4f}",
        f"× {curve.logit_multiplier:.4f}",
        "Not at all: softmax cancels constant factors",
    ],
    1,
    "The query and the key are both rotated with the scaled cos and sin, so their dot product picks up "
    "the factor twice. Softmax cancels a constant *added* to every logit, not a constant factor: "
    "multiplying the logits sharpens it.",
)
