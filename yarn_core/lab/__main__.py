"""Command line: ``python -m yarn_core.lab {train,finetune,evaluate,build-assets} ...``.

evaluate prints, as its last line, one JSON object with "metric" ("accuracy" or "nll") and "value".
Errors a user can fix (bad checkpoint, setting or learning rate) print one sentence and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

from .assets import ASSET_DIR
from .build import build_assets
from .checkpoint import load_checkpoint, save_checkpoint
from .errors import LabError
from .model import LAB_METHODS, Scaling
from .tasks import TASKS
from .train import BASE_SCHEDULES, FINETUNE_SCHEDULE, Progress, evaluate, fine_tune, train


def _scaling(args) -> Scaling:
    return Scaling(
        args.method,
        factor=args.scale,
        beta_fast=args.beta_fast,
        beta_slow=args.beta_slow,
        ramp=args.ramp,
        temperature=not args.no_temperature,
    )


def _printer(every: int):
    def show(progress: Progress) -> None:
        if progress.step % every == 0 or progress.step == progress.steps or progress.metric is not None:
            metric = "" if progress.metric is None else f"  metric {progress.metric:.4f}"
            print(
                f"step {progress.step}/{progress.steps}  loss {progress.loss:.4f}{metric}  "
                f"({progress.seconds:.1f} s)",
                file=sys.stderr,
            )

    return show


def _add_schedule(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, help="training steps (default: the recipe's)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=0)


def _add_scaling(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", required=True, choices=LAB_METHODS, help="a yarn_core.METHODS key")
    parser.add_argument(
        "--scale", type=float, required=True, help="s = L'/L (dynamic methods derive it from the length)"
    )
    defaults = Scaling()
    parser.add_argument(
        "--beta-fast", type=float, default=defaults.beta_fast, help="YaRN beta (turns inside L)"
    )
    parser.add_argument(
        "--beta-slow", type=float, default=defaults.beta_slow, help="YaRN alpha (turns inside L)"
    )
    parser.add_argument("--ramp", choices=("code", "paper"), default=defaults.ramp)
    parser.add_argument("--no-temperature", action="store_true", help="YaRN without the attention factor")


def _schedule(args, default):
    changes = {
        name: value
        for name, value in (("steps", args.steps), ("batch_size", args.batch_size), ("lr", args.lr))
        if value is not None
    }
    return replace(default, **changes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m yarn_core.lab", description="The YaRN Explorer lab: a tiny RoPE model on CPU."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("train", help="pre-train a base model at L = 64 with plain RoPE")
    p.add_argument("--task", required=True, choices=tuple(TASKS))
    p.add_argument("--out", required=True, help="where to write the .safetensors checkpoint")
    _add_schedule(p)

    p = commands.add_parser("finetune", help="fine-tune a checkpoint at length s * L with a scaling method")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    _add_scaling(p)
    _add_schedule(p)

    p = commands.add_parser("evaluate", help="the task metric on fresh seeded sequences; last line is JSON")
    p.add_argument("--checkpoint", required=True)
    _add_scaling(p)
    p.add_argument("--length", type=int, required=True, help="sequence length T")
    p.add_argument("--samples", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)

    p = commands.add_parser("build-assets", help="rebuild every checkpoint and results.json in assets/lab")
    p.add_argument("--out", default=str(ASSET_DIR))
    p.add_argument("--workers", type=int, default=2, help="processes, one torch thread each")

    args = parser.parse_args(argv)
    try:
        if args.command == "train":
            checkpoint, log = train(
                args.task,
                schedule=_schedule(args, BASE_SCHEDULES[args.task]),
                seed=args.seed,
                on_progress=_printer(100),
            )
            save_checkpoint(checkpoint, args.out)
            print(
                json.dumps(
                    {
                        "checkpoint": args.out,
                        "task": args.task,
                        "final_loss": log.losses[-1],
                        "seconds": round(log.seconds, 2),
                    }
                )
            )
        elif args.command == "finetune":
            base = load_checkpoint(args.checkpoint)
            tuned, log = fine_tune(
                base,
                _scaling(args),
                schedule=_schedule(args, FINETUNE_SCHEDULE),
                seed=args.seed,
                on_progress=_printer(25),
            )
            save_checkpoint(tuned, args.out)
            print(
                json.dumps(
                    {
                        "checkpoint": args.out,
                        "task": tuned.task,
                        "length": tuned.train_length,
                        "metric_by_step": dict(zip(log.eval_steps, log.eval_values, strict=True)),
                        "seconds": round(log.seconds, 2),
                    }
                )
            )
        elif args.command == "evaluate":
            start = time.perf_counter()
            result = evaluate(
                load_checkpoint(args.checkpoint), _scaling(args), args.length, args.samples, args.seed
            )
            result["seconds"] = round(time.perf_counter() - start, 3)
            print(json.dumps(result))
        else:
            build_assets(args.out, workers=args.workers, log=lambda line: print(line, file=sys.stderr))
    except LabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
