"""`pql compile` for the criterion kinds, `where` operators and points (issue 16): the SQL
for duckdb and postgres, run for real, gives the engine's qualification and metrics on the
hand-made cases of tests/parity/signal_cases.py (together: every kind and operator);
the other dialects compile or refuse with one line naming what they cannot express."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlglot

from pqlengine.compute.export import ExportError, export_statements
from pqlengine.config import Project
from tests.parity.backends import ICU_DATABASE
from tests.parity.signal_cases import KIND_CRITERIA, SignalCase, signal_cases
from tests.parity.test_signal_parity import loaded
from tests.postgres_cluster import Cluster
from tests.test_compile import (  # noqa: F401  (postgres: the session's server fixture)
    PARSE_ONLY,
    assert_same_as_engine,
    postgres,
    run_duckdb,
    run_postgres,
)

CASES = signal_cases()
IDS = [c.name for c in CASES]


def _project(case: SignalCase) -> Project:
    return Project.from_dict(case.scenario.config)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_duckdb_export_equals_engine(case: SignalCase) -> None:
    scenario = case.scenario
    statements = export_statements(_project(case), "duckdb", "all", "week", scenario.as_of)
    store = loaded(case)
    try:
        results = run_duckdb(store, statements)
        assert_same_as_engine(results, store, _project(case), scenario.as_of, "week")
    finally:
        store.close()


def icu_database(cluster: Cluster) -> str:
    """A database of the server whose text order is ICU's en-US, as in most users'
    databases ('é' < 'z'), where comparing text by collation instead of code point shows."""
    found = cluster.psql(f"SELECT count(*) FROM pg_database WHERE datname = '{ICU_DATABASE}';")
    if found.split()[-1] == "0":
        cluster.psql(
            f"CREATE DATABASE {ICU_DATABASE} TEMPLATE template0 ENCODING 'UTF8' "
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C';"
        )
    return ICU_DATABASE


@pytest.mark.e2e  # a PostgreSQL server
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_postgres_export_equals_engine(postgres: Cluster, case: SignalCase) -> None:  # noqa: F811
    scenario = case.scenario
    database = icu_database(postgres)
    store = loaded(case)
    try:
        project = _project(case)
        results = run_postgres(postgres, store, project, scenario.as_of, "month", None, database)
        # ORDER BY entity_id follows the database's collation: the order of rows is the
        # warehouse's, their content must be the engine's.
        results["qualified_entities"].sort(key=lambda row: row["entity_id"])
        assert_same_as_engine(results, store, project, scenario.as_of, "month")
    finally:
        store.close()


def _reads_json(criterion: dict[str, Any]) -> bool:
    steps = criterion.get("steps", [])
    return "where" in criterion or "property" in criterion or any("where" in s for s in steps)


# Every kind without reading JSON: what a dialect without JSON support must still express.
PLAIN_KINDS: dict[str, Any] = {
    "project": "plain-kinds",
    "entity": "account",
    "signup": {"source": "accounts"},
    "conversion": {"source": "conversions"},
    "definition": {
        "name": "plain",
        "criteria": [
            *[c for c in KIND_CRITERIA if not _reads_json(c)],
            {"id": "points", "kind": "active_days", "points": 0.5, "max_points": 2},
        ],
        "qualify": {"score": 3},
        "min_active_days": 2,
    },
}


@pytest.mark.slow  # sqlglot parses the statement: about a minute per dialect
@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_other_dialects_compile_every_kind(dialect: str) -> None:
    kinds = {c["kind"] for c in PLAIN_KINDS["definition"]["criteria"] if "kind" in c}
    assert kinds == {"users", "active_days", "consecutive_days", "sequence"}
    project = Project.from_dict(PLAIN_KINDS)
    (statement,) = export_statements(project, dialect, "qualify")
    assert sqlglot.parse_one(statement.sql, read=dialect) is not None


# Every case reads JSON (a where: or a property:): these dialects cannot read it.
REFUSES_JSON = {"spark", "clickhouse"}


@pytest.mark.slow  # compiles every case: ~5 s per dialect
@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_other_dialects_compile_or_refuse_by_name(dialect: str) -> None:
    for case in CASES:
        try:
            statements = export_statements(_project(case), dialect, "qualify")
        except ExportError as exc:
            assert dialect in REFUSES_JSON, f"{case.name}: {exc}"
            message = str(exc)
            assert "\n" not in message, message
            assert re.match(
                rf"{dialect} cannot express `where:` on event properties or traits, or "
                r"`property:` of a sum or distinct \((text values|numbers|booleans) in JSON\)",
                message,
            ), message
            continue
        assert dialect not in REFUSES_JSON, f"{case.name} compiled for {dialect}"
        assert statements[0].sql.lstrip().upper().startswith(("WITH", "SELECT")), case.name
