"""Scrubbing in a real browser, on the small page tests/support/scrub_page.py: dragging the chart's own
slider redraws the chart with no script run, and the value it is released on reaches the Streamlit
slider and the URL."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest

from tests.support.streamlit_page import ARTIFACTS, Server, chart_fingerprint, open_app, wait_ready

GRIP = ".js-plotly-plot .slider-container .slider-grip-rect"
RAIL = ".js-plotly-plot .slider-container .slider-rail-rect"
CONTROL = '[data-testid="stSlider"] input[type="range"]'
SCRIPT_STATE = (
    "() => document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state')"
)


@pytest.fixture(scope="module")
def scrub_server(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(log_path=ARTIFACTS / "browser-scrub.log", script="tests/support/scrub_page.py").start()
    yield server
    server.stop()


def drag(page, to_share: float, moves: int = 25, states: list | None = None) -> None:
    """Press the chart slider's grip and move it to ``to_share`` of the rail, without releasing; the
    script state is recorded after every move into ``states``."""
    grip, rail = page.locator(GRIP).bounding_box(), page.locator(RAIL).bounding_box()
    start_x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    end_x = rail["x"] + rail["width"] * to_share
    page.mouse.move(start_x, y)
    page.mouse.down()
    for move in range(1, moves + 1):
        page.mouse.move(start_x + (end_x - start_x) * move / moves, y)
        time.sleep(0.02)
        if states is not None:
            states.append(page.evaluate(SCRIPT_STATE))


def test_dragging_redraws_the_chart_without_a_script_run(page, scrub_server):
    open_app(page, scrub_server, "")
    before, runs = chart_fingerprint(page), page.evaluate("window.__stFinished")
    states: list[str] = []
    drag(page, 0.8, states=states)
    time.sleep(0.3)
    during = chart_fingerprint(page)
    assert during != before, "the chart did not change while its slider was dragged"
    assert page.evaluate("window.__stFinished") == runs, "a script ran while dragging"
    assert set(states) == {"notRunning"}
    assert float(page.locator(CONTROL).input_value()) == 4  # the control waits for the release
    page.mouse.up()


def test_the_released_value_reaches_the_control_and_the_url(page, scrub_server):
    open_app(page, scrub_server, "")
    runs = page.evaluate("window.__stSettled")
    drag(page, 0.8)
    shown = page.evaluate(
        "() => { const gd = document.querySelector('.js-plotly-plot');"
        " const slider = gd._fullLayout.sliders[0]; return slider.steps[slider.active].value; }"
    )
    page.mouse.up()
    page.wait_for_function(f"() => window.__stSettled > {runs}", timeout=60_000, polling=20)
    wait_ready(page)
    assert float(shown) > 4
    assert float(page.locator(CONTROL).input_value()) == float(shown)
    page.wait_for_function(
        "(value) => new URLSearchParams(window.location.search).get('f') === value", arg=shown, timeout=10_000
    )
    assert parse_qs(urlparse(page.url).query)["f"] == [shown]
    assert f"f = {shown}" in page.inner_text("body")
