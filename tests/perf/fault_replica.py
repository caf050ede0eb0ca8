"""Fault test: one of N app processes behind nginx is lost in the middle of a class (not run by pytest).

    python -m tests.perf.fault_replica --processes 3 --sessions 60 --seconds 60 --kill-after 20

Starts N app processes and nginx on loopback with ``.deploy/local.py`` (or uses --cluster FILE,
the ``cluster.json`` it wrote), records what a real browser sends on every page and warms every
process (as the load test does, tests/perf/load_sessions.py). Then:

* a witness: one headless Chromium reader opens the RoPE lesson through nginx at a link with
  settings in it and moves a slider; the process that holds its WebSocket is the one to be lost;
* N protocol sessions arrive through nginx, each with its own sticky cookie, and replay the
  recorded slider moves of every page, like the load test's protocol sessions (another page is
  opened from a link, on a new WebSocket with the same cookie);
* --kill-after seconds after the last arrival, the witness's process gets SIGKILL: no goodbye to
  its sessions, as when a machine or a container dies.

A session whose WebSocket closes does what Streamlit's frontend does: it asks nginx for
``/_stcore/health`` and opens a new WebSocket with the same cookie (nginx, seeing the lost process
refuse, sends it to the next process on its ring), then resends its last ``rerun_script`` as a
run of the whole page: the current URL and the values its controls hold (the frontend does that
for a run in flight; an idle page waits for the reader's next move, which sends the same). Its
view (every chart, text and number on the page, see ``load_sessions.content_key``) must be the
one it had before; and once the class is over, a fresh load of its URL alone (a new session, no
control values) must draw that same view, since every setting lives in the URL. A session caught
in the middle of a run has no finished view of that run to compare with: only the URL check
applies to it. The witness's frontend reconnects by itself: it must keep the same URL and charts,
and its next move must draw what a fresh load of its new URL draws.

Reported: errors, how many sessions each process held, reconnect time (from the moment a session
saw its WebSocket close, and from the kill, to its first finished run on the new process; and the
witness's, with the frontend's own back-off), sessions that lost state (target 0), what the other
sessions saw (target: no disconnect, no error; their rerun latency before and after the kill), and
each process's memory before / peak / after (after --settle seconds and one visitor per process).
Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.deploy.cluster import REPLICA_HEADER, Cluster, answering_replica
from tests.perf.load_sessions import (
    ERRORS_ON_PAGE,
    MAX_SECONDS,
    MAX_SESSIONS,
    RECORDED_MOVES,
    Classroom,
    RerunClock,
    Stats,
    Target,
    add_target_options,
    connect,
    header,
    memory_of,
    move_a_slider,
    open_page,
    percentile,
    replica_of,
    route_cookie,
    sample_memory,
    timed_run,
    view_digest,
    visit_each,
    warm_up_all,
)
from tests.support.streamlit_page import (
    ARTIFACTS,
    CHART_FINGERPRINT,
    CHROMIUM,
    CHROMIUM_ARGS,
    READY,
    TRACK_RUNS,
)

WITNESS_PAGE = "rope"
WITNESS_QUERY = "rope_n=300&s=3"
RECONNECT_TRIES = 50
RECONNECT_PAUSE_S = 0.2
RECONNECT_TIMEOUT_S = 60.0
AFTER_KILL_WINDOW_S = 10.0  # the others' reruns in this window after the kill are compared with before it


def without_cache_claims(message: bytes, query_string: str | None = None) -> bytes:
    """``message`` without the browser's ``cached_message_hashes`` (so every reply carries its full
    content and views compare), optionally with another URL query."""
    parsed = BackMsg()
    parsed.ParseFromString(message)
    parsed.rerun_script.ClearField("cached_message_hashes")
    if query_string is not None:
        parsed.rerun_script.query_string = query_string
    return parsed.SerializeToString()


def as_full_rerun(message: bytes) -> bytes:
    """What the frontend sends once reconnected: the same URL and control values, as a run of the
    whole page (a fragment's run names a fragment the new process does not have)."""
    parsed = BackMsg()
    parsed.ParseFromString(message)
    parsed.rerun_script.ClearField("fragment_id")
    return parsed.SerializeToString()


def parsed_run(message: bytes):
    parsed = BackMsg()
    parsed.ParseFromString(message)
    return parsed.rerun_script


@dataclass
class Recovery:
    session: int
    path: str
    query_string: str  # its URL's query
    lost: str | None  # the process it was on
    now_on: str | None
    in_flight: bool  # its WebSocket closed during a run
    tries: int
    connected_s: float  # from seeing its WebSocket close to a new one open
    since_close_s: float  # ... to its first finished run on the new process
    since_kill_s: float
    view: str  # what it shows once back
    same_view: bool | None  # the resent run draws the view it had (None: caught mid-run)
    url_restores: bool | None = None  # a fresh load of its URL alone draws that view too


@dataclass
class Fault:
    """What the sessions share: the deadline, the kill and what they saw."""

    url: str
    recording: dict[str, list[bytes]]
    room: Classroom
    think: tuple[float, float]
    killed_at: float | None = None
    victim: str | None = None
    stats: Stats = field(default_factory=Stats)
    reruns: list[tuple[int, float, float]] = field(default_factory=list)  # (session, monotonic, s)
    recoveries: list[Recovery] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # sessions that could not come back
    held_at_kill: dict[str, int] = field(default_factory=dict)  # sessions per process at the kill
    replica_at_kill: dict[int, str | None] = field(default_factory=dict)  # session -> its process


class FaultSession:
    """A protocol session that, like Streamlit's frontend, reconnects when its WebSocket closes."""

    def __init__(self, index: int, fault: Fault):
        self.index = index
        self.fault = fault
        self.rng = random.Random(index)
        self.pages = sorted(fault.recording)
        self.path = self.pages[index % len(self.pages)]
        self.move = 0
        self.cookie: str | None = None
        self.socket = None
        self.last: bytes | None = None  # the last rerun_script that finished
        self.page: dict[tuple[int, ...], str] = {}  # what the page shows where

    def message(self, path: str, number: int) -> bytes:
        return without_cache_claims(self.fault.recording[path][number])

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        stats = self.fault.stats
        try:
            self.cookie = await asyncio.to_thread(route_cookie, f"{self.fault.url}/{self.path}")
            self.socket = await connect(self.fault.url, self.cookie)
            stats.replica[self.index] = replica_of(self.socket)
            try:
                await self.send(self.message(self.path, 0), page_load=True)
            finally:
                self.fault.room.arrived()
            await self.fault.room.all_in.wait()
            while time.monotonic() < self.fault.room.deadline:
                if await self.closed_within(self.rng.uniform(*self.fault.think)):
                    await self.recover(self.last, in_flight=False)
                    continue
                moves = len(self.fault.recording[self.path]) - 1
                if self.rng.random() < 0.15 or not moves:
                    await self.open_another_page()
                    message, page_load = self.message(self.path, 0), True
                else:
                    message, page_load = self.message(self.path, 1 + self.move % moves), False
                    self.move += 1
                try:
                    await self.send(message, page_load)
                except ConnectionClosed:
                    await self.recover(message, in_flight=True)
                stats.actions += 1
        except Exception as err:
            stats.errors.append(f"session {self.index}: gave up: {type(err).__name__}: {str(err)[:160]}")
        finally:
            if self.socket is not None:
                await self.socket.close()

    async def open_another_page(self) -> None:
        """Another page, opened from a link on a new WebSocket (same cookie, so the same process):
        the page's first-load message carries no control values, and a session's earlier moves
        on another page would otherwise stay in its view without being in its URL."""
        self.path, self.move = self.rng.choice(self.pages), 0
        await self.socket.close()
        self.socket = await connect(self.fault.url, self.cookie)
        self.fault.stats.replica[self.index] = replica_of(self.socket)

    async def send(self, message: bytes, page_load: bool) -> None:
        run = await timed_run(self.socket, message, keep_view=True)
        (self.fault.stats.page_load_s if page_load else self.fault.stats.rerun_s).append(run.seconds)
        if not page_load:
            self.fault.reruns.append((self.index, time.monotonic(), run.seconds))
        self.fault.stats.errors += [f"session {self.index}: on /{self.path}: {p}" for p in run.problems]
        self.last = message
        self.page = {**self.page, **run.shown} if parsed_run(message).fragment_id else run.shown

    async def closed_within(self, seconds: float) -> bool:
        """Think for ``seconds``, or less if the WebSocket closes meanwhile (True then)."""
        try:
            await asyncio.wait_for(asyncio.shield(self.socket.wait_closed()), seconds)
        except TimeoutError:
            return False
        return True

    async def recover(self, message: bytes, in_flight: bool) -> None:
        """Reconnect through nginx as the frontend does, resend ``message`` and check the view."""
        closed_at = time.monotonic()
        lost = self.fault.stats.replica.get(self.index)
        with contextlib.suppress(Exception):
            await self.socket.close()
        self.socket = None
        tries = 0
        while tries < RECONNECT_TRIES:
            tries += 1
            try:
                await asyncio.to_thread(self.ping)
                self.socket = await connect(self.fault.url, self.cookie)
                break
            except (OSError, InvalidStatus, TimeoutError):
                if time.monotonic() - closed_at > RECONNECT_TIMEOUT_S:
                    break
                await asyncio.sleep(RECONNECT_PAUSE_S)
        if self.socket is None:
            self.fault.failed.append(f"session {self.index}: no new WebSocket after {tries} tries")
            raise ConnectionError("could not reconnect")
        connected = time.monotonic()
        now_on = replica_of(self.socket)
        self.fault.stats.replica[self.index] = now_on
        before = view_digest(self.page)
        message = as_full_rerun(message)
        run = await timed_run(self.socket, message, keep_view=True)
        done = time.monotonic()
        self.fault.stats.errors += [f"session {self.index}: after reconnect: {p}" for p in run.problems]
        after = view_digest(run.shown)
        self.fault.recoveries.append(
            Recovery(
                session=self.index,
                path=self.path,
                query_string=parsed_run(message).query_string,
                lost=lost,
                now_on=now_on,
                in_flight=in_flight,
                tries=tries,
                connected_s=round(connected - closed_at, 3),
                since_close_s=round(done - closed_at, 3),
                since_kill_s=round(done - (self.fault.killed_at or closed_at), 3),
                view=after,
                same_view=None if in_flight else after == before,
            )
        )
        self.last, self.page = message, run.shown

    def ping(self) -> None:
        request = urllib.request.Request(
            f"{self.fault.url}/_stcore/health", headers={"Cookie": self.cookie} if self.cookie else {}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()


async def check_urls(fault: Fault) -> None:
    """Once the class is over (so the checks add no load to the failover): for every session that
    came back, a fresh load of its URL alone (a new session through nginx, no cookie: whichever
    process nginx picks, no control values but the URL's) must draw the view it came back to."""
    for recovery in fault.recoveries:
        first_load = without_cache_claims(fault.recording[recovery.path][0], recovery.query_string)
        async with connect(fault.url, None) as socket:
            fresh = view_digest((await timed_run(socket, first_load, keep_view=True)).shown)
        recovery.url_restores = fresh == recovery.view


@dataclass
class Witness:
    """One real browser on the process that is lost. Streamlit's frontend, reconnected while idle,
    keeps its page and asks for no run (it reruns only a run that was in flight); the reader's next
    move then runs on the new process with the URL and the control values the page holds."""

    replica: str | None = None
    now_on: str | None = None
    url_before: str | None = None
    charts_before: list[str] | None = None
    reconnected_after_kill_s: float | None = None
    kept_page: bool = False  # same URL and charts once reconnected
    next_move_after_kill_s: float | None = None
    matches_fresh_load: bool = False  # after that move: a new URL, and the charts a fresh load of it draws
    errors: list[str] = field(default_factory=list)

    async def open(self, browser, base: str) -> None:
        self.browser = browser
        self.context = await browser.new_context(viewport={"width": 1280, "height": 900})
        await self.context.add_init_script(TRACK_RUNS)
        self.page = await self.context.new_page()
        devtools = await self.context.new_cdp_session(self.page)
        devtools.on(
            "Network.webSocketHandshakeResponseReceived",
            lambda event: setattr(
                self, "now_on", answering_replica(header(event["response"]["headers"], REPLICA_HEADER))
            ),
        )
        await devtools.send("Network.enable")
        await open_page(self.page, f"{base}/{WITNESS_PAGE}?{WITNESS_QUERY}", Stats())
        await move_a_slider(self.page, RerunClock(), random.Random(1), Stats())
        self.replica = self.now_on
        self.url_before = self.page.url
        self.charts_before = await self.page.evaluate(CHART_FINGERPRINT)

    async def watch(self, killed: asyncio.Event, fault: Fault) -> None:
        await killed.wait()
        try:
            deadline = time.monotonic() + RECONNECT_TIMEOUT_S
            while self.now_on == self.replica and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if self.now_on == self.replica:
                raise TimeoutError(f"no new WebSocket within {RECONNECT_TIMEOUT_S:.0f} s")
            await self.page.wait_for_function(READY, timeout=RECONNECT_TIMEOUT_S * 1000, polling=50)
            self.reconnected_after_kill_s = round(time.monotonic() - fault.killed_at, 3)
            self.kept_page = (
                self.page.url == self.url_before
                and await self.page.evaluate(CHART_FINGERPRINT) == self.charts_before
            )
            await move_a_slider(self.page, RerunClock(), random.Random(2), Stats())
            self.next_move_after_kill_s = round(time.monotonic() - fault.killed_at, 3)
            self.errors += await self.page.evaluate(ERRORS_ON_PAGE)
            charts = await self.page.evaluate(CHART_FINGERPRINT)
            fresh = await self.browser.new_context(viewport={"width": 1280, "height": 900})
            await fresh.add_init_script(TRACK_RUNS)
            reader = await fresh.new_page()
            await open_page(reader, self.page.url, Stats())
            self.matches_fresh_load = self.page.url != self.url_before and charts == await reader.evaluate(
                CHART_FINGERPRINT
            )
            await fresh.close()
        except Exception as err:
            self.errors.append(f"witness: {type(err).__name__}: {str(err).splitlines()[0][:160]}")
        finally:
            await self.context.close()

    @property
    def restored(self) -> bool:
        return self.kept_page and self.matches_fresh_load and not self.errors


async def run(args, cluster: Cluster) -> dict:
    from playwright.async_api import async_playwright

    target = Target.of_cluster(cluster)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        warm_stats = Stats()
        recording = await warm_up_all(browser, target, RECORDED_MOVES, warm_stats)
        witness = Witness()
        await witness.open(browser, cluster.url)
        await asyncio.sleep(2)
        memory = {"before": memory_of(target)}

        room = Classroom(args.sessions, args.seconds)
        fault = Fault(cluster.url, recording, room, tuple(args.think))
        fault.stats.errors += warm_stats.errors
        samples: dict[str, list[float]] = {address: [] for address in (*target.processes, "total")}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_memory(target, samples, stop))
        killed = asyncio.Event()
        watcher = asyncio.create_task(witness.watch(killed, fault))

        async def kill_one() -> None:
            await room.all_in.wait()
            await asyncio.sleep(args.kill_after)
            counts = {address: 0 for address in target.processes}
            for replica in fault.stats.replica.values():
                counts[replica] = counts.get(replica, 0) + 1
            fault.victim = witness.replica or max(counts, key=counts.get)
            fault.held_at_kill = counts
            fault.replica_at_kill = dict(fault.stats.replica)
            fault.killed_at = cluster.kill(cluster.backend(fault.victim))
            killed.set()

        killer = asyncio.create_task(kill_one())
        await asyncio.gather(
            *(FaultSession(i, fault).run(args.ramp * i / args.sessions) for i in range(args.sessions))
        )
        await killer
        await watcher
        await check_urls(fault)
        stop.set()
        await sampler
        survivors = Target(target.url, {a: p for a, p in target.processes.items() if a != fault.victim})
        last = memory_of(survivors)
        memory["peak"] = {a: max([*samples[a], last.get(a, 0.0)]) for a in target.processes}
        print(f"sessions closed; waiting {args.settle:.0f} s before measuring memory again", flush=True)
        await asyncio.sleep(args.settle)
        await visit_each(browser, survivors)
        await asyncio.sleep(2)
        memory["after"] = memory_of(survivors)
        await browser.close()
    return summary(args, fault, witness, target, memory)


def summary(args, fault: Fault, witness: Witness, target: Target, memory: dict) -> dict:
    moved = [r for r in fault.recoveries if r.lost == fault.victim]
    others = [r for r in fault.recoveries if r.lost != fault.victim]
    on_victim = fault.held_at_kill.get(fault.victim, 0)
    lost_state = [r for r in moved if r.same_view is False or not r.url_restores]
    # A session that was opening another page at the kill got its new WebSocket from nginx on
    # another process without ever seeing one close: a fresh page load, nothing to restore.
    recovered = {r.session for r in moved}
    moved_while_opening = [
        i
        for i, replica in fault.replica_at_kill.items()
        if replica == fault.victim and i not in recovered and fault.stats.replica.get(i) != fault.victim
    ]
    before = [s for i, at, s in fault.reruns if at < fault.killed_at]
    window = [
        s
        for i, at, s in fault.reruns
        if fault.killed_at <= at < fault.killed_at + AFTER_KILL_WINDOW_S
        and fault.stats.replica.get(i) != fault.victim
        and i not in {r.session for r in moved}
    ]

    def p50_p95(values: list[float]) -> list[float] | None:
        return [round(percentile(values, 0.5), 3), round(percentile(values, 0.95), 3)] if values else None

    return {
        "processes": len(target.processes),
        "sessions": args.sessions,
        "url": target.url,
        "seconds": args.seconds,
        "kill_after_s": args.kill_after,
        "victim": fault.victim,
        "sessions_per_process_at_kill": fault.held_at_kill,
        "actions": fault.stats.actions,
        "errors": len(fault.stats.errors),
        "error_examples": fault.stats.errors[:10],
        "rerun_p50_p95_s": p50_p95(fault.stats.rerun_s),
        "page_load_p50_p95_s": p50_p95(fault.stats.page_load_s),
        "victim_sessions": on_victim,
        "reconnected": len(moved),
        "moved_while_opening_a_page": len(moved_while_opening),
        "could_not_reconnect": fault.failed,
        "caught_mid_run": sum(r.in_flight for r in moved),
        "new_websocket_since_close_p50_p95_max_s": p50_p95([r.connected_s for r in moved])
        and [*p50_p95([r.connected_s for r in moved]), max(r.connected_s for r in moved)],
        "reconnect_since_close_p50_p95_max_s": p50_p95([r.since_close_s for r in moved])
        and [*p50_p95([r.since_close_s for r in moved]), max(r.since_close_s for r in moved)],
        "reconnect_since_kill_p50_p95_max_s": p50_p95([r.since_kill_s for r in moved])
        and [*p50_p95([r.since_kill_s for r in moved]), max(r.since_kill_s for r in moved)],
        "moved_to": {a: sum(r.now_on == a for r in moved) for a in target.processes if a != fault.victim},
        "reconnect_tries_max": max((r.tries for r in moved), default=0),
        "lost_state": len(lost_state),
        "lost_state_examples": [r.__dict__ for r in lost_state[:5]],
        "same_view_checked": sum(r.same_view is not None for r in moved),
        "url_restores_checked": len(moved),
        "others_disconnected": len(others),
        "others_rerun_p50_p95_s_before_kill": p50_p95(before),
        "others_rerun_p50_p95_s_in_10s_after_kill": p50_p95(window),
        "witness": {
            "on": witness.replica,
            "now_on": witness.now_on,
            "url": witness.url_before,
            "charts": len(witness.charts_before or []),
            "reconnected_after_kill_s": witness.reconnected_after_kill_s,
            "kept_page": witness.kept_page,
            "next_move_after_kill_s": witness.next_move_after_kill_s,
            "matches_fresh_load": witness.matches_fresh_load,
            "restored": witness.restored,
            "errors": witness.errors,
        },
        "memory_per_process_mb": {
            address: {
                when: round(by_process[address], 1)
                for when, by_process in memory.items()
                if address in by_process
            }
            for address in target.processes
        },
        "settle_s": args.settle,
    }


def report(result: dict) -> bool:
    witness = result["witness"]
    checks = {
        "0 errors": result["errors"] == 0,
        "every session of the lost process came back": result["reconnected"]
        + result["moved_while_opening_a_page"]
        == result["victim_sessions"]
        and not result["could_not_reconnect"],
        "0 sessions lost state": result["lost_state"] == 0,
        "the other sessions never noticed (no disconnect)": result["others_disconnected"] == 0,
        "the witness browser kept its page, and its next move drew what its URL draws": witness["restored"],
    }
    print(json.dumps(result, indent=2))
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return all(checks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=60, help=f"1-{MAX_SESSIONS['protocol']}")
    parser.add_argument("--seconds", type=float, default=60, help=f"once all have arrived (1-{MAX_SECONDS})")
    parser.add_argument("--kill-after", type=float, default=20, help="seconds after the last arrival")
    parser.add_argument("--ramp", type=float, default=15, help="seconds over which the sessions arrive")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--settle", type=float, default=120, help="seconds before the last memory reading")
    add_target_options(parser)
    args = parser.parse_args()
    if not (
        1 <= args.sessions <= MAX_SESSIONS["protocol"]
        and 1 <= args.seconds <= MAX_SECONDS
        and 0 < args.kill_after < args.seconds
        and 0 <= args.ramp <= MAX_SECONDS
        and 0 <= args.settle <= MAX_SECONDS
        and 0 <= args.think[0] <= args.think[1] <= 60
        and (args.processes is None or 2 <= args.processes <= 8)
    ):
        parser.error(
            f"--sessions 1-{MAX_SESSIONS['protocol']}, --seconds 1-{MAX_SECONDS}, 0 < --kill-after < "
            f"--seconds, --ramp/--settle 0-{MAX_SECONDS}, --think MIN <= MAX <= 60, --processes 2-8"
        )
    if args.processes and args.cluster:
        parser.error("one of --processes, --cluster")
    if args.cluster:
        return 0 if report(asyncio.run(run(args, Cluster.load(args.cluster)))) else 1
    ARTIFACTS.mkdir(exist_ok=True)
    cluster = Cluster.start(args.processes or 3, ARTIFACTS / "fault-cluster")
    try:
        return 0 if report(asyncio.run(run(args, cluster))) else 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
