"""Every URL-bound parameter of every page, fed garbage: the page never shows a traceback, every
value ends up valid, and every non-empty garbage value is named in the clamping note.

The parameters are discovered, not listed: a run at defaults records each ``params.Param`` passed to
``params.param_widget``, and ``st.session_state["_rendered_params"]`` says which keys the page drew.
Then all of a page's parameters are set to the same hostile value in one link.
"""

from __future__ import annotations

import math

import pytest

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, run_with_params
from yarn_core.app import lesson, nav, params, sidebar

PAGES = [page.script for page in nav.APP_PAGES]

HOSTILE = {
    "empty": "",
    "non_numeric": "abc",
    "negative": "-5",
    "huge": "1e308",
    "nan": "nan",
    "over_long": "9" * 5000,
}
LONGEST_NOTE = 400  # characters per note line: an over-long value is never echoed in full


_DISCOVERED: dict[str, dict[str, params.Param]] = {}


def page_params(page: str) -> dict[str, params.Param]:
    if page not in _DISCOVERED:
        at, params = run_with_params(page)
        assert_clean(at)
        _DISCOVERED[page] = params
    return _DISCOVERED[page]


def is_valid(param: params.Param, value) -> bool:
    if param.kind == "multi":
        return isinstance(value, list) and all(v in param.options for v in value)
    if param.kind == "choice":
        return value in param.options
    if param.kind == "bool":
        return isinstance(value, bool)
    if param.kind == "int" and not isinstance(value, int):
        return False
    return (
        isinstance(value, (int, float)) and math.isfinite(value) and param.minimum <= value <= param.maximum
    )


def test_discovery_finds_the_shared_settings_and_page_controls():
    assert set(page_params("pages/learn/home.py")) == {p.key for p in sidebar.SHARED} | {lesson.PRESENT_KEY}
    compare = page_params("pages/compare/compare.py")
    assert {"cmp_methods", "cmp_alpha", "cmp_seed"} <= set(compare)
    assert len(set().union(*(page_params(p) for p in PAGES))) > 20


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[-1][:-3] for p in PAGES])
def test_every_url_parameter_clamps_hostile_values_with_a_note(page, kind):
    raw = HOSTILE[kind]
    params = page_params(page)
    at, rendered = run_with_params(page, {key: raw for key in params})
    assert_clean(at)
    assert_finite_charts(at)
    notes = "\n".join(str(w.value) for w in at.warning)
    assert {p.key for p in sidebar.SHARED} <= set(rendered), "the shared settings are always drawn"
    for key in set(params) & set(rendered):  # a page may hide a control (no methods chosen: no options)
        param = rendered[key]  # as drawn in this run: a range may depend on another setting
        value = at.session_state[key]
        assert is_valid(param, value), f"{key}={raw[:20]!r} left {value!r}"
        if raw:
            assert f"{param.label}:" in notes, f"no note for {key}={raw[:20]!r}"
    assert all(len(line) <= LONGEST_NOTE for line in notes.splitlines()), "an over-long value is shortened"


def test_an_empty_multi_value_means_nothing_selected_and_notes_read_like_numbers():
    multi = params.Param("m", "Methods", ("a", "b"), kind="multi", options=("a", "b", "c"))
    assert params.clamp_param(multi, [""]) == ([], None), "Streamlit reads ?m= as an empty selection"
    assert params.clamp_param(multi, ["", "c"]) == (["c"], None)
    kept, note = params.clamp_param(multi, ["c", "c"])
    assert kept == ["c"] and "ignored duplicates" in note
    length = next(p for p in sidebar.SHARED if p.key == "L")
    assert params.clamp_param(length, "1e300")[1].endswith("using the nearest valid value 1,048,576")
