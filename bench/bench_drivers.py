"""How often `drivers` labels behaviours "likely driver" on an independent simulator.

    .venv/bin/python bench/bench_drivers.py --seeds 100 --sizes 1500,3000,10000 --null-runs 100

The simulator is tests/test_drivers_confounding.py's (latent engagement seen through activity
measures with R^2 0.8; "Habit" has no effect but strong uptake among engaged users; Integrate
and Invite are true drivers, about +15 and +11 points). For each size and seed it runs the
real analysis (`analyse_matrix`) once and counts, per rule, how often each behaviour would be
labelled a likely driver:

- ``old``: the adjusted 95% interval above zero (the rule before issue 14.6);
- ``holm``: Holm-adjusted p < 0.05 and a positive effect, no E-value requirement;
- ``holm+E>=T``: also the E-value of the interval limit at least T (the shipped rule is T =
  E_VALUE_THRESHOLD).

Complete null: conversions random (10%), unrelated to anything; counts false likely drivers
among all behaviours, and runs with any. Prints a Markdown table; the numbers are counts, so
they do not depend on the machine (only the run time does).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_drivers_confounding import EVENTS, labels, simulate

THRESHOLDS = (1.5, 2.0, 2.5)
ALPHA = 0.05


def rules(row: dict[str, Any]) -> dict[str, bool]:
    """Whether each rule calls the row a likely driver (inconclusive rows never are)."""
    ci = row["effect_ci"]
    old = row["p_value"] is not None and ci is not None and ci[0] > 0
    holm = row["p_holm"] is not None and row["p_holm"] < ALPHA and row["effect"] > 0
    strength = row["e_value_ci"] if row["e_value_ci"] is not None else float("inf")
    out = {"old": old, "holm": holm}
    for t in THRESHOLDS:
        out[f"holm+E>={t:g}"] = holm and strength >= t
    return out


def confounded(sizes: list[int], seeds: int) -> None:
    """Print, per size, likely-driver counts of each behaviour under each rule."""
    names = ["old", "holm", *(f"holm+E>={t:g}" for t in THRESHOLDS)]
    print("| entities | behaviour | true ATT | " + " | ".join(names) + " | E-value CI limit |")
    print("|---" * (4 + len(names)) + "|")
    for n in sizes:
        counts = {e: dict.fromkeys(names, 0) for e in EVENTS}
        e_limits: dict[str, list[float]] = {e: [] for e in EVENTS}
        att: dict[str, list[float]] = {e: [] for e in EVENTS}
        for seed in range(seeds):
            sim = simulate(seed, n=n)
            for event, row in labels(sim).items():
                att[event].append(sim.att[event])
                for name, hit in rules(row).items():
                    counts[event][name] += hit
                if row["e_value_ci"] is not None:
                    e_limits[event].append(row["e_value_ci"])
        for event in EVENTS:
            truth = sum(att[event]) / len(att[event])
            limits = sorted(e_limits[event])
            spread = f"{limits[0]:.2f} / {limits[len(limits) // 2]:.2f} / {limits[-1]:.2f}"
            cells = " | ".join(f"{counts[event][k]}/{seeds}" for k in names)
            print(f"| {n:,} | {event} | {100 * truth:+.1f} | {cells} | {spread} |")


def complete_null(n: int, runs: int) -> None:
    """Print false likely drivers under a complete null."""
    names = ["old", "holm", *(f"holm+E>={t:g}" for t in THRESHOLDS)]
    behaviours = dict.fromkeys(names, 0)
    any_run = dict.fromkeys(names, 0)
    for seed in range(runs):
        hits = dict.fromkeys(names, 0)
        for row in labels(simulate(1000 + seed, n=n, null=True)).values():
            for name, hit in rules(row).items():
                hits[name] += hit
        for name in names:
            behaviours[name] += hits[name]
            any_run[name] += hits[name] > 0
    total = runs * len(EVENTS)
    print(f"\nComplete null, {n:,} entities, {runs} runs x {len(EVENTS)} behaviours:\n")
    print("| rule | behaviours labelled likely driver | runs with any |")
    print("|---|---|---|")
    for name in names:
        share = 100 * behaviours[name] / total
        print(f"| {name} | {behaviours[name]}/{total} ({share:.1f}%) | {any_run[name]}/{runs} |")


def main() -> int:
    """Run both experiments and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--sizes", default="1500,3000,10000")
    parser.add_argument("--null-runs", type=int, default=100)
    parser.add_argument("--null-size", type=int, default=3000)
    args = parser.parse_args()
    started = time.perf_counter()
    confounded([int(s) for s in args.sizes.split(",")], args.seeds)
    complete_null(args.null_size, args.null_runs)
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
