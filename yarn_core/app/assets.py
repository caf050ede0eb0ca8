"""What the app reads from ``assets/``, in one place: the published numbers (``published.json``)
and the real models' configs (``configs/*.json``), each read through ``rope_from_hf_config`` so a
real model's numbers exist once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..hf_config import HFRope, rope_from_hf_config

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@lru_cache(maxsize=1)
def published() -> dict:
    """Published results (assets/published.json), each with its source."""
    return json.loads((ASSETS / "published.json").read_text())


@dataclass(frozen=True)
class RealModel:
    """One bundled config: its file stem, display name, source and note, the config itself, and
    the RoPE the model computes from it."""

    key: str
    name: str
    source: str
    note: str
    config: dict
    rope: HFRope

    @property
    def text(self) -> str:
        """The config as the Your model page shows it."""
        return json.dumps(self.config, indent=2)


@lru_cache(maxsize=1)
def real_models() -> dict[str, RealModel]:
    """The bundled configs (assets/configs/*.json), in display order."""
    entries = [
        json.loads(path.read_text()) | {"key": path.stem} for path in (ASSETS / "configs").glob("*.json")
    ]
    return {
        entry["key"]: RealModel(
            entry["key"],
            entry["name"],
            entry["source"],
            entry["note"],
            entry["config"],
            rope_from_hf_config(entry["config"]),
        )
        for entry in sorted(entries, key=lambda entry: entry["order"])
    }
