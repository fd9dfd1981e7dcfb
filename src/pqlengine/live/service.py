"""`pql serve`: the store, the writer, the evaluator, the outbox and the HTTP server."""

from __future__ import annotations

import errno
import gc
import logging
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from pqlengine.clock import Clock, naive_now, system_clock
from pqlengine.config import Project
from pqlengine.destinations.outbox import Deliverer, Requeued, Target, requeue_dead, targets
from pqlengine.ingest.segment import Message
from pqlengine.live.evaluator import Evaluator
from pqlengine.live.faults import StoreFault, StoreHealth
from pqlengine.live.reads import ReadPool
from pqlengine.live.served import (
    ServeInfo,
    client_url,
    remove_serve_file,
    secret_from_env,
    write_serve_file,
)
from pqlengine.live.tables import ensure_live_tables, set_state
from pqlengine.live.target_watch import TargetWatch
from pqlengine.live.training import Trainer
from pqlengine.live.writer import Writer, WriteResult
from pqlengine.store import Store

if TYPE_CHECKING:
    from pqlengine.live.run_api import CommandRunner

log = logging.getLogger("pqlengine.live")
# Free space below which the store still counts as full after a probe write succeeded.
MIN_FREE_BYTES = 1 << 20


@dataclass
class Service:
    """Everything `pql serve` runs; `start()` catches up, then the threads run.

    The writer, evaluator, deliverer and trainer each hold a cursor of `store`. When DuckDB
    invalidates the database (an automatic checkpoint hit a full disk: live/faults.py), a
    watcher thread closes the store (which closes every cursor), opens the file again and
    builds those parts anew on it; routes read `service.store` and submit through
    `service.submit` at each request, so they follow.
    """

    project: Project
    store: Store
    write_key: str
    api_token: str
    targets: list[Target] = field(default_factory=list)
    # Every "now" of the service (ingest, evaluation, deliveries, API); tests move it.
    clock: Clock = system_clock
    # How often the watcher looks at the store (and retries a failed one), seconds.
    watch_seconds: float = 1.0
    # Runs a CLI read command for `POST /api/run` (the CLI passes it: live cannot import it).
    run_command: CommandRunner | None = None

    def __post_init__(self) -> None:
        self.health = StoreHealth(self.store.path)
        self._swap = threading.Lock()  # held while the parts are rebuilt
        self._running = False  # the parts' threads run (False while a reopen failed)
        self._reopened: list[Callable[[], None]] = []
        self._stopping: list[Callable[[], None]] = []
        self._assemble()
        # Heavy reads (/api/run, /api/metrics) one at a time, off the writer's connection.
        self.reads = ReadPool(self._read_cursor)
        self.target_watch = TargetWatch(
            self.project,
            self.targets,
            self.clock,
            lambda check: self.reads.submit(check),  # the pool of the moment (reopen)
            lambda: self.evaluator.delivered.set(),
        )
        self._forward = threading.Thread(target=self._forward_wakeups, daemon=True)
        self._watcher = threading.Thread(target=self._watch, name="pql-store-watch", daemon=True)
        self._stopped = threading.Event()
        self._check_now = threading.Event()

    @classmethod
    def from_project(cls, project: Project, run_command: CommandRunner | None = None) -> Service:
        """Open the project's store and read secrets from the environment."""
        write_key = secret_from_env("PQL_WRITE_KEY")
        api_token = secret_from_env("PQL_API_TOKEN")
        found = targets(project, project.root)
        store = Store.for_project(project, default_threads=service_threads())
        return cls(project, store, write_key, api_token, found, run_command=run_command)

    def _read_cursor(self) -> Store:
        """A connection for the read pool, on the store of the moment."""
        return self.store.cursor()

    def _assemble(self) -> None:
        """The writer, evaluator, deliverer and trainer on the current store."""
        ensure_live_tables(self.store)
        self.writer = Writer(self.store)
        self.evaluator = Evaluator(self.store, self.project, self.targets, self.clock)
        self.deliverer = Deliverer(self.store, self.project, self.targets, clock=self.clock)
        self.trainer = Trainer(self.store, self.project, self.evaluator.model_stored)
        self.writer.notify(self.evaluator.wake)
        self.evaluator.failed = self.deliverer.failed = self.store_failed
        self._probe = self.store.cursor()

    def start(self) -> None:
        """Catch up with the inbox and start the writer, evaluator and deliverer."""
        self._start_parts()
        self._forward.start()
        self._watcher.start()

    def _start_parts(self) -> None:
        self.evaluator.start()  # catches up first: it may fail, nothing else runs yet
        self.writer.start()
        self.deliverer.start()
        self._running = True

    def stop(self) -> None:
        """Drain the writer, stop the loops."""
        self._stopped.set()
        self._check_now.set()
        if self._watcher.is_alive():
            self._watcher.join(timeout=120)
        with self._swap:
            if self._running:
                self._stop_parts()
        self.reads.shutdown()
        self.evaluator.delivered.set()
        for callback in self._stopping:
            callback()
        # Ibis drops a cached table when its expression is collected; collected after the
        # store closed (at exit) it fails on a closed connection.
        gc.collect()

    def _stop_parts(self) -> None:
        self._running = False
        self.writer.stop()
        self.evaluator.stop()
        self.deliverer.stop()

    def submit(self, messages: list[Message], received_at: datetime) -> Future[WriteResult]:
        """Hand messages to the writer; fails at once while the store is being reopened."""
        if not self._swap.acquire(blocking=False):
            return _failed(StoreReopening(self.store.path))
        try:
            if not self._running:
                return _failed(StoreReopening(self.store.path))
            return self.writer.submit(messages, received_at)
        finally:
            self._swap.release()

    def store_failed(self, exc: BaseException) -> StoreFault | None:
        """Record a failure of the store (None: not a store fault); a database DuckDB
        invalidated is reopened by the watcher."""
        was_healthy = self.health.fault is None
        fault = self.health.failed(exc, naive_now(self.clock))
        if fault is not None and was_healthy:  # once per episode: the loops retry often
            log.error("store %s: %s; retrying until it takes writes", fault.path, fault.last_error)
        if fault is not None and fault.reopen:
            self._check_now.set()
        return fault

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Call `callback` when the service stops, before the store closes (a thread that
        queries the store must end first)."""
        self._stopping.append(callback)

    def on_reopen(self, callback: Callable[[], None]) -> None:
        """Call `callback` after the store was opened again (e.g. to drop cached cursors)."""
        self._reopened.append(callback)

    def _watch(self) -> None:
        while not self._stopped.is_set():
            self._check_now.wait(timeout=self.watch_seconds)
            self._check_now.clear()
            if self._stopped.is_set():
                return
            try:
                self._check()
            except Exception as exc:  # a failed reopen or probe: the next look retries
                if self.store_failed(exc) is None:
                    log.exception("store check failed")
                continue
            if self.health.fault is None and self._running:
                self.target_watch.tick()

    def _check(self) -> None:
        """Healthy: a read shows an invalidated database. Faulty: reopen if needed, then a
        write proves the store takes writes again."""
        fault = self.health.fault
        if fault is None:
            self._probe.raw.execute("SELECT 1").fetchall()
            return
        if fault.reopen or not self._running:
            self._reopen()
        free = shutil.disk_usage(Path(self.store.path).parent).free
        if free < MIN_FREE_BYTES:  # a small write may fit where the next batch will not
            raise OSError(errno.ENOSPC, f"No space left on device: {free} bytes free")
        set_state(self._probe, "store_checked_at", naive_now(self.clock).isoformat())
        self.health.recovered()
        log.warning("store %s takes writes again", self.store.path)

    def _reopen(self) -> None:
        """Close the store (and with it every cursor) and build the parts on a new one."""
        with self._swap:
            if self._running:
                self._stop_parts()
            try:
                self.store.close()
            except Exception:  # an invalidated database may refuse; it is dropped anyway
                log.debug("closing the failed store", exc_info=True)
            self.store = Store.open(
                self.store.path, self.store.config, self.store.columns, service_threads()
            )
            self._assemble()
            self._start_parts()
            self.reads.shutdown()  # its connection was on the closed store
            self.reads = ReadPool(self._read_cursor)
        self.health.reopened_store()
        for callback in self._reopened:
            callback()

    def requeue_dead(self, store: Store, delivery: str | None, destination: str | None) -> Requeued:
        """Re-queue dead deliveries (outbox.requeue_dead) and wake the deliverer."""
        found = requeue_dead(store.raw, naive_now(self.clock), delivery, destination)
        if found.delivery_ids:
            self.deliverer.wake.set()
        return found

    def _forward_wakeups(self) -> None:
        # A pass that queued deliveries wakes the deliverer at once rather than at its poll.
        while not self._stopped.is_set():
            self.evaluator.delivered.wait(timeout=1)
            if self.evaluator.delivered.is_set():
                self.evaluator.delivered.clear()
                self.deliverer.wake.set()


class StoreReopening(RuntimeError):
    """The store is being reopened after a fatal error; the request is not taken."""

    def __init__(self, path: str) -> None:
        super().__init__(f"the store {path} is being reopened")


def _failed(exc: Exception) -> Future[WriteResult]:
    future: Future[WriteResult] = Future()
    future.set_exception(exc)
    return future


def serve(
    project: Project,
    host: str,
    port: int,
    log_level: str = "warning",
    run_command: CommandRunner | None = None,
) -> None:
    """Run the service until SIGINT or SIGTERM (uvicorn, one process), then stop its
    threads and close the store: exit code 0. While it listens, serve.json next to the
    store says where (live/served.py)."""
    from pqlengine.live.app import create_app

    service = Service.from_project(project, run_command)
    service.start()
    config = uvicorn.Config(
        create_app(service), host=host, port=port, log_level=log_level, access_log=False
    )
    try:
        _Server(config, service.store.path).run()
    finally:
        remove_serve_file(service.store.path)
        service.stop()
        service.store.close()


class _Server(uvicorn.Server):
    """uvicorn's server that writes serve.json once its socket listens (a CLI reading the
    file can connect at once), minus re-raising the stop signal after its shutdown:
    SIGTERM's default action would end the process before the service drains its writer,
    stops its threads and closes the store (exit -15, threads killed mid-query)."""

    def __init__(self, config: uvicorn.Config, store_path: str) -> None:
        super().__init__(config)
        self._store_path = store_path

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.should_exit or not self.servers:
            return
        port = int(self.servers[0].sockets[0].getsockname()[1])
        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        url = client_url(self.config.host, port)
        write_serve_file(ServeInfo(url, os.getpid(), started_at, self._store_path))

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in stops}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def service_threads() -> int:
    """DuckDB's threads in the service unless PQL_THREADS or `store: {threads: N}` says
    otherwise: one fewer than the cores it may run on (at least one); the rest is for the
    service's Python threads (HTTP, writer, evaluator, deliveries). On 2 cores at 1M accounts
    this lowered alert latency and read times under load (bench/RESULTS.md, 2026-12-07)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, (cores or 1) - 1)
