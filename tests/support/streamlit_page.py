"""Drive the running app in Chromium the way a reader does, waiting on Streamlit's own signals.

Streamlit marks the app root ``[data-testid="stApp"]`` with ``data-test-script-state``
("initial", "running", "notRunning", ...). A page is *ready* when the script is not running, no
element is stale, and every chart container holds a drawn Plotly graph. After an interaction the
state is still "notRunning" until the server picks the rerun up, so ``rerun`` waits for one more
finished script run than before the action (counted from the WebSocket, see TRACK_RUNS), then
for the page to be ready.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.support import ROOT
from yarn_core.app.nav import APP_PAGES

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# url path -> what the page is called in reports (the start page is served at the root).
PAGES = {page.url_path: page.name for page in APP_PAGES}
LESSONS = tuple(page.url_path for page in APP_PAGES if page.section in ("", "Learn"))

# Counts the script runs the page has seen finish. The frontend may apply "running" and
# "notRunning" in one render, so the state attribute alone can miss a fast run: instead every
# WebSocket frame under 512 bytes is scanned for a top-level ForwardMsg field ``script_finished``
# (field 6, a varint). ``__stSettled`` follows 20 ms later, once the frontend has rendered it.
# Also keeps the page-clock time of the last keydown, of the last script_finished frame and of the
# last change to the document (when a chart finished drawing, once the page is ready).
TRACK_RUNS = """
window.__stFinished = 0;
window.__stSettled = 0;
window.__stMessages = 0;  // every message the server sent: one per element a run sends, at least
window.__stFinishedAt = 0;
window.__keyAt = 0;
window.__lastMutationAt = 0;
document.addEventListener('keydown', () => { window.__keyAt = performance.now(); }, true);
new MutationObserver(() => { window.__lastMutationAt = performance.now(); })
  .observe(document, {subtree: true, childList: true, attributes: true});
const SCRIPT_FINISHED = 6;
const isScriptFinished = (buffer) => {
  const bytes = new Uint8Array(buffer);
  let i = 0;
  const varint = () => {
    let value = 0, shift = 0, byte;
    do {
      byte = bytes[i++]; value += (byte & 127) * 2 ** shift; shift += 7;
    } while (byte & 128 && i < bytes.length);
    return value;
  };
  while (i < bytes.length) {
    const key = varint(), field = Math.floor(key / 8), wire = key % 8;
    if (field === SCRIPT_FINISHED && wire === 0) return true;
    if (wire === 0) varint();
    else if (wire === 1) i += 8;
    else if (wire === 2) { const n = varint(); i += n; }
    else if (wire === 5) i += 4;
    else return false;
  }
  return false;
};
const NativeWebSocket = window.WebSocket;
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      window.__stMessages++;
      if (event.data instanceof ArrayBuffer && event.data.byteLength < 512 && isScriptFinished(event.data)) {
        const count = ++window.__stFinished;
        window.__stFinishedAt = performance.now();
        setTimeout(() => { window.__stSettled = count; }, 20);
      }
    });
  }
};
"""

READY = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale="true"]')) return false;
  for (const box of document.querySelectorAll('.stElementContainer.stPrintGraphic')) {
    if (box.closest('details:not([open])')) continue;
    const plot = box.querySelector('.js-plotly-plot');
    if (plot && !(plot.querySelector('.main-svg') && plot.data && plot._fullLayout)) return false;
    if (!plot && !box.querySelector('canvas, img, svg')) return false;
  }
  return true;
}
"""

# A fingerprint (a 32-bit hash of the traces' JSON) per Plotly graph: it changes when any trace does.
CHART_FINGERPRINT = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const text = JSON.stringify(gd.data || []);
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return `${text.length}:${hash}`;
})
"""

# Charts that are drawn: an SVG of non-zero size and at least one trace.
DRAWN_CHARTS = """
() => Array.from(document.querySelectorAll('.js-plotly-plot')).filter(gd => {
  const svg = gd.querySelector('.main-svg');
  return svg && svg.getBoundingClientRect().width > 50 && (gd.data || []).length > 0;
}).length
"""


# Widget labels whose text is cut (ellipsis or overflow), and slider labels that touch a thumb value.
TRUNCATED_LABELS = """
(root) => {
  const scope = document.querySelector(root);
  if (!scope) return [];
  const labels = scope.querySelectorAll('[data-testid="stWidgetLabel"] p, [data-testid="stWidgetLabel"] div');
  const cut = Array.from(labels)
    .filter(e => e.getBoundingClientRect().width > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => 'truncated: ' + e.textContent.trim());
  const touching = Array.from(scope.querySelectorAll('[data-testid="stSlider"]')).flatMap(slider => {
    const label = slider.querySelector('[data-testid="stWidgetLabel"] p');
    if (!label) return [];
    const l = label.getBoundingClientRect();
    return Array.from(slider.querySelectorAll('[data-testid="stSliderThumbValue"]')).filter(v => {
      const r = v.getBoundingClientRect();
      // Streamlit's own layout lets the two line boxes share a few pixels: more is a collision.
      const across = r.left < l.right && l.left < r.right;
      return r.width > 0 && across && r.top < l.bottom - 6 && l.top < r.bottom - 6;
    }).map(() => 'slider value over its label: ' + label.textContent.trim());
  });
  return cut.concat(touching);
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``streamlit run app.py`` (or another ``script``, from the repo root) on a free loopback port,
    for tests and measurements."""

    def __init__(
        self,
        log_path: Path | None = None,
        port: int | None = None,
        options: tuple[str, ...] = (),
        script: str = "app.py",
    ):
        self.options = tuple(options)  # more ``--section.option value`` flags for streamlit run
        self.script = script
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 90.0) -> Server:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *self.options,
        ]
        self._log = open(self.log_path, "w") if self.log_path else None  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()

    def page_url(self, path: str, query: dict | None = None) -> str:
        return f"{self.url}/{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")


def server_rss_mb(pid: int) -> float:
    """RSS of ``pid`` and all its descendants, from /proc, in MB."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def new_page(browser, **context_options):
    """A fresh context and page that track Streamlit's script runs."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    context.add_init_script(TRACK_RUNS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def wait_ready(page, timeout: float = 60_000) -> None:
    page.wait_for_function(READY, timeout=timeout, polling=50)


def open_app(page, server: Server, path: str, query: dict | None = None) -> None:
    """Load a page (with URL parameters) and wait until its first run is done and drawn."""
    page.goto(server.page_url(path, query))
    page.wait_for_function("() => window.__stSettled > 0", timeout=60_000, polling=50)
    wait_ready(page)


def rerun(page, action, timeout: float = 60_000) -> None:
    """Do ``action`` (a keypress, a click) and wait for the rerun it causes to be done and drawn."""
    runs = page.evaluate("window.__stSettled")
    action()
    page.wait_for_function(f"() => window.__stSettled > {runs}", timeout=timeout, polling=20)
    wait_ready(page, timeout)


def chart_fingerprint(page) -> list[str]:
    return page.evaluate(CHART_FINGERPRINT)


def drawn_charts(page) -> int:
    return page.evaluate(DRAWN_CHARTS)


def chart_containers(page) -> int:
    return page.locator(".stElementContainer.stPrintGraphic").count()


def errors_shown(page) -> list[str]:
    """Text of every exception element and of Streamlit's redacted-error notice."""
    texts = [e.inner_text() for e in page.locator('[data-testid="stException"]').all()]
    if page.get_by_text("This app has encountered an error").count():
        texts.append("This app has encountered an error")
    return texts


def screenshot(page, path: Path, max_height: int = 12_000) -> None:
    """The whole page: Streamlit scrolls its main area itself, so grow the viewport to fit it."""
    size = page.viewport_size
    height = page.evaluate("""() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
        .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), window.innerHeight)""")
    page.set_viewport_size({"width": size["width"], "height": min(height, max_height)})
    wait_ready(page)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
