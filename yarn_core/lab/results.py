"""The shipped results (``assets/lab/results.json``) as typed, frozen values, read once.

``python -m yarn_core.lab build-assets`` writes the file (``build.py``); this module reads it:
every list "per seed" follows ``settings.seeds`` (seed k = pre-training seed k, then fine-tuning
seed k), every list per length follows ``settings.lengths``, passkey grids are lengths x depths.

    settings   LabSettings: lengths, depths, seeds, samples, targets, schedules, ...
    variants   the shipped scalings, each with its label
    base       per task: one BaseRun per seed (pre-training time, loss every 10 steps)
    zero_shot  per task and variant: the base models' sweeps at s = T / L, one per seed
    finetune   per task and variant: the fine-tunes at s = finetune_factor, one per seed

Nothing here needs Streamlit or Plotly; the app draws these values.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .assets import ASSET_DIR, RESULTS_NAME
from .errors import LabError
from .model import Scaling
from .tasks import get_task
from .train import Schedule, higher_is_better


def _floats(values) -> np.ndarray:
    """A (nested) JSON list as a float array, NaN where it holds None."""
    return np.array(
        [np.nan if v is None else v for v in np.ravel(np.array(values, dtype=object))], dtype=float
    ).reshape(np.shape(values))


def metric_key(task: str) -> str:
    """The sweep field holding the task metric per length."""
    return "by_length" if get_task(task).metric == "accuracy" else "nll_by_length"


@dataclass(frozen=True, eq=False)
class Sweep:
    """One model under one scaling over the evaluation lengths (what ``train.sweep`` returns):
    ``metric`` per length (passkey accuracy, or the loss on copied tokens in nats); for passkey the
    accuracy per (length, key depth), for copy the loss by position per length (NaN where a bin
    holds no copied token) and the bins' edges."""

    task: str
    lengths: tuple[int, ...]
    metric: np.ndarray
    depths: tuple[float, ...] = ()
    accuracy: np.ndarray | None = None
    position_edges: np.ndarray | None = None
    nll_by_position: np.ndarray | None = None

    @classmethod
    def from_dict(cls, task: str, raw: dict) -> Sweep:
        lengths = tuple(int(length) for length in raw["lengths"])
        metric = _floats(raw[metric_key(task)])
        if task == "passkey":
            return cls(task, lengths, metric, tuple(raw["depths"]), accuracy=_floats(raw["accuracy"]))
        return cls(
            task,
            lengths,
            metric,
            position_edges=_floats(raw["position_edges"]),
            nll_by_position=_floats(raw["nll_by_position"]),
        )


class SeedSpread:
    """Mean and range (min, max) over the seeds of a subclass's ``values``, (seeds, points)."""

    @property
    def mean(self) -> np.ndarray:
        return self.values.mean(axis=0)

    @property
    def low(self) -> np.ndarray:
        return self.values.min(axis=0)

    @property
    def high(self) -> np.ndarray:
        return self.values.max(axis=0)


@dataclass(frozen=True, eq=False)
class SeedSweeps(SeedSpread):
    """The same evaluation of every seed's model: one sweep per seed, and per length the metric's
    mean and range (min, max) over the seeds."""

    seeds: tuple[int, ...]
    sweeps: tuple[Sweep, ...]

    def of_seed(self, seed: int) -> Sweep:
        return self.sweeps[self.seeds.index(seed)]

    @property
    def values(self) -> np.ndarray:
        """The metric per seed and length, (seeds, lengths)."""
        return np.stack([sweep.metric for sweep in self.sweeps])


@dataclass(frozen=True, eq=False)
class FineTuneRuns:
    """Every seed's fine-tune with one variant at s = finetune_factor: the metric at ``steps``
    (step 0 is the base model) per seed, with its mean and range (min, max) per step; the first
    step that reached the target per seed (None: not within the run); the sweeps after
    fine-tuning (s kept at finetune_factor); the seconds each run took."""

    checkpoint: str
    seeds: tuple[int, ...]
    steps: np.ndarray
    curves: np.ndarray  # (seeds, steps)
    steps_to_target: tuple[int | None, ...]
    final: SeedSweeps
    seconds: tuple[float, ...]

    @property
    def mean(self) -> np.ndarray:
        return self.curves.mean(axis=0)

    @property
    def low(self) -> np.ndarray:
        return self.curves.min(axis=0)

    @property
    def high(self) -> np.ndarray:
        return self.curves.max(axis=0)


@dataclass(frozen=True)
class BaseRun:
    """One seed's pre-training at L with plain RoPE: its schedule, time, last loss, and the
    training loss averaged over every 10 steps."""

    seed: int
    schedule: Schedule
    seconds: float
    final_loss: float
    loss_every_10: tuple[float, ...]


@dataclass(frozen=True)
class Variant:
    """A shipped scaling and its label."""

    key: str
    label: str
    scaling: Scaling


@dataclass(frozen=True)
class LabSettings:
    """How the shipped results were made."""

    train_length: int
    lengths: tuple[int, ...]
    depths: tuple[float, ...]
    seeds: tuple[int, ...]
    eval_seed: int
    samples: dict[str, int]  # per task: sequences per passkey cell, or per copy length
    finetune_factor: int
    curve_every: int
    curve_samples: int
    targets: dict[str, float]  # recovery: accuracy at least, or loss at most, this
    base_schedules: dict[str, Schedule]
    finetune_schedule: Schedule
    torch: str
    build_seconds: float
    workers: int

    @property
    def finetune_length(self) -> int:
        """s L: the length the fine-tunes train at."""
        return self.finetune_factor * self.train_length


@dataclass(frozen=True, eq=False)
class LabResults:
    """Everything in results.json. ``digest`` (sha256 of the file) is a cheap cache key."""

    settings: LabSettings
    variants: dict[str, Variant]
    base_runs: dict[str, tuple[BaseRun, ...]]
    zero_shot_runs: dict[str, dict[str, SeedSweeps]]
    finetune_runs: dict[str, dict[str, FineTuneRuns]]
    digest: str

    def variant(self, key: str) -> Variant:
        if key not in self.variants:
            raise LabError(f"The shipped results have no variant {key!r}.")
        return self.variants[key]

    def base(self, task: str) -> tuple[BaseRun, ...]:
        return _entry(self.base_runs, "base", task)

    def zero_shot(self, task: str, variant: str) -> SeedSweeps:
        """The base models under ``variant``, s = T / L at each length, one sweep per seed."""
        return _entry(_entry(self.zero_shot_runs, "zero_shot", task), "zero_shot", task, variant)

    def finetune(self, task: str, variant: str) -> FineTuneRuns:
        return _entry(_entry(self.finetune_runs, "finetune", task), "finetune", task, variant)

    def zero_shot_variants(self, task: str) -> tuple[str, ...]:
        return tuple(_entry(self.zero_shot_runs, "zero_shot", task))

    def finetuned_variants(self, task: str) -> tuple[str, ...]:
        return tuple(_entry(self.finetune_runs, "finetune", task))

    def higher_is_better(self, task: str) -> bool:
        """Passkey accuracy: higher is better; copy loss: lower is."""
        return higher_is_better(task)

    def vocab_size(self, task: str) -> int:
        return get_task(task).vocab_size


def _entry(mapping: dict, section: str, task: str, variant: str | None = None):
    key = task if variant is None else variant
    if key not in mapping:
        where = task if variant is None else f"{task} / {variant}"
        raise LabError(f"The shipped results have no {section} entry for {where}.")
    return mapping[key]


def _schedule(raw: dict) -> Schedule:
    return Schedule(**raw)


def parse_results(raw: dict, digest: str = "") -> LabResults:
    """results.json's content as LabResults (KeyError / TypeError / ValueError if a part is missing)."""
    s = raw["settings"]
    settings = LabSettings(
        train_length=int(s["train_length"]),
        lengths=tuple(int(length) for length in s["lengths"]),
        depths=tuple(float(depth) for depth in s["depths"]),
        seeds=tuple(int(seed) for seed in s["seeds"]),
        eval_seed=int(s["eval_seed"]),
        samples=dict(s["samples"]),
        finetune_factor=int(s["finetune_factor"]),
        curve_every=int(s["curve_every"]),
        curve_samples=int(s["curve_samples"]),
        targets=dict(s["targets"]),
        base_schedules={task: _schedule(schedule) for task, schedule in s["base_schedules"].items()},
        finetune_schedule=_schedule(s["finetune_schedule"]),
        torch=str(s["torch"]),
        build_seconds=float(s["build_seconds"]),
        workers=int(s["workers"]),
    )
    variants = {
        key: Variant(key, entry["label"], Scaling(**entry["scaling"]))
        for key, entry in raw["variants"].items()
    }
    base = {
        task: tuple(
            BaseRun(
                seed=int(record["seed"]),
                schedule=_schedule(record["schedule"]),
                seconds=float(record["seconds"]),
                final_loss=float(record["final_loss"]),
                loss_every_10=tuple(losses),
            )
            for record, losses in zip(entry["records"], entry["loss_every_10"], strict=True)
        )
        for task, entry in raw["base"].items()
    }
    zero_shot = {
        task: {variant: _seed_sweeps(task, entry["seeds"], entry["sweeps"]) for variant, entry in by.items()}
        for task, by in raw["zero_shot"].items()
    }
    finetune = {
        task: {
            variant: FineTuneRuns(
                checkpoint=entry["checkpoint"],
                seeds=tuple(entry["seeds"]),
                steps=np.asarray(entry["steps"]),
                curves=np.asarray(entry["curves"], dtype=float),
                steps_to_target=tuple(entry["steps_to_target"]),
                final=_seed_sweeps(task, entry["seeds"], entry["final"]),
                seconds=tuple(float(seconds) for seconds in entry["seconds"]),
            )
            for variant, entry in by.items()
        }
        for task, by in raw["finetune"].items()
    }
    return LabResults(settings, variants, base, zero_shot, finetune, digest)


def _seed_sweeps(task: str, seeds: list[int], sweeps: list[dict]) -> SeedSweeps:
    if len(seeds) != len(sweeps):
        raise ValueError(f"{len(sweeps)} sweeps for {len(seeds)} seeds")
    return SeedSweeps(tuple(seeds), tuple(Sweep.from_dict(task, sweep) for sweep in sweeps))


@lru_cache(maxsize=4)
def load_results(asset_dir: str = str(ASSET_DIR)) -> LabResults:
    """The shipped results.json, read and checked once."""
    path = Path(asset_dir) / RESULTS_NAME
    rebuild = "rebuild it with `python -m yarn_core.lab build-assets`"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LabError(f"No lab results at {path}: run `python -m yarn_core.lab build-assets`.") from None
    try:
        raw = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise LabError(f"{path} is not valid JSON ({err}); {rebuild}.") from None
    try:
        return parse_results(raw, hashlib.sha256(data).hexdigest())
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise LabError(f"{path} does not hold what the lab expects ({err!r}); {rebuild}.") from None


# ----------------------------------------------------------------------------------------------
# The language model (assets/lab/shakespeare.json, written by language_build.py)

LANGUAGE_RESULTS_NAME = "shakespeare.json"


@dataclass(frozen=True, eq=False)
class Spread(SeedSpread):
    """One quantity for every seed, (seeds, points): its mean and range (min, max) per point."""

    values: np.ndarray


@dataclass(frozen=True, eq=False)
class LanguageRun:
    """One variant's bits/char on the held-out plays, per seed: ``by_length`` follows ``lengths``;
    ``by_position`` is the mean over bins of ``position_bin`` positions of 8L windows."""

    label: str
    scaling: Scaling
    by_length: Spread
    by_position: Spread


@dataclass(frozen=True, eq=False)
class LanguageFineTune:
    """One method fine-tuned at 4L with s = 4: bits/char at 4L every ``steps`` (step 0 = the base
    model zero-shot) per seed, the first step within 5% of the seed's in-window score (None: not
    within the run), and after tuning every length at the fixed s = 4."""

    checkpoint: str
    steps: np.ndarray
    curves: Spread
    steps_to_within: tuple[int | None, ...]
    tuned: LanguageRun
    seconds: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class LanguageResults:
    """Everything in shakespeare.json; ``settings`` stays the raw dict (documented in the file)."""

    settings: dict
    seeds: tuple[int, ...]
    train_length: int
    lengths: tuple[int, ...]
    position_bin: int
    in_window: np.ndarray  # per seed: the base model's bits/char at L with plain RoPE
    zero_shot: dict[str, LanguageRun]
    finetune: dict[str, LanguageFineTune]
    samples: dict
    digest: str

    @property
    def positions(self) -> np.ndarray:
        """The centre of each position bin (1-based character positions)."""
        n = len(next(iter(self.zero_shot.values())).by_position.mean)
        return (np.arange(n) + 0.5) * self.position_bin

    def at(self, run: LanguageRun, length: int) -> np.ndarray:
        """Per seed bits/char of ``run`` at evaluation length T."""
        return run.by_length.values[:, self.lengths.index(length)]


def parse_language(raw: dict, digest: str = "") -> LanguageResults:
    s = raw["settings"]
    labels = {key: (entry["label"], Scaling(**entry["scaling"])) for key, entry in raw["variants"].items()}

    def run(key: str, entry: dict) -> LanguageRun:
        label, scaling = labels[key]
        return LanguageRun(
            label,
            scaling,
            Spread(np.asarray(entry["by_length"], dtype=float)),
            Spread(np.asarray(entry["by_position"], dtype=float)),
        )

    finetune = {
        key: LanguageFineTune(
            checkpoint=str(entry["checkpoint"]),
            steps=np.asarray(entry["steps"], dtype=int),
            curves=Spread(np.asarray(entry["curves"], dtype=float)),
            steps_to_within=tuple(entry["steps_to_within"]),
            tuned=run(key, entry),
            seconds=tuple(float(v) for v in entry["seconds"]),
        )
        for key, entry in raw["finetune"].items()
    }
    return LanguageResults(
        settings=s,
        seeds=tuple(int(seed) for seed in s["seeds"]),
        train_length=int(s["train_length"]),
        lengths=tuple(int(length) for length in s["lengths"]),
        position_bin=int(s["position_bin"]),
        in_window=np.asarray(raw["base"]["in_window_bits"], dtype=float),
        zero_shot={key: run(key, entry) for key, entry in raw["zero_shot"].items()},
        finetune=finetune,
        samples=dict(raw["samples"]),
        digest=digest,
    )


@lru_cache(maxsize=4)
def load_language_results(asset_dir: str = str(ASSET_DIR)) -> LanguageResults:
    """The shipped shakespeare.json, read and checked once."""
    path = Path(asset_dir) / LANGUAGE_RESULTS_NAME
    rebuild = "rebuild it with `python -m yarn_core.lab build-assets`"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LabError(f"No language-model results at {path}: {rebuild}.") from None
    try:
        parsed = parse_language(json.loads(data), hashlib.sha256(data).hexdigest())
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as err:
        raise LabError(f"{path} does not hold what the lab expects ({err!r}); {rebuild}.") from None
    if not all(np.isfinite(r.by_length.values).all() for r in parsed.zero_shot.values()):
        raise LabError(f"{path} holds non-finite bits/char; {rebuild}.")
    return parsed
