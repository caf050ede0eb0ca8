"""A local course server: N YaRN Explorer processes behind Debian's nginx, all on loopback.

    python .deploy/local.py start --processes 3          # nginx on http://127.0.0.1:8500
    python .deploy/local.py status
    python .deploy/local.py stop
    python .deploy/local.py render --listen 80 --backend 127.0.0.1:8501 --backend 127.0.0.1:8502

``start`` runs each process exactly as the README does (``MALLOC_ARENA_MAX=2 streamlit run app.py``)
on its own loopback port (nginx's port + 1, + 2, ..., or free ports with ``--port 0``), waits for
each one's ``/_stcore/health``, then starts nginx with ``.deploy/nginx-site.conf`` (sticky
sessions, WebSocket upgrade) in front of them, and writes what it started (ports, process ids,
logs) to ``STATE/cluster.json`` (default STATE: ``artifacts/deploy``). ``stop`` ends exactly those
processes. ``render`` prints the site configuration for other backends, e.g. for
/etc/nginx/conf.d/ on one big machine. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = Path(__file__).resolve().parent / "nginx-site.conf"
DEFAULT_STATE = ROOT / "artifacts" / "deploy"
LOOPBACK = "127.0.0.1"
MAX_PROCESSES = 16
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 15.0
UPSTREAM_OPTIONS = "max_fails=1 fail_timeout=10s"


def render_site(listen: str, backends: list[str], access_log: str) -> str:
    """The site configuration with its three fields filled in."""
    servers = "\n".join(f"    server {backend} {UPSTREAM_OPTIONS};" for backend in backends)
    return (
        SITE_TEMPLATE.read_text()
        .replace("@UPSTREAM_SERVERS@", servers)
        .replace("@LISTEN@", listen)
        .replace("@ACCESS_LOG@", access_log)
    )


def render_main(state: Path, site: Path) -> str:
    """A whole nginx.conf for a local run: everything (pid, logs, temporary files) under ``state``."""
    worker_user = "user www-data;\n" if os.geteuid() == 0 and _user_exists("www-data") else ""
    temp_paths = "".join(
        f"    {kind}_temp_path {state / 'tmp' / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{worker_user}worker_processes 1;\n"
        f"pid {state / 'nginx.pid'};\n"
        f"error_log {state / 'nginx-error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"{temp_paths}"
        f"    include {site};\n"
        "}\n"
    )


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, port)) == 0


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        raise SystemExit("nginx is not installed: apt-get install -y nginx")
    return found


def launch(command: list[str], log: Path, env: dict[str, str] | None = None) -> int:
    """Start ``command`` in its own process group, output to ``log``; returns its process id."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return process.pid


def alive(pid: int) -> bool:
    """``pid`` runs and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def ours(entry: dict) -> bool:
    """The process recorded in ``entry`` still runs the command we started (not a reused pid)."""
    try:
        cmdline = Path(f"/proc/{entry['pid']}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return alive(entry["pid"]) and entry["marker"].encode() in cmdline


def end(entries: list[dict]) -> None:
    """SIGTERM each recorded process group that is still ours, then SIGKILL what is left."""
    running = [entry for entry in entries if ours(entry)]
    for entry in running:
        os.killpg(entry["pid"], signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline and any(alive(entry["pid"]) for entry in running):
        _reap()
        time.sleep(0.1)
    for entry in running:
        if alive(entry["pid"]):
            os.killpg(entry["pid"], signal.SIGKILL)
    _reap()


def _reap() -> None:
    """Collect children of this process that have exited (``start`` and ``stop`` in one process)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def start(processes: int, port: int, state: Path) -> dict:
    state_file = state / "cluster.json"
    if state_file.exists() and any(ours(entry) for entry in _entries(json.loads(state_file.read_text()))):
        raise SystemExit(f"already running (see {state_file}); stop it first: python .deploy/local.py stop")
    nginx = nginx_binary()
    ports = [port + i for i in range(processes + 1)] if port else [free_port() for _ in range(processes + 1)]
    taken = [p for p in ports if port_in_use(p)]
    if taken or len(set(ports)) < len(ports):
        raise SystemExit(f"loopback ports in use: {taken or ports}; pick another --port (0: free ones)")
    state.mkdir(parents=True, exist_ok=True)
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (state / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    cluster: dict = {"url": f"http://{LOOPBACK}:{ports[0]}", "backends": [], "nginx": None}
    try:
        for backend_port in ports[1:]:
            command = [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.address",
                LOOPBACK,
                "--server.port",
                str(backend_port),
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ]
            log = state / f"app-{backend_port}.log"
            cluster["backends"].append(
                {
                    "address": f"{LOOPBACK}:{backend_port}",
                    "url": f"http://{LOOPBACK}:{backend_port}",
                    "pid": launch(command, log, env),
                    "marker": "app.py",
                    "log": str(log),
                }
            )
        _wait_healthy(cluster["backends"])
        site = state / "nginx-site.conf"
        site.write_text(
            render_site(
                f"{LOOPBACK}:{ports[0]}",
                [backend["address"] for backend in cluster["backends"]],
                str(state / "nginx-access.log"),
            )
        )
        main = state / "nginx.conf"
        main.write_text(render_main(state, site))
        checked = subprocess.run(
            [nginx, "-t", "-q", "-e", str(state / "nginx-error.log"), "-p", str(state), "-c", str(main)],
            capture_output=True,
            text=True,
        )
        if checked.returncode:
            raise RuntimeError(f"nginx -t refused {main}: {checked.stderr.strip()}")
        log = state / "nginx.log"
        cluster["nginx"] = {
            "address": f"{LOOPBACK}:{ports[0]}",
            "url": cluster["url"],
            "pid": launch(
                [
                    nginx,
                    "-e",
                    str(state / "nginx-error.log"),
                    "-p",
                    str(state),
                    "-c",
                    str(main),
                    "-g",
                    "daemon off;",
                ],
                log,
            ),
            "marker": str(main),
            "log": str(log),
            "access_log": str(state / "nginx-access.log"),
        }
        _wait_healthy([cluster["nginx"]])
    except BaseException:
        end(_entries(cluster))
        raise
    state_file.write_text(json.dumps(cluster, indent=2) + "\n")
    return cluster


def _entries(cluster: dict) -> list[dict]:
    return ([cluster["nginx"]] if cluster.get("nginx") else []) + cluster.get("backends", [])


def _wait_healthy(entries: list[dict]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    waiting = list(entries)
    while waiting and time.monotonic() < deadline:
        for entry in list(waiting):
            if not alive(entry["pid"]):
                raise RuntimeError(f"{entry['address']} exited at start; see {entry['log']}")
            if healthy(entry["url"]):
                waiting.remove(entry)
        time.sleep(0.2)
    if waiting:
        raise RuntimeError(
            f"no /_stcore/health within {START_TIMEOUT_S:.0f} s: {[e['address'] for e in waiting]}"
        )


def stop(state: Path) -> None:
    state_file = state / "cluster.json"
    if not state_file.exists():
        print(f"nothing to stop: no {state_file}")
        return
    end(_entries(json.loads(state_file.read_text())))
    state_file.unlink()


def status(state: Path) -> dict:
    state_file = state / "cluster.json"
    if not state_file.exists():
        raise SystemExit(f"not running: no {state_file}")
    cluster = json.loads(state_file.read_text())
    for entry in _entries(cluster):
        entry["running"] = ours(entry)
        entry["healthy"] = entry["running"] and healthy(entry["url"])
    return cluster


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("start", "stop", "status"):
        command = commands.add_parser(name)
        command.add_argument(
            "--state", type=Path, default=DEFAULT_STATE, help="folder for config, logs, pids"
        )
    commands.choices["start"].add_argument(
        "--processes", type=int, default=3, help=f"app processes (1-{MAX_PROCESSES})"
    )
    commands.choices["start"].add_argument(
        "--port",
        type=int,
        default=8500,
        help="nginx's loopback port; the apps take the next ones (0: free ports)",
    )
    render = commands.add_parser("render", help="print the site configuration for other backends")
    render.add_argument("--listen", default=f"{LOOPBACK}:8500", help="nginx's listen value, e.g. 80")
    render.add_argument("--backend", action="append", required=True, help="HOST:PORT of an app process")
    render.add_argument("--access-log", default="/var/log/nginx/yarn-explorer.log")
    args = parser.parse_args()
    if args.command == "render":
        print(render_site(args.listen, args.backend, args.access_log), end="")
    elif args.command == "start":
        if not 1 <= args.processes <= MAX_PROCESSES or not 0 <= args.port <= 65535 - MAX_PROCESSES:
            parser.error(f"--processes 1-{MAX_PROCESSES}, --port 0-{65535 - MAX_PROCESSES}")
        print(json.dumps(start(args.processes, args.port, args.state.resolve()), indent=2))
    elif args.command == "stop":
        stop(args.state.resolve())
    else:
        print(json.dumps(status(args.state.resolve()), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
