import streamlit as st

from yarn_core.app import lesson

st.title("YaRN Explorer")
st.markdown("""
Language models are trained with a fixed context length, and they break when they read longer text.
This app shows, with live charts and a tiny model you can train on your laptop, **why** that happens and
how **Position Interpolation, NTK-aware scaling and YaRN** stretch a RoPE model's context window.
Start with lesson 1 and follow the numbers; the sidebar settings (head dim, base, trained length L, scale s)
drive every lesson, and the URL always holds them, so any view can be shared as a link.
""")
lesson.narrative("""
**Where to go**

- **Learn**: eight short lessons, from absolute positions to YaRN's temperature and dynamic scaling.
- **Compare**: PI, NTK-aware, YaRN and friends side by side on the same axes.
- **Lab**: a tiny RoPE transformer that fails past its training length — and recovers.
- **Your model**: paste a `config.json` and see what its RoPE scaling does.
""")
st.page_link(
    "pages/learn/positions.py", label="Begin: 1. Why positions break", icon=":material/arrow_forward:"
)
