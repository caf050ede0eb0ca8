"""The deployment recipe's nginx configuration, live: ``.deploy/local.py`` starts two app processes
and nginx on free loopback ports; a reader's first visit gets the sticky cookie, every later request
with it (HTTP and the app's WebSocket) reaches the same process, a session runs the app through
nginx, and new readers are spread over both processes. Skipped without nginx (``apt-get install
nginx``), unless the environment variable CI is set: then it fails, so CI cannot pass without it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import urllib.request
from http.cookies import SimpleCookie

import pytest

from tests.deploy.cluster import REPLICA_COOKIE, REPLICA_HEADER, Cluster, answering_replica, nginx_binary
from tests.perf.load_sessions import connect, replica_of, session_counts, start_page_run, timed_run

NEW_READERS = 40  # all on one of two processes by chance: 2 in 2**40


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if nginx_binary() is None:
        reason = "nginx is not installed (apt-get install -y nginx)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must run the deployment smoke test", pytrace=False)
        pytest.skip(reason)
    cluster = Cluster.start(2, tmp_path_factory.mktemp("deploy"))
    yield cluster
    cluster.stop()


def visit(url: str, cookie: str | None = None) -> tuple[str | None, str | None, bytes]:
    """GET ``url``: the process that answered, the sticky cookie nginx set (if it set one), the body."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        set_cookie = None
        for value in response.headers.get_all("Set-Cookie") or ():
            parsed = SimpleCookie(value)
            if REPLICA_COOKIE in parsed:
                set_cookie = f"{REPLICA_COOKIE}={parsed[REPLICA_COOKIE].value}"
        return answering_replica(response.headers[REPLICA_HEADER]), set_cookie, response.read()


def test_first_visit_gets_a_cookie_that_keeps_every_request_on_its_process(cluster):
    replica, cookie, page = visit(f"{cluster.url}/")
    assert b"<title>" in page and b'id="root"' in page  # Streamlit's page, served through nginx
    assert replica in {backend.address for backend in cluster.backends}
    assert cookie is not None and re.fullmatch(rf"{REPLICA_COOKIE}=[0-9a-f]{{32}}", cookie)
    for path in ("/_stcore/health", "/_stcore/host-config", "/compare", "/_stcore/health"):
        again, new_cookie, _ = visit(f"{cluster.url}{path}", cookie)
        assert (again, new_cookie) == (replica, None), path


def test_a_session_runs_the_app_over_its_websocket_on_the_same_process(cluster):
    replica, cookie, _ = visit(f"{cluster.url}/")
    other = next(backend for backend in cluster.backends if backend.address != replica)

    async def one_session():
        async with connect(cluster.url, cookie) as socket:
            run = await timed_run(socket, start_page_run())
            held = session_counts(cluster.backend(replica).url)["active"]
            not_held = session_counts(other.url)["active"]
            return replica_of(socket), run, held, not_held

    # In a thread of its own: Playwright's sync API (the browser tests) may hold this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        on, run, held, not_held = pool.submit(asyncio.run, one_session()).result()
    assert on == replica
    assert run.problems == ()
    assert (held, not_held) == (1, 0)


def test_new_readers_are_spread_over_both_processes(cluster):
    replicas = {visit(f"{cluster.url}/_stcore/health")[0] for _ in range(NEW_READERS)}
    assert replicas == {backend.address for backend in cluster.backends}
