"""AppTest checks for lesson 2 (RoPE from scratch): clean at defaults and extremes, finite charts,
garbage URL values clamped with a note, and charts that show what the text claims (checked against
independent NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, chart_by_title, open_page, shared_page, trace
from tests.support.lesson_checks import (
    SHARED_EXTREMES,
    check_controls_at,
    check_controls_with_extreme_settings,
    check_defaults_are_clean_and_finite,
    check_garbage_is_clamped_with_a_note,
    check_shared_extremes,
    frame_arrays,
    query_id,
    score,
    seeded_qk,
    theta,
)

PAGE = "pages/learn/rope.py"
LOW = {
    "rope_seed": "0",
    "rope_pair": "0",
    "rope_span": "first 64 tokens",
    "rope_m": "0",
    "rope_n": "0",
    "rope_k": "0",
}
HIGH = {
    "rope_seed": "99",
    "rope_pair": "63",
    "rope_span": "0 to L'",
    "rope_m": "4096",
    "rope_n": "4096",
    "rope_k": "65536",
}
GARBAGE = {
    "rope_seed": ("nan", "seed"),
    "rope_pair": ("-5", "Pair index"),
    "rope_span": ("everything", "Animate over"),
    "rope_m": ("1e9", "Query position"),
    "rope_n": ("x", "Key position"),
    "rope_k": ("-1", "Shift both"),
}


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


def test_rope_pair_clamps_when_head_dim_shrinks():
    at = open_page(PAGE)
    at.slider(key="d").set_value(8).run()
    assert_clean(at)
    assert at.slider(key="rope_pair").value == 3
    assert "Query pair 3 " in chart_by_title(at, "Query pair")["layout"]["title"]["text"]


def test_animated_pair_turns_by_m_theta():
    at = shared_page(PAGE, {"rope_pair": "40", "rope_seed": "7"})
    spec = chart_by_title(at, "Query pair")
    frames = spec["frames"]
    steps = spec["layout"]["sliders"][0]["steps"]
    assert len(frames) == len(steps) == 96
    assert any(b["method"] == "animate" for b in spec["layout"]["updatemenus"][0]["buttons"])
    q, _ = seeded_qk(128, 7)
    start = complex(q[40], q[104])
    rate = theta(128, 1e4)[40]  # wavelength ~1987 > L = 512: never completes a turn in training
    colors = set()
    for frame in frames:
        m = int(frame["name"])
        tip = start * np.exp(1j * m * rate)
        [(arrow_x, arrow_y)] = frame_arrays(frame)
        assert np.allclose((arrow_x[1], arrow_y[1]), (tip.real, tip.imag))
        assert np.all(np.isfinite(arrow_x)) and np.all(np.isfinite(arrow_y))
        colors.add((m >= 512, frame["data"][0]["line"]["color"]))
    assert len(colors) == 2, "the arrow changes colour exactly when it passes the trained angles"
    assert int(frames[-1]["name"]) == 1023


def test_first_tokens_span_steps_one_token_per_frame():
    at = shared_page(PAGE, {"rope_span": "first 64 tokens", "rope_pair": "0"})
    frames = chart_by_title(at, "Query pair")["frames"]
    assert [int(f["name"]) for f in frames] == list(range(64))


def test_spectrum_colours_pairs_by_full_turn_inside_L():
    for query in ({}, {"d": "64", "base": "500000", "L": "8192"}):
        at = shared_page(PAGE, query)
        d, base, L = int(query.get("d", 128)), float(query.get("base", 1e4)), int(query.get("L", 512))
        lam = 2 * np.pi / theta(d, base)
        spec = chart_by_title(at, "Wavelength of every pair")
        full, never = trace(spec, "completes a full turn"), trace(spec, "never completes")
        assert set(full["x"].astype(int)) == set(np.flatnonzero(lam < L))
        assert set(never["x"].astype(int)) == set(np.flatnonzero(lam >= L))
        assert np.allclose(full["y"], lam[full["x"].astype(int)])


def test_relative_property_holds_live():
    m, n, k = 1234, 77, 5000
    at = shared_page(PAGE, {"rope_m": str(m), "rope_n": str(n), "rope_k": str(k), "rope_seed": "3"})
    q, key = seeded_qk(128, 3)
    expected = score(q, key, m - n, theta(128, 1e4))
    both = trace(chart_by_title(at, "Shift query and key together"), "both moved")
    assert np.allclose(both["y"], expected, atol=1e-9)
    assert k in both["x"]
    values = [float(metric.value) for metric in at.metric]
    assert np.allclose(values, expected, atol=1e-6)
