"""The app as a student meets it: real Chromium against `streamlit run app.py`.

Each test opens a fresh browser context; one server serves them all. Screenshots of every page
(light and dark) land in artifacts/screenshots/.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.streamlit_page import (
    LESSONS,
    PAGES,
    SCREENSHOTS,
    TRUNCATED_LABELS,
    chart_containers,
    chart_fingerprint,
    drawn_charts,
    errors_shown,
    open_app,
    rerun,
    screenshot,
    wait_ready,
)

pytestmark = pytest.mark.browser

# Pages that draw at least one chart at their defaults.
CHARTLESS = {"", "lab", "your_model"}


def alerts(page, kind: str) -> list[str]:
    """Text of the st.<kind> alerts on the page (kind: error, warning, info, success)."""
    return [a.inner_text() for a in page.locator(f'[data-testid="stAlertContent{kind.capitalize()}"]').all()]


def slider_value(page, key: str) -> float:
    return float(page.locator(f'.st-key-{key} input[type="range"]').first.input_value())


@pytest.mark.parametrize("path", list(PAGES), ids=list(PAGES.values()))
def test_every_page_loads_cleanly_with_its_charts_drawn(page, server, screenshots, path):
    open_app(page, server, path)
    assert not errors_shown(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("h1").first.inner_text().strip(), "every page has a title"
    charts = chart_containers(page)
    assert drawn_charts(page) == charts, "every chart on the page is drawn"
    if path not in CHARTLESS:
        assert charts >= 1
    screenshot(page, screenshots / f"{PAGES[path]}.png")
    if path == "":
        the_home_map_fits_one_screen(page)


def the_home_map_fits_one_screen(page) -> None:
    """At 1280 x 900 the start page's map ends above the fold: six thumbnails, each card a link."""
    bottom = page.evaluate(
        """() => Math.max(...Array.from(
            document.querySelectorAll('[data-testid="stMain"] .stElementContainer'),
            e => e.getBoundingClientRect().bottom))"""
    )
    assert bottom <= 900, f"the start page's content ends at {bottom:.0f} px at 1280 x 900"
    assert page.locator(".js-plotly-plot").count() == 6, "one thumbnail per step"
    assert page.locator('[data-testid="stPageLink"]').count() >= 6, "every card links to its lesson"


def test_moving_a_slider_on_the_compare_page_changes_the_chart(page, server):
    open_app(page, server, "compare")
    page.get_by_text("Method options").click()
    alpha = page.locator('.st-key-cmp_alpha input[type="range"]')
    alpha.focus()
    before = chart_fingerprint(page)
    rerun(page, lambda: page.keyboard.press("ArrowRight"))
    assert slider_value(page, "cmp_alpha") == 1.25
    assert "cmp_alpha=1.25" in page.url, "the slider writes its value into the URL"
    after = chart_fingerprint(page)
    assert len(after) == len(before)
    assert after[0] != before[0], "YaRN's frequency curve moves with alpha"
    assert not errors_shown(page)


def test_opening_a_shared_url_restores_its_state(page, make_page, server):
    open_app(page, server, "compare")
    page.locator('.st-key-s input[type="range"]').focus()
    rerun(page, lambda: page.keyboard.press("ArrowRight"))
    page.get_by_text("Method options").click()
    page.locator('.st-key-cmp_seed input[type="range"]').focus()
    rerun(page, lambda: page.keyboard.press("ArrowRight"))
    rerun(page, lambda: page.locator(".st-key-cmp_quantity label").filter(has_text="wavelength").click())
    shared = page.url
    assert "s=2.5" in shared and "cmp_seed=1" in shared and "cmp_quantity=" in shared
    charts = chart_fingerprint(page)
    shown = {key: slider_value(page, key) for key in ("s", "cmp_seed")}

    friend = make_page()
    friend.goto(shared)
    friend.wait_for_function("() => window.__stSettled > 0")
    wait_ready(friend)
    friend.get_by_text("Method options").click()
    assert {key: slider_value(friend, key) for key in shown} == shown
    assert friend.locator(".st-key-cmp_quantity input[type=radio]:checked").count() == 1
    assert chart_fingerprint(friend) == charts, "the same link draws the same charts"
    assert not alerts(friend, "warning"), "a valid link needs no clamping note"


def test_a_garbage_url_is_clamped_with_a_note(page, server):
    open_app(
        page, server, "interpolation", {"s": "abc", "d": "-5", "L": "nan", "base": "9" * 400, "present": ""}
    )
    notes = alerts(page, "warning")
    assert notes and "Some settings in this link were adjusted" in notes[0]
    for label in ("Scale s", "Head dim", "Trained length", "Rotary base", "Presenter mode"):
        assert label in notes[0], f"no note for {label}"
    assert slider_value(page, "s") == 2.0
    assert slider_value(page, "d") == 8
    assert "abc" not in page.url, "the clamped values replace the garbage in the address bar"
    assert not errors_shown(page)
    assert drawn_charts(page) == chart_containers(page) >= 1


def test_the_lab_page_shows_its_result_table_from_the_shipped_checkpoints(page, server):
    open_app(page, server, "lab")
    assert not errors_shown(page)
    tables = page.locator('[data-testid="stDataFrame"], [data-testid="stTable"]')
    tables.first.wait_for(timeout=30_000)  # a data frame mounts after the script run is drawn
    assert tables.count() >= 1, "the lab shows a result table"
    assert tables.first.is_visible() and tables.first.bounding_box()["height"] > 100, "the table has rows"
    assert not alerts(page, "error"), alerts(page, "error")
    page.locator('.st-key-lab_alpha input[type="range"]').focus()
    rerun(page, lambda: page.keyboard.press("ArrowRight"))  # a live evaluation (a fragment rerun)
    assert not errors_shown(page) and not alerts(page, "error")


def test_your_model_page_shows_an_error_for_a_bad_paste(page, server):
    open_app(page, server, "your_model")
    box = page.locator(".st-key-ym_text textarea")
    box.fill('{"rope_theta": 10000, "rope_scaling": {"rope_type": ')
    rerun(page, lambda: box.press("Control+Enter"))
    errors = alerts(page, "error")
    assert errors and "cannot be read" in errors[0]
    assert not errors_shown(page), "an error message, not a traceback"


def test_an_upload_over_the_cap_is_refused_with_a_message(page, server):
    open_app(page, server, "your_model")
    big = b'{"pad": "' + b"x" * 2_000_000 + b'"}'
    page.locator('.st-key-ym_upload input[type="file"]').set_input_files(
        files=[{"name": "config.json", "mimeType": "application/json", "buffer": big}]
    )
    message = page.locator(".st-key-ym_upload").get_by_text("or smaller")
    message.wait_for()
    assert "1.0MB" in message.inner_text()
    assert not errors_shown(page)


@pytest.mark.parametrize("path", LESSONS, ids=[PAGES[p] for p in LESSONS])
def test_a_phone_wide_viewport_has_no_horizontal_scroll(make_page, server, path):
    phone = make_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    open_app(phone, server, path)
    overflow = phone.evaluate("""() => [document.scrollingElement, ...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stAppViewContainer"]')]
        .filter(e => e && e.scrollWidth > e.clientWidth + 1)
        .map(e => `${e.dataset.testid || e.tagName}: ${e.scrollWidth} > ${e.clientWidth}`)""")
    assert not overflow, overflow
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    if path == "":  # the start page's map also reads: no label cut
        assert not phone.evaluate(TRUNCATED_LABELS, '[data-testid="stMain"]')
        screenshot(phone, SCREENSHOTS / "home-390.png")


def test_the_dark_theme_renders(make_page, server, screenshots):
    dark = make_page(color_scheme="dark")
    open_app(dark, server, "compare")
    background = dark.evaluate(
        """() => getComputedStyle(document.querySelector('[data-testid="stApp"]')).backgroundColor"""
    )
    red, green, blue = (
        int(c) for c in background[background.index("(") + 1 : background.index(")")].split(",")[:3]
    )
    assert 0.2126 * red + 0.7152 * green + 0.0722 * blue < 60, f"background {background} is not dark"
    assert drawn_charts(dark) == chart_containers(dark) >= 1
    text = dark.evaluate("""() => getComputedStyle(document.querySelector('.js-plotly-plot .gtitle')).fill""")
    red, green, blue = (int(c) for c in text[text.index("(") + 1 : text.index(")")].split(",")[:3])
    assert 0.2126 * red + 0.7152 * green + 0.0722 * blue > 150, (
        f"chart title colour {text} is not light on dark"
    )
    assert not errors_shown(dark)
    screenshot(dark, screenshots / "compare-dark.png")


def test_uploads_need_the_xsrf_token(server):
    """With XSRF protection on, a cross-site upload (no token) is refused."""
    request = urllib.request.Request(
        f"{server.url}/_stcore/upload_file/some-session/some-file",
        method="PUT",
        data=json.dumps({"a": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403


def test_a_charts_csv_download_holds_the_charts_data(page, server):
    """The CSV is built on click (not on every rerun): what arrives is the chart's own data."""
    open_app(page, server, "interpolation", {"L": "4096", "s": "4"})
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this chart's data (CSV)").first.click()
    rows = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert rows[0] == "trace,x,y,z"
    plain = [r.split(",") for r in rows[1:] if r.startswith("Plain RoPE")]
    pi = [r.split(",") for r in rows[1:] if r.startswith("PI: m / 4")]
    assert plain and pi and len(plain) == len(pi)
    assert max(float(r[2]) for r in plain) == pytest.approx(4 * 4096 - 1)
    assert max(float(r[2]) for r in pi) == pytest.approx((4 * 4096 - 1) / 4), "PI stretches L' onto L"
    assert not errors_shown(page)
