"""The shared chart primitives: no NaN/inf reaches a chart, long curves are downsampled with
their extremes kept, and the CSV of a figure survives the cache (pickling); the readability rules
(labels on category axes, log axes labelled at decades, colours that read on both themes, coinciding
curves told apart) and the projector and thumbnail copies."""

import json
import pickle

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

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


# ---------------------------------------------------------------- the shared axis rules


def test_labels_always_sit_on_a_category_axis():
    """The PI lesson's bar chart drew no bars: its labels "step 0", "step 200" were on a linear axis."""
    fig = go.Figure(go.Bar(x=["step 0", "step 200"], y=[9.5, 2.7]))
    F.base_layout(fig, title="t", x_title="step", y_title="perplexity")
    assert fig.layout.xaxis.type == "category" and fig.layout.yaxis.type == "linear"
    horizontal = go.Figure(go.Bar(y=["a", "b"], x=[1.0, 2.0], orientation="h"))
    F.base_layout(horizontal, title="t", x_title="x", y_title="y")
    assert horizontal.layout.yaxis.type == "category"
    with pytest.raises(ValueError, match="log axis"):
        F.base_layout(
            go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), title="t", x_title="x", y_title="y", log_x=True
        )


def test_the_rules_hold_at_render_time_for_traces_added_after_the_layout():
    fig = F.base_layout(go.Figure(), title="t", x_title="x", y_title="y")
    fig.add_trace(go.Bar(x=["step 0", "step 200"], y=[9.5, 2.7]))
    shown = F.readable(fig)
    assert shown.layout.xaxis.type == "category"
    assert fig.layout.xaxis.type == "linear", "a cached figure is never changed"
    assert F.readable(shown) is shown, "a figure that follows the rules is drawn as it is, not copied"


def test_subplot_axes_follow_the_rules_one_by_one():
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Scatter(x=[1.0, 2.0], y=[1.0, 2.0]), row=1, col=1)
    fig.add_trace(go.Bar(x=["a", "b"], y=[1.0, 2.0]), row=1, col=2)
    F.base_layout(fig, title="t", x_title="x", y_title="y")
    assert (fig.layout.xaxis.type, fig.layout.xaxis2.type) == ("linear", "category")


def _labels(axis) -> dict[float, str]:
    return dict(zip(axis.tickvals, axis.ticktext, strict=True))


def test_log_axes_are_labelled_at_decades_only():
    """Not "2 3 4 5 6 7 8 9 1000 2" nor "2 10 5 2 1 5 2 0.1 5": one readable label per decade."""
    fig = go.Figure()
    F.add_line(fig, [1, 2, 3], [1e-4, 0.3, 1.0], name="a")
    F.base_layout(fig, title="t", x_title="x", y_title="y", log_y=True)
    labels = _labels(fig.layout.yaxis)
    assert labels[1e-4] == "10<sup>-4</sup>" and labels[0.1] == "10<sup>-1</sup>" and labels[1.0] == "1"
    assert all(np.isclose(np.log10(v), round(np.log10(v))) for v in labels), "decades only"
    plain = go.Figure()
    F.add_line(plain, [16, 65536], [1.0, 2.0], name="a")
    F.base_layout(plain, title="t", x_title="x", y_title="y", log_x=True)
    assert {1e2: "100", 1e3: "1,000", 1e4: "10,000"}.items() <= _labels(plain.layout.xaxis).items()


def test_a_log_axis_spanning_less_than_two_decades_gets_1_2_5_steps():
    fig = go.Figure()
    F.add_line(fig, [1, 2], [0.5, 1.0], name="a")
    F.base_layout(fig, title="t", x_title="x", y_title="y", log_y=True)
    labels = _labels(fig.layout.yaxis)
    assert labels[0.5] == "0.5" and labels[1.0] == "1" and labels[0.2] == "0.2"
    assert F.log_ticks(200.0, 900.0)[1][F.log_ticks(200.0, 900.0)[0].index(500.0)] == "500"
    assert F.log_ticks(200.0, 210.0) is None, "too short for any step: plotly's own ticks"


def test_a_log_axis_without_data_yet_is_labelled_in_powers_of_ten():
    fig = F.base_layout(go.Figure(), title="t", x_title="x", y_title="y", log_x=True)
    assert fig.layout.xaxis.dtick == 1 and fig.layout.xaxis.exponentformat == "power"
    F.add_line(fig, [1, 1e6], [1, 2], name="a")
    assert F.readable(fig).layout.xaxis.tickvals, "the data's decades once traces are there"


# ---------------------------------------------------------------- colours on both themes


def test_contrast_ratio_follows_wcag():
    assert F.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert F.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert F.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert F.contrast_ratio("rgba(0, 0, 0, 0)", "#ffffff") == pytest.approx(1.0), (
        "transparent: the background"
    )


@pytest.mark.parametrize("background", [F.LIGHT_BACKGROUND, F.DARK_BACKGROUND], ids=["light", "dark"])
def test_reference_lines_and_the_training_window_read_on_both_themes(background):
    for line in (F.MUTED, F.WINDOW_LINE):
        assert F.contrast_ratio(line, background) >= 3.0, (line, background)
    tint = F.contrast_ratio(F.WINDOW_FILL, background)
    assert 1.2 <= tint <= 1.6, (
        f"the window fill is visibly tinted, yet lines stay readable over it: {tint:.2f}"
    )
    for line in (F.MUTED, F.METHOD_COLORS["linear"]):
        over_fill = F.contrast_ratio(line, F.composite(F.WINDOW_FILL, background))
        assert over_fill >= 2.5, (line, background, over_fill)


@pytest.mark.parametrize("background", [F.LIGHT_BACKGROUND, F.DARK_BACKGROUND], ids=["light", "dark"])
def test_every_method_and_regime_colour_reads_on_both_themes(background):
    for name, color in {**F.METHOD_COLORS, **F.REGIME_COLORS}.items():
        assert F.contrast_ratio(color, background) >= 3.0, (name, color, background)


def test_the_training_window_has_visible_edges_on_either_axis():
    fig = go.Figure()
    F.shade_window(fig, 0, 511)
    F.shade_window(fig, 0, 0.06, label="", axis="y")
    vertical, horizontal = fig.layout.shapes
    assert (vertical.x0, vertical.x1, vertical.xref) == (0, 511, "x")
    assert (horizontal.y0, horizontal.y1, horizontal.yref) == (0, 0.06, "y")
    for band in fig.layout.shapes:
        assert band.fillcolor == F.WINDOW_FILL and band.line.color == F.WINDOW_LINE and band.line.width >= 1
    assert [a.text for a in fig.layout.annotations] == ["training window"]


# ---------------------------------------------------------------- coinciding curves


def test_coinciding_curves_are_told_apart():
    fig = go.Figure()
    x = np.arange(50.0)
    F.add_line(fig, x, x**2, name="NTK-by-parts")
    F.add_line(fig, x, x**2 * (1 + 1e-9), name="YaRN (no temperature)")
    F.add_line(fig, x, x, name="PI")
    marked = F.mark_coinciding(fig)
    assert marked == (("YaRN (no temperature)", "NTK-by-parts"),)
    first, second, other = fig.data
    assert second.line.dash and second.mode == "lines+markers" and second.marker.symbol
    assert second.name == "YaRN (no temperature) (= NTK-by-parts)"
    assert first.line.dash is None and other.line.dash is None and other.name == "PI"


def test_only_curves_of_the_same_subplot_are_compared():
    fig = make_subplots(rows=1, cols=2)
    for col in (1, 2):
        fig.add_trace(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], name="PI", mode="lines"), row=1, col=col)
    assert F.mark_coinciding(fig) == ()


def test_curves_that_meet_on_a_few_points_are_not_marked():
    fig = go.Figure()
    x = np.arange(10.0)
    F.add_line(fig, x, np.where(x < 3, 0.0, x), name="a")
    F.add_line(fig, x, np.where(x < 3, 0.0, 2 * x), name="b")
    assert F.mark_coinciding(fig) == ()
    assert F.mark_coinciding(fig, min_share=0.3) == (("b", "a"),)


# ---------------------------------------------------------------- presenter mode and thumbnails


def _texts(fig: go.Figure) -> dict[str, float]:
    layout = fig.layout
    sizes = {"font": layout.font.size, "title": layout.title.font.size, "legend": layout.legend.font.size}
    for axis in (*fig.select_xaxes(), *fig.select_yaxes()):
        sizes[f"{axis.plotly_name} ticks"] = axis.tickfont.size
        sizes[f"{axis.plotly_name} title"] = axis.title.font.size
    sizes |= {f"note {i}": note.font.size for i, note in enumerate(layout.annotations)}
    return sizes


def test_projector_scales_every_text_to_at_least_18_px_on_a_copy():
    fig = make_subplots(rows=1, cols=3, subplot_titles=["fastest pair i = 0 (wavelength 6 tokens)"] * 3)
    for col in (1, 2, 3):
        fig.add_trace(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], name=f"m{col}"), row=1, col=col)
    F.shade_window(fig, 0, 0.5)
    F.base_layout(fig, title="Position each token is rotated as, per pair " * 3, x_title="m", y_title="y")
    before = json.loads(fig.to_json())
    big = F.projector(fig)
    assert json.loads(fig.to_json()) == before, "the (cached) figure is not changed"
    assert min(_texts(big).values()) >= 18, _texts(big)
    assert big.layout.title.font.size > big.layout.xaxis.tickfont.size
    assert "<br>" in big.layout.title.text, "a title longer than the chart wraps"
    subplot_titles = [note for note in big.layout.annotations if F.is_subplot_title(note)]
    assert len(subplot_titles) == 3 and all("<br>" in note.text for note in subplot_titles)
    title_lines, subplot_lines = 3, 2
    assert big.layout.margin.t >= title_lines * 26 * 1.3 + subplot_lines * 20 * 1.3, "room above the plot"
    assert big.layout.height >= big.layout.margin.t + 300 + big.layout.margin.b
    assert big.layout.legend.yref == "container" and big.layout.margin.b >= 90 + 20, (
        "legend below axis titles"
    )


def test_thumbnail_is_small_and_without_text():
    fig = go.Figure()
    F.add_line(fig, [0, 1], [0, 1], name="a")
    F.add_line(fig, [0, 1], [1, 0], name="b")
    F.mark_x(fig, 0.5, "L")
    F.base_layout(fig, title="t", x_title="x", y_title="y")
    small = F.thumbnail(fig)
    assert small.layout.height == F.THUMBNAIL_HEIGHT and small.layout.showlegend is False
    assert not small.layout.annotations and not small.layout.title.text
    assert small.layout.xaxis.showticklabels is False and not small.layout.xaxis.title.text
    assert len(fig.layout.annotations) == 1 and fig.layout.title.text == "t", "the original keeps its text"


def _line_chart(y, names=("a",), legend=None, **layout) -> dict:
    fig = go.Figure()
    for name in names:
        F.add_line(fig, np.arange(len(y)), y, name=name)
    F.base_layout(fig, title="t", x_title="x", y_title="y")
    if legend is not None:
        fig.update_layout(showlegend=legend)
    fig.update_layout(**layout)
    return F.margins_that_fit(F.readable(fig).to_dict())["layout"]["margin"]


def test_sent_margins_grow_with_the_widest_tick_label():
    """About six ticks in steps of 1, 2 or 5 x 10^k: 0-5 in steps of 1 (widest "5"), -5-5 in steps
    of 2 ("-4"), 0-0.004 in steps of 0.001 ("0.004"): the left margin orders as the labels'
    lengths, on top of the 53 px measured without them."""
    short = _line_chart(np.linspace(0, 5, 50))["l"]
    decimals = _line_chart(np.linspace(0, 0.004, 50))["l"]
    negative = _line_chart(np.linspace(-5, 5, 50))["l"]
    assert F.LEFT_BASE_PX < short < negative < decimals
    assert decimals - short == pytest.approx(4 * F.TICK_CHAR_PX, abs=1)  # "0.004" against "5"


def test_sent_margins_hold_the_legend_rows_under_the_plot():
    one = _line_chart(np.ones(10), names=("one",))["b"]
    alone = _line_chart(np.ones(10), names=("one",), legend=False)["b"]
    many = _line_chart(np.ones(10), names=tuple(f"a long method name number {i}" for i in range(8)))["b"]
    assert alone == F.BOTTOM_WITHOUT_LEGEND_PX
    assert alone < one < many
    rows = F._legend_row_count(
        {"data": [{"name": f"a long method name number {i}"} for i in range(8)], "layout": {}}
    )
    assert rows == 3  # 48 + 4.9 x 27 = 180 px an entry, three to a 690 px row: 3 + 3 + 2
    assert many - one == pytest.approx((rows - 1) * F.LEGEND_ROW_PX / 1.22, abs=1)


def test_margins_a_view_chose_and_charts_automargin_must_place_are_left_alone():
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], name="a"))
    F.base_layout(fig, title="t", x_title="x", y_title="y")
    fig.update_layout(margin={"b": 290})
    assert F.margins_that_fit(fig.to_dict())["layout"]["margin"]["b"] == 290
    heat = go.Figure(go.Heatmap(z=[[0, 1], [1, 0]]))
    F.base_layout(heat, title="t", x_title="x", y_title="y")
    assert F.margins_that_fit(heat.to_dict())["layout"]["margin"] == F.BASE_MARGIN
    panels = make_subplots(rows=2, cols=1)
    panels.add_trace(go.Scatter(x=[0, 1], y=[0, 1]), row=1, col=1)
    panels.add_trace(go.Scatter(x=[0, 1], y=[0, 1]), row=2, col=1)
    F.base_layout(panels, title="t", x_title="x", y_title="y")
    assert F.margins_that_fit(panels.to_dict())["layout"]["margin"] == F.BASE_MARGIN


def test_only_the_tick_labels_in_view_count():
    """A log axis's ticktext spans a decade either side of its data: those labels are never drawn."""
    narrow = {"type": "log", "tickvals": [1, 10, 100, 1e6], "ticktext": ["1", "10", "100", "1,000,000"]}
    spec = {"data": [{"y": [2.0, 50.0]}], "layout": {"yaxis": narrow}}
    assert F._ticks_in_view(spec, "yaxis", narrow) == ["10"]
