"""`pql serve`: the store, the writer, the evaluator, the outbox and the HTTP server."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import uvicorn

from pqlengine.clock import Clock, system_clock
from pqlengine.config import Project
from pqlengine.destinations.outbox import Deliverer, Target, targets
from pqlengine.live.evaluator import Evaluator
from pqlengine.live.reads import ReadPool
from pqlengine.live.served import (
    ServeInfo,
    client_url,
    remove_serve_file,
    secret_from_env,
    write_serve_file,
)
from pqlengine.live.tables import ensure_live_tables
from pqlengine.live.training import Trainer
from pqlengine.live.writer import Writer
from pqlengine.store import Store

if TYPE_CHECKING:
    from pqlengine.live.run_api import CommandRunner


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
    # Runs a CLI read command for `POST /api/run` (the CLI passes it: live cannot import it).
    run_command: CommandRunner | None = None

    def __post_init__(self) -> None:
        ensure_live_tables(self.store)
        self.writer = Writer(self.store)
        self.evaluator = Evaluator(self.store, self.project, self.targets, self.clock)
        self.deliverer = Deliverer(self.store, self.project, self.targets, clock=self.clock)
        self.trainer = Trainer(self.store, self.project, self.evaluator.model_stored)
        self.writer.notify(self.evaluator.wake)
        # Heavy reads (/api/run, /api/metrics) one at a time, off the writer's connection.
        self.reads = ReadPool(self.store.cursor)
        self._forward = threading.Thread(target=self._forward_wakeups, daemon=True)
        self._stopped = threading.Event()

    @classmethod
    def from_project(cls, project: Project, run_command: CommandRunner | None = None) -> Service:
        """Open the project's store and read secrets from the environment."""
        write_key = secret_from_env("PQL_WRITE_KEY")
        api_token = secret_from_env("PQL_API_TOKEN")
        found = targets(project, project.root)
        store = Store.for_project(project)
        return cls(project, store, write_key, api_token, found, run_command=run_command)

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
        self.reads.shutdown()
        self.evaluator.delivered.set()

    def _forward_wakeups(self) -> None:
        # A pass that queued deliveries wakes the deliverer at once rather than at its poll.
        while not self._stopped.is_set():
            self.evaluator.delivered.wait(timeout=1)
            if self.evaluator.delivered.is_set():
                self.evaluator.delivered.clear()
                self.deliverer.wake.set()


def serve(
    project: Project,
    host: str,
    port: int,
    log_level: str = "warning",
    run_command: CommandRunner | None = None,
) -> None:
    """Run the service until interrupted (uvicorn, one process); while it listens,
    serve.json next to the store says where (live/served.py)."""
    from pqlengine.live.app import create_app

    service = Service.from_project(project, run_command)
    service.start()
    config = uvicorn.Config(
        create_app(service), host=host, port=port, log_level=log_level, access_log=False
    )
    try:
        _AnnouncedServer(config, service.store.path).run()
    finally:
        remove_serve_file(service.store.path)
        service.stop()
        service.store.close()


class _AnnouncedServer(uvicorn.Server):
    """uvicorn's server writing serve.json once its socket listens (a CLI reading the file
    can connect at once)."""

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
