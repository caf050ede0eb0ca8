"""Plotly figure builders: arrays in, figure out. No Streamlit here, so every chart can be built
and inspected in tests. Every builder drops non-finite points and downsamples long curves, so no
chart ever receives NaN or inf and no trace holds more than ``MAX_POINTS`` points.

The readability rules live here, once: labels (strings) always sit on a category axis, every log
axis is labelled at its decades (:func:`axis_rules`, applied by :func:`base_layout` and again at
render time by :func:`readable`), chart colours keep their contrast on Streamlit's light and dark
backgrounds, :func:`projector` scales a copy for presenting, and :func:`mark_coinciding` tells
identical curves apart.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import math
import re
import textwrap

import numpy as np
import plotly.graph_objects as go

MAX_POINTS = 4000
BASE_MARGIN = {"l": 10, "r": 10, "t": 50, "b": 10}  # automargin grows them (margins_that_fit: how far)

# One colour per method, used on every page; each reads at 3:1 or more on both theme backgrounds.
METHOD_COLORS = {
    "none": "#7f7f7f",
    "linear": "#1f77b4",
    "ntk": "#e06c00",
    "dynamic_ntk": "#b8860b",
    "ntk_by_parts": "#9467bd",
    "yarn": "#d62728",
    "dynamic_yarn": "#d0579f",
    "llama3": "#2ca02c",
    "longrope": "#119aab",
}
# Extrapolated (kept) / blended / interpolated pairs.
REGIME_COLORS = {"kept": "#2ca02c", "blended": "#e06c00", "interpolated": "#1f77b4"}

# Streamlit's two theme backgrounds (charts are transparent over them): reference lines keep a
# contrast of at least 3:1 on both, the training-window fill stays visibly tinted on both and its
# edges (WINDOW_LINE) are drawn as lines.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#171614"
WINDOW_FILL = "rgba(44, 160, 44, 0.18)"
WINDOW_LINE = "#2ca02c"
MUTED = "#7f7f7f"

# Presenter mode: every text on a chart at least this size (px), titles larger.
PROJECTOR_FONT = 20
PROJECTOR_TITLE_FONT = 26
PROJECTOR_AXIS_TITLE_FONT = 22
PROJECTOR_PLOT = 300  # px: the plot area's height, at least
THUMBNAIL_HEIGHT = 110
# Width (px) of the main column in presenter mode at 1280 px (sidebar collapsed): titles wrap to it.
PROJECTOR_WIDTH = 1100


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
        margin=BASE_MARGIN,
        hovermode="x unified",
        # Under the plot: above it, a two-row legend runs into the title.
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0},
    )
    fig.update_xaxes(title_text=x_title, type="log" if log_x else "linear")
    fig.update_yaxes(title_text=y_title, type="log" if log_y else "linear")
    _apply(fig, axis_rules(fig))
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


def shade_window(
    fig: go.Figure, start: float, end: float, label: str = "training window", *, axis: str = "x", **where
) -> go.Figure:
    """Shade [start, end] on the x axis (or the y axis: ``axis="y"``), the positions or distances
    seen in training, with its edges drawn in WINDOW_LINE; ``where`` (row=, col=) picks a subplot."""
    band = {"fillcolor": WINDOW_FILL, "line": {"color": WINDOW_LINE, "width": 1}, "layer": "below"}
    if label:
        band |= {"annotation_text": label, "annotation_position": "top left"}
    if axis == "y":
        fig.add_hrect(y0=start, y1=end, **band, **where)
    else:
        fig.add_vrect(x0=start, x1=end, **band, **where)
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


# ---------------------------------------------------------------- the shared axis rules


def _axis_name(reference: str | None, letter: str) -> str:
    """A trace's axis reference ("x", "x2") as its layout key ("xaxis", "xaxis2")."""
    return f"{letter}axis{(reference or letter)[1:]}"


def holds_labels(values) -> bool:
    """True when a trace's coordinates are labels (strings), which only a category axis can show."""
    if values is None or isinstance(values, dict):  # dicts: pickled numeric arrays
        return False
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        return False
    return any(isinstance(value, str) for value in np.asarray(values, dtype=object).reshape(-1))


def _numbers(values) -> np.ndarray:
    array = trace_array(values)
    if array is None or array.dtype.kind not in "biuf":
        try:
            array = np.asarray(array, dtype=np.float64)
        except (TypeError, ValueError):
            return np.empty(0)
    array = np.asarray(array, dtype=np.float64).reshape(-1)
    return array[np.isfinite(array)]


def axes_data(fig: go.Figure) -> dict[str, list]:
    """Every layout axis ("xaxis", "yaxis2", ...) with the coordinates of the traces drawn on it."""
    data: dict[str, list] = {name: [] for name in fig.layout if name.startswith(("xaxis", "yaxis"))}
    for trace in fig.data:
        for letter in "xy":
            values = getattr(trace, letter, None) if letter in trace else None
            reference = getattr(trace, f"{letter}axis", None) if f"{letter}axis" in trace else None
            data.setdefault(_axis_name(reference, letter), []).append(values)
    return data


def _plain(value: float) -> str:
    """A tick value written out: 0.01, 2, 1,000, 20,000."""
    return f"{value:,.6g}"


def _power_of_ten(value: float) -> str:
    """A decade as 1, 10 or 10<sup>k</sup>."""
    k = round(math.log10(value))
    return _plain(value) if k in (0, 1) else f"10<sup>{k}</sup>"


def log_ticks(low: float, high: float) -> tuple[tuple[float, ...], tuple[str, ...]] | None:
    """Ticks for a log axis over [low, high] (data units, 0 < low < high): the decades, written out
    when every decade in view lies between 0.01 and 10,000 and as powers of ten (10<sup>k</sup>)
    otherwise; a span with fewer than two decades in view gets 1-2-5 steps (or every digit), written
    out; None (plotly's own ticks) when even those give fewer than two."""
    lo, hi = math.floor(math.log10(low)), math.ceil(math.log10(high))

    def in_view(value: float) -> bool:
        return low * (1 - 1e-9) <= value <= high * (1 + 1e-9)

    for mantissas in ((1,), (1, 2, 5), tuple(range(1, 10))):
        values = [float(f"{m * 10.0**k:.6g}") for k in range(lo - 1, hi + 2) for m in mantissas]
        shown = [v for v in values if in_view(v)]
        if len(shown) >= 2:
            break
    else:
        return None
    if mantissas == (1,) and not all(0.01 <= v <= 1e4 for v in shown):
        return tuple(values), tuple(_power_of_ten(v) for v in values)
    return tuple(values), tuple(_plain(v) for v in values)


def axis_rules(fig: go.Figure) -> dict[str, dict]:
    """What the shared rules need of each axis of ``fig``: ``type="category"`` for an axis holding
    labels (a log axis of labels is refused with ValueError) and decade ticks for every log axis
    with data (``dtick=1`` in powers of ten while it has none)."""
    rules: dict[str, dict] = {}
    for name, coordinates in axes_data(fig).items():
        axis = fig.layout[name]
        if any(holds_labels(values) for values in coordinates):
            if axis.type == "log":
                raise ValueError(f"{name} holds labels (strings) but is a log axis")
            rules[name] = {"type": "category"}
        elif axis.type == "log":
            numbers = np.concatenate([_numbers(values) for values in coordinates] or [np.empty(0)])
            numbers = numbers[numbers > 0]
            if axis.range is not None and all(r is not None for r in axis.range):
                numbers = 10.0 ** np.asarray(axis.range, dtype=np.float64)
            ticks = log_ticks(float(numbers.min()), float(numbers.max())) if numbers.size else None
            if ticks is not None:
                rules[name] = {"tickmode": "array", "tickvals": ticks[0], "ticktext": ticks[1]}
            elif not numbers.size and axis.tickvals is None:
                rules[name] = {"dtick": 1, "exponentformat": "power"}
    return rules


def _apply(fig: go.Figure, rules: dict[str, dict]) -> go.Figure:
    for name, update in rules.items():
        fig.layout[name].update(update)
    return fig


def _satisfied(fig: go.Figure, rules: dict[str, dict]) -> bool:
    for name, update in rules.items():
        axis = fig.layout[name]
        for prop, wanted in update.items():
            have = axis[prop]
            if isinstance(wanted, tuple) and (have is None or tuple(have) != wanted):
                return False
            if not isinstance(wanted, tuple) and have != wanted:
                return False
    return True


def readable(fig: go.Figure) -> go.Figure:
    """``fig`` if it follows the axis rules, else a copy that does (for traces added after
    :func:`base_layout`): applied to every chart at render time, never changing a cached figure."""
    rules = axis_rules(fig)
    return fig if _satisfied(fig, rules) else _apply(go.Figure(fig), rules)


# ---------------------------------------------------------------- colours and contrast


def color_channels(color: str) -> tuple[float, float, float, float]:
    """ "#rrggbb" or "rgb(r, g, b)" / "rgba(r, g, b, a)" as (r, g, b, alpha), channels 0-255."""
    color = color.strip()
    if color.startswith("#"):
        return (*(int(color[i : i + 2], 16) for i in (1, 3, 5)), 1.0)
    parts = [float(p) for p in color[color.index("(") + 1 : color.index(")")].split(",")]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 1.0)


def composite(color: str, background: str) -> str:
    """``color`` drawn over the opaque ``background``, as an opaque "rgb(r, g, b)"."""
    red, green, blue, alpha = color_channels(color)
    back = color_channels(background)
    mixed = (alpha * c + (1 - alpha) * b for c, b in zip((red, green, blue), back[:3], strict=True))
    return "rgb({}, {}, {})".format(*mixed)


def relative_luminance(color: str, background: str = LIGHT_BACKGROUND) -> float:
    """WCAG relative luminance of ``color`` (composited over ``background`` when translucent)."""
    channels = color_channels(composite(color, background))

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(channels[0]) + 0.7152 * linear(channels[1]) + 0.0722 * linear(channels[2])


def contrast_ratio(color: str, background: str) -> float:
    """WCAG contrast (L1 + 0.05) / (L2 + 0.05) of ``color`` drawn over ``background``."""
    ours, theirs = relative_luminance(color, background), relative_luminance(background, background)
    return (max(ours, theirs) + 0.05) / (min(ours, theirs) + 0.05)


# ---------------------------------------------------------------- coinciding curves

COINCIDING_DASHES = ("dash", "dot", "dashdot", "longdash")
COINCIDING_SYMBOLS = ("circle-open", "square-open", "diamond-open", "triangle-up-open")


def _same_curve(a, b, rtol: float, min_share: float) -> bool:
    ax, ay = trace_array(a.x), trace_array(a.y)
    bx, by = trace_array(b.x), trace_array(b.y)
    if ax is None or ay is None or bx is None or by is None or len(ax) != len(bx) or not len(ax):
        return False
    try:
        ax, ay, bx, by = (np.asarray(v, dtype=np.float64) for v in (ax, ay, bx, by))
    except (TypeError, ValueError):
        return False
    scale = max(float(np.nanmax(np.abs(ay))), float(np.nanmax(np.abs(by))), 1e-300)
    same = np.isclose(ax, bx, rtol=rtol, atol=0) & np.isclose(ay, by, rtol=rtol, atol=rtol * scale)
    return bool(same.mean() >= min_share)


def mark_coinciding(
    fig: go.Figure, *, rtol: float = 1e-6, min_share: float = 0.5
) -> tuple[tuple[str, str], ...]:
    """Give every line trace that lies on an earlier one of the same subplot (equal within ``rtol``
    on at least ``min_share`` of its points) a visible distinction: dashed, with open markers, on top, and
    "(= <earlier name>)" in its legend entry. Returns the (later, earlier) name pairs it marked."""
    lines = [t for t in fig.data if t.type == "scatter" and "lines" in (t.mode or "lines")]
    marked: list[tuple[str, str]] = []
    for later_index, later in enumerate(lines):
        same_axes = [t for t in lines[:later_index] if (t.xaxis, t.yaxis) == (later.xaxis, later.yaxis)]
        earlier = next((t for t in same_axes if _same_curve(t, later, rtol, min_share)), None)
        if earlier is None:
            continue
        k = len(marked) % len(COINCIDING_DASHES)
        points = len(trace_array(later.x))
        marked.append((str(later.name), str(earlier.name)))
        later.update(
            mode="lines+markers",
            line={"dash": COINCIDING_DASHES[k], "width": max((later.line.width or 2), 2.5)},
            marker={"symbol": COINCIDING_SYMBOLS[k], "size": 9, "maxdisplayed": min(points, 24)},
            name=f"{later.name} (= {earlier.name})",
        )
    return tuple(marked)


# ---------------------------------------------------------------- presenter mode


def _wrap(text: str | None, width_px: float, font_px: float) -> str | None:
    """``text`` broken into lines (<br>) that fit ``width_px`` at ``font_px`` (0.55 em a character)."""
    if not text or "<br>" in text:
        return text
    chars = max(int(width_px / (0.55 * font_px)), 12)
    return "<br>".join(textwrap.wrap(text, chars)) if len(text) > chars else text


def _lines(text: str | None) -> int:
    return 1 + text.count("<br>") if text else 0


def _subplot_width(fig: go.Figure, note) -> float:
    """The share of the figure's width a (subplot-title) annotation can use: its x axis domain."""
    if note.xref == "paper" and note.x is not None:
        domains = [fig.layout[n].domain for n in fig.layout if n.startswith("xaxis")]
        widths = [d[1] - d[0] for d in domains if d is not None and d[0] <= note.x <= d[1]]
        return min(widths, default=1.0)
    return 1.0


def is_subplot_title(note) -> bool:
    """An annotation above the top row of plots, as make_subplots writes subplot titles."""
    return note.yref == "paper" and (note.y or 0) >= 0.99 and note.showarrow is False


def _legend_rows(fig: go.Figure, width: float) -> int:
    """How many rows the horizontal legend takes at PROJECTOR_FONT (0 when none is shown)."""
    entries = [t.name for t in fig.data if t.name and t.showlegend is not False]
    entries += [s.name for s in fig.layout.shapes if s.name and s.showlegend]
    if fig.layout.showlegend is False or (fig.layout.showlegend is None and len(entries) < 2):
        return 0
    rows, used = 1, 0.0
    for name in entries:
        entry = 0.55 * PROJECTOR_FONT * len(name) + 60
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows


def projector(fig: go.Figure, *, width: int = PROJECTOR_WIDTH) -> go.Figure:
    """A copy of ``fig`` for a projector: tick labels, legend and notes at PROJECTOR_FONT px, axis
    titles and the title larger; the title and subplot titles wrapped to ``width`` px with room
    made for them above the plot, axis titles wrapped to their axis; the legend at the bottom, below
    the x axis titles; a taller plot."""
    big = go.Figure(fig)
    line = 1.3  # line height, in font sizes
    title = _wrap(big.layout.title.text, width, PROJECTOR_TITLE_FONT)
    subplot_titles = 0.0
    for note in big.layout.annotations:
        size = max(note.font.size or 0, PROJECTOR_FONT)
        note.update(font_size=size, text=_wrap(note.text, width * _subplot_width(big, note), size))
        if is_subplot_title(note):
            subplot_titles = max(subplot_titles, _lines(note.text) * size * line + 8)
    title_height = _lines(title) * PROJECTOR_TITLE_FONT * line
    top = 14 + title_height + 12 + subplot_titles
    bottom = 90 + _legend_rows(big, width) * PROJECTOR_FONT * 1.6
    plot = min(max(round((fig.layout.height or 380) * 1.2) - 130, PROJECTOR_PLOT), 2 * PROJECTOR_PLOT)
    height = round(top + plot + bottom)
    big.update_layout(
        height=height,
        font={"size": PROJECTOR_FONT},
        title={
            "text": title,
            "font": {"size": PROJECTOR_TITLE_FONT},
            "y": 1 - (14 + title_height / 2) / height,
            "yref": "container",
            "yanchor": "middle",
            "automargin": False,
        },
        margin={"t": round(top), "l": 20, "r": 20, "b": round(bottom)},
        legend={"font": {"size": PROJECTOR_FONT}, "yref": "container", "y": 0, "yanchor": "bottom"},
        hoverlabel={"font": {"size": PROJECTOR_FONT}},
    )
    axis_style = {
        "title_font_size": PROJECTOR_AXIS_TITLE_FONT,
        "tickfont_size": PROJECTOR_FONT,
        "automargin": True,
    }
    big.update_xaxes(**axis_style)
    big.update_yaxes(**axis_style)
    for axis in big.select_xaxes():
        share = axis.domain[1] - axis.domain[0] if axis.domain else 1.0
        axis.title.text = _wrap(axis.title.text, width * share, PROJECTOR_AXIS_TITLE_FONT)
    for axis in big.select_yaxes():
        share = axis.domain[1] - axis.domain[0] if axis.domain else 1.0
        axis.title.text = _wrap(axis.title.text, plot * share, PROJECTOR_AXIS_TITLE_FONT)
    font = {"size": PROJECTOR_FONT}
    for name in (n for n in big.layout if n.startswith("coloraxis")):
        big.layout[name].update(colorbar={"tickfont": font, "title": {"font": font}})
    for trace in big.data:
        if "colorbar" in trace:
            trace.update(colorbar={"tickfont": font, "title": {"font": font}})
        if trace.type == "bar" and "textfont" in trace:
            trace.update(textfont=font)
    return big


def thumbnail(fig: go.Figure, *, height: int = THUMBNAIL_HEIGHT) -> go.Figure:
    """A copy of ``fig`` as a small chart without text (no title, axis titles, tick labels, legend
    or notes), for a map of charts that a caption explains."""
    small = go.Figure(fig)
    small.layout.annotations = ()
    small.update_layout(
        height=height, title=None, showlegend=False, margin={"l": 4, "r": 4, "t": 4, "b": 4}, hovermode=False
    )
    small.update_xaxes(title_text=None, showticklabels=False)
    small.update_yaxes(title_text=None, showticklabels=False)
    return small


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


# ---------------------------------------------------------------- margins the browser will need

# Plotly draws a chart twice when its margins must grow to fit the tick labels and the legend
# (automargin); a chart sent with margins that already fit is drawn once, half the browser's work.
# Measured in Chromium under the Streamlit theme at 12 px: left = 53 px + the widest y tick label,
# about 6-6.4 px a character; a legend item is 48 px + 4.9 px a character; each legend row 19.5 px.
TICK_CHAR_PX = 6.4
LEFT_BASE_PX = 53
LEGEND_ITEM_PX, LEGEND_CHAR_PX, LEGEND_ROW_PX = 48, 4.9, 19.5
LEGEND_WIDTH_PX = 690  # legend rows wrap at about 700 px in an 820 px chart (a lesson at 1,280 px)
BOTTOM_WITHOUT_LEGEND_PX = 69
RIGHT_PX = 24  # the last x tick label overhangs the plot by up to half its width ("1400": 24 px)


def _label_chars(text: str) -> float:
    """Characters a tick label takes, a superscript counting 0.7."""
    plain = re.sub(r"<sup>(.*?)</sup>", lambda m: "~" * math.ceil(0.7 * len(m.group(1))), str(text))
    return len(re.sub(r"<[^>]+>", "", plain))


def _nice_step(span: float, ticks: int = 6) -> float:
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _tick_chars(values: np.ndarray) -> float:
    """The widest label Plotly's own ticks would write over the span of ``values``: steps of 1, 2
    or 5 x 10^k, with as many decimals as the step needs, 10,000 and more in SI units (20k, 1M)."""
    low, high = float(values.min()), float(values.max())
    if not high > low:
        return len(f"{high:.3g}")
    step = _nice_step(high - low)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    widest = 1.0
    for value in (low, high, math.floor(low / step) * step, math.ceil(high / step) * step):
        if abs(value) >= 1e4:
            thousands = int(math.log10(abs(value))) // 3
            text = f"{value / 10 ** (3 * thousands):.3g}{'kMGTPE'[thousands - 1]}"
        else:
            text = f"{value:.{decimals}f}"
        widest = max(widest, len(text))
    return widest


def _axis_values(spec: dict, axis: str) -> np.ndarray:
    """The finite numbers the traces of ``spec`` draw on layout axis ``axis`` ("yaxis", "yaxis2")."""
    ref = "y" + axis[len("yaxis") :]
    parts = []
    for trace in spec.get("data", []):
        if trace.get("yaxis", "y") != ref or trace.get("type", "scatter") not in ("scatter", "bar"):
            continue
        values = trace_array(trace.get("y"))
        if values is not None:
            try:
                parts.append(np.asarray(values, dtype=np.float64).reshape(-1))
            except (TypeError, ValueError):
                continue
    numbers = np.concatenate(parts) if parts else np.empty(0)
    return numbers[np.isfinite(numbers)]


def _ticks_in_view(spec: dict, name: str, axis: dict) -> list[str]:
    """The tick labels of ``axis`` whose values lie in its range, or else within its data."""
    values = np.asarray(axis.get("tickvals") or [], dtype=np.float64)
    if axis.get("range") and None not in axis["range"]:
        low, high = sorted(float(v) for v in axis["range"])
        if axis.get("type") == "log":
            low, high = 10.0**low, 10.0**high
    else:
        data = _axis_values(spec, name)
        if axis.get("type") == "log":
            data = data[data > 0]
        if not data.size:
            return list(axis["ticktext"])
        low, high = float(data.min()), float(data.max())
    span = (high - low) * 1e-9
    shown = zip(values, axis["ticktext"], strict=False)
    return [text for value, text in shown if low - span <= value <= high + span]


def _left_px(spec: dict) -> float | None:
    """Room for the widest y tick label of the left axes; None when it cannot be told (categories)."""
    widest = 0.0
    for name, axis in spec["layout"].items():
        if not name.startswith("yaxis") or axis.get("side") == "right" or axis.get("overlaying"):
            continue
        if axis.get("ticktext") is not None:
            chars = max((_label_chars(t) for t in _ticks_in_view(spec, name, axis)), default=1)
        elif axis.get("type") == "category":
            return None
        elif axis.get("type") == "log":
            chars = 4.0
        else:
            values = _axis_values(spec, name)
            if axis.get("range") and None not in axis["range"]:
                values = np.asarray(axis["range"], dtype=np.float64)
            if not values.size:
                return None
            chars = _tick_chars(values) + (1 if values.min() < 0 else 0)
        widest = max(widest, chars)
    return LEFT_BASE_PX + TICK_CHAR_PX * widest + 2


def _legend_entries(spec: dict) -> list[str]:
    """The names Plotly will show in the legend: named traces and shapes (none when it is hidden,
    or when there is only one and its trace does not ask for it)."""
    layout = spec["layout"]
    names = [str(t["name"]) for t in spec.get("data", []) if t.get("name") and t.get("showlegend", True)]
    names += [str(s["name"]) for s in layout.get("shapes", []) if s.get("name") and s.get("showlegend")]
    shown = layout.get("showlegend")
    if shown is None:  # plotly.js: two entries, or one whose trace asks for it
        shown = len(names) > 1 or any(
            t.get("showlegend") is True and t.get("name") for t in spec.get("data", [])
        )
    return names if shown else []


def _legend_row_count(spec: dict) -> int:
    rows, used = 0, 0.0
    for name in _legend_entries(spec):
        width = LEGEND_ITEM_PX + LEGEND_CHAR_PX * _label_chars(name)
        if not rows or used + width > LEGEND_WIDTH_PX:
            rows, used = rows + 1, 0.0
        used += width
    return rows


def _bottom_px(spec: dict) -> float | None:
    """Room for the x axis and, under it, the legend (at ``legend.y`` of the plot's height)."""
    layout = spec["layout"]
    rows = _legend_row_count(spec)
    if not rows:
        return BOTTOM_WITHOUT_LEGEND_PX
    legend = layout.get("legend", {})
    if legend.get("orientation") != "h" or legend.get("yref") == "container" or legend.get("y", 1) >= 0:
        return None
    height, top = layout.get("height") or 450, layout.get("margin", {}).get("t", 100)
    share = -float(legend["y"])
    return (share * (height - top) + LEGEND_ROW_PX * (rows + 1)) / (1 + share) + 2


def margins_that_fit(spec: dict) -> dict:
    """``spec`` (a figure's dict, changed in place and returned) with its left, right and bottom
    margins raised to the room its tick labels and legend will take, so that Plotly's automargin
    (still on: an estimate that falls short only costs the second drawing) need not draw it twice.
    Charts with subplots, heat maps or colour bars, and margins a view set itself, are left to
    automargin; right-hand y axes are not counted."""
    layout = spec.get("layout", {})
    base = layout.get("margin", {})
    if (base.get("l"), base.get("b")) != (BASE_MARGIN["l"], BASE_MARGIN["b"]):
        return spec  # margins a view chose itself
    if any(name.startswith(("xaxis2", "coloraxis")) for name in layout) or any(
        trace.get("type") not in (None, "scatter", "bar") for trace in spec.get("data", [])
    ):
        return spec
    margin = dict(base)
    left, bottom = _left_px(spec), _bottom_px(spec)
    if left is not None:
        margin["l"] = max(margin.get("l", 0), math.ceil(left))
    if bottom is not None:
        margin["b"] = max(margin.get("b", 0), math.ceil(bottom))
    margin["r"] = max(margin.get("r", 0), RIGHT_PX)
    layout["margin"] = margin
    return spec
