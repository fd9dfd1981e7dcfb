"""Time and peak memory of `pql demo`, `pql qualify` and `pql metrics` at a given size.

    .venv/bin/python bench/bench_core.py --accounts 1000000 --out bench/out/demo-1m

Each step runs the real CLI under `/usr/bin/time -v` (wall seconds, max RSS) and the
results are appended to bench/results.jsonl with the machine description.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

AS_OF = "2026-11-01"
HERE = Path(__file__).resolve().parent
PQL = Path(sys.executable).with_name("pql")


def timed(args: list[str], stdout: Path | None = None) -> dict[str, float]:
    """Run a command under /usr/bin/time -v; return wall seconds and peak RSS in MB."""
    sink = stdout.open("w") if stdout else subprocess.DEVNULL
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *args],
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        if stdout:
            sink.close()  # type: ignore[union-attr]
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{done.stderr[-2000:]}")
    return usage(done.stderr)


def usage(time_report: str) -> dict[str, float]:
    """Wall seconds and peak RSS in MB from the stderr of `/usr/bin/time -v`."""
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", time_report)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_report)
    assert wall and rss, time_report
    hours = float(wall.group(1) or 0)
    seconds = hours * 3600 + float(wall.group(2)) * 60 + float(wall.group(3))
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(int(rss.group(1)) / 1024, 1)}


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    import duckdb
    import ibis

    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "ibis": ibis.__version__,
        "kernel": platform.release(),
    }


def main() -> int:
    """Run the three steps and record them."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "demo")
    parser.add_argument("--skip-demo", action="store_true", help="reuse an existing project")
    args = parser.parse_args()
    project = str(args.out)
    record: dict[str, object] = {"accounts": args.accounts, "when": datetime.now(UTC).isoformat()}
    if not args.skip_demo:
        record["pql_demo"] = timed(
            [str(PQL), "demo", "--dir", project, "--accounts", str(args.accounts)]
        )
    output = args.out / "qualify.csv"
    record["pql_qualify_csv"] = timed(
        [str(PQL), "qualify", "-C", project, "--as-of", AS_OF, "--format", "csv"], output
    )
    record["entities_written"] = sum(1 for _ in output.open()) - 1
    record["pql_metrics_json"] = timed(
        [str(PQL), "metrics", "-C", project, "--as-of", AS_OF, "--format", "json"]
    )
    record["pql_metrics_week_by_plan"] = timed(
        [
            str(PQL),
            "metrics",
            "-C",
            project,
            "--as-of",
            AS_OF,
            "--period",
            "week",
            "--by",
            "plan",
            "--format",
            "json",
        ]
    )
    record["pql_leads"] = timed([str(PQL), "leads", "-C", project, "--as-of", AS_OF])
    record_result(record, args.out)
    return 0


def record_result(record: dict[str, object], project_dir: Path) -> None:
    """Add the store size and the machine, print the record, append it to results.jsonl."""
    store = project_dir / ".pql" / "taskly.duckdb"
    record["store_mb"] = round(store.stat().st_size / 1e6, 1) if store.exists() else None
    record["machine"] = machine()
    print(json.dumps(record, indent=2))
    with (HERE / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
