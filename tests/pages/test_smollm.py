"""Lesson 7 and the lab show the phenomenon on a real model: SmolLM2-135M's shipped results
(assets/lab/smollm.json), read and averaged here independently of the app."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, chart_by_title, open_page, trace
from yarn_core.app.views import smollm as view

SHIPPED = json.loads((Path(__file__).parents[2] / "assets" / "lab" / "smollm.json").read_text())
PAGES = ("pages/learn/yarn.py", "pages/lab/lab.py")
L = SHIPPED["model"]["train_length"]


def bin_centres_over_l(n_bins: int, width: int, trained: int) -> np.ndarray:
    return (np.arange(n_bins) + 0.5) * width / trained


@pytest.mark.parametrize("page", PAGES)
def test_the_real_model_chart_draws_the_shipped_curves(page):
    at = open_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    spec = chart_by_title(at, "SmolLM2-135M")
    curves = SHIPPED["curves"]["plays"]
    drawn = 0
    for key in view.SHOWN:
        if key not in curves:
            continue
        line = trace(spec, SHIPPED["labels"][key])
        mean = np.asarray(curves[key]["mean"], dtype=float)
        np.testing.assert_allclose(np.asarray(line["y"], dtype=float), mean)
        x = bin_centres_over_l(len(mean), SHIPPED["bin"], L)
        np.testing.assert_allclose(np.asarray(line["x"], dtype=float), x)
        drawn += 1
    assert drawn >= 1 and x[-1] < 2 < x[-1] + SHIPPED["bin"] / L  # out to 2L
    chart_by_title(at, "Paper: Llama 2 7B")
    tiny = json.loads((Path(__file__).parents[2] / "assets" / "lab" / "shakespeare.json").read_text())
    settings = tiny["settings"]
    bins = 2 * settings["train_length"] // settings["position_bin"]
    spec = chart_by_title(at, "Tiny model")
    for key in ("none", "dynamic_yarn"):  # to 2L: plain and dynamic (its static runs are at s = 8)
        seeds = np.asarray(tiny["zero_shot"][key]["by_position"], dtype=float)[:, :bins]
        line = trace(spec, tiny["variants"][key]["label"])
        np.testing.assert_allclose(np.asarray(line["y"], dtype=float), seeds.mean(axis=0))
        assert float(np.asarray(line["x"], dtype=float)[-1]) < 2


def test_the_lesson_quotes_the_loss_just_before_2l():
    at = open_page("pages/learn/yarn.py")
    text = " ".join(block.value for block in at.markdown)
    curves = SHIPPED["curves"]["plays"]
    last = view.END_TOKENS // SHIPPED["bin"]
    for key in ("none", "yarn-2"):
        if key in curves:
            assert f"{np.mean(curves[key]['mean'][-last:]):.2f}" in text, key
    first_l = np.asarray(SHIPPED["table"]["plays"]["none"]["mean"], dtype=float)[0]
    assert f"{first_l:.2f}" in text


def test_plain_rope_breaks_past_the_window_on_the_real_model():
    """The shape the section claims: plain RoPE's last 1,024 tokens before 2L are far worse than its
    first L tokens, on every window."""
    mean = np.asarray(SHIPPED["curves"]["plays"]["none"]["mean"], dtype=float)
    per_bin = SHIPPED["bin"]
    inside = mean[: L // per_bin].mean()
    end = mean[-view.END_TOKENS // per_bin :].mean()
    assert end > 1.3 * inside
    low = np.asarray(SHIPPED["curves"]["plays"]["none"]["min"], dtype=float)
    assert low[-view.END_TOKENS // per_bin :].mean() > inside


def test_missing_results_give_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setattr(view, "RESULTS", tmp_path / "absent.json")
    view._shipped.cache_clear()
    try:
        at = open_page("pages/learn/yarn.py")
        assert_clean(at)
        assert any("real-model results are not here" in block.value for block in at.info)
    finally:
        view._shipped.cache_clear()


def test_the_takeaway_quotes_the_real_models_numbers():
    at = open_page("pages/learn/yarn.py")
    text = " ".join(block.value for block in at.success)
    table = {v: np.asarray(row["mean"], dtype=float) for v, row in SHIPPED["table"]["plays"].items()}
    assert f"{table['none'][0]:.2f} bits/token inside L" in text
    if "linear-2" in table:
        assert f"costs {table['linear-2'][0] - table['none'][0]:.1f} bits/token" in text


def test_yarn_holds_and_dynamic_yarn_leaves_the_window_untouched():
    """What the takeaway says, checked on the shipped numbers: YaRN s = 2 just before 2L is within
    10% of plain RoPE inside L, and dynamic YaRN's first L tokens score as plain RoPE's."""
    curves, table = SHIPPED["curves"]["plays"], SHIPPED["table"]["plays"]
    last = view.END_TOKENS // SHIPPED["bin"]
    inside = table["none"]["mean"][0]
    assert np.mean(curves["yarn-2"]["mean"][-last:]) < 1.1 * inside
    assert table["dynamic_yarn"]["mean"][0] == pytest.approx(inside, abs=1e-4)


@pytest.mark.skipif("code" not in SHIPPED["curves"], reason="the shipped results have no second text yet")
def test_the_second_text_draws_its_own_curves_and_sentence():
    at = open_page("pages/learn/yarn.py")
    spec = chart_by_title(at, "on Python source")
    curves = SHIPPED["curves"]["code"]
    for key in view.SHOWN:
        if key in curves:
            line = trace(spec, SHIPPED["labels"][key])
            np.testing.assert_allclose(np.asarray(line["y"], dtype=float), curves[key]["mean"])
    text = " ".join(block.value for block in at.markdown)
    inside = SHIPPED["table"]["code"]["none"]["mean"][0]
    last = view.END_TOKENS // SHIPPED["bin"]
    assert f"plain RoPE scores {inside:.2f} bits/token inside L" in text
    assert f"reaches {np.mean(curves['none']['mean'][-last:]):.2f} just before" in text
    assert SHIPPED["texts"]["code"] in " ".join(block.value for block in at.caption)
