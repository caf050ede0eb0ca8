"""Checks shared by the page tests of lessons 1-3: the robustness checks every lesson passes (clean and
finite at defaults, at the shared settings' extremes, with its controls at both ends, and with garbage
URL values clamped with a note), and an independent NumPy RoPE (the RoPE paper's frequencies, seeded
query and key, scores from complex pairs) to check the charts against."""

from __future__ import annotations

import numpy as np

from tests.support.apptest_helpers import (
    _decode,
    assert_clean,
    assert_finite_charts,
    charts,
    shared_page,
)

# Every shared setting at both ends, in four combinations.
SHARED_EXTREMES = (
    {"d": "8", "base": "100", "L": "16", "s": "1"},
    {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    {"d": "8", "base": "10000000", "L": "1048576", "s": "1"},
    {"d": "512", "base": "100", "L": "16", "s": "128"},
)


def query_id(query: dict) -> str:
    return "-".join(f"{k}{v}" for k, v in query.items())


def page_text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def theta(d: int, base: float) -> np.ndarray:
    return base ** (-np.arange(0, d, 2) / d)


def seeded_qk(d: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(d), rng.standard_normal(d)


def score(q: np.ndarray, k: np.ndarray, distance, freqs: np.ndarray) -> np.ndarray:
    """Re(sum_i q~_i conj(k~_i) e^{i Delta theta_i}) with half-split complex pairs
    q~_i = q_i + i q_{i+d/2}."""
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


def check_defaults_are_clean_and_finite(page: str) -> None:
    at = shared_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    assert len(charts(at)) >= 2
    assert at.success, "takeaway missing"
    assert any("Predict, then reveal" in m.value for m in at.markdown)


def check_shared_extremes(page: str, query: dict) -> None:
    at = shared_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)
    assert not at.warning


def check_controls_at(page: str, query: dict) -> None:
    """The page's controls set to ``query`` in the URL: clean, finite, no note, every value kept."""
    at = shared_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)
    assert not at.warning
    for key, raw in query.items():
        assert str(at.session_state[key]).lower() == raw.lower(), (key, at.session_state[key], raw)


def check_controls_with_extreme_settings(page: str, query: dict) -> None:
    at = shared_page(page, {**SHARED_EXTREMES[1], **query})
    assert_clean(at)
    assert_finite_charts(at)


def check_garbage_is_clamped_with_a_note(page: str, garbage: dict[str, tuple[str, str]]) -> None:
    """``garbage`` maps a URL key to (raw value, a fragment of its control's label in the note)."""
    at = shared_page(page, {key: raw for key, (raw, _) in garbage.items()})
    assert_clean(at)
    assert_finite_charts(at)
    note = "\n".join(w.value for w in at.warning)
    for _, label in garbage.values():
        assert label in note, (label, note)
