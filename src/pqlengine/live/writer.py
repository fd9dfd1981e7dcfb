"""Group commit: accepted messages are written to the store before their request is answered.

Requests hand their messages to one writer thread; it writes everything that queued up
while the previous commit ran in a single DuckDB transaction (DuckDB syncs its WAL on
commit), then resolves every waiting request. One commit serves many requests, so the
cost of durability is paid per batch, not per event.

Duplicates are found through the dedupe window (live/dedupe.py): the message ids of the
last 10M messages stored, hashed, in memory. The tables have no index on `messageId` or
`event_id`: DuckDB's checkpoints rewrite the pages of such an index that random keys dirty,
and at 1M accounts that held durable ingest to 1,500-2,250 events/s (docs/live.md "Dedupe").
The event registries get one appended row per key of the new events (registry.py), which a
compactor thread merges into one row per key once enough have piled up, off the write path.
One cost still grows with the store: the merge of identify/group calls into users and
accounts, which reads the batch's stored rows with `IN (...)` lists that DuckDB 1.5 plans as
a scan of the table (a hash join from 8 keys on; EXPLAIN shows no index scan), about 35 ms
per list at 1M accounts.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pqlengine import registry
from pqlengine.ingest.segment import Message
from pqlengine.live import dedupe
from pqlengine.store import SCHEMAS, Store, registered, transaction

MAX_MESSAGES_PER_COMMIT = 20_000
# Registry rows appended by commits before the compactor merges them: COMPACT_AFTER_ROWS,
# or one COMPACT_SHARE-th of the registries' rows when that is more. A compaction reads the
# registries once (at 1M accounts, 15M rows: a second or more of background work), so a
# fixed count made its cost per appended row grow with the store (at 1M accounts flat out,
# a compaction every 20 s, 12% of a core); a share keeps it at about COMPACT_SHARE rows
# read per row appended at any size. Rows waiting are exact (every reader combines a key's
# rows), a few percent more rows for the readers of the registries.
COMPACT_AFTER_ROWS = 200_000
COMPACT_SHARE = 10
# The WAL is checkpointed by the compactor thread once it holds this much: DuckDB's own
# automatic checkpoint (at 16 MB) is skipped while another transaction runs, which in the
# service is nearly always (at 500 events/s on a 1M-account store the WAL grew by 260 KB/s
# until the stop, so memory and the replay after a crash grew with the uptime). An explicit
# CHECKPOINT writes what is committed; it is refused while another connection has an update
# in flight (FORCE CHECKPOINT would wait for every transaction, the cold loader's scans of
# several seconds included, holding up commits), so it is tried again every 50 ms, up to
# CHECKPOINT_ATTEMPTS times per look.
CHECKPOINT_WAL_BYTES = 32 * 1024 * 1024
CHECK_WAL_SECONDS = 5.0
CHECKPOINT_ATTEMPTS = 100
# Keys looked up per `IN (...)` list (each list is one scan of the table: see above).
KEYS_PER_LOOKUP = 256
_TYPES = {"VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"), "BIGINT": pa.int64()}
_TYPES.update({"DOUBLE": pa.float64(), "JSON": pa.string()})
# What the store raises for values it refuses (pyarrow's ArrowInvalid is a ValueError,
# a lone surrogate a UnicodeEncodeError, an int over 64 bits an OverflowError).
_DATA_ERRORS: tuple[type[Exception], ...] = (ValueError, OverflowError, TypeError)
_DATA_ERRORS += (duckdb.DataError, duckdb.IntegrityError, duckdb.InvalidInputException)
_ALIASES = {"previous_id": "VARCHAR", "user_id": "VARCHAR", "aliased_at": "TIMESTAMP"}
log = logging.getLogger("pqlengine.live")
# The messages of a commit by message id (the first of each), with when each came.
_Pending = dict[str, tuple[Message, datetime]]


@dataclass(frozen=True)
class WriteResult:
    """What one submission added: messages new to the store, and duplicates skipped."""

    accepted: int
    duplicates: int


class UnstorableMessages(Exception):
    """Messages of one submission the store refused because of their data (a value that
    validation let through); the submission's other messages were stored."""

    def __init__(self, written: WriteResult, refused: dict[int, str]) -> None:
        super().__init__(f"{len(refused)} message(s) could not be stored")
        self.written = written
        self.refused = refused  # position in the submitted messages -> why, one line


@dataclass
class _Submission:
    messages: list[Message]
    received_at: datetime
    future: Future[WriteResult]


class Writer:
    """The single writer of ingested messages; `submit` is safe from any thread."""

    def __init__(self, store: Store) -> None:
        self._store = store.cursor()
        self._queue: queue.Queue[_Submission | None] = queue.Queue()
        row = self._store.raw.execute("SELECT coalesce(max(seq), 0) FROM live_inbox").fetchone()
        self._next_seq = int(row[0] if row else 0) + 1
        self.window = dedupe.DedupeWindow(dedupe.WINDOW)
        self.window.load(self._store.raw)
        self._listeners: list[threading.Event] = []
        self._thread = threading.Thread(target=self._run, name="pql-writer", daemon=True)
        self.commits = 0
        self.duplicates = 0  # messages found in the dedupe window and not stored again
        self.last_commit_ms = 0.0
        self.compactor = Compactor(store)

    def start(self) -> None:
        """Start the writer thread (and the registry compactor)."""
        self.compactor.start()
        self._thread.start()

    def notify(self, event: threading.Event) -> None:
        """Set `event` after every commit that added messages (wakes the evaluator)."""
        self._listeners.append(event)

    def submit(self, messages: list[Message], received_at: datetime) -> Future[WriteResult]:
        """Queue messages; the future resolves once they are committed (or fails)."""
        future: Future[WriteResult] = Future()
        if not messages:
            future.set_result(WriteResult(0, 0))
            return future
        self._queue.put(_Submission(messages, received_at, future))
        return future

    def stop(self) -> None:
        """Finish what is queued, then stop (the compactor merges what is pending)."""
        self._queue.put(None)
        self._thread.join(timeout=30)
        self.compactor.stop()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            size = len(first.messages)
            stop = False
            while size < MAX_MESSAGES_PER_COMMIT:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
                size += len(item.messages)
            self._commit_all(batch)
            if stop:
                return

    def _commit_all(self, batch: list[_Submission]) -> None:
        started = time.perf_counter()
        try:
            results = self._commit(batch)
        except Exception as exc:  # nothing of this batch was kept
            if len(batch) > 1:
                # One request's data must never fail the others: each is retried alone, so
                # only a submission that fails on its own gets an error.
                for submission in batch:
                    self._commit_all([submission])
            else:
                self._commit_alone(batch[0], exc)
            return
        self.last_commit_ms = (time.perf_counter() - started) * 1000
        self._resolved(batch, results)

    def _resolved(self, batch: list[_Submission], results: list[WriteResult]) -> None:
        self.commits += 1
        for submission, result in zip(batch, results, strict=True):
            submission.future.set_result(result)
        if any(r.accepted for r in results):
            for listener in self._listeners:
                listener.set()

    def _commit_alone(self, submission: _Submission, error: Exception) -> None:
        """A submission that failed on its own: a store error fails it (503); a data error
        is narrowed to its messages, each committed alone, and the ones the store refuses
        fail as `UnstorableMessages` (400) while the others are kept."""
        if not _is_data_error(error):
            submission.future.set_exception(error)
            return
        refused: dict[int, str] = {}
        results: list[WriteResult] = []
        for position, message in enumerate(submission.messages):
            alone = _Submission([message], submission.received_at, Future())
            try:
                results += self._commit([alone])
            except Exception as exc:
                if not _is_data_error(exc):
                    submission.future.set_exception(exc)  # the client retries; dedupe holds
                    return
                refused[position] = _reason(exc)
                continue
            self._resolved([alone], results[-1:])
        written = WriteResult(sum(r.accepted for r in results), sum(r.duplicates for r in results))
        if refused:
            submission.future.set_exception(UnstorableMessages(written, refused))
        else:  # it passed alone: the group's failure was not this submission's data
            submission.future.set_result(written)

    def _commit(self, batch: list[_Submission]) -> list[WriteResult]:
        raw = self._store.raw
        messages: _Pending = {}  # the first of each message id
        for submission in batch:
            for message in submission.messages:
                messages.setdefault(message.message_id, (message, submission.received_at))
        ids = list(messages)
        keys = dedupe.hashes(raw, ids)
        seen = self._window_hits(ids, keys)
        for message_id in seen:
            del messages[message_id]
        fresh_keys = [k for i, k in zip(ids, keys, strict=True) if i not in seen]
        first_seq = self._next_seq
        self._store_new(messages)
        self.window.add(fresh_keys, list(range(first_seq, first_seq + len(fresh_keys))))
        self.duplicates += len(seen)
        fresh = set(messages)
        results = []
        for submission in batch:
            submitted = {m.message_id for m in submission.messages}
            new = len(submitted & fresh)
            fresh -= submitted  # a message id repeated across requests counts once
            results.append(WriteResult(new, len(submission.messages) - new))
        return results

    def _window_hits(self, ids: list[str], keys: list[int]) -> set[str]:
        """The ids stored within the window: their hash is there, and the inbox row it names
        holds the same id (so a hash collision is not taken for a duplicate)."""
        candidates = self.window.candidates(keys)
        if not candidates:
            return set()
        stored = dedupe.stored_ids(self._store.raw, sorted(set(candidates.values())))
        return {
            message_id
            for message_id, key in zip(ids, keys, strict=True)
            if key in candidates and stored.get(candidates[key]) == message_id
        }

    def _store_new(self, messages: _Pending) -> None:
        """Commit `messages` (none of them stored before, within the window) in one
        transaction, numbered from `_next_seq` in their order."""
        if not messages:
            return
        raw = self._store.raw
        inbox: dict[str, list[Any]] = {k: [] for k in ("seq", "message_id", "type")}
        inbox.update({"user_id": [], "account_id": [], "received_at": []})
        for message, received_at in messages.values():
            inbox["seq"].append(self._next_seq)
            inbox["message_id"].append(message.message_id)
            inbox["type"].append(message.type)
            inbox["user_id"].append(message.user_id)
            inbox["account_id"].append(message.account_id)
            inbox["received_at"].append(received_at)
            self._next_seq += 1
        with registered(raw, "_inbox_in", pa.table(inbox)), transaction(raw):
            raw.execute("INSERT INTO live_inbox SELECT * FROM _inbox_in")
            rows = _rows(m for m, _ in messages.values())
            appended = _insert_events(raw, rows["events"], self._next_seq - 1)
            for table in ("users", "accounts"):
                _upsert(raw, table, rows[table])
            _insert(raw, "aliases", rows["aliases"])
        self.compactor.appended(appended)


def _is_data_error(error: Exception) -> bool:
    """Whether the store refused the rows' values (conversion, range, encoding, constraint),
    as opposed to being unable to write at all (I/O, memory, a closed connection)."""
    return isinstance(error, _DATA_ERRORS)


def _reason(error: Exception) -> str:
    """The store's refusal in one line, safe to send back in a UTF-8 JSON answer."""
    lines = str(error).strip().splitlines()  # may be empty: this runs on the writer thread
    text = f"{type(error).__name__}: {lines[0] if lines else 'no message'}"
    return text[:200].encode("utf-8", "backslashreplace").decode("utf-8")


def _rows(messages: Iterable[Message]) -> dict[str, list[dict[str, Any]]]:
    """The store rows of `messages`, by table."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in (*SCHEMAS, "aliases")}
    for message in messages:
        for table, row in message.rows:
            rows[table].append(row)
    return rows


def _arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = _ALIASES if table == "aliases" else SCHEMAS[table]
    columns = {}
    for column, sql_type in schema.items():
        values = [row.get(column) for row in rows]
        if sql_type == "JSON":
            values = [None if v is None else json.dumps(v, default=str) for v in values]
        columns[column] = pa.array(values, type=_TYPES[sql_type])
    return pa.table(columns)


def _insert_events(raw: Any, rows: list[dict[str, Any]], seq: int) -> int:
    """Insert the events and append their registry rows marked `seq`; returns the registry
    rows appended."""
    if not rows:
        return 0
    with registered(raw, "_events_added", _arrow("events", rows)):
        raw.execute("INSERT INTO events SELECT * FROM _events_added")
        # The evaluator's entity cache reads a commit's events from here (entity_cache.py).
        raw.execute(f"INSERT INTO live_recent_events SELECT *, {int(seq)} FROM _events_added")
        return registry.append(raw, "SELECT account_id, user_id, ts FROM _events_added", seq)


def _insert(raw: Any, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    raw.register("_rows_in", _arrow(table, rows))
    try:
        raw.execute(f"INSERT INTO {table} SELECT * FROM _rows_in")
    finally:
        raw.unregister("_rows_in")


def _upsert(raw: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Merge rows into users/accounts: given values replace, missing ones are kept, and
    traits are merged key by key (later calls win), as Segment's identify/group do. The
    stored rows of the batch's keys are read with `IN` lists (a scan each)."""
    if not rows:
        return
    key = "user_id" if table == "users" else "account_id"
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        current = merged.setdefault(row[key], {key: row[key], "traits": {}})
        for column, value in row.items():
            if column == "traits":
                current["traits"].update(value or {})
            elif value is not None:
                current[column] = value
    keys = list(merged)
    chunks = [keys[i : i + KEYS_PER_LOOKUP] for i in range(0, len(keys), KEYS_PER_LOOKUP)]
    found = [
        raw.execute(f"SELECT * FROM {table} WHERE {key} IN ({_marks(chunk)})", chunk)
        .to_arrow_table()
        .cast(_arrow(table, []).schema)
        for chunk in chunks
    ]
    columns = [c for c in SCHEMAS[table] if c not in (key, "traits")]
    picks = ", ".join(f"coalesce(n.{c}, o.{c}) AS {c}" for c in columns)
    raw.register("_rows_in", _arrow(table, list(merged.values())))
    raw.register("_rows_stored", pa.concat_tables(found))
    try:
        raw.execute(
            f"CREATE OR REPLACE TEMP TABLE _merged AS SELECT n.{key} AS {key}, {picks}, "
            "CASE WHEN o.traits IS NULL THEN n.traits::JSON "
            "ELSE json_merge_patch(o.traits::JSON, n.traits::JSON) END AS traits "
            f"FROM _rows_in n LEFT JOIN _rows_stored o ON o.{key} = n.{key}"
        )
        for chunk in chunks:
            raw.execute(f"DELETE FROM {table} WHERE {key} IN ({_marks(chunk)})", chunk)
        raw.execute(f"INSERT INTO {table} SELECT * FROM _merged")
        raw.execute("DROP TABLE _merged")
    finally:
        raw.unregister("_rows_in")
        raw.unregister("_rows_stored")


def _marks(values: list[Any]) -> str:
    """Placeholders for `values` in an IN list (the values themselves are parameters)."""
    return ", ".join("?" for _ in values)


class Compactor:
    """Merges the registry rows commits appended (registry.compact) on its own connection
    once `threshold` have piled up (see COMPACT_SHARE), and at stop; a failed compaction is
    retried at the next trigger (the appended rows stay exact meanwhile). Every
    `CHECK_WAL_SECONDS` it also checkpoints the WAL when it holds `CHECKPOINT_WAL_BYTES`."""

    def __init__(self, store: Store) -> None:
        self._store = store.cursor()
        row = self._store.raw.execute(
            f"SELECT count(*) FROM {registry.DAYS.table} WHERE {registry.LIVE_SEQ} IS NOT NULL"
        ).fetchone()
        self.pending = int(row[0]) if row else 0
        self._measure()  # sets `threshold`
        self.compactions = 0
        self.last_ms = 0.0
        self.checkpoints = 0
        self.checkpoints_refused = 0
        self.last_checkpoint_ms = 0.0
        self._wal = Path(f"{store.path}.wal")
        self._due = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pql-compactor", daemon=True)

    def start(self) -> None:
        """Start the compactor thread."""
        self._thread.start()

    def appended(self, rows: int) -> None:
        """A commit appended `rows` registry rows (called by the writer thread)."""
        self.pending += rows
        if self.pending >= self.threshold:
            self._due.set()

    def _measure(self) -> None:
        """Set `threshold`, the rows waiting that trigger a compaction, from the registries'
        size now."""
        stored = 0
        for table in (r.table for r in registry.REGISTRIES):
            row = self._store.raw.execute(f"SELECT count(*) FROM {table}").fetchone()
            stored += int(row[0]) if row else 0
        self.threshold = max(COMPACT_AFTER_ROWS, stored // COMPACT_SHARE)

    def stop(self) -> None:
        """Stop the thread and merge what is pending, so a restart reads merged rows."""
        self._stopped.set()
        self._due.set()
        if self._thread.is_alive():
            self._thread.join(timeout=120)
        if self.pending:
            try:
                self.compact()
            except Exception:  # e.g. a store that failed: the rows stay exact unmerged,
                # and a failure here must not stop the service's stop or its reopen
                log.exception("registry compaction at stop failed; rows stay unmerged")

    def compact(self) -> None:
        """Merge every pending row now."""
        started = time.perf_counter()
        waiting = self.pending
        registry.compact(self._store.raw)
        self.pending = max(0, self.pending - waiting)
        self.compactions += 1
        self._measure()
        self.last_ms = (time.perf_counter() - started) * 1000

    def checkpoint_if_due(self) -> bool:
        """CHECKPOINT when the WAL holds `CHECKPOINT_WAL_BYTES` or more; True if it did."""
        try:
            size = self._wal.stat().st_size
        except FileNotFoundError:
            return False
        if size < CHECKPOINT_WAL_BYTES:
            return False
        for _ in range(CHECKPOINT_ATTEMPTS):
            started = time.perf_counter()
            try:
                self._store.raw.execute("CHECKPOINT")
            except duckdb.TransactionException as exc:
                if "Cannot CHECKPOINT" not in str(exc):
                    raise
                self.checkpoints_refused += 1  # an update in flight elsewhere: soon again
                if self._stopped.wait(0.05):
                    return False
                continue
            self.checkpoints += 1
            self.last_checkpoint_ms = (time.perf_counter() - started) * 1000
            return True
        return False

    def _run(self) -> None:
        while True:
            due = self._due.wait(timeout=CHECK_WAL_SECONDS)
            self._due.clear()
            if self._stopped.is_set():
                return
            if due:
                try:
                    self.compact()
                except Exception:  # the rows stay exact unmerged; try again at the next trigger
                    log.exception("registry compaction failed; retrying later")
            try:
                self.checkpoint_if_due()
            except Exception:  # a full disk, say: the service sees it at its next commit
                log.exception("checkpoint failed; retrying later")
