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
- at most `max_rows` rows are kept: beyond, the entities used longest ago are dropped;
- an entity with no event committed at or before the watermark (a new signup) is not read:
  the registry `event_firsts` says so, and its events are all in `live_recent_events`.

A cold read scans `events` (about 4-6 s at 105M events on 2 cores, whatever the number of
entities), and a pass that waits for it delays every warm entity of the pass too. So once a
cold read has taken `DEFER_AFTER_SECONDS`, or from the start when the last run left
entities waiting for a read (`defer_cold` None, the default; True or False fix the
choice), cold entities are read by a `ColdLoader` on its own thread and connection
while passes go on with the warm ones: `prepare` says which entities of a pass are ready
and which are left for later; the evaluator records the latter in `live_deferred` (so a
restart still evaluates them) and evaluates them in the first pass after their events were
installed. The loader's snapshot is taken after the pass that left them read its
watermark, so it holds every event up to it; their later events are kept in
`live_recent_events` until they are installed (the evaluator's commit keeps rows after the
oldest deferred watermark). An entity an identify, group or alias call may have moved while
its read was running is read again. The loader waits `LOADER_PACE` times the duration of a
read before the next, so that back-to-back scans (some entity is always cold in a steady
state) take at most a third of its time.

The cache starts empty with the process (events may have changed while the service was
stopped). tests/live/test_entity_cache.py checks every pass against a qualification
read from `events`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from pqlengine.compute.entities import entity_events
from pqlengine.compute.lifecycle import NEVER
from pqlengine.config import Project
from pqlengine.store import SCHEMAS, Store, registered

COLUMNS = tuple(SCHEMAS["events"])
CACHE = "live_cache_events"
CACHED = "live_cache_entities"
# The users rows of each cached entity (an account's users, or the user): the pass query
# reads them instead of scanning `users` (4 scans, about 100 ms of CPU a pass at 1.5M users).
USERS = "live_cache_users"
USER_COLUMNS = tuple(SCHEMAS["users"])
# Rows kept at most (every column of an event; about 150 bytes a row in the demo, so about
# 0.75 GB; DuckDB spills temporary tables to disk beyond its memory limit).
MAX_ROWS = 5_000_000
# A cold read at least this long makes later ones run in the background (see above).
DEFER_AFTER_SECONDS = 1.0
# After a read of d seconds the loader waits LOADER_PACE * d before the next.
LOADER_PACE = 2.0
log = logging.getLogger("pqlengine.live")


class EntityCache:
    """Makes `live_pass_events` (on its connection) the events of the entities in
    `live_pass_ids`."""

    def __init__(
        self,
        store: Store,
        project: Project,
        max_rows: int = MAX_ROWS,
        defer_cold: bool | None = None,
        on_loaded: Callable[[], object] = lambda: None,
    ) -> None:
        self._store = store
        self._project = project
        self.max_rows = max_rows
        self.defer_cold = defer_cold
        self._pass = 0
        self.cold_reads = 0  # passes that read `events` (for /healthz and tests)
        self.last_cold = 0
        self.last_cold_ms = 0.0
        # A cold read took DEFER_AFTER_SECONDS or more, or the last run left entities to
        # background reads (the evaluator's catch-up says so): from then on they are deferred.
        self.slow_reads = False
        self.new_entities = 0  # cold entities cached without a read (no history)
        names = ", ".join(COLUMNS)
        raw = store.raw
        raw.execute(
            f"CREATE OR REPLACE TEMP TABLE {CACHE} AS "
            f"SELECT CAST(NULL AS VARCHAR) AS entity_id, {names} FROM events LIMIT 0"
        )
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {CACHED} (entity_id VARCHAR, used_pass BIGINT)")
        users = ", ".join(USER_COLUMNS)
        raw.execute(
            f"CREATE OR REPLACE TEMP TABLE {USERS} AS "
            f"SELECT CAST(NULL AS VARCHAR) AS entity_id, {users} FROM users LIMIT 0"
        )
        raw.execute(
            f"CREATE OR REPLACE TEMP VIEW live_pass_users AS SELECT {users} FROM {USERS} "
            "WHERE entity_id IN (SELECT entity_id FROM live_pass_ids)"
        )
        key = "account_id" if project.entity == "account" else "user_id"
        # The users rows of the entities in table {ids} (on the connection that runs it).
        self._users_sql = (
            f"SELECT {key} AS entity_id, {users} FROM users "
            f"WHERE {key} IN (SELECT entity_id FROM {{ids}})"
        )
        self._new_sql = _new_entities_sql(project.entity)
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
        select = self._cold_sql[self._cold_sql.index(" SELECT ") + 1 :]
        self.loader = ColdLoader(store, select, self._users_sql.format(ids="_cold_ids"), on_loaded)
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

    def copy_context(self) -> None:
        """Make `live_context_events` (on its connection) the cached events of the entities
        in `live_context_ids` (a subset of the pass's): one scan of the cache, where the
        alert context queries would scan it once per criterion."""
        names = ", ".join(COLUMNS)
        self._store.raw.execute(
            f"CREATE OR REPLACE TEMP TABLE live_context_events AS SELECT {names} FROM {CACHE} "
            "WHERE entity_id IN (SELECT entity_id FROM live_context_ids)"
        )

    def deferring(self) -> bool:
        """True when cold entities are left to the loader rather than read by the pass."""
        if self.defer_cold is None:
            return self.slow_reads
        return self.defer_cold

    def prepare(
        self, ids: set[str], done: int, top: int, ahead: set[str] | None = None
    ) -> tuple[set[str], set[str]]:
        """Before a pass over `ids`, the inbox messages in (done, top] being the ones not
        evaluated yet: drop the entities they may have moved, install the loader's finished
        reads, and split `ids` into (ready, later): later are the cold ones left to the
        loader (none unless `deferring`), which is asked to read those it is not reading.
        The cold ones of `ahead` (due soon) are read ahead of time, and are in `later`."""
        raw = self._store.raw
        self._pass += 1
        self.loader.forget(*self._forget_moved(done, top))
        self._install(self.loader.take())
        if not self.deferring():
            return ids, set()
        asked = ids | (ahead or set())
        if not asked:
            return ids, set()
        with registered(raw, "_asked", pa.table({"entity_id": sorted(asked)})):
            cold = {
                r[0]
                for r in raw.execute(
                    f"SELECT entity_id FROM _asked WHERE entity_id NOT IN "
                    f"(SELECT entity_id FROM {CACHED})"
                ).fetchall()
            }
        # The pass's new entities are cached now (`fill` copies their events); those read
        # ahead are not in the pass, whose commit drops the recent events they would need.
        if cold & ids:
            with registered(raw, "_maybe_new", pa.table({"entity_id": sorted(cold & ids)})):
                cold -= self._cache_new("_maybe_new", done)
        self.loader.submit(cold)
        return ids - cold, cold

    def _cache_new(self, table: str, since: int) -> set[str]:
        """Cache, with no event, the entities of `table` (entity_id) that have no event
        committed at or before `since` (all their events are then in `live_recent_events`:
        `fill` copies them); returns them. A registry row that is not the live writer's
        (file ingest, or merged by the compactor) counts as an earlier event."""
        raw = self._store.raw
        raw.execute(
            f"CREATE OR REPLACE TEMP TABLE _new_ids AS {self._new_sql.format(ids=table)}",
            [since],
        )
        new = {r[0] for r in raw.execute("SELECT entity_id FROM _new_ids").fetchall()}
        if new:
            raw.execute(f"INSERT INTO {USERS} {self._users_sql.format(ids='_new_ids')}")
            raw.execute(f"INSERT INTO {CACHED} SELECT entity_id, {self._pass} FROM _new_ids")
            self.new_entities += len(new)
        return new

    def _install(self, finished: list[Loaded]) -> None:
        """Add the loader's finished reads to the cache."""
        raw = self._store.raw
        names = ", ".join(COLUMNS)
        for loaded in finished:
            if not loaded.ids:
                continue
            raw.register("_loaded", loaded.table)
            raw.register("_loaded_ids", pa.table({"entity_id": sorted(loaded.ids)}))
            try:
                held = "WHERE entity_id IN (SELECT entity_id FROM _loaded_ids)"
                for table in (CACHE, CACHED, USERS):
                    raw.execute(f"DELETE FROM {table} {held}")
                raw.execute(
                    f"INSERT INTO {CACHE} (entity_id, {names}) SELECT entity_id, {names} "
                    "FROM _loaded"
                )
                raw.register("_loaded_users", loaded.users)
                try:
                    raw.execute(f"INSERT INTO {USERS} SELECT * FROM _loaded_users")
                finally:
                    raw.unregister("_loaded_users")
                raw.execute(f"INSERT INTO {CACHED} SELECT entity_id, {self._pass} FROM _loaded_ids")
            finally:
                raw.unregister("_loaded")
                raw.unregister("_loaded_ids")

    def fill(self, done: int, top: int) -> None:
        """Bring the events of the entities in `live_pass_ids` into the cache (so into
        `live_pass_events`): the events committed in (done, top] for those cached, and for
        the others (none after `prepare` when deferring) every event, read from `events`.
        `done` is at most the oldest deferred watermark when an installed entity is in the
        pass (its events after that watermark are not in its read)."""
        raw = self._store.raw
        raw.execute("DELETE FROM _cold_ids")
        cold = raw.execute(
            "INSERT INTO _cold_ids SELECT entity_id FROM live_pass_ids "
            f"WHERE entity_id NOT IN (SELECT entity_id FROM {CACHED})"
        ).fetchone()
        if cold and cold[0] and self._cache_new("_cold_ids", done):
            raw.execute("DELETE FROM _cold_ids WHERE entity_id IN (SELECT entity_id FROM _new_ids)")
        # The recent events of the cached entities (new ones included); the others are read
        # whole from `events` below.
        raw.execute("DELETE FROM _recent_bounds")
        raw.execute("INSERT INTO _recent_bounds VALUES (?, ?)", [done, top])
        raw.execute(self._recent_sql)
        cold = raw.execute("SELECT count(*) FROM _cold_ids").fetchone()
        self.last_cold = int(cold[0]) if cold else 0
        if self.last_cold:
            self.cold_reads += 1
            started = time.perf_counter()
            raw.execute(self._cold_sql)
            raw.execute(f"INSERT INTO {USERS} {self._users_sql.format(ids='_cold_ids')}")
            self.last_cold_ms = (time.perf_counter() - started) * 1000
            self.slow_reads |= self.last_cold_ms >= DEFER_AFTER_SECONDS * 1000
        raw.execute(
            f"DELETE FROM {CACHED} WHERE entity_id IN (SELECT entity_id FROM live_pass_ids)"
        )
        raw.execute(f"INSERT INTO {CACHED} SELECT entity_id, {self._pass} FROM live_pass_ids")
        self._evict()

    def _forget_moved(self, done: int, top: int) -> tuple[set[str], set[str]]:
        """Drop the entities whose events an identify, group or alias message in (done,
        top] may have moved: those holding its users' events, and its users' accounts;
        returns the users and those entities."""
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
            return set(), set()
        raw.register("_moved_users", pa.table({"user_id": users}))
        try:
            raw.execute(
                f"CREATE OR REPLACE TEMP TABLE _moved AS "
                f"SELECT DISTINCT entity_id FROM {CACHE} c "
                "WHERE c.user_id IN (SELECT user_id FROM _moved_users) "
                "UNION SELECT account_id FROM users "
                "WHERE user_id IN (SELECT user_id FROM _moved_users) AND account_id IS NOT NULL "
                "UNION SELECT user_id FROM _moved_users "
                f"UNION SELECT entity_id FROM {USERS} "
                "WHERE user_id IN (SELECT user_id FROM _moved_users)"
            )
        finally:
            raw.unregister("_moved_users")
        for table in (CACHE, CACHED, USERS):
            raw.execute(f"DELETE FROM {table} WHERE entity_id IN (SELECT entity_id FROM _moved)")
        moved = {r[0] for r in raw.execute("SELECT entity_id FROM _moved").fetchall()}
        raw.execute("DROP TABLE _moved")
        return set(users), moved

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
        for table in (CACHE, CACHED, USERS):
            raw.execute(f"DELETE FROM {table} WHERE entity_id IN (SELECT entity_id FROM _evicted)")
        raw.execute("DROP TABLE _evicted")


class ColdLoader:
    """Reads cold entities' events from `events` on its own thread and connection, all the
    entities asked for while the previous read ran in one scan."""

    def __init__(
        self, store: Store, select_sql: str, users_sql: str, on_loaded: Callable[[], object]
    ) -> None:
        self._store = store.cursor()  # used by the loader thread only
        self._select = select_sql
        self._users_sql = users_sql
        self._on_loaded = on_loaded
        self._lock = threading.Lock()
        self._asked: set[str] = set()  # not being read yet
        self._reading: set[str] = set()
        # Being read, and maybe moved since the read began: entities, and users whose
        # events the read may hold in the wrong entity.
        self._stale: set[str] = set()
        self._stale_users: set[str] = set()
        self._finished: list[Loaded] = []
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.reads = 0
        self.last_read_ms = 0.0

    def submit(self, ids: set[str]) -> None:
        """Read `ids` (those not being read or read already)."""
        with self._lock:
            new = ids - self._asked - self._reading
            for loaded in self._finished:
                new -= loaded.ids
            if not new:
                return
            self._asked |= new
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="pql-cold", daemon=True)
                self._thread.start()
        self._wake.set()

    def forget(self, users: set[str], moved: set[str]) -> None:
        """The events of `users` may have moved to other entities, among them `moved`: the
        entities a read running or finished holds them in, or that are `moved`, are read
        again."""
        if not users and not moved:
            return
        with self._lock:
            self._stale |= moved & self._reading
            if self._reading:
                self._stale_users |= users
            again: set[str] = set()
            for n, loaded in enumerate(self._finished):
                held = (loaded.ids & moved) | loaded.holding(users)
                if held:
                    self._finished[n] = loaded.without(held)
                    again |= held
            self._asked |= again
        if again:
            self._wake.set()

    def take(self) -> list[Loaded]:
        """The finished reads, handed over once."""
        with self._lock:
            finished, self._finished = self._finished, []
        return finished

    def waiting(self) -> int:
        """Entities asked for and not handed over yet."""
        with self._lock:
            return len(self._asked) + len(self._reading) + sum(len(f.ids) for f in self._finished)

    def stop(self) -> None:
        """Stop, interrupting a read that is running."""
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._store.raw.interrupt()
            self._thread.join(timeout=30)

    def _read(self, ids: set[str]) -> tuple[pa.Table, pa.Table]:
        """The events of `ids` in `events` now (one scan), and their users rows."""
        raw = self._store.raw
        raw.register("_asked_ids", pa.table({"entity_id": sorted(ids)}))
        try:
            raw.execute(
                "CREATE OR REPLACE TEMP TABLE _cold_ids AS SELECT entity_id FROM _asked_ids"
            )
        finally:
            raw.unregister("_asked_ids")
        raw.execute("BEGIN TRANSACTION")  # one snapshot for both
        try:
            events = raw.execute(self._select).fetch_arrow_table()
            users = raw.execute(self._users_sql).fetch_arrow_table()
        finally:
            raw.execute("ROLLBACK")
        return events, users

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(timeout=1)
            self._wake.clear()
            with self._lock:
                ids, self._asked = self._asked, set()
                self._reading = ids
            if not ids:
                continue
            started = time.perf_counter()
            try:
                table, users = self._read(ids)
            except Exception:  # e.g. a full disk or a stop: the ids are asked for again
                if self._stopped.is_set():
                    return
                log.exception("reading cold entities' events failed; retrying")
                with self._lock:
                    self._asked |= ids
                    self._reading = set()
                    self._stale -= ids
                time.sleep(1)
                continue
            self.reads += 1
            self.last_read_ms = (time.perf_counter() - started) * 1000
            with self._lock:
                loaded = Loaded(ids, table, users)
                stale = self._stale | loaded.holding(self._stale_users)
                self._stale, self._stale_users = set(), set()
                self._reading = set()
                if stale:
                    self._asked |= stale
                    self._wake.set()
                self._finished.append(loaded.without(stale))
            self._on_loaded()
            # Paced: what is asked for meanwhile waits for the next read (module docstring).
            self._stopped.wait(LOADER_PACE * self.last_read_ms / 1000)


@dataclass(frozen=True)
class Loaded:
    """A finished read: the entities read (some may have no event) and their events."""

    ids: set[str]
    table: pa.Table
    users: pa.Table

    def holding(self, users: set[str]) -> set[str]:
        """The entities holding events of `users`."""
        if not users:
            return set()
        rows = self.table.filter(pc.is_in(self.table["user_id"], pa.array(sorted(users))))
        return set(rows["entity_id"].to_pylist())

    def without(self, ids: set[str]) -> Loaded:
        """The same read less `ids`."""
        if not ids & self.ids:
            return self
        gone = pa.array(sorted(ids))
        table = self.table.filter(pc.invert(pc.is_in(self.table["entity_id"], gone)))
        users = self.users.filter(pc.invert(pc.is_in(self.users["entity_id"], gone)))
        return Loaded(self.ids - ids, table, users)


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


def _new_entities_sql(entity: str) -> str:
    """The entities of table {ids} with no event committed at or before the watermark
    (parameter $1): no `event_firsts` row of theirs that is not the live writer's after it.
    An account's pairs are its own and those of its users' events that name no account."""
    earlier = "coalesce(f.live_seq <= $1, TRUE)"
    if entity == "user":
        return (
            "SELECT entity_id FROM {ids} c WHERE NOT EXISTS (SELECT 1 FROM event_firsts f "
            f"WHERE f.user_id = c.entity_id AND {earlier})"
        )
    return (
        "SELECT entity_id FROM {ids} c WHERE NOT EXISTS (SELECT 1 FROM event_firsts f "
        f"WHERE f.account_id = c.entity_id AND {earlier}) "
        "AND NOT EXISTS (SELECT 1 FROM users u JOIN event_firsts f ON f.user_id = u.user_id "
        f"WHERE f.account_id IS NULL AND u.account_id = c.entity_id AND {earlier})"
    )
