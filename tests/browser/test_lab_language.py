"""The lab's lead demo in a real browser: the three Shakespeare charts are drawn first, the shipped
samples sit side by side, and "Generate now" writes new text on the page."""

from __future__ import annotations

import pytest

from tests.support.streamlit_page import drawn_charts, errors_shown, new_page, open_app, rerun, wait_ready

pytestmark = pytest.mark.browser

DEMO_CHARTS = ("lab_lm_break", "lab_lm_zero", "lab_lm_recovery")
COLD_START_MS = 240_000  # the lab's first run in a fresh server imports torch and evaluates live


@pytest.fixture(scope="module", autouse=True)
def warm_lab(browser, server):
    """Open the lab once with a long wait, so each test below meets a warm server."""
    page = new_page(browser)
    page.goto(server.page_url("lab"))
    page.wait_for_function("() => window.__stSettled > 0", timeout=COLD_START_MS, polling=200)
    wait_ready(page, COLD_START_MS)
    page.context.close()


def test_the_lab_leads_with_the_three_language_charts(page, server):
    open_app(page, server, "lab")
    assert not errors_shown(page)
    tops = []
    for key in DEMO_CHARTS:
        chart = page.locator(f".st-key-{key} .js-plotly-plot")
        assert chart.count() == 1, key
        tops.append(chart.bounding_box()["y"])
    assert tops == sorted(tops), "break, then zero-shot, then recovery"
    first_synthetic = page.locator(".st-key-lab_fail_heat .js-plotly-plot").bounding_box()["y"]
    assert tops[-1] < first_synthetic, "the synthetic tasks come after the demo"
    assert drawn_charts(page) >= 3


def test_generate_now_writes_text_past_the_prompt(page, server):
    open_app(page, server, "lab")
    button = page.locator(".st-key-lab_lm_generate button")
    rerun(page, button.click, timeout=120_000)
    assert not errors_shown(page)
    assert page.get_by_text("marks where the prompt ends").count() == 1


def test_fine_tune_it_yourself_draws_the_run(page, server):
    open_app(page, server, "lab", {"lab_lm_tune_steps": "5", "lab_lm_tune_method": "PI (linear)"})
    assert page.locator(".st-key-lab_lm_tune .js-plotly-plot").count() == 0
    button = page.locator(".st-key-lab_lm_tune_go button")
    rerun(page, button.click, timeout=180_000)
    assert not errors_shown(page)
    assert page.locator(".st-key-lab_lm_tune .js-plotly-plot").count() == 1
    assert page.get_by_text("tuned on Macbeth, scored on The Tempest, which it never saw").count() == 1


def _settings_box(page):
    """The sidebar expander of the shared settings: its label and whether it is open."""
    box = page.locator('[data-testid="stSidebar"] details').filter(has=page.locator(".st-key-s"))
    assert box.count() == 1
    return box.locator("summary").inner_text(), box.get_attribute("open") is not None


def test_the_shared_settings_are_folded_on_the_lab_and_keep_their_url(page, server):
    """In-app navigation to the lab and back keeps the lessons' settings in the URL: the folded box
    still draws their URL-bound widgets, at the same place."""
    open_app(page, server, "interpolation", {"d": "64", "s": "8"})
    label, is_open = _settings_box(page)
    assert "Model settings" in label and is_open
    rerun(page, lambda: page.locator('[data-testid="stSidebarNav"] a[href$="/lab"]').click(), timeout=120_000)
    assert "/lab" in page.url and "d=64" in page.url and "s=8" in page.url, page.url
    label, is_open = _settings_box(page)
    assert "not the lab's" in label and not is_open, "folded on the lab"
    assert not page.locator(".st-key-s").is_visible()
    rerun(page, page.locator('[data-testid="stSidebarNav"] a[href$="/interpolation"]').click)
    assert "/interpolation" in page.url and "d=64" in page.url and "s=8" in page.url, page.url
    assert _settings_box(page)[1], "open again on the lesson"
    assert not errors_shown(page)
