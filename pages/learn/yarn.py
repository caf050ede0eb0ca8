import streamlit as st

from yarn_core.app import lesson, params, real_model, scrub, sidebar, smollm_section
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

st.title("7. YaRN")

with lesson.section(
    "The problem NTK-by-parts left",
    "A longer text spreads attention over more keys: it grows blurrier.",
):
    lesson.narrative("""
NTK-by-parts gets the frequencies right: fast pairs kept, slow pairs divided by s. But two things still
spread attention out over a long text: there are more tokens to share it, and the interpolated pairs sit
closer together, so keys that used to look different now look alike. **YaRN** (Peng et al., 2023) adds
one ingredient to fix this: a temperature.
""")
    with lesson.stage():
        lesson.predict_then_reveal(
            "yarn_square",
            "YaRN multiplies both cos and sin by the same factor f > 1 before rotating the queries and "
            "the keys. By how much does each attention logit grow?",
            ["× f", "× f²", "Not at all: softmax cancels constant factors"],
            1,
            "The query and the key are both rotated with the scaled cos and sin, so their dot product picks "
            "up the factor twice. Softmax cancels a constant *added* to every logit, not a constant factor: "
            "multiplying the logits sharpens it.",
        )

with lesson.section(
    "YaRN = NTK-by-parts + a temperature",
    "Multiplying cos and sin by 0.1 ln s + 1 sharpens attention back, for free.",
    chart="yarn_entropy",
):
    with lesson.stage():
        lesson.formula(
            r"\operatorname{softmax}\Big(\frac{q_m^\top k_n}{t\sqrt{|D|}}\Big), \qquad "
            r"\sqrt{1/t} = 0.1 \ln s + 1"
        )
        mscale = params.param_widget(MSCALE)
    ent = lesson.cached(view.entropy_chart)(setting, mscale=mscale)
    lesson.narrative(f"""
YaRN multiplies **both cos and sin** by √(1/t) = {ent.factor:.4f}, so every logit grows by its
**square**, {ent.logit_multiplier:.4f} at s = {s:g}. The factor lives in the cached cos/sin tables and
costs nothing at inference. At L' = {target:,} this toy head's entropy drops from
**{ent.without_at_target:.2f}** to **{ent.with_at_target:.2f} nats**; the original model at L = {L:,}
sits at {ent.original_at_L:.2f}.
""")
    lesson.chart(
        ent.figure,
        alt=f"Line chart of attention entropy versus sequence length on a log axis, up to {target:,} "
        f"tokens: {ent.without_at_target:.2f} nats at L' without the temperature, {ent.with_at_target:.2f} "
        f"with it, and {ent.original_at_L:.2f} for the original model at L.",
        key="yarn_entropy",
    )
    with st.expander("The toy head, and where 0.1 comes from"):
        st.markdown("""
The chart measures the entropy of the last token's attention over all earlier tokens (ln l' would be
perfectly even attention over l' tokens). The head is a toy: seeded random queries, keys that resemble
the query, rotated with YaRN's frequencies.

Multiplying every logit by a factor above 1 can only sharpen
a softmax, so the temperature curve is never above the other. The constant 0.1 was not derived: the
authors fitted it to LLaMA's perplexity at several scales, so do not expect the toy's curves to meet.
""")

curve = lesson.cached(view.temperature_curve)(setting, mscale=mscale)
deepseek = curve.deepseek_v3
with lesson.section(
    "The temperature real models ship",
    "The factor grows only logarithmically: even s = 128 multiplies the logits by under 2.",
    chart="yarn_temperature_curve",
):
    lesson.narrative(f"""
At s = {s:g} cos and sin are multiplied by **{curve.factor:.4f}**, the logits by
**{curve.logit_multiplier:.4f}**; even at s = {curve.largest_s:g} the logits get only
{curve.logit_at_largest:.3f}. The table lists the `attention_factor` transformers computes from each
model's `config.json`.
""")
    scrub.chart(
        lesson.cached(view.temperature_curve_scrub)(setting, mscale=mscale),
        alt=f"Line chart of 0.1 ln s + 1 and its square for s from 1 to 128, with s = {s:g} marked and "
        f"real models as diamonds: Qwen3 at s = {curve.qwen3.s:g} multiplies logits by "
        f"{curve.qwen3.logit_multiplier:.4f}.",
        key="yarn_temperature_curve",
        control="s",
    )
    lesson.table(
        curve.table,
        column_config={
            "s": st.column_config.NumberColumn("s", format="%g"),
            "attention_factor (cos, sin)": st.column_config.NumberColumn(format="%.4f"),
            "softmax scale multiplier": st.column_config.NumberColumn(format="%.4f"),
            "logit multiplier": st.column_config.NumberColumn(format="%.4f"),
        },
        key="yarn_models",
    )
    with st.expander("DeepSeek-V3 is the odd one out"):
        st.markdown(f"""
Its config sets `mscale` = `mscale_all_dim` = 1, so the cos/sin factor is get_mscale(s, mscale) /
get_mscale(s, mscale_all_dim) = **{deepseek.attention_factor:g}**. Instead its own code multiplies the
softmax scale by get_mscale({deepseek.s:g})² = **{deepseek.softmax_multiplier:.4f}**: the same logit
multiplier YaRN's formula gives for s = {deepseek.s:g}, applied to the whole logit (including the part
of each head that is not rotated).
""")

results = lesson.cached(view.published_results)()
with lesson.section(
    "What YaRN achieves",
    "YaRN s = 32 keeps LLaMA 2's perplexity flat out to 128k tokens after 400 steps.",
    chart="yarn_table2",
):
    pi, ntk = results.rows["Together-32k (PI)"], results.rows["Code Llama (NTK)"]
    y16, y32 = results.rows["YaRN s=16"], results.rows["YaRN s=32"]
    lesson.narrative(f"""
The paper fine-tunes LLaMA 2 7B for only **{results.steps} steps** (about {results.data_share:.1%} of
its pre-training data). At 128k tokens YaRN s = 32 reaches perplexity **{y32[-1]:g}**; the PI model
trained to 32k is above {pi[-1]:,.0f}, and YaRN s = 16 (L' = 64k) is at {y16[2]:g} at 64k, above
{y16[-1]:g} past it. Code Llama (NTK) holds at {ntk[-1]:g} but trained on 10x more tokens.
**Passkey:** {results.passkey}.
""")
    lesson.chart(
        results.figure,
        alt="Line chart of the YaRN paper's Table 2: perplexity by evaluation length from 8k to 128k "
        f"tokens. YaRN s = 32 stays between {min(y32):g} and {max(y32):g}; the PI model rises above "
        f"{pi[-1]:,.0f} at 128k.",
        key="yarn_table2",
    )

with lesson.section(
    "What it costs",
    "One fixed s for every text: short texts pay, and past L' it extrapolates again.",
):
    lesson.narrative(f"""
YaRN's s = {s:g} is **static**: fixed once, for every text. A short chat message gets its slow pairs
divided by {s:g} and its logits sharpened as if it were {target:,} tokens long, and past L' the model
meets distances it never saw again. Qwen3's maintainers report a static factor of 4 hurting short
inputs (their issue tracker). **Next:** dynamic scaling sets s from the text's current length.
""")
    with lesson.stage():
        lesson.takeaway(
            f"YaRN = NTK-by-parts + a temperature: cos and sin × (0.1 ln s + 1), so logits × (0.1 ln s + 1)² "
            f"({curve.logit_multiplier:.4f} at s = {s:g}), which sharpens attention that a long, "
            "interpolated context spreads out; with 400 fine-tuning steps it holds out to 128k tokens."
        )

real_model.section(("ntk_by_parts", "yarn"), key="yarn_real_model")
smollm_section.section(key="yarn_smollm")
