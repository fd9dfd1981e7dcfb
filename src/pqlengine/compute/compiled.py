"""Compiled SQL of a query shape, kept per process and on disk beside our DuckDB store.

Building an Ibis expression for a definition and compiling it to SQL costs 0.1-0.5 s per
query (more than running it on a 2,000-account store). A command repeated on the same
definition and store runs the SQL text it compiled last time instead.

Only on our own DuckDB store with the canonical tables under their own names (tables, or
views the user made): the key lists their columns. Not where pql.yaml maps one elsewhere
(files read in place, another schema), whose columns can change under us. Where cached, `as_of`
is the session variable `pql_as_of` (`getvariable`, folded to a constant when DuckDB binds
the query, so filters on it still reach the scans), so one SQL text serves every as_of.

The key of a shape hashes: what the caller says defines the query (the whole pql.yaml,
options), the versions of pqlengine's own source files (path, size, mtime: an edited
checkout never reuses SQL of older code), Ibis, sqlglot and DuckDB, and the columns of every
table in the store. Files live in `<store directory>/sql-cache/`, one JSON file per shape;
deleting the directory is always safe. PQL_SQL_CACHE=off compiles every query afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import itertools
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pqlengine.store import SCHEMAS, Store

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from pqlengine.config import Project

AS_OF_VARIABLE = "pql_as_of"
# Shapes kept in memory per process (a test run compiles thousands of distinct ones).
MEMORY_ENTRIES = 256
# Files kept on disk per store: the oldest beyond this are removed when one is written.
DISK_ENTRIES = 200
_MEMORY: OrderedDict[str, dict[str, str]] = OrderedDict()
_RUNS = itertools.count()
# An instant no definition names (microseconds included), compiled and then replaced.
_STAND_IN = datetime(1901, 2, 3, 4, 5, 6, 789012)
_LOCK = threading.Lock()
_SPELLED: dict[str, str] = {}  # backend name -> its SQL for _STAND_IN

Statements = dict[str, str]


def as_of_parameter() -> ir.TimestampScalar:
    """The evaluation instant of a cached statement (set by `set_as_of`).

    A stand-in literal that `to_sql` replaces by `getvariable('pql_as_of')`: a function
    call in the expression itself would stop Ibis from merging selects (it treats every
    function as impure), and DuckDB would then materialise whole filtered copies of the
    events (1.25 GiB instead of 0.36 GiB at 100k accounts)."""
    import ibis

    value: ir.TimestampScalar = ibis.literal(_STAND_IN, type="timestamp")
    return value


def cacheable(store: Store) -> bool:
    """Whether this store's queries can be cached: our DuckDB file with its canonical
    tables under their own names (tables or views whose columns the key lists), none
    mapped elsewhere (files read in place, other schemas)."""
    if not store.is_duckdb or os.environ.get("PQL_SQL_CACHE") == "off":
        return False
    return all(store.config.table_for(name) == name for name in SCHEMAS)


def compiled(store: Store, parts: Mapping[str, Any], build: Callable[[], Statements]) -> Statements:
    """The statements of a shape: from memory, from disk, or `build()` (then kept).

    `parts`: JSON-able values that, with the store and code, determine every statement.
    """
    key = _key(store, parts)
    with _LOCK:  # the live service's threads share the process's cache
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return _MEMORY[key]
    directory = _directory(store)
    found = _read(directory / f"{key}.json") if directory is not None else None
    if found is not None and directory is not None:
        _touch(directory / f"{key}.json")  # the disk keeps the most recently used shapes
    statements = found if found is not None else build()
    if found is None and directory is not None:
        _write(directory, key, statements)
    with _LOCK:
        _MEMORY[key] = statements
        while len(_MEMORY) > MEMORY_ENTRIES:
            _MEMORY.popitem(last=False)
    return statements


def table_rows(
    store: Store, parts: Mapping[str, Any], build: Callable[[], Mapping[str, ir.Table]]
) -> dict[str, list[dict[str, Any]]]:
    """The rows (as dicts) of table expressions (`build()`, by name) that do not depend on
    as_of: by cached SQL where the store allows it, else by running the expressions."""
    if not cacheable(store):
        tables = build().items()
        if store.is_duckdb:  # by DuckDB directly, as Store.values: Arrow costs the import
            return {name: rows(store, str(store.con.compile(table))) for name, table in tables}
        return {name: table.to_pyarrow().to_pylist() for name, table in tables}

    def compile_all() -> Statements:
        return {name: to_sql(store, table) for name, table in build().items()}

    statements = compiled(store, parts, compile_all)
    return {name: rows(store, sql) for name, sql in statements.items()}


def temporary_names(*slots: str) -> dict[str, str]:
    """A fresh temporary table name per slot, for one run of cached statements (two runs
    on one connection, e.g. two dashboard panels, must not share a table)."""
    run = next(_RUNS)
    return {slot: f"{slot}_{os.getpid()}_{run}" for slot in slots}


def bind(sql: str, names: Mapping[str, str]) -> str:
    """A cached statement with its slot tables renamed to this run's tables."""
    for slot, name in names.items():
        sql = sql.replace(f'"{slot}"', f'"{name}"')
    return sql


def qualification_key(project: Project, detail: bool) -> dict[str, Any]:
    """The key parts of the qualification statement (`qualify.qualification_statements`),
    shared by every command that reads it."""
    return {"query": "qualification", "project": project.model_dump(mode="json"), "detail": detail}


def set_as_of(store: Store, as_of: datetime) -> None:
    """Set the instant the cached statements read (naive UTC)."""
    # A literal of our own datetime: binding a Python datetime parameter makes DuckDB
    # import pandas (0.3 s).
    store.raw.execute(f"SET VARIABLE {AS_OF_VARIABLE} = TIMESTAMP '{as_of.isoformat(sep=' ')}'")


def rows(store: Store, sql: str) -> list[dict[str, Any]]:
    """The rows of a statement as dicts, by DuckDB directly (no Arrow or pandas)."""
    cursor = store.raw.execute(sql)
    names = [column[0] for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def scalar(store: Store, sql: str) -> Any:
    """The single value of a one-row, one-column statement."""
    found = store.raw.execute(sql).fetchone()
    return None if found is None else found[0]


def to_sql(store: Store, expression: ir.Expr) -> str:
    """An expression's SQL for this store, `as_of_parameter` read from the session."""
    sql = str(store.con.compile(expression))
    return sql.replace(_stand_in_sql(store), f"GETVARIABLE('{AS_OF_VARIABLE}')")


def _stand_in_sql(store: Store) -> str:
    """How this store's compiler spells `as_of_parameter` (compiled once per backend)."""
    backend = store.con.name
    if backend not in _SPELLED:
        import ibis

        select = str(store.con.compile(ibis.literal(_STAND_IN, type="timestamp").name("s")))
        spelled = select.removeprefix("SELECT ").removesuffix(' AS "s"')
        if spelled == select or _STAND_IN.strftime("%Y") not in spelled:
            raise RuntimeError(f"cannot find the as_of stand-in in {select!r}")  # Ibis changed
        _SPELLED[backend] = spelled
    return _SPELLED[backend]


def _key(store: Store, parts: Mapping[str, Any]) -> str:
    listing = store.raw.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "ORDER BY table_name, column_index"
    ).fetchall()
    payload = {
        "parts": parts,
        "code": _code_version(),
        "libraries": _library_versions(),
        "tables": listing,
        "store": {"registry": store.has_registry, "unique": store.events_unique},
    }
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@cache
def _code_version() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


@cache
def _library_versions() -> dict[str, str]:
    """From the installed metadata: importing Ibis for its version costs 0.3 s."""
    names = ("ibis-framework", "sqlglot", "duckdb")
    return {name: importlib.metadata.version(name) for name in names}


def _directory(store: Store) -> Path | None:
    if store.path == ":memory:":
        return None
    return Path(store.path).parent / "sql-cache"


def _read(path: Path) -> Statements | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # absent, or half-written by a process that died: compile again
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        return None
    return loaded


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.touch()


def _write(directory: Path, key: str, statements: Statements) -> None:
    """Write atomically; a read-only or full disk only costs the next run a compile."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(statements), encoding="utf-8")
        partial.replace(directory / f"{key}.json")
        kept = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[:-DISK_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
