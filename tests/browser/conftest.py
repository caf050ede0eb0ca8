"""Real-browser fixtures: one Streamlit server and one Chromium for the whole session, a fresh
context (cookies, storage, viewport, colour scheme) per test.

Without /usr/bin/chromium (or Playwright) the browser tests are skipped, unless the environment
variable CI is set: then they fail, so CI can never pass without having run them.
"""

from __future__ import annotations

import os

import pytest

from tests.support.streamlit_page import (
    ARTIFACTS,
    CHROMIUM,
    SCREENSHOTS,
    Server,
    launch_browser,
    new_page,
    open_app,
)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(
            f"{reason}; CI must run the browser tests (.ci/run installs Debian's chromium)", pytrace=False
        )
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_instance():
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = launch_browser(playwright_instance)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def server(browser):
    """The app, started once, and opened once at its root so the first test does not pay for the
    first run's imports (nor meet Streamlit's first-deep-link notice, see test_browser_known.py)."""
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(log_path=ARTIFACTS / "browser-server.log").start()
    try:
        warm = new_page(browser)
        open_app(warm, server, "")
        warm.context.close()
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def make_page(browser):
    """Pages with other context options (viewport, colour scheme); closed after the test."""
    pages = []

    def make(**options):
        pages.append(new_page(browser, **options))
        return pages[-1]

    yield make
    for made in pages:
        made.context.close()


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
