"""Lesson 5 (NTK-aware scaling): clean at defaults and at the extremes, finite charts, and charts
that show what the text claims, checked against independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, chart_by_title, shared_page
from tests.support.scaling_lessons import (
    SHARED_EXTREMES,
    assert_defaults_clean_and_finite,
    assert_opens_clean_and_finite,
    page_text,
    plain_inv_freq,
    xy,
)

NTK = "pages/learn/ntk_aware.py"


def test_defaults_clean_and_finite():
    assert_defaults_clean_and_finite(NTK)


@pytest.mark.parametrize("query", SHARED_EXTREMES)
def test_shared_extremes(query):
    assert_opens_clean_and_finite(NTK, query)


@pytest.mark.parametrize("d,base,L,s", [(128, 10000.0, 512, 2.0), (64, 500000.0, 4096, 8.0)])
def test_ntk_divides_fastest_by_one_slowest_by_s(d, base, L, s):
    at = shared_page(NTK, {"d": str(d), "base": str(base), "L": str(L), "s": str(s)})
    assert_clean(at)
    spec = chart_by_title(at, "slowed down")
    pairs, ntk = xy(spec, "NTK-aware")
    _, pi = xy(spec, "PI")
    new_base = base * s ** (d / (d - 2))
    expected = plain_inv_freq(d, base) / plain_inv_freq(d, new_base)
    np.testing.assert_allclose(ntk, expected, rtol=1e-9)
    np.testing.assert_allclose(ntk, s ** (2 * pairs / (d - 2)), rtol=1e-9)
    assert ntk[0] == pytest.approx(1.0) and ntk[-1] == pytest.approx(s, rel=1e-9)
    np.testing.assert_allclose(pi, s, rtol=1e-12)
    assert f"{new_base:,.2f}" in page_text(at)


def test_ntk_angle_reach_matches_independent_ratio():
    at = shared_page(NTK)
    d, base, L, s = 128, 10000.0, 512, 2.0
    spec = chart_by_title(at, "Largest angle")
    _, ntk = xy(spec, "NTK-aware")
    theta, theta_ntk = plain_inv_freq(d, base), plain_inv_freq(d, base * s ** (d / (d - 2)))
    np.testing.assert_allclose(ntk, (s * L - 1) * theta_ntk / ((L - 1) * theta), rtol=1e-9)
    never_turned = (L - 1) * theta < 2 * math.pi
    pushed = never_turned & ((s * L - 1) * theta_ntk > L * theta * (1 + 1e-9))
    assert 0 < pushed.sum() < never_turned.sum()
    assert f"**{int(pushed.sum())}** of them go past" in page_text(at)
