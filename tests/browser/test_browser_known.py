"""Known problems that need a decision outside this suite, kept visible as expected failures."""

import pytest

from tests.support.streamlit_page import ARTIFACTS, Server, new_page, open_app

pytestmark = pytest.mark.browser


@pytest.mark.xfail(
    reason="Streamlit 1.67 runs its pages/-directory (v1) navigation until the first st.navigation call "
    "of the server's life, so the first visitor of a deep link after a restart sees a "
    "'Page not found' dialog over the right page. Fixed by renaming pages/ (e.g. to lessons/).",
    strict=False,
)
def test_the_first_deep_link_after_a_restart_opens_without_a_page_not_found_dialog(browser):
    server = Server(log_path=ARTIFACTS / "browser-fresh-server.log").start()
    try:
        page = new_page(browser)
        open_app(page, server, "interpolation")
        assert page.locator("h1").first.inner_text().startswith("4.")
        assert page.get_by_text("Page not found").count() == 0
        page.context.close()
    finally:
        server.stop()
