"""A small page for the scrub tests (tests/browser/test_scrub.py): one URL-bound slider "Frequency f"
and a scrubbable chart of y = sin(2 pi f x / 10) over the grid f = 1..20, drawn with scrub.chart and
following that slider. Also shows how many script runs the session has seen."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from yarn_core.app import scrub

GRID = tuple(float(f) for f in range(1, 21))
X = np.linspace(0.0, 1.0, 400)


def sine(frequency: float) -> np.ndarray:
    return np.sin(2 * np.pi * frequency * X / 10)


@st.cache_data(show_spinner=False)
def sine_chart(frequency: float) -> go.Figure:
    """The sine at ``frequency`` next to a reference line y = 0 that never changes, with a frame per
    frequency of GRID."""
    fig = go.Figure()
    fig.add_scatter(x=X, y=sine(frequency), mode="lines", name="sine")
    fig.add_scatter(x=X, y=np.zeros_like(X), mode="lines", name="zero")
    fig.update_layout(title="A sine to scrub", height=360)
    frames = [(f, [{"x": X, "y": sine(f)}]) for f in GRID]
    return scrub.with_frames(fig, frequency, frames, traces=[0], prefix="f = ")


st.session_state["runs"] = st.session_state.get("runs", 0) + 1
frequency = st.slider("Frequency f", 1.0, 20.0, 4.0, 1.0, key="f", bind="query-params")
scrub.chart(sine_chart(frequency), alt="A sine whose frequency scrubs.", key="scrub_sine", control="f")
st.markdown(f"Script runs: **{st.session_state['runs']}**, f = **{frequency:g}**")
