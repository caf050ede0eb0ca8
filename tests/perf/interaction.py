"""The interaction benchmark, what one student feels in a real browser (``python -m tests.perf.bench``).

Headless Chromium (the browser tests' launch) against ``streamlit run app.py`` and, in the same run,
against a bare reference page (``tests/perf/bare_app.py``: one slider, one 500-point Plotly line) on
its own server; both on free loopback ports.

Per page of ``nav.APP_PAGES``, one control: the override for the page if any (``--control
PAGE=LABEL``, a case-insensitive part of the slider's label), else the first st.slider of the main
area (in a folded expander, which is opened, if there is no other), else the sidebar's scale s. The
slider is focused and moved with the arrow keys, one step per press, and each press is timed in the
page's clock from its keydown to the last change of the document (a MutationObserver), once the
script run the press caused has finished, the page is ready (charts drawn, nothing stale, the
script state "notRunning") and the document has been quiet for QUIET_MS:

* uncached: the slider walks away from its default, one new value per press, on a server that has
  never drawn those values (a first, unmeasured press pays for first-use code paths);
* cached: the slider then steps back and forth between the walk's last two values.

The bare page stays open in its own context all run, and every press on a control is followed by a
press of the same kind on the bare page's slider (which keeps walking up, so its uncached values are
new too): the two series meet the same load, which on a shared machine changes by the minute. Each
series gives its median and p95 (ms), and the ratio of its median to the median of the bare presses
paired with it: ratios are stable across machines where milliseconds are not (the ratio to all the
run's bare presses is in the JSON too). Goals (issue 13): cached ratio <= 1.5, uncached ratio <= 2.5,
p95 <= 2 x median. Each press also records, in the same clock, when the rerun request left the page
(the first WebSocket send), when the script state became "running", when the run's
``script_finished`` arrived, and what the last change was in: the profile of where the time goes.

Scrubbing: on every page, each visible Plotly chart with animation frames and a Plotly slider is
dragged with the mouse across its slider (SCRUB_MOVES moves at about 60 a second); the frame rate is
the number of animation frames in which the chart's traces changed, per second of drag.

A control or page that fails to measure is reported with its error, never a crash. Every wait has a
timeout, and every loop is bounded.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.streamlit_page import (
    ARTIFACTS,
    CHROMIUM,
    READY,
    Server,
    chart_fingerprint,
    launch_browser,
    new_page,
    open_app,
    wait_ready,
)

BARE_SCRIPT = "tests/perf/bare_app.py"
QUIET_MS = 150
PRESS_TIMEOUT_MS = 60_000
WARM_TIMEOUT_MS = 300_000
CONTROL_BUDGET_S = 300.0  # a control's presses stop (with what they have) after this long
MAX_PRESSES = 100
DISCOVERY_S = 5.0  # how long a page without the slider looked for is looked at again
CACHED_RATIO_GOAL = 1.5
UNCACHED_RATIO_GOAL = 2.5
P95_GOAL = 2.0  # p95 at most this many times the median
SCRUB_MOVES = 90
SCRUB_INTERVAL_S = 1 / 60
SCRUB_BUDGET_S = 30.0
KINDS = ("cached", "uncached")
GOALS_MET = {True: "yes", False: "no", None: "n/a"}
SHARED_FALLBACK_KEY = "s"  # the sidebar's scale s, for a page without a slider of its own
# Controls measured besides each page's main slider (issue 13 names them): page -> label parts.
EXTRA_CONTROLS = {"extrapolation": ("Trained length L",), "lab": ("Temperature strength",)}

# In the page's clock, after each keydown: the first WebSocket send (the rerun request) and the first
# switch of the script state to "running"; and what the last document change was in (the nearest
# data-testid, and the element's key). TRACK_RUNS (streamlit_page) keeps the keydown, the last
# script_finished and the time of the last document change.
PRESS_HOOKS = """
window.__sentAt = 0;
window.__runningAt = 0;
const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (...args) {
  if (window.__keyAt && window.__sentAt < window.__keyAt) window.__sentAt = performance.now();
  return nativeSend.apply(this, args);
};
new MutationObserver((records) => {
  for (const record of records) {
    if (record.target.getAttribute('data-test-script-state') === 'running'
        && window.__keyAt && window.__runningAt < window.__keyAt) window.__runningAt = performance.now();
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
window.__lastChange = '';
new MutationObserver((records) => {
  const node = records[records.length - 1].target;
  const element = node.nodeType === 1 ? node : node.parentElement;
  const owner = element && element.closest('[data-testid]');
  const box = element && element.closest('.stElementContainer');
  const key = box && Array.from(box.classList).find(c => c.startsWith('st-key-'));
  window.__lastChange = (owner ? owner.getAttribute('data-testid') : element ? element.tagName : '?')
    + (key ? ` ${key.slice('st-key-'.length)}` : '');
}).observe(document, {subtree: true, childList: true, attributes: true});
"""

# Every st.slider / st.select_slider on the page, in document order.
SLIDERS = """
() => Array.from(document.querySelectorAll('[data-testid="stSlider"]')).map((box, index) => {
  const container = box.closest('.stElementContainer');
  const keyClass = container && Array.from(container.classList).find(c => c.startsWith('st-key-'));
  const input = box.querySelector('input[type="range"]');
  const label = box.querySelector('[data-testid="stWidgetLabel"]') || box.querySelector('label');
  return {
    index,
    key: keyClass ? keyClass.slice('st-key-'.length) : null,
    label: label ? label.textContent.trim() : '',
    area: box.closest('[data-testid="stSidebar"]') ? 'sidebar'
      : box.closest('[data-testid="stMain"]') ? 'main' : 'other',
    folded: !!box.closest('details:not([open])'),
    usable: !!input && !input.disabled,
  };
})
"""

SLIDER_RANGE = "input => [input.value, input.min, input.max, input.step || '1'].map(Number)"

# A press is done once its run has finished, the page is ready and nothing has changed for `quiet` ms.
SETTLED_AND_QUIET = f"""
({{runs, quiet}}) => window.__stSettled > runs && ({READY})()
  && performance.now() - window.__lastMutationAt >= quiet
"""

PRESS_TIMES = """
(finishedBefore) => {
  const since = (at) => (at >= window.__keyAt ? at - window.__keyAt : null);
  return {repaint_ms: since(window.__lastMutationAt), sent_ms: since(window.__sentAt),
          running_ms: since(window.__runningAt), finished_ms: since(window.__stFinishedAt),
          runs: window.__stFinished - finishedBefore, last_change: window.__lastChange};
}
"""

# Marks every Plotly graph on the page; after the press, the graphs without the mark were drawn anew.
MARK_GRAPHS = "() => document.querySelectorAll('.js-plotly-plot').forEach(gd => { gd.__benchSeen = true; })"
NEW_GRAPHS = """
() => {
  const graphs = Array.from(document.querySelectorAll('.js-plotly-plot'));
  return {graphs_new: graphs.filter(gd => !gd.__benchSeen).length, graphs: graphs.length};
}
"""

# Plotly charts that can be scrubbed: drawn, visible, with animation frames and a Plotly slider.
SCRUBBABLE = """
() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .map((gd, index) => ({gd, index}))
  .filter(({gd}) => gd._fullLayout && !gd.closest('details:not([open])')
    && gd.getBoundingClientRect().width > 0 && gd.querySelector('.slider-container .slider-grip-rect')
    && ((gd._transitionData && gd._transitionData._frames) || []).length > 0)
  .map(({gd, index}) => ({
    index, title: ((gd._fullLayout.title && gd._fullLayout.title.text) || '').replace(/<[^>]*>/g, '')}))
"""

# Starts counting, on chart `index`, the animation frames in which its traces changed (changes to
# the slider, the buttons and the hover labels are not the chart's own) and the slider's steps.
START_SCRUB = """
(index) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  gd.scrollIntoView({block: 'center'});
  const probe = {frames: [], steps: 0, animated: 0, downAt: 0, upAt: 0, lastChangeAt: 0, dirty: false};
  const own = (node) => !(node.nodeType === 1 ? node : node.parentElement)
    .closest('.infolayer, .menulayer, .hoverlayer');
  probe.observer = new MutationObserver((records) => {
    if (records.some(record => own(record.target))) {
      probe.dirty = true;
      probe.lastChangeAt = performance.now();
    }
  });
  probe.observer.observe(gd, {subtree: true, childList: true, attributes: true, characterData: true});
  const tick = () => {
    if (probe.dirty) { probe.frames.push(performance.now()); probe.dirty = false; }
    if (!probe.stopped) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  gd.on('plotly_sliderchange', () => { probe.steps += 1; });
  gd.on('plotly_animated', () => { probe.animated += 1; });
  const once = {capture: true, once: true};
  window.addEventListener('mousedown', () => { probe.downAt = performance.now(); }, once);
  window.addEventListener('mouseup', () => { probe.upAt = performance.now(); }, once);
  window.__scrub = probe;
  const grip = gd.querySelector('.slider-container .slider-grip-rect').getBoundingClientRect();
  const rail = gd.querySelector('.slider-container .slider-rail-rect').getBoundingClientRect();
  return {x: grip.x + grip.width / 2, y: grip.y + grip.height / 2, left: rail.left, right: rail.right,
          stepsTotal: (gd._fullLayout.sliders[0] || {steps: []}).steps.length};
}
"""

SCRUB_QUIET = (
    "(quiet) => performance.now() - Math.max(window.__scrub.upAt, window.__scrub.lastChangeAt) >= quiet"
)

STOP_SCRUB = """
() => {
  const probe = window.__scrub;
  probe.stopped = true;
  probe.observer.disconnect();
  const during = probe.frames.filter(at => at >= probe.downAt && at <= probe.upAt).length;
  return {frames_during_drag: during, frames_total: probe.frames.length, steps: probe.steps,
          animated: probe.animated, drag_ms: probe.upAt - probe.downAt,
          settle_ms: Math.max(0, probe.lastChangeAt - probe.upAt)};
}
"""


@dataclass
class Series:
    """The presses of one kind (cached or uncached) on one control: keydown -> last repaint."""

    presses: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def repaint_ms(self) -> list[float]:
        return [press["repaint_ms"] for press in self.presses if press["repaint_ms"] is not None]

    def median(self) -> float | None:
        return statistics.median(self.repaint_ms) if self.repaint_ms else None

    def p95(self) -> float | None:
        """The 95th percentile (inclusive interpolation; the maximum below 2 samples)."""
        values = self.repaint_ms
        if len(values) < 2:
            return max(values, default=None)
        return statistics.quantiles(values, n=20, method="inclusive")[-1]

    def phase_medians(self) -> dict[str, float | None]:
        """Median ms from the keydown to each step of the loop (page clock)."""
        phases = {}
        for name in ("sent_ms", "running_ms", "finished_ms", "repaint_ms"):
            values = [press[name] for press in self.presses if press[name] is not None]
            phases[name] = statistics.median(values) if values else None
        return phases

    def summary(self, reference: Series | None = None) -> dict:
        median, reference_median = self.median(), reference.median() if reference else None
        return {
            "n": len(self.repaint_ms),
            "median_ms": median,
            "p95_ms": self.p95(),
            "ratio": median / reference_median if median is not None and reference_median else None,
            "phases_ms": self.phase_medians(),
            "runs_per_press": sorted({press["runs"] for press in self.presses}),
            "presses_without_chart_change": sum(not press["charts_changed"] for press in self.presses),
            "graphs_new": statistics.median(press["graphs_new"] for press in self.presses)
            if self.presses
            else None,
            "graphs": max((press["graphs"] for press in self.presses), default=None),
            "last_change": Counter(press["last_change"] for press in self.presses).most_common(1)[0][0]
            if self.presses
            else None,
            "samples_ms": [round(value, 1) for value in self.repaint_ms],
            "error": self.error,
        }


@dataclass
class ControlMeasure:
    page: str
    label: str = ""
    key: str | None = None
    cached: Series = field(default_factory=Series)
    uncached: Series = field(default_factory=Series)
    error: str | None = None

    def errors(self) -> list[str]:
        return [problem for problem in (self.error, self.cached.error, self.uncached.error) if problem]


class SliderNotFound(LookupError):
    pass


def find_slider(page, label_part: str | None) -> dict:
    """The slider to measure: the one whose label contains ``label_part``, else the first usable one
    in the main area (unfolded first), else the sidebar's scale s. The page's first run can be
    followed by a second (the navigation's), so an empty page is looked at again for a while."""
    deadline = time.monotonic() + DISCOVERY_S
    while True:
        page.wait_for_function(
            SETTLED_AND_QUIET, arg={"runs": 0, "quiet": QUIET_MS}, timeout=PRESS_TIMEOUT_MS
        )
        try:
            return pick_slider(page.evaluate(SLIDERS), label_part)
        except SliderNotFound:
            if time.monotonic() > deadline:
                raise
        page.wait_for_timeout(250)


def pick_slider(found: list[dict], label_part: str | None) -> dict:
    sliders = [slider for slider in found if slider["usable"]]
    if label_part:
        matching = [slider for slider in sliders if label_part.lower() in slider["label"].lower()]
        if not matching:
            raise SliderNotFound(f"no slider labelled like {label_part!r}")
        return matching[0]
    main = [slider for slider in sliders if slider["area"] == "main"]
    if main:
        return min(main, key=lambda slider: slider["folded"])  # the first unfolded one, if any
    for slider in sliders:
        if slider["key"] == SHARED_FALLBACK_KEY:
            return slider
    raise SliderNotFound("no slider on the page")


def slider_input(page, slider: dict):
    if slider["key"]:
        return page.locator(f'.st-key-{slider["key"]} input[type="range"]').first
    return page.locator('[data-testid="stSlider"]').nth(slider["index"]).locator('input[type="range"]')


def unfold(page, slider: dict) -> None:
    """Open the expander that holds ``slider`` (a frontend-only change), then wait until quiet."""
    if slider["folded"]:
        box = page.locator('[data-testid="stSlider"]').nth(slider["index"])
        box.locator("xpath=ancestor::details[1]/summary").first.click()
        page.wait_for_function(
            SETTLED_AND_QUIET, arg={"runs": -1, "quiet": QUIET_MS}, timeout=PRESS_TIMEOUT_MS
        )


def press(page, key: str) -> dict:
    """Press ``key`` on the focused slider; the press's times in ms after its keydown, and how many
    of the page's Plotly graphs were drawn anew (Streamlit mounts a new graph for every chart whose
    figure changed, and leaves the others alone)."""
    runs, finished = page.evaluate("[window.__stSettled, window.__stFinished]")
    page.evaluate(MARK_GRAPHS)
    page.keyboard.press(key)
    page.wait_for_function(
        SETTLED_AND_QUIET, arg={"runs": runs, "quiet": QUIET_MS}, timeout=PRESS_TIMEOUT_MS, polling=25
    )
    return page.evaluate(PRESS_TIMES, finished) | page.evaluate(NEW_GRAPHS)


@dataclass
class Slider:
    """A focused slider on an open page: the arrow key that moves it away from its start (forward,
    towards the end with more room), the one that moves it back, and the steps left forward."""

    page: Any
    handle: Any
    label: str
    key: str | None
    forward: str
    back: str
    room: int
    charts: list[str]  # the charts' fingerprints after the last press


def open_slider(page, label_part: str | None) -> Slider:
    found = find_slider(page, label_part)
    unfold(page, found)
    handle = slider_input(page, found)
    handle.scroll_into_view_if_needed()
    handle.focus()
    value, low, high, step = page.evaluate(SLIDER_RANGE, handle.element_handle())
    up, down = round((high - value) / step), round((value - low) / step)
    forward, back = ("ArrowRight", "ArrowLeft") if up >= down else ("ArrowLeft", "ArrowRight")
    return Slider(
        page, handle, found["label"], found["key"], forward, back, max(up, down), chart_fingerprint(page)
    )


def press_plan(repeats: int, room: int) -> list[tuple[str | None, bool]]:
    """(kind, forward?) for each press: one warm-up step forward (kind None: first-use code paths,
    not measured), the uncached walk forward as far as the room allows, then the cached
    back-and-forth between the walk's last two values."""
    walk = max(0, min(repeats, room - 1))
    return [(None, True)] + [("uncached", True)] * walk + [("cached", i % 2 == 1) for i in range(repeats)]


def step(slider: Slider, forward: bool, series: Series) -> None:
    """One press on ``slider``, its times added to ``series``; a failure (a timeout, a slider that did
    not move, no room left) becomes the series' error and ends it."""
    if series.error:
        return
    key = slider.forward if forward else slider.back
    if forward and slider.room <= 0:
        series.error = f"no room left after {len(series.presses)} presses"
        return
    before = slider.handle.input_value()
    try:
        timing = press(slider.page, key)
        moved = slider.handle.input_value() != before
        charts = chart_fingerprint(slider.page)
    except Exception as err:  # report it, keep what was measured
        series.error = _error(err)
        return
    if not moved:
        series.error = f"{key} did not move the slider from {before}"
        return
    slider.room += -1 if forward else 1
    timing["charts_changed"], slider.charts = charts != slider.charts, charts
    series.presses.append(timing)


def measure_paired(control: Slider, bare: Slider, repeats: int) -> tuple[ControlMeasure, ControlMeasure]:
    """The press plan on ``control``, each press followed by the same kind of press on the bare page,
    so that both meet the same load; within CONTROL_BUDGET_S."""
    measured = ControlMeasure(page="", label=control.label, key=control.key)
    reference = ControlMeasure(page="bare", label=bare.label, key=bare.key)
    warm = {id(measured): Series(), id(reference): Series()}
    deadline = time.monotonic() + CONTROL_BUDGET_S
    for kind, forward in press_plan(repeats, control.room)[:MAX_PRESSES]:
        if time.monotonic() > deadline:
            measured.error = "stopped by the time budget"
            break
        for slider, measure in ((control, measured), (bare, reference)):
            step(slider, forward, getattr(measure, kind) if kind else warm[id(measure)])
    for measure in (measured, reference):
        measure.error = measure.error or warm[id(measure)].error
    return measured, reference


def scrub_charts(page) -> list[dict]:
    """Drag the Plotly slider of every scrubbable chart on the open page across its width."""
    results = []
    for chart in page.evaluate(SCRUBBABLE):
        try:
            wait_ready(page)
            geometry = page.evaluate(START_SCRUB, chart["index"])
            start, end = geometry["x"], geometry["right"] - 1
            if end - start < geometry["x"] - geometry["left"]:
                end = geometry["left"] + 1  # the grip is nearer the right end: drag leftwards
            page.mouse.move(start, geometry["y"])
            page.mouse.down()
            began, moves = time.perf_counter(), 0
            while moves < SCRUB_MOVES and time.perf_counter() - began < SCRUB_BUDGET_S:
                moves += 1  # each move returns once the page has handled it: a busy page slows the drag
                page.mouse.move(start + (end - start) * moves / SCRUB_MOVES, geometry["y"])
                time.sleep(SCRUB_INTERVAL_S)
            page.mouse.up()
            moves_per_s = moves / (time.perf_counter() - began)
            page.wait_for_function(SCRUB_QUIET, arg=QUIET_MS, timeout=PRESS_TIMEOUT_MS, polling=25)
            probe = page.evaluate(STOP_SCRUB)
            drag_s = probe["drag_ms"] / 1000
            results.append(
                {
                    "chart": chart["index"],
                    "title": chart["title"],
                    "fps": probe["frames_during_drag"] / drag_s if drag_s > 0 else None,
                    "mouse_moves_per_s": moves_per_s,
                    "steps_crossed": probe["steps"],
                    "steps_total": geometry["stepsTotal"],
                    **probe,
                }
            )
        except Exception as err:
            results.append({"chart": chart["index"], "title": chart["title"], "error": _error(err)})
    return results


def _error(err: Exception) -> str:
    return f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"


def tracked_page(browser, server: Server, path: str):
    """A fresh context and page on ``path``, with the press hooks, loaded and ready."""
    page = new_page(browser)
    page.add_init_script(PRESS_HOOKS)
    open_app(page, server, path)
    return page


@dataclass(frozen=True)
class PageOptions:
    repeats: int
    scrub: bool


def measure_page(browser, server: Server, path: str, label_part: str | None, bare: Slider, options):
    """One control of one page in a fresh browser context, paired press by press with the bare page,
    and (``options.scrub``) the page's scrubbing."""
    page = None
    measured, reference = ControlMeasure(page="", label=label_part or ""), ControlMeasure(page="bare")
    scrubbing: list[dict] = []
    try:
        page = tracked_page(browser, server, path)
        measured, reference = measure_paired(open_slider(page, label_part), bare, options.repeats)
        if options.scrub:
            scrubbing = scrub_charts(page)
    except SliderNotFound as err:
        measured.error = str(err)
    except Exception as err:
        measured.error = _error(err)
    finally:
        if page is not None:
            page.context.close()
    return measured, reference, scrubbing


def run(pages: list[str], repeats: int, overrides: dict[str, str], log_dir: Path = ARTIFACTS) -> dict:
    """The whole interaction benchmark over ``pages`` (names as in nav.APP_PAGES)."""
    from playwright.sync_api import sync_playwright

    from yarn_core.app.nav import APP_PAGES

    if not Path(CHROMIUM).exists():
        return {"error": f"unavailable (no Chromium at {CHROMIUM})"}
    by_name = {page.name: page.url_path for page in APP_PAGES}
    log_dir.mkdir(exist_ok=True)
    app = Server(log_path=log_dir / "bench-interaction-app.log")
    bare = Server(log_path=log_dir / "bench-interaction-bare.log", script=BARE_SCRIPT)
    measured: list[tuple[ControlMeasure, ControlMeasure]] = []  # (control, its paired bare presses)
    scrubbing: dict[str, list[dict]] = {}
    try:
        app.start()
        bare.start()
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            warm = new_page(browser)
            warm.set_default_timeout(WARM_TIMEOUT_MS)  # a loaded machine takes minutes over the first run
            warm.goto(app.page_url(""))  # the server's first run (and its first st.navigation call)
            warm.wait_for_function("() => window.__stSettled > 0", timeout=WARM_TIMEOUT_MS, polling=100)
            warm.context.close()
            bare_page = tracked_page(browser, bare, "")  # open all run: its slider keeps walking up
            for name in pages:
                for index, label_part in enumerate((overrides.get(name), *EXTRA_CONTROLS.get(name, ()))):
                    control, reference, charts = measure_page(
                        browser,
                        app,
                        by_name[name],
                        label_part,
                        open_slider(bare_page, None),
                        PageOptions(repeats=repeats, scrub=index == 0),
                    )
                    control.page = name
                    measured.append((control, reference))
                    if index == 0:
                        scrubbing[name] = charts
            browser.close()
    except Exception as err:  # a server that does not start, a browser that does not launch
        return {"error": _error(err)}
    finally:
        app.stop()
        bare.stop()
    pooled = {
        kind: Series(presses=[press for _, paired in measured for press in getattr(paired, kind).presses])
        for kind in KINDS
    }
    return {
        "quiet_ms": QUIET_MS,
        "presses_per_series": repeats,
        "goals": {"cached_ratio": CACHED_RATIO_GOAL, "uncached_ratio": UNCACHED_RATIO_GOAL, "p95": P95_GOAL},
        "bare": {
            kind: {
                **pooled[kind].summary(),
                "paired_medians_ms": [getattr(paired, kind).median() for _, paired in measured],
                "errors": sorted({problem for _, paired in measured for problem in paired.errors()}),
            }
            for kind in KINDS
        },
        "controls": [row(control, paired, pooled) for control, paired in measured],
        "scrubbing": scrubbing,
    }


def row(measure: ControlMeasure, bare: ControlMeasure, pooled: dict[str, Series]) -> dict:
    """One control's figures: its ratios to the bare presses paired with its own (the goals' ratio)
    and to all the run's bare presses."""
    figures: dict = {"page": measure.page, "control": measure.label, "key": measure.key}
    for kind in KINDS:
        series, paired = getattr(measure, kind), getattr(bare, kind)
        figures[kind] = {
            **series.summary(paired),
            "bare_median_ms": paired.median(),
            "bare_p95_ms": paired.p95(),
            "ratio_to_all_bare": series.summary(pooled[kind])["ratio"],
        }
    figures["within_goals"] = within_goals(figures["cached"], figures["uncached"])
    figures["error"] = measure.error
    figures["bare_errors"] = bare.errors()
    return figures


def within_goals(cached: dict, uncached: dict) -> bool | None:
    """Cached ratio <= 1.5, uncached ratio <= 2.5, each p95 <= 2 x its median; None if unmeasured."""
    if cached["ratio"] is None or uncached["ratio"] is None:
        return None
    return (
        cached["ratio"] <= CACHED_RATIO_GOAL
        and uncached["ratio"] <= UNCACHED_RATIO_GOAL
        and all(series["p95_ms"] <= P95_GOAL * series["median_ms"] for series in (cached, uncached))
    )


def print_table(results: dict) -> None:
    if "error" in results:
        print(f"interaction benchmark: {results['error']}\n")
        return
    print(
        f"keypress -> last repaint in headless Chromium, one user, ms (quiet {results['quiet_ms']} ms after "
        f"the run, {results['presses_per_series']} presses a series)\ngoals: median <= {CACHED_RATIO_GOAL}x "
        f"(cached) and {UNCACHED_RATIO_GOAL}x (uncached) the bare page's, p95 <= {P95_GOAL}x the median"
    )
    for kind in KINDS:
        bare = results["bare"][kind]
        medians = [value for value in bare["paired_medians_ms"] if value is not None]
        print(
            f"bare page, {kind}, all presses: {_pair(bare)} ms ({bare['n']} presses; the medians of its "
            f"presses paired with each control {_ms(min(medians, default=None))}-"
            f"{_ms(max(medians, default=None))})"
        )
    print(
        "ratio = the control's median / the median of the bare-page presses paired with its own\n"
        f"\n{'page':<14}{'control':<27}{'cached p50 / p95':>17}{'bare':>6}{'ratio':>7}"
        f"{'uncached p50 / p95':>20}{'bare':>6}{'ratio':>7}  goals"
    )
    for line in results["controls"]:
        cached, uncached = line["cached"], line["uncached"]
        print(
            f"{line['page']:<14}{line['control'][:26]:<27}{_pair(cached):>17}{_ms(cached['bare_median_ms']):>6}"
            f"{_ratio(cached['ratio']):>7}{_pair(uncached):>20}{_ms(uncached['bare_median_ms']):>6}"
            f"{_ratio(uncached['ratio']):>7}  {GOALS_MET[line['within_goals']]}"
        )
        for problem in (line["error"], cached["error"], uncached["error"], *line["bare_errors"]):
            if problem:
                print(f"{'':<14}! {problem}")
        if line["error"] is None and uncached["n"] < results["presses_per_series"]:
            print(f"{'':<14}  {uncached['n']} uncached presses: the slider has no more room")
        for kind in KINDS:
            if line[kind]["presses_without_chart_change"]:
                print(
                    f"{'':<14}  {line[kind]['presses_without_chart_change']} of {line[kind]['n']} {kind} "
                    "presses changed no chart"
                )
    print(
        "\nwhere the time goes: median ms after the keydown (page clock) until the rerun request is "
        "sent,\nthe script state is running, the run's script_finished arrives, the last repaint; the "
        "Plotly graphs drawn anew\nper press (median) of the page's graphs"
    )
    print(
        f"{'page':<14}{'control':<27}{'':<10}{'sent':>8}{'running':>9}{'finished':>10}{'repaint':>9}"
        f"{'graphs':>9}  last change in"
    )
    for line in results["controls"]:
        for kind in KINDS:
            phases = line[kind]["phases_ms"]
            print(
                f"{line['page']:<14}{line['control'][:26]:<27}{kind:<10}{_ms(phases['sent_ms']):>8}"
                f"{_ms(phases['running_ms']):>9}{_ms(phases['finished_ms']):>10}{_ms(phases['repaint_ms']):>9}"
                f"{_graphs(line[kind]):>9}  {line[kind]['last_change'] or '-'}"
            )
    print("\nscrubbing: each Plotly slider with animation frames dragged across its width")
    for name, charts in results["scrubbing"].items():
        if not charts:
            print(f"{name:<14}no scrubbable chart")
        for chart in charts:
            print(f"{name:<14}chart {chart['chart']} ({chart['title'][:50]})")
            if "error" in chart:
                print(f"{'':<14}! {chart['error']}")
                continue
            print(
                f"{'':<14}{_ratio(chart['fps'])} frames/s: {chart['frames_during_drag']} frames, "
                f"{chart['steps_crossed']} of {chart['steps_total']} steps in {chart['drag_ms']:.0f} ms "
                f"of drag ({chart['mouse_moves_per_s']:.0f} mouse moves/s), quiet "
                f"{chart['settle_ms']:.0f} ms after the release"
            )
    print()


def _graphs(series: dict) -> str:
    if series.get("graphs_new") is None:
        return "-"
    return f"{series['graphs_new']:g} of {series['graphs']}"


def _pair(series: dict) -> str:
    return f"{_ms(series['median_ms'])} / {_ms(series['p95_ms'])}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
