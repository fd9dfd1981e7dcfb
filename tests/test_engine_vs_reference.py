"""The engine against the reference oracle (tests/reference/) on random small event logs."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pqlengine.compute.metrics import SegmentError, compute_metrics
from pqlengine.compute.qualify import qualify_entities
from pqlengine.config import Project
from pqlengine.ingest import ingest_records
from pqlengine.store import Store
from tests.reference.compare import metrics_differences, qualify_differences
from tests.reference.oracle import reference_metrics, reference_qualify
from tests.reference.strategies import Batch, Scenario, batches, log_prefix
from tests.support.examples import examples

RANDOM_LOGS = settings(
    max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
METRIC_VARIANTS = (("week", None), ("month", None), ("month", "plan"))


@contextmanager
def loaded_store(scenario: Scenario) -> Iterator[Store]:
    """An in-memory store holding the scenario's tables."""
    store = Store.open(":memory:")
    try:
        for table, rows in scenario.tables.items():
            if rows:
                ingest_records(store, table, rows)
        yield store
    finally:
        store.close()


def _fail_with(problems: list[str], scenario: Scenario, what: str) -> None:
    if problems:
        shown = "\n".join(problems[:20])
        pytest.fail(f"{what}: engine != oracle\n{shown}\nas_of={scenario.as_of!r}")


@RANDOM_LOGS
@given(batch=batches())
def test_qualification_matches_reference(batch: Batch) -> None:
    """Up to LOGS_PER_BATCH logs in one store, one qualification; each log's entities (by id
    prefix) against the oracle run on that log alone."""
    check_qualification(batch)


def check_qualification(batch: Batch) -> None:
    """Every log of `batch` qualified in one store equals the oracle on that log alone."""
    union = batch.union
    with loaded_store(union) as store:
        got = qualify_entities(store, Project.from_dict(union.config), union.as_of)
    for index, log in enumerate(batch.logs):
        expected = reference_qualify(log.config, log.tables, log.as_of)
        mine = [row for row in got if row["entity_id"].startswith(log_prefix(index))]
        _fail_with(qualify_differences(mine, expected), log, f"qualify_entities, log {index}")


def _has_segment_values(scenario: Scenario, by: str) -> bool:
    """Whether any row of the entity's table has a column or trait `by` that is not null."""
    table = "accounts" if scenario.config["entity"] == "account" else "users"
    rows = scenario.tables[table]
    return any(r.get(by) is not None or r["traits"].get(by) is not None for r in rows)


@RANDOM_LOGS
@given(batch=batches())
def test_metrics_match_reference(batch: Batch) -> None:
    """Up to LOGS_PER_BATCH logs in one store: the metrics of all of them (cohorts sum over
    logs) against the oracle run on the same rows."""
    check_metrics(batch.union)


def check_metrics(scenario: Scenario) -> None:
    """The metrics of `scenario` in every METRIC_VARIANTS equal the oracle's."""
    project = Project.from_dict(scenario.config)
    with loaded_store(scenario) as store:
        for period, by in METRIC_VARIANTS:
            expected = reference_metrics(
                scenario.config,
                scenario.tables,
                scenario.as_of,
                period=period,
                by=by,
                pipeline=True,
            )
            try:
                got = compute_metrics(store, project, scenario.as_of, period=period, by=by)
            except SegmentError:
                # Engine choice beyond semantics.md: a segment nobody has is an error.
                assert by is not None and not _has_segment_values(scenario, by)
                continue
            _fail_with(metrics_differences(got, expected), scenario, f"metrics {period} by={by}")


PROPERTY_VALUES = (
    "web",
    "Web",
    3,
    3.0,
    2.5,
    "3",
    "2.5",
    "3.0",
    True,
    False,
    "true",
    "True",
    "false",
    1,
    0,
    "1",
    None,
)
WHERE_VALUES = ("web", 3, 2.5, True, False, "3", "true", 1, ["web", 3], [True, 2.5])


def _where_scenario(fit_where: dict | None = None) -> Scenario:
    """One account per property value, each with one event A and a trait `tier`."""
    accounts, events = [], []
    for index, value in enumerate(PROPERTY_VALUES):
        present = {} if value is None else {"source": value}
        accounts.append(
            {
                "account_id": f"a{index}",
                "created_at": datetime(2026, 1, 1),
                "traits": {"tier": value} if value is not None else {},
            }
        )
        events.append(
            {
                "event_id": f"e{index}",
                "user_id": f"u{index}",
                "account_id": f"a{index}",
                "event": "A",
                "ts": datetime(2026, 1, 2),
                "properties": present,
            }
        )
    criteria = [
        {"id": f"w{i}", "event": "A", "where": {"source": value}}
        for i, value in enumerate(WHERE_VALUES)
    ]
    definition: dict = {"name": "d", "criteria": criteria, "qualify": {"at_least": 1}}
    if fit_where is not None:
        definition["fit"] = {"where": fit_where, "require_known": True}
    config = {
        "project": "p",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": definition,
    }
    tables = {"accounts": accounts, "users": [], "events": events, "conversions": []}
    return Scenario(config=config, tables=tables, as_of=datetime(2026, 2, 1))


def _check_qualification(scenario: Scenario) -> None:
    expected = reference_qualify(scenario.config, scenario.tables, scenario.as_of)
    with loaded_store(scenario) as store:
        project = Project.from_dict(scenario.config)
        got = qualify_entities(store, project, scenario.as_of)
    _fail_with(qualify_differences(got, expected), scenario, "qualify_entities")


def test_event_where_matching_matches_reference_for_every_value_pair() -> None:
    _check_qualification(_where_scenario())


@pytest.mark.parametrize("value", WHERE_VALUES, ids=repr)
def test_fit_where_on_traits_matches_reference(value: object) -> None:
    _check_qualification(_where_scenario({"tier": value}))


@pytest.mark.parametrize(
    "fit_where",
    [
        {"employees": 50},
        {"employees": "50"},
        {"employees": [3, 50]},
        {"employees": True},
        {"plan": "3"},
        {"plan": 3},
        {"plan": True},
        {"plan": ["pro", 3]},
    ],
    ids=repr,
)
def test_fit_where_on_columns_matches_reference(fit_where: dict) -> None:
    scenario = _where_scenario(fit_where)
    for account, (employees, plan) in zip(
        scenario.tables["accounts"],
        itertools.cycle([(50, "3"), (3, "pro"), (1, "true"), (None, None), (2, "50")]),
    ):
        account.update(employees=employees, plan=plan)
    _check_qualification(scenario)


@pytest.mark.parametrize("require_known", [False, True])
def test_user_email_domains_match_reference(require_known: bool) -> None:
    emails = ["a@gmail.com", "a@b@GMAIL.com", "a@Acme.com", "no-at-sign", "trailing@", None]
    users = [
        {"user_id": f"u{i}", "email": email, "signed_up_at": datetime(2026, 1, 1)}
        for i, email in enumerate(emails)
    ]
    definition = {
        "name": "d",
        "criteria": [{"id": "a", "event": "A"}],
        "fit": {"exclude_free_email_domains": True, "require_known": require_known},
    }
    config = {
        "project": "p",
        "entity": "user",
        "signup": {"source": "users"},
        "definition": definition,
    }
    tables = {"accounts": [], "users": users, "events": [], "conversions": []}
    _check_qualification(Scenario(config=config, tables=tables, as_of=datetime(2026, 2, 1)))


def _one_account_scenario(criterion: dict, events: list[dict]) -> Scenario:
    """Account x created 2026-01-01 00:00 with user u; the given criterion and events."""
    config = {
        "project": "p",
        "entity": "account",
        "signup": {"source": "accounts"},
        "conversion": {"event": "Paid"},
        "definition": {"name": "d", "criteria": [{"id": "c", "event": "A", **criterion}]},
    }
    tables: dict[str, list[dict[str, Any]]] = {
        "accounts": [{"account_id": "x", "created_at": datetime(2026, 1, 1)}],
        "users": [{"user_id": "u", "account_id": "x"}],
        "events": [{"user_id": "u", "event": "A", "properties": {}, **e} for e in events],
        "conversions": [],
    }
    return Scenario(config=config, tables=tables, as_of=datetime(2026, 2, 1))


@pytest.mark.parametrize("within_days", [0.1234567, 1 / 3, 2.000001])
def test_fractional_within_days_matches_reference(within_days: float) -> None:
    end = datetime(2026, 1, 1) + timedelta(days=within_days)
    offsets = (-1_000_000, -1, 0, 1, 500_000)
    events = [
        {"event_id": f"e{i}", "ts": end + timedelta(microseconds=offset)}
        for i, offset in enumerate(offsets)
    ]
    for event in events:
        _check_qualification(_one_account_scenario({"within_days": within_days}, [event]))


def test_duplicate_event_ids_in_one_batch_keep_the_first() -> None:
    events = [
        {"event_id": "e1", "ts": datetime(2026, 1, 5)},
        {"event_id": "e2", "ts": datetime(2026, 1, 3)},
        {"event_id": "e1", "ts": datetime(2026, 1, 2)},
    ]
    _check_qualification(_one_account_scenario({"at_least": 2}, events))
