"""Time a warm evaluator pass in process, statement by statement, on a served store.

    .venv/bin/python bench/profile_live_pass.py --project /tmp/x1m --entities 500 \
        --cached 20000

Opens the project's store (no `pql serve` may be running on it), caches `--cached`
entities sampled from `pql_state` with one pass (a cold read of `events`), then runs
`--passes` passes over `--entities` of them (warm: no new events) and prints each pass's
duration and the statements that took most of them, per pass. Nothing is committed that
a later pass of the service would not redo: the passes rewrite the same entities' states.
The DuckDB threads are DuckDB's default (the service runs one fewer than the cores).
"""

from __future__ import annotations

import argparse
import collections
import statistics
import time
from pathlib import Path
from typing import Any

from pqlengine.config import load_project
from pqlengine.live.evaluator import Evaluator, _done, _top_seq
from pqlengine.store import Store


class _Timed:
    """A DuckDB connection whose `execute` adds its duration to `spent` by statement."""

    def __init__(self, raw: Any, spent: dict[str, float]) -> None:
        self._raw = raw
        self._spent = spent

    def execute(self, sql: str, *args: Any) -> Any:
        started = time.perf_counter()
        result = self._raw.execute(sql, *args)
        self._spent[" ".join(sql.split())[:100]] += time.perf_counter() - started
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--entities", type=int, default=500, help="entities per timed pass")
    parser.add_argument("--cached", type=int, default=20_000, help="entities cached first")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    project = load_project(args.project)
    store = Store.open(project.store_path)
    evaluator = Evaluator(store, project, [])
    evaluator.cache.defer_cold = False
    raw = store.raw
    sample = f"SELECT entity_id FROM pql_state USING SAMPLE {int(args.cached)} ROWS"
    ids = sorted(r[0] for r in raw.execute(sample).fetchall())
    evaluator.evaluate_inbox()
    done, top = _done(store), _top_seq(raw)
    started = time.perf_counter()
    evaluator.evaluate(ids, "events", top, done)
    filling = (time.perf_counter() - started) * 1000
    cache = evaluator.cache
    print(f"cached {cache.entities()} entities, {cache.rows()} rows in {filling:.0f} ms")
    spent: dict[str, float] = collections.defaultdict(float)
    # The evaluator's own connection (a cursor of the store), which every pass statement uses.
    own = evaluator._store
    own._raw = _Timed(own.raw, spent)  # type: ignore[assignment]
    chosen = ids[: args.entities]
    durations = []
    for _ in range(args.passes):
        started = time.perf_counter()
        evaluator.evaluate(chosen, "events", top, done)
        durations.append((time.perf_counter() - started) * 1000)
    shown = ", ".join(f"{d:.0f}" for d in durations)
    print(f"passes of {len(chosen)}: {shown} ms (median {statistics.median(durations):.0f})")
    for sql, seconds in sorted(spent.items(), key=lambda item: -item[1])[:8]:
        print(f"{seconds * 1000 / args.passes:8.1f} ms/pass  {sql}")


if __name__ == "__main__":
    main()
