"""Lesson 7 (YaRN: NTK-by-parts plus a temperature, and its published results): clean at defaults
and at the extremes, finite charts, clamped URL values, the temperature curve and real models' factors
against published test vectors, an entropy chart that shows what the text claims, and the paper's
Table 2 as published."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, chart_by_title, shared_page
from tests.support.scaling_lessons import (
    SHARED_EXTREMES,
    assert_defaults_clean_and_finite,
    assert_garbage_is_clamped_with_a_note,
    assert_opens_clean_and_finite,
    xy,
)

YARN = "pages/learn/yarn.py"

# The page parameter at both ends.
PAGE_EXTREMES = ({"yarn_mscale": "0"}, {"yarn_mscale": "2"})
GARBAGE = (("yarn_mscale", "nan"),)


def test_defaults_clean_and_finite():
    assert_defaults_clean_and_finite(YARN)


@pytest.mark.parametrize("query", SHARED_EXTREMES)
def test_shared_extremes(query):
    assert_opens_clean_and_finite(YARN, query)


@pytest.mark.parametrize("query", PAGE_EXTREMES)
def test_page_params_at_both_ends(query):
    assert_opens_clean_and_finite(YARN, query)


@pytest.mark.parametrize("key,value", GARBAGE)
def test_garbage_url_value_is_clamped_with_a_note(key, value):
    assert_garbage_is_clamped_with_a_note(YARN, key, value)


def test_temperature_curve_and_real_models():
    at = shared_page(YARN)
    assert_clean(at)
    spec = chart_by_title(at, "temperature YaRN applies")
    s, factor = xy(spec, "multiplies cos and sin")
    _, logits = xy(spec, "multiplies the logits")
    np.testing.assert_allclose(factor, 0.1 * np.log(s) + 1, rtol=1e-12)
    np.testing.assert_allclose(logits, (0.1 * np.log(s) + 1) ** 2, rtol=1e-12)
    table = at.dataframe[0].value.set_index("model")
    # Published test vectors (transformers' attention_factor for these configs).
    assert table.loc["Qwen3 (long context)", "attention_factor (cos, sin)"] == pytest.approx(
        1.138629436111989
    )
    assert table.loc["gpt-oss", "attention_factor (cos, sin)"] == pytest.approx(1.3465736, rel=1e-7)
    assert table.loc["YaRN Llama 2 (s = 16)", "attention_factor (cos, sin)"] == pytest.approx(
        1.2772589, rel=1e-7
    )
    assert table.loc["YaRN Llama 2 (s = 32)", "attention_factor (cos, sin)"] == pytest.approx(
        1.3465736, rel=1e-7
    )
    assert table.loc["DeepSeek-V3", "attention_factor (cos, sin)"] == 1.0
    assert table.loc["DeepSeek-V3", "softmax scale multiplier"] == pytest.approx(1.3688879454**2, rel=1e-9)
    models_x, models_y = xy(spec, "real models")
    assert models_y[list(models_x).index(4.0)] == pytest.approx(1.138629436111989**2)


@pytest.mark.parametrize("query", [{}, {"L": "4096", "s": "16"}])
def test_temperature_lowers_entropy_at_every_length(query):
    at = shared_page(YARN, query)
    assert_clean(at)
    spec = chart_by_title(at, "spread out")
    n, without = xy(spec, "no temperature")
    n_with, with_t = xy(spec, "with temperature")
    _, uniform = xy(spec, "even attention")
    assert np.array_equal(n, n_with) and len(n) <= 24
    assert np.all(with_t <= without + 1e-9)
    assert np.all(without <= uniform + 1e-9), "no attention is more spread out than even attention"
    np.testing.assert_allclose(uniform, np.log(n), rtol=1e-12)


def test_mscale_zero_switches_the_temperature_off():
    at = shared_page(YARN, {"yarn_mscale": "0"})
    spec = chart_by_title(at, "spread out")
    np.testing.assert_allclose(xy(spec, "with temperature")[1], xy(spec, "no temperature")[1], rtol=1e-12)


def test_table2_chart_shows_the_papers_numbers():
    """YaRN paper v2, Table 2 (7B, perplexity at 8k/32k/64k/96k/128k), transcribed independently."""
    at = shared_page(YARN)
    assert_clean(at)
    spec = chart_by_title(at, "Table 2")
    x, yarn32 = xy(spec, "YaRN s=32")
    assert list(x) == [8192, 32768, 65536, 98304, 131072]
    np.testing.assert_allclose(yarn32, [3.56, 2.70, 2.45, 2.36, 2.37])
    np.testing.assert_allclose(xy(spec, "Code Llama")[1], [3.71, 2.74, 2.55, 2.54, 2.71])
    pi = next(t for t in spec["data"] if t["name"].startswith("Together"))
    # ">100", ">1000", ">10000" are lower bounds: drawn at the bound with an up-pointing marker
    np.testing.assert_allclose(pi["y"], [3.50, 2.64, 100, 1000, 10000])
    assert list(pi["marker"]["symbol"]) == ["circle", "circle", "triangle-up", "triangle-up", "triangle-up"]
    assert "2.37" in "\n".join(str(m.value) for m in at.markdown)
