"""AppTest checks for lessons 1-3: clean at defaults and extremes, finite charts, garbage URL values
clamped with a note, and charts that show what the text claims (checked against independent NumPy)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import (
    _decode,
    assert_clean,
    assert_finite_charts,
    chart_by_title,
    charts,
    open_page,
    trace,
)

POSITIONS = "pages/learn/positions.py"
ROPE = "pages/learn/rope.py"
EXTRAPOLATION = "pages/learn/extrapolation.py"
PAGES = (POSITIONS, ROPE, EXTRAPOLATION)

SHARED_EXTREMES = (
    {"d": "8", "base": "100", "L": "16", "s": "1"},
    {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    {"d": "8", "base": "10000000", "L": "1048576", "s": "1"},
    {"d": "512", "base": "100", "L": "16", "s": "128"},
)
PAGE_LOW = {
    POSITIONS: {"pos_t5_max": "32", "pos_alibi_head": "1"},
    ROPE: {
        "rope_seed": "0",
        "rope_pair": "0",
        "rope_span": "first 64 tokens",
        "rope_m": "0",
        "rope_n": "0",
        "rope_k": "0",
    },
    EXTRAPOLATION: {"ext_seed": "0", "ext_pi": "false"},
}
PAGE_HIGH = {
    POSITIONS: {"pos_t5_max": "4096", "pos_alibi_head": "8"},
    ROPE: {
        "rope_seed": "99",
        "rope_pair": "63",
        "rope_span": "0 to L'",
        "rope_m": "4096",
        "rope_n": "4096",
        "rope_k": "65536",
    },
    EXTRAPOLATION: {"ext_seed": "99", "ext_pi": "true"},
}
GARBAGE = {
    POSITIONS: {"pos_t5_max": ("abc", "T5 max_distance"), "pos_alibi_head": ("99", "ALiBi head")},
    ROPE: {
        "rope_seed": ("nan", "seed"),
        "rope_pair": ("-5", "Pair index"),
        "rope_span": ("everything", "Animate over"),
        "rope_m": ("1e9", "Query position"),
        "rope_n": ("x", "Key position"),
        "rope_k": ("-1", "Shift both"),
    },
    EXTRAPOLATION: {"ext_seed": ("seven", "seed"), "ext_pi": ("maybe", "Show Position Interpolation")},
}


def page_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def theta(d: int, base: float) -> np.ndarray:
    return base ** (-np.arange(0, d, 2) / d)


def seeded_qk(d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(d), rng.standard_normal(d)


def score(q: np.ndarray, k: np.ndarray, distance, freqs: np.ndarray) -> np.ndarray:
    """Re(sum_i q~_i conj(k~_i) e^{i Delta theta_i}) with half-split complex pairs q~_i = q_i + i q_{i+d/2}."""
    half = len(freqs)
    qc, kc = q[:half] + 1j * q[half:], k[:half] + 1j * k[half:]
    phases = np.exp(1j * np.multiply.outer(np.asarray(distance, dtype=float), freqs))
    return np.real(phases @ (qc * np.conj(kc)))


def frame_arrays(frame: dict) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, y) of each trace of an animation frame (charts() decodes only the figure's own traces)."""
    return [
        (np.asarray(_decode(t["x"]), dtype=float), np.asarray(_decode(t["y"]), dtype=float))
        for t in frame["data"]
    ]


# ------------------------------------------------------------------------------------------------
# Robustness


@pytest.mark.parametrize("page", PAGES)
def test_defaults_are_clean_and_finite(page):
    at = open_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    assert len(charts(at)) >= 2
    assert at.success, "takeaway missing"
    assert any("Predict, then reveal" in m.value for m in at.markdown)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("query", SHARED_EXTREMES, ids=lambda q: "-".join(f"{k}{v}" for k, v in q.items()))
def test_shared_extremes(page, query):
    at = open_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)
    assert not at.warning


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("ends", [PAGE_LOW, PAGE_HIGH], ids=["low", "high"])
def test_page_controls_at_both_ends(page, ends):
    at = open_page(page, ends[page])
    assert_clean(at)
    assert_finite_charts(at)
    assert not at.warning
    for key, raw in ends[page].items():
        assert str(at.session_state[key]).lower() == raw.lower(), (key, at.session_state[key], raw)


@pytest.mark.parametrize("page", PAGES)
def test_page_controls_at_both_ends_with_extreme_settings(page):
    at = open_page(page, {**SHARED_EXTREMES[1], **PAGE_HIGH[page]})
    assert_clean(at)
    assert_finite_charts(at)


@pytest.mark.parametrize("page", PAGES)
def test_garbage_url_values_are_clamped_with_a_note(page):
    at = open_page(page, {key: raw for key, (raw, _) in GARBAGE[page].items()})
    assert_clean(at)
    assert_finite_charts(at)
    note = "\n".join(w.value for w in at.warning)
    for _, label in GARBAGE[page].values():
        assert label in note, (label, note)


def test_rope_pair_clamps_when_head_dim_shrinks():
    at = open_page(ROPE)
    at.slider(key="d").set_value(8).run()
    assert_clean(at)
    assert at.slider(key="rope_pair").value == 3
    assert "Query pair 3 " in chart_by_title(at, "Query pair")["layout"]["title"]["text"]


# ------------------------------------------------------------------------------------------------
# Lesson 1: the charts show what the text says


def test_learned_table_stops_at_L_and_formulas_run_on():
    at = open_page(POSITIONS, {"L": "64", "s": "4"})
    spec = chart_by_title(at, "Absolute positions")
    for name in ("coordinate 0", "coordinate 1"):
        x = trace(spec, name)["x"]
        assert x.min() == 0 and x.max() == 63 and len(x) == 64
    slow = trace(spec, "slowest pair")
    assert slow["x"].max() >= 4 * 64 - 1
    lam = 2 * np.pi / theta(128, 1e4)[-1]
    assert np.allclose(slow["y"], np.sin(slow["x"] * 2 * np.pi / lam))
    grey = [shape for shape in spec["layout"]["shapes"] if shape.get("x0") == 64]
    assert grey and grey[0]["x1"] >= 4 * 64
    assert "exactly **64 rows**" in page_text(at)


def test_t5_saturates_and_alibi_is_linear_in_distance():
    at = open_page(POSITIONS, {"pos_t5_max": "64", "pos_alibi_head": "3"})
    spec = chart_by_title(at, "Relative biases")
    t5 = trace(spec, "T5")
    far = t5["y"][t5["x"] >= 64]
    assert len(far) > 100 and np.ptp(far) == 0.0
    assert len(np.unique(t5["y"][t5["x"] < 16])) == 16  # one exact bucket per short distance
    alibi = trace(spec, "ALiBi")
    assert np.allclose(alibi["y"], -(2.0**-3) * alibi["x"])


def test_rope_scores_and_slow_pair_count():
    at = open_page(POSITIONS)
    rope = trace(chart_by_title(at, "Rotations"), "RoPE")
    freqs = theta(128, 1e4)
    assert np.allclose(rope["y"], 2 * np.cos(np.multiply.outer(rope["x"], freqs)).sum(axis=1))
    slow = int((2 * np.pi / freqs >= 512).sum())
    assert f"**{slow} of its 64 pairs**" in page_text(at)


# ------------------------------------------------------------------------------------------------
# Lesson 2


def test_animated_pair_turns_by_m_theta():
    at = open_page(ROPE, {"rope_pair": "40", "rope_seed": "7"})
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
    at = open_page(ROPE, {"rope_span": "first 64 tokens", "rope_pair": "0"})
    frames = chart_by_title(at, "Query pair")["frames"]
    assert [int(f["name"]) for f in frames] == list(range(64))


def test_spectrum_colours_pairs_by_full_turn_inside_L():
    for query in ({}, {"d": "64", "base": "500000", "L": "8192"}):
        at = open_page(ROPE, query)
        d, base, L = int(query.get("d", 128)), float(query.get("base", 1e4)), int(query.get("L", 512))
        lam = 2 * np.pi / theta(d, base)
        spec = chart_by_title(at, "Wavelength of every pair")
        full, never = trace(spec, "completes a full turn"), trace(spec, "never completes")
        assert set(full["x"].astype(int)) == set(np.flatnonzero(lam < L))
        assert set(never["x"].astype(int)) == set(np.flatnonzero(lam >= L))
        assert np.allclose(full["y"], lam[full["x"].astype(int)])


def test_relative_property_holds_live():
    m, n, k = 1234, 77, 5000
    at = open_page(ROPE, {"rope_m": str(m), "rope_n": str(n), "rope_k": str(k), "rope_seed": "3"})
    q, key = seeded_qk(128, 3)
    expected = score(q, key, m - n, theta(128, 1e4))
    both = trace(chart_by_title(at, "Shift query and key together"), "both moved")
    assert np.allclose(both["y"], expected, atol=1e-9)
    assert k in both["x"]
    values = [float(metric.value) for metric in at.metric]
    assert np.allclose(values, expected, atol=1e-6)


# ------------------------------------------------------------------------------------------------
# Lesson 3


def test_trained_band_and_escapes_match_an_independent_computation():
    at = open_page(EXTRAPOLATION, {"ext_seed": "55"})
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
    at = open_page(EXTRAPOLATION, {"s": "4", "ext_seed": "5"})
    pi = trace(chart_by_title(at, "Attention score against distance"), "PI")
    q, k = seeded_qk(128, 5)
    assert pi["x"].max() == 4 * 512 - 1
    assert np.allclose(pi["y"], score(q, k, pi["x"] / 4, theta(128, 1e4)))
    trained = score(q, k, np.arange(512), theta(128, 1e4))
    assert pi["y"].max() < trained.max() + 0.05 * np.ptp(trained)
    assert pi["y"].min() > trained.min() - 0.05 * np.ptp(trained)


def test_pi_curve_can_be_hidden():
    at = open_page(EXTRAPOLATION, {"ext_pi": "false"})
    names = [t["name"] for t in chart_by_title(at, "Attention score against distance")["data"]]
    assert not any("PI" in name for name in names)


@pytest.mark.parametrize("query", [{}, {"d": "64", "base": "1000000", "L": "4096", "s": "16"}, {"s": "1"}])
def test_unseen_pairs_are_the_slow_ones(query):
    at = open_page(EXTRAPOLATION, query)
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
    at = open_page(EXTRAPOLATION)
    text = page_text(at)
    assert bound["extrapolated_peak"] == 8000 and "8,000" in text
    assert f"{bound['interpolation_bound_tighter_by']}x tighter" in text
    assert any(bound["source"] in c.value for c in at.caption)


def test_fitted_score_is_bounded_inside_explodes_outside_and_pi_reads_it_stretched():
    """The PI paper's figure 2 experiment: the interpolated curve at Delta is the fitted one at
    Delta / s, and the extrapolated one leaves the fitted range by orders of magnitude."""
    at = open_page(EXTRAPOLATION)
    spec = chart_by_title(at, "fitted on the trained window")
    inside, beyond, pi = (
        trace(spec, "fitted inside"),
        trace(spec, "extrapolated past"),
        trace(spec, "interpolated (PI)"),
    )
    assert inside["x"].max() < 512 <= beyond["x"].min()
    assert inside["y"].max() < 2
    assert beyond["y"].max() > 1000 * inside["y"].max()
    fitted = dict(zip(inside["x"].astype(int), inside["y"]))
    even = [(x, y) for x, y in zip(pi["x"].astype(int), pi["y"]) if x % 2 == 0]
    assert len(even) > 100
    for x, y in even:
        assert y == pytest.approx(fitted[x // 2], rel=1e-6, abs=1e-9)


def test_the_text_says_how_typical_the_drawn_pair_is():
    """At the defaults (L = 512, L' = 1024) the survey covers every distance: recompute it."""
    at = open_page(EXTRAPOLATION)
    freqs = theta(128, 1e4)
    fractions = []
    for seed in range(20):
        q, k = seeded_qk(128, seed)
        trained = score(q, k, np.arange(512), freqs)
        beyond = score(q, k, np.arange(512, 1024), freqs)
        fractions.append(np.mean((beyond < trained.min()) | (beyond > trained.max())))
    assert f"**{np.mean(fractions):.1%}**" in page_text(at)
    assert f"at most {np.max(fractions):.1%}" in page_text(at)
