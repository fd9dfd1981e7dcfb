"""The first-event registry of our own DuckDB store: the earliest event time of every
(account_id, user_id) pair that occurs in `events`.

Which entities exist at `as_of`, and the first-event fallback of their signup, need the
earliest event of every account or user. Read from `events`, that is a grouped scan of every
event on every evaluation (on 50M events, about a third of a qualification's work). Events
are only ever appended and never changed, so the minimum can be kept up to date as they
arrive: every insert into `events` (file ingest, the live service) merges the new rows'
minima into this table in the same transaction, and a store without it (made by an earlier
version) gets it built once from `events` when it is opened.

It is exact, not a sample or a cache: the first event at or before `as_of` is the overall
first event whenever that is at or before `as_of`, and events without an account_id still
reach their user's account through `users` when they are read (`compute/entities.py`).
Mapped tables and other backends do not have it; they scan their events.
"""

from __future__ import annotations

import duckdb

TABLE = "event_firsts"
COLUMNS = {"account_id": "VARCHAR", "user_id": "VARCHAR", "first_ts": "TIMESTAMP"}


def ensure(raw: duckdb.DuckDBPyConnection, existing: set[str]) -> None:
    """Create the table if missing and fill it from `events` (one grouped scan; only a store
    made by an earlier version has events and no registry)."""
    if TABLE in existing:
        return
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
    raw.execute("BEGIN TRANSACTION")
    try:
        raw.execute(f"CREATE TABLE {TABLE} ({columns})")
        raw.execute(
            f"INSERT INTO {TABLE} SELECT account_id, user_id, min(ts) FROM events GROUP BY ALL"
        )
        raw.execute("COMMIT")
    except BaseException:
        raw.execute("ROLLBACK")
        raise


def record(raw: duckdb.DuckDBPyConnection, new_events: str) -> None:
    """Merge the first times of `new_events` (SQL giving exactly the rows added to `events`
    by the current transaction, or about to be, with account_id, user_id and ts) into the
    registry. Call it in the inserting transaction."""
    raw.execute(
        "CREATE OR REPLACE TEMP TABLE _event_firsts_new AS "
        f"SELECT account_id, user_id, min(ts) AS first_ts FROM ({new_events}) GROUP BY ALL"
    )
    same = (
        "f.account_id IS NOT DISTINCT FROM n.account_id "
        "AND f.user_id IS NOT DISTINCT FROM n.user_id"
    )
    # Pairs whose new first time is earlier lose their row; then every pair without a row
    # (those and the new ones) gets the new time.
    raw.execute(
        f"DELETE FROM {TABLE} AS f USING _event_firsts_new AS n "
        f"WHERE {same} AND n.first_ts < f.first_ts"
    )
    raw.execute(
        f"INSERT INTO {TABLE} SELECT * FROM _event_firsts_new AS n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} AS f WHERE {same})"
    )
    raw.execute("DROP TABLE _event_firsts_new")
