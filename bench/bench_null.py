"""How often `validate` and `discover` claim a difference under a complete null.

    .venv/bin/python bench/bench_null.py --accounts 2000 --draws 100 --out bench/out/null-2k

Writes the demo (`--accounts`, seed 7), points its conversions at the `conversions` table and,
for each draw d = 0..draws-1, replaces them with `pqlengine.demo.null.write_null_conversions`
(seed d: 30% of accounts convert, an exponential time with a 30-day mean after signup,
independent of everything else). Then runs validate (claim: a period with p < 0.05; the two
periods are separate tests) and discover (claim: a ranked candidate with q < 0.05) at
--as-of 2026-11-01 and appends the rates, the mean lifts and the machine to
bench/results.jsonl. Nominal rates: 5% of validate tests, at most 5% of discover draws.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_core import HERE, record_result
from scipy import stats as scipy_stats

from pqlengine.compute.discovery import discover
from pqlengine.compute.validation import validate
from pqlengine.demo import write_demo
from pqlengine.demo.null import null_project, write_null_conversions
from pqlengine.store import Store

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
ALPHA = 0.05


def main() -> int:
    """Run the draws and record the rates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--draws", type=int, default=100)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "null-2k")
    parser.add_argument("--skip", default="", help="comma-separated: validate, discover")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    project = null_project(write_demo(args.out, args.accounts, 7))
    store = Store.for_project(project)
    lifts: dict[str, list[float]] = {"train": [], "test": []}
    validate_claims = discover_claims = 0
    seconds = {"validate": 0.0, "discover": 0.0}
    try:
        for draw in range(args.draws):
            write_null_conversions(store, draw)
            if "validate" not in skip:
                started = time.perf_counter()
                result = validate(store, project, AS_OF)
                seconds["validate"] += time.perf_counter() - started
                for period in ("train", "test"):
                    p_value = result[period]["p_value"]
                    validate_claims += p_value is not None and p_value < ALPHA
                    if result[period]["lift"]:
                        lifts[period].append(result[period]["lift"])
            if "discover" not in skip:
                started = time.perf_counter()
                found = discover(store, project, AS_OF)
                seconds["discover"] += time.perf_counter() - started
                discover_claims += any(
                    "low_support" not in c["flags"]
                    and c["q_value"] is not None
                    and c["q_value"] < ALPHA
                    for c in found["candidates"]
                )
            print(draw, validate_claims, discover_claims, flush=True)
    finally:
        store.close()
    record: dict[str, Any] = {
        "benchmark": "null",
        "when": datetime.now(UTC).isoformat(),
        "accounts": args.accounts,
        "draws": args.draws,
        "as_of": AS_OF.date().isoformat(),
        "seconds": {name: round(value, 1) for name, value in seconds.items()},
    }
    if "validate" not in skip:
        record["validate"] = _rate(validate_claims, 2 * args.draws) | {
            f"mean_lift_{p}": round(sum(v) / len(v), 3) for p, v in lifts.items() if v
        }
        record["validate"] |= {
            f"geometric_mean_lift_{p}": round(math.exp(sum(map(math.log, v)) / len(v)), 3)
            for p, v in lifts.items()
            if v
        }
    if "discover" not in skip:
        record["discover"] = _rate(discover_claims, args.draws)
    record_result(record, args.out)
    return 0


def _rate(claims: int, tests: int) -> dict[str, Any]:
    """Claims out of tests, with an exact (Clopper-Pearson) 95% interval."""
    interval = scipy_stats.binomtest(claims, tests).proportion_ci(0.95, method="exact")
    return {
        "claims": claims,
        "tests": tests,
        "rate": round(claims / tests, 4),
        "rate_ci": [round(interval.low, 4), round(interval.high, 4)],
    }


if __name__ == "__main__":
    raise SystemExit(main())
