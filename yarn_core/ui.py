"""Shared Streamlit widgets: the settings every lesson reads, URL-bound parameters that clamp
garbage with a visible note, presenter mode, and the lesson furniture (narrative, chart with CSV
download, takeaway, predict-then-reveal, reset). Pages import this; ``yarn_core`` itself does not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import plotly.graph_objects as go
import streamlit as st

from .figures import figure_csv
from .scaling import RopeSetting

MAX_URL_VALUE_SHOWN = 24
NOTES_KEY = "_url_notes"
RENDERED_KEY = "_rendered_params"
PRESENT_KEY = "present"


@dataclass(frozen=True)
class AppPage:
    """One page of the app: its navigation section, its script (from the repo root), its title and
    its URL path ("" for the start page, served at "/")."""

    section: str
    script: str
    title: str
    url_path: str
    icon: str | None = None

    @property
    def name(self) -> str:
        """What reports and tests call the page."""
        return self.url_path or "home"


APP_PAGES = (
    AppPage("", "pages/learn/home.py", "Start here", "", ":material/home:"),
    AppPage("Learn", "pages/learn/positions.py", "1. Why positions break", "positions"),
    AppPage("Learn", "pages/learn/rope.py", "2. RoPE from scratch", "rope"),
    AppPage("Learn", "pages/learn/extrapolation.py", "3. The extrapolation problem", "extrapolation"),
    AppPage("Learn", "pages/learn/interpolation.py", "4. Position Interpolation", "interpolation"),
    AppPage("Learn", "pages/learn/ntk_aware.py", "5. NTK-aware scaling", "ntk_aware"),
    AppPage("Learn", "pages/learn/ntk_by_parts.py", "6. NTK-by-parts", "ntk_by_parts"),
    AppPage("Learn", "pages/learn/yarn.py", "7. YaRN's temperature", "yarn"),
    AppPage("Learn", "pages/learn/dynamic.py", "8. Dynamic scaling", "dynamic"),
    AppPage("Compare", "pages/compare/compare.py", "PI vs NTK vs YaRN", "compare"),
    AppPage("Lab", "pages/lab/lab.py", "Tiny model lab", "lab"),
    AppPage("Your model", "pages/model/your_model.py", "Inspect a config.json", "your_model"),
)


def navigation() -> dict[str, list]:
    """APP_PAGES as ``st.navigation`` takes them, by section; the start page is the default."""
    sections: dict[str, list] = {}
    for page in APP_PAGES:
        sections.setdefault(page.section, []).append(
            st.Page(page.script, title=page.title, icon=page.icon, url_path=page.url_path or None,
                    default=not page.url_path))
    return sections


@dataclass(frozen=True)
class Param:
    """A URL-bound control. ``kind``: "int" and "float" sliders (``number`` for a typed float
    box), "choice" for a fixed list of options (numbers snap to the nearest, in log scale when
    ``log``), "bool" for a toggle, "multi" for a multiselect of ``options``."""

    key: str
    label: str
    default: Any
    kind: str = "float"
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    options: tuple = ()
    log: bool = False
    help: str | None = None
    format: str | None = None
    labels: dict = field(default_factory=dict)


def _number(value: float) -> str:
    """A setting as a reader writes it: 1,048,576 and 10,000 rather than 1.04858e+06 and 10000."""
    return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _short(raw: str) -> str:
    return raw if len(raw) <= MAX_URL_VALUE_SHOWN else raw[: MAX_URL_VALUE_SHOWN - 3] + "..."


def _option_named(param: Param, text: str):
    """Streamlit writes a labelled option to the URL as its label: read a label back as its
    option; any other text comes back unchanged."""
    return next((option for option, label in param.labels.items() if str(label) == text), text)


def url_text(param: Param, value) -> str | list[str]:
    """How Streamlit writes ``value`` of a choice or multi control into the URL (its label)."""
    if param.kind == "multi":
        return [str(param.labels.get(v, v)) for v in value]
    return str(param.labels.get(value, value))


def clamp_param(param: Param, raw: str | list[str]) -> tuple[Any, str | None]:
    """The valid value nearest to a raw URL value, and a note when it had to change."""
    if param.kind == "multi":
        # An empty value is how a link spells "nothing selected" (Streamlit reads it so): not garbage.
        values = [_option_named(param, v) for v in (raw if isinstance(raw, list) else [raw]) if v != ""]
        kept = list(dict.fromkeys(v for v in values if v in param.options))
        if kept == values:
            return kept, None
        dropped = [_short(v) for v in values if v not in param.options]
        kept = kept or list(param.default)
        ignored = f"unknown {', '.join(dropped)}" if dropped else "duplicates"
        return kept, f"{param.label}: ignored {ignored} (options: {', '.join(param.options)})"
    text = (raw[-1] if isinstance(raw, list) and raw else raw) if raw else ""
    text = str(text).strip()
    shown = _short(text) or "(empty)"
    text = _option_named(param, text)
    if param.kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True, None if lowered == "true" else f"{param.label}: read {shown!r} as on"
        if lowered in ("false", "0", "no", "off"):
            return False, None if lowered == "false" else f"{param.label}: read {shown!r} as off"
        return param.default, f"{param.label}: {shown!r} is not on/off; using {param.default}"
    if param.kind == "choice" and not all(isinstance(o, (int, float)) for o in param.options):
        if text in param.options:
            return text, None
        return param.default, f"{param.label}: {shown!r} is not one of {', '.join(map(str, param.options))}; using {param.default!r}"
    try:
        number = float(text)
    except ValueError:
        return param.default, f"{param.label}: {shown!r} is not a number; using the default {_number(param.default)}"
    if math.isnan(number):
        return param.default, f"{param.label}: NaN is not a number; using the default {_number(param.default)}"
    if param.kind == "choice":
        value = _nearest_option(param, number)
    else:
        low, high = param.minimum, param.maximum
        value = min(max(number, low), high)
        if param.step:
            value = low + round((value - low) / param.step) * param.step
            value = min(max(value, low), high)
        value = int(round(value)) if param.kind == "int" else float(round(value, 10))
    if value != number:
        return value, f"{param.label}: {shown} is outside the valid settings; using the nearest valid value {_number(value)}"
    return value, None


def _nearest_option(param: Param, number: float):
    """The option closest to ``number`` (in log distance when ``param.log``); infinities and,
    in log scale, non-positive numbers go to the nearest end."""
    options = sorted(param.options)
    if number == math.inf:
        return options[-1]
    if number == -math.inf or (param.log and number <= 0):
        return options[0]
    if param.log:
        return min(options, key=lambda o: abs(math.log(o) - math.log(number)))
    return min(options, key=lambda o: abs(o - number))


def _check_url(param: Param) -> None:
    """If the URL holds a garbage or out-of-range value for ``param``, replace it by the nearest
    valid value (via session state, which bound widgets honour) and record a note."""
    raw = st.query_params.get_all(param.key)
    if not raw:
        return
    raw = raw if param.kind == "multi" else raw[-1]
    value, note = clamp_param(param, raw)
    # A valid value written in another spelling (an option's key instead of its label, 4096.0 for
    # 4096) would be dropped silently by the binding: hand it over through session state too.
    respelled = param.kind in ("choice", "multi") and url_text(param, value) != raw
    if note or respelled:
        st.session_state[param.key] = value
    if note:
        notes = st.session_state.setdefault(NOTES_KEY, [])
        if note not in notes:
            notes.append(note)


def param_widget(param: Param, where=None):
    """Render a URL-bound control for ``param`` and return its value."""
    where = where or st
    _check_url(param)
    st.session_state.setdefault(RENDERED_KEY, {})[param.key] = param.default
    common = {"key": param.key, "help": param.help, "bind": "query-params"}
    fmt = lambda o: str(param.labels.get(o, o))  # noqa: E731
    if param.kind == "choice":
        if all(isinstance(o, (int, float)) for o in param.options):
            return where.select_slider(param.label, options=list(param.options), value=param.default, format_func=fmt, **common)
        return where.radio(param.label, options=list(param.options), index=param.options.index(param.default),
                           format_func=fmt, horizontal=True, **common)
    if param.kind == "bool":
        return where.toggle(param.label, value=param.default, **common)
    if param.kind == "multi":
        return where.multiselect(param.label, options=list(param.options), default=list(param.default), format_func=fmt, **common)
    if param.kind == "number":
        return where.number_input(param.label, min_value=param.minimum, max_value=param.maximum, value=param.default,
                                  step=param.step, format=param.format, **common)
    cast = int if param.kind == "int" else float
    return where.slider(param.label, min_value=cast(param.minimum), max_value=cast(param.maximum), value=cast(param.default),
                        step=cast(param.step) if param.step else None, format=param.format, **common)


def reset_params() -> None:
    """Set every control rendered on the current page (and the shared settings) to its default."""
    for key, default in st.session_state.get(RENDERED_KEY, {}).items():
        if key != PRESENT_KEY:
            st.session_state[key] = default
    st.session_state[NOTES_KEY] = []


def show_url_notes() -> None:
    notes = st.session_state.get(NOTES_KEY) or []
    if notes:
        st.warning("**Some settings in this link were adjusted:**\n\n" + "\n".join(f"- {n}" for n in notes), icon="🔧")
        st.button("Dismiss", key="dismiss_url_notes", on_click=lambda: st.session_state.update({NOTES_KEY: []}))


# ----------------------------------------------------------------------------------------------
# Shared settings

POW2_LENGTHS = tuple(2**k for k in range(4, 21))

SHARED = (
    Param("d", "Head dim |D|", 128, kind="int", minimum=8, maximum=512, step=2,
          help="Rotary dimension: the head is rotated as |D|/2 pairs (half-split, as in Llama)."),
    Param("base", "Rotary base b", 10000.0, kind="number", minimum=100.0, maximum=1e7, step=1.0, format="%.0f",
          help="theta_i = b^(-2i/|D|). Llama 2 uses 10,000; Llama 3 500,000; Qwen 1,000,000."),
    Param("L", "Trained length L (tokens)", 512, kind="choice", options=POW2_LENGTHS, log=True,
          help="The context length the model was trained on."),
    Param("s", "Scale s = L'/L", 2.0, kind="float", minimum=1.0, maximum=128.0, step=0.5,
          help="How many times longer the new context is. L' = s x L."),
)

PRESETS = {
    "The seed's example: 512 -> 1024": {"d": 128, "base": 10000.0, "L": 512, "s": 2.0},
    "LLaMA 2: 4k -> 64k (YaRN paper, s = 16)": {"d": 128, "base": 10000.0, "L": 4096, "s": 16.0},
    "Llama 3.1: 8k -> 128k (s = 16; its llama3 factor is 8)": {"d": 128, "base": 500000.0, "L": 8192, "s": 16.0},
    "Tiny model: 64 -> 256": {"d": 32, "base": 10000.0, "L": 64, "s": 4.0},
}


@dataclass(frozen=True)
class Settings:
    """The shared settings every lesson reads: |D|, b, L and s (L' = s L)."""

    head_dim: int
    base: float
    trained_length: int
    scale: float

    @property
    def target_length(self) -> int:
        return int(round(self.scale * self.trained_length))

    def rope(self, **options) -> RopeSetting:
        return RopeSetting(dim=self.head_dim, base=self.base, original_length=self.trained_length, factor=self.scale, **options)


def _apply_preset() -> None:
    name = st.session_state.get("_preset")
    if name in PRESETS:
        st.session_state.update(PRESETS[name])
        st.session_state["_preset"] = None


def _apply_target() -> None:
    target = st.session_state.get("_target")
    length = st.session_state.get("L", 512)
    if target:
        st.session_state["s"] = min(max(round(target / length * 2) / 2, 1.0), 128.0)


def shared_settings_sidebar() -> Settings:
    """Draw the shared settings once in the sidebar (called by app.py on every page)."""
    bar = st.sidebar
    bar.subheader("Model settings")
    bar.selectbox("Load a preset", list(PRESETS), index=None, key="_preset", placeholder="Choose a preset...",
                  on_change=_apply_preset)
    values = {p.key: param_widget(p, bar) for p in SHARED}
    settings = Settings(int(values["d"]), float(values["base"]), int(values["L"]), float(values["s"]))
    st.session_state["_target"] = settings.target_length
    bar.number_input("...or set the target length L' (tokens)", min_value=16, max_value=128 * 2**20, step=256,
                     key="_target", on_change=_apply_target, help="Sets s = L'/L, rounded to the nearest 0.5.")
    bar.caption(f"L = {settings.trained_length:,} -> L' = {settings.target_length:,} tokens (s = {settings.scale:g})")
    return settings


def shared_settings() -> Settings:
    """The current shared settings, as last drawn by the sidebar."""
    state = st.session_state
    return Settings(int(state.get("d", 128)), float(state.get("base", 10000.0)), int(state.get("L", 512)), float(state.get("s", 2.0)))


# ----------------------------------------------------------------------------------------------
# Presenter mode and lesson furniture

PRESENTER_CSS = """
<style>
.stMainBlockContainer p, .stMainBlockContainer li, .stMainBlockContainer label { font-size: 1.35rem !important; }
.stMainBlockContainer h1 { font-size: 3rem !important; }
.stMainBlockContainer h2, .stMainBlockContainer h3 { font-size: 2.1rem !important; }
</style>
"""


def presenter_toggle() -> bool:
    on = param_widget(Param(PRESENT_KEY, "Presenter mode", False, kind="bool",
                            help="Larger type and the narrative folded away, for projecting in class."), st.sidebar)
    if on:
        st.html(PRESENTER_CSS)
    return bool(on)


def presenting() -> bool:
    return bool(st.session_state.get(PRESENT_KEY, False))


def reset_button() -> None:
    st.sidebar.button("Reset this page to defaults", on_click=reset_params, icon=":material/restart_alt:", key="reset_defaults")


def narrative(markdown: str) -> None:
    """The lesson's story: shown in full, or folded away in presenter mode."""
    if presenting():
        with st.expander("The story (folded for presenting)"):
            st.markdown(markdown)
    else:
        st.markdown(markdown)


def takeaway(markdown: str) -> None:
    st.success(f"**Takeaway.** {markdown}", icon="💡")


def predict_then_reveal(key: str, question: str, options: list[str], answer: int, explanation: str) -> None:
    """Ask first; reveal whether the prediction was right and why once one is chosen."""
    with st.container(border=True):
        st.markdown(f"**Predict, then reveal.** {question}")
        choice = st.radio("Your prediction", options, index=None, key=f"predict_{key}", label_visibility="collapsed")
        if choice is None:
            st.caption("Pick an answer to reveal the explanation.")
            return
        if options.index(choice) == answer:
            st.markdown(f":green[**Right.**] {explanation}")
        else:
            st.markdown(f":orange[**Not quite:** the answer is *{options[answer]}*.] {explanation}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "chart"


def chart(fig: go.Figure, alt: str, key: str) -> None:
    """A Plotly chart with the modebar (PNG/SVG export), alt text, and a CSV of its data."""
    st.plotly_chart(
        fig,
        key=key,
        alt=alt,
        config={
            "displaylogo": False,
            "toImageButtonOptions": {"format": "png", "filename": _slug(key), "scale": 2},
            "modeBarButtonsToAdd": ["toImage"],
        },
    )
    # The CSV is built only when the button is clicked, not on every rerun.
    st.download_button("Download this chart's data (CSV)", lambda: figure_csv(fig), file_name=f"{_slug(key)}.csv",
                       mime="text/csv", key=f"csv_{key}", on_click="ignore", icon=":material/download:")


_CACHED: dict[Callable, Callable] = {}


def cached(fn: Callable) -> Callable:
    """``fn`` memoised with st.cache_data (plain-value arguments, bounded entries)."""
    if fn not in _CACHED:
        _CACHED[fn] = st.cache_data(max_entries=64, show_spinner=False)(fn)
    return _CACHED[fn]
