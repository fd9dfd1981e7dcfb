"""Rolling windows, expiry and episodes (issue 17) on every backend: the hand-made cases of
lifecycle_cases.py give the episodes worked out by hand, in the oracle and in our store,
and exactly the same qualification (every field of the record, next_change_at) and
per-period pipeline in a user's DuckDB file, on PostgreSQL and on PySpark
(`--backends=all`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pqlengine.compute.metrics import compute_metrics
from pqlengine.config import Project
from pqlengine.store import Store
from tests.parity.backends import Target, user_project
from tests.parity.lifecycle_cases import lifecycle_cases
from tests.parity.signal_cases import SignalCase
from tests.parity.test_signal_parity import loaded, record_differences
from tests.reference.oracle import reference_qualify
from tests.test_lifecycle_vs_reference import engine_rows

CASES = lifecycle_cases()


def _fail_with(problems: list[str], what: str) -> None:
    if problems:
        pytest.fail(f"{what} ({len(problems)} differences):\n" + "\n".join(problems[:40]))


def _expected(case: SignalCase) -> list[dict[str, Any]]:
    return [{"entity_id": entity, **fields} for entity, fields in case.expected.items()]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_oracle_gives_the_hand_worked_answers(case: SignalCase) -> None:
    scenario = case.scenario
    rows = reference_qualify(scenario.config, scenario.tables, scenario.as_of)
    assert set(rows) == set(case.expected)
    _fail_with(record_differences(list(rows.values()), _expected(case)), f"oracle, {case.name}")


@pytest.fixture(scope="module", params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> Iterator[tuple[SignalCase, Store]]:
    store = loaded(request.param)
    yield request.param, store
    store.close()


def test_our_store_gives_the_hand_worked_answers(case: tuple[SignalCase, Store]) -> None:
    lifecycle, store = case
    scenario = lifecycle.scenario
    rows = engine_rows(store, Project.from_dict(scenario.config), scenario.as_of)
    assert {r["entity_id"] for r in rows} == set(lifecycle.expected)
    _fail_with(record_differences(rows, _expected(lifecycle)), f"{lifecycle.name}, our store")


def _pipelines(store: Store, project: Project, scenario: Any) -> dict[str, Any]:
    return {
        period: compute_metrics(store, project, scenario.as_of, period)["pql_count_by_period"]
        for period in ("week", "month")
    }


def test_every_backend_qualifies_like_our_store(
    backend: Target, case: tuple[SignalCase, Store], tmp_path: Path
) -> None:
    lifecycle, source = case
    scenario = lifecycle.scenario
    mine = Project.from_dict(scenario.config)
    expected = engine_rows(source, mine, scenario.as_of)
    expected_pipelines = _pipelines(source, mine, scenario)
    project = Project.from_dict(user_project(scenario.config, backend.load(source, tmp_path)))
    store = Store.for_project(project)
    try:
        got = engine_rows(store, project, scenario.as_of)
        pipelines = _pipelines(store, project, scenario)
    finally:
        store.close()
    _fail_with(record_differences(got, expected), f"{lifecycle.name} on {backend.name}")
    assert pipelines == expected_pipelines, f"{lifecycle.name} pipeline on {backend.name}"
