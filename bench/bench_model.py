"""Time `pql model train`, `score`, `check` and `points` on a demo store of a given size.

    .venv/bin/python bench/bench_model.py --accounts 100000 --out bench/out/model-100k
    .venv/bin/python bench/bench_model.py --accounts 1000000 --out bench/out/model-1m
    .venv/bin/python bench/bench_model.py --accounts 1000000 --out bench/out/model-1m \
        --skip-demo --steps train,score

Builds the demo first (`pql demo`, ~5 min at 1M accounts) unless --skip-demo. Each step runs
the real CLI under `/usr/bin/time -v` (wall seconds, peak RSS), `--as-of 2026-11-01`; the
timings, the 1-minute load average before and after each step (the machine is shared), the
held-out metrics and PQL_MEMORY_LIMIT when set are appended to bench/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_core import AS_OF, HERE, PQL, record_result, timed


def main() -> int:
    """Run the steps and record them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "model-100k")
    parser.add_argument("--skip-demo", action="store_true", help="reuse an existing project")
    parser.add_argument("--skip-points", action="store_true", help="do not time `model points`")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}"
    )
    args = parser.parse_args()
    steps = [s for s in args.steps.split(",") if s and not (args.skip_points and s == "points")]
    unknown = set(steps) - set(STEPS)
    if unknown or not {"train", "score"} <= set(steps):
        parser.error(f"--steps: train and score are needed, of {', '.join(STEPS)}")
    project = str(args.out)
    record: dict[str, Any] = {
        "benchmark": "model",
        "accounts": args.accounts,
        "when": datetime.now(UTC).isoformat(),
        "memory_limit": os.environ.get("PQL_MEMORY_LIMIT"),
    }
    if not args.skip_demo:
        record["pql_demo"] = timed(
            [str(PQL), "demo", "--dir", project, "--accounts", str(args.accounts)]
        )
    common = ["-C", project, "--as-of", AS_OF, "--format", "json"]
    for step in steps:
        before = os.getloadavg()[0]
        output = args.out / f"model-{step}.json"
        record[f"pql_model_{step}"] = timed([str(PQL), "model", step, *common], output)
        record[f"pql_model_{step}"]["load_1min"] = [round(before, 2), round(os.getloadavg()[0], 2)]
        print(step, record[f"pql_model_{step}"], flush=True)
    record.update(_summary(args.out / "model-train.json", args.out / "model-score.json"))
    record_result(record, args.out)
    return 0


STEPS = ("train", "score", "check", "points")


def _summary(trained: Path, scored: Path) -> dict[str, Any]:
    """The held-out comparison and the scoring size, from the commands' JSON output."""
    train = json.loads(trained.read_text())
    score = json.loads(scored.read_text())
    metrics = ("roc_auc", "pr_auc", "brier", "ece")
    return {
        "train_entities": train["train"]["entities"],
        "test_entities": train["test"]["entities"],
        "test_conversions": train["test"]["conversions"],
        "calibration": train["model"]["calibration"],
        "held_out": {
            name: {m: report[m] for m in metrics} for name, report in train["validation"].items()
        },
        "final_model_entities": train["final_model"]["entities"],
        "leads_scored": len(score["leads"]),
    }


if __name__ == "__main__":
    raise SystemExit(main())
