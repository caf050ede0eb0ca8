"""The interaction benchmark's reference page: one slider and one 500-point Plotly line that depends
on it, y = sin(2 pi f x) on x in [0, 1], nothing else. The benchmark serves it with its own
``streamlit run tests/perf/bare_app.py`` (same Streamlit, same config, same wide layout as the app) and
reports every page's keypress-to-repaint time as a ratio to this page's, measured in the same run.

The figure is built through st.cache_data, like the app's views, so that a value seen before is a
cache hit here too."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

POINTS = 500
SLIDER_LABEL = "Frequency f"


@st.cache_data(max_entries=64, show_spinner=False)
def sine_line(frequency: int) -> go.Figure:
    """The 500-point line y = sin(2 pi f x)."""
    x = np.linspace(0.0, 1.0, POINTS)
    return go.Figure(go.Scatter(x=x, y=np.sin(2 * np.pi * frequency * x), mode="lines"))


st.set_page_config(page_title="Bare reference", layout="wide")
frequency = st.slider(SLIDER_LABEL, min_value=1, max_value=200, value=10, step=1, key="bare_frequency")
st.plotly_chart(sine_line(frequency), key="bare_line")
