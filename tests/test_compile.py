"""`pql compile`: the exported SQL, run for real by DuckDB and by a PostgreSQL server through
psql, gives the engine's qualification and metrics; other dialects compile and parse."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis.expr.datatypes as dt
import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pqlengine.compute.export import (
    ExportError,
    QuantileMethod,
    Statement,
    UnboundTables,
    cohort_metrics_query,
    export_sql,
    export_statements,
    pql_count_query,
    qualification_query,
)
from pqlengine.compute.metrics import PIPELINE, CohortCounts, Period, _row, compute_metrics
from pqlengine.config import Project, load_project
from pqlengine.store import SCHEMAS, Store
from tests import repeated_ids
from tests.postgres_cluster import Cluster, postgres_bin, read_csv_result, running_cluster
from tests.reference.strategies import Scenario, scenarios
from tests.support.cli import pql
from tests.support.examples import examples
from tests.test_engine_vs_reference import _where_scenario, loaded_store
from tests.test_handmade import ingested_copy

AS_OF = datetime(2026, 3, 31)
PARSE_ONLY = ("spark", "snowflake", "bigquery", "clickhouse")


def random_logs(count: int) -> settings:
    """Hypothesis settings for `count` random scenarios (each compiles SQL: slow; fewer under
    the dev profile)."""
    return settings(
        max_examples=examples(count),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


PERIODS = st.sampled_from(("week", "month"))
QUANTILES = st.sampled_from(("aggregate", "window"))
# The server's session time zone is far from UTC so that any local-clock slip shows.
SERVER_TIMEZONE = "Pacific/Chatham"
PG_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "JSON": "json",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


@pytest.fixture(scope="module")
def handmade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, Store, Path]]:
    """The hand-made fixture ingested with the real CLI, and its store."""
    directory = ingested_copy(tmp_path_factory.mktemp("handmade"))
    project = load_project(directory)
    store = Store.for_project(project)
    yield project, store, directory
    store.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server on 127.0.0.1 for the whole session."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin/initdb "
            "and psql); apt-get install -y postgresql"
        )
    with running_cluster(bin_dir, SERVER_TIMEZONE) as cluster:
        yield cluster


# ---- what the engine says -------------------------------------------------------------


def engine_qualification(store: Store, project: Project, as_of: datetime) -> list[dict]:
    """The engine's qualification rows, plus the export's definition_version and as_of."""
    expr = qualification_query(store, project, as_of)
    return expr.to_pyarrow().to_pylist()


def engine_metrics(store: Store, project: Project, as_of: datetime, period: Period) -> dict:
    """compute_metrics' cohort rows (overall last) and PQL counts per period."""
    result = compute_metrics(store, project, as_of, period)
    return {
        "cohorts": [*result["cohorts"], result["overall"]],
        "pql_count_by_period": result["pql_count_by_period"],
    }


def metrics_from_sql(results: dict[str, list[dict]]) -> dict:
    """The exported statistics turned into compute_metrics' rows (Wilson intervals in Python)."""
    cohorts = []
    for row in results["cohort_metrics"]:
        counts = CohortCounts(
            signups=row["signups"],
            pqls=row["pqls"],
            converted_pqls=row["converted_pqls"],
            non_pql_converted=row["non_pql_converted"],
            time_to_pql_days={k: row[f"time_to_pql_days_{k}"] for k in ("median", "p25", "p75")},
        )
        assert row["non_pql_signups"] == row["signups"] - row["pqls"]
        cohorts.append(_row(row["cohort"], None, row["complete"], counts))
    counts = [
        {"period": r["period"], "segment": None, **{k: r[k] for k in PIPELINE}}
        for r in results["pql_count_by_period"]
    ]
    return {"cohorts": cohorts, "pql_count_by_period": counts}


def assert_same_as_engine(
    results: dict[str, list[dict]], store: Store, project: Project, as_of: datetime, period: Period
) -> None:
    assert results["qualified_entities"] == engine_qualification(store, project, as_of)
    assert _rounded(metrics_from_sql(results)) == _rounded(
        engine_metrics(store, project, as_of, period)
    )


def _rounded(metrics: dict) -> dict:
    """`metrics` with time-to-PQL quantiles to 12 decimals: PostgreSQL and DuckDB
    interpolate in another order, so the last bit can differ."""
    for row in metrics["cohorts"]:
        row["time_to_pql_days"] = {
            k: v if v is None else round(v, 12) for k, v in row["time_to_pql_days"].items()
        }
    return metrics


# ---- running the exported SQL ---------------------------------------------------------


def run_duckdb(store: Store, statements: list[Statement]) -> dict[str, list[dict]]:
    """Each statement executed by DuckDB on the store's connection."""
    results = {}
    for statement in statements:
        cursor = store.raw.execute(statement.sql)
        names = [d[0] for d in cursor.description]
        results[statement.name] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return results


def result_schemas(project: Project, period: Period) -> dict[str, dict[str, dt.DataType]]:
    """Column types of each exported statement (to read psql's text output)."""
    tables, moment = UnboundTables(), datetime(2026, 1, 1)
    exprs = {
        "qualified_entities": qualification_query(tables, project, moment),
        "cohort_metrics": cohort_metrics_query(tables, project, moment, period),
        "pql_count_by_period": pql_count_query(tables, project, moment, period),
    }
    return {name: dict(expr.schema().items()) for name, expr in exprs.items()}


def _parse(text: str | None, dtype: dt.DataType) -> Any:
    if text is None:
        return None
    if dtype.is_array():  # psql's {"2026-01-07 12:00:00",...}
        items = [item.strip('"') for item in text.strip("{}").split(",") if item]
        return [_parse(item, dtype.value_type) for item in items]
    if dtype.is_timestamp():
        return datetime.fromisoformat(text)
    if dtype.is_boolean():
        return {"t": True, "f": False}[text]
    if dtype.is_integer():
        return int(text)
    if dtype.is_floating():
        return float(text)
    return text


def load_script(store: Store, schema: str, directory: Path) -> str:
    """psql commands creating `schema` with the store's canonical tables (COPY from CSV)."""
    lines = [f"CREATE SCHEMA {schema};"]
    for table, columns in SCHEMAS.items():
        csv_path = directory / f"{table}.csv"
        # Every value quoted, NULL unquoted: PostgreSQL's CSV tells them apart.
        store.raw.execute(f"COPY {table} TO '{csv_path}' (HEADER, NULLSTR '\\N', FORCE_QUOTE *)")
        types = ", ".join(f"{c} {PG_TYPES[t]}" for c, t in columns.items())
        lines.append(f"CREATE TABLE {schema}.{table} ({types});")
        lines.append(
            f"\\copy {schema}.{table} FROM '{csv_path}' WITH (FORMAT csv, HEADER true, NULL '\\N')"
        )
    return "\n".join(lines) + "\n"


def run_postgres(
    cluster: Cluster,
    store: Store,
    project: Project,
    as_of: datetime | None,
    period: Period,
    quantiles: QuantileMethod | None = None,
    database: str = "postgres",
) -> dict[str, list[dict]]:
    """The store's tables COPYed into a fresh schema of `database`; the exported postgres
    SQL run by psql."""
    schema = "s_" + re.sub(r"[^0-9a-z]", "", str(id(store)) + str(datetime.now().timestamp()))
    statements = export_statements(project, "postgres", "all", period, as_of, schema, quantiles)
    types = result_schemas(project, period)
    with tempfile.TemporaryDirectory() as work:
        directory = Path(work)
        script = load_script(store, schema, directory)
        for statement in statements:
            script += f"\\o {directory / statement.name}.csv\n{statement.sql};\n"
        script += f"\\o\nDROP SCHEMA {schema} CASCADE;\n"
        cluster.psql(script, database=database)
        results = {}
        for statement in statements:
            header, rows = read_csv_result(directory / f"{statement.name}.csv")
            columns = types[statement.name]
            results[statement.name] = [
                {
                    name: _parse(value, columns[name])
                    for name, value in zip(header, row, strict=True)
                }
                for row in rows
            ]
    return results


# ---- DuckDB ---------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["week", "month"])
@pytest.mark.parametrize("quantiles", ["aggregate", "window"])
def test_duckdb_export_of_handmade_equals_engine(
    handmade: tuple[Project, Store, Path], period: Period, quantiles: QuantileMethod
) -> None:
    project, store, _ = handmade
    statements = export_statements(project, "duckdb", "all", period, AS_OF, quantiles=quantiles)
    results = run_duckdb(store, statements)
    assert_same_as_engine(results, store, project, AS_OF, period)
    # The hand-computed numbers (tests/fixtures/handmade/README.md), not just agreement.
    if period == "week":
        overall = results["cohort_metrics"][-1]
        assert (overall["cohort"], overall["signups"], overall["pqls"]) == (None, 7, 2)
        assert overall["time_to_pql_days_median"] == pytest.approx(2.4583333333, abs=1e-9)


@pytest.mark.slow  # every example compiles and runs the exported SQL: ~2 s each
@random_logs(15)
@given(scenario=scenarios(), period=PERIODS, quantiles=QUANTILES)
def test_duckdb_export_of_random_logs_equals_engine(
    scenario: Scenario, period: Period, quantiles: QuantileMethod
) -> None:
    project = Project.from_dict(scenario.config)
    statements = export_statements(
        project, "duckdb", "all", period, scenario.as_of, quantiles=quantiles
    )
    with loaded_store(scenario) as store:
        results = run_duckdb(store, statements)
        assert_same_as_engine(results, store, project, scenario.as_of, period)


def test_duckdb_default_as_of_is_the_warehouse_clock_in_utc(
    handmade: tuple[Project, Store, Path],
) -> None:
    project, store, _ = handmade
    sql = export_statements(project, "duckdb", "qualify")[0].sql
    con = store.raw.cursor()
    con.execute("SET TimeZone = 'Pacific/Chatham'")  # +12:45/+13:45: a local clock shows
    rows = con.execute(sql).fetchall()
    as_of = rows[0][-1]
    assert abs(as_of - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)


# ---- PostgreSQL -----------------------------------------------------------------------


@pytest.mark.e2e  # a PostgreSQL server
@pytest.mark.parametrize("period", ["week", "month"])
def test_postgres_export_of_handmade_equals_engine(
    postgres: Cluster, handmade: tuple[Project, Store, Path], period: Period
) -> None:
    project, store, _ = handmade
    results = run_postgres(postgres, store, project, AS_OF, period)
    assert_same_as_engine(results, store, project, AS_OF, period)


@pytest.mark.e2e  # a PostgreSQL server
def test_postgres_ranked_quantiles_equal_engine(
    postgres: Cluster, handmade: tuple[Project, Store, Path]
) -> None:
    project, store, _ = handmade
    results = run_postgres(postgres, store, project, AS_OF, "week", quantiles="window")
    assert_same_as_engine(results, store, project, AS_OF, "week")


@pytest.mark.e2e  # a PostgreSQL server
@random_logs(15)
@given(scenario=scenarios(), period=PERIODS, quantiles=QUANTILES)
def test_postgres_export_of_random_logs_equals_engine(
    postgres: Cluster, scenario: Scenario, period: Period, quantiles: QuantileMethod
) -> None:
    project = Project.from_dict(scenario.config)
    with loaded_store(scenario) as store:
        results = run_postgres(postgres, store, project, scenario.as_of, period, quantiles)
        assert_same_as_engine(results, store, project, scenario.as_of, period)


def assert_counted_once(results: dict[str, list[dict]]) -> None:
    """The answer of tests/repeated_ids.py: each repeated event_id counted once."""
    (row,) = results["qualified_entities"]
    assert row["qualified_at"] == repeated_ids.QUALIFIED_AT
    overall = results["cohort_metrics"][-1]
    assert overall["time_to_pql_days_median"] == pytest.approx(repeated_ids.DAYS_TO_PQL, abs=1e-9)


def test_duckdb_export_counts_a_repeated_event_id_once() -> None:
    project = Project.from_dict(repeated_ids.CONFIG)
    statements = export_statements(project, "duckdb", "all", "month", repeated_ids.AS_OF)
    store = repeated_ids.users_tables()
    try:
        assert_counted_once(run_duckdb(store, statements))
    finally:
        store.close()


@pytest.mark.e2e  # a PostgreSQL server
def test_postgres_export_counts_a_repeated_event_id_once(postgres: Cluster) -> None:
    project = Project.from_dict(repeated_ids.CONFIG)
    store = repeated_ids.users_tables()
    try:
        assert_counted_once(run_postgres(postgres, store, project, repeated_ids.AS_OF, "month"))
    finally:
        store.close()


def json_scenario(key: str) -> Scenario:
    """Every JSON value type against every `where` value (events) and a trait fit, with the
    property named `key`."""
    base = _where_scenario({"tier": 3})
    events = [
        {**e, "properties": {key: e["properties"]["source"]} if e["properties"] else {}}
        for e in base.tables["events"]
    ]
    definition = dict(base.config["definition"])
    definition["criteria"] = [
        {**c, "where": {key: c["where"]["source"]}} for c in definition["criteria"]
    ]
    config = {**base.config, "definition": definition}
    return Scenario(config=config, tables={**base.tables, "events": events}, as_of=base.as_of)


@pytest.mark.parametrize("key", ["source", "$current.url"])
def test_json_matching_on_duckdb_equals_engine(key: str) -> None:
    scenario = json_scenario(key)
    project = Project.from_dict(scenario.config)
    statements = export_statements(project, "duckdb", "all", "month", scenario.as_of)
    with loaded_store(scenario) as store:
        results = run_duckdb(store, statements)
        assert_same_as_engine(results, store, project, scenario.as_of, "month")
    assert {r["status"] for r in results["qualified_entities"]} >= {"pql", "failed_fit"}


@pytest.mark.e2e  # a PostgreSQL server
def test_json_matching_on_postgres_equals_engine(postgres: Cluster) -> None:
    # A key like $current.url is refused for postgres (test_what_a_dialect_cannot_express...).
    scenario = json_scenario("source")
    project = Project.from_dict(scenario.config)
    with loaded_store(scenario) as store:
        results = run_postgres(postgres, store, project, scenario.as_of, "month")
        assert_same_as_engine(results, store, project, scenario.as_of, "month")
    assert {r["status"] for r in results["qualified_entities"]} >= {"pql", "failed_fit"}


@pytest.mark.e2e  # a PostgreSQL server
def test_postgres_default_as_of_is_the_warehouse_clock_in_utc(
    postgres: Cluster, handmade: tuple[Project, Store, Path]
) -> None:
    project, store, _ = handmade
    results = run_postgres(postgres, store, project, None, "month")
    as_of = results["qualified_entities"][0]["as_of"]
    assert abs(as_of - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)
    # Every cohort of the hand-made data ended long ago, so all are complete now.
    assert all(row["complete"] for row in results["cohort_metrics"])


@pytest.mark.e2e  # a PostgreSQL server
def test_cli_output_runs_in_psql_as_printed(
    postgres: Cluster, handmade: tuple[Project, Store, Path]
) -> None:
    _, store, directory = handmade
    done = pql(
        "compile", "-C", ".", "--dialect", "postgres", "--schema", "cli_check",
        "--as-of", "2026-03-31", "--period", "week", cwd=directory,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.match(r"-- pqlengine \S+ SQL export, dialect postgres, generated ", done.stdout)
    with tempfile.TemporaryDirectory() as work:
        script = load_script(store, "cli_check", Path(work)) + done.stdout
        output = postgres.psql(script + "DROP SCHEMA cli_check CASCADE;\n")
    assert output.count("entity_id,signup_at,converted_at") == 1
    assert "2026-W02,2026-01-05 00:00:00,t,4,1,1,3,1,2.5,2.5,2.5" in output
    assert "2026-W04,2026-01-19 00:00:00,1" in output


# ---- the other dialects: compiled and parsed only --------------------------------------

PLAIN_CRITERIA = [
    {"id": "docs", "event": "Created Document", "at_least": 2, "within_days": 1.5},
    {"id": "tasks", "event": "Added Task", "weight": 2},
]
# No JSON anywhere: `plan` is a column of accounts.
PLAIN_DEFINITION: dict[str, Any] = {
    "project": "acme",
    "entity": "account",
    "signup": {"source": "users"},
    "conversion": {"source": "conversions"},
    "definition": {
        "name": "activation",
        "criteria": PLAIN_CRITERIA,
        "qualify": {"score": 2},
        "min_active_days": 2,
        "fit": {"exclude_free_email_domains": True, "min_employees": 5, "where": {"plan": "pro"}},
    },
}


def definition_with(entity: str = "account", **changes: Any) -> Project:
    """PLAIN_DEFINITION for `entity` with some `definition` keys replaced."""
    definition = {**PLAIN_DEFINITION["definition"], **changes}
    return Project.from_dict({**PLAIN_DEFINITION, "entity": entity, "definition": definition})


# `where:` on JSON properties and traits, with plain keys, and with a key like $current_url.
JSON_WHERE = {
    "criteria": [
        *PLAIN_CRITERIA,
        {"id": "web", "event": "Shared", "where": {"source": ["web", 3, True]}},
    ],
    "fit": {"where": {"plan": ["pro", 3], "tier": 2}},
}
ODD_KEY = {
    "criteria": [{"id": "url", "event": "Viewed", "where": {"$current_url": "/x"}}],
    "qualify": "all",
}
USER_FIT = {"fit": {"exclude_free_email_domains": True, "min_employees": 5}}
VARIANTS = {
    "plain": {},
    "user": {"entity": "user", **USER_FIT},
    "json": JSON_WHERE,
    "odd": ODD_KEY,
}
SUPPORTED = {
    "spark": ("plain", "user"),
    "snowflake": ("plain", "user", "json", "odd"),
    "bigquery": ("plain", "user", "json"),
    "clickhouse": ("plain", "user"),
}


@pytest.mark.slow  # sqlglot parses every statement: ~9 s per dialect
@pytest.mark.parametrize("dialect", PARSE_ONLY)
def test_other_dialects_compile_and_parse(
    handmade: tuple[Project, Store, Path], dialect: str
) -> None:
    projects = [handmade[0], *(definition_with(**VARIANTS[v]) for v in SUPPORTED[dialect])]
    for index, project in enumerate(projects):
        # Alternately the warehouse's clock and a fixed instant, weeks and months.
        as_of, period = [(None, "week"), (AS_OF, "month")][index % 2]
        sql = export_sql(project, dialect, "all", period, as_of, schema="analytics")
        parsed = sqlglot.parse(sql, read=dialect)
        assert len([p for p in parsed if p is not None]) == 3
        assert f"dialect {dialect}," in sql.splitlines()[0]


@pytest.mark.parametrize(
    ("dialect", "changes", "message"),
    [
        ("clickhouse", JSON_WHERE, "clickhouse cannot express `where:` on event properties"),
        ("spark", JSON_WHERE, "spark cannot express `where:` on event properties or traits"),
        ("postgres", ODD_KEY, "postgres cannot express a `where:` key that is not a plain name"),
        ("bigquery", ODD_KEY, "bigquery cannot express a `where:` key that is not a plain name"),
        (
            "clickhouse",
            {"criteria": [{"id": "a", "event": "A", "within_days": 0.1234567}], "qualify": "all"},
            "clickhouse cannot express a `within_days` that is not a whole number of seconds",
        ),
    ],
    ids=["clickhouse-json", "spark-json", "postgres-odd-key", "bigquery-odd-key", "ch-subsecond"],
)
def test_what_a_dialect_cannot_express_is_refused_by_name(
    dialect: str, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        export_statements(definition_with(**changes), dialect, "qualify")


def test_dialects_without_exact_quantile_aggregates_rank_instead() -> None:
    project = definition_with()
    for dialect in ("bigquery", "clickhouse"):
        metrics = export_statements(project, dialect, "metrics")[0].sql
        assert "row_number()" in metrics.lower() and "quantile" not in metrics.lower()
    assert "PERCENTILE(" in export_statements(project, "spark", "metrics")[0].sql
    assert "PERCENTILE_CONT(" in export_statements(project, "snowflake", "metrics")[0].sql


# ---- header and options ---------------------------------------------------------------


def test_header_names_project_definition_version_dialect_and_time(
    handmade: tuple[Project, Store, Path],
) -> None:
    project = handmade[0]
    generated = datetime(2026, 4, 1, 8, 30, tzinfo=UTC)
    sql = export_sql(project, "postgres", "all", "week", None, "analytics", generated)
    first, second, third = sql.splitlines()[:3]
    assert re.fullmatch(
        r"-- pqlengine \S+ SQL export, dialect postgres, generated 2026-04-01T08:30:00Z", first
    )
    assert f"project handmade, definition hand, version {project.version} " in second
    assert third == "-- as of: the warehouse's current time (UTC) when the query runs"
    assert '"analytics"."events"' in sql and "Wilson score interval with z = 1.959964" in sql
    assert "criterion_1_at = invite (Invite ≥ 1)" in sql


def test_user_text_cannot_escape_the_header_comment() -> None:
    criteria = [{"id": "x\nDROP TABLE events; --", "event": "A"}]
    sql = export_sql(definition_with(criteria=criteria, qualify="all"), "duckdb", "qualify")
    header = sql.split("\n\n")[0]
    assert all(line.startswith("--") for line in header.splitlines())
    assert "x?DROP TABLE events; --" in header


def test_cli_rejects_an_unknown_dialect_and_a_bad_schema(
    handmade: tuple[Project, Store, Path],
) -> None:
    directory = handmade[2]
    done = pql("compile", "-C", ".", "--dialect", "oracle", cwd=directory)
    assert done.returncode == 1 and "--dialect: 'oracle' is not one of duckdb" in done.stderr
    done = pql("compile", "-C", ".", "--schema", "a.b.c", cwd=directory)
    assert done.returncode == 1 and "--schema: 'a.b.c'" in done.stderr


def test_catalog_dot_schema_qualifies_every_table() -> None:
    project = definition_with()
    sql = export_statements(project, "snowflake", "qualify", schema="PROD.ANALYTICS")[0].sql
    names = set(re.findall(r'FROM ("[^"]+"\."[^"]+"\."[^"]+")', sql))
    assert names == {
        f'"PROD"."ANALYTICS"."{t}"' for t in ("events", "users", "accounts", "conversions")
    }
