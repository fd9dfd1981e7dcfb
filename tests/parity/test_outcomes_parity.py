"""Customer outcomes (issue 19, docs/semantics.md "Customer outcomes") on every backend: the
per-customer timelines `compute/customers.py` reads (conversions rows with MRR and ends, or
conversion, change and churn events with their MRR property) are the same from a user's
DuckDB file, PostgreSQL and PySpark as from our store (`--backends=all`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from pqlengine.compute.customers import Customers, customers
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.parity.backends import Target, user_project

AS_OF = datetime(2026, 7, 1)
CONFIG: dict[str, Any] = {
    "project": "outcomes",
    "definition": {"name": "d", "criteria": [{"id": "a", "event": "Used", "at_least": 1}]},
    "outcomes": {
        "mrr": {"property": "amount"},
        "change_event": "Upgraded",
        "churn_event": "Cancelled",
    },
}
EVENT_SOURCE = {**CONFIG, "conversion": {"event": "Paid"}}


def _event(n: int, account: str, name: str, ts: str, amount: Any = None) -> dict[str, Any]:
    props = {} if amount is None else {"amount": amount}
    return {
        "event_id": f"e{n}",
        "user_id": f"u-{account}",
        "account_id": account,
        "event": name,
        "ts": ts,
        "properties": props,
    }


EVENTS = [
    _event(1, "a", "Paid", "2026-01-10T08:00:00Z", 40),
    _event(2, "a", "Upgraded", "2026-03-01T00:00:00Z", 70.5),
    _event(3, "a", "Upgraded", "2026-04-01T00:00:00Z", "n/a"),
    _event(4, "a", "Cancelled", "2026-05-01T12:00:00Z"),
    _event(5, "b", "Paid", "2026-02-01T00:00:00Z", "25.5"),
    _event(6, "c", "Used", "2026-02-01T00:00:00Z"),
    _event(7, "c", "Cancelled", "2026-03-01T00:00:00Z"),
    _event(8, "d", "Cancelled", "2026-06-01T00:00:00Z"),
]
CONVERSIONS = [
    {"entity_id": "c", "converted_at": "2026-01-01T00:00:00Z", "mrr": 100.0},
    {"entity_id": "c", "converted_at": "2026-04-01T00:00:00Z", "mrr": 20.0, "churned_at": None},
    {
        "entity_id": "d",
        "converted_at": "2026-01-05T00:00:00Z",
        "mrr": 80.0,
        "churned_at": "2026-05-01T00:00:00Z",
    },
    {"entity_id": "e", "converted_at": "2026-02-01T00:00:00Z", "amount": 1200.0, "plan": "x"},
]


def _summary(found: Customers) -> dict[str, tuple[Any, ...]]:
    """Per customer: conversion, churn, follow-up, MRR at three instants, revenue."""
    out = {}
    for entity, customer in found.by_id.items():
        out[entity] = (
            customer.converted_at,
            customer.churned_at,
            round(found.followup_days(customer), 9),
            tuple(customer.mrr_at(datetime(2026, m, 15)) for m in (1, 3, 6)),
            round(customer.revenue(datetime(2026, 1, 1), AS_OF), 6),
        )
    return dict(sorted(out.items()))


@pytest.fixture(scope="module")
def source() -> Iterator[Store]:
    store = Store.open(":memory:")
    ingest_records(store, "events", EVENTS)
    ingest_records(store, "conversions", CONVERSIONS)
    yield store
    store.close()


@pytest.mark.parametrize("config", [CONFIG, EVENT_SOURCE], ids=["table", "events"])
def test_every_backend_reads_the_same_customers(
    backend: Target, source: Store, config: dict[str, Any], tmp_path: Path
) -> None:
    expected = _summary(customers(source, Project.from_dict(config), AS_OF))
    assert len(expected) == (3 if config is CONFIG else 2)  # c, d, e / a, b
    project = Project.from_dict(user_project(config, backend.load(source, tmp_path)))
    store = Store.for_project(project)
    try:
        got = _summary(customers(store, project, AS_OF))
    finally:
        store.close()
    assert got == expected
