"""Charts whose main parameter scrubs in the browser: while the reader drags the chart's own slider,
the chart redraws from precomputed frames with no server round trip; when they let go, the page's
Streamlit control takes the released value (and with it the URL and every number on the page).

A view builds the figure at every value of a grid and hands them to :func:`with_frames`::

    figures = [(s, position_map(setting.with_(factor=s)).figure) for s in grid]
    fig = scrub.with_frames(figures, setting.factor, prefix="s = ")

and the page draws it with :func:`chart` instead of ``lesson.chart``, naming the control it follows::

    scrub.chart(fig, alt=..., key="pi_position_map", control="s")

The frames hold only the traces that change across the grid, each cut to a few hundred points, and
the axis ranges of each frame (the chart cannot autorange without a redraw). Plotly animates them
with ``redraw: false``: data and axes move, titles and shapes keep the drawn value until release.
The release travels through an ``st.components.v2`` component that listens to the chart's
``plotly_sliderend`` event and sends the step's value as a trigger; its callback writes the value
into the control's session state before the rerun, so the control and the URL follow.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from . import figures as F
from . import lesson

FRAME_POINTS = 1200  # points per frame, over all the traces that change
MIN_TRACE_POINTS = 60
Y_PAD = 0.05  # share of the y span added above and below (Plotly's autorange pads lines alike)
SLIDER_ROOM = lesson.SLIDER_ROOM
TITLE_FROM_TOP = 24  # px from the top of the figure to the middle of its title
RELEASED = "released"
COMPONENT = "yarn_explorer.scrub_sync"

# Listens to the Plotly chart in the element keyed ``data.chart`` and sends the value of the step the
# slider was released on (unless it is the value drawn). The chart may be drawn after this mounts,
# or redrawn into a new element: a MutationObserver finds it, and the newest sender is kept on it.
SYNC_JS = """
export default function ({ data, setTriggerValue }) {
  const selector = `.st-key-${CSS.escape(data.chart)} .js-plotly-plot`;
  const attach = () => {
    const gd = document.querySelector(selector);
    if (!gd || typeof gd.on !== 'function') return false;
    gd.__scrubSend = setTriggerValue;
    gd.__scrubDrawn = data.value;
    if (!gd.__scrubListening) {
      gd.__scrubListening = true;
      gd.on('plotly_sliderend', (event) => {
        const value = event && event.step ? event.step.value : undefined;
        if (value !== undefined && value !== gd.__scrubDrawn) gd.__scrubSend('released', value);
      });
    }
    return true;
  };
  if (attach()) return undefined;
  const observer = new MutationObserver(() => { if (attach()) observer.disconnect(); });
  observer.observe(document.body, { subtree: true, childList: true });
  return () => observer.disconnect();
}
"""


def value_text(value: float) -> str:
    """A grid value as the slider's step carries it: 2.5 -> "2.5", 4.0 -> "4"."""
    return f"{value:g}"


def snap(value: float, grid: Sequence[float]) -> float:
    """The grid value nearest to ``value``."""
    return min(grid, key=lambda g: abs(g - value))


def grid(current: float, values: Sequence[float]) -> tuple[float, ...]:
    """The scrub grid: ``values`` and the current value, sorted, without duplicates."""
    return tuple(sorted({float(v) for v in values} | {float(current)}))


def _array(values) -> np.ndarray | None:
    """A trace's x or y as float64, or None when it holds no numbers (categories, absent)."""
    if values is None:
        return None
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return None
    return array if array.ndim == 1 else None


def _same(a, b) -> bool:
    left, right = _array(a), _array(b)
    if left is None or right is None:
        return left is None and right is None and list(a or ()) == list(b or ())
    return left.shape == right.shape and np.array_equal(left, right, equal_nan=True)


def _colors(trace) -> list | None:
    marker = getattr(trace, "marker", None)
    color = getattr(marker, "color", None) if marker is not None else None
    return list(color) if isinstance(color, (list, tuple, np.ndarray)) else None


def changing_traces(figures: Sequence[go.Figure]) -> list[int]:
    """Indices of the traces whose x, y or marker colours differ anywhere across ``figures``."""
    first = figures[0].data
    for fig in figures[1:]:
        if len(fig.data) != len(first):
            raise ValueError("every figure of a scrub grid needs the same traces")
    return [
        i
        for i, trace in enumerate(first)
        if any(
            not _same(trace.x, fig.data[i].x)
            or not _same(trace.y, fig.data[i].y)
            or _colors(trace) != _colors(fig.data[i])
            for fig in figures[1:]
        )
    ]


def _keep(count: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` points spread evenly over ``count``, both ends kept."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, most)).astype(int))


def _rounded(values: np.ndarray) -> list:
    """Plain floats at 6 significant digits (the frames' size), NaN and infinities as gaps."""
    return [float(f"{v:.6g}") if math.isfinite(v) else None for v in values]


def _frame_trace(trace, most: int) -> dict:
    """What a frame carries of one trace: x, y (and marker colours), cut to ``most`` points."""
    x, y = _array(trace.x), _array(trace.y)
    count = len(y) if y is not None else len(trace.y or ())
    kept = _keep(count, most)
    data: dict = {
        "x": _rounded(x[kept]) if x is not None else [trace.x[i] for i in kept],
        "y": _rounded(y[kept]) if y is not None else [trace.y[i] for i in kept],
    }
    colors = _colors(trace)
    if colors is not None:
        data["marker"] = {"color": [colors[i] for i in kept]}
    return data


def _span(fig: go.Figure, letter: str) -> list[float] | None:
    """The range of axis ``letter`` that autorange would give ``fig``'s data (log10 on a log axis), or
    None when the axis has a fixed range or no numbers."""
    axis = getattr(fig.layout, f"{letter}axis")
    if axis.range is not None:
        return None
    log = axis.type == "log"
    parts = []
    for trace in fig.data:
        values = _array(getattr(trace, letter, None))
        if values is None:
            return None
        values = values[np.isfinite(values) & ((values > 0) if log else True)]
        if values.size:
            parts.append(np.log10(values) if log else values)
    if not parts:
        return None
    low, high = float(min(p.min() for p in parts)), float(max(p.max() for p in parts))
    pad = (high - low) * Y_PAD if letter == "y" else 0.0
    if high - low == 0:
        pad = 0.5 if log else max(abs(low) * 0.1, 0.5)
    return [low - pad, high + pad]


def _ranges(fig: go.Figure) -> dict:
    spans = {f"{letter}axis": _span(fig, letter) for letter in "xy"}
    return {axis: {"range": span} for axis, span in spans.items() if span is not None}


def with_frames(
    figures: Sequence[tuple[float, go.Figure]],
    current: float,
    *,
    prefix: str,
    text: Callable[[float], str] = value_text,
) -> go.Figure:
    """A copy of the figure drawn at ``current`` (one of the grid's values) with one animation frame per
    grid value (only the traces that change, at most FRAME_POINTS points in all, and the axis ranges)
    and a Plotly slider over them above the plot, labelled ``prefix`` + ``text(value)``, whose steps
    carry ``text(value)`` as their value."""
    values = [float(v) for v, _ in figures]
    if float(current) not in values:
        raise ValueError(f"{current!r} is not on the scrub grid")
    shown = figures[values.index(float(current))][1]
    changing = changing_traces([fig for _, fig in figures])
    most = max(MIN_TRACE_POINTS, FRAME_POINTS // max(len(changing), 1))
    fig = go.Figure(shown)
    fig.update_layout(_ranges(shown))
    step_options = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    fig.frames = [
        go.Frame(
            name=text(value),
            data=[_frame_trace(frame_fig.data[i], most) for i in changing],
            traces=changing,
            layout=_ranges(frame_fig),
        )
        for value, frame_fig in figures
    ]
    top = (fig.layout.margin.t or 50) + SLIDER_ROOM
    height = (fig.layout.height or 380) + SLIDER_ROOM
    fig.update_layout(
        height=height,
        margin={"t": top},
        # The title stays at the top; the slider takes the room added under it.
        title={"yref": "container", "y": 1 - TITLE_FROM_TOP / height, "yanchor": "middle"},
        sliders=[
            {
                "active": values.index(float(current)),
                "x": 0,
                "len": 1,
                "y": 1,
                "yanchor": "bottom",
                "pad": {"t": 0, "b": 8},
                "currentvalue": {"prefix": prefix, "xanchor": "left", "font": {"size": 14, "color": F.MUTED}},
                "font": {"color": "rgba(0, 0, 0, 0)"},  # the grid's own tick labels would crowd
                "steps": [
                    {
                        "label": text(value),
                        "value": text(value),
                        "method": "animate",
                        "args": [[text(value)], step_options],
                    }
                    for value in values
                ],
            }
        ],
    )
    return fig


def _release(result_key: str, control: str, cast: Callable) -> None:
    """The component's callback: the released value into the control, before the rerun."""
    released = st.session_state[result_key].get(RELEASED)
    if released is not None:
        st.session_state[control] = cast(float(released))


_SYNC = {}


def _sync_component():
    if "mount" not in _SYNC:
        _SYNC["mount"] = st.components.v2.component(COMPONENT, js=SYNC_JS)
    return _SYNC["mount"]


def chart(fig: go.Figure, alt: str, key: str, *, control: str, cast: Callable = float) -> None:
    """``lesson.chart`` for a figure from :func:`with_frames`: drawn (projector-sized in presenter
    mode), and followed by the component that hands the released slider value, through ``cast``,
    to the control keyed ``control``."""
    with st.container(gap=None):
        lesson.chart(fig, alt=alt, key=key)
        sync_key = f"scrub_sync_{key}"
        drawn = fig.layout.sliders[0].steps[fig.layout.sliders[0].active].value
        _sync_component()(
            key=sync_key,
            data={"chart": key, "value": drawn},
            height=0,
            on_released_change=partial(_release, sync_key, control, cast),
        )
