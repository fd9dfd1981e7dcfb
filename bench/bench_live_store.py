"""`pql serve` on a demo store of realistic size: start-up, durable ingest, alert latency,
with reads running, and peak memory.

    .venv/bin/python bench/bench_live_store.py --project bench/out/demo-100k --work /tmp/live

The project (made by `pql demo --accounts N`) is copied to `--work` (pql.yaml and the store
file; the copy grows with what the run ingests, the original is untouched), given a webhook
destination in this process and `evaluate_every_ms: 100`, and served by a real `pql serve`
subprocess on loopback:

1. first start: from the process start to /healthz answering (the first start of a store
   made by `pql demo` records the baseline of every entity);
2. load: `--senders` threads post Segment batches of `--batch` `track` calls for the demo's
   own users (a random sample of `--pool` of them) as fast as acknowledgements come back
   (every 200 is after the DuckDB commit); `--readers` threads meanwhile loop over the read
   API (`/api/metrics`, `/api/leads`, `/api/leads/{id}`); a probe, every `--probe-every`
   seconds, sends the one event that makes a prepared fresh account qualify (Invited Member
   and two Created Document yesterday, then Created Calendar: 3 of the demo's 6 criteria on
   2 active days, fit passes) and the receiver notes when its signed `pql.entered` webhook
   arrives (same monotonic clock); with `--warmup S` the load and reads run S seconds
   first and only what follows is measured (the steady state, the pool's entities cached);
3. stop with SIGINT (how long the stop took, and its exit code: 0 is clean, -9 means the
   harness killed it after 30 s), and start again: the start-up after that stop;
4. the server's peak resident memory (VmHWM) over both runs.

The result is printed as JSON and, with --record, appended to bench/results.jsonl.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_core import machine
from tests.live import harness
from tests.live.harness import API_TOKEN, WRITE_KEY, LiveServer, Receiver

HERE = Path(__file__).resolve().parent
EVENTS = ["Page Viewed", "Page Viewed", "Session Started", "Added Task", "Uploaded Asset"]


def _copy_project(
    source: Path, work: Path, receiver_url: str, reuse: bool, cache_rows: int = 0
) -> Path:
    """pql.yaml and the store file of `source` in `work` (`reuse`: the copy a previous run
    left there, served before), with a webhook, a 100 ms loop and `live.cache_rows` (0: the
    default)."""
    config = yaml.safe_load((source / "pql.yaml").read_text())
    store = work / config["store"]
    if not (reuse and store.exists()):
        if work.exists():
            shutil.rmtree(work)
        store.parent.mkdir(parents=True)
        shutil.copyfile(source / config["store"], store)
    config["live"] = {"evaluate_every_ms": 100}
    if cache_rows:
        config["live"]["cache_rows"] = cache_rows
    config["destinations"] = [
        {"type": "webhook", "url": f"{receiver_url}/hook", "secret": "${PQL_WEBHOOK_SECRET}"}
    ]
    (work / "pql.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return store


def _users(store: Path, count: int) -> list[str]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        rows = con.execute(f"SELECT user_id FROM users USING SAMPLE {int(count)} ROWS").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def _probe_setup(count: int, run: str) -> list[dict[str, Any]]:
    """Fresh accounts (named after the run: a reused store keeps earlier runs' probes) one
    event short of qualifying under the demo definition."""
    now = datetime.now(UTC)
    created = (now - timedelta(days=2)).isoformat()
    yesterday = (now - timedelta(days=1)).isoformat()
    messages: list[dict[str, Any]] = []
    for i in range(count):
        user = f"probe{run}-u{i}"
        messages.append(
            {"type": "group", "userId": user, "groupId": f"probe{run}-{i}",
             "messageId": f"pg{run}-{i}",
             "traits": {"name": f"Probe {i}", "employees": 25, "createdAt": created}}
        )  # fmt: skip
        messages.append(
            {"type": "identify", "userId": user, "messageId": f"pi{run}-{i}",
             "traits": {"email": f"{user}@probe{i}.example", "createdAt": created}}
        )  # fmt: skip
        for n, event in enumerate(["Invited Member", "Created Document", "Created Document"]):
            messages.append(
                {"type": "track", "userId": user, "event": event,
                 "messageId": f"pt{run}-{i}-{n}",
                 "timestamp": yesterday}
            )  # fmt: skip
    return messages


def _sender(url: str, number: int, batch: int, users: list[str], stop: threading.Event,
            acked: list[int], failures: list[str],
            acked_ids: list[str] | None = None, every: float = 0.0,
            run: str = "", uuids: bool = False) -> None:  # fmt: skip
    """Post batches as fast as they are acknowledged, or one every `every` seconds; message
    ids are new in each `run` (a reused copy would take repeated ones as duplicates): random
    UUIDs with `uuids` (what Segment's and RudderStack's SDKs send), else `s<run>-<n>-<i>`,
    which share long prefixes and so land next to each other in the store's indexes."""
    client = httpx.Client(auth=(WRITE_KEY, ""), timeout=60)
    sent = 0
    pick = random.Random(number)
    ids = random.Random(f"{run}-{number}")
    due = time.monotonic()
    while not stop.is_set():
        if every:
            due += every
            time.sleep(max(0.0, due - time.monotonic()))
        messages = [
            {"type": "track", "userId": pick.choice(users), "event": EVENTS[(sent + i) % 5],
             "messageId": str(uuid.UUID(int=ids.getrandbits(128), version=4)) if uuids
             else f"s{run}-{number}-{sent + i}", "properties": {"source": "web", "n": i}}
            for i in range(batch)
        ]  # fmt: skip
        try:
            response = client.post(f"{url}/v1/batch", json={"batch": messages})
        except httpx.HTTPError as exc:
            failures.append(type(exc).__name__)
            continue
        if response.status_code == 200:
            acked.append(batch)
            if acked_ids is not None:
                acked_ids.extend(str(m["messageId"]) for m in messages)
        else:
            failures.append(response.text[:200])
        sent += batch
    client.close()


def _reader(url: str, users: list[str], stop: threading.Event, timings: list[float],
            failures: list[str]) -> None:  # fmt: skip
    client = httpx.Client(headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=120)
    paths = ["/api/metrics", "/api/leads", "/api/leads?status=all&limit=100"]
    turn = 0
    while not stop.is_set():
        path = paths[turn % len(paths)]
        turn += 1
        started = time.monotonic()
        try:
            response = client.get(f"{url}{path}")
        except httpx.HTTPError as exc:
            failures.append(type(exc).__name__)
            continue
        if response.status_code == 200:
            timings.append(time.monotonic() - started)
        elif response.status_code == 503:  # busy: the service sheds reads, try again soon
            time.sleep(float(response.headers.get("retry-after", "1")))
        else:
            failures.append(f"{path}: {response.status_code} {response.text[:200]}")
    client.close()


def _prober(url: str, count: int, every: float, stop: threading.Event,
            sent_at: dict[str, float], run: str,
            acked_at: dict[str, float]) -> None:  # fmt: skip
    client = httpx.Client(auth=(WRITE_KEY, ""), timeout=60)
    for index in range(count):
        if stop.is_set():
            break
        final = {"type": "track", "userId": f"probe{run}-u{index}", "event": "Created Calendar",
                 "messageId": f"probe-final{run}-{index}"}  # fmt: skip
        started = time.monotonic()
        response = client.post(f"{url}/v1/batch", json={"batch": [final]})
        if response.status_code == 200:
            sent_at[f"probe{run}-{index}"] = started
            acked_at[f"probe{run}-{index}"] = time.monotonic()
        time.sleep(every)
    client.close()


def _kill_cycles(work: Path, cycles: int, users: list[str], receiver: Receiver) -> dict[str, Any]:
    """`cycles` times: serve, load with 4 senders for 10 s, kill -9. Then: every
    acknowledged message is an event in the store, and after a last start every transition
    is delivered, each with one Idempotency-Key."""
    acked_ids: list[str] = []
    for cycle in range(cycles):
        server = LiveServer(work).start()
        stop = threading.Event()
        acked: list[int] = []
        failures: list[str] = []
        senders = [
            threading.Thread(
                target=_sender,
                args=(server.url, 100 + cycle * 10 + n, 100, users, stop, acked, failures,
                      acked_ids, 0.0, f"k{int(time.time())}"),
            )
            for n in range(4)
        ]  # fmt: skip
        for thread in senders:
            thread.start()
        time.sleep(10)
        server.kill9()
        stop.set()
        for thread in senders:
            thread.join()
    config = yaml.safe_load((work / "pql.yaml").read_text())
    con = duckdb.connect(str(work / config["store"]), read_only=True)
    try:
        con.execute("CREATE TEMP TABLE acked AS SELECT unnest(?) AS event_id", [acked_ids])
        lost = con.execute(
            "SELECT count(*) FROM acked a WHERE NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.event_id = a.event_id)"
        ).fetchone()
    finally:
        con.close()
    server = LiveServer(work).start()
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            health = httpx.get(f"{server.url}/healthz", timeout=60).json()
            if health["evaluation_lag"] == 0 and not health["outbox"].get("pending"):
                break
            time.sleep(0.5)
        client = httpx.Client(headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60)
        transitions: list[str] = []
        offset = 0
        while True:
            page = client.get(
                f"{server.url}/api/transitions", params={"limit": 1000, "offset": offset}
            ).json()["items"]
            transitions += [t["transition_id"] for t in page]
            offset += len(page)
            if len(page) < 1000:
                break
        client.close()
    finally:
        server.stop()
    keys: dict[str, set[str]] = {}
    for request in receiver.at("/hook"):
        keys.setdefault(request.json()["id"], set()).add(request.headers["Idempotency-Key"])
    delivered = {r.json()["id"] for r in receiver.at("/hook") if r.status == 200}
    return {
        "kill_cycles": cycles,
        "acknowledged": len(acked_ids),
        "acknowledged_lost": int(lost[0]) if lost else None,
        "transitions": len(transitions),
        "transitions_undelivered": len(set(transitions) - delivered),
        "transitions_with_two_keys": sum(len(found) > 1 for found in keys.values()),
    }


def _peak_mib(server: LiveServer) -> float:
    assert server.process is not None
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _start(server: LiveServer) -> float:
    began = time.monotonic()
    server.start()
    return time.monotonic() - began


def _quantile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return None
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True, help="a `pql demo` project")
    parser.add_argument("--work", type=Path, required=True, help="where the copy is served")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pool", type=int, default=20_000, help="demo users receiving load")
    parser.add_argument("--readers", type=int, default=1)
    parser.add_argument("--probes", type=int, default=100)
    parser.add_argument("--probe-every", type=float, default=0.5)
    parser.add_argument("--record", action="store_true", help="append to results.jsonl")
    parser.add_argument("--reuse", action="store_true", help="serve the copy left in --work")
    parser.add_argument("--kill-cycles", type=int, default=0, help="then kill -9 under load")
    parser.add_argument("--rate", type=float, default=0, help="events/s in all (0: flat out)")
    parser.add_argument("--cache-rows", type=int, default=0, help="live.cache_rows (0: default)")
    parser.add_argument("--message-ids", choices=("uuid", "sequential"), default="uuid",
                        help="random UUIDs as SDKs send (default) or s<run>-<n>-<i>")  # fmt: skip
    parser.add_argument("--warmup", type=float, default=0,
                        help="seconds of load and reads before the measured --seconds")  # fmt: skip
    args = parser.parse_args()

    harness.STARTUP_SECONDS = 1800.0  # a first start at 1M accounts builds the index
    receiver = Receiver().start()
    store = _copy_project(args.project, args.work, receiver.url, args.reuse, args.cache_rows)
    users = _users(store, args.pool)
    server = LiveServer(args.work)
    peaks: list[float] = []
    try:
        first_start = _start(server)
        setup = httpx.Client(auth=(WRITE_KEY, ""), timeout=120)
        run = str(int(time.time()))
        probes = _probe_setup(args.probes, run)
        for start in range(0, len(probes), 500):
            chunk = probes[start : start + 500]
            response = setup.post(f"{server.url}/v1/batch", json={"batch": chunk})
            assert response.status_code == 200, response.text
        setup.close()
        server.settled(timeout=600)

        every = args.batch * args.senders / args.rate if args.rate else 0.0
        acked: list[int] = []
        failures: list[str] = []
        read_times: list[float] = []
        read_failures: list[str] = []
        sent_at: dict[str, float] = {}
        acked_at: dict[str, float] = {}
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_sender,
                args=(server.url, n, args.batch, users, stop, acked, failures, None, every, run),
                kwargs={"uuids": args.message_ids == "uuid"},
            )
            for n in range(args.senders)
        ]
        threads += [
            threading.Thread(
                target=_reader, args=(server.url, users, stop, read_times, read_failures)
            )
            for _ in range(args.readers)
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        acked_before = reads_before = 0
        if args.warmup:  # the steady state: the pool's entities met (and cached) before
            time.sleep(args.warmup)
            began = time.monotonic()
            acked_before, reads_before = sum(acked), len(read_times)
        time.sleep(min(5.0, args.seconds / 4))  # let the load settle before probing
        probe = threading.Thread(
            target=_prober,
            args=(server.url, args.probes, args.probe_every, stop, sent_at, run, acked_at),
        )
        probe.start()
        time.sleep(max(0.0, args.seconds - (time.monotonic() - began)))
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        probe.join()
        arrivals: dict[str, float] = {}
        detected: dict[str, float] = {}  # the evaluating pass's start, on the monotonic clock
        wall_offset = time.time() - time.monotonic()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for request in receiver.at("/hook"):
                document = request.json()
                if document["type"] == "pql.entered" and document["entity_id"] not in arrivals:
                    arrivals[document["entity_id"]] = request.at
                    instant = datetime.fromisoformat(document["detected_at"])
                    detected[document["entity_id"]] = instant.timestamp() - wall_offset
            if set(sent_at) <= set(arrivals):
                break
            time.sleep(0.1)
        health = httpx.get(f"{server.url}/healthz", timeout=60).json()
        peaks.append(_peak_mib(server))
        stopping = time.monotonic()
        server.stop()  # SIGINT; killed if not done within 30 s
        stop_s = time.monotonic() - stopping
        assert server.process is not None
        stop_exit = server.process.returncode  # 0: a clean stop
        restart = _start(server)
        peaks.append(_peak_mib(server))
        server.stop()
        killed = (
            _kill_cycles(args.work, args.kill_cycles, users, receiver) if args.kill_cycles else {}
        )
    finally:
        server.stop()
        receiver.stop()

    events = sum(acked) - acked_before
    read_times = read_times[reads_before:]
    latencies = sorted(arrivals[a] - sent_at[a] for a in sent_at if a in arrivals)
    # Where a probe's latency goes: the acknowledgement (durable commit), the wait for the
    # pass that evaluates it to start (detected_at is that pass's clock reading), and the
    # pass itself plus delivery to the receiver.
    alerted = [a for a in sent_at if a in arrivals and a in detected and a in acked_at]
    parts = {
        "ack": sorted(acked_at[a] - sent_at[a] for a in alerted),
        "wait_for_pass": sorted(detected[a] - acked_at[a] for a in alerted),
        "pass_and_delivery": sorted(arrivals[a] - detected[a] for a in alerted),
    }
    result = {
        "benchmark": "live_store",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "project": str(args.project),
        "store_bytes_before": (args.project / yaml.safe_load(
            (args.project / "pql.yaml").read_text())["store"]).stat().st_size,
        "reused_copy": args.reuse,
        "cache_rows": args.cache_rows or None,
        "first_start_s": round(first_start, 1),
        "stop_s": round(stop_s, 1),
        "stop_exit_code": stop_exit,
        "restart_s": round(restart, 1),
        "seconds": round(elapsed, 1),
        "senders": args.senders,
        "rate_target": args.rate or None,
        "warmup_s": args.warmup or None,
        "readers": args.readers,
        "batch": args.batch,
        "message_ids": args.message_ids,
        "events_acked": events,
        "events_per_second": round(events / elapsed, 1),
        "failed_requests": len(failures),
        "failures_sample": failures[:3],
        "reads_done": len(read_times),
        "read_p50_ms": _quantile(read_times, 50),
        "read_failures": len(read_failures),
        "read_failures_sample": read_failures[:3],
        "probes_sent": len(sent_at),
        "probes_alerted": len(latencies),
        "latency_p50_ms": _quantile(latencies, 50),
        "latency_p95_ms": _quantile(latencies, 95),
        "latency_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "latency_parts_p50_p95_ms": {
            name: [_quantile(values, 50), _quantile(values, 95)] for name, values in parts.items()
        },
        "server_peak_mib": round(max(peaks), 1),
        "health": {k: health.get(k) for k in ("writer", "evaluator", "evaluation_lag")},
        **killed,
    }  # fmt: skip
    print(json.dumps(result, indent=2))
    if args.record:
        with (HERE / "results.jsonl").open("a") as out:
            out.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
