"""Heavy reads in the service (`/api/run`, `/api/metrics`) on one bounded worker.

Reads share the process with ingest and evaluation. An unbounded thread pool (FastAPI's
sync routes) let a loop of reads run many aggregates at once, each using every DuckDB
thread, and starved the writer. Here one thread runs reads one at a time on its own
DuckDB connection; at most `queue_limit` wait, and a read beyond that is refused with
503 and Retry-After rather than queued without end. DuckDB's `threads` setting is global
per database (a connection cannot lower it, a second in-process connection cannot be
opened with another value), so one read at a time is the bound we can set.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from pqlengine.store import Store

T = TypeVar("T")
log = logging.getLogger("pqlengine.live")


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
        # A daemon thread, not an executor: Ctrl-C must not wait for a long read.
        self._worker = threading.Thread(target=self._work, name="pql-reads", daemon=True)
        self._worker.start()

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
        store: Store | None = None
        while (job := self._jobs.get()) is not None:
            read, future = job
            with self._lock:
                self._waiting -= 1
            if not future.set_running_or_notify_cancel():
                continue
            try:
                if store is None:
                    # Opened on this thread: DuckDB connections are not shared across threads.
                    store = self._open_store()
                future.set_result(read(store))
            except BaseException as exc:  # the caller decides what an error means
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Stop the worker after the read it is running."""
        self._jobs.put(None)
