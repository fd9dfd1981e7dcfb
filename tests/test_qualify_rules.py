"""One rule at a time: the Semantics of docs/semantics.md on tiny hand-made logs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import ibis

from pqlengine.compute.matching import json_equals, json_matches
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.support.config import base_config

T0 = datetime(2026, 1, 5)
AS_OF = datetime(2026, 6, 1)


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def load(
    store: Store,
    events: list[tuple[str, str, datetime, dict[str, Any] | None]],
    accounts: list[dict[str, Any]] | None = None,
    users: list[dict[str, Any]] | None = None,
) -> None:
    ingest_records(store, "accounts", accounts or [{"account_id": "a", "created_at": T0}])
    ingest_records(store, "users", users or [{"user_id": "u", "account_id": "a"}])
    ingest_records(
        store,
        "events",
        [
            {"event_id": f"e{i}", "user_id": user, "event": name, "ts": ts, "properties": props}
            for i, (user, name, ts, props) in enumerate(events)
        ],
    )


def run(store: Store, **definition: Any) -> dict[str, dict[str, Any]]:
    config = base_config()
    config["definition"].update(definition)
    rows = qualify_entities(store, Project.from_dict(config), AS_OF)
    return {r["entity_id"]: r for r in rows}


def naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=None)


def test_nth_event_and_same_timestamp(store: Store) -> None:
    load(store, [("u", "A", at(1), None), ("u", "A", at(2), None), ("u", "A", at(2), None)])
    result = run(store, criteria=[{"id": "a3", "event": "A", "at_least": 3}])
    assert naive(result["a"]["qualified_at"]) == at(2)
    result = run(store, criteria=[{"id": "a4", "event": "A", "at_least": 4}])
    assert result["a"]["qualified_at"] is None


def test_within_days_is_half_open(store: Store) -> None:
    load(store, [("u", "A", at(3), None), ("u", "B", at(3, -0.001), None)])
    result = run(
        store,
        criteria=[
            {"id": "a", "event": "A", "within_days": 3},
            {"id": "b", "event": "B", "within_days": 3},
        ],
        qualify={"at_least": 1},
    )
    assert result["a"]["criteria"]["a"] is None
    assert naive(result["a"]["criteria"]["b"]) == at(3, -0.001)


def test_events_before_signup_do_not_count(store: Store) -> None:
    load(store, [("u", "A", at(-1), None)])
    assert run(store)["a"]["criteria"]["a"] is None


def test_where_matches_types_and_spellings(store: Store) -> None:
    load(
        store,
        [
            ("u", "A", at(1), {"source": "web"}),
            ("u", "B", at(1), {"n": 3}),
            ("u", "C", at(1), {"n": "3"}),
            ("u", "D", at(1), {"flag": True}),
            ("u", "E", at(1), {"source": "api"}),
            ("u", "F", at(1), {}),
        ],
    )
    criteria = [
        {"id": "web", "event": "A", "where": {"source": "web"}},
        {"id": "num", "event": "B", "where": {"n": 3}},
        {"id": "numstr", "event": "C", "where": {"n": 3}},
        {"id": "bool", "event": "D", "where": {"flag": True}},
        {"id": "anyof", "event": "E", "where": {"source": ["web", "api"]}},
        {"id": "missing", "event": "F", "where": {"source": "web"}},
    ]
    met = run(store, criteria=criteria, qualify={"at_least": 1})["a"]["criteria"]
    assert {k for k, v in met.items() if v is not None} == {"web", "num", "numstr", "bool", "anyof"}


def test_score_rule_uses_weights(store: Store) -> None:
    load(store, [("u", "A", at(1), None), ("u", "B", at(2), None), ("u", "C", at(3), None)])
    criteria = [
        {"id": "a", "event": "A", "weight": 0.1},
        {"id": "b", "event": "B", "weight": 0.2},
        {"id": "c", "event": "C", "weight": 5},
    ]
    assert naive(run(store, criteria=criteria, qualify={"score": 0.3})["a"]["qualified_at"]) == at(
        2
    )
    assert naive(run(store, criteria=criteria, qualify={"score": 5})["a"]["qualified_at"]) == at(3)


def test_k_of_n_and_fraction(store: Store) -> None:
    load(store, [("u", "A", at(1), None), ("u", "B", at(5), None), ("u", "C", at(2), None)])
    criteria = [{"id": x.lower(), "event": x} for x in "ABCD"]
    assert naive(run(store, criteria=criteria, qualify={"at_least": 2})["a"]["qualified_at"]) == at(
        2
    )
    assert naive(
        run(store, criteria=criteria, qualify={"fraction": 0.5})["a"]["qualified_at"]
    ) == at(2)
    assert naive(
        run(store, criteria=criteria, qualify={"fraction": 0.6})["a"]["qualified_at"]
    ) == at(5)
    assert run(store, criteria=criteria, qualify="all")["a"]["qualified_at"] is None


def test_min_active_days_guards_one_off_spikes(store: Store) -> None:
    load(
        store, [("u", "A", at(0, 1), None), ("u", "A", at(0, 2), None), ("u", "X", at(4, 5), None)]
    )
    result = run(store, criteria=[{"id": "a", "event": "A", "at_least": 2}], min_active_days=2)
    assert naive(result["a"]["rule_satisfied_at"]) == at(0, 2)
    assert naive(result["a"]["active_days_satisfied_at"]) == at(4, 5)
    assert naive(result["a"]["qualified_at"]) == at(4, 5)
    assert result["a"]["active_days"] == 2
    result = run(store, criteria=[{"id": "a", "event": "A"}], min_active_days=3)
    assert result["a"]["qualified_at"] is None


def test_conversion_before_qualifying_is_never_a_pql(store: Store) -> None:
    load(store, [("u", "A", at(1), None), ("u", "Paid", at(2), None), ("u", "B", at(3), None)])
    criteria = [{"id": "a", "event": "A"}, {"id": "b", "event": "B"}]
    result = run(store, criteria=criteria)["a"]
    assert result["criteria"]["b"] is None  # only events before conversion count
    assert result["qualified_at"] is None and result["status"] == "converted_without_qualifying"
    spike = run(store, criteria=[{"id": "a", "event": "A"}], min_active_days=3)["a"]
    assert spike["qualified_at"] is None  # third active day only after conversion


def test_fit_unknown_passes_unless_required(store: Store) -> None:
    load(
        store,
        [("u", "A", at(1), None)],
        accounts=[{"account_id": "a", "created_at": T0, "domain": None, "employees": None}],
    )
    fit: dict[str, Any] = {
        "exclude_free_email_domains": True,
        "min_employees": 5,
        "where": {"country": "DE"},
    }
    assert run(store, fit=fit)["a"]["fit"] is True
    result = run(store, fit={**fit, "require_known": True})["a"]
    assert result["fit"] is False and result["status"] == "failed_fit"
    assert len(result["fit_failed"]) == 3


def test_fit_checks_domain_employees_and_traits(store: Store) -> None:
    load(
        store,
        [("u", "A", at(1), None)],
        accounts=[
            {
                "account_id": "a",
                "created_at": T0,
                "domain": "GMAIL.com",
                "employees": 50,
                "traits": {"country": "DE"},
            },
        ],
    )
    assert run(store, fit={"exclude_free_email_domains": True})["a"]["fit_failed"] == [
        "free email domain"
    ]
    assert (
        run(store, fit={"exclude_free_email_domains": True, "free_email_domains": ["yahoo.com"]})[
            "a"
        ]["fit"]
        is True
    )
    assert run(store, fit={"min_employees": 51})["a"]["fit"] is False
    assert run(store, fit={"where": {"country": ["DE", "AT"]}})["a"]["fit"] is True
    assert run(store, fit={"where": {"country": "US"}})["a"]["fit"] is False


def test_account_rollup_through_users_table(store: Store) -> None:
    load(
        store,
        [("u", "A", at(1), None), ("v", "A", at(2), None)],
        users=[
            {"user_id": "u", "account_id": "a"},
            {"user_id": "v", "account_id": "a"},
        ],
    )
    result = run(store, criteria=[{"id": "a2", "event": "A", "at_least": 2}])
    assert naive(result["a"]["qualified_at"]) == at(2)


def test_user_entity_and_email_fit(store: Store) -> None:
    load(
        store,
        [("u", "A", at(1), None), ("v", "A", at(1), None)],
        users=[
            {"user_id": "u", "account_id": "a", "email": "x@gmail.com", "signed_up_at": T0},
            {"user_id": "v", "account_id": "a", "email": "y@acme.io", "signed_up_at": T0},
        ],
    )
    config = base_config(entity="user", signup={"source": "users"})
    config["definition"]["fit"] = {"exclude_free_email_domains": True}
    rows = {r["entity_id"]: r for r in qualify_entities(store, Project.from_dict(config), AS_OF)}
    assert rows["u"]["fit"] is False and rows["v"]["fit"] is True
    assert naive(rows["v"]["qualified_at"]) == at(1)


def test_signup_from_event_and_as_of_cutoff(store: Store) -> None:
    load(store, [("u", "Signup", at(2), None), ("u", "A", at(1), None), ("u", "A", at(3), None)])
    config = base_config(signup={"event": "Signup"})
    project = Project.from_dict(config)
    rows = {r["entity_id"]: r for r in qualify_entities(store, project, AS_OF)}
    assert naive(rows["a"]["signup_at"]) == at(2) and naive(rows["a"]["qualified_at"]) == at(3)
    early = qualify_entities(store, project, at(2, 12))
    assert early[0]["qualified_at"] is None  # the qualifying event is after as_of
    assert qualify_entities(store, project, at(1)) == []  # no signup yet


def test_account_without_created_at_falls_back(store: Store) -> None:
    load(
        store,
        [("u", "A", at(1), None), ("w", "A", at(4), None)],
        accounts=[{"account_id": "a", "created_at": None}, {"account_id": "b"}],
        users=[
            {"user_id": "u", "account_id": "a", "signed_up_at": at(0, 5)},
            {"user_id": "w", "account_id": "b"},
        ],
    )
    rows = {
        r["entity_id"]: r for r in qualify_entities(store, Project.from_dict(base_config()), AS_OF)
    }
    assert naive(rows["a"]["signup_at"]) == at(0, 5)
    assert naive(rows["b"]["signup_at"]) == at(4)  # no signup data: first event


def test_where_keys_with_dollar_dots_and_quotes(store: Store) -> None:
    load(
        store,
        [
            (
                "u",
                "A",
                at(1),
                {
                    "$current_url": "/pricing",
                    "page.path": "/a",
                    'q"k': 1,
                    "page": {"path": "/nested"},
                },
            ),
        ],
    )
    criteria = [
        {"id": "dollar", "event": "A", "where": {"$current_url": "/pricing"}},
        {"id": "dotted", "event": "A", "where": {"page.path": "/a"}},
        {"id": "quoted", "event": "A", "where": {'q"k': 1}},
        {"id": "not_nested", "event": "A", "where": {"page.path": "/nested"}},
    ]
    met = run(store, criteria=criteria, qualify={"at_least": 1})["a"]["criteria_met"]
    assert met == ["dollar", "dotted", "quoted"]


def test_json_matches_is_json_equals_without_nulls() -> None:
    """The criterion filter's shortcut gives what json_equals gives (NULL as False) for
    every JSON type against every kind of YAML value."""
    bags = ['{"k": "web"}', '{"k": "3"}', '{"k": 3}', '{"k": 3.5}', '{"k": true}']
    bags += ['{"k": "true"}', '{"k": false}', '{"k": null}', "{}", '{"k": [1]}', '{"k": "3.0"}']
    values: list[Any] = ["web", "3", 3, 3.5, True, False, ["web", 3], [True, "x"], [2, 3.5]]
    con = ibis.duckdb.connect()
    values += ['"web"', "[1]", "null", "3.0", "{}", "we b"]
    bags += ['{"k": "\\"web\\""}', '{"k": "[1]"}', '{"k": {}}', '{"k": "{}"}', '{"k": 3.0}']
    table = ibis.memtable({"bag": bags}).mutate(bag=ibis._.bag.cast("json"))
    for value in values:
        for duckdb in (False, True):  # typed lookups; DuckDB's one-parse text shortcut
            both = table.select(
                expected=json_equals(table.bag, "k", value).fill_null(False),
                got=json_matches(table.bag, "k", value, duckdb),
            )
            rows = con.to_pyarrow(both).to_pylist()
            assert all(r["expected"] == r["got"] for r in rows), (value, duckdb, rows)
