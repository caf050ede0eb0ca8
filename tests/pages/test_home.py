"""The start page: a one-screen map from the problem to dynamic scaling, each step with its formula,
a live thumbnail of the shared setting, what it fixes and costs, and a link to its lesson; two
suggested routes; in presenter mode, one step at a time. Numbers are derived here independently."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, charts, open_page, shared_page
from tests.support.lesson_checks import theta
from yarn_core.app import lesson, nav
from yarn_core.app.views import home as view

HOME = "pages/learn/home.py"
STEP_LESSONS = ["extrapolation", "interpolation", "ntk_aware", "ntk_by_parts", "yarn", "dynamic"]


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def thumbnail(at, fragment: str) -> dict:
    return next(spec for spec in charts(at) if fragment.lower() in spec["alt"].lower())


def line(spec: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    trace = next(t for t in spec["data"] if t.get("name") == name)
    return np.asarray(trace["x"], dtype=float), np.asarray(trace["y"], dtype=float)


def test_the_map_has_six_steps_each_with_formula_thumbnail_and_link():
    at = shared_page(HOME)
    assert_clean(at)
    assert_finite_charts(at)
    # Three columns: the page lists the cards column by column.
    assert sorted(link.proto.page for link in at.get("page_link")) == sorted(STEP_LESSONS)
    formulas = sorted(f.value.strip("$\n") for f in at.latex)
    assert formulas == sorted(
        [
            r"m\,\theta_i \text{ for } m \ge L",
            r"\theta'_i = \theta_i / s",
            r"b' = b\, s^{|D|/(|D|-2)}",
            r"\theta'_i = (1-\gamma_i)\,\theta_i/s + \gamma_i\,\theta_i",
            r"\sqrt{1/t} = 0.1 \ln s + 1",
            r"s' = \max(1,\ l'/L)",
        ]
    )
    thumbnails = charts(at)
    assert len(thumbnails) == 6
    for spec in thumbnails:
        layout = spec["layout"]
        assert layout["height"] <= 130 and layout["showlegend"] is False, "small, and a caption explains it"
        assert not layout.get("annotations") and not (layout.get("title") or {}).get("text")
    assert captions(at).count("**Fixes:**") == 5 and "**Why:**" in captions(at)


def test_the_cards_quote_the_shared_settings_numbers():
    """Defaults |D| = 128, b = 10,000, L = 512, s = 2, each number derived from the papers' formulas."""
    at = shared_page(HOME)
    d, b, L, s = 128, 1e4, 512, 2.0
    freqs = theta(d, b)
    never_turned = int(((L - 1) * freqs < 2 * math.pi).sum())  # and (sL - 1) theta_i > L theta_i: all of them
    ntk_base = b * s ** (d / (d - 2))
    low = math.floor(d * math.log(L / (32 * 2 * math.pi)) / (2 * math.log(b)))
    high = math.ceil(d * math.log(L / (1 * 2 * math.pi)) / (2 * math.log(b)))
    kept, interpolated = low + 1, d // 2 - high
    text = captions(at)
    assert (never_turned, round(ntk_base), kept, interpolated) == (33, 20221, 7, 33)
    assert f"{never_turned} slow pairs meet angles never seen" in text
    assert f"b' = {ntk_base:,.0f}" in text
    assert f"keeps {kept} fast pairs, interpolates {interpolated} slow" in text
    assert f"logits x{(0.1 * math.log(s) + 1) ** 2:.3f}" in text
    assert "spacing shrinks by s = 2" in text


@pytest.mark.parametrize(
    "query", [{}, {"d": "64", "base": "500000", "L": "8192", "s": "16"}], ids=["defaults", "llama3"]
)
def test_the_thumbnails_draw_each_methods_frequency_ratio(query):
    at = shared_page(HOME, query)
    assert_clean(at)
    d, b = int(query.get("d", 128)), float(query.get("base", 1e4))
    L, s = int(query.get("L", 512)), float(query.get("s", 2))
    freqs = theta(d, b)
    _, pi = line(thumbnail(at, "Position Interpolation"), "Position Interpolation")
    np.testing.assert_allclose(pi, 1 / s, rtol=1e-12)
    _, ntk = line(thumbnail(at, "NTK-aware"), "NTK-aware")
    exponent = np.arange(d // 2) * 2 / d
    np.testing.assert_allclose(ntk, (s ** (d / (d - 2))) ** -exponent, rtol=1e-9)
    assert ntk[0] == 1.0 and math.isclose(ntk[-1], 1 / s, rel_tol=1e-9)
    _, by_parts = line(thumbnail(at, "NTK-by-parts"), "NTK-by-parts")
    _, yarn = line(thumbnail(at, "YaRN:"), "YaRN")
    np.testing.assert_allclose(yarn, by_parts, rtol=1e-12)
    assert by_parts[0] == 1.0 and math.isclose(by_parts[-1], 1 / s, rel_tol=1e-9)
    lengths, used = line(thumbnail(at, "Dynamic"), "dynamic s'")
    np.testing.assert_allclose(used, np.maximum(1.0, lengths / L), rtol=1e-9)
    assert math.isclose(used[-1], s, rel_tol=1e-9) and math.isclose(lengths[-1], s * L, rel_tol=1e-9)
    m, angle = line(thumbnail(at, "problem"), "slowest pair")
    np.testing.assert_allclose(angle, m * freqs[-1], rtol=1e-9)
    band = thumbnail(at, "problem")["layout"]["shapes"][0]
    assert math.isclose(band["y1"], (L - 1) * freqs[-1], rel_tol=1e-9), "the band of trained angles"


def test_the_routes_fit_their_minutes_and_name_real_lessons():
    pages = {page.url_path: page.title for page in nav.APP_PAGES}
    assert sorted(view.ROUTES) == [15, 50]
    for minutes, stops in view.ROUTES.items():
        assert sum(stop.minutes for stop in stops) == minutes
        assert all(stop.page in pages and stop.minutes > 0 for stop in stops)
    at = shared_page(HOME)
    for minutes, stops in view.ROUTES.items():
        caption = next(c for c in at.caption if c.value.startswith(f"**{minutes}-minute route:**"))
        for stop in stops:
            assert f"{pages[stop.page].split('. ')[-1]} {stop.minutes}′" in caption.value
            assert f"{stop.minutes} min, {pages[stop.page]}: {stop.show}" in caption.proto.help


def test_presenting_the_map_steps_through_its_cards():
    at = open_page(HOME, {"present": "true"})
    assert_clean(at)
    assert [h.value for h in at.main.subheader] == ["The problem"]
    assert any(m.value == "**Section 1 of 7**" for m in at.main.markdown)
    key = next(spec for spec in charts(at) if spec["layout"].get("title", {}).get("text"))
    assert "problem" in key["layout"]["title"]["text"] and key["layout"]["xaxis"]["tickfont"]["size"] >= 18
    for shown in (
        "Position Interpolation",
        "NTK-aware",
        "NTK-by-parts",
        "YaRN",
        "Dynamic scaling",
        "Two routes",
    ):
        at.button(key="lesson_next").click().run()
        assert_clean(at)
        assert [h.value for h in at.main.subheader] == [shown]
    assert at.button(key="lesson_next").disabled
    assert at.query_params[lesson.SECTION_QUERY] == "7"


def test_the_map_survives_the_shared_settings_extremes():
    for query in (
        {"d": "8", "base": "100", "L": "16", "s": "1"},
        {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    ):
        at = shared_page(HOME, query)
        assert_clean(at)
        assert_finite_charts(at)
        assert len(charts(at)) == 6


SECTIONED_LESSONS = ("positions", "rope", "extrapolation", "interpolation")


@pytest.mark.parametrize("page", SECTIONED_LESSONS)
def test_the_routes_name_the_lessons_sections(page):
    """Every stop of a route on lessons 1-4 lists, separated by " · ", titles of that lesson's
    sections as the lesson itself shows them."""
    at = shared_page(f"pages/learn/{page}.py")
    titles = [header.value.lower() for header in at.subheader]
    for stops in view.ROUTES.values():
        for stop in (stop for stop in stops if stop.page == page):
            for piece in stop.show.split(" · "):
                assert any(piece.lower() in title for title in titles), (page, piece, titles)
