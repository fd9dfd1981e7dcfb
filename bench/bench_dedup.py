"""Cost of deduplicating events by event_id when they are read from a user's table.

    .venv/bin/python bench/bench_dedup.py --accounts 30000 --out bench/out/dedup-30k

Generates the demo product once, then reads its events the way a `store:` mapping reads a
user's table (`events_table: main.events`, so no registries) and times `qualify_entities`
and `compute_metrics` in this process, interleaving runs with the read-time deduplication
(the shipped behaviour) and without it (the events declared unique, as before the change).
Appends the result to bench/results.jsonl with the machine description.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import HERE, machine

from pqlengine.compute.metrics import compute_metrics
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project, load_project
from pqlengine.demo import write_demo
from pqlengine.store import Store

AS_OF = datetime(2026, 11, 1)


def mapped(project_dir: Path) -> Project:
    """The demo project reading its own events table as if it were the user's."""
    project = load_project(project_dir)
    config = project.store_config.model_copy(
        update={"events_table": "main.events", "path": project.store_path}
    )
    return project.model_copy(update={"store": config})


def timed_run(project: Project, deduplicate: bool) -> float:
    """Seconds for one qualification plus weekly metrics on a freshly opened store."""
    store = Store.for_project(project)
    assert not store.has_registry
    store.events_unique = not deduplicate
    try:
        start = time.perf_counter()
        qualify_entities(store, project, AS_OF)
        compute_metrics(store, project, AS_OF, "week")
        return time.perf_counter() - start
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=30_000)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "dedup-30k")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (args.out / "pql.yaml").exists():
        write_demo(args.out, args.accounts, 7)
    project = mapped(args.out)
    store = Store.for_project(project)
    events = int(store.con.table("events").count().execute())
    store.close()
    runs: dict[str, list[float]] = {"deduplicated": [], "not_deduplicated": []}
    timed_run(project, True)  # warm the file cache
    for _ in range(args.repeat):
        runs["deduplicated"].append(round(timed_run(project, True), 3))
        runs["not_deduplicated"].append(round(timed_run(project, False), 3))
    medians = {name: statistics.median(values) for name, values in runs.items()}
    record = {
        "benchmark": "dedup_read",
        "when": datetime.now(UTC).isoformat(),
        "project": str(args.out),
        "accounts": args.accounts,
        "events": events,
        "as_of": AS_OF.date().isoformat(),
        "runs": runs,
        "median_seconds": medians,
        "machine": machine(),
    }
    with (HERE / "results.jsonl").open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
