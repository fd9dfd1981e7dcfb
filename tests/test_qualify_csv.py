"""`pql qualify --format csv` is written by one DuckDB query (compute/qualify_csv.py); it
must be byte for byte the CSV of the public records (output.flat_csv of to_records)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pytest

from pqlengine.compute.qualify import run_qualification, to_records
from pqlengine.compute.qualify_csv import qualification_csv
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.output import flat_csv
from pqlengine.store import Store
from tests.support.config import base_config

T0 = datetime(2026, 3, 1)
ACCOUNTS = ["plain", 'comma,"quoted"', "new\nline", "ünïcode", "gmail"]


def _store() -> Store:
    store = Store.open(":memory:")
    ingest_records(
        store,
        "accounts",
        [
            {"account_id": a, "created_at": T0 + timedelta(days=i, microseconds=i * 7),
             "domain": "gmail.com" if a == "gmail" else (None if i == 2 else f"{i}.example"),
             "employees": None if i == 1 else 10 * i}
            for i, a in enumerate(ACCOUNTS)
        ],
    )  # fmt: skip
    events = []
    for i, account in enumerate(ACCOUNTS):
        for k in range(6 + i):
            events.append(
                {
                    "event_id": f"{i}-{k}",
                    "user_id": f"u{i}",
                    "account_id": account,
                    "event": "ABC"[k % 3],
                    "ts": T0 + timedelta(days=i + k, seconds=k, microseconds=(k % 2) * 1234),
                    "properties": {"source": "web" if k % 2 else "api"},
                }
            )
    events.append({"event_id": "p", "user_id": "u0", "account_id": "plain", "event": "Paid",
                   "ts": T0 + timedelta(days=20)})  # fmt: skip
    ingest_records(store, "events", events)
    return store


@pytest.mark.parametrize("require_known", [False, True])
def test_csv_equals_the_records_csv(require_known: bool) -> None:
    project = Project.from_dict(
        base_config(
            definition={
                "name": "d",
                "criteria": [
                    {"id": "a", "event": "A", "at_least": 2},
                    {"id": 'b "quoted", ü', "event": "B"},
                    {"id": "c", "event": "C", "where": {"source": "web"}},
                ],
                "qualify": {"fraction": 0.5},
                "min_active_days": 2,
                "fit": {
                    "exclude_free_email_domains": True,
                    "min_employees": 15,
                    "require_known": require_known,
                },
            }
        )
    )
    store = _store()
    try:
        for as_of in (T0 + timedelta(days=3), T0 + timedelta(days=40)):
            stored, _ = run_qualification(store, project, as_of)
            assert stored.num_rows >= 3
            expected = flat_csv(to_records(stored, project))
            assert qualification_csv(stored, project) == expected
            # the same rows with time-zone-aware times (how other backends return them)
            aware = pa.table(
                {
                    name: column.cast(pa.timestamp("us", tz="UTC"))
                    if pa.types.is_timestamp(column.type)
                    else column
                    for name, column in zip(stored.column_names, stored.columns, strict=True)
                }
            )
            assert qualification_csv(aware, project) == expected
        assert stored.num_rows == len(ACCOUNTS)
        assert '"comma,""quoted"""' in expected and ".001234Z" in expected
        assert ("(unknown)" in expected) == require_known
    finally:
        store.close()


def test_csv_of_episodes_equals_the_records_csv() -> None:
    """The lifecycle fixture (several episodes, open and closed, lapsed_at, pql_since)."""
    from tests.test_reference_lifecycle import FIXTURE_AS_OF, fixture_config, fixture_tables

    project = Project.from_dict(fixture_config())
    store = Store.open(":memory:")
    try:
        for table, rows in fixture_tables().items():
            ingest_records(store, table, rows)
        stored, _ = run_qualification(store, project, FIXTURE_AS_OF)
        records = to_records(stored, project)
        assert any(len(r["episodes"]) > 1 for r in records)
        assert qualification_csv(stored, project) == flat_csv(records)
    finally:
        store.close()
