"""Checks shared by the page tests of lessons 5-8 (NTK-aware, NTK-by-parts, YaRN's temperature,
dynamic scaling): the shared settings at their extremes, a page that opens clean with finite
charts, a garbage URL value clamped with a note, and chart traces read back as arrays."""

from __future__ import annotations

import numpy as np

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, shared_page, trace

# Every shared setting at both ends, in four combinations.
SHARED_EXTREMES = (
    {"d": "8", "base": "100", "L": "16", "s": "1"},
    {"d": "512", "base": "10000000", "L": "1048576", "s": "128"},
    {"d": "512", "base": "100", "L": "16", "s": "128"},
    {"d": "8", "base": "10000000", "L": "1048576", "s": "1"},
)


def page_text(at) -> str:
    return "\n".join(str(m.value) for m in at.markdown)


def warnings_text(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def plain_inv_freq(dim: int, base: float) -> np.ndarray:
    return base ** (-np.arange(0, dim, 2) / dim)


def xy(spec: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = trace(spec, name)
    return np.asarray(t["x"], dtype=np.float64), np.asarray(t["y"], dtype=np.float64)


def assert_defaults_clean_and_finite(page: str) -> None:
    at = shared_page(page)
    assert_clean(at)
    assert_finite_charts(at)
    assert at.success, "every lesson ends with a takeaway"


def assert_opens_clean_and_finite(page: str, query: dict) -> None:
    at = shared_page(page, query)
    assert_clean(at)
    assert_finite_charts(at)


def assert_garbage_is_clamped_with_a_note(page: str, key: str, value: str) -> None:
    at = shared_page(page, {key: value})
    assert_clean(at)
    assert "adjusted" in warnings_text(at)
    assert_finite_charts(at)
