"""Criterion kinds on hand-made events, each expected instant worked out by hand in the
comments (docs/semantics.md "Criteria", "Rule satisfied_at", "qualified_at")."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pqlengine.compute.qualify import criteria_progress, qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store

SIGNUP = datetime(2026, 1, 1)


def at(day: int, hour: int = 0) -> datetime:
    return SIGNUP + timedelta(days=day, hours=hour)


def run(
    events: list[tuple[str, datetime, dict[str, Any]]],
    criteria: list[dict[str, Any]],
    **definition: Any,
) -> dict[str, Any]:
    """The one account's qualification row (events by user u1 unless props say `_user`)."""
    rows = [
        {
            "event_id": f"e{i}",
            "user_id": props.get("_user", "u1"),
            "account_id": "a",
            "event": name,
            "ts": ts,
            "properties": {k: v for k, v in props.items() if k != "_user"},
        }
        for i, (name, ts, props) in enumerate(events)
    ]
    config = {
        "project": "p",
        "conversion": {"event": "Paid"},
        "definition": {"name": "d", "criteria": criteria, **definition},
    }
    store = Store.open(":memory:")
    try:
        ingest_records(store, "accounts", [{"account_id": "a", "created_at": SIGNUP}])
        ingest_records(store, "events", rows)
        project = Project.from_dict(config)
        (row,) = qualify_entities(store, project, at(30))
        row["progress"] = criteria_progress(store, project, at(30), ["a"])["a"]
    finally:
        store.close()
    return row


def naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=None)


def test_active_days_counts_days_of_matching_events_before_conversion() -> None:
    events = [
        ("Edit", at(0, 9), {}),
        ("Edit", at(0, 10), {}),  # same day
        ("View", at(1, 9), {}),  # not matching
        ("Edit", at(2, 11), {}),
        ("Edit", at(2, 8), {}),  # the day's first matching event: 8:00
        ("Paid", at(3), {}),
        ("Edit", at(4), {}),  # after conversion: does not count
    ]
    row = run(events, [{"id": "d", "kind": "active_days", "event": "Edit", "at_least": 2}])
    assert naive(row["criteria"]["d"]) == at(2, 8)
    three = run(events, [{"id": "d", "kind": "active_days", "event": "Edit", "at_least": 3}])
    assert three["criteria"]["d"] is None
    assert three["progress"]["d"] == 2


def test_distinct_keys_values_by_canonical_text() -> None:
    values: list[Any] = [3, "3", 3.0, "3.0", 2.5, "2.5", True, "true", {"a": 1}, [1], None, -0.0, 0]
    events = [("E", at(1, hour), {"v": value}) for hour, value in enumerate(values)]
    events.append(("E", at(1, 20), {}))  # missing
    # Items (first at): '3' (0h), '3.0' (3h), '2.5' (4h), 'true' (6h), '0' (11h); objects,
    # arrays, null and missing are not items.
    for needed, expected in ((4, at(1, 6)), (5, at(1, 11)), (6, None)):
        row = run(events, [{"id": "d", "kind": "distinct", "event": "E", "property": "v",
                            "at_least": needed}])  # fmt: skip
        assert naive(row["criteria"]["d"]) == expected, needed
    assert row["progress"]["d"] == 5


def test_distinct_survives_numbers_beyond_64_bits() -> None:
    events = [("E", at(1, h), {"v": v}) for h, v in enumerate([1e20, 1e300, -1e300, 5])]
    row = run(events, [{"id": "d", "kind": "distinct", "event": "E", "property": "v",
                        "at_least": 4}])  # fmt: skip
    assert naive(row["criteria"]["d"]) == at(1, 3)


def test_sum_held_once_holds_and_ties_count_together() -> None:
    events = [
        ("Up", at(1), {"b": 6}),
        ("Up", at(2), {"b": "4"}),  # 10 at day 2
        ("Up", at(3), {"b": -8}),  # 2: a sum that held keeps holding
        ("Up", at(4), {"b": 5}),
        ("Up", at(4), {"b": 5}),  # two at the same instant: 12 at day 4
        ("Up", at(5), {"b": "x"}),  # not a number: 0
    ]
    row = run(events, [{"id": "s", "kind": "sum", "event": "Up", "property": "b", "at_least": 10}])
    assert naive(row["criteria"]["s"]) == at(2)
    assert row["progress"]["s"] == 12
    eleven = run(
        events, [{"id": "s", "kind": "sum", "event": "Up", "property": "b", "at_least": 11}]
    )
    assert naive(eleven["criteria"]["s"]) == at(4)  # 7 after the first tie, 12 after both


def test_points_on_a_sum_that_falls_need_rule_and_gate_together() -> None:
    # score 10 with points 1 per unit of b: total 10 at day 1 (holds), 4 at day 2 (stops),
    # 10 again at day 6. The gate (2 active days, any event) is met on day 2 at 12:00,
    # when the rule does not hold, so qualified_at is day 6, not max(day 1, day 2).
    events = [
        ("Up", at(1), {"b": 10}),
        ("Up", at(2), {"b": -6}),
        ("Ping", at(2, 12), {}),
        ("Up", at(6), {"b": 6}),
    ]
    row = run(
        events,
        [{"id": "s", "kind": "sum", "event": "Up", "property": "b", "at_least": 1, "points": 1}],
        qualify={"score": 10},
        min_active_days=2,
    )
    assert naive(row["rule_satisfied_at"]) == at(1)
    assert naive(row["active_days_satisfied_at"]) == at(2)
    assert naive(row["qualified_at"]) == at(6)
    assert row["status"] == "pql"  # holding again at as_of (day 30)


def test_points_on_a_sum_that_falls_after_qualifying_lapse() -> None:
    # score 10: total 10 at day 1 (qualified), 4 from day 3 on: at as_of (day 30) the
    # rule no longer holds, so the lead has lapsed (docs/semantics.md "Episodes").
    events = [("Up", at(1), {"b": 10}), ("Up", at(3), {"b": -6})]
    criteria = [{"id": "s", "kind": "sum", "event": "Up", "property": "b", "points": 1}]
    row = run(events, criteria, qualify={"score": 10})
    assert naive(row["qualified_at"]) == at(1)
    assert row["status"] == "lapsed"
    # Converted later: converted_pql, whatever the score did in between.
    row = run([*events, ("Paid", at(5), {})], criteria, qualify={"score": 10})
    assert row["status"] == "converted_pql"


def test_points_are_capped_per_criterion() -> None:
    events = [("Login", at(1, h), {}) for h in range(12)] + [("Key", at(2), {})]
    criteria = [
        {"id": "l", "event": "Login", "points": 1, "max_points": 5},
        {"id": "k", "event": "Key", "points": 3},
    ]
    # logins give at most 5; the key feature 3 on day 2: 8 >= 8.
    row = run(events, criteria, qualify={"score": 8})
    assert naive(row["qualified_at"]) == at(2)
    assert run(events, criteria, qualify={"score": 9})["qualified_at"] is None


def test_sequence_needs_strictly_later_steps_within_the_bound() -> None:
    steps = [{"event": "A"}, {"event": "B"}, {"event": "A"}]
    events = [
        ("A", at(1, 0), {}),
        ("B", at(1, 0), {}),  # a tie with the first A: not after it
        ("B", at(1, 2), {}),
        ("A", at(1, 2), {}),  # a tie with that B: not after it
        ("A", at(1, 5), {}),  # A(0h) B(2h) A(5h): done at 5h, 5 h after the start
    ]
    bounded = {"id": "q", "kind": "sequence", "within_hours": 5, "steps": steps}
    assert run(events, [bounded])["criteria"]["q"] is None  # 5 h is not inside [0, 5h)
    wider = {**bounded, "within_hours": 6}
    row = run(events, [wider])
    assert naive(row["criteria"]["q"]) == at(1, 5)
    assert row["progress"]["q"] == 5 * 3600
    # With B at 3h and A at 4h and a 4 h bound: from A(0h) the earliest chain ends at 4h,
    # not inside [0h, 4h); from the later start A(2h): B 3h, A 4h, inside [2h, 6h).
    later = [*events, ("B", at(1, 3), {}), ("A", at(1, 4), {})]
    four = {**bounded, "within_hours": 4}
    assert naive(run(later, [four])["criteria"]["q"]) == at(1, 4)


def test_consecutive_days_take_the_first_run() -> None:
    days = [0, 1, 3, 4, 5, 7, 8, 9]
    events = [("Use", at(day, 10), {}) for day in days] + [("Use", at(5, 9), {})]
    row = run(events, [{"id": "c", "kind": "consecutive_days", "at_least": 3}])
    assert naive(row["criteria"]["c"]) == at(5, 9)  # days 3-4-5, day 5's first event
    assert row["progress"]["c"] == 3


def test_users_counts_distinct_users_of_the_account() -> None:
    events = [
        ("Use", at(1), {"_user": "u1"}),
        ("Use", at(2), {"_user": "u1"}),
        ("Use", at(3), {"_user": "u2"}),
        ("Other", at(4), {"_user": "u3"}),
        ("Use", at(5), {"_user": "u3"}),
    ]
    row = run(events, [{"id": "t", "kind": "users", "event": "Use", "at_least": 3}])
    assert naive(row["criteria"]["t"]) == at(5)
    anything = run(events, [{"id": "t", "kind": "users", "at_least": 3}])
    assert naive(anything["criteria"]["t"]) == at(4)


def test_operators_on_events() -> None:
    events = [
        ("R", at(1), {"pct": "79.9"}),
        ("R", at(2), {"pct": " 85"}),  # a space: not a number
        ("R", at(3), {"pct": 1e2}),
        ("R", at(4), {"country": "US"}),
        ("R", at(5), {"country": None}),  # JSON null: missing
        ("R", at(6), {"country": "us"}),
    ]

    def first(where: dict[str, Any]) -> datetime | None:
        row = run(events, [{"id": "c", "event": "R", "where": where}])
        return naive(row["criteria"]["c"])

    assert first({"pct": {"gte": 80}}) == at(3)
    assert first({"pct": {"lt": 80}}) == at(1)
    assert first({"country": {"ne": "US"}}) == at(6)  # missing and null do not match ne
    assert first({"country": {"exists": False}}) == at(1)
    assert first({"country": {"gt": "UT"}}) == at(6)  # "us" > "UT" by code point
    assert first({"country": {"in": ["US", "us"]}}) == at(4)
    assert first({"country": {"not_in": ["US"]}}) == at(6)
    assert first({"country": {"contains": "S"}}) == at(4)
