"""The evaluator's entity cache (live/entity_cache.py): after every pass, the live state of
the touched entities equals a qualification read from `events`, while events arrive for
cached entities, for new ones, without an account (through the user's account), and
identify/group calls move users between accounts; eviction keeps the bound. With cold
entities read in the background (`defer_cold`), passes go on while reads run, events and
moves arrive for entities being read, and every entity no longer waiting is exact."""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from pqlengine.compute.qualify import qualification, to_record
from pqlengine.config import Project
from pqlengine.ingest.segment import parse_batch
from pqlengine.live import entity_cache as entity_cache_module
from pqlengine.live import evaluator as evaluator_module
from pqlengine.live.entity_cache import LOADER_PACE, _by_entity
from pqlengine.live.evaluator import Evaluator
from pqlengine.live.priority import EVALUATION_NICENESS
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.writer import Writer
from pqlengine.store import Store
from tests.support.config import base_config

NOW = datetime(2026, 4, 1, tzinfo=UTC)
ACCOUNTS = ["A", "B", "C", "D"]


def _project(entity: str = "account") -> Project:
    """A definition reading events, users (an account's team) and accounts (signup, and
    fit on the account's employees, which group calls change)."""
    criteria = [
        {"id": "a", "event": "A", "at_least": 2},
        {"id": "b", "event": "B", "at_least": 1},
        {"id": "kinds", "kind": "distinct", "event": "A", "property": "k", "at_least": 2},
    ]
    if entity == "account":
        criteria.append({"id": "team", "kind": "users", "at_least": 2})
    definition = {
        "name": "d",
        "criteria": criteria,
        "qualify": {"at_least": 3 if entity == "account" else 2},
        "fit": {"min_employees": 5},
    }
    return Project.from_dict(base_config(entity=entity, definition=definition))


def _messages(rng: random.Random, round_: int) -> list[dict[str, Any]]:
    """Track calls of a few users (some naming an account, some not), and now and then an
    identify or group call moving a user to another account."""
    out: list[dict[str, Any]] = []
    for i in range(12):
        user = f"u{rng.randrange(8)}"
        when = NOW - timedelta(days=20) + timedelta(hours=rng.randrange(400))
        message: dict[str, Any] = {
            "type": "track", "userId": user, "event": rng.choice(["A", "A", "B", "X"]),
            "messageId": f"r{round_}-{i}", "timestamp": when.isoformat(),
            "properties": {"k": rng.choice(["p", "q", "r"])},
        }  # fmt: skip
        if rng.random() < 0.6:
            message["context"] = {"groupId": rng.choice(ACCOUNTS)}
        out.append(message)
    if rng.random() < 0.5:
        kind = rng.choice(["identify", "group"])
        user, account = f"u{rng.randrange(8)}", rng.choice(ACCOUNTS)
        moved: dict[str, Any] = {"type": kind, "userId": user, "messageId": f"m{round_}"}
        if kind == "group":
            moved["groupId"] = account
        else:
            moved["traits"] = {"company": {"id": account}}
        out.append(moved)
    if rng.random() < 0.3:  # an account's traits change (no user named: nobody moves)
        out.append(
            {"type": "group", "groupId": rng.choice(ACCOUNTS), "messageId": f"e{round_}",
             "traits": {"employees": rng.choice([1, 50])}}
        )  # fmt: skip
    return out


def _live(store: Store) -> dict[str, tuple[Any, ...]]:
    rows = store.raw.execute(
        "SELECT entity_id, status, qualified_at, criteria_met FROM pql_state"
    ).fetchall()
    return {r[0]: (r[1], r[2], json.loads(r[3])) for r in rows}


def _read_from_events(store: Store, project: Project) -> dict[str, tuple[Any, ...]]:
    rows = qualification(store, project, NOW).to_pyarrow().to_pylist()
    out = {}
    for row in rows:
        record = to_record(row, project)
        qualified = record["qualified_at"]
        qualified = None if qualified is None else qualified.replace(tzinfo=None)
        out[record["entity_id"]] = (record["status"], qualified, record["criteria_met"])
    return out


def _waiting(store: Store) -> set[str]:
    return {r[0] for r in store.raw.execute("SELECT entity_id FROM live_deferred").fetchall()}


class _SlowReads:
    """Makes the loader's reads slow: each read's snapshot is taken at once, and it is
    handed over only once `release` is set, so that events and moves committed after the
    snapshot arrive while it is "running"."""

    def __init__(self, evaluator: Evaluator) -> None:
        self.loader = evaluator.cache.loader
        self.release = threading.Event()
        self.holding = threading.Event()
        read = self.loader._read

        def slow(ids: set[str]) -> Any:
            table = read(ids)
            self.holding.set()
            self.release.wait()
            self.holding.clear()
            return table

        self.loader._read = slow  # type: ignore[method-assign]

    def snapshot_taken(self) -> None:
        """Wait until the entities asked for are in a read that is held (or wait for one)."""
        deadline = time.monotonic() + 30
        while self.loader._asked and not self.holding.is_set():
            assert time.monotonic() < deadline
            time.sleep(0.005)


def _served(tmp_path: Path, defer: bool) -> tuple[Store, Project, Writer, Evaluator]:
    """A store file with a running writer, and an evaluator that leaves cold entities to its
    loader (`defer`) or reads them in the pass."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    project = _project()
    writer = Writer(store)
    writer.start()
    evaluator = Evaluator(store, project, [], clock=lambda: NOW)
    evaluator.cache.defer_cold = defer
    return store, project, writer, evaluator


def _submit(writer: Writer, batch: list[dict[str, Any]]) -> None:
    """Commit a Segment batch (all of it valid) through the live writer."""
    messages, problems = parse_batch(batch, NOW)
    assert not problems
    writer.submit(messages, NOW.replace(tzinfo=None)).result(timeout=30)


def _drain(evaluator: Evaluator, store: Store) -> None:
    """Passes until no entity waits for its events to be read."""
    deadline = time.monotonic() + 60
    while _waiting(store):
        assert time.monotonic() < deadline, "entities still waiting for their read"
        evaluator.wake.wait(timeout=0.05)
        evaluator.wake.clear()
        evaluator.evaluate_inbox()


@pytest.mark.parametrize(
    ("entity", "max_rows", "defer", "copy_rows"),
    [
        ("account", 1_000_000, False, 100_000),
        ("account", 25, False, 0),
        ("account", 1_000_000, True, 5),
        ("account", 25, True, 100_000),
        ("user", 25, False, 5),
        ("user", 1_000_000, True, 0),
    ],
)
def test_every_pass_equals_a_qualification_read_from_events(
    tmp_path: Path,
    entity: str,
    max_rows: int,
    defer: bool,
    copy_rows: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`copy_rows`: beyond it a pass's rows are copied into a table (0: always; 5: some
    passes copied, some registered)."""
    monkeypatch.setattr(entity_cache_module, "COPY_ROWS", copy_rows)
    # Entities whose read came in are evaluated one per pass: the others keep waiting.
    monkeypatch.setattr(evaluator_module, "LATER_PER_PASS", 1)
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    project = _project(entity)
    created = (NOW - timedelta(days=25)).isoformat()
    accounts = [
        {"type": "group", "userId": "u0", "groupId": a, "messageId": f"g-{a}",
         "traits": {"name": a, "createdAt": created}}
        for a in ACCOUNTS
    ]  # fmt: skip
    writer = Writer(store)
    writer.start()
    evaluator = Evaluator(store, project, [], clock=lambda: NOW)
    evaluator.cache.max_rows = max_rows
    evaluator.cache.defer_cold = defer
    slow = _SlowReads(evaluator)
    rng = random.Random(5)
    left_for_later = 0
    try:
        evaluator.catch_up()
        for round_ in range(25):
            batch = accounts if round_ == 0 else _messages(rng, round_)
            _submit(writer, batch)
            evaluator.evaluate_inbox()
            waiting = _waiting(store)
            left_for_later += len(waiting)
            if defer and rng.random() < 0.5:
                slow.release.set()
                _drain(evaluator, store)
                slow.release.clear()
                waiting = set()
            else:  # the next round's events and moves arrive while the reads are held
                slow.snapshot_taken()
            live, expected = _live(store), _read_from_events(store, project)
            touched = {e for e in expected if e in live and e not in waiting}
            assert {e: live[e] for e in touched} == {e: expected[e] for e in touched}, round_
        slow.release.set()
        _drain(evaluator, store)
        live, expected = _live(store), _read_from_events(store, project)
        assert {e: live.get(e) for e in expected} == expected
        if defer:
            assert left_for_later and evaluator.cache.loader.reads > 1
            assert evaluator.cache.cold_reads == 0  # no pass read `events` itself
        else:
            assert left_for_later == 0
            assert evaluator.cache.cold_reads < evaluator.passes  # passes served by the cache
        assert any(status == "pql" for status, _, _ in _live(store).values())
        # Within the bound, or over it only with the last pass's entities (never evicted).
        cache = evaluator.cache
        assert cache.rows() <= max_rows or cache.entities() <= evaluator.last_pass_entities
        pending = store.raw.execute("SELECT count(*) FROM live_recent_events").fetchone()
        assert pending == (0,)  # every pass took its events
    finally:
        slow.release.set()
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_a_user_moved_while_their_old_account_is_being_read_is_read_again(
    tmp_path: Path,
) -> None:
    """u's events naming no account are A's until u joins B; a read of A whose snapshot was
    taken before the move holds them, so it is not installed: A is read again."""
    store, project, writer, evaluator = _served(tmp_path, defer=True)
    slow = _SlowReads(evaluator)
    created = (NOW - timedelta(days=25)).isoformat()
    day = (NOW - timedelta(days=2)).isoformat()

    def send(batch: list[dict[str, Any]]) -> None:
        _submit(writer, batch)

    try:
        for g in ("B", "A"):  # u is in A
            send([{"type": "group", "userId": "u", "groupId": g, "messageId": f"g-{g}",
                   "traits": {"name": g, "createdAt": created}}])  # fmt: skip
        evaluator.catch_up()
        # Three criteria met by u's events (no account named: A's while u is in A).
        send([
            {"type": "track", "userId": u, "event": e, "messageId": f"t{n}", "timestamp": day,
             "properties": {"k": k}}
            for n, (u, e, k) in enumerate(
                [("u", "A", "p"), ("u", "A", "q"), ("u", "B", "p"), ("v", "X", "p")]
            )
        ] + [{"type": "group", "userId": "v", "groupId": "A", "messageId": "g-v"}])  # fmt: skip
        evaluator.evaluate_inbox()
        slow.release.set()
        _drain(evaluator, store)
        slow.release.clear()
        assert _live(store)["A"][0] == "pql"
        # A is cold again (as if evicted), its read held with u's events in it; then u
        # joins B.
        send([{"type": "track", "userId": "v", "event": "X", "messageId": "t-v2",
               "context": {"groupId": "A"}, "timestamp": day}])  # fmt: skip
        evaluator.cache.drop({"A"})
        evaluator.evaluate_inbox()
        assert _waiting(store) == {"A"}
        slow.snapshot_taken()
        send([{"type": "group", "userId": "u", "groupId": "B", "messageId": "g-u-b"}])
        evaluator.evaluate_inbox()
        slow.release.set()
        _drain(evaluator, store)
        live, expected = _live(store), _read_from_events(store, project)
        assert expected["A"][0] != "pql"  # u's events are B's now
        assert {e: live.get(e) for e in expected} == expected
    finally:
        slow.release.set()
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_an_entity_due_soon_is_read_ahead_so_its_lapse_is_not_deferred(tmp_path: Path) -> None:
    """With cold reads in the background, an entity whose next_change_at comes within a
    minute is read ahead: when it falls due, the pass evaluates it at once."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    criteria = [{"id": "a", "event": "A", "at_least": 1, "in_last_days": 2}]
    project = Project.from_dict(
        base_config(definition={"name": "d", "criteria": criteria, "qualify": "all"})
    )
    clock = {"now": NOW}
    writer = Writer(store)
    writer.start()
    evaluator = Evaluator(store, project, [], clock=lambda: clock["now"])
    evaluator.cache.defer_cold = True
    lapse = NOW + timedelta(seconds=30)
    try:
        created = (NOW - timedelta(days=25)).isoformat()
        batch = [
            {"type": "group", "userId": "u", "groupId": "A", "messageId": "g",
             "traits": {"name": "A", "createdAt": created}},
            {"type": "track", "userId": "u", "event": "A", "messageId": "t",
             "context": {"groupId": "A"}, "timestamp": (lapse - timedelta(days=2)).isoformat()},
        ]  # fmt: skip
        _submit(writer, batch)
        evaluator.catch_up()  # the baseline: a full pass, nothing cached
        assert _live(store)["A"][0] == "pql"
        evaluator.evaluate_inbox()  # A falls due within a minute: read ahead
        _drain(evaluator, store)
        assert evaluator.cache.loader.reads == 1 and not _waiting(store)
        if sys.platform == "linux":  # the loader runs at evaluation's priority (live/priority.py)
            cold = next(t for t in threading.enumerate() if t.name == "pql-cold")
            assert cold.native_id is not None
            base = os.getpriority(os.PRIO_PROCESS, os.getpid())
            expected = min(19, base + EVALUATION_NICENESS)
            assert os.getpriority(os.PRIO_PROCESS, cold.native_id) == expected
        clock["now"] = lapse + timedelta(seconds=1)
        assert evaluator.evaluate_inbox() == 1  # evaluated now, not left for later
        assert _live(store)["A"][0] == "lapsed"
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


@pytest.mark.parametrize("defer", [False, True])
def test_a_cached_account_reads_its_users_from_the_cache(tmp_path: Path, defer: bool) -> None:
    """The pass reads a cached account's users rows from the cache: here the account has no
    creation time, so its signup is its user's (identify `createdAt`), and an event before
    it does not count; as in a qualification read from `events`."""
    store, project, writer, evaluator = _served(tmp_path, defer)

    def at(days: int) -> str:
        return (NOW - timedelta(days=days)).isoformat()

    def send(batch: list[dict[str, Any]]) -> None:
        _submit(writer, batch)
        evaluator.evaluate_inbox()
        _drain(evaluator, store)

    try:
        evaluator.catch_up()
        send([
            {"type": "group", "userId": "u1", "groupId": "A", "messageId": "g",
             "traits": {"name": "A"}},
            {"type": "identify", "userId": "u1", "messageId": "i",
             "traits": {"company": {"id": "A"}, "createdAt": at(3)}},
            {"type": "track", "userId": "u1", "event": "A", "messageId": "early",
             "timestamp": at(10), "properties": {"k": "p"}},
        ])  # fmt: skip
        assert evaluator.cache.entities() >= 1  # A is cached now
        send([
            {"type": "track", "userId": "u1", "event": e, "messageId": f"t{n}",
             "timestamp": at(2), "properties": {"k": k}}
            for n, (e, k) in enumerate([("A", "q"), ("B", "p")])
        ])  # fmt: skip
        live, expected = _live(store), _read_from_events(store, project)
        assert expected["A"][0] == "not_qualified"  # the early event is before signup
        assert {e: live.get(e) for e in expected} == expected
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


@pytest.mark.parametrize("defer", [False, True])
def test_a_new_entity_is_cached_without_a_read_and_one_with_history_is_read(
    tmp_path: Path, defer: bool
) -> None:
    """After a restart (an empty cache): account Z, whose every event came after the
    watermark, is cached without reading `events`; A (its own earlier events) and N (new,
    but its user u9 brings earlier events that named no account) are read. Each equals a
    qualification read from `events`, and N qualifies only with u9's earlier events."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    project = _project()
    writer = Writer(store)
    writer.start()
    created = (NOW - timedelta(days=25)).isoformat()
    at = (NOW - timedelta(days=2)).isoformat()

    def track(user: str, event: str, key: str, n: str, account: str | None) -> dict[str, Any]:
        message = {"type": "track", "userId": user, "event": event, "messageId": n,
                   "timestamp": at, "properties": {"k": key}}  # fmt: skip
        if account is not None:
            message["context"] = {"groupId": account}
        return message

    def send(evaluator: Evaluator, batch: list[dict[str, Any]]) -> None:
        _submit(writer, batch)
        evaluator.evaluate_inbox()
        _drain(evaluator, store)

    def group(user: str, account: str) -> dict[str, Any]:
        return {"type": "group", "userId": user, "groupId": account, "messageId": f"g{account}",
                "traits": {"name": account, "createdAt": created}}  # fmt: skip

    before = Evaluator(store, project, [], clock=lambda: NOW)
    try:
        before.catch_up()
        send(before, [
            group("u1", "A"), track("u1", "A", "p", "a1", "A"), track("u1", "B", "p", "a2", "A"),
            track("u9", "A", "p", "h1", None), track("u9", "A", "q", "h2", None),
            track("u9", "B", "p", "h3", None),
        ])  # fmt: skip
    finally:
        before.cache.loader.stop()
    evaluator = Evaluator(store, project, [], clock=lambda: NOW)  # a restart: nothing cached
    evaluator.cache.defer_cold = defer
    try:
        evaluator.catch_up()
        send(evaluator, [
            group("u9", "N"), group("u5", "Z"), track("u1", "A", "q", "a3", "A"),
            track("u9", "X", "p", "n1", "N"),
            track("u5", "A", "p", "z1", "Z"), track("u5", "A", "q", "z2", None),
        ])  # fmt: skip
        cache = evaluator.cache
        assert cache.new_entities == 1  # Z
        # A and N wait for their read when reads are in the background (/healthz counts).
        assert evaluator.evaluated == {"all": 3, "due": 0, "read_in": 2 if defer else 0}
        reads = cache.loader.reads if defer else cache.cold_reads
        assert reads == 1 and (defer or cache.last_cold == 2)  # A and N, in one scan
        live, expected = _live(store), _read_from_events(store, project)
        assert expected["N"][0] == "pql"  # u9's earlier events count
        assert {e: live.get(e) for e in expected} == expected
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_a_new_user_is_cached_without_a_read(tmp_path: Path) -> None:
    """User entities: after a restart u5 (no earlier event) is not read, u9 (earlier events
    under any account) is; both equal a qualification read from `events`."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    criteria = [
        {"id": "a", "event": "A", "at_least": 2},
        {"id": "b", "event": "B", "at_least": 1},
    ]
    definition = {"name": "d", "criteria": criteria, "qualify": "all"}
    config = base_config(entity="user", signup={"source": "users"}, definition=definition)
    project = Project.from_dict(config)
    writer = Writer(store)
    writer.start()
    created = (NOW - timedelta(days=25)).isoformat()
    at = (NOW - timedelta(days=2)).isoformat()

    def send(evaluator: Evaluator, batch: list[dict[str, Any]]) -> None:
        _submit(writer, batch)
        evaluator.evaluate_inbox()

    def messages(user: str, events: str, account: str | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [
            {"type": "identify", "userId": user, "messageId": f"i{user}",
             "traits": {"createdAt": created}}
        ]  # fmt: skip
        for n, event in enumerate(events):
            message = {"type": "track", "userId": user, "event": event,
                       "messageId": f"{user}-{account}-{n}", "timestamp": at}  # fmt: skip
            if account is not None:
                message["context"] = {"groupId": account}
            out.append(message)
        return out

    before = Evaluator(store, project, [], clock=lambda: NOW)
    try:
        before.catch_up()
        send(before, messages("u9", "AB", "K"))
    finally:
        before.cache.loader.stop()
    evaluator = Evaluator(store, project, [], clock=lambda: NOW)
    try:
        evaluator.catch_up()
        send(evaluator, messages("u9", "A", None)[1:] + messages("u5", "AAB", None))
        assert evaluator.cache.new_entities == 1 and evaluator.cache.last_cold == 1
        live, expected = _live(store), _read_from_events(store, project)
        assert expected["u9"][0] == "pql"  # its earlier events count
        assert {e: live.get(e) for e in expected} == expected
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_the_loader_waits_twice_a_read_before_the_next(tmp_path: Path) -> None:
    """Back-to-back cold reads are paced: the next read starts at least LOADER_PACE times
    the previous one's duration after it ended; what is asked meanwhile shares it."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    evaluator = Evaluator(store, _project(), [], clock=lambda: NOW)
    loader = evaluator.cache.loader
    spans: list[tuple[float, float, set[str]]] = []
    read = loader._read

    def timed(ids: set[str]) -> Any:
        started = time.monotonic()
        time.sleep(0.05)
        found = read(ids)
        spans.append((started, time.monotonic(), set(ids)))
        return found

    loader._read = timed  # type: ignore[method-assign]
    try:
        loader.submit({"A"})
        deadline = time.monotonic() + 30
        while not spans:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        loader.submit({"B"})
        loader.submit({"C"})
        while len(spans) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.005)
        (first_start, first_end, _), (second_start, _, second) = spans
        assert second == {"B", "C"}
        assert second_start - first_end >= LOADER_PACE * (first_end - first_start) * 0.9
    finally:
        loader.stop()
        store.close()


def test_a_start_after_reads_were_deferred_leaves_them_to_the_loader(tmp_path: Path) -> None:
    """A run stopped with entities waiting for their read (live_deferred): its cold reads
    were slow, so the next start hands them to the loader instead of scanning `events`
    before it serves (a restart at 1M accounts took 12-16 s for that scan)."""
    store, project, writer, first = _served(tmp_path, defer=True)
    slow = _SlowReads(first)
    created = (NOW - timedelta(days=25)).isoformat()
    try:
        _submit(writer, [
            {"type": "group", "userId": f"u{a}", "groupId": a, "messageId": f"g-{a}",
             "traits": {"name": a, "createdAt": created}}
            for a in ACCOUNTS
        ] + _tracks("p", "A"))  # fmt: skip
        first.catch_up()  # the baseline: each account has history now
        _submit(writer, _tracks("q", "A", "B"))
        first.evaluate_inbox()
        assert _waiting(store) == set(ACCOUNTS)
    finally:  # the stop: the read never reaches a pass
        slow.release.set()
        first.cache.loader.stop()
    second = Evaluator(store, project, [], clock=lambda: NOW)  # the restart
    try:
        second.catch_up()
        assert second.cache.cold_reads == 0  # no scan of `events` before serving
        assert second.cache.deferring()
        _drain(second, store)
        assert second.cache.loader.reads >= 1
        live, expected = _live(store), _read_from_events(store, project)
        assert {e: live.get(e) for e in expected} == expected
        assert all(live[a][0] == "pql" for a in ACCOUNTS)
    finally:
        second.cache.loader.stop()
        writer.stop()
        store.close()


def _tracks(k: str, *events: str) -> list[dict[str, Any]]:
    """Each account's user does each of `events` (property k) two days before NOW."""
    day = (NOW - timedelta(days=2)).isoformat()
    return [
        {"type": "track", "userId": f"u{a}", "event": e, "messageId": f"t-{a}-{e}-{k}",
         "timestamp": day, "properties": {"k": k}}
        for a in ACCOUNTS for e in events
    ]  # fmt: skip


def test_rows_are_split_by_entity_whatever_their_chunks() -> None:
    """The split behind every cache insert: each entity gets exactly its rows, also from a
    table of several chunks (pyarrow's group_by does not keep their order)."""
    rng = random.Random(3)
    schema = pa.schema([("entity_id", pa.string()), ("x", pa.int64())])
    for _ in range(200):
        ids = [f"e{rng.randrange(8)}" for _ in range(rng.randrange(1, 40))]
        cut = rng.randrange(len(ids) + 1)
        chunks = [
            pa.table({"entity_id": ids[a:b], "x": list(range(a, b))}, schema=schema)
            for a, b in ((0, cut), (cut, len(ids)))
        ]
        split = _by_entity(pa.concat_tables(chunks))
        expected: dict[str, list[int]] = {}
        for x, entity in enumerate(ids):
            expected.setdefault(entity, []).append(x)
        assert {e: sorted(t["x"].to_pylist()) for e, t in split.items()} == expected


def test_a_pass_that_fails_after_taking_new_events_is_redone_without_doubling_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass adds the commit's new events to the cache before it writes; when its write
    fails (the watermark does not move), the next pass takes the same events again and the
    cache must hold each once (here a count criterion would see a doubled event)."""
    store, project, writer, evaluator = _served(tmp_path, defer=False)
    created = (NOW - timedelta(days=25)).isoformat()

    def track(n: int, event: str) -> dict[str, Any]:
        return {"type": "track", "userId": "u1", "event": event, "messageId": f"t{n}",
                "timestamp": (NOW - timedelta(days=2)).isoformat(), "context": {"groupId": "A"},
                "properties": {"k": "p"}}  # fmt: skip

    try:
        evaluator.catch_up()
        _submit(writer, [
            {"type": "group", "userId": "u1", "groupId": "A", "messageId": "g",
             "traits": {"name": "A", "createdAt": created}},
            track(0, "B"),
        ])  # fmt: skip
        evaluator.evaluate_inbox()  # A is cached, with its read events
        _submit(writer, [track(1, "B")])
        evaluator.evaluate_inbox()  # A's read flag is cleared by this append
        _submit(writer, [track(2, "A")])  # a second A would make criterion a (2 A) hold
        real_write = evaluator._write
        calls = {"n": 0}

        def failing_once(*args: Any, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 1:
                raise RuntimeError("disk full")
            real_write(*args, **kwargs)

        monkeypatch.setattr(evaluator, "_write", failing_once)
        with pytest.raises(RuntimeError):
            evaluator.evaluate_inbox()
        evaluator.evaluate_inbox()
        held = evaluator.cache._entries["A"].events["event_id"].to_pylist()
        assert sorted(held) == ["t0", "t1", "t2"]
        live, expected = _live(store), _read_from_events(store, project)
        assert {e: live.get(e) for e in expected} == expected
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_a_small_entity_outlives_a_large_one_used_as_long_ago(tmp_path: Path) -> None:
    """GreedyDual-Size: beyond max_rows the large entities go first, so a new signup's few
    rows are not evicted by the senders' large accounts (with plain LRU they were)."""
    store, project, writer, evaluator = _served(tmp_path, defer=False)
    day = (NOW - timedelta(days=2)).isoformat()

    def tracks(user: str, account: str, count: int, key: str) -> list[dict[str, Any]]:
        return [
            {"type": "track", "userId": user, "event": "A", "messageId": f"{key}-{i}",
             "timestamp": day, "properties": {"k": key}, "context": {"groupId": account}}
            for i in range(count)
        ]  # fmt: skip

    try:
        evaluator.catch_up()
        evaluator.cache.max_rows = 15
        _submit(writer, tracks("up", "P", 2, "p"))  # the signup: 2 rows
        evaluator.evaluate_inbox()
        _submit(writer, tracks("ub", "B", 20, "b"))  # a large account, over the bound alone
        evaluator.evaluate_inbox()
        cache = evaluator.cache
        assert cache.evicted == 0 and cache.entities() == 2  # P kept: B is this pass's
        _submit(writer, tracks("uc", "C", 4, "c"))
        evaluator.evaluate_inbox()
        assert cache.evicted == 1 and cache._entries.keys() == {"P", "C"}  # B went, not P
        live, expected = _live(store), _read_from_events(store, project)
        assert {e: live.get(e) for e in expected} == expected
    finally:
        evaluator.cache.loader.stop()
        writer.stop()
        store.close()


def test_pql_yaml_sizes_the_cache(tmp_path: Path) -> None:
    """`live.cache_rows` is the evaluator's bound (its eviction is tested above)."""
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    config = base_config(live={"cache_rows": 12_345})
    evaluator = Evaluator(store, Project.from_dict(config), [], clock=lambda: NOW)
    try:
        assert evaluator.cache.max_rows == 12_345
    finally:
        evaluator.cache.loader.stop()
        store.close()
