"""The shared chart primitives: no NaN/inf reaches a chart, long curves are downsampled with
their extremes kept, and the CSV of a figure survives the cache (pickling)."""

import pickle

import numpy as np
import plotly.graph_objects as go

from yarn_core.app import figures as F


def test_finite_xy_drops_every_non_finite_point():
    x, y = F.finite_xy([0, 1, 2, 3, np.inf], [1.0, np.nan, -np.inf, 4.0, 5.0])
    assert list(x) == [0, 3] and list(y) == [1.0, 4.0]


def test_downsample_bounds_points_and_keeps_the_envelope():
    x = np.arange(1_000_000)
    y = np.sin(x * 0.37) * (1 + x / 1e6)
    y[123_457] = 50.0
    y[987_654] = -60.0
    xs, ys = F.downsample(x, y, max_points=4000)
    assert len(xs) <= 4000
    assert ys.max() == 50.0 and ys.min() == -60.0
    assert np.all(np.diff(xs) > 0)


def test_add_line_never_hands_plotly_a_non_finite_value():
    fig = go.Figure()
    F.add_line(fig, np.arange(10), np.array([1, np.nan, 3, np.inf, 5, 6, 7, 8, 9, 10.0]), name="t")
    assert np.all(np.isfinite(fig.data[0].y)) and len(fig.data[0].y) == 8


def test_csv_of_a_cached_figure_equals_the_original():
    fig = go.Figure()
    F.add_line(fig, np.arange(5), np.arange(5) ** 2, name="line")
    fig.add_trace(go.Heatmap(z=np.arange(6.0).reshape(2, 3), x=[1, 2, 3], y=[4, 5], name="map"))
    cached = pickle.loads(pickle.dumps(fig))
    assert isinstance(cached.data[0].x, dict), "plotly 7 keeps pickled arrays as bdata dicts"
    assert F.figure_csv(cached) == F.figure_csv(fig)
    rows = F.figure_csv(fig).splitlines()
    assert rows[0] == "trace,x,y,z" and rows[3] == "line,2.0,4.0," and "map,3,5,5.0" in rows


def test_labels_of_reference_lines_sit_at_log10_on_log_axes():
    fig = go.Figure()
    F.add_line(fig, [1, 10, 100, 1000], [1, 2, 3, 4], name="a")
    F.shade_window(fig, 1, 100)
    F.base_layout(fig, title="t", x_title="x", y_title="y", log_x=True)
    F.mark_x(fig, 1000, "L")
    F.base_layout(fig, title="t", x_title="x", y_title="y", log_x=True)
    assert sorted(a.x for a in fig.layout.annotations) == [0.0, 3.0], "converted once, never twice"
