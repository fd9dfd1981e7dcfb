"""The event registries: always their recomputation from `events` (first event per (account,
user); first and last event per (account, user, UTC day)), whatever path added the events,
and the entities and qualifications read from them equal a scan of the events."""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqlengine import registry
from pqlengine.compute.entities import entities
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project
from pqlengine.ingest import IngestError, ingest_file, ingest_records
from pqlengine.ingest.segment import parse_batch
from pqlengine.live import writer as writer_module
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.writer import Writer
from pqlengine.store import Store
from tests.support.config import base_config

T0 = datetime(2026, 3, 1)


def _rows(store: Store, summary: registry.Registry) -> set[tuple[Any, ...]]:
    """The registry's rows, each key's rows combined (the live writer appends a row per key
    and commit); with one row per key and the same rows as the combined ones asserted for a
    merged registry, so a duplicate row cannot hide in the set."""
    query = f"SELECT {summary.columns} FROM {summary.table}"
    stored = store.raw.execute(query).fetchall()
    combined = store.raw.execute(summary.combined(query)).fetchall()
    pending = store.raw.execute(
        f"SELECT count(*) FROM {summary.table} WHERE {registry.LIVE_SEQ} IS NOT NULL"
    ).fetchone()
    if pending == (0,):
        assert sorted(stored, key=repr) == sorted(combined, key=repr), summary.table
    return set(combined)


def _registry(store: Store) -> set[tuple[Any, ...]]:
    return _rows(store, registry.FIRSTS)


def _recomputed(store: Store) -> set[tuple[Any, ...]]:
    query = "SELECT account_id, user_id, min(ts) FROM events GROUP BY ALL"
    return set(store.raw.execute(query).fetchall())


def _days(store: Store) -> set[tuple[Any, ...]]:
    return _rows(store, registry.DAYS)


def _days_recomputed(store: Store) -> set[tuple[Any, ...]]:
    query = "SELECT account_id, user_id, ts::DATE, min(ts), max(ts) FROM events GROUP BY ALL"
    return set(store.raw.execute(query).fetchall())


def _both_current(store: Store) -> bool:
    return _registry(store) == _recomputed(store) and _days(store) == _days_recomputed(store)


def _random_events(rng: random.Random, start: int, count: int) -> list[dict[str, Any]]:
    """Events of a few users and accounts, some without an account, in random time order;
    event ids drawn from a small range so that files repeat ids (first occurrence wins)."""
    rows = []
    for _ in range(count):
        rows.append(
            {
                "event_id": f"e{rng.randrange(start, start + 3 * count)}",
                "user_id": f"u{rng.randrange(6)}",
                "account_id": rng.choice([None, "A", "B", "C"]),
                "event": rng.choice(["X", "Y", "Paid"]),
                "ts": T0 + timedelta(hours=rng.randrange(2000)),
            }
        )
    return rows


def test_registry_is_the_minimum_after_every_ingest(tmp_path: Path) -> None:
    """Files and records in any order, repeated event ids with other times, events earlier
    than the known first ones: after each ingest the registry equals the recomputation."""
    rng = random.Random(11)
    store = Store.open(tmp_path / "s.duckdb")
    try:
        for batch in range(8):
            rows = _random_events(rng, start=5 * batch, count=40)
            if batch % 2:
                ingest_records(store, "events", rows)
            else:
                path = tmp_path / f"events{batch}.jsonl"
                path.write_text("\n".join(_jsonl(r) for r in rows) + "\n")
                ingest_file(store, "events", path)
            assert _both_current(store), batch
        assert len(_registry(store)) > 10
        assert len(_days(store)) > len(_registry(store))
    finally:
        store.close()


def _jsonl(row: dict[str, Any]) -> str:
    return json.dumps({**row, "ts": row["ts"].isoformat() + "Z"})


def test_rejected_file_leaves_the_registry_unchanged(tmp_path: Path) -> None:
    store = Store.open(":memory:")
    ingest_records(store, "events", _random_events(random.Random(3), 0, 20))
    before = _registry(store), _days(store)
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,user_id,event,ts\nz1,u1,X,2020-01-01T00:00:00Z\nz2,u1,X,never\n")
    with pytest.raises(IngestError):
        ingest_file(store, "events", bad)
    assert (_registry(store), _days(store)) == before
    assert _both_current(store)
    store.close()


def test_live_writer_keeps_the_registry(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "live.duckdb")
    ensure_live_tables(store)
    ingest_records(
        store,
        "events",
        [{"event_id": "m1", "user_id": "u1", "event": "X", "ts": T0 + timedelta(days=3)}],
    )
    writer = Writer(store)
    writer.start()
    try:
        calls = [
            # an id `pql ingest` stored from a file, with an earlier time: not in the dedupe
            # window (docs/live.md "Dedupe"), so a second copy, and the registry follows it
            {"type": "track", "userId": "u1", "event": "X", "messageId": "m1",
             "timestamp": "2026-03-01T00:00:00Z"},
            {"type": "track", "userId": "u1", "event": "Y", "messageId": "m2",
             "timestamp": "2026-03-02T00:00:00Z"},
            {"type": "track", "userId": "u2", "event": "Y", "messageId": "m3",
             "timestamp": "2026-03-05T00:00:00Z", "context": {"groupId": "A"}},
        ]  # fmt: skip
        received = T0 + timedelta(days=10)
        messages, problems = parse_batch(calls, received)
        assert not problems
        writer.submit(messages, received).result(timeout=30)
    finally:
        writer.stop()
    assert _both_current(store)
    firsts = {(a, u): ts for a, u, ts in _registry(store)}
    assert firsts[(None, "u1")] == T0
    store.close()


def test_the_compactor_waits_for_a_share_of_the_registries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A compaction is due once the rows waiting reach a COMPACT_SHARE-th of the registries'
    rows (at least COMPACT_AFTER_ROWS), measured at start and after each compaction."""
    monkeypatch.setattr(writer_module, "COMPACT_AFTER_ROWS", 5)
    monkeypatch.setattr(writer_module, "COMPACT_SHARE", 2)
    store = Store.open(tmp_path / "live.duckdb")
    ensure_live_tables(store)
    ingest_records(store, "events", _random_events(random.Random(3), 1000, 30))
    stored = sum(_count(store, r.table) for r in registry.REGISTRIES)
    assert stored // 2 > 5
    compactor = writer_module.Compactor(store)
    assert compactor.threshold == stored // 2
    compactor.appended(compactor.threshold - 1)
    assert not compactor._due.is_set()
    compactor.appended(1)
    assert compactor._due.is_set()
    store.raw.execute(f"DELETE FROM {registry.DAYS.table}")  # the registries shrink
    compactor.compact()
    assert compactor.threshold == max(5, _count(store, registry.FIRSTS.table) // 2)
    store.close()


def _count(store: Store, table: str) -> int:
    row = store.raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0


def test_live_commits_append_and_the_compactor_merges(tmp_path: Path) -> None:
    """Each commit appends a row per key of its new events (several rows per key across
    commits, exact when combined); compactions while commits go on, and the one at stop,
    leave one row per key equal to the recomputation."""
    store = Store.open(tmp_path / "live.duckdb")
    ensure_live_tables(store)
    ingest_records(store, "events", _random_events(random.Random(2), 1000, 30))
    writer = Writer(store)
    writer.start()
    rng = random.Random(4)
    try:
        for commit in range(12):
            calls = [
                {"type": "track", "userId": f"u{rng.randrange(4)}", "event": "X",
                 "messageId": f"c{commit}-{i}", "context": {"groupId": rng.choice(["A", "B"])},
                 "timestamp": (T0 + timedelta(hours=rng.randrange(300))).isoformat() + "Z"}
                for i in range(5)
            ]  # fmt: skip
            messages, problems = parse_batch(calls, T0 + timedelta(days=30))
            assert not problems
            writer.submit(messages, T0 + timedelta(days=30)).result(timeout=30)
            if commit == 5:
                appended = store.raw.execute(
                    f"SELECT count(*) - count(DISTINCT (account_id, user_id)) "
                    f"FROM {registry.FIRSTS.table}"
                ).fetchone()
                assert appended is not None and appended[0] > 0  # several rows for a key
                assert _both_current(store)
                writer.compactor.compact()  # while the writer runs
    finally:
        writer.stop()
    assert writer.compactor.compactions >= 2  # the one above and the one at stop
    pending = store.raw.execute(
        f"SELECT count(*) FROM {registry.DAYS.table} WHERE {registry.LIVE_SEQ} IS NOT NULL"
    ).fetchone()
    assert pending == (0,)
    assert _both_current(store)  # and, nothing pending: one row per key
    store.close()


def test_a_store_without_the_registry_gets_it_built_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    store = Store.open(path)
    ingest_records(store, "events", _random_events(random.Random(5), 0, 50))
    expected = _recomputed(store), _days_recomputed(store)
    for summary in registry.REGISTRIES:  # as an earlier version left it
        store.raw.execute(f"DROP TABLE {summary.table}")
    store.close()
    reopened = Store.open(path)
    try:
        assert (_registry(reopened), _days(reopened)) == expected
    finally:
        reopened.close()


@pytest.mark.parametrize("entity", ["account", "user"])
@pytest.mark.parametrize("signup", [{"source": "accounts"}, {"event": "X"}])
def test_entities_from_the_registry_equal_a_scan_of_the_events(
    monkeypatch: pytest.MonkeyPatch, entity: str, signup: dict[str, str]
) -> None:
    """Accounts with and without rows, users with and without accounts, events with and
    without account_id, several as_of instants (some before entities' first events)."""
    rng = random.Random(7)
    store = Store.open(":memory:")
    ingest_records(
        store,
        "accounts",
        [{"account_id": "A", "created_at": T0 + timedelta(days=20)}, {"account_id": "C"}],
    )
    ingest_records(
        store,
        "users",
        [
            {"user_id": "u0", "account_id": "A", "signed_up_at": T0 + timedelta(days=2)},
            {"user_id": "u1", "account_id": "B"},
            {"user_id": "u2", "account_id": None, "signed_up_at": T0},
            {"user_id": "u3", "account_id": "D"},
        ],
    )
    ingest_records(store, "events", _random_events(rng, 0, 120))
    project = Project.from_dict(base_config(entity=entity, signup=signup))

    def rows(as_of: datetime) -> list[dict[str, Any]]:
        table = entities(store, project, as_of).order_by("entity_id")
        return table.to_pyarrow().to_pylist()

    try:
        for as_of in (T0 + timedelta(days=d) for d in (1, 10, 30, 100)):
            registered = rows(as_of)
            with monkeypatch.context() as patched:
                patched.setattr(store, "has_registry", False)
                scanned = rows(as_of)
            assert registered == scanned, as_of
        assert len(registered) >= 3
    finally:
        store.close()


def _day_events(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Events at any minute of 20 days, so that signup days and as_of days have events on
    both sides of the signup and of as_of."""
    return [
        {
            "event_id": f"d{i}",
            "user_id": f"u{rng.randrange(6)}",
            "account_id": rng.choice([None, "A", "B", "C"]),
            "event": rng.choice(["X", "Y", "Paid"]),
            "ts": T0 + timedelta(minutes=rng.randrange(20 * 1440)),
        }
        for i in range(count)
    ]


def _every_event_criteria(entity: str) -> list[dict[str, Any]]:
    """A count plus the criteria read from user-days (every event, no where)."""
    criteria: list[dict[str, Any]] = [
        {"id": "x", "event": "X", "at_least": 2},
        {"id": "days", "kind": "active_days", "at_least": 3, "within_days": 5},
        {"id": "streak", "kind": "consecutive_days", "at_least": 2},
    ]
    if entity == "account":
        criteria.append({"id": "team", "kind": "users", "at_least": 2})
    return criteria


@pytest.mark.slow  # 16 cases of ~3.5 s
@pytest.mark.parametrize("entity", ["account", "user"])
@pytest.mark.parametrize("min_active_days", [None, 1, 2, 3])
@pytest.mark.parametrize("criteria", ["count", "every_event", "lifecycle"])
def test_active_days_from_the_registry_equal_a_scan_of_the_events(
    monkeypatch: pytest.MonkeyPatch, entity: str, min_active_days: int | None, criteria: str
) -> None:
    """Signups in the middle of days with events before and after them (the rows the day
    registry cannot settle), as_of in the middle of days and on signup days: the whole
    qualification, detailed and not, equals the one computed from the events; also with
    the criteria read from user-days (users, active_days, consecutive_days over every
    event), which the registry serves too."""
    rng = random.Random(min_active_days or 0)
    store = Store.open(":memory:")
    signups = {"A": 2.5, "B": 6.3, "C": 11.75}  # days after T0
    ingest_records(
        store,
        "accounts",
        [{"account_id": a, "created_at": T0 + timedelta(days=d)} for a, d in signups.items()],
    )
    users = [
        {
            "user_id": f"u{i}",
            "account_id": "ABC"[i % 3] if i < 5 else None,
            "signed_up_at": T0 + timedelta(days=1.4 * i + 0.6),
        }
        for i in range(6)
    ]
    ingest_records(store, "users", users)
    events = _day_events(rng, 400)
    if criteria in ("every_event", "lifecycle"):
        # Conversions (Paid) rare enough to leave criteria to meet, and an account D whose
        # users are active only after its signup (the rows the registries settle).
        rare = random.Random(1)
        for event in events:
            if event["event"] == "Paid" and rare.random() > 0.03:
                event["event"] = "Y"
        d_signup = T0 + timedelta(days=8.5)
        ingest_records(store, "accounts", [{"account_id": "D", "created_at": d_signup}])
        late = [{"user_id": f"d{i}", "account_id": "D", "signed_up_at": d_signup} for i in range(3)]
        ingest_records(store, "users", late)
        events += [
            {
                "event_id": f"late{i}",
                "user_id": f"d{rare.randrange(3)}",
                "account_id": rare.choice([None, "D"]),
                "event": rare.choice(["X", "Y"]),
                "ts": d_signup + timedelta(minutes=1 + rare.randrange(int(11.5 * 1440))),
            }
            for i in range(120)
        ]
    ingest_records(store, "events", events)
    definition: dict[str, Any] = {
        "name": "d",
        "criteria": (
            _every_event_criteria(entity)
            if criteria == "every_event"
            else [{"id": "x", "event": "X", "at_least": 2}]
        ),
        "qualify": {"at_least": 2} if criteria == "every_event" else "all",
        "min_active_days": min_active_days,
    }
    if criteria == "lifecycle":
        # Activity islands from the day registry's (user, day) rows (expiry >= 1 day).
        definition["criteria"][0]["in_last_days"] = 3
        definition["expire_after_inactive_days"] = 1.5
    project = Project.from_dict(
        base_config(
            entity=entity,
            signup={"source": "accounts" if entity == "account" else "users"},
            definition=definition,
        )
    )

    def rows(as_of: datetime, detail: bool) -> list[dict[str, Any]]:
        table = qualification(store, project, as_of, detail=detail).order_by("entity_id")
        return table.to_pyarrow().to_pylist()

    try:
        checked = met = lapses = 0
        for as_of in (T0 + timedelta(days=d) for d in (2.7, 6.31, 6.9, 9.5, 11.8, 30)):
            for detail in (True, False):
                registered = rows(as_of, detail)
                with monkeypatch.context() as patched:
                    patched.setattr(store, "has_registry", False)
                    scanned = rows(as_of, detail)
                assert registered == scanned, (as_of, detail)
                checked += detail * sum(r["active_days"] > 0 for r in registered)
                lapses += detail * sum(len(r["episode_starts"] or []) for r in registered)
                met += detail * sum(
                    r[f"criterion_{i}_at"] is not None
                    for r in registered
                    for i in range(1, len(project.definition.criteria))
                )
        assert checked > 5
        assert criteria != "every_event" or met > 5
        assert criteria != "lifecycle" or lapses > 2, lapses
        # the data has signup days the registry cannot settle (events on both sides)
        straddles = store.raw.execute(
            "SELECT count(*) FROM event_days JOIN accounts USING (account_id) "
            "WHERE first_ts < created_at AND created_at <= last_ts"
        ).fetchone()
        assert straddles is not None and straddles[0] > 0
    finally:
        store.close()


def test_a_user_with_events_naming_its_account_and_none_is_one_user() -> None:
    """The first-event registry has a row per (user, account named): a user whose events
    name its account and also name none has two rows for that account, and is one user."""
    store = Store.open(":memory:")
    ingest_records(store, "accounts", [{"account_id": "A", "created_at": T0}])
    ingest_records(store, "users", [{"user_id": "u1", "account_id": "A", "signed_up_at": T0}])
    ingest_records(
        store,
        "events",
        [
            {"event_id": "e1", "user_id": "u1", "account_id": "A", "event": "X",
             "ts": T0 + timedelta(hours=1)},
            {"event_id": "e2", "user_id": "u1", "account_id": None, "event": "X",
             "ts": T0 + timedelta(hours=2)},
        ],
    )  # fmt: skip
    project = Project.from_dict(
        base_config(
            entity="account",
            signup={"source": "accounts"},
            definition={"name": "d", "criteria": [{"id": "team", "kind": "users", "at_least": 2}]},
        )
    )
    try:
        rows = qualification(store, project, T0 + timedelta(days=1)).to_pyarrow().to_pylist()
        assert [(r["entity_id"], r["criterion_0_at"]) for r in rows] == [("A", None)]
    finally:
        store.close()


def test_the_compactor_checkpoints_a_wal_that_duckdb_would_leave_growing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another connection has an update in flight (in the service one nearly always
    has), DuckDB skips its automatic checkpoint and refuses CHECKPOINT; the compactor thread
    tries again until it can, once the WAL holds CHECKPOINT_WAL_BYTES, and everything
    committed is in the file after a reopen."""
    monkeypatch.setattr(writer_module, "CHECKPOINT_WAL_BYTES", 200_000)
    monkeypatch.setattr(writer_module, "CHECK_WAL_SECONDS", 0.05)
    path = tmp_path / "live.duckdb"
    store = Store.open(path)
    ensure_live_tables(store)
    store.raw.execute("SET wal_autocheckpoint = '100KB'")
    store.raw.execute("INSERT INTO live_state VALUES ('probe', '0')")
    other = store.cursor().raw
    other.execute("BEGIN TRANSACTION")
    other.execute("UPDATE live_state SET value = '1' WHERE key = 'probe'")
    writer = Writer(store)
    writer.start()
    wal = Path(f"{path}.wal")
    deadline = time.monotonic() + 30
    try:
        for commit in range(40):
            calls = [
                {"type": "track", "userId": f"u{i % 7}", "event": "X",
                 "messageId": f"w{commit}-{i}", "properties": {"pad": "x" * 200}}
                for i in range(50)
            ]  # fmt: skip
            messages, problems = parse_batch(calls, T0)
            assert not problems
            writer.submit(messages, T0).result(timeout=30)
        assert wal.stat().st_size >= 200_000  # DuckDB did not checkpoint
        while writer.compactor.checkpoints_refused == 0:
            assert time.monotonic() < deadline, "no checkpoint was tried"
            time.sleep(0.02)
        other.execute("ROLLBACK")
        # the count goes up just after CHECKPOINT returns, so wait on it, not on the WAL
        while writer.compactor.checkpoints == 0:
            assert time.monotonic() < deadline, "the compactor did not checkpoint"
            time.sleep(0.02)
        assert not wal.exists() or wal.stat().st_size < 200_000
    finally:
        writer.stop()
    store.close()
    again = Store.open(path)
    assert again.raw.execute("SELECT count(*) FROM events").fetchone() == (2000,)
    again.close()
