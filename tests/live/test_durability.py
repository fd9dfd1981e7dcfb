"""kill -9 mid-load loses no acknowledged event; a restart delivers every pending webhook;
a definition change re-evaluates everyone and records who left."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml

from pqlengine.store import Store
from tests.live.harness import WRITE_KEY, LiveServer, Receiver, wait_for, write_project

pytestmark = pytest.mark.e2e  # real `pql serve` subprocesses on loopback (kill -9, restart)

ACCOUNTS = 20


def _accounts_batch() -> dict[str, object]:
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    return {
        "batch": [
            {"type": "group", "userId": f"user-{i}", "groupId": f"acct-{i}",
             "messageId": f"group-{i}",
             "traits": {"name": f"Acct {i}", "employees": 30, "createdAt": created}}
            for i in range(ACCOUNTS)
        ]
    }  # fmt: skip


def _load(url: str, acked: list[str], stop: threading.Event, prefix: str = "load") -> None:
    """Send batches until the server dies; remember the ids of every acknowledged batch."""
    names = ["Invited Member", "Created Document", "Created Document", "Page Viewed"]
    client = httpx.Client(auth=(WRITE_KEY, ""), timeout=10)
    batch_number = 0
    while not stop.is_set():
        batch = [
            {"type": "track", "userId": f"user-{(batch_number * 7 + i) % ACCOUNTS}",
             "event": names[i % len(names)], "messageId": f"{prefix}-{batch_number}-{i}"}
            for i in range(50)
        ]  # fmt: skip
        try:
            response = client.post(f"{url}/v1/batch", json={"batch": batch})
        except httpx.HTTPError:
            return
        if response.status_code == 200:
            acked.extend(m["messageId"] for m in batch)
        batch_number += 1
    client.close()


def _stored_ids(project_dir: Path) -> set[str]:
    store = Store.open(project_dir / ".pql" / "acme.duckdb")
    try:
        return {row[0] for row in store.raw.execute("SELECT event_id FROM events").fetchall()}
    finally:
        store.close()


def test_kill_9_loses_no_acknowledged_event_and_restart_delivers_pending(tmp_path: Path) -> None:
    receiver = Receiver(always_fail=True).start()
    project = write_project(tmp_path / "p", receiver.url)
    config = yaml.safe_load((project / "pql.yaml").read_text())
    config["destinations"][0]["max_attempts"] = 50
    (project / "pql.yaml").write_text(yaml.safe_dump(config))
    server = LiveServer(project).start()
    try:
        assert server.post("/v1/batch", _accounts_batch()).status_code == 200
        acked: list[str] = []
        stop = threading.Event()
        loader = threading.Thread(target=_load, args=(server.url, acked, stop))
        loader.start()
        wait_for(lambda: len(acked) >= 2000, timeout=120)
        wait_for(lambda: server.api("/api/outbox", status="pending")["items"], timeout=60)
        server.kill9()
        stop.set()
        loader.join(timeout=30)
        assert len(acked) >= 2000

        stored = _stored_ids(project)
        missing = set(acked) - stored
        assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"

        receiver.always_fail = False
        server = LiveServer(project).start()
        entered = server.api("/api/transitions", kind="entered", limit=1000)["items"]
        assert entered

        def all_delivered() -> bool:
            pending = server.api("/api/outbox", status="pending")["total"]
            return pending == 0 and server.api("/healthz")["evaluation_lag"] == 0

        wait_for(all_delivered, timeout=120)
        entered = server.api("/api/transitions", kind="entered", limit=1000)["items"]
        received = {r.json()["id"] for r in receiver.requests if r.status == 200}
        assert {t["transition_id"] for t in entered} <= received
    finally:
        server.stop()
        receiver.stop()


def test_definition_change_records_who_left(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", None)
    server = LiveServer(project).start()
    try:
        assert server.post("/v1/batch", _accounts_batch()).status_code == 200
        batch = [
            {"type": "track", "userId": "user-0", "event": name, "messageId": f"def-{i}"}
            for i, name in enumerate(["Invited Member", "Created Document", "Created Document"])
        ]
        assert server.post("/v1/batch", {"batch": batch}).status_code == 200
        wait_for(lambda: server.api("/api/transitions", entity_id="acct-0")["items"])
        old_version = server.api("/api/definitions")["current"]
    finally:
        server.stop()

    config = yaml.safe_load((project / "pql.yaml").read_text())
    config["definition"]["criteria"][1]["at_least"] = 3
    (project / "pql.yaml").write_text(yaml.safe_dump(config))
    server = LiveServer(project).start()
    try:
        transitions = server.api("/api/transitions", entity_id="acct-0")["items"]
        assert [(t["kind"], t["cause"]) for t in transitions] == [
            ("left", "definition_changed"),
            ("entered", "events"),
        ]
        definitions = server.api("/api/definitions")
        assert definitions["current"] != old_version
        assert {old_version, definitions["current"]} <= {d["version"] for d in definitions["items"]}
        assert server.api("/api/leads", status="pql")["total"] == 0
    finally:
        server.stop()


def test_kill_9_cycles_under_load_store_every_ack_and_deliver_every_transition_once_keyed(
    tmp_path: Path,
) -> None:
    receiver = Receiver().start()
    project = write_project(tmp_path / "p", receiver.url)
    acked: list[str] = []
    try:
        for cycle in range(3):
            server = LiveServer(project).start()
            if cycle == 0:
                assert server.post("/v1/batch", _accounts_batch()).status_code == 200
            stop = threading.Event()
            before = len(acked)
            loader = threading.Thread(target=_load, args=(server.url, acked, stop, f"k{cycle}"))
            loader.start()
            wait_for(lambda before=before: len(acked) >= before + 1000, timeout=120)
            server.kill9()
            stop.set()
            loader.join(timeout=30)

        missing = set(acked) - _stored_ids(project)
        assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:3]}"
        server = LiveServer(project).start()

        def settled() -> bool:
            pending = server.api("/api/outbox", status="pending")["total"]
            return pending == 0 and server.api("/healthz")["evaluation_lag"] == 0

        wait_for(settled, timeout=120)
        transitions = server.api("/api/transitions", limit=1000)["items"]
        assert transitions
        keys: dict[str, set[str]] = {}
        for request in receiver.requests:
            keys.setdefault(request.json()["id"], set()).add(request.headers["Idempotency-Key"])
        delivered = {r.json()["id"] for r in receiver.requests if r.status == 200}
        assert {t["transition_id"] for t in transitions} <= delivered
        assert all(len(found) == 1 for found in keys.values()), "one key per transition"
    finally:
        server.stop()
        receiver.stop()
