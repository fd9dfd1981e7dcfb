"""`pql compile` for rolling windows, expiry and episodes (issue 17): the SQL for duckdb and
postgres, run for real on the hand-made cases of tests/parity/lifecycle_cases.py, gives the
engine's qualification (episode_starts and episode_ends included), cohorts and per-period
pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from pqlengine.compute.export import export_statements
from pqlengine.compute.metrics import compute_metrics
from pqlengine.config import Project
from pqlengine.store import Store
from tests.parity.lifecycle_cases import lifecycle_cases
from tests.parity.signal_cases import SignalCase
from tests.parity.test_signal_parity import loaded
from tests.postgres_cluster import Cluster
from tests.test_compile import (  # noqa: F401  (postgres: the session's server fixture)
    engine_metrics,
    engine_qualification,
    metrics_from_sql,
    postgres,
    run_duckdb,
    run_postgres,
)
from tests.test_compile_signals import icu_database

CASES = lifecycle_cases()
IDS = [c.name for c in CASES]
EPISODE_COLUMNS = ("episode_starts", "episode_ends")


def assert_same_as_engine(
    results: dict[str, list[dict]], store: Store, project: Project, as_of: datetime, period: Any
) -> None:
    """The exported qualification, cohorts and pql_count_by_period rows (every column the
    engine gives, the pipeline's included) equal the engine's."""
    expected = engine_qualification(store, project, as_of)
    for got, want in zip(results["qualified_entities"], expected, strict=True):
        differ = {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]}
        assert not differ, (want["entity_id"], differ)
    cohorts = engine_metrics(store, project, as_of, period)["cohorts"]
    for got, want in zip(metrics_from_sql(results)["cohorts"], cohorts, strict=True):
        # Quantiles to the last bit: PostgreSQL and DuckDB interpolate in another order.
        quantiles = [
            {k: v if v is None else round(v, 12) for k, v in row.pop("time_to_pql_days").items()}
            for row in (got, want)
        ]
        assert quantiles[0] == quantiles[1], want["cohort"]
        differ = {k: (got.get(k), want[k]) for k in want if got.get(k) != want[k]}
        assert not differ, (want["cohort"], differ)
    # The export also gives each period's first instant (its order), the engine the label.
    pipeline = [
        {"segment": None, **{k: v for k, v in row.items() if k != "period_start"}}
        for row in results["pql_count_by_period"]
    ]
    assert pipeline == compute_metrics(store, project, as_of, period)["pql_count_by_period"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("period", ["week", "month"])
def test_duckdb_export_equals_engine(case: SignalCase, period: str) -> None:
    scenario = case.scenario
    project = Project.from_dict(scenario.config)
    statements = export_statements(project, "duckdb", "all", period, scenario.as_of)
    store = loaded(case)
    try:
        results = run_duckdb(store, statements)
        assert_same_as_engine(results, store, project, scenario.as_of, period)
    finally:
        store.close()


def timestamps_array(text: str | None) -> list[datetime] | None:
    """A PostgreSQL array of timestamps as psql prints it (`{"2026-01-06 10:00:00",...}`)."""
    if text is None:
        return None
    inner = text.strip()
    assert inner.startswith("{") and inner.endswith("}"), text
    items = [item.strip().strip('"') for item in inner[1:-1].split(",") if item.strip()]
    return [datetime.fromisoformat(item) for item in items]


@pytest.mark.e2e  # a PostgreSQL server
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_postgres_export_equals_engine(postgres: Cluster, case: SignalCase) -> None:  # noqa: F811
    scenario = case.scenario
    database = icu_database(postgres)
    store = loaded(case)
    try:
        project = Project.from_dict(scenario.config)
        results = run_postgres(postgres, store, project, scenario.as_of, "month", None, database)
        rows = sorted(results["qualified_entities"], key=lambda row: row["entity_id"])
        for row in rows:
            for column in EPISODE_COLUMNS:
                if isinstance(row.get(column), str):  # psql prints arrays as text
                    row[column] = timestamps_array(row[column])
        results["qualified_entities"] = rows
        assert_same_as_engine(results, store, project, scenario.as_of, "month")
    finally:
        store.close()
