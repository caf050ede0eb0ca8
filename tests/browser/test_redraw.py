"""What the browser redraws, in a real browser: a control wrapped in ``lesson.rerun_alone`` reruns
its own section, not the page, and the URL it writes still reproduces the whole page; and a chart is
sent with the margins it needs, so Plotly draws it once, not a second time to make room."""

from __future__ import annotations

import pytest

from tests.support.streamlit_page import LESSONS, chart_fingerprint, open_app, rerun, wait_ready

pytestmark = pytest.mark.browser

# Counts document changes inside the sidebar, and marks every Plotly graph drawn so far, so that a
# graph drawn anew (a chart Streamlit sent again) can be told from one left alone.
WATCH = """
() => {
  window.__sidebarChanges = 0;
  if (window.__sidebarWatch) window.__sidebarWatch.disconnect();
  window.__sidebarWatch = new MutationObserver((records) => { window.__sidebarChanges += records.length; });
  window.__sidebarWatch.observe(document.querySelector('[data-testid="stSidebar"]'),
    {subtree: true, childList: true, attributes: true, characterData: true});
  document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__before = true; });
}
"""
KEPT_GRAPHS = """
() => Array.from(document.querySelectorAll('.st-key-rope_turning_pair .js-plotly-plot, '
  + '.st-key-rope_spectrum .js-plotly-plot, .st-key-rope_relative .js-plotly-plot'))
  .map(gd => [gd.closest('.stElementContainer').className.match(/st-key-(rope_\\w+)/)[1], !!gd.__before])
"""
EVERY_GRAPH_KEPT = "() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => !!gd.__before)"


def press(page, key: str, arrow: str = "ArrowRight") -> int:
    """Move the slider ``key`` one step and wait for its run; how many messages the server sent."""
    handle = page.locator(f'.st-key-{key} input[type="range"]').first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.evaluate(WATCH)
    sent = page.evaluate("window.__stMessages")
    rerun(page, lambda: page.keyboard.press(arrow))
    return page.evaluate("window.__stMessages") - sent


def elements(page) -> int:
    return page.locator(".stElementContainer").count()


def metrics(page) -> list[str]:
    return [m.inner_text() for m in page.locator('[data-testid="stMetricValue"]').all()]


def test_a_section_control_reruns_only_its_section(page, make_page, server):
    open_app(page, server, "rope")
    # Outside any fragment the whole page reruns: every element is sent again (as itself, or as the
    # hash of a message the browser already holds). The sidebar need not change in the document: a
    # run that finishes quickly never shows its elements as stale.
    page_run = press(page, "rope_seed")
    assert page_run >= elements(page), "a page rerun sends every element"

    before = chart_fingerprint(page)
    section_run = press(page, "rope_m")  # inside lesson.rerun_alone: only the relative check reruns
    assert section_run < page_run / 2, "moving m sent the page again"
    assert page.evaluate("window.__sidebarChanges") == 0, "moving m reran the sidebar"
    kept = dict(page.evaluate(KEPT_GRAPHS))
    assert kept == {"rope_turning_pair": True, "rope_spectrum": True, "rope_relative": False}
    after = chart_fingerprint(page)
    assert after[:2] == before[:2] and after[2] != before[2]
    assert "rope_m=301" in page.url and "rope_seed=1" in page.url

    friend = make_page()
    friend.goto(page.url)
    friend.wait_for_function("() => window.__stSettled > 0")
    wait_ready(friend)
    assert chart_fingerprint(friend) == after, "the link draws what the session shows"
    assert metrics(friend) == metrics(page)


def test_a_page_rerun_after_a_section_rerun_keeps_the_section_value(page, server):
    open_app(page, server, "rope")
    press(page, "rope_m")
    shown = metrics(page)
    press(page, "rope_seed")  # the whole page again, with the seed changed and m kept
    assert "rope_m=301" in page.url and "rope_seed=1" in page.url
    assert page.locator('.st-key-rope_m input[type="range"]').first.input_value() == "301"
    assert metrics(page) != shown, "the new seed's scores are drawn"


# Per chart: the margins sent (layout.margin) and the ones Plotly drew with (its automargin grows them
# when labels or the legend need more room, and then draws the chart again).
MARGINS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const sent = gd.layout.margin || {}, drawn = gd._fullLayout._size;
  return ['l', 'r', 'b'].every(side => Math.round(drawn[side]) <= (sent[side] || 0));
})
"""
ONCE_SHARE = 0.75  # of the lessons' charts; measured here: 28 of 30 on lessons 2-8 at 1280 px (2026-12-01)


def test_most_lesson_charts_are_sent_with_margins_that_fit(page, server):
    drawn_once = []
    for path in LESSONS[2:]:  # lessons 2-8, driven by the sidebar's settings
        open_app(page, server, path)
        drawn_once += page.evaluate(MARGINS)
    assert len(drawn_once) >= 20
    assert sum(drawn_once) >= ONCE_SHARE * len(drawn_once), f"{sum(drawn_once)} of {len(drawn_once)} fit"


def test_the_labs_live_controls_rerun_only_their_section(page, server):
    open_app(page, server, "lab")
    score = page.locator('[data-testid="stMetric"]').filter(has_text="bits/char at T").first
    before = score.inner_text()
    sent = press(page, "lab_lm_scale")  # s = 4 -> 8: the seed-0 model read again, the rest left alone
    assert sent < elements(page) / 4, "moving s sent the page again"
    assert page.evaluate("window.__sidebarChanges") == 0, "moving s reran the sidebar"
    assert all(page.evaluate(EVERY_GRAPH_KEPT)), "a chart was drawn anew"
    assert score.inner_text() != before, "the new scale's score is shown"
    assert "lab_lm_scale=8" in page.url
