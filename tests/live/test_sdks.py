"""The unmodified Segment and RudderStack Python SDKs against a real `pql serve`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import rudderstack.analytics as rudder_analytics
from segment.analytics import Client as SegmentClient

from pqlengine.destinations.signing import SIGNATURE_HEADER, verify
from tests.live.harness import (
    WEBHOOK_SECRET,
    WRITE_KEY,
    LiveServer,
    Receiver,
    wait_for,
    write_project,
)

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, receiver: Receiver) -> Iterator[LiveServer]:
    project = write_project(tmp_path_factory.mktemp("sdk"), receiver.url)
    running = LiveServer(project).start()
    yield running
    running.stop()


def _account_calls(send_group, send_track, account: str, user: str) -> None:  # type: ignore[no-untyped-def]
    created = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    send_group(
        user,
        account,
        {"name": f"{account} Inc", "website": f"https://www.{account}.io", "employees": 40,
         "plan": "trial", "createdAt": created},
    )  # fmt: skip
    send_track(user, "Invited Member", {"role": "editor"}, {"groupId": account})
    send_track(user, "Created Document", {"source": "web"}, {"groupId": account})
    send_track(user, "Created Document", {"source": "web"}, {"groupId": account})


def _delivered_for(receiver: Receiver, account: str) -> list:  # type: ignore[type-arg]
    return [
        r for r in receiver.at("/hook") if r.json()["entity_id"] == account
        and r.json()["type"] == "pql.entered"
    ]  # fmt: skip


def test_segment_sdk_events_counted_qualified_and_webhook_signed(
    server: LiveServer, receiver: Receiver
) -> None:
    client = SegmentClient(WRITE_KEY, host=server.url, sync_mode=True, max_retries=1)

    def group(user: str, account: str, traits: dict) -> None:  # type: ignore[type-arg]
        client.group(user, account, traits)

    def track(user: str, event: str, properties: dict, context: dict) -> None:  # type: ignore[type-arg]
        client.track(user, event, properties, context=context)

    sent = time.monotonic()
    _account_calls(group, track, "segacct", "seg-user-1")
    hooks = wait_for(lambda: _delivered_for(receiver, "segacct"))
    latency = hooks[0].at - sent
    print(f"Segment SDK: first call to signed webhook in {latency:.3f} s")

    body = hooks[0].body
    assert verify(WEBHOOK_SECRET, hooks[0].headers[SIGNATURE_HEADER], body)
    assert not verify("wrong-secret", hooks[0].headers[SIGNATURE_HEADER], body)
    document = hooks[0].json()
    assert document["criteria_met"] == ["invited", "docs"]
    assert document["trigger"]["event"] == "Created Document"
    assert document["fit"]["domain"] == "segacct.io"
    assert document["fit"]["employees"] == 40
    assert hooks[0].headers["Idempotency-Key"]

    assert server.api("/healthz")["messages"] >= 4
    leads = server.api("/api/leads")
    assert [i["entity_id"] for i in leads["items"] if i["entity_id"] == "segacct"] == ["segacct"]
    detail = server.api("/api/leads/segacct")
    assert detail["status"] == "pql"
    assert sum(1 for e in detail["timeline"] if e["event"] == "Created Document") == 2
    assert {c["id"]: c["count"] for c in detail["criteria"]} == {"invited": 1, "docs": 2}


def test_rudderstack_sdk_gzip_batches_are_counted_and_alerted(
    server: LiveServer, receiver: Receiver
) -> None:
    rudder_analytics.write_key = WRITE_KEY
    rudder_analytics.dataPlaneUrl = server.url
    rudder_analytics.sync_mode = True
    rudder_analytics.gzip = True

    def group(user: str, account: str, traits: dict) -> None:  # type: ignore[type-arg]
        rudder_analytics.group(user, account, traits)

    def track(user: str, event: str, properties: dict, context: dict) -> None:  # type: ignore[type-arg]
        rudder_analytics.track(user, event, properties, context=context)

    sent = time.monotonic()
    _account_calls(group, track, "rudacct", "rud-user-1")
    rudder_analytics.flush()
    hooks = wait_for(lambda: _delivered_for(receiver, "rudacct"))
    print(f"RudderStack SDK: first call to signed webhook in {hooks[0].at - sent:.3f} s")
    assert verify(WEBHOOK_SECRET, hooks[0].headers[SIGNATURE_HEADER], hooks[0].body)
    server.settled()  # every accepted message evaluated
    detail = server.api("/api/leads/rudacct")
    assert detail["status"] == "pql"
    assert len([e for e in detail["timeline"] if e["event"] == "Created Document"]) == 2


def test_conversion_leaves_pql_and_notifies(server: LiveServer, receiver: Receiver) -> None:
    client = SegmentClient(WRITE_KEY, host=server.url, sync_mode=True, max_retries=1)
    wait_for(lambda: _delivered_for(receiver, "segacct"))
    client.track(
        "seg-user-1", "Subscription Started", {"plan": "team"}, context={"groupId": "segacct"}
    )

    def left() -> list:  # type: ignore[type-arg]
        return [
            r for r in receiver.at("/hook")
            if r.json()["entity_id"] == "segacct" and r.json()["type"] == "pql.left"
        ]  # fmt: skip

    hooks = wait_for(left)
    assert hooks[0].json()["cause"] == "converted"
    assert hooks[0].json()["status"] == "converted_pql"
    transitions = server.api("/api/transitions", entity_id="segacct")
    assert [t["kind"] for t in transitions["items"]] == ["left", "entered"]


def test_replayed_messages_are_counted_once_and_never_alert_twice(
    server: LiveServer, receiver: Receiver, tmp_path: Path
) -> None:
    wait_for(lambda: _delivered_for(receiver, "segacct"))
    batch = {
        "batch": [
            {"type": "track", "userId": "seg-user-1", "event": "Created Document",
             "messageId": f"replay-{i}", "context": {"groupId": "segacct"}}
            for i in range(3)
        ]
    }  # fmt: skip
    first = server.post("/v1/batch", batch)
    again = server.post("/v1/batch", batch)
    assert first.json() == {"success": True, "accepted": 3, "duplicates": 0}
    assert again.json() == {"success": True, "accepted": 0, "duplicates": 3}
    time.sleep(0.5)
    assert len(_delivered_for(receiver, "segacct")) == 1
