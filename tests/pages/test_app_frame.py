"""The frame every page shares: navigation, URL-bound shared settings, presets, presenter mode,
reset. Pages' own behaviour is tested in their own files."""

import gc
import json
import math
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from tests.support import ROOT
from tests.support.apptest_helpers import TIMEOUT, assert_clean, charts, open_page
from yarn_core import RopeSetting
from yarn_core.app import lesson, nav, params, sidebar

PAGES = [page.script for page in nav.APP_PAGES]


def test_navigation_lists_every_page_and_each_opens_cleanly():
    scripts = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "pages").rglob("*.py"))
    assert sorted(PAGES) == scripts, "every script under pages/ is in the navigation, once"
    at = open_page()
    assert_clean(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert_clean(at)
        assert at.title, f"{page} shows no title"


def test_shared_settings_are_bound_to_the_url():
    at = open_page("pages/learn/interpolation.py", {"d": "64", "base": "500000", "L": "4096", "s": "16"})
    assert_clean(at)
    assert (
        at.session_state["d"],
        at.session_state["base"],
        at.session_state["L"],
        at.session_state["s"],
    ) == (64, 500000.0, 4096, 16.0)
    assert not at.warning, "valid URL values must not produce a clamping note"
    assert "65,536" in at.sidebar.caption[0].value


GARBAGE = ["", "abc", "-5", "1e300", "nan", "inf", "-inf", "9" * 400]


@pytest.mark.parametrize("key", ["d", "base", "L", "s"])
@pytest.mark.parametrize("raw", GARBAGE)
def test_garbage_url_values_are_clamped_with_a_note(key, raw):
    param = next(p for p in sidebar.SHARED if p.key == key)
    at = open_page(None, {key: raw})
    assert_clean(at)
    value = at.session_state[key]
    if param.kind == "choice":
        assert value in param.options
    else:
        assert param.minimum <= value <= param.maximum
    if raw == "":
        return  # Streamlit drops empty values itself; the default stands
    assert at.warning, f"{key}={raw!r}: no note"
    assert param.label in at.warning[0].value


def test_clamping_picks_the_nearest_valid_value():
    by_key = {p.key: p for p in sidebar.SHARED}
    assert params.clamp_param(by_key["s"], "1000") == (128.0, params.clamp_param(by_key["s"], "1000")[1])
    assert params.clamp_param(by_key["s"], "-3")[0] == 1.0
    assert params.clamp_param(by_key["s"], "2.3")[0] == 2.5  # step 0.5
    assert params.clamp_param(by_key["d"], "129")[0] in (128, 130)
    assert params.clamp_param(by_key["d"], "7")[0] == 8
    assert params.clamp_param(by_key["L"], "1000")[0] == 1024
    assert params.clamp_param(by_key["L"], "3")[0] == 16
    assert params.clamp_param(by_key["L"], "inf")[0] == 2**20
    assert params.clamp_param(by_key["base"], "inf")[0] == 1e7
    value, note = params.clamp_param(by_key["base"], "nan")
    assert value == 10000.0 and "NaN" in note
    value, note = params.clamp_param(by_key["s"], "x" * 500)
    assert value == 2.0 and len(note) < 200, "an over-long value is shortened in the note"
    for p in sidebar.SHARED:
        assert params.clamp_param(p, str(p.default))[1] is None


def test_bool_multi_and_text_choices_clamp():
    toggle = params.Param("t", "Toggle", False, kind="bool")
    assert params.clamp_param(toggle, "true") == (True, None)
    assert params.clamp_param(toggle, "maybe")[0] is False
    multi = params.Param("m", "Methods", ("a", "b"), kind="multi", options=("a", "b", "c"))
    assert params.clamp_param(multi, ["a", "c"]) == (["a", "c"], None)
    kept, note = params.clamp_param(multi, ["a", "zzz"])
    assert kept == ["a"] and "zzz" in note
    kept, note = params.clamp_param(multi, ["zzz"])
    assert kept == ["a", "b"] and note
    radio = params.Param("r", "Ramp", "code", kind="choice", options=("code", "paper"))
    assert params.clamp_param(radio, "paper") == ("paper", None)
    assert params.clamp_param(radio, "<script>")[0] == "code"


@pytest.mark.parametrize("name", list(sidebar.PRESETS))
def test_presets_set_the_shared_settings(name):
    at = open_page("pages/learn/interpolation.py")
    at.sidebar.selectbox(key="_preset").select(name).run()
    assert_clean(at)
    for key, value in sidebar.PRESETS[name].items():
        assert at.session_state[key] == value


def test_real_model_presets_carry_their_config_files_numbers():
    """The sidebar's real-model presets, checked against assets/configs read here (not through the app)."""

    def config(stem):
        return json.loads((ROOT / "assets" / "configs" / f"{stem}.json").read_text())["config"]

    llama2, llama31 = config("llama2_7b"), config("llama3_1_8b")
    scaling = llama31["rope_scaling"]
    assert sidebar.PRESETS["LLaMA 2: 4k -> 64k (YaRN paper, s = 16)"] == {
        "d": llama2["hidden_size"] // llama2["num_attention_heads"],
        "base": llama2["rope_theta"],
        "L": llama2["max_position_embeddings"],
        "s": 16.0,
    }
    assert sidebar.PRESETS["Llama 3.1: 8k -> 128k (s = 16; its llama3 factor is 8)"] == {
        "d": llama31["hidden_size"] // llama31["num_attention_heads"],
        "base": llama31["rope_theta"],
        "L": scaling["original_max_position_embeddings"],
        "s": llama31["max_position_embeddings"] / scaling["original_max_position_embeddings"],
    }
    assert scaling["factor"] == 8


def test_target_length_sets_the_scale():
    at = open_page("pages/learn/interpolation.py", {"L": "4096"})
    at.sidebar.number_input(key="_target").set_value(65536).run()
    assert_clean(at)
    assert at.session_state["s"] == 16.0


def test_presenter_mode_folds_the_narrative_and_reset_restores_defaults():
    at = open_page("pages/learn/interpolation.py", {"present": "true", "s": "8", "L": "2048"})
    assert_clean(at)
    folds = [e.label for e in at.main.expander]
    assert folds == [lesson.FOLD_LABEL], "a sectioned lesson folds only the current section's body"
    fold = at.main.expander[0]
    assert any("Lesson 3's problem" in block.value for block in fold.markdown), "section 1's story"
    compare = open_page("pages/compare/compare.py", {"present": "true"})
    assert_clean(compare)
    folds = [e.label for e in compare.main.expander]
    assert folds.count(lesson.STORY_LABEL) == 1, "the story outside sections folds into one expander"
    assert any("font-size" in str(h.proto) for h in at.get("html"))
    at.sidebar.button(key="reset_defaults").click().run()
    assert_clean(at)
    defaults = {p.key: p.default for p in sidebar.SHARED}
    for key, value in defaults.items():
        assert at.session_state[key] == value
    assert at.session_state["present"] is True, "reset keeps presenter mode"


def test_the_sidebar_returns_one_rope_setting_that_pages_read_back():
    at = open_page("pages/learn/interpolation.py", {"d": "64", "base": "10000", "L": "4096", "s": "2.5"})
    assert_clean(at)
    setting = at.session_state[sidebar.SETTING_KEY]
    assert setting == RopeSetting(dim=64, base=1e4, original_length=4096, factor=2.5)
    assert setting.target_tokens == 10240 and RopeSetting(original_length=16, factor=2.5).target_tokens == 40
    assert math.isclose(setting.with_(beta_fast=16.0).target_length, 10240)


def test_a_valid_value_in_another_spelling_is_honoured_without_a_note():
    at = open_page("pages/learn/interpolation.py", {"L": "4096.0"})
    assert_clean(at)
    assert at.session_state["L"] == 4096
    assert not at.warning


def test_labelled_choices_accept_the_option_key_or_its_label():
    param = params.Param(
        "r",
        "Ramp",
        "code",
        kind="choice",
        options=("code", "paper"),
        labels={"code": "Reference code", "paper": "Paper"},
    )
    assert params.clamp_param(param, "paper") == ("paper", None)
    assert params.clamp_param(param, "Paper") == ("paper", None)
    assert params.url_text(param, "code") == "Reference code"


# ---------------------------------------------------------------- presenter mode: sections


def sectioned_page():
    """A page of three sections the way app.py runs one (a stand-in: no lesson is converted yet)."""
    import plotly.graph_objects as go
    import streamlit as st

    from yarn_core.app import lesson

    lesson.presenter_toggle()
    with lesson.page_frame("demo"):
        st.title("Demo")
        lesson.narrative("Intro, part one.")
        lesson.narrative("Intro, part two.")
        for k in (1, 2, 3):
            with lesson.section(f"Part {k}", f"The one sentence of part {k}."):
                lesson.narrative(f"The story of part {k}.")
                st.slider(f"Knob {k}", 0, 10, 5, key=f"knob_{k}")
                lesson.chart(go.Figure(go.Scatter(x=[0, 1], y=[k, k + 1])), alt=f"part {k}", key=f"chart_{k}")
                lesson.chart(go.Figure(go.Scatter(x=[0, 1], y=[k, 0])), alt=f"part {k} b", key=f"extra_{k}")
        lesson.takeaway("Done.")


def open_sectioned(query: dict | None = None) -> AppTest:
    at = AppTest.from_function(sectioned_page, default_timeout=TIMEOUT)
    at.query_params.update(query or {})
    return at.run()


def shown_part(at: AppTest) -> list[str]:
    return [h.value for h in at.main.subheader]


def test_outside_presenter_mode_sections_are_headers_and_their_content():
    at = open_sectioned()
    assert_clean(at)
    assert shown_part(at) == ["Part 1", "Part 2", "Part 3"]
    text = [m.value for m in at.main.markdown]
    assert "Intro, part one." in text and "The story of part 3." in text
    assert not any("one sentence" in t for t in text), "the sentence is for presenting"
    assert not at.main.expander and len(at.get("plotly_chart")) == 6
    assert len(at.main.get("download_button")) == 6, "every chart offers its CSV"
    assert lesson.SECTION_QUERY not in at.query_params


def test_presenting_shows_one_section_and_steps_through_them():
    at = open_sectioned({"present": "true"})
    assert_clean(at)
    assert shown_part(at) == ["Part 1"]
    assert [e.label for e in at.main.expander] == [lesson.STORY_LABEL, lesson.FOLD_LABEL]
    story, fold = at.main.expander
    assert [m.value for m in story.markdown] == ["Intro, part one.", "Intro, part two."], (
        "one fold, no label per block"
    )
    assert "The story of part 1." in [m.value for m in fold.markdown]
    assert any(m.value == "The one sentence of part 1." for m in at.main.markdown)
    assert any(m.value == "**Section 1 of 3**" for m in at.main.markdown)
    assert [c.proto.alt for c in fold.get("plotly_chart")] == ["part 1 b"], (
        "the key chart stays out of the fold"
    )
    assert len(at.get("plotly_chart")) == 6 and len(at.slider) == 3, (
        "hidden sections still run: controls live on"
    )
    assert not at.main.get("download_button"), "no CSV buttons on the projector"
    assert at.button(key="lesson_previous").disabled and not at.button(key="lesson_next").disabled
    assert at.query_params[lesson.SECTION_QUERY] == "1", "the URL holds the current section"

    at.button(key="lesson_next").click().run()
    assert shown_part(at) == ["Part 2"] and any(m.value == "**Section 2 of 3**" for m in at.main.markdown)
    assert at.query_params[lesson.SECTION_QUERY] == "2"
    at.button(key="lesson_next").click().run()
    assert shown_part(at) == ["Part 3"] and at.button(key="lesson_next").disabled
    at.button(key="lesson_previous").click().run()
    assert shown_part(at) == ["Part 2"]
    assert_clean(at)


def test_a_controls_value_survives_stepping_away_and_back():
    at = open_sectioned({"present": "true"})
    at.slider(key="knob_1").set_value(9).run()
    at.button(key="lesson_next").click().run()
    at.button(key="lesson_previous").click().run()
    assert at.slider(key="knob_1").value == 9


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("2", "Part 2"), ("3", "Part 3"), ("99", "Part 3"), ("abc", "Part 1"), ("-4", "Part 1")],
)
def test_the_url_opens_a_section_clamped_to_the_page(raw, shown):
    at = open_sectioned({"present": "true", lesson.SECTION_QUERY: raw})
    assert_clean(at)
    assert shown_part(at) == [shown]


def test_the_presenter_copy_of_a_chart_is_projector_sized():
    at = open_sectioned({"present": "true"})
    spec = charts(at)[0]
    assert spec["layout"]["font"]["size"] >= 18 and spec["layout"]["xaxis"]["tickfont"]["size"] >= 18
    assert spec["layout"]["height"] >= 400


def test_sections_cannot_nest():
    def nested():
        from yarn_core.app import lesson

        with lesson.page_frame("nested"), lesson.section("a", "a."), lesson.section("b", "b."):
            pass

    assert AppTest.from_function(nested, default_timeout=TIMEOUT).run().exception
    inside = lesson._PageRun(page="demo", current=0, in_section=True)
    with (
        mock.patch.object(lesson, "_run", return_value=inside),
        pytest.raises(RuntimeError, match="nested"),
        lesson.section("b", "b."),
    ):
        pass


# ---------------------------------------------------------------- notation


def test_every_page_offers_the_notation_panel():
    at = open_page("pages/learn/rope.py")
    panel = next(e for e in at.sidebar.expander if e.label == "Notation")
    text = panel.markdown[0].value
    for symbol in (
        r"\theta_i = b^{-2i/|D|}",
        "|D|",
        "L' = sL",
        "l'",
        r"\Delta = m - n",
        r"\lambda_i = 2\pi/\theta_i",
        r"r_i = L/\lambda_i",
        r"\alpha,\ \beta",
        r"\gamma_i",
        r"\sqrt{1/t} = 0.1 \ln s + 1",
    ):
        assert f"${symbol}" in text, symbol
    assert "1 = kept" in text and "wavelength" in text and "current sequence length" in text


def test_formula_is_typeset_latex():
    def page():
        from yarn_core.app import lesson

        lesson.formula(r"\theta'_i = \theta_i / s")

    at = AppTest.from_function(page, default_timeout=TIMEOUT).run()
    assert [e.value.strip("$\n") for e in at.latex] == [r"\theta'_i = \theta_i / s"]


def _settings_box(at: AppTest):
    """The sidebar expander holding the shared settings: (label, expanded)."""
    (box,) = [e for e in at.sidebar.expander if e.label in (sidebar.LABEL, sidebar.FOLD_LABEL)]
    inside = {w.key for w in box.children.values() if getattr(w, "key", None)}
    assert inside >= {"d", "base", "L", "s"}, "the shared settings' widgets are drawn inside it"
    return box.label, box.proto.expanded


def _shared(at: AppTest) -> tuple:
    return tuple(at.session_state[key] for key in ("d", "base", "L", "s"))


def test_the_lab_folds_the_shared_settings_and_keeps_their_values():
    """Values from the URL (d, L) and set on a lesson's widgets (base, s) survive a visit to the lab,
    whose fold still draws the widgets; without them Streamlit would drop the URL's parameters
    (the real browser's URL is checked in tests/browser/test_lab_language.py)."""
    at = open_page("pages/learn/interpolation.py", {"d": "64", "L": "1024"})
    assert _settings_box(at) == (sidebar.LABEL, True), "a lesson shows the shared settings open"
    at.number_input(key="base").set_value(500000.0).run()
    at.slider(key="s").set_value(8.0).run()
    assert_clean(at)
    chosen = (64, 500000.0, 1024, 8.0)
    assert _shared(at) == chosen

    at.switch_page("pages/lab/lab.py").run()
    assert_clean(at)
    assert _settings_box(at) == (sidebar.FOLD_LABEL, False), "on the lab they are folded, still drawn"
    assert _shared(at) == chosen
    assert (at.query_params["d"], at.query_params["L"]) == ("64", "1024")

    at.switch_page("pages/learn/interpolation.py").run()
    assert_clean(at)
    assert _settings_box(at) == (sidebar.LABEL, True)
    assert _shared(at) == chosen
    assert (at.query_params["d"], at.query_params["L"]) == ("64", "1024")
    assert "8,192" in at.sidebar.caption[0].value, "the lesson reads the kept setting: L' = 8 x 1,024"


def test_a_table_is_sent_as_arrow_with_every_rows_columns_in_order():
    """Rows may leave a column out (it is empty there) and a later row may add one; columns as lists
    pass through; a column mixing text and numbers stays the rows themselves (Streamlit's pandas
    path shows it as text)."""
    shown = lesson._arrow([{"method": "PI", "s": 2.0}, {"method": "YaRN", "t": 3}])
    assert shown.column_names == ["method", "s", "t"]
    assert shown.to_pylist() == [
        {"method": "PI", "s": 2.0, "t": None},
        {"method": "YaRN", "s": None, "t": 3},
    ]
    assert lesson._arrow({"a": [1, 2], "b": ["x", "y"]}).to_pydict() == {"a": [1, 2], "b": ["x", "y"]}
    mixed = [{"windows": 3}, {"windows": "—"}]
    assert lesson._arrow(mixed) is mixed


def test_a_pages_tables_read_back_as_their_rows():
    """What a reader sees in lesson 7's real-model table (sent as Arrow): every shipped method's row,
    in the shipped order, with its bits per token over the first L tokens."""
    shipped = json.loads((ROOT / "assets" / "lab" / "smollm.json").read_text())
    at = open_page("pages/learn/yarn.py")
    assert_clean(at)
    frames = [frame.value for frame in at.dataframe]
    assert all(len(frame) > 0 and not frame.columns.empty for frame in frames)
    plays = next(frame for frame in frames if "method" in frame.columns)
    rows = shipped["table"]["plays"]
    assert plays["method"].tolist() == [shipped["labels"][variant] for variant in rows]
    first = f"first {shipped['table_lengths'][0]:,}"
    expected = [round(row["mean"][0], 2) for row in rows.values()]
    assert plays[first].tolist() == pytest.approx(expected)


def test_a_pages_first_run_in_the_process_collects_and_freezes_once():
    """What a page's first run leaves alive (its imports, its first figures) is frozen out of the
    cyclic collector's walks once per page and process, not on every rerun."""
    with (
        mock.patch.object(lesson, "_SETTLED", set()),
        mock.patch.object(lesson.gc, "freeze", wraps=gc.freeze) as freeze,
    ):
        at = open_page()  # the start page
        assert freeze.call_count == 1
        at.switch_page("pages/learn/positions.py").run()
        assert_clean(at)
        assert freeze.call_count == 2, "another page's first run freezes what it added"
        at.run()
        assert freeze.call_count == 2, "a rerun of the same page freezes nothing more"
        assert sorted(lesson._SETTLED) == ["home", "positions"]
