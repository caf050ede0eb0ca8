"""Lab: a tiny model breaks past its training length, and recovers. The page has its own tiny model
(not the sidebar's settings): shipped results of every seed, live runs on the seed-0 model. Each
section (``yarn_core.app.lab_sections``) writes its text and draws what ``views/lab.py`` computes."""

import streamlit as st

from yarn_core.app import lab_sections as section
from yarn_core.app import lesson, params, smollm_section
from yarn_core.app.views import lab as view

st.title("Lab: a tiny model breaks past its training length, and recovers")
lab = section.open_lab()
facts, settings = lab.facts, lab.facts.settings
factor, samples, quick = settings.finetune_factor, settings.samples, facts.page_samples
schedule = settings.finetune_schedule

SCALING = section.ScalingControls(
    method=params.Param(
        "lab_method",
        "Method",
        "yarn",
        kind="choice",
        options=tuple(view.LIVE_METHODS),
        labels=view.LIVE_METHODS,
    ),
    alpha=params.Param(
        "lab_alpha",
        "alpha: pairs turning fewer times inside L are interpolated",
        1.0,
        minimum=0.25,
        maximum=2.0,
        step=0.25,
        help="The paper's alpha (beta_slow in the code). NTK-by-parts and YaRN only.",
    ),
    beta=params.Param(
        "lab_beta",
        "beta: pairs turning more times inside L are kept",
        8.0,
        minimum=3.0,
        maximum=64.0,
        step=1.0,
        help="The paper's beta (beta_fast in the code; LLaMA: 32). No pair turns more than "
        f"{facts.max_turns:.1f} times here.",
    ),
    temperature=params.Param(
        "lab_temp",
        "Temperature strength m (sqrt(1/t) = 0.1 m ln s + 1)",
        1.0,
        minimum=0.0,
        maximum=3.0,
        step=0.25,
        help="1 is YaRN's; 0 removes the temperature. YaRN and dynamic YaRN only.",
    ),
    ramp=params.Param(
        "lab_ramp", "Ramp", "code", kind="choice", options=tuple(view.RAMPS), labels=view.RAMPS
    ),
    mode=params.Param(
        "lab_scale",
        "Scale",
        "matched",
        kind="choice",
        options=view.SCALE_MODES,
        labels={"matched": "s = T / L at every length", "fixed": f"s = {factor} at every length"},
        help="Static methods must pick s in advance; dynamic methods always compute s = T / L themselves.",
    ),
    precision=params.Param(
        "lab_samples",
        "Live evaluation",
        "quick",
        kind="choice",
        options=tuple(view.PRECISIONS),
        labels=view.PRECISIONS,
        help=f"quick: {quick['passkey']} sequences per passkey cell, {quick['copy']} per copy length; full: "
        f"{samples['passkey']} and {samples['copy']}, as shipped.",
    ),
)
TASK = params.Param(
    "lab_ft_task", "Task", "passkey", kind="choice", options=view.TASKS, labels=view.TASK_LABELS
)
FINE_TUNE = section.FineTuneControls(
    variant=params.Param(
        "lab_ft_method",
        "Method to fine-tune with",
        "yarn",
        kind="choice",
        options=tuple(lab.results.variants),
        labels={key: variant.label for key, variant in lab.results.variants.items()},
    ),
    steps=params.Param(
        "lab_ft_steps",
        "Fine-tune steps",
        schedule.steps,
        kind="int",
        minimum=10,
        maximum=300,
        step=10,
        help=f"The shipped curves use {schedule.steps} steps.",
    ),
    lr=params.Param(
        "lab_ft_lr",
        "Peak learning rate",
        schedule.lr,
        kind="choice",
        options=(1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 0.1, 1.0),
        log=True,
        help=f"The shipped runs use {schedule.lr:g}. Try 1 to watch a run diverge.",
    ),
    seed=params.Param(
        "lab_seed",
        "Seed (training data)",
        0,
        kind="int",
        minimum=0,
        maximum=9,
        step=1,
        help="Seed 0 with the shipped steps and learning rate retraces the shipped seed-0 curve.",
    ),
)
RESCALE = params.Param(
    "lab_rescale",
    f"Live: read {settings.lengths[-1]} tokens with s raised to {facts.longest_factor} (seed-0 models)",
    False,
    kind="bool",
    help="The fine-tuned weights stay; only the scale changes. Takes a few seconds.",
)
PRETRAIN_STEPS = params.Param(
    "lab_pt_steps",
    "Pre-training steps",
    facts.base_steps["copy"],
    kind="int",
    minimum=50,
    maximum=3000,
    step=50,
    help="Shipped recipes: " + ", ".join(f"{t} {n}" for t, n in facts.base_steps.items()) + " steps.",
)
ATTN_TASK = params.Param(
    "lab_attn_task", "Model", "copy", kind="choice", options=view.TASKS, labels=view.TASK_LABELS
)
LAYER = params.Param("lab_attn_layer", "Layer", 0, kind="int", minimum=0, maximum=facts.last_layer, step=1)
HEAD = params.Param(
    "lab_attn_head", "Head", facts.default_head, kind="int", minimum=0, maximum=facts.last_head, step=1
)

lm = section.open_language()
if lm is not None:
    section.language_demo(lm)
smollm_section.section(key="lab_smollm")

st.header("The same story on two synthetic tasks")
section.introduction(lab)

with lesson.section(
    "4. The failure: plain RoPE past L",
    "Passkey and copy collapse past the trained length.",
    chart="lab_fail_heat",
    level=2,
):
    section.failure(lab)

with lesson.section("5. Scaling without training", "Pick a method and watch the shipped model read longer."):
    section.scaling_intro(lab)
    section.scaling(lab, SCALING)
with lesson.section("Every method, every seed (shipped)", "Zero-shot, every shipped variant and seed."):
    section.every_method(lab)
with lesson.section("The trap: the paper's beta at a small L", "beta = 32 keeps no pair when L is small."):
    section.trap(lab)

with lesson.section("6. Recovery: a short fine-tune", "Fine-tune at 4L and watch the metric come back."):
    task = params.param_widget(TASK)
    section.recovery(lab, task, FINE_TUNE)
    section.past_the_fine_tune(lab, task, RESCALE)
    section.from_scratch(lab, task, PRETRAIN_STEPS, FINE_TUNE.seed)

with lesson.section("7. Why: what attention sees", "Attention maps inside and past the window."):
    section.why(lab, ATTN_TASK, LAYER, HEAD)
    section.takeaway(lab)
