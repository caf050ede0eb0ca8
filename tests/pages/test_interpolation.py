"""Lesson 4 (Position Interpolation) shows what its text claims."""

import numpy as np
import pytest

from tests.support.apptest_helpers import (
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    open_page,
    shared_page,
    trace,
)

PAGE = "pages/learn/interpolation.py"


def test_defaults_show_the_seeds_512_to_1024_example():
    at = shared_page(PAGE)
    assert_clean(at)
    assert_finite_charts(at)
    story = at.markdown[0].value
    assert "**512**" in story and "**1,024**" in story
    mapping = chart_by_title(at, "Mapping")
    pi = trace(mapping, "PI")
    # PI rotates token m as m / s: the last of the 1024 tokens lands inside the trained 512.
    assert pi["y"].max() == pytest.approx(1023 / 2)
    assert pi["y"].max() < 512
    plain = trace(mapping, "Plain")
    assert plain["y"].max() == pytest.approx(1023)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"d": "8", "base": "100", "L": "16", "s": "1"},
        {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    ],
)
def test_pi_divides_every_frequency_by_s(query):
    at = shared_page(PAGE, query)
    assert_clean(at)
    assert_finite_charts(at)
    d = int(query.get("d", 128))
    base = float(query.get("base", 1e4))
    s = float(query.get("s", 2))
    spec = chart_by_title(at, "price")
    trained, pi = trace(spec, "trained")["y"], trace(spec, "PI")["y"]
    expected = base ** (-np.arange(0, d, 2) / d)  # theta_i from the RoPE paper
    np.testing.assert_allclose(trained, expected, rtol=1e-12)
    np.testing.assert_allclose(pi, expected / s, rtol=1e-12)
    assert pi[-1] == pytest.approx(trained[-1] / s), "the lowest frequency ends up divided by s"


def test_fine_tune_chart_quotes_the_pi_paper():
    at = shared_page(PAGE)
    spec = chart_by_title(at, "fine-tune")
    np.testing.assert_allclose(spec["data"][0]["y"], [16.10, 7.12])
    assert any("2306.15595" in c.value for c in at.caption)


def test_predict_then_reveal_explains_the_answer():
    at = open_page(PAGE, {"s": "4"})
    radio = at.radio(key="predict_pi_fastest")
    radio.set_value("1/4 rad").run()
    assert_clean(at)
    assert any("Right" in m.value for m in at.markdown)
