"""The live service's lifecycle: how soon a lapse is seen, and what the due lookup costs.

    .venv/bin/python bench/bench_lifecycle_live.py latency --samples 7
    .venv/bin/python bench/bench_lifecycle_live.py due --entities 100000 --repeat 20

`latency`: a real `pql serve` subprocess on loopback with the real clock and the default
`evaluate_every_ms`; per sample, a fresh account qualifies with one event and expires
`--expire-seconds` later with no new event. Reported: `detected_at - lapsed_at` of its
`left`/`lapsed` transition (both written by the server) and, client-side, when the
transition was first seen by polling /api/transitions every 20 ms.
`due`: the evaluator's due lookup (`Evaluator.due`, run only when the earliest
next_change_at has come) and the read of that earliest instant after each commit, over
`--entities` rows of pql_state in a DuckDB file, a third of them with a next_change_at
spread over 30 days, 0.1% due now.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import machine
from tests.live.harness import LiveServer, write_project


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def latency(samples: int, expire_seconds: float) -> dict[str, Any]:
    """Seconds from each lapse's instant to its detection (server) and visibility (client)."""
    directory = Path(tempfile.mkdtemp(prefix="bench-lifecycle-"))
    definition = {
        "name": "expiring",
        "criteria": [{"id": "used", "event": "Used App", "at_least": 1}],
        "qualify": "all",
        "expire_after_inactive_days": expire_seconds / 86400,
        "fit": {"min_employees": 5},
    }
    project = write_project(directory, None, definition=definition, live={})
    server = LiveServer(project).start()
    detected, seen = [], []
    try:
        for index in range(samples):
            account = f"acct{index}"
            sent = datetime.now(UTC)
            batch = [
                {"type": "group", "userId": f"{account}-u", "groupId": account,
                 "messageId": f"{account}-g", "traits": {"employees": 12,
                 "createdAt": (sent - timedelta(days=1)).isoformat()}},
                {"type": "track", "userId": f"{account}-u", "event": "Used App",
                 "messageId": f"{account}-e", "context": {"groupId": account},
                 "timestamp": sent.isoformat()},
            ]  # fmt: skip
            assert server.post("/v1/batch", {"batch": batch}).status_code == 200
            while True:
                items = server.api("/api/transitions", entity_id=account, kind="left")["items"]
                if items:
                    break
                time.sleep(0.02)
            now = datetime.now(UTC)
            (left,) = items
            assert left["cause"] == "lapsed", left
            lapsed_at = _parse(left["lapsed_at"])
            detected.append((_parse(left["detected_at"]) - lapsed_at).total_seconds())
            seen.append((now - lapsed_at).total_seconds())
    finally:
        server.stop()
    return {
        "samples": samples,
        "expire_seconds": expire_seconds,
        "evaluate_every_ms": 100,
        "detected_after_s": {"median": statistics.median(detected), "all": detected},
        "seen_by_client_after_s": {"median": statistics.median(seen), "all": seen},
    }


def due(entities: int, repeat: int) -> dict[str, Any]:
    """Median milliseconds of the due lookup and the wake-up read over `entities` rows."""
    from pqlengine.config import load_project
    from pqlengine.live.evaluator import Evaluator
    from pqlengine.live.tables import ensure_live_tables
    from pqlengine.store import Store

    directory = Path(tempfile.mkdtemp(prefix="bench-due-"))
    recipe = Path(__file__).resolve().parents[1] / "tests/fixtures/lifecycle/pql.yaml"
    (directory / "pql.yaml").write_text(recipe.read_text())
    project = load_project(directory)
    store = Store.for_project(project)
    ensure_live_tables(store)
    now = datetime(2026, 3, 1, 12, 0)
    # A third rolling (next_change_at within 30 days, 1 in 1000 already due), the rest null.
    store.raw.execute(
        f"""INSERT INTO pql_state (entity_id, definition_version, status, next_change_at)
        SELECT 'a' || i, 'v', 'pql',
          CASE WHEN i % 1000 = 0 THEN TIMESTAMP '{now}' - INTERVAL 1 HOUR
               WHEN i % 3 = 0 THEN TIMESTAMP '{now}' + to_seconds(hash(i) % 2592000)
          END
        FROM range({entities}) t(i)"""
    )
    store.raw.execute("CHECKPOINT")
    evaluator = Evaluator(store, project, [], clock=lambda: now.replace(tzinfo=UTC))
    lookup, wake = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        found = evaluator.due(now)
        lookup.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        evaluator._read_next_change()
        wake.append((time.perf_counter() - started) * 1000)
    store.close()
    return {
        "entities": entities,
        "due_now": len(found),
        "due_scan_ms": {"median": statistics.median(lookup), "max": max(lookup)},
        "earliest_read_after_commit_ms": {"median": statistics.median(wake), "max": max(wake)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("latency", "due"))
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--expire-seconds", type=float, default=3.0)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if args.part == "latency":
        result = latency(args.samples, args.expire_seconds)
    else:
        result = due(args.entities, args.repeat)
    print(json.dumps({"benchmark": f"lifecycle_{args.part}", **result, "machine": machine()}))


if __name__ == "__main__":
    main()
