"""The lab page's sections, in page order: each writes its text, draws the controls the page
declares, and shows what ``views/lab.py`` makes of the shipped results or of a live job
(``lab_jobs``). ``pages/lab/lab.py`` calls them in order, under its headers."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import streamlit as st

from . import lab_jobs as jobs
from . import lesson, params
from .views import lab as view

if TYPE_CHECKING:
    from ..lab.results import LabResults
    from .params import Param

RUNS_KEY = "_lab_runs"  # the reader's fine-tune curves: small tuples of numbers, never models
SCRATCH_KEY = "_lab_scratch"  # the reader's last from-scratch run, numbers only
MAX_RUNS = 6


@functools.cache
def shared(builder):
    """A view memoised across sessions without copying (st.cache_resource): its figures are only
    read, never changed, so they need not pay st.cache_data's pickling on every rerun. The shipped
    results (the tiny model's and the language model's) are keyed by their file's digest rather
    than hashed value by value; the wrapper itself is made once per view (making it hashes the
    view's source)."""
    return st.cache_resource(
        max_entries=32,
        show_spinner=False,
        hash_funcs={
            "yarn_core.lab.results.LabResults": lambda results: results.digest,
            "yarn_core.lab.results.LanguageResults": lambda results: results.digest,
        },
    )(builder)


@dataclass(frozen=True)
class Lab:
    """What every section reads: the shipped results and the facts the text quotes."""

    results: LabResults
    facts: view.LabFacts

    @property
    def numbers(self) -> dict:
        """The tables' number format, for every length column."""
        return {column: st.column_config.NumberColumn(format="%.3f") for column in self.facts.columns}


def open_lab() -> Lab:
    """The shipped results and the shipped model's shape: a message for each shipped base model
    that cannot be read, and the page stops when neither can (or the results cannot be read)."""
    try:
        results = jobs.shipped_results()
    except jobs.lab().LabError as err:
        st.error(f"The shipped lab results could not be read. {err}", icon="🧯")
        st.stop()
    model = jobs.shipped_model()
    for message in model.errors:
        st.error(
            f"A shipped checkpoint could not be loaded. {message} The parts of this page that read "
            "the shipped results still work; those that need this model say so.",
            icon="🧯",
        )
    if model.config is None:
        st.stop()
    return Lab(results, view.facts(results, model))


def introduction(lab: Lab) -> None:
    f, c, s = lab.facts, lab.facts.config, lab.facts.settings
    st.info(
        f"""
This page uses **its own tiny model**, not the sidebar settings: head dim **{c.head_dim}**, trained length
**L = {s.train_length}** tokens, {c.n_layer} layers x {c.n_head} heads (width {c.n_embd}), rotary base
{c.rope_base:,.0f}. It was pre-trained from scratch with plain RoPE on two synthetic tasks, once per seed
({f.seeds}), and is evaluated at T = {", ".join(map(str, s.lengths))} tokens.
""",
        icon="🧪",
    )
    lesson.narrative(f"""
- **Passkey retrieval**: a 4-digit key hides at some depth in filler; after the word QUERY the model must
  repeat it. Scored as the share of keys it gets exactly right.
- **Copy**: a random segment of tokens is repeated later; the model must predict the repeat, which needs an
  *induction head* (find the earlier occurrence, copy what came next). Scored as the loss on the copied
  tokens, in nats (lower is better; guessing uniformly costs ln {f.copy_vocab} = {f.uniform_copy_loss:.2f}).

Every measured number here is either read from the shipped results (all seeds) or measured live on the shipped
seed-0 model, and each chart says which.
""")


def two_charts(left_chart: tuple, right_chart: tuple) -> None:
    """Two (figure, alt, key) charts side by side."""
    left, right = lesson.columns(2)
    for column, (fig, alt, key) in ((left, left_chart), (right, right_chart)):
        with column:
            lesson.chart(fig, alt=alt, key=key)


def failure(lab: Lab) -> None:
    f, s = lab.facts, lab.facts.settings
    L = s.train_length
    shown = shared(view.failure)(lab.results)
    above = ", *above* uniform guessing: the model is confidently wrong" if shown.above_uniform else ""
    st.markdown(f"""
Trained on {L} tokens, at {L} tokens the models find the key in **{shown.passkey[0]:.0%}** of sequences and
copied tokens cost **{shown.copy[0]:.2f}** nats. At twice the length, with the same weights and the same
rotation frequencies, the key is found in **{shown.passkey[1]:.0%}**, and at {s.lengths[-1]} tokens in
**{shown.passkey[-1]:.0%}** (means over seeds {f.seeds}). On the copy task the loss past position {L} climbs
to **{shown.copy_past:.1f}** nats at {s.finetune_length} tokens{above}.
""")
    two_charts(
        (
            shown.heatmap,
            "Heatmap of plain-RoPE passkey accuracy by evaluation length and key depth: near 1 at "
            f"{L} tokens, near 0 beyond.",
            "lab_fail_heat",
        ),
        (
            shown.profile,
            "Line chart of the copy loss by position for each evaluation length; low inside the first "
            f"{L} positions, high past them.",
            "lab_fail_profile",
        ),
    )


def scaling_intro(lab: Lab) -> None:
    f, s = lab.facts, lab.facts.settings
    lesson.narrative(f"""
Each method changes only how positions are rotated; the weights stay as trained. By default each length T is
read with the scale s = T / L (so {s.finetune_length} tokens use s = {s.finetune_factor}). Move a control and
the shipped seed-0 model is evaluated live (a few seconds), unless the new setting rotates exactly like one
already shipped. **alpha** and **beta** set YaRN's ramp in *turns inside L*: at L = {s.train_length} no pair
turns more than **{f.max_turns:.1f}** times, so with the paper's ramp a beta above that keeps no pair at all
(see *the trap* below).
""")


@dataclass(frozen=True)
class ScalingControls:
    """The controls of "Scaling without training"."""

    method: Param
    alpha: Param
    beta: Param
    temperature: Param
    ramp: Param
    mode: Param
    precision: Param


@st.fragment
def scaling(lab: Lab, controls: ScalingControls) -> None:
    """One setting: which pairs it keeps, then the shipped seed-0 model read with it (shipped
    numbers when a shipped variant rotates the same, else live)."""
    f, s = lab.facts, lab.facts.settings
    factor = s.finetune_factor
    with st.container(border=True):
        method = params.param_widget(controls.method)
        a, b, c = st.columns(3)
        alpha, beta, mscale = (
            params.param_widget(controls.alpha, a),
            params.param_widget(controls.beta, b),
            params.param_widget(controls.temperature, c),
        )
        a, b, c = st.columns(3)
        ramp, mode, precision = (
            params.param_widget(controls.ramp, a),
            params.param_widget(controls.mode, b),
            params.param_widget(controls.precision, c),
        )
    choice = jobs.ScalingChoice(method, alpha, beta, ramp, mscale, mode)
    label = view.METHODS[method].label
    regimes = shared(view.pair_regimes)(f.config, choice.scaling(factor), factor)
    if regimes.ignored:
        st.caption(f"{label} does not read {' or '.join(regimes.ignored)}.")
    temperature = (
        f" Its temperature multiplies every logit by **{regimes.logit_multiplier:.3f}** at s = {factor}."
        if regimes.temperature
        else ""
    )
    st.markdown(
        f"At s = {factor}, {label} keeps **{regimes.kept}** of the {regimes.pairs} pairs as "
        f"trained, blends **{regimes.blended}** and interpolates **{regimes.interpolated}**.{temperature}"
    )
    lesson.chart(
        regimes.figure,
        alt=f"Chart of gamma per pair, from the fastest pair on the left: {regimes.kept} kept, "
        f"{regimes.blended} blended, {regimes.interpolated} interpolated.",
        key="lab_gamma",
    )

    sweeps = jobs.run_live(
        lambda: tuple(lesson.cached(jobs.setting_sweep)(task, choice, precision) for task in view.TASKS),
        running="Evaluating the shipped model with this setting (one live run at a time across readers)...",
        failed="This setting could not be evaluated",
    )
    if sweeps is None:
        return
    passkey, copy = sweeps
    shown = shared(view.chosen_setting)(lab.results, passkey, copy, method)
    two_charts(
        (
            shown.heatmap,
            "Heatmap of passkey accuracy by evaluation length and key depth for the chosen setting.",
            "lab_live_heat",
        ),
        (
            shown.profile,
            "Line chart of the copy loss by position for each evaluation length for the chosen setting.",
            "lab_live_profile",
        ),
    )
    if shown.shipped_as is not None:
        st.caption(
            f"This setting rotates every evaluated length exactly as the shipped *{shown.shipped_as}* does, "
            f"so these are its shipped numbers (seed-0 model, {passkey.samples} sequences per passkey cell, "
            f"{copy.samples} per copy length; the table below has every seed)."
            + (
                " A dynamic method computes s = T / L itself, so it equals its static method at s = T / L; "
                f"set *Scale* to s = {factor} with the static method to see what choosing s in advance costs."
                if shown.dynamic
                else ""
            )
        )
    else:
        st.caption(
            f"Evaluated live on the shipped seed-0 model in {passkey.seconds + copy.seconds:.1f} s: "
            f"{passkey.samples} sequences per passkey cell (so a cell moves in steps of 1/{passkey.samples}) "
            f"and {copy.samples} per copy length. The shipped results use {s.samples['passkey']} and "
            f"{s.samples['copy']}."
        )
    st.markdown(
        "Seed-0 model, this setting versus plain RoPE: "
        + "; ".join(
            f"at {x.length} tokens the key is found in **{x.accuracy:.0%}** (plain {x.plain_accuracy:.0%}), "
            f"copy loss **{x.loss:.2f}** nats (plain {x.plain_loss:.2f})"
            for x in shown.past_l
        )
        + "."
    )


def every_method(lab: Lab) -> None:
    """Every shipped variant zero-shot, every seed: the spread, the tables, where PI loses."""
    f = lab.facts
    shown = {task: shared(view.zero_shot)(lab.results, task) for task in view.TASKS}
    lesson.narrative(f"""
Zero-shot means no training at the new length: each base model (seeds {f.seeds}) is read with every method at
s = T / L. The lines are the mean over seeds, the bars run from the worst seed to the best. The seeds differ a
lot: small models are fickle, which is why every number here comes with its spread.
""")
    two_charts(
        (
            shown["passkey"].figure,
            "Line chart with error bars: zero-shot passkey accuracy by evaluation length for every method, "
            "mean and range over seeds.",
            "lab_spread_passkey",
        ),
        (
            shown["copy"].figure,
            "Line chart with error bars on a log scale: zero-shot copy loss by evaluation length for every "
            "method, mean and range over seeds.",
            "lab_spread_copy",
        ),
    )
    st.markdown("**Passkey accuracy, zero-shot** (mean over seeds; higher is better)")
    lesson.table(shown["passkey"].rows, key="lab_table_passkey", column_config=lab.numbers)
    st.markdown("**Copy loss, zero-shot** (nats, mean over seeds; lower is better)")
    lesson.table(shown["copy"].rows, key="lab_table_copy", column_config=lab.numbers)
    with st.expander(f"Every seed's numbers ({f.seeds})"):
        for task in view.TASKS:
            st.markdown(f"**{view.TASK_LABELS[task]}**: {view.metric_title(task)}")
            lesson.table(shown[task].seed_rows, key=f"lab_seeds_{task}", column_config=lab.numbers)
    pi_loses = [
        f"on the {task} task at {x.length} (PI {x.pi:.2f}, plain RoPE {x.plain:.2f})"
        for task in view.TASKS
        for x in shown[task].pi_loses_at
    ]
    passkey = shown["passkey"].mean
    st.markdown(
        (
            "**Where PI loses.** Squeezing positions without training is not free: zero-shot, Position "
            f"Interpolation does *worse* than doing nothing {'; '.join(pi_loses)}. "
            if pi_loses
            else "**PI zero-shot.** Position Interpolation never does worse than plain RoPE here, but it "
            f"gains little: passkey accuracy at {f.columns[1]} {passkey['linear'][1]:.0%} against plain "
            f"{passkey['none'][1]:.0%}. "
        )
        + "Its neighbours are s times closer than anything the model learned to tell apart. Best zero-shot "
        "copy loss: "
        + "; ".join(f"{length}: {b.label} ({b.value:.2f} nats)" for length, b in shown["copy"].best.items())
        + "."
    )


def trap(lab: Lab) -> None:
    f = lab.facts
    L = f.settings.train_length
    shown = shared(view.trap)(lab.results, f.config)
    t32, t8 = shown.variants["yarn_paper_beta32"], shown.variants["yarn_paper_beta8"]
    copy, passkey = shown.copy_at, shown.passkey_at
    lesson.narrative(f"""
The fastest pair turns once every 2 pi tokens, whatever the model, so inside L = {L} no pair makes more than
L / (2 pi) = **{shown.max_turns:.1f}** turns. The paper's beta = 32 was chosen for Llama 2 (LLaMA 1 had
L = 2,048), whose L = {shown.llama_length:,} lets the fastest pair turn {shown.llama_turns:.0f} times. Here
the paper's ramp with beta = 32 reaches at most gamma = **{t32.max_gamma:.2f}**: it keeps **{t32.kept}**
pairs and mostly interpolates all of them, so YaRN degenerates into *Position Interpolation plus
temperature*. Scaled to L (beta = {t8.beta:g}) it keeps {t8.kept} and works as meant.
""")
    lesson.chart(
        shown.figure,
        alt="Line chart of gamma per pair: the paper ramp with beta 32 stays at or below "
        f"{t32.max_gamma:.2f} for every pair, close to PI's zero; with beta {t8.beta:g} the fastest pairs "
        "reach 1.",
        key="lab_trap",
    )
    st.markdown(f"""
The shipped results say the same (means over seeds): copy loss at {shown.copy_column} is
**{copy["yarn_paper_beta32"]:.2f}** nats with beta 32, **{copy["linear"]:.2f}** with PI and
**{copy["yarn_paper_beta8"]:.2f}** with beta {t8.beta:g}; passkey accuracy at {shown.passkey_column} is
**{passkey["yarn_paper_beta32"]:.0%}**, **{passkey["linear"]:.0%}** and **{passkey["yarn_paper_beta8"]:.0%}**.
(The reference code's ramp clamps its range to pair 0 instead, and with beta = 32 keeps
{shown.code_beta32_kept} pair.)
""")
    lesson.predict_then_reveal(
        "lab_trap",
        f"At L = {L}, with the paper's ramp and beta = 32, how many of the {f.pairs} pairs does YaRN keep "
        "as trained?",
        [f"all {f.pairs}", "about half", "none"],
        2,
        "A pair is kept only if it turns more than beta times inside L, and none turns more than "
        f"{shown.max_turns:.1f} times.",
    )


@dataclass(frozen=True)
class FineTuneControls:
    """The controls of "Fine-tune now"."""

    variant: Param
    steps: Param
    lr: Param
    seed: Param


def recovery(lab: Lab, task: str, controls: FineTuneControls) -> None:
    f, s = lab.facts, lab.facts.settings
    shown = shared(view.recovery)(lab.results, task)
    lesson.narrative(f"""
Each base model is fine-tuned at {s.finetune_length} tokens (s = {s.finetune_factor}) for
{s.finetune_schedule.steps} steps with each method; the metric is measured every {s.curve_every} steps on
{s.curve_samples} fixed sequences. Each thin line is one seed ({f.seeds}), the thick line their mean.
Recovered means reaching {shown.target:g}
({"accuracy at least" if task == "passkey" else "loss at most"} that).
""")
    st.markdown(
        "Steps to recover, per seed: "
        + "; ".join(
            f"**{r.label}**: "
            + ", ".join(
                f"seed {seed} " + (f"not within {r.last_step}" if n is None else f"at step {n}")
                for seed, n in zip(lab.results.settings.seeds, r.steps_to_target, strict=True)
            )
            for r in shown.variants.values()
        )
        + "."
    )
    fine_tune(lab, task, controls, shown.shipped_seconds)


def _record(run: jobs.FineTuneRun) -> None:
    runs = st.session_state.setdefault(RUNS_KEY, [])
    runs.append(run)
    del runs[:-MAX_RUNS]


def _fine_tuned(run: jobs.FineTuneRun) -> str:
    reached = (
        f"reached the target at step {run.reached}" if run.reached is not None else "did not reach the target"
    )
    return f"Done in {run.seconds:.1f} s: {reached}; final metric {run.values[-1]:.3f}."


@st.fragment
def fine_tune(lab: Lab, task: str, controls: FineTuneControls, shipped_seconds: float) -> None:
    """The reader's own fine-tune of the shipped seed-0 model, drawn over the shipped curves."""
    s = lab.facts.settings
    chart_slot = st.container()
    with st.container(border=True):
        st.markdown(
            f"**Fine-tune now** a private copy of the shipped seed-0 {task} model (a shipped "
            f"{s.finetune_schedule.steps}-step run took about {shipped_seconds:.0f} s on one core; changing "
            "a control stops the run)."
        )
        variant = params.param_widget(controls.variant)
        a, b, c = st.columns(3)
        steps, lr, seed = (
            params.param_widget(controls.steps, a),
            params.param_widget(controls.lr, b),
            params.param_widget(controls.seed, c),
        )
        if st.button("Fine-tune now", key="lab_ft_go", type="primary", icon=":material/play_arrow:"):
            run = jobs.run_live(
                lambda on_progress: jobs.fine_tune(task, variant, steps, lr, seed, on_progress),
                running=f"Fine-tuning with {lab.results.variant(variant).label} at {s.finetune_length} "
                "tokens...",
                failed="The fine-tune stopped",
                progress="fine-tune",
                done=_fine_tuned,
            )
            if run is not None:
                _record(run)
        runs = tuple(r for r in st.session_state.get(RUNS_KEY, []) if r.task == task)
        if runs:
            st.button(
                "Clear my runs", key="lab_ft_clear", on_click=lambda: st.session_state.pop(RUNS_KEY, None)
            )
    with chart_slot:
        lesson.chart(
            shared(view.recovery_figure)(lab.results, task, runs),
            alt=f"Line chart of the {task} metric versus fine-tune step per method: mean of the seeds with a "
            "min-to-max band, the target as a dotted line"
            + (f", and {len(runs)} live run(s) dashed." if runs else "."),
            key="lab_recovery",
        )


def past_the_fine_tune(lab: Lab, task: str, rescale: Param) -> None:
    """After fine-tuning, s kept: every model fails again past its length; raising s (live) helps."""
    s = lab.facts.settings
    factor = s.finetune_factor
    shown = shared(view.finetuned)(lab.results, task)
    tuned, longest, plain = shown.tuned_length, shown.longest, shown.variants["none"]
    st.markdown(
        f"**After fine-tuning at {tuned} tokens** (s kept at {factor} at every length; mean over seeds)"
    )
    lesson.table(shown.rows, key="lab_table_finetuned", column_config=lab.numbers)
    st.markdown(
        (
            f"**Where they all lose.** Past the length they were tuned for, with s still {factor}, every "
            "model does worse again: at "
            if shown.all_worse
            else f"**Past the fine-tuned length** (s still {factor}): at "
        )
        + f"{longest} tokens "
        + ", ".join(f"{v.label} {v.at_longest:.2f}" for v in shown.variants.values())
        + (f" (no seed above {shown.worst_high:.2f})." if task == "passkey" else " nats.")
        + f" Plain RoPE, fine-tuned at {tuned} tokens, has no scale to turn up: {plain.at_tuned:.2f} at "
        f"{tuned}, {plain.at_longest:.2f} at {longest}."
    )
    if not params.param_widget(rescale):
        return
    rescaled = jobs.run_live(
        lambda: lesson.cached(jobs.rescaled_longest)(task),
        running="Evaluating the four fine-tuned models...",
        failed="The fine-tuned checkpoints could not be evaluated",
    )
    if rescaled is not None:
        st.markdown(
            f"At {rescaled.length} tokens, seed-0 models, s = {factor} -> s = {rescaled.scale:g}: "
            + "; ".join(f"**{m.label}** {m.fixed:.2f} -> **{m.rescaled:.2f}**" for m in rescaled.models)
            + ". Methods with a scale can be pushed past their fine-tuning length; how far they get differs "
            "by method."
        )


def from_scratch(lab: Lab, task: str, pretrain_steps: Param, seed: Param) -> None:
    """A new base model at L (plain RoPE), read zero-shot; ``seed`` is the fine-tune's seed control."""
    low, high = lab.facts.base_seconds[task]
    with st.expander(
        f"Train a base model from scratch (about {low:.0f}-{high:.0f} s for the shipped recipe)"
    ):
        steps = params.param_widget(pretrain_steps)
        chosen_seed = st.session_state.get(seed.key, seed.default)
        st.caption(
            f"Trains a new {task} model at L = {lab.facts.settings.train_length} with plain RoPE and seed "
            f"{chosen_seed} (the seed above), then evaluates it zero-shot with plain RoPE and with YaRN."
        )
        if st.button("Train from scratch", key="lab_pt_go", icon=":material/model_training:"):
            run = jobs.run_live(
                lambda on_progress: jobs.from_scratch(task, steps, chosen_seed, on_progress),
                running=f"Pre-training the {task} model...",
                failed="Pre-training stopped",
                progress="pre-training",
                done=lambda run: f"Trained in {run.seconds:.0f} s.",
            )
            if run is not None:
                st.session_state[SCRATCH_KEY] = run
        run = st.session_state.get(SCRATCH_KEY)
        if run is not None:
            shown = shared(view.scratch)(lab.results, run)
            lesson.chart(
                shown.figure,
                alt="Line chart of training loss versus step for your run and the shipped seeds.",
                key="lab_scratch",
            )
            lesson.table(shown.rows, key="lab_table_scratch", column_config=lab.numbers)


def why(lab: Lab, task: Param, layer: Param, head: Param) -> None:
    """One head's attention at L and past it, plain RoPE against YaRN, and its entropy."""
    c, factor = lab.facts.config, lab.facts.settings.finetune_factor
    left, middle, right = st.columns(3)
    attn_task = params.param_widget(task, left)
    chosen_layer = params.param_widget(layer, middle) if c.n_layer > 1 else 0
    chosen_head = params.param_widget(head, right) if c.n_head > 1 else 0
    maps = jobs.run_live(
        lambda: lesson.cached(jobs.attention)(attn_task, chosen_layer, chosen_head),
        running=None,
        failed="The attention maps could not be computed",
    )
    if maps is None:
        return
    lesson.narrative(f"""
One head of the shipped seed-0 {attn_task} model (no fine-tuning) reads one seeded sequence at
{maps.train_length} and at {maps.long_length} tokens, with plain RoPE and with YaRN set for s = {factor}.
Bright cells are where a query looks. A head that learned to look at one place inside L spreads its attention
thinly past L under plain RoPE: queries past position {maps.train_length} meet rotation angles it never saw.
""")
    shown = shared(view.attention)(maps)
    L, long_T = maps.train_length, maps.long_length
    lesson.chart(
        shown.maps,
        alt=f"Four attention maps of layer {chosen_layer} head {chosen_head}: plain RoPE and YaRN at {L} "
        f"and {long_T} tokens.",
        key="lab_attn_maps",
    )
    st.markdown(
        "**Entropy** measures how spread a query's attention is (0 = one key; the dashed line = all visible "
        f"keys alike). With plain RoPE this head averages **{maps.plain_inside:.2f}** nats for queries "
        f"inside L and **{maps.plain_past:.2f}** past it; with YaRN **{maps.yarn_inside:.2f}** and "
        f"**{maps.yarn_past:.2f}**. "
        + (
            "YaRN keeps it focused past L. "
            if shown.sharper
            else "Here YaRN does not sharpen it: try another head. "
        )
        + (
            f"The price is paid inside L: at {L} tokens YaRN set for s = {factor} moves this head from "
            f"{maps.plain_inside_1x:.2f} to {maps.yarn_inside_1x:.2f} nats, which is why dynamic scaling "
            "(s = T / L) leaves short texts alone."
            if shown.costs_inside
            else f"At {L} tokens YaRN set for s = {factor} leaves this head about as focused as plain RoPE "
            f"({maps.yarn_inside_1x:.2f} against {maps.plain_inside_1x:.2f} nats)."
        )
    )
    lesson.chart(
        shown.entropy,
        alt="Line chart of attention entropy per query position for plain RoPE and YaRN at the long length, "
        "plain RoPE at L, and the uniform reference.",
        key="lab_attn_entropy",
    )


def takeaway(lab: Lab) -> None:
    s = lab.facts.settings
    t = shared(view.takeaway)(lab.results)
    lesson.takeaway(
        f"Trained at L = {s.train_length}, the model fails past it because its attention meets rotations it "
        f"never saw: at {t.column} tokens plain RoPE finds {t.plain:.0%} of the keys. Rescaling the "
        f"rotations without training gets part of the way ({t.best.label}: {t.best.value:.0%}); a "
        f"{s.finetune_schedule.steps}-step fine-tune at that length most of the rest (YaRN: "
        f"{t.tuned_yarn:.0%}). Past the length it was tuned for every model fails again unless its scale is "
        "raised, and YaRN's beta must suit the model's L."
    )


# ----------------------------------------------------------------------------------------------
# The lead demo: a character-level Shakespeare model (shakespeare.json, and live on seed 0)

LM_METHOD = params.Param(
    "lab_lm_method",
    "Method",
    "yarn",
    kind="choice",
    options=("none", "linear", "ntk", "ntk_by_parts", "yarn", "dynamic_ntk", "dynamic_yarn"),
    labels={key: view.METHODS[key].label for key in view.LANGUAGE_ZERO_SHOT},
)
LM_SCALE = params.Param(
    "lab_lm_scale",
    "Scale s",
    4.0,
    kind="choice",
    options=(1.0, 2.0, 4.0, 8.0),
    help="Static methods use s as given; dynamic YaRN computes s = T / L itself; dynamic NTK runs at "
    "1 + s (T / L - 1).",
)
LM_LENGTH = params.Param(
    "lab_lm_length", "Passage length T", 512, kind="choice", options=(128, 256, 512, 1024)
)
LM_ALPHA = params.Param("lab_lm_alpha", "alpha (turns inside L)", 1.0, minimum=0.25, maximum=4.0, step=0.25)
LM_BETA = params.Param(
    "lab_lm_beta",
    "beta (turns inside L)",
    8.0,
    minimum=2.0,
    maximum=32.0,
    step=1.0,
    help="No pair turns more than L / (2 pi) = 20.4 times inside L = 128: beta 32 keeps none.",
)
LM_MSCALE = params.Param(
    "lab_lm_m", "Temperature strength m", 1.0, minimum=0.0, maximum=3.0, step=0.25, help="YaRN only."
)
LM_TUNED = params.Param("lab_lm_tuned", "Use the model fine-tuned with this method at 4L", False, kind="bool")
LM_SEED = params.Param("lab_lm_seed", "Sampling seed", 0, kind="int", minimum=0, maximum=99, step=1)
LM_TUNE_METHOD = params.Param(
    "lab_lm_tune_method",
    "Method to fine-tune with",
    "yarn",
    kind="choice",
    options=jobs.LANGUAGE_TUNE_METHODS,
    labels={key: view.METHODS[key].label for key in jobs.LANGUAGE_TUNE_METHODS},
)
LM_TUNE_STEPS = params.Param(
    "lab_lm_tune_steps",
    "Fine-tune steps",
    30,
    kind="int",
    minimum=5,
    maximum=60,
    step=5,
    help="30 steps take about 20-30 s on an idle core; The Tempest is scored every 5 steps.",
)
LM_TUNES_KEY = "_lab_lm_tunes"  # the reader's live language fine-tunes, latest per method: numbers only


def open_language():
    """The shipped Shakespeare results, or None after a message saying why they are missing."""
    try:
        return jobs.language_results()
    except jobs.lab().LabError as err:
        st.error(f"The language model's shipped results could not be read. {err}", icon="🧯")
        return None


def language_intro(results) -> None:
    s = results.settings
    corpus, model = s["corpus"], s["model"]
    plays = ", ".join(name.replace("-", " ").title() for name in s["held_out_plays"])
    st.info(
        f"""
**A tiny language model.** {model["n_layer"]} layers x {model["n_head"]} heads (head dim
{model["n_embd"] // model["n_head"]}), {s["parameters"]:,} parameters, one character per token, RoPE from
this app's own registry. Trained with plain RoPE on {corpus["train_chars"]:,} characters of {
            corpus["plays"] - len(s["held_out_plays"])
        } Shakespeare plays in windows of **L = {s["train_length"]}** characters, once per
seed ({", ".join(map(str, s["seeds"]))}). Every score is bits per character on plays it never saw
({plays}): lower is better, {np.log2(63):.2f} is uniform guessing over its 63 characters.
""",
        icon="🎭",
    )


def language_break(results) -> None:
    n = shared(view.language_numbers)(results)
    L = results.train_length
    st.markdown(f"""
Inside its window the model pays **{n.in_window:.2f}** bits per character (seeds {n.in_window_range[0]:.3f}
to {n.in_window_range[1]:.3f}). Read a longer passage with the same rotations and the loss jumps the moment
the position passes L = {L}: **{n.zero["none"][0]:.2f}** bits/char over {2 * L} characters,
**{n.zero["none"][1]:.2f}** over {4 * L}, **{n.zero["none"][2]:.2f}** over {8 * L}.
""")
    fig = shared(view.language_position_figure)(
        results, ("none",), title=f"Plain RoPE past L = {L}, every seed"
    )
    lesson.chart(
        fig,
        alt="Line chart: plain RoPE's bits per character is flat up to position 128, then climbs.",
        key="lab_lm_break",
    )


def beside_paper(ours: tuple, paper: tuple) -> None:
    """The toy model's chart and a paper's, each (figure, alt text, key), side by side (3:2; stacked
    when presenting)."""
    for column, (figure, alt, key) in zip(lesson.columns([3, 2]), (ours, paper), strict=True):
        with column:
            lesson.chart(figure, alt=alt, key=key)


def language_zero_shot(results) -> None:
    n = shared(view.language_numbers)(results)
    L = results.train_length
    z = n.zero
    st.markdown(f"""
Same weights, no training, only the rotations changed (s = T / L at each length). At {4 * L} characters:
plain RoPE **{z["none"][1]:.2f}**, PI **{z["linear"][1]:.2f}**, NTK-aware **{z["ntk"][1]:.2f}**, YaRN
**{z["yarn"][1]:.2f}** bits/char (in the window: {n.in_window:.2f}). PI squeezes every position into the
trained range, so nearby characters, which a character model needs most, become {4}x harder to tell apart;
YaRN keeps the fast pairs as trained and interpolates only the slow ones.
""")
    beside_paper(
        (
            shared(view.language_length_figure)(
                results, view.LANGUAGE_ZERO_SHOT, title="Zero-shot bits/char, s = T / L"
            ),
            "Line chart of bits per character against evaluation length for every method, zero-shot.",
            "lab_lm_zero",
        ),
        (
            shared(view.published_yarn_figure)(),
            "The YaRN paper's Table 1: perplexity of Llama 2 7B extended to 8k against length.",
            "lab_lm_paper_yarn",
        ),
    )
    st.caption(
        "Toy against paper: the paper's models were fine-tuned at s = 2 and score perplexity on Proof-pile "
        "(LLaMA 2 has L = 4,096); here the numbers are zero-shot bits/char of a 0.6M-parameter model at L = "
        f"{L}. What carries over is the order (plain RoPE breaks, PI hurts short-range detail, YaRN and NTK "
        "hold best); the sizes of the gaps do not."
    )


def language_recovery(results) -> None:
    n = shared(view.language_numbers)(results)
    L, factor = results.train_length, results.settings["finetune_factor"]
    steps = n.steps_run
    lines = "\n".join(
        f"- **{results.finetune[key].tuned.label}**: {n.tuned[key]:.2f} bits/char at {factor * L} after "
        f"{steps} steps; steps to within 5% of the in-window score, "
        f"{view.per_seed(n.steps_to_within[key], n.seeds, steps)}."
        for key in results.finetune
    )
    st.markdown(f"""
Each method fine-tunes the base model for {steps} steps on {factor * L}-character windows of the training
plays (s = {factor}), every seed:

{lines}
""")
    slowest = max(n.steps_to_within, key=lambda k: view.mean_steps(n.steps_to_within[k], steps))
    if slowest == "linear":
        st.markdown(f"""
**Where a method loses, and why.** PI loses twice: zero-shot it is worse than doing nothing
({n.zero["linear"][1]:.2f} against plain RoPE's {n.zero["none"][1]:.2f} at {factor * L}), and it is the
slowest to recover. Dividing every frequency by {factor} puts neighbouring characters, which decide most of
a character model's loss, {factor} times closer in angle than the model ever saw, and the fine-tune has to
re-learn them; YaRN leaves those fast pairs as trained. Plain RoPE fine-tuned directly recovers quickly at
this toy scale, unlike LLaMA in the PI paper (direct fine-tuning reached only 2,560 of 8,192 tokens in
passkey after 10,000 steps).
""")
    beside_paper(
        (
            shared(view.language_recovery_figure)(results),
            "Line chart of bits per character at 512 characters against fine-tune steps, every seed.",
            "lab_lm_recovery",
        ),
        (
            shared(view.published_pi_figure)(),
            "PI paper Table 3: LLaMA 7B perplexity falls from 16.1 to about 7 within 200 steps.",
            "lab_lm_paper_pi",
        ),
    )
    st.caption(
        "Toy against paper: PI's LLaMA 7B recovers most of its perplexity within 200 of 1000 steps "
        f"(batch 64, long documents); this toy fine-tunes {steps} steps of 8 windows. Both show the same "
        "thing: a short fine-tune teaches a model its new positions, far cheaper than pre-training."
    )


def language_samples(results) -> None:
    samples = results.samples
    st.markdown(
        f"Seed-0 models continue the same {len(samples['prompt'])}-character passage of a held-out play "
        f"(beyond L = {results.train_length}) to {len(samples['prompt']) * 2} characters at s = 4, "
        f"sampling at temperature {samples['temperature']} with seed {samples['seed']}."
    )
    with st.expander("The prompt"):
        st.text(samples["prompt"])
    for kind, title in (("zero_shot", "Zero-shot"), ("finetuned", "Fine-tuned at 4L")):
        st.markdown(f"**{title}**")
        columns = lesson.columns(len(samples[kind]))
        for column, (key, text) in zip(columns, samples[kind].items(), strict=True):
            with column:
                st.caption(results.zero_shot[key].label)
                st.text(text)


def language_live(results) -> None:
    """The live controls, the score they give and "Generate now"; nothing else on the page reads
    them, so the page runs this section alone when one moves (``lesson.rerun_alone``)."""
    with st.container(border=True):
        a, b, c = st.columns(3)
        method = params.param_widget(LM_METHOD, a)
        factor = params.param_widget(LM_SCALE, b)
        length = params.param_widget(LM_LENGTH, c)
        a, b, c = st.columns(3)
        alpha, beta, mscale = (
            params.param_widget(LM_ALPHA, a),
            params.param_widget(LM_BETA, b),
            params.param_widget(LM_MSCALE, c),
        )
        tuned = params.param_widget(LM_TUNED)
    variant = method if tuned and method in results.finetune else "base"
    score = jobs.run_live(
        lambda: lesson.cached(jobs.language_evaluate)(method, factor, alpha, beta, mscale, length, variant),
        running="Reading held-out passages with this setting...",
        failed="This setting could not be evaluated",
    )
    if score is not None:
        which = f"fine-tuned with {view.METHODS[method].label}" if variant != "base" else "base"
        st.metric(f"bits/char at T = {length}", f"{score.bits:.3f}")
        st.caption(
            f"Seed-0 {which} model, the first {score.windows} of the 64 shipped held-out windows, "
            f"{score.seconds:.2f} s; in the window the shipped seeds score "
            f"{float(results.in_window.mean()):.3f}."
        )
    seed = params.param_widget(LM_SEED)
    if st.button("Generate now", key="lab_lm_generate"):
        text = jobs.run_live(
            lambda: jobs.language_generate(method, factor, tuned, seed, 0.8),
            running="Writing 160 characters, one forward pass each...",
            failed="Could not generate",
        )
        if text is not None:
            st.text(results.samples["prompt"][-200:] + "▌" + text)
            st.caption("The ▌ marks where the prompt ends and the model's text begins.")


def _language_tuned(run) -> str:
    when = (
        f"Read from an earlier identical run ({run.seconds:.1f} s)"
        if run.reused
        else f"Done in {run.seconds:.1f} s"
    )
    return (
        f"{when}: {run.values[0]:.2f} -> {run.values[-1]:.2f} bits/char on {view.play_title(run.score_play)}."
    )


def language_tune(results) -> None:
    """The reader's own fine-tune of the seed-0 base model at 4L (tuned on one held-out play, scored
    on another), every method they ran drawn on one chart. A fragment (the button reruns only this
    section), except in presenter mode: there the controls stay on stage under the chart, and a
    fragment may not draw into the stage, which lives outside it."""
    if lesson.presenting():
        _language_tune(results)
    else:
        _language_tune_fragment(results)


def _language_tune(results) -> None:
    factor, L = results.settings["finetune_factor"], results.train_length
    tolerance = float(results.settings["recovery_tolerance"])
    training_plays = results.settings["corpus"]["plays"] - len(results.settings["held_out_plays"])
    st.markdown(f"""
The shipped fine-tunes read the {training_plays} training plays, which this app does not ship, so your run
uses two of the held-out plays:
**tuned on Macbeth, scored on The Tempest, which it never saw** (neither in pre-training nor here).
It fine-tunes a private copy of the seed-0 base model on {factor * L}-character windows (s = {factor})
under the method you pick; a run takes about 20-30 s on an idle core (longer while the server is busy),
and every method you run stays on the chart.
""")
    with lesson.stage(), st.container(border=True):
        a, b = st.columns(2)
        method = params.param_widget(LM_TUNE_METHOD, a)
        steps = params.param_widget(LM_TUNE_STEPS, b)
        if st.button("Fine-tune now", key="lab_lm_tune_go", type="primary", icon=":material/play_arrow:"):
            run = jobs.run_live(
                lambda on_progress: jobs.language_fine_tune(method, steps, on_progress),
                running=f"Fine-tuning with {view.METHODS[method].label} at {factor * L} characters of "
                "Macbeth...",
                failed="The fine-tune stopped",
                progress="fine-tune",
                done=_language_tuned,
            )
            if run is not None:
                st.session_state.setdefault(LM_TUNES_KEY, {})[run.method] = run
        tunes = st.session_state.get(LM_TUNES_KEY, {})
        if tunes:
            st.button(
                "Clear my runs", key="lab_lm_tune_clear", on_click=lambda: st.session_state.pop(LM_TUNES_KEY)
            )
    tunes = st.session_state.get(LM_TUNES_KEY, {})
    if not tunes:
        return
    shown = view.language_tune(tuple(tunes.values()), tolerance)
    lesson.chart(
        shown.figure,
        alt="Line chart of bits per character on The Tempest at 512 characters against fine-tune steps, "
        f"one line per method you ran ({', '.join(r.label for r in shown.runs)}).",
        key="lab_lm_tune",
    )
    run = next(iter(tunes.values()))  # every run has the same recipe and score set
    st.caption(
        f"Seed 0, batches of {run.batch_size} windows of Macbeth; each point is the mean bits/char over "
        f"the same {run.windows} evenly spaced {run.length}-character windows of The Tempest. The dotted "
        f"line is the base model on the same characters read {L} at a time (inside its window). The shipped "
        "curves above were tuned on the training plays and scored on all three held-out plays, so their step "
        "0 is not this chart's step 0: compare the shapes, not the numbers."
    )
    st.markdown(
        "\n".join(
            f"- **{r.label}**: {r.start:.2f} -> {r.final:.2f} bits/char in {r.steps} steps; "
            + (
                f"within {tolerance:.0%} of the in-window {shown.in_window:.2f} at step {r.within_at}."
                if r.within_at is not None
                else f"not within {tolerance:.0%} of the in-window {shown.in_window:.2f}."
            )
            for r in shown.runs
        )
    )
    if shown.slowest is not None and shown.fastest is not None:
        with lesson.stage():
            lesson.takeaway(
                f"Of your runs at {shown.slowest.steps} steps, {shown.fastest.label} ends lowest "
                f"({shown.fastest.final:.2f} bits/char) and {shown.slowest.label} highest "
                f"({shown.slowest.final:.2f}), on a play none of them was tuned on. {shown.first_within}"
            )
    else:
        st.caption("Run another method with the same steps to compare them.")


_language_tune_fragment = st.fragment(_language_tune)


def language_details(results) -> None:
    L = results.train_length
    lesson.chart(
        shared(view.language_position_figure)(
            results, view.LANGUAGE_ZERO_SHOT, title="Every method zero-shot, s = 8"
        ),
        alt="Line chart of bits per character by position to 1024 for every method, zero-shot.",
        key="lab_lm_positions",
    )
    st.caption(
        f"Static methods read the whole {8 * L}-character window at s = 8; dynamic ones are scored as "
        f"text is generated: s grows with the length read so far (prefixes growing by {L})."
    )
    lesson.chart(
        shared(view.language_length_figure)(
            results,
            tuple(results.finetune),
            title="Fine-tuned at 4L, s kept at 4",
            tuned=True,
        ),
        alt="Line chart of bits per character against evaluation length for the four fine-tuned models.",
        key="lab_lm_tuned_lengths",
    )


def language_demo(lm) -> None:
    """The lead demo in presenter-mode steps: breaks past L, YaRN holds, a fine-tune recovers,
    then the samples, the live controls and the details."""
    L = lm.train_length
    with lesson.section(
        f"1. A Shakespeare model breaks past its window (L = {L})",
        "Flat inside the trained window, then the loss climbs as soon as the position passes L.",
        chart="lab_lm_break",
        level=2,
    ):
        language_intro(lm)
        language_break(lm)
    with lesson.section(
        "2. YaRN holds it without any training",
        "Same weights, only the rotations change: PI blurs nearby characters, YaRN keeps them sharp.",
        chart="lab_lm_zero",
        level=2,
    ):
        language_zero_shot(lm)
    with lesson.section(
        "3. A short fine-tune recovers",
        "A hundred steps at 4L bring every method back near its in-window loss; every seed is drawn.",
        chart="lab_lm_recovery",
        level=2,
    ):
        language_recovery(lm)
    with lesson.section("See it: the text falls apart, and holds", "Continuations past L, side by side."):
        language_samples(lm)
    with lesson.section("Try it live: evaluate and generate", "Your method and scale, on held-out text."):
        lesson.rerun_alone(lambda: language_live(lm))
    with lesson.section(
        "Fine-tune it yourself: tuned on Macbeth, scored on The Tempest",
        "About 30 s on an idle core: watch your method recover at 4L on a play it never saw.",
    ):
        language_tune(lm)
    with lesson.section("Details: loss by position for every method", "Every method, every position to 8L."):
        language_details(lm)
