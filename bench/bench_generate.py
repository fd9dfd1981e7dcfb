"""Time the demo generator: `python bench/bench_generate.py --accounts 100000`."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pqlengine.demo import generate_files


def main(argv: list[str] | None = None) -> int:
    """Generate the demo files once and print sizes and wall-clock seconds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pql-bench-") as scratch:
        out = args.out or Path(scratch)
        started = time.perf_counter()
        files = generate_files(out, n_accounts=args.accounts, seed=args.seed, on_progress=_progress)
        seconds = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in files.event_files) / 1e6
    print(file=sys.stderr)
    print(
        f"accounts={files.accounts} users={files.users} events={files.events} "
        f"conversions={files.conversions} event_files={len(files.event_files)} "
        f"events_mb={size_mb:.1f} seconds={seconds:.2f} "
        f"events_per_second={files.events / seconds:,.0f}"
    )
    return 0


def _progress(done: int, total: int) -> None:
    print(f"\r{done}/{total} accounts", end="", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
