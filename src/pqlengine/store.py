"""The store: a DuckDB file (through Ibis) holding the canonical tables and results, or
the user's own tables on another Ibis backend (PySpark, Postgres, a warehouse)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlparse

import duckdb

from pqlengine import registry

if TYPE_CHECKING:
    import ibis

    from pqlengine.config import ColumnMaps, Project, StoreConfig

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
        "mrr": "DOUBLE",
        "churned_at": "TIMESTAMP",
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
# Of the copies of one event_id, the event is the first by these columns, ascending, NULLs
# last (properties compared as text): at read time (unique_events) and at ingest.
EVENT_COPY_ORDER = ("ts", "user_id", "account_id", "event", "properties")

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


# Canonical columns a user's table must provide when it is mapped (`store.events_table`
# etc. or any non-DuckDB backend); the others are NULL when the table lacks them.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "events": ("user_id", "event", "ts"),
    "users": ("user_id",),
    "accounts": ("account_id",),
    "conversions": ("entity_id", "converted_at"),
}

_IBIS_TYPES = {
    "VARCHAR": "string",
    "TIMESTAMP": "timestamp",
    "JSON": "json",
    "BIGINT": "int64",
    "DOUBLE": "float64",
}

# Where results live on backends we do not own, unless `store.results_schema` says.
DEFAULT_RESULTS_SCHEMA = "pql"


@dataclass(frozen=True)
class Capabilities:
    """What a query over a set of tables may rely on (flags, not backend names)."""

    # DuckDB's own functions: min(value, n), list_contains, json_extract_string.
    duckdb_functions: bool = False
    # Text compares by locale unless forced to bytes (PostgreSQL's collations); code
    # point order is the contract.
    text_order_needs_bytes: bool = False
    # Our store's (user, day) and per-user registries (registry.py) are up to date.
    day_registry: bool = False
    # `events` holds each event_id once (else reads keep the earliest copy).
    unique_events: bool = False


class Tables(Protocol):
    """What compute reads: the canonical tables (and result tables) as Ibis tables, and
    what queries over them may use. Our Store is one; the SQL export's unbound tables and
    the live service's per-pass events are others."""

    @property
    def capabilities(self) -> Capabilities: ...

    def table(self, name: str) -> ibis.Table: ...


class StoreError(ValueError):
    """The store cannot be opened or used (locked, unreachable, missing tables, ...)."""


class Store:
    """An open store: `con` is the Ibis backend.

    The default is our own DuckDB file (canonical tables, ingest, the live service).
    Any other Ibis backend is read through `store:` in pql.yaml: the canonical tables are
    the user's tables (mapped by `store.*_table` and `columns:`), never written; results
    go to tables we own in `results_schema`.
    """

    # Whether `events` is our own table with its registries (registry.py); set when a DuckDB
    # store is opened.
    has_registry = False
    # Whether `events` already holds each event_id once (our own table: ingest keeps the
    # earliest copy, ingest/append.py). Otherwise every read deduplicates (unique_events).
    events_unique = False

    def __init__(
        self,
        con: Any,
        path: str,
        config: StoreConfig | None = None,
        columns: ColumnMaps | None = None,
    ) -> None:
        """`con`: an Ibis backend, or for our DuckDB file its DuckDB connection (Ibis then
        connects on first use: a command answered from cached SQL never imports it)."""
        from pqlengine.config import ColumnMaps, StoreConfig

        if isinstance(con, duckdb.DuckDBPyConnection):
            self._raw: duckdb.DuckDBPyConnection | None = con
            self._con: Any = None
        else:
            self._raw = None
            self._con = con
        self.path = path
        self.config = config or StoreConfig()
        self.columns = columns or ColumnMaps()
        self._canonical: dict[str, ibis.Table] = {}
        if self.is_duckdb:
            self.results_schema: str | None = None
            self._ensure_tables()
        else:
            self.results_schema = self.config.results_schema or DEFAULT_RESULTS_SCHEMA
            self._ensure_results()

    @classmethod
    def open(
        cls,
        path: str | Path,
        config: StoreConfig | None = None,
        columns: ColumnMaps | None = None,
        default_threads: int | None = None,
    ) -> Store:
        """Open (creating if needed) the DuckDB file at `path`, or ':memory:'. DuckDB's
        threads: PQL_THREADS, else `store.threads`, else `default_threads`, else its own."""
        target = str(path)
        try:
            if target != ":memory:":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            con = duckdb.connect(target)
        except (OSError, duckdb.Error) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(f"cannot open the store {target}: {first_line}") from None
        con.execute("SET TimeZone = 'UTC'")
        # DuckDB draws its progress bar on stdout, where `--format csv` output goes.
        con.execute("SET enable_progress_bar = false")
        limit = os.environ.get("PQL_MEMORY_LIMIT") or (config.memory_limit if config else None)
        threads = (
            os.environ.get("PQL_THREADS") or (config.threads if config else None) or default_threads
        )
        try:
            if limit:
                # DuckDB otherwise uses up to 80% of RAM as buffer pool and spills beyond it.
                con.execute(f"SET memory_limit = '{_checked_size(limit)}'")
            if threads:
                con.execute(f"SET threads = {_checked_threads(threads)}")
        except ValueError as exc:  # a bad PQL_MEMORY_LIMIT / PQL_THREADS or store block value
            con.close()
            raise StoreError(str(exc)) from None
        return cls(con, target, config, columns)

    @classmethod
    def for_project(cls, project: Project, default_threads: int | None = None) -> Store:
        """Open the store named by the project's `store:` key (`default_threads`: see
        `open`; DuckDB only)."""
        config = project.store_config
        if config.backend == "duckdb":
            return cls.open(project.store_path, config, project.columns, default_threads)
        con = _connect(config, project.root)
        described = _describe(config)
        try:
            return cls(con, described, config, project.columns)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"store {described}: {_first_line(exc)}") from None

    @property
    def backend(self) -> str:
        """The Ibis backend name: duckdb, postgres, pyspark, ..."""
        return self.config.backend

    @property
    def capabilities(self) -> Capabilities:
        """What queries over this store may use (`Tables`)."""
        return Capabilities(
            duckdb_functions=self.backend == "duckdb",
            text_order_needs_bytes=self.backend == "postgres",
            day_registry=self.has_registry,
            unique_events=self.events_unique,
        )

    @property
    def is_duckdb(self) -> bool:
        """Whether this is our own DuckDB store (ingest, serve and models need it)."""
        return self.config.backend == "duckdb"

    @property
    def raw(self) -> duckdb.DuckDBPyConnection:
        """The underlying DuckDB connection (ingest, live service, model persistence)."""
        if not self.is_duckdb:
            raise StoreError(
                f"this command writes to the embedded DuckDB store; the store here is "
                f"{self.path} (backend {self.backend}), which pqlengine only reads. "
                "Use qualify, metrics, leads, discover, drivers and compile on it."
            )
        if self._raw is None:
            self._raw = self._con.con
        return self._raw

    @property
    def con(self) -> Any:
        """The Ibis backend (for our DuckDB file: connected on first use)."""
        if self._con is None:
            import ibis

            self._con = ibis.duckdb.from_connection(self._raw)
        return self._con

    def cursor(self) -> Store:
        """Another connection to the same open database, for use from another thread."""
        raw = self.raw.cursor()
        raw.execute("SET TimeZone = 'UTC'")
        return Store(raw, self.path, self.config, self.columns)

    def table(self, name: str) -> ibis.Table:
        """An Ibis table expression for a canonical table (in canonical columns and types)
        or a result table."""
        if name in SCHEMAS:
            if name not in self._canonical:
                table, absent = self._read_canonical(name)
                # A mapped table without event_id: no two rows are known to be one event.
                if name == "events" and not self.events_unique and "event_id" not in absent:
                    table = unique_events(table)
                self._canonical[name] = table
            return self._canonical[name]
        if self.results_schema is None:
            return self._duckdb_table(name)
        return self.con.table(name, database=self.results_schema)

    def _duckdb_table(self, name: str) -> ibis.Table:
        """`con.table(name)` of our DuckDB file, its schema read without Arrow: Ibis reads
        it through pyarrow (0.15 s of a short command's start)."""
        import ibis
        import ibis.expr.operations as ops

        try:
            quoted = name.replace('"', '""')
            described = self.raw.execute(f'DESCRIBE "{quoted}"').fetchall()
        except duckdb.CatalogException:
            return self.con.table(name)  # Ibis' own error for a missing table
        mapper = self.con.compiler.type_mapper
        schema = ibis.schema(
            {
                column: mapper.from_string(kind, nullable=null == "YES")
                for column, kind, null, *_ in described
            }
        )
        op = ops.DatabaseTable(name, schema=schema, source=self.con, namespace=ops.Namespace())
        return op.to_expr()

    def has_table(self, name: str) -> bool:
        """Whether a result table exists."""
        found: list[str] = (
            self.con.list_tables()
            if self.results_schema is None
            else self.con.list_tables(database=self.results_schema)
        )
        return name in found

    def write_table(self, name: str, table: ibis.Table | Any) -> None:
        """Create or replace a result table from an expression or Arrow/pandas data."""
        if self.results_schema is None:
            self.con.create_table(name, table, overwrite=True)
            return
        if self.backend == "pyspark":
            self._release_spark_location(name)
        self.con.create_table(name, table, database=self.results_schema, overwrite=True)

    def scratch_table(
        self, name: str, data: dict[str, list[Any]], schema: dict[str, str]
    ) -> ibis.Table:
        """Rows from Python as a table every query of this connection reads, cached ones
        included: a temporary table (a temporary view on Spark, which has none). Ibis
        registers an in-memory table when it executes a query but not when it caches one,
        so a cached join with one failed on PySpark."""
        import ibis

        rows = ibis.memtable(data, schema=schema)
        if self.backend == "pyspark":
            return self.con.create_view(name, rows, overwrite=True)
        return self.con.create_table(name, rows, temp=True, overwrite=True)

    def count(self, name: str) -> int:
        """Number of rows in a table."""
        return int(self.values(self.table(name).count().name("n"))[0])

    def values(self, expression: ibis.Expr) -> list[Any]:
        """The values of a one-column expression (a scalar gives one).

        On DuckDB by the raw connection: Ibis' conversion of the result imports pandas
        (0.3 s of a short command's start)."""
        if not self.is_duckdb:
            found = expression.to_pyarrow()
            return found.to_pylist() if hasattr(found, "to_pylist") else [found.as_py()]
        rows = self.raw.execute(str(self.con.compile(expression))).fetchall()
        return [row[0] for row in rows]

    def close(self) -> None:
        """Close the connection (a Spark session is left running: it belongs to the
        process and may be shared; it ends with the process)."""
        if self.backend == "pyspark":
            return
        if self._con is not None:
            self._con.disconnect()
        elif self._raw is not None:
            self._raw.close()

    def record_definition(self, version: str, name: str, definition_json: str) -> None:
        """Remember a definition version the first time it is used."""
        import ibis

        if self.is_duckdb:
            self.raw.execute(
                "INSERT INTO definitions SELECT ?, ?, ?::JSON, now()::TIMESTAMP "
                "WHERE NOT EXISTS (SELECT 1 FROM definitions WHERE version = ?)",
                [version, name, definition_json, version],
            )
            return
        known = self.table("definitions")
        if int(known.filter(known.version == version).count().execute()) > 0:
            return
        row = {
            "version": [version],
            "name": [name],
            "definition_json": [definition_json],
            "first_seen_at": [datetime.now(UTC).replace(tzinfo=None)],
        }
        self.con.insert(
            "definitions",
            ibis.memtable(row, schema=_results_schema("definitions")),
            database=self.results_schema,
        )

    def definition_json(self, version: str) -> str | None:
        """The semantic JSON stored for a definition version, if any."""
        known = self.table("definitions")
        rows = known.filter(known.version == version).definition_json.to_pyarrow().to_pylist()
        return None if not rows else str(rows[0])

    def definitions(self) -> list[dict[str, Any]]:
        """Stored definition versions, oldest first."""
        known = self.table("definitions").order_by("first_seen_at")
        rows = known.select("version", "name", "first_seen_at").to_pyarrow().to_pylist()
        return [
            {"version": r["version"], "name": r["name"], "first_seen_at": r["first_seen_at"]}
            for r in rows
        ]

    def _ensure_tables(self) -> None:
        kinds = dict(
            self.raw.execute(
                "SELECT table_name, table_type FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            ).fetchall()
        )
        for name, columns in {**SCHEMAS, **_BOOKKEEPING}.items():
            if name in kinds:
                continue  # a table, or a view the user made (e.g. over Parquet files)
            cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            self.raw.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})')
        self._add_new_columns(kinds)
        # A view over files the user appends to cannot keep the registries up to date.
        own = kinds.get("events", "BASE TABLE") == "BASE TABLE"
        self.has_registry = own and self.config.events_table is None
        self.events_unique = self.has_registry
        if own:
            registry.ensure(self.raw, set(kinds))

    def _add_new_columns(self, kinds: dict[str, str]) -> None:
        """Add the canonical columns a store made by an older version lacks (NULL in old rows)."""
        have: dict[str, set[str]] = {}
        # No query parameters: binding one makes DuckDB import pandas (test_startup.py).
        for table, column in self.raw.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        ).fetchall():
            have.setdefault(table, set()).add(column)
        for name, columns in SCHEMAS.items():
            if kinds.get(name) != "BASE TABLE":
                continue  # new (already complete), missing, or the user's view
            for column, kind in columns.items():
                if column not in have.get(name, set()):
                    self.raw.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {kind}')

    def _ensure_results(self) -> None:
        """Our schema and bookkeeping tables on a backend we do not own."""
        schema = self.results_schema
        try:
            if schema not in self.con.list_databases():
                self.con.create_database(schema, force=True)
            if self.backend == "pyspark":
                self._reregister_spark_results()
            if "definitions" not in self.con.list_tables(database=schema):
                self.con.create_table(
                    "definitions", schema=_results_schema("definitions"), database=schema
                )
        except Exception as exc:
            raise StoreError(
                f"store {self.path}: cannot create our results schema '{schema}' "
                f"(store.results_schema): {_first_line(exc)}"
            ) from None

    def _reregister_spark_results(self) -> None:
        """Register again the result tables an earlier process left in a local warehouse.

        Spark without a metastore keeps its catalog in memory: a new process finds our
        tables' files under `<warehouse>/<schema>.db/<table>` but not the tables, and Spark
        refuses to create a managed table over a non-empty directory (LOCATION_ALREADY_EXISTS).
        Each such directory becomes an external Parquet table (Ibis writes Parquet). With a
        shared metastore (a cluster) the catalog already lists them and nothing happens.
        """
        import sqlglot as sg
        import sqlglot.expressions as sge

        schema_dir = self._spark_schema_dir()
        if schema_dir is None or not schema_dir.is_dir():
            return
        known = set(self.con.list_tables(database=self.results_schema))
        for directory in sorted(schema_dir.iterdir()):
            if directory.name in known or not _holds_spark_table(directory):
                continue
            location = sge.LocationProperty(this=sge.convert(f"file:{directory.as_posix()}"))
            parquet = sge.FileFormatProperty(this=sge.Var(this="PARQUET"))
            self.con.raw_sql(
                sge.Create(
                    kind="TABLE",
                    exists=True,
                    this=sg.table(directory.name, db=self.results_schema, quoted=True),
                    properties=sge.Properties(expressions=[parquet, location]),
                )
            )

    def _release_spark_location(self, name: str) -> None:
        """Drop a re-registered (external) result table and delete its files, so that Ibis
        can create it again as a managed table in the same directory."""
        import sqlglot as sg

        if name not in self.con.list_tables(database=self.results_schema):
            return
        table = sg.table(name, db=self.results_schema, quoted=True).sql("spark")
        described = self.con.raw_sql(f"DESCRIBE TABLE EXTENDED {table}").collect()
        # Later rows win: the detailed section comes after the columns (one may be "Type").
        if {row[0]: row[1] for row in described}.get("Type") != "EXTERNAL":
            return  # a managed table: Spark deletes its files when it replaces it
        self.con.drop_table(name, database=self.results_schema)
        schema_dir = self._spark_schema_dir()
        if schema_dir is not None and (schema_dir / name).is_dir():
            shutil.rmtree(schema_dir / name)

    def _spark_schema_dir(self) -> Path | None:
        """The local directory of our Spark database, or None when it is not on this
        machine's file system (then a metastore is expected to keep the catalog)."""
        import sqlglot.expressions as sge

        schema = sge.Identifier(this=self.results_schema, quoted=True).sql("spark")
        described = self.con.raw_sql(f"DESCRIBE DATABASE {schema}").collect()
        location = urlparse(str({row[0]: row[1] for row in described}["Location"]))
        if location.scheme not in ("", "file"):
            return None
        return Path(unquote(location.path))  # Spark gives a URI: spaces are %20

    def _mapped(self, name: str) -> bool:
        """Whether a canonical table is the user's own (read through the mapping)."""
        return not self.is_duckdb or getattr(self.config, f"{name}_table") is not None

    def _read_canonical(self, name: str) -> tuple[ibis.Table, set[str]]:
        """The canonical table `name`, and the canonical columns its source lacks (NULL)."""
        import ibis

        if not self._mapped(name):
            return self._duckdb_table(name), set()
        source = self.config.table_for(name)
        where = f"store {self.path}, table {source} (for {name})"
        try:
            if source.startswith("parquet:"):
                raw = self.con.read_parquet(source.removeprefix("parquet:"))
            else:
                *database, table_name = source.split(".")
                raw = (
                    self.con.table(table_name, database=".".join(database))
                    if database
                    else self.con.table(table_name)
                )
        except Exception as exc:
            if name in ("conversions",) and getattr(self.config, f"{name}_table") is None:
                return _empty(name), set()  # optional when conversions come from an event
            raise StoreError(f"{where}: cannot read it: {_first_line(exc)}") from None
        mapping = self.columns.for_table(name)
        columns: dict[str, ibis.Value] = {}
        absent: set[str] = set()
        for column, kind in SCHEMAS[name].items():
            theirs = mapping.get(column, column)
            target = _IBIS_TYPES[kind]
            if theirs not in raw.columns:
                if column in REQUIRED_COLUMNS[name]:
                    raise StoreError(
                        f"{where}: no column '{theirs}' for {name}.{column}; its columns are "
                        f"{', '.join(raw.columns)} (map yours under columns.{name})"
                    )
                columns[column] = ibis.null(target)
                absent.add(column)
                continue
            if target == "json" and self.backend == "pyspark":
                # Spark has no JSON type: JSON stays text (compute.matching reads it).
                columns[column] = raw[theirs].cast("string")
            else:
                columns[column] = _as_canonical(raw[theirs], target)
        return raw.select(**columns), absent


@contextmanager
def transaction(raw: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN; COMMIT when the block ends, ROLLBACK (and re-raise) when it raises."""
    raw.execute("BEGIN TRANSACTION")
    try:
        yield
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


@contextmanager
def registered(raw: duckdb.DuckDBPyConnection, name: str, table: Any) -> Iterator[None]:
    """`table` (Arrow) readable as `name` on `raw` for the block."""
    raw.register(name, table)
    try:
        yield
    finally:
        raw.unregister(name)


def unique_events(events: ibis.Table) -> ibis.Table:
    """`events` with each event_id once: of the rows sharing one, the earliest by `ts`, ties
    broken by user_id, account_id, event, then the properties' text (NULLs last). Rows
    without an event_id are kept as they are.

    The earliest copy wins so that the choice does not depend on `as_of`: an event is
    visible at an instant iff its first copy is (docs/semantics.md, Inputs).
    """
    import ibis

    order = [
        ibis.asc(events[c].cast("string") if c == "properties" else events[c], nulls_first=False)
        for c in EVENT_COPY_ORDER
    ]
    copy = ibis.row_number().over(group_by=events.event_id, order_by=order)
    ranked = events.mutate(_pql_copy=copy)
    first = ranked.filter((ranked._pql_copy == 0) | ranked.event_id.isnull())
    return first.drop("_pql_copy")


def _as_canonical(value: ibis.Value, target: str) -> ibis.Value:
    """A user's column in our type: text JSON parsed, aware timestamps as UTC wall time."""
    import ibis

    have = value.type()
    if target == "timestamp":
        # An aware column: the session time zone is UTC (we set it), so the cast yields UTC
        # wall time; text is parsed by the engine.
        if have.is_timestamp() and have.timezone is None:
            return value
        return value.cast("timestamp")
    if target == "json":
        return value if have.is_json() else value.cast("json")
    if have == ibis.dtype(target):
        return value
    return value.cast(target)


def _holds_spark_table(directory: Path) -> bool:
    """Whether a warehouse directory holds a Spark table with data files (names starting
    with _ or . are Spark's bookkeeping; an empty table directory needs no registering)."""
    return (
        directory.is_dir()
        and re.fullmatch(r"[a-z_][a-z0-9_]*", directory.name) is not None
        and any(f.is_file() and not f.name.startswith(("_", ".")) for f in directory.iterdir())
    )


def _empty(name: str) -> ibis.Table:
    import ibis

    return ibis.memtable(
        {c: [] for c in SCHEMAS[name]},
        schema={c: _IBIS_TYPES[t] for c, t in SCHEMAS[name].items()},
    )


def _results_schema(name: str) -> ibis.Schema:
    import ibis

    # Bookkeeping tables on other backends keep JSON as text (not every engine has JSON).
    types = {"JSON": "string"}
    return ibis.schema({c: types.get(t, _IBIS_TYPES[t]) for c, t in _BOOKKEEPING[name].items()})


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _describe(config: StoreConfig) -> str:
    """The store for messages, with any password in the URL hidden."""
    if config.url:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", config.url)
    if config.backend == "pyspark":
        return f"pyspark ({config.master or 'local[*]'})"
    return config.backend


def _connect(config: StoreConfig, root: Path | None) -> Any:
    """An Ibis backend for a non-DuckDB `store:`."""
    import ibis

    described = _describe(config)
    if config.backend == "pyspark":
        return _spark(config, root)
    try:
        if config.url:
            return ibis.connect(config.url, **config.options)
        module = getattr(ibis, config.backend)
    except ImportError as exc:
        raise StoreError(
            f"store backend {config.backend} is not installed ({_first_line(exc)}); "
            f"pip install 'pqlengine[{config.backend}]' or 'ibis-framework[{config.backend}]'"
        ) from None
    except AttributeError:
        raise StoreError(f"store: '{config.backend}' is not an Ibis backend") from None
    except Exception as exc:
        raise StoreError(f"cannot connect to the store {described}: {_first_line(exc)}") from None
    try:
        return module.connect(**config.options)
    except Exception as exc:
        raise StoreError(f"cannot connect to the store {described}: {_first_line(exc)}") from None


def _spark(config: StoreConfig, root: Path | None) -> Any:
    import ibis

    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise StoreError(
            "store backend pyspark needs PySpark: pip install 'pqlengine[spark]' (and Java 17)"
        ) from None
    # Python UDFs (Ibis uses some for JSON) run in workers with this interpreter, so they
    # see the same packages as we do.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    warehouse = (root or Path.cwd()) / ".pql" / "spark-warehouse"
    settings: dict[str, str] = {
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        "spark.sql.warehouse.dir": str(warehouse),
    }
    settings.update(
        {
            key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in config.conf.items()
        }
    )
    builder = SparkSession.builder.master(config.master or "local[*]").appName("pqlengine")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
        # getOrCreate may return a session started earlier in this process: apply ours.
        session.conf.set("spark.sql.session.timeZone", "UTC")
    except Exception as exc:
        raise StoreError(f"cannot start Spark ({_describe(config)}): {_first_line(exc)}") from None
    return ibis.pyspark.connect(session)


def _checked_threads(value: str | int) -> int:
    """A DuckDB thread count from PQL_THREADS / store.threads (validated: spliced into SQL)."""
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= 1024:
        raise ValueError(f"PQL_THREADS / store.threads: '{value}' is not a thread count (1-1024)")
    return int(text)


def _checked_size(text: str) -> str:
    """A DuckDB memory size like '4GB' or '512MiB' (validated: it is spliced into SQL)."""
    value = text.strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.IGNORECASE):
        raise ValueError(
            f"PQL_MEMORY_LIMIT / store.memory_limit: '{text}' is not a size like 4GB or 512MiB"
        )
    return value
