"""The section a lesson ends on: what its method does to a real (tiny) model, the lab's
character-level Shakespeare model, read zero-shot on held-out plays from the shipped results."""

from __future__ import annotations

import streamlit as st

from . import lesson
from .views import lab as lab_view

LAB_PAGE = "pages/lab/lab.py"


def _at(scores: lab_view.RealModelScores, key: str, multiple: int) -> str:
    return f"{scores.means[key][scores.lengths.index(multiple * scores.train_length)]:.2f}"


def summary(scores: lab_view.RealModelScores) -> str:
    """One sentence: each method's bits/char at 2L and 4L against the in-window score."""
    parts = [f"{scores.labels[key]} {_at(scores, key, 2)} and {_at(scores, key, 4)}" for key in scores.means]
    return (
        f"Bits per character at 2L and 4L: {'; '.join(parts)}; inside L = {scores.train_length}: "
        f"{scores.in_window:.2f}."
    )


def section(methods: tuple[str, ...], *, key: str) -> None:
    """A lesson's last section: the shipped held-out bits/char of the lab's model against evaluation
    length under plain RoPE and ``methods`` (keys of the lab's variants), zero-shot, with its numbers."""
    scores = lesson.cached(lab_view.real_model_scores)(methods)
    numbers = summary(scores)
    ramps = sorted(set(scores.ramps.values()))
    ramp_note = "".join(
        f" Its ramps use α = {alpha:g}, β = {beta:g} turns, which suit so short a window (lesson 6)."
        for alpha, beta in ramps
    )
    with lesson.section("What this does to a real model", numbers, chart=key):
        lesson.narrative(f"""
The lab trains a small character-level model on Shakespeare with L = {scores.train_length} characters
({scores.seeds} seeds) and reads three plays it never saw, at up to 8L, with no further training. Lower
is better; the bars span the seeds.{ramp_note} {numbers}
""")
        lesson.chart(
            lesson.cached(lab_view.real_model_figure)(methods),
            alt=f"Line chart of held-out bits per character against evaluation length for "
            f"{', '.join(scores.labels.values())}, zero-shot; the trained window is shaded. "
            f"{numbers}",
            key=key,
        )
        st.page_link(
            LAB_PAGE, label="More in the lab: loss by position, fine-tuning, text", icon=":material/science:"
        )
