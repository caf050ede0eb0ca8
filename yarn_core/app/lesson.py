"""Lesson furniture: presenter mode, narrative, takeaway, predict-then-reveal, a chart with its CSV
download, the reset button, and a cache for view functions."""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from . import params
from .figures import figure_csv

PRESENT_KEY = "present"

PRESENTER_CSS = """
<style>
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer label {
  font-size: 1.35rem !important;
}
.stMainBlockContainer h1 { font-size: 3rem !important; }
.stMainBlockContainer h2, .stMainBlockContainer h3 { font-size: 2.1rem !important; }
</style>
"""


def presenter_toggle() -> bool:
    """The presenter-mode toggle (URL-bound as ``present``); applies its CSS when on."""
    on = params.param_widget(
        params.Param(
            PRESENT_KEY,
            "Presenter mode",
            False,
            kind="bool",
            help="Larger type and the narrative folded away, for projecting in class.",
        ),
        st.sidebar,
    )
    if on:
        st.html(PRESENTER_CSS)
    return bool(on)


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def reset_button() -> None:
    st.sidebar.button(
        "Reset this page to defaults",
        on_click=params.reset_params,
        kwargs={"keep": frozenset({PRESENT_KEY})},
        icon=":material/restart_alt:",
        key="reset_defaults",
    )


def narrative(markdown: str) -> None:
    """The lesson's story: shown in full, or folded away in presenter mode."""
    if presenting():
        with st.expander("The story (folded for presenting)"):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def takeaway(markdown: str) -> None:
    st.success(f"**Takeaway.** {markdown}", icon="💡")


def predict_then_reveal(key: str, question: str, options: list[str], answer: int, explanation: str) -> None:
    """Ask first; reveal whether the prediction was right and why once one is chosen."""
    with st.container(border=True):
        st.markdown(f"**Predict, then reveal.** {question}")
        choice = st.radio(
            "Your prediction", options, index=None, key=f"predict_{key}", label_visibility="collapsed"
        )
        if choice is None:
            st.caption("Pick an answer to reveal the explanation.")
            return
        if options.index(choice) == answer:
            st.markdown(f":green[**Right.**] {explanation}")
        else:
            st.markdown(f":orange[**Not quite:** the answer is *{options[answer]}*.] {explanation}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "chart"


def chart(fig: go.Figure, alt: str, key: str) -> None:
    """A Plotly chart with the modebar (PNG/SVG export), alt text, and a CSV of its data."""
    st.plotly_chart(
        fig,
        key=key,
        alt=alt,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": _slug(key), "scale": 2},
            "modeBarButtonsToAdd": ["toImage"],
        },
    )
    # The CSV is built only when the button is clicked, not on every rerun.
    st.download_button(
        "Download this chart's data (CSV)",
        lambda: figure_csv(fig),
        file_name=f"{_slug(key)}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


_CACHED: dict[Callable, Callable] = {}


def cached(fn: Callable) -> Callable:
    """``fn`` memoised with st.cache_data (plain-value arguments, bounded entries)."""
    if fn not in _CACHED:
        _CACHED[fn] = st.cache_data(max_entries=64, show_spinner=False)(fn)
    return _CACHED[fn]
