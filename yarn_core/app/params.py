"""URL-bound controls: a :class:`Param` declares one, :func:`param_widget` draws it bound to the
URL, and garbage or out-of-range URL values are clamped to the nearest valid value with a note
the frame shows above the page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

MAX_URL_VALUE_SHOWN = 24
NOTES_KEY = "_url_notes"
RENDERED_KEY = "_rendered_params"


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
        return (
            param.default,
            f"{param.label}: {shown!r} is not one of {', '.join(map(str, param.options))}; "
            f"using {param.default!r}",
        )
    try:
        number = float(text)
    except ValueError:
        return (
            param.default,
            f"{param.label}: {shown!r} is not a number; using the default {_number(param.default)}",
        )
    if math.isnan(number):
        return (
            param.default,
            f"{param.label}: NaN is not a number; using the default {_number(param.default)}",
        )
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
        return (
            value,
            f"{param.label}: {shown} is outside the valid settings; "
            f"using the nearest valid value {_number(value)}",
        )
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
            return where.select_slider(
                param.label, options=list(param.options), value=param.default, format_func=fmt, **common
            )
        return where.radio(
            param.label,
            options=list(param.options),
            index=param.options.index(param.default),
            format_func=fmt,
            horizontal=True,
            **common,
        )
    if param.kind == "bool":
        return where.toggle(param.label, value=param.default, **common)
    if param.kind == "multi":
        return where.multiselect(
            param.label, options=list(param.options), default=list(param.default), format_func=fmt, **common
        )
    if param.kind == "number":
        return where.number_input(
            param.label,
            min_value=param.minimum,
            max_value=param.maximum,
            value=param.default,
            step=param.step,
            format=param.format,
            **common,
        )
    cast = int if param.kind == "int" else float
    return where.slider(
        param.label,
        min_value=cast(param.minimum),
        max_value=cast(param.maximum),
        value=cast(param.default),
        step=cast(param.step) if param.step else None,
        format=param.format,
        **common,
    )


def reset_params(keep: frozenset[str] = frozenset()) -> None:
    """Set every control rendered on the current page (and the shared settings) to its default,
    except the keys in ``keep``."""
    for key, default in st.session_state.get(RENDERED_KEY, {}).items():
        if key not in keep:
            st.session_state[key] = default
    st.session_state[NOTES_KEY] = []


def show_url_notes() -> None:
    notes = st.session_state.get(NOTES_KEY) or []
    if notes:
        st.warning(
            "**Some settings in this link were adjusted:**\n\n" + "\n".join(f"- {n}" for n in notes),
            icon="🔧",
        )
        st.button(
            "Dismiss", key="dismiss_url_notes", on_click=lambda: st.session_state.update({NOTES_KEY: []})
        )
