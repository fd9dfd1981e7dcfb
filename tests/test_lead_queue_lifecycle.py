"""The lead queue's lifecycle fields on hand-made events: lapsed leads are listed apart from
open PQLs, and every lead says when it was last seen (its newest event at or before as_of,
of any name)."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pqlengine.compute.lead_queue import last_seen, open_pqls
from pqlengine.compute.qualify import qualification
from pqlengine.config import Project, load_project
from pqlengine.ingest import ingest_records
from pqlengine.live.queries import lead_detail
from pqlengine.live.tables import ensure_live_tables
from pqlengine.store import Store
from tests.support.cli import pql

LIFECYCLE = Path(__file__).parent / "fixtures" / "lifecycle"

SIGNUP = datetime(2026, 1, 1)
AS_OF = SIGNUP + timedelta(days=30)


@pytest.fixture
def store() -> Store:
    """Account `up` qualifies on day 1 (sum 10) and stays; `down` qualifies on day 1 and its
    sum falls to 4 on day 3, so it has lapsed at day 30 (docs/semantics.md "Episodes");
    `down` also has a page view on day 40, after as_of."""
    rows = [
        ("u1", "up", "Up", 1, 10),
        ("u1", "up", "Viewed", 2, None),
        ("u2", "down", "Up", 1, 10),
        ("u2", "down", "Up", 3, -6),
        ("u2", "down", "Viewed", 40, None),
    ]
    opened = Store.open(":memory:")
    accounts = [{"account_id": a, "created_at": SIGNUP, "employees": 20} for a in ("up", "down")]
    ingest_records(opened, "accounts", accounts)
    events = [
        {
            "event_id": f"e{i}",
            "user_id": user,
            "account_id": account,
            "event": name,
            "ts": SIGNUP + timedelta(days=day),
            "properties": {} if amount is None else {"b": amount},
        }
        for i, (user, account, name, day, amount) in enumerate(rows)
    ]
    ingest_records(opened, "events", events)
    return opened


def project() -> Project:
    criteria = [{"id": "s", "kind": "sum", "event": "Up", "property": "b", "points": 1}]
    return Project.from_dict(
        {
            "project": "p",
            "conversion": {"event": "Paid"},
            "definition": {"name": "d", "criteria": criteria, "qualify": {"score": 10}},
        }
    )


def test_lapsed_leads_have_their_own_queue_with_last_seen(store: Store) -> None:
    chosen = project()
    table = qualification(store, chosen, AS_OF)
    try:
        opened = open_pqls(store, chosen, table, AS_OF)
        lapsed = open_pqls(store, chosen, table, AS_OF, status="lapsed")
    finally:
        store.close()
    assert [lead["entity_id"] for lead in opened["items"]] == ["up"]
    assert (opened["status"], opened["total"]) == ("pql", 1)
    assert opened["items"][0]["last_seen_at"] == SIGNUP + timedelta(days=2)
    assert [lead["entity_id"] for lead in lapsed["items"]] == ["down"]
    assert (lapsed["status"], lapsed["total"]) == ("lapsed", 1)
    # The page view on day 40 is after as_of: last seen is the day-3 event.
    assert lapsed["items"][0]["last_seen_at"] == SIGNUP + timedelta(days=3)
    assert lapsed["items"][0]["reach_out"] is False


def test_last_seen_is_at_or_before_as_of(store: Store) -> None:
    try:
        early = last_seen(store, project(), ["up", "down", "nobody"], SIGNUP + timedelta(days=1))
        late = last_seen(store, project(), ["down"], SIGNUP + timedelta(days=41))
        none = last_seen(store, project(), [], AS_OF)
    finally:
        store.close()
    assert early == {"up": SIGNUP + timedelta(days=1), "down": SIGNUP + timedelta(days=1)}
    assert late == {"down": SIGNUP + timedelta(days=40)}
    assert none == {}


def test_lead_page_of_a_lapsed_lead_has_its_episodes_and_last_seen(tmp_path: Path) -> None:
    """Recipe d's L (fixtures/lifecycle/README.md) seen now, long after its events: its
    second episode [01-29 10, ...) ended by expiry at 01-29 10 + 4 days = 02-02 10 (day 27
    stays in the 7-day window until 02-03 10, later)."""
    for name in ("pql.yaml", "accounts.csv", "users.csv", "events.jsonl", "conversions.csv"):
        shutil.copy(LIFECYCLE / name, tmp_path / name)
    files = ("--accounts", "accounts.csv", "--users", "users.csv", "--events", "events.jsonl",
             "--conversions", "conversions.csv")  # fmt: skip
    assert pql("ingest", *files, cwd=tmp_path).returncode == 0
    chosen = load_project(tmp_path)
    opened = Store.for_project(chosen)
    try:
        ensure_live_tables(opened)
        lead = lead_detail(opened, chosen, "L")
    finally:
        opened.close()
    assert lead["status"] == "lapsed"
    assert lead["episodes"] == [
        ["2026-01-07T10:00:00Z", "2026-01-11T10:00:00Z"],
        ["2026-01-29T10:00:00Z", "2026-02-02T10:00:00Z"],
    ]
    assert (lead["lapsed_at"], lead["pql_since"]) == ("2026-02-02T10:00:00Z", None)
    assert lead["last_seen_at"] == lead["timeline"][0]["ts"] == "2026-01-29T10:00:00Z"
    assert lead["why"] == (
        "Qualified at 2026-01-07T10:00:00Z, no PQL since 2026-02-02T10:00:00Z: the definition "
        "stopped holding (a score fallen below the threshold, a rolling window emptied or no "
        "activity within the expiry)."
    )
