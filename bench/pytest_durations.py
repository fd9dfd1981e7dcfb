"""Per-file test durations from pytest JUnit XML files (`pytest --junitxml=run.xml`).

    .venv/bin/python bench/pytest_durations.py before.xml after.xml

Prints, for each test file, the summed duration of its tests (call plus the setup and
teardown pytest attributes to it) in each run, largest first, and the totals. Seconds."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def per_file(report: Path) -> dict[str, float]:
    """Seconds per test file (from each test case's classname, `tests.test_x[.Class]`)."""
    totals: dict[str, float] = defaultdict(float)
    for case in ET.parse(report).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        modules = [p for p in parts if p.startswith("test_")]
        name = "/".join(parts[: parts.index(modules[0]) + 1]) + ".py" if modules else "?"
        totals[name] += float(case.get("time", "0"))
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    runs = [per_file(path) for path in args.reports]
    names = sorted(set().union(*runs), key=lambda n: -max(run.get(n, 0.0) for run in runs))
    header = " | ".join(path.name for path in args.reports)
    print(f"| file | {header} |")
    print("|---|" + "---|" * len(runs))
    for name in names[: args.top]:
        cells = " | ".join(f"{run[name]:.1f}" if name in run else "-" for run in runs)
        print(f"| {name} | {cells} |")
    totals = " | ".join(f"{sum(run.values()):.1f}" for run in runs)
    print(f"| total | {totals} |")


if __name__ == "__main__":
    main()
