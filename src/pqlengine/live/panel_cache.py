"""Expensive dashboard aggregates, computed once per data state and served from memory.

An entry is keyed by what it was computed from: its name and parameters (the definition
version among them) and the evaluator's inbox watermark (`live_state.inbox_seq`). New
events move the watermark; the page then shows the entry it has (marked stale) while one
background thread recomputes, so a page never waits for a recomputation it has seen
before. Entries for "now" (no explicit as_of) also go stale after `max_age_seconds`. A
heavy entry (a second or more) is not recomputed sooner than live/reads.py `reusable`
allows: the page says when it will be.
Only a first computation is waited for, and at most `wait_seconds`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pqlengine.live.priority import lower_priority
from pqlengine.live.reads import SPACING, reusable
from pqlengine.store import Store

Key = tuple[Hashable, ...]
Job = tuple[Key, int, Callable[[Store], Any], "Future[Computed]"]
log = logging.getLogger("pqlengine.live")


@dataclass(frozen=True)
class Computed:
    """One computed aggregate (or the error that stopped it) and where it came from."""

    value: Any
    error: str | None
    watermark: int
    computed_at: datetime
    seconds: float


@dataclass(frozen=True)
class Lookup:
    """What a page gets: the newest entry (if any) and whether it is current."""

    entry: Computed | None
    fresh: bool
    spaced: bool = False  # not current, but too recent a heavy one to recompute yet

    @property
    def spacing_seconds(self) -> float:
        """How long this entry is reused (live/reads.py `reusable`) once it is not current."""
        return 0.0 if self.entry is None else SPACING * self.entry.seconds

    @property
    def next_at(self) -> datetime | None:
        """When a spaced entry may be recomputed."""
        if self.entry is None or not self.spaced:
            return None
        return self.entry.computed_at + timedelta(seconds=self.spacing_seconds)

    @property
    def pending(self) -> bool:
        """A (re)computation is running or queued."""
        return self.entry is None or not (self.fresh or self.spaced)


class PanelCache:
    """Latest computed value per (name, parameters); one worker thread computes."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        max_age_seconds: float = 300.0,
        wait_seconds: float = 15.0,
        size: int = 64,
        user_errors: tuple[type[Exception], ...] = (ValueError,),
    ) -> None:
        self._open_store = open_store
        self._store: Store | None = None
        self.max_age_seconds = max_age_seconds
        self.wait_seconds = wait_seconds
        self._size = size
        self._user_errors = user_errors
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._latest: OrderedDict[Key, Computed] = OrderedDict()
        self._running: dict[Key, Future[Computed]] = {}
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        # A daemon thread, not an executor: Ctrl-C must not wait for a long aggregate.
        self._worker = threading.Thread(target=self._work, name="pql-dashboard", daemon=True)
        self._worker.start()

    def get(
        self,
        key: Key,
        watermark: int,
        compute: Callable[[Store], Any],
        moving_clock: bool,
        wait: bool = True,
        wait_seconds: float | None = None,
    ) -> Lookup:
        """The entry for `key`; fresh when computed at `watermark` (and, for a moving clock,
        recently). Otherwise a recomputation is queued and the old entry returned; with no
        entry at all, wait up to `wait_seconds` (default: the cache's) for the first one."""
        with self._lock:
            entry = self._latest.get(key)
            if entry is not None:
                self._latest.move_to_end(key)
        if entry is not None and self._is_fresh(entry, watermark, moving_clock):
            return Lookup(entry, True)
        if entry is not None:
            age = (datetime.now(UTC) - entry.computed_at).total_seconds()
            if reusable(entry.seconds, age):
                return Lookup(entry, False, spaced=True)
        future = self._submit(key, watermark, compute)
        if entry is not None or not wait:
            return Lookup(entry, False)
        try:
            done = future.result(timeout=wait_seconds or self.wait_seconds)
        except FutureTimeout:
            return Lookup(None, False)
        return Lookup(done, True)

    def _is_fresh(self, entry: Computed, watermark: int, moving_clock: bool) -> bool:
        if entry.watermark != watermark:
            return False
        age = (datetime.now(UTC) - entry.computed_at).total_seconds()
        return not moving_clock or age < self.max_age_seconds

    def _submit(
        self, key: Key, watermark: int, compute: Callable[[Store], Any]
    ) -> Future[Computed]:
        running_key = (*key, watermark)
        with self._lock:
            future = self._running.get(running_key)
            if future is None:
                future = Future()
                self._running[running_key] = future
                self._jobs.put((key, watermark, compute, future))
        return future

    def _work(self) -> None:
        lower_priority()
        while (job := self._jobs.get()) is not None:
            key, watermark, compute, future = job
            entry = self._run(key, watermark, compute)
            with self._lock:
                self._running.pop((*key, watermark), None)
            future.set_result(entry)

    def _run(self, key: Key, watermark: int, compute: Callable[[Store], Any]) -> Computed:
        if self._store is None:
            # The worker's own connection: DuckDB connections are not shared across threads.
            self._store = self._open_store()
        started = time.perf_counter()
        value, error = None, None
        try:
            value = compute(self._store)
        except self._user_errors as exc:
            error = str(exc)
        except Exception as exc:  # a page must say what failed rather than hang or vanish
            if not self._closing.is_set():  # else: interrupted by shutdown, not a failure
                log.exception("dashboard aggregate %s failed", key[0])
            error = f"internal error ({type(exc).__name__}); see the server log"
        entry = Computed(value, error, watermark, datetime.now(UTC), time.perf_counter() - started)
        with self._lock:
            self._latest[key] = entry
            self._latest.move_to_end(key)
            while len(self._latest) > self._size:
                self._latest.popitem(last=False)
        return entry

    def forget_store(self) -> None:
        """Open a new connection for the next computation (the store was reopened)."""
        self._store = None

    def shutdown(self, wait_seconds: float = 30.0) -> None:
        """Stop the worker: interrupt the query it is running and wait for it (up to
        `wait_seconds`), so that no query runs while the store closes."""
        self._closing.set()
        self._jobs.put(None)
        store = self._store
        if store is not None:
            store.raw.interrupt()
        if self._worker.is_alive():
            self._worker.join(timeout=wait_seconds)
