"""AppTest checks for lesson 3 (the extrapolation problem): clean at defaults and extremes, finite
charts, garbage URL values clamped with a note, and charts that show what the text claims (checked
against independent NumPy)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import chart_by_title, shared_page, trace
from tests.support.lesson_checks import (
    SHARED_EXTREMES,
    check_controls_at,
    check_controls_with_extreme_settings,
    check_defaults_are_clean_and_finite,
    check_garbage_is_clamped_with_a_note,
    check_shared_extremes,
    page_text,
    query_id,
    score,
    seeded_qk,
    theta,
)

PAGE = "pages/learn/extrapolation.py"
LOW = {"ext_seed": "0", "ext_pi": "false"}
HIGH = {"ext_seed": "99", "ext_pi": "true"}
GARBAGE = {"ext_seed": ("seven", "seed"), "ext_pi": ("maybe", "Show Position Interpolation")}


def test_defaults_are_clean_and_finite():
    check_defaults_are_clean_and_finite(PAGE)


@pytest.mark.parametrize("query", SHARED_EXTREMES, ids=query_id)
def test_shared_extremes(query):
    check_shared_extremes(PAGE, query)


@pytest.mark.parametrize("ends", [LOW, HIGH], ids=["low", "high"])
def test_page_controls_at_both_ends(ends):
    check_controls_at(PAGE, ends)


def test_page_controls_at_both_ends_with_extreme_settings():
    check_controls_with_extreme_settings(PAGE, HIGH)


def test_garbage_url_values_are_clamped_with_a_note():
    check_garbage_is_clamped_with_a_note(PAGE, GARBAGE)


# ------------------------------------------------------------------------------------------------
# The charts show what the text says


def test_trained_band_and_escapes_match_an_independent_computation():
    at = shared_page(PAGE, {"ext_seed": "55"})
    spec = chart_by_title(at, "Attention score against distance")
    q, k = seeded_qk(128, 55)
    freqs = theta(128, 1e4)
    trained = score(q, k, np.arange(512), freqs)
    band = spec["layout"]["shapes"][0]
    assert (
        band["type"] == "rect"
        and np.isclose(band["y0"], trained.min())
        and np.isclose(band["y1"], trained.max())
    )
    escapes = trace(spec, "outside the trained range")
    assert len(escapes["x"]) > 0 and escapes["x"].min() >= 512
    assert np.all((escapes["y"] < trained.min()) | (escapes["y"] > trained.max()))
    assert np.allclose(escapes["y"], score(q, k, escapes["x"], freqs))
    beyond = score(q, k, np.arange(512, 1024), freqs)
    share = np.mean((beyond < trained.min()) | (beyond > trained.max()))
    assert f"**{share:.1%}**" in page_text(at)


def test_pi_reads_the_trained_curve_at_distance_over_s():
    at = shared_page(PAGE, {"s": "4", "ext_seed": "5"})
    pi = trace(chart_by_title(at, "Attention score against distance"), "PI")
    q, k = seeded_qk(128, 5)
    assert pi["x"].max() == 4 * 512 - 1
    assert np.allclose(pi["y"], score(q, k, pi["x"] / 4, theta(128, 1e4)))
    trained = score(q, k, np.arange(512), theta(128, 1e4))
    assert pi["y"].max() < trained.max() + 0.05 * np.ptp(trained)
    assert pi["y"].min() > trained.min() - 0.05 * np.ptp(trained)


def test_pi_curve_can_be_hidden():
    at = shared_page(PAGE, {"ext_pi": "false"})
    names = [t["name"] for t in chart_by_title(at, "Attention score against distance")["data"]]
    assert not any("PI" in name for name in names)


@pytest.mark.parametrize("query", [{}, {"d": "64", "base": "1000000", "L": "4096", "s": "16"}, {"s": "1"}])
def test_unseen_pairs_are_the_slow_ones(query):
    at = shared_page(PAGE, query)
    d, base = int(query.get("d", 128)), float(query.get("base", 1e4))
    L, s = int(query.get("L", 512)), float(query.get("s", 2))
    freqs = theta(d, base)
    # unseen: never a full turn in training, and at L' at least one position step past the trained maximum
    expected = np.flatnonzero(((L - 1) * freqs < 2 * np.pi) & ((s * L - 1) * freqs > L * freqs * (1 + 1e-9)))
    spec = chart_by_title(at, "Which pairs meet angles never seen")
    unseen = trace(spec, "angle never seen")
    assert set(np.asarray(unseen["x"]).astype(int)) == set(expected)
    assert np.allclose(unseen["y"], (s * L - 1) * freqs[expected])
    assert np.allclose(trace(spec, "PI at")["y"], (s * L - 1) * freqs / s)
    if len(expected):
        assert f"The **{len(expected)} slow pairs**" in page_text(at)


def test_published_pi_bound_is_quoted():
    bound = json.loads((ROOT / "assets" / "published.json").read_text())["pi_score_bound"]
    at = shared_page(PAGE)
    text = page_text(at)
    assert bound["extrapolated_peak"] == 8000 and "8,000" in text
    assert f"{bound['interpolation_bound_tighter_by']}x tighter" in text
    assert any(bound["source"] in c.value for c in at.caption)


def test_fitted_score_is_bounded_inside_explodes_outside_and_pi_reads_it_stretched():
    """The PI paper's figure 2 experiment: the interpolated curve at Delta is the fitted one at
    Delta / s, and the extrapolated one leaves the fitted range by orders of magnitude."""
    at = shared_page(PAGE)
    spec = chart_by_title(at, "fitted on the trained window")
    inside, beyond, pi = (
        trace(spec, "fitted inside"),
        trace(spec, "extrapolated past"),
        trace(spec, "interpolated (PI)"),
    )
    assert inside["x"].max() < 512 <= beyond["x"].min()
    assert inside["y"].max() < 2
    assert beyond["y"].max() > 1000 * inside["y"].max()
    fitted = dict(zip(inside["x"].astype(int), inside["y"], strict=True))
    even = [(x, y) for x, y in zip(pi["x"].astype(int), pi["y"], strict=True) if x % 2 == 0]
    assert len(even) > 100
    for x, y in even:
        assert y == pytest.approx(fitted[x // 2], rel=1e-6, abs=1e-9)


def test_the_text_says_how_typical_the_drawn_pair_is():
    """At the defaults (L = 512, L' = 1024) the survey covers every distance: recompute it."""
    at = shared_page(PAGE)
    freqs = theta(128, 1e4)
    fractions = []
    for seed in range(20):
        q, k = seeded_qk(128, seed)
        trained = score(q, k, np.arange(512), freqs)
        beyond = score(q, k, np.arange(512, 1024), freqs)
        fractions.append(np.mean((beyond < trained.min()) | (beyond > trained.max())))
    assert f"**{np.mean(fractions):.1%}**" in page_text(at)
    assert f"at most {np.max(fractions):.1%}" in page_text(at)


def _ridge_by_normal_equations(distances, targets, freqs, ridge):
    """The ridge fit solved independently: (A^T A + ridge n I) h = A^T y with A = [cos, sin] of
    Delta theta_i, built pair by pair."""
    angles = np.outer(distances, freqs)
    basis = np.concatenate([np.cos(angles), np.sin(angles)], axis=1)
    gram = basis.T @ basis + ridge * len(targets) * np.eye(basis.shape[1])
    return np.linalg.solve(gram, basis.T @ targets)


def test_fitted_score_matches_an_independent_ridge_fit_and_quotes_its_peaks():
    """At the defaults (|D| = 128, L = 512, L' = 1024, seed 0): the paper's protocol (1,024 random
    distances in [0, L], targets in [-1, 1], in that order from the seed) fitted by the normal
    equations gives the drawn extrapolated curve, a peak in the thousands (the paper: about 8,000),
    and an interpolated curve no larger than the fit inside L."""
    at = shared_page(PAGE)
    spec = chart_by_title(at, "fitted on the trained window")
    rng = np.random.default_rng(0)
    distances = rng.uniform(0, 512, 1024)
    targets = rng.uniform(-1, 1, 1024)
    freqs = theta(128, 1e4)
    coefficients = _ridge_by_normal_equations(distances, targets, freqs, 1e-11)
    beyond = trace(spec, "extrapolated past")
    angles = np.outer(beyond["x"], freqs)
    expected = np.abs(np.concatenate([np.cos(angles), np.sin(angles)], axis=1) @ coefficients)
    assert np.allclose(beyond["y"], expected, rtol=1e-3, atol=1e-4 * expected.max())
    peak = expected[beyond["x"] < 1024].max()
    assert 1000 < peak < 100_000
    assert f"reaches **{peak:,.0f}**" in page_text(at)
    inside, pi = trace(spec, "fitted inside"), trace(spec, "interpolated (PI)")
    assert pi["y"].max() <= 1.05 * inside["y"].max()
    # Plain least squares (no ridge) blows up by many more orders: the text quotes it too.
    plain = np.linalg.lstsq(
        np.concatenate([np.cos(np.outer(distances, freqs)), np.sin(np.outer(distances, freqs))], axis=1),
        targets,
        rcond=None,
    )[0]
    plain_peak = np.abs(np.concatenate([np.cos(angles), np.sin(angles)], axis=1) @ plain)[beyond["x"] < 1024]
    assert plain_peak.max() > 1e6
    quoted = re.search(r"([0-9,]+) with no ridge", page_text(at))
    assert quoted and float(quoted.group(1).replace(",", "")) == pytest.approx(plain_peak.max(), rel=0.01)
