"""Plotly figure builders: arrays in, figure out. No Streamlit here, so every chart can be built
and inspected in tests. Every builder drops non-finite points and downsamples long curves, so no
chart ever receives NaN or inf and no trace holds more than ``MAX_POINTS`` points.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools

import numpy as np
import plotly.graph_objects as go

MAX_POINTS = 4000

# One colour per method, used on every page.
METHOD_COLORS = {
    "none": "#7f7f7f",
    "linear": "#1f77b4",
    "ntk": "#ff7f0e",
    "dynamic_ntk": "#e6a100",
    "ntk_by_parts": "#9467bd",
    "yarn": "#d62728",
    "dynamic_yarn": "#e377c2",
    "llama3": "#2ca02c",
    "longrope": "#17becf",
}
# Extrapolated (kept) / blended / interpolated pairs.
REGIME_COLORS = {"kept": "#2ca02c", "blended": "#ff7f0e", "interpolated": "#1f77b4"}
WINDOW_FILL = "rgba(44, 160, 44, 0.12)"
MUTED = "#7f7f7f"


def finite_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    """Drop every point where x or y is NaN or infinite."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def downsample(x, y, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Keep at most ``max_points`` points, preserving each bucket's minimum and maximum so fast
    oscillations stay visible as an envelope."""
    x, y = finite_xy(x, y)
    if len(x) <= max_points:
        return x, y
    buckets = max_points // 2
    edges = np.linspace(0, len(x), buckets + 1).astype(np.int64)
    keep = []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        seg = y[lo:hi]
        pair = sorted({lo + int(np.argmin(seg)), lo + int(np.argmax(seg))})
        keep.extend(pair)
    idx = np.asarray(keep, dtype=np.int64)
    return x[idx], y[idx]


def _safe_z(z) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.where(np.isfinite(z), z, 0.0)


def base_layout(
    fig: go.Figure,
    *,
    title: str,
    x_title: str,
    y_title: str,
    log_x: bool = False,
    log_y: bool = False,
    height: int = 380,
) -> go.Figure:
    """Shared look: titles with units, unified hover, legend on top, compact margins. No plotly
    template: st.plotly_chart's Streamlit theme styles every chart (light and dark), and rebuilding
    plotly's default template is most of what a cached figure costs on a rerun."""
    fig.update_layout(
        template="none",
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hovermode="x unified",
        # Under the plot: above it, a two-row legend runs into the title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0},
    )
    fig.update_xaxes(title_text=x_title, type="log" if log_x else "linear")
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    return _log_annotations(fig)


def _log_annotations(fig: go.Figure) -> go.Figure:
    """Plotly places annotations on a log axis at 10^x: convert data-anchored ones (such as the
    labels of shade_window / mark_x) to log10 once, and mark them so it never happens twice."""
    for axis, ref in (("xaxis", "x"), ("yaxis", "y")):
        if getattr(fig.layout, axis).type != "log":
            continue
        for note in fig.layout.annotations:
            if getattr(note, ref + "ref") == ref and not (note.name or "").endswith(f"log{ref}"):
                value = getattr(note, ref)
                if value is not None and value > 0:
                    note.update({ref: float(np.log10(value)), "name": (note.name or "") + f"log{ref}"})
    return fig


def add_line(
    fig: go.Figure,
    x,
    y,
    *,
    name: str,
    color: str | None = None,
    dash: str | None = None,
    mode: str = "lines",
    hover: str = "%{y:.4g}",
    width: float = 2,
    showlegend: bool = True,
    max_points: int = MAX_POINTS,
) -> go.Figure:
    """Add one downsampled, finite line trace."""
    x, y = downsample(x, y, max_points)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            name=name,
            mode=mode,
            line={"color": color, "dash": dash, "width": width},
            marker={"color": color, "size": 6},
            hovertemplate=f"{name}: {hover}<extra></extra>",
            showlegend=showlegend,
        )
    )
    return fig


def shade_window(fig: go.Figure, start: float, end: float, label: str = "training window") -> go.Figure:
    """Shade [start, end] on the x axis (the positions or distances seen in training)."""
    fig.add_vrect(
        x0=start,
        x1=end,
        fillcolor=WINDOW_FILL,
        line_width=0,
        layer="below",
        annotation_text=label,
        annotation_position="top left",
    )
    return _log_annotations(fig)


def mark_x(fig: go.Figure, x: float, label: str, color: str = MUTED) -> go.Figure:
    fig.add_vline(
        x=x, line_dash="dot", line_color=color, annotation_text=label, annotation_position="top right"
    )
    return _log_annotations(fig)


def heatmap_figure(
    z,
    x,
    y,
    *,
    title: str,
    x_title: str,
    y_title: str,
    z_title: str,
    zmin: float | None = None,
    zmax: float | None = None,
    colorscale: str = "Viridis",
    hover: str = "%{z:.3g}",
) -> go.Figure:
    """A heatmap with finite cells (non-finite cells become 0)."""
    fig = go.Figure(
        go.Heatmap(
            z=_safe_z(z),
            x=list(x),
            y=list(y),
            zmin=zmin,
            zmax=zmax,
            colorscale=colorscale,
            colorbar={"title": {"text": z_title}},
            hovertemplate=f"{x_title}: %{{x}}<br>{y_title}: %{{y}}<br>{z_title}: {hover}<extra></extra>",
        )
    )
    base_layout(fig, title=title, x_title=x_title, y_title=y_title)
    fig.update_layout(hovermode="closest")
    return fig


def trace_array(values) -> np.ndarray | None:
    """A trace's x, y or z as a NumPy array. Plotly keeps arrays as plain sequences, but a figure
    that went through pickling (st.cache_data) holds them as {"dtype", "bdata", "shape"} dicts."""
    if values is None:
        return None
    if isinstance(values, dict) and "bdata" in values:
        array = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        if shape:
            array = array.reshape(
                [int(n) for n in str(shape).split(",")] if isinstance(shape, str) else list(shape)
            )
        return array
    return np.asarray(values, dtype=object)


def figure_csv(fig: go.Figure) -> str:
    """The data behind a figure as long-format CSV: one row per point of every trace."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["trace", "x", "y", "z"])
    for trace in fig.data:
        name = trace.name or trace.type
        x, y, z = (trace_array(getattr(trace, axis, None)) for axis in ("x", "y", "z"))
        if z is not None:
            z = np.atleast_2d(z)
            xs = list(x) if x is not None else list(range(z.shape[1]))
            ys = list(y) if y is not None else list(range(z.shape[0]))
            for i, yv in enumerate(ys):
                for j, xv in enumerate(xs):
                    writer.writerow([name, xv, yv, z[i, j]])
        elif x is not None and y is not None:
            for xv, yv in zip(x, y, strict=True):
                writer.writerow([name, xv, yv, ""])
    return out.getvalue()
