"""Isolation over real HTTP: one client's poison never fails another client's batch, hostile
bodies get 4xx (never 5xx), auth comes before parsing, slow bodies time out, 405 has Allow."""

from __future__ import annotations

import base64
import itertools
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pqlengine.store import Store
from tests.live.harness import WRITE_KEY, LiveServer, write_project

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback

BODY_TIMEOUT_SECONDS = 1.0
VALID_CLIENTS = 3
BATCHES_PER_CLIENT = 12
EVENTS_PER_BATCH = 5


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = {"evaluate_every_ms": 50, "body_timeout_seconds": BODY_TIMEOUT_SECONDS}
    project = write_project(tmp_path_factory.mktemp("isolation"), None, live=live)
    running = LiveServer(project).start()
    yield running
    running.stop()


def _post(server: LiveServer, body: bytes, path: str = "/v1/batch", **kw: Any) -> httpx.Response:
    # json.dumps escapes lone surrogates as \\ud800, which is what a buggy SDK sends.
    headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
    kw.setdefault("auth", (WRITE_KEY, ""))
    return httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=60, **kw)


def _track(message_id: str, **extra: Any) -> dict[str, Any]:
    return {"type": "track", "userId": "u-iso", "event": "Created Document",
            "messageId": message_id, **extra}  # fmt: skip


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def _poison_bodies(round_: int) -> list[tuple[str, bytes]]:
    """(label, body) of every kind of poison; message-level ones sit next to a valid message."""

    def batch(poison: dict[str, Any]) -> bytes:
        neighbour = _track(f"neighbour-{round_}-{next(count)}")
        return json.dumps({"batch": [poison, neighbour]}).encode()

    count = itertools.count()

    group = {"type": "group", "userId": "u-iso", "groupId": "acct-poison"}
    return [
        ("surrogate messageId", batch(_track(f"bad-\ud800-{round_}"))),
        ("surrogate property", batch(_track(f"sp-{round_}", properties={"k": "\udfff"}))),
        ("employees 2**63", batch({**group, "traits": {"employees": 2**63}})),
        ("date 0001 in UTC+1", batch(_track(
            f"d1-{round_}", timestamp="0001-01-01T00:00:00+01:00"))),
        ("originalTimestamp 0001, sentAt 9999", batch(_track(
            f"d2-{round_}", originalTimestamp="0001-01-01T00:00:00Z",
            sentAt="9999-12-31T23:59:59Z"))),
        ("createdAt 9999", batch({**group, "traits": {"createdAt": "9999-12-31T00:00:00Z"}})),
        ("properties 100 deep", batch(_track(f"p100-{round_}", properties={"a": json.loads(
            _deep(100))}))),
        ("JSON 5000 deep", b'{"batch": [{"type": "track", "userId": "u", "event": "E", '
         b'"properties": {"a": ' + _deep(5000).encode() + b"}}]}"),
        ("integer of 5000 digits", b'{"batch": [{"type": "track", "userId": "u", "event": "E",'
         b' "properties": {"n": ' + b"7" * 5000 + b"}}]}"),
    ]  # fmt: skip


def test_poison_from_one_client_never_fails_the_others(server: LiveServer) -> None:
    valid_ids: list[str] = []
    valid_statuses: list[int] = []
    poison_statuses: list[tuple[str, int, str]] = []
    neighbours: list[str] = []
    lock = threading.Lock()
    done = threading.Event()

    def valid_client(client: int) -> None:
        for number in range(BATCHES_PER_CLIENT):
            ids = [f"valid-{client}-{number}-{i}" for i in range(EVENTS_PER_BATCH)]
            body = json.dumps({"batch": [_track(i) for i in ids]}).encode()
            response = _post(server, body)
            with lock:
                valid_statuses.append(response.status_code)
                valid_ids.extend(ids)

    def poison_client() -> None:
        round_ = 0
        while not done.is_set() or round_ < 2:
            for label, body in _poison_bodies(round_):
                response = _post(server, body)
                with lock:
                    poison_statuses.append((label, response.status_code, response.text[:200]))
                    if response.status_code == 400 and b'"neighbour-' in body:
                        neighbours.append(json.loads(body)["batch"][-1]["messageId"])
            round_ += 1

    threads = [threading.Thread(target=valid_client, args=(c,)) for c in range(VALID_CLIENTS)]
    poisoner = threading.Thread(target=poison_client)
    poisoner.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    done.set()
    poisoner.join(timeout=300)

    assert valid_statuses == [200] * (VALID_CLIENTS * BATCHES_PER_CLIENT)
    assert poison_statuses
    for label, status, text in poison_statuses:
        assert 400 <= status < 500, (label, status, text)
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
    stored = _stored_event_ids(server)
    assert set(valid_ids) <= stored
    assert set(neighbours) <= stored  # a poison message's valid neighbours are kept
    assert not stored & {"sp-0", "d1-0", "d2-0", "p100-0"}


def _stored_event_ids(server: LiveServer) -> set[str]:
    """Every event id in the store; the server is stopped to read its file (restarted after)."""
    server.stop()
    store = Store.open(Path(server.project_dir) / ".pql" / "acme.duckdb")
    try:
        return {r[0] for r in store.raw.execute("SELECT event_id FROM events").fetchall()}
    finally:
        store.close()
        server.start()


@pytest.mark.parametrize(
    ("body", "words"),
    [(b'{"batch": ' + _deep(100_000).encode() + b"}", "nest too deeply"),
     (b'{"batch": [], "n": -' + b"1" * 4301 + b"}", "4300 digits")],
    ids=["100000 deep", "4301 digits"],
)  # fmt: skip
def test_unparseable_bodies_are_400_invalid_json(
    server: LiveServer, body: bytes, words: str
) -> None:
    response = _post(server, body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "invalid_json"
    assert words in response.json()["error"]["message"]


def test_an_anonymous_body_is_refused_before_it_is_parsed(server: LiveServer) -> None:
    # Without credentials a hostile body is 401, not a parse error: the parser never ran.
    for body in (b"[" * 100_000, b'{"batch": [], "writeKey": "wrong"}'):
        response = _post(server, body, auth=None)
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthorized"
    keyed = json.dumps({"writeKey": WRITE_KEY, "batch": [_track("anon-keyed")]}).encode()
    assert _post(server, keyed, auth=None).json()["accepted"] == 1


def test_405_says_which_methods_are_allowed(server: LiveServer) -> None:
    response = httpx.get(f"{server.url}/v1/batch", timeout=10)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"
    response = httpx.delete(f"{server.url}/healthz", timeout=10)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"


def test_a_body_sent_too_slowly_is_408(server: LiveServer) -> None:
    body = json.dumps({"batch": [_track("slow-1")]}).encode()
    head = (
        f"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Authorization: Basic {base64.b64encode(f'{WRITE_KEY}:'.encode()).decode()}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head + body[:10])  # then nothing: a client stalled mid-body
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"408", answer
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["error"]["code"] == "request_timeout"
