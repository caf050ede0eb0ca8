"""Every chart of every page (nav.APP_PAGES) at its defaults, as the browser receives it: labels
(strings) only on category axes, no axis without data, no figure without data, no NaN or inf, every
log axis labelled readably (decades, or 1-2-5 steps on a short span, each label its value); and in
presenter mode every text on every chart at least 18 px."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from tests.support.apptest_helpers import assert_clean, assert_finite_charts, charts, shared_page
from yarn_core.app import nav

MIN_PRESENTER_FONT = 18
PAGES = {page.name: page.script for page in nav.APP_PAGES}


def _numbers(values) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return np.empty(0)
    return array[np.isfinite(array)]


def _holds_labels(values) -> bool:
    return isinstance(values, (list, tuple)) and any(isinstance(v, str) for v in values)


def _axis_names(trace: dict) -> dict[str, str]:
    """The layout axes a trace is drawn on: {"x": "xaxis2", "y": "yaxis2"}."""
    return {letter: f"{letter}axis{trace.get(f'{letter}axis', letter)[1:]}" for letter in "xy"}


def _label_value(label: str) -> float:
    """A tick label read back as a number: "1,000", "0.02", "10<sup>-3</sup>"."""
    power = re.fullmatch(r"10<sup>(-?\d+)</sup>", label)
    return 10.0 ** int(power.group(1)) if power else float(label.replace(",", ""))


def figure_problems(spec: dict) -> list[str]:
    """What breaks the shared chart rules in one figure spec."""
    layout, traces = spec["layout"], spec["data"]
    name = (layout.get("title") or {}).get("text") or spec.get("alt", "")[:60]
    problems = []
    on_axis: dict[str, list] = {key: [] for key in layout if re.fullmatch(r"[xy]axis\d*", key)}
    for trace in traces:
        for letter, axis in _axis_names(trace).items():
            on_axis.setdefault(axis, []).append(trace.get(letter))
        if trace.get("type") == "heatmap" and "z" in trace:
            for axis in _axis_names(trace).values():
                on_axis[axis].append(trace["z"])
    if not any(_numbers(trace.get(k)).size or _holds_labels(trace.get(k)) for trace in traces for k in "xyz"):
        problems.append(f"{name}: no data")
    for axis, values in on_axis.items():
        kind = layout.get(axis, {}).get("type", "-")
        if any(_holds_labels(v) for v in values) and kind != "category":
            problems.append(f"{name}: {axis} holds labels but is a {kind} axis")
        if not any(_numbers(v).size or _holds_labels(v) for v in values if v is not None):
            problems.append(f"{name}: {axis} has no data")
        if kind == "log":
            problems += _log_axis_problems(name, axis, layout[axis], values)
    return problems


def _log_axis_problems(name: str, axis: str, spec: dict, values) -> list[str]:
    shown = np.concatenate([_numbers(v) for v in values] or [np.empty(0)])
    shown = shown[shown > 0]
    tickvals, ticktext = spec.get("tickvals"), spec.get("ticktext")
    if not shown.size or shown.max() <= shown.min():
        return []
    if tickvals is None or ticktext is None:
        return [f"{name}: log {axis} has no readable ticks (plotly's 2 3 4 5 ... digits)"]
    ticks = [(float(v), t) for v, t in zip(tickvals, ticktext, strict=True)]
    problems = [
        f"{name}: log {axis} tick {t!r} is not {v:g}"
        for v, t in ticks
        if not math.isclose(_label_value(t), v)
    ]
    in_view = [v for v, _ in ticks if shown.min() * (1 - 1e-9) <= v <= shown.max() * (1 + 1e-9)]
    if len(in_view) < 2 and math.log10(shown.max() / shown.min()) > 0.5:
        problems.append(f"{name}: log {axis} shows fewer than two ticks")
    if math.log10(shown.max() / shown.min()) >= 2 and not all(
        math.isclose(math.log10(v), round(math.log10(v)), abs_tol=1e-9) for v in in_view
    ):
        problems.append(f"{name}: log {axis} spans decades but is not labelled at decades only")
    return problems


def presenter_font_problems(spec: dict) -> list[str]:
    """Texts of a presenter-mode figure smaller than MIN_PRESENTER_FONT px."""
    layout = spec["layout"]
    name = (layout.get("title") or {}).get("text", "")[:60]
    base = (layout.get("font") or {}).get("size", 12)
    sizes = {"font": base, "legend": (layout.get("legend") or {}).get("font", {}).get("size", base)}
    sizes["title"] = (layout.get("title") or {}).get("font", {}).get("size", base)
    for key in (k for k in layout if re.fullmatch(r"[xy]axis\d*", k)):
        axis = layout[key]
        sizes[f"{key} ticks"] = (axis.get("tickfont") or {}).get("size", base)
        sizes[f"{key} title"] = ((axis.get("title") or {}).get("font") or {}).get("size", base)
    for i, note in enumerate(layout.get("annotations", [])):
        sizes[f"note {i}"] = (note.get("font") or {}).get("size", base)
    return [f"{name}: {role} at {size} px" for role, size in sizes.items() if size < MIN_PRESENTER_FONT]


@pytest.mark.parametrize("script", list(PAGES.values()), ids=list(PAGES))
def test_every_figure_follows_the_chart_rules(script):
    at = shared_page(script)
    assert_clean(at)
    assert_finite_charts(at)
    problems = [problem for spec in charts(at) for problem in figure_problems(spec)]
    assert not problems, problems


@pytest.mark.parametrize("script", list(PAGES.values()), ids=list(PAGES))
def test_every_figure_is_projector_sized_in_presenter_mode(script):
    at = shared_page(script, {"present": "true"})
    assert_clean(at)
    problems = [problem for spec in charts(at) for problem in presenter_font_problems(spec)]
    assert not problems, problems


def test_the_checks_catch_what_they_are_for():
    """The problems the rules exist for are found (each spec built by hand, not by figures.py)."""
    bars = {
        "layout": {"xaxis": {"type": "linear"}},
        "data": [{"type": "bar", "x": ["step 0", "step 200"], "y": [1, 2]}],
    }
    assert any("holds labels" in p for p in figure_problems(bars))
    empty = {"layout": {"xaxis2": {}}, "data": [{"x": [1.0, 2.0], "y": [1.0, 2.0]}]}
    assert any("xaxis2 has no data" in p for p in figure_problems(empty))
    assert any("no data" in p for p in figure_problems({"layout": {}, "data": [{"x": [], "y": []}]}))
    digits = {"layout": {"yaxis": {"type": "log"}}, "data": [{"x": [0.0, 1.0], "y": [0.01, 1000.0]}]}
    assert any("readable ticks" in p for p in figure_problems(digits))
    mixed = {
        "type": "log",
        "tickvals": [1, 2, 5, 10, 100, 1000],
        "ticktext": ["1", "2", "5", "10", "100", "1,000"],
    }
    assert any(
        "decades only" in p for p in figure_problems({"layout": {"yaxis": mixed}, "data": digits["data"]})
    )
    small = {"layout": {"font": {"size": 12}, "xaxis": {"tickfont": {"size": 20}}}, "data": []}
    assert presenter_font_problems(small)
