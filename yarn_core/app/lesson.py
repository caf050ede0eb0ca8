"""Lesson furniture: presenter mode (projector-sized charts, the sidebar collapsed, a step-through
of the page's sections), narrative, takeaway, predict-then-reveal, formulas and the notation panel,
a chart with its CSV download, the reset button, and a cache for view functions (shared, never
copied).

A page is a sequence of sections::

    with lesson.section("Why PI works", "Every angle the model sees is one it saw in training."):
        lesson.narrative(...)
        lesson.chart(fig, alt=..., key="pi_position_map")   # the section's key chart (its first)

Outside presenter mode a section is a subheader and its body. In presenter mode only the current
section shows: Previous/Next buttons (arrow keys) with "Section k of n", its title, its one
sentence, its key chart, whatever the page puts in ``with lesson.stage():``, and the rest of its
body folded in one expander; the other sections run hidden, so their controls keep their
values. ``app.py`` runs each page inside :func:`page_frame`, which numbers the sections.
"""

from __future__ import annotations

import gc
import re
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from . import figures as F
from . import params

PRESENT_KEY = "present"
SECTION_QUERY = "section"  # the current section (1-based) in the URL while presenting
RUN_KEY = "_lesson_run"
OFFSTAGE_KEY = "lesson_offstage"
SENTENCE_KEY = "lesson_sentence"
STEPS_KEY = "lesson_steps"
STORY_LABEL = "The story (folded for presenting)"
SLIDER_ROOM = 64  # px above the plot for a scrub slider (yarn_core/app/scrub.py)
PROJECTOR_SLIDER_ROOM = 84  # the same in presenter mode, its value in projector type
FOLD_LABEL = "More in this section"

PRESENTER = params.Param(
    PRESENT_KEY,
    "Presenter mode",
    False,
    kind="bool",
    help="For projecting in class: large type and charts, the sidebar folded away, one section at a "
    "time (Previous/Next or the arrow keys).",
)

# Presenter mode: larger text in the main column (not widget labels, whose slider values and
# toggles would then collide or truncate), sections off stage hidden.
PRESENTER_CSS = f"""
<style>
.stMainBlockContainer {{ padding-top: 3rem !important; }}
.stMainBlockContainer .stMarkdown [data-testid="stMarkdownContainer"] {{ font-size: 1.35rem !important; }}
.stMainBlockContainer [data-testid="stAlertContainer"] [data-testid="stMarkdownContainer"],
.stMainBlockContainer [data-testid="stRadio"] [data-testid="stMarkdownContainer"],
.stMainBlockContainer [data-testid="stExpander"] summary [data-testid="stMarkdownContainer"] {{
  font-size: 1.25rem !important;
}}
.stMainBlockContainer [data-testid="stCaptionContainer"] {{ font-size: 1.1rem !important; }}
.stMainBlockContainer h1 {{ font-size: 2.6rem !important; }}
.stMainBlockContainer h2, .stMainBlockContainer h3 {{ font-size: 2.1rem !important; }}
.stMainBlockContainer .katex-display .katex {{ font-size: 1.8rem !important; }}
.stMainBlockContainer [data-testid="stPageLink"] p {{ font-size: 1.35rem !important; }}
.stMainBlockContainer .st-key-{SENTENCE_KEY} [data-testid="stMarkdownContainer"] {{
  font-size: 1.6rem !important; font-weight: 500;
}}
.stMainBlockContainer .st-key-{STEPS_KEY} button p {{ font-size: 1.3rem !important; }}
[class*="st-key-{OFFSTAGE_KEY}"] {{ display: none !important; }}
</style>
"""


@dataclass
class _PageRun:
    """What one script run of a page knows about its sections (kept in session state, per session)."""

    page: str
    current: int
    sections: int = 0
    in_section: bool = False
    key_slot: Any = None  # where the current section's key chart goes (presenter mode)
    stage: Any = None  # what stays on screen under it (presenter mode)
    key_chart: str | None = None
    key_chart_shown: bool = False
    controls: Any = None  # where the Previous/Next bar goes
    shown: int | None = None  # index of the section shown this run
    story: Any = None  # the one expander holding narrative outside sections


def _section_key(page: str) -> str:
    return f"_section_{page}"


def _run() -> _PageRun:
    run = st.session_state.get(RUN_KEY)
    if run is None:  # a page run outside page_frame (app.py always opens one)
        run = st.session_state[RUN_KEY] = _PageRun(page="", current=0)
    return run


def presenter_toggle() -> bool:
    """The presenter-mode toggle (URL-bound as ``present``); when on, applies its CSS and starts
    the page with the sidebar collapsed."""
    on = bool(params.param_widget(PRESENTER, st.sidebar))
    st.set_page_config(initial_sidebar_state="collapsed" if on else "auto")
    if on:
        st.html(PRESENTER_CSS)
    return on


def presenting() -> bool:
    """Whether presenter mode is on (the toggle has run: app.py draws it before the page)."""
    return bool(st.session_state.get(PRESENT_KEY, False))


def _section_from_url() -> int | None:
    raw = st.query_params.get(SECTION_QUERY)
    try:
        return max(int(raw) - 1, 0) if raw is not None else None
    except ValueError:
        return 0


@contextmanager
def page_frame(page: str) -> Iterator[None]:
    """Run one page (``app.py``: ``with lesson.page_frame(name): page.run()``): number its sections
    and, in presenter mode, draw the step-through bar once the section count is known."""
    state_key = _section_key(page)
    if state_key not in st.session_state:
        st.session_state[state_key] = _section_from_url() or 0
    run = st.session_state[RUN_KEY] = _PageRun(page=page, current=st.session_state[state_key])
    yield
    _settle_memory(page)
    count = run.sections
    if not presenting() or count == 0:
        if SECTION_QUERY in st.query_params:
            del st.query_params[SECTION_QUERY]
        return
    if run.shown is None:  # the remembered (or linked) section is past the end
        st.session_state[state_key] = count - 1
        st.rerun()
    st.query_params[SECTION_QUERY] = str(run.shown + 1)
    _step_controls(run.controls, state_key, run.shown, count)


_SETTLED: set[str] = set()
_SETTLED_LOCK = threading.Lock()


def _settle_memory(page: str) -> None:
    """After a page's first run in this process: collect the garbage once, then freeze what is alive
    (``gc.freeze``), i.e. the modules it imported and its first figures, which stay for the
    process's life. The cyclic collector then no longer walks them: a full collection over the
    255,000 objects the imports alone leave (torch, plotly, pandas) took 150-290 ms, and every
    session's run waited for it."""
    with _SETTLED_LOCK:
        if page in _SETTLED:
            return
        _SETTLED.add(page)
        gc.collect()
        gc.freeze()


def _step(state_key: str, to: int) -> None:
    st.session_state[state_key] = to


def _step_controls(where, state_key: str, shown: int, count: int) -> None:
    """Previous / "Section k of n" / Next, bound to the left and right arrow keys."""
    back, middle, forward = where.columns([1, 2, 1], vertical_alignment="center")
    back.button(
        "Previous",
        key="lesson_previous",
        shortcut="ArrowLeft",
        icon=":material/arrow_back:",
        disabled=shown == 0,
        on_click=_step,
        args=(state_key, shown - 1),
        width="stretch",
    )
    middle.markdown(f"**Section {shown + 1} of {count}**", text_alignment="center")
    forward.button(
        "Next",
        key="lesson_next",
        shortcut="ArrowRight",
        icon=":material/arrow_forward:",
        disabled=shown == count - 1,
        on_click=_step,
        args=(state_key, shown + 1),
        width="stretch",
    )


HEADINGS = {2: st.header, 3: st.subheader}


@contextmanager
def section(title: str, sentence: str, *, chart: str | None = None, level: int = 3) -> Iterator[None]:
    """One step of the lesson: ``title`` as a heading (``level`` 2 header, 3 subheader, 0 none),
    then the body. In presenter mode, when current: the step-through bar, the title, the one-line
    ``sentence`` (shown only when presenting), the key chart (the ``lesson.chart`` or
    ``lesson.thumbnail`` keyed ``chart``, else the section's first), the section's
    ``lesson.stage()`` content, and the rest of the body in one expander; when not current: the body
    runs hidden."""
    run = _run()
    if run.in_section:
        raise RuntimeError("lesson.section cannot be nested")
    index, run.sections = run.sections, run.sections + 1
    run.in_section = True
    try:
        if not presenting():
            if level:
                HEADINGS[level](title)
            yield
        elif index != run.current:
            with st.container(key=f"{OFFSTAGE_KEY}_{index}"):
                yield
        else:
            run.shown = index
            run.controls = st.container(key=STEPS_KEY)
            st.subheader(title)
            st.container(key=SENTENCE_KEY).markdown(sentence)
            run.key_slot, run.stage, run.key_chart = st.container(), st.container(), chart
            with st.expander(FOLD_LABEL):
                yield
    finally:
        run.in_section, run.key_slot, run.stage = False, None, None
        run.key_chart, run.key_chart_shown = None, False


def stage():
    """Where a page puts what must stay on screen in presenter mode, under the key chart (a control
    the presenter moves live, a formula): ``with lesson.stage(): ...``. Elsewhere, the normal flow."""
    run = _run()
    return run.stage if run.stage is not None else nullcontext()


def columns(spec, **options) -> list:
    """``st.columns(spec, **options)``, except in presenter mode, where the columns stack (one
    full-width container each), so charts side by side on a laptop are projector-sized one above
    the other."""
    count = spec if isinstance(spec, int) else len(spec)
    return [st.container() for _ in range(count)] if presenting() else st.columns(spec, **options)


def rerun_alone(body: Callable[[], None]) -> None:
    """Run ``body`` (a page-local control and everything that reads it: its charts, numbers and
    text) as an ``st.fragment``, so moving that control reruns ``body`` alone: the sidebar and the
    other sections are neither rerun nor sent again. ``body`` reads the rest of the page through its
    closure, as the last full run left it; any other control still reruns the whole page, so that is
    never stale. Nothing outside ``body`` may read its control. In presenter mode ``body`` runs as
    part of the page: its chart may go into the section's key slot, outside a fragment's body."""
    if presenting():
        body()
    else:
        st.fragment(body)()


def narrative(markdown: str) -> None:
    """The lesson's story: shown in full; in presenter mode folded away, inside a section into its
    fold, outside sections into one expander per page (never one label per block)."""
    run = _run()
    if not presenting() or run.in_section:
        st.markdown(markdown)
        return
    if run.story is None:
        run.story = st.expander(STORY_LABEL)
    run.story.markdown(markdown)


def takeaway(markdown: str) -> None:
    st.success(f"**Takeaway.** {markdown}", icon="💡")


def formula(latex: str) -> None:
    """A display formula (LaTeX), in the notation of :data:`NOTATION`."""
    st.latex(latex)


# The symbols every lesson uses: (LaTeX, meaning).
NOTATION = (
    (r"\theta_i = b^{-2i/|D|}", "frequency of pair $i$ (radians per token), $i = 0$ the fastest"),
    (r"|D|", "head (rotary) dimension: $|D|/2$ pairs"),
    (r"b", "rotary base"),
    (r"L", "trained context length"),
    (r"L' = sL", "target context length"),
    (r"s", "scale factor $L'/L$"),
    (r"l'", "current sequence length (dynamic scaling)"),
    (r"m,\ n", "token positions (query, key)"),
    (r"\Delta = m - n", "relative distance"),
    (r"\lambda_i = 2\pi/\theta_i", "wavelength of pair $i$ (tokens per turn)"),
    (r"r_i = L/\lambda_i", "turns pair $i$ makes inside $L$"),
    (r"\alpha,\ \beta", "ramp bounds in turns: below $\alpha$ interpolated, above $\beta$ kept"),
    (r"\gamma_i", "ramp of pair $i$: 1 = kept, 0 = interpolated"),
    (r"\sqrt{1/t} = 0.1 \ln s + 1", "YaRN's attention factor (on cos and sin)"),
)


def notation() -> None:
    """The notation panel (app.py shows it in the sidebar on every page)."""
    with st.expander("Notation", icon=":material/function:"):
        st.markdown("\n".join(f"- ${symbol}$: {meaning}" for symbol, meaning in NOTATION))


def predict_then_reveal(key: str, question: str, options: list[str], answer: int, explanation: str) -> None:
    """Ask first; reveal whether the prediction was right and why once one is chosen."""
    with st.container(border=True):
        st.markdown(f"**Predict, then reveal.** {question}")
        choice = st.radio(
            "Your prediction", options, index=None, key=f"predict_{key}", label_visibility="collapsed"
        )
        if choice is None:
            st.caption("Pick an answer to reveal the explanation.")
            return
        if options.index(choice) == answer:
            st.markdown(f":green[**Right.**] {explanation}")
        else:
            st.markdown(f":orange[**Not quite:** the answer is *{options[answer]}*.] {explanation}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "chart"


def _is_key_chart(run: _PageRun, key: str) -> bool:
    if run.key_slot is None or run.key_chart_shown or run.key_chart not in (None, key):
        return False
    run.key_chart_shown = True
    return True


def _has_top_slider(fig: go.Figure) -> bool:
    return any(slider.yanchor == "bottom" and (slider.y or 0) >= 1 for slider in fig.layout.sliders)


def _projected(fig: go.Figure) -> go.Figure:
    """:func:`figures.projector`'s copy of ``fig``, with PROJECTOR_SLIDER_ROOM px more above the plot
    when a slider sits there (the projector sizes the top margin for the title alone), and the
    slider's value in projector type."""
    big = F.projector(fig)
    if not _has_top_slider(fig):
        return big
    height, room = big.layout.height, PROJECTOR_SLIDER_ROOM
    title_y = big.layout.title.y
    big.update_layout(height=height + room, margin_t=big.layout.margin.t + room)
    big.update_layout(
        sliders=[{"currentvalue": {"font": {"size": F.PROJECTOR_FONT}}} for _ in big.layout.sliders]
    )
    if title_y is not None:  # the title keeps its distance from the top, in pixels
        big.update_layout(title_y=1 - (1 - title_y) * height / (height + room))
    return big


class _Spec(go.Figure):
    """A figure already converted to the dict Plotly sends. ``st.plotly_chart`` asks its figure for
    ``to_dict()`` on every rerun, a deep copy that costs 5-110 ms a chart (the scrub figures, with
    their frames, the most); this one answers with the dict it holds. Only ``to_dict`` is used."""

    def __init__(self, spec: dict):  # no go.Figure.__init__: nothing is validated again
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


_SPECS: dict[tuple[int, str], dict] = {}
_SPECS_LOCK = threading.Lock()


def _projected_readable(fig: go.Figure) -> go.Figure:
    return _projected(F.readable(fig))


def _thumbnail_readable(fig: go.Figure) -> go.Figure:
    return F.thumbnail(F.readable(fig))


def _spec(fig: go.Figure, prepare: Callable[[go.Figure], go.Figure]) -> _Spec:
    """``prepare(fig)`` (the readable, thumbnail or projector-sized copy) as a dict, made once per
    figure object and ``prepare`` and dropped with the figure. Views' figures are never changed
    once made (every change at render time is made on a copy), so a figure that ``lesson.cached``
    keeps between reruns and sessions keeps its dict."""
    kind = (id(fig), prepare.__name__)
    with _SPECS_LOCK:
        spec = _SPECS.get(kind)
        if spec is None:
            spec = prepare(fig).to_dict()
            if prepare is F.readable:  # a laptop chart: sent with the margins it will need
                spec = F.margins_that_fit(spec)
            _SPECS[kind] = spec
            weakref.finalize(fig, _SPECS.pop, kind, None)
    return _Spec(spec)


def _draw(
    fig: go.Figure, alt: str, key: str, config: dict, prepare: Callable[[go.Figure], go.Figure]
) -> bool:
    """Draw ``prepare(fig)``, or in presenter mode its projector-sized copy (as the key chart of the
    current section if it is one); True when presenting."""
    present, run = presenting(), _run()
    shown = _spec(fig, _projected_readable if present else prepare)
    with run.key_slot if present and _is_key_chart(run, key) else nullcontext():
        st.plotly_chart(shown, key=key, alt=alt, config=config)
    return present


def chart(fig: go.Figure, alt: str, key: str) -> None:
    """A Plotly chart with the modebar (PNG/SVG export), alt text, and a CSV of its data. The axis
    rules of :func:`figures.readable` hold at render time; presenter mode draws a projector-sized
    copy (the view's cached figure is never changed), without the CSV button."""
    config = {
        "displaylogo": False,
        "toImageButtonOptions": {"format": "png", "filename": _slug(key), "scale": 2},
        "modeBarButtonsToAdd": ["toImage"],
    }
    if _draw(fig, alt, key, config, F.readable):
        return
    # The CSV is built only when the button is clicked, not on every rerun.
    st.download_button(
        "Download this chart's data (CSV)",
        lambda: F.figure_csv(fig),
        file_name=f"{_slug(key)}.csv",
        mime="text/csv",
        key=f"csv_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def thumbnail(fig: go.Figure, alt: str, key: str) -> None:
    """A small static chart without text (a caption explains it), e.g. on the start page's map; in
    presenter mode the full chart, projector-sized."""
    config = {"staticPlot": True, "displayModeBar": False}
    _draw(fig, alt, key, config, _thumbnail_readable)


def _arrow(data: list[dict] | dict[str, list]) -> Any:
    """``data`` (rows as dicts, or columns as lists) as an Arrow table, every row's keys in order;
    ``data`` itself when a column mixes types Arrow cannot hold in one column. (pyarrow is imported
    here: pages without a table do not pay for it.)"""
    import pyarrow as pa

    try:
        if isinstance(data, dict):
            return pa.table(data)
        names = list(dict.fromkeys(name for row in data for name in row))
        return pa.table({name: [row.get(name) for row in data] for name in names})
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return data


def table(data: list[dict] | dict[str, list], **options) -> None:
    """``st.dataframe`` of ``data`` sent as an Arrow table: given a list or a dict, Streamlit builds a
    pandas DataFrame and converts it to Arrow on every rerun, about a third of lesson 7's rerun."""
    st.dataframe(_arrow(data), hide_index=True, **options)


def reset_button() -> None:
    st.sidebar.button(
        "Reset this page to defaults",
        on_click=params.reset_params,
        kwargs={"keep": frozenset({PRESENT_KEY})},
        icon=":material/restart_alt:",
        key="reset_defaults",
    )


_CACHED: dict[Callable, Callable] = {}


def cached(fn: Callable) -> Callable:
    """``fn`` memoised with st.cache_resource (plain-value arguments, bounded entries): one result
    shared by every session, never copied. Views' results are only read, never changed (every change
    at render time is made on a copy), and copying them is what costs: st.cache_data unpickled every
    figure on every rerun (Plotly validates it again; ~0.1 s for a figure with animation frames), and
    a figure object that lives on keeps the dict :func:`_spec` made of it."""
    if fn not in _CACHED:
        _CACHED[fn] = st.cache_resource(max_entries=64, show_spinner=False)(fn)
    return _CACHED[fn]
