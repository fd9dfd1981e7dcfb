"""The event registries of our own DuckDB store: small summaries of `events` kept exact as
events arrive, so that an evaluation reads them instead of grouping every event.

- `event_firsts`: the earliest event time of every (account_id, user_id) pair in `events`.
  Which entities exist at `as_of`, and the first-event fallback of their signup, need it.
- `event_days`: per (account_id, user_id, UTC day) with an event, the first and the last
  event time of that day. Active days need no more (`compute/qualify.py`): a day counts
  for an entity when one of its rows has last_ts >= signup_at and first_ts <= as_of, and
  its first counted event is the smallest such first_ts; the one case the two times cannot
  settle (a row with first_ts < signup_at <= last_ts: events before and after the signup
  on the signup day) is read from `events` for those entities only.

Read from `events`, each is a grouped scan of every event on every evaluation (on 50M
events, together about half of a qualification's work; the day table has one row per seven
events in the demo). Events are appended (rarely, a copy is replaced), so both can be kept up
to date as they arrive: every insert into `events` (file ingest, the live service) merges
the new rows into them in the same transaction (a file replacing a stored copy of an event
by an earlier one has the pairs of the replaced rows recomputed, `refresh`), and a store
without them (made by an earlier version) gets them built once from `events` when opened.

Events without an account_id still reach their user's account through `users` when the
registries are read (`compute/entities.py`), as when `events` is read. Mapped tables, views
over files and other backends do not have them; they scan their events.

A key may have several rows. Every reader combines a key's rows (min of first_ts, max of
last_ts, or conditions over each row that hold for a union of rows because each row
summarises a subset of the key's events exactly), so a row per subset is as exact as one
per key. The live writer uses that to keep its cost per commit independent of the store:
it appends one row per key of the commit's new events, marked with `live_seq`, without
looking up the stored rows (a merge reads every registry row: 1.5 s per commit at 105M
events), and `compact` later merges the marked keys' rows into one, off the write path.
File ingest merges as before (`record`): a file is a large batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Registry:
    """A summary table of `events`: `keys` (SQL over an event row, by column name) and
    `values` (column name -> min or max of the event time)."""

    table: str
    keys: dict[str, str]
    values: dict[str, str]

    def columns_sql(self) -> str:
        keys = [f"{name} {'DATE' if name == 'day' else 'VARCHAR'}" for name in self.keys]
        values = [f"{name} TIMESTAMP" for name in self.values]
        return ", ".join([*keys, *values, f"{LIVE_SEQ} BIGINT"])

    @property
    def columns(self) -> str:
        """The key and value columns, in table order (without `live_seq`)."""
        return ", ".join([*self.keys, *self.values])

    def summary(self, events: str) -> str:
        """SQL grouping the event rows of `events` (a query) into this table's rows."""
        keys = ", ".join(f"{sql} AS {name}" for name, sql in self.keys.items())
        values = ", ".join(f"{agg}(ts) AS {name}" for name, agg in self.values.items())
        return f"SELECT {keys}, {values} FROM ({events}) GROUP BY ALL"

    def combined(self, rows: str) -> str:
        """SQL combining the rows of each key in `rows` (a query over this table) into one."""
        values = ", ".join(f"{agg}({name}) AS {name}" for name, agg in self.values.items())
        keys = ", ".join(self.keys)
        return f"SELECT {keys}, {values} FROM ({rows}) GROUP BY ALL"


FIRSTS = Registry(
    "event_firsts", {"account_id": "account_id", "user_id": "user_id"}, {"first_ts": "min"}
)
DAYS = Registry(
    "event_days",
    {"account_id": "account_id", "user_id": "user_id", "day": "CAST(ts AS DATE)"},
    {"first_ts": "min", "last_ts": "max"},
)
REGISTRIES = (FIRSTS, DAYS)
# The column marking rows the live writer appended and `compact` has not merged yet (the
# commit's inbox sequence number; NULL for merged rows).
LIVE_SEQ = "live_seq"


def ensure(raw: duckdb.DuckDBPyConnection, existing: set[str]) -> None:
    """Create the missing registries and fill them from `events` (one grouped scan each;
    only a store made by an earlier version has events and no registry)."""
    missing = [r for r in REGISTRIES if r.table not in existing]
    if not missing:
        _add_live_seq(raw)
        return
    raw.execute("BEGIN TRANSACTION")
    try:
        for registry in missing:
            raw.execute(f"CREATE TABLE {registry.table} ({registry.columns_sql()})")
            raw.execute(
                f"INSERT INTO {registry.table} ({registry.columns}) "
                f"{registry.summary('FROM events')}"
            )
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    _add_live_seq(raw)


def _add_live_seq(raw: duckdb.DuckDBPyConnection) -> None:
    """Registries made before `live_seq` get the column (a catalog change, no rewrite)."""
    found = raw.execute(
        "SELECT table_name FROM information_schema.columns "
        f"WHERE column_name = '{LIVE_SEQ}' AND table_schema = current_schema()"
    ).fetchall()
    for registry in REGISTRIES:
        if (registry.table,) not in found:
            raw.execute(f"ALTER TABLE {registry.table} ADD COLUMN {LIVE_SEQ} BIGINT")


def record(raw: duckdb.DuckDBPyConnection, new_events: str) -> None:
    """Merge `new_events` (SQL giving exactly the rows added to `events` by the current
    transaction, or about to be, with account_id, user_id and ts) into every registry.
    Call it in the inserting transaction."""
    # A view, not a copy: each registry's grouped summary reads the new rows itself (a copy of
    # 50M new events' columns cost more than the second read; the rows do not change here).
    raw.execute(f"CREATE OR REPLACE TEMP VIEW _registry_events AS {new_events}")
    try:
        for registry in REGISTRIES:
            _merge(raw, registry)
    finally:
        raw.execute("DROP VIEW IF EXISTS _registry_events")


def append(raw: duckdb.DuckDBPyConnection, new_events: str, seq: int) -> int:
    """Append one row per key of `new_events` (SQL giving exactly the rows the current
    transaction adds to `events`) to every registry, marked `seq`, without reading the
    stored rows (the live writer; `compact` merges them later). Returns the rows added."""
    added = 0
    for registry in REGISTRIES:
        row = raw.execute(
            f"INSERT INTO {registry.table} ({registry.columns}, {LIVE_SEQ}) "
            f"SELECT *, {int(seq)} FROM ({registry.summary(new_events)})"
        ).fetchone()
        added += int(row[0]) if row else 0
    return added


def compact(raw: duckdb.DuckDBPyConnection) -> int:
    """Merge the rows of every key that has an appended (`live_seq`) row into one row, in
    one transaction; returns the keys merged. Reads each registry once (the keys' rows are
    found by a join against the few marked keys); a concurrent `append` adds rows this
    transaction does not see and does not delete."""
    merged = 0
    raw.execute("BEGIN TRANSACTION")
    try:
        for registry in REGISTRIES:
            merged += _compact(raw, registry)
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise
    return merged


def _compact(raw: duckdb.DuckDBPyConnection, registry: Registry) -> int:
    keys = ", ".join(registry.keys)
    raw.execute(
        f"CREATE OR REPLACE TEMP TABLE _registry_keys AS SELECT DISTINCT {keys} "
        f"FROM {registry.table} WHERE {LIVE_SEQ} IS NOT NULL"
    )
    row = raw.execute("SELECT count(*) FROM _registry_keys").fetchone()
    count = int(row[0]) if row else 0
    if count:
        _fold(raw, registry, "_registry_keys")
    raw.execute("DROP TABLE _registry_keys")
    return count


def refresh(raw: duckdb.DuckDBPyConnection, pairs: str) -> None:
    """Recompute every registry's rows of the (account_id, user_id) pairs in table `pairs`
    from `events` (after events were deleted: a merge can only widen min/max). Call it in
    the transaction that changed `events`."""
    for registry in REGISTRIES:
        mine = (
            f"EXISTS (SELECT 1 FROM {pairs} p WHERE p.account_id IS NOT DISTINCT FROM "
            "{alias}.account_id AND p.user_id IS NOT DISTINCT FROM {alias}.user_id)"
        )
        raw.execute(f"DELETE FROM {registry.table} AS o WHERE {mine.format(alias='o')}")
        recomputed = registry.summary(f"FROM events AS e WHERE {mine.format(alias='e')}")
        raw.execute(f"INSERT INTO {registry.table} ({registry.columns}) {recomputed}")


def _merge(raw: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    raw.execute(
        "CREATE OR REPLACE TEMP TABLE _registry_new AS " + registry.summary("FROM _registry_events")
    )
    _fold(raw, registry, "_registry_new", extra=f"SELECT {registry.columns} FROM _registry_new")
    raw.execute("DROP TABLE _registry_new")


def _fold(
    raw: duckdb.DuckDBPyConnection, registry: Registry, marked: str, extra: str | None = None
) -> None:
    """Replace the stored rows of every key in table `marked` by one row combining them
    (and the rows of query `extra`, when given): one read of the registry, by a join
    against the marked keys."""
    table = registry.table
    same = " AND ".join(f"o.{k} IS NOT DISTINCT FROM m.{k}" for k in registry.keys)
    stored = ", ".join(f"o.{c}" for c in [*registry.keys, *registry.values])
    rows = f"SELECT {stored} FROM {table} AS o SEMI JOIN {marked} AS m ON {same}"
    if extra is not None:
        rows += f" UNION ALL {extra}"
    raw.execute(f"CREATE OR REPLACE TEMP TABLE _registry_folded AS {registry.combined(rows)}")
    raw.execute(f"DELETE FROM {table} AS o USING {marked} AS m WHERE {same}")
    raw.execute(
        f"INSERT INTO {table} ({registry.columns}) SELECT {registry.columns} FROM _registry_folded"
    )
    raw.execute("DROP TABLE _registry_folded")
