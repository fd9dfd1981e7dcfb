"""Real-time qualification: re-qualify only the entities touched since the last pass
and those whose `next_change_at` has come (a rolling window or an expiry can end an
episode with no new event: docs/semantics.md "Live"), score them (the stored model for
open PQLs, else criteria progress: live/scoring.py), record transitions (entered / left
PQL) and queue their deliveries, all in one commit.

Idempotence: a pass compares each entity's new status with `pql_state`, and writes the
new state, the transitions, the outbox rows and the inbox watermark in one transaction.
A pass that dies before its commit is simply redone; a replayed message is a duplicate
by messageId and never reaches the inbox, so it cannot alert twice. A transition's id is
keyed by the inbox watermark and the episode instant it reports (start, lapse or
conversion), so a redone time-driven pass (same watermark, same instant) gives the same id
and a later lapse of the same entity another one.

Time comes from one injectable clock (`pqlengine.clock`), never from `datetime.now`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import ibis
import pyarrow as pa

from pqlengine.clock import Clock, naive_now, system_clock
from pqlengine.compute.attributes import entity_attributes
from pqlengine.compute.entities import entity_events
from pqlengine.compute.qualify import (
    progress_from_rows,
    progress_in_words,
    progress_values,
    qualification,
    to_record,
)
from pqlengine.config import Project, semantic_json
from pqlengine.destinations.outbox import Target, plan_deliveries
from pqlengine.destinations.payloads import transition_document
from pqlengine.live.entity_cache import EntityCache
from pqlengine.live.priority import EVALUATION_NICENESS, lower_priority
from pqlengine.live.scoring import LiveScorer, Score, progress_score
from pqlengine.live.tables import get_state, replace_rows, set_state, write_rows
from pqlengine.live.writer import KEYS_PER_LOOKUP
from pqlengine.store import Store, Tables, registered, transaction

PQL = "pql"
# Entities due within READ_AHEAD are read ahead of time, looked up every READ_AHEAD_EVERY.
READ_AHEAD = timedelta(seconds=60)
READ_AHEAD_EVERY = timedelta(seconds=10)
LATER_PER_PASS = 500
RECENT_PASSES = 200
# Users whose account _entity_ids remembers, at most (about 150 bytes each).
MAX_REMEMBERED_USERS = 1_000_000
log = logging.getLogger("pqlengine.live")


class Evaluator:
    """Owns pql_state, pql_transitions and the outbox's new rows."""

    def __init__(
        self, store: Store, project: Project, found: list[Target], clock: Clock = system_clock
    ) -> None:
        self._store = store.cursor()
        self._project = project
        self._targets = found
        self._clock = clock
        # The earliest next_change_at in pql_state, read after each commit: an idle loop
        # iteration then costs no query (the due scan is ~45 ms at 1M entities).
        self._next_change: datetime | None = None
        self._read_ahead_at = datetime.min
        self.wake = threading.Event()
        self.delivered = threading.Event()  # set after a pass queued deliveries
        self._model_check = threading.Event()  # set when a new model may have been stored
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pql-evaluator", daemon=True)
        self.last_pass_ms = 0.0
        self.last_pass_entities = 0
        # Durations of the latest RECENT_PASSES passes (ms), for /healthz.
        self.recent_pass_ms: deque[float] = deque(maxlen=RECENT_PASSES)
        self._compiled: dict[object, str] = {}
        # user -> account as the users table said at an earlier pass (None: no account);
        # a message that can move its user drops the user's entry.
        self._accounts: dict[str, str | None] = {}
        self.scorer = LiveScorer(self._store, _PassEvents(self._store), project)
        self.cache = EntityCache(
            self._store, project, project.live.cache_rows, on_loaded=self.wake.set
        )
        self.passes = 0
        # Entities evaluated by incremental passes since the start, by why: all of them, those
        # whose next_change_at had come, those whose background read had come in.
        self.evaluated = {"all": 0, "due": 0, "read_in": 0}
        # Told of every failed pass; truthy when it is a store fault (a full disk), not a bug.
        self.failed: Callable[[Exception], object] = lambda exc: None

    def start(self) -> None:
        """Catch up (baseline or definition change, then the inbox) and start the loop."""
        self.catch_up()
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stopped.set()
        self.wake.set()
        self.cache.loader.stop()
        self._thread.join(timeout=30)

    def model_stored(self) -> None:
        """Look for a new model version now rather than at the next pass (any thread)."""
        self._model_check.set()
        self.wake.set()

    def catch_up(self) -> None:
        """Bring pql_state to the definition in service, then evaluate the inbox."""
        raw = self._store.raw
        self._sql(full=False)  # compile now, not on the first event
        self.scorer.refresh()
        self._read_next_change()
        version = self._project.version
        in_service = get_state(self._store, "definition_version")
        if in_service != version:
            self._store.record_definition(
                version, self._project.definition.name, semantic_json(self._project)
            )
            cause = "baseline" if in_service is None else "definition_changed"
            top = _top_seq(raw)
            self.evaluate(None, cause, top)
        left = raw.execute("SELECT count(*) FROM live_deferred").fetchone()
        if left and left[0]:
            # The last run left entities to background reads, so its cold reads were slow:
            # this start leaves them to the loader too rather than scan `events` first.
            self.cache.slow_reads = True
        self.evaluate_inbox()

    def evaluate_inbox(self) -> int:
        """One incremental pass over the entities touched since the watermark, those whose
        next_change_at has come and those left for later by an earlier pass; returns the
        count of those evaluated (live/entity_cache.py: the cold ones may be left for a
        later pass again, while their events are read)."""
        raw = self._store.raw
        done = _done(self._store)
        top = _top_seq(raw, done)
        now = naive_now(self._clock)
        due = self.due(now) if self._next_change is not None and self._next_change <= now else set()
        ids = set(due)
        if top > done:
            touched = raw.execute(
                "SELECT DISTINCT user_id, account_id, type IN ('identify', 'group', 'alias') "
                "FROM live_inbox WHERE seq > ? AND seq <= ?",
                [done, top],
            ).fetchall()
            ids |= self._entity_ids(touched)
        fresh = set(ids)  # due or touched now: always evaluated in this pass
        waiting = dict(raw.execute("SELECT entity_id, seq FROM live_deferred").fetchall())
        ids |= set(waiting)
        ahead = self._due_soon(now)
        if not ids and not ahead and top <= done:
            return 0
        ready, later = self.cache.prepare(ids, done, top, ahead)
        # Entities whose read has come in are evaluated LATER_PER_PASS at a time (the rest
        # stay in live_deferred), so that a pass with new events is not held up by
        # thousands of them at once.
        ready -= set(sorted(ready - fresh)[LATER_PER_PASS:])
        left = {e: top for e in later if e not in waiting}
        if not ready and not left and top <= done:
            return 0  # only entities whose events are still being read
        # Events of an entity left for later, committed after the pass that left it, are
        # not in its read: the pass copies them from the recent events (kept until then).
        since = min([done, *waiting.values()])
        # A pass of due entities only keeps the watermark (top == done): no new message.
        self.evaluate(sorted(ready), "events", max(top, done), since, left)
        for why, count in (("all", ready), ("due", due & ready), ("read_in", ready - fresh)):
            self.evaluated[why] += len(count)
        return len(ready)

    def _due_soon(self, now: datetime) -> set[str]:
        """When cold entities are read in the background: every READ_AHEAD_EVERY, the
        entities whose next_change_at comes within READ_AHEAD (a lapse is then evaluated
        on time though its events were not cached)."""
        if not self.cache.deferring() or self._next_change is None:
            return set()
        if self._next_change > now + READ_AHEAD or now < self._read_ahead_at:
            return set()
        self._read_ahead_at = now + READ_AHEAD_EVERY
        return self.due(now + READ_AHEAD)

    def due(self, now: datetime) -> set[str]:
        """Entities whose next_change_at is at or before `now` (naive UTC): their state may
        have changed with no new data, so they are re-qualified."""
        rows = self._store.raw.execute(
            "SELECT entity_id FROM pql_state WHERE next_change_at <= ?", [now]
        ).fetchall()
        return {r[0] for r in rows}

    def seconds_to_next_change(self, limit: float) -> float:
        """Seconds from now until the earliest next_change_at, at most `limit` (0 if due)."""
        if self._next_change is None:
            return limit
        return max(0.0, min(limit, (self._next_change - naive_now(self._clock)).total_seconds()))

    def _read_next_change(self) -> None:
        row = self._store.raw.execute("SELECT min(next_change_at) FROM pql_state").fetchone()
        self._next_change = None if row is None else row[0]

    def _entity_ids(self, touched: list[tuple[str | None, str | None, bool]]) -> set[str]:
        """The entities of the inbox rows `touched` (user_id, account_id, whether the
        message can move its user to another account)."""
        if self._project.entity == "user":
            return {u for u, _, _ in touched if u is not None}
        ids = {a for _, a, _ in touched if a is not None}
        for user, _, moves in touched:
            if moves and user is not None:
                self._accounts.pop(user, None)
        # A message naming an account touches that account only (its event is that
        # account's; an identify or group naming one makes it the user's account). The
        # users of the others count for their account: remembered from an earlier pass, or
        # looked up in `users` KEYS_PER_LOOKUP at a time (each list is one scan of `users`,
        # about 35 ms at 1.5M users; the users met are remembered).
        named = {u for u, a, _ in touched if u is not None and a is None}
        unknown = sorted(named - self._accounts.keys())
        if len(self._accounts) + len(unknown) > MAX_REMEMBERED_USERS:
            self._accounts.clear()
        for start in range(0, len(unknown), KEYS_PER_LOOKUP):
            chunk = unknown[start : start + KEYS_PER_LOOKUP]
            marks = ", ".join("?" for _ in chunk)
            rows = self._store.raw.execute(
                f"SELECT user_id, account_id FROM users WHERE user_id IN ({marks})", chunk
            ).fetchall()
            self._accounts.update(dict.fromkeys(chunk))
            self._accounts.update(rows)
        ids.update(a for u in named if (a := self._accounts.get(u)) is not None)
        return ids

    def evaluate(
        self,
        only: list[str] | None,
        cause: str,
        top_seq: int,
        done: int | None = None,
        later: dict[str, int] | None = None,
    ) -> None:
        """Qualify `only` (or everyone), diff with pql_state, commit state, transitions,
        deliveries, the entities left for `later` (id -> watermark) and the watermark
        together; `done`: the events committed after it are copied to the entity cache."""
        try:
            self._evaluate(only, cause, top_seq, done, later)
        except BaseException:
            self.cache.pass_failed()
            raise

    def _evaluate(
        self,
        only: list[str] | None,
        cause: str,
        top_seq: int,
        done: int | None,
        later: dict[str, int] | None,
    ) -> None:
        started = time.perf_counter()
        now = naive_now(self._clock)
        project = self._project
        records = []
        if only is None or only:
            records = [
                to_record(r, project) | {"next_change_at": r["next_change_at"]}
                for r in self._qualify(
                    only, now, _done(self._store) if done is None else done, top_seq
                )
            ]
        self._score(records, now, full=only is None)
        raw = self._store.raw
        # One transaction from the state it replaces (taken out by the same scan of
        # pql_state that deletes it) to the commit.
        with transaction(raw):
            previous = self._take_previous(only)
            transitions = []
            for record in records:
                before, since = previous.get(record["entity_id"], (None, None))
                if cause == "baseline":
                    continue
                # Under a new definition the episodes are new too: only the status counts.
                episodes_comparable = cause != "definition_changed"
                for kind, instant in _changes(before, since, record, episodes_comparable):
                    transitions.append(
                        self._transition(record, before, kind, instant, cause, now, top_seq)
                    )
            self._add_context(transitions, now, full=only is None)
            deliveries = self._deliveries(transitions, now)
            self._write(records, transitions, deliveries, now, top_seq, later or {})
        if only is None:
            self.cache.passed_everyone()
        self._read_next_change()
        self.passes += 1
        self.last_pass_ms = (time.perf_counter() - started) * 1000
        self.recent_pass_ms.append(self.last_pass_ms)
        self.last_pass_entities = len(records)
        if deliveries:
            self.delivered.set()

    def _score(self, records: list[dict[str, Any]], now: datetime, full: bool) -> None:
        """Set each record's `score`: the model's for open PQLs when a model is in service,
        criteria progress for everyone else (and for all without a model)."""
        self.scorer.refresh()
        open_ids = [r["entity_id"] for r in records if r["status"] == PQL]
        found = self.scorer.scores(open_ids, now, full)
        for record in records:
            record["score"] = found.get(record["entity_id"]) or progress_score(
                record, self._project
            )

    def _qualify(
        self, only: list[str] | None, now: datetime, done: int, top: int
    ) -> list[dict[str, Any]]:
        """Qualification rows of `only` (or everyone) at `now`, by the cached query; the
        inbox messages in (done, top] are the ones this pass evaluates."""
        raw = self._store.raw
        full = only is None
        sql = self._sql(full)
        ids = pa.table({"entity_id": pa.array(only or [], pa.string())})
        clock = pa.table({"as_of": pa.array([now], pa.timestamp("us"))})
        replace_rows(raw, {"live_clock": clock, "live_pass_ids": ids})
        if not full:
            # The entities' events, from the cache or (first time) from `events`.
            self.cache.fill(only or [], done, top)
        result = raw.execute(sql).fetch_arrow_table()
        rows: list[dict[str, Any]] = result.to_pylist()
        return rows

    def _sql(self, full: bool) -> str:
        """The qualification query for everyone, or for `live_pass_ids` over their events
        (`live_pass_events`: the entity cache's view of them), compiled once."""
        if full not in self._compiled:
            clock = self._store.table("live_clock").as_of.max()
            if full:
                expression = qualification(self._store, self._project, clock)
            else:
                ids = self._store.table("live_pass_ids").entity_id
                expression = qualification(_PassEvents(self._store), self._project, clock, ids)
            self._compiled[full] = str(self._store.con.compile(expression))
        return self._compiled[full]

    def _take_previous(self, only: list[str] | None) -> dict[str, tuple[str, datetime | None]]:
        """Delete the pql_state rows of `only` (or all) and those entities' live_deferred
        rows, in the caller's transaction; returns entity_id -> (status, pql_since) as the
        state rows said (a scan of pql_state costs about 20 ms at 1M entities, so the
        delete returns them rather than a select before it)."""
        raw = self._store.raw
        if only is None:
            rows = raw.execute("SELECT entity_id, status, pql_since FROM pql_state").fetchall()
            raw.execute("DELETE FROM pql_state")
            raw.execute("DELETE FROM live_deferred")
            return {r[0]: (r[1], r[2]) for r in rows}
        if not only:
            return {}
        with registered(raw, "_only", pa.table({"entity_id": only})):
            rows = raw.execute(
                "DELETE FROM pql_state WHERE entity_id IN (SELECT entity_id FROM _only) "
                "RETURNING entity_id, status, pql_since"
            ).fetchall()
            raw.execute(
                "DELETE FROM live_deferred WHERE entity_id IN (SELECT entity_id FROM _only)"
            )
        return {r[0]: (r[1], r[2]) for r in rows}

    def _transition(
        self,
        record: dict[str, Any],
        before: str | None,
        kind: str,
        instant: datetime | None,
        cause: str,
        now: datetime,
        top_seq: int,
    ) -> dict[str, Any]:
        """One transition; `instant` is the episode's start (entered) or end (left)."""
        cause = _cause(kind, record, instant, cause)
        version = self._project.version
        key = f"{record['entity_id']}|{version}|{kind}|{top_seq}"
        if instant is not None:
            # Redo of a time-driven pass (same watermark): same id; a later lapse: another.
            key += f"|{_naive(instant)}"
        qualified = record["qualified_at"]
        lapsed = cause == "lapsed"
        return {
            "transition_id": hashlib.sha256(key.encode()).hexdigest()[:32],
            "entity_id": record["entity_id"],
            "definition_version": version,
            "definition_name": self._project.definition.name,
            "kind": kind,
            "cause": cause,
            "status_from": before,
            "status_to": record["status"],
            "qualified_at": None if qualified is None else qualified.replace(tzinfo=None),
            "pql_since": _naive(instant) if kind == "entered" else None,
            "lapsed_at": _naive(instant) if lapsed else None,
            "score": record["score"].score,
            "score_source": record["score"].source,
            "reasons": record["score"].reasons,
            "criteria_met": record["criteria_met"],
            "trigger_event_id": None,
            "trigger_event": None,
            "trigger_ts": None,
            "detected_at": now,
        }

    def _add_context(self, transitions: list[dict[str, Any]], now: datetime, full: bool) -> None:
        """The triggering event (the one at the episode's start: qualified_at for the first
        one), the criteria progress of each entered entity and the fit data of each entity,
        by queries compiled once over `live_context_ids` and the pass's clock (`now`)."""
        if not transitions:
            return
        for transition in transitions:
            transition["started_at"] = transition["pql_since"] or transition["qualified_at"]
        context = pa.table(
            {
                "entity_id": pa.array([t["entity_id"] for t in transitions], pa.string()),
                "started_at": pa.array(
                    [t["started_at"] if t["kind"] == "entered" else None for t in transitions],
                    pa.timestamp("us"),
                ),
            }
        )
        raw = self._store.raw
        write_rows(raw, {"live_context_ids": context})  # in the pass's transaction
        if not full:
            self.cache.copy_context([t["entity_id"] for t in transitions])
        entered = [t for t in transitions if t["kind"] == "entered" and t["started_at"]]
        if entered:
            found = raw.execute(self._context_sql("trigger", full)).to_arrow_table().to_pylist()
            at = {(e["entity_id"], e["ts"]): e for e in sorted(found, key=lambda e: e["event_id"])}
            rows = raw.execute(self._context_sql("progress", full)).to_arrow_table().to_pylist()
            progress = progress_in_words(self._project, progress_from_rows(self._project, rows))
            for transition in entered:
                transition["progress"] = progress.get(transition["entity_id"], [])
                event = at.get((transition["entity_id"], transition["started_at"]))
                if event is not None:
                    transition["trigger_event_id"] = event["event_id"]
                    transition["trigger_event"] = event["event"]
                    transition["trigger_ts"] = event["ts"]
        fits: dict[str, dict[str, Any]] = {}
        for row in raw.execute(self._context_sql("fit", full)).to_arrow_table().to_pylist():
            entity = row.pop("attr_id")
            if row.get("domain") is None and self._project.entity == "user":
                row.pop("domain")
            fits[entity] = row
        for transition in transitions:
            transition["fit"] = fits.get(transition["entity_id"], {})

    def _context_sql(self, part: str, full: bool) -> str:
        """A context query over `live_context_ids`, compiled once: "trigger" (the events at
        an entered episode's start), "progress" (`progress_values`) or "fit" (the firm data a
        payload shows: name, domain, employees, plan of an account; the email, account and
        email domain of a user). An incremental pass reads its entities' cached events (every
        entered entity is one of them); a pass over everyone reads the store."""
        key = (part, full)
        if key not in self._compiled:
            store = self._store
            tables: Tables = store if full else _PassEvents(store, context=True)
            clock = store.table("live_clock").as_of.max()
            context = store.table("live_context_ids")
            ids = context.entity_id
            if part == "trigger":
                events = entity_events(
                    tables, self._project, clock, columns=("event_id", "event", "ts"), only=ids
                )
                starts = context.filter(context.started_at.notnull())
                expression = events.join(
                    starts,
                    (events.entity_id == starts.entity_id) & (events.ts == starts.started_at),
                ).select(events.entity_id, events.event_id, events.event, events.ts)
            elif part == "progress":
                expression = progress_values(tables, self._project, clock, ids)
            else:
                expression = self._fit_expression(ids)
            self._compiled[key] = str(store.con.compile(expression))
        return self._compiled[key]

    def _fit_expression(self, ids: ibis.Column) -> ibis.Table:
        found = entity_attributes(self._store, self._project)
        found = found.filter(found.attr_id.isin(ids))
        if self._project.entity == "account":
            return found.select(
                "attr_id",
                name=found.attr_name,
                domain=found.attr_domain,
                employees=found.attr_employees,
                plan=found.attr_plan,
            )
        return found.select(
            "attr_id",
            email=found.attr_email,
            account_id=found.account_id,
            domain=found.attr_fit_domain,
        )

    def _deliveries(self, transitions: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        rows = []
        for transition in transitions:
            document = transition_document(transition, self._project.project, self._project.entity)
            for target in self._targets:
                rows.extend(
                    plan_deliveries(
                        self._store.raw, target, transition, document, self._project.live, now
                    )
                )
        return rows

    def _write(
        self,
        records: list[dict[str, Any]],
        transitions: list[dict[str, Any]],
        deliveries: list[dict[str, Any]],
        now: datetime,
        top_seq: int,
        later: dict[str, int],
    ) -> None:
        """Write a pass's state rows (in place of those `_take_previous` took out), its
        transitions, deliveries, the entities left for `later` and the watermark, in the
        pass's transaction."""
        raw = self._store.raw
        version = self._project.version
        scores: list[Score] = [r["score"] for r in records]
        state = {
            "entity_id": [r["entity_id"] for r in records],
            "definition_version": [version] * len(records),
            "status": [r["status"] for r in records],
            "qualified_at": [_naive(r["qualified_at"]) for r in records],
            "converted_at": [_naive(r["converted_at"]) for r in records],
            "score": [s.score for s in scores],
            "score_source": [s.source for s in scores],
            "reasons": [json.dumps(s.reasons) for s in scores],
            "criteria_met": [json.dumps(r["criteria_met"]) for r in records],
            "pql_since": [_naive(r["pql_since"]) for r in records],
            "lapsed_at": [_naive(r["lapsed_at"]) for r in records],
            "next_change_at": [r["next_change_at"] for r in records],
            "updated_at": [now] * len(records),
        }
        _append(raw, "pql_state", state)
        _append(raw, "pql_transitions", _columns(transitions, _TRANSITION_COLUMNS))
        _append(raw, "outbox", _columns(deliveries, _OUTBOX_COLUMNS))
        _append(raw, "live_deferred", {"entity_id": list(later), "seq": list(later.values())})
        set_state(self._store, "inbox_seq", str(top_seq))
        # The events this pass took (the entity cache copied what it needed), but those of
        # entities left for later that their read may not hold.
        raw.execute(
            "DELETE FROM live_recent_events WHERE seq <= ? "
            "AND seq <= (SELECT coalesce(min(seq), ?) FROM live_deferred)",
            [top_seq, top_seq],
        )
        set_state(self._store, "definition_version", version)

    def _run(self) -> None:
        lower_priority(EVALUATION_NICENESS)  # acknowledging events comes first (live/priority.py)
        interval = self._project.live.evaluate_every_ms / 1000
        while not self._stopped.is_set():
            # New events wake us; otherwise the earliest next_change_at (a lapse) does, and
            # the interval bounds the wait (a moved clock is seen within it).
            self.wake.wait(timeout=self.seconds_to_next_change(interval))
            self.wake.clear()
            if self._stopped.is_set():
                return
            try:
                if self._model_check.is_set():
                    self._model_check.clear()
                    self.scorer.refresh()
                self.evaluate_inbox()
            except Exception as exc:  # the watermark did not move; the next pass retries
                if not self.failed(exc):  # a store fault is logged once, by the service
                    log.exception("evaluation pass failed; retrying")
                time.sleep(max(interval, 0.5))


class _PassEvents:
    """`Tables` as the incremental query sees them: `events` and `users` are the pass
    entities' rows in the entity cache (one row per event_id, copied from our own table; no
    day registry over it); with `context`, `events` are those of the entities in
    `live_context_ids` only (a copy per pass: the context queries read them several times)."""

    def __init__(self, store: Store, context: bool = False) -> None:
        self.con = store.con
        self.capabilities = replace(store.capabilities, day_registry=False, unique_events=True)
        self._names = _CONTEXT_TABLES if context else _PASS_TABLES

    def table(self, name: str) -> ibis.Table:
        """The canonical table, or the pass's rows for `events` and `users`."""
        return self.con.table(self._names.get(name, name))


_PASS_TABLES = {
    "events": "live_pass_events",
    "users": "live_pass_users",
    "accounts": "live_pass_accounts",
}
_CONTEXT_TABLES = {**_PASS_TABLES, "events": "live_context_events"}


_TRANSITION_COLUMNS = (
    "transition_id",
    "entity_id",
    "definition_version",
    "kind",
    "cause",
    "status_from",
    "status_to",
    "qualified_at",
    "pql_since",
    "lapsed_at",
    "score",
    "score_source",
    "reasons",
    "criteria_met",
    "trigger_event_id",
    "trigger_event",
    "trigger_ts",
    "detected_at",
)
_OUTBOX_COLUMNS = (
    "delivery_id",
    "after_delivery_id",
    "transition_id",
    "destination",
    "destination_type",
    "entity_id",
    "kind",
    "method",
    "url",
    "body",
    "status",
    "reason",
    "attempts",
    "next_attempt_at",
    "last_error",
    "last_status_code",
    "created_at",
    "delivered_at",
)


def _columns(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name in names:
        values = [row[name] for row in rows]
        if name in ("criteria_met", "reasons"):
            values = [json.dumps(v) for v in values]
        out[name] = values
    return out


def _append(raw: Any, table: str, columns: dict[str, list[Any]]) -> None:
    if not next(iter(columns.values())):
        return
    types = dict(raw.execute(f"SELECT column_name, column_type FROM (DESCRIBE {table})").fetchall())
    arrays = {
        name: pa.array(values, type=_ARROW.get(types[name])) for name, values in columns.items()
    }
    raw.register("_append_in", pa.table(arrays))
    try:
        names = ", ".join(columns)
        raw.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _append_in")
    finally:
        raw.unregister("_append_in")


_ARROW = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DOUBLE": pa.float64(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
}


def _changes(
    before: str | None,
    since: datetime | None,
    record: dict[str, Any],
    episodes_comparable: bool = True,
) -> list[tuple[str, datetime | None]]:
    """The transitions from the recorded (status, pql_since) to `record`, each with its
    episode instant: entered (the open episode's start), left (the end of the episode that
    was open: its lapse or conversion; None when it has no episode any more). A PQL with
    another open episode than recorded lapsed and re-qualified in between, unless the
    episodes are not comparable (recorded under another definition)."""
    after = record["status"]
    starts = {_naive(e[0]): e for e in record["episodes"]}
    if after == PQL and before != PQL:
        return [("entered", record["pql_since"])]
    if before == PQL and after != PQL:
        episode = starts.get(since) if since is not None else None
        if episode is None and record["episodes"]:
            episode = record["episodes"][-1]
        return [("left", None if episode is None else episode[1])]
    moved = since is not None and _naive(record["pql_since"]) != since
    if before == PQL and after == PQL and moved and episodes_comparable:
        # Lapsed and re-qualified between two looks (events arrived late, or the service
        # was down over both instants): the recorded episode ended, a later one is open.
        ended = starts.get(since)
        return [("left", None if ended is None else ended[1]), ("entered", record["pql_since"])]
    return []


def _cause(kind: str, record: dict[str, Any], instant: datetime | None, cause: str) -> str:
    """docs/semantics.md "Live": requalified for an episode after the first, lapsed for an
    end that is not the conversion, converted for one that is; a definition change or a
    change of fit (no episode any more) keeps the pass's cause."""
    if cause == "definition_changed" and not (
        kind == "left" and record["status"] == "converted_pql"
    ):
        return cause
    if kind == "entered":
        first = record["episodes"][0][0] if record["episodes"] else None
        return "requalified" if first is not None and instant != first else cause
    if instant is None:
        return cause
    return "converted" if instant == record["converted_at"] else "lapsed"


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _done(store: Store) -> int:
    """The inbox watermark: every message up to it has been evaluated."""
    return int(get_state(store, "inbox_seq") or 0)


def _top_seq(raw: Any, done: int = 0) -> int:
    """The newest inbox seq (at least `done`, the watermark). Only the rows after `done` are
    read: DuckDB skips the row groups before it (a max over 9M rows took 14 ms a pass)."""
    row = raw.execute(
        "SELECT coalesce(max(seq), ?) FROM live_inbox WHERE seq > ?", [done, done]
    ).fetchone()
    return int(row[0]) if row else done
