"""The lab's pool of live jobs, shared by every session: at most ``workers`` jobs run at once (the
machine's cores minus one for the pages, at least one), the others wait in arrival order, and each
waiting reader is told their place in the queue and about how long until their job starts.

No Streamlit here: a waiter reports through a callback, ``on_wait(place, estimate_s)``, which
``lab_jobs.run_live`` points at its status box.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator

Report = Callable[[int, float | None], None]

POLL_S = 0.5  # how often a waiter re-reports its place (and its estimate)
RECENT_JOBS = 20  # the estimate averages the durations of this many latest jobs


class QueueStalled(Exception):
    """Nothing in the pool moved (no job started or finished) for the whole allowed wait."""


def machine_workers(cores: int | None = None) -> int:
    """Cores minus one (the pages keep one), at least one: ``cores`` or the cores this process may
    run on."""
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


class JobPool:
    """A first-come, first-served pool of ``workers`` slots. :meth:`slot` holds one while a job runs;
    a waiter gives up with :class:`QueueStalled` only when the pool made no progress for
    ``stall_s`` seconds (a long queue that moves is waited out)."""

    def __init__(self, workers: int, stall_s: float):
        if workers < 1:
            raise ValueError("a pool needs at least one worker")
        self.workers = workers
        self.stall_s = stall_s
        self._changed = threading.Condition()
        self._waiting: deque[object] = deque()
        self._running = 0
        self._durations: deque[float] = deque(maxlen=RECENT_JOBS)
        self._moved_at = time.monotonic()

    @property
    def running(self) -> int:
        with self._changed:
            return self._running

    @property
    def waiting(self) -> int:
        with self._changed:
            return len(self._waiting)

    def typical_job_s(self) -> float | None:
        """The mean duration of the latest jobs, None before the first has finished."""
        with self._changed:
            return sum(self._durations) / len(self._durations) if self._durations else None

    def estimate_s(self, place: int) -> float | None:
        """About how long the waiter at ``place`` (1 = next) waits for a slot: with ``ahead`` jobs
        before it (the running ones and the waiters in front), ``ahead - workers + 1`` of them must
        finish, ``workers`` at a time, each in the typical duration. None before any job finished."""
        typical = self.typical_job_s()
        if typical is None:
            return None
        with self._changed:
            ahead = self._running + place - 1
        return math.ceil(max(ahead - self.workers + 1, 0) / self.workers) * typical

    def _free(self, ticket: object) -> bool:
        return self._running < self.workers and self._waiting[0] is ticket

    @contextlib.contextmanager
    def slot(self, on_wait: Report | None = None, stall_s: float | None = None) -> Iterator[None]:
        """Hold one of the pool's slots for the ``with`` body, in arrival order; while waiting,
        ``on_wait(place, estimate_s)`` is called about every POLL_S seconds, outside the pool's lock
        (place 1 = next in line). ``stall_s`` overrides the pool's allowed stall for this wait."""
        stall_s = self.stall_s if stall_s is None else stall_s
        ticket = object()
        with self._changed:
            self._waiting.append(ticket)
            free = self._free(ticket)
        try:
            while not free:
                with self._changed:
                    place = self._waiting.index(ticket) + 1
                if on_wait is not None:
                    on_wait(place, self.estimate_s(place))
                with self._changed:
                    self._changed.wait_for(lambda: self._free(ticket), timeout=POLL_S)
                    free = self._free(ticket)
                    if not free and time.monotonic() - self._moved_at > stall_s:
                        raise QueueStalled(f"the lab's queue has not moved for {stall_s:g} s")
            with self._changed:
                self._waiting.popleft()
                self._running += 1
                self._moved_at = started = time.monotonic()
                self._changed.notify_all()
        except BaseException:
            with self._changed:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                    self._changed.notify_all()
            raise
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._moved_at = time.monotonic()
                self._durations.append(self._moved_at - started)
                self._changed.notify_all()
