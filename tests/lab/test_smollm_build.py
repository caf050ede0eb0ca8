"""The real-model build's protocol: passkey prompts, dynamic methods assembled from static runs, and
``assemble`` on job files written here (no model runs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from yarn_core.lab import smollm_build as sb
from yarn_core.lab.llama import LlamaConfig

L = sb.TRAIN_LENGTH


class CharTokenizer:
    """One token per character: enough to check the prompt's layout."""

    class _Out:
        def __init__(self, ids):
            self.input_ids = ids

    def __call__(self, text: str):
        return self._Out([ord(ch) for ch in text])


@pytest.mark.parametrize("length", [600, 4096])
def test_passkey_prompt_has_the_exact_length_and_ends_with_its_key(length):
    ids, answer_start = sb.passkey_prompt(CharTokenizer(), length, trial=2)
    text = "".join(map(chr, ids))
    assert len(ids) == length and answer_start == length - 6
    key = text[answer_start + 1 :]
    assert key.isdigit() and len(key) == 5
    assert f"The pass key is {key}. Remember it." in text[:answer_start]
    assert text[:answer_start].endswith("What is the pass key? The pass key is")
    depth = text.index("The pass key is") / length
    assert 0.05 < depth < 0.95


def test_passkey_trials_hide_different_keys():
    keys = {"".join(map(chr, sb.passkey_prompt(CharTokenizer(), 800, t)[0][-5:])) for t in range(3)}
    assert len(keys) == 3


@pytest.mark.parametrize("variant", sorted(sb.DYNAMIC))
def test_a_dynamic_method_at_twice_l_rotates_as_its_static_part(variant):
    """At l' = 2L a dynamic method picks s = 2: the static run it is assembled from."""
    config = LlamaConfig(49152, 1, 576, 9, 3, 1536, L, 100000.0)
    _, dynamic, static = sb.DYNAMIC[variant]
    a = dynamic.rope(config, 2 * L)
    b = sb.STATIC[static][1].rope(config, 2 * L)
    assert a.effective_factor == pytest.approx(2.0)
    np.testing.assert_allclose(a.inv_freq, b.inv_freq, rtol=1e-12)
    assert a.attention_factor == pytest.approx(b.attention_factor, rel=1e-12)
    at_l = dynamic.rope(config, L)
    np.testing.assert_allclose(at_l.inv_freq, sb.STATIC["none"][1].rope(config, L).inv_freq, rtol=1e-12)
    assert at_l.attention_factor == pytest.approx(1.0)


def write_job(build_dir, name, value):
    path = build_dir / "jobs" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def test_assemble_spreads_windows_and_builds_dynamic_curves(tmp_path):
    rng = np.random.default_rng(0)
    plain = rng.uniform(2, 4, size=(2, sb.WINDOW))
    yarn = rng.uniform(2, 4, size=(3, sb.WINDOW))
    for w in range(2):
        write_job(tmp_path, f"bits-plays-none-w{w}", {"bits": plain[w].tolist(), "seconds": 10.0})
    for w in range(3):
        write_job(tmp_path, f"bits-plays-yarn-2-w{w}", {"bits": yarn[w].tolist(), "seconds": 20.0})
    write_job(
        tmp_path, "passkey-16384-none-t0", {"found": False, "tokens_right": 2, "tokens": 6, "seconds": 5}
    )
    write_job(
        tmp_path, "passkey-16384-none-t1", {"found": True, "tokens_right": 6, "tokens": 6, "seconds": 5}
    )
    out = sb.assemble(build_dir=tmp_path, out_dir=tmp_path / "assets")
    assert json.loads((tmp_path / "assets" / sb.RESULTS_NAME).read_text()) == out

    curves = out["curves"]["plays"]
    assert set(curves) == {"none", "yarn-2", "dynamic_yarn"}  # dynamic NTK waits for ntk-2
    assert "code" not in out["curves"]
    first_bin = plain[:, : sb.BIN].mean(axis=1)
    assert curves["none"]["windows"] == 2
    assert curves["none"]["mean"][0] == pytest.approx(first_bin.mean(), abs=1e-4)
    assert curves["none"]["min"][0] == pytest.approx(first_bin.min(), abs=1e-4)
    assert curves["none"]["max"][0] == pytest.approx(first_bin.max(), abs=1e-4)
    assert len(curves["yarn-2"]["mean"]) == sb.WINDOW // sb.BIN

    dyn = curves["dynamic_yarn"]
    half = L // sb.BIN
    assert dyn["windows"] == 2
    assert dyn["mean"][:half] == curves["none"]["mean"][:half]
    last_bin = yarn[:2, -sb.BIN :].mean(axis=1).mean()
    assert dyn["mean"][-1] == pytest.approx(last_bin, abs=1e-4)

    table = out["table"]["plays"]["none"]
    assert out["table_lengths"] == [L, 3 * L // 2, 2 * L]
    assert table["mean"][0] == pytest.approx(plain[:, :L].mean(), abs=1e-4)
    assert table["mean"][2] == pytest.approx(plain.mean(), abs=1e-4)
    assert out["passkey"] == {"16384": {"none": {"found": 1, "trials": 2}}}
    assert out["forward_seconds"] == pytest.approx(2 * 10 + 3 * 20 + 2 * 5)


def test_a_finished_job_is_not_run_again(tmp_path):
    write_job(tmp_path, "bits-plays-none-w0", {"bits": [1.0], "seconds": 1.0})
    builder = sb.Builder(tmp_path, log=lambda line: None)
    builder.bits_job("plays", "none", 0)  # would need the model (and fail here) if it ran
    assert builder._model is None


def test_the_jobs_put_plain_and_s2_on_the_plays_first():
    names = []

    class Recorder:
        def bits_job(self, text, variant, window):
            names.append(f"bits-{text}-{variant}-w{window}")

        def passkey_job(self, length, variant, trial):
            names.append(f"passkey-{length}-{variant}-t{trial}")

    order = sb.jobs(Recorder())
    for job in order:
        job()
    first = len(sb.FIRST_VARIANTS) * sb.WINDOWS
    assert {n.split("-w")[0] for n in names[:first]} == {f"bits-plays-{v}" for v in sb.FIRST_VARIANTS}
    assert names[first].startswith("passkey-")
    assert (
        len(names)
        == len(set(names))
        == 2 * len(sb.STATIC) * sb.WINDOWS
        + len(sb.PASSKEY_LENGTHS) * len(sb.PASSKEY_VARIANTS) * sb.PASSKEY_TRIALS
    )


JOBS = sb.BUILD_DIR / "jobs"


@pytest.mark.skipif(
    not JOBS.is_dir(), reason=f"no build results in {JOBS}: run `python -m yarn_core.lab build-smollm`"
)
def test_the_shipped_results_are_what_the_build_assembles(tmp_path):
    """assets/lab/smollm.json reproduces from the build's job files (where this machine has them)."""
    from yarn_core.lab.assets import ASSET_DIR

    shipped = json.loads((ASSET_DIR / sb.RESULTS_NAME).read_text())
    rebuilt = sb.assemble(out_dir=tmp_path)
    for text, curves in shipped["curves"].items():
        for variant, curve in curves.items():
            assert rebuilt["curves"][text][variant]["windows"] >= curve["windows"]
            if rebuilt["curves"][text][variant]["windows"] == curve["windows"]:
                assert rebuilt["curves"][text][variant] == curve
    for length, rows in shipped["passkey"].items():
        for variant, row in rows.items():
            assert rebuilt["passkey"][length][variant]["trials"] >= row["trials"]
