"""YaRN Explorer: the frame every page shares. It draws the shared settings once, then runs the
page chosen in the navigation. Run with: streamlit run app.py"""

import streamlit as st

from yarn_core import ui

st.set_page_config(page_title="YaRN Explorer", page_icon="🧶", layout="wide")

page = st.navigation(ui.navigation())
notes = st.container()
ui.presenter_toggle()
ui.shared_settings_sidebar()
ui.reset_button()
page.run()
with notes:
    ui.show_url_notes()
