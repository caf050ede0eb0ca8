"""Frame building for charts that scrub in the browser (yarn_core/app/scrub.py)."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from yarn_core.app import scrub

X = np.linspace(0.0, 2.0, 3000)
GRID = (1.0, 1.5, 2.0, 3.0)


def line_pair(a: float) -> go.Figure:
    """y = a x (changes with a) next to y = 1 (never changes), 3000 points each."""
    fig = go.Figure()
    fig.add_scatter(x=X, y=a * X, mode="lines", name="a x")
    fig.add_scatter(x=X, y=np.ones_like(X), mode="lines", name="one")
    fig.update_layout(height=380)
    return fig


def frames_figure(current: float = 2.0, log_y: bool = False) -> go.Figure:
    fig = line_pair(current)
    if log_y:
        fig.update_yaxes(type="log")
    frames = [(a, [{"x": X, "y": a * X}]) for a in GRID]
    return scrub.with_frames(fig, current, frames, traces=[0], prefix="a = ")


def test_the_frames_hold_only_the_traces_named():
    fig = frames_figure()
    assert [frame.traces for frame in fig.frames] == [(0,)] * len(GRID)
    assert all(len(frame.data) == 1 for frame in fig.frames)


def test_one_frame_per_grid_value_named_as_the_slider_steps_send_it():
    fig = frames_figure()
    slider = fig.layout.sliders[0]
    assert [frame.name for frame in fig.frames] == ["1", "1.5", "2", "3"]
    assert [step.value for step in slider.steps] == ["1", "1.5", "2", "3"]
    assert [list(step.args[0]) for step in slider.steps] == [["1"], ["1.5"], ["2"], ["3"]]
    assert slider.steps[slider.active].value == "2"


def test_the_slider_animates_without_a_redraw():
    for step in frames_figure().layout.sliders[0].steps:
        assert step.method == "animate"
        assert step.args[1]["frame"]["redraw"] is False


def test_frames_are_cut_to_a_few_thousand_points_and_still_lie_on_the_line():
    fig = frames_figure()
    for a, frame in zip(GRID, fig.frames, strict=True):
        (trace,) = frame.data
        x, y = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
        assert len(x) <= scrub.FRAME_POINTS
        assert x[0] == 0.0 and x[-1] == 2.0  # both ends kept
        np.testing.assert_allclose(y, a * x, rtol=1e-6)


def test_an_uncut_x_shared_by_every_frame_is_left_out_of_them():
    short = X[:: len(X) // 100]
    fig = go.Figure(go.Scatter(x=short, y=short))
    frames = [(a, [{"x": short, "y": a * short}]) for a in GRID]
    fig = scrub.with_frames(fig, 1.0, frames, traces=[0], prefix="a = ")
    for a, frame in zip(GRID, fig.frames, strict=True):
        assert frame.data[0].x is None
        np.testing.assert_allclose(np.asarray(frame.data[0].y, dtype=float), a * short, rtol=1e-6)


def test_an_x_that_changes_travels_in_every_frame():
    frames = [(a, [{"x": a * X, "y": X}]) for a in GRID]
    fig = scrub.with_frames(line_pair(1.0), 1.0, frames, traces=[0], prefix="a = ")
    for a, frame in zip(GRID, fig.frames, strict=True):
        x, y = (np.asarray(values, dtype=float) for values in (frame.data[0].x, frame.data[0].y))
        assert len(x) <= scrub.FRAME_POINTS
        np.testing.assert_allclose(x, a * y, rtol=1e-5)
        assert list(frame.layout.xaxis.range) == [0.0, 2.0 * a]


def test_each_frame_carries_the_axis_ranges_of_its_own_data():
    fig = frames_figure()
    for a, frame in zip(GRID, fig.frames, strict=True):
        assert list(frame.layout.xaxis.range) == [0.0, 2.0]
        low, high = min(0.0, 1.0), max(2 * a, 1.0)  # the data's span, both traces
        pad = (high - low) * scrub.Y_PAD
        np.testing.assert_allclose(frame.layout.yaxis.range, [low - pad, high + pad])
    # the figure opens on the current value's ranges, so the first move does not jump
    assert list(fig.layout.yaxis.range) == list(fig.frames[2].layout.yaxis.range)


def test_a_log_axis_gets_its_range_in_decades():
    fig = frames_figure(current=1.0, log_y=True)
    carried = np.asarray(fig.frames[-1].data[0].y, dtype=float)  # a x at a = 3, as the frame cut it
    low, high = np.log10(carried[carried > 0].min()), np.log10(3.0 * 2.0)
    pad = (high - low) * scrub.Y_PAD
    np.testing.assert_allclose(fig.frames[-1].layout.yaxis.range, [low - pad, high + pad], rtol=1e-9)


def test_a_fixed_range_is_left_alone():
    fig = line_pair(1.0)
    fig.update_yaxes(range=[-5, 5])
    frames = [(a, [{"x": X, "y": a * X}]) for a in GRID]
    fig = scrub.with_frames(fig, 1.0, frames, traces=[0], prefix="a = ")
    assert all(frame.layout.yaxis.range is None for frame in fig.frames)
    assert list(fig.layout.yaxis.range) == [-5, 5]


def test_the_drawn_figure_keeps_the_views_data_and_the_views_figure_is_untouched():
    original = line_pair(2.0)
    fig = scrub.with_frames(original, 2.0, [(2.0, [{"x": X, "y": 2 * X}])], traces=[0], prefix="a = ")
    np.testing.assert_array_equal(fig.data[0].y, 2.0 * X)  # float64, every point: what the tests read
    assert original.layout.sliders == () and original.frames == ()


def test_the_slider_gets_room_above_the_plot():
    fig = frames_figure()
    assert fig.layout.height == 380 + scrub.SLIDER_ROOM
    assert fig.layout.sliders[0].yanchor == "bottom" and fig.layout.sliders[0].y == 1


def test_frames_stay_small_in_json():
    frames = json.loads(frames_figure().to_json())["frames"]
    size = len(json.dumps(frames))
    assert size < len(GRID) * scrub.FRAME_POINTS * 12  # float32 typed arrays: ~6 characters a number


def test_a_value_off_the_grid_and_mismatched_points_are_refused():
    with pytest.raises(ValueError, match="not on the scrub grid"):
        frames_figure(current=2.5)
    with pytest.raises(ValueError, match="as many x as y"):
        scrub.with_frames(line_pair(1.0), 1.0, [(1.0, [{"x": X, "y": X[:5]}])], traces=[0], prefix="a = ")


def test_grid_and_snap():
    assert scrub.grid(2.5, (1, 2, 3, 2.0)) == (1.0, 2.0, 2.5, 3.0)
    assert scrub.snap(2.4, (1.0, 2.0, 3.0)) == 2.0
    assert scrub.value_text(4.0) == "4" and scrub.value_text(2.5) == "2.5"
    assert all(value == round(value * 2) / 2 and 1 <= value <= 128 for value in scrub.SCALES)
