"""Hostile input without a server: every value the store cannot hold is refused per message
(index and field), and a value that slips past validation fails only its own message."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from pqlengine.ingest.limits import MAX_DEPTH
from pqlengine.ingest.segment import Message, MessageProblem, parse_batch, parse_message
from pqlengine.live.app import ApiError, _parse_json, _with_refused, _write_key_in_body
from pqlengine.live.writer import UnstorableMessages, Writer, _reason
from pqlengine.store import Store

RECEIVED = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
NAIVE = RECEIVED.replace(tzinfo=None)


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def _track(**extra: Any) -> dict[str, Any]:
    return {"type": "track", "userId": "u", "event": "E", **extra}


HOSTILE: list[tuple[str, dict[str, Any], str, str]] = [
    ("surrogate messageId", _track(messageId="m\ud800"), "messageId", "Unicode"),
    ("surrogate userId", _track(userId="\udfff"), "userId", "Unicode"),
    ("surrogate anonymousId", {**_track(), "userId": None, "anonymousId": "\ud800"},
     "anonymousId", "Unicode"),
    ("surrogate event", _track(event="E\ud800"), "event", "Unicode"),
    ("surrogate property value", _track(properties={"k": ["ok", "\ud800"]}),
     "properties.k[1]", "Unicode"),
    ("surrogate property key", _track(properties={"\ud800k": 1}), "properties.\\ud800k",
     "Unicode"),
    ("surrogate groupId", {"type": "group", "groupId": "\ud800"}, "groupId", "Unicode"),
    ("surrogate trait", {"type": "identify", "userId": "u", "traits": {"email": "\ud800"}},
     "traits.email", "Unicode"),
    ("surrogate context groupId", _track(context={"groupId": "\ud800"}), "context.groupId",
     "Unicode"),
    ("employees 2**63", {"type": "group", "groupId": "g", "traits": {"employees": 2**63}},
     "traits.employees", "64-bit"),
    ("employees -2**63-1 string", {"type": "group", "groupId": "g",
     "traits": {"employees": str(-(2**63) - 1)}}, "traits.employees", "64-bit"),
    ("employees 400 digits", {"type": "group", "groupId": "g",
     "traits": {"employees": 10**400}}, "traits.employees", "64-bit"),
    ("employees 1e400", {"type": "group", "groupId": "g", "traits": {"employees": "1e400"}},
     "traits.employees", "whole number"),
    ("timestamp before year 1 in UTC", _track(timestamp="0001-01-01T00:00:00+01:00"),
     "timestamp", "out of range"),
    ("timestamp year 1", _track(timestamp="0001-01-01T00:00:00Z"), "timestamp", "stored range"),
    ("originalTimestamp 0001 sentAt 9999",
     _track(originalTimestamp="0001-01-01T00:00:00Z", sentAt="9999-12-31T23:59:59Z"),
     "originalTimestamp", "stored range"),
    ("sentAt year 9999", _track(originalTimestamp="2026-01-01T00:00:00Z",
     sentAt="9999-12-31T23:59:59Z"), "sentAt", "stored range"),
    ("correction leaves the range",
     _track(originalTimestamp="1901-01-01T00:00:00Z", sentAt="2199-12-31T00:00:00Z"),
     "originalTimestamp", "corrected by sentAt"),
    ("epoch of 400 digits", _track(timestamp=10**400), "timestamp", "finite"),
    ("epoch -1e300", _track(timestamp=-1e300), "timestamp", "out of range"),
    ("createdAt year 9999", {"type": "group", "groupId": "g",
     "traits": {"createdAt": "9999-12-31T00:00:00Z"}}, "traits.createdAt", "stored range"),
    ("signup createdAt year 1", {"type": "identify", "userId": "u",
     "traits": {"createdAt": "0001-01-01T00:00:00Z"}}, "traits.createdAt", "stored range"),
    ("properties too deep", _track(properties=_nested(MAX_DEPTH)), "properties", "deeper"),
    ("traits too deep", {"type": "group", "groupId": "g", "traits": _nested(MAX_DEPTH)},
     "traits", "deeper"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "field", "words"), [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE]
)
def test_hostile_values_are_refused_with_index_and_field(
    raw: dict[str, Any], field: str, words: str
) -> None:
    good, problems = parse_batch([_track(messageId="fine"), raw], RECEIVED)
    assert [m.message_id for m in good] == ["fine"]
    assert [(p.index, p.field) for p in problems] == [(1, field)]
    assert words in problems[0].message
    json.dumps(problems[0].to_json(), ensure_ascii=False).encode()  # answerable as UTF-8


def test_values_at_the_limits_are_kept() -> None:
    message = parse_message(
        {"type": "group", "groupId": "g", "properties": {},
         "traits": {"employees": str(2**63 - 1), "createdAt": "1900-01-01T00:00:00Z",
                    "deep": _nested(MAX_DEPTH - 2)}},
        RECEIVED,
    )  # fmt: skip
    account = message.rows[0][1]
    assert account["employees"] == 2**63 - 1
    assert account["created_at"] == datetime(1900, 1, 1)
    exact = parse_message(
        {"type": "group", "groupId": "g", "traits": {"employees": 2**53 + 1}}, RECEIVED
    )
    assert exact.rows[0][1]["employees"] == 2**53 + 1  # not rounded through a float


def test_a_lone_surrogate_in_the_batch_sent_at_is_answerable() -> None:
    _, problems = parse_batch(
        [_track(originalTimestamp="2026-01-01T00:00:00Z")], RECEIVED, sent_at="x\ud800"
    )
    assert [(p.index, p.field) for p in problems] == [(0, "sentAt")]
    problems[0].message.encode()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b'{"batch": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nest too deeply"),
        (b'{"batch": [], "n": ' + b"9" * 5000 + b"}", "4300 digits"),
    ],
    ids=["nested 5000 deep", "integer of 5000 digits"],
)
def test_unparseable_json_is_invalid_json(body: bytes, words: str) -> None:
    with pytest.raises(ApiError) as caught:
        _parse_json(body)
    assert (caught.value.status, caught.value.code) == (400, "invalid_json")
    assert words in caught.value.message


def test_the_body_write_key_is_found_without_parsing() -> None:
    assert _write_key_in_body(b'{"batch": [], "writeKey" : "k1"}', "k1")
    assert _write_key_in_body(b'{"writeKey": "other", "batch": [], "writeKey": "k1"}', "k1")
    assert not _write_key_in_body(b'{"writeKey": "k2", "batch": []}', "k1")
    assert not _write_key_in_body(b'{"batch": [' + b"[" * 5000, "k1")


def test_store_refused_messages_are_named_by_their_request_index() -> None:
    # Requests 0..4; parse refused 1 and 3, so the writer saw [0, 2, 4] and refused its 2nd.
    parsed = [MessageProblem(1, "event", "event is required"), MessageProblem(3, "type", "x")]
    merged = _with_refused(parsed, {1: "UnicodeEncodeError: ..."}, 5, indexed=True)
    assert [(p.index, p.field) for p in merged] == [(1, "event"), (2, ""), (3, "type")]
    assert merged[1].message == "not stored: UnicodeEncodeError: ..."
    single = _with_refused([], {0: "OverflowError: ..."}, 1, indexed=False)
    assert [(p.index, p.field) for p in single] == [(None, "")]


def _message(message_id: str, user_id: str = "u") -> Message:
    row = {"event_id": message_id, "user_id": user_id, "account_id": "a", "event": "E",
           "ts": NAIVE, "properties": {}}  # fmt: skip
    return Message(message_id, "track", user_id, "a", NAIVE, [("events", row)])


def _stored_ids(store: Store) -> set[str]:
    return {r[0] for r in store.raw.execute("SELECT event_id FROM events").fetchall()}


def test_a_bad_row_past_validation_fails_only_its_own_message(store: Store) -> None:
    writer = Writer(store)
    # Queued before the thread starts, so all three land in one group commit.
    valid = writer.submit([_message("a-1"), _message("a-2")], NAIVE)
    poisoned = writer.submit([_message("b-1"), _message("b-2", "\ud800"), _message("b-3")], NAIVE)
    other = writer.submit([_message("c-1")], NAIVE)
    writer.start()
    try:
        assert valid.result(timeout=30).accepted == 2
        assert other.result(timeout=30).accepted == 1
        with pytest.raises(UnstorableMessages) as caught:
            poisoned.result(timeout=30)
    finally:
        writer.stop()
    assert caught.value.written.accepted == 2
    assert list(caught.value.refused) == [1]
    assert "UnicodeEncodeError" in caught.value.refused[1]
    assert _stored_ids(store) == {"a-1", "a-2", "b-1", "b-3", "c-1"}


def test_a_refusal_without_a_message_is_still_described() -> None:
    assert _reason(ValueError("  \n ")) == "ValueError: no message"
    assert _reason(UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))


def test_a_store_that_cannot_write_answers_an_error_not_a_data_problem(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = Writer(store)

    def broken(batch: list[Any]) -> list[Any]:
        raise duckdb.IOException("IO Error: could not write the WAL")

    monkeypatch.setattr(writer, "_commit", broken)
    first = writer.submit([_message("d-1")], NAIVE)
    second = writer.submit([_message("d-2")], NAIVE)
    writer.start()
    try:
        for future in (first, second):
            with pytest.raises(duckdb.IOException):
                future.result(timeout=30)
    finally:
        writer.stop()
