"""The writer's dedupe: exact and forever, whichever way a duplicate is found. Message ids
committed lately are known in memory; older ones (and event ids stored from files) are
refused by the store's unique indexes, and the commit is done again with the store telling
which messages are new. Every way ends with each message stored once and counted once."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime

import pytest

from pqlengine.ingest.segment import Message
from pqlengine.live import writer as writer_module
from pqlengine.live.writer import Writer, WriteResult, _RecentIds
from pqlengine.store import Store

NAIVE = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC).replace(tzinfo=None)


def _message(message_id: str) -> Message:
    row = {"event_id": message_id, "user_id": "u", "account_id": "a", "event": "E",
           "ts": NAIVE, "properties": {}}  # fmt: skip
    return Message(message_id, "track", "u", "a", NAIVE, [("events", row)])


def _submit(writer: Writer, *requests: list[str]) -> list[Future[WriteResult]]:
    return [writer.submit([_message(i) for i in ids], NAIVE) for ids in requests]


def _results(futures: list[Future[WriteResult]]) -> list[WriteResult]:
    return [f.result(timeout=30) for f in futures]


def _counts(store: Store, table: str = "events", key: str = "event_id") -> dict[str, int]:
    sql = f"SELECT {key}, count(*) FROM {table} GROUP BY ALL"
    return dict(store.raw.execute(sql).fetchall())


def test_repeats_in_a_commit_and_recent_ids_are_found_without_the_store(store: Store) -> None:
    writer = Writer(store)
    group = _submit(writer, ["m1", "m2", "m1"], ["m2", "m3"])  # queued: one commit
    writer.start()
    try:
        assert _results(group) == [WriteResult(2, 1), WriteResult(1, 1)]
        assert _results(_submit(writer, ["m3", "m1"])) == [WriteResult(0, 2)]
    finally:
        writer.stop()
    assert writer.rechecked == 0
    assert writer.commits == 2
    assert _counts(store) == {"m1": 1, "m2": 1, "m3": 1}
    assert _counts(store, "live_inbox", "message_id") == {"m1": 1, "m2": 1, "m3": 1}


def test_an_id_older_than_the_recent_ones_is_refused_by_the_store_and_the_rest_kept(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_module, "RECENT_IDS", 2)
    writer = Writer(store)
    writer.start()
    try:
        assert _results(_submit(writer, ["m1", "m2", "m3", "m4"])) == [WriteResult(4, 0)]
    finally:
        writer.stop()
    writer = Writer(store)
    group = _submit(writer, ["m1", "n1"], ["n2"], ["m4"])  # m4 is still known, m1 is not
    writer.start()
    try:
        assert _results(group) == [WriteResult(1, 1), WriteResult(1, 0), WriteResult(0, 1)]
    finally:
        writer.stop()
    assert writer.rechecked == 1
    assert _counts(store) == {i: 1 for i in ("m1", "m2", "m3", "m4", "n1", "n2")}
    # The evaluator reads a commit's new events from here: each once.
    assert _counts(store, "live_recent_events") == _counts(store)


def test_a_new_writer_finds_the_ids_stored_before_its_start(store: Store) -> None:
    writer = Writer(store)
    writer.start()
    try:
        _results(_submit(writer, ["m1"]))
    finally:
        writer.stop()
    writer = Writer(store)  # a restart: nothing known in memory
    writer.start()
    try:
        assert _results(_submit(writer, ["m1", "n1"])) == [WriteResult(1, 1)]
        assert _results(_submit(writer, ["m1"])) == [WriteResult(0, 1)]  # known now
    finally:
        writer.stop()
    assert writer.rechecked == 1
    assert _counts(store) == {"m1": 1, "n1": 1}


def test_an_event_id_stored_from_a_file_is_not_stored_twice(store: Store) -> None:
    # `pql ingest` stored f1 from a file: in events, never in the inbox.
    store.raw.execute("INSERT INTO events VALUES ('f1', 'u', 'a', 'E', ?, '{}')", [NAIVE])
    writer = Writer(store)
    group = _submit(writer, ["f1", "n1"], ["n2"])
    writer.start()
    try:
        # The message is new to the service (and so accepted); its event was stored already.
        assert _results(group) == [WriteResult(2, 0), WriteResult(1, 0)]
    finally:
        writer.stop()
    assert writer.rechecked == 1
    assert _counts(store) == {"f1": 1, "n1": 1, "n2": 1}
    assert _counts(store, "live_recent_events") == {"n1": 1, "n2": 1}


def test_the_recent_ids_are_the_latest_and_bounded() -> None:
    recent = _RecentIds(3)
    recent.add(["a", "b", "c", "a"])
    recent.add(["d", "e"])
    assert [i for i in "abcde" if i in recent] == ["c", "d", "e"]
