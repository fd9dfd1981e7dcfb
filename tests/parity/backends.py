"""Backends for the parity suite: each receives the canonical tables of a DuckDB store and
lays them out the way a user's own database would hold them (other table and column names,
JSON as text or jsonb, aware timestamps), then names them in a `store:` block.

The engine reads them through `store:` + `columns:` exactly as it would read a user's
warehouse; nothing here writes our canonical tables for it.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from pqlengine.store import SCHEMAS, Store

# The user's names for our tables and columns (canonical -> theirs).
TABLES = {"events": "tracks", "users": "people", "accounts": "companies", "conversions": "deals"}
COLUMNS: dict[str, dict[str, str]] = {
    "events": {"event": "event_name", "ts": "sent_at", "properties": "props"},
    "users": {"signed_up_at": "joined_at"},
    "accounts": {"account_id": "id", "created_at": "created"},
    "conversions": {"entity_id": "customer_id", "converted_at": "won_at"},
}
ALL = ("duckdb", "postgres", "pyspark")
ICU_DATABASE = "pql_icu"  # PostgresTarget.in_icu_database
_serial = itertools.count()


def theirs(table: str, column: str) -> str:
    """The user's name for one of our columns."""
    return COLUMNS[table].get(column, column)


# The user's event tables repeat event_ids, as Segment and RudderStack warehouse tables do:
# every third event is sent twice as it was, and every third other one again a day later
# under the next event's name. The engine keeps the earliest copy of each id, so every
# answer must stay that of the source store; counting a copy moves counts, active days,
# criteria times and discovery.
_EVENTS_WITH_COPIES = """
WITH numbered AS (SELECT *, row_number() OVER (ORDER BY event_id) AS n FROM events)
SELECT event_id, user_id, account_id, event, ts, properties FROM events
UNION ALL
SELECT event_id, user_id, account_id, event, ts, properties FROM numbered WHERE n % 3 = 0
UNION ALL
SELECT event_id, user_id, account_id, coalesce(lead(event) OVER (ORDER BY n), event),
       ts + INTERVAL 1 DAY, properties
FROM numbered QUALIFY n % 3 = 1
"""


def _rows(name: str) -> str:
    """The user's rows of canonical table `name` as a DuckDB query over the source store."""
    return _EVENTS_WITH_COPIES if name == "events" else f'SELECT * FROM "{name}"'


def _export_parquet(source: Store, directory: Path) -> dict[str, Path]:
    """Each canonical table as a Parquet file in the user's column names (JSON as text)."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, schema in SCHEMAS.items():
        target = directory / f"{TABLES[name]}.parquet"
        columns = ", ".join(
            f'"{c}"::VARCHAR AS "{theirs(name, c)}"'
            if t == "JSON"
            else f'"{c}" AS "{theirs(name, c)}"'
            for c, t in schema.items()
        )
        source.raw.execute(
            f"COPY (SELECT {columns} FROM ({_rows(name)})) TO '{target}' (FORMAT parquet)"
        )
        files[name] = target
    return files


class Target(Protocol):
    """One backend of the parity suite."""

    name: str

    def load(self, source: Store, workdir: Path, portable: bool = False) -> dict[str, Any]:
        """Copy the source store's tables in; return the `store:` block naming them
        (`portable`: usable from another process too)."""
        ...


@dataclass
class DuckDBTarget:
    """A user's own DuckDB file: tables in schema `app` under their names."""

    name: str = "duckdb"

    def load(self, source: Store, workdir: Path, portable: bool = False) -> dict[str, Any]:
        files = _export_parquet(source, workdir / "parquet")
        path = workdir / "warehouse.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS app")
            for name, file in files.items():
                con.execute(
                    f'CREATE OR REPLACE TABLE app."{TABLES[name]}" AS '
                    f"SELECT * FROM read_parquet('{file}')"
                )
        block: dict[str, Any] = {"backend": "duckdb", "path": str(path)}
        block.update({f"{n}_table": f"app.{t}" for n, t in TABLES.items()})
        return block


_PG_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamptz",
    "JSON": "jsonb",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


@dataclass
class PostgresTarget:
    """A real PostgreSQL server: one schema per dataset, aware timestamps, jsonb."""

    port: int
    name: str = "postgres"
    database: str = "postgres"
    _conninfo: str = field(init=False)

    def __post_init__(self) -> None:
        self._conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname={self.database}"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{self.database}"

    def in_icu_database(self) -> PostgresTarget:
        """The same server, in a database whose text order is ICU's en-US (most users'
        databases sort by a locale: 'é' < 'z', 'abc' < 'ABC'), not the cluster's C."""
        import psycopg

        name = ICU_DATABASE
        with psycopg.connect(self._conninfo, autocommit=True) as con:
            if con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return PostgresTarget(port=self.port, database=name)
            con.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"
            )
        return PostgresTarget(port=self.port, database=name)

    def load(self, source: Store, workdir: Path, portable: bool = False) -> dict[str, Any]:
        import psycopg

        schema = f"app_{next(_serial)}"
        with psycopg.connect(self._conninfo, autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {schema}")
            for name, columns in SCHEMAS.items():
                table = f"{schema}.{TABLES[name]}"
                spec = ", ".join(f'"{theirs(name, c)}" {_PG_TYPES[t]}' for c, t in columns.items())
                con.execute(f"CREATE TABLE {table} ({spec})")
                rows = source.raw.execute(_rows(name)).fetchall()
                wanted = ", ".join(f'"{theirs(name, c)}"' for c in columns)
                with (
                    con.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({wanted}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(
                            [_pg_value(v, t) for v, t in zip(row, columns.values(), strict=True)]
                        )
        block: dict[str, Any] = {
            "backend": "postgres",
            "url": self.url,
            "results_schema": f"pql_{schema}",
        }
        block.update({f"{n}_table": f"{schema}.{t}" for n, t in TABLES.items()})
        return block


def _pg_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "TIMESTAMP" and isinstance(value, datetime):
        return value.isoformat() + "+00:00"  # naive UTC in our store -> an aware instant
    if kind == "JSON" and not isinstance(value, str):
        return json.dumps(value)
    return value


@dataclass
class SparkTarget:
    """PySpark local mode: Parquet files registered as temporary views (or read by path),
    JSON as text."""

    session: Any
    name: str = "pyspark"

    def load(self, source: Store, workdir: Path, portable: bool = False) -> dict[str, Any]:
        files = _export_parquet(source, workdir / "parquet")
        tag = next(_serial)
        block: dict[str, Any] = {
            "backend": "pyspark",
            "master": "local[2]",
            "results_schema": "pql_results",
        }
        for name, file in files.items():
            if portable:  # temporary views live in this process's session only
                block[f"{name}_table"] = f"parquet:{file}"
                continue
            view = f"{TABLES[name]}_{tag}"
            self.session.read.parquet(str(file)).createOrReplaceTempView(view)
            block[f"{name}_table"] = view
        return block


def user_project(config: dict[str, Any], block: dict[str, Any]) -> dict[str, Any]:
    """`config` reading the user's tables: the store block and their column names."""
    return {**config, "store": block, "columns": COLUMNS}
