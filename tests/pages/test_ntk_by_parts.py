"""Lesson 6 (NTK-by-parts): clean at defaults and at the extremes, finite charts, clamped URL
values, and regime and ramp charts that show what the text claims, checked against independent
computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, chart_by_title, shared_page
from tests.support.scaling_lessons import (
    SHARED_EXTREMES,
    assert_defaults_clean_and_finite,
    assert_garbage_is_clamped_with_a_note,
    assert_opens_clean_and_finite,
    plain_inv_freq,
    warnings_text,
    xy,
)

PARTS = "pages/learn/ntk_by_parts.py"

# Each page parameter at both ends (and the ramp both ways).
PAGE_EXTREMES = (
    {"nbp_alpha": "0.25", "nbp_beta": "2"},
    {"nbp_alpha": "16", "nbp_beta": "256", "nbp_ramp": "code"},
)
GARBAGE = (
    ("nbp_alpha", "abc"),
    ("nbp_beta", "1e9"),
    ("nbp_ramp", "bogus"),
)


def test_defaults_clean_and_finite():
    assert_defaults_clean_and_finite(PARTS)


@pytest.mark.parametrize("query", SHARED_EXTREMES)
def test_shared_extremes(query):
    assert_opens_clean_and_finite(PARTS, query)


@pytest.mark.parametrize("query", PAGE_EXTREMES)
def test_page_params_at_both_ends(query):
    assert_opens_clean_and_finite(PARTS, query)


@pytest.mark.parametrize("key,value", GARBAGE)
def test_garbage_url_value_is_clamped_with_a_note(key, value):
    assert_garbage_is_clamped_with_a_note(PARTS, key, value)


def regime_pairs(spec: dict) -> dict[str, set[int]]:
    return {
        name: {round(float(x)) for x in xy(spec, name)[0]} for name in ("kept", "blended", "interpolated")
    }


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"d": "64", "base": "500000", "L": "4096", "nbp_alpha": "2", "nbp_beta": "8"},
        {"d": "256", "base": "10000", "L": "65536", "nbp_alpha": "0.5", "nbp_beta": "100"},
    ],
)
def test_paper_ramp_regimes_follow_wavelength_thresholds(query):
    at = shared_page(PARTS, query)
    assert_clean(at)
    d, base, L = int(query.get("d", 128)), float(query.get("base", 1e4)), int(query.get("L", 512))
    alpha, beta = float(query.get("nbp_alpha", 1)), float(query.get("nbp_beta", 32))
    wavelength = 2 * math.pi / plain_inv_freq(d, base)
    pairs = regime_pairs(chart_by_title(at, "kept, blended or interpolated"))
    assert pairs["interpolated"] == {i for i, lam in enumerate(wavelength) if lam > L / alpha}
    assert pairs["kept"] == {i for i, lam in enumerate(wavelength) if lam < L / beta}
    assert pairs["blended"] == set(range(d // 2)) - pairs["interpolated"] - pairs["kept"]


def test_code_ramp_regimes_follow_rounded_correction_dims():
    d, base, L, alpha, beta = 128, 10000.0, 4096, 1.0, 32.0
    at = shared_page(PARTS, {"L": str(L), "nbp_ramp": "code"})
    assert_clean(at)
    assert "reference code" in chart_by_title(at, "kept, blended or interpolated")["layout"]["title"]["text"]

    def dim(turns):
        return d * math.log(L / (turns * 2 * math.pi)) / (2 * math.log(base))

    low, high = max(math.floor(dim(beta)), 0), min(math.ceil(dim(alpha)), d - 1)
    assert (low, high) == (20, 46)  # the reference test vector for these settings
    pairs = regime_pairs(chart_by_title(at, "kept, blended or interpolated"))
    assert pairs["kept"] == set(range(low + 1))
    assert pairs["interpolated"] == set(range(high, d // 2))
    index, code = xy(chart_by_title(at, "Two ramps"), "reference code")
    np.testing.assert_allclose(code, 1 - np.clip((index - low) / (high - low), 0, 1), atol=1e-12)


def test_code_ramp_always_keeps_pair_zero():
    """The reference code clamps the ramp's start to pair 0, so it keeps pair 0 even when pair 0
    turns fewer than beta times (tiny-model preset), where the paper's ramp keeps nothing."""
    tiny = {"d": "32", "base": "10000", "L": "64", "s": "4"}
    code = regime_pairs(chart_by_title(shared_page(PARTS, {**tiny, "nbp_ramp": "code"}), "kept, blended"))
    paper = regime_pairs(chart_by_title(shared_page(PARTS, tiny), "kept, blended"))
    assert code["kept"] == {0} and paper["kept"] == set()


def test_ramp_chart_overlays_paper_and_code():
    at = shared_page(PARTS)
    d, base, L, alpha, beta = 128, 10000.0, 512, 1.0, 32.0
    spec = chart_by_title(at, "Two ramps")
    _, paper = xy(spec, "paper")
    _, code = xy(spec, "reference code")
    r = L * plain_inv_freq(d, base) / (2 * math.pi)
    np.testing.assert_allclose(paper, np.clip((r - alpha) / (beta - alpha), 0, 1), atol=1e-12)
    assert code[0] == 1 and code[-1] == 0
    blended = (code > 0) & (code < 1)
    assert np.allclose(np.diff(code[blended]), np.diff(code[blended])[0]), (
        "the code's ramp is linear in the pair index"
    )


def test_tiny_model_preset_warns_that_no_pair_is_kept():
    at = shared_page(PARTS, {"d": "32", "base": "10000", "L": "64", "s": "4"})
    assert_clean(at)
    assert 64 / (2 * math.pi) < 32
    assert "No pair is kept" in warnings_text(at)
    assert regime_pairs(chart_by_title(at, "kept, blended or interpolated"))["kept"] == set()
    assert "No pair is kept" not in warnings_text(shared_page(PARTS))


def test_alpha_not_below_beta_is_explained_not_crashed():
    at = shared_page(PARTS, {"nbp_alpha": "16", "nbp_beta": "2"})
    assert_clean(at)
    assert "ramp needs α < β" in warnings_text(at)


@pytest.mark.parametrize("ramp", ["paper", "code"])
def test_regimes_are_the_ramps_whatever_s(ramp):
    """At s = 1 nothing is divided, but the chart still shows which pairs the ramp would keep,
    blend or interpolate: the same pairs as at any s > 1."""
    at_one = regime_pairs(chart_by_title(shared_page(PARTS, {"s": "1", "nbp_ramp": ramp}), "kept, blended"))
    at_four = regime_pairs(chart_by_title(shared_page(PARTS, {"s": "4", "nbp_ramp": ramp}), "kept, blended"))
    assert at_one == at_four
    assert at_one["kept"] and at_one["interpolated"]
