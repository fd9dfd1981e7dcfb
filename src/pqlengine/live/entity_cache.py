"""The evaluator's copy of recently evaluated entities' events, so that a pass reads the
store only for entities it has not seen yet.

A pass needs every event of each touched entity. Reading them from `events` is a scan of
the whole table (DuckDB has no index that fetches thousands of entities' rows faster), so
its cost grows with the store: about 1 s of scan plus 2-3 s of fetching at 105M events.
The cache keeps, per entity, exactly the rows `entity_events` gives it (its own events,
and its users' events that name no account), its `users` rows and its `accounts` rows (the
account's, or the user's account's), as Arrow tables in the process, keyed by entity. A
pass hands its entities' rows to the evaluator's connection as `live_pass_events`,
`live_pass_users` and `live_pass_accounts` (`_show`), so its cost follows the pass, not the
cache: with the rows in one DuckDB temporary table, every pass scanned all of it (2.2M rows:
165 ms of a 320 ms pass of 500 accounts at 1M accounts, and a copy of the pass's rows out
of it still scanned every column, 75 ms), besides `users` and `accounts`. A pass over
nearly the whole cache pays for it: it copies nearly all of it (about 1.4x the time at 2k
accounts under full load; bench/RESULTS.md "2026-12-07 (night)").

- an entity touched for the first time ("cold") is read from `events` once, by the same
  compiled query as before, for every cold entity of the pass together;
- an entity already cached ("warm") gets the events committed since the last pass from
  `live_recent_events`, which the writer fills in the same transaction as `events` (the
  evaluator deletes what a pass consumed in that pass's commit), mapped to accounts through
  the cached users rows (current: a move drops them; a scan of `users` cost 60 ms a pass at
  1.5M users); an event already held (a cold read can see events committed after the
  pass's watermark; a failed pass's events come again) is not added twice;
- a group call changes its account's row: the cached entities holding it read it again;
- an identify, group or alias message can move a user's events to another account, so the
  entities of its users (the cached ones holding their events, and their accounts now)
  are dropped and read again;
- at most `max_rows` rows are kept: beyond, entities are dropped by GreedyDual-Size
  (`_evict`: among entities used as long ago, the larger ones first);
- an entity with no event committed at or before the watermark (a new signup) is not read:
  live/known.py (or, after a move, the registry `event_firsts`) says so, and its events are
  all in `live_recent_events`.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from pqlengine.compute.entities import entity_events
from pqlengine.compute.lifecycle import NEVER
from pqlengine.config import CACHE_ROWS, Project
from pqlengine.live.known import KnownEntities
from pqlengine.live.priority import EVALUATION_NICENESS, lower_priority
from pqlengine.store import SCHEMAS, Store, registered

COLUMNS = tuple(SCHEMAS["events"])
USER_COLUMNS = tuple(SCHEMAS["users"])
# Beyond this many rows a view's rows are copied into a temporary table (`_show`).
COPY_ROWS = 100_000
# The views of the pass's (and its alerts') rows, by the part of an entry they show.
VIEWS = {
    "live_pass_events": "events",
    "live_pass_users": "users",
    "live_pass_accounts": "accounts",
    "live_context_events": "events",
}
PASS_VIEWS = ("live_pass_events", "live_pass_users", "live_pass_accounts")
# What an entry costs besides its rows (its tables and sets), in rows, for eviction.
ENTRY_ROWS = 10
# A cold read at least this long makes later ones run in the background (see above).
DEFER_AFTER_SECONDS = 1.0
# After a read of d seconds the loader waits LOADER_PACE * d before the next.
LOADER_PACE = 2.0
log = logging.getLogger("pqlengine.live")


@dataclass
class _Entry:
    """One cached entity: its events, users rows and accounts rows (the account's, or the
    user's account's), the pass that last used it, the users whose rows or events it holds,
    and the accounts whose rows it holds."""

    events: pa.Table
    users: pa.Table
    accounts: pa.Table
    used: int
    holds: set[str]
    firms: set[str]
    # Its events came from a read of `events`, which can hold events committed after the
    # pass's watermark: the next recent events added are checked against them.
    read: bool = True
    # Kept before entries of lower priority (`EntityCache._evict`).
    priority: float = 0.0


class EntityCache:
    """Makes `live_pass_events`, `live_pass_users` and `live_pass_accounts` (on its
    connection) the events, users rows and accounts rows of the entities of a pass."""

    def __init__(
        self,
        store: Store,
        project: Project,
        max_rows: int = CACHE_ROWS,
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
        # A pass failed after adding recent events: the next one checks them all.
        self._check_all = False
        self._copied: dict[str, bool] = {}  # views whose rows are a temporary table now
        self._entries: dict[str, _Entry] = {}
        self._holders: dict[str, set[str]] = {}  # user_id -> the entities holding them
        self._firm_holders: dict[str, set[str]] = {}  # account_id -> the same
        self._rows = 0
        self._floor = 0.0  # the highest priority evicted so far (`_evict`)
        self.evicted = 0  # entities dropped for room (for /healthz)
        raw = store.raw
        self._schemas = {part: _arrow_schema(raw, part) for part in ("events", "users", "accounts")}
        # The pass's rows: views named like the tables the compiled queries read, which they
        # shadow on this connection (temporary objects come first), over Arrow tables
        # registered before each query (`_show`), whose types are the tables' (JSON columns
        # as Arrow's JSON type, which DuckDB reads as JSON: the views need no CAST). A user
        # entity's accounts rows can repeat.
        for view, part in VIEWS.items():
            self._show(view, ())
            once = "DISTINCT " if part == "accounts" else ""
            columns = ", ".join(SCHEMAS[part])
            raw.execute(
                f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {once}{columns} FROM _{view}"
            )
        key = "account_id" if project.entity == "account" else "user_id"
        # The users rows of the entities in table {ids} (on the connection that runs it).
        self._users_sql = (
            f"SELECT {key} AS entity_id, {', '.join(USER_COLUMNS)} FROM users "
            f"WHERE {key} IN (SELECT entity_id FROM {{ids}})"
        )
        firm = ", ".join(f"a.{c}" for c in SCHEMAS["accounts"])
        # The accounts rows of the entities in table {ids}: the account's, the user's account's.
        self._accounts_sql = (
            f"SELECT a.account_id AS entity_id, {firm} FROM accounts a "
            "WHERE a.account_id IN (SELECT entity_id FROM {ids})"
            if project.entity == "account"
            else f"SELECT u.user_id AS entity_id, {firm} FROM accounts a "
            "JOIN users u ON u.account_id = a.account_id "
            "WHERE u.user_id IN (SELECT entity_id FROM {ids})"
        )
        self._new_sql = _new_entities_sql(project.entity)
        # Built at the first pass that meets an uncached entity, again after a full pass.
        self._known: KnownEntities | None = None
        raw.execute("CREATE OR REPLACE TEMP TABLE _recent_bounds (lo BIGINT, hi BIGINT)")
        raw.execute("CREATE OR REPLACE TEMP TABLE _cold_ids (entity_id VARCHAR)")
        # The cold entities' events: a scan of `events`, the only one left in a pass.
        self._cold_sql = self._select(store, store.table("_cold_ids").entity_id)
        self.loader = ColdLoader(
            store, self._cold_sql, self._users_sql.format(ids="_cold_ids"), on_loaded
        )
        # The events committed in (done, top] of the pass's entities.
        self._recent_sql = self._select(_Recent(store), store.table("live_pass_ids").entity_id)

    def _select(self, tables: Any, ids: Any) -> str:
        """SELECT entity_id and COLUMNS of the events of entities `ids` in `tables`' events,
        compiled once."""
        rows = entity_events(tables, self._project, NEVER, columns=COLUMNS, only=ids)
        return str(self._store.con.compile(rows.select("entity_id", *COLUMNS)))

    def _show(self, view: str, ids: Iterable[str]) -> None:
        """Make `view` (of VIEWS) the cached rows of `ids`, as `_{view}`: an Arrow table
        registered in one chunk (DuckDB's scan of an Arrow table costs about 0.2 ms per
        chunk), or beyond COPY_ROWS rows copied into a temporary table (the queries read a
        view several times, and each read converts the Arrow table again: for 1,400
        accounts at 2k, 170,000 rows, the query took 150 ms over Arrow and 100 ms plus a 35
        ms copy over a table; for 500 accounts at 1M, 55,000 rows, the copy did not pay)."""
        part = VIEWS[view]
        tables = [getattr(self._entries[e], part) for e in ids if e in self._entries]
        table = (
            pa.concat_tables(tables).combine_chunks()
            if tables
            else self._schemas[part].empty_table()
        )
        raw = self._store.raw
        name = f"_{view}"
        copy = table.num_rows > COPY_ROWS
        if copy != self._copied.get(view, False):  # a view and a table cannot share a name
            if copy:
                raw.unregister(name)
            else:
                raw.execute(f"DROP TABLE IF EXISTS {name}")
            self._copied[view] = copy
        if copy:
            with registered(raw, "_shown", table):
                raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _shown")
        else:
            raw.register(name, table)

    def copy_context(self, ids: list[str]) -> None:
        """Make `live_context_events` (on its connection) the cached events of `ids` (a
        subset of the pass's)."""
        self._show("live_context_events", ids)

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
        self._pass += 1
        self.loader.forget(*self._forget_moved(done, top))
        self._install(self.loader.take())
        self._renew_accounts(done, top)
        if not self.deferring():
            return ids, set()
        cold = {e for e in ids | (ahead or set()) if e not in self._entries}
        # The pass's new entities are cached now (`fill` copies their events); those read
        # ahead are not in the pass, whose commit drops the recent events they would need.
        if cold & ids:
            cold -= self._cache_new(cold & ids, done)
        self.loader.submit(cold)
        return ids - cold, cold

    def _cache_new(self, ids: set[str], since: int) -> set[str]:
        """Cache, with no event, those of `ids` that have no event committed at or before
        `since` (all their events are then in `live_recent_events`: `fill` copies them);
        returns them. Those `KnownEntities` says may have events are not new; of the
        others, those a message after `since` may have given another user's events are asked
        of `event_firsts`, where a registry row that is not the live writer's (file ingest,
        or merged by the compactor) counts as an earlier event."""
        raw = self._store.raw
        if self._known is None:
            self._known = KnownEntities(raw, self._project.entity, since)
        unknown = self._known.unknown(raw, ids)
        unsure = unknown & self._moved_since(since) if unknown else set()
        new = unknown - unsure
        if unsure:
            with registered(raw, "_maybe_new", pa.table({"entity_id": sorted(unsure)})):
                found = raw.execute(self._new_sql.format(ids="_maybe_new"), [since]).fetchall()
            new |= {r[0] for r in found}
        self._known.met(unknown)
        if new:
            with registered(raw, "_new_in", pa.table({"entity_id": sorted(new)})):
                raw.execute("CREATE OR REPLACE TEMP TABLE _new_ids AS SELECT * FROM _new_in")
            users = raw.execute(self._users_sql.format(ids="_new_ids")).to_arrow_table()
            empty = _with_entity(self._schemas["events"]).empty_table()
            self._put_all(new, empty, users, read=False)
            self.new_entities += len(new)
        return new

    def passed_everyone(self) -> None:
        """A pass over everyone moved the watermark without meeting its entities here: what
        `KnownEntities` knows is read again from the store when next needed."""
        self._known = None

    def _moved_since(self, since: int) -> set[str]:
        """The entities an identify, group or alias message committed after `since` names,
        and the accounts now of its users (an account that got a user's earlier events)."""
        raw = self._store.raw
        rows = raw.execute(
            "SELECT DISTINCT user_id, account_id FROM live_inbox WHERE seq > ? "
            "AND type IN ('identify', 'group', 'alias')",
            [since],
        ).fetchall()
        named = {v for row in rows for v in row if v is not None}
        users = sorted({u for u, _ in rows if u is not None})
        if users and self._project.entity == "account":
            named |= self._accounts_of(users)
        return named

    def _accounts_of(self, users: Iterable[str]) -> set[str]:
        """The accounts that `users` belong to now, as the `users` table says."""
        raw = self._store.raw
        with registered(raw, "_some_users", pa.table({"user_id": sorted(users)})):
            found = raw.execute(
                "SELECT DISTINCT account_id FROM users WHERE account_id IS NOT NULL "
                "AND user_id IN (SELECT user_id FROM _some_users)"
            ).fetchall()
        return {r[0] for r in found}

    def _install(self, finished: list[Loaded]) -> None:
        """Add the loader's finished reads to the cache."""
        for loaded in finished:
            if loaded.ids:
                self._put_all(loaded.ids, loaded.table, loaded.users)

    def _put_all(self, ids: set[str], events: pa.Table, users: pa.Table, read: bool = True) -> None:
        """Cache `ids` with their rows in `events` and `users` (entity_id and the columns),
        and their accounts rows read now; `read`: the events come from `events`."""
        by_events = self._split("events", events)
        by_users = self._split("users", users)
        by_accounts = self._read_accounts(ids)
        empty = {part: schema.empty_table() for part, schema in self._schemas.items()}
        for entity in ids:
            self.drop({entity})
            entry = _Entry(
                by_events.get(entity, empty["events"]),
                by_users.get(entity, empty["users"]),
                by_accounts.get(entity, empty["accounts"]),
                self._pass,
                set(),
                set(),
                read,
            )
            self._entries[entity] = entry
            self._rows += entry.events.num_rows
            self._used(entry)
            self._hold(entity, entry, entry.events, entry.users)
            self._hold_firms(entity, entry)

    def _split(self, part: str, table: pa.Table) -> dict[str, pa.Table]:
        return _by_entity(table.cast(_with_entity(self._schemas[part])))

    def _read_accounts(self, ids: set[str]) -> dict[str, pa.Table]:
        """The accounts rows of `ids` in `accounts` now, by entity."""
        if not ids:
            return {}
        raw = self._store.raw
        with registered(raw, "_firm_ids", pa.table({"entity_id": sorted(ids)})):
            rows = raw.execute(self._accounts_sql.format(ids="_firm_ids")).to_arrow_table()
        return self._split("accounts", rows)

    def _hold(self, entity: str, entry: _Entry, *tables: pa.Table) -> None:
        """Record that `entity` holds the users of `tables`' rows."""
        for table in tables:
            for user in pc.unique(table["user_id"]).to_pylist():
                if user is not None and user not in entry.holds:
                    entry.holds.add(user)
                    self._holders.setdefault(user, set()).add(entity)

    def _hold_firms(self, entity: str, entry: _Entry) -> None:
        """Record the accounts whose rows `entity` holds (its `firms`)."""
        for firm in entry.firms:
            _unhold(self._firm_holders, firm, entity)
        entry.firms = {f for f in entry.accounts["account_id"].to_pylist() if f is not None}
        for firm in entry.firms:
            self._firm_holders.setdefault(firm, set()).add(entity)

    def _renew_accounts(self, done: int, top: int) -> None:
        """Read again the accounts rows of the cached entities that a group message in
        (done, top] may have changed: the accounts it names (their rows, and for an account
        entity the account itself, which may have had none)."""
        named = {
            r[0]
            for r in self._store.raw.execute(
                "SELECT DISTINCT account_id FROM live_inbox WHERE seq > ? AND seq <= ? "
                "AND type = 'group' AND account_id IS NOT NULL",
                [done, top],
            ).fetchall()
        }
        stale = named & self._entries.keys()
        for firm in named:
            stale |= self._firm_holders.get(firm, set())
        found = self._read_accounts(stale)
        for entity in stale:
            entry = self._entries[entity]
            entry.accounts = found.get(entity, self._schemas["accounts"].empty_table())
            self._hold_firms(entity, entry)

    def drop(self, ids: Iterable[str]) -> None:
        """Forget the cached rows of `ids` (read again when next met)."""
        for entity in ids:
            entry = self._entries.pop(entity, None)
            if entry is None:
                continue
            self._rows -= entry.events.num_rows
            for user in entry.holds:
                _unhold(self._holders, user, entity)
            for firm in entry.firms:
                _unhold(self._firm_holders, firm, entity)

    def fill(self, ids: list[str], done: int, top: int) -> None:
        """Bring the events of `ids` (the entities in `live_pass_ids`) into the cache and
        show them as `live_pass_events` and `live_pass_users`: the events committed in
        (done, top] for those cached, and for the others (none after `prepare` when
        deferring) every event, read from `events`. `done` is at most the oldest deferred
        watermark when an installed entity is in the pass (its events after that watermark
        are not in its read)."""
        raw = self._store.raw
        cold = {e for e in ids if e not in self._entries}
        if cold:
            cold -= self._cache_new(cold, done)
        # The recent events of the cached entities (new ones included), through their cached
        # users rows; the cold ones are read whole from `events` below.
        self._show("live_pass_users", ids)
        raw.execute("DELETE FROM _recent_bounds")
        raw.execute("INSERT INTO _recent_bounds VALUES (?, ?)", [done, top])
        recent = raw.execute(self._recent_sql).to_arrow_table()
        if recent.num_rows:
            self._append(recent)
        self.last_cold = len(cold)
        if cold:
            self.cold_reads += 1
            started = time.perf_counter()
            with registered(raw, "_cold_in", pa.table({"entity_id": sorted(cold)})):
                raw.execute("DELETE FROM _cold_ids")
                raw.execute("INSERT INTO _cold_ids SELECT entity_id FROM _cold_in")
            events = raw.execute(self._cold_sql).to_arrow_table()
            users = raw.execute(self._users_sql.format(ids="_cold_ids")).to_arrow_table()
            self._put_all(cold, events, users)
            self.last_cold_ms = (time.perf_counter() - started) * 1000
            self.slow_reads |= self.last_cold_ms >= DEFER_AFTER_SECONDS * 1000
        for entity in ids:
            self._used(self._entries[entity])
        self._evict()
        for view in PASS_VIEWS:
            self._show(view, ids)

    def _append(self, recent: pa.Table) -> None:
        """Add the recent events (entity_id and the columns) of the cached entities. Those
        whose events came from a read (it can see events committed after the pass's
        watermark), and all after a failed pass, get only the events they do not hold."""
        check_all, self._check_all = self._check_all, False
        pairs = recent.group_by(["entity_id", "user_id"], use_threads=False).aggregate([])
        for entity, user in zip(
            pairs["entity_id"].to_pylist(), pairs["user_id"].to_pylist(), strict=True
        ):
            entry = self._entries.get(entity)
            if entry is not None and user is not None and user not in entry.holds:
                entry.holds.add(user)
                self._holders.setdefault(user, set()).add(entity)
        for entity, rows in self._split("events", recent).items():
            entry = self._entries.get(entity)
            if entry is None:
                continue
            if (check_all or entry.read) and entry.events.num_rows:
                held = entry.events["event_id"]
                rows = rows.filter(pc.invert(pc.is_in(rows["event_id"], value_set=held)))
            entry.read = False
            if not rows.num_rows:
                continue
            # One chunk per entity: a pass's copy of 1,400 entities' rows at 2k took about
            # 1.3x as long when each held up to 16 (one per pass that added events).
            entry.events = pa.concat_tables([entry.events, rows]).combine_chunks()
            self._rows += rows.num_rows

    def pass_failed(self) -> None:
        """A pass failed after `fill`: its recent events are added again by the next, which
        must not add them twice."""
        self._check_all = True

    def _forget_moved(self, done: int, top: int) -> tuple[set[str], set[str]]:
        """Drop the entities whose events an identify, group or alias message in (done,
        top] may have moved: those holding its users' events or rows, and its users'
        accounts; returns the users and those entities."""
        raw = self._store.raw
        users = {
            r[0]
            for r in raw.execute(
                "SELECT DISTINCT user_id FROM live_inbox WHERE seq > ? AND seq <= ? "
                "AND type IN ('identify', 'group', 'alias') AND user_id IS NOT NULL",
                [done, top],
            ).fetchall()
        }
        if not users:
            return set(), set()
        moved = set(users) | self._accounts_of(users)
        for user in users:
            moved |= self._holders.get(user, set())
        self.drop(moved)
        return users, moved

    def rows(self) -> int:
        """Event rows cached now."""
        return self._rows

    def entities(self) -> int:
        """Entities cached now."""
        return len(self._entries)

    def _used(self, entry: _Entry) -> None:
        """A pass uses `entry` now: its priority is the cache's floor plus one over its size
        (its rows, plus ENTRY_ROWS for what any entry costs)."""
        entry.used = self._pass
        entry.priority = self._floor + 1.0 / (entry.events.num_rows + ENTRY_ROWS)

    def _evict(self) -> None:
        """Beyond `max_rows`, drop the entities of lowest priority (never this pass's) down
        to 80% of it, and raise the floor to the highest priority dropped (GreedyDual-Size:
        a miss costs one read whatever the entity's size, so among entities used as long
        ago a small one is kept longer; one left alone is dropped once the floor passes it).
        With plain LRU a new signup met at its first events, a few rows, was the first
        dropped when the senders' large accounts filled the cache, and its next event waited
        for a scan of `events` (30-50 s at 1M accounts under load)."""
        if self._rows <= self.max_rows:
            return
        keep = int(self.max_rows * 0.8)
        kept = 0
        evicted = []
        for entity, entry in sorted(
            self._entries.items(), key=lambda item: (-item[1].priority, item[0])
        ):
            kept += entry.events.num_rows
            if kept > keep and entry.used < self._pass:
                evicted.append(entity)
                self._floor = max(self._floor, entry.priority)
        self.drop(evicted)
        self.evicted += len(evicted)


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
        lower_priority(EVALUATION_NICENESS)  # as the evaluator's (live/priority.py)
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
        """The canonical table, the recent events for `events`, and for `users` the cached
        users rows of the pass's entities (`live_pass_users`): the recent events are added
        to cached entities only, whose users rows are current (a move drops them)."""
        if name == "users":
            return self._store.con.table("live_pass_users")
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


def _arrow_schema(raw: Any, table: str) -> pa.Schema:
    """The Arrow schema DuckDB gives the rows of `table`, with its JSON columns as Arrow's
    JSON type (which DuckDB reads back as JSON)."""
    columns = SCHEMAS[table]
    found = raw.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0").to_arrow_table()
    return pa.schema(
        [
            pa.field(f.name, pa.json_(pa.string())) if columns[f.name] == "JSON" else f
            for f in found.schema
        ]
    )


def _with_entity(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field("entity_id", pa.string()), *schema])


def _by_entity(table: pa.Table) -> dict[str, pa.Table]:
    """`table` (entity_id first, then the columns) split by entity_id, without it (slices
    of one sorted copy)."""
    if not table.num_rows:
        return {}
    table = table.sort_by("entity_id")
    runs = pc.run_end_encode(table["entity_id"].combine_chunks())
    rows = table.drop_columns(["entity_id"])
    split: dict[str, pa.Table] = {}
    start = 0
    for entity, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
        if entity is not None:
            split[entity] = rows.slice(start, end - start)
        start = end
    return split


def _unhold(holders: dict[str, set[str]], key: str, entity: str) -> None:
    """Remove `entity` from the holders of `key`."""
    found = holders.get(key)
    if found is not None:
        found.discard(entity)
        if not found:
            del holders[key]
