"""Charts whose main parameter scrubs in the browser: while the reader drags the chart's own slider,
the chart redraws from precomputed frames with no server round trip; when they let go, the page's
Streamlit control takes the released value (and with it the URL and every number on the page).

A view computes, at every value of a grid, the data of the traces that change (cheap NumPy from the
core, not a figure per value) and hands them with the figure drawn now to :func:`with_frames`::

    frames = [(s, [{"x": m, "y": m / s}]) for s in scrub.grid(setting.factor, scrub.SCALES)]
    fig = scrub.with_frames(position_map(setting).figure, setting.factor, frames, traces=[1], prefix="s = ")

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


# The scale s a lesson scrubs over: on the sidebar control's 0.5 steps, denser where lessons are read.
SCALES = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0, 96.0, 128.0)


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


def _keep(count: int, most: int) -> np.ndarray:
    """Indices of at most ``most`` points spread evenly over ``count``, both ends kept."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, most)).astype(int))


def _frame_trace(trace: dict, most: int) -> dict:
    """What a frame carries of one trace: x and y cut to ``most`` points, as float32 (Plotly sends
    NumPy arrays as typed arrays: 4 bytes a number, and no per-number validation here)."""
    x, y = np.asarray(trace["x"], dtype=float), np.asarray(trace["y"], dtype=float)
    if x.shape != y.shape:
        raise ValueError("a frame's trace needs as many x as y")
    kept = _keep(len(y), most)
    return {"x": x[kept].astype(np.float32), "y": y[kept].astype(np.float32)}


def _span(parts: list[np.ndarray], log: bool, pad_share: float) -> list[float] | None:
    """The range autorange would give the values ``parts`` (log10 on a log axis), padded by
    ``pad_share`` of the span; None without a number to show."""
    kept = [p[np.isfinite(p) & (p > 0 if log else True)] for p in parts]
    kept = [np.log10(p) if log else p for p in kept if p.size]
    if not kept:
        return None
    low, high = float(min(p.min() for p in kept)), float(max(p.max() for p in kept))
    pad = (high - low) * pad_share if high > low else (0.5 if log else max(abs(low) * 0.1, 0.5))
    return [low - pad, high + pad]


def _ranges(fig: go.Figure, traces: Sequence[int], frame: Sequence[dict]) -> dict:
    """The x and y ranges of ``fig`` with trace ``traces[k]`` replaced by ``frame[k]``, for each of
    its axes without a fixed range (the chart cannot autorange while it animates)."""
    replaced = dict(zip(traces, frame, strict=True))
    ranges = {}
    for letter, pad_share in (("x", 0.0), ("y", Y_PAD)):
        axis = getattr(fig.layout, f"{letter}axis")
        if axis.range is not None:
            continue
        parts = [
            _array(replaced[i][letter] if i in replaced else getattr(trace, letter, None))
            for i, trace in enumerate(fig.data)
        ]
        if any(part is None for part in parts):
            continue  # categories: Plotly keeps them
        span = _span(parts, axis.type == "log", pad_share)
        if span is not None:
            ranges[f"{letter}axis"] = {"range": span}
    return ranges


def with_frames(
    fig: go.Figure,
    current: float,
    frames: Sequence[tuple[float, Sequence[dict]]],
    *,
    traces: Sequence[int],
    prefix: str,
    text: Callable[[float], str] = value_text,
    points: int = FRAME_POINTS,
) -> go.Figure:
    """A copy of ``fig`` (drawn at ``current``) with one animation frame per ``(value, data)`` of
    ``frames``, in the order given. ``data`` holds, for each of the trace indices ``traces`` (the
    traces that change), a dict of its "x" and "y"; the frames cut them to ``points`` points in all
    and carry each frame's axis ranges. A Plotly slider over the frames sits above the plot,
    labelled ``prefix`` + ``text(value)``; its steps carry the value as :func:`value_text` writes
    it. ``current`` must be one of the values."""
    values = [float(v) for v, _ in frames]
    if float(current) not in values:
        raise ValueError(f"{current!r} is not on the scrub grid")
    at = values.index(float(current))
    most = max(MIN_TRACE_POINTS, points // max(len(traces), 1))
    cut = [[_frame_trace(trace, most) for trace in data] for _, data in frames]
    layouts = [_ranges(fig, traces, data) for data in cut]
    shown = go.Figure(fig)
    shown.update_layout(layouts[at])
    for k, index in enumerate(traces):
        # A trace whose x is the drawn one in every frame, with no point cut: its frames leave x out
        # (Plotly keeps what a frame does not name), half the bytes.
        drawn_x = _array(fig.data[index].x)
        if (
            drawn_x is not None
            and len(drawn_x) <= most
            and all(np.array_equal(np.asarray(data[k]["x"], dtype=float), drawn_x) for _, data in frames)
        ):
            for frame in cut:
                del frame[k]["x"]
    step_options = {
        "frame": {"duration": 0, "redraw": False},
        "mode": "immediate",
        "transition": {"duration": 0},
    }
    # The frames are made here from plain numbers and arrays: Plotly's validation of every frame's
    # traces cost more than the rest of the view (~40 ms for 18 frames); the figure is still checked.
    shown.frames = [
        go.Frame(name=value_text(value), data=data, traces=list(traces), layout=layout, _validate=False)
        for value, data, layout in zip(values, cut, layouts, strict=True)
    ]
    height = (fig.layout.height or 380) + SLIDER_ROOM
    shown.update_layout(
        height=height,
        margin={"t": (fig.layout.margin.t or 50) + SLIDER_ROOM},
        # The title stays at the top; the slider takes the room added under it.
        title={"yref": "container", "y": 1 - TITLE_FROM_TOP / height, "yanchor": "middle"},
        sliders=[
            {
                "active": at,
                "x": 0,
                "len": 1,
                "y": 1,
                "yanchor": "bottom",
                "pad": {"t": 0, "b": 8},
                "currentvalue": {"prefix": prefix, "xanchor": "left", "font": {"size": 14, "color": F.MUTED}},
                "font": {"color": "rgba(0, 0, 0, 0)", "size": 8},  # the grid's own tick labels would crowd
                "steps": [
                    {
                        "label": text(value),
                        "value": value_text(value),
                        "method": "animate",
                        "args": [[value_text(value)], step_options],
                    }
                    for value in values
                ],
            }
        ],
    )
    return shown


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
