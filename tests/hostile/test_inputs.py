"""Hostile files and settings: what a student might upload or paste, what a broken disk might
leave in the lab's checkpoints, and the server settings that cap and guard uploads.
Each ends in a clear message on the page, never a traceback."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.apptest_helpers import assert_clean, assert_finite_charts, charts, open_page
from yarn_core.hf_config import MAX_CONFIG_BYTES

MODEL = "pages/model/your_model.py"


def deep_object(depth: int) -> bytes:
    return b'{"a": ' * depth + b"1" + b"}" * depth


def errors(at) -> str:
    return "\n".join(e.value for e in at.error)


UPLOADS = {
    "latin-1 text": ('{"model_type": "caf\xe9", "head_dim": 128}'.encode("latin-1"), "not UTF-8"),
    "random bytes": (bytes(range(256)) * 8, "not UTF-8"),
    "2 MB": (b'{"pad": "' + b"x" * 2_000_000 + b'"}', "the limit is 1,000,000 bytes"),
    "nested 10,000 deep": (deep_object(10_000), "nested too deeply"),
    "nested 10,000 deep lists": (b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),
    "empty file": (b"", "empty"),
    "a NUL byte": (b'{"head_dim": 128\x00}', "invalid JSON"),
}


@pytest.mark.parametrize("name", list(UPLOADS))
def test_hostile_uploads_get_a_clear_message(name):
    data, message = UPLOADS[name]
    at = open_page(MODEL)
    at.file_uploader(key="ym_upload").upload("config.json", data, "application/json").run()
    assert_clean(at)
    assert message in errors(at), errors(at)
    assert "was not loaded" in errors(at), "the message says the file was refused"
    assert_finite_charts(at)


PASTES = {
    "2 MB": ('{"pad": "' + "x" * 2_000_000 + '"}', "the limit is 1,000,000 bytes"),
    "nested 10,000 deep": (deep_object(10_000).decode(), "nested too deeply"),
    "deep but parseable value": (
        '{"head_dim": 128, "max_position_embeddings": 4096, "rope_scaling": {"type": "linear", "factor": '
        + deep_object(900).decode()
        + "}}",
        "factor must be a number",
    ),
    "an escaped lone surrogate": (
        '{"head_dim": 128, "model_type": "\\ud800", "rope_scaling": {"type": "\\udfff"}}',
        "unknown rope type",
    ),
    "Infinity": ('{"head_dim": 128, "rope_theta": Infinity}', "Infinity is not a JSON number"),
    "1e999": ('{"head_dim": 128, "rope_theta": 1e999}', "rope_theta must be a finite number"),
}


@pytest.mark.parametrize("name", list(PASTES))
def test_hostile_pastes_get_a_clear_message_or_are_read(name):
    text, message = PASTES[name]
    at = open_page(MODEL)
    at.text_area(key="ym_text").input(text).run()
    assert_clean(at)
    if message:
        assert message in errors(at), errors(at)
    assert all(len(line) < 2_000 for line in errors(at).splitlines()), "the message does not echo the input"
    assert_finite_charts(at)


def test_server_config_caps_uploads_and_keeps_xsrf_protection():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert 1 <= server["maxUploadSize"] <= 2, "uploads are capped at a size near a config.json's"
    assert server["maxUploadSize"] * 1_000_000 >= MAX_CONFIG_BYTES, (
        "the page's own limit is the one students meet"
    )
    assert config["client"]["showErrorDetails"] in ("none", False), "no traceback reaches a student"


def test_server_config_skips_the_full_garbage_collection_after_every_run():
    """runner.postScriptGC cost 50-70 ms of server CPU per rerun under the GIL
    (measured with tests/perf/load_sessions.py)."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


LAB = "pages/lab/lab.py"


def damaged(kind: str, source: Path, target: Path) -> Path:
    """A copy of a shipped checkpoint, cut short or altered after it was written."""
    data = bytearray(source.read_bytes())
    header_length = int.from_bytes(data[:8], "little")
    if kind == "truncated":
        data = data[: len(data) // 2]
    elif kind == "altered weights":
        data[-100] ^= 0x01  # one bit of the last tensor: the checksum in the header no longer matches
    elif kind == "altered header":
        header = data[8 : 8 + header_length].replace(
            b'"format":"yarn-explorer-lab/1"', b'"format":"yarn-explorer-lab/9"'
        )
        assert len(header) == header_length, "the header edit keeps its length"
        data[8 : 8 + header_length] = header
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("kind", ["truncated", "altered weights", "altered header"])
def test_a_damaged_shipped_checkpoint_gives_a_clear_message_in_the_lab(kind, tmp_path, monkeypatch):
    import streamlit as st

    from yarn_core.lab import assets
    from yarn_core.lab.checkpoint import load_checkpoint
    from yarn_core.lab.errors import LabError

    bad = damaged(
        kind, assets.ASSET_DIR / assets.checkpoint_name("passkey"), tmp_path / "passkey-base.safetensors"
    )
    with pytest.raises(LabError, match=r"passkey-base\.safetensors"):
        load_checkpoint(bad, task="passkey")
    shipped_name = assets.checkpoint_name
    # An absolute name wins in Path(asset_dir) / name: the lab reads the damaged copy instead.
    monkeypatch.setattr(
        assets,
        "checkpoint_name",
        lambda task, variant="base": str(bad)
        if (task, variant) == ("passkey", "base")
        else shipped_name(task, variant),
    )
    assets.load_shipped.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page(LAB)
        assert_clean(at)
        message = errors(at) + "\n".join(w.value for w in at.warning)
        assert "passkey-base.safetensors" in message, f"no message names the damaged file: {message!r}"
        assert any(
            word in message
            for word in ("truncated", "corrupt", "altered", "damaged", "checksum", "not a YaRN Explorer")
        ), message
    finally:
        assets.load_shipped.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.mark.parametrize("name", list(UPLOADS))
def test_hostile_second_uploads_get_a_clear_message_and_keep_the_first_model(name):
    data, message = UPLOADS[name]
    at = open_page(MODEL)
    at.file_uploader(key="ym2_upload").upload("second.json", data, "application/json").run()
    assert_clean(at)
    assert message in errors(at) and "second.json was not loaded" in errors(at), errors(at)
    assert {m.label: m.value for m in at.metric}["Rope type"] == "llama3", "the first model stays"
    assert_finite_charts(at)


@pytest.mark.parametrize("name", list(PASTES))
def test_hostile_second_pastes_get_a_clear_message_and_keep_the_first_model(name):
    text, message = PASTES[name]
    at = open_page(MODEL)
    at.text_area(key="ym2_text").input(text).run()
    assert_clean(at)
    assert message in errors(at) and "second config cannot be read" in errors(at), errors(at)
    assert all(len(line) < 2_000 for line in errors(at).splitlines()), "the message does not echo the input"
    assert {m.label: m.value for m in at.metric}["Rope type"] == "llama3", "the first model stays"
    assert_finite_charts(at)


def test_a_second_upload_with_markup_in_its_name_is_named_without_it():
    at = open_page(MODEL)
    name = "<a href='javascript:alert(1)'>x</a>" + "y" * 100 + ".json"
    at.file_uploader(key="ym2_upload").upload(name, b'{"head_dim": 64}', "application/json").run()
    assert_clean(at)
    traces = [t["name"] for spec in charts(at) for t in spec["data"]]
    assert traces and not any("<" in n or ">" in n for n in traces), traces
    assert all(len(n) < 120 for n in traces), traces  # a name of at most 32 characters, twice at most
