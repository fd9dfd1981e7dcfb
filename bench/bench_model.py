"""Time `pql model train`, `score`, `check` and `points` on a demo store of a given size.

    .venv/bin/python bench/bench_model.py --accounts 100000 --out bench/out/model-100k
    .venv/bin/python bench/bench_model.py --accounts 1000000 --out bench/out/model-1m

Builds the demo first (`pql demo`, ~5 min at 1M accounts) unless --skip-demo. Each step runs
the real CLI under `/usr/bin/time -v` (wall seconds, peak RSS), `--as-of 2026-11-01`; the
timings and the held-out metrics are appended to bench/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
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
    args = parser.parse_args()
    project = str(args.out)
    record: dict[str, Any] = {
        "benchmark": "model",
        "accounts": args.accounts,
        "when": datetime.now(UTC).isoformat(),
    }
    if not args.skip_demo:
        record["pql_demo"] = timed(
            [str(PQL), "demo", "--dir", project, "--accounts", str(args.accounts)]
        )
    common = ["-C", project, "--as-of", AS_OF, "--format", "json"]
    trained = args.out / "model-train.json"
    record["pql_model_train"] = timed([str(PQL), "model", "train", *common], trained)
    scored = args.out / "model-score.json"
    record["pql_model_score"] = timed([str(PQL), "model", "score", *common], scored)
    checked = args.out / "model-check.json"
    record["pql_model_check"] = timed([str(PQL), "model", "check", *common], checked)
    if not args.skip_points:
        points = args.out / "model-points.json"
        record["pql_model_points"] = timed([str(PQL), "model", "points", *common], points)
    record.update(_summary(trained, scored))
    record_result(record, args.out)
    return 0


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
