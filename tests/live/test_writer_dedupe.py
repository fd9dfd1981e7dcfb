"""The writer's dedupe window (live/dedupe.py): a message id stored within the last
`dedupe.WINDOW` messages is not stored again, whether it repeats in one commit, in a later
one, or after a restart (the window is rebuilt from the inbox); one older than the window is
stored again, as documented. A hash collision never drops a message."""

from __future__ import annotations

from concurrent.futures import Future
from datetime import UTC, datetime

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pqlengine.ingest.segment import Message
from pqlengine.live import dedupe
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.writer import Writer, WriteResult
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


def test_repeats_in_a_commit_and_in_later_commits_are_stored_once(store: Store) -> None:
    writer = Writer(store)
    group = _submit(writer, ["m1", "m2", "m1"], ["m2", "m3"])  # queued: one commit
    writer.start()
    try:
        assert _results(group) == [WriteResult(2, 1), WriteResult(1, 1)]
        assert _results(_submit(writer, ["m3", "m1"])) == [WriteResult(0, 2)]
    finally:
        writer.stop()
    assert writer.duplicates == 2  # found in the window (the others within their commit)
    assert writer.commits == 2
    assert _counts(store) == {"m1": 1, "m2": 1, "m3": 1}
    assert _counts(store, "live_inbox", "message_id") == {"m1": 1, "m2": 1, "m3": 1}
    # The evaluator reads a commit's new events from here: each once.
    assert _counts(store, "live_recent_events") == _counts(store)


def test_a_new_writer_finds_the_ids_stored_before_its_start(store: Store) -> None:
    writer = Writer(store)
    writer.start()
    try:
        _results(_submit(writer, ["m1"]))
    finally:
        writer.stop()
    writer = Writer(store)  # a restart: the window is read back from the inbox
    assert writer.window.held == 1
    writer.start()
    try:
        assert _results(_submit(writer, ["m1", "n1"])) == [WriteResult(1, 1)]
        assert _results(_submit(writer, ["m1", "n1"])) == [WriteResult(0, 2)]
    finally:
        writer.stop()
    assert _counts(store) == {"m1": 1, "n1": 1}


def test_an_id_older_than_the_window_is_stored_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedupe, "WINDOW", 2)
    writer = Writer(store)
    writer.start()
    try:
        assert _results(_submit(writer, ["m1", "m2", "m3", "m4"])) == [WriteResult(4, 0)]
    finally:
        writer.stop()
    writer = Writer(store)  # the window holds the last two: m3 and m4
    group = _submit(writer, ["m1", "n1"], ["n2"], ["m4"])
    writer.start()
    try:
        assert _results(group) == [WriteResult(2, 0), WriteResult(1, 0), WriteResult(0, 1)]
    finally:
        writer.stop()
    assert _counts(store) == {"m1": 2, "m2": 1, "m3": 1, "m4": 1, "n1": 1, "n2": 1}


def test_an_event_id_stored_from_a_file_is_not_in_the_window(store: Store) -> None:
    # The window holds what the service stored; `pql ingest` stored f1 from a file.
    store.raw.execute("INSERT INTO events VALUES ('f1', 'u', 'a', 'E', ?, '{}')", [NAIVE])
    writer = Writer(store)
    writer.start()
    try:
        assert _results(_submit(writer, ["f1", "n1"])) == [WriteResult(2, 0)]
    finally:
        writer.stop()
    assert _counts(store) == {"f1": 2, "n1": 1}


def test_a_hash_collision_is_stored_not_dropped(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedupe, "hashes", lambda raw, ids: [7 for _ in ids])
    writer = Writer(store)
    writer.start()
    try:
        assert _results(_submit(writer, ["m1"])) == [WriteResult(1, 0)]
        assert _results(_submit(writer, ["m2"])) == [WriteResult(1, 0)]  # same hash, new id
        assert _results(_submit(writer, ["m2"])) == [WriteResult(0, 1)]
    finally:
        writer.stop()
    assert _counts(store) == {"m1": 1, "m2": 1}


def test_the_window_loads_the_latest_messages_and_finds_new_ones() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE live_inbox (seq BIGINT, message_id VARCHAR)")
    con.execute("INSERT INTO live_inbox SELECT i, 'm' || i FROM range(1, 1001) r(i)")
    window = dedupe.DedupeWindow(640)  # runs of 10
    window.load(con)
    assert window.held == 640
    ids = [f"m{i}" for i in range(1, 1001)]
    found = window.candidates(dedupe.hashes(con, ids))
    assert set(found.values()) == set(range(361, 1001))
    window.add(dedupe.hashes(con, ["n1", "n2"]), [1001, 1002])
    assert window.held == 642  # the open run counts
    assert set(window.candidates(dedupe.hashes(con, ["n1", "n2", "n3"])).values()) == {1001, 1002}


@given(
    chunks=st.lists(st.integers(1, 40), min_size=1, max_size=60),
    size=st.integers(1, 300),
    collide=st.integers(0, 5),
)
def test_the_window_holds_the_last_messages_through_seals_and_merges(
    chunks: list[int], size: int, collide: int
) -> None:
    """Against a list of every message added: each of the last `size` is found with its
    seq (the newest one of its hash), none older than the documented slack is."""
    window = dedupe.DedupeWindow(size)
    added: list[tuple[int, int]] = []
    for chunk in chunks:
        seqs = list(range(len(added) + 1, len(added) + chunk + 1))
        # `collide` > 0: every collide-th message shares a hash with an earlier one.
        hashes = [
            (s % collide if collide and s % 3 == 0 else 1_000 + s) * 0x9E3779B97F4A7C15 % 2**64
            for s in seqs
        ]
        window.add(hashes, seqs)
        added += zip(hashes, seqs, strict=True)
        run = -(-size // dedupe.RUNS_PER_WINDOW)
        assert window.held <= size + dedupe.MERGE_RUNS * run
        found = window.candidates([h for h, _ in added])
        newest = dict(added)  # hash -> the seq of its newest message
        held = {h for h, _ in added[len(added) - window.held :]}
        for position, (h, _) in enumerate(added):
            if position >= len(added) - size:  # the last `size`: always found
                assert found.get(h) == newest[h]
            elif h not in held:
                assert h not in found  # dropped, and no message held has its hash
    if not collide:  # (a repeated hash takes no new place in the open run)
        assert window.merges == len(added) // run // dedupe.MERGE_RUNS


def test_a_store_served_by_an_earlier_version_loses_its_keys_on_random_ids() -> None:
    # Earlier versions kept a primary key on live_inbox.message_id and a unique index on
    # events.event_id; the first start of this one drops both and keeps every row.
    opened = Store.open(":memory:")
    try:
        raw = opened.raw
        raw.execute(
            "CREATE TABLE live_inbox (seq BIGINT NOT NULL, message_id VARCHAR PRIMARY KEY, "
            "type VARCHAR, user_id VARCHAR, account_id VARCHAR, received_at TIMESTAMP)"
        )
        raw.execute("INSERT INTO live_inbox VALUES (1, 'm1', 'track', 'u', 'a', ?)", [NAIVE])
        raw.execute("INSERT INTO events VALUES ('m1', 'u', 'a', 'E', ?, '{}')", [NAIVE])
        raw.execute("CREATE UNIQUE INDEX events_event_id ON events (event_id)")
        ensure_live_tables(opened)
        ensure_live_tables(opened)  # and again at the next start: nothing left to do
        indexes = {r[0] for r in raw.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
        assert indexes == {"users_user_id", "accounts_account_id"}
        keys = raw.execute(
            "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'live_inbox' "
            "AND constraint_type = 'PRIMARY KEY'"
        ).fetchone()
        assert keys == (0,)
        assert _counts(opened, "live_inbox", "message_id") == {"m1": 1}
        writer = Writer(opened)
        writer.start()
        try:
            assert _results(_submit(writer, ["m1", "n1"])) == [WriteResult(1, 1)]
        finally:
            writer.stop()
    finally:
        opened.close()
