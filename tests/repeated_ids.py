"""A hand-made event log in which two events were sent twice, as Segment and RudderStack
warehouse tables hold them, and its answer worked out by hand.

Account A (user uA) signs up 2026-01-05 00:00. Criteria: two `Create`, one `Invite`.

| row | event_id | event  | ts          | kept? |
|-----|----------|--------|-------------|-------|
| 1   | c1       | Create | 01-05 10:00 | yes: the earliest copy of c1 |
| 2   | c1       | Create | 01-06 10:00 | no: a later copy of c1 (a retry) |
| 3   | i1       | Invite | 01-07 00:00 | yes: same ts as row 4, `Invite` sorts before `View` |
| 4   | i1       | View   | 01-07 00:00 | no |
| 5   | c2       | Create | 01-09 08:00 | yes |

Deduplicated, the second Create is c2: qualified_at 01-09 08:00, 4 1/3 days after signup.
Counting row 2 would make it 01-07 00:00 (2 days). The rows come first in file order where
they are kept, so our store's ingest (the first one ingested wins) keeps the same rows.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pyarrow as pa

from pqlengine.store import Store
from tests.reference.maths import to_naive_utc

AS_OF = datetime(2026, 3, 1)
QUALIFIED_AT = datetime(2026, 1, 9, 8)
DAYS_TO_PQL = 4 + 8 / 24
COUNTED_TWICE_AT = datetime(2026, 1, 7)  # the answer when row 2 is counted

CONFIG: dict[str, Any] = {
    "project": "repeated-ids",
    "entity": "account",
    "signup": {"source": "accounts"},
    "conversion": {"source": "conversions"},
    "observation_days": 7,
    "definition": {
        "name": "repeated",
        "criteria": [
            {"id": "create", "event": "Create", "at_least": 2},
            {"id": "invite", "event": "Invite"},
        ],
        "qualify": "all",
    },
}

EVENTS: list[dict[str, Any]] = [
    {"event_id": "c1", "event": "Create", "ts": datetime(2026, 1, 5, 10)},
    {"event_id": "c1", "event": "Create", "ts": datetime(2026, 1, 6, 10)},
    {"event_id": "i1", "event": "Invite", "ts": datetime(2026, 1, 7)},
    {"event_id": "i1", "event": "View", "ts": datetime(2026, 1, 7)},
    {"event_id": "c2", "event": "Create", "ts": datetime(2026, 1, 9, 8)},
]
TABLES: dict[str, list[dict[str, Any]]] = {
    "accounts": [{"account_id": "A", "created_at": datetime(2026, 1, 5)}],
    "users": [{"user_id": "uA", "account_id": "A", "signed_up_at": datetime(2026, 1, 5)}],
    "events": [{**row, "user_id": "uA", "account_id": "A", "properties": {}} for row in EVENTS],
}


def users_tables(tables: dict[str, list[dict[str, Any]]] | None = None) -> Store:
    """An in-memory DuckDB store whose tables hold `tables` (default: the rows above) as a
    user's tables would: every row, repeats included (written directly, not through our
    ingest, which would keep one per id)."""
    store = Store.open(":memory:")
    for table, rows in (TABLES if tables is None else tables).items():
        if not rows:
            continue
        store.raw.register("_rows", _as_arrow(rows))
        store.raw.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _rows')
        store.raw.unregister("_rows")
    return store


def _as_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Rows as an Arrow table: JSON bags as text, timestamps as naive UTC."""
    names = sorted({name for row in rows for name in row})
    columns = {name: [_plain(row.get(name)) for row in rows] for name in names}
    return pa.table(columns)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, datetime):
        return to_naive_utc(value)
    return value
