"""One benchmark of the whole app, in one run:  python -m tests.perf.bench

1. import time of the lesson pages' code (``yarn_core``, ``yarn_core.app`` and every
   ``yarn_core.app.views`` module, which pulls in streamlit, plotly and numpy) in a fresh interpreter,
   median of 3; it fails if that imports torch;
2. the median server-side rerun of every page (Streamlit's AppTest, after two warm-up runs), at
   the defaults and at the shared settings' extremes (|D| = 512, L = 1,048,576, s = 128): "cached"
   reruns find their figures in the views' cache, "cold" reruns clear the caches first (a slider moved
   to a value nobody has drawn yet);
3. the lab: its page's first render in a fresh process, and ``yarn_core.lab.bench.measure``
   (load the shipped checkpoints and evaluate them live over every length, and a live fine-tune
   to recovery);
4. the server's memory per session: RSS of ``streamlit run app.py`` (and children) before and
   after K headless-Chromium sessions open a page each, divided by K;
5. the interaction benchmark (``tests/perf/interaction.py``): in headless Chromium, per page, a
   slider's keypress -> last repaint, for values seen before (cached) and not (uncached), median and
   p95, as ratios to a bare reference page (one slider, one 500-point Plotly line) measured in the
   same run; where the time goes; and the frame rate of every scrubbable chart.

It prints a table, then the same figures as one JSON line, also written to artifacts/bench.json.
Options: --repeats, --sessions, --skip-lab, --skip-server, --skip-interaction, --interaction (only
the interaction benchmark), --pages (limit parts 2 and 5 to some pages), --presses, --control.
Timings are only meaningful on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.perf import interaction
from tests.support import ROOT
from tests.support.streamlit_page import ARTIFACTS

APP = ROOT / "app.py"
EXTREMES = {"d": "512", "L": "1048576", "s": "128"}
TARGET_DEFAULT_MS = 100
TARGET_EXTREME_MS = 400

IMPORT_PROBE = """
import json, pkgutil, sys, time
start = time.perf_counter()
import yarn_core, yarn_core.app.lesson, yarn_core.app.sidebar, yarn_core.app.views
for module in pkgutil.iter_modules(yarn_core.app.views.__path__):
    __import__(f"yarn_core.app.views.{module.name}")
print(json.dumps({"seconds": time.perf_counter() - start, "torch": "torch" in sys.modules}))
"""


def import_time(repeats: int = 3) -> float:
    """Median wall time to import the lesson pages' code in a fresh interpreter."""
    times = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, capture_output=True, text=True, check=True
        )
        probe = json.loads(out.stdout.strip().splitlines()[-1])
        if probe["torch"]:
            raise SystemExit("the lesson pages import torch: they must not (only yarn_core.lab may)")
        times.append(probe["seconds"])
    return statistics.median(times)


def rerun_ms(page: str, query: dict, repeats: int, cold: bool) -> float:
    """Median ms of ``repeats`` reruns of ``page`` after two warm-up runs (AppTest, same process)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params.update(query)
    at.switch_page(page).run()
    at.run()
    if at.exception:
        raise RuntimeError(f"{page} {query}: {at.exception[0].value}")
    times = []
    for _ in range(repeats):
        if cold:
            st.cache_data.clear()
            st.cache_resource.clear()
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def page_reruns(repeats: int, names: list[str]) -> dict[str, dict[str, float]]:
    from yarn_core.app.nav import APP_PAGES

    results = {}
    for page in (page for page in APP_PAGES if page.name in names):
        results[page.name] = {
            "default_ms": rerun_ms(page.script, {}, repeats, cold=False),
            "default_cold_ms": rerun_ms(page.script, {}, repeats, cold=True),
            "extreme_ms": rerun_ms(page.script, EXTREMES, repeats, cold=False),
            "extreme_cold_ms": rerun_ms(page.script, EXTREMES, repeats, cold=True),
        }
    return results


LAB_PAGE_PROBE = """
import json, logging, sys, time
logging.disable(logging.WARNING)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=120)
at.run()
start = time.perf_counter()
at.switch_page("pages/lab/lab.py").run()
print(json.dumps({"seconds": time.perf_counter() - start, "errors": len(at.exception)}))
"""


def lab_page_first_view() -> float:
    """The lab page's first render in a fresh process (torch import, shipped results and models),
    after the frame has run once: what the first reader of the lab waits for on a new server."""
    out = subprocess.run(
        [sys.executable, "-c", LAB_PAGE_PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    if probe["errors"]:
        raise RuntimeError("the lab page showed an exception")
    return probe["seconds"]


def lab_figures() -> dict[str, float] | str:
    try:
        from yarn_core.lab.timings import measure
    except ImportError as err:
        return f"unavailable ({err})"
    try:
        return {"lab_page_first_view_s": lab_page_first_view(), **measure()}
    except Exception as err:  # missing assets, for instance: report it, keep the other figures
        return f"failed ({type(err).__name__}: {err})"


def memory_per_session(sessions: int) -> dict[str, float] | str:
    """Server RSS before and after ``sessions`` browser sessions each open a page (kept open), the
    pages taken in turn, after a warm-up session has visited every page."""
    try:
        from playwright.sync_api import sync_playwright

        from tests.support.streamlit_page import (
            ARTIFACTS,
            CHROMIUM,
            Server,
            launch_browser,
            new_page,
            open_app,
            server_rss_mb,
        )
        from tests.support.streamlit_page import (
            PAGES as URL_PATHS,
        )
    except ImportError as err:
        return f"unavailable ({err})"
    if not Path(CHROMIUM).exists():
        return f"unavailable (no Chromium at {CHROMIUM})"
    ARTIFACTS.mkdir(exist_ok=True)
    server = Server(log_path=ARTIFACTS / "bench-server.log").start()
    pages = list(URL_PATHS)  # the warm-up visits each once, so first-visit imports are not counted
    try:
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            warm = new_page(browser)
            for path in pages:
                open_app(warm, server, path)
            warm.context.close()
            time.sleep(2)
            before = server_rss_mb(server.process.pid)
            opened = []
            for index in range(sessions):
                opened.append(new_page(browser))
                open_app(opened[-1], server, pages[index % len(pages)])
            time.sleep(2)
            after = server_rss_mb(server.process.pid)
            browser.close()
    finally:
        server.stop()
    return {
        "sessions": sessions,
        "before_mb": before,
        "after_mb": after,
        "mb_per_session": (after - before) / sessions,
    }


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = next(
        (
            int(line.split()[1]) // 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    python = f"Python {platform.python_version()}, {platform.system()}"
    return f"{cpu}, {os.cpu_count()} cores, {memory} GiB, {python}"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from yarn_core.app.nav import APP_PAGES

    names = [page.name for page in APP_PAGES]
    parser = argparse.ArgumentParser(description="YaRN Explorer benchmark")
    parser.add_argument("--repeats", type=int, default=7, help="reruns per page and setting (median)")
    parser.add_argument("--sessions", type=int, default=5, help="browser sessions for the memory figure")
    parser.add_argument("--skip-lab", action="store_true")
    parser.add_argument("--skip-server", action="store_true", help="skip the browser memory measurement")
    only = parser.add_mutually_exclusive_group()
    only.add_argument(
        "--skip-interaction", action="store_true", help="skip the browser interaction benchmark"
    )
    only.add_argument("--interaction", action="store_true", help="run only the browser interaction benchmark")
    parser.add_argument(
        "--pages",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=names,
        help=f"comma-separated pages for the reruns and the interaction benchmark (of: {', '.join(names)})",
    )
    parser.add_argument(
        "--presses", type=int, default=15, help="slider presses per series (cached, uncached) and page"
    )
    parser.add_argument(
        "--control",
        action="append",
        default=[],
        metavar="PAGE=LABEL",
        help="measure on PAGE the slider whose label contains LABEL (instead of its first one)",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.pages if name not in names]
    if unknown or not args.pages:
        parser.error(f"--pages: unknown {', '.join(unknown) or 'empty list'} (pages: {', '.join(names)})")
    if not 1 <= args.presses <= interaction.MAX_PRESSES:
        parser.error(f"--presses must be between 1 and {interaction.MAX_PRESSES}")
    args.overrides = {}
    for item in args.control:
        page, _, label = item.partition("=")
        if page not in names or not label:
            parser.error(f"--control {item!r}: expected PAGE=LABEL with PAGE one of {', '.join(names)}")
        args.overrides[page] = label
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.disable(logging.WARNING)  # AppTest outside a server warns once per cache and run otherwise

    figures: dict = {
        "machine": machine(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_1min": load_average(),
    }
    if not args.interaction:
        figures["import_s"] = import_time()
        figures["pages"] = page_reruns(args.repeats, args.pages)
        figures["lab"] = "skipped" if args.skip_lab else lab_figures()
        figures["memory"] = "skipped" if args.skip_server else memory_per_session(args.sessions)
    if not args.skip_interaction:
        figures["interaction"] = interaction.run(args.pages, args.presses, args.overrides)
        figures["load_average_1min_after"] = load_average()
    print_table(figures)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "bench.json").write_text(json.dumps(plain(figures), indent=1))
    print(json.dumps(plain(figures)))
    return 0


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def plain(value):
    """The figures as strict JSON values: floats rounded to 4 places, NaN as null."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def print_table(figures: dict) -> None:
    after = figures.get("load_average_1min_after")
    print(
        f"YaRN Explorer benchmark, {figures['date']} on {figures['machine']} "
        f"(load average {figures['load_average_1min']}" + (f", {after} at the end)" if after else ")")
    )
    if "import_s" in figures:
        print_server_side(figures)
    if "interaction" in figures:
        interaction.print_table(figures["interaction"])


def print_server_side(figures: dict) -> None:
    print(f"\nimport of the lesson pages' code (fresh interpreter, no torch): {figures['import_s']:.2f} s\n")
    print(
        f"median server-side rerun "
        f"(ms; targets {TARGET_DEFAULT_MS} at defaults, {TARGET_EXTREME_MS} at extremes)"
    )
    print(f"{'page':<14}{'defaults':>10}{'cold':>8}{'extremes':>10}{'cold':>8}")
    for name, row in figures["pages"].items():
        flag = " !" if row["default_ms"] > TARGET_DEFAULT_MS or row["extreme_ms"] > TARGET_EXTREME_MS else ""
        print(
            f"{name:<14}{row['default_ms']:>10.0f}{row['default_cold_ms']:>8.0f}{row['extreme_ms']:>10.0f}"
            f"{row['extreme_cold_ms']:>8.0f}{flag}"
        )
    lab = figures["lab"]
    print(
        "\nlab:"
        + (
            "".join(f"\n  {key:<40}{value:>10.3f}" for key, value in lab.items())
            if isinstance(lab, dict)
            else f" {lab}"
        )
    )
    memory = figures["memory"]
    if isinstance(memory, dict):
        print(
            f"\nserver memory: {memory['before_mb']:.0f} MB warm, "
            f"{memory['after_mb']:.0f} MB with {memory['sessions']} "
            f"sessions open: {memory['mb_per_session']:.1f} MB per session"
        )
    else:
        print(f"\nserver memory: {memory}")
    print()


if __name__ == "__main__":
    sys.exit(main())
