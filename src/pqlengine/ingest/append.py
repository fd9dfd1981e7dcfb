"""Appending keyed rows to our store: which copy of a repeated key is kept.

Events follow the one rule every backend reads by (store.unique_events, docs/semantics.md
"Inputs"): of the copies of an event_id, the event is its earliest copy by EVENT_COPY_ORDER,
whether the copies sit in one file or in a file and the store. A later file carrying an
earlier copy of a stored event replaces it, and the registries of the (account, user) pairs
the replaced copy counted for are recomputed. Conversions keep their first occurrence (a
repeated (entity_id, converted_at) key is the same fact).

Set-based so that DuckDB can spill every step: grouped counts and semi-joins find the few
keys that repeat, and only their rows are ranked (a window over every staged row holds
them all, with their properties, in memory).
"""

from __future__ import annotations

import uuid

import duckdb

from pqlengine import registry
from pqlengine.store import EVENT_COPY_ORDER


def copy_order_sql(prefix: str = "") -> str:
    """EVENT_COPY_ORDER as an SQL ORDER BY list (properties compared as text, NULLs last)."""
    terms = []
    for column in EVENT_COPY_ORDER:
        value = f'{prefix}"{column}"'
        if column == "properties":
            value = f"CAST({value} AS VARCHAR)"
        terms.append(f"{value} ASC NULLS LAST")
    return ", ".join(terms)


def append_new(
    raw: duckdb.DuckDBPyConnection,
    table: str,
    select: str,
    keys: tuple[str, ...],
    cols: list[str],
) -> int:
    """Append the rows of `select` (with `cols` and `_row`, the source order) whose key is
    new, keeping one copy per key (module docstring); returns the number of keys added."""
    events = table == "events"
    tag = uuid.uuid4().hex
    repeated, kept = f"_repeated_{tag}", f"_kept_{tag}"
    key_list = ", ".join(f'"{k}"' for k in keys)
    same = " AND ".join(f'd."{k}" = n."{k}"' for k in keys)
    # The keys the source repeats (usually none: then the source is taken as it is).
    raw.execute(
        f"CREATE TEMP TABLE {repeated} AS SELECT {key_list} FROM ({select}) "
        "GROUP BY ALL HAVING count(*) > 1"
    )
    candidates = select
    if count(raw, repeated):
        order = copy_order_sql("n.") + ", n._row" if events else "n._row"
        picked_keys = ", ".join(f'n."{k}"' for k in keys)
        # Each repeated key with the source row of the copy it keeps.
        raw.execute(
            f"CREATE TEMP TABLE {kept} AS SELECT {picked_keys}, n._row AS _kept "
            f"FROM ({select}) n SEMI JOIN {repeated} d ON {same} "
            f"QUALIFY row_number() OVER (PARTITION BY {picked_keys} ORDER BY {order}) = 1"
        )
        candidates = (
            f"SELECT n.* FROM ({select}) n LEFT JOIN {kept} d ON {same} "
            f"WHERE d._kept IS NULL OR d._kept = n._row"
        )
    picked = ", ".join(f'"{c}"' for c in cols)
    before, last = count(raw, table), _last_rowid(raw, table)
    replaced = _delete_later_copies(raw, candidates, tag) if events else None
    stored = " AND ".join(f't."{k}" = n."{k}"' for k in keys)
    raw.execute(
        f'INSERT INTO "{table}" ({picked}) SELECT {picked} FROM ({candidates}) n '
        f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" t WHERE {stored})'
    )
    raw.execute(f"DROP TABLE IF EXISTS {kept}")
    raw.execute(f"DROP TABLE {repeated}")
    if events:  # the rows just added: rowids above the previous last one
        registry.record(raw, f"SELECT account_id, user_id, ts FROM events WHERE rowid > {last}")
    if replaced is not None:
        registry.refresh(raw, replaced)
        raw.execute(f"DROP TABLE {replaced}")
    # Keys added: a replaced copy was deleted and its replacement inserted.
    return count(raw, table) - before


def _delete_later_copies(raw: duckdb.DuckDBPyConnection, candidates: str, tag: str) -> str | None:
    """Delete the stored events whose copy in `candidates` comes earlier by EVENT_COPY_ORDER
    (on a tie the stored copy stays). Returns the temp table of the (account_id, user_id)
    pairs the deleted rows counted for, whose registry rows must be recomputed, or None when
    nothing was deleted."""
    overlap, later, replaced = f"_overlap_{tag}", f"_later_{tag}", f"_replaced_{tag}"
    raw.execute(
        f"CREATE TEMP TABLE {overlap} AS SELECT n.event_id FROM ({candidates}) n "
        "SEMI JOIN events e ON e.event_id = n.event_id"
    )
    try:
        if not count(raw, overlap):
            return None
        columns = ", ".join(f'"{c}"' for c in EVENT_COPY_ORDER)
        ranked = (
            f"SELECT event_id, 0 AS _from_source, {columns} FROM events "
            f"WHERE event_id IN (SELECT event_id FROM {overlap}) "
            f"UNION ALL SELECT event_id, 1 AS _from_source, {columns} FROM ({candidates}) "
            f"WHERE event_id IN (SELECT event_id FROM {overlap})"
        )
        raw.execute(
            f"CREATE TEMP TABLE {later} AS SELECT event_id FROM ({ranked}) "
            f"QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY {copy_order_sql()}, "
            f"_from_source) = 1 AND _from_source = 1"
        )
        if not count(raw, later):
            raw.execute(f"DROP TABLE {later}")
            return None
        raw.execute(
            f"CREATE TEMP TABLE {replaced} AS SELECT DISTINCT account_id, user_id FROM events "
            f"WHERE event_id IN (SELECT event_id FROM {later})"
        )
        raw.execute(f"DELETE FROM events WHERE event_id IN (SELECT event_id FROM {later})")
        raw.execute(f"DROP TABLE {later}")
        return replaced
    finally:
        raw.execute(f"DROP TABLE {overlap}")


def _last_rowid(raw: duckdb.DuckDBPyConnection, table: str) -> int:
    """The largest rowid in `table` (-1 when empty); rows appended later have larger ones."""
    return int(raw.execute(f'SELECT coalesce(max(rowid), -1) FROM "{table}"').fetchone()[0])  # type: ignore[index]


def count(raw: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows in `table`."""
    return int(raw.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # type: ignore[index]
