"""A fast check of the benchmark's wiring, no browser and no server (a few seconds):

    python -m tests.perf.check_bench

It imports the benchmark and the interaction module, runs ``python -m tests.perf.bench --help`` as
the README names it, checks that bad ``--pages``/``--control``/``--presses`` values are refused,
and checks the interaction figures (median, p95, ratio, goals) on made-up presses. Exit status 1 on
the first failure.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys

from tests.perf import bench, interaction
from tests.support import ROOT


def presses(*repaint_ms: float) -> interaction.Series:
    timing = {"sent_ms": 1.0, "running_ms": 2.0, "finished_ms": 3.0, "runs": 1, "last_change": "stSlider"}
    timing |= {"charts_changed": True, "graphs_new": 1, "graphs": 3}
    return interaction.Series(presses=[{**timing, "repaint_ms": value} for value in repaint_ms])


def refused(argv: list[str]) -> bool:
    """Whether the benchmark's parser rejects ``argv`` (argparse exits with status 2)."""
    with contextlib.redirect_stderr(io.StringIO()):
        try:
            bench.parse_args(argv)
        except SystemExit as exit_:
            return exit_.code == 2
    return False


def check(condition: bool, failure: str) -> None:
    if not condition:
        raise SystemExit(f"benchmark wiring: {failure}")


def main() -> int:
    shown = subprocess.run(
        [sys.executable, "-m", "tests.perf.bench", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    check(shown.returncode == 0, shown.stderr)
    for option in ("--interaction", "--skip-interaction", "--pages", "--presses", "--control"):
        check(option in shown.stdout, f"--help does not show {option}")

    args = bench.parse_args(["--interaction", "--pages", "compare,rope", "--control", "rope=Pair index"])
    check(args.interaction and args.pages == ["compare", "rope"], f"parsed {args}")
    check(args.overrides == {"rope": "Pair index"}, f"--control parsed as {args.overrides}")
    for bad in (["--pages", "nowhere"], ["--pages", ","], ["--control", "rope"], ["--presses", "0"]):
        check(refused(bad), f"{bad} is accepted")
    check(refused(["--interaction", "--skip-interaction"]), "--interaction with --skip-interaction")

    bare, page = presses(100, 100, 120, 80), presses(150, 140, 160, 150)
    check(bare.median() == 100 and page.median() == 150, "median")
    # p95 between the two highest of 140, 150, 150, 160: 150 + (3 x 0.95 - 2) x 10
    check(abs(page.p95() - 158.5) < 1e-9, f"p95 {page.p95()}")
    summary = page.summary(bare)
    check(summary["ratio"] == 1.5 and summary["phases_ms"]["finished_ms"] == 3.0, f"summary {summary}")
    check(summary["graphs_new"] == 1 and summary["graphs"] == 3, f"graphs drawn anew {summary}")
    check(interaction.within_goals(summary, summary) is True, "1.5x with a tight p95 is within the goals")
    slow = presses(150, 150, 150, 700).summary(bare)  # p95 over twice the median
    check(interaction.within_goals(summary, slow) is False, "a p95 over 2x the median is not")
    check(interaction.within_goals(summary, interaction.Series().summary(bare)) is None, "unmeasured")
    plan = interaction.press_plan(repeats=3, room=2)  # room for the warm-up and one new value
    check(
        plan == [(None, True), ("uncached", True), ("cached", False), ("cached", True), ("cached", False)],
        f"{plan}",
    )
    check(interaction.press_plan(repeats=2, room=50)[1:3] == [("uncached", True)] * 2, "the walk")
    sidebar_s = {"key": "s", "label": "Scale s", "area": "sidebar", "folded": False, "usable": True}
    folded = {"key": "a", "label": "alpha", "area": "main", "folded": True, "usable": True}
    seed = {"key": "seed", "label": "Seed", "area": "main", "folded": False, "usable": True}
    check(interaction.pick_slider([sidebar_s, folded, seed], None) is seed, "the first unfolded main slider")
    check(interaction.pick_slider([sidebar_s, folded], None) is folded, "else a folded one")
    check(interaction.pick_slider([sidebar_s], None) is sidebar_s, "else the sidebar's s")
    check(interaction.pick_slider([sidebar_s, seed], "SCALE") is sidebar_s, "an override by label")
    for sliders, label in (([], None), ([seed], "nowhere")):
        try:
            interaction.pick_slider(sliders, label)
        except interaction.SliderNotFound:
            continue
        check(False, f"a slider found in {sliders} for {label!r}")
    print("benchmark wiring: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
