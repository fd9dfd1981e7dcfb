"""compute/customers.py on hand-made stores: docs/semantics.md "Customer outcomes" (MRR
steps, churn from rows or a churn event, win-back, one-off deals, follow-up, revenue),
each number worked out by hand in the comments."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from pqlengine.compute.customers import DAYS_PER_MONTH, Customers, customers
from pqlengine.config import Project
from pqlengine.store import Store

AS_OF = datetime(2026, 7, 1)
D = timedelta(days=1)


def _project(**extra: Any) -> Project:
    data: dict[str, Any] = {
        "project": "outcomes",
        "definition": {"name": "d", "criteria": [{"id": "a", "event": "Used", "at_least": 1}]},
        **extra,
    }
    return Project.from_dict(data)


def _store(conversions: list[tuple[Any, ...]], events: list[tuple[Any, ...]] = ()) -> Store:
    store = Store.open(":memory:")
    for row in conversions:
        store.raw.execute(
            "INSERT INTO conversions (entity_id, converted_at, amount, plan, mrr, churned_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            list(row),
        )
    for index, (account, name, ts, props) in enumerate(events):
        store.raw.execute(
            "INSERT INTO events (event_id, user_id, account_id, event, ts, properties) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [f"e{index}", f"u-{account}", account, name, ts, json.dumps(props)],
        )
    return store


def _get(found: Customers, entity: str) -> Any:
    return found.by_id[entity]


def test_rows_are_subscriptions_summed_while_they_run() -> None:
    jan, mar, may = datetime(2026, 1, 1), datetime(2026, 3, 1), datetime(2026, 5, 1)
    store = _store(
        [
            ("a", jan, None, "pro", 100.0, None),  # runs to as_of
            ("a", mar, None, "addon", 50.0, may),  # expansion for two months
            ("b", jan, None, "pro", 80.0, mar),  # churned at mar
            ("b", may, None, "pro", 80.0, None),  # win-back: revenue, not retention
            ("c", jan, 1200.0, None, None, None),  # a won deal without MRR: one-off
            ("d", datetime(2026, 8, 1), None, None, 10.0, None),  # after as_of: absent
        ]
    )
    found = customers(store, _project(), AS_OF)
    assert set(found.by_id) == {"a", "b", "c"}
    a, b, c = _get(found, "a"), _get(found, "b"), _get(found, "c")
    assert a.mrr_at(jan) == 100 and a.mrr_at(mar) == 150 and a.mrr_at(may) == 100
    assert a.churned_at is None and found.followup_days(a) == (AS_OF - jan).days
    assert b.churned_at == mar and found.followup_days(b) == (mar - jan).days
    assert b.mrr_at(datetime(2026, 4, 1)) == 0 and b.mrr_at(may) == 80
    month = DAYS_PER_MONTH * 86_400
    # a: 100/month Jan 1 -> Jul 1 (181 days) + 50/month Mar 1 -> May 1 (61 days)
    assert a.revenue(jan, AS_OF) == pytest.approx((100 * 181 + 50 * 61) * 86_400 / month)
    # b: 80 for Jan-Feb (59 days) and May-Jun (61 days)
    assert b.revenue(jan, AS_OF) == pytest.approx(80 * 120 * 86_400 / month)
    assert c.revenue(jan, AS_OF) == 1200 and c.revenue(jan + D, AS_OF) == 0
    assert c.churned_at is None and not c.recurring_known
    assert found.retained(b, 59) is False and found.retained(a, 90) is True
    assert found.retained(a, 365) is None  # not observable yet
    assert found.revenue_within(a, 365) is None


def test_amount_is_mrr_per_year_when_told_so_and_churn_events_end_running_rows() -> None:
    jan, feb = datetime(2026, 1, 1), datetime(2026, 2, 1)
    store = _store(
        [
            ("a", jan, 1200.0, "pro", None, None),
            ("a", datetime(2026, 4, 1), 600.0, "x", None, None),
        ],
        [("a", "Cancelled", feb, {}), ("a", "Cancelled", datetime(2026, 6, 1), {})],
    )
    project = _project(outcomes={"mrr": {"per": "year"}, "churn_event": "Cancelled"})
    a = _get(customers(store, project, AS_OF), "a")
    assert a.churned_at == feb  # the first churn event after conversion
    assert a.mrr_at(jan) == 100 and a.mrr_at(feb) == 0
    assert a.mrr_at(datetime(2026, 4, 1)) == 50  # a later row still starts (600 / 12)


def test_event_source_sets_mrr_by_conversion_and_change_events() -> None:
    jan, mar, may = datetime(2026, 1, 10), datetime(2026, 3, 1), datetime(2026, 5, 1)
    events = [
        ("a", "Upgraded", datetime(2026, 1, 1), {"amount": 999}),  # before paying: ignored
        ("a", "Subscription Started", jan, {"amount": 40}),
        ("a", "Upgraded", mar, {"amount": 70}),
        ("a", "Upgraded", datetime(2026, 4, 1), {"amount": "n/a"}),  # ignored, counted
        ("a", "Subscription Cancelled", may, {}),
        ("a", "Upgraded", datetime(2026, 6, 1), {"amount": 90}),  # after the churn: 0 stays
        ("b", "Subscription Started", mar, {"amount": "25.5"}),
        ("c", "Used", mar, {}),
    ]
    project = _project(
        conversion={"event": "Subscription Started"},
        outcomes={
            "mrr": {"property": "amount"},
            "change_event": "Upgraded",
            "churn_event": "Subscription Cancelled",
        },
    )
    found = customers(_store([], events), project, AS_OF)
    assert set(found.by_id) == {"a", "b"} and found.ignored_values == 1
    a, b = _get(found, "a"), _get(found, "b")
    assert [a.mrr_at(t) for t in (jan, mar, datetime(2026, 4, 2), may, AS_OF)] == [40, 70, 70, 0, 0]
    assert a.churned_at == may and b.churned_at is None and b.mrr_at(AS_OF) == 25.5
    month = DAYS_PER_MONTH * 86_400
    assert a.revenue(jan, AS_OF) == pytest.approx((40 * 50 + 70 * 61) * 86_400 / month)
