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
        return ", ".join([*keys, *(f"{name} TIMESTAMP" for name in self.values)])

    def summary(self, events: str) -> str:
        """SQL grouping the event rows of `events` (a query) into this table's rows."""
        keys = ", ".join(f"{sql} AS {name}" for name, sql in self.keys.items())
        values = ", ".join(f"{agg}(ts) AS {name}" for name, agg in self.values.items())
        return f"SELECT {keys}, {values} FROM ({events}) GROUP BY ALL"


FIRSTS = Registry(
    "event_firsts", {"account_id": "account_id", "user_id": "user_id"}, {"first_ts": "min"}
)
DAYS = Registry(
    "event_days",
    {"account_id": "account_id", "user_id": "user_id", "day": "CAST(ts AS DATE)"},
    {"first_ts": "min", "last_ts": "max"},
)
REGISTRIES = (FIRSTS, DAYS)


def ensure(raw: duckdb.DuckDBPyConnection, existing: set[str]) -> None:
    """Create the missing registries and fill them from `events` (one grouped scan each;
    only a store made by an earlier version has events and no registry)."""
    missing = [r for r in REGISTRIES if r.table not in existing]
    if not missing:
        return
    raw.execute("BEGIN TRANSACTION")
    try:
        for registry in missing:
            raw.execute(f"CREATE TABLE {registry.table} ({registry.columns_sql()})")
            raw.execute(f"INSERT INTO {registry.table} {registry.summary('FROM events')}")
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


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
        raw.execute(f"INSERT INTO {registry.table} {recomputed}")


def _merge(raw: duckdb.DuckDBPyConnection, registry: Registry) -> None:
    table = registry.table
    raw.execute(
        "CREATE OR REPLACE TEMP TABLE _registry_new AS " + registry.summary("FROM _registry_events")
    )
    same = " AND ".join(f"o.{k} IS NOT DISTINCT FROM n.{k}" for k in registry.keys)
    combined = ", ".join(
        f"{'least' if agg == 'min' else 'greatest'}(n.{name}, coalesce(o.{name}, n.{name}))"
        for name, agg in registry.values.items()
    )
    keys = ", ".join(f"n.{k}" for k in registry.keys)
    # Every key of the new rows gets one row combining its stored and its new times.
    raw.execute(
        f"CREATE OR REPLACE TEMP TABLE _registry_merged AS SELECT {keys}, {combined} "
        f"FROM _registry_new AS n LEFT JOIN {table} AS o ON {same}"
    )
    raw.execute(f"DELETE FROM {table} AS o USING _registry_new AS n WHERE {same}")
    raw.execute(f"INSERT INTO {table} SELECT * FROM _registry_merged")
    raw.execute("DROP TABLE _registry_new")
    raw.execute("DROP TABLE _registry_merged")
