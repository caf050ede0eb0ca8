"""The frame every page shares: navigation, URL-bound shared settings, presets, presenter mode,
reset. Pages' own behaviour is tested in their own files."""

import json
import math

import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import assert_clean, open_page
from yarn_core import RopeSetting
from yarn_core.app import nav, params, sidebar

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
    assert at.expander, "presenter mode folds the story into an expander"
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
