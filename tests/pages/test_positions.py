"""AppTest checks for lesson 1 (why positions break): clean at defaults and extremes, finite charts,
garbage URL values clamped with a note, and charts that show what the text claims (checked against
independent NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

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
    theta,
)
from yarn_core.app import figures as F
from yarn_core.app.views.positions import ENCODING_COLORS

PAGE = "pages/learn/positions.py"
LOW = {"pos_t5_max": "32", "pos_alibi_head": "1"}
HIGH = {"pos_t5_max": "4096", "pos_alibi_head": "8"}
GARBAGE = {"pos_t5_max": ("abc", "T5 max_distance"), "pos_alibi_head": ("99", "ALiBi head")}


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


def test_learned_table_stops_at_L_and_formulas_run_on():
    at = shared_page(PAGE, {"L": "64", "s": "4"})
    spec = chart_by_title(at, "Absolute positions")
    rows = trace(spec, "row looked up")
    assert list(rows["x"]) == list(range(64)), "one row per trained position, none from L on"
    assert list(rows["y"]) == list(range(64)), "position m reads row m"
    slow = trace(spec, "slowest pair")
    assert slow["x"].max() >= 4 * 64 - 1
    lam = 2 * np.pi / theta(128, 1e4)[-1]
    assert np.allclose(slow["y"], np.sin(slow["x"] * 2 * np.pi / lam))
    grey = [shape for shape in spec["layout"]["shapes"] if shape.get("x0") == 64]
    assert grey and grey[0]["x1"] >= 4 * 64
    assert "exactly **64 rows**" in page_text(at)


def test_t5_saturates_and_alibi_is_linear_in_distance():
    at = shared_page(PAGE, {"pos_t5_max": "64", "pos_alibi_head": "3"})
    spec = chart_by_title(at, "Relative biases")
    t5 = trace(spec, "T5")
    far = t5["y"][t5["x"] >= 64]
    assert len(far) > 100 and np.ptp(far) == 0.0
    assert len(np.unique(t5["y"][t5["x"] < 16])) == 16  # one exact bucket per short distance
    alibi = trace(spec, "ALiBi")
    assert np.allclose(alibi["y"], -(2.0**-3) * alibi["x"])


def test_rope_scores_and_slow_pair_count():
    at = shared_page(PAGE)
    rope = trace(chart_by_title(at, "Rotations"), "RoPE")
    freqs = theta(128, 1e4)
    assert np.allclose(rope["y"], 2 * np.cos(np.multiply.outer(rope["x"], freqs)).sum(axis=1))
    slow = int((2 * np.pi / freqs >= 512).sum())
    assert f"**{slow} of its 64 pairs**" in page_text(at)


def test_encoding_colours_reach_3_to_1_on_both_themes():
    """T5, ALiBi, xPos and the others stay readable on the light and the dark background (WCAG 3:1
    for graphics)."""
    for name, color in ENCODING_COLORS.items():
        for background in (F.LIGHT_BACKGROUND, F.DARK_BACKGROUND):
            assert F.contrast_ratio(color, background) >= 3.0, (name, color, background)
