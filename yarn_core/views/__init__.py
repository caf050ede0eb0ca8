"""Lesson views: plain values in, ready Plotly figures (and the numbers the text quotes) out.
One module per page; pages call these and hold no maths themselves."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@lru_cache(maxsize=1)
def published() -> dict:
    """Published results (assets/published.json), each with its source."""
    return json.loads((ASSETS / "published.json").read_text())
