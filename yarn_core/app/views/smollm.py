"""A real pretrained model past its window: SmolLM2-135M's shipped results (assets/lab/smollm.json,
written by ``python -m yarn_core.lab build-smollm``), beside the tiny Shakespeare model and the YaRN
paper, all on one x axis: position in multiples of the model's trained window L. Reads JSON only (no
torch), so any lesson can show it."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from .. import figures as F
from ..assets import ASSETS, published

RESULTS = ASSETS / "lab" / "smollm.json"
SHOWN = ("none", "linear-2", "ntk-2", "yarn-2", "dynamic_yarn")
# The tiny model's shipped position curves are 8L windows: its static methods there ran at s = 8, so
# to 2L only plain RoPE and the dynamic methods (s from the current length, at most 2 there) compare.
TINY_SHOWN = ("none", "dynamic_ntk", "dynamic_yarn")
DASH = {"dynamic_ntk": "dash", "dynamic_yarn": "dash"}
BAND_OPACITY = 0.15
END_TOKENS = 1024  # "just before 2L": the last 1,024 positions of a window


class MissingResults(Exception):
    """smollm.json is absent or unreadable: the page says so instead of drawing."""


@functools.cache
def _shipped() -> dict:
    try:
        raw = json.loads(RESULTS.read_text())
    except (OSError, ValueError) as err:
        raise MissingResults(f"{RESULTS.name} could not be read ({err})") from None
    if not raw.get("curves", {}).get("plays", {}).get("none"):
        raise MissingResults(f"{RESULTS.name} holds no plain-RoPE curve on the plays yet")
    return raw


@functools.cache
def _tiny() -> dict:
    return json.loads((ASSETS / "lab" / "shakespeare.json").read_text())


def _method(variant: str) -> str:
    """The yarn_core method key of a SmolLM2 variant ("yarn-2" -> "yarn")."""
    return variant.split("-")[0]


@dataclass(frozen=True)
class SmolNumbers:
    """What the section quotes, per text and variant (means over windows): bits/token over the first
    T tokens at T = 1x, 1.5x and 2x L (``table``) and over the last END_TOKENS before 2L (``at_end``);
    the window count; passkey retrieval (found, trials) by prompt length and variant."""

    train_length: int
    window: int
    labels: dict[str, str]
    texts: dict[str, str]
    lengths: tuple[int, ...]
    table: dict[str, dict[str, tuple[float, ...]]]
    at_end: dict[str, dict[str, float]]
    windows: dict[str, dict[str, int]]
    passkey: dict[int, dict[str, tuple[int, int]]]
    forward_minutes: float


def numbers() -> SmolNumbers:
    raw = _shipped()
    return SmolNumbers(
        train_length=int(raw["model"]["train_length"]),
        window=int(raw["window"]),
        labels=dict(raw["labels"]),
        texts=dict(raw["texts"]),
        lengths=tuple(int(n) for n in raw["table_lengths"]),
        table={
            text: {v: tuple(float(x) for x in entry["mean"]) for v, entry in rows.items()}
            for text, rows in raw["table"].items()
        },
        at_end={
            text: {v: float(np.mean(c["mean"][-END_TOKENS // int(raw["bin"]) :])) for v, c in rows.items()}
            for text, rows in raw["curves"].items()
        },
        windows={
            text: {v: int(c["windows"]) for v, c in rows.items()} for text, rows in raw["curves"].items()
        },
        passkey={
            int(length): {v: (int(r["found"]), int(r["trials"])) for v, r in rows.items()}
            for length, rows in raw["passkey"].items()
        },
        forward_minutes=float(raw["forward_seconds"]) / 60,
    )


def _band(fig: go.Figure, x, low, high, color: str) -> None:
    """The range over text windows, a translucent band under the mean line."""
    red, green, blue, _ = F.color_channels(color)
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([x, x[::-1]]),
            y=np.concatenate([high, low[::-1]]),
            fill="toself",
            fillcolor=f"rgba({red:.0f}, {green:.0f}, {blue:.0f}, {BAND_OPACITY})",
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
        )
    )


def _curves_figure(curves: dict, labels: dict, keys, bin_width: int, L: int, *, title: str, y_title: str):
    """Mean bits per bin against position / L (bin centres), each with its range band; the trained
    window shaded. ``curves`` maps a key to {"mean", "min", "max"} lists, or to rows (one per seed)."""
    fig = go.Figure()
    F.shade_window(fig, 0, 1, "trained window")
    for key in keys:
        if key not in curves:
            continue
        entry, color = curves[key], F.METHOD_COLORS[_method(key)]
        if isinstance(entry, dict):
            mean, low, high = (np.asarray(entry[k], dtype=float) for k in ("mean", "min", "max"))
        else:
            rows = np.asarray(entry, dtype=float)
            mean, low, high = rows.mean(axis=0), rows.min(axis=0), rows.max(axis=0)
        x = (np.arange(len(mean)) + 0.5) * bin_width / L
        _band(fig, x, low, high, color)
        F.add_line(
            fig, x, mean, name=labels[key], color=color, dash=DASH.get(key), width=2.5, hover="%{y:.2f}"
        )
    F.base_layout(fig, title=title, x_title="position ÷ trained window L", y_title=y_title, height=360)
    return fig.update_xaxes(range=[0, 2], dtick=0.5)


TEXT_NAMES = {"code": "Python source"}  # the second text, in its chart's title


def smollm_figure(text: str = "plays", keys: tuple[str, ...] = SHOWN) -> go.Figure:
    """SmolLM2-135M's held-out bits per token at each position of 2L-token windows, zero-shot, on
    ``text`` ("plays" or "code")."""
    raw = _shipped()
    L = int(raw["model"]["train_length"])
    return _curves_figure(
        raw["curves"][text],
        raw["labels"],
        keys,
        int(raw["bin"]),
        L,
        title=f"SmolLM2-135M (L = {L:,} tokens)"
        if text == "plays"
        else f"SmolLM2-135M on {TEXT_NAMES.get(text, text)}",
        y_title="bits per token",
    )


def tiny_figure(keys: tuple[str, ...] = TINY_SHOWN) -> go.Figure:
    """The lab's Shakespeare model on the same plays, to 2L: bits per character by position, zero-shot,
    plain RoPE and the dynamic methods as generated (TINY_SHOWN), the range over its seeds."""
    raw = _tiny()
    settings = raw["settings"]
    L, bin_width = int(settings["train_length"]), int(settings["position_bin"])
    bins = 2 * L // bin_width
    curves = {
        key: [row[:bins] for row in raw["zero_shot"][key]["by_position"]]
        for key in keys
        if key in raw["zero_shot"]
    }
    labels = {key: raw["variants"][key]["label"] for key in curves}
    return _curves_figure(
        curves,
        labels,
        keys,
        bin_width,
        L,
        title=f"Tiny model (L = {L} characters), dynamic",
        y_title="bits per character",
    )


def paper_figure() -> go.Figure:
    """The YaRN paper's Table 1 on the same axis: Llama 2 7B (L = 4,096) fine-tuned at s = 2,
    Proof-pile perplexity against evaluation length / L."""
    table = published()["yarn_table1"]
    L = 4096
    colors = {"PI s=2": F.METHOD_COLORS["linear"], "NTK theta=20k": F.METHOD_COLORS["ntk"]}
    fig = go.Figure()
    F.shade_window(fig, 0, 1, "trained window")
    x = np.asarray(table["context"], dtype=float) / L
    for name, values in table["rows"].items():
        color = colors.get(name, F.METHOD_COLORS["yarn"])
        F.add_line(fig, x, values, name=name, color=color, mode="lines+markers", hover="%{y:.2f}")
    F.base_layout(
        fig,
        title="Paper: Llama 2 7B, fine-tuned",
        x_title="evaluation length ÷ L (4,096)",
        y_title="perplexity (Proof-pile)",
        height=360,
    )
    return fig.update_xaxes(range=[0, 2.6], dtick=0.5)
