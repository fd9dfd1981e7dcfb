"""Tables the live service owns in the store, next to the canonical ones."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pqlengine.store import SCHEMAS, Store, StoreError, registered, transaction

LIVE_TABLES: dict[str, str] = {
    # Every accepted message once (within the dedupe window: live/dedupe.py); `seq` orders
    # evaluation. No key on message_id: see KEYED.
    "live_inbox": (
        "seq BIGINT NOT NULL, message_id VARCHAR NOT NULL, type VARCHAR, "
        "user_id VARCHAR, account_id VARCHAR, received_at TIMESTAMP"
    ),
    "aliases": "previous_id VARCHAR, user_id VARCHAR, aliased_at TIMESTAMP",
    "live_state": "key VARCHAR, value VARCHAR",
    # The evaluator's inputs per pass: its clock and the entities to re-qualify. The
    # compiled qualification query reads them, so it is compiled once, not per pass.
    "live_clock": "as_of TIMESTAMP",
    "live_pass_ids": "entity_id VARCHAR",
    # The entities of the pass's transitions, and the start of each entered episode: the
    # (compiled once) context queries read them (the trigger event, progress, fit data).
    "live_context_ids": "entity_id VARCHAR, started_at TIMESTAMP",
    # Entities a pass left for later because their events were not cached: they are being
    # read from `events` in the background (live/entity_cache.py), and are evaluated by the
    # first pass after that; `seq` is the inbox watermark of the pass that left them (their
    # events after it are kept in live_recent_events until then).
    "live_deferred": "entity_id VARCHAR, seq BIGINT",
    # The pass's open PQLs, whose model features the (compiled once) feature query computes.
    "live_model_ids": "entity_id VARCHAR",
    # The latest known qualification per entity under the definition in service.
    "pql_state": (
        "entity_id VARCHAR, definition_version VARCHAR, status VARCHAR, "
        "qualified_at TIMESTAMP, converted_at TIMESTAMP, score DOUBLE, criteria_met JSON, "
        "updated_at TIMESTAMP"
    ),
    "pql_transitions": (
        "transition_id VARCHAR, entity_id VARCHAR, definition_version VARCHAR, kind VARCHAR, "
        "cause VARCHAR, status_from VARCHAR, status_to VARCHAR, qualified_at TIMESTAMP, "
        "score DOUBLE, criteria_met JSON, trigger_event_id VARCHAR, trigger_event VARCHAR, "
        "trigger_ts TIMESTAMP, detected_at TIMESTAMP"
    ),
    "outbox": (
        "delivery_id VARCHAR, transition_id VARCHAR, destination VARCHAR, "
        "destination_type VARCHAR, entity_id VARCHAR, kind VARCHAR, method VARCHAR, "
        "url VARCHAR, body VARCHAR, status VARCHAR, reason VARCHAR, attempts INTEGER, "
        "next_attempt_at TIMESTAMP, last_error VARCHAR, last_status_code INTEGER, "
        "created_at TIMESTAMP, delivered_at TIMESTAMP"
    ),
}


# Columns added after the tables first shipped: ALTERed into stores created before them (and
# into new ones), with the value that was true of the old rows as default.
ADDED_COLUMNS: dict[str, tuple[str, ...]] = {
    # Where `score` came from: "model:<version>" or "criteria_progress"; the model's top
    # reasons as a JSON list (explain.py's dicts), [] for criteria progress.
    "pql_state": (
        "score_source VARCHAR DEFAULT 'criteria_progress'",
        "reasons JSON DEFAULT '[]'",
        # Lifecycle (docs/semantics.md "Live"): the open episode's start, the lapse, and the
        # next instant the status can change without new data (the evaluator's due list).
        "pql_since TIMESTAMP",
        "lapsed_at TIMESTAMP",
        "next_change_at TIMESTAMP",
    ),
    "pql_transitions": (
        "score_source VARCHAR DEFAULT 'criteria_progress'",
        "reasons JSON DEFAULT '[]'",
        # The episode a transition opens (entered) or the instant it ended (left, lapsed).
        "pql_since TIMESTAMP",
        "lapsed_at TIMESTAMP",
    ),
    # The delivery this one is sent after (a destination's second request, e.g. Intercom's
    # tag after its attributes); null for the first or only one.
    "outbox": ("after_delivery_id VARCHAR",),
}


# The unique indexes of the tables identify/group calls merge into. Created once, on the
# first start of the service on a store. `events.event_id` and `live_inbox.message_id` have
# none: DuckDB's checkpoints rewrite every index page a random key (a UUID) dirtied, which
# at 1M accounts held ingest to less than half the 2k rate; the dedupe window (live/dedupe.py)
# finds repeated messages instead, and stores of earlier versions lose those keys at start.
KEYED: dict[str, str] = {"users": "user_id", "accounts": "account_id"}


def ensure_live_tables(store: Store) -> None:
    """Create the live tables, add columns older stores lack, and create the unique indexes
    that make dedupe and merges lookups."""
    for name, columns in LIVE_TABLES.items():
        store.raw.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    for name, added in ADDED_COLUMNS.items():
        for column in added:
            store.raw.execute(f"ALTER TABLE {name} ADD COLUMN IF NOT EXISTS {column}")
    # The touched entities' events during an evaluator pass (same columns as events): the
    # schema the compiled queries are built against; on the evaluator's connection a view of
    # its entity cache with this name stands in for it (live/entity_cache.py).
    store.raw.execute("CREATE TABLE IF NOT EXISTS live_pass_events AS FROM events LIMIT 0")
    # The same for the events of the entities whose alerts a pass writes (their context).
    store.raw.execute("CREATE TABLE IF NOT EXISTS live_context_events AS FROM events LIMIT 0")
    for part in ("users", "accounts"):
        columns = ", ".join(SCHEMAS[part])
        store.raw.execute(
            f"CREATE TABLE IF NOT EXISTS live_pass_{part} AS SELECT {columns} FROM {part} LIMIT 0"
        )
    # Events committed and not yet taken by an evaluator pass, with their commit's inbox seq
    # (the writer adds them with the events; the pass that evaluates them deletes them).
    store.raw.execute(
        "CREATE TABLE IF NOT EXISTS live_recent_events AS "
        "SELECT *, CAST(0 AS BIGINT) AS seq FROM events LIMIT 0"
    )
    _drop_random_keys(store)
    for table, key in KEYED.items():
        try:
            store.raw.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_{key} ON {table} ({key})")
        except duckdb.ConstraintException as exc:
            raise StoreError(
                f"the {table} table holds duplicate {key} values, so the live service cannot "
                f"index it: {str(exc).splitlines()[0]}"
            ) from None


def _drop_random_keys(store: Store) -> None:
    """Drop the keys on random ids that stores served by earlier versions carry: the unique
    index on events.event_id, and live_inbox's primary key (DuckDB cannot drop a primary
    key, so the table is copied without it: about 7 s at 9M messages, once)."""
    raw = store.raw
    raw.execute("DROP INDEX IF EXISTS events_event_id")
    keyed = raw.execute(
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'live_inbox' "
        "AND constraint_type = 'PRIMARY KEY' AND database_name = current_database()"
    ).fetchone()
    if keyed and keyed[0]:
        with transaction(raw):
            raw.execute(f"CREATE TABLE live_inbox_unkeyed ({LIVE_TABLES['live_inbox']})")
            raw.execute("INSERT INTO live_inbox_unkeyed SELECT * FROM live_inbox ORDER BY seq")
            raw.execute("DROP TABLE live_inbox")
            raw.execute("ALTER TABLE live_inbox_unkeyed RENAME TO live_inbox")


def get_state(store: Store, key: str) -> str | None:
    """A value of the service's own bookkeeping (watermarks, version in service)."""
    row = store.raw.execute("SELECT value FROM live_state WHERE key = ?", [key]).fetchone()
    return None if row is None else str(row[0])


def set_state(store: Store, key: str, value: str) -> None:
    """Set a bookkeeping value (inside the caller's transaction)."""
    store.raw.execute("DELETE FROM live_state WHERE key = ?", [key])
    store.raw.execute("INSERT INTO live_state VALUES (?, ?)", [key, value])


def replace_rows(raw: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """Make each of the per-pass input tables (live_clock, live_pass_ids, live_model_ids,
    live_context_ids) hold exactly the given rows (columns by name), in one transaction."""
    with transaction(raw):
        write_rows(raw, tables)


def write_rows(raw: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> None:
    """`replace_rows` within the caller's transaction."""
    for name, rows in tables.items():
        raw.execute(f"DELETE FROM {name}")
        if rows.num_rows:
            with registered(raw, "_rows_in", rows):
                raw.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _rows_in")
