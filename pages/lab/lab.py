import streamlit as st

from yarn_core.app import lesson, params
from yarn_core.app.views import lab as view

RUNS_KEY = "_lab_runs"  # the reader's fine-tune curves: small lists of numbers, never models
SCRATCH_KEY = "_lab_scratch"  # the reader's last from-scratch run, numbers only
MAX_RUNS = 6


def shared(builder):
    """A figure builder memoised across sessions without copying (st.cache_resource): the figures
    are only read, never changed, so they need not pay st.cache_data's pickling on every rerun."""
    return st.cache_resource(max_entries=32, show_spinner=False)(builder)


st.title("Lab: a tiny model breaks past its training length, and recovers")

facts, load_errors = view.lab_facts()
for message in load_errors:
    st.error(
        f"A shipped checkpoint could not be loaded. {message} The parts of this page that read the shipped results "
        "still work; those that need this model say so.",
        icon="🧯",
    )
if "head_dim" not in facts:
    st.stop()

L, factor, lengths = facts["train_length"], facts["finetune_factor"], facts["lengths"]
seeds = ", ".join(map(str, facts["seeds"]))
st.info(
    f"""
This page uses **its own tiny model**, not the sidebar settings: head dim **{facts["head_dim"]}**, trained length
**L = {L}** tokens, {facts["n_layer"]} layers x {facts["n_head"]} heads (width {facts["n_embd"]}), rotary base
{facts["rope_base"]:,.0f}. It was pre-trained from scratch with plain RoPE on two synthetic tasks, once per seed
({seeds}), and is evaluated at T = {", ".join(map(str, lengths))} tokens.
""",
    icon="🧪",
)
lesson.narrative(f"""
- **Passkey retrieval**: a 4-digit key hides at some depth in filler; after the word QUERY the model must repeat it.
  Scored as the share of keys it gets exactly right.
- **Copy**: a random segment of tokens is repeated later; the model must predict the repeat, which needs an
  *induction head* (find the earlier occurrence, copy what came next). Scored as the loss on the copied tokens, in
  nats (lower is better; guessing uniformly costs ln {facts["vocab"]["copy"]} = {facts["uniform_loss"]["copy"]:.2f}).

Every measured number here is either read from the shipped results (all seeds) or measured live on the shipped
seed-0 model, and each chart says which.
""")

# ----------------------------------------------------------------------------------------------
st.header("1. The failure: plain RoPE past L")
failure = shared(view.failure_view)()
above_uniform = failure["copy_past"] > facts["uniform_loss"]["copy"]
st.markdown(f"""
Trained on {L} tokens, at {L} tokens the models find the key in **{failure["passkey"][0]:.0%}** of sequences and
copied tokens cost **{failure["copy"][0]:.2f}** nats. At twice the length, with the same weights and the same rotation
frequencies, the key is found in **{failure["passkey"][1]:.0%}**, and at {lengths[-1]} tokens in
**{failure["passkey"][-1]:.0%}** (means over seeds {seeds}). On the copy task the loss past position {L} climbs to
**{failure["copy_past"]:.1f}** nats at {factor * L} tokens{", *above* uniform guessing: the model is confidently wrong" if above_uniform else ""}.
""")
left, right = st.columns(2)
with left:
    lesson.chart(
        failure["heatmap"],
        alt=f"Heatmap of plain-RoPE passkey accuracy by evaluation length and key depth: near 1 at {L} tokens, near 0 beyond.",
        key="lab_fail_heat",
    )
with right:
    lesson.chart(
        failure["profile"],
        alt=f"Line chart of the copy loss by position for each evaluation length; low inside the first {L} positions, high past them.",
        key="lab_fail_profile",
    )

# ----------------------------------------------------------------------------------------------
st.header("2. Scaling without training")
lesson.narrative(f"""
Each method changes only how positions are rotated; the weights stay as trained. By default each length T is
read with the scale s = T / L (so {factor * L} tokens use s = {factor}). Move a control and the shipped seed-0 model is
evaluated live (a few seconds), unless the new setting rotates exactly like one already shipped. **alpha** and **beta** set YaRN's ramp in *turns inside L*: at L = {L} no pair turns
more than **{facts["max_turns"]:.1f}** times, so with the paper's ramp a beta above that keeps no pair at all (see *the
trap* below).
""")

METHOD = params.Param(
    "lab_method",
    "Method",
    "yarn",
    kind="choice",
    options=view.LIVE_METHODS,
    labels={m: view.METHODS[m].label for m in view.LIVE_METHODS},
)
ALPHA = params.Param(
    "lab_alpha",
    "alpha: pairs turning fewer times inside L are interpolated",
    1.0,
    minimum=0.25,
    maximum=2.0,
    step=0.25,
    help="The paper's alpha (beta_slow in the code). NTK-by-parts and YaRN only.",
)
BETA = params.Param(
    "lab_beta",
    "beta: pairs turning more times inside L are kept",
    8.0,
    minimum=3.0,
    maximum=64.0,
    step=1.0,
    help=f"The paper's beta (beta_fast in the code; LLaMA: 32). No pair turns more than {facts['max_turns']:.1f} times here.",
)
TEMPERATURE = params.Param(
    "lab_temp",
    "Temperature strength m (sqrt(1/t) = 0.1 m ln s + 1)",
    1.0,
    minimum=0.0,
    maximum=3.0,
    step=0.25,
    help="1 is YaRN's; 0 removes the temperature. YaRN and dynamic YaRN only.",
)
RAMP = params.Param(
    "lab_ramp",
    "Ramp",
    "code",
    kind="choice",
    options=("code", "paper"),
    labels={"code": "reference code (linear in the pair index)", "paper": "paper (linear in the turns r)"},
)
MODE = params.Param(
    "lab_scale",
    "Scale",
    "matched",
    kind="choice",
    options=view.SCALE_MODES,
    labels={"matched": "s = T / L at every length", "fixed": f"s = {factor} at every length"},
    help="Static methods must pick s in advance; dynamic methods always compute s = T / L themselves.",
)
PRECISION = params.Param(
    "lab_samples",
    "Live evaluation",
    "quick",
    kind="choice",
    options=tuple(view.PRECISIONS),
    labels=view.PRECISIONS,
    help=f"quick: {facts['page_samples']['passkey']} sequences per passkey cell, "
    f"{facts['page_samples']['copy']} per copy length; full: {facts['samples']['passkey']} and {facts['samples']['copy']}, as shipped.",
)


@st.fragment
def scaling_section() -> None:
    with st.container(border=True):
        method = params.param_widget(METHOD)
        a, b, c = st.columns(3)
        alpha, beta, mscale = (
            params.param_widget(ALPHA, a),
            params.param_widget(BETA, b),
            params.param_widget(TEMPERATURE, c),
        )
        a, b, c = st.columns(3)
        ramp, mode, precision = (
            params.param_widget(RAMP, a),
            params.param_widget(MODE, b),
            params.param_widget(PRECISION, c),
        )
    setting = (method, alpha, beta, ramp, mscale, mode)
    ignored = [
        name
        for name, unused in (
            ("alpha, beta and the ramp", method not in view.RAMP_METHODS),
            ("the temperature", method not in view.TEMPERATURE_METHODS),
        )
        if unused
    ]
    if ignored:
        st.caption(f"{view.METHODS[method].label} does not read {' or '.join(ignored)}.")

    gamma_fig, gamma = shared(view.gamma_figure)(
        facts["head_dim"], facts["rope_base"], L, float(factor), method, alpha, beta, ramp, mscale
    )
    temperature = (
        f" Its temperature multiplies every logit by **{gamma['logit_multiplier']:.3f}** at s = {factor}."
        if gamma["temperature"]
        else ""
    )
    st.markdown(
        f"At s = {factor}, {view.METHODS[method].label} keeps **{gamma['kept']}** of the {gamma['pairs']} pairs as "
        f"trained, blends **{gamma['blended']}** and interpolates **{gamma['interpolated']}**.{temperature}"
    )
    lesson.chart(
        gamma_fig,
        alt=f"Chart of gamma per pair, from the fastest pair on the left: {gamma['kept']} kept, {gamma['blended']} blended, {gamma['interpolated']} interpolated.",
        key="lab_gamma",
    )

    try:
        with st.spinner(
            "Evaluating the shipped model with this setting (one live run at a time across readers)..."
        ):
            passkey = lesson.cached(view.setting_sweep)("passkey", *setting, precision)
            copy = lesson.cached(view.setting_sweep)("copy", *setting, precision)
    except view.lab_error() as err:
        st.error(f"This setting could not be evaluated: {err}")
        return
    name = "shipped" if passkey["source"] == "shipped" else "live"
    heat, profile = shared(view.sweep_figures)(
        passkey["sweep"],
        copy["sweep"],
        L,
        facts["vocab"]["copy"],
        f"{view.METHODS[method].label} ({name}, seed 0)",
    )
    left, right = st.columns(2)
    with left:
        lesson.chart(
            heat,
            alt="Heatmap of passkey accuracy by evaluation length and key depth for the chosen setting.",
            key="lab_live_heat",
        )
    with right:
        lesson.chart(
            profile,
            alt="Line chart of the copy loss by position for each evaluation length for the chosen setting.",
            key="lab_live_profile",
        )

    if passkey["source"] == "shipped":
        row = view.variant_label(passkey["variant"])
        dynamic = view.METHODS[method].dynamic
        st.caption(
            f"This setting rotates every evaluated length exactly as the shipped *{row}* does, so these are its shipped "
            f"numbers (seed-0 model, {passkey['samples']} sequences per passkey cell, {copy['samples']} per copy length; "
            "the table below has every seed)."
            + (
                " A dynamic method computes s = T / L itself, so it equals its static method at s = T / L; set *Scale* "
                f"to s = {factor} with the static method to see what choosing s in advance costs."
                if dynamic
                else ""
            )
        )
    else:
        st.caption(
            f"Evaluated live on the shipped seed-0 model in {passkey['seconds'] + copy['seconds']:.1f} s: "
            f"{passkey['samples']} sequences per passkey cell (so a cell moves in steps of 1/{passkey['samples']}) and "
            f"{copy['samples']} per copy length. The shipped results use {facts['samples']['passkey']} and {facts['samples']['copy']}."
        )
    plain = view.seed_sweep("passkey", "none")["by_length"]
    plain_copy = view.seed_sweep("copy", "none")["nll_by_length"]
    st.markdown(
        "Seed-0 model, this setting versus plain RoPE: "
        + "; ".join(
            f"at {T} tokens the key is found in **{acc:.0%}** (plain {p:.0%}), copy loss **{nll:.2f}** nats (plain {pc:.2f})"
            for T, acc, p, nll, pc in zip(
                lengths[1:],
                passkey["sweep"]["by_length"][1:],
                plain[1:],
                copy["sweep"]["nll_by_length"][1:],
                plain_copy[1:],
            )
        )
        + "."
    )


scaling_section()

st.subheader("Every method, every seed (shipped)")
passkey_facts, copy_facts = (
    lesson.cached(view.zero_shot_facts)("passkey"),
    lesson.cached(view.zero_shot_facts)("copy"),
)
lesson.narrative(f"""
Zero-shot means no training at the new length: each base model (seeds {seeds}) is read with every method at s = T / L.
The lines are the mean over seeds, the bars run from the worst seed to the best. The seeds differ a lot: small
models are fickle, which is why every number here comes with its spread.
""")
left, right = st.columns(2)
with left:
    lesson.chart(
        shared(view.spread_figure)("passkey"),
        alt="Line chart with error bars: zero-shot passkey accuracy by evaluation length for every method, mean and range over seeds.",
        key="lab_spread_passkey",
    )
with right:
    lesson.chart(
        shared(view.spread_figure)("copy"),
        alt="Line chart with error bars on a log scale: zero-shot copy loss by evaluation length for every method, mean and range over seeds.",
        key="lab_spread_copy",
    )
columns = view.length_columns()
number = {column: st.column_config.NumberColumn(format="%.3f") for column in columns}
st.markdown("**Passkey accuracy, zero-shot** (mean over seeds; higher is better)")
st.dataframe(
    lesson.cached(view.zero_shot_rows)("passkey"),
    hide_index=True,
    key="lab_table_passkey",
    column_config=number,
)
st.markdown("**Copy loss, zero-shot** (nats, mean over seeds; lower is better)")
st.dataframe(
    lesson.cached(view.zero_shot_rows)("copy"), hide_index=True, key="lab_table_copy", column_config=number
)
with st.expander(f"Every seed's numbers ({seeds})"):
    for task in view.TASKS:
        st.markdown(f"**{view.TASK_LABELS[task]}**: {view.metric_title(task)}")
        st.dataframe(
            lesson.cached(view.zero_shot_seed_rows)(task),
            hide_index=True,
            key=f"lab_seeds_{task}",
            column_config=number,
        )
pi_loses = [
    f"on the {task} task at {x['length']} (PI {x['pi']:.2f}, plain RoPE {x['plain']:.2f})"
    for task, task_facts in (("passkey", passkey_facts), ("copy", copy_facts))
    for x in task_facts["pi_loses_at"]
]
st.markdown(
    (
        "**Where PI loses.** Squeezing positions without training is not free: zero-shot, Position Interpolation does *worse* "
        f"than doing nothing {'; '.join(pi_loses)}. "
        if pi_loses
        else f"**PI zero-shot.** Position Interpolation never does worse than plain RoPE here, but it gains little: passkey accuracy "
        f"at {columns[1]} {passkey_facts['mean']['linear'][1]:.0%} against plain {passkey_facts['mean']['none'][1]:.0%}. "
    )
    + "Its neighbours are s times closer than anything the model learned to tell apart. Best zero-shot copy loss: "
    + "; ".join(f"{length}: {b['label']} ({b['value']:.2f} nats)" for length, b in copy_facts["best"].items())
    + "."
)

st.subheader("The trap: the paper's beta at a small L")
trap_fig, trap = shared(view.trap_figure)(facts["head_dim"], facts["rope_base"], L)
t32, t8 = trap["variants"]["yarn_paper_beta32"], trap["variants"]["yarn_paper_beta8"]
res = trap["results"]
lesson.narrative(f"""
The fastest pair turns once every 2 pi tokens, whatever the model, so inside L = {L} no pair makes more than
L / (2 pi) = **{trap["max_turns"]:.1f}** turns. The paper's beta = 32 was chosen for LLaMA, whose L = {trap["llama_length"]:,} lets the
fastest pair turn {trap["llama_turns"]:.0f} times. Here the paper's ramp with beta = 32 reaches at most
gamma = **{t32["max_gamma"]:.2f}**: it keeps **{t32["kept"]}** pairs and mostly interpolates all of them, so YaRN degenerates
into *Position Interpolation plus temperature*. Scaled to L (beta = {t8["beta"]:g}) it keeps {t8["kept"]} and works as meant.
""")
lesson.chart(
    trap_fig,
    alt=f"Line chart of gamma per pair: the paper ramp with beta 32 stays at or below {t32['max_gamma']:.2f} for every pair, close to PI's zero; with beta {t8['beta']:g} the fastest pairs reach 1.",
    key="lab_trap",
)
st.markdown(f"""
The shipped results say the same (means over seeds): copy loss at {columns[1]} is **{res["copy"]["yarn_paper_beta32"][1]:.2f}** nats
with beta 32, **{res["copy"]["linear"][1]:.2f}** with PI and **{res["copy"]["yarn_paper_beta8"][1]:.2f}** with beta {t8["beta"]:g};
passkey accuracy at {columns[2]} is **{res["passkey"]["yarn_paper_beta32"][2]:.0%}**, **{res["passkey"]["linear"][2]:.0%}** and
**{res["passkey"]["yarn_paper_beta8"][2]:.0%}**. (The reference code's ramp clamps its range to pair 0 instead, and with beta = 32
keeps {trap["code_beta32_kept"]} pair.)
""")
lesson.predict_then_reveal(
    "lab_trap",
    f"At L = {L}, with the paper's ramp and beta = 32, how many of the {facts['head_dim'] // 2} pairs does YaRN keep as trained?",
    [f"all {facts['head_dim'] // 2}", "about half", "none"],
    2,
    f"A pair is kept only if it turns more than beta times inside L, and none turns more than {trap['max_turns']:.1f} times.",
)

# ----------------------------------------------------------------------------------------------
st.header("3. Recovery: a short fine-tune")
TASK = params.Param(
    "lab_ft_task", "Task", "passkey", kind="choice", options=view.TASKS, labels=view.TASK_LABELS
)
task = params.param_widget(TASK)
recovery = lesson.cached(view.recovery_facts)(task)
target = facts["targets"][task]
lesson.narrative(f"""
Each base model is fine-tuned at {factor * L} tokens (s = {factor}) for {facts["finetune_steps"]} steps with each method; the
metric is measured every {facts["curve_every"]} steps on {facts["curve_samples"]} fixed sequences. The band spans the
seeds ({seeds}), the line is their mean. Recovered means reaching {target:g} ({"accuracy at least" if task == "passkey" else "loss at most"} that).
""")
st.markdown(
    "Steps to recover, per seed: "
    + "; ".join(
        f"**{r['label']}** {', '.join('not within ' + str(r['last_step']) if s is None else str(s) for s in r['steps_to_target'])}"
        for r in recovery.values()
    )
    + "."
)

VARIANT = params.Param(
    "lab_ft_method",
    "Method to fine-tune with",
    "yarn",
    kind="choice",
    options=tuple(view.results()["variants"]),
    labels={v: view.variant_label(v) for v in view.results()["variants"]},
)
STEPS = params.Param(
    "lab_ft_steps",
    "Fine-tune steps",
    facts["finetune_steps"],
    kind="int",
    minimum=10,
    maximum=300,
    step=10,
    help=f"The shipped curves use {facts['finetune_steps']} steps.",
)
LR = params.Param(
    "lab_ft_lr",
    "Peak learning rate",
    facts["finetune_lr"],
    kind="choice",
    options=(1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 0.1, 1.0),
    log=True,
    help=f"The shipped runs use {facts['finetune_lr']:g}. Try 1 to watch a run diverge.",
)
SEED = params.Param(
    "lab_seed",
    "Seed (training data)",
    0,
    kind="int",
    minimum=0,
    maximum=9,
    step=1,
    help="Seed 0 with the shipped steps and learning rate retraces the shipped seed-0 curve.",
)


def record(run: dict) -> None:
    runs = st.session_state.setdefault(RUNS_KEY, [])
    runs.append(run)
    del runs[:-MAX_RUNS]


def progress_text(p, what: str) -> str:
    metric = "" if p.metric is None else f", metric {p.metric:.3f}"
    return f"{what}: step {p.step}/{p.steps}, loss {p.loss:.3f}{metric} ({p.seconds:.0f} s)"


@st.fragment
def recovery_section() -> None:
    chart_slot = st.container()
    with st.container(border=True):
        shipped_seconds = (
            recovery["yarn"]["seconds"] if "yarn" in recovery else next(iter(recovery.values()))["seconds"]
        )
        st.markdown(
            f"**Fine-tune now** a private copy of the shipped seed-0 {task} model (a shipped {facts['finetune_steps']}-step "
            f"run took about {shipped_seconds:.0f} s on one core; changing a control stops the run)."
        )
        variant = params.param_widget(VARIANT)
        a, b, c = st.columns(3)
        steps, lr, seed = (
            params.param_widget(STEPS, a),
            params.param_widget(LR, b),
            params.param_widget(SEED, c),
        )
        if st.button("Fine-tune now", key="lab_ft_go", type="primary", icon=":material/play_arrow:"):
            with st.status(
                f"Fine-tuning with {view.variant_label(variant)} at {factor * L} tokens...", expanded=True
            ) as status:
                bar = st.progress(0.0)
                try:
                    run = view.run_fine_tune(
                        task,
                        variant,
                        steps,
                        lr,
                        seed,
                        on_progress=lambda p: bar.progress(
                            p.step / p.steps, text=progress_text(p, "fine-tune")
                        ),
                    )
                except view.lab_error() as err:
                    status.update(label="The fine-tune stopped", state="error")
                    st.error(str(err))
                else:
                    record(run)
                    reached = (
                        f"reached the target at step {run['reached']}"
                        if run["reached"] is not None
                        else "did not reach the target"
                    )
                    status.update(
                        label=f"Done in {run['seconds']:.1f} s: {reached}; final metric {run['values'][-1]:.3f}.",
                        state="complete",
                        expanded=False,
                    )
        runs = tuple(r for r in st.session_state.get(RUNS_KEY, []) if r["task"] == task)
        if runs:
            st.button(
                "Clear my runs", key="lab_ft_clear", on_click=lambda: st.session_state.pop(RUNS_KEY, None)
            )
    with chart_slot:
        lesson.chart(
            shared(view.recovery_figure)(task, runs),
            alt=f"Line chart of the {task} metric versus fine-tune step per method: mean of the seeds with a min-to-max band, the target as a dotted line"
            + (f", and {len(runs)} live run(s) dashed." if runs else "."),
            key="lab_recovery",
        )


recovery_section()

after = lesson.cached(view.finetune_facts)(task)
tuned, longest = after["tuned_length"], after["longest"]
worst_high = max(v["longest_high"] for v in after["variants"].values())
rows = lesson.cached(view.finetune_rows)(task)
st.markdown(f"**After fine-tuning at {tuned} tokens** (s kept at {factor} at every length; mean over seeds)")
st.dataframe(rows, hide_index=True, key="lab_table_finetuned", column_config=number)
plain_after = after["variants"]["none"]
st.markdown(
    (
        f"**Where they all lose.** Past the length they were tuned for, with s still {factor}, every model does worse again: at "
        if after["all_worse"]
        else f"**Past the fine-tuned length** (s still {factor}): at "
    )
    + f"{longest} tokens "
    + ", ".join(f"{v['label']} {v['at_longest']:.2f}" for v in after["variants"].values())
    + (f" (no seed above {worst_high:.2f})." if task == "passkey" else " nats.")
    + f" Plain RoPE, fine-tuned at {tuned} tokens, has no scale to turn up: {plain_after['at_tuned']:.2f} at {tuned}, "
    f"{plain_after['at_longest']:.2f} at {longest}."
)
RESCALE = params.Param(
    "lab_rescale",
    f"Live: read {longest} tokens with s raised to {longest // L} (seed-0 models)",
    False,
    kind="bool",
    help="The fine-tuned weights stay; only the scale changes. Takes a few seconds.",
)
if params.param_widget(RESCALE):
    try:
        with st.spinner("Evaluating the four fine-tuned models..."):
            rescaled = lesson.cached(view.rescaled_longest)(task)
    except view.lab_error() as err:
        st.error(f"The fine-tuned checkpoints could not be evaluated: {err}")
    else:
        st.markdown(
            f"At {rescaled['length']} tokens, seed-0 models, s = {factor} -> s = {rescaled['scale']:g}: "
            + "; ".join(
                f"**{v['label']}** {v['fixed']:.2f} -> **{v['rescaled']:.2f}**"
                for v in rescaled["variants"].values()
            )
            + ". Methods with a scale can be pushed past their fine-tuning length; how far they get differs by method."
        )

with st.expander(
    f"Train a base model from scratch (about {min(facts['base_seconds'][task]):.0f}-{max(facts['base_seconds'][task]):.0f} s for the shipped recipe)"
):
    PRETRAIN_STEPS = params.Param(
        "lab_pt_steps",
        "Pre-training steps",
        facts["base_steps"]["copy"],
        kind="int",
        minimum=50,
        maximum=3000,
        step=50,
        help="Shipped recipes: " + ", ".join(f"{t} {n}" for t, n in facts["base_steps"].items()) + " steps.",
    )
    pretrain_steps = params.param_widget(PRETRAIN_STEPS)
    st.caption(
        f"Trains a new {task} model at L = {L} with plain RoPE and seed {st.session_state.get(SEED.key, SEED.default)} "
        "(the seed above), then evaluates it zero-shot with plain RoPE and with YaRN."
    )
    if st.button("Train from scratch", key="lab_pt_go", icon=":material/model_training:"):
        with st.status(f"Pre-training the {task} model...", expanded=True) as status:
            bar = st.progress(0.0)
            try:
                scratch = view.run_from_scratch(
                    task,
                    pretrain_steps,
                    st.session_state.get(SEED.key, SEED.default),
                    on_progress=lambda p: bar.progress(
                        p.step / p.steps, text=progress_text(p, "pre-training")
                    ),
                )
            except view.lab_error() as err:
                status.update(label="Pre-training stopped", state="error")
                st.error(str(err))
            else:
                st.session_state[SCRATCH_KEY] = scratch
                status.update(
                    label=f"Trained in {scratch['seconds']:.0f} s.", state="complete", expanded=False
                )
    scratch = st.session_state.get(SCRATCH_KEY)
    if scratch is not None:
        lesson.chart(
            shared(view.scratch_figure)(scratch),
            alt="Line chart of training loss versus step for your run and the shipped seeds.",
            key="lab_scratch",
        )
        st.dataframe(
            view.scratch_rows(scratch), hide_index=True, key="lab_table_scratch", column_config=number
        )

# ----------------------------------------------------------------------------------------------
st.header("4. Why: what attention sees")
ATTN_TASK = params.Param(
    "lab_attn_task", "Model", "copy", kind="choice", options=view.TASKS, labels=view.TASK_LABELS
)
LAYER = params.Param(
    "lab_attn_layer", "Layer", 0, kind="int", minimum=0, maximum=facts["n_layer"] - 1, step=1
)
HEAD = params.Param(
    "lab_attn_head",
    "Head",
    min(1, facts["n_head"] - 1),
    kind="int",
    minimum=0,
    maximum=facts["n_head"] - 1,
    step=1,
)
a, b, c = st.columns(3)
attn_task = params.param_widget(ATTN_TASK, a)
layer = params.param_widget(LAYER, b) if facts["n_layer"] > 1 else 0
head = params.param_widget(HEAD, c) if facts["n_head"] > 1 else 0
try:
    why = lesson.cached(view.attention_numbers)(attn_task, layer, head)
except view.lab_error() as err:
    st.error(f"The attention maps could not be computed: {err}")
else:
    lesson.narrative(f"""
One head of the shipped seed-0 {attn_task} model (no fine-tuning) reads one seeded sequence at {why["L"]} and at
{why["long"]} tokens, with plain RoPE and with YaRN set for s = {factor}. Bright cells are where a query looks. A head
that learned to look at one place inside L spreads its attention thinly past L under plain RoPE: queries past
position {why["L"]} meet rotation angles it never saw.
""")
    maps, entropy = shared(view.attention_figures)(why)
    lesson.chart(
        maps,
        alt=f"Four attention maps of layer {layer} head {head}: plain RoPE and YaRN at {why['L']} and {why['long']} tokens.",
        key="lab_attn_maps",
    )
    sharper = why["yarn_past"] < why["plain_past"]
    st.markdown(
        f"**Entropy** measures how spread a query's attention is (0 = one key; the dashed line = all visible keys alike). "
        f"With plain RoPE this head averages **{why['plain_inside']:.2f}** nats for queries inside L and **{why['plain_past']:.2f}** "
        f"past it; with YaRN **{why['yarn_inside']:.2f}** and **{why['yarn_past']:.2f}**. "
        + (
            "YaRN keeps it focused past L. "
            if sharper
            else "Here YaRN does not sharpen it: try another head. "
        )
        + (
            f"The price is paid inside L: at {why['L']} tokens YaRN set for s = {factor} moves this head from {why['plain_inside_1x']:.2f} "
            f"to {why['yarn_inside_1x']:.2f} nats, which is why dynamic scaling (s = T / L) leaves short texts alone."
            if why["yarn_inside_1x"] > why["plain_inside_1x"]
            else f"At {why['L']} tokens YaRN set for s = {factor} leaves this head about as focused as plain RoPE "
            f"({why['yarn_inside_1x']:.2f} against {why['plain_inside_1x']:.2f} nats)."
        )
    )
    lesson.chart(
        entropy,
        alt="Line chart of attention entropy per query position for plain RoPE and YaRN at the long length, plain RoPE at L, and the uniform reference.",
        key="lab_attn_entropy",
    )

four_x = columns[lengths.index(factor * L)]
best_passkey = passkey_facts["best"][four_x]
tuned_yarn = lesson.cached(view.finetune_facts)("passkey")["variants"]["yarn"]
lesson.takeaway(
    f"Trained at L = {L}, the model fails past it because its attention meets rotations it never saw: at {four_x} tokens "
    f"plain RoPE finds {passkey_facts['mean']['none'][lengths.index(factor * L)]:.0%} of the keys. Rescaling the rotations "
    f"without training gets part of the way ({best_passkey['label']}: {best_passkey['value']:.0%}); a "
    f"{facts['finetune_steps']}-step fine-tune at that length most of the rest (YaRN: {tuned_yarn['at_tuned']:.0%}). Past "
    "the length it was tuned for every model fails again unless its scale is raised, and YaRN's beta must suit the model's L."
)
