"""The lab: a tiny RoPE transformer trained on CPU to watch context extension fail and recover.

Importing this package imports torch and caps torch at ``LIVE_THREADS`` intra-op threads, so one
reader's training cannot starve the server (each concurrent run then uses one core), and runs are
reproducible (results do not depend on the machine's core count).

What a page calls (all plain values in, cached where it matters):
    load_results()                                     the shipped numbers per seed, typed (results.py)
    load_shipped(task, variant)                       a shipped checkpoint, cached, frozen, shared
    live_sweep(task, scaling, samples=...)             evaluate a shipped model now
    attention_view(checkpoint, scaling, length, ...)   one head's attention map and entropy
    fine_tune(checkpoint, scaling, on_progress=...)    train a private copy at s * L
    train(task, on_progress=...)                       pre-train from scratch (1-2 minutes)
"""

import torch

LIVE_THREADS = 1
torch.set_num_threads(LIVE_THREADS)

from .assets import (  # noqa: E402  (torch is configured first)
    DEPTHS,
    FINETUNED,
    LENGTHS,
    PAGE_SAMPLES,
    TARGETS,
    VARIANTS,
    finetune_scaling,
    live_sweep,
    load_shipped,
)
from .checkpoint import Checkpoint, load_checkpoint, save_checkpoint  # noqa: E402
from .errors import LabError  # noqa: E402
from .model import GPT, LAB_METHODS, ModelConfig, Scaling  # noqa: E402
from .results import LabResults, SeedSweeps, Sweep, load_results  # noqa: E402
from .tasks import TASKS, CopyTask, PasskeyTask, get_task  # noqa: E402
from .train import (  # noqa: E402
    BASE_SCHEDULES,
    FINETUNE_SCHEDULE,
    AttentionView,
    Progress,
    Schedule,
    TrainLog,
    attention_view,
    copy_profile,
    evaluate,
    fine_tune,
    matched,
    passkey_grid,
    sweep,
    train,
)

__all__ = [
    "BASE_SCHEDULES",
    "DEPTHS",
    "FINETUNED",
    "FINETUNE_SCHEDULE",
    "GPT",
    "LAB_METHODS",
    "LENGTHS",
    "LIVE_THREADS",
    "PAGE_SAMPLES",
    "TARGETS",
    "TASKS",
    "VARIANTS",
    "AttentionView",
    "Checkpoint",
    "CopyTask",
    "LabError",
    "LabResults",
    "ModelConfig",
    "PasskeyTask",
    "Progress",
    "Scaling",
    "Schedule",
    "SeedSweeps",
    "Sweep",
    "TrainLog",
    "attention_view",
    "copy_profile",
    "evaluate",
    "fine_tune",
    "finetune_scaling",
    "get_task",
    "live_sweep",
    "load_checkpoint",
    "load_results",
    "load_shipped",
    "matched",
    "passkey_grid",
    "save_checkpoint",
    "sweep",
    "train",
]
