"""Command line: ``python -m yarn_core.lab {train,finetune,evaluate,generate,build-assets,build-smollm}``.

evaluate prints, as its last line, one JSON object with "metric" ("accuracy", "nll" or
"bits_per_char"), "value" and the scaling used (alpha / beta, when not given, suit the
checkpoint's L: ``model.default_betas``). Errors a user can fix (bad checkpoint, setting or
learning rate) print one sentence and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from .assets import ASSET_DIR, PASSKEY_SAMPLES
from .build import build_assets
from .checkpoint import load_checkpoint, save_checkpoint
from .errors import LabError
from .language import generate, sample_prompt
from .language_build import build as build_language
from .model import LAB_METHODS, Scaling, default_betas
from .smollm_build import TEXTS
from .tasks import TASKS
from .train import BASE_SCHEDULES, FINETUNE_SCHEDULE, Progress, evaluate, fine_tune, train


def _scaling(args, train_length: int) -> tuple[Scaling, str]:
    """The scaling the arguments ask for, and where alpha / beta came from."""
    alpha, beta = default_betas(train_length)
    given = args.beta_slow is not None or args.beta_fast is not None
    scaling = Scaling(
        args.method,
        factor=args.scale,
        beta_fast=beta if args.beta_fast is None else args.beta_fast,
        beta_slow=alpha if args.beta_slow is None else args.beta_slow,
        ramp=args.ramp,
        temperature=not args.no_temperature,
    )
    source = "given" if given else f"default for L = {train_length} (alpha {alpha:g}, beta {beta:g})"
    return scaling, source


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
        "--scale",
        type=float,
        required=True,
        help="s = L'/L for the static methods; dynamic_yarn ignores it (s = max(1, T/L) from the "
        "current length T); dynamic_ntk runs at 1 + scale * (T/L - 1), so --scale 1 gives s = T/L",
    )
    parser.add_argument(
        "--beta-fast",
        type=float,
        help="YaRN beta (turns inside L); default 32 (the paper's) when L >= 64 pi ~ 201, else 8: "
        "no pair turns more than L / (2 pi) times inside L",
    )
    parser.add_argument("--beta-slow", type=float, help="YaRN alpha (turns inside L); default 1")
    parser.add_argument("--ramp", choices=("code", "paper"), default=Scaling().ramp)
    parser.add_argument("--no-temperature", action="store_true", help="YaRN without the attention factor")


def _schedule(args, default):
    changes = {
        name: value
        for name, value in (("steps", args.steps), ("batch_size", args.batch_size), ("lr", args.lr))
        if value is not None
    }
    return replace(default, **changes)


def _build(args) -> None:
    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    start = time.perf_counter()
    if not args.skip_synthetic:
        build_assets(args.out, workers=args.workers, log=say)
    if not args.skip_language:
        build_language(tuple(range(args.seeds)), out_dir=Path(args.out), workers=args.workers, log=say)
    print(json.dumps({"out": args.out, "seconds": round(time.perf_counter() - start, 1)}))


def _build_smollm(args) -> None:
    import torch

    from . import smollm_build

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    texts = tuple(args.texts)
    left = None if args.assemble_only else smollm_build.build(texts=texts, minutes=args.minutes, log=say)
    result = smollm_build.assemble(out_dir=Path(args.out))
    done = {text: sorted(curves) for text, curves in result["curves"].items()}
    print(json.dumps({"jobs_left": left, "curves": done, "seconds": round(time.perf_counter() - start, 1)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m yarn_core.lab", description="The YaRN Explorer lab: a tiny RoPE model on CPU."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser(
        "train", help="pre-train a base model with plain RoPE (L = 64; shakespeare: L = 128)"
    )
    p.add_argument("--task", required=True, choices=tuple(TASKS))
    p.add_argument("--out", required=True, help="where to write the .safetensors checkpoint")
    _add_schedule(p)

    p = commands.add_parser("finetune", help="fine-tune a checkpoint at length s * L with a scaling method")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    _add_scaling(p)
    _add_schedule(p)

    p = commands.add_parser(
        "evaluate",
        help="the task metric by the shipped tables' protocol; last line is JSON",
        description="passkey: accuracy averaged over the key depths 0, 0.25, 0.5, 0.75, 1 with "
        "--samples sequences per depth (the shipped table uses 32, seed 0); copy: NLL on --samples "
        "sequences; shakespeare: bits/char on --samples evenly spaced windows of the held-out plays "
        "(the shipped results use 64).",
    )
    p.add_argument("--checkpoint", required=True)
    _add_scaling(p)
    p.add_argument("--length", type=int, required=True, help="sequence length T")
    p.add_argument("--samples", type=int, help="default: 32 per depth (passkey), else 64")
    p.add_argument("--seed", type=int, default=0)

    p = commands.add_parser("generate", help="continue a held-out passage (shakespeare); prints the text")
    p.add_argument("--checkpoint", required=True)
    _add_scaling(p)
    p.add_argument("--prompt", help="the text to continue (default: the shipped samples' prompt)")
    p.add_argument("--chars", type=int, default=256, help="characters to generate")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--seed", type=int, default=0)

    p = commands.add_parser(
        "build-assets",
        help="rebuild every checkpoint and results file in assets/lab (about 25 min on 2 cores)",
    )
    p.add_argument("--out", default=str(ASSET_DIR))
    p.add_argument("--workers", type=int, default=2, help="processes, one torch thread each")
    p.add_argument("--skip-synthetic", action="store_true", help="keep passkey/copy results as they are")
    p.add_argument("--skip-language", action="store_true", help="keep the Shakespeare model as it is")
    p.add_argument("--seeds", type=int, default=3, help="language-model seeds (0 .. n-1)")

    p = commands.add_parser(
        "build-smollm",
        help="real-model results: SmolLM2-135M past its 8k window (hours on 2 cores; resumable)",
    )
    p.add_argument("--out", default=str(ASSET_DIR))
    p.add_argument("--threads", type=int, default=2, help="torch threads")
    p.add_argument("--minutes", type=float, help="start no job after this long (run again to resume)")
    p.add_argument("--texts", nargs="+", choices=sorted(TEXTS), default=list(TEXTS))
    p.add_argument("--assemble-only", action="store_true", help="write smollm.json from finished jobs")

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
                _scaling(args, base.config.train_length)[0],
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
            checkpoint = load_checkpoint(args.checkpoint)
            scaling, source = _scaling(args, checkpoint.config.train_length)
            samples = args.samples or (PASSKEY_SAMPLES if checkpoint.task == "passkey" else 64)
            result = evaluate(checkpoint, scaling, args.length, samples, args.seed)
            result["train_length"] = checkpoint.config.train_length
            result["alpha_beta"] = source
            result["seconds"] = round(time.perf_counter() - start, 3)
            print(json.dumps(result))
        elif args.command == "generate":
            checkpoint = load_checkpoint(args.checkpoint, task="shakespeare")
            scaling, source = _scaling(args, checkpoint.config.train_length)
            prompt = sample_prompt() if args.prompt is None else args.prompt
            text = generate(
                checkpoint, scaling, prompt, args.chars, temperature=args.temperature, seed=args.seed
            )
            print(prompt + text)
            print(json.dumps({"continuation": text, "scaling": scaling.to_dict(), "alpha_beta": source}))
        elif args.command == "build-smollm":
            _build_smollm(args)
        else:
            _build(args)
    except LabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
