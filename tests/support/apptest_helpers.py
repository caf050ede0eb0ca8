"""Helpers for AppTest-based page tests: open a page, read its charts back as NumPy arrays."""

from __future__ import annotations

import json
from collections import OrderedDict
from unittest import mock

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from yarn_core.app import params
from yarn_core.app.figures import trace_array

APP = str(ROOT / "app.py")
TIMEOUT = 60


def open_page(page: str | None = None, query: dict | None = None) -> AppTest:
    """Run app.py (with optional URL query parameters), then switch to ``page`` (a path such as
    "pages/learn/rope.py")."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


# Runs kept by shared_page(), most recently used last (a run takes seconds; a few MB each).
SHARED_KEEP = 64
_shared: OrderedDict[tuple[str | None, str], AppTest] = OrderedDict()


def _refuse_rerun(*args, **kwargs):
    raise AssertionError("a page from shared_page() is shared between tests: use open_page() to interact")


def shared_page(page: str | None = None, query: dict | None = None) -> AppTest:
    """``open_page(page, query)``, run once and shared by every test that only reads it (the same page
    with the same query, within the last SHARED_KEEP opened). It refuses to rerun, so a test that
    interacts with it (a widget's ``.run()``) fails instead of changing what the next test reads."""
    key = (page, json.dumps(query or {}, sort_keys=True))
    if key in _shared:
        _shared.move_to_end(key)
        return _shared[key]
    at = open_page(page, query)
    at._run = _refuse_rerun
    _shared[key] = at
    while len(_shared) > SHARED_KEEP:
        _shared.popitem(last=False)
    return at


def run_with_params(page: str, query: dict | None = None) -> tuple[AppTest, dict[str, params.Param]]:
    """One run of ``page`` (with URL parameters), and the ``params.Param`` of every URL-bound control
    it rendered (recorded from the calls to ``params.param_widget``)."""
    seen: dict[str, params.Param] = {}
    original = params.param_widget

    def recording(param, where=None):
        seen[param.key] = param
        return original(param, where)

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    with mock.patch.object(params, "param_widget", recording):
        at.switch_page(page).run()
    rendered = at.session_state[params.RENDERED_KEY] if params.RENDERED_KEY in at.session_state else {}  # noqa: SIM401 (SessionState has no .get)
    assert set(rendered) <= set(seen), "every rendered key comes from params.param_widget"
    return at, {key: seen[key] for key in rendered}


def assert_clean(at: AppTest) -> None:
    """No exception element anywhere on the page."""
    assert not at.exception, [e.value for e in at.exception]


def _decode(value):
    """Plotly serialises NumPy arrays as {"dtype", "bdata"} (base64); decode those to arrays."""
    if isinstance(value, dict) and "bdata" in value:
        return trace_array(value)
    if isinstance(value, list):
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            return value
    return value


def charts(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page as its figure dict, with trace x/y/z decoded to arrays."""
    out = []
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        for trace in spec.get("data", []):
            for axis in ("x", "y", "z"):
                if axis in trace:
                    trace[axis] = _decode(trace[axis])
        spec["alt"] = element.proto.alt
        out.append(spec)
    return out


def chart_by_title(at: AppTest, fragment: str) -> dict:
    for spec in charts(at):
        title = spec.get("layout", {}).get("title", {}).get("text", "")
        if fragment.lower() in title.lower():
            return spec
    raise AssertionError(f"no chart whose title contains {fragment!r}")


def trace(spec: dict, name_fragment: str) -> dict:
    for t in spec["data"]:
        if name_fragment.lower() in str(t.get("name", "")).lower():
            return t
    raise AssertionError(f"no trace named like {name_fragment!r} in {[t.get('name') for t in spec['data']]}")


def assert_finite_charts(at: AppTest) -> None:
    """Every numeric value of every chart is finite, and no trace holds more than 5,000 points."""
    for spec in charts(at):
        for t in spec["data"]:
            for axis in ("x", "y", "z"):
                values = t.get(axis)
                if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
                    assert np.all(np.isfinite(values)), (spec["layout"].get("title"), t.get("name"), axis)
                    assert values.size <= 5000 or axis == "z", (t.get("name"), values.size)
