"""The deployment recipe driven from Python: ``.deploy/local.py`` starts N app processes and nginx
on loopback and records what it started; the tests, the load test and the fault test read that
record, kill one process when asked, and stop everything (not collected as tests)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT

LOCAL_DEPLOY = ROOT / ".deploy" / "local.py"
REPLICA_HEADER = "X-Yarn-Replica"
REPLICA_COOKIE = "yarn_replica"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


def answering_replica(header: str | None) -> str | None:
    """The process that answered, from nginx's ``X-Yarn-Replica`` (``$upstream_addr``: every process
    tried, comma-separated, the one that answered last)."""
    return header.split(",")[-1].strip() if header else None


@dataclass(frozen=True)
class Backend:
    address: str  # host:port, as nginx's $upstream_addr names it
    url: str
    pid: int


@dataclass(frozen=True)
class Cluster:
    url: str  # nginx, in front of every backend
    backends: tuple[Backend, ...]
    nginx_pid: int
    state: Path
    access_log: Path

    @classmethod
    def start(cls, processes: int, state: Path, port: int = 0) -> Cluster:
        """``python .deploy/local.py start`` (free loopback ports with ``port=0``)."""
        command = [sys.executable, str(LOCAL_DEPLOY), "start", "--processes", str(processes)]
        started = subprocess.run(
            [*command, "--port", str(port), "--state", str(state)],
            capture_output=True,
            text=True,
            timeout=240,
        )
        if started.returncode:
            raise RuntimeError(f"{LOCAL_DEPLOY.name} start failed: {started.stderr.strip()[-2000:]}")
        return cls.load(state / "cluster.json")

    @classmethod
    def load(cls, state_file: Path) -> Cluster:
        record = json.loads(Path(state_file).read_text())
        return cls(
            url=record["url"],
            backends=tuple(Backend(b["address"], b["url"], b["pid"]) for b in record["backends"]),
            nginx_pid=record["nginx"]["pid"],
            state=Path(state_file).parent,
            access_log=Path(record["nginx"]["access_log"]),
        )

    def backend(self, address: str) -> Backend:
        return next(backend for backend in self.backends if backend.address == address)

    def kill(self, backend: Backend) -> float:
        """SIGKILL one app process (a lost replica: no goodbye to its sessions); returns the
        monotonic time of the kill."""
        killed_at = time.monotonic()
        os.killpg(backend.pid, signal.SIGKILL)
        return killed_at

    def stop(self) -> None:
        subprocess.run(
            [sys.executable, str(LOCAL_DEPLOY), "stop", "--state", str(self.state)],
            capture_output=True,
            timeout=120,
            check=True,
        )
