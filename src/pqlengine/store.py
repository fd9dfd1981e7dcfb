"""The store: a DuckDB file (through Ibis) holding the canonical tables and results."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import ibis

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend

    from pqlengine.config import Project

# Canonical tables: column -> DuckDB type. Timestamps are naive and hold UTC.
SCHEMAS: dict[str, dict[str, str]] = {
    "events": {
        "event_id": "VARCHAR",
        "user_id": "VARCHAR",
        "account_id": "VARCHAR",
        "event": "VARCHAR",
        "ts": "TIMESTAMP",
        "properties": "JSON",
    },
    "users": {
        "user_id": "VARCHAR",
        "account_id": "VARCHAR",
        "email": "VARCHAR",
        "signed_up_at": "TIMESTAMP",
        "traits": "JSON",
    },
    "accounts": {
        "account_id": "VARCHAR",
        "name": "VARCHAR",
        "domain": "VARCHAR",
        "employees": "BIGINT",
        "plan": "VARCHAR",
        "created_at": "TIMESTAMP",
        "traits": "JSON",
    },
    "conversions": {
        "entity_id": "VARCHAR",
        "converted_at": "TIMESTAMP",
        "amount": "DOUBLE",
        "plan": "VARCHAR",
    },
}

# The key that makes a row unique; re-ingesting a row with a known key adds nothing
# (events, conversions) or replaces the row (users, accounts: the newest file wins).
KEYS: dict[str, tuple[str, ...]] = {
    "events": ("event_id",),
    "users": ("user_id",),
    "accounts": ("account_id",),
    "conversions": ("entity_id", "converted_at"),
}
UPSERT_TABLES = frozenset({"users", "accounts"})

# Column holding free-form attributes per table (extra input columns land here).
BAG_COLUMN = {"events": "properties", "users": "traits", "accounts": "traits"}

_BOOKKEEPING = {
    "ingest_log": {
        "ingested_at": "TIMESTAMP",
        "table_name": "VARCHAR",
        "source": "VARCHAR",
        "sha256": "VARCHAR",
        "rows_read": "BIGINT",
        "rows_added": "BIGINT",
    },
    "definitions": {
        "version": "VARCHAR",
        "name": "VARCHAR",
        "definition_json": "JSON",
        "first_seen_at": "TIMESTAMP",
    },
}


class StoreError(ValueError):
    """The store file cannot be opened (locked by another process, no permission, ...)."""


class Store:
    """An open store; `con` is the Ibis backend, `raw` the DuckDB connection."""

    def __init__(self, con: Backend, path: str) -> None:
        self.con = con
        self.path = path
        self._ensure_tables()

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) the DuckDB file at `path`, or ':memory:'."""
        target = str(path)
        try:
            if target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            con = ibis.duckdb.connect(target)
        except (OSError, duckdb.Error) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"cannot open the store {target}: {first_line}") from None
        con.raw_sql("SET TimeZone = 'UTC'")
        limit = os.environ.get("PQL_MEMORY_LIMIT")
        if limit:
            # DuckDB otherwise uses up to 80% of RAM as buffer pool and spills beyond it.
            con.con.execute(f"SET memory_limit = '{_checked_size(limit)}'")
        return cls(con, target)

    @classmethod
    def for_project(cls, project: Project) -> Store:
        """Open the store named by the project's `store:` key."""
        return cls.open(project.store_path)

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """The underlying DuckDB connection (ingest transactions only)."""
        connection: duckdb.DuckDBPyConnection = self.con.con
        return connection

    def cursor(self) -> Store:
        """Another connection to the same open database, for use from another thread."""
        raw = self.raw.cursor()
        raw.execute("SET TimeZone = 'UTC'")
        return Store(ibis.duckdb.from_connection(raw), self.path)

    def table(self, name: str) -> ibis.Table:
        """An Ibis table expression for a canonical or result table."""
        return self.con.table(name)

    def count(self, name: str) -> int:
        """Number of rows in a table."""
        return int(self.table(name).count().execute())

    def close(self) -> None:
        """Close the connection."""
        self.con.disconnect()

    def record_definition(self, version: str, name: str, definition_json: str) -> None:
        """Remember a definition version the first time it is used."""
        self.raw.execute(
            "INSERT INTO definitions SELECT ?, ?, ?::JSON, now()::TIMESTAMP "
            "WHERE NOT EXISTS (SELECT 1 FROM definitions WHERE version = ?)",
            [version, name, definition_json, version],
        )

    def definition_json(self, version: str) -> str | None:
        """The semantic JSON stored for a definition version, if any."""
        row = self.raw.execute(
            "SELECT definition_json FROM definitions WHERE version = ?", [version]
        ).fetchone()
        return None if row is None else str(row[0])

    def definitions(self) -> list[dict[str, Any]]:
        """Stored definition versions, oldest first."""
        rows = self.raw.execute(
            "SELECT version, name, first_seen_at FROM definitions ORDER BY first_seen_at"
        ).fetchall()
        return [{"version": v, "name": n, "first_seen_at": t} for v, n, t in rows]

    def _ensure_tables(self) -> None:
        for name, columns in {**SCHEMAS, **_BOOKKEEPING}.items():
            cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            self.raw.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})')


def _checked_size(text: str) -> str:
    """A DuckDB memory size like '4GB' or '512MiB' (validated: it is spliced into SQL)."""
    value = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.IGNORECASE):
        raise ValueError(f"PQL_MEMORY_LIMIT: '{text}' is not a size like 4GB or 512MiB")
    return value
