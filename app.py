"""YaRN Explorer: the frame every page shares. It draws the shared settings once, then runs the
page chosen in the navigation. Run with: streamlit run app.py"""

import streamlit as st

from yarn_core import ui

st.set_page_config(page_title="YaRN Explorer", page_icon="🧶", layout="wide")

PAGES = {
    "": [st.Page("pages/learn/home.py", title="Start here", icon=":material/home:", default=True)],
    "Learn": [
        st.Page("pages/learn/positions.py", title="1. Why positions break", url_path="positions"),
        st.Page("pages/learn/rope.py", title="2. RoPE from scratch", url_path="rope"),
        st.Page("pages/learn/extrapolation.py", title="3. The extrapolation problem", url_path="extrapolation"),
        st.Page("pages/learn/interpolation.py", title="4. Position Interpolation", url_path="interpolation"),
        st.Page("pages/learn/ntk_aware.py", title="5. NTK-aware scaling", url_path="ntk_aware"),
        st.Page("pages/learn/ntk_by_parts.py", title="6. NTK-by-parts", url_path="ntk_by_parts"),
        st.Page("pages/learn/yarn.py", title="7. YaRN's temperature", url_path="yarn"),
        st.Page("pages/learn/dynamic.py", title="8. Dynamic scaling", url_path="dynamic"),
    ],
    "Compare": [st.Page("pages/compare/compare.py", title="PI vs NTK vs YaRN", url_path="compare")],
    "Lab": [st.Page("pages/lab/lab.py", title="Tiny model lab", url_path="lab")],
    "Your model": [st.Page("pages/model/your_model.py", title="Inspect a config.json", url_path="your_model")],
}

page = st.navigation(PAGES)
notes = st.container()
ui.presenter_toggle()
ui.shared_settings_sidebar()
ui.reset_button()
page.run()
with notes:
    ui.show_url_notes()
