"""Several readers at once on the lab's live pool, in real browsers (tests/support/lab_queue_page.py:
a job that holds a live slot through lab_jobs.run_live, on a pool of one slot): every session's run
finishes without an error, each sees its progress bar, and the ones that waited saw their place in
the queue while they waited."""

from __future__ import annotations

import re

import pytest

from tests.support.streamlit_page import ARTIFACTS, Server, new_page, open_app

READERS = 5
QUEUE_NOTE = re.compile(r"you are number (\d+) in the queue")

# Records, in the page, every place in the queue shown and whether a progress bar was drawn.
WATCH = """
() => {
  window.__places = [];
  window.__sawBar = false;
  new MutationObserver(() => {
    const text = document.body.innerText;
    const match = text.match(/you are number (\\d+) in the queue/);
    if (match) window.__places.push(Number(match[1]));
    if (document.querySelector('[data-testid="stProgress"]')) window.__sawBar = true;
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""


@pytest.fixture(scope="module")
def queue_server(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(log_path=ARTIFACTS / "browser-lab-queue.log", script="tests/support/lab_queue_page.py")
    server.start()
    yield server
    server.stop()


def test_readers_at_once_all_finish_each_with_progress_and_waiters_see_their_place(browser, queue_server):
    pages = [new_page(browser) for _ in range(READERS)]
    try:
        for page in pages:
            open_app(page, queue_server, "")
            page.evaluate(WATCH)
        for page in pages:  # the clicks go out back to back
            page.get_by_role("button", name="Run").click()
        for page in pages:
            page.get_by_text("Result: finished").wait_for(timeout=120_000)
        places = [page.evaluate("window.__places") for page in pages]
        assert all(page.evaluate("window.__sawBar") for page in pages), "a reader never saw progress"
        for page in pages:
            assert page.locator('[data-testid="stAlertContentError"]').count() == 0
            assert page.locator('[data-testid="stException"]').count() == 0
            assert not QUEUE_NOTE.search(page.inner_text("body"))  # the note is gone once running
        waited = [p for p in places if p]
        assert len(waited) >= READERS - 2, places  # one slot: (nearly) everyone but the first waits
        for seen in waited:  # a place only ever goes down (the browser may skip the last update)
            assert seen == sorted(seen, reverse=True), places
        assert max(max(p) for p in waited) >= 3, places
    finally:
        for page in pages:
            page.context.close()
