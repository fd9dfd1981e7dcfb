"""Dead letters re-driven: a receiver that fails until a delivery is dead, then recovers;
`POST /api/outbox/{id}/retry`, `pql outbox retry` through a running service's API and
`pql outbox retry` on a stopped service each deliver it once, under the same
Idempotency-Key (the delivery id)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live.harness import API_TOKEN, LiveServer, Receiver, wait_for, write_project
from tests.live.test_delivery import _qualify

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback

ATTEMPTS = 3


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(always_fail=True).start()
    yield found
    found.stop()


def _project(directory: Path, receiver: Receiver) -> Path:
    destinations = [
        {"type": "webhook", "name": "hook", "url": f"{receiver.url}/hook", "max_attempts": ATTEMPTS}
    ]
    return write_project(directory, None, destinations=destinations)


def _pql(project: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PQL_API_TOKEN": API_TOKEN}
    command = [sys.executable, "-m", "pqlengine", "outbox", *args, "-C", str(project)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def _dead(server: LiveServer, entity: str) -> dict[str, Any]:
    rows = wait_for(
        lambda: [
            r for r in server.api("/api/outbox", status="dead")["items"] if r["entity_id"] == entity
        ]
    )
    assert rows[0]["attempts"] == ATTEMPTS
    row: dict[str, Any] = rows[0]
    return row


def _delivered_once(server: LiveServer, receiver: Receiver, entity: str, delivery: str) -> None:
    def delivered() -> list[Any]:
        rows = server.api("/api/outbox", status="delivered")["items"]
        return [r for r in rows if r["delivery_id"] == delivery]

    (row,) = wait_for(delivered)
    assert row["attempts"] == 1, "a re-queued delivery starts a fresh budget"
    hooks = [r for r in receiver.at("/hook") if r.json()["entity_id"] == entity]
    assert [r.status for r in hooks] == [500] * ATTEMPTS + [200]
    assert {r.headers["Idempotency-Key"] for r in hooks} == {delivery}


def _retry(server: LiveServer, path: str, **params: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    return httpx.post(f"{server.url}/api{path}", params=params, headers=headers, timeout=30)


def test_api_route_and_cli_through_the_running_service(tmp_path: Path, receiver: Receiver) -> None:
    project = _project(tmp_path / "p", receiver)
    server = LiveServer(project).start()
    try:
        _qualify(server, "one", "one.io")
        _qualify(server, "two", "two.io")
        first, second = _dead(server, "one"), _dead(server, "two")
        assert _retry(server, "/outbox/nope/retry").status_code == 404
        unauthorized = httpx.post(f"{server.url}/api/outbox/retry", timeout=30)
        assert unauthorized.status_code == 401
        receiver.always_fail = False

        answer = _retry(server, f"/outbox/{first['delivery_id']}/retry")
        assert answer.json() == {"requeued": 1, "delivery_ids": [first["delivery_id"]]}
        _delivered_once(server, receiver, "one", first["delivery_id"])
        again = _retry(server, f"/outbox/{first['delivery_id']}/retry")
        assert again.status_code == 409 and again.json()["error"]["code"] == "not_dead"

        # The service holds the store's lock: the CLI goes through its API.
        result = _pql(project, "retry", "--all-dead", "--destination", "hook", "-f", "json")
        assert result == {"requeued": 1, "delivery_ids": [second["delivery_id"]]}
        _delivered_once(server, receiver, "two", second["delivery_id"])
        listed = _pql(project, "list", "--status", "dead", "-f", "json")
        assert listed["total"] == 0
    finally:
        server.stop()


def test_cli_on_a_stopped_service(tmp_path: Path, receiver: Receiver) -> None:
    project = _project(tmp_path / "p", receiver)
    server = LiveServer(project).start()
    try:
        _qualify(server, "three", "three.io")
        dead = _dead(server, "three")
    finally:
        server.stop()
    assert not (project / ".pql" / "serve.json").exists(), "a clean stop removes serve.json"

    listed = _pql(project, "list", "--status", "dead", "-f", "json")
    assert [r["delivery_id"] for r in listed["items"]] == [dead["delivery_id"]]
    result = _pql(project, "retry", "--delivery", dead["delivery_id"], "-f", "json")
    assert result == {"requeued": 1, "delivery_ids": [dead["delivery_id"]]}

    receiver.always_fail = False
    server = LiveServer(project).start()
    try:
        _delivered_once(server, receiver, "three", dead["delivery_id"])
    finally:
        server.stop()
