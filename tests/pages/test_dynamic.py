"""Lesson 8 (dynamic scaling): clean at defaults and at the extremes, finite charts, clamped URL
values, and schedules that match the formulas and transformers' reference base."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, chart_by_title, shared_page
from tests.support.scaling_lessons import (
    SHARED_EXTREMES,
    assert_defaults_clean_and_finite,
    assert_garbage_is_clamped_with_a_note,
    assert_opens_clean_and_finite,
    page_text,
    xy,
)

DYNAMIC = "pages/learn/dynamic.py"

# The page parameter at both ends.
PAGE_EXTREMES = ({"dyn_len": "0.5"}, {"dyn_len": "128"})
GARBAGE = (("dyn_len", "-5"),)


def test_defaults_clean_and_finite():
    assert_defaults_clean_and_finite(DYNAMIC)


@pytest.mark.parametrize("query", SHARED_EXTREMES)
def test_shared_extremes(query):
    assert_opens_clean_and_finite(DYNAMIC, query)


@pytest.mark.parametrize("query", PAGE_EXTREMES)
def test_page_params_at_both_ends(query):
    assert_opens_clean_and_finite(DYNAMIC, query)


@pytest.mark.parametrize("key,value", GARBAGE)
def test_garbage_url_value_is_clamped_with_a_note(key, value):
    assert_garbage_is_clamped_with_a_note(DYNAMIC, key, value)


@pytest.mark.parametrize("L,s,multiple", [(512, 2.0, 1.5), (4096, 8.0, 3)])
def test_dynamic_schedules_match_the_formulas(L, s, multiple):
    at = shared_page(DYNAMIC, {"L": str(L), "s": str(s), "dyn_len": str(multiple)})
    assert_clean(at)
    spec = chart_by_title(at, "scale s each method uses")
    x, yarn = xy(spec, "Dynamic YaRN")
    x_ntk, ntk = xy(spec, "Dynamic NTK")
    _, static = xy(spec, "static")
    np.testing.assert_allclose(yarn, np.maximum(1, x / L), rtol=1e-12)
    np.testing.assert_allclose(ntk, s * np.maximum(x_ntk, L) / L - (s - 1), rtol=1e-12)
    np.testing.assert_allclose(static, s)

    factor_spec = chart_by_title(at, "attention factor")
    x_f, factor = xy(factor_spec, "Dynamic YaRN")
    np.testing.assert_allclose(factor, 0.1 * np.log(np.maximum(1, x_f / L)) + 1, rtol=1e-12)

    now = chart_by_title(at, "right now")
    current = multiple * L
    _, dyn_yarn = xy(now, "Dynamic YaRN")
    _, dyn_ntk = xy(now, "Dynamic NTK")
    assert dyn_yarn[0] == pytest.approx(1.0) and dyn_yarn[-1] == pytest.approx(current / L)
    assert dyn_ntk[-1] == pytest.approx(s * current / L - (s - 1))
    assert f"s = {current / L:.4g}" in page_text(at)


def test_dynamic_ntk_reference_base():
    """transformers' dynamic NTK for (128, 1e4, factor 2, L 4096) at 6144 tokens uses base 20221.26,
    i.e. it slows the slowest pair by 20221.26^(126/128) / 1e4^(126/128)."""
    at = shared_page(DYNAMIC, {"L": "4096", "s": "2", "dyn_len": "1.5"})
    _, dyn_ntk = xy(chart_by_title(at, "right now"), "Dynamic NTK")
    assert dyn_ntk[-1] == pytest.approx((20221.26 / 1e4) ** (126 / 128), rel=1e-6)


def test_below_trained_length_dynamic_methods_leave_the_model_untouched():
    at = shared_page(DYNAMIC, {"dyn_len": "0.5"})
    assert_clean(at)
    now = chart_by_title(at, "right now")
    np.testing.assert_allclose(xy(now, "Dynamic YaRN")[1], 1.0)
    np.testing.assert_allclose(xy(now, "Dynamic NTK")[1], 1.0)
    assert xy(now, "static YaRN")[1][-1] == pytest.approx(2.0)
