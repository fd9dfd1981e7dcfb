"""Bad input over HTTP: the right status, one JSON error shape, and nothing valid lost."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.live.harness import API_TOKEN, WRITE_KEY, LiveServer, write_project

pytestmark = pytest.mark.e2e  # a real `pql serve` subprocess on loopback


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    project = write_project(tmp_path_factory.mktemp("ingest"), None)
    running = LiveServer(project).start()
    yield running
    running.stop()


def _track(message_id: str, **extra: object) -> dict[str, object]:
    return {"type": "track", "userId": "u-http", "event": "Created Document",
            "messageId": message_id, **extra}  # fmt: skip


def _assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body


def _timeline_ids(server: LiveServer, entity: str) -> set[str]:
    return {e["event_id"] for e in server.api(f"/api/leads/{entity}")["timeline"]}


def _group(server: LiveServer, account: str, user: str = "u-http") -> None:
    created = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    response = server.post(
        "/v1/group",
        {"userId": user, "groupId": account, "traits": {"name": account, "createdAt": created}},
    )
    assert response.status_code == 200, response.text


def test_malformed_json_is_400_with_position(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/batch", content=b'{"batch": [', auth=(WRITE_KEY, ""), timeout=10
    )
    body = _assert_error(response, 400, "invalid_json")
    assert "line 1, column" in str(body["error"]["message"])  # type: ignore[index]


def test_wrong_or_missing_write_key_is_401(server: LiveServer) -> None:
    payload = {"batch": [_track("auth-1")]}
    _assert_error(server.post("/v1/batch", payload, auth=("nope", "")), 401, "unauthorized")
    response = httpx.post(f"{server.url}/v1/batch", json=payload, timeout=10)
    _assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Basic")


def test_write_key_in_the_body_is_accepted(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/batch",
        json={"batch": [_track("body-key-1")], "writeKey": WRITE_KEY},
        timeout=10,
    )
    assert response.json() == {"success": True, "accepted": 1, "duplicates": 0}


def test_gzip_body_is_accepted(server: LiveServer) -> None:
    body = gzip.compress(json.dumps({"batch": [_track("gz-1"), _track("gz-2")]}).encode())
    response = httpx.post(
        f"{server.url}/v1/batch",
        content=body,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        auth=(WRITE_KEY, ""),
        timeout=10,
    )
    assert response.json() == {"success": True, "accepted": 2, "duplicates": 0}


def test_bad_gzip_is_400(server: LiveServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/batch",
        content=b"not gzip at all",
        headers={"Content-Encoding": "gzip"},
        auth=(WRITE_KEY, ""),
        timeout=10,
    )
    _assert_error(response, 400, "invalid_gzip")


def test_oversize_batch_is_413_and_stores_nothing(server: LiveServer) -> None:
    _group(server, "big-acct", "u-big")
    filler = "x" * 1000
    batch = [
        _track(f"big-{i}", userId="u-big", properties={"pad": filler}) for i in range(600)
    ]  # about 640 KB
    response = server.post("/v1/batch", {"batch": batch})
    _assert_error(response, 413, "payload_too_large")
    assert not any(i.startswith("big-") for i in _timeline_ids(server, "big-acct"))


def test_gzip_bomb_is_413(server: LiveServer) -> None:
    body = gzip.compress(b'{"batch": [' + b" " * (2 * 1024 * 1024) + b"]}")
    response = httpx.post(
        f"{server.url}/v1/batch",
        content=body,
        headers={"Content-Encoding": "gzip"},
        auth=(WRITE_KEY, ""),
        timeout=10,
    )
    _assert_error(response, 413, "payload_too_large")


def test_oversize_message_is_413_and_its_neighbours_are_kept(server: LiveServer) -> None:
    _group(server, "mixed-acct", "u-mixed")
    batch = [
        _track("mixed-ok-1", userId="u-mixed"),
        _track("mixed-huge", userId="u-mixed", properties={"pad": "y" * 40_000}),
        _track("mixed-ok-2", userId="u-mixed"),
    ]
    body = _assert_error(server.post("/v1/batch", {"batch": batch}), 413, "message_too_large")
    assert body["accepted"] == 2
    assert body["error"]["field"] == "batch[1]"  # type: ignore[index]
    ids = _timeline_ids(server, "mixed-acct")
    assert {"mixed-ok-1", "mixed-ok-2"} <= ids
    assert "mixed-huge" not in ids


def test_single_call_over_32_kb_is_413(server: LiveServer) -> None:
    response = server.post("/v1/track", _track("one-huge", properties={"pad": "z" * 40_000}))
    _assert_error(response, 413, "payload_too_large")


def test_bad_timestamps_and_unknown_types_name_index_and_field(server: LiveServer) -> None:
    _group(server, "ts-acct", "u-ts")
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    batch = [
        _track("ts-ok", userId="u-ts"),
        _track("ts-bad", userId="u-ts", timestamp="yesterday-ish"),
        {"type": "trackk", "userId": "u-ts", "messageId": "ts-type"},
        _track("ts-future", userId="u-ts", timestamp=future),
        {"type": "track", "userId": "u-ts", "messageId": "ts-noevent"},
        "not an object",
    ]
    body = _assert_error(server.post("/v1/batch", {"batch": batch}), 400, "invalid_message")
    problems = {(p["index"], p["field"]) for p in body["problems"]}  # type: ignore[union-attr]
    assert problems == {(1, "timestamp"), (2, "type"), (3, "timestamp"), (4, "event"), (5, "")}
    assert body["accepted"] == 1
    assert body["error"]["field"] == "batch[1].timestamp"  # type: ignore[index]
    assert "ts-ok" in _timeline_ids(server, "ts-acct")


def test_clock_skew_is_corrected_as_segment_documents(server: LiveServer) -> None:
    _group(server, "skew-acct", "u-skew")
    # The device clock is 1 hour fast: it stamped the event and the send 1 h ahead.
    device_now = datetime.now(UTC) + timedelta(hours=1)
    message = {
        "type": "track", "userId": "u-skew", "event": "Invited Member", "messageId": "skew-1",
        "originalTimestamp": (device_now - timedelta(minutes=5)).isoformat(),
        "sentAt": device_now.isoformat(),
    }  # fmt: skip
    before = datetime.now(UTC)
    assert server.post("/v1/batch", {"batch": [message]}).status_code == 200
    after = datetime.now(UTC)
    event = next(
        e for e in server.api("/api/leads/skew-acct")["timeline"] if e["event_id"] == "skew-1"
    )
    stored = datetime.fromisoformat(event["ts"].replace("Z", "+00:00"))
    assert before - timedelta(minutes=5, seconds=1) <= stored <= after - timedelta(minutes=5)


def test_api_needs_the_bearer_token(server: LiveServer) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_TOKEN}"}):
        response = httpx.get(f"{server.url}/api/leads", headers=headers, timeout=10)
        _assert_error(response, 401, "unauthorized")


def test_unknown_route_and_bad_parameters_use_the_error_shape(server: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    _assert_error(
        httpx.get(f"{server.url}/api/nothing", headers=auth, timeout=10), 404, "not_found"
    )
    response = httpx.get(f"{server.url}/api/leads", params={"limit": 0}, headers=auth, timeout=10)
    body = _assert_error(response, 400, "invalid_parameter")
    assert body["error"]["field"] == "limit"  # type: ignore[index]
    response = httpx.get(f"{server.url}/api/leads", params={"sort": "x"}, headers=auth, timeout=10)
    assert _assert_error(response, 400, "invalid_parameter")["error"]["field"] == "sort"  # type: ignore[index]
    response = httpx.get(f"{server.url}/api/leads/no-such", headers=auth, timeout=10)
    _assert_error(response, 404, "not_found")


def test_leads_filter_sort_and_paginate(server: LiveServer) -> None:
    for index in range(3):
        _group(server, f"page-acct-{index}", f"u-page-{index}")
    server.post("/v1/track", _track("page-ev", userId="u-page-0"))
    server.settled()
    everyone = server.api("/api/leads", status="all", sort="entity_id", limit=1000)
    ids = [i["entity_id"] for i in everyone["items"]]
    assert ids == sorted(ids)
    assert everyone["total"] == len(ids)
    first = server.api("/api/leads", status="all", sort="entity_id", limit=2, offset=0)
    second = server.api("/api/leads", status="all", sort="entity_id", limit=2, offset=2)
    assert [i["entity_id"] for i in first["items"] + second["items"]] == ids[:4]
    found = server.api("/api/leads", status="all", q="page-acct-1")
    assert [i["entity_id"] for i in found["items"]] == ["page-acct-1"]


def test_definitions_and_metrics(server: LiveServer) -> None:
    definitions = server.api("/api/definitions")
    assert definitions["current"] in {d["version"] for d in definitions["items"]}
    metrics = server.api("/api/metrics", period="week")
    assert "cohorts" in metrics or "rows" in metrics or metrics


def test_a_replay_after_a_restart_is_found_in_the_window(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The dedupe window is rebuilt from the inbox at start, so a replay after a restart is
    # found as before it (/healthz counts the duplicates it found).
    server = LiveServer(write_project(tmp_path_factory.mktemp("replay"), None)).start()
    context = {"groupId": "replay-acct"}
    sent = [_track(f"replay-{i}", context=context) for i in range(3)]
    batch = {"batch": [*sent, sent[0]]}
    try:
        _group(server, "replay-acct")
        assert server.post("/v1/batch", batch).json()["duplicates"] == 1
        assert server.post("/v1/batch", batch).json()["duplicates"] == 4
        assert _writer(server)["duplicates"] == 3  # the fourth was a repeat within the batch
        server.stop()
        server.start()
        assert _writer(server)["dedupe_window"] == 4  # the group call and three tracks
        mixed = {"batch": [*batch["batch"], _track("replay-new", context=context)]}
        answer = server.post("/v1/batch", mixed).json()
        assert answer == {"success": True, "accepted": 1, "duplicates": 4}
        window = _writer(server)
        assert window["duplicates"] == 3 and window["dedupe_window"] == 5  # and replay-new
        expected = {"replay-0", "replay-1", "replay-2", "replay-new"}
        assert _timeline_ids(server, "replay-acct") == expected
        passes = httpx.get(f"{server.url}/healthz", timeout=10).json()["evaluator"]
        spread = passes["recent_pass_ms"]
        assert passes["passes"] >= 1 and 0 < spread["p50"] <= spread["p95"] <= spread["max"]
        assert passes["cached_entities"] >= 1 and passes["cached_rows"] >= 4  # replay-acct
        assert passes["evicted"] == 0 and passes["cache_rows_limit"] == 5_000_000
    finally:
        server.stop()


def _writer(server: LiveServer) -> dict[str, object]:
    return dict(httpx.get(f"{server.url}/healthz", timeout=10).json()["writer"])
