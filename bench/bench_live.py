"""Sustained ingest throughput of `pql serve` (durability on) and event-to-webhook latency.

    .venv/bin/python bench/bench_live.py --seconds 60 --senders 4 --batch 100
    .venv/bin/python bench/bench_live.py --seconds 30 --reads api --readers 4


A real `pql serve` subprocess on loopback; sender threads post Segment batches of `track`
calls for a pool of accounts as fast as acknowledgements come back (every 200 means the
events are committed to the DuckDB file). Meanwhile a probe thread, every `--probe-every`
seconds, sends the one event that makes a fresh account qualify and notes the time; the
webhook receiver (in this process, same monotonic clock) notes when that account's signed
`pql.entered` webhook arrives. With `--reads api` (or `cli`), `--readers` threads meanwhile
read the cohort metrics in a loop, by GET /api/metrics (or by `pql metrics`, which runs
through the service), to see what reads cost ingest and alerts. Load generator, server
and receiver share the machine's cores, as they would on a small box; the result is
appended to bench/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import machine
from tests.live.harness import API_TOKEN, WRITE_KEY, LiveServer, Receiver, write_project

HERE = Path(__file__).resolve().parent
EVENTS = ["Page Viewed", "Page Viewed", "Session Started", "Added Task", "Uploaded Asset"]


def _group_batch(prefix: str, count: int) -> list[dict[str, object]]:
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    return [
        {"type": "group", "userId": f"{prefix}-u{i}", "groupId": f"{prefix}-{i}",
         "messageId": f"{prefix}-g{i}",
         "traits": {"name": f"{prefix} {i}", "employees": 25, "createdAt": created}}
        for i in range(count)
    ]  # fmt: skip


def _sender(url: str, number: int, batch: int, pool: int, stop: threading.Event,
            acked: list[int], failures: list[str]) -> None:  # fmt: skip
    client = httpx.Client(auth=(WRITE_KEY, ""), timeout=30)
    sent = 0
    while not stop.is_set():
        messages = [
            {"type": "track", "userId": f"load-u{(sent + i) % pool}",
             "event": EVENTS[(sent + i) % len(EVENTS)],
             "messageId": f"s{number}-{sent + i}", "properties": {"source": "web", "n": i}}
            for i in range(batch)
        ]  # fmt: skip
        response = client.post(f"{url}/v1/batch", json={"batch": messages})
        if response.status_code == 200:
            acked.append(batch)
        else:
            failures.append(response.text[:200])
        sent += batch
    client.close()


def _prober(url: str, count: int, every: float, stop: threading.Event,
            sent_at: dict[str, float]) -> None:  # fmt: skip
    client = httpx.Client(auth=(WRITE_KEY, ""), timeout=30)
    for index in range(count):
        if stop.is_set():
            break
        account = f"probe-{index}"
        final = {"type": "track", "userId": f"probe-u{index}", "event": "Created Document",
                 "messageId": f"probe-final-{index}"}  # fmt: skip
        started = time.monotonic()
        response = client.post(f"{url}/v1/batch", json={"batch": [final]})
        assert response.status_code == 200, response.text
        sent_at[account] = started
        time.sleep(every)
    client.close()


@dataclass
class Reads:
    """What the reader threads saw: seconds per successful read, refusals (503), errors."""

    seconds: list[float] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        """Counts and latency quantiles, milliseconds."""
        cuts = sorted(self.seconds)
        quantiles = statistics.quantiles(cuts, n=100, method="inclusive") if len(cuts) > 1 else []
        return {
            "reads_done": len(cuts),
            "reads_refused": len(self.refused),
            "reads_failed": len(self.failed),
            "read_p50_ms": round(quantiles[49] * 1000, 1) if quantiles else None,
            "read_p95_ms": round(quantiles[94] * 1000, 1) if quantiles else None,
            "first_read_error": self.failed[0] if self.failed else None,
        }


def _reader(server: LiveServer, mode: str, stop: threading.Event, reads: Reads) -> None:
    client = httpx.Client(headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=120)
    command = [sys.executable, "-m", "pqlengine", "metrics", "-f", "json"]
    command += ["-C", str(server.project_dir)]
    env = {**os.environ, "PQL_API_TOKEN": API_TOKEN}
    while not stop.is_set():
        started = time.monotonic()
        if mode == "api":
            response = client.get(f"{server.url}/api/metrics")
            status, text = response.status_code, response.text
            if status == 503:
                reads.refused.append(status)
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
        else:
            ran = subprocess.run(command, env=env, capture_output=True, text=True)
            status, text = (200 if ran.returncode == 0 else 500), ran.stderr
        if status == 200:
            reads.seconds.append(time.monotonic() - started)
        else:
            reads.failed.append(text[:200])
            time.sleep(0.5)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pool", type=int, default=2000, help="accounts receiving load")
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--probe-every", type=float, default=0.5)
    parser.add_argument("--dir", type=Path, default=HERE / "out" / "live")
    parser.add_argument("--record", action="store_true", help="append to results.jsonl")
    parser.add_argument(
        "--reads", choices=["none", "api", "cli"], default="none",
        help="during the load, read metrics in a loop: GET /api/metrics or `pql metrics`",
    )  # fmt: skip
    parser.add_argument("--readers", type=int, default=1, help="reader threads (--reads)")
    args = parser.parse_args()

    receiver = Receiver().start()
    if args.dir.exists():
        for path in sorted(args.dir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    project = write_project(args.dir, receiver.url)
    config = yaml.safe_load((project / "pql.yaml").read_text())
    config["live"] = {"evaluate_every_ms": 100}
    (project / "pql.yaml").write_text(yaml.safe_dump(config))
    server = LiveServer(project).start()
    arrivals: dict[str, float] = {}
    try:
        setup = httpx.Client(auth=(WRITE_KEY, ""), timeout=60)
        for start in range(0, args.pool, 500):
            batch = _group_batch("load", args.pool)[start : start + 500]
            assert setup.post(f"{server.url}/v1/batch", json={"batch": batch}).status_code == 200
        probes = _group_batch("probe", args.probes)
        for i in range(args.probes):
            probes.append({"type": "track", "userId": f"probe-u{i}", "event": "Invited Member",
                           "messageId": f"probe-inv-{i}"})  # fmt: skip
            probes.append({"type": "track", "userId": f"probe-u{i}", "event": "Created Document",
                           "messageId": f"probe-doc-{i}"})  # fmt: skip
        for start in range(0, len(probes), 500):
            chunk = probes[start : start + 500]
            assert setup.post(f"{server.url}/v1/batch", json={"batch": chunk}).status_code == 200
        setup.close()
        time.sleep(2)

        acked: list[int] = []
        failures: list[str] = []
        sent_at: dict[str, float] = {}
        stop = threading.Event()
        senders = [
            threading.Thread(
                target=_sender,
                args=(server.url, n, args.batch, args.pool, stop, acked, failures),
            )
            for n in range(args.senders)
        ]
        reads = Reads()
        if args.reads != "none":
            senders += [
                threading.Thread(target=_reader, args=(server, args.reads, stop, reads))
                for _ in range(args.readers)
            ]
        began = time.monotonic()
        for thread in senders:
            thread.start()
        time.sleep(min(5.0, args.seconds / 4))  # let the load settle before probing
        probe = threading.Thread(
            target=_prober, args=(server.url, args.probes, args.probe_every, stop, sent_at)
        )
        probe.start()
        time.sleep(max(0.0, args.seconds - (time.monotonic() - began)))
        stop.set()
        for thread in senders:
            thread.join()
        elapsed = time.monotonic() - began
        probe.join()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for request in receiver.at("/hook"):
                document = request.json()
                if document["type"] == "pql.entered" and document["entity_id"] not in arrivals:
                    arrivals[document["entity_id"]] = request.at
            if set(sent_at) <= set(arrivals):
                break
            time.sleep(0.1)
        health = httpx.get(f"{server.url}/healthz", timeout=30).json()
    finally:
        server.stop()
        receiver.stop()

    events = sum(acked)
    latencies = sorted(arrivals[a] - sent_at[a] for a in sent_at if a in arrivals)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    result = {
        "benchmark": "live",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "seconds": round(elapsed, 1),
        "senders": args.senders,
        "batch": args.batch,
        "events_acked": events,
        "events_per_second": round(events / elapsed, 1),
        "failed_requests": len(failures),
        "probes_sent": len(sent_at),
        "probes_alerted": len(latencies),
        "latency_p50_ms": round(cuts[49] * 1000, 1) if cuts else None,
        "latency_p95_ms": round(cuts[94] * 1000, 1) if cuts else None,
        "latency_p99_ms": round(cuts[98] * 1000, 1) if cuts else None,
        "latency_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "store_messages": health["messages"],
        "reads": args.reads,
        "readers": args.readers if args.reads != "none" else 0,
        **(reads.summary() if args.reads != "none" else {}),
    }
    print(json.dumps(result, indent=2))
    if args.record:
        with (HERE / "results.jsonl").open("a") as out:
            out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
