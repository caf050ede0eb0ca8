"""YaRN Explorer: the frame every page shares. It draws the shared settings once, then runs the
page chosen in the navigation. Run with: streamlit run app.py"""

import streamlit as st

from yarn_core.app import lesson, nav, params, sidebar

st.set_page_config(page_title="YaRN Explorer", page_icon="🧶", layout="wide")

page = st.navigation(nav.navigation())
notes = st.container()
lesson.presenter_toggle()
sidebar.draw(folded=page.url_path in sidebar.FOLDED_PAGES)
lesson.reset_button()
with st.sidebar:
    lesson.notation()
with lesson.page_frame(page.url_path or "home"):
    page.run()
with notes:
    params.show_url_notes()
