"""The evaluator's entity cache (live/entity_cache.py): after every pass, the live state of
the touched entities equals a qualification read from `events`, while events arrive for
cached entities, for new ones, without an account (through the user's account), and
identify/group calls move users between accounts; eviction keeps the bound."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pqlengine.compute.qualify import qualification, to_record
from pqlengine.config import Project
from pqlengine.ingest.segment import parse_batch
from pqlengine.live.evaluator import Evaluator
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.writer import Writer
from pqlengine.store import Store
from tests.support.config import base_config

NOW = datetime(2026, 4, 1, tzinfo=UTC)
ACCOUNTS = ["A", "B", "C", "D"]


def _project() -> Project:
    criteria = [
        {"id": "a", "event": "A", "at_least": 2},
        {"id": "b", "event": "B", "at_least": 1},
        {"id": "kinds", "kind": "distinct", "event": "A", "property": "k", "at_least": 2},
        {"id": "team", "kind": "users", "at_least": 2},
    ]
    definition = {"name": "d", "criteria": criteria, "qualify": {"at_least": 3}}
    return Project.from_dict(base_config(definition=definition))


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


@pytest.mark.parametrize("max_rows", [1_000_000, 25])
def test_every_pass_equals_a_qualification_read_from_events(tmp_path: Path, max_rows: int) -> None:
    store = Store.open(tmp_path / "s.duckdb")
    ensure_live_tables(store)
    project = _project()
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
    rng = random.Random(5)
    try:
        evaluator.catch_up()
        for round_ in range(25):
            batch = accounts if round_ == 0 else _messages(rng, round_)
            messages, problems = parse_batch(batch, NOW)
            assert not problems
            writer.submit(messages, NOW.replace(tzinfo=None)).result(timeout=30)
            evaluator.evaluate_inbox()
            live, expected = _live(store), _read_from_events(store, project)
            touched = {e for e in expected if e in live}
            assert {e: live[e] for e in touched} == {e: expected[e] for e in touched}, round_
        assert evaluator.cache.cold_reads < evaluator.passes  # passes served by the cache
        assert any(status == "pql" for status, _, _ in _live(store).values())
        # Within the bound, or over it only with the last pass's entities (never evicted).
        cache = evaluator.cache
        assert cache.rows() <= max_rows or cache.entities() <= evaluator.last_pass_entities
        pending = store.raw.execute("SELECT count(*) FROM live_recent_events").fetchone()
        assert pending == (0,)  # every pass took its events
    finally:
        writer.stop()
        store.close()
