"""A small page for the scrub tests (tests/browser/test_scrub.py): one URL-bound slider "Frequency f"
and a scrubbable chart of y = sin(2 pi f x / 10) over the grid f = 1..20, drawn with scrub.chart and
following that slider. Also shows how many script runs the session has seen."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from yarn_core.app import scrub

GRID = tuple(float(f) for f in range(1, 21))
X = np.linspace(0.0, 1.0, 400)


@st.cache_data(show_spinner=False)
def sine(frequency: float) -> go.Figure:
    """The line y = sin(2 pi f x / 10), with a fixed reference line y = 0 that never changes."""
    fig = go.Figure()
    fig.add_scatter(x=X, y=np.sin(2 * np.pi * frequency * X / 10), mode="lines", name="sine")
    fig.add_scatter(x=X, y=np.zeros_like(X), mode="lines", name="zero")
    fig.update_layout(title="A sine to scrub", height=360)
    return fig


st.session_state["runs"] = st.session_state.get("runs", 0) + 1
frequency = st.slider("Frequency f", 1.0, 20.0, 4.0, 1.0, key="f", bind="query-params")
figure = scrub.with_frames([(f, sine(f)) for f in GRID], frequency, prefix="f = ")
scrub.chart(figure, alt="A sine whose frequency scrubs.", key="scrub_sine", control="f")
st.markdown(f"Script runs: **{st.session_state['runs']}**, f = **{frequency:g}**")
