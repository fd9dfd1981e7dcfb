"""The outbox's Deliverer in process (destinations/outbox.py): the senders only send, the
poller records their outcomes together; an entered alert of a converted entity is skipped
unsent; the requests after a dead one die with it; a retry keeps the row pending; recording
outcomes leaves a checkpoint possible while an older transaction is open."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from pqlengine.config import Project, WebhookDestination
from pqlengine.destinations.outbox import Deliverer, Target
from pqlengine.live.tables import ensure_live_tables
from pqlengine.store import Store
from tests.live.harness import Receiver, wait_for
from tests.support.config import base_config

NOW = datetime(2026, 4, 1, 12, 0)


def _rows(store: Store) -> dict[str, dict[str, Any]]:
    table = store.raw.execute("SELECT * FROM outbox").to_arrow_table()
    return {row["delivery_id"]: row for row in table.to_pylist()}


def test_outcomes_are_recorded_and_converted_entities_are_skipped(tmp_path: Path) -> None:
    good, broken = Receiver().start(), Receiver(always_fail=True).start()
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    store.raw.execute(
        "INSERT INTO pql_state (entity_id, status, converted_at) VALUES "
        "('paid', 'converted_pql', ?), ('open', 'pql', NULL)",
        [NOW - timedelta(days=1)],
    )
    rows = [
        # (delivery, destination, entity, kind, after)
        ("d-open", "hook", "open", "entered", None),
        ("d-paid", "hook", "paid", "entered", None),
        ("d-paid-left", "hook", "paid", "left", None),
        ("d-first", "dead-end", "open", "entered", None),
        ("d-second", "dead-end", "open", "entered", "d-first"),
        ("d-retry", "flaky", "open", "left", None),
    ]
    urls = {"hook": f"{good.url}/hook", "dead-end": f"{broken.url}/x", "flaky": f"{broken.url}/y"}
    table = pa.Table.from_pylist(
        [
            {
                "delivery_id": d,
                "transition_id": f"t-{d}",
                "destination": label,
                "destination_type": "webhook",
                "entity_id": entity,
                "kind": kind,
                "method": "POST",
                "url": urls[label],
                "body": "{}",
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": NOW,
                "created_at": NOW,
                "after_delivery_id": after,
            }
            for d, label, entity, kind, after in rows
        ]
    )
    store.raw.register("_rows", table)
    store.raw.execute("INSERT INTO outbox BY NAME SELECT * FROM _rows")
    store.raw.unregister("_rows")
    found = [
        Target("hook", WebhookDestination(type="webhook", url=urls["hook"]), None),
        Target(
            "dead-end",
            WebhookDestination(type="webhook", url=urls["dead-end"], max_attempts=1),
            None,
        ),
        Target(
            "flaky", WebhookDestination(type="webhook", url=urls["flaky"], max_attempts=5), None
        ),
    ]
    project = Project.from_dict(base_config())
    deliverer = Deliverer(store, project, found, clock=lambda: NOW)
    # A transaction older than the outcomes' writes, as the service always has one: the
    # outcomes must not block a checkpoint meanwhile (an UPDATE's old versions would).
    older = store.cursor().raw
    older.execute("BEGIN TRANSACTION")
    older.execute("SELECT count(*) FROM outbox").fetchall()
    deliverer.start()
    try:
        wait_for(lambda: _rows(store)["d-retry"]["attempts"] == 1, timeout=30)
        wait_for(lambda: _rows(store)["d-second"]["status"] == "dead", timeout=30)
        wait_for(lambda: _rows(store)["d-paid-left"]["status"] == "delivered", timeout=30)
        store.cursor().raw.execute("CHECKPOINT")
    finally:
        older.execute("ROLLBACK")
        deliverer.stop()
    got = _rows(store)
    assert len(got) == len(rows) == store.raw.execute("SELECT count(*) FROM outbox").fetchone()[0]
    assert got["d-open"]["status"] == "delivered"
    assert got["d-open"]["delivered_at"] == NOW and got["d-open"]["last_status_code"] == 200
    # Converted: its entered alert is skipped unsent; its other alerts are sent.
    assert got["d-paid"]["status"] == "skipped"
    assert got["d-paid"]["reason"] == "already a customer"
    assert got["d-paid"]["attempts"] == 0
    assert [r.path for r in good.requests].count("/hook") == 2
    assert got["d-first"]["status"] == "dead" and got["d-first"]["last_status_code"] == 500
    assert got["d-second"]["last_error"] == "not sent: the request before it (d-first) is dead"
    assert [r.path for r in broken.requests].count("/x") == 1  # the second was never sent
    retry = got["d-retry"]
    assert retry["status"] == "pending" and retry["next_attempt_at"] > NOW
    assert retry["last_error"].startswith("HTTP 500")
    store.close()
    good.stop()
    broken.stop()
