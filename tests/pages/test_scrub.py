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


def frames_figure(current: float = 2.0) -> go.Figure:
    return scrub.with_frames([(a, line_pair(a)) for a in GRID], current, prefix="a = ")


def test_only_the_traces_that_change_are_in_the_frames():
    assert scrub.changing_traces([line_pair(a) for a in GRID]) == [0]
    fig = frames_figure()
    assert [frame.traces for frame in fig.frames] == [(0,)] * len(GRID)


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
        np.testing.assert_allclose(y, a * x, rtol=1e-5)


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
    figures = []
    for a in GRID:
        fig = line_pair(a)
        fig.update_yaxes(type="log")
        figures.append((a, fig))
    fig = scrub.with_frames(figures, 1.0, prefix="a = ")
    low, high = np.log10(3.0 * 2.0 / 2999), np.log10(3.0 * 2.0)  # a x at a = 3: its first positive y
    pad = (high - low) * scrub.Y_PAD
    np.testing.assert_allclose(fig.frames[-1].layout.yaxis.range, [low - pad, high + pad], rtol=1e-9)


def test_the_drawn_figure_is_the_current_one_in_full_and_the_views_figure_is_untouched():
    original = line_pair(2.0)
    fig = scrub.with_frames([(1.0, line_pair(1.0)), (2.0, original)], 2.0, prefix="a = ")
    np.testing.assert_array_equal(fig.data[0].y, 2.0 * X)
    assert original.layout.sliders == () and original.frames == ()


def test_the_slider_gets_room_above_the_plot():
    fig = frames_figure()
    assert fig.layout.height == 380 + scrub.SLIDER_ROOM
    assert fig.layout.sliders[0].yanchor == "bottom" and fig.layout.sliders[0].y == 1


def test_frames_stay_small_in_json():
    size = len(json.dumps([frame.to_plotly_json() for frame in frames_figure().frames]))
    assert size < 4 * len(GRID) * scrub.FRAME_POINTS * 20  # ~20 characters per (x, y) point at most


def test_a_value_off_the_grid_and_mismatched_traces_are_refused():
    with pytest.raises(ValueError, match="not on the scrub grid"):
        frames_figure(current=2.5)
    odd = line_pair(3.0)
    odd.add_scatter(x=[0, 1], y=[0, 1])
    with pytest.raises(ValueError, match="same traces"):
        scrub.with_frames([(1.0, line_pair(1.0)), (3.0, odd)], 1.0, prefix="a = ")


def test_marker_colours_that_change_travel_with_their_points():
    def dots(cut: float) -> go.Figure:
        x = np.arange(10.0)
        fig = go.Figure(
            go.Scatter(x=x, y=x, mode="markers", marker={"color": np.where(x < cut, "red", "blue")})
        )
        return fig

    fig = scrub.with_frames([(2.0, dots(2.0)), (5.0, dots(5.0))], 2.0, prefix="cut = ")
    assert list(fig.frames[1].data[0].marker.color) == ["red"] * 5 + ["blue"] * 5


def test_grid_and_snap():
    assert scrub.grid(2.5, (1, 2, 3, 2.0)) == (1.0, 2.0, 2.5, 3.0)
    assert scrub.snap(2.4, (1.0, 2.0, 3.0)) == 2.0
    assert scrub.value_text(4.0) == "4" and scrub.value_text(2.5) == "2.5"
