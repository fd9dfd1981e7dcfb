"""Where our qualification spends its time on a store: DuckDB's profile of the SQL that
`bench/peers/ours.py` runs (`qualification(..., detail=False)`), as a list of operators.

    .venv/bin/python bench/profile_qualify.py bench/out/dense-50m [--top 25] [--json FILE]

Runs the query once with DuckDB's JSON profiling on (the store's own settings, so
PQL_MEMORY_LIMIT applies), then prints the operators by their own time (seconds, share of
the summed operator time), their output rows and what they read or compute (table scanned,
group keys, aggregates, join condition), so the stages (conversion scan, entities,
criteria, active days from the registry) can be told apart. Operator times are CPU-ish
thread times summed over DuckDB's threads, so they add up to more than the wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.peers.common import AS_OF  # noqa: E402

from pqlengine.compute import compiled  # noqa: E402
from pqlengine.compute.qualify import qualification  # noqa: E402
from pqlengine.config import load_project  # noqa: E402
from pqlengine.store import Store  # noqa: E402


def operators(node: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """The profile tree as a flat list (depth first), each with its depth."""
    found = []
    if "operator_name" in node or "operator_type" in node:
        found.append({**node, "depth": depth})
    for child in node.get("children", []):
        found.extend(operators(child, depth + 1))
    return found


def describe(extra: Any, width: int = 150) -> str:
    """The operator's extra_info (a dict in recent DuckDB) on one line."""
    if isinstance(extra, dict):
        text = "; ".join(
            f"{k}: {' '.join(str(v).split())}"
            for k, v in extra.items()
            if k != "Estimated Cardinality"
        )
    else:
        text = " ".join(str(extra).split())
    return text[:width]


def main() -> int:
    """Profile the qualification of a project's store and print its top operators."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("project", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, default=None, help="also keep DuckDB's profile")
    args = parser.parse_args()
    project = load_project(args.project)
    store = Store.for_project(project)
    try:
        sql = compiled.to_sql(store, qualification(store, project, AS_OF, detail=False))
        compiled.set_as_of(store, AS_OF)
        with tempfile.TemporaryDirectory() as scratch:
            target = args.json or Path(scratch) / "profile.json"
            store.raw.execute("SET enable_profiling = 'json'")
            store.raw.execute(f"SET profiling_output = '{target}'")  # else it goes to stdout
            started = time.perf_counter()
            # fetchall: the profile is complete once the result is consumed
            rows = store.raw.execute(f"SELECT count(*) FROM ({sql})").fetchall()
            wall = time.perf_counter() - started
            profile = json.loads(store.raw.get_profiling_information(format="json"))
            store.raw.execute("SET enable_profiling = 'no_output'")
    finally:
        store.close()
    flat = operators(profile)
    total = sum(float(op.get("operator_timing", 0.0)) for op in flat)
    print(
        f"{args.project}: {rows[0][0]} entities, wall {wall:.2f} s, "
        f"summed operator time {total:.2f} s, latency {profile.get('latency', '?')}"
    )
    print("| # | operator | own s | share | rows out | depth | details |")
    print("|---|---|---|---|---|---|---|")
    ranked = sorted(flat, key=lambda op: -float(op.get("operator_timing", 0.0)))
    for rank, op in enumerate(ranked[: args.top], start=1):
        timing = float(op.get("operator_timing", 0.0))
        name = op.get("operator_name") or op.get("operator_type")
        print(
            f"| {rank} | {name} | {timing:.2f} | {timing / total:.0%} "
            f"| {op.get('operator_cardinality', '?'):,} | {op['depth']} "
            f"| {describe(op.get('extra_info', ''))} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
