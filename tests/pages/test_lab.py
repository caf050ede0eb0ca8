"""The lab page: its first view comes from the shipped results and checkpoints and shows exactly
their numbers; a changed control evaluates the shipped model live; the fine-tune button trains a
private copy and adds a curve; divergence and damaged checkpoints end in a message; every control
clamps garbage from the URL with a note.

Shipped numbers are checked against assets/lab/results.json read here with json and NumPy, not
through the page's own helpers."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from tests.support.apptest_helpers import (
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    charts,
    open_page,
    run_with_params,
    trace,
)
from yarn_core.app import params

LAB = "pages/lab/lab.py"
RESULTS = json.loads((ROOT / "assets" / "lab" / "results.json").read_text())
SETTINGS = RESULTS["settings"]
L = SETTINGS["train_length"]
COLUMNS = [f"{T} ({T // L}x)" for T in SETTINGS["lengths"]]
SEED0 = SETTINGS["seeds"].index(0)


@pytest.fixture(scope="module")
def first_view() -> AppTest:
    at = open_page(LAB)
    assert_clean(at)
    return at


# The page's tables in order (AppTest does not expose a dataframe's key): first the real model's
# (bits per token on the plays, then on code and passkey once the build has run them), then the
# synthetic tasks'.
SMOLLM = json.loads((ROOT / "assets" / "lab" / "smollm.json").read_text())
REAL_MODEL_TABLES = (
    "lab_smollm_bits",
    *(("lab_smollm_code",) if "code" in SMOLLM["table"] else ()),
    *(("lab_smollm_passkey",) if SMOLLM["passkey"] else ()),
)
TABLES = (
    *REAL_MODEL_TABLES,
    "lab_table_passkey",
    "lab_table_copy",
    "lab_seeds_passkey",
    "lab_seeds_copy",
    "lab_table_finetuned",
)


def table(at: AppTest, key: str):
    assert len(at.dataframe) == len(TABLES)
    return at.dataframe[TABLES.index(key)].value


def heatmap_z(spec: dict) -> np.ndarray:
    return np.asarray(next(t for t in spec["data"] if t["type"] == "heatmap")["z"], dtype=float)


def metric_key(task: str) -> str:
    return "by_length" if task == "passkey" else "nll_by_length"


def test_first_view_renders_from_the_shipped_assets(first_view):
    at = first_view
    assert not at.error, [e.value for e in at.error]
    assert_finite_charts(at)
    info = next(i.value for i in at.info if "not the sidebar settings" in i.value)
    from yarn_core.lab import load_shipped

    config = load_shipped("passkey").config
    assert f"head dim **{config.head_dim}**" in info and f"L = {L}**" in info, info
    assert "not the sidebar settings" in info
    assert any("exactly as the shipped *YaRN (beta 8)* does" in c.value for c in at.caption), (
        "no live evaluation at first view"
    )
    import torch

    assert torch.get_num_threads() == 1, "live work runs on one thread"


def test_zero_shot_tables_equal_the_shipped_results(first_view):
    for task in ("passkey", "copy"):
        shown = table(first_view, f"lab_table_{task}")
        variants = RESULTS["zero_shot"][task]
        assert list(shown["method"]) == [RESULTS["variants"][v]["label"] for v in variants]
        for row, variant in enumerate(variants):
            per_seed = np.array([s[metric_key(task)] for s in variants[variant]["sweeps"]])
            np.testing.assert_allclose(
                shown.loc[row, COLUMNS].to_numpy(float), per_seed.mean(axis=0), rtol=0, atol=1e-12
            )
            low, high = per_seed.min(axis=0), per_seed.max(axis=0)
            assert shown.loc[row, "range over seeds (2x / 4x / 8x)"] == " / ".join(
                f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(low[1:], high[1:], strict=True)
            )
        seeds = table(first_view, f"lab_seeds_{task}")
        assert len(seeds) == len(variants) * len(SETTINGS["seeds"]) and set(seeds["seed"]) == set(
            SETTINGS["seeds"]
        )
        for variant, entry in variants.items():
            rows = seeds[seeds["method"] == RESULTS["variants"][variant]["label"]]
            for seed, sweep in zip(entry["seeds"], entry["sweeps"], strict=True):
                np.testing.assert_array_equal(
                    rows[rows["seed"] == seed][COLUMNS].to_numpy(float)[0], sweep[metric_key(task)]
                )


def test_failure_heatmap_is_plain_rope_averaged_over_seeds(first_view):
    z = heatmap_z(chart_by_title(first_view, "Passkey accuracy, plain RoPE"))
    grids = np.array([s["accuracy"] for s in RESULTS["zero_shot"]["passkey"]["none"]["sweeps"]])
    np.testing.assert_allclose(z, grids.mean(axis=0), rtol=0, atol=1e-12)
    assert z[0].min() > 0.9 and z[-1].max() < 0.5, "near perfect at L, lost at 8x: what the text says"


def test_default_setting_shows_the_shipped_seed0_yarn_sweep(first_view):
    z = heatmap_z(chart_by_title(first_view, "Passkey accuracy, YaRN (shipped, seed 0)"))
    np.testing.assert_array_equal(z, RESULTS["zero_shot"]["passkey"]["yarn"]["sweeps"][SEED0]["accuracy"])
    profile = chart_by_title(first_view, "Copy loss by position, YaRN (shipped, seed 0)")
    shipped = RESULTS["zero_shot"]["copy"]["yarn"]["sweeps"][SEED0]
    for i, T in enumerate(SETTINGS["lengths"]):
        y = trace(profile, f"T = {T} ")["y"]
        expected = np.array([v for v in shipped["nll_by_position"][i] if v is not None])
        np.testing.assert_allclose(y, expected, rtol=0, atol=1e-12)


def test_gamma_chart_keeps_exactly_the_pairs_turning_more_than_beta(first_view):
    """Paper ramp: gamma_i = clip((r_i - alpha) / (beta - alpha), 0, 1) with r_i = L / lambda_i."""
    at = open_page(LAB, {"lab_ramp": "paper", "lab_beta": "4", "lab_method": "ntk_by_parts"})
    assert_clean(at)
    spec = chart_by_title(at, "Which pairs NTK-by-parts keeps")
    config = __import__("yarn_core.lab", fromlist=["load_shipped"]).load_shipped("passkey").config
    i = np.arange(config.head_dim // 2)
    turns = L / (2 * math.pi * config.rope_base ** (2 * i / config.head_dim))
    np.testing.assert_allclose(spec["data"][0]["y"], np.clip((turns - 1.0) / (4.0 - 1.0), 0, 1), atol=1e-12)
    assert f"keeps **{int((turns >= 4).sum())}** of the {len(i)} pairs" in "".join(
        m.value for m in at.markdown
    )


def test_the_trap_chart_never_reaches_gamma_one_with_beta_32(first_view):
    spec = chart_by_title(first_view, "The trap")
    trap = np.asarray(trace(spec, "beta 32")["y"])
    assert trap.max() == pytest.approx((L / (2 * math.pi) - 1) / (32 - 1)), (
        "the fastest pair turns L / (2 pi) times"
    )
    assert trace(spec, "paper ramp, beta 8")["y"].max() == 1.0


def test_recovery_chart_shows_the_mean_and_spread_of_every_seed(first_view):
    spec = chart_by_title(first_view, "Recovery at")
    for variant, entry in RESULTS["finetune"]["passkey"].items():
        label = RESULTS["variants"][variant]["label"]
        curves = np.array(entry["curves"])
        line = next(t for t in spec["data"] if t.get("name") == label)
        np.testing.assert_allclose(line["y"], curves.mean(axis=0), atol=1e-12)
        seeds = [t for t in spec["data"] if t.get("name") == f"{label} (one seed)"]
        assert len(seeds) == len(curves), "every seed drawn as its own thin line, no translucent band"
        for seed_line, curve in zip(seeds, curves, strict=True):
            np.testing.assert_allclose(seed_line["y"], curve, atol=1e-12)
    assert not any(t.get("fill") for t in spec["data"])
    after = table(first_view, "lab_table_finetuned")
    for row, entry in enumerate(RESULTS["finetune"]["passkey"].values()):
        finals = np.array([s["by_length"] for s in entry["final"]])
        np.testing.assert_allclose(after.loc[row, COLUMNS].to_numpy(float), finals.mean(axis=0), atol=1e-12)


def test_a_changed_control_evaluates_live_with_finite_values():
    at = open_page(LAB, {"lab_beta": "5"})
    assert_clean(at)
    assert_finite_charts(at)
    assert any("Evaluated live on the shipped seed-0 model" in c.value for c in at.caption)
    z = heatmap_z(chart_by_title(at, "Passkey accuracy, YaRN (live, seed 0)"))
    samples = __import__("yarn_core.lab", fromlist=["PAGE_SAMPLES"]).PAGE_SAMPLES["passkey"]
    assert z.shape == (len(SETTINGS["lengths"]), len(SETTINGS["depths"])) and np.all((z >= 0) & (z <= 1))
    np.testing.assert_allclose(
        z * samples, np.round(z * samples), atol=1e-9, err_msg="each cell counts whole keys"
    )


@pytest.mark.parametrize(
    "query, variant",
    [
        ({"lab_method": "dynamic_ntk"}, "ntk"),  # at s = T / L a dynamic method is its static one
        ({"lab_method": "dynamic_ntk", "lab_scale": "fixed"}, "ntk"),  # a dynamic method ignores a fixed s
        ({"lab_temp": "0"}, "ntk_by_parts"),  # YaRN without its temperature
        ({"lab_beta": "16"}, "yarn"),  # the code ramp clamps beta = 8 and 16 to the same pairs at L = 64
    ],
)
def test_a_setting_that_rotates_like_a_shipped_variant_shows_its_shipped_numbers(query, variant):
    at = open_page(LAB, query)
    assert_clean(at)
    label = RESULTS["variants"][variant]["label"]
    assert any(f"exactly as the shipped *{label}* does" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]
    spec = next(
        c
        for c in charts(at)
        if c["layout"]["title"]["text"].startswith("Passkey accuracy")
        and c["layout"]["title"]["text"].endswith("(shipped, seed 0)")
    )
    np.testing.assert_array_equal(
        heatmap_z(spec), RESULTS["zero_shot"]["passkey"][variant]["sweeps"][SEED0]["accuracy"]
    )


def test_the_temperature_control_scales_yarns_attention_factor():
    """sqrt(1/t) = 0.1 m ln s + 1 multiplies cos and sin; m = 1 is YaRN's own."""
    from yarn_core.app.lab_jobs import ScalingChoice
    from yarn_core.lab import Scaling, load_shipped

    config = load_shipped("passkey").config
    for m in (0.0, 1.0, 2.5):
        for method in ("yarn", "dynamic_yarn"):
            choice = ScalingChoice(method, alpha=1.0, beta=8.0, ramp="code", mscale=m, mode="fixed")
            rope = choice.scaling(SETTINGS["finetune_factor"]).rope(config, 4 * L)
            assert rope.attention_factor == pytest.approx(0.1 * m * math.log(4) + 1)
            np.testing.assert_array_equal(
                rope.inv_freq, Scaling(method, 4.0, beta_fast=8.0).rope(config, 4 * L).inv_freq
            )


def plain_numbers(value) -> bool:
    """Small values only: (frozen dataclasses of) dicts, lists and tuples of str, int, float, None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain_numbers(dataclasses.asdict(value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_numbers(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return all(plain_numbers(v) for v in value)
    return value is None or isinstance(value, (str, int, float))


def test_fine_tune_button_trains_a_private_copy_and_adds_a_curve():
    from yarn_core.lab import load_shipped
    from yarn_core.lab.checkpoint import weights_digest

    shipped = load_shipped("passkey")
    before = weights_digest(shipped.model.state_dict())
    at = open_page(LAB, {"lab_ft_steps": "10"})
    at.button(key="lab_ft_go").click().run()
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    runs = at.session_state["_lab_runs"]
    assert len(runs) == 1 and plain_numbers(runs), "session state holds small lists of numbers only"
    spec = chart_by_title(at, "Recovery at")
    mine = trace(spec, "your run")
    assert list(mine["x"]) == [0, 10] and np.all(np.isfinite(mine["y"]))
    assert mine["y"][0] == pytest.approx(RESULTS["finetune"]["passkey"]["yarn"]["curves"][SEED0][0]), (
        "step 0 is the shipped base model on the shipped curve's sequences"
    )
    assert weights_digest(shipped.model.state_dict()) == before, "the shared shipped model is never trained"


def test_a_diverging_fine_tune_stops_with_a_message():
    at = open_page(LAB, {"lab_ft_steps": "10", "lab_ft_lr": "1"})
    at.button(key="lab_ft_go").click().run()
    assert_clean(at)
    assert any("diverged" in e.value for e in at.error), [e.value for e in at.error]
    assert "_lab_runs" not in at.session_state or not at.session_state["_lab_runs"]


def test_train_from_scratch_shows_its_loss_and_zero_shot_numbers():
    at = open_page(LAB, {"lab_ft_task": "copy", "lab_pt_steps": "50", "lab_seed": "3"})
    at.button(key="lab_pt_go").click().run()
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    scratch = at.session_state["_lab_scratch"]
    assert plain_numbers(scratch) and scratch.steps == 50 and scratch.seed == 3
    spec = chart_by_title(at, "Pre-training the copy model from scratch")
    mine = trace(spec, "your run (seed 3)")
    assert list(mine["x"]) == [10, 20, 30, 40, 50] and np.all(np.isfinite(mine["y"]))
    assert len([t for t in spec["data"] if str(t["name"]).startswith("shipped seed")]) == len(
        SETTINGS["seeds"]
    )
    rows = at.dataframe[-1].value
    assert rows.shape[0] == 2 and np.all(np.isfinite(rows[COLUMNS].to_numpy(float)))


def test_raising_the_scale_past_the_fine_tune_length_is_live_and_leaves_plain_rope_alone():
    at = open_page(LAB, {"lab_ft_task": "copy", "lab_rescale": "true"})
    assert_clean(at)
    text = next(m.value for m in at.markdown if "s = 4 -> s = 8" in m.value)
    longest = SETTINGS["lengths"].index(SETTINGS["lengths"][-1])
    for variant, entry in RESULTS["finetune"]["copy"].items():
        shipped = entry["final"][SEED0]["nll_by_length"][longest]
        assert f"**{RESULTS['variants'][variant]['label']}** {shipped:.2f} -> " in text, text
    plain = RESULTS["finetune"]["copy"]["none"]["final"][SEED0]["nll_by_length"][longest]
    assert f"**Plain RoPE** {plain:.2f} -> **{plain:.2f}**" in text, "plain RoPE has no scale to raise"


def lab_params() -> dict[str, params.Param]:
    """Every URL-bound control the page draws (recorded from one run at the defaults)."""
    at, params = run_with_params(LAB)
    assert_clean(at)
    return {key: param for key, param in params.items() if key.startswith("lab_")}


def test_every_lab_control_clamps_a_garbage_url_value_with_a_note():
    params = lab_params()
    assert len(params) >= 15, sorted(params)
    for key, param in params.items():
        at = open_page(LAB, {key: "abc"})
        assert_clean(at)
        notes = "\n".join(w.value for w in at.warning)
        assert f"{param.label}:" in notes, f"{key}: no clamping note in {notes!r}"
        assert at.session_state[key] == param.default


@pytest.mark.parametrize("end", ["minimum", "maximum"])
def test_every_lab_slider_at_either_end(end):
    sliders = {key: p for key, p in lab_params().items() if p.kind in ("int", "float")}
    at = open_page(LAB, {key: str(getattr(p, end)) for key, p in sliders.items()})
    assert_clean(at)
    assert not at.warning, [w.value for w in at.warning]
    assert not at.error, [e.value for e in at.error]
    assert_finite_charts(at)


def test_the_shared_settings_do_not_change_the_lab(first_view):
    at = open_page(LAB, {"d": "512", "base": "1e7", "L": "1048576", "s": "128"})
    assert_clean(at)
    assert [i.value for i in at.info] == [i.value for i in first_view.info]
    np.testing.assert_array_equal(
        heatmap_z(chart_by_title(at, "Passkey accuracy, plain RoPE")),
        heatmap_z(chart_by_title(first_view, "Passkey accuracy, plain RoPE")),
    )


def swapped(monkeypatch, path: Path) -> None:
    """Make the lab read ``path`` as the shipped passkey base model."""
    import streamlit as st

    from yarn_core.lab import assets

    shipped_name = assets.checkpoint_name
    monkeypatch.setattr(
        assets,
        "checkpoint_name",
        lambda task, variant="base": str(path)
        if (task, variant) == ("passkey", "base")
        else shipped_name(task, variant),
    )
    assets.load_shipped.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def restore_caches():
    yield
    import streamlit as st

    from yarn_core.lab import assets

    assets.load_shipped.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def test_a_mismatched_checkpoint_is_named_in_a_message(monkeypatch, restore_caches):
    """The copy model where the passkey model should be: refused with a sentence, the rest of the
    page (from the results and the copy model) still drawn."""
    from yarn_core.lab import assets

    swapped(monkeypatch, assets.ASSET_DIR / assets.checkpoint_name("copy"))
    at = open_page(LAB)
    assert_clean(at)
    message = "\n".join(e.value for e in at.error)
    assert "trained on the copy task, but a passkey model was expected" in message, message
    assert_finite_charts(at)
    assert chart_by_title(at, "Passkey accuracy, plain RoPE")


def test_a_checkpoint_with_wrong_shapes_is_named_in_a_message(monkeypatch, restore_caches, tmp_path):
    import struct

    from yarn_core.lab import assets

    data = (assets.ASSET_DIR / assets.checkpoint_name("passkey")).read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    model = json.loads(header["__metadata__"]["model"])
    header["__metadata__"]["model"] = json.dumps({**model, "n_embd": 2 * model["n_embd"]})
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    bad = tmp_path / "passkey-base.safetensors"
    bad.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + size :])
    swapped(monkeypatch, bad)
    at = open_page(LAB)
    assert_clean(at)
    message = "\n".join(e.value for e in at.error)
    assert "passkey-base.safetensors" in message and "has shape" in message, message


def test_a_full_live_pool_makes_a_long_wait_a_message(monkeypatch):
    """On a one-slot pool (a 2-core machine's size, whatever this machine has) a second job waits;
    a queue that does not move for LIVE_WAIT_S becomes a message."""
    from yarn_core.app import lab_jobs, lab_queue
    from yarn_core.lab import LabError

    monkeypatch.setattr(lab_jobs, "LIVE_WAIT_S", 0.2)
    monkeypatch.setattr(lab_jobs, "LIVE_POOL", lab_queue.JobPool(1, stall_s=0.2))
    with lab_jobs.live_slot(), pytest.raises(LabError, match="busy"), lab_jobs.live_slot():
        pass
    with lab_jobs.live_slot():
        pass  # released after use


def test_a_busy_lab_says_so_on_the_page_instead_of_stalling(monkeypatch):
    """While another reader's job holds the live slot, a live evaluation waits LIVE_WAIT_S, then the
    page says the lab is busy; the shipped parts of the page are drawn as usual."""
    import streamlit as st

    from yarn_core.app import lab_jobs, lab_queue

    monkeypatch.setattr(lab_jobs, "LIVE_WAIT_S", 0.2)
    monkeypatch.setattr(lab_jobs, "LIVE_POOL", lab_queue.JobPool(1, stall_s=0.2))
    st.cache_data.clear()  # no earlier run's sweep of this setting
    with lab_jobs.live_slot():
        at = open_page(LAB, {"lab_beta": "5", "lab_alpha": "0.5"})
    assert_clean(at)
    message = "\n".join(e.value for e in at.error)
    assert "This setting could not be evaluated: The lab is busy" in message, message
    assert chart_by_title(at, "Passkey accuracy, plain RoPE") and chart_by_title(at, "Recovery at")


# ----------------------------------------------------------------------------------------------
# The lead demo: the Shakespeare model (assets/lab/shakespeare.json, read here with json)

LANGUAGE = json.loads((ROOT / "assets" / "lab" / "shakespeare.json").read_text())


def test_the_lab_leads_with_the_language_demo_in_order(first_view):
    titles = [spec["layout"]["title"]["text"] for spec in charts(first_view)]
    first_synthetic = next(i for i, t in enumerate(titles) if "Passkey accuracy, plain RoPE" in t)
    demo = [i for i, t in enumerate(titles) if "bits/char" in t or "Paper:" in t]
    assert demo and max(demo[:5]) < first_synthetic, titles
    assert (
        "Plain RoPE past L = 128" in titles[0]
        and "Zero-shot" in titles[1]
        and "Fine-tuned at 4L" in titles[3]
    )
    intro = first_view.info[0].value
    assert "Macbeth" in intro and "Twelfth Night" in intro and "The Tempest" in intro


def test_the_break_chart_is_the_shipped_mean_with_every_seed_drawn(first_view):
    spec = chart_by_title(first_view, "Plain RoPE past L")
    shipped = np.asarray(LANGUAGE["zero_shot"]["none"]["by_position"], dtype=float)
    mean = next(t for t in spec["data"] if t.get("name") == "Plain RoPE")
    np.testing.assert_allclose(mean["y"], shipped.mean(axis=0), rtol=1e-12)
    seeds = [t for t in spec["data"] if "(one seed)" in str(t.get("name"))]
    assert len(seeds) == len(LANGUAGE["settings"]["seeds"])
    assert any(shape.get("type") == "rect" and shape["x1"] == 128 for shape in spec["layout"]["shapes"])


def test_the_zero_shot_chart_has_a_range_bar_per_method_and_seed_spread(first_view):
    spec = chart_by_title(first_view, "Zero-shot bits/char")
    yarn = trace(spec, "YaRN")
    values = np.asarray(LANGUAGE["zero_shot"]["yarn"]["by_length"], dtype=float)
    np.testing.assert_allclose(yarn["y"], values.mean(axis=0))
    np.testing.assert_allclose(
        trace_array_or_list(yarn["error_y"]["array"]), values.max(axis=0) - values.mean(axis=0), atol=1e-12
    )


def trace_array_or_list(value):
    from yarn_core.app.figures import trace_array

    return trace_array(value) if isinstance(value, dict) else np.asarray(value, dtype=float)


def test_recovery_text_reads_per_seed_and_matches_the_shipped_steps(first_view):
    text = " ".join(m.value for m in first_view.markdown)
    for key, entry in LANGUAGE["finetune"].items():
        for seed, step in zip(LANGUAGE["settings"]["seeds"], entry["steps_to_within"], strict=True):
            expected = f"seed {seed}: " + (
                f"not within {LANGUAGE['settings']['finetune_schedule']['steps']}"
                if step is None
                else str(step)
            )
            assert expected in text, (key, expected)


def test_the_shipped_samples_sit_side_by_side(first_view):
    texts = [t.value.strip() for t in first_view.text]
    for kind in ("zero_shot", "finetuned"):
        for sample in LANGUAGE["samples"][kind].values():
            assert sample.strip() in texts


def test_live_language_evaluation_is_quick_and_finite(first_view):
    metric = next(m for m in first_view.metric if "bits/char at T = 512" in m.label)
    value = float(metric.value)
    assert math.isfinite(value) and 1.0 < value < 6.0
    caption = next(c.value for c in first_view.caption if "shipped held-out windows" in c.value)
    seconds = float(caption.split("windows, ")[1].split(" s;")[0])
    assert seconds < 5.0, caption


def test_real_model_figure_draws_the_shipped_zero_shot_numbers_without_torch():
    import subprocess
    import sys

    probe = (
        "import sys; from yarn_core.app.views.lab import real_model_figure; "
        "real_model_figure(('linear', 'yarn')); print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "False", result.stderr

    from yarn_core.app.views.lab import real_model_figure

    fig = real_model_figure(("ntk", "yarn"))
    names = [t.name for t in fig.data]
    assert names == ["Plain RoPE", "NTK-aware", "YaRN"]
    for t, key in zip(fig.data, ("none", "ntk", "yarn"), strict=True):
        values = np.asarray(LANGUAGE["zero_shot"][key]["by_length"], dtype=float)
        np.testing.assert_allclose(t.y, values.mean(axis=0))
        np.testing.assert_allclose(t.error_y.array, values.max(axis=0) - values.mean(axis=0))
    assert [shape.x1 for shape in fig.layout.shapes] == [LANGUAGE["settings"]["train_length"]]


def _tempest_bits(scaling, windows: int, length: int = 512) -> float:
    """The base model's mean bits/char over evenly spaced windows of The Tempest, computed here."""
    import torch
    from torch.nn import functional as F

    from yarn_core.lab.checkpoint import load_checkpoint
    from yarn_core.lab.shakespeare import encode

    text = (ROOT / "assets" / "shakespeare" / "held-out.txt").read_text()
    ids = encode(text[text.index("Master:\nBoatswain!") :])
    starts = np.round(np.linspace(0, len(ids) - length - 1, windows)).astype(int)
    block = torch.from_numpy(ids[starts[:, None] + np.arange(length + 1)].astype(np.int64))
    model = load_checkpoint(ROOT / "assets" / "lab" / "shakespeare-base.safetensors").model
    with torch.no_grad():
        logits, _ = model(block[:, :-1], scaling)
        return float(F.cross_entropy(logits.transpose(1, 2), block[:, 1:]).double()) / math.log(2)


def test_the_live_language_fine_tune_draws_each_method_it_ran():
    from yarn_core.lab.model import Scaling

    at = open_page(LAB, {"lab_lm_tune_steps": "5", "lab_lm_tune_method": "linear"})
    assert_clean(at)
    assert not any("Your runs" in spec["layout"]["title"]["text"] for spec in charts(at))
    at.button(key="lab_lm_tune_go").click().run()
    assert_clean(at)
    assert not at.error, [e.value for e in at.error]
    spec = chart_by_title(at, "Your runs, scored on The Tempest")
    pi = trace(spec, "PI")
    assert list(pi["x"]) == [0, 5] and np.all(np.isfinite(pi["y"]))
    windows = at.session_state["_lab_lm_tunes"]["linear"].windows
    assert pi["y"][0] == pytest.approx(_tempest_bits(Scaling("linear", factor=4.0), windows), abs=1e-5), (
        "step 0 is the shipped base model with PI at s = 4 on The Tempest"
    )
    assert pi["y"][1] < pi["y"][0], "five steps on Macbeth already lower PI's loss on The Tempest"
    text = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Macbeth" in text and "tuned on Macbeth, scored on The Tempest, which it never saw" in text
    assert "all three held-out plays" in text, "the caption says why step 0 differs from the shipped curves"

    at.radio(key="lab_lm_tune_method").set_value("yarn").run()
    at.button(key="lab_lm_tune_go").click().run()
    assert_clean(at)
    spec = chart_by_title(at, "Your runs, scored on")
    assert {t["name"] for t in spec["data"]} >= {"PI (linear)", "YaRN"}
    assert plain_numbers(list(at.session_state["_lab_lm_tunes"].values()))
    assert any("Of your runs at 5 steps" in s.value for s in at.success)
    assert_finite_charts(at)


def test_absurd_live_fine_tune_steps_in_the_url_are_clamped_with_a_note():
    from yarn_core.app import lab_sections
    from yarn_core.lab import language

    assert lab_sections.LM_TUNE_STEPS.maximum == language.LIVE_MAX_STEPS == 60
    at = open_page(LAB, {"lab_lm_tune_steps": "100000"})
    assert_clean(at)
    assert at.session_state["lab_lm_tune_steps"] == 60
    assert any("Fine-tune steps:" in w.value for w in at.warning), [w.value for w in at.warning]
