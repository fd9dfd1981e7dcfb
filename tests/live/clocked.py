"""A live service in this process on loopback, with a clock the test moves (no sleeping
until a lapse): the same Service and app `pql serve` runs, the HTTP server on a thread."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from pqlengine.config import load_project
from pqlengine.destinations.outbox import targets
from pqlengine.live.app import create_app
from pqlengine.live.service import Service
from pqlengine.store import Store
from tests.live.harness import API_TOKEN, WRITE_KEY, free_port


class ManualClock:
    """Time stands still until `set` or `advance` moves it (tz-aware UTC)."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (never backwards: the service's watermarks assume time moves on)."""
        with self._lock:
            assert moment >= self._now, "the clock only moves forward"
            self._now = moment

    def advance(self, by: timedelta) -> None:
        """Move forward by `by`."""
        self.set(self() + by)


class ClockedServer:
    """Service(project, clock=...) started as `serve` starts it, uvicorn on a thread."""

    def __init__(self, project_dir: Path, clock: ManualClock) -> None:
        project = load_project(project_dir)
        found = targets(project, project.root)
        self.clock = clock
        self.service = Service(
            project, Store.for_project(project), WRITE_KEY, API_TOKEN, found, clock=clock
        )
        self.port = free_port()
        config = uvicorn.Config(
            create_app(self.service), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        """Base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ClockedServer:
        """Catch up, start the loops and the HTTP server; wait until it listens."""
        self.service.start()
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop HTTP, then the service's loops, then close the store."""
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self.service.stop()
        self.service.store.close()

    def api(self, path: str, **params: Any) -> Any:
        """GET /api/... with the token; the JSON body."""
        response = httpx.get(
            f"{self.url}{path}",
            params=params,
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def post(self, path: str, payload: Any) -> httpx.Response:
        """POST JSON with the write key."""
        return httpx.post(f"{self.url}{path}", json=payload, auth=(WRITE_KEY, ""), timeout=30)
