"""`pql serve`: the store, the writer, the evaluator, the outbox and the HTTP server."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from pqlengine.clock import Clock, naive_now, system_clock
from pqlengine.config import Project
from pqlengine.destinations.outbox import Deliverer, Requeued, Target, requeue_dead, targets
from pqlengine.live import ServiceError
from pqlengine.live.evaluator import Evaluator
from pqlengine.live.served import announce, withdraw
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.training import Trainer
from pqlengine.live.writer import Writer
from pqlengine.store import Store


def secret_from_env(name: str) -> str:
    """A secret from `NAME` or from the file named by `NAME_FILE`; never logged."""
    value = os.environ.get(name)
    path = os.environ.get(f"{name}_FILE")
    if not value and path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ServiceError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from None
    if not value:
        raise ServiceError(f"set {name} (or {name}_FILE) in the environment")
    return value


@dataclass
class Service:
    """Everything `pql serve` runs; `start()` catches up, then the threads run."""

    project: Project
    store: Store
    write_key: str
    api_token: str
    targets: list[Target] = field(default_factory=list)
    # Every "now" of the service (ingest, evaluation, deliveries, API); tests move it.
    clock: Clock = system_clock

    def __post_init__(self) -> None:
        ensure_live_tables(self.store)
        self.writer = Writer(self.store)
        self.evaluator = Evaluator(self.store, self.project, self.targets, self.clock)
        self.deliverer = Deliverer(self.store, self.project, self.targets, clock=self.clock)
        self.trainer = Trainer(self.store, self.project, self.evaluator.model_stored)
        self.writer.notify(self.evaluator.wake)
        self._forward = threading.Thread(target=self._forward_wakeups, daemon=True)
        self._stopped = threading.Event()

    @classmethod
    def from_project(cls, project: Project) -> Service:
        """Open the project's store and read secrets from the environment."""
        write_key = secret_from_env("PQL_WRITE_KEY")
        api_token = secret_from_env("PQL_API_TOKEN")
        found = targets(project, project.root)
        return cls(project, Store.for_project(project), write_key, api_token, found)

    def start(self) -> None:
        """Catch up with the inbox and start the writer, evaluator and deliverer."""
        self.writer.start()
        self.evaluator.start()
        self.deliverer.start()
        self._forward.start()

    def stop(self) -> None:
        """Drain the writer, stop the loops."""
        self._stopped.set()
        self.writer.stop()
        self.evaluator.stop()
        self.deliverer.stop()
        self.evaluator.delivered.set()

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


def serve(project: Project, host: str, port: int, log_level: str = "warning") -> None:
    """Run the service until SIGINT or SIGTERM (uvicorn, one process), then stop its
    threads and close the store: exit code 0."""
    from pqlengine.live.app import create_app

    service = Service.from_project(project)
    service.start()
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    served = announce(project, f"http://{local}:{port}")
    try:
        config = uvicorn.Config(
            create_app(service), host=host, port=port, log_level=log_level, access_log=False
        )
        _Server(config).run()
    finally:
        withdraw(served)
        service.stop()
        service.store.close()


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal after its shutdown: SIGTERM's
    default action would end the process before the service drains its writer, stops its
    threads and closes the store (exit -15, threads killed mid-query)."""

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
