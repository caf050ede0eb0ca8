"""Lessons end on what their method does to the lab's Shakespeare model: the shipped scores, read
from assets/lab/shakespeare.json here and averaged over seeds independently of the app."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.support.apptest_helpers import (
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    shared_page,
    trace,
)

SHIPPED = json.loads((Path(__file__).parents[2] / "assets" / "lab" / "shakespeare.json").read_text())
LESSONS = {
    "pages/learn/extrapolation.py": ("none",),
    "pages/learn/interpolation.py": ("linear",),
    "pages/learn/ntk_aware.py": ("ntk",),
    "pages/learn/yarn.py": ("ntk_by_parts", "yarn"),
    "pages/learn/dynamic.py": ("dynamic_ntk", "dynamic_yarn"),
    "pages/compare/compare.py": ("linear", "ntk", "yarn"),  # its default methods
}


def seed_mean(key: str) -> np.ndarray:
    return np.mean(np.array(SHIPPED["zero_shot"][key]["by_length"], dtype=float), axis=0)


@pytest.mark.parametrize("page", list(LESSONS))
def test_a_lesson_ends_on_the_shipped_scores_of_its_methods(page):
    at = shared_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    spec = chart_by_title(at, "A real model")
    lengths = [int(n) for n in SHIPPED["settings"]["lengths"]]
    train = int(SHIPPED["settings"]["train_length"])
    for key in ("none", *LESSONS[page]):
        label = SHIPPED["variants"][key]["label"]
        drawn = trace(spec, label)
        assert list(np.asarray(drawn["x"], dtype=float)) == lengths
        np.testing.assert_allclose(np.asarray(drawn["y"], dtype=float), seed_mean(key), rtol=1e-12)
        at_4l = f"{seed_mean(key)[lengths.index(4 * train)]:.2f}"
        assert any(at_4l in block.value and label in block.value for block in at.markdown), at_4l


def test_plain_rope_breaks_past_the_window_and_yarn_holds():
    """The shape the lessons quote: plain RoPE far worse at 4L than inside L, YaRN close to it."""
    lengths = SHIPPED["settings"]["lengths"]
    at_4l = lengths.index(4 * SHIPPED["settings"]["train_length"])
    inside = seed_mean("none")[0]
    assert seed_mean("none")[at_4l] > 1.4 * inside
    assert seed_mean("yarn")[at_4l] < 1.25 * inside


def test_the_ramp_the_lab_model_ran_with_is_named():
    """The lab's L = 128 is too short for the paper's beta = 32: the lesson says which beta it used."""
    at = shared_page("pages/learn/yarn.py")
    beta = SHIPPED["variants"]["yarn"]["scaling"]["beta_fast"]
    assert beta < 32
    assert any(f"β = {beta:g} turns" in block.value for block in at.markdown)
