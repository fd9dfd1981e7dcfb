"""Heavy reads in the service (`/api/run`, `/api/metrics`) on one bounded worker.

Reads share the process with ingest and evaluation. An unbounded thread pool (FastAPI's
sync routes) let a loop of reads run many aggregates at once, each using every DuckDB
thread, and starved the writer. Here one thread runs reads one at a time on its own
DuckDB connection; at most `queue_limit` wait, and a read beyond that is refused with
503 and Retry-After rather than queued without end. DuckDB's `threads` setting is global
per database (a connection cannot lower it, a second in-process connection cannot be
opened with another value), so one read at a time is the bound we can set.

Heavy results are also spaced: a read that took at least `HEAVY_SECONDS` is not recomputed
sooner than `SPACING` times its duration after it finished; until then the same request
gets that result again, with its age (`Cached.age_seconds`, sent as HTTP `Age`), and the
client can ask for a new one (`Cache-Control: no-cache`). On a 1M-account store a metrics
read takes about 14 s and used both cores; a loop of them kept the evaluator behind. A
light read (the small stores of tests and most deployments) is always computed afresh.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pqlengine.live.priority import lower_priority
from pqlengine.store import Store

T = TypeVar("T")
log = logging.getLogger("pqlengine.live")

HEAVY_SECONDS = 1.0  # a computation at least this long is a heavy one
KEPT_RESULTS = 32  # results kept for reuse (one per key: path and parameters)
SPACING = 4.0  # ... and is reused for SPACING times its duration: at most 20% of the time


def reusable(seconds: float, age_seconds: float) -> bool:
    """True when a result that took `seconds` to compute, `age_seconds` ago, is served
    again rather than recomputed (see the module docstring)."""
    return seconds >= HEAVY_SECONDS and age_seconds < SPACING * seconds


@dataclass(frozen=True)
class Cached(Generic[T]):
    """A read's result and how long ago (and how long) it was computed."""

    value: T
    age_seconds: float
    seconds: float


class ReadsBusy(Exception):
    """Too many reads are waiting; retry after `retry_after_seconds`."""

    def __init__(self, waiting: int, retry_after_seconds: int) -> None:
        super().__init__(
            f"{waiting} reads are waiting for the service's read worker; retry in "
            f"{retry_after_seconds} s"
        )
        self.retry_after_seconds = retry_after_seconds


Job = tuple[Callable[[Store], Any], "Future[Any]"]


class ReadPool:
    """One daemon thread with its own connection (from `open_store`) running read jobs in
    order; `submit` refuses a job when `queue_limit` are already waiting."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        queue_limit: int = 8,
        retry_after_seconds: int = 2,
    ) -> None:
        self._open_store = open_store
        self.queue_limit = queue_limit
        self.retry_after_seconds = retry_after_seconds
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._last: dict[Hashable, tuple[Any, float, float]] = {}  # value, finished, seconds
        self._pending: dict[Hashable, Future[Any]] = {}
        self._store: Store | None = None  # the worker's connection, opened by its first read
        # A daemon thread, not an executor: Ctrl-C must not wait for a long read.
        self._worker = threading.Thread(target=self._work, name="pql-reads", daemon=True)
        self._worker.start()

    def submit_spaced(
        self, key: Hashable, read: Callable[[Store], T], fresh: bool = False
    ) -> Future[Cached[T]]:
        """`read` for `key`, or its last result while `reusable` (unless `fresh`); a read
        of `key` already waiting or running is shared rather than queued again."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and not fresh:
                value, finished, seconds = last
                if reusable(seconds, now - finished):
                    done: Future[Cached[T]] = Future()
                    done.set_result(Cached(value, now - finished, seconds))
                    return done
            shared = self._pending.get(key)
            if shared is not None:
                return shared
            outcome: Future[Cached[T]] = Future()
            self._pending[key] = outcome

        def timed(store: Store) -> Cached[T]:
            started = time.monotonic()
            value = read(store)
            finished = time.monotonic()
            with self._lock:
                self._last.pop(key, None)  # re-inserted last: the dict is oldest first
                self._last[key] = (value, finished, finished - started)
                while len(self._last) > KEPT_RESULTS:
                    del self._last[next(iter(self._last))]  # the oldest key
            return Cached(value, 0.0, finished - started)

        def settle(future: Future[Cached[T]]) -> None:
            with self._lock:
                self._pending.pop(key, None)
            error = future.exception()
            if error is not None:
                outcome.set_exception(error)
            else:
                outcome.set_result(future.result())

        try:
            inner = self.submit(timed)
        except ReadsBusy:
            with self._lock:
                self._pending.pop(key, None)
            raise
        inner.add_done_callback(settle)
        return outcome

    def submit(self, read: Callable[[Store], T]) -> Future[T]:
        """Queue `read(store)`; its result (or exception) arrives in the future."""
        future: Future[T] = Future()
        with self._lock:
            if self._waiting >= self.queue_limit:
                raise ReadsBusy(self._waiting, self.retry_after_seconds)
            self._waiting += 1
        self._jobs.put((read, future))
        return future

    def _work(self) -> None:
        lower_priority()
        while (job := self._jobs.get()) is not None:
            read, future = job
            with self._lock:
                self._waiting -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if self._store is None:
                    # Opened on this thread: DuckDB connections are not shared across threads.
                    self._store = self._open_store()
                future.set_result(read(self._store))
            except BaseException as exc:  # the caller decides what an error means
                future.set_exception(exc)

    def shutdown(self, wait_seconds: float = 30.0) -> None:
        """Stop the worker: interrupt the read it is running and wait for it (up to
        `wait_seconds`). A daemon thread still inside DuckDB when the interpreter exits
        aborts the process ("terminate called without an active exception"): a metrics
        read of a minute at 1M accounts, running when SIGINT came, did."""
        self._jobs.put(None)
        store = self._store
        if store is not None:
            store.raw.interrupt()
        if self._worker.is_alive() and self._worker is not threading.current_thread():
            self._worker.join(timeout=wait_seconds)
