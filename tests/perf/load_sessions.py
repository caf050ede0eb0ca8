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
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import os
import random
import re
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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

MAX_SESSIONS = 50
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
  ...(document.body.innerText.includes('This app has encountered an error') ? ['This app has encountered an error'] : []),
  ...(document.querySelector('[role="dialog"]') && document.querySelector('[role="dialog"]').innerText.includes('Page not found')
      ? ['Page not found'] : [])]"""

# A visible, enabled slider (main area or sidebar) and the arrow key that moves it inside its range.
PICK_SLIDER = """(choice) => {
  const sliders = Array.from(document.querySelectorAll('input[type="range"]')).filter(s =>
    !s.disabled && !s.closest('details:not([open])') && s.closest('[data-testid="stSlider"]')
    && s.closest('[data-testid="stSlider"]').getBoundingClientRect().width > 0);
  if (!sliders.length) return null;
  const slider = sliders[Math.floor(choice * sliders.length)];
  slider.id = slider.id || `load-${Math.random().toString(36).slice(2)}`;
  const up = Number(slider.value) < Number(slider.max) && (Number(slider.value) <= Number(slider.min) || choice < 0.5);
  return {id: slider.id, key: up ? 'ArrowRight' : 'ArrowLeft'};
}"""


def cpu_seconds(pid: int, skip: int | None = None) -> float:
    """User + system CPU time of ``pid`` and all its descendants (but not ``skip``'s), from /proc."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        if current == skip:
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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Stats:
    def __init__(self):
        self.rerun_s: list[float] = []
        self.idle_s: list[float] = []
        self.drawn_s: list[float] = []
        self.page_load_s: list[float] = []
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


async def timed_run(socket, message: bytes) -> tuple[float, list[str]]:
    """Send one ``rerun_script`` over a Streamlit WebSocket and read until that run's
    ``script_finished``: the seconds it took, and any errors the run sent (an exception element, a
    page-not-found message)."""
    problems = []
    start = time.perf_counter()
    await socket.send(message)
    while True:
        reply = ForwardMsg()
        reply.ParseFromString(await asyncio.wait_for(socket.recv(), RERUN_TIMEOUT_MS / 1000))
        kind = reply.WhichOneof("type")
        if (
            kind == "delta"
            and reply.delta.WhichOneof("type") == "new_element"
            and reply.delta.new_element.WhichOneof("type") == "exception"
        ):
            problems.append(f"exception element: {reply.delta.new_element.exception.type}")
        elif kind == "page_not_found":
            problems.append("page not found")
        elif kind == "script_finished" and reply.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return time.perf_counter() - start, problems


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
    import websockets

    rng = random.Random(index)
    pages = sorted(recording)
    await asyncio.sleep(delay)
    try:
        async with websockets.connect(
            f"ws{base[4:]}/_stcore/stream", subprotocols=["streamlit"], max_size=None, compression=None
        ) as socket:

            async def visit(path: str) -> None:
                seconds, problems = await timed_run(socket, recording[path][0])
                stats.page_load_s.append(seconds)
                stats.errors += [f"session {index}: on /{path}: {problem}" for problem in problems]

            path = pages[index % len(pages)]
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
                    seconds, problems = await timed_run(socket, moves[move % len(moves)])
                    move += 1
                    stats.rerun_s.append(seconds)
                    stats.errors += [f"session {index}: on /{path}: {problem}" for problem in problems]
                stats.actions += 1
    except Exception as err:
        stats.errors.append(
            f"session {index}: gave up: {type(err).__name__}: {str(err).splitlines()[0][:160]}"
        )


async def sample_memory(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(server_rss_mb(pid))
        try:
            await asyncio.wait_for(stop.wait(), timeout=1.0)
        except TimeoutError:
            pass


async def run(args, server_pid: int, base: str) -> dict:
    from playwright.async_api import async_playwright

    stats = Stats()
    if args.clients == "browser":
        os.nice(BROWSER_NICENESS)  # the browsers (children of this process) yield the CPU to the server
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        memory = {"cold_mb": server_rss_mb(server_pid)}
        recording = await warm_up(browser, base, moves=RECORDED_MOVES if args.clients == "protocol" else 0)
        await asyncio.sleep(2)
        memory["before_mb"] = server_rss_mb(server_pid)
        held = {"before": server_metrics(base)}

        samples: list[float] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(server_pid, samples, stop))
        cpu_before = {"server": cpu_seconds(server_pid), "clients": cpu_seconds(os.getpid(), skip=server_pid)}
        room = Classroom(args.sessions, args.seconds)
        if args.clients == "protocol":
            await asyncio.gather(
                *(
                    protocol_student(
                        base, i, args.ramp * i / args.sessions, room, args.think, stats, recording
                    )
                    for i in range(args.sessions)
                )
            )
        else:
            await asyncio.gather(
                *(
                    student(browser, base, i, args.ramp * i / args.sessions, room, args.think, stats)
                    for i in range(args.sessions)
                )
            )
        elapsed = time.perf_counter() - room.started
        cpu = {
            "server": cpu_seconds(server_pid) - cpu_before["server"],
            "clients": cpu_seconds(os.getpid(), skip=server_pid) - cpu_before["clients"],
        }
        stop.set()
        await sampler
        memory["peak_mb"] = max(samples + [server_rss_mb(server_pid)])
        held["end"] = server_metrics(base)

        print(f"sessions closed; waiting {args.settle:.0f} s before measuring memory again", flush=True)
        await asyncio.sleep(args.settle)
        memory["after_mb"] = server_rss_mb(server_pid)
        held["after"] = server_metrics(base)
        # Streamlit drops expired disconnected sessions only when its session store is next written
        # to, i.e. when someone connects: one visitor, then the last reading.
        visitor = await browser.new_context()
        await visitor.add_init_script(TRACK_RUNS)
        await open_page(await visitor.new_page(), f"{base}/", Stats())
        await visitor.close()
        await asyncio.sleep(2)
        memory["after_visitor_mb"] = server_rss_mb(server_pid)
        held["after_visitor"] = server_metrics(base)
        await browser.close()
    figures = {
        "clients": args.clients,
        "sessions": args.sessions,
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
    return {
        **figures,
        "errors": len(stats.errors),
        "error_examples": stats.errors[:10],
        "server_cpu_s": round(cpu["server"], 1),
        "clients_cpu_s": round(cpu["clients"], 1),
        **{key: round(value, 1) for key, value in memory.items()},
        "held_by_streamlit_mb": held,
        "settle_s": args.settle,
    }


def report(result: dict) -> bool:
    back = result["after_visitor_mb"] <= result["before_mb"] * (1 + MEMORY_TOLERANCE)
    checks = {
        "0 errors": result["errors"] == 0,
        f"rerun p95 <= {P95_TARGET_S:g} s": result["rerun_p95_s"] is not None
        and result["rerun_p95_s"] <= P95_TARGET_S,
        f"memory back within {MEMORY_TOLERANCE:.0%} of its start": back,
    }

    def pair(name):
        if result[f"{name}_p50_s"] is None:
            return "none timed"
        return f"{result[f'{name}_p50_s']:.3f} / {result[f'{name}_p95_s']:.3f} s"

    rows = [
        ("sessions x seconds", f"{result['sessions']} {result['clients']} x {result['seconds']}"),
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
        raise SystemExit(f"--url must be a loopback address (127.0.0.0/8, ::1 or localhost), not {host!r}")
    return url.rstrip("/")


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
        "--sessions", type=int, default=20, help=f"concurrent browser sessions (1-{MAX_SESSIONS})"
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
    args = parser.parse_args()
    if not (
        1 <= args.sessions <= MAX_SESSIONS
        and 1 <= args.seconds <= MAX_SECONDS
        and 0 <= args.settle <= MAX_SECONDS
        and 0 <= args.ramp <= MAX_SECONDS
        and 0 <= args.think[0] <= args.think[1] <= 60
    ):
        parser.error(
            f"--sessions 1-{MAX_SESSIONS}, --seconds 1-{MAX_SECONDS}, --settle 0-{MAX_SECONDS}, "
            f"--ramp 0-{MAX_SECONDS}, --think MIN <= MAX <= 60"
        )
    if args.url:
        if args.pid is None:
            parser.error("--url needs --pid (the server's process id) for the memory readings")
        return 0 if report(asyncio.run(run(args, args.pid, loopback_only(args.url)))) else 1
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(log_path=ARTIFACTS / "load-server.log").start()
    try:
        return 0 if report(asyncio.run(run(args, server.process.pid, server.url))) else 1
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
