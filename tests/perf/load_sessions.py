"""Load test: a classroom of concurrent browser sessions on one local server (not run by pytest).

    python -m tests.perf.load_sessions --sessions 20 --seconds 60

Starts ``streamlit run app.py`` on a free loopback port (or uses --url, which must be a loopback
address) and opens one warm-up session that visits every page. Then N headless-Chromium sessions
arrive over --ramp seconds, each opening a page; once all have arrived they click for --seconds:
like a student, a session moves a visible slider one step (ArrowLeft/ArrowRight on the focused
slider), waits until the page is redrawn, pauses (--think, default 1-3 s), and now and then
follows a sidebar link to another page. Then every session closes, and after --settle seconds
(default 120, Streamlit's disconnected-session lifetime) the server's memory is measured again.

The browsers run at a lower CPU priority (nice 10) than the server: in a classroom each browser
has its own laptop, here they share 2 cores with the server, and a page view costs Chromium about
3 s of CPU against the server's 0.1-0.3 s. The CPU both used is printed.

Rerun latency, measured three ways for every slider move:
* rerun (the target): in Chromium's network layer (DevTools ``Network.webSocketFrame*`` events and
  their timestamps), from the frame carrying the BackMsg ``rerun_script`` the keypress sent to the
  frame carrying the ForwardMsg ``script_finished`` of that run: the server's turnaround as the
  browser sees it, without the page's own rendering time;
* in page: in the page's clock, from the keydown event to the page's JavaScript receiving that
  ``script_finished`` frame (so the "running" indicator goes; includes the page's own backlog);
* drawn: from the keydown to the last document change once every chart is drawn.
The in-page figures include each browser's own backlog on the shared cores, so they are upper
bounds on what a class on its own laptops sees.

With --clients protocol the sessions are not browsers: the warm-up browser moves six sliders on
every page while the script keeps each ``rerun_script`` message it sends, and each session then
replays those bytes over its own WebSocket (``/_stcore/stream``): a page's first run, its slider
moves in turn, now and then another page. A session costs the machine almost nothing, so the
latency, timed in this process from sending a message to receiving that run's ``script_finished``,
is the server's own turnaround under the load of N sessions; the browser's rendering is not in it.
Errors there: an exception element or a page-not-found message in a run, or a run that does not
finish in time.

Errors: an exception element or Streamlit's redacted-error notice on the page, an uncaught page
error, a "Page not found" dialog, or a rerun or page load that does not finish in time.
Memory: resident set size (RSS, /proc) of the server process and its children, plus what
Streamlit's /_stcore/metrics says its caches hold (st.cache_data, media files such as the CSV
downloads, session state). Streamlit forgets a disconnected session after
server.disconnectedSessionTTL (120 s), but only at its session store's next write, i.e. when the
next visitor connects; so after --settle seconds one visitor opens the start page, and the last
reading follows.
Targets: 0 errors, rerun p95 <= 1 s, memory after the settle and the next visitor within 20 % of
the memory after the warm-up session. Exit status 1 when a target is missed.

Several processes behind nginx (the recipe in .deploy/): --processes N starts N app processes and
nginx on loopback with ``.deploy/local.py`` and stops them at the end; --cluster FILE uses ones
already started (the ``cluster.json`` that ``.deploy/local.py start`` wrote). The sessions then go
through nginx, each with its own sticky cookie, as a browser's would; nginx names the process that
answered each WebSocket in its ``X-Yarn-Replica`` header, so the report counts sessions per process
and gives each process's memory (and the memory target holds for each). The warm-up browser records
through nginx; every other process is warmed by replaying that recording to it directly, and the
last visitor opens the start page on each process directly.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import json
import os
import random
import re
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.deploy.cluster import REPLICA_COOKIE, REPLICA_HEADER, Cluster, answering_replica
from tests.support.streamlit_page import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    READY,
    TRACK_RUNS,
    Server,
    server_rss_mb,
)
from tests.support.streamlit_page import (
    PAGES as URL_PATHS,
)

MAX_SESSIONS = {"browser": 50, "protocol": 200}
MAX_PROCESSES = 8
MAX_SECONDS = 600
RERUN_TIMEOUT_MS = 30_000
LOAD_TIMEOUT_MS = 180_000
POLL_MS = 100  # latencies come from timestamps taken by the browser, not from this polling
SMALL_FRAME = 512  # script_finished frames are tens of bytes: larger received frames are deltas, not parsed
PAGES = tuple(path for path in URL_PATHS if path)  # the sessions' pages: all but the start page
BROWSER_NICENESS = 10
RECORDED_MOVES = 6  # slider moves recorded per page for the protocol sessions
P95_TARGET_S = 1.0
MEMORY_TOLERANCE = 0.20

ERRORS_ON_PAGE = """() => [
  ...Array.from(document.querySelectorAll('[data-testid="stException"]')).map(e => e.innerText.slice(0, 200)),
  ...(document.body.innerText.includes('This app has encountered an error')
      ? ['This app has encountered an error'] : []),
  ...(document.querySelector('[role="dialog"]')
      && document.querySelector('[role="dialog"]').innerText.includes('Page not found')
      ? ['Page not found'] : [])]"""

# A visible, enabled slider (main area or sidebar) and the arrow key that moves it inside its range.
PICK_SLIDER = """(choice) => {
  const sliders = Array.from(document.querySelectorAll('input[type="range"]')).filter(s =>
    !s.disabled && !s.closest('details:not([open])') && s.closest('[data-testid="stSlider"]')
    && s.closest('[data-testid="stSlider"]').getBoundingClientRect().width > 0);
  if (!sliders.length) return null;
  const slider = sliders[Math.floor(choice * sliders.length)];
  slider.id = slider.id || `load-${Math.random().toString(36).slice(2)}`;
  const up = Number(slider.value) < Number(slider.max)
    && (Number(slider.value) <= Number(slider.min) || choice < 0.5);
  return {id: slider.id, key: up ? 'ArrowRight' : 'ArrowLeft'};
}"""


def cpu_seconds(pid: int, skip: frozenset[int] = frozenset()) -> float:
    """User + system CPU time of ``pid`` and all its descendants (but not those of ``skip``), from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        if current in skip:
            continue
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def server_metrics(base: str) -> dict[str, float]:
    """MB held by Streamlit's caches (st.cache_data, media files such as the CSV downloads, session
    state), from the server's own /_stcore/metrics."""
    totals: dict[str, float] = {}
    with urllib.request.urlopen(f"{base}/_stcore/metrics", timeout=30) as response:
        for line in response.read().decode().splitlines():
            match = re.match(r'cache_memory_bytes\{cache_type="([^"]+)".*\} (\S+)', line)
            if match:
                totals[match[1]] = totals.get(match[1], 0.0) + float(match[2]) / 1e6
    return {kind: round(mb, 2) for kind, mb in totals.items()}


def session_counts(base: str) -> dict[str, int]:
    """The server's own count of WebSocket sessions: ``active`` now, and its ``connect`` and
    ``reconnect`` events so far (/_stcore/metrics)."""
    counts = {"active": 0, "connect": 0, "reconnect": 0}
    with urllib.request.urlopen(f"{base}/_stcore/metrics", timeout=30) as response:
        for line in response.read().decode().splitlines():
            match = re.match(r'(?:active_sessions|session_events_total\{type="(\w+)"\}) (\S+)$', line)
            if match and (match[1] or "active") in counts:
                counts[match[1] or "active"] = int(float(match[2]))
    return counts


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Target:
    """Where the sessions go (one server, or nginx in front of several) and every app process behind
    it: its address (host:port, as nginx names it) and process id."""

    url: str
    processes: dict[str, int]

    @classmethod
    def of_cluster(cls, cluster: Cluster) -> Target:
        return cls(cluster.url, {backend.address: backend.pid for backend in cluster.backends})

    @property
    def balanced(self) -> bool:
        return urlparse(self.url).netloc not in self.processes

    def process_url(self, address: str) -> str:
        return f"http://{address}"


class Stats:
    def __init__(self):
        self.replica: dict[int, str] = {}  # session index -> the process that holds its WebSocket
        self.rerun_s: list[float] = []
        self.idle_s: list[float] = []
        self.drawn_s: list[float] = []
        self.page_load_s: list[float] = []
        self.by_page: dict[str, list[float]] = {}  # protocol sessions: page -> its runs' seconds
        self.errors: list[str] = []
        self.actions = 0


class RerunClock:
    """Network-level rerun turnaround of one page, from DevTools WebSocket frame events."""

    def __init__(self):
        self.sent_at: float | None = None
        self.finished: list[float] = []

    def on_sent(self, event: dict) -> None:
        message = BackMsg()
        if _parse(message, event, limit=None) and message.WhichOneof("type") == "rerun_script":
            self.sent_at = event["timestamp"]

    def on_received(self, event: dict) -> None:
        message = ForwardMsg()
        if (
            self.sent_at is not None
            and _parse(message, event, limit=SMALL_FRAME)
            and message.WhichOneof("type") == "script_finished"
        ):
            self.finished.append(event["timestamp"] - self.sent_at)
            self.sent_at = None


def _parse(message, event: dict, limit: int | None) -> bool:
    """Parse a binary frame into ``message``; frames over ``limit`` bytes are skipped."""
    response = event["response"]
    if response.get("opcode") != 2 or (
        limit is not None and len(response["payloadData"]) > limit * 4 // 3 + 4
    ):
        return False
    try:
        message.ParseFromString(base64.b64decode(response["payloadData"]))
    except Exception:  # not one of Streamlit's messages
        return False
    return True


async def wait_ready(page, timeout=RERUN_TIMEOUT_MS):
    await page.wait_for_function(READY, timeout=timeout, polling=POLL_MS)


async def open_page(page, url: str, stats: Stats):
    start = time.perf_counter()
    await page.goto(url, timeout=LOAD_TIMEOUT_MS)
    await page.wait_for_function("() => window.__stSettled > 0", timeout=LOAD_TIMEOUT_MS, polling=POLL_MS)
    await wait_ready(page, LOAD_TIMEOUT_MS)
    stats.page_load_s.append(time.perf_counter() - start)


async def move_a_slider(page, clock: RerunClock, rng: random.Random, stats: Stats) -> None:
    choice = await page.evaluate(PICK_SLIDER, rng.random())
    if choice is None:
        return
    runs = await page.evaluate("window.__stSettled")
    finished = len(clock.finished)
    await page.focus(f'[id="{choice["id"]}"]')
    await page.keyboard.press(choice["key"])
    await page.wait_for_function(
        f"() => window.__stSettled > {runs}", timeout=RERUN_TIMEOUT_MS, polling=POLL_MS
    )
    stats.idle_s.append(await page.evaluate("(window.__stFinishedAt - window.__keyAt) / 1000"))
    await wait_ready(page)
    stats.drawn_s.append(await page.evaluate("(window.__lastMutationAt - window.__keyAt) / 1000"))
    if len(clock.finished) > finished:
        stats.rerun_s.append(clock.finished[-1])


async def follow_a_link(page, rng: random.Random, stats: Stats) -> None:
    target = rng.choice(PAGES)
    link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{target}"]')
    if not await link.count() or page.url.split("?")[0].endswith(f"/{target}"):
        return
    runs = await page.evaluate("window.__stSettled")
    start = time.perf_counter()
    await link.first.click()
    await page.wait_for_function(
        f"() => window.__stSettled > {runs}", timeout=RERUN_TIMEOUT_MS, polling=POLL_MS
    )
    await wait_ready(page)
    stats.page_load_s.append(time.perf_counter() - start)


class Classroom:
    """Sessions arrive over the ramp; the timed clicking starts once every one has its first page."""

    def __init__(self, sessions: int, seconds: float):
        self.waiting = sessions
        self.seconds = seconds
        self.all_in = asyncio.Event()
        self.deadline = 0.0
        self.started = 0.0

    def arrived(self) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            self.started = time.perf_counter()
            self.deadline = time.monotonic() + self.seconds
            self.all_in.set()


async def student(
    browser, base: str, index: int, delay: float, room: Classroom, think: tuple[float, float], stats: Stats
) -> None:
    rng = random.Random(index)
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(TRACK_RUNS)
    page = await context.new_page()
    page.on("pageerror", lambda err: stats.errors.append(f"session {index}: page error {err}"))
    clock = RerunClock()
    devtools = await context.new_cdp_session(page)
    devtools.on("Network.webSocketFrameSent", clock.on_sent)
    devtools.on("Network.webSocketFrameReceived", clock.on_received)
    devtools.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda event: stats.replica.update({index: header(event["response"]["headers"], REPLICA_HEADER)}),
    )
    await devtools.send("Network.enable")
    home = f"{base}/{PAGES[index % len(PAGES)]}"
    try:
        try:
            await open_page(page, home, stats)
        finally:
            room.arrived()
        await room.all_in.wait()
        while time.monotonic() < room.deadline:
            try:
                if rng.random() < 0.15:
                    await follow_a_link(page, rng, stats)
                else:
                    await move_a_slider(page, clock, rng, stats)
                stats.actions += 1
            except Exception as err:  # a timeout or a lost page: count it and carry on from a fresh load
                stats.errors.append(
                    f"session {index}: {type(err).__name__}: {str(err).splitlines()[0][:160]}"
                )
                await open_page(page, home, stats)
            shown = await page.evaluate(ERRORS_ON_PAGE)
            if shown:
                stats.errors.append(f"session {index}: on {page.url}: {' | '.join(shown)}")
            await asyncio.sleep(rng.uniform(*think))
    except Exception as err:
        stats.errors.append(
            f"session {index}: gave up: {type(err).__name__}: {str(err).splitlines()[0][:160]}"
        )
    finally:
        await context.close()


class Recorder:
    """The ``rerun_script`` BackMsgs one real browser sends, as bytes, per page: the page's first run
    and then one per slider move, for protocol sessions to replay."""

    def __init__(self):
        self.page: str | None = None
        self.messages: dict[str, list[bytes]] = {}

    def on_sent(self, event: dict) -> None:
        message = BackMsg()
        if (
            self.page is not None
            and _parse(message, event, limit=None)
            and message.WhichOneof("type") == "rerun_script"
        ):
            self.messages.setdefault(self.page, []).append(base64.b64decode(event["response"]["payloadData"]))


async def warm_up(browser, base: str, moves: int) -> dict[str, list[bytes]]:
    """Every page once (so first-visit imports are in "before"), moving ``moves`` sliders on each;
    returns what the browser sent, per page."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(TRACK_RUNS)
    page = await context.new_page()
    recorder = Recorder()
    devtools = await context.new_cdp_session(page)
    devtools.on("Network.webSocketFrameSent", recorder.on_sent)
    await devtools.send("Network.enable")
    rng = random.Random(0)
    for path in ("", *PAGES):
        await page.goto("about:blank")
        recorder.page = path
        await open_page(page, f"{base}/{path}", Stats())
        for _ in range(moves):
            await move_a_slider(page, RerunClock(), rng, Stats())
    await context.close()
    return {path: messages for path, messages in recorder.messages.items() if path in PAGES}


def header(headers, name: str) -> str | None:
    """A response header's value, whatever the case of its name."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


@dataclass(frozen=True)
class Run:
    """One script run as a protocol session saw it."""

    seconds: float
    problems: tuple[str, ...]  # an exception element, a page-not-found message
    shown: dict[tuple[int, ...], str] | None  # with ``keep_view``: what it drew where (``content_key``)


# Element fields that differ between two runs drawing the same thing: a download button's
# ``deferred_file_id`` is a random id for the file its click builds; a chart's ``id`` is derived
# from its spec's text, whose spelling differs between a figure drawn fresh and one from
# st.cache_data (``"title": {}`` or no title; the order of keys), see ``canonical_spec``.
PER_RUN_FIELDS = {"download_button": ("deferred_file_id",), "plotly_chart": ("id",)}
# A control's value fields say who supplies its value, not what it shows: after a rerun the browser
# keeps the value it sent (``set_value`` false, no value), after a fresh load from a URL the server
# sends the value it read from the URL. A control's label, options and default stay in the digest;
# its value is checked through the charts and text it drives and through the URL.
CONTROL_VALUE_FIELDS = ("value", "set_value", "raw_value", "raw_values")


def canonical_spec(spec: str) -> str:
    """A Plotly spec's JSON with sorted keys and without empty objects (Plotly treats an empty
    ``title`` and a missing one alike)."""

    def drop_empty(value):
        if isinstance(value, dict):
            kept = {key: drop_empty(item) for key, item in value.items()}
            return {key: item for key, item in kept.items() if item != {}}
        if isinstance(value, list):
            return [drop_empty(item) for item in value]
        return value

    return json.dumps(drop_empty(json.loads(spec)), sort_keys=True)


def content_key(reply: ForwardMsg) -> str:
    """What a delta shows: a hash of its content without the per-run fields, or the ``ref_hash``
    of a message the client said it already holds (so: send no ``cached_message_hashes`` when
    comparing views)."""
    if reply.WhichOneof("type") == "ref_hash":
        return f"ref:{reply.ref_hash}"
    if reply.delta.WhichOneof("type") != "new_element":
        return reply.hash
    element = type(reply.delta.new_element)()
    element.CopyFrom(reply.delta.new_element)
    kind = element.WhichOneof("type")
    content = getattr(element, kind)
    for field in PER_RUN_FIELDS.get(kind, ()):
        content.ClearField(field)
    if "set_value" in content.DESCRIPTOR.fields_by_name:
        element.ClearField("has_one_shot_effect")  # true with set_value
        for field in CONTROL_VALUE_FIELDS:
            if field in content.DESCRIPTOR.fields_by_name:
                content.ClearField(field)
    if kind == "plotly_chart":
        element.plotly_chart.spec = canonical_spec(element.plotly_chart.spec)
    return hashlib.sha256(element.SerializeToString(deterministic=True)).hexdigest()


def view_digest(shown: dict[tuple[int, ...], str]) -> str:
    """A digest of a page: what is shown at every place (a delta's path)."""
    return hashlib.sha256(json.dumps(sorted(shown.items())).encode()).hexdigest()[:16]


async def timed_run(socket, message: bytes, keep_view: bool = False) -> Run:
    """Send one ``rerun_script`` over a Streamlit WebSocket and read until that run's
    ``script_finished``. With ``keep_view``, the run keeps for every place on the page (a delta's
    path) what the last delta there shows (a fragment's run only redraws the fragment's places)."""
    problems: list[str] = []
    shown: dict[tuple[int, ...], str] = {}
    start = time.perf_counter()
    await socket.send(message)
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await asyncio.wait_for(socket.recv(), RERUN_TIMEOUT_MS / 1000))
        kind = reply.WhichOneof("type")
        if keep_view and kind in ("delta", "ref_hash"):
            shown[tuple(reply.metadata.delta_path)] = content_key(reply)
        if (
            kind == "delta"
            and reply.delta.WhichOneof("type") == "new_element"
            and reply.delta.new_element.WhichOneof("type") == "exception"
        ):
            problems.append(f"exception element: {reply.delta.new_element.exception.type}")
        elif kind == "page_not_found":
            problems.append("page not found")
        elif kind == "script_finished" and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return Run(time.perf_counter() - start, tuple(problems), shown if keep_view else None)


def route_cookie(url: str) -> str | None:
    """Open ``url`` as a browser's first request does and keep nginx's sticky cookie (none when
    there is no nginx in front): the ``Cookie`` header of the session's later requests."""
    with urllib.request.urlopen(url, timeout=30) as response:
        for value in response.headers.get_all("Set-Cookie") or ():
            cookie = SimpleCookie(value)
            if REPLICA_COOKIE in cookie:
                return f"{REPLICA_COOKIE}={cookie[REPLICA_COOKIE].value}"
    return None


def connect(base: str, cookie: str | None):
    """A Streamlit WebSocket session (``/_stcore/stream``) as a browser on ``base`` opens it: with
    that Origin (Streamlit checks it against the Host) and the sticky cookie if any."""
    import websockets

    return websockets.connect(
        f"ws{base[4:]}/_stcore/stream",
        subprotocols=["streamlit"],
        max_size=None,
        compression=None,
        origin=base,
        additional_headers={"Cookie": cookie} if cookie else None,
        open_timeout=RERUN_TIMEOUT_MS / 1000,
    )


def replica_of(socket) -> str | None:
    """The process nginx sent this WebSocket to (None without nginx)."""
    return answering_replica(socket.response.headers.get(REPLICA_HEADER))


async def protocol_student(
    base: str,
    index: int,
    delay: float,
    room: Classroom,
    think: tuple[float, float],
    stats: Stats,
    recording: dict[str, list[bytes]],
) -> None:
    """A session without a browser: replays the recorded BackMsgs of a page (its first run, then its
    slider moves in turn) over Streamlit's WebSocket, now and then switching page."""
    rng = random.Random(index)
    pages = sorted(recording)
    path = pages[index % len(pages)]
    await asyncio.sleep(delay)
    try:
        cookie = await asyncio.to_thread(route_cookie, f"{base}/{path}")
        async with connect(base, cookie) as socket:
            stats.replica[index] = replica_of(socket)

            async def visit(path: str) -> None:
                run = await timed_run(socket, recording[path][0])
                stats.page_load_s.append(run.seconds)
                stats.by_page.setdefault(path or "home", []).append(run.seconds)
                stats.errors += [f"session {index}: on /{path}: {problem}" for problem in run.problems]

            move = 0
            try:
                await visit(path)
            finally:
                room.arrived()
            await room.all_in.wait()
            while time.monotonic() < room.deadline:
                await asyncio.sleep(rng.uniform(*think))
                moves = recording[path][1:]
                if rng.random() < 0.15 or not moves:
                    path, move = rng.choice(pages), 0
                    await visit(path)
                else:
                    run = await timed_run(socket, moves[move % len(moves)])
                    move += 1
                    stats.rerun_s.append(run.seconds)
                    stats.by_page.setdefault(path or "home", []).append(run.seconds)
                    stats.errors += [f"session {index}: on /{path}: {problem}" for problem in run.problems]
                stats.actions += 1
    except Exception as err:
        stats.errors.append(
            f"session {index}: gave up: {type(err).__name__}: {str(err).splitlines()[0][:160]}"
        )


def memory_of(target: Target) -> dict[str, float]:
    """RSS of every app process (and its children), in MB."""
    return {address: server_rss_mb(pid) for address, pid in target.processes.items()}


def held_by_streamlit(target: Target) -> dict[str, float]:
    """What Streamlit's caches hold, added over every process (asked directly, not through nginx)."""
    totals: Counter[str] = Counter()
    for address in target.processes:
        totals.update(server_metrics(target.process_url(address)))
    return {kind: round(mb, 2) for kind, mb in totals.items()}


def connects_of(target: Target) -> dict[str, int]:
    """How many WebSocket sessions each process has counted so far (its own metrics)."""
    return {address: session_counts(target.process_url(address))["connect"] for address in target.processes}


async def sample_memory(target: Target, samples: dict[str, list[float]], stop: asyncio.Event) -> None:
    """Every second: each process's RSS, and their sum (``total``)."""
    while not stop.is_set():
        now = memory_of(target)
        for address, mb in now.items():
            samples[address].append(mb)
        samples["total"].append(sum(now.values()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


def start_page_run() -> bytes:
    """The ``rerun_script`` of a first visit to the start page (no query, no widgets)."""
    message = BackMsg()
    message.rerun_script.SetInParent()
    return message.SerializeToString()


async def replay_all(url: str, recording: dict[str, list[bytes]]) -> list[str]:
    """Warm one process: its start page first (a fresh server's first deep link meets Streamlit's
    "Page not found", see the README's known issues), then every recorded message of every page, in
    order, over one direct WebSocket; returns the problems its runs reported."""
    problems: list[str] = []
    async with connect(url, None) as socket:
        problems += [f"warm-up on /: {p}" for p in (await timed_run(socket, start_page_run())).problems]
        for path, messages in recording.items():
            for message in messages:
                problems += [f"warm-up on /{path}: {p}" for p in (await timed_run(socket, message)).problems]
    return problems


async def warm_up_all(browser, target: Target, moves: int, stats: Stats) -> dict[str, list[bytes]]:
    """The warm-up browser visits every page through ``target.url``; behind nginx every process then
    gets the same visits replayed to it directly, so each one's "before" includes its first-visit
    imports and caches."""
    recording = await warm_up(browser, target.url, moves=moves)
    if target.balanced:
        for address in target.processes:
            stats.errors += await replay_all(target.process_url(address), recording)
    return recording


async def visit_each(browser, target: Target) -> None:
    """One visitor opens the start page on every process directly (so each drops its expired
    sessions, see the module's docstring)."""
    for address in target.processes:
        visitor = await browser.new_context()
        await visitor.add_init_script(TRACK_RUNS)
        await open_page(await visitor.new_page(), f"{target.process_url(address)}/", Stats())
        await visitor.close()


def sessions_per_process(target: Target, stats: Stats) -> dict[str, int]:
    """How many sessions each process held (by nginx's header; one server holds them all)."""
    only = next(iter(target.processes)) if len(target.processes) == 1 else "unknown"
    counts = Counter(replica or only for replica in stats.replica.values())
    return {address: counts.get(address, 0) for address in target.processes} | (
        {"unknown": counts["unknown"]} if counts.get("unknown") else {}
    )


async def run(args, target: Target) -> dict:
    from playwright.async_api import async_playwright

    stats = Stats()
    servers = frozenset(target.processes.values())
    if args.clients == "browser":
        os.nice(BROWSER_NICENESS)  # the browsers (children of this process) yield the CPU to the server
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        memory = {"cold": memory_of(target)}
        recording = await warm_up_all(
            browser, target, RECORDED_MOVES if args.clients == "protocol" else 0, stats
        )
        await asyncio.sleep(2)
        memory["before"] = memory_of(target)
        held = {"before": held_by_streamlit(target)}
        connects_before = connects_of(target)

        samples: dict[str, list[float]] = {address: [] for address in (*target.processes, "total")}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(target, samples, stop))
        cpu_before = {
            "server": sum(cpu_seconds(pid) for pid in servers),
            "clients": cpu_seconds(os.getpid(), skip=servers),
        }
        room = Classroom(args.sessions, args.seconds)
        if args.clients == "protocol":
            await asyncio.gather(
                *(
                    protocol_student(
                        target.url, i, args.ramp * i / args.sessions, room, args.think, stats, recording
                    )
                    for i in range(args.sessions)
                )
            )
        else:
            await asyncio.gather(
                *(
                    student(browser, target.url, i, args.ramp * i / args.sessions, room, args.think, stats)
                    for i in range(args.sessions)
                )
            )
        elapsed = time.perf_counter() - room.started
        connects = {
            address: count - connects_before[address] for address, count in connects_of(target).items()
        }
        cpu = {
            "server": sum(cpu_seconds(pid) for pid in servers) - cpu_before["server"],
            "clients": cpu_seconds(os.getpid(), skip=servers) - cpu_before["clients"],
        }
        stop.set()
        await sampler
        last = memory_of(target)
        memory["peak"] = {address: max([*samples[address], last[address]]) for address in target.processes}
        peak_total = max([*samples["total"], sum(last.values())])
        held["end"] = held_by_streamlit(target)

        print(f"sessions closed; waiting {args.settle:.0f} s before measuring memory again", flush=True)
        await asyncio.sleep(args.settle)
        memory["after"] = memory_of(target)
        held["after"] = held_by_streamlit(target)
        # Streamlit drops expired disconnected sessions only when its session store is next written
        # to, i.e. when someone connects: one visitor per process, then the last reading.
        await visit_each(browser, target)
        await asyncio.sleep(2)
        memory["after_visitor"] = memory_of(target)
        held["after_visitor"] = held_by_streamlit(target)
        await browser.close()
    figures = {
        "clients": args.clients,
        "sessions": args.sessions,
        "url": target.url,
        "processes": len(target.processes),
        "seconds": round(elapsed, 1),
        "actions": stats.actions,
        "reruns": len(stats.rerun_s),
    }
    for name, values in (
        ("rerun", stats.rerun_s),
        ("idle", stats.idle_s),
        ("drawn", stats.drawn_s),
        ("page_load", stats.page_load_s),
    ):
        figures[f"{name}_p50_s"] = round(percentile(values, 0.50), 3) if values else None
        figures[f"{name}_p95_s"] = round(percentile(values, 0.95), 3) if values else None
    figures["runs_by_page"] = {
        page: {
            "runs": len(values),
            "p50_s": round(percentile(values, 0.5), 3),
            "p95_s": round(percentile(values, 0.95), 3),
        }
        for page, values in sorted(stats.by_page.items())
    }
    return {
        **figures,
        "errors": len(stats.errors),
        "error_examples": stats.errors[:10],
        "server_cpu_s": round(cpu["server"], 1),
        "clients_cpu_s": round(cpu["clients"], 1),
        **{f"{when}_mb": round(sum(by_process.values()), 1) for when, by_process in memory.items()},
        "peak_mb": round(peak_total, 1),
        "sessions_per_process": sessions_per_process(target, stats),
        "connects_per_process": connects,
        "memory_per_process_mb": {
            address: {when: round(by_process[address], 1) for when, by_process in memory.items()}
            for address in target.processes
        },
        "held_by_streamlit_mb": held,
        "settle_s": args.settle,
    }


def report(result: dict) -> bool:
    per_process = result["memory_per_process_mb"]
    back = all(mb["after_visitor"] <= mb["before"] * (1 + MEMORY_TOLERANCE) for mb in per_process.values())
    checks = {
        "0 errors": result["errors"] == 0,
        f"rerun p95 <= {P95_TARGET_S:g} s": result["rerun_p95_s"] is not None
        and result["rerun_p95_s"] <= P95_TARGET_S,
        f"memory back within {MEMORY_TOLERANCE:.0%} of its start"
        + (" on every process" if len(per_process) > 1 else ""): back,
    }

    def pair(name):
        if result[f"{name}_p50_s"] is None:
            return "none timed"
        return f"{result[f'{name}_p50_s']:.3f} / {result[f'{name}_p95_s']:.3f} s"

    rows = [
        ("sessions x seconds", f"{result['sessions']} {result['clients']} x {result['seconds']}"),
        ("target", f"{result['url']} ({result['processes']} process(es))"),
        ("actions / slider reruns timed", f"{result['actions']} / {result['reruns']}"),
        ("rerun latency p50 / p95 (network)", pair("rerun")),
        *(
            [
                ("...until the page gets script_finished", pair("idle")),
                ("...until charts are redrawn", pair("drawn")),
            ]
            if result["clients"] == "browser"
            else []
        ),
        ("page load p50 / p95", pair("page_load")),
        ("errors", str(result["errors"])),
        ("CPU used: server / clients", f"{result['server_cpu_s']:.0f} / {result['clients_cpu_s']:.0f} s"),
        (
            "server RSS: cold / before / peak",
            f"{result['cold_mb']:.0f} / {result['before_mb']:.0f} / {result['peak_mb']:.0f} MB",
        ),
        (
            f"server RSS {result['settle_s']:.0f} s after close / + next visitor",
            f"{result['after_mb']:.0f} / {result['after_visitor_mb']:.0f} MB",
        ),
    ]
    for address, mb in per_process.items():
        sessions = (
            f"{result['sessions_per_process'].get(address, 0)} / {result['connects_per_process'][address]}"
        )
        rss = " / ".join(f"{mb[when]:.0f}" for when in ("before", "peak", "after", "after_visitor"))
        rows.append(
            (
                f"  {address}: sessions (nginx / own count), RSS before/peak/after/+visitor",
                f"{sessions}, {rss} MB",
            )
        )
    if "unknown" in result["sessions_per_process"]:
        rows.append(("  sessions whose process is unknown", str(result["sessions_per_process"]["unknown"])))
    rows += [
        (
            f"  runs on /{page}: count, p50 / p95",
            f"{runs['runs']}, {runs['p50_s']:.3f} / {runs['p95_s']:.3f} s",
        )
        for page, runs in result["runs_by_page"].items()
    ]
    rows += [
        (f"  held by Streamlit, {when}", ", ".join(f"{kind} {mb:.1f} MB" for kind, mb in held.items()))
        for when, held in result["held_by_streamlit_mb"].items()
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    for example in result["error_examples"]:
        print(f"  error: {example}")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    print(json.dumps(result))
    return all(checks.values())


def loopback_only(url: str) -> str:
    host = urlparse(url).hostname or ""
    if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
        raise SystemExit(f"not a loopback address (127.0.0.0/8, ::1 or localhost): {host!r}")
    return url.rstrip("/")


def loopback_cluster(cluster: Cluster) -> Cluster:
    for url in (cluster.url, *(backend.url for backend in cluster.backends)):
        loopback_only(url)
    return cluster


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """--processes / --cluster, shared with the fault test."""
    parser.add_argument(
        "--processes",
        type=int,
        help=f"start this many app processes behind nginx with .deploy/local.py (1-{MAX_PROCESSES}) "
        "and stop them at the end",
    )
    parser.add_argument(
        "--cluster",
        type=Path,
        help="use the processes behind nginx that `python .deploy/local.py start` started "
        "(its cluster.json, e.g. artifacts/deploy/cluster.json)",
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--clients",
        choices=("browser", "protocol"),
        default="browser",
        help="browser: headless Chromium sessions (default); protocol: sessions that replay, over "
        "Streamlit's WebSocket, what one real browser sent, so the clients cost almost no CPU",
    )
    parser.add_argument(
        "--sessions",
        type=int,
        default=20,
        help=f"concurrent sessions (browser 1-{MAX_SESSIONS['browser']}, "
        f"protocol 1-{MAX_SESSIONS['protocol']})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=60,
        help=f"how long they click, once all have arrived (1-{MAX_SECONDS})",
    )
    parser.add_argument("--ramp", type=float, default=15, help="seconds over which the sessions arrive")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="pause between two actions of a session, in seconds",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=120,
        help="seconds to wait after closing before the last memory reading",
    )
    parser.add_argument(
        "--url", help="use this already running loopback server (its pid via --pid) instead of starting one"
    )
    parser.add_argument(
        "--pid", type=int, help="the process id of the server behind --url, for memory readings"
    )
    add_target_options(parser)
    args = parser.parse_args()
    if not (
        1 <= args.sessions <= MAX_SESSIONS[args.clients]
        and 1 <= args.seconds <= MAX_SECONDS
        and 0 <= args.settle <= MAX_SECONDS
        and 0 <= args.ramp <= MAX_SECONDS
        and 0 <= args.think[0] <= args.think[1] <= 60
        and (args.processes is None or 1 <= args.processes <= MAX_PROCESSES)
    ):
        parser.error(
            f"--sessions 1-{MAX_SESSIONS[args.clients]} for {args.clients} clients, "
            f"--seconds 1-{MAX_SECONDS}, --settle 0-{MAX_SECONDS}, --ramp 0-{MAX_SECONDS}, "
            f"--think MIN <= MAX <= 60, --processes 1-{MAX_PROCESSES}"
        )
    if sum(option is not None for option in (args.url, args.processes, args.cluster)) > 1:
        parser.error("one of --url, --processes, --cluster")
    if args.url:
        if args.pid is None:
            parser.error("--url needs --pid (the server's process id) for the memory readings")
        url = loopback_only(args.url)
        return 0 if report(asyncio.run(run(args, Target(url, {urlparse(url).netloc: args.pid})))) else 1
    if args.cluster:
        target = Target.of_cluster(loopback_cluster(Cluster.load(args.cluster)))
        return 0 if report(asyncio.run(run(args, target))) else 1
    ARTIFACTS.mkdir(exist_ok=True)
    if args.processes:
        cluster = Cluster.start(args.processes, ARTIFACTS / "load-cluster")
        try:
            return 0 if report(asyncio.run(run(args, Target.of_cluster(cluster)))) else 1
        finally:
            cluster.stop()
    server = Server(log_path=ARTIFACTS / "load-server.log").start()
    try:
        target = Target(server.url, {urlparse(server.url).netloc: server.process.pid})
        return 0 if report(asyncio.run(run(args, target))) else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
