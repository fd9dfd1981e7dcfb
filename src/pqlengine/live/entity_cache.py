"""The evaluator's copy of recently evaluated entities' events, so that a pass reads the
store only for entities it has not seen yet.

A pass needs every event of each touched entity. Reading them from `events` is a scan of
the whole table (DuckDB has no index that fetches thousands of entities' rows faster), so
its cost grows with the store: about 1 s of scan plus 2-3 s of fetching at 105M events.
The cache keeps, per entity, exactly the rows `entity_events` gives it (its own events,
and its users' events that name no account), in temporary tables of the evaluator's
connection:

- an entity touched for the first time ("cold") is read from `events` once, by the same
  compiled query as before, for every cold entity of the pass together;
- an entity already cached ("warm") gets the events committed since the last pass from
  `live_recent_events`, which the writer fills in the same transaction as `events` (the
  evaluator deletes what a pass consumed in that pass's commit); an event already copied
  (a cold read can see events committed after the pass's watermark) is not copied twice;
- an identify, group or alias message can move a user's events to another account, so the
  entities of its users (the cached ones holding their events, and their accounts now)
  are dropped and read again;
- at most `max_rows` rows are kept: beyond, the entities used longest ago are dropped.

The cache starts empty with the process (events may have changed while the service was
stopped). tests/live/test_entity_cache.py checks every pass against a qualification
read from `events`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import ibis
import pyarrow as pa

from pqlengine.compute.entities import entity_events
from pqlengine.compute.lifecycle import NEVER
from pqlengine.config import Project
from pqlengine.store import SCHEMAS, Store

COLUMNS = tuple(SCHEMAS["events"])
CACHE = "live_cache_events"
CACHED = "live_cache_entities"
# Rows kept at most (every column of an event; about 150 bytes a row in the demo, so about
# 0.75 GB; DuckDB spills temporary tables to disk beyond its memory limit).
MAX_ROWS = 5_000_000


class EntityCache:
    """Makes `live_pass_events` (on its connection) the events of the entities in
    `live_pass_ids`."""

    def __init__(self, store: Store, project: Project, max_rows: int = MAX_ROWS) -> None:
        self._store = store
        self._project = project
        self.max_rows = max_rows
        self._pass = 0
        self.cold_reads = 0  # passes that read `events` (for /healthz and tests)
        self.last_cold = 0
        names = ", ".join(COLUMNS)
        raw = store.raw
        raw.execute(
            f"CREATE OR REPLACE TEMP TABLE {CACHE} AS "
            f"SELECT CAST(NULL AS VARCHAR) AS entity_id, {names} FROM events LIMIT 0"
        )
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {CACHED} (entity_id VARCHAR, used_pass BIGINT)")
        # The pass's events, read in place: a view of the cache named like the table the
        # compiled queries read, which it shadows on this connection (temporary objects come
        # first). A copy of 1.2M rows per pass cost 0.9 s of a 2.5 s pass of 12,000 accounts.
        names = ", ".join(COLUMNS)
        raw.execute(
            f"CREATE OR REPLACE TEMP VIEW live_pass_events AS SELECT {names} FROM {CACHE} "
            "WHERE entity_id IN (SELECT entity_id FROM live_pass_ids)"
        )
        raw.execute("CREATE OR REPLACE TEMP TABLE _recent_bounds (lo BIGINT, hi BIGINT)")
        raw.execute("CREATE OR REPLACE TEMP TABLE _cold_ids (entity_id VARCHAR)")
        # The cold entities' events: a scan of `events`, the only one left in a pass.
        cold = store.table("_cold_ids").entity_id
        self._cold_sql = self._insert(store, cold, "TRUE")
        # The recent events of cached entities of the pass, each copied once.
        warm = store.table("live_pass_ids").entity_id
        once = (
            f"entity_id IN (SELECT entity_id FROM {CACHED}) AND NOT EXISTS (SELECT 1 "
            f"FROM {CACHE} c WHERE c.event_id = f.event_id AND c.entity_id = f.entity_id)"
        )
        self._recent_sql = self._insert(_Recent(store), warm, once)

    def _insert(self, tables: Any, ids: Any, keep: str) -> str:
        """INSERT into the cache of the events of entities `ids` in `tables`' events that
        satisfy `keep` (SQL over the row `f`), compiled once."""
        rows = entity_events(tables, self._project, NEVER, columns=COLUMNS, only=ids)
        query = str(self._store.con.compile(rows.select("entity_id", *COLUMNS)))
        names = ", ".join(COLUMNS)
        return (
            f"INSERT INTO {CACHE} (entity_id, {names}) SELECT entity_id, {names} "
            f"FROM ({query}) AS f WHERE {keep}"
        )

    def fill(self, done: int, top: int) -> None:
        """Bring the events of the entities in `live_pass_ids` into the cache (so into
        `live_pass_events`), the inbox messages in (done, top] being the ones not evaluated
        yet."""
        raw = self._store.raw
        self._pass += 1
        self._forget_moved(done, top)
        raw.execute("DELETE FROM _recent_bounds")
        raw.execute("INSERT INTO _recent_bounds VALUES (?, ?)", [done, top])
        raw.execute(self._recent_sql)
        raw.execute("DELETE FROM _cold_ids")
        cold = raw.execute(
            "INSERT INTO _cold_ids SELECT entity_id FROM live_pass_ids "
            f"WHERE entity_id NOT IN (SELECT entity_id FROM {CACHED})"
        ).fetchone()
        self.last_cold = int(cold[0]) if cold else 0
        if self.last_cold:
            self.cold_reads += 1
            raw.execute(self._cold_sql)
        raw.execute(
            f"DELETE FROM {CACHED} WHERE entity_id IN (SELECT entity_id FROM live_pass_ids)"
        )
        raw.execute(f"INSERT INTO {CACHED} SELECT entity_id, {self._pass} FROM live_pass_ids")
        self._evict()

    def _forget_moved(self, done: int, top: int) -> None:
        """Drop the entities whose events an identify, group or alias message in (done,
        top] may have moved: those holding its users' events, and its users' accounts."""
        raw = self._store.raw
        users = [
            r[0]
            for r in raw.execute(
                "SELECT DISTINCT user_id FROM live_inbox WHERE seq > ? AND seq <= ? "
                "AND type IN ('identify', 'group', 'alias') AND user_id IS NOT NULL",
                [done, top],
            ).fetchall()
        ]
        if not users:
            return
        raw.register("_moved_users", pa.table({"user_id": users}))
        try:
            raw.execute(
                f"CREATE OR REPLACE TEMP TABLE _moved AS "
                f"SELECT DISTINCT entity_id FROM {CACHE} c "
                "WHERE c.user_id IN (SELECT user_id FROM _moved_users) "
                "UNION SELECT account_id FROM users "
                "WHERE user_id IN (SELECT user_id FROM _moved_users) AND account_id IS NOT NULL "
                "UNION SELECT user_id FROM _moved_users"
            )
        finally:
            raw.unregister("_moved_users")
        raw.execute(f"DELETE FROM {CACHE} WHERE entity_id IN (SELECT entity_id FROM _moved)")
        raw.execute(f"DELETE FROM {CACHED} WHERE entity_id IN (SELECT entity_id FROM _moved)")
        raw.execute("DROP TABLE _moved")

    def rows(self) -> int:
        """Event rows cached now."""
        row = self._store.raw.execute(f"SELECT count(*) FROM {CACHE}").fetchone()
        return int(row[0]) if row else 0

    def entities(self) -> int:
        """Entities cached now."""
        row = self._store.raw.execute(f"SELECT count(*) FROM {CACHED}").fetchone()
        return int(row[0]) if row else 0

    def _evict(self) -> None:
        """Beyond `max_rows`, drop the entities used longest ago (not this pass's)."""
        raw = self._store.raw
        if self.rows() <= self.max_rows:
            return
        keep = int(self.max_rows * 0.8)
        raw.execute(
            "CREATE OR REPLACE TEMP TABLE _evicted AS "
            "SELECT entity_id FROM (SELECT c.entity_id, c.used_pass, sum(n.rows) OVER "
            "(ORDER BY c.used_pass DESC, c.entity_id ROWS UNBOUNDED PRECEDING) AS kept "
            f"FROM {CACHED} c JOIN (SELECT entity_id, count(*) AS rows FROM {CACHE} "
            "GROUP BY entity_id) n USING (entity_id)) "
            f"WHERE kept > {keep} AND used_pass < {self._pass}"
        )
        raw.execute(f"DELETE FROM {CACHE} WHERE entity_id IN (SELECT entity_id FROM _evicted)")
        raw.execute(f"DELETE FROM {CACHED} WHERE entity_id IN (SELECT entity_id FROM _evicted)")
        raw.execute("DROP TABLE _evicted")


class _Recent:
    """`Tables` where `events` is the events committed in (done, top] (the writer's
    `live_recent_events`, bounded by `_recent_bounds`)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.con = store.con
        self.capabilities = replace(store.capabilities, day_registry=False, unique_events=True)

    def table(self, name: str) -> ibis.Table:
        """The canonical table, or the recent events for `events`."""
        if name != "events":
            return self._store.table(name)
        recent = self._store.table("live_recent_events")
        bounds = self._store.table("_recent_bounds")
        kept = recent.filter(
            recent.seq > bounds.lo.max().as_scalar(), recent.seq <= bounds.hi.max().as_scalar()
        )
        return kept.select(*COLUMNS)
